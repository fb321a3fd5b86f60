"""The remote backend: Corridor's :class:`~corridor.store.base.Store` over a SPARQL 1.1 store
(Oxigraph server, Virtuoso, Fuseki, ...) reached only through the SPARQL 1.1 Protocol.

What lives where
    The data, Corridor's version marker, its change log and its graph registry live in the
    remote store (the registry and log in the state graph :data:`STATE_GRAPH`, never shown to
    anybody). ``config.store_dir`` is a local folder for what this process derives (figures,
    search index, dumps), keyed by version like the embedded store's. Except on Virtuoso, the
    union of the registered graphs that are not withheld is kept in :data:`UNION_GRAPH` by every
    write (in the same request): public queries name it alone, union-default-graph queries it
    and the withheld graphs.

Writes (see README, "Remote stores")
    A transaction collects its effect locally: the new content of every graph it replaces in an
    in-memory store, the quads it adds to others. A check (SHACL) runs on an in-memory copy of
    that plus the *neighbourhood* of the touched nodes fetched from the remote (quads of the
    touched nodes and of the nodes two links away, the links into the touched nodes and their
    neighbours, every ``rdfs:subClassOf``), or of the whole store when the focus is unknown (a
    SPARQL Update). Then the write is sent as **one** SPARQL Update request whose every
    operation is conditional on the version marker the transaction started from, the last
    one moving the marker to the new version with this write's token. The marker read back
    says what happened: our token — committed (even if the response was lost); anything
    else — nothing was applied (another writer came first: :class:`ConflictError`).

    Corridor relies on the remote executing one update request all-or-nothing (Oxigraph
    server: one storage transaction per request; Virtuoso: one SQL transaction per request in
    its default mode) and on a request that never arrived whole not being executed at all.

Blank nodes
    The protocols give no way to name a stored blank node again, so blank nodes are stored as
    skolem IRIs ``{base}.well-known/genid/<id>`` (RDF 1.1 §3.5) and turned back into blank
    nodes by every read of Corridor's own; user SPARQL sees the skolem IRIs.

The default graph
    Virtuoso has no default graph of its own (its default graph is the union of all), so the
    default graph is kept in the named graph :data:`DEFAULT_GRAPH`, on every remote.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from itertools import chain
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from corridor.config import Config
from corridor.store.base import (
    Change,
    GraphName,
    Quad,
    Snapshot,
    StoreError,
    Term,
    UpdateLimits,
    WriteCheck,
    is_withheld_metadata,
)
from corridor.store.limited_update import runner_for
from corridor.store.sparql_http import RemoteError, SparqlClient

log = logging.getLogger(__name__)

STATE_GRAPH = "urn:x-corridor:state"  # version marker, change log, graph registry
DEFAULT_GRAPH = "urn:x-corridor:default"  # what Corridor's default graph holds
EMPTY_GRAPH = "urn:x-corridor:empty"  # named as the dataset when there is nothing to name
# the union of the registered public graphs, kept by every write: a server that evaluates a
# dataset of N default graphs as N lookups per pattern is N times slower on Corridor's ~40
# graphs (Oxigraph server at 1M: an aggregation 17.8 s over 41 default graphs, 1.0 s over one)
UNION_GRAPH = "urn:x-corridor:union"
MAX_CHAIN = 32  # links followed along one predicate beyond the fixed hops of a validation copy
_S = "urn:x-corridor:"
WRAPPED = _S + "datatype:"  # a literal of a datatype the remote mangles, kept as written
XSD = "http://www.w3.org/2001/XMLSchema#"
MARKER = ox.NamedNode(_S + "store")
VERSION, MODIFIED, LAST_SEQ, WRITER, GRAPH, UNION = (
    ox.NamedNode(_S + n) for n in ("version", "modified", "lastSeq", "writer", "graph", "union"))
C_SEQ, C_ENTRY, C_TIME, C_ACTIVITY = (
    ox.NamedNode(_S + "change#" + n) for n in ("seq", "entry", "time", "activity"))
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
VALUES_CHUNK = 200
# a write request is waited for: a client giving up would not stop the server applying it
# later, after Corridor had reported it failed (a million-triple write takes minutes)
WRITE_TIMEOUT = 6 * 3600.0
# how long Corridor's own reads wait for the remote to answer (user queries keep their limit,
# corridor.query.remote): the derived views read whole graphs — the labels of 5M triples took
# Virtuoso more than a minute before its first byte, and with 60 s the search index was never
# built
READ_TIMEOUT = 3600.0
SUBJECT_CACHE = 50_000  # subjects whose quads a view keeps (per version)
STAGE_LINES = 2000  # statements per Virtuoso update text (its compiler fails near 5000)
# characters per update text (at most 4 bytes each): Oxigraph server refuses bodies over 128 MiB
STAGE_CHARS = 32 * 1024 * 1024
# statements a write may send inline in its final request; more go through staging graphs,
# uploaded chunk by chunk as they are written out (a 5M-triple load held every statement as a
# Python string, twice: ~10 GB in the client)
INLINE_LINES = 100_000
DROP_PART = 500_000  # triples per request when a staging graph is emptied
# graphs a Virtuoso installation holds of its own: never data of Corridor's (`reindex`)
SYSTEM_GRAPH_PREFIXES = (
    "http://www.openlinksw.com/", "http://localhost:8890/", "http://www.w3.org/ns/ldp#",
    "http://www.w3.org/2002/07/owl#", "urn:x-corridor:", "virtrdf:",
)


def _statements(terms: Terms, quads: Callable[[], Iterable[ox.Quad]]) -> Iterator[str]:
    return (terms.quad_text(q.subject, q.predicate, q.object) for q in quads())


def _uploads(stage: str, lines: Iterable[str], max_lines: int, max_chars: int) -> Iterator[str]:
    """The update texts that put ``lines`` into the staging graph ``stage``, made one at a
    time as they are sent."""
    for chunk in _chunks(lines, max_lines, max_chars):
        yield f"INSERT DATA {{ GRAPH <{stage}> {{\n" + "\n".join(chunk) + "\n} }"


def _chunks(lines: Iterable[str], max_lines: int, max_chars: int) -> Iterator[list[str]]:
    """``lines`` in runs of at most ``max_lines`` lines and ``max_chars`` characters (or one
    longer line alone)."""
    chunk: list[str] = []
    size = 0
    for line in lines:
        if chunk and (len(chunk) >= max_lines or size + len(line) + 1 > max_chars):
            yield chunk
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        yield chunk


class ConflictError(StoreError):
    """Another process wrote to the remote store while this write was prepared: nothing of
    this write was applied; try again."""


def _integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))


def _text(value: str) -> ox.Literal:
    return ox.Literal(value)


# ------------------------------------------------------------------------------ terms
class Terms:
    """Blank nodes <-> skolem IRIs, Corridor's default graph <-> :data:`DEFAULT_GRAPH`."""

    def __init__(self, config: Config) -> None:
        self.genid = config.base_iri + ".well-known/genid/"
        self.wrapped: frozenset[str] = frozenset()  # datatypes the remote would mangle

    def out(self, term: Any) -> Any:
        """A term as the remote stores it."""
        if isinstance(term, ox.Literal) and term.datatype.value in self.wrapped:
            return ox.Literal(term.value, datatype=ox.NamedNode(WRAPPED + term.datatype.value))
        if isinstance(term, ox.BlankNode):
            return ox.NamedNode(self.genid + term.value)
        if isinstance(term, ox.DefaultGraph):
            return ox.NamedNode(DEFAULT_GRAPH)
        return term

    def back(self, term: Any) -> Any:
        """A term read from the remote, as Corridor sees it."""
        if isinstance(term, ox.NamedNode) and term.value.startswith(self.genid):
            return ox.BlankNode(term.value[len(self.genid):])
        if isinstance(term, ox.Literal) and term.datatype.value.startswith(WRAPPED):
            return ox.Literal(term.value, datatype=ox.NamedNode(
                term.datatype.value[len(WRAPPED):]))
        return term

    def graph_back(self, term: Any) -> Any:
        if isinstance(term, ox.NamedNode) and term.value == DEFAULT_GRAPH:
            return ox.DefaultGraph()
        return self.back(term)

    def quad_text(self, s: Any, p: Any, o: Any) -> str:
        return f"{self.out(s)} {p} {self.out(o)} ."


