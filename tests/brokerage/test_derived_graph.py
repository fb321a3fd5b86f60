"""The derived brokerage facts are a named graph that answers SPARQL, marked as derived with
its method and the store version it came from; JSON and CSV give the same figures."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from typing import Any

import pytest

import corridor.derived.brokerage as brokerage_module
from corridor.derived import figures
from corridor.derived.brokerage import brokerage_for
from tests.brokerage.conftest import BASE, ORG, Live

GRAPH = BASE + "graph/derived/brokerage"


def sparql(live: Live, query: str) -> dict:
    deadline = time.monotonic() + 30
    while True:
        request = urllib.request.Request(
            f"{live.url}/sparql?query={urllib.parse.quote(query)}",
            headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request) as response:
            body = json.loads(response.read())
        if body.get("boolean", True) and body.get("results", {}).get("bindings", [1]) \
                or time.monotonic() > deadline:
            return body
        time.sleep(0.2)  # the first computation is still running


def test_the_derived_graph_is_marked_derived_with_method_and_version(live: Live) -> None:
    body = sparql(live, f"""
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dct: <http://purl.org/dc/terms/>
        PREFIX cor: <https://w3id.org/corridor/ontology#>
        SELECT ?version ?method WHERE {{ GRAPH <{GRAPH}> {{
          <{GRAPH}> a cor:DerivedGraph ; cor:derivedFromVersion ?version ;
            prov:wasGeneratedBy ?activity . ?activity dct:description ?method }} }}""")
    [row] = body["results"]["bindings"]
    assert int(row["version"]["value"]) >= 1
    assert "louvain" in row["method"]["value"].lower()


def test_sparql_finds_the_communities_and_betweenness_of_organisations(live: Live) -> None:
    body = sparql(live, f"""
        PREFIX cor: <https://w3id.org/corridor/ontology#>
        SELECT ?org ?b ?community WHERE {{ GRAPH <{GRAPH}> {{
          ?org cor:approximateBetweenness ?b ; cor:inCommunity ?community }} }}
        ORDER BY DESC(?b)""")
    rows = body["results"]["bindings"]
    assert rows[0]["org"]["value"] == ORG + "b"  # b joins p1, p2 and p4
    assert all(r["community"]["value"].startswith(BASE + "id/derived/community/") for r in rows)


def test_country_pairs_per_year_are_in_the_default_graph_too(live: Live) -> None:
    body = sparql(live, """
        PREFIX cor: <https://w3id.org/corridor/ontology#>
        PREFIX country: <http://publications.europa.eu/resource/authority/country/>
        SELECT ?n WHERE { ?pair a cor:CountryPairCollaboration ; cor:pairCountry country:DNK,
          country:ROU ; cor:year "2015"^^<http://www.w3.org/2001/XMLSchema#gYear> ;
          cor:projectCount ?n }""")
    assert [r["n"]["value"] for r in body["results"]["bindings"]] == ["1"]  # p1


def test_the_matrix_is_json_and_csv(live: Live) -> None:
    live.suggestions(ORG + "a")  # waits for the figures
    body = live.get_json("/corridor/matrix.json", year="2016")
    cells = {(c["a"][-3:], c["b"][-3:]): c for c in body["cells"]}
    assert cells[("DEU", "POL")]["projects"] == 1 and cells[("DEU", "POL")]["pair"] == \
        "modest-other"
    with urllib.request.urlopen(f"{live.url}/corridor/matrix.csv?year=2016") as response:
        assert response.headers["Content-Type"].startswith("text/csv")
        lines = response.read().decode().splitlines()
    assert lines[0] == "a,b,projects,participations,pair" and len(lines) == len(cells) + 1


@pytest.mark.parametrize(("year", "expected"), [
    ("all", {("ESP", "ROU"): [1, 3], ("DEU", "ROU"): [1, 2]}),  # p3, p5
    ("2016", {("ESP", "ROU"): [1, 3]}),  # p3 only
    ("2015", {}),
])
def test_the_matrix_of_one_programme_part_counts_its_projects_only(
    live: Live, year: str, expected: dict
) -> None:
    live.suggestions(ORG + "a")  # waits for the figures
    body = live.get_json("/corridor/matrix.json", year=year, part=BASE + "id/concept/theme/health")
    got = {(c["a"][-3:], c["b"][-3:]): [c["projects"], c["participations"]]
           for c in body["cells"]}
    assert got == expected


def test_the_leader_modest_share_counts_country_pairs_per_year(live: Live) -> None:
    share = live.get_json("/corridor/matrix.json")["leader_modest_share"]
    # 2015, p1: DEU-DNK, DEU-ROU, DNK-ROU; only DNK (leader) - ROU (emerging) is leader-modest
    assert share["2015"] == [1, 3]


def test_the_profile_gives_partners_per_year_and_position(live: Live) -> None:
    profile = live.get_json("/profile", organisation=ORG + "b")
    assert profile["partners_per_year"] == {"2015": 2, "2016": 2, "2017": 1}
    assert profile["projects"] == 3 and profile["betweenness"] > 0


def test_a_big_stores_analytics_come_from_a_child_process_and_equal_the_in_process_ones(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    brokerage = brokerage_for(live.store)
    network, in_process = brokerage.current(wait=True)
    assert network is not None and in_process is not None
    children: list[str] = []
    real_run = figures.run_in_child

    def counted(*args: Any) -> None:
        children.append(args[1])
        real_run(*args)

    monkeypatch.setattr(figures, "LARGE_CHECKPOINT_BYTES", 0)  # every store counts as big
    monkeypatch.setattr(brokerage_module, "run_in_child", counted)
    from_child = brokerage._analytics_of(network)
    assert children == ["corridor.derived.brokerage:analytics_json"]
    assert {**from_child.to_json(), "seconds": 0} == {**in_process.to_json(), "seconds": 0}


def test_the_analytics_kept_in_the_store_folder_are_read_back_after_a_restart(
    live: Live,
) -> None:
    _network, analytics = brokerage_for(live.store).current(wait=True)
    assert analytics is not None
    restarted = brokerage_module.Brokerage(live.store)  # what a new process starts with
    restarted._load_kept()
    assert restarted.analytics is not None
    assert restarted.analytics.to_json() == analytics.to_json()


def test_a_restart_reuses_the_kept_analytics_of_the_current_version(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    _network, analytics = brokerage_for(live.store).current(wait=True)
    assert analytics is not None
    restarted = brokerage_module.Brokerage(live.store)

    def recomputed(_self: Any, _net: Any) -> None:
        raise AssertionError("the analytics of this version were computed again")

    monkeypatch.setattr(brokerage_module.Brokerage, "_analytics_of", recomputed)
    assert restarted._compute() == live.store.version
    assert restarted.analytics is not None
    assert restarted.analytics.to_json() == analytics.to_json()
