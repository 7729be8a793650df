"""The longer cluster run: two replicas behind HAProxy, steady arrivals, one replica killed midway.

    python -m bench.cluster_load                       # 60 arrivals a minute for 4 minutes
    python -m bench.cluster_load --rate 90 --minutes 2

`make serve-cluster`'s setup (msprogress/cluster.py) on the shipped snapshot, driven through the
proxy by the websocket clients of bench/stclient.py (no browser). Each arrival opens the Overview
(its page and static files: a cookie-less first visit), reads for 10 s, changes the currency, and
keeps its session open. Halfway, replica r1 is killed (SIGKILL). A session whose websocket was on
r1 reopens its page through the proxy, as Streamlit's frontend reconnects. Reported: arrivals per
replica, errors of the sessions on r2 (expected none), r1 sessions cut and reopened, where new
sessions landed after the kill, first-page p50/p95 before and after. Results in
bench/cluster.json; the README quotes them. On this 2-core machine the replicas and the load
generator share the cores: this checks behaviour under load, not capacity (bench/capacity.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.capacity import INTERACTION, THINK_S, expect_no_error, pctl
from bench.stclient import ClientError, Session
from msprogress.cluster import COOKIE, Cluster, cluster

RESULTS = Path(__file__).resolve().parent / "cluster.json"


async def drive(c: Cluster, rate: float, seconds: float) -> dict[str, Any]:
    rng, t0 = random.Random(7), time.monotonic()
    kill_at = seconds / 2
    killed: list[float] = []
    log: list[dict[str, Any]] = []
    sessions: list[Session] = []

    async def visitor(n: int) -> None:
        s = Session(c.url, timeout=180)
        rec: dict[str, Any] = {"n": n, "start": time.monotonic() - t0}
        sessions.append(s)
        log.append(rec)
        try:
            t = time.monotonic()
            expect_no_error(await s.open("/"))
            rec |= {"first_page_s": time.monotonic() - t, "replica": s.cookies.get(COOKIE)}
        except Exception as exc:
            rec["error"] = f"first visit: {type(exc).__name__}: {str(exc)[:160]}"
            return
        await asyncio.sleep(THINK_S)
        try:
            expect_no_error(await s.set(*INTERACTION))
        except ClientError as exc:  # cut off with its replica: reconnect as the frontend does
            rec["cut"] = str(exc)[:160]
            try:
                expect_no_error(await s.open("/"))
                rec["reopened_on"] = s.cookies.get(COOKIE)
            except Exception as again:
                rec["error"] = f"reopen: {type(again).__name__}: {str(again)[:160]}"
        except Exception as exc:
            rec["error"] = f"interaction: {type(exc).__name__}: {str(exc)[:160]}"

    tasks, at, n = [], rng.expovariate(rate / 60), 0
    while at < seconds:
        await asyncio.sleep(max(0.0, t0 + at - time.monotonic()))
        if not killed and at >= kill_at:
            c.replica("r1").proc.send_signal(signal.SIGKILL)
            killed.append(time.monotonic() - t0)
        n += 1
        tasks.append(asyncio.ensure_future(visitor(n)))
        at += rng.expovariate(rate / 60)
    await asyncio.gather(*tasks)
    for s in sessions:
        await s.close()
    return summarise(log, killed[0] if killed else seconds, rate, seconds)


def summarise(log: list[dict[str, Any]], kill_s: float, rate: float, seconds: float) -> dict[str, Any]:
    before = [r for r in log if r["start"] < kill_s]
    after = [r for r in log if r["start"] >= kill_s]
    on_r2 = [r for r in log if r.get("replica") == "r2"]
    return {
        "rate_per_min": rate,
        "seconds": seconds,
        "kill_r1_at_s": round(kill_s, 1),
        "arrivals": len(log),
        "arrivals_by_replica_before_kill": dict(Counter(r.get("replica") for r in before)),
        "arrivals_by_replica_after_kill": dict(Counter(r.get("replica") for r in after)),
        "errors_on_r2_sessions": [r["error"] for r in on_r2 if "error" in r],
        "errors_all_at_s": [[round(r["start"], 1), r["error"]] for r in log if "error" in r][:20],
        "r1_sessions_cut": sum("cut" in r for r in log),
        "r1_sessions_reopened_on": dict(Counter(r["reopened_on"] for r in log if "reopened_on" in r)),
        "first_page_p50_p95_s_before_kill": [
            pctl([r["first_page_s"] for r in before if "first_page_s" in r], q) for q in (0.5, 0.95)
        ],
        "first_page_p50_p95_s_after_kill": [
            pctl([r["first_page_s"] for r in after if "first_page_s" in r], q) for q in (0.5, 0.95)
        ],
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rate", type=float, default=60.0, help="arrivals a minute")
    ap.add_argument("--minutes", type=float, default=4.0)
    args = ap.parse_args(argv)
    logs = Path(tempfile.mkdtemp(prefix="msprogress-cluster-load-"))
    with cluster(2, log_dir=logs) as c:
        result = asyncio.run(drive(c, args.rate, args.minutes * 60))
    print(f"replica and HAProxy logs in {logs}")
    RESULTS.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    # NOTE: a request in flight to r1 when it is killed fails (HAProxy cannot retry a request the
    # replica had begun to answer): reported in errors_all_at_s, not a failure. These are:
    failed = {
        "errors on the survivor's sessions": result["errors_on_r2_sessions"],
        "new sessions on the dead replica": result["arrivals_by_replica_after_kill"].get("r1", 0),
        "cut sessions not reopened": result["r1_sessions_cut"]
        - sum(result["r1_sessions_reopened_on"].values()),
    }
    if any(failed.values()):
        raise SystemExit(f"FAILED: {failed}")


if __name__ == "__main__":
    main()
