"""World map: the offline geocoder, the map queries, the pure map builders, and the page (AppTest).

The page's figures are checked against direct SQL on the fixture snapshot: the count a
country is coloured by is the count of its trials computed independently.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from msprogress.charts import maps
from msprogress.filters import Filters
from msprogress.ingest import geocode
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
        "select source, count(city) as cities, count(latitude) as located from trial_countries group by source",
        {},
    ).set_index("source")
    assert got.loc["ctgov", "located"] >= 0.9 * got.loc["ctgov", "cities"]
    assert got.loc["ctis", "located"] == 0  # CTIS lists countries, no cities


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


def test_country_detail_lists_the_counted_trials(db):
    metrics = db.run("map_country_metrics", Filters().as_struct(), currency="EUR").set_index("iso3")
    trials = db.run("map_country_trials", Filters().as_struct(), iso3="USA")
    assert len(trials) == metrics.loc["USA", "trials"] > 0
    assert trials["url"].str.startswith("https://").all()


# --- Pure builders ----------------------------------------------------------------------------


def _metrics_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "iso3": ["USA", "ITA", "FRA", "NOR"],
            "country": ["United States", "Italy", "France", "Norway"],
            "trials": [120, 20, 0, 3],
            "progressive_trials": [12, 2, 0, 0],
            "recruiting_trials": [10, 5, 0, 1],
            "projects": [50, 1, 0, 0],
            "award_rows": [60, 1, 0, 2],
            "awards_with_amount": [55, 1, 0, 0],
            "awarded": [2.5e8, 4.2e6, np.nan, np.nan],
        }
    )


def _values(fig) -> dict[str, float]:
    """ISO-3 → the real value a country is coloured by (customdata[0]), over all traces."""
    return {loc: float(cd[0]) for tr in fig.data for loc, cd in zip(tr.locations, tr.customdata, strict=True)}


def test_count_map_shows_zero_as_zero():
    fig = maps.choropleth(_metrics_frame(), "trials", "EUR")
    assert _values(fig) == {"USA": 120, "ITA": 20, "FRA": 0, "NOR": 3}
    coloured = fig.data[-1]
    assert list(coloured.z) == pytest.approx(np.log10([120, 20, 3]))
    assert coloured.locationmode == "ISO-3" and fig.layout.geo.projection.type == "natural earth"
    assert "first listed site only" in fig.layout.title.subtitle.text


def test_money_map_leaves_missing_out():
    fig = maps.choropleth(_metrics_frame(), "funding", "GBP")
    assert set(_values(fig)) == {"USA", "ITA"}  # FRA and NOR: no stated amount → grey, not 0
    assert fig.data[-1].colorbar.title.text == "GBP"
    assert (
        "(GBP)" in fig.layout.title.text and "programme totals never added" in fig.layout.title.subtitle.text
    )


def test_colourbar_ticks_are_real_values():
    fig = maps.choropleth(_metrics_frame(), "trials", "EUR")
    bar = fig.data[-1].colorbar
    assert list(bar.ticktext) == ["5", "10", "20", "50", "100"]  # 1-2-5 steps between 3 and 120
    assert 10 ** bar.tickvals[-1] == pytest.approx(float(bar.ticktext[-1].replace(",", "")))


def test_top_countries_never_rank_missing():
    top = maps.top_countries(_metrics_frame(), "funding")
    assert list(top["iso3"]) == ["USA", "ITA"]


def test_points_deck_is_offline():
    sites = pd.DataFrame(
        {
            "city": ["Rome"],
            "iso3": ["ITA"],
            "country": ["Italy"],
            "latitude": [41.89],
            "longitude": [12.51],
            "trials": [4],
            "progressive_trials": [1],
            "basis": ["country of first listed site"],
        }
    )
    orgs = pd.DataFrame(
        {
            "organisation": ["YALE UNIVERSITY"],
            "city": ["NEW HAVEN"],
            "iso3": ["USA"],
            "country": ["United States"],
            "latitude": [41.31],
            "longitude": [-72.92],
            "projects": [3],
            "progressive_projects": [0],
        }
    )
    spec = json.loads(maps.points_deck(sites, orgs).to_json())
    assert spec["mapStyle"] == "/app/static/styles/blank.json"
    layers = {layer["id"]: layer for layer in spec["layers"]}
    assert layers["countries"]["data"] == "/app/static/geo/countries_110m.geojson"
    assert layers["countries"]["wrapLongitude"] is True
    assert layers["trial-sites"]["radiusUnits"] == "pixels"
    assert layers["trial-sites"]["data"][0]["detail"].startswith("4 trials (1 progressive-MS)")
    assert layers["organisations"]["data"][0]["place"].endswith("New Haven, United States")
    text = json.dumps(spec).lower()
    assert "mapbox://" not in text and "carto" not in text and "http" not in text
    assert (REPO / "static" / "geo" / "countries_110m.geojson").is_file()
    assert json.loads((REPO / "static" / "styles" / "blank.json").read_text())["sources"] == {}


# --- The page ---------------------------------------------------------------------------------


def _map_app(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page("pages/map.py").run()
    assert not at.exception, at.exception
    return at


def _figure(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def _figure_values(fig: dict) -> dict[str, float]:
    return {
        loc: float(cd[0])
        for tr in fig["data"]
        for loc, cd in zip(tr["locations"], tr["customdata"], strict=True)
    }


def test_page_default_colours_progressive_trials(app_env, db):
    at = _map_app()
    fig = _figure(at)
    assert fig["layout"]["title"]["text"] == "Progressive-MS trials by country"
    direct = _direct_trial_counts(db, progressive=True)
    values = _figure_values(fig)
    assert values["USA"] == direct["USA"] > 0
    assert all(values[iso3] == n for iso3, n in direct.items())
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert deck["mapStyle"] == "/app/static/styles/blank.json"
    captions = " ".join(c.value for c in at.caption)
    assert "as of 2025-09-25" in captions and "first listed site only" in captions


def test_metric_and_currency_switch(app_env, db):
    at = _map_app()
    at.segmented_control(key="map_metric").set_value("funding").run()
    at.segmented_control(key="map_currency").set_value("USD").run()
    assert not at.exception
    fig = _figure(at)
    assert fig["layout"]["title"]["text"] == "Award money by country of the funded organisation (USD)"
    got = db.run("map_country_metrics", Filters().as_struct(), currency="USD").set_index("iso3")
    values = _figure_values(fig)
    assert set(values) == set(got.index[got["awarded"].notna()])
    assert values["USA"] == pytest.approx(got.loc["USA", "awarded"])
    assert at.query_params["metric"] == "funding" and at.query_params["currency"] == "USD"


def test_selected_country_lists_its_records(app_env, db):
    at = _map_app()
    at.selectbox(key="map_country").set_value("USA").run()
    assert not at.exception
    f = Filters().as_struct()
    trials = db.run("map_country_trials", f, iso3="USA")
    projects = db.run("map_country_projects", f, iso3="USA")
    assert [t.label for t in at.tabs][:2] == [f"Trials ({len(trials):,})", f"Projects ({len(projects):,})"]
    assert len(at.dataframe[0].value) == len(trials)
    assert at.query_params["country_view"] == "USA"


def test_view_state_from_the_url(app_env):
    at = _map_app({"metric": "recruiting", "country_view": "USA"})
    assert _figure(at)["layout"]["title"]["text"] == "Recruiting MS trials by country"
    assert at.selectbox(key="map_country").value == "USA"


def test_bad_view_values_in_url_are_notices(app_env):
    at = _map_app({"metric": "bogus", "country_view": "ZZZ"})
    assert _figure(at)["layout"]["title"]["text"] == "Progressive-MS trials by country"
    notices = " ".join(i.value for i in at.info)
    assert "metric=`bogus`" in notices and "country_view=`ZZZ`" in notices
    assert at.selectbox(key="map_country").value == ""
