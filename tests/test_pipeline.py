"""The therapy-pipeline page: its queries against independent SQL on the fixture snapshot, the
curated novel/repurposed column, the pure grid/timeline builders (whole names, chips that never
overlap, a slide's type sizes and height, a colour that means one thing), and AppTest runs whose
figure data must equal the queries."""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from msprogress import presenter, schema, style
from msprogress.charts import pipeline as charts
from msprogress.charts.textmetrics import plain, text_px
from msprogress.filters import Filters
from msprogress.ingest import agents
from msprogress.markup import md_escape
from tests.conftest import REPO, text_rows

DEFAULT = dict(include_supportive=False, include_nondrug=False)
PPMS = Filters(populations=("ppms",))
SPMS = Filters(populations=("spms",))


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
PROGRESSIVE = ["PPMS", "SPMS", "Progressive, unspecified", "Mixed progressive"]


@pytest.mark.parametrize(
    "f, pops",
    [
        (Filters(), PROGRESSIVE),
        (PPMS, ["PPMS"]),
        (SPMS, ["SPMS"]),
        (Filters(populations=("ppms", "mixed")), ["PPMS", "Mixed progressive"]),
    ],
)
def test_agent_stage_is_the_highest_phase_of_its_trials(db, f, pops):
    """...or 'Approved for progressive MS' when a label approves the agent for a population the
    sidebar's Population filter shows (all progressive populations when none is chosen)."""
    got = _markers(db, f).set_index("item_id")
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
    ppms = _markers(db, PPMS).set_index("item_id")
    ocr = ppms.loc["ocrelizumab"]
    assert (ocr.stage, ocr.mechanism_class) == (schema.APPROVED_STAGE, "B-cell depletion (anti-CD20/CD19)")
    assert ocr.approval == "PPMS: FDA 2017; PPMS: EMA 2018"  # from data/reference/approved_progressive.csv
    assert (
        ocr.approval_url == "https://dailymed.nlm.nih.gov/dailymed/search.cfm?labeltype=all&query=ocrelizumab"
    )
    assert ppms.loc[ppms["stage"] != schema.APPROVED_STAGE, "approval"].isna().all()
    assert "ocrelizumab" not in set(_markers(db, SPMS)["item_id"])
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


def test_ppms_and_spms_are_separable_and_mixed_trials_optional(db):
    strict = _trials(db, PPMS)
    assert set(strict["population"]) == {"PPMS"}
    mixed = _trials(db, Filters(populations=("ppms", "mixed")))
    assert set(mixed["population"]) == {"PPMS", "Mixed progressive"}
    assert set(_trials(db, SPMS)["population"]) == {"SPMS"}
    assert set(strict["trial_id"]).isdisjoint(_trials(db, SPMS)["trial_id"])


def test_supportive_agents_hidden_by_default(db):
    roles = set(_markers(db)["therapy_role"])
    assert roles <= {"disease-modifying", "symptomatic"}
    every = _markers(db, include_supportive=True)
    assert set(_markers(db)["marker_id"]) <= set(every["marker_id"])


def test_nondrug_groups_one_marker_per_modality_and_stage(db):
    m = _markers(db, include_nondrug=True)
    nd = m[m["item_kind"] == "non-drug"]
    assert len(nd) > 0 and set(nd["modality"]) <= set(charts.NONDRUG_MODALITIES)
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


def test_marker_trial_and_sponsor_counts_match_the_trial_rows(db):
    m = _markers(db, include_nondrug=True).set_index("marker_id")
    t = _trials(db, include_nondrug=True)
    assert (
        t.groupby("marker_id")["trial_id"].nunique().sort_index().to_dict()
        == m["trials"].sort_index().to_dict()
    )
    industry = t[t["sponsor_class"] == "Industry"].groupby("marker_id").size()
    other = (
        t[t["sponsor_class"].notna() & ~t["sponsor_class"].isin(["Industry", "Unknown"])]
        .groupby("marker_id")
        .size()
    )
    assert industry.reindex(m.index, fill_value=0).to_dict() == m["industry_trials"].to_dict()
    assert other.reindex(m.index, fill_value=0).to_dict() == m["other_trials"].to_dict()
    who = {(True, True): "both", (True, False): "industry", (False, True): "academic/other"}
    expected = [
        who.get((i > 0, o > 0), "not stated")
        for i, o in zip(m["industry_trials"], m["other_trials"], strict=True)
    ]
    assert list(m["sponsors"]) == expected and {"industry", "academic/other"} <= set(expected)


