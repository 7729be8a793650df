"""Therapy-pipeline figures: the stage grid and the trial timeline, plus the frames behind them.

The grid follows the annual Alzheimer's disease drug development pipeline graphic (Cummings et
al.): an agent is one marker at its highest stage, coloured by mechanism family
(`style.MECHANISM_FAMILIES`: 8 families and Other; the class itself is in the hover and the
tables), shaped by therapy role, sized by trials or participants, and filled by one property the
reader chooses (`MARKS`): the status of its trials at that stage, novel or repurposed, or who
leads its trials. "Approved for progressive MS" is a band of its own, apart from Phase 4.
Non-drug interventions have no agent: one grey square (no drug mechanism) per modality and stage.

NOTE: the grid is a band per stage (approved at the top, Phase 1 at the bottom), each a flow of
"marker + full name" chips, left to right, wrapping onto further lines. A column per stage (the
earlier design) left ~90 px a name at 1440 px and cut most names ("interferon bet…"); a flow
spends the width where the names are, so every name is drawn whole, at 14 px on a screen and
20 px on a slide (`Look`). Chips are placed in pixels for a design width (`Look.width`, widths
from `textmetrics`); a wider plot only adds air between them. Same data, same picture.
The shape, fill and ring keys are glyphs in the text colour, not grey markers, so no colour on
the page means anything but a mechanism family (the timeline's bars are one neutral grey, their
status a fill pattern).
Pure: DataFrames in, figures out, no Streamlit.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from msprogress import schema, style
from msprogress.charts.common import layout
from msprogress.charts.textmetrics import text_px, wrap_px
from msprogress.markup import plotly_text

APPROVED = schema.APPROVED_STAGE  # a label approves the agent for PPMS or SPMS (agent_approvals)
STAGES = ("Phase 1", "Phase 1/2", "Phase 2", "Phase 2/3", "Phase 3", "Phase 4", APPROVED, "Not applicable")
BANDS = tuple(reversed(STAGES[:-1])) + ("Not applicable",)  # top to bottom: approved first
STAGE_LABELS = {s: s for s in STAGES} | {"Not applicable": "Not phased (N/A)"}
BAND_NAMES = {APPROVED: ("Approved for", "progressive MS"), "Not applicable": ("Not phased", "(N/A)")}
NONDRUG_MODALITIES = ("rehabilitation", "exercise", "behavioural", "device", "diet/supplement", "procedure")

ROLE_SHAPES = {  # therapy role → (plotly symbol, the glyph the key shows for it)
    "disease-modifying": ("circle", "●"),
    "symptomatic": ("diamond", "◆"),
    "supportive": ("triangle-up", "▲"),
    "diagnostic": ("cross", "✚"),
}
NONDRUG_SHAPE = ("square", "■")
FILLS = {"solid": ("", "●"), "open": ("-open", "○"), "dot": ("-open-dot", "⊙"), "x": ("-x-open", "⊗")}
X_SHAPES = ("circle", "square", "diamond")  # shapes plotly draws with an "x" inside; others go plain open
RING_GLYPH = "◎"
SIZE_BY = {"trials": "trials", "enrollment": "enrollment_total"}
SIZE_WORDS = {"trials": "number of trials", "enrollment": "participants, all its trials"}


@dataclass(frozen=True)
class Mark:
    """What a marker's fill shows: a column of the markers, and per value its fill and words."""

    title: str
    column: str
    fills: dict[str, tuple[str, str]]
    missing: tuple[str, str]  # fill and words for an empty or unlisted value

    def of(self, values: pd.Series) -> pd.DataFrame:
        """Per marker: `fill` (a FILLS key) and `words`."""
        looked = [self.fills.get(v, self.missing) if isinstance(v, str) else self.missing for v in values]
        return pd.DataFrame(looked, columns=["fill", "words"], index=values.index)


ACTIVE = ("solid", "recruiting or active")
STOPPED = ("x", "stopped or withdrawn")
MARKS = {
    "status": Mark(
        "status of its trials at its stage",
        "stage_status",
        {
            "Recruiting": ACTIVE,
            "Active, not recruiting": ACTIVE,
            "Completed": ("open", "completed"),
            "Stopped early": STOPPED,
            "Withdrawn": STOPPED,
        },
        ("dot", "status unknown"),
    ),
    "origin": Mark(
        "novel or repurposed",
        "origin",
        {"novel": ("solid", "novel"), "repurposed": ("open", "repurposed (approved for another use first)")},
        ("dot", "not known"),
    ),
    "sponsor": Mark(
        "who leads its trials",
        "sponsors",
        {
            "industry": ("solid", "industry"),
            "academic/other": ("open", "academic or other"),
            "both": ("dot", "both"),
        },
        ("x", "sponsor not stated"),
    ),
}


