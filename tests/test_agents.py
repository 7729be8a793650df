"""The curated agent reference (data/reference/agents.csv) and the intervention matcher.

Names below are copied verbatim from the real ClinicalTrials.gov and CTIS files (with their
registered types); the coverage test runs the matcher over real ClinicalTrials.gov rows in
`tests/fixtures/agents_coverage_rows.csv`.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest

from msprogress import paths, schema
from msprogress.ingest import agents, classify
from tests import rawcut
from tests.conftest import text_rows

FIXTURE = Path(__file__).parent / "fixtures" / "agents_coverage_rows.csv"
RAW_CTGOV = paths.ROOT / "data" / "raw" / "ctgov" / "ctgov_ms_studies_2025-09-25.csv"
DRUG_TYPES = {"DRUG", "BIOLOGICAL", "GENETIC", "COMBINATION_PRODUCT"}
REFERENCE_HOSTS = {
    "registry": {"clinicaltrials.gov"},
    "label": {"dailymed.nlm.nih.gov", "www.ema.europa.eu"},
    "paper": {"doi.org", "pubmed.ncbi.nlm.nih.gov"},
}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return pd.read_csv(paths.reference_dir() / "agents.csv", dtype=str, keep_default_na=False)


# --- The CSV -------------------------------------------------------------------------------------
def test_csv_columns_and_unique_ids(table: pd.DataFrame) -> None:
    assert list(table.columns) == list(agents.CSV_COLUMNS)
    assert table["agent_id"].is_unique
    assert table["agent_id"].str.fullmatch(r"[a-z0-9][a-z0-9-]*").all()
    assert (table["agent_name"].str.strip() != "").all()


def test_controlled_values(table: pd.DataFrame) -> None:
    assert set(table["mechanism_class"]) <= set(agents.MECHANISM_CLASSES)
    assert set(table["modality"]) <= set(schema.MODALITIES)
    assert set(table["therapy_role"]) <= {"disease-modifying", "symptomatic", "supportive", "diagnostic"}
    assert set(table["reference_kind"]) <= set(REFERENCE_HOSTS)


def test_no_alias_claimed_by_two_agents(table: pd.DataFrame) -> None:
    owners: dict[str, set[str]] = {}
    for row in text_rows(table):
        for alias in [row["agent_id"], row["agent_name"], *row["aliases"].split("|")]:
            key = " ".join(re.findall(r"[a-z]+|\d+", agents.normalise_name(alias.lstrip("="))))
            if key:
                owners.setdefault(key, set()).add(row["agent_id"])
    shared = {k: v for k, v in owners.items() if len(v) > 1}
    assert shared == {}


def test_reference_urls_well_formed(table: pd.DataFrame) -> None:
    for row in text_rows(table):
        url = urlparse(row["reference_url"])
        assert url.scheme == "https" and url.path, row["agent_id"]
        assert url.netloc in REFERENCE_HOSTS[row["reference_kind"]], (row["agent_id"], url.netloc)
        if row["reference_kind"] == "registry":
            assert re.fullmatch(r"/study/NCT\d{8}", url.path), row["agent_id"]


@pytest.mark.skipif(not RAW_CTGOV.exists(), reason="raw ClinicalTrials.gov file not present")
def test_registry_references_name_the_agent(table: pd.DataFrame) -> None:
    """Every registry reference is a trial of our file whose interventions map to that agent."""
    raw = pd.read_csv(
        RAW_CTGOV,
        dtype=str,
        keep_default_na=False,
        usecols=["NCTId", "InterventionNames", "InterventionTypes"],
    )
    interventions = {r["NCTId"]: r for r in text_rows(raw)}
    for row in text_rows(table[table["reference_kind"] == "registry"]):
        nct = row["reference_url"].rsplit("/", 1)[1]
        names, types = interventions[nct]["InterventionNames"], interventions[nct]["InterventionTypes"]
        found = {
            agents.classify_intervention(n, t).agent_id
            for n, t in zip(names.split("|"), types.split("|"), strict=True)
        }
        assert row["agent_id"] in found, (row["agent_id"], nct)


def test_validation_rejects_a_shared_alias_and_a_bad_class(table: pd.DataFrame) -> None:
    assert agents.validate_agents(table) == []
    bad = table.copy()
    bad.loc[bad["agent_id"] == "siponimod", "aliases"] += "|FTY720"
    bad.loc[bad["agent_id"] == "biotin", "mechanism_class"] = "Vitamins"
    bad.loc[bad["agent_id"] == "ocrelizumab", "reference_url"] = "http://example.org"
    problems = " ".join(agents.validate_agents(bad))
    assert "FTY720" in problems and "biotin" in problems and "ocrelizumab" in problems


def test_agents_table_has_schema_columns() -> None:
    df = agents.agents_table()
    assert list(df.columns) == [c.name for c in schema.TABLES["agents"]]
    oratorio = df.set_index("agent_id").loc["ocrelizumab"]
    assert oratorio["mechanism_class"] == "B-cell depletion (anti-CD20/CD19)"
    assert oratorio["reference_url"] == "https://clinicaltrials.gov/study/NCT01194570"


# --- Matching real names -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "rtype", "agent_id", "mechanism"),
    [
        ("Ocrelizumab", "DRUG", "ocrelizumab", "B-cell depletion (anti-CD20/CD19)"),  # ORATORIO NCT01194570
        ("Ocrevus 300 mg concentrate for solution for infusion", None, "ocrelizumab", None),  # CTIS
        ("OCR", "DRUG", "ocrelizumab", None),
        ("BAF312", "DRUG", "siponimod", "S1P receptor modulation"),
        ("Mayzent 2 mg film-coated tablets", None, "siponimod", None),
        ("SAR442168", "DRUG", "tolebrutinib", "BTK inhibition"),
        ("Tolebrutinib", "DRUG", "tolebrutinib", None),
        ("MD1003 100mg capsule", "DRUG", "biotin", "Neuroprotection / metabolic"),
        ("teriflunomide (HMR1726)", "DRUG", "teriflunomide", None),
        ("AUBAGIO 14 mg film-coated tablets", None, "teriflunomide", None),
        ("KYV-101 (Biological) - 1 ×10^8 cells", "BIOLOGICAL", "kyv-101", "Cell therapy"),
        ("alemtuzumab GZ402673", "DRUG", "alemtuzumab", None),
        ("MabCampath-1h", "DRUG", "alemtuzumab", None),
        ("FTY720", "DRUG", "fingolimod", None),
        ("Placebo to Fingolimod (FTY720) [Gilenya] 0.25mg & 0.5mg", None, None, None),
        ("BG00012 (DMF) (Tecfidera®.)", "DRUG", "dimethyl-fumarate", None),
        ("BAY86-5046_Interferon-beta-1b", "DRUG", "interferon-beta-1b", None),
        ("Interferon β-1a 30 µg", "DRUG", "interferon-beta-1a", None),
        (
            "Plegridy 125 micrograms solution for injection in pre-filled pen",
            None,
            "peginterferon-beta-1a",
            None,
        ),
        ("IMU-838 22.5 mg tablet", None, "vidofludimus-calcium", None),
        ("LOU064", None, "remibrutinib", "BTK inhibition"),
        ("Solu-Moderín 125 mg polvo y disolvente para solución inyectable", None, "methylprednisolone", None),
        ("Antihistamine", "DRUG", "antihistamine-unspecified", "Supportive / premedication"),
        ("Chemotherapy: fludarabine (FLU)", "DRUG", "fludarabine", "Supportive / premedication"),
        ("[F-18]SDM-8", "DRUG", "sdm-8", "Diagnostic / imaging agent"),
        (
            "Best Available Therapy (BAT)",
            "BIOLOGICAL",
            "background-dmt",
            "Background therapy / standard of care",
        ),
        ("Autologous Hematopoietic Stem Cell Transplantation", "PROCEDURE", "ahsct", "Cell therapy"),
        ("mRNA-1195", "BIOLOGICAL", "mrna-1195", "Antiviral / EBV-directed"),  # an EBV, not a COVID vaccine
        ("untreated to atorvastatin treatment", "DRUG", "atorvastatin", None),
        ("Platform", "DRUG", "background-dmt", None),  # "=Platform": whole-name alias
    ],
)
def test_real_names_map_to_agents(
    name: str, rtype: str | None, agent_id: str | None, mechanism: str | None
) -> None:
    match = agents.classify_intervention(name, rtype)
    assert match.agent_id == agent_id
    if mechanism:
        assert match.agent_id is not None
        classes = agents.agents_table().set_index("agent_id")["mechanism_class"]
        assert classes[match.agent_id] == mechanism


@pytest.mark.parametrize(
    ("name", "rtype", "modality"),
    [
        ("Placebo", "DRUG", "drug"),
        ("Placebo to match Tolebrutinib", "DRUG", "drug"),
        ("Matching placebo of ofatumumab subcutaneous injections", "DRUG", "drug"),
        ("Teriflunomide-matching placebo capsules", "DRUG", "drug"),
        ("0.9% Chloride Injection Sodium", "DRUG", "drug"),
        ("IFA Incomplete Freund's Adjuvant", "BIOLOGICAL", "biological"),
        ("Placebo for IMU-838 Tablets", None, "drug"),
        ("Sham tDCS", "DEVICE", "device"),
        ("Usual Care", "OTHER", "other"),
        ("Waitlist", "OTHER", "other"),
    ],
)
def test_placebo_and_control_forms(name: str, rtype: str | None, modality: str) -> None:
    assert agents.classify_intervention(name, rtype) == agents.InterventionMatch(None, modality, True)


@pytest.mark.parametrize(
    ("name", "rtype", "modality"),
    [
        ("Gait Training plus music", "OTHER", "rehabilitation"),
        ("Balance Training", "BEHAVIORAL", "rehabilitation"),
        ("Aerobic training", "OTHER", "exercise"),
        ("Systematic aerobic training", "COMBINATION_PRODUCT", "exercise"),
        ("Mindfulness", "BEHAVIORAL", "behavioural"),
        ("Blood sampling", "BIOLOGICAL", "diagnostic"),
        ("Usual care + acupuncture", "OTHER", "other"),  # an active arm, not a control
        ("Vitamin D3", "DIETARY_SUPPLEMENT", "diet/supplement"),
        ("UCAR T-cell", "DRUG", "cell therapy"),
        ("Ocrelizumab", "DRUG", "biological"),
    ],
)
def test_modality(name: str, rtype: str | None, modality: str) -> None:
    match = agents.classify_intervention(name, rtype)
    assert match.modality == modality
    assert match.is_placebo is False


@pytest.mark.parametrize(
    ("name", "rtype"),
    [
        ("Balance platform therapy", "DEVICE"),
        ("VolBrain, a fully automated platform to generate the volumetric data", "DIAGNOSTIC_TEST"),
        ("CSF immunoglobulin (Ig) free light chains (FLC) dosage", "DIAGNOSTIC_TEST"),
        ("Gait Training plus music", "OTHER"),
    ],
)
def test_false_friends_get_no_agent(name: str, rtype: str) -> None:
    assert agents.classify_intervention(name, rtype).agent_id is None


def test_alias_matches_whole_tokens_only() -> None:
    assert agents.match_agent("BAF 312") == agents.match_agent("baf-312") == "siponimod"
    assert agents.match_agent("Gait Training plus music") is None  # "ga" (glatiramer) inside a word
    assert agents.match_agent("Pneumovax 23") == "pneumococcal-vaccine"


# --- CTIS product lists (cells copied from ctis_ms_trials_2025-09-24.csv) -------------------------
@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Ublituximab, ublituximab", ["Ublituximab"]),
        (
            "Tolebrutinib, mannitol and microcrystalline cellulose",
            ["Tolebrutinib", "mannitol and microcrystalline cellulose"],
        ),
        (
            "BIODRIBIN, 1 mg/ml, roztwór do infuzji, 0.9% physiological saline (sodium chloride)",
            ["BIODRIBIN, 1 mg/ml, roztwór do infuzji", "0.9% physiological saline (sodium chloride)"],
        ),
        (
            "masitinib, Placebo to 200mg masitinib, Placebo to 100mg masitinib, masitinib",
            ["masitinib", "Placebo to 200mg masitinib", "Placebo to 100mg masitinib"],
        ),
        (
            "Rituximab, -, Ocrevus 300 mg concentrate for solution for infusion",
            ["Rituximab", "Ocrevus 300 mg concentrate for solution for infusion"],
        ),
        ("N/A", []),
    ],
)
def test_split_ctis_products(cell: str, expected: list[str]) -> None:
    assert agents.split_ctis_products(cell) == expected


def test_ctis_multilingual_cell_maps_every_product() -> None:
    cell = (
        "AVONEX 30 micrograms/0.5 ml solution for injection., Tecfidera 240 mg gastro-resistant hard capsules, "
        "Glatiramyl 40 mg/ml, oplossing voor injectie in een voorgevulde spuit, Zeposia 0.92 mg hard capsules, "
        "Glatiramyl 20 mg/ml oplossing voor injectie in een voorgevulde spuit, Mayzent 2 mg film-coated tablets, "
        "The placebo will be manufactured based on the Metformin Hydrochloride 850 mg (Metformin STADA® 850 mg) "
        "specifications to match the characteristics (appearance, size) of the IMP, without containing the "
        "active ingredient (see IMPD)., Ponvory 20 mg film-coated tablets"
    )
    products = agents.split_ctis_products(cell)
    matches = [agents.classify_intervention(p, None) for p in products]
    assert [m.agent_id for m in matches] == [
        "interferon-beta-1a",
        "dimethyl-fumarate",
        "glatiramer-acetate",
        "ozanimod",
        "glatiramer-acetate",
        "siponimod",
        None,
        "ponesimod",
    ]
    assert [m.is_placebo for m in matches].count(True) == 1


# --- Coverage on real ClinicalTrials.gov rows ------------------------------------------------------
def _fixture_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """trials and trial_interventions shaped like the schema, from the fixture's real rows."""
    trials, interventions = [], []
    with FIXTURE.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            strong = " | ".join(row[c] for c in ("Conditions", "BriefTitle", "OfficialTitle", "Keywords"))
            population = classify.ms_population(strong)
            trials.append(
                {
                    "trial_id": row["NCTId"],
                    "study_type": row["StudyType"].capitalize(),
                    "is_progressive": classify.is_progressive(population),
                }
            )
            pairs = zip(row["InterventionNames"].split("|"), row["InterventionTypes"].split("|"), strict=True)
            for name, rtype in pairs:
                m = agents.classify_intervention(name, rtype)
                interventions.append(
                    {
                        "trial_id": row["NCTId"],
                        "modality": m.modality,
                        "is_placebo": m.is_placebo,
                        "agent_id": m.agent_id,
                    }
                )
    return pd.DataFrame(trials), pd.DataFrame(interventions)


