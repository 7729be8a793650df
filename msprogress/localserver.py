"""Start the dashboard on a free localhost port, for the browser tests and the benchmark.

A context manager around `streamlit run app.py`: waits for the health endpoint, yields the base
URL (http://localhost:<port>), and stops the server on exit. Bound to 127.0.0.1 only.
`serve_process` also yields the process (the load test samples its memory) and can keep the
server's log in a file (to find errors the browser never sees).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from msprogress.paths import ROOT

# Debian's Chromium for the browser tests and the benchmark (Playwright's own download does not work
# here): no sandbox as root, software WebGL for deck.gl, and nothing that phones home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# What a page may request: anything else fails a browser test (the offline guarantee).
LOCAL_URLS = (
    "http://localhost",
    "http://127.0.0.1",
    "ws://localhost",
    "ws://127.0.0.1",
    "data:",
    "blob:",
    "about:",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(data_dir: Path | None = None, start_timeout: float = 60.0) -> Iterator[str]:
    """Serve the app (on `data_dir`'s snapshots when given, else the repo's data/)."""
    with serve_process(data_dir, start_timeout) as (url, _):
        yield url


@contextlib.contextmanager
def serve_process(
    data_dir: Path | None = None,
    start_timeout: float = 60.0,
    log: Path | None = None,
    cpus: set[int] | None = None,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """As `serve`, yielding (base URL, server process); the server's output goes to `log` if given,
    and it runs on the given CPUs only if `cpus` is given (every thread: pinned before exec)."""
    port = free_port()
    cmd = streamlit_cmd(port)
    env = {**os.environ, **({"MSPROGRESS_DATA": str(data_dir)} if data_dir else {})}
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(log.open("wb")) if log else subprocess.DEVNULL
        pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, preexec_fn=pin)
        try:
            wait_healthy(proc, f"http://localhost:{port}", start_timeout)
            yield f"http://localhost:{port}", proc
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def streamlit_cmd(port: int, host: str = "127.0.0.1", *options: str) -> list[str]:
    """The command that serves the app on host:port (more `--name value` options may follow)."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port)]
    return cmd + ["--server.address", host, "--server.headless", "true", *options]


def wait_healthy(proc: subprocess.Popen[bytes], url: str, timeout: float) -> None:
    """Return once `url`/_stcore/health answers 200; raise if `proc` ends or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).status == 200:
                return
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("streamlit server did not start") from None
            time.sleep(0.25)
