"""Command line: `python -m msprogress.refresh` (what `make refresh` runs).

Pulls MS studies from ClinicalTrials.gov API v2 and MS projects from NIH RePORTER API v2 into
`data/raw/ctgov_api/<date>/` and `data/raw/reporter_api/<date>/` (resuming an interrupted pull),
then builds a new snapshot from `data/raw/` and makes it CURRENT.

Exit status: 0 done; 2 a pull or the build failed (what was downloaded is kept for the next run
to resume; the current snapshot is unchanged); 3 no network (nothing was changed); 130
interrupted (Ctrl-C; kept for resuming, as for 2).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from msprogress import paths
from msprogress.ingest import api_pages
from msprogress.ingest.base import SourceError
from msprogress.ingest.build import BuildError, build
from msprogress.refresh import ctgov, pull, reporter
from msprogress.refresh.http import Client, NoNetwork, RefreshError, RetryPolicy

NO_NETWORK = "no network: the current snapshot stays"


@dataclass
class Settings:
    """Everything a refresh run depends on; tests shorten the waits."""

    raw_dir: Path
    snapshots_dir: Path
    ctgov_url: str = ctgov.BASE_URL
    reporter_url: str = reporter.BASE_URL
    today: dt.date = field(default_factory=dt.date.today)
    since: str | None = None  # ISO date, "last", or None for a full pull
    restart: bool = False
    build: bool = True
    page_size: int | None = None
    fiscal_years: list[int] | None = None
    interval: float | None = None  # seconds between requests; None: each registry's own limit
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] | None = None


def main(argv: list[str] | None = None) -> int:
    return refresh(settings_from_args(argv))


def settings_from_args(argv: list[str] | None) -> Settings:
    ap = argparse.ArgumentParser(
        prog="python -m msprogress.refresh",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--ctgov-url", default=ctgov.BASE_URL, help=f"ClinicalTrials.gov API base (default {ctgov.BASE_URL})"
    )
    ap.add_argument(
        "--reporter-url", default=reporter.BASE_URL, help=f"RePORTER API base (default {reporter.BASE_URL})"
    )
    ap.add_argument("--raw", type=Path, default=None, help="raw data folder (default data/raw)")
    ap.add_argument("--snapshots", type=Path, default=None, help="snapshots folder (default data/snapshots)")
    ap.add_argument(
        "--since-date",
        nargs="?",
        const="last",
        default=None,
        metavar="YYYY-MM-DD",
        help="pull only records changed since this date (alone: since the last complete pull)",
    )
    ap.add_argument(
        "--fiscal-years",
        default=None,
        metavar="FIRST-LAST",
        help=f"RePORTER fiscal years to ask for (default {reporter.FIRST_FISCAL_YEAR} to the current one)",
    )
    ap.add_argument(
        "--page-size", type=int, default=None, help="records per page (default: the APIs' maximum)"
    )
    ap.add_argument(
        "--interval", type=float, default=None, help="seconds between requests (default: each API's limit)"
    )
    ap.add_argument(
        "--restart", action="store_true", help="start unfinished pulls over instead of resuming them"
    )
    ap.add_argument("--no-build", action="store_true", help="only download; do not build a snapshot")
    args = ap.parse_args(argv)
    if args.since_date not in (None, "last"):
        _check_date(ap, args.since_date)
    for option, url in (("--ctgov-url", args.ctgov_url), ("--reporter-url", args.reporter_url)):
        _check_url(ap, option, url)
    return Settings(
        raw_dir=args.raw or paths.raw_dir(),
        snapshots_dir=args.snapshots or paths.snapshots_dir(),
        ctgov_url=args.ctgov_url,
        reporter_url=args.reporter_url,
        since=args.since_date,
        restart=args.restart,
        build=not args.no_build,
        page_size=args.page_size,
        fiscal_years=_years(ap, args.fiscal_years) if args.fiscal_years else None,
        interval=args.interval,
    )


def refresh(s: Settings) -> int:
    """Pull both registries, then build; print what happened. Returns the exit status."""
    try:
        for source, client in plan(s):
            outcome = pull.run(source, client, s.raw_dir, s.today, restart=s.restart, bar=_bar, log=_say)
            _report_pull(source, outcome)
    except NoNetwork as exc:
        print(f"{NO_NETWORK} ({exc})", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print(
            "\ninterrupted: what was downloaded is kept; run the refresh again to resume. "
            "No snapshot was built; the current snapshot was not changed.",
            file=sys.stderr,
        )
        return 130
    except RefreshError as exc:
        print(
            f"error: {exc}\nWhat was downloaded is kept; run the refresh again to resume. "
            "No snapshot was built; the current snapshot was not changed.",
            file=sys.stderr,
        )
        return 2
    if not s.build:
        return 0
    try:
        path = build(s.raw_dir, s.snapshots_dir, progress=_progress)
    except (SourceError, BuildError) as exc:
        print(f"error: {exc}\nThe current snapshot was not changed.", file=sys.stderr)
        return 2
    summary(path)
    return 0


def plan(s: Settings) -> list[tuple[Any, Client]]:
    """(source, client) of each registry, in the order pulled."""
    studies = ctgov.CtgovStudies(s.page_size or ctgov.MAX_PAGE_SIZE, _since(s, ctgov.SOURCE_ID))
    since = _since(s, reporter.SOURCE_ID)
    years = s.fiscal_years or reporter.default_years(s.today, since)
    projects = reporter.ReporterProjects(years, s.page_size or reporter.MAX_LIMIT, since)
    return [
        (studies, _client(s, s.ctgov_url, ctgov.MIN_INTERVAL)),
        (projects, _client(s, s.reporter_url, reporter.MIN_INTERVAL)),
    ]


def _client(s: Settings, url: str, interval: float) -> Client:
    extra: dict[str, Any] = {"sleep": s.sleep} if s.sleep else {}
    return Client(
        url, min_interval=interval if s.interval is None else s.interval, policy=s.policy, log=_say, **extra
    )


def _since(s: Settings, source_id: str) -> str | None:
    """The incremental pull's start date; "last" is the date of the newest complete pull."""
    if s.since != "last":
        return s.since
    done = [p for p in api_pages.pulls(s.raw_dir, source_id) if p.complete]
    if not done:
        _say(f"{source_id}: no complete pull yet, so a full pull")
        return None
    return done[0].date.isoformat()


