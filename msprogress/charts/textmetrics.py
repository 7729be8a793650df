"""How wide a line of chart text is, in pixels, before the browser draws it.

Plotly does not wrap or measure text for us, so a layout that must never cut or overlap a label
(the therapy-pipeline grid) estimates each label's width itself. The charts use Helvetica/Arial
(`common.FONT`; Debian draws them with the metric-compatible Liberation Sans), whose advance widths
are public (the Adobe Helvetica AFM, in 1/1000 em). Characters outside the table count as a wide
0.62 em (Greek letters, symbols), and every estimate carries a small safety margin, so the
estimate errs wide: a chip may get a little more room than it needs, never less.
"""

from __future__ import annotations

import re

# Helvetica advance widths (1/1000 em) for printable ASCII, space (32) to tilde (126).
_ASCII_WIDTHS = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  # ' ' to '/'
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,  # '0' to '?'
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,  # '@' to 'O'
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,  # 'P' to '_'
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,  # '`' to 'o'
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,  # 'p' to '~'
)  # fmt: skip
OTHER_EM = 0.62  # anything else: Greek letters, accented capitals, symbols
# The key glyphs charts draw, as wide as the widest font that draws them (DejaVu Sans).
GLYPH_EM = {
    "⬤": 1.05,
    "●": 0.8,
    "○": 0.8,
    "◆": 0.8,
    "▲": 0.8,
    "■": 0.8,
    "⊙": 0.9,
    "⊗": 0.9,
    "✚": 0.9,
    "◎": 0.9,
}
BOLD = 1.08  # bold Helvetica runs ~8% wider
MARGIN = 1.04  # estimates err wide
_TAGS = re.compile(r"<[^>]+>")
_ENTITIES = re.compile(r"&(?:#\d+|[a-z]+);")


def plain(text: str) -> str:
    """Text as drawn: plotly's tags removed, an HTML entity counted as one character."""
    return _ENTITIES.sub("x", _TAGS.sub("", text))


def text_px(text: str, size: float, bold: bool = False) -> float:
    """Estimated width in px of one line of `text` at font `size` px (tags and entities as drawn)."""
    em = 0.0
    for char in plain(text):
        code = ord(char)
        em += _ASCII_WIDTHS[code - 32] / 1000 if 32 <= code <= 126 else GLYPH_EM.get(char, OTHER_EM)
    return em * size * (BOLD if bold else 1.0) * MARGIN


def wrap_px(words: list[str], width: float, size: float, sep: str = "   ") -> list[str]:
    """Join `words` (already-formed pieces) into lines no wider than `width` px at `size` px;
    a piece wider than a line gets a line of its own."""
    lines: list[str] = []
    for word in words:
        if lines and text_px(lines[-1] + sep + word, size) <= width:
            lines[-1] += sep + word
        else:
            lines.append(word)
    return lines
