"""One registry pull: fetch page after page, check each, store it, checkpoint, resume.

A pull lives in `raw/<source>/<YYYY-MM-DD>/` (layout: `msprogress.ingest.api_pages`). After each
page is checked it is written (to a temporary name, then renamed), and only then is the
checkpoint `progress.json` rewritten (the same way) with the page, its request cursor and the
cursor of the next page. So at any moment the checkpoint names only pages that are on disk, and
a run that stops — killed, a malformed page, retries exhausted — leaves a folder the next run
continues from the next cursor without fetching a finished page again.

Which folder a run uses:
1. an unfinished pull of the same query (any date): resumed (`restart=True`: started over);
2. otherwise today's folder; if it already holds a complete pull, nothing is fetched (unless
   `restart`);
3. the folder is created, or an old pull in it removed, only when the first page has arrived
   and passed its check, so a run that cannot connect leaves everything as it was.

NOTE: a page whose body is not JSON or lacks the keys the registry documents stops the pull
with a `MalformedPage` error naming the page; its body is kept beside the good pages as
`page-NNNN.malformed` for inspection, and the checkpoint still points at that page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from msprogress.ingest.api_pages import CHECKPOINT, PAGE_NAME, Pull, pulls
from msprogress.refresh.http import Client, RefreshError

Cursor = dict[str, Any]


class MalformedPage(RefreshError):
    """A page that is not what the registry documents (not JSON, expected keys missing)."""


class Source(Protocol):
    """What `run` needs to know of a registry (see `refresh.ctgov`, `refresh.reporter`)."""

    source_id: str  # also the folder name under raw/
    unit: str  # what a record is, for the progress bar
    query: dict[str, Any]  # everything asked except the cursor; a resumed pull must match it
    since: str | None  # ISO date for an incremental pull, else None
    first_cursor: Cursor

    def fetch(self, client: Client, cursor: Cursor) -> bytes: ...

    def check(self, data: Any) -> str | None:
        """What is wrong with a parsed page, or None."""

    def records(self, data: Any) -> int: ...

    def next_cursor(self, data: Any, cursor: Cursor) -> Cursor | None: ...

    def total(self, data: Any) -> int | None: ...

    def describe(self, cursor: Cursor) -> str: ...


@dataclass
class Outcome:
    """What a run did: the folder, and how many pages it fetched now and holds in all."""

    folder: Path
    fetched: int
    pages: int
    records: int
    resumed: bool = False
    skipped: bool = False


class Bar(Protocol):
    total: float | None

    def update(self, n: int) -> Any: ...
    def close(self) -> Any: ...
    def set_description(self, desc: str) -> Any: ...


def run(
    source: Source,
    client: Client,
    raw_dir: Path,
    today: dt.date,
    *,
    restart: bool = False,
    bar: Callable[..., Bar] | None = None,
    log: Callable[[str], None] = print,
) -> Outcome:
    """Bring `source`'s pull to completion (see module docstring)."""
    folder, checkpoint, resumed, stale = _choose(source, raw_dir, today, restart, log)
    if checkpoint.get("complete"):
        other = (
            "" if checkpoint.get("query") == source.query else " (of another query; --restart replaces it)"
        )
        log(f"{source.source_id}: {folder.name} already holds a complete pull{other}; not fetched again")
        return Outcome(folder, 0, len(checkpoint["pages"]), _records(checkpoint), skipped=True)
    done = _records(checkpoint)
    progress = (bar or _NoBar)(
        desc=source.source_id, unit=source.unit, initial=done, total=checkpoint.get("total")
    )
    fetched = 0
    try:
        cursor: Cursor | None = checkpoint["next"]
        while cursor is not None:
            progress.set_description(f"{source.source_id} {source.describe(cursor)}")
            data, raw = _fetch_checked(source, client, cursor, folder, len(checkpoint["pages"]) + 1)
            if stale:  # the old pull in today's folder goes only once a new page has arrived
                _clear(folder)
                stale = False
            cursor = _store(source, folder, checkpoint, cursor, data, raw)
            fetched += 1
            if progress.total is None and checkpoint.get("total") is not None:
                progress.total = checkpoint["total"]  # known from the first page (ClinicalTrials.gov)
            progress.update(source.records(data))
    finally:
        progress.close()
    checkpoint["complete"] = True
    _save(folder, checkpoint)
    return Outcome(folder, fetched, len(checkpoint["pages"]), _records(checkpoint), resumed=resumed)


