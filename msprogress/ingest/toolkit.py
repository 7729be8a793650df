"""The one ingest toolkit: reading a CSV file, the row-error type, the value parsers, and the
DataFrame every reader hands to the build. Every source reader uses these, so a file fault is
reported the same way whichever source it hits.

Reading (`read_csv`) is strict about the *file* and forgiving per *row*:
- the file must decode (UTF-8 with or without a byte-order mark; a reader may allow a legacy
  fallback such as Windows-1252, and the encoding used is recorded); a fault names the byte, its
  row and column, or says the file is UTF-16 (Excel's "Unicode Text");
- the header must hold the required columns: whitespace runs (non-breaking spaces included) are
  collapsed, known variants of a column's name are mapped to one name (`aliases`), trailing empty
  header cells (RePORTER's) are dropped; a missing column, a duplicated one, or a file separated by
  another delimiter is a `SourceError` naming it;
- each data record keeps its 1-based row number (header = row 1) — a quoted field may span lines,
  so this is the record number, not the line number. Short records are padded; fields beyond the
  header are kept apart (`CsvRow.extra`) so a reader can reject the row ("an unquoted comma?").

Limits come before work: `check_inside` refuses a file reached through a symbolic link that leaves
the raw folder (or leads nowhere), `check_size` a file over a byte limit, `check_zip` a workbook whose
entries unpack beyond a limit, `count_records` counts a CSV's records without keeping them; a reader
calls them before it parses anything. `open_csv` streams the records (`read_csv` is it, kept in a list).

Row faults are `RowError(column, reason)`. A reader decides what a fault costs: a *row* that cannot
be used (no id, no year) is rejected; a *secondary value* that cannot be read (a date) is left
empty and recorded as a value-level rejection (`Rejection.row_kept=True`), so nothing is lost
silently and the row's money still counts (`lenient`).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from msprogress import schema
from msprogress.ingest import countries, fx
from msprogress.ingest.base import Rejection, SourceError, relpath
from msprogress.ingest.spill import Spill

BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
OTHER_DELIMITERS = (";", "\t", "|")
# "Not applicable" spellings: NOTE "NA" would otherwise be read as Namibia's ISO-2 code.
NOT_A_COUNTRY = frozenset({"na", "n/a", "n.a.", "-", "none", "unknown", "?"})
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")  # NOTE: \s does not cover every no-break space in str.split
T = TypeVar("T")
CHUNK = 1 << 20  # bytes read at a time when a file is scanned, not loaded


class RowError(ValueError):
    """A fault in one row: the column at fault and a reason written for the person who typed it."""

    def __init__(self, column: str | None, reason: str):
        self.column = column
        self.reason = reason
        super().__init__(f"{column}: {reason}" if column else reason)

    def rejection(self, file: str, row: int, row_kept: bool = False, sheet: str | None = None) -> Rejection:
        return Rejection(file, row, self.column, str(self), row_kept, sheet)


# ---------------------------------------------------------------------------------------------
# Before reading: where a file really is, and how big it is


def check_inside(path: Path, raw_dir: Path) -> None:
    """SourceError when `path` is a symbolic link that leads nowhere, or a file (or link) whose
    real place is outside the raw folder: only files inside `data/raw/` are read."""
    file = relpath(path, raw_dir)
    if path.is_symlink() and not path.exists():
        raise SourceError(
            file,
            "a symbolic link to a file that does not exist (a dangling link): remove it or copy the file here",
        )
    real, root = path.resolve(), raw_dir.resolve()
    if not real.is_relative_to(root):
        raise SourceError(
            file,
            "a symbolic link to a file outside the raw folder (data/raw/): only files inside it are read; "
            "copy the file into the folder instead",
        )


def check_size(path: Path, file: str, limit: int) -> None:
    """SourceError naming the file and the limit when it holds more than `limit` bytes."""
    size = path.stat().st_size
    if size > limit:
        raise SourceError(
            file,
            f"file is {size / 1e6:,.1f} MB, over the limit of {limit / 1e6:,.0f} MB for one file: split it",
        )


def check_zip(path: Path, file: str, max_unpacked: int, max_ratio: int) -> None:
    """SourceError before a workbook (a zip of XML parts) is opened when its parts would unpack to
    more than `max_unpacked` bytes, or a part of over 1 MB unpacks to more than `max_ratio` times its
    packed size (a "zip bomb"). NOTE: the sizes are the zip directory's; Python's zipfile never
    unpacks a part beyond its stated size (a larger one fails its CRC check)."""
    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(file, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from exc
    total = sum(p.file_size for p in parts)
    if total > max_unpacked:
        raise SourceError(
            file,
            f"the workbook unpacks to {total / 1e6:,.0f} MB of XML, over the limit of "
            f"{max_unpacked / 1e6:,.0f} MB: save fewer rows per file (or as CSV UTF-8)",
        )
    for p in parts:
        if p.file_size > 1_000_000 and p.file_size > max_ratio * max(p.compress_size, 1):
            raise SourceError(
                file,
                f"part {p.filename} unpacks to {p.file_size / p.compress_size:,.0f} times its size "
                f"(the limit is {max_ratio}×): not a workbook a spreadsheet program saves",
            )


def count_records(path: Path, limit: int) -> int:
    """The number of data records of a UTF-8 CSV file (header and blank records not counted),
    counting no further than `limit + 1`: a file is measured before it is parsed, in constant memory.
    NOTE: lines are counted first (cheap); records only when there are more lines than the limit
    (a quoted value may span lines)."""
    lines = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            lines += chunk.count(b"\n")
    if lines <= limit:
        return lines
    n = 0
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        try:
            for rec in reader:
                n += any(v.strip() for v in rec)
                if n > limit:
                    break
        except csv.Error:
            pass  # the parse that follows names the record
    return n


# ---------------------------------------------------------------------------------------------
# Reading a CSV file


@dataclass(frozen=True)
class CsvRow:
    """One data record: its 1-based row number (header = row 1), values by column, and any
    fields beyond the header's width (a sign of an unquoted comma)."""

    row: int
    values: dict[str, str]
    extra: tuple[str, ...] = ()
    missing: int = 0  # fields the record lacks at its end (padded with empty values)

    def check_width(self, exact: bool = False) -> None:
        """RowError when the record has more (non-empty) fields than the header, or with `exact`
        fewer: a registry record cut short is damaged, a RePORTER row without its trailing empty
        cost columns is not."""
        width = len(self.values)
        if any(v.strip() for v in self.extra):
            raise RowError(
                None,
                f"row has {width + len(self.extra)} fields but the header has {width} "
                "(an unquoted comma inside a value?)",
            )
        if exact and self.missing:
            raise RowError(None, f"wrong number of fields: {width - self.missing} fields, header has {width}")

    def get(self, column: str) -> str:
        return self.values.get(column) or ""


