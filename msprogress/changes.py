"""What changed since last time: the counting and wording behind the "What changed" page, its
deck slide and the build's report.

Every number comes from a named query: `queries/changes_window_*.sql` read the registries' own
dates in one snapshot, `queries/diff_*.sql` compare two snapshots opened together
(`Database(current, earlier=...)`, see msprogress/db.py). This module only counts their rows by
kind of change, says how the two snapshots' sources differ, and words the result. It runs in the
build (no Streamlit here) and on the page, so the build's report and the page say the same.

NOTE: trial changes are always of progressive-MS trials (the Alliance's remit, as on the Pipeline
page); grant changes follow the filters (at build time: all MS research).
"""

from __future__ import annotations

import math

import pandas as pd

from msprogress import sources, style
from msprogress.db import Database
from msprogress.filters import Filters
from msprogress.manifest import (
    AgentMove,
    ChangeSummary,
    GrantChanges,
    Manifest,
    SeriesTotals,
    TrialChanges,
)

WINDOWS = (12, 6, 3)  # months a window may last; the first is the default
# event (queries/changes_window_trials.sql) -> (counts column, words)
EVENTS = {
    "registered": ("registered", "newly registered"),
    "started": ("started", "started"),
    "completed": ("completed", "completed"),
    "stopped": ("stopped", "terminated, withdrawn or suspended"),
    "results posted": ("results_posted", "posted results"),
}
TRIAL_CHANGES = {  # diff_trials.change -> TrialChanges field
    "added": "added",
    "no longer in the source": "no_longer_in_source",
    "status": "status",
    "phase": "phase",
    "enrollment": "enrollment",
    "population": "population",
}
GRANT_CHANGES = {"added": "added", "changed": "changed", "no longer in the source": "no_longer_in_source"}
NO_REASON_NOTE = (
    "The ClinicalTrials.gov export gives no reason for stopping a trial; a `make refresh` pull (the "
    "registry's API) does, and CTIS gives none."
)


def short_name(source_id: str) -> str:
    return sources.BY_ID[source_id].short_name if source_id in sources.BY_ID else source_id


# --- two snapshots ------------------------------------------------------------------------------


def source_differences(now: Manifest, then: Manifest) -> list[str]:
    """How the sources of two snapshots differ: a source with rows in one only, or another as-of date."""
    now_s = {s.source_id: s for s in now.sources if s.rows_kept}
    then_s = {s.source_id: s for s in then.sources if s.rows_kept}
    notes = []
    for sid in sources.ids():
        name = short_name(sid)
        if sid in now_s and sid not in then_s:
            notes.append(f"{name} is only in this snapshot (as of {now_s[sid].as_of}).")
        elif sid in then_s and sid not in now_s:
            notes.append(
                f"{name} is only in the earlier snapshot (as of {then_s[sid].as_of}): its rows that no "
                "other source lists are 'no longer in the source'."
            )
        elif sid in now_s and now_s[sid].as_of != then_s[sid].as_of:
            notes.append(
                f"{name} is as of {then_s[sid].as_of} in the earlier snapshot, {now_s[sid].as_of} now."
            )
    return notes


def compare(db: Database, currency: str = "EUR") -> ChangeSummary:
    """The change summary of a pair database (all MS research; trials: progressive MS), by the
    named queries diff_trials, diff_agents, diff_grants and diff_series_totals."""
    if db.earlier is None:
        raise ValueError("compare needs a database opened with an earlier snapshot")
    f = Filters().as_struct()
    return summarise(
        db.earlier.manifest,
        trials=db.run("diff_trials", f),
        agents=db.run("diff_agents", f),
        grants=db.run("diff_grants", f, currency=currency),
        series=db.run("diff_series_totals", f, currency=currency),
        notes=pair_notes(db),
    )


def pair_notes(db: Database) -> list[str]:
    """What differs between the two snapshots of a pair besides their rows: sources and tables."""
    assert db.earlier is not None
    return source_differences(db.snapshot.manifest, db.earlier.manifest) + db.schema_notes + db.earlier_notes


