"""AppTest runs of the Explore records and About the data pages on the fixture snapshot.

Explore: every tab renders; the rows and counts shown, and their order, are those a direct query
gives for the same filters, search and sort; search, sort and tab round-trip through the URL and
reach the CSV and Excel downloads (read from the very files a click would serve); planned starts
are marked and come after actual ones; an empty tab says why instead of drawing an empty grid.
About: every section renders, and the data dictionary holds every schema column and every
documented query column ("nothing forgotten").
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from msprogress import dictionary, queries, schema, sources, style
from msprogress.filters import Filters
from msprogress.ingest.build import build
from msprogress.markup import md_escape
from tests import rawcut
from tests.conftest import FIXTURE_RAW
from tests.test_pages import UrlParams
from tests.test_pages import _app as open_page

MAX_ROWS = 5_000
KINDS = ("trials", "projects", "grants")
DEFAULT_SORT = {"trials": "start", "projects": "start", "grants": "year"}
ID_COLUMN = {"trials": "Trial id", "projects": "Project id", "grants": "Grant id"}


def _app(page: str, params: UrlParams | None = None) -> AppTest:
    at = open_page(params, page)
    assert not at.exception, at.exception
    return at


def _shown_counts(at: AppTest) -> list[int]:
    """The 'N … match' numbers, in tab order (trials, projects, grants)."""
    found = [re.fullmatch(r"\*\*([\d,]+) .+ match(es)?\*\*", m.value) for m in at.markdown]
    return [int(m.group(1).replace(",", "")) for m in found if m]


def _direct(db, kind: str, f: Filters, search: str | None = None, sort: str | None = None) -> pd.DataFrame:
    return db.run(
        f"explore_{kind}", f.as_struct(), search=search, sort=sort or DEFAULT_SORT[kind], max_rows=MAX_ROWS
    )


def _expected(db, f: Filters, search: str | None = None) -> dict[str, int]:
    return {kind: len(_direct(db, kind, f, search)) for kind in KINDS}


@pytest.fixture()
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], bytes]]:
    """file name → the callable a download button runs when clicked (recorded as the page registers it)."""
    made: dict[str, Callable[[], bytes]] = {}
    original = MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        made[str(file_name)] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return made


def _download(made: dict[str, Callable[[], bytes]], prefix: str, ext: str) -> bytes:
    (name,) = [n for n in made if n.startswith(prefix) and n.endswith("." + ext)]
    return made[name]()


# Explore ------------------------------------------------------------------------------------


def test_explore_renders_every_tab(app_env):
    at = _app("explore")
    assert [t.label for t in at.tabs] == ["Trials", "Projects", "Grants"]
    assert len(at.dataframe) == 3
    for df, kind in zip(at.dataframe, KINDS, strict=True):
        assert len(df.value.columns) == len(queries.get(f"explore_{kind}").columns)
    captions = " ".join(c.value for c in at.caption)
    assert "as of 2025-09-25" in captions


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
    """Rows, their order and the counts shown are the queries' for the same filters."""
    at = _app("explore", params)
    expected = {kind: _direct(db, kind, f) for kind in KINDS}
    counts = db.run("explore_counts", f.as_struct(), search=None).iloc[0]
    assert _shown_counts(at) == [counts[k] for k in KINDS if counts[k]]
    shown = {kind: df.value for kind, df in zip([k for k in KINDS if counts[k]], at.dataframe, strict=True)}
    for kind, df in shown.items():
        assert list(df[ID_COLUMN[kind]]) == list(expected[kind].iloc[:, 0]), kind  # same rows, same order
        assert len(df) == counts[kind]  # the fixture is below the display cap: every match is shown


def test_explore_search_narrows_rows_and_is_in_the_url(app_env, db):
    at = _app("explore")
    before = [len(df.value) for df in at.dataframe]
    at.text_input(key="explore_search").set_value("exercise").run()
    assert not at.exception
    expected = _expected(db, Filters(), "exercise")
    after = [len(df.value) for df in at.dataframe]
    assert after == [n for n in expected.values() if n]
    assert 0 < after[0] < before[0]
    assert at.query_params["search"] == "exercise"
    at.text_input(key="explore_search").set_value("").run()
    assert "search" not in at.query_params  # the default is left out of the link


