"""Classification of MS population, relevance and gap area, on text copied from the real raw files.

Every case below is a real row: the text is copied verbatim from the file named in the comment,
identified by its NCT id, CTIS trial number or NIH Application ID. Expected values follow the
semantics in `msprogress.ingest.classify`'s docstring. The last tests run over the whole real
ClinicalTrials.gov file and check properties that follow from the input text.
"""

from __future__ import annotations

import csv
import re
import shutil
from functools import partial
from pathlib import Path

import pandas as pd
import pytest

from msprogress import paths, schema
from msprogress.ingest import classify

WELLBEING, TRIALS, MECHANISMS, GENERAL = (
    "Well-being: rehabilitation and symptom management",
    "Accelerating clinical trials",
    "Mechanisms of progression",
    "MS research, not progression-specific",
)

# ClinicalTrials.gov (data/raw/ctgov/ctgov_ms_studies_2025-09-25.csv):
# NCT id -> (Conditions, BriefTitle, OfficialTitle, Keywords), verbatim.
CTGOV: dict[str, tuple[str, str, str, str]] = {
    "NCT01194570": (
        "Multiple Sclerosis, Primary Progressive",
        "A Study of Ocrelizumab in Participants With Primary Progressive Multiple Sclerosis",
        "A Phase III, Multicentre, Randomized, Parallel-group, Double-blind, Placebo Controlled Study to Evaluate the Efficacy and Safety of Ocrelizumab in Adults With Primary Progressive Multiple Sclerosis",
        "",
    ),
    "NCT01665144": (
        "Secondary Progressive Multiple Sclerosis",
        "Exploring the Efficacy and Safety of Siponimod in Patients With Secondary Progressive Multiple Sclerosis (EXPAND)",
        "A Multicenter, Randomized, Double-blind, Parallel-group, Placebo-controlled Variable Treatment Duration Study Evaluating the Efficacy and Safety of Siponimod (BAF312) in Patients With Secondary Progressive Multiple Sclerosis Followed by Extended Treatment With Open-label BAF312.",
        "Secondary Progressive Multiple Sclerosis",
    ),
    "NCT01247324": (
        "Relapsing Multiple Sclerosis",
        "A Study of Ocrelizumab in Comparison With Interferon Beta-1a (Rebif) in Participants With Relapsing Multiple Sclerosis",
        "A Randomized, Double-Blind, Double-Dummy, Parallel-Group Study To Evaluate the Efficacy and Safety of Ocrelizumab in Comparison to Interferon Beta-1a (Rebif®) in Patients With Relapsing Multiple Sclerosis",
        "",
    ),
    "NCT01970410": (
        "Multiple Sclerosis",
        "MAIN STUDY: SWITCH SUB-STUDY: SWITCH-JCV",
        "MAIN STUDY: Switching Relapsing Multiple Sclerosis Patients Treated With Natalizumab at Risk for Progressive Multifocal Leukoencephalopathy to Teriflunomide: Is This Safe and Effective? SUB-STUDY: Analysis of JCV Antibody Index in MS Patients Treated With Teriflunomide",
        "teriflunomide|natalizumab|relapsing multiple sclerosis",
    ),
    "NCT05236777": (
        "Multiple Sclerosis",
        "TOPIK Study: A Study to Report Progressive Multifocal Leukoencephalopathy and Other Serious Opportunistic Infections in Natalizumab Treated Participants",
        "Long-term Surveillance of Patients With Multiple Sclerosis to Report Progressive Multifocal Leukoencephalopathy and Other Serious Opportunistic Infections Among Patients Treated With Natalizumab",
        "Progressive Multifocal Leukoencephalopathy (PML)",
    ),
    "NCT04302870": (
        "Motor Neuron Disease, Amyotrophic Lateral Sclerosis",
        "Motor Neurone Disease - Systematic Multi-Arm Adaptive Randomised Trial",
        "Motor Neurone Disease - Systematic Multi-Arm Adaptive Randomised Trial",
        "",
    ),
    "NCT06843239": (
        "Systemic Sclerosis (SSc)|Scleroderma",
        "Tibulizumab Systemic Sclerosis Understanding and Response Evaluation (TibuSURE)",
        "A Phase 2, Multi-Center Study Consisting of a Randomized, Double-Blind, Placebo-Controlled Period, Followed by an Open-Label Extension Period, to Assess the Efficacy, Safety, and Tolerability of Tibulizumab in Adults With Systemic Sclerosis",
        "Scleroderma|Systemic Sclerosis (SSc)|Tibulizumab|Cutaneous|Interstitial lung disease (ILD)|Autoimmune diseases|Immune system diseases|Systemic Sclerosis interstitial lung disease (SSC-ILD)|Skin Diseases",
    ),
    "NCT05098145": (
        "Diffuse Cutaneous Systemic Sclerosis",
        "A Safety and Efficacy Study of FCR001 in Adults With Rapidly Progressive Diffuse Cutaneous Systemic Sclerosis",
        "A Single-arm, Multi-center, Open-label Proof of Concept Safety and Efficacy Study of FCR001 Cell-based Therapy in Adults With Rapidly Progressive Diffuse Cutaneous Systemic Sclerosis at Risk for Organ Failure",
        "Stem cell therapy|Scleroderma|Severe scleroderma|Allogeneic|Transplant",
    ),
    "NCT02544763": (
        "Tuberous Sclerosis Complex|Seizures",
        "A Randomized Controlled Trial of Cannabidiol (GWP42003-P, CBD) for Seizures in Tuberous Sclerosis Complex (GWPCARE6)",
        "A Double-blind, Randomized, Placebo-controlled Study to Investigate the Efficacy and Safety of Cannabidiol (GWP42003-P, CBD) as Add-on Therapy in Patients With Tuberous Sclerosis Complex Who Experience Inadequately-controlled Seizures",
        "",
    ),
    "NCT01142492": (
        "Relapsing-Remitting Multiple Sclerosis",
        "A Postmarketing Surveillance (PMS) Study to Evaluate the Extent to Which Patient Compliance is Influenced by Use of a Variable Titration Regimen at the Start of Treatment of Relapsing Multiple Sclerosis (MS) With Interferon Beta 1a (Rebif®)",
        "Postmarketing Surveillance Study on the Extent to Which Patient Compliance is Influenced by Use of a Variable Titration Regimen at the Start of Treatment of Relapsing Multiple Sclerosis With Interferon Beta 1a (Rebif®)",
        "Interferon beta|Multiple Sclerosis",
    ),
    "NCT01450488": (
        "Multiple Sclerosis",
        "Masitinib in Primary Progressive Multiple Sclerosis or Relapse-free Secondary Progressive Multiple Sclerosis",
        "A Phase 2a, Randomized, Double-blind, Placebo-controlled Study to Evaluate the Activity of Oral AB1010 Administered at 2 Dose Levels to Patients With Primary Progressive or Relapse-free Secondary Progressive Multiple Sclerosis",
        "primary progressive multiple sclerosis|relapse-free secondary progressive multiple sclerosis",
    ),
    "NCT03523858": (
        "Progressive Multiple Sclerosis (PMS)",
        "A Study to Evaluate Ocrelizumab Treatment in Participants With Progressive Multiple Sclerosis",
        "An Open-Label, Single-Arm 4-Year Study to Evaluate Effectiveness and Safety of Ocrelizumab Treatment in Patients With Progressive Multiple Sclerosis",
        "",
    ),
    "NCT02545959": (
        "Multiple Sclerosis, Chronic Progressive|Nervous System Diseases",
        "Intrathecal Rituximab in Progressive Multiple Sclerosis",
        "Intrathecal Rituximab in Progressive Multiple Sclerosis",
        "Intrathecal Rituximab|intrathecal chemotherapy|cerebrospinal fluid|lumbar puncture|Physiological Effects of Drugs|Rituximab",
    ),
    "NCT04019912": (
        "Interventional Study",
        "The Novel Use of Treadmill Plus Music in MS Patients Gate Rehabilitation",
        "A Randomized Trial on the Novel Use of Treadmill Plus Music in Multiple Sclerosis Patients With Gate Impairnent",
        "Gait rehabilitation|Rhythmic auditory stimulation|GaitTrainer3|Multiple sclerosis",
    ),
    "NCT04975685": (
        "Multiple Sclerosis",
        "Strengthening Mental Abilities With Relational Training (SMART) in Multiple Sclerosis (MS): A Feasibility Trial",
        "Strengthening Mental Abilities With Relational Training (SMART) in Multiple Sclerosis (MS): A Feasibility Trial",
        "",
    ),
    "NCT06282081": (
        "Multiple Sclerosis|Relapsing Remitting Multiple Sclerosis",
        "Serum Neurofilament Light in Multiple Sclerosis",
        "Serum Neurofilament Light As a Clinical Tool in Relapsing Remitting Multiple Sclerosis",
        "",
    ),
    "NCT03134716": (
        "Multiple Sclerosis",
        "Role of Microglia in the Pathogenesis of Progressive Multiple Sclerosis",
        "Role of Microglia in the Pathogenesis of Progressive Multiple Sclerosis",
        "",
    ),
}
# CTIS (data/raw/ctis/ctis_ms_trials_2025-09-24.csv): trial number -> (Medical conditions, Title of the trial).
CTIS: dict[str, tuple[str, str]] = {
    "2023-508457-10-00": (
        "Primary Progressive Multiple Sclerosis",
        "Randomized, Single-blind, Placebo-controlled Clinical Trial to Evaluate the\nSafety and Efficacy of Melatonin Administration in Patients With Multiple\nProgressive Primary Sclerosis (MELATOMS)",
    ),
    "2024-512319-40-00": (
        "Subjects with relapsing multiple sclerosis (relapsing remitting MS and active secondary progressive MS)",
        "An efficacy and safety study with integrated PK and PD assessment to compare the proposed ocrelizumab biosimilar CYB704 and Ocrevus in participants with relapsing multiple sclerosis",
    ),
    "2024-518859-27-00": (
        "Relapsing Multiple Sclerosis (relapsing-remitting, relapsing-progressive)",
        "Effect of ozanimod on meningeal inflammation and glial activation in Multiple Sclerosis: one year phase 4 experimental study\nPROTOCOL CODE: OZA22 / IM047 - 048",
    ),
    "2023-504359-29-01": (
        "Multiple sclerosis",
        "A randomized, double-blind, Phase 3 study comparing efficacy and safety of frexalimab (SAR441344) to placebo in adult participants with nonrelapsing secondary progressive multiple sclerosis",
    ),
    "2024-514617-35-00": (
        "Progressive forms of Multiple Sclerosis",
        "P2-IMU-838-PMS - Multicenter, Randomized, Double-blind, Placebo-controlled Study to Evaluate Efficacy, Safety, and Tolerability of IMU-838 in Patients with Progressive Multiple Sclerosis (Calliper)",
    ),
    "2023-510488-36-01": (
        "Chronic obstructive pulmonary disease (COPD), amyotrophic lateral sclerosis (ALS), multiple sclerosis (MS), and atypical Parkinson disorder (APD), particularly multiple system atrophy (MSA), progressive supranuclear palsy (PSP), and corticobasal syndrome (CBS).",
        "PsyPal; Psilocybin Therapy for Psychological Distress in Palliative Patients",
    ),
    "2023-509078-45-00": (
        "Multiple sclerosis",
        "A Phase 2 double blind, randomized, placebo controlled study evaluating the effect of SAR443820 on serum neurofilament levels in participants with multiple sclerosis, followed by an open-label long-term extension period",
    ),
}
# NIH RePORTER / ExPORTER: Application ID -> (file under data/raw, title, terms, public health relevance).
# ExPORTER terms are long machine-made lists; they are left out ("") where the case does not need them.
NIH: dict[str, tuple[str, str, str, str]] = {
    "3414302": (
        "nih_reporter/reporter_ninds_fy1993.csv",
        "RISK FACTORS FOR AMYOTROPHIC LATERAL SCLEROSIS",
        "amyotrophic lateral sclerosis;body physical activity;case history;death certificates;degenerative motor system disease;disease /disorder proneness /risk;exercise;female;human age group;human ecology;human subject;interview;longitudinal human study;male;nervous system disorder epidemiology;neurotoxins;nutrition related tag;occupational hazard;pathogenic diet;prognosis;statistics /biometry;",
        "",
    ),
    "9264411": (
        "nih_exporter/exporter_prj_c_fy2017_weekly_rows_fy2017.csv",
        "Mechanisms of Neurodegeneration in ALS",
        "",
        "",
    ),
    "9352952": (
        "nih_exporter/exporter_prj_c_fy2017_weekly_rows_fy2016.csv",
        "Sirtuins: novel determinants and therapeutic target in systemic sclerosis",
        "",
        "",
    ),
    "3760864": (
        "nih_reporter/reporter_ninds_fy1994.csv",
        "MOLECULAR STUDIES IN TUBEROUS SCLEROSIS",
        "artificial chromosomes;autosomal dominant trait;family genetics;gene mutation;genetic library;genetic markers;genetic polymorphism;human subject;linkage mapping;molecular cloning;molecular pathology;nucleic acid repetitive sequence;pulsed field gel electrophoresis;sequence tagged sites;tuberous sclerosis;",
        "",
    ),
    "9197935": (
        "nih_exporter/exporter_prj_c_fy2017_weekly_rows_fy2017.csv",
        "Testing a therapeutic strategy for hippocampal sclerosis of aging, a key AD mimic",
        "",
        "",
    ),
    "3414326": (
        "nih_reporter/reporter_ninds_fy1993.csv",
        "BRAIN GLUTAMATE METABOLISM--GC-MS STUDIES",
        "alanine;amination;aminoacid biosynthesis;aminoacid metabolism;ammonia;aspartate;brain metabolism;calcium;gamma aminobutyrate;gas chromatography;glutamate decarboxylase;glutamate dehydrogenase;glutamates;glutaminase;glutamine;glutarates;hypoglycemia;hypoxia;laboratory rat;leucine;mass spectrometry;nitrogen metabolism;purine /pyrimidine metabolism;synaptosomes;transaminases;transamination;valine;",
        "",
    ),
    "2266639": (
        "nih_reporter/reporter_ninds_fy1994.csv",
        "BRAIN GLUTAMATE METABOLISM--GC/MS STUDIES",
        "alanine;amination;aminoacid biosynthesis;aminoacid metabolism;ammonia;aspartate;brain metabolism;calcium;gamma aminobutyrate;gas chromatography;glutamate decarboxylase;glutamate dehydrogenase;glutamates;glutaminase;glutamine;glutarates;hypoglycemia;hypoxia;laboratory rat;leucine;mass spectrometry;nitrogen metabolism;purine /pyrimidine metabolism;synaptosomes;transaminases;transamination;valine;",
        "",
    ),
    "6072198": (
        "nih_reporter/reporter_ninds_fy2000.csv",
        "NEURODEGENERATIVE DISORDER ANALYSIS USING IR-MALDI-MS",
        "diagnosis design /evaluation;electrospray ionization mass spectrometry;genotype;high throughput technology;infrared spectrometry;matrix assisted laser desorption ionization;nervous system disorder;nervous system disorder diagnosis;neural degeneration;neurogenetics;nucleic acid purification;nucleic acid sequence;polymerase chain reaction;technology /technique development;",
        "",
    ),
    "2269079": (
        "nih_reporter/reporter_ninds_fy1994.csv",
        "MECHANISMS OF EAE PATHOGENESIS",
        "anergy;antibody;antigen presentation;antigen presenting cell;antisense nucleic acid;cellular immunity;clone cells;cytokine;experimental allergic encephalomyelitis;glia;laboratory mouse;myelin;pathologic process;spleen;T lymphocyte;transfection;",
        "",
    ),
    "6393665": (
        "nih_reporter/reporter_ninds_fy2001.csv",
        "T CELL RECEPTORS INVOLVED IN TMEV INDUCED DEMYELINATION",
        "active immunization;autoantibody;autoantigens;autoimmune disorder;chronic disease /disorder;cytokine;disease /disorder etiology;disease /disorder model;enzyme linked immunosorbent assay;epitope mapping;genetically modified animals;hybridomas;inflammation;injection /infusion;laboratory mouse;major histocompatibility complex;murine encephalomyelitis virus;myelin proteolipid;neuropathology;neuroprotectants;SDS polyacrylamide gel electrophoresis;T cell receptor;tissue /cell culture;viral myelinopathy;",
        "",
    ),
    "9312139": (
        "nih_exporter/exporter_prj_c_fy2018_weekly_rows_fy2018.csv",
        "Impact of Sleep Apnea in Elderly Veterans with Comorbid COPD",
        "",
        "PUBLIC HEALTH RELEVANCE     Cognitive dysfunction in the aging Veteran population is a growing health concern in the Veterans Health System. While neurodegenerative disorders, like Alzheimer's disease, Parkinson's disease and Multiple Sclerosis have received considerable attention as potential etiologies for dementia, obstructive sleep apnea (OSA), that also produces significant neurocognitive sequelae remains unrecognized as a cause. This is surprising given that the prevalence of sleep apnea in elderly Veterans has been estimated to be up to 40%. Moreover, chronic lung disease, particularly COPD, is now also thought to contribute to cognitive decline possibly through hypoxic injury to the brain. However, it is not known whether OSA coexisting with COPD will enhance the risk for cognitive dysfunction. Thus, we sought to investigate whether these two highly prevalent diseases, that often co-exist as the 'Overlap Syndrome', combine to enhance cognitive impairment in the elderly Veteran population. Additionally, treatment of OSA with positive airway pressure (PAP) has been shown to improve neurocognitive function in moderate-to-severe OSA while cognitive decline in COPD may be reversible through treatment with long-term oxygen therapy. Thus, it is conceivable that developing treatment strategies that target the pathophysiological underpinnings of the Overlap Syndrome, aimed at repairing hypoxia and arousal-induced 'brain injury', will allow recovery of neurocognitive function. Specific Aim 1 will investigate whether elderly Veterans with the Overlap Syndrome have increased neurocognitive deficits compared with OSA or COPD alone. Specific Aim 2 will further study the Overlap Syndrome group to determine whether treatment with CPAP and supplemental oxygen vs. CPAP alone will improve neurocognitive function and reduce sleepiness in conjunction with improved quality of life. Thus, using a novel dual-pronged strategy we hope to eventually delay the onset of dementia in a high-risk Veteran population. This pilot project will allow us to determine feasibility and sample size for a future larger long-term trial. Ultimately, our goal is to enhance rehabilitation and recovery from injury caused by two chronic conditions and thus, improve the overall health and quality of life of elderly Veterans.",
    ),
    "9248172": (
        "nih_exporter/exporter_prj_c_fy2017_weekly_rows_fy2017.csv",
        "Mechanisms of GM-CSF effect in CNS autoimmune demyelination",
        "",
        "GM-CSF, a proinflammatory mediator, is considered essential for the development of experimental autoimmune encephalomyelitis, an animal model of human multiple sclerosis. This project aims to study its pathogenesis in depth and to develop an effective and specific way to block this molecule, thus making it a novel therapy for human autoimmune disease.",
    ),
    "9272452": (
        "nih_exporter/exporter_prj_c_fy2017_weekly_rows_fy2017.csv",
        "MicroRNAs as critical regulators of remyelination in Multiple Sclerosis",
        "",
        "Project Narrative Multiple Sclerosis (MS) is an inflammatory demyelinating and neurodegenerative disease of the central nervous system. While current anti-inflammatory therapies are effective during the initial relapsing phase of the disease, limited success is achieved during the progressive disease course. Promoting remyelination is considered to be the best option for the treatment of progressive MS. This project is designed to further enhance our understanding of the factors that influence remyelination in MS. Our data have identified several critical regulators that could account for failed myelin repair in MS brains. The current study will further investigate these regulators and could lead to the development of novel therapeutic approaches to repair the damage caused by demyelination and to improve the lives of patients with MS.",
    ),
    "2431262": (
        "nih_reporter/reporter_ninds_fy1997.csv",
        "GLIAL CELL TRANSPLANTATION AND CNS REMYELINATION",
        "cell transplantation;central nervous system;cerebral ventricles;embryo /fetus tissue transplantation;experimental allergic encephalomyelitis;gliosis;inflammation;laboratory rat;myelination;nervous system transplantation;nonhuman therapy evaluation;oligodendroglia;tissue /cell culture;",
        "",
    ),
    "6197965": (
        "nih_reporter/reporter_ninds_fy2000.csv",
        "ANNUAL MRI; MTR AND HMRSI IN HEALTHY CONTROLS AND PPMS",
        "bioimaging /biomedical imaging;brain imaging /visualization /scanning;clinical research;diagnostic tests;human subject;human therapy evaluation;magnetic resonance imaging;mitoxantrone;multiple sclerosis;pathologic process;",
        "",
    ),
    "9198012": (
        "nih_exporter/exporter_prj_c_fy2017_weekly_rows_fy2017.csv",
        "Humoral Immunity, Astrocyte Injury, and Demyelination in Neuromyelitis Optica",
        "",
        "",
    ),
}


