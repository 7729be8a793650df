"""Country names → ISO 3166-1 alpha-3, continent and UN region, via `country_converter`.

NOTE: country_converter 1.3 reads its own table with pandas defaults, which under pandas 3
turn Namibia's ISO-2 code "NA" and obsolete rows' blank codes into NaN and crash its regex
set-up. We read the same bundled table ourselves with `keep_default_na=False` and pass it in;
the data and matching rules stay the library's.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache

import country_converter as coco
import pandas as pd

logging.getLogger("country_converter").setLevel(logging.ERROR)
_NOT_FOUND = "\x00not found"


@lru_cache(maxsize=1)
def _converter() -> coco.CountryConverter:
    path = os.path.join(os.path.dirname(coco.__file__), "country_data.tsv")
    df = pd.read_csv(path, sep="\t", encoding="utf-8", dtype=str, keep_default_na=False, na_values=[""])
    for col in ("ISO2", "ISO3", "regex", "name_short"):
        df[col] = df[col].fillna("")
    for col in ("obsolete", "UNmember"):
        df[col] = pd.to_numeric(df[col])
    return coco.CountryConverter(country_data=df)


@lru_cache(maxsize=4096)
def to_iso3(name: str | None) -> str | None:
    """ISO-3 code for a country name or code ('USA', 'UK', 'Czechia', 'UNITED STATES'), or None."""
    if name is None or not str(name).strip():
        return None
    # NOTE: coco's not_found=None means "return the input unchanged", so use a sentinel.
    result = _converter().convert(str(name).strip(), to="ISO3", not_found=_NOT_FOUND)
    return result if isinstance(result, str) and result != _NOT_FOUND else None


def countries_table() -> pd.DataFrame:
    """All current countries: iso3, name, continent, region (UN sub-region), and where they are
    on the map: centre (latitude, longitude) and the extent of their main land (west … north)."""
    data = _converter().data
    df = data[data["ISO3"].str.len() == 3][["ISO3", "name_short", "continent", "UNregion"]]
    df = df.rename(
        columns={"ISO3": "iso3", "name_short": "name", "continent": "continent", "UNregion": "region"}
    )
    df = df.drop_duplicates("iso3").sort_values("iso3").reset_index(drop=True)
    return pd.concat([df, _places(df["iso3"])], axis=1)


def _places(codes: pd.Series) -> pd.DataFrame:
    """Centre and extent of each country (see geocode.country_point / country_extent); missing
    where the map geometry has no such country."""
    from msprogress.ingest import geocode

    rows = []
    for iso3 in codes:
        centre = geocode.country_point(iso3) or (None, None)
        extent = geocode.country_extent(iso3) or (None, None, None, None)
        rows.append((*centre, *extent))
    return pd.DataFrame(rows, columns=["latitude", "longitude", "west", "south", "east", "north"])
