"""Blueprint: the SPARQL 1.1 Graph Store HTTP Protocol at ``/graph-store`` (indirect graph IRIs).

``?graph=IRI`` names a graph (a relative IRI is resolved against the base IRI); ``?default``
names the store's own default graph — the unnamed graph, which the curated data leaves empty.
Note the difference from SPARQL: there the default graph is the *union* of all public graphs
(including this unnamed one); here ``?default`` is that one graph only, so a PUT followed by a
GET returns exactly what was put. ``POST`` to ``/graph-store`` with neither parameter creates a
new graph ``{base}graph/gsp/<uuid>`` and answers 201 with its Location.

Status codes (§5): GET/HEAD 200 or 404; PUT 201 (created) or 204 (replaced); POST 201
(created) or 204 (merged); DELETE 204 or 404. Writes need the write token, are validated
with SHACL before they commit (422 with the report as Turtle otherwise) and record provenance
in the metadata graph. Withheld (personal) graphs answer 404 to reads.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from typing import IO, cast
from urllib.parse import urljoin

import pyoxigraph as ox
from flask import Blueprint, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from corridor.config import Config
from corridor.derived import dumps
from corridor.ingest import provenance
from corridor.ingest.rdfxml_guard import RdfXmlRefused, check_rdfxml
from corridor.rdf import formats as conneg
from corridor.rdf import xmlsafe
from corridor.store import StoreError, WriteRejected
from corridor.store.protected import ProtectedGraphError, refuse_protected
from corridor.validation import write_check
from corridor.web import auth, streaming
from corridor.web.context import get_config, get_store
from corridor.web.errors import error_response, method_not_allowed, write_failure
from corridor.web.sparql import no_content, rejected

bp = Blueprint("graph_store", __name__)

ALLOWED = ["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"]
GRAPH_TYPES = ["text/turtle", "application/ld+json", "application/n-triples",
               "application/rdf+xml"]
DEFAULT = None  # the target "default graph"


class GraphStoreError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@bp.route("/graph-store", methods=["GET", "PUT", "POST", "DELETE", "OPTIONS", "PATCH"])
def graph_store() -> Response:
    if request.method == "OPTIONS":
        return Response(status=204, headers={
            "Allow": ", ".join(ALLOWED),
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
            "Access-Control-Allow-Headers": "Accept",
            "Access-Control-Max-Age": "86400",
        })
    if request.method not in ALLOWED:
        return method_not_allowed(ALLOWED)
    try:
        if request.method in ("GET", "HEAD"):
            response = _get(_named(_target(required=True)))
            response.headers["Access-Control-Allow-Origin"] = "*"
            return response
        denied = auth.deny_write(get_config())
        if denied is not None:
            return denied
        target = _target(required=request.method != "POST")
        if isinstance(target, str):
            refuse_protected(get_config(), target)
        if request.method == "DELETE":
            return _delete(target)  # type: ignore[arg-type]
        return _write(target, replace=request.method == "PUT")
    except GraphStoreError as e:
        return error_response(e.status, str(e))
    except ProtectedGraphError as e:
        return error_response(403, f"the {request.method} was refused: {e}")
    except RequestEntityTooLarge:
        limit = get_config().max_request_bytes
        return error_response(413, f"the request body is larger than the limit of {limit} bytes")


def _named(target: str | None | bool) -> str | None:
    """A target that names a graph (``required=True`` never gives False)."""
    assert target is not False
    return target if isinstance(target, str) else None


def _target(required: bool) -> str | None | bool:
    """The graph IRI, DEFAULT (None) for ``?default``, or False when neither is given."""
    graphs = request.args.getlist("graph")
    has_default = "default" in request.args
    if graphs and has_default or len(graphs) > 1:
        raise GraphStoreError("name one graph: either ?graph=IRI or ?default")
    if has_default:
        return DEFAULT
    if not graphs:
        if required:
            raise GraphStoreError("the request must name a graph with ?graph=IRI or ?default")
        return False
    iri = urljoin(get_config().base_iri, graphs[0])
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise GraphStoreError(f"not a valid graph IRI: {graphs[0]!r}") from None
    return iri


def _exists(graph: str | None) -> bool:
    store = get_store()
    if graph is None:
        return True
    return store.graph_exists(graph)


# ------------------------------------------------------------------------------ reads
def _get(graph: str | None) -> Response:
    config, store = get_config(), get_store()
    if graph is not None and (config.is_withheld(graph) or not store.graph_exists(graph)):
        return error_response(404, f"no graph <{graph}> in this store")
    offered = GRAPH_TYPES + list(conneg.RDF_ALIASES)
    chosen = conneg.best_match(request.headers.get("Accept"), offered)
    chosen = conneg.canonical_rdf_type(chosen) if chosen else None
    if chosen not in GRAPH_TYPES:
        return error_response(406, f"this endpoint offers {', '.join(GRAPH_TYPES)}")
    source = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
    reader, format = store.reader(), conneg.RDF_FORMATS[chosen]
    if graph == config.meta_graph:  # small; what it says about withheld graphs stays private
        public = [ox.Triple(q.subject, q.predicate, q.object)
                  for q in dumps.public_quads(store, reader, graph)]
        body: bytes | Iterator[bytes] = ox.serialize(public, format=format) or b""
        if format == ox.RdfFormat.RDF_XML:
            body = xmlsafe.escape_carriage_returns(cast(bytes, body))
    else:
        def write(out: IO[bytes]) -> None:
            if format == ox.RdfFormat.RDF_XML:
                out = xmlsafe.CarriageReturnEscaper(out)  # type: ignore[assignment]
            reader.dump(out, format, from_graph=source)

        body = streaming.serialise(write)
    content_type = chosen + ("; charset=utf-8" if chosen != "application/ld+json" else "")
    response = Response(body, status=200, content_type=content_type)
    if not isinstance(body, bytes):  # a large graph streams: keep werkzeug from buffering it
        response.direct_passthrough = True
    response.headers["Vary"] = "Accept"
    return response


# ------------------------------------------------------------------------------ writes
def _parse_body() -> tuple[list[ox.Triple], bytes]:
    """The triples of the request body (one RDF document, or each part of multipart/form-data)."""
    config = get_config()
    documents: list[tuple[bytes, str | None, str]] = []
    if request.mimetype == "multipart/form-data":
        for part in request.files.values():
            declared = part.mimetype or ""
            name = part.filename or ""
            if not conneg.canonical_rdf_type(declared):
                declared = conneg.format_from_name(name.rpartition(".")[2]) or ""
            documents.append((part.read(), conneg.canonical_rdf_type(declared), name))
    else:
        documents.append((request.get_data(), conneg.canonical_rdf_type(request.mimetype),
                          request.mimetype))
    triples: list[ox.Triple] = []
    raw = b""
    for document, media, label in documents:
        data = document.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte order mark is no content
        if media is None:
            raise GraphStoreError(
                f"unsupported media type {label or '(none)'}: send one of "
                f"{', '.join(conneg.RDF_FORMATS)}", 415)
        if media == "application/rdf+xml":
            try:
                check_rdfxml(data)
            except RdfXmlRefused as e:
                raise GraphStoreError(f"the {media} body is refused: {e}") from None
        try:
            for quad in ox.parse(data, format=conneg.RDF_FORMATS[media], base_iri=config.base_iri):
                if not isinstance(quad.graph_name, ox.DefaultGraph):
                    _refuse_named(config, quad.graph_name, media)
                triples.append(ox.Triple(quad.subject, quad.predicate, quad.object))
        except SyntaxError as e:
            raise GraphStoreError(f"the {media} body does not parse: {e}") from None
        try:
            xmlsafe.check_terms(triples)
        except xmlsafe.UnsafeLiteral as e:
            raise GraphStoreError(f"the {media} body is refused: {e}") from None
        raw += data
    return triples, raw


def _refuse_named(config: Config, graph: ox.NamedNode | ox.BlankNode, media: str) -> None:
    """A Graph Store body is the content of one graph (GSP §5): a statement the body puts in a
    named graph of its own is refused — never moved into the target graph silently."""
    refuse_protected(config, graph.value)  # 403 for the store-written graphs
    raise GraphStoreError(
        f"the {media} body puts statements in the graph {graph}: a Graph Store request writes "
        "the one graph its URL names, so send only default-graph content (or load the dataset "
        "with `corridor load`)")


def _write(target: str | None | bool, replace: bool) -> Response:
    config, store = get_config(), get_store()
    created_new = target is False
    graph = config.graph_iri(f"gsp/{uuid.uuid4()}") if target is False else _named(target)
    triples, raw = _parse_body()
    method = "PUT" if replace else "POST"
    activity = f"Graph Store {method} by {auth.write_agent()}"
    started = provenance.now()
    try:
        with store.transaction(activity, check=write_check(store)) as txn:
            # read under the write lock: of two concurrent PUTs creating a graph, one creates it
            existed = graph is None or txn.primary.contains_named_graph(ox.NamedNode(graph))
            if graph is None:
                _write_default(txn, triples, replace)
            else:
                quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
                if replace:
                    txn.replace_graph(graph, quads)
                else:
                    txn.add_to_graph(graph, quads)
                size = sum(1 for _ in txn.primary.quads_for_pattern(None, None, None,
                                                                    ox.NamedNode(graph)))
                txn.set_graph_metadata(provenance.load_quads(
                    config, graph, f"HTTP {method} /graph-store", hashlib.sha256(raw).hexdigest(),
                    triples_in_file=len(triples), triples_in_graph=size, started=started,
                    shapes_version=None, agent=auth.write_agent(), prior_sources=[],
                ), graph, replace_all=replace)
    except WriteRejected as e:
        return rejected(e)
    except (StoreError, OSError) as e:
        return write_failure(e, "the write")
    if created_new:  # Location: the new graph's IRI (GSP §5.5), to GET as ?graph=<Location>
        return created(graph or "")
    return no_content() if existed else created()


def created(location: str | None = None) -> Response:
    """201 with no body, hence no Content-Type (not Flask's default text/html)."""
    response = no_content()
    response.status_code = 201
    if location is not None:
        response.headers["Location"] = location
    return response


def _write_default(txn: object, triples: list[ox.Triple], replace: bool) -> None:
    """Writes to the unnamed graph go through SPARQL Update (the Transaction API names graphs)."""
    data = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
    text = ("DROP SILENT DEFAULT ;\n" if replace else "") + f"INSERT DATA {{\n{data}\n}}"
    txn.update(text)  # type: ignore[attr-defined]


def _delete(graph: str | None) -> Response:
    store = get_store()
    if graph is not None and not store.graph_exists(graph):
        return error_response(404, f"no graph <{graph}> in this store")
    activity = f"Graph Store DELETE by {auth.write_agent()}"
    try:
        with store.transaction(activity, check=write_check(store)) as txn:
            if graph is None:
                txn.update("DROP SILENT DEFAULT")
            else:
                txn.drop_graph(graph)
    except WriteRejected as e:
        return rejected(e)
    except (StoreError, OSError) as e:
        return write_failure(e, "the delete")
    return no_content()
