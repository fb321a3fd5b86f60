"""Loading RDF files into named graphs: validated, atomic, idempotent, with provenance.

A load parses each file into a scratch copy of the store (see ``store.Transaction``), validates
the scratch copy with SHACL on the IRIs the file touches, and only then swaps it in. The
metadata graph records where every graph came from (see server/provenance.py).

Big triple files (``FAST_PATH_BYTES``) take a fast path with the same guarantees: pyoxigraph's
Rust ``bulk_load`` writes the scratch copy while a thread validates an in-memory copy of the
store plus the file as a whole (or, for a big store, the scratch copy itself is validated as a
whole), and the change log records one whole-graph change per file.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Protocol, cast

import pyoxigraph as ox

from corridor.config import Config
from corridor.ingest import provenance
from corridor.ingest.progress import Progress
from corridor.ingest.rdfxml_guard import RdfXmlRefused, check_rdfxml_file
from corridor.rdf import xmlsafe
from corridor.store import (
    OxigraphStore,
    ReadView,
    StoreError,
    Transaction,
    WriteCheck,
    WriteRejected,
    memory_store,
)
from corridor.store.protected import protected_graphs
from corridor.validation import validator_for, write_check

FAST_PATH_BYTES = 20_000_000
"""Files at least this big (on disk, compressed or not) are loaded by the fast path."""

MEMORY_VALIDATION_MAX_QUADS = 2_000_000
"""The fast path validates an in-memory copy (in parallel with the write) when the store holds
at most this many quads; a bigger store is validated on the scratch copy on disk."""

MEMORY_VALIDATION_MAX_BYTES = 1_000_000_000
"""... and when the (uncompressed) files of the load are at most this big (~6M triples)."""

BOM = b"\xef\xbb\xbf"
FAST_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML,
                ox.RdfFormat.JSON_LD)

# ``--format`` names beyond the file extensions pyoxigraph knows (RdfFormat.from_extension)
FORMAT_NAMES: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "json-ld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "rdf/xml": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
}
KNOWN_FORMATS = ("jsonld", "n3", "nq", "nt", "rdf", "trig", "ttl", "xml", *FORMAT_NAMES)


def rdf_format(name: str) -> ox.RdfFormat | None:
    """The RDF format of a file extension or ``--format`` name (None if unknown)."""
    name = name.lower()
    return FORMAT_NAMES.get(name) or ox.RdfFormat.from_extension(name)


class InputError(StoreError):
    """The input cannot be used (missing, unreadable, unknown format, syntax error): exit 2."""


@dataclass(frozen=True)
class Source:
    """One file to load and the graph it goes to (None: the graphs a dataset file names)."""

    path: Path
    graph: str
    format: ox.RdfFormat
    title: str | None = None
    """The name provenance records (default: the file name); e.g. the table a file was mapped
    from."""
    sha256: str | None = None
    """The checksum provenance records and reloads compare (default: the file's)."""
    replace: bool | None = None
    """Whether this file replaces its graph, whatever the load's ``replace`` (None: as the
    load; e.g. a shared graph another source maintains)."""

    @property
    def name(self) -> str:
        return self.title or self.path.name

    @property
    def is_dataset(self) -> bool:
        return self.format in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)


@dataclass
class LoadResult:
    source: Source
    triples: int = 0
    skipped: bool = False
    graphs: tuple[str, ...] = ()
    left_out: dict[str, int] = field(default_factory=dict)
    """Statements per store-written graph (metadata, shapes) left out with ``skip_protected``."""


def format_for(path: Path, name: str | None = None) -> ox.RdfFormat:
    """The RDF format from ``--format`` or the file extension (``.gz`` looked through)."""
    if name:
        chosen = rdf_format(name)
        if chosen is None:
            known = ", ".join(sorted(KNOWN_FORMATS))
            raise InputError(f"unknown format {name!r} (known: {known})")
        return chosen
    suffixes = [s.lower().lstrip(".") for s in path.suffixes]
    if suffixes and suffixes[-1] == "gz":
        suffixes = suffixes[:-1]
    found = rdf_format(suffixes[-1]) if suffixes else None
    if found is None:
        raise InputError(f"{path}: unknown format (use --format)")
    return found


