"""Kill harness for tests/test_faults.py: snapshot builds killed with SIGKILL at chosen moments.

Run as `python -m tests.fault_driver plan.json`. The plan lists data folders (raw sources plus a
snapshots folder each). This process imports the ingest code and reads the sources once (the
offline gazetteer alone takes seconds to load), then forks one child per case; each child is a
fresh process running the CLI's own `main(["build"])` from the start on its folder, and this
process kills it with SIGKILL:
- `stage` cases: pause hooks (below) stop the build at a named point; once it is there, the
  folder is listed (evidence of where it stopped) and the child is killed;
- `timed` cases: after a random delay within the duration of a normal build (measured first on an
  untouched `control` child), whatever the build is doing at that moment.
The report (JSON) gives, per case: exit code (-9 = killed), the delay, the folder at the kill.
NOTE: fork after the warm-up shares the loaded gazetteer; no thread pools run at that point.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

import msprogress.ingest.build as b
import msprogress.ingest.nih_reporter as nih_reporter
from msprogress.ingest.__main__ import main

STAGE: str | None = None  # set in each child
MARKER = Path()
_write, _rename, _replace = pq.write_table, os.rename, os.replace
_set_current, _read_nih = b.set_current, nih_reporter.read
_writes: list[str] = []


def _pause() -> None:
    part = MARKER.with_suffix(".part")
    part.write_text(f"{os.getpid()} {STAGE}")
    _replace(part, MARKER)
    while True:
        time.sleep(60)


def _read(raw_dir: Path) -> Any:
    if STAGE == "reading":  # third of ten readers
        _pause()
    return _read_nih(raw_dir)


def _write_table(table: Any, where: Any, **kw: Any) -> None:
    _writes.append(str(where))
    if STAGE == "staging-empty" and len(_writes) == 1:
        _pause()
    _write(table, where, **kw)
    if STAGE == "staging-partial" and len(_writes) == 4:  # three files whole, the fourth half-written
        data = Path(where).read_bytes()
        Path(where).write_bytes(data[: len(data) // 2])
        _pause()


def _rename_(src: Any, dst: Any, **kw: Any) -> None:
    if STAGE == "staging-complete" and Path(src).name.startswith(".tmp-"):
        _pause()
    _rename(src, dst, **kw)


def _set_current_(snapshots_dir: Path, snapshot_id: str, guard: Any = contextlib.nullcontext) -> None:
    if STAGE == "renamed":
        _pause()
    _set_current(snapshots_dir, snapshot_id, guard)


def _replace_(src: Any, dst: Any, **kw: Any) -> None:
    if STAGE == "pointer" and Path(src).name.startswith(".CURRENT."):
        _pause()
    _replace(src, dst, **kw)


def _install_hooks() -> None:
    nih_reporter.read = _read
    pq.write_table = _write_table
    os.rename = _rename_
    os.replace = _replace_
    b.set_current = _set_current_


def _fork(case: dict[str, Any]) -> int:
    global STAGE, MARKER
    pid = os.fork()
    if pid:
        return pid
    STAGE, MARKER = case.get("stage"), Path(case["root"]) / "paused"
    os.environ["MSPROGRESS_DATA"] = case["root"]
    code = 1
    try:
        code = main(["build"])
    finally:
        os._exit(code)


def _listing(root: str) -> dict[str, Any]:
    snaps = Path(root) / "snapshots"
    staging = [tmp for tmp in snaps.glob(".tmp-*") if not tmp.name.startswith(".tmp-spill-")]  # not the spill
    staged = {p.name: p.stat().st_size for tmp in staging for p in tmp.iterdir()}
    return {"seen": sorted(p.name for p in snaps.iterdir()), "staged": staged}


def _kill(pid: int) -> int:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def _paused(cases: list[dict[str, Any]], wait_s: float) -> dict[str, dict[str, Any]]:
    pids = {c["name"]: _fork(c) for c in cases}
    out: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + wait_s
    while len(out) < len(cases) and time.monotonic() < deadline:
        for c in cases:
            name = c["name"]
            if name not in out and (Path(c["root"]) / "paused").is_file():
                seen = _listing(c["root"])
                out[name] = {**seen, "pid": pids[name], "exit": _kill(pids[name])}
            elif name not in out and os.waitpid(pids[name], os.WNOHANG)[0]:
                out[name] = {"pid": pids[name], "exit": "ended before its pause point"}
        time.sleep(0.01)
    for c in cases:  # never reached its point in time: a failure the test reports
        if c["name"] not in out:
            out[c["name"]] = {"pid": pids[c["name"]], "exit": _kill(pids[c["name"]]), "timeout": True}
    return out


def run(plan: dict[str, Any]) -> dict[str, Any]:
    t0 = time.monotonic()
    b.run_readers(Path(plan["control"]["root"]) / "raw")  # warm-up: imports, gazetteer, lookups
    report: dict[str, Any] = {"warm_s": time.monotonic() - t0}
    _install_hooks()
    t1 = time.monotonic()
    pid = _fork(plan["control"])
    report["control"] = {"exit": os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])}
    report["build_s"] = build_s = time.monotonic() - t1
    report["cases"] = _paused(plan["paused"], plan["wait_s"])
    rng = random.Random(plan.get("seed"))
    for case in plan["timed"]:
        delay = rng.uniform(0.0, 1.0) * build_s
        pid = _fork(case)
        time.sleep(delay)
        seen = _listing(case["root"])
        report["cases"][case["name"]] = {**seen, "pid": pid, "delay_s": round(delay, 3), "exit": _kill(pid)}
    return report


if __name__ == "__main__":
    plan_path = Path(sys.argv[1])
    result = run(json.loads(plan_path.read_text()))
    plan_path.with_suffix(".report.json").write_text(json.dumps(result, indent=1))
