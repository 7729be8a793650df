"""The page-side figure cache: one build per distinct data, never a stale figure for new data."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from msprogress import figures

CALLS: list[int] = []


def _bars(df: pd.DataFrame, title: str) -> go.Figure:
    CALLS.append(len(df))
    return go.Figure(go.Bar(x=df["x"], y=df["y"]), layout={"title": {"text": title}})


def test_a_figure_is_built_once_per_distinct_data_and_title():
    figures._built.clear()
    CALLS.clear()
    df = pd.DataFrame({"x": ["a", "b"], "y": [1, 2]})
    first = figures.built(_bars, df, "t")
    again = figures.built(_bars, df.copy(), "t")  # equal data, another frame: the same figure
    assert again is first and CALLS == [2]
    changed = figures.built(_bars, pd.DataFrame({"x": ["a", "b"], "y": [1, 3]}), "t")
    assert changed is not first and list(changed.data[0].y) == [1, 3]
    retitled = figures.built(_bars, df, "other")
    assert retitled.layout.title.text == "other" and CALLS == [2, 2, 2]
