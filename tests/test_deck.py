"""The slide deck: built for the filters from every dashboard page's charts, laid out so that no
text box runs into another or into a picture, rendered by LibreOffice to check the drawn words
stay inside their boxes, with speaker notes and no localhost link.

LibreOffice (Debian's `libreoffice-impress`) and poppler (`pdftotext`, `pdftoppm`) render the
deck; `make test` installs them (`make deck-deps`). The rendered pages are saved as PNGs in
`test-artifacts/deck/` to be looked at.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.shapes.autoshape import Shape
from pptx.shapes.base import BaseShape
from pptx.slide import Slide

from msprogress import deck, slides
from msprogress.filters import Filters
from tests.conftest import REPO

EMU_PT = 12700
ARTIFACTS = REPO / "test-artifacts" / "deck"


@pytest.fixture(scope="module")
def progressive_deck(fixture_data: Path) -> Iterator[tuple[deck.Deck, bytes]]:
    """The deck of `/?relevance=progressive` on the fixture snapshot, with a public address set."""
    import os

    import streamlit as st

    mp = pytest.MonkeyPatch()
    mp.setenv("MSPROGRESS_DATA", str(fixture_data))
    mp.setenv(slides.PUBLIC_URL_ENV, "https://progress.example.org/dash/")
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        d = slides.build_deck(Filters(relevance="progressive"))
        assert os.environ[slides.PUBLIC_URL_ENV]
        yield d, deck.build(d)
    finally:
        mp.undo()
        st.cache_data.clear()
        st.cache_resource.clear()


def _texts(slide: Slide) -> str:
    return " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame and isinstance(s, Shape))


def _box(shape: BaseShape) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) in pt."""
    x, y = shape.left / EMU_PT, shape.top / EMU_PT
    return x, y, x + shape.width / EMU_PT, y + shape.height / EMU_PT


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


def test_deck_has_title_headline_every_page_chart_and_sources(progressive_deck):
    d, data = progressive_deck
    prs = Presentation(io.BytesIO(data))
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.01
    slides_ = list(prs.slides)
    assert len(slides_) == 2 + len(d.charts) + 1
    assert "Progressive MS research" in _texts(slides_[0]) and "progressive-specific" in _texts(slides_[0])
    assert "as of" in _texts(slides_[0]).lower() and "ClinicalTrials.gov" in _texts(slides_[0])
    assert "Headline figures" in _texts(slides_[1])
    sections = [c.section for c in d.charts]
    for title, _maker in slides.MAKERS.values():
        assert title in sections, f"no chart slide of {title}"
    for slide, chart in zip(slides_[2:-1], d.charts, strict=True):
        assert sum(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in slide.shapes) == 1
        text = _texts(slide)
        assert chart.title in text and text.count("Source:") == 1, "the source line once per slide"
        assert "progress.example.org/dash/" in text and "snapshot=" in text
    assert "Sources and method" in _texts(slides_[-1])
    for slide in slides_:
        notes = slide.notes_slide.notes_text_frame.text
        assert len(notes) > 20, "every slide has speaker notes"
        assert "localhost" not in _texts(slide) + notes


def test_chart_notes_hold_the_numbers_behind_the_chart(progressive_deck):
    """The notes list the values the chart was drawn from, e.g. the agents per stage."""
    d, _ = progressive_deck
    overview = next(c for c in d.charts if c.section == "Overview")
    bars = overview.fig.data[0]  # a column per stage: its name in customdata, its agents up
    for stage, agents in zip(bars.customdata, bars.y, strict=True):
        assert f"{stage} · agents: {agents}" in overview.notes


def _pipeline_pictures(d: deck.Deck, data: bytes) -> list[tuple[deck.ChartSlide, BaseShape]]:
    prs = Presentation(io.BytesIO(data))
    return [
        (c, next(s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE))
        for slide, c in zip(list(prs.slides)[2:-1], d.charts, strict=True)
        if c.section == "Therapy pipeline"
    ]


def test_pipeline_grid_is_laid_out_for_the_deck_and_drawn_readable(progressive_deck):
    """The grid is laid out for a deck slide's picture (not the 1920 px presenter slide), its parts
    cover every band once in order, and each is drawn at DECK_MIN_SCALE of its size or more:
    agent names at 15 px (11 pt) or more on the 1280 px slide."""
    from msprogress.charts import pipeline as pipeline_charts

    assert pipeline_charts.DECK.width + 40 == deck.PICTURE_WIDTH
    d, data = progressive_deck
    pictures = _pipeline_pictures(d, data)
    assert pictures
    for chart, picture in pictures:
        assert chart.fig.layout.width == deck.PICTURE_WIDTH
        scale = picture.width / deck.EMU_PX / chart.fig.layout.width
        assert slides.DECK_MIN_SCALE - 0.01 <= scale <= 1.01, (chart.title, scale)
        names = [t for t in chart.fig.data if t.mode == "text"]
        assert names and min(t.textfont.size for t in names) * scale >= 15 - 0.2


