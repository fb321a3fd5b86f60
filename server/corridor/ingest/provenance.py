"""Load provenance in the metadata graph ``{base}graph/meta`` (PROV-O, DCTERMS, VoID, SPDX).

For a graph ``G`` loaded from ``boost.ttl``::

    G a prov:Entity ; void:triples 42 ; dcterms:modified "…"^^xsd:dateTime ;
      prov:wasDerivedFrom G#source-<sha256> ; prov:wasGeneratedBy G#load-<sha256> .
    G#source-<sha256> a prov:Entity ; dcterms:title "boost.ttl" ; void:triples 42 ;
      spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue "…" ] .
    G#load-<sha256> a prov:Activity ; prov:used G#source-<sha256>, G#shapes-<sha256> ;
      prov:startedAtTime … ; prov:endedAtTime … ; prov:wasAssociatedWith G#agent-<sha256> .
    G#shapes-<sha256> a prov:Entity ; prov:specializationOf <{base}graph/shapes> ;
      owl:versionInfo "sha256:…" .          # the shapes version the load was validated with
    G#agent-<sha256> a prov:Agent ; foaf:name "user@host" .

(SPDX checksums are what DCAT-AP uses for distributions.) Every subject is ``G`` or a hash IRI
of ``G``, so the store can replace a graph's provenance without touching other graphs'.
"""

from __future__ import annotations

import getpass
import socket
from datetime import UTC, datetime

import pyoxigraph as ox

from corridor.config import Config
from corridor.rdf.namespaces import DCT, FOAF, OWL, PROV, SPDX, VOID, XSD
from corridor.store import ReadView

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

PREFIXES = (
    f"PREFIX prov: <{PROV}> PREFIX dcterms: <{DCT}> PREFIX void: <{VOID}> "
    f"PREFIX spdx: <{SPDX}> PREFIX foaf: <{FOAF}> PREFIX owl: <{OWL}> "
)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def default_agent() -> str:
    """Who runs the load: ``user@host`` (CORRIDOR_AGENT overrides)."""
    import os

    if os.environ.get("CORRIDOR_AGENT"):
        return os.environ["CORRIDOR_AGENT"]
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _time(value: datetime) -> ox.Literal:
    return ox.Literal(value.isoformat(), datatype=_n(XSD + "dateTime"))


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(XSD + "integer"))


def load_quads(
    config: Config, graph: str, file_name: str, sha256: str, *, triples_in_file: int,
    triples_in_graph: int, started: datetime, shapes_version: str | None, agent: str,
    prior_sources: list[str],
) -> list[ox.Quad]:
    """The provenance statements of one load of ``file_name`` into ``graph``."""
    g = _n(graph)
    source, load = _n(f"{graph}#source-{sha256}"), _n(f"{graph}#load-{sha256}")
    checksum, who = _n(f"{graph}#checksum-{sha256}"), _n(f"{graph}#agent-{sha256}")
    triples: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (g, RDF_TYPE, _n(PROV + "Entity")),
        (g, _n(VOID + "triples"), _int(triples_in_graph)),
        (g, _n(DCT + "modified"), _time(now())),
        (g, _n(PROV + "wasGeneratedBy"), load),
        (g, _n(PROV + "wasDerivedFrom"), source),
        (source, RDF_TYPE, _n(PROV + "Entity")),
        (source, _n(DCT + "title"), ox.Literal(file_name)),
        (source, _n(VOID + "triples"), _int(triples_in_file)),
        (source, _n(SPDX + "checksum"), checksum),
        (checksum, RDF_TYPE, _n(SPDX + "Checksum")),
        (checksum, _n(SPDX + "algorithm"), _n(SPDX + "checksumAlgorithm_sha256")),
        (checksum, _n(SPDX + "checksumValue"), ox.Literal(sha256, datatype=_n(XSD + "hexBinary"))),
        (load, RDF_TYPE, _n(PROV + "Activity")),
        (load, _n(PROV + "used"), source),
        (load, _n(PROV + "startedAtTime"), _time(started)),
        (load, _n(PROV + "endedAtTime"), _time(now())),
        (load, _n(PROV + "wasAssociatedWith"), who),
        (who, RDF_TYPE, _n(PROV + "Agent")),
        (who, _n(FOAF + "name"), ox.Literal(agent)),
    ]
    if shapes_version:
        shapes = _n(f"{graph}#shapes-{sha256}")
        triples += [
            (load, _n(PROV + "used"), shapes),
            (shapes, RDF_TYPE, _n(PROV + "Entity")),
            (shapes, _n(PROV + "specializationOf"), _n(config.graph_iri("shapes"))),
            (shapes, _n(OWL + "versionInfo"), ox.Literal(shapes_version)),
        ]
    triples += [(g, _n(PROV + "wasDerivedFrom"), _n(s)) for s in prior_sources]
    return [ox.Quad(s, p, o) for s, p, o in triples]


def prior_sources(store: ReadView, config: Config, graph: str) -> list[str]:
    """IRIs of the sources already recorded for ``graph`` (kept by an additive load)."""
    rows = store.query(
        PREFIXES
        + f"SELECT ?s {{ GRAPH <{config.meta_graph}> {{ <{graph}> prov:wasDerivedFrom ?s }} }}"
    )
    return [row["s"].value for row in rows]


def sources_of(reader: ReadView, config: Config, graph: str) -> set[str]:
    """SHA-256 sums of the files recorded as sources of ``graph``."""
    rows = reader.query(
        PREFIXES
        + f"SELECT ?sum {{ GRAPH <{config.meta_graph}> {{ <{graph}> prov:wasDerivedFrom ?s ."
        " ?s spdx:checksum/spdx:checksumValue ?sum } }"
    )
    return {row["sum"].value for row in rows}


def graphs_with_source(reader: ReadView, config: Config, sha256: str) -> set[str]:
    """Graphs that record a source file with this SHA-256 (for idempotent reloads)."""
    rows = reader.query(
        PREFIXES + f"SELECT ?g {{ GRAPH <{config.meta_graph}> {{ ?g prov:wasDerivedFrom ?s ."
        f' ?s spdx:checksum/spdx:checksumValue "{sha256}"^^<{XSD}hexBinary> }} }}'
    )
    return {row["g"].value for row in rows}


def listing(reader: ReadView, config: Config) -> list[dict[str, object]]:
    """Every named graph with its triple count and recorded provenance (``corridor graphs``)."""
    counts = {
        row["g"].value: int(row["n"].value)
        for row in reader.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    }
    rows = reader.query(
        PREFIXES + f"""SELECT ?g ?title ?sum ?time ?agent ?shapes {{ GRAPH <{config.meta_graph}> {{
          ?g prov:wasDerivedFrom ?s . ?s dcterms:title ?title ;
             spdx:checksum/spdx:checksumValue ?sum .
          OPTIONAL {{ ?load prov:used ?s ; prov:endedAtTime ?time .
            OPTIONAL {{ ?load prov:wasAssociatedWith/foaf:name ?agent }}
            OPTIONAL {{ ?load prov:used/owl:versionInfo ?shapes }} }} }} }} ORDER BY ?g ?time"""
    )
    sources: dict[str, list[dict[str, str | None]]] = {}
    for row in rows:
        sources.setdefault(row["g"].value, []).append(
            {
                k: (row[k].value if row[k] is not None else None)
                for k in ("title", "sum", "time", "agent", "shapes")
            }
        )
    return [
        {"graph": g, "triples": n, "sources": sources.get(g, [])}
        for g, n in sorted(counts.items())
    ]
