"""What-changed figures: the registry activity of a window, and the changes since an earlier snapshot.

Pure: DataFrames (or the typed summary) in, figures out. A count a source cannot give (it does not
date that event) is not drawn as a zero bar: its row says "not dated".
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from msprogress import changes, style
from msprogress.charts.common import layout
from msprogress.manifest import ChangeSummary

EVENT_LABELS = {
    "registered": "Newly registered",
    "started": "Started",
    "completed": "Completed",
    "stopped": "Stopped or withdrawn",
    "results_posted": "Posted results",
}
SOURCE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd")


def activity_bars(counts: pd.DataFrame, title: str, subtitle: str) -> go.Figure:
    """changes_window_counts rows → one bar per event, stacked by trial source (ClinicalTrials.gov,
    CTIS); an event no source dates is labelled 'not dated' and drawn as no bar."""
    rows = counts[(counts["kind"] == "trials") & counts["covers_window"]]
    totals = changes.window_totals(counts)
    labels = [EVENT_LABELS[c] + (" (not dated)" if totals[c] is None else "") for c in EVENT_LABELS]
    fig = go.Figure()
    for i, (_, r) in enumerate(rows.iterrows()):
        values = [None if pd.isna(r[c]) else int(r[c]) for c in EVENT_LABELS]
        fig.add_trace(
            go.Bar(
                x=values,
                y=labels,
                orientation="h",
                name=f"{changes.short_name(r['source'])} (to {pd.Timestamp(r['as_of']).date()})",
                marker_color=SOURCE_COLOURS[i % len(SOURCE_COLOURS)],
                text=values,
                textposition="inside",
                hovertemplate="%{y}: %{x} trials<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=-0.2, x=0))
    fig.update_xaxes(title_text="progressive-MS trials (count)", rangemode="tozero")
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1])
    return layout(fig, title, height=380, subtitle=subtitle)


def change_bars(summary: ChangeSummary, title: str, subtitle: str) -> go.Figure:
    """The counts of a change summary as bars: trials (by kind of change), agents, grant records."""
    t, g = summary.trials, summary.grants
    rows = [
        ("Trials added", t.added, "trials"),
        ("Trials no longer in the source", t.no_longer_in_source, "trials"),
        ("Trial status changes", t.status, "trials"),
        ("Trial phase changes", t.phase, "trials"),
        ("Trial enrollment changes", t.enrollment, "trials"),
        ("Trial population changes", t.population, "trials"),
        *[
            (f"Agents {kind}", sum(m.change == kind for m in summary.agents), "agents")
            for kind in changes.AGENT_CHANGES
        ],
        ("Grant records added", g.added, "grants"),
        ("Grant records changed", g.changed, "grants"),
        ("Grant records no longer in the source", g.no_longer_in_source, "grants"),
    ]
    df = pd.DataFrame(rows, columns=["label", "n", "group"])
    colours = {"trials": style.PHASE_COLOUR, "agents": "#2ca02c", "grants": "#9467bd"}
    fig = go.Figure()
    for group, d in df.groupby("group", sort=False):
        fig.add_trace(
            go.Bar(
                x=d["n"],
                y=d["label"],
                orientation="h",
                name=f"{group} (count)",
                marker_color=colours[str(group)],
                text=d["n"],
                textposition="outside",
                hovertemplate="%{y}: %{x}<extra></extra>",
            )
        )
    fig.update_layout(legend=dict(orientation="h", y=-0.15, x=0))
    fig.update_xaxes(title_text="count (progressive-MS trials, agents, grant records)", rangemode="tozero")
    fig.update_yaxes(categoryorder="array", categoryarray=list(df["label"])[::-1])
    return layout(fig, title, height=520, subtitle=subtitle)
