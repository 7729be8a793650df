"""Build a snapshot: run every source reader, conform and validate, write atomically.

A snapshot is a folder `snapshots/<id>/` holding one parquet file per canonical table and a
`manifest.json` (sources, files, checksums, row accounting, coverage). It is written into a
hidden temporary folder beside its final place and renamed only after every table has been
validated and written, so an interrupted or failed build leaves no half-written snapshot and
never touches the one being served. `snapshots/CURRENT` names the served snapshot; it is
replaced atomically (`os.replace`) after the rename.
NOTE: a build killed outright (SIGKILL, power cut) cannot clean up after itself: its hidden
`.tmp-<id>-<pid>` folder or `.CURRENT.<pid>` file stays behind. Nothing reads them (they are
not snapshot ids), and the next build removes those whose process is gone.
One build runs at a time (`guard.BuildLock`, held from reading to the swap); a write that fails
(full disk, read-only folder) is a `BuildError` like any other (`guard.disk_error`); the command
line's build stops with its parent (`guard.ParentWatch`, checked once more around the swap).
Rows a reader spills (the member files': `spill.py`) stay on disk in `snapshots/.tmp-spill-<pid>/`
until they are written into the snapshot a row group at a time (`Streamed`); the folder goes
with the build.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import importlib
import os
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TypeAlias

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from msprogress import schema, sources
from msprogress.ingest import coverage, locate, nih_overlap, serving, spill
from msprogress.ingest.base import SourceError, SourceResult
from msprogress.ingest.guard import BuildError, BuildLock, disk_error
from msprogress.ingest.spill import Spill, Streamed, frame_to_arrow
from msprogress.ingest.supersede import supersede
from msprogress.manifest import (
    AgentCoverage,
    ClassificationScores,
    Coverage,
    FileEntry,
    Manifest,
    SourceEntry,
    TableEntry,
    sha256_file,
)
from msprogress.paths import ROOT
from msprogress.snapshot import Snapshot, SnapshotError, open_serving

# A file whose rows are mostly rejected is a file the readers do not understand (a new export
# layout, the wrong file): it stops the build instead of quietly losing its rows.
MOSTLY_REJECTED = 0.5

PRIMARY_KEYS = {
    "trials": ["trial_id"],
    "trial_countries": ["trial_id", "iso3"],
    "projects": ["project_id"],
    "grants": ["grant_id"],
    "agents": ["agent_id"],
    "agent_approvals": ["agent_id", "regulator", "population"],
    "organisations": ["org_id"],
    "countries": ["iso3"],
    "funding_series": ["series_id"],
    "series_coverage": ["series_id", "year"],
    "serve_trials": ["trial_id"],
    "serve_trial_sites": ["trial_id", "iso3"],
    "serve_pipeline": ["marker_id", "trial_id"],
    "serve_trial_events": ["trial_id", "event"],
    "serve_projects": ["project_id"],
    "serve_grants": ["grant_id"],
    "serve_portfolio_years": ["series_id", "year"],
    "serve_sources": ["kind", "source"],
    "serve_filter_options": ["kind", "value"],
}
VOCABULARIES = {
    ("trials", "phase"): schema.PHASES,
    ("trials", "status_group"): schema.STATUS_GROUPS,
    ("trials", "population"): schema.POPULATIONS,
    ("trials", "gap_area"): schema.GAP_AREAS,
    ("trial_interventions", "modality"): schema.MODALITIES,
    ("agents", "origin"): schema.AGENT_ORIGINS,
    ("agent_approvals", "population"): schema.APPROVED_POPULATIONS,
    ("agent_approvals", "regulator"): schema.REGULATORS,
    ("projects", "ms_relevance"): schema.RELEVANCE,
    ("projects", "gap_area"): schema.GAP_AREAS,
    ("grants", "ms_relevance"): schema.RELEVANCE,
    ("grants", "gap_area"): schema.GAP_AREAS,
    ("grants", "record_type"): schema.RECORD_TYPES,
    ("grants", "amount_basis"): schema.AMOUNT_BASES,
    ("grants", "year_convention"): schema.YEAR_CONVENTIONS,
    ("series_coverage", "coverage"): schema.COVERAGE,
    ("projects", "location_precision"): schema.LOCATION_PRECISIONS,
    ("trial_countries", "location_precision"): schema.LOCATION_PRECISIONS,
}
REFERENCES = (  # (table, column) must exist in (table, column) when not null
    ("trial_countries", "trial_id", "trials", "trial_id"),
    ("trial_interventions", "trial_id", "trials", "trial_id"),
    ("trial_interventions", "agent_id", "agents", "agent_id"),
    ("agent_approvals", "agent_id", "agents", "agent_id"),
    ("grants", "project_id", "projects", "project_id"),
    ("grants", "series_id", "funding_series", "series_id"),
    ("series_coverage", "series_id", "funding_series", "series_id"),
)

Table: TypeAlias = "pa.Table | Streamed"  # a canonical table: in memory, or partly spilled (spill.py)


def _no_progress(items: Iterable, **_: object) -> Iterable:
    return items


def run_readers(raw_dir: Path, progress: Callable[..., Iterable] = _no_progress) -> list[SourceResult]:
    """Run every registered source's reader, in registry order; titles, terms and addresses come
    from the registry, so a reader only reads."""
    results = []
    for src in progress(sources.SOURCES, desc="reading sources", unit="source"):
        module, func = src.reader.split(":")
        reader = getattr(importlib.import_module(module), func)
        try:
            result = reader(raw_dir)
        except (SourceError, BuildError):  # BuildStopped: a stop signal arrived while reading
            raise
        except Exception as exc:  # a reader bug must still name the source, not lose the snapshot
            raise BuildError(f"{src.reader} failed on {raw_dir}: {type(exc).__name__}: {exc}") from exc
        results.append(dataclasses.replace(result, title=src.title, terms=src.terms, url=src.url))
    return results


def check_mostly_rejected(results: list[SourceResult]) -> None:
    """BuildError naming the first file with at least MOSTLY_REJECTED of its rows rejected, with
    its most common reasons and their counts."""
    for r in results:
        for f in r.files:
            if f.rows_read and f.rows_rejected / f.rows_read >= MOSTLY_REJECTED:
                reasons = Counter(
                    reason_kind(j.reason, j.column)
                    for j in r.rejections
                    if j.file == f.path and not j.row_kept
                )
                top = "; ".join(f"{n:,} × {why}" for why, n in reasons.most_common(3))
                raise BuildError(
                    f"{f.path}: {f.rows_rejected:,} of {f.rows_read:,} rows rejected "
                    f"({f.rows_rejected / f.rows_read:.0%}, the limit is {MOSTLY_REJECTED:.0%}): the readers do "
                    f"not understand this file. Most common reasons: {top}"
                )


def prepare(results: list[SourceResult]) -> list[SourceResult]:
    """The build steps between reading and assembling: API pulls supersede files, the NIH file
    sources settle what they share, every project and trial site is placed on the map, every grant
    gets its coverage series."""
    results = locate.place(nih_overlap.settle(supersede(results)))
    return [coverage.assign(r) for r in results]


def conform(table: str, frames: list[pd.DataFrame]) -> pa.Table:
    """Concatenate a table's partial frames and cast them to the declared schema."""
    out = conform_parts(table, list(frames))
    assert isinstance(out, pa.Table)
    return out


