"""Faults: a snapshot build killed at any moment, and a corrupt current snapshot.

Killed builds (harness: tests/fault_driver.py). Builds of a copy of the fixture sources are killed
with SIGKILL, so no clean-up code runs:
- at fixed points, deterministically: while reading the sources; staging folder just made; three
  tables written and a fourth half-written; every table and the manifest written but not renamed;
  renamed but CURRENT not yet replaced; the new CURRENT written beside the old one, not swapped in.
  The very first build (no snapshot before) is also killed just before and just after its rename;
- at random moments of a normal build (its duration measured on an untouched build first);
- and the real command, `python -m msprogress.ingest build`, at a random moment of its first
  seconds (cold start: imports and reading the sources).
After each kill: CURRENT still names the previous good snapshot (none if there was none), every
listed snapshot verifies (nothing partial is listed or served), `open_serving` and the CLI's
`verify` accept what is current, and the next build succeeds and removes what the killed one left.

Corrupt current snapshot. CURRENT names a newer snapshot that is then damaged (a truncated
parquet file, flipped bytes, a wrong checksum in the manifest, an unreadable manifest, a missing
file; or CURRENT itself garbled): the real app (AppTest) shows a banner naming the snapshot and the
problem, and serves every page from the older good snapshot, with that snapshot's figures.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from msprogress.db import Database
from msprogress.filters import Filters
from msprogress.ingest.__main__ import main as cli
from msprogress.ingest.build import build
from msprogress.snapshot import (
    Snapshot,
    SnapshotError,
    current_id,
    is_valid_id,
    list_snapshots,
    open_serving,
    open_snapshot,
)
from tests.conftest import FIXTURE_RAW, REPO
from tests.test_pages import PAGES, _app

STAGES = ("reading", "staging-empty", "staging-partial", "staging-complete", "renamed", "pointer")
FIRST_BUILD_STAGES = ("staging-complete", "renamed")
TIMED_KILLS = 4
WAIT_S = 240  # at most, for the whole harness (2 shared cores)


@dataclass
class Kill:
    """One killed build: its data folder, what was current before, and what was seen at the kill."""

    name: str
    root: Path
    previous: str | None
    stage: str | None = None
    delay_s: float | None = None
    exit: int | str | None = None
    pid: int | None = None
    seen: list[str] = field(default_factory=list)  # the snapshots folder's entries at the kill
    staged: dict[str, int] = field(default_factory=dict)  # staging folder: file -> bytes

    @property
    def snaps(self) -> Path:
        return self.root / "snapshots"


def _data_dir(root: Path, good: Snapshot | None) -> Path:
    """Raw fixture sources and, if given, a copy of a good snapshot made current."""
    shutil.copytree(FIXTURE_RAW, root / "raw")
    (root / "snapshots").mkdir()
    if good is not None:
        shutil.copytree(good.path, root / "snapshots" / good.snapshot_id)
        (root / "snapshots" / "CURRENT").write_text(good.snapshot_id + "\n")
    return root


def _run(args: list[str], root: Path) -> subprocess.Popen:
    env = {**os.environ, "MSPROGRESS_DATA": str(root), "PYTHONPATH": str(REPO)}
    log = (root.parent / f"{root.name}.log").open("wb")
    return subprocess.Popen([sys.executable, *args], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)


def _kill_real_command(k: Kill, proc: subprocess.Popen) -> None:
    """Kill `python -m msprogress.ingest build` now, noting what its snapshots folder held."""
    k.seen = sorted(p.name for p in k.snaps.iterdir())
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGKILL)
    k.pid, k.exit = proc.pid, proc.wait(timeout=30)  # reaped: a zombie would still count as alive


@pytest.fixture(scope="module")
def kills(tmp_path_factory: pytest.TempPathFactory, fixture_snapshot: Snapshot) -> dict[str, Kill]:
    """Every killed build of this module, done once by tests/fault_driver.py (one process)."""
    base = tmp_path_factory.mktemp("faults")
    good, gid = fixture_snapshot, fixture_snapshot.snapshot_id
    out = {"control": Kill("control", _data_dir(base / "control", good), gid)}
    out |= {s: Kill(s, _data_dir(base / s, good), gid, stage=s) for s in STAGES}
    out |= {
        f"first-build-{s}": Kill(f"first-build-{s}", _data_dir(base / f"first-{s}", None), None, stage=s)
        for s in FIRST_BUILD_STAGES
    }
    out |= {
        f"timed-{i}": Kill(f"timed-{i}", _data_dir(base / f"timed-{i}", good), gid)
        for i in range(TIMED_KILLS)
    }
    plan = {
        "control": {"name": "control", "root": str(out["control"].root)},
        "paused": [{"name": k.name, "root": str(k.root), "stage": k.stage} for k in out.values() if k.stage],
        "timed": [{"name": n, "root": str(k.root)} for n, k in out.items() if n.startswith("timed-")],
        "wait_s": WAIT_S,
    }
    (base / "plan.json").write_text(json.dumps(plan))
    # The real command, cold, killed at a random moment of its first seconds (imports, reading),
    # while the driver runs beside it.
    real = Kill(
        "real-command", _data_dir(base / "real-command", good), gid, delay_s=round(random.uniform(0.2, 4), 2)
    )
    timer = threading.Timer(
        real.delay_s or 0, _kill_real_command, (real, _run(["-m", "msprogress.ingest", "build"], real.root))
    )
    timer.start()
    proc = _run(["-m", "tests.fault_driver", str(base / "plan.json")], base / "control")
    assert proc.wait(timeout=WAIT_S + 120) == 0, (base / "control.log").read_text()[-3000:]
    timer.join()
    out["real-command"] = real
    report = json.loads((base / "plan.report.json").read_text())
    out["control"].exit = report["control"]["exit"]
    for name, r in report["cases"].items():
        k = out[name]
        k.exit, k.pid, k.delay_s = r["exit"], r["pid"], r.get("delay_s")
        k.seen, k.staged = r.get("seen", []), r.get("staged", {})
    return out


def _listed_snapshots_verify(snaps: Path) -> list[str]:
    ids = list_snapshots(snaps)
    for sid in ids:
        open_snapshot(snaps, sid)  # raises if any listed folder is partial or damaged
    return ids


def _describe(k: Kill) -> str:
    return f"{k.name}: delay {k.delay_s}s, exit {k.exit}, folder at kill {k.seen}, staging {k.staged}"


def test_control_build_moves_current(kills: dict[str, Kill]) -> None:
    """The control: untouched, the same harness makes a new snapshot current (so a kill that
    leaves CURRENT alone is the kill's doing, not a build that never ran)."""
    k = kills["control"]
    assert k.exit == 0
    new = current_id(k.snaps)
    assert new and k.previous and new != k.previous
    assert _listed_snapshots_verify(k.snaps) == sorted([k.previous, new])


EXPECTED_AT_KILL = {  # what the snapshots folder held when the build was killed, beyond the old snapshot
    "reading": lambda k, new: new == [] and not k.staged,
    "staging-empty": lambda k, new: _staging(new) and k.staged == {},
    "staging-partial": lambda k, new: _staging(new) and len(k.staged) == 4,
    "staging-complete": lambda k, new: _staging(new) and "manifest.json" in k.staged and len(k.staged) > 5,
    "renamed": lambda k, new: len(new) == 1 and is_valid_id(new[0]),
    "pointer": lambda k, new: len(new) == 2 and new[0].startswith(".CURRENT.") and is_valid_id(new[1]),
}


def _staging(new: list[str]) -> bool:
    return len(new) == 1 and new[0].startswith(".tmp-")


KILLED = [
    *STAGES,
    *(f"first-build-{s}" for s in FIRST_BUILD_STAGES),
    *(f"timed-{i}" for i in range(TIMED_KILLS)),
    "real-command",
]


@pytest.mark.parametrize("name", KILLED)
def test_killed_build_leaves_the_served_snapshot_intact(kills: dict[str, Kill], name: str) -> None:
    k = kills[name]
    assert k.exit == -signal.SIGKILL or (k.stage is None and k.exit == 0), _describe(k)
    if k.stage:  # the kill happened where intended
        before = {"CURRENT", k.previous} if k.previous else set()
        assert EXPECTED_AT_KILL[k.stage](k, [e for e in k.seen if e not in before]), _describe(k)
    ids = _listed_snapshots_verify(k.snaps)  # nothing partial is listed
    assert not any(is_valid_id(e) for e in k.seen if e.startswith(".")), "a staging name passes as an id"
    if k.previous is None:
        _check_first_build(k, ids)
        return
    current = current_id(k.snaps)
    if k.stage:  # every fixed point comes before CURRENT is swapped
        assert current == k.previous, _describe(k)
    else:  # a random moment: the old snapshot, or the new one once it was complete and swapped in
        assert current == k.previous or current in ids, _describe(k)
    snap, notice = open_serving(k.snaps)
    assert (snap.snapshot_id, notice) == (current, None)


def _check_first_build(k: Kill, ids: list[str]) -> None:
    """No snapshot before: still none current; a fully renamed one may be served, with a notice."""
    assert current_id(k.snaps) is None
    if k.stage == "staging-complete":
        assert ids == []
        with pytest.raises(SnapshotError, match="no CURRENT"):
            open_serving(k.snaps)
    else:
        snap, notice = open_serving(k.snaps)
        assert [snap.snapshot_id] == ids and notice and "could not be used" in notice


@pytest.mark.parametrize("name", KILLED)
def test_cli_verify_and_next_build_after_a_kill(
    kills: dict[str, Kill],
    name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    k = kills[name]
    root = tmp_path / "data"  # a copy: the state after the kill stays as it was for the other tests
    shutil.copytree(k.root, root, symlinks=True)
    k = Kill(k.name, root, k.previous, k.stage, pid=k.pid)
    monkeypatch.setenv("MSPROGRESS_DATA", str(k.root))
    if k.previous:
        assert cli(["verify"]) == 0
        assert f"{current_id(k.snaps)}: " in capsys.readouterr().out
    new = build(k.root / "raw", k.snaps).name
    assert current_id(k.snaps) == new and new not in (k.previous, None)
    assert cli(["verify"]) == 0 and "checksums OK" in capsys.readouterr().out
    assert new in _listed_snapshots_verify(k.snaps)
    leftovers = [e.name for e in k.snaps.iterdir() if e.name.startswith((".tmp-", ".CURRENT."))]
    assert leftovers == [], f"the next build left what the killed one (pid {k.pid}) staged: {leftovers}"


def test_a_live_builds_staging_folder_is_not_swept(tmp_path: Path, fixture_snapshot: Snapshot) -> None:
    """Only leftovers of dead processes are removed: a concurrent build's staging stays."""
    root = _data_dir(tmp_path / "d", fixture_snapshot)
    live = root / "snapshots" / f".tmp-20990101T000000000000Z-00000000-{os.getppid()}"
    live.mkdir()
    (live / "trials.parquet").write_bytes(b"in progress")
    build(root / "raw", root / "snapshots")
    assert (live / "trials.parquet").read_bytes() == b"in progress"


# ---------------------------------------------------------------------------------------------
# A corrupt current snapshot in the running app


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid : mid + 16] = bytes(b ^ 0xFF for b in data[mid : mid + 16])
    path.write_bytes(bytes(data))


def _wrong_checksum(snap: Path) -> None:
    m = json.loads((snap / "manifest.json").read_text())
    m["tables"]["projects"]["sha256"] = "0" * 64
    (snap / "manifest.json").write_text(json.dumps(m))


CORRUPTIONS = {  # mode -> (damage the newer snapshot folder, words the banner must contain)
    "truncated parquet": (
        lambda s: (s / "trials.parquet").write_bytes((s / "trials.parquet").read_bytes()[:500]),
        "trials.parquet does not match its checksum",
    ),
    "flipped bytes": (lambda s: _flip(s / "grants.parquet"), "grants.parquet does not match its checksum"),
    "wrong manifest checksum": (_wrong_checksum, "projects.parquet does not match its checksum"),
    "unreadable manifest": (
        lambda s: (s / "manifest.json").write_text((s / "manifest.json").read_text()[:200]),
        "manifest.json unreadable",
    ),
    "missing file": (lambda s: (s / "countries.parquet").unlink(), "countries.parquet is missing"),
}


@dataclass(frozen=True)
class TwoSnapshots:
    root: Path
    good: str  # older, intact
    newer: str  # CURRENT, to be damaged
    good_trials: int
    newer_trials: int


@pytest.fixture(scope="module")
def two_snapshots(tmp_path_factory: pytest.TempPathFactory, fixture_snapshot: Snapshot) -> TwoSnapshots:
    """The fixture snapshot, then a newer current one built from fewer ClinicalTrials.gov rows
    (its headline figures differ, so the page shows which one it serves)."""
    root = _data_dir(tmp_path_factory.mktemp("corrupt") / "base", fixture_snapshot)
    ctgov = next((root / "raw" / "ctgov").glob("*.csv"))
    with ctgov.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    with ctgov.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows[:21])
    newer = build(root / "raw", root / "snapshots").name

    def trials(sid: str) -> int:
        db = Database(open_snapshot(root / "snapshots", sid))
        return int(db.run("headline_trials", Filters().as_struct()).iloc[0]["trials"])

    two = TwoSnapshots(
        root, fixture_snapshot.snapshot_id, newer, trials(fixture_snapshot.snapshot_id), trials(newer)
    )
    assert two.good_trials != two.newer_trials
    return two


