"""Change feed: an Activity Streams 2.0 ``OrderedCollection`` of the store's change log.

``GET /changes`` is the collection (``totalItems``, ``first``, ``last``); ``GET /changes?after=N``
is the page of changes with sequence number > N, oldest first, with ``next`` while more remain.
Each item says what changed (``object``: a resource, or a graph when the whole graph changed),
where (``target``: the named graph, with ``url`` = that graph's current dump, or the whole
dataset for a SPARQL Update), when (``published``) and how (``Update``/``Delete`` +
``summary`` = the store activity: load, replace, drop, update …). A harvester remembers the
``seq`` of the last item it applied and asks for ``?after=seq`` next time: it refetches only the
graphs that changed. Changes to withheld (personal) graphs are left out.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from corridor.derived.dumps import graph_dump_name
from corridor.derived.void import dataset_iri
from corridor.store import Change, OxigraphStore
from corridor.web.context import get_store

PAGE_SIZE = 500
AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
DELETING = {"drop", "delete", "clear"}


def _last_seq(store: OxigraphStore) -> int:
    return store.last_change_seq()


def item(store: OxigraphStore, change: Change, root: str) -> dict:
    """One change as an Activity Streams activity."""
    if change.graph is None:
        target = {"type": "Collection", "id": dataset_iri(store), "url": f"{root}/dumps/all.nq.gz"}
    else:
        target = {"type": "Collection", "id": change.graph,
                  "url": f"{root}/dumps/{graph_dump_name(store, change.graph)}.ttl.gz"}
    kind = "Delete" if _deletes(store, change) else "Update"
    return {
        "type": kind,
        "seq": change.seq,
        "summary": change.activity,
        "published": change.time.isoformat(),
        "object": change.resource or change.graph or dataset_iri(store),
        "target": target,
        "storeVersion": change.version,
    }


def _deletes(store: OxigraphStore, change: Change) -> bool:
    """Whether a harvester should drop its copy of the change's graph (or resource): a change
    by a deleting activity (``drop``, a Graph Store ``DELETE``, ``CLEAR``) or to a graph that
    no longer exists. A graph dropped and made again later gets a later ``Update`` item."""
    if change.graph is None:
        return False
    words = change.activity.lower().replace(":", " ").split(" by ")[0].split()
    return bool(DELETING & set(words)) or not store.graph_exists(change.graph)


def _with_metadata_items(store: OxigraphStore, changes: list[Change], root: str) -> list[dict]:
    """The items of ``changes``; the last item of each store version that changed named graphs
    also names the metadata graph in ``alsoUpdated``: such writes record provenance there, and
    a harvester that refetched only the written graph would keep a stale metadata graph. (A
    dataset-wide item already says: refetch everything.)"""
    meta = store.config.meta_graph
    touched: dict[int, set[str | None]] = {}
    for change in changes:
        touched.setdefault(change.version, set()).add(change.graph)
    items: list[dict] = []
    for i, change in enumerate(changes):
        entry = item(store, change, root)
        last_of_version = i + 1 == len(changes) or changes[i + 1].version != change.version
        graphs = touched[change.version]
        if last_of_version and None not in graphs and graphs != {meta}:
            entry["alsoUpdated"] = [{
                "type": "Collection", "id": meta,
                "url": f"{root}/dumps/{graph_dump_name(store, meta)}.ttl.gz"}]
        items.append(entry)
    return items


def _after_arg() -> int | None:
    value = request.args.get("after")
    if value is None:
        return None
    try:
        return max(0, int(value))
    except ValueError:
        return 0


def register(bp: Blueprint) -> None:
    """Add ``GET /changes`` to ``bp``."""

    @bp.get("/changes")
    def changes() -> Response:
        store = get_store()
        root = request.host_url.rstrip("/")
        collection = f"{root}/changes"
        after = _after_arg()
        last = _last_seq(store)
        context = [AS_CONTEXT, {"seq": "https://w3id.org/corridor/ontology#changeSequence",
                                "storeVersion": "https://w3id.org/corridor/ontology#storeVersion",
                                "alsoUpdated": "https://w3id.org/corridor/ontology#alsoUpdated"}]
        if after is None:
            body = {
                "@context": context, "id": collection, "type": "OrderedCollection",
                "summary": "Changes of the Corridor knowledge graph, oldest first.",
                "totalItems": last,
                "first": f"{collection}?after=0",
                "last": f"{collection}?after={max(0, last - PAGE_SIZE)}",
                "current": f"{collection}?after={last}",
            }
        else:
            batch = store.changes_since(after, PAGE_SIZE)
            visible = [c for c in batch if c.graph is None or not store.config.is_withheld(c.graph)]
            body = {
                "@context": context, "id": f"{collection}?after={after}",
                "type": "OrderedCollectionPage", "partOf": collection,
                "startIndex": after,
                "orderedItems": _with_metadata_items(store, visible, root),
            }
            end = batch[-1].seq if batch else after
            if end < last:
                body["next"] = f"{collection}?after={end}"
            if after > 0:
                body["prev"] = f"{collection}?after={max(0, after - PAGE_SIZE)}"
            body["current"] = f"{collection}?after={end}"
        response = jsonify(body)
        response.headers["Content-Type"] = "application/activity+json"
        return response
