"""The shared filter sidebar and its two-way binding to the URL.

On a session's first run the widgets are seeded from the URL (so a copied link reopens the
same view); afterwards the widgets own the state and every run writes it back to the URL
with readable keys plus the snapshot id. Values the URL carries that the snapshot does not
know are dropped with a notice (see `filters.from_params`), never an error.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from msprogress import data
from msprogress.filters import (
    GAP_SLUGS,
    PAGE_KEYS,
    PHASE_SLUGS,
    POPULATION_SLUGS,
    RELEVANCE_SLUGS,
    STATUS_SLUGS,
    YEAR_MAX,
    YEAR_MIN,
    Filters,
    from_params,
)
from msprogress.paths import snapshots_dir
from msprogress.snapshot import is_valid_id, list_snapshots

_SEEDED = "_filters_seeded"
YEAR_LO, YEAR_HI = YEAR_MIN, YEAR_MAX  # one range for the URL parser and the slider


def _options(kind: str) -> pd.DataFrame:
    opts = data.filter_options()
    return opts[opts["kind"] == kind]


def _url_params() -> dict[str, list[str]]:
    qp = st.query_params
    return {k: qp.get_all(k) for k in qp.keys()}


def _seed(params: dict[str, list[str]]) -> list[str]:
    """Parse the URL once per session into widget state; return notices."""
    f, notices = from_params(
        params,
        countries=set(_options("country")["value"]),
        regions=set(_options("region")["value"]),
        funders=set(_options("funder")["value"]),
    )
    st.session_state.update(
        {
            "w_country": list(f.countries),
            "w_region": list(f.regions),
            "w_gap": list(f.gap_areas),
            "w_relevance": f.relevance,
            "w_population": list(f.populations),
            "w_funder": list(f.funders),
            "w_years": (f.year_from or YEAR_LO, f.year_to or YEAR_HI),
            "w_phase": list(f.phases),
            "w_status": list(f.statuses),
            "w_q": f.q,
            "w_present": params.get("present", [""])[-1] == "1",
        }
    )
    notices += _snapshot_notice(params.get("snapshot", []))
    st.session_state[_SEEDED] = True
    st.session_state["_url_notices"] = notices
    st.session_state["_url_filters"] = f
    return notices


def _snapshot_notice(values: list[str]) -> list[str]:
    if not values:
        return []
    sid, current = values[-1], data.snapshot().snapshot_id
    if not is_valid_id(sid):
        return ["Ignored snapshot=…: not a snapshot id."]
    if sid == current:
        return []
    if sid not in list_snapshots(snapshots_dir()):
        return [f"This link names data snapshot {sid}, which this server does not have; showing {current}."]
    return [f"This link was made on data snapshot {sid}; the data have changed since (now {current})."]


def _labelled(kind: str) -> tuple[list[str], dict[str, str]]:
    df = _options(kind)
    labels = dict(zip(df["value"], df["label"], strict=True))
    if kind == "country":
        labels = {k: f"{v} ({k})" for k, v in labels.items()}
    return list(df["value"]), labels


def render() -> Filters:
    """Draw the sidebar; return the current filters and keep the URL in step."""
    if not st.session_state.get(_SEEDED):
        _seed(_url_params())
    sb = st.sidebar
    sb.header("Filters")
    countries, clabels = _labelled("country")
    sb.multiselect(
        "Country",
        countries,
        key="w_country",
        format_func=lambda v: clabels.get(v, v),
        help="Trials: any listed country (CTIS lists all; ClinicalTrials.gov export: first site only).",
    )
    regions, _ = _labelled("region")
    sb.multiselect("Region (UN sub-region)", regions, key="w_region")
    sb.multiselect("Gap area", list(GAP_SLUGS), key="w_gap", format_func=lambda v: GAP_SLUGS.get(v, v))
    sb.radio(
        "MS relevance",
        list(RELEVANCE_SLUGS),
        key="w_relevance",
        format_func=lambda v: RELEVANCE_SLUGS.get(v, v),
    )
    sb.multiselect(
        "Population (trials)",
        list(POPULATION_SLUGS),
        key="w_population",
        format_func=lambda v: POPULATION_SLUGS.get(v, v),
    )
    funders, _ = _labelled("funder")
    sb.multiselect("Funder (funding)", funders, key="w_funder")
    sb.slider(
        "Years", YEAR_LO, YEAR_HI, key="w_years", help="Trial start year, project start year, grant year."
    )
    sb.multiselect(
        "Trial phase", list(PHASE_SLUGS), key="w_phase", format_func=lambda v: PHASE_SLUGS.get(v, v)
    )
    sb.multiselect(
        "Trial status", list(STATUS_SLUGS), key="w_status", format_func=lambda v: STATUS_SLUGS.get(v, v)
    )
    sb.text_input("Search titles", key="w_q", max_chars=200)
    f = _from_widgets()
    if not f.is_default():
        sb.button("Clear filters", on_click=_clear)
    sb.divider()
    sb.toggle(
        "Presenter mode",
        key="w_present",
        help="Slides for a projector: no sidebar, large type, high contrast; ← / → change page. "
        "Also opened by a link with present=1.",
    )
    _write_url(f)
    return f


def _from_widgets() -> Filters:
    s = st.session_state
    lo, hi = s["w_years"]
    return replace(
        Filters(),
        countries=tuple(s["w_country"]),
        regions=tuple(s["w_region"]),
        gap_areas=tuple(s["w_gap"]),
        relevance=s["w_relevance"],
        populations=tuple(s["w_population"]),
        funders=tuple(s["w_funder"]),
        year_from=None if lo == YEAR_LO else lo,
        year_to=None if hi == YEAR_HI else hi,
        phases=tuple(s["w_phase"]),
        statuses=tuple(s["w_status"]),
        q=s["w_q"] or "",
    )


def _clear() -> None:
    st.session_state[_SEEDED] = False
    st.query_params.clear()


def _write_url(f: Filters) -> None:
    params = f.to_params()
    params["snapshot"] = [data.snapshot().snapshot_id]
    if st.session_state.get("w_present"):
        params["present"] = ["1"]
    for key in PAGE_KEYS:  # the pages own these: keep them as they are
        if key in st.query_params:
            params[key] = st.query_params.get_all(key)
    if _url_params() != params:
        st.query_params.from_dict(params)


def notices() -> list[str]:
    """What the link's dropped values were, while the view is still the one the link opened."""
    if st.session_state.get("_url_filters") != st.session_state.get("filters"):
        return []
    return list(st.session_state.get("_url_notices", []))
