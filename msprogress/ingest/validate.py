"""Row validation shared by the curated and member-grant readers, and the member-template row model.

Owns three things:
- reading a small CSV strictly (`read_csv`): UTF-8 with or without a byte-order mark, a header
  that must hold the required columns, and every fault of the *file* raised as a `SourceError`
  that names the file and says what to do (non-UTF-8 → byte offset, row and column; UTF-16 →
  said so; wrong delimiter → the delimiter sniffed; missing column → its name; a record the csv
  module cannot parse → its row);
- turning a fault of one *row* into a `Rejection` (`RowError` for hand-written checks,
  `rejection_from_validation` for pydantic errors): one rejection per row, the first failing
  column, a reason readable by the person who typed the row ("amount: not a number ('12k')");
- `MemberGrantRow`, the pydantic model of one row of the member-grants template
  (`data/reference/member_grants_template.*`, columns described in `MEMBER_COLUMNS`).

NOTE: every member-template field is parsed from text by our own `before` validators rather
than by pydantic's coercion, so the messages are ours (pydantic's "Input should be a valid
number, unable to parse string as a number" means little to the staff member who typed "12k").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from msprogress import schema
from msprogress.ingest import countries, fx
from msprogress.ingest.base import Rejection, SourceError, relpath

BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
OTHER_DELIMITERS = (";", "\t", "|")
# "Not applicable" spellings: NOTE "NA" would otherwise be read as Namibia's ISO-2 code.
NOT_A_COUNTRY = frozenset({"na", "n/a", "n.a.", "-", "none", "unknown", "?"})


class RowError(ValueError):
    """A fault in one row: the column at fault and a reason written for the person who typed it."""

    def __init__(self, column: str | None, reason: str):
        self.column = column
        self.reason = reason
        super().__init__(f"{column}: {reason}" if column else reason)

    def rejection(self, file: str, row: int) -> Rejection:
        return Rejection(file, row, self.column, str(self))


# ---------------------------------------------------------------------------------------------
# Reading a CSV file strictly


@dataclass(frozen=True)
class CsvRow:
    """One data record: its 1-based row number (header = row 1), values by column, and any
    fields beyond the header's width (a sign of an unquoted comma)."""

    row: int
    values: dict[str, str]
    extra: tuple[str, ...] = ()

    def check_width(self) -> None:
        if any(v.strip() for v in self.extra):
            raise RowError(
                None,
                f"row has {len(self.values) + len(self.extra)} fields but the header has "
                f"{len(self.values)} (an unquoted comma inside a value?)",
            )


@dataclass
class CsvFile:
    file: str  # path relative to the raw folder
    header: list[str]
    rows: list[CsvRow] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def decode_utf8(data: bytes, file: str) -> str:
    """Text of a UTF-8 file (a leading byte-order mark is dropped); SourceError names the bad byte,
    its row and column (or says the file is UTF-16, as Excel's "Unicode Text" saves it)."""
    if data.startswith(UTF16_BOMS):
        raise SourceError(
            file, "UTF-16 text (Excel's 'Unicode Text'), not UTF-8: save the file as 'CSV UTF-8'"
        )
    skip = len(BOM) if data.startswith(BOM) else 0
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        row, column = _locate(data[skip:offset].decode("utf-8"))
        where = f" (in column '{column}')" if column else ""
        raise SourceError(
            file,
            f"not UTF-8 text: byte 0x{data[offset]:02X} at byte offset {offset}{where} cannot be decoded "
            "(save the file as 'CSV UTF-8')",
            row=row,
        ) from exc


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
    path: Path,
    raw_dir: Path,
    required: Sequence[str],
    known: Sequence[str] | None = None,
    *,
    fold_header: bool = False,
) -> CsvFile:
    """Read a CSV strictly (see module docstring). `fold_header` lower-cases and trims the column
    names (for hand-made files); columns outside `known` are listed in `ignored_columns`.
    Blank records are skipped: they hold no data (NOTE: not counted as rows read)."""
    file = relpath(path, raw_dir)
    data = path.read_bytes()
    text = decode_utf8(data, file)
    if not text.strip():
        raise SourceError(file, "file is empty (expected a header row and data rows)")
    records = _records(csv.reader(io.StringIO(text, newline="")), file)
    raw_header = next(records)[1]
    header = [fold_name(h) if fold_header else h for h in raw_header]
    check_header(file, header, required, text.splitlines()[0])
    known_set = set(known) if known is not None else set(header)
    out = CsvFile(file, header, ignored_columns=[h for h in header if h not in known_set])
    width = len(header)
    for n, rec in records:
        if not any(v.strip() for v in rec):
            continue
        padded = rec + [""] * (width - len(rec))
        out.rows.append(CsvRow(n, dict(zip(header, padded[:width], strict=True)), tuple(padded[width:])))
    return out


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


