"""World map: the offline geocoder and the build step that places every organisation and trial
site, the map queries, the pure map builders, and the page (AppTest).

The page's figures are checked against direct SQL on the fixture snapshot: the count a country is
coloured by is the count of its trials computed independently, and the point layer adds up to it.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from msprogress import presenter, schema
from msprogress.charts import maps
from msprogress.filters import Filters
from msprogress.ingest import geocode, locate
from tests.conftest import FIXTURE_RAW, REPO

# --- Geocoder -------------------------------------------------------------------------------


def _near(got: tuple[float, float] | None, lat: float, lon: float, tol: float = 0.3) -> bool:
    return got is not None and abs(got[0] - lat) < tol and abs(got[1] - lon) < tol


@pytest.mark.parametrize(
    ("city", "iso3", "lat", "lon"),
    [
        ("Créteil", "FRA", 48.79, 2.46),  # accents, as ClinicalTrials.gov writes them
        ("Elâzığ", "TUR", 38.67, 39.22),  # dotless ı, circumflex
        ("Şehitkamil", "TUR", 37.07, 37.37),
        ("Münster", "DEU", 51.96, 7.63),
        ("Montreal", "CAN", 45.51, -73.59),  # gazetteer: Montréal
        ("Freiburg im Breisgau", "DEU", 47.99, 7.85),  # alternate name of Freiburg
        ("St John's", "ATG", 17.12, -61.85),  # St → Saint
        ("Aarhus C", "DNK", 56.16, 10.21),  # Danish postal district letter
        ("Amiens Cedex1", "FRA", 49.90, 2.30),  # French CEDEX suffix
        ("Boston, Massachusetts", "USA", 42.36, -71.06),  # region suffix after a comma
        ("Tel Hashomer, Ramat Gan", "ISR", 32.08, 34.81),  # the city is the second part
        ("Newcastle", "GBR", 54.97, -1.61),  # short form of Newcastle upon Tyne, not Newcastle (NI)
    ],
)
def test_real_city_names_geocode(city, iso3, lat, lon):
    assert _near(geocode.geocode_city(city, iso3), lat, lon), geocode.find_place(city, iso3)


@pytest.mark.parametrize(
    ("city", "a", "b"),
    [
        ("London", ("GBR", 51.51, -0.13), ("CAN", 42.98, -81.23)),
        ("Cambridge", ("GBR", 52.20, 0.12), ("USA", 42.37, -71.11)),
    ],
)
def test_same_name_in_two_countries_resolves_to_the_given_country(city, a, b):
    for iso3, lat, lon in (a, b):
        assert _near(geocode.geocode_city(city, iso3), lat, lon)


@pytest.mark.parametrize(
    ("city", "iso3"),
    [
        ("Valens", "CHE"),  # a real site (Kliniken Valens) in a village below the gazetteer's 1,000
        ("Many Locations", "KOR"),
        ("Cullman", "GBR"),  # a US town: never a guess in another country
        ("Paris", "XXX"),
        ("", "FRA"),
        (None, "FRA"),
        ("Paris", None),
    ],
)
def test_not_found_is_none(city, iso3):
    assert geocode.geocode_city(city, iso3) is None


def test_normalise():
    assert geocode.normalise("St. Étienne-du-Rouvray") == "saint etienne du rouvray"
    assert geocode.normalise("ELÂZIĞ") == geocode.normalise("Elazig")
    assert geocode.normalise("Lørenskog") == "lorenskog"


def test_fixture_coverage():
    """Share of the fixture's ClinicalTrials.gov sites with a city that geocode (real rows)."""
    from msprogress.ingest import countries

    df = pd.read_csv(next((FIXTURE_RAW / "ctgov").glob("*.csv")), dtype=str, keep_default_na=False)
    rows = [(r.LocationCity, countries.to_iso3(r.LocationCountry)) for r in df.itertuples() if r.LocationCity]
    found = sum(geocode.geocode_city(c, i) is not None for c, i in rows)
    assert found / len(rows) >= 0.9


def test_snapshot_sites_carry_coordinates(db):
    got = db.execute_select(
        "select source, count(city) as cities, count(latitude) filter (where location_precision = 'city') "
        "as by_city from trial_countries group by source",
        {},
    ).set_index("source")
    assert got.loc["ctgov", "by_city"] >= 0.9 * got.loc["ctgov", "cities"]
    assert got.loc["ctis", "by_city"] == 0  # CTIS lists countries, no cities


# --- Countries: centre and extent -------------------------------------------------------------


@pytest.mark.parametrize(
    "iso3", ["ESP", "FRA", "USA", "ITA", "NOR", "GBR", "JPN", "IDN", "HRV", "CHL", "MLT"]
)
def test_country_centre_lies_within_its_main_land(iso3):
    lat, lon = geocode.country_point(iso3)
    west, south, east, north = geocode.country_extent(iso3)
    assert west <= lon <= east and south <= lat <= north


