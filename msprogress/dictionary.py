"""The data dictionary the About page shows.

The dictionary is generated, never written by hand: every column of every snapshot table
(`msprogress/schema.py`), every documented output column of every named query (`queries/*.sql`
headers, parsed by `msprogress/queries.py`), and every value of the `source` column (the source
registry, `msprogress/sources.py`). A page that shows a column shows either a table column or a
query column, so nothing the app displays is missing from it (a test checks this).
"""

from __future__ import annotations

import pandas as pd

from msprogress import queries, schema, sources

DICTIONARY_COLUMNS = ["where", "column", "title", "type", "unit", "description"]


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


def _source_rows() -> list[dict[str, str]]:
    """One row per value the `source` column can hold: the registered sources."""
    return [
        {
            "where": "value of source",
            "column": s.id,
            "title": s.short_name,
            "type": s.kind,
            "unit": "",
            "description": f"{s.title}. Coverage: {s.coverage_rule}.",
        }
        for s in sources.SOURCES
    ]


def data_dictionary() -> pd.DataFrame:
    """Every table column, every documented query column and every source id: where, column,
    title, type, unit, description."""
    return pd.DataFrame(_table_rows() + _query_rows() + _source_rows(), columns=DICTIONARY_COLUMNS)


def search_dictionary(df: pd.DataFrame, text: str) -> pd.DataFrame:
    """Rows where any field contains `text` (case-insensitive, literal, not a pattern)."""
    needle = text.strip().lower()
    if not needle:
        return df
    hay = df.astype(str).apply(lambda col: col.str.lower().str.contains(needle, regex=False))
    return df[hay.any(axis=1)]
