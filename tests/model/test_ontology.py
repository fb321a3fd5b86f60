"""The Corridor ontology is complete, documented and aligned, and the data uses only its terms.

Every cor: class and property carries English (and German) labels, an English comment and, for
properties, a domain and range; every alignment points into a vocabulary the EU already uses;
every predicate and class used in data/ is either declared here or comes from a reused vocabulary.
"""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS, XSD

from tests.model.corridor_model import BASE, DATA, ONTOLOGY, data_files

COR = Namespace("https://w3id.org/corridor/ontology#")
VANN = Namespace("http://purl.org/vocab/vann/")
ONTOLOGY_IRI = URIRef("https://w3id.org/corridor/ontology")

REUSED_NAMESPACES = (
    "http://data.europa.eu/s66#",  # EURIO
    "http://www.w3.org/ns/org#",
    "https://schema.org/",
    "http://purl.org/dc/terms/",
    "http://www.w3.org/2004/02/skos/core#",
    "http://xmlns.com/foaf/0.1/",
    "http://www.w3.org/2006/vcard/ns#",
    "http://www.w3.org/ns/prov#",
    "http://www.w3.org/ns/dcat#",
    "http://www.w3.org/ns/adms#",
    "http://purl.org/cerif/frapo/",
    "http://www.w3.org/ns/locn#",
    "http://data.europa.eu/m8g/",  # SEMIC Core Public Event / Core Vocabularies
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
)
ALIGNMENTS = (RDFS.subClassOf, RDFS.subPropertyOf, SKOS.closeMatch, OWL.equivalentClass)
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def data() -> Graph:
    graph = Graph()
    for path in data_files():
        graph.parse(path, format="turtle", publicID=BASE)
    return graph


def terms(ontology: Graph, kind: URIRef | None = None) -> set[URIRef]:
    kinds = (kind,) if kind else TERM_TYPES
    return {t for k in kinds for t in ontology.subjects(RDF.type, k) if str(t).startswith(COR)}


def is_reused(iri: URIRef) -> bool:
    return str(iri).startswith(REUSED_NAMESPACES)


def test_ontology_has_its_metadata(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    for predicate in (
        DCTERMS.title, DCTERMS.description, OWL.versionIRI, DCTERMS.license,
        DCTERMS.creator, DCTERMS.modified, VANN.preferredNamespacePrefix,
        VANN.preferredNamespaceUri,
    ):  # fmt: skip
        assert ontology.value(ONTOLOGY_IRI, predicate) is not None, predicate
    assert str(ontology.value(ONTOLOGY_IRI, VANN.preferredNamespaceUri)) == str(COR)
    assert str(ontology.value(ONTOLOGY_IRI, VANN.preferredNamespacePrefix)) == "cor"


def test_the_ontology_declares_the_terms_the_issue_asks_for(ontology: Graph) -> None:
    required = {
        "Project", "Organisation", "Address", "Participation", "ParticipationRole",
        "FundingProgramme", "ProgrammePriority", "SpecificObjective", "Fund", "MonetaryAmount",
        "ThematicArea", "TopicCode", "SmartSpecialisationDomain", "Country", "NutsRegion",
        "PerformanceGroup", "PerformanceClassification", "Event", "Challenge", "Session",
        "Output", "ContactPoint", "SourceDocument",
    }  # fmt: skip
    assert {COR[name] for name in required} <= terms(ontology, OWL.Class)


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_term_has_a_label_in(ontology: Graph, language: str) -> None:
    unlabelled = [
        t
        for t in terms(ontology)
        if not any(label.language == language for label in ontology.objects(t, RDFS.label))
    ]
    assert unlabelled == []


def test_every_term_has_an_english_comment(ontology: Graph) -> None:
    uncommented = [
        t
        for t in terms(ontology)
        if not any(c.language == "en" for c in ontology.objects(t, RDFS.comment))
    ]
    assert uncommented == []


def test_every_property_has_a_domain_and_a_range(ontology: Graph) -> None:
    properties = terms(ontology, OWL.ObjectProperty) | terms(ontology, OWL.DatatypeProperty)
    incomplete = [
        p
        for p in properties
        if ontology.value(p, RDFS.domain) is None or ontology.value(p, RDFS.range) is None
    ]
    assert incomplete == []


def test_every_class_is_aligned_to_a_reused_vocabulary(ontology: Graph) -> None:
    unaligned = [
        c
        for c in terms(ontology, OWL.Class)
        if not any(is_reused(o) for p in ALIGNMENTS for o in ontology.objects(c, p))
    ]
    assert unaligned == []


def test_alignment_targets_are_in_known_vocabularies(ontology: Graph) -> None:
    targets = {
        o
        for p in ALIGNMENTS
        for s, o in ontology.subject_objects(p)
        if isinstance(o, URIRef) and str(s).startswith(COR)
    }
    foreign = [t for t in targets if not (is_reused(t) or str(t).startswith(COR))]
    assert foreign == []


def test_every_predicate_used_in_data_is_declared_or_reused(ontology: Graph, data: Graph) -> None:
    declared = terms(ontology)
    undeclared = {p for p in data.predicates() if p not in declared and not is_reused(p)}
    assert undeclared == set()


def test_every_class_used_in_data_is_declared_or_reused(ontology: Graph, data: Graph) -> None:
    declared = terms(ontology, OWL.Class)
    undeclared = {c for c in data.objects(None, RDF.type) if c not in declared and not is_reused(c)}
    assert undeclared == set()


def test_cor_terms_used_in_data_exist_in_the_ontology(ontology: Graph, data: Graph) -> None:
    used = {p for p in data.predicates() if str(p).startswith(COR)}
    used |= {c for c in data.objects(None, RDF.type) if str(c).startswith(COR)}
    assert used - terms(ontology) == set()


def test_data_files_use_relative_iris_without_a_base() -> None:
    for path in DATA.rglob("*.ttl"):
        text = path.read_text(encoding="utf-8")
        assert "@base" not in text and "BASE <" not in text, path
        for minted in ("id/", "graph/"):
            assert BASE + minted not in text, f"{path} hard-codes the deployment base IRI"


def datatype(value: Literal) -> URIRef:
    """The datatype of a literal; simple literals are xsd:string."""
    return value.datatype or XSD.string


def test_every_cor_datatype_property_in_data_has_its_declared_datatype(
    ontology: Graph, data: Graph
) -> None:
    wrong = []
    for prop in terms(ontology, OWL.DatatypeProperty):
        expected = ontology.value(prop, RDFS.range)
        for value in data.objects(None, prop):
            if not isinstance(value, Literal) or datatype(value) != expected:
                wrong.append((prop, value))
    assert wrong == []
