"""Focus-mode validation (a write's touched IRIs) gives exactly pySHACL's results on those nodes.

Focus mode starts from the focus nodes that are targets of each shape instead of enumerating
the shape's whole target, so these tests aim at the places where that could go wrong: shared
nodes many others link to (organisations, NUTS regions, concepts, the NUTS scheme itself),
focus sets that reach every node, and every invalid fixture with every one of its IRIs in focus.
The reference is ``validate_store_reference`` (pySHACL on the whole graph, results kept for the
expanded focus).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from tests.validation.fixture_manifest import (
    curated_store,
    fixture_names,
    fixture_store,
)

COR = "https://w3id.org/corridor/ontology#"
ID = "https://w3id.org/corridor/id/"


@pytest.fixture(scope="module")
def curated(validator):
    """The curated store and pySHACL's whole-graph report on it (computed once: ~6 s)."""
    store = curated_store()
    return store, validator.validate_store_reference(store)


def reference_on(validator, curated, focus: list[str]) -> set:
    """``validate_store_reference(store, focus)`` without re-running pySHACL per focus set."""
    store, whole = curated
    nodes = set(validator.expand_focus(store, focus))
    return {r for r in whole.results if r.focus in nodes}


def first(store: ox.Store, query: str) -> str:
    rows = list(store.query(query, use_default_graph_as_union=True))
    assert rows, query
    return rows[0][0].value


def all_iris(store: ox.Store) -> list[str]:
    rows = store.query(
        "SELECT DISTINCT ?n WHERE { { ?n ?p ?o } UNION { ?s ?p ?n } FILTER(isIRI(?n)) }",
        use_default_graph_as_union=True,
    )
    return sorted(r[0].value for r in rows)


def test_reference_helper_equals_validate_store_reference(validator, curated) -> None:
    store, _ = curated
    focus = [ID + "project/boost"]
    assert reference_on(validator, curated, focus) == set(
        validator.validate_store_reference(store, focus).results
    )


def test_focus_on_the_most_linked_organisation(validator, curated) -> None:
    store, _ = curated
    org = first(store, f"SELECT ?o (COUNT(*) AS ?n) WHERE {{ ?p <{COR}organisation> ?o }} "
                       "GROUP BY ?o ORDER BY DESC(?n) ?o LIMIT 1")
    fast = validator.validate_store(store, [org])
    assert set(fast.results) == reference_on(validator, curated, [org])


def test_focus_on_a_nuts_region_shared_by_organisations(validator, curated) -> None:
    store, _ = curated
    region = first(store, f"SELECT ?r WHERE {{ ?o <{COR}nutsRegion> ?r }} ORDER BY ?r LIMIT 1")
    fast = validator.validate_store(store, [region])
    assert set(fast.results) == reference_on(validator, curated, [region])


def test_focus_on_the_nuts_scheme_reaches_thousands_of_regions(validator, curated) -> None:
    store, _ = curated
    scheme = "http://data.europa.eu/nuts/scheme/2021"
    fast = validator.validate_store(store, [scheme])
    assert set(fast.results) == reference_on(validator, curated, [scheme])


def test_focus_on_projects_with_warnings_and_their_shared_nodes(validator, curated) -> None:
    store, whole = curated
    warned = sorted({r.focus for r in whole.results})
    shared = [
        first(store, f"SELECT ?o WHERE {{ ?p <{COR}organisation> ?o }} ORDER BY ?o LIMIT 1"),
        first(store, f"SELECT ?r WHERE {{ ?o <{COR}nutsRegion> ?r }} ORDER BY ?r LIMIT 1"),
        ID + "concept/organisation-type/company",
    ]
    fast = validator.validate_store(store, warned + shared)
    expected = reference_on(validator, curated, warned + shared)
    assert expected, "the curated data is expected to carry lead-partner warnings"
    assert set(fast.results) == expected
    assert fast.conforms == whole.conforms


def test_focus_on_every_iri_equals_the_whole_graph(validator, curated) -> None:
    store, whole = curated
    fast = validator.validate_store(store, all_iris(store))
    assert set(fast.results) == set(whole.results)


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_with_every_iri_in_focus_same_results_as_pyshacl(name: str, validator) -> None:
    store = fixture_store(name)
    focus = all_iris(store)
    fast = validator.validate_store(store, focus)
    reference = validator.validate_store_reference(store, focus)
    assert set(fast.results) == set(reference.results)
    assert fast.conforms == reference.conforms
