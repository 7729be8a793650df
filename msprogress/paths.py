"""Where the project's files live. One place, so tests can point everything elsewhere.

NOTE: every path can be overridden with the environment variable `MSPROGRESS_DATA`
(the data folder), which is how tests and the benchmark use fixture snapshots.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
STATIC = ROOT / "static"


def data_dir() -> Path:
    """The data folder: `data/` in the repo unless `MSPROGRESS_DATA` names another."""
    return Path(os.environ.get("MSPROGRESS_DATA", ROOT / "data")).resolve()


def raw_dir() -> Path:
    return data_dir() / "raw"


def reference_dir() -> Path:
    """Curated lookups (agents, classification rules). Always the repo's own copy."""
    return Path(os.environ.get("MSPROGRESS_REFERENCE", ROOT / "data" / "reference")).resolve()


def snapshots_dir() -> Path:
    return data_dir() / "snapshots"
