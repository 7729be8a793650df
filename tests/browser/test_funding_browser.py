"""Funding over time in a real browser, offline: the chart draws, the currency switch changes
the axis, and the view lands in the URL."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser


def _ytitle(page) -> str:
    return page.locator(".js-plotly-plot .ytitle").first.text_content() or ""


def test_funding_currency_switch_changes_the_axis(server, offline_page):
    page = offline_page
    page.goto(server + "/funding")
    wait_for_app(page)
    assert page.locator("[data-testid=stException]").count() == 0
    assert "EUR per year" in _ytitle(page)
    # FY1995 and FY2002 are single missing years: their band label is "not / covered" on two lines
    assert (
        page.locator(".js-plotly-plot .annotation-text", has_text=re.compile(r"not\s*covered")).count() >= 2
    )

    page.locator("[data-testid=stButtonGroup] button", has_text="USD").first.click()
    page.wait_for_function(
        "() => (document.querySelector('.js-plotly-plot .ytitle') || {}).textContent?.includes('USD per year')"
    )
    wait_for_app(page)
    assert "USD per year" in _ytitle(page)
    page.wait_for_function("() => location.search.includes('currency=USD')")
    assert screenshot(page, "funding").stat().st_size > 10_000