def test_markers_carry_the_curated_origin(db):
    curated = pd.read_csv(REPO / "data/reference/agents.csv", dtype=str, keep_default_na=False)
    origin = curated.set_index("agent_id")["origin"].replace("", None)
    m = _markers(db).set_index("item_id")
    assert m["origin"].to_dict() == origin.reindex(m.index).to_dict()
    assert {"novel", "repurposed"} <= set(m["origin"].dropna())


# --- the curated novel / repurposed column ------------------------------------------------------

NOTE_YEAR = re.compile(r"\((?:[^()]*?\b)?((?:19|20)\d\d)\)")  # '(FDA 1993)', '(Japan 1989)'
FIRST_TRIAL = re.compile(r"first progressive-MS trial \(((?:19|20)\d\d)\)")

FIRST_TRIAL_SQL = """
    select i.agent_id,
           min(coalesce(year(t.start_date), try_cast(left(t.trial_id, 4) as int))) as first
    from trials t join trial_interventions i using (trial_id)
    where t.is_progressive and t.study_type = 'Interventional' and not i.is_placebo
      and i.co_medication is null and i.agent_id is not null
    group by i.agent_id
"""


def _curated() -> pd.DataFrame:
    return pd.read_csv(REPO / "data/reference/agents.csv", dtype=str, keep_default_na=False)


def test_every_stated_origin_keeps_the_rule(shipped_db):
    """Repurposed: a dated approval for another use before the first progressive-MS trial; novel:
    that first trial year, before any approval; the first-trial year a note states is the one in
    the shipped registries (a new earlier trial would make the note wrong: this test says so)."""
    df = _curated()
    stated = df[df["origin"] != ""]
    first = shipped_db.execute_select(FIRST_TRIAL_SQL, {}).set_index("agent_id")["first"]
    assert len(stated) >= 60 and set(stated["origin"]) == set(schema.AGENT_ORIGINS)
    for row in text_rows(stated):
        note, agent_id = row["origin_note"], row["agent_id"]
        trial = FIRST_TRIAL.search(note)
        assert trial, (agent_id, note)
        assert int(trial.group(1)) == first[agent_id], agent_id
        approval = NOTE_YEAR.search(note[: trial.start()])
        if row["origin"] == "repurposed" and approval:
            assert int(approval.group(1)) <= int(trial.group(1)), agent_id
        if row["origin"] == "novel" and approval:  # approved later than its first progressive trial
            assert int(approval.group(1)) > int(trial.group(1)) and "after" in note, agent_id
    assert df.loc[df["origin"] == "", "origin_source"].eq("").all()


def test_a_bad_origin_row_is_refused():
    df = _curated()
    ok = agents.validate_agents(df)
    assert ok == []
    bad = df.copy()
    bad.loc[0, "origin"] = "new"
    bad.loc[1, ["origin", "origin_source"]] = ["novel", ""]
    bad.loc[2, ["origin", "origin_note"]] = ["repurposed", " "]
    problems = " ".join(agents.validate_agents(bad))
    for fragment in ("not novel, repurposed or empty", "without a well-formed", "without an origin_note"):
        assert fragment in problems


# --- pure builders: layout ----------------------------------------------------------------------


def _synthetic(
    n_by_stage: dict[str, int], name: str = "agent {stage} {i:02d} with a long name"
) -> pd.DataFrame:
    rows = []
    classes = list(style.MECHANISM_FAMILIES)
    for stage, n in n_by_stage.items():
        for i in range(n):
            rows.append(
                {
                    "marker_id": f"agent:{stage}-{i}",
                    "item_kind": "agent",
                    "item_id": f"{stage}-{i}",
                    "label": name.format(stage=stage, i=i) + " x" * (i % 9),
                    "mechanism_class": classes[i % len(classes)],
                    "modality": "drug",
                    "therapy_role": "symptomatic" if i % 5 == 0 else "disease-modifying",
                    "stage": stage,
                    "stage_status": ["Recruiting", "Completed", "Withdrawn", None][i % 4],
                    "trials": 1 + i % 4,
                    "trials_at_stage": 1,
                    "ongoing_trials": i % 2,
                    "early_phase1_trials": 0,
                    "enrollment_total": None if i % 7 == 0 else 40 * i,
                    "enrollment_max": None,
                    "trials_no_enrollment": 0,
                    "industry_trials": i % 3,
                    "other_trials": (i + 1) % 2,
                    "sponsors": ["industry", "academic/other", "both", "not stated"][i % 4],
                    "origin": ["novel", "repurposed", None][i % 3],
                    "origin_note": "a note",
                    "origin_source": "https://example.org/x",
                    "approval": "PPMS: FDA 2017" if stage == charts.APPROVED else None,
                    "approval_url": None,
                    "reference_url": None,
                }
            )
    return pd.DataFrame(rows)


