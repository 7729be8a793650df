"""Cached figures, on the page side: a figure that is a pure function of cached query results and
a view, built once per (snapshot, filters, view) and shared by the pages and the deck makers.

`msprogress.data` caches the queries only; the builders in `msprogress.charts` stay free of
Streamlit. The therapy-pipeline grid is keyed like the queries (`data.KEYED`: a Filters by its
values) on the snapshot id, the filters and the frozen view; every other figure a page draws goes
through `built`, keyed on the builder and its arguments (query results hashed by value).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
    deck: bool = False  # laid out for a deck slide's picture (charts.DECK), not the screen's

    @property
    def look(self) -> charts.Look:
        return charts.DECK if self.deck else charts.SLIDE if self.slide else charts.SCREEN


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
        look=v.look,
        stages=v.stages,
    )


def pipeline_figure(f: Filters, view: PipelineView, *, title: str, subtitle: str) -> go.Figure:
    """charts.pipeline.pipeline_figure over data.pipeline_markers and data.pipeline_trials, cached."""
    return _pipeline_figure(data.snapshot().snapshot_id, f, view, title, subtitle)


@st.cache_resource(show_spinner=False, max_entries=256)
def _built(name: str, _builder: Callable[..., go.Figure], args: tuple, kwargs: dict) -> go.Figure:
    return _builder(*args, **kwargs)


def built(builder: Callable[..., go.Figure], *args: Any, **kwargs: Any) -> go.Figure:
    """`builder(*args, **kwargs)`, built once per distinct arguments (query results are hashed by
    value) and shared by every session: a rerun whose data did not change draws the same figure
    object again instead of building it anew (a map or a trend costs 30–60 ms to build).

    NOTE: the figure is shared, so it must never be changed after it is returned: page.chart
    hands it to st.plotly_chart (which reads it) and presenter.decorate (which copies it)."""
    return _built(f"{builder.__module__}.{builder.__qualname__}", builder, args, kwargs)
