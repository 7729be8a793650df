"""The bad-input corpus (issue 5, point 1): every case listed in tests/bad_inputs/README.md.

Source files. Each case starts from a data folder that already serves a good snapshot built
from `tests/fixtures/raw`, adds its bad file(s) to `raw/` (or removes one), and runs the real
build through the CLI (`python -m msprogress.ingest build`, called in-process):
- a file that cannot be read stops the build with ONE message naming file, row, column and
  reason; the CLI exits 2, and CURRENT and the list of snapshots are as they were;
- a bad row is rejected with its file, row, column and reason: listed by the CLI, counted in the
  manifest (`rows_rejected`, `rejections_by_reason`), stored in the snapshot's rejections table
  and shown on the About page, while every other row of the file is kept as typed.
Snapshots. A truncated parquet file and a manifest checksum that does not match: the app shows a
banner naming the file and serves the previous snapshot; `verify` exits 2 naming the file.
URLs. `tests/bad_inputs/urls.csv`, each link opened with AppTest (`tests.test_pages._app`): no
exception, the notices the file lists, and the filters the page used.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

import openpyxl
import pyarrow.parquet as pq
import pytest

from msprogress.filters import Filters
from msprogress.ingest import member_grants
from msprogress.ingest.__main__ import main as cli
from msprogress.ingest.base import relpath
from msprogress.ingest.build import build
from msprogress.ingest.guard import LOCK_NAME
from msprogress.ingest.toolkit import normalise_id
from msprogress.snapshot import current_id, list_snapshots, open_serving
from tests.bad_inputs.make_corpus import _workbook, pad_part
from tests.conftest import FIXTURES
from tests.test_faults import FAULT_CASES
from tests.test_member_grants import good_alliance_rows, write_csv
from tests.test_pages import _app, _metric

TESTS = Path(__file__).parent
CORPUS = TESTS / "bad_inputs"


# --- the cases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """Where a message must point (file relative to raw/, row, column) and words of its reason;
    `kind` is how the manifest counts it (`rejections_by_reason`)."""

    file: str
    row: int | None
    column: str | None
    words: str
    kind: str = ""
    drops_row: bool = True  # False: the value is left empty and the row kept (registry exports)
    sheet: str | None = None  # the sheet a workbook's message names


def _long_title(raw: Path) -> None:
    rows = good_alliance_rows()
    title = ((rows[17]["title"] + " ") * 1000)[:99_999] + "."  # 100,000 characters
    write_csv(raw / "member_grants" / "long_field.csv", [rows[16], rows[17] | {"title": title}, rows[18]])


def _notes_over_csv_limit(raw: Path) -> None:
    rows = good_alliance_rows()
    notes = "Minutes of the panel pasted here. " * 4200  # 142,800 characters
    write_csv(raw / "member_grants" / "notes_over_csv_limit.csv", [rows[16], rows[17] | {"notes": notes}])


def _reporter_export_with_unreadable_ids(raw: Path) -> None:
    """A real RePORTER export as a layout the reader cannot use: every Application ID prefixed."""
    path = raw / "nih_reporter" / "reporter_ninds_fy1999.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    col = table[0].index("Application ID")
    for row in table[1:]:
        row[col] = "A-" + row[col]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(table)


def _missing_curated_file(raw: Path) -> None:
    (raw / "curated" / "alliance_awards.csv").unlink()


def _symlink_outside_raw(raw: Path) -> None:
    """A real member file kept outside data/raw/ and linked into the member folder."""
    outside = write_csv(raw.parent / "elsewhere" / "society.csv", [good_alliance_rows()[23]])
    (raw / "member_grants").mkdir(exist_ok=True)
    (raw / "member_grants" / "society.csv").symlink_to(outside)


def _dangling_symlink(raw: Path) -> None:
    """A link left behind after its member file was deleted."""
    (raw / "member_grants").mkdir(exist_ok=True)
    (raw / "member_grants" / "gone.csv").symlink_to(raw / "member_grants" / "deleted_since.csv")


def _over_size_limit(raw: Path) -> None:
    """Real rows whose notes hold a pasted document: 51 MB on disk (notes are never loaded)."""
    rows = good_alliance_rows()
    notes = "Minutes of the panel pasted here. " * 3000  # 102,000 characters
    write_csv(
        raw / "member_grants" / "over_size.csv",
        [rows[23] | {"grant_id": f"r{i}", "notes": notes} for i in range(500)],
    )


def _over_row_limit(raw: Path) -> None:
    """100,001 copies of a real award, each with its own id: one row over the limit."""
    row = good_alliance_rows()[23]
    write_csv(
        raw / "member_grants" / "too_many_rows.csv", [row | {"grant_id": f"r{i}"} for i in range(100_001)]
    )


def _over_row_limit_workbook(raw: Path) -> None:
    """A real one-row workbook followed by 100,000 rows that hold only an id: 100,001 data rows
    (and no <dimension> element, so nothing but counting the rows tells the size)."""
    import zipfile

    src = raw / "one_row.xlsx"
    (raw / "member_grants").mkdir(exist_ok=True)
    _workbook([("grants", [good_alliance_rows()[23]])]).save(src)
    dest = raw / "member_grants" / "too_many_rows.xlsx"
    extra = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>r{n}</t></is></c></row>' for n in range(3, 100_003)
    )
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info).decode()
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace("</sheetData>", extra + "</sheetData>")
                data = data.split("<dimension", 1)[0] + data.split("<dimension", 1)[1].split("/>", 1)[1]
            zout.writestr(info, data)
    src.unlink()


def _unpacks_too_large(raw: Path) -> None:
    """A real workbook whose sheet XML carries 251 MB of blank space: 250 KB on disk."""
    src = raw / "small.xlsx"
    (raw / "member_grants").mkdir(exist_ok=True)
    _workbook([("grants", [good_alliance_rows()[23]])]).save(src)
    pad_part(src, raw / "member_grants" / "unpacks_too_large.xlsx", 251_000_000)
    src.unlink()


def _id_reused_by_a_new_file(raw: Path) -> None:
    """A member file, and a new file that sorts first and reuses one of its ids (another case, an
    invisible character): see test_new_file_reusing_a_served_id_never_replaces_the_served_row."""
    rows = good_alliance_rows()
    write_csv(raw / "member_grants" / "society_2025.csv", [rows[23], rows[24], rows[25]])
    write_csv(
        raw / "member_grants" / "0_new_society.csv",
        [rows[26], rows[24] | {"grant_id": "Alliance-Row-24\u200b"}],
    )


def _file_name_with_invisible_characters(raw: Path) -> None:
    """Real rows in a file whose name holds a right-to-left mark and a newline."""
    rows = good_alliance_rows()
    write_csv(raw / "member_grants" / "society\u200f\n2025.csv", [rows[23], rows[24]])


@dataclass(frozen=True)
class Case:
    """One source-file case: corpus files (relative to tests/, copied to raw/<their folder>/) or a
    function that writes/removes raw files; then either `stops` or the rows `rejected`."""

    id: str
    inputs: tuple[str, ...] = ()
    make: Callable[[Path], None] | None = None
    stops: Fault | None = None
    rejected: tuple[Fault, ...] = ()
    source: str = "member_grants"


def _m(name: str) -> str:
    return f"member_grants/{name}"


# fmt: off
STOPS = [
    Case("missing_file", make=_missing_curated_file, stops=Fault("curated/alliance_awards.csv", None, None, "file not found")),
    Case("empty_file", ("fixtures/bad/member_grants/empty.csv",), stops=Fault(_m("empty.csv"), None, None, "file is empty (expected a header row and data rows)")),
    Case("empty_sheet", ("bad_inputs/member_grants/empty_sheet.xlsx",), stops=Fault(_m("empty_sheet.xlsx"), None, None, "sheet is empty (expected a header row and data rows)", sheet="grants")),
    Case("wrong_delimiter", ("fixtures/bad/member_grants/wrong_delimiter.csv",), stops=Fault(_m("wrong_delimiter.csv"), 1, None, "the header seems to be separated by ';', not ','")),
    Case("wrong_encoding_latin1", ("fixtures/bad/member_grants/latin1.csv",), stops=Fault(_m("latin1.csv"), 2, None, "not UTF-8 text: byte 0xE5 at byte offset 340 (in column 'organisation')")),
    Case("wrong_encoding_utf16", ("bad_inputs/member_grants/utf16.csv",), stops=Fault(_m("utf16.csv"), None, None, "UTF-16 text (Excel's 'Unicode Text'), not UTF-8: save the file as 'CSV UTF-8'")),
    Case("missing_required_column", ("fixtures/bad/member_grants/missing_column.csv",), stops=Fault(_m("missing_column.csv"), 1, "title", "missing required column 'title'")),
    Case("not_a_workbook", ("bad_inputs/member_grants/not_a_workbook.xlsx",), stops=Fault(_m("not_a_workbook.xlsx"), None, None, "not a readable .xlsx workbook (BadZipFile")),
    Case("mostly_rejected_file", make=_reporter_export_with_unreadable_ids, stops=Fault("nih_reporter/reporter_ninds_fy1999.csv", None, None, "19 of 19 rows rejected (100%, the limit is 50%): the readers do not understand this file. Most common reasons: 19 × Application ID: not a whole number")),
    Case("field_over_csv_limit", make=_notes_over_csv_limit, stops=Fault(_m("notes_over_csv_limit.csv"), 3, None, "row cannot be read as CSV (field larger than field limit (131072)): a value is longer than 131,072 characters")),
    Case("duplicate_id_across_files", ("bad_inputs/member_grants/duplicate_across_files_a.csv", "bad_inputs/member_grants/duplicate_across_files_b.csv"), stops=Fault(_m("duplicate_across_files_b.csv"), 3, "grant_id", "grant_id 'alliance-row-16' is already used by member_grants/duplicate_across_files_a.csv row 2")),
    Case("id_reused_by_new_file_case_invisible", make=_id_reused_by_a_new_file, stops=Fault(_m("society_2025.csv"), 3, "grant_id", "grant_id 'alliance-row-24' is already used by member_grants/0_new_society.csv row 3 ('Alliance-Row-24\\u200b'; ids are compared ignoring case, spacing and invisible characters)")),
    Case("symlink_outside_raw", make=_symlink_outside_raw, stops=Fault(_m("society.csv"), None, None, "a symbolic link to a file outside the raw folder (data/raw/): only files inside it are read")),
    Case("dangling_symlink", make=_dangling_symlink, stops=Fault(_m("gone.csv"), None, None, "a symbolic link to a file that does not exist (a dangling link)")),
    Case("file_over_size_limit", make=_over_size_limit, stops=Fault(_m("over_size.csv"), None, None, "over the limit of 50 MB for one file")),
    Case("file_over_row_limit", make=_over_row_limit, stops=Fault(_m("too_many_rows.csv"), None, None, "more than 100,000 data rows, the limit for one file")),
    Case("workbook_over_row_limit", make=_over_row_limit_workbook, stops=Fault(_m("too_many_rows.xlsx"), None, None, "more than 100,000 data rows, the limit for one file", sheet="grants")),
    Case("workbook_unpacks_too_large", make=_unpacks_too_large, stops=Fault(_m("unpacks_too_large.xlsx"), None, None, "the workbook unpacks to 251 MB of XML, over the limit of 250 MB")),
    Case("workbook_zip_bomb_part", ("bad_inputs/member_grants/padded_sheet.xlsx",), stops=Fault(_m("padded_sheet.xlsx"), None, None, "part xl/worksheets/sheet1.xml unpacks to 832 times its size (the limit is 100×)")),
    Case("merged_cells_in_header", ("bad_inputs/member_grants/merged_header.xlsx",), stops=Fault(_m("merged_header.xlsx"), 1, None, "merged cells (A1:B1) in the header row: unmerge them", sheet="grants")),
]

CTGOV_BAD = "ctgov/ctgov_bad_rows_2025-09-20.csv"
REJECTS = [
    Case("unparseable_dates", ("fixtures/bad/member_grants/bad_date.csv",), rejected=(
        Fault(_m("bad_date.csv"), 3, "start_date", "start_date: not a date ('25/05/2021'); write YYYY-MM-DD", "start_date: not a date"),
        Fault(_m("bad_date.csv"), 4, "end_date", "end_date: before start_date", "end_date: before start_date"))),
    Case("negative_amount", ("fixtures/bad/member_grants/negative_amount.csv",), rejected=(
        Fault(_m("negative_amount.csv"), 3, "amount", "amount: negative ('-75000'); amounts are 0 or more", "amount: negative"),)),
    Case("non_numeric_amount", ("fixtures/bad/member_grants/non_numeric_amount.csv",), rejected=(
        Fault(_m("non_numeric_amount.csv"), 3, "amount", "amount: not a number ('75k')", "amount: not a number"),
        Fault(_m("non_numeric_amount.csv"), 4, "amount", "amount: number in a locale format ('75,000')", "amount: number in a locale format"))),
    Case("unknown_currency", ("fixtures/bad/member_grants/unknown_currency.csv",), rejected=(
        Fault(_m("unknown_currency.csv"), 3, "currency", "currency: not an ISO 4217 code ('EURO'); write a code such as EUR, USD, GBP, CAD", "currency: not an ISO 4217 code"),)),
    Case("currency_without_ecb_rate", ("bad_inputs/member_grants/currency_codes.csv",), rejected=(
        Fault(_m("currency_codes.csv"), 2, "currency", "currency: no ECB rate for this code (Argentine Peso): the dashboard converts with the ECB's euro reference rates, which do not cover it; give the amount in EUR, USD or GBP instead ('ARS')", "currency: no ECB rate for this code"),)),
    Case("unknown_country", ("fixtures/bad/member_grants/unknown_country.csv",), rejected=(
        Fault(_m("unknown_country.csv"), 3, "country", "country: unknown country ('Untied Kingdom')", "country: unknown country"),)),
    Case("duplicate_id_within_file", ("fixtures/bad/member_grants/duplicate_id.csv",), rejected=(
        Fault(_m("duplicate_id.csv"), 3, "grant_id", "grant_id: duplicate ('alliance-row-16' already used in member_grants/duplicate_id.csv row 2)", "grant_id: duplicate"),)),
    Case("duplicate_id_case_invisible", ("bad_inputs/member_grants/duplicate_id_case_invisible.csv",), rejected=(
        Fault(_m("duplicate_id_case_invisible.csv"), 3, "grant_id", "grant_id: duplicate ('ALLIANCE-ROW-23\\u200b' already used in member_grants/duplicate_id_case_invisible.csv row 2)", "grant_id: duplicate"),)),
    Case("locale_number_format", ("bad_inputs/member_grants/locale_numbers.csv",), rejected=(
        Fault(_m("locale_numbers.csv"), 2, "amount", "amount: number in a locale format ('75.000'): write digits with a dot before the decimals", "amount: number in a locale format"),
        Fault(_m("locale_numbers.csv"), 3, "amount", "amount: number in a locale format ('75 000')", "amount: number in a locale format"))),
    Case("non_ascii_digits", ("bad_inputs/member_grants/foreign_digits.csv",), rejected=(
        Fault(_m("foreign_digits.csv"), 2, "amount", "amount: digits other than 0–9 ('７５０００')", "amount: digits other than 0–9"),
        Fault(_m("foreign_digits.csv"), 3, "year", "year: digits other than 0–9 ('٢٠٢١')", "year: digits other than 0–9"))),
    Case("amount_over_ceiling", ("bad_inputs/member_grants/amount_over_ceiling.csv",), rejected=(
        Fault(_m("amount_over_ceiling.csv"), 2, "amount", "amount: above the ceiling for one record (75,000,000,000,000 EUR ≈ EUR 75,000 bn; the limit is EUR 10 bn)", "amount: above the ceiling for one record"),
        Fault(_m("amount_over_ceiling.csv"), 3, "amount", "amount: above the ceiling for one record (1e+308 EUR", "amount: above the ceiling for one record"))),
    Case("year_outside_app_range", ("bad_inputs/member_grants/year_out_of_range.csv",), rejected=(
        Fault(_m("year_out_of_range.csv"), 2, "year", "year: out of range (2099); expected 1970–2035 (the years the dashboard shows)", "year: out of range"),
        Fault(_m("year_out_of_range.csv"), 3, "year", "year: out of range (1960); expected 1970–2035", "year: out of range"))),
    Case("merged_cells", ("bad_inputs/member_grants/merged_cells.xlsx",), rejected=(
        Fault(_m("merged_cells.xlsx"), 5, None, "merged cells (L5:M5) span several columns: unmerge them", "merged cells", sheet="grants"),
        Fault(_m("merged_cells.xlsx"), 6, "amount", "amount: merged cells (I6:I7): each row needs its own amount", "amount: merged cells", sheet="grants"),
        Fault(_m("merged_cells.xlsx"), 7, "amount", "amount: merged cells (I6:I7): each row needs its own amount", "amount: merged cells", sheet="grants"))),
    Case("hidden_rows", ("bad_inputs/member_grants/hidden_rows.xlsx",)),
    Case("hidden_sheet", ("bad_inputs/member_grants/hidden_sheet.xlsx",)),
    Case("file_name_with_invisible_characters", make=_file_name_with_invisible_characters),
    Case("html_in_title", ("bad_inputs/member_grants/html_title.csv",)),
    Case("very_long_field", make=_long_title, rejected=(
        Fault(_m("long_field.csv"), 3, "title", "title: longer than 2,000 characters (100,000; text pasted into the wrong cell?)", "title: longer than 2,000 characters"),)),
    Case("spreadsheet_with_formulas", ("fixtures/bad/member_grants/formula_cell.xlsx",), rejected=(
        Fault(_m("formula_cell.xlsx"), 3, "amount", "amount: formula in cell ('=12600000/3'); type the value instead", "amount: formula in cell", sheet="grants"),)),
    Case("registry_export_rows", ("bad_inputs/" + CTGOV_BAD,), source="ctgov", rejected=(
        Fault(CTGOV_BAD, 2, "StartDate", "date not recognised: 'May 2nd, 2017' (expected %Y-%m-%d or %Y-%m); left empty", "date not recognised", drops_row=False),
        Fault(CTGOV_BAD, 3, "LocationCountry", "country not recognised: 'Sverige'; trial kept without a country", "country not recognised", drops_row=False),
        Fault(CTGOV_BAD, 4, "EnrollmentCount", "count not a whole number: 'twenty-three'; left empty", "count not a whole number", drops_row=False),
        Fault(CTGOV_BAD, 6, "NCTId", f"duplicate trial id: NCT01719159 already read from {CTGOV_BAD} row 3", "duplicate trial id"),
        Fault(CTGOV_BAD, 7, "NCTId", "duplicate trial id: NCT04019912 already read from ctgov/ctgov_ms_studies_2025-09-25.csv row 2", "duplicate trial id"))),
]
# fmt: on


# --- fixtures and helpers ----------------------------------------------------------------------


@pytest.fixture()
def data(fixture_data: Path, tmp_path: Path) -> Path:
    """This test's own copy of the fixture data folder (raw sources + one good snapshot, CURRENT)."""
    shutil.copytree(fixture_data, tmp_path / "data")
    return tmp_path / "data"


