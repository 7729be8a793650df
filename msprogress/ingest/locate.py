"""The build step that puts every project's lead organisation and every trial site on the map.

Readers store the coordinates their source gives (NIH RePORTER: the organisation's address; the
registry API: a site's) or geocode the city they are given (the ClinicalTrials.gov export). Many
rows have neither: the curated and member grants name an organisation and a country only, and
CTIS lists a trial's countries, never its cities. Without this step the point map showed only
the organisations NIH places, so it read "research happens in the United States".

Each row without coordinates is placed here, once every reader has run, by the first that
works, and `location_precision` says which (schema.LOCATION_PRECISIONS):
1. `organisation`: the same organisation (same name once normalised, same country) elsewhere in
   the snapshot with the source's coordinates, when they agree on one place;
2. `city`: the row's city, found within its country in the offline gazetteer;
3. `city in name`: a city of 50,000+ inhabitants the organisation's name names
   ("Imperial College London", "San Raffaele Hospital Milan");
4. `country`: the centre of the country (no city given), drawn apart on the map.
Rows that came with coordinates keep them: `source`, unless their reader said otherwise.
A row without a country stays unplaced.

NOTE: names are compared after `geocode.normalise`, with parenthesised remarks dropped and a few
spellings made one ("Institutet" = "Institute", NIH's "UNIV" = "University"); NIH's older exports
cut names at 30 characters, so a known name that is the start of the wanted one (or the wanted
one followed by more words) also matches.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

import pandas as pd

from msprogress.ingest import geocode
from msprogress.ingest.base import SourceResult

_SPELLINGS = {
    "institutet": "institute",
    "instituut": "institute",
    "univ": "university",
    "universitet": "university",
    "med": "medical",
    "ctr": "center",
    "centre": "center",
    "hosp": "hospital",
    "sch": "school",
    "inst": "institute",
}
NIH_NAME_CUT = 30  # characters NIH's older exports keep of an organisation's name
SAME_PLACE_SHARE = 0.75  # a name's records must agree on one place this often to lend it
Known = dict[str, dict[str, Counter[tuple[float, float]]]]  # iso3 → name key → places (counted)


def org_key(name: object) -> str:
    """'The Karolinska Institutet (coordinator)' → 'karolinska institute'."""
    if not isinstance(name, str):
        return ""
    words = geocode.normalise(re.sub(r"\(.*?\)", " ", name)).split()
    words = [_SPELLINGS.get(w, w) for w in words]
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def place(results: list[SourceResult]) -> list[SourceResult]:
    """The results with every project and trial site that has a country placed, and how."""
    known = known_organisations(results)
    return [_placed(r, known) for r in results]


def _placed(result: SourceResult, known: Known) -> SourceResult:
    tables = dict(result.tables)
    if "projects" in tables and not tables["projects"].empty:
        tables["projects"] = locate_projects(tables["projects"], known)
    if "trial_countries" in tables and not tables["trial_countries"].empty:
        tables["trial_countries"] = locate_sites(tables["trial_countries"])
    spilled = dict(result.spilled)
    if "projects" in spilled and spilled["projects"].rows:  # member projects: a row group at a time
        spilled["projects"] = spilled["projects"].map(lambda df: locate_projects(df, known))
    return dataclasses.replace(result, tables=tables, spilled=spilled)


PLACE_COLUMNS = ("city", "iso3", "latitude", "longitude", "location_precision")


def _with_source_precision(df: pd.DataFrame, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """A copy with the place columns (a reader may leave them out) and precision 'source' where
    the reader gave coordinates without saying how it found them."""
    out = df.copy()
    for col in (*PLACE_COLUMNS, *extra):
        if col not in out:
            out[col] = None
    out["latitude"], out["longitude"] = (pd.to_numeric(out[c]) for c in ("latitude", "longitude"))
    given = out["latitude"].notna() & out["longitude"].notna() & out["location_precision"].isna()
    out["location_precision"] = out["location_precision"].astype(object)
    out.loc[given, "location_precision"] = "source"
    return out


def known_organisations(results: list[SourceResult]) -> Known:
    """Places of organisations as sources give them (or another NIH record of the same IPF
    organisation, `nih_overlap`): country → name key → (lat, lon) counts."""
    known: Known = {}
    for r in results:
        df = r.tables.get("projects")  # NOTE: not spilled ones: a member file gives no coordinates
        if df is None or df.empty:
            continue
        df = _with_source_precision(df, ("organisation",))
        rows = df[df["location_precision"].isin(["source", "organisation"]) & df["iso3"].notna()]
        for name, iso3, lat, lon in zip(
            rows["organisation"], rows["iso3"], rows["latitude"], rows["longitude"], strict=True
        ):
            key = org_key(name)
            if key:
                known.setdefault(iso3, {}).setdefault(key, Counter())[(float(lat), float(lon))] += 1
    return known


def same_organisation(name: object, iso3: object, known: Known) -> tuple[float, float] | None:
    """The place the same organisation has elsewhere, when its records agree on one."""
    key = org_key(name)
    if not key or not isinstance(iso3, str) or iso3 not in known:
        return None
    names = known[iso3]
    matches = [names[key]] if key in names else [p for k, p in names.items() if _same_name(key, k)]
    places: Counter[tuple[float, float]] = sum(matches, Counter())
    return _agreed(places)


def _same_name(wanted: str, known: str) -> bool:
    """A longer form of the wanted name, or either one NIH's 30-character cut of the other."""
    if known.startswith(wanted + " "):
        return True
    shorter, longer = sorted((wanted, known), key=len)
    return len(shorter) >= NIH_NAME_CUT - 2 and longer.startswith(shorter)


