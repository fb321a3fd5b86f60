"""SPARQL 1.1 Service Description of the endpoint (returned by ``GET /sparql`` without a query).

It tells clients what the endpoint speaks (query, and update only when writes are enabled),
which result formats it returns, that the default graph is the union of the public named graphs,
which named graphs exist, and where the VoID description of the data lives.
"""

from __future__ import annotations

import pyoxigraph as ox

from corridor.rdf.namespaces import DCT, RDFS, SD, VOID

FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCTERMS = DCT
PREFIXES = {"sd": SD, "formats": FORMATS, "rdfs": RDFS, "dcterms": DCTERMS, "void": VOID}

RESULT_FORMATS = (
    "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
    "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "TriG", "N-Quads",
)


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def service_description(
    endpoint: str,
    void_url: str,
    named_graphs: list[str],
    *,
    update: bool,
    federation: bool,
) -> list[ox.Triple]:
    """Triples describing the service at ``endpoint``."""
    service = ox.NamedNode(endpoint)
    dataset, default_graph = ox.BlankNode("dataset"), ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), service),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        ox.Triple(service, _sd("defaultEntailmentRegime"),
                  ox.NamedNode("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, ox.NamedNode(RDFS + "seeAlso"), ox.NamedNode(void_url)),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
        ox.Triple(default_graph, ox.NamedNode(DCTERMS + "description"),
                  ox.Literal("The union of all public named graphs.", language="en")),
    ]
    triples += [
        ox.Triple(service, _sd("resultFormat"), ox.NamedNode(FORMATS + name))
        for name in RESULT_FORMATS
    ]
    if update:
        triples.append(ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Update")))
    if federation:
        triples.append(ox.Triple(service, _sd("feature"), _sd("BasicFederatedQuery")))
    for index, graph in enumerate(named_graphs):
        node = ox.BlankNode(f"namedGraph{index}")
        triples += [
            ox.Triple(dataset, _sd("namedGraph"), node),
            ox.Triple(node, RDF_TYPE, _sd("NamedGraph")),
            ox.Triple(node, _sd("name"), ox.NamedNode(graph)),
        ]
    return triples


def serialize(triples: list[ox.Triple], format: ox.RdfFormat) -> bytes:
    prefixes = PREFIXES if format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    if format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
        data = ox.serialize(quads, format=format, prefixes=prefixes)
    else:
        data = ox.serialize(triples, format=format, prefixes=prefixes)
    assert data is not None  # no output given: the bytes are returned
    return data
