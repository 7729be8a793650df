"""Explore records: the trials, projects and grant records behind every figure.

Each tab is one named query (`explore_trials`, `explore_projects`, `explore_grants`) with the
global filters and this page's own search applied in SQL. The table sorts by clicking a header;
the CSV and Excel downloads are built from the very DataFrame shown (same rows, columns, order
and display cap), see `msprogress/exports.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

import pandas as pd
import streamlit as st

from msprogress import data, exports, page, queries
from msprogress.markup import md_code

f = page.filters()
MAX_ROWS = 5_000
HOST = r"https?://(?:www\.)?([^/?#]+)"  # a link shows the site it opens (reporter.nih.gov …)
cc = st.column_config


@dataclass(frozen=True)
class Table:
    kind: str  # query explore_<kind>, file name
    noun: str  # "trials match"
    sources: tuple[str, ...]
    order: str  # the query's row order, in words
    note: str  # caption text
    columns: dict[str, dict] = field(default_factory=dict)  # query column -> st.column_config


TRIALS = Table(
    "trials",
    "trials",
    page.TRIAL_SOURCES,
    "newest start date first",
    "One row per registry record: a trial registered on both ClinicalTrials.gov and CTIS appears twice. "
    "Countries: CTIS lists every EU/EEA country; ClinicalTrials.gov gives the first listed site only.",
    {
        "trial_id": cc.TextColumn("Trial id", pinned=True),
        "url": cc.LinkColumn("Registry page", display_text=HOST),
        "brief_title": cc.TextColumn("Title", width="large"),
        "phase": cc.TextColumn("Phase"),
        "status": cc.TextColumn("Status"),
        "population": cc.TextColumn("MS population"),
        "gap_area": cc.TextColumn("Gap area"),
        "intervention_kinds": cc.TextColumn("Intervention kinds"),
        "start_date": cc.DateColumn("Start date", format="YYYY-MM-DD"),
        "completion_date": cc.DateColumn("Completion date", format="YYYY-MM-DD"),
        "enrollment": cc.NumberColumn("Enrollment (participants)", format="%,d"),
        "sponsor": cc.TextColumn("Sponsor"),
        "countries": cc.TextColumn("Countries listed"),
        "total_locations": cc.NumberColumn("Sites", format="%,d"),
        "study_type": cc.TextColumn("Study type"),
        "registry": cc.TextColumn("Registry"),
        "as_of": cc.DateColumn("As of", format="YYYY-MM-DD"),
    },
)

PROJECTS = Table(
    "projects",
    "research projects",
    page.FUNDING_SOURCES,
    "newest start date first",
    "Awarded sums the project's award records that state an amount, in all years, each converted at the "
    "ECB euro reference rate (annual mean of its year); programme totals are never included. "
    "Empty = no amount stated, never 0.",
    {
        "project_id": cc.TextColumn("Project id", pinned=True, width="medium"),
        "url": cc.LinkColumn("Record page", display_text=HOST),
        "title": cc.TextColumn("Title", width="large"),
        "funder": cc.TextColumn("Funder"),
        "start_date": cc.DateColumn("Start", format="YYYY-MM-DD"),
        "end_date": cc.DateColumn("End", format="YYYY-MM-DD"),
        "award_records": cc.NumberColumn("Award records", format="%,d"),
        "awarded_eur": cc.NumberColumn("Awarded (EUR, ECB annual mean rate)", format="%,.0f"),
        "pi": cc.TextColumn("Lead investigator"),
        "organisation": cc.TextColumn("Organisation"),
        "city": cc.TextColumn("City"),
        "country": cc.TextColumn("Country"),
        "ms_relevance": cc.TextColumn("MS relevance"),
        "gap_area": cc.TextColumn("Gap area"),
        "source": cc.TextColumn("Source"),
        "as_of": cc.DateColumn("As of", format="YYYY-MM-DD"),
    },
)

GRANTS = Table(
    "grants",
    "grant records",
    page.FUNDING_SOURCES,
    "newest year first, then funder",
    "Amounts as the source states them, in their own currency, and in EUR at the ECB euro reference rate "
    "(mean of the year's daily rates; years before 1999 use 1999; a year without ECB rates for the currency: "
    "interpolated, as the Conversion column says). Empty = not stated, never 0. "
    "Record type 'programme' is a round's total and 'call' an announcement: they overlap the awards "
    "inside them and are never added to award rows.",
    {
        "grant_id": cc.TextColumn("Grant id", pinned=True),
        "url": cc.LinkColumn("Source page", display_text=HOST),
        "funder": cc.TextColumn("Funder"),
        "year": cc.NumberColumn("Year", format="%d"),
        "record_type": cc.TextColumn("Record type"),
        "amount": cc.NumberColumn("Amount (original currency)", format="%,.0f"),
        "currency": cc.TextColumn("Currency"),
        "amount_eur": cc.NumberColumn("Amount (EUR, ECB annual mean rate)", format="%,.0f"),
        "amount_basis": cc.TextColumn("Amount basis"),
        "title": cc.TextColumn("Title", width="medium"),
        "programme": cc.TextColumn("Programme"),
        "year_convention": cc.TextColumn("Year convention"),
        "n_awards": cc.NumberColumn("Awards covered", format="%,d"),
        "start_year": cc.NumberColumn("First year", format="%d"),
        "end_year": cc.NumberColumn("Last year", format="%d"),
        "fx_method": cc.TextColumn("Conversion"),
        "country": cc.TextColumn("Country"),
        "ms_relevance": cc.TextColumn("MS relevance"),
        "gap_area": cc.TextColumn("Gap area"),
        "project_id": cc.TextColumn("Project id"),
        "source": cc.TextColumn("Source"),
        "as_of": cc.DateColumn("As of", format="YYYY-MM-DD"),
    },
)


def documented(t: Table) -> dict[str, dict]:
    """Column configs with each column's help text taken from the query header."""
    docs = {name: desc for name, _, desc in queries.get(f"explore_{t.kind}").columns}
    return {name: {**cfg, "help": docs[name]} for name, cfg in t.columns.items()}


