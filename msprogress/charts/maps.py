"""World-map figures: a per-country choropleth, the ranked countries beside it, and a point map
of the places behind the same metric. Pure builders: DataFrames in, figure out.

All three are plotly figures, so they export (PNG, SVG, slides) and take the presenter look like
every other chart. The geo charts work offline: `PLOTLY_CONFIG` points plotly.js at our static
topojson (1:110m for the world, 1:50m when zoomed in).

Colours: one hue (blue), light = few, dark = many, on a logarithmic scale (trial counts run from
1 to hundreds, award money over four orders of magnitude; exact values are in the hover and in
`customdata[0]`). A country with none of a count is neutral grey, listed in the legend as "0";
a country with no data (outside the filter, or money with no stated amount) has no fill. The
dark theme has its own palette (`DARK`): zero countries there are a dim grey, never white.
NOTE: the point map is a plotly scattergeo, not deck.gl: a WebGL canvas cannot be exported to
PNG/SVG or the slide deck, its text cannot take the presenter sizes, and plotly draws the same
offline geometry as the choropleth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from msprogress import style
from msprogress.charts.common import FONT, layout
from msprogress.markup import plotly_text


@dataclass(frozen=True)
class Metric:
    column: str  # column of map_country_metrics, map_trial_sites or map_organisations
    noun: str  # what is counted, in a sentence ("progressive-MS trials")
    unit: str  # singular unit of a count ("trial"); "" for money
    places: str  # "sites" (map_trial_sites) or "organisations" (map_organisations)


METRICS: dict[str, Metric] = {
    "progressive": Metric("progressive_trials", "progressive-MS trials", "trial", "sites"),
    "trials": Metric("trials", "MS trials", "trial", "sites"),
    "recruiting": Metric("recruiting_trials", "recruiting MS trials", "trial", "sites"),
    "projects": Metric("projects", "research projects", "project", "organisations"),
    "funding": Metric("awarded", "award money", "", "organisations"),
}
METRIC_LABELS = {
    "progressive": "Progressive-MS trials",
    "trials": "All MS trials",
    "recruiting": "Recruiting trials",
    "projects": "Research projects",
    "funding": "Award money",
}
TRIAL_BASIS = (
    "country of any listed site (CTIS: every trial country; ClinicalTrials.gov export: first listed site)"
)


@dataclass(frozen=True)
class Palette:
    scale: tuple[str, str, str]  # single-hue sequential scale: few → many
    zero: str  # a country with none of a count
    no_amount: str  # money: awards recorded, none states an amount
    border: str
    land: str  # the point map's land
    site: str  # trial-site markers
    organisation: str  # organisation markers
    marker_line: str


LIGHT = Palette(
    ("#c6dbef", "#4292c6", "#08306b"),
    "#e3e3e3",
    "#a9a9a9",
    "#9aa0a6",
    "#eef0f2",
    "#D55E00",
    "#0072B2",
    "#ffffff",
)
DARK = Palette(
    ("#1b3a5a", "#2f7fc1", "#8fcaf7"),
    "#353a42",
    "#5d636c",
    "#6b737e",
    "#23272e",
    "#F0884D",
    "#56B4E9",
    "#0e1117",
)


def palette(dark: bool) -> Palette:
    return DARK if dark else LIGHT


def plural(n: int, word: str) -> str:
    """'1 trial', '2 trials', '3 countries'."""
    if n == 1:
        return f"1 {word}"
    return f"{n:,} " + (word[:-1] + "ies" if word.endswith("y") else word + "s")


def format_value(value: float, metric: str, currency: str) -> str:
    """'26 trials', '1 project', '€12.6 M'."""
    if metric == "funding":
        return style.money(value, currency)
    return plural(int(value), METRICS[metric].unit)


# --- Zoom -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Zoom:
    """What the geo charts show: the world, or a box (west, south, east, north) in degrees."""

    label: str
    box: tuple[float, float, float, float] | None = None


PRESETS: dict[str, Zoom] = {
    "world": Zoom("World"),
    "europe": Zoom("Europe", (-12.0, 34.5, 35.0, 66.0)),
    "north-america": Zoom("North America", (-125.0, 17.0, -64.0, 56.0)),
}
MIN_SPAN = 5.0  # degrees: a small country (Luxembourg, Malta) is shown with its neighbours


def zoom_to(countries: pd.DataFrame, label: str) -> Zoom:
    """A box around countries (map_country_metrics rows: their main land's west/south/east/north,
    else their centre), padded by a tenth and never narrower than MIN_SPAN."""
    west = countries["west"].fillna(countries["longitude"]).min()
    east = countries["east"].fillna(countries["longitude"]).max()
    south = countries["south"].fillna(countries["latitude"]).min()
    north = countries["north"].fillna(countries["latitude"]).max()
    pad_x = max((east - west) * 0.1, (MIN_SPAN - (east - west)) / 2)
    pad_y = max((north - south) * 0.1, (MIN_SPAN - (north - south)) / 2)
    box = (west - pad_x, max(south - pad_y, -80.0), east + pad_x, min(north + pad_y, 84.0))
    return Zoom(label, tuple(float(v) for v in box))  # type: ignore[arg-type]


def _ne_x(lat: float) -> float:
    """Natural Earth projection: x per radian of longitude at a latitude (radians), as d3 has it."""
    p2 = lat * lat
    return 0.8707 - 0.131979 * p2 + p2 * p2 * (-0.013791 + p2 * p2 * (0.003971 * p2 - 0.001529 * p2 * p2))


def _ne_y(lat: float) -> float:
    """Natural Earth projection: y of a latitude (radians)."""
    p2 = lat * lat
    return lat * (1.007226 + p2 * (0.015085 + p2 * p2 * (-0.044475 + 0.028874 * p2 - 0.005916 * p2 * p2)))


def _ne_lat(y: float) -> float:
    """The latitude (radians) of a Natural Earth y (the inverse of _ne_y, by bisection)."""
    lo, hi = -math.pi / 2, math.pi / 2
    for _ in range(50):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _ne_y(mid) < y else (lo, mid)
    return lo


def fitted(box: tuple[float, float, float, float], aspect: float) -> tuple[float, float, float, float]:
    """The box widened (or heightened) about its centre to the plot's width/height `aspect` in the
    Natural Earth projection: plotly fits the lon/lat range box into the plot and clips the map to
    it, so a box of the plot's shape fills it instead of a narrow strip."""
    west, south, east, north = box
    equator_side = math.radians(0.0 if south < 0 < north else min(abs(south), abs(north)))
    x_per_rad = _ne_x(equator_side)  # the box's widest parallel
    width = math.radians(east - west) * x_per_rad
    y0, y1 = _ne_y(math.radians(south)), _ne_y(math.radians(north))
    if width < aspect * (y1 - y0):
        half, mid = math.degrees(aspect * (y1 - y0) / x_per_rad) / 2, (west + east) / 2
        return mid - half, south, mid + half, north
    half, mid = width / aspect / 2, (y0 + y1) / 2
    return west, math.degrees(_ne_lat(mid - half)), east, math.degrees(_ne_lat(mid + half))


