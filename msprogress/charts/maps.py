"""World-map figures: a per-country choropleth (plotly) and a point map of trial sites and
research organisations (pydeck). Pure builders: DataFrames in, figure or deck out.

Both maps work offline. The choropleth needs `PLOTLY_CONFIG` (its topojson URL points at our
static copy); the deck has no map provider and a blank MapLibre style served from
`static/styles/`, with the country shapes drawn from `static/geo/` by a GeoJsonLayer.

NOTE: the choropleth colours a logarithmic scale (colour bar labelled in real values):
trial counts run from 1 to over 1,000 and award money over four orders of magnitude, so a
linear scale would show one dark country and a pale world. The exact value is in the hover
and in `customdata[0]`.
NOTE: missing is not zero. For counts of records, a country with none is drawn white (0);
for money, a country with no stated award amount is not drawn at all and shows the grey
"no data" land colour. Countries outside the filter are grey too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk

from msprogress import style
from msprogress.charts.common import FONT, layout
from msprogress.markup import plotly_texts


@dataclass(frozen=True)
class Metric:
    column: str
    title: str  # what is counted, for the chart title
    unit: str  # colour-bar title ("{currency}" is replaced)
    is_count: bool  # a count of records: none = 0; else money: none = missing


TRIAL_BASIS = (
    "country of any listed site (CTIS: all countries; ClinicalTrials.gov export: first listed site only)"
)
METRICS: dict[str, Metric] = {
    "trials": Metric("trials", "MS trials by country", "trials", True),
    "progressive": Metric("progressive_trials", "Progressive-MS trials by country", "trials", True),
    "recruiting": Metric("recruiting_trials", "Recruiting MS trials by country", "trials", True),
    "projects": Metric("projects", "Research projects by country of the lead organisation", "projects", True),
    "funding": Metric("awarded", "Award money by country of the funded organisation", "{currency}", False),
}
METRIC_LABELS = {
    "trials": "All MS trials",
    "progressive": "Progressive-MS trials",
    "recruiting": "Recruiting trials",
    "projects": "Research projects",
    "funding": "Award money",
}
# Viridis reversed (light = few, dark = many): colour-blind safe and monotone in lightness.
COLOURSCALE = "Viridis_r"
ZERO_COLOUR = "#ffffff"
NO_DATA_COLOUR = "#c4c9d0"
BORDER_COLOUR = "#7f8790"
SITE_RGB = (213, 94, 0)  # Okabe–Ito vermillion: trial sites
ORG_RGB = (0, 114, 178)  # Okabe–Ito blue: research organisations
GEOJSON_URL = "/app/static/geo/countries_110m.geojson"
BLANK_STYLE_URL = "/app/static/styles/blank.json"


def unit(metric: str, currency: str) -> str:
    return METRICS[metric].unit.format(currency=currency)


def subtitle(metric: str, currency: str) -> str:
    """What the colours mean, in one or two lines under the title."""
    if metric == "funding":
        basis = (
            f"Individual awards with a stated amount, in {currency} (ECB annual mean rate of the award year); "
            "programme totals never added.<br>"
        )
        key = "Grey: no award amount in these files, or outside the filter."
    elif metric == "projects":
        basis = (
            "Funded projects (NIH, Alliance, charities, member files) by the lead organisation's country.<br>"
        )
        key = "White: 0 projects; grey: outside the filter."
    else:
        basis = f"Trials counted by {TRIAL_BASIS}.<br>"
        key = "White: 0 trials; grey: outside the filter."
    return basis + key + " Colour scale logarithmic."


def format_value(value: float, metric: str, currency: str) -> str:
    if metric == "funding":
        return style.money(value, currency)
    return f"{int(value):,} {METRICS[metric].unit}"


def _ticks(lo: float, hi: float) -> list[float]:
    """Colour-bar ticks between lo and hi (both > 0): 1-2-5 steps, or powers of ten when too many."""
    decades = range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
    steps = [m * 10.0**e for e in decades for m in (1, 2, 5)]
    inside = [t for t in steps if lo <= t <= hi]
    if len(inside) > 7:
        inside = [10.0**e for e in decades if lo <= 10.0**e <= hi]
    return inside or [lo]


def _tick_label(value: float, metric: str, currency: str) -> str:
    if metric == "funding":
        return style.money(value, currency).replace(".0 ", " ")  # "£100 M", not "£100.0 M"
    return f"{value:,.0f}"


def _positive_trace(d: pd.DataFrame, metric: str, currency: str) -> go.Choropleth:
    values = d["value"].astype(float)
    lo, hi = float(values.min()), float(values.max())
    ticks = _ticks(lo, hi)
    return go.Choropleth(
        locations=d["iso3"],
        locationmode="ISO-3",
        z=np.log10(values),
        zmin=math.log10(lo),
        zmax=math.log10(hi) if hi > lo else math.log10(lo) + 1,
        customdata=np.stack([values, d["country"], d["hover"]], axis=-1),
        colorscale=COLOURSCALE,
        marker_line_color=BORDER_COLOUR,
        marker_line_width=0.5,
        colorbar=dict(
            title=dict(text=unit(metric, currency), font=dict(size=15)),
            tickvals=[math.log10(t) for t in ticks],
            ticktext=[_tick_label(t, metric, currency) for t in ticks],
            tickfont=dict(size=14),
            thickness=16,
            len=0.8,
        ),
        hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[2]}<extra></extra>",
        name=unit(metric, currency),
        unselected=dict(marker=dict(opacity=0.6)),
    )


def _zero_trace(d: pd.DataFrame, metric: str) -> go.Choropleth:
    return go.Choropleth(
        locations=d["iso3"],
        locationmode="ISO-3",
        z=np.zeros(len(d)),
        customdata=np.stack([d["value"].astype(float), d["country"], d["hover"]], axis=-1),
        colorscale=[[0, ZERO_COLOUR], [1, ZERO_COLOUR]],
        showscale=False,
        marker_line_color=BORDER_COLOUR,
        marker_line_width=0.5,
        hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[2]}<extra></extra>",
        name=f"0 {METRICS[metric].unit}",
        unselected=dict(marker=dict(opacity=0.6)),
    )


def choropleth_frame(df: pd.DataFrame, metric: str, currency: str) -> pd.DataFrame:
    """Columns iso3, country, value, hover: the rows to draw (money: only stated amounts)."""
    col = METRICS[metric].column
    d = df[df[col].notna()].rename(columns={col: "value"})
    texts = [format_value(v, metric, currency) for v in d["value"]]
    if metric == "funding":
        texts = [
            f"{t} from {int(n):,} awards with an amount ({int(a):,} awards)"
            for t, n, a in zip(texts, d["awards_with_amount"], d["award_rows"], strict=True)
        ]
    # NOTE: names and hover texts are shown in plotly's pseudo-HTML: escaped here, once
    shown = d.assign(
        country=plotly_texts(d["country"].astype(object)), hover=plotly_texts(pd.Series(texts, index=d.index))
    )
    return shown[["iso3", "country", "value", "hover"]]


def choropleth(df: pd.DataFrame, metric: str, currency: str) -> go.Figure:
    """Columns of map_country_metrics → the world choropleth of one metric."""
    d = choropleth_frame(df, metric, currency)
    positive, zero = d[d["value"] > 0], d[d["value"] <= 0]
    fig = go.Figure()
    if not zero.empty:
        fig.add_trace(_zero_trace(zero, metric))
    if not positive.empty:
        fig.add_trace(_positive_trace(positive, metric, currency))
    title = METRICS[metric].title + (f" ({currency})" if metric == "funding" else "")
    layout(fig, title, height=560)
    fig.update_layout(
        title=dict(font=dict(size=19), subtitle=dict(text=subtitle(metric, currency), font=dict(size=14))),
        margin=dict(l=0, r=0, t=110, b=0),
        geo=dict(
            projection_type="natural earth",
            showframe=False,
            showcoastlines=False,
            showland=True,
            landcolor=NO_DATA_COLOUR,
            showcountries=True,
            countrycolor=BORDER_COLOUR,
            showocean=False,
            showlakes=False,
            bgcolor="rgba(0,0,0,0)",
            lataxis_range=[-58, 85],
        ),
        hoverlabel=dict(font=dict(size=15, family=FONT["family"])),
    )
    return fig


def top_countries(df: pd.DataFrame, metric: str, n: int = 5) -> pd.DataFrame:
    """The n countries with the highest value of the metric (ties by name); missing never ranks."""
    col = METRICS[metric].column
    d = df[df[col].notna() & (df[col] > 0)]
    return d.sort_values([col, "country"], ascending=[False, True]).head(n)


# --- Point map (pydeck) ----------------------------------------------------------------------


def _radius(counts: pd.Series) -> pd.Series:
    """Marker radius in pixels: area grows with the count."""
    return pd.Series(np.minimum(2 + 1.4 * np.sqrt(counts.astype(float)), 18), index=counts.index)


def site_points(sites: pd.DataFrame) -> pd.DataFrame:
    """map_trial_sites → records with the tooltip fields name, place, detail, radius."""
    d = sites.copy()
    d["name"] = d["city"]  # NOTE: Streamlit HTML-escapes each {field} it puts into the tooltip
    d["place"] = "Trial site · " + d["country"].fillna(d["iso3"])
    d["detail"] = [
        f"{t:,} trial{'s' if t != 1 else ''} ({p:,} progressive-MS) with a listed site here"
        for t, p in zip(d["trials"], d["progressive_trials"], strict=True)
    ]
    d["radius"] = _radius(d["trials"])
    return d[["name", "place", "detail", "latitude", "longitude", "radius", "trials"]]


def organisation_points(orgs: pd.DataFrame) -> pd.DataFrame:
    """map_organisations → records with the tooltip fields name, place, detail, radius."""
    d = orgs.copy()
    d["name"] = d["organisation"]  # NOTE: Streamlit HTML-escapes each {field} it puts into the tooltip
    d["place"] = (
        "Research organisation · " + d["city"].fillna("").str.title() + ", " + d["country"].fillna(d["iso3"])
    )
    d["detail"] = [
        f"{n:,} project{'s' if n != 1 else ''} ({p:,} progressive-specific)"
        for n, p in zip(d["projects"], d["progressive_projects"], strict=True)
    ]
    d["radius"] = _radius(d["projects"])
    return d[["name", "place", "detail", "latitude", "longitude", "radius", "projects"]]


def _scatter(layer_id: str, d: pd.DataFrame, rgb: tuple[int, int, int]) -> pdk.Layer:
    return pdk.Layer(
        "ScatterplotLayer",
        id=layer_id,
        data=d,
        get_position=["longitude", "latitude"],
        get_radius="radius",
        radius_units="'pixels'",  # NOTE: quoted, or pydeck sends it as an accessor expression
        radius_min_pixels=3,
        radius_max_pixels=20,
        get_fill_color=[*rgb, 190],
        get_line_color=[255, 255, 255, 230],
        stroked=True,
        line_width_min_pixels=1,
        pickable=True,
        auto_highlight=True,
    )


def countries_layer() -> pdk.Layer:
    return pdk.Layer(
        "GeoJsonLayer",
        id="countries",
        data=GEOJSON_URL,
        filled=True,
        stroked=True,
        get_fill_color=[214, 220, 227],
        get_line_color=[255, 255, 255],
        line_width_min_pixels=0.6,
        wrap_longitude=True,
        pickable=False,
    )


def points_deck(
    sites: pd.DataFrame, orgs: pd.DataFrame, centre: tuple[float, float] | None = None
) -> pdk.Deck:
    """map_trial_sites + map_organisations → an offline deck: countries, sites, organisations.

    `centre` (lat, lon) zooms in on a selected country's points; otherwise the whole world."""
    view = (
        pdk.ViewState(latitude=centre[0], longitude=centre[1], zoom=3.6)
        if centre
        else pdk.ViewState(latitude=28, longitude=5, zoom=0.9)
    )
    layers = [countries_layer()]
    if not sites.empty:
        layers.append(_scatter("trial-sites", site_points(sites), SITE_RGB))
    if not orgs.empty:
        layers.append(_scatter("organisations", organisation_points(orgs), ORG_RGB))
    return pdk.Deck(
        layers=layers,
        initial_view_state=view,
        map_provider=None,
        map_style=BLANK_STYLE_URL,
        tooltip={
            "html": "<b>{name}</b><br/>{place}<br/>{detail}",
            "style": {"fontSize": "15px", "backgroundColor": "#1f2933", "color": "#ffffff"},
        },
    )


def points_centre(sites: pd.DataFrame, orgs: pd.DataFrame, iso3: str) -> tuple[float, float] | None:
    """Median position of a country's points, or None when it has none."""
    pts = pd.concat(
        [
            sites.loc[sites["iso3"] == iso3, ["latitude", "longitude"]],
            orgs.loc[orgs["iso3"] == iso3, ["latitude", "longitude"]],
        ]
    )
    if pts.empty:
        return None
    return float(pts["latitude"].median()), float(pts["longitude"].median())
