"""Serving RDF over HTTP: format choice (``?format=``, suffix, Accept) and serialisation.

Shared by the linked-data, VoID, catalogue and ontology routes so they negotiate alike. JSON-LD
is compacted with the published context (``/context.jsonld``), embedded in the document so a
client needs no second request (the ``@context`` object is identical to the published one).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable

import pyoxigraph as ox
from flask import Response, request

from corridor.rdf import formats as conneg
from corridor.rdf import xmlsafe
from corridor.rdf.namespaces import PREFIXES

RDF_OFFERS = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
HTML_AND_RDF = ["text/html", *RDF_OFFERS]



def jsonld_context() -> dict:
    """The published JSON-LD context: the prefixes Corridor's data uses."""
    return {"@context": dict(PREFIXES)}


def used_prefixes(triples: list[ox.Triple], prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes that abbreviate some IRI of ``triples`` (namespace = IRI up to its last
    ``#`` or ``/``), so documents do not declare prefixes they never use."""
    iris = {term.value for t in triples for term in (t.subject, t.predicate, t.object)
            if isinstance(term, ox.NamedNode)}
    iris |= {t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal)}
    namespaces = {iri[: max(iri.rfind("#"), iri.rfind("/")) + 1] for iri in iris}
    return {p: ns for p, ns in prefixes.items() if ns in namespaces}


def chosen_format(offers: list[str], suffix: str | None = None) -> str | None:
    """The media type to serve: ``?format=`` beats a URL suffix beats the Accept header."""
    named = conneg.format_from_name(request.args.get("format")) or conneg.format_from_name(suffix)
    if named:
        return named if named in offers else None
    return _best_with_aliases(request.headers.get("Accept"), tuple(offers))


@functools.lru_cache(maxsize=256)
def _best_with_aliases(accept: str | None, offers: tuple[str, ...]) -> str | None:
    """Best offer for ``accept``, counting the aliases clients send (``text/n3``,
    ``application/x-turtle``, ``application/json``, ``application/xml``, ``text/plain``) as
    their formats, as ``/sparql`` does; offers first, so the server's order breaks ties.
    Bounded cache: clients repeat their Accept headers."""
    aliases = [a for a, canonical in conneg.RDF_ALIASES.items() if canonical in offers]
    chosen = conneg.best_match(accept, [*offers, *aliases])
    return conneg.RDF_ALIASES.get(chosen, chosen) if chosen else None


def serialize(triples: Iterable[ox.Triple], media_type: str,
              prefixes: dict[str, str] | None = None) -> bytes:
    """Bytes of ``triples`` in ``media_type`` (one of :data:`RDF_OFFERS`)."""
    triples = list(triples)
    if media_type == "application/ld+json":
        return _jsonld(triples)
    fmt = conneg.RDF_FORMATS[media_type]
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        data = ox.serialize(triples, format=fmt,
                            prefixes=used_prefixes(triples, prefixes or PREFIXES))
    else:
        data = ox.serialize(triples, format=fmt)
    assert data is not None  # no output given: the bytes are returned
    return xmlsafe.escape_carriage_returns(data) if fmt == ox.RdfFormat.RDF_XML else data


def _jsonld(triples: list[ox.Triple]) -> bytes:
    import rdflib

    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    text = graph.serialize(format="json-ld", context=jsonld_context()["@context"],
                           auto_compact=True)
    document = json.loads(text) if text.strip() else {}
    if not isinstance(document, dict) or "@context" not in document:
        document = {"@context": jsonld_context()["@context"], "@graph": document or []}
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def rdf_response(triples: Iterable[ox.Triple], media_type: str, status: int = 200,
                 negotiated: bool = True, content_location: str | None = None) -> Response:
    """A response holding ``triples``; ``negotiated`` adds ``Vary: Accept``."""
    body = serialize(triples, media_type)
    content_type = media_type + ("; charset=utf-8" if media_type in (
        "text/turtle", "application/n-triples") else "")
    response = Response(body, status=status, content_type=content_type)
    if negotiated:
        response.headers["Vary"] = "Accept"
    if content_location:
        response.headers["Content-Location"] = content_location
    return response


def not_acceptable(offers: list[str]) -> Response:
    response = Response("not acceptable; this resource is available as " + ", ".join(offers)
                        + "\n", status=406, mimetype="text/plain")
    response.headers["Vary"] = "Accept"
    return response
