"""SYNTHETIC snapshots at k× the real row counts, for the benchmark only.

Every row is a real row of the source snapshot sampled with replacement and given a new unique
id (`<id>-s<k>-<n>`), so distributions (phases, countries, funders, amounts, missing values)
stay realistic. Foreign keys stay consistent: a sampled trial brings its own trial_countries
and trial_interventions rows, a sampled project brings its own grants (programme totals and
calls, which have no project, are sampled on their own). Dates, years and amounts are jittered
slightly. Titles are prefixed "[synthetic]", the manifest says `"synthetic": true` with a note,
and the snapshot is written under `bench/synthetic/<k>x/snapshots/`, never `data/snapshots/`.
Reference tables (agents, countries, source coverage, rejections) are copied unchanged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from msprogress import paths
from msprogress.ingest.build import conform, set_current, validate, write_snapshot
from msprogress.manifest import Manifest, SyntheticLabel
from msprogress.snapshot import Snapshot, is_valid_id, open_snapshot

BENCH = Path(__file__).resolve().parent
SYNTHETIC_ROOT = BENCH / "synthetic"
TITLE_PREFIX = "[synthetic] "
NOTE = (
    "SYNTHETIC benchmark data: real rows of snapshot {source} sampled with replacement at {k}x the "
    "real row counts, given new ids, dates/years/amounts jittered. Not real; never serve or cite."
)
TITLE_COLUMNS = {"trials": ("brief_title", "official_title"), "projects": ("title",), "grants": ("title",)}


def k_label(k: float) -> str:
    """'10' for 10, '0.05' for 0.05: used in ids and folder names."""
    return f"{k:g}"


def synthetic_id(k: float) -> str:
    """`synthetic-<k>x-<stamp>` when snapshot ids allow it, else a valid id ending in '5ca1e<k·100 hex>'.

    NOTE: `msprogress.snapshot.SNAPSHOT_ID_CHARS` only allows hex digits, 'T', 'Z' and '-', so
    the readable prefix is refused today; the manifest's `synthetic` flag is the label that counts.
    """
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    preferred = f"synthetic-{k_label(k)}x-{stamp}"
    return preferred if is_valid_id(preferred) else f"{stamp}-5ca1e{round(k * 100):x}"


def _read(snap: Snapshot, table: str) -> pd.DataFrame:
    import pyarrow.parquet as pq

    return pq.read_table(snap.table_path(table)).to_pandas(types_mapper=pd.ArrowDtype)


def _sample(df: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    return df.iloc[rng.integers(0, len(df), n)].reset_index(drop=True) if len(df) else df.head(0)


def _new_ids(ids: pd.Series, k: float) -> pd.Series:
    seq = pd.Series(np.arange(len(ids)).astype(str), index=ids.index)
    return ids.astype(str) + f"-s{k_label(k)}-" + seq


def _follow(children: pd.DataFrame, key: str, mapping: pd.DataFrame) -> pd.DataFrame:
    """Children of each sampled parent, re-keyed to the parent's new id (one copy per sample)."""
    out = mapping.merge(children, left_on="old", right_on=key, how="inner")
    out[key] = out["new"]
    return out.drop(columns=["old", "new"])


def _shift_dates(df: pd.DataFrame, cols: tuple[str, ...], rng: np.random.Generator) -> None:
    days = pd.to_timedelta(rng.integers(-180, 181, len(df)), unit="D")
    for c in cols:
        d = pd.to_datetime(df[c].astype(object))
        df[c] = (d + days).dt.date.astype(object).where(d.notna(), None)


def _label_titles(df: pd.DataFrame, table: str) -> None:
    for c in TITLE_COLUMNS.get(table, ()):
        df[c] = TITLE_PREFIX + df[c].astype(object).where(df[c].notna(), "").astype(str)


