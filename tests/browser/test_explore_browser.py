"""Explore and About in a real browser on the shipped snapshot (offline): the table shows,
the CSV download holds exactly the rows the page says match, and both pages are screenshotted."""

from __future__ import annotations

import csv
import re

import pytest

from tests.browser.conftest import ms_trials, screenshot, wait_for_app

pytestmark = pytest.mark.browser


def _count_shown(page, noun: str) -> int:
    text = page.get_by_text(re.compile(rf"^[\d,]+ {noun} match$")).first.inner_text()
    return int(text.split()[0].replace(",", ""))


def test_explore_csv_download_holds_the_rows_shown(server, offline_page, tmp_path, shipped_snapshot):
    page = offline_page
    page.goto(server + "/explore")  # a deep link, as a shared URL would open it
    page.wait_for_selector("[data-testid=stDataFrame], [data-testid=stException]", timeout=120_000)
    assert page.locator("[data-testid=stException]").count() == 0, (
        "the Explore page failed when opened directly; on a fresh server Streamlit runs pages/*.py "
        "without app.py while a 'pages/' folder sits next to it (multipage v1 fallback)"
    )
    wait_for_app(page, "[data-testid=stDataFrame]", timeout=120_000)
    shown = _count_shown(page, "trials")
    assert f"{shown:,}" == ms_trials(shipped_snapshot)  # every MS trial, no filter chosen
    button = page.locator("[data-testid=stDownloadButton] button:visible", has_text="Download CSV").first
    with page.expect_download(timeout=60_000) as info:
        button.click()
    download = info.value
    assert re.fullmatch(r"msprogress-trials-[0-9TZa-f-]+-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:3] == ["Trial id", "Registry page", "Title"]
    assert len(rows) - 1 == shown
    assert screenshot(page, "explore").stat().st_size > 10_000


def test_about_renders_offline(server, offline_page):
    page = offline_page
    page.goto(server + "/about")
    wait_for_app(page, timeout=120_000)  # plotly under software rendering on a loaded machine is slow
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.get_by_text("Which years each source covers").count() >= 1
    assert page.locator("[data-testid=stDataFrame]").count() >= 5
    assert screenshot(page, "about").stat().st_size > 10_000
