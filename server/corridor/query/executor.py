"""User SPARQL queries in worker processes that can be killed at the time limit.

pyoxigraph cannot cancel a running query, so a thread that runs one can only be abandoned,
never stopped: its CPU stays busy until the query ends on its own. Here every user query runs
in one of a small pool of worker processes. A worker opens the store's latest published
checkpoint read-only (safe: nobody writes to a checkpoint; reopened when the store publishes a
new one), runs the query, and lets pyoxigraph serialise the result in Rust straight into the
requested format. The bytes come back over a pipe: a small result as one message (the fast
path), a large one as a stream of chunks. When a query exceeds its time limit the parent sends
SIGKILL — the CPU is freed at once — answers the client with a timeout error, and starts a
replacement worker in the background, so other clients keep being answered by the rest of the
pool.

Result row limits (``max_rows``) cut the serialised output at a row boundary and close the
document properly, so the result stays well-formed in every format; ``truncated`` reports it.

The hop to a worker costs a few hundred microseconds, more than a lookup query itself. So the
pool remembers which jobs a worker answered within :data:`CHEAP_SECONDS` on which checkpoint
(:class:`ProvenCheap`); the same job on the same checkpoint — same query, same data, so the same
work — then runs in the server process on its read-only handle. A new checkpoint starts with an
empty record, so every query is first measured in a killable worker: the time limit still holds.

This module imports only the standard library and pyoxigraph: it is all a worker loads.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import multiprocessing
import os
import queue
import re
import select
import signal
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import IO, Any, cast

import pyoxigraph as ox

from corridor.store import ReadView, Store, open_checkpoint
from corridor.store.limited_update import limit_memory

CHEAP_SECONDS = 0.05  # a query answered this fast by a worker may run in-process next time
QUEUE_WAIT_SECONDS = 1.0  # the longest a request waits for a free worker before a 503
FAST_PATH_BYTES = 1 << 20  # results up to this size travel as one message, headers included
HOLD_MAX_ROWS = 100_000  # row limits up to this are decided before the headers are sent
XML_TYPES = ("application/sparql-results+xml", "application/rdf+xml")
CHUNK_BYTES = 1 << 16  # streamed results travel in chunks of about this size
START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


# ------------------------------------------------------------------------------ what to run
@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a query sees.

    ``mode`` is ``"union"`` (default graph = union of all graphs), ``"public"`` (the union of
    every graph that is not withheld, and only those as named graphs) or ``"explicit"``
    (``default`` lists the default graph's graphs, None meaning the store's own default graph;
    ``named`` the named graphs). Withheld graphs are given as a rule (``withheld_prefixes``,
    ``withheld``) rather than a list, so that the worker applies it to exactly the checkpoint
    it queries, even one published a moment after the request arrived.
    """

    mode: str = "union"
    default: tuple[str | None, ...] = ()
    named: tuple[str, ...] = ()
    withheld_prefixes: tuple[str, ...] = ()
    withheld: tuple[str, ...] = ()

    def withholds(self, graph: str) -> bool:
        return graph in self.withheld or graph.startswith(self.withheld_prefixes)


@dataclass(frozen=True)
class QueryJob:
    """One query and how to answer it; media types None mean "not acceptable to the client"."""

    sparql: str
    results_type: str | None = "application/sparql-results+json"
    graph_type: str | None = "text/turtle"
    dataset: Dataset = field(default_factory=Dataset)
    base_iri: str | None = None
    max_rows: int | None = None


@dataclass
class QueryOutcome:
    """A result being delivered: ``body`` yields the serialised bytes.

    ``truncated`` is True/False when known before the first byte (any result that fits the fast
    path) and None for a streamed result, whose cut is only known at its end.
    """

    form: str  # "solutions", "boolean" or "graph"
    media_type: str
    truncated: bool | None
    body: Iterator[bytes]


class QueryError(Exception):
    """Base of the failures the endpoint turns into HTTP errors."""


class QuerySyntaxError(QueryError):
    """The text is not SPARQL; the message carries the parser's position."""


