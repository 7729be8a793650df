"""The therapy-pipeline page: its queries against independent SQL on the fixture snapshot, the
pure grid/timeline builders, and AppTest runs whose figure data must equal the queries."""

from __future__ import annotations

import json
import math
from itertools import combinations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from msprogress import schema, style
from msprogress.charts import pipeline as charts
from msprogress.filters import Filters
from msprogress.markup import md_escape
from tests.conftest import REPO

DEFAULT = dict(pipeline_pop="all", include_mixed=False, include_supportive=False, include_nondrug=False)


def _markers(db, f: Filters | None = None, **kw) -> pd.DataFrame:
    return db.run("pipeline_markers", (f or Filters()).as_struct(), **{**DEFAULT, **kw})


def _trials(db, f: Filters | None = None, **kw) -> pd.DataFrame:
    return db.run("pipeline_trials", (f or Filters()).as_struct(), **{**DEFAULT, **kw})


# --- queries against an independent computation ---------------------------------------------

INDEPENDENT_STAGES = """
    select i.agent_id, max(case when t.phase = 'Early phase 1' then 1.0 else t.phase_rank end) as top
    from trials t
    join trial_interventions i on i.trial_id = t.trial_id and not i.is_placebo and i.co_medication is null
    join agents a on a.agent_id = i.agent_id
    where t.is_progressive and t.study_type = 'Interventional'
      and a.therapy_role in ('disease-modifying', 'symptomatic')
      and a.mechanism_class <> 'Background therapy / standard of care'
      and list_contains($pops, t.population)
    group by i.agent_id
"""


APPROVED = "select agent_id from agent_approvals where list_contains($pops, population)"


@pytest.mark.parametrize(
    "pop, pops",
    [
        ("all", ["PPMS", "SPMS", "Progressive, unspecified", "Mixed progressive"]),
        ("PPMS", ["PPMS"]),
        ("SPMS", ["SPMS"]),
    ],
)
def test_agent_stage_is_the_highest_phase_of_its_trials(db, pop, pops):
    """...or 'Approved for progressive MS' when a label approves the agent for the population shown."""
    got = _markers(db, pipeline_pop=pop).set_index("item_id")
    expected = db.execute_select(INDEPENDENT_STAGES, {"pops": pops}).set_index("agent_id")
    approved = set(db.execute_select(APPROVED, {"pops": pops})["agent_id"])
    assert set(got.index) == set(expected.index) and len(got) > 0
    for agent, row in expected.iterrows():
        if agent in approved:
            assert (got.loc[agent, "stage"], got.loc[agent, "stage_rank"]) == (schema.APPROVED_STAGE, 5.0)
            assert got.loc[agent, "approval_url"].startswith("https://")
        elif pd.isna(row.top):
            assert got.loc[agent, "stage"] == "Not applicable"
        else:
            assert got.loc[agent, "stage_rank"] == row.top, agent


def test_oratorio_puts_ocrelizumab_in_ppms_only_where_its_label_makes_it_approved(db):
    oratorio = db.execute_select(
        "select population, phase from trials where trial_id = 'NCT01194570'", {}
    ).iloc[0]
    assert (oratorio.population, oratorio.phase) == ("PPMS", "Phase 3")
    ppms = _markers(db, pipeline_pop="PPMS").set_index("item_id")
    ocr = ppms.loc["ocrelizumab"]
    assert (ocr.stage, ocr.mechanism_class) == (schema.APPROVED_STAGE, "B-cell depletion (anti-CD20/CD19)")
    assert ocr.approval == "PPMS: FDA 2017; PPMS: EMA 2018"  # from data/reference/approved_progressive.csv
    assert (
        ocr.approval_url == "https://dailymed.nlm.nih.gov/dailymed/search.cfm?labeltype=all&query=ocrelizumab"
    )
    assert ppms.loc[ppms["stage"] != schema.APPROVED_STAGE, "approval"].isna().all()
    assert "ocrelizumab" not in set(_markers(db, pipeline_pop="SPMS")["item_id"])
    assert "B-cell depletion (anti-CD20/CD19)" in charts.classes_at_stage(
        ppms.reset_index(), schema.APPROVED_STAGE
    )