def fold_name(name: str) -> str:
    """A column name as typed ('Grant ID ') → as the template spells it ('grant_id')."""
    return re.sub(r"\s+", "_", name.strip().lower())


# ---------------------------------------------------------------------------------------------
# Small parsers shared by the readers (raise RowError with a readable reason)


def text(value: str | None) -> str | None:
    """Trimmed text, or None when empty."""
    if value is None:
        return None
    v = str(value).strip()
    return v or None


def parse_amount(value: str | None, column: str = "amount") -> float | None:
    """A non-negative number written with digits and an optional decimal point; empty → None."""
    v = text(value)
    if v is None:
        return None
    try:
        num = float(v)
    except ValueError:
        raise RowError(column, f"not a number ({v!r}); write digits only, e.g. 12000 or 12000.50") from None
    if not math.isfinite(num):
        raise RowError(column, f"not a number ({v!r})")
    if num < 0:
        raise RowError(column, f"negative ({v!r}); amounts are 0 or more")
    return num


def parse_year(value: str | None, column: str = "year", lo: int = 1950, hi: int = 2100) -> int | None:
    """A whole year in [lo, hi]; '2019.0' (how spreadsheets export numbers) is accepted; empty → None."""
    v = text(value)
    if v is None:
        return None
    if not re.fullmatch(r"\d{4}(\.0+)?", v):
        raise RowError(column, f"not a year ({v!r}); write four digits, e.g. 2019")
    year = int(float(v))
    if not lo <= year <= hi:
        raise RowError(column, f"out of range ({year}); expected {lo}–{hi}")
    return year


def parse_int(value: str | None, column: str) -> int | None:
    v = text(value)
    if v is None:
        return None
    if not re.fullmatch(r"\d+(\.0+)?", v):
        raise RowError(column, f"not a whole number ({v!r})")
    return int(float(v))


def parse_iso_date(value: str | None, column: str) -> dt.date | None:
    """An ISO date YYYY-MM-DD (a spreadsheet's 'YYYY-MM-DD 00:00:00' too); empty → None."""
    v = text(value)
    if v is None:
        return None
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[ T]00:00(?::00)?)?", v)
    try:
        if not m:
            raise ValueError
        return dt.date.fromisoformat(m.group(1))
    except ValueError:
        raise RowError(column, f"not a date ({v!r}); write YYYY-MM-DD, e.g. 2021-05-25") from None


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
    if not fx.known_currency(code):
        raise RowError(column, f"unknown currency ({v!r}); write an ISO 4217 code such as EUR, USD, GBP, CAD")
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