def graph_name_for(path: Path, root: Path) -> str:
    """``projects/boost`` for ``<root>/projects/boost.ttl(.gz)``."""
    rel = path.relative_to(root).as_posix()
    for _ in range(2):
        stem, dot, ext = rel.rpartition(".")
        if dot and "/" not in ext and (ext.lower() == "gz" or rdf_format(ext) is not None):
            rel = stem
    return rel


class _Configured(Protocol):
    config: Config


def plan(
    store: _Configured, paths: Iterable[str | Path], graph: str | None = None,
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


def guard_rdfxml(source: Source) -> None:
    """Refuse an RDF/XML file with a DOCTYPE, deep nesting or a missing end (see
    :mod:`corridor.ingest.rdfxml_guard`) before Oxigraph reads it."""
    if source.format != ox.RdfFormat.RDF_XML:
        return
    try:
        check_rdfxml_file(str(source.path))
    except RdfXmlRefused as e:
        raise InputError(f"{source.path}: {e}") from None
    except (OSError, EOFError) as e:
        reason = getattr(e, "strerror", None) or e
        raise InputError(f"{source.path}: cannot read: {reason}") from None


def parse_file(source: Source, base_iri: str) -> Iterator[ox.Quad]:
    """Quads of a file; errors become :class:`InputError` with file:line:column."""
    guard_rdfxml(source)
    try:
        raw = open(source.path, "rb")  # noqa: SIM115 - closed by the generator
    except OSError as e:
        raise InputError(f"{source.path}: cannot read: {e.strerror or e}") from None
    progress = Progress(source.path.name, os.fstat(raw.fileno()).st_size, minimum=5_000_000)
    progress.phase("reading", total=os.fstat(raw.fileno()).st_size)
    try:
        stream: IO[bytes] = cast(
            IO[bytes], gzip.GzipFile(fileobj=raw) if source.path.suffix == ".gz" else raw
        )
        if stream.peek(3)[:3] == BOM:  # type: ignore[attr-defined]
            stream.read(3)  # a UTF-8 byte order mark is no content (as Jena and rdflib read it)
        parser = ox.parse(stream, source.format, base_iri=base_iri, rename_blank_nodes=True)
        for i, quad in enumerate(xmlsafe.checked(parser)):
            if i % 50_000 == 0:
                progress.at(raw.tell())
            yield quad
    except SyntaxError as e:
        raise InputError(_syntax_message(source.path, e)) from None
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        reason = getattr(e, "strerror", None) or e
        raise InputError(f"{source.path}: cannot read: {reason}") from None
    except ValueError as e:  # incl. xmlsafe.UnsafeLiteral
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


def retarget(
    quads: Iterable[ox.Quad], default_graph: ox.NamedNode, protected: dict[str, str],
    left_out: dict[str, int] | None = None, path: Path | None = None,
) -> Iterator[ox.Quad]:
    """A dataset file's quads with its default graph put into ``default_graph``.

    The graphs only the store writes (``protected``: IRI → role, see
    :func:`corridor.store.protected.protected_graphs`) are refused with :class:`InputError`
    naming the file and the graph; with ``left_out`` (a dict) their statements are left out
    instead and counted per graph, so the caller can say so — the way to restore a dump, whose
    metadata describes the store it came from: never dropped silently.
    """
    for q in quads:
        g = q.graph_name
        if isinstance(g, ox.DefaultGraph):
            yield ox.Quad(q.subject, q.predicate, q.object, default_graph)
        elif isinstance(g, ox.NamedNode) and g.value in protected:
            if left_out is None:
                where = f"{path}: " if path is not None else ""
                raise InputError(
                    f"{where}the file names <{g.value}>, the {protected[g.value]}, which only "
                    "the store itself writes; nothing was written (to restore a dump, load it "
                    "with --skip-protected: those statements are then left out)")
            left_out[g.value] = left_out.get(g.value, 0) + 1
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
    activity: str | None = None,
    skip_protected: bool = False,
) -> list[LoadResult]:
    """Load files in ONE transaction, validated together: all are written or none.

    Files are validated together because they reference each other (a project file names
    organisations another file types). Each goes into its graph; a file already loaded with
    the same SHA-256 into the same graph is skipped (idempotent reload). Raises
    :class:`InputError` for unusable input, ``WriteRejected`` for violations; the store is then
    unchanged. With ``dry_run`` everything is parsed and validated but nothing is written.
    A dataset file naming the metadata or shapes graph is refused, or with ``skip_protected``
    loaded without those graphs (see :func:`retarget`).
    """
    reader, config = store.reader(), store.config
    results: list[LoadResult] = []
    pending: list[tuple[Source, str]] = []
    for source in sources:
        sha = source.sha256 or sha256_of(source.path)
        loaded_into = provenance.graphs_with_source(reader, config, sha)
        already = source.graph in loaded_into or (source.is_dataset and bool(loaded_into))
        unchanged = not replace or provenance.sources_of(reader, config, source.graph) == {sha}
        if already and unchanged:
            results.append(LoadResult(source, skipped=True, graphs=(source.graph,)))
        else:
            pending.append((source, sha))
    if not pending:
        return results
    validator = None if check is None else validator_for(store)
    activity = activity or "load " + ", ".join(s.name for s, _ in pending[:3])
    if _use_fast_path([s for s, _ in pending]):
        return results + _load_fast(store, pending, activity, replace, check, dry_run, agent)
    try:
        with store.transaction(activity[:200], check=_always(check)) as txn:
            replaced: set[str] = set()
            for source, sha in pending:
                # with replace, a graph is replaced once: by all the files given for it
                first = _replaces(source, replace) and source.graph not in replaced
                replaced.add(source.graph)
                results.append(_write(txn, source, sha, first, validator, agent,
                                      skip_protected))
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
    agent: str | None, skip_protected: bool = False,
) -> LoadResult:
    config = txn.config
    started = provenance.now()
    result = LoadResult(source)
    target = ox.NamedNode(source.graph)
    parsed = parse_file(source, config.base_iri)
    if source.is_dataset:
        groups = _split_by_graph(retarget(parsed, target, protected_graphs(config),
                                          result.left_out if skip_protected else None,
                                          source.path))
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
        _note_provenance(txn, graph, source, sha, result.triples, started, replace, validator,
                         agent)
    result.graphs = tuple(touched)
    return result