def test_spain_is_centred_on_the_mainland_not_the_canaries():
    """plotly's own topojson centre for Spain lies in the Canary Islands (28.3 N, 16.5 W)."""
    lat, lon = geocode.country_point("ESP")
    assert 38 < lat < 42 and -6 < lon < 0


@pytest.mark.parametrize(
    ("iso3", "check"),
    [
        ("USA", lambda w, s, e, n: n < 50 and s < 26 and w > -126),  # contiguous: no Alaska, with Florida
        ("FRA", lambda w, s, e, n: w > -6),  # no French Guiana
        ("ITA", lambda w, s, e, n: s < 37 and w < 8.2),  # with Sicily and Sardinia
        ("NOR", lambda w, s, e, n: n < 72),  # no Svalbard
        ("MYS", lambda w, s, e, n: w < 101 and e > 119),  # both parts of Malaysia
        ("RUS", lambda w, s, e, n: 180 < e < 200 and w > 19),  # measured eastwards over 180°
    ],
)
def test_country_extent_is_its_main_land(iso3, check):
    assert check(*geocode.country_extent(iso3)), geocode.country_extent(iso3)


def test_a_country_missing_from_the_geometry_takes_its_capital():
    assert geocode.country_extent("XKX") is None
    assert _near(geocode.country_point("XKX"), 42.67, 21.17)  # Pristina


# --- Organisations: the same one elsewhere, a city in the name, the country -------------------


@pytest.mark.parametrize(
    ("name", "iso3", "lat", "lon"),
    [  # real organisation names of the curated sources
        ("Imperial College London", "GBR", 51.51, -0.13),
        ("Coordinator in Lund", "SWE", 55.71, 13.19),
        ("LMU Munich, Institute of Clinical Neuroimmunology", "DEU", 48.14, 11.58),
        ("University of Newcastle (NSW)", "AUS", -32.93, 151.78),  # not Newcastle upon Tyne
        ("San Raffaele Hospital Milan", "ITA", 45.46, 9.19),
        ("Università degli Studi di Milano", "ITA", 45.46, 9.19),  # the Italian name
    ],
)
def test_city_named_in_an_organisation_name(name, iso3, lat, lon):
    place = geocode.city_in_name(name, iso3)
    assert place is not None and _near((place.latitude, place.longitude), lat, lon)


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Harvard Medical School", "USA"),  # Harvard, MA is a town of 7,000: never a guess
        ("University of Washington", "USA"),  # a state, not the city
        ("Karolinska Institutet", "SWE"),
        ("Vall d'Hebron Research Institute", "ESP"),
        ("Hasselt University", "NLD"),  # Hasselt is in Belgium: own country only
        ("University Hospital", "DEU"),
        (None, "DEU"),
    ],
)
def test_no_city_in_these_names(name, iso3):
    assert geocode.city_in_name(name, iso3) is None


def test_organisation_names_compare_in_one_spelling():
    assert locate.org_key("The Karolinska Institutet (coordinator)") == locate.org_key("KAROLINSKA INSTITUTE")
    assert locate.org_key("Johns Hopkins University (Johns Hopkins MS Center)") == "johns hopkins university"


def _projects(rows: list[dict]) -> pd.DataFrame:
    cols = ["organisation", "city", "iso3", "latitude", "longitude"]
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)


KNOWN = _projects(
    [  # as NIH RePORTER gives them: coordinates of the organisation's address
        {"organisation": "JOHNS HOPKINS UNIVERSITY", "city": "BALTIMORE", "iso3": "USA", "latitude": 39.33, "longitude": -76.62},
        {"organisation": "JOHNS HOPKINS UNIVERSITY", "city": "BALTIMORE", "iso3": "USA", "latitude": 39.30, "longitude": -76.59},
        {"organisation": "CASE WESTERN RESERVE UNIVERSIT", "city": "CLEVELAND", "iso3": "USA", "latitude": 41.50, "longitude": -81.60},
        {"organisation": "CHILDREN'S HOSPITAL OF PHILADELPHIA", "city": "PHILADELPHIA", "iso3": "USA", "latitude": 39.95, "longitude": -75.19},
        {"organisation": "REGENTS OF THE UNIVERSITY OF C", "city": "BERKELEY", "iso3": "USA", "latitude": 37.87, "longitude": -122.26},
        {"organisation": "REGENTS OF THE UNIVERSITY OF C", "city": "LOS ANGELES", "iso3": "USA", "latitude": 34.07, "longitude": -118.44},
    ]
)  # fmt: skip


