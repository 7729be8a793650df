"""Readers for the three hand-curated funding files in `data/raw/curated/`.

Owns how each curated row becomes `grants` and `projects` rows:
- `read_alliance` (source `alliance_awards`): International Progressive MS Alliance awards,
  programme totals and calls. `record_type` is kept exactly as the file gives it, because a
  programme total and the awards inside it overlap (2016 Collaborative Network Awards: three
  EUR 4.2M award rows and one EUR 12.6M programme row); the queries, never this reader,
  decide which to add up. Each award row is also a project.
- `read_charity` (source `charity_grants`): MS Society UK and MS Australia / MS Research
  Australia rounds and named awards. The free-text `amount_type` decides record type and
  amount basis through `CHARITY_AMOUNT_TYPES`; a value not in that table rejects the row.
- `read_public_funders` (source `public_funders`): CORDIS / ERC / NEURON / SNSF / DFG and
  other public projects. Every row is a project; only rows with an amount are also grants.

NOTE: a public-funder project whose amount is unknown gets NO grants row. It is counted as a
project (maps, lists, gap areas), but a grants row with a null amount would be one more row
that funding charts cannot use and that `count(*)` of grants would misread as an award.
NOTE: empty amounts stay null, never 0 (a funding chart must not show "unknown" as zero).
NOTE: `as_of` is `CURATED_AS_OF` for all three files (see there).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from msprogress import schema
from msprogress.ingest import fx
from msprogress.ingest.base import FileRead, Rejection, SourceError, SourceResult, relpath
from msprogress.ingest.toolkit import (
    CsvRow,
    RowError,
    country_iso3,
    currency_code,
    parse_amount,
    parse_int,
    parse_iso_date,
    parse_year,
    read_csv,
    slug,
    table_frame,
    text,
    vocabulary,
)
from msprogress.manifest import sha256_file

# NOTE: the curated files carry no compilation date. They were compiled for this snapshot on the
# day of the ClinicalTrials.gov pull (2025-09-25), from pages cited row by row; that day is the
# "as of" of every curated row. Update it when the curated files are re-compiled.
CURATED_AS_OF = "2025-09-25"
FOLDER = "curated"

PROGRESSIVE = "Progressive-specific"
NOT_PROGRESSIVE = "MS, not progression-specific"
ALLIANCE_FUNDER = "International Progressive MS Alliance"

# Charity `amount_type` (as written in the file) → (record_type, amount_basis, award length in years).
# Every value in the file is listed; a new value rejects its row until it is added here.
CHARITY_AMOUNT_TYPES: dict[str, tuple[str, str, int | None]] = {
    "round total": ("programme", "total", None),
    "round total (approx.)": ("programme", "approximate", None),
    "round total (over)": ("programme", "at_least", None),  # "over $2 million"
    "annual budget (approx.)": ("programme", "approximate", None),  # "around GBP 2 million"
    "per-grant maximum": ("programme", "up_to", None),  # ceiling of each award in the round
    "approx. award": ("award", "approximate", None),  # "almost GBP 100,000"
    "award (3 yrs)": ("award", "exact", 3),  # one award paid over three years
}
# Charity `progressive_focus`, by its first word ("yes (some)" → "yes"); empty = not stated.
CHARITY_FOCUS: dict[str, str] = {
    "yes": PROGRESSIVE,
    "partial": NOT_PROGRESSIVE,
    "no": NOT_PROGRESSIVE,
    "unknown": NOT_PROGRESSIVE,
    "": NOT_PROGRESSIVE,
}
# How many awards a charity round covers, from its pi/institution text ("20 grants", "(9 teams)",
# "Laura Laslett (one of 4)").
N_AWARDS_PATTERNS: tuple[str, ...] = (r"^\(?(\d+) (?:grants|teams)\)?$", r"\(one of (\d+)\)")

# Public-funder `amount_type` → amount_basis. Every value in the file is listed.
PUBLIC_AMOUNT_TYPES: dict[str, str] = {
    "EC grant (press)": "approximate",  # a rounded press-release figure ("EUR 15 million")
    "EU contribution = overall budget": "exact",  # CORDIS figure; EU paid the whole budget
    "total funding": "total",  # the project's funding across all partners of the consortium
}
# Public-funder `mentions_progressive_ms`, by its first word ("yes (OPCs stall …)" → "yes").
PUBLIC_RELEVANCE: dict[str, str] = {"yes": PROGRESSIVE, "partial": NOT_PROGRESSIVE, "no": NOT_PROGRESSIVE}
EU_FUNDERS = ("European Commission",)

# Award length: "3 years", "12 months", "up to 3 years" (the ceiling is taken), or a year range.
_DURATION = re.compile(r"(\d+)\s*(year|yr|month)s?\b", re.IGNORECASE)
_YEAR_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\b")


@dataclass(frozen=True)
class CuratedFile:
    source_id: str
    file: str
    title: str
    terms: str
    url: str
    required: tuple[str, ...]


ALLIANCE = CuratedFile(
    "alliance_awards",
    "alliance_awards.csv",
    "International Progressive MS Alliance awards, programme totals and calls (curated)",
    "Facts restated from the public page cited in each row's source_url.",
    "https://www.progressivemsalliance.org/",
    (
        "record_type",
        "programme",
        "award_type",
        "year",
        "announcement_date",
        "pi",
        "institution",
        "country",
        "amount",
        "currency",
        "amount_basis",
        "n_awards",
        "duration",
        "title",
        "source_url",
    ),
)
CHARITY = CuratedFile(
    "charity_grants",
    "charity_grants.csv",
    "MS Society UK and MS Australia / MS Research Australia grant rounds and awards (curated)",
    "Facts restated from the public page cited in each row's source_url.",
    "https://www.msaustralia.org.au/research/",
    (
        "funder",
        "programme",
        "year",
        "pi",
        "institution",
        "country",
        "amount",
        "currency",
        "amount_type",
        "title_or_topic",
        "progressive_focus",
        "source_url",
    ),
)
PUBLIC = CuratedFile(
    "public_funders",
    "other_public_funders_projects.csv",
    "MS research projects of other public funders: European Commission (CORDIS), ERC, NEURON ERA-NET, "
    "SNSF, DFG (curated)",
    "Facts from the page in each row's source_url. CORDIS content is EU open data (CC BY 4.0): "
    "CORDIS, European Union.",
    "https://cordis.europa.eu/",
    (
        "funder",
        "programme",
        "project_id",
        "acronym",
        "title",
        "pi_or_coordinator",
        "institution",
        "country",
        "start",
        "end",
        "amount",
        "currency",
        "amount_type",
        "mentions_progressive_ms",
        "source_url",
    ),
)

Parsed = tuple[dict[str, Any] | None, dict[str, Any] | None]  # (grants row, projects row)


def read_alliance(raw_dir: Path) -> SourceResult:
    return _read(
        raw_dir,
        ALLIANCE,
        _alliance_row,
        [
            "Programme and call rows overlap the awards they contain: "
            "add award rows or programme rows, never both."
        ],
    )


def read_charity(raw_dir: Path) -> SourceResult:
    return _read(
        raw_dir,
        CHARITY,
        _charity_row,
        ["Round totals are programme rows; named awards are award rows and may lie inside a round total."],
    )


def read_public_funders(raw_dir: Path) -> SourceResult:
    result = _read(raw_dir, PUBLIC, _public_row, [])
    n_projects = len(result.tables["projects"]) if "projects" in result.tables else 0
    n_grants = len(result.tables["grants"]) if "grants" in result.tables else 0
    result.notes.append(
        f"{n_projects - n_grants} of {n_projects} projects state no amount: they have no grants row "
        "(counted as projects, absent from funding charts)."
    )
    return result


# ---------------------------------------------------------------------------------------------
# The shared loop


def _read(
    raw_dir: Path, spec: CuratedFile, parse_row: Callable[[CsvRow], Parsed], notes: list[str]
) -> SourceResult:
    path = raw_dir / FOLDER / spec.file
    if not path.is_file():
        raise SourceError(relpath(path, raw_dir), "file not found")
    csv_file = read_csv(path, raw_dir, spec.required)
    grants: list[dict[str, Any]] = []
    projects: list[dict[str, Any]] = []
    rejections: list[Rejection] = []
    project_rows: dict[str, int] = {}
    for row in csv_file.rows:
        try:
            row.check_width()
            grant, project = parse_row(row)
            if project is not None:
                _check_unique(project["project_id"], row.row, project_rows)
        except RowError as exc:
            rejections.append(exc.rejection(csv_file.file, row.row))
            continue
        provenance = {"source": spec.source_id, "source_file": csv_file.file, "as_of": CURATED_AS_OF}
        if project is not None:
            project_rows[project["project_id"]] = row.row
            projects.append(project | provenance)
        if grant is not None:
            grants.append(grant | provenance)
    kept = len(csv_file.rows) - len(rejections)
    return SourceResult(
        source_id=spec.source_id,
        title=spec.title,
        as_of=CURATED_AS_OF,
        terms=spec.terms,
        url=spec.url,
        files=[FileRead(csv_file.file, sha256_file(path), len(csv_file.rows), kept, len(rejections))],
        tables={"grants": table_frame("grants", grants), "projects": table_frame("projects", projects)},
        rejections=rejections,
        notes=notes,
    )


def _check_unique(project_id: str, row: int, seen: dict[str, int]) -> None:
    if project_id in seen:
        raise RowError(None, f"same project as row {seen[project_id]} ({project_id}): a duplicate row?")


def _money(amount: float | None, currency: str | None, year: int | None) -> dict[str, Any]:
    if amount is not None and currency is None:
        raise RowError("currency", "required when amount is given, but empty")
    return {"amount": amount, "currency": currency, **fx.convert(amount, currency, year)}


def _gap_area(relevance: str, *texts: str | None) -> str | None:
    from msprogress.ingest import classify

    return classify.gap_area(" ".join(t for t in texts if t), relevance=relevance)


def _required(values: dict[str, str], column: str) -> str:
    v = text(values.get(column))
    if v is None:
        raise RowError(column, "required, but empty")
    return v


def duration_years(duration: str | None, year: int | None) -> tuple[int | None, int | None]:
    """First and last calendar year of an award from its `year` and duration text. An explicit
    range ("3 years (2024-2027)") wins; "12 months" → (year, year); "up to 3 years" → its ceiling.
    NOTE: the award (or announcement) year is taken as the first year; the real start may be later."""
    if not duration:
        return None, None
    if m := _YEAR_RANGE.search(duration):
        return int(m.group(1)), int(m.group(2))
    m = _DURATION.search(duration)
    if year is None or not m:
        return None, None
    months = int(m.group(1)) * (1 if m.group(2).lower().startswith("month") else 12)
    return year, year + max(1, math.ceil(months / 12)) - 1


def _remark_free(value: str | None) -> str | None:
    """An organisation name, or None for a placeholder wholly in parentheses ('(Sweden)', '(9 teams)')."""
    v = text(value)
    return None if v is None or (v.startswith("(") and v.endswith(")")) else v


# ---------------------------------------------------------------------------------------------
# International Progressive MS Alliance


def _alliance_row(row: CsvRow) -> Parsed:
    v = row.values
    record_type = vocabulary(_required(v, "record_type"), schema.RECORD_TYPES, "record_type")
    year = parse_year(v["year"])
    announced = parse_iso_date(v["announcement_date"], "announcement_date")
    start_year, end_year = duration_years(text(v["duration"]), year)
    iso3 = country_iso3(v["country"])
    title, programme = text(v["title"]), text(v["programme"])
    gap = _gap_area(PROGRESSIVE, title, programme, text(v["award_type"]))
    project = None
    if record_type == "award":
        project = {
            "project_id": "alliance:" + slug(year, programme, v["institution"], v["pi"]),
            "title": title,
            "pi": text(v["pi"]),
            "organisation": text(v["institution"]),
            "iso3": iso3,
            "funder": ALLIANCE_FUNDER,
            "ms_relevance": PROGRESSIVE,
            "gap_area": gap,
            "url": text(v["source_url"]),
        }
    grant = {
        "grant_id": f"alliance:{row.row}",
        "project_id": project["project_id"] if project else None,
        "funder": ALLIANCE_FUNDER,
        "funder_group": "Alliance",
        "programme": programme,
        "record_type": record_type,
        "year": year,
        "year_convention": None if year is None else ("announcement year" if announced else "award year"),
        "award_date": announced,
        "start_year": start_year,
        "end_year": end_year,
        **_money(parse_amount(v["amount"]), currency_code(v["currency"]), year),
        "amount_basis": vocabulary(v["amount_basis"], schema.AMOUNT_BASES, "amount_basis"),
        "n_awards": parse_int(v["n_awards"], "n_awards"),
        "iso3": iso3,
        "ms_relevance": PROGRESSIVE,
        "gap_area": gap,
        "title": title,
        "url": text(v["source_url"]),
    }
    return grant, project


# ---------------------------------------------------------------------------------------------
# Charities (MS Society UK, MS Australia / MS Research Australia)


def _charity_kind(amount_type: str | None) -> tuple[str, str, int | None]:
    if amount_type is None:
        raise RowError("amount_type", "required, but empty (cannot tell an award from a round total)")
    if amount_type not in CHARITY_AMOUNT_TYPES:
        raise RowError("amount_type", f"not in the mapping table CHARITY_AMOUNT_TYPES ({amount_type!r})")
    return CHARITY_AMOUNT_TYPES[amount_type]


def _first_word_lookup(value: str | None, table: dict[str, str], column: str) -> str:
    key = (text(value) or "").split(" ")[0].split("(")[0].casefold()
    if key not in table:
        raise RowError(column, f"not one of {', '.join(k for k in table if k)} ({value!r})")
    return table[key]


def _n_awards(*texts: str | None) -> int | None:
    for t in texts:
        for pattern in N_AWARDS_PATTERNS:
            if t and (m := re.search(pattern, t)):
                return int(m.group(1))
    return None


def _charity_row(row: CsvRow) -> Parsed:
    v = row.values
    funder = _required(v, "funder")
    record_type, basis, years = _charity_kind(text(v["amount_type"]))
    relevance = _first_word_lookup(v["progressive_focus"], CHARITY_FOCUS, "progressive_focus")
    if record_type != "award":
        # NOTE: a round total covers every grant of the round; "yes (some)" or a progressive headline
        # grant does not make the whole round progressive-specific.
        relevance = NOT_PROGRESSIVE
    year = parse_year(v["year"])
    iso3 = country_iso3(v["country"])
    title, programme = text(v["title_or_topic"]), text(v["programme"])
    pi, institution = text(v["pi"]), text(v["institution"])
    gap = _gap_area(relevance, title, programme)
    project = None
    if record_type == "award":
        if pi is None and _remark_free(institution) is None:
            raise RowError("institution", "an award row needs a pi or an institution")
        project = {
            "project_id": "charity:" + slug(funder, year, programme, institution, pi),
            "title": title,
            "pi": pi,
            "organisation": _remark_free(institution),
            "iso3": iso3,
            "funder": funder,
            "ms_relevance": relevance,
            "gap_area": gap,
            "url": text(v["source_url"]),
        }
    grant = {
        "grant_id": f"charity:{row.row}",
        "project_id": project["project_id"] if project else None,
        "funder": funder,
        "funder_group": "Charity",
        "programme": programme,
        "record_type": record_type,
        "year": year,
        "year_convention": None if year is None else "award year",
        "start_year": year if years and year else None,
        "end_year": year + years - 1 if years and year else None,
        **_money(parse_amount(v["amount"]), currency_code(v["currency"]), year),
        "amount_basis": basis,
        "n_awards": _n_awards(institution, pi) if record_type == "programme" else None,
        "iso3": iso3,
        "ms_relevance": relevance,
        "gap_area": gap,
        "title": title,
        "url": text(v["source_url"]),
    }
    return grant, project


# ---------------------------------------------------------------------------------------------
# Other public funders


def _start_end(v: dict[str, str]) -> tuple[Any, Any, int | None, int | None]:
    """Start/end dates and years. NOTE: a year alone ("2012") becomes 1 January (start) or
    31 December (end) for the projects table's date columns; the grants row keeps the year."""
    out: list[Any] = []
    for column, month_day in (("start", (1, 1)), ("end", (12, 31))):
        raw = text(v[column])
        if raw is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            day = parse_iso_date(raw, column)
            out.append((day, day.year if day else None))
        else:
            year = parse_year(raw, column)
            out.append((None if year is None else _date(year, *month_day), year))
    (start, start_year), (end, end_year) = out
    if start and end and end < start:
        raise RowError("end", f"before start ({end} < {start})")
    return start, end, start_year, end_year


def _date(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, day)


def _public_row(row: CsvRow) -> Parsed:
    v = row.values
    funder = _required(v, "funder")
    title, acronym, programme = _required(v, "title"), text(v["acronym"]), text(v["programme"])
    native = text(v["project_id"]) or acronym
    project_id = f"public:{slug(funder)}:{slug(native) if native else f'row{row.row}'}"
    relevance = _first_word_lookup(v["mentions_progressive_ms"], PUBLIC_RELEVANCE, "mentions_progressive_ms")
    start, end, start_year, end_year = _start_end(v)
    iso3 = country_iso3(v["country"])
    shown_title = f"{acronym}: {title}" if acronym and acronym.casefold() not in title.casefold() else title
    gap = _gap_area(relevance, title, programme)
    project = {
        "project_id": project_id,
        "title": shown_title,
        "pi": text(v["pi_or_coordinator"]),
        "organisation": _remark_free(v["institution"]),
        "iso3": iso3,
        "start_date": start,
        "end_date": end,
        "funder": funder,
        "ms_relevance": relevance,
        "gap_area": gap,
        "url": text(v["source_url"]),
    }
    amount = parse_amount(v["amount"])
    if amount is None:
        return None, project
    basis_text = text(v["amount_type"])
    if basis_text not in PUBLIC_AMOUNT_TYPES:
        raise RowError("amount_type", f"not in the mapping table PUBLIC_AMOUNT_TYPES ({basis_text!r})")
    grant = {
        "grant_id": project_id,
        "project_id": project_id,
        "funder": funder,
        "funder_group": "EU" if funder in EU_FUNDERS else "Public (national)",
        "programme": programme,
        "record_type": "award",
        "year": start_year,
        "year_convention": "project start year" if start_year else None,
        "start_date": start if start and str(start) == text(v["start"]) else None,  # a day, not a year alone
        "start_year": start_year,
        "end_year": end_year,
        **_money(amount, currency_code(v["currency"]), start_year),
        "amount_basis": PUBLIC_AMOUNT_TYPES[basis_text],
        "iso3": iso3,
        "ms_relevance": relevance,
        "gap_area": gap,
        "title": shown_title,
        "url": text(v["source_url"]),
    }
    return grant, project
