"""The canonical tables of a snapshot: every column's type, title, unit and meaning.

This is the data dictionary. The snapshot writer casts every table to it (a reader that
forgets a column gets nulls; a reader that adds an undeclared column fails the build), the
About page shows it, and a test checks every query's output columns are declared here or in
`DERIVED_COLUMNS`.

Types are Arrow/DuckDB logical types: `str`, `int`, `float`, `bool`, `date`, and `strs` (a list of
texts, serving tables only).

Two kinds of table: the canonical tables (`CANONICAL_TABLES`: the data as the sources give it,
normalised; Explore, the exports and the two-snapshot comparison read them) and the serving tables
(`SERVING_TABLES`: derived by the build from the canonical ones, shaped for what the pages read; each
is defined by a macro in `queries/_serving.sql`). `TABLES` holds both: every snapshot table.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    title: str
    description: str
    unit: str = ""
    nullable: bool = True


def C(name: str, type_: str, title: str, description: str, unit: str = "", nullable: bool = True) -> Column:
    return Column(name, type_, title, description, unit, nullable)


# Controlled vocabularies: the values classification may produce.
PHASES = (
    "Early phase 1",
    "Phase 1",
    "Phase 1/2",
    "Phase 2",
    "Phase 2/3",
    "Phase 3",
    "Phase 4",
    "Not applicable",
)
PHASE_RANK = {
    "Early phase 1": 0.5,
    "Phase 1": 1.0,
    "Phase 1/2": 1.5,
    "Phase 2": 2.0,
    "Phase 2/3": 2.5,
    "Phase 3": 3.0,
    "Phase 4": 4.0,
}
STATUS_GROUPS = ("Recruiting", "Active, not recruiting", "Completed", "Stopped early", "Withdrawn", "Unknown")
POPULATIONS = (
    "PPMS",
    "SPMS",
    "Progressive, unspecified",
    "Mixed progressive",
    "Relapsing",
    "Other MS",
    "Not MS",
)
PROGRESSIVE_POPULATIONS = ("PPMS", "SPMS", "Progressive, unspecified", "Mixed progressive")
APPROVED_POPULATIONS = ("PPMS", "SPMS")  # populations a label can name (agent_approvals.population)
REGULATORS = ("FDA", "EMA")
# The pipeline stage after Phase 4: an agent approved for a progressive form of MS (queries write
# it as a literal; a test checks they agree with this name).
APPROVED_STAGE = "Approved for progressive MS"
# The years the dashboard shows (the sidebar's slider, the links' from/to): a member's grant year
# outside them is rejected at the build, so no row is kept that no view can show.
YEAR_RANGE = (1970, 2035)
# agents.origin; empty when not known (rule: data/reference/agents_README.md)
AGENT_ORIGINS = ("novel", "repurposed")
RELEVANCE = ("Progressive-specific", "MS, not progression-specific", "Not MS")
GAP_AREAS = (
    "Mechanisms of progression",
    "Accelerating clinical trials",
    "Well-being: rehabilitation and symptom management",
    "MS research, not progression-specific",
)
MODALITIES = (
    "drug",
    "biological",
    "cell therapy",
    "rehabilitation",
    "exercise",
    "behavioural",
    "device",
    "diet/supplement",
    "procedure",
    "diagnostic",
    "other",
)
RECORD_TYPES = ("award", "programme", "call")
COVERAGE = ("complete", "partial")
AMOUNT_BASES = ("exact", "per_award", "total", "up_to", "at_least", "partial", "approximate")
YEAR_CONVENTIONS = ("NIH fiscal year", "award year", "announcement year", "project start year")
# How a project's organisation or a trial site was placed on the map, most precise first (the build
# step msprogress/ingest/locate.py; each value's meaning in LOCATION_PRECISION_TEXT).
LOCATION_PRECISIONS = ("source", "organisation", "city", "city in name", "country")
LOCATION_PRECISION_TEXT = {
    "source": "coordinates as the source gives them",
    "organisation": "the same organisation's place in another record",
    "city": "the city, found offline within its country",
    "city in name": "a city the organisation's name names",
    "country": "the country's centre: no city given",
}
_PRECISION = (
    "How the place was found: "
    + "; ".join(f"'{k}': {v}" for k, v in LOCATION_PRECISION_TEXT.items())
    + ". Empty when the country is unknown (not on the map)."
)

_PROVENANCE = [
    C(
        "source",
        "str",
        "Source",
        "Source id of the raw file this row came from (see About the data).",
        nullable=False,
    ),
    C("source_file", "str", "Source file", "Raw file, relative to data/raw/.", nullable=False),
    C("as_of", "date", "As of", "Date the source data were retrieved or published.", nullable=False),
]

CANONICAL_TABLES: dict[str, list[Column]] = {
    "trials": [
        C(
            "trial_id",
            "str",
            "Trial id",
            "Registry identifier (NCT number or CTIS EU CT number).",
            nullable=False,
        ),
        C("registry", "str", "Registry", "ClinicalTrials.gov or CTIS.", nullable=False),
        C("url", "str", "Registry page", "Link to the trial's public registry record."),
        C("brief_title", "str", "Title", "Short title as registered."),
        C("official_title", "str", "Official title", "Full scientific title as registered."),
        C("study_type", "str", "Study type", "Interventional, Observational or Expanded access."),
        C(
            "phase",
            "str",
            "Phase",
            "Normalised phase: " + ", ".join(PHASES) + "; empty for observational studies.",
        ),
        C("phase_rank", "float", "Phase rank", "Phase as a number for ordering (1/2 = 1.5, 2/3 = 2.5)."),
        C("status", "str", "Status", "Overall recruitment status as the registry states it."),
        C("status_group", "str", "Status group", "Status grouped: " + ", ".join(STATUS_GROUPS) + "."),
        C(
            "start_date",
            "date",
            "Start date",
            "Study start (first of the month where only a month is given).",
        ),
        C("completion_date", "date", "Completion date", "Study completion (actual or anticipated)."),
        C(
            "first_posted",
            "date",
            "First posted",
            "Date the registry first made the record public: ClinicalTrials.gov 'first posted'; CTIS the "
            "date of the authorisation decision (its public record follows it).",
        ),
        C(
            "last_update_posted",
            "date",
            "Last update posted",
            "Date of the latest change the registry posted: ClinicalTrials.gov 'last update posted'; CTIS "
            "'last updated'.",
        ),
        C(
            "results_first_posted",
            "date",
            "Results first posted",
            "Date results were first posted on ClinicalTrials.gov; empty when none were, and for CTIS, whose "
            "export does not date its results.",
        ),
        C(
            "has_results",
            "bool",
            "Results posted",
            "True when the registry holds posted results (ClinicalTrials.gov 'has results', CTIS 'trial "
            "results'); empty when the source does not say.",
        ),
        C(
            "why_stopped",
            "str",
            "Why stopped",
            "The reason the registry states for stopping a terminated, withdrawn or suspended trial. Only "
            "the ClinicalTrials.gov API gives it (a `make refresh` pull); its flattened export and CTIS do not.",
        ),
        C("enrollment", "int", "Enrollment", "Participants, actual or anticipated.", unit="participants"),
        C("enrollment_type", "str", "Enrollment type", "ACTUAL or ESTIMATED."),
        C("sponsor", "str", "Sponsor", "Lead sponsor."),
        C(
            "sponsor_class",
            "str",
            "Sponsor class",
            "Industry, NIH, other government, academic/other, network …",
        ),
        C("conditions", "str", "Conditions", "Conditions as registered, '|'-joined."),
        C("population", "str", "MS population", "Who the trial studies: " + ", ".join(POPULATIONS) + "."),
        C(
            "is_progressive",
            "bool",
            "Progressive MS",
            "True when the population is a progressive form of MS.",
        ),
        C(
            "intervention_kinds",
            "str",
            "Intervention kinds",
            "Modalities of the trial's interventions, '|'-joined.",
        ),
        C(
            "gap_area",
            "str",
            "Gap area",
            "Alliance gap area: " + ", ".join(GAP_AREAS) + "; empty for non-MS.",
        ),
        C(
            "n_countries",
            "int",
            "Countries listed",
            "Countries the source lists for the trial.",
            unit="countries",
        ),
        C("total_locations", "int", "Sites", "Number of trial sites the registry reports.", unit="sites"),
        *_PROVENANCE,
    ],
    "trial_countries": [
        C("trial_id", "str", "Trial id", "Trial (see trials).", nullable=False),
        C("iso3", "str", "Country (ISO-3)", "ISO 3166-1 alpha-3 code.", nullable=False),
        C("site_status", "str", "Site status", "Recruitment status in this country (CTIS only)."),
        C("city", "str", "City", "City of the listed site, where given."),
        C(
            "latitude",
            "float",
            "Latitude",
            "Site latitude: the registry's coordinates, the city geocoded offline, or the country's "
            "centre (see location_precision).",
            unit="degrees",
        ),
        C(
            "longitude",
            "float",
            "Longitude",
            "Site longitude (see latitude).",
            unit="degrees",
        ),
        C("location_precision", "str", "Place precision", _PRECISION),
        C(
            "list_complete",
            "bool",
            "Country list complete",
            "True when the source lists every country of the trial (CTIS, the ClinicalTrials.gov API "
            "refresh); False when it gives the first listed site only (the ClinicalTrials.gov export).",
            nullable=False,
        ),
        C(
            "basis",
            "str",
            "Country basis",
            "'all trial countries', 'all trial sites (registry API)' or 'country of first listed site'.",
            nullable=False,
        ),
        *_PROVENANCE,
    ],
    "trial_interventions": [
        C("trial_id", "str", "Trial id", "Trial (see trials).", nullable=False),
        C("intervention_name", "str", "Intervention", "Intervention as registered.", nullable=False),
        C(
            "intervention_type",
            "str",
            "Registered type",
            "Registry's intervention type (DRUG, BEHAVIORAL …).",
        ),
        C("modality", "str", "Modality", "Normalised modality: " + ", ".join(MODALITIES) + "."),
        C(
            "is_placebo",
            "bool",
            "Placebo/control",
            "True for placebo, sham or usual-care arms.",
            nullable=False,
        ),
        C(
            "agent_id",
            "str",
            "Agent id",
            "Canonical agent (see agents) when the intervention is a named therapy.",
        ),
        C(
            "co_medication",
            "str",
            "Co-medication",
            "Why the intervention is given alongside the tested therapy rather than tested itself (e.g. "
            "'herpes prophylaxis with a lymphocyte-depleting therapy', 'premedication before an antibody "
            "infusion'); empty when tested. Rules and sources: data/reference/agent_context.csv. Co-medication "
            "is never a pipeline agent.",
        ),
        *_PROVENANCE,
    ],
    "agents": [
        C("agent_id", "str", "Agent id", "Canonical agent key.", nullable=False),
        C("agent_name", "str", "Agent", "Canonical (generic) name.", nullable=False),
        C("aliases", "str", "Aliases", "Brand, code and other names, '|'-joined."),
        C(
            "mechanism_class",
            "str",
            "Mechanism class",
            "Mechanism of action class (one colour each).",
            nullable=False,
        ),
        C("modality", "str", "Modality", "drug, biological, cell therapy …"),
        C("therapy_role", "str", "Therapy role", "disease-modifying, symptomatic, supportive or diagnostic."),
        C(
            "reference_url",
            "str",
            "Reference",
            "Drug label, registry record or paper supporting the mechanism.",
        ),
        C("reference_kind", "str", "Reference kind", "label, registry or paper."),
        C(
            "origin",
            "str",
            "Novel or repurposed",
            "'repurposed': approved by a regulator for another indication (relapsing MS or another "
            "disease) before its first progressive-MS trial; 'novel': not approved for any indication "
            "then; empty when not known (rule and sources: data/reference/agents_README.md).",
        ),
        C("origin_source", "str", "Origin source", "Label, registry record or paper the origin rests on."),
        C(
            "origin_note",
            "str",
            "Origin note",
            "The earlier approval of a repurposed agent (indication, regulator, year), or why a novel one is novel.",
        ),
    ],
    "agent_approvals": [
        C(
            "agent_id",
            "str",
            "Agent id",
            "Agent (see agents) approved for a progressive form of MS.",
            nullable=False,
        ),
        C(
            "population",
            "str",
            "Approved for",
            "The progressive population the label names on its own: PPMS or SPMS (an approval for "
            "'relapsing forms of MS, including active SPMS' is not counted).",
            nullable=False,
        ),
        C("indication", "str", "Indication", "The label's indication, in short.", nullable=False),
        C("regulator", "str", "Regulator", "FDA (United States) or EMA (European Union).", nullable=False),
        C(
            "year",
            "int",
            "Year approved",
            "Year the regulator approved this indication.",
            unit="year",
            nullable=False,
        ),
        C(
            "label_url",
            "str",
            "Label",
            "The label or assessment page the approval is read from.",
            nullable=False,
        ),
    ],
    "projects": [
        C("project_id", "str", "Project id", "Stable key: '<source>:<native id>'.", nullable=False),
        C("title", "str", "Title", "Project title."),
        C(
            "org_id",
            "str",
            "Organisation id",
            "Lead organisation (see organisations), where the source names one.",
        ),
        C("pi", "str", "Lead investigator", "Principal investigator or coordinator, where given."),
        C("organisation", "str", "Organisation", "Lead organisation."),
        C("city", "str", "City", "Organisation city."),
        C("iso3", "str", "Country (ISO-3)", "Country of the lead organisation."),
        C(
            "latitude",
            "float",
            "Latitude",
            "Lead organisation's latitude: as the source gives it, else found by the build (see "
            "location_precision).",
            unit="degrees",
        ),
        C(
            "longitude",
            "float",
            "Longitude",
            "Lead organisation's longitude (see latitude).",
            unit="degrees",
        ),
        C("location_precision", "str", "Place precision", _PRECISION),
        C("start_date", "date", "Start", "Project start."),
        C("end_date", "date", "End", "Project end."),
        C("funder", "str", "Funder", "Funding organisation (NIH institute for NIH rows)."),
        C("ms_relevance", "str", "MS relevance", "One of: " + ", ".join(RELEVANCE) + "."),
        C("gap_area", "str", "Gap area", "Alliance gap area (see trials); empty when not MS."),
        C("url", "str", "Record page", "Funder or registry page for the project."),
        *_PROVENANCE,
    ],
    "grants": [
        C("grant_id", "str", "Grant id", "Stable key: '<source>:<native id>'.", nullable=False),
        C("project_id", "str", "Project id", "Project funded (empty for programme totals and calls)."),
        C("funder", "str", "Funder", "Organisation that awarded the money.", nullable=False),
        C("funder_group", "str", "Funder group", "Funder family for charts (NIH, Alliance, EU, charity …)."),
        C(
            "series_id",
            "str",
            "Coverage series",
            "The population of awards this record belongs to (see funding_series): only awards of one "
            "series are comparable from year to year.",
            nullable=False,
        ),
        C("programme", "str", "Programme", "Funding programme or round."),
        C(
            "record_type",
            "str",
            "Record type",
            "award (one grant), programme (a round's total), call (announced).",
        ),
        C("year", "int", "Year", "Year the money is counted in (see year_convention).", unit="year"),
        C("year_convention", "str", "Year convention", "One of: " + ", ".join(YEAR_CONVENTIONS) + "."),
        C(
            "award_date",
            "date",
            "Award date",
            "Date the award was made known: NIH award notice date, the announcement date of a curated "
            "award; empty when the source gives only a year.",
        ),
        C(
            "start_date",
            "date",
            "Start date",
            "Start of the award's money: NIH budget start, a member file's start date; empty when not given.",
        ),
        C("start_year", "int", "First year", "First year of the award period where known.", unit="year"),
        C("end_year", "int", "Last year", "Last year of the award period where known.", unit="year"),
        C("amount", "float", "Amount", "Amount in the original currency; empty when the source gives none."),
        C("currency", "str", "Currency", "ISO 4217 code of `amount`."),
        C(
            "amount_basis",
            "str",
            "Amount basis",
            "exact, per_award, total, up_to, at_least, partial, approximate.",
        ),
        C("n_awards", "int", "Awards", "Number of awards a programme row covers.", unit="awards"),
        C("amount_eur", "float", "Amount (EUR)", "Amount converted to euro by `fx_method`.", unit="EUR"),
        C(
            "amount_usd",
            "float",
            "Amount (USD)",
            "Amount converted to US dollars by `fx_method`.",
            unit="USD",
        ),
        C(
            "amount_gbp",
            "float",
            "Amount (GBP)",
            "Amount converted to pounds sterling by `fx_method`.",
            unit="GBP",
        ),
        C("fx_method", "str", "Conversion", "How the amount was converted (rate source and rate year)."),
        C("iso3", "str", "Country (ISO-3)", "Country of the funded organisation."),
        C("ms_relevance", "str", "MS relevance", "One of: " + ", ".join(RELEVANCE) + "."),
        C("gap_area", "str", "Gap area", "Alliance gap area; empty when not MS."),
        C("title", "str", "Title", "Award or programme title/topic."),
        C("url", "str", "Source page", "Page the figure was taken from, or the funder's record."),
        *_PROVENANCE,
    ],
    "organisations": [
        C("org_id", "str", "Organisation id", "Stable key: '<source>:<native id or name>'.", nullable=False),
        C("name", "str", "Organisation", "Organisation name.", nullable=False),
        C("city", "str", "City", "City."),
        C("iso3", "str", "Country (ISO-3)", "Country."),
        C("latitude", "float", "Latitude", "Latitude where the source gives it.", unit="degrees"),
        C("longitude", "float", "Longitude", "Longitude where the source gives it.", unit="degrees"),
        C("source", "str", "Source", "Source id.", nullable=False),
    ],
    "rejections": [
        C("source", "str", "Source", "Source id.", nullable=False),
        C(
            "file",
            "str",
            "File",
            "Raw file, relative to data/raw/ (and the sheet read, for a workbook: \"x.xlsx, sheet 'grants'\").",
            nullable=False,
        ),
        C("row", "int", "Row", "1-based row in the file (header = 1); empty when the whole file is meant."),
        C("column", "str", "Column", "Column at fault, where one is."),
        C("reason", "str", "Reason", "Why the row (or value) was not kept.", nullable=False),
        C(
            "row_kept",
            "bool",
            "Row kept",
            "True when the row was kept and only this value was left empty (a date that could not be "
            "read, an unknown country); False when the whole row was not kept.",
            nullable=False,
        ),
    ],
    "funding_series": [
        C(
            "series_id",
            "str",
            "Coverage series",
            "'<source>' or '<source>:<funder or file>'.",
            nullable=False,
        ),
        C("source", "str", "Source", "Source id (see About the data).", nullable=False),
        C("funder", "str", "Funder", "The one funder of the series, when it has one."),
        C("title", "str", "Series", "The series in words: who, and what its files hold.", nullable=False),
        C(
            "kind",
            "str",
            "What the files hold",
            "every award of the institute, weekly files (rows naming sclerosis or myelin), announced awards, …",
            nullable=False,
        ),
        C(
            "whole_portfolio",
            "bool",
            "Whole portfolio",
            "True when the files hold every award of the funder, MS or not, so its MS share can be computed.",
            nullable=False,
        ),
        C(
            "coverage_rule",
            "str",
            "Coverage rule",
            "How the build judged which years are covered.",
            nullable=False,
        ),
    ],
    "series_coverage": [
        C("series_id", "str", "Coverage series", "See funding_series.", nullable=False),
        C(
            "year",
            "int",
            "Year",
            "A year (fiscal or award year) the series has records for. Years not listed are not covered: "
            "missing, not zero.",
            unit="year",
            nullable=False,
        ),
        C("coverage", "str", "Coverage", "'complete' or 'partial'.", nullable=False),
        C(
            "basis",
            "str",
            "Why",
            "What the judgement rests on (award dates, a keyword screen …).",
            nullable=False,
        ),
    ],
    "countries": [
        C("iso3", "str", "Country (ISO-3)", "ISO 3166-1 alpha-3 code.", nullable=False),
        C("name", "str", "Country", "Short English name (country_converter).", nullable=False),
        C("continent", "str", "Continent", "Continent (country_converter)."),
        C("region", "str", "Region", "UN M49 sub-region (country_converter)."),
        C(
            "latitude",
            "float",
            "Centre latitude",
            "Centre of the country's main land mass (plotly's Natural Earth 1:50m topojson), else its "
            "capital: where a place known only by its country is drawn.",
            unit="degrees",
        ),
        C("longitude", "float", "Centre longitude", "See latitude.", unit="degrees"),
        C("west", "float", "West edge", "Western edge of the country's main land masses.", unit="degrees"),
        C("south", "float", "South edge", "Southern edge (see west).", unit="degrees"),
        C("east", "float", "East edge", "Eastern edge (see west).", unit="degrees"),
        C("north", "float", "North edge", "Northern edge (see west).", unit="degrees"),
    ],
}


def _canonical(table: str, *names: str) -> list[Column]:
    """Columns of a canonical table, as declared there (all of them when no names are given)."""
    cols = CANONICAL_TABLES[table]
    return list(cols) if not names else [next(c for c in cols if c.name == n) for n in names]


_KEY = (
    "Integer key of the row in this snapshot: its rank (1, 2, …) in Explore's default order, in which the "
    "table is stored; not stable between snapshots."
)
_TRIAL_FILTER = [
    C("start_year", "int", "Start year", "Year of the start date: what the years filter tests.", unit="year"),
    C(
        "title_text",
        "str",
        "Title text",
        "Brief and official title, lower-cased: what the sidebar's title search reads.",
    ),
    C(
        "iso3s",
        "strs",
        "Countries",
        "The trial's listed countries the countries table knows (ISO-3, sorted): the country filter.",
    ),
    C("regions", "strs", "Regions", "UN sub-regions of those countries (sorted): the region filter."),
    C(
        "place_keys",
        "strs",
        "Country|region",
        "'<ISO-3>|<region>' of each of those countries: a country and a region chosen together.",
    ),
]
_FUNDING_FILTER = [
    C(
        "is_progressive",
        "bool",
        "Progressive-specific",
        "True when ms_relevance is 'Progressive-specific': the progressive-only filter.",
    ),
    C("filter_year", "int", "Filter year", "The year the years filter tests.", unit="year"),
    C("title_text", "str", "Title text", "Title, lower-cased: what the sidebar's title search reads."),
    C("search_text", "str", "Search text", "Id, title and names, lower-cased: what Explore's search reads."),
    C(
        "place_iso3",
        "str",
        "Place (ISO-3)",
        "iso3 when the countries table knows it: what the country filter tests.",
    ),
    C("place_region", "str", "Place region", "UN sub-region of place_iso3: what the region filter tests."),
    C("country", "str", "Country", "Name of the country (iso3)."),
]


def _orders(what: str, tie: str, **orders: str) -> list[Column]:
    """Rank columns: each of Explore's (or the map's) orders of `what`, 1 … n, ties broken by `tie`."""
    return [
        C(
            name,
            "int",
            f"Order: {words}",
            f"Rank of the {what} in this order ({words}; ties by {tie}).",
            nullable=False,
        )
        for name, words in orders.items()
    ]


_START_KIND = C(
    "start_kind",
    "str",
    "Start kind",
    "'started'; 'planned' when the start date lies after the as-of date (trials: or recruitment has not "
    "begun); 'withdrawn before start' for a withdrawn trial; empty when no start date.",
)
_AS_OF = [
    C(
        "source_as_of",
        "date",
        "Source as of",
        "Newest as-of date of the row's source: where its What-changed window ends.",
    ),
    C(
        "kind_as_of",
        "date",
        "Newest as of",
        "Newest as-of date of any source of the same kind (trials, funding): a source whose data end "
        "before that window counts nothing as recent.",
    ),
]

SERVING_TABLES: dict[str, list[Column]] = {
    "serve_trials": [
        C("trial_key", "int", "Trial key", _KEY, nullable=False),
        *_canonical("trials"),
        *_TRIAL_FILTER,
        C(
            "search_text",
            "str",
            "Search text",
            "Trial id, titles, sponsor and conditions, lower-cased: what Explore's search reads.",
        ),
        C(
            "country_names",
            "str",
            "Countries",
            "Names of every listed country (the ISO-3 code where unknown), sorted, ', '-joined.",
        ),
        _START_KIND,
        *_orders(
            "trial",
            "trial id",
            order_oldest="oldest start first",
            order_enrollment="most participants first",
            order_title="title A–Z",
            order_id="trial id",
        ),
    ],
    "serve_trial_sites": [
        C("trial_key", "int", "Trial key", "The trial's key in serve_trials.", nullable=False),
        *_canonical(
            "trials",
            "trial_id",
            "registry",
            "url",
            "brief_title",
            "phase",
            "status",
            "status_group",
            "population",
            "is_progressive",
            "gap_area",
            "start_date",
        ),
        *_TRIAL_FILTER,
        *_canonical("trial_countries", "iso3"),
        C("site_iso3", "str", "Site country (known)", "iso3 when the countries table knows it."),
        C("site_region", "str", "Site region", "UN sub-region of the site's country."),
        C("country", "str", "Country", "Name of the site's country."),
        *_canonical("trial_countries", "city", "latitude", "longitude", "location_precision", "basis"),
        *_orders("site", "trial id", site_order="by country, then newest start first"),
        C(
            "place_key",
            "int",
            "Place key",
            "One per place the map draws (country, coordinates, how placed).",
            nullable=False,
        ),
    ],
    "serve_pipeline": [
        C(
            "marker_key",
            "int",
            "Marker key",
            "Integer key of the pipeline marker (see marker_id).",
            nullable=False,
        ),
        C(
            "marker_id",
            "str",
            "Marker",
            "'agent:<agent_id>' or 'nondrug:<modality>:<stage>'.",
            nullable=False,
        ),
        C("item_kind", "str", "Item kind", "'agent' or 'non-drug'.", nullable=False),
        C("item_id", "str", "Item", "agent_id, or the modality of a non-drug intervention.", nullable=False),
        C("label", "str", "Label", "Agent name, or the modality."),
        C(
            "mechanism_class",
            "str",
            "Mechanism class",
            "The agent's mechanism class; empty for non-drug rows.",
        ),
        C("modality", "str", "Modality", "The agent's modality, or the non-drug intervention's."),
        *_canonical("agents", "therapy_role"),
        C(
            "is_core",
            "bool",
            "Default view",
            "Agents: disease-modifying or symptomatic, not background therapy (shown unless supportive "
            "agents are asked for); empty for non-drug rows.",
        ),
        *_canonical("agents", "reference_url", "origin", "origin_source", "origin_note"),
        C("trial_key", "int", "Trial key", "The trial's key in serve_trials.", nullable=False),
        *_canonical("trials", "trial_id", "registry", "url", "brief_title", "phase"),
        C("stage", "str", "Stage", "The trial's pipeline column (Early phase 1 folded into Phase 1)."),
        C("stage_rank", "float", "Stage rank", "The stage as a number; empty for Not applicable."),
        *_canonical(
            "trials",
            "status_group",
            "population",
            "sponsor",
            "sponsor_class",
            "start_date",
            "completion_date",
            "enrollment",
            "is_progressive",
            "gap_area",
        ),
        *_TRIAL_FILTER,
    ],
    "serve_trial_events": [
        C(
            "event",
            "str",
            "Event",
            "'registered', 'started', 'completed', 'stopped' or 'results posted'.",
            nullable=False,
        ),
        C("event_date", "date", "Event date", "The registry date that places the event.", nullable=False),
        C("date_basis", "str", "Date basis", "Which registry date event_date is.", nullable=False),
        *_AS_OF,
        C("trial_key", "int", "Trial key", "The trial's key in serve_trials.", nullable=False),
        *_canonical(
            "trials",
            "trial_id",
            "registry",
            "url",
            "brief_title",
            "phase",
            "status",
            "status_group",
            "population",
            "is_progressive",
            "gap_area",
            "sponsor",
            "enrollment",
            "why_stopped",
            "source",
        ),
        *_TRIAL_FILTER,
    ],
    "serve_projects": [
        C("project_key", "int", "Project key", _KEY, nullable=False),
        *_canonical("projects"),
        *_FUNDING_FILTER,
        C(
            "org_place_key",
            "int",
            "Organisation place key",
            "Key of the lead organisation's place (organisation, country, coordinates, how placed).",
            nullable=False,
        ),
        C("award_records", "int", "Award records", "Award records of the project, all years.", unit="awards"),
        C(
            "awarded_eur",
            "float",
            "Awarded (EUR)",
            "Sum of the project's stated award amounts in EUR; empty when none states one.",
            unit="EUR",
        ),
        _START_KIND,
        *_orders(
            "project",
            "project id",
            order_oldest="oldest start first",
            order_title="title A–Z",
            order_funder="funder A–Z, then newest start",
            order_id="project id",
            country_order="by country, then newest start first",
        ),
    ],
    "serve_grants": [
        C("grant_key", "int", "Grant key", _KEY, nullable=False),
        *_canonical("grants"),
        *_FUNDING_FILTER,
        C("project_organisation", "str", "Project organisation", "Lead organisation of the grant's project."),
        C("project_iso3", "str", "Project country (ISO-3)", "Country of the project's lead organisation."),
        C("project_country", "str", "Project country", "Name of that country."),
        C("project_city", "str", "Project city", "City of the project's lead organisation."),
        C("project_latitude", "float", "Project latitude", "See projects.latitude.", unit="degrees"),
        C("project_longitude", "float", "Project longitude", "See projects.longitude.", unit="degrees"),
        C("project_location_precision", "str", "Project place precision", _PRECISION),
        C(
            "project_org_place_key",
            "int",
            "Project place key",
            "org_place_key of the grant's project (see serve_projects).",
        ),
        *_AS_OF,
        *_orders(
            "grant",
            "grant id",
            order_oldest="oldest year first, then funder A–Z",
            order_amount="largest amount (EUR) first",
            order_funder="funder A–Z, then newest year",
            order_id="grant id",
            country_order="by country, then newest year first",
        ),
    ],
    "serve_portfolio_years": [
        C(
            "series_id",
            "str",
            "Coverage series",
            "A series holding a funder's whole portfolio.",
            nullable=False,
        ),
        C("year", "int", "Year", "Year the money counts in.", unit="year"),
        C(
            "amount_eur",
            "float",
            "Amount (EUR)",
            "All award money of the year in the series, MS or not.",
            unit="EUR",
        ),
        C("amount_usd", "float", "Amount (USD)", "The same in US dollars.", unit="USD"),
        C("amount_gbp", "float", "Amount (GBP)", "The same in pounds sterling.", unit="GBP"),
        C(
            "awards",
            "int",
            "Awards",
            "Award records of the year in the series.",
            unit="awards",
            nullable=False,
        ),
    ],
    "serve_sources": [
        C("kind", "str", "Table", "'trials', 'funding' (grants) or 'projects'.", nullable=False),
        C("source", "str", "Source", "Source id.", nullable=False),
        C("as_of_min", "date", "Oldest as of", "Oldest as-of date of the source's rows."),
        C("as_of_max", "date", "Newest as of", "Newest as-of date of the source's rows."),
        C("gives_first_posted", "bool", "Dates registration", "Some trial of the source has first_posted."),
        C("gives_start_date", "bool", "Dates starts", "Some trial of the source has a start date."),
        C("gives_completion_date", "bool", "Dates completion", "Some trial has a completion date."),
        C("gives_last_update", "bool", "Dates updates", "Some trial has last_update_posted."),
        C("gives_reason", "bool", "States why stopped", "Some trial has why_stopped."),
        C("gives_results_date", "bool", "Dates results", "Some trial has results_first_posted."),
        C("gives_award_date", "bool", "Dates awards", "Some award of the source has an award or start date."),
    ],
    "serve_filter_options": [
        C("kind", "str", "Kind", "'country', 'region' or 'funder'.", nullable=False),
        C("value", "str", "Value", "The value stored in the data (ISO-3, UN region, funder name)."),
        C("label", "str", "Label", "What the user sees."),
        C("n", "int", "Records", "Records carrying the value.", nullable=False),
    ],
    "serve_about_coverage": [
        C("source", "str", "Source", "Source id.", nullable=False),
        C("series_id", "str", "Coverage series", "Funding: the coverage series; registries: the source id."),
        C("label", "str", "Series", "Funding: the series in words; registries: empty."),
        C("year", "int", "Year", "Funding: fiscal or award year; registries: trial start year.", unit="year"),
        C("coverage", "str", "Coverage", "'complete …' or 'partial …', with what the word means here."),
        C("records", "int", "Records", "Grant records or trials starting in that year.", nullable=False),
    ],
}
SERVING: tuple[str, ...] = tuple(SERVING_TABLES)
TABLES: dict[str, list[Column]] = {**CANONICAL_TABLES, **SERVING_TABLES}

_ARROW = {
    "str": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "strs": pa.list_(pa.string()),
}


def arrow_schema(table: str) -> pa.Schema:
    return pa.schema([pa.field(c.name, _ARROW[c.type], nullable=c.nullable) for c in TABLES[table]])


def column(table: str, name: str) -> Column:
    return next(c for c in TABLES[table] if c.name == name)