def test_explore_search_is_text_not_sql(app_env):
    at = _app("explore", {"search": "x' or 1=1; drop table trials; --"})
    assert at.text_input(key="explore_search").value == "x' or 1=1; drop table trials; --"
    assert not at.dataframe, "no rows match: no grid is drawn"
    assert len(at.info) >= 3  # each empty tab says why


def test_explore_link_reopens_search_sort_and_tab(app_env, db, downloads):
    """A copied link (search, a sort per tab, the open tab) reopens the same view, and the CSV and
    Excel files hold the rows in that order, with the order and search named."""
    params = {"search": "multiple", "trials_sort": "enrollment", "grants_sort": "amount", "tab": "grants"}
    at = _app("explore", params)
    assert at.text_input(key="explore_search").value == "multiple"
    assert at.selectbox(key="explore_trials_sort").value == "enrollment"
    assert at.session_state["explore_tab"] == "Grants"
    trials = _direct(db, "trials", Filters(), "multiple", "enrollment")
    assert list(at.dataframe[0].value["Trial id"]) == list(trials["trial_id"])
    enrollment = trials["enrollment"].dropna()
    assert list(enrollment) == sorted(enrollment, reverse=True)  # most participants first
    csv = pd.read_csv(
        io.BytesIO(_download(downloads, "msprogress-trials-by-enrollment-search-multiple", "csv"))
    )
    assert list(csv["Trial id"]) == list(trials["trial_id"])
    grants = _direct(db, "grants", Filters(), "multiple", "amount")
    xlsx = _download(downloads, "msprogress-grants-by-amount-search-multiple", "xlsx")
    book = pd.read_excel(io.BytesIO(xlsx), sheet_name=None)
    assert list(book["data"]["Grant id"]) == list(grants["grant_id"])
    about = dict(openpyxl.load_workbook(io.BytesIO(xlsx))["about"].iter_rows(values_only=True))
    assert about["Order"] == "Amount (EUR), largest first" and about["Page search"] == "multiple"
    for key, value in params.items():
        assert at.query_params[key] == value


def test_explore_sort_control_writes_the_url(app_env, db):
    at = _app("explore")
    at.selectbox(key="explore_projects_sort").set_value("title").run()
    assert at.query_params["projects_sort"] == "title"
    titles = at.dataframe[1].value["Title"].dropna().str.lower().tolist()
    assert titles == sorted(titles)
    at.selectbox(key="explore_projects_sort").set_value("start").run()
    assert "projects_sort" not in at.query_params


def test_explore_bad_view_values_give_notices(app_env):
    at = _app("explore", {"trials_sort": "bogus", "tab": "nope", "search": "x" * 5_000})
    notices = " ".join(i.value for i in at.info)
    assert "trials_sort=`bogus`" in notices and "tab=`nope`" in notices
    assert "search value longer than 200 characters" in notices
    assert at.selectbox(key="explore_trials_sort").value == "start"


def test_explore_empty_tab_says_what_to_change(app_env, db):
    """A search matching trial ids only leaves projects and grants empty: each says which change
    would bring rows back, and with how many, instead of an empty grid."""
    search = "NCT0"
    expected = _expected(db, Filters(), search)
    assert expected["trials"] > 0 and expected["projects"] == expected["grants"] == 0
    at = _app("explore", {"search": search})
    assert len(at.dataframe) == 1  # only the trials grid
    without = _expected(db, Filters())
    notes = [i.value for i in at.info]
    assert any(
        "No research projects match" in n
        and f"`{search}` ({without['projects']:,} research projects without it)" in n
        for n in notes
    ), notes
    assert any("No grant records match" in n for n in notes)


def test_explore_empty_tab_names_the_filter(app_env, db):
    """Withdrawn phase-4 trials: none; each filter alone has some, and the notice says how many."""
    assert _expected(db, Filters(statuses=("withdrawn",), phases=("4",)))["trials"] == 0
    at = _app("explore", {"status": "withdrawn", "phase": "4"})
    hint = next(i.value for i in at.info if "No trials match" in i.value)
    for words, wider in (
        ("status: Withdrawn", Filters(phases=("4",))),
        ("phase: Phase 4", Filters(statuses=("withdrawn",))),
    ):
        n = _expected(db, wider)["trials"]
        assert n > 0 and f"{md_escape(words)} ({n:,} trial" in hint, hint