def slug(*parts: object) -> str:
    """A lower-case, hyphenated key from text parts (empty parts skipped): stable across builds."""
    joined = " ".join(str(p) for p in parts if p is not None and str(p).strip())
    ascii_ = unicodedata.normalize("NFKD", joined.casefold()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")


# ---------------------------------------------------------------------------------------------
# The member-grants template


@dataclass(frozen=True)
class TemplateColumn:
    name: str
    required: str  # "yes", "no", or a condition ("when amount is given")
    allowed: str
    description: str


MEMBER_COLUMNS: tuple[TemplateColumn, ...] = (
    TemplateColumn(
        "grant_id",
        "yes",
        "text, unique across all member files",
        "Your own identifier for the grant (e.g. the society's grant number). Rows whose "
        "grant_id was already used (in this or another member file) are rejected.",
    ),
    TemplateColumn("funder", "yes", "text", "The society or organisation that awarded the money."),
    TemplateColumn("programme", "no", "text", "Funding programme or round (e.g. 'Project grants 2023')."),
    TemplateColumn(
        "record_type",
        "no (default award)",
        " | ".join(schema.RECORD_TYPES),
        "award = one grant to one team; programme = a round's total; call = an announced call "
        "(not money spent). Programme totals are never added to the awards inside them.",
    ),
    TemplateColumn(
        "year", "yes", "whole year 1950–2100", "Year the money is counted in (see year_convention)."
    ),
    TemplateColumn(
        "year_convention",
        "no (default award year)",
        " | ".join(schema.YEAR_CONVENTIONS),
        "What `year` means.",
    ),
    TemplateColumn("start_date", "no", "date YYYY-MM-DD", "First day of the award period."),
    TemplateColumn(
        "end_date", "no", "date YYYY-MM-DD, not before start_date", "Last day of the award period."
    ),
    TemplateColumn(
        "amount",
        "no (empty = unknown, never 0)",
        "number ≥ 0, digits only (12000.50)",
        "Amount in `currency`. Leave empty when unknown: an empty amount is not counted as zero.",
    ),
    TemplateColumn(
        "currency",
        "when amount is given",
        "ISO 4217 code (EUR, USD, GBP, CAD, AUD, CHF …)",
        "Currency of `amount`; converted with ECB annual mean rates of `year`.",
    ),
    TemplateColumn(
        "amount_basis",
        "no",
        " | ".join(schema.AMOUNT_BASES),
        "exact = the grant's amount; per_award = each award of a programme; total = a round's "
        "total; up_to = a ceiling; at_least = 'over …'; partial = paid so far; approximate.",
    ),
    TemplateColumn("title", "yes", "text", "Project or programme title, as published."),
    TemplateColumn("pi", "no", "text", "Principal investigator."),
    TemplateColumn("organisation", "no", "text", "Lead organisation of the funded team."),
    TemplateColumn(
        "country",
        "no",
        "English country name or ISO code (Italy, IT, ITA)",
        "Country of the lead organisation; a name that cannot be placed rejects the row.",
    ),
    TemplateColumn(
        "ms_relevance",
        "no (empty = classified from title and programme)",
        " | ".join(schema.RELEVANCE),
        "Whether the work is about progressive MS.",
    ),
    TemplateColumn(
        "gap_area",
        "no (empty = classified from title and programme)",
        " | ".join(schema.GAP_AREAS),
        "Alliance gap area (empty when ms_relevance is Not MS).",
    ),
    TemplateColumn("url", "no", "http:// or https:// address", "Public page about the grant."),
    TemplateColumn(
        "notes", "no", "text", "Anything else; stays in your file (not loaded into the dashboard)."
    ),
)
MEMBER_COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in MEMBER_COLUMNS)
MEMBER_REQUIRED: tuple[str, ...] = ("grant_id", "funder", "year", "title")
# NOTE: the longest real title in the shipped sources has 522 characters (a ClinicalTrials.gov
# official title); a member's value beyond this was pasted into the wrong cell (or is a whole
# document) and rejects its row.
MAX_TEXT_CHARS = 2_000


def _err(exc: RowError) -> PydanticCustomError:
    # NOTE: the reason goes in through the context, never as the template: a value typed with
    # braces ("{x}") must not be read as a format placeholder.
    return PydanticCustomError("member_row", "{detail}", {"detail": exc.reason})


def _bounded(value: str | None) -> str | None:
    """A loaded text value no longer than MAX_TEXT_CHARS (a longer one was pasted by mistake)."""
    if value is not None and len(value) > MAX_TEXT_CHARS:
        raise PydanticCustomError(
            "member_row",
            "{detail}",
            {
                "detail": f"longer than {MAX_TEXT_CHARS:,} characters ({len(value):,}; "
                "text pasted into the wrong cell?)"
            },
        )
    return value


def _required(value: Any) -> str:
    v = text(value)
    if v is None:
        raise PydanticCustomError("member_row", "required, but empty")
    return v