def _geo(zoom: Zoom, colours: Palette, aspect: float, land: bool) -> dict:
    """The geo subplot: the natural-earth world, or a box around the zoom at 1:50m.

    NOTE: zoomed by lon/lat ranges, not `projection.scale`: a scaled map stays clipped to the
    whole world's frame, a narrow strip in a wide plot (a 16:9 slide)."""
    geo = dict(
        projection_type="natural earth",
        showframe=False,
        showcoastlines=True,
        coastlinecolor=colours.border,
        coastlinewidth=0.5,
        showland=land,
        landcolor=colours.land,
        showcountries=True,
        countrycolor=colours.border,
        countrywidth=0.5,
        showocean=False,
        showlakes=False,
        bgcolor="rgba(0,0,0,0)",
    )
    if zoom.box is None:
        return geo | dict(resolution=110, lataxis_range=[-58, 85])
    west, south, east, north = fitted(zoom.box, aspect)
    return geo | dict(
        resolution=50,
        projection_rotation_lon=(west + east) / 2,
        lonaxis_range=[west, east],
        lataxis_range=[south, north],
    )


# --- Choropleth -----------------------------------------------------------------------------


def _ticks(lo: float, hi: float) -> list[float]:
    """Colour-bar ticks between lo and hi (both > 0): 1-2-5 steps, or powers of ten when too many."""
    decades = range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
    steps = [m * 10.0**e for e in decades for m in (1, 2, 5)]
    inside = [t for t in steps if lo <= t <= hi]
    if len(inside) > 7:
        inside = [10.0**e for e in decades if lo <= 10.0**e <= hi]
    return inside or [lo]


