"""AppTest runs of every page on the fixture snapshot: no exceptions, and the figures shown
are the figures the queries compute for the same filters."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest

from msprogress import style
from msprogress.filters import Filters
from tests.conftest import REPO

PAGES = sorted(p.stem for p in (REPO / "pages").glob("*.py"))


def _app(params: dict[str, str | list[str]] | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()  # st.navigation registers the pages on the first run
    if page:
        # NOTE: a deep link opens its page with the link's parameters: the default page's own run
        # (above) may have dropped a bad value of a key both pages read (`currency`) from the URL.
        for k, v in (params or {}).items():
            at.query_params[k] = v
        at.switch_page(f"pages/{page}.py").run()
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("page", PAGES)
def test_page_renders(app_env, page):
    at = _app(page=page)
    assert not at.exception, at.exception


def test_page_file_names_equal_their_url_paths():
    """A first visit to a deep link on a fresh server is resolved by file name (Streamlit's legacy
    pages/ lookup) before app.py's navigation exists: the two must agree (see page.filters)."""
    import re

    pages = re.findall(r'st\.Page\("pages/(\w+)\.py".*?url_path="(\w+)"', (REPO / "app.py").read_text())
    assert len(pages) == len(PAGES)
    for stem, url_path in pages:
        assert stem == url_path


def test_every_page_file_is_in_the_navigation():
    app = (REPO / "app.py").read_text()
    for page in PAGES:
        assert f'"pages/{page}.py"' in app, f"pages/{page}.py is not registered in app.py"


@pytest.mark.parametrize("page", PAGES)
def test_page_survives_hostile_url(app_env, page):
    params = {
        "country": ["'; drop table trials; --", "ITA"],
        "from": "abcd",
        "to": "9999",
        "gap": "x" * 10_000,
    }
    at = _app(params, page=page)
    assert not at.exception, at.exception
    assert at.info, "dropped values must be announced"


def _metric_delta(at: AppTest, label: str) -> str:
    return next(m.proto.delta for m in at.metric if m.label == label)


def _one(db, sql: str, **params: object) -> object:
    """A single value from SQL written here, independent of the page's queries."""
    return db.execute_select(sql, params).iloc[0, 0]


def _titles(at: AppTest) -> dict[str, tuple[str, str]]:
    """Chart key → (title, subtitle) of the figures drawn."""
    out = {}
    for chart in at.get("plotly_chart"):
        title = json.loads(chart.proto.spec)["layout"]["title"]
        out[chart.proto.id.split("-")[-1]] = (title["text"], title.get("subtitle", {}).get("text", ""))
    return out


def _links(at: AppTest) -> dict[str, dict[str, list[str]]]:
    """Page (its url path) → the query parameters its link on the page carries."""
    return {link.proto.page: parse_qs(link.proto.query_string) for link in at.get("page_link")}


PROGRESSIVE_TRIALS = "select count(*) from trials where population <> 'Not MS' and is_progressive"
RECRUITING = "select count(*) from trials where population <> 'Not MS' and status_group = 'Recruiting'"


def test_overview_leads_with_progressive_ms_and_gives_all_ms_as_context(app_env, db):
    at = _app()
    assert not at.exception
    progressive, every = (
        _one(db, PROGRESSIVE_TRIALS),
        _one(db, "select count(*) from trials where population <> 'Not MS'"),
    )
    assert _metric(at, "Progressive-MS trials") == f"{progressive:,}" and 0 < progressive < every
    assert _metric_delta(at, "Progressive-MS trials") == f"of {every:,} MS trials"
    assert _metric(at, "Recruiting progressive trials") == f"{_one(db, RECRUITING + ' and is_progressive'):,}"
    assert (
        _metric_delta(at, "Recruiting progressive trials")
        == f"of {_one(db, RECRUITING):,} recruiting MS trials"
    )
    progressive_projects = _one(
        db, "select count(*) from projects where ms_relevance = 'Progressive-specific'"
    )
    ms_projects = _one(db, "select count(*) from projects where ms_relevance <> 'Not MS'")
    assert _metric(at, "Progressive-specific projects") == f"{progressive_projects:,}"
    assert _metric_delta(at, "Progressive-specific projects") == f"of {ms_projects:,} MS research projects"
    captions = " ".join(c.value for c in at.caption)
    assert "as of 2025-09-25" in captions and "ClinicalTrials.gov" in captions


