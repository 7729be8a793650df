"""Presenter mode: the app as slides for a projector, and the "export look" of every chart.

Switched on by the sidebar toggle or `?present=1`. It hides the sidebar and app chrome with a
stylesheet, sets hall-sized type, draws charts in a high-contrast template with a subtitle
stating the filters and a source/as-of footer inside the figure, and puts previous/next slide
buttons (arrow keys Left/Right) under each page. `decorate` is pure (no Streamlit): the image
and deck exports use the same figure, so a chart pasted into a slide carries its provenance.
"""

from __future__ import annotations

import html
import numbers
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from msprogress.markup import md_escape

KEY = "w_present"  # the sidebar toggle's widget key; URL key `present=1`
INK = "#111111"
GRID = "#d0d0d0"
CHART_FONT = 22  # presenter and export charts: readable from the back of a hall
TITLE_FONT = 32  # chart titles as large as the page's titles
SUB_FONT = 22  # the filters subtitle: body-sized, not fine print
FOOTER_FONT = 16
FOOTER_WRAP = 130  # characters per footer line at 1280 px
SUB_WRAP = 105
CELL_CHARS = 90  # a table cell on a slide: longer text is cut with an ellipsis
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
[data-testid="stTable"] td, [data-testid="stTable"] th,
[data-testid="stTable"] td p, [data-testid="stTable"] th p {
  font-size: 24px !important; line-height: 1.3 !important; padding: 0.35rem 0.6rem !important; }
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


SIZING_TAGS = re.compile(r"</?(?:sup|sub|span|small)\b[^>]*>")  # a chart's own subtitle sizing


def _subtitle_lines(title: str, filters_text: str) -> tuple[str, list[str]]:
    """The main title line, and the subtitle lines (the chart's own, then the filters), with the
    chart's own font sizing removed so the subtitle is set at one readable size."""
    parts = [p.strip() for p in title.split("<br>")]
    subs = [SIZING_TAGS.sub("", p) for p in parts[1:] if p]
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
    header_notes = [  # notes pinned above the plot (not labels tied to a data x, like a band's)
        a for a in out.layout.annotations if a.xref == "paper" and a.yref == "paper" and (a.y or 0) >= 1
    ]
    if header_notes:  # the chart's own notes above the plot join the subtitle, not overlap it
        own = [SIZING_TAGS.sub("", t) for a in header_notes for t in str(a.text).split("<br>")]
        subs = [w for t in own for w in textwrap.wrap(t, SUB_WRAP)] + subs
        out.layout.annotations = [a for a in out.layout.annotations if a not in header_notes]
    subs = _with_filters(subs, filters_text)
    font = CHART_FONT if presenter else 15
    title_size, sub_size = (TITLE_FONT, SUB_FONT) if presenter else (font + 5, font - 1)
    title_px = int(title_size * 1.3) + 14
    sub_px = int(sub_size * 1.35) * len(subs) + 10
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
    sub_ink, footer_ink = ("#333333", "#444444") if presenter else (None, None)
    if subs:  # right under the title, above anything the chart draws
        _note(out, "<br>".join(subs), 1, "top", top - title_px, sub_size, sub_ink, "presenter_subtitle")
    _note(out, footer_html, 0, "bottom", -bottom + 6, FOOTER_FONT, footer_ink, "presenter_footer")
    if presenter:
        high_contrast(out)
    return out


def _note(
    fig: go.Figure, text: str, y: float, anchor: str, shift: int, size: int, color: str | None, name: str
) -> None:
    """A left-aligned paper note at the top (y=1) or bottom (y=0) edge, moved `shift` px."""
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


def high_contrast(fig: go.Figure) -> go.Figure:
    """White paper, near-black ink, 20 px type: for a projector and for slides."""
    fig.update_layout(
        paper_bgcolor="white",
        plot_bgcolor="white",
        font=dict(size=CHART_FONT, color=INK),
        title_font=dict(size=TITLE_FONT, color=INK),
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
            return html.unescape(re.sub(r"<[^>]+>", "", str(a.text).replace("<br>", " ")))
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


def slide_nav(
    pages: Sequence[st.Page],
    current: st.Page,
    params: dict[str, list[str]],
    deck: Callable[[], None] | None = None,
) -> None:
    """Previous/next links (also the ← / → keys), the slide-deck download (`deck` draws it) and
    an exit, under the page, in presenter mode."""
    urls = [p.url_path for p in pages]
    i = urls.index(current.url_path) if current.url_path in urls else 0
    query = slide_params(params)
    st.divider()
    left, mid, right = st.columns([1, 2, 1], vertical_alignment="center")
    if i > 0:
        left.page_link(
            pages[i - 1], label=f"◀ {pages[i - 1].title}", query_params=query, help="Previous slide (←)"
        )
    if deck is not None:
        with mid:
            deck()
    mid.button("Exit presenter mode", key="present_exit", on_click=_exit, width="stretch")
    if i < len(pages) - 1:
        right.page_link(
            pages[i + 1], label=f"{pages[i + 1].title} ▶", query_params=query, help="Next slide (→)"
        )
    st.html(KEYS_JS, unsafe_allow_javascript=True)


def _exit() -> None:
    st.session_state[KEY] = False


def _cell_text(value: object, number_format: str | None, year_like: bool) -> str:
    """One cell as slide text. NOTE: `st.table` renders cells as Markdown, so every punctuation
    character is backslash-escaped: a title like `![x](http://…)` stays text and fetches nothing."""
    sequence = isinstance(value, list | tuple | np.ndarray)
    if value is None or (not sequence and pd.isna(value)):  # type: ignore[call-overload]
        text = "—"  # missing is shown as missing
    elif sequence:
        text = ", ".join(str(v) for v in value)  # type: ignore[attr-defined]
    elif isinstance(value, bool | np.bool_):
        text = "yes" if value else "no"
    elif isinstance(value, numbers.Real):
        whole = float(value).is_integer()
        if year_like or number_format == "%d":
            text = f"{value:.0f}" if whole else f"{value}"
        else:
            text = f"{value:,.0f}" if whole else f"{value:,.2f}"
    elif isinstance(value, pd.Timestamp):
        text = value.date().isoformat()
    else:
        text = str(value)
    if len(text) > CELL_CHARS:
        text = text[: CELL_CHARS - 1].rstrip() + "…"
    return md_escape(text)


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
    """The first `rows` of a table as slide text: the columns `column_config` shows, under its
    titles, numbers with thousands separators (years and `%d` formats without), missing as "—"."""
    out = {}
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
        out[md_escape(label)] = [_cell_text(v, type_config.get("format"), year_like) for v in values]
    return pd.DataFrame(out)
