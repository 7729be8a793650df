"""Browser load: N concurrent Chromium sessions against one local server (`make loadtest`).

    python -m bench.browser_load                      # 20 sessions x 10 interactions (issue 5, point 4)
    python -m bench.browser_load --sessions 3 --steps 3

One `streamlit run` server on localhost (its log kept), one Debian Chromium, N browser contexts
driven by Playwright's async API. Each session makes its interactions — shared links opened by
URL with filters, and in-page changes (a sidebar radio, view switches). All sessions start
together on a fresh server (board members opening the dashboard in the same minute) and then run
at their own pace; sessions start at different pages, so the load mixes pages.

Every interaction is timed until its page is rendered: its expected charts/tables are present,
the interaction's effect is visible, and Streamlit's status widget is gone (as `wait_for_app` in
tests/browser/conftest.py), and still so half a second later. Each is checked for errors: no
exception element or error alert, no "error" toast, no "Page not found", no console error, no
non-localhost request; and the server log holds no traceback. After every block of N finished
interactions the server's memory (VmRSS of the streamlit process and its children) is sampled.
Figures go to test-artifacts/load.json.

The verdict (`problems`) is correctness only: every interaction rendered, no error anywhere, and
(with at least 6 blocks) the server's memory within 20% of where it settled (the median after
blocks 3, 4 and 5). Times are reported, never judged: on a 2-core machine N Chromium renderers
with software WebGL share the cores with the server (which used ~10% of the CPU), so they
measure the load generator. The server's own capacity is `bench/capacity.py`.
tests/browser/test_sessions.py runs this with 3 sessions x 3 interactions in `make test`.

NOTE: the async API runs in its own thread with its own event loop, so it cannot clash with the
sync Playwright that other browser tests may hold open in the main thread.
NOTE: Streamlit's frontend, opened at a page path, first probes `/<page>/_stcore/health` and
`/<page>/_stcore/host-config` (404) before the root ones (streamlit/streamlit#7074); those two
console errors are counted apart, every other console error is a problem.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, ConsoleMessage, Page, ViewportSize, async_playwright

from bench.procstat import cpu_s, quantile, rss_kib
from msprogress.localserver import CHROMIUM_ARGS, LOCAL_URLS, serve_process
from msprogress.paths import ROOT

ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT_S = 240.0  # one interaction, a hang guard (2 shared cores, 20 sessions, software WebGL)
SETTLE_BLOCKS = (3, 4, 5)  # memory "settled" = median RSS after these blocks of N interactions
RSS_BAND = 0.20
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}

STATUS = "[data-testid=stStatusWidget]"
ERRORS = "[data-testid=stException], [data-testid=stAlertContentError]"
KNOWN_404 = re.compile(r"^http://localhost:\d+/[a-z]+/_stcore/(health|host-config)$")
PLOT = ".js-plotly-plot"
YTITLE = "((document.querySelector('.js-plotly-plot .ytitle') || {}).textContent || '')"

Act = Callable[[Page], Awaitable[None]]


@dataclass(frozen=True)
class Step:
    """One interaction: open `url` (a shared link) or do `act` on the current page. Rendered when
    every `expect` selector is present and the JS expression `effect` holds."""

    name: str
    expect: tuple[str, ...]
    url: str = ""
    act: Act | None = None
    effect: str = "true"


def click(selector: str, text: str, scope: str = "body") -> Act:
    async def act(page: Page) -> None:
        await page.locator(scope).locator(selector, has_text=text).first.click(timeout=TIMEOUT_S * 1000)

    return act


# A session's page visits: each opens a link, some then make one in-page change.
OVERVIEW = (PLOT, "[data-testid=stMetricValue]")
MAP = (f"{PLOT} .geo", f"{PLOT} .geo path.point", f"{PLOT} .bars")  # choropleth, point map, ranking
FUNDING = (f"{PLOT} .ytitle",)
PIPELINE = (f"{PLOT} .scatterlayer path.point",)
VISITS: tuple[tuple[Step, ...], ...] = (
    (
        Step("overview", OVERVIEW, url="/"),
        Step(
            "overview: sidebar relevance",
            OVERVIEW,
            act=click("label", "Progressive-specific only", "[data-testid=stSidebar]"),
            effect="location.search.includes('relevance=progressive')",
        ),
    ),
    (
        Step("map?relevance", MAP, url="/map?relevance=progressive"),
        Step(
            "map: metric switch",
            MAP,
            act=click("[data-testid=stButtonGroup] button", "Research projects"),
            effect="location.search.includes('metric=projects')",
        ),
    ),
    (
        Step(
            "funding?currency", FUNDING, url="/funding?currency=EUR", effect=f"{YTITLE}.includes('EUR per')"
        ),
        Step(
            "funding: currency switch",
            FUNDING,
            act=click("[data-testid=stButtonGroup] button", "USD"),
            effect=f"{YTITLE}.includes('USD per')",
        ),
    ),
    (
        Step("pipeline?pop", PIPELINE, url="/pipeline?pop=ppms"),
        Step(
            "pipeline: non-drug toggle",
            PIPELINE,
            act=click("label", "Non-drug interventions"),
            effect="location.search.includes('nondrug=1') && "
            "document.querySelector('.js-plotly-plot').textContent.includes('Not phased')",
        ),
    ),
    (
        Step(
            "explore?q",
            ("[data-testid=stDataFrame]",),
            url="/explore?q=ocrelizumab",
            effect=r"/[\d,]+ trials match/.test(document.body.innerText)",
        ),
    ),
    (Step("about", ("[data-testid=stDataFrame]", PLOT), url="/about"),),
)


def session_plan(i: int, steps: int) -> list[Step]:
    """Session i's interactions: the visits in order from visit i mod 6 (so the sessions are
    spread over the pages, not 20 maps at once), an in-page step right after its page's link."""
    plan = [s for k in range(len(VISITS)) for s in VISITS[(i + k) % len(VISITS)]]
    return plan[:steps]


