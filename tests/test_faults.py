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
import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from msprogress.db import Database
from msprogress.filters import Filters
from msprogress.ingest.__main__ import main as cli
from msprogress.ingest.build import build
from msprogress.ingest.guard import LOCK_NAME
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

# Cases of tests/bad_inputs/README.md that this module runs (the README check reads this list).
FAULT_CASES = (
    "deleted_parquet_while_serving",
    "truncated_parquet_while_serving",
    "full_disk",
    "read_only_snapshots_folder",
    "two_builds_at_once",
    "make_killed",
)
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
        before = ({"CURRENT", k.previous} if k.previous else set()) | {LOCK_NAME}  # the lock file stays
        # the build's spill folder (member rows on disk, ingest/spill.py) stays too; the next build sweeps it
        spill = f".tmp-spill-{k.pid}"
        assert EXPECTED_AT_KILL[k.stage](k, [e for e in k.seen if e not in before | {spill}]), _describe(k)
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


SERVING_DAMAGE = {  # damage done to the served snapshot while the app runs -> words of the banner
    "deleted parquet": (lambda s: (s / "grants.parquet").unlink(), "grants.parquet is missing"),
    "truncated parquet": (
        lambda s: (s / "trials.parquet").write_bytes((s / "trials.parquet").read_bytes()[:500]),
        "trials.parquet does not match its checksum",
    ),
}


@pytest.mark.parametrize("mode", list(SERVING_DAMAGE))
def test_snapshot_damaged_while_serving_switches_to_the_last_good(
    two_snapshots, tmp_path, app_on, mode
) -> None:
    """The app serves the newer snapshot (its database open, its queries cached); then a parquet
    file of it is deleted or cut short. The next run of any page shows the banner and serves the
    last good snapshot, without a restart; CURRENT is left for the operator."""
    root = tmp_path / "data"
    shutil.copytree(two_snapshots.root / "snapshots", root / "snapshots")
    app_on(root)
    at = _app()
    assert not _banner(at) and _all_ms_trials(at) == f"{two_snapshots.newer_trials:,}"
    damage, words = SERVING_DAMAGE[mode]
    damage(root / "snapshots" / two_snapshots.newer)
    for page in ("map", *PAGES):
        shown = _app(page=None if page == "overview" else page)
        assert not shown.exception, (page, shown.exception)
        banner = _banner(shown)
        assert f"snapshot {two_snapshots.newer}: {words}" in banner, (page, banner)
        assert (
            f"Showing the last good one, {two_snapshots.good}" in banner and "/" not in banner.split("(")[0]
        )
        captions = " ".join(c.value for c in shown.caption)
        assert f"Snapshot {two_snapshots.good}" in captions and two_snapshots.newer not in captions, page
    at.run()  # the session that was open before the damage follows too
    assert _all_ms_trials(at) == f"{two_snapshots.good_trials:,}"
    assert current_id(root / "snapshots") == two_snapshots.newer


def test_a_failed_read_marks_the_snapshot_bad_even_when_its_files_look_unchanged(
    two_snapshots, tmp_path, app_on, monkeypatch
) -> None:
    """A query that fails (here: DuckDB cannot read a file that a replacement kept the same size and
    time) re-verifies the snapshot: checksums fail, so the last good one serves the query.
    NOTE: small tables are held in memory when a snapshot is opened (db.IN_MEMORY_MAX_ROWS), so a
    damaged file of one cannot fail a query; here every table is read from its file, as the large
    tables of a real snapshot are."""
    from msprogress import data, db

    monkeypatch.setattr(db, "IN_MEMORY_MAX_ROWS", 0)
    root = tmp_path / "data"
    shutil.copytree(two_snapshots.root / "snapshots", root / "snapshots")
    app_on(root)
    assert data.run("headline_trials", Filters()).iloc[0]["trials"] == two_snapshots.newer_trials
    path = root / "snapshots" / two_snapshots.newer / "serve_trials.parquet"  # what headline_trials reads
    before = path.stat()
    path.write_bytes(b"\0" * before.st_size)  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same time: the stamp cannot tell
    st_clear_data()
    assert data.run("headline_trials", Filters()).iloc[0]["trials"] == two_snapshots.good_trials
    assert "serve_trials.parquet does not match its checksum" in (data.serving_notice() or "")


