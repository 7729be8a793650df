"""Reader for member societies' own grant files in `data/raw/member_grants/` (source `member_grants`),
and the writer of the blank template those files are made from.

Alliance staff drop `*.csv` (UTF-8, comma-separated) or `*.xlsx` files with the template's
columns (`validate.MEMBER_COLUMNS`; `data/raw/member_grants/README.md` explains them). The
files are typed by people, so this reader is strict about the file and forgiving per row:
a file it cannot read (not UTF-8, wrong delimiter, missing column, empty, not a workbook)
stops the build with a `SourceError` naming the file and what to do; a bad row becomes a
`Rejection` naming file (and sheet), row, column and reason, and the other rows are kept.

Limits before work: a file over `MAX_FILE_BYTES`, with more than `MAX_ROWS` data rows, or a workbook
whose parts unpack to more than `MAX_UNPACKED_BYTES` (or a part to more than `MAX_ZIP_RATIO` times
its packed size) stops the build naming the file and the limit, before its rows are parsed. Rows
are streamed (CSV records, the workbook's XML), validated one at a time and written to disk in
chunks of `CHUNK_ROWS` (`toolkit.TableChunks` -> `spill.Spill`): of the rows already read the
build holds only each kept row's normalised id (`Seen`). Only files inside `data/raw/` are
read: a symbolic link that leaves it, or leads nowhere, stops the build.

A workbook is read as a person sees it: its first *visible* sheet (a visible sheet named `grants`,
the template's, comes first); hidden rows are skipped and counted; merged cells spread over one
column (a funder typed once for three rows) are filled into every row they cover, while merged
cells in `grant_id` or `amount`, or spread over several columns, reject the rows they cover with a
message that says "merged cells". Every message about a workbook names its sheet.

Grant ids: two ids are the same grant when they are equal after Unicode NFKC, case folding and
removing invisible characters (`toolkit.normalise_id`). An id repeated within a file rejects the
later row; an id already used by *another* member file stops the build naming both files and rows,
so a new file can never replace a row the served snapshot holds. A grant's key is
`member:<normalised id>`: the file's name is never part of a key.

NOTE: xlsx files are opened with `data_only=False`, so a cell holding a formula is seen as a
formula and its row rejected ("formula in cell"). Formulas are never evaluated: the cached
value Excel stored may be stale, and openpyxl cannot recompute it.
NOTE: a row's `as_of` is its file's modification date: the day the member last saved the list.
With no files there is nothing to date, and the empty result's `as_of` is empty (shown as missing).
NOTE: award rows also become projects; programme and call rows do not (as in the curated
files: a round total or a call is not a project).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

import openpyxl
from openpyxl.utils.cell import range_boundaries
from pydantic import ValidationError

from msprogress import paths, schema
from msprogress.ingest import fx
from msprogress.ingest.base import FileRead, Rejection, SourceError, SourceResult, relpath
from msprogress.ingest.toolkit import (
    RowError,
    TableChunks,
    check_ceiling,
    check_header,
    check_inside,
    check_size,
    check_zip,
    count_records,
    fold_name,
    normalise_id,
    open_csv,
)
from msprogress.ingest.validate import (
    MEMBER_COLUMN_NAMES,
    MEMBER_COLUMNS,
    MEMBER_REQUIRED,
    MemberGrantRow,
    rejection_from_validation,
)
from msprogress.manifest import sha256_file

SOURCE_ID = "member_grants"
FOLDER = "member_grants"
FUNDER_GROUP = "Member society"
TEMPLATE_STEM = "member_grants_template"
DATA_SHEET = "grants"
COLUMNS_SHEET = "columns"
LISTS_SHEET = "lists"  # hidden: the drop-down lists' values (some contain commas, so no inline lists)
# Spreadsheet formats people may save instead of .xlsx / .csv: refused with advice, not ignored.
UNSUPPORTED = (".xls", ".xlsm", ".xlsb", ".ods", ".numbers", ".tsv", ".txt")
# Limits for one member file (data/raw/member_grants/README.md states them). A member society's
# portfolio is hundreds to a few thousand grants; a file beyond these is a mistake or an attack.
MAX_FILE_BYTES = 50_000_000
MAX_ROWS = 100_000
MAX_UNPACKED_BYTES = 250_000_000  # a 100,000-row workbook unpacks to about 60 MB of XML
MAX_ZIP_RATIO = 100  # a spreadsheet program's XML packs 5 to 20 times; a zip bomb thousands of times
CHUNK_ROWS = 10_000  # rows held in memory before they are written to the spill (a row group)
# Columns a merged cell is never filled into: each row needs its own id and its own amount.
NOT_FILLED = ("grant_id", "amount")
# Columns whose workbook numbers are passed on as numbers (never re-read as text in some locale).
NUMERIC = ("amount", "year")


@dataclass(frozen=True)
class InputRow:
    row: int
    values: dict[str, Any]
    formula_column: str | None = None
    extra: tuple[str, ...] = ()  # CSV fields beyond the header's width
    merged: tuple[str | None, str] | None = None  # (column, reason) of merged cells that reject it


@dataclass
class Loaded:
    """A file's rows (streamed), as its reader found them: the sheet read, columns ignored, notes."""

    rows: Iterator[InputRow]
    sheet: str | None = None
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    hidden: int = 0


