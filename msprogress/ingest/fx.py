"""Currency conversion with the ECB euro reference rates shipped in `currencyconverter`.

Method (stated on every converted row in `grants.fx_method`): an amount of year Y is
converted with the mean of the ECB's daily euro reference rates in year Y, crossing via
EUR for non-euro pairs. Where Y lies outside the ECB series (before 1999, when the euro did
not exist, or after the library's last rate), the nearest full year's mean is used and the
method text says so. Where Y lies *inside* a currency's series but the ECB published no rate
that year (it stopped quoting ISK from December 2008 to January 2018), the rate is interpolated
linearly between the last published rate before and the first after, and the method text says
so with the years the interpolation bridges: such a rate is not "the mean of the year's daily
rates". No network: the rates file is inside the installed package.

A currency code is checked against ISO 4217 (`pycountry`): a code the ECB does not quote is told
apart from a code that is not a currency at all (`currency_problem`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from functools import lru_cache

import pycountry
from currency_converter import CurrencyConverter

TARGETS = ("EUR", "USD", "GBP")


@lru_cache(maxsize=1)
def _converter() -> CurrencyConverter:
    # NOTE: no fallback: a day without a published rate stays None, so published and interpolated
    # rates can be told apart (interpolation is done here, and said).
    return CurrencyConverter(fallback_on_missing_rate=False, fallback_on_wrong_date=False)


def known_currency(code: str | None) -> bool:
    return bool(code) and (code == "EUR" or code in _converter().currencies)


def currency_problem(code: str) -> str | None:
    """None when the ECB quotes `code`; else why it cannot be converted, in words for the person
    who typed it: not an ISO 4217 code at all, or a real code without an ECB rate."""
    if known_currency(code):
        return None
    found = pycountry.currencies.get(alpha_3=code) if len(code) == 3 and code.isascii() else None
    if found is None:
        return "not an ISO 4217 code"
    return (
        f"no ECB rate for this code ({found.name}): the dashboard converts with the ECB's euro reference "
        "rates, which do not cover it; give the amount in EUR, USD or GBP instead"
    )


@lru_cache(maxsize=64)
def _published(currency: str) -> tuple[list[dt.date], list[float]]:
    """The ECB's published daily rates of `currency` (units per EUR), by date."""
    pairs = sorted(
        (d, r) for d, r in _converter()._rates[currency].items() if r is not None and not math.isnan(r)
    )  # NOTE: `_rates` is the library's date → rate dict; it has no public iterator
    return [d for d, _ in pairs], [r for _, r in pairs]


def rate_years(currency: str) -> tuple[int, int]:
    """First and last year for which the ECB series has a full year of rates."""
    first, last = _converter().bounds[currency]
    first_full = first.year if first <= dt.date(first.year, 1, 10) else first.year + 1
    last_full = last.year if last >= dt.date(last.year, 12, 20) else last.year - 1
    return first_full, last_full


def bridge(currency: str, year: int) -> tuple[dt.date, dt.date] | None:
    """For a year inside the currency's series in which the ECB published no rate: the dates of the
    last published rate before it and the first after it. None when the year has published rates."""
    if currency == "EUR":
        return None
    dates, _ = _published(currency)
    i = bisect.bisect_left(dates, dt.date(year, 1, 1))
    if i < len(dates) and dates[i].year == year:
        return None
    if i == 0 or i == len(dates):
        return None  # outside the series: rate_year_for moves to the nearest full year
    return dates[i - 1], dates[i]


@lru_cache(maxsize=2048)
def annual_mean_rate(currency: str, year: int) -> float:
    """Units of `currency` per 1 EUR: the mean of the year's published ECB daily rates; in a year
    without any (`bridge`), the linear interpolation between the rates around it, at mid-year
    (the mean of the interpolated daily rates of a year)."""
    if currency == "EUR":
        return 1.0
    dates, rates = _published(currency)
    gap = bridge(currency, year)
    if gap is not None:
        (d0, d1), mid = gap, dt.date(year, 7, 2)
        r0, r1 = rates[dates.index(d0)], rates[dates.index(d1)]
        return r0 + (r1 - r0) * (mid - d0).days / (d1 - d0).days
    lo, hi = (
        bisect.bisect_left(dates, dt.date(year, 1, 1)),
        bisect.bisect_left(dates, dt.date(year + 1, 1, 1)),
    )
    if lo == hi:
        raise KeyError(f"no ECB rate for {currency} in {year}")
    return sum(rates[lo:hi]) / (hi - lo)


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


def method_text(year: int | None, rate_year: int | None, currency: str | None = None) -> str:
    if year is None or rate_year is None:
        return "not converted (no year or no amount)"
    gap = bridge(currency, rate_year) if currency else None
    if gap is not None:
        (d0, d1), first, last = gap, gap[0].year + 1, gap[1].year - 1
        years = str(first) if first == last else f"{first}–{last}"
        return (
            f"ECB euro reference rates, crossed via EUR; the ECB published no {currency} rate in {years}, so "
            f"the {rate_year} rate is interpolated linearly between {d0} and {d1} (not a mean of daily rates)"
        )
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
    out["fx_method"] = method_text(int(year), ry, currency)
    return out
