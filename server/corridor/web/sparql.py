"""Blueprint: the SPARQL 1.1 Protocol endpoint ``/sparql`` (query, update, service description).

Queries from users run through :meth:`OxigraphStore.execute` (killable worker processes, row
limit, streamed bytes serialised by pyoxigraph); updates run in a validated write transaction.
The dataset a query sees is the union of the public named graphs unless the request names one
(``default-graph-uri`` / ``named-graph-uri``, or the query's ``FROM`` clauses); withheld
(personal) graphs are silently left out of any dataset, so they are indistinguishable from
graphs that do not exist.
"""

from __future__ import annotations

import functools

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from corridor.query import executor, isolation, queries_for
from corridor.query import text as sparql_text
from corridor.rdf import formats as conneg
from corridor.rdf import xmlsafe
from corridor.store import StoreError, UpdateLimits, UpdateStopped, WriteRejected
from corridor.store.protected import ProtectedGraphError, unchanged_protected_graphs
from corridor.validation import write_check
from corridor.web import auth
from corridor.web import service_description as sd
from corridor.web.context import get_config, get_store
from corridor.web.errors import error_response, method_not_allowed, write_failure

bp = Blueprint("sparql", __name__)

ALLOWED = ["GET", "HEAD", "POST", "OPTIONS"]
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
FORM_TYPE = "application/x-www-form-urlencoded"

# Result serialisations of SELECT/ASK, in the server's order of preference, with aliases.
RESULT_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]
RESULT_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
}
RESULT_NAMES = {
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_NAMES = {"json": "application/ld+json", "xml": "application/rdf+xml"}
TEXT_TYPES = ("text/csv", "text/tab-separated-values", "text/turtle", "application/n-triples",
              "application/trig", "application/n-quads")
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type",
    "Access-Control-Max-Age": "86400",
}


class BadRequest(Exception):
    """A protocol error: becomes ``status`` with ``message`` as a plain-text body."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


EXPOSED_HEADERS = "Content-Type, Content-Length, X-Corridor-Truncated"


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS", "PUT", "DELETE", "PATCH"])
def sparql_endpoint() -> Response:
    """One URL for query and update, as the SPARQL 1.1 Protocol describes."""
    if request.method == "OPTIONS":
        return Response(status=204, headers={**CORS_HEADERS, "Allow": ", ".join(ALLOWED)})
    if request.method not in ("GET", "HEAD", "POST"):
        return method_not_allowed(ALLOWED)
    try:
        operation, text, params = _read_operation()
        if operation == "update":
            return _update(text, params)
        if text is None:
            return _description()
        return _query(text, params)
    except BadRequest as e:
        return error_response(e.status, str(e))
    except RequestEntityTooLarge:
        return _too_large()


@bp.after_request
def _add_cors(response: Response) -> Response:
    headers = response.headers
    if "Access-Control-Allow-Origin" not in headers:
        headers["Access-Control-Allow-Origin"] = "*"
    if "Access-Control-Expose-Headers" not in headers:
        headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return response


@bp.errorhandler(413)
def _too_large(_error: object = None) -> Response:
    limit = get_config().max_request_bytes
    return error_response(413, f"the request body is larger than the limit of {limit} bytes")


# ------------------------------------------------------------------------------ request parsing
def _decode(data: bytes) -> str:
    charset = (request.mimetype_params.get("charset") or "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise BadRequest(f"the request body must be UTF-8 encoded, not {charset}", 415)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the request body is not valid UTF-8") from None


def _read_operation() -> tuple[str, str | None, dict[str, list[str]]]:
    """("query" | "update", the text or None, the protocol parameters)."""
    params = {k: request.args.getlist(k) for k in request.args}
    if request.method in ("GET", "HEAD"):
        if "update" in params:
            raise BadRequest("an update must be sent with POST, not GET")
        return "query", _single(params, "query"), params
    mimetype = request.mimetype
    if mimetype == FORM_TYPE:
        body = _decode(request.get_data(cache=True))
        from urllib.parse import parse_qs

        form = parse_qs(body, keep_blank_values=True)
        for name, values in form.items():
            params.setdefault(name, []).extend(values)
        if "query" in params and "update" in params:
            raise BadRequest("a request carries either a query or an update, not both")
        if "update" in params:
            return "update", _single(params, "update"), params
        query = _single(params, "query")
        if query is None:
            raise BadRequest("the form has neither a 'query' nor an 'update' field")
        return "query", query, params
    if mimetype == QUERY_TYPE:
        if "query" in params:
            raise BadRequest("a direct POST carries the query in its body, not in ?query=")
        return "query", _decode(request.get_data(cache=True)), params
    if mimetype == UPDATE_TYPE:
        if "update" in params:
            raise BadRequest("a direct POST carries the update in its body, not in ?update=")
        return "update", _decode(request.get_data(cache=True)), params
    raise BadRequest(
        f"unsupported request media type {mimetype or '(none)'}: use {QUERY_TYPE}, "
        f"{UPDATE_TYPE} or {FORM_TYPE}",
        415,
    )


def _single(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise BadRequest(f"the request carries {len(values)} '{name}' parameters; send one")
    return values[0] if values else None


# ------------------------------------------------------------------------------ queries
def _negotiated_types(params: dict[str, list[str]]) -> tuple[str | None, str | None]:
    """(results media type, graph media type) the client accepts; ``format=`` overrides Accept."""
    names = params.get("format") or params.get("output") or []
    name = names[0] if names else None
    if name:
        key = name.strip().lower()
        results = RESULT_NAMES.get(key) or RESULT_ALIASES.get(key) or (
            key if key in RESULT_TYPES else None)
        graph = GRAPH_NAMES.get(key) or conneg.format_from_name(key)
        graph = conneg.canonical_rdf_type(graph) if graph else None
        if results or graph:
            return results, graph
    return _accepted_types(request.headers.get("Accept"))


@functools.lru_cache(maxsize=128)
def _accepted_types(accept: str | None) -> tuple[str | None, str | None]:
    """(results, graph) media types for an Accept header (cached: clients repeat theirs)."""
    results = conneg.best_match(accept, RESULT_TYPES + list(RESULT_ALIASES))
    graph = conneg.best_match(accept, list(conneg.RDF_FORMATS) + list(conneg.RDF_ALIASES))
    results = RESULT_ALIASES.get(results, results) if results else None
    graph = conneg.canonical_rdf_type(graph) if graph else None
    return results, graph


def _dataset(text: str, params: dict[str, list[str]]) -> executor.Dataset:
    """The dataset: protocol parameters, else the query's FROM clauses, else the public union."""
    config = get_config()
    hide = not config.publish_personal_data
    withheld = {
        "withheld_prefixes": (config.personal_graph_prefix,) if hide else (),
        "withheld": (config.graph_iri("personal"),) if hide else (),
    }
    default = params.get("default-graph-uri", [])
    named = params.get("named-graph-uri", [])
    if not default and not named:
        try:
            clauses = sparql_text.dataset_clauses(text, config.base_iri)
        except sparql_text.SparqlTextError as e:
            raise BadRequest(str(e)) from None
        if not clauses:
            return executor.Dataset(mode="public", withheld_prefixes=withheld["withheld_prefixes"],
                                    withheld=withheld["withheld"])
        default, named = list(clauses.default), list(clauses.named)
    probe = executor.Dataset(
        withheld_prefixes=withheld["withheld_prefixes"], withheld=withheld["withheld"]
    )
    for iri in default + named:
        _check_iri(iri)
    return executor.Dataset(
        mode="explicit",
        default=tuple(g for g in default if not probe.withholds(g)),
        named=tuple(g for g in named if not probe.withholds(g)),
        **withheld,
    )


