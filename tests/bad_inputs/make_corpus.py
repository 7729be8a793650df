"""Regenerate the bad-input files of this folder from real rows (see README.md here).

    PYTHONPATH=. .venv/bin/python tests/bad_inputs/make_corpus.py

Member-grant files re-shape rows of `tests/fixtures/raw/curated/alliance_awards.csv` into the
member template with the helpers of `tests/test_member_grants.py` (as the files in
`tests/fixtures/bad/member_grants/` were made); the ClinicalTrials.gov file copies real rows of
`data/raw/ctgov/ctgov_ms_studies_2025-09-25.csv` that are not in the fixture export. One fault
is injected per row, named in `CTGOV_FAULTS` and the README. CSV output is deterministic.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path

import openpyxl

from msprogress.ingest.validate import MEMBER_COLUMN_NAMES
from tests.test_member_grants import good_alliance_rows, write_csv

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CTGOV_RAW = REPO / "data" / "raw" / "ctgov" / "ctgov_ms_studies_2025-09-25.csv"
CTGOV_FIXTURE = REPO / "tests" / "fixtures" / "raw" / "ctgov" / "ctgov_ms_studies_2025-09-25.csv"
CTGOV_BAD = HERE / "ctgov" / "ctgov_bad_rows_2025-09-20.csv"
PAYLOADS = HERE / "payloads.csv"
MEMBER_PAYLOADS = HERE / "member_grants" / "markup_payloads.csv"
CTGOV_PAYLOADS = HERE / "ctgov" / "ctgov_markup_payloads_2025-09-21.csv"
# Text columns of the member template that reach the app (notes stay in the file).
MEMBER_TEXT = ("grant_id", "funder", "programme", "title", "pi", "organisation")
# A real progressive-MS ocrelizumab trial not in the fixture export, and its text columns.
CTGOV_PAYLOAD_TRIAL = "NCT03523858"
CTGOV_TEXT = ("BriefTitle", "OfficialTitle", "LeadSponsorName", "LocationCity")

# (NCT id, column, value written instead of the real one; "{real}" stands for the real value);
# rows 2–7 of the file, in this order.
CTGOV_FAULTS: list[tuple[str, str | None, str | None]] = [
    ("NCT03980145", "StartDate", "May 2nd, 2017"),
    ("NCT01719159", "LocationCountry", "Sverige"),  # the country in its own language
    ("NCT01259388", "EnrollmentCount", "twenty-three"),
    ("NCT02253264", "BriefTitle", "<script>alert('x')</script>{real}"),
    ("NCT01719159", None, None),  # the real row again: a duplicate id within the file
    ("FIXTURE", None, None),  # the fixture export's first row: a duplicate id across files
]


def main() -> None:
    member = HERE / "member_grants"
    rows = good_alliance_rows()
    write_html_titles(member / "html_title.csv", rows)
    write_utf16(member / "utf16.csv", [rows[23], rows[24]])
    write_csv(member / "duplicate_across_files_a.csv", [rows[16], rows[17]])
    write_csv(member / "duplicate_across_files_b.csv", [rows[18], rows[16], rows[32]])
    write_not_a_workbook(member / "not_a_workbook.xlsx", [rows[23]])
    write_empty_sheet(member / "empty_sheet.xlsx")
    write_ctgov(CTGOV_BAD)
    write_member_faults(member, rows)
    payloads = read_payloads()
    write_member_payloads(MEMBER_PAYLOADS, rows, payloads)
    write_ctgov_payloads(CTGOV_PAYLOADS, payloads)


def write_html_titles(path: Path, rows: dict[int, dict[str, str]]) -> None:
    """Three real rows whose titles carry markup: kept as text, never interpreted."""
    write_csv(
        path,
        [
            rows[16] | {"title": '<script>alert("x")</script>' + rows[16]["title"]},
            rows[17] | {"title": rows[17]["title"] + " <img src=x onerror=alert(1)>"},
            rows[18] | {"title": f'<b>{rows[18]["title"]}</b> & "more"'},
        ],
    )


def write_utf16(path: Path, rows: list[dict[str, str]]) -> None:
    """The same CSV a UTF-8 export would hold, saved as UTF-16 with its byte-order mark."""
    write_csv(path, rows)
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))


def write_not_a_workbook(path: Path, rows: list[dict[str, str]]) -> None:
    """A CSV file renamed to .xlsx."""
    csv_path = write_csv(path.with_suffix(".csv.tmp"), rows)
    path.write_bytes(csv_path.read_bytes())
    csv_path.unlink()


def write_empty_sheet(path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "grants"
    wb.properties.created = wb.properties.modified = dt.datetime(2025, 9, 25)
    wb.save(path)


def write_ctgov(path: Path) -> None:
    with CTGOV_RAW.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        real = {r["NCTId"]: r for r in reader}
    with CTGOV_FIXTURE.open(encoding="utf-8", newline="") as fh:
        fixture_first = next(csv.DictReader(fh))
    out = []
    for nct, column, value in CTGOV_FAULTS:
        row = dict(fixture_first if nct == "FIXTURE" else real[nct])
        if column:
            row[column] = (value or "").replace("{real}", row[column])
        out.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        w.writerows(out)


# --- member files read as a person reads them (issue 14) ----------------------------------------
# Rows 23–27 of alliance_awards.csv (five 2021 awards of EUR 75,000), 16–18 (2016, EUR 4.2 M).
GOOD = (25, 26, 27)


def write_member_faults(member: Path, rows: dict[int, dict[str, str]]) -> None:
    """One file per fault; the faulty rows first, then good rows (so fewer than half are rejected)."""
    good = [rows[n] for n in GOOD]
    write_csv(
        member / "locale_numbers.csv",
        [rows[23] | {"amount": "75.000"}, rows[24] | {"amount": "75 000"}, *good],
    )
    write_csv(
        member / "foreign_digits.csv",
        [rows[23] | {"amount": "７５０００"}, rows[24] | {"year": "٢٠٢١"}, *good],
    )
    write_csv(
        member / "amount_over_ceiling.csv",
        [rows[23] | {"amount": "75000000000000"}, rows[24] | {"amount": "1" + "0" * 308}, *good],
    )
    write_csv(
        member / "year_out_of_range.csv", [rows[23] | {"year": "2099"}, rows[24] | {"year": "1960"}, *good]
    )
    write_csv(
        member / "duplicate_id_case_invisible.csv",
        [rows[23], rows[24] | {"grant_id": "ALLIANCE-ROW-23\u200b"}, *good],
    )
    write_hidden_rows(member / "hidden_rows.xlsx", [rows[n] for n in (23, 24, 25, 26, 27)])
    write_hidden_sheet(member / "hidden_sheet.xlsx", [rows[16], rows[17]], [rows[n] for n in (23, 24, 25)])
    write_merged(member / "merged_cells.xlsx", [rows[n] for n in (23, 24, 25, 26, 27, 16, 17, 18)])
    write_merged_header(member / "merged_header.xlsx", [rows[23], rows[24]])
    isk = {"currency": "ISK", "year": "2012", "amount": "9000000"}  # the ECB quoted no ISK 2009–2017
    write_csv(member / "currency_codes.csv", [rows[23] | {"currency": "ARS"}, rows[24] | isk, *good])
    write_padded_sheet(member / "padded_sheet.xlsx", [rows[23], rows[24]], 5_000_000)


def _workbook(sheets: list[tuple[str, list[dict[str, str]]]]) -> openpyxl.Workbook:
    """Sheets of template rows, amounts and years typed as numbers (as in a spreadsheet)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        ws.append(list(MEMBER_COLUMN_NAMES))
        for r in rows:
            typed = {k: (float(v) if k in ("amount", "year") and v else v or None) for k, v in r.items()}
            ws.append([typed.get(c) for c in MEMBER_COLUMN_NAMES])
    wb.properties.created = wb.properties.modified = dt.datetime(2025, 9, 25)
    return wb


