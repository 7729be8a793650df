"""Funding over time: the queries, the pure chart builders and the page, on the fixture snapshot.

The fixture covers NIH NINDS in FY1993 and FY1999 only (1994–1998 are not covered), so it
exercises the central rule: a year no source covers is missing, never a zero bar.
"""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from msprogress.charts import funding as charts
from msprogress.filters import Filters
from tests.conftest import REPO

AWARDS_SQL = """
select funder_group as grp, year, sum(amount_eur) as eur, sum(amount_usd) as usd
from grants
where record_type = 'award' and ms_relevance <> 'Not MS' and year is not null and amount_eur is not null
group by all
"""


def _by_year(
    db, f: Filters | None = None, currency: str = "EUR", group: str = "fundergroup", spread: bool = False
) -> pd.DataFrame:
    f = f or Filters()
    return db.run("funding_by_year", f.as_struct(), currency=currency, group=group, spread=spread)


def _direct(db) -> pd.DataFrame:
    return db.execute_select(AWARDS_SQL, {}).set_index(["grp", "year"])


# --- queries ------------------------------------------------------------------------------


def test_year_sums_equal_a_direct_sql_sum(db):
    got = _by_year(db).set_index(["grp", "year"])
    direct = _direct(db)
    assert set(got.index) == set(direct.index)
    for key, row in got.iterrows():
        assert row.amount + row.amount_flagged == pytest.approx(direct.loc[key, "eur"])


def test_currency_switch_uses_the_converted_column(db):
    got = _by_year(db, currency="USD").set_index(["grp", "year"])
    direct = _direct(db)
    assert (got.amount + got.amount_flagged).sum() == pytest.approx(direct["usd"].sum())


def test_programme_totals_are_not_in_the_award_sums(db):
    nih_1999 = _by_year(db).query("grp == 'NIH' and year == 1999").iloc[0]
    programme = db.execute_select(
        "select sum(amount_eur) as s from grants where record_type = 'programme' and year = 1999 and funder_group = 'NIH'",
        {},
    ).s[0]
    awards = _direct(db).loc[("NIH", 1999), "eur"]
    assert programme > 0
    assert nih_1999.amount + nih_1999.amount_flagged == pytest.approx(awards)


@pytest.mark.parametrize("group", list(charts.GROUPS))
def test_spread_sums_equal_unspread_sums(db, group):
    plain = _by_year(db, group=group)
    spread = _by_year(db, group=group, spread=True)
    for col in ("amount", "amount_flagged"):
        assert spread.groupby("grp")[col].sum().to_dict() == pytest.approx(
            plain.groupby("grp")[col].sum().to_dict()
        )
    assert set(spread.year) > set(plain.year)  # multi-year awards reach other years


def test_uncovered_years_are_absent_from_coverage(db):
    cov = db.run("funding_years_covered", Filters().as_struct())
    assert {1993, 1999, 2016}.issubset(set(cov.year))
    assert not set(range(1994, 1999)) & set(cov.year)
    nih_only = db.run("funding_years_covered", Filters(funders=("NIH NINDS",)).as_struct())
    assert 2014 not in set(nih_only.year)  # the Alliance's years are not NINDS's
    assert nih_only.set_index("year").at[1993, "coverage"] == "complete"


def test_summary_counts_awards_without_amounts(db):
    s = db.run("funding_summary", Filters().as_struct(), currency="EUR").iloc[0]
    direct = db.execute_select(
        "select count(*) filter (where amount is null) as n from grants "
        "where record_type = 'award' and ms_relevance <> 'Not MS'",
        {},
    ).n[0]
    assert s.no_amount == direct > 0
    assert s.total == pytest.approx(_direct(db)["eur"].sum())


# --- pure chart builders --------------------------------------------------------------------

MONEY = pd.DataFrame(
    {
        "year": [1993, 1999, 1999, 2016],
        "grp": ["NIH", "NIH", "Alliance", "Alliance"],
        "amount": [2.0e6, 1.5e6, 0.0, 4.0e6],
        "amount_flagged": [0.0, 0.0, 75_000.0, 0.0],
        "awards": [5, 7, 1, 3],
    }
)
COVERAGE = pd.DataFrame(
    {"year": [1993, 1999, 2016], "coverage": ["complete", "complete", "partial"], "sources": ["a", "a", "b"]}
)