def ctgov_strong(nct: str) -> str:
    return " | ".join(CTGOV[nct])


def ctis_strong(trial: str) -> str:
    return " | ".join(CTIS[trial])


def nih_strong(app_id: str) -> str:
    _, title, terms, _ = NIH[app_id]
    return " | ".join(part for part in (title, terms) if part)


def nih_weak(app_id: str) -> str:
    return NIH[app_id][3]


# --- population ----------------------------------------------------------------------------

CTGOV_POPULATION = [
    ("NCT01194570", "PPMS"),  # ORATORIO, ocrelizumab in PPMS
    ("NCT01665144", "SPMS"),  # EXPAND, siponimod in SPMS
    ("NCT01247324", "Relapsing"),  # OPERA I, ocrelizumab vs interferon in relapsing MS
    ("NCT01970410", "Relapsing"),  # relapsing MS patients at risk of PML: PML is not progressive MS
    ("NCT05236777", "Other MS"),  # TOPIK: PML surveillance in natalizumab-treated MS
    ("NCT04302870", "Not MS"),  # MND-SMART: ALS / motor neurone disease
    ("NCT06843239", "Not MS"),  # systemic sclerosis
    ("NCT05098145", "Not MS"),  # *rapidly progressive* diffuse cutaneous systemic sclerosis
    ("NCT02544763", "Not MS"),  # tuberous sclerosis complex
    ("NCT01142492", "Relapsing"),  # "Postmarketing Surveillance (PMS)": PMS is not progressive MS here
    ("NCT01450488", "Mixed progressive"),  # masitinib in PPMS or relapse-free SPMS
    ("NCT03523858", "Progressive, unspecified"),  # "Progressive Multiple Sclerosis (PMS)"
    ("NCT02545959", "Progressive, unspecified"),  # MeSH "Multiple Sclerosis, Chronic Progressive"
    ("NCT04019912", "Other MS"),  # gait rehabilitation, no course named
]


