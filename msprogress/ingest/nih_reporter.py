"""Reader for the NIH RePORTER web exports in `nih_reporter/` (one file per fiscal year).

Owns the RePORTER format in every version it has had: 48 headers (some with double or trailing
spaces, no-break spaces too: normalised before mapping; other spellings of a column are mapped by
`ALIASES`), an empty trailing column (present or not; rows may stop short of it), dates like
`23-SEP-1993`, `23-SEP-93` or `09/23/1993` (the toolkit reads every layout; a two-digit year goes
to the century nearest the row's fiscal year), and placeholders ('n/a', 'Unavailable', 'No NIH
Category available.'). Rows become award records that `nih_common.build_tables` turns into
projects, grants and organisations.

Only the application id, fiscal year and project number make a row; its money must be readable.
Every other field is secondary: a value that cannot be read is left empty and recorded (the row
and its money are kept).

NOTE: these exports hold an institute's *whole* portfolio (every award it administers), so the
MS share of its money can be computed. Each administering institute is one coverage series
(`nih_reporter:<institute>`), and each fiscal year is judged complete or partial from the award
dates in the file (`nih_common.fiscal_year_coverage`).

NOTE: an application co-funded by several institutes appears once per *funding* IC, each row
with that IC's share in `FY Total Cost by IC` (e.g. 2822123, FY1999: NINDS 22,000, OD 15,000,
NIAMS 5,000, NICHD 3,000). Those rows are one award: merged, amounts summed. A second row with
the same Application ID *and* the same Funding IC is a duplicate and is rejected.

NOTE: amount = `FY Total Cost by IC`; a subproject has none and reports its own cost in
`FY Total Cost (Sub Projects)`, used instead (see nih_common on parents and subprojects).

NOTE: contracts. R&D contracts carry numbers like `N01NS082386-5-0-0` (core `N01NS082386`) or
only the word 'Contract'; the latter are keyed by activity, institute and application id
(`N01NS-appl6348680`), so the award is kept rather than rejected for its number.

NOTE: as_of. The export does not record when it was retrieved. as_of is the end of the latest
fiscal year in the files (FY2001 → 2001-09-30): the data cannot be newer than that.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from msprogress.ingest import nih_common as nc
from msprogress.ingest import toolkit
from msprogress.ingest.base import Rejection, SourceError, SourceResult
from msprogress.ingest.toolkit import RowError
from msprogress.style import year_ranges

SOURCE_ID = "nih_reporter"
FOLDER = "nih_reporter"
PLACEHOLDERS = ("n/a", "Unavailable", "Not Applicable", "No NIH Category available.")

# The columns that make a row; every other column is read when the export has it.
REQUIRED = ("Application ID", "Project Number", "FY")
AMOUNT_COLUMNS = ("FY Total Cost by IC", "FY Total Cost (Sub Projects)")
# Other spellings of a column, after whitespace normalisation → the name this reader uses.
ALIASES = {
    "Fiscal Year": "FY",
    "Title": "Project Title",
    "Admin IC": "Administering IC",
    "Administering Institute or Center": "Administering IC",
    "Total Cost IC": "FY Total Cost by IC",
    "FY Total Cost By IC": "FY Total Cost by IC",
    "Total Cost (Sub Projects)": "FY Total Cost (Sub Projects)",
    "FY Total Cost (Sub-Projects)": "FY Total Cost (Sub Projects)",
    "Contact PI/Project Leader": "Contact PI / Project Leader",
    "Organization IPF": "Organization ID (IPF)",
}
SECONDARY = (
    "Subproject Number",
    "Activity",
    "Funding Mechanism",
    "Administering IC",
    "IC",
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
)


def read(raw_dir: Path) -> SourceResult:
    paths = _files(raw_dir)
    export, records = read_records(raw_dir, paths)
    if not records:
        raise SourceError(FOLDER, "no usable row in any RePORTER export")
    as_of = fiscal_year_end(max(r["fy"] for r in records))
    tables = nc.build_tables(records, SOURCE_ID, as_of, series_of)
    result = SourceResult(
        source_id=SOURCE_ID,
        title="",  # from the source registry
        as_of=as_of.isoformat(),
        terms="",
        url="",
        files=nc.file_reads(raw_dir, paths, export),
        tables=tables,
        rejections=sorted(export.rejections, key=lambda r: (r.file, r.row or 0)),
        coverage=coverage_rows(records),
    )
    result.notes = _notes(result, export, records)
    return result


def read_records(raw_dir: Path, paths: list[Path]) -> tuple[nc.Export, list[dict[str, Any]]]:
    """Every file's rows (see `nih_common.read_export`) and the award records: one per
    application id (funding-IC rows merged; a repeated application rejected)."""
    export = nc.read_export(raw_dir, paths, REQUIRED, parse_row, aliases=ALIASES)
    for cf in export.files:
        if not any(c in cf.header for c in AMOUNT_COLUMNS):
            raise SourceError(
                cf.file,
                f"no amount column: expected {' or '.join(repr(c) for c in AMOUNT_COLUMNS)} "
                "(without it every award's money would be missing)",
                row=1,
            )
    records = []
    for cf in export.files:
        merged, dup = merge_funding_ics([r for r in export.records if r["file"] == cf.file])
        records += merged
        export.rejections += dup
    records, dup = nc.drop_duplicate_applications(records, [cf.file for cf in export.files], "Application ID")
    export.rejections += dup
    return export, records


def series_of(rec: dict[str, Any]) -> str:
    """The coverage series of an award: its administering institute's whole portfolio."""
    return f"{SOURCE_ID}:{rec['funder']}"


