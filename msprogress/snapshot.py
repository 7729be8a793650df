"""Finding, verifying and choosing the snapshot to serve.

`CURRENT` names the snapshot the app serves. Opening a snapshot checks that its manifest
parses and that every table file exists with the checksum the manifest records, so a
truncated or tampered file is caught before any query runs. `open_serving` falls back to the
newest snapshot that verifies when CURRENT does not, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from msprogress.manifest import Manifest, sha256_file

SNAPSHOT_ID_CHARS = set("0123456789TZabcdef-")


class SnapshotError(Exception):
    """A snapshot is missing, unreadable or does not match its manifest."""


@dataclass(frozen=True)
class Snapshot:
    snapshot_id: str
    path: Path
    manifest: Manifest = field(hash=False, compare=False)

    def table_path(self, table: str) -> Path:
        return self.path / self.manifest.tables[table].file

    @property
    def tables(self) -> list[str]:
        return list(self.manifest.tables)


def current_id(snapshots_dir: Path) -> str | None:
    pointer = snapshots_dir / "CURRENT"
    return pointer.read_text().strip() or None if pointer.is_file() else None


def list_snapshots(snapshots_dir: Path) -> list[str]:
    """Snapshot ids, oldest first (ids start with their UTC creation time)."""
    if not snapshots_dir.is_dir():
        return []
    return sorted(p.name for p in snapshots_dir.iterdir() if p.is_dir() and not p.name.startswith("."))


def is_valid_id(snapshot_id: str) -> bool:
    return 0 < len(snapshot_id) <= 64 and set(snapshot_id) <= SNAPSHOT_ID_CHARS


def open_snapshot(snapshots_dir: Path, snapshot_id: str | None = None, verify: bool = True) -> Snapshot:
    sid = snapshot_id or current_id(snapshots_dir)
    if not sid:
        raise SnapshotError(f"no CURRENT snapshot in {snapshots_dir}; run `make snapshot`")
    if not is_valid_id(sid):
        raise SnapshotError(f"not a snapshot id: {sid[:80]!r}")
    path = snapshots_dir / sid
    try:
        manifest = Manifest.read(path / "manifest.json")
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SnapshotError(f"snapshot {sid}: manifest.json unreadable ({where}: {first['msg']})") from exc
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"snapshot {sid}: manifest.json unreadable ({exc})") from exc
    snap = Snapshot(sid, path, manifest)
    if verify:
        for info in manifest.tables.values():
            file = path / info.file
            if not file.is_file():
                raise SnapshotError(f"snapshot {sid}: {info.file} is missing")
            if sha256_file(file) != info.sha256:
                raise SnapshotError(
                    f"snapshot {sid}: {info.file} does not match its checksum in manifest.json"
                )
    return snap


def open_serving(snapshots_dir: Path) -> tuple[Snapshot, str | None]:
    """The snapshot to serve and, when CURRENT could not be used, a notice saying why."""
    try:
        return open_snapshot(snapshots_dir), None
    except SnapshotError as first:
        cur = current_id(snapshots_dir)
        for sid in reversed(list_snapshots(snapshots_dir)):
            if sid == cur:
                continue
            try:
                snap = open_snapshot(snapshots_dir, sid)
            except SnapshotError:
                continue
            return (
                snap,
                f"The current snapshot could not be used ({first}). Showing the last good one, {sid}.",
            )
        raise
