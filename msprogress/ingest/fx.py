"""Currency conversion with the ECB euro reference rates shipped in `currencyconverter`.

Method (stated on every converted row in `grants.fx_method`): an amount of year Y is
converted with the mean of the ECB's daily euro reference rates in year Y, crossing via
EUR for non-euro pairs. Where Y lies outside the ECB series (before 1999, when the euro did
not exist, or after the library's last rate), the nearest full year's mean is used and the
method text says so. No network: the rates file is inside the installed package.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache

from currency_converter import CurrencyConverter

TARGETS = ("EUR", "USD", "GBP")


@lru_cache(maxsize=1)
def _converter() -> CurrencyConverter:
    return CurrencyConverter(fallback_on_missing_rate=True, fallback_on_wrong_date=False)


def known_currency(code: str | None) -> bool:
    return bool(code) and (code == "EUR" or code in _converter().currencies)


def rate_years(currency: str) -> tuple[int, int]:
    """First and last year for which the ECB series has a full year of rates."""
    first, last = _converter().bounds[currency]
    first_full = first.year if first <= dt.date(first.year, 1, 10) else first.year + 1
    last_full = last.year if last >= dt.date(last.year, 12, 20) else last.year - 1
    return first_full, last_full


@lru_cache(maxsize=2048)
def annual_mean_rate(currency: str, year: int) -> float:
    """Units of `currency` per 1 EUR, averaged over the year's ECB daily rates."""
    if currency == "EUR":
        return 1.0
    rates = _converter()._rates[currency]  # NOTE: date → rate dict; the library has no public iterator
    values = [r for d, r in rates.items() if d.year == year and r is not None and not math.isnan(r)]
    if not values:
        raise KeyError(f"no ECB rate for {currency} in {year}")
    return sum(values) / len(values)


def rate_year_for(year: int, currencies: tuple[str, ...]) -> int:
    """The year whose rates are used for `year`: itself if every currency has it, else nearest."""
    lo = (
        max(rate_years(c)[0] for c in currencies if c != "EUR")
        if any(c != "EUR" for c in currencies)
        else year
    )
    hi = (
        min(rate_years(c)[1] for c in currencies if c != "EUR")
        if any(c != "EUR" for c in currencies)
        else year
    )
    return min(max(year, lo), hi)


def method_text(year: int | None, rate_year: int | None) -> str:
    if year is None or rate_year is None:
        return "not converted (no year or no amount)"
    base = f"ECB euro reference rates, mean of {rate_year} daily rates, crossed via EUR"
    if rate_year != year:
        why = "the euro did not exist yet" if year < 1999 else "later rates not in the shipped series"
        base += f" (nearest full year to {year}: {why})"
    return base


def convert(amount: float | None, currency: str | None, year: int | None) -> dict[str, float | str | None]:
    """Convert `amount` in `currency` of `year` to EUR, USD and GBP; returns amount_eur,
    amount_usd, amount_gbp and fx_method. Missing inputs give missing outputs, never zero."""
    out: dict[str, float | str | None] = {f"amount_{t.lower()}": None for t in TARGETS}
    if amount is None or (isinstance(amount, float) and math.isnan(amount)) or not currency or year is None:
        out["fx_method"] = method_text(None, None)
        return out
    ry = rate_year_for(int(year), (currency, *TARGETS))
    eur = amount / annual_mean_rate(currency, ry)
    for t in TARGETS:
        out[f"amount_{t.lower()}"] = eur * annual_mean_rate(t, ry)
    out["fx_method"] = method_text(int(year), ry)
    return out