def test_co_medication_is_never_a_marker(db):
    """NCT02977533 gives aciclovir as herpes prophylaxis with the anti-CD52 GZ402668: only the
    antibody is a pipeline agent, with supportive agents shown or not."""
    rows = db.execute_select(
        "select agent_id, co_medication from trial_interventions where trial_id = 'NCT02977533' and not is_placebo",
        {},
    ).set_index("agent_id")
    assert rows.loc["acyclovir", "co_medication"] == "herpes prophylaxis with a lymphocyte-depleting therapy"
    assert pd.isna(rows.loc["gz402668", "co_medication"])
    for supportive in (False, True):
        shown = set(_markers(db, include_supportive=supportive)["item_id"])
        assert "gz402668" in shown and "acyclovir" not in shown
        assert "acyclovir" not in set(_trials(db, include_supportive=supportive)["item_id"])
    counted = (
        db.execute_select("select count(*) as n from trial_interventions where co_medication is not null", {})
        .iloc[0]
        .n
    )
    assert counted >= 2


def test_phase_counts_put_approved_agents_in_their_own_stage(db):
    phases = db.run("pipeline_phase_counts", Filters().as_struct()).set_index("phase")
    markers = _markers(db).set_index("item_id")
    approved = markers[markers["stage"] == schema.APPROVED_STAGE]
    assert len(approved) > 0 and phases.loc[schema.APPROVED_STAGE, "agents"] == len(approved)
    assert phases.loc[schema.APPROVED_STAGE, "phase_rank"] == 5.0 == phases["phase_rank"].max()


def test_ppms_and_spms_are_separable_and_mixed_trials_optional(db):
    strict = _trials(db, pipeline_pop="PPMS")
    assert set(strict["population"]) == {"PPMS"}
    mixed = _trials(db, pipeline_pop="PPMS", include_mixed=True)
    assert set(mixed["population"]) == {"PPMS", "Mixed progressive"}
    assert set(_trials(db, pipeline_pop="SPMS")["population"]) == {"SPMS"}
    assert set(strict["trial_id"]).isdisjoint(_trials(db, pipeline_pop="SPMS")["trial_id"])


def test_supportive_agents_hidden_by_default(db):
    roles = set(_markers(db)["therapy_role"])
    assert roles <= {"disease-modifying", "symptomatic"}
    every = _markers(db, include_supportive=True)
    assert set(_markers(db)["marker_id"]) <= set(every["marker_id"])


def test_nondrug_groups_one_marker_per_modality_and_stage(db):
    m = _markers(db, include_nondrug=True)
    nd = m[m["item_kind"] == "non-drug"]
    assert len(nd) > 0 and set(nd["modality"]) <= set(style.MODALITY_COLOURS)
    assert not nd.duplicated(["modality", "stage"]).any()
    expected = db.execute_select(
        """
        select i.modality, count(distinct t.trial_id) as n
        from trials t join trial_interventions i on i.trial_id = t.trial_id
        where t.is_progressive and t.study_type = 'Interventional' and not i.is_placebo
          and i.agent_id is null and coalesce(t.phase, 'Not applicable') = 'Not applicable'
          and i.modality in ('rehabilitation', 'exercise', 'behavioural', 'device', 'diet/supplement', 'procedure')
        group by i.modality
        """,
        {},
    ).set_index("modality")["n"]
    na = nd[nd["stage"] == "Not applicable"].set_index("modality")["trials"]
    assert na.sort_index().to_dict() == expected.sort_index().to_dict()
    assert set(_markers(db)["item_kind"]) == {"agent"}


def test_marker_trial_counts_match_the_trial_rows(db):
    m = _markers(db, include_nondrug=True).set_index("marker_id")
    t = _trials(db, include_nondrug=True)
    counts = t.groupby("marker_id")["trial_id"].nunique()
    assert counts.sort_index().to_dict() == m["trials"].sort_index().to_dict()


# --- pure builders -------------------------------------------------------------------------


