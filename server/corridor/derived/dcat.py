"""DCAT-AP 3 catalogue of the public data (``/catalog``).

One ``dcat:Catalog``; one ``dcat:Dataset`` for the whole public knowledge graph (distributions:
``all.nq.gz``, ``all.trig.gz``) and one per public named graph (distribution: its
``.ttl.gz`` dump), each with EU data themes, publisher, licence, temporal coverage (from the
project/event dates it holds) and spatial coverage (the EU authority countries it links to);
the SPARQL endpoint is a ``dcat:DataService``. Every distribution gives its byte size and
SHA-256. Controlled-vocabulary concepts used (themes, file types, countries) are described
inline with ``skos:inScheme`` so the catalogue validates on its own against the DCAT-AP SHACL
shapes (including the MDR vocabulary shapes).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from corridor.derived.dumps import Dump, catalogue_dumps
from corridor.derived.figures import KeptFigures
from corridor.derived.void import LICENCE, dataset_iri
from corridor.rdf.namespaces import DCAT, DCT, FOAF, RDFS, SKOS, SPDX, XSD
from corridor.store import OxigraphStore

SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
AUTH = "http://publications.europa.eu/resource/authority/"
THEME_SCHEME = AUTH + "data-theme"
FILE_TYPE_SCHEME = AUTH + "file-type"
COUNTRY_SCHEME = AUTH + "country"
FILE_TYPES = {"nq": "NQUADS", "trig": "TRIG", "ttl": "RDF_TURTLE"}
FILE_TYPE_LABELS = {"NQUADS": "N-Quads", "TRIG": "TriG", "RDF_TURTLE": "Turtle"}
THEME_LABELS = {"REGI": "Regions and cities", "ECON": "Economy and finance",
                "TECH": "Science and technology", "GOVE": "Government and public sector"}


def themes_for(graph_name: str) -> list[str]:
    """EU data-theme codes for a graph, from its place in the data tree."""
    if graph_name.startswith(("projects/", "events/", "programmes/")):
        return ["REGI", "ECON", "TECH"]
    if graph_name in ("ontology", "shapes") or graph_name.startswith("schemes/"):
        return ["TECH"]
    if graph_name == "meta":
        return ["GOVE"]
    return ["REGI"]


def coverage(store: OxigraphStore) -> dict[str | None, dict]:
    """Per graph (None = everything): earliest start, latest end, countries linked to.

    Whole-graph work: computed once per version, kept in the store folder and refreshed in the
    background after a commit (see :class:`stats.KeptFigures`)."""
    return _kept.get(store)


def ensure_current(store: OxigraphStore) -> None:
    """Compute this version's coverage now if it is not kept yet (background warming)."""
    _kept.ensure_current(store)


def warm(store: OxigraphStore) -> None:
    """Start computing the coverage in the background if it is not current."""
    _kept.warm(store)


def _encode(result: dict[str | None, dict]) -> list:
    return [
        [graph, {"temporal": info.get("temporal"), "countries": sorted(info.get("countries", ()))}]
        for graph, info in result.items()
    ]


def _decode(data: list) -> dict[str | None, dict]:
    result: dict[str | None, dict] = {}
    for graph, info in data:
        entry: dict = {"countries": set(info["countries"])}
        if info["temporal"] is not None:
            entry["temporal"] = tuple(info["temporal"])
        result[graph] = entry
    return result


def _compute_coverage(store: OxigraphStore) -> dict[str | None, dict]:
    result: dict[str | None, dict] = {}
    rows = store.query(
        "PREFIX schema: <https://schema.org/> SELECT ?g (MIN(?d) AS ?start) (MAX(?d) AS ?end) "
        "{ GRAPH ?g { ?x schema:startDate|schema:endDate ?d } "
        "FILTER(datatype(?d) = <http://www.w3.org/2001/XMLSchema#date>) } GROUP BY ?g")
    for r in rows:
        if r["start"] is not None:
            result.setdefault(r["g"].value, {})["temporal"] = (r["start"].value, r["end"].value)
    rows = store.query(
        f"SELECT DISTINCT ?g ?c {{ GRAPH ?g {{ ?x ?p ?c }} FILTER(isIRI(?c) && "
        f"STRSTARTS(STR(?c), {ox.Literal(COUNTRY_SCHEME + '/')})) }}")
    for r in rows:
        result.setdefault(r["g"].value, {}).setdefault("countries", set()).add(r["c"].value)
    everything: dict = {"countries": set()}
    for info in result.values():
        everything["countries"] |= info.get("countries", set())
        if "temporal" in info:
            lo, hi = info["temporal"]
            old = everything.get("temporal", (lo, hi))
            everything["temporal"] = (min(lo, old[0]), max(hi, old[1]))
    result[None] = everything
    return result


