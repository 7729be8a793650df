"""Reader for the NIH ExPORTER weekly project files in `nih_exporter/` (all institutes).

Owns the ExPORTER format: upper-case headers (matched case-insensitively, by name, never by
position: the files published in FY2018 add `ORG_IPF_CODE`), `MM/DD/YYYY` dates, `FUNDING_ICs`
like `NLM:643863\\`, `PI_NAMEs` with a `(contact)` marker, and rows of one award published in
files of both series. Rows become award records that `nih_common.build_tables` turns into
projects, grants and organisations.

File names say when a row was published and for which fiscal year:
`exporter_prj_c_fy<SERIES>_weekly_rows_fy<FY>.csv` holds rows of fiscal year FY from the weekly
files published during fiscal year SERIES.

NOTE: the same APPLICATION_ID in several files is one award, counted once: the row of the
later-published file is kept, the other is a Rejection ("duplicate APPLICATION_ID already read
from <file>"), so rows_read = rows_kept + rows_rejected per file.

NOTE: amount. `TOTAL_COST` (USD, that fiscal year); where empty, `TOTAL_COST_SUB_PROJECT` (a
subproject's own cost); where that is empty too, the sum of `FUNDING_ICs` (the VA reports its
awards only there). A `TOTAL_COST` of 0 with no `FUNDING_ICs` (intramural projects) means no
cost was published: amount missing, not zero.

NOTE: classification. PROJECT_TERMS here are NIH's thesaurus terms computed from the abstract
(hundreds per project: a pancreatic-cancer grant lists "Multiple Sclerosis" because its abstract
names it once). They are *weak* text, with PHR; the strong text is the title (NIH_SPENDING_CATS
is empty in these weekly files). As strong text they made 208 more of the 1,253 rows "MS",
nearly all false ("Thyroid Hormone Action", "Immune Modulation and Cardiac Remodeling"). Known
limit: a term echoing a single passing mention in PHR makes two weak mentions ("Impact of Sleep
Apnea in Elderly Veterans with Comorbid COPD" becomes MS). PHR alone would make 145 fewer rows
MS, but would lose many EAE and remyelination projects whose titles do not name MS.

NOTE: coordinates. ExPORTER has none, and FY2017-series files have no IPF organisation id. Both
are filled, where another NIH source knows the organisation, by the build's NIH step
(`nih_overlap.settle`), not here: a reader reads its own files only.

NOTE: as_of is the newest AWARD_NOTICE_DATE in the files (the latest week covered); the
download date of the weekly files is not recorded.
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

SOURCE_ID = "nih_exporter"
FOLDER = "nih_exporter"
FILE_NAME = re.compile(r"fy(?P<series>\d{4})_weekly_rows_fy(?P<fy>\d{4})", re.IGNORECASE)

COLUMNS = (  # upper-cased headers; all required
    "APPLICATION_ID",
    "ACTIVITY",
    "ADMINISTERING_IC",
    "AWARD_NOTICE_DATE",
    "BUDGET_START",
    "BUDGET_END",
    "CORE_PROJECT_NUM",
    "FULL_PROJECT_NUM",
    "FUNDING_ICS",
    "FUNDING_MECHANISM",
    "FY",
    "IC_NAME",
    "NIH_SPENDING_CATS",
    "ORG_CITY",
    "ORG_COUNTRY",
    "ORG_NAME",
    "PHR",
    "PI_NAMES",
    "PROJECT_START",
    "PROJECT_END",
    "PROJECT_TERMS",
    "PROJECT_TITLE",
    "SUBPROJECT_ID",
    "TOTAL_COST",
    "TOTAL_COST_SUB_PROJECT",
)

# What the provenance README says of each fiscal year (the weekly-file list is not in the rows).
PARTIAL = "weekly files, rows mentioning sclerosis or myelin words only"
COVERAGE_NOTES = {
    2016: f"a few late rows published in FY2017 {PARTIAL}",
    2017: f"{PARTIAL}: FY2017 (48 of 52 weeks) plus rows published early in FY2018",
    2018: f"{PARTIAL}: FY2018's first months (October–January) only",
}


def read(raw_dir: Path) -> SourceResult:
    paths = _files(raw_dir)
    export, records = read_records(raw_dir, paths)
    as_of = latest_notice(records)
    result = SourceResult(
        source_id=SOURCE_ID,
        title="",  # from the source registry
        as_of=as_of.isoformat(),
        terms="",
        url="",
        files=nc.file_reads(raw_dir, paths, export),
        tables=nc.build_tables(records, SOURCE_ID, as_of, lambda _: SOURCE_ID),
        rejections=sorted(export.rejections, key=lambda r: (r.file, r.row or 0)),
        coverage=[
            {
                "series_id": SOURCE_ID,
                "year": fy,
                "coverage": "partial",
                "basis": COVERAGE_NOTES.get(fy, PARTIAL),
            }
            for fy in sorted({r["fy"] for r in records})
        ],
    )
    result.notes = _notes(result, export, records)
    return result


def read_records(raw_dir: Path, paths: list[Path]) -> tuple[nc.Export, list[dict[str, Any]]]:
    """Every file's rows and the award records, one per application id (the later-published
    file's row kept)."""
    export = nc.read_export(raw_dir, paths, COLUMNS, parse_row, header_name=_upper)
    records, dup = nc.drop_duplicate_applications(
        export.records, [cf.file for cf in export.files], "APPLICATION_ID"
    )
    export.rejections += dup
    return export, records


def _upper(name: str) -> str:
    return toolkit.normalise_header(name).upper()


