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
"""

from __future__ import annotations

import duckdb
import pandas as pd

from msprogress import queries, schema
from msprogress.snapshot import Snapshot


class QueryError(Exception):
    """A named query failed or was refused."""


def _quote_path(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


class Database:
    def __init__(self, snapshot: Snapshot, threads: int = 2):
        self.snapshot = snapshot
        con = duckdb.connect(":memory:", config={"threads": threads})
        for table in snapshot.tables:
            if table not in schema.TABLES:  # identifiers only from the fixed schema, never from input
                raise QueryError(f"unknown table in manifest: {table[:40]!r}")
        files = {t: _quote_path(str(snapshot.table_path(t).resolve())) for t in snapshot.tables}
        con.execute(f"SET allowed_paths=[{', '.join(files.values())}]")
        con.execute("SET enable_external_access=false")
        for table, path in files.items():
            con.execute(f"create view {table} as select * from read_parquet({path})")  # noqa: S608
        con.execute(queries.macros_sql())
        con.execute("SET lock_configuration=true")
        self._con = con

    def run(self, name: str, f: dict[str, object] | None = None, **extra: object) -> pd.DataFrame:
        """Run the named query with the filter struct `f` and any extra named parameters."""
        q = queries.get(name)
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
