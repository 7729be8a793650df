"""Several app processes behind HAProxy, with sticky sessions: `make serve-cluster REPLICAS=n`.

Why more than one: a Streamlit process runs every session's script on one core (its capacity is
in bench/results.md); a hall opening a shared link at once needs more. Why sticky: a Streamlit
session lives in the process that holds its websocket (its state, its download files, and the
reconnect after a network blip), so HAProxy (Debian's package) inserts a cookie naming the
replica on the first answer, and the page, its static files, its websocket and later downloads
all reach that process. A browser without the cookie goes to the replica with the fewest open
connections (websockets are long-lived: round robin would not spread them).

When a replica dies: HAProxy checks `/_stcore/health` every second and takes it out; a request
whose cookie names it is sent to another replica (`option redispatch`), which sets a new cookie;
Streamlit's frontend reconnects there and reruns its page in a new session.

Every replica serves the same snapshot folder, read-only. CURRENT is read at every script run
(msprogress.data), so a snapshot made current is served by every replica from its next run,
without a restart. The replicas share one cookie secret (random per start), so the XSRF cookie
one replica sets is valid on another.
NOTE: replicas listen on 127.0.0.1 only; HAProxy alone listens on HOST:PORT.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from msprogress.localserver import free_port, streamlit_cmd, wait_healthy
from msprogress.paths import ROOT

COOKIE = "MSPROGRESS_REPLICA"


def haproxy_config(host: str, port: int, replicas: Sequence[tuple[str, int]]) -> str:
    """HAProxy's configuration: HOST:PORT in front of the named replicas on 127.0.0.1."""
    servers = "\n".join(f"    server {name} 127.0.0.1:{p} check cookie {name}" for name, p in replicas)
    return f"""# written by msprogress/cluster.py
global
    maxconn 4096
    log stdout format raw local0 info

defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h          # an open websocket (a session) may stay idle for long
    timeout client-fin 5s
    retries 3
    option redispatch 1        # a replica that refuses: the retry goes to another one

frontend dashboard
    bind {host}:{port}
    default_backend replicas

backend replicas
    balance leastconn
    cookie {COOKIE} insert indirect nocache httponly
    option httpchk GET /_stcore/health
    http-check expect status 200
    default-server inter 1s fall 2 rise 2
{servers}
"""


@dataclass
class Replica:
    name: str
    port: int
    proc: subprocess.Popen[bytes]


@dataclass
class Cluster:
    url: str
    secret: str
    env: dict[str, str]
    log_dir: Path
    replicas: list[Replica] = field(default_factory=list)
    proxy: subprocess.Popen[bytes] | None = None

    def replica(self, name: str) -> Replica:
        return next(r for r in self.replicas if r.name == name)

    def start(self, name: str, port: int, timeout: float = 120.0) -> Replica:
        """Start (or restart) replica `name` on 127.0.0.1:port and wait until it is healthy."""
        log = (self.log_dir / f"{name}.log").open("ab")
        env = {**self.env, "STREAMLIT_SERVER_COOKIE_SECRET": self.secret}  # not allowed as a flag
        proc = subprocess.Popen(streamlit_cmd(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_healthy(proc, f"http://127.0.0.1:{port}", timeout)
        return Replica(name, port, proc)


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if found is None:
        raise SystemExit("HAProxy is not installed: run `make proxy-deps` (make serve-cluster does this)")
    return found


@contextlib.contextmanager
def cluster(
    replicas: int,
    port: int | None = None,
    host: str = "127.0.0.1",
    data_dir: Path | None = None,
    log_dir: Path | None = None,
    start_timeout: float = 120.0,
) -> Iterator[Cluster]:
    """Start `replicas` app processes and HAProxy in front of them; stop all on exit."""
    port = port or free_port()
    with contextlib.ExitStack() as stack:
        logs = log_dir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="msprogress-cluster-")))
        env = {**os.environ, **({"MSPROGRESS_DATA": str(data_dir)} if data_dir else {})}
        c = Cluster(f"http://{host}:{port}", secrets.token_hex(16), env, logs)
        try:
            for i in range(1, replicas + 1):
                c.replicas.append(c.start(f"r{i}", free_port(), start_timeout))
            config = logs / "haproxy.cfg"
            config.write_text(haproxy_config(host, port, [(r.name, r.port) for r in c.replicas]))
            out = (logs / "haproxy.log").open("ab")
            c.proxy = subprocess.Popen([haproxy_binary(), "-db", "-f", str(config)], stdout=out, stderr=out)
            wait_healthy(c.proxy, f"http://127.0.0.1:{port}" if host == "0.0.0.0" else c.url, 30.0)
            yield c
        finally:
            procs = [p for p in [c.proxy, *(r.proc for r in c.replicas)] if p is not None]
            for p in procs:
                if p.poll() is None:
                    p.terminate()
            for p in procs:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    p.wait(timeout=10)


def supervise(c: Cluster, stop: list[int]) -> None:
    """Until a signal lands in `stop`: restart a replica that ended, on its port."""
    while not stop:
        for i, r in enumerate(c.replicas):
            if r.proc.poll() is not None:
                print(
                    f"replica {r.name} (port {r.port}) ended with {r.proc.returncode}: restarting", flush=True
                )
                c.replicas[i] = c.start(r.name, r.port)
        time.sleep(1.0)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--port", type=int, default=8501)
    ap.add_argument("--host", default="127.0.0.1", help="where HAProxy listens (replicas: 127.0.0.1 only)")
    args = ap.parse_args(argv)
    stop: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda n, _frame: stop.append(n))
    with cluster(args.replicas, args.port, args.host) as c:
        ports = ", ".join(f"{r.name} on 127.0.0.1:{r.port}" for r in c.replicas)
        print(f"MS Progress on {c.url}: HAProxy in front of {ports}; logs in {c.log_dir}", flush=True)
        supervise(c, stop)


if __name__ == "__main__":
    main()