@pytest.mark.parametrize(("nct", "expected"), CTGOV_POPULATION)
def test_ctgov_population(nct: str, expected: str) -> None:
    population = classify.ms_population(ctgov_strong(nct))
    assert population == expected
    relevance = classify.ms_relevance(ctgov_strong(nct))
    assert classify.is_progressive(population) == (relevance == "Progressive-specific")


CTIS_POPULATION = [
    ("2023-508457-10-00", "PPMS"),  # title says "Multiple\nProgressive Primary Sclerosis"
    # relapsing MS whose definition names active SPMS / relapsing-progressive: the labels' RMS
    (
        "2024-512319-40-00",
        "Relapsing",
    ),  # "relapsing MS (relapsing remitting MS and active secondary progressive MS)"
    (
        "2024-518859-27-00",
        "Relapsing",
    ),  # "Relapsing Multiple Sclerosis (relapsing-remitting, relapsing-progressive)"
    ("2023-504359-29-01", "SPMS"),  # "nonrelapsing secondary progressive"
    ("2024-514617-35-00", "Progressive, unspecified"),  # "Progressive forms", "P2-IMU-838-PMS"
    ("2023-510488-36-01", "Other MS"),  # palliative care in COPD, ALS, MS, PSP …: PSP is not progressive MS
]


