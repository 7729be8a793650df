"""Real-browser tests against a real server on the shipped snapshot (offline)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from msprogress.filters import Filters
from tests.browser.conftest import offline_context_page, screenshot, wait_for_app

pytestmark = pytest.mark.browser


def _metric(page, label: str, part: str = "stMetricValue") -> str:
    box = page.locator("[data-testid=stMetric]", has_text=label).first
    return box.locator(f"[data-testid={part}]").inner_text()


def _main_height(page) -> int:
    """How tall the page's content is (Streamlit scrolls inside its main container)."""
    return int(page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight"))


def test_overview_renders_offline(server, offline_page, shipped_db):
    page = offline_page
    page.goto(server + "/")
    wait_for_app(page)
    assert page.locator("[data-testid=stException]").count() == 0
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 3", timeout=120_000)
    counts = shipped_db.run("headline_trials", Filters().as_struct()).iloc[0]
    assert _metric(page, "Progressive-MS trials") == f"{counts.progressive_trials:,}"
    assert _metric(page, "Progressive-MS trials", "stMetricDelta") == f"of {counts.trials:,} MS trials"
    assert screenshot(page, "overview").stat().st_size > 10_000


def test_filter_change_updates_figures_and_url(server, offline_page):
    """'Progressive-specific only': the all-MS context goes, the URL says so, a copied link reopens it."""
    page = offline_page
    page.goto(server + "/")
    wait_for_app(page)
    assert _metric(page, "Progressive-MS trials", "stMetricDelta").startswith("of ")
    page.get_by_text("Progressive-specific only").click()
    page.wait_for_function("() => location.search.includes('relevance=progressive')")
    no_context = """() => ![...document.querySelectorAll('[data-testid=stMetric]')]
        .find((m) => m.innerText.startsWith('Progressive-MS trials')).querySelector('[data-testid=stMetricDelta]')"""
    page.wait_for_function(no_context, timeout=60_000)
    copied = page.url

    fresh = page.context.new_page()
    fresh.goto(copied)
    wait_for_app(fresh)
    assert (
        fresh.locator("[data-testid=stMetric]", has_text="Progressive-MS trials")
        .locator("[data-testid=stMetricDelta]")
        .count()
        == 0
    )
    assert fresh.get_by_role("radio", name="Progressive-specific only").is_checked()
    screenshot(fresh, "overview-progressive")


def test_overview_panel_links_keep_the_filters(server, offline_page):
    page = offline_page
    page.goto(server + "/?relevance=progressive&country=ITA")
    wait_for_app(page)
    page.get_by_role("link", name="World map →").click()
    page.wait_for_function("() => location.pathname.endsWith('/map')", timeout=60_000)
    wait_for_app(page)
    query = parse_qs(urlsplit(page.url).query)
    assert query["relevance"] == ["progressive"] and query["country"] == ["ITA"]
    assert query.get("metric", ["progressive"]) == ["progressive"]  # the map's default is left out of its URL
    assert page.locator("[data-testid=stException]").count() == 0


@pytest.mark.xfail(
    strict=True,
    reason="the slide also holds page.py's source lines and figure footers and app.py's slide bar: "
    "the Overview fits once those are the one-line forms of the DECK scope (issue 12 points 1, 5)",
)
def test_overview_is_one_slide_at_1920(server, browser):
    with offline_context_page(browser, 1920, 1080) as page:
        page.goto(server + "/?present=1")
        wait_for_app(page)
        page.wait_for_function(
            "() => document.querySelectorAll('.js-plotly-plot').length >= 3", timeout=120_000
        )
        screenshot(page, "overview-1920-presenter")
        assert _main_height(page) <= 1080


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_overview_screenshots_at_1440(server, browser, theme):
    with offline_context_page(browser, 1440, 900) as page:
        page.emulate_media(color_scheme=theme)
        page.goto(server + "/")
        wait_for_app(page)
        page.wait_for_function(
            "() => document.querySelectorAll('.js-plotly-plot').length >= 3", timeout=120_000
        )
        assert page.locator("[data-testid=stException]").count() == 0
        screenshot(page, f"overview-1440-{theme}")


@pytest.mark.parametrize("path", ["/pipeline?pop=ppms", "/funding?currency=USD", "/map"])
def test_shared_link_works_on_a_fresh_server(fresh_server, offline_page, path):
    """The first visit after a restart is a deep link: it must get the app's navigation and
    sidebar, not Streamlit's legacy page-folder fallback."""
    page = offline_page
    page.goto(fresh_server + path)
    wait_for_app(page)
    assert page.locator("[data-testid=stException]").count() == 0
    nav = page.locator("[data-testid=stSidebarNav]").inner_text()
    assert "Therapy pipeline" in nav and "About the data" in nav  # titles from app.py, not file names
    assert page.get_by_text("Filters").count() >= 1
    assert path.split("?")[0] in page.url


def test_markup_in_a_link_stays_text(server, offline_page):
    """A tampered link with a Markdown image in the search and a Markdown link in a filter: the
    page shows both as typed text; no image, no link, no request leaves localhost (the fixture
    fails the test on any)."""
    page = offline_page
    page.goto(server + "/?q=![x](http://evil.example/p.png)&gap=[click](http://evil.example/go)")
    wait_for_app(page, "[data-testid=stAlertContainer]")
    assert page.locator("[data-testid=stException]").count() == 0
    # NOTE: the Overview's links to other pages carry the search in their query (same filters),
    # so an href may hold the text; what must not exist is an image from, or a link to, the host.
    to_host = ", ".join(
        f"{tag}[{attr}^='{scheme}evil.example']"
        for tag, attr in (("img", "src"), ("a", "href"))
        for scheme in ("http://", "https://", "//")
    )
    assert page.locator(to_host).count() == 0
    assert page.locator("img[src*='evil.example']").count() == 0
    assert page.get_by_text("![x](http://evil.example/p.png)", exact=False).count() >= 1
    assert page.get_by_text("[click](http://evil.example/go)", exact=False).count() >= 1
