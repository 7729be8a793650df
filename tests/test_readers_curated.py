"""The curated funding readers on the real curated files (copied whole into tests/fixtures/raw/curated).

Expected values are read from the fixture files with the csv module, so a test fails when the
reader drops, re-types or invents a row; the 2016 Collaborative Network Awards are the spot
check of the programme-total vs award overlap.
"""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from msprogress import schema
from msprogress.ingest import build, curated
from msprogress.ingest.base import SourceError, SourceResult

RAW = Path(__file__).parent / "fixtures" / "raw"


def rows_of(name: str) -> dict[int, dict[str, str]]:
    """The fixture's data rows by row number (header = row 1), as the readers number them."""
    with (RAW / "curated" / name).open(encoding="utf-8", newline="") as fh:
        return dict(enumerate(csv.DictReader(fh), start=2))


@pytest.fixture(scope="module")
def alliance() -> SourceResult:
    return curated.read_alliance(RAW)


@pytest.fixture(scope="module")
def charity() -> SourceResult:
    return curated.read_charity(RAW)


@pytest.fixture(scope="module")
def public() -> SourceResult:
    return curated.read_public_funders(RAW)


def by_id(result: SourceResult, prefix: str) -> dict[int, pd.Series]:
    g = result.tables["grants"]
    return {
        int(gid.split(":")[-1]): row
        for gid, (_, row) in zip(g["grant_id"], g.iterrows(), strict=True)
        if gid.startswith(prefix)
    }


# --- Alliance ----------------------------------------------------------------------------------


def test_alliance_keeps_every_row_with_its_record_type(alliance: SourceResult) -> None:
    src = rows_of("alliance_awards.csv")
    grants = by_id(alliance, "alliance:")
    assert alliance.rejections == []
    assert alliance.rows_read == alliance.rows_kept == len(src)
    assert Counter(alliance.tables["grants"]["record_type"]) == Counter(
        r["record_type"] for r in src.values()
    )
    assert all(grants[n]["record_type"] == r["record_type"] for n, r in src.items())


def test_alliance_awards_are_projects_and_totals_are_not(alliance: SourceResult) -> None:
    g, p = alliance.tables["grants"], alliance.tables["projects"]
    awards = g[g["record_type"] == "award"]
    assert len(p) == len(awards) and p["project_id"].is_unique
    assert set(awards["project_id"]) == set(p["project_id"])
    assert g.loc[g["record_type"] != "award", "project_id"].isna().all()
    assert (p["funder"] == curated.ALLIANCE_FUNDER).all() and (
        p["ms_relevance"] == "Progressive-specific"
    ).all()


def test_2016_network_awards_three_awards_and_one_programme_total(alliance: SourceResult) -> None:
    g = alliance.tables["grants"]
    net = g[(g["programme"] == "Collaborative Network Awards") & (g["year"] == 2016)]
    awards, totals = net[net["record_type"] == "award"], net[net["record_type"] == "programme"]
    assert len(awards) == 3 and (awards["amount"] == 4_200_000).all() and (awards["currency"] == "EUR").all()
    assert len(totals) == 1 and totals["amount"].iloc[0] == 12_600_000 and totals["n_awards"].iloc[0] == 3
    # the total is the sum of the awards: adding both rows would count EUR 12.6M twice
    assert awards["amount"].sum() == totals["amount"].iloc[0]


def test_alliance_empty_amounts_stay_null_never_zero(alliance: SourceResult) -> None:
    src, grants = rows_of("alliance_awards.csv"), by_id(alliance, "alliance:")
    empty = [n for n, r in src.items() if not r["amount"].strip()]
    assert empty, "fixture should hold rows without an amount"
    for n in empty:
        assert (
            pd.isna(grants[n]["amount"])
            and pd.isna(grants[n]["amount_eur"])
            and pd.isna(grants[n]["amount_basis"])
        )
    for n, r in src.items():
        if r["amount"].strip():
            assert grants[n]["amount"] == float(r["amount"]) and grants[n]["currency"] == r["currency"]
            assert grants[n]["amount_basis"] == r["amount_basis"]