@dataclass(frozen=True)
class Look:
    """Type and marker sizes of the grid, and the plot width (px) its chips are laid out for."""

    font: int
    width: int
    pitch: int  # px between two lines of chips
    min_d: float  # marker diameters, px
    max_d: float
    # NOTE: room for the band names and the key as an image export draws them: presenter.decorate
    # raises a chart's notes to 18 px, so a screen figure keeps room for 18 px notes (drawn at 14).
    notes: int


@dataclass(frozen=True)
class Band:
    """One stage's band: its stage, the lines of its name in the gutter, its top and bottom edges
    (in pitches below the plot's top)."""

    stage: str
    head: tuple[str, ...]
    top: float
    bottom: float


SCREEN = Look(font=14, width=930, pitch=26, min_d=9, max_d=20, notes=18)  # a 1440 px screen, sidebar open
SLIDE = Look(font=20, width=1700, pitch=32, min_d=12, max_d=24, notes=20)  # presenter mode at 1920 × 1080
# a deck slide's picture: 1192 px wide on a 1280 × 720 slide (deck.PICTURE_WIDTH), less the
# figure's 40 px of side margins, so the grid is drawn unscaled and its 20 px text reads as 15 pt
DECK = Look(font=20, width=1152, pitch=32, min_d=12, max_d=24, notes=20)
SLIDE_PLOT_PX = 470  # grid height a 1920 × 1080 slide has room for, under its titles and above its keys
HEAD_LEADING = 1.32  # line height of the band names, in font sizes (plotly draws ~1.3)
KEY_LEADING = 1.35  # … and of the key's lines
BAND_GAP = 0.3  # space between two bands, in pitches
HOVER_TRIALS = 10
TIMELINE_MAX = 100  # bars the trial timeline draws at most (the most recent starts); the table lists all
TIMELINE_SLIDE_MAX = 12  # … and on a slide (with its titles and footer, ≤ 860 px tall)
TIMELINE_INK = "#7A7A7A"  # the bars' one colour: their status is a fill pattern, not a hue
BAR_PATTERNS = {"solid": "", "open": "", "dot": ".", "x": "x"}


# --- words -----------------------------------------------------------------------------------


def _text(s: pd.Series) -> pd.Series:
    """Values as the text an f-string would give (a missing value reads 'nan' or 'None', as before)."""
    return s.astype(object).map(str)


def _shown(s: pd.Series) -> pd.Series:
    """Values from the data (registries, reference files) as plotly text: shown as typed, never
    markup or a template (markup.plotly_text)."""
    return _text(s).map(plotly_text)


def _plural(n: pd.Series, noun: str) -> pd.Series:
    """'1 trial', '12 trials' for a column of counts."""
    n = n.astype("int64")
    return n.astype(str) + f" {noun}" + n.ne(1).map({True: "s", False: ""})


