"""Brokerage: partner suggestions and corridor analytics, derived per store version.

:func:`brokerage_for` gives a store's :class:`Brokerage` (kept in ``store.extensions``). After
each commit a background thread reads the collaboration network (``network``), computes the
corridor analytics (``analytics``), keeps them as JSON in ``<store>/brokerage/`` and publishes
the derived facts as the named graph ``{base}graph/derived/brokerage`` (marked derived, with
the method and the version it was derived from), so SPARQL answers them. That publication is
itself a commit; it is recognised and not recomputed. Requests never wait for whole-graph work
on a big store: they get the newest network there is.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from corridor.derived.brokerage.analytics import Analytics, compute, profile
from corridor.derived.brokerage.network import Network, read_network
from corridor.derived.brokerage.suggest import (
    Filters,
    prepare,
    suggest_for_idea,
    suggest_partners,
)
from corridor.derived.figures import (
    is_large,
    keep_out_of_gc,
    read_json,
    release_memory,
    run_in_child,
    write_json,
)
from corridor.rdf.namespaces import COR, DCT, PROV, RDF_TYPE, RDFS, XSD
from corridor.store import OxigraphStore

__all__ = ["Analytics", "Brokerage", "Filters", "Network", "brokerage_for", "profile",
           "suggest_for_idea", "suggest_partners"]
log = logging.getLogger(__name__)
GRAPH = "derived/brokerage"
FOLDER = "brokerage"
KEPT_FILE = "analytics.json.gz"  # the last analytics, kept in FOLDER across restarts
METHOD = (
    "Collaboration network read from cor:Participation (cor:organisation, cor:project). "
    "Betweenness on the bipartite organisation-project graph (igraph), approximated from 200 "
    "sampled sources (seed 16), normalised as networkx betweenness_centrality. Communities: "
    "Louvain (igraph community_multilevel) on the same graph (seed 16). Bridging: the smaller "
    "of the numbers of partners in an Innovation Leader country/region and in a Moderate or "
    "Emerging Innovator one (European Innovation Scoreboard, latest edition). Country pairs: "
    "projects with participants in both countries."
)


class Brokerage:
    """The brokerage state of one store: the newest network and analytics, and the thread
    that brings them up to the store's version."""

    def __init__(self, store: OxigraphStore) -> None:
        self.store = store
        self.network: Network | None = None
        self.analytics: Analytics | None = None
        self.recompute_seconds: float | None = None  # last network + analytics + publication
        self._lock = threading.Lock()  # one computation at a time
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()
        self._publishing = threading.local()
        self._publish_next = False  # a write came: the next computation publishes
        self._last_published: int | None = None  # the version our last publication created
        store.on_commit(self._committed)

    # ------------------------------------------------------------------ reading
    def current(self, wait: bool = False) -> tuple[Network | None, Analytics | None]:
        """The newest network and analytics; computes them first if ``wait`` (tests, CLI),
        else starts a refresh when stale and returns at once: a request never waits for
        whole-graph work (the network is None until the first computation ends)."""
        if wait:
            self._compute(publish=True)
        elif self.network is None or self.network.version != self.store.version:
            self.refresh()
            if self.analytics is None:
                self._load_kept()
        return self.network, self.analytics

    def refresh(self, publish: bool = False) -> threading.Thread:
        """Bring the figures up to the store's version in a background thread; ``publish``
        also writes the derived graph (after a write, not when a server merely starts: an
        unasked-for commit would change the version under clients that just read it)."""
        self._publish_next = self._publish_next or publish
        with self._thread_lock:
            if self._thread is not None and self._thread.is_alive():
                return self._thread

            def run() -> None:
                try:
                    while self._compute(publish=self._publish_next) != self.store.version:
                        pass
                except Exception:  # a closed store (tests): the next request retries
                    log.exception("computing the brokerage figures failed")

            self._thread = threading.Thread(target=run, name="corridor-brokerage", daemon=True)
            self._thread.start()
            return self._thread

    # ------------------------------------------------------------------ computing
    def _committed(self, version: int) -> None:
        if getattr(self._publishing, "active", False):
            # our own publication of the derived graph: the network did not change
            for kept in (self.network, self.analytics):
                if kept is not None and kept.version == version - 1:
                    kept.version = version
            return
        # recomputed in the background; published (a commit of its own) when asked for, so
        # that a write is not followed by an unasked-for version harvesters must chase
        self.refresh(publish=False)

    def _compute(self, publish: bool = False) -> int:
        with self._lock:
            version = self.store.version
            if self.network is not None and self.network.version == version \
                    and self.analytics is not None and self.analytics.version == version:
                if publish and self._published() != version:
                    self._publish(self.network, self.analytics)
                    self._publish_next = False
                    self._keep(self.analytics)  # now of the version the publication made
                return self.network.version
            started = time.perf_counter()
            net = read_network(self.store, version)
            prepare(net)
            # suggestions need only the network: served from now on, while the (slower)
            # whole-network analytics are computed; the pages that need those show the
            # previous ones meanwhile
            self.network = net
            keep_out_of_gc()
            release_memory()  # the previous network and the matrix's temporaries
            if self.analytics is None:
                self._load_kept()
            kept = self.analytics is not None and self.analytics.version == version
            # those of this version kept by the previous run: a restart does not redo them
            analytics = self.analytics if kept else self._analytics_of(net)
            assert analytics is not None
            self.analytics = analytics
            keep_out_of_gc()
            if publish and self._published() != version:  # not already this one's
                self._publish(net, analytics)
                self._publish_next = False
                kept = False  # their version moved with the publication
            self.recompute_seconds = round(time.perf_counter() - started, 3)
            if not kept:
                self._keep(analytics)
            return self.network.version

    def _analytics_of(self, net: Network) -> Analytics:
        """The whole-network analytics; on a big store in a child process: betweenness and
        Louvain are pure-Python loops that would hold the server's GIL for seconds after
        every write (profiled with py-spy at 1M triples: 90% of the server's samples while
        a steward wrote a project every 2 s, each PUT waiting 0.5–2 s behind them)."""
        folder = self.store.derived_dir(FOLDER)
        if folder is None or not is_large(self.store):
            return compute(net)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"analytics-{net.version}.json.child"
        try:
            run_in_child(self.store, f"{__name__}:analytics_json", net.version, target)
            analytics = Analytics.from_json(read_json(target))
            release_memory()
            return analytics
        finally:
            target.unlink(missing_ok=True)

    def _publish(self, net: Network, analytics: Analytics) -> None:
        """Write the derived facts as their own graph (a commit recognised as ours)."""
        graph = self.store.config.graph_iri(GRAPH)
        quads = list(derived_quads(self.store.config.base_iri, graph, net, analytics))
        self._publishing.active = True
        try:
            with self.store.transaction("derive brokerage figures") as writes:
                writes.replace_graph(graph, quads)
        finally:
            self._publishing.active = False
        self._last_published = self.store.version
        folder = self.store.derived_dir(FOLDER)
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "published.json").write_text(json.dumps(self.store.version))

    def _published(self) -> int | None:
        """The store version that our last publication created (kept across restarts)."""
        if self._last_published is not None:
            return self._last_published
        folder = self.store.derived_dir(FOLDER)
        try:
            return int(json.loads((Path(folder) / "published.json").read_text())) \
                if folder is not None else None
        except (OSError, ValueError):
            return None

    def _keep(self, analytics: Analytics) -> None:
        folder = self.store.derived_dir(FOLDER)
        if folder is None:
            return
        try:
            write_json(folder / KEPT_FILE, analytics.to_json())
            (folder / "analytics.json").unlink(missing_ok=True)  # kept by an older Corridor
        except OSError:
            log.exception("could not keep the brokerage figures in %s", folder)

    def _load_kept(self) -> None:
        folder = self.store.derived_dir(FOLDER)
        path = None if folder is None else Path(folder) / KEPT_FILE
        if path is not None and path.exists():
            try:
                self.analytics = Analytics.from_json(read_json(path))
                release_memory()
            except (OSError, ValueError, KeyError, TypeError):  # another Corridor's format
                log.exception("ignoring unreadable %s", path)


