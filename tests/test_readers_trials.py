"""The two trial-registry readers (ctgov, ctis) on fixtures cut verbatim from the real exports.

Expectations are derived from the fixture files themselves (read independently with the csv
module), or name specific real trials: ORATORIO NCT01194570 (ocrelizumab, PPMS), EXPAND
NCT01665144 (siponimod, SPMS), PERSEUS NCT04458051 (tolebrutinib, PPMS), CTIS 2025-521127-73-00
(four countries with comma-bearing statuses). Broken inputs are built from copies in tmp_path.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from msprogress import schema
from msprogress.ingest import ctgov, ctis
from msprogress.ingest import trial_common as tc
from msprogress.ingest.base import SourceError

RAW = Path(__file__).parent / "fixtures" / "raw"
CTGOV_FILE = "ctgov/ctgov_ms_studies_2025-09-25.csv"
CTIS_FILE = "ctis/ctis_ms_trials_2025-09-24.csv"
READERS = [(ctgov, CTGOV_FILE, "Phase"), (ctis, CTIS_FILE, "Trial phase")]


def fixture_rows(name: str) -> list[dict[str, str]]:
    """The fixture's data rows, read with the csv module (independently of the readers)."""
    with (RAW / name).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def rewrite(src: Path, dst: Path, edit: Callable[[list[str], list[list[str]]], tuple]) -> None:
    """Copy a CSV to `dst` after `edit(header, rows)` (for building broken inputs in tmp_path)."""
    with src.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = edit(rows[0], rows[1:])
    dst.parent.mkdir(parents=True, exist_ok=True)
    with dst.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *body])


@pytest.fixture(scope="module")
def gov():
    return ctgov.read(RAW)


@pytest.fixture(scope="module")
def eu():
    return ctis.read(RAW)


def trial(result, trial_id: str) -> pd.Series:
    t = result.tables["trials"]
    return t[t["trial_id"] == trial_id].iloc[0]


# --- shared contract ----------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["gov", "eu"])
def test_tables_follow_the_schema(which, request):
    result = request.getfixturevalue(which)
    for name, df in result.tables.items():
        declared = {c.name for c in schema.TABLES[name]}
        assert set(df.columns) <= declared, name
        assert df[["source", "source_file", "as_of"]].notna().all().all(), name
        assert set(df["source"]) == {result.source_id}
    t = result.tables["trials"]
    assert set(t["phase"].dropna()) <= set(schema.PHASES)
    assert set(t["status_group"]) <= set(schema.STATUS_GROUPS)
    assert set(t["population"]) <= set(schema.POPULATIONS)
    assert set(t["gap_area"].dropna()) <= set(schema.GAP_AREAS)
    assert set(result.tables["trial_interventions"]["modality"]) <= set(schema.MODALITIES)
    assert not result.tables["trial_countries"].duplicated(["trial_id", "iso3"]).any()
    assert any("not de-duplicated" in n for n in result.notes)


@pytest.mark.parametrize("which", ["gov", "eu"])
def test_phase_rank_and_progressive_follow_schema(which, request):
    t = request.getfixturevalue(which).tables["trials"]
    for _, r in t.iterrows():
        expected = schema.PHASE_RANK.get(r["phase"]) if isinstance(r["phase"], str) else None
        assert (pd.isna(r["phase_rank"]) and expected is None) or r["phase_rank"] == expected
        assert r["is_progressive"] == (r["population"] in schema.PROGRESSIVE_POPULATIONS)
        assert pd.isna(r["gap_area"]) == (r["population"] == "Not MS")


@pytest.mark.parametrize("which", ["gov", "eu"])
def test_intervention_kinds_are_the_non_placebo_modalities(which, request):
    result = request.getfixturevalue(which)
    iv = result.tables["trial_interventions"]
    for _, r in result.tables["trials"].iterrows():
        mine = iv[(iv["trial_id"] == r["trial_id"]) & ~iv["is_placebo"]]
        expected = "|".join(sorted(set(mine["modality"]))) or None
        assert (r["intervention_kinds"] if isinstance(r["intervention_kinds"], str) else None) == expected


