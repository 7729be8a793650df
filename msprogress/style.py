"""One visual language: colour-blind-safe palettes, fixed category → colour maps, captions.

Okabe–Ito (Okabe & Ito 2008) is the base palette: distinguishable under the common colour-
vision deficiencies and readable on light and dark backgrounds. Every chart takes its colours
from the maps here, so a gap area or mechanism has one colour everywhere.
"""

from __future__ import annotations

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
