"""Presenter mode on every page, and the slide-ready exports (PNG, SVG, PowerPoint), offline."""

from __future__ import annotations

import io
import json
import struct

import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from msprogress import deck, export_images, presenter
from tests.test_pages import PAGES, _app

CHART_PAGES = ("about", "funding", "map", "overview", "pipeline")


def _figures(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _css(at: AppTest) -> str:
    return " ".join(h.proto.body for h in at.get("html"))


@pytest.mark.parametrize("page", PAGES)
def test_presenter_mode_renders_every_page(app_env, page):
    at = _app({"present": "1", "relevance": "progressive"}, page)
    assert not at.exception, at.exception
    assert '[data-testid="stSidebar"]' in _css(at), "presenter stylesheet missing"
    assert at.query_params.get("present") == "1", "presenter mode must stay in the URL"
    labels = [b.label for b in at.button]
    assert "Exit presenter mode" in labels
    figs = _figures(at)
    if page in CHART_PAGES:
        assert figs, f"no chart drawn on {page}"
    for spec in figs:
        layout = spec["layout"]
        assert layout["title"]["text"], "every chart has a title"
        notes = {a.get("name"): a["text"] for a in layout.get("annotations", [])}
        if page != "about":  # the coverage grid is not filtered
            assert "progressive-specific research only" in notes["presenter_subtitle"].replace("<br>", " ")
        footers = [a for a in layout.get("annotations", []) if a.get("name") == "presenter_footer"]
        assert len(footers) == 1 and "as of" in footers[0]["text"] and "Source:" in footers[0]["text"]
        assert layout["paper_bgcolor"] == "white" and layout["font"]["size"] >= 20


def test_presenter_mode_off_by_default_has_downloads(app_env):
    at = _app({}, "funding")
    assert not at.exception
    assert '[data-testid="stSidebar"]' not in _css(at)
    assert not any(b.label == "Exit presenter mode" for b in at.button)
    spec = _figures(at)[0]["layout"]
    assert not any(a.get("name") == "presenter_footer" for a in spec.get("annotations", []))


def _links(at: AppTest) -> list[tuple[str, str]]:
    return [(e.proto.label, e.proto.query_string) for e in at.get("page_link")]


def test_slide_links_and_exit(app_env):
    """Previous/next links go along the navigation and keep presenter mode and the filters (the
    arrow keys are checked in the browser test); exit brings the sidebar back."""
    first = _app({"present": "1", "relevance": "progressive"}, "overview")
    links = _links(first)
    assert len(links) == 1 and links[0][0] == "World map ▶"
    assert "present=1" in links[0][1] and "relevance=progressive" in links[0][1]
    last = _app({"present": "1"}, "about")
    assert [label for label, _ in _links(last)] == ["◀ Explore records"]
    next(b for b in last.button if b.key == "present_exit").click().run()
    assert not last.exception
    assert "present" not in last.query_params
    assert '[data-testid="stSidebar"]' not in _css(last)
    assert not _links(last)


def _fig() -> go.Figure:
    fig = go.Figure(go.Bar(x=["Phase 2", "Phase 3"], y=[4, 2]))
    fig.update_layout(title="Agents by stage", height=400)
    return presenter.decorate(fig, "test", "all MS research", "Source: Registry (as of 2025-09-25).")


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_decorate_adds_subtitle_footer_and_height():
    fig = _fig()
    assert fig.layout.title.text == "Agents by stage"
    subtitle = next(a for a in fig.layout.annotations if a.name == "presenter_subtitle")
    assert subtitle.text == "Filters: all MS research"
    assert presenter.footer_of(fig) == "Source: Registry (as of 2025-09-25)."
    assert fig.layout.height > 400  # room for the footer, the plot is not squeezed


def test_png_is_twice_the_layout_size_and_svg_has_the_title():
    fig = _fig()
    width, height = _png_size(export_images.png(fig))
    assert width == 2 * export_images.EXPORT_WIDTH
    assert height == 2 * fig.layout.height
    svg = export_images.svg(fig).decode()
    assert "Agents by stage" in svg and "as of 2025-09-25" in svg and "all MS research" in svg


def test_map_export_works_offline():
    """The test environment has no network: the world geometry must come from static/topojson."""
    fig = go.Figure(go.Choropleth(locations=["FRA", "USA", "BRA"], z=[1, 5, 3], locationmode="ISO-3"))
    fig.update_layout(title="Trials by country", height=500)
    fig = presenter.decorate(fig, "map", "all MS research", "Source: Registry (as of 2025-09-25).")
    width, _ = _png_size(export_images.png(fig))
    assert width == 2 * export_images.EXPORT_WIDTH
    assert export_images.png(fig) != export_images.png(go.Figure(layout=fig.layout))  # countries drawn


def test_deck_has_a_slide_per_chart_and_a_sources_slide():
    from pptx import Presentation

    charts = [deck.Chart("a", _fig()), deck.Chart("b", _fig())]
    data = deck.build(charts, ["Registry (as of 2025-09-25)"], "http://localhost/funding?present=1")
    prs = Presentation(io.BytesIO(data))
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.01
    slides = list(prs.slides)
    assert len(slides) == 3
    for slide in slides[:2]:
        assert sum(s.shape_type == 13 for s in slide.shapes) == 1  # one picture
        text = " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        assert "Agents by stage" in text and "as of 2025-09-25" in text and "present=1" in text
    closing = " ".join(s.text_frame.text for s in slides[-1].shapes if s.has_text_frame)
    assert "sources" in closing and "Registry (as of 2025-09-25)" in closing


def test_band_labels_stay_in_the_plot_and_subtitle_is_one_readable_size():
    """A label tied to a data x above the plot (the funding chart's "partial coverage" band) is
    not a subtitle; a chart's own <span style='font-size:…'> sizing is dropped so the subtitle
    is set at SUB_FONT."""
    fig = go.Figure(go.Bar(x=[2016, 2017], y=[1, 2]))
    fig.update_layout(title="Money<br><span style='font-size:15px'>progressive only · EUR</span>", height=400)
    fig.add_annotation(x=2016.5, y=1.0, yref="paper", yanchor="bottom", text="partial coverage")
    out = presenter.decorate(fig, "money", "progressive only", "Source: S (as of 2025-09-25).")
    subtitle = next(a for a in out.layout.annotations if a.name == "presenter_subtitle")
    assert subtitle.text == "progressive only · EUR"
    assert subtitle.font.size == presenter.SUB_FONT >= 22
    assert out.layout.title.font.size == presenter.TITLE_FONT >= 32
    band = [a for a in out.layout.annotations if a.text == "partial coverage"]
    assert len(band) == 1 and band[0].xref in (None, "x"), "the band label stays where the chart put it"


def test_slide_table_titles_formats_and_escapes():
    import numpy as np
    import pandas as pd
    import streamlit as st

    df = pd.DataFrame(
        {
            "year": [2016.0, None],
            "amount": [4_200_000.0, float("nan")],
            "title": ["![x](http://example.org/a.png) <b>hi</b>", "x" * 200],
            "agents": [["a", "b"], np.array(["c"])],
            "trial": ["https://clinicaltrials.gov/study/NCT01194570", None],
            "page": ["https://www.progressivemsalliance.org/news", "https://example.org/x"],
            "internal": [1, 2],
        }
    )
    config = {
        "trial": st.column_config.LinkColumn("Trial", display_text=r"(NCT\d+)"),
        "internal": None,
        "page": st.column_config.LinkColumn("Source page"),
        "amount": st.column_config.NumberColumn("Amount (EUR)", format="localized"),
    }
    out = presenter.slide_table(df, config, rows=12)
    # column titles are Markdown too (a table's titles can be a funder's name: escaped like cells)
    assert list(out.columns) == ["year", "Amount \\(EUR\\)", "title", "agents", "Trial", "Source page"]
    assert out["year"].tolist() == ["2016", "—"]  # a year has no thousands separator; missing is "—"
    assert out["Amount \\(EUR\\)"].tolist() == ["4,200,000", "—"]
    assert out["Trial"].tolist() == ["NCT01194570", "—"]
    assert out["Source page"].tolist() == ["progressivemsalliance\\.org", "example\\.org"]
    assert out["agents"].tolist() == ["a, b", "c"]
    # Markdown is escaped: st.table renders cells as Markdown, an image link must stay text
    assert out["title"][0].startswith("\\!\\[x\\]\\(http\u2060\\:")  # no link, not even a bare one
    assert "<b>" not in out["title"][0]
    assert out["title"][1].endswith("…") and len(out["title"][1]) <= presenter.CELL_CHARS
    assert len(presenter.slide_table(pd.concat([df] * 10), config, rows=12)) == 12


@pytest.mark.parametrize("page", PAGES)
def test_presenter_pages_show_static_tables_and_the_deck_button(app_env, page):
    """In presenter mode tables are hall-sized static tables (never the canvas grid, whose type
    the stylesheet cannot enlarge), and the deck download sits in the slide bar (the sidebar is
    hidden)."""
    at = _app({"present": "1", "country_view": "USA"}, page)
    assert not at.exception, at.exception
    assert not at.dataframe, f"{page}: interactive grid in presenter mode"
    if page in ("about", "funding", "map"):
        assert at.table, f"{page}: no table drawn"
    if page == "map":  # the interactive table's column order and titles, not the query's raw columns
        header = list(at.table[0].value.columns)
        assert header[:2] == ["Title", "Registry page"] and "trial_id" not in header, header
    decks = [b for b in at.get("download_button") if b.proto.label.startswith("Download slides")]
    if page in CHART_PAGES:
        assert len(decks) == 1, f"{page}: no deck button in presenter mode"


def test_presenter_captions_do_not_repeat_the_chart_footer(app_env):
    """The figure carries source, as-of date and filters; the caption under it keeps only its
    own note. Off presenter mode the caption is complete."""
    shown = _app({"present": "1"}, "funding")
    plain = _app({}, "funding")

    def sources_lines(at: AppTest) -> int:
        return sum(c.value.startswith("Source:") for c in at.caption)

    assert len(_figures(plain)) == 2  # the funding chart and the MS-share chart, each with a caption
    assert sources_lines(plain) - sources_lines(shown) == 2


def test_export_look_is_made_only_when_shown(app_env, monkeypatch):
    """A normal rerun does not pay for the restyled copy of each figure (measured at ~120 ms on
    the pipeline page at 100x): decorate runs only in presenter mode or for a download."""
    calls: list[str] = []
    real = presenter.decorate

    def counting(fig, name, *args, **kwargs):
        calls.append(name)
        return real(fig, name, *args, **kwargs)

    monkeypatch.setattr(presenter, "decorate", counting)
    at = _app({}, "funding")
    assert not at.exception and _figures(at)
    assert calls == []
    shown = _app({"present": "1"}, "funding")
    assert not shown.exception
    assert calls.count("funding_chart") == 1  # (the first run drew the overview: _app opens it first)
