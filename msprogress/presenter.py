"""Presenter mode: the app as 16:9 slides for a projector, and the "export look" of every chart.

Switched on by the sidebar toggle or `?present=1`. A page is a sequence of slides, the sections
it opens with `page.slide(...)`: one is shown at a time (the others are drawn but hidden by the
stylesheet, so their widgets keep their state), and the slide bar under it steps through them
and on to the next page (the ← / → keys too). The slide shown is in the URL (`slide=2`; the
previous page is entered at `slide=last`); a bad value is ignored with a notice. Every text is
at least MIN_FONT px, and a slide fits a 1920×1080 screen (`SLIDE_CHART_PX` is a chart's share).

`decorate` is pure (no Streamlit): the image and deck exports use the same figure, so a chart
pasted into a slide carries its title, filters and source.
"""

from __future__ import annotations

import html
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from msprogress import style, textfit
from msprogress.markup import md_code, md_escape

KEY = "w_present"  # the sidebar toggle's widget key; URL key `present=1`
SLIDE = "slide"  # URL key of the slide shown (1-based, or "last")
INK = "#111111"
GRID = "#d0d0d0"
MIN_FONT = 20  # no text on a slide or in an exported chart is smaller (px)
CHART_FONT = 22  # axis titles and the chart's general type
TITLE_FONT = 32  # chart titles as large as the page's titles
SUB_FONT = 22  # the subtitle (what is counted, the filters): body-sized, not fine print
FOOTER_FONT = MIN_FONT
LINE = 1.3  # plotly's line height, in font sizes
PAD = 16  # px between the figure's left edge and its title
FIGURE_WIDTH = 1280  # layout px of an exported chart (PNG at 2×): the width its text is wrapped to
SLIDE_WIDTH = 1760  # a chart's width on a 1920×1080 slide
SLIDE_CHART_PX = 700  # a chart's height on a 1920×1080 slide, with the page title and slide bar
ROW_CHARS = 120  # characters a one-line table row holds across a slide at 20 px
MAX_COLUMNS = 8  # columns a table shows on a slide
CARTESIAN = {"bar", "scatter", "scattergl", "heatmap", "box", "histogram"}
HIDDEN = "msp_hidden_slide_"  # + slide number: the key (CSS class st-key-…) of a slide not shown
SLIDEBAR = "msp_slidebar"
SLIDE_NUMBER = "msp_slidenumber"  # "Funding over time · 2 / 4" (tests read it)

