"""What changed: the registry-date window on the shipped snapshot (checked against counts made here
from the raw CSV files with the csv module), and the difference between a pair of snapshots built
by the real ingest from two cuts of the real files (tests/pair_cut.py writes the differences down):
every difference is found and nothing else is reported, by the queries, the build and the page.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

from msprogress import changes, schema
from msprogress.db import Database
from msprogress.filters import Filters
from msprogress.ingest import trial_common as tc
from msprogress.manifest import Manifest, sha256_file
from msprogress.snapshot import list_snapshots, open_snapshot
from tests import pair_cut
from tests.conftest import REPO
from tests.test_pages import UrlParams, _app

F = Filters().as_struct()
RAW = REPO / "data" / "raw"


def _none(v: object) -> object:
    return None if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) else v


def _rows(df: pd.DataFrame, *cols: str) -> set[tuple]:
    return {tuple(_none(v) for v in r) for r in df[list(cols)].itertuples(index=False)}


def _ids(pair_data: Path) -> tuple[str, str]:
    earlier, later = list_snapshots(pair_data / "snapshots")
    return earlier, later


# --- two snapshots ------------------------------------------------------------------------------


def test_every_trial_difference_is_found_and_nothing_else(pair_db):
    trial, column, before, after = pair_cut.STATUS_CHANGE
    phase_trial, _, phase_before, phase_after = pair_cut.PHASE_CHANGE
    assert column == "OverallStatus"
    assert _rows(pair_db.run("diff_trials", F), "change", "trial_id", "before", "after") == {
        ("added", pair_cut.ADDED_TRIAL, None, None),
        ("no longer in the source", pair_cut.DROPPED_TRIAL, None, None),
        ("status", trial, tc.CTGOV_STATUSES[before][0], tc.CTGOV_STATUSES[after][0]),
        ("phase", phase_trial, tc.CTGOV_PHASES[phase_before], tc.CTGOV_PHASES[phase_after]),
    }


def test_every_agent_move_is_found_and_nothing_else(pair_db):
    """The phase change moves glatiramer acetate depot (its only progressive trial) up; the added
    SPRINT-MS trial brings ibudilast into the pipeline; nothing else moves."""
    assert _rows(pair_db.run("diff_agents", F), "marker_id", "change", "stage_before", "stage_after") == {
        ("agent:glatiramer-depot", "moved up", "Phase 2", "Phase 3"),
        ("agent:ibudilast", "new in the pipeline", None, "Phase 2"),
    }


def test_the_member_files_awards_are_the_only_grant_changes(pair_db):
    grants = pair_db.run("diff_grants", F, currency="EUR")
    assert _rows(grants, "change", "grant_id") == {("added", g) for g in pair_cut.ADDED_GRANTS}
    series = pair_db.run("diff_series_totals", F, currency="EUR")
    differs = series[
        (series["awards_before"].fillna(-1) != series["awards_after"].fillna(-1))
        | (series["awarded_before"].fillna(-1).round(2) != series["awarded_after"].fillna(-1).round(2))
    ]
    assert list(differs["series_id"]) == [pair_cut.MEMBER_SERIES]
    assert differs["awards_before"].isna().all() and list(differs["awards_after"]) == [
        len(pair_cut.ADDED_GRANTS)
    ]


def test_filters_apply_in_both_snapshots(pair_db):
    """Filtered to PPMS, the SPRINT-MS trial (mixed progressive) and the exercise trial (unspecified)
    drop out, the PPMS status and phase changes stay."""
    ppms = Filters(populations=("ppms",)).as_struct()
    assert _rows(pair_db.run("diff_trials", ppms), "change", "trial_id") == {
        ("status", pair_cut.STATUS_CHANGE[0]),
        ("phase", pair_cut.PHASE_CHANGE[0]),
    }


def _as_of(m: Manifest, source_id: str) -> str:
    """The as-of date of a source the manifest lists."""
    entry = m.source(source_id)
    assert entry is not None, f"{source_id} is not in the manifest"
    return entry.as_of


def test_the_build_stores_and_prints_what_changed(pair_data):
    earlier, later = _ids(pair_data)
    m = open_snapshot(pair_data / "snapshots", later).manifest
    c = m.changes
    assert c is not None and c.compared_with == earlier
    t = c.trials
    assert (t.added, t.no_longer_in_source, t.status, t.phase, t.enrollment, t.population) == (
        1,
        1,
        1,
        1,
        0,
        0,
    )
    assert {(a.agent_id, a.change) for a in c.agents} == {
        ("glatiramer-depot", "moved up"),
        ("ibudilast", "new in the pipeline"),
    }
    assert (c.grants.added, c.grants.changed, c.grants.no_longer_in_source) == (3, 0, 0)
    assert c.grants.added_by_source == {"member_grants": 3}
    assert [s.series_id for s in c.series] == [pair_cut.MEMBER_SERIES]
    member_as_of = _as_of(m, "member_grants")
    assert c.notes == [f"Member grants is only in this snapshot (as of {member_as_of})."]
    printed = (pair_data / "build_output.txt").read_text()
    assert "\n".join(changes.summary_lines(c)) in printed
    assert f"changed since the previous snapshot {earlier}" in printed
    assert "3 grant records added (Member grants 3), 0 changed, 0 no longer in the source" in printed
    assert "glatiramer acetate depot: Phase 2 → Phase 3" in printed


def test_source_differences_name_a_source_in_one_snapshot_and_a_new_as_of_date(pair_data):
    """The manifests' own source entries, one moved to another as-of date and one left out."""
    earlier, later = (open_snapshot(pair_data / "snapshots", sid).manifest for sid in _ids(pair_data))
    moved = [
        s.model_copy(update={"as_of": "2025-10-30"}) if s.source_id == "ctis" else s for s in later.sources
    ]
    now = later.model_copy(update={"sources": [s for s in moved if s.source_id != "nih_exporter"]})
    notes = changes.source_differences(now, earlier)
    assert notes == [
        "CTIS (EU) is as of 2025-09-24 in the earlier snapshot, 2025-10-30 now.",
        f"NIH ExPORTER is only in the earlier snapshot (as of {_as_of(earlier, 'nih_exporter')}): its "
        "rows that no other source lists are 'no longer in the source'.",
        f"Member grants is only in this snapshot (as of {_as_of(later, 'member_grants')}).",
    ]
    assert changes.source_differences(earlier, earlier) == []


