"""Fact-level provenance: every triple of data/ is traceable to the source it came from.

Mechanism (ontology/README.md): each file of data/ is one named graph that describes itself
with ``prov:wasDerivedFrom`` its source(s) -- a seed document, the editors' decisions or a
reference table -- and the sources of a triple are the sources of the graph that holds it.
``queries/provenance-of-a-resource.rq`` reads it that way.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from tests.model.corridor_model import BASE, data_files, graph_name, load_store, query_text, select

SELECTOR = '  ?resource rdfs:label "University of Franche-Comte"@en .\n'
EDITORS = BASE + "id/source/corridor-editors"
COR = "https://w3id.org/corridor/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return load_store()


def every_fact_query() -> str:
    text = query_text("provenance-of-a-resource")
    assert SELECTOR in text
    return text.replace(SELECTOR, "")


def test_every_triple_in_data_has_a_source_under_the_provenance_query(store: ox.Store) -> None:
    rows = select(store, every_fact_query())
    traced = {(r["resource"], r["property"], r["value"], r["graph"]) for r in rows}
    data_graphs = {graph_name(path) for path in data_files()}
    untraced = []
    total = 0
    for quad in store.quads_for_pattern(None, None, None, None):
        if quad.graph_name not in data_graphs:
            continue
        total += 1
        key = (quad.subject.value, quad.predicate.value, quad.object.value, quad.graph_name.value)
        if key not in traced:
            untraced.append(key)
    assert total > 30000
    assert untraced == []
    assert {r["kind"] for r in rows} == {
        "seed document", "editorial decision", "reference table or imported file"
    }


def test_every_data_graph_names_its_sources_and_seed_graphs_one_seed(store: ox.Store) -> None:
    for path in data_files():
        graph = graph_name(path)
        sources = {
            r["source"]
            for r in select(
                store,
                f"SELECT ?source WHERE {{ GRAPH {graph} {{ {graph} "
                f"<http://www.w3.org/ns/prov#wasDerivedFrom> ?source }} "
                f"?source a <{COR}SourceDocument> }}",
            )
        }
        assert sources, path
        seeds = {s for s in sources if "/id/source/seed-" in s}
        if path.name != "gosmart-excel-bsr-da-sv.ttl":  # the facts both GoSmart pages state
            assert len(seeds) <= 1 and (not seeds or sources == seeds), path


def source_of(store: ox.Store, s: str, p: str, o: str) -> set[str]:
    rows = select(
        store,
        f"SELECT ?source WHERE {{ GRAPH ?g {{ {s} {p} {o} }} "
        f"GRAPH ?g {{ ?g <http://www.w3.org/ns/prov#wasDerivedFrom> ?source }} }}",
    )
    return {r["source"] for r in rows}


def test_the_editors_facts_named_by_the_issue_are_credited_to_the_editors(store: ox.Store) -> None:
    ufc = f"<{BASE}id/organisation/university-of-franche-comte>"
    assert source_of(store, ufc, f"<{SKOS}prefLabel>", '"Université de Franche-Comté"@fr') == {
        EDITORS
    }
    assert source_of(store, ufc, f"<{SKOS}prefLabel>", '"University of Franche-Comte"@en') == {
        BASE + "id/source/seed-003-s3-4alpclusters-de"
    }
    # every organisation type, every GoSmart partner country/region, the role codes
    for predicate in (f"<{COR}organisationType>", f"<{COR}legalStatus>"):
        rows = select(store, f"SELECT DISTINCT ?s ?o WHERE {{ ?s {predicate} ?o }}")
        assert rows
        for row in rows:
            assert source_of(store, f"<{row['s']}>", predicate, f"<{row['o']}>") == {EDITORS}
    gosmart = select(
        store,
        f"SELECT DISTINCT ?org ?c WHERE {{ ?p <{COR}project> <{BASE}id/project/gosmart-excel-bsr> ;"
        f" <{COR}organisation> ?org . ?org <{COR}country> ?c }}",
    )
    assert len(gosmart) == 15
    for row in gosmart:
        assert source_of(store, f"<{row['org']}>", f"<{COR}country>", f"<{row['c']}>") == {EDITORS}
    role = f"<{BASE}id/concept/participation-role/lead-partner>"
    assert source_of(store, role, f"<{SKOS}notation>", '"LP"') == {EDITORS}
    # German labels on the English-only Cluj report are the editors'
    topic = f"<{BASE}id/concept/event-topic/digital-skills>"
    assert source_of(store, topic, f"<{SKOS}prefLabel>", '"Digitale Kompetenzen"@de') == {EDITORS}
    assert source_of(store, topic, f"<{SKOS}prefLabel>", '"Digital skills"@en') == {
        BASE + "id/source/seed-002-cluj-innovation-camp-2023"
    }


def test_no_triple_is_asserted_in_two_graphs(store: ox.Store) -> None:
    """A triple stated by two sources lives in one graph derived from both (no duplicate
    solutions over the union default graph)."""
    seen: dict[tuple, str] = {}
    dupes = []
    data_graphs = {graph_name(p) for p in data_files() if p.parent.name != "personal"}
    for quad in store.quads_for_pattern(None, None, None, None):
        if quad.graph_name not in data_graphs:
            continue
        key = (quad.subject, quad.predicate, quad.object)
        if key in seen:
            dupes.append((key, seen[key], quad.graph_name.value))
        seen[key] = quad.graph_name.value
    assert dupes == []
