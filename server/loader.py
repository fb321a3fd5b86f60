"""Loading RDF files into named graphs: validated, atomic, idempotent, with provenance.

A load parses each file into a scratch copy of the store (see ``store.Transaction``), validates
the scratch copy with SHACL on the IRIs the file touches, and only then swaps it in. The
metadata graph records where every graph came from (see server/provenance.py).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from . import provenance
from .store import OxigraphStore, StoreError, Transaction, WriteCheck, WriteRejected

FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json-ld": ox.RdfFormat.JSON_LD,
    "json": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "rdf/xml": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
    "n3": ox.RdfFormat.N3,
}


class InputError(StoreError):
    """The input cannot be used (missing, unreadable, unknown format, syntax error): exit 2."""


@dataclass(frozen=True)
class Source:
    """One file to load and the graph it goes to (None: the graphs a dataset file names)."""

    path: Path
    graph: str
    format: ox.RdfFormat

    @property
    def is_dataset(self) -> bool:
        return self.format in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)


@dataclass
class LoadResult:
    source: Source
    triples: int = 0
    skipped: bool = False
    graphs: tuple[str, ...] = ()


def format_for(path: Path, name: str | None = None) -> ox.RdfFormat:
    """The RDF format from ``--format`` or the file extension (``.gz`` looked through)."""
    if name:
        try:
            return FORMATS[name.lower()]
        except KeyError:
            known = ", ".join(sorted(FORMATS))
            raise InputError(f"unknown format {name!r} (known: {known})") from None
    suffixes = [s.lower().lstrip(".") for s in path.suffixes]
    if suffixes and suffixes[-1] == "gz":
        suffixes = suffixes[:-1]
    if not suffixes or suffixes[-1] not in FORMATS:
        raise InputError(f"{path}: unknown format (use --format)")
    return FORMATS[suffixes[-1]]


def graph_name_for(path: Path, root: Path) -> str:
    """``projects/boost`` for ``<root>/projects/boost.ttl(.gz)``."""
    rel = path.relative_to(root).as_posix()
    for _ in range(2):
        stem, dot, ext = rel.rpartition(".")
        if dot and "/" not in ext and (ext.lower() in FORMATS or ext.lower() == "gz"):
            rel = stem
    return rel


def plan(
    store: OxigraphStore, paths: Iterable[str | Path], graph: str | None = None,
    format: str | None = None,
) -> list[Source]:
    """Files to load (folders expanded) with their target graphs, per docs/conventions.md."""
    config = store.config
    data_root = Path(config.data_dir).resolve()
    sources: list[Source] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and _known(p))
            if not files:
                raise InputError(f"{path}: no RDF files in this folder")
            root = path.resolve()
        else:
            files, root = [path], None
        for file in files:
            resolved = file.resolve()
            if graph:
                target = graph
            elif resolved.is_relative_to(data_root):
                target = config.graph_iri(graph_name_for(resolved, data_root))
            elif root is not None:
                target = config.graph_iri(graph_name_for(resolved, root))
            else:
                target = config.graph_iri(graph_name_for(resolved, resolved.parent))
            sources.append(Source(file, target, format_for(file, format)))
    return sources


def _known(path: Path) -> bool:
    try:
        format_for(path)
        return True
    except InputError:
        return False


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror or e}") from None
    return digest.hexdigest()


class _Progress:
    """A file wrapper that draws a progress bar on stderr (only when it is a terminal)."""

    def __init__(self, raw: IO[bytes], total: int, label: str) -> None:
        self.raw, self.total, self.label = raw, max(total, 1), label
        self.enabled = sys.stderr.isatty() and total > 5_000_000
        self.last = 0.0

    def tick(self) -> None:
        if not self.enabled or time.monotonic() - self.last < 0.2:
            return
        self.last = time.monotonic()
        done = min(self.raw.tell() / self.total, 1.0)
        bar = "#" * int(done * 30)
        sys.stderr.write(f"\r{self.label} [{bar:<30}] {done:4.0%}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * (len(self.label) + 40) + "\r")
            sys.stderr.flush()


def parse_file(source: Source, base_iri: str) -> Iterator[ox.Quad]:
    """Quads of a file; errors become :class:`InputError` with file:line:column."""
    try:
        raw = open(source.path, "rb")  # noqa: SIM115 - closed by the generator
    except OSError as e:
        raise InputError(f"{source.path}: cannot read: {e.strerror or e}") from None
    progress = _Progress(raw, os.fstat(raw.fileno()).st_size, source.path.name)
    try:
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if source.path.suffix == ".gz" else raw
        parser = ox.parse(stream, source.format, base_iri=base_iri, rename_blank_nodes=True)
        for i, quad in enumerate(parser):
            if i % 50_000 == 0:
                progress.tick()
            yield quad
    except SyntaxError as e:
        raise InputError(_syntax_message(source.path, e)) from None
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        reason = getattr(e, "strerror", None) or e
        raise InputError(f"{source.path}: cannot read: {reason}") from None
    except ValueError as e:
        raise InputError(f"{source.path}: {e}") from None
    finally:
        progress.close()
        raw.close()


def _syntax_message(path: Path, error: SyntaxError) -> str:
    line, column = error.lineno, error.offset
    message = str(error.msg or error)
    if line:
        return f"{path}:{line}:{column or 0}: syntax error: {message}"
    return f"{path}: syntax error: {message}"


def _retarget(
    quads: Iterable[ox.Quad], default_graph: ox.NamedNode, meta: str
) -> Iterator[ox.Quad]:
    for q in quads:
        g = q.graph_name
        if isinstance(g, ox.DefaultGraph):
            yield ox.Quad(q.subject, q.predicate, q.object, default_graph)
        elif isinstance(g, ox.NamedNode) and g.value == meta:
            continue  # the metadata graph is written by the store layer only
        else:
            yield q


def load_files(
    store: OxigraphStore,
    sources: list[Source],
    *,
    replace: bool = False,
    check: WriteCheck | None = None,
    dry_run: bool = False,
    agent: str | None = None,
) -> list[LoadResult]:
    """Load files in ONE transaction, validated together: all are written or none.

    Files are validated together because they reference each other (a project file names
    organisations another file types). Each goes into its graph; a file already loaded with
    the same SHA-256 into the same graph is skipped (idempotent reload). Raises
    :class:`InputError` for unusable input, ``WriteRejected`` for violations; the store is then
    unchanged. With ``dry_run`` everything is parsed and validated but nothing is written.
    """
    reader, config = store.reader(), store.config
    results: list[LoadResult] = []
    pending: list[tuple[Source, str]] = []
    for source in sources:
        sha = sha256_of(source.path)
        loaded_into = provenance.graphs_with_source(reader, config, sha)
        already = source.graph in loaded_into or (source.is_dataset and bool(loaded_into))
        unchanged = not replace or provenance.sources_of(reader, config, source.graph) == {sha}
        if already and unchanged:
            results.append(LoadResult(source, skipped=True, graphs=(source.graph,)))
        else:
            pending.append((source, sha))
    if not pending:
        return results
    validator = None if check is None else store.validator()
    activity = "load " + ", ".join(s.path.name for s, _ in pending[:3])
    try:
        with store.transaction(activity[:200], check=_always(check)) as txn:
            for source, sha in pending:
                results.append(_write(txn, source, sha, replace, validator, agent))
            if dry_run:
                txn.run_check()
                raise _DryRun
    except _DryRun:
        pass
    return results


def load_one(
    store: OxigraphStore, source: Source, *, replace: bool = False,
    check: WriteCheck | None = None, dry_run: bool = False, agent: str | None = None,
) -> LoadResult:
    """Load one file (see :func:`load_files`)."""
    return load_files(
        store, [source], replace=replace, check=check, dry_run=dry_run, agent=agent
    )[0]


def _write(
    txn: Transaction, source: Source, sha: str, replace: bool, validator: object | None,
    agent: str | None,
) -> LoadResult:
    config = txn._store.config
    started = provenance.now()
    result = LoadResult(source)
    target = ox.NamedNode(source.graph)
    parsed = parse_file(source, config.base_iri)
    if source.is_dataset:
        groups = _split_by_graph(_retarget(parsed, target, config.meta_graph))
    else:  # the transaction puts a triple file's quads into the target graph
        groups = iter([(source.graph, parsed)])
    touched: list[str] = []
    for graph, graph_quads in groups:
        write = txn.replace_graph if replace else txn.add_to_graph
        result.triples += write(graph, graph_quads)
        touched.append(graph)
    if replace and not touched:  # an empty file empties the graph
        if txn.primary.contains_named_graph(target):
            txn.replace_graph(source.graph, [])
        touched.append(source.graph)
    for graph in touched:
        meta = provenance.load_quads(
            config, graph, source.path.name, sha,
            triples_in_file=result.triples,
            triples_in_graph=_count(txn.primary, graph),
            started=started,
            shapes_version=getattr(validator, "version", None),
            agent=agent or provenance.default_agent(),
            prior_sources=[] if replace
            else provenance.prior_sources(txn.primary, config, graph),
        )
        txn.set_graph_metadata(meta, graph, replace_all=replace)
    result.graphs = tuple(touched)
    return result


class _DryRun(Exception):
    """Leaves a transaction without committing (its scratch copy is discarded)."""


def _always(check: WriteCheck | None) -> WriteCheck:
    """Loads always go through a scratch copy, even unvalidated (atomic on syntax errors)."""
    return check or (lambda scratch, focus: None)


def _split_by_graph(quads: Iterator[ox.Quad]) -> Iterator[tuple[str, Iterator[ox.Quad]]]:
    """Group a dataset file's quads by graph name."""
    groups: dict[str, list[ox.Quad]] = {}
    for q in quads:
        groups.setdefault(q.graph_name.value, []).append(q)  # type: ignore[union-attr]
    yield from ((g, iter(qs)) for g, qs in sorted(groups.items()))


