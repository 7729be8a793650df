"""Explore records: the trials, projects and grant records behind every figure.

Each tab is one named query (`explore_trials`, `explore_projects`, `explore_grants`) with the
global filters, this page's search and the chosen order applied in SQL. The CSV and Excel
downloads are built from the very DataFrame shown (same rows, columns, order and display cap),
see `msprogress/exports.py`; the Excel `about` sheet names the filters, the search and the order.

View state lives in the URL with readable keys: `search=ocrelizumab` (the page's search),
`tab=projects`, `trials_sort=enrollment`, `projects_sort=title`, `grants_sort=amount`; defaults
are left out and unknown values ignored with a notice.

NOTE: one search box. The sidebar's "Search titles" (the app-wide `q` filter) is hidden on this
page, because the page's own search looks in titles too (and in ids, sponsors, investigators,
organisations, funders and programmes). A title search set on another page still applies: the
"Showing:" line names it, and a button here clears it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

import pandas as pd
import streamlit as st
from streamlit.elements.lib.column_types import ColumnConfig

from msprogress import data, exports, page, queries, sidebar, sources, style
from msprogress.filters import MAX_VALUE_LEN, SPECS, Filters
from msprogress.markup import md_code, md_escape

f = page.filters()
MAX_ROWS = 5_000
HOST = r"https?://(?:www\.)?([^/?#]+)"  # a link shows the site it opens (reporter.nih.gov …)
SEARCH, LAST_SEARCH, TAB = "explore_search", "explore_last_search", "explore_tab"
HIDE_TITLE_SEARCH = "<style>.st-key-w_q { display: none; }</style>"  # see the module NOTE
cc = st.column_config


@dataclass(frozen=True)
class Table:
    kind: str  # query explore_<kind>, tab, URL key <kind>_sort, file name
    noun: str  # one row, singular: "trial"
    sources: tuple[str, ...]
    sorts: dict[str, str]  # the query's $sort values → words (the first is the default)
    note: str  # how to read the table (under it, a click away)
    columns: dict[str, ColumnConfig] = field(default_factory=dict)  # query column -> st.column_config

    @property
    def sort_key(self) -> str:
        return f"explore_{self.kind}_sort"


TRIALS = Table(
    "trials",
    "trial",
    page.TRIAL_SOURCES,
    {
        "start": "Start date: started first, newest first; then planned",
        "oldest": "Start date, oldest first",
        "enrollment": "Participants, most first",
        "title": "Title, A–Z",
    },
    "One row per registry record: a trial registered on both ClinicalTrials.gov and CTIS appears twice. "
    "Countries: CTIS lists every EU/EEA country; ClinicalTrials.gov gives the first listed site only. "
    "A start date is planned when it lies after the date the registry file was retrieved or recruitment "
    "has not begun; a withdrawn trial never started.",
    {
        "trial_id": cc.TextColumn("Trial id", pinned=True),
        "url": cc.LinkColumn("Registry page", display_text=HOST),
        "brief_title": cc.TextColumn("Title", width="large"),
        "start_date": cc.DateColumn("Start date", format="YYYY-MM-DD"),
        "start_kind": cc.TextColumn("Started or planned"),
        "phase": cc.TextColumn("Phase"),
        "status": cc.TextColumn("Status"),
        "population": cc.TextColumn("MS population"),
        "gap_area": cc.TextColumn("Gap area"),
        "intervention_kinds": cc.TextColumn("Intervention kinds"),
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
    "research project",
    page.FUNDING_SOURCES,
    {
        "start": "Start date: started first, newest first; then planned",
        "oldest": "Start date, oldest first",
        "title": "Title, A–Z",
        "funder": "Funder, A–Z",
    },
    "Awarded sums the project's award records that state an amount, in all years, each converted at the "
    "ECB euro reference rate (annual mean of its year); programme totals are never included. "
    "Empty = no amount stated, never 0.",
    {
        "project_id": cc.TextColumn("Project id", pinned=True, width="medium"),
        "url": cc.LinkColumn("Record page", display_text=HOST),
        "title": cc.TextColumn("Title", width="large"),
        "funder": cc.TextColumn("Funder"),
        "start_date": cc.DateColumn("Start", format="YYYY-MM-DD"),
        "start_kind": cc.TextColumn("Started or planned"),
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
    "grant record",
    page.FUNDING_SOURCES,
    {
        "year": "Year, newest first",
        "oldest": "Year, oldest first",
        "amount": "Amount (EUR), largest first",
        "funder": "Funder, A–Z",
    },
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

TABLES = (TRIALS, PROJECTS, GRANTS)
TAB_LABELS = {t.kind: t.kind.capitalize() for t in TABLES}  # URL value → tab label
VIEW = page.View(
    "explore",
    [
        page.Key("search", SEARCH),  # free text: seeded by seed_search (a View key needs a list of values)
        page.Key("tab", TAB, list(TAB_LABELS), to_widget=TAB_LABELS.get, to_url=lambda v: str(v).lower()),
        *(page.Key(f"{t.kind}_sort", t.sort_key, list(t.sorts)) for t in TABLES),
    ],
)


def seed_search() -> list[str]:
    """The search box's value on the session's first visit: the link's `search=`, else the last
    search this session; a value longer than the box holds is dropped with a notice."""
    if SEARCH in st.session_state:
        return []
    value = st.query_params.get("search")
    if value is not None and len(value) > MAX_VALUE_LEN:
        st.session_state[SEARCH] = ""
        return [f"Ignored a search value longer than {MAX_VALUE_LEN} characters."]
    st.session_state[SEARCH] = value if value is not None else st.session_state.get(LAST_SEARCH, "")
    return []


def _clear_title_search() -> None:
    st.session_state["w_q"] = ""  # the sidebar's widget, read by the next run's sidebar


def search_box() -> str:
    """The page's one search box (and, when a title search from another page applies, a way to clear it)."""
    st.html(HIDE_TITLE_SEARCH)
    search = st.text_input(
        "Search these records",
        key=SEARCH,
        max_chars=MAX_VALUE_LEN,
        placeholder="e.g. ocrelizumab, NCT04338022, Karolinska, R01",
        help="Looks in ids, titles, sponsors, conditions, investigators, organisations, funders and programmes "
        "(case-insensitive), on top of the sidebar filters.",
    ).strip()
    st.session_state[LAST_SEARCH] = search
    if f.q.strip():
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.caption(f"Also narrowed by the title search {md_code(f.q.strip())} set on another page.")
        right.button("Clear the title search", on_click=_clear_title_search, key="explore_clear_q")
    return search


