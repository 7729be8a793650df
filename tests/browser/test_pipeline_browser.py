"""The therapy-pipeline page in a real browser, offline: the grid draws, the non-drug switch
adds markers and lands in the URL, and a screenshot is kept for review."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, screenshot, wait_for_app

pytestmark = pytest.mark.browser


def _grid_markers(page) -> int:
    return page.locator(".js-plotly-plot").first.locator(".scatterlayer path.point").count()


def test_pipeline_grid_and_nondrug_switch(server, offline_page):
    page = offline_page
    page.goto(server + "/pipeline")
    wait_for_app(page)
    assert page.locator("[data-testid=stException]").count() == 0
    assert "Progressive-MS therapy pipeline" in page.locator(".js-plotly-plot").first.inner_text()
    before = _grid_markers(page)
    assert before > 50  # the shipped snapshot has over a hundred agents

    page.get_by_text("Non-drug interventions").click()
    page.wait_for_function(
        "(b) => document.querySelector('.js-plotly-plot').querySelectorAll('.scatterlayer path.point').length > b",
        arg=before,
    )
    wait_for_app(page)
    after = _grid_markers(page)
    assert after > before
    page.wait_for_function("() => location.search.includes('nondrug=1')")
    assert "Not phased" in page.locator(".js-plotly-plot").first.inner_text()

    assert screenshot(page, "pipeline").stat().st_size > 10_000
    page.locator(".js-plotly-plot").first.screenshot(path=str(ARTIFACTS / "pipeline-chart.png"))
