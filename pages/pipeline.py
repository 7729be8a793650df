"""Therapy pipeline: progressive-MS agents by stage and mechanism, and the timeline of their trials.

The grid follows the annual Alzheimer's drug development pipeline graphic (Cummings et al.):
an agent sits in the band of the highest phase of its progressive-MS interventional trials, or
"Approved for progressive MS". The population (PPMS, SPMS …) is the sidebar's Population filter:
the page has no control of its own for it. View switches live in the URL with readable keys
(`size=enrollment`, `mark=origin`, `nondrug=1`, `support=1`), validated against fixed lists;
`highlight=<agent id>[,<agent id>…]` rings agents (the "What changed" page links with it).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import pandas as pd
import streamlit as st

from msprogress import data, page, presenter
from msprogress.charts import pipeline as charts
from msprogress.filters import Filters
from msprogress.markup import md_code, md_escape, plotly_text

SIZES = {"trials": "Number of trials", "enrollment": "Participants (enrollment)"}
MARKS = {"status": "Trial status", "origin": "Novel or repurposed", "sponsor": "Industry or academic"}
# The view in the URL; flags are toggles holding bools; `highlight` is seeded by `seed_highlight`.
VIEW = page.View(
    "pipeline",
    [
        page.Key("size", "pipeline_size", list(SIZES)),
        page.Key("mark", "pipeline_mark", list(MARKS)),
        page.flag("nondrug", "pipeline_nondrug"),
        page.flag("support", "pipeline_support"),
        page.Key("highlight", "pipeline_highlight"),
    ],
)
AGENT_ID = re.compile(r"[a-z0-9][a-z0-9.-]{0,60}")
DEFAULT_MECHANISM = "B-cell depletion (anti-CD20/CD19)"


def seed_highlight() -> list[str]:
    """The agents to ring, from the link on the first visit (`highlight=a,b` or repeated keys);
    a value that cannot be an agent id is dropped with a notice."""
    if "pipeline_highlight" in st.session_state:
        return []
    given = [v.strip() for raw in st.query_params.get_all("highlight") for v in raw.split(",") if v.strip()]
    good = [v for v in dict.fromkeys(given) if AGENT_ID.fullmatch(v)]
    st.session_state["pipeline_highlight"] = ",".join(good)
    return [f"Ignored highlight={md_code(v)}: not an agent id." for v in given if v not in good]


def view_controls() -> None:
    c = st.columns([3, 4, 3])
    c[0].radio("Marker size", list(SIZES), format_func=SIZES.get, horizontal=True, key="pipeline_size")
    c[1].radio(
        "Marker fill shows",
        list(MARKS),
        format_func=MARKS.get,
        horizontal=True,
        key="pipeline_mark",
        help="Trial status: of its trials at its stage. Novel: not approved for any use before its first "
        "progressive-MS trial; repurposed: approved for another use first (curated, with sources). "
        "Industry or academic: who leads its trials (the registries' sponsor class).",
    )
    c[2].toggle(
        "Non-drug interventions",
        key="pipeline_nondrug",
        help="Rehabilitation, exercise, behavioural, device, diet/supplement and procedure arms "
        "without a named agent: one square per modality and stage.",
    )
    c[2].toggle(
        "Supportive agents",
        key="pipeline_support",
        help="Premedication, conditioning, vaccines, tracers, contrast agents and background "
        "standard-of-care therapy are hidden by default.",
    )


def as_of_text() -> tuple[str, date]:
    """'registries as of 2025-09-25 (ClinicalTrials.gov) and 2025-09-24 (CTIS)' and the newest date."""
    names = {"ctgov": "ClinicalTrials.gov", "ctgov_api": "ClinicalTrials.gov API", "ctis": "CTIS"}
    srcs = data.snapshot().manifest.sources_with_rows(tuple(names))
    text = " and ".join(f"{s.as_of} ({names[s.source_id]})" for s in srcs)
    return f"registries as of {text}", max(date.fromisoformat(s.as_of) for s in srcs)


def method_note(markers: pd.DataFrame, size: str) -> str:
    """How the grid is made, for the expander under it."""
    early = int(((markers["item_kind"] == "agent") & (markers["early_phase1_trials"] > 0)).sum())
    parts = [
        "An agent's stage is the highest phase of its progressive-MS interventional trials, or "
        "*Approved for progressive MS* when a regulator's label approves it for PPMS or SPMS (for the "
        "populations the filters show; the label is linked in the table). "
        f"Early phase 1 counts as Phase 1 ({early} agents).",
        "Colour: the mechanism class grouped into 8 families and Other (the class is in the hover and "
        "the table). Shape: the agent's role. Fill: what *Marker fill shows* chooses. "
        + (
            "Size: participants summed over the agent's trials (actual or anticipated); agents whose "
            "trials state no enrollment get the smallest marker."
            if size == "enrollment"
            else "Size: number of trials."
        ),
        "Novel or repurposed is curated per agent with a source (data/reference/agents.csv): repurposed "
        "means approved for another use (relapsing MS or another disease) before its first "
        "progressive-MS trial.",
        "Prophylaxis, premedication, conditioning and tracers given with the tested therapy are not "
        "agents; placebo and control arms are not agents; active comparators count. Only interventions "
        "mapped to a canonical agent are drawn as agents. Non-drug trials are mostly not phased: they "
        "sit in the *Not phased (N/A)* band. A trial registered in both ClinicalTrials.gov and CTIS "
        "counts twice.",
    ]
    return "\n\n".join(parts)


def classes_text(markers: pd.DataFrame, stage: str) -> str:
    """A markdown list: mechanism class: agents at that stage."""
    found = charts.classes_at_stage(markers, stage)
    lines = [f"- {md_escape(cls)}: {md_escape(', '.join(names))}" for cls, names in found.items()]
    return "\n".join(lines) or "- none"


def pick_from_chart(key: str) -> None:
    """Chart selection → the agents picked for the timeline (runs before the rerun)."""
    points = st.session_state[key]["selection"]["points"]
    ids = [p["customdata"][0] for p in points if p.get("customdata")]
    if ids:
        st.session_state["pipeline_pick"] = list(dict.fromkeys(ids))
        st.session_state["pipeline_tl_by"] = "pick"


def marker_choice(markers: pd.DataFrame) -> dict[str, str]:
    """Marker id → 'Ocrelizumab (Phase 3)' for the agent picker."""
    text = charts.marker_texts(markers) + " (" + markers["stage"].map(charts.STAGE_LABELS) + ")"
    return dict(zip(markers["marker_id"], text, strict=True))


def groups_choice(markers: pd.DataFrame) -> dict[str, list[str]]:
    """Mechanism classes (agents) and non-drug modalities present → their marker ids."""
    out: dict[str, list[str]] = {}
    for cls in charts.mechanism_classes(markers):
        out[cls] = list(markers.loc[markers["mechanism_class"] == cls, "marker_id"])
    nd = markers[markers["item_kind"] == "non-drug"]
    for mod in sorted(nd["modality"].unique()):
        out[f"Non-drug: {mod}"] = list(nd.loc[nd["modality"] == mod, "marker_id"])
    return out


def timeline_selection(markers: pd.DataFrame) -> tuple[list[str], str]:
    """The selector under the chart; returns the marker ids and a description of them."""
    choices, groups = marker_choice(markers), groups_choice(markers)
    st.session_state["pipeline_pick"] = [i for i in st.session_state.get("pipeline_pick", []) if i in choices]
    if st.session_state.get("pipeline_tl_mech") not in groups:
        st.session_state["pipeline_tl_mech"] = (
            DEFAULT_MECHANISM if DEFAULT_MECHANISM in groups else next(iter(groups))
        )
    c = st.columns([2, 3, 3])
    by = c[0].radio(
        "Timeline of",
        ["group", "pick"],
        format_func={"group": "a mechanism class", "pick": "chosen agents"}.get,
        key="pipeline_tl_by",
    )
    group = c[1].selectbox("Mechanism class or non-drug modality", list(groups), key="pipeline_tl_mech")
    c[2].multiselect(
        "Agents (or click markers on the chart)",
        list(choices),
        format_func=choices.get,
        key="pipeline_pick",
    )
    picked = st.session_state["pipeline_pick"]
    if by == "pick" and not picked:
        st.info("No agents chosen yet: showing the mechanism class until you choose some.", icon="ℹ️")
    if by == "pick" and picked:
        return picked, ", ".join(markers.set_index("marker_id").loc[picked, "label"].astype(str))
    what = (
        f"non-drug {group.removeprefix('Non-drug: ')} interventions"
        if group.startswith("Non-drug")
        else f"{group} agents"
    )
    return groups[group], what


def ring_line(markers: pd.DataFrame, ids: list[str]) -> str | None:
    """Which ringed agents are drawn, and which the filters leave out; None when none is asked for."""
    if not ids:
        return None
    agents = markers[markers["item_kind"] == "agent"].set_index("item_id")["label"].astype(str)
    shown = [agents[i] for i in ids if i in agents.index]
    missing = [i for i in ids if i not in agents.index]
    text = f"{charts.RING_GLYPH} Ringed: {md_escape(', '.join(shown)) or 'none of them in this view'}."
    if missing:
        text += " Not in this view: " + ", ".join(md_code(i) for i in missing) + "."
    return text


def draw_grid(f: Filters, view: data.PipelineView, markers: pd.DataFrame, subtitle: str) -> None:
    """The grid; on a slide, split into as many figures as it needs to fit (see `slide_parts`)."""
    parts = charts.slide_parts(markers) if view.slide else [None]
    for i, stages in enumerate(parts):
        key = "pipeline_chart" if i == 0 else f"pipeline_chart_{i + 1}"
        fig = data.pipeline_figure(
            f,
            dataclasses.replace(view, stages=stages),
            title=charts.grid_title(markers, stages),
            subtitle=subtitle,
        )
        page.chart(
            fig,
            key,
            page.TRIAL_SOURCES,
            f,
            on_select=lambda k=key: pick_from_chart(k),
            selection_mode=("points", "box", "lasso"),
        )


f = page.filters()
slide = presenter.is_on()

# 1. Title, notices, view switches ---------------------------------------------------------
st.title("Therapy pipeline for progressive MS")
page.show_notices(*VIEW.seed(), *seed_highlight())
if not slide:
    st.markdown(
        "Each marker is an agent at the **highest phase** of its progressive-MS trials, coloured by "
        "mechanism. The population is the sidebar's *Population* filter."
    )
    view_controls()
view = VIEW.write()
ringed = [i for i in view.get("highlight", "").split(",") if i]
as_of_words, as_of = as_of_text()
pipeline_view = data.PipelineView(
    include_supportive=view["support"] == "1",
    include_nondrug=view["nondrug"] == "1",
    size=view["size"],
    mark=view["mark"],
    highlight=tuple(ringed),
    slide=slide,
)

# 2. Data -----------------------------------------------------------------------------------
markers = data.pipeline_markers(f, pipeline_view.include_supportive, pipeline_view.include_nondrug)
trials = data.pipeline_trials(f, pipeline_view.include_supportive, pipeline_view.include_nondrug)

# 3. The pipeline grid ----------------------------------------------------------------------
if markers.empty:
    st.info(
        f"No progressive-MS interventional trial of an agent matches these filters "
        f"({page.describe(f, markdown=True)}). "
        "Widen the filters in the sidebar (population, phase, status, years or country)."
    )
    st.stop()
note = ring_line(markers, ringed)
if note:
    st.markdown(note)
    if not slide:
        st.button("Clear the rings", on_click=lambda: st.session_state.update(pipeline_highlight=""))
draw_grid(f, pipeline_view, markers, f"{as_of_words} · marker size: {SIZES[view['size']].lower()}")
page.caption(page.TRIAL_SOURCES, f, extra="Agents at the highest phase of their progressive-MS trials.")
if not slide:
    with st.expander("How the grid is made"):
        st.markdown(method_note(markers, view["size"]))
st.markdown(
    f"**Mechanism classes with an agent at Phase 3:**\n{classes_text(markers, 'Phase 3')}\n\n"
    f"**Approved for progressive MS** (regulators' labels):\n{classes_text(markers, charts.APPROVED)}"
)

# 4. Tables behind the figure ---------------------------------------------------------------
with st.expander("Agents and groups behind the figure", expanded=False):
    page.table(
        charts.marker_table(markers),
        hide_index=True,
        width="stretch",
        column_config={
            "Reference": st.column_config.LinkColumn("Reference", display_text="source"),
            "Origin source": st.column_config.LinkColumn("Origin source", display_text="source"),
            "Label": st.column_config.LinkColumn("Label", display_text="label"),
        },
    )
    page.caption(page.TRIAL_SOURCES, f, extra="Enrollment in participants.")
    page.table(charts.mechanism_stage_matrix(markers), hide_index=True, width="stretch")
    page.caption(page.TRIAL_SOURCES, f, extra="Agents per mechanism class and stage.")

# 5. Trial timeline of a selection ----------------------------------------------------------
st.subheader("Trial timeline")
ids, what = timeline_selection(markers)
sel = charts.trials_of(trials, ids)
dated = sel[charts.has_dates(sel)]
drawn = charts.latest_started(dated, charts.TIMELINE_SLIDE_MAX if slide else charts.TIMELINE_MAX)
capped = f" · the {len(drawn)} that started most recently" if len(drawn) < len(dated) else ""
if dated.empty:
    st.info(f"No trial of {md_escape(what)} states both a start and a completion date.")
else:
    page.chart(
        charts.timeline_figure(
            drawn,
            as_of=as_of,
            title=charts.timeline_title(dated, plotly_text(what)),
            subtitle=f"By start; fill: trial status{capped} · {as_of_words}",
            look=charts.SLIDE if slide else charts.SCREEN,
        ),
        "pipeline_timeline",
        page.TRIAL_SOURCES,
        f,
    )
    page.caption(page.TRIAL_SOURCES, f, extra="Dates as registered (completion actual or anticipated).")
undated = sel[~charts.has_dates(sel)]
if not undated.empty:
    listed = list(undated["trial_id"].head(charts.TIMELINE_MAX))
    more = (
        f" … and {len(undated) - len(listed):,} more (all in the table below)"
        if len(listed) < len(undated)
        else ""
    )
    st.markdown(
        f"**Not drawn — no start or no completion date registered ({len(undated):,}):** "
        + md_escape(", ".join(listed))
        + more
    )
with st.expander(f"Trials of {md_escape(what)} ({len(sel):,})", expanded=False):
    page.table(
        charts.trial_table(sel),
        hide_index=True,
        width="stretch",
        column_config={
            "Trial": st.column_config.LinkColumn(
                "Trial", display_text=r"(NCT\d{8}|\d{4}-\d{6}-\d{2}-\d{2})", help="Opens the registry record"
            ),
            "Enrollment": st.column_config.NumberColumn(
                "Enrollment", help="participants, actual or anticipated"
            ),
        },
    )
    page.caption(page.TRIAL_SOURCES, f, extra=f"Trials of {md_escape(what)}.")