NO_TRIALS = pd.DataFrame(columns=["marker_id", "trial_id", "phase", "status_group", "population"])
CROWDED = {"Phase 1": 40, "Phase 1/2": 9, "Phase 2": 120, "Phase 3": 12, "Phase 4": 3, charts.APPROVED: 2}


@pytest.mark.parametrize("look", [charts.SCREEN, charts.SLIDE, charts.DECK], ids=["screen", "slide", "deck"])
def test_chips_never_overlap_and_stay_inside_the_design_width(look):
    placed, bands = charts.flow(_synthetic(CROWDED), look)
    slot = look.max_d + 14
    for _, line in placed.groupby("y"):
        left = line["x"] - slot / 2
        right = left + [charts.chip_px(t, look) - look.font for t in line["text"]]
        order = np.argsort(left.to_numpy())
        assert (left.to_numpy()[order][1:] >= right.to_numpy()[order][:-1]).all()
        assert right.max() <= look.width or len(line) == 1
        assert left.min() >= charts.gutter_px([list(b.head) for b in bands], look) - 1e-6
    tops = [b.top for b in bands]
    assert tops == sorted(tops) and all(b.bottom - b.top >= 1 for b in bands)
    for b in bands:  # every chip inside its own band
        y = placed.loc[placed["stage"] == b.stage, "y"]
        assert ((y > b.top) & (y < b.bottom)).all()


def test_layout_is_deterministic_whatever_the_row_order():
    m = _synthetic(CROWDED)
    a = charts.flow(m, charts.SCREEN)[0].set_index("marker_id")[["x", "y", "text"]]
    b = charts.flow(m.sample(frac=1, random_state=3), charts.SCREEN)[0].set_index("marker_id")[
        ["x", "y", "text"]
    ]
    pd.testing.assert_frame_equal(a.sort_index(), b.sort_index())


def _label_texts(fig_json: dict) -> list[str]:
    return [t for tr in fig_json["data"] if tr.get("meta") == "pipeline-labels" for t in tr["text"]]


def test_every_drawn_label_is_the_whole_name(db):
    """No name is cut: each marker's label is its agent name (or 'Exercise (12)'), whole."""
    m = _markers(db, include_nondrug=True)
    for look in (charts.SCREEN, charts.SLIDE):
        fig = charts.pipeline_figure(m, NO_TRIALS, size_by="trials", title="t", subtitle="s", look=look)
        drawn = sorted(_label_texts(json.loads(fig.to_json())))
        assert drawn == sorted(charts.grid_labels(m))
    agent_names = set(m.loc[m["item_kind"] == "agent", "label"])
    assert agent_names <= set(drawn) and not any("…" in t for t in drawn)
    assert (
        "anti-CD20 antibody (unspecified)" in drawn or "anti-CD20 antibody (unspecified)" not in agent_names
    )


def _texts_with_sizes(fig: dict) -> list[tuple[str, float]]:
    """Every text a figure draws with its size: title, subtitle, annotations, trace text."""
    base = fig["layout"].get("font", {}).get("size", 12)
    title = fig["layout"].get("title", {})  # a decorated figure's title is one of its notes
    out = [(title["text"], title.get("font", {}).get("size", base))] if "text" in title else []
    for a in fig["layout"].get("annotations", []):
        out.append((a["text"], a.get("font", {}).get("size", base)))
    for tr in fig["data"]:
        if tr.get("text") is not None and "text" in tr.get("mode", ""):
            out.append((str(tr["text"][:1]), tr.get("textfont", {}).get("size", base)))
    for axis in ("xaxis", "yaxis"):
        ax = fig["layout"].get(axis, {})
        if ax.get("visible", True) is not False and ax.get("showticklabels", True):
            out.append((axis, ax.get("tickfont", {}).get("size", base)))
    return out


@pytest.mark.parametrize("mark", list(charts.MARKS))
def test_slide_figures_set_every_text_at_20px_or_more_after_decorate(db, mark):
    """NOTE: the source footer is the presenter's (presenter.FOOTER_FONT, the deck scope's to raise)."""
    m, t = _markers(db, include_nondrug=True), _trials(db, include_nondrug=True)
    for stages in charts.slide_parts(m):
        fig = charts.pipeline_figure(
            m,
            t,
            size_by="trials",
            title="t",
            subtitle="s",
            mark=mark,
            look=charts.SLIDE,
            stages=stages,
            highlight=["ocrelizumab"],
        )
        shown = presenter.decorate(fig, "pipeline_chart", "filters", "Source: x")
        sizes = [
            (text, size)
            for text, size in _texts_with_sizes(json.loads(shown.to_json()))
            if text != "Source: x"
        ]
        small = [(plain(str(text))[:40], size) for text, size in sizes if size < 20]
        assert small == [], small
    timeline = charts.timeline_figure(
        charts.trials_of(t, list(t["marker_id"].unique()[:3])).dropna(
            subset=["start_date", "completion_date"]
        ),
        as_of=pd.Timestamp("2025-09-25").date(),
        title="t",
        subtitle="s",
        look=charts.SLIDE,
    )
    shown = json.loads(presenter.decorate(timeline, "pipeline_timeline", "f", "Source: x").to_json())
    assert [s for x, s in _texts_with_sizes(shown) if x != "Source: x" and s < 20] == []
    assert shown["layout"]["legend"]["font"]["size"] >= 20