def _known() -> locate.Known:
    from msprogress.ingest.base import SourceResult

    result = SourceResult("nih_reporter", "", "2004-09-30", "", "", tables={"projects": KNOWN})
    return locate.known_organisations([result])


def test_same_organisation_elsewhere_lends_its_place():
    known = _known()
    assert _near(locate.same_organisation("Johns Hopkins University", "USA", known), 39.33, -76.62, 0.05)
    # NIH's 30-character cut of a name still matches the full name
    assert _near(locate.same_organisation("Case Western Reserve University", "USA", known), 41.5, -81.6, 0.05)
    # and a cut name matches the full name another record gives
    assert _near(
        locate.same_organisation("CHILDREN'S HOSPITAL OF PHILADE", "USA", known), 39.95, -75.19, 0.05
    )
    assert locate.same_organisation("Johns Hopkins University", "CAN", known) is None  # same country only
    # one name at two places far apart lends neither
    assert locate.same_organisation("Regents of the University of C", "USA", known) is None


def test_every_project_with_a_country_is_placed_and_says_how():
    rows = _projects(
        [
            {"organisation": "YALE UNIVERSITY", "city": "NEW HAVEN", "iso3": "USA", "latitude": 41.3, "longitude": -72.9},
            {"organisation": "Johns Hopkins University", "iso3": "USA"},
            {"organisation": "TORONTO WESTERN HOSPITAL", "city": "TORONTO", "iso3": "CAN"},
            {"organisation": "Imperial College London", "iso3": "GBR"},
            {"organisation": "Karolinska Institutet", "iso3": "SWE"},
            {"organisation": "8 beneficiaries (6 research institutions, 2 SMEs)"},
        ]
    )  # fmt: skip
    got = locate.locate_projects(rows, _known())
    assert list(got["location_precision"].fillna("-")) == [
        "source",
        "organisation",
        "city",
        "city in name",
        "country",
        "-",
    ]
    assert _near((got.at[2, "latitude"], got.at[2, "longitude"]), 43.70, -79.42)
    assert (got.at[4, "latitude"], got.at[4, "longitude"]) == geocode.country_point("SWE")
    assert pd.isna(got.at[5, "latitude"])  # no country: not on the map


def test_sites_without_a_city_sit_at_their_country_centre():
    sites = pd.DataFrame(
        {
            "iso3": ["DEU", "ITA"],
            "city": [None, "Milano"],
            "latitude": [None, 45.46],
            "longitude": [None, 9.19],
            "location_precision": [None, "city"],
        }
    )
    got = locate.locate_sites(sites)
    assert list(got["location_precision"]) == ["country", "city"]
    assert (got.at[0, "latitude"], got.at[0, "longitude"]) == geocode.country_point("DEU")


def test_snapshot_places_every_project_and_site_with_a_country(db):
    """Curated, member and NIH projects and every trial country are on the map, with the precision."""
    for table in ("projects", "trial_countries"):
        got = db.execute_select(
            f"select source, count(*) filter (where iso3 is not null) as with_country, "
            f"count(latitude) as placed, count(location_precision) as said from {table} group by source",
            {},
        )
        assert (got["placed"] == got["with_country"]).all(), got
        assert (got["said"] == got["placed"]).all(), got
    curated = db.execute_select(
        "select source, location_precision, count(*) as n from projects where iso3 is not null "
        "and source in ('alliance_awards', 'charity_grants', 'public_funders') group by all",
        {},
    )
    assert set(curated["source"]) == {"alliance_awards", "charity_grants", "public_funders"}
    assert set(curated["location_precision"]) <= set(schema.LOCATION_PRECISIONS) - {"source"}
    ctis = db.execute_select(
        "select tc.latitude, tc.longitude, c.latitude as clat, c.longitude as clon, tc.location_precision "
        "from trial_countries tc join countries c using (iso3) where tc.source = 'ctis'",
        {},
    )
    assert (ctis["location_precision"] == "country").all()
    assert (ctis["latitude"] == ctis["clat"]).all() and (ctis["longitude"] == ctis["clon"]).all()


# --- Queries against direct SQL ---------------------------------------------------------------


def _direct_trial_counts(db, progressive: bool = False) -> pd.Series:
    sql = """
        select tc.iso3, count(distinct t.trial_id) as n
        from trials as t join trial_countries as tc using (trial_id)
        where t.population <> 'Not MS' and (not $progressive or t.is_progressive)
        group by tc.iso3
    """
    return db.execute_select(sql, {"progressive": progressive}).set_index("iso3")["n"]