@dataclass
class CsvFile:
    file: str  # path relative to the raw folder
    header: list[str]
    rows: list[CsvRow] = field(default_factory=list)
    encoding: str = "utf-8"
    blank_rows: int = 0  # records with every field empty: no data, not counted as rows read
    ignored_columns: list[str] = field(default_factory=list)


def normalise_header(name: str) -> str:
    """Collapse whitespace runs (no-break spaces too) and trim: `Administering  IC` → `Administering IC`."""
    return _SPACES.sub(" ", name).strip()


def fold_name(name: str) -> str:
    """A column name as typed ('Grant ID ') → as the template spells it ('grant_id')."""
    return _SPACES.sub("_", name.strip().lower())


def decode(data: bytes, file: str, encodings: Sequence[str] = ("utf-8",)) -> tuple[str, str]:
    """The file's text and the encoding used. UTF-8 is tried first (a leading byte-order mark is
    dropped); then any fallback in `encodings`. When none fits, the SourceError names the byte, its
    row and column (or says the file is UTF-16, as Excel's "Unicode Text" saves it)."""
    if data.startswith(UTF16_BOMS):
        raise SourceError(
            file, "UTF-16 text (Excel's 'Unicode Text'), not UTF-8: save the file as 'CSV UTF-8'"
        )
    skip = len(BOM) if data.startswith(BOM) else 0
    try:
        return data[skip:].decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        first = exc
    for enc in encodings:
        if enc.replace("-", "").lower() in ("utf8", "utf8sig"):
            continue
        try:
            return data[skip:].decode(enc), enc
        except UnicodeDecodeError:
            continue
    offset = skip + first.start
    row, column = _locate(data[skip:offset].decode("utf-8"))
    where = f" (in column '{column}')" if column else ""
    raise SourceError(
        file,
        f"not UTF-8 text: byte 0x{data[offset]:02X} at byte offset {offset}{where} cannot be decoded "
        "(save the file as 'CSV UTF-8')",
        row=row,
    ) from first


