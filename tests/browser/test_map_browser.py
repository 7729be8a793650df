"""World map in a real browser, offline: the three charts draw from local geometry, nothing is
cut at 1440 px, a click on a country zooms the maps and lists its records, both themes have their
own map colours, and on a 1920×1080 presenter slide every chart fits and its text is ≥ 20 px."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from msprogress.localserver import LOCAL_URLS
from tests.browser.conftest import screenshot, settle, wait_for_app

pytestmark = pytest.mark.browser

GEO = ".js-plotly-plot .geo"
# A point on screen that lies on the given country's shape in the choropleth (or null).
FIND_COUNTRY = """(iso3) => {
  for (const p of document.querySelectorAll('.js-plotly-plot path.choroplethlocation')) {
    if (!p.__data__ || p.__data__.loc !== iso3) continue;
    const r = p.getBoundingClientRect();
    for (let i = 1; i < 10; i++) for (let j = 1; j < 10; j++) {
      const x = r.x + r.width * i / 10, y = r.y + r.height * j / 10;
      const local = new DOMPoint(x, y).matrixTransform(p.getScreenCTM().inverse());
      if (p.isPointInFill(local)) return [x, y];
    }
  }
  return null;
}"""
# Labels and buttons whose text is cut (ellipsised or overflowing their box).
CUT_LABELS = """() => [...document.querySelectorAll(
    '[data-testid=stMain] [data-testid=stWidgetLabel] p, [data-testid=stMain] button p, [data-testid=stMain] [data-baseweb=select] div')]
  .filter((e) => e.offsetParent && e.scrollWidth > e.clientWidth + 1)
  .map((e) => e.textContent)"""
# Per chart (in page order): its height, and the smallest font size of its own text: titles,
# legend, colour bar, axis ticks, bar labels (the presenter's footer and subtitle notes aside).
CHART_TEXT = """() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')].map((c) => {
  const texts = [...c.querySelectorAll('.gtitle, .annotation-text, .legendtext, .cbaxis text, .cbtitle text, .xtick text, .ytick text, .bartext, .g-xtitle text, .g-ytitle text')]
    .filter((t) => t.textContent.trim());
  const sizes = texts.map((t) => parseFloat(getComputedStyle(t).fontSize));
  return {height: c.getBoundingClientRect().height, smallest: Math.min(...sizes), n: sizes.length};
})"""
# The fill of a country's shape on the choropleth.
FILL = """(iso3) => {
  const p = [...document.querySelectorAll('.js-plotly-plot path.choroplethlocation')]
    .find((q) => q.__data__ && q.__data__.loc === iso3);
  return p ? getComputedStyle(p).fill : null;
}"""


@contextlib.contextmanager
def _page(browser, width: int, height: int, dark: bool = False) -> Iterator:
    """A page of the given viewport and colour scheme; any request leaving localhost fails the test."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, color_scheme="dark" if dark else "light"
    )
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.requests = requests
    yield page
    context.close()
    external = [u for u in requests if not u.startswith(LOCAL_URLS)]
    assert external == [], f"non-localhost requests: {external[:5]}"


def _open(server: str, page, path: str = "/map", ready: str = GEO) -> None:
    # NOTE: the first session of a fresh server resolves a page URL before app.py has called
    # st.navigation (Streamlit's pages/ auto-discovery answers "Page not found"); opening the
    # app once first registers the pages, so /map is then served as it is for every user after.
    if server not in _OPENED:
        page.goto(server + "/")
        wait_for_app(page)
        _OPENED.add(server)
    page.goto(server + path)
    wait_for_app(page, ready)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 3", timeout=60_000)
    settle(page)


_OPENED: set[str] = set()  # servers whose app has been opened once (their pages registered)


def _main_height(page) -> int:
    return int(page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight"))


def _full_screenshot(page, name: str) -> None:
    """The whole page: Streamlit scrolls inside its own container, so grow the viewport to it."""
    width = page.viewport_size["width"]
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(height + 40, 8000)})
    settle(page)
    screenshot(page, name)


def test_map_renders_offline_and_a_click_zooms_and_lists_the_country(server, browser):
    with _page(browser, 1440, 900) as page:
        _open(server, page)
        assert page.locator("[data-testid=stException]").count() == 0
        assert page.locator(".js-plotly-plot path.choroplethlocation").count() > 100
        assert page.locator("[data-testid=stDeckGlJsonChart]").count() == 0
        assert any(u.endswith("/app/static/topojson/world_110m.json") for u in page.requests)
        assert page.evaluate(CUT_LABELS) == []
        screenshot(page, "map-1440")
        _full_screenshot(page, "map-1440-full")
        page.set_viewport_size({"width": 1440, "height": 900})

        point = page.evaluate(FIND_COUNTRY, "ITA")
        assert point is not None
        page.mouse.click(*point)
        page.wait_for_function("() => location.search.includes('country_view=ITA')", timeout=60_000)
        wait_for_app(page, "[data-testid=stDataFrame]")
        assert page.get_by_role("tab", name="Trials").count() == 1
        # zoomed onto Italy: the 1:50m geometry, and France now fills part of the frame
        assert any(u.endswith("/app/static/topojson/world_50m.json") for u in page.requests)
        assert (
            page.get_by_role("radio", name="Italy").count() + page.get_by_text("Italy", exact=True).count()
            > 0
        )
        assert page.evaluate(CUT_LABELS) == []
        _full_screenshot(page, "map-1440-italy")


def test_map_has_its_own_dark_colours(server, browser):
    """Zero countries are a dim grey in the dark theme, never white; light grey in the light one."""
    fills = {}
    for dark in (False, True):
        with _page(browser, 1440, 900, dark=dark) as page:
            _open(server, page, "/map?metric=trials")
            # Greenland has no MS trial in the registries' exports: a zero country
            fills[dark] = page.evaluate(FILL, "GRL")
            _full_screenshot(page, f"map-1440-{'dark' if dark else 'light'}")
    light, dark_fill = (_rgb(fills[k]) for k in (False, True))
    assert sum(dark_fill) / 3 < 90, fills  # dim on the dark background
    assert sum(light) / 3 > 200 and light != (255, 255, 255), fills  # light grey, not white (no data)


def _rgb(css: str) -> tuple[int, ...]:
    return tuple(int(float(v)) for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3])


@pytest.mark.parametrize("path", ["/map?present=1", "/map?present=1&metric=funding&zoom=europe"])
def test_presenter_slides_fit_and_read_from_the_back(server, browser, path):
    """The map, the ranked countries and the point map are a slide each: one chart shown, its
    title and legend at 20 px or more, no taller than the screen."""
    with _page(browser, 1920, 1080) as page:
        for n in (1, 2, 3):
            _open(server, page, f"{path}&slide={n}", ready=".js-plotly-plot:visible")
            charts = [c for c in page.evaluate(CHART_TEXT) if c["height"] > 0]
            assert len(charts) == 1, (n, charts)
            chart = charts[0]
            assert chart["n"] >= 3 and chart["smallest"] >= 20, (n, chart)  # title and legend at least
            assert chart["height"] <= 1080, (n, chart)
            assert _main_height(page) <= 1080, n
            name = "map-presenter" + ("-funding-europe" if "funding" in path else "") + f"-{n}"
            screenshot(page, name)
