"""About-the-data figures: the source × year coverage grid."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from msprogress.charts.common import layout
from msprogress.markup import plotly_text, plotly_texts

# Shape carries the meaning (filled = complete, outline = partial, nothing = not covered), so
# the grid reads without colour; the two colours are Okabe–Ito blue and orange.
TICKS = dict(size=15)
COVERAGE_MARKERS = {
    "complete": ("square", "#0072B2"),
    "partial": ("square-open", "#E69F00"),
}


def coverage_status(coverage: pd.Series) -> pd.Series:
    """'complete …' → complete, anything else listed → partial."""
    return coverage.str.startswith("complete").map({True: "complete", False: "partial"})


def coverage_grid(df: pd.DataFrame, order: list[str]) -> go.Figure:
    """Columns: label, year, coverage, records, unit → one row per source (in `order`, top
    first), a marker per covered year."""
    fig = go.Figure()
    status = coverage_status(df["coverage"])
    for name, (symbol, colour) in COVERAGE_MARKERS.items():
        d = df[status == name]
        fig.add_trace(
            go.Scatter(
                x=d["year"],
                y=plotly_texts(d["label"]),  # series labels carry member funders' names
                mode="markers",
                name=name,
                marker=dict(symbol=symbol, size=15, color=colour, line=dict(width=2.5, color=colour)),
                customdata=d[["coverage", "records", "unit"]].assign(coverage=plotly_texts(d["coverage"])),
                hovertemplate="%{y}, %{x}: %{customdata[0]}<br>%{customdata[1]:,} %{customdata[2]}"
                "<extra></extra>",
            )
        )
    # An invisible point per source keeps rows without any covered year on the grid.
    first = int(df["year"].min()) if len(df) else 2000
    order = [plotly_text(o) for o in order]
    fig.add_trace(
        go.Scatter(
            x=[first] * len(order),
            y=order,
            mode="markers",
            marker=dict(opacity=0),
            showlegend=False,
            hoverinfo="skip",
        )
    )
    fig.update_yaxes(categoryorder="array", categoryarray=order[::-1], title_text=None, tickfont=TICKS)
    fig.update_xaxes(
        title_text="year (funding: fiscal or award year; registries: trial start year)",
        dtick=5,
        minor=dict(dtick=1, showgrid=True),
        tickfont=TICKS,
    )
    fig = layout(fig, "Which years each source covers", height=150 + 46 * len(order))
    fig.update_layout(
        title_subtitle=dict(
            text="filled square = complete · outline = partial · blank = not covered (missing, not zero)",
            font=dict(size=15),
        ),
        margin=dict(t=100),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right", font=dict(size=15)),
    )
    return fig
