"""The global filters: one table of filter specs, and the frozen filter state made from it.

Each filter is declared once, in `SPECS`, as an object that knows everything about it: its URL
key(s), how to parse and validate a URL value (a bad value is dropped with a notice, never an
error), its sidebar widget, the members of the `$f` struct its SQL predicate reads, and its words
in the "Showing:" line. `Filters` (the state every page reads), the URL form, the `$f` struct,
the sidebar (`msprogress/sidebar.py`) and the description are all generated from the table, as
datasette's filter objects carry their SQL and their human text side by side. Adding a filter is
one entry here plus its predicate in `queries/_macros.sql`.

Values travel to SQL only as the bound `$f` struct; the filter module knows no page: a page's own
URL keys are its view state (`msprogress/page.py`, `View`).

NOTE: `Filters` is a small immutable mapping with attribute access (`f.countries`), hashable so
cached query functions key on it; its attributes are the specs' fields, nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from msprogress.markup import md_code, md_escape
from msprogress.schema import YEAR_RANGE

MAX_VALUE_LEN = 200
MAX_VALUES = 60
YEAR_MIN, YEAR_MAX = YEAR_RANGE  # the sidebar slider's range too: a URL year outside it is dropped

GAP_SLUGS = {
    "mechanisms": "Mechanisms of progression",
    "trials": "Accelerating clinical trials",
    "wellbeing": "Well-being: rehabilitation and symptom management",
    "general": "MS research, not progression-specific",
}
RELEVANCE_SLUGS = {"all": "All MS research", "progressive": "Progressive-specific only"}
POPULATION_SLUGS = {
    "ppms": "PPMS",
    "spms": "SPMS",
    "progressive": "Progressive, unspecified",
    "mixed": "Mixed progressive",
}
PHASE_SLUGS = {
    "early1": "Early phase 1",
    "1": "Phase 1",
    "1-2": "Phase 1/2",
    "2": "Phase 2",
    "2-3": "Phase 2/3",
    "3": "Phase 3",
    "4": "Phase 4",
    "na": "Not applicable",
}
STATUS_SLUGS = {
    "recruiting": "Recruiting",
    "active": "Active, not recruiting",
    "completed": "Completed",
    "stopped": "Stopped early",
    "withdrawn": "Withdrawn",
    "unknown": "Unknown",
}
SHARED_KEYS = ("snapshot", "present", "slide")  # URL keys the app itself reads (not filters, not a page's)

Names = Mapping[str, Mapping[str, str]]  # options kind → value → display name (from the snapshot)
Params = Mapping[str, list[str]]


Widgets = Any  # what a spec draws itself on: the Streamlit sidebar (the filter module never imports it)


def _clip(value: str) -> str:
    """A dropped value as the notice shows it: clipped, as inline code (never a live link)."""
    return md_code(value)


def _values(params: Params, key: str, notices: list[str]) -> list[str]:
    """A key's URL values, without those over MAX_VALUE_LEN (each dropped with a notice)."""
    values = list(params.get(key, []))
    ok = [v for v in values if len(v) <= MAX_VALUE_LEN]
    if len(ok) < len(values):
        notices.append(f"Ignored a {key} value longer than {MAX_VALUE_LEN} characters.")
    return ok


# ---------------------------------------------------------------------------------------------
# Kinds of filter


