"""Change feed: an Activity Streams 2.0 ``OrderedCollection`` of the store's change log.

``GET /changes`` is the collection (``totalItems``, ``first``, ``last``); ``GET /changes?after=N``
is the page of changes with sequence number > N, oldest first, with ``next`` while more remain.
Each item says what changed (``object``: a resource, or a graph when the whole graph changed),
where (``target``: the named graph, with ``url`` = that graph's current dump, or the whole
dataset for a SPARQL Update), when (``published``) and how (``Update``/``Delete`` +
``summary`` = the store activity: load, replace, drop, update …). A harvester remembers the
``seq`` of the last item it applied and asks for ``?after=seq`` next time: it refetches only the
graphs that changed. Changes to withheld (personal) graphs are left out.

The same log is offered as a Linked Data Event Stream (LDES, the EU's harvesting choice):
``GET /changes/ldes`` is the ``ldes:EventStream`` with its first ``tree:Node``; ``?after=N`` a page
of members (one per change, ``dct:isVersionOf`` what changed, ``prov:generatedAtTime`` when),
linked onwards with a ``tree:GreaterThanRelation`` on the change sequence; ``/changes/N`` is one
member. Any RDF format; built from the same items as the JSON feed.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, abort, jsonify, request

from corridor.derived.dumps import graph_dump_name
from corridor.derived.void import dataset_iri
from corridor.rdf.namespaces import COR, DCT, PROV, RDF, XSD
from corridor.store import Change, OxigraphStore
from corridor.web.context import get_store
from corridor.web.rdf_http import RDF_OFFERS, chosen_format, not_acceptable, rdf_response

PAGE_SIZE = 500
AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
AS, LDES, TREE = (AS_CONTEXT + "#", "https://w3id.org/ldes#", "https://w3id.org/tree#")
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


def _page(store: OxigraphStore, after: int, root: str,
          size: int | None = None) -> tuple[list[dict], int, int]:
    """The visible items after ``after`` (a page, or ``size`` changes), the sequence number the
    page ends at, the last one."""
    batch = store.changes_since(after, size or PAGE_SIZE)
    visible = [c for c in batch if c.graph is None or not store.config.is_withheld(c.graph)]
    return (_with_metadata_items(store, visible, root), batch[-1].seq if batch else after,
            _last_seq(store))


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _member(root: str, entry: dict) -> list[ox.Triple]:
    """One change as an LDES member: a version of what changed, with the activity's facts."""
    m = _n(f"{root}/changes/{entry['seq']}")
    triples = [
        ox.Triple(m, _n(RDF + "type"), _n(AS + entry["type"])),
        ox.Triple(m, _n(DCT + "isVersionOf"), _n(entry["object"])),
        ox.Triple(m, _n(PROV + "generatedAtTime"),
                  ox.Literal(entry["published"], datatype=_n(XSD + "dateTime"))),
        ox.Triple(m, _n(COR + "changeSequence"),
                  ox.Literal(str(entry["seq"]), datatype=_n(XSD + "integer"))),
        ox.Triple(m, _n(COR + "storeVersion"),
                  ox.Literal(str(entry["storeVersion"]), datatype=_n(XSD + "integer"))),
        ox.Triple(m, _n(AS + "summary"), ox.Literal(entry["summary"])),
    ]
    for key, predicate in (("target", AS + "target"), ("alsoUpdated", COR + "alsoUpdated")):
        targets = entry.get(key) or []
        for target in targets if isinstance(targets, list) else [targets]:
            triples += [ox.Triple(m, _n(predicate), _n(target["id"])),
                        ox.Triple(_n(target["id"]), _n(AS + "url"), _n(target["url"]))]
    return triples


def _ldes_page(store: OxigraphStore, after: int, root: str) -> list[ox.Triple]:
    stream, node = _n(f"{root}/changes/ldes"), _n(f"{root}/changes/ldes?after={after}")
    entries, end, last = _page(store, after, root)
    triples = [
        ox.Triple(stream, _n(RDF + "type"), _n(LDES + "EventStream")),
        ox.Triple(stream, _n(LDES + "timestampPath"), _n(PROV + "generatedAtTime")),
        ox.Triple(stream, _n(LDES + "versionOfPath"), _n(DCT + "isVersionOf")),
        ox.Triple(stream, _n(TREE + "view"), node),
        ox.Triple(node, _n(RDF + "type"), _n(TREE + "Node")),
    ]
    if end < last:  # every member of the next page has a greater sequence number than ``end``
        relation = ox.BlankNode()
        triples += [
            ox.Triple(node, _n(TREE + "relation"), relation),
            ox.Triple(relation, _n(RDF + "type"), _n(TREE + "GreaterThanRelation")),
            ox.Triple(relation, _n(TREE + "path"), _n(COR + "changeSequence")),
            ox.Triple(relation, _n(TREE + "value"),
                      ox.Literal(str(end), datatype=_n(XSD + "integer"))),
            ox.Triple(relation, _n(TREE + "node"), _n(f"{root}/changes/ldes?after={end}")),
        ]
    for entry in entries:
        triples.append(ox.Triple(stream, _n(TREE + "member"), _n(f"{root}/changes/{entry['seq']}")))
        triples += _member(root, entry)
    return triples


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
            items, end, last = _page(store, after, root)
            body = {
                "@context": context, "id": f"{collection}?after={after}",
                "type": "OrderedCollectionPage", "partOf": collection,
                "startIndex": after,
                "orderedItems": items,
            }
            if end < last:
                body["next"] = f"{collection}?after={end}"
            if after > 0:
                body["prev"] = f"{collection}?after={max(0, after - PAGE_SIZE)}"
            body["current"] = f"{collection}?after={end}"
        response = jsonify(body)
        response.headers["Content-Type"] = "application/activity+json"
        return response

    @bp.get("/changes/ldes")
    def changes_ldes() -> Response:
        media = chosen_format(RDF_OFFERS)
        if media is None:
            return not_acceptable(RDF_OFFERS)
        root = request.host_url.rstrip("/")
        return rdf_response(_ldes_page(get_store(), _after_arg() or 0, root), media)

    @bp.get("/changes/<int:seq>")
    def change(seq: int) -> Response:
        media = chosen_format(RDF_OFFERS)
        if media is None:
            return not_acceptable(RDF_OFFERS)
        store, root = get_store(), request.host_url.rstrip("/")
        # two changes: whether the next one is of the same version decides ``alsoUpdated``
        entries, _, _ = _page(store, seq - 1, root, size=2)
        entry = next((e for e in entries[:1] if e["seq"] == seq), None)
        if seq < 1 or entry is None:
            abort(404)
        return rdf_response(_member(root, entry), media)
