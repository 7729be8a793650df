"""What every page shares: the source/as-of caption under each figure, and notices.

Captions are built from the served snapshot's manifest, so a figure's source and as-of date
are always those of the data actually shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from msprogress import data, sidebar
from msprogress.filters import Filters

TRIAL_SOURCES = ("ctgov", "ctgov_api", "ctis")
FUNDING_SOURCES = (
    "nih_reporter",
    "nih_exporter",
    "reporter_api",
    "alliance_awards",
    "charity_grants",
    "public_funders",
    "member_grants",
)


def filters() -> Filters:
    """The current filters; every page starts with this call.

    NOTE: Streamlit keeps a process-wide flag meaning "this app uses a pages/ folder" until some
    session runs `st.navigation`. While it is set, a first visit to a deep link (`/funding?…`) runs
    the page file alone through the legacy multipage path, without app.py (no sidebar, no
    filters). The page then clears the flag and reruns, so app.py's navigation serves the same
    URL. Private API, so guarded: if Streamlit drops the flag, this does nothing.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a future Streamlit without the legacy path
        PagesManager = None  # type: ignore[assignment,misc]
    if PagesManager is not None and getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()
    f: Filters = st.session_state["filters"]
    return f


def seed_view(switches: Mapping[str, tuple[str, Sequence[str]]]) -> list[str]:
    """Give each page view widget (URL key → (widget key, allowed values; first = default)) its
    value from the URL once per session, else the default; a bad URL value becomes a notice."""
    notices = []
    for key, (wkey, allowed) in switches.items():
        if wkey in st.session_state:
            continue
        value = st.query_params.get(key)
        if value is not None and value not in allowed:
            shown = value[:40].replace("`", "'")  # in backticks: a hostile value never renders as markdown
            notices.append(f"Ignored {key}=`{shown}`: not one of {', '.join(allowed)}.")
            value = None
        st.session_state[wkey] = value or allowed[0]
    return notices


def write_view(values: Mapping[str, str], defaults: Mapping[str, str]) -> None:
    """Mirror a page's view state into the URL with readable keys; defaults are left out."""
    for key, value in values.items():
        if value != defaults[key]:
            if st.query_params.get(key) != value:
                st.query_params[key] = value
        elif key in st.query_params:
            del st.query_params[key]


def sources_text(source_ids: tuple[str, ...]) -> str:
    entries = [
        s for s in data.snapshot().manifest["sources"] if s["source_id"] in source_ids and s["rows_kept"]
    ]
    return "; ".join(f"{s['title']} (as of {s['as_of']})" for s in entries)


def caption(source_ids: tuple[str, ...], f: Filters | None = None, extra: str = "") -> None:
    text = f"Source: {sources_text(source_ids)}."
    if extra:
        text += " " + extra
    if f is not None:
        text += f" Filters: {f.describe()}."
    text += f" Snapshot {data.snapshot().snapshot_id}."
    st.caption(text)


def show_notices() -> None:
    notice = data.serving_notice()
    if notice:
        st.error(notice, icon="⚠️")
    for n in sidebar.notices():
        st.info(n, icon="ℹ️")