@pytest.mark.parametrize(("module", "name", "column"), READERS)
def test_missing_required_column_names_file_and_column(module, name, column, tmp_path):
    rewrite(RAW / name, tmp_path / name, lambda h, rows: (
        [c for c in h if c != column], [[v for c, v in zip(h, r, strict=True) if c != column] for r in rows]
    ))  # fmt: skip
    with pytest.raises(SourceError) as err:
        module.read(tmp_path)
    assert name in str(err.value) and column in str(err.value)
    assert err.value.rejection.column == column


@pytest.mark.parametrize(("module", "name", "column"), READERS)
def test_empty_or_header_only_file_raises(module, name, column, tmp_path):
    (tmp_path / name).parent.mkdir(parents=True)
    (tmp_path / name).write_bytes(b"")
    with pytest.raises(SourceError, match="empty"):
        module.read(tmp_path)
    rewrite(RAW / name, tmp_path / name, lambda h, rows: (h, []))
    with pytest.raises(SourceError, match="no data rows"):
        module.read(tmp_path)


@pytest.mark.parametrize(("module", "name", "column"), READERS)
def test_missing_folder_or_undated_file_raises(module, name, column, tmp_path):
    with pytest.raises(SourceError, match="no \\*.csv"):
        module.read(tmp_path)
    undated = tmp_path / name.split("/")[0] / "export.csv"
    undated.parent.mkdir(parents=True)
    shutil.copy(RAW / name, undated)
    with pytest.raises(SourceError, match="retrieval date"):
        module.read(tmp_path)


# --- ClinicalTrials.gov -----------------------------------------------------------------------------------
def test_ctgov_counts_match_the_fixture(gov):
    rows = fixture_rows(CTGOV_FILE)
    assert gov.rows_read == len(rows) and gov.rows_rejected == 0 and gov.rows_kept == len(rows)
    assert sorted(gov.tables["trials"]["trial_id"]) == sorted(r["NCTId"] for r in rows)
    with_country = [r for r in rows if r["LocationCountry"]]
    assert 0 < len(with_country) < len(rows)
    assert len(gov.tables["trial_countries"]) == len(with_country)
    pairs = {
        (r["NCTId"], n, t)
        for r in rows
        if r["InterventionNames"]
        for n, t in zip(r["InterventionNames"].split("|"), r["InterventionTypes"].split("|"), strict=True)
    }
    assert len(gov.tables["trial_interventions"]) == len(pairs)
    assert gov.as_of == "2025-09-25"
    assert gov.files[0].path == CTGOV_FILE and len(gov.files[0].sha256) == 64


def test_ctgov_oratorio(gov):
    t = trial(gov, "NCT01194570")
    assert (t["phase"], t["phase_rank"], t["population"], t["is_progressive"]) == (
        "Phase 3",
        3.0,
        "PPMS",
        True,
    )
    assert t["status"] == "Completed" and t["url"] == "https://clinicaltrials.gov/study/NCT01194570"
    assert t["start_date"] == dt.date(2011, 3, 2) and t["registry"] == "ClinicalTrials.gov"
    iv = gov.tables["trial_interventions"]
    assert "ocrelizumab" in set(iv.loc[iv["trial_id"] == "NCT01194570", "agent_id"])
    assert set(iv.loc[(iv["trial_id"] == "NCT01194570") & iv["is_placebo"], "intervention_name"]) == {
        "Placebo"
    }


@pytest.mark.parametrize(
    ("nct", "population", "agent"),
    [("NCT01665144", "SPMS", "siponimod"), ("NCT04458051", "PPMS", "tolebrutinib")],
)
def test_ctgov_progressive_trials_and_their_agents(gov, nct, population, agent):
    t = trial(gov, nct)
    assert t["population"] == population and t["is_progressive"]
    iv = gov.tables["trial_interventions"]
    assert agent in set(iv.loc[iv["trial_id"] == nct, "agent_id"])


def test_ctgov_pml_studies_are_not_progressive_ms(gov):
    rows = [r for r in fixture_rows(CTGOV_FILE) if "Leukoencephalopathy" in r["Conditions"]]
    progressive_ms = re.compile(r"primary progressive|secondary progressive|progressive (MS|multiple)", re.I)
    rows = [r for r in rows if not progressive_ms.search(" ".join(r.values()))]
    assert len(rows) >= 3
    for r in rows:
        assert not trial(gov, r["NCTId"])["is_progressive"], r["NCTId"]