_kept = KeptFigures(
    "dcat-coverage", _compute_coverage, _encode, _decode,
    child="corridor.derived.dcat:coverage_json",
)


def coverage_json(view: OxigraphStore, target: Path) -> list:
    """The coverage as JSON data (computed in a child process, see stats.run_in_child)."""
    return _encode(_compute_coverage(view))


def catalog_triples(
    store: OxigraphStore, root_url: str, dumps: list[Dump] | None = None
) -> list[ox.Triple]:
    """The DCAT-AP description of the catalogue, its datasets, distributions and service
    (``dumps``: the distributions, by default :func:`catalogue_dumps`)."""
    base = store.config.base_iri
    t, N = ox.Triple, ox.NamedNode

    def lit(text: str) -> ox.Literal:
        return ox.Literal(text, language="en")

    def typed(value: str, datatype: str) -> ox.Literal:
        return ox.Literal(value, datatype=N(XSD + datatype))

    catalog, publisher = N(base + "catalog"), N(base + "publisher")
    licence, service = N(LICENCE), N(root_url + "/sparql")
    modified = typed(store.modified.isoformat(), "dateTime")
    triples = [
        t(catalog, RDF_TYPE, N(DCAT + "Catalog")),
        t(catalog, N(DCT + "title"), lit("Corridor data catalogue")),
        t(catalog, N(DCT + "description"), lit(
            "Datasets of the Corridor knowledge graph of EU interregional innovation projects.")),
        t(catalog, N(DCT + "publisher"), publisher),
        t(catalog, N(DCT + "license"), licence),
        t(catalog, N(DCT + "modified"), modified),
        t(catalog, N(FOAF + "homepage"), N(root_url + "/")),
        t(catalog, N(DCAT + "service"), service),
        t(N(root_url + "/"), RDF_TYPE, N(FOAF + "Document")),
        t(publisher, RDF_TYPE, N(FOAF + "Agent")),
        t(publisher, N(FOAF + "name"), lit("Corridor project team")),
        t(licence, RDF_TYPE, N(DCT + "LicenseDocument")),
        t(service, RDF_TYPE, N(DCAT + "DataService")),
        t(service, N(DCT + "title"), lit("Corridor SPARQL endpoint")),
        t(service, N(DCAT + "endpointURL"), service),
        t(service, N(DCAT + "endpointDescription"), service),
        t(service, N(DCT + "conformsTo"), N(SPARQL_PROTOCOL)),
        t(service, N(DCT + "license"), licence),
        t(service, N(DCT + "publisher"), publisher),
        t(service, RDF_TYPE, N(RDFS + "Resource")),
        t(catalog, N(DCAT + "themeTaxonomy"), N(THEME_SCHEME)),
        t(N(THEME_SCHEME), RDF_TYPE, N(SKOS + "ConceptScheme")),
        t(N(THEME_SCHEME), N(DCT + "title"), lit("Data theme")),
        t(N(SPARQL_PROTOCOL), RDF_TYPE, N(DCT + "Standard")),
        t(N(SPDX + "checksumAlgorithm_sha256"), RDF_TYPE, N(SPDX + "ChecksumAlgorithm")),
    ]
    for code, label in THEME_LABELS.items():
        concept = N(f"{THEME_SCHEME}/{code}")
        triples += [t(concept, RDF_TYPE, N(SKOS + "Concept")),
                    t(concept, N(SKOS + "inScheme"), N(THEME_SCHEME)),
                    t(concept, N(SKOS + "prefLabel"), lit(label))]
    for code in FILE_TYPES.values():
        ft = N(f"{FILE_TYPE_SCHEME}/{code}")
        triples += [t(ft, RDF_TYPE, N(DCT + "MediaTypeOrExtent")),
                    t(ft, RDF_TYPE, N(SKOS + "Concept")),
                    t(ft, N(SKOS + "inScheme"), N(FILE_TYPE_SCHEME)),
                    t(ft, N(SKOS + "prefLabel"), lit(FILE_TYPE_LABELS[code]))]
    cover = coverage(store)
    dumps = catalogue_dumps(store) if dumps is None else dumps
    whole = N(dataset_iri(store))
    datasets: list[tuple[ox.NamedNode, str, str, list[str], dict, list[Dump]]] = [(
        whole, "Corridor knowledge graph (all public graphs)",
        "Every public named graph of Corridor in one dataset.", ["REGI", "ECON", "TECH"],
        cover.get(None, {}), [d for d in dumps if d.graph is None])]
    prefix = store.config.graph_iri("")
    for d in dumps:
        if d.graph is None:
            continue
        name = d.graph[len(prefix):] if d.graph.startswith(prefix) else d.graph
        datasets.append((N(d.graph), f"Corridor graph {name}",
                         f"The named graph <{d.graph}> of the Corridor knowledge graph.",
                         themes_for(name), cover.get(d.graph, {}), [d]))
    countries: set[str] = set()
    for iri, title, description, themes, info, distributions in datasets:
        triples += [
            t(catalog, N(DCAT + "dataset"), iri),
            t(service, N(DCAT + "servesDataset"), iri),
            t(iri, RDF_TYPE, N(DCAT + "Dataset")),
            t(iri, N(DCT + "title"), lit(title)),
            t(iri, N(DCT + "description"), lit(description)),
            t(iri, N(DCT + "publisher"), publisher),
            t(iri, N(DCT + "identifier"), ox.Literal(iri.value)),
            t(iri, N(DCT + "modified"), modified),
        ]
        triples += [t(iri, N(DCAT + "theme"), N(f"{THEME_SCHEME}/{c}")) for c in themes]
        if "temporal" in info:
            period = ox.BlankNode()
            triples += [t(iri, N(DCT + "temporal"), period),
                        t(period, RDF_TYPE, N(DCT + "PeriodOfTime")),
                        t(period, N(DCAT + "startDate"), typed(info["temporal"][0], "date")),
                        t(period, N(DCAT + "endDate"), typed(info["temporal"][1], "date"))]
        for country in sorted(info.get("countries", ())):
            countries.add(country)
            triples.append(t(iri, N(DCT + "spatial"), N(country)))
        for dump in distributions:
            triples += _distribution(iri, dump, root_url, licence)
    names = country_names(store, countries)
    for country in sorted(countries):
        triples += [t(N(country), RDF_TYPE, N(DCT + "Location")),
                    t(N(country), N(SKOS + "prefLabel"), lit(names.get(country, country[-3:]))),
                    t(N(country), RDF_TYPE, N(SKOS + "Concept")),
                    t(N(country), N(SKOS + "inScheme"), N(COUNTRY_SCHEME))]
    return triples