def _status() -> pd.DataFrame:
    return charts.year_status(COVERAGE, MONEY)


def _bar_points(fig) -> list[tuple[str, int, float]]:
    return [
        (t.name, x, y)
        for t in fig.data
        if t.type == "bar"
        for x, y in zip(t.x, t.y, strict=True)
        if x is not None
    ]


def test_year_status_marks_gaps_not_covered():
    status = _status().set_index("year")
    assert status.loc[1994:1998, "status"].eq(charts.NOT_COVERED).all()
    assert status.loc[2000:2015, "status"].eq(charts.NOT_COVERED).all()
    assert status.at[2016, "status"] == "partial"
    assert charts.runs(_status(), charts.NOT_COVERED) == [(1994, 1998), (2000, 2015)]


def test_gap_years_produce_no_bars_and_sums_match():
    fig = charts.annual_bars(MONEY, _status(), "EUR", "fundergroup", "test", spread=False)
    points = _bar_points(fig)
    assert {x for _, x, _ in points} == {1993, 1999, 2016}
    assert all(y > 0 for _, _, y in points)  # no zero bars anywhere
    assert sum(y for _, _, y in points) == pytest.approx((MONEY.amount + MONEY.amount_flagged).sum())
    hatched = [
        t for t in fig.data if t.type == "bar" and t.marker.pattern.shape == "/" and t.x[0] is not None
    ]
    assert [(t.name, list(t.x)) for t in hatched] == [("Alliance", [1999])]
    assert "EUR" in fig.layout.yaxis.title.text
    assert any("not covered" in (a.text or "") for a in fig.layout.annotations)


def test_cumulative_lines_break_at_gaps():
    fig = charts.cumulative_lines(MONEY, _status(), "GBP", "fundergroup", "test", spread=False)
    nih = next(t for t in fig.data if t.name == "NIH")
    ys = dict(zip(nih.x, nih.y, strict=True))
    assert pd.isna(ys[1995]) and ys[1993] == 2.0e6 and ys[1999] == 3.5e6 and ys[2016] == 3.5e6
    assert all(t.connectgaps is False for t in fig.data)
    assert "GBP" in fig.layout.yaxis.title.text


def test_tables_carry_the_plotted_numbers_and_the_currency():
    table = charts.annual_table(MONEY, _status(), "USD", "fundergroup").set_index("Year")
    assert table.at[1999, "Total (USD)"] == pytest.approx(1.575e6)
    assert table.at[1999, "NIH (USD)"] == 1.5e6
    assert pd.isna(table.at[1995, "Total (USD)"]) and table.at[1995, "Coverage"] == charts.NOT_COVERED
    assert pd.isna(table.at[2016, "NIH (USD)"])  # no money recorded: empty, not 0
    cum = charts.cumulative_table(MONEY, _status(), "USD", "fundergroup").set_index("Year")
    assert cum.at[2016, "All shown, running total (USD)"] == pytest.approx(7.575e6)


def test_lump_keeps_totals_and_at_most_max_groups():
    many = pd.DataFrame(
        {
            "year": 2000,
            "grp": [f"F{i}" for i in range(12)],
            "amount": range(12),
            "amount_flagged": 0.0,
            "awards": 1,
        }
    )
    lumped = charts.lump(many, "funder", max_groups=5)
    assert lumped.grp.nunique() == 6 and "Other funders" in set(lumped.grp)
    assert lumped.amount.sum() == many.amount.sum()


def test_spread_flag_changes_only_the_axis_wording():
    a = charts.annual_bars(MONEY, _status(), "EUR", "gap", "t", spread=True)
    assert "spread" in a.layout.yaxis.title.text


# --- the page -----------------------------------------------------------------------------