def labelled(t: Table, df: pd.DataFrame) -> pd.DataFrame:
    """The rows with the column titles the table shows (and the downloads carry)."""
    return df[list(t.columns)].rename(columns={k: c["label"] for k, c in t.columns.items()})


def about_lines(t: Table, shown: pd.DataFrame, total: int, search: str) -> list[tuple[str, str]]:
    snap = data.snapshot()
    return [
        ("Export", f"MS Progress: {t.noun}"),
        ("Rows", f"{len(shown):,} of {total:,} matching ({t.order})"),
        ("Filters", f.describe()),
        ("Page search", search or "(none)"),
        ("Sources", page.sources_text(t.sources)),
        ("Snapshot", f"{snap.snapshot_id} (built {snap.manifest.created_at})"),
        ("Exported", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("Notes", t.note),
        (
            "Formula guard",
            "Text cells starting with = + - @, tab or carriage return carry a leading ' "
            "so that spreadsheets show them as text instead of running them.",
        ),
    ]


def toolbar(t: Table, shown: pd.DataFrame, total: int, search: str) -> None:
    """The row count and the CSV and Excel downloads of exactly the rows shown."""
    sid = data.snapshot().snapshot_id
    about = about_lines(t, shown, total, search)
    meaning = [(c["label"], c["help"]) for c in documented(t).values()]
    # Deferred: a file is built only when its button is clicked (on Streamlit's download thread).
    csv = partial(exports.to_csv, shown)
    xlsx = partial(exports.to_excel, shown, about, meaning)
    row = st.container(horizontal=True, vertical_alignment="center")
    noun = (
        t.noun
        if total != 1
        else t.noun.replace("trials", "trial").replace("projects", "project").replace("records", "record")
    )
    verb = "matches" if total == 1 else "match"
    row.markdown(f"**{total:,} {noun} {verb}** · sorted {t.order}; click a column header to re-sort.")
    row.download_button(
        f"Download CSV ({len(shown):,} rows)",
        data=csv,
        file_name=exports.file_name(t.kind, sid, "csv"),
        mime="text/csv",
        key=f"explore_{t.kind}_csv",
        on_click="ignore",
    )
    row.download_button(
        f"Download Excel ({len(shown):,} rows)",
        data=xlsx,
        file_name=exports.file_name(t.kind, sid, "xlsx"),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"explore_{t.kind}_xlsx",
        on_click="ignore",
    )


def show(t: Table, df: pd.DataFrame, total: int, search: str) -> None:
    shown = labelled(t, df)
    toolbar(t, shown, total, search)
    if total > len(shown):
        st.info(
            f"Showing the first {len(shown):,} of {total:,} ({t.order}). Narrow the filters or the search "
            "to see the rest; the downloads hold the rows shown."
        )
    configs = {c["label"]: c for c in documented(t).values()}
    page.table(shown, column_config=configs, hide_index=True, placeholder="", height=520)
    extra = t.note + (f" Page search: {md_code(search, 200)}." if search else "")
    page.caption(t.sources, f, extra=extra)


# 1. Title, notices and the page search ------------------------------------------------------
st.title("Explore records")
page.show_notices()
page.showing(f)
search = st.text_input(
    "Search these records",
    key="explore_search",
    max_chars=200,
    placeholder="e.g. ocrelizumab, NCT04338022, Karolinska, R01",
    help="Looks in ids, titles, sponsor, conditions, investigator, organisation, funder and programme "
    "(case-insensitive), on top of the sidebar filters.",
).strip()

# 2. Data -------------------------------------------------------------------------------------
q = search or None
counts = data.explore_counts(f, q).iloc[0]
frames = [
    (TRIALS, data.explore_trials(f, q, MAX_ROWS), int(counts.trials)),
    (PROJECTS, data.explore_projects(f, q, MAX_ROWS), int(counts.projects)),
    (GRANTS, data.explore_grants(f, q, MAX_ROWS), int(counts.grants)),
]

# 3. Tables -----------------------------------------------------------------------------------
for tab, (t, df, total) in zip(st.tabs(["Trials", "Projects", "Grants"]), frames, strict=True):
    with tab:
        show(t, df, total, search)
