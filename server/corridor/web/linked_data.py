"""Blueprint: dereferenceable IRIs (``/id/...``, ``/graph/...``, ``/ontology``), JSON-LD context,
sitemap and robots.txt.

Policy (docs/linked-data.md): a request path maps to the IRI ``base IRI + path`` (never the
request host). ``/id/<path>`` answers **200 directly** with the negotiated representation and a
``Content-Location`` naming the format-specific URL (``/id/<path>.ttl`` …); suffix URLs and
``?format=`` select a format explicitly. Unknown IRIs get 404 in the requested format.
The HTML page of a resource is the UI's (``app.extensions["corridor.pages"]``) when the app
has one, else a plain table.
"""

from __future__ import annotations

import html
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from corridor.config import ONTOLOGY_NS
from corridor.derived.describe import Description, describe
from corridor.rdf import formats as conneg
from corridor.rdf.namespaces import RDFS
from corridor.store import ReadView
from corridor.web import caching
from corridor.web.context import get_config, get_store
from corridor.web.errors import error_response
from corridor.web.rdf_http import (
    HTML_AND_RDF,
    RDF_OFFERS,
    chosen_format,
    jsonld_context,
    not_acceptable,
    rdf_response,
)

bp = Blueprint("linked_data", __name__)

ONTOLOGY_IRI = ONTOLOGY_NS.rstrip("#")
SITEMAP_LIMIT = 50_000
_SUFFIXES = {"." + s: m for m, s in conneg.SUFFIXES.items() if m in HTML_AND_RDF}


@bp.before_request
def _refuse_impossible_iris() -> Response | None:
    """A path whose IRI cannot exist (a space, ``"``, ``{``, ``<``, a control character: code
    points RFC 3987 forbids) names no resource: 404 with a message, before any view builds
    an IRI from it (which would fail with a 500)."""
    rest = (request.view_args or {}).get("rest")
    if rest is None:
        return None
    area = "id/" if request.path.startswith("/id/") else "graph/"
    try:
        ox.NamedNode(get_config().base_iri + area + rest)
    except ValueError:
        return error_response(404, f"no resource here: this /{area} path contains characters "
                              "no IRI may contain (space, quote, braces, angle brackets, "
                              "backslash, caret, backtick, bar or control characters)")
    return None


def split_suffix(path: str) -> tuple[str, str | None]:
    """``project/boost.ttl`` → (``project/boost``, ``ttl``); no known suffix → (path, None)."""
    for suffix in _SUFFIXES:
        if path.endswith(suffix):
            return path[: -len(suffix)], suffix[1:]
    return path, None


# ------------------------------------------------------------------ resources
@bp.get("/id/<path:rest>")
def resource(rest: str) -> Response:
    config, store = get_config(), get_store()
    reader = store.reader()
    stem, suffix = split_suffix(rest)
    if suffix and _exists(reader, config.base_iri + "id/" + rest):
        stem, suffix = rest, None
    iri = config.base_iri + "id/" + stem
    media_type = chosen_format(HTML_AND_RDF, suffix)
    if media_type is None:
        return not_acceptable(HTML_AND_RDF)
    page = _page_arg()
    doc_path = "/id/" + quote(stem)
    description = describe(reader, config, iri, page, page_url=_absolute(quote(request.path)))
    negotiated = suffix is None and request.args.get("format") is None
    location = f"{doc_path}.{conneg.SUFFIXES[media_type]}" if negotiated else None
    if location and page > 1:
        location += f"?page={page}"
    if not description.found or page > description.pages:
        return _not_found(iri, media_type, negotiated)
    if media_type == "text/html":
        response = resource_page(iri, description)
        response.headers["Vary"] = "Accept, Accept-Language" if negotiated else "Accept-Language"
    else:
        response = rdf_response(description.triples, media_type, negotiated=negotiated)
    if location:
        response.headers["Content-Location"] = location
    if description.pages > 1:
        _link_pages(response, quote(request.path), description)
    return response


def resource_page(iri: str, description: Description) -> Response:
    """The HTML page: the UI's page when the browse module provides one, else a plain one."""
    renderer = current_app.extensions.get("corridor.pages", {}).get("resource")
    if renderer is not None:
        return renderer(iri, description)
    return _plain_html(iri, description)


def _plain_html(iri: str, description: Description) -> Response:
    rows = "".join(
        f"<tr><td>{html.escape(str(t.subject))}</td><td>{html.escape(str(t.predicate))}</td>"
        f"<td>{html.escape(str(t.object))}</td></tr>" for t in description.triples)
    body = (f"<!doctype html><html lang=en><meta charset=utf-8><title>{html.escape(iri)}</title>"
            f"<h1>{html.escape(iri)}</h1><table>{rows}</table></html>")
    return Response(body, content_type="text/html; charset=utf-8")