def _count(store: ox.Store, graph: str) -> int:
    rows = store.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))["n"].value)  # type: ignore[call-overload,index]


def bundled_sources(store: OxigraphStore) -> list[Source]:
    """Ontology, shapes and every data/**/*.ttl with their graphs (docs/conventions.md)."""
    config = store.config
    turtle = ox.RdfFormat.TURTLE
    sources = [Source(p, config.graph_iri("ontology"), turtle)
               for p in sorted(Path(config.ontology_dir).glob("*.ttl"))]
    sources += [Source(p, config.graph_iri("shapes"), turtle)
                for p in sorted(Path(config.shapes_dir).glob("*.ttl"))]
    data = Path(config.data_dir)
    sources += [Source(p, config.graph_iri(graph_name_for(p, data)), turtle)
                for p in sorted(data.rglob("*.ttl"))]
    return sources


def load_bundled(store: OxigraphStore, validate: bool = True, strict: bool = False) -> None:
    """Load ontology, shapes and data/ into the store in one validated transaction.

    If the bundled data violates the bundled shapes (a broken checkout), the service still
    starts: unless ``strict``, the violations are summarised on stderr and the data is loaded
    unvalidated (tests/model keeps the shipped data conformant).
    """
    if validate and not strict:
        try:
            load_bundled(store, validate=True, strict=True)
        except WriteRejected as e:
            print(f"corridor: warning: the bundled data does not conform ({e}); "
                  "loading it unvalidated", file=sys.stderr)
            load_bundled(store, validate=False)
        return
    config = store.config
    check = store.shacl_check() if validate else None
    validator = store.validator() if validate else None
    started = provenance.now()
    with store.transaction("load bundled data", check=check) as txn:
        written: dict[str, list[tuple[Source, str, int]]] = {}
        for source in bundled_sources(store):
            quads = parse_file(source, config.base_iri)
            added = txn.add_to_graph(source.graph, quads)
            written.setdefault(source.graph, []).append((source, sha256_of(source.path), added))
        for graph, loads in written.items():
            meta: list[ox.Quad] = []
            for source, sha, added in loads:
                meta += provenance.load_quads(
                    config, graph, source.path.name, sha,
                    triples_in_file=added, triples_in_graph=_count(txn.primary, graph),
                    started=started, shapes_version=getattr(validator, "version", None),
                    agent=provenance.default_agent(), prior_sources=[],
                )
            txn.set_graph_metadata(meta, graph)
