"""How well the trial classifier agrees with people: the labelled evaluation set and its scores.

Owns `data/reference/progressive_eval.csv` (real trials from both registries, each labelled by
a person from its registry text, with the excerpt that decides it and a one-line reason; see
`data/reference/progressive_eval_README.md`) and the two measures the build reports:

- the **progressive flag** (`trials.is_progressive`): precision and recall, the positive class
  being "a progressive form of MS is a population the trial enrols";
- the **population label** (`trials.population`): accuracy, and precision/recall per label.

The scores are computed from a trials table (the built one, or any frame with `trial_id`,
`population` and `is_progressive`), so the manifest and the tests measure what the readers
actually produced. A labelled trial missing from the table is counted in `missing`, not scored.
NOTE: the set over-samples hard cases on purpose (relapsing trials with progressive keywords,
PML, "progressive resistance training", outcomes), so its scores are a floor for the whole
registry, not an estimate of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from msprogress import paths, schema

EVAL_FILE = "progressive_eval.csv"
COLUMNS = (
    "registry",
    "trial_id",
    "case",
    "evidence_field",
    "evidence_text",
    "expected_population",
    "expected_progressive",
    "reason",
)
# The thresholds the test suite holds the classifier to (issue 11, point 3).
MIN_PRECISION, MIN_RECALL = 0.97, 0.95


@dataclass(frozen=True)
class Score:
    """Precision and recall of one positive class, with the counts behind them."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def load_eval(path: Path | None = None) -> pd.DataFrame:
    """The evaluation set; `expected_progressive` as bool. Raises ValueError on a malformed file."""
    path = path or paths.reference_dir() / EVAL_FILE
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}")
    bad = df.loc[~df["expected_population"].isin(schema.POPULATIONS), "trial_id"].tolist()
    if bad:
        raise ValueError(f"{path}: expected_population outside schema.POPULATIONS for {bad[:5]}")
    df["expected_progressive"] = df["expected_progressive"].map({"true": True, "false": False})
    incoherent = df["expected_progressive"] != df["expected_population"].isin(schema.PROGRESSIVE_POPULATIONS)
    if incoherent.any():
        raise ValueError(
            f"{path}: expected_progressive disagrees with the population for "
            f"{df.loc[incoherent, 'trial_id'].tolist()[:5]}"
        )
    return df


def score(expected: pd.Series, got: pd.Series) -> Score:
    """Precision/recall of the positive class: `expected` and `got` are aligned bool series."""
    return Score(
        tp=int((expected & got).sum()),
        fp=int((~expected & got).sum()),
        fn=int((expected & ~got).sum()),
    )


def joined(trials: pd.DataFrame, labelled: pd.DataFrame) -> pd.DataFrame:
    """The labelled trials found in `trials`, with the classifier's `population`/`is_progressive`."""
    got = trials[["trial_id", "population", "is_progressive"]].drop_duplicates("trial_id")
    out = labelled.merge(got, on="trial_id", how="inner")
    return out.assign(is_progressive=out["is_progressive"].fillna(False).astype(bool))


def evaluate(trials: pd.DataFrame, labelled: pd.DataFrame | None = None) -> dict[str, object]:
    """Scores of `trials` against the evaluation set (see the module docstring)."""
    labelled = load_eval() if labelled is None else labelled
    df = joined(trials, labelled)
    per_label = {
        pop: score(df["expected_population"] == pop, df["population"] == pop).as_dict()
        for pop in schema.POPULATIONS
        if (df["expected_population"] == pop).any() or (df["population"] == pop).any()
    }
    return {
        "labelled_trials": len(labelled),
        "labelled_progressive": int(labelled["expected_progressive"].sum()),
        "scored": len(df),
        "missing": len(labelled) - len(df),
        "by_registry": {str(k): int(v) for k, v in df["registry"].value_counts().sort_index().items()},
        "is_progressive": score(df["expected_progressive"], df["is_progressive"]).as_dict(),
        "population_accuracy": round(float((df["expected_population"] == df["population"]).mean()), 4)
        if len(df)
        else float("nan"),
        "population": per_label,
    }