def _locate(prefix: str) -> tuple[int, str | None]:
    """The CSV row (header = row 1) and column of the character that follows `prefix`; the column
    is named when the header could be read. NOTE: a private-use sentinel marks the spot, so the
    record holding it is the last one parsed and its field the last field."""
    try:
        records = list(csv.reader(io.StringIO(prefix + "\ue000", newline="")))
    except csv.Error:
        return prefix.count("\n") + 1, None
    index = len(records[-1]) - 1
    header = records[0] if len(records) > 1 else []
    return len(records), header[index] if index < len(header) else None


def sniff_delimiter(first_line: str) -> str | None:
    """The delimiter a header line seems to use, if it is not a comma."""
    try:
        found = csv.Sniffer().sniff(first_line, delimiters="," + "".join(OTHER_DELIMITERS)).delimiter
    except csv.Error:
        found = max(OTHER_DELIMITERS, key=first_line.count)
        found = found if first_line.count(found) > first_line.count(",") else ","
    return None if found == "," else found


def check_header(file: str, header: list[str], required: Sequence[str], first_line: str) -> None:
    """SourceError when required columns are absent: the delimiter sniffed if no column matches."""
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    if dupes:
        raise SourceError(
            file, f"column '{dupes[0]}' appears more than once in the header", row=1, column=dupes[0]
        )
    missing = [c for c in required if c not in header]
    if not missing:
        return
    delim = sniff_delimiter(first_line)
    if len(missing) == len(required) or (delim and len(header) == 1):
        sniffed = (
            f"the header seems to be separated by {delim!r}, not ','" if delim else "no known column found"
        )
        raise SourceError(
            file,
            f"expected header not found ({sniffed}); the first row must hold the comma-separated "
            f"column names {', '.join(required)} (save the file as 'CSV UTF-8 (comma delimited)')",
            row=1,
        )
    raise SourceError(
        file,
        f"missing required column '{missing[0]}' (missing: {', '.join(missing)})",
        row=1,
        column=missing[0],
    )


def read_csv(
    path: Path, raw_dir: Path, required: Sequence[str], known: Sequence[str] | None = None, **options: Any
) -> CsvFile:
    """Read a CSV file whole: `open_csv` (same arguments), its records kept in `rows`."""
    out, records = open_csv(path, raw_dir, required, known, **options)
    out.rows = list(records)
    return out


def open_csv(
    path: Path,
    raw_dir: Path,
    required: Sequence[str],
    known: Sequence[str] | None = None,
    *,
    header_name: Callable[[str], str] = normalise_header,
    aliases: Mapping[str, str] | None = None,
    encodings: Sequence[str] = ("utf-8",),
) -> tuple[CsvFile, Iterator[CsvRow]]:
    """Open a CSV file: its header checked now (a `CsvFile` with no rows), its records streamed by
    the iterator (blank ones counted in `blank_rows` as they pass). `header_name` normalises each
    column name (`fold_name` for hand-made files); `aliases` maps other spellings of a column (after
    `header_name`) to the name the reader uses; columns outside `known` are listed in
    `ignored_columns`.
    NOTE: a UTF-8 file is streamed, never held whole; a file that is not UTF-8 is decoded whole
    (`decode`: the byte that fails is named, or a legacy encoding the reader allows is used)."""
    check_inside(path, raw_dir)
    file = relpath(path, raw_dir)
    text, encoding = _text_source(path, file, encodings)
    first_line = text.readline()
    if not first_line.strip() and not text.read(CHUNK).strip():
        raise SourceError(file, "file is empty (expected a header row and data rows)")
    text.seek(0)
    records = _records(csv.reader(text), file)
    raw_header = next(records)[1]
    header = [header_name(h) for h in raw_header]
    header = [(aliases or {}).get(h, h) for h in header]
    while header and not header[-1]:  # NOTE: RePORTER ends its header with an empty column
        header.pop()
    check_header(file, header, required, first_line.rstrip("\r\n"))
    known_set = set(known) if known is not None else set(header)
    out = CsvFile(file, header, encoding=encoding, ignored_columns=[h for h in header if h not in known_set])
    return out, _csv_rows(out, records, text)


