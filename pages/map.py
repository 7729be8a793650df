"""World map: where MS trials, research projects and award money are, by country and by place.

A choropleth (metric switch: trials, progressive trials, recruiting trials, projects, award
money in EUR/USD/GBP), a point map of geocoded trial sites and research organisations, and the
records of one selected country in tabs beneath. Everything offline (see charts/maps.py).

View state lives in the URL with readable keys: `metric=recruiting`, `currency=USD`,
`country_view=ITA` (the country whose records are listed; separate from the global country
filter, which narrows every page). Unknown values are ignored with a notice.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from msprogress import data, page
from msprogress.charts import maps as charts
from msprogress.filters import Filters
from msprogress.markup import md_code, md_escape

f: Filters = page.filters()
CURRENCIES = {"EUR": "EUR €", "USD": "USD $", "GBP": "GBP £"}
# URL key → (widget key, allowed values; first = default)
SWITCHES: dict[str, tuple[str, list[str]]] = {
    "metric": ("map_metric", ["progressive", "trials", "recruiting", "projects", "funding"]),
    "currency": ("map_currency", list(CURRENCIES)),
}
NONE = ""  # the country selectbox's "no country" option


def _notice(text: str) -> None:
    st.session_state.setdefault("map_url_notices", []).append(text)


def _seed_country(present: list[str]) -> None:
    """The listed country from the URL once per session; cleared when the filters leave it out."""
    if "map_country" in st.session_state:
        if st.session_state["map_country"] not in present:
            st.session_state["map_country"] = NONE
        return
    value = (st.query_params.get("country_view") or "").upper()
    if value and value not in present:
        _notice(
            f"Ignored country_view={md_code(value[:40], 40)}: no records for that country with these filters."
        )
        value = NONE
    st.session_state["map_country"] = value


def _switches() -> tuple[str, str]:
    left, right = st.columns([3, 1])
    with left:
        st.segmented_control(
            "Colour countries by",
            SWITCHES["metric"][1],
            format_func=lambda v: charts.METRIC_LABELS[v],
            key="map_metric",
            required=True,
        )
    with right:
        st.segmented_control(
            "Currency (award money)",
            list(CURRENCIES),
            format_func=lambda v: CURRENCIES[v],
            key="map_currency",
            required=True,
        )
    return st.session_state["map_metric"], st.session_state["map_currency"]


def _apply_click(event: object, present: list[str]) -> None:
    """A country clicked on the choropleth becomes the listed country (once per new click)."""
    points = getattr(getattr(event, "selection", None), "points", None) or []
    clicked = points[0].get("location") if points else None
    if clicked != st.session_state.get("map_last_click"):
        st.session_state["map_last_click"] = clicked
        if clicked in present:
            st.session_state["map_country"] = clicked


def _present(metrics: pd.DataFrame) -> list[str]:
    """Countries with any record for these filters, by name."""
    has = metrics[(metrics["trials"] > 0) | (metrics["projects"] > 0) | (metrics["award_rows"] > 0)]
    return list(has.sort_values("country")["iso3"])


def _capped(rows: pd.DataFrame, total: int, noun: str, order: str) -> None:
    """Say so when a country's table shows only the first rows (the queries cap them at 5,000)."""
    if total > len(rows):
        st.info(
            f"Showing the first {len(rows):,} of {total:,} {noun} ({order}). "
            "Narrow the filters to see the rest, or use Explore records.",
            icon="ℹ️",
        )


def _top_line(metrics: pd.DataFrame, metric: str, currency: str) -> str:
    top = charts.top_countries(metrics, metric)
    col = charts.METRICS[metric].column
    items = [
        f"{md_escape(r.country)} {charts.format_value(getattr(r, col), metric, currency)}"
        for r in top.itertuples()
    ]
    return "**Most:** " + "; ".join(items) if items else "No country has a value for these filters."


# 1. Title, notices and view switches -------------------------------------------------------
st.title("Where progressive MS research happens")
page.show_notices()
for _text in page.seed_view(SWITCHES):
    _notice(_text)
page.showing(f)
metric, currency = _switches()

# 2. Data -----------------------------------------------------------------------------------
metrics = data.map_country_metrics(f, currency)
sites = data.map_trial_sites(f)
orgs = data.map_organisations(f)
present = _present(metrics)
names = dict(zip(metrics["iso3"], metrics["country"], strict=True))
_seed_country(present)
for notice in st.session_state.pop("map_url_notices", []):
    st.info(notice, icon="ℹ️")

# 3. Choropleth -----------------------------------------------------------------------------
event = page.chart(
    charts.choropleth(metrics, metric, currency),
    "map_choropleth",
    page.TRIAL_SOURCES if metric in ("trials", "progressive", "recruiting") else page.FUNDING_SOURCES,
    f,
    on_select="rerun",
    selection_mode="points",
)
_apply_click(event, present)
st.markdown(_top_line(metrics, metric, currency))
if metric in ("trials", "progressive", "recruiting"):
    page.caption(
        page.TRIAL_SOURCES,
        f,
        f"Counts of trials by {charts.TRIAL_BASIS}; a trial in several countries counts once in each. "
        "A trial registered in both registries counts twice. Click a country to list its records below.",
    )
else:
    page.caption(
        page.FUNDING_SOURCES,
        f,
        "Award money: individual awards with a stated amount only, converted with ECB euro reference rates "
        "(annual mean of the award year); programme totals and calls are never added. "
        "Projects: country of the lead organisation. Click a country to list its records below."
        if metric == "funding"
        else "Counts of funded research projects by the lead organisation's country. "
        "Click a country to list its records below.",
    )

