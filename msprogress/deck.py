"""A 16:9 PowerPoint deck of the current view: one slide per chart, then the sources.

Each chart slide has the chart's title, its image (PNG at 2× scale, which already carries the
filters subtitle and source/as-of footer) and a slide footer with source, as-of date and the
view's URL, so a slide lifted out of the deck still says where it came from.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
from pptx import Presentation
from pptx.util import Emu, Inches, Pt

from msprogress import export_images
from msprogress.presenter import footer_of

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.4)


@dataclass(frozen=True)
class Chart:
    """One chart of the view: its name (fallback title) and decorated figure."""

    name: str
    fig: go.Figure


def plain_title(fig: go.Figure, fallback: str) -> str:
    """The figure's main title line as plain text (tags dropped, entities such as `&lt;` turned back
    into the characters they stand for: a slide's text is not markup)."""
    text = str(fig.layout.title.text or fallback).split("<br>")[0]
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip() or fallback


def _textbox(slide, left: int, top: int, width: int, height: int, text: str, size: int, bold: bool = False):
    box = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height))
    frame = box.text_frame
    frame.word_wrap = True
    lines = text.split("\n")
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.text = line
        para.font.size = Pt(size)
        para.font.bold = bold
    return box


def _chart_slide(prs, chart: Chart, url: str) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    width = SLIDE_W - 2 * MARGIN
    _textbox(slide, MARGIN, Inches(0.2), width, Inches(0.7), plain_title(chart.fig, chart.name), 28, True)
    png = export_images.png(chart.fig)
    top, bottom = Inches(0.95), Inches(0.85)
    box_h = SLIDE_H - top - bottom
    ratio = export_images.EXPORT_WIDTH / int(chart.fig.layout.height or 540)
    pic_w = min(width, int(box_h * ratio))
    pic_h = int(pic_w / ratio)
    slide.shapes.add_picture(
        io.BytesIO(png), Emu(MARGIN + (width - pic_w) // 2), Emu(top), Emu(pic_w), Emu(pic_h)
    )
    footer = footer_of(chart.fig) + (f"\nView: {url}" if url else "")
    _textbox(slide, MARGIN, SLIDE_H - bottom, width, bottom, footer, 10)


def build(charts: Sequence[Chart], sources: Sequence[str], url: str, title: str = "MS Progress") -> bytes:
    """The deck as .pptx bytes: a slide per chart and a closing sources slide."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    for chart in charts:
        _chart_slide(prs, chart, url)
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    width = SLIDE_W - 2 * MARGIN
    _textbox(slide, MARGIN, Inches(0.3), width, Inches(0.8), f"{title}: sources", 32, True)
    body = "\n".join(f"• {s}" for s in sources) or "• (no sources)"
    if url:
        body += f"\n\nThis view: {url}"
    _textbox(slide, MARGIN, Inches(1.3), width, SLIDE_H - Inches(1.8), body, 16)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
