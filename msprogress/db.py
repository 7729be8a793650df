"""The sandboxed, read-only DuckDB layer over one snapshot.

One in-memory DuckDB connection per snapshot holds a view per parquet table and the shared
filter macros. It is then locked down, in the order DuckDB requires: the snapshot's own
parquet files are the only allowed paths, external access is off, and the configuration is
locked, so a query cannot read other files, write anything (not even into the snapshot
folder), install extensions, attach databases or change settings.
NOTE: `allowed_paths` (the files) rather than `allowed_directories` (the folder): a folder
allowance also permits `COPY … TO` into that folder.
Each query runs on its own cursor (a connection shared across Streamlit's threads is not
safe), and only a single SELECT statement from `queries/` is ever executed.

A *pair* (`Database(current, earlier=...)`, for the "what changed" queries `diff_*`) is the same
sandbox over two snapshots: the earlier snapshot's tables are views named `prev_<table>`, both
snapshots' files are the allowed paths (read-only), and the lockdown runs in the same order.
Every view, current or earlier, is conformed to the data dictionary (`schema.TABLES`): a table or
column a snapshot lacks (built by older code) becomes empty typed rows or an empty column, and each
such difference is written down in `schema_notes` / `earlier_notes` instead of failing a query.
NOTE: the shared macros name their tables through `query_table(snap || 'trials')`, so one
definition (a filter, a pipeline stage) serves both snapshots: `snap := 'prev_'` reads the earlier.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from msprogress import queries, schema
from msprogress.snapshot import Snapshot

EARLIER_PREFIX = "prev_"  # views of the earlier snapshot in a pair: prev_trials, prev_grants …
SQL_TYPES = {"str": "varchar", "int": "bigint", "float": "double", "bool": "boolean", "date": "date"}


class QueryError(Exception):
    """A named query failed or was refused."""


def _quote_path(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


def _files(snapshot: Snapshot) -> dict[str, str]:
    """Each table's parquet file, quoted for SQL; a table outside the schema is refused."""
    for table in snapshot.tables:
        if table not in schema.TABLES:  # identifiers only from the fixed schema, never from input
            raise QueryError(f"unknown table in manifest: {table[:40]!r}")
    return {t: _quote_path(str(snapshot.table_path(t).resolve())) for t in snapshot.tables}


def conformed_views(snapshot: Snapshot, prefix: str = "") -> tuple[list[str], list[str]]:
    """`create view` statements giving every declared table of `snapshot` its declared columns
    (views named `prefix + table`), and a note for each table whose columns the snapshot lacks or
    stores with another type (read with try_cast: a value that does not convert is empty)."""
    files, statements, notes = _files(snapshot), [], []
    for table, columns in schema.TABLES.items():
        stored = pq.read_schema(snapshot.table_path(table)) if table in files else None
        have = {f.name: f.type for f in stored} if stored is not None else {}
        select, missing, retyped = [], [], []
        for c in columns:
            sql_type, declared = SQL_TYPES[c.type], schema.arrow_schema(table).field(c.name).type
            if c.name not in have:
                select.append(f'cast(null as {sql_type}) as "{c.name}"')
                missing.append(c.name)
            elif have[c.name] != declared and not _same_kind(have[c.name], declared):
                select.append(f'try_cast("{c.name}" as {sql_type}) as "{c.name}"')
                retyped.append(f"{c.name} ({have[c.name]} read as {sql_type})")
            else:
                select.append(f'"{c.name}"')
        source = f"read_parquet({files[table]})" if stored is not None else "(select 1) where false"
        statements.append(f"create view {prefix}{table} as select {', '.join(select)} from {source}")  # noqa: S608
        if stored is None:
            notes.append(
                f"Snapshot {snapshot.snapshot_id} has no table {table} (built before it existed): read as empty."
            )
        elif missing:
            notes.append(
                f"Snapshot {snapshot.snapshot_id} has no {table} column {', '.join(missing)} (built before "
                f"{'they' if len(missing) > 1 else 'it'} existed): read as empty."
            )
        if retyped:
            notes.append(f"Snapshot {snapshot.snapshot_id} stores {table} column {', '.join(retyped)}.")
    return statements, notes


def _same_kind(stored: pa.DataType, declared: pa.DataType) -> bool:
    """Integer widths and string flavours read alike (int32 for int64, large_string for string)."""
    text = lambda t: pa.types.is_string(t) or pa.types.is_large_string(t)  # noqa: E731
    return any(k(stored) and k(declared) for k in (pa.types.is_integer, pa.types.is_floating, text))


class Database:
    def __init__(self, snapshot: Snapshot, threads: int = 2, earlier: Snapshot | None = None):
        self.snapshot, self.earlier = snapshot, earlier
        con = duckdb.connect(":memory:", config={"threads": threads})
        pair = [snapshot] if earlier is None else [snapshot, earlier]
        files = [path for snap in pair for path in _files(snap).values()]
        views, self.schema_notes = conformed_views(snapshot)
        earlier_views, self.earlier_notes = conformed_views(earlier, EARLIER_PREFIX) if earlier else ([], [])
        con.execute(f"SET allowed_paths=[{', '.join(files)}]")
        con.execute("SET enable_external_access=false")
        for statement in views + earlier_views:
            con.execute(statement)
        con.execute(queries.macros_sql())
        con.execute("SET lock_configuration=true")
        self._con = con

    def run(self, name: str, f: dict[str, object] | None = None, **extra: object) -> pd.DataFrame:
        """Run the named query with the filter struct `f` and any extra named parameters."""
        q = queries.get(name)
        if q.compares and self.earlier is None:
            raise QueryError(f"query {name} compares two snapshots: open the database with an earlier one")
        supplied: dict[str, object] = {"f": f, **extra}
        missing = [p for p in q.params if p not in supplied]
        if missing:
            raise QueryError(f"query {name}: parameters not supplied: {missing}")
        params = {p: supplied[p] for p in q.params}
        return self.execute_select(q.sql, params)

    def execute_select(self, sql: str, params: dict[str, object]) -> pd.DataFrame:
        statements = self._con.extract_statements(sql)
        if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
            raise QueryError("only a single SELECT statement may run")
        cur = self._con.cursor()
        try:
            return cur.execute(sql, params or None).df()
        except duckdb.Error as exc:
            raise QueryError(str(exc)) from exc
        finally:
            cur.close()

    def raw_connection_for_tests(self) -> duckdb.DuckDBPyConnection:
        return self._con
