"""Funding over time: the queries, the pure chart builders and the page, on the fixture snapshot.

The fixture holds two coverage series of very different populations: NIH NINDS, every award
of the institute in FY1993 and FY1999 (complete; 1994–1998 not covered), and the NIH ExPORTER
weekly files, FY2016–2018 (partial, keyword-screened), plus curated announcements. The central
rules: a year a series does not cover is missing, never a zero bar; series of different
coverage are never stacked, joined or added; a running total never runs across a gap.
"""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote_plus

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from msprogress.charts import funding as charts
from msprogress.db import Database
from msprogress.filters import Filters
from msprogress.ingest import member_grants
from msprogress.ingest.build import build
from msprogress.snapshot import open_snapshot
from tests.conftest import FIXTURE_RAW, REPO
from tests.test_member_grants import good_alliance_rows, write_csv
from tests.test_pages import UrlParams
from tests.test_pages import _app as open_page

NINDS = "nih_reporter:NIH NINDS"
AWARDS_SQL = """
select series_id, funder_group as grp, year, sum(amount_eur) as eur, sum(amount_usd) as usd
from grants
where record_type = 'award' and ms_relevance <> 'Not MS' and year is not null and amount_eur is not null
group by all
"""


def _by_year(
    db,
    f: Filters | None = None,
    currency: str = "EUR",
    group: str = "fundergroup",
    spread: bool = False,
    series: str | None = None,
) -> pd.DataFrame:
    f = f or Filters()
    return db.run(
        "funding_by_year", f.as_struct(), currency=currency, group=group, spread=spread, series=series
    )


def _direct(db) -> pd.DataFrame:
    return db.execute_select(AWARDS_SQL, {}).set_index(["series_id", "grp", "year"]).sort_index()


# --- queries ------------------------------------------------------------------------------


def test_year_sums_equal_a_direct_sql_sum_per_series(db):
    got = _by_year(db).set_index(["series_id", "grp", "year"])
    direct = _direct(db)
    assert set(got.index) == set(direct.index)
    assert len({s for s, _, _ in got.index}) >= 3  # several series, each its own rows
    eur = direct["eur"].to_dict()
    for key, amount in (got.amount + got.amount_flagged).items():
        assert amount == pytest.approx(eur[key])


def test_one_series_holds_only_its_own_awards(db):
    one = _by_year(db, series=NINDS)
    assert set(one.series_id) == {NINDS} and set(one.year) == {1993, 1999}
    direct = _direct(db).loc[NINDS]
    assert (one.amount + one.amount_flagged).sum() == pytest.approx(direct["eur"].sum())


def test_currency_switch_uses_the_converted_column(db):
    got = _by_year(db, currency="USD")
    assert (got.amount + got.amount_flagged).sum() == pytest.approx(_direct(db)["usd"].sum())


def test_programme_totals_are_not_in_the_award_sums(db):
    nih_1999 = _by_year(db, series=NINDS).query("year == 1999").iloc[0]
    programme = db.execute_select(
        "select sum(amount_eur) as s from grants where record_type = 'programme' and year = 1999 and funder_group = 'NIH'",
        {},
    ).s[0]
    awards = _direct(db).loc[(NINDS, "NIH", 1999), "eur"]
    assert programme > 0
    assert nih_1999.amount + nih_1999.amount_flagged == pytest.approx(awards)


@pytest.mark.parametrize("group", list(charts.GROUPS))
def test_spread_sums_equal_unspread_sums(db, group):
    plain = _by_year(db, group=group)
    spread = _by_year(db, group=group, spread=True)
    keys = ["series_id", "grp"]
    for col in ("amount", "amount_flagged"):
        assert spread.groupby(keys)[col].sum().to_dict() == pytest.approx(
            plain.groupby(keys)[col].sum().to_dict()
        )
    assert set(spread.year) > set(plain.year)  # multi-year awards reach other years


def test_series_years_are_complete_partial_or_absent(db):
    cov = db.run("funding_years_covered", Filters().as_struct(), series=None)
    ninds = cov[cov.series_id == NINDS].set_index("year")
    assert dict(ninds.coverage) == {1993: "complete", 1999: "complete"}
    assert set(cov.loc[cov.series_id == "nih_exporter", "coverage"]) == {"partial"}
    assert not set(range(1994, 1999)) & set(ninds.index)  # not covered: absent, never a zero row


