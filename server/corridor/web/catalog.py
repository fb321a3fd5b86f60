"""Blueprint: dataset descriptions for harvesters — VoID, the DCAT-AP catalogue, dumps, changes.

``/.well-known/void`` (VoID), ``/catalog`` (DCAT-AP 3), ``/dumps/<name>`` (gzipped dumps) and
``/changes`` (Activity Streams change feed). RDF documents negotiate Turtle, JSON-LD, RDF/XML
and N-Triples (``?format=`` too) with ``Vary: Accept``.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from corridor.derived import dumps
from corridor.derived.dcat import catalog_triples
from corridor.derived.void import void_triples
from corridor.web import feed
from corridor.web.context import get_store
from corridor.web.rdf_http import RDF_OFFERS, chosen_format, not_acceptable, rdf_response

bp = Blueprint("catalog", __name__)
dumps.register(bp)
feed.register(bp)


def _rdf(triples_for) -> Response:
    media_type = chosen_format(RDF_OFFERS)
    if media_type is None:
        return not_acceptable(RDF_OFFERS)
    root = request.host_url.rstrip("/")
    return rdf_response(triples_for(root), media_type)


@bp.get("/.well-known/void")
@bp.get("/dataset")
def void() -> Response:
    store = get_store()
    paths: dict[str | None, list[str]] = {None: ["/dumps/all.nq.gz", "/dumps/all.trig.gz"]}
    for graph in store.named_graphs():
        paths[graph] = [f"/dumps/{dumps.graph_dump_name(store, graph)}.ttl.gz"]
    return _rdf(lambda root: void_triples(store, root, paths))


@bp.get("/catalog")
def catalog() -> Response:
    store = get_store()
    listed = dumps.catalogue_dumps(store)
    response = _rdf(lambda root: catalog_triples(store, root, listed))
    if any(d.size is None for d in listed):  # dumps still being written: not for a cache
        response.headers["Cache-Control"] = "no-store"
    return response
