"""A pair of snapshots built by the real ingest from two cuts of the real files, for the "what
changed" tests. The earlier cut is tests/fixtures/raw as it is; the later one differs in exactly
the ways written down here (and nothing else), each a real value from the real files:

- NCT04458051 (PERSEUS, tolebrutinib, PPMS): status ACTIVE_NOT_RECRUITING → COMPLETED;
- NCT03362294 (glatiramer acetate depot, PPMS): phase PHASE2 → PHASE3, so its agent moves up;
- NCT01982942 (SPRINT-MS, ibudilast): one more real row from data/raw/ctgov, a new agent;
- NCT05562414 (a progressive-MS exercise trial): no longer in the export;
- a member-grants file of three real Alliance award rows (alliance_awards.csv rows 7, 16, 17,
  put into the member template as tests/test_member_grants.py does).
"""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
from pathlib import Path

from msprogress.ingest import __main__ as ingest_cli
from msprogress.ingest.build import build
from tests.rawcut import RAW
from tests.test_member_grants import curated_rows, reshape_alliance, write_csv

FIXTURE_RAW = Path(__file__).parent / "fixtures" / "raw"
CTGOV = "ctgov/ctgov_ms_studies_2025-09-25.csv"
STATUS_CHANGE = ("NCT04458051", "OverallStatus", "ACTIVE_NOT_RECRUITING", "COMPLETED")
PHASE_CHANGE = ("NCT03362294", "Phase", "PHASE2", "PHASE3")
ADDED_TRIAL = "NCT01982942"
DROPPED_TRIAL = "NCT05562414"
MEMBER_FILE = "pair_member_society"
MEMBER_ROWS = (7, 16, 17)
# a member grant's key is its normalised id, and its coverage series its funder's: never the file's
# name (issue 14.4); the rows are Alliance awards re-shaped into the template (test_member_grants)
ADDED_GRANTS = tuple(f"member:alliance-row-{n}" for n in MEMBER_ROWS)
MEMBER_SERIES = "member_grants:international progressive ms alliance"


def _records(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def later_cut(dst: Path) -> Path:
    """The later raw folder: tests/fixtures/raw with the differences of the module docstring."""
    shutil.copytree(FIXTURE_RAW, dst)
    header, body = _records(FIXTURE_RAW / CTGOV)
    _, full = _records(RAW / CTGOV)
    col = header.index
    for trial_id, column, before, after in (STATUS_CHANGE, PHASE_CHANGE):
        row = next(r for r in body if r[col("NCTId")] == trial_id)
        assert row[col(column)] == before, (trial_id, column)
        row[col(column)] = after
    body = [r for r in body if r[col("NCTId")] != DROPPED_TRIAL]
    body.append(next(r for r in full if r[col("NCTId")] == ADDED_TRIAL))
    with (dst / CTGOV).open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *body])
    alliance = curated_rows("alliance_awards.csv")
    write_csv(
        dst / "member_grants" / f"{MEMBER_FILE}.csv", [reshape_alliance(n, alliance[n]) for n in MEMBER_ROWS]
    )
    return dst


def build_pair(root: Path) -> str:
    """Snapshots of the earlier and the later cut in `root/snapshots`: the earlier by `build`, the
    later (CURRENT) by the command line `make snapshot` runs, so its manifest reports what changed
    since the earlier; returns what that command printed."""
    shutil.copytree(FIXTURE_RAW, root / "raw_earlier")
    build(root / "raw_earlier", root / "snapshots")
    return run_build_command(later_cut(root / "raw"), root / "snapshots")


def run_build_command(raw: Path, snapshots: Path) -> str:
    """`python -m msprogress.ingest build` (in-process); what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert ingest_cli.main(["build", "--raw", str(raw), "--snapshots", str(snapshots)]) == 0
    return out.getvalue()