def _not_found(iri: str, media_type: str, negotiated: bool) -> Response:
    if media_type == "text/html":
        text = f"<!doctype html><html lang=en><meta charset=utf-8><title>Not found</title>" \
               f"<h1>Not found</h1><p>Nothing is known about {html.escape(iri)}.</p></html>"
        response = Response(text, status=404, content_type="text/html; charset=utf-8")
    else:
        response = rdf_response([], media_type, status=404)
    if negotiated:
        response.headers["Vary"] = "Accept"
    return response


def _exists(reader: ReadView, iri: str) -> bool:
    node = ox.NamedNode(iri)
    return any(True for _ in reader.quads_for_pattern(node, None, None, None)) or any(
        True for _ in reader.quads_for_pattern(None, None, node, None))


def _page_arg() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        abort(400, "page must be a positive integer")


def _absolute(path: str) -> str:
    return request.host_url.rstrip("/") + path


def _link_pages(response: Response, doc_path: str, d: Description) -> None:
    links = [f'<{doc_path}?page=1>; rel="first"', f'<{doc_path}?page={d.pages}>; rel="last"']
    if d.page > 1:
        links.append(f'<{doc_path}?page={d.page - 1}>; rel="prev"')
    if d.page < d.pages:
        links.append(f'<{doc_path}?page={d.page + 1}>; rel="next"')
    response.headers["Link"] = ", ".join([caching.DESCRIBED_BY, *links])


# ------------------------------------------------------------------ named graphs
@bp.get("/graph/<path:rest>")
def graph(rest: str) -> Response:
    """A named graph IRI dereferences to the graph's triples (public graphs only)."""
    config, store = get_config(), get_store()
    stem, suffix = split_suffix(rest)
    iri = config.graph_iri(stem)
    media_type = chosen_format(RDF_OFFERS, suffix)
    if media_type is None:
        return not_acceptable(RDF_OFFERS)
    negotiated = suffix is None and request.args.get("format") is None
    if config.is_withheld(iri) or not store.graph_exists(iri):
        return rdf_response([], media_type, status=404, negotiated=negotiated)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(iri)]
    location = f"/graph/{stem}.{conneg.SUFFIXES[media_type]}" if negotiated else None
    return rdf_response(triples, media_type, negotiated=negotiated, content_location=location)


# ------------------------------------------------------------------ ontology
@bp.get("/ontology")
@bp.get("/ontology.<suffix>")
def ontology(suffix: str | None = None) -> Response:
    """The ontology namespace document: HTML documentation or the RDF source."""
    if suffix is not None and "." + suffix not in _SUFFIXES:
        abort(404)
    media_type = chosen_format(HTML_AND_RDF, suffix)
    if media_type is None:
        return not_acceptable(HTML_AND_RDF)
    triples = ontology_triples()
    negotiated = suffix is None and request.args.get("format") is None
    if media_type == "text/html":
        response = Response(render_template("ld_ontology.html", **ontology_terms(triples)),
                            content_type="text/html; charset=utf-8")
        if negotiated:
            response.headers["Vary"] = "Accept"
    else:
        response = rdf_response(triples, media_type, negotiated=negotiated)
    if negotiated:
        response.headers["Content-Location"] = f"/ontology.{conneg.SUFFIXES[media_type]}"
    return response


def ontology_triples() -> list[ox.Triple]:
    """The ontology as loaded in the store (its graph), else as bundled on disk."""
    config, store = get_config(), get_store()
    graph = config.graph_iri("ontology")
    if store.graph_exists(graph):
        return [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(graph)]
    files = sorted(config.ontology_dir.glob("*.ttl"))[:1]
    return [ox.Triple(q.subject, q.predicate, q.object)
            for f in files for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)]


