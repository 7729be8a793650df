"""What the two NIH readers share: reading a CSV export, project numbers, institute names, and
turning award rows into the canonical `projects`, `grants` and `organisations` tables.

The RePORTER web export (`nih_reporter`) and the ExPORTER weekly files (`nih_exporter`) differ in
headers, date formats and quirks, but once a row is parsed they say the same things. Each
reader parses its rows into an *award record* (one dict per application, keys in
`RECORD_KEYS`) and hands the records to `build_tables`, so the two sources cannot drift apart
in how they key projects, count money or classify relevance.

Keys:
- a project is `nih:<core project number>` (`5R01NS022150-07` → `nih:R01NS022150`), one row
  however many fiscal years it spans; title, lead investigator and organisation come from its
  latest fiscal year.
- a grant is `nih:<application id>`: one fiscal year's award.

NOTE: a subproject of a program project or centre grant (P01, P50, U54 …; RePORTER
`Subproject Number`, ExPORTER `SUBPROJECT_ID`) shares its parent's core project number but has
its own title, investigator and topic: an ALS subproject can sit inside an MS centre. It is
keyed `nih:<core>/<subproject>` so that each subproject is classified on its own text.

NOTE: the parent application of such a grant reports the *whole* award, subprojects included
(e.g. 1P01NS099114-01 FY2017: parent 1,481,400 USD = 5 subprojects × 296,280). Where a parent
and at least one of its subprojects with an amount are in the files for the same fiscal year,
the parent becomes `record_type = "programme"` (`amount_basis = "total"`) and the subprojects
stay `award`, so summing awards never counts the money twice. A parent whose subprojects carry
no amount (RePORTER FY1993–1996 leaves subproject costs empty) stays an `award`.

NOTE: stable relevance. A project's row is classified from all its text, every fiscal year in the
files (titles, indexer terms and spending categories strong; public health relevance and abstract
terms weak). Each *grant* — one fiscal year's award — is classified from its project's text up to
and including its own fiscal year. So adding a later year's file never changes an earlier year's
grants or totals: R01NS025044 ("OLIGODENDROGLIAL PROLIFERATION AND DIFFERENTIATION") first names MS
in its FY2003 terms, and its FY1993–2001 awards stay "Not MS" as described at the time, while the
project row and its FY2003–2004 awards are MS research.

NOTE: a project can be in both sources (R01NS026799: RePORTER FY1993–2001 and ExPORTER FY2017).
The snapshot needs one row per project_id, so the project row is written by the source holding
the project's latest fiscal year (ExPORTER on a tie); the other source writes only its grants,
which point at that row. Each source classifies the project on its own rows, so those grants
carry the relevance of their own era's text (R01NS034939: "INTERFERON GAMMA EFFECTS ON
OLIGODENDROCYTES" in 1997–2001, an integrated-stress-response project in 2017).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from msprogress.ingest import classify, countries, fx, toolkit
from msprogress.ingest.base import FileRead, Rejection
from msprogress.manifest import sha256_file

RECORD_KEYS = (
    "file",  # path relative to raw_dir
    "row",  # 1-based record number, header = 1
    "application_id",
    "fy",
    "core",  # core project number (or contract number)
    "subproject",  # subproject id or None
    "activity",
    "mechanism",
    "funder",
    "funder_group",
    "title",
    "terms",  # indexer-assigned terms: strong classification text
    "weak_terms",  # terms derived from the abstract: weak classification text
    "spending",
    "phr",
    "pi",
    "org_ipf",
    "org_name",
    "org_city",
    "org_country",
    "latitude",
    "longitude",
    "project_start",
    "project_end",
    "budget_start",
    "budget_end",
    "award_notice",
    "amount",
    "intramural",
)

REPORTER_URL = "https://reporter.nih.gov/project-details/{}"
ENCODINGS = ("utf-8", "cp1252")  # NOTE: tried in order; the one used is stated in the notes.
INTRAMURAL_ISO3 = "USA"  # NIH intramural research is done at NIH's own campuses, all in the USA.

# Core project number: activity (3 chars) + IC (2 letters) + serial (6 digits), after an
# optional application-type digit and before an optional "-<support year><suffix>" (contracts:
# "-5-0-0", several dash-separated parts).
PROJECT_NUMBER = re.compile(
    r"^(?P<type>\d)?(?P<core>[A-Z][A-Z0-9]{2}[A-Z]{2}\d{6})(?:-(?P<rest>[0-9A-Z]+(?:-[0-9A-Z]+)*))?$"
)
CORE_NUMBER = re.compile(r"^[A-Z][A-Z0-9]{2}[A-Z]{2}\d{6}$")
# NOTE: ExPORTER gives R&D contracts a placeholder core number (`N01AI000000`) shared by every
# contract of that institute; the contract number leads FULL_PROJECT_NUM (`272201200010C-12-0-4`).
PLACEHOLDER_CORE = re.compile(r"^N0\d[A-Z]{2}0{6}$")
CONTRACT_NUMBER = re.compile(r"^(?P<contract>[0-9A-Z]{8,})-")


# ---------------------------------------------------------------------------------------------
# Institutes and centres: administering IC → funder name and group (domain data).


@dataclass(frozen=True)
class Institute:
    acronym: str
    funder: str
    funder_group: str = "NIH"


def _nih(acronym: str) -> Institute:
    return Institute(acronym, f"NIH {acronym}")


# ExPORTER `IC_NAME` (upper-cased) → institute. Non-NIH agencies whose awards NIH also publishes
# (VA, CDC centres) keep their own agency as funder and are not grouped as NIH.
IC_NAMES: dict[str, Institute] = {
    "NATIONAL CANCER INSTITUTE": _nih("NCI"),
    "NATIONAL EYE INSTITUTE": _nih("NEI"),
    "NATIONAL HEART, LUNG, AND BLOOD INSTITUTE": _nih("NHLBI"),
    "NATIONAL HUMAN GENOME RESEARCH INSTITUTE": _nih("NHGRI"),
    "NATIONAL INSTITUTE ON AGING": _nih("NIA"),
    "NATIONAL INSTITUTE ON ALCOHOL ABUSE AND ALCOHOLISM": _nih("NIAAA"),
    "NATIONAL INSTITUTE OF ALLERGY AND INFECTIOUS DISEASES": _nih("NIAID"),
    "NATIONAL INSTITUTE OF ARTHRITIS AND MUSCULOSKELETAL AND SKIN DISEASES": _nih("NIAMS"),
    "NATIONAL INSTITUTE OF BIOMEDICAL IMAGING AND BIOENGINEERING": _nih("NIBIB"),
    "EUNICE KENNEDY SHRIVER NATIONAL INSTITUTE OF CHILD HEALTH & HUMAN DEVELOPMENT": _nih("NICHD"),
    "NATIONAL INSTITUTE ON DEAFNESS AND OTHER COMMUNICATION DISORDERS": _nih("NIDCD"),
    "NATIONAL INSTITUTE OF DENTAL AND CRANIOFACIAL RESEARCH": _nih("NIDCR"),
    "NATIONAL INSTITUTE OF DIABETES AND DIGESTIVE AND KIDNEY DISEASES": _nih("NIDDK"),
    "NATIONAL INSTITUTE ON DRUG ABUSE": _nih("NIDA"),
    "NATIONAL INSTITUTE OF ENVIRONMENTAL HEALTH SCIENCES": _nih("NIEHS"),
    "NATIONAL INSTITUTE OF GENERAL MEDICAL SCIENCES": _nih("NIGMS"),
    "NATIONAL INSTITUTE OF MENTAL HEALTH": _nih("NIMH"),
    "NATIONAL INSTITUTE ON MINORITY HEALTH AND HEALTH DISPARITIES": _nih("NIMHD"),
    "NATIONAL INSTITUTE OF NEUROLOGICAL DISORDERS AND STROKE": _nih("NINDS"),
    "NATIONAL INSTITUTE OF NURSING RESEARCH": _nih("NINR"),
    "NATIONAL LIBRARY OF MEDICINE": _nih("NLM"),
    "NATIONAL CENTER FOR ADVANCING TRANSLATIONAL SCIENCES": _nih("NCATS"),
    "NATIONAL CENTER FOR COMPLEMENTARY & INTEGRATIVE HEALTH": _nih("NCCIH"),
    "NATIONAL CENTER FOR RESEARCH RESOURCES": _nih("NCRR"),
    "JOHN E. FOGARTY INTERNATIONAL CENTER": _nih("FIC"),
    "OFFICE OF THE DIRECTOR, NATIONAL INSTITUTES OF HEALTH": _nih("OD"),
    "CLINICAL CENTER": _nih("CC"),
    "VETERANS AFFAIRS": Institute("VA", "US Department of Veterans Affairs", "US federal, not NIH"),
    "AGENCY FOR TOXIC SUBSTANCES AND DISEASE REGISTRY": Institute(
        "ATSDR", "CDC ATSDR", "US federal, not NIH"
    ),
    "NATIONAL CENTER FOR CHRONIC DISEASE PREV AND HEALTH PROMO": Institute(
        "NCCDPHP", "CDC NCCDPHP", "US federal, not NIH"
    ),
}
# Two-letter administering-IC codes (ExPORTER `ADMINISTERING_IC`), used when IC_NAME is unknown.
IC_CODES: dict[str, str] = {
    "AA": "NIAAA", "AG": "NIA", "AI": "NIAID", "AR": "NIAMS", "AT": "NCCIH", "CA": "NCI", "CL": "CC",
    "DA": "NIDA", "DC": "NIDCD", "DE": "NIDCR", "DK": "NIDDK", "EB": "NIBIB", "ES": "NIEHS", "EY": "NEI",
    "GM": "NIGMS", "HD": "NICHD", "HG": "NHGRI", "HL": "NHLBI", "LM": "NLM", "MD": "NIMHD", "MH": "NIMH",
    "NR": "NINR", "NS": "NINDS", "OD": "OD", "RR": "NCRR", "TR": "NCATS", "TW": "FIC",
}  # fmt: skip
_BY_ACRONYM = {i.acronym: i for i in IC_NAMES.values()}


def institute(ic_name: str | None = None, code: str | None = None, acronym: str | None = None) -> Institute:
    """The institute for an IC full name, two-letter code or acronym (first one known wins)."""
    if ic_name and ic_name.strip().upper() in IC_NAMES:
        return IC_NAMES[ic_name.strip().upper()]
    if code and code.strip().upper() in IC_CODES:
        return _BY_ACRONYM[IC_CODES[code.strip().upper()]]
    name = (acronym or code or ic_name or "unknown").strip()
    return _BY_ACRONYM.get(name.upper(), _nih(name))


# ---------------------------------------------------------------------------------------------
# Project numbers


def core_project_number(project_number: str) -> str | None:
    """`5R01NS022150-07` → `R01NS022150`; `N01NS022323-002` → `N01NS022323`; None if unparseable."""
    m = PROJECT_NUMBER.match(project_number.strip())
    return m.group("core") if m else None


def core_from_exporter(core: str, full: str) -> str | None:
    """ExPORTER CORE_PROJECT_NUM, or the contract number where it is a placeholder."""
    core, full = core.strip(), full.strip()
    if PLACEHOLDER_CORE.match(core):
        m = CONTRACT_NUMBER.match(full)
        return m.group("contract") if m else None
    return core if CORE_NUMBER.match(core) else None


def project_key(core: str, subproject: str | None) -> str:
    return f"nih:{core}/{subproject}" if subproject else f"nih:{core}"


# ---------------------------------------------------------------------------------------------
# Reading the files of one export


@dataclass
class Export:
    """What an NIH file reader got from its files: the toolkit's CSV files, one award record per
    kept row (not yet merged or de-duplicated), and every rejection (rows not kept, and values left
    empty with `row_kept`)."""

    files: list[toolkit.CsvFile] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


RowParser = Callable[[toolkit.CsvRow, list[Rejection], str], dict[str, Any]]


def read_export(
    raw_dir: Path,
    paths: list[Path],
    required: Iterable[str],
    parse_row: RowParser,
    *,
    aliases: dict[str, str] | None = None,
    header_name: Callable[[str], str] = toolkit.normalise_header,
) -> Export:
    """Read every file with the toolkit and parse each row: a RowError rejects the row, a value
    that `parse_row` reads leniently lands in the rejections with `row_kept`."""
    out = Export()
    for path in paths:
        cf = toolkit.read_csv(
            path, raw_dir, tuple(required), aliases=aliases, header_name=header_name, encodings=ENCODINGS
        )
        out.files.append(cf)
        for row in cf.rows:
            issues: list[Rejection] = []
            try:
                row.check_width()
                rec = parse_row(row, issues, cf.file)
            except toolkit.RowError as err:
                out.rejections.append(err.rejection(cf.file, row.row))
                continue
            out.records.append({**rec, "file": cf.file, "row": row.row})
            out.rejections += issues
    return out


def lenient_date(
    issues: list[Rejection], file: str, row: toolkit.CsvRow, column: str, fy: int
) -> dt.date | None:
    """A secondary date in any layout RePORTER and ExPORTER have used (two-digit years put in the
    century nearest the row's fiscal year); unreadable → left empty and recorded."""
    return toolkit.lenient(
        issues, file, row.row, lambda: toolkit.parse_date(row.get(column), column, near=fy)
    )


def lenient_number(issues: list[Rejection], file: str, row: toolkit.CsvRow, column: str) -> float | None:
    """A secondary number (a coordinate); unreadable → left empty and recorded."""
    return toolkit.lenient(issues, file, row.row, lambda: toolkit.parse_number(row.get(column), column))


def money(row: toolkit.CsvRow, column: str) -> float | None:
    """A cost cell in USD: '295488', '295,488', '$295,488.00'; empty → None (missing, not zero).
    Money is primary: an unreadable amount rejects the row rather than losing it from the sums."""
    value = toolkit.text(row.get(column))
    if value is None:
        return None
    return toolkit.parse_number(value.removeprefix("$").strip(), column, thousands=True)


def whole(row: toolkit.CsvRow, column: str, required: bool = False) -> int | None:
    """A whole number such as an application id or fiscal year ('2001' or '2001.0')."""
    return toolkit.parse_int(row.get(column), column, required=required)


def drop_duplicate_applications(
    records: list[dict[str, Any]], file_order: list[str], id_column: str
) -> tuple[list[dict[str, Any]], list[Rejection]]:
    """One award per application id: keep the row from the latest file in `file_order`
    (the first row within one file); every other row is a Rejection naming the file kept."""
    rank = {f: i for i, f in enumerate(file_order)}
    ordered = sorted(records, key=lambda r: (-rank[r["file"]], r["row"]))
    kept: dict[str, dict[str, Any]] = {}
    rejections = []
    for rec in ordered:
        first = kept.get(rec["application_id"])
        if first is None:
            kept[rec["application_id"]] = rec
            continue
        why = f"duplicate {id_column} already read from {first['file']} (row {first['row']})"
        rejections.append(Rejection(rec["file"], rec["row"], id_column, why))
    return sorted(kept.values(), key=lambda r: (rank[r["file"]], r["row"])), rejections


def file_reads(raw_dir: Path, paths: list[Path], export: Export) -> list[FileRead]:
    """FileRead per file: rows_read = rows_kept + rows_rejected (blank rows are not data; a row
    kept with a value left empty counts as kept)."""
    out = []
    for path, cf in zip(paths, export.files, strict=True):
        rejected = sum(1 for r in export.rejections if r.file == cf.file and not r.row_kept)
        out.append(FileRead(cf.file, sha256_file(path), len(cf.rows), len(cf.rows) - rejected, rejected))
    return out


# ---------------------------------------------------------------------------------------------
# Building the canonical tables


def build_tables(
    records: list[dict[str, Any]], source_id: str, as_of: dt.date, series: Callable[[dict[str, Any]], str]
) -> dict[str, pd.DataFrame]:
    """projects, grants and organisations from parsed award records (one per application id);
    `series` names each award's coverage series (see `msprogress/ingest/coverage.py`).
    NOTE: a project also in another NIH source is written here too; the build's NIH step
    (`nih_overlap.settle`) keeps one project row per id."""
    recs = sorted((_enrich(r) for r in records), key=_chronological)
    by_project: dict[str, list[dict[str, Any]]] = {}
    for rec in recs:
        by_project.setdefault(rec["project_id"], []).append(rec)
    org_by_core = {r["core"]: r for r in recs if r["org_name"]}  # latest row with an organisation
    projects = {pid: _project(g, org_by_core, source_id, as_of) for pid, g in sorted(by_project.items())}
    totals = programme_parents(recs)
    grants = [
        _grant(r, projects[r["project_id"]], r["application_id"] in totals, source_id, as_of)
        | dict(
            zip(("ms_relevance", "gap_area"), as_of_year(by_project[r["project_id"]], r["fy"]), strict=True)
        )
        | {"series_id": series(r)}
        for r in recs
    ]
    return {
        "projects": pd.DataFrame(list(projects.values())),
        "grants": pd.DataFrame(grants),
        "organisations": _organisations(recs, source_id),
    }


def _enrich(rec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: rec.get(k) for k in RECORD_KEYS}
    out["project_id"] = project_key(str(out["core"]), out["subproject"])
    out["iso3"] = _iso3(out["org_country"], bool(out["intramural"]))
    out["org_id"] = org_id(out["org_ipf"], out["org_name"], out["org_city"])
    return out


def _chronological(rec: dict[str, Any]) -> tuple[int, dt.date, int]:
    """Order of 'latest': fiscal year, then budget start, then application id."""
    return (rec["fy"], rec["budget_start"] or dt.date.min, int(rec["application_id"]))


def _iso3(country: str | None, intramural: bool) -> str | None:
    iso = countries.to_iso3(country) if country else None
    return iso or (INTRAMURAL_ISO3 if intramural else None)


def org_id(ipf: str | None, name: str | None, city: str | None) -> str | None:
    """`nih:<IPF id>`, else `nih:<normalised name>-<normalised city>`, else None."""
    if ipf:
        return f"nih:{ipf}"
    if not name:
        return None
    return "nih:" + "-".join(_slug(x) for x in (name, city) if x)


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def _project(
    g: list[dict[str, Any]], org_by_core: dict[str, dict[str, Any]], source_id: str, as_of: dt.date
) -> dict:
    """One project row from its award records (oldest first): the latest year names it."""
    latest = g[-1]
    with_org = [r for r in g if r["org_name"]]
    org = with_org[-1] if with_org else org_by_core.get(latest["core"], {})
    relevance, gap = classified(*classification_text(g))
    starts = [r["project_start"] for r in g if r["project_start"]]
    ends = [r["project_end"] for r in g if r["project_end"]]
    return {
        "project_id": latest["project_id"],
        "title": latest["title"],
        "pi": latest["pi"],
        "org_id": org.get("org_id"),
        "organisation": org.get("org_name"),
        "city": org.get("org_city"),
        "iso3": org.get("iso3") or next((r["iso3"] for r in reversed(g) if r["iso3"]), None),
        "latitude": org.get("latitude"),
        "longitude": org.get("longitude"),
        "start_date": min(starts) if starts else None,
        "end_date": max(ends) if ends else None,
        "funder": latest["funder"],
        "ms_relevance": relevance,
        "gap_area": gap,
        "url": REPORTER_URL.format(latest["application_id"]),
        "source": source_id,
        "source_file": latest["file"],
        "as_of": as_of,
    }


@functools.lru_cache(maxsize=65_536)
def classified(strong: str, weak: str) -> tuple[str, str | None]:
    """MS relevance and gap area of a text (cached: a project's years mostly repeat its text)."""
    relevance = classify.ms_relevance(strong, weak)
    return relevance, classify.gap_area(strong, weak, relevance=relevance, study_type=None)


def as_of_year(g: list[dict[str, Any]], fy: int) -> tuple[str, str | None]:
    """A grant's MS relevance and gap area: from its project's text up to and including its own
    fiscal year (see the module NOTE on stable relevance)."""
    return classified(*classification_text([r for r in g if r["fy"] <= fy]))


def classification_text(g: list[dict[str, Any]]) -> tuple[str, str]:
    """Strong text (titles, indexer-assigned project terms, spending categories) and weak text
    (public health relevance, abstract-derived terms) of a project's rows, each piece once."""
    strong = _unique_pieces([r[k] for k in ("title", "terms", "spending") for r in g])
    weak = _unique_pieces([r[k] for k in ("phr", "weak_terms") for r in g])
    return " | ".join(strong), " | ".join(weak)


def _unique_pieces(values: list[Any]) -> list[str]:
    return list(dict.fromkeys(v for v in values if isinstance(v, str) and v))


def _grant(
    rec: dict[str, Any], project: dict[str, Any], is_total: bool, source_id: str, as_of: dt.date
) -> dict:
    amount = rec["amount"]
    return {
        "grant_id": f"nih:{rec['application_id']}",
        "project_id": rec["project_id"],
        "funder": rec["funder"],
        "funder_group": rec["funder_group"],
        "programme": programme(rec),
        "record_type": "programme" if is_total else "award",
        "year": rec["fy"],
        "year_convention": "NIH fiscal year",
        "award_date": rec["award_notice"],
        "start_date": rec["budget_start"],
        "start_year": _year(rec["budget_start"]) or _year(rec["project_start"]),
        "end_year": _year(rec["budget_end"]) or _year(rec["project_end"]),
        "amount": amount,
        "currency": "USD",
        "amount_basis": None if amount is None else ("total" if is_total else "exact"),
        **fx.convert(amount, "USD", rec["fy"]),
        "iso3": rec["iso3"] or project["iso3"],
        "title": rec["title"],
        "url": REPORTER_URL.format(rec["application_id"]),
        "source": source_id,
        "source_file": rec["file"],
        "as_of": as_of,
    }


def programme_parents(recs: list[dict[str, Any]]) -> set[str]:
    """Application ids of parent awards whose subprojects with an amount are also present for the
    same core project and fiscal year: their amount is a total of those subprojects' money."""
    with_subs = {(r["core"], r["fy"]) for r in recs if r["subproject"] and r["amount"] is not None}
    return {r["application_id"] for r in recs if not r["subproject"] and (r["core"], r["fy"]) in with_subs}


def programme(rec: dict[str, Any]) -> str:
    """Activity code and funding mechanism, e.g. 'R01 · Research Projects'."""
    parts = [p for p in (rec["activity"], rec["mechanism"]) if p]
    label = " · ".join(parts) if parts else "unknown activity"
    return f"{label} (subproject)" if rec["subproject"] else label


def _year(value: Any) -> int | None:
    return value.year if isinstance(value, dt.date) else None


def _organisations(recs: list[dict[str, Any]], source_id: str) -> pd.DataFrame:
    """One row per organisation: name, city and country of its latest award, last known coordinates."""
    orgs: dict[str, dict[str, Any]] = {}
    for r in recs:  # chronological: later rows overwrite earlier ones
        if not r["org_id"]:
            continue
        org = orgs.setdefault(r["org_id"], {"org_id": r["org_id"], "latitude": None, "longitude": None})
        org.update(
            name=r["org_name"], city=r["org_city"], iso3=r["iso3"] or org.get("iso3"), source=source_id
        )
        if r["latitude"] is not None and r["longitude"] is not None:
            org.update(latitude=r["latitude"], longitude=r["longitude"])
    columns = ["org_id", "name", "city", "iso3", "latitude", "longitude", "source"]
    return pd.DataFrame([orgs[k] for k in sorted(orgs)], columns=columns)


# ---------------------------------------------------------------------------------------------
# Coverage


def fiscal_year_coverage(records: list[dict[str, Any]]) -> dict[int, tuple[str, str]]:
    """Fiscal year → (coverage, basis), judged from the award dates of its rows.

    NIH fiscal year FY runs 1 October FY-1 to 30 September FY. A year is 'complete' when the
    rows' dates (award notice, else budget start: early files leave notices empty) reach from
    the first quarter of the fiscal year to its last month; otherwise the file holds only part of
    the year (an export taken mid-year) and the year is 'partial'."""
    by_fy: dict[int, list[dt.date]] = {}
    for r in records:
        date = r.get("award_notice") or r.get("budget_start")
        fy = r["fy"]
        by_fy.setdefault(fy, [])
        if date and dt.date(fy - 1, 10, 1) <= date <= dt.date(fy, 9, 30):
            by_fy[fy].append(date)
    out = {}
    for fy, dates in sorted(by_fy.items()):
        if not dates:
            out[fy] = ("partial", "no award or budget-start date within the fiscal year to judge it by")
            continue
        first, last = min(dates), max(dates)
        spans = first <= dt.date(fy - 1, 12, 31) and last >= dt.date(fy, 9, 1)
        out[fy] = (
            ("complete", f"award dates run from {first} to {last}: the whole fiscal year")
            if spans
            else ("partial", f"award dates run only from {first} to {last}: part of the fiscal year")
        )
    return out


def encoding_note(csv_files: list[toolkit.CsvFile]) -> str:
    by_enc: dict[str, list[str]] = {}
    for cf in csv_files:
        by_enc.setdefault(cf.encoding, []).append(Path(cf.file).name)
    parts = [
        f"{enc}: {len(names)} file(s)" + ("" if enc == "utf-8" else f" ({', '.join(names)})")
        for enc, names in sorted(by_enc.items())
    ]
    return "Encoding (tried UTF-8, then Windows-1252): " + "; ".join(parts) + "."


def accounting_note(records: list[dict[str, Any]], grants: pd.DataFrame) -> str:
    n_prog = int((grants["record_type"] == "programme").sum()) if len(grants) else 0
    n_none = int(grants["amount"].isna().sum()) if len(grants) else 0
    return (
        f"{len(records)} awards kept; {n_prog} parent awards of program projects/centres are marked "
        f"'programme' (their amount totals subprojects that are listed as awards); {n_none} awards "
        "report no amount (intramural projects; subprojects without a reported cost): missing, not zero."
    )
