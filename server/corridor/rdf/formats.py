"""HTTP content negotiation (RFC 9110 §12.5.1) and the RDF media types Corridor speaks.

Shared by every blueprint so that the SPARQL endpoint, linked-data pages and the catalogue
negotiate identically: q-values, specificity (``text/turtle`` beats ``text/*`` beats ``*/*``),
``q=0`` excludes, and on a tie the server's order of preference wins.
"""

from __future__ import annotations

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

# Graph serialisations, in the server's order of preference.
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
# Aliases clients send for the same formats.
RDF_ALIASES: dict[str, str] = {
    "application/x-turtle": "text/turtle",
    "text/n3": "text/turtle",
    "text/plain": "application/n-triples",
    "application/json": "application/ld+json",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
    "application/x-trig": "application/trig",
    "text/x-nquads": "application/n-quads",
}
# Short names for ``?format=`` and file suffixes.
FORMAT_NAMES: dict[str, str] = {
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "rdf": "application/rdf+xml",
    "xml": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "trig": "application/trig",
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
    "n-quads": "application/n-quads",
    "html": "text/html",
}
SUFFIXES: dict[str, str] = {
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdf",
    "application/trig": "trig",
    "application/n-quads": "nq",
    "text/html": "html",
}


def best_match(accept: str | None, offered: list[str]) -> str | None:
    """Pick the offered media type the client prefers (Werkzeug's RFC 9110 negotiation:
    q-values, specificity, ``q=0`` excludes, ties go to the server's order); a missing or
    empty header accepts anything; ``None`` means 406 Not Acceptable."""
    if not accept or not accept.strip():
        return offered[0] if offered else None
    ranges = parse_accept_header(accept, MIMEAccept)
    return ranges.best_match(offered)


def canonical_rdf_type(media_type: str) -> str | None:
    """Map a (possibly aliased) RDF media type to the one Corridor uses, or None."""
    media_type = media_type.split(";")[0].strip().lower()
    media_type = RDF_ALIASES.get(media_type, media_type)
    return media_type if media_type in RDF_FORMATS else None


def format_from_name(name: str | None) -> str | None:
    """Media type for a ``?format=`` value or suffix: short name or full media type."""
    if not name:
        return None
    name = name.strip().lower()
    return FORMAT_NAMES.get(name) or canonical_rdf_type(name) or (
        name if "/" in name else None
    )
