"""Presenter mode on every page, and the slide-ready exports (PNG, SVG, PowerPoint), offline."""

from __future__ import annotations

import json
import struct

import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from msprogress import export_images, presenter
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
    assert "Exit" in labels
    figs = _figures(at)
    if page in CHART_PAGES:
        assert figs, f"no chart drawn on {page}"
    for spec in figs:
        layout = spec["layout"]
        titles = [a for a in layout.get("annotations", []) if a.get("name") == "presenter_title"]
        assert len(titles) == 1 and titles[0]["text"], "every chart has a title"
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
    assert not any(b.key == "present_exit" for b in at.button)
    spec = _figures(at)[0]["layout"]
    assert not any(a.get("name") == "presenter_footer" for a in spec.get("annotations", []))


def _links(at: AppTest) -> list[tuple[str, str]]:
    return [(e.proto.label, e.proto.query_string) for e in at.get("page_link")]


def _slide_label(at: AppTest) -> str:
    """The slide bar's 'Overview · 2 / 4'."""
    return next(m.value for m in at.markdown if " / " in m.value and m.value.startswith("**"))


def test_slides_step_through_a_page_then_on_to_the_next(app_env):
    """→ shows the page's next slide (the slide number in the URL), and from its last slide the
    next page's first; ← from a first slide goes to the previous page's last slide. The arrow
    keys press these controls (checked in the browser test)."""
    first = _app({"present": "1", "relevance": "progressive"}, "overview")
    assert _slide_label(first).endswith("· 1 / 1"), _slide_label(first)  # the Overview is one slide
    assert [label for label, _ in _links(first)] == ["World map ▶"]
    at = _app({"present": "1", "relevance": "progressive"}, "map")
    assert _slide_label(at).endswith("· 1 / 4"), _slide_label(at)
    assert [label for label, _ in _links(at)] == ["◀ Overview"], "slide 1 of 4: → is the next slide"
    at.button(key="slide_next").click().run()
    assert at.query_params.get("slide") == "2" and _slide_label(at).endswith("· 2 / 4")
    at.query_params["slide"] = "4"
    at.run()
    links = _links(at)
    assert [label for label, _ in links] == ["Funding over time ▶"]
    assert "present=1" in links[0][1] and "relevance=progressive" in links[0][1]
    last = _app({"present": "1"}, "about")
    prev = _links(last)
    assert [label for label, _ in prev] == ["◀ Explore records"] and "slide=last" in prev[0][1]
    next(b for b in last.button if b.key == "present_exit").click().run()
    assert not last.exception
    assert "present" not in last.query_params and "slide" not in last.query_params
    assert '[data-testid="stSidebar"]' not in _css(last)
    assert not _links(last)


def test_only_the_slide_in_the_url_is_shown(app_env):
    """Every slide is drawn (their widgets keep state), the stylesheet hides all but one."""
    at = _app({"present": "1", "slide": "3"}, "funding")
    assert '[class*="st-key-msp_hidden_slide_"] { display: none' in _css(at)
    keys = [
        str(b.proto.id).rsplit("-", 1)[-1] for b in at.main.children.values() if b.type == "flex_container"
    ]
    assert "msp_slide_3" in keys and {f"msp_hidden_slide_{i}" for i in (1, 2, 4)} <= set(keys), keys


@pytest.mark.parametrize(
    "value,shown,notice",
    [
        ("abc", 1, "not a slide number"),
        ("0", 1, "not a slide number"),
        ("99", 4, "this page has 4 slides"),
        ("last", 4, ""),
    ],
)
def test_a_bad_or_open_slide_value_is_ignored_with_a_notice(app_env, value, shown, notice):
    at = _app({"present": "1", "slide": value}, "map")
    assert not at.exception, at.exception
    assert _slide_label(at).endswith(f"· {shown} / 4")
    infos = " ".join(i.value for i in at.info)
    assert (notice in infos) if notice else "slide" not in infos


def test_a_slide_value_outside_presenter_mode_is_dropped(app_env):
    at = _app({"slide": "2"}, "funding")
    assert not at.exception and "slide" not in at.query_params
    assert not any("Ignored unknown" in i.value for i in at.info)


