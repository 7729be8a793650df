"""Every named query: a documented header, runs on the fixture snapshot, returns its columns."""

from __future__ import annotations

import pytest

from msprogress import queries, schema
from msprogress.filters import Filters

# A value for every extra (non-filter) parameter any query takes; test_every_param_has_a_value keeps it complete.
EXTRA: dict[str, object] = {
    "currency": "EUR",
    "group": "fundergroup",
    "spread": True,
    "search": "sclerosis",
    "sort": "start",
    "max_rows": 100,
    "iso3": "USA",
    "include_nondrug": True,
    "include_supportive": False,
    "series": "nih_reporter:NIH NINDS",
    "months": 12,
}
FILTER_STATES = [
    Filters(),
    Filters(relevance="progressive"),
    Filters(countries=("ITA", "USA"), year_from=2000, year_to=2024),
    Filters(gap_areas=("wellbeing",), q="exercise"),
    Filters(phases=("3",), statuses=("recruiting", "completed"), populations=("ppms",)),
]


def test_every_param_has_a_value():
    used = {p for n in queries.names() for p in queries.get(n).params} - {"f"}
    assert used <= set(EXTRA), f"add test values for {sorted(used - set(EXTRA))} to EXTRA"


@pytest.mark.parametrize("name", queries.names())
def test_query_header_is_complete(name):
    q = queries.get(name)
    assert q.purpose, f"{name}.sql lacks '-- purpose:'"
    assert q.columns, f"{name}.sql lacks '-- columns:'"
    assert "{" not in q.sql and "%s" not in q.sql, "queries take $named parameters only"


@pytest.mark.parametrize("name", queries.names())
@pytest.mark.parametrize("f", FILTER_STATES, ids=lambda f: f.describe()[:40])
def test_query_runs_and_returns_documented_columns(request, name, f):
    """A query comparing two snapshots (diff_*) runs on the fixture pair, every other on the fixture."""
    q = queries.get(name)
    extra = {k: v for k, v in EXTRA.items() if k in q.params}
    df = request.getfixturevalue("pair_db" if q.compares else "db").run(name, f.as_struct(), **extra)
    assert list(df.columns) == q.column_names


def test_a_comparing_query_needs_an_earlier_snapshot(db):
    from msprogress.db import QueryError

    comparing = [n for n in queries.names() if queries.get(n).compares]
    assert comparing
    for name in comparing:
        with pytest.raises(QueryError, match="compares two snapshots"):
            db.run(name, Filters().as_struct(), currency="EUR")


def test_filters_narrow_results(db):
    everything = db.run("headline_trials", Filters().as_struct()).iloc[0]
    progressive = db.run("headline_trials", Filters(relevance="progressive").as_struct()).iloc[0]
    assert 0 < progressive.trials < everything.trials
    assert progressive.trials == everything.progressive_trials


def test_programme_totals_never_added_to_awards(db):
    """Each series' award sum equals the sum over its award rows only, computed independently;
    programme totals are listed apart with their own sum."""
    got = db.run("funding_series", Filters().as_struct(), currency="EUR").set_index("series_id")
    programmes = db.run("funding_programmes", Filters().as_struct(), currency="EUR")
    rows = db.execute_select(
        "select series_id, record_type, amount_eur from grants where ms_relevance <> 'Not MS'", {}
    )
    awards = rows[rows.record_type == "award"].groupby("series_id")["amount_eur"].sum(min_count=1)
    assert set(got.index) == set(awards.index)
    for sid, total in awards.items():
        assert got.at[sid, "awarded"] == pytest.approx(total, nan_ok=True), sid
    progs = rows.loc[rows.record_type == "programme", "amount_eur"].sum()
    assert progs > 0 and programmes.loc[
        programmes.record_type == "programme", "amount_cur"
    ].sum() == pytest.approx(progs)


def test_series_none_means_every_series_and_an_id_one(db):
    every = db.run("funding_years_covered", Filters().as_struct(), series=None)
    one = db.run("funding_years_covered", Filters().as_struct(), series="nih_reporter:NIH NINDS")
    assert set(one.series_id) == {"nih_reporter:NIH NINDS"} and len(every) > len(one)
    assert set(every.series_id) == set(
        db.execute_select("select series_id from funding_series", {}).series_id
    )


def test_documented_columns_are_in_the_data_dictionary():
    """Query output columns either are schema columns or are documented in the query header."""
    schema_cols = {c.name for cols in schema.TABLES.values() for c in cols}
    for name in queries.names():
        for col, type_, desc in queries.get(name).columns:
            assert col in schema_cols or (type_ and desc), f"{name}: column {col} undocumented"
