"""The serving tables change how the pages' queries read the data, never what they answer.

Every named query runs over a set of filter states and parameter choices twice: as the app runs it
(the serving tables, msprogress/ingest/serving.py) and as it was written over the canonical tables
before the serving tables existed (`tests/reference_queries/`: those query files and their macros,
kept as the reference). The two frames must be equal: values, dtypes, column names and row order.
On the shipped snapshot for every query that reads one snapshot; on the fixture pair for the queries
comparing two (the earlier snapshot storing its serving tables, and not: then the app computes them).
`test_a_perturbed_serving_table_is_caught` shows the comparison failing when a serving table is wrong.

Where the reference itself leaves something undefined, the comparison says so and checks only what
it defines (REFERENCE_TIES, REFERENCE_UNORDERED_TEXT); where the serving query gives the type its
header documents, the reference is read with that type (REFERENCE_DTYPES). Nothing else is excused.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from msprogress import queries, schema
from msprogress.db import EARLIER_PREFIX, Database, conformed_views
from msprogress.filters import Filters
from msprogress.manifest import Manifest, sha256_file
from msprogress.snapshot import Snapshot, list_snapshots, open_snapshot

REFERENCE = Path(__file__).parent / "reference_queries"

FILTER_STATES = [
    Filters(),
    Filters(countries=("ITA",)),
    Filters(countries=("USA", "DEU", "GBR")),
    Filters(regions=("Northern America",)),
    Filters(regions=("Southern Europe", "Western Europe")),
    Filters(countries=("ITA", "USA"), regions=("Southern Europe",)),  # a country and a region meet in one
    Filters(relevance="progressive"),
    Filters(year_from=2010, year_to=2020),
    Filters(year_to=1999),
    Filters(q="exercise"),
    Filters(q="ZZZ-no-such-title"),
    Filters(funders=("NINDS",)),
    Filters(gap_areas=("wellbeing", "mechanisms")),
    Filters(populations=("ppms", "spms")),
    Filters(phases=("2", "3"), statuses=("recruiting", "completed")),
    Filters(relevance="progressive", year_from=2005, countries=("USA", "DEU", "ITA"), q="ms"),
    Filters(regions=("Western Europe",), gap_areas=("trials",), populations=("progressive",), year_from=2015),
]
# The page's own parameters: the first value of each is used with every filter state, the others
# with the default filters.
PARAMS: dict[str, list[object]] = {
    "currency": ["EUR", "USD", "GBP"],
    "group": ["fundergroup", "funder", "gap", "country"],
    "spread": [True, False],
    "series": [None, "nih_reporter:NIH NINDS", "alliance_awards"],
    "search": ["", "ocrelizumab", "university"],
    "sort": ["start", "oldest", "enrollment", "title", "year", "amount", "funder"],
    "max_rows": [5000, 25],
    "iso3": ["USA", "ITA", "DEU"],
    "include_supportive": [False, True],
    "include_nondrug": [True, False],
    "months": [12, 3, 6],
}
# Queries whose reference ORDER BY leaves ties: the rows and the order of these keys must match; the
# order within a tie was the canonical table's scan order (the serving query breaks ties by key).
REFERENCE_TIES = {
    "funding_programmes": ["record_type", "year", "funder", "programme"],
    "map_organisations": ["projects", "awarded", "names"],
    "map_trial_sites": ["trials", "place"],
}
# Text the reference joined in no set order (string_agg without ORDER BY); the serving query sorts it.
REFERENCE_UNORDERED_TEXT = {("map_trial_sites", "basis"): "; "}
# The reference summed region counts as HUGEINT, read as float; the header (and the serving table) says BIGINT.
REFERENCE_DTYPES: dict[tuple[str, str], type] = {("filter_options", "n"): int}


def cases(name: str) -> Iterator[tuple[Filters, dict[str, object]]]:
    q = queries.get(name)
    own = [p for p in q.params if p != "f"]
    first = {p: PARAMS[p][0] for p in own}
    states = FILTER_STATES if "f" in q.params else [Filters()]
    for f in states:
        yield f, first
    for p in own:
        for value in PARAMS[p][1:]:
            yield Filters(), first | {p: value}


def reference_connection(snapshot: Snapshot, earlier: Snapshot | None = None) -> duckdb.DuckDBPyConnection:
    """The canonical tables of `snapshot` (and `earlier`, as prev_*) with the reference macros."""
    con = duckdb.connect(":memory:", config={"threads": 2})
    views = conformed_views(snapshot)[0] + (conformed_views(earlier, EARLIER_PREFIX)[0] if earlier else [])
    for statement in views:
        con.execute(statement)
    con.execute((REFERENCE / "_macros.sql").read_text())
    return con


def reference_frame(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, object]) -> pd.DataFrame:
    q = queries.get(name)
    df = con.execute((REFERENCE / f"{name}.sql").read_text(), {p: params[p] for p in q.params} or None).df()
    for (query, column), sep in REFERENCE_UNORDERED_TEXT.items():
        if query == name:
            df[column] = df[column].map(lambda v, s=sep: s.join(sorted(v.split(s))), na_action="ignore")
    for (query, column), dtype in REFERENCE_DTYPES.items():
        if query == name:
            df[column] = df[column].astype(dtype)
    return df


def difference(name: str, served: pd.DataFrame, reference: pd.DataFrame) -> str | None:
    """None when the frames are the same answer, else what differs."""
    try:
        if name in REFERENCE_TIES:
            keys = REFERENCE_TIES[name]
            pd.testing.assert_frame_equal(served[keys], reference[keys])
            by_all = lambda df: df.sort_values(list(df.columns), na_position="last").reset_index(drop=True)  # noqa: E731
            pd.testing.assert_frame_equal(by_all(served), by_all(reference))
        else:
            pd.testing.assert_frame_equal(served, reference)
    except AssertionError as exc:
        return str(exc)
    return None


def differences(db: Database, ref: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    found = []
    for f, extra in cases(name):
        served = db.run(name, f.as_struct(), **extra)
        reference = reference_frame(ref, name, {"f": f.as_struct(), **extra})
        if (why := difference(name, served, reference)) is not None:
            found.append(f"{name} {f!r} {extra}: {why[:400]}")
    return found


@pytest.fixture(scope="module")
def shipped_reference(shipped_snapshot: Snapshot) -> duckdb.DuckDBPyConnection:
    return reference_connection(shipped_snapshot)


def test_every_query_has_a_reference_and_every_parameter_a_value():
    assert {p.stem for p in REFERENCE.glob("*.sql") if p.stem != "_macros"} == set(queries.names())
    assert {p for n in queries.names() for p in queries.get(n).params} - {"f"} <= set(PARAMS)


def test_the_shipped_snapshot_stores_every_serving_table(shipped_db):
    assert set(schema.SERVING) <= set(shipped_db.snapshot.tables)
    assert shipped_db.computed == []


@pytest.mark.parametrize("name", [n for n in queries.names() if not queries.get(n).compares])
def test_serving_answers_as_the_canonical_tables(shipped_db, shipped_reference, name):
    assert differences(shipped_db, shipped_reference, name) == []


@pytest.fixture(scope="module")
def pair_snapshots(pair_data: Path) -> tuple[Snapshot, Snapshot]:
    earlier, later = list_snapshots(pair_data / "snapshots")
    return open_snapshot(pair_data / "snapshots", later), open_snapshot(pair_data / "snapshots", earlier)


def _without_serving(src: Snapshot, dst: Path) -> Snapshot:
    """A copy of `src` as a build from before the serving tables would have written it."""
    shutil.copytree(src.path, dst / src.snapshot_id)
    folder = dst / src.snapshot_id
    m = Manifest.read(folder / "manifest.json")
    tables = dict(m.tables)
    for table in schema.SERVING:
        (folder / tables.pop(table).file).unlink()
    m.model_copy(update={"tables": tables}).write(folder / "manifest.json")
    return open_snapshot(dst, src.snapshot_id)


@pytest.mark.parametrize("earlier_stores_serving", [True, False], ids=["stored", "computed"])
@pytest.mark.parametrize("name", [n for n in queries.names() if queries.get(n).compares])
def test_comparisons_answer_as_the_canonical_tables(pair_snapshots, tmp_path, name, earlier_stores_serving):
    later, earlier = pair_snapshots
    if not earlier_stores_serving:
        earlier = _without_serving(earlier, tmp_path)
    pair = Database(later, earlier=earlier)
    assert pair.earlier_computed == ([] if earlier_stores_serving else list(schema.SERVING))
    assert differences(pair, reference_connection(later, earlier), name) == []


def test_a_perturbed_serving_table_is_caught(shipped_snapshot, shipped_reference, tmp_path):
    """One progressive trial's phase changed in serve_trials only: the comparison sees it."""
    folder = tmp_path / shipped_snapshot.snapshot_id
    shutil.copytree(shipped_snapshot.path, folder)
    m = Manifest.read(folder / "manifest.json")
    path = folder / m.tables["serve_trials"].file
    rows = pq.read_table(path)
    phase = rows.column("phase").to_pylist()
    progressive = rows.column("is_progressive").to_pylist()
    phase[next(i for i, p in enumerate(phase) if progressive[i] and p == "Phase 2")] = "Phase 3"
    pq.write_table(
        rows.set_column(rows.column_names.index("phase"), "phase", pa.array(phase, pa.string())), path
    )
    tables = dict(m.tables) | {
        "serve_trials": m.tables["serve_trials"].model_copy(update={"sha256": sha256_file(path)})
    }
    m.model_copy(update={"tables": tables}).write(folder / "manifest.json")
    perturbed = Database(open_snapshot(tmp_path, shipped_snapshot.snapshot_id))
    assert perturbed.computed == []
    found = differences(perturbed, shipped_reference, "explore_trials")
    assert found and "phase" in found[0]
    assert differences(perturbed, shipped_reference, "explore_projects") == []


@pytest.mark.parametrize("rows", [3, 1, 0])
def test_results_read_through_arrow_are_what_duckdb_df_gives(rows):
    """msprogress.db.frame (the app's result conversion) against DuckDB's own .df(), type by type:
    text with and without missing values, all missing, nullable integers and booleans, dates,
    decimals and HUGEINT sums, lists."""
    from msprogress.db import frame

    sql = f"""
        select
            1::int as i32,
            null::int as i32_missing,
            [1, null][1 + (range % 2)]::bigint as i64_some,
            true as b,
            [true, null][1 + (range % 2)] as b_some,
            null::varchar as s_missing,
            'x' as s,
            [null, 'y'][1 + (range % 2)] as s_some,
            date '2020-01-31' as d,
            [null, date '2020-01-31'][1 + (range % 2)] as d_some,
            1.5::decimal(10, 2) as dec,
            cast(sum(range) over () as hugeint) as h,
            [1.5, null][1 + (range % 2)] as fl,
            ['a', 'b'] as lst
        from range({rows})
    """
    con = duckdb.connect()
    expected, got = con.execute(sql).df(), frame(con.execute(sql).to_arrow_table())
    pd.testing.assert_frame_equal(got, expected)