def _fig() -> go.Figure:
    fig = go.Figure(go.Bar(x=["Phase 2", "Phase 3"], y=[4, 2]))
    fig.update_layout(title="Agents by stage", height=400)
    return presenter.decorate(fig, "test", "all MS research", "Source: Registry (as of 2025-09-25).")


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_decorate_adds_subtitle_footer_and_height():
    fig = _fig()
    assert presenter.note_of(fig, "presenter_title") == "Agents by stage" and not fig.layout.title.text
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
    title = next(a for a in out.layout.annotations if a.name == "presenter_title")
    assert title.font.size == presenter.TITLE_FONT >= 32
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
    assert out["title"][1].endswith("…"), "a row is one line: long text is cut, visibly"
    cut = [len(out[c][1].replace("\\", "")) for c in out.columns]
    assert sum(cut) <= presenter.ROW_CHARS
    assert len(presenter.slide_table(pd.concat([df] * 10), config, rows=12)) == 12
    wide = pd.DataFrame({f"c{i}": ["v"] for i in range(20)})
    assert len(presenter.slide_table(wide, {}, rows=12).columns) == presenter.MAX_COLUMNS


def test_column_caps_keep_short_columns_and_share_the_rest():
    assert presenter.column_caps([4, 10, 80, 60], budget=100) == [4, 10, 43, 43]
    assert presenter.column_caps([4, 10], budget=100) == [4, 10]
    assert sum(presenter.column_caps([200] * 6, budget=120)) <= 120


def _text_sizes(fig: go.Figure) -> list[tuple[str, float]]:
    """Every text of a figure with the size it is drawn at (plotly's inheritance resolved)."""
    lay = fig.layout
    base = lay.font.size or 12
    sizes = [("title", lay.title.font.size or base)] if lay.title.text else []
    for key in [k for k in lay.to_plotly_json() if k.startswith(("xaxis", "yaxis", "legend"))]:
        part = lay[key]
        if key.startswith("legend"):
            sizes += [
                (key, part.font.size or base),
                (key + " title", part.title.font.size or part.font.size or base),
            ]
        else:
            sizes += [
                (key + " ticks", part.tickfont.size or base),
                (key + " title", part.title.font.size or base),
            ]
    sizes += [(f"note {a.text[:20]}", a.font.size or base) for a in lay.annotations]
    for t in fig.data:
        if "textfont" in t and (t.text is not None or getattr(t, "texttemplate", None)):
            sizes.append((f"{t.type} text", t.textfont.size or base))
        if "colorbar" in t and t.showscale is not False:
            sizes.append(("colour bar", t.colorbar.tickfont.size or base))
    return sizes


def test_every_text_of_every_deck_chart_is_hall_sized(app_env):
    """Each chart of every dashboard page (the deck's registry: the pages' own builders), in its
    export look: no text under MIN_FONT px, the title wrapped to the figure's width."""
    from msprogress import slides, textfit
    from msprogress.filters import Filters

    for f in (Filters(), Filters(relevance="progressive")):
        for _, maker in slides.MAKERS.values():
            for s in maker(f):
                out = presenter.decorate(s.fig, s.name, "all MS research", "Source: X · as of 2025-09-25")
                small = [(what, size) for what, size in _text_sizes(out) if size < presenter.MIN_FONT]
                assert not small, f"{s.name}: {small}"
                title = next(a for a in out.layout.annotations if a.name == "presenter_title")
                for line in str(title.text).split("<br>"):
                    assert textfit.width(line, presenter.TITLE_FONT) <= presenter.FIGURE_WIDTH, s.name


def test_a_long_title_wraps_and_the_plot_moves_down():
    fig = go.Figure(go.Bar(x=["a"], y=[1]))
    short = presenter.decorate(fig.update_layout(title="Agents by stage"), "x", "", "Source: S")
    long_title = "NINDS spent €31M on MS research in FY2001, 4.1% of its budget, " * 3
    long = presenter.decorate(go.Figure(fig).update_layout(title=long_title), "x", "", "Source: S")

    def title(fig: go.Figure) -> str:
        return str(next(a for a in fig.layout.annotations if a.name == "presenter_title").text)

    assert title(long).count("<br>") >= 1 and "<br>" not in title(short)
    assert long.layout.margin.t > short.layout.margin.t
    assert long.layout.height - long.layout.margin.t == short.layout.height - short.layout.margin.t


def test_plural():
    from msprogress import style

    assert style.plural(1, "trial") == "1 trial" and style.plural(2, "trial") == "2 trials"
    assert style.plural(1204, "row") == "1,204 rows" and style.plural(0, "slide") == "0 slides"
    assert style.plural(1, "row or value", "rows or values") == "1 row or value"


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