def _apply(case: Case, raw: Path) -> list[Path]:
    """Put the case's files into raw/; return them (the raw copies)."""
    placed = []
    for rel in case.inputs:
        src = TESTS / rel
        dest = raw / src.parent.name / src.name
        dest.parent.mkdir(exist_ok=True)
        shutil.copy(src, dest)
        placed.append(dest)
    if case.make:
        before = set(raw.rglob("*"))
        case.make(raw)
        placed += sorted(p for p in set(raw.rglob("*")) - before if p.is_file())
    return placed


def _state(snaps: Path) -> tuple[str | None, list[str], list[str]]:
    """CURRENT, the snapshots, and any staging left behind."""
    staging = sorted(p.name for p in snaps.glob(".*") if p.name != LOCK_NAME)  # the lock file stays
    return current_id(snaps), list_snapshots(snaps), staging


def _manifest(snapshot: Path) -> dict:
    return json.loads((snapshot / "manifest.json").read_text())


def _source(manifest: dict, source_id: str) -> dict:
    return next(s for s in manifest["sources"] if s["source_id"] == source_id)


def _place(f: Fault) -> str:
    """The file, and the sheet of a workbook, as messages and the rejections table name them."""
    return f.file + (f", sheet '{f.sheet}'" if f.sheet else "")