@pytest.mark.parametrize(
    ("code", "phase"),
    [
        ("NA", "Not applicable"),
        ("", None),
        ("EARLY_PHASE1", "Early phase 1"),
        ("PHASE1|PHASE2", "Phase 1/2"),
        ("PHASE2|PHASE3", "Phase 2/3"),
        ("PHASE4", "Phase 4"),
    ],
)
def test_ctgov_phase_codes(gov, code, phase):
    ids = [r["NCTId"] for r in fixture_rows(CTGOV_FILE) if r["Phase"] == code]
    assert ids, f"fixture has no row with Phase {code!r}"
    for nct in ids:
        got = trial(gov, nct)["phase"]
        assert (got if isinstance(got, str) else None) == phase


@pytest.mark.parametrize(
    ("code", "status", "group"),
    [
        ("ACTIVE_NOT_RECRUITING", "Active, not recruiting", "Active, not recruiting"),
        ("NOT_YET_RECRUITING", "Not yet recruiting", "Recruiting"),
        ("ENROLLING_BY_INVITATION", "Enrolling by invitation", "Recruiting"),
        ("TERMINATED", "Terminated", "Stopped early"),
        ("SUSPENDED", "Suspended", "Stopped early"),
        ("WITHDRAWN", "Withdrawn", "Withdrawn"),
        ("NO_LONGER_AVAILABLE", "No longer available", "Unknown"),
    ],
)
def test_ctgov_status_codes(gov, code, status, group):
    ids = [r["NCTId"] for r in fixture_rows(CTGOV_FILE) if r["OverallStatus"] == code]
    assert ids
    for nct in ids:
        assert (trial(gov, nct)["status"], trial(gov, nct)["status_group"]) == (status, group)


def test_ctgov_dates_month_only_and_full(gov):
    rows = fixture_rows(CTGOV_FILE)
    month_only = [r for r in rows if re.fullmatch(r"\d{4}-\d{2}", r["StartDate"])]
    full = [r for r in rows if re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["CompletionDate"])]
    empty = [r for r in rows if not r["StartDate"]]
    assert month_only and full and empty
    for r in month_only:
        y, m = map(int, r["StartDate"].split("-"))
        assert trial(gov, r["NCTId"])["start_date"] == dt.date(y, m, 1)
    for r in full:
        assert trial(gov, r["NCTId"])["completion_date"] == dt.date.fromisoformat(r["CompletionDate"])
    for r in empty:
        assert pd.isna(trial(gov, r["NCTId"])["start_date"])


def _day(value: str, layout: str = "%Y-%m-%d") -> dt.date | None:
    return dt.datetime.strptime(value, layout).date() if value and value != "N/A" else None


def _same(got: object, expected: object) -> bool:
    return pd.isna(got) if expected is None else got == expected


def test_ctgov_registry_dates_and_results(gov):
    """First posted, last update, results first posted and has-results are the export's own values;
    the export states no stop reason, so why_stopped stays empty."""
    rows = fixture_rows(CTGOV_FILE)
    assert any(r["HasResults"] == "True" for r in rows) and any(r["HasResults"] == "False" for r in rows)
    for r in rows:
        t = trial(gov, r["NCTId"])
        assert t["first_posted"] == _day(r["StudyFirstPostDate"]), r["NCTId"]
        assert t["last_update_posted"] == _day(r["LastUpdatePostDate"]), r["NCTId"]
        assert _same(t["results_first_posted"], _day(r["ResultsFirstPostDate"])), r["NCTId"]
        assert bool(t["has_results"]) is (r["HasResults"] == "True")
        assert pd.isna(t["why_stopped"])


def test_ctgov_unreadable_registry_date_is_left_empty_and_recorded(tmp_path):
    """A secondary date that cannot be read does not cost the trial: empty, and recorded."""
    raw = tmp_path / "raw"

    def edit(header: list[str], body: list[list[str]]) -> tuple:
        body[0][header.index("StudyFirstPostDate")] = "15.07.2019"
        return header, body

    rewrite(RAW / CTGOV_FILE, raw / CTGOV_FILE, edit)
    result = ctgov.read(raw)
    first = fixture_rows(CTGOV_FILE)[0]["NCTId"]
    assert pd.isna(trial(result, first)["first_posted"])
    assert [(j.row, j.column, j.row_kept) for j in result.rejections if j.column == "StudyFirstPostDate"] == [
        (2, "StudyFirstPostDate", True)
    ]


