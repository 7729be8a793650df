"""Command line: `python -m msprogress.ingest build|list|use|verify`.

`build` reads every source under data/raw/ and writes a new snapshot (progress on stderr),
then lists each rejected row with its file, row, column and reason; on any error it prints the
file, row, column and reason and exits 2, and the snapshot being served is untouched. A disk that
is full or read-only is such an error; a second build waits for the first; a build whose parent
(`make snapshot`'s make) ends stops before it moves CURRENT.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tqdm import tqdm

from msprogress import changes, paths
from msprogress.ingest.base import Rejection, SourceError
from msprogress.ingest.build import BuildError, build, set_current
from msprogress.ingest.guard import ParentWatch
from msprogress.manifest import Manifest
from msprogress.snapshot import SnapshotError, current_id, list_snapshots, open_snapshot
from msprogress.style import percent


def _progress(items: Iterable, **kw: Any) -> Iterable:
    return tqdm(list(items), file=sys.stderr, leave=False, **kw)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m msprogress.ingest", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build a new snapshot from the raw sources")
    b.add_argument("--raw", type=Path, default=None, help="raw data folder (default data/raw)")
    b.add_argument("--snapshots", type=Path, default=None, help="snapshots folder (default data/snapshots)")
    b.add_argument("--no-current", action="store_true", help="do not point CURRENT at the new snapshot")
    sub.add_parser("list", help="list snapshots; * marks CURRENT")
    u = sub.add_parser("use", help="serve another snapshot")
    u.add_argument("snapshot_id")
    sub.add_parser("verify", help="check the current snapshot's checksums")
    args = ap.parse_args(argv)
    snaps = getattr(args, "snapshots", None) or paths.snapshots_dir()
    try:
        if args.cmd == "build":
            with ParentWatch() as watch:
                path = build(
                    args.raw or paths.raw_dir(),
                    snaps,
                    make_current=not args.no_current,
                    progress=_progress,
                    on_wait=_say,
                    guard=watch.swap,
                )
            summary(path)
        elif args.cmd == "list":
            cur = current_id(snaps)
            for sid in list_snapshots(snaps):
                print(("* " if sid == cur else "  ") + sid)
        elif args.cmd == "use":
            set_current(snaps, args.snapshot_id)
            print(f"CURRENT -> {args.snapshot_id}")
        elif args.cmd == "verify":
            snap = open_snapshot(snaps)
            print(f"{snap.snapshot_id}: {len(snap.manifest.tables)} tables, checksums OK")
    except (SourceError, BuildError, SnapshotError) as exc:
        _say(f"error: {exc}\nThe current snapshot was not changed.")
        return 2
    return 0


def _say(text: str) -> None:
    """A line on stderr; nothing when stderr is gone (make killed, its pipe closed)."""
    try:
        print(text, file=sys.stderr, flush=True)
    except OSError:
        pass


def summary(path: Path, notes_with: str | None = None, current: bool = False) -> None:
    """What the new snapshot holds: rows per source (and the notes containing `notes_with`), rows
    per table, agent coverage and the first rejected rows."""
    m = Manifest.read(path / "manifest.json")
    print(f"snapshot {m.snapshot_id} written to {path}" + (" and made CURRENT" if current else ""))
    for s in m.sources:
        print(
            f"  {s.source_id:<16} read {s.rows_read:>6}  kept {s.rows_kept:>6}  rejected {s.rows_rejected:>4}"
        )
        for note in s.notes:
            if notes_with and notes_with in note:
                print(f"  {'':<16} {note}")
    for t, info in m.tables.items():
        print(f"  table {t:<20} {info.rows:>7} rows")
    print(f"  agent coverage (progressive drug trials fully mapped): {percent(m.coverage.agents.share, 1)}")
    _rejected(path / m.tables["rejections"].file)
    if m.changes is not None:
        print("\n".join(changes.summary_lines(m.changes)))
    else:
        print("no earlier snapshot to compare with")


def _rejected(rejections_parquet: Path, shown: int = 30) -> None:
    """Each rejected row or value with its file, row, column and reason (the first `shown`)."""
    import pyarrow.parquet as pq

    rows = pq.read_table(rejections_parquet).to_pylist()
    for j in rows[:shown]:
        kind = "value left empty" if j["row_kept"] else "rejected"
        print(f"  {kind} {Rejection(j['file'], j['row'], j['column'], j['reason'])}")
    if len(rows) > shown:
        print(f"  … and {len(rows) - shown} more: see 'About the data' in the dashboard")


if __name__ == "__main__":
    sys.exit(main())
