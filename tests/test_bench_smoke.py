"""The benchmark's synthetic data generator on the fixture snapshot: a valid, labelled snapshot
at k× the rows, with consistent foreign keys, on which every named query runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.run import EXTRA, PANDAS, markdown
from bench.synthetic import TITLE_PREFIX, build_synthetic
from msprogress import queries
from msprogress.db import Database
from msprogress.filters import Filters
from msprogress.manifest import Manifest
from msprogress.snapshot import Snapshot, open_snapshot

K = 2.0


@pytest.fixture(scope="module")
def synthetic(fixture_snapshot: Snapshot, tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    path, _ = build_synthetic(fixture_snapshot, K, root=tmp_path_factory.mktemp("bench"))
    return open_snapshot(path.parent)  # CURRENT, with every checksum verified


@pytest.fixture(scope="module")
def syn_db(synthetic: Snapshot) -> Database:
    return Database(synthetic)


def test_written_outside_the_real_snapshots(synthetic: Snapshot):
    assert "data/snapshots" not in str(synthetic.path)
    assert synthetic.path.parent.name == "snapshots" and synthetic.path.parent.parent.name == f"{K:g}x"


def test_labelled_synthetic(synthetic: Snapshot, syn_db: Database):
    man = Manifest.read(synthetic.path / "manifest.json")
    assert man.synthetic is not None and "SYNTHETIC" in man.synthetic.note
    assert man.synthetic.scale == K
    assert man.sources and all(s.title.startswith(TITLE_PREFIX) for s in man.sources)
    titles = syn_db.execute_select(
        "select brief_title as t from trials union all select title from projects union all select title from grants",
        {},
    )
    assert titles["t"].str.startswith(TITLE_PREFIX).all()


def test_k_times_the_rows(fixture_snapshot: Snapshot, synthetic: Snapshot):
    real, syn = fixture_snapshot.manifest.tables, synthetic.manifest.tables
    for table in ("trials", "projects"):
        assert syn[table].rows == round(K * real[table].rows)
    for table in ("trial_countries", "trial_interventions", "grants"):  # follow their sampled parents
        assert 0.6 * K * real[table].rows <= syn[table].rows <= 1.4 * K * real[table].rows
    for table in ("agents", "countries", "funding_series", "series_coverage"):
        assert syn[table].rows == real[table].rows


def test_ids_unique_and_foreign_keys_consistent(syn_db: Database):
    db = syn_db
    bad = db.execute_select(
        """
        select
            (select count(*) - count(distinct trial_id) from trials) as dup_trials,
            (select count(*) - count(distinct grant_id) from grants) as dup_grants,
            (select count(*) from trial_countries where trial_id not in (select trial_id from trials)) as tc,
            (select count(*) from trial_interventions where trial_id not in (select trial_id from trials)) as ti,
            (select count(*) from grants where project_id is not null
                and project_id not in (select project_id from projects)) as gp,
            (select count(*) from trials where trial_id not like '%-s2-%') as unlabelled_ids
        """,
        {},
    ).iloc[0]
    assert bad.to_dict() == dict.fromkeys(bad.index, 0)


@pytest.mark.parametrize("name", queries.names())
def test_every_query_runs(synthetic: Snapshot, syn_db: Database, name: str):
    """Every query, a comparing one (diff_*) on the synthetic snapshot paired with itself, as the
    benchmark runs it."""
    q = queries.get(name)
    db = Database(synthetic, earlier=synthetic) if q.compares else syn_db
    extra = {k: v for k, v in EXTRA.items() if k in q.params}
    for f in (Filters(), Filters(relevance="progressive", year_from=2005)):
        assert list(db.run(name, f.as_struct(), **extra).columns) == q.column_names


def test_pandas_baseline_matches_duckdb(
    synthetic: Snapshot, syn_db: Database, monkeypatch: pytest.MonkeyPatch
):
    """The baseline computes the same figures as the queries it is compared with."""
    from bench import run

    monkeypatch.setenv("MSPROGRESS_DATA", str(synthetic.path.parent.parent))
    db = syn_db
    for name, fn in PANDAS.items():
        extra = {k: v for k, v in EXTRA.items() if k in queries.get(name).params}
        run._check_same(name, db.run(name, Filters().as_struct(), **extra), fn())


def test_markdown_table_renders():
    scale: dict[str, Any] = {
        "rows": {"trials": 10, "grants": 20},
        "build_s": 1.0,
        "queries": {"headline_trials": {"default": 5.0, "filtered": 4.0}},
        "pages": {"overview": {"cold": 300.0, "warm": 90.0}},
        "pandas": {n: {"duckdb_ms": 1.0, "pandas_ms": 6.0, "speedup": 6.0} for n in PANDAS},
        "peak_rss_mb": 300.0,
    }
    machine = {k: "x" for k in ("nproc", "cpu", "python", "duckdb", "pandas", "streamlit", "date")}
    md = markdown({"machine": machine, "scales": {"1": scale}})
    assert md.startswith("# Benchmark results") and "| 1x | 10 | 20 |" in md
    assert "- 1x, every query median <= 5 ms: **met** (2 measured)" in md
    scale["queries"]["headline_trials"]["default"] = 7.5
    scale["profiles"] = {"query headline_trials (default)": "run 7.5 ms"}
    md = markdown({"machine": machine, "scales": {"1": scale}})
    assert "**not met**: 1 of 2 miss it (worst: headline_trials (default) 7.5)" in md
    assert "- 1x query headline_trials (default): run 7.5 ms" in md


def test_results_md_keeps_the_run_before_and_the_capacity_section(tmp_path, monkeypatch):
    from bench import run

    monkeypatch.setattr(run, "RESULTS_MD", tmp_path / "results.md")
    run.RESULTS_MD.write_text("# Benchmark results\n\nold table\n\n## Server capacity\n\ncapacity figures\n")
    run.write_results_md("# Benchmark results\n\nnew table\n")
    first = run.RESULTS_MD.read_text()
    assert first.index("new table") < first.index(run.BEFORE_HEADING) < first.index("old table")
    assert "### Benchmark results" in first and first.rstrip().endswith("capacity figures")
    run.write_results_md("# Benchmark results\n\nnewer table\n")  # the run before moves down, once
    second = run.RESULTS_MD.read_text()
    assert "newer table" in second and "new table" in second and "old table" not in second
    assert second.count(run.BEFORE_HEADING) == 1 and second.rstrip().endswith("capacity figures")


def test_member_memory_files_and_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """bench/member_memory.py: SYNTHETIC member files of at most MAX_ROWS rows each, and its
    section of bench/results.md survives `make bench` rewriting the file."""
    import shutil

    from bench import run
    from bench.member_memory import section, write_member_files, write_section
    from msprogress.ingest import member_grants

    raw = tmp_path / "raw"
    shutil.copytree(Path(__file__).parent / "fixtures" / "raw" / "curated", raw / "curated")
    made = write_member_files(raw, 5, per_file=2)
    assert [p.name for p in made] == [f"synthetic_5_0{i}.csv" for i in (1, 2, 3)]
    result = member_grants.read(raw)
    assert result.rows_read == 5 and result.frame("grants")["title"].str.startswith("[synthetic] ").all()
    md = tmp_path / "results.md"
    md.write_text("# Benchmark results\n")
    row = {"member rows (SYNTHETIC)": "0 (baseline)", "peak RSS MB": "900"}
    write_section(md, section([row], raw))
    write_section(md, section([row | {"peak RSS MB": "901"}], raw))  # replaced, not added
    text = md.read_text()
    assert text.count("## Build peak memory") == 1 and "| 901 |" in text
    monkeypatch.setattr(run, "RESULTS_MD", md)
    run.write_results_md("# Benchmark results (new run)\n")
    rewritten = md.read_text()
    assert rewritten.startswith("# Benchmark results (new run)") and "| 901 |" in rewritten
    # with bench/capacity.py's part, which owns the file's end: kept by both, after the section
    md.write_text("# Benchmark results\n\n## Server capacity (x)\n\n| cap |\n")
    write_section(md, section([row], raw))
    text = md.read_text()
    assert text.index("## Build peak memory") < text.index("## Server capacity") and "| cap |" in text
    run.write_results_md("# Benchmark results (new run)\n")
    rewritten = md.read_text()
    assert rewritten.index("| 900 |") < rewritten.index("## Server capacity") and "| cap |" in rewritten
