"""Profile one page's server-side run (Streamlit AppTest) with pyinstrument, cold and warm; and say in
one line where a query's or a page's time goes (`query_line`, `page_lines`: what `make bench` prints
for a target it misses).

    python -m bench.profile pipeline                 # on the real snapshot
    python -m bench.profile pipeline --scale 100     # on the SYNTHETIC 100x snapshot (bench/synthetic/100x)

Writes `bench/synthetic/profiles/<page>-<scale>x-{cold,warm}.txt` (and `.html` with `--html`;
generated output, git-ignored with the synthetic data) and prints the warm profile. Build the
synthetic scale first (`python -m bench.synthetic 100`).

NOTE: AppTest runs the script in its own thread, and pyinstrument samples only the thread that
starts it, so the profiler is started inside that thread: `StreamlitPage.run` (what
`st.navigation(...).run()` calls for the chosen page) is wrapped for the duration of a run.
The sidebar and navigation above the page are therefore not in the profile.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.synthetic import SYNTHETIC_ROOT, k_label
from msprogress import paths

if TYPE_CHECKING:
    from pyinstrument import Profiler

PROFILES = SYNTHETIC_ROOT / "profiles"


@contextmanager
def profiled(sink: list[Profiler]) -> Iterator[None]:
    """While active, every page run is sampled by pyinstrument; the profilers land in `sink`."""
    from pyinstrument import Profiler
    from streamlit.navigation.page import StreamlitPage

    original: Callable[[StreamlitPage], None] = StreamlitPage.run
    # NOTE: patched on the class for the duration only; AppTest's script thread calls it.

    def run(self: StreamlitPage) -> None:
        prof = Profiler(interval=0.001)
        prof.start()
        try:
            original(self)
        finally:
            prof.stop()
            sink.append(prof)

    StreamlitPage.run = run  # type: ignore[method-assign]
    try:
        yield
    finally:
        StreamlitPage.run = original  # type: ignore[method-assign,assignment]


def profile_page(page: str) -> dict[str, Profiler]:
    """Profilers of the page's cold run (every cache cleared) and of a warm rerun."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(paths.ROOT / "app.py"), default_timeout=300)
    at.run()  # registers the pages (renders the default page)
    st.cache_data.clear()
    st.cache_resource.clear()
    out: dict[str, Profiler] = {}
    for label in ("cold", "warm"):
        sink: list[Profiler] = []
        with profiled(sink):
            if label == "cold":
                at.switch_page(f"pages/{page}.py").run()
            else:
                at.run()
        if at.exception:
            raise RuntimeError(f"page {page}: {at.exception}")
        out[label] = sink[-1]
        if label == "cold":
            at.run()  # one rerun so the warm profile is a steady state
    return out


def page_lines(page: str, top: int = 3) -> dict[str, str]:
    """For the page's cold run and warm rerun: the page script's largest parts, with their share.
    (The sidebar and navigation above the page are not in the profile: see the module's NOTE.)"""
    lines = {}
    for label, prof in profile_page(page).items():
        session = prof.last_session
        root = session.root_frame() if session else None
        script = _find(root, lambda fr: fr.file_path_short.endswith(f"pages/{page}.py")) if root else None
        if script is None or not script.time:
            lines[label] = "no profile"
            continue
        parts = sorted(script.children, key=lambda fr: fr.time, reverse=True)[:top]
        shares = ", ".join(
            f"{fr.function} ({Path(fr.file_path_short).name}) {fr.time / script.time:.0%}" for fr in parts
        )
        lines[label] = f"the page script {script.time * 1000:.0f} ms: {shares}"
    return lines


def _find(frame: Any, match: Callable[[Any], bool]) -> Any:
    if match(frame):
        return frame
    for child in frame.children:
        found = _find(child, match)
        if found is not None:
            return found
    return None