def st_clear_data() -> None:
    import streamlit as st

    st.cache_data.clear()


# ---------------------------------------------------------------------------------------------
# Build faults outside the data: a full disk, a read-only folder, two builds at once, make killed


def _cli_state(snaps: Path) -> tuple[str | None, list[str], list[str]]:
    """CURRENT, the snapshots, and what a build left in the folder (its lock file apart)."""
    left = sorted(p.name for p in snaps.glob(".*") if p.name != LOCK_NAME)
    return current_id(snaps), list_snapshots(snaps), left


def _disk_full(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    """The third table written fills the disk: the real OSError a full disk raises."""
    import pyarrow.parquet as pq

    import msprogress.ingest.build as b

    real, written = pq.write_table, []

    def write(table, where, **kw):
        written.append(where)
        if len(written) == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(where))
        real(table, where, **kw)

    monkeypatch.setattr(b.pq, "write_table", write)


def _read_only(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    """The snapshots folder refuses every new file: the OSError a read-only file system raises."""
    import msprogress.ingest.guard as g

    real = g.os.open

    def opener(path, flags, *args, **kw):
        if str(path).startswith(str(root / "snapshots")) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real(path, flags, *args, **kw)

    monkeypatch.setattr(g.os, "open", opener)


DISK_FAULTS = {  # injected in-process (test_disk_fault_*_real does it for real where it can)
    "full_disk": (_disk_full, "(No space left on device): free some disk space and build again"),
    "read_only_snapshots_folder": (
        _read_only,
        "(Read-only file system): the folder must be writable by the build",
    ),
}


@pytest.mark.parametrize("fault", list(DISK_FAULTS))
def test_disk_fault_ends_the_build_with_an_error_line(
    fault: str, tmp_path: Path, fixture_snapshot: Snapshot, monkeypatch, capsys
) -> None:
    root = _data_dir(tmp_path / "data", fixture_snapshot)
    before = _cli_state(root / "snapshots")
    inject, words = DISK_FAULTS[fault]
    inject(monkeypatch, root)
    monkeypatch.setenv("MSPROGRESS_DATA", str(root))
    capsys.readouterr()
    assert cli(["build"]) == 2
    err = capsys.readouterr().err
    assert f"error: cannot write to the snapshots folder snapshots {words}" in err, err
    assert "The current snapshot was not changed." in err and "Traceback" not in err
    assert _cli_state(root / "snapshots") == before


REAL_DISK = """
set -e
mount -t tmpfs -o size={size} tmpfs {snaps}
cp -r {good} {snaps}/
echo {gid} > {snaps}/CURRENT
{remount}
set +e
{python} -m msprogress.ingest build --raw {raw} --snapshots {snaps}
echo "exit=$?"
echo "current=$(cat {snaps}/CURRENT)"
ls -a {snaps}
"""


@pytest.mark.parametrize("fault", list(DISK_FAULTS))
def test_disk_fault_real(fault: str, tmp_path: Path, fixture_snapshot: Snapshot) -> None:
    """The same on a real file system: a tmpfs just big enough for the served snapshot (full), or
    remounted read-only, in a private mount namespace (`unshare`; skipped where it is refused)."""
    if not shutil.which("unshare"):
        pytest.skip("no unshare on this machine")
    root = _data_dir(tmp_path / "data", None)
    snaps = root / "snapshots"
    pages = sum(-(-p.stat().st_size // 4096) * 4096 for p in fixture_snapshot.path.iterdir())
    size = pages + 32 * 1024  # the served snapshot and a little: not a second snapshot
    script = REAL_DISK.format(
        size=size,
        snaps=snaps,
        good=fixture_snapshot.path,
        gid=fixture_snapshot.snapshot_id,
        remount=f"mount -o remount,ro {snaps}" if fault == "read_only_snapshots_folder" else "",
        python=sys.executable,
        raw=root / "raw",
    )
    cmd = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    if "exit=" not in out.stdout:
        pytest.skip(f"a private mount namespace is refused here: {out.stderr.strip()[:200]}")
    words = DISK_FAULTS[fault][1]
    assert "exit=2" in out.stdout and f"current={fixture_snapshot.snapshot_id}" in out.stdout, out
    assert "error: cannot write to the snapshots folder snapshots " + words in out.stderr, out.stderr
    assert "The current snapshot was not changed." in out.stderr and "Traceback" not in out.stderr
    assert ".tmp-" not in out.stdout and ".CURRENT." not in out.stdout  # nothing half-written left


def _lock_holder(snaps: Path, timeout: float = 120) -> int:
    """The pid written in the build lock, once a build holds it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = (snaps / LOCK_NAME).read_text() if (snaps / LOCK_NAME).is_file() else ""
        if text.split(" ")[0].isdigit():
            return int(text.split(" ")[0])
        time.sleep(0.05)
    raise AssertionError("no build took the lock")


def test_two_builds_at_once_are_serialised(tmp_path: Path, fixture_snapshot: Snapshot) -> None:
    root = _data_dir(tmp_path / "data", fixture_snapshot)
    snaps = root / "snapshots"
    env = {**os.environ, "MSPROGRESS_DATA": str(root), "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "msprogress.ingest", "build"]
    first = subprocess.Popen(
        cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert _lock_holder(snaps) == first.pid
    second = subprocess.Popen(
        cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    out1, out2 = first.communicate(timeout=600), second.communicate(timeout=600)
    assert (first.returncode, second.returncode) == (0, 0), (out1[1][-2000:], out2[1][-2000:])
    assert f"another build is running (pid {first.pid}, started " in out2[1], out2[1]
    assert "waiting for it to finish" in out2[1]
    current, ids, left = _cli_state(snaps)
    assert len(ids) == 3 and current == ids[-1] and left == []  # one after the other, the second last
    for sid in ids:
        open_snapshot(snaps, sid)


def test_killing_make_stops_its_build(tmp_path: Path, fixture_snapshot: Snapshot) -> None:
    """`make snapshot` killed with SIGKILL (its Python build is not signalled by anyone): the build
    notices its parent is gone, stops before CURRENT moves and cleans up what it staged."""
    if not shutil.which("make"):
        pytest.skip("no make")
    root = _data_dir(tmp_path / "data", fixture_snapshot)
    snaps = root / "snapshots"
    before = _cli_state(snaps)
    env = {**os.environ, "MSPROGRESS_DATA": str(root), "PYTHONPATH": str(REPO)}
    # -o: the venv is taken as made (this test is not about installing); PY: this interpreter
    cmd = [
        "make",
        "-s",
        "-C",
        str(REPO),
        "-o",
        ".venv/.installed",
        "-o",
        ".venv/.ok",
        "snapshot",
        f"PY={sys.executable}",
    ]
    make = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    build_pid = _lock_holder(snaps)
    assert _parent_of(build_pid) == make.pid, "make runs the build itself, no shell between them"
    make.kill()
    make.wait(timeout=30)
    deadline = time.monotonic() + 60
    while _alive(build_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(build_pid), "the build outlived its make"
    err = make.stderr.read() if make.stderr else ""
    assert f"error: the build was stopped: its parent process (pid {make.pid}, e.g. make) ended" in err, err
    assert "The current snapshot was not changed." in err
    assert _cli_state(snaps) == before


def _parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