class NotAcceptable(QueryError):
    """The client accepts no format this query form can be serialised in."""

    def __init__(self, form: str) -> None:
        super().__init__(form)
        self.form = form


class QueryTimeout(QueryError):
    """The query ran past its time limit and its worker was killed."""


class PoolBusy(QueryError):
    """No worker became free before the time limit."""


class QueryFailed(QueryError):
    """The query is valid but its evaluation failed (or its worker died)."""


class QueryOutOfMemory(QueryFailed):
    """The query needed more memory than a worker may use; its worker was stopped."""


# ------------------------------------------------------------------------------ running a job
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_STRING_REST = re.compile(rb'(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_ROW = re.compile(rb'[\[,]\{')


def _nth(data: bytes, needle: bytes, n: int) -> int:
    """Index of the ``n``-th (1-based) occurrence of ``needle`` in ``data``."""
    position = -1
    for _ in range(n):
        position = data.index(needle, position + 1)
    return position


class _RowLimiter:
    """Cuts a serialised SELECT result after ``limit`` rows, keeping the document well-formed.

    Each format marks rows differently: TSV and CSV rows end with a newline after one header
    line (CSV newlines inside quoted values do not count), XML rows start with ``<result>``,
    JSON rows start with ``{`` after ``[`` or ``,`` outside strings. Counting runs on whole
    chunks with C-speed bytes and regex methods; only the chunk holding the cut is scanned
    position by position. :meth:`feed` returns the bytes that may be sent on; once
    ``reached`` is set the caller appends :attr:`closing` and stops.
    """

    def __init__(self, format: ox.QueryResultsFormat, limit: int) -> None:
        self.kind = {
            ox.QueryResultsFormat.TSV: "tsv",
            ox.QueryResultsFormat.CSV: "csv",
            ox.QueryResultsFormat.XML: "xml",
            ox.QueryResultsFormat.JSON: "json",
        }[format]
        # row markers still allowed (line formats also pass the header's newline)
        self.remaining = limit + 1 if self.kind in ("tsv", "csv") else limit
        self.in_string = False  # a CSV quoted field or JSON string is open
        self.escaped = False  # JSON: the next byte is escaped by a backslash
        self.held = b""  # bytes held back: JSON's last (maybe the comma to drop), XML's last 7
        self.pending = False  # line formats: the limit's last newline was the last byte
        self.reached = False

    @property
    def closing(self) -> bytes:
        return {"json": b"]}}", "xml": b"</results></sparql>"}.get(self.kind, b"")

    def feed(self, data: bytes) -> bytes:
        if self.pending:
            self.reached = bool(data)
            return b""
        if self.kind == "json":
            return self._feed_json(data)
        if self.kind == "xml":
            return self._feed_xml(data)
        cut = self._cut_lines(data)
        if cut is None:
            return data
        self.reached = True
        return data[:cut]

    def end(self) -> bytes:
        """Bytes still held back when the result ended below the limit."""
        return self.held

    # -- TSV / CSV: row k + 1 starts after newline k + 1
    def _cut_lines(self, data: bytes) -> int | None:
        if self.kind == "tsv":
            count = data.count(b"\n")
            if count < self.remaining:
                self.remaining -= count
                return None
            position = _nth(data, b"\n", self.remaining) + 1
        else:
            segments = data.split(b'"')
            first_outside = 1 if self.in_string else 0
            count = sum(s.count(b"\n") for s in segments[first_outside::2])
            if count < self.remaining:
                self.remaining -= count
                self.in_string ^= len(segments) % 2 == 0
                return None
            position, need = 0, self.remaining
            for index, segment in enumerate(segments):
                if index % 2 == first_outside:
                    found = segment.count(b"\n")
                    if found >= need:
                        position += _nth(segment, b"\n", need)
                        break
                    need -= found
                position += len(segment) + 1
            position += 1
        self.remaining = 0
        if position < len(data):
            return position
        self.pending = True
        return None

    # -- XML: row k starts at the k-th "<result>" (held back: a marker may straddle chunks)
    def _feed_xml(self, data: bytes) -> bytes:
        buffer = self.held + data
        count = buffer.count(b"<result>")
        if count <= self.remaining:
            self.remaining -= count
            out, self.held = buffer[:-7], buffer[-7:]
            return out
        self.reached = True
        return buffer[: _nth(buffer, b"<result>", self.remaining + 1)]

    # -- JSON: row k starts at the k-th "{" after "[" or "," outside strings
    def _feed_json(self, data: bytes) -> bytes:
        state = (self.in_string, self.escaped)
        count = self._count_json_rows(data)
        if count <= self.remaining:
            self.remaining -= count
            out, self.held = self.held + data[:-1], data[-1:]
            return out
        self.in_string, self.escaped = state
        buffer = self.held + data
        for index, start in enumerate(self._json_row_starts(data)):
            if index == self.remaining:
                self.reached = True
                position = start + len(self.held)  # index of "{" in buffer
                if buffer[position - 1 : position] == b",":
                    position -= 1
                return buffer[:position]
        raise AssertionError("row count and row scan disagree")  # pragma: no cover

    def _count_json_rows(self, data: bytes) -> int:
        start = 0
        preceding = self.held
        if self.in_string:
            start = 1 if self.escaped else 0
            self.escaped = False
            match = _JSON_STRING_REST.match(data, start)
            if match is None:
                self._note_open_string(data[start:])
                return 0
            start, preceding = match.end(), b'"'
            self.in_string = False
        outside = _JSON_STRING.sub(b"S", data[start:])  # complete strings out of the way
        opening = outside.find(b'"')
        if opening >= 0:  # a string opens here and continues in the next chunk
            self._note_open_string(outside[opening + 1 :])
            self.in_string = True
            outside = outside[:opening]
        text = preceding[-1:] + outside
        return text.count(b"[{") + text.count(b",{")

    def _note_open_string(self, content: bytes) -> None:
        run = len(content) - len(content.rstrip(b"\\"))
        self.escaped = run % 2 == 1

    def _json_row_starts(self, data: bytes) -> Iterator[int]:
        """Positions of row-opening "{" in ``data``, scanned with string state."""
        position = 1 if (self.in_string and self.escaped) else 0
        in_string = self.in_string
        while position < len(data):
            if in_string:
                match = _JSON_STRING_REST.match(data, position)
                if match is None:
                    return
                position, in_string = match.end(), False
                continue
            quote = data.find(b'"', position)
            brace = data.find(b"{", position)
            if brace < 0:
                return
            if 0 <= quote < brace:
                position, in_string = quote + 1, True
                continue
            before = data[brace - 1 : brace] if brace else self.held[-1:]
            if before in (b"[", b","):
                yield brace
            position = brace + 1


class _Sink:
    """The file-like object pyoxigraph serialises into: buffers, then streams chunks."""

    def __init__(
        self, send: Callable[[tuple], None], form: str, media_type: str, hold: bool = False
    ) -> None:
        """``hold``: keep the whole (row-limited) result and send it as one message, so that
        whether it was cut is known before the response's headers."""
        self.hold = hold
        self.send = send
        self.form = form
        self.media_type = media_type
        self.parts: list[bytes] = []
        self.size = 0
        self.streaming = False
        self.limiter: _RowLimiter | None = None
        self.xml = media_type in XML_TYPES

    def write(self, data: bytes) -> int:
        written = len(data)
        if self.xml:  # Oxigraph writes CR raw, which XML parsers read back as LF
            data = data.replace(b"\r", b"&#13;")
        if self.limiter is None:
            self._put(data)
            return written
        if self.limiter.reached:  # pyoxigraph flushes its buffer once more after the cut
            raise _RowLimitReached
        self._put(self.limiter.feed(data))
        if self.limiter.reached:
            raise _RowLimitReached
        return written

    def flush(self) -> None:
        pass

    def _put(self, data: bytes) -> None:
        if not data:
            return
        self.parts.append(data)
        self.size += len(data)
        if self.hold:
            return
        limit = CHUNK_BYTES if self.streaming else FAST_PATH_BYTES
        if self.size >= limit:
            body = b"".join(self.parts)
            self.parts, self.size = [], 0
            if self.streaming:
                self.send(("chunk", body))
            else:
                self.streaming = True
                self.send(("start", self.form, self.media_type, body))

    def finish(self, truncated: bool) -> None:
        if self.limiter is not None and not (truncated and self.streaming):
            self._put(self.limiter.closing if truncated else self.limiter.end())
        body = b"".join(self.parts)
        if self.streaming:
            if body:
                self.send(("chunk", body))
            self.send(("end", truncated))
        else:
            self.send(("done", self.form, self.media_type, truncated, body))


class _RowLimitReached(Exception):
    pass


class _DatasetArguments:
    """pyoxigraph ``query()`` keyword arguments for a :class:`Dataset`, for one opened store."""

    def __init__(self) -> None:
        self._cache: dict[Dataset, dict] = {}

    def __call__(self, store: ReadView, dataset: Dataset) -> dict:
        arguments = self._cache.get(dataset)
        if arguments is None:
            arguments = self._build(store, dataset)
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[dataset] = arguments
        return arguments

    @staticmethod
    def _build(store: ReadView, dataset: Dataset) -> dict:
        if dataset.mode == "union":
            return {"use_default_graph_as_union": True}
        if dataset.mode == "public":
            graphs = [g for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
            public = [g for g in graphs if not dataset.withholds(g.value)]
            if len(public) == len(graphs):  # nothing withheld here: the union is much faster
                return {"use_default_graph_as_union": True}
            return {"default_graph": [ox.DefaultGraph(), *public], "named_graphs": public}
        default = [ox.DefaultGraph() if g is None else ox.NamedNode(g) for g in dataset.default]
        return {"default_graph": default, "named_graphs": [ox.NamedNode(g) for g in dataset.named]}


def run_query(
    store: ReadView,
    job: QueryJob,
    send: Callable[[tuple], None],
    dataset_arguments: Callable[[ReadView, Dataset], dict],
) -> None:
    """Run ``job`` on ``store`` and ``send`` the result messages (or one error message)."""
    try:
        arguments = dataset_arguments(store, job.dataset)
        result = store.query(job.sparql, base_iri=job.base_iri, **arguments)
    except SyntaxError as e:
        send(("error", "syntax", str(e)))
        return
    except Exception as e:  # noqa: BLE001 - evaluation errors are reported, not raised
        send(("error", "failed", str(e)))
        return
    if isinstance(result, ox.QueryTriples):
        form, media_type = "graph", job.graph_type
    else:
        form = "boolean" if isinstance(result, ox.QueryBoolean) else "solutions"
        media_type = job.results_type
    if media_type is None:
        send(("error", "not-acceptable", form))
        return
    # a row-limited result is held whole (at most max_rows rows, within the worker's memory
    # limit) so that the client is told by a header whether it was cut; above HOLD_MAX_ROWS it
    # streams, and a cut one is broken off (no closing tags, no final chunk): never a short
    # result that looks complete
    sink = _Sink(send, form, media_type,
                 hold=job.max_rows is not None and job.max_rows <= HOLD_MAX_ROWS)
    truncated = False
    try:
        if form == "graph":
            truncated = _serialize_triples(result, sink, media_type, job.max_rows)
        else:
            format = ox.QueryResultsFormat.from_media_type(media_type)
            assert format is not None  # the media type was negotiated from the known ones
            if form == "solutions" and job.max_rows is not None:
                sink.limiter = _RowLimiter(format, job.max_rows)
            try:
                result.serialize(sink, format)
            except _RowLimitReached:
                truncated = True
    except Exception as e:  # noqa: BLE001
        if sink.streaming:
            raise  # the parent already sent headers: the worker dies, the stream breaks off
        send(("error", "failed", str(e)))
        return
    sink.finish(truncated)


def _serialize_triples(
    result: ox.QueryTriples, sink: _Sink, media_type: str, limit: int | None
) -> bool:
    format = ox.RdfFormat.from_media_type(media_type)
    if limit is None:
        result.serialize(cast(IO[bytes], sink), format)
        return False
    over = []

    def first_triples() -> Iterator[ox.Triple]:
        yield from itertools.islice(result, limit)
        if next(result, None) is not None:
            over.append(True)

    ox.serialize(first_triples(), cast(IO[bytes], sink), format)
    return bool(over)


# ------------------------------------------------------------------------------ the worker process
def _worker_main(conn: Connection, offline: bool = False, memory_bytes: int | None = None) -> None:
    """Loop of a worker process: receive (checkpoint path, job), send result messages.

    ``offline``: first leave the network (see :mod:`corridor.query.isolation`), so that a
    SERVICE the text check missed reaches nothing. ``memory_bytes``: what a query may allocate
    on top of the worker's footprint with its checkpoint open (see
    :func:`corridor.store.limited_update.limit_memory`); an allocation beyond it aborts this
    worker, never the server.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the server, which kills us
    if offline:
        from corridor.query.isolation import cut_network

        cut_network()  # the parent probed and logged whether this is permitted
    store, opened, arguments = None, None, _DatasetArguments()
    while True:
        try:
            path, job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if path != opened:
                store, opened = None, None
                if memory_bytes:
                    limit_memory(None)
                store, opened, arguments = open_checkpoint(path), path, _DatasetArguments()
                if memory_bytes:
                    limit_memory(memory_bytes)
        except OSError as e:
            reason = e.strerror or "it could not be read"  # str(e) would name the folder
            conn.send(("error", "failed", f"cannot open the store checkpoint: {reason}"))
            continue
        assert store is not None
        run_query(store, job, conn.send, arguments)


_VARIABLE_COST = re.compile(
    r"(?:now|rand|uuid|bnode)(?:[ \t\r\n]|#[^\n\r]*)*\(|service", re.IGNORECASE)


def may_prove_cheap(sparql: str) -> bool:
    """Whether one fast run of ``sparql`` says the next run is fast too.

    Not when its work depends on the clock or chance (``NOW()``, ``RAND()``, ``UUID()``,
    ``STRUUID()``, ``BNODE()``) or on another server (``SERVICE``): such a query is cheap once
    and a runaway later. Matched anywhere in the text (strings included): a false match only
    costs the shortcut.
    """
    return _VARIABLE_COST.search(sparql) is None


class ProvenCheap:
    """Jobs a worker answered within :data:`CHEAP_SECONDS` on the current checkpoint."""

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._checkpoint: str | None = None
        self._jobs: dict[QueryJob, None] = {}
        self._lock = threading.Lock()

    def __contains__(self, key: tuple[str, QueryJob]) -> bool:
        checkpoint, job = key
        return checkpoint == self._checkpoint and job in self._jobs

    def add(self, checkpoint: str, job: QueryJob) -> None:
        if not may_prove_cheap(job.sparql):
            return
        with self._lock:
            if checkpoint != self._checkpoint:  # new data: nothing is proven on it yet
                self._checkpoint, self._jobs = checkpoint, {}
            if len(self._jobs) >= self.capacity:
                self._jobs.pop(next(iter(self._jobs)))
            self._jobs[job] = None

    def discard(self, job: QueryJob) -> None:
        """Forget ``job`` (an in-process run was not as cheap as its proof promised)."""
        with self._lock:
            self._jobs.pop(job, None)


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    poller: select.poll = field(default_factory=select.poll)

    def __post_init__(self) -> None:
        self.poller.register(self.conn.fileno(), select.POLLIN)

    def readable(self, timeout: float) -> bool:
        """Wait for a message (``Connection.poll`` builds a selector per call: too slow here)."""
        return bool(self.poller.poll(max(0, int(timeout * 1000))))

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL and reap: the process and its CPU use are gone when this returns."""
        with contextlib.suppress(OSError, AttributeError, ValueError):
            self.process.kill()
        self.process.join(10)
        self.conn.close()


class QueryPool:
    """A fixed number of worker processes; one query at a time per worker."""

    def __init__(
        self, size: int, start_method: str = START_METHOD, *, offline: bool = False,
        memory_bytes: int | None = None, queue_wait: float = QUEUE_WAIT_SECONDS,
        max_waiting: int | None = None, per_client: int | None = None,
    ) -> None:
        """``offline``: workers run without network; ``memory_bytes``: each worker's address
        space limit; at most ``max_waiting`` requests (default: ``size``) wait up to
        ``queue_wait`` seconds for a free worker, any more are refused at once (:class:`PoolBusy`):
        a burst of slow queries must not hold every server thread and starve the pages.
        ``per_client``: how many workers one client (its address) may hold at once (default:
        all but one, so that one client's slow queries never take every worker); queries
        answered in-process (proven cheap) do not count."""
        self.size = max(1, size)
        self.offline = offline
        self.memory_bytes = memory_bytes
        self.queue_wait = queue_wait
        self.max_waiting = self.size if max_waiting is None else max_waiting
        self.per_client = max(1, self.size - 1) if per_client is None else per_client
        self._waiting = 0
        self._holding: dict[str, int] = {}  # client → workers it holds (no entry: none)
        self._held_by: dict[_Worker, str] = {}
        self._context: Any = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            self._context.set_forkserver_preload([__name__])
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._busy: set[_Worker] = set()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self.cheap = ProvenCheap()
        self.in_process_runs = 0  # for operators and tests
        self._local_arguments: tuple[ReadView | None, _DatasetArguments] = (
            None, _DatasetArguments())

    # -- lifecycle
    def _start_worker(self) -> _Worker:
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_worker_main, args=(child, self.offline, self.memory_bytes),
            name="corridor-query-worker", daemon=True
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._all.add(worker)
        return worker

    def _ensure_started(self) -> None:
        if self._started:
            return
        with self._lock:
            if self._started:
                return
            self._started = True
        try:
            for _ in range(self.size):
                self._idle.put(self._start_worker())
        except BaseException:
            with self._lock:
                self._started = bool(self._all)
            raise

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start its successor in the background."""
        with self._lock:
            self._all.discard(worker)
            self._busy.discard(worker)
            self._let_go(worker)
        worker.kill()
        if not self._closed:
            threading.Thread(target=self._refill, name="corridor-pool-refill", daemon=True).start()

    def _refill(self) -> None:
        try:
            self._idle.put(self._start_worker())
        except Exception:  # noqa: BLE001 - the next query will try again via _acquire
            with self._lock:
                self._started = bool(self._all)

    def close(self) -> None:
        """Kill every worker (the server is shutting down)."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()

    def worker_pids(self) -> dict[str, list[int]]:
        """Process ids of idle and busy workers (for operators and tests)."""
        with self._lock:
            busy = [w.pid for w in self._busy if w.pid]
            idle = [w.pid for w in self._all - self._busy if w.pid]
        return {"busy": busy, "idle": idle}

    # -- running queries
    def _acquire(self, deadline: float) -> _Worker:
        """An idle worker (a dead one shows up as EOF on its pipe and is replaced then); waits
        in a bounded queue for a bounded time, else :class:`PoolBusy`."""
        self._ensure_started()
        try:
            worker = self._idle.get_nowait()
        except queue.Empty:
            with self._lock:
                if self._waiting >= self.max_waiting:
                    raise PoolBusy("every query worker is busy") from None
                self._waiting += 1
            try:
                wait = min(self.queue_wait, deadline - time.monotonic())
                worker = self._idle.get(timeout=max(0.0, wait))
            except queue.Empty:
                raise PoolBusy("every query worker is busy") from None
            finally:
                with self._lock:
                    self._waiting -= 1
        with self._lock:
            self._busy.add(worker)
        return worker

    def _admit(self, client: str | None) -> str | None:
        """Count ``client`` in (returned; None when nobody is counted), or refuse it
        (:class:`PoolBusy`) if it holds its share."""
        if client is None or not self.per_client:
            return None
        with self._lock:
            holding = self._holding.get(client, 0)
            if holding >= self.per_client:
                raise PoolBusy(
                    f"this client already has {holding} of the {self.size} query workers busy "
                    f"(at most {self.per_client} per client); retry when one of its queries "
                    "has ended")
            self._holding[client] = holding + 1
        return client

    def _let_go(self, worker: _Worker) -> None:
        """Count ``worker`` out of its client's share (the caller holds ``self._lock``)."""
        client = self._held_by.pop(worker, None)
        if client is not None:
            self._drop(client)

    def _drop(self, client: str) -> None:
        """One worker (or admission) fewer for ``client`` (the caller holds ``self._lock``)."""
        left = self._holding.get(client, 0) - 1
        if left > 0:
            self._holding[client] = left
        else:
            self._holding.pop(client, None)

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
            self._let_go(worker)
        self._idle.put(worker)

    def _receive(self, worker: _Worker, deadline: float) -> tuple:
        try:
            if not worker.readable(deadline - time.monotonic()):
                self._replace(worker)
                raise QueryTimeout("the query exceeded the time limit and was stopped")
            return worker.conn.recv()
        except (EOFError, OSError):
            self._replace(worker)
            if self.memory_bytes and worker.process.exitcode in (-signal.SIGABRT, -signal.SIGSEGV):
                raise QueryOutOfMemory(
                    f"the query needed more than the memory limit of "
                    f"{self.memory_bytes >> 20} MiB per query and was stopped; narrow it down "
                    "(e.g. fewer rows before ORDER BY or GROUP BY)") from None
            raise QueryFailed("the query worker died") from None

    def execute(
        self, checkpoint: str, job: QueryJob, timeout: float,
        local: tuple[str, ReadView] | None = None, client: str | None = None,
    ) -> QueryOutcome:
        """Run ``job`` against ``checkpoint``; the whole answer must arrive within ``timeout``.

        ``local`` is (checkpoint, read-only handle) of this process: a job proven cheap on that
        checkpoint runs on the handle instead of in a worker. ``client`` (e.g. the remote
        address) is held to its share of the workers (``per_client``).
        """
        if local is not None and local[0] == checkpoint and (checkpoint, job) in self.cheap:
            self.in_process_runs += 1
            started = time.monotonic()
            outcome = run_in_process(local[1], job, self._arguments_for(local[1]))
            if time.monotonic() - started > 4 * CHEAP_SECONDS:  # not cheap after all
                self.cheap.discard(job)
            return outcome
        self._ensure_started()  # starting the pool (first query) does not count against the limit
        started = time.monotonic()
        deadline = started + timeout
        counted = self._admit(client)
        try:
            worker = self._acquire(deadline)
        except BaseException:
            if counted is not None:
                with self._lock:
                    self._drop(counted)
            raise
        if counted is not None:
            with self._lock:
                self._held_by[worker] = counted
        try:
            worker.conn.send((checkpoint, job))
        except (OSError, ValueError):
            self._replace(worker)
            raise QueryFailed("the query worker died") from None
        message = self._receive(worker, deadline)
        if message[0] != "start":
            self._release(worker)
            if time.monotonic() - started <= min(CHEAP_SECONDS, timeout / 2):
                self.cheap.add(checkpoint, job)
            return outcome_of(message)
        _, form, media_type, first = message
        stream = self._stream(worker, first, deadline)
        return QueryOutcome(form, media_type, None, _Body(stream, lambda: self._replace(worker)))

    def _arguments_for(self, handle: ReadView) -> _DatasetArguments:
        """Dataset arguments cached per handle (a new checkpoint has other graphs)."""
        owner, arguments = self._local_arguments
        if owner is not handle:
            arguments = _DatasetArguments()
            self._local_arguments = (handle, arguments)
        return arguments

    def _stream(self, worker: _Worker, first: bytes, deadline: float) -> Iterator[bytes]:
        done = False
        try:
            yield first
            while True:
                message = self._receive(worker, deadline)
                if message[0] == "end":
                    done = True
                    if message[1]:  # cut after the headers went out: break the response off
                        raise QueryFailed("the streamed result reached the row limit")
                    break
                yield message[1]
        finally:
            if done:
                self._release(worker)
            elif worker in self._all:
                self._replace(worker)  # the client went away or the stream broke mid-way
        # a timeout or worker death raises out of the loop: the WSGI server then aborts the
        # response instead of ending it cleanly, so the client sees a broken, not a short, result


class _Body:
    """A streamed result body whose ``close`` frees the worker even if iteration never began.

    (Closing a generator that has not started skips its ``finally``: a HEAD request or a
    client gone before the first byte would otherwise keep the worker busy for ever.)
    """

    def __init__(self, stream: Iterator[bytes], abandon: Callable[[], None]) -> None:
        self._stream = stream
        self._abandon = abandon
        self._started = False

    def __iter__(self) -> _Body:
        return self

    def __next__(self) -> bytes:
        self._started = True
        return next(self._stream)

    def close(self) -> None:
        if not self._started:
            self._started = True
            self._abandon()
        self._stream.close()  # type: ignore[attr-defined]


def outcome_of(message: tuple) -> QueryOutcome:
    """Turn a complete ("done") or error message into an outcome or an exception."""
    if message[0] == "done":
        _, form, media_type, truncated, body = message
        return QueryOutcome(form, media_type, truncated, iter((body,)))
    kind, detail = message[1], message[2]
    if kind == "syntax":
        raise QuerySyntaxError(detail)
    if kind == "not-acceptable":
        raise NotAcceptable(detail)
    raise QueryFailed(detail)


def run_in_process(
    store: ReadView, job: QueryJob, arguments: _DatasetArguments | None = None
) -> QueryOutcome:
    """Run a job in this process without a time limit (in-memory stores; proven-cheap jobs)."""
    messages: list[tuple] = []
    run_query(store, job, messages.append, arguments or _DatasetArguments())
    first = messages[0]
    if first[0] != "start":
        return outcome_of(first)
    chunks = [first[3]] + [m[1] for m in messages[1:] if m[0] == "chunk"]
    truncated = bool(messages[-1][1])
    return QueryOutcome(first[1], first[2], truncated, iter(chunks))


# ------------------------------------------------------------------------- one service per store
class QueryService:
    """Runs user SPARQL for one store so that it can be stopped: on disk in a pool of killable
    worker processes reading the published checkpoint, in memory (unit tests) in this process
    without a time limit. Kept in ``store.extensions`` (see
    :func:`corridor.query.queries_for`); a remote store's service forwards the job to its
    endpoint instead."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._pool: QueryPool | None = None
        self._lock = threading.Lock()

    @property
    def pool(self) -> QueryPool:
        with self._lock:
            if self._pool is None:
                self._pool = _new_pool(self.store.config)
                _open_pools.add(self._pool)
            return self._pool

    def execute(self, job: QueryJob, timeout: float | None = None,
                client: str | None = None) -> QueryOutcome:
        hides = bool(job.dataset.withheld or job.dataset.withheld_prefixes)
        # the newest published version (without the withheld graphs if the job hides them)
        snapshot = self.store.current(public=hides)
        if snapshot.path is None:
            return run_in_process(snapshot.handle, job)
        checkpoint = str(snapshot.path)
        return self.pool.execute(
            checkpoint, job, timeout or self.store.config.query_timeout,
            local=(checkpoint, snapshot.handle), client=client,
        )

    def close(self) -> None:
        """Kill the workers now (server shutdown, tests)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()


def _new_pool(config: object) -> QueryPool:
    """A pool whose workers have no network unless the configuration allows SERVICE endpoints,
    each limited to ``query_memory_mb`` of address space."""
    offline = not getattr(config, "allowed_service_endpoints", ())
    if offline:
        from corridor.query.isolation import isolation_unavailable

        isolation_unavailable()  # logs once when the network cannot be cut
    memory_mb = getattr(config, "query_memory_mb", None)
    return QueryPool(getattr(config, "query_workers", 2), offline=offline,
                     memory_bytes=memory_mb << 20 if memory_mb else None,
                     per_client=getattr(config, "queries_per_client", None))


_open_pools: weakref.WeakSet[QueryPool] = weakref.WeakSet()  # only for the exit handler


@atexit.register
def _close_all_pools() -> None:
    """No worker outlives the process, whoever forgot to close its store."""
    for pool in list(_open_pools):
        pool.close()


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
