"""CSV and Excel exports: round trips of the rows shown, the formula-injection guard, HTML kept
as text, missing values kept empty, and the Excel `about` sheet."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from msprogress import exports
from msprogress.filters import Filters

# Real titles from the shipped sources (ClinicalTrials.gov official title and conditions, an
# Alliance programme topic): angle brackets, entities and ampersands must stay exactly as text.
REAL_HTML_TITLES = [
    "An Open-label, Single-arm Study to Assess the Safety, Pharmacokinetics, and Efficacy of Adjunctive "
    "Cannabidiol Oral Solution (GWP42003-P) in Participants With Tuberous Sclerosis Complex "
    "(Age 1 Month to < 2 Years of Age)",
    "Autoimmune Diseases|Crohn&amp;#39;s Disease|Sjogren&#39;s Syndrome",
    "clinical trials & outcome measures; biomarkers; gene studies",
]
FORMULAS = ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "\t=1+1", "\r=1+1", '=HYPERLINK("http://x","y")']


def _frame() -> pd.DataFrame:
    titles = REAL_HTML_TITLES + FORMULAS + ["<b>bold</b> <script>alert(1)</script>", "a=b", "plain"]
    n = len(titles)
    return pd.DataFrame(
        {
            "Title": titles,
            "Amount (EUR, ECB annual mean rate)": [1234.5, None, -50.0] + [float(i) for i in range(n - 3)],
            "Year": pd.array([2017, None] + list(range(2000, 2000 + n - 2)), dtype="Int64"),
            "Start date": pd.to_datetime(["2024-01-31", None] + ["2020-06-01"] * (n - 2)),
        }
    )


def test_neutralise_prefixes_formula_text_only():
    for text in FORMULAS:
        assert exports.neutralise(text) == "'" + text
    for text in ["a=b", "plain", "", "'=already quoted"]:
        assert exports.neutralise(text) == text
    assert exports.neutralise(-5.0) == -5.0 and exports.neutralise(None) is None


def test_csv_round_trip_keeps_rows_and_neutralises_formulas():
    df = _frame()
    raw = exports.to_csv(df)
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    assert len(back) == len(df) and list(back.columns) == list(df.columns)
    titles = list(back["Title"])
    assert titles[: len(REAL_HTML_TITLES)] == REAL_HTML_TITLES  # HTML stays text, unescaped
    for text in FORMULAS:
        assert "'" + text in titles and text not in titles
    assert "<b>bold</b> <script>alert(1)</script>" in titles and "a=b" in titles
    amounts = back["Amount (EUR, ECB annual mean rate)"]
    assert amounts[0] == 1234.5 and pd.isna(amounts[1]) and amounts[2] == -50.0  # missing stays empty
    assert back["Start date"][0] == "2024-01-31" and pd.isna(back["Start date"][1])
    assert ",," in raw.decode("utf-8-sig").splitlines()[2]  # the missing amount is an empty field, not 0


def test_excel_round_trip_data_sheet():
    df = _frame()
    raw = exports.to_excel(df, [("Snapshot", "s1")])
    back = pd.read_excel(io.BytesIO(raw), sheet_name="data")
    assert len(back) == len(df) and list(back.columns) == list(df.columns)
    assert list(back["Title"][: len(REAL_HTML_TITLES)]) == REAL_HTML_TITLES
    assert pd.isna(back["Amount (EUR, ECB annual mean rate)"][1])
    assert back["Amount (EUR, ECB annual mean rate)"][2] == -50.0


def test_excel_formulas_are_text_cells():
    raw = exports.to_excel(_frame(), [("Snapshot", "s1")])
    sheet = openpyxl.load_workbook(io.BytesIO(raw))["data"]
    # NOTE: without lxml, openpyxl writes "\r" raw and XML reading normalises it to "\n"; the
    # neutralising quote is what matters, so compare with line ends normalised.
    cells = {str(c.value).replace("\r", "\n"): c for c in sheet["A"][1:]}
    for text in FORMULAS:
        cell = cells[("'" + text).replace("\r", "\n")]
        assert cell.data_type == "s", f"{text!r} would run as a formula"
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_excel_about_sheet_describes_the_rows():
    about = [
        ("Filters", "progressive-specific research only"),
        ("Sources", "ClinicalTrials.gov (as of 2025-09-25)"),
        ("Snapshot", "20261121T162046Z-10d14251"),
        ("Page search", "=cmd|' /C calc'!A0"),
    ]
    raw = exports.to_excel(_frame(), about, [("Title", "title as registered")])
    book = openpyxl.load_workbook(io.BytesIO(raw))
    assert book.sheetnames == ["data", "about"]
    rows = {r[0]: r[1] for r in book["about"].iter_rows(values_only=True)}
    assert rows["Snapshot"] == "20261121T162046Z-10d14251"
    assert rows["Sources"].endswith("(as of 2025-09-25)")
    assert rows["Page search"].startswith("'=")  # user text on the about sheet is neutralised too
    assert rows["Title"] == "title as registered"


def test_excel_drops_control_characters_it_cannot_hold():
    df = pd.DataFrame({"Title": ["bad\x00char\x1b here"]})
    back = pd.read_excel(io.BytesIO(exports.to_excel(df, [])), sheet_name="data")
    assert back["Title"][0] == "badchar here"


def test_file_name_has_snapshot_and_date():
    name = exports.file_name("trials", "20261121T162046Z-10d14251", "csv", on=date(2026, 11, 21))
    assert name == "msprogress-trials-20261121T162046Z-10d14251-2026-11-21.csv"
    assert "/" not in exports.file_name("../x", "a/b", "c/sv")


@pytest.mark.parametrize("kind", ["trials", "projects", "grants"])
def test_query_rows_round_trip(db, kind):
    """Real rows from the fixture snapshot survive CSV and Excel with their count and ids."""
    df = db.run(f"explore_{kind}", Filters().as_struct(), search=None, sort="start", max_rows=5000)
    assert len(df) > 0
    csv = pd.read_csv(io.BytesIO(exports.to_csv(df)), encoding="utf-8-sig")
    xlsx = pd.read_excel(io.BytesIO(exports.to_excel(df, [])), sheet_name="data")
    key = df.columns[0]
    assert len(csv) == len(xlsx) == len(df)
    assert list(csv[key]) == list(xlsx[key]) == list(df[key])