# NOTE: Streamlit 1.67 test ids, checked in Chromium. The sidebar, its collapsed-control and
# the header (with toolbar and deploy/main menu) are hidden; the main block uses the full width;
# the slides not shown are hidden (their containers' keys say so: `slide_key`).
CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stHeader"], [data-testid="stToolbar"],
[data-testid="stDecoration"], [data-testid="stStatusWidget"] { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container {
  max-width: 1840px !important; padding: 0.75rem 2.5rem 0.25rem 2.5rem !important; }
.stApp, [data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stMetricLabel"] p, [data-testid="stWidgetLabel"] p, .stApp button p,
[data-testid="stExpander"] summary p, [data-testid="stAlertContainer"] p,
[data-testid="stPageLink"] p, [data-testid="stTab"] p {
  font-size: 24px !important; line-height: 1.35 !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
.stApp code, .stApp input, .stApp [data-baseweb="select"] div, [data-testid="stTooltipIcon"],
[data-testid="stAlertDynamicIcon"], [data-testid="stIconEmoji"] {
  font-size: 22px !important; }
[data-testid="stTable"] td, [data-testid="stTable"] th,
[data-testid="stTable"] td *, [data-testid="stTable"] th * {
  font-size: 20px !important; line-height: 1.25 !important; }
[data-testid="stTable"] td, [data-testid="stTable"] th { padding: 0.2rem 0.5rem !important; }
[data-testid="stTable"] td, [data-testid="stTable"] td * {
  white-space: nowrap !important; overflow: hidden; text-overflow: ellipsis; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] div { font-size: 52px !important; }
[data-testid="stMetricValue"] p { font-size: 52px !important; }
.stApp h1 { font-size: 40px !important; padding: 0 0 0.25rem 0 !important; }
.stApp h2 { font-size: 34px !important; padding: 0.25rem 0 !important; }
.stApp h3 { font-size: 30px !important; padding: 0.25rem 0 !important; }
[class*="st-key-msp_hidden_slide_"] { display: none !important; }
[data-testid="stLayoutWrapper"]:has(> [class*="st-key-msp_hidden_slide_"]) { display: none !important; }
.st-key-msp_slidebar { border-top: 1px solid #8888; padding-top: 0.5rem; }
.st-key-msp_controls { position: fixed !important; top: 0.75rem; right: 2.5rem; z-index: 99;
  width: auto !important; }
</style>
"""


def is_on() -> bool:
    """Presenter mode for this run: the toggle once drawn, else the URL."""
    if KEY in st.session_state:
        return bool(st.session_state[KEY])
    return st.query_params.get("present") == "1"


# --- the export look of a chart ------------------------------------------------------------------

SIZING_TAGS = re.compile(r"</?(?:sup|sub|span|small|b|i)\b[^>]*>")  # a chart's own subtitle sizing


def _lines(text: object) -> list[str]:
    return [SIZING_TAGS.sub("", t).strip() for t in str(text or "").split("<br>") if t.strip()]


def _header_notes(fig: go.Figure) -> list[Any]:
    """The chart's own left-aligned notes pinned above the plot (not a label tied to a data x,
    like a coverage band's, nor a centred subplot title): they join the subtitle."""
    return [
        a
        for a in fig.layout.annotations
        if a.xref == "paper" and a.yref == "paper" and (a.y or 0) >= 1 and a.xanchor == "left"
    ]


def heading(fig: go.Figure, name: str, filters_text: str) -> tuple[str, list[str]]:
    """The main title (its first line, else `name`) and the subtitle pieces: the rest of the
    title, plotly's own subtitle, the notes above the plot, then the filters unless said."""
    raw = [p.strip() for p in str(fig.layout.title.text or "").split("<br>") if p.strip()]
    sized = [p.startswith(("<span", "<sup", "<sub", "<small")) for p in raw]
    cut = sized.index(True) if True in sized else min(len(raw), 1)  # a plain title's first line only
    # NOTE: a chart wraps its title and subtitle for the screen: the lines are joined and wrapped
    # again for the width shown; a subtitle is the title's lines set in a smaller size
    main = " ".join(_lines("<br>".join(raw[:cut]))) or name
    own = " ".join(_lines("<br>".join(raw[cut:])))
    subs = ([own] if own else []) + _lines(fig.layout.title.subtitle.text)
    subs += [t for a in _header_notes(fig) for t in _lines(a.text)]
    if filters_text and filters_text.lower() not in " ".join(subs).lower():
        subs.append(f"Filters: {filters_text}")
    return main, subs


def _legend_rows(fig: go.Figure) -> int:
    """Rows a horizontal legend of the figure's named traces needs at MIN_FONT across FIGURE_WIDTH."""
    names = [
        str(t.name) for t in fig.data if t.showlegend is not False and t.name and t.legend in (None, "legend")
    ]
    entries = sum(textfit.width(n, MIN_FONT) + 48 for n in names)
    return max(1, -(-int(entries) // (FIGURE_WIDTH - 2 * PAD)))


def _legend_below(fig: go.Figure) -> bool:
    legend = fig.layout.legend
    return legend.orientation == "h" and legend.y is not None and legend.y < 0 and legend.yref != "container"


def _bottom_space(fig: go.Figure) -> int:
    """Room under the plot for ticks, axis title and a legend placed below (px), so the footer
    sits under them rather than on them."""
    space = int(fig.layout.margin.b or 0)
    if space >= 100:  # the chart reserved its own room (legends below the plot)
        return space
    if any("xaxis" in k for k in fig.layout.to_plotly_json()) or any(t.type in CARTESIAN for t in fig.data):
        space = max(space, 110)
    if _legend_below(fig):
        space += int(MIN_FONT * 1.6) * _legend_rows(fig) + 16
    return space


def _left_inset(fig: go.Figure) -> int:
    """How far the plot's left edge is from the figure's (px, an estimate on the wide side): the
    margin, the widest y tick label (category names measured, numbers ~4 digits) and the axis
    title. Titles and notes start at the plot's edge, so this is room they do not have."""
    widest = 0
    keys = {k for k in fig.layout.to_plotly_json() if k.startswith("yaxis")}
    if any(t.type in CARTESIAN for t in fig.data):
        keys.add("yaxis")
    for key in sorted(keys):
        axis = fig.layout[key]
        if axis.visible is False or axis.side == "right":
            continue
        ref = "y" + key.removeprefix("yaxis")
        traces = [t for t in fig.data if t.type in CARTESIAN and getattr(t, "yaxis", None) in (ref, None)]
        labels = list(axis.ticktext or []) or [v for t in traces if t.y is not None for v in t.y]
        names = [str(v) for v in labels if isinstance(v, str)]
        ticks = max((textfit.width(n, MIN_FONT) for n in names), default=60)
        title = (
            int(CHART_FONT * LINE * (str(axis.title.text).count("<br>") + 1)) + 8 if axis.title.text else 0
        )
        widest = max(widest, int(ticks) + title + 12)
    return int(fig.layout.margin.l or 0) + min(widest, FIGURE_WIDTH // 2)


def _room_above(fig: go.Figure, old_top: int) -> int:
    """Room to keep between the plot's top edge and the subtitle: what the chart used above its
    plot beyond a title, and a line for its own labels there (subplot titles, band labels)."""
    labels = [a for a in fig.layout.annotations if a.yref == "paper" and (a.y or 0) >= 0.95]
    return max(12, old_top - 100, int(MIN_FONT * LINE) + 8 if labels else 0)


def _at_least(font: Any, size: int) -> None:
    """Raise a plotly font's size to `size` (a chart that set it larger keeps its own)."""
    if isinstance(font.size, int | float) or font.size is None:
        font.size = max(font.size or 0, size)


def readable(fig: go.Figure) -> go.Figure:
    """Every text of the figure at least MIN_FONT px: axes, legends, colour bars, the chart's
    own notes, and text drawn on the marks (bar values, agent names)."""
    fig.update_layout(font=dict(size=CHART_FONT), hoverlabel=dict(font_size=MIN_FONT))
    present = fig.layout.to_plotly_json()
    for key in [k for k in present if k.startswith("legend")]:
        _at_least(fig.layout[key].font, MIN_FONT)
        _at_least(fig.layout[key].title.font, MIN_FONT)
    fig.update_xaxes(tickfont_size=MIN_FONT, title_font_size=CHART_FONT)
    fig.update_yaxes(tickfont_size=MIN_FONT, title_font_size=CHART_FONT)
    for note in fig.layout.annotations:
        _at_least(note.font, MIN_FONT)
    for trace in fig.data:
        if "textfont" in trace:
            _at_least(trace.textfont, MIN_FONT)
        if "colorbar" in trace:
            _at_least(trace.colorbar.tickfont, MIN_FONT)
            _at_least(trace.colorbar.title.font, MIN_FONT)
    return fig


def high_contrast(fig: go.Figure) -> go.Figure:
    """White paper and near-black ink: for a projector and for slides."""
    fig.update_layout(
        paper_bgcolor="white",
        plot_bgcolor="white",
        font=dict(color=INK),
        title_font=dict(color=INK),
        legend=dict(font=dict(color=INK)),
    )
    axes = dict(color=INK, gridcolor=GRID, linecolor=INK, tickfont=dict(color=INK))
    fig.update_xaxes(**axes)
    fig.update_yaxes(**axes)
    for note in fig.layout.annotations:
        if note.name not in ("presenter_footer", "presenter_subtitle", "presenter_title"):
            note.font.color = note.font.color if note.bgcolor else INK
    for trace in fig.data:
        if "colorbar" in trace:
            trace.colorbar.tickfont.color = INK
            trace.colorbar.title.font.color = INK
    return fig


def _pin_legends(fig: go.Figure, above_px: int, below: bool) -> None:
    """Legends at the figure's bottom edge sit `above_px` over it (the footer's room); a legend
    the chart placed under its plot (a share of the plot's height, which a slide changes) is
    pinned there too, so it never runs into the tick labels."""
    present = fig.layout.to_plotly_json()
    height = int(fig.layout.height)
    for key in [k for k in present if k.startswith("legend")]:
        legend = fig.layout[key]
        if key == "legend" and below:
            legend.update(yref="container", y=(above_px + 4) / height, yanchor="bottom")
        elif legend.yref == "container" and (legend.y or 0) < 0.2:
            legend.y = (legend.y or 0) + above_px / height


def _fit_axis_titles(fig: go.Figure) -> None:
    """A y-axis title longer than the plot is tall is wrapped (two lines at most), not cut."""
    plot_h = int(fig.layout.height) - int(fig.layout.margin.t or 0) - int(fig.layout.margin.b or 0)
    for axis in [fig.layout[k] for k in fig.layout.to_plotly_json() if k.startswith("yaxis")]:
        text = str(axis.title.text or "")
        span = (axis.domain[1] - axis.domain[0]) if axis.domain else 1
        room = 0.92 * plot_h * span
        if text and "<br>" not in text and textfit.width(text, CHART_FONT) > room:
            axis.title.text = "<br>".join(textfit.wrap(text, CHART_FONT, max(room, 120))[:3])


def decorate(
    fig: go.Figure,
    name: str,
    filters_text: str,
    footer: str,
    *,
    framed: bool = True,
    height: int | None = None,
    width: int = FIGURE_WIDTH,
) -> go.Figure:
    """A high-contrast copy of `fig` with every text at least MIN_FONT px. `framed`: with its
    title (its own first line, else `name`), a subtitle (the chart's own, then the filters) and
    the source footer inside the figure, each wrapped to FIGURE_WIDTH so nothing is cut; not
    framed (a deck slide, whose text boxes carry them): none of the three. `height`: the whole
    figure's height (a slide's share); by default the chart's own plus the room added. `width`:
    the width it is shown at (text is wrapped to it)."""
    out = go.Figure(fig)
    main, subs = heading(out, name, filters_text)
    below = _legend_below(out)
    out.layout.annotations = [a for a in out.layout.annotations if a not in _header_notes(out)]
    readable(out)
    high_contrast(out)
    old_t, old_b = int(out.layout.margin.t or 0), int(out.layout.margin.b or 0)
    out.update_layout(title=dict(text=None, subtitle=dict(text=None)))
    if framed:
        top, bottom, foot_px = _frame(out, main, subs, footer, width, old_t)
    else:
        top, bottom, foot_px = max(24, old_t - 100), _bottom_space(out), 0
    natural = int(out.layout.height or 450) + (top - old_t) + (bottom - old_b)
    out.update_layout(margin=dict(t=top, b=bottom), height=height or natural)
    out.update_xaxes(automargin=True)
    out.update_yaxes(automargin=True)
    _pin_legends(out, foot_px + 4, below)
    _fit_axis_titles(out)
    return out


def _frame(
    out: go.Figure, main: str, subs: list[str], footer: str, width: int, old_t: int
) -> tuple[int, int, int]:
    """Title, subtitle and footer as notes, each wrapped to `width`; returns the top and bottom
    margins they need and the footer's height (px).

    NOTE: title and subtitle are notes stacked up from the plot's top edge, each as tall as its
    lines: plotly hangs a title of several lines from its first line and reserves no room for
    the others, so they would run into the plot."""
    room = width - PAD - _left_inset(out)  # notes start at the plot's left edge
    title = textfit.wrap(main, TITLE_FONT, room)
    sub = [w for s in subs for w in textfit.wrap(s, SUB_FONT, room)]
    foot = textfit.wrap(footer, FOOTER_FONT, room)
    title_lh, sub_lh, foot_lh = (int(s * LINE) + 1 for s in (TITLE_FONT, SUB_FONT, FOOTER_FONT))
    above = _room_above(out, old_t)
    sub_px = sub_lh * len(sub) + 10 if sub else 0
    foot_px = foot_lh * len(foot) + 10
    bottom = _bottom_space(out) + foot_px
    if sub:
        _note(out, "<br>".join(sub), 1, "bottom", above, SUB_FONT, "#333333", "presenter_subtitle")
    _note(out, "<br>".join(title), 1, "bottom", above + sub_px, TITLE_FONT, INK, "presenter_title")
    shift = -(bottom - foot_px) - 4  # under the ticks and legends
    _note(out, "<br>".join(foot), 0, "top", shift, FOOTER_FONT, "#444444", "presenter_footer")
    return above + sub_px + title_lh * len(title) + 16, bottom, foot_px


def _note(
    fig: go.Figure, text: str, y: float, anchor: str, shift: int, size: int, color: str, name: str
) -> None:
    """A left-aligned note at the plot's top (y=1) or bottom (y=0) edge, moved `shift` px."""
    fig.add_annotation(
        text=text,
        xref="paper",
        yref="paper",
        x=0,
        y=y,
        xanchor="left",
        yanchor=anchor,
        yshift=shift,
        align="left",
        showarrow=False,
        font=dict(size=size, color=color),
        name=name,
    )


def note_of(fig: go.Figure, name: str) -> str:
    """The text of a decorated figure's title, subtitle or footer ('presenter_title', …), one line."""
    for a in fig.layout.annotations:
        if a.name == name:
            return html.unescape(re.sub(r"<[^>]+>", "", str(a.text).replace("<br>", " ")))
    return ""


def footer_of(fig: go.Figure) -> str:
    """The footer text a decorated figure carries."""
    return note_of(fig, "presenter_footer")


# --- slides: which one is shown, and the bar that steps through them ----------------------------

RUN = "_presenter_run"  # this run's SlideRun
_COUNTS = "_presenter_slide_counts"  # page url_path → slides it drew (this session), for slide=last
_NOTICES = "_presenter_notices"


@dataclass
class SlideRun:
    """The slides of this run: the page, the slide shown, how many the page opened so far, and
    which one is open (0: outside any slide, shown on every slide)."""

    page: str
    current: int
    asked: str | None  # the URL's value, when it still has to be checked against the count
    count: int = 0
    open: int = 0


def _resolve(asked: str | None, known: int | None) -> tuple[int, str | None, list[str]]:
    """The URL's `slide` value → (slide to show, value left to check after the run, notices)."""
    if asked is None or asked == "1":
        return 1, None, []
    if asked == "last":
        return (known, None, []) if known else (1, asked, [])
    if asked.isdigit() and int(asked) >= 1:
        return int(asked), asked, []
    return 1, None, [f"Ignored {SLIDE}={md_code(asked)}: not a slide number."]


def start_run(page: str) -> int:
    """Set up this run's slides (presenter mode): read the URL's slide, hide the others. Returns
    the slide shown."""
    known = st.session_state.get(_COUNTS, {}).get(page)
    asked = st.query_params.get(SLIDE)
    current, to_check, notices = _resolve(asked, known)
    if notices:  # a value that is no slide number leaves the URL, as a bad filter value does
        st.query_params.pop(SLIDE, None)
        st.session_state[_NOTICES] = [(page, current, n) for n in notices]
    st.session_state[RUN] = SlideRun(page, current, to_check)
    st.html(CSS)
    return current


def run_state() -> SlideRun | None:
    run = st.session_state.get(RUN)
    return run if isinstance(run, SlideRun) else None


def open_slide() -> str | None:
    """Open the page's next slide; returns the key of its container (the slide shown: a plain
    one; the others: one the stylesheet hides), None outside presenter mode."""
    run = run_state()
    if run is None:
        return None
    run.count += 1
    run.open = run.count
    return f"msp_slide_{run.count}" if run.count == run.current else f"{HIDDEN}{run.count}"


def close_slide() -> None:
    run = run_state()
    if run is not None:
        run.open = 0


def notices() -> list[str]:
    """What the link's slide value was, while the slide it led to is shown."""
    run = run_state()
    kept = st.session_state.get(_NOTICES, [])
    return [text for page, slide, text in kept if run and (page, slide) == (run.page, run.current)]


def finish_run() -> None:
    """After the page ran: remember how many slides it has; a `slide` beyond them (or `last`)
    becomes its last slide, and the run starts again."""
    run = run_state()
    if run is None:
        return
    st.session_state.setdefault(_COUNTS, {})[run.page] = run.count
    wanted = _instead(run)
    if wanted is not None:
        _go(wanted)
        st.rerun()


def _instead(run: SlideRun) -> int | None:
    """The slide to show instead of the one the URL asked for (`last`, or beyond the page's)."""
    if run.asked is None or run.count == 0 or run.current == run.count:
        return None
    if run.asked == "last":
        return run.count
    if run.current > run.count:
        text = f"Ignored {SLIDE}={md_code(run.asked)}: this page has {style.plural(run.count, 'slide')}."
        st.session_state[_NOTICES] = [(run.page, run.count, text)]
        return run.count
    return None


# Left/Right arrow keys press the slide bar's previous/next control (a local inline script).
KEYS_JS = """
<script>
(() => {
  if (window.__msprogressSlideKeys) return;
  window.__msprogressSlideKeys = true;
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    if (e.target && e.target.closest && e.target.closest("input, textarea, [contenteditable]")) return;
    const mark = e.key === "ArrowRight" ? "▶" : e.key === "ArrowLeft" ? "◀" : null;
    if (!mark) return;
    const bar = document.querySelector(".st-key-msp_slidebar");
    const controls = bar ? [...bar.querySelectorAll("a, button")] : [];
    const control = controls.find((c) => (c.textContent || "").includes(mark));
    if (control) { e.preventDefault(); control.click(); }
  });
})();
</script>
"""


def slide_params(f_params: dict[str, list[str]], slide: str | None = None) -> dict[str, list[str]]:
    """The query of a neighbouring page's slide: the filters, the snapshot, presenter mode."""
    keep = {k: v for k, v in f_params.items() if v}
    keep["present"] = ["1"]
    if slide:
        keep[SLIDE] = [slide]
    return keep


def _go(slide: int) -> None:
    if slide == 1:
        st.query_params.pop(SLIDE, None)
    else:
        st.query_params[SLIDE] = str(slide)


def slide_nav(
    pages: Sequence[st.Page],
    current: st.Page,
    params: dict[str, list[str]],
    tools: Callable[[int], None] | None = None,
) -> None:
    """The slide bar under the page: previous (slide, else the previous page's last slide),
    the slide number, `tools(slide)` (image and deck downloads), an exit, and next (slide, else
    the next page). ← / → press previous / next."""
    run = run_state() or SlideRun(current.url_path, 1, None)
    n, i = max(run.count, 1), run.current
    urls = [p.url_path for p in pages]
    at = urls.index(current.url_path) if current.url_path in urls else 0
    left, mid, right = st.container(key=SLIDEBAR).columns([3, 11, 3], vertical_alignment="center")
    if i > 1:
        left.button("◀ Previous", key="slide_prev", on_click=_go, args=(i - 1,), help="Previous slide (←)")
    elif at > 0:
        query = slide_params(params, "last")
        left.page_link(
            pages[at - 1], label=f"◀ {pages[at - 1].title}", query_params=query, help="Previous (←)"
        )
    with mid.container(horizontal=True, vertical_alignment="center"):
        st.container(key=SLIDE_NUMBER, width="content").markdown(
            f"**{current.title}** · {i} / {n}", help=f"Slide {i} of {n} of this page"
        )
        if tools is not None:
            tools(i)
        st.button("Exit", key="present_exit", on_click=_exit, help="Leave presenter mode")
    if i < n:
        right.button("Next ▶", key="slide_next", on_click=_go, args=(i + 1,), help="Next slide (→)")
    elif at < len(pages) - 1:
        query = slide_params(params)
        right.page_link(pages[at + 1], label=f"{pages[at + 1].title} ▶", query_params=query, help="Next (→)")
    st.html(KEYS_JS, unsafe_allow_javascript=True)


def _exit() -> None:
    st.session_state[KEY] = False
    st.query_params.pop(SLIDE, None)


# --- tables on a slide ---------------------------------------------------------------------------


def _cell_text(value: object, number_format: str | None, year_like: bool) -> str:
    """One cell as plain slide text: numbers with thousands separators (years and `%d` formats
    without), lists joined, missing as "—"."""
    sequence = isinstance(value, list | tuple | np.ndarray)
    if value is None or (not sequence and pd.isna(value)):  # type: ignore[call-overload]
        return "—"  # missing is shown as missing
    if sequence:
        return ", ".join(str(v) for v in value)  # type: ignore[attr-defined]
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, numbers.Real):
        whole = float(value).is_integer()
        if year_like or number_format == "%d":
            return f"{value:.0f}" if whole else f"{value}"
        return f"{value:,.0f}" if whole else f"{value:,.2f}"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def column_caps(lengths: Sequence[int], budget: int = ROW_CHARS, floor: int = 10) -> list[int]:
    """Characters each column may show so that a row fits one line: short columns keep their
    length, the longest are cut to share what is left (never below `floor`)."""
    caps = list(lengths)
    while sum(caps) > budget and max(caps) > floor:
        top = max(caps)
        second = max([c for c in caps if c < top], default=floor)
        cut = min(top - max(second, floor), -(-(sum(caps) - budget) // caps.count(top)))
        caps = [c - max(cut, 1) if c == top else c for c in caps]
    return caps


def _clip(text: str, cap: int) -> str:
    return text if len(text) <= cap else text[: max(cap - 1, 1)].rstrip() + "…"


def _link_text(value: object, display: str | None) -> object:
    """What a link column shows: its display text (a regex's first group, or a fixed label),
    else the site's name (a slide cannot be clicked; a full address is noise)."""
    if not isinstance(value, str):
        return value
    if not display:
        return urlsplit(value).netloc.removeprefix("www.") or value
    if "(" in display:
        found = re.search(display, value)
        return found.group(1) if found and found.groups() else value
    return display


def slide_table(df: pd.DataFrame, column_config: Mapping[str, Any], rows: int) -> pd.DataFrame:
    """The first `rows` and first MAX_COLUMNS columns of a table as slide text, one line a row:
    the columns `column_config` shows, under its titles, each cell cut to its column's share of
    ROW_CHARS. NOTE: `st.table` renders cells as Markdown, so every punctuation character is
    backslash-escaped: a title like `![x](http://…)` stays text and fetches nothing."""
    texts: dict[str, list[str]] = {}
    for col in df.columns:
        config = column_config.get(col, {})
        if config is None:  # hidden in the interactive table: hidden here too
            continue
        config = config if isinstance(config, Mapping) else {"label": str(config)}
        type_config = config.get("type_config") or {}
        values = df[col].head(rows).tolist()
        if type_config.get("type") == "link":
            values = [_link_text(v, type_config.get("display_text")) for v in values]
        label = str(config.get("label") or col)
        year_like = "year" in label.lower()
        texts[md_escape(label)] = [_cell_text(v, type_config.get("format"), year_like) for v in values]
    labels = list(texts)[:MAX_COLUMNS]
    caps = column_caps([max((len(t) for t in texts[lb]), default=1) for lb in labels])
    return pd.DataFrame(
        {lb: [md_escape(_clip(t, cap)) for t in texts[lb]] for lb, cap in zip(labels, caps, strict=True)}
    )
