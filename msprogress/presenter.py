"""Presenter mode: the app as slides for a projector, and the "export look" of every chart.

Switched on by the sidebar toggle or `?present=1`. It hides the sidebar and app chrome with a
stylesheet, sets hall-sized type, draws charts in a high-contrast template with a subtitle
stating the filters and a source/as-of footer inside the figure, and puts previous/next slide
buttons (arrow keys Left/Right) under each page. `decorate` is pure (no Streamlit): the image
and deck exports use the same figure, so a chart pasted into a slide carries its provenance.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

import plotly.graph_objects as go
import streamlit as st

KEY = "w_present"  # the sidebar toggle's widget key; URL key `present=1`
INK = "#111111"
GRID = "#d0d0d0"
CHART_FONT = 20  # presenter and export charts: readable from the back of a hall
FOOTER_FONT = 14
FOOTER_WRAP = 150  # characters per footer line at 1280 px
SUB_WRAP = 100
CARTESIAN = {"bar", "scatter", "scattergl", "heatmap", "box", "histogram"}

# NOTE: Streamlit 1.67 test ids, checked in Chromium. The sidebar, its collapsed-control and
# the header (with toolbar and deploy/main menu) are hidden; the main block uses the full width.
CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stHeader"], [data-testid="stToolbar"],
[data-testid="stDecoration"], [data-testid="stStatusWidget"] { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container {
  max-width: 1840px !important; padding: 1.5rem 2.5rem 2rem 2.5rem !important; }
.stApp, [data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stMetricLabel"] p, [data-testid="stWidgetLabel"] p, .stApp button p,
[data-testid="stExpander"] summary p, [data-testid="stAlertContainer"] p {
  font-size: 24px !important; line-height: 1.4 !important; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] div { font-size: 56px !important; }
[data-testid="stMetricValue"] p { font-size: 56px !important; }
.stApp h1 { font-size: 48px !important; }
.stApp h2 { font-size: 40px !important; }
.stApp h3 { font-size: 34px !important; }
</style>
"""


def is_on() -> bool:
    """Presenter mode for this run: the toggle once drawn, else the URL."""
    if KEY in st.session_state:
        return bool(st.session_state[KEY])
    return st.query_params.get("present") == "1"


def inject() -> None:
    """Hide the chrome and enlarge the type (call once per run, presenter mode only)."""
    st.html(CSS)


def _text(fig: go.Figure) -> str:
    title = fig.layout.title.text
    return str(title) if title else ""


def _wrap(text: str, width: int) -> str:
    return "<br>".join(textwrap.wrap(text, width)) or text


def _subtitle_lines(title: str, filters_text: str) -> tuple[str, list[str]]:
    """The main title line, and the subtitle lines (the chart's own, then the filters)."""
    parts = [p.strip() for p in title.split("<br>")]
    subs = [re.sub(r"</?sup>", "", p) for p in parts[1:] if p]
    wrapped = [w for s in subs for w in textwrap.wrap(s, SUB_WRAP)] if subs else []
    return parts[0], wrapped


def _with_filters(subs: list[str], filters_text: str) -> list[str]:
    """Add the filters line unless the subtitle already states them."""
    if filters_text and filters_text.lower() not in " ".join(subs).lower():
        subs = subs + textwrap.wrap(f"Filters: {filters_text}", SUB_WRAP)
    return subs