def test_country_metrics_match_direct_counts(db):
    got = db.run("map_country_metrics", Filters().as_struct(), currency="EUR").set_index("iso3")
    for progressive, col in ((False, "trials"), (True, "progressive_trials")):
        direct = _direct_trial_counts(db, progressive)
        assert (got.loc[direct.index, col] == direct).all()
        assert got.loc[~got.index.isin(direct.index), col].eq(0).all()


def test_country_money_is_awards_only_and_missing_not_zero(db):
    got = db.run("map_country_metrics", Filters().as_struct(), currency="EUR").set_index("iso3")
    rows = db.execute_select(
        "select iso3, record_type, amount_eur from grants where ms_relevance <> 'Not MS' and iso3 is not null",
        {},
    )
    awards = rows[rows.record_type == "award"].groupby("iso3")["amount_eur"].sum(min_count=1)
    pd.testing.assert_series_equal(
        got.loc[awards.index, "awarded"], awards, check_names=False, check_exact=False, rtol=1e-9
    )
    no_awards = got.index.difference(awards.dropna().index)
    assert got.loc[no_awards, "awarded"].isna().all()


def test_country_filter_limits_the_map_to_those_countries(db):
    got = db.run("map_country_metrics", Filters(countries=("USA", "ITA")).as_struct(), currency="EUR")
    assert sorted(got["iso3"]) == ["ITA", "USA"]
    assert got[["west", "south", "east", "north"]].notna().all().all()


def test_country_detail_lists_the_counted_trials(db):
    metrics = db.run("map_country_metrics", Filters().as_struct(), currency="EUR").set_index("iso3")
    trials = db.run("map_country_trials", Filters().as_struct(), iso3="USA")
    assert len(trials) == metrics.loc["USA", "trials"] > 0
    assert trials["url"].str.startswith("https://").all()


FILTERS = [
    Filters(),
    Filters(relevance="progressive"),
    Filters(countries=("ESP", "DEU")),
    Filters(year_from=2015),
]


@pytest.mark.parametrize("f", FILTERS, ids=repr)
def test_trial_sites_add_up_to_the_country_counts(db, f):
    """Every listed country of every trial is a place on the point map, so per country the places
    hold exactly the trials the choropleth counts, for every trial metric."""
    metrics = db.run("map_country_metrics", f.as_struct(), currency="EUR").set_index("iso3")
    sites = db.run("map_trial_sites", f.as_struct())
    sums = sites.groupby("iso3")[["trials", "progressive_trials", "recruiting_trials"]].sum()
    for col in sums.columns:
        placed = sums.loc[sums[col] > 0, col]
        pd.testing.assert_series_equal(
            placed, metrics.loc[metrics[col] > 0, col], check_names=False, check_dtype=False
        )
    assert set(sites["location_precision"]) <= {"source", "city", "country"}


@pytest.mark.parametrize("f", FILTERS, ids=repr)
def test_organisation_places_add_up_to_the_country_counts(db, f):
    """Projects and stated award money per country, summed over the organisation places, equal the
    choropleth's (every project with a country is placed)."""
    metrics = db.run("map_country_metrics", f.as_struct(), currency="GBP").set_index("iso3")
    orgs = db.run("map_organisations", f.as_struct(), currency="GBP")
    projects = orgs.groupby("iso3")["projects"].sum()
    assert (projects[projects > 0] == metrics.loc[projects[projects > 0].index, "projects"]).all()
    assert projects.sum() == metrics["projects"].sum()
    money = orgs.groupby("iso3")["awarded"].sum(min_count=1).dropna()
    pd.testing.assert_series_equal(
        money, metrics.loc[money.index, "awarded"], check_names=False, check_exact=False, rtol=1e-9
    )


def test_organisation_places_against_pandas(db):
    """map_organisations recomputed in pandas from the projects table."""
    projects = db.execute_select("select * from projects where ms_relevance <> 'Not MS'", {})
    located = projects[projects["latitude"].notna()]
    direct = located.groupby(["latitude", "longitude", "location_precision"]).agg(
        projects=("project_id", "size"), organisations=("organisation", "nunique")
    )
    got = db.run("map_organisations", Filters().as_struct(), currency="EUR")
    got = got[got["projects"] > 0].set_index(["latitude", "longitude", "location_precision"]).sort_index()
    pd.testing.assert_frame_equal(got[["projects", "organisations"]], direct.sort_index(), check_dtype=False)


# --- Pure builders ----------------------------------------------------------------------------