def test_an_image_export_of_the_grid_keeps_its_notes_inside(db):
    """An exported image sets every text at 20 px or more (presenter.decorate), so the grid is
    exported in its slide layout (names and notes placed for 20 px): decorate leaves its notes
    at that size, each band's names fit its band, the key fits under the plot, and the image is
    drawn at the width the names were placed for."""
    from msprogress import export_images

    m = _markers(db, include_nondrug=True)
    fig = charts.pipeline_figure(m, NO_TRIALS, size_by="trials", title="t", subtitle="s", look=charts.SLIDE)
    shown = presenter.decorate(fig, "pipeline_chart", "f", "Source: x")
    notes = [a for a in shown.layout.annotations if a.name in ("pipeline_band", "pipeline_key")]
    size = max(a.font.size for a in notes)
    assert size <= charts.SLIDE.notes, "decorate draws notes larger than the slide grid keeps room for"
    _, bands = charts.flow(m, charts.SLIDE)
    for band in bands:
        assert len(band.head) * size * 1.3 <= (band.bottom - band.top) * charts.SLIDE.pitch, band.stage
    key = next(a for a in notes if a.name == "pipeline_key")
    assert (key.text.count("<br>") + 1) * size * 1.3 <= fig.layout.margin.b
    chips = [tr for tr in shown.data if tr.textfont and tr.textfont.size]
    assert chips and min(tr.textfont.size for tr in chips) >= 20
    svg = export_images.svg(shown).decode()
    assert f'width="{charts.SLIDE.width + 40}"' in svg[:400]


def test_a_crowded_pipeline_is_split_into_slides_that_each_fit():
    m = _synthetic(CROWDED)
    parts = charts.slide_parts(m)
    assert len(parts) >= 2
    assert [s for p in parts for s in p] == [b for b in charts.BANDS if b in charts.shown_stages(m)]
    for stages in parts:
        _, bands = charts.flow(m, charts.SLIDE, stages)
        assert charts.plot_px(bands, charts.SLIDE) <= charts.SLIDE_PLOT_PX + 10 or len(bands) == 1
    few = _synthetic({"Phase 2": 6, "Phase 3": 3})
    assert charts.slide_parts(few) == [tuple(b for b in charts.BANDS if b in charts.shown_stages(few))]
    # a band taller than any slide is a slide of its own; the bands around it are still grouped
    huge = _synthetic({"Phase 1": 3, "Phase 2": 400, "Phase 3": 3, "Phase 4": 2})
    assert charts.slide_parts(huge) == [
        (charts.APPROVED, "Phase 4", "Phase 3", "Phase 2/3"),
        ("Phase 2",),
        ("Phase 1/2", "Phase 1"),
    ]


def test_titles_state_the_finding_from_the_data():
    m = _synthetic({"Phase 1": 4, "Phase 2": 7, "Phase 3": 3, charts.APPROVED: 1})
    assert (
        charts.grid_title(m)
        == "15 agents in progressive-MS trials: 3 at Phase 3, 1 approved for progressive MS"
    )
    late = (charts.APPROVED, "Phase 4", "Phase 3", "Phase 2/3")
    assert (
        charts.grid_title(m, late)
        == "4 agents at Phase 2/3 or beyond: 3 at Phase 3, 1 approved for progressive MS"
    )
    assert (
        charts.grid_title(m, ("Phase 2", "Phase 1/2", "Phase 1"))
        == "11 agents from Phase 1 to Phase 2: 7 at Phase 2"
    )
    one = _synthetic({"Phase 3": 1})
    assert charts.grid_title(one) == "1 agent in progressive-MS trials: 1 at Phase 3, none approved yet"
    # a part of one band (a slide of its own) says its count once
    assert charts.grid_title(m, ("Phase 2",)) == "7 agents at Phase 2"
    assert charts.grid_title(m, (charts.APPROVED,)) == "1 agent approved for progressive MS"


# --- pure builders: encodings --------------------------------------------------------------------


