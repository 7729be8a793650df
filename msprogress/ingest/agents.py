"""The curated agent reference and the intervention matcher.

Owns `data/reference/agents.csv` (one row per canonical therapy: generic name, brand and code
aliases, mechanism class, modality, role and a public reference) and the rules that turn a
registered intervention name ("Ocrevus 300 mg concentrate for solution for infusion",
"BAF312", "Placebo to match siponimod", "Gait training") into an `InterventionMatch`:
canonical agent, modality and whether it is a placebo/control.

Matching works on a normalised name (lower case, dose strengths, dose forms, routes and
brand marks removed) and looks for each alias as whole tokens, so "BAF-312", "BAF 312" and
"baf312" all find siponimod while "ocrelizumab" never matches inside a longer word. All
domain knowledge lives in the module-level tables below and in the CSV, not in branches.

NOTE: one intervention gets one agent. When a name mentions several agents ("ocrelizumab
with methylprednisolone premedication") the alias found first in the name wins, ties going
to the longest alias; the registered name stays in `trial_interventions` for anyone who
needs the rest.
NOTE: usual care / waiting list / no intervention arms are controls (`is_placebo` True, no
agent) unless registered as a drug-type intervention, where "standard of care" / "background
DMT" is a real background therapy and maps to the background agent.

Also owns `agent_context.csv` (what an intervention is in its trial: `in_trial_context`, run by
the build once the readers have matched every name on its own) and `approved_progressive.csv`
(the labels that make an agent "Approved for progressive MS": `approvals_table`).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from msprogress import paths, schema

AGENTS_FILE = "agents.csv"

MECHANISM_CLASSES = (
    "B-cell depletion (anti-CD20/CD19)",
    "BTK inhibition",
    "S1P receptor modulation",
    "Other immunomodulation",
    "Immunosuppression / chemotherapy",
    "Neuroprotection / metabolic",
    "Remyelination / repair",
    "Antioxidant",
    "Cell therapy",
    "Antiviral / EBV-directed",
    "Symptomatic",
    "Supportive / premedication",
    "Diagnostic / imaging agent",
    "Background therapy / standard of care",
)
THERAPY_ROLES = ("disease-modifying", "symptomatic", "supportive", "diagnostic")
REFERENCE_KINDS = ("label", "registry", "paper")
AGENT_MODALITIES = schema.MODALITIES
CSV_COLUMNS = (
    "agent_id",
    "agent_name",
    "aliases",
    "mechanism_class",
    "modality",
    "therapy_role",
    "reference_url",
    "reference_kind",
    "notes",
    "origin",
    "origin_source",
    "origin_note",
)
DRUG_MODALITIES = frozenset({"drug", "biological", "cell therapy"})
URL_PATTERN = r"https://[A-Za-z0-9.-]+\.[a-z]{2,}/[^\s,]*"

# --- Registered types ------------------------------------------------------------------------
# ClinicalTrials.gov intervention type -> default modality. None (CTIS) is a medicinal product.
TYPE_MODALITY: dict[str, str] = {
    "DRUG": "drug",
    "COMBINATION_PRODUCT": "drug",
    "BIOLOGICAL": "biological",
    "GENETIC": "biological",
    "BEHAVIORAL": "behavioural",
    "DEVICE": "device",
    "DIETARY_SUPPLEMENT": "diet/supplement",
    "PROCEDURE": "procedure",
    "RADIATION": "procedure",
    "DIAGNOSTIC_TEST": "diagnostic",
    "OTHER": "other",
}
DRUG_TYPES = frozenset({"DRUG", "BIOLOGICAL", "GENETIC", "COMBINATION_PRODUCT"})

# --- Name normalisation ----------------------------------------------------------------------
# Characters rewritten before anything else (Greek letters used in interferon names, "ß" typed
# for beta, the micro sign).
CHAR_MAP: dict[str, str] = {
    "β": "beta",
    "ß": "beta",
    "α": "alpha",
    "γ": "gamma",
    "µ": "u",
    "μ": "u",
    "×": "x",
}
_UNIT = r"(?:mg|mcg|ug|ng|g|kg|ml|l|iu|ui|mu|miu|units?|unt|mmol|micrograms?|milligrams?|grams?|%|gy|cells?)"
# (regex, replacement), applied in order to the lower-cased name.
NAME_RULES: tuple[tuple[str, str], ...] = (
    (r"[®™©*]", " "),
    (r"\((?:drug|biological|biologic|genetic|device|other|behavioral|procedure|dietary supplement)\)", " "),
    (
        r"\b\d+(?:[.,]\d+)?\s*(?:[x]\s*10\s*\^?\s*\d+)?\s*"
        + _UNIT
        + r"(?:\s*/\s*(?:\d+(?:[.,]\d+)?\s*)?(?:kg|m2|ml|day|d|24h|week|wk|vial|dose))?(?!\w)",
        " ",
    ),
    (r"\b(?:od|bid|b\.i\.d|tid|tiw|qd|qid|qod|qw|q\d+w|once daily|twice daily|daily|weekly|monthly)\b", " "),
    (
        r"\b(?:film[- ]coated|prolonged[- ]release|modified[- ]release|extended[- ]release|delayed[- ]release)\b",
        " ",
    ),
    (
        r"\b(?:gastro[- ]resistant|enteric[- ]coated|hard|soft|pre[- ]?filled|prefilled|pen|syringe|vial|autoinjector)\b",
        " ",
    ),
    (r"\b(?:powder|concentrate|solution|suspension|emulsion|infusion|injections?|injectable|solvent)\b", " "),
    (
        r"\b(?:tablets?|capsules?|caps|tabs?|pills?|granules|sachets?|oral|intravenous|subcutaneous|intrathecal)\b",
        " ",
    ),
    (r"\b(?:iv|sc|im|po|it)\b", " "),
    (r"[^\w\s+\-/.]", " "),
    (r"\s+", " "),
)
# Alias tokens may be joined in a name by nothing, spaces, hyphens or slashes: BAF312 = BAF-312.
ALIAS_JOINER = r"[\s\-/_.]*"

# --- Placebo / control -------------------------------------------------------------------------
# A placebo, sham or vehicle (also "matching placebo of X", "placebo to match X", excipient-only
# capsules, saline, and the uncoupled cells given as control in peptide-coupled cell trials).
PLACEBO_PATTERN = (
    r"\b(?:placebos?|sham|saline|vehicle|dummy|excipients?|microcrystalline cellulose|maltodextrin|"
    r"sodium chlorid\w*|chloride injection sodium|nacl|cell[- ]free media|suspension media|"
    r"incomplete freund|otherwise identical to|uncoupled (?:rbcs?|red blood cells))\b"
)
# Usual-care arms: a control in behavioural/other trials, a background therapy when registered as
# a drug (then the agent table decides, see background-dmt).
USUAL_CARE_PATTERN = (
    r"\b(?:usual care|standard care|standard of care|standard-of-care|treatment as usual|routine care)\b"
)
# "Usual care plus acupuncture" is an active arm, not a control.
ADD_ON_PATTERN = r"\+|\bplus\b|\bin addition to\b"
# No-treatment arms: a control whatever the registered type, unless a named agent is found.
NO_TREATMENT_PATTERN = (
    r"\b(?:wait[- ]?list(?:ed)?|waiting list|no intervention|no treatment|no drug|no dmts?|untreated|"
    r"control group|control condition|control arm|attention control|healthy controls?)\b"
)

# --- Modality keywords, for names the agent table does not resolve: first matching rule wins. --
# NOTE: strong behavioural words (cognitive, memory, mindfulness …) come before exercise so that
# "Cognitive training" or "Memory retraining exercises" stay behavioural, and diagnostic words
# before device so that "functional magnetic resonance imaging" is not a magnetic device.
MODALITY_KEYWORDS: tuple[tuple[str, str], ...] = (
    (
        "cell therapy",
        r"\b(?:stem cells?|hsct|ahsct|mesenchymal|car[- ]?t|cell therapy|bone marrow transplant\w*)",
    ),
    (
        "diagnostic",
        r"\b(?:mri|fmri|pet|spect|magnetic resonance|spectroscopy|ultrasound|eeg|oct|optical coherence|"
        r"evoked potentials?|electrophysiolog\w*|scan\w*|imaging|biopsy|lumbar puncture|blood sampl\w*|"
        r"blood samples?|blood tests?|blood collection|sampl\w*|csf|cerebro-?spinal|urine|biobank\w*|"
        r"genetic testing|genetic analysis|genotyp\w*|polymorphism\w*|biomarker\w*|investigations?|"
        r"questionnaires?|scales?|assess\w*|evaluation|tests?|testing)\b",
    ),
    (
        "rehabilitation",
        r"\b(?:\w*rehabilitation|rehab|physiotherap\w*|physical therap\w*|occupational therap\w*|gait|balance|"
        r"robot\w*|vestibular|hippotherapy|constraint[- ]induced|mirror therapy|virtual reality|exergam\w*|"
        r"upper limb|motor training|speech therap\w*|mobili[sz]ation|massage|manual therapy|pelvic floor)\b",
    ),
    (
        "behavioural",
        r"\b(?:cognitive|memory|mindfulness|relaxation|meditation|hypnosis|psychotherap\w*|psycholog\w*|cbt|"
        r"counsel\w*|goal management|music|computeri[sz]ed|computer training|processing training|"
        r"attention training|auditory training|self-alert)\b",
    ),
    (
        "exercise",
        r"\b(?:exercis\w*|training|aerobic|resistance|yoga|pilates|cycling|bik\w*|walking|treadmill|"
        r"strength\w*|stretching|endurance|aquatic|swimming|tai chi|danc\w*|hiit|physical activity|sport\w*)\b",
    ),
    (
        "diet/supplement",
        r"\b(?:diet\w*|fasting|ketogenic|paleo\w*|supplement\w*|vitamin\w*|nutrition\w*|probiotic\w*|food)\b",
    ),
    (
        "device",
        r"\b(?:stimulation|stimulator|t-?dcs|ts-?dcs|tms|rtms|tens|device|orthos[ie]s|afo|neuromodulation|cooling|"
        r"vest|app|wearable|electrical|magnetic|exoskeleton)\b",
    ),
    (
        "procedure",
        r"\b(?:surgery|surgical|plasma exchange|plasmapheresis|apheresis|angioplasty|transplant\w*)\b",
    ),
    (
        "behavioural",
        r"\b(?:behavio\w*|education\w*|self[- ]management|coaching|telehealth|support group|psycho\w*)\b",
    ),
)
# Registered types never matched to an agent (an app "platform" or a "warm compress before
# glatiramer injection" is not the drug).
NO_AGENT_TYPES = frozenset({"BEHAVIORAL", "DEVICE"})
# Registered types whose modality stays as registered even when the name names an agent.
FIXED_TYPES = frozenset({"BEHAVIORAL", "DEVICE", "DIETARY_SUPPLEMENT", "DIAGNOSTIC_TEST", "RADIATION"})

# --- CTIS product lists --------------------------------------------------------------------------
# A comma-separated CTIS product fragment that continues the previous product (a dose form,
# strength or translated description) rather than starting a new one.
CTIS_CONTINUATION = r"^(?:[\d(]|(?i:composition)\b|[a-zà-ÿ])"
CTIS_EMPTY = frozenset({"", "-", "n/a", "na"})


@dataclass(frozen=True)
class InterventionMatch:
    agent_id: str | None
    modality: str  # one of schema.MODALITIES
    is_placebo: bool


def _fold(name: str) -> str:
    """Lower case with accents and Greek letters folded (CHAR_MAP), nothing removed."""
    text = str(name).lower()
    for char, repl in CHAR_MAP.items():
        text = text.replace(char, repl)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def normalise_name(name: str) -> str:
    """Lower-case `name`, fold accents and Greek letters, strip doses, dose forms and routes."""
    text = _fold(name)
    for pattern, replacement in NAME_RULES:
        text = re.sub(pattern, replacement, text)
    return text.strip()


def _alias_tokens(alias: str) -> list[str]:
    return re.findall(r"[a-z]+|\d+", normalise_name(alias))


def _alias_regex(alias: str) -> str:
    """Whole-token regex for an alias: its letter and digit runs may be joined by ALIAS_JOINER."""
    body = ALIAS_JOINER.join(re.escape(p) for p in _alias_tokens(alias))
    return r"(?<![a-z0-9])" + body + r"(?![a-z0-9])"


@lru_cache(maxsize=1)
def _load_csv() -> pd.DataFrame:
    path = paths.reference_dir() / AGENTS_FILE
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in CSV_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}")
    return df


def validate_agents(df: pd.DataFrame) -> list[str]:
    """Problems in the agent CSV (empty list when valid)."""
    problems: list[str] = []
    dup = df["agent_id"][df["agent_id"].duplicated()].tolist()
    if dup:
        problems.append(f"duplicate agent_id {dup}")
    checks = (
        ("mechanism_class", MECHANISM_CLASSES),
        ("modality", AGENT_MODALITIES),
        ("therapy_role", THERAPY_ROLES),
        ("reference_kind", REFERENCE_KINDS),
    )
    for col, allowed in checks:
        bad = df.loc[~df[col].isin(allowed), "agent_id"].tolist()
        if bad:
            problems.append(f"{col} not in the allowed list for {bad}")
    owner: dict[str, str] = {}
    for agent_id, names in _alias_lists(df):
        for name in names:
            key = " ".join(_alias_tokens(name.lstrip("=")))
            if not key:
                problems.append(f"alias '{name}' of {agent_id} is empty once normalised")
            elif key in owner and owner[key] != agent_id:
                problems.append(f"alias '{name}' claimed by {owner[key]} and {agent_id}")
            owner[key] = agent_id
    bad_urls = df.loc[~df["reference_url"].str.fullmatch(URL_PATTERN), "agent_id"].tolist()
    if bad_urls:
        problems.append(f"reference_url not a well-formed https URL for {bad_urls}")
    return problems + _origin_problems(df)


def _origin_problems(df: pd.DataFrame) -> list[str]:
    """`origin` is novel, repurposed or empty (not known); a stated origin needs its source and note."""
    stated = df["origin"] != ""
    sourced = df["origin_source"].str.fullmatch(URL_PATTERN)
    checks = {
        "origin not novel, repurposed or empty": ~df["origin"].isin(("", *schema.AGENT_ORIGINS)),
        "origin without a well-formed https origin_source": stated & ~sourced,
        "origin without an origin_note": stated & (df["origin_note"].str.strip() == ""),
    }
    return [f"{what} for {df.loc[bad, 'agent_id'].tolist()}" for what, bad in checks.items() if bad.any()]


def _alias_lists(df: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """(agent_id, [agent_id, agent_name, aliases…]) per agent: every name the matcher looks for."""
    out = []
    for row in df.itertuples(index=False):
        names = [str(row.agent_id), str(row.agent_name), *str(row.aliases).split("|")]
        out.append((str(row.agent_id), list(dict.fromkeys(n.strip() for n in names if n.strip()))))
    return out


@lru_cache(maxsize=1)
def _alias_index() -> tuple[tuple[re.Pattern[str], str, int], ...]:
    """(compiled alias regex, agent_id, alias length), longest aliases first.

    An alias written "=name" matches only a whole intervention name ("=Platform" in a trial of
    ocrelizumab versus platform therapies), never a word inside a longer one.
    """
    df = _load_csv()
    problems = validate_agents(df)
    if problems:
        raise ValueError("agents.csv: " + "; ".join(problems))
    entries: dict[str, tuple[re.Pattern[str], str, int]] = {}
    for agent_id, names in _alias_lists(df):
        for name in names:
            exact = name.startswith("=")
            key = " ".join(_alias_tokens(name.lstrip("=")))
            body = _alias_regex(key)
            regex = re.compile("^" + body + "$" if exact else body)
            entries[("=" if exact else "") + key] = (regex, agent_id, len(key))
    return tuple(sorted(entries.values(), key=lambda e: -e[2]))


@lru_cache(maxsize=1)
def _agent_modality() -> dict[str, str]:
    df = _load_csv()
    return dict(zip(df["agent_id"], df["modality"], strict=True))


@lru_cache(maxsize=1)
def _agent_role() -> dict[str, str]:
    df = _load_csv()
    return dict(zip(df["agent_id"], df["therapy_role"], strict=True))


def therapy_role(agent_id: str | None) -> str | None:
    """The curated therapy role of an agent (disease-modifying, symptomatic, supportive, diagnostic)."""
    return _agent_role().get(agent_id) if agent_id else None


@lru_cache(maxsize=8192)
def match_agent(name: str) -> str | None:
    """Canonical agent id named in `name`, or None: earliest alias in the name, longest on ties."""
    text = normalise_name(name)
    best: tuple[int, int, str] | None = None
    for regex, agent_id, length in _alias_index():
        m = regex.search(text)
        if m and (best is None or (m.start(), -length) < (best[0], -best[1])):
            best = (m.start(), length, agent_id)
    return best[2] if best else None


def _keyword_modality(name: str) -> str | None:
    text = str(name).lower()
    for modality, pattern in MODALITY_KEYWORDS:
        if re.search(pattern, text):
            return modality
    return None


def _modality(name: str, rtype: str | None, agent_id: str | None) -> str:
    """Modality from the registered type, refined by the agent's modality or the name's keywords."""
    agent_mod = _agent_modality().get(agent_id) if agent_id else None
    if agent_mod == "cell therapy" and rtype not in ("BEHAVIORAL", "DEVICE"):
        return "cell therapy"
    if rtype in FIXED_TYPES:
        default = TYPE_MODALITY[rtype]
        found = _keyword_modality(name)
        return found if rtype == "BEHAVIORAL" and found in ("rehabilitation", "exercise") else default
    if agent_mod:
        return agent_mod
    found = _keyword_modality(name)
    if rtype is None or rtype in DRUG_TYPES:
        # NOTE: a drug-typed name with no agent keeps its type unless the name plainly says it is
        # something else ("Blood sampling", "Systematic aerobic training" registered as DRUG).
        return found if found and found != "diet/supplement" else TYPE_MODALITY.get(rtype or "DRUG", "drug")
    return found or TYPE_MODALITY.get(rtype, "other")


def classify_intervention(name: str, registered_type: str | None) -> InterventionMatch:
    """Agent, modality and placebo flag of one registered intervention (type None = CTIS product)."""
    text = _fold(name or "")
    rtype = (registered_type or "").strip().upper() or None
    if rtype is not None and rtype not in TYPE_MODALITY:
        rtype = "OTHER"
    if re.search(PLACEBO_PATTERN, text):
        return InterventionMatch(None, _modality(name, rtype, None), True)
    is_drug_type = rtype is None or rtype in DRUG_TYPES
    if not is_drug_type and re.search(USUAL_CARE_PATTERN, text) and not re.search(ADD_ON_PATTERN, text):
        return InterventionMatch(None, _modality(name, rtype, None), True)
    agent_id = match_agent(str(name or "")) if rtype not in NO_AGENT_TYPES else None
    if agent_id is None and re.search(NO_TREATMENT_PATTERN, text):
        return InterventionMatch(None, _modality(name, rtype, None), True)
    return InterventionMatch(agent_id, _modality(name, rtype, agent_id), False)


def split_ctis_products(products: str | None) -> list[str]:
    """Split a CTIS `Product` cell into product names, de-duplicated, in order.

    CTIS joins products with ", " but product descriptions contain commas too ("Glatiramyl 40
    mg/ml, oplossing voor injectie…", "BOOSTRIX, suspension injectable…, (adsorbé, …)"). A
    fragment that starts with a digit, a bracket or a lower-case word continues the previous
    product, unless it names a different agent or a placebo on its own ("Tolebrutinib, mannitol
    and microcrystalline cellulose" is a drug and its placebo).
    """
    text = re.sub(r"[\r\n]+", " ", str(products or ""))
    merged: list[str] = []
    for fragment in re.split(r"\s*,\s+", text):
        frag = fragment.strip()
        if frag.lower() in CTIS_EMPTY:
            continue
        if merged and re.match(CTIS_CONTINUATION, frag) and _continues(merged[-1], frag):
            merged[-1] = f"{merged[-1]}, {frag}"
        else:
            merged.append(frag)
    first: dict[str, str] = {}
    for product in merged:
        first.setdefault(re.sub(r"\s+", " ", product).casefold(), product)
    return list(first.values())


def _continues(previous: str, fragment: str) -> bool:
    """A lower-case CTIS fragment continues `previous` unless it is a product in its own right."""
    if fragment.casefold() == previous.casefold():
        return False  # a repeated product ("Ublituximab, ublituximab"), de-duplicated later
    agent, placebo = match_agent(fragment), bool(re.search(PLACEBO_PATTERN, _fold(fragment)))
    if agent is None and not placebo:
        return True
    same_placebo = placebo == bool(re.search(PLACEBO_PATTERN, _fold(previous)))
    return same_placebo and agent == match_agent(previous)


# --- Trial context -------------------------------------------------------------------------------
# NOTE: what an intervention is can depend on the rest of its trial. Aciclovir given with
# alemtuzumab is herpes prophylaxis, not an antiviral therapy under test; "Stem Cell
# Transplantation" is autologous or allogeneic as the trial's title says. These rules are data
# (`agent_context.csv`, one source each) and run once per build over whole trials
# (`in_trial_context`), after the readers have matched every registered name on its own.
CONTEXT_FILE = "agent_context.csv"
CONTEXT_COLUMNS = ("rule_id", "kind", "agents", "trial_agents", "trial_text", "result", "source_url", "note")
CONTEXT_KINDS = ("type", "co-medication")


@dataclass(frozen=True)
class ContextRule:
    """`type`: `agents` in a trial whose titles match `trial_text` become agent `result`.
    `co-medication`: `agents` in a trial that also tests one of `trial_agents` (when given) and
    whose titles match `trial_text` (when given) are given alongside the tested therapy; `result`
    says as what (trial_interventions.co_medication), and they are not pipeline agents.
    NOTE: an agent the trial's title names is what the trial tests: a `trial_text` rule never
    makes it co-medication ("Metformin add-on …" keeps metformin, not the background DMTs)."""

    rule_id: str
    kind: str
    agents: frozenset[str]
    trial_agents: frozenset[str]
    trial_text: re.Pattern[str] | None
    result: str


def select_agents(entries: str, table: pd.DataFrame) -> frozenset[str]:
    """Agent ids named by '|'-joined entries: an agent id, `class:<mechanism class>` or
    `role:<therapy role>`; an entry starting with '-' removes what it names."""
    chosen: set[str] = set()
    for entry in filter(None, (e.strip() for e in entries.split("|"))):
        drop, entry = entry.startswith("-"), entry.lstrip("-")
        kind, _, value = entry.partition(":") if ":" in entry else ("agent_id", "", entry)
        column = {"class": "mechanism_class", "role": "therapy_role"}.get(kind, "agent_id")
        found = set(table.loc[table[column] == value, "agent_id"])
        if not found:
            raise ValueError(f"{CONTEXT_FILE}: {entry!r} names no agent in {AGENTS_FILE}")
        chosen = chosen - found if drop else chosen | found
    return frozenset(chosen)


@lru_cache(maxsize=1)
def context_rules() -> tuple[ContextRule, ...]:
    """The trial-context rules, in file order, validated against agents.csv."""
    path = paths.reference_dir() / CONTEXT_FILE
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != CONTEXT_COLUMNS:
            raise ValueError(f"{path}: columns must be {CONTEXT_COLUMNS}")
        return tuple(_context_rule(row, _load_csv(), path) for row in reader)


def _context_rule(row: dict[str, str], table: pd.DataFrame, path: Path) -> ContextRule:
    kind, result, text = row["kind"], row["result"], row["trial_text"]
    if kind not in CONTEXT_KINDS or not re.fullmatch(URL_PATTERN, row["source_url"]):
        raise ValueError(f"{path}: rule {row['rule_id']}: unknown kind or malformed source_url")
    if kind == "type" and (result not in set(table["agent_id"]) or not text):
        raise ValueError(f"{path}: rule {row['rule_id']}: a type rule needs trial_text and a known agent")
    if kind == "co-medication" and not (text or row["trial_agents"]):
        raise ValueError(
            f"{path}: rule {row['rule_id']}: a co-medication rule needs trial_agents or trial_text"
        )
    return ContextRule(
        row["rule_id"],
        kind,
        select_agents(row["agents"], table),
        select_agents(row["trial_agents"], table),
        re.compile(text, re.IGNORECASE) if text else None,
        result,
    )


def in_trial_context(trials: pd.DataFrame, interventions: pd.DataFrame) -> pd.DataFrame:
    """`interventions` with the context rules applied: `agent_id` resolved by `type` rules from
    the trial titles, and `co_medication` set where a `co-medication` rule applies."""
    iv = interventions.reset_index(drop=True).copy()
    iv["co_medication"] = None
    titles = (
        trials.set_index("trial_id")[["brief_title", "official_title"]].fillna("").agg(" | ".join, axis=1)
    )
    trial_titles = iv["trial_id"].map(titles).fillna("")
    tested = ~iv["is_placebo"].astype(bool)
    for rule in context_rules():
        hit = tested & iv["agent_id"].isin(rule.agents) & iv["co_medication"].isna()
        if rule.trial_text is not None:
            hit &= trial_titles.str.contains(rule.trial_text)
        if rule.kind == "type":
            iv.loc[hit, "agent_id"] = rule.result
            continue
        if rule.trial_agents:
            triggers = tested & iv["agent_id"].isin(rule.trial_agents) & iv["co_medication"].isna()
            hit &= iv["trial_id"].isin(iv.loc[triggers, "trial_id"])
        if rule.trial_text is not None:
            hit &= ~_named_in(iv.loc[hit, "agent_id"], trial_titles[hit]).reindex(iv.index, fill_value=False)
        iv.loc[hit, "co_medication"] = rule.result
    return iv


def _named_in(agent_ids: pd.Series, texts: pd.Series) -> pd.Series:
    """Per row: does `texts` name the agent `agent_ids` (any of its aliases)?"""
    return pd.Series(
        [a in agents_named(t) for a, t in zip(agent_ids, texts, strict=True)],
        index=agent_ids.index,
        dtype=bool,
    )


@lru_cache(maxsize=1024)
def agents_named(text: str) -> frozenset[str]:
    """Every agent an alias of which appears in `text` (match_agent gives only the first one)."""
    norm = normalise_name(text)
    return frozenset(agent_id for regex, agent_id, _ in _alias_index() if regex.search(norm))


# --- Approvals for progressive MS ------------------------------------------------------------------
# NOTE: only labels that name a progressive population on its own count (ocrelizumab for PPMS,
# siponimod for active SPMS in the EU). "Relapsing forms of MS, to include … active secondary
# progressive disease" (US labels since 2019) is the relapsing-MS population, the same reading as
# `classify.course` gives a trial, so it is not an approval for progressive MS.
APPROVALS_FILE = "approved_progressive.csv"
APPROVAL_COLUMNS = ("agent_id", "population", "indication", "regulator", "year", "label_url", "note")


def approvals_table() -> pd.DataFrame:
    """The agent_approvals table (schema columns) from the curated list; raises on a bad row."""
    path = paths.reference_dir() / APPROVALS_FILE
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    problems = validate_approvals(df, set(_load_csv()["agent_id"]))
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    cols = [c.name for c in schema.TABLES["agent_approvals"]]
    return df[cols].astype({"year": "int64"}).reset_index(drop=True)


def validate_approvals(df: pd.DataFrame, agent_ids: set[str]) -> list[str]:
    """Problems in the approvals list (empty when valid)."""
    if list(df.columns) != list(APPROVAL_COLUMNS):
        return [f"columns must be {APPROVAL_COLUMNS}"]
    checks = {
        "agent_id": df["agent_id"].isin(agent_ids),
        "population": df["population"].isin(schema.APPROVED_POPULATIONS),
        "regulator": df["regulator"].isin(schema.REGULATORS),
        "year": df["year"].str.fullmatch(r"(?:19|20)\d\d"),
        "label_url": df["label_url"].str.fullmatch(URL_PATTERN),
    }
    problems = [
        f"{col} not valid for {df.loc[~ok, 'agent_id'].tolist()}"
        for col, ok in checks.items()
        if not ok.all()
    ]
    if df.duplicated(["agent_id", "regulator", "population"]).any():
        problems.append("an agent is listed twice for one regulator and population")
    return problems


def agents_table() -> pd.DataFrame:
    """The agents table (schema.TABLES['agents'] columns) from the curated CSV."""
    cols = [c.name for c in schema.TABLES["agents"]]
    _alias_index()  # validates the CSV
    return _load_csv()[cols].replace({"": None}).reset_index(drop=True)


def coverage(trials: pd.DataFrame, interventions: pd.DataFrame) -> dict[str, float | int]:
    """How far drug-type interventions map to agents.

    progressive_drug_trials: progressive interventional trials with at least one drug /
    biological / cell-therapy intervention; fully_mapped: those whose every non-placebo such
    intervention has an agent with a mechanism class; drug_interventions(_mapped): the same
    count over all non-placebo drug-type intervention rows passed in (all trials).
    """
    known = set(agents_table()["agent_id"])
    iv = interventions[
        interventions["modality"].isin(DRUG_MODALITIES) & ~interventions["is_placebo"].astype(bool)
    ]
    iv = iv.assign(mapped=iv["agent_id"].isin(known))
    interventional = trials["study_type"].astype(str).str.lower().str.startswith("interventional")
    prog_ids = set(
        trials.loc[trials["is_progressive"].fillna(False).astype(bool) & interventional, "trial_id"]
    )
    all_drug = interventions[interventions["modality"].isin(DRUG_MODALITIES)]
    drug_trials = prog_ids & set(all_drug["trial_id"])
    unmapped_trials = set(iv.loc[~iv["mapped"], "trial_id"])
    n = len(drug_trials)
    k = len(drug_trials - unmapped_trials)
    return {
        "progressive_drug_trials": n,
        "fully_mapped": k,
        "share": k / n if n else float("nan"),
        "drug_interventions": len(iv),
        "drug_interventions_mapped": int(iv["mapped"].sum()),
    }