def _metrics_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "iso3": ["USA", "ITA", "FRA", "NOR"],
            "country": ["United States", "Italy", "France", "Norway"],
            "trials": [120, 20, 0, 1],
            "progressive_trials": [12, 2, 0, 0],
            "recruiting_trials": [10, 5, 0, 1],
            "projects": [50, 1, 0, 0],
            "award_rows": [60, 1, 0, 2],
            "awards_with_amount": [55, 1, 0, 0],
            "awarded": [2.5e8, 4.2e6, np.nan, np.nan],
            "latitude": [39.5, 43.5, 46.6, 64.3],
            "longitude": [-99.1, 12.1, 2.5, 14.0],
            "west": [-124.7, 6.6, -4.8, 5.0],
            "south": [25.1, 36.7, 42.4, 58.0],
            "east": [-67.0, 18.5, 8.2, 31.1],
            "north": [49.4, 47.0, 51.1, 71.1],
        }
    )


def _values(fig) -> dict[str, float]:
    """ISO-3 → the real value a country is coloured by (customdata[0]), over all traces."""
    return {loc: float(cd[0]) for tr in fig.data for loc, cd in zip(tr.locations, tr.customdata, strict=True)}


def test_count_map_shows_zero_apart_in_the_legend():
    fig = maps.choropleth(_metrics_frame(), "trials", "EUR")
    assert _values(fig) == {"USA": 120, "ITA": 20, "FRA": 0, "NOR": 1}
    zero, coloured = fig.data
    assert list(zero.locations) == ["FRA"] and zero.showlegend and zero.name == "0 trials"
    assert list(coloured.z) == pytest.approx(np.log10([120, 20, 1]))
    assert coloured.locationmode == "ISO-3" and fig.layout.geo.projection.type == "natural earth"
    assert fig.layout.title.text == "MS trials in 3 countries, most in United States (120 trials)"


def test_money_map_leaves_missing_out_and_says_which_have_no_amount():
    fig = maps.choropleth(_metrics_frame(), "funding", "GBP")
    no_amount, coloured = fig.data
    assert list(no_amount.locations) == ["NOR"]  # award rows, none with an amount: not 0, not coloured
    assert no_amount.name == "awards, no amount stated"
    assert list(coloured.locations) == ["USA", "ITA"]  # France: no award at all → no fill
    assert coloured.colorbar.title.text == "GBP"
    assert fig.layout.title.text.startswith(
        "Award money to organisations in 2 countries, most in United States (£250"
    )


def test_colour_scale_is_one_hue_and_zero_differs_from_no_data_in_both_themes():
    for dark in (False, True):
        fig = maps.choropleth(_metrics_frame(), "trials", "EUR", dark=dark)
        zero, coloured = fig.data
        scale = [c for _, c in coloured.colorscale]
        hues = [_hue(c) for c in scale]
        assert max(hues) - min(hues) < 25, scale  # one hue (blue) …
        lightness = [_lightness(c) for c in scale]
        assert lightness == sorted(lightness, reverse=not dark), (
            scale
        )  # … more = darker (dark theme: brighter)
        zero_colour = zero.colorscale[0][1]
        assert zero_colour not in scale and fig.layout.geo.showland is False  # no data: no fill
        if dark:  # zero countries must not glare white on the dark background
            assert _lightness(zero_colour) < 0.3


def _rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def _hue(colour: str) -> float:
    import colorsys

    return colorsys.rgb_to_hls(*_rgb(colour))[0] * 360


def _lightness(colour: str) -> float:
    import colorsys

    return colorsys.rgb_to_hls(*_rgb(colour))[1]


@pytest.mark.parametrize(("values", "metric"), [([1], "trials"), ([3, 120], "trials"), ([4.2e6], "funding")])
def test_colour_bar_has_several_ticks_in_real_values(values, metric):
    d = _metrics_frame().head(len(values)).assign(trials=values, awarded=values)
    bar = maps.choropleth(d, metric, "EUR").data[-1].colorbar
    assert len(bar.ticktext) >= 3
    first = float(bar.ticktext[0].replace(",", "")) if metric == "trials" else None
    assert first is None or 10 ** bar.tickvals[0] == pytest.approx(first)


def test_titles_state_the_finding_with_plurals():
    d = _metrics_frame()
    assert maps.choropleth_title(d.head(2).tail(1), "trials", "EUR") == "MS trials in Italy: 20 trials"
    assert (
        maps.ranking_title(d, "progressive", "EUR") == "Most progressive-MS trials: United States 12, Italy 2"
    )
    assert (
        maps.choropleth_title(d.assign(trials=0), "trials", "EUR")
        == "No MS trials in any country for these filters"
    )
    assert maps.format_value(1, "projects", "EUR") == "1 project"
    assert maps.plural(2, "country") == "2 countries"


def test_ranking_is_the_top_countries_largest_on_top():
    fig = maps.ranking(_metrics_frame(), "trials", "EUR", n=2)
    bar = fig.data[0]
    assert list(bar.y) == ["Italy", "United States"] and list(bar.x) == [20, 120]  # drawn bottom-up
    assert list(bar.text) == ["20", "120"]
    assert fig.layout.title.text == "Most MS trials: United States 120, Italy 20, Norway 1"


