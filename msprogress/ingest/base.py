"""Types every source reader shares: rejected rows, fatal source errors, and results.

A reader never drops a row silently: a row it cannot use becomes a `Rejection` naming
file, row, column and reason, and the manifest counts them. A file it cannot read at all
raises `SourceError` with the same four facts, and the build stops before touching any
snapshot.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from msprogress.ingest.spill import Spill


@dataclass(frozen=True)
class Rejection:
    """One input row not kept, and why. `row` is the 1-based line/record number in the file
    (header = row 1 for CSV), or None when the reason concerns the whole file. With `row_kept`
    the row itself was kept and only the value in `column` was left empty (a date that could not
    be read, an unknown country): recorded so that nothing is lost silently."""

    file: str
    row: int | None
    column: str | None
    reason: str
    row_kept: bool = False
    sheet: str | None = None  # the sheet read, for a workbook

    @property
    def place(self) -> str:
        """The file, and the sheet of a workbook: `member_grants/x.xlsx, sheet 'grants'`."""
        return self.file + (f", sheet '{self.sheet}'" if self.sheet is not None else "")

    def __str__(self) -> str:
        where = self.place + (f", row {self.row}" if self.row is not None else "")
        col = f", column '{self.column}'" if self.column else ""
        return f"{where}{col}: {self.reason}"


class SourceError(Exception):
    """A source file that cannot be read at all (missing, empty, wrong columns, bad encoding)."""

    def __init__(
        self,
        file: str | Path,
        reason: str,
        row: int | None = None,
        column: str | None = None,
        sheet: str | None = None,
    ):
        self.rejection = Rejection(str(file), row, column, reason, sheet=sheet)
        super().__init__(str(self.rejection))


@dataclass
class FileRead:
    """What was read from one file: its path relative to the raw folder, checksum and counts."""

    path: str
    sha256: str
    rows_read: int
    rows_kept: int
    rows_rejected: int
    rows_hidden: int = 0  # a workbook's hidden rows, skipped (not read)


@dataclass
class SourceResult:
    """A reader's output: partial canonical tables plus accounting for the manifest.

    `tables` maps a canonical table name (see `msprogress.schema.TABLES`) to the rows this
    source contributes; columns not supplied are filled with nulls by the build. A reader of
    large files puts a table's rows in `spilled` instead (on disk, already in the table's schema:
    `msprogress.ingest.spill`); `frame(table)` gives either as a DataFrame.
    """

    source_id: str
    title: str
    as_of: str  # ISO date the source data were retrieved or published
    terms: str
    url: str
    files: list[FileRead] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    spilled: dict[str, Spill] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # funding sources: (series_id, year, coverage 'complete'/'partial', basis) for each year with
    # records (see msprogress/ingest/coverage.py)
    coverage: list[dict[str, Any]] = field(default_factory=list)

    def frame(self, table: str) -> pd.DataFrame:
        """The table's rows as a DataFrame, in memory or spilled (loading a spill whole: for
        small results and tests, never in the build); KeyError when the source gave none."""
        if table in self.spilled:
            return self.spilled[table].frame()
        return self.tables[table]

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_kept(self) -> int:
        return sum(f.rows_kept for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)


def relpath(path: Path, raw_dir: Path) -> str:
    """A file's path as the manifest and error messages show it: relative to `raw_dir`, with any
    control or invisible character in a name (a newline, a right-to-left mark) written as `<U+200F>`,
    so a name can neither break a message's line nor reorder what a terminal shows.
    NOTE: a symbolic link is named as it sits in the folder, not by its target."""
    try:
        rel = path.absolute().relative_to(raw_dir.absolute()).as_posix()
    except ValueError:
        rel = path.name
    return "".join(
        f"<U+{ord(c):04X}>" if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in rel
    )
