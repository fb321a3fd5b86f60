"""Brokerage records (TIBS matches) written through the write API with the token show on the
collaboration profile and the page of both parties; the shapes that guard them are proven by
the invalid fixtures brokerage-*.ttl (tests/validation)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.brokerage.conftest import BASE, ORG, PREFIXES, Live

RECORD = PREFIXES + f"""
@prefix dct: <http://purl.org/dc/terms/> .
<{BASE}id/brokerage/a-g-2026> a cor:BrokerageRecord ;
    rdfs:label "TIBS match: A and G on health"@en ;
    cor:matchedParty org:a , org:g ; cor:broker org:b ; cor:sharedTheme theme:health ;
    dct:date "2026-11-30"^^xsd:date ; cor:matchStatus <{BASE}id/concept/match-status/agreed> ;
    cor:matchOutcome "Joint proposal planned"@en .
"""


@pytest.fixture(scope="module")
def recorded(live: Live) -> Live:
    assert live.post_turtle(BASE + "graph/brokerage/records", RECORD) in (200, 201, 204)
    return live


def test_writing_a_record_needs_the_token(live: Live) -> None:
    request = urllib.request.Request(
        f"{live.url}/graph-store?graph={urllib.parse.quote(BASE + 'graph/brokerage/x')}",
        data=RECORD.encode(), method="POST", headers={"Content-Type": "text/turtle"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(request)
    assert e.value.code == 401


@pytest.mark.parametrize(("party", "other"), [("a", "g"), ("g", "a")])
def test_the_record_shows_on_the_profile_of_both_parties(recorded: Live, party: str,
                                                         other: str) -> None:
    [record] = recorded.get_json("/profile", organisation=ORG + party)["records"]
    assert record["label"] == "TIBS match: A and G on health"
    assert record["parties"] == [ORG + other] and record["broker"] == ORG + "b"
    assert record["date"] == "2026-11-30" and record["themes"] == [BASE + "id/concept/theme/health"]


@pytest.mark.parametrize("party", ["a", "g"])
def test_the_record_shows_on_the_page_of_both_parties(recorded: Live, party: str) -> None:
    url = f"{recorded.url}/resource?iri={urllib.parse.quote(ORG + party)}"
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/html"})) as r:
        assert "TIBS match: A and G on health" in r.read().decode()
