"""Reader for ClinicalTrials.gov API v2 pulls stored by `python -m msprogress.refresh`
(`raw/ctgov_api/<YYYY-MM-DD>/page-*.json`, each page one `/api/v2/studies` response).

Owns the step from the API's nested study JSON to the canonical trial tables, and nothing
more: each study is put into the flat form of the shipped export (which was itself flattened
from this JSON: `NCTId`, `Phase` as `PHASE1|PHASE2`, lists joined with `|`) and handed to the
export reader's `ctgov.add_trial`, so phase, status, dates, sponsor class, interventions and
classification follow exactly the same rules (`trial_common`). Only the sites differ.

Sites: the API lists every site (`contactsLocationsModule.locations[]` with city, country and
`geoPoint {lat, lon}`). Each trial gets one `trial_countries` row per distinct country of all
its sites, `list_complete=True`, basis "all trial sites (registry API)"; city and coordinates
are those of the first site in that country that has a `geoPoint` (else the first site in
that country, geocoded offline like the export's). `n_countries` counts the countries and
`total_locations` the sites listed.

NOTE: `Rejection.row` is the study's position in its page (1 = first study). Value problems
found by the export reader's code name the export's column (`Phase`, `OverallStatus` …), which
is the flat name of the same API field; site problems name the API path.
NOTE: an intervention name containing "|" would split when flattened, exactly as it did in the
shipped export; the count mismatch is then recorded as a rejection, not hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from msprogress.ingest import api_pages, countries, ctgov, geocode
from msprogress.ingest import trial_common as tc
from msprogress.ingest.api_pages import dig
from msprogress.ingest.base import FileRead, SourceResult, relpath
from msprogress.manifest import sha256_file

SOURCE_ID = "ctgov_api"
SUBFOLDER = "ctgov_api"
BASIS = "all trial sites (registry API)"
SITES_NOTE = (
    "Countries are those of all sites each study lists in the ClinicalTrials.gov API; coordinates "
    "are the registry's geoPoint of the first site in each country."
)
LOCATIONS = "protocolSection.contactsLocationsModule.locations"


def read(raw_dir: Path) -> SourceResult:
    """Read the pull(s) under `raw_dir/ctgov_api` (see `api_pages.pulls_to_read`); none → empty."""
    result = SourceResult(
        source_id=SOURCE_ID,
        title="ClinicalTrials.gov API v2 studies matching the condition 'multiple sclerosis', all sites",
        as_of="",
        terms="Public domain (U.S. National Library of Medicine); API v2 query.cond=multiple sclerosis",
        url="https://clinicaltrials.gov/data-api/api",
        notes=[SITES_NOTE, tc.CROSS_REGISTRY_NOTE],
    )
    pulls, notes = api_pages.pulls_to_read(raw_dir, SUBFOLDER)
    result.notes += notes
    batch = tc.Batch(SOURCE_ID)
    for pull in pulls:  # newest first: a study in two pulls is kept from the newest
        batch.latest = max(batch.latest or pull.date, pull.date)
        for page in pull.pages:
            read_page(page, raw_dir, pull, batch)
    return tc.finish(result, batch)


def read_page(path: Path, raw_dir: Path, pull: api_pages.Pull, batch: tc.Batch) -> None:
    file = relpath(path, raw_dir)
    studies = api_pages.records(api_pages.load_page(path, raw_dir), file, "studies")
    kept = 0
    for n, study in enumerate(studies, start=1):
        ctx = tc.RowContext(batch, file, n, pull.date)
        row = flat_row(ctx, study)
        if row is not None and tc.claim_id(ctx, row["NCTId"], "protocolSection.identificationModule.nctId"):
            ctgov.add_trial(ctx, row, add_countries=site_countries(_locations(study)))
            kept += 1
    batch.files.append(FileRead(file, sha256_file(path), len(studies), kept, len(studies) - kept))


def flat_row(ctx: tc.RowContext, study: Any) -> dict[str, str] | None:
    """The study in the export's flat form (every column `ctgov.REQUIRED_COLUMNS` and
    `ctgov.OPTIONAL_COLUMNS` names), or None (rejected) when it is not a study object."""
    if not isinstance(dig(study, "protocolSection"), dict):
        ctx.reject("protocolSection", "not a study: no protocolSection object")
        return None
    p = study["protocolSection"]
    interventions = [i for i in _list(dig(p, "armsInterventionsModule.interventions")) if isinstance(i, dict)]
    sites = _locations(study)
    first = sites[0] if sites else {}
    return {
        "NCTId": _text(dig(p, "identificationModule.nctId")),
        "BriefTitle": _text(dig(p, "identificationModule.briefTitle")),
        "OfficialTitle": _text(dig(p, "identificationModule.officialTitle")),
        "OverallStatus": _text(dig(p, "statusModule.overallStatus")),
        "StartDate": _text(dig(p, "statusModule.startDateStruct.date")),
        "CompletionDate": _text(dig(p, "statusModule.completionDateStruct.date")),
        "StudyType": _text(dig(p, "designModule.studyType")),
        "Phase": _joined(dig(p, "designModule.phases")),
        "EnrollmentCount": _text(dig(p, "designModule.enrollmentInfo.count")),
        "EnrollmentType": _text(dig(p, "designModule.enrollmentInfo.type")),
        "LeadSponsorName": _text(dig(p, "sponsorCollaboratorsModule.leadSponsor.name")),
        "LeadSponsorClass": _text(dig(p, "sponsorCollaboratorsModule.leadSponsor.class")),
        "Conditions": _joined(dig(p, "conditionsModule.conditions")),
        "Keywords": _joined(dig(p, "conditionsModule.keywords")),
        "LocationCountry": _text(first.get("country")),
        "LocationCity": _text(first.get("city")),
        "TotalLocations": str(len(sites)),
        "InterventionNames": "|".join(_text(i.get("name")) for i in interventions),
        "InterventionTypes": "|".join(_text(i.get("type")) for i in interventions),
        "StudyFirstPostDate": _text(dig(p, "statusModule.studyFirstPostDateStruct.date")),
        "LastUpdatePostDate": _text(dig(p, "statusModule.lastUpdatePostDateStruct.date")),
        "ResultsFirstPostDate": _text(dig(p, "statusModule.resultsFirstPostDateStruct.date")),
        "HasResults": _text(study.get("hasResults")),
        "WhyStopped": " ".join(_text(dig(p, "statusModule.whyStopped")).split()),
    }


def site_countries(sites: list[dict[str, Any]]) -> Callable[[tc.RowContext, str, dict[str, str]], int]:
    """`ctgov.add_trial`'s country step for a study's full site list (see module docstring)."""

    def add(ctx: tc.RowContext, trial_id: str, _row: dict[str, str]) -> int:
        by_country: dict[str, list[dict[str, Any]]] = {}
        for i, site in enumerate(sites):
            iso3 = _site_iso3(ctx, i, site)
            if iso3:
                by_country.setdefault(iso3, []).append(site)
        for iso3, in_country in by_country.items():
            ctx.batch.countries.append(_country_row(ctx, trial_id, iso3, in_country))
        return len(by_country)

    return add


def _site_iso3(ctx: tc.RowContext, i: int, site: dict[str, Any]) -> str | None:
    name = _text(site.get("country"))
    column = f"{LOCATIONS}[{i}].country"
    if not name:
        ctx.reject(
            column, f"site {i + 1} ({_text(site.get('city')) or 'no city'}) has no country; not counted"
        )
        return None
    iso3 = countries.to_iso3(name)
    if iso3 is None:
        ctx.reject(column, f"country not recognised: {name!r}; site {i + 1} not counted")
    return iso3


def _country_row(ctx: tc.RowContext, trial_id: str, iso3: str, sites: list[dict[str, Any]]) -> dict:
    located = [s for s in sites if _geo_point(s) is not None]
    site = located[0] if located else sites[0]
    city = _text(site.get("city")) or None
    point = _geo_point(site)
    lat_lon = point or (geocode.geocode_city(city, iso3) if city else None) or (None, None)
    return {
        "trial_id": trial_id,
        "iso3": iso3,
        "site_status": None,
        "city": city,
        "latitude": lat_lon[0],
        "longitude": lat_lon[1],
        "location_precision": "source" if point else "city" if lat_lon[0] is not None else None,
        "list_complete": True,
        "basis": BASIS,
        **ctx.provenance(),
    }


def _geo_point(site: dict[str, Any]) -> tuple[float, float] | None:
    lat, lon = dig(site, "geoPoint.lat"), dig(site, "geoPoint.lon")
    if (
        isinstance(lat, int | float)
        and isinstance(lon, int | float)
        and -90 <= lat <= 90
        and -180 <= lon <= 180
    ):
        return float(lat), float(lon)
    return None


def _locations(study: Any) -> list[dict[str, Any]]:
    return [s for s in _list(dig(study, LOCATIONS)) if isinstance(s, dict)]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    """A scalar as the export wrote it ('' for missing); whole-number floats lose their '.0'."""
    if value is None or isinstance(value, dict | list):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _joined(value: Any) -> str:
    return "|".join(t for t in (_text(v) for v in _list(value)) if t)
