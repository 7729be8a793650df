"""World map: where MS trials, research projects and award money are, by country and by place.

A choropleth of one metric (trials, progressive trials, recruiting trials, projects, award money)
with the top countries ranked beside it, a point map of the places behind the same metric (trial
sites, or lead organisations), and the records of one country in tabs beneath. Everything offline
(see charts/maps.py).

View state lives in the URL with readable keys: `metric=recruiting`, `currency=USD`,
`zoom=europe`, `country_view=ITA` (the country whose records are listed; separate from the global
country filter, which narrows every page). Choosing countries (that filter, the country picker,
or a click on the map) zooms both maps to them; a single country in the filter also fills the
picker. Unknown values are ignored with a notice.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from msprogress import data, figures, page, presenter, style
from msprogress.charts import maps as charts
from msprogress.filters import Filters
from msprogress.markup import md_escape

f: Filters = page.filters()
CURRENCIES = style.CURRENCY_LABELS
NONE = ""  # the country selectbox's "no country" option
CHOSEN = "countries"  # the zoom to the chosen countries (offered when some are chosen)
# The view in the URL. The countries listed and the zoom choices depend on the data (the countries
# with records for these filters), so they are given when the data is loaded.
VIEW = page.View(
    "map",
    [
        page.Key("metric", "map_metric", list(charts.METRICS)),
        page.Key("currency", "map_currency", list(CURRENCIES)),
        page.Key("country_view", "map_country"),
        page.Key("zoom", "map_zoom"),
    ],
)


def _present(metrics: pd.DataFrame) -> list[str]:
    """Countries with any record for these filters, by name."""
    has = metrics[(metrics["trials"] > 0) | (metrics["projects"] > 0) | (metrics["award_rows"] > 0)]
    return list(has.sort_values("country")["iso3"])


def _fill_from_filter(present: list[str]) -> None:
    """One country chosen in the sidebar fills the picker (once per change of the filter)."""
    if st.session_state.get("_map_filter_countries") == f.countries:
        return
    st.session_state["_map_filter_countries"] = f.countries
    if len(f.countries) == 1 and f.countries[0] in present:
        st.session_state["map_country"] = f.countries[0]


def _target(metrics: pd.DataFrame) -> pd.DataFrame:
    """The countries the maps zoom to: the picked one, else those the place filter chose."""
    picked = st.session_state.get("map_country") or NONE
    if picked:
        return metrics[metrics["iso3"] == picked]
    return metrics if f.countries or f.regions else metrics.iloc[0:0]


def _target_label(target: pd.DataFrame) -> str:
    names = sorted(target["country"])
    return " and ".join(names) if len(names) <= 2 else f"{len(names)} chosen countries"


def _follow_target(target: pd.DataFrame) -> None:
    """Newly chosen countries zoom the maps to them (a zoom the link gave is kept on arrival)."""
    key = tuple(target["iso3"])
    if "_map_target" in st.session_state and st.session_state["_map_target"] != key:
        st.session_state["map_zoom"] = CHOSEN if key else "world"
    st.session_state["_map_target"] = key


def _zoom(target: pd.DataFrame) -> charts.Zoom:
    choice = st.session_state["map_zoom"]
    return charts.zoom_to(target, _target_label(target)) if choice == CHOSEN else charts.PRESETS[choice]


def _switches(metric: str) -> None:
    """What the maps show: the metric, and the currency when it is money."""
    left, right = st.columns([5, 2])
    left.segmented_control(
        "Colour countries by",
        list(charts.METRICS),
        format_func=charts.METRIC_LABELS.__getitem__,
        key="map_metric",
        required=True,
    )
    if metric == "funding":
        right.segmented_control(
            "Currency",
            list(CURRENCIES),
            format_func=CURRENCIES.__getitem__,
            key="map_currency",
            required=True,
        )


def _zoom_switch(target: pd.DataFrame) -> None:
    """Where both maps look: the chosen countries (when some are), the world, Europe, North America."""
    labels = {CHOSEN: md_escape(_target_label(target))} | {k: z.label for k, z in charts.PRESETS.items()}
    st.segmented_control(
        "Zoom", _zooms(target), format_func=labels.__getitem__, key="map_zoom", required=True
    )


def _zooms(target: pd.DataFrame) -> list[str]:
    return ([CHOSEN] if len(target) else []) + list(charts.PRESETS)


def _apply_click(event: object, present: list[str]) -> None:
    """A country clicked on the choropleth becomes the listed country (once per new click), and
    the maps zoom to it."""
    points = getattr(getattr(event, "selection", None), "points", None) or []
    clicked = points[0].get("location") if points else None
    if clicked != st.session_state.get("map_last_click"):
        st.session_state["map_last_click"] = clicked
        if clicked in present and clicked != st.session_state.get("map_country"):
            st.session_state["map_country"] = clicked
            st.rerun()


def _capped(rows: pd.DataFrame, total: int, noun: str, order: str) -> None:
    """Say so when a country's table shows only the first rows (the queries cap them at 5,000)."""
    if total > len(rows):
        st.info(
            f"Showing the first {len(rows):,} of {total:,} {noun} ({order}). "
            "Narrow the filters to see the rest, or use Explore records.",
            icon="ℹ️",
        )