def test_coverage_of_progressive_drug_trials() -> None:
    trials, interventions = _fixture_tables()
    progressive = set(trials.loc[trials["is_progressive"], "trial_id"])
    assert "NCT01194570" in progressive  # ORATORIO
    assert "NCT05849467" not in progressive  # PML imaging trial: progressive multifocal leukoencephalopathy
    result = agents.coverage(trials, interventions)
    assert result["progressive_drug_trials"] >= 30
    assert result["share"] >= 0.9
    assert result["drug_interventions_mapped"] <= result["drug_interventions"]


def test_coverage_counts_an_unmapped_intervention() -> None:
    trials, interventions = _fixture_tables()
    before = agents.coverage(trials, interventions)
    oratorio = interventions[interventions["trial_id"] == "NCT01194570"].head(1)
    extra = oratorio.assign(agent_id=None, is_placebo=False, modality="drug")
    after = agents.coverage(trials, pd.concat([interventions, extra], ignore_index=True))
    assert after["fully_mapped"] == before["fully_mapped"] - 1
    assert after["drug_interventions"] == before["drug_interventions"] + 1
    assert after["drug_interventions_mapped"] == before["drug_interventions_mapped"]


# --- Alias scope (issue 11) -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "rtype", "agent_id"),
    [
        ("Interferon", "DRUG", None),  # bare 'interferon': alpha or beta, or a mixed arm
        ("human leukocyte Interferon-α", "DRUG", None),  # from NCT01171209: interferon alfa is not beta
        ("interferon or glatiramer acetate", "DRUG", "background-dmt"),  # NCT04878211's comparator arm
        ("Interferon-beta", "DRUG", "interferon-beta"),
        ("Autologous Hematopoietic Stem Cell Transplantation", "PROCEDURE", "ahsct"),  # BEAT-MS
        ("Autologous bone marrow transplantation", "PROCEDURE", "ahsct"),  # NCT02529839
        ("hematopoetic stem cell infusion", "BIOLOGICAL", "hsct-unspecified"),  # NCT00497952 (allogeneic)
        ("Stem Cell Transplanataion", "PROCEDURE", "hsct-unspecified"),  # NCT00342134 (autologous)
        ("allogeneic HSCT", "PROCEDURE", "allo-hsct"),
    ],
)
def test_alias_scope(name: str, rtype: str, agent_id: str | None) -> None:
    assert agents.classify_intervention(name, rtype).agent_id == agent_id