@pytest.mark.parametrize(("trial", "expected"), CTIS_POPULATION)
def test_ctis_population(trial: str, expected: str) -> None:
    assert classify.ms_population(ctis_strong(trial)) == expected


def test_word_order_slip_in_title_alone_is_ppms() -> None:
    title = CTIS["2023-508457-10-00"][1]
    assert "Primary Progressive" not in title
    assert classify.ms_population(title) == "PPMS"


@pytest.mark.parametrize("nct", ["NCT01970410", "NCT05236777"])
def test_pml_is_not_progressive_ms(nct: str) -> None:
    text = ctgov_strong(nct)
    assert "Progressive Multifocal Leukoencephalopathy" in text
    assert not classify.is_progressive(classify.ms_population(text))
    assert "PML" in classify.matched_labels(text)["not_ms"]


# --- trial population by evidence rank (real ClinicalTrials.gov rows) ---------------------------

# Relapsing trials whose keywords (or listed conditions) name SPMS or "chronic progressive":
# issue 11's examples (NCT00079495, NCT01435993, ASCLEPIOS) and more of the class.
RELAPSING_BY_TITLE = [
    ("NCT00079495", "keywords"),  # NBI-5788: keywords "progressive", "chronic progressive"
    ("NCT01435993", "keywords"),  # anti-NOGO A: keyword "Secondary-Progressive with relapses"
    ("NCT02792218", "keywords"),  # ASCLEPIOS I: keywords "RRMS|SPMS"
    ("NCT05156281", None),  # REMODEL-1 (remibrutinib): keywords "RMS|RRMS|active SPMS" say relapsing too
    ("NCT00134563", "keywords"),  # TEMSO (teriflunomide): "Secondary Progressive" keyword
    ("NCT04047628", "conditions"),  # BEAT-MS: conditions list SPMS; title "Relapsing Multiple Sclerosis"
    ("NCT00813969", "conditions"),  # MSC: conditions RRMS|SPMS|PRMS; title "Relapsing Forms"
]