def _report_pull(source: Any, outcome: pull.Outcome) -> None:
    if outcome.skipped:
        return
    how = "resumed and completed" if outcome.resumed else "complete"
    _say(
        f"{source.source_id}: {how}: {outcome.records} {source.unit} records in {outcome.pages} pages "
        f"({outcome.fetched} fetched now) in {outcome.folder}"
    )
    for fy, beyond in getattr(source, "truncated", {}).items():
        _say(f"{source.source_id}: FY{fy} has {beyond} more records than the API returns for one search")


def summary(path: Path) -> None:
    """What the new snapshot holds from the registry pulls, and what they superseded."""
    from msprogress.ingest.__main__ import summary as build_summary

    build_summary(path, notes_with="superseded by", current=True)


def _check_date(ap: argparse.ArgumentParser, value: str) -> None:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        ap.error(f"--since-date: not a date YYYY-MM-DD: {value!r}")


def _check_url(ap: argparse.ArgumentParser, option: str, value: str) -> None:
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        ap.error(f"{option}: not an http(s) URL: {value!r}")


def _years(ap: argparse.ArgumentParser, value: str) -> list[int]:
    first, _, last = value.partition("-")
    try:
        years = list(range(int(first), int(last or first) + 1))
    except ValueError:
        years = []
    if not years:
        ap.error(f"--fiscal-years: expected FIRST-LAST, e.g. 2016-2018: {value!r}")
    return years


def _say(message: str) -> None:
    tqdm.write(message, file=sys.stderr)


def _bar(**kw: Any) -> pull.Bar:
    return tqdm(file=sys.stderr, leave=False, dynamic_ncols=True, **kw)


def _progress(items: Iterable, **kw: Any) -> Iterable:
    return tqdm(list(items), file=sys.stderr, leave=False, **kw)


if __name__ == "__main__":
    sys.exit(main())
