"""Server capacity, measured so that it measures the server (`make loadtest`, issue 16 point 3).

    python -m bench.capacity                 # the full run (about 10 minutes), figures into bench/results.md
    python -m bench.capacity --quick         # a short run, printed only

The server (`streamlit run` on the shipped snapshot) is pinned to CPU 0; the load generator, this
process, to CPU 1. The load is made of lightweight Streamlit clients (bench/stclient.py: Streamlit's
own websocket protocol, no browser), so the generator costs little and the server's cost is what
is measured: its CPU seconds (utime + stime in /proc/<pid>/stat, before and after) and its memory
(VmRSS).

1. A first visit as Chromium makes it: one headless Chromium (on CPU 1) opens the Overview on the
   fresh server; every HTTP request it makes is recorded (index.html, the JavaScript, CSS and font
   files, the health and host-config probes). A load client's first visit fetches the same files.
2. Warm-up: every page runs once, so the queries are cached (the cost targeted in issue 16 is that
   of a visit whose queries are cached).
3. Cost per action, one at a time (no queueing): K first visits (files + websocket + Overview
   run); K further pages by URL (the page + a new websocket + its run, over map, funding, pipeline);
   K interactions (a widget change on an open page). Server CPU-seconds each = delta / K.
4. Sessions per minute: open-loop arrivals (Poisson, fixed seed) at rising rates, chosen from the
   cost measured in 3 (from 40% to 130% of what one core could carry); each arrival makes a first
   visit, waits THINK_S and makes one interaction, and keeps its session open to the end of its
   step. The sustained rate is the highest with first-page p95 <= 5 s and no error.
5. Memory per session: the server's RSS before and after SESSIONS_HELD sessions are open.
6. Where the time goes: py-spy samples the server during a step at ~70% of capacity; the samples
   are summed by the library running (self time) and by app function (inclusive).

A hall of 200 opening the link within a minute needs ceil(200 / sustained rate) replicas, each with
a core of its own (`make serve-cluster REPLICAS=n`, msprogress/cluster.py).
NOTE: the machine is shared: another process on CPU 0 slows the server. The 1-minute load
average is recorded with every step; run it on a quiet machine for figures to quote.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.procstat import cpu_s, quantile, rss_kib
from bench.stclient import Session
from msprogress.localserver import CHROMIUM_ARGS, serve_process
from msprogress.style import CURRENCY_LABELS

BENCH = Path(__file__).resolve().parent
RESULTS_JSON = BENCH / "capacity.json"
RESULTS_MD = BENCH / "results.md"
SERVER_CPU, LOAD_CPU = 0, 1
PAGES = ("/map", "/funding", "/pipeline")
TARGET_P95_S = 5.0
HALL = 200  # people opening the link within a minute
THINK_S = 10.0
INTERACTION = ("overview_currency", CURRENCY_LABELS["USD"])  # on the Overview (the option as labelled)
SWITCHES = (CURRENCY_LABELS["USD"], CURRENCY_LABELS["EUR"])  # the cost measure's interactions: back and forth


@dataclass
class Settings:
    k: int = 20  # actions of each kind, one at a time
    step_s: float = 60.0  # seconds of arrivals per rate
    fractions: tuple[float, ...] = (0.4, 0.6, 0.8, 0.9, 1.0, 1.15)
    sessions_held: int = 40
    profile_s: float = 45.0


QUICK = Settings(k=5, step_s=20.0, fractions=(0.5, 0.9, 1.2), sessions_held=10, profile_s=15.0)


# --- 1. what a first visit fetches ------------------------------------------------------------------------
def record_first_visit(base: str) -> list[str]:
    """The localhost paths a fresh Chromium GETs opening the Overview (the websocket apart)."""
    from playwright.sync_api import sync_playwright

    seen: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        page = browser.new_context().new_page()
        page.on("request", lambda r: seen.append(r.url) if r.method == "GET" else None)
        page.goto(base + "/")
        page.wait_for_selector("[data-testid=stMetricValue]", timeout=120_000)
        page.wait_for_timeout(2_000)
        browser.close()
    paths = [u[len(base) :] for u in seen if u.startswith(base) and "/_stcore/stream" not in u]
    return [p for p in dict.fromkeys(paths) if p != "/"]  # "/" is the visit's own first GET


# --- 3. cost per action -------------------------------------------------------------------------------------
async def cost_per_action(base: str, pid: int, assets: list[str], k: int) -> dict[str, float]:
    """Server CPU-seconds per first visit, per further page by URL and per interaction."""

    async def first_visit() -> None:
        s = Session(base)
        expect_no_error(await s.open("/", assets))
        await s.close()

    async def static_files() -> None:  # the part of a first visit that is files, not the script
        s = Session(base)
        await s.get("/")
        await s.get(*assets)

    session = Session(base)
    expect_no_error(await session.open("/"))
    pages = iter(PAGES * k)

    async def further_page() -> None:
        expect_no_error(await session.open(next(pages)))

    interactive = Session(base)
    expect_no_error(await interactive.open("/"))
    values = iter(SWITCHES * k)

    async def interaction() -> None:
        expect_no_error(await interactive.set(INTERACTION[0], next(values)))

    out = {}
    actions = {
        "first_visit": first_visit,
        "of_which_static_files": static_files,
        "further_page": further_page,
        "interaction": interaction,
    }
    for name, action in actions.items():
        out[name] = await _cpu_each(pid, action, k)
    await session.close()
    await interactive.close()
    return out


async def _cpu_each(pid: int, action: Callable[[], Awaitable[None]], k: int) -> float:
    await action()  # once unmeasured (first use of a code path)
    before = cpu_s(pid)
    for _ in range(k):
        await action()
    await asyncio.sleep(0.5)  # the server's after-run bookkeeping
    return round((cpu_s(pid) - before) / k, 3)


def expect_no_error(run: Any) -> None:
    if run.errors():
        raise RuntimeError(f"the page showed an error: {run.errors()[:3]}")


# --- 4. sessions per minute -----------------------------------------------------------------------------------
@dataclass
class Step:
    rate_per_min: float
    first_page_s: list[float] = field(default_factory=list)
    interaction_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    server_cpu_s: float = 0.0
    wall_s: float = 0.0
    load_avg: float = 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "rate_per_min": round(self.rate_per_min, 1),
            "arrivals": len(self.first_page_s) + len([e for e in self.errors if e.startswith("first")]),
            "first_page_p50_s": pctl(self.first_page_s, 0.5),
            "first_page_p95_s": pctl(self.first_page_s, 0.95),
            "interaction_p95_s": pctl(self.interaction_s, 0.95),
            "errors": len(self.errors),
            "first_errors": self.errors[:3],
            "server_cpu_share": round(self.server_cpu_s / self.wall_s, 2) if self.wall_s else None,
            "load_avg_1min": round(self.load_avg, 1),
        }


def pctl(values: list[float], q: float) -> float | None:
    return round(quantile(values, q), 2) if values else None


async def arrivals(base: str, pid: int, assets: list[str], rate: float, seconds: float, seed: int) -> Step:
    """Poisson arrivals at `rate` a minute for `seconds`; each a first visit, a pause, an interaction."""
    step, rng, opened = Step(rate), random.Random(seed), []

    async def visitor() -> None:
        s = Session(base, timeout=180)
        opened.append(s)
        try:
            t = time.monotonic()
            expect_no_error(await s.open("/", assets))
            step.first_page_s.append(time.monotonic() - t)
        except Exception as exc:  # a finding, counted
            step.errors.append(f"first visit: {type(exc).__name__}: {str(exc)[:200]}")
            return
        await asyncio.sleep(THINK_S)
        try:
            step.interaction_s.append((await s.set(*INTERACTION)).seconds)
        except Exception as exc:
            step.errors.append(f"interaction: {type(exc).__name__}: {str(exc)[:200]}")

    cpu0, t0, tasks = cpu_s(pid), time.monotonic(), []
    at = rng.expovariate(rate / 60)
    while at < seconds:
        await asyncio.sleep(max(0.0, t0 + at - time.monotonic()))
        tasks.append(asyncio.ensure_future(visitor()))
        at += rng.expovariate(rate / 60)
    await asyncio.gather(*tasks)
    step.wall_s, step.server_cpu_s = time.monotonic() - t0, cpu_s(pid) - cpu0
    step.load_avg = os.getloadavg()[0]
    for s in opened:
        await s.close()
    return step


# --- 5. memory per session ------------------------------------------------------------------------------------
async def memory_per_session(base: str, pid: int, n: int) -> dict[str, Any]:
    """RSS with 0, n/2 and n sessions open (each on a page: Overview, map, funding, pipeline in turn);
    per session = the slope from 0 to n. The server's caches are warm before (step 2)."""
    sessions = [Session(base) for _ in range(n)]
    rss = []
    for i, s in enumerate(sessions):
        if i in (0, n // 2):
            await asyncio.sleep(2.0)
            rss.append(rss_kib(pid) / 1024)
        expect_no_error(await s.open(("/", *PAGES)[i % 4]))
    await asyncio.sleep(2.0)
    rss.append(rss_kib(pid) / 1024)
    for s in sessions:
        await s.close()
    return {
        "sessions": n,
        "rss_mib_at_0_half_all": [round(m, 1) for m in rss],
        "mib_per_session": round((rss[-1] - rss[0]) / n, 2),
    }


# --- 6. where the time goes -----------------------------------------------------------------------------------
# (bucket, file prefixes as py-spy names them: relative to site-packages or to the repository); the
# first match from the leaf up names a sample's self time
LIBRARIES = (
    ("app code (msprogress/, pages/, app.py)", ("msprogress/", "pages/", "app.py")),
    ("plotly (figure objects, validation, JSON)", ("plotly/", "_plotly_utils/")),
    ("pandas / numpy", ("pandas/", "numpy/")),
    ("pyarrow (dataframes to Arrow)", ("pyarrow/",)),
    ("duckdb (queries)", ("duckdb/",)),
    ("protobuf (messages)", ("google/protobuf/", "streamlit/proto/")),
    ("streamlit caching (hashing, pickling)", ("streamlit/runtime/caching/",)),
    ("streamlit (elements, script runner, session)", ("streamlit/",)),
    (
        "web server (uvicorn, starlette, h11, websockets, asyncio)",
        ("uvicorn/", "starlette/", "h11/", "websockets/", "asyncio/"),
    ),
    ("compression (gzip, zlib)", ("gzip.py", "zlib")),
    ("json", ("json/",)),
)


def profile_summary(raw: str) -> dict[str, Any]:
    """py-spy's collapsed stacks → share of samples by library (self) and by app function (inclusive)."""
    by_lib: Counter[str] = Counter()
    by_app: Counter[str] = Counter()
    by_leaf: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        count, frames = int(n), stack.split(";")
        total += count
        by_lib[_bucket(frames)] += count
        by_leaf[frames[-1]] += count
        for name in dict.fromkeys(f"{f.rsplit(' (', 1)[0]} ({_file(f)})" for f in frames if _is_app(f)):
            by_app[name] += count
    if not total:
        return {"samples": 0}
    share = lambda c: round(100 * c / total, 1)  # noqa: E731
    return {
        "samples": total,
        "self_by_library_pct": {k: share(v) for k, v in by_lib.most_common()},
        "inclusive_by_app_function_pct": {k: share(v) for k, v in by_app.most_common(15)},
        "self_top_lines_pct": {k: share(v) for k, v in by_leaf.most_common(12)},
    }


def _file(frame: str) -> str:
    """'render (msprogress/sidebar.py:138)' → 'msprogress/sidebar.py'."""
    return frame.rsplit(" (", 1)[-1].rstrip(")").rsplit(":", 1)[0]


def _bucket(frames: list[str]) -> str:
    for frame in reversed(frames):
        for bucket, prefixes in LIBRARIES:
            if _file(frame).startswith(prefixes) or any(p in _file(frame) for p in prefixes[-1:] if "." in p):
                return bucket
    return "other (Python stdlib, threads)"


def _is_app(frame: str) -> bool:
    return _file(frame).startswith(LIBRARIES[0][1])


async def profiled_step(
    base: str, pid: int, assets: list[str], rate: float, seconds: float
) -> dict[str, Any]:
    out = Path(tempfile.mkdtemp()) / "server.pyspy"
    spy = subprocess.Popen(
        # NOTE: --gil keeps the samples of the thread holding the GIL: the Python work the server
        # does; threads waiting (epoll, conditions, the idle script threads) are left out, and so
        # is work in C that releases the GIL (DuckDB; the queries are cached here anyway).
        [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(pid), "--rate", "100"]
        + ["--gil", "--nonblocking", "--format", "raw", "--duration", str(int(seconds)), "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    step = await arrivals(base, pid, assets, rate, seconds - 2, seed=99)
    spy.wait(timeout=seconds + 60)
    summary = profile_summary(out.read_text()) if out.exists() else {"samples": 0}
    return {"rate_per_min": round(rate, 1), "step": step.summary(), **summary}


# --- the run --------------------------------------------------------------------------------------------------
async def measure(base: str, pid: int, assets: list[str], cfg: Settings) -> dict[str, Any]:
    await warm_up(base)  # 2.
    cost = await cost_per_action(base, pid, assets, cfg.k)
    per_arrival = cost["first_visit"] + cost["interaction"]
    core_max = 60 / per_arrival  # arrivals a minute one core could carry, at 100% busy
    steps = []
    for i, fraction in enumerate(cfg.fractions):
        step = await arrivals(base, pid, assets, fraction * core_max, cfg.step_s, seed=i)
        steps.append(step.summary())
        print(json.dumps(steps[-1]), flush=True)
        await asyncio.sleep(THINK_S + 5)  # drain
        if (step.summary()["first_page_p95_s"] or 1e9) > 4 * TARGET_P95_S:
            break  # far past saturation: higher rates only queue more
    good = [s for s in steps if s["errors"] == 0 and (s["first_page_p95_s"] or 1e9) <= TARGET_P95_S]
    sustained = max((s["rate_per_min"] for s in good), default=0.0)
    memory = await memory_per_session(base, pid, cfg.sessions_held)
    profile = await profiled_step(base, pid, assets, 0.7 * core_max, cfg.profile_s)
    return {
        "cpu_s_per": cost,
        "core_max_arrivals_per_min": round(core_max, 1),
        "steps": steps,
        "sustained_per_min": sustained,
        "replicas_for_hall": math.ceil(HALL / sustained) if sustained else None,
        "memory": memory,
        "profile": profile,
    }


async def reprofile(
    base: str, pid: int, assets: list[str], cfg: Settings, last: dict[str, Any]
) -> dict[str, Any]:
    await warm_up(base)
    return await profiled_step(base, pid, assets, 0.7 * last["core_max_arrivals_per_min"], cfg.profile_s)


async def warm_up(base: str) -> None:
    """Every page once: its queries cached."""
    for path in ("/", *PAGES, "/explore", "/about"):
        s = Session(base)
        expect_no_error(await s.open(path))
        await s.close()


def machine() -> dict[str, Any]:
    import streamlit

    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in ln
        ),
        platform.processor(),
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "streamlit": streamlit.__version__,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_avg_1min_at_start": round(os.getloadavg()[0], 1),
    }


def run(cfg: Settings, profile_only: bool = False) -> dict[str, Any]:
    if (os.cpu_count() or 1) < 2:
        raise SystemExit("needs 2 CPUs: the server on one, the load generator on the other")
    os.sched_setaffinity(0, {LOAD_CPU})  # this process and the Chromium it starts
    with (
        tempfile.TemporaryDirectory() as tmp,
        serve_process(log=Path(tmp) / "server.log", cpus={SERVER_CPU}) as (
            base,
            proc,
        ),
    ):
        assets = record_first_visit(base)
        if profile_only:  # the last full run's figures, a new profile at 70% of its core maximum
            result = json.loads(RESULTS_JSON.read_text())
            result["profile"] = asyncio.run(reprofile(base, proc.pid, assets, cfg, result))
            return result
        result = asyncio.run(measure(base, proc.pid, assets, cfg))
        log = (Path(tmp) / "server.log").read_text(errors="replace")
    return {
        "machine": machine(),
        "first_visit_files": len(assets),
        "server_log_tracebacks": log.count("Traceback"),
        **result,
    }


def markdown(r: dict[str, Any]) -> str:
    m, c, mem, prof = r["machine"], r["cpu_s_per"], r["memory"], r["profile"]
    lines = [
        "## Server capacity (`make loadtest`, bench/capacity.py)",
        "",
        f"Machine: {m['nproc']} cores ({m['cpu']}), Python {m['python']}, Streamlit {m['streamlit']}; "
        f"{m['date']}, 1-minute load average {m['load_avg_1min_at_start']} at the start (a shared machine). "
        f"Server pinned to CPU {SERVER_CPU}, load generator (websocket clients, no browser) to CPU {LOAD_CPU}; "
        f"queries cached. A first visit fetches the {r['first_visit_files']} files a fresh Chromium fetched.",
        "",
        "| server CPU-seconds per | value |",
        "|---|---|",
        f"| first visit (files + websocket + Overview run) | {c['first_visit']} |",
        f"| … of which the {r['first_visit_files'] + 1} static files alone | {c.get('of_which_static_files', '–')} |",
        f"| further page opened by URL (map/funding/pipeline) | {c['further_page']} |",
        f"| interaction (a widget change on an open page) | {c['interaction']} |",
        "",
        f"One core at 100%: {r['core_max_arrivals_per_min']} arrivals a minute (a first visit and one "
        f"interaction each). Open-loop arrivals, each step {r['steps'][0].get('arrivals', '?')}+ arrivals:",
        "",
        "| arrivals/min | first page p50 s | first page p95 s | interaction p95 s | errors | server CPU share | load avg |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in r["steps"]:
        lines.append(
            f"| {s['rate_per_min']} | {s['first_page_p50_s']} | {s['first_page_p95_s']} | "
            f"{s['interaction_p95_s']} | {s['errors']} | {s['server_cpu_share']} | {s['load_avg_1min']} |"
        )
    lines += [
        "",
        f"**Sustained: {r['sustained_per_min']} first visits a minute per server process** with first-page "
        f"p95 <= {TARGET_P95_S:g} s and no error. **A hall of {HALL} opening the link within a minute: "
        f"{r['replicas_for_hall']} {'replica' if r['replicas_for_hall'] == 1 else 'replicas'}**, each with a core "
        "of its own (`make serve-cluster REPLICAS=n`).",
        "",
        f"Memory: the server's RSS with 0, {mem['sessions'] // 2} and {mem['sessions']} sessions open: "
        f"{' → '.join(str(m) for m in mem['rss_mib_at_0_half_all'])} MiB, "
        + (
            f"**{mem['mib_per_session']} MiB per session**."
            if mem["mib_per_session"] > 0
            else f"**no measurable growth per session** ({mem['mib_per_session']} MiB each: the RSS moved "
            "less than a session costs, the garbage collector freeing more than the sessions held)."
        ),
        "",
        f"Where the server's time goes (py-spy, {prof.get('samples', 0)} samples at "
        f"{prof['rate_per_min']} arrivals/min), self time by library:",
        "",
        *(f"- {k}: {v}%" for k, v in prof.get("self_by_library_pct", {}).items()),
        "",
        "The busiest lines (self time):",
        "",
        *(f"- {v}%: `{k}`" for k, v in prof.get("self_top_lines_pct", {}).items()),
        "",
        "Inclusive, by app function (a sample counts for every app frame on its stack):",
        "",
        *(f"- {k}: {v}%" for k, v in prof.get("inclusive_by_app_function_pct", {}).items()),
        "",
    ]
    return "\n".join(lines)


def write_results(r: dict[str, Any]) -> None:
    RESULTS_JSON.write_text(json.dumps(r, indent=1))
    old = RESULTS_MD.read_text() if RESULTS_MD.exists() else ""
    head = old.split("## Server capacity")[0].rstrip() + "\n\n" if old else ""
    RESULTS_MD.write_text(head + markdown(r))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a short run; results printed, not written")
    ap.add_argument("--profile-only", action="store_true", help="only profile again (into the last results)")
    args = ap.parse_args(argv)
    r = run(QUICK if args.quick else Settings(), args.profile_only)
    print(markdown(r))
    if args.profile_only:
        write_results(r)
        return
    if not args.quick:
        write_results(r)
        print(f"written to {RESULTS_MD} and {RESULTS_JSON}")
    if r["server_log_tracebacks"] or not r["sustained_per_min"]:
        print(
            f"FAILED: {r['server_log_tracebacks']} tracebacks in the server log; sustained {r['sustained_per_min']}/min"
        )
        raise SystemExit(1)


if __name__ == "__main__":
    main()
