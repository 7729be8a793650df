"""The snapshot manifest as a typed object, shared by the writer (the build) and the app.

`manifest.json` says what a snapshot is: its id, when and from which code and inputs it was
built, every source with its files, checksums, row accounting and notes, every table file with
its checksum, and the classification and change summaries. The build writes a `Manifest`; the app
reads one (`Manifest.read`), so a key renamed on one side fails loudly on the other instead of
showing an empty caption. Models are frozen: the app never edits a manifest.

NOTE: pydantic (already the project's validator for member files) parses and checks the JSON;
unknown keys are refused, so a manifest written by newer code is reported rather than misread.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FileEntry(_Model):
    path: str  # relative to data/raw/
    sha256: str
    rows_read: int
    rows_kept: int
    rows_rejected: int
    rows_hidden: int = 0  # a workbook's hidden rows, skipped and counted (snapshots before issue 14: 0)


class SourceEntry(_Model):
    source_id: str
    title: str
    url: str
    terms: str
    as_of: str  # ISO date; empty when the source had nothing to date (no member files)
    rows_read: int
    rows_kept: int
    rows_rejected: int
    files: list[FileEntry]
    rejections_by_reason: dict[str, int]  # rows not kept, by kind of reason
    warnings_by_reason: dict[str, int] = Field(default_factory=dict)  # values left empty, rows kept
    notes: list[str]


class TableEntry(_Model):
    rows: int
    file: str
    sha256: str


class AgentCoverage(_Model):
    progressive_drug_trials: int
    fully_mapped: int
    share: float | None  # None when no progressive drug trial is in the snapshot
    drug_interventions: int
    drug_interventions_mapped: int


class Score(_Model):
    """Precision and recall of one class against the hand-labelled set, with the counts."""

    precision: float | None  # None: no trial is labelled or classified in the class (NaN in JSON)
    recall: float | None
    tp: int
    fp: int
    fn: int


class ClassificationScores(_Model):
    """The progressive flag and population labels scored against data/reference/progressive_eval.csv
    (see msprogress/ingest/evaluate.py)."""

    labelled_trials: int
    labelled_progressive: int
    scored: int
    missing: int
    by_registry: dict[str, int]
    is_progressive: Score
    population_accuracy: float | None
    population: dict[str, Score]


class Coverage(_Model):
    agents: AgentCoverage
    classification: ClassificationScores | None = None
    trials_by_population: dict[str, int]
    trials_by_gap_area: dict[str, int]
    projects_by_relevance: dict[str, int]
    grants_by_record_type: dict[str, int]


class TrialChanges(_Model):
    """Progressive-MS trials that changed between two snapshots, by kind of change (queries/diff_trials.sql)."""

    added: int
    no_longer_in_source: int  # the source file no longer lists it (not "deleted")
    status: int
    phase: int
    enrollment: int
    population: int


class AgentMove(_Model):
    """An agent whose pipeline stage differs between two snapshots (queries/diff_agents.sql)."""

    agent_id: str
    label: str
    change: str  # 'moved up', 'moved down', 'new in the pipeline', 'no longer in the pipeline'
    stage_before: str | None
    stage_after: str | None


class GrantChanges(_Model):
    """Grant records added, changed and no longer in their source (queries/diff_grants.sql)."""

    added: int
    changed: int
    no_longer_in_source: int
    added_by_source: dict[str, int]


class SeriesTotals(_Model):
    """Award money of one coverage series in both snapshots, in EUR (queries/diff_series_totals.sql):
    a series is compared only with itself; None where the series is absent or states no amount."""

    series_id: str
    title: str
    awards_before: int | None
    awards_after: int | None
    awarded_eur_before: float | None
    awarded_eur_after: float | None


class ChangeSummary(_Model):
    """What changed since an earlier snapshot (the one served when this one was built), computed by
    the build with the same named queries the "What changed" page runs, over all MS research."""

    compared_with: str  # the earlier snapshot's id
    compared_created_at: str
    trials: TrialChanges
    agents: list[AgentMove]
    grants: GrantChanges
    series: list[SeriesTotals]  # the series whose totals or award counts differ
    notes: list[str]  # sources or tables that differ between the two snapshots


class SyntheticLabel(_Model):
    """Set by the benchmark's generator (bench/synthetic.py): this snapshot is SYNTHETIC."""

    note: str
    scale: float
    of: str  # the real snapshot it was resampled from


class Manifest(_Model):
    snapshot_id: str
    created_at: str
    code_version: str | None
    inputs_sha256: str
    sources: list[SourceEntry]
    tables: dict[str, TableEntry]
    coverage: Coverage
    synthetic: SyntheticLabel | None = None
    changes: ChangeSummary | None = None  # None: no earlier snapshot to compare with

    @classmethod
    def read(cls, path: Path) -> Manifest:
        return cls.model_validate_json(path.read_text())

    def write(self, path: Path) -> None:
        path.write_text(self.model_dump_json(indent=2))

    def source(self, source_id: str) -> SourceEntry | None:
        return next((s for s in self.sources if s.source_id == source_id), None)

    def sources_with_rows(self, ids: tuple[str, ...]) -> list[SourceEntry]:
        """The sources among `ids` that contributed rows, in manifest order."""
        return [s for s in self.sources if s.source_id in ids and s.rows_kept]

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump()


def sha256_file(path: Path) -> str:
    """A file's SHA-256, as the manifest records it and the app checks it before serving."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
