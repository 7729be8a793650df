"""Explore and About in a real browser on the shipped snapshot (offline): one search box; search,
sort and tab in the URL and in the CSV; planned starts after actual ones; an empty tab explains
itself; screenshots in both themes and as a slide."""

from __future__ import annotations

import csv
import re

import pytest

from msprogress.filters import Filters
from tests.browser.conftest import ms_trials, offline_context_page, screenshot, wait_for_app

pytestmark = pytest.mark.browser
GRID = "[data-testid=stDataFrame]"


def _count_shown(page, noun: str) -> int:
    text = page.get_by_text(re.compile(rf"^[\d,]+ {noun} match(es)?$")).first.inner_text()
    return int(text.split()[0].replace(",", ""))


def _open(page, url: str) -> None:
    page.goto(url)
    # NOTE: the first match may sit in a tab not shown (a link that opens another tab): wait for a visible one
    kinds = (GRID, "[data-testid=stTable]", "[data-testid=stAlertContainer]", "[data-testid=stException]")
    page.wait_for_selector(", ".join(f"{k}:visible" for k in kinds), timeout=120_000)
    assert page.locator("[data-testid=stException]").count() == 0, (
        "the Explore page failed when opened directly; on a fresh server Streamlit runs pages/*.py "
        "without app.py while a 'pages/' folder sits next to it (multipage v1 fallback)"
    )
    # on a slide the search sits behind "Search these records" and the table is static
    ready = (
        "[data-testid=stTable]" if "present=1" in url else "[data-testid=stMain] [data-testid=stTextInput]"
    )
    wait_for_app(page, ready, timeout=120_000)


def _csv(page, tmp_path, nth: int = 0) -> tuple[str, list[dict[str, str]]]:
    button = page.locator("[data-testid=stDownloadButton] button:visible", has_text="Download CSV").nth(nth)
    with page.expect_download(timeout=60_000) as info:
        button.click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return download.suggested_filename, list(csv.DictReader(fh))


def test_explore_csv_holds_the_rows_shown_in_their_order(server, offline_page, tmp_path, shipped_snapshot):
    """The default list opens with started trials, newest first; planned and withdrawn-before-start
    trials come after them; the CSV holds every matching row in the order shown."""
    page = offline_page
    _open(page, server + "/explore")  # a deep link, as a shared URL would open it
    shown = _count_shown(page, "trials")
    assert f"{shown:,}" == ms_trials(shipped_snapshot)  # every MS trial, no filter chosen
    name, rows = _csv(page, tmp_path)
    assert re.fullmatch(r"msprogress-trials-[0-9TZa-f-]+-\d{4}-\d{2}-\d{2}\.csv", name)
    assert list(rows[0])[:5] == ["Trial id", "Registry page", "Title", "Start date", "Started or planned"]
    assert len(rows) == shown
    kinds = [r["Started or planned"] for r in rows if r["Started or planned"]]
    order = ["started", "planned", "withdrawn before start"]
    assert kinds[0] == "started" and kinds == sorted(kinds, key=order.index) and set(kinds) == set(order)
    started = [r["Start date"] for r in rows if r["Started or planned"] == "started"]
    assert started == sorted(started, reverse=True) and started[0] <= rows[0]["As of"]
    assert screenshot(page, "explore").stat().st_size > 10_000


def test_explore_one_search_box_and_the_view_in_the_url(server, offline_page, tmp_path):
    """One visible search box (the sidebar's title search is hidden here); a search and a sort
    typed on the page go into the URL, and a copied link reopens them and downloads them."""
    page = offline_page
    _open(page, server + "/explore")
    boxes = page.locator("[data-testid=stTextInput] input:visible")
    assert boxes.count() == 1 and boxes.first.get_attribute("placeholder").startswith("e.g. ocrelizumab")
    boxes.first.fill("ocrelizumab")
    boxes.first.press("Enter")
    page.wait_for_function("() => location.search.includes('search=ocrelizumab')", timeout=60_000)
    page.get_by_role("combobox", name="Sort by").first.click()
    page.get_by_role("option", name="Participants, most first").click()
    page.wait_for_function("() => location.search.includes('trials_sort=enrollment')", timeout=60_000)
    copied = page.url

    fresh = page.context.new_page()
    _open(fresh, copied)
    assert fresh.locator("[data-testid=stTextInput] input:visible").first.input_value() == "ocrelizumab"
    sort = fresh.get_by_role("combobox", name="Sort by").first
    assert sort.input_value() == "Participants, most first"
    shown = _count_shown(fresh, "trials")
    name, rows = _csv(fresh, tmp_path)
    assert "-by-enrollment-search-ocrelizumab-" in name and len(rows) == shown > 0
    enrollment = [int(r["Enrollment (participants)"]) for r in rows if r["Enrollment (participants)"]]
    assert enrollment == sorted(enrollment, reverse=True)


def test_explore_empty_tab_says_why(server, offline_page, shipped_db):
    """A search of trial ids leaves no projects: the tab says so, and how many removing the search shows."""
    page = offline_page
    projects = shipped_db.run("explore_counts", Filters().as_struct(), search=None).iloc[0]["projects"]
    _open(page, server + "/explore?search=NCT0&tab=projects")
    panel = page.locator("[data-baseweb=tab-panel]:visible, [role=tabpanel]:visible").first
    assert page.get_by_role("tab", name="Projects").get_attribute("aria-selected") == "true"
    notice = panel.locator("[data-testid=stAlertContainer]", has_text="No research projects match").first
    assert notice.is_visible() and f"{projects:,} research projects without it" in notice.inner_text()
    assert panel.locator(GRID).count() == 0  # no empty grid
    screenshot(page, "explore-empty-tab")


@pytest.mark.parametrize(
    ("size", "theme", "present"),
    [((1440, 900), "light", False), ((1440, 900), "dark", False), ((1920, 1080), "light", True)],
    ids=["1440-light", "1440-dark", "1920-presenter"],
)
def test_explore_screenshots(server, browser, size, theme, present):
    with offline_context_page(browser, *size) as page:
        page.emulate_media(color_scheme=theme)
        _open(page, server + "/explore" + ("?present=1" if present else ""))
        assert page.locator("[data-testid=stException]").count() == 0
        screenshot(page, f"explore-{size[0]}-{theme}" + ("-presenter" if present else ""))


def test_about_renders_offline(server, offline_page):
    page = offline_page
    page.goto(server + "/about")
    wait_for_app(page, timeout=120_000)  # plotly under software rendering on a loaded machine is slow
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.get_by_text("Which years each source covers").count() >= 1
    assert page.locator("[data-testid=stDataFrame]").count() >= 5
    assert screenshot(page, "about").stat().st_size > 10_000