def test_ctgov_export_without_registry_dates_still_reads(tmp_path):
    """An older export without the date columns keeps every trial, with the dates empty."""
    raw = tmp_path / "raw"
    dropped = ("StudyFirstPostDate", "LastUpdatePostDate", "ResultsFirstPostDate", "HasResults")

    def edit(header: list[str], body: list[list[str]]) -> tuple:
        keep = [i for i, h in enumerate(header) if h not in dropped]
        return [header[i] for i in keep], [[r[i] for i in keep] for r in body]

    rewrite(RAW / CTGOV_FILE, raw / CTGOV_FILE, edit)
    t = ctgov.read(raw).tables["trials"]
    assert len(t) == len(fixture_rows(CTGOV_FILE))
    assert t[["first_posted", "last_update_posted", "results_first_posted", "has_results"]].isna().all().all()


def test_ctgov_api_flattens_registry_dates():
    """The API's status dates and hasResults reach the export's flat columns unchanged."""
    from msprogress.ingest import ctgov_api

    pages = sorted((Path(__file__).parent / "fixtures" / "api" / "ctgov").glob("page-*.json"))
    studies = [s for p in pages for s in json.loads(p.read_bytes())["studies"]]
    assert studies
    batch = tc.Batch("ctgov_api")
    for n, study in enumerate(studies, start=1):
        row = ctgov_api.flat_row(tc.RowContext(batch, "page", n, dt.date(2025, 9, 25)), study)
        assert row is not None
        status = study["protocolSection"]["statusModule"]
        assert row["StudyFirstPostDate"] == status["studyFirstPostDateStruct"]["date"]
        assert row["LastUpdatePostDate"] == status["lastUpdatePostDateStruct"]["date"]
        assert row["HasResults"] == str(study["hasResults"])
        assert row["WhyStopped"] == status.get("whyStopped", "")


def test_ctgov_enrollment_and_sites(gov):
    rows = fixture_rows(CTGOV_FILE)
    assert any(r["EnrollmentCount"] == "" for r in rows) and any(
        r["EnrollmentCount"].endswith(".0") for r in rows
    )
    for r in rows:
        t = trial(gov, r["NCTId"])
        expected = int(float(r["EnrollmentCount"])) if r["EnrollmentCount"] else None
        assert (None if pd.isna(t["enrollment"]) else t["enrollment"]) == expected
        assert t["total_locations"] == int(r["TotalLocations"])
        assert t["n_countries"] == (1 if r["LocationCountry"] else 0)


def test_ctgov_first_site_country(gov):
    countries = gov.tables["trial_countries"].set_index("trial_id")
    assert (~countries["list_complete"]).all()
    assert set(countries["basis"]) == {"country of first listed site"}
    for r in fixture_rows(CTGOV_FILE):
        if r["LocationCountry"]:
            assert countries.loc[r["NCTId"], "city"] == r["LocationCity"]
    oratorio = countries.loc["NCT01194570"]
    assert oratorio["iso3"] == "USA"
    turkey = [r["NCTId"] for r in fixture_rows(CTGOV_FILE) if r["LocationCountry"] == "Turkey (Türkiye)"]
    assert turkey and all(countries.loc[n, "iso3"] == "TUR" for n in turkey)


def test_ctgov_nameless_intervention_is_recorded_not_hidden(gov):
    rows = fixture_rows(CTGOV_FILE)
    odd = [
        (i, r) for i, r in enumerate(rows, start=2) if not r["InterventionNames"] and r["InterventionTypes"]
    ]
    assert len(odd) == 1
    row_no, r = odd[0]
    assert r["NCTId"] in set(gov.tables["trials"]["trial_id"])
    found = [j for j in gov.rejections if j.row == row_no]
    assert len(found) == 1 and found[0].column == "InterventionNames" and "differ in count" in found[0].reason
    assert len(gov.rejections) == 1


