"""Blueprint: dataset descriptions for harvesters — VoID, the DCAT-AP catalogue, dumps, changes.

``/.well-known/void`` (VoID), ``/catalog`` (DCAT-AP 3), ``/dumps/<name>`` (gzipped dumps) and
``/changes`` (Activity Streams change feed). RDF documents negotiate Turtle, JSON-LD, RDF/XML
and N-Triples (``?format=`` too) with ``Vary: Accept``.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, request, send_file

from corridor.derived import dumps
from corridor.derived.dcat import catalog_triples
from corridor.derived.figures import FiguresPending
from corridor.derived.void import void_triples
from corridor.web import feed
from corridor.web.context import get_store
from corridor.web.errors import error_response
from corridor.web.rdf_http import RDF_OFFERS, chosen_format, not_acceptable, rdf_response

bp = Blueprint("catalog", __name__)
feed.register(bp)
DUMP_RETRY_AFTER = 30  # seconds: a big store's dumps take minutes to write


@bp.get("/dumps/<path:name>")
def dump(name: str) -> Response:
    store = get_store()
    ready = dumps.ready_dumps(store)
    if ready is None:
        if not any(d.name == name for d in dumps.catalogue_dumps(store, wait=0)):
            abort(404)
        response = error_response(503, "the dumps of this version are still being written")
        response.headers["Retry-After"] = str(DUMP_RETRY_AFTER)
        return response
    for d in ready:
        if d.name == name:
            response = send_file(d.path, mimetype="application/gzip", etag=False,
                                 download_name=Path(name).name, conditional=True)
            response.headers["Cache-Control"] = "public, max-age=0, must-revalidate"
            return response
    abort(404)


def _rdf(triples_for) -> Response:
    media_type = chosen_format(RDF_OFFERS)
    if media_type is None:
        return not_acceptable(RDF_OFFERS)
    root = request.host_url.rstrip("/")
    try:
        triples = triples_for(root)
    except FiguresPending as pending:
        return error_response(
            503, f"the {pending} figures of this store are being computed for the first time; "
            "try again in a minute", {"Retry-After": "60"})
    return rdf_response(triples, media_type)


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
