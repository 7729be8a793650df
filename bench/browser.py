"""Browser timing: a filter change in the sidebar → every chart on the page repainted (median of 5).

A real `streamlit run` server on the snapshot `MSPROGRESS_DATA` names, Debian's headless Chromium
through Playwright (launch arguments from msprogress.localserver). One run = click the
"MS relevance" radio (alternating progressive / all), wait until the URL carries the new filter,
the app reports its script finished (`data-test-script-state="notRunning"` on stApp), no
element is stale and every Plotly chart has its SVG, then two animation frames (painted).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import time
from pathlib import Path

from msprogress.localserver import CHROMIUM_ARGS, serve
from msprogress.paths import ROOT

DONE_JS = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  return app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-stale=true]')
    && !document.querySelector('[data-testid=stStatusWidget]')
    && [...document.querySelectorAll('.js-plotly-plot')].every(p => p.querySelector('.main-svg'));
}"""
PAINTED_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def _wait_done(page: object, timeout: float = 180_000) -> None:
    page.wait_for_function(DONE_JS, timeout=timeout)  # type: ignore[attr-defined]
    page.evaluate(PAINTED_JS)  # type: ignore[attr-defined]


def time_page(browser: object, url: str, path: str, runs: int = 5) -> dict[str, object]:
    context = browser.new_context(viewport={"width": 1600, "height": 1200})  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        page.goto(f"{url}/{path}")
        page.wait_for_selector(".js-plotly-plot", timeout=180_000)
        _wait_done(page)
        charts = page.locator(".js-plotly-plot").count()
        times = []
        for i in range(runs):
            progressive = i % 2 == 0
            label = "Progressive-specific only" if progressive else "All MS research"
            t = time.perf_counter()
            page.get_by_text(label, exact=True).click()
            page.wait_for_function(
                "(p) => location.search.includes('relevance=progressive') === p",
                arg=progressive,
                timeout=180_000,
            )
            _wait_done(page)
            times.append((time.perf_counter() - t) * 1000)
        return {"median_ms": statistics.median(times), "runs_ms": times, "charts": charts}
    finally:
        context.close()


def _time_or_error(browser: object, url: str, path: str) -> dict[str, object]:
    """One page's timing, or what went wrong (a page that never shows a chart must not stop the bench)."""
    try:
        return time_page(browser, url, path)
    except Exception as exc:  # recorded in the results instead
        return {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}


def measure(
    data_dir: Path, paths: tuple[str, ...] = ("overview", "funding", "map", "pipeline")
) -> dict[str, object]:
    """Median ms from a filter click to every chart repainted, per page; {} when Chromium is missing."""
    chromium = shutil.which("chromium")
    if chromium is None:
        return {}
    from playwright.sync_api import sync_playwright

    with serve(data_dir) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            return {path: _time_or_error(browser, url, path) for path in paths}
        finally:
            browser.close()


if __name__ == "__main__":
    import json

    print(json.dumps(measure(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data"), indent=2))
