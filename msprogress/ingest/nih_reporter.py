"""Reader for the NIH RePORTER web exports in `nih_reporter/` (one file per fiscal year, NINDS).

Owns the RePORTER format: its 48 headers (some with double or trailing spaces, normalised
before mapping), the empty trailing column, dates like `23-SEP-1993`, and placeholders
('n/a', 'Unavailable', 'No NIH Category available.'). Rows become award records that
`nih_common.build_tables` turns into projects, grants and organisations.

NOTE: an application co-funded by several institutes appears once per *funding* IC, each row
with that IC's share in `FY Total Cost by IC` (e.g. 2822123, FY1999: NINDS 22,000, OD 15,000,
NIAMS 5,000, NICHD 3,000). Those rows are one award: merged, amounts summed. A second row with
the same Application ID *and* the same Funding IC is a duplicate and is rejected.

NOTE: amount = `FY Total Cost by IC`; a subproject has none and reports its own cost in
`FY Total Cost (Sub Projects)`, used instead (see nih_common on parents and subprojects).

NOTE: as_of. The export does not record when it was retrieved. as_of is the end of the latest
fiscal year in the files (FY2001 → 2001-09-30): the data cannot be newer than that.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from msprogress.ingest import nih_common as nc
from msprogress.ingest.base import Rejection, SourceError, SourceResult
from msprogress.ingest.nih_common import RowError, fiscal_years_covered

__all__ = ["fiscal_years_covered", "read"]

SOURCE_ID = "nih_reporter"
FOLDER = "nih_reporter"
DATE_FORMAT = "%d-%b-%Y"  # 23-SEP-1993 (strptime's %b ignores case)
PLACEHOLDERS = ("n/a", "Unavailable", "Not Applicable", "No NIH Category available.")

# Columns read, by their whitespace-normalised header. All are required.
COLUMNS = (
    "Application ID",
    "Project Number",
    "Subproject Number",
    "Activity",
    "Funding Mechanism",
    "FY",
    "Administering IC",
    "Funding IC",
    "Project Title",
    "Project Terms",
    "NIH Spending Categorization",
    "Public Health Relevance",
    "Contact PI / Project Leader",
    "Organization ID (IPF)",
    "Organization Name",
    "Organization City",
    "Organization Country",
    "Latitude",
    "Longitude",
    "Project Start Date",
    "Project End Date",
    "Budget Start Date",
    "Budget End Date",
    "Award Notice Date",
    "FY Total Cost by IC",
    "FY Total Cost (Sub Projects)",
)


def read(raw_dir: Path) -> SourceResult:
    paths = _files(raw_dir)
    csv_files, records, rejections = read_records(raw_dir, paths)
    if not records:
        raise SourceError(FOLDER, "no usable row in any RePORTER export")
    as_of = fiscal_year_end(max(r["fy"] for r in records))
    from msprogress.ingest import nih_exporter  # NOTE: imported here: the two readers consult each other

    theirs, other_note = nc.other_source_years(nih_exporter.award_records, raw_dir, nih_exporter.FOLDER)
    mine = nc.latest_years(records)
    elsewhere = nc.owned_elsewhere(mine, theirs, tie_is_theirs=True)
    tables = nc.build_tables(records, SOURCE_ID, as_of, elsewhere)
    result = SourceResult(
        source_id=SOURCE_ID,
        title="NIH RePORTER project exports, NINDS, keyword-screened",
        as_of=as_of.isoformat(),
        terms="U.S. federal data, public domain (NIH RePORTER)",
        url="https://reporter.nih.gov/",
        files=nc.file_reads(raw_dir, paths, csv_files, rejections),
        tables=tables,
        rejections=sorted(rejections, key=lambda r: (r.file, r.row or 0)),
    )
    result.notes = _notes(result, csv_files, records)
    result.notes.append(nc.sharing_note(mine, theirs, elsewhere, "nih_exporter", other_note))
    return result


def read_records(
    raw_dir: Path, paths: list[Path]
) -> tuple[list[nc.CsvFile], list[dict[str, Any]], list[Rejection]]:
    """Every file's award records (one per application id) and the rows rejected."""
    csv_files = [nc.read_csv(p, raw_dir, COLUMNS) for p in paths]
    records, rejections = [], []
    for cf in csv_files:
        recs, rej = nc.parse_rows(cf, parse_row)
        merged, dup = merge_funding_ics(recs)
        records += merged
        rejections += rej + dup
    records, dup = nc.drop_duplicate_applications(records, [cf.path for cf in csv_files], "Application ID")
    return csv_files, records, rejections + dup


def award_records(raw_dir: Path) -> list[dict[str, Any]]:
    """The award records alone (what the ExPORTER reader needs to share project rows)."""
    return read_records(raw_dir, _files(raw_dir))[1]


def _files(raw_dir: Path) -> list[Path]:
    paths = sorted((raw_dir / FOLDER).glob("*.csv"), key=_fiscal_year_of)
    if not paths:
        raise SourceError(FOLDER, "no RePORTER export (*.csv) found")
    return paths


def _fiscal_year_of(path: Path) -> tuple[int, str]:
    m = re.search(r"fy(\d{4})", path.name, re.IGNORECASE)
    return (int(m.group(1)) if m else 0, path.name)