def rendered_js(step: Step) -> str:
    """True once the step's page is rendered, or once an error element shows (checked after)."""
    present = " && ".join(f"!!document.querySelector({json.dumps(s)})" for s in step.expect)
    done = f"!document.querySelector({json.dumps(STATUS)}) && {present} && ({step.effect})"
    return f"() => !!document.querySelector({json.dumps(ERRORS)}) || ({done})"


@dataclass
class Session:
    index: int
    steps: list[Step]
    page: Page | None = None
    current: str = "start"
    problems: list[str] = field(default_factory=list)
    known_404: int = 0

    def problem(self, text: str) -> None:
        self.problems.append(f"session {self.index}, {self.current}: {text}")

    def console(self, m: ConsoleMessage) -> None:
        if m.type != "error":
            return
        if "404" in m.text and KNOWN_404.match(m.location.get("url", "")):
            self.known_404 += 1
        else:
            self.problem(f"console error {m.text[:200]} ({m.location.get('url', '')[:120]})")


async def open_session(browser: Browser, i: int, steps: int) -> Session:
    s = Session(i, session_plan(i, steps))
    context = await browser.new_context(viewport=VIEWPORT, reduced_motion="reduce")
    context.on(
        "request", lambda r: None if r.url.startswith(LOCAL_URLS) else s.problem(f"request to {r.url}")
    )
    s.page = await context.new_page()
    s.page.on("console", s.console)
    s.page.on("pageerror", lambda e: s.problem(f"page error {str(e)[:200]}"))
    return s


async def interact(page: Page, base: str, step: Step) -> float:
    """Do one interaction; return the seconds until its page was rendered (and stayed so 0.5 s)."""
    start = time.monotonic()
    if step.url:
        await page.goto(base + step.url, wait_until="commit", timeout=TIMEOUT_S * 1000)
    elif step.act:
        await step.act(page)
    js = rendered_js(step)
    while True:
        left = max(1.0, TIMEOUT_S - (time.monotonic() - start))
        await page.wait_for_function(js, polling=200, timeout=left * 1000)
        done = time.monotonic() - start
        await page.wait_for_timeout(500)
        if await page.evaluate(js):
            return done


async def check_page(s: Session, page: Page, step: Step) -> None:
    if await page.locator(ERRORS).count():
        s.problem(f"error shown: {(await page.locator(ERRORS).first.inner_text())[:200]}")
    for selector in step.expect:
        if not await page.locator(selector).count():
            s.problem(f"expected element missing: {selector}")
    toasts = await page.locator("[data-testid=stToast]").all_inner_texts()
    for t in toasts:
        if "error" in t.lower():
            s.problem(f"toast {t[:200]}")
    if await page.get_by_text("Page not found").count():
        s.problem("Page not found")


