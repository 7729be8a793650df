"""Therapy pipeline: progressive-MS agents by stage and mechanism, and the timeline of their trials.

The grid follows the annual Alzheimer's drug development pipeline graphic (Cummings et al.):
an agent sits in the column of the highest phase of its progressive-MS interventional trials.
View switches (population, marker size, non-drug, supportive agents) live in the URL with
readable keys (`pop=ppms`, `size=enrollment`, `nondrug=1`), validated against fixed lists.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from msprogress import data, page
from msprogress.charts import pipeline as charts
from msprogress.markup import md_code, md_escape, plotly_text

POPS = {"all": "All progressive MS", "ppms": "PPMS", "spms": "SPMS"}
SIZES = {"trials": "Number of trials", "enrollment": "Participants (enrollment)"}
FLAGS = ("0", "1")
# URL key → (widget key, allowed values, default); flags are toggles stored as bools
VIEW: dict[str, tuple[str, tuple[str, ...], str]] = {
    "pop": ("pipeline_pop", tuple(POPS), "all"),
    "mixed": ("pipeline_mixed", FLAGS, "0"),
    "size": ("pipeline_size", tuple(SIZES), "trials"),
    "nondrug": ("pipeline_nondrug", FLAGS, "0"),
    "support": ("pipeline_support", FLAGS, "0"),
}
DEFAULT_MECHANISM = "B-cell depletion (anti-CD20/CD19)"


def seed_view() -> list[str]:
    """Give each view widget its value: the URL's if valid, else the session's last, else default."""
    notices: list[str] = []
    saved = st.session_state.setdefault("_pipeline_view", {})
    for key, (wkey, allowed, default) in VIEW.items():
        if wkey in st.session_state:
            continue
        raw = st.query_params.get(key)
        value = raw if raw in allowed else saved.get(key, default)
        if raw is not None and raw not in allowed:
            notices.append(f"Ignored {key}={md_code(raw[:40], 40)}: expected one of {', '.join(allowed)}.")
        st.session_state[wkey] = value == "1" if allowed == FLAGS else value
    return notices


def view_value(key: str) -> str:
    wkey, allowed, _ = VIEW[key]
    v = st.session_state[wkey]
    return ("1" if v else "0") if allowed == FLAGS else str(v)


def write_view() -> None:
    """Mirror the view into the URL (defaults left out) and remember it for this session."""
    values = {key: view_value(key) for key in VIEW}
    st.session_state["_pipeline_view"].update(values)
    page.write_view(values, {key: default for key, (_, _, default) in VIEW.items()})


def view_controls() -> None:
    c = st.columns([3, 3, 2, 2])
    c[0].radio("Population", list(POPS), format_func=POPS.get, horizontal=True, key="pipeline_pop")
    c[0].checkbox(
        "Also count trials enrolling both PPMS and SPMS",
        key="pipeline_mixed",
        disabled=st.session_state["pipeline_pop"] == "all",
        help="Trials whose population is 'Mixed progressive'. Off: PPMS and SPMS are kept strictly apart.",
    )
    c[1].radio("Marker size", list(SIZES), format_func=SIZES.get, horizontal=True, key="pipeline_size")
    c[2].toggle(
        "Non-drug interventions",
        key="pipeline_nondrug",
        help="Rehabilitation, exercise, behavioural, device, diet/supplement and procedure arms "
        "without a named agent: one square per modality and stage.",
    )
    c[3].toggle(
        "Supportive agents",
        key="pipeline_support",
        help="Premedication, conditioning, vaccines, tracers, contrast agents and background "
        "standard-of-care therapy are hidden by default.",
    )


def index_date() -> tuple[str, date]:
    """'ClinicalTrials.gov 2025-09-25, CTIS 2025-09-24' and the newest of those dates."""
    names = {"ctgov": "ClinicalTrials.gov", "ctgov_api": "ClinicalTrials.gov API", "ctis": "CTIS"}
    srcs = data.snapshot().manifest.sources_with_rows(tuple(names))
    text = ", ".join(f"{names[s.source_id]} {s.as_of}" for s in srcs)
    return text, max(date.fromisoformat(s.as_of) for s in srcs)


def population_text(pop: str, mixed: bool) -> str:
    if pop == "all":
        return POPS["all"]
    return POPS[pop] + (" (incl. trials of both PPMS and SPMS)" if mixed else " only")


def grid_note(markers: pd.DataFrame, pop_text: str, size: str, nondrug: bool) -> str:
    """What the grid shows and how, for the caption under it."""
    early = int(((markers["item_kind"] == "agent") & (markers["early_phase1_trials"] > 0)).sum())
    is_na = (markers["item_kind"] == "non-drug") & (markers["stage"] == "Not applicable")
    parts = [
        f"Population: {pop_text}. An agent's stage is the highest phase of its progressive-MS "
        "interventional trials, or 'Approved for progressive MS' when a regulator's label approves it for "
        "PPMS or SPMS (the label is linked in the table below); its fill shows the most active status "
        "among its trials at its highest phase. Prophylaxis, premedication, conditioning and tracers "
        "given with the tested therapy are not agents.",
        f"Early phase 1 is counted as Phase 1 ({early} agents).",
        "Only interventions mapped to a canonical agent are drawn as agents; active comparators count.",
    ]
    if nondrug:
        parts.append(
            f"Non-drug trials are mostly not phased: {int(markers.loc[is_na, 'trials'].sum())} sit in the "
            "'Not phased (N/A)' column."
        )
    parts.append(
        "Marker size: participants summed over the agent's trials (actual or anticipated); agents whose "
        "trials state no enrollment get the smallest marker."
        if size == "enrollment"
        else "Marker size: number of trials."
    )
    parts.append("A trial registered in both ClinicalTrials.gov and CTIS counts twice.")
    return " ".join(parts)


def classes_text(markers: pd.DataFrame, stage: str) -> str:
    """A markdown list: mechanism class: agents at that stage."""
    found = charts.classes_at_stage(markers, stage)
    lines = (f"- {md_escape(cls)}: {md_escape(', '.join(names))}" for cls, names in found.items())
    return "\n".join(lines) or "- none"


def pick_from_chart() -> None:
    """Chart selection → the agents picked for the timeline (runs before the rerun)."""
    points = st.session_state["pipeline_chart"]["selection"]["points"]
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
        "Agents (or click / lasso markers on the chart)",
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


f = page.filters()

# 1. Title, notices, view switches ---------------------------------------------------------
st.title("Therapy pipeline for progressive MS")
page.show_notices()
for n in seed_view():
    st.info(n, icon="ℹ️")
st.markdown(
    "Each marker is an agent placed at the **highest phase** of its progressive-MS interventional "
    "trials, coloured by mechanism class. Placebo and control arms are not agents."
)
view_controls()
write_view()
pop, size = view_value("pop"), view_value("size")
mixed = pop != "all" and view_value("mixed") == "1"
args = (f, {"all": "all", "ppms": "PPMS", "spms": "SPMS"}[pop], mixed)
flags = (view_value("support") == "1", view_value("nondrug") == "1")
index_text, as_of = index_date()
pop_text = population_text(pop, mixed)

# 2. Data -----------------------------------------------------------------------------------
markers = data.pipeline_markers(*args, *flags)
trials = data.pipeline_trials(*args, *flags)
agents = markers[markers["item_kind"] == "agent"]

# 3. The pipeline grid ----------------------------------------------------------------------
if markers.empty:
    st.info(f"No progressive-MS interventional trials of agents match these filters ({pop_text}).")
    st.stop()
fig = data.pipeline_figure(
    *args,
    *flags,
    size=size,
    title=f"Progressive-MS therapy pipeline — {pop_text}: {len(agents)} agents by stage and mechanism",
    subtitle=f"Index date: {index_text} · marker size: {SIZES[size].lower()} · filters: {plotly_text(f.describe())}",
)
page.chart(
    fig,
    "pipeline_chart",
    page.TRIAL_SOURCES,
    f,
    on_select=pick_from_chart,
    selection_mode=("points", "box", "lasso"),
)
page.caption(page.TRIAL_SOURCES, f, extra=grid_note(markers, pop_text, size, nondrug=flags[1]))
st.markdown(
    f"**Mechanism classes with an agent at Phase 3 — {pop_text}:**\n{classes_text(markers, 'Phase 3')}\n\n"
    f"**Already beyond, at Phase 4:**\n{classes_text(markers, 'Phase 4')}\n\n"
    f"**Approved for progressive MS — {pop_text}:**\n{classes_text(markers, charts.APPROVED)}"
)

# 4. Tables behind the figure ---------------------------------------------------------------
with st.expander("Agents and groups behind the figure", expanded=False):
    page.table(
        charts.marker_table(markers),
        hide_index=True,
        width="stretch",
        column_config={
            "Reference": st.column_config.LinkColumn("Reference", display_text="source"),
            "Label": st.column_config.LinkColumn("Label", display_text="label"),
        },
    )
    page.caption(page.TRIAL_SOURCES, f, extra=f"Population: {pop_text}. Enrollment in participants.")
    page.table(charts.mechanism_stage_matrix(markers), hide_index=True, width="stretch")
    page.caption(page.TRIAL_SOURCES, f, extra=f"Agents per mechanism class and stage; {pop_text}.")

# 5. Trial timeline of a selection ----------------------------------------------------------
st.subheader("Trial timeline")
ids, what = timeline_selection(markers)
sel = charts.trials_of(trials, ids)
dated = sel[charts.has_dates(sel)]
drawn = charts.latest_started(dated)
capped = f"; the {len(drawn)} that started most recently drawn" if len(drawn) < len(dated) else ""
if dated.empty:
    st.info(f"No trial of {md_escape(what)} states both a start and a completion date.")
else:
    page.chart(
        charts.timeline_figure(
            drawn,
            as_of=as_of,
            title=f"Trials of {plotly_text(what)} ({len(dated):,} with dates{capped}), by start",
            subtitle=f"{pop_text} · coloured by status · index date {index_text}",
        ),
        "pipeline_timeline",
        page.TRIAL_SOURCES,
        f,
    )
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
page.table(
    charts.trial_table(sel),
    hide_index=True,
    width="stretch",
    column_config={
        "Trial": st.column_config.LinkColumn(
            "Trial", display_text=r"(NCT\d{8}|\d{4}-\d{6}-\d{2}-\d{2})", help="Opens the registry record"
        ),
        "Enrollment": st.column_config.NumberColumn("Enrollment", help="participants, actual or anticipated"),
    },
)
page.caption(
    page.TRIAL_SOURCES,
    f,
    extra=f"Trials of {md_escape(what)}; {pop_text}. Dates as registered (completion actual or anticipated).",
)