class _Row:
    """One solution, de-skolemised; indexable like ``ox.QuerySolution``."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: list[Any]) -> None:
        self._index, self._values = index, values

    def __getitem__(self, key: int | str | ox.Variable) -> Any:
        if isinstance(key, int):
            return self._values[key]
        name = key.value if isinstance(key, ox.Variable) else key
        return self._values[self._index[name]]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[self._index[name]]
        except KeyError:
            raise AttributeError(name) from None


class _Solutions:
    """Solutions of a remote query with Corridor's terms (iterable once, like pyoxigraph's)."""

    def __init__(self, result: ox.QuerySolutions, terms: Terms) -> None:
        self.variables = list(result.variables)
        index = {v.value: i for i, v in enumerate(self.variables)}
        back = terms.back
        self._rows = (_Row(index, [back(row[i]) for i in range(len(index))]) for row in result)

    def __iter__(self) -> Iterator[_Row]:
        return self._rows

    def __next__(self) -> _Row:
        return next(self._rows)


# ------------------------------------------------------------------------------ reads
class RemoteView:
    """The :class:`~corridor.store.base.ReadView` of a remote store: pyoxigraph's read calls
    answered by SPARQL queries. The dataset of a query is always named explicitly (protocol
    parameters), so neither the state graph nor a store's own system graphs ever show."""

    def __init__(self, store: RemoteStore) -> None:
        self._store = store
        self._terms = store.terms
        self._subjects: dict[Any, list[ox.Quad]] = {}  # quads per subject, of one version
        self._cached_version = -1

    def _graphs(self) -> list[str]:
        return self._store.all_graphs()

    def dataset(
        self, use_default_graph_as_union: bool = False,
        default_graph: GraphName | list[GraphName] | None = None,
        named_graphs: list[ox.NamedNode | ox.BlankNode] | None = None,
    ) -> tuple[list[str], list[str]]:
        """The (default, named) graph IRIs of a pyoxigraph-style dataset argument."""
        data = [g for g in self._graphs() if g != DEFAULT_GRAPH]
        if use_default_graph_as_union:
            default = [*self._graphs()]
        elif default_graph is None:
            default = [DEFAULT_GRAPH]
        else:
            chosen = default_graph if isinstance(default_graph, list) else [default_graph]
            default = [self._terms.out(g).value for g in chosen]
        named = data if named_graphs is None else [g.value for g in named_graphs]
        return self._store.default_graphs(default) or [EMPTY_GRAPH], named or [EMPTY_GRAPH]

    def query(self, query: str, *, base_iri: str | None = None, **dataset: Any) -> Any:
        default, named = self.dataset(**dataset)
        if base_iri:
            query = f"BASE <{base_iri}>\n{query}"
        result = self._store.client.query(query, default, named)
        if isinstance(result, list):
            back = self._terms.back
            return [ox.Triple(back(t.subject), t.predicate, back(t.object)) for t in result]
        if isinstance(result, ox.QuerySolutions):
            return _Solutions(result, self._terms)
        return result

    def quads_for_pattern(
        self, subject: Any = None, predicate: Any = None, object: Any = None,
        graph_name: Any = None,
    ) -> Iterator[ox.Quad]:
        """Quads matching a pattern; with a subject, answered from all the subject's quads,
        fetched once per version (pages ask for several properties of the same node)."""
        if subject is not None and object is None:
            for q in self._about(subject):
                if (predicate is None or q.predicate == predicate) and (
                        graph_name is None or q.graph_name == graph_name):
                    yield q
            return
        yield from self.quads_matching(subject, predicate, object, graph_name)

    def _cache(self) -> dict[Any, list[ox.Quad]]:
        version = self._store.version
        if self._cached_version != version or len(self._subjects) > SUBJECT_CACHE:
            self._subjects, self._cached_version = {}, version
        return self._subjects

    def _about(self, subject: Any) -> list[ox.Quad]:
        cache = self._cache()
        quads = cache.get(subject)
        if quads is None:
            self.prefetch([subject])
            quads = cache.get(subject, [])
        return quads

    def prefetch(self, subjects: Iterable[Any]) -> None:
        """Fetch every quad of ``subjects`` (IRIs or terms) in a few requests, for the
        pattern reads that follow (labels of a page's links)."""
        cache = self._cache()
        nodes = {ox.NamedNode(s) if isinstance(s, str) else s for s in subjects}
        nodes = {n for n in nodes if n not in cache}
        if not nodes:
            return
        found: dict[Any, list[ox.Quad]] = {n: [] for n in nodes}
        for q in self.quads_about(nodes):
            found.setdefault(q.subject, []).append(q)
        cache.update(found)

    def quads_matching(
        self, subject: Any, predicate: Any, object: Any, graph_name: Any,
        graphs: list[str] | None = None,
    ) -> Iterator[ox.Quad]:
        out = self._terms.out
        s = "?s" if subject is None else str(out(subject))
        p = "?p" if predicate is None else str(predicate)
        o = "?o" if object is None else str(out(object))
        if graph_name is None:
            named = graphs if graphs is not None else self._graphs()
            g = "?g"
        else:
            named = [out(graph_name).value]
            g = f"<{named[0]}>"
        text = f"SELECT * WHERE {{ GRAPH {g} {{ {s} {p} {o} }} }}"
        if not named:
            return
        result = self._store.client.query(text, [EMPTY_GRAPH], named)
        back, gback = self._terms.back, self._terms.graph_back
        for row in result:
            yield ox.Quad(
                back(row["s"]) if subject is None else subject,
                row["p"] if predicate is None else predicate,
                back(row["o"]) if object is None else object,
                gback(row["g"]) if graph_name is None else graph_name,
            )

    def quads_about(self, nodes: Iterable[Term], incoming: bool = False) -> Iterator[ox.Quad]:
        """Every quad whose subject (``incoming``: object) is one of ``nodes``."""
        texts = sorted({str(self._terms.out(n)) for n in nodes})
        back, gback = self._terms.back, self._terms.graph_back
        graphs = self._graphs()
        if not graphs:
            return
        for start in range(0, len(texts), VALUES_CHUNK):
            values = " ".join(texts[start:start + VALUES_CHUNK])
            if incoming:
                text = f"SELECT * {{ VALUES ?o {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
            else:
                text = f"SELECT * {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
            for row in self._store.client.query(text, [EMPTY_GRAPH], graphs):
                yield ox.Quad(back(row["s"]), row["p"], back(row["o"]), gback(row["g"]))

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        return iter(ox.NamedNode(g) for g in self._graphs() if g != DEFAULT_GRAPH)

    def contains_named_graph(self, graph_name: Any) -> bool:
        return self._terms.out(graph_name).value in self._graphs()

    def __len__(self) -> int:
        return self._store.count()

    def __contains__(self, quad: ox.Quad) -> bool:
        return any(True for _ in self.quads_for_pattern(
            quad.subject, quad.predicate, quad.object, quad.graph_name))

    def dump(self, output: IO[bytes], format: ox.RdfFormat, *,
             from_graph: Any = None) -> None:
        if from_graph is not None:
            triples = (ox.Triple(q.subject, q.predicate, q.object)
                       for q in self.quads_for_pattern(None, None, None, from_graph))
            ox.serialize(triples, output, format)
        else:
            ox.serialize(self.quads_for_pattern(None, None, None, None), output, format)


