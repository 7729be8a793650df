"""A 16:9 PowerPoint deck: a title slide, the headline figures, a slide per chart, then the
sources and method. Pure layout (no Streamlit): `msprogress/slides.py` gathers what goes in.

Every text box is sized to its text before it is placed (widths measured with `textfit`; a
title that needs more lines than it has shrinks, then wraps), and each box starts below the one
above it, so a title never runs into the picture and is never cut. A chart slide carries its
title, subtitle and one source line as slide text (the picture is the chart without them, so
nothing is said twice) and speaker notes with the numbers behind the chart.

NOTE: geometry is in CSS px of a 1280 × 720 slide (96 px to the inch; 13.33 × 7.5 in).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.slide import Slide
from pptx.util import Emu, Pt

from msprogress import export_images, presenter, textfit

W, H = 1280, 720  # slide size in px
EMU_PX = 9525  # EMU per px at 96 dpi
MARGIN = 44
GAP = 12
FILL = 0.93  # text is wrapped to this share of its box: room for the renderer's own metrics
LINE = 1.2  # line height, in font sizes
FONT = "Arial"  # LibreOffice draws it with the metric-compatible Liberation Sans
PICTURE_WIDTH = W - 2 * MARGIN  # a chart slide's picture spans the slide between the margins
INK, GREY, ACCENT = RGBColor(0x11, 0x11, 0x11), RGBColor(0x55, 0x55, 0x55), RGBColor(0x00, 0x72, 0xB2)


@dataclass(frozen=True)
class ChartSlide:
    """One chart: its page, title and subtitle lines, the figure (undecorated), one source line,
    the speaker notes and the public link of its page (None: no link)."""

    section: str
    title: str
    subtitle: Sequence[str]
    fig: go.Figure
    source: str
    notes: str
    link: str | None


@dataclass(frozen=True)
class Figure:
    """A headline figure: the value (with its unit or currency), what it counts, a context note."""

    value: str
    label: str
    note: str


@dataclass(frozen=True)
class Deck:
    title: str
    filters: str
    as_of: Sequence[str]
    headline: Sequence[Figure]
    headline_source: str
    charts: Sequence[ChartSlide]
    sources: Sequence[str]
    method: Sequence[str]
    made: str
    link: str | None


def _px(pt: float) -> float:
    return pt * 96 / 72


def fit(text: str, pt: int, width: float, max_lines: int, min_pt: int, bold: bool = False) -> tuple[int, int]:
    """The font size (pt, from `pt` down to `min_pt`) at which `text` wraps to at most
    `max_lines` lines in `width` px, and its line count at that size."""
    while True:
        lines = len(textfit.wrap(text, _px(pt), width * FILL, bold))
        if lines <= max_lines or pt <= min_pt:
            return pt, lines
        pt -= 2


def _text(
    slide: Slide,
    x: float,
    y: float,
    width: float,
    text: str,
    pt: int,
    *,
    bold: bool = False,
    colour: RGBColor = INK,
    max_lines: int = 99,
    min_pt: int | None = None,
) -> float:
    """A text box at (x, y) as tall as its text; returns its bottom edge (px)."""
    size, lines = fit(text, pt, width, max_lines, min_pt or pt, bold)
    height = box_height(lines, size)
    box = slide.shapes.add_textbox(*(Emu(int(v * EMU_PX)) for v in (x, y, width, height)))
    frame = box.text_frame
    frame.word_wrap, frame.auto_size = True, MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
    for i, paragraph in enumerate(text.split("\n")):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = para.add_run()
        run.text = paragraph
        run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT
        run.font.color.rgb = colour
    return y + height


def box_height(lines: int, pt: float) -> float:
    """The height (px) of `lines` lines at `pt`, with room under the last for descenders."""
    return (lines * LINE + 0.25) * _px(pt)


def _presentation() -> Any:
    """An empty W × H (16:9) presentation."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(W * EMU_PX), Emu(H * EMU_PX)
    return prs


def _blank(prs: Any, notes: str) -> Slide:
    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    slide.notes_slide.notes_text_frame.text = notes
    return slide


def _footer(slide: Slide, lines: Sequence[str]) -> float:
    """Footer lines (12 pt) at the bottom of the slide; returns their top edge (px)."""
    text = "\n".join(lines)
    _, n = fit(text, 12, W - 2 * MARGIN, 99, 12)
    top = H - 22 - box_height(n, 12)
    _text(slide, MARGIN, top, W - 2 * MARGIN, text, 12, colour=GREY)
    return top


def _chart_texts(slide: Slide, c: ChartSlide) -> tuple[float, int]:
    """A chart slide's section, title, subtitle and footer; returns the top and the height (px)
    of the room left for its picture (PICTURE_WIDTH wide)."""
    width = PICTURE_WIDTH
    y = _text(slide, MARGIN, 24, width, c.section, 14, colour=ACCENT, max_lines=1)
    y = _text(slide, MARGIN, y + 4, width, c.title, 28, bold=True, max_lines=2, min_pt=20)
    if c.subtitle:
        y = _text(slide, MARGIN, y + 4, width, "\n".join(c.subtitle), 16, colour=GREY, max_lines=3, min_pt=12)
    bottom = _footer(slide, [c.source] + ([f"View it live: {c.link}"] if c.link else []))
    return y + GAP, int(bottom - GAP - (y + GAP))


