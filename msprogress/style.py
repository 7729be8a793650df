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


def money(value: float | None, currency: str) -> str:
    """'€12.6 M'; missing stays visibly missing."""
    if value is None or value != value:
        return "no amount stated"
    sym = CURRENCY_SYMBOLS.get(currency, currency + " ")
    for div, unit in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= div:
            return f"{sym}{value / div:,.1f}{unit}"
    return f"{sym}{value:,.0f}"


# One colour per mechanism class (agents.MECHANISM_CLASSES), everywhere. Okabe–Ito first, then
# Paul Tol's "muted" scheme (also colour-blind safe); supportive/diagnostic/background in greys.
MECHANISM_COLOURS = {
    "B-cell depletion (anti-CD20/CD19)": "#0072B2",
    "BTK inhibition": "#D55E00",
    "S1P receptor modulation": "#009E73",
    "Other immunomodulation": "#56B4E9",
    "Immunosuppression / chemotherapy": "#CC79A7",
    "Neuroprotection / metabolic": "#E69F00",
    "Remyelination / repair": "#882255",
    "Antioxidant": "#999933",
    "Cell therapy": "#332288",
    "Antiviral / EBV-directed": "#44AA99",
    "Symptomatic": "#DDCC77",
    "Supportive / premedication": "#BBBBBB",
    "Diagnostic / imaging agent": "#888888",
    "Background therapy / standard of care": "#555555",
}

# Non-drug interventions on the pipeline grid (modalities), in muted tones distinct from drugs.
MODALITY_COLOURS = {
    "rehabilitation": "#117733",
    "exercise": "#88CCEE",
    "behavioural": "#AA4499",
    "device": "#6699CC",
    "diet/supplement": "#CC6677",
    "procedure": "#661100",
}

STATUS_COLOURS = {
    "Recruiting": "#009E73",
    "Active, not recruiting": "#56B4E9",
    "Completed": "#0072B2",
    "Stopped early": "#D55E00",
    "Withdrawn": "#CC79A7",
    "Unknown": "#999999",
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
