"""The SPARQL fast path (Validator.validate_store) gives exactly pySHACL's verdicts.

For the curated graph and for every invalid fixture, loaded into an Oxigraph store the way a
deployment holds them (ontology + data in named graphs), the fast path and pySHACL agree on the
conformance verdict and on the set of results: focus node, path, value, shape, constraint
component, severity and message. Restricting validation to the nodes a load touched still finds
exactly the fixture's expected results.
"""

from __future__ import annotations

import pytest

from tests.validation.fixture_manifest import (
    curated_store,
    expected_accepted,
    expected_conforms,
    expected_results,
    fixture_names,
    fixture_store,
    fixture_subjects,
)


@pytest.fixture(scope="module")
def curated(validator):
    store = curated_store()
    return store, validator.validate_store(store), validator.validate_store_reference(store)


def test_curated_graph_same_verdict(curated) -> None:
    _, fast, reference = curated
    assert fast.conforms == reference.conforms


def test_curated_graph_same_results(curated) -> None:
    _, fast, reference = curated
    assert set(fast.results) == set(reference.results)


def test_curated_graph_focused_on_one_project_same_results(curated, validator) -> None:
    store, _, _ = curated
    focus = ["https://w3id.org/corridor/id/project/boost"]
    fast = validator.validate_store(store, focus)
    reference = validator.validate_store_reference(store, focus)
    assert set(fast.results) == set(reference.results)
    assert fast.conforms == reference.conforms


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_same_results_as_pyshacl(name: str, validator) -> None:
    store = fixture_store(name)
    fast = validator.validate_store(store)
    reference = validator.validate_store_reference(store)
    assert set(fast.results) == set(reference.results)
    assert fast.conforms == reference.conforms


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_fast_path_reports_the_manifest_results(name: str, validator) -> None:
    report = validator.validate_store(fixture_store(name))
    assert set(report.results) == expected_results(name)
    assert report.conforms == expected_conforms(name)
    assert report.accepted == expected_accepted(name)


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_focused_on_the_loaded_nodes_reports_the_manifest_results(
    name: str, validator
) -> None:
    store = fixture_store(name)
    focus = fixture_subjects(name)
    fast = validator.validate_store(store, focus)
    reference = validator.validate_store_reference(store, focus)
    assert set(fast.results) == expected_results(name)
    assert set(reference.results) == expected_results(name)


def test_focus_on_untouched_valid_nodes_reports_nothing(validator) -> None:
    store = fixture_store("dated-start-after-end.ttl")
    focus = ["https://w3id.org/corridor/id/organisation/bavarian-cluster"]
    report = validator.validate_store(store, focus)
    assert report.conforms and report.results == []


def test_focus_reaches_the_nodes_linked_to_a_touched_node(validator) -> None:
    # the second lead partner is what the load touched; the violation is on its project
    store = fixture_store("project-two-lead-partners.ttl")
    focus = ["https://w3id.org/corridor/id/participation/ok/second-lead"]
    assert {r.focus for r in validator.validate_store(store, focus).results} == {
        "https://w3id.org/corridor/id/project/ok"
    }


def test_empty_focus_validates_nothing(validator) -> None:
    report = validator.validate_store(fixture_store("dated-start-after-end.ttl"), [])
    assert report.conforms and report.results == []