def _places() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "place": ["Milano", "Germany", "Boston"],
            "iso3": ["ITA", "DEU", "USA"],
            "country": ["Italy", "Germany", "United States"],
            "latitude": [45.46, 51.08, 42.36],
            "longitude": [9.19, 10.38, -71.06],
            "location_precision": ["city", "country", "city"],
            "trials": [4, 9, 1],
            "progressive_trials": [1, 2, 0],
            "recruiting_trials": [0, 3, 1],
            "basis": ["country of first listed site", "all trial countries", "country of first listed site"],
        }
    )


def test_point_map_follows_the_metric_and_shows_country_centres_hollow():
    fig = maps.points(_places(), "progressive", "EUR")
    known, centres = fig.data
    assert list(known.lat) == [45.46] and list(known.marker.size) == [1]  # Boston has no progressive trial
    assert list(centres.lat) == [51.08] and list(centres.marker.size) == [2]
    assert centres.marker.symbol == "circle-open" and known.marker.symbol == "circle"
    assert centres.name == maps.COUNTRY_ONLY and "no city given" in centres.name
    assert fig.layout.title.text == "Progressive-MS trials at 2 places in 2 countries"
    recruiting = maps.points(_places(), "recruiting", "EUR")
    assert sorted(v for t in recruiting.data for v in t.marker.size) == [1, 3]


def test_point_map_of_organisations_names_them():
    orgs = pd.DataFrame(
        {
            "iso3": ["GBR"],
            "country": ["United Kingdom"],
            "city": [None],
            "latitude": [51.51],
            "longitude": [-0.13],
            "location_precision": ["city in name"],
            "organisations": [3],
            "names": ["Imperial College London; Queen Mary University of London"],
            "projects": [2],
            "progressive_projects": [2],
            "award_rows": [2],
            "awards_with_amount": [1],
            "awarded": [75000.0],
        }
    )
    fig = maps.points(orgs, "funding", "EUR")
    name, where, text = fig.data[0].customdata[0]
    assert name == "Imperial College London; Queen Mary University of London and 1 more"
    assert where == "United Kingdom · city named in the organisation's name" and text == "€75.0 k"


def test_zoom_fits_the_chosen_countries():
    d = _metrics_frame()
    italy = maps.zoom_to(d[d["iso3"] == "ITA"], "Italy")
    west, south, east, north = italy.box
    assert west < 6.6 and east > 18.5 and south < 36.7 and north > 47.0
    geo = maps.choropleth(d, "trials", "EUR", italy).layout.geo
    assert geo.resolution == 50  # 1:50m when zoomed in
    (w, e), (s, n) = geo.lonaxis.range, geo.lataxis.range
    assert w <= west and e >= east and s <= south and n >= north  # the whole box is shown …
    assert e - w < 60 and n - s < 25  # … and not much more
    world = maps.choropleth(d, "trials", "EUR").layout.geo
    assert world.lonaxis.range is None and world.resolution == 110
    europe = maps.points(_places(), "trials", "EUR", maps.PRESETS["europe"]).layout.geo
    assert europe.lonaxis.range[0] < -12 and europe.lonaxis.range[1] > 35


@pytest.mark.parametrize(
    "box", [(6.0, 36.0, 19.0, 47.5), (-127.0, 14.0, -58.0, 58.0), (166.0, -47.0, 179.0, -34.0)]
)
@pytest.mark.parametrize("aspect", [1.0, 2.0, 3.5])
def test_fitted_box_has_the_plot_shape_and_holds_the_box(box, aspect):
    west, south, east, north = maps.fitted(box, aspect)
    assert (
        west <= box[0] + 1e-9 and east >= box[2] - 1e-9 and south <= box[1] + 1e-9 and north >= box[3] - 1e-9
    )
    width = math.radians(east - west) * maps._ne_x(math.radians(min(abs(south), abs(north))))
    height = maps._ne_y(math.radians(north)) - maps._ne_y(math.radians(south))
    assert width / height == pytest.approx(aspect, rel=0.01)


def test_a_small_country_is_shown_with_its_neighbours():
    malta = pd.DataFrame(
        {
            "west": [14.3],
            "south": [35.8],
            "east": [14.6],
            "north": [36.0],
            "latitude": [35.9],
            "longitude": [14.4],
        }
    )
    west, south, east, north = maps.zoom_to(malta, "Malta").box
    assert east - west >= maps.MIN_SPAN and north - south >= maps.MIN_SPAN