def test_the_first_snapshot_has_nothing_to_compare_with(fixture_snapshot):
    assert fixture_snapshot.manifest.changes is None


def test_an_extra_member_file_is_exactly_what_the_build_reports_added(pair_data, tmp_path):
    """Done-when case: the earlier snapshot, then `make snapshot` with one member file more."""
    earlier, _ = _ids(pair_data)
    snaps = tmp_path / "snapshots"
    shutil.copytree(pair_data / "snapshots" / earlier, snaps / earlier)
    (snaps / "CURRENT").write_text(earlier + "\n")
    raw = shutil.copytree(pair_data / "raw_earlier", tmp_path / "raw")
    shutil.copytree(pair_data / "raw" / "member_grants", raw / "member_grants")
    printed = pair_cut.run_build_command(raw, snaps)
    c = open_snapshot(snaps).manifest.changes
    assert c is not None and c.compared_with == earlier
    assert (c.grants.added, c.grants.changed, c.grants.no_longer_in_source) == (3, 0, 0)
    assert c.trials.model_dump() == dict.fromkeys(c.trials.model_dump(), 0) and c.agents == []
    assert "3 grant records added (Member grants 3)" in printed and "0 trials added" in printed
    pair = Database(open_snapshot(snaps), earlier=open_snapshot(snaps, earlier))
    assert set(pair.run("diff_grants", F, currency="EUR")["grant_id"]) == set(pair_cut.ADDED_GRANTS)


def test_the_pair_sandbox_allows_both_snapshots_files_and_nothing_else(pair_db: Database, pair_data: Path):
    con, earlier = pair_db.raw_connection_for_tests(), pair_db.earlier
    assert earlier is not None
    setting = con.execute("select current_setting('allowed_paths')").fetchone()
    assert setting is not None
    allowed = setting[0]
    files = [str(s.table_path(t).resolve()) for s in (pair_db.snapshot, earlier) for t in s.tables]
    assert sorted(allowed) == sorted(files)
    raw_csv = next((pair_data / "raw" / "ctgov").glob("*.csv"))
    for sql in (
        f"select * from read_csv('{raw_csv}')",
        "select * from read_csv('/etc/passwd')",
        f"copy prev_trials to '{earlier.path}/leak.csv'",
        "set lock_configuration = false",
    ):
        with pytest.raises(duckdb.Error):
            con.execute(sql)
    assert not (earlier.path / "leak.csv").exists()


