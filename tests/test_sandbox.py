"""The DuckDB sandbox: nothing outside the snapshot's own files, no extensions, no writes, no
configuration changes; and the query runner takes one SELECT statement only.

`REFUSED` is refused by the locked connection itself (so even SQL that slipped past the runner
could not do it) and by the runner; `RUNNER_ONLY` is harmless on the connection but not a single
SELECT, so the runner refuses it. Paths: `{snap}` the served snapshot, `{other}` a parquet file of
another snapshot (the shipped one), `{raw}` a real source file in the same data folder.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from msprogress.db import QueryError
from msprogress.snapshot import open_snapshot
from tests.conftest import REPO

REFUSED = [
    # files outside the snapshot's own parquet files
    "select * from read_csv('/etc/passwd')",
    "select * from read_text('/etc/passwd')",
    "select * from read_blob('/etc/passwd')",
    "select * from sniff_csv('/etc/passwd')",
    "from '/etc/passwd'",
    "select * from read_parquet('{snap}/../../raw/ctgov/x.parquet')",
    "select * from read_csv('{raw}')",
    "select * from read_parquet('{other}')",
    "select * from parquet_metadata('{other}')",
    "select * from glob('{snap}/*')",
    "select * from glob('/etc/*')",
    "select * from read_parquet('{snap}/*.parquet')",
    "with t as (select * from read_csv('/etc/passwd')) select * from t",
    "select getenv('HOME')",
    # extensions
    "install httpfs",
    "force install json",
    "install 'http://127.0.0.1:9/x.duckdb_extension'",
    "load httpfs",
    "load '/tmp/x.duckdb_extension'",
    # other databases, secrets
    "attach '/tmp/other.duckdb' as other",
    "create secret s (type s3, key_id 'a', secret 'b')",
    # configuration
    "set enable_external_access = true",
    "set allowed_directories = ['/']",
    "set allowed_paths = ['/etc/passwd']",
    "set lock_configuration = false",
    "set threads = 1",
    "set memory_limit = '10GB'",
    "set temp_directory = '/tmp'",
    "set extension_directory = '/tmp'",
    "set home_directory = '/tmp'",
    "pragma threads = 1",
    "pragma memory_limit = '1GB'",
    "reset threads",
    "reset allowed_paths",
    "reset enable_external_access",
    "reset lock_configuration",
    # writes
    "copy trials to '{snap}/leak.csv'",
    "copy trials to '{snap}/trials.parquet'",
    "copy (select 1) to '/tmp/msprogress-sandbox-leak.csv'",
    "export database '/tmp/msprogress-export'",
    "call read_csv('/etc/passwd')",
    "select * from query('create table x as select 1')",
]
RUNNER_ONLY = [
    "create table t as select 1",
    "select 1; select 2",
    "select 1; drop view trials",
    "select * from trials; attach ':memory:' as m",
    "attach ':memory:' as m",
    "call pragma_table_info('trials')",
    "call duckdb_settings()",
    "pragma version",
    "use memory",
    "checkpoint",
    "explain select 1",
    "prepare p as select 1",
    "begin",
    "drop view trials",
    "create or replace view trials as select 1",
    "insert into trials select * from trials",
    "pivot trials on phase using count(*)",
]


@pytest.fixture(scope="module")
def paths(db) -> dict[str, Path]:
    shipped = open_snapshot(REPO / "data" / "snapshots", verify=False)
    raw = db.snapshot.path.parent.parent / "raw"
    return {
        "snap": db.snapshot.path,
        "other": shipped.table_path("trials"),
        "raw": next(raw.glob("ctgov/*.csv")),
    }


@pytest.mark.parametrize("sql", REFUSED)
def test_raw_connection_refuses(db, paths, sql):
    assert paths["other"].is_file() and paths["raw"].is_file()  # refused although they exist
    con = db.raw_connection_for_tests()
    with pytest.raises(duckdb.Error):
        con.execute(sql.format(**paths))
    assert not (db.snapshot.path / "leak.csv").exists()
    assert not Path("/tmp/msprogress-sandbox-leak.csv").exists()


@pytest.mark.parametrize("sql", [*REFUSED, *RUNNER_ONLY])
def test_query_runner_accepts_only_single_select(db, paths, sql):
    with pytest.raises(QueryError):
        db.execute_select(sql.format(**paths), {})


def test_settings_stay_locked_after_every_attempt(db, paths):
    con = db.raw_connection_for_tests()
    for sql in REFUSED:
        try:
            con.execute(sql.format(**paths))
        except duckdb.Error:
            pass
    got = con.execute(
        "select current_setting('enable_external_access'), current_setting('lock_configuration'), "
        "current_setting('allowed_paths')"
    ).fetchone()
    assert got is not None
    external, locked, allowed = got
    files = sorted(str(db.snapshot.table_path(t).resolve()) for t in db.snapshot.tables)
    assert (external, locked, sorted(allowed)) == (False, True, files)
    assert con.execute("select count(*) from duckdb_databases() where not internal").fetchone() == (1,)


def test_reading_the_snapshot_still_works(db):
    rows = db.snapshot.manifest.tables["trials"].rows
    assert db.execute_select("select count(*) as n from trials", {})["n"].iloc[0] == rows > 0
