"""Second defence against outbound requests: code that runs user SPARQL has no network.

The SERVICE / LOAD check in :mod:`corridor.query.text` reads the query text; should it ever
disagree with Oxigraph's parser, the request must still reach nothing. So query workers (and
the thread that runs SPARQL Updates in the server) move into a new, empty Linux network
namespace before they run anything: no interface but a loopback that is down, so every
``connect`` fails at once with "Network is unreachable", open and closed ports alike (no port
scanner). A namespace belongs to a thread, not a process: the server's other threads keep
their network.

This needs CAP_SYS_ADMIN (root, as in production containers and CI). Without it the code runs
as before and :func:`cut_network` says why, so the operator is told that the text check is the
only defence left (the server logs it once).
"""

from __future__ import annotations

import ctypes
import logging
import os
import queue
import threading
from collections.abc import Callable
from typing import TypeVar

CLONE_NEWNET = 0x40000000
T = TypeVar("T")
log = logging.getLogger("corridor.query")


def cut_network() -> str | None:
    """Move the calling thread into an empty network namespace; the reason if not permitted."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(CLONE_NEWNET) == 0:
            return None
        return os.strerror(ctypes.get_errno())
    except (OSError, AttributeError) as e:  # not Linux, no libc
        return str(e)


_probe: list[str | None] = []
_probe_lock = threading.Lock()


def isolation_unavailable() -> str | None:
    """Why threads cannot be cut off from the network here (None: they can), probed once in a
    throw-away thread and logged as a warning once."""
    with _probe_lock:
        if not _probe:
            result: list[str | None] = []
            thread = threading.Thread(target=lambda: result.append(cut_network()))
            thread.start()
            thread.join()
            _probe.append(result[0] if result else "the probe thread failed")
            if _probe[0] is not None:
                log.warning("query workers keep network access (%s): the SERVICE/LOAD text "
                            "check is the only defence against outbound requests", _probe[0])
        return _probe[0]


class OfflineThread:
    """One long-lived thread without network that runs submitted calls one at a time."""

    def __init__(self, name: str = "corridor-offline") -> None:
        self._jobs: queue.Queue[tuple[Callable[[], object], queue.Queue]] = queue.Queue()
        ready: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, args=(ready,), name=name, daemon=True)
        self._thread.start()
        self.unavailable = ready.get()
        """Why this thread still has network (None: it has none)."""

    def _run(self, ready: queue.Queue[str | None]) -> None:
        ready.put(cut_network())
        while True:
            call, answer = self._jobs.get()
            try:
                answer.put((True, call()))
            except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
                answer.put((False, e))

    def run(self, call: Callable[[], T]) -> T:
        """Run ``call`` on this thread and return its result (or raise its exception)."""
        answer: queue.Queue[tuple[bool, object]] = queue.Queue(maxsize=1)
        self._jobs.put((call, answer))
        ok, value = answer.get()
        if not ok:
            raise value  # type: ignore[misc]
        return value  # type: ignore[return-value]


_offline: OfflineThread | None = None
_offline_lock = threading.Lock()


def offline() -> OfflineThread:
    """The process's offline thread (started on first use)."""
    global _offline
    with _offline_lock:
        if _offline is None:
            _offline = OfflineThread()
            if _offline.unavailable is not None:
                log.warning("SPARQL Updates keep network access (%s): the LOAD/SERVICE text "
                            "check is the only defence against outbound requests",
                            _offline.unavailable)
        return _offline
