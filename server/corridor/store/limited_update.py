"""SPARQL Update under a time and memory limit: run in a child process that can be killed.

pyoxigraph cannot cancel a running update, so an update run in the server could only be
abandoned, never stopped. A write always goes to a scratch copy first (see
:class:`corridor.store.oxigraph.Transaction`), so the update can run elsewhere: the parent
closes its handle on the scratch copy, a child process opens the copy, runs the update, flushes
and exits; the parent then reopens the copy and validates it as usual. At the time limit the
child gets SIGKILL and the scratch copy is thrown away: the published store never saw the
update, the change log has no entry. A scratch copy that lives in memory (in-memory stores,
the remote backend's local copy) is written to a temporary folder for the child and read back.

The memory limit is the same as for queries: what the update may add to the child's address
space once it has the copy open (``RLIMIT_AS``, soft limit only, so the next copy can lift it).
"""

from __future__ import annotations

import gc
import multiprocessing
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from corridor.store.base import StoreError, UpdateLimits

STARTUP_SECONDS = 60.0
START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


class UpdateStopped(StoreError):
    """The update ran past a limit and was stopped; nothing was written."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status to answer: 503 time limit, 500 memory (as queries)


def limit_memory(extra_bytes: int | None) -> None:
    """Cap this process's address space (soft ``RLIMIT_AS``) at its present size plus
    ``extra_bytes``; ``None`` lifts the cap again.

    Relative, not absolute: what RocksDB reserves when it opens a store (thread stacks, malloc
    arenas) differs between machines, so a fixed cap that suits one machine starves the next.
    Only the soft limit moves, so the process can lift it before opening the next store; the
    query or update itself runs in Rust and cannot.
    """
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if extra_bytes is None:
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
        return
    with open("/proc/self/statm", encoding="ascii") as f:
        size = int(f.read().split()[0]) * resource.getpagesize()
    soft = size + extra_bytes
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _worker_main(conn: Connection, before: Callable[[], object] | None) -> None:
    """Loop of the update process: receive (folder, update, base IRI, memory), answer one
    message each; the store is closed before the answer, so the parent can reopen it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when we stop
    if before is not None:
        before()
    conn.send(("ready",))
    while True:
        try:
            path, sparql, base_iri, memory_bytes = conn.recv()
        except (EOFError, OSError):
            return
        answer = _apply(path, sparql, base_iri, memory_bytes)
        gc.collect()  # the store is closed (RocksDB unlocked) before the parent hears back
        conn.send(answer)


def _apply(path: str, sparql: str, base_iri: str | None,
           memory_bytes: int | None) -> tuple[str, ...]:
    """Open the folder, run the update, flush; the answer to send (the store closes on
    return)."""
    if memory_bytes:
        limit_memory(None)
    try:
        store = ox.Store(path)
        if memory_bytes:
            limit_memory(memory_bytes)
        store.update(sparql, base_iri=base_iri)
        store.flush()
        return ("ok",)
    except SyntaxError as e:
        return ("syntax", str(e))
    except ValueError as e:
        return ("value", str(e))
    except (OSError, MemoryError) as e:
        return ("store", str(e) or type(e).__name__)


class UpdateRunner:
    """One long-lived update process per store (started on first use, replaced after it was
    killed): starting a process and importing pyoxigraph for every update would cost more than
    a small update itself."""

    def __init__(self) -> None:
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._before: Callable[[], object] | None = None
        self._lock = threading.Lock()

    def run(self, holder: list[ox.Store], path: Path | None, sparql: str, base_iri: str | None,
            limits: UpdateLimits) -> ox.Store:
        """Run ``sparql`` on the store in ``holder`` (whose folder is ``path``; None: it lives
        in memory) in the update process under ``limits``; returns the store to go on with
        (reopened or re-read).

        ``holder`` keeps the only reference to the store, so that popping it here closes it.
        Raises ``SyntaxError``/``ValueError`` as pyoxigraph would, :class:`UpdateStopped` at a
        limit; either way the caller discards the scratch copy.
        """
        store = holder.pop()
        temporary = None
        if path is None:  # give the process a folder: copy out, and back in afterwards
            temporary = Path(tempfile.mkdtemp(prefix="corridor-update-"))
            on_disk = ox.Store(str(temporary))
            on_disk.bulk_extend(store.quads_for_pattern(None, None, None, None))
            on_disk.flush()
            del on_disk
            path = temporary
        del store
        gc.collect()  # RocksDB allows one process per folder: close ours before the child's
        try:
            with self._lock:
                self._run(str(path), sparql, base_iri, limits)
            reopened = ox.Store(str(path))
            if temporary is None:
                return reopened
            in_memory = ox.Store()
            in_memory.bulk_extend(reopened.quads_for_pattern(None, None, None, None))
            return in_memory
        finally:
            if temporary is not None:
                gc.collect()
                shutil.rmtree(temporary, ignore_errors=True)

    def close(self) -> None:
        """Stop the update process (the store is closing)."""
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(5)
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None

    def _ensure(self, before: Callable[[], object] | None) -> Connection:
        if self._process is not None and (not self._process.is_alive()
                                          or before is not self._before):
            self._stop()
        if self._process is None or self._conn is None:
            context = multiprocessing.get_context(START_METHOD)
            parent, child = context.Pipe()
            self._process = context.Process(  # type: ignore[attr-defined]
                target=_worker_main, args=(child, before), name="corridor-update", daemon=True)
            self._process.start()
            child.close()
            self._conn, self._before = parent, before
            # starting the process does not count against an update's time limit
            if not parent.poll(STARTUP_SECONDS) or parent.recv() != ("ready",):
                self._stop()
                raise StoreError("the update process did not start")
        return self._conn

    def _run(self, path: str, sparql: str, base_iri: str | None, limits: UpdateLimits) -> None:
        memory_bytes = limits.memory_mb << 20 if limits.memory_mb else None
        conn = self._ensure(limits.before)
        conn.send((path, sparql, base_iri, memory_bytes))
        stopped_for_memory = UpdateStopped(
            f"the update needed more than the memory limit of {limits.memory_mb} MiB and "
            "was stopped; nothing was written", 500)
        if not conn.poll(limits.timeout):
            self._stop()
            raise UpdateStopped(
                f"the update exceeded the time limit of {limits.timeout:g} s and was stopped; "
                "nothing was written", 503)
        try:
            message = conn.recv()
        except (EOFError, OSError):
            self._stop()  # it died: beyond its memory limit (abort), or killed from outside
            if memory_bytes:
                raise stopped_for_memory from None
            raise StoreError("the update failed: its process died") from None
        kind = message[0]
        if kind == "ok":
            return
        if kind == "syntax":
            raise SyntaxError(message[1])
        if kind == "value":
            raise ValueError(message[1])
        if memory_bytes and "memory" in message[1].lower():
            raise stopped_for_memory
        raise StoreError(f"the update failed: {message[1]}")


def runner_for(extensions: dict[str, object]) -> UpdateRunner:
    """The update runner a store keeps among its extensions (closed with the store)."""
    runner = extensions.get("corridor.updates")
    if not isinstance(runner, UpdateRunner):
        runner = extensions["corridor.updates"] = UpdateRunner()
    return runner
