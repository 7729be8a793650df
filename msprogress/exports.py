"""CSV and Excel files of exactly the rows a table shows, safe to open in a spreadsheet.

A download is built from the very DataFrame the page displays (same filters, same search,
same columns, same order, same display cap), so what a user saves is what they saw.

Formula-injection guard (OWASP "CSV injection"): a spreadsheet runs a cell that starts with
`=`, `+`, `-` or `@` as a formula, and tab or carriage return can smuggle one in. Every *text*
cell starting with one of these characters is neutralised by prefixing a single quote `'`, so
`=1+1` is saved as `'=1+1` and shows as text. Numbers (including negative amounts) and dates
are not text and are never changed. Titles containing HTML are saved as the text they are,
never escaped or interpreted.

CSV is UTF-8 with a byte-order mark (so Excel reads accents correctly), comma-separated,
dates as `YYYY-MM-DD`, missing values empty (never 0), rows in the order the page shows them
(its "Sort by", applied by the query); the file name says a non-default order and the search.
The Excel workbook (written with openpyxl through pandas) has the rows on a `data` sheet and an
`about` sheet saying what they are: source and as-of, filters in words, the search and the
order, snapshot id, row count and what each column means.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Characters openpyxl refuses in a cell (XML 1.0 control characters except tab, LF, CR).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")
DATA_SHEET, ABOUT_SHEET = "data", "about"


def neutralise(value: object) -> object:
    """A text value that a spreadsheet would run as a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` with every text cell neutralised; other columns untouched."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise, na_action="ignore")
    return out


def to_csv(df: pd.DataFrame) -> bytes:
    """The rows as CSV bytes (UTF-8 with BOM), formula-neutralised."""
    text = neutralise_frame(df).to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\r\n")
    return text.encode("utf-8-sig")


def _excel_clean(df: pd.DataFrame) -> pd.DataFrame:
    """Neutralise formulas and drop the control characters an .xlsx cannot hold."""
    out = neutralise_frame(df)
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: _ILLEGAL_XML.sub("", v) if isinstance(v, str) else v)
    return out


def about_frame(about: Sequence[tuple[str, str]], columns: Sequence[tuple[str, str]] = ()) -> pd.DataFrame:
    """The `about` sheet: (field, value) lines, a blank line, then (column, meaning) lines."""
    rows = list(about)
    if columns:
        rows += [("", ""), ("Column", "Meaning")] + list(columns)
    return pd.DataFrame(rows, columns=["field", "value"])


def _fit_widths(sheet: Any, df: pd.DataFrame, max_width: int = 60) -> None:
    from openpyxl.utils import get_column_letter

    for i, col in enumerate(df.columns, start=1):
        longest = max([len(str(col))] + [len(str(v)) for v in df[col].head(200).tolist()])
        sheet.column_dimensions[get_column_letter(i)].width = min(max_width, max(8, longest + 2))


def to_excel(
    df: pd.DataFrame, about: Sequence[tuple[str, str]], columns: Sequence[tuple[str, str]] = ()
) -> bytes:
    """An .xlsx with the rows on `data` and what they are on `about`, formula-neutralised."""
    data = _excel_clean(df)
    info = _excel_clean(about_frame(about, columns))
    buf = io.BytesIO()
    with pd.ExcelWriter(
        buf, engine="openpyxl", date_format="YYYY-MM-DD", datetime_format="YYYY-MM-DD"
    ) as writer:
        data.to_excel(writer, sheet_name=DATA_SHEET, index=False)
        info.to_excel(writer, sheet_name=ABOUT_SHEET, index=False, header=False)
        writer.sheets[DATA_SHEET].freeze_panes = "A2"
        _fit_widths(writer.sheets[DATA_SHEET], data)
        _fit_widths(writer.sheets[ABOUT_SHEET], info, max_width=100)
    return buf.getvalue()


def file_name(
    kind: str, snapshot_id: str, ext: str, on: date | None = None, detail: Sequence[str] = ()
) -> str:
    """'msprogress-trials[-<detail>…]-<snapshot id>-<YYYY-MM-DD>.<ext>' (only safe characters);
    `detail` says what the view adds (an order, a search), each part clipped to 40 characters."""
    day = (on or date.today()).isoformat()
    parts = ("msprogress", kind, *(d[:40] for d in detail), snapshot_id, day)
    stem = "-".join(_SAFE_NAME.sub("_", part) for part in parts)
    return f"{stem}.{_SAFE_NAME.sub('', ext)}"