def _figure_markers(fig_json: dict) -> pd.DataFrame:
    rows = [
        {
            "marker_id": cd[0],
            "stage": cd[1],
            "trace": tr["name"],
            "colour": tr["marker"]["line"]["color"][i],
            "symbol": tr["marker"]["symbol"][i],
        }
        for tr in fig_json["data"]
        if tr.get("meta") == "pipeline-markers"
        for i, cd in enumerate(tr["customdata"])
    ]
    return pd.DataFrame(rows, columns=["marker_id", "stage", "trace", "colour", "symbol"])


def test_pipeline_figure_draws_every_marker_in_its_stage_and_family_colour(db):
    m = _markers(db, include_nondrug=True)
    fig = charts.pipeline_figure(
        m, _trials(db, include_nondrug=True), size_by="enrollment", title="t", subtitle="s"
    )
    drawn = _figure_markers(json.loads(fig.to_json())).set_index("marker_id")
    assert drawn["stage"].sort_index().to_dict() == m.set_index("marker_id")["stage"].sort_index().to_dict()
    assert drawn.loc["agent:ocrelizumab", "colour"] == style.FAMILY_COLOURS["B-cell depletion"]
    nd = drawn[drawn.index.str.startswith("nondrug:")]
    assert set(nd["colour"]) == {style.FAMILY_COLOURS[style.OTHER_FAMILY]} and set(nd["trace"]) == {"Other"}
    assert (nd["symbol"].str.startswith("square")).all()


@pytest.mark.parametrize("mark", list(charts.MARKS))
def test_the_fill_shows_the_chosen_property(db, mark):
    m = _markers(db)
    fig = json.loads(
        charts.pipeline_figure(m, NO_TRIALS, size_by="trials", title="t", subtitle="s", mark=mark).to_json()
    )
    drawn = _figure_markers(fig).set_index("marker_id")
    spec = charts.MARKS[mark]
    fills = spec.of(m.set_index("marker_id")[spec.column])["fill"].to_dict()
    for marker_id, symbol in drawn["symbol"].items():
        fill = fills[marker_id]
        shape = symbol.split("-")[0]
        expected = {
            "solid": shape,
            "open": f"{shape}-open",
            "dot": f"{shape}-open-dot",
            "x": f"{shape}-x-open" if shape in charts.X_SHAPES else f"{shape}-open",
        }[fill]
        assert symbol == expected, (marker_id, fill, symbol)
    key = next(a["text"] for a in fig["layout"]["annotations"] if a.get("name") == "pipeline_key")
    counts = [
        int(n) for n in re.findall(r"\((\d+)\)", key.split(f"Fill, {spec.title}:")[1].split("<br>Size")[0])
    ]
    assert sum(counts) == len(m)


def test_approved_is_a_band_of_its_own_above_phase_4_with_its_label_in_the_hover(db):
    m, t = _markers(db, PPMS), _trials(db, PPMS)
    fig = json.loads(charts.pipeline_figure(m, t, size_by="trials", title="t", subtitle="s").to_json())
    heads = [a["text"] for a in fig["layout"]["annotations"] if a.get("name") == "pipeline_band"]
    assert heads[0].startswith("<b>Approved for</b><br><b>progressive MS</b>") and heads[1].startswith(
        "<b>Phase 4</b>"
    )
    tr = next(
        tr
        for tr in fig["data"]
        if tr.get("meta") == "pipeline-markers" and ["agent:ocrelizumab", charts.APPROVED] in tr["customdata"]
    )
    hover = tr["hovertext"][tr["customdata"].index(["agent:ocrelizumab", charts.APPROVED])]
    assert "Approved for progressive MS — PPMS: FDA 2017; PPMS: EMA 2018" in hover
    lines = {
        cd[1]: -y
        for t_ in charts.pipeline_figure(m, t, size_by="trials", title="t", subtitle="s").data
        if t_.meta == "pipeline-markers"
        for cd, y in zip(t_.customdata, t_.y, strict=True)
    }
    assert lines[charts.APPROVED] < lines["Phase 3"]
    assert any(s["type"] == "line" for s in fig["layout"]["shapes"])  # the rule under the approved band


