"""Finding, verifying and choosing the snapshot to serve.

`CURRENT` names the snapshot the app serves. Opening a snapshot checks that its manifest
parses and that every table file exists with the checksum the manifest records, so a
truncated or tampered file is caught before any query runs. `open_serving` falls back to the
newest snapshot that verifies when CURRENT does not (or was found damaged while serving: `bad`),
and says so. `stamp` is a cheap fingerprint of a snapshot's files (size and modification time),
so the app notices a file deleted, cut short or replaced under a running server at its next run.

NOTE: messages name snapshots by id and files by name, never by the server's absolute path: they
are shown in the app's banner.
"""

from __future__ import annotations

from collections.abc import Mapping
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
        raise SnapshotError("no CURRENT snapshot in the snapshots folder; run `make snapshot`")
    if not is_valid_id(sid):
        raise SnapshotError(f"not a snapshot id: {sid[:80]!r}")
    path = snapshots_dir / sid
    try:
        manifest = Manifest.read(path / "manifest.json")
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SnapshotError(f"snapshot {sid}: manifest.json unreadable ({where}: {first['msg']})") from exc
    except OSError as exc:
        raise SnapshotError(
            f"snapshot {sid}: manifest.json unreadable ({exc.strerror or type(exc).__name__})"
        ) from exc
    except ValueError as exc:
        raise SnapshotError(f"snapshot {sid}: manifest.json unreadable ({exc})") from exc
    snap = Snapshot(sid, path, manifest)
    if verify:
        for info in manifest.tables.values():
            file = path / info.file
            if not file.is_file():
                raise SnapshotError(f"snapshot {sid}: {info.file} is missing")
            try:
                digest = sha256_file(file)
            except OSError as exc:
                raise SnapshotError(
                    f"snapshot {sid}: {info.file} cannot be read ({exc.strerror or type(exc).__name__})"
                ) from exc
            if digest != info.sha256:
                raise SnapshotError(
                    f"snapshot {sid}: {info.file} does not match its checksum in manifest.json"
                )
    return snap


def open_serving(snapshots_dir: Path, bad: Mapping[str, str] | None = None) -> tuple[Snapshot, str | None]:
    """The snapshot to serve and, when CURRENT could not be used, a notice saying why. `bad` maps
    the ids of snapshots found damaged while serving to why; they are never chosen."""
    bad = bad or {}
    cur = current_id(snapshots_dir)
    try:
        if cur is not None and cur in bad:
            raise SnapshotError(bad[cur])
        return open_snapshot(snapshots_dir), None
    except SnapshotError as first:
        for sid in reversed(list_snapshots(snapshots_dir)):
            if sid == cur or sid in bad:
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


def stamp(snap: Snapshot) -> tuple[tuple[str, int, int], ...]:
    """(file, size, modification time) of each table file: what changes when a file is deleted,
    cut short or replaced. A file that is gone stamps as (file, -1, -1)."""
    out = []
    for info in snap.manifest.tables.values():
        try:
            st = (snap.path / info.file).stat()
            out.append((info.file, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((info.file, -1, -1))
    return tuple(out)
