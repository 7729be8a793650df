"""Presenter mode in a real browser at 1920×1080, offline: no sidebar, hall-sized type, and the
right-arrow key goes to the next page with presenter mode and filters kept."""

from __future__ import annotations

import pytest

from tests.browser.conftest import offline_context_page, screenshot, wait_for_app

pytestmark = pytest.mark.browser

FONT_JS = """(sel) => {
  const el = document.querySelector(sel);
  return el ? parseFloat(getComputedStyle(el).fontSize) : 0;
}"""
# the smallest type among a chart's subtitle lines (plotly draws an annotation's lines as tspans)
SUBTITLE_JS = """(words) => {
  const notes = [...document.querySelectorAll('.js-plotly-plot .annotation-text')]
    .filter((t) => (t.textContent || '').includes(words));
  return notes.length ? Math.min(...notes.map((t) => parseFloat(getComputedStyle(t).fontSize))) : 0;
}"""


@pytest.fixture()
def hall_page(browser):
    """A 1920×1080 page (a projector) whose non-localhost requests fail the test."""
    with offline_context_page(browser, 1920, 1080) as page:
        yield page


def _check_slide(page, name: str) -> None:
    wait_for_app(page)
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.get_by_text("Page not found").count() == 0, "a slide must not open behind a dialog"
    assert not page.locator("[data-testid=stSidebar]").first.is_visible()
    assert (
        page.locator("[data-testid=stHeader]").count() == 0
        or not page.locator("[data-testid=stHeader]").first.is_visible()
    )
    assert page.evaluate(FONT_JS, "[data-testid=stMarkdownContainer] p") >= 24
    assert page.evaluate(FONT_JS, "h1") >= 32
    footer = page.locator(".js-plotly-plot .annotation-text", has_text="as of")
    assert footer.count() >= 1, "the chart carries its source/as-of footer"
    assert page.evaluate(FONT_JS, ".js-plotly-plot .gtitle") >= 32, "chart titles as large as page titles"
    assert page.evaluate(SUBTITLE_JS, "progressive-specific research only") >= 22, "subtitle in body type"
    assert screenshot(page, f"presenter-{name}").stat().st_size > 10_000


def test_presenter_slides(server, hall_page):
    page = hall_page
    page.goto(server + "/?present=1&relevance=progressive")
    _check_slide(page, "overview")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => location.pathname.endsWith('/map') && location.search.includes('present=1')", timeout=60_000
    )
    assert "relevance=progressive" in page.url
    _check_slide(page, "map")
    page.goto(server + "/funding?present=1&relevance=progressive")
    _check_slide(page, "funding")


def test_presenter_tables_and_one_click_deck(server, hall_page, tmp_path):
    """Tables on a slide are hall-sized; one click in the slide bar downloads a 16:9 deck with a
    slide per chart of the view, each with its title, and the sources slide."""
    import io

    from pptx import Presentation

    page = hall_page
    page.goto(server + "/funding?present=1&relevance=progressive&currency=EUR")
    wait_for_app(page)
    assert page.evaluate(FONT_JS, "[data-testid=stTable] td") >= 24
    charts = page.locator(".js-plotly-plot").count()
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="Download slides").click()
    path = tmp_path / "deck.pptx"
    info.value.save_as(path)
    prs = Presentation(io.BytesIO(path.read_bytes()))
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.01
    slides = list(prs.slides)
    assert len(slides) == charts + 1
    first = " ".join(s.text_frame.text for s in slides[0].shapes if s.has_text_frame)
    assert "NIH NINDS spent" in first and "on progressive-specific MS research in FY2004" in first
    assert "present=1" in first and "as of" in first
    assert sum(s.shape_type == 13 for s in slides[0].shapes) == 1
    closing = " ".join(s.text_frame.text for s in slides[-1].shapes if s.has_text_frame)
    assert "sources" in closing.lower() and "snapshot" in closing.lower()