def _files(raw_dir: Path) -> list[Path]:
    """ExPORTER files, oldest publication series first (duplicates keep the latest)."""
    paths = sorted((raw_dir / FOLDER).glob("*.csv"), key=_publication_order)
    if not paths:
        raise SourceError(FOLDER, "no ExPORTER file (*.csv) found")
    return paths


def _publication_order(path: Path) -> tuple[int, int, str]:
    m = FILE_NAME.search(path.name)
    return (int(m.group("series")), int(m.group("fy")), path.name) if m else (0, 0, path.name)


def parse_row(row: toolkit.CsvRow, issues: list[Rejection], file: str) -> dict[str, Any]:
    """One ExPORTER row → an award record."""
    core = nc.core_from_exporter(row.get("CORE_PROJECT_NUM"), row.get("FULL_PROJECT_NUM"))
    if core is None:
        raise RowError(
            "CORE_PROJECT_NUM", f"not an NIH core project number ('{row.get('CORE_PROJECT_NUM')}')"
        )
    fy = nc.whole(row, "FY", required=True)
    assert fy is not None  # required
    text = lambda col: toolkit.text(row.get(col))  # noqa: E731
    date = lambda col: nc.lenient_date(issues, file, row, col, fy)  # noqa: E731
    mechanism = text("FUNDING_MECHANISM")
    activity = text("ACTIVITY") or core[:3]
    inst = nc.institute(ic_name=text("IC_NAME"), code=text("ADMINISTERING_IC"))
    return {
        "application_id": str(nc.whole(row, "APPLICATION_ID", required=True)),
        "fy": fy,
        "core": core,
        "subproject": text("SUBPROJECT_ID"),
        "activity": activity,
        "mechanism": mechanism,
        "funder": inst.funder,
        "funder_group": inst.funder_group,
        "title": text("PROJECT_TITLE"),
        "terms": None,
        "weak_terms": text("PROJECT_TERMS"),
        "spending": text("NIH_SPENDING_CATS"),
        "phr": text("PHR"),
        "pi": contact_pi(row.get("PI_NAMES")),
        "org_ipf": text("ORG_IPF_CODE"),
        "org_name": text("ORG_NAME"),
        "org_city": text("ORG_CITY"),
        "org_country": text("ORG_COUNTRY"),
        "latitude": None,
        "longitude": None,
        "project_start": date("PROJECT_START"),
        "project_end": date("PROJECT_END"),
        "budget_start": date("BUDGET_START"),
        "budget_end": date("BUDGET_END"),
        "award_notice": date("AWARD_NOTICE_DATE"),
        "amount": amount(row),
        "intramural": (mechanism or "").upper() == "INTRAMURAL RESEARCH" or activity.startswith("Z"),
    }


def amount(row: toolkit.CsvRow) -> float | None:
    """TOTAL_COST, else TOTAL_COST_SUB_PROJECT, else the FUNDING_ICs sum (see module NOTE)."""
    by_ic = funding_ics(row)
    total = nc.money(row, "TOTAL_COST")
    if total is not None and (total != 0 or by_ic):
        return total
    sub = nc.money(row, "TOTAL_COST_SUB_PROJECT")
    if sub is not None:
        return sub
    return float(sum(by_ic.values())) if by_ic else None


def funding_ics(row: toolkit.CsvRow) -> dict[str, float]:
    """`NIA:50000\\NINDS:310000\\` → {'NIA': 50000.0, 'NINDS': 310000.0}."""
    value = toolkit.text(row.get("FUNDING_ICS")) or ""
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in value.split("\\"))):
        ic, _, money = part.partition(":")
        try:
            out[ic.strip()] = out.get(ic.strip(), 0.0) + float(money)
        except ValueError:
            raise RowError("FUNDING_ICS", f"not 'IC:amount' pairs ('{value}')") from None
    return out


def contact_pi(names: str | None) -> str | None:
    """`PALMER, MARTHA STONE; SAVOVA, GUERGANA K. (contact);` → 'SAVOVA, GUERGANA K.'."""
    people = [p.strip() for p in (names or "").split(";") if p.strip()]
    contact = [p for p in people if p.endswith("(contact)")]
    chosen = (contact or people)[:1]
    return chosen[0].removesuffix("(contact)").strip() if chosen else None


def latest_notice(records: list[dict[str, Any]]) -> dt.date:
    """The newest award notice date (else budget start) in the records."""
    dates = [r["award_notice"] for r in records if r["award_notice"]] or [
        r["budget_start"] for r in records if r["budget_start"]
    ]
    if not dates:
        raise SourceError(
            FOLDER, "no usable row with an AWARD_NOTICE_DATE or BUDGET_START in any ExPORTER file"
        )
    return max(dates)


def _notes(result: SourceResult, export: nc.Export, records: list[dict[str, Any]]) -> list[str]:
    years = sorted({r["fy"] for r in records})
    per_year = "; ".join(f"FY{y}: {COVERAGE_NOTES.get(y, PARTIAL)}" for y in years)
    dups = sum(1 for r in result.rejections if r.reason.startswith("duplicate APPLICATION_ID"))
    return [
        f"Fiscal years present: {year_ranges(years)}, all partial ({per_year}). All NIH institutes "
        "(and VA/CDC awards NIH publishes).",
        f"as of {result.as_of}: the newest award notice date in the files (latest week covered); the "
        "download date is not recorded.",
        nc.encoding_note(export.files),
        f"{dups} rows repeat an APPLICATION_ID already read from a later-published file: counted once.",
        "Amount: TOTAL_COST; else TOTAL_COST_SUB_PROJECT; else the FUNDING_ICs sum (VA awards). "
        "A TOTAL_COST of 0 without FUNDING_ICs (intramural) is missing, not zero.",
        nc.accounting_note(records, result.tables["grants"]),
    ]
