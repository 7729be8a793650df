"""The member-grants reader and template.

Good files are written by the tests into tmp_path from real rows of the curated fixtures
(alliance_awards.csv, other_public_funders_projects.csv) re-shaped into the template by
`reshape_alliance` / `reshape_public`: no invented grants. The bad-input fixtures in
tests/fixtures/bad/member_grants/ were made the same way (rows 9, 16–18, 23–25 of
alliance_awards.csv, re-shaped) with one fault injected per file: a date written DD/MM/YYYY,
an end before its start, a negative amount, "75k" and "75,000", currency "EURO", country
"Untied Kingdom", a repeated grant_id, a formula in an xlsx cell, no title column, ';' as
delimiter, Latin-1 encoding, zero bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from msprogress import paths, schema
from msprogress.ingest import build, member_grants
from msprogress.ingest.base import SourceError, SourceResult
from msprogress.ingest.toolkit import normalise_id
from msprogress.ingest.validate import MEMBER_COLUMN_NAMES, MEMBER_COLUMNS, MEMBER_REQUIRED

FIXTURES = Path(__file__).parent / "fixtures"
CURATED = FIXTURES / "raw" / "curated"
BAD = FIXTURES / "bad" / "member_grants"


def curated_rows(name: str) -> dict[int, dict[str, str]]:
    with (CURATED / name).open(encoding="utf-8", newline="") as fh:
        return dict(enumerate(csv.DictReader(fh), start=2))


def reshape_alliance(n: int, r: dict[str, str]) -> dict[str, str]:
    return {
        "grant_id": f"alliance-row-{n}",
        "funder": "International Progressive MS Alliance",
        "programme": r["programme"],
        "record_type": r["record_type"],
        "year": r["year"],
        "year_convention": "announcement year" if r["announcement_date"] else "award year",
        "start_date": "",
        "end_date": "",
        "amount": r["amount"],
        "currency": r["currency"],
        "amount_basis": r["amount_basis"],
        "title": r["title"],
        "pi": r["pi"],
        "organisation": r["institution"],
        "country": r["country"],
        "ms_relevance": "Progressive-specific",
        "gap_area": "",
        "url": r["source_url"],
        "notes": r["notes"],
    }


def reshape_public(n: int, r: dict[str, str]) -> dict[str, object]:
    """A public-funder row with real start/end dates, typed as an xlsx user would (dates, numbers)."""
    return {
        "grant_id": f"public-row-{n}",
        "funder": r["funder"],
        "programme": r["programme"],
        "record_type": "award",
        "year": int(r["start"][:4]),
        "year_convention": "project start year",
        "start_date": dt.datetime.fromisoformat(r["start"]),
        "end_date": dt.datetime.fromisoformat(r["end"]),
        "amount": float(r["amount"]) if r["amount"] else None,
        "currency": r["currency"],
        "title": r["title"],
        "organisation": r["institution"],
        "country": r["country"],
        "url": r["source_url"],
    }


def good_alliance_rows() -> dict[int, dict[str, str]]:
    """Alliance rows the template can take whole: the template requires a title and a year."""
    return {
        n: reshape_alliance(n, r)
        for n, r in curated_rows("alliance_awards.csv").items()
        if r["title"] and r["year"]
    }


def write_csv(path: Path, rows: Sequence[Mapping[str, object]], *, bom: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(MEMBER_COLUMN_NAMES), extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


def write_xlsx(path: Path, rows: Sequence[Mapping[str, object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "grants"
    ws.append(list(MEMBER_COLUMN_NAMES))
    for r in rows:
        ws.append([r.get(c) for c in MEMBER_COLUMN_NAMES])
    wb.save(path)
    return path


def key(grant_id: str) -> str:
    """A member grant's key in the snapshot: its normalised id, never its file's name."""
    return f"member:{normalise_id(grant_id)}"


def read_one(tmp_path: Path, fixture: Path) -> SourceResult:
    (tmp_path / "member_grants").mkdir(exist_ok=True)
    shutil.copy(fixture, tmp_path / "member_grants" / fixture.name)
    return member_grants.read(tmp_path)


# --- good files --------------------------------------------------------------------------------


@pytest.mark.parametrize("bom", [False, True])
def test_good_csv_ingests(tmp_path: Path, bom: bool) -> None:
    rows = good_alliance_rows()
    write_csv(tmp_path / "member_grants" / "alliance_reshaped.csv", list(rows.values()), bom=bom)
    result = member_grants.read(tmp_path)
    assert result.rejections == [] and result.rows_read == result.rows_kept == len(rows)
    g = result.frame("grants").set_index("grant_id")
    for r in rows.values():
        got = g.loc[key(r["grant_id"])]
        assert (
            got["title"] == r["title"]
            and got["record_type"] == r["record_type"]
            and got["year"] == int(r["year"])
        )
        assert (pd.isna(got["amount"]) and not r["amount"]) or got["amount"] == float(r["amount"])
        assert got["funder_group"] == "Member society" and got["source"] == "member_grants"
        assert got["source_file"] == "member_grants/alliance_reshaped.csv"
    awards = [r for r in rows.values() if r["record_type"] == "award"]
    assert len(result.frame("projects")) == len(awards)
    assert set(g["project_id"].dropna()) == set(result.frame("projects")["project_id"])


def test_country_spellings_in_member_rows(tmp_path: Path) -> None:
    rows = good_alliance_rows()
    write_csv(tmp_path / "member_grants" / "m.csv", list(rows.values()))
    g = member_grants.read(tmp_path).frame("grants").set_index("grant_id")
    want = {"USA": "USA", "UK": "GBR", "United States": "USA"}
    checked = [r for r in rows.values() if r["country"] in want]
    assert {r["country"] for r in checked} == set(want)
    for r in checked:
        assert g.loc[key(r["grant_id"]), "iso3"] == want[r["country"]]


def test_good_xlsx_ingests_with_typed_cells(tmp_path: Path) -> None:
    alliance = list(good_alliance_rows().values())
    public = [
        reshape_public(n, r)
        for n, r in curated_rows("other_public_funders_projects.csv").items()
        if len(r["start"]) == 10 and len(r["end"]) == 10
    ]
    assert public, "fixture should hold public projects with full start and end dates"
    write_xlsx(tmp_path / "member_grants" / "mixed.xlsx", [*alliance, *public])
    result = member_grants.read(tmp_path)
    assert result.rejections == [] and result.rows_kept == len(alliance) + len(public)
    p = result.frame("projects").set_index("project_id")
    g = result.frame("grants").set_index("grant_id")
    for r in public:
        start, end = r["start_date"], r["end_date"]
        assert isinstance(start, dt.datetime) and isinstance(end, dt.datetime)  # typed cells (reshape_public)
        got = p.loc[key(str(r["grant_id"]))]
        assert got["start_date"] == start.date() and got["end_date"] == end.date()
        assert g.at[key(str(r["grant_id"])), "start_year"] == start.year
        assert g.at[key(str(r["grant_id"])), "start_date"] == start.date()


def test_blank_relevance_and_gap_area_are_classified(tmp_path: Path) -> None:
    rows = [r | {"ms_relevance": "", "gap_area": ""} for r in good_alliance_rows().values()]
    write_csv(tmp_path / "member_grants" / "m.csv", rows)
    g = member_grants.read(tmp_path).frame("grants")
    assert g["ms_relevance"].isin(schema.RELEVANCE).all()
    assert g.loc[g["ms_relevance"] != "Not MS", "gap_area"].isin(schema.GAP_AREAS).all()


def test_html_in_title_is_kept_as_text(tmp_path: Path) -> None:
    row = good_alliance_rows()[17]
    title = row["title"].replace("(BRAVEinMS)", "(<i>BRAVEinMS</i>)")
    assert title != row["title"]
    write_csv(tmp_path / "member_grants" / "m.csv", [row | {"title": title}])
    assert member_grants.read(tmp_path).frame("grants")["title"].tolist() == [title]


@pytest.mark.parametrize("typed", ["NA", "n/a", "unknown"])
def test_not_applicable_country_is_not_namibia(tmp_path: Path, typed: str) -> None:
    write_csv(tmp_path / "member_grants" / "m.csv", [good_alliance_rows()[16] | {"country": typed}])
    [rejection] = member_grants.read(tmp_path).rejections
    assert rejection.column == "country" and f"ambiguous ({typed!r})" in rejection.reason


@pytest.mark.parametrize(
    "typed",
    [
        "alliance-row-16",
        "ALLIANCE-ROW-16",
        "alliance\u200b-row-16",
        " alliance-row-16\u200f",
        "ａｌｌｉａｎｃｅ-row-16",
    ],
)
def test_duplicate_id_across_files_stops_naming_both(tmp_path: Path, typed: str) -> None:
    """The same id in two files (as typed, or differing only in case, width or invisible
    characters) stops the build naming both files and rows: the later file never replaces a row."""
    rows = good_alliance_rows()
    write_csv(tmp_path / "member_grants" / "b.csv", [rows[16], rows[17]])
    write_csv(tmp_path / "member_grants" / "a.csv", [rows[18], rows[17] | {"grant_id": typed}])
    with pytest.raises(SourceError) as info:
        member_grants.read(tmp_path)
    rej = info.value.rejection
    assert (rej.file, rej.row, rej.column) == ("member_grants/b.csv", 2, "grant_id")
    assert "already used by member_grants/a.csv row 3" in rej.reason


def test_ids_differing_by_case_or_invisible_characters_are_one_id_within_a_file(tmp_path: Path) -> None:
    rows = good_alliance_rows()
    write_csv(
        tmp_path / "member_grants" / "m.csv", [rows[16], rows[17] | {"grant_id": "Alliance-Row-16\u2060"}]
    )
    result = member_grants.read(tmp_path)
    assert [(j.row, j.column) for j in result.rejections] == [(3, "grant_id")]
    assert list(result.frame("grants")["grant_id"]) == ["member:alliance-row-16"]


def test_file_name_is_never_part_of_a_key(tmp_path: Path) -> None:
    """A file renamed (here with a newline and a right-to-left mark in its name) keeps its keys and
    its series; the name is shown with the invisible characters written out."""
    rows = good_alliance_rows()
    write_csv(tmp_path / "member_grants" / "society.csv", [rows[16]])
    before = member_grants.read(tmp_path).frame("grants")
    (tmp_path / "member_grants" / "society.csv").rename(
        tmp_path / "member_grants" / "soc\u200fiety\n2025.csv"
    )
    after = member_grants.read(tmp_path)
    assert list(after.frame("grants")["grant_id"]) == list(before["grant_id"]) == ["member:alliance-row-16"]
    assert list(after.frame("grants")["series_id"]) == list(before["series_id"])
    assert after.files[0].path == "member_grants/soc<U+200F>iety<U+000A>2025.csv"


def test_no_files_is_an_empty_result(tmp_path: Path) -> None:
    assert member_grants.read(tmp_path).rows_read == 0  # no folder
    (tmp_path / "member_grants").mkdir()
    shutil.copy(paths.ROOT / "data" / "raw" / "member_grants" / "README.md", tmp_path / "member_grants")
    result = member_grants.read(tmp_path)
    assert result.files == [] and result.rejections == []
    assert not result.tables and all(s.rows == 0 for s in result.spilled.values())
    assert build.conform("grants", [result.frame("grants")]).num_rows == 0


def test_unsupported_spreadsheet_format_is_refused(tmp_path: Path) -> None:
    (tmp_path / "member_grants").mkdir()
    shutil.copy(BAD / "formula_cell.xlsx", tmp_path / "member_grants" / "old_format.xls")
    with pytest.raises(SourceError, match=r"\.xls files are not read"):
        member_grants.read(tmp_path)


# --- bad files ---------------------------------------------------------------------------------

ROW_FAULTS = [
    # fixture, [(row, column, words the reason must contain)]
    ("bad_date.csv", [(3, "start_date", "not a date ('25/05/2021')"), (4, "end_date", "before start_date")]),
    ("negative_amount.csv", [(3, "amount", "negative ('-75000')")]),
    (
        "non_numeric_amount.csv",
        [
            (3, "amount", "amount: not a number ('75k')"),
            (4, "amount", "number in a locale format ('75,000')"),
        ],
    ),
    ("unknown_currency.csv", [(3, "currency", "not an ISO 4217 code ('EURO')")]),
    ("unknown_country.csv", [(3, "country", "unknown country ('Untied Kingdom')")]),
    ("duplicate_id.csv", [(3, "grant_id", "duplicate ('alliance-row-16'")]),
    ("formula_cell.xlsx", [(3, "amount", "formula in cell ('=12600000/3')")]),
]


@pytest.mark.parametrize(("name", "faults"), ROW_FAULTS)
def test_bad_rows_are_rejected_with_a_specific_reason(tmp_path: Path, name: str, faults: list) -> None:
    result = read_one(tmp_path, BAD / name)
    got = [(j.file, j.row, j.column) for j in result.rejections]
    assert got == [(f"member_grants/{name}", row, col) for row, col, _ in faults]
    for j, (_, col, words) in zip(result.rejections, faults, strict=True):
        assert j.reason.startswith(f"{col}: ") and words in j.reason
    assert result.rows_rejected == len(faults) and result.rows_kept == result.rows_read - len(faults) > 0


def test_formula_row_rejected_other_xlsx_rows_kept_with_typed_numbers(tmp_path: Path) -> None:
    result = read_one(tmp_path, BAD / "formula_cell.xlsx")
    ws = openpyxl.load_workbook(BAD / "formula_cell.xlsx")["grants"]
    col = MEMBER_COLUMN_NAMES.index("amount")
    typed = sorted(float(r[col].value) for r in ws.iter_rows(min_row=2) if r[col].data_type == "n")
    assert sorted(result.frame("grants")["amount"]) == typed


def _latin1_offset() -> int:
    return (BAD / "latin1.csv").read_bytes().index(b"\xe5")  # the å of Umeå University


FILE_FAULTS = [
    ("missing_column.csv", "title", "missing required column 'title'"),
    ("wrong_delimiter.csv", None, "expected header not found (the header seems to be separated by ';'"),
    ("latin1.csv", None, "not UTF-8 text: byte 0xE5 at byte offset {offset}"),
    ("empty.csv", None, "file is empty"),
]


@pytest.mark.parametrize(("name", "column", "words"), FILE_FAULTS)
def test_bad_files_stop_with_a_specific_message(
    tmp_path: Path, name: str, column: str | None, words: str
) -> None:
    with pytest.raises(SourceError) as info:
        read_one(tmp_path, BAD / name)
    rej = info.value.rejection
    assert rej.file == f"member_grants/{name}" and rej.column == column
    assert words.format(offset=_latin1_offset() if "{offset}" in words else None) in rej.reason


# --- the template ------------------------------------------------------------------------------


def test_template_is_generated_and_matches_the_committed_files(tmp_path: Path) -> None:
    csv_path, xlsx_path = member_grants.write_template(tmp_path)
    committed = paths.ROOT / "data" / "reference"
    assert csv_path.read_text(encoding="utf-8") == (committed / csv_path.name).read_text(encoding="utf-8")
    assert csv_path.read_text(encoding="utf-8").strip().split(",") == list(MEMBER_COLUMN_NAMES)
    sheets = []
    for path in (xlsx_path, committed / xlsx_path.name):
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames[:2] == ["grants", "columns"]
        assert [c.value for c in wb["grants"][1]] == list(MEMBER_COLUMN_NAMES) and wb["grants"].max_row == 1
        described = list(wb["columns"].iter_rows(min_row=2, values_only=True))
        assert [r[0] for r in described] == list(MEMBER_COLUMN_NAMES)
        sheets.append(described)
    assert sheets[0] == sheets[1], "regenerate: python -m msprogress.ingest.member_grants"


def test_blank_template_reads_as_no_rows(tmp_path: Path) -> None:
    for name in ("member_grants_template.csv", "member_grants_template.xlsx"):
        result = read_one(tmp_path, paths.ROOT / "data" / "reference" / name)
        assert result.rejections == []
    assert result.rows_read == 0 and len(result.files) == 2


def test_readme_documents_every_column() -> None:
    readme = (paths.ROOT / "data" / "raw" / "member_grants" / "README.md").read_text(encoding="utf-8")
    for col in MEMBER_COLUMNS:
        assert f"| `{col.name}` |" in readme
    assert all(f"| `{c}` | yes" in readme for c in MEMBER_REQUIRED)
