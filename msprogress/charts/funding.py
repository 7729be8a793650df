"""Funding-over-time figures and the tables behind them: pure, DataFrame in, figure out.

Input frames come from the named queries: `funding_by_year` (series_id, year, grp, amount,
amount_flagged, awards), `funding_years_covered` (series_id, year, coverage, basis),
`funding_series`, `funding_share` and `funding_programmes`. Four rules shape everything here:

- one trend is one *coverage series* (a funder × what its files hold, see
  `msprogress/ingest/coverage.py`): a chart of one series may stack groups within it, but series
  of different coverage are never stacked or joined — side by side they get a panel each;
- a year the series does not cover is *missing*, not zero: it gets no bar and no point (so no
  line crosses it) and a grey "not covered" band; partial years get a light band; a running
  total starts again after a year not covered (it never runs across one);
- amounts stated as up to / at least / approximate / partial are drawn hatched, on top of the
  exact money of the same group, so the eye can discount them;
- programme totals and calls never enter these figures (they have their own table).

NOTE: funder-group colours are fixed here, funder and country colours assigned in order of
size, all from `style.OKABE_ITO` (style.py has fixed maps only for gap areas, mechanisms,
modalities and statuses).
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from msprogress import style
from msprogress.charts.common import layout, titled
from msprogress.filters import Filters
from msprogress.markup import plotly_text

GROUPS = {"fundergroup": "Funder group", "funder": "Funder", "gap": "Gap area", "country": "Country"}
OTHER = {
    "fundergroup": "Other funder groups",
    "funder": "Other funders",
    "gap": "Other",
    "country": "Other countries",
}
MAX_GROUPS = 7
FLAGGED_BASES = "up to, at least, approximate or partial"
HATCHED = "Hatched part"
NOT_COVERED = "not covered"
_CYCLE = tuple(c for c in style.OKABE_ITO if c not in ("#999999", "#000000"))
GREY = "#999999"
TOTAL_COLOUR = "#888888"  # mid grey, dashed: readable on light and dark backgrounds
FUNDER_GROUP_COLOURS = {
    "NIH": "#0072B2",
    "Alliance": "#D55E00",
    "Charity": "#009E73",
    "EU": "#E69F00",
    "US federal, not NIH": "#56B4E9",
    "Public (national)": "#CC79A7",
    "Member society": "#F0E442",
}
MONEY_COLUMNS = ["year", "grp", "amount", "amount_flagged", "awards"]
COMPLETE_COLOUR, PARTIAL_COLOUR = "#0072B2", "#56B4E9"


def lump(money: pd.DataFrame, group: str, max_groups: int = MAX_GROUPS) -> pd.DataFrame:
    """Keep the largest groups, sum the rest into 'Other …', within one series. Columns as
    `funding_by_year` without series_id."""
    if money.empty:
        return money[MONEY_COLUMNS].copy()
    totals = (money["amount"] + money["amount_flagged"]).groupby(money["grp"]).sum()
    keep = totals.sort_values(ascending=False).index[:max_groups]
    if len(totals) <= max_groups + 1:
        keep = totals.index
    grp = money["grp"].where(money["grp"].isin(keep), OTHER[group])
    out = money.assign(grp=grp).groupby(["year", "grp"], as_index=False)[
        ["amount", "amount_flagged", "awards"]
    ]
    return out.sum()[MONEY_COLUMNS]


def coverage_label(complete_years: object, partial_years: object) -> str:
    """'complete' / 'partial' / 'complete in 10 years, partial in 1' — how a series covers its years."""
    complete, partial = int(str(complete_years)), int(str(partial_years))
    if complete and not partial:
        return "complete"
    if partial and not complete:
        return "partial"
    return f"complete in {complete} years, partial in {partial}"


def research(f: Filters) -> str:
    """What the money is for, in words: 'MS research', 'progressive-specific MS research', and
    '(filtered)' when a topic or place filter narrows it."""
    noun = "progressive-specific MS research" if f.relevance == "progressive" else "MS research"
    narrowed = f.gap_areas or f.countries or f.regions or f.q.strip()
    return noun + (" (filtered)" if narrowed else "")


def series_who(row: pd.Series) -> str:
    """Who a series' money is (a `funding_series` row): its title without ': <what its files
    hold>' ('NIH NINDS', a member funder's name as typed, colons and all)."""
    return str(row.series_title).removesuffix(f": {row.kind}")


def headline(row: pd.Series, share: pd.DataFrame, currency: str, f: Filters) -> str:
    """The finding a chart of one series (a `funding_series` row) states: its latest covered
    year's money and, where the funder's whole portfolio is in the data (`funding_share`), the
    share of its award money."""
    years = share[share["series_id"] == row.series_id].dropna(subset=["ms_share"])
    who = plotly_text(series_who(row))  # a plotly title: a member's funder name as typed
    if not years.empty:
        last, d = years.iloc[-1], share_digits(years["ms_share"])
        return (
            f"{who} spent {style.money(last.ms_amount, currency)} on {research(f)} in FY{int(last.year)}, "
            f"{100 * last.ms_share:.{d}f}% of its award money"
        )
    awards = style.plural(int(row.awards_with_amount), "award")
    return f"{who}: {style.money(row.awarded, currency)} in {awards}, {row.first_year}–{row.last_year}"


def series_subtitle(
    series_title: str, group: str, currency: str, cumulative: bool, filters_words: str
) -> str:
    """What a chart of one series shows, under its title (plotly text: `filters_words` escaped)."""
    noun = "running total" if cumulative else "per year"
    what = f"award money {noun} by {GROUPS[group].lower()}, {currency}"
    return f"{plotly_text(series_title)}: {what} · {common_subtitle(filters_words)}"


def common_subtitle(filters_words: str) -> str:
    """The filters and the two rules every funding chart follows."""
    return f"{filters_words} · individual awards only · ECB annual-mean exchange rates"


def share_digits(share: pd.Series) -> int:
    """Decimals a 0–1 share needs to be told apart from zero: 1 when the shares reach 1%, else 2."""
    top = share.max()
    return 1 if top != top or top >= 0.01 else 2


def share_headline(share: pd.DataFrame, f: Filters) -> str:
    """The finding of the share chart: the range over the covered years and the latest year."""
    last = share.dropna(subset=["ms_share"]).iloc[-1]
    lo, hi, d = share["ms_share"].min(), share["ms_share"].max(), share_digits(share["ms_share"])
    what = research(f)
    return (
        f"{what[:1].upper() + what[1:]} was {100 * lo:.{d}f}–{100 * hi:.{d}f}% of {plotly_text(last.funder)}'s "
        f"award money; {100 * last.ms_share:.{d}f}% in FY{int(last.year)}"
    )


def group_order(money: pd.DataFrame, group: str) -> list[str]:
    """Groups largest first ('Other …' last); gap areas in their fixed order."""
    totals = (money["amount"] + money["amount_flagged"]).groupby(money["grp"]).sum()
    if group == "gap":
        fixed = [g for g in style.GAP_AREA_COLOURS if g in totals.index]
        return fixed + sorted(set(totals.index) - set(fixed))
    order = list(totals.sort_values(ascending=False).index)
    return [g for g in order if g != OTHER[group]] + [g for g in order if g == OTHER[group]]


def colours(groups: list[str], group: str) -> dict[str, str]:
    """Gap areas keep their palette colour; other groupings take Okabe–Ito in order, 'Other' grey."""
    if group == "gap":
        return {g: style.GAP_AREA_COLOURS.get(g, GREY) for g in groups}
    if group == "fundergroup":
        return {g: FUNDER_GROUP_COLOURS.get(g, GREY) for g in groups}
    named = [g for g in groups if g != OTHER[group]]
    out = {g: _CYCLE[i % len(_CYCLE)] for i, g in enumerate(named)}
    return out | {OTHER[group]: GREY}


def year_status(
    coverage: pd.DataFrame, money: pd.DataFrame, year_from: int | None = None, year_to: int | None = None
) -> pd.DataFrame:
    """Every year from the first to the last year in view → year, status, basis, for one series.

    status is 'complete', 'partial' or 'not covered'. A year with money that the series does not
    cover (only possible when awards are spread over their duration) counts as partial."""
    known = sorted(set(coverage["year"]) | set(money["year"]))
    lo = min([y for y in (year_from, *known[:1]) if y is not None], default=None)
    hi = max([y for y in (year_to, *known[-1:]) if y is not None], default=None)
    if lo is None or hi is None:
        return pd.DataFrame({"year": [], "status": [], "basis": []})
    cov = coverage.set_index("year")
    with_money = set(money["year"])
    rows = []
    for y in range(int(lo), int(hi) + 1):
        if y in cov.index:
            rows.append((y, cov.at[y, "coverage"], cov.at[y, "basis"]))
        elif y in with_money:
            rows.append((y, "partial", "not covered: only shares of awards spread from other years"))
        else:
            rows.append((y, NOT_COVERED, "no records for this year: missing, not zero"))
    return pd.DataFrame(rows, columns=["year", "status", "basis"])


def runs(status: pd.DataFrame, which: str) -> list[tuple[int, int]]:
    """Consecutive years with the given status, as (first, last) pairs."""
    out: list[tuple[int, int]] = []
    for y in status.loc[status["status"] == which, "year"]:
        if out and out[-1][1] == y - 1:
            out[-1] = (out[-1][0], int(y))
        else:
            out.append((int(y), int(y)))
    return out


def _mark_coverage(fig: go.Figure, status: pd.DataFrame) -> None:
    """Grey bands for years not covered, light bands for partial years, each labelled."""
    for a, b in runs(status, NOT_COVERED):
        wide = b - a >= 2
        fig.add_vrect(x0=a - 0.5, x1=b + 0.5, fillcolor=GREY, opacity=0.28, line_width=0, layer="below")
        fig.add_annotation(
            x=(a + b) / 2,
            y=0.5,
            yref="paper",
            text="not covered" if wide else "not<br>covered",
            showarrow=False,
            textangle=0 if wide else -90,
            font=dict(size=14),
        )
    for a, b in runs(status, "partial"):
        fig.add_vrect(x0=a - 0.5, x1=b + 0.5, fillcolor=GREY, opacity=0.10, line_width=0, layer="below")
        fig.add_annotation(
            x=(a + b) / 2,
            y=1.0,
            yref="paper",
            yanchor="bottom",
            text="partial coverage" if b - a >= 2 else "partial",
            showarrow=False,
            font=dict(size=13),
        )


def _legend_keys(fig: go.Figure, status: pd.DataFrame, hatched: bool) -> None:
    """Legend-only entries that explain the bands and hatching shown (no data)."""
    keys = [
        (
            "Year not covered (missing, not zero)",
            "rgba(153,153,153,0.6)",
            "",
            NOT_COVERED in set(status["status"]),
        ),
        ("Partial coverage", "rgba(153,153,153,0.2)", "", "partial" in set(status["status"])),
        (f"Hatched: amount {FLAGGED_BASES}", GREY, "/", hatched),
    ]
    for name, colour, shape, shown in keys:
        if not shown:
            continue
        fig.add_trace(
            go.Bar(
                x=[None],
                y=[None],
                name=name,
                marker=dict(color=colour, pattern_shape=shape),
                legendgroup="keys",
                legendrank=2000,
                hoverinfo="skip",
            )
        )


def _titled(fig: go.Figure, title: str, subtitle: str) -> go.Figure:
    """Title and a legible subtitle, wrapped (common.layout's <sup> subtitle is too small for a hall)."""
    layout(fig, title, height=580)
    return titled(fig, title, subtitle)


def _axes(fig: go.Figure, status: pd.DataFrame, currency: str, ytitle: str) -> None:
    fig.update_xaxes(
        title_text="year",
        range=[status["year"].min() - 0.6, status["year"].max() + 0.6] if not status.empty else None,
        dtick=1 if len(status) <= 16 else 2,
        tickangle=-45 if len(status) > 16 else 0,
        showgrid=False,
        tickfont=dict(size=14),
    )
    fig.update_yaxes(
        title_text=ytitle,
        tickprefix=style.CURRENCY_SYMBOLS.get(currency, ""),
        tickformat="~s",
        rangemode="tozero",
        tickfont=dict(size=14),
    )
    fig.update_layout(
        legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0, font=dict(size=14)),
        hoverlabel=dict(font_size=14),
    )


