"""Classify text as MS research: MS population, MS relevance and Alliance gap area.

Owns the reading of `data/reference/classification_rules.csv` and the four functions every
reader calls. The domain knowledge (which words mean what) lives in that CSV, one regular
expression per row, grouped in rule sets; this module only says in which order the rule sets
are consulted. A wrong classification is fixed by editing a CSV row and adding a test case.

Rule sets (column `rule_set`):

- `not_ms`: false friends. Their spans are *removed* from the text before anything else is
  looked for: PML, ALS, primary lateral sclerosis, systemic sclerosis, tuberous sclerosis,
  hippocampal sclerosis, oto-/arterio-/glomerulosclerosis, sclerosing cholangitis,
  progressive supranuclear palsy and other "progressive X" diseases, "progressive resistance
  training", mass-spectrometry "MS" (LC-MS, MS/MS, MALDI-MS …), MS as a degree.
- `ms`: names of multiple sclerosis (English, MeSH "Sclerosis, Multiple", other languages),
  RRMS, pwMS, clinically isolated syndrome, radiologically isolated syndrome, EAE and
  Theiler's virus-induced demyelination (animal models of MS: MS research).
- `ms_abbrev`: the bare, case-sensitive `MS`. It is ignored in a text where any
  `ms_abbrev_block` rule matches the original text (a text about mass spectrometry, or one
  that defines "(MS)" as medial septum, mitral stenosis …).
- `ppms`, `spms`, `progressive`: progressive-MS terms; each is MS-specific on its own, so it
  also counts as a mention of MS.
- `progressive_in_ms`: ambiguous progressive terms ("PMS", "chronic progressive", "progressive
  phase") that count as progressive MS only when MS is otherwise mentioned.
- `relapsing`: relapsing course terms (never establish MS on their own).
- `not_population`, `progressive_active`, `relapsing_umbrella`: read only when deciding a
  *trial's population* (see `course`): course words that name no population (conversion to SPMS
  as an outcome, "relapsing-onset", "MS acute and progressive"); progressive forms defined by
  their relapses or activity (active SPMS, SPMS with relapses, PRMS); names of relapsing MS.
- `gap_wellbeing`, `gap_trials_design`, `gap_trials_progression`, `gap_mechanisms`: topics of
  the Alliance gap areas (see docs/DOMAIN.md).

Semantics:

1. `trial_population(TrialText)`: who a trial enrols, by evidence rank (`EVIDENCE_RANKS`:
   titles, then conditions, then keywords): no MS mention anywhere → "Not MS"; otherwise the
   highest-ranked text that names an MS course decides (`course`), so "SPMS" among the keywords
   of a trial titled "… in Relapsing Multiple Sclerosis" does not make it progressive. In a text:
   PPMS and SPMS terms both → "Mixed progressive"; PPMS → "PPMS"; SPMS → "SPMS"; any other
   progressive-MS term → "Progressive, unspecified" (lower-ranked texts may then say which
   forms); a relapsing term → "Relapsing"; none → the next text; no text → "Other MS".
   A trial of "RRMS and SPMS" is SPMS: progressive patients are enrolled. But "relapsing MS
   (RRMS and active SPMS)" is Relapsing: there active SPMS is part of the relapsing-MS
   population of the labels, not a population of its own. `PopulationCall.why` names the
   deciding text, its rule labels, and the lower-ranked texts it overruled.
   `ms_population(text)` reads one text the same way (used where there is one text only).
2. `ms_relevance(strong_text, weak_text="")`: MS is established when the strong text mentions
   MS, or the weak text (abstract, public health relevance) mentions it at least twice — a
   passing mention is not MS research. Mentions are counted as distinct spans; touching spans
   such as "multiple sclerosis (MS)" count once. Then "Progressive-specific" when a
   progressive-MS term appears in the strong or the weak text, else "MS, not
   progression-specific". Otherwise "Not MS".
3. `gap_area(strong_text, weak_text="", *, relevance, modalities, study_type)`: None for "Not
   MS"; otherwise the first step of `GAP_PRECEDENCE` that applies (see there).
   `modalities` are the schema.MODALITIES of the study's *non-placebo* interventions: the
   caller leaves placebo, sham and usual-care arms out.
4. `is_progressive(population)`: population in schema.PROGRESSIVE_POPULATIONS.

Also `matched_labels(text)` (which rules matched: the "why" behind a class, for debugging and
for showing on the About page) and `gap_step(...)` (which precedence step decided a gap area).

Decisions:

- NOTE: neuromyelitis optica (NMOSD), MOG antibody disease, ADEM and isolated optic neuritis
  are separate diseases: "Not MS" unless MS is also named. Generic demyelination, myelin
  biology and the cuprizone model do not establish MS either (the NIH files hold much myelin
  research on other diseases); cuprizone is only a mechanisms topic once MS is established.
- NOTE: "disease progression" / "disability progression" are *not* progressive-MS terms: they
  are outcomes of relapsing-MS trials too. They are progression measures (`gap_trials_progression`).
  "Progressive resistance training" / "progressive muscle relaxation" are exercise methods
  (`not_ms`). "Conversion to SPMS" is an outcome for a trial's population (`not_population`) but
  still makes a grant progressive-specific (relevance reads `progressive_in_ms`).
- NOTE: well-being topics are matched in the strong text only (every abstract mentions quality
  of life). For "MS, not progression-specific" research the mechanism and progression-measure
  topics are also matched in the strong text only, because they promote general MS research
  into a progression gap area; for progressive-specific research, where they only choose
  between two progression gap areas, the weak text counts too.
- NOTE: `study_type` counts as interventional when it starts with "interventional" (any case:
  ClinicalTrials.gov's "INTERVENTIONAL" or the schema's "Interventional").
- NOTE for callers: strong text is what names the subject (conditions, titles, keywords,
  curated index terms). NIH ExPORTER's PROJECT_TERMS are machine-made from the abstract and
  list every disease the abstract names: pass them as weak text, or a passing mention makes a
  grant "MS research". RePORTER's FY1993–2001 terms are curated (short) and can be strong.
- NOTE: a study testing a disease-modifying agent (`disease_modifying=True`, from the curated
  therapy role in agents.csv) is never well-being through a symptom word in its keywords
  (CLASP-MS, cladribine in progressive MS, names "cognition"); symptomatic drug trials still are.
- Known imprecision: a trial whose titles and conditions name no course but whose keywords
  enumerate MS courses ("RRMS|SPMS|PPMS") gets the population those words say.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from msprogress import paths, schema

RULES_FILE = "classification_rules.csv"
COLUMNS = ("rule_set", "label", "pattern", "case_sensitive", "note")
RULE_SETS = (
    "not_ms",
    "ms",
    "ms_abbrev",
    "ms_abbrev_block",
    "ppms",
    "spms",
    "progressive",
    "progressive_in_ms",
    "relapsing",
    "not_population",
    "progressive_active",
    "relapsing_umbrella",
    "gap_wellbeing",
    "gap_trials_design",
    "gap_trials_progression",
    "gap_mechanisms",
)
_BOOLS = {"true": True, "false": False}
_SEPARATOR = " ; "  # replaces a removed false friend, so its neighbours never join into one word
_JOIN_GAP = re.compile(r"[\s()\[\],:;-]*")  # text allowed between two spans that are one mention

NOT_MS, OTHER_MS, RELAPSING = "Not MS", "Other MS", "Relapsing"
PROGRESSIVE_SPECIFIC, MS_NOT_PROGRESSIVE, NOT_MS_RELEVANCE = (
    "Progressive-specific",
    "MS, not progression-specific",
    "Not MS",
)
MECHANISMS, TRIALS = "Mechanisms of progression", "Accelerating clinical trials"
WELLBEING, MS_GENERAL = (
    "Well-being: rehabilitation and symptom management",
    "MS research, not progression-specific",
)
WELLBEING_MODALITIES = frozenset({"rehabilitation", "exercise", "behavioural", "device", "diet/supplement"})
THERAPY_MODALITIES = frozenset({"drug", "biological", "cell therapy"})


class RulesError(ValueError):
    """The rules file is unusable: names the file, the 1-based row (header = row 1) and column."""

    def __init__(self, file: Path, row: int | None, column: str | None, reason: str):
        where = (
            str(file)
            + (f", row {row}" if row is not None else "")
            + (f", column '{column}'" if column else "")
        )
        super().__init__(f"{where}: {reason}")
        self.file, self.row, self.column, self.reason = file, row, column, reason


@dataclass(frozen=True)
class Rule:
    rule_set: str
    label: str
    regex: re.Pattern[str]
    row: int


Rules = dict[str, tuple[Rule, ...]]

# --- loading -------------------------------------------------------------------------------


def load_rules(path: Path) -> Rules:
    """Read and validate a rules file: every rule set known and present, every regex valid."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            _check_header(path, reader.fieldnames)
            rules = [_parse_row(path, n, row) for n, row in enumerate(reader, start=2)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise RulesError(path, None, None, f"cannot read: {exc}") from exc
    grouped = {name: tuple(r for r in rules if r.rule_set == name) for name in RULE_SETS}
    missing = [name for name, group in grouped.items() if not group]
    if missing:
        raise RulesError(path, None, "rule_set", f"no rules for rule set(s): {', '.join(missing)}")
    return grouped


def _check_header(path: Path, fieldnames: Iterable[str] | None) -> None:
    missing = [c for c in COLUMNS if c not in (fieldnames or ())]
    if missing:
        raise RulesError(path, 1, missing[0], f"missing column(s): {', '.join(missing)}")


def _parse_row(path: Path, n: int, row: dict[str, str | None]) -> Rule:
    rule_set, label, pattern = ((row.get(c) or "").strip() for c in ("rule_set", "label", "pattern"))
    if rule_set not in RULE_SETS:
        raise RulesError(path, n, "rule_set", f"unknown rule set {rule_set!r}; known: {', '.join(RULE_SETS)}")
    if not label:
        raise RulesError(path, n, "label", "empty label")
    flag = _BOOLS.get((row.get("case_sensitive") or "").strip().lower())
    if flag is None:
        raise RulesError(
            path, n, "case_sensitive", f"expected true or false, got {row.get('case_sensitive')!r}"
        )
    try:
        regex = re.compile(pattern, 0 if flag else re.IGNORECASE)
    except re.error as exc:
        raise RulesError(path, n, "pattern", f"bad regular expression {pattern!r}: {exc}") from exc
    if not pattern or regex.search("") is not None:
        raise RulesError(path, n, "pattern", "pattern matches empty text (it would match everything)")
    return Rule(rule_set, label, regex, n)


@lru_cache(maxsize=4)
def _rules_at(path: Path) -> Rules:
    return load_rules(path)


def rules() -> Rules:
    """The project's rules, read once per rules path."""
    return _rules_for(os.environ.get("MSPROGRESS_REFERENCE", ""))


@lru_cache(maxsize=4)
def _rules_for(_reference_env: str) -> Rules:
    # NOTE: keyed on the env value so a hot loop (60k calls a build) skips resolving the path.
    return _rules_at(paths.reference_dir() / RULES_FILE)


# --- matching primitives -------------------------------------------------------------------


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def strip_not_ms(text: str, rs: Rules | None = None) -> str:
    """The text with every false friend (PML, ALS, LC-MS …) replaced by a separator."""
    for rule in (rs or rules())["not_ms"]:
        text = rule.regex.sub(_SEPARATOR, text)
    return text


def _hits(rs: Rules, rule_set: str, text: str) -> bool:
    return any(rule.regex.search(text) for rule in rs[rule_set])


def _ms_spans(rs: Rules, raw: str, clean: str) -> list[tuple[int, int]]:
    """Spans of MS mentions in `clean` (the stripped `raw`), touching spans merged into one."""
    abbrev = [] if _hits(rs, "ms_abbrev_block", raw) else ["ms_abbrev"]
    sets = ["ms", "ppms", "spms", "progressive", *abbrev]
    spans = sorted(m.span() for s in sets for rule in rs[s] for m in rule.regex.finditer(clean))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and (start <= merged[-1][1] or _JOIN_GAP.fullmatch(clean, merged[-1][1], start)):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _is_progressive_text(rs: Rules, clean: str) -> bool:
    """A progressive-MS term in `clean`; call only once MS is established (`progressive_in_ms`)."""
    return any(_hits(rs, name, clean) for name in ("ppms", "spms", "progressive", "progressive_in_ms"))


def matched_labels(text: str) -> dict[str, list[str]]:
    """Which rule labels match `text` (after stripping false friends), per rule set: the 'why'."""
    rs = rules()
    raw = _text(text)
    clean = strip_not_ms(raw, rs)
    found = {
        name: sorted({r.label for r in rs[name] if r.regex.search(raw if name == "not_ms" else clean)})
        for name in RULE_SETS
    }
    if _hits(rs, "ms_abbrev_block", raw):
        found["ms_abbrev"] = []
    return {name: labels for name, labels in found.items() if labels}


# --- population and relevance --------------------------------------------------------------


_PROGRESSIVE_SETS = ("ppms", "spms", "progressive", "progressive_in_ms")
Span = tuple[int, int, Rule]


@dataclass(frozen=True)
class Course:
    """What one text says about the MS course of the people a study enrols."""

    population: str  # a schema.PROGRESSIVE_POPULATIONS value, or RELAPSING
    pp: bool  # a PPMS term decided it
    sp: bool  # an SPMS term decided it
    labels: tuple[str, ...]  # the rule labels behind it: the "why"


def _spans(rs: Rules, rule_sets: Iterable[str], text: str) -> list[Span]:
    return [(m.start(), m.end(), r) for s in rule_sets for r in rs[s] for m in r.regex.finditer(text)]


def _inside(span: Span, covers: list[Span]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b, _ in covers)


def _blank(text: str, spans: list[Span]) -> str:
    """`text` with every span replaced by spaces (offsets kept)."""
    chars = list(text)
    for start, end, _ in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _labels(spans: list[Span]) -> tuple[str, ...]:
    return tuple(sorted({r.label for _, _, r in spans}))


def _progressive_population(pp: bool, sp: bool) -> str:
    if pp and sp:
        return "Mixed progressive"
    return "PPMS" if pp else "SPMS" if sp else "Progressive, unspecified"


def course(text: str, rs: Rules | None = None) -> Course | None:
    """The MS course one text names as its population, or None when it names none.

    Call only once MS is established (progressive_in_ms terms count). Steps, all rules as data:
    false friends (`not_ms`) and course words that name no population (`not_population`:
    conversion to SPMS as an outcome, relapsing-onset, "acute and progressive") are removed;
    a progressive term then makes the text progressive, unless every progressive term is a form
    defined by its relapses or activity (`progressive_active`: active SPMS, SPMS with relapses,
    PRMS) *and* the text also names relapsing MS (`relapsing_umbrella`): that is the relapsing-MS
    population of the labels ("RMS, including active SPMS"), so the text says Relapsing.
    """
    rs = rs or rules()
    clean = strip_not_ms(_text(text), rs)
    for rule in rs["not_population"]:
        clean = rule.regex.sub(_SEPARATOR, clean)
    progressive = _spans(rs, _PROGRESSIVE_SETS, clean)
    if progressive:
        active = _spans(rs, ["progressive_active"], clean)
        umbrella = _spans(rs, ["relapsing_umbrella"], _blank(clean, progressive + active))
        if umbrella and all(_inside(s, active) for s in progressive):
            return Course(RELAPSING, False, False, _labels(active + umbrella))
        pp = any(r.rule_set == "ppms" for _, _, r in progressive)
        sp = any(r.rule_set == "spms" for _, _, r in progressive)
        return Course(_progressive_population(pp, sp), pp, sp, _labels(progressive))
    relapsing = _spans(rs, ["relapsing"], clean)
    return Course(RELAPSING, False, False, _labels(relapsing)) if relapsing else None


def ms_population(text: str | TrialText) -> str:
    """Who a study is about (schema.POPULATIONS). A `TrialText` is read by evidence rank
    (`trial_population`); a plain string as one piece of evidence."""
    if isinstance(text, TrialText):
        return trial_population(text).population
    rs = rules()
    raw = _text(text)
    if not _ms_spans(rs, raw, strip_not_ms(raw, rs)):
        return NOT_MS
    found = course(raw, rs)
    return found.population if found else OTHER_MS


# --- population of a trial: evidence by rank -------------------------------------------------

# NOTE: titles outrank conditions, and both outrank keywords. A title is the sponsor's own
# sentence about who is enrolled ("… in Patients With Relapsing Forms of Multiple Sclerosis");
# ClinicalTrials.gov conditions are often tags picked from a list, and a relapsing trial lists
# "Secondary Progressive Multiple Sclerosis" among the forms it admits (NCT00813969, BEAT-MS).
# Keywords are search tags: "SPMS" in the keywords of ASCLEPIOS (NCT02792218) says what the
# record should be found by, not who is enrolled. A lower rank is read only when every higher
# one names no MS course.
EVIDENCE_RANKS = ("titles", "conditions", "keywords")


@dataclass(frozen=True)
class TrialText:
    """The texts in which a trial names its population (see EVIDENCE_RANKS)."""

    titles: str = ""  # brief and official title, '|'-joined
    conditions: str = ""
    keywords: str = ""

    def ranked(self) -> list[tuple[str, str]]:
        return [(name, _text(getattr(self, name))) for name in EVIDENCE_RANKS]

    def joined(self) -> str:
        """Conditions | titles | keywords: the strong text relevance and gap area are read from."""
        return " | ".join(t for t in (self.conditions, self.titles, self.keywords) if _text(t))


@dataclass(frozen=True)
class PopulationCall:
    """A trial's population and why: the text that decided it and the rule labels it matched."""

    population: str
    decided_by: str | None  # an EVIDENCE_RANKS name; None when no text names a course
    why: str


def trial_population(text: TrialText) -> PopulationCall:
    """Who a trial enrols (schema.POPULATIONS): the highest-ranked text that names a course decides.

    When it decides "Progressive, unspecified", lower-ranked texts may say which progressive forms
    (conditions "Multiple Sclerosis, Primary Progressive|…, Secondary Progressive" under a title
    saying "progressive forms"); they never turn a relapsing trial progressive or back.
    """
    rs = rules()
    raw = text.joined()
    if not _ms_spans(rs, raw, strip_not_ms(raw, rs)):
        return PopulationCall(NOT_MS, None, "no name of MS in titles, conditions or keywords")
    courses = [(name, course(t, rs)) for name, t in text.ranked()]
    named = [(name, c) for name, c in courses if c is not None]
    if not named:
        return PopulationCall(OTHER_MS, None, "MS is named, no MS course is")
    (name, top), lower = named[0], named[1:]
    population = top.population
    if population == "Progressive, unspecified":
        forms = [c for _, c in lower if is_progressive(c.population)]
        population = _progressive_population(any(c.pp for c in forms), any(c.sp for c in forms))
    return PopulationCall(population, name, _why(name, top, population, lower))


def _why(name: str, top: Course, population: str, lower: list[tuple[str, Course]]) -> str:
    why = f"{name}: {', '.join(top.labels)}"
    if population != top.population:
        why += f"; forms from lower-ranked text → {population}"
    overruled = [n for n, c in lower if is_progressive(c.population) != is_progressive(population)]
    return why + (f"; outranks {', '.join(overruled)}" if overruled else "")


def ms_relevance(strong_text: str, weak_text: str = "") -> str:
    """How MS-relevant a project is (schema.RELEVANCE); weak text needs two MS mentions."""
    rs = rules()
    strong, weak = _text(strong_text), _text(weak_text)
    clean_strong, clean_weak = strip_not_ms(strong, rs), strip_not_ms(weak, rs)
    if not (_ms_spans(rs, strong, clean_strong) or len(_ms_spans(rs, weak, clean_weak)) >= 2):
        return NOT_MS_RELEVANCE
    if _is_progressive_text(rs, clean_strong) or _is_progressive_text(rs, clean_weak):
        return PROGRESSIVE_SPECIFIC
    return MS_NOT_PROGRESSIVE


def is_progressive(population: str) -> bool:
    return population in schema.PROGRESSIVE_POPULATIONS


# --- gap area ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Study:
    rs: Rules
    strong: str  # stripped strong text
    both: str  # stripped strong + weak text
    modalities: frozenset[str]
    interventional: bool
    disease_modifying: bool  # the study tests a disease-modifying agent (agents.csv therapy_role)


def _wellbeing_modalities(s: _Study) -> bool:
    return bool(s.modalities) and s.modalities <= WELLBEING_MODALITIES


def _therapy_trial(s: _Study) -> bool:
    return s.interventional and bool(s.modalities & THERAPY_MODALITIES)


def _trial_topic(s: _Study) -> bool:
    return _hits(s.rs, "gap_trials_design", s.both) or _hits(s.rs, "gap_trials_progression", s.both)


def _topic(rule_set: str) -> Callable[[_Study], bool]:
    """A test: does `rule_set` match the study's strong text?"""
    return lambda s: _hits(s.rs, rule_set, s.strong)


def _wellbeing_topic(s: _Study) -> bool:
    """A symptom or rehabilitation topic, unless the study tests a disease-modifying therapy
    (a DMT trial whose keywords name 'fatigue' or 'cognition' is still a therapy trial)."""
    return not s.disease_modifying and _hits(s.rs, "gap_wellbeing", s.strong)


def _always(s: _Study) -> bool:
    return True


@dataclass(frozen=True)
class GapStep:
    """One row of the gap-area precedence: for these relevances, when `test` holds, → `gap_area`."""

    name: str
    relevances: frozenset[str]
    test: Callable[[_Study], bool]
    gap_area: str


_ANY_MS = frozenset({PROGRESSIVE_SPECIFIC, MS_NOT_PROGRESSIVE})
_PROG = frozenset({PROGRESSIVE_SPECIFIC})
_GENERAL = frozenset({MS_NOT_PROGRESSIVE})

# First step that applies wins. Read top to bottom, this is the whole gap-area policy.
GAP_PRECEDENCE: tuple[GapStep, ...] = (
    GapStep("well-being topic (strong text), not a DMT trial", _ANY_MS, _wellbeing_topic, WELLBEING),
    GapStep("only well-being modalities (WELLBEING_MODALITIES)", _ANY_MS, _wellbeing_modalities, WELLBEING),
    GapStep("interventional drug, biological or cell-therapy study", _PROG, _therapy_trial, TRIALS),
    GapStep("trial design, outcome or biomarker topic", _PROG, _trial_topic, TRIALS),
    GapStep("other progressive-MS research", _PROG, _always, MECHANISMS),
    GapStep("mechanism-of-progression topic (strong text)", _GENERAL, _topic("gap_mechanisms"), MECHANISMS),
    GapStep("progression measure topic (strong text)", _GENERAL, _topic("gap_trials_progression"), TRIALS),
    GapStep("other MS research", _GENERAL, _always, MS_GENERAL),
)


def gap_step(
    strong_text: str,
    weak_text: str = "",
    *,
    relevance: str,
    modalities: frozenset[str] = frozenset(),
    study_type: str | None = None,
    disease_modifying: bool = False,
) -> GapStep | None:
    """The precedence step that decides the gap area (None for "Not MS")."""
    if relevance not in schema.RELEVANCE:
        raise ValueError(f"unknown relevance {relevance!r}; expected one of {schema.RELEVANCE}")
    if relevance not in _ANY_MS:
        return None
    rs = rules()
    strong = strip_not_ms(_text(strong_text), rs)
    study = _Study(
        rs=rs,
        strong=strong,
        both=strong + _SEPARATOR + strip_not_ms(_text(weak_text), rs),
        modalities=frozenset(modalities),
        interventional=_text(study_type).strip().lower().startswith("interventional"),
        disease_modifying=disease_modifying,
    )
    return next(step for step in GAP_PRECEDENCE if relevance in step.relevances and step.test(study))


def gap_area(
    strong_text: str,
    weak_text: str = "",
    *,
    relevance: str,
    modalities: frozenset[str] = frozenset(),
    study_type: str | None = None,
    disease_modifying: bool = False,
) -> str | None:
    """The Alliance gap area (schema.GAP_AREAS) of MS research; None when not MS."""
    step = gap_step(
        strong_text,
        weak_text,
        relevance=relevance,
        modalities=modalities,
        study_type=study_type,
        disease_modifying=disease_modifying,
    )
    return step.gap_area if step else None
