"""What the two trial-registry readers (`ctgov`, `ctis`) share: vocabularies as data, strict CSV
reading, value parsers, and the derivations every trial gets (population, gap area, interventions).

The registries speak different dialects (ClinicalTrials.gov enum codes such as
`ACTIVE_NOT_RECRUITING`, CTIS free text such as "Therapeutic confirmatory (Phase III)"); the
tables below translate both into the vocabularies of `msprogress.schema`. Every value either
registry produced in the files of 2025-09 is listed, so an unseen value is noticed (it becomes a
`Rejection` naming the value; the trial itself is kept) rather than guessed.

Two kinds of problem, two treatments:
- a *row* that cannot become a trial (no id, duplicate id, wrong number of fields) is not kept: a
  `Rejection`, counted in `FileRead.rows_rejected`;
- a *value* that cannot be used (an unparseable date, an unknown country) leaves that field empty,
  keeps the trial, and is still recorded as a `Rejection` with the row and column, so nothing is
  lost silently. These do not count as rejected rows.

NOTE: `Rejection.row` is the CSV *record* number (header = 1). CTIS records span several lines
when a quoted field holds newlines, so record 5 may start on line 9.
NOTE: when a registry folder holds several exports, files are read newest first (by the date in
the name), so a trial present in two exports is kept from the newest and rejected as a duplicate
from the older.
NOTE: a trial's intervention list is de-duplicated on (name, registered type): CTIS names one
product once per arm and role ("Ocrevus 300 mg ..." ten times in one trial), ClinicalTrials.gov
occasionally repeats a pair. The repeats carry no information.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from msprogress import schema
from msprogress.ingest import classify, toolkit
from msprogress.ingest.base import FileRead, Rejection, SourceError, SourceResult, relpath
from msprogress.manifest import sha256_file

CROSS_REGISTRY_NOTE = (
    "A trial may be registered on both ClinicalTrials.gov and CTIS. The two files share no identifier "
    "column, so such trials appear once per registry and are not de-duplicated."
)

# --- ClinicalTrials.gov vocabularies (API v2 enum values) ------------------------------------------
CTGOV_PHASES: dict[str, str | None] = {
    "": None,  # observational and expanded-access studies have no phase
    "NA": "Not applicable",
    "EARLY_PHASE1": "Early phase 1",
    "PHASE1": "Phase 1",
    "PHASE1|PHASE2": "Phase 1/2",
    "PHASE2": "Phase 2",
    "PHASE2|PHASE3": "Phase 2/3",
    "PHASE3": "Phase 3",
    "PHASE4": "Phase 4",
}
# code -> (status as the registry's web pages write it, schema status group)
CTGOV_STATUSES: dict[str, tuple[str, str]] = {
    "RECRUITING": ("Recruiting", "Recruiting"),
    "NOT_YET_RECRUITING": ("Not yet recruiting", "Recruiting"),
    "ENROLLING_BY_INVITATION": ("Enrolling by invitation", "Recruiting"),
    "ACTIVE_NOT_RECRUITING": ("Active, not recruiting", "Active, not recruiting"),
    "COMPLETED": ("Completed", "Completed"),
    "TERMINATED": ("Terminated", "Stopped early"),
    "SUSPENDED": ("Suspended", "Stopped early"),
    "WITHDRAWN": ("Withdrawn", "Withdrawn"),
    "UNKNOWN": ("Unknown", "Unknown"),
    "AVAILABLE": ("Available", "Unknown"),  # expanded access
    "NO_LONGER_AVAILABLE": ("No longer available", "Unknown"),  # expanded access
}
CTGOV_STUDY_TYPES: dict[str, str] = {
    "INTERVENTIONAL": "Interventional",
    "OBSERVATIONAL": "Observational",
    "EXPANDED_ACCESS": "Expanded access",
}
CTGOV_SPONSOR_CLASSES: dict[str, str] = {
    "INDUSTRY": "Industry",
    "NIH": "NIH",
    "FED": "US federal (non-NIH)",
    "OTHER_GOV": "Other government",
    "NETWORK": "Network",
    "INDIV": "Individual",
    "OTHER": "Academic/other",
    "UNKNOWN": "Unknown",
}
CTGOV_ENROLLMENT_TYPES = frozenset({"ACTUAL", "ESTIMATED"})

# --- CTIS vocabularies (public search export) --------------------------------------------------------
# Keys are compared after collapsing runs of white space and case-folding (see `fold`), because the
# export writes "Therapeutic confirmatory  (Phase III)" and "Human Pharmacology (Phase I)-  Other".
# NOTE: "Phase III and phase IV (Integrated)" is a confirmatory (phase 3) trial with phase-4 elements
# (e.g. a marketed drug in a new regimen): it is mapped to Phase 3, not to the higher Phase 4, so the
# pipeline stage of an agent is not inflated by it.
CTIS_PHASES: dict[str, str] = {
    "Human Pharmacology (Phase I)- Other": "Phase 1",
    "Human Pharmacology (Phase I)- First administration to humans": "Phase 1",
    "Human Pharmacology (Phase I)- Bioequivalence Study": "Phase 1",
    "Phase I and Phase II (Integrated)- Other": "Phase 1/2",
    "Phase I and Phase II (Integrated)- First administration to humans": "Phase 1/2",
    "Therapeutic exploratory (Phase II)": "Phase 2",
    "Phase II and Phase III (Integrated)": "Phase 2/3",
    "Therapeutic confirmatory (Phase III)": "Phase 3",
    "Phase III and phase IV (Integrated)": "Phase 3",
    "Therapeutic use (Phase IV)": "Phase 4",
}
# Overall trial status -> schema status group.
# NOTE: CTIS "Ended" does not say whether a trial ended as planned or early; it is grouped as
# Completed. "Authorised, recruitment pending" is grouped with recruiting, as ClinicalTrials.gov's
# NOT_YET_RECRUITING is.
CTIS_STATUSES: dict[str, str] = {
    "Authorised, recruitment pending": "Recruiting",
    "Authorised, recruiting": "Recruiting",
    "Ongoing, recruiting": "Recruiting",
    "Ongoing, recruitment ended": "Active, not recruiting",
    "Temporarily halted": "Stopped early",
    "Ended": "Completed",
}
CTIS_SPONSOR_TYPES: dict[str, str] = {
    "Pharmaceutical company": "Industry",
    "Hospital/Clinic/Other health care facility": "Academic/other",
    "Laboratory/Research/Testing facility": "Academic/other",
    "Educational Institution": "Academic/other",
    "Health care": "Academic/other",
    "Patient organisation/association": "Academic/other",
}
CTIS_TRIAL_NUMBER = re.compile(r"^\d{4}-\d{6}-\d{2}-\d{2}$")
MISSING_MARKERS = frozenset({"", "n/a"})


# --- Files -------------------------------------------------------------------------------------------
def source_files(raw_dir: Path, subfolder: str) -> list[Path]:
    """The `*.csv` files of one registry, newest (by the date in the name) first."""
    folder = raw_dir / subfolder
    files = sorted(folder.glob("*.csv"))
    if not files:
        raise SourceError(f"{subfolder}/", f"no *.csv files in {folder}")
    return sorted(files, key=lambda p: (as_of_from_name(p, relpath(p, raw_dir)), p.name), reverse=True)


def as_of_from_name(path: Path, file: str) -> dt.date:
    """The retrieval date a file's name ends with (`..._2025-09-25.csv`)."""
    m = re.search(r"(\d{4}-\d{2}-\d{2})\.csv$", path.name)
    if not m:
        raise SourceError(
            file, "file name does not end with its retrieval date (expected ..._YYYY-MM-DD.csv)"
        )
    try:
        return dt.date.fromisoformat(m.group(1))
    except ValueError as exc:
        raise SourceError(file, f"file name date is not a date: {m.group(1)}") from exc


