"""VoID description of the public dataset, served at ``/.well-known/void``.

The statistics (triples, entities, distinct subjects/objects, class and property partitions,
linksets to the EU authority tables and NUTS, example resources) are computed once per store
version and cached; each request only turns the cached figures into triples with this host's
service URLs (SPARQL endpoint, dumps, catalogue).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from corridor.derived.figures import KeptFigures
from corridor.rdf.namespaces import DCT, VOID
from corridor.store import OxigraphStore

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INT = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
XSD_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
SD_NAME = ox.NamedNode("http://www.w3.org/ns/sparql-service-description#name")
FOAF_PAGE = ox.NamedNode("http://xmlns.com/foaf/0.1/homepage")
LICENCE = "http://creativecommons.org/licenses/by/4.0/"
# Target datasets of the linksets: the EU authority tables and NUTS, by IRI namespace.
AUTHORITIES = {
    "http://publications.europa.eu/resource/authority/country/":
        "http://publications.europa.eu/resource/authority/country",
    "http://publications.europa.eu/resource/authority/language/":
        "http://publications.europa.eu/resource/authority/language",
    "http://publications.europa.eu/resource/authority/eu-programme/":
        "http://publications.europa.eu/resource/authority/eu-programme",
    "http://publications.europa.eu/resource/authority/corporate-body/":
        "http://publications.europa.eu/resource/authority/corporate-body",
    "http://data.europa.eu/nuts/code/": "http://data.europa.eu/nuts/scheme/2021",
}
EXAMPLES = 5
DISTINCT_TRIPLES = "SELECT DISTINCT ?s ?p ?o { ?s ?p ?o }"


@dataclass
class VoidStats:
    """The figures VoID publishes, for one store version."""

    version: int
    triples: int = 0
    entities: int = 0
    distinct_subjects: int = 0
    distinct_objects: int = 0
    classes: list[tuple[str, int]] = field(default_factory=list)
    properties: list[tuple[str, int]] = field(default_factory=list)
    linksets: list[tuple[str, str, int]] = field(default_factory=list)  # target, predicate, n
    graphs: list[tuple[str, int]] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


def _decode(data: dict[str, Any]) -> VoidStats:
    stats = VoidStats(**data)
    stats.classes = [(c, n) for c, n in stats.classes]
    stats.properties = [(p, n) for p, n in stats.properties]
    stats.linksets = [(t, p, n) for t, p, n in stats.linksets]
    stats.graphs = [(g, n) for g, n in stats.graphs]
    return stats


_kept = KeptFigures(
    "void", lambda store: compute(store, store.version), dataclasses.asdict, _decode,
    child="corridor.derived.void:compute_json",
)


def compute_json(view: OxigraphStore, target: Path) -> dict:
    """The figures as JSON data (computed in a child process, see stats.run_in_child)."""
    return dataclasses.asdict(compute(view, view.version))


def stats_for(store: OxigraphStore) -> VoidStats:
    """The VoID figures of the store, computed at most once per version and kept in the store
    folder; after a commit the previous ones are served while new ones are computed."""
    return _kept.get(store)


def ensure_current(store: OxigraphStore) -> None:
    """Compute this version's figures now if they are not kept yet (background warming)."""
    _kept.ensure_current(store)


def warm(store: OxigraphStore) -> None:
    """Start computing the figures in the background if they are not current."""
    _kept.warm(store)


def _pairs(store: OxigraphStore, query: str) -> list[tuple[str, int]]:
    return [(r["k"].value, int(r["n"].value)) for r in store.query(query)]


def _count(store: OxigraphStore, query: str) -> int:
    return int(next(iter(store.query(query)))["n"].value)


def compute(store: OxigraphStore, version: int) -> VoidStats:
    """Count the public dataset (the union of the public graphs)."""
    entity_prefix = ox.Literal(store.config.base_iri + "id/")
    stats = VoidStats(version)
    stats.triples = _count(store, f"SELECT (COUNT(*) AS ?n) {{ {DISTINCT_TRIPLES} }}")
    stats.entities = _count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o "
                            f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), {entity_prefix})) }}")
    stats.distinct_subjects = _count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }")
    stats.distinct_objects = _count(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) { ?s ?p ?o }")
    stats.classes = _pairs(store, "SELECT ?k (COUNT(DISTINCT ?s) AS ?n) "
                           "{ ?s a ?k FILTER(isIRI(?k)) } GROUP BY ?k ORDER BY ?k")
    stats.properties = _pairs(store, "SELECT (?p AS ?k) (COUNT(*) AS ?n) "
                              f"{{ {DISTINCT_TRIPLES} }} GROUP BY ?p ORDER BY ?p")
    for namespace, target in AUTHORITIES.items():
        rows = store.query(
            "SELECT ?p (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o "
            f"FILTER(isIRI(?o) && STRSTARTS(STR(?o), {ox.Literal(namespace)}) "
            f"&& STRSTARTS(STR(?s), {entity_prefix})) }} }} GROUP BY ?p ORDER BY ?p")
        stats.linksets += [(target, r["p"].value, int(r["n"].value)) for r in rows]
    # counted in the public view (store.query), like the dataset: what the metadata graph
    # says about withheld graphs is not served, so it is not counted either
    stats.graphs = [(g, _count(store, f"SELECT (COUNT(*) AS ?n) {{ GRAPH {ox.NamedNode(g)} "
                                      "{ ?s ?p ?o } }"))
                    for g in store.named_graphs()]
    examples = store.query(
        "SELECT ?c (MIN(STR(?x)) AS ?s) { ?x a ?c "
        f"FILTER(isIRI(?x) && STRSTARTS(STR(?x), {entity_prefix})) }} GROUP BY ?c ORDER BY ?c")
    stats.examples = [r["s"].value for r in examples][:EXAMPLES]
    return stats