def _n(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _titled(modality: pd.Series) -> pd.Series:
    """First letter upper-cased ('exercise' → 'Exercise')."""
    t = _text(modality)
    return t.str[:1].str.upper() + t.str[1:]


def marker_texts(markers: pd.DataFrame) -> pd.Series:
    """Per marker: the agent name, or 'Exercise · 12 trials'."""
    nondrug = _titled(markers["label"]) + " · " + _plural(markers["trials"], "trial")
    return _text(markers["label"]).where(markers["item_kind"] == "agent", nondrug)


def grid_labels(markers: pd.DataFrame) -> pd.Series:
    """The label drawn beside each marker, whole: the agent name, or 'Exercise (12)'."""
    nondrug = _titled(markers["label"]) + " (" + markers["trials"].astype("int64").astype(str) + ")"
    return _text(markers["label"]).where(markers["item_kind"] == "agent", nondrug)


def grid_title(markers: pd.DataFrame, stages: Sequence[str] | None = None) -> str:
    """The finding, from the data: '103 agents in progressive-MS trials: 15 at Phase 3, 3 approved
    for progressive MS'; for a part of the bands (one slide of several) its own agents:
    '27 agents at Phase 2/3 or beyond: …', '76 agents from Phase 1 to Phase 2: 35 at Phase 2',
    '35 agents at Phase 2'."""
    shown = [b for b in BANDS if stages is None or b in stages]
    a = markers[(markers["item_kind"] == "agent") & markers["stage"].isin(shown)]
    count = {s: int((a["stage"] == s).sum()) for s in shown}
    phased = [s for s in shown if s != "Not applicable"]
    if stages is None or set(phased) == set(BANDS[:-1]):
        span = "in progressive-MS trials"
    elif len(phased) == 1:  # one band: its count is the finding ('15 agents at Phase 3')
        span = "approved for progressive MS" if phased == [APPROVED] else f"at {phased[0]}"
        return f"{_n(len(a), 'agent')} {span}"
    elif APPROVED in phased:
        span = f"at {phased[-1]} or beyond"
    elif phased:
        span = f"from {phased[-1]} to {phased[0]}"
    else:
        span = "in trials that are not phased"
    found = [f"{count['Phase 3']} at Phase 3"] if "Phase 3" in count else []
    if APPROVED in count:
        found.append(
            f"{count[APPROVED]} approved for progressive MS" if count[APPROVED] else "none approved yet"
        )
    if not found and phased:
        top = max(phased, key=lambda s: count[s])
        found.append(f"{count[top]} at {top}")
    return f"{_n(len(a), 'agent')} {span}" + (": " + ", ".join(found) if found else "")


# --- layout: bands of chips ----------------------------------------------------------------------


def shown_stages(markers: pd.DataFrame) -> list[str]:
    """Phase 1 to approved always (an empty band says '0 agents'); N/A only when it has markers."""
    has_na = bool((markers["stage"] == "Not applicable").any())
    return [s for s in STAGES if s != "Not applicable" or has_na]


def _order_key(markers: pd.DataFrame) -> pd.DataFrame:
    """Sort keys inside a band: agents first, by family, class, role and name; then non-drug."""
    families = {f: i for i, f in enumerate(style.FAMILY_COLOURS)}
    classes = {c: i for i, c in enumerate(style.MECHANISM_FAMILIES)}
    family = markers["mechanism_class"].map(style.MECHANISM_FAMILIES).fillna(style.OTHER_FAMILY)
    is_agent = markers["item_kind"] == "agent"
    return pd.DataFrame(
        {
            "kind": (~is_agent).astype(int),
            "family": family.map(families),
            "group": markers["mechanism_class"]
            .map(classes)
            .fillna(markers["modality"].map({m: i for i, m in enumerate(NONDRUG_MODALITIES)})),
            "role": markers["therapy_role"].map({r: i for i, r in enumerate(ROLE_SHAPES)}).fillna(9),
            "name": _text(markers["label"]).str.lower(),
            "id": markers["marker_id"],
        },
        index=markers.index,
    )


def in_grid_order(markers: pd.DataFrame) -> pd.DataFrame:
    """The markers band by band (approved first), and in each band in chip order."""
    keys = _order_key(markers).assign(band=markers["stage"].map({b: i for i, b in enumerate(BANDS)}))
    return markers.loc[keys.sort_values(["band", "kind", "family", "group", "role", "name", "id"]).index]


def _band_heads(markers: pd.DataFrame, stages: Sequence[str]) -> list[list[str]]:
    """Per band: its name in bold, its agent count, and its non-drug trials when it has some.
    An empty band says so on its name's last line ('Phase 2/3: none'), one line high."""
    nondrug = markers["item_kind"] == "non-drug"
    heads = []
    for stage in stages:
        here = markers["stage"] == stage
        lines = [f"<b>{n}</b>" for n in BAND_NAMES.get(stage, (stage,))]
        agents, trials = int((here & ~nondrug).sum()), int(markers.loc[here & nondrug, "trials"].sum())
        if not agents and not trials:
            lines[-1] += ": none"
        elif agents:
            lines.append(_n(agents, "agent"))
        if trials:
            lines.append("+" + _n(trials, "non-drug trial"))
        heads.append(lines)
    return heads


def gutter_px(heads: list[list[str]], look: Look) -> float:
    """Width of the band names' column: the widest line, and one em of air."""
    return max(text_px(line, look.notes, bold=True) for head in heads for line in head) + look.font


def _slot(look: Look) -> float:
    """The room a marker takes in its chip: its largest size and its ring."""
    return look.max_d + 14


def chip_px(label: str, look: Look) -> float:
    """A chip: the marker's slot, its whole label, and one em of air before the next."""
    return _slot(look) + text_px(label, look.font) + look.font


def _flow_band(labels: Sequence[str], look: Look, gutter: float) -> tuple[list[tuple[float, int]], int]:
    """(marker centre x, line) per chip, left to right from the gutter, a new line when the next
    chip would pass the design width; and the number of lines (at least one)."""
    x, line, placed = gutter, 0, []
    for label in labels:
        width = chip_px(label, look)
        if x + width > look.width and x > gutter:
            x, line = gutter, line + 1
        placed.append((x + _slot(look) / 2, line))
        x += width
    return placed, line + 1


def flow(
    markers: pd.DataFrame, look: Look, stages: Sequence[str] | None = None
) -> tuple[pd.DataFrame, list[Band]]:
    """Place the markers of `stages` (default: every shown stage) band by band.

    Returns (placed, bands): placed is the markers in grid order with `x` (marker centre, px from
    the plot's left edge), `y` (line centre, in pitches below the top) and `text` (the whole
    label); bands are the `Band`s from the top down."""
    shown = [b for b in BANDS if b in shown_stages(markers) and (stages is None or b in stages)]
    heads = _band_heads(markers, shown)
    gutter = gutter_px(heads, look)
    ordered = in_grid_order(markers[markers["stage"].isin(shown)])
    parts, bands, top = [], [], 0.0
    for stage, head in zip(shown, heads, strict=True):
        g = ordered[ordered["stage"] == stage]
        labels = list(grid_labels(g))
        spots, lines = _flow_band(labels, look, gutter)
        height = max(float(lines), (len(head) * look.notes * HEAD_LEADING + 6) / look.pitch)
        parts.append(g.assign(x=[s[0] for s in spots], y=[top + 0.5 + s[1] for s in spots], text=labels))
        bands.append(Band(stage, tuple(head), top, top + height))
        top += height + BAND_GAP
    return pd.concat(parts), bands


def plot_px(bands: Sequence[Band], look: Look) -> int:
    """Height of the grid's plot area: its bands and the gaps between them."""
    return int(round(bands[-1].bottom * look.pitch)) + 4


def slide_parts(
    markers: pd.DataFrame, look: Look = SLIDE, budget: int = SLIDE_PLOT_PX
) -> list[tuple[str, ...]]:
    """The bands split into as few consecutive groups as fit a slide's grid height each (one group
    when all fit), the split chosen so the tallest group is as short as it can be: a crowded
    pipeline becomes two or more balanced slides, never an overflowing one. A single band taller
    than a slide is a group of its own (the only way it can be drawn whole); the bands around it
    are still grouped."""
    _, bands = flow(markers, look)
    heights = [(b.bottom - b.top + BAND_GAP) * look.pitch for b in bands]
    room = budget + BAND_GAP * look.pitch

    def tallest(parts: list[list[float]]) -> float:  # of the groups that must fit: not a lone band
        return max((sum(p) for p in parts if len(p) > 1), default=0.0)

    for k in range(1, len(bands) + 1):
        splits = [_split(heights, cuts) for cuts in itertools.combinations(range(1, len(bands)), k - 1)]
        fitting = [p for p in splits if tallest(p) <= room]
        if fitting:
            best = min(fitting, key=lambda parts: max(sum(p) for p in parts))
            sizes = [len(p) for p in best]
            starts = [sum(sizes[:i]) for i in range(k)]
            return [tuple(b.stage for b in bands[a : a + n]) for a, n in zip(starts, sizes, strict=True)]
    return [(b.stage,) for b in bands]  # a budget too small for any two bands: a band each


def _split(heights: list[float], cuts: tuple[int, ...]) -> list[list[float]]:
    """`heights` cut into consecutive runs before each index in `cuts`."""
    edges = [0, *cuts, len(heights)]
    return [heights[a:b] for a, b in itertools.pairwise(edges)]


# --- marker looks ---------------------------------------------------------------------------------


def marker_sizes(values: pd.Series, look: Look = SCREEN) -> pd.Series:
    """Diameters with area proportional to the value; missing values get the smallest size."""
    v = pd.to_numeric(values, errors="coerce").astype(float)
    top = v.max()
    if not top or top != top:
        return pd.Series(look.min_d, index=values.index)
    return (look.min_d + (look.max_d - look.min_d) * (v.clip(lower=0) / top) ** 0.5).fillna(look.min_d)


def families(markers: pd.DataFrame) -> pd.Series:
    """Per marker: its mechanism family (non-drug groups and unknown classes: Other)."""
    family = markers["mechanism_class"].map(style.MECHANISM_FAMILIES).fillna(style.OTHER_FAMILY)
    return family.where(markers["item_kind"] == "agent", style.OTHER_FAMILY)


def _styled(placed: pd.DataFrame, mark: Mark) -> pd.DataFrame:
    """Adds `family`, `colour`, `symbol` (role shape + fill), `fill` and `fill_words`."""
    out = placed.copy()
    out["family"] = families(out)
    out["colour"] = out["family"].map(style.FAMILY_COLOURS)
    shape = out["therapy_role"].map({r: s for r, (s, _) in ROLE_SHAPES.items()}).fillna(NONDRUG_SHAPE[0])
    shape = shape.where(out["item_kind"] == "agent", NONDRUG_SHAPE[0])
    fills = mark.of(out[mark.column])
    out["fill"], out["fill_words"] = fills["fill"], fills["words"]
    out["symbol"] = [
        b + (FILLS[f][0] if f != "x" or b in X_SHAPES else "-open")
        for b, f in zip(shape, out["fill"], strict=True)
    ]
    return out


# --- hover ------------------------------------------------------------------------------------------


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


def _origin_texts(m: pd.DataFrame) -> pd.Series:
    """'Repurposed: approved for hairy-cell leukaemia (FDA 1993)', 'Novel: …' or 'origin not known'."""
    origin = m["origin"].where(m["origin"].notna(), None)
    stated = origin.notna()
    out = pd.Series("novel or repurposed: not known", index=m.index)
    out[stated] = _titled(origin[stated]).map(plotly_text) + ": " + _shown(m.loc[stated, "origin_note"])
    return out.where(m["item_kind"] == "agent", "non-drug intervention")


def _sponsor_texts(m: pd.DataFrame) -> pd.Series:
    """'Trials led by industry: 3, by academic or other sponsors: 2'."""
    return (
        "Trials led by industry: "
        + m["industry_trials"].fillna(0).astype("int64").astype(str)
        + ", by academic or other sponsors: "
        + m["other_trials"].fillna(0).astype("int64").astype(str)
    )


def hover_texts(markers: pd.DataFrame, trials: pd.DataFrame) -> pd.Series:
    """Hover text per marker: what it is (class and family), its stage and status (the label's
    approval for an approved agent), novel or repurposed, sponsors, its trials (first few).

    NOTE: built with column operations, never row by row: `trials` grows with the data (tens of
    thousands of rows at 100x the real snapshot), and a row loop here once took most of a rerun."""
    m = markers
    what = (_shown(m["mechanism_class"]) + " · " + _shown(m["therapy_role"])).where(
        m["item_kind"] == "agent", "non-drug intervention: " + _shown(m["modality"])
    )
    early = m["early_phase1_trials"].fillna(0).gt(0).map({True: " (incl. early phase 1)", False: ""})
    approval = (" — " + _shown(m["approval"])).where(m["approval"].notna(), "")
    stage = "Stage: " + m["stage"].map(STAGE_LABELS) + approval + early + ", " + _shown(m["stage_status"])
    ongoing = m["ongoing_trials"].astype("int64").astype(str) + " ongoing"
    counts = _plural(m["trials"], "trial") + ", " + ongoing + " · " + _enrollment_texts(m)
    text = "<b>" + _shown(m["label"]) + "</b><br>" + what + "<br>" + stage + "<br>" + _origin_texts(m)
    text = text + "<br>" + counts + "<br>" + _sponsor_texts(m)
    lines = m["marker_id"].map(_trial_lines(trials))
    listed = lines.notna()
    text[listed] = text[listed] + "<br>" + lines[listed].astype(str)
    return text


# --- the grid figure ----------------------------------------------------------------------------------


def _band_shapes(fig: go.Figure, bands: Sequence[Band], look: Look) -> None:
    """A shaded strip behind every other band; a rule under the approved band (apart from Phase 4);
    the band's name, count and non-drug trials in the gutter."""
    for i, band in enumerate(bands):
        if i % 2 == 0:
            fig.add_shape(
                type="rect",
                xref="paper",
                x0=0,
                x1=1,
                y0=-band.top,
                y1=-band.bottom,
                fillcolor="rgba(128,128,128,0.10)",
                line_width=0,
                layer="below",
            )
        if band.stage == APPROVED:
            y = -band.bottom - BAND_GAP / 2
            fig.add_shape(
                type="line",
                xref="paper",
                x0=0,
                x1=1,
                y0=y,
                y1=y,
                line=dict(color="rgba(128,128,128,0.8)", width=2),
                layer="below",
            )
        fig.add_annotation(
            x=0,
            y=-band.top,
            xanchor="left",
            yanchor="top",
            align="left",
            showarrow=False,
            text="<br>".join(band.head),
            font=dict(size=look.font),
            name="pipeline_band",
        )


def _marker_traces(fig: go.Figure, placed: pd.DataFrame, look: Look) -> None:
    """Per mechanism family a trace of markers (hover, selection) and one of their labels, each
    label starting right after its chip's marker slot, whatever the marker's size or ring."""
    for family, g in placed.groupby("family", sort=False):
        fig.add_trace(
            go.Scatter(
                x=g["x"],
                y=-g["y"],
                mode="markers",
                name=str(family),
                legendgroup=str(family),
                showlegend=False,
                marker=dict(
                    symbol=g["symbol"],
                    size=g["size"],
                    color=g["colour"],
                    opacity=1,  # NOTE: plotly dims sized ("bubble") markers to 0.7 by default
                    line=dict(width=2, color=g["colour"]),
                ),
                customdata=g[["marker_id", "stage"]].to_numpy().tolist(),
                hovertext=g["hover"],
                hovertemplate="%{hovertext}<extra></extra>",
                meta="pipeline-markers",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=g["x"] + _slot(look) / 2 - 2,
                y=-g["y"],
                mode="text",
                text=g["text"].map(plotly_text),  # measured as typed, drawn escaped
                textposition="middle right",
                textfont=dict(size=look.font),
                cliponaxis=False,
                legendgroup=str(family),
                showlegend=False,
                hoverinfo="skip",
                meta="pipeline-labels",
            )
        )


def _swatch(colour: str) -> str:
    """A family's colour in the key: a large dot (NOTE: ● is drawn small, and plotly keeps a
    span's colour but not its font size)."""
    return f'<span style="color:{colour}">⬤</span>'


def _family_pieces(placed: pd.DataFrame) -> list[str]:
    """The colour key: a swatch and name per family shown; Other says when it holds non-drug."""
    nondrug = bool((placed["item_kind"] == "non-drug").any())
    other_agents = bool(((placed["family"] == style.OTHER_FAMILY) & (placed["item_kind"] == "agent")).any())
    other = {(True, True): "other, or non-drug", (False, True): "non-drug (no drug mechanism)"}
    pieces = []
    for family, colour in style.FAMILY_COLOURS.items():
        if (placed["family"] == family).any():
            name = other.get((other_agents, nondrug), family) if family == style.OTHER_FAMILY else family
            pieces.append(f"{_swatch(colour)} {name}")
    return pieces


def key_groups(placed: pd.DataFrame, mark: Mark, size_by: str, ring_note: str | None) -> list[list[str]]:
    """The key under the grid, one group per line or more, as pieces a line may break between:
    the colours (families), the shapes (roles), the fills (what `mark` shows, with counts), the
    size, and the ring when some markers are ringed. Colour is only ever a family's."""
    roles = [r for r in ROLE_SHAPES if (placed["therapy_role"] == r).any()]
    shapes = [f"{ROLE_SHAPES[r][1]} {r}" for r in roles]
    if (placed["item_kind"] == "non-drug").any():
        shapes.append(f"{NONDRUG_SHAPE[1]} non-drug, per modality and stage")
    fills = []
    for fill in FILLS:
        words = placed.loc[placed["fill"] == fill, "fill_words"]
        fills += [f"{FILLS[fill][1]} {w} ({n})" for w, n in words.value_counts(sort=False).items()]
    values = pd.to_numeric(placed[SIZE_BY[size_by]], errors="coerce").dropna()
    span = f" ({int(values.min()):,} to {int(values.max()):,})" if len(values) else ""
    last = [f"Size: {SIZE_WORDS[size_by]}{span}"] + (
        [f"{RING_GLYPH} ringed: {ring_note}"] if ring_note else []
    )
    return [
        g
        for g in (
            _headed("Colour, mechanism family: ", _family_pieces(placed)),
            _headed("Shape, role: ", shapes),
            _headed(f"Fill, {mark.title}: ", fills),
        )
        if g
    ] + [last]


def _headed(head: str, pieces: list[str]) -> list[str]:
    """A key group: its head before the first piece; none when there are no pieces (a slide of
    empty bands only)."""
    return [head + pieces[0], *pieces[1:]] if pieces else []


def _ring_trace(fig: go.Figure, placed: pd.DataFrame) -> None:
    """A ring in the marker's own colour around each highlighted marker."""
    ringed = placed[placed["ringed"]]
    fig.add_trace(
        go.Scatter(
            x=ringed["x"],
            y=-ringed["y"],
            mode="markers",
            showlegend=False,
            hoverinfo="skip",
            marker=dict(
                symbol="circle-open", size=ringed["size"] + 8, color=ringed["colour"], line=dict(width=2.5)
            ),
            customdata=ringed[["marker_id", "stage"]].to_numpy().tolist(),
            meta="pipeline-highlight",
        )
    )


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


def key_lines(groups: list[list[str]], look: Look) -> list[str]:
    """The key's lines: each group from a new line, wrapped at the design width."""
    return [line for g in groups for line in wrap_px(g, look.width * 0.97, look.notes, sep="    ")]


def _grid_layout(fig: go.Figure, bands: Sequence[Band], look: Look, key: list[str]) -> None:
    """Axes in design px (x) and pitches (y); the key under the plot, inside the figure."""
    plot = plot_px(bands, look)
    bottom = max(100, int(len(key) * look.notes * KEY_LEADING + 24))
    fig.update_xaxes(range=[0, look.width], visible=False, fixedrange=True)
    fig.update_yaxes(range=[-bands[-1].bottom - 0.1, 0.1], visible=False, fixedrange=True)
    fig.add_annotation(
        x=0,
        y=0,
        xref="paper",
        yref="paper",
        xanchor="left",
        yanchor="top",
        yshift=-10,
        align="left",
        showarrow=False,
        text="<br>".join(key),
        font=dict(size=look.font),
        name="pipeline_key",
    )
    fig.update_layout(
        height=80 + plot + bottom,
        width=look.width + 40,  # NOTE: the design width, for image exports; a page stretches it
        margin=dict(l=10, r=10, t=80, b=bottom),
        hoverlabel=dict(font_size=look.font, align="left"),
        showlegend=False,
    )


def pipeline_figure(
    markers: pd.DataFrame,
    trials: pd.DataFrame,
    *,
    size_by: str,
    title: str,
    subtitle: str,
    mark: str = "status",
    highlight: Sequence[str] = (),
    highlight_note: str = "named in the link",
    look: Look = SCREEN,
    stages: Sequence[str] | None = None,
) -> go.Figure:
    """markers: pipeline_markers rows; trials: pipeline_trials rows (for the hover lists).

    size_by: 'trials' or 'enrollment'; mark: a MARKS key (what the fill shows); highlight: agent
    ids (or marker ids) drawn with a ring, explained in the key as 'ringed: <highlight_note>';
    look: SCREEN or SLIDE; stages: the bands to draw (default all; see `slide_parts`).
    Per mechanism family a marker trace (customdata = [marker_id, stage]) and a label trace; the
    key (colours, shapes, fills, size, ring) is one annotation under the grid."""
    placed, bands = flow(markers, look, stages)
    placed = _styled(placed, MARKS[mark])
    placed["size"] = marker_sizes(placed[SIZE_BY[size_by]], look)
    placed["hover"] = hover_texts(placed, trials)
    ids = set(highlight)
    placed["ringed"] = (placed["item_kind"] == "agent") & (
        placed["item_id"].isin(ids) | placed["marker_id"].isin(ids)
    )
    fig = go.Figure()
    _band_shapes(fig, bands, look)
    _marker_traces(fig, placed, look)
    if placed["ringed"].any():
        _ring_trace(fig, placed)
    layout(fig, title)
    titled(fig, title, subtitle)
    ring_note = highlight_note if placed["ringed"].any() else None
    _grid_layout(fig, bands, look, key_lines(key_groups(placed, MARKS[mark], size_by, ring_note), look))
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
    "sponsor_class",
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
            "Sponsor class": sel["sponsor_class"],
        }
    )