def read_records(path: Path, raw_dir: Path, required: Sequence[str]) -> toolkit.CsvFile:
    """A registry export read by the toolkit (UTF-8, byte-order mark allowed, quoted fields may hold
    newlines); a SourceError names the file when it cannot be read, lacks a required column (all
    missing columns are named) or holds no data row."""
    csv_file = toolkit.read_csv(path, raw_dir, required)
    if not csv_file.rows:
        raise SourceError(csv_file.file, "no data rows below the header")
    return csv_file


# --- Accumulating one reader's output ------------------------------------------------------------------
@dataclass
class Batch:
    """Rows, rejections and file accounting collected while a reader works through its files."""

    source: str
    trials: list[dict] = field(default_factory=list)
    countries: list[dict] = field(default_factory=list)
    interventions: list[dict] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    files: list[FileRead] = field(default_factory=list)
    seen_ids: dict[str, str] = field(default_factory=dict)  # trial id -> "file row n" where first kept
    latest: dt.date | None = None  # newest retrieval date among the files read


@dataclass
class RowContext:
    """One record being turned into a trial: where it came from, and a way to record problems."""

    batch: Batch
    file: str
    row: int
    as_of: dt.date

    def provenance(self) -> dict[str, object]:
        return {"source": self.batch.source, "source_file": self.file, "as_of": self.as_of}

    def reject(self, column: str | None, reason: str) -> None:
        """A value that cannot be used: the trial is kept, the value left empty, the reason recorded."""
        self.batch.rejections.append(Rejection(self.file, self.row, column, reason, row_kept=True))

    def refuse(self, column: str | None, reason: str) -> None:
        """A record that cannot become a trial: not kept, the reason recorded."""
        self.batch.rejections.append(Rejection(self.file, self.row, column, reason))