def _agreed(places: Counter[tuple[float, float]]) -> tuple[float, float] | None:
    """The most common place when SAME_PLACE_SHARE of the records lie within ~10 km of it."""
    if not places:
        return None
    by_area = Counter[tuple[float, float]]()
    for (lat, lon), n in places.items():
        by_area[(round(lat, 1), round(lon, 1))] += n
    area, n = by_area.most_common(1)[0]
    if n < SAME_PLACE_SHARE * sum(places.values()):
        return None
    return max((p for p in places if (round(p[0], 1), round(p[1], 1)) == area), key=lambda p: places[p])


def locate_projects(df: pd.DataFrame, known: Known) -> pd.DataFrame:
    """Projects with every lead organisation that has a country placed (see the module)."""
    out = _with_source_precision(df, ("organisation",))
    todo = out.index[out["latitude"].isna() & out["iso3"].notna()]
    for i in todo:
        found = _locate_organisation(
            out.at[i, "organisation"], out.at[i, "city"], str(out.at[i, "iso3"]), known
        )
        if found:
            (out.at[i, "latitude"], out.at[i, "longitude"]), out.at[i, "location_precision"] = found
    return out


def _locate_organisation(
    name: object, city: object, iso3: str, known: Known
) -> tuple[tuple[float, float], str] | None:
    point = same_organisation(name, iso3, known)
    if point:
        return point, "organisation"
    hit = geocode.find_place(city if isinstance(city, str) else None, iso3)
    if hit:
        return (hit.latitude, hit.longitude), "city"
    hit = geocode.city_in_name(name if isinstance(name, str) else None, iso3)
    if hit:
        return (hit.latitude, hit.longitude), "city in name"
    centre = geocode.country_point(iso3)
    return (centre, "country") if centre else None


def locate_sites(df: pd.DataFrame) -> pd.DataFrame:
    """Trial sites with every listed country placed: sites without coordinates at its centre."""
    out = _with_source_precision(df)
    for i in out.index[out["latitude"].isna() & out["iso3"].notna()]:
        centre = geocode.country_point(str(out.at[i, "iso3"]))
        if centre:
            out.at[i, "latitude"], out.at[i, "longitude"] = centre
            out.at[i, "location_precision"] = "country"
    return out