def _group_bars(fig: go.Figure, d: pd.DataFrame, g: str, colour: str, currency: str) -> None:
    """One group's bars: a solid legend entry, exact money solid, flagged money hatched."""
    shown = plotly_text(g)  # a funder's or country's name, as typed in its file
    fig.add_trace(
        go.Bar(x=[None], y=[None], name=shown, legendgroup=shown, marker_color=colour, hoverinfo="skip")
    )
    for col, shape in (("amount", ""), ("amount_flagged", "/")):
        part = d[d[col] > 0]
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                x=part["year"],
                y=part[col],
                name=shown,
                legendgroup=shown,
                showlegend=False,
                marker=dict(color=colour, pattern_shape=shape, pattern_fgcolor="white"),
                customdata=[
                    [style.money(v, currency), n] for v, n in zip(part[col], part["awards"], strict=True)
                ],
                hovertemplate=f"<b>{shown}</b><br>%{{x}}: %{{customdata[0]}}"
                + (f" ({FLAGGED_BASES})" if shape else "")
                + "<br>%{customdata[1]} award records in the year<extra></extra>",
            )
        )


def annual_bars(
    money: pd.DataFrame,
    status: pd.DataFrame,
    currency: str,
    group: str,
    title: str,
    subtitle: str,
    spread: bool,
) -> go.Figure:
    """Stacked bars of one series' award money per year and group: exact solid, other bases hatched."""
    order = group_order(money, group)
    cmap = colours(order, group)
    fig = go.Figure()
    for g in order:
        _group_bars(fig, money[money["grp"] == g], g, cmap[g], currency)
    _legend_keys(fig, status, bool(money["amount_flagged"].gt(0).any()))
    _mark_coverage(fig, status)
    counting = "spread over award period" if spread else "in award year"
    _axes(fig, status, currency, f"{currency} per year ({counting})")
    fig.update_layout(barmode="stack", bargap=0.15)
    return _titled(fig, title, subtitle)