def _older_copy(src: Path, dst: Path) -> Path:
    """`src` as code from before the registry dates would have written it: the same real rows
    without trials' and grants' date columns, and without the series_coverage table (nor the
    serving tables, which came later still: the pair computes them from the canonical ones)."""
    shutil.copytree(src, dst)
    m = Manifest.read(dst / "manifest.json")
    dropped = {
        "trials": [
            "first_posted",
            "last_update_posted",
            "results_first_posted",
            "has_results",
            "why_stopped",
        ],
        "grants": ["award_date", "start_date"],
    }
    tables = dict(m.tables)
    for table, columns in dropped.items():
        path = dst / tables[table].file
        pq.write_table(pq.read_table(path).drop_columns(columns), path)
        tables[table] = tables[table].model_copy(update={"sha256": sha256_file(path)})
    for table in ("series_coverage", *schema.SERVING):
        (dst / tables.pop(table).file).unlink()
    m.model_copy(update={"tables": tables, "changes": None}).write(dst / "manifest.json")
    return dst


def test_an_older_snapshot_layout_is_compared_and_its_differences_named(pair_data, pair_db, tmp_path):
    earlier, later = _ids(pair_data)
    snaps = tmp_path / "snapshots"
    old = (
        open_snapshot(snaps, earlier)
        if _older_copy(pair_data / "snapshots" / earlier, snaps / earlier)
        else None
    )
    pair = Database(open_snapshot(pair_data / "snapshots", later), earlier=old)
    assert pair.schema_notes == [] and pair.computed == []
    assert pair.earlier_computed == list(schema.SERVING)
    notes = " ".join(pair.earlier_notes)
    for missing in (
        "trials column first_posted",
        "why_stopped",
        "grants column award_date",
        "table series_coverage",
    ):
        assert missing in notes
    assert set(changes.pair_notes(pair)) >= set(pair.earlier_notes)
    for name, extra in (("diff_trials", {}), ("diff_agents", {}), ("diff_grants", {"currency": "EUR"})):
        pd.testing.assert_frame_equal(pair.run(name, F, **extra), pair_db.run(name, F, **extra))


# --- one snapshot: the registries' own dates, checked against the raw files --------------------