def marker_table(markers: pd.DataFrame) -> pd.DataFrame:
    """Agents and non-drug groups behind the grid, in grid order (approved first)."""
    m = in_grid_order(markers)
    return pd.DataFrame(
        {
            "Agent or group": marker_texts(m),
            "Stage": m["stage"].map(STAGE_LABELS),
            "Status at stage": m["stage_status"],
            "Mechanism class": m["mechanism_class"].fillna("non-drug: " + m["modality"].fillna("")),
            "Mechanism family (colour)": families(m),
            "Role": m["therapy_role"],
            "Novel or repurposed": m["origin"],
            "Origin note": m["origin_note"],
            "Origin source": m["origin_source"],
            "Trials": m["trials"],
            "Trials at stage": m["trials_at_stage"],
            "Ongoing trials": m["ongoing_trials"],
            "Trials led by industry": m["industry_trials"],
            "Trials led by academic or other sponsors": m["other_trials"],
            "Largest trial (participants)": m["enrollment_max"],
            "All trials (participants)": m["enrollment_total"],
            "Reference": m["reference_url"],
            "Approved for progressive MS": m["approval"],
            "Label": m["approval_url"],
        }
    )


def mechanism_classes(markers: pd.DataFrame) -> list[str]:
    """Mechanism classes of the agents shown, in class order."""
    present = set(markers.loc[markers["item_kind"] == "agent", "mechanism_class"])
    return [c for c in style.MECHANISM_FAMILIES if c in present] + sorted(
        present - set(style.MECHANISM_FAMILIES)
    )


def classes_at_stage(markers: pd.DataFrame, stage: str) -> dict[str, list[str]]:
    """Mechanism class → agent names at that stage (agents only), in class order."""
    g = markers[(markers["item_kind"] == "agent") & (markers["stage"] == stage)]
    return {
        cls: sorted(g.loc[g["mechanism_class"] == cls, "label"].astype(str), key=str.lower)
        for cls in mechanism_classes(g)
    }


def mechanism_stage_matrix(markers: pd.DataFrame) -> pd.DataFrame:
    """Agents per mechanism class (rows) and stage (columns); zero where none."""
    g = markers[markers["item_kind"] == "agent"]
    stages = [s for s in shown_stages(markers) if s in set(g["stage"]) or s != "Not applicable"]
    m = pd.crosstab(g["mechanism_class"], g["stage"]).reindex(columns=stages, fill_value=0)
    m = m.reindex(mechanism_classes(g))
    m.columns = [STAGE_LABELS[s] for s in m.columns]
    m["All stages"] = m.sum(axis=1)
    return m.rename_axis("Mechanism class").reset_index()


# --- the trial timeline -------------------------------------------------------------------------


def has_dates(trials: pd.DataFrame) -> pd.Series:
    return trials["start_date"].notna() & trials["completion_date"].notna()


def latest_started(trials: pd.DataFrame, cap: int = TIMELINE_MAX) -> pd.DataFrame:
    """The `cap` trials that started most recently (all of them when there are no more): the
    timeline draws one bar per trial, and thousands of bars are neither readable nor quick."""
    if len(trials) <= cap:
        return trials
    return trials.sort_values(["start_date", "trial_id"], ascending=[False, True]).head(cap)


def timeline_title(dated: pd.DataFrame, what: str) -> str:
    """The finding: 'Trials of BTK inhibition agents: 9 with dates, 5 recruiting or active'
    (`what` as plotly text: the page escapes the names it holds)."""
    active = int(dated["status_group"].isin(["Recruiting", "Active, not recruiting"]).sum())
    return f"Trials of {what}: {len(dated):,} with dates, {active:,} recruiting or active"


def _row_label(trial_id: str, items: str) -> str:
    """'NCT… · ocrelizumab, rituximab': every name whole, onto a second line when long, and
    '+ N more' rather than a third line."""
    names = items.split(", ")
    lines = wrap_px(names, 260, 14, sep=", ")
    shown = ", ".join(lines[:2]).count(", ") + 1
    more = f" + {len(names) - shown} more" if shown < len(names) else ""
    return f"{plotly_text(trial_id)} · " + ",<br>".join(plotly_text(line) for line in lines[:2]) + more