@pytest.mark.parametrize(("spelling", "iso3"), [("USA", "USA"), ("UK", "GBR"), ("United States", "USA")])
def test_alliance_country_spellings(alliance: SourceResult, spelling: str, iso3: str) -> None:
    src, grants = rows_of("alliance_awards.csv"), by_id(alliance, "alliance:")
    rows = [n for n, r in src.items() if r["country"] == spelling]
    assert rows, f"fixture should spell a country {spelling!r}"
    assert {grants[n]["iso3"] for n in rows} == {iso3}


def test_alliance_no_country_stays_null(alliance: SourceResult) -> None:
    src, grants = rows_of("alliance_awards.csv"), by_id(alliance, "alliance:")
    assert all(pd.isna(grants[n]["iso3"]) for n, r in src.items() if not r["country"].strip())


def test_alliance_year_convention_follows_announcement_date(alliance: SourceResult) -> None:
    src, grants = rows_of("alliance_awards.csv"), by_id(alliance, "alliance:")
    for n, r in src.items():
        want = None if not r["year"] else ("announcement year" if r["announcement_date"] else "award year")
        assert (grants[n]["year_convention"] if pd.notna(grants[n]["year_convention"]) else None) == want


def test_alliance_award_date_is_the_announcement_date(alliance: SourceResult) -> None:
    src, grants = rows_of("alliance_awards.csv"), by_id(alliance, "alliance:")
    assert any(r["announcement_date"] for r in src.values())
    for n, r in src.items():
        got = grants[n]["award_date"]
        assert (str(got) == r["announcement_date"]) if r["announcement_date"] else pd.isna(got)


@pytest.mark.parametrize(
    ("duration", "year", "expected"),
    [
        ("12 months", 2015, (2015, 2015)),
        ("1 year", 2021, (2021, 2021)),
        ("3 years", 2023, (2023, 2025)),
        ("up to 3 years", 2024, (2024, 2026)),
        ("Challenges: 3 years (2024-2027)", 2023, (2024, 2027)),
        ("18 months", 2024, (2024, 2025)),
        ("", 2020, (None, None)),
        ("3 years", None, (None, None)),
    ],
)
def test_duration_years(duration: str, year: int | None, expected: tuple[int | None, int | None]) -> None:
    assert curated.duration_years(duration, year) == expected


def test_every_duration_in_the_file_is_understood(alliance: SourceResult) -> None:
    src, grants = rows_of("alliance_awards.csv"), by_id(alliance, "alliance:")
    for n, r in src.items():
        assert pd.notna(grants[n]["start_year"]) == bool(r["duration"].strip() and r["year"]), r["duration"]


def test_alliance_provenance(alliance: SourceResult) -> None:
    for table in ("grants", "projects"):
        df = alliance.tables[table]
        assert set(df["source"]) == {"alliance_awards"} and set(df["source_file"]) == {
            "curated/alliance_awards.csv"
        }
        assert set(df["as_of"]) == {curated.CURATED_AS_OF}
    assert alliance.files[0].path == "curated/alliance_awards.csv" and len(alliance.files[0].sha256) == 64


# --- Charities ---------------------------------------------------------------------------------


def test_charity_amount_types_all_mapped_and_applied(charity: SourceResult) -> None:
    src, grants = rows_of("charity_grants.csv"), by_id(charity, "charity:")
    assert {r["amount_type"] for r in src.values()} <= set(curated.CHARITY_AMOUNT_TYPES)
    assert charity.rejections == [] and len(grants) == len(src)
    for n, r in src.items():
        record_type, basis, _ = curated.CHARITY_AMOUNT_TYPES[r["amount_type"]]
        assert (grants[n]["record_type"], grants[n]["amount_basis"]) == (record_type, basis)
        assert grants[n]["amount"] == float(r["amount"]) and grants[n]["currency"] == r["currency"]
    assert len(charity.tables["projects"]) == sum(
        curated.CHARITY_AMOUNT_TYPES[r["amount_type"]][0] == "award" for r in src.values()
    )