@pytest.fixture()
def corrupt_env(request: pytest.FixtureRequest, two_snapshots: TwoSnapshots, tmp_path: Path, app_on):
    """A copy of the two snapshots with the current one damaged as `request.param` says; the app
    pointed at it with empty caches."""
    root = tmp_path / "data"
    shutil.copytree(two_snapshots.root / "snapshots", root / "snapshots")
    damage, words = CORRUPTIONS[request.param]
    damage(root / "snapshots" / two_snapshots.newer)
    app_on(root)
    return two_snapshots, words


def _all_ms_trials(at) -> str:
    """The Overview's count of all MS trials (the context of its progressive-MS figure: 'of 3,513 MS trials')."""
    delta = next(m.proto.delta for m in at.metric if m.label == "Progressive-MS trials")
    return delta.removeprefix("of ").removesuffix(" MS trials")


def _banner(at) -> str:
    return " ".join(e.value for e in at.error)


@pytest.mark.parametrize("corrupt_env", list(CORRUPTIONS), indirect=True)
def test_corrupt_current_snapshot_shows_a_banner_and_serves_the_last_good(corrupt_env) -> None:
    two, words = corrupt_env
    at = _app()
    assert not at.exception, at.exception
    banner = _banner(at)
    assert f"snapshot {two.newer}" in banner and words in banner, banner
    assert f"Showing the last good one, {two.good}" in banner, banner
    shown = _all_ms_trials(at)
    assert shown == f"{two.good_trials:,}" != f"{two.newer_trials:,}"
    assert at.get("plotly_chart"), "the overview draws its figure from the good snapshot"


