"""The registry of data sources: each source declared once, read by every layer.

A `Source` says what a source is (id, title, short name, kind, terms, where it comes from), what
it cannot tell (`limits`, in plain words with no years in them: the years a source covers are
computed from the snapshot and shown beside the limits), which reader builds it, how its
coverage is judged, and which older sources it supersedes. The build (`ingest/build.py`: which
readers to run, manifest titles and terms, supersede pairs), the page captions (`page.py`: trial
vs funding sources), the About page (names, limits, coverage rules) and the data dictionary all
read this table; a test fails when a source in a manifest is missing from any of them.

NOTE: this module sits on the read side (the app imports it), so it names readers by dotted path
and never imports `msprogress.ingest`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["trials", "funding"]


@dataclass(frozen=True)
class Source:
    id: str
    title: str  # long title: manifest, About page, export headers
    short_name: str  # captions, grids, legends
    kind: Kind
    terms: str
    url: str
    reader: str  # "module:function" run by the build
    coverage_rule: str  # how the build judges which years (or countries) the source covers
    limits: str  # what the source cannot tell, in plain words (no years: those come from the data)
    supersedes: tuple[str, ...] = ()  # older sources whose rows with the same ids this one replaces
    series_kind: str = ""  # funding: what one coverage series of this source is
    whole_portfolio: bool = False  # funding: every award of the funder is in the files, MS or not


SOURCES: tuple[Source, ...] = (
    Source(
        id="ctgov",
        title="ClinicalTrials.gov studies matching the condition 'multiple sclerosis'",
        short_name="ClinicalTrials.gov",
        kind="trials",
        terms="Public domain (U.S. National Library of Medicine); API v2 query.cond=multiple sclerosis",
        url="https://clinicaltrials.gov/",
        reader="msprogress.ingest.ctgov:read",
        coverage_rule="trial start years; complete from 2005, when registration became expected (ICMJE)",
        limits=(
            "Countries are those of each study's first listed site only (the flattened export drops the "
            "full site list), so a ClinicalTrials.gov country count is a count of first-site countries. "
            "Trials that started before registration was expected are incomplete. Found by the condition "
            "'multiple sclerosis'; progressive MS is recognised by the classification rules, not by the "
            "registry. Trials also on CTIS count twice."
        ),
    ),
    Source(
        id="ctgov_api",
        title="ClinicalTrials.gov API v2 pull (make refresh): every site of every study",
        short_name="ClinicalTrials.gov API",
        kind="trials",
        terms="Public domain (U.S. National Library of Medicine); API v2",
        url="https://clinicaltrials.gov/data-api/api",
        reader="msprogress.ingest.ctgov_api:read",
        coverage_rule="as ClinicalTrials.gov, with every site country",
        limits=(
            "A refresh from the ClinicalTrials.gov API v2: every site of every study, so its country lists "
            "are complete; it supersedes the flattened export's rows for the same NCT ids."
        ),
        supersedes=("ctgov",),
    ),
    Source(
        id="ctis",
        title="EU Clinical Trials Information System (CTIS): trials in multiple sclerosis",
        short_name="CTIS (EU)",
        kind="trials",
        terms="European Medicines Agency, CTIS public portal; reuse with acknowledgement of the source",
        url="https://euclinicaltrials.eu/",
        reader="msprogress.ingest.ctis:read",
        coverage_rule="trial start years; complete for trials authorised under the EU Regulation",
        limits=(
            "EU/EEA trials only, and only those in CTIS: older trials appear only when they transitioned "
            "from EudraCT. 'Ended' is counted as Completed. Trials also on ClinicalTrials.gov count twice "
            "(the files share no identifier)."
        ),
    ),
    Source(
        id="nih_reporter",
        title="NIH RePORTER project exports: every award an institute administered",
        short_name="NIH RePORTER",
        kind="funding",
        terms="U.S. federal data, public domain (NIH RePORTER)",
        url="https://reporter.nih.gov/",
        reader="msprogress.ingest.nih_reporter:read",
        coverage_rule=(
            "per institute and fiscal year: complete when the award dates in the file reach from the "
            "fiscal year's first quarter to its last month, else partial"
        ),
        limits=(
            "Each file holds every award one institute (NINDS here) administered in one fiscal year, MS "
            "or not: the MS share of the institute's money can be computed. Other institutes are not in "
            "these files, and fiscal years without a file are missing, not zero."
        ),
        series_kind="every award of the institute",
        whole_portfolio=True,
    ),
    Source(
        id="nih_exporter",
        title="NIH ExPORTER weekly project files, all institutes, rows mentioning sclerosis or myelin",
        short_name="NIH ExPORTER",
        kind="funding",
        terms="U.S. federal data, public domain (NIH ExPORTER)",
        url="https://reporter.nih.gov/exporter",
        reader="msprogress.ingest.nih_exporter:read",
        coverage_rule="partial in every fiscal year: weekly files, only rows naming sclerosis or myelin",
        limits=(
            "Weekly files only, and only rows mentioning sclerosis or myelin words, so every year is "
            "partial. All NIH institutes; project terms are machine-generated and count only as weak "
            "evidence of MS relevance."
        ),
        series_kind="weekly files, rows naming sclerosis or myelin",
    ),
    Source(
        id="reporter_api",
        title="NIH RePORTER API v2 pull (make refresh): projects mentioning 'multiple sclerosis'",
        short_name="NIH RePORTER API",
        kind="funding",
        terms="U.S. federal data, public domain (NIH RePORTER)",
        url="https://api.reporter.nih.gov/",
        reader="msprogress.ingest.reporter_api:read",
        coverage_rule="partial in every fiscal year: a text search",
        limits=(
            "A refresh searched for 'multiple sclerosis' one fiscal year at a time: a text search, not "
            "a portfolio; supersedes the export files' rows for the same applications."
        ),
        supersedes=("nih_reporter", "nih_exporter"),
        series_kind="text search",
    ),
    Source(
        id="alliance_awards",
        title="International Progressive MS Alliance awards, programme totals and calls (curated)",
        short_name="Alliance awards",
        kind="funding",
        terms="Facts restated from the public page cited in each row's source_url.",
        url="https://www.progressivemsalliance.org/",
        reader="msprogress.ingest.curated:read_alliance",
        coverage_rule="partial: the years with an announcement",
        limits=(
            "Restated by hand from public announcements: amounts are what each page says (some are "
            "ceilings or approximate). Programme totals and calls overlap the awards inside them and are "
            "never added to them. Years without an announcement are missing, not zero."
        ),
        series_kind="announced awards",
    ),
    Source(
        id="charity_grants",
        title="MS Society UK and MS Australia / MS Research Australia grant rounds and awards (curated)",
        short_name="Charity grants",
        kind="funding",
        terms="Facts restated from the public page cited in each row's source_url.",
        url="https://www.msaustralia.org.au/research/",
        reader="msprogress.ingest.curated:read_charity",
        coverage_rule="partial: the years with an announcement",
        limits=(
            "Selected rounds and named awards of MS Society UK and MS Australia / MS Research Australia "
            "from public news pages: not their full portfolios."
        ),
        series_kind="selected announcements",
    ),
    Source(
        id="public_funders",
        title=(
            "MS research projects of other public funders: European Commission (CORDIS), ERC, "
            "NEURON ERA-NET, SNSF, DFG (curated)"
        ),
        short_name="Other public funders",
        kind="funding",
        terms=(
            "Facts from the page in each row's source_url. CORDIS content is EU open data (CC BY 4.0): "
            "CORDIS, European Union."
        ),
        url="https://cordis.europa.eu/",
        reader="msprogress.ingest.curated:read_public_funders",
        coverage_rule="partial: the years with a project",
        limits=(
            "A handful of MS projects from CORDIS, ERC, NEURON ERA-NET, SNSF and DFG pages; most state no "
            "amount (counted as projects, absent from funding sums). Not a complete picture of any funder."
        ),
        series_kind="selected projects",
    ),
    Source(
        id="member_grants",
        title="Member societies' grants (files supplied by Alliance staff)",
        short_name="Member grants",
        kind="funding",
        terms="Supplied by the member societies for the Alliance's own use.",
        url="",
        reader="msprogress.ingest.member_grants:read",
        coverage_rule="partial: the years each member funder has awards for (one series per funder, across its files)",
        limits=(
            "Only what the member societies' files hold; every row is checked against the template and a "
            "bad row is rejected with its file, row, column and reason."
        ),
        series_kind="member society's own files",
    ),
)

BY_ID: dict[str, Source] = {s.id: s for s in SOURCES}


def get(source_id: str) -> Source:
    """The registered source; KeyError names the id when a source is not registered."""
    try:
        return BY_ID[source_id]
    except KeyError:
        raise KeyError(f"source {source_id!r} is not in msprogress/sources.py") from None


def ids(kind: Kind | None = None) -> tuple[str, ...]:
    """Source ids in registry order, all or of one kind."""
    return tuple(s.id for s in SOURCES if kind is None or s.kind == kind)


TRIAL_SOURCES = ids("trials")
FUNDING_SOURCES = ids("funding")