def _text_source(path: Path, file: str, encodings: Sequence[str]) -> tuple[io.TextIOBase, str]:
    """The file as a text stream and its encoding: streamed when it is UTF-8 (checked in chunks,
    constant memory), else the whole text `decode` gives (or its SourceError)."""
    with path.open("rb") as fh:
        head = fh.read(len(BOM))
        if head.startswith(UTF16_BOMS) or not _is_utf8(fh, head):
            text, encoding = decode(path.read_bytes(), file, encodings)
            return io.StringIO(text, newline=""), encoding
    return open(path, encoding="utf-8-sig", newline=""), "utf-8"  # NOTE: closed by _csv_rows


def _is_utf8(fh: io.BufferedReader, head: bytes) -> bool:
    check = codecs.getincrementaldecoder("utf-8")()
    try:
        check.decode(head)
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            check.decode(chunk)
        check.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _csv_rows(
    out: CsvFile, records: Iterator[tuple[int, list[str]]], text: io.TextIOBase
) -> Iterator[CsvRow]:
    width = len(out.header)
    try:
        for n, rec in records:
            if not any(v.strip() for v in rec):
                out.blank_rows += 1
                continue
            padded = rec + [""] * (width - len(rec))
            values = dict(zip(out.header, padded[:width], strict=True))
            yield CsvRow(n, values, tuple(padded[width:]), max(0, width - len(rec)))
    finally:
        text.close()


def _records(reader: Iterator[list[str]], file: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, fields) of each record; a record the csv module cannot parse is a SourceError
    naming its row. NOTE: the usual cause is an unclosed quote running on into the rows below
    until a value exceeds the csv module's field size limit."""
    n = 0
    while True:
        try:
            rec = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            hint = ""
            if "field limit" in str(exc):
                hint = (
                    f": a value is longer than {csv.field_size_limit():,} characters, "
                    'often an unclosed quote (") that runs on into the rows below'
                )
            raise SourceError(file, f"row cannot be read as CSV ({exc}){hint}", row=n + 1) from exc
        n += 1
        yield n, rec


def lenient(issues: list[Rejection], file: str, row: int, parse: Callable[[], T | None]) -> T | None:
    """Run a parser of a *secondary* value: on a RowError the value is left empty, the row is kept,
    and the problem is recorded (a value-level rejection, counted in the manifest)."""
    try:
        return parse()
    except RowError as err:
        issues.append(Rejection(file, row, err.column, f"{err}; left empty", row_kept=True))
        return None


# ---------------------------------------------------------------------------------------------
# Value parsers (raise RowError with a reason the person who typed the value can act on)


# The template's number: ASCII digits, optionally a dot and one or two decimals (12000, 12000.50).
TEMPLATE_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")
# Other locales' ways of writing one: digit groups split by . , ' or a space; a decimal comma.
LOCALE_NUMBER = re.compile(
    r"[0-9]{1,3}(?:([.,' \u00a0\u2009\u202f])[0-9]{3})(?:\1[0-9]{3})*(?:[.,][0-9]+)?|[0-9]+,[0-9]+"
)
# One record's amount may not exceed this, in euros at its year's rate: a larger one is a typo or
# an amount in the wrong currency (the NIH's whole yearly budget is about EUR 45 bn).
AMOUNT_CEILING_EUR = 10_000_000_000
Number = str | float | int | None  # a cell: text from a CSV, or a number from a workbook


def text(value: str | None, none: Sequence[str] = ()) -> str | None:
    """Trimmed text with no-break spaces made plain, or None when empty or a placeholder in
    `none` ('n/a', 'Unavailable')."""
    if value is None:
        return None
    v = str(value).replace("\u00a0", " ").strip()
    return None if not v or v in none else v


def foreign_digits(v: str) -> bool:
    """Whether `v` holds a decimal digit other than 0–9 (full-width '１', Arabic-Indic '١' …):
    Python's int() and float() read them, a person checking the file may not."""
    return any(unicodedata.category(c) == "Nd" and not "0" <= c <= "9" for c in v)