def scale_range(values: pd.Series, metric: str) -> tuple[float, float]:
    """The colour scale's (low, high), wide enough for three ticks or more: counts from 1 (to 5 at
    least); money from the power of ten below the smallest amount (one country still gets a bar)."""
    hi = float(values.max())
    if metric != "funding":
        return 1.0, max(hi, 5.0)
    lo = 10.0 ** math.floor(math.log10(float(values.min())))
    while len(_ticks(lo, hi)) < 3:
        lo /= 10
    return lo, max(hi, 2 * lo)


def _tick_label(value: float, metric: str, currency: str) -> str:
    if metric == "funding":
        return style.money(value, currency).replace(".0 ", " ")  # "£100 M", not "£100.0 M"
    return f"{value:,.0f}"


def _hover() -> str:
    return "<b>%{customdata[1]}</b><br>%{customdata[2]}<extra></extra>"


def _positive_trace(d: pd.DataFrame, metric: str, currency: str, colours: Palette) -> go.Choropleth:
    values = d["value"].astype(float)
    lo, hi = scale_range(values, metric)
    ticks = _ticks(lo, hi)
    return go.Choropleth(
        locations=d["iso3"],
        locationmode="ISO-3",
        z=np.log10(values),
        zmin=math.log10(lo),
        zmax=math.log10(hi),
        customdata=np.stack([values, d["country"], d["hover"]], axis=-1),
        colorscale=list(zip((0, 0.5, 1), colours.scale, strict=True)),
        marker_line_color=colours.border,
        marker_line_width=0.5,
        colorbar=dict(
            title=dict(text=currency if metric == "funding" else METRICS[metric].unit + "s"),
            tickvals=[math.log10(t) for t in ticks],
            ticktext=[_tick_label(t, metric, currency) for t in ticks],
            thickness=14,
            len=0.75,
        ),
        hovertemplate=_hover(),
        name=currency if metric == "funding" else METRICS[metric].unit + "s",
        showlegend=False,
        unselected=dict(marker=dict(opacity=0.6)),
    )


def _flat_trace(d: pd.DataFrame, colour: str, colours: Palette, name: str) -> go.Choropleth:
    """Countries in one flat colour, with a legend entry (zero, or money without an amount)."""
    return go.Choropleth(
        locations=d["iso3"],
        locationmode="ISO-3",
        z=np.zeros(len(d)),
        customdata=np.stack([d["value"].astype(float).fillna(0), d["country"], d["hover"]], axis=-1),
        colorscale=[[0, colour], [1, colour]],
        showscale=False,
        showlegend=True,
        marker_line_color=colours.border,
        marker_line_width=0.5,
        hovertemplate=_hover(),
        name=name,
        unselected=dict(marker=dict(opacity=0.6)),
    )


def choropleth_frame(df: pd.DataFrame, metric: str, currency: str) -> pd.DataFrame:
    """map_country_metrics → iso3, country, value, hover: every country in the filter; value is
    missing for money where no award states an amount."""
    col = METRICS[metric].column
    d = df.rename(columns={col: "value"})
    texts = [
        format_value(v, metric, currency) if pd.notna(v) else "no award amount stated" for v in d["value"]
    ]
    if metric == "funding":
        texts = [
            f"{t} ({int(n):,} of {plural(int(a), 'award')} state an amount)"
            for t, n, a in zip(texts, d["awards_with_amount"], d["award_rows"], strict=True)
        ]
    return d.assign(hover=texts, country=d["country"].map(plotly_text))[["iso3", "country", "value", "hover"]]


def choropleth_title(df: pd.DataFrame, metric: str, currency: str) -> str:
    """The finding: 'Progressive-MS trials in 31 countries, most in United States (26 trials)'."""
    top = top_countries(df, metric, n=1)
    n = len(top_countries(df, metric, n=len(df)))
    noun = METRICS[metric].noun
    if top.empty:
        return f"No {noun} in any country for these filters"
    first = top.iloc[0]
    value = format_value(first[METRICS[metric].column], metric, currency)
    where = "to organisations in" if metric == "funding" else "in"
    country = plotly_text(first["country"])
    if n == 1:
        return f"{_capital(noun)} {where} {country}: {value}"
    return f"{_capital(noun)} {where} {plural(n, 'country')}, most in {country} ({value})"


def _capital(text: str) -> str:
    return text[0].upper() + text[1:]