# --- What an intervention is in its trial (agent_context.csv) -------------------------------------
CONTEXT_TRIALS = {
    "NCT02977533",  # GZ402668 (anti-CD52) + aciclovir, progressive MS
    "NCT02583594",  # alemtuzumab in progressive MS + aciclovir + premedication
    "NCT05283551",  # famciclovir alone, tested against EBV
    "2023-503814-62-00",  # TAF-MS: tenofovir alafenamide with natalizumab (not lymphocyte-depleting)
    "NCT06451159",  # KYV-101 CAR-T + cyclophosphamide/fludarabine lymphodepletion
    "NCT00241254",  # cyclophosphamide versus methylprednisolone in SPMS: both tested
    "NCT00497952",  # 'Allogeneic Stem Cell Transplantation…': 'hematopoetic stem cell infusion'
    "NCT00342134",  # '…Autologous Hematopoietic Stem Cell Transplantation…': 'Stem Cell Transplanataion'
    "NCT00278655",  # HSCT whose registry text says neither
    "NCT06141486",  # frexalimab + gadolinium contrast for the MRI endpoints
    "NCT05357833",  # an imaging study in SPMS: its contrast agents are what is studied
    "2023-503190-38-00",  # MACSiMiSE-BRAIN: metformin add-on to 15 listed background DMTs
    "2024-516628-32-00",  # STOP-I-SEP: DMT withdrawal, the DMTs being stopped listed as products
}


