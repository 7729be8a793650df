"""AppTest runs of the Explore records and About the data pages on the fixture snapshot.

Explore: every tab renders, the row counts shown are the counts a direct query gives for the
same filters, the page search narrows the rows (in SQL), and the downloads are there.
About: every section renders, and the data dictionary holds every schema column and every
documented query column ("nothing forgotten").
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from msprogress import dictionary, queries, schema
from msprogress.filters import Filters
from msprogress.markup import md_escape
from tests.test_pages import _app as open_page

MAX_ROWS = 5_000


def _app(page: str, params: dict[str, str | list[str]] | None = None) -> AppTest:
    at = open_page(params, page)
    assert not at.exception, at.exception
    return at


def _shown_counts(at: AppTest) -> list[int]:
    """The 'N … match' numbers, in tab order (trials, projects, grants)."""
    text = [m.value for m in at.markdown if " match**" in m.value]
    return [int(re.match(r"\*\*([\d,]+) ", t).group(1).replace(",", "")) for t in text]


def _expected(db, f: Filters, search: str | None = None) -> dict[str, int]:
    return {
        kind: len(db.run(f"explore_{kind}", f.as_struct(), search=search, max_rows=MAX_ROWS))
        for kind in ("trials", "projects", "grants")
    }


# Explore ------------------------------------------------------------------------------------


def test_explore_renders_every_tab(app_env):
    at = _app("explore")
    assert [t.label for t in at.tabs] == ["Trials", "Projects", "Grants"]
    assert len(at.dataframe) == 3
    for df, kind in zip(at.dataframe, ("trials", "projects", "grants"), strict=True):
        assert len(df.value.columns) == len(queries.get(f"explore_{kind}").columns)
    captions = " ".join(c.value for c in at.caption)
    assert "as of 2025-09-25" in captions and "Snapshot" in captions


@pytest.mark.parametrize(
    "params,f",
    [
        ({}, Filters()),
        (
            {"relevance": "progressive", "country": ["USA"]},
            Filters(relevance="progressive", countries=("USA",)),
        ),
        ({"gap": "wellbeing", "from": "2010"}, Filters(gap_areas=("wellbeing",), year_from=2010)),
    ],
    ids=["default", "progressive-usa", "wellbeing-2010"],
)
def test_explore_rows_equal_a_direct_query(app_env, db, params, f):
    at = _app("explore", params)
    expected = _expected(db, f)
    shown = [len(df.value) for df in at.dataframe]
    assert shown == [expected["trials"], expected["projects"], expected["grants"]]
    counts = db.run("explore_counts", f.as_struct(), search=None).iloc[0]
    assert _shown_counts(at) == [counts.trials, counts.projects, counts.grants]
    assert shown == _shown_counts(at)  # fixture is below the display cap: every match is shown


def test_explore_search_narrows_rows(app_env, db):
    at = _app("explore")
    before = [len(df.value) for df in at.dataframe]
    at.text_input(key="explore_search").set_value("exercise").run()
    assert not at.exception
    after = [len(df.value) for df in at.dataframe]
    expected = _expected(db, Filters(), "exercise")
    assert after == [expected["trials"], expected["projects"], expected["grants"]]
    assert 0 < after[0] < before[0]
    assert all(a <= b for a, b in zip(after, before, strict=True))
    titles = at.dataframe[0].value["Title"].str.lower()
    assert len(titles) == after[0]


def test_explore_search_is_text_not_sql(app_env):
    at = _app("explore")
    at.text_input(key="explore_search").set_value("x' or 1=1; drop table trials; --").run()
    assert not at.exception
    assert [len(df.value) for df in at.dataframe] == [0, 0, 0]


def test_explore_grants_keep_record_type_and_missing_amounts(app_env, db):
    at = _app("explore")
    grants = at.dataframe[2].value
    assert {"Record type", "Amount basis", "Amount (EUR, ECB annual mean rate)", "Currency"} <= set(grants)
    raw = db.run("explore_grants", Filters().as_struct(), search=None, max_rows=MAX_ROWS)
    assert grants["Amount (original currency)"].isna().sum() == raw["amount"].isna().sum() > 0
    assert not (grants["Amount (original currency)"] == 0).any()


def test_explore_offers_csv_and_excel_downloads(app_env):
    at = _app("explore")
    buttons = at.get("download_button")
    assert len(buttons) == 6  # CSV + Excel per tab
    labels = " ".join(b.proto.label for b in buttons)
    assert "Download CSV" in labels and "Download Excel" in labels


# About --------------------------------------------------------------------------------------


def test_about_renders_every_section(app_env, fixture_snapshot):
    at = _app("about")
    headers = [h.value for h in at.header]
    for h in ("Sources", "Which years each source covers", "Rows per table", "Rejected rows"):
        assert h in headers
    assert "Classification coverage" in headers and "Data dictionary" in headers
    assert len(at.get("plotly_chart")) == 1
    text = " ".join(m.value for m in at.markdown)
    assert fixture_snapshot.snapshot_id in text
    from msprogress import sources

    assert sources.get("nih_reporter").limits in text  # the registry's limits are shown
    # the years come from the snapshot, not from prose: the fixture's NINDS years, complete
    assert md_escape("NIH NINDS: every award of the institute") + ": complete 1993, 1999" in text
    summary = at.dataframe[0].value
    assert list(summary["Id"]) == [s.source_id for s in fixture_snapshot.manifest.sources]


def test_about_shows_the_classification_scores(app_env, fixture_snapshot):
    ev = fixture_snapshot.manifest.coverage.classification
    assert ev is not None and ev.labelled_trials >= 200 and ev.scored > 0  # fixture trials in the set
    at = _app("about")
    scores = next(df.value for df in at.dataframe if "Classified as" in df.value.columns)
    flag = scores.set_index("Classified as").loc["Progressive (the flag)"]
    assert (flag["Precision"], flag["Recall"]) == (ev.is_progressive.precision, ev.is_progressive.recall)
    assert any("progressive_eval.csv" in c.value for c in at.caption)


def test_about_rejections_match_the_table(app_env, db):
    at = _app("about")
    expected = db.execute_select("select count(*) as n from rejections", {}).iloc[0].n
    assert any(f"**{expected:,} rows or values rejected**" in m.value for m in at.markdown)


def _dictionary_shown(at: AppTest):
    return next(df.value for df in at.dataframe if list(df.value.columns) == dictionary.DICTIONARY_COLUMNS)


def test_data_dictionary_forgets_nothing(app_env):
    """Every schema column and every documented query column is in the dictionary shown."""
    at = _app("about")
    shown = _dictionary_shown(at)
    pairs = set(zip(shown["where"], shown["column"], strict=True))
    for table, cols in schema.TABLES.items():
        for c in cols:
            assert (f"table {table}", c.name) in pairs, f"{table}.{c.name} missing"
    for name in queries.names():
        for col in queries.get(name).column_names:
            assert (f"query {name}", col) in pairs, f"query {name}: {col} missing"
    assert (shown["description"].str.len() > 0).all(), "every column is described"


def test_data_dictionary_search(app_env):
    at = _app("about")
    everything = len(_dictionary_shown(at))
    at.text_input(key="about_dictionary_search").set_value("ECB").run()
    found = _dictionary_shown(at)
    assert 0 < len(found) < everything
    assert "amount_eur" in set(found["column"])


def test_explore_columns_are_in_the_dictionary():
    """The Explore tables show query columns, so each one is documented."""
    dd = dictionary.data_dictionary()
    for kind in ("trials", "projects", "grants"):
        documented = set(dd.loc[dd["where"] == f"query explore_{kind}", "column"])
        assert documented == set(queries.get(f"explore_{kind}").column_names)