def _months_before(day: dt.date, months: int) -> dt.date:
    """`day` minus `months` calendar months (the day clamped to the month's end), plus one day."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = (dt.date(y + (m + 1) // 12, (m + 1) % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, m + 1, min(day.day, last)) + dt.timedelta(days=1)


def _day(value: str, layout: str) -> dt.date | None:
    value = value.strip()
    if not value or value == "N/A":
        return None
    if layout == "%Y-%m-%d" and len(value) == 7:
        value += "-01"
    return dt.datetime.strptime(value, layout).date()


def _expected(
    file: str, id_column: str, progressive: set[str], events_of: Callable[[dict[str, str]], dict[str, bool]]
) -> dict[str, set[str]]:
    """Event → ids of the progressive trials in the raw file (read with the csv module) having it."""
    out: dict[str, set[str]] = {e: set() for e in changes.EVENTS}
    with next(RAW.glob(file)).open(encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            if r[id_column] in progressive:
                for event, happened in events_of(r).items():
                    if happened:
                        out[event].add(r[id_column])
    return out


def _ctgov_events(as_of: dt.date, start: dt.date) -> Callable[[dict[str, str]], dict[str, bool]]:
    inside = lambda d: d is not None and start <= d <= as_of  # noqa: E731

    def events(r: dict[str, str]) -> dict[str, bool]:
        day = lambda c: _day(r[c], "%Y-%m-%d")  # noqa: E731
        status, completion = r["OverallStatus"], day("CompletionDate")
        terminated = status == "TERMINATED" and completion is not None and completion <= as_of
        return {
            "registered": inside(day("StudyFirstPostDate")),
            "started": status not in ("NOT_YET_RECRUITING", "WITHDRAWN") and inside(day("StartDate")),
            "completed": status == "COMPLETED" and inside(completion),
            "stopped": status in ("TERMINATED", "WITHDRAWN", "SUSPENDED")
            and inside(completion if terminated else day("LastUpdatePostDate")),
            "results posted": inside(day("ResultsFirstPostDate")),
        }

    return events


def _ctis_events(as_of: dt.date, start: dt.date) -> Callable[[dict[str, str]], dict[str, bool]]:
    inside = lambda d: d is not None and start <= d <= as_of  # noqa: E731

    def events(r: dict[str, str]) -> dict[str, bool]:
        day = lambda c: _day(r[c], "%d/%m/%Y")  # noqa: E731
        status = " ".join(r["Overall trial status"].split())
        return {
            "registered": inside(day("Decision date")),
            "started": status != "Authorised, recruitment pending" and inside(day("Start date")),
            "completed": status == "Ended" and inside(day("Global end of the trial") or day("End date")),
            "stopped": status == "Temporarily halted" and inside(day("Last updated")),
        }

    return events


@pytest.mark.parametrize("months", [12, 3])
def test_window_on_the_shipped_snapshot_matches_the_raw_files(shipped_db, months):
    """Trial by trial, the window's events are those the raw CSV files date in the window, for the
    trials the snapshot classifies as progressive MS. A snapshot built before the registry dates
    were read gives no count for the events that need them (missing, not zero)."""
    trials = shipped_db.execute_select("select trial_id, source from trials where is_progressive", {})
    events = shipped_db.run("changes_window_trials", F, months=months)
    counts = shipped_db.run("changes_window_counts", F, months=months).set_index("source")
    undated = any("trials column first_posted" in n for n in shipped_db.schema_notes)
    expected_by_source = {}
    readers = (("ctgov", "NCTId", _ctgov_events), ("ctis", "Trial number", _ctis_events))
    for source, id_column, events_of in readers:
        pattern = f"{source}/*.csv"
        as_of = dt.date.fromisoformat(next(RAW.glob(pattern)).stem[-10:])
        progressive = set(trials.loc[trials["source"] == source, "trial_id"])
        expected_by_source[source] = _expected(
            pattern, id_column, progressive, events_of(as_of, _months_before(as_of, months))
        )
        assert pd.Timestamp(counts.at[source, "as_of"]) == pd.Timestamp(as_of)
    for source, expected in expected_by_source.items():
        got = events[events["source"] == source]
        for event, (column, _) in changes.EVENTS.items():
            without_date = (undated and event in ("registered", "stopped", "results posted")) or (
                source == "ctis" and event == "results posted"
            )
            if without_date:
                assert pd.isna(counts.at[source, column]), (source, event)
                continue
            assert set(got.loc[got["event"] == event, "trial_id"]) == expected[event], (source, event)
            assert counts.at[source, column] == len(expected[event]), (source, event)
    assert pd.isna(counts.at["ctgov", "stopped_with_reason"])  # the export states no reason
    assert counts.loc[["ctgov", "ctis"], "started"].sum() > 0  # a real window, not an empty one


def test_window_lists_link_each_registry_record(shipped_db):
    events = shipped_db.run("changes_window_trials", F, months=12)
    assert len(events)
    for trial_id, url in zip(events["trial_id"], events["url"], strict=True):
        assert (
            url.startswith(("https://clinicaltrials.gov/study/", "https://euclinicaltrials.eu/"))
            and trial_id in url
        )


def test_sources_whose_data_end_before_the_window_count_nothing(shipped_db):
    """NIH exports of past fiscal years end long before the trial registries' window."""
    counts = shipped_db.run("changes_window_counts", F, months=12).set_index("source")
    for source in ("nih_reporter", "nih_exporter"):
        assert not counts.at[source, "covers_window"] and pd.isna(counts.at[source, "awards_year_only"])
    awards = shipped_db.run("changes_window_awards", F, months=12, currency="EUR")
    assert not set(awards["source"]) & {"nih_reporter", "nih_exporter"}


def test_headline_lines_state_the_window_and_the_pair(pair_db):
    counts = pair_db.run("changes_window_counts", F, months=12)
    summary = changes.compare(pair_db)
    lines = changes.headline_lines(counts, 12, summary)
    assert lines[0].startswith("Progressive-MS trials, 12 months to 2025-09-25 for ClinicalTrials.gov")
    assert any(
        line.startswith(f"Since the data built {summary.compared_created_at[:10]}: 1 trial added")
        for line in lines
    )
    assert "glatiramer acetate depot: Phase 2 → Phase 3" in " ".join(lines)
    assert changes.headline_lines(counts, 12, None) == lines[: len(changes.headline_lines(counts, 12, None))]