class MemberGrantRow(BaseModel):
    """One validated row of a member-grants file. Every value arrives as text (or None); after
    validation `country` holds the ISO-3 code and dates/numbers are typed."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    grant_id: str
    funder: str
    programme: str | None = None
    record_type: str = "award"
    year: int
    year_convention: str = "award year"
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    amount: float | None = None
    currency: str | None = None
    amount_basis: str | None = None
    title: str
    pi: str | None = None
    organisation: str | None = None
    country: str | None = None
    ms_relevance: str | None = None
    gap_area: str | None = None
    url: str | None = None
    notes: str | None = None

    @field_validator("grant_id", "funder", "title", mode="before")
    @classmethod
    def _required_text(cls, v: Any) -> str:
        value = _required(v)
        _bounded(value)
        return value

    @field_validator("programme", "pi", "organisation", mode="before")
    @classmethod
    def _optional_text(cls, v: Any) -> str | None:
        return _bounded(text(v))

    @field_validator("notes", mode="before")
    @classmethod
    def _notes(cls, v: Any) -> str | None:
        return text(v)  # NOTE: any length: notes stay in the member's file, never loaded

    @field_validator("record_type", mode="before")
    @classmethod
    def _record_type(cls, v: Any) -> str:
        return _wrap(lambda: vocabulary(v, schema.RECORD_TYPES, "record_type")) or "award"

    @field_validator("year", mode="before")
    @classmethod
    def _year(cls, v: Any) -> int:
        _required(v)
        return _wrap(lambda: parse_year(v))

    @field_validator("year_convention", mode="before")
    @classmethod
    def _year_convention(cls, v: Any) -> str:
        return _wrap(lambda: vocabulary(v, schema.YEAR_CONVENTIONS, "year_convention")) or "award year"

    @field_validator("start_date", mode="before")
    @classmethod
    def _start(cls, v: Any) -> dt.date | None:
        return _wrap(lambda: parse_iso_date(v, "start_date"))

    @field_validator("end_date", mode="before")
    @classmethod
    def _end(cls, v: Any, info: ValidationInfo) -> dt.date | None:
        end = _wrap(lambda: parse_iso_date(v, "end_date"))
        start = info.data.get("start_date")
        if end is not None and start is not None and end < start:
            raise PydanticCustomError(
                "member_row", "{detail}", {"detail": f"before start_date ({end} < {start})"}
            )
        return end

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, v: Any) -> float | None:
        return _wrap(lambda: parse_amount(v))

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, v: Any, info: ValidationInfo) -> str | None:
        code = _wrap(lambda: currency_code(v))
        if code is None and info.data.get("amount") is not None:
            raise PydanticCustomError("member_row", "required when amount is given, but empty")
        return code

    @field_validator("amount_basis", mode="before")
    @classmethod
    def _basis(cls, v: Any) -> str | None:
        return _wrap(lambda: vocabulary(v, schema.AMOUNT_BASES, "amount_basis"))

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, v: Any) -> str | None:
        return _wrap(lambda: country_iso3(v))

    @field_validator("ms_relevance", mode="before")
    @classmethod
    def _relevance(cls, v: Any) -> str | None:
        return _wrap(lambda: vocabulary(v, schema.RELEVANCE, "ms_relevance"))

    @field_validator("gap_area", mode="before")
    @classmethod
    def _gap(cls, v: Any, info: ValidationInfo) -> str | None:
        gap = _wrap(lambda: vocabulary(v, schema.GAP_AREAS, "gap_area"))
        if gap is not None and info.data.get("ms_relevance") == "Not MS":
            raise PydanticCustomError("member_row", "must be empty when ms_relevance is 'Not MS'")
        return gap

    @field_validator("url", mode="before")
    @classmethod
    def _url(cls, v: Any) -> str | None:
        return _bounded(_wrap(lambda: web_address(v)))


def _wrap(parse: Any) -> Any:
    """Run a RowError-raising parser inside a pydantic validator."""
    try:
        return parse()
    except RowError as exc:
        raise _err(exc) from None


def rejection_from_validation(exc: ValidationError, file: str, row: int) -> Rejection:
    """One Rejection for a row: the first failing column (columns are validated in template order)."""
    first = exc.errors(include_url=False)[0]
    column = str(first["loc"][0]) if first["loc"] else None
    reason = f"{column}: {first['msg']}" if column else first["msg"]
    return Rejection(file, row, column, reason)


# ---------------------------------------------------------------------------------------------
# Output frames


def table_frame(table: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a DataFrame with the schema's column order (only the columns supplied) and
    nullable integer columns, so a missing year stays missing instead of turning ints to floats."""
    cols = [c for c in schema.TABLES[table] if any(c.name in r for r in rows)] if rows else []
    df = pd.DataFrame([{c.name: r.get(c.name) for c in cols} for r in rows], columns=[c.name for c in cols])
    for c in cols:
        if c.type == "int":
            df[c.name] = df[c.name].astype("Int64")
        elif c.type == "float":
            df[c.name] = pd.to_numeric(df[c.name]).astype("float64")
    return df
