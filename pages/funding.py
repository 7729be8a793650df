"""Funding over time: individual award money per year, grouped, in one currency, with the
years no source covers shown as missing; programme totals and calls in their own table.

View switches (group, currency, counting, cumulative) live in the URL with readable keys
(`group=gap`, `currency=USD`, `count=spread`, `view=cumulative`); unknown values are ignored
with a notice.
"""

from __future__ import annotations

import streamlit as st

from msprogress import data, page, style
from msprogress.charts import funding as charts
from msprogress.markup import plotly_text

f = page.filters()

# URL key → (widget key, options (first = default), labels)
SWITCHES: dict[str, tuple[str, dict[str, str]]] = {
    "group": (
        "funding_group",
        {"fundergroup": "Funder group", "funder": "Funder", "gap": "Gap area", "country": "Country"},
    ),
    "currency": ("funding_currency", {"EUR": "EUR €", "USD": "USD $", "GBP": "GBP £"}),
    "count": ("funding_count", {"award": "Award year", "spread": "Spread over duration"}),
    "view": ("funding_view", {"annual": "Per year", "cumulative": "Cumulative"}),
}


def _switches() -> dict[str, str]:
    """Draw the four view switches in a row and return URL key → chosen value."""
    cols = st.columns([7, 4, 5, 4])
    chosen = {}
    for col, (key, (wkey, options)) in zip(cols, SWITCHES.items(), strict=True):
        label = {"group": "Group by", "currency": "Currency", "count": "Counting", "view": "View"}[key]
        with col:
            st.segmented_control(label, list(options), format_func=options.get, key=wkey, required=True)
        chosen[key] = st.session_state[wkey] or next(iter(options))
    return chosen


# 1. Title, notices and view switches -------------------------------------------------------
st.title("Funding over time")
page.show_notices()
for notice in page.seed_view({k: (w, list(o)) for k, (w, o) in SWITCHES.items()}):
    st.info(notice, icon="ℹ️")
page.showing(f)
view = _switches()
page.write_view(view, {k: next(iter(o)) for k, (_, o) in SWITCHES.items()})
group, currency = view["group"], view["currency"]
spread, is_cumulative = view["count"] == "spread", view["view"] == "cumulative"

# 2. Data -----------------------------------------------------------------------------------
money = charts.lump(data.funding_by_year(f, currency, group, spread), group)
coverage = data.funding_years_covered(f)
summary = data.funding_summary(f, currency).astype(object).iloc[0]
programmes = data.funding_programmes(f, currency)
status = charts.year_status(coverage, money, f.year_from, f.year_to)

# 3. Headline figures -----------------------------------------------------------------------
c = st.columns(4)
c[0].metric(
    f"Award money charted ({currency})", style.money(summary.total, currency) if summary.in_sums else "—"
)
c[1].metric("Awards in the sums", f"{summary.in_sums:,}")
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

# 4. The chart ------------------------------------------------------------------------------
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
    f"rates, crossed via EUR; years before 1999 at 1999 rates ({summary.pre_euro:,} awards). "
    f"Grey bands: no source of the shown funders covers the year (missing, not zero); light bands: "
    f"partial coverage ('complete' for NIH RePORTER means NINDS only). Hatched: {summary.flagged:,} "
    f"awards whose amount is {charts.FLAGGED_BASES}. Not in the sums: {summary.no_amount:,} awards "
    f"without a stated amount, {summary.no_year:,} without a year."
)
subtitle = f"{plotly_text(f.describe())} · individual awards only · ECB annual-mean exchange rates"
if money.empty:
    st.info("No award amounts match these filters.")
else:
    build = charts.cumulative_lines if is_cumulative else charts.annual_bars
    fig = build(money, status, currency, group, subtitle, spread)
    page.chart(fig, "funding_chart", page.FUNDING_SOURCES, f)
    page.caption(page.FUNDING_SOURCES, f, explain)

    # 5. The table behind the chart ---------------------------------------------------------
    with st.expander("Table behind the chart"):
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
        page.table(
            table.round(0),
            hide_index=True,
            width="stretch",
            column_config=config,
            placeholder="—",
            key="funding_table",
        )
        page.caption(
            page.FUNDING_SOURCES, f, "—: no recorded award money; in a year not covered: missing, not zero."
        )

# 6. Programme totals and calls -------------------------------------------------------------
st.subheader("Programme totals and calls (not added to the awards)")
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