def test_highlighted_agents_get_a_ring_in_their_own_colour(db):
    m = _markers(db)
    fig = json.loads(
        charts.pipeline_figure(
            m,
            NO_TRIALS,
            size_by="trials",
            title="t",
            subtitle="s",
            highlight=["ocrelizumab", "no-such-agent"],
            highlight_note="new since the last snapshot",
        ).to_json()
    )
    ring = next(tr for tr in fig["data"] if tr.get("meta") == "pipeline-highlight")
    assert [cd[0] for cd in ring["customdata"]] == ["agent:ocrelizumab"]
    assert (
        ring["marker"]["color"] == [style.FAMILY_COLOURS["B-cell depletion"]]
        and ring["marker"]["symbol"] == "circle-open"
    )
    dot = _figure_markers(fig).set_index("marker_id").loc["agent:ocrelizumab"]
    assert dot.colour == ring["marker"]["color"][0]
    key = next(a["text"] for a in fig["layout"]["annotations"] if a.get("name") == "pipeline_key")
    assert f"{charts.RING_GLYPH} ringed: new since the last snapshot" in key
    plain_fig = json.loads(
        charts.pipeline_figure(m, NO_TRIALS, size_by="trials", title="t", subtitle="s").to_json()
    )
    assert not any(tr.get("meta") == "pipeline-highlight" for tr in plain_fig["data"])


# --- colour: few, distinguishable, one meaning -----------------------------------------------------

# Machado, Oliveira & Fernandes (2009) simulation matrices, severity 1.0, applied in linear RGB.
CVD = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]),
}  # fmt: skip


def _linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ np.clip(
        linear, 0, 1
    )
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> float:
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p, h2p = np.degrees(np.arctan2(b1, a1p)) % 360, np.degrees(np.arctan2(b2, a2p)) % 360
    dh = 0.0 if c1p * c2p == 0 else ((h2p - h1p + 180) % 360) - 180
    d_hp = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_bar, cp_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    h_bar = (h1p + h2p) / 2 + (180 if c1p * c2p and abs(h1p - h2p) > 180 else 0)
    t = 1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
    t += 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * cp_bar, 1 + 0.015 * cp_bar * t
    r_t = (
        -np.sin(np.radians(60 * np.exp(-(((h_bar - 275) / 25) ** 2))))
        * 2
        * np.sqrt(cp_bar**7 / (cp_bar**7 + 25**7))
    )
    terms = ((l2 - l1) / s_l, (c2p - c1p) / s_c, d_hp / s_h)
    return float(np.sqrt(sum(x * x for x in terms) + r_t * terms[1] * terms[2]))


def _contrast(a: str, b: str) -> float:
    lum = sorted((float(np.array([0.2126, 0.7152, 0.0722]) @ _linear(c)) for c in (a, b)), reverse=True)
    return (lum[0] + 0.05) / (lum[1] + 0.05)


def test_at_most_eight_families_and_other_cover_every_class():
    assert set(style.MECHANISM_FAMILIES) == set(agents.MECHANISM_CLASSES)
    assert set(style.MECHANISM_FAMILIES.values()) == set(style.FAMILY_COLOURS)
    assert len(style.FAMILY_COLOURS) <= 9 and style.OTHER_FAMILY in style.FAMILY_COLOURS
    assert len(set(style.FAMILY_COLOURS.values())) == len(style.FAMILY_COLOURS)


def test_family_colours_stay_apart_for_colour_blind_viewers_and_on_both_themes():
    """CIEDE2000 ≥ 10 between every two family colours under normal vision and simulated
    protanopia, deuteranopia and tritanopia; each colour visible on white and on the dark theme."""
    colours = list(style.FAMILY_COLOURS.values())
    for name, matrix in CVD.items():
        labs = {c: _lab(matrix @ _linear(c)) for c in colours}
        worst = min(((_ciede2000(labs[a], labs[b]), a, b) for a, b in itertools.combinations(colours, 2)))
        assert worst[0] >= 10, (name, worst)
    for c in colours:
        assert _contrast(c, "#FFFFFF") >= 1.9 and _contrast(c, "#0E1117") >= 1.9, c
    assert _ciede2000(_lab(_linear("#0072B2")), _lab(_linear("#0072B2"))) == 0


HEX = re.compile(r"#[0-9A-Fa-f]{6}")


def _page_colour_meanings(figs: list[dict]) -> dict[str, set[str]]:
    """Colour → what it means, across every figure of the page."""
    meanings: dict[str, set[str]] = {}
    for fig in figs:
        for tr in fig["data"]:
            marker = tr.get("marker", {})
            colours = [
                marker.get("color"),
                marker.get("line", {}).get("color"),
                marker.get("pattern", {}).get("fgcolor"),
            ]
            flat = [
                c
                for v in colours
                for c in (v if isinstance(v, list) else [v])
                if isinstance(c, str) and HEX.fullmatch(c)
            ]
            meaning = {"pipeline-markers": f"family:{tr.get('name')}", "pipeline-highlight": "family"}.get(
                tr.get("meta"), str(tr.get("meta"))
            )
            for c in flat:
                meanings.setdefault(c.upper(), set()).add(meaning)
        for a in fig["layout"].get("annotations", []):
            for colour, name in re.findall(
                r"color:(#[0-9A-Fa-f]{6})[^>]*>⬤</span> ([^<]+?)(?=\s{2,}|<br>|$|\s*<span)", a["text"]
            ):
                meanings.setdefault(colour.upper(), set()).add(f"family-key:{name.strip()}")
    return meanings


