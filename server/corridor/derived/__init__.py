"""Views derived from the store, kept per store version and recomputed in the background:
figures (home, facets, map, network), VoID, DCAT coverage, the search index, dumps.

Each keeps its state with the store (``store.extensions``), so it lives as long as the store
object its owner (the app, the CLI) holds; :func:`warm` starts bringing all of them up to date.
"""

from __future__ import annotations

import logging
import threading

from corridor.store import OxigraphStore

log = logging.getLogger(__name__)


def warm(store: OxigraphStore) -> threading.Thread | None:
    """Start bringing the derived views of an on-disk store up to date; returns at once.

    The figures come first (their own thread); then, one after the other — whole-graph work at
    once would add up in memory — the search index, VoID and DCAT figures. Requests meanwhile
    use what is already there. In-memory stores (tests) compute on first use instead.
    """
    if store.derived_dir("figures") is None:
        return None
    from corridor.derived import brokerage, dcat, figures, search, void

    figures.warm(store)
    brokerage.warm(store)  # its own thread: suggestions should not wait for the search index

    def rest() -> None:
        try:
            search.index_for(store).ensure_current()
            void.ensure_current(store)
            dcat.ensure_current(store)
        except Exception:  # a store closed meanwhile (tests): the next request retries
            log.exception("warming the derived views failed")

    thread = threading.Thread(target=rest, name="corridor-warm", daemon=True)
    thread.start()
    return thread
