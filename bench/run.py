"""`make bench`: time the app on the real snapshot (1×) and on a SYNTHETIC snapshot at 100× (10×, 1000×).

Per scale, in a fresh subprocess (so its peak RSS is that scale's peak memory):
  - every named query's median latency, warm, under the default filters and one filtered state;
  - every page's full server-side run (Streamlit AppTest) cold (caches cleared) and warm;
  - a plain-pandas baseline (read parquet, filter, group) of three page queries, and DuckDB/pandas;
  - peak memory (VmHWM of the subprocess: its own high-water mark; `ru_maxrss` would carry the
    parent's peak across fork+exec, i.e. the synthetic build's).
In the parent: the snapshot build time per synthetic scale (sample, conform, validate, write, and
the serving tables) and the real `build` from data/raw at 1×. Then each target of `TARGETS` is judged
met or not met, and for a query or page that misses one, a line says where its time goes (DuckDB's
profile of the query, pyinstrument's of the page: bench/profile.py). Results go to
bench/results.json and bench/results.md (the run before is kept below it).

    python -m bench.run                 # 1× and 100× (the targets' scales)
    python -m bench.run --with-1000x    # and 1000× (slow: minutes, several GB)
    python -m bench.run --scales 1 10   # a quick subset
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from bench.synthetic import BENCH, SYNTHETIC_ROOT, build_synthetic, k_label, real_snapshot
from msprogress import paths

RESULTS_JSON = BENCH / "results.json"
RESULTS_MD = BENCH / "results.md"
QUERY_RUNS = 7
PAGE_WARM_RUNS = 3
PANDAS_RUNS = 5
# Values for the queries' extra parameters (the same choices a page makes by default).
EXTRA: dict[str, object] = {
    "currency": "EUR",
    "group": "fundergroup",
    "spread": True,
    "search": "",
    "sort": "start",  # the explore page's default order (trials and projects; grants fall back to their id)
    "max_rows": 5000,  # the explore page's display cap (pages/explore.py MAX_ROWS)
    "iso3": "USA",
    "include_nondrug": True,
    "include_supportive": False,
    "series": None,  # every coverage series (the most rows); each row still says its series
    "months": 12,  # the What changed page's default window
}
# The targets (issue 16), per scale: every query's median (each filter state), every page's warm and
# cold server-side run, DuckDB's speed-up over the pandas baseline (each baseline query), and the
# measuring process's peak memory.
TARGETS: dict[str, dict[str, float]] = {
    "1": {"query_ms": 5.0},
    "100": {
        "query_ms": 25.0,
        "page_warm_ms": 150.0,
        "page_cold_ms": 1000.0,
        "speedup": 10.0,
        "peak_mb": 1536.0,
    },
}
TARGET_WORDS = {
    "query_ms": "every query median <= {:g} ms",
    "page_warm_ms": "every page warm <= {:g} ms",
    "page_cold_ms": "every page cold <= {:g} ms",
    "speedup": "DuckDB >= {:g}x the pandas baseline",
    "peak_mb": "peak memory <= {:g} MB",
}


def _states() -> dict[str, Any]:
    from msprogress.filters import Filters

    return {
        "default": Filters(),
        "filtered": Filters(relevance="progressive", year_from=2005, countries=("USA", "DEU", "ITA")),
    }


STATES = _states()  # the filter states every query is timed in


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


# ---------------------------------------------------------------- measurements (in the subprocess)


def measure_queries() -> dict[str, dict[str, float]]:
    from msprogress import queries
    from msprogress.db import Database
    from msprogress.snapshot import open_snapshot

    snap = open_snapshot(paths.snapshots_dir())
    # NOTE: the queries comparing two snapshots (diff_*) run on the snapshot paired with itself:
    # every row is joined and compared, none differs.
    db, pair = Database(snap), Database(snap, earlier=snap)
    out: dict[str, dict[str, float]] = {}
    for name in queries.names():
        q = queries.get(name)
        extra = {k: v for k, v in EXTRA.items() if k in q.params}
        out[name] = {}
        runner = pair if q.compares else db
        for label, f in STATES.items():
            struct = f.as_struct()
            runner.run(name, struct, **extra)  # warm-up
            out[name][label] = _median_ms(partial(runner.run, name, struct, **extra), QUERY_RUNS)
    return out


def measure_pages() -> dict[str, dict[str, float]]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    out: dict[str, dict[str, float]] = {}
    for page in sorted(p.stem for p in (paths.ROOT / "pages").glob("*.py")):
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_file(str(paths.ROOT / "app.py"), default_timeout=300)
        at.run()  # st.navigation registers the pages on the first run (renders the default page)
        st.cache_data.clear()
        st.cache_resource.clear()
        t = time.perf_counter()
        at.switch_page(f"pages/{page}.py").run()
        cold = (time.perf_counter() - t) * 1000
        if at.exception:
            raise RuntimeError(f"page {page}: {at.exception}")
        warm = _median_ms(at.run, PAGE_WARM_RUNS)
        out[page] = {"cold": cold, "warm": warm}
    return out


def _pd_read(table: str, columns: list[str]) -> pd.DataFrame:
    from msprogress.snapshot import open_snapshot

    snap = open_snapshot(paths.snapshots_dir(), verify=False)
    return pd.read_parquet(snap.table_path(table), columns=columns)


def pandas_headline_trials() -> pd.DataFrame:
    t = _pd_read("trials", ["trial_id", "population", "is_progressive", "status_group", "registry", "as_of"])
    m = t[t["population"] != "Not MS"]
    tc = _pd_read("trial_countries", ["trial_id", "iso3"])
    rec = m["status_group"] == "Recruiting"
    return pd.DataFrame(
        {
            "trials": [len(m)],
            "progressive_trials": [int(m["is_progressive"].sum())],
            "recruiting_trials": [int(rec.sum())],
            "recruiting_progressive": [int((rec & m["is_progressive"]).sum())],
            "ctgov_trials": [int((m["registry"] == "ClinicalTrials.gov").sum())],
            "ctis_trials": [int((m["registry"] == "CTIS").sum())],
            "countries": [tc.loc[tc["trial_id"].isin(m["trial_id"]), "iso3"].nunique()],
            "as_of_min": [t["as_of"].min()],
            "as_of_max": [t["as_of"].max()],
        }
    )


def pandas_funding_by_year() -> pd.DataFrame:
    cols = ["grant_id", "series_id", "year", "start_year", "end_year", "amount_eur", "amount_basis"]
    g = _pd_read("grants", [*cols, "funder_group", "ms_relevance", "record_type"])
    g = g[(g["ms_relevance"] != "Not MS") & (g["record_type"] == "award") & g["year"].notna()]
    g = g[g["amount_eur"].notna()].copy()
    g["grp"] = g["funder_group"].fillna("Funder group not stated")
    g["is_flagged"] = g["amount_basis"].fillna("exact").isin(["up_to", "at_least", "approximate", "partial"])
    spread = g["start_year"].notna() & g["end_year"].notna() & (g["end_year"] >= g["start_year"])
    g["years"] = [
        list(range(int(s), int(e) + 1)) if sp else [int(y)]
        for s, e, y, sp in zip(g["start_year"], g["end_year"], g["year"], spread, strict=True)
    ]
    g["share"] = g["amount_eur"] / (g["end_year"] - g["start_year"] + 1).where(spread, 1)
    y = g.explode("years")
    y["amount"] = y["share"].where(~y["is_flagged"], 0.0)
    y["amount_flagged"] = y["share"].where(y["is_flagged"], 0.0)
    out = y.groupby(["series_id", "years", "grp"]).agg(
        amount=("amount", "sum"), amount_flagged=("amount_flagged", "sum"), awards=("grant_id", "nunique")
    )
    return out.reset_index().rename(columns={"years": "year"})


def pandas_map_country_metrics() -> pd.DataFrame:
    countries = _pd_read("countries", ["iso3", "name"]).rename(columns={"name": "country"})
    t = _pd_read("trials", ["trial_id", "population", "is_progressive", "status_group"])
    t = t[t["population"] != "Not MS"]
    tc = _pd_read("trial_countries", ["trial_id", "iso3"]).merge(t, on="trial_id")
    tc["prog_id"] = tc["trial_id"].where(tc["is_progressive"])
    tc["rec_id"] = tc["trial_id"].where(tc["status_group"] == "Recruiting")
    trials = tc.groupby("iso3").agg(
        trials=("trial_id", "nunique"),
        progressive_trials=("prog_id", "nunique"),
        recruiting_trials=("rec_id", "nunique"),
    )
    p = _pd_read("projects", ["iso3", "ms_relevance"])
    projects = (
        p[(p["ms_relevance"] != "Not MS") & p["iso3"].notna()].groupby("iso3").size().rename("projects")
    )
    g = _pd_read("grants", ["iso3", "ms_relevance", "record_type", "amount_eur"])
    g = g[(g["ms_relevance"] != "Not MS") & (g["record_type"] == "award") & g["iso3"].notna()]
    awards = g.groupby("iso3").agg(
        award_rows=("record_type", "size"),
        awards_with_amount=("amount_eur", "count"),
        awarded=("amount_eur", lambda s: s.sum(min_count=1)),
    )
    out = countries.set_index("iso3").join([trials, projects, awards]).reset_index()
    for c in ("trials", "progressive_trials", "recruiting_trials", "projects", "award_rows"):
        out[c] = out[c].fillna(0).astype("int64")
    return out.sort_values("iso3")


PANDAS = {
    "headline_trials": pandas_headline_trials,
    "funding_by_year": pandas_funding_by_year,
    "map_country_metrics": pandas_map_country_metrics,
}


def measure_pandas() -> dict[str, dict[str, float]]:
    """Cold-file, same-work comparison: both sides read the parquet files on every run."""
    from msprogress import queries
    from msprogress.db import Database
    from msprogress.filters import Filters
    from msprogress.snapshot import open_snapshot

    db = Database(open_snapshot(paths.snapshots_dir()))
    f = Filters().as_struct()
    out: dict[str, dict[str, float]] = {}
    for name, fn in PANDAS.items():
        extra = {k: v for k, v in EXTRA.items() if k in queries.get(name).params}
        duck = db.run(name, f, **extra)
        pdf = fn()
        _check_same(name, duck, pdf)
        duck_ms = _median_ms(partial(db.run, name, f, **extra), PANDAS_RUNS)
        pandas_ms = _median_ms(fn, PANDAS_RUNS)
        out[name] = {"duckdb_ms": duck_ms, "pandas_ms": pandas_ms, "speedup": pandas_ms / duck_ms}
    return out


def _check_same(name: str, duck: pd.DataFrame, pdf: pd.DataFrame) -> None:
    """The baseline must compute the same figures, or the ratio means nothing."""
    for col in ("trials", "awards", "award_rows", "amount"):
        if col in duck.columns and col in pdf.columns:
            a, b = float(duck[col].sum()), float(pdf[col].sum())
            if abs(a - b) > 1e-6 * max(1.0, abs(a)):
                raise AssertionError(f"pandas baseline of {name} differs in {col}: {a} vs {b}")


def peak_rss_mb() -> float:
    """This process's own peak resident memory (Linux VmHWM).

    NOTE: not `ru_maxrss`: Linux keeps that across fork+exec, so a measuring subprocess would
    report the parent's peak (the synthetic build holding its frames) instead of the app's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: best effort