def _check_iri(iri: str) -> None:
    import pyoxigraph as ox

    try:
        ox.NamedNode(iri)
    except ValueError:
        raise BadRequest(f"not a valid graph IRI: {iri!r}") from None


def _refuse_service(text: str) -> None:
    allowed = set(get_config().allowed_service_endpoints)
    for endpoint in sparql_text.service_endpoints(text, get_config().base_iri):
        if endpoint is None or endpoint not in allowed:
            raise BadRequest(
                "SERVICE (federated query) to "
                f"{'<' + endpoint + '>' if endpoint else 'a variable endpoint'} is not allowed "
                "on this server (the operator lists allowed endpoints with "
                "CORRIDOR_ALLOWED_SERVICE_ENDPOINTS)",
                403,
            )


def _row_limit(text: str, max_rows: int | None) -> int | None:
    """The row limit to enforce: none when the query's own LIMIT is within it."""
    bound = sparql_text.select_row_bound(text)
    return None if max_rows is not None and bound is not None and bound <= max_rows else max_rows


def _query(text: str, params: dict[str, list[str]]) -> Response:
    config, store = get_config(), get_store()
    results_type, graph_type = _negotiated_types(params)
    if results_type is None and graph_type is None:
        return _not_acceptable()
    _refuse_service(text)
    job = executor.QueryJob(
        sparql=text,
        results_type=results_type,
        graph_type=graph_type,
        dataset=_dataset(text, params),
        base_iri=config.base_iri,
        max_rows=_row_limit(text, config.max_result_rows),
    )
    try:
        outcome = queries_for(store).execute(job, config.query_timeout,
                                             client=request.remote_addr)
    except executor.QuerySyntaxError as e:
        return error_response(400, f"SPARQL syntax error: {e}")
    except executor.NotAcceptable as e:
        return _not_acceptable(e.form)
    except executor.QueryTimeout:
        return error_response(
            503, f"query timeout: the query ran longer than {config.query_timeout:g} s and was "
            "stopped; narrow it down or add a LIMIT", {"Retry-After": "1"})
    except executor.PoolBusy as e:
        return error_response(503, f"the server is busy with other queries ({e}); try again",
                              {"Retry-After": "1"})
    except executor.QueryFailed as e:
        return error_response(500, f"the query failed: {e}")
    content_type = outcome.media_type
    if content_type in TEXT_TYPES:
        content_type += "; charset=utf-8"
    if outcome.truncated is None:  # streamed from a worker: send chunks as they come
        response = Response(outcome.body, status=200, content_type=content_type)
        # keep werkzeug (e.g. make_conditional computing a Content-Length) from draining the
        # generator into memory before the first byte is sent
        response.direct_passthrough = True
    else:  # complete (≤ 1 MiB): one body with a Content-Length, no chunked encoding
        response = Response(b"".join(outcome.body), status=200, content_type=content_type)
    response.headers["Vary"] = "Accept"
    if outcome.truncated:
        response.headers["X-Corridor-Truncated"] = f"max-result-rows={config.max_result_rows}"
    return response


