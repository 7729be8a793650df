"""The therapy-pipeline page in a real browser, offline: the grid draws and the non-drug switch
adds markers and lands in the URL; at 1440 × 900 (sidebar open) no agent name is cut or drawn
over another name or a marker; in presenter mode at 1920 × 1080 every text of the grid and the
timeline is 20 px or more and every figure fits a slide. Screenshots are kept for review."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, offline_context_page, screenshot, wait_for_app

pytestmark = pytest.mark.browser

SLIDE_FIGURE_PX = 860  # a 1920 × 1080 slide, less the page title and the slide bar

# Boxes of the grid's labels and markers, in page px (the first chart is the grid).
BOXES_JS = """
() => {
  const plot = document.querySelector('.js-plotly-plot');
  const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const svg = plot.querySelector('svg.main-svg').getBoundingClientRect();
  return {
    labels: [...plot.querySelectorAll('.scatterlayer .textpoint text')].map((t) => [t.textContent, ...box(t)]),
    markers: [...plot.querySelectorAll('.scatterlayer path.point')].map(box),
    right: svg.right,
  };
}
"""
# Every text the charts draw, with its computed size (tspans inherit or set their own).
SIZES_JS = """
() => [...document.querySelectorAll('.js-plotly-plot')].map((plot) => ({
  height: plot.getBoundingClientRect().height,
  texts: [...plot.querySelectorAll('svg text')]
    .filter((t) => (t.textContent || '').trim() && t.getBoundingClientRect().width > 0)
    .map((t) => [t.textContent, parseFloat(getComputedStyle(t).fontSize),
                 Math.min(...[...t.querySelectorAll('tspan')].map((s) => parseFloat(getComputedStyle(s).fontSize)))]),
}))
"""


def _grid_markers(page) -> int:
    return page.locator(".js-plotly-plot").first.locator(".scatterlayer path.point").count()


def _overlap(a: list[float], b: list[float], slack: float = 0.5) -> bool:
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


def test_pipeline_grid_and_nondrug_switch(server, offline_page):
    page = offline_page
    page.goto(server + "/pipeline")
    wait_for_app(page)
    assert page.locator("[data-testid=stException]").count() == 0
    assert "agents in progressive-MS trials" in page.locator(".js-plotly-plot").first.inner_text()
    before = _grid_markers(page)
    assert before > 50  # the shipped snapshot has over a hundred agents

    page.get_by_text("Non-drug interventions").click()
    page.wait_for_function(
        "(b) => document.querySelector('.js-plotly-plot').querySelectorAll('.scatterlayer path.point').length > b",
        arg=before,
    )
    wait_for_app(page)
    assert _grid_markers(page) > before
    page.wait_for_function("() => location.search.includes('nondrug=1')")
    assert "Not phased" in page.locator(".js-plotly-plot").first.inner_text()
    assert screenshot(page, "pipeline").stat().st_size > 10_000


@pytest.mark.parametrize("query", ["", "?nondrug=1&support=1&size=enrollment&highlight=tolebrutinib"])
def test_no_agent_name_is_cut_or_drawn_over_at_1440(server, browser, query):
    with offline_context_page(browser, 1440, 900) as page:
        page.goto(server + "/pipeline" + query)
        wait_for_app(page)
        found = page.evaluate(BOXES_JS)
        labels, markers = found["labels"], found["markers"]
        assert len(labels) > 50 and len(markers) >= len(labels)
        assert not [t for t, *_ in labels if "…" in t or "..." in t]
        crowded = [(t, *a) for t, *a in labels for m in markers if _overlap(a, m)]
        assert crowded == [], crowded[:3]
        assert max(a[2] for _, *a in labels) <= found["right"]
        for (text, *a), (other, *b) in ((x, y) for i, x in enumerate(labels) for y in labels[i + 1 :]):
            assert not _overlap(a, b), (text, other)
        page.locator(".js-plotly-plot").first.screenshot(path=str(ARTIFACTS / "pipeline-grid-1440.png"))


def test_presenter_slides_have_hall_sized_text_and_fit_the_screen(server, browser):
    with offline_context_page(browser, 1920, 1080) as page:
        page.goto(server + "/pipeline?present=1&nondrug=1&highlight=ocrelizumab")
        wait_for_app(page)
        charts = page.evaluate(SIZES_JS)
        assert len(charts) >= 2  # the grid (one or more slides) and the timeline
        for chart in charts:
            assert chart["height"] <= SLIDE_FIGURE_PX, chart["height"]
            # NOTE: the source footer is the presenter's own (presenter.FOOTER_FONT, the deck's scope)
            small = [(t[:30], s, inner) for t, s, inner in chart["texts"] if not t.startswith("Source:")]
            small = [x for x in small if x[1] < 20 or (x[2] is not None and x[2] < 20)]
            assert small == [], small[:5]
        found = page.evaluate(BOXES_JS)
        for (text, *a), (other, *b) in (
            (x, y) for i, x in enumerate(found["labels"]) for y in found["labels"][i + 1 :]
        ):
            assert not _overlap(a, b), (text, other)
        page.locator(".js-plotly-plot").first.screenshot(path=str(ARTIFACTS / "pipeline-grid-slide.png"))