@pytest.mark.parametrize("corrupt_env", ["truncated parquet"], indirect=True)
def test_every_page_serves_the_last_good_snapshot(corrupt_env) -> None:
    two, words = corrupt_env
    for page in PAGES:
        at = _app(page=page)
        assert not at.exception, (page, at.exception)
        assert words in _banner(at), page
        figures = [*at.get("plotly_chart"), *at.get("deck_gl_json_chart"), *at.dataframe]
        assert figures, f"{page}: no figure or table rendered"
        captions = " ".join(c.value for c in at.caption)
        assert f"Snapshot {two.good}" in captions and two.newer not in captions, page


def test_garbled_current_pointer_falls_back(two_snapshots: TwoSnapshots, tmp_path: Path) -> None:
    snaps = tmp_path / "snapshots"
    shutil.copytree(two_snapshots.root / "snapshots", snaps)
    (snaps / "CURRENT").write_text("../../etc/passwd\n")
    snap, notice = open_serving(snaps)
    assert snap.snapshot_id == two_snapshots.newer  # the newest that verifies
    assert notice and "not a snapshot id" in notice


def test_no_servable_snapshot_shows_a_banner_not_a_traceback(two_snapshots, tmp_path, app_on) -> None:
    """Every snapshot damaged: each page stops with a banner naming the problem and the way out;
    no exception, nothing deleted."""
    root = tmp_path / "data"
    shutil.copytree(two_snapshots.root / "snapshots", root / "snapshots")
    for sid in (two_snapshots.good, two_snapshots.newer):
        _flip(root / "snapshots" / sid / "trials.parquet")
    app_on(root)
    for page in PAGES:
        at = _app(page=page)
        assert not at.exception, (page, at.exception)
        banner = _banner(at)
        assert "No data snapshot can be served" in banner and "trials.parquet" in banner, banner
        assert "make snapshot" in banner
    assert sorted(p.name for p in (root / "snapshots").iterdir() if p.is_dir()) == sorted(
        [two_snapshots.good, two_snapshots.newer]
    )


def test_a_new_build_is_served_without_a_restart(two_snapshots, tmp_path, app_on) -> None:
    """The running app follows CURRENT: after a build moves it, the next run serves the new
    snapshot (the database is cached per snapshot id, not per process)."""
    root = tmp_path / "data"
    shutil.copytree(two_snapshots.root / "snapshots", root / "snapshots")
    (root / "snapshots" / "CURRENT").write_text(two_snapshots.good + "\n")
    app_on(root)
    at = _app()
    figure = _all_ms_trials(at)
    assert figure == f"{two_snapshots.good_trials:,}"
    (root / "snapshots" / "CURRENT").write_text(two_snapshots.newer + "\n")
    at.run()
    assert not at.exception, at.exception
    figure = _all_ms_trials(at)
    assert figure == f"{two_snapshots.newer_trials:,}"
