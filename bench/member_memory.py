"""Peak memory of a snapshot build with large SYNTHETIC member-grants files (issue 14, point 3).

    make bench-memory      # = python -m bench.member_memory 0 100000 1000000 --write
    .venv/bin/python -m bench.member_memory 0 100000 1000000 [--raw DIR] [--write] [--keep]

For each total row count N (0 = the baseline: no member file): a temporary data folder gets a copy
of the raw sources (`data/raw/` unless `--raw`) and N member rows in files of at most
`member_grants.MAX_ROWS` (100,000) rows each, the most one file may hold; the real build
(`python -m msprogress.ingest build`) runs under `/usr/bin/time -v` into that folder's own
snapshots folder. Its maximum resident set size, wall time and outcome (snapshot made, or the
refusal line) are printed as a Markdown table; `--write` also puts the table in its section of
`bench/results.md` (`make bench` keeps that section).

The rows are SYNTHETIC: real rows of the raw copy's `curated/alliance_awards.csv` and
`other_public_funders_projects.csv` re-shaped into the member template (as the member tests do),
sampled in turn and given new ids (`synthetic-<n>`) and titles starting "[synthetic]". They are
written into the temporary folder only (removed afterwards unless `--keep`), never committed and
never under `data/`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from msprogress.ingest.member_grants import MAX_ROWS
from msprogress.ingest.validate import MEMBER_COLUMN_NAMES

REPO = Path(__file__).resolve().parent.parent
RAW = REPO / "data" / "raw"
RESULTS_MD = REPO / "bench" / "results.md"
# bench/results.md keeps this section between these lines; `make bench` (bench/run.py) keeps it too.
SECTION_START = "<!-- member-memory: written by bench/member_memory.py -->"
SECTION_END = "<!-- /member-memory -->"
# For comparison, the same three builds before member rows were spilled to disk (ingest/spill.py).
BEFORE = (
    "Before the member rows were kept on disk (commit 0f967c5, same machine, same cases): "
    "912-920 / 1,180 / 3,793 MB; the issue's report: 5.9 GB for one 1M-row CSV (now refused: "
    "100,000 rows a file). What still grows with the rows: one normalised id per kept row while "
    "reading, and the key columns while validating."
)


def _real_rows(curated: Path) -> list[dict[str, str]]:
    """Real curated rows in the member template's columns (awards with a title and a year)."""
    rows = []
    with (curated / "alliance_awards.csv").open(encoding="utf-8", newline="") as fh:
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
    with (curated / "other_public_funders_projects.csv").open(encoding="utf-8", newline="") as fh:
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


def synthetic_rows(real: list[dict[str, str]], n: int, start: int = 0) -> Iterator[dict[str, str]]:
    for i in range(start, start + n):
        r = real[i % len(real)]
        yield r | {"grant_id": f"synthetic-{i}", "title": f"[synthetic] {r['title']}"}


def write_member_files(raw: Path, rows: int, per_file: int = MAX_ROWS) -> list[Path]:
    """`rows` SYNTHETIC member rows in files of at most `per_file` rows, in raw/member_grants/."""
    folder = raw / "member_grants"
    folder.mkdir(parents=True, exist_ok=True)
    real = _real_rows(raw / "curated")
    paths = []
    for k, start in enumerate(range(0, rows, per_file)):
        path = folder / f"synthetic_{rows}_{k + 1:02d}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(MEMBER_COLUMN_NAMES), extrasaction="ignore")
            w.writeheader()
            w.writerows(synthetic_rows(real, min(per_file, rows - start), start))
        paths.append(path)
    return paths


def measure(rows: int, raw: Path, keep: bool) -> dict[str, str]:
    root = Path(tempfile.mkdtemp(prefix=f"member-memory-{rows}-"))
    try:
        shutil.copytree(raw, root / "raw", symlinks=True)
        made = write_member_files(root / "raw", rows)
        size_mb = sum(p.stat().st_size for p in made) / 1e6
        cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "msprogress.ingest", "build"]
        env = {**os.environ, "MSPROGRESS_DATA": str(root), "PYTHONPATH": str(REPO)}
        proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
        peak_kb = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
        wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", proc.stderr)
        error = next((ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")), "")
        return {
            "member rows (SYNTHETIC)": f"{rows:,}" if rows else "0 (baseline)",
            "files": str(len(made)),
            "MB on disk": f"{size_mb:,.1f}",
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


def table(results: list[dict[str, str]]) -> str:
    cols = list(results[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(r[c] for c in cols) + " |" for r in results]
    return "\n".join(lines)


def section(results: list[dict[str, str]], raw: Path) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    where = raw.relative_to(REPO) if raw.is_relative_to(REPO) else raw.name
    return "\n".join(
        [
            SECTION_START,
            "## Build peak memory with member files (`make bench-memory`)",
            "",
            f"The real build (`python -m msprogress.ingest build`) of a temporary copy of `{where}/` plus "
            f"SYNTHETIC member rows (real curated rows with new ids, at most {MAX_ROWS:,} a file), "
            f"under `/usr/bin/time -v` (maximum resident set size); {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, run {when}.",
            "",
            table(results),
            "",
            BEFORE,
            SECTION_END,
        ]
    )


# bench/capacity.py (`make loadtest`) owns the end of bench/results.md from this heading on.
CAPACITY = "## Server capacity"


def write_section(path: Path, new: str) -> None:
    """Put `new` in place of the file's member-memory section; a first one goes before the
    server-capacity part (which bench/capacity.py rewrites from its heading to the end)."""
    old = path.read_text() if path.exists() else ""
    if SECTION_START in old:
        start = old.index(SECTION_START)
        end = old.find(SECTION_END, start)
        rest = old[end + len(SECTION_END) :] if end >= 0 else ""
        text = old[:start] + new + rest
    elif CAPACITY in old:
        at = old.index(CAPACITY)
        text = old[:at] + new + "\n\n" + old[at:]
    else:
        text = old.rstrip("\n") + ("\n\n" if old else "") + new + "\n"
    path.write_text(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("rows", type=int, nargs="+", help="total member rows per case (0: no member file)")
    ap.add_argument("--raw", type=Path, default=RAW, help="raw sources to copy (default data/raw)")
    ap.add_argument("--write", action="store_true", help=f"put the table in {RESULTS_MD.name}")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data folders")
    args = ap.parse_args()
    raw = args.raw.resolve()
    results = []
    for n in args.rows:
        results.append(measure(n, raw, args.keep))
        print(table(results[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    print(table(results))
    if args.write:
        write_section(RESULTS_MD, section(results, raw))
        print(f"wrote {RESULTS_MD}", file=sys.stderr)


if __name__ == "__main__":
    main()