def scaled_frames(snap: Snapshot, k: float, seed: int = 0) -> dict[str, pd.DataFrame]:
    """The scaled tables as pandas frames (not yet conformed)."""
    rng = np.random.default_rng(seed)
    trials = _sample(_read(snap, "trials"), round(k * snap.manifest.tables["trials"].rows), rng)
    t_map = pd.DataFrame({"old": trials["trial_id"].astype(str), "new": _new_ids(trials["trial_id"], k)})
    trials["trial_id"] = t_map["new"]
    _shift_dates(trials, ("start_date", "completion_date"), rng)

    projects = _sample(_read(snap, "projects"), round(k * snap.manifest.tables["projects"].rows), rng)
    p_map = pd.DataFrame(
        {"old": projects["project_id"].astype(str), "new": _new_ids(projects["project_id"], k)}
    )
    projects["project_id"] = p_map["new"]
    _shift_dates(projects, ("start_date", "end_date"), rng)

    grants_all = _read(snap, "grants")
    with_project = _follow(grants_all[grants_all["project_id"].notna()], "project_id", p_map)
    loose = grants_all[grants_all["project_id"].isna()]
    grants = pd.concat([with_project, _sample(loose, round(k * len(loose)), rng)], ignore_index=True)
    grants["grant_id"] = _new_ids(grants["grant_id"], k)
    shift = pd.Series(rng.integers(-1, 2, len(grants)), index=grants.index)
    for c in ("year", "start_year", "end_year"):
        grants[c] = grants[c] + shift
    factor = pd.Series(rng.uniform(0.9, 1.1, len(grants)), index=grants.index)
    for c in ("amount", "amount_eur", "amount_usd", "amount_gbp"):
        grants[c] = grants[c].astype("float64") * factor

    frames = {
        "trials": trials,
        "trial_countries": _follow(_read(snap, "trial_countries"), "trial_id", t_map),
        "trial_interventions": _follow(_read(snap, "trial_interventions"), "trial_id", t_map),
        "projects": projects,
        "grants": grants,
    }
    for name, df in frames.items():
        _label_titles(df, name)
    return frames


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Arrow-backed columns as plain objects, which `conform` expects."""
    return pd.DataFrame({c: df[c].astype(object).where(df[c].notna(), None) for c in df.columns})


def build_synthetic(
    source: Snapshot, k: float, root: Path | None = None, seed: int = 0
) -> tuple[Path, float]:
    """Write a SYNTHETIC snapshot at k× and make it CURRENT in its own folder.

    Returns the snapshot folder and the build time in seconds (sampling, conform, validate, write).
    """
    data_dir = (root or SYNTHETIC_ROOT) / f"{k_label(k)}x"
    snapshots_dir = data_dir / "snapshots"
    if data_dir.is_dir():  # an earlier run's synthetic data at this scale
        shutil.rmtree(data_dir)
    started = time.perf_counter()
    frames = scaled_frames(source, k, seed)
    tables: dict[str, pa.Table] = {t: conform(t, [_plain(df)]) for t, df in frames.items()}
    for t in source.tables:
        if t not in tables:  # reference tables, unchanged
            tables[t] = conform(t, [_plain(_read(source, t))])
    validate(tables)
    sid = synthetic_id(k)
    path = write_snapshot(snapshots_dir, sid, tables, [])
    _label_manifest(path, source, k)
    set_current(snapshots_dir, sid)
    return path, time.perf_counter() - started


def _label_manifest(path: Path, source: Snapshot, k: float) -> None:
    """Mark the manifest synthetic and carry the real sources (titles prefixed) for captions."""
    file = path / "manifest.json"
    man = Manifest.read(file)
    sources = [s.model_copy(update={"title": TITLE_PREFIX + s.title}) for s in source.manifest.sources]
    label = SyntheticLabel(
        note=NOTE.format(source=source.snapshot_id, k=k_label(k)), scale=k, of=source.snapshot_id
    )
    man.model_copy(update={"synthetic": label, "sources": sources}).write(file)


def real_snapshot() -> Snapshot:
    """The shipped snapshot (data/snapshots/CURRENT): the 1× scale."""
    return open_snapshot(paths.ROOT / "data" / "snapshots")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Write SYNTHETIC benchmark snapshots under bench/synthetic/.")
    ap.add_argument("scales", nargs="*", type=float, default=[10.0, 100.0])
    args = ap.parse_args(argv)
    src = real_snapshot()
    for k in args.scales:
        path, secs = build_synthetic(src, k)
        print(f"{k_label(k)}x: {path} in {secs:.1f} s")


if __name__ == "__main__":
    main()