def _note_provenance(
    txn: Transaction, graph: str, source: Source, sha: str, triples: int, started: datetime,
    replace: bool, validator: object | None, agent: str | None,
) -> None:
    """Record where ``graph`` came from in the metadata graph (see server/provenance.py)."""
    config = txn.config
    meta = provenance.load_quads(
        config, graph, source.name, sha,
        triples_in_file=triples,
        triples_in_graph=_count(txn.primary, graph),
        started=started,
        shapes_version=getattr(validator, "version", None),
        agent=agent or provenance.default_agent(),
        prior_sources=[] if replace else provenance.prior_sources(txn.primary, config, graph),
    )
    txn.set_graph_metadata(meta, graph, replace_all=replace)


def _replaces(source: Source, replace: bool) -> bool:
    return replace if source.replace is None else source.replace


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


def _count(store: ReadView, graph: str) -> int:
    rows = store.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))["n"].value)


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
    check = write_check(store) if validate else None
    validator = validator_for(store) if validate else None
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


# ---------------------------------------------------------------------------- the fast path
# A big triple file is written by pyoxigraph's Rust bulk loader into the transaction's scratch
# copy (no per-quad Python) while, in a thread, an in-memory copy of the store plus the same
# file is validated as a whole. Both hold the same quads, so the verdict on the copy is the
# verdict on the scratch copy. bulk_load releases the GIL, so the two really run in parallel.
# It is given a path, never a Python file object: reading through Python would take the GIL
# for every chunk and crawl while the validation thread runs.


