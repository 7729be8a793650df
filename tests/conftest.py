"""Shared fixtures: a snapshot built by the real ingest code from the small fixture files.

`fixture_data` is a data folder (raw + snapshots) in a temporary directory, built once per
test session from `tests/fixtures/raw/` (real rows cut from the shipped sources). Tests that
need the app point `MSPROGRESS_DATA` at it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from msprogress.db import Database
from msprogress.ingest.build import build
from msprogress.snapshot import Snapshot, open_snapshot

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_RAW = FIXTURES / "raw"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def fixture_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("data")
    shutil.copytree(FIXTURE_RAW, root / "raw")
    build(root / "raw", root / "snapshots")
    return root


@pytest.fixture(scope="session")
def fixture_snapshot(fixture_data: Path) -> Snapshot:
    return open_snapshot(fixture_data / "snapshots")


@pytest.fixture(scope="session")
def db(fixture_snapshot: Snapshot) -> Database:
    return Database(fixture_snapshot)


@pytest.fixture(scope="session")
def shipped_snapshot() -> Snapshot:
    """The snapshot the repository ships (what `make run` and the browser tests serve)."""
    return open_snapshot(REPO / "data" / "snapshots")


@pytest.fixture(scope="session")
def shipped_db() -> Database:
    """The snapshot the repository ships (what `make run` serves)."""
    return Database(open_snapshot(REPO / "data" / "snapshots"))


@pytest.fixture()
def app_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], None]]:
    """A function pointing the app at a data folder with empty caches (so the next AppTest opens
    that folder's snapshot afresh); the caches are emptied again after the test."""
    import streamlit as st

    from msprogress import data

    def point(root: Path) -> None:
        monkeypatch.setenv("MSPROGRESS_DATA", str(root))
        st.cache_data.clear()
        st.cache_resource.clear()
        data._BAD.clear()  # snapshots found damaged while serving: per process, so per test here

    yield point
    st.cache_data.clear()
    st.cache_resource.clear()
    data._BAD.clear()


@pytest.fixture()
def app_env(fixture_data: Path, app_on: Callable[[Path], None]) -> Path:
    """Point the app at the fixture snapshot and start every AppTest with empty caches."""
    app_on(fixture_data)
    return fixture_data


@pytest.fixture(scope="session")
def pair_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with two snapshots built from two cuts of the real files (see tests/pair_cut.py):
    the earlier from tests/fixtures/raw, the later (CURRENT) with the documented differences."""
    from tests.pair_cut import build_pair

    root = tmp_path_factory.mktemp("pair")
    (root / "build_output.txt").write_text(build_pair(root))
    return root


@pytest.fixture(scope="session")
def pair_db(pair_data: Path) -> Database:
    """The later snapshot of pair_data opened together with the earlier one."""
    from msprogress.snapshot import list_snapshots

    earlier, later = list_snapshots(pair_data / "snapshots")
    snaps = pair_data / "snapshots"
    return Database(open_snapshot(snaps, later), earlier=open_snapshot(snaps, earlier))


def text_rows(df: pd.DataFrame) -> list[dict[str, str]]:
    """The rows of a table whose every cell is text (a CSV read with `dtype=str,
    keep_default_na=False`), each a dict by column name; a cell that is not a str fails here."""
    rows = [{str(k): v for k, v in r.items()} for r in df.to_dict("records")]
    assert all(isinstance(v, str) for r in rows for v in r.values()), "a cell is not text"
    return rows
