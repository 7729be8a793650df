"""The data dictionary the About page shows, and the curated known limits of each source.

The dictionary is generated, never written by hand: every column of every snapshot table
(`msprogress/schema.py`) plus every documented output column of every named query
(`queries/*.sql` headers, parsed by `msprogress/queries.py`). A page that shows a column shows
either a table column or a query column, so nothing the app displays is missing from it
(a test checks this).

`SOURCE_LIMITS` is the short plain-language "what this source cannot tell you" per source id;
the manifest's `sources[].notes` (written by the ingest) carry the build-time detail.
"""

from __future__ import annotations

import pandas as pd

from msprogress import queries, schema

DICTIONARY_COLUMNS = ["where", "column", "title", "type", "unit", "description"]

SOURCE_LIMITS: dict[str, str] = {
    "ctgov": (
        "Countries are those of each study's first listed site only (the flattened export drops the "
        "full site list), so a ClinicalTrials.gov country count is a count of first-site countries. "
        "Registration became expected in 2005 (ICMJE) and required for many US trials in 2007 (FDAAA): "
        "trials starting earlier are incomplete. Found by the condition 'multiple sclerosis'; progressive "
        "MS is recognised by the classification rules, not by the registry. Trials also on CTIS count twice."
    ),
    "ctgov_api": (
        "A refresh from the ClinicalTrials.gov API v2 (make refresh): every site of every study, so its "
        "country lists are complete; it supersedes the flattened export's rows for the same NCT ids."
    ),
    "ctis": (
        "EU/EEA trials only, and only those in CTIS: it went live on 31 January 2022, so older trials "
        "appear only when they transitioned from EudraCT. 'Ended' is counted as Completed. Trials also on "
        "ClinicalTrials.gov count twice (the files share no identifier)."
    ),
    "nih_reporter": (
        "Awards administered by NINDS only, keyword-screened (sclerosis, myelin, MS, neuromyelitis, optic "
        "neuritis); fiscal years 1993–1994 and 1996–2001 only: FY1995 and FY2002–FY2015 are missing, not "
        "zero. The screen also catches ALS, tuberous and systemic sclerosis (classified Not MS)."
    ),
    "nih_exporter": (
        "Weekly files only: late FY2016 rows, FY2017 (48 of 52 weeks) and the first months of FY2018, so "
        "every year is partial. All NIH institutes, keyword-screened like RePORTER; project terms are "
        "machine-generated and count only as weak evidence of MS relevance."
    ),
    "reporter_api": (
        "A refresh from the NIH RePORTER API v2 (make refresh), searched for 'multiple sclerosis' one "
        "fiscal year at a time; supersedes the export files' rows for the same applications."
    ),
    "alliance_awards": (
        "Restated by hand from public announcements: amounts are what each page says (some are ceilings "
        "or approximate). Programme totals and calls overlap the awards inside them and are never added "
        "to them. Years without an announcement are missing, not zero."
    ),
    "charity_grants": (
        "Selected rounds and named awards of MS Society UK and MS Australia / MS Research Australia "
        "(2017–2025) from public news pages: not their full portfolios."
    ),
    "public_funders": (
        "A handful of MS projects from CORDIS, ERC, NEURON ERA-NET, SNSF and DFG pages; most state no "
        "amount (counted as projects, absent from funding sums). Not a complete picture of any funder."
    ),
    "member_grants": (
        "Only what the member societies' files hold; every row is checked against the template and a "
        "bad row is rejected with its file, row, column and reason."
    ),
}


def _schema_titles() -> dict[str, schema.Column]:
    """First schema column of each name: titles a query column of the same name, and describes
    it when the query header leaves the description to the schema."""
    out: dict[str, schema.Column] = {}
    for cols in schema.TABLES.values():
        for c in cols:
            out.setdefault(c.name, c)
    return out


def _table_rows() -> list[dict[str, str]]:
    return [
        {
            "where": f"table {table}",
            "column": c.name,
            "title": c.title,
            "type": c.type,
            "unit": c.unit,
            "description": c.description,
        }
        for table, cols in schema.TABLES.items()
        for c in cols
    ]


def _query_rows() -> list[dict[str, str]]:
    known = _schema_titles()
    rows = []
    for name in queries.names():
        for col, type_, desc in queries.get(name).columns:
            match = known.get(col)
            rows.append(
                {
                    "where": f"query {name}",
                    "column": col,
                    "title": match.title if match else col.replace("_", " ").capitalize(),
                    "type": type_,
                    "unit": match.unit if match else "",
                    "description": desc or (match.description if match else ""),
                }
            )
    return rows


def data_dictionary() -> pd.DataFrame:
    """Every table column and every documented query column: where, column, title, type, unit,
    description."""
    return pd.DataFrame(_table_rows() + _query_rows(), columns=DICTIONARY_COLUMNS)


def search_dictionary(df: pd.DataFrame, text: str) -> pd.DataFrame:
    """Rows where any field contains `text` (case-insensitive, literal, not a pattern)."""
    needle = text.strip().lower()
    if not needle:
        return df
    hay = df.astype(str).apply(lambda col: col.str.lower().str.contains(needle, regex=False))
    return df[hay.any(axis=1)]
