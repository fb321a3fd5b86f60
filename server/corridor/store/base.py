"""The store boundary: what every other layer may ask of a store, whatever engine is behind it.

:class:`Store` is implemented by the embedded :class:`~corridor.store.oxigraph.OxigraphStore`;
a remote SPARQL 1.1 store implements the same protocol. The privacy rule (which graphs and
which metadata the public must not see) is defined here, once.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Protocol

import pyoxigraph as ox

from corridor.config import Config

Quad = ox.Quad
Term = ox.NamedNode | ox.BlankNode | ox.Literal


class StoreError(Exception):
    """A store problem a user can act on; its message is shown as one line."""


class StoreLockedError(StoreError):
    pass


class WriteRejected(StoreError):
    """A write check (e.g. SHACL) refused the change; ``report`` carries the details."""

    def __init__(self, message: str, report: object = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class Change:
    """One entry of the change log: ``resource`` None means the whole graph changed."""

    seq: int
    version: int
    time: datetime
    activity: str
    graph: str | None
    resource: str | None


def is_withheld_metadata(config: Config, quad: ox.Quad) -> bool:
    """Whether ``quad`` is what the metadata graph says about a withheld graph (its source
    file, checksum, counts): as private as the graph itself."""
    return quad.graph_name == ox.NamedNode(config.meta_graph) and any(
        isinstance(term, ox.NamedNode) and config.is_withheld(term.value)
        for term in (quad.subject, quad.object)
    )



GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


class ReadView(Protocol):
    """A consistent read-only view of one store version: a published checkpoint, a scratch
    copy under validation, an in-memory store. Its signatures are pyoxigraph's, so the
    embedded store hands out its handles as they are; other backends provide an adapter."""

    def query(
        self, /, query: str, *, base_iri: str | None = None,
        prefixes: dict[str, str] | None = None, use_default_graph_as_union: bool = False,
        default_graph: GraphName | list[GraphName] | None = None,
        named_graphs: list[ox.NamedNode | ox.BlankNode] | None = None,
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]
        | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples: ...

    def quads_for_pattern(
        self, /, subject: ox.NamedNode | ox.BlankNode | ox.Triple | None,
        predicate: ox.NamedNode | None,
        object: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None,
        graph_name: GraphName | None = None,
    ) -> Iterator[ox.Quad]: ...

    def named_graphs(self, /) -> Iterator[ox.NamedNode | ox.BlankNode]: ...

    def contains_named_graph(self, /, graph_name: GraphName) -> bool: ...

    def __len__(self, /) -> int: ...


WriteCheck = Callable[[ReadView, "frozenset[str] | None"], None]
"""``check(scratch, focus)`` inspects a scratch copy holding the result of a write and raises
(normally :class:`WriteRejected`) to refuse it. ``focus`` is the set of IRIs the write touched
(subjects added or removed), or None when unknown (SPARQL Update, blank-node-only data):
then the whole store must be checked.
"""


class Store(Protocol):
    """What the web service, the loader and the CLI may ask of a store."""

    config: Config

    @property
    def version(self) -> int: ...

    @property
    def modified(self) -> datetime: ...

    def query(self, sparql: str, **dataset: object) -> object: ...

    def named_graphs(self) -> list[str]: ...

    def quads(self, graph: str | None = None) -> Iterator[Quad]: ...

    def dump(self, out: IO[bytes], format: ox.RdfFormat, graph: str | None = None) -> None: ...

    def changes_since(self, seq: int, limit: int) -> list[Change]: ...


def os_reason(error: OSError) -> str:
    if error.errno == errno.ENOSPC or "No space left" in str(error):
        return "the disk is full"
    if error.errno == errno.EACCES or "Permission denied" in str(error):
        return "permission denied"
    return str(error)