def _choose(
    source: Source, raw_dir: Path, today: dt.date, restart: bool, log: Callable[[str], None]
) -> tuple[Path, dict[str, Any], bool, bool]:
    """(folder, checkpoint, resumed, stale): `stale` when today's folder holds a pull to replace."""
    existing = pulls(raw_dir, source.source_id)
    unfinished = [p for p in existing if not p.complete and p.checkpoint.get("query") == source.query]
    if unfinished and not restart:
        pull = unfinished[0]
        checkpoint = _verified(pull, log)
        log(
            f"{source.source_id}: resuming {pull.folder.name} at page {len(checkpoint['pages']) + 1} "
            f"({len(checkpoint['pages'])} pages already here)"
        )
        return pull.folder, checkpoint, True, False
    folder = raw_dir / source.source_id / today.isoformat()
    same_day = next((p for p in existing if p.folder == folder), None)
    if same_day is not None and same_day.complete and not restart:
        return folder, same_day.checkpoint, False, False
    if same_day is not None:
        why = "restarted" if restart else "an unfinished pull of another query"
        log(f"{source.source_id}: {folder.name} will be started over ({why})")
    return folder, _new_checkpoint(source), False, same_day is not None


def _new_checkpoint(source: Source) -> dict[str, Any]:
    stamp = _now()
    return {
        "source": source.source_id,
        "query": source.query,
        "since": source.since,
        "started_at": stamp,
        "updated_at": stamp,
        "complete": False,
        "total": None,
        "next": source.first_cursor,
        "pages": [],
    }


def _verified(pull: Pull, log: Callable[[str], None]) -> dict[str, Any]:
    """The checkpoint cut back to its pages still on disk with their recorded checksum."""
    checkpoint = pull.checkpoint
    for i, page in enumerate(checkpoint["pages"]):
        path = pull.folder / page["file"]
        if not path.is_file() or _sha256(path.read_bytes()) != page["sha256"]:
            log(f"{page['file']} is missing or changed: fetching again from there")
            checkpoint["pages"] = checkpoint["pages"][:i]
            checkpoint["next"] = page["cursor"]
            break
    return checkpoint


def _fetch_checked(
    source: Source, client: Client, cursor: Cursor, folder: Path, number: int
) -> tuple[Any, bytes]:
    raw = source.fetch(client, cursor)
    where = f"{source.source_id} page {number} ({source.describe(cursor)})"
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        problem: str | None = f"not valid JSON ({exc})"
    else:
        problem = source.check(data)
        if problem is None:
            return data, raw
    kept = ""
    if folder.is_dir():
        bad = folder / PAGE_NAME.format(number).replace(".json", ".malformed")
        bad.write_bytes(raw)
        kept = f"; the response is kept as {bad}"
    raise MalformedPage(f"{where}: {problem}{kept}")


def _store(
    source: Source, folder: Path, checkpoint: dict[str, Any], cursor: Cursor, data: Any, raw: bytes
) -> Cursor | None:
    folder.mkdir(parents=True, exist_ok=True)
    name = PAGE_NAME.format(len(checkpoint["pages"]) + 1)
    _write_atomic(folder / name, raw)
    (folder / name.replace(".json", ".malformed")).unlink(missing_ok=True)
    nxt = source.next_cursor(data, cursor)
    total = source.total(data)
    checkpoint["pages"].append(
        {
            "file": name,
            "cursor": cursor,
            "records": source.records(data),
            "total": total,
            "sha256": _sha256(raw),
        }
    )
    if checkpoint.get("total") is None and total is not None and not checkpoint["pages"][:-1]:
        checkpoint["total"] = total
    checkpoint["next"] = nxt
    _save(folder, checkpoint)
    return nxt


def _save(folder: Path, checkpoint: dict[str, Any]) -> None:
    checkpoint["updated_at"] = _now()
    _write_atomic(folder / CHECKPOINT, json.dumps(checkpoint, indent=2).encode())


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _clear(folder: Path) -> None:
    for path in list(folder.glob("page-*")) + [folder / CHECKPOINT]:
        path.unlink(missing_ok=True)


def _records(checkpoint: dict[str, Any]) -> int:
    return sum(p.get("records", 0) for p in checkpoint.get("pages", []))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class _NoBar:
    def __init__(self, **_: Any):
        self.total: float | None = None

    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass

    def set_description(self, desc: str) -> None:
        pass