@pytest.mark.parametrize(
    ("word", "basis"), [("(over)", "at_least"), ("approx", "approximate"), ("maximum", "up_to")]
)
def test_charity_amount_type_words_decide_the_basis(charity: SourceResult, word: str, basis: str) -> None:
    src, grants = rows_of("charity_grants.csv"), by_id(charity, "charity:")
    rows = [n for n, r in src.items() if word in r["amount_type"]]
    assert rows, f"fixture should hold an amount_type with {word!r}"
    assert {grants[n]["amount_basis"] for n in rows} == {basis}


def test_charity_progressive_focus(charity: SourceResult) -> None:
    src, grants = rows_of("charity_grants.csv"), by_id(charity, "charity:")
    assert any(r["progressive_focus"].startswith("yes (") for r in src.values())
    for n, r in src.items():
        # a round total is never progressive-specific as a whole, whatever its headline grant
        is_award = grants[n]["record_type"] == "award"
        want = (
            "Progressive-specific"
            if is_award and r["progressive_focus"].split(" ")[0] == "yes"
            else "MS, not progression-specific"
        )
        assert grants[n]["ms_relevance"] == want
        assert grants[n]["funder_group"] == "Charity"


def test_charity_round_sizes(charity: SourceResult) -> None:
    src, grants = rows_of("charity_grants.csv"), by_id(charity, "charity:")
    for n, r in src.items():
        words = r["institution"].strip("()").split(" ")
        if len(words) == 2 and words[0].isdigit() and words[1] in ("grants", "teams"):
            assert grants[n]["n_awards"] == int(words[0])


def test_charity_unknown_amount_type_is_rejected(tmp_path: Path) -> None:
    raw = _copy_with(tmp_path, "charity_grants.csv", "award (3 yrs)", "award (5 yrs; indexed)")
    result = curated.read_charity(raw)
    assert [(j.column, j.row) for j in result.rejections] == [
        ("amount_type", n) for n in _rows_with("charity_grants.csv", "amount_type", "award (3 yrs)")
    ]
    assert "award (5 yrs; indexed)" in result.rejections[0].reason
    assert result.rows_kept == len(rows_of("charity_grants.csv")) - len(result.rejections)


# --- Other public funders ----------------------------------------------------------------------


def test_public_every_row_a_project_grants_only_with_amount(public: SourceResult) -> None:
    src = rows_of("other_public_funders_projects.csv")
    g, p = public.tables["grants"], public.tables["projects"]
    assert len(p) == len(src) and p["project_id"].is_unique
    assert len(g) == sum(bool(r["amount"].strip()) for r in src.values()) > 0
    assert set(g["project_id"]) <= set(p["project_id"]) and (g["record_type"] == "award").all()
    assert {r["amount_type"] for r in src.values() if r["amount"].strip()} <= set(curated.PUBLIC_AMOUNT_TYPES)
    assert sorted(g["amount"]) == sorted(float(r["amount"]) for r in src.values() if r["amount"].strip())


def test_public_countries_relevance_and_funder_group(public: SourceResult) -> None:
    src = rows_of("other_public_funders_projects.csv")
    p = public.tables["projects"].set_index("title")
    expected = {"Germany (coord.)": "DEU", "Canada (international connection)": "CAN"}
    seen = 0
    for r in src.values():
        row = p.loc[[t for t in p.index if r["title"] in t][0]]
        if r["country"] in expected:
            assert row["iso3"] == expected[r["country"]]
            seen += 1
        first = r["mentions_progressive_ms"].split(" ")[0]
        assert row["ms_relevance"] == (
            "Progressive-specific" if first == "yes" else "MS, not progression-specific"
        )
    assert seen == len(expected)
    g = public.tables["grants"]
    assert set(g.loc[g["funder"] == "European Commission", "funder_group"]) == {"EU"}


