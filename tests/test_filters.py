"""Filter state ↔ URL: round trips, and bad values dropped with notices, never errors."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from msprogress import schema
from msprogress.filters import (
    GAP_SLUGS,
    PHASE_SLUGS,
    POPULATION_SLUGS,
    STATUS_SLUGS,
    Filters,
    from_params,
)

KNOWN = dict(countries={"ITA", "USA", "GBR"}, regions={"Southern Europe"}, funders={"NIH NINDS"})


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
    back, notices = from_params(f.to_params(), **KNOWN)
    assert back == f and notices == []


def test_readable_keys():
    assert Filters(countries=("ITA",), year_from=2015).to_params() == {"country": ["ITA"], "from": ["2015"]}


def test_bad_values_are_dropped_with_notices():
    f, notices = from_params(
        {
            "country": ["ITA", "XXX", "'; drop table trials; --"],
            "from": ["20x5"],
            "to": ["1999"],
            "gap": ["nonsense"],
            "colour": ["red"],
            "q": ["a" * 10_000],
        },
        **KNOWN,
    )
    assert f == Filters(countries=("ITA",), year_to=1999)
    text = " ".join(notices)
    for fragment in (
        "country=`XXX`",
        "from=`20x5`",
        "gap=`nonsense`",
        "unknown link parameter `colour`",
        "longer than",
    ):
        assert fragment in text


def test_years_swapped_when_reversed():
    f, notices = from_params({"from": ["2020"], "to": ["2010"]}, **KNOWN)
    assert (f.year_from, f.year_to) == (2010, 2020) and notices


@given(st.dictionaries(st.text(max_size=20), st.lists(st.text(max_size=300), max_size=5), max_size=8))
def test_never_raises(params):
    f, notices = from_params(params, **KNOWN)
    assert isinstance(f, Filters)
    assert set(f.countries) <= KNOWN["countries"]


def test_every_mechanism_class_has_one_colour():
    from msprogress import style
    from msprogress.ingest import agents

    assert set(style.MECHANISM_COLOURS) == set(agents.MECHANISM_CLASSES)
    assert len(set(style.MECHANISM_COLOURS.values())) == len(style.MECHANISM_COLOURS)
    assert set(style.STATUS_COLOURS) == set(schema.STATUS_GROUPS)
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