def test_the_most_comparable_series_comes_first(db):
    series = db.run("funding_series", Filters().as_struct(), currency="EUR")
    assert series.iloc[0].series_id == NINDS and series.iloc[0].complete_years == 2
    assert (series.iloc[1:].complete_years == 0).all() and series.whole_portfolio.tolist()[0]


def test_summary_counts_awards_without_amounts(db):
    s = db.run("funding_summary", Filters().as_struct(), currency="EUR", series=None).iloc[0]
    direct = db.execute_select(
        "select count(*) filter (where amount is null) as n from grants "
        "where record_type = 'award' and ms_relevance <> 'Not MS'",
        {},
    ).n[0]
    assert s.no_amount == direct > 0
    assert s.total == pytest.approx(_direct(db)["eur"].sum())
    one = db.run("funding_summary", Filters().as_struct(), currency="EUR", series=NINDS).iloc[0]
    assert one.total == pytest.approx(_direct(db).loc[NINDS]["eur"].sum())


def test_ms_share_of_the_whole_portfolio(db):
    share = db.run("funding_share", Filters().as_struct(), currency="USD").set_index("year")
    every = db.execute_select(
        "select year, sum(amount_usd) as total, sum(amount_usd) filter (where ms_relevance <> 'Not MS') as ms "
        "from grants where record_type = 'award' and series_id = $s group by year",
        {"s": NINDS},
    ).set_index("year")
    assert set(share.index) == set(every.index) == {1993, 1999}
    for year, row in every.iterrows():
        assert share.at[year, "total_amount"] == pytest.approx(row.total)
        assert share.at[year, "ms_share"] == pytest.approx(row.ms / row.total)
        assert 0 < share.at[year, "ms_share"] < 1
    assert set(share.series_id) == {NINDS}  # only whole-portfolio series have a share


# --- a complete and a partial series meeting in the same years ------------------------------