def test_a_crowded_pipeline_takes_as_many_deck_slides_as_keep_it_readable(fixture_data, monkeypatch):
    """120 agents at Phase 2 and 40 at Phase 1 (SYNTHETIC names): several slides, each part no
    taller than DECK_MIN_SCALE allows in the room its slide leaves, the bands in order."""
    import streamlit as st

    from msprogress import presenter
    from msprogress.charts import pipeline as pipeline_charts
    from tests.test_pipeline import CROWDED, NO_TRIALS, _synthetic

    monkeypatch.setenv("MSPROGRESS_DATA", str(fixture_data))
    st.cache_data.clear()
    m = _synthetic(CROWDED)

    def grid(stages: tuple[str, ...] | None):
        title = pipeline_charts.grid_title(m, stages)
        return pipeline_charts.pipeline_figure(
            m,
            NO_TRIALS,
            size_by="trials",
            title=title,
            subtitle="s",
            look=pipeline_charts.DECK,
            stages=stages,
        )

    parts = slides._deck_parts(Filters(), m, grid(None))
    assert len(parts) >= 3
    assert [s for p in parts for s in p] == [
        b for b in pipeline_charts.BANDS if b in pipeline_charts.shown_stages(m)
    ]
    for stages in parts:
        fig = grid(stages)
        c = slides.chart_slide("Therapy pipeline", "pipeline", slides.Slide("", fig, (), ""), Filters(), None)
        drawn = presenter.decorate(fig, c.title, "", "", framed=False)
        room = deck.picture_height(c)
        fits = drawn.layout.height * slides.DECK_MIN_SCALE <= room
        assert fits or len(stages) == 1, (stages, drawn.layout.height, room)
    st.cache_data.clear()


def test_no_link_without_a_public_address(fixture_data, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("MSPROGRESS_DATA", str(fixture_data))
    monkeypatch.delenv(slides.PUBLIC_URL_ENV, raising=False)
    st.cache_data.clear()
    assert slides.public_url() is None
    monkeypatch.setenv(slides.PUBLIC_URL_ENV, "http://localhost:8501")
    assert slides.public_url() is None, "a localhost address is dead for whoever receives the deck"
    d = slides.build_deck(Filters())
    assert d.link is None and all(c.link is None for c in d.charts)
    prs = Presentation(io.BytesIO(deck.build(d)))
    assert not any("View it live" in _texts(s) or "http" in _texts(s) for s in prs.slides)
    st.cache_data.clear()


def test_text_boxes_never_overlap_each_other_or_a_picture(progressive_deck):
    _, data = progressive_deck
    for n, slide in enumerate(Presentation(io.BytesIO(data)).slides, start=1):
        boxes = [(s.shape_type == MSO_SHAPE_TYPE.PICTURE, _box(s)) for s in slide.shapes]
        for i, (_, a) in enumerate(boxes):
            assert a[0] >= 0 and a[1] >= 0 and a[2] <= 960.1 and a[3] <= 540.1, f"slide {n}: off the slide"
            for _, b in boxes[i + 1 :]:
                assert not _overlap(a, b), f"slide {n}: boxes {a} and {b} overlap"


def test_a_long_title_shrinks_then_wraps_and_the_picture_moves_down():
    """A title that does not fit two lines at 28 pt is set smaller; its box is as tall as its
    lines, and the picture starts below it."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    long = "Progressive-MS agents by highest trial phase, " * 5
    chart = deck.ChartSlide(
        "Overview", long.strip(), ["one subtitle line"], fig, "Source: X · as of 2025-09-25", "n", None
    )
    short = deck.ChartSlide("Overview", "Agents by phase", [], fig, "Source: X · as of 2025-09-25", "n", None)
    d = deck.Deck(
        "T", "all MS research", ["X: 2025-09-25"], [], "Source: X", [chart, short], [], [], "made", None
    )
    prs = Presentation(io.BytesIO(deck.build(d)))
    tops = []
    for slide in list(prs.slides)[2:4]:
        pic = next(s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE)
        title = next(
            s for s in slide.shapes if s.has_text_frame and s.text_frame.text.startswith(("Prog", "Agents"))
        )
        assert _box(title)[3] <= _box(pic)[1]
        tops.append((_box(pic)[1], title.text_frame.paragraphs[0].runs[0].font.size.pt))
    assert tops[0][0] > tops[1][0] and tops[0][1] < 28 <= tops[1][1]


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found or not shutil.which("pdftotext") or not shutil.which("pdftoppm"):
        pytest.fail("LibreOffice and poppler are not installed: run `make deck-deps` (make test does this)")
    return found


WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def test_rendered_words_stay_inside_their_boxes(progressive_deck, tmp_path):
    """LibreOffice draws the deck (fonts, wrapping and line heights of a real renderer): every
    word lies inside a text box of its slide and none lies on a picture; the pages are saved as
    PNGs to look at."""
    _, data = progressive_deck
    soffice = _soffice()
    pptx = tmp_path / "deck.pptx"
    pptx.write_bytes(data)
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(pptx),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = tmp_path / "deck.pdf"
    subprocess.run(["pdftotext", "-bbox", str(pdf), str(tmp_path / "words.html")], check=True, timeout=60)
    pages = (tmp_path / "words.html").read_text(encoding="utf-8").split("<page ")[1:]
    prs = Presentation(io.BytesIO(data))
    assert len(pages) == len(prs.slides)
    for n, (page, slide) in enumerate(zip(pages, prs.slides, strict=True), start=1):
        texts = [_box(s) for s in slide.shapes if s.has_text_frame]
        pictures = [_box(s) for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        for x0, y0, x1, y1, word in WORD.findall(page):
            w = (float(x0), float(y0) + 1, float(x1), float(y1) - 1)
            inside = any(
                b[0] - 1 <= w[0] and w[2] <= b[2] + 1 and b[1] - 1 <= w[1] and w[3] <= b[3] + 1 for b in texts
            )
            assert inside, f"slide {n}: {word!r} at {w} is outside every text box (cut or overflowing)"
            assert not any(_overlap(w, p) for p in pictures), f"slide {n}: {word!r} is drawn on a picture"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", "72", "-png", str(pdf), str(ARTIFACTS / "slide")], check=True, timeout=120
    )
    assert len(list(ARTIFACTS.glob("slide-*.png"))) >= len(prs.slides)