def test_explore_title_search_from_another_page_can_be_cleared(app_env):
    at = _app("explore", {"q": "exercise"})
    assert any("title search `exercise`" in c.value for c in at.caption)
    at.button(key="explore_clear_q").click().run()
    assert not at.exception
    assert at.session_state["filters"].q == ""
    assert "q" not in at.query_params


def test_explore_grants_keep_record_type_and_missing_amounts(app_env, db, fixture_snapshot):
    at = _app("explore")
    grants = at.dataframe[2].value
    assert {"Record type", "Amount basis", "Amount (EUR, ECB annual mean rate)", "Currency"} <= set(grants)
    raw = _direct(db, "grants", Filters())
    assert grants["Amount (original currency)"].isna().sum() == raw["amount"].isna().sum() > 0
    assert not (grants["Amount (original currency)"] == 0).any()
    names = {s.source_id: sources.get(s.source_id).short_name for s in fixture_snapshot.manifest.sources}
    assert list(grants["Source"]) == [names[s] for s in raw["source"]]  # sources by name, not id


def test_explore_offers_csv_and_excel_downloads(app_env):
    at = _app("explore")
    labels = [
        b.proto.label for b in at.get("download_button") if not b.proto.label.startswith("Download slides")
    ]
    assert len(labels) == 6  # CSV + Excel per tab (besides the deck, which every page offers)
    assert all(re.fullmatch(r"Download (CSV|Excel) \([\d,]+ rows?\)", label) for label in labels)


# Planned starts ------------------------------------------------------------------------------

# Real registry rows with a start that has not happened, cut from data/raw: a trial withdrawn
# before it started (0 participants, start 2030-01-01) and two planned for 2026.
PLANNED = {"NCT04175054", "NCT06228781", "NCT06677710"}


@pytest.fixture(scope="module")
def planned_data(tmp_path_factory: pytest.TempPathFactory, fixture_data: Path) -> Path:
    """The fixture sources plus the PLANNED trials (same files, those rows added)."""
    root = tmp_path_factory.mktemp("planned")
    shutil.copytree(FIXTURE_RAW, root / "raw")
    ids = set(pd.read_parquet(next((fixture_data / "snapshots").glob("*/trials.parquet")))["trial_id"])
    rawcut.cut_raw(root / "raw", ids | PLANNED)
    build(root / "raw", root / "snapshots")
    return root


def test_planned_starts_are_marked_and_come_after_actual_ones(planned_data, app_on):
    app_on(planned_data)
    at = _app("explore")
    trials = at.dataframe[0].value
    kinds = trials.set_index("Trial id")["Started or planned"]
    assert kinds["NCT04175054"] == "withdrawn before start"
    assert kinds["NCT06228781"] == "planned"
    dated = trials["Started or planned"].dropna().tolist()
    assert dated[0] == "started" and dated == sorted(
        dated, key=["started", "planned", "withdrawn before start"].index
    )
    started = trials[trials["Started or planned"] == "started"]["Start date"]
    assert list(started) == sorted(started, reverse=True)  # newest actual start first
    assert (
        trials.loc[trials["Started or planned"] == "started", "Start date"] <= pd.Timestamp("2025-09-25")
    ).all()


# About --------------------------------------------------------------------------------------


def test_about_renders_every_section(app_env, fixture_snapshot):
    at = _app("about")
    headers = [h.value for h in at.subheader]  # each section is a slide under its heading
    for h in ("Sources", "Rows per table", "Rejected rows", "Classification coverage", "Data dictionary"):
        assert h in headers
    assert len(at.get("plotly_chart")) == 1  # "Which years each source covers", titled in the chart
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
    rejected = style.plural(expected, "row or value", "rows or values")
    assert any(f"**{rejected} rejected**" in m.value for m in at.markdown)


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
