"""Refreshing from the registry APIs, against a local server replaying the fixture pages.

The server (`ReplayServer`, one per test, 127.0.0.1 on a free port) answers
`GET /api/v2/studies` from `tests/fixtures/api/ctgov/page-*.json` by `pageToken`, and
`POST /v2/projects/search` from `tests/fixtures/api/reporter/fy<FY>-offset-<N>.json` by the
fiscal year and offset in the request body (an empty result for any other year). It counts every
request, and a test can queue special answers (a 429, a 500, a broken page) for a given page.
No test contacts the internet.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from msprogress.ingest import countries, ctgov_api, reporter_api
from msprogress.ingest.supersede import supersede
from msprogress.refresh import ctgov, pull, reporter
from msprogress.refresh.__main__ import NO_NETWORK, Settings, refresh
from msprogress.refresh.http import Client, RefreshError, RetryPolicy, parse_retry_after
from msprogress.snapshot import current_id, list_snapshots, open_snapshot
from tests.conftest import FIXTURE_RAW, FIXTURES, REPO

API = FIXTURES / "api"
TODAY = dt.date(2025, 10, 1)
FAST = RetryPolicy(tries=3, backoff=0.01, max_wait=2.0)
YEARS = [2016, 2017, 2018]
CTGOV_PAGES = sorted((API / "ctgov").glob("page-*.json"))
REPORTER_PAGES = sorted((API / "reporter").glob("fy*.json"))


# --- the replay server -------------------------------------------------------------------------------
class ReplayServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 8

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ReplayHandler)
        self.pages = {p.name: p.read_bytes() for p in CTGOV_PAGES + REPORTER_PAGES}
        self.tokens = {None: CTGOV_PAGES[0].name}
        for page, nxt in zip(CTGOV_PAGES, CTGOV_PAGES[1:], strict=False):
            self.tokens[json.loads(page.read_bytes())["nextPageToken"]] = nxt.name
        self.script: dict[str, list[tuple[int, dict[str, str], bytes]]] = {}
        self.log: list[tuple[str, float, Any]] = []  # (page key, time, request parameters)
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def count(self) -> Counter:
        return Counter(key for key, _, _ in self.log)

    def answer(self, key: str, params: Any) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            self.log.append((key, time.monotonic(), params))
            queued = self.script.get(key)
            if queued:
                return queued.pop(0)
        if key in self.pages:
            return 200, {}, self.pages[key]
        if key.startswith("fy"):  # a fiscal year without fixture records
            empty = {"meta": {"total": 0, "offset": 0, "limit": 4}, "results": []}
            return 200, {}, json.dumps(empty).encode()
        return 400, {}, b'{"error": "unknown page token"}'


class ReplayHandler(BaseHTTPRequestHandler):
    server: ReplayServer
    timeout = 5

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(url.query))
        if url.path != "/api/v2/studies":
            return self._send(404, {}, b"{}")
        self._send(*self.server.answer(self.server.tokens.get(params.get("pageToken"), "bad-token"), params))

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path != "/v2/projects/search":
            return self._send(404, {}, b"{}")
        key = f"fy{body['criteria']['fiscal_years'][0]}-offset-{body['offset']:04d}.json"
        self._send(*self.server.answer(key, body))

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for k, v in {"Content-Type": "application/json", **headers}.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def server():
    srv = ReplayServer()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=5)


@pytest.fixture()
def data(tmp_path: Path, fixture_data: Path) -> Path:
    """A data folder: the fixture raw files and the session's fixture snapshot as CURRENT."""
    shutil.copytree(FIXTURE_RAW, tmp_path / "raw")
    shutil.copytree(fixture_data / "snapshots", tmp_path / "snapshots")
    return tmp_path


def settings(data: Path, srv: ReplayServer | None, **kw: Any) -> Settings:
    base = srv.url if srv else closed_port_url()
    options: dict[str, Any] = {
        "ctgov_url": f"{base}/api/v2",
        "reporter_url": f"{base}/v2",
        "today": TODAY,
        "fiscal_years": YEARS,
        "page_size": 4,
        "interval": 0.0,
        "policy": FAST,
        **kw,
    }
    return Settings(raw_dir=data / "raw", snapshots_dir=data / "snapshots", **options)


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there any more: connection refused


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def fixture_studies() -> list[dict]:
    return [s for p in CTGOV_PAGES for s in json.loads(p.read_bytes())["studies"]]