def _not_acceptable(form: str | None = None) -> Response:
    offered = (RESULT_TYPES if form in ("solutions", "boolean") else
               list(conneg.RDF_FORMATS) if form == "graph" else
               RESULT_TYPES + list(conneg.RDF_FORMATS))
    return error_response(406, "none of the acceptable media types can be produced; "
                          f"this endpoint offers {', '.join(offered)}")


# ------------------------------------------------------------------------------ service description
def _description() -> Response:
    """Service Description (RDF) or the query page (HTML) for a GET without a query."""
    offered = list(conneg.RDF_FORMATS) + ["text/html"]
    named = conneg.format_from_name(request.args.get("format"))
    accept = named if named in offered else request.headers.get("Accept")
    chosen = conneg.best_match(accept, offered)
    if chosen is None:
        return _not_acceptable("graph")
    if chosen == "text/html":
        response = _html_page()
    else:
        config, store = get_config(), get_store()
        triples = sd.service_description(
            request.base_url,
            request.url_root + ".well-known/void",
            store.named_graphs(),
            update=bool(config.write_token),
            federation=bool(config.allowed_service_endpoints),
        )
        response = Response(sd.serialize(triples, conneg.RDF_FORMATS[chosen]),
                            content_type=chosen)
    response.headers["Vary"] = "Accept"
    return response


def _html_page() -> Response:
    page = current_app.extensions.get("corridor.pages", {}).get("query")
    if page is not None:
        return page()
    html = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>SPARQL</title>"
            "</head><body><h1>SPARQL endpoint</h1><form method='get' action='/sparql'>"
            "<textarea name='query' rows='12' cols='80'>SELECT * WHERE { ?s ?p ?o } LIMIT 10"
            "</textarea><br><button>Run</button></form></body></html>")
    return Response(html, content_type="text/html; charset=utf-8")


# ------------------------------------------------------------------------------ updates
def _update(text: str | None, params: dict[str, list[str]]) -> Response:
    config, store = get_config(), get_store()
    denied = auth.deny_write(config)
    if denied is not None:
        return denied
    if not text:
        raise BadRequest("the update is empty")
    if sparql_text.uses_load(text):
        raise BadRequest("LOAD is not allowed: this server makes no outbound requests "
                         "(the update contains the keyword LOAD)", 403)
    _refuse_service(text)
    try:
        xmlsafe.check_update_text(text)
    except xmlsafe.UnsafeLiteral as e:
        raise BadRequest(f"the update is refused: {e}") from None
    using = params.get("using-graph-uri", [])
    using_named = params.get("using-named-graph-uri", [])
    for iri in using + using_named:
        _check_iri(iri)
    if using or using_named:
        try:
            text = sparql_text.add_using(text, using, using_named)
        except sparql_text.SparqlTextError as e:
            raise BadRequest(str(e)) from None
    activity = f"SPARQL Update by {auth.write_agent()}"
    try:
        check = unchanged_protected_graphs(config, store.reader, write_check(store))
        limits = UpdateLimits(
            timeout=config.update_timeout, memory_mb=config.query_memory_mb or None,
            # without federation, in a child without network: a LOAD or SERVICE the text
            # check missed fails
            before=None if config.allowed_service_endpoints else isolation.cut_network)
        with store.transaction(activity, check=check) as txn:
            prepare = getattr(txn, "prepare_update", None)  # a remote store: fetch first
            if prepare is not None:
                prepare()
            # relative IRIs resolve against the base IRI
            txn.update(text, base_iri=config.base_iri, limits=limits)
    except SyntaxError as e:
        return error_response(400, f"SPARQL Update syntax error: {e}")
    except ProtectedGraphError as e:
        return error_response(403, f"the update was refused: {e}")
    except UpdateStopped as e:
        response = error_response(e.status, str(e))
        if e.status == 503:
            response.headers["Retry-After"] = "1"
        return response
    except WriteRejected as e:
        return rejected(e)
    except ValueError as e:
        return error_response(400, f"the update failed: {e}")
    except (StoreError, OSError) as e:
        return write_failure(e, "the update")
    return no_content()


def no_content() -> Response:
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


def rejected(error: WriteRejected) -> Response:
    """422 with the SHACL validation report (Turtle) as the body."""
    report = error.report
    graph = getattr(report, "graph", None)
    if graph is None:
        return error_response(422, str(error))
    body = graph().serialize(format="turtle")
    response = Response(body, status=422, content_type="text/turtle; charset=utf-8")
    response.headers["X-Corridor-Error"] = str(error)
    return response