def coverage_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """(series, fiscal year, complete/partial, why) for every institute and year in the files."""
    by_series: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_series.setdefault(series_of(r), []).append(r)
    return [
        {"series_id": sid, "year": fy, "coverage": cov, "basis": basis}
        for sid, recs in sorted(by_series.items())
        for fy, (cov, basis) in nc.fiscal_year_coverage(recs).items()
    ]


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


def core_number(row: toolkit.CsvRow, application_id: str) -> str:
    """The core project number; a contract written only as 'Contract' is keyed by its activity,
    institute and application id (see module NOTE)."""
    number = toolkit.text(row.get("Project Number")) or ""
    core = nc.core_project_number(number)
    if core is not None:
        return core
    activity, ic = toolkit.text(row.get("Activity")), toolkit.text(row.get("IC"))
    if number.casefold() == "contract" and activity and ic:
        return f"{activity}{ic}-appl{application_id}"
    raise RowError("Project Number", f"not an NIH project number ('{number}')")


def parse_row(row: toolkit.CsvRow, issues: list[Rejection], file: str) -> dict[str, Any]:
    """One RePORTER row → an award record (amount not yet merged across funding ICs)."""
    application_id = str(nc.whole(row, "Application ID", required=True))
    fy = nc.whole(row, "FY", required=True)
    assert fy is not None  # required
    core = core_number(row, application_id)
    text = lambda col: toolkit.text(row.get(col), PLACEHOLDERS)  # noqa: E731
    date = lambda col: nc.lenient_date(issues, file, row, col, fy)  # noqa: E731
    mechanism = text("Funding Mechanism")
    activity = text("Activity") or core[:3]
    inst = nc.institute(acronym=text("Administering IC") or core[3:5])
    return {
        "application_id": application_id,
        "fy": fy,
        "core": core,
        "subproject": text("Subproject Number"),
        "activity": activity,
        "mechanism": mechanism,
        "funder": inst.funder,
        "funder_group": inst.funder_group,
        "title": text("Project Title"),
        "terms": text("Project Terms"),
        "spending": text("NIH Spending Categorization"),
        "phr": text("Public Health Relevance"),
        "pi": text("Contact PI / Project Leader"),
        "org_ipf": text("Organization ID (IPF)"),
        "org_name": text("Organization Name"),
        "org_city": text("Organization City"),
        "org_country": text("Organization Country"),
        "latitude": nc.lenient_number(issues, file, row, "Latitude"),
        "longitude": nc.lenient_number(issues, file, row, "Longitude"),
        "project_start": date("Project Start Date"),
        "project_end": date("Project End Date"),
        "budget_start": date("Budget Start Date"),
        "budget_end": date("Budget End Date"),
        "award_notice": date("Award Notice Date"),
        "intramural": mechanism == "Intramural Research" or activity.startswith("Z"),
        "funding_ic": text("Funding IC") or "",
        "cost_by_ic": nc.money(row, "FY Total Cost by IC"),
        "cost_sub": nc.money(row, "FY Total Cost (Sub Projects)"),
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


def _notes(result: SourceResult, export: nc.Export, records: list[dict[str, Any]]) -> list[str]:
    years = sorted({r["fy"] for r in records})
    co_funded = sum(1 for r in records if r.get("n_funding_ics", 1) > 1)
    blank = sum(cf.blank_rows for cf in export.files)
    absent = sorted({c for cf in export.files for c in SECONDARY if c not in cf.header})
    notes = [
        f"Fiscal years present: {year_ranges(years)}. Each file holds every award its institute "
        "administered in the fiscal year (the whole portfolio, MS or not); the classifier decides MS "
        "relevance. Other institutes and other years are missing (not zero).",
        f"as of {result.as_of}: the end of the latest fiscal year covered; the export's retrieval "
        "date is not recorded.",
        nc.encoding_note(export.files),
        f"{co_funded} applications co-funded by several institutes (one row per funding IC) were "
        "merged into one award each, amounts summed.",
        "Amount: 'FY Total Cost by IC' (USD, that fiscal year); for subprojects 'FY Total Cost "
        "(Sub Projects)'.",
        nc.accounting_note(records, result.tables["grants"]),
        f"{blank} blank rows skipped (not counted as data).",
    ]
    if absent:
        notes.append(f"Columns not in every export (left empty where absent): {', '.join(absent)}.")
    return notes