def _empty(total: int, noun: str, country: str) -> bool:
    """Say why a country's tab is empty, and what to change; True when it is."""
    if total == 0:
        st.info(
            f"No {noun} in {md_escape(country)} match these filters. Widen the sidebar filters to see some.",
            icon="ℹ️",
        )
    return total == 0


SOURCES = {"sites": page.TRIAL_SOURCES, "organisations": page.FUNDING_SOURCES}

# 1. Title, notices and the view ------------------------------------------------------------
st.title("Where progressive MS research happens")
page.show_notices(*VIEW.seed())
page.showing(f)
metric, currency = st.session_state["map_metric"], st.session_state["map_currency"]
kind = charts.METRICS[metric].places
dark = st.context.theme.type == "dark" and not presenter.is_on()  # presenter slides are light

# 2. Data -----------------------------------------------------------------------------------
metrics = data.map_country_metrics(f, currency)
places = data.map_trial_sites(f) if kind == "sites" else data.map_organisations(f, currency)
present = _present(metrics)
names = dict(zip(metrics["iso3"], metrics["country"], strict=True))
_fill_from_filter(present)
notices = VIEW.seed({"country_view": [NONE, *present]})
target = _target(metrics)
_follow_target(target)
notices += VIEW.seed({"zoom": _zooms(target)})
for notice in notices:
    st.info(notice, icon="ℹ️")
with page.controls():
    _switches(metric)
    _zoom_switch(target)
zoom = _zoom(target)

# 3. Choropleth -----------------------------------------------------------------------------
with page.slide():
    event = page.chart(
        figures.built(charts.choropleth, metrics, metric, currency, zoom, dark),
        "map_choropleth",
        SOURCES[kind],
        f,
        on_select="rerun",
        selection_mode="points",
    )
    page.caption(SOURCES[kind], f, "Click a country to list its records below.")
    _apply_click(event, present)

# 4. Ranked countries -----------------------------------------------------------------------
with page.slide():
    page.chart(
        figures.built(charts.ranking, metrics, metric, currency, dark=dark), "map_ranking", SOURCES[kind], f
    )
    page.caption(
        SOURCES[kind],
        f,
        f"Trials by {charts.TRIAL_BASIS}."
        if kind == "sites"
        else "Programme totals are never added to awards.",
    )

# 5. Point map ------------------------------------------------------------------------------
with page.slide():
    page.chart(
        figures.built(charts.points, places, metric, currency, zoom, dark), "map_points", SOURCES[kind], f
    )
    page.caption(
        SOURCES[kind],
        f,
        "Sites: registry coordinates or the city, geocoded offline; CTIS names countries only."
        if kind == "sites"
        else "Organisations: the funder's address, the same organisation elsewhere, or the city; else the country.",
    )

# 6. Records of one country -----------------------------------------------------------------
with page.slide("Records of one country"):
    st.selectbox(
        "Country (or click it on the map above)",
        [NONE, *present],
        format_func=lambda v: names.get(v, v) if v else "— choose a country —",
        key="map_country",
    )
    selected = st.session_state["map_country"] or NONE
    VIEW.write({"country_view": NONE, "zoom": CHOSEN if len(target) else "world"})
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
            if not _empty(int(counts.trials), "trials", names[selected]):
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
                        "url": st.column_config.LinkColumn(
                            "Registry page", display_text=r"https?://([^/]+)/.*"
                        ),
                    },
                )
                page.caption(
                    page.TRIAL_SOURCES,
                    f,
                    f"Trials with a site in {md_escape(names[selected])}; ClinicalTrials.gov export: first listed site only.",
                )
        with p_tab:
            if not _empty(int(counts.projects), "research projects", names[selected]):
                _capped(projects, int(counts.projects), "projects", "newest start first")
                page.table(
                    projects,
                    hide_index=True,
                    column_order=[
                        "title",
                        "url",
                        "organisation",
                        "city",
                        "funder",
                        "start_date",
                        "ms_relevance",
                    ],
                    column_config={
                        "title": st.column_config.TextColumn("Title", width="large"),
                        "organisation": "Lead organisation",
                        "city": "City",
                        "funder": "Funder",
                        "start_date": st.column_config.DateColumn("Start", format="YYYY-MM"),
                        "ms_relevance": "MS relevance",
                        "url": st.column_config.LinkColumn(
                            "Record page", display_text=r"https?://([^/]+)/.*"
                        ),
                    },
                )
                page.caption(
                    page.FUNDING_SOURCES,
                    f,
                    f"Projects whose lead organisation is in {md_escape(names[selected])}.",
                )
        with g_tab:
            if not _empty(int(counts.grants), "funding records", names[selected]):
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
                        "amount_cur": st.column_config.NumberColumn(
                            f"Amount ({currency})", format="localized"
                        ),
                        "url": st.column_config.LinkColumn(
                            "Source page", display_text=r"https?://([^/]+)/.*"
                        ),
                    },
                )
                page.caption(
                    page.FUNDING_SOURCES,
                    f,
                    f"Converted to {currency} (ECB annual mean rate); programme totals and calls are listed, never added.",
                )
