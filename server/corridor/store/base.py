"""The store boundary: what every other layer may ask of a store, whatever engine is behind it.

:class:`Store` is implemented by the embedded :class:`~corridor.store.oxigraph.OxigraphStore`;
a remote SPARQL 1.1 store implements the same protocol. The privacy rule (which graphs and
which metadata the public must not see) is defined here, once.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Protocol

import pyoxigraph as ox

from corridor.config import Config

Quad = ox.Quad
Term = ox.NamedNode | ox.BlankNode | ox.Literal


class StoreError(Exception):
    """A store problem a user can act on; its message is shown as one line."""


class StoreLockedError(StoreError):
    pass


@dataclass(frozen=True)
class UpdateLimits:
    """How long and how much memory one SPARQL Update may take, and what the child does first
    (``before``: a picklable module-level function, e.g. leave the network). Run by
    :mod:`corridor.store.limited_update`."""

    timeout: float
    memory_mb: int | None = None
    before: Callable[[], object] | None = None


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


def public_quads(
    config: Config, reader: ReadView,
    subject: ox.NamedNode | ox.BlankNode | None = None, predicate: ox.NamedNode | None = None,
    object: ox.NamedNode | ox.BlankNode | ox.Literal | None = None,
    graph: ox.NamedNode | None = None,
) -> Iterator[ox.Quad]:
    """The quads matching the pattern that the public may see: none of a withheld graph, and
    none of what the metadata graph says about one. The one place the privacy rule is applied
    to quads (pages, labels, search, dumps, Graph Store reads)."""
    for quad in reader.quads_for_pattern(subject, predicate, object, graph):
        g = quad.graph_name
        if isinstance(g, ox.NamedNode) and config.is_withheld(g.value):
            continue
        if not is_withheld_metadata(config, quad):
            yield quad


# Threads that may query one read view at once: every store answers concurrent queries
# (Oxigraph evaluates a query without the GIL; a remote store opens a connection per request),
# so independent queries (a validation's, an import's batches) run one per core, at most four.
QUERY_THREADS = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                    else os.cpu_count() or 1)


class ReadView(Protocol):
    """A consistent read-only view of one store version: a published checkpoint, a scratch
    copy under validation, an in-memory store. Its signatures are pyoxigraph's, so the
    embedded store hands out its handles as they are; other backends provide an adapter."""

    def query(
        self, /, query: str, *, base_iri: str | None = None,
        prefixes: dict[str, str] | None = None, use_default_graph_as_union: bool = False,
        default_graph: GraphName | list[GraphName] | None = None,
        named_graphs: list[ox.NamedNode | ox.BlankNode] | None = None,
        substitutions: dict[ox.Variable, Any] | None = None,
    ) -> Any:
        """Solutions, a boolean or triples, by the query's form (see corridor.rdf.terms)."""
        ...

    def quads_for_pattern(
        self, /, subject: ox.NamedNode | ox.BlankNode | ox.Triple | None,
        predicate: ox.NamedNode | None,
        object: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None,
        graph_name: GraphName | None = None,
    ) -> Iterator[ox.Quad]: ...

    def named_graphs(self, /) -> Iterator[ox.NamedNode | ox.BlankNode]: ...

    def contains_named_graph(self, /, graph_name: GraphName) -> bool: ...

    def __len__(self, /) -> int: ...

    def __contains__(self, /, quad: ox.Quad) -> bool: ...


WriteCheck = Callable[[ReadView, "frozenset[str] | None"], None]
"""``check(scratch, focus)`` inspects a scratch copy holding the result of a write and raises
(normally :class:`WriteRejected`) to refuse it. ``focus`` is the set of IRIs the write touched
(subjects added or removed), or None when unknown (SPARQL Update, blank-node-only data):
then the whole store must be checked.
"""


