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
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, abort, send_file

from corridor.store import OxigraphStore, ReadView, is_withheld_metadata
from corridor.web.context import get_store
from corridor.web.rdf_http import PREFIXES

MEDIA_TYPES = {"nq": "application/n-quads", "trig": "application/trig", "ttl": "text/turtle"}
_FORMATS = {"nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "ttl": ox.RdfFormat.TURTLE}
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")
CATALOGUE_WAIT = 1.0  # seconds the request that starts the dump writer waits for it
_lock = threading.Lock()  # held while dumps are written
_threads_lock = threading.Lock()
_writers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # store -> writing thread
_temp_roots: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # per store object


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
    config = store.config
    target = None if graph is None else ox.NamedNode(graph)
    for quad in reader.quads_for_pattern(None, None, None, target):
        g = quad.graph_name
        if isinstance(g, ox.NamedNode) and config.is_withheld(g.value):
            continue
        if not is_withheld_metadata(config, quad):
            yield quad


def dumps_for(store: OxigraphStore) -> list[Dump]:
    """The dumps of the current store version, written now if not yet on disk."""
    with _lock:
        reader, version = store.reader(), store.version
        directory = _root(store) / f"{version:012d}"
        index = directory / "index.txt"
        if not index.exists():
            _write_all(store, reader, directory)
            _remove_other_versions(directory)
        return _read_index(index)


def catalogue_dumps(store: OxigraphStore, wait: float | None = None) -> list[Dump]:
    """The dumps the catalogue describes, without making it wait minutes for them.

    Writing every dump of a large store takes minutes, so it runs in the background; if this
    version's files are not done within ``wait`` seconds, the catalogue lists them without size
    and checksum (their download still works: it waits for the file).
    """
    reader, version = store.reader(), store.version
    index = _root(store) / f"{version:012d}" / "index.txt"
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
    with _threads_lock:
        running = _writers.get(store)
        if running is not None and running.is_alive():
            return running, False
        running = threading.Thread(target=dumps_for, args=(store,), daemon=True,
                                   name="corridor-dumps")
        _writers[store] = running
        running.start()
        return running, True


def _planned(store: OxigraphStore, reader: ReadView) -> list[tuple[str, str | None, str]]:
    """(file name, graph or None for everything, format) of each dump of ``reader``."""
    entries: list[tuple[str, str | None, str]] = [("all.nq.gz", None, "nq"),
                                                  ("all.trig.gz", None, "trig")]
    graphs = sorted(g.value for g in reader.named_graphs() if isinstance(g, ox.NamedNode)
                    and not store.config.is_withheld(g.value))
    return entries + [(graph_dump_name(store, g) + ".ttl.gz", g, "ttl") for g in graphs]


def _root(store: OxigraphStore) -> Path:
    if store.snapshot_path is not None:
        return Path(store.config.store_dir) / "dumps"
    if store not in _temp_roots:
        _temp_roots[store] = Path(tempfile.mkdtemp(prefix="corridor-dumps-"))
    return _temp_roots[store]


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
        with gzip.GzipFile(path, "wb", compresslevel=6, mtime=0) as out:
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


def register(bp: Blueprint) -> None:
    """Add ``GET /dumps/<name>`` to ``bp``."""

    @bp.get("/dumps/<path:name>")
    def dump(name: str) -> Response:
        for d in dumps_for(get_store()):
            if d.name == name:
                response = send_file(d.path, mimetype="application/gzip", etag=False,
                                     download_name=Path(name).name, conditional=True)
                response.headers["Cache-Control"] = "public, max-age=0, must-revalidate"
                return response
        abort(404)
