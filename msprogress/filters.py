"""The global filter state: one frozen object, its URL form, and its SQL parameter form.

Every page reads the same `Filters`. It is hashable, so cached query functions key on it.
`from_params` turns URL query parameters into a `Filters` plus human-readable notices for
every value it had to drop (unknown key, malformed year, unknown country …); it never raises.
`to_params` is its inverse with readable keys (`?country=ITA&gap=wellbeing&from=2015`).
`as_struct` is the single `$f` parameter every query binds: values travel as bound
parameters, never as SQL text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace

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
URL_KEYS = (
    "country",
    "region",
    "gap",
    "relevance",
    "population",
    "funder",
    "from",
    "to",
    "phase",
    "status",
    "q",
)
# Page-local view switches (funding, map, pipeline): each page validates its own values; the
# sidebar keeps them in the URL so a copied link reopens the same view.
PAGE_KEYS = (
    "group", "currency", "count", "view", "series", "metric", "country_view", "pop", "size", "nondrug", "support", "mixed",
)  # fmt: skip
OTHER_KEYS = ("snapshot", "present", *PAGE_KEYS)  # handled elsewhere, but known


@dataclass(frozen=True)
class Filters:
    countries: tuple[str, ...] = ()  # ISO-3
    regions: tuple[str, ...] = ()  # UN sub-regions, as in the countries table
    gap_areas: tuple[str, ...] = ()  # slugs of GAP_SLUGS
    relevance: str = "all"  # slug of RELEVANCE_SLUGS
    populations: tuple[str, ...] = ()  # slugs of POPULATION_SLUGS
    funders: tuple[str, ...] = ()  # funder names as in grants.funder
    year_from: int | None = None
    year_to: int | None = None
    phases: tuple[str, ...] = ()  # slugs of PHASE_SLUGS
    statuses: tuple[str, ...] = ()  # slugs of STATUS_SLUGS
    q: str = ""

    def as_struct(self) -> dict[str, object]:
        """The `$f` struct the SQL macros read. Lists are never None (empty = no filter)."""
        return {
            "countries": list(self.countries),
            "regions": list(self.regions),
            "gap_areas": [GAP_SLUGS[g] for g in self.gap_areas],
            "progressive_only": self.relevance == "progressive",
            "populations": [POPULATION_SLUGS[p] for p in self.populations],
            "funders": list(self.funders),
            "year_from": self.year_from,
            "year_to": self.year_to,
            "phases": [PHASE_SLUGS[p] for p in self.phases],
            "status_groups": [STATUS_SLUGS[s] for s in self.statuses],
            "q": self.q.strip() or None,
        }

    def to_params(self) -> dict[str, list[str]]:
        """URL query parameters with readable keys; defaults are left out."""
        out: dict[str, list[str]] = {}
        pairs: list[tuple[str, Iterable[str]]] = [
            ("country", self.countries),
            ("region", self.regions),
            ("gap", self.gap_areas),
            ("population", self.populations),
            ("funder", self.funders),
            ("phase", self.phases),
            ("status", self.statuses),
        ]
        for key, values in pairs:
            if values:
                out[key] = list(values)
        if self.relevance != "all":
            out["relevance"] = [self.relevance]
        if self.year_from is not None:
            out["from"] = [str(self.year_from)]
        if self.year_to is not None:
            out["to"] = [str(self.year_to)]
        if self.q.strip():
            out["q"] = [self.q.strip()]
        return out

    def is_default(self) -> bool:
        return self == Filters()

    def describe(self, markdown: bool = False) -> str:
        """The active filters in words, for chart subtitles and captions; with `markdown`, as
        Markdown that shows every value as typed (the free-text search as code)."""
        parts = []
        if self.countries:
            parts.append("countries: " + ", ".join(self.countries))
        if self.regions:
            parts.append("regions: " + ", ".join(self.regions))
        if self.gap_areas:
            parts.append("gap area: " + ", ".join(GAP_SLUGS[g] for g in self.gap_areas))
        parts.append(
            "progressive-specific research only" if self.relevance == "progressive" else "all MS research"
        )
        if self.populations:
            parts.append("population: " + ", ".join(POPULATION_SLUGS[p] for p in self.populations))
        if self.funders:
            parts.append("funders: " + ", ".join(self.funders))
        if self.year_from is not None or self.year_to is not None:
            parts.append(f"years {self.year_from or '…'}–{self.year_to or '…'}")
        if self.phases:
            parts.append("phase: " + ", ".join(PHASE_SLUGS[p] for p in self.phases))
        if self.statuses:
            parts.append("status: " + ", ".join(STATUS_SLUGS[s] for s in self.statuses))
        if markdown:
            parts = [md_escape(p) for p in parts]
        if self.q.strip():
            q = self.q.strip()
            parts.append("titles containing " + (md_code(q, MAX_VALUE_LEN) if markdown else f'"{q}"'))
        return "; ".join(parts)


def _clip(value: str) -> str:
    """A dropped value as the notice shows it: clipped, as inline code (never a live link)."""
    return md_code(value)


def _choices(
    key: str, values: list[str], allowed: Mapping[str, str] | set[str], notices: list[str]
) -> tuple[str, ...]:
    kept: list[str] = []
    for v in values[:MAX_VALUES]:
        v = v.strip()
        if v in allowed and v not in kept:
            kept.append(v)
        else:
            notices.append(f"Ignored {key}={_clip(v)!s}: not a known value.")
    if len(values) > MAX_VALUES:
        notices.append(f"Ignored {len(values) - MAX_VALUES} extra {key} values (at most {MAX_VALUES}).")
    return tuple(kept)


def _year(key: str, values: list[str], notices: list[str]) -> int | None:
    if not values:
        return None
    v = values[-1].strip()
    if re.fullmatch(r"\d{4}", v) and YEAR_MIN <= int(v) <= YEAR_MAX:
        return int(v)
    notices.append(f"Ignored {key}={_clip(v)}: not a year between {YEAR_MIN} and {YEAR_MAX}.")
    return None


def from_params(
    params: Mapping[str, list[str]],
    *,
    countries: set[str],
    regions: set[str],
    funders: set[str],
) -> tuple[Filters, list[str]]:
    """Parse URL parameters (key → all its values). Known-value sets come from the snapshot.

    Returns the filters and one notice per dropped key or value. Never raises."""
    notices: list[str] = []
    clean: dict[str, list[str]] = {}
    for key, values in params.items():
        if key not in URL_KEYS:
            if key not in OTHER_KEYS:
                notices.append(f"Ignored unknown link parameter {_clip(key)}.")
            continue
        ok = [v for v in values if len(v) <= MAX_VALUE_LEN]
        if len(ok) < len(values):
            notices.append(f"Ignored a {key} value longer than {MAX_VALUE_LEN} characters.")
        clean[key] = ok
    f = Filters(
        countries=_choices("country", [v.upper() for v in clean.get("country", [])], countries, notices),
        regions=_choices("region", clean.get("region", []), regions, notices),
        gap_areas=_choices("gap", clean.get("gap", []), GAP_SLUGS, notices),
        relevance=(
            _choices("relevance", clean.get("relevance", [])[-1:], RELEVANCE_SLUGS, notices) or ("all",)
        )[0],
        populations=_choices("population", clean.get("population", []), POPULATION_SLUGS, notices),
        funders=_choices("funder", clean.get("funder", []), funders, notices),
        year_from=_year("from", clean.get("from", []), notices),
        year_to=_year("to", clean.get("to", []), notices),
        phases=_choices("phase", clean.get("phase", []), PHASE_SLUGS, notices),
        statuses=_choices("status", clean.get("status", []), STATUS_SLUGS, notices),
        q=(clean.get("q") or [""])[-1].strip(),
    )
    if f.year_from is not None and f.year_to is not None and f.year_from > f.year_to:
        notices.append(f"Swapped years: from={f.year_from} was after to={f.year_to}.")
        f = replace(f, year_from=f.year_to, year_to=f.year_from)
    return f, notices


def field_names() -> list[str]:
    return [f.name for f in fields(Filters)]
