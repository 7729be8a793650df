"""Overview: the one-screen story of progressive MS research for the current filters.

Progressive MS first — progressive-MS trials, those recruiting, agents in the therapy pipeline,
progressive-specific research projects — with all MS research as context, never the headline
(and no context when the filters ask for progressive-specific research only). Then three
panels, each stating its finding in its title and linking to its page with the same filters:
where progressive-MS trials are (a small map), the most comparable funding series per year (the
years it does not cover left as gaps; where it holds the funder's whole portfolio, the MS share
of its money), and the pipeline by stage ("Approved for progressive MS" apart from phase 4),
counted exactly as the pipeline page's default view counts it.

Money appears in the funding panel only, with its currency switch there (`currency=USD` in the
URL, EUR by default); the trial counts carry none. In presenter mode the panels stand side by
side, so the page is one 1920×1080 slide.

NOTE: the "what changed" panel (issue 15, `pages/changed.py`) does not exist yet: `changed_panel`
is its hook.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from msprogress import changes, data, figures, page, presenter, style
from msprogress.charts import funding as charts_funding
from msprogress.charts import overview as charts
from msprogress.markup import md_escape

f = page.filters()
TRIAL_SOURCES, FUNDING_SOURCES = page.TRIAL_SOURCES, page.FUNDING_SOURCES
CURRENCIES = style.CURRENCY_LABELS
VIEW = page.View("overview", [page.Key("currency", "overview_currency", list(CURRENCIES))])
ALL_MS = f.relevance == "all"  # all MS research is in view, so it can be the context
PIPELINE_VIEW = (False, False)  # the pipeline page's default view (no supportive, no non-drug): its numbers
HEIGHT = 240 if presenter.is_on() else 330  # a panel's plot; on a slide three stand side by side
PANEL_SLIDE = (560, 580)  # a panel's figure on a 1920×1080 slide (width, height px), title and footer in it


def context(n: int, noun: str) -> str | None:
    """'of 3,513 MS trials', the all-MS context of a progressive figure (none when not in view)."""
    return f"of {style.plural(n, noun)}" if ALL_MS else None


def link(path: str, label: str, view: dict[str, str] | None = None) -> None:
    """A link to a page with the same filters, plus that page's view keys.

    NOTE: not on a slide: the slide bar steps through the same pages, and the slide has no room."""
    if not presenter.is_on():
        st.page_link(path, label=label, query_params={**f.to_params(), **(view or {})})


def headline_figures(trials: pd.Series, projects: pd.Series, stages: pd.DataFrame) -> None:
    """Progressive figures, all MS as their context; one source line under them."""
    approved = int(stages.loc[stages["stage"] == charts.APPROVED, "agents"].sum())
    figures = [
        (
            "Progressive-MS trials",
            trials.progressive_trials,
            context(trials.trials, "MS trial"),
            "Registry records of trials in PPMS, SPMS or progressive MS; a trial in both registries counts twice.",
        ),
        (
            "Recruiting progressive trials",
            trials.recruiting_progressive,
            context(trials.recruiting_trials, "recruiting MS trial"),
            "Recruiting, not yet recruiting, or enrolling by invitation.",
        ),
        (
            "Agents in the pipeline",
            stages["agents"].sum(),
            f"{approved:,} approved for progressive MS",
            "Disease-modifying and symptomatic drugs in progressive-MS interventional trials; placebo, "
            "co-medication and supportive agents not counted.",
        ),
        (
            "Progressive-specific projects",
            projects.progressive_projects,
            context(projects.projects, "MS research project"),
            "Funded research projects whose text is about progression (classified from titles and terms).",
        ),
    ]
    for col, (label, value, delta, help_text) in zip(st.columns(len(figures)), figures, strict=True):
        col.metric(label, f"{int(value):,}", delta, delta_color="off", delta_arrow="off", help=help_text)
    page.caption(TRIAL_SOURCES + FUNDING_SOURCES)


def panel_caption(source_ids: tuple[str, ...]) -> None:
    """A panel's source line; on a slide its figure carries it (no room for more)."""
    if not presenter.is_on():
        page.caption(source_ids)


