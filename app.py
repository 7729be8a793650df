"""MS Progress entry point: page config, the shared filter sidebar, and navigation.

Run with `make run` (or `streamlit run app.py`). Pages live in `pages/`; each reads the
filters this file puts in `st.session_state["filters"]`.
"""

from __future__ import annotations

import streamlit as st

from msprogress import sidebar
from msprogress.paths import STATIC

st.set_page_config(
    page_title="MS Progress",
    page_icon=str(STATIC / "icon.png"),  # NOTE: a local file; a :material: icon would fetch a font
    layout="wide",
    initial_sidebar_state="expanded",
)

PAGES = [
    st.Page("pages/overview.py", title="Overview", url_path="overview", default=True),
]

nav = st.navigation(PAGES)
st.session_state["filters"] = sidebar.render()
nav.run()
