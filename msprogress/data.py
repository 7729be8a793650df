"""The only place that caches: the database per snapshot, and one function per named query.

`st.cache_resource` holds one sandboxed `Database` per snapshot id; `st.cache_data` holds
query results keyed by (query, snapshot id, filters, extra parameters). Pages call the named
functions below and never see SQL or DuckDB.

A damaged snapshot is caught while serving: every run compares the served snapshot's files with
the stamp taken when it was opened (size, modification time), and a query that fails re-verifies
it. A snapshot that fails its checksums is marked bad for this process (`_BAD`) and the newest good
one is served from this run on, with the banner (`serving_notice`), without a restart.
NOTE: one figure is cached too, the therapy-pipeline grid: it is a pure function of two cached
query results and the view switches, and building it (a trace and hover texts per mechanism
class) cost more than the rest of a rerun; keyed like the queries, on the small filter object.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import NamedTuple, NoReturn

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from msprogress import paths
from msprogress.db import Database, QueryError
from msprogress.filters import Filters
from msprogress.snapshot import Snapshot, SnapshotError, current_id, open_serving, open_snapshot, stamp

_BAD: dict[str, str] = {}  # snapshot id -> why it cannot be served (found while serving)
_BAD_LOCK = threading.Lock()


class Served(NamedTuple):
    db: Database
    notice: str | None
    stamp: tuple[tuple[str, int, int], ...]


@st.cache_resource(show_spinner=False, max_entries=4)
def _serving(snapshots_dir: str, current: str | None, bad: tuple[tuple[str, str], ...]) -> Served:
    """The database of the snapshot CURRENT names (`current` keys the cache: a new build is served
    from the next run on, without a restart), or of the last good one, with a notice; `bad` (the
    snapshots found damaged while serving) keys it too."""
    snap, notice = open_serving(Path(snapshots_dir), dict(bad))
    return Served(Database(snap), notice, stamp(snap))


def _served() -> Served:
    folder = paths.snapshots_dir()
    for _ in range(len(_BAD) + 8):  # each turn marks one more snapshot bad, or returns
        served = _serving(str(folder), current_id(folder), tuple(sorted(_BAD.items())))
        if stamp(served.db.snapshot) == served.stamp or not _damaged(served.db.snapshot):
            return served
    raise SnapshotError("every snapshot failed its checks while being served")


def _damaged(snap: Snapshot) -> bool:
    """Re-verify a served snapshot; when it fails, mark it bad for this process and say so."""
    try:
        open_snapshot(snap.path.parent, snap.snapshot_id)
    except SnapshotError as exc:
        with _BAD_LOCK:
            _BAD[snap.snapshot_id] = str(exc)
        return True
    return False


def no_snapshot(exc: SnapshotError) -> NoReturn:
    """Stop the run with a clear banner when no snapshot at all can be served (none built, or every
    one fails its checks); the app never shows a stack trace for it."""
    st.error(
        f"No data snapshot can be served: {exc}. Nothing has been deleted: build a snapshot "
        "from data/raw with `make snapshot` (the About page lists what each build kept).",
        icon="⚠️",
    )
    st.stop()


def database() -> Database:
    return _served().db


def serving_notice() -> str | None:
    """Set when CURRENT could not be served and an older good snapshot is shown instead."""
    return _served().notice


def snapshot() -> Snapshot:
    return database().snapshot


@st.cache_data(show_spinner=False, max_entries=512)
def _run(
    name: str, snapshot_id: str, f: Filters | None, extra: tuple[tuple[str, object], ...]
) -> pd.DataFrame:
    return database().run(name, f.as_struct() if f is not None else None, **dict(extra))


def run(name: str, f: Filters | None = None, **extra: object) -> pd.DataFrame:
    """A named query's rows on the served snapshot. A read that fails on a snapshot that no longer
    verifies (a parquet file deleted or cut short under the running server) switches to the last
    good snapshot and runs the query there; any other failure is raised as it is."""
    key = tuple(sorted(extra.items()))
    try:
        while True:
            snap = snapshot()
            try:
                return _run(name, snap.snapshot_id, f, key)
            except QueryError:
                if not _damaged(snap):
                    raise
    except SnapshotError as exc:
        no_snapshot(exc)


def headline_trials(f: Filters) -> pd.DataFrame:
    return run("headline_trials", f)


def headline_projects(f: Filters) -> pd.DataFrame:
    return run("headline_projects", f)


def pipeline_phase_counts(f: Filters) -> pd.DataFrame:
    return run("pipeline_phase_counts", f)


def funding_years_covered(f: Filters, series: str | None) -> pd.DataFrame:
    return run("funding_years_covered", f, series=series)


def filter_options() -> pd.DataFrame:
    return run("filter_options")


def pipeline_markers(
    f: Filters, pop: str, include_mixed: bool, include_supportive: bool, include_nondrug: bool
) -> pd.DataFrame:
    return run(
        "pipeline_markers",
        f,
        pipeline_pop=pop,
        include_mixed=include_mixed,
        include_supportive=include_supportive,
        include_nondrug=include_nondrug,
    )


def pipeline_trials(
    f: Filters, pop: str, include_mixed: bool, include_supportive: bool, include_nondrug: bool
) -> pd.DataFrame:
    return run(
        "pipeline_trials",
        f,
        pipeline_pop=pop,
        include_mixed=include_mixed,
        include_supportive=include_supportive,
        include_nondrug=include_nondrug,
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _pipeline_figure(
    snapshot_id: str, f: Filters, view: tuple[str, bool, bool, bool], size: str, title: str, subtitle: str
) -> go.Figure:
    from msprogress.charts import pipeline as charts

    markers, trials = pipeline_markers(f, *view), pipeline_trials(f, *view)
    return charts.pipeline_figure(markers, trials, size_by=size, title=title, subtitle=subtitle)


def pipeline_figure(
    f: Filters,
    pop: str,
    include_mixed: bool,
    include_supportive: bool,
    include_nondrug: bool,
    *,
    size: str,
    title: str,
    subtitle: str,
) -> go.Figure:
    """charts.pipeline.pipeline_figure over pipeline_markers and pipeline_trials, cached."""
    view = (pop, include_mixed, include_supportive, include_nondrug)
    return _pipeline_figure(snapshot().snapshot_id, f, view, size, title, subtitle)


def explore_trials(f: Filters, search: str | None, max_rows: int) -> pd.DataFrame:
    return run("explore_trials", f, search=search, max_rows=max_rows)


def explore_projects(f: Filters, search: str | None, max_rows: int) -> pd.DataFrame:
    return run("explore_projects", f, search=search, max_rows=max_rows)


def explore_grants(f: Filters, search: str | None, max_rows: int) -> pd.DataFrame:
    return run("explore_grants", f, search=search, max_rows=max_rows)


def explore_counts(f: Filters, search: str | None) -> pd.DataFrame:
    return run("explore_counts", f, search=search)


def about_coverage() -> pd.DataFrame:
    return run("about_coverage")


def about_rejections() -> pd.DataFrame:
    return run("about_rejections")


def about_rejection_reasons() -> pd.DataFrame:
    return run("about_rejection_reasons")


def funding_series(f: Filters, currency: str) -> pd.DataFrame:
    return run("funding_series", f, currency=currency)


def funding_by_year(f: Filters, currency: str, group: str, spread: bool, series: str | None) -> pd.DataFrame:
    return run("funding_by_year", f, currency=currency, group=group, spread=spread, series=series)


def funding_summary(f: Filters, currency: str, series: str | None) -> pd.DataFrame:
    return run("funding_summary", f, currency=currency, series=series)


def funding_share(f: Filters, currency: str) -> pd.DataFrame:
    return run("funding_share", f, currency=currency)


def funding_programmes(f: Filters, currency: str) -> pd.DataFrame:
    return run("funding_programmes", f, currency=currency)


def map_country_metrics(f: Filters, currency: str) -> pd.DataFrame:
    return run("map_country_metrics", f, currency=currency)


def map_trial_sites(f: Filters) -> pd.DataFrame:
    return run("map_trial_sites", f)


def map_organisations(f: Filters) -> pd.DataFrame:
    return run("map_organisations", f)


def map_country_counts(f: Filters, iso3: str) -> pd.DataFrame:
    return run("map_country_counts", f, iso3=iso3)


def map_country_trials(f: Filters, iso3: str) -> pd.DataFrame:
    return run("map_country_trials", f, iso3=iso3)


def map_country_projects(f: Filters, iso3: str) -> pd.DataFrame:
    return run("map_country_projects", f, iso3=iso3)


def map_country_grants(f: Filters, iso3: str, currency: str) -> pd.DataFrame:
    return run("map_country_grants", f, iso3=iso3, currency=currency)