def test_overview_pipeline_counts_as_the_pipeline_page(app_env, db):
    """The agents and stages shown are those of the pipeline page's default view."""
    at = _app()
    markers = db.run(
        "pipeline_markers",
        Filters().as_struct(),
        pipeline_pop="all",
        include_mixed=False,
        include_supportive=False,
        include_nondrug=False,
    )
    agents = markers[markers["item_kind"] == "agent"]
    assert _metric(at, "Agents in the pipeline") == f"{len(agents):,}"
    approved = int((agents["stage"] == "Approved for progressive MS").sum())
    assert _metric_delta(at, "Agents in the pipeline") == f"{approved:,} approved for progressive MS"
    title, detail = _titles(at)["overview_pipeline"]
    assert title == style.plural(len(agents), "agent") + " in the pipeline"
    assert detail.endswith(f"{approved:,} approved for progressive MS")


def test_overview_map_title_counts_countries(app_env, db):
    n = _one(
        db,
        "select count(distinct tc.iso3) from trials as t join trial_countries as tc using (trial_id) "
        "join countries as c on c.iso3 = tc.iso3 where t.population <> 'Not MS' and t.is_progressive",
    )
    title, detail = _titles(_app())["overview_map"]
    assert title == f"Progressive-MS trials in {style.plural(n, 'country')}" and detail.startswith("Most: ")


NINDS_YEAR = """
    select year, sum(amount_eur) filter (where ms_relevance <> 'Not MS') as ms,
        sum(amount_eur) filter (where ms_relevance = 'Progressive-specific') as progressive,
        sum(amount_eur) as everything
    from grants where series_id = 'nih_reporter:NIH NINDS' and record_type = 'award'
    group by year order by year desc limit 1
"""


def test_overview_funding_title_states_the_latest_year(app_env, db):
    """The funding panel: the most comparable series (NINDS, every award of the institute), its
    latest year's MS money, that money's share of all its awards, and the progressive part."""
    last = db.execute_select(NINDS_YEAR, {}).iloc[0]
    title, detail = _titles(_app())["overview_funding"]
    assert title == f"{style.money(last.ms, 'EUR')} on MS research"
    assert (
        f"NIH NINDS, FY{int(last.year)}: {100 * last.ms / last.everything:.1f}% of its award money" in detail
    )
    assert f"{style.money(last.progressive or 0.0, 'EUR')} of it progressive-specific" in detail


def test_overview_partial_series_states_its_total_not_a_latest_year(app_env, db):
    """A series that covers its years partly (Alliance awards) gives the money of the years in
    view, said to be partial: a latest partial year would say little."""
    at = _app({"funder": "International Progressive MS Alliance"})
    money = db.execute_select(
        "select sum(amount_eur) as eur, min(year) filter (where amount_eur > 0) as first, "
        "max(year) filter (where amount_eur > 0) as last, "
        "sum(amount_eur) filter (where ms_relevance = 'Progressive-specific') as progressive "
        "from grants where series_id = 'alliance_awards' and record_type = 'award' and ms_relevance <> 'Not MS'",
        {},
    ).iloc[0]
    title, detail = _titles(at)["overview_funding"]
    assert (
        title == f"{style.money(money.eur, 'EUR')} on MS research, {int(money['first'])}–{int(money['last'])}"
    )
    assert detail == (
        f"Alliance awards: partial coverage<br>{style.money(money.progressive, 'EUR')} of it progressive-specific"
    )