def _status_bar(g: pd.DataFrame, fill: str, words: str) -> go.Bar:
    """The bars of one status class: one grey, the status in the fill (solid, outline, dots, x)."""
    start, end = pd.to_datetime(g["start_date"]), pd.to_datetime(g["completion_date"])
    pattern = dict(shape=BAR_PATTERNS[fill], fgcolor=TIMELINE_INK, bgcolor="rgba(0,0,0,0)", solidity=0.35)
    return go.Bar(
        y=g["row"],
        x=(end - start).dt.total_seconds() * 1000,
        base=start.dt.strftime("%Y-%m-%d"),
        orientation="h",
        name=words,
        marker=dict(
            color=TIMELINE_INK if fill == "solid" else "rgba(0,0,0,0)",
            line=dict(color=TIMELINE_INK, width=2),
            pattern=pattern,
        ),
        customdata=g[["brief_title", "phase", "population", "status_group", "start_date", "completion_date"]]
        .astype(str)
        .map(plotly_text)  # a registry's title is text, never markup
        .to_numpy()
        .tolist(),
        hovertemplate=(
            "<b>%{y}</b><br>%{customdata[0]}<br>%{customdata[1]} · %{customdata[2]} · %{customdata[3]}"
            "<br>%{customdata[4]} to %{customdata[5]}<extra></extra>"
        ),
        meta="pipeline-timeline",
    )


