"""Each filter of GET /suggest/partners restricts the candidates to what it names."""

from __future__ import annotations

import pytest

from tests.brokerage.conftest import ORG, Live
from tests.brokerage.test_suggestions import country, live_theme, names

UNFILTERED = {"d", "e", "f", "g", "h"}


def test_without_filters_every_non_partner_is_a_candidate(live: Live) -> None:
    assert set(names(live.suggestions(ORG + "a"))) == UNFILTERED


@pytest.mark.parametrize(("params", "expected"), [
    ({"country": country("ROU")}, {"g"}),
    ({"country": "DEU"}, {"h"}),  # an ISO code works as well as the IRI
    ({"theme": live_theme("health")}, {"f", "g", "h"}),
    ({"activity": "PRC"}, {"e"}),  # CORDIS activity code of the organisation type
    ({"coordinated": "1"}, {"d", "f"}),
    ({"complementary": "1"}, {"d", "f", "g"}),  # a is in a leader country
    ({"complementary": "1", "coordinated": "1"}, {"d", "f"}),
])
def test_a_filter_restricts_the_candidates(live: Live, params: dict, expected: set) -> None:
    assert set(names(live.suggestions(ORG + "a", **params))) == expected


def test_complementary_from_a_modest_innovator_finds_leaders(live: Live) -> None:
    # g (Romania, emerging) has partners c, f, h: candidates a, b, d, e; a and e are in Denmark
    assert set(names(live.suggestions(ORG + "g", complementary="1"))) == {"a", "e"}
