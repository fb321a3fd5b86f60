"""Second defence against outbound requests: code that runs user SPARQL has no network.

The SERVICE / LOAD check in :mod:`corridor.query.text` reads the query text; should it ever
disagree with Oxigraph's parser, the request must still reach nothing. So query workers (and
the child process that runs a SPARQL Update) move into a new, empty Linux network
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
import threading
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
