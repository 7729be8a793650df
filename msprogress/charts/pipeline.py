"""Therapy-pipeline figures: the stage grid and the trial timeline, plus the frames behind them.

The grid follows the annual Alzheimer's disease drug development pipeline graphic (Cummings
et al.): stages are columns, each agent one marker in the column of its highest phase,
coloured by mechanism class, shaped by therapy role, sized by trials or participants, with
the status of its trials at that stage shown by fill (solid: recruiting or active; pale:
completed; open with an x: stopped or withdrawn; open with a dot: unknown). Non-drug
interventions have no agent, so they are grouped into one square per modality and stage.

NOTE: markers are placed on a fixed grid inside each column (filled top to bottom, then into
another sub-column), never jittered at random: the same data always give the same picture and
marker centres never coincide. Labels are drawn where the sub-column leaves room for them.
Pure: DataFrames in, figures out, no Streamlit.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from msprogress import schema, style
from msprogress.charts.common import layout
from msprogress.markup import plotly_text, plotly_texts

APPROVED = schema.APPROVED_STAGE  # a label approves the agent for PPMS or SPMS (agent_approvals)
STAGES = ("Phase 1", "Phase 1/2", "Phase 2", "Phase 2/3", "Phase 3", "Phase 4", APPROVED, "Not applicable")
# Column headers: name and qualifier on separate lines so narrow columns never overlap.
STAGE_HEADERS = {
    APPROVED: ("Approved", "for progressive MS"),
    "Not applicable": ("Not phased", "(N/A)"),
}
STAGE_LABELS = {
    "Phase 1": "Phase 1",
    "Phase 1/2": "Phase 1/2",
    "Phase 2": "Phase 2",
    "Phase 2/3": "Phase 2/3",
    "Phase 3": "Phase 3",
    "Phase 4": "Phase 4",
    APPROVED: APPROVED,
    "Not applicable": "Not phased (N/A)",
}
ROLE_SYMBOLS = {
    "disease-modifying": "circle",
    "symptomatic": "diamond",
    "supportive": "triangle-up",
    "diagnostic": "cross",
}
NONDRUG_SYMBOL = "square"
# status group → (status class shown in the key, symbol suffix, fill alpha); the outline stays
# opaque, so a pale (completed) marker keeps its colour ring on light and dark backgrounds
STATUS_STYLE = {
    "Recruiting": ("recruiting or active", "", 1.0),
    "Active, not recruiting": ("recruiting or active", "", 1.0),
    "Completed": ("completed", "", 0.3),
    "Stopped early": ("stopped or withdrawn", "-x-open", 1.0),
    "Withdrawn": ("stopped or withdrawn", "-x-open", 1.0),
    "Unknown": ("status unknown", "-open-dot", 1.0),
}
X_SHAPES = ("circle", "square", "diamond")  # shapes plotly draws with an "x" inside; others go plain open
SIZE_BY = {"trials": "trials", "enrollment": "enrollment_total"}
KEY_GREY = "#888888"

ROWS_CAP = 25  # markers per sub-column before a stage splits into another sub-column
PITCH_PX = 24  # vertical distance between marker centres
MIN_D, MAX_D = 9.0, 20.0  # marker diameters in px (MAX_D < PITCH_PX: neighbours never touch)
# NOTE: label room is estimated for a plot area ~950 px wide (a 1440 px screen with the sidebar
# open; the legends sit below the grid); wider screens show the same labels with more air.
# 7 px ≈ one character at 14 px.
PLOT_PX, CHAR_PX, MARKER_PX = 950, 7.0, 24
# Legends below the grid: fixed entry widths, so their rows can be reserved in the bottom margin.
# Rows are reserved for 3 entries a row (a ~900 px plot); wider plots fit 4 or more.
LEGEND_ROW_PX, MECH_ENTRY_PX, KEY_ENTRY_PX, LEGEND_PER_ROW = 31, 235, 200, 3
HOVER_TRIALS = 10
TIMELINE_MAX = 100  # bars the trial timeline draws at most (the most recent starts); the table lists all


def nondrug_title(modality: str) -> str:
    return modality[:1].upper() + modality[1:]


def _text(s: pd.Series) -> pd.Series:
    """Values as the text an f-string would give (a missing value reads 'nan' or 'None', as before)."""
    return s.astype(object).map(str)


def _shown(s: pd.Series) -> pd.Series:
    """_text made safe for plotly's pseudo-HTML (markup.plotly_text): names from registries and
    reference files are drawn as typed."""
    return plotly_texts(_text(s))


def _plural(n: pd.Series, noun: str) -> pd.Series:
    """'1 trial', '12 trials' for a column of counts."""
    n = n.astype("int64")
    return n.astype(str) + f" {noun}" + n.ne(1).map({True: "s", False: ""})


def _titled(modality: pd.Series) -> pd.Series:
    """nondrug_title over a column: first letter upper-cased."""
    t = _text(modality)
    return t.str[:1].str.upper() + t.str[1:]


def marker_texts(markers: pd.DataFrame) -> pd.Series:
    """marker_text over every row: the agent name, or 'Exercise · 12 trials'."""
    nondrug = _titled(markers["label"]) + " · " + _plural(markers["trials"], "trial")
    return _text(markers["label"]).where(markers["item_kind"] == "agent", nondrug)


def grid_labels(markers: pd.DataFrame) -> pd.Series:
    """grid_label over every row: the agent name, or 'Exercise (12)'."""
    nondrug = _titled(markers["label"]) + " (" + markers["trials"].astype("int64").astype(str) + ")"
    return _text(markers["label"]).where(markers["item_kind"] == "agent", nondrug)


def _n(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: max(n - 1, 1)] + "…"


def _clip_all(texts: pd.Series, n: int) -> pd.Series:
    """_clip over a column."""
    long = texts.str.len() > n
    return texts.where(~long, texts.str[: max(n - 1, 1)] + "…")


def shown_stages(markers: pd.DataFrame) -> list[str]:
    """Phase 1 to approved always (an empty column says 'none'); N/A only when it has markers."""
    has_na = bool((markers["stage"] == "Not applicable").any())
    return [s for s in STAGES if s != "Not applicable" or has_na]


def _order_key(markers: pd.DataFrame) -> pd.DataFrame:
    mech_order = {m: i for i, m in enumerate(style.MECHANISM_COLOURS)}
    mod_order = {m: i for i, m in enumerate(style.MODALITY_COLOURS)}
    role_order = {r: i for i, r in enumerate(ROLE_SYMBOLS)}
    is_agent = markers["item_kind"] == "agent"
    return pd.DataFrame(
        {
            "kind": (~is_agent).astype(int),
            "group": [
                mech_order.get(c, 99) if a else mod_order.get(m, 99)
                for a, c, m in zip(is_agent, markers["mechanism_class"], markers["modality"], strict=True)
            ],
            "role": markers["therapy_role"].map(role_order).fillna(9),
            "name": markers["label"].str.lower(),
            "id": markers["marker_id"],
        },
        index=markers.index,
    )


def stage_columns(markers: pd.DataFrame, rows_cap: int = ROWS_CAP) -> pd.DataFrame:
    """One row per shown stage: `subs` (sub-columns it needs), `left` edge and `centre` in plot
    units (one unit per sub-column), `rows` (markers per sub-column)."""
    stages = shown_stages(markers)
    counts = markers["stage"].value_counts()
    n = [int(counts.get(s, 0)) for s in stages]
    subs = [max(1, math.ceil(k / rows_cap)) for k in n]
    left = [float(sum(subs[:i])) for i in range(len(stages))]
    return pd.DataFrame(
        {
            "stage": stages,
            "n": n,
            "subs": subs,
            "rows": [math.ceil(k / s) for k, s in zip(n, subs, strict=True)],
            "left": left,
            "centre": [lo + s / 2 for lo, s in zip(left, subs, strict=True)],
        }
    )


def label_chars(units: float) -> int:
    """Characters of label that fit in one sub-column when the grid has `units` sub-columns."""
    return int((PLOT_PX / max(units, 1) - MARKER_PX) / CHAR_PX)


def grid_positions(markers: pd.DataFrame, rows_cap: int = ROWS_CAP) -> pd.DataFrame:
    """Place every marker on a deterministic grid: a column per stage, rows downward; a
    crowded stage gets more sub-columns (and so more width), so labels keep their room.

    Adds `col` (stage index), `sub` and `row` (grid cell), `x`, `y` (plot coordinates) and
    `text` (the label drawn beside the marker; empty when there is no room for 5 characters)."""
    cols = stage_columns(markers, rows_cap)
    chars = label_chars(float(cols["subs"].sum()))
    keys = _order_key(markers).sort_values(["kind", "group", "role", "name", "id"])
    out = markers.loc[keys.index].copy()
    out["col"] = out["stage"].map({s: i for i, s in enumerate(cols["stage"])})
    pos = out.groupby("col").cumcount()  # order within the stage (out is sorted)
    rows = out["col"].map(cols["rows"])
    out["sub"], out["row"] = pos // rows, pos % rows
    out["x"] = out["col"].map(cols["left"]) + out["sub"] + 0.1
    out["y"] = -out["row"].astype(float)
    out["text"] = plotly_texts(_clip_all(grid_labels(out), chars)) if chars >= 5 else ""
    return out


def marker_sizes(values: pd.Series) -> pd.Series:
    """Diameters with area proportional to the value; missing values get the smallest size."""
    v = pd.to_numeric(values, errors="coerce").astype(float)
    top = v.max()
    if not top or top != top:
        return pd.Series(MIN_D, index=values.index)
    return (MIN_D + (MAX_D - MIN_D) * (v.clip(lower=0) / top) ** 0.5).fillna(MIN_D)


def _trial_lines(trials: pd.DataFrame) -> pd.Series:
    """Per marker id: its first HOVER_TRIALS trials, one line each ('NCT… · Phase 2 · Recruiting ·
    PPMS', in the query's order), and '… and N more' when it has more."""
    head = trials.groupby("marker_id", sort=False).head(HOVER_TRIALS)
    line = _shown(head["trial_id"])
    for col in ("phase", "status_group", "population"):
        line = line + " · " + _shown(head[col])
    lines = line.groupby(head["marker_id"], sort=False).agg("<br>".join)
    more = trials.groupby("marker_id", sort=False).size() - HOVER_TRIALS
    more = more[more > 0]
    tail = ("<br>… and " + more.astype(str) + " more (select the marker to list them)").reindex(lines.index)
    return lines + tail.fillna("")


def _enrollment_texts(m: pd.DataFrame) -> pd.Series:
    """'1,234 participants (2 trials without a stated enrollment)' or 'enrollment not stated'."""
    total = m["enrollment_total"]
    stated = total.notna()
    enrol = pd.Series("enrollment not stated", index=m.index)
    enrol[stated] = total[stated].astype("int64").map("{:,} participants".format)
    missing = m["trials_no_enrollment"].fillna(0).astype("int64")
    without = " (" + _plural(missing, "trial") + " without a stated enrollment)"
    return enrol.where(missing == 0, enrol + without)


def hover_texts(markers: pd.DataFrame, trials: pd.DataFrame) -> pd.Series:
    """Hover text per marker: what it is, its stage and status, its trials (first few).

    NOTE: built with column operations, never row by row: `trials` grows with the data (tens of
    thousands of rows at 100x the real snapshot), and a row loop here once took most of a rerun."""
    m = markers
    what = (_shown(m["mechanism_class"]) + " · " + _shown(m["therapy_role"])).where(
        m["item_kind"] == "agent", "non-drug intervention: " + _shown(m["modality"])
    )
    early = m["early_phase1_trials"].fillna(0).gt(0).map({True: " (incl. early phase 1)", False: ""})
    stage = "Stage: " + _shown(m["stage"].map(STAGE_LABELS)) + early + ", " + _shown(m["stage_status"])
    ongoing = m["ongoing_trials"].astype("int64").astype(str) + " ongoing"
    counts = _plural(m["trials"], "trial") + ", " + ongoing + " · " + _enrollment_texts(m)
    text = "<b>" + _shown(m["label"]) + "</b><br>" + what + "<br>" + stage + "<br>" + counts
    lines = m["marker_id"].map(_trial_lines(trials))
    return text.where(lines.isna(), text + "<br>" + lines)


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _styled(markers: pd.DataFrame) -> pd.DataFrame:
    out = markers.copy()
    base = out["therapy_role"].map(ROLE_SYMBOLS).fillna(NONDRUG_SYMBOL)
    base = base.where(out["item_kind"] == "agent", NONDRUG_SYMBOL)
    suffix = out["stage_status"].map(lambda s: STATUS_STYLE.get(s, STATUS_STYLE["Unknown"])[1])
    out["symbol"] = [
        b + (sfx if sfx != "-x-open" or b in X_SHAPES else "-open")
        for b, sfx in zip(base, suffix, strict=True)
    ]
    alpha = out["stage_status"].map(lambda s: STATUS_STYLE.get(s, STATUS_STYLE["Unknown"])[2])
    out["colour"] = [
        style.MECHANISM_COLOURS.get(c, KEY_GREY) if k == "agent" else style.MODALITY_COLOURS.get(m, KEY_GREY)
        for k, c, m in zip(out["item_kind"], out["mechanism_class"], out["modality"], strict=True)
    ]
    out["fill"] = [_rgba(c, a) for c, a in zip(out["colour"], alpha, strict=True)]
    out["group"] = [
        c if k == "agent" else f"Non-drug: {m}"
        for k, c, m in zip(out["item_kind"], out["mechanism_class"], out["modality"], strict=True)
    ]
    return out


def _marker_traces(fig: go.Figure, placed: pd.DataFrame) -> None:
    """One trace per mechanism class / non-drug modality; its legend entry is a separate solid
    swatch (a data trace's legend symbol would copy its first marker's shape and fill)."""
    for group, g in placed.groupby("group", sort=False):
        colour = g["colour"].iloc[0]
        fig.add_trace(
            go.Scatter(
                x=g["x"],
                y=g["y"],
                mode="markers+text",
                name=plotly_text(group),
                legendgroup=plotly_text(group),
                showlegend=False,
                text=g["text"],
                textposition="middle right",
                textfont=dict(size=14),
                marker=dict(
                    symbol=g["symbol"],
                    size=g["size"],
                    color=g["fill"],
                    opacity=1,  # NOTE: plotly dims sized ("bubble") markers to 0.7 by default
                    line=dict(width=2, color=colour),
                ),
                customdata=g[["marker_id", "stage"]].to_numpy().tolist(),
                hovertext=g["hover"],
                hovertemplate="%{hovertext}<extra></extra>",
                meta="pipeline-markers",
            )
        )
        swatch = "circle" if g["item_kind"].iloc[0] == "agent" else NONDRUG_SYMBOL
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=plotly_text(group),
                legendgroup=plotly_text(group),
                marker=dict(symbol=swatch, size=13, color=colour),
                hoverinfo="skip",
            )
        )


def _key_traces(fig: go.Figure, placed: pd.DataFrame) -> None:
    """Grey entries in a second legend: what the shapes and fills mean."""
    roles = [r for r in ROLE_SYMBOLS if (placed["therapy_role"] == r).any()]
    entries = [(r, ROLE_SYMBOLS[r], 1.0) for r in roles]
    if (placed["item_kind"] == "non-drug").any():
        entries.append(("non-drug (per modality and stage)", NONDRUG_SYMBOL, 1.0))
    seen: list[str] = []
    for label, suffix, opacity in STATUS_STYLE.values():
        if label not in seen:
            seen.append(label)
            entries.append((label, "circle" + suffix, opacity))
    for label, symbol, opacity in entries:
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=label,
                legend="legend2",
                marker=dict(
                    symbol=symbol, size=13, color=_rgba(KEY_GREY, opacity), line=dict(width=2, color=KEY_GREY)
                ),
                hoverinfo="skip",
            )
        )


def _header(stage: str, n_agents: int, n_nondrug: int | None) -> str:
    """Four short lines: stage, qualifier, agents, non-drug trials (when non-drug is shown)."""
    name, qualifier = STAGE_HEADERS.get(stage, (plotly_text(stage), "&nbsp;"))
    lines = [f"<b>{name}</b>", qualifier, f"{n_agents} agent{'s' if n_agents != 1 else ''}"]
    if n_nondrug is not None:
        lines.append(f"+{n_nondrug} non-drug" if n_nondrug else "&nbsp;")
    return "<br>".join(lines)


def _stage_axis(fig: go.Figure, placed: pd.DataFrame, cols: pd.DataFrame, rows: int) -> None:
    ticks = []
    any_nondrug = bool((placed["item_kind"] == "non-drug").any())
    spans = zip(cols["stage"].astype(str), cols["left"].astype(float), cols["subs"].astype(int), strict=True)
    for i, (stage, left, subs) in enumerate(spans):
        g = placed[placed["col"] == i]
        n_nd = int(g.loc[g["item_kind"] == "non-drug", "trials"].sum())
        ticks.append(_header(stage, int((g["item_kind"] == "agent").sum()), n_nd if any_nondrug else None))
        if i % 2 == 0:
            fig.add_shape(
                type="rect",
                x0=left,
                x1=left + subs,
                y0=0,
                y1=1,
                yref="paper",
                fillcolor="rgba(128,128,128,0.10)",
                line_width=0,
                layer="below",
            )
    fig.update_xaxes(
        tickvals=list(cols["centre"]),
        ticktext=ticks,
        side="top",
        range=[0, float(cols["subs"].sum())],
        showgrid=False,
        zeroline=False,
        fixedrange=True,
        tickangle=0,
        tickfont=dict(size=15),
    )
    fig.update_yaxes(visible=False, range=[-(rows - 1) - 0.7, 0.7], fixedrange=True)


def titled(fig: go.Figure, title: str, subtitle: str) -> go.Figure:
    """A slide-sized title and a subtitle of at least 14 px (common.layout uses <sup>)."""
    fig.update_layout(
        title=dict(
            text=title,
            font=dict(size=21),
            subtitle=dict(text=subtitle, font=dict(size=15)),
            x=0,
            xanchor="left",
            y=1,
            yref="container",
            yanchor="top",
            pad=dict(t=12),
        )
    )
    return fig


def pipeline_figure(
    markers: pd.DataFrame, trials: pd.DataFrame, *, size_by: str, title: str, subtitle: str
) -> go.Figure:
    """markers: pipeline_markers rows; trials: pipeline_trials rows (for the hover lists).

    size_by: 'trials' or 'enrollment'. One trace per mechanism class or non-drug modality
    (legend 1), grey shape/fill keys in legend 2; customdata = [marker_id, stage]."""
    cols = stage_columns(markers)
    placed = grid_positions(markers)
    placed["size"] = marker_sizes(placed[SIZE_BY[size_by]])
    placed["hover"] = hover_texts(placed, trials)
    placed = _styled(placed)
    fig = go.Figure()
    _marker_traces(fig, placed)
    _key_traces(fig, placed)
    rows = max(int(cols["rows"].max()), 6)
    _stage_axis(fig, placed, cols, rows)
    n_keys = sum(1 for t in fig.data if t.legend == "legend2")
    mech_px = (math.ceil(placed["group"].nunique() / LEGEND_PER_ROW) + 1) * LEGEND_ROW_PX
    key_px = (math.ceil(n_keys / (LEGEND_PER_ROW + 1)) + 1) * LEGEND_ROW_PX
    bottom = mech_px + key_px + 20
    layout(fig, title, height=175 + rows * PITCH_PX + 45 + bottom)
    titled(fig, title, subtitle)
    fig.update_layout(
        margin=dict(l=10, r=10, t=175, b=bottom),
        hoverlabel=dict(font_size=14, align="left"),
        legend=dict(
            title=dict(text="Mechanism class (colour)", font=dict(size=15), side="top"),
            font=dict(size=14),
            orientation="h",
            entrywidth=MECH_ENTRY_PX,
            x=0,
            y=-0.01,
            yanchor="top",
        ),
        legend2=dict(
            title=dict(text="Shape: role · fill: status at stage  ", font=dict(size=15), side="top"),
            font=dict(size=14),
            orientation="h",
            entrywidth=KEY_ENTRY_PX,
            x=0,
            y=0,
            yref="container",
            yanchor="bottom",
        ),
    )
    return fig


# --- the frames behind the figures -------------------------------------------------------


TRIAL_COLUMNS = [
    "trial_id",
    "items",
    "url",
    "brief_title",
    "phase",
    "status_group",
    "population",
    "start_date",
    "completion_date",
    "enrollment",
    "sponsor",
    "registry",
]


def trials_of(trials: pd.DataFrame, marker_ids: list[str]) -> pd.DataFrame:
    """One row per trial of the given markers (columns TRIAL_COLUMNS); `items` joins the
    labels of the selected markers the trial belongs to. Sorted by start, undated last."""
    sel = trials[trials["marker_id"].isin(marker_ids)]
    pairs = pd.DataFrame({"trial_id": sel["trial_id"], "label": _text(sel["label"])}).drop_duplicates()
    pairs = pairs.sort_values("label")
    several = pairs["trial_id"].duplicated(keep=False)  # most trials belong to one selected marker
    joined = pairs[several].groupby("trial_id", sort=False)["label"].agg(", ".join)
    items = pd.concat([pairs[~several].set_index("trial_id")["label"], joined])
    one = sel.drop_duplicates("trial_id").assign(items=lambda d: d["trial_id"].map(items))
    return (
        one[TRIAL_COLUMNS].sort_values(["start_date", "trial_id"], na_position="last").reset_index(drop=True)
    )


def trial_table(sel: pd.DataFrame) -> pd.DataFrame:
    """The trials of a selection as shown: the registry link carries the trial id."""
    return pd.DataFrame(
        {
            "Trial": sel["url"],
            "Agents / groups": sel["items"],
            "Title": sel["brief_title"],
            "Phase": sel["phase"],
            "Status": sel["status_group"],
            "Population": sel["population"],
            "Start": pd.to_datetime(sel["start_date"]).dt.date,
            "Completion": pd.to_datetime(sel["completion_date"]).dt.date,
            "Enrollment": sel["enrollment"],
            "Sponsor": sel["sponsor"],
        }
    )


def marker_table(markers: pd.DataFrame) -> pd.DataFrame:
    """Agents and non-drug groups behind the grid, in grid order."""
    m = grid_positions(markers).sort_values(["col", "sub", "row"], ascending=[False, True, True])
    return pd.DataFrame(
        {
            "Agent or group": marker_texts(m),
            "Stage": m["stage"].map(STAGE_LABELS),
            "Status at stage": m["stage_status"],
            "Mechanism class": m["mechanism_class"].fillna("non-drug: " + m["modality"].fillna("")),
            "Role": m["therapy_role"],
            "Trials": m["trials"],
            "Trials at stage": m["trials_at_stage"],
            "Ongoing trials": m["ongoing_trials"],
            "Largest trial (participants)": m["enrollment_max"],
            "All trials (participants)": m["enrollment_total"],
            "Reference": m["reference_url"],
            "Approved for progressive MS": m["approval"],
            "Label": m["approval_url"],
        }
    )


def mechanism_classes(markers: pd.DataFrame) -> list[str]:
    """Mechanism classes of the agents shown, in palette order."""
    present = set(markers.loc[markers["item_kind"] == "agent", "mechanism_class"])
    return [c for c in style.MECHANISM_COLOURS if c in present] + sorted(
        present - set(style.MECHANISM_COLOURS)
    )


def has_dates(trials: pd.DataFrame) -> pd.Series:
    return trials["start_date"].notna() & trials["completion_date"].notna()


def latest_started(trials: pd.DataFrame, cap: int = TIMELINE_MAX) -> pd.DataFrame:
    """The `cap` trials that started most recently (all of them when there are no more): the
    timeline draws one bar per trial, and thousands of bars are neither readable nor quick."""
    if len(trials) <= cap:
        return trials
    return trials.sort_values(["start_date", "trial_id"], ascending=[False, True]).head(cap)


def timeline_figure(trials: pd.DataFrame, *, as_of: date, title: str, subtitle: str) -> go.Figure:
    """trials: rows of `trials_of` that have both dates. One bar per trial from start to
    completion, coloured by status group, earliest start at the top; a line at the index date."""
    d = trials.sort_values(["start_date", "trial_id"]).reset_index(drop=True)
    d["row"] = plotly_texts(d["trial_id"] + " · " + d["items"].map(lambda s: _clip(s, 28)))
    fig = go.Figure()
    for status, colour in style.STATUS_COLOURS.items():
        g = d[d["status_group"] == status]
        if g.empty:
            continue
        start = pd.to_datetime(g["start_date"])
        end = pd.to_datetime(g["completion_date"])
        fig.add_trace(
            go.Bar(
                y=g["row"],
                x=(end - start).dt.total_seconds() * 1000,
                base=start.dt.strftime("%Y-%m-%d"),
                orientation="h",
                name=status,
                marker_color=colour,
                customdata=g[["brief_title", "phase", "population", "start_date", "completion_date"]]
                .astype(str)
                .map(plotly_text)
                .to_numpy()
                .tolist(),
                hovertemplate=(
                    "<b>%{y}</b><br>%{customdata[0]}<br>%{customdata[1]} · %{customdata[2]}"
                    f" · {status}<br>%{{customdata[3]}} to %{{customdata[4]}}<extra></extra>"
                ),
            )
        )
    fig.add_shape(
        type="line",
        x0=as_of,
        x1=as_of,
        y0=0,
        y1=1,
        yref="paper",
        line=dict(dash="dot", width=2, color=KEY_GREY),
    )
    fig.add_annotation(
        x=as_of, y=1, yref="paper", yanchor="bottom", text=f"index date {as_of}", showarrow=False
    )
    fig.update_xaxes(type="date", title_text="trial start to completion (actual or anticipated), year")
    fig.update_yaxes(
        categoryorder="array", categoryarray=list(d["row"])[::-1], title_text=None, automargin=True
    )
    fig.update_traces(width=0.7)
    layout(fig, title, height=max(240, 150 + 32 * len(d)))
    titled(fig, title, subtitle)
    fig.update_layout(margin=dict(l=10, r=10, t=100, b=10))
    fig.update_layout(
        barmode="overlay", legend=dict(title=dict(text="Status", font=dict(size=15)), font=dict(size=14))
    )
    return fig


def classes_at_stage(markers: pd.DataFrame, stage: str) -> dict[str, list[str]]:
    """Mechanism class → agent names at that stage (agents only), in palette order."""
    g = markers[(markers["item_kind"] == "agent") & (markers["stage"] == stage)]
    order = {m: i for i, m in enumerate(style.MECHANISM_COLOURS)}
    out: dict[str, list[str]] = {}
    for cls in sorted(g["mechanism_class"].unique(), key=lambda c: order.get(c, 99)):
        out[cls] = sorted(g.loc[g["mechanism_class"] == cls, "label"].astype(str), key=str.lower)
    return out


def mechanism_stage_matrix(markers: pd.DataFrame) -> pd.DataFrame:
    """Agents per mechanism class (rows) and stage (columns); zero where none."""
    g = markers[markers["item_kind"] == "agent"]
    stages = [s for s in shown_stages(markers) if s in set(g["stage"]) or s != "Not applicable"]
    m = pd.crosstab(g["mechanism_class"], g["stage"]).reindex(columns=stages, fill_value=0)
    order = [c for c in style.MECHANISM_COLOURS if c in m.index]
    m = m.reindex(order)
    m.columns = [STAGE_LABELS[s] for s in m.columns]
    m["All stages"] = m.sum(axis=1)
    return m.rename_axis("Mechanism class").reset_index()
