"""AppTest runs of every page on the fixture snapshot: no exceptions, and the figures shown
are the figures the queries compute for the same filters."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from msprogress.filters import Filters
from tests.conftest import REPO

PAGES = sorted(p.stem for p in (REPO / "pages").glob("*.py"))


def _app(params: dict[str, str | list[str]] | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()  # st.navigation registers the pages on the first run
    if page:
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


def test_overview_default_figures_match_queries(app_env, db):
    at = _app()
    assert not at.exception
    expected = db.run("headline_trials", Filters().as_struct()).iloc[0]
    assert _metric(at, "MS trials registered") == f"{expected.trials:,}"
    assert _metric(at, "Progressive-MS trials") == f"{expected.progressive_trials:,}"
    assert _metric(at, "Progressive trials recruiting") == f"{expected.recruiting_progressive:,}"
    assert _metric(at, "Countries with trials") == f"{expected.countries:,}"
    captions = " ".join(c.value for c in at.caption)
    assert "as of 2025-09-25" in captions and "ClinicalTrials.gov" in captions


def test_overview_follows_url_filters(app_env, db):
    at = _app({"relevance": "progressive", "country": ["USA"]})
    assert not at.exception
    f = Filters(relevance="progressive", countries=("USA",))
    expected = db.run("headline_trials", f.as_struct()).iloc[0]
    assert _metric(at, "MS trials registered") == f"{expected.trials:,}"
    unfiltered = db.run("headline_trials", Filters().as_struct()).iloc[0]
    assert expected.trials < unfiltered.trials


def test_bad_url_parameters_give_notices_not_errors(app_env):
    at = _app({"country": ["XXX"], "from": "20x5", "bogus": "1", "q": "x" * 10_000})
    assert not at.exception
    notices = " ".join(i.value for i in at.info)
    assert "country=`XXX`" in notices and "from=`20x5`" in notices and "`bogus`" in notices


def test_currency_switch_changes_the_funding_figure(app_env, fixture_snapshot):
    """The awarded figure shown, in EUR then USD, is the most comparable series' award sum (NINDS:
    every award of the institute) read straight from the snapshot's parquet (not through the
    queries), in the format the page promises; other series are never added to it."""
    from msprogress import style

    grants = pd.read_parquet(fixture_snapshot.path / "grants.parquet")
    ninds = grants[
        (grants.record_type == "award")
        & (grants.ms_relevance != "Not MS")
        & (grants.series_id == "nih_reporter:NIH NINDS")
    ]
    at = _app()
    assert _metric(at, "Awarded (EUR), NIH NINDS") == style.money(ninds.amount_eur.sum(), "EUR")
    at.segmented_control(key="w_currency").set_value("USD").run()
    usd = _metric(at, "Awarded (USD), NIH NINDS")
    assert usd == style.money(ninds.amount_usd.sum(), "USD") and usd.startswith("US$")


def test_about_panel_reads_the_manifest(app_env, fixture_snapshot):
    at = _app()
    text = " ".join(m.value for m in at.markdown)
    assert fixture_snapshot.snapshot_id in text


def test_years_outside_the_slider_are_dropped_with_a_notice(app_env):
    """A crafted link with a year outside the slider's range must not break the page."""
    at = _app({"from": "1960", "to": "2090"})
    assert not at.exception, at.exception
    notices = " ".join(i.value for i in at.info)
    assert "from=`1960`" in notices and "to=`2090`" in notices