def write_hidden_rows(path: Path, rows: list[dict[str, str]]) -> None:
    """Five awards; Excel row 4 (the third) hidden, as a person hides a row they do not want."""
    wb = _workbook([("grants", rows)])
    wb["grants"].row_dimensions[4].hidden = True
    wb.save(path)


def write_hidden_sheet(path: Path, old: list[dict[str, str]], new: list[dict[str, str]]) -> None:
    """A hidden first sheet named 'grants' (last year's list) and the visible sheet '2025'."""
    wb = _workbook([("grants", old), ("2025", new)])
    wb["grants"].sheet_state = "hidden"
    wb.active = 1
    wb.save(path)


def write_merged(path: Path, rows: list[dict[str, str]]) -> None:
    """Eight awards with three merged ranges: the funder typed once over rows 2–4 (B2:B4, filled),
    title and investigator merged on row 5 (L5:M5, several columns) and the amount over rows 6–7
    (I6:I7): those three rows are rejected."""
    wb = _workbook([("grants", rows)])
    ws = wb["grants"]
    col = {c: i + 1 for i, c in enumerate(MEMBER_COLUMN_NAMES)}
    for r in (3, 4):
        ws.cell(r, col["funder"]).value = None
    ws.cell(5, col["pi"]).value = None
    ws.cell(7, col["amount"]).value = None
    ws.merge_cells("B2:B4")
    ws.merge_cells("L5:M5")
    ws.merge_cells("I6:I7")
    wb.save(path)


