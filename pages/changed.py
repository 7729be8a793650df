"""What changed since last time: registry activity in a window, and the difference from an earlier snapshot.

Two questions a board member brings to every meeting, answered from two kinds of evidence:
1. within the served snapshot, the registries' own dates: progressive-MS trials newly registered,
   started, completed, stopped and with results posted, and new awards, in the 3, 6 or 12 months
   up to each source's as-of date (`window`);
2. between the served snapshot and an earlier one on this server (`since`, default the newest
   earlier one): trials added and no longer in their source, status, phase and enrollment changes,
   agents whose pipeline stage moved, grants added, changed and removed, series totals then and now.
Both are named queries (`changes_window_*`, `diff_*`); the words come from `msprogress.changes`.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st

from msprogress import changes, data, page, presenter, schema, style
from msprogress.charts import changes as charts
from msprogress.db import QueryError
from msprogress.filters import Filters
from msprogress.manifest import ChangeSummary
from msprogress.markup import md_escape, plotly_text
from msprogress.snapshot import SnapshotError

CURRENCIES = tuple(style.CURRENCY_LABELS)
TRIAL_LINK = st.column_config.LinkColumn(
    "Record", display_text=r"(NCT\d{8}|\d{4}-\d{6}-\d{2}-\d{2})", help="Opens the registry record"
)
GRANT_LINK = st.column_config.LinkColumn("Source page", display_text="record")
EVENT_COLUMNS = ["url", "event_date", "date_basis", "brief_title", "phase", "status", "population", "sponsor"]
TRIAL_DIFF_COLUMNS = ["url", "brief_title", "before", "after", "population", "phase", "status", "source"]
GRANT_DIFF_COLUMNS = [
    "url",
    "grant_id",
    "funder",
    "record_type",
    "year",
    "title",
    "amount_before",
    "amount_after",
    "source",
]


SERIES_COLUMNS = {
    "awards": "Awards",
    "awarded": "Money",
    "first_year": "First year",
    "last_year": "Last year",
}
WHEN = {"before": "then", "after": "now"}


WINDOWS = [str(m) for m in changes.WINDOWS]
VIEW = page.View(
    "changed",
    [
        page.Key("window", "changed_window", WINDOWS),
        page.Key("currency", "changed_currency", list(CURRENCIES)),
        page.Key("since", "changed_since"),  # the earlier snapshots on this server, known at run time
    ],
)


def view(earlier: list[str]) -> tuple[int, str | None, str]:
    """Draw the window, earlier-snapshot and currency switches; return the window (months), the
    earlier snapshot compared with (None: none on this server) and the currency."""
    with st.container(horizontal=True, gap="medium"):  # NOTE: each switch as wide as its labels: none is cut
        st.segmented_control("Window", WINDOWS, format_func=lambda m: f"{m} months", key="changed_window")
        if earlier:
            st.selectbox(
                "Compare with the data built",
                earlier,
                format_func=lambda sid: data.snapshot_created(sid)[:16].replace("T", " ") + " UTC",
                help="An earlier snapshot of the data on this server, by when it was built (its id is in the URL, "
                "`since=`, and on the About page).",
                key="changed_since",
                width=280,
            )
        st.segmented_control("Currency", CURRENCIES, key="changed_currency")
    values = VIEW.write({"since": earlier[0] if earlier else ""})
    return int(values["window"]), values.get("since") if earlier else None, values["currency"]


def compared(
    f: Filters, since: str | None, currency: str
) -> tuple[dict[str, pd.DataFrame], list[str]] | None:
    """The four diff query results and the pair's notes; None (with a notice) when the earlier
    snapshot cannot be opened."""
    if since is None:
        return None
    try:
        frames = {
            "trials": data.diff_trials(f, since),
            "agents": data.diff_agents(f, since),
            "grants": data.diff_grants(f, since, currency),
            "series": data.diff_series_totals(f, since, currency),
        }
        return frames, data.pair_notes(since)
    except (SnapshotError, QueryError) as exc:
        st.error(f"The earlier snapshot cannot be compared with: {md_escape(str(exc))}", icon="⚠️")
        return None


def titles(table: str, columns: list[str], **own: object) -> dict[str, object]:
    """Column titles of a table shown: the data dictionary's (schema.py) where the column is declared,
    else the ones given; dates as dates."""
    declared = {c.name: c for c in schema.TABLES[table]}
    config: dict[str, object] = {}
    for name in columns:
        if name in own:
            config[name] = own[name]
        elif name in declared and declared[name].type == "date":
            config[name] = st.column_config.DateColumn(declared[name].title)
        elif name in declared:
            config[name] = declared[name].title
    return config


def event_table(events: pd.DataFrame, event: str, extra: list[str] | None = None) -> None:
    columns = EVENT_COLUMNS + (extra or [])
    page.table(
        events.loc[events["event"] == event, columns],
        hide_index=True,
        width="stretch",
        column_config=titles(
            "trials",
            columns,
            url=TRIAL_LINK,
            event_date=st.column_config.DateColumn("Date"),
            date_basis="Date is the",
            why_stopped="Why stopped (registry)",
        ),
    )


def diff_tables(
    df: pd.DataFrame,
    kinds: Iterable[str],
    unit: str,
    columns: list[str],
    config: dict[str, object],
    lead: str,
    heading: str | None = None,
) -> None:
    """`lead` (a line of counts), then a table for each kind of change that has rows, each its own
    slide (`heading` over the first); one line naming the kinds without rows."""
    shown = [(c, df[df["change"] == c]) for c in kinds if (df["change"] == c).any()]
    none = [c for c in kinds if not (df["change"] == c).any()]
    for i, (change, rows) in enumerate(shown or [("", df.iloc[0:0])]):
        with page.slide(heading if i == 0 else None):
            if i == 0 or presenter.is_on():  # a slide repeats the line its table belongs to
                st.markdown(lead)
            if change:
                st.markdown(f"*{change[:1].upper() + change[1:]}: {changes.count_text(len(rows), unit)}*")
                page.table(rows[columns], hide_index=True, width="stretch", column_config=config)
            if none and i == max(len(shown) - 1, 0):
                st.caption("None: " + "; ".join(none) + ".")


def headline_metrics(totals: dict[str, int | None], summary: ChangeSummary | None) -> None:
    """The window's counts (missing when no registry dates them), then the pair's main changes."""
    c = st.columns(len(changes.EVENTS))
    for col, (column, label) in zip(c, charts.EVENT_LABELS.items(), strict=True):
        n = totals[column]
        col.metric(label, "not dated" if n is None else f"{n:,}", help="Progressive-MS trials in the window.")
    if summary is not None:
        t, moved = summary.trials, [m for m in summary.agents if m.change != "no longer in the pipeline"]
        cols = st.columns(4)
        cols[0].metric(
            "Trials added", f"{t.added:,}", help="Progressive-MS trials in this snapshot, not in the earlier."
        )
        cols[1].metric("Trial status changes", f"{t.status:,}")
        cols[2].metric(
            "Agents moved or new", f"{len(moved):,}", help="Pipeline stage moved, or new in the pipeline."
        )
        cols[3].metric("Grant records added", f"{summary.grants.added:,}")


def pipeline_link(agents: pd.DataFrame) -> None:
    """A link to the Pipeline page with the moved and new agents ringed."""
    moved = agents.loc[agents["change"] != "no longer in the pipeline", "marker_id"]
    ids = [m.removeprefix("agent:") for m in moved if m.startswith("agent:")]  # the pipeline rings agent ids
    if ids:
        st.page_link(
            "pages/pipeline.py",
            label=f"See the {len(ids)} moved or new agents ringed on the Therapy pipeline",
            query_params={"highlight": ",".join(ids)},
        )


f = page.filters()

# 1. Title, notices, view switches ---------------------------------------------------------
st.title("What changed")
earlier = data.earlier_snapshots()
notices = VIEW.seed({"since": earlier} if earlier else {})
if not earlier and st.query_params.get("since"):
    notices.append("Ignored since: no earlier snapshot exists on this server.")
page.show_notices(*notices)
page.showing(f)
with page.controls():
    months, since, currency = view(earlier)

# 2. Data -----------------------------------------------------------------------------------
counts = data.changes_window_counts(f, months)
events = data.changes_window_trials(f, months)
awards = data.changes_window_awards(f, months, currency)
pair = compared(f, since, currency)
summary: ChangeSummary | None = None
if pair is not None:
    summary = changes.summarise(data.earlier_manifest(since or ""), notes=pair[1], **pair[0])
    if pair[1]:  # honest limits first: what differs between the two snapshots besides their rows
        st.warning(
            "**These two snapshots differ in their sources or tables**, so some differences below come "
            "from that rather than from the registries or funders:\n"
            + "\n".join(f"- {md_escape(n)}" for n in pair[1]),
            icon="⚠️",
        )
elif not data.earlier_snapshots():
    st.info(
        "No earlier snapshot exists on this server, so only the registries' own dates can be shown. "
        "After the next `make snapshot`, this page also lists what changed since this one.",
        icon="ℹ️",
    )

# 3. Headline -------------------------------------------------------------------------------
with page.slide(f"Headline: the last {months} months"):
    totals = changes.window_totals(counts)
    headline_metrics(totals, summary)
    st.markdown("\n".join(f"- {md_escape(line)}" for line in changes.headline_lines(counts, months, summary)))
window = changes.window_text(counts)
with page.slide():
    page.chart(
        charts.activity_bars(
            counts,
            f"Progressive-MS trials: registry activity in the {months} months to {window}",
            subtitle=f"trials per event, by registry · filters: {plotly_text(page.describe(f))}",
        ),
        "changed_registry_activity",
        page.TRIAL_SOURCES,
        f,
    )
    page.caption(
        page.TRIAL_SOURCES,
        f,
        extra="Dated by the registries: first posted (CTIS: authorisation decision), start, completion, results "
        "first posted. A terminated trial is dated by its completion date; a withdrawn, suspended or halted one "
        "by its record's last update (the registries do not date a status change). Anticipated starts are not "
        "counted. A trial in both registries counts twice.",
    )
if summary is not None:
    with page.slide():
        page.chart(
            charts.change_bars(
                summary,
                f"What changed since the data built {summary.compared_created_at[:10]}",
                subtitle=f"progressive-MS trials and grant records · filters: {plotly_text(page.describe(f))}",
            ),
            "changed_since_snapshot",
            page.TRIAL_SOURCES + page.FUNDING_SOURCES,
            f,
        )
        page.caption(
            page.TRIAL_SOURCES + page.FUNDING_SOURCES,
            f,
            extra="Trials: progressive MS. A trial or grant missing from the current snapshot is 'no longer in "
            "the source': the source file no longer lists it, which does not mean it was deleted.",
        )

# 4. Registry activity in the window (on a slide, one kind of event a slide) ---------------------
for i, (event, (column, words)) in enumerate(changes.EVENTS.items()):
    with page.slide(f"Progressive-MS trials in the {months} months to {window}" if i == 0 else None):
        n = totals[column]
        shown = "not dated by the registries" if n is None else changes.count_text(n, "trial")
        st.markdown(f"**{words[:1].upper() + words[1:]}: {shown}**")
        if n:
            event_table(events, event, ["why_stopped"] if event == "stopped" else None)
        if event == "stopped" and totals["stopped"] and totals["stopped_with_reason"] is None:
            st.caption(changes.NO_REASON_NOTE)
        page.caption(page.TRIAL_SOURCES, f, extra="Each list links to the registry record.")

# 5. New awards in the window ---------------------------------------------------------------
with page.slide(f"New awards in the {months} months to {changes.window_text(counts, 'funding')}"):
    stale = counts[(counts["kind"] == "funding") & ~counts["covers_window"]]
    dated, year_only = awards[awards["placed"] == "dated"], awards[awards["placed"] == "year only"]
    st.markdown(
        f"**{len(dated):,} awards dated in the window** (by award date, else start date)"
        + (f"; {len(year_only):,} more dated only by a year that overlaps it." if len(year_only) else ".")
    )
    if not awards.empty:
        award_columns = [
            "url",
            "placed",
            "award_date",
            "funder",
            "programme",
            "year",
            "title",
            "amount",
            "currency",
            "amount_cur",
        ]
        page.table(
            awards[award_columns],
            hide_index=True,
            width="stretch",
            column_config=titles(
                "grants",
                award_columns,
                url=GRANT_LINK,
                placed="In the window",
                award_date=st.column_config.DateColumn("Dated"),
                amount_cur=st.column_config.NumberColumn(f"Amount ({currency})"),
            ),
        )
    page.caption(
        page.FUNDING_SOURCES,
        f,
        extra="Award records only (programme totals and calls are not awards). Sources whose data end before "
        "the window: "
        + (
            ", ".join(
                f"{changes.short_name(s)} (as of {d})"
                for s, d in zip(stale["source"], stale["as_of"], strict=True)
            )
            or "none"
        )
        + ".",
    )

# 6. Since the earlier snapshot (on a slide, one kind of change a slide) ---------------------------
if pair is not None and summary is not None:
    frames = pair[0]
    diff_tables(
        frames["trials"],
        changes.TRIAL_CHANGES,
        "trial",
        TRIAL_DIFF_COLUMNS,
        titles("trials", TRIAL_DIFF_COLUMNS, url=TRIAL_LINK, before="Before", after="Now"),
        f"**Progressive-MS trials:** {changes.trial_change_text(summary.trials)}.",
        f"Since the data built {summary.compared_created_at[:10]}",
    )
    with page.slide():
        st.markdown(f"**Pipeline agents:** {changes.agent_change_text(summary.agents)}.")
        if not frames["agents"].empty:
            page.table(
                frames["agents"][["label", "mechanism_class", "change", "stage_before", "stage_after"]],
                hide_index=True,
                width="stretch",
                column_config={"label": "Agent", "mechanism_class": "Mechanism class", "change": "Change"}
                | {"stage_before": "Stage then", "stage_after": "Stage now"},
            )
            pipeline_link(frames["agents"])
    grant_columns = GRANT_DIFF_COLUMNS + ["changed_fields"]
    money = {
        c: st.column_config.NumberColumn(f"Amount {c[7:]} ({currency})")
        for c in grant_columns
        if c.startswith("amount_")
    }
    diff_tables(
        frames["grants"],
        changes.GRANT_CHANGES,
        "grant record",
        grant_columns,
        titles("grants", grant_columns, url=GRANT_LINK, changed_fields="Fields changed", **money),
        f"**Grants:** {changes.grant_change_text(summary.grants)}.",
    )
    with page.slide():
        st.markdown(
            f"**Award money per coverage series ({currency}), then and now** (each series compared only with itself)"
        )
        page.table(
            frames["series"].drop(columns="series_id"),
            hide_index=True,
            width="stretch",
            column_config={"series_title": "Coverage series"}
            | {
                f"{what}_{when}": f"{title} {word}"
                for what, title in SERIES_COLUMNS.items()
                for when, word in WHEN.items()
            },
        )
        page.caption(
            page.TRIAL_SOURCES + page.FUNDING_SOURCES,
            f,
            extra=f"Amounts in {currency}, each snapshot's own conversion; missing amounts are missing, not zero.",
        )