def _synthetic(n_by_stage: dict[str, int]) -> pd.DataFrame:
    rows = []
    mechs = list(style.MECHANISM_COLOURS)[:6]
    for stage, n in n_by_stage.items():
        for i in range(n):
            rows.append(
                {
                    "marker_id": f"agent:{stage}-{i}",
                    "item_kind": "agent",
                    "item_id": f"{stage}-{i}",
                    "label": f"agent {stage} {i:02d} with a long name",
                    "mechanism_class": mechs[i % len(mechs)],
                    "modality": "drug",
                    "therapy_role": "symptomatic" if i % 5 == 0 else "disease-modifying",
                    "stage": stage,
                    "trials": 1 + i % 4,
                    "enrollment_total": None if i % 7 == 0 else 40 * i,
                }
            )
    return pd.DataFrame(rows)


def test_grid_layout_is_deterministic_whatever_the_row_order():
    m = _synthetic({"Phase 1": 12, "Phase 2": 61, "Phase 3": 5})
    a = charts.grid_positions(m).set_index("marker_id")[["x", "y", "text"]]
    b = charts.grid_positions(m.sample(frac=1, random_state=3)).set_index("marker_id")[["x", "y", "text"]]
    pd.testing.assert_frame_equal(a.sort_index(), b.sort_index())


def test_no_two_marker_centres_overlap_within_a_column():
    m = _synthetic({"Phase 1": 3, "Phase 2": charts.ROWS_CAP * 2 + 7, "Phase 4": charts.ROWS_CAP})
    placed = charts.grid_positions(m)
    cols = charts.stage_columns(m)
    units_px = charts.PLOT_PX / cols["subs"].sum()
    for _, g in placed.groupby("col"):
        assert not g.duplicated(["x", "y"]).any()
        for (_, p), (_, q) in combinations(g.iterrows(), 2):
            dx, dy = (p.x - q.x) * units_px, (p.y - q.y) * charts.PITCH_PX
            assert math.hypot(dx, dy) >= charts.MAX_D
    assert cols.set_index("stage").loc["Phase 2", "subs"] == 3
    assert placed.groupby("col")["row"].max().max() < charts.ROWS_CAP
    # every marker inside its own column's band
    for _, p in placed.iterrows():
        c = cols.iloc[int(p.col)]
        assert c.left < p.x < c.left + c.subs


def test_marker_sizes_grow_with_the_value_and_missing_is_smallest():
    s = charts.marker_sizes(pd.Series([None, 0, 10, 40, 160]))
    assert s.iloc[0] == charts.MIN_D and s.iloc[-1] == charts.MAX_D
    assert list(s.iloc[1:]) == sorted(s.iloc[1:])


def _figure_markers(fig_json: dict) -> pd.DataFrame:
    rows = [
        {"marker_id": cd[0], "stage": cd[1], "trace": tr["name"], "colour": tr["marker"]["line"]["color"]}
        for tr in fig_json["data"]
        if tr.get("meta") == "pipeline-markers"
        for cd in tr["customdata"]
    ]
    return pd.DataFrame(rows, columns=["marker_id", "stage", "trace", "colour"])


def test_pipeline_figure_draws_every_marker_in_its_stage_and_colour(db):
    m = _markers(db, include_nondrug=True)
    fig = charts.pipeline_figure(
        m, _trials(db, include_nondrug=True), size_by="enrollment", title="t", subtitle="s"
    )
    drawn = _figure_markers(json.loads(fig.to_json())).set_index("marker_id")
    assert drawn["stage"].sort_index().to_dict() == m.set_index("marker_id")["stage"].sort_index().to_dict()
    ocr = drawn.loc["agent:ocrelizumab"]
    assert ocr.colour == style.MECHANISM_COLOURS["B-cell depletion (anti-CD20/CD19)"]
    nd = drawn[drawn.index.str.startswith("nondrug:")]
    assert set(nd["colour"]) <= set(style.MODALITY_COLOURS.values())