def cumulative(money: pd.DataFrame, status: pd.DataFrame, group: str) -> pd.DataFrame:
    """Running totals per group over the years in view: year × group (plus 'All shown').

    A running total never runs across a year not covered: such a year is NaN (unknown, so no
    line crosses it) and the total starts again from zero after it; each covered stretch is its
    own running total."""
    order = group_order(money, group)
    years = status["year"].astype(int).tolist()
    yearly = (
        money.assign(total=money["amount"] + money["amount_flagged"])
        .pivot_table(index="year", columns="grp", values="total", aggfunc="sum")
        .reindex(index=years, columns=order)
        .fillna(0.0)
    )
    gap = (status.set_index("year")["status"] == NOT_COVERED).reindex(years, fill_value=False)
    stretch = gap.astype(int).cumsum()  # a new stretch begins after every year not covered
    wide = yearly.groupby(stretch.to_numpy()).cumsum()
    wide["All shown"] = wide.sum(axis=1)
    wide.loc[gap[gap].index, :] = math.nan
    return wide


def stretches(status: pd.DataFrame) -> list[tuple[int, int]]:
    """The covered stretches (complete or partial years between years not covered)."""
    covered = status.assign(status=status["status"].where(status["status"] == NOT_COVERED, "covered"))
    return runs(covered, "covered")


