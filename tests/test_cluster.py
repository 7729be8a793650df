"""Two replicas behind HAProxy (msprogress/cluster.py), driven through the proxy by lightweight
Streamlit clients (bench/stclient.py) on a copy of the fixture data.

Checked, in order: sessions are spread over both replicas and each stays on its own (the sticky
cookie); every session shows the Overview's figures; a snapshot made current is shown by the
sessions of every replica at their next run; one replica killed (SIGKILL) while every session
is mid-run: the sessions on the other finish that run and the next without an error, new
sessions and the killed replica's sessions coming back all land on the survivor and render.
Correctness only: no time is judged (`make loadtest` has the longer run and its figures).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench.stclient import ClientError, Run, Session
from msprogress.cluster import COOKIE, cluster, haproxy_binary
from msprogress.db import Database
from msprogress.filters import Filters
from msprogress.ingest.build import build
from msprogress.snapshot import current_id, open_snapshot

SESSIONS = 6


def _progressive_trials(data: Path) -> str:
    """The Overview's first figure for the current snapshot, from its query (no filters)."""
    db = Database(open_snapshot(data / "snapshots"))
    return f"{int(db.run('headline_trials', Filters().as_struct()).iloc[0].progressive_trials):,}"


def _shows(run: Run, snapshot_id: str, trials: str) -> None:
    assert run.errors() == []
    assert run.metric("Progressive-MS trials") == trials
    assert any(f"Snapshot {snapshot_id}." in t for t in run.texts()), "the snapshot its numbers come from"


def _money_in(run: Run, symbol: str) -> bool:
    """Whether a chart of the run (the Overview's funding panel) states money in that currency."""
    charts = [e.plotly_chart.spec for e in run.elements if e.WhichOneof("type") == "plotly_chart"]
    titles = [json.loads(spec)["layout"]["title"].get("text", "") for spec in charts]
    assert titles, "no chart drawn"
    return any(str(title).startswith(symbol) for title in titles)


@pytest.fixture()
def data(tmp_path: Path, fixture_data: Path) -> Path:
    shutil.copytree(fixture_data / "raw", tmp_path / "raw")
    shutil.copytree(fixture_data / "snapshots", tmp_path / "snapshots")
    return tmp_path


async def _scenario(url: str, kill: Callable[[], None], data: Path) -> None:
    trials, first = _progressive_trials(data), current_id(data / "snapshots")
    assert first is not None
    sessions = [Session(url, timeout=120) for _ in range(SESSIONS)]
    for s in sessions:  # one after the other, each keeping its websocket open
        _shows(await s.open("/"), first, trials)
    on = {s: s.cookies[COOKIE] for s in sessions}
    assert Counter(on.values()) == {"r1": SESSIONS // 2, "r2": SESSIONS // 2}, "spread over both"

    # a new snapshot made current: every replica serves it from its sessions' next run
    await asyncio.to_thread(build, data / "raw", data / "snapshots")
    second = current_id(data / "snapshots")
    assert second is not None and second != first
    for s in sessions:
        _shows(await s.set("overview_currency", "USD $"), second, trials)
        assert s.cookies[COOKIE] == on[s], "a session stays on its replica"

    # r1 killed while every session is mid-run
    runs = [asyncio.ensure_future(s.set("overview_currency", "GBP £")) for s in sessions]
    await asyncio.sleep(0)
    kill()
    done = await asyncio.gather(*runs, return_exceptions=True)
    for s, result in zip(sessions, done, strict=True):
        if on[s] == "r2":
            assert isinstance(result, Run), result
            _shows(result, second, trials)  # the run the kill did not reach finished
            assert _money_in(result, "£"), "the funding panel in pounds"
            _shows(await s.set("overview_currency", "EUR €"), second, trials)
        else:
            assert isinstance(result, (Run, ClientError))  # finished before the kill, or cut off
    assert any(isinstance(r, ClientError) for r in done), "the kill cut no run off: not mid-run"

    # new sessions, and the killed replica's sessions reopening: all on the survivor
    for s in [Session(url, timeout=120) for _ in range(3)] + [s for s in sessions if on[s] == "r1"]:
        _shows(await s.open("/"), second, trials)
        assert s.cookies[COOKIE] == "r2"
        await s.close()
    for s in sessions:
        await s.close()


def test_two_replicas_behind_the_proxy(data: Path, tmp_path: Path):
    haproxy_binary()  # fails with how to install it
    with cluster(2, data_dir=data, log_dir=tmp_path) as c:
        r1 = c.replica("r1")
        kill = lambda: r1.proc.send_signal(signal.SIGKILL)  # noqa: E731
        # NOTE: in a thread of its own: the browser tests' sync Playwright keeps an event loop
        # running in the main thread for the whole session
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, _scenario(c.url, kill, data)).result()
        assert c.replica("r2").proc.poll() is None and r1.proc.wait(timeout=30) == -signal.SIGKILL
    for name in ("r1", "r2"):
        log = (tmp_path / f"{name}.log").read_text(errors="replace")
        assert "Traceback" not in log, log[log.index("Traceback") :][:2000]
