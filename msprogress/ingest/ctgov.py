"""Reader for the ClinicalTrials.gov export (`raw/ctgov/*.csv`, one row per study, lists '|'-joined).

Owns the translation of the API v2 flat export into `trials`, `trial_countries` and
`trial_interventions`: enum codes to readable phase/status/study type (tables in
`trial_common`), `YYYY-MM` dates to the first of the month, "735.0" counts to integers, and
the pairing of `InterventionNames[i]` with `InterventionTypes[i]`.

NOTE: the export holds only the *first listed site* (`LocationCountry`, `LocationCity`); the
full site list needs a fresh API pull. So each trial gets at most one `trial_countries` row,
marked `list_complete=False`, basis "country of first listed site", and `n_countries` is 1 or 0.
The site city is geocoded offline within its country (`geocode`); a city not found stays
without coordinates.
NOTE: population and gap area are judged from conditions, titles and keywords only (the
"strong" text); outcome measures are not used.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from msprogress.ingest import classify, countries, geocode
from msprogress.ingest import trial_common as tc
from msprogress.ingest.base import SourceResult

SOURCE_ID = "ctgov"
SUBFOLDER = "ctgov"
REGISTRY = "ClinicalTrials.gov"
STUDY_URL = "https://clinicaltrials.gov/study/{}"
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m")
REQUIRED_COLUMNS = (
    "NCTId",
    "BriefTitle",
    "OfficialTitle",
    "OverallStatus",
    "StartDate",
    "CompletionDate",
    "StudyType",
    "Phase",
    "EnrollmentCount",
    "EnrollmentType",
    "LeadSponsorName",
    "LeadSponsorClass",
    "Conditions",
    "Keywords",
    "LocationCountry",
    "LocationCity",
    "TotalLocations",
    "InterventionNames",
    "InterventionTypes",
)
# Registry dates and results: in every export since 2025, but read when present (an older export
# without them keeps its trials, with these left empty). `WhyStopped` only comes from the API
# (`ctgov_api` puts it into this flat form); the flattened export has no stop reason.
OPTIONAL_COLUMNS = (
    "StudyFirstPostDate",
    "LastUpdatePostDate",
    "ResultsFirstPostDate",
    "HasResults",
    "WhyStopped",
)
HAS_RESULTS = {"True": True, "False": False}
AddCountries = Callable[[tc.RowContext, str, dict[str, str]], int]
FIRST_SITE_NOTE = (
    "ClinicalTrials.gov countries are the country of each study's first listed site only "
    "(the export does not carry the full site list); TotalLocations gives the number of sites."
)


def read(raw_dir: Path) -> SourceResult:
    """Read every ClinicalTrials.gov export under `raw_dir/ctgov` (newest file first)."""
    result = SourceResult(
        source_id=SOURCE_ID,
        title="ClinicalTrials.gov studies matching the condition 'multiple sclerosis'",
        as_of="",
        terms="Public domain (U.S. National Library of Medicine); API v2 query.cond=multiple sclerosis",
        url="https://clinicaltrials.gov/",
        notes=[FIRST_SITE_NOTE, tc.CROSS_REGISTRY_NOTE],
    )
    keep = lambda ctx, row: tc.claim_id(ctx, row["NCTId"], "NCTId")  # noqa: E731
    return tc.read_source(result, raw_dir, SUBFOLDER, REQUIRED_COLUMNS, keep, add_trial)


def add_trial(ctx: tc.RowContext, row: dict[str, str], add_countries: AddCountries | None = None) -> None:
    """Add one study in the export's flat form; `add_countries` (default: the first listed site's
    country) adds its `trial_countries` rows and returns how many (the API reader passes all sites)."""
    trial_id = row["NCTId"]
    study_type = _lookup(ctx, "StudyType", row["StudyType"], tc.CTGOV_STUDY_TYPES)
    arms = tc.add_interventions(ctx, trial_id, intervention_pairs(ctx, row))
    n_countries = (add_countries or add_country)(ctx, trial_id, row)
    text = classify.TrialText(
        titles=" | ".join([row["BriefTitle"], row["OfficialTitle"]]),
        conditions=row["Conditions"],
        keywords=row["Keywords"],
    )
    ctx.batch.trials.append(
        {
            "trial_id": trial_id,
            "registry": REGISTRY,
            "url": STUDY_URL.format(trial_id),
            "brief_title": row["BriefTitle"] or None,
            "official_title": row["OfficialTitle"] or None,
            "study_type": study_type,
            **phase(ctx, row["Phase"]),
            **status(ctx, row["OverallStatus"]),
            "start_date": tc.parse_date(ctx, "StartDate", row["StartDate"], DATE_FORMATS),
            "completion_date": tc.parse_date(ctx, "CompletionDate", row["CompletionDate"], DATE_FORMATS),
            **registry_dates(ctx, row),
            "enrollment": tc.parse_count(ctx, "EnrollmentCount", row["EnrollmentCount"]),
            "enrollment_type": _enrollment_type(ctx, row["EnrollmentType"]),
            "sponsor": row["LeadSponsorName"] or None,
            "sponsor_class": _lookup(
                ctx, "LeadSponsorClass", row["LeadSponsorClass"], tc.CTGOV_SPONSOR_CLASSES
            ),
            "conditions": row["Conditions"] or None,
            **tc.classify_trial(text, arms, study_type),
            "intervention_kinds": tc.kinds(arms.modalities),
            "n_countries": n_countries,
            "total_locations": tc.parse_count(ctx, "TotalLocations", row["TotalLocations"]),
            **ctx.provenance(),
        }
    )


def registry_dates(ctx: tc.RowContext, row: dict[str, str]) -> dict[str, object]:
    """When the record was first posted and last updated, whether and when results were posted,
    and why the trial stopped (API only); a value that cannot be read is left empty and recorded."""
    value = {c: row.get(c, "") for c in OPTIONAL_COLUMNS}
    has_results = HAS_RESULTS.get(value["HasResults"])
    if value["HasResults"] and has_results is None:
        ctx.reject("HasResults", f"value not recognised: {value['HasResults']!r}; left empty")
    return {
        "first_posted": tc.parse_date(ctx, "StudyFirstPostDate", value["StudyFirstPostDate"], DATE_FORMATS),
        "last_update_posted": tc.parse_date(
            ctx, "LastUpdatePostDate", value["LastUpdatePostDate"], DATE_FORMATS
        ),
        "results_first_posted": tc.parse_date(
            ctx, "ResultsFirstPostDate", value["ResultsFirstPostDate"], DATE_FORMATS
        ),
        "has_results": has_results,
        "why_stopped": value["WhyStopped"] or None,
    }


def phase(ctx: tc.RowContext, code: str) -> dict[str, object]:
    if code not in tc.CTGOV_PHASES:
        ctx.reject("Phase", f"phase not recognised: {code!r}; left empty")
    value = tc.CTGOV_PHASES.get(code)
    return {"phase": value, "phase_rank": tc.phase_rank(value)}


def status(ctx: tc.RowContext, code: str) -> dict[str, object]:
    if code in tc.CTGOV_STATUSES:
        readable, group = tc.CTGOV_STATUSES[code]
        return {"status": readable, "status_group": group}
    ctx.reject("OverallStatus", f"status not recognised: {code!r}; grouped as Unknown")
    return {"status": code or None, "status_group": "Unknown"}


def _lookup(ctx: tc.RowContext, column: str, code: str, table: dict[str, str]) -> str | None:
    """`table[code]`; an unknown non-empty code is recorded and left empty."""
    if code and code not in table:
        ctx.reject(column, f"value not recognised: {code!r}; left empty")
    return table.get(code) if code else None


def _enrollment_type(ctx: tc.RowContext, value: str) -> str | None:
    if value and value not in tc.CTGOV_ENROLLMENT_TYPES:
        ctx.reject("EnrollmentType", f"value not recognised: {value!r}; left empty")
        return None
    return value or None


def intervention_pairs(ctx: tc.RowContext, row: dict[str, str]) -> list[tuple[str, str | None]]:
    """(name, registered type) pairs; a count mismatch or a nameless entry is recorded, not hidden."""
    names = row["InterventionNames"].split("|") if row["InterventionNames"] else []
    types = row["InterventionTypes"].split("|") if row["InterventionTypes"] else []
    if len(names) != len(types):
        extra = "extra names kept without a type" if len(names) > len(types) else "extra types dropped"
        ctx.reject(
            "InterventionNames",
            f"intervention names and types differ in count: {len(names)} names, {len(types)} types; "
            f"paired the first {min(len(names), len(types))}, {extra}",
        )
    pairs: list[tuple[str, str | None]] = []
    for i, name in enumerate(n.strip() for n in names):
        rtype = (types[i].strip() or None) if i < len(types) else None
        if name:
            pairs.append((name, rtype))
        else:
            ctx.reject("InterventionNames", f"intervention without a name: entry {i + 1} ({rtype}) skipped")
    return pairs


def add_country(ctx: tc.RowContext, trial_id: str, row: dict[str, str]) -> int:
    """Add the first listed site's country; return the number of country rows added (0 or 1)."""
    name = row["LocationCountry"]
    if not name:
        return 0
    iso3 = countries.to_iso3(name)
    if iso3 is None:
        ctx.reject("LocationCountry", f"country not recognised: {name!r}; trial kept without a country")
        return 0
    lat_lon = geocode.geocode_city(row["LocationCity"], iso3) or (None, None)  # offline, own country only
    ctx.batch.countries.append(
        {
            "trial_id": trial_id,
            "iso3": iso3,
            "site_status": None,
            "city": row["LocationCity"] or None,
            "latitude": lat_lon[0],
            "longitude": lat_lon[1],
            "location_precision": "city" if lat_lon[0] is not None else None,
            "list_complete": False,
            "basis": "country of first listed site",
            **ctx.provenance(),
        }
    )
    return 1