def timeline_figure(
    trials: pd.DataFrame, *, as_of: date, title: str, subtitle: str, look: Look = SCREEN
) -> go.Figure:
    """trials: rows of `trials_of` that have both dates. One bar per trial from start to
    completion, earliest start at the top, its status as a fill pattern (the grid's fills:
    solid recruiting or active, outline completed, x stopped, dots unknown); a line at the
    registries' as-of date."""
    d = trials.sort_values(["start_date", "trial_id"]).reset_index(drop=True)
    d["row"] = [_row_label(t, i) for t, i in zip(d["trial_id"], d["items"].astype(str), strict=True)]
    status = MARKS["status"].of(d["status_group"])
    fig = go.Figure()
    for fill in FILLS:
        here = status["fill"] == fill
        if here.any():
            fig.add_trace(_status_bar(d[here], fill, str(status.loc[here, "words"].iloc[0])))
    fig.add_shape(
        type="line",
        x0=as_of,
        x1=as_of,
        y0=0,
        y1=1,
        yref="paper",
        line=dict(dash="dot", width=2, color=TIMELINE_INK),
    )
    fig.add_annotation(
        x=as_of,
        y=1,
        yref="paper",
        yanchor="bottom",
        text=f"registries as of {as_of}",
        showarrow=False,
        font=dict(size=look.font),
    )
    fig.update_xaxes(type="date", title_text="trial start to completion (actual or anticipated), year")
    fig.update_yaxes(
        categoryorder="array", categoryarray=list(d["row"])[::-1], title_text=None, automargin=True
    )
    fig.update_traces(width=0.7)
    bar_px = max(34, 2 * look.font)
    layout(fig, title, height=max(240, 150 + bar_px * len(d)))
    titled(fig, title, subtitle)
    fig.update_layout(
        margin=dict(l=10, r=10, t=100, b=10),
        barmode="overlay",
        font=dict(size=look.font),
        legend=dict(title=dict(text="Status (fill)", font=dict(size=look.font)), font=dict(size=look.font)),
        hoverlabel=dict(font_size=look.font),
    )
    fig.update_xaxes(tickfont=dict(size=look.font), title_font=dict(size=look.font))
    fig.update_yaxes(tickfont=dict(size=look.font))
    return fig
