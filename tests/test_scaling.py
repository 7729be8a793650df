"""The design choices that keep the app's cost flat as the data grows (issue 6), each checked
for its result, not only its speed: an empty place filter plans no country join, the place
filter still selects what an independent query selects, the map's country tables are capped
at their newest 5,000 rows with the true totals beside them, the pipeline hover texts say what
the trials say, the timeline draws at most TIMELINE_MAX bars, and the profiler sees a page."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from bench.synthetic import build_synthetic
from msprogress.charts import pipeline as charts
from msprogress.db import Database
from msprogress.filters import Filters
from msprogress.snapshot import Snapshot, open_snapshot
from tests.conftest import REPO

PLACES = [
    Filters(countries=("USA",)),
    Filters(countries=("ESP", "POL")),
    Filters(regions=("Southern Europe",)),
    Filters(regions=("Southern Europe",), countries=("ITA", "USA")),  # both: ITA only
]


# --- the place filter ------------------------------------------------------------------------


def _scans(db: Database, sql: str, f: Filters) -> int:
    """How many parquet files the plan of `sql` reads (a table read twice counts twice)."""
    con = db.raw_connection_for_tests()
    plan = json.loads(con.execute("explain (format json) " + sql, {"f": f.as_struct()}).fetchall()[0][1])

    def count(node: dict) -> int:
        return (node.get("name") == "READ_PARQUET") + sum(count(c) for c in node.get("children", []))

    return sum(count(n) for n in plan)


def test_an_empty_place_filter_plans_no_country_join(db: Database):
    for macro in ("filtered_trials", "filtered_projects", "filtered_grants"):
        sql = f"select count(*) from {macro}($f)"
        assert _scans(db, sql, Filters()) == 1, macro  # the table itself, no country table
        assert _scans(db, sql, Filters(countries=("USA",))) > 1, macro


def test_chosen_countries_is_empty_without_a_place_filter(db: Database):
    count = "select count(*) as n from chosen_countries($f)"
    assert db.execute_select(count, {"f": Filters().as_struct()}).n[0] == 0
    usa_ita = db.execute_select(count, {"f": Filters(countries=("USA", "ITA")).as_struct()}).n[0]
    assert usa_ita == 2


@pytest.mark.parametrize("f", PLACES, ids=lambda f: f.describe()[:30])
def test_place_filter_selects_what_an_independent_query_selects(db: Database, f: Filters):
    params = {"countries": list(f.countries), "regions": list(f.regions)}
    place = """
        (len($countries) = 0 or list_contains($countries, c.iso3))
        and (len($regions) = 0 or list_contains($regions, c.region))
    """
    trials = db.execute_select(
        f"""select distinct t.trial_id from trials t
            join trial_countries tc on tc.trial_id = t.trial_id join countries c on c.iso3 = tc.iso3
            where t.population <> 'Not MS' and {place}""",
        params,
    )
    grants = db.execute_select(
        f"""select g.grant_id from grants g join countries c on c.iso3 = g.iso3
            where g.ms_relevance <> 'Not MS' and {place}""",
        params,
    )
    got_t = db.execute_select("select trial_id from filtered_trials($f)", {"f": f.as_struct()})
    got_g = db.execute_select("select grant_id from filtered_grants($f)", {"f": f.as_struct()})
    assert sorted(got_t.trial_id) == sorted(trials.trial_id) and len(trials) > 0
    assert sorted(got_g.grant_id) == sorted(grants.grant_id)


# --- the map's country tables: capped, with the totals beside them -------------------------------

K = 300.0  # the fixture at 300x: the USA then has more than 5,000 trials and grant records


@pytest.fixture(scope="module")
def big(fixture_snapshot: Snapshot, tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    path, _ = build_synthetic(fixture_snapshot, K, root=tmp_path_factory.mktemp("scaling"))
    return open_snapshot(path.parent)


def test_country_tables_keep_the_newest_5000_and_counts_give_the_totals(big: Snapshot):
    db = Database(big)
    f = Filters().as_struct()
    counts = db.run("map_country_counts", f, iso3="USA").iloc[0]
    every_trial = db.execute_select(
        """select t.trial_id, t.start_date from trials t
           join trial_countries tc on tc.trial_id = t.trial_id
           where tc.iso3 = 'USA' and t.population <> 'Not MS'
           order by t.start_date desc nulls last, t.trial_id""",
        {},
    )
    assert counts.trials == len(every_trial) > 5000
    trials = db.run("map_country_trials", f, iso3="USA")
    assert list(trials.trial_id) == list(every_trial.trial_id.head(5000))
    every_grant = db.execute_select(
        "select count(*) as n from grants where iso3 = 'USA' and ms_relevance <> 'Not MS'", {}
    )
    grants = db.run("map_country_grants", f, iso3="USA", currency="EUR")
    assert counts.grants == every_grant.n[0] > 5000 and len(grants) == 5000
    assert grants.year.is_monotonic_decreasing
    projects = db.run("map_country_projects", f, iso3="USA")
    assert counts.projects == len(projects) or (counts.projects > 5000 and len(projects) == 5000)


def test_map_page_says_a_country_table_is_capped(big: Snapshot, app_on):
    app_on(big.path.parent.parent)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.query_params["country_view"] = "USA"
    at.run()
    at.switch_page("pages/map.py").run()
    assert not at.exception, at.exception
    total = Database(big).run("map_country_counts", Filters().as_struct(), iso3="USA").trials[0]
    assert at.tabs[0].label == f"Trials ({total:,})"
    notes = " ".join(i.value for i in at.info)
    assert f"Showing the first 5,000 of {total:,} trials" in notes


# --- the pipeline's hover texts and timeline ---------------------------------------------------


def _marker(marker_id: str, label: str, trials: int, **kw: object) -> dict[str, object]:
    row: dict[str, object] = {
        "marker_id": marker_id,
        "item_kind": "agent",
        "label": label,
        "mechanism_class": "B-cell depletion (anti-CD20/CD19)",
        "modality": "biologic",
        "therapy_role": "disease-modifying",
        "stage": "Phase 3",
        "stage_status": "Recruiting",
        "trials": trials,
        "ongoing_trials": 1,
        "early_phase1_trials": 0,
        "enrollment_total": 1234,
        "trials_no_enrollment": 0,
        "industry_trials": 3,
        "other_trials": 9,
        "origin": "novel",
        "origin_note": "investigational: not approved for any use by its first progressive-MS trial (2011)",
        "approval": None,
    }
    return {**row, **kw}


def test_hover_texts_list_the_first_trials_and_count_the_rest():
    markers = pd.DataFrame(
        [
            _marker("agent:a", "Alpha", 12, trials_no_enrollment=2),
            _marker(
                "nondrug:exercise:Phase 1",
                "exercise",
                1,
                item_kind="non-drug",
                modality="exercise",
                mechanism_class=None,
                therapy_role=None,
                stage="Phase 1",
                stage_status="Completed",
                enrollment_total=None,
                early_phase1_trials=1,
            ),
            _marker("agent:b", "Beta", 0),
        ]
    )
    trials = pd.DataFrame(
        {
            "marker_id": ["agent:a"] * 12 + ["nondrug:exercise:Phase 1"],
            "trial_id": [f"NCT{i:08d}" for i in range(13)],
            "phase": ["Phase 3"] * 12 + ["Early phase 1"],
            "status_group": ["Recruiting"] * 13,
            "population": ["PPMS"] * 13,
        }
    )
    hover = charts.hover_texts(markers, trials)
    a = hover[0].split("<br>")
    assert a[:6] == [
        "<b>Alpha</b>",
        "B-cell depletion (anti-CD20/CD19) · disease-modifying",
        "Stage: Phase 3, Recruiting",
        "Novel: investigational: not approved for any use by its first progressive-MS trial (2011)",
        "12 trials, 1 ongoing · 1,234 participants (2 trials without a stated enrollment)",
        "Trials led by industry: 3, by academic or other sponsors: 9",
    ]
    assert a[6:16] == [f"NCT{i:08d} · Phase 3 · Recruiting · PPMS" for i in range(10)]
    assert a[16] == "… and 2 more (select the marker to list them)" and len(a) == 17
    ex = hover[1].split("<br>")
    assert ex[1:5] == [
        "non-drug intervention: exercise",
        "Stage: Phase 1 (incl. early phase 1), Completed",
        "non-drug intervention",
        "1 trial, 1 ongoing · enrollment not stated",
    ]
    assert ex[6:] == ["NCT00000012 · Early phase 1 · Recruiting · PPMS"]
    assert len(hover[2].split("<br>")) == 6  # no trials: no trial lines


def test_timeline_keeps_the_latest_starts_only_beyond_its_cap():
    dates = pd.to_datetime(pd.Series(pd.date_range("2000-01-01", periods=150, freq="MS")))
    trials = pd.DataFrame({"trial_id": [f"T{i:03d}" for i in range(150)], "start_date": dates})
    kept = charts.latest_started(trials, cap=100)
    assert len(kept) == 100 and kept["start_date"].min() == dates.iloc[50]
    assert charts.latest_started(trials.head(40), cap=100).equals(trials.head(40))


# --- the profiler ---------------------------------------------------------------------------------


def test_profile_page_samples_the_page_cold_and_warm(app_env):
    from bench.profile import profile_page

    runs = profile_page("about")
    assert set(runs) == {"cold", "warm"}
    for prof in runs.values():
        assert "pages/about.py" in prof.output_text()