def fiscal_year_end(fy: int) -> dt.date:
    """NIH fiscal year FY runs 1 October FY-1 to 30 September FY."""
    return dt.date(fy, 9, 30)


def parse_row(row: dict[str, str]) -> dict[str, Any]:
    """One RePORTER row → an award record (amount not yet merged across funding ICs)."""
    number = nc.text(row, "Project Number") or ""
    core = nc.core_project_number(number)
    if core is None:
        raise RowError("Project Number", f"not an NIH project number ('{number}')")
    mechanism = nc.text(row, "Funding Mechanism", PLACEHOLDERS)
    activity = nc.text(row, "Activity") or core[:3]
    inst = nc.institute(acronym=nc.text(row, "Administering IC") or core[3:5])
    return {
        "application_id": str(nc.parse_int(row, "Application ID", required=True)),
        "fy": nc.parse_int(row, "FY", required=True),
        "core": core,
        "subproject": nc.text(row, "Subproject Number"),
        "activity": activity,
        "mechanism": mechanism,
        "funder": inst.funder,
        "funder_group": inst.funder_group,
        "title": nc.text(row, "Project Title", PLACEHOLDERS),
        "terms": nc.text(row, "Project Terms", PLACEHOLDERS),
        "spending": nc.text(row, "NIH Spending Categorization", PLACEHOLDERS),
        "phr": nc.text(row, "Public Health Relevance", PLACEHOLDERS),
        "pi": nc.text(row, "Contact PI / Project Leader", PLACEHOLDERS),
        "org_ipf": nc.text(row, "Organization ID (IPF)", PLACEHOLDERS),
        "org_name": nc.text(row, "Organization Name", PLACEHOLDERS),
        "org_city": nc.text(row, "Organization City", PLACEHOLDERS),
        "org_country": nc.text(row, "Organization Country", PLACEHOLDERS),
        "latitude": nc.parse_number(row, "Latitude"),
        "longitude": nc.parse_number(row, "Longitude"),
        "project_start": nc.parse_date(row, "Project Start Date", DATE_FORMAT),
        "project_end": nc.parse_date(row, "Project End Date", DATE_FORMAT),
        "budget_start": nc.parse_date(row, "Budget Start Date", DATE_FORMAT),
        "budget_end": nc.parse_date(row, "Budget End Date", DATE_FORMAT),
        "award_notice": nc.parse_date(row, "Award Notice Date", DATE_FORMAT),
        "intramural": mechanism == "Intramural Research" or activity.startswith("Z"),
        "funding_ic": nc.text(row, "Funding IC") or "",
        "cost_by_ic": nc.parse_number(row, "FY Total Cost by IC"),
        "cost_sub": nc.parse_number(row, "FY Total Cost (Sub Projects)"),
    }


def merge_funding_ics(records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[Rejection]]:
    """Merge one file's rows of the same application (one row per funding IC) into one record
    whose amount is the sum; a repeated (application, funding IC) pair is rejected."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        groups.setdefault(rec["application_id"], []).append(rec)
    merged, rejections = [], []
    for recs in groups.values():
        seen: dict[str, dict[str, Any]] = {}
        for rec in recs:
            if rec["funding_ic"] in seen:
                first = seen[rec["funding_ic"]]
                why = f"duplicate Application ID and Funding IC already read at row {first['row']}"
                rejections.append(Rejection(rec["file"], rec["row"], "Application ID", why))
            else:
                seen[rec["funding_ic"]] = rec
        merged.append(_merged(list(seen.values())))
    return merged, rejections


def _merged(recs: list[dict[str, Any]]) -> dict[str, Any]:
    out = {k: v for k, v in recs[0].items() if k not in ("funding_ic", "cost_by_ic", "cost_sub")}
    by_ic = [r["cost_by_ic"] for r in recs if r["cost_by_ic"] is not None]
    sub = [r["cost_sub"] for r in recs if r["cost_sub"] is not None]
    out["amount"] = float(sum(by_ic)) if by_ic else (float(sum(sub)) if sub else None)
    out["n_funding_ics"] = len(recs)
    return out


def _notes(result: SourceResult, csv_files: list[nc.CsvFile], records: list[dict[str, Any]]) -> list[str]:
    years = fiscal_years_covered(result)
    co_funded = sum(1 for r in records if r.get("n_funding_ics", 1) > 1)
    blank = sum(cf.blank_rows for cf in csv_files)
    return [
        f"Fiscal years present: {nc.year_ranges(years)}. Each file is one NIH fiscal year of awards "
        "administered by NINDS, limited to rows mentioning sclerosis, myelin, MS, neuromyelitis or "
        "optic neuritis: complete for NINDS within that screen. Other institutes and other years are "
        "missing (not zero).",
        f"as of {result.as_of}: the end of the latest fiscal year covered; the export's retrieval "
        "date is not recorded.",
        nc.encoding_note(csv_files),
        f"{co_funded} applications co-funded by several institutes (one row per funding IC) were "
        "merged into one award each, amounts summed.",
        "Amount: 'FY Total Cost by IC' (USD, that fiscal year); for subprojects 'FY Total Cost "
        "(Sub Projects)'.",
        nc.accounting_note(records, result.tables["grants"]),
        f"{blank} blank rows skipped (not counted as data).",
    ]
