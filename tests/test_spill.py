"""Member rows are kept on disk between reading and the snapshot write (issue 14, point 3):
the member reader spills them in chunks, the build validates and writes them a row group at a
time, and the spill folder goes with the build. The memory this saves is measured by
`make bench-memory` (bench/member_memory.py, figures in bench/results.md)."""

from __future__ import annotations

import datetime as dt
import math
import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from msprogress import schema
from msprogress.ingest import build, member_grants, spill
from msprogress.ingest.guard import BuildError
from msprogress.snapshot import open_snapshot
from tests.test_member_grants import FIXTURES, good_alliance_rows, write_csv


def test_member_rows_are_spilled_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = list(good_alliance_rows().values())
    write_csv(tmp_path / "member_grants" / "a.csv", rows)
    whole = member_grants.read(tmp_path)
    monkeypatch.setattr(member_grants, "CHUNK_ROWS", 3)
    chunked = member_grants.read(tmp_path)
    assert chunked.tables == {}  # nothing in memory
    kept = chunked.rows_kept
    assert chunked.spilled["grants"].rows == kept > 3
    assert pq.ParquetFile(chunked.spilled["grants"].path).num_row_groups == math.ceil(kept / 3)
    for t in ("grants", "projects"):  # the same rows however they were chunked
        pd.testing.assert_frame_equal(chunked.frame(t), whole.frame(t))


def test_a_build_streams_spilled_rows_and_removes_its_spill(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(FIXTURES / "raw", raw)
    rows = list(good_alliance_rows().values())
    write_csv(raw / "member_grants" / "a.csv", rows[: len(rows) // 2])
    write_csv(raw / "member_grants" / "b.csv", rows[len(rows) // 2 :])
    kept = member_grants.read(raw).rows_kept
    folders: list[Path] = []
    append = spill.Spill.append

    def spy(self: spill.Spill, df: pd.DataFrame) -> None:
        folders.append(self.path.parent)
        append(self, df)

    monkeypatch.setattr(spill.Spill, "append", spy)
    monkeypatch.setattr(member_grants, "CHUNK_ROWS", 2)
    monkeypatch.setattr(spill, "WRITE_ROWS", 5)  # several row groups in the snapshot's file too
    snaps = tmp_path / "snapshots"
    snap = open_snapshot(snaps, build.build(raw, snaps).name)
    assert {f.name for f in folders} == {f".tmp-spill-{os.getpid()}"}
    assert folders[0].parent == snaps and not folders[0].exists()  # inside the snapshots folder, gone
    grants = pq.read_table(snap.table_path("grants")).to_pandas()
    member = grants[grants["source"] == "member_grants"]
    assert len(member) == kept > 2
    assert member["grant_id"].is_unique and member["source_file"].nunique() == 2
    assert pq.ParquetFile(snap.table_path("grants")).num_row_groups > 1


def _tables(grants: list[pd.DataFrame | spill.Spill]) -> dict[str, build.Table]:
    tables: dict[str, build.Table] = {t: schema.arrow_schema(t).empty_table() for t in schema.TABLES}
    tables["grants"] = build.conform_parts("grants", grants)
    tables["funding_series"] = build.conform(
        "funding_series",
        [
            pd.DataFrame(
                [
                    {"series_id": "s", "source": "member_grants", "title": "t", "kind": "k"}
                    | {"whole_portfolio": False, "coverage_rule": "r"}
                ]
            )
        ],
    )
    return tables


def _grant(gid: str | None, **extra: object) -> dict[str, object]:
    return {
        "grant_id": gid,
        "funder": "F",
        "series_id": "s",
        "source": "member_grants",
        "source_file": "member_grants/a.csv",
        "as_of": dt.date(2025, 1, 1),
    } | extra


def _spilled(rows: list[dict[str, object]]) -> spill.Spill:
    s = spill.Spill("grants")
    s.append(pd.DataFrame(rows))
    return s.close()


@pytest.mark.parametrize(
    ("spilled", "message"),
    [
        ([_grant("member:a")], "duplicate key"),  # a key in memory and on disk
        ([_grant(None)], "grant_id has 1 nulls"),
        ([_grant("member:b", record_type="grant")], "values outside the vocabulary"),
        ([_grant("member:c", project_id="member:nowhere")], "not in projects.project_id"),
    ],
)
def test_spilled_rows_are_validated_like_the_rest(spilled: list[dict[str, object]], message: str) -> None:
    tables = _tables([pd.DataFrame([_grant("member:a")]), _spilled(spilled)])
    assert isinstance(tables["grants"], spill.Streamed)
    with pytest.raises(BuildError, match=message):
        build.validate(tables)


def test_a_streamed_table_is_written_as_the_whole_table(tmp_path: Path) -> None:
    memory = pd.DataFrame([_grant("member:a", amount=1.5)])
    on_disk = [_grant(f"member:{i}", year=2000 + i) for i in range(7)]
    tables = _tables([memory, _spilled(on_disk[:4]), _spilled(on_disk[4:])])
    build.validate(tables)
    streamed = tables["grants"]
    assert isinstance(streamed, spill.Streamed) and streamed.num_rows == 8
    streamed.write(tmp_path / "g.parquet")
    expected = build.conform("grants", [memory, pd.DataFrame(on_disk)])
    assert pq.read_table(tmp_path / "g.parquet").equals(expected.cast(expected.schema.with_metadata(None)))
    assert streamed.select(["grant_id"]).column(0).to_pylist() == [
        "member:a",
        *(f"member:{i}" for i in range(7)),
    ]
    assert isinstance(expected, pa.Table)
