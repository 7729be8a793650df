"""The ingest build: manifest accounting, determinism, atomicity, and failure safety."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from msprogress import schema
from msprogress.ingest import build as build_mod
from msprogress.ingest.base import SourceError
from msprogress.ingest.build import BuildError, build
from msprogress.ingest.guard import LOCK_NAME
from msprogress.manifest import Manifest
from msprogress.snapshot import current_id, list_snapshots, open_snapshot
from tests.conftest import FIXTURE_RAW


def _manifest(snapshot_dir: Path) -> Manifest:
    return Manifest.read(snapshot_dir / "manifest.json")


def test_manifest_accounts_for_every_row(fixture_snapshot):
    m = fixture_snapshot.manifest
    assert {s.source_id for s in m.sources} >= {
        "ctgov",
        "ctis",
        "nih_reporter",
        "nih_exporter",
        "alliance_awards",
    }
    for s in m.sources:
        assert s.rows_read == s.rows_kept + s.rows_rejected, s.source_id
        for f in s.files:
            assert f.rows_read == f.rows_kept + f.rows_rejected, f.path
            raw = FIXTURE_RAW / f.path
            assert raw.is_file() and len(f.sha256) == 64
        # every rejected row is explained by at least one rejection reason
        assert sum(s.rejections_by_reason.values()) >= s.rows_rejected, s.source_id


def test_rejections_table_matches_manifest(fixture_snapshot):
    rej = pq.read_table(fixture_snapshot.table_path("rejections")).to_pandas()
    for s in fixture_snapshot.manifest.sources:
        mine = rej[rej.source == s.source_id]
        assert (~mine.row_kept).sum() == sum(s.rejections_by_reason.values())
        assert mine.row_kept.sum() == sum(s.warnings_by_reason.values())


def test_manifest_row_counts_match_parquet(fixture_snapshot):
    for table, info in fixture_snapshot.manifest.tables.items():
        assert pq.read_metadata(fixture_snapshot.path / info.file).num_rows == info.rows, table
    assert set(fixture_snapshot.manifest.tables) == set(schema.TABLES)


def test_fixture_counts_match_fixture_files(fixture_snapshot):
    """Trials kept from ctgov equal the NCT ids in the fixture file (read independently with csv)."""
    import csv

    path = FIXTURE_RAW / "ctgov" / "ctgov_ms_studies_2025-09-25.csv"
    ids = {r["NCTId"] for r in csv.DictReader(path.open(encoding="utf-8")) if r["NCTId"].strip()}
    trials = pq.read_table(fixture_snapshot.table_path("trials")).to_pandas()
    assert set(trials.loc[trials.source == "ctgov", "trial_id"]) == ids


def test_same_inputs_same_counts(fixture_data, tmp_path):
    shutil.copytree(FIXTURE_RAW, tmp_path / "raw")
    again = build(tmp_path / "raw", tmp_path / "snapshots")
    first = open_snapshot(fixture_data / "snapshots").manifest
    second = _manifest(again)
    assert {t: v.rows for t, v in first.tables.items()} == {t: v.rows for t, v in second.tables.items()}
    assert first.inputs_sha256 == second.inputs_sha256
    assert first.snapshot_id != second.snapshot_id


def test_failed_ingest_leaves_current_untouched(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(FIXTURE_RAW, raw)
    good = build(raw, tmp_path / "snapshots")
    before = (current_id(tmp_path / "snapshots"), list_snapshots(tmp_path / "snapshots"))
    ctgov = next((raw / "ctgov").glob("*.csv"))
    ctgov.write_text(ctgov.read_text(encoding="utf-8").replace("NCTId,", "Id,", 1), encoding="utf-8")
    with pytest.raises(SourceError) as err:
        build(raw, tmp_path / "snapshots")
    assert "ctgov" in str(err.value) and "NCTId" in str(err.value)
    assert (current_id(tmp_path / "snapshots"), list_snapshots(tmp_path / "snapshots")) == before
    assert not [p for p in (tmp_path / "snapshots").iterdir() if p.name.startswith(".tmp")]
    assert open_snapshot(tmp_path / "snapshots").snapshot_id == good.name


def test_failure_while_writing_leaves_no_partial_snapshot(tmp_path, monkeypatch):
    shutil.copytree(FIXTURE_RAW, tmp_path / "raw")

    def boom(*a, **k):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(build_mod.pq, "write_table", boom)
    with pytest.raises(BuildError, match="cannot write to the snapshots folder snapshots"):  # an error line
        build(tmp_path / "raw", tmp_path / "snapshots")
    assert [p.name for p in (tmp_path / "snapshots").iterdir()] == [LOCK_NAME]  # the lock file only


def test_existing_snapshot_is_never_overwritten(fixture_snapshot, tmp_path):
    results = build_mod.run_readers(FIXTURE_RAW)
    tables = build_mod.assemble(results)
    target = tmp_path / "snaps"
    (target / "X").mkdir(parents=True)
    (target / "X" / "keep.txt").write_text("mine")
    with pytest.raises(BuildError, match="never overwritten"):
        build_mod.write_snapshot(target, "X", tables, results)
    assert (target / "X" / "keep.txt").read_text() == "mine"


def test_undeclared_column_fails_the_build():
    import pandas as pd

    with pytest.raises(BuildError, match="undeclared"):
        build_mod.conform("trials", [pd.DataFrame({"trial_id": ["x"], "surprise": [1]})])


def test_checksum_mismatch_is_detected(fixture_data, tmp_path):
    shutil.copytree(fixture_data / "snapshots", tmp_path / "snapshots")
    snap = open_snapshot(tmp_path / "snapshots")
    path = snap.table_path("trials")
    path.write_bytes(path.read_bytes()[:-100])
    from msprogress.snapshot import SnapshotError

    with pytest.raises(SnapshotError, match="checksum"):
        open_snapshot(tmp_path / "snapshots")


def test_a_file_of_mostly_rejected_rows_stops_the_build(tmp_path):
    """A real RePORTER export whose rows the reader cannot use (here: every Application ID made
    unreadable) must not vanish quietly: the build stops naming the file, the reason and the
    count, and CURRENT stays."""
    import csv

    raw = tmp_path / "raw"
    shutil.copytree(FIXTURE_RAW, raw)
    good = build(raw, tmp_path / "snapshots")
    path = raw / "nih_reporter" / "reporter_ninds_fy1999.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    col = table[0].index("Application ID")
    n = len(table) - 1
    for row in table[1:]:
        row[col] = "APP-" + row[col]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(table)
    with pytest.raises(BuildError) as err:
        build(raw, tmp_path / "snapshots")
    text = str(err.value)
    assert "nih_reporter/reporter_ninds_fy1999.csv" in text and f"{n:,} of {n:,} rows rejected" in text
    assert f"{n:,} × Application ID: not a whole number" in text
    assert current_id(tmp_path / "snapshots") == good.name


def test_half_rejected_is_mostly_rejected_and_less_is_not():
    from msprogress.ingest.base import FileRead, Rejection, SourceResult

    def result(rejected: int) -> SourceResult:
        rows = [Rejection("f.csv", i + 2, "x", "x: bad") for i in range(rejected)]
        return SourceResult(
            "member_grants",
            "",
            "",
            "",
            "",
            [FileRead("f.csv", "0" * 64, 10, 10 - rejected, rejected)],
            rejections=rows,
        )

    build_mod.check_mostly_rejected([result(4)])
    with pytest.raises(BuildError, match="5 of 10 rows rejected"):
        build_mod.check_mostly_rejected([result(5)])


def test_every_manifest_source_is_registered_and_described(fixture_snapshot):
    """A source in a manifest must be in the registry, the build's readers, the captions' source
    lists, the About page's limits and the data dictionary."""
    from msprogress import dictionary, page, sources
    from msprogress.ingest import supersede

    dd = dictionary.data_dictionary()
    described = set(dd.loc[dd["where"] == "value of source", "column"])
    readers = {s.reader for s in sources.SOURCES}
    for s in fixture_snapshot.manifest.sources:
        src = sources.get(s.source_id)  # KeyError when unregistered
        assert src.reader in readers and src.limits and src.coverage_rule
        assert s.source_id in page.TRIAL_SOURCES + page.FUNDING_SOURCES
        assert s.source_id in described
        assert s.title == src.title and s.terms == src.terms
    for newer, older in supersede.PAIRS.items():
        assert sources.get(newer).supersedes == older