def _no_foreign_digits(v: str, column: str) -> None:
    if foreign_digits(v):
        raise RowError(column, f"digits other than 0–9 ({v!r}); type the number with the digits 0–9")


def parse_number(value: str | None, column: str, *, thousands: bool = False) -> float | None:
    """A finite number; with `thousands`, commas between digit groups are allowed ('1,234.5')."""
    v = text(value)
    if v is None:
        return None
    _no_foreign_digits(v, column)
    digits = (
        v.replace(",", "") if thousands and re.fullmatch(r"-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", v) else v
    )
    try:
        num = float(digits)
    except ValueError:
        raise RowError(column, f"not a number ({v!r})") from None
    if not math.isfinite(num):
        raise RowError(column, f"not a number ({v!r})")
    return num


def parse_amount(value: Number, column: str = "amount") -> float | None:
    """A non-negative amount; empty → None. A workbook's number is taken as it is (finite, ≥ 0);
    text must be written as the template says: ASCII digits, a dot and at most two decimals. Text
    in another locale's format ('120.000', '1.234,56', '75,000', '1 234') is rejected, never
    reinterpreted: '120.000' is 120 to Python and 120,000 to a German reader."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _amount_value(float(value), repr(value), column)
    v = text(None if value is None else str(value))
    if v is None:
        return None
    _no_foreign_digits(v, column)
    sign = v.startswith("-")
    body = v[1:] if sign else v
    if TEMPLATE_NUMBER.fullmatch(body):
        return _amount_value(-float(body) if sign else float(body), repr(v), column)
    if LOCALE_NUMBER.fullmatch(body):
        raise RowError(
            column,
            f"number in a locale format ({v!r}): write digits with a dot before the decimals and no "
            "thousands separators, e.g. 120000 or 120000.50",
        )
    if re.fullmatch(r"[0-9]+\.[0-9]{3,}", body):
        raise RowError(column, f"more than two decimals ({v!r}); write e.g. 12000.50")
    raise RowError(column, f"not a number ({v!r}); write digits only, e.g. 12000 or 12000.50")


def _amount_value(num: float, shown: str, column: str) -> float:
    if not math.isfinite(num):
        raise RowError(column, f"not a number ({shown})")
    if num < 0:
        raise RowError(column, f"negative ({shown}); amounts are 0 or more")
    return num


def check_ceiling(
    amount: float | None, amount_eur: float | None, currency: str | None, column: str = "amount"
) -> None:
    """RowError when an amount is worth more than AMOUNT_CEILING_EUR at its year's rate."""
    if amount is None or amount_eur is None or amount_eur <= AMOUNT_CEILING_EUR:
        return
    raise RowError(
        column,
        f"above the ceiling for one record ({_big(amount)} {currency} ≈ EUR {_big(amount_eur / 1e9)} bn; "
        f"the limit is EUR {AMOUNT_CEILING_EUR / 1e9:,.0f} bn): a typo, or an amount in another currency?",
    )


def _big(x: float) -> str:
    """12,600,000 — or 1e+308 when the digits would fill the line."""
    return f"{x:,.0f}" if x < 1e15 else f"{x:.3g}"


def parse_int(value: str | None, column: str, required: bool = False) -> int | None:
    """A whole number ('12', or '12.0' as spreadsheets export it); empty → None unless required."""
    v = text(value)
    if v is None:
        if required:
            raise RowError(column, "empty")
        return None
    _no_foreign_digits(v, column)
    if not re.fullmatch(r"[0-9]+(\.0+)?", v):
        raise RowError(column, f"not a whole number ({v!r})")
    return int(float(v))


def parse_year(
    value: Number, column: str = "year", lo: int = 1950, hi: int = 2100, why: str = ""
) -> int | None:
    """A whole year in [lo, hi] (`why` says where the range comes from); '2019.0' (how spreadsheets
    export numbers) and a workbook's number 2019 are accepted; empty → None."""
    if isinstance(value, float) and value.is_integer():
        value = str(int(value))
    v = text(None if value is None else str(value))
    if v is None:
        return None
    _no_foreign_digits(v, column)
    if not re.fullmatch(r"[0-9]{4}(\.0+)?", v):
        raise RowError(column, f"not a year ({v!r}); write four digits, e.g. 2019")
    year = int(float(v))
    if not lo <= year <= hi:
        raise RowError(column, f"out of range ({year}); expected {lo}–{hi}{why}")
    return year


