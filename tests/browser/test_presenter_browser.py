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


@pytest.fixture()
def hall_page(browser):
    """A 1920×1080 page (a projector) whose non-localhost requests fail the test."""
    with offline_context_page(browser, 1920, 1080) as page:
        yield page


def _check_slide(page, name: str) -> None:
    wait_for_app(page)
    assert page.locator("[data-testid=stException]").count() == 0
    assert not page.locator("[data-testid=stSidebar]").first.is_visible()
    assert (
        page.locator("[data-testid=stHeader]").count() == 0
        or not page.locator("[data-testid=stHeader]").first.is_visible()
    )
    assert page.evaluate(FONT_JS, "[data-testid=stMarkdownContainer] p") >= 24
    assert page.evaluate(FONT_JS, "h1") >= 32
    footer = page.locator(".js-plotly-plot .annotation-text", has_text="as of")
    assert footer.count() >= 1, "the chart carries its source/as-of footer"
    assert screenshot(page, f"presenter-{name}").stat().st_size > 10_000


def test_presenter_slides(server, hall_page):
    page = hall_page
    page.goto(server + "/overview?present=1&relevance=progressive")
    _check_slide(page, "overview")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => location.pathname.endsWith('/map') && location.search.includes('present=1')", timeout=60_000
    )
    assert "relevance=progressive" in page.url
    _check_slide(page, "map")
    page.goto(server + "/funding?present=1&relevance=progressive")
    _check_slide(page, "funding")
