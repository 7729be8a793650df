"""The cached queries: the database per snapshot, and one function per named query.

`st.cache_resource` holds one sandboxed `Database` per snapshot id; `st.cache_data` holds
query results keyed by (query, snapshot id, filters, extra parameters). Pages call the named
functions below and never see SQL or DuckDB.

A damaged snapshot is caught while serving: every run compares the served snapshot's files with
the stamp taken when it was opened (size, modification time), and a query that fails re-verifies
it. A snapshot that fails its checksums is marked bad for this process (`_BAD`) and the newest good
one is served from this run on, with the banner (`serving_notice`), without a restart.
NOTE: no figure is built here. A figure worth caching is cached on the page side
(`msprogress.figures`), from these functions' results and keyed the same way (`KEYED`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

import pandas as pd
import streamlit as st

from msprogress import paths
from msprogress.db import Database, QueryError
from msprogress.filters import Filters
from msprogress.manifest import Manifest
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


# NOTE: the cache keys a Filters by its values (Filters is a small immutable mapping, not a dataclass).
KEYED: dict[str | type[Any], Callable[[Any], Any]] = {Filters: Filters.key}


@st.cache_data(show_spinner=False, max_entries=512, hash_funcs=KEYED)
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


def funding_years_covered(f: Filters, series: str | None) -> pd.DataFrame:
    return run("funding_years_covered", f, series=series)


def filter_options() -> pd.DataFrame:
    return run("filter_options")


def pipeline_markers(f: Filters, include_supportive: bool, include_nondrug: bool) -> pd.DataFrame:
    return run("pipeline_markers", f, include_supportive=include_supportive, include_nondrug=include_nondrug)


def pipeline_trials(f: Filters, include_supportive: bool, include_nondrug: bool) -> pd.DataFrame:
    return run("pipeline_trials", f, include_supportive=include_supportive, include_nondrug=include_nondrug)


def explore_trials(f: Filters, search: str | None, sort: str, max_rows: int) -> pd.DataFrame:
    return run("explore_trials", f, search=search, sort=sort, max_rows=max_rows)


def explore_projects(f: Filters, search: str | None, sort: str, max_rows: int) -> pd.DataFrame:
    return run("explore_projects", f, search=search, sort=sort, max_rows=max_rows)


def explore_grants(f: Filters, search: str | None, sort: str, max_rows: int) -> pd.DataFrame:
    return run("explore_grants", f, search=search, sort=sort, max_rows=max_rows)


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


def map_organisations(f: Filters, currency: str) -> pd.DataFrame:
    return run("map_organisations", f, currency=currency)


def map_country_counts(f: Filters, iso3: str) -> pd.DataFrame:
    return run("map_country_counts", f, iso3=iso3)


def map_country_trials(f: Filters, iso3: str) -> pd.DataFrame:
    return run("map_country_trials", f, iso3=iso3)


def map_country_projects(f: Filters, iso3: str) -> pd.DataFrame:
    return run("map_country_projects", f, iso3=iso3)


def map_country_grants(f: Filters, iso3: str, currency: str) -> pd.DataFrame:
    return run("map_country_grants", f, iso3=iso3, currency=currency)


# --- What changed: registry dates in the served snapshot, and the difference from an earlier one ---


def _window(months: int) -> int:
    """A window length the page offers (changes.WINDOWS); anything else is refused before SQL."""
    from msprogress import changes

    if months not in changes.WINDOWS:
        raise ValueError(f"not a window length: {months!r} (months: {changes.WINDOWS})")
    return months


def changes_window_counts(f: Filters, months: int) -> pd.DataFrame:
    return run("changes_window_counts", f, months=_window(months))


def changes_window_trials(f: Filters, months: int) -> pd.DataFrame:
    return run("changes_window_trials", f, months=_window(months))


def changes_window_awards(f: Filters, months: int, currency: str) -> pd.DataFrame:
    return run("changes_window_awards", f, months=_window(months), currency=currency)


def earlier_snapshots() -> list[str]:
    """Ids of the snapshots built before the served one, newest first: what it can be compared with.
    NOTE: not verified here (that reads every file); `pair_database` verifies the one chosen."""
    from msprogress.snapshot import is_valid_id, list_snapshots

    served = snapshot().snapshot_id
    ids = [  # not one found damaged while serving (`_BAD`)
        s for s in list_snapshots(paths.snapshots_dir()) if is_valid_id(s) and s < served and s not in _BAD
    ]
    return sorted(ids, reverse=True)


@st.cache_resource(show_spinner=False, max_entries=4)
def _pair(snapshots_dir: str, current: str, since: str) -> Database:
    """The served snapshot and `since` in one sandbox (`since` verified against its checksums)."""
    return Database(snapshot(), earlier=open_snapshot(Path(snapshots_dir), since))


def pair_database(since: str) -> Database:
    """The pair of the served snapshot and the earlier snapshot `since`; SnapshotError when `since`
    is not an earlier snapshot on this server or does not verify."""
    if since not in earlier_snapshots():
        raise SnapshotError(f"no earlier snapshot {since[:80]!r} on this server")
    return _pair(str(paths.snapshots_dir()), snapshot().snapshot_id, since)


@st.cache_data(show_spinner=False, max_entries=128, hash_funcs=KEYED)
def _run_pair(
    name: str, snapshot_id: str, since: str, f: Filters, extra: tuple[tuple[str, object], ...]
) -> pd.DataFrame:
    return pair_database(since).run(name, f.as_struct(), **dict(extra))


def run_pair(name: str, since: str, f: Filters, **extra: object) -> pd.DataFrame:
    return _run_pair(name, snapshot().snapshot_id, since, f, tuple(sorted(extra.items())))


def diff_trials(f: Filters, since: str) -> pd.DataFrame:
    return run_pair("diff_trials", since, f)


def diff_agents(f: Filters, since: str) -> pd.DataFrame:
    return run_pair("diff_agents", since, f)


def diff_grants(f: Filters, since: str, currency: str) -> pd.DataFrame:
    return run_pair("diff_grants", since, f, currency=currency)


def diff_series_totals(f: Filters, since: str, currency: str) -> pd.DataFrame:
    return run_pair("diff_series_totals", since, f, currency=currency)


def earlier_manifest(since: str) -> Manifest:
    """The manifest of the earlier snapshot `since` (verified, as the pair opens it)."""
    earlier = pair_database(since).earlier
    assert earlier is not None
    return earlier.manifest


def pair_notes(since: str) -> list[str]:
    """How the served snapshot and `since` differ besides their rows (sources, tables)."""
    from msprogress import changes

    return changes.pair_notes(pair_database(since))


def snapshot_created(snapshot_id: str) -> str:
    """When a snapshot on this server was built (its manifest's created_at; '' when unreadable)."""
    try:
        return open_snapshot(paths.snapshots_dir(), snapshot_id, verify=False).manifest.created_at
    except SnapshotError:
        return ""