def _bottom_space(fig: go.Figure) -> int:
    """Room under the plot for ticks, axis title and a legend placed below (px), so the footer
    sits under them rather than on them."""
    space = int(fig.layout.margin.b or 0)
    if space >= 100:  # the chart reserved its own room (legends below the plot)
        return space
    if any("xaxis" in k for k in fig.layout.to_plotly_json()) or any(t.type in CARTESIAN for t in fig.data):
        space = max(space, 120)
    legend = fig.layout.legend
    if legend.orientation == "h" and (legend.y is not None and legend.y < 0):
        items = sum(1 for t in fig.data if t.showlegend is not False and t.name)
        space += 34 * max(1, -(-items // 4)) + 16
    return space


def decorate(fig: go.Figure, name: str, filters_text: str, footer: str, presenter: bool = True) -> go.Figure:
    """A copy of `fig` with a one-line title (its own, else `name`), a subtitle (the chart's own
    and the filters in words) and a source/as-of footer, all inside the figure; high-contrast if
    `presenter`. Title and subtitle are separate pieces so multi-line text never overlaps the plot."""
    out = go.Figure(fig)
    main, subs = _subtitle_lines(_text(out) or name, filters_text)
    native = out.layout.title.subtitle.text  # plotly's own subtitle: joins ours, one block
    if native:
        subs = [w for t in str(native).split("<br>") for w in textwrap.wrap(t, SUB_WRAP)] + subs
        out.layout.title.subtitle.text = None
    header_notes = [a for a in out.layout.annotations if a.yref == "paper" and (a.y or 0) >= 1]
    if header_notes:  # the chart's own notes above the plot join the subtitle, not overlap it
        own = [re.sub(r"</?sup>", "", t) for a in header_notes for t in str(a.text).split("<br>")]
        subs = [w for t in own for w in textwrap.wrap(t, SUB_WRAP)] + subs
        out.layout.annotations = [a for a in out.layout.annotations if a not in header_notes]
    subs = _with_filters(subs, filters_text)
    font = CHART_FONT if presenter else 15
    title_px = int((font + 8) * 1.3) + 14
    sub_px = int((font - 2) * 1.35) * len(subs) + 10
    footer_html = _wrap(footer, FOOTER_WRAP)
    footer_px = int(FOOTER_FONT * 1.4) * (footer_html.count("<br>") + 1) + 12
    old_t, old_b = int(out.layout.margin.t or 0), int(out.layout.margin.b or 0)
    top = title_px + sub_px + max(10, old_t - 100)  # keep the room a chart uses above its plot
    bottom = _bottom_space(out) + footer_px
    out.update_layout(
        title=dict(
            text=main, x=0, xref="paper", xanchor="left", y=1, yref="container", yanchor="top", pad=dict(t=12)
        ),
        margin=dict(t=top, b=bottom),
        height=int(out.layout.height or 450) + (top - old_t) + (bottom - old_b),
    )
    present = out.layout.to_plotly_json()
    for key in ("legend", "legend2"):  # legends pinned to the figure's bottom edge
        if key not in present:
            continue
        legend = out.layout[key]
        if legend is not None and legend.yref == "container" and (legend.y or 0) < 0.2:
            legend.y = (legend.y or 0) + (footer_px + 4) / out.layout.height
    out.update_xaxes(automargin=True)
    out.update_yaxes(automargin=True)
    if subs:
        out.add_annotation(
            text="<br>".join(subs),
            xref="paper",
            yref="paper",
            x=0,
            y=1,
            xanchor="left",
            yanchor="top",
            yshift=top - title_px,  # right under the title, above anything the chart draws
            align="left",
            showarrow=False,
            font=dict(size=font - 2, color="#333333" if presenter else None),
            name="presenter_subtitle",
        )
    out.add_annotation(
        text=footer_html,
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="bottom",
        yshift=-bottom + 6,
        align="left",
        showarrow=False,
        font=dict(size=FOOTER_FONT, color="#444444" if presenter else None),
        name="presenter_footer",
    )
    if presenter:
        high_contrast(out)
    return out


def high_contrast(fig: go.Figure) -> go.Figure:
    """White paper, near-black ink, 20 px type: for a projector and for slides."""
    fig.update_layout(
        paper_bgcolor="white",
        plot_bgcolor="white",
        font=dict(size=CHART_FONT, color=INK),
        title_font=dict(size=CHART_FONT + 8, color=INK),
        legend=dict(font=dict(color=INK)),
        hoverlabel=dict(font_size=CHART_FONT - 2),
    )
    if fig.layout.legend.font.size is None:  # a chart that sized its legend entries keeps them
        fig.layout.legend.font.size = CHART_FONT - 2
    axes = dict(color=INK, gridcolor=GRID, linecolor=INK, tickfont=dict(size=CHART_FONT - 2, color=INK))
    fig.update_xaxes(**axes)
    fig.update_yaxes(**axes)
    for note in fig.layout.annotations:  # the charts' own notes, set small for the screen
        if note.name not in ("presenter_footer", "presenter_subtitle"):
            note.font.size = max(note.font.size or 0, FOOTER_FONT + 2)
            note.font.color = note.font.color if note.bgcolor else INK
    for trace in fig.data:
        if "colorbar" in trace:
            trace.colorbar.tickfont = dict(size=CHART_FONT - 2, color=INK)
            trace.colorbar.title.font = dict(size=CHART_FONT - 2, color=INK)
    return fig


def footer_of(fig: go.Figure) -> str:
    """The footer text a decorated figure carries (for the deck's slide footers)."""
    for a in fig.layout.annotations:
        if a.name == "presenter_footer":
            return str(a.text).replace("<br>", " ")
    return ""


# Left/Right arrow keys follow the previous/next links (a local inline script; no download).
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
    const links = [...document.querySelectorAll('[data-testid="stPageLink"] a')];
    const link = links.find((a) => (a.textContent || "").includes(mark));
    if (link) { e.preventDefault(); link.click(); }
  });
})();
</script>
"""


def slide_params(f_params: dict[str, list[str]]) -> dict[str, list[str]]:
    """The query of a neighbouring slide: the filters, the snapshot and presenter mode."""
    keep = {k: v for k, v in f_params.items() if v}
    keep["present"] = ["1"]
    return keep


def slide_nav(pages: Sequence[st.Page], current: st.Page, params: dict[str, list[str]]) -> None:
    """Previous/next links (also the ← / → keys) and an exit, under the page, in presenter mode."""
    urls = [p.url_path for p in pages]
    i = urls.index(current.url_path) if current.url_path in urls else 0
    query = slide_params(params)
    st.divider()
    left, mid, right = st.columns([1, 2, 1], vertical_alignment="center")
    if i > 0:
        left.page_link(
            pages[i - 1], label=f"◀ {pages[i - 1].title}", query_params=query, help="Previous slide (←)"
        )
    mid.button("Exit presenter mode", key="present_exit", on_click=_exit, width="stretch")
    if i < len(pages) - 1:
        right.page_link(
            pages[i + 1], label=f"{pages[i + 1].title} ▶", query_params=query, help="Next slide (→)"
        )
    st.html(KEYS_JS, unsafe_allow_javascript=True)


def _exit() -> None:
    st.session_state[KEY] = False