def summarise(
    earlier: Manifest,
    *,
    trials: pd.DataFrame,
    agents: pd.DataFrame,
    grants: pd.DataFrame,
    series: pd.DataFrame,
    notes: list[str],
) -> ChangeSummary:
    """A ChangeSummary from the rows of the four diff queries (counted here, never re-diffed)."""
    trial_n, grant_n = trials["change"].value_counts(), grants["change"].value_counts()
    added = grants.loc[grants["change"] == "added", "source"].value_counts()
    return ChangeSummary(
        compared_with=earlier.snapshot_id,
        compared_created_at=earlier.created_at,
        trials=TrialChanges(**{field: int(trial_n.get(kind, 0)) for kind, field in TRIAL_CHANGES.items()}),
        agents=[AgentMove(**_plain(r)) for r in agents[list(AgentMove.model_fields)].to_dict("records")],
        grants=GrantChanges(
            **{field: int(grant_n.get(kind, 0)) for kind, field in GRANT_CHANGES.items()},
            added_by_source={str(k): int(v) for k, v in added.items()},
        ),
        series=[_series(r) for r in series.to_dict("records") if _series_differs(r)],
        notes=notes,
    )


def _plain(row: dict) -> dict:
    """A record with pandas' missing values as None."""
    return {k: (None if _missing(v) else v) for k, v in row.items()}


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _series_differs(r: dict) -> bool:
    pairs = (("awards_before", "awards_after"), ("awarded_before", "awarded_after"))
    for a, b in pairs:
        x, y = r[a], r[b]
        if _missing(x) != _missing(y) or (not _missing(x) and not math.isclose(float(x), float(y))):
            return True
    return False


def _series(r: dict) -> SeriesTotals:
    r = _plain(r)
    return SeriesTotals(
        series_id=r["series_id"],
        title=r["series_title"],
        awards_before=r["awards_before"],
        awards_after=r["awards_after"],
        awarded_eur_before=r["awarded_before"],
        awarded_eur_after=r["awarded_after"],
    )


def moved_text(m: AgentMove) -> str:
    """'Ibudilast: Phase 2 → Phase 3' / 'Ibudilast: new, at Phase 2'."""
    if m.stage_before is None:
        return f"{m.label}: new, at {m.stage_after}"
    if m.stage_after is None:
        return f"{m.label}: no longer in the pipeline (was {m.stage_before})"
    return f"{m.label}: {m.stage_before} → {m.stage_after}"


def count_text(n: int, one: str, many: str | None = None) -> str:
    """'1 trial', '3 trials', '2 status changes'."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


AGENT_CHANGES = ("moved up", "moved down", "new in the pipeline", "no longer in the pipeline")


def agent_change_text(moves: list[AgentMove]) -> str:
    """'1 moved up, 0 moved down, 1 new in the pipeline, 0 no longer in the pipeline'."""
    return ", ".join(f"{sum(m.change == kind for m in moves):,} {kind}" for kind in AGENT_CHANGES)


def trial_change_text(t: TrialChanges) -> str:
    return (
        f"{count_text(t.added, 'trial')} added, {t.no_longer_in_source:,} no longer in the source, "
        f"{count_text(t.status, 'status change')}, {count_text(t.phase, 'phase change')}, "
        f"{count_text(t.enrollment, 'enrollment change')}, {count_text(t.population, 'population change')}"
    )


def grant_change_text(g: GrantChanges) -> str:
    by_source = ", ".join(f"{short_name(s)} {n:,}" for s, n in g.added_by_source.items())
    return (
        f"{count_text(g.added, 'grant record')} added"
        + (f" ({by_source})" if by_source else "")
        + f", {g.changed:,} changed, {g.no_longer_in_source:,} no longer in the source"
    )


def series_text(s: SeriesTotals) -> str:
    def side(awards: int | None, money: float | None) -> str:
        return (
            "not in the snapshot"
            if awards is None
            else f"{count_text(awards, 'award')}, {style.money(money, 'EUR')}"
        )

    return f"{s.title}: then {side(s.awards_before, s.awarded_eur_before)}; now {side(s.awards_after, s.awarded_eur_after)}"


def summary_lines(s: ChangeSummary) -> list[str]:
    """The build's report: what changed since the snapshot it compared with."""
    lines = [
        f"changed since the previous snapshot {s.compared_with} (built {s.compared_created_at}):",
        f"  progressive-MS trials: {trial_change_text(s.trials)}",
        f"  pipeline agents: {agent_change_text(s.agents)}"
        + "".join(f"\n    {moved_text(m)}" for m in s.agents),
        f"  grants: {grant_change_text(s.grants)}",
    ]
    lines += [f"  award money per coverage series (EUR), {series_text(t)}" for t in s.series]
    lines += [f"  note: {n}" for n in s.notes]
    return lines


