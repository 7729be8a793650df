"""Overview: the headline figures for the current filters, each with unit, as-of and source."""

from __future__ import annotations

import streamlit as st

from msprogress import data, page, style
from msprogress.charts import funding as charts_funding
from msprogress.charts import overview as charts
from msprogress.markup import md_escape

f = page.filters()

# 1. Title and notices ---------------------------------------------------------------------
st.title("Progressive MS research at a glance")
page.show_notices()
page.showing(f)

# 2. Data -----------------------------------------------------------------------------------
trials = data.headline_trials(f).iloc[0]
projects = data.headline_projects(f).iloc[0]
currency = st.segmented_control("Currency", ["EUR", "USD", "GBP"], default="EUR", key="w_currency") or "EUR"
series = data.funding_series(f, currency)
programmes = data.funding_programmes(f, currency)
phases = data.pipeline_phase_counts(f)

# 3. Trials ---------------------------------------------------------------------------------
st.subheader("Clinical trials")
c = st.columns(4)
c[0].metric(
    "MS trials registered", f"{trials.trials:,}", help="Trials in the ClinicalTrials.gov and CTIS files."
)
c[1].metric("Progressive-MS trials", f"{trials.progressive_trials:,}")
c[2].metric(
    "Progressive trials recruiting",
    f"{trials.recruiting_progressive:,}",
    help="Recruiting, not yet recruiting, or enrolling by invitation.",
)
c[3].metric(
    "Countries with trials",
    f"{trials.countries:,}",
    help="CTIS lists every trial country; the ClinicalTrials.gov export gives the first listed site only.",
)
page.caption(
    page.TRIAL_SOURCES,
    extra=f"Counts of trials; {trials.ctgov_trials:,} from ClinicalTrials.gov, "
    f"{trials.ctis_trials:,} from CTIS (a trial in both registries counts twice).",
)

# 4. Pipeline -------------------------------------------------------------------------------
st.subheader("Therapy pipeline (progressive MS)")
if phases.empty:
    st.info("No progressive-MS drug trials match these filters.")
else:
    page.chart(charts.pipeline_phase_bars(phases), "overview_pipeline", page.TRIAL_SOURCES, f)
    page.caption(
        page.TRIAL_SOURCES,
        extra="An agent's stage is the highest phase of its progressive-MS trials, or 'approved' when a "
        "label approves it for PPMS or SPMS (data/reference/approved_progressive.csv); "
        "disease-modifying and symptomatic agents; placebo and co-medication (prophylaxis, premedication, "
        "conditioning, tracers) excluded.",
    )

# 5. Projects and funding -------------------------------------------------------------------
st.subheader("Research projects and funding")
c = st.columns(4)
c[0].metric("MS research projects", f"{projects.projects:,}")
c[1].metric("Progressive-specific projects", f"{projects.progressive_projects:,}")
c[2].metric(
    "Grants (award records)",
    f"{int(series['award_rows'].sum()):,}",
    help="One record per award; NIH awards count once per fiscal year.",
)
c[3].metric(
    "Countries with funded projects", f"{projects.countries:,}", help="Country of the lead organisation."
)
if series.empty:
    st.info("No award records match these filters.")
else:
    top = series.iloc[0]
    years = f"{top.first_year}–{top.last_year}"
    cover = charts_funding.coverage_label(top.complete_years, top.partial_years)
    c = st.columns(4)
    c[0].metric(
        f"Awarded ({currency}), {md_escape(top.series_title.split(':')[0])}",
        style.money(top.awarded, currency) if top.awards_with_amount else "no amounts stated",
        help=f"Individual awards of one coverage series, {md_escape(top.series_title)} ({cover}). Other series are "
        "listed below, never added to it; programme totals are never added.",
    )
    c[1].metric(
        "Years covered", years, help=f"{top.complete_years} complete, {top.partial_years} partial years."
    )
    share = data.funding_share(f, currency).dropna(subset=["ms_share"])
    if share.empty:
        c[2].metric("Other coverage series (not added)", f"{len(series) - 1:,}")
    else:
        last = share.iloc[-1]
        c[2].metric(
            f"MS share of {md_escape(last.funder)} money, FY{int(last.year)}",
            f"{100 * last.ms_share:.1f}%",
            help=f"MS research (matching the filters) as a share of every award {md_escape(last.funder)} made that year: "
            f"{style.money(last.ms_amount, currency)} of {style.money(last.total_amount, currency)}. "
            f"Range over the covered years: {100 * share.ms_share.min():.1f}–{100 * share.ms_share.max():.1f}%.",
        )
    c[3].metric(
        "Programme totals and calls (apart)",
        f"{len(programmes):,}",
        help="Announced round totals, budgets and calls, shown apart: adding them to awards would double count.",
    )
    others = series.iloc[1:]
    listed = "; ".join(
        f"{md_escape(r.series_title)} {style.money(r.awarded, currency) if r.awards_with_amount else '(no amounts)'} "
        f"({charts_funding.coverage_label(r.complete_years, r.partial_years)}, {r.first_year}–{r.last_year})"
        for r in others.itertuples()
    )
    page.caption(
        page.FUNDING_SOURCES,
        extra=(
            f"Each total adds one coverage series only: {md_escape(top.series_title)}, {top.award_rows:,} award records "
            f"({top.awards_with_amount:,} with an amount), {years}. "
            + (f"Other series, each its own population: {listed}. " if listed else "")
            + "Converted with ECB euro reference rates (annual mean of the award year); awards without a "
            "stated amount are counted as awards but not in a sum."
        ),
    )

# 6. About this data ------------------------------------------------------------------------
with st.expander("About this data"):
    snap = data.snapshot()
    m = snap.manifest
    st.markdown(f"Snapshot **{snap.snapshot_id}**, built {m.created_at} from the raw files in `data/raw/`.")
    page.table(
        [
            {
                "source": s.title,
                "as of": s.as_of,
                "rows read": s.rows_read,
                "kept": s.rows_kept,
                "rejected": s.rows_rejected,
                "terms": s.terms,
            }
            for s in m.sources
        ],
        hide_index=True,
    )
    cov = m.coverage.agents
    st.markdown(
        f"Agent mapping: {cov.fully_mapped} of {cov.progressive_drug_trials} progressive interventional "
        f"drug trials ({style.percent(cov.share)}) have every non-placebo drug intervention mapped to a canonical agent."
    )
