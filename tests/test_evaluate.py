"""The labelled evaluation set (data/reference/progressive_eval.csv) and the scores it gives.

The scores are computed the way the build computes them: the real registry readers run on the
set's own rows, cut from the raw files in data/raw into a temporary raw folder, and
`evaluate.evaluate` compares the trials table they produce with the labels. The last test shows
the check can fail: without the `relapsing` rule, relapsing titles go silent and progressive
keywords decide again.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from msprogress import paths, schema
from msprogress.ingest import classify, evaluate
from tests import rawcut
from tests.conftest import text_rows

FIELDS = {  # registry -> evidence_field -> raw column
    "ClinicalTrials.gov": {
        "brief_title": "BriefTitle",
        "official_title": "OfficialTitle",
        "conditions": "Conditions",
        "keywords": "Keywords",
    },
    "CTIS": {"title": "Title of the trial", "conditions": "Medical conditions"},
}


@pytest.fixture(scope="module")
def labelled() -> pd.DataFrame:
    return evaluate.load_eval()


def read_trials(raw: Path) -> pd.DataFrame:
    return rawcut.read_tables(raw)["trials"]


@pytest.fixture(scope="module")
def cut(labelled: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rawcut.cut_raw(tmp_path_factory.mktemp("eval") / "raw", set(labelled["trial_id"]))


@pytest.fixture(scope="module")
def scores(cut: Path, labelled: pd.DataFrame) -> evaluate.Scores:
    return evaluate.evaluate(read_trials(cut), labelled)


# --- the set -------------------------------------------------------------------------------------
def test_set_size_and_composition(labelled: pd.DataFrame) -> None:
    assert list(labelled.columns) == list(evaluate.COLUMNS)
    assert labelled["trial_id"].is_unique
    assert len(labelled) >= 200
    assert labelled["expected_progressive"].sum() >= 60
    assert set(labelled["registry"]) == set(rawcut.REGISTRIES)
    assert labelled.groupby("registry")["expected_progressive"].sum().min() >= 15
    assert set(labelled["expected_population"]) == set(schema.POPULATIONS)
    assert (labelled["reason"].str.len() > 0).all() and (labelled["case"].str.len() > 0).all()


def test_every_row_quotes_its_registry_text(labelled: pd.DataFrame) -> None:
    """evidence_text is a verbatim excerpt (white space runs collapsed) of the named raw field."""
    for registry, (_, file, id_col) in rawcut.REGISTRIES.items():
        header, body = rawcut.rows(file)
        raw = {r[header.index(id_col)]: dict(zip(header, r, strict=True)) for r in body}
        rows = text_rows(
            labelled.loc[labelled["registry"] == registry, ["trial_id", "evidence_field", "evidence_text"]]
        )
        for row in rows:
            text = " ".join(raw[row["trial_id"]][FIELDS[registry][row["evidence_field"]]].split())
            assert row["evidence_text"] in text, (row["trial_id"], row["evidence_field"])


def test_every_labelled_trial_is_read(scores: evaluate.Scores) -> None:
    assert scores["missing"] == 0 and scores["scored"] == scores["labelled_trials"]


# --- the scores ----------------------------------------------------------------------------------
def test_progressive_flag_precision_and_recall(scores: evaluate.Scores) -> None:
    flag = scores["is_progressive"]
    assert flag["precision"] >= evaluate.MIN_PRECISION, flag
    assert flag["recall"] >= evaluate.MIN_RECALL, flag


@pytest.mark.parametrize("population", schema.POPULATIONS)
def test_population_label_precision_and_recall(scores: evaluate.Scores, population: str) -> None:
    got = scores["population"][population]
    assert got["precision"] >= evaluate.MIN_PRECISION, (population, got)
    assert got["recall"] >= evaluate.MIN_RECALL, (population, got)


def test_scores_fall_below_the_thresholds_without_the_relapsing_rule(
    cut: Path, labelled: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(paths.reference_dir(), reference)
    rules = reference / classify.RULES_FILE
    kept = [line for line in rules.read_text(encoding="utf-8").splitlines() if r",\brelaps\w*," not in line]
    assert len(kept) == len(rules.read_text(encoding="utf-8").splitlines()) - 1
    rules.write_text("\n".join(kept) + "\n", encoding="utf-8")
    monkeypatch.setenv("MSPROGRESS_REFERENCE", str(reference))
    flag = evaluate.evaluate(read_trials(cut), labelled)["is_progressive"]
    assert flag["precision"] < evaluate.MIN_PRECISION, flag


# --- the arithmetic ------------------------------------------------------------------------------
def test_scores_count_true_and_false_positives(labelled: pd.DataFrame) -> None:
    """Two labelled trials of each class; one progressive trial read as not progressive, one
    non-progressive trial left out of the trials table."""
    sample = labelled.groupby("expected_progressive").head(2).reset_index(drop=True)
    trials = pd.DataFrame(
        {
            "trial_id": sample["trial_id"],
            "population": sample["expected_population"],
            "is_progressive": sample["expected_progressive"],
        }
    )
    missed = trials.index[trials["is_progressive"]][0]
    trials.loc[missed, "population"], trials.loc[missed, "is_progressive"] = "Relapsing", False
    got = evaluate.evaluate(trials.drop(trials.index[~sample["expected_progressive"]][0]), sample)
    assert (got["missing"], got["scored"]) == (1, 3)
    assert got["is_progressive"] == {"precision": 1.0, "recall": 0.5, "tp": 1, "fp": 0, "fn": 1}
    assert got["population"]["Relapsing"]["fp"] == 1
