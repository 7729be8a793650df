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


LARGEST_JS = """() => Math.max(0, ...[...document.querySelectorAll('.js-plotly-plot .annotation-text')]
  .filter((t) => t.getBoundingClientRect().width > 0).map((t) => parseFloat(getComputedStyle(t).fontSize)))"""


@pytest.fixture()
def hall_page(browser):
    """A 1920×1080 page (a projector) whose non-localhost requests fail the test."""
    with offline_context_page(browser, 1920, 1080) as page:
        yield page


def _check_slide(page, name: str, charts: int = 1) -> None:
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
    assert page.evaluate(LARGEST_JS) >= 32, "chart titles as large as page titles"
    assert page.evaluate(SUBTITLE_JS, "progressive-specific research only") >= 22, "subtitle in body type"
    # one click away on a chart slide; several charts' images behind one button
    labels = ("PNG", "SVG") if charts == 1 else (f"Images ({charts} charts)",)
    for label in (*labels, "Download slides"):
        assert page.locator(".st-key-msp_slidebar").get_by_role("button", name=label).count() == 1, label
    assert screenshot(page, f"presenter-{name}").stat().st_size > 10_000


def _slide_label(page) -> str:
    return (
        page.locator(".st-key-msp_slidenumber [data-testid=stMarkdownContainer]").first.inner_text().strip()
    )


def test_presenter_slides(server, hall_page):
    """→ from a page's last slide opens the next page's first; ← from there goes back to the
    previous page's last slide; presenter mode and filters travel along."""
    page = hall_page
    page.goto(server + "/?present=1&relevance=progressive")
    _check_slide(page, "overview", charts=3)
    page.goto(server + "/?present=1&relevance=progressive&slide=last")
    page.wait_for_function("() => location.search.includes('slide=')", timeout=60_000)
    wait_for_app(page, ".st-key-msp_slidebar")
    last = _slide_label(page)
    n = last.split(" / ")[-1]
    assert last.endswith(f"{n} / {n}"), last
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => location.pathname.endsWith('/map') && location.search.includes('present=1')", timeout=60_000
    )
    assert "relevance=progressive" in page.url
    _check_slide(page, "map")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => !location.pathname.endsWith('/map')", timeout=60_000)
    wait_for_app(page, ".st-key-msp_slidebar")
    page.wait_for_function(
        "(l) => (document.querySelector('.st-key-msp_slidenumber [data-testid=stMarkdownContainer]') || {}).innerText.trim() === l",
        arg=last,
        timeout=60_000,
    )
    page.goto(server + "/funding?present=1&relevance=progressive")
    _check_slide(page, "funding")


def test_presenter_tables_and_one_click_deck(server, hall_page, tmp_path):
    """Tables on a slide are hall-sized; one click in the slide bar downloads a 16:9 deck of
    every dashboard page for the filters: title, headline figures, the charts, the sources, no
    localhost link (this server has no public address)."""
    import io

    from pptx import Presentation

    page = hall_page
    page.goto(server + "/funding?present=1&relevance=progressive&currency=EUR&slide=2")
    wait_for_app(page, "[data-testid=stTable]")
    assert page.evaluate(FONT_JS, "[data-testid=stTable] td") >= 20
    with page.expect_download(timeout=180_000) as info:
        page.locator(".st-key-msp_slidebar").get_by_role("button", name="Download slides").click()
    path = tmp_path / "deck.pptx"
    info.value.save_as(path)
    prs = Presentation(io.BytesIO(path.read_bytes()))
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.01
    texts = [" ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in prs.slides]
    assert "progressive-specific research only" in texts[0] and "Headline figures" in texts[1]
    for section in ("Overview", "World map", "Funding over time", "Therapy pipeline"):
        assert any(t.startswith(section) for t in texts[2:-1]), f"no chart of {section}"
    assert any("NIH NINDS spent" in t and "progressive-specific MS research in FY2004" in t for t in texts)
    assert "Sources and method" in texts[-1]
    assert not any("localhost" in t for t in texts)
