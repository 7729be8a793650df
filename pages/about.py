"""About the data: where every figure comes from, what each source covers and cannot tell,
what the build rejected, how well classification covers the records, and every column.

Everything here is read from the served snapshot (its manifest and tables) or generated from
the schema, the query headers and the source registry (`msprogress/sources.py`: names, known
limits, coverage rules), so the page can never describe data other than what is shown. The years
a source covers are computed from the snapshot, never written in prose.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from msprogress import data, dictionary, figures, page, schema, sources, style
from msprogress.charts import about as charts
from msprogress.manifest import ClassificationScores, FileEntry, SourceEntry
from msprogress.markup import md_escape

page.filters()  # the shared set-up every page runs (the About page itself is not filtered)

ALL_SOURCES = sources.ids()


def snapshot_caption(what: str) -> None:
    """The source line of a table read from the snapshot (its id and date are at the top of the page)."""
    st.caption(f"Source: {what}.")


def sources_summary(entries: list[SourceEntry]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Source": [s.title for s in entries],
            "Id": [s.source_id for s in entries],
            "As of": [s.as_of for s in entries],
            "Files": [len(s.files) for s in entries],
            "Rows read": [s.rows_read for s in entries],
            "Kept": [s.rows_kept for s in entries],
            "Rejected": [s.rows_rejected for s in entries],
            "Values left empty": [sum(s.warnings_by_reason.values()) for s in entries],
            "Terms": [s.terms for s in entries],
        }
    )


def files_table(files: list[FileEntry]) -> pd.DataFrame:
    cols = {"path": "File (data/raw/)", "rows_read": "Rows read", "rows_kept": "Kept"}
    cols |= {"rows_rejected": "Rejected", "sha256": "SHA-256"}
    return pd.DataFrame([f.model_dump() for f in files], columns=list(cols)).rename(columns=cols)


def years_covered(coverage: pd.DataFrame, source_id: str) -> str:
    """The years the snapshot holds for a source, per series, computed from the data."""
    rows = coverage[coverage["source"] == source_id]
    if rows.empty:
        return "none in this snapshot"
    parts = []
    for _, d in rows.groupby("series_id", sort=False):
        label = d["label"].iloc[0]
        complete = d[charts.coverage_status(d["coverage"]) == "complete"]["year"]
        partial = d[charts.coverage_status(d["coverage"]) == "partial"]["year"]
        words = [f"complete {style.year_ranges(complete)}" if len(complete) else ""]
        words.append(f"partial {style.year_ranges(partial)}" if len(partial) else "")
        parts.append(
            (f"{md_escape(label)}: " if isinstance(label, str) else "") + "; ".join(w for w in words if w)
        )
    return " · ".join(parts)


def source_details(s: SourceEntry, coverage: pd.DataFrame) -> None:
    src = sources.get(s.source_id)
    # NOTE: titles, terms, addresses and limits are the source registry's (code); build notes name
    # files and columns as typed by people, so they are escaped
    with st.expander(f"{s.title} · as of {s.as_of or 'no files'}"):
        st.markdown(f"**Source id** `{s.source_id}` · **as of** {s.as_of or '—'} · **terms** {s.terms}")
        if s.url:
            st.markdown(f"**Where** {s.url}")
        st.markdown(f"**Known limits.** {src.limits}")
        st.markdown(
            f"**Years in this snapshot** ({src.coverage_rule}): {years_covered(coverage, s.source_id)}."
        )
        if s.notes:
            st.markdown("**Build notes**\n\n" + "\n".join(f"- {md_escape(n)}" for n in s.notes))
        if s.files:
            page.table(files_table(s.files), hide_index=True)
        else:
            st.markdown("No files in this snapshot.")
        snapshot_caption("the snapshot manifest (files, checksums and row counts recorded by the build)")


def grid_labels(entries: list[SourceEntry], coverage: pd.DataFrame) -> dict[str, str]:
    """Row labels for the coverage grid, keyed by series id (a registry is its own series), in
    manifest order; a source without rows says so."""
    out = {}
    for s in entries:
        short = sources.get(s.source_id).short_name
        rows = coverage[coverage["source"] == s.source_id].drop_duplicates("series_id")
        if rows.empty:
            out[s.source_id] = short + " (no rows)"
        for r in rows.itertuples():
            out[str(r.series_id)] = r.label if isinstance(r.label, str) else short
    return out


def coverage_frame(df: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    out = df.copy()
    out["label"] = out["series_id"].map(lambda s: labels.get(s, s))
    is_registry = out["source"].isin(page.TRIAL_SOURCES)
    out["unit"] = is_registry.map({True: "trials starting", False: "grant records"})
    return out


def counted(d: dict[str, int], what: str, order: tuple[str, ...]) -> pd.DataFrame:
    """A manifest count dict as rows in vocabulary order (unknown keys last), with shares."""
    keys = [k for k in order if k in d] + sorted(k for k in d if k not in order)
    total = sum(d.values()) or 1
    return pd.DataFrame(
        {what: keys, "Records": [d[k] for k in keys], "Share": [100 * d[k] / total for k in keys]}
    )


def scores_table(ev: ClassificationScores) -> pd.DataFrame:
    """Precision and recall of the progressive flag and of each population label (manifest
    coverage.classification, see msprogress/ingest/evaluate.py)."""
    rows = {"Progressive (the flag)": ev.is_progressive, **ev.population}
    return pd.DataFrame(
        {
            "Classified as": list(rows),
            "Precision": [r.precision for r in rows.values()],
            "Recall": [r.recall for r in rows.values()],
            "Labelled trials": [r.tp + r.fn for r in rows.values()],
        }
    )


COUNTED = {
    "Records": st.column_config.NumberColumn(format="%,d"),
    "Share": st.column_config.NumberColumn("Share (%)", format="%.1f%%"),
}

# 1. Title and notices -------------------------------------------------------------------------
st.title("About the data")
page.show_notices()

# 2. Sources ------------------------------------------------------------------------------------
with page.slide("Sources"):
    snap = data.snapshot()
    m = snap.manifest
    st.markdown(
        f"Every figure in MS Progress comes from snapshot **{snap.snapshot_id}**, built {m.created_at} "
        f"(code {m.code_version}) from the public files in `data/raw/`; the inputs' combined SHA-256 is "
        f"`{m.inputs_sha256[:16]}…`. Missing years and amounts are shown as missing, never as zero."
    )
    coverage_rows = data.about_coverage()
    page.table(sources_summary(m.sources), hide_index=True)
    snapshot_caption("the snapshot manifest")
with page.slide("Each source in detail"):
    for s in m.sources:
        source_details(s, coverage_rows)

# 3. Coverage grid ------------------------------------------------------------------------------
with page.slide():
    labels = grid_labels(m.sources, coverage_rows)
    coverage = coverage_frame(coverage_rows, labels)
    series_order = list(labels.values())
    page.chart(figures.built(charts.coverage_grid, coverage, series_order), "about_coverage", ALL_SOURCES)
    page.caption(
        ALL_SOURCES,
        extra="Funding: one row per coverage series (a funder and what its files hold); a year is complete or "
        "partial as the build judged it (hover a square for why), blank when the series has no records for it. "
        "Registries: trial start years; ClinicalTrials.gov counts as complete from 2005 (registration "
        "expected), CTIS from 2023 (new EU trials must use it). Hover a square for its record count.",
    )

# 4. Rows per table and rejected rows -----------------------------------------------------------
with page.slide("Rows per table"):
    tables = pd.DataFrame(
        [(t, i.rows, i.file, i.sha256) for t, i in m.tables.items()],
        columns=["Table", "Rows", "File", "SHA-256"],
    )
    page.table(tables, hide_index=True)
    snapshot_caption("the snapshot manifest (the build checks each file against its SHA-256 before serving)")
with page.slide("Rejected rows"):
    reasons = data.about_rejection_reasons()
    rejected = data.about_rejections()
    n = len(rejected)
    st.markdown(
        f"**{style.plural(n, 'row or value', 'rows or values')} rejected** by the build, each with its file, "
        "row, column and reason."
    )
    left, right = st.columns([2, 3])
    with left:
        page.table(
            reasons.rename(
                columns={"source": "Source", "outcome": "Outcome", "reason": "Reason", "rejected": "Rejected"}
            ),
            hide_index=True,
        )
        snapshot_caption("the snapshot's rejections table, counted by kind of reason")
    with right:
        page.table(
            rejected.rename(columns=str.capitalize),
            hide_index=True,
            column_config={"Row": st.column_config.NumberColumn(format="%d")},
        )
        snapshot_caption("the snapshot's rejections table; row is 1-based with the header as row 1")

# 5. Classification coverage --------------------------------------------------------------------
with page.slide("Classification coverage"):
    cov = m.coverage
    agents = cov.agents
    c = st.columns(3)
    c[0].metric(
        "Progressive drug trials fully mapped",
        style.percent(agents.share),
        help="Progressive interventional drug trials whose every non-placebo drug intervention maps to a "
        "canonical agent.",
    )
    c[1].metric(
        "…of progressive drug trials", f"{agents.fully_mapped:,} of {agents.progressive_drug_trials:,}"
    )
    c[2].metric(
        "Drug interventions mapped (all MS trials)",
        f"{agents.drug_interventions_mapped:,} of {agents.drug_interventions:,}",
    )
    cols = st.columns([1, 1.5, 1])
    blocks = [
        ("Trials by MS population", cov.trials_by_population, "Population", schema.POPULATIONS),
        ("Trials by gap area", cov.trials_by_gap_area, "Gap area", schema.GAP_AREAS),
        ("Projects by MS relevance", cov.projects_by_relevance, "MS relevance", schema.RELEVANCE),
    ]
    for col, (title, counts, what, order) in zip(cols, blocks, strict=True):
        with col:
            st.subheader(title)
            page.table(counted(counts, what, order), hide_index=True, column_config=COUNTED)
    snapshot_caption(
        "the snapshot manifest. Counts over all records, before any filter, classified by the rules in "
        "data/reference/classification_rules.csv; '(none)' and 'Not MS' are records the rules found not to be "
        "MS research (kept in the snapshot, left out of every figure)"
    )
with page.slide("How MS relevance is decided, and how well"):
    ev = cov.classification
    if ev:  # snapshots built before the evaluation set existed have none
        st.subheader("Progressive flag and population, checked against hand-labelled trials")
        ratio = st.column_config.NumberColumn(format="%.3f")
        page.table(scores_table(ev), hide_index=True, column_config={"Precision": ratio, "Recall": ratio})
        snapshot_caption(
            f"{ev.scored} of the {ev.labelled_trials} trials ({ev.labelled_progressive} progressive) "
            "labelled by hand in data/reference/progressive_eval.csv, hard cases over-sampled; "
            f"population accuracy {style.percent(ev.population_accuracy, 1)}"
        )

    st.markdown(
        "A trial is classified from its conditions, titles and keywords; a project or grant from its "
        "titles and indexer terms (strong evidence) and its abstract-derived terms and public-health "
        "statement (weak evidence: MS must be named twice). The rules are data, in "
        "`data/reference/classification_rules.csv`. **Across the years of a funded project:** the project "
        "is classified from all its text, every fiscal year in the data; each fiscal year's award is "
        "classified from the project's text *up to and including that year*. So a later year's file never "
        "changes an earlier year's awards or totals: a project that first names MS in a later year counts "
        "as MS research from that year on."
    )

# 6. Data dictionary ----------------------------------------------------------------------------
with page.slide("Data dictionary"):
    st.markdown(
        "Every column of every table in the snapshot and every column a query gives the pages "
        "(tables, charts and downloads)."
    )
    terms = st.text_input("Search the data dictionary", key="about_dictionary_search", max_chars=100)
    dd = dictionary.search_dictionary(dictionary.data_dictionary(), terms)
    page.table(
        dd,
        hide_index=True,
        placeholder="",
        height=480,
        column_config={
            "where": "Table or query",
            "column": "Column",
            "title": "Title",
            "type": "Type",
            "unit": "Unit",
            "description": st.column_config.TextColumn("Description", width="large"),
        },
    )
    snapshot_caption(f"msprogress/schema.py and the headers of queries/*.sql ({len(dd):,} columns shown)")