_KINDS = (
    ("Classes", "http://www.w3.org/2002/07/owl#Class"),
    ("Object properties", "http://www.w3.org/2002/07/owl#ObjectProperty"),
    ("Datatype properties", "http://www.w3.org/2002/07/owl#DatatypeProperty"),
    ("Annotation properties", "http://www.w3.org/2002/07/owl#AnnotationProperty"),
)
_ALIGNMENTS = {
    "http://www.w3.org/2000/01/rdf-schema#subClassOf": "subclass of",
    "http://www.w3.org/2000/01/rdf-schema#subPropertyOf": "subproperty of",
    "http://www.w3.org/2002/07/owl#equivalentClass": "equivalent class",
    "http://www.w3.org/2002/07/owl#equivalentProperty": "equivalent property",
    "http://www.w3.org/2004/02/skos/core#exactMatch": "exact match",
    "http://www.w3.org/2004/02/skos/core#closeMatch": "close match",
    "http://www.w3.org/2004/02/skos/core#broadMatch": "broad match",
    "http://www.w3.org/2004/02/skos/core#narrowMatch": "narrow match",
    "http://www.w3.org/2004/02/skos/core#relatedMatch": "related match",
    "http://www.w3.org/2002/07/owl#inverseOf": "inverse of",
    "http://www.w3.org/2000/01/rdf-schema#domain": "domain",
    "http://www.w3.org/2000/01/rdf-schema#range": "range",
    "http://www.w3.org/2000/01/rdf-schema#seeAlso": "see also",
}
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def ontology_terms(triples: list[ox.Triple]) -> dict:
    """Template context: ontology metadata and its terms grouped by kind, English first."""
    by_subject: dict[str, list[ox.Triple]] = {}
    for t in triples:
        if isinstance(t.subject, ox.NamedNode):
            by_subject.setdefault(t.subject.value, []).append(t)

    def text(subject: str, *props: str) -> str:
        values = [t.object for t in by_subject.get(subject, [])
                  if t.predicate.value in props and isinstance(t.object, ox.Literal)]
        values.sort(key=lambda lit: (lit.language not in (None, "en"), lit.language or ""))
        return values[0].value if values else ""

    groups = []
    for title, kind in _KINDS:
        terms = []
        for subject, ts in sorted(by_subject.items()):
            if not subject.startswith(ONTOLOGY_NS):
                continue
            if not any(t.predicate.value == _TYPE and t.object == ox.NamedNode(kind) for t in ts):
                continue
            terms.append({
                "name": subject[len(ONTOLOGY_NS):], "iri": subject,
                "label": text(subject, RDFS + "label",
                              "http://www.w3.org/2004/02/skos/core#prefLabel"),
                "comment": text(subject, RDFS + "comment",
                                "http://www.w3.org/2004/02/skos/core#definition"),
                "alignments": [(_ALIGNMENTS[t.predicate.value], str(t.object.value))
                               for t in ts if t.predicate.value in _ALIGNMENTS
                               and isinstance(t.object, ox.NamedNode)],
            })
        if terms:
            groups.append({"title": title, "terms": terms})
    dct = "http://purl.org/dc/terms/"
    return {
        "iri": ONTOLOGY_IRI, "namespace": ONTOLOGY_NS, "groups": groups,
        "title": text(ONTOLOGY_IRI, dct + "title", RDFS + "label") or "Corridor ontology",
        "description": text(ONTOLOGY_IRI, dct + "description", RDFS + "comment"),
        "version": text(ONTOLOGY_IRI, "http://www.w3.org/2002/07/owl#versionInfo"),
    }


# ------------------------------------------------------------------ context, sitemap, robots
@bp.get("/context.jsonld")
def context() -> Response:
    response = jsonify(jsonld_context())
    response.headers["Content-Type"] = "application/ld+json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """HTML pages: home, ontology, catalogue and every public resource under /id/ (indexed
    in files of 50,000 URLs when there are more)."""
    paths = _sitemap_paths()
    root = request.host_url.rstrip("/")
    pages = max(1, -(-len(paths) // SITEMAP_LIMIT))
    if pages > 1 and "page" not in request.args:
        items = "".join(f"<sitemap><loc>{html.escape(root)}/sitemap.xml?page={n}</loc></sitemap>"
                        for n in range(1, pages + 1))
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns='
                f'"http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>')
        return Response(body, content_type="application/xml")
    page = _page_arg() if pages > 1 else 1
    chunk = paths[(page - 1) * SITEMAP_LIMIT: page * SITEMAP_LIMIT]
    urls = "".join(f"<url><loc>{html.escape(root + quote(p))}</loc></url>" for p in chunk)
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns='
            f'"http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')
    return Response(body, content_type="application/xml")




def _sitemap_paths() -> list[str]:
    """Paths of the HTML pages, computed once per store version."""
    store = get_store()
    cached = store.extensions.get("corridor.sitemap")
    if isinstance(cached, tuple) and cached[0] == store.version:
        return list(cached[1])
    prefix = get_config().base_iri + "id/"
    rows = store.query(
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "
        f"{ox.Literal(prefix)})) }} ORDER BY ?s")
    paths = ["/", "/ontology", "/catalog"] + ["/id/" + r["s"].value[len(prefix):] for r in rows]
    store.extensions["corridor.sitemap"] = (store.version, tuple(paths))
    return paths


@bp.get("/robots.txt")
def robots() -> Response:
    root = request.host_url.rstrip("/")
    body = ("User-agent: *\nDisallow: /sparql\nDisallow: /query\nDisallow: /search\n"
            f"Allow: /\nSitemap: {root}/sitemap.xml\n")
    return Response(body, content_type="text/plain; charset=utf-8")
