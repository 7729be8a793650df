"""Registry API pulls as stored on disk: which pulls a reader uses, and reading their pages.

`python -m msprogress.refresh` stores each pull of a registry API as
`raw/<source>/<YYYY-MM-DD>/page-0001.json …` (each file one API response, byte for byte) with a
`progress.json` checkpoint: the query, the pages finished in order, where to continue, and
`"complete": true` once the last page is in. This module is the reading side of that layout,
shared by `ctgov_api` and `reporter_api`; `msprogress.refresh.pull` is the writing side.

Which pulls are read:
- only *complete* pulls: a pull still in progress (or interrupted) is left for the next refresh
  to resume and is named in the source's notes, never half-read;
- the newest complete pull; when that one is incremental (`"since"` set: only records changed
  since a date), the older complete pulls too, newest first, down to the newest full pull, so
  that a record is taken from the newest pull holding it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from msprogress.ingest.base import SourceError, relpath

CHECKPOINT = "progress.json"
PAGE_NAME = "page-{:04d}.json"
DATE_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Pull:
    """One dated pull folder and its checkpoint."""

    folder: Path
    date: dt.date
    checkpoint: dict[str, Any]

    @property
    def complete(self) -> bool:
        return self.checkpoint.get("complete") is True

    @property
    def since(self) -> str | None:
        return self.checkpoint.get("since")

    @property
    def pages(self) -> list[Path]:
        """The finished pages in the order they were fetched."""
        return [self.folder / p["file"] for p in self.checkpoint.get("pages", [])]


def pulls(raw_dir: Path, subfolder: str) -> list[Pull]:
    """Every dated folder under `raw_dir/subfolder` with a readable checkpoint, newest first."""
    folder = raw_dir / subfolder
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir(), reverse=True):
        if path.is_dir() and DATE_FOLDER.match(path.name):
            checkpoint = read_checkpoint(path)
            if checkpoint is not None:
                found.append(Pull(path, dt.date.fromisoformat(path.name), checkpoint))
    return found


def read_checkpoint(folder: Path) -> dict[str, Any] | None:
    """A folder's checkpoint, or None when it has none or it is not a JSON object."""
    try:
        data = json.loads((folder / CHECKPOINT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def pulls_to_read(raw_dir: Path, subfolder: str) -> tuple[list[Pull], list[str]]:
    """The complete pulls a reader uses (newest first, see module docstring) and notes on the
    pulls it leaves aside."""
    chosen: list[Pull] = []
    notes = []
    for pull in pulls(raw_dir, subfolder):
        if not pull.complete:
            notes.append(
                f"{relpath(pull.folder, raw_dir)}: download not finished ({len(pull.pages)} pages so far); "
                "not used until a refresh completes it."
            )
            continue
        if chosen and not chosen[-1].since:
            break
        chosen.append(pull)
    for pull in chosen:
        kind = f"records changed since {pull.since}" if pull.since else "full pull"
        notes.append(f"{relpath(pull.folder, raw_dir)}: {kind}, {len(pull.pages)} pages.")
    return chosen, notes


def load_page(path: Path, raw_dir: Path) -> Any:
    """A stored page's JSON; a missing or unparseable page is a SourceError naming it."""
    file = relpath(path, raw_dir)
    try:
        return json.loads(path.read_bytes())
    except FileNotFoundError as exc:
        raise SourceError(file, "page listed in progress.json is missing") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise SourceError(file, f"not valid JSON: {exc}") from exc


def records(data: Any, file: str, key: str) -> list[Any]:
    """The list under `key` of a page object, or a SourceError saying what the page holds instead."""
    if not isinstance(data, dict):
        raise SourceError(file, f"page is a JSON {type(data).__name__}, expected an object with '{key}'")
    value = data.get(key)
    if not isinstance(value, list):
        raise SourceError(file, f"page has no '{key}' list", column=key)
    return value


def dig(obj: Any, path: str) -> Any:
    """`dig(study, "protocolSection.statusModule.overallStatus")`; None where any step is missing."""
    for step in path.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(step)
    return obj