@pytest.mark.parametrize(("nct", "outranked"), RELAPSING_BY_TITLE)
def test_relapsing_title_outranks_progressive_keywords_and_conditions(
    ctgov_raw: pd.DataFrame, nct: str, outranked: str | None
) -> None:
    call = classify.trial_population(trial_text(ctgov_raw.loc[nct]))
    assert (call.population, call.decided_by) == ("Relapsing", "titles")
    assert (f"outranks {outranked}" if outranked else "titles:") in call.why
    assert ("outranks" in call.why) == bool(outranked)
    joined = " | ".join(
        ctgov_raw.loc[[nct], ["Conditions", "BriefTitle", "OfficialTitle", "Keywords"]].iloc[0]
    )
    assert classify.ms_relevance(joined) == "Progressive-specific", "the trap: a progressive term is there"


def test_ms_population_and_classify_trial_take_ranked_texts(ctgov_raw: pd.DataFrame) -> None:
    from msprogress.ingest import trial_common as tc

    text = trial_text(ctgov_raw.loc["NCT02792218"])  # ASCLEPIOS I
    assert classify.ms_population(text) == "Relapsing"
    arms = tc.InterventionSummary(frozenset({"biological"}), disease_modifying=True)
    got = tc.classify_trial(text, arms, "Interventional")
    assert (got["population"], got["is_progressive"]) == ("Relapsing", False)
    assert tc.classify_trial(text.conditions, arms, "Interventional")["population"] == "Relapsing"


def test_relapsing_titles_without_a_progressive_word_are_never_progressive(
    ctgov_classified: pd.DataFrame,
) -> None:
    """The class, over the whole file: a title naming relapsing MS and no progressive form decides."""
    titles = ctgov_classified["BriefTitle"] + " | " + ctgov_classified["OfficialTitle"]
    relapsing = titles.str.contains(
        r"(?i)\brelapsing(?:[- ]remitting| forms of)? (?:multiple sclerosis|MS)\b"
    )
    progressive_word = titles.str.contains(r"(?i)progress|\b[PS]P-?MS\b|\bPR-?MS\b|\bPMS\b")
    chosen = relapsing & ~progressive_word
    assert chosen.sum() > 100
    progressive_elsewhere = ctgov_classified["relevance"] == "Progressive-specific"
    assert (chosen & progressive_elsewhere).sum() >= 15, "the trap: SPMS named in conditions or keywords"
    assert not ctgov_classified.loc[chosen, "population"].map(classify.is_progressive).any()