def write_merged_header(path: Path, rows: list[dict[str, str]]) -> None:
    """The header's first two cells merged (grant_id and funder under one title)."""
    wb = _workbook([("grants", rows)])
    wb["grants"].merge_cells("A1:B1")
    wb.save(path)


def write_padded_sheet(path: Path, rows: list[dict[str, str]], pad: int) -> None:
    """A real workbook whose sheet XML carries `pad` bytes of blank space (legal XML whitespace):
    a few kilobytes on disk that unpack to megabytes, the shape of a zip bomb."""
    tmp = path.with_suffix(".tmp.xlsx")
    _workbook([("grants", rows)]).save(tmp)
    pad_part(tmp, path, pad)
    tmp.unlink()


def pad_part(src: Path, dest: Path, pad: int, part: str = "xl/worksheets/sheet1.xml") -> None:
    """Copy a workbook, inserting `pad` spaces after the sheet's opening tag (streamed, compressed)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename != part:
                zout.writestr(info, data)
                continue
            head, sep, tail = data.partition(b"<sheetData>")
            packed = zipfile.ZipInfo(part, info.date_time)
            packed.compress_type = zipfile.ZIP_DEFLATED
            with zout.open(packed, "w", force_zip64=True) as out:
                out.write(head + sep)
                block = b" " * (1 << 20)
                for _ in range(pad // len(block)):
                    out.write(block)
                out.write(b" " * (pad % len(block)) + tail)


def read_payloads() -> list[str]:
    """The markup payloads (`payloads.csv`, one per line), in file order."""
    with PAYLOADS.open(encoding="utf-8", newline="") as fh:
        return [r["payload"] for r in csv.DictReader(fh)]


def payload_text(payloads: list[str], start: int, label: str) -> str:
    """Every payload once, rotated so each column starts with a different one, then a label that
    names the column (so a test can find the value) — e.g. '=HYPERLINK(…) <b>B1</b> … [funder]'."""
    turned = payloads[start % len(payloads) :] + payloads[: start % len(payloads)]
    return " ".join(turned) + f" [{label}]"


def write_member_payloads(path: Path, rows: dict[int, dict[str, str]], payloads: list[str]) -> None:
    """Three real awards with amounts (USD, EUR; placed in Italy) whose every text column holds every payload."""
    out = []
    for i, n in enumerate((7, 17, 23)):
        row = dict(rows[n]) | {"record_type": "award", "country": "Italy", "ms_relevance": ""}
        for j, col in enumerate(MEMBER_TEXT):
            row[col] = payload_text(payloads, i * len(MEMBER_TEXT) + j, f"{col} {i + 1}")
        row["url"] = f"https://evil.example/member-{i + 1}?q=%{{x}}<b>U{i + 1}</b>"
        out.append(row)
    write_csv(path, out)


def write_ctgov_payloads(path: Path, payloads: list[str]) -> None:
    """The real trial CTGOV_PAYLOAD_TRIAL with every payload in each of its CTGOV_TEXT columns."""
    with CTGOV_RAW.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        row = next(r for r in reader if r["NCTId"] == CTGOV_PAYLOAD_TRIAL)
    for j, col in enumerate(CTGOV_TEXT):
        row[col] = payload_text(payloads, j, col)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        w.writerow(row)


if __name__ == "__main__":
    main()