def conform_parts(table: str, frames: list[pd.DataFrame | Spill]) -> Table:
    """`conform` of in-memory frames and spills (already in the schema): an Arrow table, or a
    `Streamed` one when a part is spilled. NOTE: each frame is cast on its own and dropped from
    `frames` once cast, and the Arrow parts are joined: no pandas copy of them all."""
    target = schema.arrow_schema(table)
    names = target.names
    frames[:] = [f for f in frames if isinstance(f, Spill) or (f is not None and len(f.columns))]
    for f in frames:
        extra = [] if isinstance(f, Spill) else sorted(set(f.columns) - set(names))
        if extra:
            raise BuildError(
                f"table {table}: undeclared column(s) {extra} (declare them in msprogress/schema.py)"
            )
    parts: list[pa.Table | Spill] = []
    while frames:
        f = frames.pop(0)
        if isinstance(f, Spill):
            parts.append(f.close())
        elif len(f):
            parts.append(frame_to_arrow(f, table, target))
        del f
    if any(isinstance(p, Spill) for p in parts):
        return Streamed(target.with_metadata(None), parts)
    tables = [p for p in parts if isinstance(p, pa.Table)]
    if not tables:
        return target.empty_table()
    return pa.concat_tables(tables) if len(tables) > 1 else tables[0]


