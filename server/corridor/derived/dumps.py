"""Gzipped dumps of the public data, written to disk once per store version.

``all.nq.gz`` and ``all.trig.gz`` hold every public graph (and the default graph, if used);
``<graph name>.ttl.gz`` holds one named graph, named by its path under ``{base}graph/``.
Files live in ``{store}/dumps/<version>/`` (a temporary directory for in-memory stores); a new
store version makes the next request write a fresh set and delete the old ones. Withheld
(personal) graphs never enter a dump, nor do metadata statements about them.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from corridor.rdf.namespaces import PREFIXES
from corridor.store import OxigraphStore, ReadView
from corridor.store import public_quads as store_public_quads

MEDIA_TYPES = {"nq": "application/n-quads", "trig": "application/trig", "ttl": "text/turtle"}
_FORMATS = {"nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "ttl": ox.RdfFormat.TURTLE}
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")
CATALOGUE_WAIT = 1.0  # seconds the request that starts the dump writer waits for it
DOWNLOAD_WAIT = 5.0  # seconds a download waits for the writer before answering "not yet"


@dataclass
class DumpWriter:
    """The dumps of one store (kept in ``store.extensions``): one background writer at a time,
    so requests never queue behind a lock while files of a big store are written."""

    root: Path
    lock: threading.Lock = field(default_factory=threading.Lock)  # held while writing
    threads_lock: threading.Lock = field(default_factory=threading.Lock)
    thread: threading.Thread | None = None


def writer_for(store: OxigraphStore) -> DumpWriter:
    """The store's dump writer (its files in ``{store}/dumps``, or a temporary folder)."""
    writer = store.extensions.get("corridor.dumps")
    if writer is None:
        root = store.derived_dir("dumps") or Path(tempfile.mkdtemp(prefix="corridor-dumps-"))
        writer = store.extensions.setdefault("corridor.dumps", DumpWriter(root))
    assert isinstance(writer, DumpWriter)
    return writer


@dataclass(frozen=True)
class Dump:
    """One dump file: its URL path, what it holds, size and SHA-256 of the gzip file."""

    name: str  # e.g. "all.nq.gz", "projects/boost.ttl.gz"
    graph: str | None  # None: the whole public dataset
    format: str  # "nq" | "trig" | "ttl"
    path: Path
    size: int | None  # None: being written (see catalogue_dumps)
    sha256: str | None

    @property
    def url_path(self) -> str:
        return "/dumps/" + self.name

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


def graph_dump_name(store: OxigraphStore, graph: str) -> str:
    """File stem of a graph's dump: its path under ``{base}graph/``, else a hash of its IRI."""
    prefix = store.config.graph_iri("")
    name = graph[len(prefix):] if graph.startswith(prefix) else ""
    if _SAFE_NAME.fullmatch(name) and ".." not in name and name not in ("all",):
        return name
    return "graph-" + hashlib.sha256(graph.encode()).hexdigest()[:16]


def public_quads(
    store: OxigraphStore, reader: ReadView, graph: str | None = None
) -> Iterator[ox.Quad]:
    """Quads of the public dataset (or one public graph), metadata about withheld graphs removed."""
    target = None if graph is None else ox.NamedNode(graph)
    return store_public_quads(store.config, reader, graph=target)


def dumps_for(store: OxigraphStore) -> list[Dump]:
    """The dumps of the current store version, written now if not yet on disk (the writer
    thread, the CLI and tests; a request uses :func:`ready_dumps`)."""
    writer = writer_for(store)
    with writer.lock, store.lease() as snapshot:
        reader, version = snapshot.handle, snapshot.version
        directory = writer.root / f"{version:012d}"
        index = directory / "index.txt"
        if not index.exists():
            _write_all(store, reader, directory)
            _remove_other_versions(directory)
        return _read_index(index)


def ready_dumps(store: OxigraphStore, wait: float = DOWNLOAD_WAIT) -> list[Dump] | None:
    """The current version's dumps for a download: None if they are still being written after
    ``wait`` seconds (the request answers "retry later" rather than hold a thread for minutes)."""
    index = writer_for(store).root / f"{store.version:012d}" / "index.txt"
    if not index.exists():
        thread, _ = _write_in_background(store)
        thread.join(wait)
    return _read_index(index) if index.exists() else None


def catalogue_dumps(store: OxigraphStore, wait: float | None = None) -> list[Dump]:
    """The dumps the catalogue describes, without making it wait minutes for them.

    Writing every dump of a large store takes minutes, so it runs in the background; if this
    version's files are not done within ``wait`` seconds, the catalogue lists them without size
    and checksum (their download still works: it waits for the file).
    """
    reader, version = store.reader(), store.version
    index = writer_for(store).root / f"{version:012d}" / "index.txt"
    if not index.exists():
        writer, started = _write_in_background(store)
        if started:  # a small store is done in a moment; later requests do not wait again
            writer.join(CATALOGUE_WAIT if wait is None else wait)
    if index.exists():
        return _read_index(index)
    return [Dump(name, graph, fmt, index.parent / name, None, None)
            for name, graph, fmt in _planned(store, reader)]


def _write_in_background(store: OxigraphStore) -> tuple[threading.Thread, bool]:
    """The thread writing the store's dumps, and whether this call started it."""
    writer = writer_for(store)
    with writer.threads_lock:
        running = writer.thread
        if running is not None and running.is_alive():
            return running, False
        running = threading.Thread(target=dumps_for, args=(store,), daemon=True,
                                   name="corridor-dumps")
        writer.thread = running
        running.start()
        return running, True


def _planned(store: OxigraphStore, reader: ReadView) -> list[tuple[str, str | None, str]]:
    """(file name, graph or None for everything, format) of each dump of ``reader``."""
    entries: list[tuple[str, str | None, str]] = [("all.nq.gz", None, "nq"),
                                                  ("all.trig.gz", None, "trig")]
    graphs = sorted(g.value for g in reader.named_graphs() if isinstance(g, ox.NamedNode)
                    and not store.config.is_withheld(g.value))
    return entries + [(graph_dump_name(store, g) + ".ttl.gz", g, "ttl") for g in graphs]


def _write_all(store: OxigraphStore, reader: ReadView, directory: Path) -> None:
    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    lines = []
    for name, graph, fmt in _planned(store, reader):
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        quads = public_quads(store, reader, graph)
        items = quads if graph is None else (
            ox.Triple(q.subject, q.predicate, q.object) for q in quads)
        with gzip.GzipFile(path, "wb", compresslevel=6, mtime=0) as gz:
            out = cast(IO[bytes], gz)  # a binary file object, as serialize needs
            prefixes = None if fmt == "nq" else PREFIXES
            ox.serialize(items, out, _FORMATS[fmt], prefixes=prefixes)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append("\t".join([name, graph or "", fmt, str(path.stat().st_size), digest]))
    (tmp / "index.txt").write_text("\n".join(lines) + "\n")
    shutil.rmtree(directory, ignore_errors=True)
    os.replace(tmp, directory)


def _read_index(index: Path) -> list[Dump]:
    dumps = []
    for line in index.read_text().splitlines():
        name, graph, fmt, size, digest = line.split("\t")
        dumps.append(Dump(name, graph or None, fmt, index.parent / name, int(size), digest))
    return dumps


def _remove_other_versions(keep: Path) -> None:
    for path in keep.parent.iterdir():
        if path != keep:
            shutil.rmtree(path, ignore_errors=True)
