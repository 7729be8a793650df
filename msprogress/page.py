"""What every page shares: its sections (`slide`: a slide each in presenter mode), its view
switches (`controls`) and view state in the URL (`View`), charts and tables drawn the one way
(`chart`, `table`), the one short source line under each (`caption`, details a click away),
notices, and the deck download.

Source lines are built from the served snapshot's manifest, so a figure's source and as-of date
are always those of the data actually shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from msprogress import data, presenter, sidebar, sources, style
from msprogress.charts.common import PLOTLY_CONFIG
from msprogress.filters import Filters
from msprogress.markup import md_code, md_escape, plotly_text
from msprogress.snapshot import SnapshotError

TRIAL_SOURCES = sources.TRIAL_SOURCES
FUNDING_SOURCES = sources.FUNDING_SOURCES


def filters() -> Filters:
    """The current filters; every page starts with this call.

    NOTE: Streamlit keeps a process-wide flag meaning "this app uses a pages/ folder" until some
    session runs `st.navigation`. While it is set, a first visit to a deep link (`/funding?…`) runs
    the page file alone through the legacy multipage path, without app.py (no sidebar, no
    filters). The page then clears the flag and reruns, so app.py's navigation serves the same
    URL. Private API, so guarded: if Streamlit drops the flag, this does nothing.
    Both tests are needed: the flag (a session that has filters from an earlier run can still
    be sent down the legacy path, e.g. a page switch while the flag is set), and "app.py has not
    run in this session": when several first visits arrive together, the first to get here
    clears the flag while the others are already running their page alone; they must rerun too
    (found by tests/browser/test_load.py).
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a future Streamlit without the legacy path
        PagesManager = None  # type: ignore[assignment,misc]
    if PagesManager is not None and getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()
    if "filters" not in st.session_state:  # this run came through the legacy path, without app.py
        st.rerun()
    f: Filters = st.session_state["filters"]
    return f


def require_snapshot() -> None:
    """Stop the run with a clear banner when no snapshot at all can be served (none built, or
    every one fails its checks); the app never shows a stack trace for it."""
    try:
        data.database()
    except SnapshotError as exc:
        data.no_snapshot(exc)


def _same(value: str) -> object:
    return value


@dataclass(frozen=True)
class Key:
    """One URL key of a page's view: its widget, its allowed values (first = default; None when
    the page gives them at `View.seed`, from its data) and how a URL value maps to the widget's."""

    url: str
    widget: str
    options: Sequence[str] | None = None
    to_widget: Callable[[str], object] = _same
    to_url: Callable[[object], str] = str


def flag(url: str, widget: str) -> Key:
    """An on/off switch written `1`/`0` in the URL (a checkbox or toggle holds a bool)."""
    return Key(url, widget, ("0", "1"), to_widget=lambda v: v == "1", to_url=lambda v: "1" if v else "0")


def _not_one_of(allowed: Sequence[str]) -> str:
    named = [a for a in allowed if a]
    if len(named) > 8:
        return f"not one of the {len(named)} choices for these filters"
    return "not one of " + md_escape(", ".join(named))


VIEW_KEYS = "_page_view_keys"  # URL keys the current page's views registered this run
_SAVED = "_page_view_saved"  # each view's last values this session (restored on return)


class View:
    """A page's view state in the URL — the one way pages keep theirs. On the session's first
    visit each widget takes the link's value (a bad one is dropped with a notice), else the view's
    last value this session, else the default; `write` mirrors the widgets into the URL with
    readable keys, defaults left out. Constructing a View registers its keys, so the notices know
    which link parameters this page understands."""

    def __init__(self, name: str, keys: Sequence[Key]) -> None:
        self.name, self.keys = name, {k.url: k for k in keys}
        registered = st.session_state.setdefault(VIEW_KEYS, [])
        registered += [k for k in self.keys if k not in registered]

    def seed(self, options: Mapping[str, Sequence[str]] | None = None) -> list[str]:
        """Give every widget its value; `options` supplies allowed values a Key left open.
        A widget whose value is no longer allowed (the filters left it out) takes the default."""
        notices: list[str] = []
        saved = st.session_state.setdefault(_SAVED, {}).get(self.name, {})
        for key in self.keys.values():
            allowed = list((options or {}).get(key.url, key.options or ()))
            if not allowed:
                continue
            if key.widget in st.session_state:
                if key.to_url(st.session_state[key.widget]) not in allowed:
                    st.session_state[key.widget] = key.to_widget(allowed[0])
                continue
            value = st.query_params.get(key.url)
            if value is not None and value not in allowed:
                notices.append(f"Ignored {key.url}={md_code(value)}: {_not_one_of(allowed)}.")
                value = None
            chosen = value or (saved.get(key.url) if saved.get(key.url) in allowed else allowed[0])
            st.session_state[key.widget] = key.to_widget(chosen)
        return notices

    def value(self, url: str) -> str:
        key = self.keys[url]
        return key.to_url(st.session_state[key.widget])

    def write(self, defaults: Mapping[str, str] | None = None) -> dict[str, str]:
        """Mirror the widgets into the URL (defaults left out) and remember them for this session;
        return URL key → value."""
        values = {url: self.value(url) for url, k in self.keys.items() if k.widget in st.session_state}
        st.session_state.setdefault(_SAVED, {})[self.name] = values
        for url, value in values.items():
            key = self.keys[url]
            default = (defaults or {}).get(url, (key.options or [""])[0])
            if value != default:
                if st.query_params.get(url) != value:
                    st.query_params[url] = value
            elif url in st.query_params:
                del st.query_params[url]
        return values


def sources_text(source_ids: tuple[str, ...]) -> str:
    """The sources' full titles with their as-of dates (the details a click away, exports)."""
    entries = data.snapshot().manifest.sources_with_rows(source_ids)
    return "; ".join(f"{s.title} (as of {s.as_of})" for s in entries)


def source_line(source_ids: tuple[str, ...]) -> str:
    """One short source line: 'Source: ClinicalTrials.gov, CTIS (EU) · as of 2025-09-25' (each
    source with its own date when they differ)."""
    entries = data.snapshot().manifest.sources_with_rows(source_ids)
    names = [(sources.get(s.source_id).short_name, s.as_of) for s in entries]
    if not names:
        return "Source: none of the sources has rows in this snapshot"
    dates = {d for _, d in names}
    if len(dates) == 1:
        return f"Source: {', '.join(n for n, _ in names)} · as of {dates.pop()}"
    return "Source: " + "; ".join(f"{n}, as of {d}" for n, d in names)


def caption(source_ids: tuple[str, ...], f: Filters | None = None, extra: str = "") -> None:
    """The one short source line under a figure or table, with "About these numbers" beside it:
    the method (`extra`), the filters in words, the sources in full and the snapshot.

    NOTE: in presenter mode a chart carries its source line in the figure; a caption right after
    `chart` with the same sources then shows only the "About these numbers" button."""
    last = st.session_state.pop(LAST_CHART, None)
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    if not (presenter.is_on() and last == source_ids):
        row.caption(source_line(source_ids), width="content")
    with row.popover("About these numbers", type="tertiary"):
        if extra:
            st.caption(extra)
        if f is not None:
            st.caption(f"Filters: {describe(f, markdown=True)}.")
        snap = data.snapshot()
        st.caption(f"Sources: {sources_text(source_ids)}.")
        st.caption(f"Snapshot {snap.snapshot_id}. Built {snap.manifest.created_at}; see About the data.")


def describe(f: Filters, markdown: bool = False) -> str:
    """The filters in words, with names for codes ('countries: Italy', never 'ITA')."""
    return f.describe(markdown=markdown, names=sidebar.names())


def showing(f: Filters) -> None:
    """The filters in words at the top of a page (a typed search shows as typed, never as markup)."""
    st.markdown(f"**Showing:** {describe(f, markdown=True)}")


def show_notices(*extra: str) -> None:
    """The serving banner, what the link's dropped values were (a parameter that is neither a
    filter nor one of this page's view keys is reported as unknown), and `extra` notices."""
    notice = data.serving_notice()
    if notice:
        st.error(notice, icon="⚠️")
    for n in [*sidebar.notices(st.session_state.get(VIEW_KEYS, [])), *presenter.notices(), *extra]:
        st.info(n, icon="ℹ️")


VIEW_CHARTS = "_view_charts"  # the charts drawn on this run (presenter: the slide bar's images)


@dataclass(frozen=True)
class ViewChart:
    """A chart drawn on this run: its name, its export look (made on demand), its sources, and
    the slide it is on (0: outside any slide)."""

    name: str
    exported: Callable[[], go.Figure]
    source_ids: tuple[str, ...]
    slide: int = 0


LAST_CHART = "_last_chart_sources"  # sources of the chart just drawn (presenter captions)
PRESENTER_ROWS = 10  # rows a table shows on a slide


def footer_text(source_ids: tuple[str, ...]) -> str:
    """A figure's footer: the short source line."""
    return source_line(source_ids)


@contextmanager
def slide(title: str | None = None) -> Iterator[None]:
    """One section of a page, under its heading (`title`, if any): in presenter mode one 16:9
    slide, shown alone (the slide in the URL; the others are hidden, their widgets kept). A
    page's parts outside any slide show on every slide: keep those to the title and notices, and
    put view switches in `controls()`."""
    key = presenter.open_slide() if presenter.is_on() else None
    try:
        with st.container(key=key):
            if title:
                st.subheader(title)
            yield
    finally:
        presenter.close_slide()


@contextmanager
def controls(label: str = "Change the view") -> Iterator[None]:
    """A page's view switches: in place, or in presenter mode behind one button (`label`) so a
    slide spends no height on them: the page's own at the top right of every slide, a slide's
    own (opened inside `slide`) at its place in that slide."""
    if not presenter.is_on():
        with st.container():
            yield
        return
    run = presenter.run_state()
    if run is not None and run.open:
        with st.popover(label, width="content"):
            yield
        return
    with st.container(key="msp_controls"), st.popover(label, width="content"):
        yield


def details(label: str) -> Any:
    """A part a click away on screen (an expander), shown open on a slide."""
    return st.expander(label, expanded=presenter.is_on())


def chart(
    fig: go.Figure,
    name: str,
    source_ids: tuple[str, ...],
    f: Filters | None = None,
    export: Callable[[], go.Figure] | None = None,
    slide_size: tuple[int, int] = (presenter.SLIDE_WIDTH, presenter.SLIDE_CHART_PX),
    **kwargs: Any,
) -> Any:
    """Draw a chart the one shared way: `st.plotly_chart` with the offline config and PNG and SVG
    downloads (made on click, server-side, with title, filters and source line baked in); in
    presenter mode the high-contrast figure sized for a slide, its downloads in the slide bar.
    `name` is the file name and the widget-key prefix; `export` makes the figure the images are
    drawn from when it is not `fig` (a chart laid out in pixels for the screen, e.g. the pipeline
    grid, exports its slide layout); `slide_size`: its width and height (px) on a 1920×1080 slide
    (one of several side by side is narrower and lower); kwargs go to `st.plotly_chart`.

    NOTE: the export look (`presenter.decorate`, a restyled copy of the figure) is made only when
    it is shown (presenter mode) or downloaded: a rerun does not pay for it."""

    def exported() -> go.Figure:
        drawn = export() if export is not None else fig
        filters_text = plotly_text(describe(f)) if f else ""
        return presenter.decorate(drawn, name, filters_text, plotly_text(footer_text(source_ids)))

    run = presenter.run_state()
    on_slide = run.open if run is not None and presenter.is_on() else 0
    st.session_state.setdefault(VIEW_CHARTS, []).append(ViewChart(name, exported, source_ids, on_slide))
    st.session_state[LAST_CHART] = source_ids
    kwargs.setdefault("key", name)
    kwargs.setdefault("width", "stretch")
    if presenter.is_on():
        kwargs["theme"] = None  # the high-contrast figure as made, not restyled by the app theme
        shown = presenter.decorate(
            fig,
            name,
            plotly_text(describe(f)) if f else "",
            footer_text(source_ids),
            height=slide_size[1],
            width=slide_size[0],
        )
        return st.plotly_chart(shown, config=PLOTLY_CONFIG, **kwargs)
    event = st.plotly_chart(fig, config=PLOTLY_CONFIG, **kwargs)
    with st.container(horizontal=True, gap="small"):
        image_buttons(ViewChart(name, exported, source_ids))
    return event


