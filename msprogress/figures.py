"""Cached figures, on the page side: a figure that is a pure function of cached query results and
a view, built once per (snapshot, filters, view) and shared by the pages and the deck makers.

`msprogress.data` caches the queries only; the builders in `msprogress.charts` stay free of
Streamlit. Only the therapy-pipeline grid is cached: building it (a trace and hover texts per
mechanism class) cost more than the rest of a rerun. It is keyed like the queries (`data.KEYED`:
a Filters by its values) on the snapshot id, the filters and the frozen view.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st

from msprogress import data
from msprogress.charts import pipeline as charts
from msprogress.filters import Filters


@dataclass(frozen=True)
class PipelineView:
    """Everything the pipeline grid is drawn from besides the filters (a cache key)."""

    include_supportive: bool
    include_nondrug: bool
    size: str
    mark: str = "status"
    highlight: tuple[str, ...] = ()
    highlight_note: str = "named in the link"
    slide: bool = False
    stages: tuple[str, ...] | None = None


@st.cache_data(show_spinner=False, max_entries=64, hash_funcs=data.KEYED)
def _pipeline_figure(snapshot_id: str, f: Filters, v: PipelineView, title: str, subtitle: str) -> go.Figure:
    markers = data.pipeline_markers(f, v.include_supportive, v.include_nondrug)
    trials = data.pipeline_trials(f, v.include_supportive, v.include_nondrug)
    return charts.pipeline_figure(
        markers,
        trials,
        size_by=v.size,
        title=title,
        subtitle=subtitle,
        mark=v.mark,
        highlight=v.highlight,
        highlight_note=v.highlight_note,
        look=charts.SLIDE if v.slide else charts.SCREEN,
        stages=v.stages,
    )


def pipeline_figure(f: Filters, view: PipelineView, *, title: str, subtitle: str) -> go.Figure:
    """charts.pipeline.pipeline_figure over data.pipeline_markers and data.pipeline_trials, cached."""
    return _pipeline_figure(data.snapshot().snapshot_id, f, view, title, subtitle)