# ---------------------------------------------------------------------------------------------
# Reading


def read(raw_dir: Path) -> SourceResult:
    """All member files, in name order. An id used twice in one file keeps its first row; an id
    already used by another member file stops the build (see the module docstring)."""
    result = SourceResult(
        source_id=SOURCE_ID,
        title="Member societies' grants (files supplied by Alliance staff)",
        as_of="",  # nothing to date until a file arrives
        terms="Supplied by the member societies for the Alliance's own use.",
        url="",
    )
    grants, projects = TableChunks("grants", CHUNK_ROWS), TableChunks("projects", CHUNK_ROWS)
    seen = Seen(raw_dir)
    newest: dt.date | None = None
    for path in member_files(raw_dir):
        as_of = _read_file(path, raw_dir, seen, result, grants, projects)
        newest = as_of if newest is None or (as_of and as_of > newest) else newest
    if grants.rows and newest:
        result.as_of = newest.isoformat()
    result.spilled = {"grants": grants.spill(), "projects": projects.spill()}
    return result


class Seen:
    """The normalised ids the member files read so far kept, each with the file that kept it.
    NOTE: only the id and a file number per row (the rows themselves are on disk, `TableChunks`):
    the row number and the id as typed, for the message of a collision, are found by reading that
    file again (`first_use`), which only a failing build does."""

    def __init__(self, raw_dir: Path):
        self.raw_dir = raw_dir
        self.files: list[Path] = []
        self.ids: dict[str, int] = {}  # normalised id -> index in `files`

    def add(self, key: str, path: Path) -> None:
        if not self.files or self.files[-1] != path:
            self.files.append(path)
        self.ids[key] = len(self.files) - 1

    def first_use(self, key: str) -> tuple[str, str, int]:
        """(file, id as typed, row) of the kept row that holds `key`."""
        path = self.files[self.ids[key]]
        file = relpath(path, self.raw_dir)
        loaded = _load(path, self.raw_dir, file)
        mine: dict[str, int] = {}
        nobody = Seen(self.raw_dir)
        try:
            for item in loaded.rows:
                outcome = _validate(item, file, loaded.sheet, nobody, mine)
                if isinstance(outcome, MemberGrantRow):
                    found = normalise_id(outcome.grant_id)
                    if found == key:
                        return file, outcome.grant_id, item.row
                    mine[found] = item.row
        finally:
            close = getattr(loaded.rows, "close", None)
            if close:
                close()
        raise SourceError(file, f"grant id {key!r} was read from this file and is no longer in it")


def _read_file(
    path: Path,
    raw_dir: Path,
    seen: Seen,
    result: SourceResult,
    grants: TableChunks,
    projects: TableChunks,
) -> dt.date | None:
    """Validate one file's rows into `grants`/`projects`; rejections and accounting into `result`.
    Returns the file's date when it kept a row."""
    file = relpath(path, raw_dir)
    check_size(path, file, MAX_FILE_BYTES)
    as_of = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date()
    loaded = _load(path, raw_dir, file)
    if loaded.ignored:
        result.notes.append(f"{file}: columns not in the template were ignored: {', '.join(loaded.ignored)}")
    result.notes.extend(loaded.notes)
    mine: dict[str, int] = {}
    read_n = kept = 0
    for item in loaded.rows:
        read_n += 1
        outcome = _validate(item, file, loaded.sheet, seen, mine)
        if isinstance(outcome, Rejection):
            result.rejections.append(outcome)
            continue
        key = normalise_id(outcome.grant_id)
        seen.add(key, path)
        mine[key] = item.row
        grant, project = to_tables(outcome, file, as_of)
        grants.add(grant)
        if project:
            projects.add(project)
        kept += 1
    result.files.append(FileRead(file, sha256_file(path), read_n, kept, read_n - kept, loaded.hidden))
    return as_of if kept else None


def member_files(raw_dir: Path) -> list[Path]:
    """The .csv and .xlsx files of the member folder (README, dotfiles and Excel lock files skipped).
    A symbolic link that leads nowhere, or out of the raw folder, stops the build (toolkit.check_inside)."""
    folder = raw_dir / FOLDER
    if not folder.is_dir():
        return []
    files = []
    for p in sorted(folder.iterdir()):
        if p.name.startswith((".", "~$")) or p.name.lower() == "readme.md":
            continue
        check_inside(p, raw_dir)
        if not p.is_file():
            continue
        suffix = p.suffix.lower()
        if suffix in UNSUPPORTED:
            raise SourceError(
                relpath(p, raw_dir), f"{suffix} files are not read: save it as .xlsx or 'CSV UTF-8'"
            )
        if suffix in (".csv", ".xlsx"):
            files.append(p)
    return files


def _load(path: Path, raw_dir: Path, file: str) -> Loaded:
    if path.suffix.lower() == ".xlsx":
        return _load_xlsx(path, file)
    if count_records(path, MAX_ROWS) > MAX_ROWS:
        raise SourceError(file, _too_many_rows())
    table, records = open_csv(path, raw_dir, MEMBER_REQUIRED, MEMBER_COLUMN_NAMES, header_name=fold_name)
    rows = (InputRow(r.row, r.values, extra=r.extra) for r in records)
    return Loaded(rows, ignored=table.ignored_columns)


def _too_many_rows() -> str:
    return f"more than {MAX_ROWS:,} data rows, the limit for one file: split it into several files"


def _validate(
    item: InputRow, file: str, sheet: str | None, seen: Seen, mine: dict[str, int]
) -> MemberGrantRow | Rejection:
    """The row as a model, or the one Rejection that explains its first fault. An id another file
    already used is a SourceError (the build stops): see the module docstring."""
    if item.merged:
        column, reason = item.merged
        return Rejection(file, item.row, column, reason, sheet=sheet)
    if item.formula_column:
        formula = item.values[item.formula_column]
        return Rejection(
            file,
            item.row,
            item.formula_column,
            f"{item.formula_column}: formula in cell ({formula!r}); type the value instead",
            sheet=sheet,
        )
    if any(v.strip() for v in item.extra):
        return Rejection(
            file,
            item.row,
            None,
            f"row has {len(item.extra)} more field(s) than the header (an unquoted comma?)",
        )
    try:
        model = MemberGrantRow.model_validate({c: item.values.get(c) for c in MEMBER_COLUMN_NAMES})
    except ValidationError as exc:
        return rejection_from_validation(exc, file, item.row, sheet)
    key = normalise_id(model.grant_id)
    if key in mine:
        return Rejection(
            file,
            item.row,
            "grant_id",
            f"grant_id: duplicate ({model.grant_id!r} already used in {file} row {mine[key]})",
            sheet=sheet,
        )
    if key in seen.ids:
        other, typed, row = seen.first_use(key)
        raise SourceError(
            file,
            f"grant_id {model.grant_id!r} is already used by {other} row {row} ({typed!r}; ids are compared "
            "ignoring case, spacing and invisible characters): a grant id must be unique across all member "
            "files, so one file never replaces another's row; give one of them another id",
            row=item.row,
            column="grant_id",
            sheet=sheet,
        )
    try:
        check_ceiling(model.amount, _eur(model), model.currency)
    except RowError as err:
        return err.rejection(file, item.row, sheet=sheet)
    return model


def _eur(m: MemberGrantRow) -> float | None:
    value = fx.convert(m.amount, m.currency, m.year)["amount_eur"]
    return value if isinstance(value, float) else None


# ---------------------------------------------------------------------------------------------
# xlsx


@dataclass(frozen=True)
class SheetLayout:
    """What a person sees of a sheet that its cells do not say: hidden rows and merged ranges."""

    rows: int  # rows that hold cells
    hidden: frozenset[int]
    merged: tuple[tuple[str, int, int, int, int], ...]  # (ref, min_col, min_row, max_col, max_row)


def _load_xlsx(path: Path, file: str) -> Loaded:
    """Check the workbook's size and layout first (zip directory, then one pass over the sheet's
    XML that stops at the row limit), then stream its cells with openpyxl's read-only mode."""
    check_zip(path, file, MAX_UNPACKED_BYTES, MAX_ZIP_RATIO)
    with zipfile.ZipFile(path) as z:
        sheet, part, notes = _visible_sheet(z, file)
        layout = _layout(z, part, file, sheet)
    if layout.rows - 1 > MAX_ROWS:
        raise SourceError(file, _too_many_rows(), sheet=sheet)
    try:  # NOTE: read-only mode streams the sheet's XML instead of building every cell
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, ET.ParseError) as exc:
        raise SourceError(file, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from exc
    rows = _sheet_rows(wb[sheet])
    first = next(rows, None)
    if first is None:
        wb.close()
        raise SourceError(file, "sheet is empty (expected a header row and data rows)", sheet=sheet)
    header_row, cells = first
    header = [fold_name(_cell_text(c)) for c in cells]
    try:
        merges = _merge_plan(layout, header, header_row, file, sheet)  # merged header cells first
        check_header(file, header, MEMBER_REQUIRED, ",".join(h for h in header))
    except SourceError as exc:
        wb.close()
        raise SourceError(
            file, exc.rejection.reason, exc.rejection.row, exc.rejection.column, sheet
        ) from None
    hidden = sorted(r for r in layout.hidden if r > header_row)
    if hidden:
        shown = ", ".join(map(str, hidden[:10])) + (" …" if len(hidden) > 10 else "")
        notes.append(
            f"{file}, sheet '{sheet}': {len(hidden):,} hidden row(s) skipped (rows {shown}); unhide them to load them"
        )
    if merges.filled:
        notes.append(
            f"{file}, sheet '{sheet}': merged cells filled into the rows they cover: {', '.join(merges.filled)}"
        )
    ignored = [h for h in header if h and h not in MEMBER_COLUMN_NAMES]
    stream = _xlsx_rows(wb, rows, header, layout.hidden, merges)
    return Loaded(stream, sheet, ignored, notes, len(hidden))


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def _visible_sheet(z: zipfile.ZipFile, file: str) -> tuple[str, str, list[str]]:
    """The sheet a person sees first — a visible `grants` sheet, else the first visible one — as
    (name, zip part, notes), read from the workbook's own directory of sheets (a few kilobytes)."""
    try:
        book = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError) as exc:
        raise SourceError(file, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from exc
    targets = {r.get("Id"): str(r.get("Target", "")) for r in rels.iter(f"{{{PKG_REL_NS}}}Relationship")}
    sheets = [
        (str(sh.get("name")), sh.get("state") or "visible", targets.get(sh.get(f"{{{REL_NS}}}id"), ""))
        for sh in book.iter(f"{{{MAIN_NS}}}sheet")
    ]
    visible = [(name, target) for name, state, target in sheets if state == "visible"]
    if not visible:
        raise SourceError(file, "the workbook has no visible sheet: unhide the sheet with the grants")
    name, target = next(((n, t) for n, t in visible if n == DATA_SHEET), visible[0])
    part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    hidden = [n for n, state, _ in sheets if state != "visible" and n != LISTS_SHEET]
    notes = [f"{file}: hidden sheet(s) not read: {', '.join(repr(h) for h in hidden)}"] if hidden else []
    return name, part, notes


def _layout(z: zipfile.ZipFile, part: str, file: str, sheet: str) -> SheetLayout:
    """One streaming pass over the sheet's XML with expat (no tree is built): rows holding cells,
    hidden rows, merged ranges. It stops as soon as the rows exceed MAX_ROWS (+ the header)."""
    found = {"rows": 0}
    hidden: set[int] = set()
    merged: list[tuple[str, int, int, int, int]] = []

    class Enough(Exception):
        pass

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = name.rsplit(" ", 1)[-1]
        if tag == "row":
            found["rows"] += 1
            if attrs.get("hidden") in ("1", "true") or attrs.get("ht") in ("0", "0.0"):
                hidden.add(int(attrs.get("r") or found["rows"]))
            if found["rows"] > MAX_ROWS + 1:
                raise Enough
        elif tag == "mergeCell" and attrs.get("ref"):
            ref = attrs["ref"]
            try:
                c1, r1, c2, r2 = range_boundaries(ref)
            except (ValueError, TypeError):
                raise SourceError(
                    file, f"merged cells with an unreadable range ({ref!r})", sheet=sheet
                ) from None
            merged.append((ref, int(c1 or 1), int(r1 or 1), int(c2 or c1 or 1), int(r2 or r1 or 1)))

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    try:
        with z.open(part) as src:
            parser.ParseFile(src)
    except Enough:
        pass
    except (KeyError, expat.ExpatError) as exc:
        raise SourceError(
            file, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})", sheet=sheet
        ) from exc
    return SheetLayout(found["rows"], frozenset(hidden), tuple(merged))


