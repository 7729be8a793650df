"""Filter state ↔ URL: round trips, and bad values dropped with notices, never errors."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from msprogress import schema
from msprogress.filters import (
    DEFAULTS,
    GAP_SLUGS,
    PHASE_SLUGS,
    POPULATION_SLUGS,
    SPECS,
    STATUS_SLUGS,
    URL_KEYS,
    Filters,
    from_params,
)

KNOWN = {"country": ["ITA", "USA", "GBR"], "region": ["Southern Europe"], "funder": ["NIH NINDS"]}


def test_slugs_cover_the_vocabularies():
    assert set(PHASE_SLUGS.values()) == set(schema.PHASES)
    assert set(STATUS_SLUGS.values()) == set(schema.STATUS_GROUPS)
    assert set(GAP_SLUGS.values()) == set(schema.GAP_AREAS)
    assert set(POPULATION_SLUGS.values()) <= set(schema.PROGRESSIVE_POPULATIONS)


def test_round_trip():
    f = Filters(
        countries=("ITA",),
        gap_areas=("wellbeing",),
        relevance="progressive",
        year_from=2010,
        year_to=2020,
        phases=("3",),
        statuses=("recruiting",),
        funders=("NIH NINDS",),
        q="exercise",
    )
    parsed = from_params(f.to_params(), KNOWN)
    assert parsed.filters == f and parsed.notices == [] and parsed.other_keys == []


def test_readable_keys():
    assert Filters(countries=("ITA",), year_from=2015).to_params() == {"country": ["ITA"], "from": ["2015"]}


def test_bad_values_are_dropped_with_notices():
    parsed = from_params(
        {
            "country": ["ita", "XXX", "'; drop table trials; --"],
            "from": ["20x5"],
            "to": ["1999"],
            "gap": ["nonsense"],
            "colour": ["red"],
            "q": ["a" * 10_000],
        },
        KNOWN,
    )
    assert parsed.filters == Filters(countries=("ITA",), year_to=1999)
    text = " ".join(parsed.notices)
    for fragment in ("country=`XXX`", "from=`20x5`", "gap=`nonsense`", "longer than"):
        assert fragment in text
    assert parsed.other_keys == ["colour"]  # not a filter: the page decides (its view key, or unknown)


def test_years_swapped_when_reversed():
    parsed = from_params({"from": ["2020"], "to": ["2010"]}, KNOWN)
    assert (parsed.filters.year_from, parsed.filters.year_to) == (2010, 2020) and parsed.notices


@given(st.dictionaries(st.text(max_size=20), st.lists(st.text(max_size=300), max_size=5), max_size=8))
def test_never_raises(params):
    parsed = from_params(params, KNOWN)
    assert isinstance(parsed.filters, Filters)
    assert set(parsed.filters.countries) <= set(KNOWN["country"])


def test_every_category_has_its_colour_or_encoding():
    """Gap areas one colour each; mechanism classes through their families (tests/test_pipeline.py
    checks those); trial statuses a pipeline fill each, never a colour."""
    from msprogress import style
    from msprogress.charts import pipeline
    from msprogress.ingest import agents

    assert set(style.MECHANISM_FAMILIES) == set(agents.MECHANISM_CLASSES)
    assert set(pipeline.MARKS["status"].fills) | {"Unknown"} == set(schema.STATUS_GROUPS)
    assert set(style.GAP_AREA_COLOURS) == set(schema.GAP_AREAS)


def test_describe_shows_typed_text_as_text():
    """In Markdown the search is code (GFM links bare addresses even when escaped) and the rest is
    escaped; for plotly, tags are escaped (plotly would draw <a href> as a link)."""
    from msprogress.markup import md_code, plotly_text

    f = Filters(q="![x](http://evil.example/p.png) <b>", funders=("NIH *NINDS*",))
    md = f.describe(markdown=True)
    assert md.endswith("titles containing `![x](http://evil.example/p.png) <b>`")
    assert "NIH \\*NINDS\\*" in md
    assert plotly_text(f.describe()).count("&lt;b&gt;") == 1 and "<b>" not in plotly_text(f.describe())
    assert md_code("a`b" + "x" * 60) == "`a'b" + "x" * 36 + "…`"
    assert md_code("   ") == "(empty)"


def test_the_spec_table_is_the_one_place():
    """Every filter field, URL key, struct member and widget comes from SPECS; nothing else."""
    assert set(DEFAULTS) == {n for s in SPECS for n in s.fields}
    struct = Filters().as_struct()
    assert set(struct) == {k for s in SPECS for k in s.as_sql(Filters())}
    assert len(URL_KEYS) == len(set(URL_KEYS))
    sql = __import__("msprogress.queries", fromlist=["macros_sql"]).macros_sql()
    for member in struct:  # each struct member has its predicate in the macros
        assert f"f['{member}']" in sql, member


def test_filters_is_immutable_hashable_and_rejects_unknown_fields():
    import pickle

    import pytest

    f = Filters(countries=("ITA",))
    assert hash(f) == hash(Filters(countries=("ITA",))) and f != Filters()
    assert pickle.loads(pickle.dumps(f)) == f
    assert f.replace(countries=()) == Filters() and Filters().is_default()
    with pytest.raises(AttributeError):
        f.countries = ()  # type: ignore[misc]
    with pytest.raises(TypeError, match="not a filter: colour"):
        Filters(colour="red")
    with pytest.raises(AttributeError):
        _ = f.colour


def test_describe_uses_names_for_codes():
    f = Filters(countries=("ITA",), gap_areas=("wellbeing",))
    assert f.describe(names={"country": {"ITA": "Italy"}}).startswith(
        "countries: Italy; gap area: Well-being"
    )
    assert "countries: ITA" in f.describe()
