"""World map in a real browser: both maps draw offline, and clicking a country lists its records."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser

GEO = ".js-plotly-plot .geo"
DECK = "[data-testid=stDeckGlJsonChart] canvas"
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


def _open_map(server: str, page) -> None:
    # NOTE: the first session of a fresh server resolves a page URL before app.py has called
    # st.navigation (Streamlit's pages/ auto-discovery answers "Page not found"); opening the
    # app once first registers the pages, so /map is then served as it is for every user after.
    page.goto(server + "/")
    wait_for_app(page)
    page.goto(server + "/map")
    wait_for_app(page, GEO)
    page.wait_for_selector(DECK, timeout=60_000)
    page.wait_for_timeout(2_000)  # deck.gl draws the GeoJSON after it has loaded it


def test_map_renders_offline_and_a_click_lists_the_country(server, offline_page):
    page = offline_page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    _open_map(server, page)
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.locator(".js-plotly-plot path.choroplethlocation").count() > 100
    # the geometry both maps draw comes from our own server
    assert any(u.endswith("/app/static/topojson/world_110m.json") for u in requests)
    assert any(u.endswith("/app/static/geo/countries_110m.geojson") for u in requests)
    assert any(u.endswith("/app/static/styles/blank.json") for u in requests)
    screenshot(page, "map")

    point = page.evaluate(FIND_COUNTRY, "ITA")
    assert point is not None
    page.mouse.click(*point)
    page.wait_for_function("() => location.search.includes('country_view=ITA')", timeout=60_000)
    wait_for_app(page, "[data-testid=stDataFrame]")
    assert page.get_by_role("tab", name="Trials").count() == 1
    screenshot(page, "map-country")
