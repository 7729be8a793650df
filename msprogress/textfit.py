"""How wide a line of text is, and how to wrap it to a width: for chart titles and slide text
boxes that must never be cut or overlap what is below them.

Widths are measured with the metrics of Liberation Sans (metric-compatible with Arial and
Helvetica, the fonts charts and slides ask for; Debian's Chromium and LibreOffice draw
"Helvetica, Arial" with it). When that font file is not on the machine, a per-character estimate
a little wider than Arial is used, so text wraps early rather than overflows.

NOTE: pure (no Streamlit, no plotly): `presenter.decorate` and `deck` share it.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation"), Path("/usr/share/fonts/truetype/liberation2"))
FONT_FILES = {False: "LiberationSans-Regular.ttf", True: "LiberationSans-Bold.ttf"}
NARROW = set("iljtfrI.,;:'!|() ")
WIDE = set("mwMW@%")


@functools.cache
def _font(bold: bool, size: int) -> Any:
    """A PIL font at `size` px, or None when Liberation Sans is not installed."""
    try:
        from PIL import ImageFont
    except ImportError:  # pragma: no cover - Pillow comes with python-pptx
        return None
    for folder in FONT_DIRS:
        path = folder / FONT_FILES[bold]
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return None


def _estimate(text: str, size: float, bold: bool) -> float:
    em = sum(0.3 if c in NARROW else 0.9 if c in WIDE else 0.68 if c.isupper() else 0.56 for c in text)
    return em * size * (1.06 if bold else 1.0)


def width(text: str, size: float, bold: bool = False) -> float:
    """The width of one line of `text` at `size` px, in px."""
    font = _font(bold, max(1, round(size * 4)))  # measured at 4× for sub-pixel accuracy
    if font is None:
        return _estimate(text, size, bold)
    return float(font.getlength(text)) / 4


def wrap(text: str, size: float, max_width: float, bold: bool = False) -> list[str]:
    """`text` broken at spaces into lines no wider than `max_width` px (a single word longer than
    the width keeps its own line: it is never cut)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and width(candidate, size, bold) > max_width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines
