"""Reader for member societies' own grant files in `data/raw/member_grants/` (source `member_grants`),
and the writer of the blank template those files are made from.

Alliance staff drop `*.csv` (UTF-8, comma-separated) or `*.xlsx` files with the template's
columns (`validate.MEMBER_COLUMNS`; `data/raw/member_grants/README.md` explains them). The
files are typed by people, so this reader is strict about the file and forgiving per row:
a file it cannot read (not UTF-8, wrong delimiter, missing column, empty, not a workbook)
stops the build with a `SourceError` naming the file and what to do; a bad row becomes a
`Rejection` naming file, row, column and reason, and the other rows are kept.

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
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from pydantic import ValidationError

from msprogress import paths, schema
from msprogress.ingest import fx
from msprogress.ingest.base import FileRead, Rejection, SourceError, SourceResult, relpath
from msprogress.ingest.toolkit import check_header, fold_name, read_csv, table_frame
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


@dataclass(frozen=True)
class InputRow:
    row: int
    values: dict[str, Any]
    formula_column: str | None = None
    extra: tuple[str, ...] = ()  # CSV fields beyond the header's width


# ---------------------------------------------------------------------------------------------
# Reading


def read(raw_dir: Path) -> SourceResult:
    """All member files, in name order; a grant_id used twice (in any file) keeps its first row."""
    result = SourceResult(
        source_id=SOURCE_ID,
        title="Member societies' grants (files supplied by Alliance staff)",
        as_of="",  # nothing to date until a file arrives
        terms="Supplied by the member societies for the Alliance's own use.",
        url="",
    )
    grants: list[dict[str, Any]] = []
    projects: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for path in member_files(raw_dir):
        _read_file(path, raw_dir, seen, result, grants, projects)
    if grants:
        result.as_of = max(g["as_of"] for g in grants).isoformat()
    result.tables = {"grants": table_frame("grants", grants), "projects": table_frame("projects", projects)}
    return result


def _read_file(
    path: Path,
    raw_dir: Path,
    seen: dict[str, str],
    result: SourceResult,
    grants: list[dict[str, Any]],
    projects: list[dict[str, Any]],
) -> None:
    """Validate one file's rows into `grants`/`projects`; rejections and accounting into `result`."""
    file = relpath(path, raw_dir)
    as_of = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date()
    rows, ignored = _load(path, raw_dir)
    if ignored:
        result.notes.append(f"{file}: columns not in the template were ignored: {', '.join(ignored)}")
    kept = 0
    for item in rows:
        outcome = _validate(item, file, seen)
        if isinstance(outcome, Rejection):
            result.rejections.append(outcome)
            continue
        seen[outcome.grant_id] = f"{file} row {item.row}"
        grant, project = to_tables(outcome, path.stem, file, as_of)
        grants.append(grant)
        projects.extend([project] if project else [])
        kept += 1
    result.files.append(FileRead(file, sha256_file(path), len(rows), kept, len(rows) - kept))


def member_files(raw_dir: Path) -> list[Path]:
    """The .csv and .xlsx files of the member folder (README, dotfiles and Excel lock files skipped)."""
    folder = raw_dir / FOLDER
    if not folder.is_dir():
        return []
    files = []
    for p in sorted(folder.iterdir()):
        if not p.is_file() or p.name.startswith((".", "~$")) or p.name.lower() == "readme.md":
            continue
        suffix = p.suffix.lower()
        if suffix in UNSUPPORTED:
            raise SourceError(
                relpath(p, raw_dir), f"{suffix} files are not read: save it as .xlsx or 'CSV UTF-8'"
            )
        if suffix in (".csv", ".xlsx"):
            files.append(p)
    return files


def _load(path: Path, raw_dir: Path) -> tuple[list[InputRow], list[str]]:
    if path.suffix.lower() == ".xlsx":
        return _load_xlsx(path, raw_dir)
    table = read_csv(path, raw_dir, MEMBER_REQUIRED, MEMBER_COLUMN_NAMES, header_name=fold_name)
    rows = [InputRow(r.row, r.values, extra=r.extra) for r in table.rows]
    return rows, table.ignored_columns


def _validate(item: InputRow, file: str, seen: dict[str, str]) -> MemberGrantRow | Rejection:
    """The row as a model, or the one Rejection that explains its first fault."""
    if item.formula_column:
        formula = item.values[item.formula_column]
        return Rejection(
            file,
            item.row,
            item.formula_column,
            f"{item.formula_column}: formula in cell ({formula!r}); type the value instead",
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
        return rejection_from_validation(exc, file, item.row)
    if model.grant_id in seen:
        return Rejection(
            file,
            item.row,
            "grant_id",
            f"grant_id: duplicate ({model.grant_id!r} already used in {seen[model.grant_id]})",
        )
    return model


# ---------------------------------------------------------------------------------------------
# xlsx


def _load_xlsx(path: Path, raw_dir: Path) -> tuple[list[InputRow], list[str]]:
    file = relpath(path, raw_dir)
    try:
        wb = openpyxl.load_workbook(path, data_only=False)  # NOTE: small files; full mode gives row numbers
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise SourceError(file, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from exc
    try:
        ws = wb[DATA_SHEET] if DATA_SHEET in wb.sheetnames else wb.worksheets[0]
        rows = _sheet_rows(ws)
        first = next(rows, None)
        if first is None:
            raise SourceError(file, f"sheet '{ws.title}' is empty (expected a header row and data rows)")
        header = [fold_name(_cell_text(c)) for c in first[1]]
        check_header(file, header, MEMBER_REQUIRED, ",".join(h for h in header))
        ignored = [h for h in header if h and h not in MEMBER_COLUMN_NAMES]
        return [_xlsx_row(n, header, cells) for n, cells in rows if _nonblank(cells)], ignored
    finally:
        wb.close()


def _sheet_rows(ws: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(Excel row number, cells) of each row that has cells."""
    for cells in ws.iter_rows():
        if cells:
            yield cells[0].row, cells


def _nonblank(cells: tuple[Any, ...]) -> bool:
    return any(_cell_text(c) for c in cells)


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
            values[name] = _cell_text(cell)
    return InputRow(n, values, formula_column)


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


def to_tables(
    m: MemberGrantRow, stem: str, file: str, as_of: dt.date
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A validated row as (grants row, projects row or None); relevance and gap area classified
    from title and programme where the member left them empty."""
    key = f"member:{stem}:{m.grant_id}"
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
        **provenance,
    }
    return grant, project


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