def test_active_spms_as_part_of_relapsing_ms_is_relapsing(ctgov_raw: pd.DataFrame) -> None:
    # NCT04940065 (ofatumumab surveillance): "(Relapsing-remitting Multiple Sclerosis and Active
    # Secondary Progressive Multiple Sclerosis)": the relapsing-MS label population.
    kesimpta = classify.trial_population(trial_text(ctgov_raw.loc["NCT04940065"]))
    assert kesimpta.population == "Relapsing" and "active or relapsing SPMS" in kesimpta.why
    assert classify.ms_population(CTIS["2024-512319-40-00"][0]) == "Relapsing"
    # Active SPMS on its own (siponimod, NCT04895202) and non-relapsing SPMS stay SPMS.
    assert classify.trial_population(trial_text(ctgov_raw.loc["NCT04895202"])).population == "SPMS"
    assert classify.ms_population("Non-relapsing Secondary Progressive Multiple Sclerosis") == "SPMS"
    assert classify.ms_population("Relapsing-Remitting MS | Secondary Progressive MS") == "SPMS"


@pytest.mark.parametrize(
    ("nct", "expected"),
    [
        ("NCT05029830", "Other MS"),  # "Multiple Sclerosis Acute and Progressive": a catch-all name
        ("NCT06065670", "Other MS"),  # clemastine in acute lesions, same catch-all condition
        ("NCT04260711", "SPMS"),  # DOT-MS: "Relapsing - Onset MS" names no course; conditions RRMS|SPMS
        ("NCT06468241", "Other MS"),  # "Progressive Relaxation Exercise"
        ("NCT00381576", "Other MS"),  # "Heavy Progressive Resistance Training"
        ("NCT05491031", "Other MS"),  # "Predictive of Disability Progression": an outcome
        ("NCT02137707", "Relapsing"),  # "Disease Progression in RRMS Patients"
    ],
)
def test_progressive_words_that_name_no_population(ctgov_raw: pd.DataFrame, nct: str, expected: str) -> None:
    assert classify.trial_population(trial_text(ctgov_raw.loc[nct])).population == expected


def test_conversion_to_spms_is_an_outcome_not_a_population() -> None:
    # NCT04239664 official title; the trial's conditions say SPMS, the title alone names no course.
    title = "Acceptance Based Telephone Support Around the Time of Transition to Secondary Progressive Multiple Sclerosis"
    assert classify.course(title) is None
    assert classify.ms_relevance(title) == "Progressive-specific", "grants about conversion stay progressive"


@pytest.mark.parametrize(
    ("nct", "expected"),
    [
        ("NCT06900192", "PPMS"),  # title "for Primary Progressive MS"; conditions also list SPMS
        ("NCT01950234", "Mixed progressive"),  # title "Progressive Forms"; conditions name SPMS and PPMS
        ("NCT00799890", "Mixed progressive"),  # "Primary or Secondary Chronic-progressive Multiple Sclerosis"
    ],
)
def test_lower_ranked_text_only_says_which_progressive_forms(
    ctgov_raw: pd.DataFrame, nct: str, expected: str
) -> None:
    assert classify.trial_population(trial_text(ctgov_raw.loc[nct])).population == expected


def test_progressive_course_after_a_relapsing_onset_is_spms() -> None:
    conditions, title = (
        "Active progressive multiple sclerosis course after an initial relapse clinical course",
        "Effect of siponimod on relevant imaging and immunological hallmarks of progressive multiple sclerosis",
    )  # CTIS 2024-518374-13-00
    call = classify.trial_population(classify.TrialText(titles=title, conditions=conditions))
    assert (call.population, call.decided_by) == ("SPMS", "titles")


# --- relevance (NIH) -----------------------------------------------------------------------

NIH_RELEVANCE = [
    ("3414302", "Not MS"),  # ALS risk factors (RePORTER FY1993)
    ("9264411", "Not MS"),  # neurodegeneration in ALS (ExPORTER)
    ("9352952", "Not MS"),  # systemic sclerosis
    ("3760864", "Not MS"),  # tuberous sclerosis
    ("9197935", "Not MS"),  # hippocampal sclerosis of aging
    ("9198012", "Not MS"),  # neuromyelitis optica: a separate disease
    ("2269079", "MS, not progression-specific"),  # EAE, the animal model of MS
    ("6393665", "MS, not progression-specific"),  # Theiler's virus-induced demyelination
    ("9248172", "MS, not progression-specific"),  # MS named only in the public health text, twice
    ("9272452", "Progressive-specific"),  # remyelination in MS; "progressive MS" in the public health text
    ("6197965", "Progressive-specific"),  # MRI in PPMS
]


@pytest.mark.parametrize(("app_id", "expected"), NIH_RELEVANCE)
def test_nih_relevance(app_id: str, expected: str) -> None:
    assert classify.ms_relevance(nih_strong(app_id), nih_weak(app_id)) == expected


@pytest.mark.parametrize("app_id", ["3414326", "2266639", "6072198"])
def test_mass_spectrometry_ms_is_not_multiple_sclerosis(app_id: str) -> None:
    title = NIH[app_id][1]
    assert re.search(r"\bMS\b", title), "the trap: a bare 'MS' token in the title"
    assert classify.ms_relevance(nih_strong(app_id)) == "Not MS"
    assert classify.ms_population(title) == "Not MS"


def test_passing_mention_in_abstract_is_not_ms_research() -> None:
    title, phr = NIH["9312139"][1], NIH["9312139"][3]
    assert len(re.findall(r"(?i)multiple sclerosis", phr)) == 1
    assert classify.ms_relevance(title, phr) == "Not MS"
    assert classify.ms_relevance(title, phr + " " + phr) == "MS, not progression-specific"


