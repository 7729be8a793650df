"""Pure figure builders: a DataFrame in, a plotly figure out. No Streamlit, no queries.

Each builder states its units in the axis titles; the page adds the source caption.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from msprogress import style

FONT = dict(family="Helvetica, Arial, sans-serif", size=15)


def _layout(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left"),
        font=FONT,
        height=height,
        margin=dict(l=10, r=10, t=60, b=10),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return fig


def pipeline_phase_bars(df: pd.DataFrame) -> go.Figure:
    """Columns: phase, phase_rank, agents → horizontal bars of agents per highest phase."""
    d = df.sort_values("phase_rank")
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
    return _layout(fig, "Progressive-MS agents by highest trial phase", height=320)