def validate(tables: dict[str, Table]) -> None:
    """Check not-null columns, primary keys, vocabularies and references; raise on the first fault.
    NOTE: in Arrow, never a pandas copy of a table: the member tables may hold 100,000s of rows;
    a `Streamed` table is read a row group at a time, or only the columns a check needs."""
    for name, tbl in tables.items():
        nulls = (
            tbl.null_counts()
            if isinstance(tbl, Streamed)
            else {f.name: tbl.column(f.name).null_count for f in tbl.schema}
        )
        for field in tbl.schema:
            if not field.nullable and nulls[field.name]:
                raise BuildError(f"table {name}: column {field.name} has {nulls[field.name]} nulls")
        key = PRIMARY_KEYS.get(name)
        if key and tbl.num_rows:
            counted = tbl.select(key).group_by(key).aggregate([([], "count_all")])
            dups = counted.filter(pc.greater(counted["count_all"], 1)).select(key).slice(0, 3).to_pylist()
            if dups:
                raise BuildError(f"table {name}: duplicate key {key}, e.g. {dups}")
    for (name, col), allowed in VOCABULARIES.items():
        if name not in tables:
            continue
        values = set(tables[name].column(col).drop_null().unique().to_pylist())
        unknown = values - set(allowed)
        if unknown:
            raise BuildError(
                f"table {name}, column {col}: values outside the vocabulary: {sorted(unknown)[:5]}"
            )
    for t, c, rt, rc in REFERENCES:
        if t not in tables:
            continue
        have = tables[t].column(c).drop_null().unique()
        if not len(have):
            continue
        ref = tables[rt].column(rc).combine_chunks()
        missing = set(have.filter(pc.invert(pc.is_in(have, value_set=ref))).to_pylist())
        if missing:
            raise BuildError(
                f"table {t}.{c}: {len(missing)} value(s) not in {rt}.{rc}, e.g. {sorted(missing)[:3]}"
            )


def with_serving(tables: dict[str, Table]) -> dict[str, Table]:
    """The validated canonical tables and the serving tables derived from them (validated too)."""
    validate(tables)
    served = serving.build_serving(tables)
    validate(dict(served))
    return tables | served


def assemble(results: list[SourceResult]) -> dict[str, Table]:
    """The canonical tables from every source's partial frames and spills. NOTE: the results give
    up their frames here (their `tables` are emptied; files, rejections and notes stay for the
    manifest), and each frame is freed once it is converted to Arrow: the build never holds a
    source's rows twice over in pandas and Arrow; spilled rows stay on disk (`Streamed`)."""
    from msprogress.ingest import agents, countries

    parts: dict[str, list[pd.DataFrame | Spill]] = {t: [] for t in schema.CANONICAL_TABLES}
    for r in results:
        for t in [*r.tables, *r.spilled]:
            if t not in parts:
                raise BuildError(f"source {r.source_id}: unknown table {t!r}")
        for t, df in r.tables.items():
            parts[t].append(df)
        for t, sp in r.spilled.items():
            parts[t].append(sp)
    parts["agents"] = [agents.agents_table()]
    parts["agent_approvals"] = [agents.approvals_table()]
    if parts["trial_interventions"]:  # what an intervention is can depend on its trial
        trials, interventions = (_in_memory(parts[t], t) for t in ("trials", "trial_interventions"))
        parts["trial_interventions"] = [agents.in_trial_context(trials, interventions)]
    parts["countries"] = [countries.countries_table()]
    parts["rejections"] = [_rejections_frame(results)]
    parts["funding_series"] = [coverage.series_frame(results)]
    parts["series_coverage"] = [coverage.coverage_frame(results)]
    orgs = _in_memory(parts["organisations"], "organisations") if parts["organisations"] else None
    if orgs is not None:  # several sources may name one organisation: keep the first that has coordinates
        orgs = orgs.sort_values("latitude", na_position="last", kind="stable").drop_duplicates("org_id")
        parts["organisations"] = [orgs.sort_values("org_id").reset_index(drop=True)]
    for r in results:
        r.tables.clear()
        r.spilled.clear()
    return {t: conform_parts(t, parts.pop(t)) for t in list(parts)}


def _in_memory(frames: list[pd.DataFrame | Spill], table: str) -> pd.DataFrame:
    """A table's frames joined in pandas, for the steps that need all its rows at once (no reader
    spills these tables)."""
    if any(isinstance(f, Spill) for f in frames):
        raise BuildError(f"table {table}: spilled rows cannot be joined in memory")
    return pd.concat([f for f in frames if isinstance(f, pd.DataFrame)], ignore_index=True)