def query_line(name: str, params: dict[str, object], runs: int = 5) -> str:
    """Where a query's time goes: planning (DuckDB's binder and optimiser), execution (CPU time over
    the threads, and its busiest operator), and reading the result into pandas; from DuckDB's own
    profile on a connection set up as the app's (`msprogress.db.setup`), without the sandbox (a
    locked sandbox cannot turn profiling on)."""
    import json
    import statistics
    import tempfile
    import time

    import duckdb

    from msprogress import queries
    from msprogress.db import frame, setup
    from msprogress.snapshot import open_snapshot

    q = queries.get(name)
    snap = open_snapshot(paths.snapshots_dir(), verify=False)
    con = duckdb.connect(":memory:", config={"threads": 2})
    con.execute("SET enable_progress_bar = false")
    for statement in setup(snap, snap if q.compares else None).statements:
        con.execute(statement)
    bound = {p: params[p] for p in q.params} or None
    execute, convert = [], []
    table = con.execute(q.sql, bound).to_arrow_table()  # a warm-up, and the result's shape
    for _ in range(runs):
        t0 = time.perf_counter()
        table = con.execute(q.sql, bound).to_arrow_table()
        t1 = time.perf_counter()
        frame(table)
        execute.append(t1 - t0)
        convert.append(time.perf_counter() - t1)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "profile.json"
        con.execute("PRAGMA enable_profiling='json'")
        con.execute(f"SET profiling_output='{out}'")
        con.execute("PRAGMA profiling_mode='detailed'")
        con.execute(q.sql, bound).fetchall()
        con.execute("PRAGMA disable_profiling")
        prof = json.loads(out.read_text())
    assert table is not None
    plan = (
        prof["planner"]["total_time"]
        + prof["optimizer"]["total_time"]
        + prof["physical_planner"]["total_time"]
    )
    ops = sorted(_operators(prof.get("operator", [])), key=lambda o: o[1], reverse=True)
    busiest = f" (busiest: {ops[0][0]} {ops[0][1] * 1000:.1f} ms)" if ops else ""
    return (
        f"run {statistics.median(execute) * 1000:.1f} ms, of which planning {plan * 1000:.1f} ms "
        f"(binding {prof['planner']['binding_time'] * 1000:.1f}, optimising {prof['optimizer']['total_time'] * 1000:.1f}) "
        f"and execution {prof['query']['cpu_time'] * 1000:.1f} ms CPU{busiest}; "
        f"{table.num_rows:,} rows x {table.num_columns} columns into pandas {statistics.median(convert) * 1000:.1f} ms"
    )


def _operators(nodes: list[dict[str, Any]]) -> Iterator[tuple[str, float]]:
    """(operator, seconds) of every node of DuckDB's JSON profile; a scan names what it reads."""
    for node in nodes:
        info = node.get("extra_info") or {}
        files = info.get("Filename(s)") if isinstance(info, dict) else None
        read = (
            Path(str(files).split(",")[0]).name
            if files
            else (info.get("Table", "") if isinstance(info, dict) else "")
        )
        yield f"{node.get('name', '?')} {read}".strip(), float(node.get("timing") or 0)
        yield from _operators(node.get("children", []))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("page", help="page file stem: overview, map, funding, pipeline, explore, about")
    ap.add_argument(
        "--scale", type=float, default=1.0, help="1 = the real snapshot; k = bench/synthetic/<k>x"
    )
    ap.add_argument("--html", action="store_true", help="also write pyinstrument's HTML view")
    args = ap.parse_args(argv)
    label = k_label(args.scale)
    if args.scale != 1:
        data_dir = SYNTHETIC_ROOT / f"{label}x"
        if not (data_dir / "snapshots" / "CURRENT").is_file():
            raise SystemExit(f"no synthetic {label}x snapshot: run `python -m bench.synthetic {label}` first")
        os.environ["MSPROGRESS_DATA"] = str(data_dir)
    PROFILES.mkdir(parents=True, exist_ok=True)
    for run_kind, prof in profile_page(args.page).items():
        stem = PROFILES / f"{args.page}-{label}x-{run_kind}"
        text = prof.output_text(unicode=True, color=False)
        Path(f"{stem}.txt").write_text(text)
        if args.html:
            Path(f"{stem}.html").write_text(prof.output_html())
        if run_kind == "warm":
            print(text)
    print(f"profiles written to {PROFILES}/{args.page}-{label}x-*")


if __name__ == "__main__":
    main()