def choropleth(
    df: pd.DataFrame, metric: str, currency: str, zoom: Zoom | None = None, dark: bool = False
) -> go.Figure:
    """map_country_metrics → the choropleth of one metric, zoomed to `zoom` (default: the world)."""
    colours = palette(dark)
    d = choropleth_frame(df, metric, currency)
    fig = go.Figure()
    if metric == "funding":
        empty = d[d["value"].isna() & df["award_rows"].gt(0).to_numpy()]
        if not empty.empty:
            fig.add_trace(_flat_trace(empty, colours.no_amount, colours, "awards, no amount stated"))
    else:
        zero = d[d["value"] <= 0]
        if not zero.empty:
            fig.add_trace(_flat_trace(zero, colours.zero, colours, f"0 {METRICS[metric].unit}s"))
    positive = d[d["value"] > 0]
    if not positive.empty:
        fig.add_trace(_positive_trace(positive, metric, currency, colours))
    layout(fig, choropleth_title(df, metric, currency), height=600)
    fig.update_layout(
        title=dict(subtitle=dict(text=_choropleth_subtitle(metric, currency))),
        margin=dict(l=0, r=10, t=90, b=0),
        geo=_geo(zoom or PRESETS["world"], colours, aspect=2.0, land=False),
        legend=dict(x=0, xanchor="left", y=0, yanchor="bottom", bgcolor="rgba(0,0,0,0)", title=dict(text="")),
        hoverlabel=dict(font=dict(size=15, family=FONT["family"])),
    )
    return fig


def _choropleth_subtitle(metric: str, currency: str) -> str:
    if metric == "funding":
        return f"Stated award amounts in {currency}, by the funded organisation's country. No fill: no data."
    if metric == "projects":
        return "Funded research projects by the lead organisation's country. No fill: no data."
    return "Trials by the country of a listed site. No fill: outside the filter."


def top_countries(df: pd.DataFrame, metric: str, n: int = 5) -> pd.DataFrame:
    """The n countries with the highest value of the metric (ties by name); missing never ranks."""
    col = METRICS[metric].column
    d = df[df[col].notna() & (df[col] > 0)]
    return d.sort_values([col, "country"], ascending=[False, True]).head(n)


# --- Ranked countries -----------------------------------------------------------------------


def ranking_title(df: pd.DataFrame, metric: str, currency: str, n: int = 3) -> str:
    """'Most progressive-MS trials: United States 26, France 12, Italy 9'."""
    top = top_countries(df, metric, n)
    if top.empty:
        return f"No country has {METRICS[metric].noun} for these filters"
    col = METRICS[metric].column
    items = [
        f"{plotly_text(r['country'])} {style.money(r[col], currency) if metric == 'funding' else f'{int(r[col]):,}'}"
        for _, r in top.iterrows()
    ]
    return f"Most {METRICS[metric].noun}: " + ", ".join(items)


def ranking(df: pd.DataFrame, metric: str, currency: str, n: int = 10, dark: bool = False) -> go.Figure:
    """map_country_metrics → the top n countries as horizontal bars, largest on top, in the
    choropleth's metric and colour; the title names the first three."""
    top = top_countries(df, metric, n).iloc[::-1]
    col = METRICS[metric].column
    labels = [format_value(v, metric, currency) for v in top[col]]
    numbers = labels if metric == "funding" else [f"{int(v):,}" for v in top[col]]
    fig = go.Figure(
        go.Bar(
            x=top[col],
            y=top["country"].map(plotly_text),
            orientation="h",
            marker_color=palette(dark).scale[1],
            text=numbers,
            textposition="outside",
            cliponaxis=False,
            customdata=labels,
            hovertemplate="<b>%{y}</b><br>%{customdata}<extra></extra>",
        )
    )
    shown = len(top_countries(df, metric, len(df)))
    layout(fig, ranking_title(df, metric, currency), height=150 + 34 * max(len(top), 3))
    fig.update_layout(
        title=dict(subtitle=dict(text=f"Top {min(n, shown)} of {plural(shown, 'country')}")),
        margin=dict(l=10, r=40, t=90, b=40),
        xaxis=dict(title=currency if metric == "funding" else METRICS[metric].unit + "s", showgrid=True),
        yaxis=dict(automargin=True),
        bargap=0.25,
        showlegend=False,
    )
    return fig


# --- Point map ------------------------------------------------------------------------------