def test_timeline_draws_dated_trials_only_and_lists_the_rest(db):
    t = _trials(db)
    ids = list(t["marker_id"].unique())
    sel = charts.trials_of(t, ids)
    assert sel["trial_id"].is_unique and set(sel["trial_id"]) == set(t["trial_id"])
    dated = sel[charts.has_dates(sel)]
    assert 0 < len(dated) < len(sel)  # the fixture has CTIS trials without dates
    fig = charts.timeline_figure(dated, as_of=pd.Timestamp("2025-09-25").date(), title="t", subtitle="s")
    drawn = [y for tr in fig.data for y in tr.y]
    assert len(drawn) == len(dated)
    starts = dated.sort_values("start_date")["trial_id"].tolist()
    order = [r.split(" · ")[0] for r in fig.layout.yaxis.categoryarray][::-1]
    assert order == starts


# --- the page ------------------------------------------------------------------------------


def _page(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page("pages/pipeline.py").run()
    assert not at.exception, at.exception
    return at


def _page_markers(at: AppTest) -> pd.DataFrame:
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return _figure_markers(spec)


def _per_stage(df: pd.DataFrame) -> dict[str, int]:
    return df["stage"].value_counts().sort_index().to_dict()


def test_page_default_figure_equals_the_query(app_env, db):
    at = _page()
    drawn, expected = _page_markers(at), _markers(db)
    assert _per_stage(drawn) == _per_stage(expected)
    assert set(drawn["marker_id"]) == set(expected["marker_id"])
    text = " ".join(m.value for m in at.markdown)
    assert "Mechanism classes with an agent at Phase 3" in text and "ocrelizumab" in text
    assert any("as of 2025-09-25" in c.value for c in at.caption)


def test_page_switches_change_the_figure_like_the_query(app_env, db):
    at = _page()
    at.radio(key="pipeline_pop").set_value("ppms").run()
    at.toggle(key="pipeline_nondrug").set_value(True).run()
    assert not at.exception
    expected = _markers(db, pipeline_pop="PPMS", include_nondrug=True)
    drawn = _page_markers(at)
    assert _per_stage(drawn) == _per_stage(expected)
    assert "agent:ocrelizumab" in set(drawn["marker_id"])
    phase3 = next(m.value for m in at.markdown if "agent at Phase 3" in m.value)
    assert md_escape("B-cell depletion (anti-CD20/CD19)") + ": ocrelizumab" in phase3  # names escaped
    assert at.query_params["pop"] == "ppms" and at.query_params["nondrug"] == "1"


def test_page_reads_view_switches_from_the_url_and_ignores_bad_values(app_env, db):
    at = _page({"pop": "spms", "size": "enrollment", "support": "1", "nondrug": "maybe"})
    assert at.radio(key="pipeline_pop").value == "spms"
    assert at.radio(key="pipeline_size").value == "enrollment"
    assert at.toggle(key="pipeline_nondrug").value is False
    assert any("nondrug=`maybe`" in i.value for i in at.info)  # echoed as code
    expected = _markers(db, pipeline_pop="SPMS", include_supportive=True)
    assert _per_stage(_page_markers(at)) == _per_stage(expected)


def test_page_respects_the_sidebar_population_filter(app_env, db):
    at = _page({"population": "ppms"})
    expected = _markers(db, Filters(populations=("ppms",)))
    assert _per_stage(_page_markers(at)) == _per_stage(expected)
    assert set(_page_markers(at)["marker_id"]) == set(expected["marker_id"])


def test_timeline_follows_the_chosen_agents(app_env, db):
    at = _page()
    at.radio(key="pipeline_tl_by").set_value("pick")
    at.multiselect(key="pipeline_pick").set_value(["agent:tolebrutinib"]).run()
    assert not at.exception
    expected = charts.trials_of(_trials(db), ["agent:tolebrutinib"])
    table = at.dataframe[-1].value
    assert sorted(table["Trial"]) == sorted(expected["url"])
    timeline = json.loads(at.get("plotly_chart")[1].proto.spec)
    drawn = {y.split(" · ")[0] for tr in timeline["data"] for y in tr["y"]}
    assert drawn == set(expected.loc[charts.has_dates(expected), "trial_id"])
    undated = expected.loc[~charts.has_dates(expected), "trial_id"]
    text = " ".join(m.value for m in at.markdown)
    assert all(md_escape(t) in text for t in undated)
