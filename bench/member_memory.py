"""Peak memory of a snapshot build with a large SYNTHETIC member-grants file (issue 14, point 3).

    .venv/bin/python -m bench.member_memory 100000 1000000 [--files 1] [--keep]

For each row count N: a temporary data folder gets the fixture sources (`tests/fixtures/raw/`)
and a member file of N rows (or N rows over `--files` files), and the real build
(`python -m msprogress.ingest build`) runs under `/usr/bin/time -v`; its maximum resident set size,
wall time and outcome (snapshot made, or the refusal line) are printed as a Markdown table row.

The rows are SYNTHETIC: real rows of `tests/fixtures/raw/curated/alliance_awards.csv` and
`other_public_funders_projects.csv` re-shaped into the member template (as the member tests do),
sampled in turn and given new ids (`synthetic-<n>`) and titles starting "[synthetic]". They are
written into the temporary folder only (removed afterwards unless `--keep`), never committed and
never under `data/`.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from msprogress.ingest.validate import MEMBER_COLUMN_NAMES

REPO = Path(__file__).resolve().parent.parent
FIXTURE_RAW = REPO / "tests" / "fixtures" / "raw"
CURATED = FIXTURE_RAW / "curated"


def _real_rows() -> list[dict[str, str]]:
    """Real curated rows in the member template's columns (awards with a title and a year)."""
    rows = []
    with (CURATED / "alliance_awards.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["title"] and r["year"] and r["record_type"] == "award":
                rows.append(
                    {
                        "funder": "International Progressive MS Alliance",
                        "programme": r["programme"],
                        "year": r["year"],
                        "amount": r["amount"],
                        "currency": r["currency"] if r["amount"] else "",
                        "amount_basis": r["amount_basis"],
                        "title": r["title"],
                        "pi": r["pi"],
                        "organisation": r["institution"],
                        "country": r["country"],
                        "url": r["source_url"],
                    }
                )
    with (CURATED / "other_public_funders_projects.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["title"] and r["start"]:
                rows.append(
                    {
                        "funder": r["funder"],
                        "programme": r["programme"],
                        "year": r["start"][:4],
                        "start_date": r["start"],
                        "end_date": r["end"],
                        "amount": r["amount"],
                        "currency": r["currency"] if r["amount"] else "",
                        "title": r["title"],
                        "organisation": r["institution"],
                        "country": r["country"],
                        "url": r["source_url"],
                    }
                )
    return rows


def synthetic_rows(n: int, start: int = 0) -> Iterator[dict[str, str]]:
    real = _real_rows()
    for i in range(start, start + n):
        r = real[i % len(real)]
        yield r | {"grant_id": f"synthetic-{i}", "title": f"[synthetic] {r['title']}"}


def write_member_files(folder: Path, rows: int, files: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths, per = [], -(-rows // files)
    for k in range(files):
        path = folder / f"synthetic_{rows}_{k + 1:02d}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(MEMBER_COLUMN_NAMES), extrasaction="ignore")
            w.writeheader()
            w.writerows(synthetic_rows(min(per, rows - k * per), k * per))
        paths.append(path)
    return paths


def measure(rows: int, files: int, keep: bool) -> dict[str, str]:
    root = Path(tempfile.mkdtemp(prefix=f"member-memory-{rows}-"))
    try:
        shutil.copytree(FIXTURE_RAW, root / "raw")
        made = write_member_files(root / "raw" / "member_grants", rows, files)
        size_mb = sum(p.stat().st_size for p in made) / 1e6
        cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "msprogress.ingest", "build"]
        env = {**os.environ, "MSPROGRESS_DATA": str(root), "PYTHONPATH": str(REPO)}
        proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
        peak_kb = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
        wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", proc.stderr)
        error = next((ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")), "")
        return {
            "rows": f"{rows:,}",
            "files": str(files),
            "MB on disk": f"{size_mb:,.0f}",
            "exit": str(proc.returncode),
            "peak RSS MB": f"{int(peak_kb[1]) / 1024:,.0f}" if peak_kb else "?",
            "wall": wall[1] if wall else "?",
            "outcome": error[:160] or "snapshot built",
        }
    finally:
        if keep:
            print(f"kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rows", type=int, nargs="+")
    ap.add_argument("--files", type=int, default=1, help="spread the rows over this many files")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    args = ap.parse_args()
    results = [measure(n, args.files, args.keep) for n in args.rows]
    cols = list(results[0])
    print("| " + " | ".join(cols) + " |\n|" + "---|" * len(cols))
    for r in results:
        print("| " + " | ".join(r[c] for c in cols) + " |", flush=True)


if __name__ == "__main__":
    main()