def dataset_iri(store: OxigraphStore) -> str:
    return store.config.base_iri + "dataset"


def void_triples(store: OxigraphStore, root_url: str,
                 dumps: dict[str | None, list[str]]) -> list[ox.Triple]:
    """The VoID description with service URLs under ``root_url`` (e.g. ``http://host``);
    ``dumps`` maps a graph IRI (None: the whole dataset) to the URL paths of its dumps."""
    stats = stats_for(store)
    ds = ox.NamedNode(dataset_iri(store))

    def v(name: str) -> ox.NamedNode:
        return ox.NamedNode(VOID + name)

    def n(value: int) -> ox.Literal:
        return ox.Literal(str(value), datatype=XSD_INT)

    t = ox.Triple
    triples = [
        t(ds, RDF_TYPE, v("Dataset")),
        t(ds, ox.NamedNode(DCT + "title"), ox.Literal("Corridor knowledge graph", language="en")),
        t(ds, ox.NamedNode(DCT + "description"), ox.Literal(
            "EU interregional innovation projects, their partners, programmes, funding, themes, "
            "regions and events, as linked data.", language="en")),
        t(ds, ox.NamedNode(DCT + "license"), ox.NamedNode(LICENCE)),
        t(ds, ox.NamedNode(DCT + "modified"),
          ox.Literal(store.modified.isoformat(), datatype=XSD_DATETIME)),
        t(ds, FOAF_PAGE, ox.NamedNode(root_url + "/")),
        t(ds, v("sparqlEndpoint"), ox.NamedNode(root_url + "/sparql")),
        t(ds, v("uriSpace"), ox.Literal(store.config.base_iri + "id/")),
        t(ds, v("vocabulary"), ox.NamedNode("https://w3id.org/corridor/ontology#")),
        t(ds, v("feature"), ox.NamedNode("http://www.w3.org/ns/formats/N-Quads")),
        t(ds, v("feature"), ox.NamedNode("http://www.w3.org/ns/formats/TriG")),
        t(ds, v("feature"), ox.NamedNode("http://www.w3.org/ns/formats/Turtle")),
        t(ds, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
          ox.NamedNode(root_url + "/catalog")),
        t(ds, v("triples"), n(stats.triples)),
        t(ds, v("entities"), n(stats.entities)),
        t(ds, v("distinctSubjects"), n(stats.distinct_subjects)),
        t(ds, v("distinctObjects"), n(stats.distinct_objects)),
        t(ds, v("classes"), n(len(stats.classes))),
        t(ds, v("properties"), n(len(stats.properties))),
    ]
    triples += [t(ds, v("dataDump"), ox.NamedNode(root_url + p)) for p in dumps.get(None, [])]
    triples += [t(ds, v("exampleResource"), ox.NamedNode(e)) for e in stats.examples]
    for i, (cls, count) in enumerate(stats.classes):
        part = ox.BlankNode(f"class{i}")
        triples += [t(ds, v("classPartition"), part), t(part, v("class"), ox.NamedNode(cls)),
                    t(part, v("entities"), n(count))]
    for i, (prop, count) in enumerate(stats.properties):
        part = ox.BlankNode(f"property{i}")
        triples += [t(ds, v("propertyPartition"), part), t(part, v("property"), ox.NamedNode(prop)),
                    t(part, v("triples"), n(count))]
    for graph, count in stats.graphs:
        sub = ox.NamedNode(graph)
        triples += [t(ds, v("subset"), sub), t(sub, RDF_TYPE, v("Dataset")),
                    t(sub, SD_NAME, sub), t(sub, v("triples"), n(count))]
        triples += [t(sub, v("dataDump"), ox.NamedNode(root_url + p)) for p in dumps.get(graph, [])]
    for i, (target, predicate, count) in enumerate(stats.linksets):
        ls = ox.BlankNode(f"linkset{i}")
        triples += [t(ds, v("subset"), ls), t(ls, RDF_TYPE, v("Linkset")),
                    t(ls, v("subjectsTarget"), ds), t(ls, v("objectsTarget"), ox.NamedNode(target)),
                    t(ls, v("linkPredicate"), ox.NamedNode(predicate)),
                    t(ls, v("triples"), n(count)),
                    t(ox.NamedNode(target), RDF_TYPE, v("Dataset"))]
    return triples