def test_definition_with_abbreviation_counts_as_one_mention() -> None:
    phr = NIH["9272452"][3]
    first = re.search(r"(?i)multiple sclerosis \(MS\)", phr)
    assert first, "the public health text defines the abbreviation"
    assert classify.ms_relevance("", first.group(0)) == "Not MS"


# --- gap area ------------------------------------------------------------------------------


def ctgov_gap(nct: str, modalities: set[str], study_type: str) -> str | None:
    text = ctgov_strong(nct)
    relevance = classify.ms_relevance(text)
    return classify.gap_area(
        text, relevance=relevance, modalities=frozenset(modalities), study_type=study_type
    )


CTGOV_GAP = [
    ("NCT01194570", {"drug"}, "INTERVENTIONAL", TRIALS),  # ORATORIO: a progressive-MS drug trial
    ("NCT01665144", {"drug"}, "INTERVENTIONAL", TRIALS),  # EXPAND
    ("NCT03134716", set(), "OBSERVATIONAL", MECHANISMS),  # microglia in progressive MS
    ("NCT01247324", {"drug"}, "INTERVENTIONAL", GENERAL),  # OPERA I: relapsing MS
    ("NCT04019912", {"rehabilitation"}, "INTERVENTIONAL", WELLBEING),  # gait rehabilitation
    ("NCT04019912", set(), "INTERVENTIONAL", WELLBEING),  # … also by its topic alone
    ("NCT04975685", {"behavioural"}, "INTERVENTIONAL", WELLBEING),  # cognitive training: by modality only
    ("NCT04975685", {"behavioural", "drug"}, "INTERVENTIONAL", GENERAL),  # a drug arm: not by modality
    ("NCT06282081", set(), "OBSERVATIONAL", TRIALS),  # serum neurofilament light in RRMS
    ("NCT04302870", {"drug"}, "INTERVENTIONAL", None),  # ALS: not MS, no gap area
]


@pytest.mark.parametrize(("nct", "modalities", "study_type", "expected"), CTGOV_GAP)
def test_ctgov_gap_area(nct: str, modalities: set[str], study_type: str, expected: str | None) -> None:
    assert ctgov_gap(nct, modalities, study_type) == expected


def test_nfl_trial_in_ctis_is_accelerating_trials() -> None:
    text = ctis_strong("2023-509078-45-00")
    relevance = classify.ms_relevance(text)
    assert relevance == "MS, not progression-specific"
    gap = classify.gap_area(
        text, relevance=relevance, modalities=frozenset({"drug"}), study_type="Interventional"
    )
    assert gap == TRIALS


@pytest.mark.parametrize("app_id", ["9272452", "2431262"])
def test_remyelination_grants_are_mechanisms(app_id: str) -> None:
    strong, weak = nih_strong(app_id), nih_weak(app_id)
    relevance = classify.ms_relevance(strong, weak)
    assert relevance != "Not MS"
    assert classify.gap_area(strong, weak, relevance=relevance) == MECHANISMS


def test_ppms_mri_grant_is_accelerating_trials() -> None:
    strong = nih_strong("6197965")
    assert classify.gap_area(strong, relevance=classify.ms_relevance(strong)) == TRIALS


def test_precedence_table_ends_each_relevance_with_a_fallback() -> None:
    for relevance, fallback in [
        ("Progressive-specific", MECHANISMS),
        ("MS, not progression-specific", GENERAL),
    ]:
        steps = [s for s in classify.GAP_PRECEDENCE if relevance in s.relevances]
        assert steps[0].gap_area == WELLBEING
        step = classify.gap_step("multiple sclerosis", relevance=relevance)
        assert step is steps[-1] and step.gap_area == fallback
    assert {s.gap_area for s in classify.GAP_PRECEDENCE} == set(schema.GAP_AREAS)
    assert classify.gap_step("multiple sclerosis", relevance="Not MS") is None
    with pytest.raises(ValueError, match="unknown relevance"):
        classify.gap_step("multiple sclerosis", relevance="MS")


# --- the rules file ------------------------------------------------------------------------

RULES = paths.ROOT / "data" / "reference" / classify.RULES_FILE


def test_shipped_rules_load_with_every_rule_set() -> None:
    loaded = classify.load_rules(RULES)
    assert set(loaded) == set(classify.RULE_SETS)
    assert all(loaded[name] for name in classify.RULE_SETS)
    assert classify.rules() is classify.rules(), "loaded once"


def _rows() -> list[dict[str, str]]:
    with RULES.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = classify.COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("rule_set", "gap_wellness", "unknown rule set"),
        ("pattern", r"multiple\s+(sclerosis", "bad regular expression"),
        ("pattern", r"(?:MS)?", "matches empty text"),
        ("case_sensitive", "maybe", "expected true or false"),
        ("label", "", "empty label"),
    ],
)
def test_bad_rule_is_reported_with_file_row_and_column(
    tmp_path: Path, column: str, value: str, message: str
) -> None:
    rows = _rows()
    rows[3] = {**rows[3], column: value}
    path = _write(tmp_path / "rules.csv", rows)
    with pytest.raises(classify.RulesError) as err:
        classify.load_rules(path)
    assert (err.value.row, err.value.column) == (5, column)  # header is row 1, rows[3] is row 5
    assert str(path) in str(err.value) and message in str(err.value)


def test_missing_column_and_missing_rule_set_are_reported(tmp_path: Path) -> None:
    rows = _rows()
    with pytest.raises(classify.RulesError, match="missing column"):
        classify.load_rules(_write(tmp_path / "a.csv", rows, classify.COLUMNS[:-1]))
    kept = [r for r in rows if r["rule_set"] != "gap_mechanisms"]
    with pytest.raises(classify.RulesError, match="gap_mechanisms"):
        classify.load_rules(_write(tmp_path / "b.csv", kept))


