"""The shared filter sidebar and its two-way binding to the URL, generated from `filters.SPECS`.

On a session's first run the widgets are seeded from the URL (so a copied link reopens the same
view); afterwards the widgets own the state and every run writes the filters back to the URL with
readable keys plus the snapshot id. Only the filters' own keys are written: a page's view keys
are the page's (`page.View`). Values the URL carries that the snapshot does not know are dropped
with a notice (see `filters.from_params`), never an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from msprogress import data
from msprogress.filters import SPECS, URL_KEYS, Filters, Parsed, from_params
from msprogress.paths import snapshots_dir
from msprogress.snapshot import is_valid_id, list_snapshots

_SEEDED = "_filters_seeded"
OPTION_KINDS = ("country", "region", "funder")


def options() -> dict[str, list[str]]:
    """The values the snapshot knows for each options kind (country ISO-3 codes, regions, funders)."""
    opts = data.filter_options()
    return {k: list(opts.loc[opts["kind"] == k, "value"]) for k in OPTION_KINDS}


def names() -> dict[str, dict[str, str]]:
    """Display names of those values ('ITA' → 'Italy')."""
    opts = data.filter_options()
    return {str(k): dict(zip(d["value"], d["label"], strict=True)) for k, d in opts.groupby("kind")}


def _url_params() -> dict[str, list[str]]:
    qp = st.query_params
    return {k: qp.get_all(k) for k in qp.keys()}


def _seed(params: dict[str, list[str]]) -> Parsed:
    """Parse the URL once per session into widget state; keep what it said for the notices."""
    parsed = from_params(params, options())
    for spec in SPECS:
        st.session_state.update(spec.seed(parsed.filters))
    st.session_state["w_present"] = params.get("present", [""])[-1] == "1"
    parsed.notices += _snapshot_notice(params.get("snapshot", []))
    st.session_state[_SEEDED] = True
    st.session_state["_url_parsed"] = parsed
    return parsed


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


def render() -> Filters:
    """Draw the sidebar; return the current filters and keep the URL in step."""
    if not st.session_state.get(_SEEDED):
        _seed(_url_params())
    sb = st.sidebar
    sb.header("Filters")
    known, shown = options(), names()
    for spec in SPECS:
        spec.draw(sb, known, shown)
    f = from_widgets(st.session_state)
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


def from_widgets(state: Any) -> Filters:
    """The filters the widgets hold (`state`: Streamlit's session state)."""
    values: dict[str, object] = {}
    for spec in SPECS:
        values |= spec.read(state)
    return Filters(**values)


def _clear() -> None:
    st.session_state[_SEEDED] = False
    for key in URL_KEYS:
        st.query_params.pop(key, None)


def _write_url(f: Filters) -> None:
    """The filters' keys, the snapshot and presenter mode into the URL; every other key (a page's
    view state) is left as it is."""
    wanted = f.to_params() | {"snapshot": [data.snapshot().snapshot_id]}
    if st.session_state.get("w_present"):
        wanted["present"] = ["1"]
    for key in (*URL_KEYS, "snapshot", "present"):
        values = wanted.get(key)
        if values is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get_all(key) != values:
            st.query_params[key] = values


def notices(page_keys: Sequence[str] = ()) -> list[str]:
    """What the link's dropped values were, while the view is still the one the link opened; a
    key that is neither a filter nor one of this page's view keys is reported as unknown."""
    parsed: Parsed | None = st.session_state.get("_url_parsed")
    if parsed is None or parsed.filters != st.session_state.get("filters"):
        return []
    from msprogress.filters import unknown_key_notices

    unknown = [k for k in parsed.other_keys if k in st.query_params and k not in page_keys]
    return parsed.notices + unknown_key_notices(unknown)
