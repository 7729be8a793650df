"""Server-side chart images (PNG at 2× scale, SVG), offline, with kaleido.

kaleido 1.x drives Debian's Chromium (`BROWSER_PATH` overrides the one it finds). Its sync
server is started once per process and reused: ~0.3 s a chart instead of ~2.5 s cold. Geo
charts read the world topojson from `static/topojson/` through a file:// URL, never a CDN.
"""

from __future__ import annotations

import threading
import warnings

import plotly.graph_objects as go
import plotly.io as pio

from msprogress.paths import STATIC
from msprogress.presenter import FIGURE_WIDTH

EXPORT_WIDTH = FIGURE_WIDTH  # layout px; PNG is 2× this
SCALE = 2
_lock = threading.Lock()
_render_lock = threading.Lock()  # downloads arrive on server threads: one render at a time
_started = False


def _engine() -> None:
    """Start kaleido's server once per process; point plotly at the local topojson."""
    global _started
    with _lock:
        if _started:
            return
        import kaleido

        pio.defaults.topojson = (STATIC / "topojson").resolve().as_uri() + "/"
        kaleido.start_sync_server(silence_warnings=True)
        _started = True


def _render(fig: go.Figure, fmt: str, scale: float, width: int | None = None) -> bytes:
    """NOTE: without a `width`, a figure laid out in pixels for a width of its own (the pipeline
    grid places its name chips for `layout.width`) is drawn at that width, any other at EXPORT_WIDTH."""
    _engine()
    width = width or int(fig.layout.width or EXPORT_WIDTH)
    height = int(fig.layout.height or 540)
    with _render_lock, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "kopts is ignored if using a server": expected
        return pio.to_image(fig, format=fmt, width=width, height=height, scale=scale)


def png(fig: go.Figure, width: int | None = None) -> bytes:
    """The figure as PNG, `width` (default: its own, else EXPORT_WIDTH) × its height layout px at 2× scale."""
    return _render(fig, "png", SCALE, width)


def svg(fig: go.Figure) -> bytes:
    """The figure as SVG (text stays text: titles and footers are searchable)."""
    return _render(fig, "svg", 1)
