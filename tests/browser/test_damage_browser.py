"""A parquet file of the served snapshot deleted under a running server (issue 14, point 6), in a
real browser: every page then shows the banner and serves the last good snapshot, without a
restart, with no error page and no request leaving localhost."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from msprogress.localserver import serve
from msprogress.snapshot import Snapshot, current_id
from tests.browser.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser

PAGES = ("map", "funding", "pipeline", "explore", "about", "")  # the overview last: opened before too
NEWER = "20991231T000000000000Z-0000beef"  # a copy of the fixture snapshot made current


@pytest.fixture()
def served_twice(tmp_path: Path, fixture_snapshot: Snapshot) -> Path:
    """The fixture snapshot and a copy of it under a newer id, CURRENT naming the copy."""
    snaps = tmp_path / "data" / "snapshots"
    shutil.copytree(fixture_snapshot.path, snaps / fixture_snapshot.snapshot_id)
    shutil.copytree(fixture_snapshot.path, snaps / NEWER)
    manifest = json.loads((snaps / NEWER / "manifest.json").read_text())
    (snaps / NEWER / "manifest.json").write_text(json.dumps(manifest | {"snapshot_id": NEWER}))
    (snaps / "CURRENT").write_text(NEWER + "\n")
    return tmp_path / "data"


def _snapshot_named(page, snapshot_id: str) -> bool:
    """Whether the first "About these numbers" of the page names that snapshot (it is a click away)."""
    page.get_by_role("button", name="About these numbers").first.click()
    shown = page.get_by_text(f"Snapshot {snapshot_id}.").first
    shown.wait_for(timeout=30_000)
    named = shown.is_visible()
    page.keyboard.press("Escape")
    return named


def test_deleted_parquet_under_a_running_server(served_twice, fixture_snapshot, offline_page) -> None:
    page, good = offline_page, fixture_snapshot.snapshot_id
    with serve(served_twice) as url:
        page.goto(url + "/")
        wait_for_app(page)
        assert page.get_by_text("could not be used").count() == 0
        assert _snapshot_named(page, NEWER)  # the newer one is served
        (served_twice / "snapshots" / NEWER / "grants.parquet").unlink()
        for path in PAGES:
            page.goto(f"{url}/{path}")
            wait_for_app(page, ".js-plotly-plot, [data-testid=stDataFrame]")
            assert page.locator("[data-testid=stException]").count() == 0, path
            assert page.get_by_text("This app has encountered an error").count() == 0, path
            banner = page.locator("[data-testid=stAlertContentError]").first.inner_text()
            assert f"snapshot {NEWER}: grants.parquet is missing" in banner, (path, banner)
            assert f"Showing the last good one, {good}" in banner and str(served_twice) not in banner
            assert _snapshot_named(page, good), path
            screenshot(page, f"damaged-{path or 'overview'}")
    assert current_id(served_twice / "snapshots") == NEWER  # left for the operator to fix