@dataclass(frozen=True)
class MultiChoice:
    """Any number of known values (a multiselect); empty = no filter.

    `choices` is either a fixed mapping (URL slug → label, the label being what SQL compares) or
    the name of a `filter_options` kind whose values the snapshot knows (country, region, funder)."""

    field: str
    url: str
    label: str
    sql: str
    words: str  # "countries: …"
    choices: Mapping[str, str] | str
    help: str = ""
    upper: bool = False  # URL values compared upper-cased (ISO codes)

    @property
    def fields(self) -> dict[str, object]:
        return {self.field: ()}

    def known(self, options: Mapping[str, Sequence[str]]) -> Sequence[str]:
        return list(self.choices) if isinstance(self.choices, Mapping) else options.get(self.choices, ())

    def parse(
        self, params: Params, options: Mapping[str, Sequence[str]], notices: list[str]
    ) -> dict[str, object]:
        allowed, kept = set(self.known(options)), []
        values = _values(params, self.url, notices)
        for v in values[:MAX_VALUES]:
            v = v.strip().upper() if self.upper else v.strip()
            if v in allowed and v not in kept:
                kept.append(v)
            else:
                notices.append(f"Ignored {self.url}={_clip(v)}: not a known value.")
        if len(values) > MAX_VALUES:
            notices.append(
                f"Ignored {len(values) - MAX_VALUES} extra {self.url} values (at most {MAX_VALUES})."
            )
        return {self.field: tuple(kept)}

    def emit(self, f: Filters) -> dict[str, list[str]]:
        values = getattr(f, self.field)
        return {self.url: list(values)} if values else {}

    def as_sql(self, f: Filters) -> dict[str, object]:
        values = getattr(f, self.field)
        return {
            self.sql: [self.choices[v] for v in values] if isinstance(self.choices, Mapping) else list(values)
        }

    def describe(self, f: Filters, names: Names) -> str | None:
        values = getattr(f, self.field)
        if not values:
            return None
        shown = self.choices if isinstance(self.choices, Mapping) else names.get(self.choices, {})
        return f"{self.words}: " + ", ".join(shown.get(v, v) for v in values)

    def draw(self, ui: Widgets, options: Mapping[str, Sequence[str]], names: Names) -> None:
        shown = self.choices if isinstance(self.choices, Mapping) else names.get(self.choices, {})
        ui.multiselect(
            self.label,
            list(self.known(options)),
            key=f"w_{self.field}",
            format_func=lambda v: shown.get(v, v),
            help=self.help or None,
        )

    def seed(self, f: Filters) -> dict[str, object]:
        return {f"w_{self.field}": list(getattr(f, self.field))}

    def read(self, state: Any) -> dict[str, object]:
        return {self.field: tuple(state[f"w_{self.field}"])}


@dataclass(frozen=True)
class OneChoice:
    """One of a fixed set of values (a radio); the first is the default and says nothing."""

    field: str
    url: str
    label: str
    choices: Mapping[str, str]
    to_sql: Callable[[str], dict[str, object]]
    words: Mapping[str, str]  # value → the words it adds to "Showing:"
    help: str = ""

    @property
    def default(self) -> str:
        return next(iter(self.choices))

    @property
    def fields(self) -> dict[str, object]:
        return {self.field: self.default}

    def parse(
        self, params: Params, options: Mapping[str, Sequence[str]], notices: list[str]
    ) -> dict[str, object]:
        values = _values(params, self.url, notices)[-1:]
        for v in values:
            if v.strip() in self.choices:
                return {self.field: v.strip()}
            notices.append(f"Ignored {self.url}={_clip(v)}: not a known value.")
        return {self.field: self.default}

    def emit(self, f: Filters) -> dict[str, list[str]]:
        value = getattr(f, self.field)
        return {} if value == self.default else {self.url: [value]}

    def as_sql(self, f: Filters) -> dict[str, object]:
        return self.to_sql(getattr(f, self.field))

    def describe(self, f: Filters, names: Names) -> str | None:
        return self.words.get(getattr(f, self.field))

    def draw(self, ui: Widgets, options: Mapping[str, Sequence[str]], names: Names) -> None:
        ui.radio(
            self.label,
            list(self.choices),
            key=f"w_{self.field}",
            format_func=self.choices.get,
            help=self.help or None,
        )

    def seed(self, f: Filters) -> dict[str, object]:
        return {f"w_{self.field}": getattr(f, self.field)}

    def read(self, state: Any) -> dict[str, object]:
        return {self.field: state[f"w_{self.field}"]}


@dataclass(frozen=True)
class YearRange:
    """A first and a last year (two URL keys, one slider); a reversed pair is swapped with a notice."""

    fields_: tuple[str, str]
    url: tuple[str, str]
    label: str
    help: str = ""
    lo: int = YEAR_MIN
    hi: int = YEAR_MAX

    @property
    def fields(self) -> dict[str, object]:
        return dict.fromkeys(self.fields_)

    def _year(self, key: str, params: Params, notices: list[str]) -> int | None:
        values = _values(params, key, notices)
        if not values:
            return None
        v = values[-1].strip()
        if re.fullmatch(r"\d{4}", v) and self.lo <= int(v) <= self.hi:
            return int(v)
        notices.append(f"Ignored {key}={_clip(v)}: not a year between {self.lo} and {self.hi}.")
        return None

    def parse(
        self, params: Params, options: Mapping[str, Sequence[str]], notices: list[str]
    ) -> dict[str, object]:
        a, b = (self._year(k, params, notices) for k in self.url)
        if a is not None and b is not None and a > b:
            notices.append(f"Swapped years: {self.url[0]}={a} was after {self.url[1]}={b}.")
            a, b = b, a
        return dict(zip(self.fields_, (a, b), strict=True))

    def emit(self, f: Filters) -> dict[str, list[str]]:
        pairs = zip(self.url, (getattr(f, n) for n in self.fields_), strict=True)
        return {k: [str(v)] for k, v in pairs if v is not None}

    def as_sql(self, f: Filters) -> dict[str, object]:
        return {n: getattr(f, n) for n in self.fields_}

    def describe(self, f: Filters, names: Names) -> str | None:
        a, b = (getattr(f, n) for n in self.fields_)
        return None if a is None and b is None else f"years {a or '…'}–{b or '…'}"

    def draw(self, ui: Widgets, options: Mapping[str, Sequence[str]], names: Names) -> None:
        ui.slider(self.label, self.lo, self.hi, key="w_years", help=self.help or None)

    def seed(self, f: Filters) -> dict[str, object]:
        a, b = (getattr(f, n) for n in self.fields_)
        return {"w_years": (a or self.lo, b or self.hi)}

    def read(self, state: Any) -> dict[str, object]:
        a, b = state["w_years"]
        return dict(
            zip(self.fields_, (None if a == self.lo else a, None if b == self.hi else b), strict=True)
        )


@dataclass(frozen=True)
class Search:
    """Free text searched in titles; shown as code (never markup), bound as text, never SQL."""

    field: str
    url: str
    label: str
    sql: str
    help: str = ""

    @property
    def fields(self) -> dict[str, object]:
        return {self.field: ""}

    def parse(
        self, params: Params, options: Mapping[str, Sequence[str]], notices: list[str]
    ) -> dict[str, object]:
        values = _values(params, self.url, notices)
        return {self.field: (values or [""])[-1].strip()}

    def emit(self, f: Filters) -> dict[str, list[str]]:
        q = getattr(f, self.field).strip()
        return {self.url: [q]} if q else {}

    def as_sql(self, f: Filters) -> dict[str, object]:
        return {self.sql: getattr(f, self.field).strip() or None}

    def describe(self, f: Filters, names: Names) -> str | None:
        q = getattr(f, self.field).strip()
        return f'titles containing "{q}"' if q else None

    def draw(self, ui: Widgets, options: Mapping[str, Sequence[str]], names: Names) -> None:
        ui.text_input(self.label, key=f"w_{self.field}", max_chars=MAX_VALUE_LEN, help=self.help or None)

    def seed(self, f: Filters) -> dict[str, object]:
        return {f"w_{self.field}": getattr(f, self.field)}

    def read(self, state: Any) -> dict[str, object]:
        return {self.field: state[f"w_{self.field}"] or ""}


Spec = MultiChoice | OneChoice | YearRange | Search

# ---------------------------------------------------------------------------------------------
# The table: sidebar order = "Showing:" order. A predicate for each `sql` member lives in
# queries/_macros.sql.

SPECS: tuple[Spec, ...] = (
    MultiChoice(
        "countries",
        "country",
        "Country",
        "countries",
        "countries",
        "country",
        help="Trials: any listed country (CTIS lists all; ClinicalTrials.gov export: first site only).",
        upper=True,
    ),
    MultiChoice("regions", "region", "Region (UN sub-region)", "regions", "regions", "region"),
    MultiChoice("gap_areas", "gap", "Gap area", "gap_areas", "gap area", GAP_SLUGS),
    OneChoice(
        "relevance",
        "relevance",
        "MS relevance",
        RELEVANCE_SLUGS,
        to_sql=lambda v: {"progressive_only": v == "progressive"},
        words={"all": "all MS research", "progressive": "progressive-specific research only"},
    ),
    MultiChoice(
        "populations", "population", "Population (trials)", "populations", "population", POPULATION_SLUGS
    ),
    MultiChoice("funders", "funder", "Funder (funding)", "funders", "funders", "funder"),
    YearRange(
        ("year_from", "year_to"),
        ("from", "to"),
        "Years",
        help="Trial start year, project start year, grant year.",
    ),
    MultiChoice("phases", "phase", "Trial phase", "phases", "phase", PHASE_SLUGS),
    MultiChoice("statuses", "status", "Trial status", "status_groups", "status", STATUS_SLUGS),
    Search("q", "q", "Search titles", "q"),
)
DEFAULTS: dict[str, object] = {name: value for s in SPECS for name, value in s.fields.items()}
URL_KEYS: tuple[str, ...] = tuple(k for s in SPECS for k in ((s.url,) if isinstance(s.url, str) else s.url))


