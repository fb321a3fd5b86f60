"""Graphs only the store itself writes: the metadata graph (provenance) and the shapes graph.

Provenance is how reloads are recognised as unchanged and how the public learns where data
came from; the shapes guard every write. A client that could overwrite either could wipe the
history or switch validation off. So every write path refuses them with one message:
the Graph Store (by target), SPARQL Update (by comparing the graphs before and after the
update on the scratch copy, which covers every operation — INSERT, DELETE, LOAD, CLEAR, DROP,
COPY, MOVE, ADD, ``GRAPH ?g`` — however it names them) and dataset files (TriG, N-Quads) that
name them.
"""

from __future__ import annotations

import pyoxigraph as ox

from corridor.config import Config
from corridor.store.base import ReadView, StoreError, WriteCheck


class ProtectedGraphError(StoreError):
    """A write would change a graph only the store writes (HTTP 403)."""

    def __init__(self, graph: str, role: str) -> None:
        super().__init__(
            f"<{graph}> is the {role}, which only the store itself writes: "
            "it cannot be written, replaced, cleared or dropped by a client")
        self.graph = graph


def protected_graphs(config: Config) -> dict[str, str]:
    """IRI → role of every graph clients may read but never write."""
    return {config.meta_graph: "metadata graph (provenance)",
            config.graph_iri("shapes"): "shapes graph (the SHACL shapes that guard writes)"}


def refuse_protected(config: Config, graph: str | None) -> None:
    """Raise :class:`ProtectedGraphError` if ``graph`` is protected."""
    role = protected_graphs(config).get(graph or "")
    if role is not None:
        raise ProtectedGraphError(graph or "", role)


def _quads(view: ReadView, graph: str) -> set[ox.Quad]:
    return set(view.quads_for_pattern(None, None, None, ox.NamedNode(graph)))


def unchanged_protected_graphs(config: Config, before: object, check: WriteCheck) -> WriteCheck:
    """``check`` preceded by: the protected graphs of the scratch copy equal those of
    ``before()`` (the published version the scratch was copied from: the write lock is held
    while checks run)."""

    def guarded(scratch: ReadView, focus: frozenset[str] | None) -> None:
        current = before()  # type: ignore[operator]
        for graph, role in protected_graphs(config).items():
            if _quads(scratch, graph) != _quads(current, graph):
                raise ProtectedGraphError(graph, role)
        check(scratch, focus)

    return guarded