def picture_height(c: ChartSlide) -> int:
    """The height (px) a chart slide with these texts leaves for its picture: a chart laid out in
    pixels (the pipeline grid) can be made for it, PICTURE_WIDTH × this, to be drawn unscaled."""
    return _chart_texts(_blank(_presentation(), ""), c)[1]


def _chart_slide(prs: Any, c: ChartSlide) -> None:
    slide = _blank(prs, c.notes)
    width = PICTURE_WIDTH
    top, pic_h = _chart_texts(slide, c)
    if c.fig.layout.width:  # laid out in pixels at its own size (the pipeline grid): drawn so, then scaled
        fig = presenter.decorate(c.fig, c.title, "", "", framed=False)
        own_w, own_h = int(fig.layout.width), int(fig.layout.height)
        scale = min(width / own_w, pic_h / own_h)
        png = _opaque(export_images.png(fig))
        box = (MARGIN + (width - own_w * scale) / 2, top, own_w * scale, own_h * scale)
    else:
        fig = presenter.decorate(c.fig, c.title, "", "", framed=False, height=pic_h, width=int(width))
        png = _opaque(export_images.png(fig, width=int(width)))
        box = (MARGIN, top, width, pic_h)
    slide.shapes.add_picture(io.BytesIO(png), *(Emu(int(v * EMU_PX)) for v in box))


def _opaque(png: bytes) -> bytes:
    """The PNG without its alpha channel. NOTE: LibreOffice draws an RGBA picture on a grey
    ground when it renders the deck; the chart's paper is white anyway."""
    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()


def _title_slide(prs: Any, d: Deck) -> None:
    notes = f"{d.title}.\nFilters: {d.filters}.\nData as of: {'; '.join(d.as_of)}.\n{d.made}."
    slide = _blank(prs, notes)
    width = W - 2 * MARGIN
    y = _text(slide, MARGIN, 150, width, d.title, 40, bold=True, max_lines=3, min_pt=28)
    y = _text(slide, MARGIN, y + 24, width, f"For: {d.filters}", 22, max_lines=3, min_pt=16)
    y = _text(slide, MARGIN, y + 16, width, "Data as of: " + "; ".join(d.as_of), 16, colour=GREY)
    _text(slide, MARGIN, y + 8, width, d.made, 14, colour=GREY)
    if d.link:
        _footer(slide, [f"View it live: {d.link}"])


def _headline_slide(prs: Any, d: Deck) -> None:
    notes = "Headline figures for these filters:\n" + "\n".join(
        f"{f.value} {f.label} ({f.note})" for f in d.headline
    )
    slide = _blank(prs, notes)
    width = W - 2 * MARGIN
    y = _text(slide, MARGIN, 28, width, "Headline figures", 28, bold=True, max_lines=1)
    y = _text(slide, MARGIN, y + 4, width, f"For: {d.filters}", 16, colour=GREY, max_lines=2, min_pt=12)
    cols, cell = 3, (width - 2 * 2 * GAP) / 3
    rows_top, row_h = y + 3 * GAP, 210
    for i, f in enumerate(d.headline):
        x, top = MARGIN + (i % cols) * (cell + 2 * GAP), rows_top + (i // cols) * row_h
        bottom = _text(slide, x, top, cell, f.value, 40, bold=True, colour=ACCENT, max_lines=1, min_pt=24)
        bottom = _text(slide, x, bottom + 2, cell, f.label, 18, max_lines=2, min_pt=14)
        _text(slide, x, bottom + 2, cell, f.note, 14, colour=GREY, max_lines=2, min_pt=12)
    _footer(slide, [d.headline_source])


def _sources_slide(prs: Any, d: Deck) -> None:
    notes = "Sources:\n" + "\n".join(d.sources) + "\n\nMethod:\n" + "\n".join(d.method)
    slide = _blank(prs, notes)
    width = W - 2 * MARGIN
    y = _text(slide, MARGIN, 28, width, "Sources and method", 28, bold=True, max_lines=1)
    bottom = _footer(slide, [d.made] + ([f"View it live: {d.link}"] if d.link else []))
    half = (width - 2 * GAP) / 2
    blocks = ("\n".join(f"• {s}" for s in d.sources), "\n".join(f"• {m}" for m in d.method))
    pt = 16
    while pt > 9 and box_height(max(fit(b, pt, half, 999, pt)[1] for b in blocks), pt) > bottom - y - 2 * GAP:
        pt -= 1
    for i, block in enumerate(blocks):
        _text(slide, MARGIN + i * (half + 2 * GAP), y + GAP, half, block, pt)


def build(d: Deck) -> bytes:
    """The deck as .pptx bytes."""
    prs = _presentation()
    _title_slide(prs, d)
    _headline_slide(prs, d)
    for chart in d.charts:
        _chart_slide(prs, chart)
    _sources_slide(prs, d)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