def test_overview_currency_switch_is_with_the_money(app_env, db):
    """One currency control, in the funding panel; it changes the money and goes into the URL; the
    headline trial figures carry no currency."""
    at = _app()
    assert [c.key for c in at.get("segmented_control")] == ["overview_currency"]
    at.segmented_control(key="overview_currency").set_value("USD").run()
    year = int(db.execute_select(NINDS_YEAR, {}).iloc[0].year)
    usd = _one(
        db,
        "select sum(amount_usd) from grants where series_id = 'nih_reporter:NIH NINDS' "
        "and record_type = 'award' and ms_relevance <> 'Not MS' and year = $year",
        year=year,
    )
    assert _titles(at)["overview_funding"][0] == f"{style.money(usd, 'USD')} on MS research"
    assert at.query_params["currency"] == "USD"
    assert _links(at)["funding"]["currency"] == ["USD"]
    reopened = _app({"currency": "GBP"})
    assert _titles(reopened)["overview_funding"][0].startswith("£")


def test_overview_follows_url_filters_and_links_carry_them(app_env, db):
    """With 'progressive-specific only' there is no all-MS context; every panel links to its page
    with the same filters (and the page's own view where it has one)."""
    params = {"relevance": "progressive", "country": ["USA"]}
    at = _app(params)
    assert not at.exception
    f = Filters(relevance="progressive", countries=("USA",))
    expected = db.run("headline_trials", f.as_struct()).iloc[0]
    assert _metric(at, "Progressive-MS trials") == f"{expected.progressive_trials:,}"
    assert expected.progressive_trials < _one(db, PROGRESSIVE_TRIALS)
    assert _metric_delta(at, "Progressive-MS trials") == ""
    links = _links(at)
    assert set(links) >= {"map", "funding", "pipeline", "about"}
    for query in links.values():
        assert query["relevance"] == ["progressive"] and query["country"] == ["USA"]
    assert links["map"]["metric"] == ["progressive"]
    assert links["funding"]["series"] == ["nih_reporter:NIH NINDS"]


def test_overview_presenter_slide_has_its_panels_and_no_controls(app_env):
    at = _app({"present": "1"})
    assert not at.exception
    assert set(_titles(at)) == {"overview_map", "overview_funding", "overview_pipeline"}
    assert not at.get("segmented_control")


def test_bad_url_parameters_give_notices_not_errors(app_env):
    at = _app({"country": ["XXX"], "from": "20x5", "bogus": "1", "q": "x" * 10_000})
    assert not at.exception
    notices = " ".join(i.value for i in at.info)
    assert "country=`XXX`" in notices and "from=`20x5`" in notices and "`bogus`" in notices


def test_years_outside_the_slider_are_dropped_with_a_notice(app_env):
    """A crafted link with a year outside the slider's range must not break the page."""
    at = _app({"from": "1960", "to": "2090"})
    assert not at.exception, at.exception
    notices = " ".join(i.value for i in at.info)
    assert "from=`1960`" in notices and "to=`2090`" in notices


def test_overview_says_what_changed_and_links_to_it(app_env, db):
    """One line of registry activity over the What changed page's default window (12 months), its
    figures the window query's sums over the sources that cover it, and a link with the filters."""
    at = _app({"country": ["USA"]})
    counts = db.run("changes_window_counts", Filters(countries=("USA",)).as_struct(), months=12)
    covering = counts[counts["covers_window"]]
    line = next(m.value for m in at.markdown if m.value.startswith("Progressive\\-MS trials, 12 months"))
    assert f"{int(covering['registered'].sum()):,} newly registered" in line
    assert f"{int(covering['completed'].sum()):,} completed" in line
    assert _links(at)["changed"]["country"] == ["USA"]
    assert not any(m.value.startswith("Progressive\\-MS trials, 12") for m in _app({"present": "1"}).markdown)