def test_ctgov_bad_rows_and_values_become_rejections(tmp_path):
    def edit(h, rows):
        col = {c: i for i, c in enumerate(h)}
        rows = [list(r) for r in rows]
        rows[1][col["NCTId"]] = ""  # no id -> row rejected
        rows[2][col["LocationCountry"]] = "Atlantis"  # unknown country -> value rejected
        rows[3][col["StartDate"]] = "2019-13"  # bad date -> value rejected
        rows[4][col["InterventionTypes"]] += "|DRUG"  # one type too many
        return h, [*rows, list(rows[0])]  # duplicate id -> row rejected

    rewrite(RAW / CTGOV_FILE, tmp_path / CTGOV_FILE, edit)
    result = ctgov.read(tmp_path)
    n = len(fixture_rows(CTGOV_FILE))
    assert (result.rows_read, result.rows_kept, result.rows_rejected) == (n + 1, n - 1, 2)
    reasons = {j.reason.split(":")[0] for j in result.rejections}
    assert {
        "missing trial id",
        "duplicate trial id",
        "country not recognised",
        "date not recognised",
    } <= reasons
    assert "intervention names and types differ in count" in reasons
    assert len(result.tables["trials"]) == n - 1
    by_row = {j.row: j for j in result.rejections if j.reason.startswith("country")}
    assert list(by_row) == [4] and by_row[4].column == "LocationCountry"


# --- CTIS -------------------------------------------------------------------------------------------------
def test_ctis_bom_and_counts(eu):
    raw = (RAW / CTIS_FILE).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the fixture must keep the export's byte-order mark"
    records = tc.read_records(RAW / CTIS_FILE, RAW, ctis.REQUIRED_COLUMNS)
    assert records.header[0] == "Trial number"
    rows = fixture_rows(CTIS_FILE)
    assert eu.rows_read == len(rows) == eu.rows_kept and eu.rejections == []
    assert sorted(eu.tables["trials"]["trial_id"]) == sorted(r["Trial number"] for r in rows)
    assert eu.as_of == "2025-09-24"
    assert raw.count(b"\n") > len(rows) + 1, "the fixture must hold multi-line fields"


def test_ctis_multiline_title_intact(eu):
    rows = [r for r in fixture_rows(CTIS_FILE) if "\n" in r["Title of the trial"]]
    assert rows
    for r in rows:
        t = trial(eu, r["Trial number"])
        assert t["brief_title"] == r["Title of the trial"].strip() and "\n" in t["brief_title"]


def test_ctis_one_country_row_per_listed_country(eu):
    countries = eu.tables["trial_countries"]
    assert countries["list_complete"].all() and set(countries["basis"]) == {"all trial countries"}
    multi = 0
    for r in fixture_rows(CTIS_FILE):
        listed = re.findall(r"(?:^|, )([A-Z][A-Za-z ]+):", r["Location(s) and recruitment status"])
        mine = countries[countries["trial_id"] == r["Trial number"]]
        assert len(mine) == len(listed) == trial(eu, r["Trial number"])["n_countries"]
        multi += len(listed) > 1
    assert multi >= 3
    croatia_row = countries[countries["trial_id"] == "2025-521127-73-00"].set_index("iso3")["site_status"]
    assert croatia_row.to_dict() == {
        "HRV": "Authorised, recruiting",
        "BGR": "Authorised, recruitment pending",
        "CZE": "Authorised, recruitment pending",
        "HUN": "Authorised, recruiting",
    }


@pytest.mark.parametrize(
    ("text", "phase"),
    [
        ("Therapeutic confirmatory  (Phase III)", "Phase 3"),
        ("Therapeutic exploratory (Phase II)", "Phase 2"),
        ("Therapeutic use (Phase IV)", "Phase 4"),
        ("Human Pharmacology (Phase I)- Bioequivalence Study", "Phase 1"),
        ("Human Pharmacology (Phase I)-  Other", "Phase 1"),
        ("Phase I and Phase II (Integrated)- First administration to humans", "Phase 1/2"),
        ("Phase II and Phase III (Integrated)", "Phase 2/3"),
        ("Phase III and phase IV (Integrated)", "Phase 3"),
    ],
)
def test_ctis_phase_text(eu, text, phase):
    ids = [r["Trial number"] for r in fixture_rows(CTIS_FILE) if r["Trial phase"] == text]
    assert ids, f"fixture has no row with phase {text!r}"
    for number in ids:
        assert trial(eu, number)["phase"] == phase


