"""Reader for NIH RePORTER API v2 pulls stored by `python -m msprogress.refresh`
(`raw/reporter_api/<YYYY-MM-DD>/page-*.json`, each page one `POST /v2/projects/search` response).

Owns the step from an API project result (one application = one fiscal year's award) to the
award record of `nih_common.RECORD_KEYS`; `nih_common.build_tables` then makes projects, grants
and organisations exactly as for the two NIH file readers (same keys `nih:<core>`,
`nih:<application id>`, same programme/subproject rules, same classification).

Field mapping: `appl_id`, `fiscal_year`, `core_project_num` (else parsed from `project_num`),
`subproject_id`, `activity_code`, `funding_mechanism`, `agency_ic_admin {code, abbreviation,
name}`, `project_title`, `pref_terms`, `spending_categories_desc`, `phr_text`,
`contact_pi_name`, `organization {org_name, org_city, org_country, org_ipf_code}`,
`geo_lat_lon {lat, lon}`, dates as `2017-08-01T00:00:00` (the date part is used).

NOTE: amount, as for ExPORTER: `award_amount`; where it is missing, or 0 with no funding
institute listed (intramural), `total_cost_sub_project`; else the sum of
`agency_ic_fundings[].total_cost`; else missing (not zero).
NOTE: terms. From FY2008 on, NIH's project terms are computed from the abstract by the RCDC
thesaurus (hundreds per project; an abstract naming MS once gets the term) and are *weak* text,
as in the ExPORTER reader. Before FY2008 they are the indexers' CRISP keywords, read as *strong*
text, as in the RePORTER export reader. Strong text is otherwise the title and
`spending_categories_desc`.
NOTE: `Rejection.row` is the result's position in its page (1 = first result). The same
`appl_id` in two pages or two pulls is one award: the newest page's copy is kept, the other
rejected as a duplicate (paging is by offset, so a record can shift between pages).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from msprogress.ingest import api_pages
from msprogress.ingest import nih_common as nc
from msprogress.ingest.api_pages import dig
from msprogress.ingest.base import FileRead, Rejection, SourceResult, relpath
from msprogress.ingest.toolkit import RowError
from msprogress.manifest import sha256_file
from msprogress.style import year_ranges

SOURCE_ID = "reporter_api"
FOLDER = "reporter_api"
RCDC_FIRST_FY = 2008  # first fiscal year of RCDC thesaurus terms (see module NOTE)
ID_FIELD = "appl_id"
SEARCH = "a text search for 'multiple sclerosis' (title, abstract, terms)"


def read(raw_dir: Path) -> SourceResult:
    """Read the pull(s) under `raw_dir/reporter_api` (see `api_pages.pulls_to_read`); none → empty."""
    result = SourceResult(
        source_id=SOURCE_ID,
        title="",  # from the source registry
        as_of="",
        terms="",
        url="",
    )
    pulls, notes = api_pages.pulls_to_read(raw_dir, FOLDER)
    paths = [page for pull in reversed(pulls) for page in pull.pages]  # oldest first
    dates = {page: pull.date for pull in pulls for page in pull.pages}
    records, rejections, counts = [], [], {}
    for path in paths:
        recs, rej = read_page(path, raw_dir)
        records += recs
        rejections += rej
        counts[path] = len(recs) + len(rej)
    records, dup = nc.drop_duplicate_applications(records, [relpath(p, raw_dir) for p in paths], ID_FIELD)
    rejections += dup
    result.files = _file_reads(raw_dir, counts, rejections)
    result.rejections = sorted(rejections, key=lambda r: (r.file, r.row or 0))
    result.notes = notes
    if records:
        as_of = max(dates.values())
        result.as_of = as_of.isoformat()
        result.tables = nc.build_tables(records, SOURCE_ID, as_of, lambda _: SOURCE_ID)
        result.coverage = [
            {"series_id": SOURCE_ID, "year": fy, "coverage": "partial", "basis": SEARCH}
            for fy in sorted({r["fy"] for r in records})
        ]
        result.notes += _notes(records, result)
    return result


def read_page(path: Path, raw_dir: Path) -> tuple[list[dict[str, Any]], list[Rejection]]:
    file = relpath(path, raw_dir)
    results = api_pages.records(api_pages.load_page(path, raw_dir), file, "results")
    records, rejections = [], []
    for n, res in enumerate(results, start=1):
        try:
            records.append({**parse_result(res), "file": file, "row": n})
        except RowError as err:
            rejections.append(Rejection(file, n, err.column, str(err)))
    return records, rejections


def parse_result(res: Any) -> dict[str, Any]:
    """One API project result → an award record (see `nih_common.RECORD_KEYS`)."""
    if not isinstance(res, dict):
        raise RowError(None, f"result is a JSON {type(res).__name__}, not an object")
    core = _core(res)
    fy = _int(res, "fiscal_year")
    mechanism = _str(res.get("funding_mechanism"))
    activity = _str(res.get("activity_code")) or core[:3]
    admin = res.get("agency_ic_admin")
    admin = admin if isinstance(admin, dict) else {}
    inst = nc.institute(
        ic_name=_str(admin.get("name")),
        code=_str(admin.get("code")),
        acronym=_str(admin.get("abbreviation")) or core[3:5],
    )
    terms = _str(res.get("pref_terms"))
    return {
        "application_id": str(_int(res, ID_FIELD)),
        "fy": fy,
        "core": core,
        "subproject": _str(res.get("subproject_id")),
        "activity": activity,
        "mechanism": mechanism,
        "funder": inst.funder,
        "funder_group": inst.funder_group,
        "title": _str(res.get("project_title")),
        "terms": terms if fy < RCDC_FIRST_FY else None,
        "weak_terms": terms if fy >= RCDC_FIRST_FY else None,
        "spending": _str(res.get("spending_categories_desc")),
        "phr": _str(res.get("phr_text")),
        "pi": _str(res.get("contact_pi_name")) or _contact_pi(res.get("principal_investigators")),
        "org_ipf": _str(dig(res, "organization.org_ipf_code"))
        or _str(dig(res, "organization.external_org_id")),
        "org_name": _str(dig(res, "organization.org_name")),
        "org_city": _str(dig(res, "organization.org_city")),
        "org_country": _str(dig(res, "organization.org_country")),
        **_coordinates(res),
        "project_start": _date(res, "project_start_date"),
        "project_end": _date(res, "project_end_date"),
        "budget_start": _date(res, "budget_start"),
        "budget_end": _date(res, "budget_end"),
        "award_notice": _date(res, "award_notice_date"),
        "amount": amount(res),
        "intramural": (mechanism or "").upper() == "INTRAMURAL RESEARCH" or activity.startswith("Z"),
    }


def amount(res: dict[str, Any]) -> float | None:
    """award_amount, else total_cost_sub_project, else the funding institutes' sum (module NOTE)."""
    fundings = [f for f in res.get("agency_ic_fundings") or [] if isinstance(f, dict)]
    by_ic = [_number(f, "total_cost", "agency_ic_fundings[].total_cost") for f in fundings]
    by_ic_known = [x for x in by_ic if x is not None]
    total = _number(res, "award_amount")
    if total is not None and (total != 0 or by_ic_known):
        return total
    sub = _number(res, "total_cost_sub_project")
    if sub is not None:
        return sub
    return float(sum(by_ic_known)) if by_ic_known else None