def _font_sizes(node: object, path: str = "") -> list[tuple[str, float]]:
    """Every font size set anywhere in a figure's JSON, with where."""
    out: list[tuple[str, float]] = []
    if isinstance(node, dict):
        if "font" in path.rsplit("/", 1)[-1] and isinstance(node.get("size"), int | float):
            out.append((path, float(node["size"])))
        for k, v in node.items():
            out += _font_sizes(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _font_sizes(v, f"{path}/{i}")
    return out


@pytest.mark.parametrize(
    "build",
    [
        lambda: maps.choropleth(_metrics_frame(), "funding", "EUR"),
        lambda: maps.ranking(_metrics_frame(), "trials", "EUR"),
        lambda: maps.points(_places(), "trials", "EUR", maps.PRESETS["europe"]),
    ],
)
def test_every_text_of_the_map_figures_is_hall_sized_on_a_slide(build):
    """After presenter.decorate no text the map builders set is under 20 px (the footer and the
    subtitle are the presenter's own)."""
    fig = presenter.decorate(build(), "map", "all MS research", "Source: test.")
    spec = fig.to_plotly_json()
    own = [a for a in spec["layout"].get("annotations", []) if a.get("name") not in ("presenter_footer",)]
    spec["layout"]["annotations"] = own
    sizes = _font_sizes(spec["layout"]) + _font_sizes(spec["data"])
    assert spec["layout"]["font"]["size"] >= 20
    assert [s for s in sizes if s[1] < 20 and "hoverlabel" not in s[0]] == []


# --- The page ---------------------------------------------------------------------------------


def _map_app(params: dict[str, str | list[str]] | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page("pages/map.py").run()
    assert not at.exception, at.exception
    return at


def _figures(at: AppTest) -> dict[str, dict]:
    """The page's figures by chart key: map_choropleth, map_ranking, map_points (plotly JSON)."""
    return {_key(c): json.loads(c.proto.spec) for c in at.get("plotly_chart")}


def _key(chart) -> str:
    for name in ("map_choropleth", "map_ranking", "map_points"):
        if name in chart.proto.id:
            return name
    return chart.proto.id


def _figure_values(fig: dict) -> dict[str, float]:
    return {
        loc: float(cd[0])
        for tr in fig["data"]
        for loc, cd in zip(tr["locations"], tr["customdata"], strict=True)
    }


def _point_values(fig: dict) -> float:
    return sum(sum(_array(tr["marker"]["size"])) for tr in fig["data"] if "lat" in tr)


def _array(value: object) -> list[float]:
    """A JSON array, or plotly's base64 typed array ({'dtype', 'bdata'}), as a list."""
    if isinstance(value, dict):
        import base64

        return list(np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]))
    return list(value)  # type: ignore[call-overload]


def test_page_default_colours_progressive_trials(app_env, db):
    at = _map_app()
    figs = _figures(at)
    assert set(figs) == {"map_choropleth", "map_ranking", "map_points"}
    choropleth = figs["map_choropleth"]
    direct = _direct_trial_counts(db, progressive=True)
    values = _figure_values(choropleth)
    assert all(values[iso3] == n for iso3, n in direct.items())
    top = direct.sort_values(ascending=False)
    assert choropleth["layout"]["title"]["text"].startswith(
        f"Progressive-MS trials in {(top > 0).sum()} countries"
    )
    assert _point_values(figs["map_points"]) == top.sum()  # every progressive trial's country is a place
    assert "deck_gl_json_chart" not in {e.type for e in at.main}  # no WebGL map: everything exports
    captions = " ".join(c.value for c in at.caption)
    assert "as of 2025-09-25" in captions


def test_metric_switch_changes_every_map_and_the_point_layer(app_env, db):
    at = _map_app()
    at.segmented_control(key="map_metric").set_value("funding").run()
    at.segmented_control(key="map_currency").set_value("USD").run()
    assert not at.exception
    figs = _figures(at)
    got = db.run("map_country_metrics", Filters().as_struct(), currency="USD").set_index("iso3")
    values = {
        k: v
        for k, v in _figure_values(figs["map_choropleth"]).items()
        if k in got.index[got["awarded"].notna()]
    }
    assert values["USA"] == pytest.approx(got.loc["USA", "awarded"])
    orgs = db.run("map_organisations", Filters().as_struct(), currency="USD")
    assert _point_values(figs["map_points"]) == pytest.approx(orgs["awarded"].sum())
    assert figs["map_ranking"]["layout"]["title"]["text"].startswith("Most award money: United States US$")
    assert at.query_params["metric"] == "funding" and at.query_params["currency"] == "USD"
    at.segmented_control(key="map_metric").set_value("projects").run()
    assert _point_values(_figures(at)["map_points"]) == orgs["projects"].sum()
    assert not at.segmented_control(key="map_metric").value == "funding"
    assert "map_currency" not in [w.key for w in at.get("segmented_control")]  # no currency switch for counts