def parse_iso_date(value: str | None, column: str) -> dt.date | None:
    """An ISO date YYYY-MM-DD (a spreadsheet's 'YYYY-MM-DD 00:00:00' too); empty → None."""
    v = text(value)
    if v is None:
        return None
    m = re.fullmatch(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ T]00:00(?::00)?)?", v)
    try:
        if not m:
            raise ValueError
        return dt.date.fromisoformat(m.group(1))
    except ValueError:
        raise RowError(column, f"not a date ({v!r}); write YYYY-MM-DD, e.g. 2021-05-25") from None


# Date layouts seen in registry and funder exports, tried in order (ASCII digits only). Two-digit years are resolved by
# `parse_date`'s `near` year. NOTE: a slash date is read month-first (NIH, ClinicalTrials.gov)
# unless the reader names day-first (`%d/%m/%Y`, CTIS) as its only slash layout.
DATE_LAYOUTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("%Y-%m-%d", re.compile(r"\d{4}-\d{1,2}-\d{1,2}", re.ASCII)),
    ("%Y-%m-%d", re.compile(r"(\d{4}-\d{1,2}-\d{1,2})[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?", re.ASCII)),
    ("%d-%b-%Y", re.compile(r"\d{1,2}-[A-Za-z]{3}-\d{4}", re.ASCII)),
    ("%d-%b-%y", re.compile(r"\d{1,2}-[A-Za-z]{3}-\d{2}", re.ASCII)),
    ("%m/%d/%Y", re.compile(r"\d{1,2}/\d{1,2}/\d{4}", re.ASCII)),
    ("%m/%d/%Y", re.compile(r"(\d{1,2}/\d{1,2}/\d{4}) [\d:]+(?: ?[AP]M)?", re.IGNORECASE | re.ASCII)),
    ("%m/%d/%y", re.compile(r"\d{1,2}/\d{1,2}/\d{2}", re.ASCII)),
    ("%d/%m/%Y", re.compile(r"\d{1,2}/\d{1,2}/\d{4}", re.ASCII)),  # only when asked for by name (CTIS)
    ("%b %d, %Y", re.compile(r"[A-Za-z]{3} \d{1,2}, \d{4}", re.ASCII)),
    ("%B %d, %Y", re.compile(r"[A-Za-z]{4,} \d{1,2}, \d{4}", re.ASCII)),
    ("%d %b %Y", re.compile(r"\d{1,2} [A-Za-z]{3} \d{4}", re.ASCII)),
    ("%Y-%m", re.compile(r"\d{4}-\d{1,2}", re.ASCII)),
)


def parse_date(
    value: str | None, column: str, layouts: Sequence[str] | None = None, near: int | None = None
) -> dt.date | None:
    """A date in any layout of `DATE_LAYOUTS` (or only those named in `layouts`); empty → None.

    A two-digit year ('23-SEP-93') is put in the century that brings it closest to `near` (the
    record's fiscal year, say); without `near`, Python's rule (69–99 → 1900s) applies."""
    v = text(value)
    if v is None:
        return None
    for layout, pattern in DATE_LAYOUTS:
        if layouts is not None and layout not in layouts:
            continue
        m = pattern.fullmatch(v)
        if not m:
            continue
        try:
            parsed = dt.datetime.strptime(m.group(1) if m.groups() else v, layout).date()
        except ValueError:
            continue
        return _century(parsed, near) if "%y" in layout else parsed
    expected = " or ".join(layouts) if layouts else "a date such as 23-SEP-1993, 09/23/1993 or 1993-09-23"
    raise RowError(column, f"not a date ({v!r}); expected {expected}")


def _century(date: dt.date, near: int | None) -> dt.date:
    if near is None:
        return date
    century = near // 100 * 100
    year = min(
        (date.year % 100 + c for c in (century - 100, century, century + 100)), key=lambda y: abs(y - near)
    )
    try:
        return date.replace(year=year)
    except ValueError:  # 29 February in a year without one cannot come from a real two-digit date
        return date.replace(year=year, day=28)