# --- one snapshot: the registries' own dates ----------------------------------------------------


def window_totals(counts: pd.DataFrame) -> dict[str, int | None]:
    """Counts column → its sum over the sources that cover the window and give the date it needs
    (None when none does: missing, not zero). `counts` are changes_window_counts rows."""
    covering = counts[counts["covers_window"]]
    columns = [c for c, _ in EVENTS.values()] + ["stopped_with_reason", "awards", "awards_year_only"]
    return {c: (None if covering[c].isna().all() else int(covering[c].sum())) for c in columns}


def window_text(counts: pd.DataFrame, kind: str = "trials") -> str:
    """'2025-09-25 for ClinicalTrials.gov and 2025-09-24 for CTIS (EU)': the window's last day per
    source of one kind (changes_window_counts rows) that covers the window."""
    rows = counts[(counts["kind"] == kind) & counts["covers_window"]]
    if rows.empty:
        return "(no source of this kind covers the window)"
    ends: dict[str, list[str]] = {d: [] for d in sorted(rows["as_of"].astype(str).unique(), reverse=True)}
    for sid, as_of in zip(rows["source"], rows["as_of"].astype(str), strict=True):
        ends[as_of].append(short_name(sid))
    return " and ".join(f"{d} for {', '.join(names)}" for d, names in ends.items())


def event_text(n: int | None, words: str) -> str:
    """'5 newly registered', or 'newly registered: not dated by the registry' (missing, not zero)."""
    return f"{words}: not dated by the registry" if n is None else f"{n:,} {words}"


def headline_lines(counts: pd.DataFrame, months: int, summary: ChangeSummary | None) -> list[str]:
    """The headline changes in a few sentences, for a text slide (and the page's opening): the
    registry activity of the window (`counts`: changes_window_counts rows for `months`), then,
    when there is an earlier snapshot, what changed since it (`summary`)."""
    t = window_totals(counts)
    events = "; ".join(event_text(t[col], words) for col, words in EVENTS.values())
    lines = [f"Progressive-MS trials, {months} months to {window_text(counts)}: {events}."]
    if t["stopped"] and t["stopped_with_reason"] is None:
        lines.append("No reason for stopping is given by the registry export.")
    if t["awards"] is not None or t["awards_year_only"]:
        dated = "none dated" if t["awards"] is None else f"{t['awards']:,} dated in the window"
        year_only = (
            f"; {count_text(t['awards_year_only'] or 0, 'more award')} dated only by a year"
            if t["awards_year_only"]
            else ""
        )
        lines.append(f"New awards, {months} months to {window_text(counts, 'funding')}: {dated}{year_only}.")
    if summary is None:
        return lines
    lines.append(f"Since snapshot {summary.compared_with}: {trial_change_text(summary.trials)}.")
    if summary.agents:
        lines.append("Pipeline: " + "; ".join(moved_text(m) for m in summary.agents) + ".")
    lines.append(f"Grants: {grant_change_text(summary.grants)}.")
    return lines
