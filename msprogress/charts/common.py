"""Shared chart layout and the plotly config every chart is displayed with."""

from __future__ import annotations

import plotly.graph_objects as go

FONT = dict(family="Helvetica, Arial, sans-serif", size=15)

# NOTE: every geo chart needs topojsonURL pointing at our static copy; plotly.js otherwise
# fetches the world topojson from a CDN (see STACK_NOTES). Given to every chart for safety.
PLOTLY_CONFIG: dict[str, object] = {
    "displaylogo": False,
    "topojsonURL": "/app/static/topojson/",
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def layout(fig: go.Figure, title: str, height: int = 360, subtitle: str | None = None) -> go.Figure:
    text = title if not subtitle else f"{title}<br><sup>{subtitle}</sup>"
    fig.update_layout(
        title=dict(text=text, x=0, xanchor="left"),
        font=FONT,
        height=height,
        margin=dict(l=10, r=10, t=70 if subtitle else 60, b=10),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return fig
