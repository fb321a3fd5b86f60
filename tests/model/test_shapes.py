"""The SHACL shapes (shapes/corridor-shapes.ttl), checked with pySHACL, the reference validator.

The curated graph conforms; every invalid fixture yields exactly the results its manifest entry
lists, messages included; every shape is exercised by at least one fixture.
"""

from __future__ import annotations

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SH

from corridor.validation.compiler import compile_shapes
from tests.validation.fixture_manifest import (
    bundled_validator,
    curated_graph,
    expand,
    expected_accepted,
    expected_conforms,
    expected_results,
    fixture_graph,
    fixture_names,
    manifest,
)

COR = rdflib.Namespace("https://w3id.org/corridor/ontology#")
LEAD_PARTNER_SHAPE = "https://w3id.org/corridor/shapes#LeadPartnerShape"


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return bundled_validator().shapes_graph


@pytest.fixture(scope="module")
def curated_report():
    return bundled_validator().validate_graph(curated_graph())


def _node_shapes(shapes: rdflib.Graph) -> set[rdflib.term.Node]:
    return set(shapes.subjects(RDF.type, SH.NodeShape))


def _property_shapes(shapes: rdflib.Graph) -> set[rdflib.term.Node]:
    return set(shapes.objects(None, SH.property))


def test_every_shape_has_a_message_for_data_stewards(shapes: rdflib.Graph) -> None:
    shapes_and_rules = (
        _node_shapes(shapes) | _property_shapes(shapes) | set(shapes.objects(None, SH.sparql))
    )
    missing = [s for s in shapes_and_rules if not list(shapes.objects(s, SH.message))]
    assert missing == []
    no_english = [
        s for s in shapes_and_rules
        if not any(m.language == "en" for m in shapes.objects(s, SH.message))
    ]
    assert no_english == []


def test_severities_are_shacl_severities(shapes: rdflib.Graph) -> None:
    used = set(shapes.objects(None, SH.severity))
    assert used <= {SH.Violation, SH.Warning, SH.Info}
    assert SH.Warning in used  # some rules only warn (see cs:LeadPartnerShape)


def test_every_class_of_the_ontology_is_the_target_of_a_shape(shapes: rdflib.Graph) -> None:
    ontology = bundled_validator().ontology_graph
    targeted = set(shapes.objects(None, SH.targetClass))
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, rdflib.URIRef)}

    def covered(cls: rdflib.term.Node) -> bool:
        return cls in targeted or any(covered(sup) for sup in ontology.objects(cls, RDFS.subClassOf)
                                      if sup in targeted or sup in classes)

    assert sorted(c for c in classes if not covered(c)) == []


def test_the_shapes_compile_to_sparql(shapes: rdflib.Graph) -> None:
    compiled = compile_shapes(shapes, bundled_validator().ontology_graph)
    assert sum(len(s.checks) for s in compiled.shapes) > 100


def test_every_bundled_shape_runs_on_the_fast_path() -> None:
    # nothing of Corridor's own shapes is left to the (per-node) exact engine
    assert bundled_validator().plan.exact == []


def test_the_curated_graph_is_accepted(curated_report) -> None:
    # it has Warnings, so it does not conform (SHACL §3.6.1), but nothing blocks a write
    assert curated_report.accepted
    assert not curated_report.conforms
    violations = [r for r in curated_report.results if r.severity == str(SH.Violation)]
    assert violations == []


def test_the_only_warnings_on_the_curated_graph_are_unnamed_lead_partners(curated_report) -> None:
    # Two sources list their partners without saying which one leads; model engineers record
    # only what sources say, so these projects are reported as incomplete, not rejected.
    assert {r.shape for r in curated_report.results} <= {LEAD_PARTNER_SHAPE}
    assert all(r.severity == str(SH.Warning) for r in curated_report.results)


def test_the_fixture_context_alone_conforms() -> None:
    from tests.validation.fixture_manifest import context_file

    graph = rdflib.Graph().parse(context_file(), format="turtle", publicID=manifest()["base"])
    report = bundled_validator().validate_graph(graph)
    assert report.conforms and report.results == []


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_yields_exactly_the_expected_results(name: str) -> None:
    report = bundled_validator().validate_graph(fixture_graph(name))
    assert set(report.results) == expected_results(name)
    assert report.conforms == expected_conforms(name)
    assert report.accepted == expected_accepted(name)


def test_every_fixture_file_is_in_the_manifest() -> None:
    from tests.validation.fixture_manifest import FIXTURES

    files = {p.name for p in FIXTURES.glob("*.ttl") if not p.name.startswith("_")}
    assert files == set(fixture_names())


def test_every_node_shape_and_sparql_rule_fires_on_some_fixture(shapes: rdflib.Graph) -> None:
    fired = {r.shape for name in fixture_names() for r in expected_results(name)}
    parent = {prop: node for node, prop in shapes.subject_objects(SH.property)}
    fired_nodes = fired | {str(parent[rdflib.URIRef(s)]) for s in fired
                           if rdflib.URIRef(s) in parent}
    assert sorted(str(s) for s in _node_shapes(shapes) if str(s) not in fired_nodes) == []
    hosts_with_rules = {str(s) for s in shapes.subjects(SH.sparql, None)}
    sparql_fired = {
        r.shape for name in fixture_names() for r in expected_results(name)
        if r.component == str(SH.SPARQLConstraintComponent)
    }
    assert hosts_with_rules <= sparql_fired


def test_every_constraint_component_used_fires_on_some_fixture(shapes: rdflib.Graph) -> None:
    parameters = {
        SH.minCount: "MinCount", SH.maxCount: "MaxCount", SH.datatype: "Datatype",
        SH["class"]: "Class", SH.nodeKind: "NodeKind", SH.pattern: "Pattern",
        SH.minInclusive: "MinInclusive", SH.maxInclusive: "MaxInclusive",
        SH.languageIn: "LanguageIn", SH.uniqueLang: "UniqueLang", SH["or"]: "Or",
        SH.qualifiedMinCount: "QualifiedMinCount", SH.sparql: "SPARQL", SH.minLength: "MinLength",
        SH.maxLength: "MaxLength", SH["in"]: "In", SH.hasValue: "HasValue",
        SH.minExclusive: "MinExclusive", SH.maxExclusive: "MaxExclusive",
    }
    used = {name for p, name in parameters.items() if (None, p, None) in shapes}
    fired = {
        r.component.removeprefix(str(SH)).removesuffix("ConstraintComponent")
        for name in fixture_names() for r in expected_results(name)
    }
    assert sorted(used - fired) == []


def test_manifest_terms_expand_to_iris() -> None:
    assert expand("cs:ProjectShape") == "https://w3id.org/corridor/shapes#ProjectShape"
    assert expand("id/project/ok") == "https://w3id.org/corridor/id/project/ok"
    assert expand("https://example.org/x") == "https://example.org/x"