def cumulative_lines(
    money: pd.DataFrame,
    status: pd.DataFrame,
    currency: str,
    group: str,
    title: str,
    subtitle: str,
    spread: bool,
) -> go.Figure:
    """One running-total line per group and a dashed total; each covered stretch starts from zero,
    so no line runs across a year not covered."""
    wide = cumulative(money, status, group)
    cmap = colours([c for c in wide.columns if c != "All shown"], group)
    fig = go.Figure()
    for g in wide.columns:
        is_total, shown = g == "All shown", plotly_text(g)
        fig.add_trace(
            go.Scatter(
                x=wide.index,
                y=wide[g],
                name=shown,
                mode="lines+markers",
                connectgaps=False,
                line=dict(
                    color=TOTAL_COLOUR if is_total else cmap[g], width=3, dash="dash" if is_total else "solid"
                ),
                marker=dict(size=6),
                hovertemplate=f"<b>{shown}</b><br>%{{x}}: %{{y:,.0f}} {currency} so far<extra></extra>",
            )
        )
    _mark_coverage(fig, status)
    for a, _ in stretches(status)[1:]:
        fig.add_annotation(
            x=a,
            y=1.0,
            yref="paper",
            yanchor="bottom",
            text=f"restarts {a}",
            showarrow=False,
            font=dict(size=13),
        )
    counting = "spread over award period" if spread else "in award year"
    _axes(fig, status, currency, f"{currency}, running total ({counting})")
    return _titled(fig, title, subtitle)