PRECISION_WORDS = {
    "source": "address as the source gives it",
    "organisation": "the organisation's address in another record",
    "city": "city",
    "city in name": "city named in the organisation's name",
    "country": "country only: drawn at its centre",
}
COUNTRY_ONLY = "country only (no city given): at its centre"
PLACE_KNOWN = "city or address known"
MAX_MARKER_PX = 36


def point_frame(places: pd.DataFrame, metric: str, currency: str) -> pd.DataFrame:
    """map_trial_sites or map_organisations → the places with a value of the metric: name, where,
    value, text (for the hover), approximate (True for a country's centre)."""
    col = METRICS[metric].column
    d = places[places[col].notna() & (places[col] > 0)].copy()
    if METRICS[metric].places == "sites":
        d["name"] = d["place"].fillna("(place not named)")
    else:
        more = d["organisations"] - d["names"].fillna("").str.count("; ") - 1
        d["name"] = d["names"].fillna("(organisation not named)") + [
            f" and {m:,} more" if m > 0 else "" for m in more
        ]
    d["name"] = d["name"].map(plotly_text)  # names from source files: text, never markup
    d["where"] = [
        f"{plotly_text(c)} · {PRECISION_WORDS.get(p, p)}"
        for c, p in zip(d["country"].fillna(d["iso3"]), d["location_precision"], strict=True)
    ]
    d["value"] = d[col].astype(float)
    d["text"] = [format_value(v, metric, currency) for v in d["value"]]
    d["approximate"] = d["location_precision"].eq("country")
    return d[["name", "where", "iso3", "latitude", "longitude", "value", "text", "approximate"]]


def points_title(points: pd.DataFrame, metric: str) -> str:
    """'Progressive-MS trials at 160 places in 33 countries'."""
    noun = METRICS[metric].noun
    if points.empty:
        return f"No place with {noun} for these filters"
    where = "to" if metric == "funding" else "at"
    n_places, n_countries = len(points), points["iso3"].nunique()
    return f"{_capital(noun)} {where} {plural(n_places, 'place')} in {plural(n_countries, 'country')}"


def points(
    places: pd.DataFrame, metric: str, currency: str, zoom: Zoom | None = None, dark: bool = False
) -> go.Figure:
    """map_trial_sites (trial metrics) or map_organisations (projects, money) → a point map of
    one metric: marker area ∝ value; filled where the city or address is known, hollow where only
    the country is (drawn at its centre)."""
    colours = palette(dark)
    d = point_frame(places, metric, currency)
    colour = colours.site if METRICS[metric].places == "sites" else colours.organisation
    sizeref = 2.0 * (float(d["value"].max()) if not d.empty else 1.0) / MAX_MARKER_PX**2
    fig = go.Figure()
    for approximate, name in ((False, PLACE_KNOWN), (True, COUNTRY_ONLY)):
        part = d[d["approximate"] == approximate].sort_values("value", ascending=False)
        fig.add_trace(_point_trace(part, name, colour, colours, sizeref, hollow=approximate))
    layout(fig, points_title(d, metric), height=560)
    unit = currency if metric == "funding" else METRICS[metric].unit + "s"
    kind = "Trial sites" if METRICS[metric].places == "sites" else "Lead organisations"
    fig.update_layout(
        title=dict(subtitle=dict(text=f"{kind}; marker area: {unit}. Hollow: only the country is known.")),
        margin=dict(l=0, r=0, t=90, b=0),
        geo=_geo(zoom or PRESETS["world"], colours, aspect=2.4, land=True),
        legend=dict(
            x=0, xanchor="left", y=0, yanchor="bottom", itemsizing="constant", bgcolor="rgba(0,0,0,0)"
        ),
        hoverlabel=dict(font=dict(size=15, family=FONT["family"])),
    )
    return fig


def _point_trace(
    d: pd.DataFrame, name: str, colour: str, colours: Palette, sizeref: float, hollow: bool
) -> go.Scattergeo:
    return go.Scattergeo(
        lat=d["latitude"],
        lon=d["longitude"],
        mode="markers",
        name=name,
        marker=dict(
            size=d["value"],
            sizemode="area",
            sizeref=sizeref,
            sizemin=4,
            color=colour,
            opacity=0.9 if hollow else 0.75,
            symbol="circle-open" if hollow else "circle",
            line=dict(width=2.5 if hollow else 0.6, color=colour if hollow else colours.marker_line),
        ),
        customdata=np.stack([d["name"], d["where"], d["text"]], axis=-1) if len(d) else None,
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>",
        showlegend=True,
    )