@dataclass(frozen=True)
class Snapshot:
    """One store version held by a :meth:`OxigraphStore.lease`: its checkpoint folder (None in
    memory), its read handle and the dataset rule of its queries."""

    path: Path | None
    handle: ReadView
    version: int
    dataset: dict[str, Any]

    def query(self, sparql: str) -> Any:
        return self.handle.query(sparql, **self.dataset)


class Writes(Protocol):
    """The write operations of a transaction (see :meth:`Store.transaction`); with a check,
    they are checked before the commit, and a refused transaction leaves no trace."""

    activity: str
    changes: list[tuple[str | None, str | None]]

    @property
    def config(self) -> Config: ...

    @property
    def primary(self) -> ReadView:
        """Where the writes go (the scratch copy while one is open): read it to count."""
        ...

    def replace_graph(
        self, graph: str, quads: Iterable[Quad], check: WriteCheck | None = None
    ) -> int: ...

    def add_to_graph(
        self, graph: str, quads: Iterable[Quad], check: WriteCheck | None = None
    ) -> int: ...

    def bulk_load_graph(
        self, graph: str, path: str | Path, format: ox.RdfFormat, *, replace: bool = False,
        base_iri: str | None = None,
    ) -> None: ...

    def drop_graph(self, graph: str, check: WriteCheck | None = None) -> None: ...

    def update(
        self, sparql: str, check: WriteCheck | None = None, base_iri: str | None = None,
        limits: UpdateLimits | None = None,
    ) -> None: ...

    def set_graph_metadata(
        self, quads: Iterable[Quad], about_graph: str, replace_all: bool = True
    ) -> None: ...

    def run_check(self) -> None: ...


class Store(Protocol):
    """What every other layer may ask of a store: the boundary an embedded Oxigraph store and
    a remote SPARQL 1.1 store both implement.

    Reads see one published version at a time (a write never shows half-done); writes are
    serialised, checked (SHACL) on a scratch copy and published as a new version; the change
    log says which resources each version changed; per-store state of other layers lives in
    :attr:`extensions` and is stopped by :meth:`close`.
    """

    config: Config
    extensions: dict[str, object]

    # versions ------------------------------------------------------------------------------
    @property
    def version(self) -> int: ...

    @property
    def modified(self) -> datetime: ...

    def on_commit(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(version)`` after every committed write."""
        ...

    # reads ---------------------------------------------------------------------------------
    def query(self, sparql: str, **dataset: Any) -> Any:
        """A trusted, bounded query on the current version; without ``dataset`` the default
        graph is the union of the public graphs."""
        ...

    def reader(self) -> ReadView: ...

    def current(self, public: bool = False) -> Snapshot: ...

    def lease(self, public: bool = False) -> AbstractContextManager[Snapshot]: ...

    def dataset_arguments(self) -> dict[str, object]: ...

    def named_graphs(self, public: bool = True) -> list[str]: ...

    def graph_exists(self, graph: str) -> bool: ...

    def quads(self, graph: str | None = None) -> Iterator[Quad]: ...

    def count(self, graph: str | None = None) -> int: ...

    def dump(self, out: IO[bytes], format: ox.RdfFormat, graph: str | None = None) -> None: ...

    # writes and the change log -------------------------------------------------------------
    def transaction(
        self, activity: str, check: WriteCheck | None = None
    ) -> AbstractContextManager[Writes]: ...

    def changes_since(self, seq: int, limit: int = 1000) -> list[Change]: ...

    def last_change_seq(self) -> int: ...

    # files and lifetime --------------------------------------------------------------------
    def derived_dir(self, name: str) -> Path | None: ...

    @property
    def public_checkpoint(self) -> Path | None: ...

    def close(self) -> None: ...


def os_reason(error: OSError) -> str:
    if error.errno == errno.ENOSPC or "No space left" in str(error):
        return "the disk is full"
    if error.errno == errno.EACCES or "Permission denied" in str(error):
        return "permission denied"
    return str(error)
