"""The member-grants template: its columns and `MemberGrantRow`, the pydantic model of one row.

`data/reference/member_grants_template.*` and `data/raw/member_grants/README.md` describe the
columns (`MEMBER_COLUMNS`). Reading the file and the value parsers are the ingest toolkit's
(`msprogress/ingest/toolkit.py`); this module turns one row into a model, or into the one
`Rejection` that names its first failing column (`rejection_from_validation`).

NOTE: every member-template field is parsed from text by our own `before` validators rather
than by pydantic's coercion, so the messages are ours (pydantic's "Input should be a valid
number, unable to parse string as a number" means little to the staff member who typed "12k").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from msprogress import schema
from msprogress.ingest.base import Rejection
from msprogress.ingest.toolkit import (
    RowError,
    country_iso3,
    currency_code,
    parse_amount,
    parse_iso_date,
    parse_year,
    text,
    vocabulary,
    web_address,
)

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
        "Your own identifier for the grant (e.g. the society's grant number). Ids differing only in "
        "case, width or invisible characters are one id: repeated in a file, the later row is "
        "rejected; used by another member file, the build stops naming both.",
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
        "year",
        "yes",
        f"whole year {schema.YEAR_RANGE[0]}–{schema.YEAR_RANGE[1]} (the years the dashboard shows)",
        "Year the money is counted in (see year_convention).",
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
        "number ≥ 0: digits 0–9, a dot, at most two decimals (12000.50); at most EUR 10 bn",
        "Amount in `currency`. Leave empty when unknown: an empty amount is not counted as zero. "
        "Thousands separators and decimal commas (120.000, 1.234,56) are rejected, never guessed.",
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
YEAR_LO, YEAR_HI = schema.YEAR_RANGE
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
        return _wrap(lambda: parse_year(v, lo=YEAR_LO, hi=YEAR_HI, why=" (the years the dashboard shows)"))

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


def rejection_from_validation(
    exc: ValidationError, file: str, row: int, sheet: str | None = None
) -> Rejection:
    """One Rejection for a row: the first failing column (columns are validated in template order)."""
    first = exc.errors(include_url=False)[0]
    column = str(first["loc"][0]) if first["loc"] else None
    reason = f"{column}: {first['msg']}" if column else first["msg"]
    return Rejection(file, row, column, reason, sheet=sheet)