@dataclass
class MergePlan:
    fill: dict[int, dict[str, tuple[int, int]]] = field(default_factory=dict)  # row -> column -> source cell
    reject: dict[int, tuple[str | None, str]] = field(default_factory=dict)  # row -> (column, reason)
    filled: list[str] = field(default_factory=list)  # refs filled


def _merge_plan(layout: SheetLayout, header: list[str], header_row: int, file: str, sheet: str) -> MergePlan:
    """What each merged range does: a range in the header stops the build; a range in one column
    (not grant_id or amount) is filled into every row it covers; any other rejects its rows."""
    plan = MergePlan()
    for ref, c1, r1, c2, r2 in layout.merged:
        if r1 <= header_row <= r2:
            raise SourceError(
                file,
                f"merged cells ({ref}) in the header row: unmerge them so that each column has its own name",
                row=header_row,
                sheet=sheet,
            )
        name = header[c1 - 1] if c1 - 1 < len(header) else None
        if r2 < header_row or not name:
            continue
        if c1 == c2 and name not in NOT_FILLED:
            for r in range(r1 + 1, r2 + 1):
                plan.fill.setdefault(r, {})[name] = (r1, c1)
            plan.filled.append(ref)
            continue
        why = (
            f"merged cells ({ref}) span several columns: unmerge them and type each value in its own cell"
            if c1 != c2
            else f"{name}: merged cells ({ref}): each row needs its own {name}; unmerge them and type it in every row"
        )
        for r in range(max(r1, header_row + 1), r2 + 1):
            plan.reject.setdefault(r, (None if c1 != c2 else name, why))
    return plan


