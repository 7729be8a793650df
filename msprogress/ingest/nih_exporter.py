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

NOTE: coordinates. ExPORTER has none. An organisation gets RePORTER's latitude/longitude for the
same IPF organisation id when the RePORTER files are present. FY2017-series files have no IPF id:
it is taken from another NIH row with the same organisation name and city when exactly one id
matches, else the organisation is keyed by its normalised name and city.

NOTE: as_of is the newest AWARD_NOTICE_DATE in the files (the latest week covered); the
download date of the weekly files is not recorded.
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

SOURCE_ID = "nih_exporter"
FOLDER = "nih_exporter"
REPORTER_FOLDER = "nih_reporter"
DATE_FORMAT = "%m/%d/%Y"
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
OPTIONAL = ("ORG_IPF_CODE",)  # only in files published from FY2018 on

# What the provenance README says of each fiscal year (the weekly-file list is not in the rows).
COVERAGE_NOTES = {
    2016: "a few late rows published in FY2017 weekly files",
    2017: "weekly files of FY2017 (48 of 52 weeks) plus rows published early in FY2018",
    2018: "weekly files of FY2018's first months (October–January) only",
}


def read(raw_dir: Path) -> SourceResult:
    paths = _files(raw_dir)
    csv_files, records, rejections = read_records(raw_dir, paths)
    coords_note = fill_organisations(records, raw_dir)
    as_of = latest_notice(records)
    from msprogress.ingest import nih_reporter  # NOTE: imported here: the two readers consult each other

    theirs, other_note = nc.other_source_years(nih_reporter.award_records, raw_dir, REPORTER_FOLDER)
    mine = nc.latest_years(records)
    elsewhere = nc.owned_elsewhere(mine, theirs, tie_is_theirs=False)
    tables = nc.build_tables(records, SOURCE_ID, as_of, elsewhere)
    result = SourceResult(
        source_id=SOURCE_ID,
        title="NIH ExPORTER weekly project files, all institutes, keyword-screened",
        as_of=as_of.isoformat(),
        terms="U.S. federal data, public domain (NIH ExPORTER)",
        url="https://reporter.nih.gov/exporter",
        files=nc.file_reads(raw_dir, paths, csv_files, rejections),
        tables=tables,
        rejections=sorted(rejections, key=lambda r: (r.file, r.row or 0)),
    )
    result.notes = _notes(result, csv_files, records, coords_note)
    result.notes.append(nc.sharing_note(mine, theirs, elsewhere, "nih_reporter", other_note))
    return result


def read_records(
    raw_dir: Path, paths: list[Path]
) -> tuple[list[nc.CsvFile], list[dict[str, Any]], list[Rejection]]:
    """Every file's award records (one per application id) and the rows rejected."""
    csv_files = [nc.read_csv(p, raw_dir, COLUMNS, upper=True) for p in paths]
    records, rejections = [], []
    for cf in csv_files:
        recs, rej = nc.parse_rows(cf, parse_row)
        records += recs
        rejections += rej
    records, dup = nc.drop_duplicate_applications(records, [cf.path for cf in csv_files], "APPLICATION_ID")
    return csv_files, records, rejections + dup


def award_records(raw_dir: Path) -> list[dict[str, Any]]:
    """The award records alone (what the RePORTER reader needs to share project rows)."""
    return read_records(raw_dir, _files(raw_dir))[1]


def _files(raw_dir: Path) -> list[Path]:
    """ExPORTER files, oldest publication series first (duplicates keep the latest)."""
    paths = sorted((raw_dir / FOLDER).glob("*.csv"), key=_publication_order)
    if not paths:
        raise SourceError(FOLDER, "no ExPORTER file (*.csv) found")
    return paths


def _publication_order(path: Path) -> tuple[int, int, str]:
    m = FILE_NAME.search(path.name)
    return (int(m.group("series")), int(m.group("fy")), path.name) if m else (0, 0, path.name)


def parse_row(row: dict[str, str]) -> dict[str, Any]:
    """One ExPORTER row → an award record."""
    core = nc.core_from_exporter(row.get("CORE_PROJECT_NUM", ""), row.get("FULL_PROJECT_NUM", ""))
    if core is None:
        raise RowError(
            "CORE_PROJECT_NUM", f"not an NIH core project number ('{row.get('CORE_PROJECT_NUM')}')"
        )
    mechanism = nc.text(row, "FUNDING_MECHANISM")
    activity = nc.text(row, "ACTIVITY") or core[:3]
    inst = nc.institute(ic_name=nc.text(row, "IC_NAME"), code=nc.text(row, "ADMINISTERING_IC"))
    return {
        "application_id": str(nc.parse_int(row, "APPLICATION_ID", required=True)),
        "fy": nc.parse_int(row, "FY", required=True),
        "core": core,
        "subproject": nc.text(row, "SUBPROJECT_ID"),
        "activity": activity,
        "mechanism": mechanism,
        "funder": inst.funder,
        "funder_group": inst.funder_group,
        "title": nc.text(row, "PROJECT_TITLE"),
        "terms": None,
        "weak_terms": nc.text(row, "PROJECT_TERMS"),
        "spending": nc.text(row, "NIH_SPENDING_CATS"),
        "phr": nc.text(row, "PHR"),
        "pi": contact_pi(row.get("PI_NAMES", "")),
        "org_ipf": nc.text(row, "ORG_IPF_CODE"),
        "org_name": nc.text(row, "ORG_NAME"),
        "org_city": nc.text(row, "ORG_CITY"),
        "org_country": nc.text(row, "ORG_COUNTRY"),
        "latitude": None,
        "longitude": None,
        "project_start": nc.parse_date(row, "PROJECT_START", DATE_FORMAT),
        "project_end": nc.parse_date(row, "PROJECT_END", DATE_FORMAT),
        "budget_start": nc.parse_date(row, "BUDGET_START", DATE_FORMAT),
        "budget_end": nc.parse_date(row, "BUDGET_END", DATE_FORMAT),
        "award_notice": nc.parse_date(row, "AWARD_NOTICE_DATE", DATE_FORMAT),
        "amount": amount(row),
        "intramural": (mechanism or "").upper() == "INTRAMURAL RESEARCH" or activity.startswith("Z"),
    }