def test_zoom_preset_is_in_the_url(app_env):
    at = _map_app()
    at.segmented_control(key="map_zoom").set_value("europe").run()
    figs = _figures(at)
    for key in ("map_choropleth", "map_points"):
        (west, east), (south, north) = (
            figs[key]["layout"]["geo"]["lonaxis"]["range"],
            figs[key]["layout"]["geo"]["lataxis"]["range"],
        )
        assert west <= -12 and east >= 35 and south <= 34.5 and north >= 66
    assert at.query_params["zoom"] == "europe"
    again = _map_app({"zoom": "north-america"})
    west, east = _figures(again)["map_points"]["layout"]["geo"]["lonaxis"]["range"]
    assert west <= -125 and east >= -64 and -110 < (west + east) / 2 < -85


def test_picking_a_country_zooms_the_maps_and_lists_its_records(app_env, db):
    at = _map_app()
    at.selectbox(key="map_country").set_value("USA").run()
    assert not at.exception
    geo = _figures(at)["map_choropleth"]["layout"]["geo"]
    assert geo["lonaxis"]["range"][0] < -124 and geo["lonaxis"]["range"][1] > -67  # contiguous USA …
    assert geo["lataxis"]["range"][1] < 60  # … not Alaska
    assert at.segmented_control(key="map_zoom").value == "countries"
    f = Filters().as_struct()
    trials = db.run("map_country_trials", f, iso3="USA")
    projects = db.run("map_country_projects", f, iso3="USA")
    assert [t.label for t in at.tabs][:2] == [f"Trials ({len(trials):,})", f"Projects ({len(projects):,})"]
    assert len(at.dataframe[0].value) == len(trials)
    assert at.query_params["country_view"] == "USA" and "zoom" not in at.query_params


def test_a_country_chosen_in_the_sidebar_zooms_and_fills_the_picker(app_env):
    at = _map_app({"country": "ITA"})
    assert at.selectbox(key="map_country").value == "ITA"
    assert [o for o in at.segmented_control(key="map_zoom").options][0] == "Italy"
    geo = _figures(at)["map_choropleth"]["layout"]["geo"]
    assert geo["lonaxis"]["range"][0] < 6.6 and geo["lonaxis"]["range"][1] > 18.5
    assert geo["lataxis"]["range"][0] < 36.7 and geo["lataxis"]["range"][1] < 52
    assert "ITA" not in " ".join(m.value for m in at.markdown)  # country names, never ISO codes


def test_view_state_from_the_url(app_env):
    at = _map_app({"metric": "recruiting", "country_view": "USA", "zoom": "world"})
    assert _figures(at)["map_choropleth"]["layout"]["title"]["text"].startswith("Recruiting MS trials in")
    assert at.selectbox(key="map_country").value == "USA"
    assert "range" not in _figures(at)["map_choropleth"]["layout"]["geo"].get("lonaxis", {})


def test_bad_view_values_in_url_are_notices(app_env):
    at = _map_app({"metric": "bogus", "country_view": "ZZZ", "zoom": "moon"})
    assert _figures(at)["map_choropleth"]["layout"]["title"]["text"].startswith("Progressive-MS trials in")
    notices = " ".join(i.value for i in at.info)
    assert "metric=`bogus`" in notices and "country_view=`ZZZ`: not one of the" in notices
    assert "zoom=`moon`" in notices
    assert at.selectbox(key="map_country").value == ""


def test_an_empty_country_tab_says_why(app_env, db):
    """A country with trials but no research project for these filters: its projects tab says so."""
    metrics = db.run("map_country_metrics", Filters().as_struct(), currency="EUR")
    iso3 = metrics.loc[(metrics["trials"] > 0) & (metrics["projects"] == 0), "iso3"].iloc[0]
    at = _map_app({"country_view": iso3})
    assert any("No research projects in" in i.value and "Widen" in i.value for i in at.info)


def test_names_from_source_files_are_text_never_markup():
    """An organisation named like a link (a member file can hold anything) is escaped for plotly."""
    orgs = pd.DataFrame(
        {
            "iso3": ["GBR"],
            "country": ["United Kingdom"],
            "city": [None],
            "latitude": [51.5],
            "longitude": [-0.1],
            "location_precision": ["country"],
            "organisations": [1],
            "names": ['<a href="http://evil.example">Click</a>'],
            "projects": [1],
            "progressive_projects": [0],
            "award_rows": [0],
            "awards_with_amount": [0],
            "awarded": [np.nan],
        }
    )
    name = maps.points(orgs, "projects", "EUR").data[1].customdata[0][0]
    assert name == '&lt;a href="http://evil.example"&gt;Click&lt;/a&gt;'