def record_dict(ctx: RowContext, record: toolkit.CsvRow) -> dict[str, str] | None:
    """The record as {column: value}, or None (not kept) when its field count differs from the header."""
    try:
        record.check_width(exact=True)
    except toolkit.RowError as err:
        ctx.refuse(None, err.reason)
        return None
    return {h: v.strip() for h, v in record.values.items()}


def claim_id(ctx: RowContext, trial_id: str, column: str) -> bool:
    """True when `trial_id` is new; otherwise record why the row is not kept."""
    if not trial_id:
        ctx.refuse(column, "missing trial id: the row has no registry identifier")
        return False
    first = ctx.batch.seen_ids.get(trial_id)
    if first:
        ctx.refuse(column, f"duplicate trial id: {trial_id} already read from {first}")
        return False
    ctx.batch.seen_ids[trial_id] = f"{ctx.file} row {ctx.row}"
    return True


def result_tables(batch: Batch) -> dict[str, pd.DataFrame]:
    """The three trial tables, columns in schema order (only those a reader fills)."""
    return {
        "trials": frame("trials", batch.trials),
        "trial_countries": frame("trial_countries", batch.countries),
        "trial_interventions": frame("trial_interventions", batch.interventions),
    }


def frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """A DataFrame of `rows` with the schema's columns (in order) and integer columns as Int64."""
    return toolkit.table_frame(table, rows)


def finish(result: SourceResult, batch: Batch) -> SourceResult:
    result.files = batch.files
    result.rejections = batch.rejections
    result.tables = result_tables(batch)
    result.as_of = batch.latest.isoformat() if batch.latest else result.as_of
    return result


def open_file(
    batch: Batch, path: Path, raw_dir: Path, required: Sequence[str]
) -> tuple[str, dt.date, toolkit.CsvFile]:
    """A registry file's relative name, retrieval date and records (see `read_records`)."""
    file = relpath(path, raw_dir)
    as_of = as_of_from_name(path, file)
    batch.latest = max(batch.latest or as_of, as_of)
    return file, as_of, read_records(path, raw_dir, required)


def file_read(path: Path, file: str, records: toolkit.CsvFile, kept: int) -> FileRead:
    n = len(records.rows)
    return FileRead(file, sha256_file(path), rows_read=n, rows_kept=kept, rows_rejected=n - kept)


# --- Values --------------------------------------------------------------------------------------------
def fold(text: str) -> str:
    """Case-folded text with white-space runs collapsed, for looking up free-text vocabularies."""
    return " ".join(text.split()).casefold()


FOLDED_CTIS_PHASES = {fold(k): v for k, v in CTIS_PHASES.items()}
FOLDED_CTIS_STATUSES = {fold(k): (k, v) for k, v in CTIS_STATUSES.items()}
FOLDED_CTIS_SPONSOR_TYPES = {fold(k): v for k, v in CTIS_SPONSOR_TYPES.items()}


