"""Overview figures: the small panels of the one-screen story (map, funding trend, pipeline).

Pure builders, DataFrames in, figure out. Each figure's title states its finding, computed here
from the data it draws: a short headline, and a detail line as plotly's subtitle, so the figure
stands alone as a slide and the headline fits a third of a 1920 px slide. No text is given a
small fixed size: presenter mode's `decorate` then sets every text to slide size.

NOTE: the small map is `charts.maps.choropleth` of the progressive-trials metric, re-titled and
resized here, in one place (`small_map`), so a rewritten map builder needs one change.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from msprogress import style
from msprogress.charts import funding, maps
from msprogress.charts.common import layout
from msprogress.markup import plotly_text

APPROVED = "Approved for progressive MS"  # schema.APPROVED_STAGE: the pipeline's last stage
STAGE_COLOUR, APPROVED_COLOUR = style.PHASE_COLOUR, "#009E73"  # approved set apart from phase 4
PROGRESSIVE_COLOUR, OTHER_MS_COLOUR = "#0072B2", "#56B4E9"
PANEL_HEIGHT = 330


def _titled(fig: go.Figure, headline: str, detail: str, height: int = PANEL_HEIGHT) -> go.Figure:
    layout(fig, headline, height=height)
    fig.update_layout(title=dict(subtitle=dict(text=detail)), margin=dict(t=78, l=10, r=10, b=10))
    return fig


# --- Map -------------------------------------------------------------------------------------


def map_finding(metrics: pd.DataFrame) -> tuple[str, str]:
    """Columns of map_country_metrics → ('Progressive-MS trials in 39 countries', 'Most: …')."""
    top = maps.top_countries(metrics, "progressive", n=3)
    n = int((metrics["progressive_trials"] > 0).sum())
    if not n:
        return "No progressive-MS trials match", "Change the filters to see where trials are"
    pairs = zip(top["country"], top["progressive_trials"], strict=True)
    most = " · ".join(f"{plotly_text(country)} {int(trials):,}" for country, trials in pairs)
    return f"Progressive-MS trials in {style.plural(n, 'country')}", ("Most: " if n > 1 else "") + most


def small_map(metrics: pd.DataFrame, height: int = PANEL_HEIGHT, zoom: bool = False) -> go.Figure:
    """map_country_metrics → the world map of progressive-MS trials per country, panel-sized;
    `zoom` (the filters choose places) fits the view to the countries in the filter."""
    headline, detail = map_finding(metrics)
    fig = maps.choropleth(metrics, "progressive", "EUR")
    _titled(fig, headline, detail, height)
    fig.update_layout(margin=dict(l=0, r=0, t=78, b=0))
    if zoom:
        fig.update_geos(fitbounds="locations", lataxis_range=None)
    single = metrics["progressive_trials"].gt(0).sum() <= 1  # a colour bar of one value says nothing
    for trace in fig.data:
        if trace.showscale is not False and trace.colorbar.tickvals:
            trace.showscale = not single
            _fewer_ticks(trace.colorbar)
    return fig


def _fewer_ticks(bar: go.choropleth.ColorBar, most: int = 4) -> None:
    """A colour bar a panel high keeps at most `most` labels: the first, the last, evenly between."""
    vals, texts = list(bar.tickvals), list(bar.ticktext)
    step = max(1, -(-(len(vals) - 1) // (most - 1)))
    keep = sorted({*range(0, len(vals), step), len(vals) - 1})
    bar.update(
        tickvals=[vals[i] for i in keep],
        ticktext=[texts[i] for i in keep],
        len=1,
        thickness=14,
        title_text="trials",
    )


# --- Funding trend ---------------------------------------------------------------------------

TREND_COLUMNS = ["year", "status", "ms_amount", "progressive_amount", "share"]


def trend_frame(
    money: pd.DataFrame, progressive: pd.DataFrame, status: pd.DataFrame, share: pd.DataFrame
) -> pd.DataFrame:
    """One series' years → year, status, ms_amount, progressive_amount, share.

    `money` and `progressive` are funding_by_year rows (all MS research matching the filters, and
    its progressive-specific part), `status` is funding.year_status, `share` funding_share rows of
    the series (may be empty). A year not covered has no amounts: missing, not zero."""

    def per_year(d: pd.DataFrame) -> pd.Series:
        return (d["amount"] + d["amount_flagged"]).groupby(d["year"]).sum()

    out = status[["year", "status"]].copy()
    out["ms_amount"] = out["year"].map(per_year(money)).fillna(0.0)
    out["progressive_amount"] = out["year"].map(per_year(progressive)).fillna(0.0)
    out["share"] = out["year"].map(share.set_index("year")["ms_share"]) if not share.empty else float("nan")
    gap = out["status"] == funding.NOT_COVERED
    out.loc[gap, ["ms_amount", "progressive_amount"]] = float("nan")
    return out[TREND_COLUMNS]


def share_text(share: float) -> str:
    """A 0–1 share as a percentage with the digits it needs: '3.4%', '0.054%', '0%'."""
    pct = 100 * share
    return f"{pct:.1f}%" if pct >= 1 else f"{pct:.2g}%"


def trend_finding(
    trend: pd.DataFrame, who: str, research: str, currency: str, year_prefix: str = ""
) -> tuple[str, str]:
    """The finding of one series' trend, as (headline, detail lines joined by <br>).

    Where the series holds the funder's whole portfolio (a share is known): its latest year's
    money ('€33.4 M on MS research'), who and when, the share of the funder's money. Else the
    series covers years partially, so a latest year says little: its total over the years in
    view, said to be partial. The progressive-specific part follows when all MS is in view.
    `who` (a series' funder, from a source file) is escaped here: the finding is plotly text."""
    who = plotly_text(who)
    covered = trend.dropna(subset=["ms_amount"])
    if not covered["ms_amount"].gt(0).any():
        return f"No award amounts for {research}", f"{who}: no stated amounts match these filters"
    shared = covered.dropna(subset=["share"])
    if not shared.empty:
        last = shared.iloc[-1]
        money, progressive = last.ms_amount, last.progressive_amount
        lines = [f"{who}, {year_prefix}{int(last.year)}: {share_text(last.share)} of its award money"]
        headline = f"{style.money(money, currency)} on {research}"
    else:
        years = covered.loc[covered["ms_amount"] > 0, "year"].astype(int)
        span = f"{years.min()}" if years.min() == years.max() else f"{years.min()}–{years.max()}"
        money, progressive = covered["ms_amount"].sum(), covered["progressive_amount"].sum()
        lines = [f"{who}: partial coverage"]
        headline = f"{style.money(money, currency)} on {research}, {year_prefix}{span}"
    if research == "MS research":
        lines.append(f"{style.money(progressive, currency)} of it progressive-specific")
    return headline, "<br>".join(lines)


def funding_trend(
    trend: pd.DataFrame, currency: str, headline: str, detail: str, split: bool, height: int = PANEL_HEIGHT
) -> go.Figure:
    """trend_frame → bars of one series' money per year: the progressive-specific part dark (when
    `split`), the rest of MS research light, the share of the funder's money above each bar, and
    a grey band over years the series does not cover (no bar: missing, not zero)."""
    fig = go.Figure()
    rest = trend["ms_amount"] - (trend["progressive_amount"] if split else 0)
    layers = [("Progressive-specific", trend["progressive_amount"], PROGRESSIVE_COLOUR)] if split else []
    layers.append(
        (
            "Other MS research" if split else "MS research",
            rest,
            OTHER_MS_COLOUR if split else PROGRESSIVE_COLOUR,
        )
    )
    ends = _ends(trend)
    shares = [share_text(s) if y in ends else "" for y, s in zip(trend["year"], trend["share"], strict=True)]
    for i, (name, values, colour) in enumerate(layers):
        fig.add_trace(
            go.Bar(
                x=trend["year"],
                y=values,
                name=name,
                marker_color=colour,
                text=shares if i == len(layers) - 1 else None,  # on the top of the stack
                textposition="outside",
                constraintext="none",
                cliponaxis=False,
                hovertemplate=f"{name}<br>%{{x}}: %{{y:,.0f}} {currency}<extra></extra>",
            )
        )
    for a, b in funding.runs(trend, funding.NOT_COVERED):
        fig.add_vrect(
            x0=a - 0.5, x1=b + 0.5, fillcolor=funding.GREY, opacity=0.18, line_width=0, layer="below"
        )
        fig.add_annotation(
            x=(a + b) / 2,
            y=0.02,
            yref="paper",
            yanchor="bottom",
            text="not covered",
            textangle=-90,
            showarrow=False,
        )
    # NOTE: the legend sits inside the plot's top edge (the early years' bars are low): below the
    # plot it would cost a slide the height it does not have.
    fig.update_layout(barmode="stack", bargap=0.2, showlegend=split)
    fig.update_layout(
        legend=dict(orientation="h", yanchor="top", y=1.0, xanchor="left", x=0.01, bgcolor="rgba(0,0,0,0)")
    )
    years = trend["year"].astype(int).tolist() or [0]
    step = 1 if years[-1] - years[0] <= 8 else 2
    fig.update_xaxes(
        tickvals=list(range(years[-1], years[0] - 1, -step)),  # the latest year always labelled
        range=[years[0] - 1, years[-1] + 0.7],  # room for the share labels beside the axis
        showgrid=False,
    )
    top = float(trend["ms_amount"].max()) if trend["ms_amount"].gt(0).any() else 1.0
    fig.update_yaxes(  # headroom over the tallest bar: the legend and share labels sit there
        tickprefix=style.CURRENCY_SYMBOLS.get(currency, ""), tickformat="~s", range=[0, 1.3 * top]
    )
    return _titled(fig, headline, detail, height)


def _ends(trend: pd.DataFrame) -> set[int]:
    """The first and last years with a known share: the two bars labelled with it."""
    known = trend.dropna(subset=["share", "ms_amount"])["year"]
    return {int(known.min()), int(known.max())} if not known.empty else set()


# --- Pipeline by stage -----------------------------------------------------------------------

STAGE_COLUMNS = ["stage", "stage_rank", "agents"]


def stage_counts(markers: pd.DataFrame) -> pd.DataFrame:
    """pipeline_markers rows → stage, stage_rank, agents (agents only, by their highest stage)."""
    agents = markers[markers["item_kind"] == "agent"]
    out = agents.groupby(["stage", "stage_rank"], as_index=False).size().rename(columns={"size": "agents"})
    return out.sort_values("stage_rank")[STAGE_COLUMNS].reset_index(drop=True)


def stage_finding(stages: pd.DataFrame) -> tuple[str, str]:
    """('103 agents in the pipeline', '15 at phase 3; 3 approved for progressive MS')."""
    total = int(stages["agents"].sum())
    by = stages.set_index("stage")["agents"]
    phase3 = int(by.get("Phase 3", 0))
    approved = int(by.get(APPROVED, 0))
    detail = f"{phase3:,} at phase 3; {approved:,} approved for progressive MS"
    return f"{style.plural(total, 'agent')} in the pipeline", detail


def pipeline_stages(stages: pd.DataFrame, height: int = PANEL_HEIGHT) -> go.Figure:
    """stage_counts → a column of agents per highest stage, left to right as a pipeline flows, the
    approved stage apart in colour."""
    d = stages.sort_values("stage_rank")
    labels = ["Approved" if s == APPROVED else s.replace(" ", "<br>", 1) for s in d["stage"]]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=d["agents"],
            marker_color=[APPROVED_COLOUR if s == APPROVED else STAGE_COLOUR for s in d["stage"]],
            text=d["agents"],
            textposition="outside",
            constraintext="none",
            cliponaxis=False,
            customdata=d["stage"],
            hovertemplate="%{customdata}: %{y} agents<extra></extra>",
        )
    )
    fig.update_yaxes(rangemode="tozero", showticklabels=False, showgrid=False)  # each column says its number
    fig.update_xaxes(categoryorder="array", categoryarray=labels, tickangle=0)
    return _titled(fig, *stage_finding(d), height)
