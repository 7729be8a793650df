"""Shared chart layout and the plotly config every chart is displayed with."""

from __future__ import annotations

import plotly.graph_objects as go

from msprogress import textfit

FONT = dict(family="Helvetica, Arial, sans-serif", size=15)
SCREEN_WIDTH = 900  # px a chart has at least on a 1440 px screen beside the sidebar: titles wrap to it

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


def titled(fig: go.Figure, title: str, subtitle: str, title_px: int = 20, sub_px: int = 15) -> go.Figure:
    """A title and a legible subtitle, each wrapped to SCREEN_WIDTH so neither is cut on screen,
    pinned to the top with the margin they need. (Presenter mode and exports re-wrap them to
    their own width.)"""
    lines = textfit.wrap(title, title_px, SCREEN_WIDTH * 0.9)  # NOTE: the app's font runs wider
    subs = textfit.wrap(subtitle, sub_px, SCREEN_WIDTH * 0.9) if subtitle else []
    text = "<br>".join(lines + [f"<span style='font-size:{sub_px}px'>{s}</span>" for s in subs])
    line = int(1.3 * title_px)  # plotly spaces every line of a title by the title's size
    # NOTE: plotly hangs a title of several lines from its first line (measured in Chromium): the
    # pad keeps that line's top inside the figure, the margin makes room for the lines below it
    pad = 10 + title_px // 2
    fig.update_layout(
        title=dict(
            text=text,
            font=dict(size=title_px),
            x=0,
            xanchor="left",
            y=1,
            yref="container",
            yanchor="top",
            pad=dict(t=pad),
        ),
        margin=dict(t=pad + line * (len(lines) + len(subs)) + title_px // 2 + 8),
    )
    return fig