@pytest.fixture(scope="module")
def meeting(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture data plus a member file whose awards fall in NINDS's own years (1993, 1999):
    real Alliance rows re-shaped into the member template, their years set to meet the
    complete series, so a partial series and a complete one cover the same years."""
    root = tmp_path_factory.mktemp("meeting")
    shutil.copytree(FIXTURE_RAW, root / "raw")
    rows = [r for r in good_alliance_rows().values() if r.get("amount")][:4]
    for r, year in zip(rows, (1993, 1993, 1999, 1999), strict=True):
        r |= {"year": str(year), "grant_id": f"meet-{r['grant_id']}", "start_date": "", "end_date": ""}
    write_csv(root / "raw" / "member_grants" / "society_1990s.csv", rows)
    build(root / "raw", root / "snapshots")
    return root


def test_meeting_series_are_never_added(meeting: Path):
    db = Database(open_snapshot(meeting / "snapshots"))
    member = member_grants.series_id("International Progressive MS Alliance")  # one series per funder
    series = db.run("funding_series", Filters().as_struct(), currency="EUR").set_index("series_id")
    assert series.at[member, "complete_years"] == 0 and series.at[member, "partial_years"] == 2
    money = _by_year(db)
    years = money.groupby("series_id")["year"].apply(set)
    assert years[NINDS] & years[member] == {1993, 1999}  # the two series meet
    ninds_only = _by_year(db, series=NINDS)
    assert set(ninds_only.series_id) == {NINDS}
    direct = _direct(db)
    assert (ninds_only.amount + ninds_only.amount_flagged).sum() == pytest.approx(
        direct.loc[NINDS]["eur"].sum()
    )
    # the side-by-side figure: one panel per series, no trace mixing two series' money
    cov = db.run("funding_years_covered", Filters().as_struct(), series=None)
    fig = charts.series_panels(money, cov, series.reset_index(), "EUR", "t", "s")
    traces = [t for t in fig.data if t.x is not None and len(t.x) and t.x[0] is not None]
    assert len(traces) == len(series)
    for t in traces:
        sid = next(s for s in series.index if series.at[s, "series_title"] == t.name)
        expected = (
            money[money.series_id == sid].groupby("year")[["amount", "amount_flagged"]].sum().sum(axis=1)
        )
        assert dict(zip(t.x, t.y, strict=True)) == pytest.approx(expected.to_dict())
    assert len({t.yaxis for t in traces}) == len(traces)  # each series its own scale


def test_meeting_series_on_the_page_and_overview(meeting: Path, app_on):
    app_on(meeting)
    at = _app()
    bars = _bars(_figure(at))
    db = Database(open_snapshot(meeting / "snapshots"))
    direct = _direct(db)
    assert sum(bars.values()) == pytest.approx(direct.loc[NINDS]["eur"].sum())  # member money not stacked on
    metric = next(m for m in at.metric if m.label.startswith("Award money charted"))
    summary = db.run("funding_summary", Filters().as_struct(), currency="EUR", series=NINDS).iloc[0]
    assert metric.value == charts.style.money(summary.total, "EUR")
    over = AppTest.from_file(str(REPO / "app.py"), default_timeout=90).run()  # the Overview's funding panel
    panel = next(c for c in over.get("plotly_chart") if c.proto.id.endswith("overview_funding"))
    money = [
        y
        for t in json.loads(panel.proto.spec)["data"]
        for y in _array(t.get("y"))
        if y is not None and y == y
    ]
    assert sum(money) == pytest.approx(direct.loc[NINDS]["eur"].sum())  # one series: member money not added
    links = {link.proto.page: link.proto.query_string for link in over.get("page_link")}
    assert f"series={quote_plus(NINDS)}" in links["funding"]  # the other series are on its page, apart


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
    {"year": [1993, 1999, 2016], "coverage": ["complete", "complete", "partial"], "basis": ["a", "a", "b"]}
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
    assert status.at[2016, "status"] == "partial" and status.at[2016, "basis"] == "b"
    assert charts.runs(_status(), charts.NOT_COVERED) == [(1994, 1998), (2000, 2015)]


def test_gap_years_produce_no_bars_and_sums_match():
    fig = charts.annual_bars(MONEY, _status(), "EUR", "fundergroup", "title", "test", spread=False)
    points = _bar_points(fig)
    assert {x for _, x, _ in points} == {1993, 1999, 2016}
    assert all(y > 0 for _, _, y in points)  # no zero bars anywhere
    assert sum(y for _, _, y in points) == pytest.approx((MONEY.amount + MONEY.amount_flagged).sum())
    hatched = [
        t for t in fig.data if t.type == "bar" and t.marker.pattern.shape == "/" and t.x[0] is not None
    ]
    assert [(t.name, list(t.x)) for t in hatched] == [("Alliance", [1999])]
    assert "EUR" in fig.layout.yaxis.title.text and fig.layout.title.text.startswith("title")
    assert any("not covered" in (a.text or "") for a in fig.layout.annotations)


def test_running_totals_restart_after_every_gap():
    fig = charts.cumulative_lines(MONEY, _status(), "GBP", "fundergroup", "t", "test", spread=False)
    nih = next(t for t in fig.data if t.name == "NIH")
    ys = dict(zip(nih.x, nih.y, strict=True))
    assert ys[1993] == 2.0e6 and pd.isna(ys[1995])
    assert ys[1999] == 1.5e6  # a new stretch: never 3.5e6 across the 1994–1998 gap
    assert ys[2016] == 0.0  # NIH had no money in 2016: its new stretch starts at zero
    total = next(t for t in fig.data if t.name == "All shown")
    assert dict(zip(total.x, total.y, strict=True))[2016] == 4.0e6
    assert all(t.connectgaps is False for t in fig.data)
    assert any("restarts 1999" in (a.text or "") for a in fig.layout.annotations)


def test_tables_carry_the_plotted_numbers_and_the_currency():
    table = charts.annual_table(MONEY, _status(), "USD", "fundergroup").set_index("Year")
    assert table.at[1999, "Total (USD)"] == pytest.approx(1.575e6)
    assert table.at[1999, "NIH (USD)"] == 1.5e6
    assert table.isna().at[1995, "Total (USD)"] and table.at[1995, "Coverage"] == charts.NOT_COVERED
    assert table.isna().at[2016, "NIH (USD)"]  # no money recorded: empty, not 0
    cum = charts.cumulative_table(MONEY, _status(), "USD", "fundergroup").set_index("Year")
    assert cum.at[2016, "All shown, running total (USD)"] == pytest.approx(4.0e6)


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
    a = charts.annual_bars(MONEY, _status(), "EUR", "gap", "t", "s", spread=True)
    assert "spread" in a.layout.yaxis.title.text


def test_share_lines_break_at_missing_years():
    share = pd.DataFrame(
        {
            "series_id": "s",
            "funder": "NIH NINDS",
            "year": [1993, 1994, 1996],
            "ms_share": [0.03, 0.026, 0.028],
            "ms_amount": [1.0, 2.0, 3.0],
            "total_amount": [10.0, 20.0, 30.0],
        }
    )
    fig = charts.share_lines(share, "USD", "t", "s")
    (line,) = fig.data
    ys = dict(zip(line.x, line.y, strict=True))
    assert ys[1993] == pytest.approx(3.0) and pd.isna(ys[1995]) and line.connectgaps is False
    assert "%" in fig.layout.yaxis.ticksuffix


def test_series_words():
    assert (
        charts.style.year_ranges(pd.Series([1993, 1994, 1996, 1997, 1998, 2003]))
        == "1993–1994, 1996–1998, 2003"
    )
    assert charts.coverage_label(10, 0) == "complete" and charts.coverage_label(0, 3) == "partial"
    assert charts.coverage_label(2, 1) == "complete in 2 years, partial in 1"


def test_a_title_names_the_whole_funder_colons_and_all(db):
    """The finding names the series' funder as its files spell it, a ':' in the name included."""
    from msprogress import sources
    from msprogress.ingest.coverage import series_title

    series = db.run("funding_series", Filters().as_struct(), currency="EUR").set_index("series_id")
    assert charts.series_who(series.loc[NINDS]) == "NIH NINDS"
    member = sources.get("member_grants")
    row = pd.Series(
        {
            "series_id": "member_grants:x",
            "series_title": series_title(member, "member_grants:x", "Fondation ARSEP: Paris"),
            "kind": member.series_kind,
            "awarded": 2.5e6,
            "awards_with_amount": 3,
            "first_year": 2019,
            "last_year": 2021,
        }
    )
    no_share = pd.DataFrame(columns=["series_id", "ms_share"])
    assert charts.headline(row, no_share, "EUR", Filters()) == (
        "Fondation ARSEP: Paris: €2.5 M in 3 awards, 2019–2021"
    )


# --- the page -----------------------------------------------------------------------------


def _app(params: UrlParams | None = None) -> AppTest:
    """The funding page opened by a link with `params` (see tests/test_pages.py)."""
    at = open_page(params, "funding")
    assert not at.exception, at.exception
    return at


def _array(v: object) -> list:
    """Plotly's JSON writes numeric arrays as base64 typed arrays: decode them."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    if v is None:
        return []
    assert isinstance(v, Iterable), v
    return list(v)


def _figure(at: AppTest, i: int = 0) -> dict:
    fig = json.loads(at.get("plotly_chart")[i].proto.spec)
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


def test_page_default_is_the_comparable_series_and_skips_uncovered_years(app_env, db):
    at = _app()
    fig = _figure(at)
    bars = _bars(fig)
    direct = _direct(db).loc[NINDS].groupby("year")["eur"].sum()
    by_year = pd.Series(bars).groupby(level=1).sum()
    assert by_year.to_dict() == pytest.approx(direct.to_dict())  # NINDS only: no ExPORTER or Alliance money
    assert not any(x in range(1994, 1999) for _, x in bars)  # not covered: no bar, not a zero bar
    assert "EUR" in fig["layout"]["yaxis"]["title"]["text"]
    assert (
        "NIH NINDS" in fig["layout"]["title"]["text"]
        and "% of its award money" in fig["layout"]["title"]["text"]
    )
    assert at.selectbox(key="funding_series").value == NINDS
    captions = " ".join(c.value for c in at.caption)
    assert "ECB euro reference rates" in captions and "not in the sums" in captions.lower()
    assert any(m.label == "Awards not in the sums" for m in at.metric)


def test_page_all_series_are_side_by_side_never_stacked(app_env, db):
    at = _app({"series": "all"})
    fig = _figure(at)
    traces = _data_traces(fig)
    series = db.run("funding_series", Filters().as_struct(), currency="EUR")
    assert len(traces) == len(series) and len({t.get("yaxis", "y") for t in traces}) == len(series)
    direct = _direct(db).groupby(level=[0, 2])["eur"].sum()
    for t in traces:
        sid = series.loc[series.series_title == t["name"], "series_id"].iloc[0]
        assert dict(zip(t["x"], t["y"], strict=True)) == pytest.approx(direct.loc[sid].to_dict())
    assert next(m for m in at.metric if m.label.startswith("Award money charted")).value == "not added"


def test_page_switches_change_the_figure(app_env, db):
    at = _app()
    ninds = _direct(db).loc[NINDS]
    at.segmented_control(key="funding_currency").set_value("USD").run()
    fig = _figure(at)
    assert "USD" in fig["layout"]["yaxis"]["title"]["text"]
    assert sum(_bars(fig).values()) == pytest.approx(ninds["usd"].sum())
    at.segmented_control(key="funding_group").set_value("fundergroup").run()
    assert {t["name"] for t in _data_traces(_figure(at))} == {"NIH"}
    at.segmented_control(key="funding_count").set_value("spread").run()
    assert sum(_bars(_figure(at)).values()) == pytest.approx(ninds["usd"].sum())
    at.segmented_control(key="funding_view").set_value("cumulative").run()
    assert {t["type"] for t in _figure(at)["data"]} == {"scatter"}
    at.selectbox(key="funding_series").set_value("nih_exporter").run()
    assert not at.exception
    assert at.query_params["currency"] == "USD" and at.query_params["view"] == "cumulative"
    assert at.query_params["series"] == "nih_exporter"


def test_page_reads_view_switches_from_the_url(app_env):
    at = _app({"group": "fundergroup", "currency": "GBP", "count": "spread", "view": "cumulative"})
    assert at.segmented_control(key="funding_group").value == "fundergroup"
    assert at.segmented_control(key="funding_count").value == "spread"
    assert "GBP" in _figure(at)["layout"]["yaxis"]["title"]["text"]
    assert not [i.value for i in at.info if "link parameter" in i.value]


def test_page_ignores_unknown_switch_values_with_a_notice(app_env):
    at = _app({"group": "bogus", "currency": "XYZ", "series": "nih_reporter:NIH NIA"})
    notices = " ".join(i.value for i in at.info)
    assert (
        "group=`bogus`" in notices
        and "currency=`XYZ`" in notices
        and "series=`nih_reporter:NIH NIA`" in notices
    )
    assert at.segmented_control(key="funding_group").value == "gap"
    assert at.selectbox(key="funding_series").value == NINDS
    assert "EUR" in _figure(at)["layout"]["yaxis"]["title"]["text"]


def test_board_question_ninds_per_year_in_eur(app_env, db):
    at = _app({"funder": "NIH NINDS", "to": "2001"})
    bars = _bars(_figure(at))
    expected = _by_year(db, Filters(funders=("NIH NINDS",), year_to=2001), group="gap", series=NINDS)
    assert {x for _, x in bars} == set(expected.year) == {1993, 1999}
    money = expected.amount + expected.amount_flagged
    for grp, year, amount in zip(expected.grp, expected.year, money, strict=True):
        assert bars[(grp, year)] == pytest.approx(amount)
    table = at.dataframe[0].value.set_index("Year")
    assert table.at[1995, "Coverage"] == charts.NOT_COVERED and table.isna().at[1995, "Total (EUR)"]
    assert table.at[1993, "Total (EUR)"] == pytest.approx(round(expected.query("year == 1993").amount.sum()))


def test_share_chart_and_table_state_the_share(app_env, db):
    at = _app()
    share = db.run("funding_share", Filters().as_struct(), currency="EUR")
    fig = _figure(at, 1)
    (line,) = fig["data"]
    assert dict(zip(line["x"], line["y"], strict=True))[1999] == pytest.approx(
        100 * share.set_index("year").at[1999, "ms_share"]
    )
    last = share.iloc[-1]
    assert f"{100 * last.ms_share:.1f}% in FY{int(last.year)}" in fig["layout"]["title"]["text"]
    table = at.dataframe[1].value.set_index("year")
    assert table.at[1993, "ms_share"] == pytest.approx(100 * share.set_index("year").at[1993, "ms_share"])


def test_programme_table_is_apart_and_labelled(app_env):
    at = _app()
    ptable = at.dataframe[-1].value
    assert set(ptable["Kind"]) == {"Programme total", "Call (announced ceiling)"}
    assert "Amount (EUR)" in ptable.columns and "Amount basis" in ptable.columns