IMAGES = (
    ("PNG image", "png", "image/png", "2× scale, with title, filters, source and as-of date in the image"),
    ("SVG image", "svg", "image/svg+xml", "vector image; its text stays text"),
)


def image_buttons(c: ViewChart, prefix: str = "", short: bool = False) -> None:
    """A chart's PNG and SVG downloads (each image made when its button is clicked); `short`:
    labelled 'PNG', 'SVG'."""
    for label, fmt, mime, help_text in IMAGES:
        st.download_button(
            f"{prefix}{fmt.upper() if short else label}",
            data=partial(_image, fmt, c.exported),
            file_name=f"{c.name}.{fmt}",
            mime=mime,
            key=f"{c.name}_{fmt}",
            on_click="ignore",
            help=help_text,
        )


def slide_tools(number: int) -> None:
    """The slide bar's downloads: the images of the charts on this slide, and the deck."""
    drawn: list[ViewChart] = st.session_state.get(VIEW_CHARTS, [])
    shown = [c for c in drawn if c.slide in (0, number)]
    if len(shown) == 1:
        image_buttons(shown[0], short=True)
    elif shown:  # several charts on one slide: their images behind one button, the bar stays one row
        with st.popover(f"Images ({len(shown)} charts)", width="content"):
            for c in shown:
                image_buttons(c, prefix=f"{c.name}: ", short=True)
    deck_button()


def _image(fmt: str, exported: Callable[[], go.Figure]) -> bytes:
    """A chart's export image (made when its download button is clicked)."""
    from msprogress import export_images

    return export_images.png(exported()) if fmt == "png" else export_images.svg(exported())


def table(
    df: pd.DataFrame | list[dict[str, Any]], column_config: Mapping[str, Any] | None = None, **kwargs: Any
) -> Any:
    """Draw a table the one shared way: the interactive `st.dataframe` (kwargs go to it), or in
    presenter mode a static, hall-sized table of the first rows with the same column titles and
    number formats, and a line saying how many rows the full table has."""
    st.session_state.pop(LAST_CHART, None)
    if not presenter.is_on():
        return st.dataframe(df, column_config=column_config, **kwargs)
    df = pd.DataFrame(df)
    if kwargs.get("column_order"):  # the columns, in the order, the interactive table shows
        df = df[[c for c in kwargs["column_order"] if c in df.columns]]
    shown = presenter.slide_table(df, column_config or {}, PRESENTER_ROWS)
    st.table(shown, hide_index=True)
    parts = [f"first {PRESENTER_ROWS} of {style.plural(len(df), 'row')}"] if len(df) > PRESENTER_ROWS else []
    visible = [c for c in df.columns if (column_config or {}).get(c, {}) is not None]
    if len(shown.columns) < len(visible):
        parts.append(f"{len(shown.columns)} of {style.plural(len(visible), 'column')}")
    if parts:
        st.caption(f"{' and '.join(parts).capitalize()}; leave presenter mode to browse them all.")
    return None


def deck_button() -> None:
    """ "Download slides": a 16:9 PowerPoint of every dashboard page for the current filters,
    built on click (see msprogress/slides.py and msprogress/deck.py)."""
    from msprogress import slides

    f = filters()
    st.download_button(
        "Download slides",
        data=partial(slides.deck_bytes, f),
        file_name="ms-progress-slides.pptx",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        key="deck_download",
        on_click="ignore",
        help="A 16:9 deck for these filters: a title slide, the headline figures, every chart of the "
        "dashboard pages with speaker notes giving its numbers, and the sources and method.",
    )