def map_panel(metrics: pd.DataFrame) -> None:
    zoom = bool(f.countries or f.regions)
    page.chart(
        figures.built(charts.small_map, metrics, HEIGHT, zoom),
        "overview_map",
        TRIAL_SOURCES,
        f,
        slide_size=PANEL_SLIDE,
    )
    panel_caption(TRIAL_SOURCES)
    link("pages/map.py", "World map →", {"metric": "progressive"})


def funding_story(currency: str) -> tuple[pd.DataFrame, pd.Series] | None:
    """The most comparable coverage series for these filters, year by year (see trend_frame)."""
    series = data.funding_series(f, currency)
    if series.empty:
        return None
    top = series.iloc[0]
    money = data.funding_by_year(f, currency, "fundergroup", False, top.series_id)
    progressive = data.funding_by_year(
        f.replace(relevance="progressive"), currency, "fundergroup", False, top.series_id
    )
    status = charts_funding.year_status(
        data.funding_years_covered(f, top.series_id), money, f.year_from, f.year_to
    )
    share = data.funding_share(f, currency)
    trend = charts.trend_frame(money, progressive, status, share[share["series_id"] == top.series_id])
    return trend, top


def funding_panel() -> None:
    """One series' money per year, with the currency switch beside it (normal mode)."""
    if not presenter.is_on():
        st.segmented_control(
            "Currency",
            list(CURRENCIES),
            format_func=CURRENCIES.__getitem__,
            key="overview_currency",
            required=True,
        )
    currency = st.session_state["overview_currency"]
    story = funding_story(currency)
    if story is None:
        st.info("No award records match these filters: widen the funder, years or relevance in the sidebar.")
        return
    trend, top = story
    who = charts_funding.series_who(top)
    research = "MS research" if ALL_MS else "progressive MS"
    fy = "FY" if who.startswith("NIH") else ""  # NIH counts money in fiscal years
    headline, detail = charts.trend_finding(trend, who, research, currency, fy)
    fig = figures.built(charts.funding_trend, trend, currency, headline, detail, ALL_MS, HEIGHT)
    sources = (str(top.source),)
    page.chart(fig, "overview_funding", sources, f, slide_size=PANEL_SLIDE)
    panel_caption(sources)
    link("pages/funding.py", "Funding over time →", {"series": str(top.series_id), "currency": currency})


def pipeline_panel(stages: pd.DataFrame) -> None:
    if stages.empty:
        st.info("No progressive-MS drug trials match these filters.")
    else:
        page.chart(
            figures.built(charts.pipeline_stages, stages, HEIGHT),
            "overview_pipeline",
            TRIAL_SOURCES,
            f,
            slide_size=PANEL_SLIDE,
        )
        panel_caption(TRIAL_SOURCES)
    link("pages/pipeline.py", "Therapy pipeline →")


def changed_line() -> None:
    """What changed in the registries over the default window, in the What changed page's words,
    one line under the headline figures with a link to that page (not on a slide: no room)."""
    if presenter.is_on():
        return
    months = changes.WINDOWS[0]
    st.markdown(md_escape(changes.headline_lines(data.changes_window_counts(f, months), months, None)[0]))
    link("pages/changed.py", "What changed →")


# 1. Title and notices ---------------------------------------------------------------------
st.title("Progressive MS research at a glance")
page.show_notices(*VIEW.seed())
page.showing(f)

# 2. Data -----------------------------------------------------------------------------------
trials = data.headline_trials(f).iloc[0]
projects = data.headline_projects(f).iloc[0]
stages = charts.stage_counts(data.pipeline_markers(f, *PIPELINE_VIEW))
metrics = data.map_country_metrics(f, "EUR")

# 3. One slide: the headline figures, then where, money, pipeline side by side -----------------
with page.slide():
    headline_figures(trials, projects, stages)
    changed_line()
    panels: list[Callable[[], None]] = [
        lambda: map_panel(metrics),
        funding_panel,
        lambda: pipeline_panel(stages),
    ]
    per_row = 3 if presenter.is_on() else 2
    for start in range(0, len(panels), per_row):
        row = panels[start : start + per_row]
        for column, draw in zip(st.columns(len(row), gap="medium"), row, strict=True):
            with column:
                draw()
VIEW.write()
link("pages/about.py", "About the data: sources, coverage and limits →")
