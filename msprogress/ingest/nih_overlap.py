"""The build step that settles what the NIH file sources share, after every reader has run.

The RePORTER exports (`nih_reporter`) and the ExPORTER weekly files (`nih_exporter`) are read
independently, each from its own files; they meet here, once, as `supersede` settles the API
pulls. Two things are shared:

- **projects.** A project can be in both (R01NS026799: RePORTER FY1993–2001 and ExPORTER FY2017).
  The snapshot holds one row per project id: it is written by the source holding the project's
  latest fiscal year (ExPORTER on a tie); the other source's project row is dropped, while its
  grants stay and point at the kept row. Each source classified the project on its own rows, so
  each grant keeps the relevance of its own era's text (R01NS034939: "INTERFERON GAMMA EFFECTS
  ON OLIGODENDROCYTES" in 1997–2001, an integrated-stress-response project in 2017).
- **organisations.** ExPORTER gives no coordinates, and its FY2017-series files no IPF
  organisation id. A project without coordinates takes those of the same organisation in another
  NIH source: by IPF id, else by name and city when exactly one IPF id has that name and city.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from msprogress.ingest.base import SourceResult

NIH_FILE_SOURCES = ("nih_reporter", "nih_exporter")  # in tie order: the later one wins a tie


def settle(results: list[SourceResult]) -> list[SourceResult]:
    """The results with one project row per shared project and ExPORTER places filled."""
    by_id = {r.source_id: r for r in results}
    present = [by_id[s] for s in NIH_FILE_SOURCES if s in by_id]
    if len(present) == 2:
        owners = project_owners(present)
        by_id.update({r.source_id: _keep_owned(r, owners, present) for r in present})
        by_id["nih_exporter"] = locate(by_id["nih_exporter"], by_id["nih_reporter"])
    return [by_id[r.source_id] for r in results]


def latest_years(result: SourceResult) -> dict[str, int]:
    """project_id → latest fiscal year among the source's grants."""
    grants = result.tables.get("grants")
    if grants is None or grants.empty:
        return {}
    latest = grants.dropna(subset=["project_id", "year"]).groupby("project_id")["year"].max()
    return {str(k): int(v) for k, v in latest.items()}


def project_owners(results: list[SourceResult]) -> dict[str, str]:
    """project_id → the source whose project row is kept (latest fiscal year; later source on a tie)."""
    best: dict[str, tuple[int, int, str]] = {}
    for rank, r in enumerate(results):
        for pid, fy in latest_years(r).items():
            candidate = (fy, rank, r.source_id)
            if pid not in best or candidate > best[pid]:
                best[pid] = candidate
    return {pid: owner for pid, (_, _, owner) in best.items()}


def _keep_owned(result: SourceResult, owners: dict[str, str], both: list[SourceResult]) -> SourceResult:
    projects = result.tables.get("projects")
    if projects is None or projects.empty:
        return result
    other = next(r.source_id for r in both if r is not result)
    owned = projects["project_id"].map(owners).fillna(result.source_id) == result.source_id
    shared = set(projects["project_id"]) & set(latest_years(next(r for r in both if r is not result)))
    note = (
        f"{len(shared)} projects are also in {other}; {int((~owned).sum())} of them have their latest "
        f"fiscal year there, so {other} writes their project row (their grants are here)."
    )
    tables = dict(result.tables) | {"projects": projects.loc[owned].reset_index(drop=True)}
    return dataclasses.replace(result, tables=tables, notes=[*result.notes, note])


def locate(exporter: SourceResult, reporter: SourceResult) -> SourceResult:
    """ExPORTER projects and organisations without coordinates get RePORTER's for the same
    organisation (IPF id, else a unique name and city)."""
    orgs = reporter.tables.get("organisations")
    projects = exporter.tables.get("projects")
    if orgs is None or orgs.empty or projects is None or projects.empty:
        return exporter
    known = orgs.dropna(subset=["latitude", "longitude"])
    places = known.groupby(["name", "city"])["org_id"]
    by_place = places.first()[places.nunique() == 1]
    coords = known.set_index("org_id")[["latitude", "longitude"]]
    unplaced = projects["latitude"].isna()
    projects, n = _fill(projects, "organisation", coords, by_place)
    projects["location_precision"] = None  # the readers' own places are 'source' (ingest/locate.py)
    projects.loc[unplaced & projects["latitude"].notna(), "location_precision"] = "organisation"
    organisations, _ = _fill(exporter.tables["organisations"], "name", coords, by_place)
    note = (
        f"Places: {n} of {len(projects)} projects without coordinates took those of the same "
        "organisation (IPF id, else name and city) in the RePORTER exports."
    )
    tables = dict(exporter.tables) | {"projects": projects, "organisations": organisations}
    return dataclasses.replace(exporter, tables=tables, notes=[*exporter.notes, note])


def _fill(
    df: pd.DataFrame, name_column: str, coords: pd.DataFrame, by_place: pd.Series
) -> tuple[pd.DataFrame, int]:
    """`df` with coordinates filled where its organisation is known elsewhere; and how many."""
    if df.empty:
        return df, 0
    keys = pd.Series(
        [
            org if isinstance(org, str) and org in coords.index else by_place.get((name, city))
            for org, name, city in zip(df["org_id"], df[name_column], df["city"], strict=True)
        ],
        index=df.index,
        dtype=object,
    )
    missing = df["latitude"].isna() & keys.notna()
    found = coords.reindex(keys[missing].astype(str))
    out = df.copy()
    out.loc[missing, "latitude"] = found["latitude"].to_numpy()
    out.loc[missing, "longitude"] = found["longitude"].to_numpy()
    return out, int(missing.sum())