def country_iso3(value: str | None, column: str = "country") -> str | None:
    """ISO-3 code of a country name or code; a name we cannot place is a RowError, empty → None."""
    v = text(value)
    if v is None:
        return None
    if v.casefold() in NOT_A_COUNTRY:
        raise RowError(column, f"ambiguous ({v!r}); leave it empty when unknown, or write the country's name")
    iso3 = countries.to_iso3(v)
    if iso3 is None:
        raise RowError(column, f"unknown country ({v!r}); write an English country name or an ISO code")
    return iso3


def currency_code(value: str | None, column: str = "currency") -> str | None:
    v = text(value)
    if v is None:
        return None
    code = v.upper()
    problem = fx.currency_problem(code)
    if problem == "not an ISO 4217 code":
        raise RowError(column, f"not an ISO 4217 code ({v!r}); write a code such as EUR, USD, GBP, CAD")
    if problem:
        raise RowError(column, f"{problem} ({v!r})")
    return code


def vocabulary(value: str | None, allowed: Sequence[str], column: str) -> str | None:
    """The canonical spelling of a controlled-vocabulary value (case-insensitive); empty → None."""
    v = text(value)
    if v is None:
        return None
    for a in allowed:
        if a.casefold() == v.casefold():
            return a
    raise RowError(column, f"not one of {', '.join(allowed)} ({v!r})")


def web_address(value: str | None, column: str = "url") -> str | None:
    """An http(s) address. NOTE: anything else (javascript:, file:) is refused: the UI links it."""
    v = text(value)
    if v is None:
        return None
    if not re.match(r"https?://[^\s/]+", v, flags=re.IGNORECASE):
        raise RowError(column, f"not a web address ({v!r}); it must start with http:// or https://")
    return v


def normalise_id(value: str) -> str:
    """The form in which two ids are the same id: Unicode NFKC (full-width 'ＡＢ' is 'AB'), case
    folded, whitespace runs (newlines, tabs, no-break spaces) one space, trimmed, and invisible
    characters removed (zero-width spaces and joiners, direction marks, byte-order marks, soft
    hyphens: Unicode's format and control characters)."""
    v = _SPACES.sub(" ", unicodedata.normalize("NFKC", value))
    v = "".join(c for c in v if unicodedata.category(c) not in ("Cf", "Cc", "Zl", "Zp"))
    return unicodedata.normalize("NFKC", _SPACES.sub(" ", v).strip().casefold())


def slug(*parts: object) -> str:
    """A lower-case, hyphenated key from text parts (empty parts skipped): stable across builds."""
    joined = " ".join(str(p) for p in parts if p is not None and str(p).strip())
    ascii_ = unicodedata.normalize("NFKD", joined.casefold()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")


# ---------------------------------------------------------------------------------------------
# Output frames


class TableChunks:
    """Rows of one canonical table gathered in chunks: every `size` dicts become a frame at once
    (`table_frame`), cast to the table's schema and written to a `spill.Spill` on disk, so a
    reader of 100,000s of rows holds at most one chunk of them."""

    def __init__(self, table: str, size: int = 10_000):
        self.table, self.size = table, size
        self.rows = 0
        self._pending: list[dict[str, Any]] = []
        self._spill = Spill(table)

    def add(self, row: dict[str, Any]) -> None:
        self._pending.append(row)
        self.rows += 1
        if len(self._pending) >= self.size:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._spill.append(table_frame(self.table, self._pending))
            self._pending = []

    def spill(self) -> Spill:
        """Every row added, on disk (the spill is closed: nothing more can be added)."""
        self._flush()
        return self._spill.close()


def table_frame(table: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a DataFrame with the schema's column order (the columns supplied; all of them when
    there are no rows) and nullable integer columns, so a missing year stays missing instead of
    turning ints to floats."""
    cols = (
        [c for c in schema.TABLES[table] if any(c.name in r for r in rows)] if rows else schema.TABLES[table]
    )
    df = pd.DataFrame([{c.name: r.get(c.name) for c in cols} for r in rows], columns=[c.name for c in cols])
    for c in cols:
        if c.type == "int":
            df[c.name] = df[c.name].astype("Int64")
        elif c.type == "float":
            df[c.name] = pd.to_numeric(df[c.name]).astype("float64")
        elif c.type == "bool" and not c.nullable and len(df):
            df[c.name] = df[c.name].astype(bool)
    return df