def measure_here(out_file: Path, label: str) -> None:
    """Run every in-process measurement on the snapshot MSPROGRESS_DATA points at; then, for what misses
    the scale's targets, where its time goes."""
    res: dict[str, Any] = {"queries": measure_queries(), "pages": measure_pages()}
    # the app's peak (queries + every page), taken before the pandas baseline adds its own frames
    res["peak_rss_mb"] = peak_rss_mb()
    res["pandas"] = measure_pandas()
    res["peak_rss_mb_with_baseline"] = peak_rss_mb()
    res["profiles"] = profile_misses(res, TARGETS.get(label, {}))
    out_file.write_text(json.dumps(res, indent=2))


def profile_misses(res: dict[str, Any], targets: dict[str, float]) -> dict[str, str]:
    """One line per query (and filter state) or page run over its target: where the time goes."""
    from bench import profile

    lines: dict[str, str] = {}
    for name, states in res["queries"].items():
        for state, ms in states.items():
            if ms > targets.get("query_ms", float("inf")):
                f = STATES[state].as_struct()
                lines[f"query {name} ({state})"] = profile.query_line(name, {"f": f, **EXTRA})
    for page, run in res["pages"].items():
        over = [k for k in ("warm", "cold") if run[k] > targets.get(f"page_{k}_ms", float("inf"))]
        if over:
            for kind, line in profile.page_lines(page).items():
                if kind in over:
                    lines[f"page {page} ({kind})"] = line
    return lines