def test_no_colour_means_two_things_on_the_page(app_env):
    at = _page({"nondrug": "1", "highlight": "ocrelizumab"})
    figs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(figs) == 2
    meanings = _page_colour_meanings(figs)
    families = {c.upper(): f for f, c in style.FAMILY_COLOURS.items()}
    for colour, what in meanings.items():
        kinds = {w.split(":")[0] for w in what}
        if colour in families:
            named = {w.split(":", 1)[1] for w in what if ":" in w}
            assert kinds <= {"family", "family-key"}, (colour, what)  # never a status or anything else
            assert (
                len(named - {"Other, or non-drug", "non-drug (no drug mechanism)", "other, or non-drug"}) <= 1
            ), (colour, what)
        else:
            assert kinds == {"pipeline-timeline"}, (colour, what)
    assert charts.TIMELINE_INK.upper() in meanings and charts.TIMELINE_INK.upper() not in families
    assert sum(w.startswith("family-key") for v in meanings.values() for w in v) >= 5  # the key was read


# --- the timeline ------------------------------------------------------------------------------


def test_timeline_draws_dated_trials_only_with_status_as_a_fill_pattern(db):
    t = _trials(db)
    sel = charts.trials_of(t, list(t["marker_id"].unique()))
    assert sel["trial_id"].is_unique and set(sel["trial_id"]) == set(t["trial_id"])
    dated = sel[charts.has_dates(sel)]
    assert 0 < len(dated) < len(sel)  # the fixture has CTIS trials without dates
    fig = charts.timeline_figure(dated, as_of=pd.Timestamp("2025-09-25").date(), title="t", subtitle="s")
    drawn = [y for tr in fig.data for y in tr.y]
    assert len(drawn) == len(dated)
    starts = dated.sort_values("start_date")["trial_id"].tolist()
    order = [r.split(" · ")[0] for r in fig.layout.yaxis.categoryarray][::-1]
    assert order == starts
    status = charts.MARKS["status"].of(dated.set_index("trial_id")["status_group"])
    for tr in fig.data:
        ids = [y.split(" · ")[0] for y in tr.y]
        assert set(status.loc[ids, "words"]) == {tr.name}  # one status class a trace, named so
        assert (tr.marker.pattern.shape or "") == charts.BAR_PATTERNS[status.loc[ids[0], "fill"]]
        assert tr.marker.line.color == charts.TIMELINE_INK


def test_timeline_rows_keep_every_agent_name_whole():
    sel = pd.DataFrame(
        {
            "trial_id": ["NCT00000001"],
            "items": ["anti-CD20 antibody (unspecified), ocrelizumab, rituximab, ublituximab, ofatumumab, inebilizumab"],
            "start_date": [pd.Timestamp("2020-01-01")],
            "completion_date": [pd.Timestamp("2024-01-01")],
            "status_group": ["Completed"],
            "brief_title": ["x"], "phase": ["Phase 2"], "population": ["PPMS"],
        }
    )  # fmt: skip
    row = (
        charts.timeline_figure(sel, as_of=pd.Timestamp("2025-01-01").date(), title="t", subtitle="s")
        .data[0]
        .y[0]
    )
    assert "anti-CD20 antibody (unspecified)" in row and "…" not in row
    names = [n.strip() for n in re.split(r",|<br>", row.split(" · ", 1)[1].split(" + ")[0]) if n.strip()]
    assert all(n in sel["items"].iloc[0] for n in names) and " more" in row


# --- the page ------------------------------------------------------------------------------


