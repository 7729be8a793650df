"""About the data: where every figure comes from, what each source covers and cannot tell,
what the build rejected, how well classification covers the records, and every column.

Everything here is read from the served snapshot (its manifest and tables) or generated from
the schema and query headers, so the page can never describe data other than what is shown.
Curated "known limits" per source live in `msprogress/dictionary.py`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from msprogress import data, dictionary, page, schema
from msprogress.charts import about as charts

page.filters()  # the shared set-up every page runs (the About page itself is not filtered)

ALL_SOURCES = page.TRIAL_SOURCES + page.FUNDING_SOURCES
SHORT_NAMES = {
    "ctgov": "ClinicalTrials.gov",
    "ctgov_api": "ClinicalTrials.gov API (refresh)",
    "ctis": "CTIS (EU)",
    "nih_reporter": "NIH RePORTER (NINDS)",
    "nih_exporter": "NIH ExPORTER",
    "reporter_api": "NIH RePORTER API (refresh)",
    "alliance_awards": "Alliance awards",
    "charity_grants": "Charity grants",
    "public_funders": "Other public funders",
    "member_grants": "Member grants",
}


def snapshot_caption(what: str) -> None:
    snap = data.snapshot()
    st.caption(f"Source: {what}. Snapshot {snap.snapshot_id}, built {snap.manifest['created_at']}.")


def sources_summary(sources: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Source": [s["title"] for s in sources],
            "Id": [s["source_id"] for s in sources],
            "As of": [s["as_of"] for s in sources],
            "Files": [len(s["files"]) for s in sources],
            "Rows read": [s["rows_read"] for s in sources],
            "Kept": [s["rows_kept"] for s in sources],
            "Rejected": [s["rows_rejected"] for s in sources],
            "Terms": [s["terms"] for s in sources],
        }
    )


def files_table(files: list[dict]) -> pd.DataFrame:
    cols = {"path": "File (data/raw/)", "rows_read": "Rows read", "rows_kept": "Kept"}
    cols |= {"rows_rejected": "Rejected", "sha256": "SHA-256"}
    return pd.DataFrame(files, columns=list(cols)).rename(columns=cols)


def source_details(s: dict) -> None:
    with st.expander(f"{s['title']} · as of {s['as_of']}"):
        st.markdown(f"**Source id** `{s['source_id']}` · **as of** {s['as_of']} · **terms** {s['terms']}")
        if s.get("url"):
            st.markdown(f"**Where** {s['url']}")
        st.markdown("**Known limits.** " + dictionary.SOURCE_LIMITS.get(s["source_id"], "None recorded."))
        if s.get("notes"):
            st.markdown("**Build notes**\n\n" + "\n".join(f"- {n}" for n in s["notes"]))
        if s["files"]:
            page.table(files_table(s["files"]), hide_index=True)
        else:
            st.markdown("No files in this snapshot.")
        snapshot_caption("the snapshot manifest (files, checksums and row counts recorded by the build)")


def source_labels(sources: list[dict]) -> dict[str, str]:
    """Short row labels for the coverage grid, in manifest order; a source without rows says so."""
    out = {}
    for s in sources:
        sid = s["source_id"]
        out[sid] = SHORT_NAMES.get(sid, sid) + ("" if s["rows_kept"] else " (no rows)")
    return out


def coverage_frame(df: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    out = df.copy()
    out["label"] = out["source"].map(lambda s: labels.get(s, s))
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


def scores_table(ev: dict) -> pd.DataFrame:
    """Precision and recall of the progressive flag and of each population label (manifest
    coverage.classification, see msprogress/ingest/evaluate.py)."""
    rows = {"Progressive (the flag)": ev["is_progressive"], **ev["population"]}
    return pd.DataFrame(
        {
            "Classified as": list(rows),
            "Precision": [r["precision"] for r in rows.values()],
            "Recall": [r["recall"] for r in rows.values()],
            "Labelled trials": [r["tp"] + r["fn"] for r in rows.values()],
        }
    )


COUNTED = {
    "Records": st.column_config.NumberColumn(format="%,d"),
    "Share": st.column_config.NumberColumn("Share (%)", format="%.1f%%"),
}

# 1. Title and notices -------------------------------------------------------------------------
st.title("About the data")
page.show_notices()
snap = data.snapshot()
m = snap.manifest
st.markdown(
    f"Every figure in MS Progress comes from snapshot **{snap.snapshot_id}**, built {m['created_at']} "
    f"(code {m['code_version']}) from the public files in `data/raw/`; the inputs' combined SHA-256 is "
    f"`{m['inputs_sha256'][:16]}…`. Missing years and amounts are shown as missing, never as zero."
)

# 2. Sources ------------------------------------------------------------------------------------
st.header("Sources")
page.table(sources_summary(m["sources"]), hide_index=True)
snapshot_caption("the snapshot manifest")
for s in m["sources"]:
    source_details(s)

# 3. Coverage grid ------------------------------------------------------------------------------
st.header("Which years each source covers")
labels = source_labels(m["sources"])
coverage = coverage_frame(data.about_coverage(), labels)
order = list(labels.values())
page.chart(charts.coverage_grid(coverage, order), "about_coverage", ALL_SOURCES)
page.caption(
    ALL_SOURCES,
    extra="Funding: the years the build found records for (NIH RePORTER fiscal years are complete for NINDS "
    "within the keyword screen; every other funding year is partial). Registries: trial start years; "
    "ClinicalTrials.gov counts as complete from 2005 (registration expected), CTIS from 2023 "
    "(new EU trials must use it). Hover a square for its record count.",
)

# 4. Rows per table and rejected rows -----------------------------------------------------------
st.header("Rows per table")
tables = pd.DataFrame(
    [(t, i["rows"], i["file"], i["sha256"]) for t, i in m["tables"].items()],
    columns=["Table", "Rows", "File", "SHA-256"],
)
page.table(tables, hide_index=True)
snapshot_caption("the snapshot manifest (the build checks each file against its SHA-256 before serving)")

st.header("Rejected rows")
reasons = data.about_rejection_reasons()
rejected = data.about_rejections()
st.markdown(
    f"**{len(rejected):,} rows or values rejected** by the build, each with its file, row, column and reason."
)
left, right = st.columns([2, 3])
with left:
    page.table(
        reasons.rename(columns={"source": "Source", "reason": "Reason", "rejected": "Rejected"}),
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
st.header("Classification coverage")
cov = m["coverage"]
agents = cov["agents"]
c = st.columns(3)
c[0].metric(
    "Progressive drug trials fully mapped",
    f"{agents['share']:.0%}",
    help="Progressive interventional drug trials whose every non-placebo drug intervention maps to a "
    "canonical agent.",
)
c[1].metric(
    "…of progressive drug trials", f"{agents['fully_mapped']:,} of {agents['progressive_drug_trials']:,}"
)
c[2].metric(
    "Drug interventions mapped (all MS trials)",
    f"{agents['drug_interventions_mapped']:,} of {agents['drug_interventions']:,}",
)
c = st.columns([1, 1.5, 1])
blocks = [
    ("Trials by MS population", cov["trials_by_population"], "Population", schema.POPULATIONS),
    ("Trials by gap area", cov["trials_by_gap_area"], "Gap area", schema.GAP_AREAS),
    ("Projects by MS relevance", cov["projects_by_relevance"], "MS relevance", schema.RELEVANCE),
]
for col, (title, counts, what, order) in zip(c, blocks, strict=True):
    with col:
        st.subheader(title)
        page.table(counted(counts, what, order), hide_index=True, column_config=COUNTED)
snapshot_caption(
    "the snapshot manifest. Counts over all records, before any filter, classified by the rules in "
    "data/reference/classification_rules.csv; '(none)' and 'Not MS' are records the rules found not to be "
    "MS research (kept in the snapshot, left out of every figure)"
)
ev = cov.get("classification")
if ev:  # snapshots built before the evaluation set existed have none
    st.subheader("Progressive flag and population, checked against hand-labelled trials")
    ratio = st.column_config.NumberColumn(format="%.3f")
    page.table(scores_table(ev), hide_index=True, column_config={"Precision": ratio, "Recall": ratio})
    snapshot_caption(
        f"{ev['scored']} of the {ev['labelled_trials']} trials ({ev['labelled_progressive']} progressive) "
        "labelled by hand in data/reference/progressive_eval.csv, hard cases over-sampled; "
        f"population accuracy {ev['population_accuracy']:.1%}"
    )

# 6. Data dictionary ----------------------------------------------------------------------------
st.header("Data dictionary")
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
