"""What changed in a real browser, offline, on a server holding the two snapshots of tests/pair_cut.py:
both charts draw, the window switch lands in the URL, and the link to the pipeline rings the agents
that moved. Screenshots are kept for review."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from msprogress.localserver import serve
from tests.browser.conftest import ARTIFACTS, screenshot, wait_for_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pair_server(pair_data: Path) -> Iterator[str]:
    with serve(pair_data) as url:
        yield url


def test_changed_page_and_its_pipeline_link(pair_server, offline_page):
    page = offline_page
    page.goto(pair_server + "/changed")
    wait_for_app(page)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2")
    assert page.locator("[data-testid=stException]").count() == 0
    charts = page.locator(".js-plotly-plot")
    assert "registry activity in the 12 months to 2025-09-25" in charts.nth(0).inner_text()
    assert "What changed since the data built" in charts.nth(1).inner_text()
    assert page.get_by_text("Member grants is only in this snapshot").count() >= 1
    assert screenshot(page, "changed").stat().st_size > 10_000
    charts.nth(0).screenshot(path=str(ARTIFACTS / "changed-activity-chart.png"))

    page.locator("[data-testid=stButtonGroup] button", has_text="3 months").first.click()
    page.wait_for_function("() => location.search.includes('window=3')")
    page.wait_for_function(
        "() => document.querySelector('.js-plotly-plot').innerText.includes('3 months to 2025-09-25')"
    )

    page.get_by_text("moved or new agents ringed on the Therapy pipeline").click()
    page.wait_for_function(
        "() => location.pathname.endsWith('/pipeline') && location.search.includes('highlight')"
    )
    wait_for_app(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].some("
        "p => (p.data || []).some(t => t.meta === 'pipeline-highlight' && t.customdata.length === 2))"
    )
    assert page.locator("[data-testid=stException]").count() == 0
    assert screenshot(page, "changed-pipeline-highlight").stat().st_size > 10_000