def fixture_results() -> list[dict]:
    return [r for p in REPORTER_PAGES for r in json.loads(p.read_bytes())["results"]]


def table(snapshot_dir: Path, name: str):
    return pq.read_table(snapshot_dir / f"{name}.parquet").to_pandas()


# --- a full refresh ----------------------------------------------------------------------------------------
def test_full_refresh_builds_a_snapshot_with_complete_trial_countries(server, data, capsys):
    before = current_id(data / "snapshots")
    assert refresh(settings(data, server)) == 0
    snap = open_snapshot(data / "snapshots")
    assert snap.snapshot_id != before and snap.snapshot_id in list_snapshots(data / "snapshots")
    out = capsys.readouterr().out
    assert f"snapshot {snap.snapshot_id}" in out and "superseded by ctgov_api" in out

    # every fixture page was requested exactly once and stored as received
    stored = data / "raw" / "ctgov_api" / TODAY.isoformat()
    assert server.count() == Counter({p.name: 1 for p in CTGOV_PAGES + REPORTER_PAGES})
    assert [(stored / f"page-{i:04d}.json").read_bytes() for i in (1, 2, 3)] == [
        p.read_bytes() for p in CTGOV_PAGES
    ]
    assert json.loads((stored / "progress.json").read_text())["complete"] is True

    trials, sites = table(snap.path, "trials"), table(snap.path, "trial_countries")
    assert not trials.trial_id.duplicated().any()
    api_sites = sites[sites.source == "ctgov_api"]
    assert api_sites.list_complete.all() and (api_sites.basis == ctgov_api.BASIS).all()
    by_trial = api_sites.groupby("trial_id").iso3.apply(set)
    for study in fixture_studies():
        nct = study["protocolSection"]["identificationModule"]["nctId"]
        locations = study["protocolSection"].get("contactsLocationsModule", {}).get("locations", [])
        expected = {countries.to_iso3(loc["country"]) for loc in locations}
        assert by_trial.get(nct, set()) == expected, nct
    assert by_trial.map(len).max() >= 4  # several countries per trial, not the first site's only


def test_refreshed_sites_carry_the_registry_coordinates(server, data):
    assert refresh(settings(data, server, build=False)) == 0
    result = ctgov_api.read(data / "raw")
    sites = result.tables["trial_countries"].set_index(["trial_id", "iso3"])
    for study in fixture_studies():
        nct = study["protocolSection"]["identificationModule"]["nctId"]
        seen = set()
        for loc in study["protocolSection"].get("contactsLocationsModule", {}).get("locations", []):
            iso3 = countries.to_iso3(loc["country"])
            if iso3 in seen or "geoPoint" not in loc:
                continue
            seen.add(iso3)
            row = sites.loc[(nct, iso3)]
            assert (row.latitude, row.longitude, row.city) == (
                loc["geoPoint"]["lat"],
                loc["geoPoint"]["lon"],
                loc["city"],
            )
    trials = result.tables["trials"].set_index("trial_id")
    for study in fixture_studies():
        nct = study["protocolSection"]["identificationModule"]["nctId"]
        locations = study["protocolSection"].get("contactsLocationsModule", {}).get("locations", [])
        assert trials.loc[nct, "total_locations"] == len(locations)
        assert trials.loc[nct, "n_countries"] == len({countries.to_iso3(loc["country"]) for loc in locations})
    # ASCEND (natalizumab in SPMS): classified by the export reader's own rules
    assert (
        trials.loc["NCT01665144", "phase"] == "Phase 3" and trials.loc["NCT01665144", "population"] == "SPMS"
    )