def _where(f: Fault) -> str:
    """The message prefix `Rejection.__str__` gives: file (and sheet), row, column."""
    return (
        _place(f)
        + (f", row {f.row}" if f.row is not None else "")
        + (f", column '{f.column}'" if f.column else "")
    )


def _file_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(row number, values) of the data rows of a member or registry file as a person sees them
    (blank rows skipped; a workbook's first visible sheet, its hidden rows skipped), read independently."""
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path)
        ws = next(w for w in wb.worksheets if w.sheet_state == "visible")
        header, *rows = [[("" if v is None else str(v)) for v in r] for r in ws.iter_rows(values_only=True)]
        shown = [(n, r) for n, r in enumerate(rows, start=2) if not ws.row_dimensions[n].hidden]
        return [(n, dict(zip(header, r, strict=True))) for n, r in shown if any(r)]
    with path.open(encoding="utf-8", newline="") as fh:
        records: list[dict[str, str]] = list(csv.DictReader(fh))
    return [(n, r) for n, r in enumerate(records, start=2) if any(v.strip() for v in r.values())]


# --- source files that stop the build ----------------------------------------------------------


@pytest.mark.parametrize("case", STOPS, ids=lambda c: c.id)
def test_unreadable_file_stops_the_build_and_current_keeps_serving(
    case: Case, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snaps = data / "snapshots"
    before = _state(snaps)
    _apply(case, data / "raw")
    capsys.readouterr()
    code = cli(["build", "--raw", str(data / "raw"), "--snapshots", str(snaps)])
    err = capsys.readouterr().err
    assert case.stops is not None
    message = f"error: {_where(case.stops)}: "
    assert code == 2, err
    assert message in err and case.stops.words in err.split(message, 1)[1], err
    assert "The current snapshot was not changed." in err and "Traceback" not in err
    assert _state(snaps) == before
    snapshot, notice = open_serving(snaps)
    assert (snapshot.snapshot_id, notice) == (before[0], None)


# --- source files with bad rows ----------------------------------------------------------------


@pytest.mark.parametrize("case", REJECTS, ids=lambda c: c.id)
def test_bad_rows_are_rejected_counted_shown_and_the_rest_kept(
    case: Case, data: Path, capsys: pytest.CaptureFixture[str], app_on: Callable[[Path], None]
) -> None:
    snaps = data / "snapshots"
    old_id, old_list, _ = _state(snaps)
    assert old_id is not None
    baseline = _manifest(snaps / old_id)
    placed = _apply(case, data / "raw")
    capsys.readouterr()
    assert cli(["build", "--raw", str(data / "raw"), "--snapshots", str(snaps)]) == 0
    out = capsys.readouterr().out
    new_id, new_list, staging = _state(snaps)
    assert new_id is not None and new_id != old_id
    assert new_list == sorted([*old_list, new_id]) and not staging  # the previous snapshot stays
    snapshot = snaps / new_id
    m = _manifest(snapshot)

    # every rejection: in the build output and the rejections table, with file/row/column/reason
    for f in case.rejected:
        outcome = "rejected" if f.drops_row else "value left empty"
        assert f"  {outcome} {_where(f)}: {f.words}" in out, out
    table = pq.read_table(snapshot / "rejections.parquet").to_pandas()
    mine = table[table.file.str.split(", sheet ").str[0].isin([relpath(p, data / "raw") for p in placed])]
    assert [(r.file, r.row, r.column if isinstance(r.column, str) else None) for r in mine.itertuples()] == [
        (_place(f), f.row, f.column) for f in case.rejected
    ]
    assert all(f.words in reason for f, reason in zip(case.rejected, mine.reason, strict=True))

    # the manifest counts them by reason; nothing else changed
    src, old_src = _source(m, case.source), _source(baseline, case.source)
    assert src["rows_rejected"] == old_src["rows_rejected"] + sum(f.drops_row for f in case.rejected)
    assert src["rows_read"] == src["rows_kept"] + src["rows_rejected"]
    want = Counter(old_src["rejections_by_reason"]) + Counter(f.kind for f in case.rejected if f.drops_row)
    assert src["rejections_by_reason"] == dict(want)
    warned = Counter(old_src["warnings_by_reason"]) + Counter(
        f.kind for f in case.rejected if not f.drops_row
    )
    assert src["warnings_by_reason"] == dict(warned)
    kept = {s["source_id"]: s["rows_kept"] for s in m["sources"] if s["source_id"] != case.source}
    assert kept == {s["source_id"]: s["rows_kept"] for s in baseline["sources"] if s["source_id"] in kept}
    _check_kept(case, placed, data / "raw", snapshot, m)
    if case.id in READ_AS_SEEN:
        READ_AS_SEEN[case.id](_source(m, case.source), placed)
    if case.rejected:
        app_on(data)
        _check_about_page(case)


def _check_kept(case: Case, placed: list[Path], raw: Path, snapshot: Path, m: dict) -> None:
    """Every row of the bad files that was not rejected is in the snapshot, its title as typed."""
    files = {f["path"]: f for f in _source(m, case.source)["files"]}
    dropped_rows = {(f.file, f.row) for f in case.rejected if f.drops_row}
    table, key = ("grants", "grant_id") if case.source == "member_grants" else ("trials", "trial_id")
    stored = pq.read_table(snapshot / f"{table}.parquet").to_pandas().set_index(key)
    for path in placed:
        rel = relpath(path, raw)
        rows = _file_rows(path)
        kept = [(n, r) for n, r in rows if (rel, n) not in dropped_rows]
        assert files[rel]["rows_read"] == len(rows) and files[rel]["rows_kept"] == len(kept), rel
        for _, r in kept:
            if case.source == "member_grants":  # keyed by the normalised id: never the file's name
                got = stored.loc[f"member:{normalise_id(r['grant_id'])}"]
                assert got["title"] == r["title"].strip() and got["source_file"] == rel
            else:
                got = stored.loc[r["NCTId"]]
                assert got["brief_title"] == r["BriefTitle"] and got["source_file"] == rel


def _hidden_rows(src: dict, placed: list[Path]) -> None:
    [f] = src["files"]
    assert f["rows_hidden"] == 1 and f["rows_read"] == 4
    assert any("sheet 'grants': 1 hidden row(s) skipped (rows 4)" in n for n in src["notes"]), src["notes"]


def _hidden_sheet(src: dict, placed: list[Path]) -> None:
    [f] = src["files"]
    assert f["rows_read"] == 3, "the visible sheet '2025' is read, not the hidden 'grants'"
    assert any("hidden sheet(s) not read: 'grants'" in n for n in src["notes"]), src["notes"]


def _merged_filled(src: dict, placed: list[Path]) -> None:
    assert any("merged cells filled into the rows they cover: B2:B4" in n for n in src["notes"]), src["notes"]


def _interpolated_rate(src: dict, placed: list[Path]) -> None:
    """Row 3 (ISK, 2012): kept, converted at a rate the method names as interpolated over 2009–2017."""
    snaps = placed[0].parents[2] / "snapshots"
    grants = pq.read_table(snaps / str(current_id(snaps)) / "grants.parquet").to_pandas()
    [method] = grants.loc[grants["currency"] == "ISK", "fx_method"]
    assert "the ECB published no ISK rate in 2009–2017, so the 2012 rate is interpolated linearly" in method


def _invisible_name(src: dict, placed: list[Path]) -> None:
    [f] = src["files"]
    assert f["path"] == "member_grants/society<U+200F><U+000A>2025.csv"


READ_AS_SEEN = {
    "hidden_rows": _hidden_rows,
    "hidden_sheet": _hidden_sheet,
    "merged_cells": _merged_filled,
    "file_name_with_invisible_characters": _invisible_name,
    "currency_without_ecb_rate": _interpolated_rate,
}


def test_new_file_reusing_a_served_id_never_replaces_the_served_row(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A member file is served; a new file that sorts first reuses one of its ids (another case, an
    invisible character): the build stops naming both files and rows, and the served row stays."""
    raw, snaps = data / "raw", data / "snapshots"
    rows = good_alliance_rows()
    write_csv(raw / "member_grants" / "society_2025.csv", [rows[23], rows[24], rows[25]])
    assert cli(["build", "--raw", str(raw), "--snapshots", str(snaps)]) == 0
    served = _state(snaps)
    grants = pq.read_table(snaps / str(served[0]) / "grants.parquet").to_pandas().set_index("grant_id")
    before = grants.loc["member:alliance-row-24"]
    write_csv(
        raw / "member_grants" / "0_new_society.csv",
        [rows[26], rows[24] | {"grant_id": "Alliance-Row-24\u200b", "title": "Replaced"}],
    )
    capsys.readouterr()
    assert cli(["build", "--raw", str(raw), "--snapshots", str(snaps)]) == 2
    err = capsys.readouterr().err
    assert (
        "error: member_grants/society_2025.csv, row 3, column 'grant_id': grant_id 'alliance-row-24' is already used by member_grants/0_new_society.csv row 3"
        in err
    )
    assert "The current snapshot was not changed." in err and _state(snaps) == served
    snapshot, _ = open_serving(snaps)
    grants = pq.read_table(snapshot.path / "grants.parquet").to_pandas().set_index("grant_id")
    assert grants.loc["member:alliance-row-24"].equals(before) and before["title"] != "Replaced"


def test_member_limits_are_the_documented_ones() -> None:
    """The limits the corpus cases hit are the ones the member README and template state."""
    readme = (FIXTURES.parents[1] / "data" / "raw" / "member_grants" / "README.md").read_text(
        encoding="utf-8"
    )
    for words in (
        f"{member_grants.MAX_FILE_BYTES // 1_000_000} MB",
        f"{member_grants.MAX_ROWS:,} data rows",
        f"{member_grants.MAX_UNPACKED_BYTES // 1_000_000} MB of XML",
        f"{member_grants.MAX_ZIP_RATIO} times",
        "EUR 10 bn",
        "1970–2035",
    ):
        assert words in readme, words


def test_markup_cases_really_carry_markup() -> None:
    """`html_in_title` and row 5 of `registry_export_rows` are kept as typed (checked above, no
    escaping at ingest: the app renders titles as text); here: the files hold what they claim."""
    member = [r["title"] for _, r in _file_rows(CORPUS / "member_grants" / "html_title.csv")]
    assert any("<script>" in t for t in member) and any("onerror=" in t for t in member)
    assert _file_rows(CORPUS / CTGOV_BAD)[3][1]["BriefTitle"].startswith("<script>alert('x')</script>")


def _check_about_page(case: Case) -> None:
    """The About page's "Rejected rows" table lists each rejection with file, row, column, reason."""
    at = _app(page="about")
    assert not at.exception, at.exception
    listed = next(d.value for d in at.dataframe if "Reason" in d.value.columns and "Row" in d.value.columns)
    for f in case.rejected:
        column = listed.Column.isna() if f.column is None else listed.Column == f.column
        hit = listed[(listed.File == _place(f)) & (listed.Row == f.row) & column]
        assert len(hit) == 1 and f.words in hit.Reason.iloc[0], (f, listed)


# --- snapshots ---------------------------------------------------------------------------------


def _truncate_parquet(snapshot: Path) -> str:
    path = snapshot / "grants.parquet"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return "grants.parquet does not match its checksum in manifest.json"


def _tamper_checksum(snapshot: Path) -> str:
    m = _manifest(snapshot)
    m["tables"]["trials"]["sha256"] = "0" * 64
    (snapshot / "manifest.json").write_text(json.dumps(m, indent=2))
    return "trials.parquet does not match its checksum in manifest.json"


@pytest.mark.parametrize(
    "damage", [_truncate_parquet, _tamper_checksum], ids=["truncated_parquet", "checksum_mismatch"]
)
def test_damaged_current_snapshot_is_named_and_the_previous_one_serves(
    damage: Callable[[Path], str],
    data: Path,
    app_on: Callable[[Path], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    snaps = data / "snapshots"
    good = current_id(snaps)
    damaged = build(data / "raw", snaps).name
    words = damage(snaps / damaged)
    assert current_id(snaps) == damaged  # the pointer is not rewritten behind the operator's back
    app_on(data)
    capsys.readouterr()  # NOTE: drop what clearing Streamlit's caches logged; only the CLI's words count
    assert cli(["verify"]) == 2
    err = capsys.readouterr().err
    assert f"error: snapshot {damaged}: {words}" in err and "Traceback" not in err
    at = _app()
    assert not at.exception, at.exception
    banner = " ".join(e.value for e in at.error)
    assert f"snapshot {damaged}: {words}" in banner and f"Showing the last good one, {good}" in banner
    captions = " ".join(c.value for c in at.caption)
    assert f"Snapshot {good}." in captions and damaged not in captions


# --- URL parameters ----------------------------------------------------------------------------


def _url_cases() -> list[dict[str, str]]:
    with (CORPUS / "urls.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _params(query: str) -> dict[str, list[str]]:
    """The query string with `{c*n}` expanded to n copies of c (so the file stays readable)."""
    expanded = re.sub(r"\{(.)\*(\d+)\}", lambda m: m[1] * int(m[2]), query)
    return parse_qs(expanded, keep_blank_values=True)


def _filter_value(f: Filters, name: str) -> str:
    value = getattr(f, name)
    return ",".join(value) if isinstance(value, tuple) else "" if value is None else str(value)


@pytest.mark.parametrize("row", _url_cases(), ids=lambda r: r["case"])
def test_tampered_link_gives_notices_not_errors(
    row: dict[str, str], app_env: Path, db, fixture_snapshot
) -> None:
    params = _params(row["query"])
    at = _app(params, page=None if row["page"] == "overview" else row["page"])
    assert not at.exception, at.exception
    notices = [i.value for i in at.info]
    for words in filter(None, row["notices"].split("||")):
        assert words.replace("{current}", fixture_snapshot.snapshot_id) in notices, notices
    if not row["notices"]:
        assert not [n for n in notices if n.startswith("Ignored")], notices
    f: Filters = at.session_state["filters"]
    for spec in filter(None, row["filters"].split("||")):
        name, _, value = spec.partition("=")
        assert _filter_value(f, name) == value, (spec, f)
    if row["page"] in ("overview", "funding", "map", "explore"):  # the pages with a "Showing:" line
        showing = [m.value for m in at.markdown if m.value.startswith("**Showing:**")]
        names = {
            "country": dict(
                zip(*db.execute_select("select iso3, name from countries", {}).T.values, strict=True)
            )
        }
        assert showing == [f"**Showing:** {f.describe(markdown=True, names=names)}"], (
            showing
        )  # text stays text
    if row["page"] == "overview":  # the figures are those of the filters kept, values bound as text
        expected = db.run("headline_trials", f.as_struct()).iloc[0]
        assert _metric(at, "Progressive-MS trials") == f"{expected.progressive_trials:,}"


def test_every_case_is_in_the_readme() -> None:
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z0-9_]+)` \|", readme, flags=re.MULTILINE))
    cases = {c.id for c in STOPS + REJECTS} | {"truncated_parquet", "checksum_mismatch"} | set(FAULT_CASES)
    with (CORPUS / "payloads.csv").open(encoding="utf-8", newline="") as fh:
        payloads = {r["id"] for r in csv.DictReader(fh)}
    assert listed == cases | {r["case"] for r in _url_cases()} | payloads
