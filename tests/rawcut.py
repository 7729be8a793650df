"""Cut the real registry exports in data/raw down to chosen trials, for tests that run the real
readers on real rows without reading 3,700 trials: the files keep their names, headers and
formats (CTIS: UTF-8 with a byte-order mark, quoted newlines)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from msprogress import paths
from msprogress.ingest import ctgov, ctis

RAW = paths.ROOT / "data" / "raw"
# registry -> (reader module, raw file, id column)
REGISTRIES = {
    "ClinicalTrials.gov": (ctgov, "ctgov/ctgov_ms_studies_2025-09-25.csv", "NCTId"),
    "CTIS": (ctis, "ctis/ctis_ms_trials_2025-09-24.csv", "Trial number"),
}


def rows(file: str) -> tuple[list[str], list[list[str]]]:
    """Header and records of a raw export (file relative to data/raw)."""
    with (RAW / file).open(encoding="utf-8-sig", newline="") as fh:
        records = list(csv.reader(fh))
    return records[0], records[1:]


def cut_raw(dst: Path, ids: set[str]) -> Path:
    """A raw folder at `dst` holding only the records of `ids`, one file per registry."""
    for _, file, id_col in REGISTRIES.values():
        header, body = rows(file)
        keep = [r for r in body if r[header.index(id_col)] in ids]
        (dst / file).parent.mkdir(parents=True, exist_ok=True)
        with (dst / file).open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows([header, *keep])
    return dst


def read_tables(raw: Path) -> dict[str, pd.DataFrame]:
    """trials and trial_interventions as the real readers produce them from `raw` (both registries)."""
    results = [module.read(raw).tables for module, *_ in REGISTRIES.values()]
    return {
        t: pd.concat([r[t] for r in results], ignore_index=True) for t in ("trials", "trial_interventions")
    }