# ---------------------------------------------------------------- orchestration (the parent)


def measure_scale(data_dir: Path, label: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "res.json"
        env = {**os.environ, "MSPROGRESS_DATA": str(data_dir)}
        cmd = [sys.executable, "-m", "bench.run", "--measure", str(out), "--label", label]
        subprocess.run(cmd, env=env, check=True)
        return json.loads(out.read_text())


def real_build_seconds() -> float:
    from msprogress.ingest.build import build

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        build(paths.ROOT / "data" / "raw", Path(tmp) / "snapshots", make_current=False)
        return time.perf_counter() - t


def machine() -> dict[str, object]:
    import duckdb
    import streamlit

    cpu = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "duckdb": duckdb.__version__,
        "pandas": pd.__version__,
        "streamlit": streamlit.__version__,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def run(scales: list[float], browser_scales: tuple[float, ...] = (1.0, 100.0)) -> dict:
    source = real_snapshot()
    results: dict = {"machine": machine(), "targets": TARGETS, "synthetic": True, "scales": {}}
    for k in scales:
        label = k_label(k)
        print(f"[bench] {label}x ...", flush=True)
        entry: dict = {"rows": {}}
        if k == 1:
            data_dir = paths.ROOT / "data"
            entry["snapshot"] = source.snapshot_id
            entry["synthetic"] = False
            entry["build_s"] = real_build_seconds()
            entry["build_kind"] = "real build from data/raw"
            entry["rows"] = {t: v.rows for t, v in source.manifest.tables.items()}
        else:
            path, secs = build_synthetic(source, k)
            data_dir = path.parent.parent
            man = json.loads((path / "manifest.json").read_text())
            entry.update(
                snapshot=path.name,
                synthetic=True,
                build_s=secs,
                build_kind="synthetic: sample+conform+validate+write",
            )
            entry["rows"] = {t: v["rows"] for t, v in man["tables"].items()}
            entry["build_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        entry.update(measure_scale(data_dir, label))
        if k in browser_scales:
            from bench import browser

            entry["browser"] = browser.measure(data_dir)
        results["scales"][label] = entry
        print(f"[bench] {label}x done: {summary_row(label, entry)}", flush=True)
    return results


def summary_row(label: str, e: dict) -> str:
    q = [v["default"] for v in e["queries"].values()] + [v["filtered"] for v in e["queries"].values()]
    return (
        f"query median of medians {statistics.median(q):.1f} ms, max {max(q):.1f} ms; "
        f"page warm max {max(p['warm'] for p in e['pages'].values()):.0f} ms, "
        f"cold max {max(p['cold'] for p in e['pages'].values()):.0f} ms; peak {e['peak_rss_mb']:.0f} MB"
    )


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [
        "# Benchmark results (`make bench`)",
        "",
        f"Machine: {m['nproc']} cores ({m['cpu']}), Python {m['python']}, DuckDB {m['duckdb']}, "
        f"pandas {m['pandas']}, Streamlit {m['streamlit']}; run {m['date']}.",
        "Scales above 1x are SYNTHETIC (real rows resampled with new ids; see bench/README.md).",
        "",
        "| scale | trials | grants | build s | query median ms | query max ms | slowest query | "
        "page warm max ms | page cold max ms | DuckDB/pandas speed-up (min) | peak MB (app) | peak MB (build) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, e in results["scales"].items():
        qs = {f"{n} ({s})": v[s] for n, v in e["queries"].items() for s in v}
        slow = max(qs, key=qs.__getitem__)
        build_mb = f"{e['build_peak_rss_mb']:.0f}" if "build_peak_rss_mb" in e else "–"
        lines.append(
            f"| {label}x | {e['rows']['trials']:,} | {e['rows']['grants']:,} | {e['build_s']:.1f} | "
            f"{statistics.median(qs.values()):.1f} | {qs[slow]:.1f} | {slow} | "
            f"{max(p['warm'] for p in e['pages'].values()):.0f} | "
            f"{max(p['cold'] for p in e['pages'].values()):.0f} | "
            f"{min(p['speedup'] for p in e['pandas'].values()):.1f}x | {e['peak_rss_mb']:.0f} | "
            f"{build_mb} |"
        )
    labels = list(results["scales"])
    lines += ["", "## Pages (AppTest, server side): warm / cold ms", ""]
    lines += ["| page | " + " | ".join(f"{k}x" for k in labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for page in results["scales"][labels[0]]["pages"]:
        cells = [
            f"{results['scales'][k]['pages'][page]['warm']:.0f} / {results['scales'][k]['pages'][page]['cold']:.0f}"
            for k in labels
        ]
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## DuckDB vs pandas (default filters, both read parquet): duckdb ms / pandas ms (speed-up)",
        "",
    ]
    lines += ["| query | " + " | ".join(f"{k}x" for k in labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for q in PANDAS:
        cells = []
        for k in labels:
            p = results["scales"][k]["pandas"][q]
            cells.append(f"{p['duckdb_ms']:.1f} / {p['pandas_ms']:.1f} ({p['speedup']:.1f}x)")
        lines.append(f"| {q} | " + " | ".join(cells) + " |")
    timed = [k for k in labels if results["scales"][k].get("browser")]
    if timed:
        lines += ["", "## Browser: filter change → every chart repainted, median of 5 (ms)", ""]
        lines += ["| page | " + " | ".join(f"{k}x" for k in timed) + " |", "|---" * (len(timed) + 1) + "|"]
        for page in results["scales"][timed[0]]["browser"]:
            cells = [_browser_cell(results["scales"][k]["browser"].get(page, {})) for k in timed]
            lines.append(f"| {page} | " + " | ".join(cells) + " |")
    lines += ["", "## Targets", "", *verdict_lines(results)]
    lines += ["", "## Queries: median ms, default / filtered", ""]
    lines += ["| query | " + " | ".join(f"{k}x" for k in labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for q in results["scales"][labels[0]]["queries"]:
        cells = [
            f"{results['scales'][k]['queries'][q]['default']:.1f} / {results['scales'][k]['queries'][q]['filtered']:.1f}"
            for k in labels
        ]
        lines.append(f"| {q} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def verdicts(results: dict) -> list[dict[str, Any]]:
    """Each target of each scale measured: met or not, and what missed it (worst first)."""
    out = []
    for label, e in results["scales"].items():
        for key, limit in TARGETS.get(label, {}).items():
            values, low_is_bad = _target_values(e, key), key == "speedup"
            missed = {k: v for k, v in values.items() if (v < limit if low_is_bad else v > limit)}
            order = sorted(missed.items(), key=lambda kv: kv[1], reverse=not low_is_bad)
            out.append(
                {
                    "scale": label,
                    "target": key,
                    "limit": limit,
                    "met": not missed,
                    "of": len(values),
                    "missed": order,
                }
            )
    return out


def _target_values(e: dict, key: str) -> dict[str, float]:
    if key == "query_ms":
        return {f"{n} ({st})": ms for n, v in e["queries"].items() for st, ms in v.items()}
    if key in ("page_warm_ms", "page_cold_ms"):
        return {p: v[key.split("_")[1]] for p, v in e["pages"].items()}
    if key == "speedup":
        return {q: v["speedup"] for q, v in e["pandas"].items()}
    return {"measuring process": e["peak_rss_mb"]}


def verdict_lines(results: dict) -> list[str]:
    """The targets in words (met / not met, and the worst misses), then where missed time goes."""
    lines = []
    for v in verdicts(results):
        words = TARGET_WORDS[v["target"]].format(v["limit"])
        if v["met"]:
            lines.append(f"- {v['scale']}x, {words}: **met** ({v['of']} measured)")
            continue
        worst = ", ".join(f"{k} {x:,.1f}" for k, x in v["missed"][:3])
        lines.append(
            f"- {v['scale']}x, {words}: **not met**: {len(v['missed'])} of {v['of']} miss it (worst: {worst})"
        )
    profiles = [
        (label, k, line)
        for label, e in results["scales"].items()
        for k, line in e.get("profiles", {}).items()
    ]
    if profiles:
        lines += ["", "Where the time goes, for each query or page over its target (bench/profile.py):", ""]
        lines += [f"- {label}x {k}: {line}" for label, k, line in profiles]
    return lines


BEFORE_HEADING = "## Before: the run recorded before this one (kept for comparison)"


def write_results_md(new: str) -> None:
    """bench/results.md: this run, then the run recorded before it (once: an older one is dropped),
    then the build-memory section `make bench-memory` writes (bench/member_memory.py) and the
    server-capacity section `make loadtest` writes (bench/capacity.py), both kept as they are."""
    from bench import member_memory

    old = RESULTS_MD.read_text() if RESULTS_MD.exists() else ""
    member = ""  # `make bench-memory`'s section: kept as it is, put back before the capacity part
    if member_memory.SECTION_START in old:
        start = old.index(member_memory.SECTION_START)
        end = old.find(member_memory.SECTION_END, start)
        stop = end + len(member_memory.SECTION_END) if end >= 0 else len(old)
        member, old = old[start:stop], old[:start] + old[stop:]
    bench_part, cut, capacity = old.partition("## Server capacity")
    previous = bench_part.split(BEFORE_HEADING, 1)[0].strip()
    before = f"{BEFORE_HEADING}\n\n" + _demoted(previous) + "\n" if previous else ""
    RESULTS_MD.write_text(new + ("\n" + before if before else "") + ("\n" + cut + capacity if cut else ""))
    if member:
        member_memory.write_section(RESULTS_MD, member)


def _demoted(markdown_text: str) -> str:
    return "\n".join("##" + line if line.startswith("#") else line for line in markdown_text.splitlines())


def _browser_cell(b: dict) -> str:
    return f"{b['median_ms']:.0f}" if "median_ms" in b else "failed: " + str(b.get("error", "not run"))[:60]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", nargs="*", type=float, default=[1.0, 100.0])
    ap.add_argument("--with-1000x", action="store_true", help="also run 1000x (slow)")
    ap.add_argument("--no-browser", action="store_true", help="skip the Playwright timing (1x and 100x)")
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # internal: the per-scale subprocess
    ap.add_argument("--label", default="1", help=argparse.SUPPRESS)  # internal: that subprocess's scale
    args = ap.parse_args(argv)
    if args.measure:
        measure_here(args.measure, args.label)
        return
    scales = [*args.scales, *([1000.0] if args.with_1000x else [])]
    SYNTHETIC_ROOT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results = run(scales, () if args.no_browser else (1.0, 100.0))
    results["total_s"] = time.perf_counter() - started
    RESULTS_JSON.write_text(json.dumps(results, indent=2))
    write_results_md(markdown(results))
    print(markdown(results))
    print(f"[bench] wrote {RESULTS_JSON} and {RESULTS_MD} in {results['total_s']:.0f} s")


if __name__ == "__main__":
    main()
