"""Reader for the EU Clinical Trials Information System export (`raw/ctis/*.csv`).

Owns the translation of the CTIS public search export into `trials`, `trial_countries` and
`trial_interventions`. The export is UTF-8 with a byte-order mark, has newlines inside quoted
fields (titles, conditions, products), writes dates as DD/MM/YYYY and missing values as "N/A",
states the phase and status as text (mapped by the tables in `trial_common`), and lists every
EU/EEA country of a trial with its own recruitment status:
"Croatia:Authorised, recruiting, Bulgaria:Authorised, recruitment pending". Statuses contain
commas, so the list is split only before ", <Country>:".

NOTE: unlike ClinicalTrials.gov, CTIS lists *every* country of the trial (within the EU/EEA), so
its `trial_countries` rows are `list_complete=True`, basis "all trial countries", with the
country's own `site_status`.
NOTE: CTIS has one title; it fills both `brief_title` and `official_title`, newlines kept.
`completion_date` is "Global end of the trial", else "End date" (the EU/EEA end) when only that
is given. Every CTIS trial is an interventional trial of a medicinal product.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from msprogress.ingest import agents, classify, countries
from msprogress.ingest import trial_common as tc
from msprogress.ingest.base import SourceResult

SOURCE_ID = "ctis"
SUBFOLDER = "ctis"
REGISTRY = "CTIS"
TRIAL_URL = "https://euclinicaltrials.eu/search-for-clinical-trials/?lang=en&EUCT={}"
STUDY_TYPE = "Interventional"
DATE_FORMATS = ("%d/%m/%Y",)
LOCATIONS = "Location(s) and recruitment status"
REQUIRED_COLUMNS = (
    "Trial number",
    "Title of the trial",
    "Overall trial status",
    LOCATIONS,
    "Number of participants enrolled",
    "Medical conditions",
    "Trial phase",
    "Product",
    "Start date",
    "End date",
    "Global end of the trial",
    "Sponsor/Co-Sponsors",
    "Sponsor type",
)
# Registry dates and results, read when present (an export without them keeps its trials).
# NOTE: CTIS states whether results are posted, not when; it gives no reason for a halt.
OPTIONAL_COLUMNS = ("Decision date", "Last updated", "Trial results")
HAS_RESULTS = {"yes": True, "no": False}
# ", " followed by a capitalised name and a colon starts the next Country:Status pair.
PAIR_BOUNDARY = re.compile(r",\s+(?=[A-Z][^,:]*:)")


def read(raw_dir: Path) -> SourceResult:
    """Read every CTIS export under `raw_dir/ctis` (newest file first)."""
    result = SourceResult(
        source_id=SOURCE_ID,
        title="EU Clinical Trials Information System (CTIS): trials in multiple sclerosis",
        as_of="",
        terms="European Medicines Agency, CTIS public portal; reuse with acknowledgement of the source",
        url="https://euclinicaltrials.eu/",
        notes=[
            "CTIS lists every EU/EEA country of a trial with its own recruitment status; countries "
            "outside the EU/EEA are not listed.",
            "CTIS 'Ended' is grouped as Completed (the export does not say whether a trial ended early); "
            "'Phase III and phase IV (Integrated)' is counted as Phase 3.",
            tc.CROSS_REGISTRY_NOTE,
        ],
    )
    keep = lambda ctx, row: _keep(ctx, row["Trial number"])  # noqa: E731
    return tc.read_source(result, raw_dir, SUBFOLDER, REQUIRED_COLUMNS, keep, add_trial)


def _keep(ctx: tc.RowContext, number: str) -> bool:
    """True for a new, well-formed EU CT number; otherwise the row is rejected."""
    if number and not tc.CTIS_TRIAL_NUMBER.match(number):
        ctx.reject("Trial number", f"not an EU CT number: {number!r} (expected YYYY-NNNNNN-NN-NN)")
        return False
    return tc.claim_id(ctx, number, "Trial number")


def add_trial(ctx: tc.RowContext, row: dict[str, str]) -> None:
    trial_id = row["Trial number"]
    title = tc.text_or_none(row["Title of the trial"])
    conditions = tc.text_or_none(row["Medical conditions"])
    products = agents.split_ctis_products(row["Product"])  # one splitter serves reader and matcher
    arms = tc.add_interventions(ctx, trial_id, [(p, None) for p in products])
    n_countries = add_countries(ctx, trial_id, row[LOCATIONS])
    text = classify.TrialText(titles=title or "", conditions=conditions or "")
    ctx.batch.trials.append(
        {
            "trial_id": trial_id,
            "registry": REGISTRY,
            "url": TRIAL_URL.format(trial_id),
            "brief_title": title,
            "official_title": title,
            "study_type": STUDY_TYPE,
            **phase(ctx, row["Trial phase"]),
            **status(ctx, row["Overall trial status"]),
            "start_date": tc.parse_date(ctx, "Start date", row["Start date"], DATE_FORMATS),
            "completion_date": completion_date(ctx, row),
            **registry_dates(ctx, row),
            "enrollment": tc.parse_count(
                ctx, "Number of participants enrolled", row["Number of participants enrolled"]
            ),
            "enrollment_type": None,
            "sponsor": sponsor(row["Sponsor/Co-Sponsors"]),
            "sponsor_class": sponsor_class(ctx, row["Sponsor type"]),
            "conditions": " ".join(conditions.split()) if conditions else None,
            **tc.classify_trial(text, arms, STUDY_TYPE),
            "intervention_kinds": tc.kinds(arms.modalities),
            "n_countries": n_countries,
            "total_locations": None,
            **ctx.provenance(),
        }
    )


def phase(ctx: tc.RowContext, text: str) -> dict[str, object]:
    value = tc.FOLDED_CTIS_PHASES.get(tc.fold(text))
    if value is None and tc.text_or_none(text):
        ctx.reject("Trial phase", f"phase not recognised: {text!r}; left empty")
    return {"phase": value, "phase_rank": tc.phase_rank(value)}


def status(ctx: tc.RowContext, text: str) -> dict[str, object]:
    known = tc.FOLDED_CTIS_STATUSES.get(tc.fold(text))
    if known:
        return {"status": known[0], "status_group": known[1]}
    ctx.reject("Overall trial status", f"status not recognised: {text!r}; grouped as Unknown")
    return {"status": tc.text_or_none(text), "status_group": "Unknown"}


def completion_date(ctx: tc.RowContext, row: dict[str, str]) -> dt.date | None:
    end = tc.parse_date(ctx, "End date", row["End date"], DATE_FORMATS)
    global_end = tc.parse_date(ctx, "Global end of the trial", row["Global end of the trial"], DATE_FORMATS)
    return global_end or end


def registry_dates(ctx: tc.RowContext, row: dict[str, str]) -> dict[str, object]:
    """The authorisation decision (from which the record is public), the last update, and whether
    results are posted; a value that cannot be read is left empty and recorded."""
    value = {c: row.get(c, "") for c in OPTIONAL_COLUMNS}
    results = tc.text_or_none(value["Trial results"])
    has_results = HAS_RESULTS.get(results.casefold()) if results else None
    if results and has_results is None:
        ctx.reject("Trial results", f"value not recognised: {results!r}; left empty")
    return {
        "first_posted": tc.parse_date(ctx, "Decision date", value["Decision date"], DATE_FORMATS),
        "last_update_posted": tc.parse_date(ctx, "Last updated", value["Last updated"], DATE_FORMATS),
        "results_first_posted": None,
        "has_results": has_results,
        "why_stopped": None,
    }


def sponsor(text: str) -> str | None:
    """The sponsor field, with an exact repetition ("Amsterdam UMC, Amsterdam UMC") collapsed."""
    value = tc.text_or_none(text)
    if value is None:
        return None
    parts = value.split(", ")
    return parts[0] if len(parts) > 1 and len(set(parts)) == 1 else value


def sponsor_class(ctx: tc.RowContext, text: str) -> str | None:
    """Sponsor class of the (first) sponsor type; types repeat per co-sponsor."""
    value = tc.text_or_none(text)
    if value is None:
        return None
    first = value.split(", ")[0]
    found = tc.FOLDED_CTIS_SPONSOR_TYPES.get(tc.fold(first))
    if found is None:
        ctx.reject("Sponsor type", f"value not recognised: {first!r}; left empty")
    return found


def country_pairs(text: str) -> list[tuple[str, str | None]]:
    """'Croatia:Authorised, recruiting, Bulgaria:Ended' -> [('Croatia', 'Authorised, recruiting'), ...]."""
    value = tc.text_or_none(text)
    if value is None:
        return []
    pairs = []
    for part in PAIR_BOUNDARY.split(value):
        country, _, site_status = part.partition(":")
        pairs.append((country.strip(), site_status.strip() or None))
    return pairs


def add_countries(ctx: tc.RowContext, trial_id: str, text: str) -> int:
    """Add one row per listed country; return how many were added."""
    added: set[str] = set()
    for name, site_status in country_pairs(text):
        iso3 = countries.to_iso3(name)
        if iso3 is None:
            ctx.reject(LOCATIONS, f"country not recognised: {name!r}; trial kept without it")
            continue
        if iso3 in added:
            ctx.reject(LOCATIONS, f"country listed twice: {name!r}; first entry kept")
            continue
        added.add(iso3)
        ctx.batch.countries.append(
            {
                "trial_id": trial_id,
                "iso3": iso3,
                "site_status": site_status,
                "city": None,
                "latitude": None,
                "longitude": None,
                "list_complete": True,
                "basis": "all trial countries",
                **ctx.provenance(),
            }
        )
    return len(added)