def annual_table(money: pd.DataFrame, status: pd.DataFrame, currency: str, group: str) -> pd.DataFrame:
    """The numbers `annual_bars` plots: one row per year in view, one column per group.

    A group cell is empty when it has no recorded award money that year; a not-covered year
    has every amount empty (missing, not zero)."""
    order = group_order(money, group)
    years = status["year"].astype(int).tolist()
    by = money.assign(total=money["amount"] + money["amount_flagged"]).groupby("year")
    wide = money.assign(total=money["amount"] + money["amount_flagged"]).pivot_table(
        index="year", columns="grp", values="total", aggfunc="sum"
    )
    wide = wide.reindex(index=years, columns=order)
    out = pd.DataFrame({"Year": years, "Coverage": status["status"].tolist()}, index=years)
    for g in order:
        out[f"{g} ({currency})"] = wide[g]
    out[f"Total ({currency})"] = by["total"].sum().reindex(years).fillna(0.0)
    out[f"{HATCHED} ({currency})"] = by["amount_flagged"].sum().reindex(years).fillna(0.0)
    out["Award records"] = by["awards"].sum().reindex(years).fillna(0).astype(int)
    not_covered = out["Coverage"] == NOT_COVERED
    money_cols = [c for c in out.columns if c.endswith(f"({currency})")]
    out.loc[not_covered, money_cols] = math.nan
    out["Award records"] = out["Award records"].astype("Int64").mask(not_covered)
    out["Coverage basis"] = status["basis"].tolist()
    return out.reset_index(drop=True)


def cumulative_table(money: pd.DataFrame, status: pd.DataFrame, currency: str, group: str) -> pd.DataFrame:
    """The numbers `cumulative_lines` plots, with the currency in every money column header."""
    wide = cumulative(money, status, group)
    out = pd.DataFrame({"Year": wide.index, "Coverage": status["status"].tolist()})
    for g in wide.columns:
        out[f"{g}, running total ({currency})"] = wide[g].to_numpy()
    return out


def programme_table(programmes: pd.DataFrame, currency: str) -> pd.DataFrame:
    """Programme totals and calls for display: what they are, in the chosen and original currency."""
    kind = programmes["record_type"].map({"programme": "Programme total", "call": "Call (announced ceiling)"})
    original = [
        style.money(a, c) if c else "no amount stated"
        for a, c in zip(programmes["amount"], programmes["currency"].fillna(""), strict=True)
    ]
    return pd.DataFrame(
        {
            "Kind": kind,
            "Year": programmes["year"],
            "Funder": programmes["funder"],
            "Programme": programmes["programme"],
            f"Amount ({currency})": programmes["amount_cur"],
            "Amount basis": programmes["amount_basis"].fillna("no amount stated"),
            "Original amount": original,
            "Awards covered": programmes["n_awards"],
            "Topic / note": programmes["title"],
            "Source page": programmes["url"],
        }
    )


