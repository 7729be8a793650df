"""HTTP client for the registry APIs: polite pacing, bounded retries, `Retry-After`, no network.

Standard library only (`urllib.request`), so refreshing needs no extra package.

- **Pacing**: at most one request per `min_interval` seconds (RePORTER publishes a limit of
  about one request per second; ClinicalTrials.gov about 50 a minute).
- **Retries**: 429 and 5xx answers, timeouts and dropped connections are retried up to
  `RetryPolicy.tries` times in all, waiting `backoff`, then twice that, and so on, never more
  than `max_wait` seconds. A 429 or 503 with `Retry-After` (seconds or an HTTP date) waits as
  long as the server asks, also capped at `max_wait`. Other 4xx answers are not retried: the
  request itself is wrong.
- **No network**: when the very first request of a client cannot connect at all (connection
  refused, name not resolved, network unreachable) the client raises `NoNetwork` at once
  instead of retrying; the caller then leaves everything as it was.

NOTE: `sleep`, `clock` and `now` are parameters so that tests can record the waits and run
without real delays; the defaults are the real ones.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import errno
import http.client
import json
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

USER_AGENT = "msprogress-refresh/0.1 (+https://github.com/; progressive MS research dashboard)"
RETRY_AFTER_STATUSES = frozenset({429, 503})


class RefreshError(Exception):
    """A pull cannot go on. What was downloaded so far is kept for the next run to resume."""


class NoNetwork(RefreshError):
    """The first request could not connect at all: there is no network (or no such host)."""


class HttpStatusError(RefreshError):
    """The server answered with an error status that is not worth retrying (or retries ran out)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class RetryPolicy:
    tries: int = 5  # attempts in all, the first included
    backoff: float = 2.0  # first wait in seconds; doubled after each failed attempt
    max_wait: float = 120.0  # no single wait is longer, whatever Retry-After says


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


class Client:
    """One registry's API: `get_bytes` / `post_bytes` return the body of a 200 answer."""

    def __init__(
        self,
        base_url: str,
        *,
        min_interval: float = 1.0,
        policy: RetryPolicy = RetryPolicy(),
        timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        log: Callable[[str], None] = _stderr,
    ):
        self.base_url = base_url.rstrip("/")
        self.min_interval = min_interval
        self.policy = policy
        self.timeout = timeout
        self.sleep, self.clock, self.now, self.log = sleep, clock, now, log
        self.connected = False  # True once any request got an HTTP answer
        self._last_start: float | None = None

    def url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        query = "?" + urllib.parse.urlencode({k: v for k, v in (params or {}).items() if v is not None})
        return self.base_url + "/" + path.lstrip("/") + (query if params else "")

    def get_bytes(self, path: str, params: Mapping[str, Any] | None = None) -> bytes:
        return self._send(urllib.request.Request(self.url(path, params), headers=self._headers()))

    def post_bytes(self, path: str, body: Mapping[str, Any]) -> bytes:
        data = json.dumps(body).encode()
        headers = {**self._headers(), "Content-Type": "application/json"}
        return self._send(urllib.request.Request(self.url(path), data=data, headers=headers, method="POST"))

    def _headers(self) -> dict[str, str]:
        return {"Accept": "application/json", "User-Agent": USER_AGENT}

    def _send(self, request: urllib.request.Request) -> bytes:
        problem = ""
        for attempt in range(1, self.policy.tries + 1):
            self._pace()
            try:
                return self._once(request)
            except urllib.error.HTTPError as exc:
                self.connected = True
                problem = f"HTTP {exc.code} {exc.reason}"
                if exc.code != 429 and exc.code < 500:
                    raise HttpStatusError(f"{request.full_url}: {problem} (not retried)", exc.code) from exc
                wait = self._wait(
                    attempt, exc.headers.get("Retry-After") if exc.code in RETRY_AFTER_STATUSES else None
                )
            except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
                problem = _reason(exc)
                if not self.connected and _unreachable(exc):
                    raise NoNetwork(f"cannot reach {_host(request.full_url)}: {problem}") from exc
                wait = self._wait(attempt, None)
            if attempt < self.policy.tries:
                self.log(
                    f"{problem} from {_host(request.full_url)}; retrying in {wait:g} s "
                    f"(attempt {attempt + 1} of {self.policy.tries})"
                )
                self.sleep(wait)
        raise RefreshError(f"gave up on {request.full_url} after {self.policy.tries} attempts: {problem}")

    def _once(self, request: urllib.request.Request) -> bytes:
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            body: bytes = response.read()
        self.connected = True
        return body

    def _pace(self) -> None:
        if self._last_start is not None:
            wait = self._last_start + self.min_interval - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last_start = self.clock()

    def _wait(self, attempt: int, retry_after: str | None) -> float:
        asked = parse_retry_after(retry_after, self.now()) if retry_after else None
        wait = asked if asked is not None else self.policy.backoff * 2 ** (attempt - 1)
        return min(wait, self.policy.max_wait)


def parse_retry_after(value: str, now: dt.datetime) -> float | None:
    """Seconds to wait from a `Retry-After` header: delay-seconds ('120', leniently '0.5') or an
    HTTP date ('Wed, 21 Oct 2015 07:28:00 GMT', counted from `now`); None when unreadable."""
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - now).total_seconds()
    return max(seconds, 0.0)


def _unreachable(exc: BaseException) -> bool:
    """True for failures to connect at all (refused, unknown host, no route), not for a server
    that connected and then failed."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    return isinstance(reason, ConnectionRefusedError | socket.gaierror) or (
        isinstance(reason, OSError) and reason.errno in {errno.ENETUNREACH, errno.EHOSTUNREACH}
    )


def _reason(exc: BaseException) -> str:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    return f"{type(reason).__name__}: {reason}" if str(reason) else type(reason).__name__


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc
