"""Concurrent sessions, smoke-sized: 3 browser sessions x 3 interactions at once against one
server (bench/browser_load.py, which `make loadtest` runs with 20 x 10). Correctness only:
every interaction renders with the elements and the effect it expects, no error anywhere (page,
console, toast, server log), no request leaves localhost. No time is judged."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import browser_load

pytestmark = pytest.mark.browser

SESSIONS, STEPS = 3, 3


def test_concurrent_sessions_render_without_errors(tmp_path: Path):
    figures, problems = browser_load.run(SESSIONS, STEPS, tmp_path)
    assert problems == []
    assert figures["rendered"] == SESSIONS * STEPS
    steps = {s.name for i in range(SESSIONS) for s in browser_load.session_plan(i, STEPS)}
    assert set(figures["p95_s_by_step"]) == steps  # the mix of pages and in-page changes ran
    assert len(steps) >= 5
