"""The sandboxed, read-only DuckDB layer over one snapshot.

One in-memory DuckDB connection per snapshot holds a view per parquet table (a table read into
memory when it is small, see IN_MEMORY_MAX_ROWS) and the shared filter macros. It is then locked
down, in the order DuckDB requires: the snapshot's own parquet files are the only allowed paths,
external access is off, and the configuration is locked, so a query cannot read other files, write
anything (not even into the snapshot folder), install extensions, attach databases or change
settings.
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
NOTE: the shared table macros name their tables through `query_table(snap || 'serve_pipeline')`, so
one definition (a pipeline stage) serves both snapshots: `snap := 'prev_'` reads the earlier.

The serving tables (`schema.SERVING`, what the pages read; msprogress/ingest/serving.py) are read
the same way from the snapshot's own file when it stores the table with its declared columns, else
views computed
from that snapshot's canonical tables by the table's macro in `queries/_serving.sql` (a snapshot
built before the table existed reads the same rows, only slower; `computed` lists them).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from msprogress import queries, schema
from msprogress.snapshot import Snapshot

# NOTE: results are read as Arrow (see `frame`); DuckDB warns that Arrow from a cursor's result copies
# it once more, which costs far less than `.df()` does, so the warning says nothing here.
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)

EARLIER_PREFIX = "prev_"  # views of the earlier snapshot in a pair: prev_trials, prev_grants …
# A table of at most this many rows is held in memory (see _kind): every table of the real snapshot
# (about 0.2 s and 65 MB when the database opens); at 100x the data, the lookups and the small serving
# tables (0.1 s, 65 MB), the others read from their files.
IN_MEMORY_MAX_ROWS = 50_000
SQL_TYPES = {
    "str": "varchar",
    "int": "bigint",
    "float": "double",
    "bool": "boolean",
    "date": "date",
    "strs": "varchar[]",
}


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
    """`create view` (or, for a small file, `create table`) statements giving every canonical table of
    `snapshot` its declared columns
    (views named `prefix + table`), and a note for each table whose columns the snapshot lacks or
    stores with another type (read with try_cast: a value that does not convert is empty)."""
    files, statements, notes = _files(snapshot), [], []
    for table, columns in schema.CANONICAL_TABLES.items():
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
        kind = _kind(snapshot, table) if stored is not None else "view"
        statements.append(f"create {kind} {prefix}{table} as select {', '.join(select)} from {source}")  # noqa: S608
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
    """Integer widths and string flavours read alike (int32 for int64, large_string for string), and
    lists of them (whatever their item field is named)."""
    if pa.types.is_list(stored) or pa.types.is_large_list(stored):
        return pa.types.is_list(declared) and _same_kind(stored.value_type, declared.value_type)
    text = lambda t: pa.types.is_string(t) or pa.types.is_large_string(t)  # noqa: E731
    return any(k(stored) and k(declared) for k in (pa.types.is_integer, pa.types.is_floating, text))


def serving_views(snapshot: Snapshot, prefix: str = "") -> tuple[list[str], list[str]]:
    """`create view` (or `create table`) statements for every serving table of `snapshot` (named
    `prefix + table`),
    and the tables computed from the canonical ones because the snapshot does not store them as
    declared. Run after the canonical views and the serving macros exist."""
    files, statements, computed = _files(snapshot), [], []
    for table, columns in schema.SERVING_TABLES.items():
        if table in files and _stored_as_declared(snapshot, table):
            select = ", ".join(f'"{c.name}"' for c in columns)
            source, kind = f"read_parquet({files[table]})", _kind(snapshot, table)
        else:
            select = ", ".join(f'cast("{c.name}" as {SQL_TYPES[c.type]}) as "{c.name}"' for c in columns)
            source, kind = f"{table}_of(snap := '{prefix}')", "view"
            computed.append(table)
        statements.append(f"create {kind} {prefix}{table} as select {select} from {source}")  # noqa: S608
    return statements, computed


def _kind(snapshot: Snapshot, table: str) -> str:
    """'table' (read into memory once) for a small table, else 'view' (read from its file by each query).
    NOTE: each query binding a view over parquet reads the file's metadata again (about 0.7 ms a
    table, most of a small query at 1x); a small table costs a few MB held in memory."""
    return "table" if snapshot.manifest.tables[table].rows <= IN_MEMORY_MAX_ROWS else "view"


def _stored_as_declared(snapshot: Snapshot, table: str) -> bool:
    stored = {f.name: f.type for f in pq.read_schema(snapshot.table_path(table))}
    declared = schema.arrow_schema(table)
    return set(stored) == set(declared.names) and all(
        stored[f.name] == f.type or _same_kind(stored[f.name], f.type) for f in declared
    )


def frame(result: pa.Table) -> pd.DataFrame:
    """A query result as the DataFrame DuckDB's own `.df()` gives (the same dtypes: pages and tests
    rely on them), converted through Arrow: text as `str` (object when empty or all null), integers and
    booleans nullable only when a value is missing, dates as datetime64[us], decimals as float64.
    NOTE: `.df()` builds a Python object per text value; through Arrow a page-sized result (5,000
    rows, a dozen text columns) converts in a third of the time."""
    fields = [_field_as_df(f) for f in result.schema]
    if any(f is not g for f, g in zip(fields, result.schema, strict=True)):
        result = result.cast(pa.schema(fields))
    out = result.to_pandas()
    for i, col in enumerate(result.columns):
        t = col.type
        if _is_text(t) and (len(col) == 0 or col.null_count == len(col)):
            out.isetitem(i, pd.Series([None] * len(col), dtype=object))
        elif col.null_count and t in _NULLABLE:
            out.isetitem(i, col.to_pandas(types_mapper={t: pd.api.types.pandas_dtype(_NULLABLE[t])}.get))
    return out


# `.df()` gives a nullable pandas dtype for an integer or boolean column only when a value is missing.
_NULLABLE = {
    pa.int8(): "Int8",
    pa.int16(): "Int16",
    pa.int32(): "Int32",
    pa.int64(): "Int64",
    pa.uint8(): "UInt8",
    pa.uint16(): "UInt16",
    pa.uint32(): "UInt32",
    pa.uint64(): "UInt64",
    pa.bool_(): "boolean",
}


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)


def _field_as_df(f: pa.Field) -> pa.Field:
    if pa.types.is_date(f.type) or pa.types.is_timestamp(f.type):
        return f.with_type(pa.timestamp("us"))
    if pa.types.is_decimal(f.type):
        return f.with_type(pa.float64())
    return f


@dataclass(frozen=True)
class Setup:
    """What a connection over `snapshot` (and `earlier`) runs before its first query, in order: the
    canonical tables, the serving macros and tables, the filter macros; and what it found."""

    statements: list[str]
    schema_notes: list[str]
    earlier_notes: list[str]
    computed: list[str]
    earlier_computed: list[str]


def setup(snapshot: Snapshot, earlier: Snapshot | None = None) -> Setup:
    views, notes = conformed_views(snapshot)
    earlier_views, earlier_notes = conformed_views(earlier, EARLIER_PREFIX) if earlier else ([], [])
    served, computed = serving_views(snapshot)
    earlier_served, earlier_computed = serving_views(earlier, EARLIER_PREFIX) if earlier else ([], [])
    statements = [
        *views,
        *earlier_views,
        queries.serving_sql(),
        *served,
        *earlier_served,
        queries.macros_sql(),
    ]
    return Setup(statements, notes, earlier_notes, computed, earlier_computed)


class Database:
    def __init__(self, snapshot: Snapshot, threads: int = 2, earlier: Snapshot | None = None):
        self.snapshot, self.earlier = snapshot, earlier
        con = duckdb.connect(":memory:", config={"threads": threads})
        pair = [snapshot] if earlier is None else [snapshot, earlier]
        files = [path for snap in pair for path in _files(snap).values()]
        done = setup(snapshot, earlier)
        self.schema_notes, self.earlier_notes = done.schema_notes, done.earlier_notes
        self.computed, self.earlier_computed = done.computed, done.earlier_computed
        con.execute(f"SET allowed_paths=[{', '.join(files)}]")
        con.execute("SET enable_external_access=false")
        for statement in done.statements:
            con.execute(statement)
        con.execute("SET lock_configuration=true")
        self._con = con
        self._selects: set[str] = set()  # query texts checked to be one SELECT (the check parses them)

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
        if sql not in self._selects:
            statements = self._con.extract_statements(sql)
            if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
                raise QueryError("only a single SELECT statement may run")
            self._selects.add(sql)
        cur = self._con.cursor()
        try:
            return frame(cur.execute(sql, params or None).to_arrow_table())
        except duckdb.Error as exc:
            raise QueryError(str(exc)) from exc
        finally:
            cur.close()

    def raw_connection_for_tests(self) -> duckdb.DuckDBPyConnection:
        return self._con