def _rejections_frame(results: list[SourceResult]) -> pd.DataFrame:
    rows = [
        {"source": r.source_id, "file": j.place, "row": j.row, "column": j.column, "reason": j.reason}
        | {"row_kept": j.row_kept}
        for r in results
        for j in r.rejections
    ]
    return pd.DataFrame(rows, columns=["source", "file", "row", "column", "reason", "row_kept"])


def reason_kind(reason: str, column: str | None = None) -> str:
    """A rejection reason without its specific values, for counting ('amount: not a number').
    A reason that opens with its column's name keeps it, so 'amount: negative' and 'amount: not a
    number' are counted apart."""
    prefix = f"{column}: " if column and reason.startswith(f"{column}: ") else ""
    rest = reason[len(prefix) :]
    return prefix + (
        re.sub(r"\s*[\('\"].*$", "", rest.split(":")[0] if ":" in rest else rest).strip() or rest
    )


def manifest(
    snapshot_id: str, results: list[SourceResult], tables: dict[str, Table], files: dict[str, str]
) -> Manifest:
    from msprogress.ingest import agents, evaluate

    trials = _whole(tables["trials"]).to_pandas()
    return Manifest(
        snapshot_id=snapshot_id,
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        code_version=_git_version(),
        inputs_sha256=_inputs_hash(results),
        sources=[_source_entry(r) for r in results],
        tables={t: TableEntry(rows=tables[t].num_rows, file=f"{t}.parquet", sha256=files[t]) for t in tables},
        coverage=Coverage(
            agents=AgentCoverage.model_validate(
                agents.coverage(trials, _whole(tables["trial_interventions"]).to_pandas())
            ),
            classification=ClassificationScores.model_validate(evaluate.evaluate(trials)),
            trials_by_population=_counts(trials, "population"),
            trials_by_gap_area=_counts(trials, "gap_area"),
            projects_by_relevance=_arrow_counts(tables["projects"], "ms_relevance"),
            grants_by_record_type=_arrow_counts(tables["grants"], "record_type"),
        ),
    )


def _counts(df: pd.DataFrame, col: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in df[col].fillna("(none)").value_counts().sort_index().items()}


def _whole(tbl: Table) -> pa.Table:
    if isinstance(tbl, Streamed):
        return tbl.select(tbl.schema.names)
    return tbl


def _arrow_counts(tbl: Table, col: str) -> dict[str, int]:
    """_counts of an Arrow column, without a pandas copy of its table."""
    counts = pc.value_counts(pc.fill_null(tbl.column(col).cast(pa.string()), "(none)"))
    return dict(sorted((str(c["values"]), int(c["counts"])) for c in counts.to_pylist()))


def _source_entry(r: SourceResult) -> SourceEntry:
    def by_reason(kept: bool) -> dict[str, int]:
        kinds = Counter(reason_kind(j.reason, j.column) for j in r.rejections if j.row_kept == kept)
        return dict(sorted(kinds.items()))

    return SourceEntry(
        source_id=r.source_id,
        title=r.title,
        url=r.url,
        terms=r.terms,
        as_of=r.as_of,
        rows_read=r.rows_read,
        rows_kept=r.rows_kept,
        rows_rejected=r.rows_rejected,
        files=[FileEntry(**vars(f)) for f in r.files],
        rejections_by_reason=by_reason(False),
        warnings_by_reason=by_reason(True),
        notes=r.notes,
    )


def _inputs_hash(results: list[SourceResult]) -> str:
    h = hashlib.sha256()
    for f in sorted((f.path, f.sha256) for r in results for f in r.files):
        h.update(f"{f[0]}:{f[1]}\n".encode())
    return h.hexdigest()


def _git_version() -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def new_snapshot_id(results: list[SourceResult]) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")  # microseconds: quick rebuilds differ
    return f"{stamp}-{_inputs_hash(results)[:8]}"