def documented(t: Table) -> dict[str, ColumnConfig]:
    """Column configs with each column's help text taken from the query header."""
    docs = {name: desc for name, _, desc in queries.get(f"explore_{t.kind}").columns}
    return {name: {**cfg, "help": docs[name]} for name, cfg in t.columns.items()}


def title(c: ColumnConfig) -> str:
    """A column's title (every column of these tables is given one)."""
    label = c.get("label")
    assert label is not None, c
    return label


def labelled(t: Table, df: pd.DataFrame) -> pd.DataFrame:
    """The rows with the column titles the table shows (and the downloads carry); a source is
    named as people know it ('NIH RePORTER'), not by its id."""
    if "source" in df:
        df = df.assign(
            source=df["source"].map(lambda s: sources.BY_ID[s].short_name if s in sources.BY_ID else s)
        )
    return df[list(t.columns)].rename(columns={k: title(c) for k, c in t.columns.items()})


def about_lines(t: Table, shown: pd.DataFrame, total: int, search: str) -> list[tuple[str, str]]:
    """What the Excel `about` sheet says the rows are."""
    snap = data.snapshot()
    return [
        ("Export", f"MS Progress: {t.noun}s"),
        ("Rows", f"{len(shown):,} of {style.plural(total, t.noun)} matching"),
        ("Order", t.sorts[st.session_state[t.sort_key]]),
        ("Filters", page.describe(f) or "none"),
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
    """The match count, the order (applied by the query, kept by the downloads), and the CSV and
    Excel downloads of exactly the rows shown."""
    sid = data.snapshot().snapshot_id
    sort = st.session_state[t.sort_key]
    detail = [] if sort == next(iter(t.sorts)) else [f"by-{sort}"]
    detail += [f"search-{search}"] if search else []
    # Deferred: a file is built only when its button is clicked (on Streamlit's download thread).
    csv = partial(exports.to_csv, shown)
    xlsx = partial(exports.to_excel, shown, about_lines(t, shown, total, search), _meanings(t))
    row = st.container(horizontal=True, vertical_alignment="bottom")
    row.markdown(f"**{style.plural(total, t.noun)} {'matches' if total == 1 else 'match'}**")
    row.selectbox(
        "Sort by",
        list(t.sorts),
        format_func=t.sorts.__getitem__,
        key=t.sort_key,
        width=360,
        help="The order the rows are fetched, shown and downloaded in. A click on a column header "
        "re-sorts the screen only.",
    )
    rows = style.plural(len(shown), "row")
    for label, build, ext, mime in (
        ("CSV", csv, "csv", "text/csv"),
        ("Excel", xlsx, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ):
        row.download_button(
            f"Download {label} ({rows})",
            data=build,
            file_name=exports.file_name(t.kind, sid, ext, detail=detail),
            mime=mime,
            key=f"explore_{t.kind}_{ext}",
            on_click="ignore",
        )


def _meanings(t: Table) -> list[tuple[str, str]]:
    return [(title(c), c.get("help") or "") for c in documented(t).values()]


def widening(t: Table, search: str) -> list[str]:
    """For an empty table: each active filter (and the search) that, removed on its own, brings
    rows back, with the number it would show."""
    names, hints = sidebar.names(), []
    for spec in SPECS:
        if all(getattr(f, name) == default for name, default in spec.fields.items()):
            continue
        n = int(data.explore_counts(f.replace(**spec.fields), search or None).iloc[0][t.kind])
        if n:
            hints.append(f"{md_escape(spec.describe(f, names) or '')} ({style.plural(n, t.noun)} without it)")
    if search:
        n = int(data.explore_counts(f, None).iloc[0][t.kind])
        if n:
            hints.append(f"the search {md_code(search)} ({style.plural(n, t.noun)} without it)")
    return hints


def empty(t: Table, search: str) -> None:
    """Why a tab is empty and what to change, instead of an empty grid."""
    hints = widening(t, search)
    if hints:
        st.info(
            f"**No {t.noun}s match.** Removing one of these would show some: "
            + "; ".join(hints)
            + ". Filters are in the sidebar; the search box is above.",
            icon="ℹ️",
        )
    elif Filters() != f or search:
        st.info(
            f"**No {t.noun}s match**, and no single filter change brings any back: clear the filters "
            "(sidebar) and the search to see them all.",
            icon="ℹ️",
        )
    else:
        st.info(f"**The data hold no {t.noun}s.**", icon="ℹ️")


def show(t: Table, df: pd.DataFrame, total: int, search: str) -> None:
    """One tab: toolbar, table (or why it is empty), one source line, the notes a click away."""
    if total == 0:
        empty(t, search)
        return
    shown = labelled(t, df)
    toolbar(t, shown, total, search)
    if total > len(shown):
        st.info(
            f"Showing the first {len(shown):,} of {style.plural(total, t.noun)}. Narrow the filters or the "
            "search to see the rest; the downloads hold the rows shown."
        )
    configs = {title(c): c for c in documented(t).values()}
    page.table(shown, column_config=configs, hide_index=True, placeholder="", height=520)
    page.caption(t.sources, f, extra=f"Page search: {md_code(search)}." if search else "")
    with st.expander("How to read this table"):
        st.markdown(md_escape(t.note))


# 1. Title, notices and the page's search ----------------------------------------------------
st.title("Explore records")
page.show_notices(*seed_search(), *VIEW.seed())
page.showing(f)
with page.controls("Search these records"):
    search = search_box()

# 2. Data (each tab in its chosen order) -----------------------------------------------------
q = search or None
counts = data.explore_counts(f, q).iloc[0]
fetch = {"trials": data.explore_trials, "projects": data.explore_projects, "grants": data.explore_grants}
frames = [
    (t, fetch[t.kind](f, q, st.session_state[t.sort_key], MAX_ROWS), int(counts[t.kind])) for t in TABLES
]

# 3. Tables -----------------------------------------------------------------------------------
with page.slide():
    for tab, (t, df, total) in zip(
        st.tabs(list(TAB_LABELS.values()), key=TAB, on_change="rerun"), frames, strict=True
    ):
        with tab:
            show(t, df, total, search)
VIEW.write()