def test_superseded_file_rows_are_dropped_and_counted(server, data):
    assert refresh(settings(data, server)) == 0
    snap = open_snapshot(data / "snapshots")
    trials, grants = table(snap.path, "trials"), table(snap.path, "grants")
    api_ids = {s["protocolSection"]["identificationModule"]["nctId"] for s in fixture_studies()}
    with (FIXTURE_RAW / "ctgov" / "ctgov_ms_studies_2025-09-25.csv").open(encoding="utf-8") as fh:
        csv_ids = {r["NCTId"] for r in csv.DictReader(fh)}
    assert set(trials.loc[trials.source == "ctgov", "trial_id"]) == csv_ids - api_ids
    assert set(trials.loc[trials.source == "ctgov_api", "trial_id"]) == api_ids
    for t in ("trial_countries", "trial_interventions"):
        df = table(snap.path, t)
        assert not (set(df.loc[df.source == "ctgov", "trial_id"]) & api_ids), t
    notes = {s.source_id: s.notes for s in snap.manifest.sources}
    assert f"{len(csv_ids & api_ids)} trials superseded by ctgov_api as of {TODAY}" in notes["ctgov"]

    appl = {f"nih:{r['appl_id']}" for r in fixture_results()}
    assert set(grants.loc[grants.source == "reporter_api", "grant_id"]) == appl
    assert not grants.grant_id.duplicated().any()
    exporter_grants = {n for n in notes["nih_exporter"] if "grants superseded by reporter_api" in n}
    assert exporter_grants, notes["nih_exporter"]
    # a project also in the 1990s RePORTER files: its old grants stay, pointing at the refreshed project row
    projects = table(snap.path, "projects").set_index("project_id")
    assert projects.loc["nih:R01NS026799", "source"] == "reporter_api"
    old = grants[(grants.project_id == "nih:R01NS026799") & (grants.source == "nih_reporter")]
    assert len(old) >= 1


# --- retries -----------------------------------------------------------------------------------------------------
def test_429_with_retry_after_is_honoured(server, data):
    server.script["page-0002.json"] = [(429, {"Retry-After": "0.4"}, b'{"message": "Too Many Requests"}')]
    messages: list[str] = []
    waits: list[float] = []  # the client's sleeps, recorded (no wall-clock in the verdict)
    client = Client(
        f"{server.url}/api/v2", min_interval=0, policy=FAST, sleep=waits.append, log=messages.append
    )
    pull.run(ctgov.CtgovStudies(4), client, data / "raw", TODAY, log=messages.append)
    assert server.count()["page-0002.json"] == 2 and waits == [0.4]
    assert any("HTTP 429" in m and "retrying in 0.4 s" in m for m in messages)


def test_retry_after_as_http_date():
    now = dt.datetime(2025, 10, 1, 12, 0, 0, tzinfo=dt.UTC)
    assert parse_retry_after("Wed, 01 Oct 2025 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after("Wed, 01 Oct 2025 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None


def test_server_error_then_success(server, data):
    server.script["fy2017-offset-0004.json"] = [(500, {}, b"internal error"), (502, {}, b"bad gateway")]
    waits: list[float] = []
    client = Client(f"{server.url}/v2", min_interval=0, policy=FAST, sleep=waits.append, log=lambda m: None)
    outcome = pull.run(reporter.ReporterProjects(YEARS, 4), client, data / "raw", TODAY, log=lambda m: None)
    assert server.count()["fy2017-offset-0004.json"] == 3
    assert waits == [FAST.backoff, FAST.backoff * 2]  # exponential backoff
    assert outcome.records == len(fixture_results())


def test_gives_up_after_the_last_attempt_and_writes_nothing(server, data):
    server.script["page-0001.json"] = [(503, {}, b"")] * FAST.tries
    client = Client(f"{server.url}/api/v2", min_interval=0, policy=FAST, log=lambda m: None)
    with pytest.raises(RefreshError, match=f"after {FAST.tries} attempts: HTTP 503"):
        pull.run(ctgov.CtgovStudies(4), client, data / "raw", TODAY)
    assert not (data / "raw" / "ctgov_api").exists()


# --- malformed pages, no network, interruption -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (CTGOV_PAGES[1].read_bytes()[:500], "not valid JSON"),
        (json.dumps({"totalCount": 14, "nextPageToken": "x"}).encode(), "no 'studies' list"),
        (
            json.dumps({"studies": [{"protocolSection": {}}]}).encode(),
            "study 1 has no protocolSection.identificationModule.nctId",
        ),
    ],
)
def test_malformed_page_stops_with_its_name_and_keeps_the_rest(server, data, capsys, body, problem):
    server.script["page-0002.json"] = [(200, {}, body)]
    before_current, before_list = current_id(data / "snapshots"), list_snapshots(data / "snapshots")
    assert refresh(settings(data, server)) == 2
    err = capsys.readouterr().err
    assert "ctgov_api page 2" in err and problem in err and "current snapshot was not changed" in err
    assert (current_id(data / "snapshots"), list_snapshots(data / "snapshots")) == (
        before_current,
        before_list,
    )
    folder = data / "raw" / "ctgov_api" / TODAY.isoformat()
    checkpoint = json.loads((folder / "progress.json").read_text())
    assert [p["file"] for p in checkpoint["pages"]] == ["page-0001.json"] and not checkpoint["complete"]
    assert (folder / "page-0002.malformed").read_bytes() == body and not (folder / "page-0002.json").exists()
    assert ctgov_api.read(data / "raw").tables["trials"].empty  # an unfinished pull is not read

    assert refresh(settings(data, server, build=False)) == 0  # the next run resumes at page 2
    assert server.count()["page-0001.json"] == 1 and not (folder / "page-0002.malformed").exists()


