"""Funding-over-time figures and the tables behind them: pure, DataFrame in, figure out.

Input frames come from the named queries: `funding_by_year` (year, grp, amount,
amount_flagged, awards), `funding_years_covered` (year, coverage, sources) and
`funding_programmes`. Three rules shape everything here:

- a year no in-scope source covers is *missing*, not zero: it gets no bar and no point (so no
  line crosses it) and a grey "not covered" band; partial years get a light band;
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
from msprogress.charts.common import layout

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


def lump(money: pd.DataFrame, group: str, max_groups: int = MAX_GROUPS) -> pd.DataFrame:
    """Keep the largest groups, sum the rest into 'Other …'. Columns as `funding_by_year`."""
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
    """Every year from the first to the last year in view → year, status, sources.

    status is 'complete', 'partial' or 'not covered'. A year with money that no source covers
    (only possible when awards are spread over their duration) counts as partial."""
    known = sorted(set(coverage["year"]) | set(money["year"]))
    lo = min([y for y in (year_from, *known[:1]) if y is not None], default=None)
    hi = max([y for y in (year_to, *known[-1:]) if y is not None], default=None)
    if lo is None or hi is None:
        return pd.DataFrame({"year": [], "status": [], "sources": []})
    cov = coverage.set_index("year")
    with_money = set(money["year"])
    rows = []
    for y in range(int(lo), int(hi) + 1):
        if y in cov.index:
            rows.append((y, cov.at[y, "coverage"], cov.at[y, "sources"]))
        elif y in with_money:
            rows.append(
                (y, "partial", "no source covers this year: only shares of awards spread from other years")
            )
        else:
            rows.append((y, NOT_COVERED, "no source covers this year: missing, not zero"))
    return pd.DataFrame(rows, columns=["year", "status", "sources"])


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
    """Title and a legible subtitle (common.layout's <sup> subtitle is too small for a hall)."""
    layout(fig, title, height=580)
    fig.update_layout(
        title=dict(text=f"{title}<br><span style='font-size:15px'>{subtitle}</span>", font=dict(size=20)),
        margin=dict(t=100),
    )
    return fig


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
    fig.add_trace(go.Bar(x=[None], y=[None], name=g, legendgroup=g, marker_color=colour, hoverinfo="skip"))
    for col, shape in (("amount", ""), ("amount_flagged", "/")):
        part = d[d[col] > 0]
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                x=part["year"],
                y=part[col],
                name=g,
                legendgroup=g,
                showlegend=False,
                marker=dict(color=colour, pattern_shape=shape, pattern_fgcolor="white"),
                customdata=[
                    [style.money(v, currency), n] for v, n in zip(part[col], part["awards"], strict=True)
                ],
                hovertemplate=f"<b>{g}</b><br>%{{x}}: %{{customdata[0]}}"
                + (f" ({FLAGGED_BASES})" if shape else "")
                + "<br>%{customdata[1]} award records in the year<extra></extra>",
            )
        )


def annual_bars(
    money: pd.DataFrame, status: pd.DataFrame, currency: str, group: str, subtitle: str, spread: bool
) -> go.Figure:
    """Stacked bars of award money per year and group: exact solid, other bases hatched."""
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
    return _titled(fig, f"Individual award money per year by {GROUPS[group].lower()}, {currency}", subtitle)


def cumulative(money: pd.DataFrame, status: pd.DataFrame, group: str) -> pd.DataFrame:
    """Running totals per group over the years in view: year × group (plus 'All shown').

    Not-covered years are NaN (unknown), so no line crosses them; later values are lower bounds."""
    order = group_order(money, group)
    years = status["year"].astype(int).tolist()
    wide = (
        money.assign(total=money["amount"] + money["amount_flagged"])
        .pivot_table(index="year", columns="grp", values="total", aggfunc="sum")
        .reindex(index=years, columns=order)
        .fillna(0.0)
        .cumsum()
    )
    wide["All shown"] = wide.sum(axis=1)
    gaps = status.loc[status["status"] == NOT_COVERED, "year"].astype(int).tolist()
    wide.loc[gaps, :] = math.nan
    return wide


def cumulative_lines(
    money: pd.DataFrame, status: pd.DataFrame, currency: str, group: str, subtitle: str, spread: bool
) -> go.Figure:
    """One running-total line per group and a dashed total; lines break at years not covered."""
    wide = cumulative(money, status, group)
    cmap = colours([c for c in wide.columns if c != "All shown"], group)
    fig = go.Figure()
    for g in wide.columns:
        is_total = g == "All shown"
        fig.add_trace(
            go.Scatter(
                x=wide.index,
                y=wide[g],
                name=g,
                mode="lines+markers",
                connectgaps=False,
                line=dict(
                    color=TOTAL_COLOUR if is_total else cmap[g], width=3, dash="dash" if is_total else "solid"
                ),
                marker=dict(size=6),
                hovertemplate=f"<b>{g}</b><br>%{{x}}: %{{y:,.0f}} {currency} so far<extra></extra>",
            )
        )
    _mark_coverage(fig, status)
    counting = "spread over award period" if spread else "in award year"
    _axes(fig, status, currency, f"{currency}, running total ({counting})")
    return _titled(fig, f"Cumulative individual award money by {GROUPS[group].lower()}, {currency}", subtitle)


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
    out["Sources covering the year"] = status["sources"].tolist()
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