def _page(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page("pages/pipeline.py").run()
    assert not at.exception, at.exception
    return at


def _page_markers(at: AppTest, chart: int = 0) -> pd.DataFrame:
    spec = json.loads(at.get("plotly_chart")[chart].proto.spec)
    return _figure_markers(spec)


def _per_stage(df: pd.DataFrame) -> dict[str, int]:
    return {str(stage): n for stage, n in df["stage"].value_counts().sort_index().items()}


def test_page_default_figure_equals_the_query(app_env, db):
    at = _page()
    drawn, expected = _page_markers(at), _markers(db)
    assert _per_stage(drawn) == _per_stage(expected)
    assert set(drawn["marker_id"]) == set(expected["marker_id"])
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["title"]["text"] == charts.grid_title(expected)
    assert "registries as of" in spec["layout"]["title"]["subtitle"]["text"]
    assert "Index date" not in at.get("plotly_chart")[0].proto.spec
    text = " ".join(m.value for m in at.markdown)
    assert "Mechanism classes with an agent at Phase 3" in text and "ocrelizumab" in text
    assert any("as of 2025-09-25" in c.value for c in at.caption)


def test_the_population_is_the_sidebars_filter_and_the_page_has_no_second_control(app_env, db):
    at = _page({"population": "ppms"})
    assert not [r for r in at.radio if r.label == "Population"] and "pipeline_pop" not in at.session_state
    expected = _markers(db, PPMS)
    assert _per_stage(_page_markers(at)) == _per_stage(expected)
    assert set(_page_markers(at)["marker_id"]) == set(expected["marker_id"])
    phase3 = next(m.value for m in at.markdown if "agent at Phase 3" in m.value)
    assert (
        "Approved for progressive MS" in phase3
        and "B\\-cell depletion \\(anti\\-CD20/CD19\\): ocrelizumab" in phase3
    )


def test_page_switches_change_the_figure_like_the_query(app_env, db):
    at = _page()
    at.radio(key="pipeline_mark").set_value("origin").run()
    at.toggle(key="pipeline_nondrug").set_value(True).run()
    assert not at.exception
    expected = _markers(db, include_nondrug=True)
    drawn = _page_markers(at).set_index("marker_id")
    assert _per_stage(drawn.reset_index()) == _per_stage(expected)
    novel = expected.loc[expected["origin"] == "novel", "marker_id"]
    assert len(novel) and all("-open" not in drawn.loc[i, "symbol"] for i in novel)
    assert at.query_params["mark"] == "origin" and at.query_params["nondrug"] == "1"


def test_page_reads_view_switches_from_the_url_and_ignores_bad_values(app_env, db):
    at = _page({"size": "enrollment", "support": "1", "nondrug": "maybe", "mark": "colour"})
    assert at.radio(key="pipeline_size").value == "enrollment"
    assert at.radio(key="pipeline_mark").value == "status"
    assert at.toggle(key="pipeline_nondrug").value is False
    notes = " ".join(i.value for i in at.info)
    assert "nondrug=`maybe`: not one of 0, 1" in notes and "mark=`colour`" in notes
    expected = _markers(db, include_supportive=True)
    assert _per_stage(_page_markers(at)) == _per_stage(expected)


def test_a_highlight_link_rings_its_agents_and_drops_a_bad_id(app_env):
    at = _page({"highlight": "tolebrutinib,not an id!"})
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    ring = next(tr for tr in spec["data"] if tr.get("meta") == "pipeline-highlight")
    assert [cd[0] for cd in ring["customdata"]] == ["agent:tolebrutinib"]
    assert any("highlight=`not an id!`" in i.value for i in at.info)
    assert any("Ringed: tolebrutinib" in m.value for m in at.markdown)
    assert at.query_params["highlight"] == "tolebrutinib"


def test_timeline_follows_the_chosen_agents(app_env, db):
    at = _page()
    at.radio(key="pipeline_tl_by").set_value("pick")
    at.multiselect(key="pipeline_pick").set_value(["agent:tolebrutinib"]).run()
    assert not at.exception
    expected = charts.trials_of(_trials(db), ["agent:tolebrutinib"])
    table = at.dataframe[-1].value
    assert sorted(table["Trial"]) == sorted(expected["url"])
    timeline = json.loads(at.get("plotly_chart")[-1].proto.spec)
    drawn = {y.split(" · ")[0] for tr in timeline["data"] for y in tr["y"]}
    assert drawn == set(expected.loc[charts.has_dates(expected), "trial_id"])
    undated = expected.loc[~charts.has_dates(expected), "trial_id"]
    text = " ".join(m.value for m in at.markdown)
    assert all(md_escape(t) in text for t in undated) and len(undated) > 0


def test_presenter_page_draws_slide_sized_figures(app_env, db):
    """Presenter mode: the grid in as many figures as fit a slide, each titled with its finding,
    every text 20 px or more (the footer is the presenter's own)."""
    at = _page({"present": "1", "nondrug": "1"})
    figs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    markers = _markers(db, include_nondrug=True)
    parts = charts.slide_parts(markers)
    assert len(figs) == len(parts) + 1  # the grid's parts, then the timeline
    for fig, stages in zip(figs, parts, strict=False):
        notes = {a.get("name"): a["text"] for a in fig["layout"]["annotations"]}
        assert notes["presenter_title"].replace("<br>", " ") == charts.grid_title(markers, stages)
    for fig in figs:
        small = [
            (plain(str(t))[:30], s)
            for t, s in _texts_with_sizes(fig)
            if s < 20 and not str(t).startswith("Source:")
        ]
        assert small == [], small
    assert text_px("abc", 20) > text_px("abc", 14) > 0
