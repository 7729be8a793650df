"""MS Progress entry point: page config, the shared filter sidebar, and navigation.

Run with `make run` (or `streamlit run app.py`). Pages live in `pages/`; each reads the
filters this file puts in `st.session_state["filters"]`.
"""

from __future__ import annotations

import streamlit as st

from msprogress import page, presenter, sidebar
from msprogress.paths import STATIC

st.set_page_config(
    page_title="MS Progress",
    page_icon=str(STATIC / "icon.png"),  # NOTE: a local file; a :material: icon would fetch a font
    layout="wide",
    initial_sidebar_state="expanded",
)

PAGES = {
    "Dashboard": [
        st.Page("pages/overview.py", title="Overview", url_path="overview", default=True),
        st.Page("pages/map.py", title="World map", url_path="map"),
        st.Page("pages/funding.py", title="Funding over time", url_path="funding"),
        st.Page("pages/pipeline.py", title="Therapy pipeline", url_path="pipeline"),
        st.Page("pages/changed.py", title="What changed", url_path="changed"),
    ],
    "Data": [
        st.Page("pages/explore.py", title="Explore records", url_path="explore"),
        st.Page("pages/about.py", title="About the data", url_path="about"),
    ],
}

nav = st.navigation(PAGES)
page.require_snapshot()
st.session_state["filters"] = sidebar.render()
exports = st.sidebar.container()  # filled after the page ran: the deck needs its charts
st.session_state[page.VIEW_CHARTS] = []
st.session_state[page.VIEW_KEYS] = []  # the page's views register their URL keys as it runs
st.session_state.pop(page.LAST_CHART, None)
if presenter.is_on():
    presenter.inject()
nav.run()
if presenter.is_on():
    f_params = {**st.session_state["filters"].to_params(), "snapshot": st.query_params.get_all("snapshot")}
    presenter.slide_nav([p for group in PAGES.values() for p in group], nav, f_params, page.deck_button)
else:
    with exports:
        page.deck_button()