def _use_fast_path(sources: list[Source]) -> bool:
    """A load takes the fast path when one file is big and every file is a triple file (not
    starting with a byte order mark, which only the streaming parser skips)."""
    if not all(s.format in FAST_FORMATS and not _starts_with_bom(s.path) for s in sources):
        return False
    return any(_size(s.path) >= FAST_PATH_BYTES for s in sources)


def _refuse_unsafe_literals(view: ReadView, source: Source) -> None:
    """The bulk loader's counterpart of :func:`xmlsafe.checked` (one scan of the graph)."""
    unsafe = view.query(f"ASK {{ GRAPH <{source.graph}> {{ ?s ?p ?o FILTER(isLiteral(?o) && "
                        f"REGEX(STR(?o), {xmlsafe.SPARQL_CLASS})) }} }}")
    if bool(unsafe):
        raise InputError(f"{source.path}: a literal holds a control character (U+0000-U+001F "
                         "other than tab, newline, carriage return), which RDF/XML and SPARQL "
                         "XML results cannot represent; remove it")


def _chunks(path: Path, size: int = 1 << 22) -> Iterator[bytes]:
    with open(path, "rb") as raw:
        while chunk := raw.read(size):
            yield chunk


def _starts_with_bom(path: Path) -> bool:
    try:
        with open(path, "rb") as raw:
            head = raw.read(3)
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as unzipped:
                head = unzipped.read(3)
        return head == BOM
    except (OSError, EOFError, gzip.BadGzipFile):
        return False


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


class _Verdict:
    """The transaction's check, skipped once the fast path has validated the same quads."""

    def __init__(self, check: WriteCheck) -> None:
        self.check, self.decided = check, False

    def __call__(self, scratch: ReadView, focus: frozenset[str] | None) -> None:
        if not self.decided:
            self.check(scratch, focus)


class _MemoryCheck(threading.Thread):
    """Validates (store content + files) in memory while the main thread writes the scratch copy."""

    def __init__(
        self, reader: ReadView, files: list[tuple[Source, Path]], replace: bool,
        check: WriteCheck, base_iri: str,
    ) -> None:
        super().__init__(name="corridor-load-validation", daemon=True)
        self.reader, self.files, self.replace = reader, files, replace
        self.check, self.base_iri = check, base_iri
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            memory = memory_store(self.reader.quads_for_pattern(None, None, None, None))
            self.reader = None  # type: ignore[assignment]
            replaced: set[str] = set()
            for source, path in self.files:
                graph = ox.NamedNode(source.graph)
                if _replaces(source, self.replace) and source.graph not in replaced:
                    memory.clear_graph(graph)
                replaced.add(source.graph)
                memory.bulk_load(path=str(path), format=source.format, to_graph=graph,
                                 base_iri=self.base_iri)
            self.check(memory, None)
        except BaseException as e:  # noqa: BLE001 - handed to the main thread
            self.error = e


def _load_fast(
    store: OxigraphStore, pending: list[tuple[Source, str]], activity: str, replace: bool,
    check: WriteCheck | None, dry_run: bool, agent: str | None,
) -> list[LoadResult]:
    """Load big triple files with ``bulk_load``; same guarantees as the per-quad path."""
    for source, _ in pending:
        guard_rdfxml(source)
    validator = None if check is None else validator_for(store)
    verdict = _Verdict(_always(check))
    root = store.derived_dir("tmp")  # decompressed files on the store's disk, not /tmp
    if root is not None:
        root.mkdir(exist_ok=True)
    total = sum(_size(s.path) for s, _ in pending)
    progress = Progress(pending[0][0].path.name, total)
    started = provenance.now()
    shas = {source.path: sha for source, sha in pending}
    results: list[LoadResult] = []
    try:
        with tempfile.TemporaryDirectory(prefix="load-", dir=root) as tmp:
            files = _plain_files(pending, Path(tmp), progress)
            with store.transaction(activity[:200], check=verdict) as txn:
                results = _write_fast(txn, files, replace, check, verdict, progress)
                _record_provenance(txn, results, shas, started, replace, validator, agent)
                if dry_run:
                    raise _DryRun
                progress.phase("publishing")
    except _DryRun:
        pass
    finally:
        progress.close()
    return results