def analytics_json(view: Any, target: Path) -> dict[str, Any]:
    """The analytics of the checkpoint ``view`` as JSON (run by :func:`run_in_child`)."""
    return compute(read_network(view, view.version)).to_json()


def brokerage_for(store: OxigraphStore) -> Brokerage:
    """The store's brokerage state (created on first use, lives with the store)."""
    kept = store.extensions.get("corridor.brokerage")
    if kept is None:
        kept = store.extensions.setdefault("corridor.brokerage", Brokerage(store))
    assert isinstance(kept, Brokerage)
    return kept


def warm(store: OxigraphStore) -> None:
    """Start computing the brokerage figures of the current version (returns at once)."""
    brokerage_for(store).refresh()


# ---------------------------------------------------------------------- the derived graph
def derived_quads(base: str, graph: str, net: Network, analytics: Analytics) -> Iterator[ox.Quad]:
    """The derived facts: per organisation its approximate betweenness, bridging number and
    community; per community its size; per country pair and year the projects; the graph
    itself marked as derived (prov), with the method and the store version it came from."""
    g = ox.NamedNode(graph)

    def iri(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    def lit(value: Any, datatype: str) -> ox.Literal:
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + datatype))

    def q(s: ox.NamedNode, p: str, o: Any) -> ox.Quad:
        return ox.Quad(s, iri(p), o, g)

    activity = iri(f"{base}id/activity/derive-brokerage/{net.version}")
    yield q(g, RDF_TYPE, iri(f"{PROV}Entity"))
    yield q(g, RDF_TYPE, iri(f"{COR}DerivedGraph"))
    yield q(g, f"{RDFS}label", ox.Literal("Derived brokerage and corridor figures", language="en"))
    yield q(g, f"{PROV}wasGeneratedBy", activity)
    yield q(g, f"{COR}derivedFromVersion", lit(net.version, "integer"))
    yield q(activity, RDF_TYPE, iri(f"{PROV}Activity"))
    yield q(activity, f"{RDFS}label", ox.Literal(
        f"Brokerage figures of store version {net.version}", language="en"))
    yield q(activity, f"{DCT}description", ox.Literal(METHOD, language="en"))
    yield q(activity, f"{PROV}endedAtTime",
            lit(datetime.now(UTC).replace(microsecond=0).isoformat(), "dateTime"))
    for org, value in analytics.betweenness.items():
        yield q(iri(org), f"{COR}approximateBetweenness", lit(value, "double"))
    for org, value in analytics.bridging.items():
        yield q(iri(org), f"{COR}groupBridging", lit(value, "integer"))
    for n, size in enumerate(analytics.community_sizes):
        node = iri(f"{base}id/derived/community/{net.version}/{n}")
        yield q(node, RDF_TYPE, iri(f"{COR}CollaborationCommunity"))
        yield q(node, f"{RDFS}label", ox.Literal(f"Collaboration community {n}", language="en"))
        yield q(node, f"{COR}memberCount", lit(size, "integer"))
    for org, n in analytics.community.items():
        yield q(iri(org), f"{COR}inCommunity", iri(f"{base}id/derived/community/{net.version}/{n}"))
    for a, b, year, projects, participations in analytics.country_pairs.rows():
        code = f"{a.rsplit('/', 1)[-1]}-{b.rsplit('/', 1)[-1]}-{year}"
        node = iri(f"{base}id/derived/country-pair/{code}")
        yield q(node, RDF_TYPE, iri(f"{COR}CountryPairCollaboration"))
        yield q(node, f"{COR}pairCountry", iri(a))
        yield q(node, f"{COR}pairCountry", iri(b))
        if year not in ("all", "unknown"):
            yield q(node, f"{COR}year", lit(year, "gYear"))
        yield q(node, f"{COR}projectCount", lit(projects, "integer"))
        yield q(node, f"{COR}participationCount", lit(participations, "integer"))
