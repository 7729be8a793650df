"""No dead code: vulture over the app, the pages, the benchmark and the tests (configured in
pyproject.toml [tool.vulture]; what it cannot see used is listed with why in vulture_whitelist.py)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import REPO

VULTURE = [sys.executable, "-m", "vulture"]


def test_no_dead_code():
    out = subprocess.run(VULTURE, cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout == "", f"dead code (or whitelist it, saying why):\n{out.stdout}"


def test_a_forgotten_function_is_found(tmp_path: Path):
    """The check can fail: the configured paths plus a module with a function nothing calls."""
    planted = tmp_path / "planted.py"
    planted.write_text('"""A module."""\n\n\ndef forgotten_helper() -> int:\n    return 1\n')
    paths = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["vulture"]["paths"]
    out = subprocess.run([*VULTURE, *paths, str(planted)], cwd=REPO, capture_output=True, text=True)
    assert out.returncode != 0
    assert out.stdout.strip() == f"{planted}:4: unused function 'forgotten_helper' (60% confidence)"