class Filters:
    """The filter state: one value per spec field (see `SPECS`); immutable and hashable."""

    __slots__ = ("_items",)
    _items: tuple[tuple[str, Any], ...]

    def __init__(self, **values: Any) -> None:
        unknown = sorted(set(values) - set(DEFAULTS))
        if unknown:
            raise TypeError(f"not a filter: {', '.join(unknown)} (filters: {', '.join(DEFAULTS)})")
        kept = tuple((k, values[k]) for k in DEFAULTS if k in values and values[k] != DEFAULTS[k])
        object.__setattr__(self, "_items", kept)

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(name)
        return dict(self._items).get(name, DEFAULTS[name])

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Filters is immutable: use replace()")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filters) and self._items == other._items

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        return "Filters(" + ", ".join(f"{k}={v!r}" for k, v in self._items) + ")"

    def __reduce__(self) -> tuple[Any, ...]:  # pickling (Streamlit's cache hashing) by value
        return (_from_items, (self._items,))

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return iter({k: getattr(self, k) for k in DEFAULTS}.items())

    def key(self) -> tuple[tuple[str, Any], ...]:
        """The values that differ from the defaults: what a cache keys on."""
        return self._items

    def replace(self, **changes: Any) -> Filters:
        return Filters(**(dict(self._items) | changes))

    def is_default(self) -> bool:
        return not self._items

    def as_struct(self) -> dict[str, object]:
        """The `$f` struct the SQL macros read. Lists are never None (empty = no filter)."""
        return {k: v for s in SPECS for k, v in s.as_sql(self).items()}

    def to_params(self) -> dict[str, list[str]]:
        """URL query parameters with readable keys; defaults are left out."""
        return {k: v for s in SPECS for k, v in s.emit(self).items()}

    def describe(self, markdown: bool = False, names: Names | None = None) -> str:
        """The active filters in words, for chart subtitles and captions (`names` turns codes such
        as ISO-3 into names); with `markdown`, as Markdown that shows every value as typed (the
        free-text search as code)."""
        parts = [(s, s.describe(self, names or {})) for s in SPECS]
        out = []
        for spec, words in parts:
            if words is None:
                continue
            if markdown and isinstance(spec, Search):
                out.append("titles containing " + md_code(getattr(self, spec.field).strip(), MAX_VALUE_LEN))
            else:
                out.append(md_escape(words) if markdown else words)
        return "; ".join(out)


def _from_items(items: tuple[tuple[str, Any], ...]) -> Filters:
    return Filters(**dict(items))


@dataclass
class Parsed:
    """What a link said: the filters it sets, a notice per value dropped, and the keys that are
    not filters (a page's view state, or unknown: the page decides)."""

    filters: Filters
    notices: list[str] = field(default_factory=list)
    other_keys: list[str] = field(default_factory=list)


def from_params(params: Params, options: Mapping[str, Sequence[str]]) -> Parsed:
    """Parse URL parameters (key → all its values); `options` holds the values the snapshot knows
    for each options kind (country, region, funder). Never raises."""
    notices: list[str] = []
    values: dict[str, object] = {}
    for spec in SPECS:
        values |= spec.parse(params, options, notices)
    other = [k for k in params if k not in URL_KEYS and k not in SHARED_KEYS]
    return Parsed(Filters(**values), notices, other)


def unknown_key_notices(keys: Sequence[str]) -> list[str]:
    return [f"Ignored unknown link parameter {_clip(k)}." for k in keys]