def test_classification_follows_the_rules_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    title = NIH["9198012"][1]
    assert classify.ms_relevance(title) == "Not MS"
    shutil.copy(RULES, tmp_path / classify.RULES_FILE)
    with (tmp_path / classify.RULES_FILE).open("a", encoding="utf-8") as f:
        f.write("ms,NMO (test only),neuromyelitis\\s+optica,false,\n")
    monkeypatch.setenv("MSPROGRESS_REFERENCE", str(tmp_path))
    assert classify.ms_relevance(title) == "MS, not progression-specific"


# --- the whole real ClinicalTrials.gov file ------------------------------------------------


def trial_text(row: pd.Series | pd.DataFrame) -> classify.TrialText:
    """A ClinicalTrials.gov row's texts as the reader ranks them (see ctgov.add_trial); `row` is
    `ctgov_raw.loc[nct]`, one row, as the file holds each NCT id once."""
    assert isinstance(row, pd.Series), "an NCT id twice in the file"
    return classify.TrialText(
        titles=f"{row['BriefTitle']} | {row['OfficialTitle']}",
        conditions=row["Conditions"],
        keywords=row["Keywords"],
    )


@pytest.fixture(scope="module")
def ctgov_raw() -> pd.DataFrame:
    (path,) = sorted((paths.ROOT / "data" / "raw" / "ctgov").glob("*.csv"))
    return pd.read_csv(path, dtype=str, keep_default_na=False).set_index("NCTId", drop=False)


@pytest.fixture(scope="module")
def ctgov_classified(ctgov_raw: pd.DataFrame) -> pd.DataFrame:
    df = ctgov_raw.reset_index(drop=True)
    df["strong"] = df[["Conditions", "BriefTitle", "OfficialTitle", "Keywords"]].agg(" | ".join, axis=1)
    df["population"] = [classify.trial_population(trial_text(r)).population for _, r in df.iterrows()]
    df["relevance"] = df["strong"].map(classify.ms_relevance)
    df["gap"] = [
        classify.gap_area(s, relevance=r, study_type=t)
        for s, r, t in zip(df["strong"], df["relevance"], df["StudyType"], strict=True)
    ]
    return df


def test_every_ctgov_row_gets_vocabulary_values(ctgov_classified: pd.DataFrame) -> None:
    df = ctgov_classified
    assert df["population"].isin(schema.POPULATIONS).all()
    assert df["relevance"].isin(schema.RELEVANCE).all()
    not_ms = df["relevance"] == "Not MS"
    assert df.loc[not_ms, "gap"].isna().all()
    assert df.loc[~not_ms, "gap"].isin(schema.GAP_AREAS).all()
    assert ((df["population"] == "Not MS") == not_ms).all()
    # A progressive population needs a progressive term somewhere; the converse no longer holds:
    # "SPMS" in the keywords of a relapsing trial makes it progressive-relevant, not progressive.
    progressive = df["population"].map(classify.is_progressive)
    assert (df.loc[progressive, "relevance"] == "Progressive-specific").all()
    assert (~progressive & (df["relevance"] == "Progressive-specific")).sum() > 20


def test_ctgov_als_rows_without_ms_are_not_ms(ctgov_classified: pd.DataFrame) -> None:
    text = ctgov_classified["strong"]
    als_only = text.str.contains("amyotrophic lateral sclerosis", case=False) & ~text.str.contains(
        r"(?i:multiple\s+sclerosis|sclerosis,\s*multiple)|\bMS\b"
    )
    assert als_only.sum() > 0
    assert (ctgov_classified.loc[als_only, "population"] == "Not MS").all()


def test_ctgov_rows_whose_only_progressive_is_pml_are_not_progressive(ctgov_classified: pd.DataFrame) -> None:
    without_pml = ctgov_classified["strong"].str.replace(
        r"(?i)progressive\s+multifocal\s+leu[ck]oencephalopathy", "", regex=True
    )
    pml_only = ctgov_classified["strong"].str.contains("(?i)multifocal") & ~without_pml.str.contains(
        "(?i)progress"
    )
    assert pml_only.sum() > 0
    assert not ctgov_classified.loc[pml_only, "population"].map(classify.is_progressive).any()


# NCT05961644 (CLASP-MS), ClinicalTrials.gov conditions | titles | keywords, verbatim.
CLASP_MS = (
    "Multiple Sclerosis, Secondary Progressive|Multiple Sclerosis | Cladribine vs Placebo for Non-active "
    "Progressive Multiple Sclerosis (CLASP-MS). | Safety and Efficacy of Subcutaneous Cladribine for "
    "Nonrelapsing, Secondary Progressive Multiple Sclerosis (CLASP-MS): a Randomized, Placebo-controlled, "
    "Double-blind, Phase 2 Study. | Cladribine|Multiple Sclerosis Secondary Progressive|Brain Volume|"
    "Quantitative Susceptibility Mapping|Magnetic Resonance Imaging|Cognitive assessment"
)


def test_disease_modifying_trial_is_not_wellbeing_through_a_symptom_keyword() -> None:
    from msprogress.ingest import agents

    arm = agents.classify_intervention("Cladribine Subcutaneous Injection", "DRUG")
    assert agents.therapy_role(arm.agent_id) == "disease-modifying"
    gap_area = partial(
        classify.gap_area,
        CLASP_MS,
        relevance="Progressive-specific",
        modalities=frozenset({arm.modality}),
        study_type="INTERVENTIONAL",
    )
    assert gap_area(disease_modifying=False) == (
        "Well-being: rehabilitation and symptom management"
    )  # the keyword "Cognitive assessment" alone would decide it
    assert gap_area(disease_modifying=True) == "Accelerating clinical trials"