def _core(res: dict[str, Any]) -> str:
    core_num, full = _str(res.get("core_project_num")) or "", _str(res.get("project_num")) or ""
    core = nc.core_from_exporter(core_num, full) if core_num else None
    core = core or nc.core_project_number(full)
    if core is None:
        raise RowError("core_project_num", f"not an NIH core project number ('{core_num}', '{full}')")
    return core


def _coordinates(res: dict[str, Any]) -> dict[str, float | None]:
    lat, lon = dig(res, "geo_lat_lon.lat"), dig(res, "geo_lat_lon.lon")
    ok = isinstance(lat, int | float) and isinstance(lon, int | float) and (lat, lon) != (0, 0)
    return {"latitude": float(lat) if ok else None, "longitude": float(lon) if ok else None}


def _contact_pi(people: Any) -> str | None:
    pis = [p for p in people or [] if isinstance(p, dict)] if isinstance(people, list) else []
    contact = [p for p in pis if p.get("is_contact_pi")] or pis
    return _str(contact[0].get("full_name")) if contact else None


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def _int(res: dict[str, Any], key: str) -> int:
    value = res.get(key)
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdigit():
        raise RowError(key, "empty" if value in (None, "") else f"not a whole number ('{value}')")
    return int(value)


def _number(obj: dict[str, Any], key: str, column: str | None = None) -> float | None:
    value = obj.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RowError(column or key, f"not a number ('{value}')")
    try:
        return float(value)
    except ValueError:
        raise RowError(column or key, f"not a number ('{value}')") from None


def _date(res: dict[str, Any], key: str) -> dt.date | None:
    value = _str(res.get(key))
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise RowError(key, f"not a date in the form YYYY-MM-DD… ('{value}')") from None


def _file_reads(raw_dir: Path, counts: dict[Path, int], rejections: list[Rejection]) -> list[FileRead]:
    out = []
    for path, n in counts.items():
        file = relpath(path, raw_dir)
        rejected = sum(1 for r in rejections if r.file == file)
        out.append(FileRead(file, sha256_file(path), n, n - rejected, rejected))
    return out


def _notes(records: list[dict[str, Any]], result: SourceResult) -> list[str]:
    years = sorted({r["fy"] for r in records})
    return [
        f"Fiscal years present: {year_ranges(years)}; all NIH institutes; projects whose title, "
        "abstract or terms mention 'multiple sclerosis' (RePORTER's own text search).",
        f"as of {result.as_of}: the date of the API pull.",
        "Amount: award_amount; else total_cost_sub_project; else the agency_ic_fundings sum. "
        "An award_amount of 0 without funding institutes (intramural) is missing, not zero.",
        nc.accounting_note(records, result.tables["grants"]),
    ]