def text_or_none(value: str | None) -> str | None:
    """The value, or None when empty or a missing-value marker ("N/A")."""
    if value is None or value.strip().casefold() in MISSING_MARKERS:
        return None
    return value.strip()


def parse_date(ctx: RowContext, column: str, value: str, formats: Sequence[str]) -> dt.date | None:
    """A date in one of `formats` (a month-only format gives the first of the month); else None,
    with the value recorded as not recognised."""
    value = text_or_none(value) or ""
    try:
        return toolkit.parse_date(value, column, formats)
    except toolkit.RowError:
        ctx.reject(column, f"date not recognised: {value!r} (expected {' or '.join(formats)}); left empty")
        return None


def parse_count(ctx: RowContext, column: str, value: str) -> int | None:
    """A non-negative whole number written as '735' or '735.0'; else None."""
    try:
        return toolkit.parse_int(text_or_none(value), column)
    except toolkit.RowError:
        ctx.reject(column, f"count not a whole number: {value!r}; left empty")
        return None


def phase_rank(phase: str | None) -> float | None:
    return schema.PHASE_RANK.get(phase) if phase else None


# --- Derivations -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InterventionSummary:
    """What classification needs to know of a trial's non-placebo interventions."""

    modalities: frozenset[str]
    disease_modifying: bool  # at least one agent whose curated role is disease-modifying


def classify_trial(
    text: classify.TrialText | str, arms: InterventionSummary, study_type: str | None
) -> dict[str, object]:
    """population, is_progressive and gap_area of a trial from its titles, conditions and keywords
    (population by evidence rank, see `classify.trial_population`; a plain string is one text)."""
    if isinstance(text, str):
        text = classify.TrialText(conditions=text)
    population = classify.trial_population(text).population
    progressive = classify.is_progressive(population)
    if population == "Not MS":
        relevance = "Not MS"
    else:
        relevance = "Progressive-specific" if progressive else "MS, not progression-specific"
    gap = classify.gap_area(
        text.joined(),
        relevance=relevance,
        modalities=arms.modalities,
        study_type=study_type,
        disease_modifying=arms.disease_modifying,
    )
    return {"population": population, "is_progressive": progressive, "gap_area": gap}


def add_interventions(
    ctx: RowContext, trial_id: str, pairs: Iterable[tuple[str, str | None]]
) -> InterventionSummary:
    """Classify each distinct (name, type) pair, add its row; summarise the non-placebo arms."""
    from msprogress.ingest import agents

    modalities: set[str] = set()
    disease_modifying = False
    for name, rtype in dict.fromkeys(pairs):
        match = agents.classify_intervention(name, rtype)
        ctx.batch.interventions.append(
            {
                "trial_id": trial_id,
                "intervention_name": name,
                "intervention_type": rtype,
                "modality": match.modality,
                "is_placebo": match.is_placebo,
                "agent_id": match.agent_id,
                **ctx.provenance(),
            }
        )
        if not match.is_placebo:
            modalities.add(match.modality)
            disease_modifying |= agents.therapy_role(match.agent_id) == "disease-modifying"
    return InterventionSummary(frozenset(modalities), disease_modifying)


def kinds(modalities: frozenset[str]) -> str | None:
    """The '|'-joined, sorted modalities (None when there are none)."""
    return "|".join(sorted(modalities)) or None


def read_source(
    result: SourceResult,
    raw_dir: Path,
    subfolder: str,
    required: Sequence[str],
    keep: Callable[[RowContext, dict[str, str]], bool],
    add: Callable[[RowContext, dict[str, str]], None],
) -> SourceResult:
    """Read every export of a registry: each record that parses and passes `keep` (its id check)
    is added by `add`; file accounting and rejections go into `result`."""
    batch = Batch(result.source_id)
    for path in source_files(raw_dir, subfolder):
        file, as_of, csv_file = open_file(batch, path, raw_dir, required)
        kept = 0
        for record in csv_file.rows:
            ctx = RowContext(batch, file, record.row, as_of)
            row = record_dict(ctx, record)
            if row is not None and keep(ctx, row):
                add(ctx, row)
                kept += 1
        batch.files.append(file_read(path, file, csv_file, kept))
    return finish(result, batch)