def amount(row: dict[str, str]) -> float | None:
    """TOTAL_COST, else TOTAL_COST_SUB_PROJECT, else the FUNDING_ICs sum (see module NOTE)."""
    by_ic = funding_ics(row)
    total = nc.parse_number(row, "TOTAL_COST")
    if total is not None and (total != 0 or by_ic):
        return total
    sub = nc.parse_number(row, "TOTAL_COST_SUB_PROJECT")
    if sub is not None:
        return sub
    return float(sum(by_ic.values())) if by_ic else None


def funding_ics(row: dict[str, str]) -> dict[str, float]:
    """`NIA:50000\\NINDS:310000\\` → {'NIA': 50000.0, 'NINDS': 310000.0}."""
    value = nc.text(row, "FUNDING_ICS") or ""
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in value.split("\\"))):
        ic, _, money = part.partition(":")
        try:
            out[ic.strip()] = out.get(ic.strip(), 0.0) + float(money)
        except ValueError:
            raise RowError("FUNDING_ICS", f"not 'IC:amount' pairs ('{value}')") from None
    return out


def contact_pi(names: str) -> str | None:
    """`PALMER, MARTHA STONE; SAVOVA, GUERGANA K. (contact);` → 'SAVOVA, GUERGANA K.'."""
    people = [p.strip() for p in names.split(";") if p.strip()]
    contact = [p for p in people if p.endswith("(contact)")]
    chosen = (contact or people)[:1]
    return chosen[0].removesuffix("(contact)").strip() if chosen else None


def fill_organisations(records: list[dict[str, Any]], raw_dir: Path) -> str:
    """Fill missing IPF ids (by unique name and city) and coordinates (from RePORTER by IPF id)."""
    coords, names, note = reporter_organisations(raw_dir)
    for rec in records:
        if rec["org_ipf"] and rec["org_name"]:
            names.setdefault((rec["org_name"], rec["org_city"]), set()).add(rec["org_ipf"])
    filled = located = 0
    for rec in records:
        ids = names.get((rec["org_name"], rec["org_city"]), set())
        if not rec["org_ipf"] and len(ids) == 1:
            rec["org_ipf"] = next(iter(ids))
            filled += 1
        if rec["org_ipf"] in coords:
            rec["latitude"], rec["longitude"] = coords[rec["org_ipf"]]
            located += 1
    return (
        f"Organisations: {filled} rows without ORG_IPF_CODE got the IPF id of the same name and city "
        f"elsewhere in NIH data; {located} of {len(records)} awards have coordinates from RePORTER "
        f"(same IPF id). {note}"
    )


def reporter_organisations(
    raw_dir: Path,
) -> tuple[dict[str, tuple[float, float]], dict[tuple[str | None, str | None], set[str]], str]:
    """IPF id → (latitude, longitude), and (name, city) → IPF ids, from the RePORTER exports."""
    cols = ("Organization ID (IPF)", "Organization Name", "Organization City", "Latitude", "Longitude")
    coords: dict[str, tuple[float, float]] = {}
    names: dict[tuple[str | None, str | None], set[str]] = {}
    paths = sorted((raw_dir / REPORTER_FOLDER).glob("*.csv"))
    try:
        files = [nc.read_csv(p, raw_dir, cols) for p in paths]
    except SourceError as err:
        return {}, {}, f"RePORTER coordinates not used: {err}."
    for cf in files:
        for _, row in cf.rows:
            ipf = nc.text(row, cols[0])
            if not ipf:
                continue
            names.setdefault((nc.text(row, cols[1]), nc.text(row, cols[2])), set()).add(ipf)
            try:
                coords[ipf] = (float(row[cols[3]]), float(row[cols[4]]))
            except ValueError:
                continue
    return coords, names, f"Coordinates looked up in {len(files)} RePORTER file(s)."


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


def _notes(
    result: SourceResult, csv_files: list[nc.CsvFile], records: list[dict[str, Any]], coords_note: str
) -> list[str]:
    years = fiscal_years_covered(result)
    per_year = "; ".join(f"FY{y}: {COVERAGE_NOTES.get(y, 'partial')}" for y in years)
    dups = sum(1 for r in result.rejections if r.reason.startswith("duplicate APPLICATION_ID"))
    return [
        f"Fiscal years present: {nc.year_ranges(years)}, all partial ({per_year}). Rows are limited to "
        "those mentioning sclerosis or myelin words; all NIH institutes (and VA/CDC awards NIH publishes).",
        f"as of {result.as_of}: the newest award notice date in the files (latest week covered); the "
        "download date is not recorded.",
        nc.encoding_note(csv_files),
        f"{dups} rows repeat an APPLICATION_ID already read from a later-published file: counted once.",
        "Amount: TOTAL_COST; else TOTAL_COST_SUB_PROJECT; else the FUNDING_ICs sum (VA awards). "
        "A TOTAL_COST of 0 without FUNDING_ICs (intramural) is missing, not zero.",
        nc.accounting_note(records, result.tables["grants"]),
        coords_note,
    ]
