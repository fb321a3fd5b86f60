"""What a dereferenced IRI returns: its concise bounded description, labels, incoming links.

A description holds (1) every public triple whose subject is the resource, following blank-node
objects (the concise bounded description), (2) the labels of the IRIs it links to, and (3) the
triples that point *to* the resource. Incoming links are paged (``INCOMING_PAGE_SIZE`` a page):
a page that is not the whole set carries Hydra paging triples (``hydra:next`` …) about the page
URL, so nothing is ever dropped silently. All reads are index lookups on one snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import pyoxigraph as ox

from corridor.config import Config
from corridor.rdf.namespaces import HYDRA, LABEL_PROPERTIES
from corridor.store import ReadView, public_quads

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
INCOMING_PAGE_SIZE = 500
MAX_BNODE_DEPTH = 8


@dataclass
class Description:
    """The triples served for one IRI, and how its incoming links were paged."""

    iri: str
    triples: list[ox.Triple] = field(default_factory=list)
    outgoing: int = 0
    incoming_total: int = 0
    page: int = 1
    pages: int = 1

    @property
    def found(self) -> bool:
        return self.outgoing > 0 or self.incoming_total > 0

    def __iter__(self):  # browse.resource_html accepts an iterable of triples
        return iter(self.triples)


def _triples(
    reader: ReadView, config: Config, s: Any = None, p: Any = None, o: Any = None
) -> Iterator[ox.Triple]:
    seen: set[ox.Triple] = set()
    for quad in public_quads(config, reader, s, p, o):
        triple = ox.Triple(quad.subject, quad.predicate, quad.object)
        if triple not in seen:
            seen.add(triple)
            yield triple


def describe(reader: ReadView, config: Config, iri: str, page: int = 1,
             page_url: str | None = None) -> Description:
    """The description of ``iri`` with page ``page`` of its incoming links."""
    node = ox.NamedNode(iri)
    result = Description(iri, page=max(page, 1))
    out: list[ox.Triple] = []
    frontier: list[ox.NamedNode | ox.BlankNode] = [node]
    visited: set = set()
    for _ in range(MAX_BNODE_DEPTH):
        next_frontier: list[ox.NamedNode | ox.BlankNode] = []
        for subject in frontier:
            if subject in visited:
                continue
            visited.add(subject)
            for t in _triples(reader, config, s=subject):
                out.append(t)
                if isinstance(t.object, ox.BlankNode):
                    next_frontier.append(t.object)
        if not next_frontier:
            break
        frontier = next_frontier
    result.outgoing = len(out)
    incoming = list(_triples(reader, config, o=node))
    incoming.sort(key=lambda t: (str(t.subject), str(t.predicate)))
    result.incoming_total = len(incoming)
    result.pages = max(1, -(-len(incoming) // INCOMING_PAGE_SIZE))
    start = (result.page - 1) * INCOMING_PAGE_SIZE
    page_in = list(islice(incoming, start, start + INCOMING_PAGE_SIZE))
    triples = dict.fromkeys(out + page_in)
    linked = {t.object for t in out if isinstance(t.object, ox.NamedNode) and t.object != node}
    linked |= {t.subject for t in page_in if isinstance(t.subject, ox.NamedNode)}
    for other in sorted(linked, key=str):
        for prop in LABEL_PROPERTIES:
            for t in _triples(reader, config, s=other, p=ox.NamedNode(prop)):
                triples.setdefault(t)
    result.triples = list(triples)
    if result.pages > 1 and page_url is not None:
        result.triples += paging_triples(page_url, result)
    return result


def paging_triples(base_url: str, d: Description) -> list[ox.Triple]:
    """Hydra partial-collection view triples describing the page of incoming links."""

    def url(n: int) -> ox.NamedNode:
        sep = "&" if "?" in base_url else "?"
        return ox.NamedNode(f"{base_url}{sep}page={n}")

    view = url(d.page)
    h = lambda name: ox.NamedNode(HYDRA + name)  # noqa: E731
    triples = [
        ox.Triple(view, RDF_TYPE, h("PartialCollectionView")),
        ox.Triple(view, h("totalItems"), ox.Literal(str(d.incoming_total),
                                                    datatype=ox.NamedNode(
                                                        "http://www.w3.org/2001/XMLSchema#integer"))),
        ox.Triple(view, h("first"), url(1)),
        ox.Triple(view, h("last"), url(d.pages)),
    ]
    if d.page > 1:
        triples.append(ox.Triple(view, h("previous"), url(d.page - 1)))
    if d.page < d.pages:
        triples.append(ox.Triple(view, h("next"), url(d.page + 1)))
    return triples