def test_ctis_status_dates_and_enrollment(eu):
    for r in fixture_rows(CTIS_FILE):
        t = trial(eu, r["Trial number"])
        assert t["status"] == r["Overall trial status"]
        assert t["status_group"] == tc.CTIS_STATUSES[r["Overall trial status"]]
        assert t["enrollment"] == int(r["Number of participants enrolled"])
        start = r["Start date"]
        assert (
            pd.isna(t["start_date"])
            if start == "N/A"
            else t["start_date"] == dt.datetime.strptime(start, "%d/%m/%Y").date()
        )
        end = r["Global end of the trial"] if r["Global end of the trial"] != "N/A" else r["End date"]
        assert (
            pd.isna(t["completion_date"])
            if end == "N/A"
            else t["completion_date"] == dt.datetime.strptime(end, "%d/%m/%Y").date()
        )
        assert t["url"].endswith("EUCT=" + r["Trial number"]) and t["registry"] == "CTIS"
    groups = set(eu.tables["trials"]["status_group"])
    assert {"Recruiting", "Active, not recruiting", "Completed", "Stopped early"} <= groups


def test_ctis_registry_dates_and_results(eu):
    """The authorisation decision is the CTIS 'first posted' date; 'Last updated' the last update;
    CTIS says whether results are posted but not when."""
    for r in fixture_rows(CTIS_FILE):
        t = trial(eu, r["Trial number"])
        assert _same(t["first_posted"], _day(r["Decision date"], "%d/%m/%Y"))
        assert _same(t["last_update_posted"], _day(r["Last updated"], "%d/%m/%Y"))
        assert bool(t["has_results"]) is (r["Trial results"] == "Yes")
        assert pd.isna(t["results_first_posted"]) and pd.isna(t["why_stopped"])


def test_ctis_products(eu):
    iv = eu.tables["trial_interventions"]
    names = lambda number: list(iv.loc[iv["trial_id"] == number, "intervention_name"])  # noqa: E731
    assert names("2025-522140-40-00") == ["Placebo capules, hard", "TENOFOVIR ALAFENAMIDE"]
    assert names("2024-516992-33-02") == [
        "BIODRIBIN, 1 mg/ml, roztwór do infuzji",
        "0.9% physiological saline (sodium chloride)",
    ]
    assert names("2024-514495-41-00")[0] == "Tolebrutinib"
    assert "tolebrutinib" in set(iv["agent_id"].dropna())
    no_product = [r["Trial number"] for r in fixture_rows(CTIS_FILE) if r["Product"] in ("N/A", "-")]
    assert len(no_product) >= 2 and all(names(n) == [] for n in no_product)
    assert iv["intervention_type"].isna().all()
    assert not any("\r" in n or "\n" in n for n in iv["intervention_name"])


def test_ctis_progressive_trials(eu):
    ppms = [
        r["Trial number"]
        for r in fixture_rows(CTIS_FILE)
        if "primary progressive" in r["Medical conditions"].lower()
    ]
    assert ppms
    for number in ppms:
        t = trial(eu, number)
        assert t["population"] == "PPMS" and t["is_progressive"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Croatia:Authorised, recruiting, Bulgaria:Ended",
            [("Croatia", "Authorised, recruiting"), ("Bulgaria", "Ended")],
        ),
        ("Netherlands:Ongoing, recruitment ended", [("Netherlands", "Ongoing, recruitment ended")]),
        ("N/A", []),
    ],
)
def test_ctis_country_pairs(text, expected):
    assert ctis.country_pairs(text) == expected


def test_ctis_bad_number_and_duplicate_rejected(tmp_path):
    def edit(h, rows):
        rows = [list(r) for r in rows]
        rows[0][0] = "2024-5131"  # truncated EU CT number
        return h, [*rows, list(rows[1])]

    rewrite(RAW / CTIS_FILE, tmp_path / CTIS_FILE, edit)
    result = ctis.read(tmp_path)
    n = len(fixture_rows(CTIS_FILE))
    assert (result.rows_read, result.rows_kept, result.rows_rejected) == (n + 1, n - 1, 2)
    assert sorted(j.reason.split(":")[0] for j in result.rejections) == [
        "duplicate trial id",
        "not an EU CT number",
    ]
