"""Funding over time: award money per year within one coverage series, the MS share of a funder's
money where its whole portfolio is in the data, and programme totals and calls apart.

A coverage series is a funder × what its files hold ("NIH NINDS: every award of the institute",
"NIH ExPORTER: weekly files, rows naming sclerosis or myelin", "Alliance awards: announced awards"): only
awards of one series make a trend. The page opens on the most comparable series (most complete
years); "All series, side by side" draws a panel per series, never one stacked trend.

View switches (series, group, currency, counting, cumulative) live in the URL with readable keys
(`series=nih_reporter:NIH NINDS`, `group=gap`, `currency=USD`, `count=spread`,
`view=cumulative`); unknown values are ignored with a notice.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from msprogress import data, figures, page, style
from msprogress.charts import funding as charts
from msprogress.markup import md_escape, plotly_text

f = page.filters()
ALL = "all"

# URL key → (widget key, options (first = default) with their labels)
SWITCHES: dict[str, tuple[str, dict[str, str]]] = {
    "group": (
        "funding_group",
        {"gap": "Gap area", "fundergroup": "Funder group", "funder": "Funder", "country": "Country"},
    ),
    "currency": ("funding_currency", style.CURRENCY_LABELS),
    "count": ("funding_count", {"award": "Award year", "spread": "Spread over duration"}),
    "view": ("funding_view", {"annual": "Per year", "cumulative": "Cumulative"}),
}
LABELS = {"group": "Group by", "currency": "Currency", "count": "Counting", "view": "View"}
VIEW = page.View(
    "funding",
    [page.Key("series", "funding_series"), *(page.Key(k, w, list(o)) for k, (w, o) in SWITCHES.items())],
)


def series_options(series: pd.DataFrame) -> dict[str, str]:
    """series_id → 'NIH NINDS: every award of the institute (complete, 1993–2004)', most
    comparable first, then the side-by-side view."""
    out = {
        str(r.series_id): f"{r.series_title} ({charts.coverage_label(r.complete_years, r.partial_years)}, "
        f"{r.first_year}–{r.last_year})"
        for r in series.itertuples()
    }
    if len(out) > 1:
        out[ALL] = f"All {len(out)} series, side by side (never added)"
    return out


def _switches(options: dict[str, str]) -> None:
    """The series picker and the four view switches."""
    st.selectbox(
        "Coverage series",
        list(options),
        format_func=options.__getitem__,
        key="funding_series",
        help="Only awards of one series (one funder and what its files hold) are comparable year to year.",
    )
    with st.container(horizontal=True, gap="medium"):  # NOTE: each switch as wide as its labels: none is cut
        for key, (wkey, opts) in SWITCHES.items():
            st.segmented_control(
                LABELS[key], list(opts), format_func=opts.__getitem__, key=wkey, required=True
            )


# 1. Title, notices and view switches -------------------------------------------------------
st.title("Funding over time")
series = data.funding_series(f, "EUR")  # the series in scope, most comparable first
options = series_options(series)
page.show_notices(*VIEW.seed({"series": list(options)}))
page.showing(f)
if series.empty:
    st.info("No award records match these filters: change the funder, years or relevance in the sidebar.")
    st.stop()
with page.controls():
    _switches(options)
view = VIEW.write({"series": next(iter(options))})
chosen, group, currency = view["series"], view["group"], view["currency"]
spread, is_cumulative = view["count"] == "spread", view["view"] == "cumulative"
one = None if chosen == ALL else chosen

# 2. Data -----------------------------------------------------------------------------------
series = data.funding_series(f, currency)
money_all = data.funding_by_year(f, currency, group, spread, one)
coverage = data.funding_years_covered(f, one)
summary = data.funding_summary(f, currency, one).astype(object).iloc[0]
share = data.funding_share(f, currency)
programmes = data.funding_programmes(f, currency)
row = series[series["series_id"] == one].iloc[0] if one in set(series["series_id"]) else None

# 3. The chart ------------------------------------------------------------------------------
counting = (
    "Each award is spread in equal shares over the calendar years of its award period (NIH: budget "
    f"period); {summary.no_duration:,} awards without a known period stay in their award year. Years "
    "next to a year not covered lack that year's shares."
    if spread
    else "Each award counts in its award year (NIH: fiscal year; others: award or announcement year, as stated)."
)
explain = (
    f"Individual awards only: programme totals and calls are shown apart below, never added. {counting} "
    f"Converted from each award's currency with ECB euro reference rates, the mean of the year's daily "
    f"rates, crossed via EUR; years before 1999 at 1999 rates ({summary.pre_euro:,} awards); in a year the ECB "
    "published no rate for a currency, a rate interpolated between the years around it (each record's "
    "Conversion in Explore says which). "
    "Grey bands: the series has no records for the year (missing, not zero); light bands: the series "
    f"covers the year only partly. Hatched: {summary.flagged:,} awards whose amount is {charts.FLAGGED_BASES}. "
    f"Not in the sums: {summary.no_amount:,} awards without a stated amount, {summary.no_year:,} without a year."
)
subtitle = charts.common_subtitle(plotly_text(page.describe(f)))
with page.slide():
    if money_all.empty:
        st.info("No award amounts match these filters in this series.")
    elif row is None:
        in_view = series[series["series_id"].isin(set(money_all["series_id"]))]
        title = f"Award money per year in {len(in_view)} coverage series, {currency}: each its own population"
        fig = figures.built(charts.series_panels, money_all, coverage, in_view, currency, title, subtitle)
        page.chart(fig, "funding_chart", page.FUNDING_SOURCES, f)
        page.caption(page.FUNDING_SOURCES, f, explain + " Each panel is one series with its own scale.")
    else:
        money = charts.lump(money_all, group)
        status = charts.year_status(coverage, money, f.year_from, f.year_to)
        words = plotly_text(page.describe(f))
        sub = charts.series_subtitle(row.series_title, group, currency, is_cumulative, words)
        build = charts.cumulative_lines if is_cumulative else charts.annual_bars
        series_sources = (str(row.source),)
        fig = figures.built(
            build, money, status, currency, group, charts.headline(row, share, currency, f), sub, spread
        )
        page.chart(fig, "funding_chart", series_sources, f)
        page.caption(series_sources, f, explain)

# 4. The numbers behind the chart -----------------------------------------------------------
with page.slide("The numbers behind the chart"):
    which = f"in the series {md_escape(row.series_title)}" if row is not None else "in each series separately"
    c = st.columns(4)
    c[0].metric(
        f"Award money charted ({currency})",
        style.money(summary.total, currency) if row is not None and summary.in_sums else "not added",
        help=f"Individual awards {which}. Series of different coverage are never added together.",
    )
    c[1].metric("Awards in the sums", f"{summary.in_sums:,}", help=f"Award records {which}.")
    c[2].metric(
        "Awards not in the sums",
        f"{summary.no_amount + summary.no_year:,}",
        help="Awards without a stated amount, or with an amount but no year to count and convert it in.",
    )
    c[3].metric(
        "Programme totals and calls (apart)",
        f"{len(programmes):,}",
        help="Rounds' totals and announced calls: never added to the award bars. See the table below.",
    )
    if row is not None and not money_all.empty:
        with page.details("Table behind the chart"):
            table = (charts.cumulative_table if is_cumulative else charts.annual_table)(
                money, status, currency, group
            )
            config = {
                c: st.column_config.NumberColumn(format="localized") for c in table.columns if currency in c
            }
            config[f"{charts.HATCHED} ({currency})"] = st.column_config.NumberColumn(
                format="localized",
                help=f"Money of awards whose amount is {charts.FLAGGED_BASES} (drawn hatched).",
            )
            config["Year"] = st.column_config.NumberColumn(format="%d")
            page.table(
                table.round(0),
                hide_index=True,
                width="stretch",
                column_config=config,
                placeholder="—",
                key="funding_table",
            )
            page.caption(
                series_sources, f, "—: no recorded award money; in a year not covered: missing, not zero."
            )

# 5. MS share of a funder's money -----------------------------------------------------------
if not share.empty:
    with page.slide("MS research as a share of a funder's money"):
        title = charts.share_headline(share, f)
        share_sources = tuple(
            str(s) for s in series.loc[series["series_id"].isin(share["series_id"]), "source"].unique()
        )
        page.chart(
            figures.built(charts.share_lines, share, currency, title, subtitle),
            "funding_share",
            share_sources,
            f,
        )
        page.caption(
            share_sources,
            f,
            "Only where the data hold a funder's whole portfolio (every award it made, MS or not): the MS money "
            "matches the filters; the total is every award of the funder in the series that year. Programme "
            "totals are left out of both. Grey: years not covered (missing, not zero).",
        )
        with st.expander("Table behind the share"):
            shown = share.assign(
                ms_share=100 * share["ms_share"], progressive_share=100 * share["progressive_share"]
            )[
                [
                    "funder",
                    "year",
                    "coverage",
                    "ms_amount",
                    "total_amount",
                    "ms_share",
                    "progressive_share",
                    "ms_awards",
                    "total_awards",
                ]
            ]
            page.table(
                shown,
                hide_index=True,
                width="stretch",
                column_config={
                    "funder": "Funder",
                    "year": st.column_config.NumberColumn("Fiscal year", format="%d"),
                    "coverage": "Coverage",
                    "ms_amount": st.column_config.NumberColumn(
                        f"MS research ({currency})", format="localized"
                    ),
                    "total_amount": st.column_config.NumberColumn(
                        f"All its awards ({currency})", format="localized"
                    ),
                    "ms_share": st.column_config.NumberColumn("MS share (%)", format="%.2f"),
                    "progressive_share": st.column_config.NumberColumn(
                        "Progressive-specific share (%)", format="%.2f"
                    ),
                    "ms_awards": st.column_config.NumberColumn("MS awards", format="%d"),
                    "total_awards": st.column_config.NumberColumn("All awards", format="%d"),
                },
            )

# 6. Programme totals and calls -------------------------------------------------------------
with page.slide("Programme totals and calls (not added to the awards)"):
    if programmes.empty:
        st.info("No programme totals or calls match these filters.")
    else:
        ptable = charts.programme_table(programmes, currency).round({f"Amount ({currency})": 0})
        page.table(
            ptable,
            hide_index=True,
            placeholder="—",
            width="stretch",
            key="funding_programmes",
            column_config={
                f"Amount ({currency})": st.column_config.NumberColumn(format="localized"),
                "Year": st.column_config.NumberColumn(format="%d"),
                "Source page": st.column_config.LinkColumn(),
            },
        )
        page.caption(
            page.FUNDING_SOURCES,
            f,
            "A programme total is a round's or budget's total (its awards may also appear one by one); "
            "a call is an announced ceiling, not money spent. Amount basis as the source states it.",
        )
