"""What every page shares: the source/as-of caption under each figure, and notices.

Captions are built from the served snapshot's manifest, so a figure's source and as-of date
are always those of the data actually shown.
"""

from __future__ import annotations

import streamlit as st

from msprogress import data, sidebar
from msprogress.filters import Filters

TRIAL_SOURCES = ("ctgov", "ctis")
FUNDING_SOURCES = (
    "nih_reporter",
    "nih_exporter",
    "alliance_awards",
    "charity_grants",
    "public_funders",
    "member_grants",
)


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
