"""One visual language: colour-blind-safe palettes, fixed category → colour maps, and how numbers
and years are written (money with its currency, year ranges).

Okabe–Ito (Okabe & Ito 2008) is the base palette: distinguishable under the common colour-
vision deficiencies and readable on light and dark backgrounds. Every chart takes its colours
from the maps here, so a gap area or mechanism has one colour everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable

OKABE_ITO = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#999999",
    "#000000",
)

GAP_AREA_COLOURS = {
    "Mechanisms of progression": "#0072B2",
    "Accelerating clinical trials": "#D55E00",
    "Well-being: rehabilitation and symptom management": "#009E73",
    "MS research, not progression-specific": "#999999",
}

PHASE_COLOUR = "#0072B2"

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "US$", "GBP": "£"}
CURRENCY_LABELS = {"EUR": "EUR €", "USD": "USD $", "GBP": "GBP £"}  # a currency switch's options, as shown


def money(value: float | None, currency: str) -> str:
    """'€12.6 M'; missing stays visibly missing."""
    if value is None or value != value:
        return "no amount stated"
    sym = CURRENCY_SYMBOLS.get(currency, currency + " ")
    for div, unit in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= div:
            return f"{sym}{value / div:,.1f}{unit}"
    return f"{sym}{value:,.0f}"


# Mechanism classes (agents.MECHANISM_CLASSES) grouped into 8 families and "Other", one colour
# each (the class itself stays in hovers and tables). NOTE: 14 classes in 14 colours could not be
# told apart (several near-identical blues); 8 + grey is about the most a reader separates at a
# glance. The colours are Okabe–Ito and Paul Tol's "bright" set, chosen so that every pair stays
# apart (CIEDE2000 ≥ 10) for normal vision and simulated protanopia, deuteranopia and tritanopia,
# and every colour is visible on white and on the dark theme (tests/test_pipeline.py checks both).
OTHER_FAMILY = "Other"
MECHANISM_FAMILIES = {
    "B-cell depletion (anti-CD20/CD19)": "B-cell depletion",
    "BTK inhibition": "BTK inhibition",
    "S1P receptor modulation": "S1P modulation",
    "Other immunomodulation": "Other immune therapies",
    "Immunosuppression / chemotherapy": "Other immune therapies",
    "Neuroprotection / metabolic": "Neuroprotection and metabolic",
    "Antioxidant": "Neuroprotection and metabolic",
    "Remyelination / repair": "Remyelination and repair",
    "Cell therapy": "Cell therapy",
    "Symptomatic": "Symptomatic",
    "Antiviral / EBV-directed": OTHER_FAMILY,
    "Supportive / premedication": OTHER_FAMILY,
    "Diagnostic / imaging agent": OTHER_FAMILY,
    "Background therapy / standard of care": OTHER_FAMILY,
}
FAMILY_COLOURS = {
    "B-cell depletion": "#0072B2",
    "BTK inhibition": "#CC3311",
    "S1P modulation": "#009E73",
    "Other immune therapies": "#56B4E9",
    "Neuroprotection and metabolic": "#CCBB44",
    "Remyelination and repair": "#AA3377",
    "Cell therapy": "#EE6677",
    "Symptomatic": "#999933",
    OTHER_FAMILY: "#A0A0A0",  # also non-drug interventions: no drug mechanism
}


def year_ranges(years: Iterable[object]) -> str:
    """[1993, 1994, 1996, 1997, 1998] → '1993–1994, 1996–1998'; nothing → 'none'."""
    spans: list[list[int]] = []
    for y in sorted(int(str(y)) for y in years):
        if spans and y == spans[-1][1] + 1:
            spans[-1][1] = y
        else:
            spans.append([y, y])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans) or "none"


def percent(share: float | None, digits: int = 0) -> str:
    """A 0–1 share as '34%'; missing stays visibly missing ('—')."""
    if share is None or share != share:
        return "—"
    return f"{share:.{digits}%}"


def plural(n: int, noun: str, many: str | None = None) -> str:
    """'1 trial', '2 trials', '3,513 trials', '2 countries' (`many` for an irregular plural)."""
    if many is None:
        consonant_y = noun.endswith("y") and noun[-2:-1] not in tuple("aeiou")
        many = noun[:-1] + "ies" if consonant_y else noun + "s"
    return f"{n:,} {noun if n == 1 else many}"