def write_snapshot(
    snapshots_dir: Path,
    snapshot_id: str,
    tables: dict[str, Table],
    results: list[SourceResult],
    progress: Callable[..., Iterable] = _no_progress,
) -> Path:
    """Write tables and manifest into a temporary folder, then rename it into place."""
    final = snapshots_dir / snapshot_id
    if final.exists():
        raise BuildError(f"snapshot {snapshot_id} already exists; snapshots are never overwritten")
    snapshots_dir.mkdir(parents=True, exist_ok=True)
    sweep_stale(snapshots_dir)
    tmp = snapshots_dir / f".tmp-{snapshot_id}-{os.getpid()}"
    try:
        tmp.mkdir()
        checksums = {}
        for name in progress(sorted(tables), desc="writing tables", unit="table"):
            path = tmp / f"{name}.parquet"
            tbl = tables[name]
            if isinstance(tbl, Streamed):  # a row group at a time: spilled rows are never loaded whole
                tbl.write(path, compression="zstd")
            else:
                pq.write_table(tbl, path, **serving.parquet_options(name))
            checksums[name] = sha256_file(path)
        with_changes(manifest(snapshot_id, results, tables, checksums), tmp, snapshots_dir).write(
            tmp / "manifest.json"
        )
        _fsync_dir(tmp)
        os.rename(tmp, final)
        _fsync_dir(snapshots_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def with_changes(m: Manifest, folder: Path, snapshots_dir: Path) -> Manifest:
    """The manifest with what changed since the snapshot served now (CURRENT, else the last good
    one), computed by the "what changed" queries over the two opened read-only together; unchanged
    when there is no earlier snapshot to compare with."""
    from msprogress import changes
    from msprogress.db import Database

    try:
        earlier, _ = open_serving(snapshots_dir)
    except SnapshotError:
        return m  # the first snapshot: nothing to compare with
    pair = Database(Snapshot(m.snapshot_id, folder, m), threads=2, earlier=earlier)
    return m.model_copy(update={"changes": changes.compare(pair)})


def sweep_stale(snapshots_dir: Path) -> list[str]:
    """Remove staging folders and CURRENT temp files left by killed builds; return their names.

    Their names end with the writing process's id: one whose process still runs (a concurrent
    build) is left alone, and so is a name that carries no id."""
    removed = []
    for p in sorted(snapshots_dir.glob(".tmp-*")) + sorted(snapshots_dir.glob(".CURRENT.*")):
        pid = p.name.rsplit("-" if p.name.startswith(".tmp-") else ".", 1)[-1]
        if not pid.isdigit() or _process_alive(int(pid)):
            continue
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        removed.append(p.name)
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0: existence check only
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _fsync_dir(path: Path) -> None:
    for child in path.iterdir():
        if child.is_file():
            with child.open("rb") as fh:
                os.fsync(fh.fileno())
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


Guard = Callable[[], AbstractContextManager[object]]


def set_current(snapshots_dir: Path, snapshot_id: str, guard: Guard = contextlib.nullcontext) -> None:
    """Point CURRENT at `snapshot_id` atomically; `guard` wraps the swap itself (ParentWatch.swap:
    a build whose parent is gone stops here, before CURRENT moves)."""
    if not (snapshots_dir / snapshot_id / "manifest.json").is_file():
        raise BuildError(f"no snapshot {snapshot_id} in the snapshots folder")
    tmp = snapshots_dir / f".CURRENT.{os.getpid()}"
    tmp.write_text(snapshot_id + "\n")
    try:
        with guard():
            os.replace(tmp, snapshots_dir / "CURRENT")
    finally:
        tmp.unlink(missing_ok=True)


def build(
    raw_dir: Path,
    snapshots_dir: Path,
    *,
    make_current: bool = True,
    progress: Callable[..., Iterable] = _no_progress,
    on_wait: Callable[[str], None] = lambda _: None,
    guard: Guard = contextlib.nullcontext,
) -> Path:
    """Read every source in `raw_dir` and write a new snapshot; return its folder. One build at a
    time: another build's lock makes this one wait (`on_wait` says so)."""
    with BuildLock(snapshots_dir, on_wait), spill.into(snapshots_dir / f".tmp-spill-{os.getpid()}"):
        results = run_readers(raw_dir, progress)
        check_mostly_rejected(results)
        results = prepare(results)
        tables = with_serving(assemble(results))
        snapshot_id = new_snapshot_id(results)
        try:
            path = write_snapshot(snapshots_dir, snapshot_id, tables, results, progress)
            if make_current:
                set_current(snapshots_dir, snapshot_id, guard)
        except OSError as exc:
            raise disk_error(exc, snapshots_dir) from exc
    return path