def test_no_network_changes_nothing(data, capsys):
    before = tree(data)
    assert refresh(settings(data, None)) == 3
    last = capsys.readouterr().err.splitlines()[-1]  # after the progress bar's carriage returns
    assert last.startswith(NO_NETWORK + " (cannot reach 127.0.0.1:") and "Connection refused" in last
    assert tree(data) == before


def test_no_network_from_the_command_line(data):
    before = tree(data)
    cmd = [
        sys.executable,
        "-m",
        "msprogress.refresh",
        "--ctgov-url",
        closed_port_url() + "/api/v2",
        "--reporter-url",
        closed_port_url() + "/v2",
        "--raw",
        str(data / "raw"),
        "--snapshots",
        str(data / "snapshots"),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=REPO)
    assert out.returncode == 3
    assert out.stderr.splitlines()[-1].startswith("no network: the current snapshot stays (")
    assert tree(data) == before


def test_interrupted_pull_resumes_without_refetching(server, data):
    server.script["page-0003.json"] = [(500, {}, b"")] * FAST.tries  # the server fails after page 2
    assert refresh(settings(data, server)) == 2
    folder = data / "raw" / "ctgov_api" / TODAY.isoformat()
    checkpoint = json.loads((folder / "progress.json").read_text())
    assert [p["file"] for p in checkpoint["pages"]] == ["page-0001.json", "page-0002.json"]
    assert checkpoint["next"] == {"pageToken": json.loads(CTGOV_PAGES[1].read_bytes())["nextPageToken"]}

    later = TODAY + dt.timedelta(days=1)  # resumed the next day: the same folder continues
    assert refresh(settings(data, server, today=later)) == 0
    assert server.count()["page-0001.json"] == 1 and server.count()["page-0002.json"] == 1
    assert server.count()["page-0003.json"] == FAST.tries + 1
    assert not (data / "raw" / "ctgov_api" / later.isoformat()).exists()


def test_killed_mid_pull_resumes_from_the_checkpoint(server, data):
    class Killer:  # a progress bar that interrupts the run after the second page
        pages = 0
        total = None

        def __init__(self, **_: Any):
            pass

        def update(self, n: int) -> None:
            Killer.pages += 1
            if Killer.pages == 2:
                raise KeyboardInterrupt

        def close(self) -> None:
            pass

        def set_description(self, desc: str) -> None:
            pass

    source = reporter.ReporterProjects(YEARS, 4)
    client = Client(f"{server.url}/v2", min_interval=0, policy=FAST)
    with pytest.raises(KeyboardInterrupt):
        pull.run(source, client, data / "raw", TODAY, bar=Killer, log=lambda m: None)
    outcome = pull.run(source, client, data / "raw", TODAY, log=lambda m: None)
    assert outcome.resumed and outcome.fetched == 2 and outcome.pages == 4
    assert server.count() == Counter({p.name: 1 for p in REPORTER_PAGES})