def test_public_dates(public: SourceResult) -> None:
    src = rows_of("other_public_funders_projects.csv")
    p = public.tables["projects"]
    for r in src.values():
        starts = p.loc[p["title"].str.contains(r["title"], regex=False), "start_date"]
        if len(r["start"]) == 10:
            assert str(starts.iloc[0]) == r["start"]
        elif r["start"]:
            assert starts.iloc[0].year == int(r["start"])
        else:
            assert pd.isna(starts.iloc[0])


def test_public_grant_start_date_only_when_a_day_is_given(public: SourceResult) -> None:
    """A grant's start_date is the project's start day; a start given as a year alone stays a year."""
    src = {r["title"]: r for r in rows_of("other_public_funders_projects.csv").values()}
    g = public.tables["grants"]
    assert len(g)
    for title, start in zip(g["title"], g["start_date"], strict=True):
        raw = next(r["start"] for t, r in src.items() if t in title)
        assert (str(start) == raw) if len(raw) == 10 else pd.isna(start)


# --- Shared behaviour --------------------------------------------------------------------------


def test_tables_conform_to_schema(
    alliance: SourceResult, charity: SourceResult, public: SourceResult
) -> None:
    results = [alliance, charity, public]
    tables = {t: build.conform(t, [r.tables[t] for r in results]) for t in ("grants", "projects")}
    grants, projects = tables["grants"].to_pandas(), tables["projects"].to_pandas()
    assert grants["grant_id"].is_unique and projects["project_id"].is_unique
    assert set(grants["project_id"].dropna()) <= set(projects["project_id"])
    for col, vocab in [
        ("record_type", schema.RECORD_TYPES),
        ("amount_basis", schema.AMOUNT_BASES),
        ("year_convention", schema.YEAR_CONVENTIONS),
        ("ms_relevance", schema.RELEVANCE),
        ("gap_area", schema.GAP_AREAS),
    ]:
        assert set(grants[col].dropna()) <= set(vocab), col
    assert len(grants) == sum(len(r.tables["grants"]) for r in results)


def test_unknown_country_rejects_the_row(tmp_path: Path) -> None:
    raw = _copy_with(tmp_path, "alliance_awards.csv", ",Italy,", ",Untied Kingdom,")
    result = curated.read_alliance(raw)
    rows = _rows_with("alliance_awards.csv", "country", "Italy")
    assert [(j.row, j.column) for j in result.rejections] == [(n, "country") for n in rows]
    assert "Untied Kingdom" in result.rejections[0].reason
    assert result.rows_rejected == len(rows) and result.files[0].rows_kept == result.rows_read - len(rows)


def test_missing_column_is_a_source_error(tmp_path: Path) -> None:
    folder = tmp_path / "curated"
    folder.mkdir()
    with (RAW / "curated" / "alliance_awards.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = [c for c in reader.fieldnames or [] if c != "amount"]
        with (folder / "alliance_awards.csv").open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, cols, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(reader)
    with pytest.raises(SourceError, match="missing required column 'amount'") as info:
        curated.read_alliance(tmp_path)
    assert (
        info.value.rejection.column == "amount" and info.value.rejection.file == "curated/alliance_awards.csv"
    )


def _rows_with(name: str, column: str, value: str) -> list[int]:
    return [n for n, r in rows_of(name).items() if r[column] == value]


def _copy_with(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """The raw folder with one curated file copied and `old` replaced by `new` (a fault injected)."""
    (tmp_path / "curated").mkdir()
    text = (RAW / "curated" / name).read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "curated" / name).write_text(text.replace(old, new), encoding="utf-8")
    for other in (RAW / "curated").iterdir():
        if other.name != name:
            shutil.copy(other, tmp_path / "curated" / other.name)
    return tmp_path