def country_names(store: OxigraphStore, countries: set[str]) -> dict[str, str]:
    """English names of authority countries, as the loaded reference data gives them."""
    if not countries:
        return {}
    values = " ".join(str(ox.NamedNode(c)) for c in sorted(countries))
    rows = store.query(f"SELECT ?c ?l {{ VALUES ?c {{ {values} }} ?c <{SKOS}prefLabel> ?l "
                       'FILTER(langMatches(lang(?l), "en")) }')
    return {r["c"].value: r["l"].value for r in rows}


def _distribution(dataset: ox.NamedNode, dump: Dump, root_url: str,
                  licence: ox.NamedNode) -> list[ox.Triple]:
    t, N = ox.Triple, ox.NamedNode

    def typed(value: str, datatype: str) -> ox.Literal:
        return ox.Literal(value, datatype=N(XSD + datatype))

    url = N(root_url + dump.url_path)
    dist, checksum = N(root_url + dump.url_path + "#distribution"), ox.BlankNode()
    media = N("https://www.iana.org/assignments/media-types/" + dump.media_type)
    gzip = N("https://www.iana.org/assignments/media-types/application/gzip")
    return [
        t(dataset, N(DCAT + "distribution"), dist),
        t(dist, RDF_TYPE, N(DCAT + "Distribution")),
        t(dist, N(DCT + "title"), ox.Literal(f"Dump {dump.name}", language="en")),
        t(dist, N(DCAT + "accessURL"), url),
        t(dist, N(DCAT + "downloadURL"), url),
        t(dist, N(DCAT + "mediaType"), media),
        t(media, RDF_TYPE, N(DCT + "MediaType")),
        t(dist, N(DCAT + "compressFormat"), gzip),
        t(gzip, RDF_TYPE, N(DCT + "MediaType")),
        t(dist, N(DCT + "format"), N(f"{FILE_TYPE_SCHEME}/{FILE_TYPES[dump.format]}")),
        t(dist, N(DCT + "license"), licence),
    ] + ([] if dump.size is None or dump.sha256 is None else [  # still being written
        t(dist, N(DCAT + "byteSize"), typed(str(dump.size), "nonNegativeInteger")),
        t(dist, N(SPDX + "checksum"), checksum),
        t(checksum, RDF_TYPE, N(SPDX + "Checksum")),
        t(checksum, N(SPDX + "algorithm"), N(SPDX + "checksumAlgorithm_sha256")),
        t(checksum, N(SPDX + "checksumValue"), typed(dump.sha256, "hexBinary")),
    ])