# --- the page -----------------------------------------------------------------------------------


def _page(params: UrlParams | None = None) -> AppTest:
    at = _app(params, page="changed")
    assert not at.exception, at.exception
    return at


def _text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def test_page_compares_with_the_previous_snapshot_by_default(pair_data, app_on):
    app_on(pair_data)
    earlier, _ = _ids(pair_data)
    at = _page()
    assert at.selectbox(key="changed_since").value == earlier
    warning = " ".join(w.value for w in at.warning)
    assert "differ in their sources" in warning and "Member grants is only in this snapshot" in warning
    grant_tables = [d.value for d in at.dataframe if "grant_id" in d.value.columns]
    assert len(grant_tables) == 1 and set(grant_tables[0]["grant_id"]) == set(pair_cut.ADDED_GRANTS)
    agents = next(d.value for d in at.dataframe if "stage_before" in d.value.columns)
    assert set(agents["label"]) == {"glatiramer acetate depot", "ibudilast"}
    assert "1 trial added, 1 no longer in the source, 1 status change, 1 phase change" in _text(at)
    assert len(at.get("plotly_chart")) == 2  # registry activity and the changes: both reach the deck


def test_page_on_the_shipped_snapshot_shows_the_query_numbers(app_on, shipped_db):
    """Done-when case: /changed on the shipped snapshot shows the last 12 months of registry activity
    for progressive MS, each headline figure the window query's (or "not dated" where no registry
    dates that event)."""
    from msprogress.charts.changes import EVENT_LABELS

    app_on(REPO / "data")
    at = _page()
    totals = changes.window_totals(shipped_db.run("changes_window_counts", F, months=12))
    shown = {m.label: m.value for m in at.metric}
    for column, label in EVENT_LABELS.items():
        n = totals[column]
        assert shown[label] == ("not dated" if n is None else f"{n:,}"), label
    assert totals["started"]  # real activity in the window


def test_page_window_switch_follows_the_url_and_the_query(pair_data, app_on, pair_db):
    app_on(pair_data)
    at = _page({"window": "3"})
    counts = pair_db.run("changes_window_counts", F, months=3)
    started = changes.window_totals(counts)["started"]
    assert "Headline: the last 3 months" in [s.value for s in at.subheader]
    assert f"Started: {changes.count_text(started or 0, 'trial')}" in _text(at)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "3 months to 2025-09-25" in spec["layout"]["title"]["text"]


def test_page_with_one_snapshot_shows_the_window_and_says_no_earlier_exists(app_env):
    at = _page({"since": "20250101T000000000000Z-deadbeef"})
    infos = " ".join(i.value for i in at.info)
    assert "No earlier snapshot exists on this server" in infos and "Ignored since" in infos
    assert len(at.get("plotly_chart")) == 1 and "Newly registered" in _text(at)


def test_page_refuses_an_unknown_earlier_snapshot(pair_data, app_on):
    app_on(pair_data)
    at = _page({"since": "../../etc"})
    assert any("Ignored since=" in i.value for i in at.info)


def test_page_reports_an_earlier_snapshot_that_fails_its_checksums(pair_data, app_on, tmp_path):
    root = tmp_path / "data"
    shutil.copytree(pair_data / "snapshots", root / "snapshots")
    earlier, _ = _ids(pair_data)
    trials = root / "snapshots" / earlier / "trials.parquet"
    trials.write_bytes(trials.read_bytes()[:-100])
    app_on(root)
    at = _page()
    assert any("cannot be compared" in e.value and "checksum" in e.value for e in at.error)
    assert len(at.get("plotly_chart")) == 1  # the registry window still shows


def test_pipeline_link_rings_the_moved_agents(pair_data, app_on):
    app_on(pair_data)
    at = _app({"highlight": "glatiramer-depot,ibudilast,Not An Agent!"}, page="pipeline")
    assert not at.exception, at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    ring = next(tr for tr in spec["data"] if tr.get("meta") == "pipeline-highlight")
    ringed = {cd[0] for cd in ring["customdata"]}
    assert ringed == {"agent:glatiramer-depot", "agent:ibudilast"}
    assert any("Not An Agent" in i.value and "not an agent id" in i.value for i in at.info)