async def run_step(s: Session, base: str, step_no: int) -> dict[str, Any]:
    step, page = s.steps[step_no - 1], s.page
    assert page is not None
    s.current, before = step.name, len(s.problems)
    seconds: float | None = None
    try:
        seconds = await interact(page, base, step)
        await check_page(s, page, step)
    except Exception as exc:  # a timeout is a finding, recorded with its session and step
        s.problem(f"not rendered: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    if len(s.problems) > before and len(list(ARTIFACTS.glob("load-problem-*.png"))) < 3:
        with contextlib.suppress(Exception):  # evidence only: a crashed page has no screenshot
            await page.screenshot(path=str(ARTIFACTS / f"load-problem-s{s.index}-i{step_no}.png"))
    return {"session": s.index, "interaction": step_no, "step": step.name, "seconds": seconds}


async def run_load(base: str, pid: int, sessions: int, steps: int) -> dict[str, Any]:
    """Every session runs its steps at its own pace (N in flight at all times); after each
    block of N finished interactions the server's RSS is sampled. Returns per-interaction
    timings, RSS samples, problems and wall time."""
    t0, cpu0, load0 = time.monotonic(), cpu_s(pid), os.getloadavg()[0]
    rss = [rss_kib(pid)]  # [0] before any interaction, [b] after b blocks of N
    timings: list[dict[str, Any]] = []

    def finished(record: dict[str, Any]) -> None:
        timings.append(record)
        if len(timings) % sessions == 0:
            rss.append(rss_kib(pid))
            print(f"{len(timings):3} done at {time.monotonic() - t0:5.1f} s, RSS {rss[-1] / 1024:4.0f} MiB")

    async def run_session(s: Session) -> None:
        for step_no in range(1, steps + 1):
            finished(await run_step(s, base, step_no))

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        opened = [await open_session(browser, i, steps) for i in range(sessions)]
        await asyncio.gather(*(run_session(s) for s in opened))
        await browser.close()
    return {
        "timings": timings,
        "rss_kib": rss,
        "problems": [x for s in opened for x in s.problems],
        "known_404": sum(s.known_404 for s in opened),
        "wall_s": time.monotonic() - t0,
        "server_cpu_s": cpu_s(pid) - cpu0,
        "load_avg_1min": [load0, os.getloadavg()[0]],
    }


def summarise(result: dict[str, Any], sessions: int) -> dict[str, Any]:
    timings = result["timings"]
    times = [float(x["seconds"]) for x in timings if x["seconds"] is not None]
    done = [x for x in timings if x["seconds"] is not None]
    warm = [float(x["seconds"]) for x in done if x["interaction"] > 1]
    cold = [float(x["seconds"]) for x in done if x["interaction"] == 1]
    rss = [k / 1024 for k in result["rss_kib"]]
    settled = statistics.median(rss[b] for b in SETTLE_BLOCKS) if len(rss) > max(SETTLE_BLOCKS) else 0.0
    by_step: dict[str, list[float]] = {x["step"]: [] for x in timings}
    for x in timings:
        if x["seconds"] is not None:
            by_step[x["step"]].append(float(x["seconds"]))

    def q(values: list[float], p: float) -> float | None:
        return round(quantile(values, p), 1) if values else None

    return {
        "sessions": sessions,
        "interactions": len(timings),
        "rendered": len(times),
        "p50_s": q(times, 0.50),
        "p95_s": q(times, 0.95),
        "max_s": q(times, 1.0),
        "warm_p50_s": q(warm, 0.50),
        "warm_p95_s": q(warm, 0.95),
        "first_interaction_max_s": q(cold, 1.0),
        "p95_s_by_step": {k: q(v, 0.95) for k, v in by_step.items()},
        "load_wall_s": round(result["wall_s"], 1),
        "server_cpu_s": round(result["server_cpu_s"], 1),
        "load_avg_1min_start_end": [round(v, 1) for v in result["load_avg_1min"]],
        "rss_mib_at_start_and_per_block": [round(m, 1) for m in rss],
        "rss_settled_mib": round(settled, 1),
        "rss_allowed_mib": [round(settled * (1 - RSS_BAND), 1), round(settled * (1 + RSS_BAND), 1)],
        "known_streamlit_404_probes": result["known_404"],
        "problems": result["problems"],
    }


def verdict(figures: dict[str, Any], expected: int, server_log: str) -> list[str]:
    """Correctness only: every interaction rendered without a problem, no traceback in the server
    log, and (with enough blocks to say where it settled) memory within the band."""
    out = list(figures["problems"])
    if not figures["interactions"] == figures["rendered"] == expected:
        out.append(f"{figures['rendered']} of {expected} interactions rendered")
    if "Traceback" in server_log:
        out.append(f"server log: {server_log[server_log.index('Traceback') :][:2000]}")
    low, high = figures["rss_allowed_mib"]
    after_warmup = figures["rss_mib_at_start_and_per_block"][SETTLE_BLOCKS[0] :]
    if low and not all(low <= m <= high for m in after_warmup):
        out.append(f"server RSS left {low}–{high} MiB: {after_warmup}")
    return out


def run(sessions: int, steps: int, log_dir: Path) -> tuple[dict[str, Any], list[str]]:
    """Serve the app, run the sessions, and return (figures, problems); figures also go to
    test-artifacts/load.json."""
    if shutil.which("chromium") is None:
        raise SystemExit("Debian's chromium is not installed: run `make browser-deps`")
    t0, log = time.monotonic(), log_dir / "server.log"
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob("load-problem-*.png"):
        old.unlink()
    with serve_process(log=log) as (base, proc), ThreadPoolExecutor(1) as pool:
        result = pool.submit(asyncio.run, run_load(base, proc.pid, sessions, steps)).result()
    figures = {**summarise(result, sessions), "test_wall_s": round(time.monotonic() - t0, 1)}
    (ARTIFACTS / "load.json").write_text(json.dumps({**figures, "timings": result["timings"]}, indent=1))
    return figures, verdict(figures, sessions * steps, log.read_text(errors="replace"))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--steps", type=int, default=10, help="interactions per session")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        figures, problems = run(args.sessions, args.steps, Path(tmp))
    print(json.dumps({k: v for k, v in figures.items() if k != "problems"}, indent=1))
    for p in problems[:20]:
        print("PROBLEM:", p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
