"""HTTP content negotiation (RFC 9110 §12.5.1) and the RDF media types Corridor speaks.

Shared by every blueprint so that the SPARQL endpoint, linked-data pages and the catalogue
negotiate identically: q-values, specificity (``text/turtle`` beats ``text/*`` beats ``*/*``),
``q=0`` excludes, and on a tie the server's order of preference wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

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


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...] = ()

    def matches(self, media_type: str) -> int:
        """Specificity of the match (3 exact … 1 ``*/*``), or 0 when it does not match."""
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return 1
        if self.type != main:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == sub else 0


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header; a missing or empty header accepts anything."""
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        main, _, sub = media.partition("/")
        q, params = 1.0, []
        for f in fields[1:]:
            name, _, value = f.partition("=")
            name, value = name.strip().lower(), value.strip().strip('"')
            if name == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
            elif name:
                params.append((name, value))
        ranges.append(MediaRange(main, sub, q, tuple(params)))
    return ranges


def quality(ranges: list[MediaRange], media_type: str) -> float:
    """The q-value the client gives ``media_type``: the most specific matching range wins."""
    best_specificity, best_q = 0, 0.0
    for r in ranges:
        s = r.matches(media_type)
        if s > best_specificity:
            best_specificity, best_q = s, r.q
    return best_q


def best_match(accept: str | None, offered: list[str]) -> str | None:
    """Pick the offered media type the client prefers; ``None`` means 406 Not Acceptable."""
    ranges = parse_accept(accept)
    best, best_q = None, 0.0
    for media_type in offered:
        q = quality(ranges, media_type)
        if q > best_q:
            best, best_q = media_type, q
    return best


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
