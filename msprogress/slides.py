"""The slide deck of the dashboard for the current filters: what goes on each slide, and the
numbers behind each chart (its speaker notes).

A maker per dashboard page, `(Filters) -> list[Slide]`, draws that page's charts without
running the page script: it calls the same `data.*` functions and `charts.*` builders the page
calls, with the page's default view. `deck_bytes` puts them together with a title slide, the
headline figures and the sources and method, and hands the lot to `msprogress/deck.py` (pure
layout, no Streamlit).

NOTE: keep each maker thin and the page's own: when a page changes which charts it draws or how
it calls a builder, its maker here changes with it (one maker per page, nothing else to find).
A new dashboard page adds its maker to `MAKERS`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from msprogress import changes, data, deck, figures, page, presenter, sources, style
from msprogress.charts import changes as changes_charts
from msprogress.charts import funding as funding_charts
from msprogress.charts import maps as map_charts
from msprogress.charts import overview as overview_charts
from msprogress.charts import pipeline as pipeline_charts
from msprogress.filters import Filters
from msprogress.markup import plain, plotly_text

PUBLIC_URL_ENV = "MSPROGRESS_PUBLIC_URL"
NOTE_ROWS = 25  # rows of a chart's numbers in its speaker notes


@dataclass(frozen=True)
class Slide:
    """One chart of a page: the figure as the page draws it, its sources, and the numbers behind
    it as text (the speaker notes)."""

    name: str
    fig: go.Figure
    source_ids: tuple[str, ...]
    notes: str


def _value(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return "missing"
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def numbers(df: pd.DataFrame, columns: Mapping[str, str], limit: int = NOTE_ROWS) -> str:
    """Rows of `df` as note lines 'Phase 2 · agents: 14' (`columns`: column → its words; the first
    is the row's name); missing values say so; more rows than `limit` are counted, not listed."""
    cols = list(columns)
    lines = [
        " · ".join([_value(r[cols[0]])] + [f"{columns[c]}: {_value(r[c])}" for c in cols[1:]])
        for _, r in df.head(limit).iterrows()
    ]
    if len(df) > limit:
        lines.append(f"… and {style.plural(len(df) - limit, 'more row')} (see the dashboard).")
    return "\n".join(lines) or "No rows."


# --- one maker per dashboard page ---------------------------------------------------------------


PIPELINE_DEFAULT = (False, False)  # the pipeline page's default view: no supportive, no non-drug


def stages(f: Filters) -> pd.DataFrame:
    """Agents per highest stage, as the Overview and the pipeline page count them."""
    return overview_charts.stage_counts(data.pipeline_markers(f, *PIPELINE_DEFAULT))


def overview(f: Filters) -> list[Slide]:
    """The Overview page's pipeline panel: agents by highest stage (its map and funding panels
    are the World map and Funding slides' charts)."""
    counts = stages(f)
    if counts.empty:
        return []
    fig = overview_charts.pipeline_stages(counts)
    notes = numbers(counts, {"stage": "stage", "agents": "agents"})
    return [Slide("overview_pipeline", fig, page.TRIAL_SOURCES, notes)]


def world_map(f: Filters) -> list[Slide]:
    """The World map page's choropleth and ranked countries, in its default metric (progressive-MS
    trials), zoomed to the chosen countries when the filters choose some."""
    metric, currency = "progressive", "EUR"
    metrics = data.map_country_metrics(f, currency)
    zoom = map_charts.zoom_to(metrics, "the chosen countries") if (f.countries or f.regions) else None
    col = map_charts.METRICS[metric].column
    top = map_charts.top_countries(metrics, metric, n=NOTE_ROWS)
    notes = f"Countries by {map_charts.METRICS[metric].noun}, most first:\n" + numbers(
        top, {"country": "", col: "trials"}
    )
    return [
        Slide(
            "map_choropleth",
            map_charts.choropleth(metrics, metric, currency, zoom),
            page.TRIAL_SOURCES,
            notes,
        ),
        Slide("map_ranking", map_charts.ranking(metrics, metric, currency), page.TRIAL_SOURCES, notes),
    ]


def funding(f: Filters) -> list[Slide]:
    """The Funding page's default view: the most comparable series per year by gap area (EUR,
    award year), and the MS share of a funder's money where its whole portfolio is in the data."""
    currency, group, words = "EUR", "gap", plotly_text(page.describe(f))
    series = data.funding_series(f, currency)
    if series.empty:
        return []
    row, share = series.iloc[0], data.funding_share(f, currency)
    money = funding_charts.lump(data.funding_by_year(f, currency, group, False, row.series_id), group)
    status = funding_charts.year_status(
        data.funding_years_covered(f, row.series_id), money, f.year_from, f.year_to
    )
    title = funding_charts.headline(row, share, currency, f)
    sub = funding_charts.series_subtitle(row.series_title, group, currency, False, words)
    fig = funding_charts.annual_bars(money, status, currency, group, title, sub, False)
    table = funding_charts.annual_table(money, status, currency, group)
    out = [Slide("funding_chart", fig, (str(row.source),), numbers(table, {c: c for c in table.columns}))]
    if not share.empty:
        fig = funding_charts.share_lines(
            share, currency, funding_charts.share_headline(share, f), funding_charts.common_subtitle(words)
        )
        cols = {"year": "fiscal year", "ms_share": "MS share (0–1)", "ms_amount": "MS", "total_amount": "all"}
        ids = tuple(
            str(s) for s in series.loc[series["series_id"].isin(share["series_id"]), "source"].unique()
        )
        out.append(Slide("funding_share", fig, ids, f"Money in {currency}.\n" + numbers(share, cols)))
    return out


def pipeline(f: Filters) -> list[Slide]:
    """The Therapy pipeline page's grid in its default view (the sidebar's population, marker size
    = trials, fill = trial status, no non-drug or supportive agents), laid out for the deck's
    picture (`pipeline_charts.DECK`) and split into as few slides as keep its text readable."""
    markers = data.pipeline_markers(f, *PIPELINE_DEFAULT)
    if markers[markers["item_kind"] == "agent"].empty:
        return []
    view = figures.PipelineView(*PIPELINE_DEFAULT, size="trials", deck=True)
    subtitle = "marker size: number of trials; fill: trial status"

    def grid(stages: tuple[str, ...] | None) -> go.Figure:
        title = pipeline_charts.grid_title(markers, stages)
        return figures.pipeline_figure(
            f, dataclasses.replace(view, stages=stages), title=title, subtitle=subtitle
        )

    whole = grid(None)
    parts = _deck_parts(f, markers, whole)
    figs = [grid(stages) for stages in parts] if len(parts) > 1 else [whole]
    matrix = pipeline_charts.mechanism_stage_matrix(markers)
    notes = "Agents per mechanism class and stage:\n" + numbers(matrix, {c: c for c in matrix.columns})
    return [Slide(f"pipeline_chart_{i + 1}", fig, page.TRIAL_SOURCES, notes) for i, fig in enumerate(figs)]


# A pipeline part may be drawn down to this share of its size on a deck slide (its 20 px text at
# 15 px, 11 pt): the key under every part takes ~190 px of a slide's ~440 px picture, so parts drawn
# unscaled would be a band each.
DECK_MIN_SCALE = 0.75


def _deck_parts(f: Filters, markers: pd.DataFrame, whole: go.Figure) -> list[tuple[str, ...]]:
    """The pipeline's bands in as few deck slides as draw each part at DECK_MIN_SCALE or more: the
    room a chart slide leaves for its picture (titled as the whole grid, whose title is the
    longest), less what the grid's picture holds besides its bands (margins and the key, as the
    deck draws it)."""
    look = pipeline_charts.DECK
    texts = chart_slide(
        MAKERS["pipeline"][0], "pipeline", Slide("", whole, page.TRIAL_SOURCES, ""), f, public_url()
    )
    drawn = presenter.decorate(whole, texts.title, "", "", framed=False)  # as deck._chart_slide draws it
    _, bands = pipeline_charts.flow(markers, look)
    chrome = int(drawn.layout.height) - pipeline_charts.plot_px(bands, look)
    return pipeline_charts.slide_parts(
        markers, look, int(deck.picture_height(texts) / DECK_MIN_SCALE) - chrome
    )


def changed(f: Filters) -> list[Slide]:
    """The What changed page's headline: registry activity of progressive-MS trials in its
    default window (12 months), the headline sentences as notes."""
    months = changes.WINDOWS[0]
    counts = data.changes_window_counts(f, months)
    if counts[(counts["kind"] == "trials") & counts["covers_window"]].empty:
        return []
    title = (
        f"Progressive-MS trials: registry activity in the {months} months to {changes.window_text(counts)}"
    )
    fig = changes_charts.activity_bars(counts, title, subtitle="trials per event, by registry")
    notes = "\n".join(changes.headline_lines(counts, months, None))
    return [Slide("changed_registry_activity", fig, page.TRIAL_SOURCES, notes)]


Maker = Callable[[Filters], list[Slide]]
# url path ("" = the default page) → (page title, maker), in the navigation's order
MAKERS: dict[str, tuple[str, Maker]] = {
    "": ("Overview", overview),
    "map": ("World map", world_map),
    "funding": ("Funding over time", funding),
    "pipeline": ("Therapy pipeline", pipeline),
    "changed": ("What changed", changed),
}


# --- the deck --------------------------------------------------------------------------------


def public_url() -> str | None:
    """The dashboard's public address for the slides' links: `MSPROGRESS_PUBLIC_URL`, else the
    Streamlit secret `public_url`; None when neither is set (a deck then has no link, never a
    localhost one)."""
    url = os.environ.get(PUBLIC_URL_ENV, "").strip()
    if not url:
        try:
            url = str(st.secrets.get("public_url", "")).strip()
        except Exception:  # no secrets file: nothing configured
            url = ""
    if not url or "localhost" in url or "127.0.0.1" in url:
        return None
    return url.rstrip("/")


def link(base: str | None, path: str, f: Filters) -> str | None:
    """The public address of a page with these filters (and the snapshot they were made on)."""
    if base is None:
        return None
    params = [(k, v) for k, vs in f.to_params().items() for v in vs]
    params.append(("snapshot", data.snapshot().snapshot_id))
    return f"{base}/{path}?{urlencode(params)}"


def chart_slide(section: str, path: str, s: Slide, f: Filters, base: str | None) -> deck.ChartSlide:
    """A page's chart as a deck slide: its title and subtitle lines (the chart's own, then the
    filters), the figure, one source line, the speaker notes and the page's public link."""
    main, subs = presenter.heading(s.fig, s.name, plotly_text(page.describe(f)))
    main, subs = plain(main), [plain(sub) for sub in subs]
    notes = f"{main}\n\n{s.notes}\n\n{page.source_line(s.source_ids)}. Filters: {page.describe(f)}."
    return deck.ChartSlide(
        section, main, subs, s.fig, page.source_line(s.source_ids), notes, link(base, path, f)
    )


def _chart_slides(f: Filters, base: str | None) -> list[deck.ChartSlide]:
    return [chart_slide(title, path, s, f, base) for path, (title, maker) in MAKERS.items() for s in maker(f)]


def _headline(f: Filters) -> list[deck.Figure]:
    """The headline figures: progressive MS first, all MS as context."""
    t, p = data.headline_trials(f).iloc[0], data.headline_projects(f).iloc[0]
    every = f.replace(relevance="all")  # all MS research, the same other filters: the context
    t_all, p_all = data.headline_trials(every).iloc[0], data.headline_projects(every).iloc[0]
    counts = stages(f)
    late = int(counts.loc[counts["stage_rank"] >= 3, "agents"].sum())
    figures = [
        deck.Figure(
            f"{int(t.progressive_trials):,}", "progressive-MS trials", f"of {int(t_all.trials):,} MS trials"
        ),
        deck.Figure(f"{int(t.recruiting_progressive):,}", "progressive-MS trials recruiting", "now or soon"),
        deck.Figure(f"{late:,}", "agents at phase 3 or beyond", "in progressive-MS trials"),
        deck.Figure(
            f"{int(p.progressive_projects):,}",
            "progressive-specific projects",
            f"of {int(p_all.projects):,} MS projects",
        ),
    ]
    series = data.funding_series(f, "EUR")
    if not series.empty:
        top = series.iloc[0]
        who = funding_charts.series_who(top)
        money = style.money(top.awarded, "EUR") if top.awards_with_amount else "no amounts stated"
        figures.append(
            deck.Figure(money, f"awarded by {who}", f"{top.first_year}–{top.last_year}, one series")
        )
    which = "progressive-MS" if f.relevance == "progressive" else "MS"
    figures.append(
        deck.Figure(f"{int(t.countries):,}", f"countries with {which} trials", "trial site countries")
    )
    return figures


def _method() -> list[str]:
    return [
        "A trial registered on both ClinicalTrials.gov and CTIS counts twice; ClinicalTrials.gov "
        "gives the first listed site's country only.",
        "Funding: one trend is one coverage series (a funder and what its files hold); series of different "
        "coverage are never added, and programme totals and calls are never added to awards.",
        "Money converted with ECB euro reference rates, the annual mean of the award year.",
        "Missing years and amounts are shown as missing, never as zero.",
        "An agent's stage is the highest phase of its progressive-MS trials, or approved for progressive MS "
        "when a label says so.",
    ]


def build_deck(f: Filters) -> deck.Deck:
    """Every part of the deck for these filters (data and words; the layout is deck.py's)."""
    snap = data.snapshot()
    base = public_url()
    used = sources.ids()
    entries = snap.manifest.sources_with_rows(used)
    return deck.Deck(
        title="Progressive MS research: trials, funding and the therapy pipeline",
        filters=page.describe(f),
        as_of=[f"{sources.get(s.source_id).short_name}: {s.as_of}" for s in entries],
        headline=_headline(f),
        headline_source=page.source_line(used),
        charts=_chart_slides(f, base),
        sources=[f"{s.title} (as of {s.as_of}). {s.terms}" for s in entries],
        method=_method(),
        made=f"Made {datetime.now(UTC):%Y-%m-%d} with MS Progress from data snapshot {snap.snapshot_id}",
        link=link(base, "", f),
    )


def deck_bytes(f: Filters) -> bytes:
    """The .pptx for these filters (the "Download slides" button)."""
    return deck.build(build_deck(f))
