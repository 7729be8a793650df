"""Browser-test fixtures: a real `streamlit run` server on a free localhost port serving the
shipped snapshot, and Debian's headless Chromium driven by Playwright.

Every request the page makes is recorded; `offline_page` fails the test on any request that
is not to localhost (the offline guarantee). Screenshots go to `test-artifacts/`.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from msprogress.localserver import CHROMIUM_ARGS, LOCAL_URLS, serve
from msprogress.snapshot import Snapshot

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """One server for the session (pages visited in any order)."""
    with serve() as url:
        yield url


@pytest.fixture()
def fresh_server() -> Iterator[str]:
    """A server no browser has visited yet (what a shared link meets after a restart)."""
    with serve() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is not installed: run `make browser-deps` (make test does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@contextlib.contextmanager
def offline_context_page(browser, width: int = 1600, height: int = 2000) -> Iterator:
    """A fresh page of the given viewport whose non-localhost requests fail the test."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(LOCAL_URLS) else None)
    yield page
    context.close()
    assert external == [], f"non-localhost requests: {external[:5]}"


@pytest.fixture()
def offline_page(browser):
    with offline_context_page(browser) as page:
        yield page


# What a drawn page looks like from outside: its height, the charts plotly has drawn (their SVG
# layers and text), deck.gl's canvases, pending fonts. The page has settled when this stays the same
# for STILL_POLLS polls in a row (plotly and deck.gl draw in animation frames after Streamlit's run
# ends, and a chart may resize once more when its container does).
FINGERPRINT_JS = """() => {
  const main = document.querySelector('[data-testid=stMain]') || document.body;
  const f = JSON.stringify([main.scrollHeight, main.scrollWidth, innerWidth, innerHeight,
    document.querySelectorAll('.js-plotly-plot .main-svg').length,
    document.querySelectorAll('.js-plotly-plot svg text').length,
    document.querySelectorAll('canvas').length, document.fonts.status,
    !!document.querySelector('[data-testid=stStatusWidget], [data-testid=stSkeleton], [data-stale=true]')]);
  const s = window.__mspStill;
  if (s && s.f === f) { s.n += 1; } else { window.__mspStill = {f, n: 0}; }
  return window.__mspStill.n >= STILL;
}"""
STILL_POLLS = 2
POLL_MS = 200


def settle(page, timeout: float = 120_000) -> None:
    """Wait until the page stops changing: the same fingerprint STILL_POLLS polls POLL_MS apart
    (under load the polls simply come later, so a busy machine waits longer instead of failing)."""
    page.evaluate("() => { window.__mspStill = null; }")
    page.wait_for_function(
        FINGERPRINT_JS.replace("STILL", str(STILL_POLLS)), polling=POLL_MS, timeout=timeout
    )


def wait_for_app(page, selector: str = ".js-plotly-plot", timeout: float = 120_000) -> None:
    page.wait_for_selector(selector, timeout=timeout)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=timeout)
    settle(page, timeout)


def ms_trials(snapshot: Snapshot) -> str:
    """The MS trials of a snapshot (every trial but those classified 'Not MS'), counted straight
    from its parquet file, as the Overview writes a count."""
    trials = pd.read_parquet(snapshot.path / "trials.parquet", columns=["population"])
    return f"{(trials.population != 'Not MS').sum():,}"


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
