"""Registry API pulls supersede the shipped files for the records they both hold.

The ClinicalTrials.gov export and a ClinicalTrials.gov API pull hold the same NCT ids; the NIH
RePORTER/ExPORTER files and a RePORTER API pull hold the same application ids (grants) and core
project numbers (projects). A snapshot holds each id once, so before the tables are assembled
`supersede` drops, from the *older* source of each pair in `PAIRS`, every row whose id the
newer source provides: a trial with its countries and interventions, a project, a grant. The
count goes into the older source's notes ("N trials superseded by ctgov_api as of DATE"); these
rows are not rejections (nothing was wrong with them) and the file accounting is unchanged.

"Newer" is the later `as_of`; the API pull wins a tie. In practice the pull is the newer one,
so the file sources keep only what the pull does not hold (trials that no longer match the
condition query, NIH years the pull did not ask for).

NOTE: a grant of the older source stays when only its *project* is superseded: it keeps its own
fiscal year's money and now points at the project row the newer source writes.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from msprogress import sources
from msprogress.ingest.base import SourceResult

# newer (API) source -> the file sources it overlaps with, as the source registry declares them
PAIRS: dict[str, tuple[str, ...]] = {s.id: s.supersedes for s in sources.SOURCES if s.supersedes}
# table whose ids are compared -> (key column, tables whose rows follow that id)
ENTITIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "trials": ("trial_id", ("trials", "trial_countries", "trial_interventions")),
    "projects": ("project_id", ("projects",)),
    "grants": ("grant_id", ("grants",)),
}


def supersede(results: list[SourceResult]) -> list[SourceResult]:
    """The results with superseded rows dropped from the older source of each pair in `PAIRS`."""
    current = {r.source_id: r for r in results}
    for api_id, file_ids in PAIRS.items():
        for file_id in file_ids:
            api, old = current.get(api_id), current.get(file_id)
            if api is None or old is None:
                continue
            newer, older = (api, old) if api.as_of >= old.as_of else (old, api)
            current[older.source_id] = drop_provided(older, newer)
    return [current[r.source_id] for r in results]


def drop_provided(older: SourceResult, newer: SourceResult) -> SourceResult:
    """`older` without the trials, projects and grants `newer` provides; counts in its notes."""
    tables = dict(older.tables)
    notes = list(older.notes)
    for entity, (key, followers) in ENTITIES.items():
        ids = _ids(newer.tables.get(entity), key)
        if not ids:
            continue
        n = int(_ids_mask(tables.get(entity), key, ids).sum())
        for table in followers:
            df = tables.get(table)
            if df is not None and len(df):
                tables[table] = df.loc[~_ids_mask(df, key, ids)].reset_index(drop=True)
        if n:
            notes.append(f"{n} {entity} superseded by {newer.source_id} as of {newer.as_of}")
    return dataclasses.replace(older, tables=tables, notes=notes)


def _ids(df: pd.DataFrame | None, key: str) -> set[str]:
    if df is None or df.empty or key not in df.columns:
        return set()
    return set(df[key].dropna().astype(str))


def _ids_mask(df: pd.DataFrame | None, key: str, ids: set[str]) -> pd.Series:
    if df is None or df.empty or key not in df.columns:
        return pd.Series([], dtype=bool)
    return df[key].astype(str).isin(ids)