def test_a_complete_pull_of_today_is_not_fetched_again_unless_restarted(server, data):
    assert refresh(settings(data, server, build=False)) == 0
    assert refresh(settings(data, server, build=False)) == 0
    assert server.count() == Counter({p.name: 1 for p in CTGOV_PAGES + REPORTER_PAGES})
    pulled = tree(data / "raw")
    assert refresh(settings(data, None, build=False, restart=True)) == 3  # no network: the pull stays
    assert tree(data / "raw") == pulled
    assert refresh(settings(data, server, build=False, restart=True)) == 0
    assert server.count() == Counter({p.name: 2 for p in CTGOV_PAGES + REPORTER_PAGES})


# --- readers ----------------------------------------------------------------------------------------------------------
def test_readers_without_a_pull_give_empty_results(tmp_path):
    for reader in (ctgov_api, reporter_api):
        result = reader.read(tmp_path)
        assert result.rows_read == 0 and not any(len(df) for df in result.tables.values())


def test_reporter_api_records_follow_the_fixture(server, data):
    assert refresh(settings(data, server, build=False)) == 0
    result = reporter_api.read(data / "raw")
    assert result.rows_read == result.rows_kept == len(fixture_results()) and not result.rejections
    grants = result.tables["grants"].set_index("grant_id")
    for res in fixture_results():
        g = grants.loc[f"nih:{res['appl_id']}"]
        assert g.year == res["fiscal_year"]
        funded = sum(f["total_cost"] for f in res["agency_ic_fundings"])
        assert g.amount == (res["award_amount"] if res["award_amount"] is not None else funded)
    contract = next(r for r in fixture_results() if r["core_project_num"].startswith("N01"))
    assert (
        grants.loc[f"nih:{contract['appl_id']}", "project_id"]
        == "nih:" + contract["project_num"].split("-")[0]
    )


def test_incremental_pull_reads_newest_first(server, data):
    assert refresh(settings(data, server, build=False)) == 0
    later = TODAY + dt.timedelta(days=3)
    assert refresh(settings(data, server, build=False, since="last", today=later, fiscal_years=None)) == 0
    asked = [p for key, _, p in server.log if key == "page-0001.json"][-1]
    assert asked["filter.advanced"] == f"AREA[LastUpdatePostDate]RANGE[{TODAY},MAX]"
    years = [p["criteria"]["fiscal_years"][0] for key, _, p in server.log if key.startswith("fy")][
        len(REPORTER_PAGES) :
    ]
    assert years == reporter.default_years(later, TODAY.isoformat())
    result = ctgov_api.read(data / "raw")
    assert set(result.tables["trials"].source_file.str[:20]) == {f"ctgov_api/{later}"}
    dup = [r for r in result.rejections if r.reason.startswith("duplicate trial id")]
    assert len(dup) == len(fixture_studies()) and all(r.file.startswith(f"ctgov_api/{TODAY}") for r in dup)


def test_supersede_keeps_the_newer_source(server, data):
    from msprogress.ingest import ctgov as ctgov_csv

    assert refresh(settings(data, server, build=False)) == 0
    api, shipped = ctgov_api.read(data / "raw"), ctgov_csv.read(data / "raw")
    api.as_of = "2025-01-01"  # an API pull older than the shipped file gives way to it
    out = {r.source_id: r for r in supersede([shipped, api])}
    overlap = set(api.tables["trials"].trial_id) & set(shipped.tables["trials"].trial_id)
    assert len(out["ctgov"].tables["trials"]) == len(shipped.tables["trials"])
    assert set(out["ctgov_api"].tables["trials"].trial_id) == set(api.tables["trials"].trial_id) - overlap
    assert f"{len(overlap)} trials superseded by ctgov as of {shipped.as_of}" in out["ctgov_api"].notes
