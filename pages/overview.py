"""Overview: the headline figures for the current filters, each with unit, as-of and source."""

from __future__ import annotations

import streamlit as st

from msprogress import data, page, style
from msprogress.charts import overview as charts

f = page.filters()

# 1. Title and notices ---------------------------------------------------------------------
st.title("Progressive MS research at a glance")
page.show_notices()
page.showing(f)

# 2. Data -----------------------------------------------------------------------------------
trials = data.headline_trials(f).iloc[0]
projects = data.headline_projects(f).iloc[0]
currency = st.segmented_control("Currency", ["EUR", "USD", "GBP"], default="EUR", key="w_currency") or "EUR"
funding = data.headline_funding(f, currency).iloc[0]
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
    f"{funding.award_rows:,}",
    help="One record per award; NIH awards count once per fiscal year.",
)
c[3].metric(
    "Countries with funded projects", f"{projects.countries:,}", help="Country of the lead organisation."
)
c = st.columns(4)
awarded = style.money(funding.awarded, currency) if funding.awards_with_amount else "no amounts stated"
c[0].metric(
    f"Awarded ({currency})",
    awarded,
    help="Sum of individual awards that state an amount. Programme totals are never added.",
)
years = f"{int(funding.first_year)}–{int(funding.last_year)}" if funding.awards_with_amount else "—"
c[1].metric(
    "Years with award amounts", years, help="Not every year in between is covered: see the funding page."
)
c[2].metric("Funders", f"{funding.funders:,}")
c[3].metric(
    f"Programme totals, not added ({currency})",
    style.money(funding.programme_total, currency),
    help="Announced round totals and budgets, shown apart: adding them to awards would double count.",
)
missing = int(funding.award_rows - funding.awards_with_amount)
page.caption(
    page.FUNDING_SOURCES,
    extra=(
        f"{funding.awards_with_amount:,} award records with an amount from {funding.funders:,} funders; "
        f"{missing:,} awards without a stated amount are counted as awards but not in the sum. "
        f"Converted with ECB euro reference rates (annual mean of the award year). "
        f"Programme totals announced ({funding.programme_rows:,} records, "
        f"{style.money(funding.programme_total, currency)}) are shown apart and not added; "
        f"{funding.call_rows:,} calls are announcements, not money spent."
    ),
)

# 6. About this data ------------------------------------------------------------------------
with st.expander("About this data"):
    snap = data.snapshot()
    m = snap.manifest
    st.markdown(
        f"Snapshot **{snap.snapshot_id}**, built {m['created_at']} from the raw files in `data/raw/`."
    )
    page.table(
        [
            {
                "source": s["title"],
                "as of": s["as_of"],
                "rows read": s["rows_read"],
                "kept": s["rows_kept"],
                "rejected": s["rows_rejected"],
                "terms": s["terms"],
            }
            for s in m["sources"]
        ],
        hide_index=True,
    )
    cov = m["coverage"]["agents"]
    st.markdown(
        f"Agent mapping: {cov['fully_mapped']} of {cov['progressive_drug_trials']} progressive interventional "
        f"drug trials ({cov['share']:.0%}) have every non-placebo drug intervention mapped to a canonical agent."
    )
