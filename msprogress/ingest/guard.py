"""What keeps a snapshot build honest about the world around it: one build at a time, a build
that stops with the process that started it, and disk faults told as build errors.

- `BuildLock`: an advisory lock (`fcntl.flock`) on `snapshots/.build.lock`, held for the whole
  build. A second build waits for the first (saying so, with the holder's pid and start time)
  instead of racing it to `CURRENT`. The kernel releases the lock when its process dies, however
  it dies, so a killed build never leaves a stale lock.
- `ParentWatch`: the command line's build stops when its parent (`make snapshot`'s `make`) is gone.
  A daemon thread polls the parent pid and signals the build, whose handler raises `BuildStopped`
  (the staging folder is removed by the writer's clean-up); the swap of `CURRENT` checks it once
  more just before `os.replace`. NOTE: polling, not Linux's PR_SET_PDEATHSIG, which fires when the
  parent *thread* ends and so would stop builds started from a worker thread.
- `disk_error`: an OSError while writing (full disk, read-only folder, no permission) as a
  `BuildError` naming the folder (relative to the project) and what to do.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import os
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType, TracebackType

from msprogress.paths import ROOT

LOCK_NAME = ".build.lock"


class BuildError(Exception):
    """The build cannot produce a valid snapshot; nothing was written or changed."""


class BuildStopped(BuildError):
    """The build was stopped (its parent ended, or it was signalled) before it changed anything."""


def shown(path: Path) -> str:
    """A folder as messages show it: relative to the project when inside it, else its name."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return path.name


def disk_error(exc: OSError, folder: Path) -> BuildError:
    """A write that failed, as a build error that says which folder and what to do."""
    what = os.strerror(exc.errno) if exc.errno else exc.strerror or type(exc).__name__  # pyarrow adds detail
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        todo = "free some disk space and build again"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        todo = "the folder must be writable by the build"
    else:
        todo = "check the folder and build again"
    return BuildError(f"cannot write to the snapshots folder {shown(folder)} ({what}): {todo}")


class BuildLock:
    """Hold `snapshots/.build.lock` for a build; wait (telling `on_wait` why) while another holds it."""

    def __init__(self, snapshots_dir: Path, on_wait: Callable[[str], None] = lambda _: None):
        self.path = snapshots_dir / LOCK_NAME
        self.on_wait = on_wait
        self._fh: int | None = None

    def __enter__(self) -> BuildLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise disk_error(exc, self.path.parent) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.on_wait(f"another build is running ({_holder(fd)}): waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        self._fh = fd
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {stamp}\n".encode(), 0)
        except OSError:
            pass  # the holder's name is a courtesy; the lock itself is held
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, _tb: TracebackType | None
    ) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            os.close(self._fh)
            self._fh = None


def _holder(fd: int) -> str:
    """'pid 1234, started 2026-12-07 05:12:03 UTC', as the holding build wrote it."""
    try:
        pid, _, started = os.pread(fd, 200, 0).decode().strip().partition(" ")
    except (OSError, UnicodeDecodeError):
        return "its process id unknown"
    return f"pid {pid}, started {started}" if pid.isdigit() else "its process id unknown"


class ParentWatch:
    """Stop this process's build when its parent process ends (see the module docstring). A context
    manager: signal handlers and the polling thread live only as long as the build."""

    SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)

    def __init__(self, interval: float = 0.2):
        self.parent = os.getppid()
        self.interval = interval
        self.stopped: str | None = None
        self._swapping = False
        self._end = threading.Event()
        self._previous: dict[int, object] = {}

    def __enter__(self) -> ParentWatch:
        if threading.current_thread() is threading.main_thread():
            self._previous = {sig: signal.signal(sig, self._on_signal) for sig in self.SIGNALS}
        threading.Thread(target=self._poll, name="parent-watch", daemon=True).start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self._end.set()
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]

    def check(self) -> None:
        """BuildStopped when the parent is gone or a stop signal came."""
        if os.getppid() != self.parent:
            self.stopped = self.stopped or f"its parent process (pid {self.parent}, e.g. make) ended"
        if self.stopped:
            raise BuildStopped(f"the build was stopped: {self.stopped}")

    @contextlib.contextmanager
    def swap(self) -> Iterator[None]:
        """Around the swap of CURRENT: the parent checked once more; from then on a stop signal is
        noted but no longer raised (the swap is one system call: it either happened or not, and
        a late signal must not claim that nothing changed)."""
        self.check()
        self._swapping = True
        try:
            yield
        finally:
            self._swapping = False

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stopped = self.stopped or f"signal {signal.Signals(signum).name}"
        if not self._swapping:
            raise BuildStopped(f"the build was stopped: {self.stopped}")

    def _poll(self) -> None:
        while not self._end.wait(self.interval):
            if os.getppid() != self.parent:
                self.stopped = f"its parent process (pid {self.parent}, e.g. make) ended"
                os.kill(os.getpid(), signal.SIGTERM)
                return