def _plain_files(
    pending: list[tuple[Source, str]], tmp: Path, progress: Progress
) -> list[tuple[Source, str, Path]]:
    """The files as bulk_load reads them: a gzipped file is decompressed next to the store."""
    files = []
    for i, (source, sha) in enumerate(pending):
        path = source.path
        if path.suffix.lower() == ".gz":
            progress.phase("decompressing", total=_size(path))
            path = tmp / f"{i}.{source.format.file_extension}"
            _gunzip(source.path, path, progress)
        files.append((source, sha, path))
    return files


def _gunzip(source: Path, target: Path, progress: Progress) -> None:
    try:
        with open(source, "rb") as raw, gzip.GzipFile(fileobj=raw) as unzipped, \
                open(target, "wb") as out:
            while chunk := unzipped.read(1 << 20):
                out.write(chunk)
                progress.at(raw.tell())
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        reason = getattr(e, "strerror", None) or e
        raise InputError(f"{source}: cannot read: {reason}") from None


def _write_fast(
    txn: Transaction, files: list[tuple[Source, str, Path]], replace: bool,
    check: WriteCheck | None, verdict: _Verdict, progress: Progress,
) -> list[LoadResult]:
    """Write the files into the scratch copy and validate them (in parallel when it fits)."""
    store, config = txn.store, txn.config
    reader = store.reader()
    in_memory = (
        check is not None
        and sum(_size(path) for _, _, path in files) <= MEMORY_VALIDATION_MAX_BYTES
        and len(reader) <= MEMORY_VALIDATION_MAX_QUADS
    )
    worker = None
    if in_memory:
        pairs = [(source, path) for source, _, path in files]
        worker = _MemoryCheck(reader, pairs, replace, check, config.base_iri)  # type: ignore[arg-type]
        worker.start()
    results = []
    replaced: set[str] = set()
    try:
        progress.phase("writing", watch=[path for _, _, path in files])
        for source, _, path in files:
            first = _replaces(source, replace) and source.graph not in replaced
            replaced.add(source.graph)
            before = 0 if first else _count(txn.primary, source.graph)
            with ThreadPoolExecutor(1, thread_name_prefix="corridor-screen") as screen:
                # a screen of the bytes for forbidden characters, beside the Rust loader
                suspect = screen.submit(xmlsafe.may_hold_forbidden, _chunks(path))
                try:
                    txn.bulk_load_graph(source.graph, path, source.format, replace=first,
                                        base_iri=config.base_iri)
                except SyntaxError as e:
                    raise InputError(_syntax_message(source.path, e)) from None
                if suspect.result():
                    _refuse_unsafe_literals(txn.primary, source)
            added = _count(txn.primary, source.graph) - before
            results.append(LoadResult(source, triples=added, graphs=(source.graph,)))
    finally:
        if worker is not None:
            progress.phase("validating")
            worker.join()
    if worker is not None and worker.error is not None:
        error = worker.error
        if isinstance(error, SyntaxError):  # the main thread saw the same file
            raise InputError(_syntax_message(files[0][0].path, error)) from None
        raise error
    if check is not None and not in_memory:
        progress.phase("validating")
        check(txn.primary, None)
    verdict.decided = True
    return results


def _record_provenance(
    txn: Transaction, results: list[LoadResult], shas: dict[Path, str], started: datetime,
    replace: bool, validator: object | None, agent: str | None,
) -> None:
    """The same provenance as :func:`_write` records, per loaded file."""
    replaced: set[str] = set()
    for result in results:
        source = result.source
        first = _replaces(source, replace) and source.graph not in replaced
        replaced.add(source.graph)
        _note_provenance(txn, source.graph, source, shas[source.path], result.triples, started,
                         first, validator, agent)
