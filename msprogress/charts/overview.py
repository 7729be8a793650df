"""Overview figures."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from msprogress import style
from msprogress.charts.common import layout
from msprogress.markup import plotly_texts


def pipeline_phase_bars(df: pd.DataFrame) -> go.Figure:
    """Columns: phase, phase_rank, agents → horizontal bars of agents per highest phase."""
    d = df.sort_values("phase_rank").assign(phase=lambda t: plotly_texts(t["phase"]))
    fig = go.Figure(
        go.Bar(
            x=d["agents"],
            y=d["phase"],
            orientation="h",
            marker_color=style.PHASE_COLOUR,
            text=d["agents"],
            textposition="outside",
            hovertemplate="%{y}: %{x} agents<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="agents (count)", rangemode="tozero")
    fig.update_yaxes(title_text="highest phase", categoryorder="array", categoryarray=list(d["phase"]))
    return layout(fig, "Progressive-MS agents by highest trial phase", height=320)
