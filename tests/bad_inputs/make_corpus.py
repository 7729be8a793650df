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
from pathlib import Path

import openpyxl

from tests.test_member_grants import good_alliance_rows, write_csv

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CTGOV_RAW = REPO / "data" / "raw" / "ctgov" / "ctgov_ms_studies_2025-09-25.csv"
CTGOV_FIXTURE = REPO / "tests" / "fixtures" / "raw" / "ctgov" / "ctgov_ms_studies_2025-09-25.csv"
CTGOV_BAD = HERE / "ctgov" / "ctgov_bad_rows_2025-09-20.csv"

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
    write_csv(member / "duplicate_across_files_b.csv", [rows[18], rows[16]])
    write_not_a_workbook(member / "not_a_workbook.xlsx", [rows[23]])
    write_empty_sheet(member / "empty_sheet.xlsx")
    write_ctgov(CTGOV_BAD)


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


if __name__ == "__main__":
    main()