# ------------------------------------------------------------------------------ writes
class RemoteTransaction:
    """The write operations of :meth:`RemoteStore.transaction` (the ``Writes`` protocol),
    collected locally and sent as one update request at commit (see the module docstring)."""

    def __init__(self, store: RemoteStore, activity: str, check: WriteCheck | None) -> None:
        self._store = store
        self.activity = activity
        self.check = check
        self.changes: list[tuple[str | None, str | None]] = []
        self._scratch = ox.Store()  # new content of replaced graphs, additions to the others
        self._replaced: set[str] = set()  # graphs whose whole content is in the scratch
        self._added: dict[str, list[ox.Quad]] = {}  # quads added to graphs kept remotely
        self._loaded: set[str] = set()  # graphs fully present in the scratch
        self._focus: set[str] | None = set()
        self._everything = False  # the scratch holds the whole store (SPARQL Update)
        self.registered: list[str] = []  # graphs to register though not written (reindex)
        self.rebuild_union = False  # build the union graph afresh (reindex, older stores)

    @property
    def store(self) -> RemoteStore:
        return self._store

    @property
    def config(self) -> Config:
        return self._store.config

    @property
    def primary(self) -> _PendingView:
        """The store as this transaction would leave it (reads of touched graphs)."""
        return _PendingView(self)

    # ------------------------------------------------------------------ local state
    def _materialise(self, graph: str) -> None:
        """Bring the remote content of ``graph`` into the scratch (once)."""
        if graph in self._loaded:
            return
        if graph not in self._replaced:
            target = self._store.terms.graph_back(ox.NamedNode(graph))
            self._scratch.extend(
                ox.Quad(q.subject, q.predicate, q.object, target)
                for q in self._store.view.quads_for_pattern(None, None, None, target))
        self._loaded.add(graph)

    def _graph_node(self, graph: str) -> Any:
        return self._store.terms.graph_back(ox.NamedNode(graph))

    def _subjects_of(self, graph: str) -> set[str]:
        if graph in self._loaded:
            node = self._graph_node(graph)
            return {q.subject.value for q in self._scratch.quads_for_pattern(None, None, None, node)
                    if isinstance(q.subject, ox.NamedNode)}
        rows = self._store.client.query(
            f"SELECT DISTINCT ?s {{ GRAPH <{graph}> {{ ?s ?p ?o }} FILTER(isIRI(?s)) }}",
            [EMPTY_GRAPH], [graph])
        genid = self._store.terms.genid
        subjects = {r["s"].value for r in rows} | {
            q.subject.value for q in self._added.get(graph, ())
            if isinstance(q.subject, ox.NamedNode)}
        return {s for s in subjects if not s.startswith(genid)}

    def _fresh(
        self, graph: Any, quads: Iterable[Quad], keep: list[ox.Quad] | None = None
    ) -> tuple[int, set[str], bool]:
        """Write ``quads`` to the scratch, moved to ``graph`` with blank nodes of their own
        (labels in a file are local to it), also appended to ``keep`` if given; returns their
        number, their IRI subjects, whether blank subjects appeared. Streamed: a million-triple
        file is never a list here."""
        renamed: dict[str, ox.BlankNode] = {}
        subjects: set[str] = set()
        blank = False
        count = 0

        def fresh(term: Any) -> Any:
            if isinstance(term, ox.BlankNode):
                node = renamed.get(term.value)
                if node is None:
                    node = renamed[term.value] = ox.BlankNode("b" + secrets.token_hex(12))
                return node
            return term

        def moved() -> Iterator[ox.Quad]:
            nonlocal blank, count
            for q in quads:
                quad = ox.Quad(fresh(q.subject), q.predicate, fresh(q.object), graph)
                if isinstance(q.subject, ox.NamedNode):
                    subjects.add(q.subject.value)
                else:
                    blank = True
                if keep is not None:
                    keep.append(quad)
                count += 1
                yield quad

        self._scratch.extend(moved())
        return count, subjects, blank and not subjects

    def _clear(self, graph: str) -> None:
        node = self._graph_node(graph)
        for q in list(self._scratch.quads_for_pattern(None, None, None, node)):
            self._scratch.remove(q)
        self._replaced.add(graph)
        self._loaded.add(graph)
        self._added.pop(graph, None)

    # ------------------------------------------------------------------ operations
    def replace_graph(
        self, graph: str, quads: Iterable[Quad], check: WriteCheck | None = None
    ) -> int:
        with self._checked(check):
            old = self._subjects_of(graph)
            self._clear(graph)
            count, subjects, whole = self._fresh(self._graph_node(graph), quads)
            self._merge_focus(None if whole else old | subjects)
            self._record(graph, old | subjects)
            return count

    def add_to_graph(
        self, graph: str, quads: Iterable[Quad], check: WriteCheck | None = None
    ) -> int:
        with self._checked(check):
            keep = None if graph in self._replaced else self._added.setdefault(graph, [])
            count, subjects, whole = self._fresh(self._graph_node(graph), quads, keep)
            self._merge_focus(None if whole else subjects)
            self._record(graph, subjects)
            return count

    def bulk_load_graph(
        self, graph: str, path: str | Path, format: ox.RdfFormat, *, replace: bool = False,
        base_iri: str | None = None,
    ) -> None:
        """Parse the file here and write it like any other (one update request)."""
        quads = ox.parse(path=str(path), format=format, base_iri=base_iri)
        if replace:
            self.replace_graph(graph, quads)
        else:
            self.add_to_graph(graph, quads)

    def drop_graph(self, graph: str, check: WriteCheck | None = None) -> None:
        if not self.primary.contains_named_graph(ox.NamedNode(graph)):
            raise StoreError(f"no such graph: <{graph}>")
        with self._checked(check):
            subjects = self._subjects_of(graph)
            self._clear(graph)
            self._merge_focus(subjects)
            self._record(graph, subjects)
            self._remove_metadata(graph, everything=True)

    def update(
        self, sparql: str, check: WriteCheck | None = None, base_iri: str | None = None,
        limits: UpdateLimits | None = None,
    ) -> None:
        """Run a SPARQL Update on a local copy of the whole store; the graphs it changed are
        then replaced remotely (so what was validated is exactly what is written). With
        ``limits`` the update runs in a child process killed at the time limit."""
        with self._checked(check):
            self._load_everything()
            before = {g: set(self._graph_quads(g)) for g in self._graph_names()}
            if limits is None:
                self._scratch.update(sparql, base_iri=base_iri)
            else:  # on failure the transaction is abandoned: an empty scratch is never sent
                holder, self._scratch = [self._scratch], ox.Store()
                self._scratch = runner_for(self._store.extensions).run(
                    holder, None, sparql, base_iri, limits)
            after_names = self._graph_names()
            for g in set(before) | after_names:
                if set(self._graph_quads(g)) != before.get(g, set()):
                    self._replaced.add(g)
                    self._added.pop(g, None)
            self._merge_focus(None)
            self._record(None, set())

    def _graph_names(self) -> set[str]:
        names = {g.value for g in self._scratch.named_graphs() if isinstance(g, ox.NamedNode)}
        if any(True for _ in self._scratch.quads_for_pattern(None, None, None, ox.DefaultGraph())):
            names.add(DEFAULT_GRAPH)
        return names

    def _graph_quads(self, graph: str) -> Iterator[ox.Quad]:
        return self._scratch.quads_for_pattern(None, None, None, self._graph_node(graph))

    def prepare_update(self) -> None:
        """Fetch the whole store now, so that :meth:`update` itself needs no network (the
        endpoint runs it on a thread without any)."""
        self._load_everything()

    def _load_everything(self) -> None:
        if not self._everything:
            for graph in self._store.all_graphs():
                self._materialise(graph)
            self._everything = True

    def set_graph_metadata(
        self, quads: Iterable[Quad], about_graph: str, replace_all: bool = True
    ) -> None:
        meta = self.config.meta_graph
        self._materialise(meta)
        self._replaced.add(meta)
        self._added.pop(meta, None)
        self._remove_metadata(about_graph, everything=replace_all)
        node = ox.NamedNode(meta)
        self._scratch.extend([ox.Quad(q.subject, q.predicate, q.object, node) for q in quads])

    def _remove_metadata(self, about_graph: str, everything: bool) -> None:
        meta = self.config.meta_graph
        self._materialise(meta)
        self._replaced.add(meta)
        self._added.pop(meta, None)
        prefix = about_graph + "#"
        doomed = [
            q for q in self._scratch.quads_for_pattern(None, None, None, ox.NamedNode(meta))
            if isinstance(q.subject, ox.NamedNode)
            and (q.subject.value == about_graph
                 or (everything and q.subject.value.startswith(prefix)))
        ]
        for q in doomed:
            self._scratch.remove(q)

    # ------------------------------------------------------------------ checks
    @contextmanager
    def _checked(self, check: WriteCheck | None) -> Iterator[None]:
        if check is None:
            yield
            return
        saved, self._focus = self._focus, set()
        try:
            yield
            self._run(check)
        finally:
            op_focus, self._focus = self._focus, saved
            self._merge_focus(op_focus)

    def _merge_focus(self, focus: set[str] | None) -> None:
        if self._focus is None or focus is None:
            self._focus = None
        else:
            self._focus |= focus

    def run_check(self) -> None:
        if self.check is not None:
            self._run(self.check)

    def _run(self, check: WriteCheck) -> None:
        focus = None if self._focus is None else frozenset(self._focus)
        check(self.validation_copy(focus), focus)

    def validation_copy(self, focus: frozenset[str] | None) -> ox.Store:
        """What the check reads: the whole store as written (unknown focus), or the written
        graphs plus the remote neighbourhood of the focus (see the module docstring)."""
        if focus is None:
            self._load_everything()
            return self._scratch
        copy = ox.Store()
        copy.extend(self._scratch)
        view, kept = self._store.view, self._loaded

        def remote(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
            fresh = [q for q in quads if self._graph_iri(q.graph_name) not in kept]
            copy.extend(fresh)
            return fresh

        def linked(quads: Iterable[ox.Quad], outgoing: bool) -> set[Any]:
            nodes: set[Any] = set()
            for q in quads:
                node = q.object if outgoing else q.subject
                if isinstance(node, ox.NamedNode | ox.BlankNode) and (
                        not outgoing or q.predicate.value != RDF_TYPE):
                    nodes.add(node)
            return nodes

        scratch = self._scratch

        def local(nodes: Iterable[Any], incoming: bool = False) -> Iterator[ox.Quad]:
            # read again where needed instead of held as lists: a million-triple load has
            # millions of them (Python objects of ~300 bytes each)
            for n in nodes:
                yield from (scratch.quads_for_pattern(None, None, n, None) if incoming
                            else scratch.quads_for_pattern(n, None, None, None))

        def types(quads: Iterable[ox.Quad]) -> set[Any]:
            return {q.object for q in quads if q.predicate.value == RDF_TYPE}

        n0: set[Any] = {ox.NamedNode(f) for f in focus}
        out0 = remote(view.quads_about(n0))
        in0 = remote(view.quads_about(n0, incoming=True))
        # the written quads about n0 link out by their objects and in by their subjects (the
        # other end of each is in n0)
        n1 = (linked(chain(out0, local(n0)), True)
              | linked(chain(in0, local(n0, incoming=True)), False)) - n0
        out1 = remote(view.quads_about(n1))
        remote(view.quads_about({n for n in n1 if isinstance(n, ox.NamedNode)}, incoming=True))
        n2 = linked(chain(out1, local(n1)), True) - n0 - n1
        n2 |= types(chain(out1, local(n1), out0, local(n0), local(n0, incoming=True)))
        out2 = remote(view.quads_about(n2))
        self._follow_chains(chain(out1, local(n1)), out2, n2, n0 | n1 | n2, remote)
        remote(view.quads_matching(None, ox.NamedNode(SUBCLASS), None, None))
        return copy

    def _follow_chains(
        self, into: Iterable[ox.Quad], fetched: list[ox.Quad], nodes: set[Any], seen: set[Any],
        remote: Callable[[Iterable[ox.Quad]], list[ox.Quad]],
    ) -> None:
        """Follow each link that repeats from where the fixed hops end: a node reached through
        predicate p is looked up again along p, so that paths such as ``skos:broader*`` (NUTS
        3 → 2 → 1 → 0, whose top matches the organisation's country) find the whole chain in
        the copy instead of a false violation two hops up. ``remote`` adds what it fetches to
        the copy."""
        reached: set[tuple[Any, ox.NamedNode]] = {
            (q.object, q.predicate) for q in into if q.object in nodes}
        for _ in range(MAX_CHAIN):
            local = [q for n, _p in reached
                     for q in self._scratch.quads_for_pattern(n, None, None, None)]
            step = {(q.object, q.predicate) for q in fetched + local
                    if (q.subject, q.predicate) in reached and q.object not in seen
                    and isinstance(q.object, ox.NamedNode | ox.BlankNode)}
            if not step:
                return
            seen |= {n for n, _p in step}
            fetched = remote(self._store.view.quads_about({n for n, _p in step}))
            reached = step

    def _graph_iri(self, graph: Any) -> str:
        return str(self._store.terms.out(graph).value)

    def _record(self, graph: str | None, resources: set[str]) -> None:
        if not resources:
            self.changes.append((graph, None))
        self.changes.extend((graph, r) for r in sorted(resources))

    # ------------------------------------------------------------------ commit
    def touched(self) -> bool:
        return bool(self._replaced or self._added or self.changes or self.registered
                    or self.rebuild_union)

    def requests(
        self, start: int, seq: int, token: str, when: datetime
    ) -> tuple[Iterator[str], str, list[str], Iterator[str]]:
        """The update requests of this transaction: (staging uploads, the one final request,
        the staging graphs, requests for after it: the union graph's part of a large write).
        Every operation of the final request is conditional on the version marker still saying
        ``start``; it moves the marker last. A small write is the final request alone; a large
        one (more than :data:`INLINE_LINES` statements, or :data:`STAGE_LINES` on Virtuoso,
        whose SPARQL compiler runs out of memory on long texts, or :data:`STAGE_CHARS`
        characters anywhere: servers cap request bodies) is first uploaded to staging graphs
        nobody reads, which the final request copies; they are dropped after it (dropping a
        million triples inside the final request made it twice as long on Oxigraph server)."""
        terms = self._store.terms
        # evaluated once per operation (a one-row subquery): a pattern or FILTER evaluated per
        # solution reads through the request's pending writes every time (quadratic on
        # Oxigraph server: 16 s instead of 1 s for a 15,000-triple graph)
        condition = (
            f"{{ SELECT (COUNT(*) AS ?corridor_ok) {{ GRAPH <{STATE_GRAPH}> {{ {MARKER} {VERSION}"
            f" ?corridor_v }} FILTER(?corridor_v = {start}) }} }} FILTER(?corridor_ok = 1)"
            if start else
            f"{{ SELECT (COUNT(*) AS ?corridor_ok) {{ GRAPH <{STATE_GRAPH}> {{ {MARKER} "
            f"{VERSION} ?corridor_v }} }} }} FILTER(?corridor_ok = 0)")
        operations = []
        union = self._store.union_ready and not self.rebuild_union
        withheld = self._store.config.is_withheld
        if self._store.union and not union:
            # a union graph kept for other withheld graphs is not kept by this write: void it
            # (a rebuild writes the flag again)
            operations.append(
                f"DELETE {{ GRAPH <{STATE_GRAPH}> {{ {MARKER} {UNION} ?u }} }} WHERE {{ "
                f"{condition} GRAPH <{STATE_GRAPH}> {{ {MARKER} {UNION} ?u }} }}")
        if union:  # a replaced graph's triples leave the union unless a kept graph has them
            kept = ", ".join(f"<{g}>" for g in self._store.all_graphs()
                             if g not in self._replaced and not withheld(g))
            operations += [
                f"DELETE {{ GRAPH <{UNION_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ {condition} "
                f"GRAPH <{graph}> {{ ?s ?p ?o }} FILTER NOT EXISTS {{ GRAPH ?corridor_h "
                f"{{ ?s ?p ?o }} FILTER(?corridor_h IN ({kept})) }} }}"
                for graph in sorted(self._replaced) if not withheld(graph)]
        for graph in sorted(self._replaced):
            operations.append(
                f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ {condition} "
                f"GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        # each written graph's statements, as a function giving them again: a large write is
        # uploaded chunk by chunk from the scratch, never held as one list of texts
        contents: dict[str, Callable[[], Iterable[str]]] = {}
        count = 0
        graphs_now: list[str] = []
        for graph in sorted(self._replaced | set(self._added)):
            if graph in self._added and graph not in self._replaced:
                quads: Callable[[], Iterable[ox.Quad]] = self._added[graph].__iter__
                n = len(self._added[graph])
            else:
                quads = partial(self._graph_quads, graph)
                n = sum(1 for _ in quads())
            if not n:
                continue
            count += n
            graphs_now.append(graph)
            contents[graph] = partial(_statements, terms, quads)
        state = [f"{MARKER} {GRAPH} <{g}> ." for g in [*graphs_now, *self.registered]]
        flag = f"{MARKER} {UNION} {_text(self._store.union_policy)} ."
        if union or self.rebuild_union:
            state.append(flag)
        # the change log: two statements per entry, the activity and time once per version
        version_node = ox.NamedNode(f"{_S}version/{start + 1}")
        state.append(f"{version_node} {C_TIME} {_text(when.isoformat())} ; "
                     f"{C_ACTIVITY} {_text(self.activity)} .")
        for i, (changed, resource) in enumerate(self.changes, start=seq + 1):
            entry = _text(f"{start + 1}\t{changed or ''}\t{resource or ''}")
            state.append(f"<{_S}change/{i}> {C_SEQ} {_integer(i)} ; {C_ENTRY} {entry} .")
        contents[STATE_GRAPH] = state.__iter__
        count += len(state)
        for graph in sorted(self._replaced - set(graphs_now)):
            operations.append(
                f"DELETE {{ GRAPH <{STATE_GRAPH}> {{ {MARKER} {GRAPH} <{graph}> }} }}"
                f" WHERE {{ {condition} }}")
        uploads: list[Iterable[str]] = []
        after: list[Iterable[str]] = []
        staging: list[str] = []
        limit_lines, limit_chars = self._store.stage_lines, self._store.stage_chars
        small = None
        if count <= min(limit_lines, INLINE_LINES):
            small = {g: list(lines()) for g, lines in contents.items()}
            if sum(len(line) + 1 for lines in small.values() for line in lines) > limit_chars:
                small = None
        if small is not None:
            inserts = [f"GRAPH <{g}> {{\n" + "\n".join(lines) + "\n}"
                       for g, lines in small.items()]
            public_now = [g for g in graphs_now if not withheld(g)]
            if union and public_now:
                inserts.append(f"GRAPH <{UNION_GRAPH}> {{\n" + "\n".join(
                    line for g in public_now for line in small[g]) + "\n}")
            operations.append("INSERT {\n" + "\n".join(inserts)
                              + f"\n}} WHERE {{ {condition} }}")
        else:
            if union:
                # copying a large write into the union graph as well would double the one final
                # transaction (Oxigraph server holds it in memory: a 5M-triple load did not fit
                # in 24 GB). The final request voids the union graph's flag instead, so that
                # queries list the graphs; the write is copied into the union afterwards, in
                # parts, and the flag set again if no other write came between (else the next
                # writing process to open the store rebuilds it)
                state.remove(flag)
                operations.append(
                    f"DELETE {{ GRAPH <{STATE_GRAPH}> {{ {MARKER} {UNION} ?u }} }} WHERE {{ "
                    f"{condition} GRAPH <{STATE_GRAPH}> {{ {MARKER} {UNION} ?u }} }}")
                after += [_uploads(UNION_GRAPH, contents[g](), limit_lines, limit_chars)
                          for g in graphs_now if not withheld(g)]
                after.append(iter([  # in the same request as the check, as every write
                    f"INSERT {{ GRAPH <{STATE_GRAPH}> {{ {flag} }} }} WHERE {{ GRAPH "
                    f"<{STATE_GRAPH}> {{ {MARKER} {VERSION} ?v ; {WRITER} ?w }} "
                    f"FILTER(?v = {start + 1} && ?w = {_text(token)}) }}"]))
            for i, (graph, lines) in enumerate(contents.items()):
                stage = f"{_S}staging/{token}/{i}"
                staging.append(stage)
                uploads.append(_uploads(stage, lines(), limit_lines, limit_chars))
                operations.append(
                    f"INSERT {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ {condition} "
                    f"GRAPH <{stage}> {{ ?s ?p ?o }} }}")
        if self.rebuild_union:
            final = sorted(g for g in (set(self._store.all_graphs()) - self._replaced)
                           | set(graphs_now) | set(self.registered) if not withheld(g))
            operations += [
                f"DELETE {{ GRAPH <{UNION_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ {condition} "
                f"GRAPH <{UNION_GRAPH}> {{ ?s ?p ?o }} }}",
                f"INSERT {{ GRAPH <{UNION_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ {condition} "
                f"GRAPH ?corridor_h {{ ?s ?p ?o }} FILTER(?corridor_h IN ("
                + ", ".join(f"<{g}>" for g in final) + ")) }"]
        new_marker = (f"{MARKER} {VERSION} {_integer(start + 1)} ; {MODIFIED} "
                      f"{_text(when.isoformat())} ; {LAST_SEQ} "
                      f"{_integer(seq + len(self.changes))} ; {WRITER} {_text(token)} .")
        old = (f"GRAPH <{STATE_GRAPH}> {{ {MARKER} {VERSION} ?v ; {MODIFIED} ?m ; "
               f"{LAST_SEQ} ?q ; {WRITER} ?w }}")
        operations.append(
            f"DELETE {{ {old} }} INSERT {{ GRAPH <{STATE_GRAPH}> {{ {new_marker} }} }} "
            f"WHERE {{ {old if start else condition} "
            + (f"FILTER(?v = {start})" if start else "") + " }")
        return (chain.from_iterable(uploads), " ;\n".join(operations), staging,
                chain.from_iterable(after))


class _PendingView:
    """The store as a transaction would leave it, for the reads writers make (counts of the
    graphs they write, the metadata graph): touched graphs are read from the scratch."""

    def __init__(self, txn: RemoteTransaction) -> None:
        self._txn = txn

    def _touched(self, graph: str) -> bool:
        return graph in self._txn._replaced or graph in self._txn._added

    def query(self, query: str, **dataset: Any) -> Any:
        txn = self._txn
        for graph in [*txn._replaced, *txn._added, txn.config.meta_graph]:
            txn._materialise(graph)
        return txn._scratch.query(query, **dataset)

    def quads_for_pattern(self, subject: Any = None, predicate: Any = None,
                          object: Any = None, graph_name: Any = None) -> Iterator[ox.Quad]:
        txn = self._txn
        if graph_name is not None:
            graph = txn._graph_iri(graph_name)
            if self._touched(graph):
                txn._materialise(graph)
            if graph in txn._loaded:
                return iter(txn._scratch.quads_for_pattern(subject, predicate, object,
                                                           graph_name))
            return txn.store.view.quads_for_pattern(subject, predicate, object, graph_name)
        local = list(txn._scratch.quads_for_pattern(subject, predicate, object, None))
        remote = [q for q in txn.store.view.quads_for_pattern(subject, predicate, object, None)
                  if txn._graph_iri(q.graph_name) not in txn._loaded]
        return iter(local + remote)

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        return iter(ox.NamedNode(g) for g in sorted(self._graphs()) if g != DEFAULT_GRAPH)

    def _graphs(self) -> set[str]:
        txn = self._txn
        graphs = set(txn.store.all_graphs()) - txn._replaced
        graphs |= set(txn._added)
        graphs |= {g for g in txn._replaced if any(True for _ in txn._graph_quads(g))}
        return graphs

    def contains_named_graph(self, graph_name: Any) -> bool:
        return self._txn._graph_iri(graph_name) in self._graphs()

    def __len__(self) -> int:
        return sum(1 for _ in self.quads_for_pattern(None, None, None, None))


# ------------------------------------------------------------------------------ the store
class RemoteStore:
    """Corridor's store over a remote SPARQL 1.1 store (see the module docstring)."""

    def __init__(self, config: Config, *, read_only: bool = False) -> None:
        if not config.store_url:
            raise StoreError("a remote store needs a store URL (--store-url)")
        self.config = config
        self.read_only = read_only
        self.extensions: dict[str, object] = {}
        self.client = SparqlClient(
            config.store_url, config.update_url, user=config.store_user,
            password=config.store_password, timeout=max(READ_TIMEOUT, config.query_timeout + 5))
        self.terms = Terms(config)
        self.view = RemoteView(self)
        self._lock = threading.RLock()
        self._listeners: list[Callable[[int], None]] = []
        self._version, self._modified, self._seq = 0, datetime.now(UTC).replace(microsecond=0), 0
        self._checked_at = -1e9
        self._graphs: tuple[int, list[str]] | None = None
        self._sizes: tuple[int, dict[str, int]] | None = None  # triples per graph, per version
        self._refresh(force=True, notify=False)
        # Virtuoso's SPARQL compiler runs out of memory on update texts of a few thousand
        # statements: large writes go through staging graphs there; other stores take one text
        self.virtuoso = "virtuoso" in (self.client.server or "").lower()
        self.stage_lines = STAGE_LINES if self.virtuoso else 10_000_000
        self.stage_chars = STAGE_CHARS
        if self.virtuoso:  # it stores "P36M"^^xsd:duration as "36"
            self.terms.wrapped = frozenset({XSD + "duration"})
        # Virtuoso's cost does not grow with a list of default graphs (the 1M aggregation: 0.13 s),
        # though it plans by the first one (smallest_first): no union graph there
        self.union = not self.virtuoso
        # which graphs are withheld is configuration: the union graph says what it was built for
        self.union_policy = (f"personal data published: {config.publish_personal_data}; "
                             f"withheld: {config.personal_graph_prefix}*, "
                             f"{config.graph_iri('personal')}")
        self._union_checked: tuple[int, bool] | None = None
        if self.union and not self.union_ready and not read_only:
            self._build_union()

    @property
    def union_ready(self) -> bool:
        """Whether the union graph is kept for this process's withheld graphs (per version: a
        process configured otherwise may have rebuilt or dropped it)."""
        if not self.union:
            return False
        version = self.version
        if self._union_checked is None or self._union_checked[0] != version:
            self._union_checked = (version, version == 0 or self._has_union())
        return self._union_checked[1]

    def default_graphs(self, default: list[str]) -> list[str]:
        """The default graphs to send for ``default``: the public registered graphs among them
        as the union graph where it is kept (Oxigraph server looks every pattern up once per
        default graph: an aggregation at 1M triples 12 s with ~36 graphs, ~2 s with the union),
        on Virtuoso the smallest first. Every query, trusted or a user's, goes through here."""
        if self.union_ready:
            registered = set(self.all_graphs())
            public = {g for g in registered if not self.config.is_withheld(g)}
            if public <= set(default):  # (unregistered graphs hold nothing of Corridor's)
                default = [UNION_GRAPH, *(g for g in default
                                          if g not in public and g in registered)]
        if self.virtuoso and len(default) > 1:
            default = self.smallest_first(default)
        return default

    def _has_union(self) -> bool:
        return bool(self.client.query(
            f"ASK {{ GRAPH <{STATE_GRAPH}> {{ {MARKER} {UNION} "
            f"{_text(self.union_policy)} }} }}", [EMPTY_GRAPH], [STATE_GRAPH]))

    def _build_union(self) -> None:
        """Build the union graph of a store written before Corridor kept one (a new version)."""
        try:
            with self.transaction("union graph") as txn:
                txn.rebuild_union = True
        except ConflictError:  # another process wrote meanwhile: union_ready says if it built it
            pass

    # ---------------------------------------------------------------- versions
    def _read_marker(self) -> tuple[int, datetime | None, int, str | None]:
        rows = list(self.client.query(
            f"SELECT ?v ?m ?q ?w {{ GRAPH <{STATE_GRAPH}> {{ {MARKER} {VERSION} ?v . "
            f"OPTIONAL {{ {MARKER} {MODIFIED} ?m }} OPTIONAL {{ {MARKER} {LAST_SEQ} ?q }} "
            f"OPTIONAL {{ {MARKER} {WRITER} ?w }} }} }}",
            [EMPTY_GRAPH], [STATE_GRAPH]))
        if not rows:
            return 0, None, 0, None
        row = rows[0]
        modified = datetime.fromisoformat(row["m"].value) if row["m"] is not None else None
        seq = int(row["q"].value) if row["q"] is not None else 0
        return int(row["v"].value), modified, seq, None if row["w"] is None else row["w"].value

    def _refresh(self, force: bool = False, notify: bool = True) -> None:
        """Read the version marker (at most every ``remote_poll`` seconds): a write of
        another process is noticed here and announced to the commit listeners."""
        now = time.monotonic()
        if not force and now - self._checked_at < self.config.remote_poll:
            return
        with self._lock:
            version, modified, seq, _writer = self._read_marker()
            self._checked_at = time.monotonic()
            changed = version != self._version
            self._version, self._seq = version, seq
            if modified is not None:
                self._modified = modified
        if changed and notify:
            for listener in list(self._listeners):
                listener(version)

    @property
    def version(self) -> int:
        self._refresh()
        return self._version

    @property
    def modified(self) -> datetime:
        self._refresh()
        return self._modified

    def on_commit(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(version)`` after every write this process commits and every newer
        version it notices (another process's write)."""
        self._listeners.append(listener)

    # ---------------------------------------------------------------- reads
    def all_graphs(self) -> list[str]:
        """Every graph holding Corridor's data (the registry in the state graph), per version."""
        version = self.version
        cached = self._graphs
        if cached is not None and cached[0] == version:
            return cached[1]
        rows = self.client.query(
            f"SELECT ?g {{ GRAPH <{STATE_GRAPH}> {{ {MARKER} {GRAPH} ?g }} }}",
            [EMPTY_GRAPH], [STATE_GRAPH])
        graphs = sorted(r["g"].value for r in rows)
        self._graphs = (version, graphs)
        return graphs

    def smallest_first(self, graphs: list[str]) -> list[str]:
        """``graphs`` ordered by size (counted once per version). Virtuoso plans a query by
        the first default graph: counting the entities of 1M triples took 2.4 s with the
        ontology graph first and over 60 s with the million-triple graph first."""
        version = self.version
        if self._sizes is None or self._sizes[0] != version:
            rows = self.client.query(
                "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                [EMPTY_GRAPH], self.all_graphs() or [EMPTY_GRAPH])
            self._sizes = (version, {r["g"].value: int(r["n"].value) for r in rows})
        sizes = self._sizes[1]
        return sorted(graphs, key=lambda g: (sizes.get(g, 0), g))

    def named_graphs(self, public: bool = True) -> list[str]:
        graphs = [g for g in self.all_graphs() if g != DEFAULT_GRAPH]
        if public:
            graphs = [g for g in graphs if not self.config.is_withheld(g)]
        return graphs

    def dataset_arguments(self) -> dict[str, object]:
        """Query arguments that make the default graph the union of the public graphs."""
        public = [ox.NamedNode(g) for g in self.named_graphs()]
        if len(public) == len(self.named_graphs(public=False)):
            return {"use_default_graph_as_union": True}
        return {"default_graph": [ox.DefaultGraph(), *public], "named_graphs": public}

    def query(self, sparql: str, **dataset: Any) -> Any:
        """A trusted query; without ``dataset`` the default graph is the union of the public
        graphs (and only those are named)."""
        return self.view.query(sparql, **(dataset or self.dataset_arguments()))

    def reader(self) -> RemoteView:
        return self.view

    def current(self, public: bool = False) -> Snapshot:
        dataset = self.dataset_arguments() if public else {"use_default_graph_as_union": True}
        return Snapshot(None, self.view, self.version, dataset)

    @contextmanager
    def lease(self, public: bool = False) -> Iterator[Snapshot]:
        """The current version (a remote store keeps no old versions: a long reader may see
        a later write; readers that must not, compare ``version`` before and after)."""
        yield self.current(public)

    def graph_exists(self, graph: str) -> bool:
        return graph in self.all_graphs()

    def quads(self, graph: str | None = None) -> Iterator[Quad]:
        g = None if graph is None else ox.NamedNode(graph)
        return self.view.quads_for_pattern(None, None, None, g)

    def count(self, graph: str | None = None) -> int:
        graphs = self.all_graphs() if graph is None else [graph]
        if not graphs:
            return 0
        rows = self.client.query("SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }",
                                 [EMPTY_GRAPH], graphs)
        return int(next(iter(rows))["n"].value)

    def dump(self, out: IO[bytes], format: ox.RdfFormat, graph: str | None = None) -> None:
        self.view.dump(out, format, from_graph=None if graph is None else ox.NamedNode(graph))

    def changes_since(self, seq: int, limit: int = 1000) -> list[Change]:
        rows = list(self.client.query(
            f"SELECT ?n ?e {{ GRAPH <{STATE_GRAPH}> {{ ?c {C_SEQ} ?n ; {C_ENTRY} ?e . "
            f"FILTER(?n > {int(seq)}) }} }} ORDER BY ?n LIMIT {int(limit)}",
            [EMPTY_GRAPH], [STATE_GRAPH]))
        entries = [(int(r["n"].value), *r["e"].value.split("\t")) for r in rows]
        versions = sorted({int(v) for _n, v, _g, _r in entries})
        about: dict[int, tuple[datetime, str]] = {}
        if versions:
            values = " ".join(f"<{_S}version/{v}>" for v in versions)
            for r in self.client.query(
                    f"SELECT ?v ?t ?a {{ VALUES ?v {{ {values} }} GRAPH <{STATE_GRAPH}> "
                    f"{{ ?v {C_TIME} ?t ; {C_ACTIVITY} ?a }} }}", [EMPTY_GRAPH], [STATE_GRAPH]):
                number = int(r["v"].value.rsplit("/", 1)[1])
                about[number] = (datetime.fromisoformat(r["t"].value), r["a"].value)
        unknown = (self._modified, "")
        return [Change(n, int(v), *about.get(int(v), unknown), g or None, r or None)
                for n, v, g, r in entries]

    def last_change_seq(self) -> int:
        self._refresh()
        return self._seq

    # ---------------------------------------------------------------- writes
    @contextmanager
    def transaction(
        self, activity: str, check: WriteCheck | None = None
    ) -> Iterator[RemoteTransaction]:
        """A write: collected, checked, then sent as one conditional update request."""
        if self.read_only:
            raise StoreError("this store was opened read-only")
        with self._lock:
            self._refresh(force=True)
            start, seq = self._version, self._seq
            txn = RemoteTransaction(self, activity, check)
            yield txn
            if check is not None:
                txn.run_check()
            if not txn.touched():
                return
            self._commit(txn, start, seq)

    def _commit(self, txn: RemoteTransaction, start: int, seq: int) -> None:
        token = secrets.token_hex(8)
        when = datetime.now(UTC).replace(microsecond=0)
        uploads, request, staging, after = txn.requests(start, seq, token, when)
        failure: StoreError | None = None
        phases: list[tuple[str, float]] = []
        began = time.perf_counter()

        def phase(name: str) -> None:
            nonlocal began
            phases.append((name, time.perf_counter() - began))
            began = time.perf_counter()

        try:
            for upload in uploads:
                self.client.update(upload, timeout=WRITE_TIMEOUT)
            phase("staging uploads")
            self.client.update(request, timeout=WRITE_TIMEOUT)
            phase("final request")
        except RemoteError as e:
            failure = e
        for stage in staging:  # best effort: staging graphs are invisible anyway
            with contextlib.suppress(RemoteError):
                self._drop_staging(stage)
        if staging:
            phase("staging dropped")
        version, _modified, _seq, writer = self._read_marker()
        if writer != token or version != start + 1:
            self._refresh(force=True)
            if failure is not None:
                raise StoreError(f"the write was not applied: {failure}") from None
            raise ConflictError(
                "another process wrote to the store meanwhile; nothing was written, try again")
        self._union_checked = None
        self._refresh(force=True, notify=False)  # (this process, too, now lists the graphs)
        try:  # the union graph's part of a large write, then its flag (see requests)
            for text in after:  # (stops early; the flag's own condition is what counts)
                self._raise_if_moved(start + 1, token)
                self.client.update(text, timeout=WRITE_TIMEOUT)
        except (RemoteError, ConflictError):
            log.warning("the union graph was left to be rebuilt by the next writing process")
        if staging:  # a large write: where its time went
            phase("union graph")
            log.info("large write: %s", ", ".join(f"{n} {s:.1f} s" for n, s in phases))
        self._union_checked = None
        self._graphs = None
        for listener in list(self._listeners):
            listener(self._version)

    def _drop_staging(self, stage: str) -> None:
        """Drop a staging graph; on servers other than Virtuoso in parts of
        :data:`DROP_PART` triples, as one DROP is one transaction held in memory (Oxigraph
        server: a 5M-triple DROP took as much as the write itself)."""
        if self.virtuoso:
            self.client.update(f"DROP SILENT GRAPH <{stage}>", timeout=WRITE_TIMEOUT)
            return
        while self.client.query(f"ASK {{ GRAPH <{stage}> {{ ?s ?p ?o }} }}",
                                [EMPTY_GRAPH], [stage]):
            self.client.update(
                f"DELETE {{ GRAPH <{stage}> {{ ?s ?p ?o }} }} WHERE {{ SELECT ?s ?p ?o "
                f"{{ GRAPH <{stage}> {{ ?s ?p ?o }} }} LIMIT {DROP_PART} }}",
                timeout=WRITE_TIMEOUT)

    def _raise_if_moved(self, version: int, token: str) -> None:
        """ConflictError unless the marker still says this process wrote ``version``."""
        now, _modified, _seq, writer = self._read_marker()
        if (now, writer) != (version, token):
            raise ConflictError("another process wrote to the store meanwhile")

    # ---------------------------------------------------------------- resync
    def reindex(self) -> int:
        """Register every data graph the remote holds (after writes behind Corridor's back,
        e.g. a bulk load with the store's own loader) and bump the version, so every derived
        view is rebuilt. Returns the number of graphs registered."""
        rows = self.client.query("SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }")
        graphs = sorted(r["g"].value for r in rows if isinstance(r["g"], ox.NamedNode)
                        and not r["g"].value.startswith(SYSTEM_GRAPH_PREFIXES))
        with self.transaction("reindex") as txn:
            txn.changes.extend((g, None) for g in graphs)
            txn.registered = graphs
            txn.rebuild_union = self.union
        return len(graphs)

    # ---------------------------------------------------------------- files and lifetime
    def derived_dir(self, name: str) -> Path | None:
        root = Path(self.config.store_dir)
        root.mkdir(parents=True, exist_ok=True)
        return root / name

    @property
    def public_checkpoint(self) -> Path | None:
        return None

    def close(self) -> None:
        for extension in list(self.extensions.values()):
            closer = getattr(extension, "close", None)
            if callable(closer):
                closer()


def public_quads(store: RemoteStore, quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """``quads`` without what the privacy rule withholds."""
    for q in quads:
        graph = q.graph_name
        if isinstance(graph, ox.NamedNode) and store.config.is_withheld(graph.value):
            continue
        if is_withheld_metadata(store.config, q):
            continue
        yield q