# 4. Point map ------------------------------------------------------------------------------
st.subheader("Trial sites and research organisations")
st.markdown(
    "<span style='color:#D55E00;font-size:1.3em'>●</span> trial sites (export: city of the first listed site; API refresh: each site country) "
    "&nbsp;&nbsp;<span style='color:#0072B2;font-size:1.3em'>●</span> research organisations "
    "(lead organisations of funded projects) · dot area grows with the number of records",
    unsafe_allow_html=True,
)
selected = st.session_state.get("map_country") or NONE
centre = charts.points_centre(sites, orgs, selected) if selected else None
st.pydeck_chart(charts.points_deck(sites, orgs, centre), height=520, key="map_points")
located = (
    f"{int(sites['trials'].sum()):,} trials at {len(sites):,} places"
    if not sites.empty
    else "No trial site has coordinates in this snapshot for these filters"
)
page.caption(
    page.TRIAL_SOURCES + page.FUNDING_SOURCES,
    f,
    f"{located}; "
    f"{int(orgs['projects'].sum()):,} projects at {len(orgs):,} organisations. "
    "Trial sites: from the ClinicalTrials.gov export, the first listed site, geocoded offline to the city "
    "(GeoNames, places of 1,000+ inhabitants; a same-named city within the country resolves to the most "
    "populous); after a registry API refresh, the registry's own coordinates of each site country; CTIS gives "
    "countries, not cities, so CTIS trials are not on this map. Organisations: coordinates as NIH "
    "RePORTER states them; other funders give none.",
)

# 5. Records of one country -----------------------------------------------------------------
st.subheader("Records of one country")
st.selectbox(
    "Country (or click it on the map above)",
    [NONE, *present],
    format_func=lambda v: f"{names.get(v, v)} ({v})" if v else "— choose a country —",
    key="map_country",
)
selected = st.session_state["map_country"] or NONE
page.write_view(
    {"metric": metric, "currency": currency, "country_view": selected},
    {"metric": SWITCHES["metric"][1][0], "currency": "EUR", "country_view": NONE},
)
if selected:
    counts = data.map_country_counts(f, selected).iloc[0]
    trials = data.map_country_trials(f, selected)
    projects = data.map_country_projects(f, selected)
    grants = data.map_country_grants(f, selected, currency)
    t_tab, p_tab, g_tab = st.tabs(
        [
            f"Trials ({counts.trials:,})",
            f"Projects ({counts.projects:,})",
            f"Funding records ({counts.grants:,})",
        ]
    )
    with t_tab:
        _capped(trials, int(counts.trials), "trials", "newest start first")
        page.table(
            trials,
            hide_index=True,
            column_order=[
                "brief_title",
                "url",
                "phase",
                "status",
                "population",
                "start_date",
                "city",
                "basis",
            ],
            column_config={
                "brief_title": st.column_config.TextColumn("Title", width="large"),
                "phase": "Phase",
                "status": "Status",
                "population": "MS population",
                "start_date": st.column_config.DateColumn("Start", format="YYYY-MM"),
                "city": "Site city",
                "basis": "Country basis",
                "url": st.column_config.LinkColumn("Registry page", display_text=r"https?://([^/]+)/.*"),
            },
        )
        page.caption(
            page.TRIAL_SOURCES,
            f,
            f"Trials with a site in {md_escape(names[selected])}. Country basis: CTIS lists all trial countries; for "
            "ClinicalTrials.gov it is the country of the first listed site only (unless refreshed from the "
            "registry API, which lists every site), so a multinational trial may be missing here.",
        )
    with p_tab:
        _capped(projects, int(counts.projects), "projects", "newest start first")
        page.table(
            projects,
            hide_index=True,
            column_order=["title", "url", "organisation", "city", "funder", "start_date", "ms_relevance"],
            column_config={
                "title": st.column_config.TextColumn("Title", width="large"),
                "organisation": "Lead organisation",
                "city": "City",
                "funder": "Funder",
                "start_date": st.column_config.DateColumn("Start", format="YYYY-MM"),
                "ms_relevance": "MS relevance",
                "url": st.column_config.LinkColumn("Record page", display_text=r"https?://([^/]+)/.*"),
            },
        )
        page.caption(
            page.FUNDING_SOURCES, f, f"Projects whose lead organisation is in {md_escape(names[selected])}."
        )
    with g_tab:
        _capped(grants, int(counts.grants), "funding records", "newest year first")
        shown = grants.assign(
            original=[
                f"{a:,.0f} {c}" if pd.notna(a) else "no amount stated"
                for a, c in zip(grants["amount"], grants["currency"], strict=True)
            ]
        )
        page.table(
            shown,
            hide_index=True,
            column_order=["year", "record_type", "original", "amount_cur", "funder", "title", "url"],
            column_config={
                "year": st.column_config.NumberColumn("Year", format="%d"),
                "title": st.column_config.TextColumn("Title", width="large"),
                "funder": "Funder",
                "record_type": "Record type",
                "original": "Amount (original currency)",
                "amount_cur": st.column_config.NumberColumn(f"Amount ({currency})", format="localized"),
                "url": st.column_config.LinkColumn("Source page", display_text=r"https?://([^/]+)/.*"),
            },
        )
        page.caption(
            page.FUNDING_SOURCES,
            f,
            f"Funding records of organisations in {md_escape(names[selected])}, newest first. Record type 'programme' is a "
            "round's total and 'call' an announcement: listed here, never added to the awards. "
            f"Converted to {currency} with ECB euro reference rates (annual mean of the year).",
        )
