"""The DuckDB sandbox: nothing outside the snapshot folder, no extensions, no writes."""

from __future__ import annotations

import pytest

from msprogress.db import QueryError

REFUSED = [
    "select * from read_csv('/etc/passwd')",
    "select * from read_parquet('{snap}/../../raw/ctgov/x.parquet')",
    "install httpfs",
    "load httpfs",
    "attach '/tmp/other.duckdb' as other",
    "set enable_external_access = true",
    "set allowed_directories = ['/']",
    "copy trials to '{snap}/leak.csv'",
    "copy trials to '{snap}/trials.parquet'",
    "select * from glob('{snap}/*')",
]


@pytest.mark.parametrize("sql", REFUSED)
def test_raw_connection_refuses(db, sql):
    con = db.raw_connection_for_tests()
    with pytest.raises(Exception):  # noqa: B017 - DuckDB raises Permission/InvalidInput/Catalog errors
        con.execute(sql.format(snap=db.snapshot.path))
    assert not (db.snapshot.path / "leak.csv").exists()


@pytest.mark.parametrize(
    "sql", [*REFUSED, "create table t as select 1", "select 1; select 2", "select 1; drop view trials"]
)
def test_query_runner_accepts_only_single_select(db, sql):
    with pytest.raises(QueryError):
        db.execute_select(sql.format(snap=db.snapshot.path), {})


def test_reading_the_snapshot_still_works(db):
    assert db.execute_select("select count(*) as n from trials", {})["n"].iloc[0] > 0
