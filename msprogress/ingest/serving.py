"""Build the serving tables: the pages' data, derived from a snapshot's canonical tables.

The canonical tables hold the data as the sources give it, normalised (text keys, a trial's
countries in their own table); the pages' queries over them spent their time joining on text keys,
running the filter subqueries and planning both (20 ms a query on the real data, most of it not
reading rows). The serving tables (`schema.SERVING_TABLES`) hold what the pages read, shaped for it,
the way a dbt mart serves a dashboard: one row per thing a page counts or lists, pre-joined, with
the trial's countries and regions as list columns and lower-cased search text, so that a filter is
a scan of one table; aggregates where a page needs only those; integer keys; sorted by what the
filters test. The canonical tables stay in the snapshot for Explore, the exports and the comparison
of two snapshots.

Each serving table is defined once, by a macro in `queries/_serving.sql` over the canonical tables:
the build runs it here and the snapshot stores its rows; `msprogress/db.py` runs the same macro
for a snapshot built before the table existed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from msprogress import queries, schema

# Rows per parquet row group of a serving table: DuckDB scans a file's row groups in parallel and
# skips those whose min/max rule a filter out, which one group of a million rows would prevent.
ROW_GROUP_ROWS = 65_536


def parquet_options(table: str) -> dict[str, object]:
    """How a snapshot table is written: canonical tables small (zstd), serving tables fast to read.
    NOTE: LZ4 decompresses several times faster than zstd for about the same size here; at 100x the
    real data the serving queries spent a fifth less time reading (bench/results.md)."""
    if table in schema.SERVING:
        return {"compression": "lz4", "row_group_size": ROW_GROUP_ROWS}
    return {"compression": "zstd"}


class ServingError(Exception):
    """A serving macro does not give its table's declared columns."""


def build_serving(tables: Mapping[str, Any]) -> dict[str, pa.Table]:
    """Every serving table computed from the canonical `tables`, cast to its declared schema.
    NOTE: a canonical table partly spilled to disk (`spill.Streamed`, member rows) is read by
    DuckDB from a parquet copy in a temporary folder, never loaded whole."""
    con = duckdb.connect(":memory:", config={"threads": 2})
    with tempfile.TemporaryDirectory(prefix="msprogress-serving-") as tmp:
        try:
            for name in schema.CANONICAL_TABLES:
                table = tables[name]
                if isinstance(table, pa.Table):
                    con.register(name, table)
                else:
                    path = Path(tmp) / f"{name}.parquet"
                    table.write(path)
                    con.read_parquet(str(path)).create_view(name)
            return _served(con)
        finally:
            con.close()


def _served(con: duckdb.DuckDBPyConnection) -> dict[str, pa.Table]:
    con.execute(queries.serving_sql())
    served = {}
    for name in schema.SERVING:  # in order: a serving table may read one declared before it
        served[name] = _one(con, name)
        con.register(name, served[name])
    return served


def _one(con: duckdb.DuckDBPyConnection, name: str) -> pa.Table:
    # NOTE: `name` comes from schema.SERVING, a fixed tuple, never from input.
    rows = con.sql(f"select * from {name}_of()").to_arrow_table()  # noqa: S608
    declared = schema.arrow_schema(name)
    if set(rows.column_names) != set(declared.names):
        missing = sorted(set(declared.names) - set(rows.column_names))
        extra = sorted(set(rows.column_names) - set(declared.names))
        raise ServingError(f"{name}_of(): missing columns {missing}, undeclared columns {extra}")
    return rows.select(declared.names).cast(declared)