@pytest.fixture(scope="module")
def in_context(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The readers' interventions of CONTEXT_TRIALS and the corrected trials, after in_trial_context."""
    corrected = set(pd.read_csv(paths.reference_dir() / "agent_corrections.csv", dtype=str)["trial_id"])
    raw = rawcut.cut_raw(tmp_path_factory.mktemp("context") / "raw", CONTEXT_TRIALS | corrected)
    tables = rawcut.read_tables(raw)
    return agents.in_trial_context(tables["trials"], tables["trial_interventions"])


def _row(df: pd.DataFrame, trial_id: str, agent_id: str) -> pd.Series:
    return df[(df["trial_id"] == trial_id) & (df["agent_id"] == agent_id)].iloc[0]


@pytest.mark.parametrize(
    ("trial_id", "agent_id", "co_medication"),
    [
        ("NCT02977533", "acyclovir", "herpes prophylaxis with a lymphocyte-depleting therapy"),
        ("NCT02977533", "gz402668", None),
        ("NCT02583594", "acyclovir", "herpes prophylaxis with a lymphocyte-depleting therapy"),
        ("NCT02583594", "methylprednisolone", "premedication before an antibody infusion"),
        ("NCT05283551", "famciclovir", None),
        ("2023-503814-62-00", "tenofovir-alafenamide", None),
        (
            "NCT06451159",
            "cyclophosphamide",
            "conditioning or lymphodepletion before a transplant or cell therapy",
        ),
        ("NCT00241254", "cyclophosphamide", None),
        ("NCT00241254", "methylprednisolone", None),
        ("NCT06141486", "gadolinium-contrast", "imaging agent measuring the tested therapy"),
        ("NCT05357833", "gadoteridol", None),
        ("2023-503190-38-00", "metformin", None),
        ("2023-503190-38-00", "teriflunomide", "background therapy of an add-on trial"),
        ("2024-516628-32-00", "teriflunomide", "background therapy whose withdrawal is studied"),
    ],
)
def test_co_medication_depends_on_the_trial(
    in_context: pd.DataFrame, trial_id: str, agent_id: str, co_medication: str | None
) -> None:
    got = _row(in_context, trial_id, agent_id)["co_medication"]
    assert (None if pd.isna(got) else got) == co_medication


@pytest.mark.parametrize(
    ("trial_id", "agent_id"),
    [("NCT00497952", "allo-hsct"), ("NCT00342134", "ahsct"), ("NCT00278655", "hsct-unspecified")],
)
def test_transplant_type_comes_from_the_trial_title(
    in_context: pd.DataFrame, trial_id: str, agent_id: str
) -> None:
    found = set(in_context.loc[in_context["trial_id"] == trial_id, "agent_id"].dropna())
    assert agent_id in found and not (found - {agent_id}) & {"ahsct", "allo-hsct", "hsct-unspecified"}


def test_every_correction_is_what_the_build_now_gives(in_context: pd.DataFrame) -> None:
    """data/reference/agent_corrections.csv: each real intervention whose agent or role changed."""
    corrections = pd.read_csv(
        paths.reference_dir() / "agent_corrections.csv", dtype=str, keep_default_na=False
    )
    assert len(corrections) >= 100
    rules = set(pd.read_csv(paths.reference_dir() / agents.CONTEXT_FILE, dtype=str)["rule_id"])
    got = in_context.set_index(["trial_id", "intervention_name"])
    for c in text_rows(corrections):
        assert c["rule"] in rules or c["rule"].startswith("alias:"), c["rule"]
        assert urlparse(c["source_url"]).scheme == "https", c
        # the first row of the intervention (a list key gives a frame, however many rows match)
        row = got.loc[[(c["trial_id"], c["intervention_name"])]].iloc[0]
        got_agent, got_role = ("" if pd.isna(row[k]) else row[k] for k in ("agent_id", "co_medication"))
        assert (got_agent, got_role) == (c["agent_after"], c["co_medication"]), c


def test_context_rules_are_valid_and_sourced() -> None:
    rules = agents.context_rules()
    assert {r.kind for r in rules} == set(agents.CONTEXT_KINDS)
    assert all(r.agents for r in rules)
    table = pd.read_csv(paths.reference_dir() / agents.CONTEXT_FILE, dtype=str, keep_default_na=False)
    assert table["source_url"].str.startswith("https://").all() and (table["note"].str.len() > 20).all()
    depleting = next(r for r in rules if r.rule_id == "herpes-prophylaxis-anti-cd52").trial_agents
    assert depleting == {"alemtuzumab", "gz402668"}


def test_agent_selectors() -> None:
    table = agents._load_csv()
    imaging = agents.select_agents("class:Diagnostic / imaging agent", table)
    assert {"pbr28", "fdg", "gadolinium-contrast"} <= imaging
    therapies = agents.select_agents(
        "role:disease-modifying|-class:Background therapy / standard of care", table
    )
    assert "ocrelizumab" in therapies and "background-dmt" not in therapies
    with pytest.raises(ValueError, match="names no agent"):
        agents.select_agents("ocrelizumab|no-such-agent", table)


# --- Approved for progressive MS (approved_progressive.csv) ---------------------------------------
def test_approvals_are_labelled_and_sourced() -> None:
    df = agents.approvals_table()
    assert list(df.columns) == [c.name for c in schema.TABLES["agent_approvals"]]
    assert {("ocrelizumab", "PPMS"), ("siponimod", "SPMS")} <= set(
        zip(df["agent_id"], df["population"], strict=True)
    )
    for url in df["label_url"]:
        assert urlparse(url).netloc in REFERENCE_HOSTS["label"], url


def test_approvals_validation_rejects_bad_rows() -> None:
    raw = pd.read_csv(paths.reference_dir() / agents.APPROVALS_FILE, dtype=str, keep_default_na=False)
    assert agents.validate_approvals(raw, set(agents.agents_table()["agent_id"])) == []
    bad = raw.copy()
    bad.loc[0, ["population", "regulator", "year"]] = ["Relapsing", "MHRA", "17"]
    problems = " ".join(agents.validate_approvals(bad, set(agents.agents_table()["agent_id"])))
    assert "population" in problems and "regulator" in problems and "year" in problems
