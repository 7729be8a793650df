"""Coverage series: which population of awards each grant belongs to, and which years each covers.

A funding chart may only draw a trend across years that hold the same population of awards.
So every grant belongs to one *coverage series* — a funder (or group of funders) × what its
files hold: "NIH NINDS, every award of the institute", "NIH all institutes, weekly files,
keyword-screened", "Alliance awards, announced awards", "<member society>: its own files" — and for each
series the build records, year by year, whether the year is covered completely or partially.
A year a series has no row for is not covered: missing, not zero.

Readers that can judge their years (the NIH exports, from award dates) set `series_id` on their
grants and fill `SourceResult.coverage`; for the others this module applies the registry's rule
"partial: the years with records" (curated announcements, member files). The member reader sets
one series per member funder (whichever files its rows are in: a file's name is never part of a
key). The series table's words come from the source registry (`msprogress/sources.py`).
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from msprogress import sources
from msprogress.ingest.base import SourceResult

SERIES_COLUMNS = ["series_id", "source", "funder", "title", "kind", "whole_portfolio", "coverage_rule"]
COVERAGE_COLUMNS = ["series_id", "year", "coverage", "basis"]


def assign(result: SourceResult) -> SourceResult:
    """The result with a series for every grant and a coverage row for every series-year."""
    src = sources.get(result.source_id)
    if "grants" in result.spilled:  # a reader that spills sets every grant's series itself
        if result.coverage:
            return result
        years = _partial_years(_grant_columns(result, ["series_id", "year"]), src.series_kind)
        return dataclasses.replace(result, coverage=years)
    grants = result.tables.get("grants")
    if src.kind != "funding" or grants is None or grants.empty:
        return result
    if "series_id" not in grants.columns or grants["series_id"].isna().any():
        grants = grants.copy()  # NOTE: only when a series is missing (a member reader sets its own)
        grants["series_id"] = grants.get("series_id", pd.Series(index=grants.index, dtype=object))
        grants["series_id"] = grants["series_id"].fillna(result.source_id)
    coverage = result.coverage or _partial_years(grants, src.series_kind)
    tables = dict(result.tables) | {"grants": grants}
    return dataclasses.replace(result, tables=tables, coverage=coverage)


def _partial_years(grants: pd.DataFrame | None, kind: str) -> list[dict[str, object]]:
    if grants is None or grants.empty:
        return []
    years = grants.dropna(subset=["year"]).groupby("series_id")["year"].unique()
    return [
        {"series_id": sid, "year": int(y), "coverage": "partial", "basis": kind}
        for sid, ys in years.items()
        for y in sorted(ys)
    ]


def _grant_columns(result: SourceResult, columns: list[str]) -> pd.DataFrame | None:
    """The distinct (`columns`) of a result's grants, in the order they first occur; a spilled
    table is read a row group at a time, so only the distinct values are ever held."""
    if "grants" not in result.spilled:
        grants = result.tables.get("grants")
        return None if grants is None or "series_id" not in grants else grants
    parts = [t.to_pandas().drop_duplicates() for t in result.spilled["grants"].batches(columns)]
    if not parts:
        return None
    return pd.concat(parts, ignore_index=True).drop_duplicates(ignore_index=True)


def series_frame(results: list[SourceResult]) -> pd.DataFrame:
    """One row per coverage series: its source, funder (when one), title and kind."""
    rows = []
    for r in results:
        grants = _grant_columns(r, ["series_id", "funder"])
        if grants is None or grants.empty or "series_id" not in grants:
            continue
        src = sources.get(r.source_id)
        for sid, g in grants.groupby("series_id", sort=True):
            funders = g["funder"].dropna().unique()
            # NOTE: a member series is one funder, however its name was typed in each file
            one = len(funders) == 1 or (r.source_id == "member_grants" and len(funders) > 0)
            funder = str(funders[0]) if one else None
            rows.append(
                {
                    "series_id": sid,
                    "source": r.source_id,
                    "funder": funder,
                    "title": series_title(src, str(sid), funder),
                    "kind": src.series_kind,
                    "whole_portfolio": src.whole_portfolio,
                    "coverage_rule": src.coverage_rule,
                }
            )
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)


def series_title(src: sources.Source, series_id: str, funder: str | None) -> str:
    """'NIH NINDS: every award of the institute', 'MS Society UK: member society's own files'."""
    who = funder if (src.whole_portfolio or src.id == "member_grants") and funder else src.short_name
    return f"{who}: {src.series_kind}"


def coverage_frame(results: list[SourceResult]) -> pd.DataFrame:
    rows = [row for r in results for row in r.coverage]
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)