def _app(params: dict[str, str | list[str]] | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page("pages/funding.py").run()
    assert not at.exception, at.exception
    return at


def _array(v: object) -> list:
    """Plotly's JSON writes numeric arrays as base64 typed arrays: decode them."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v) if v is not None else []


def _figure(at: AppTest) -> dict:
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    for t in fig["data"]:
        t["x"], t["y"] = _array(t.get("x")), _array(t.get("y"))
    return fig


def _data_traces(fig: dict, kind: str = "bar") -> list[dict]:
    """Traces that carry data (the legend keys have x = [None])."""
    return [t for t in fig["data"] if t["type"] == kind and t["x"] and t["x"][0] is not None]


def _bars(fig: dict) -> dict[tuple[str, int], float]:
    out: dict[tuple[str, int], float] = {}
    for t in _data_traces(fig):
        for x, y in zip(t["x"], t["y"], strict=True):
            out[(t["name"], x)] = out.get((t["name"], x), 0.0) + y
    return out


def test_page_default_bars_equal_sql_and_skip_uncovered_years(app_env, db):
    at = _app()
    fig = _figure(at)
    bars = _bars(fig)
    direct = _direct(db)
    assert bars[("NIH", 1993)] == pytest.approx(direct.loc[("NIH", 1993), "eur"])
    assert bars[("NIH", 1999)] == pytest.approx(direct.loc[("NIH", 1999), "eur"])  # no programme total
    assert not any(x in range(1994, 1999) for _, x in bars)  # not covered: no bar, not a zero bar
    assert "EUR" in fig["layout"]["yaxis"]["title"]["text"]
    captions = " ".join(c.value for c in at.caption)
    assert "ECB euro reference rates" in captions and "not in the sums" in captions.lower()
    assert any(m.label == "Awards not in the sums" for m in at.metric)


def test_page_switches_change_the_figure(app_env, db):
    at = _app()
    at.segmented_control(key="funding_currency").set_value("USD").run()
    fig = _figure(at)
    assert "USD" in fig["layout"]["yaxis"]["title"]["text"]
    assert sum(_bars(fig).values()) == pytest.approx(_direct(db)["usd"].sum())
    at.segmented_control(key="funding_group").set_value("gap").run()
    names = {t["name"] for t in _data_traces(_figure(at))}
    assert names <= set(charts.style.GAP_AREA_COLOURS)
    at.segmented_control(key="funding_count").set_value("spread").run()
    assert sum(_bars(_figure(at)).values()) == pytest.approx(_direct(db)["usd"].sum())
    at.segmented_control(key="funding_view").set_value("cumulative").run()
    assert {t["type"] for t in _figure(at)["data"]} == {"scatter"}
    assert not at.exception
    assert at.query_params["currency"] == "USD" and at.query_params["view"] == "cumulative"


def test_page_reads_view_switches_from_the_url(app_env):
    at = _app({"group": "gap", "currency": "GBP", "count": "spread", "view": "cumulative"})
    assert at.segmented_control(key="funding_group").value == "gap"
    assert at.segmented_control(key="funding_count").value == "spread"
    assert "GBP" in _figure(at)["layout"]["yaxis"]["title"]["text"]
    assert not [i.value for i in at.info if "link parameter" in i.value]


def test_page_ignores_unknown_switch_values_with_a_notice(app_env):
    at = _app({"group": "bogus", "currency": "XYZ"})
    notices = " ".join(i.value for i in at.info)
    assert "group=`bogus`" in notices and "currency=`XYZ`" in notices
    assert at.segmented_control(key="funding_group").value == "fundergroup"
    assert "EUR" in _figure(at)["layout"]["yaxis"]["title"]["text"]


def test_board_question_ninds_per_year_in_eur(app_env, db):
    at = _app({"funder": "NIH NINDS", "to": "2001"})
    bars = _bars(_figure(at))
    expected = _by_year(db, Filters(funders=("NIH NINDS",), year_to=2001))
    assert {x for _, x in bars} == set(expected.year) == {1993, 1999}
    for row in expected.itertuples():
        assert bars[(row.grp, row.year)] == pytest.approx(row.amount + row.amount_flagged)
    table = at.dataframe[0].value.set_index("Year")
    assert table.at[1995, "Coverage"] == charts.NOT_COVERED and pd.isna(table.at[1995, "Total (EUR)"])
    assert table.at[1993, "Total (EUR)"] == pytest.approx(round(expected.query("year == 1993").amount.sum()))


def test_programme_table_is_apart_and_labelled(app_env):
    at = _app()
    ptable = at.dataframe[1].value
    assert set(ptable["Kind"]) == {"Programme total", "Call (announced ceiling)"}
    assert "Amount (EUR)" in ptable.columns and "Amount basis" in ptable.columns