def _sheet_rows(ws: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(Excel row number, cells) of each row that has a cell; read-only mode pads missing rows
    with empty ones, so the number is counted from the sheet's first row."""
    for n, cells in enumerate(ws.iter_rows(), start=ws.min_row or 1):
        if cells and any(_cell_text(c) for c in cells):
            yield getattr(cells[0], "row", None) or n, cells


def _xlsx_rows(
    wb: Any,
    rows: Iterator[tuple[int, tuple[Any, ...]]],
    header: list[str],
    hidden: frozenset[int],
    merges: MergePlan,
) -> Iterator[InputRow]:
    """The data rows as InputRows (hidden rows skipped), merged values filled in; closes the workbook."""
    tops: dict[tuple[int, int], Any] = {}  # merged ranges' top-left cells, as they pass
    wanted = {cell for cols in merges.fill.values() for cell in cols.values()}
    try:
        for n, cells in rows:
            for i, c in enumerate(cells, start=1):
                if (n, i) in wanted:
                    tops[(n, i)] = c
            if n in hidden:
                continue
            item = _xlsx_row(n, header, cells)
            filled = {name: tops.get(src) for name, src in merges.fill.get(n, {}).items()}
            if filled:
                values = item.values | {
                    k: _cell_value(c) if k in NUMERIC else _cell_text(c)
                    for k, c in filled.items()
                    if c is not None
                }
                item = InputRow(n, values, item.formula_column, merged=merges.reject.get(n))
            elif n in merges.reject:
                item = InputRow(n, item.values, item.formula_column, merged=merges.reject[n])
            yield item
    finally:
        wb.close()


def _xlsx_row(n: int, header: list[str], cells: tuple[Any, ...]) -> InputRow:
    values: dict[str, Any] = {}
    formula_column = None
    for name, cell in zip(header, cells, strict=False):
        if not name:
            continue
        if getattr(cell, "data_type", None) == "f" and formula_column is None:
            formula_column = name
            values[name] = str(cell.value)
        else:
            values[name] = _cell_value(cell) if name in NUMERIC else _cell_text(cell)
    return InputRow(n, values, formula_column)


def _cell_value(cell: Any) -> Any:
    """A cell as the member typed it: a number stays a number (never re-read as text in some
    locale), dates as YYYY-MM-DD, text trimmed."""
    v = getattr(cell, "value", cell)
    if isinstance(v, bool):
        return str(v).upper()
    if isinstance(v, int | float):
        return v
    return _cell_text(cell)


def _cell_text(cell: Any) -> str:
    """A cell as the text a person typed: dates as YYYY-MM-DD, whole numbers without '.0'."""
    v = getattr(cell, "value", cell)
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


# ---------------------------------------------------------------------------------------------
# Output rows


def to_tables(m: MemberGrantRow, file: str, as_of: dt.date) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A validated row as (grants row, projects row or None); relevance and gap area classified
    from title and programme where the member left them empty. The key is the normalised grant id
    (never the file's name); the coverage series is the funder's (`series_id`)."""
    key = f"member:{normalise_id(m.grant_id)}"
    relevance, gap = _classified(m)
    provenance = {"source": SOURCE_ID, "source_file": file, "as_of": as_of}
    project = None
    if m.record_type == "award":
        project = {
            "project_id": key,
            "title": m.title,
            "pi": m.pi,
            "organisation": m.organisation,
            "iso3": m.country,
            "start_date": m.start_date,
            "end_date": m.end_date,
            "funder": m.funder,
            "ms_relevance": relevance,
            "gap_area": gap,
            "url": m.url,
            **provenance,
        }
    grant = {
        "grant_id": key,
        "project_id": key if project else None,
        "funder": m.funder,
        "funder_group": FUNDER_GROUP,
        "programme": m.programme,
        "record_type": m.record_type,
        "year": m.year,
        "year_convention": m.year_convention,
        "start_date": m.start_date,
        "start_year": m.start_date.year if m.start_date else None,
        "end_year": m.end_date.year if m.end_date else None,
        "amount": m.amount,
        "currency": m.currency,
        "amount_basis": m.amount_basis,
        **fx.convert(m.amount, m.currency, m.year),
        "iso3": m.country,
        "ms_relevance": relevance,
        "gap_area": gap,
        "title": m.title,
        "url": m.url,
        "series_id": series_id(m.funder),
        **provenance,
    }
    return grant, project


def series_id(funder: str) -> str:
    """A member funder's coverage series: all its rows, in whichever member files they are."""
    return f"{SOURCE_ID}:{normalise_id(funder)}"


def _classified(m: MemberGrantRow) -> tuple[str, str | None]:
    from msprogress.ingest import classify

    text = " ".join(t for t in (m.title, m.programme) if t)
    relevance = m.ms_relevance or classify.ms_relevance(text)
    if relevance == "Not MS" and not m.ms_relevance:
        # NOTE: a member society funds MS research by mandate; a title that does not name MS
        # ("Microglia in remyelination") is MS research the text cannot show. Only the member
        # can say "Not MS", by writing it.
        relevance = "MS, not progression-specific"
    if relevance == "Not MS":
        return relevance, None
    return relevance, m.gap_area or classify.gap_area(text, relevance=relevance)


# ---------------------------------------------------------------------------------------------
# The blank template


def write_template(folder: Path | None = None) -> tuple[Path, Path]:
    """Write the blank template as CSV (header only) and xlsx (header, drop-down lists, and a
    'columns' sheet describing each column) into `folder` (default data/reference)."""
    folder = folder or paths.reference_dir()
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / f"{TEMPLATE_STEM}.csv"
    csv_path.write_text(",".join(MEMBER_COLUMN_NAMES) + "\n", encoding="utf-8")
    xlsx_path = folder / f"{TEMPLATE_STEM}.xlsx"
    _template_workbook().save(xlsx_path)
    return csv_path, xlsx_path


VOCAB_LISTS = {
    "record_type": schema.RECORD_TYPES,
    "year_convention": schema.YEAR_CONVENTIONS,
    "amount_basis": schema.AMOUNT_BASES,
    "ms_relevance": schema.RELEVANCE,
    "gap_area": schema.GAP_AREAS,
}


def _template_workbook() -> openpyxl.Workbook:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    ws.append(list(MEMBER_COLUMN_NAMES))
    ws.freeze_panes = "A2"
    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    for i, col in enumerate(MEMBER_COLUMNS, start=1):
        letter = get_column_letter(i)
        ws[f"{letter}1"].font = Font(bold=True)
        ws.column_dimensions[letter].width = max(14, len(col.name) + 4)
        if col.name in VOCAB_LISTS:
            values = VOCAB_LISTS[col.name]
            lists.append([col.name, *values])
            r = lists.max_row
            source = f"{LISTS_SHEET}!$B${r}:${get_column_letter(len(values) + 1)}${r}"
            dv = DataValidation(type="list", formula1=source, allow_blank=True)
            dv.add(f"{letter}2:{letter}5000")
            ws.add_data_validation(dv)
    info = wb.create_sheet(COLUMNS_SHEET, index=1)
    info.append(["column", "required", "allowed values", "description"])
    for col in MEMBER_COLUMNS:
        info.append([col.name, col.required, col.allowed, col.description])
    for letter, width in zip("ABCD", (18, 28, 50, 90), strict=True):
        info.column_dimensions[letter].width = width
        info[f"{letter}1"].font = Font(bold=True)
    fixed = dt.datetime(
        2025, 9, 25
    )  # NOTE: fixed document dates, so a regenerated file differs only if content does
    wb.properties.created = fixed
    wb.properties.modified = fixed
    return wb


if __name__ == "__main__":
    for p in write_template():
        print(f"wrote {p}")