def series_panels(
    money: pd.DataFrame,
    coverage: pd.DataFrame,
    series: pd.DataFrame,
    currency: str,
    title: str,
    subtitle: str,
) -> go.Figure:
    """One panel per coverage series, one above the other on a shared year axis: each panel's bars
    are that series' award money per year (complete years dark, partial years light), with its
    own not-covered bands and its own y axis. Series are never stacked or joined."""
    from plotly.subplots import make_subplots

    titles = [
        f"{plotly_text(r.series_title)} — {coverage_label(r.complete_years, r.partial_years)}"
        for r in series.itertuples()
    ]
    fig = make_subplots(
        rows=len(series), cols=1, shared_xaxes=True, vertical_spacing=0.09, subplot_titles=titles
    )
    lo = int(min(coverage["year"].min(), money["year"].min()))
    hi = int(max(coverage["year"].max(), money["year"].max()))
    for i, r in enumerate(series.itertuples(), start=1):
        m = money[money["series_id"] == r.series_id]
        status = year_status(coverage[coverage["series_id"] == r.series_id], m, lo, hi)
        totals = (m["amount"] + m["amount_flagged"]).groupby(m["year"]).sum()
        coloured = status.set_index("year")["status"].reindex(totals.index)
        fig.add_trace(
            go.Bar(
                x=totals.index,
                y=totals.to_numpy(),
                marker_color=[COMPLETE_COLOUR if c == "complete" else PARTIAL_COLOUR for c in coloured],
                name=plotly_text(r.series_title),
                showlegend=False,
                customdata=[[style.money(v, currency), c] for v, c in zip(totals, coloured, strict=True)],
                hovertemplate=f"<b>{plotly_text(r.series_title)}</b><br>%{{x}}: %{{customdata[0]}} (%{{customdata[1]}})<extra></extra>",
            ),
            row=i,
            col=1,
        )
        for a, b in runs(status, NOT_COVERED):
            fig.add_vrect(
                x0=a - 0.5,
                x1=b + 0.5,
                fillcolor=GREY,
                opacity=0.22,
                line_width=0,
                layer="below",
                row=i,
                col=1,
            )
        fig.update_yaxes(
            tickprefix=style.CURRENCY_SYMBOLS.get(currency, ""),
            tickformat="~s",
            rangemode="tozero",
            nticks=4,  # a panel is short: a few ticks stay readable at slide size
            row=i,
            col=1,
        )
    for name, colour in (
        ("complete year", COMPLETE_COLOUR),
        ("partial year", PARTIAL_COLOUR),
        ("not covered", GREY),
    ):
        fig.add_trace(go.Bar(x=[None], y=[None], name=name, marker_color=colour, hoverinfo="skip"))
    layout(fig, title, height=max(360, 220 * len(series) + 160))
    titled(fig, title, subtitle)
    fig.update_xaxes(range=[lo - 0.6, hi + 0.6], dtick=1 if hi - lo <= 16 else 2, showgrid=False)
    fig.update_layout(
        margin=dict(b=90),
        legend=dict(orientation="h", yanchor="top", y=-0.06, xanchor="left", x=0, font=dict(size=14)),
        bargap=0.15,
    )
    return fig


def share_lines(share: pd.DataFrame, currency: str, title: str, subtitle: str) -> go.Figure:
    """MS research as a share of each whole-portfolio funder's money per year: one line per
    series, broken at years not covered (no point there, so no line crosses them)."""
    fig = go.Figure()
    digits = share_digits(share["ms_share"])
    for i, (sid, d) in enumerate(share.groupby("series_id", sort=False)):
        years = range(int(d["year"].min()), int(d["year"].max()) + 1)
        d = d.set_index("year").reindex(years)
        label = plotly_text(d["funder"].dropna().iloc[0] if d["funder"].notna().any() else sid)
        fig.add_trace(
            go.Scatter(
                x=list(years),
                y=100 * d["ms_share"],
                name=label,
                mode="lines+markers+text",
                connectgaps=False,
                line=dict(color=_CYCLE[(i + 4) % len(_CYCLE)], width=3),
                marker=dict(size=9),
                text=[f"{v:.{digits}f}%" if v == v else "" for v in 100 * d["ms_share"]],
                textposition="top center",
                customdata=[
                    [style.money(ms, currency), style.money(tot, currency)]
                    for ms, tot in zip(d["ms_amount"], d["total_amount"], strict=True)
                ],
                hovertemplate=f"<b>{label}</b><br>%{{x}}: %{{y:.{digits}f}}% of its money"
                "<br>MS research %{customdata[0]} of %{customdata[1]}<extra></extra>",
            )
        )
    status = pd.DataFrame(
        {"year": list(range(int(share["year"].min()), int(share["year"].max()) + 1))}
    ).assign(status=lambda t: t["year"].map(lambda y: "covered" if y in set(share["year"]) else NOT_COVERED))
    for a, b in runs(status, NOT_COVERED):
        fig.add_vrect(x0=a - 0.5, x1=b + 0.5, fillcolor=GREY, opacity=0.28, line_width=0, layer="below")
    _titled(fig, title, subtitle)
    fig.update_layout(height=460, showlegend=share["series_id"].nunique() > 1)
    fig.update_xaxes(title_text="fiscal year", dtick=1, showgrid=False)
    top = 100 * float(share["ms_share"].max())
    fig.update_yaxes(  # headroom: the value labels above the highest point stay inside the plot
        title_text="MS research, % of the funder's award money",
        ticksuffix="%",
        range=[0, 1.2 * top] if top == top and top > 0 else None,
    )
    return fig
