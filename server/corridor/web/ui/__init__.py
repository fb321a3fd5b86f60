"""Blueprint: the human web interface (home, resource pages, browse, search, SPARQL editor, views).

Pages are server-rendered and work without JavaScript; scripts only enhance them (map, network,
YASGUI). Data reaches scripts as JSON endpoints or ``<script type="application/json">`` blocks
written with ``tojson``; nothing from the graph is ever spliced into script code. Aggregates come
from :mod:`corridor.derived.figures` (once per store version), text search from
:mod:`corridor.derived.search`.
"""

from __future__ import annotations

import json
import logging
import math
import mimetypes
import re
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox
from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    make_response,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from corridor.derived import figures as figures
from corridor.derived.figures import FACET_TITLES, FACETS, network, stats_for
from corridor.derived.search import index_for
from corridor.rdf.namespaces import COR, SKOS, XSD
from corridor.resources import vendor_file
from corridor.web import labels as lbl
from corridor.web.context import get_config, get_store

bp = Blueprint("browse", __name__)
log = logging.getLogger(__name__)


VENDOR_FILES = {
    "yasgui.min.js": "@zazuko/yasgui/build/yasgui.min.js",
    "yasgui.min.css": "@zazuko/yasgui/build/yasgui.min.css",
    "cytoscape.min.js": "cytoscape/dist/cytoscape.min.js",
    "topojson-client.min.js": "topojson-client/dist/topojson-client.min.js",
    "countries-110m.json": "world-atlas/countries-110m.json",
    "countries-50m.json": "world-atlas/countries-50m.json",
}
PAGE_SIZE = 50
STATIC = Path(__file__).resolve().parent.parent / "static"
ISO_NUMERIC = json.loads((STATIC / "iso-numeric.json").read_text())
MACHINE_FORMATS = (
    ("Turtle", "ttl"),
    ("JSON-LD", "jsonld"),
    ("N-Triples", "nt"),
    ("RDF/XML", "rdf"),
)
GROUPS = (
    (
        "Names and descriptions",
        set(lbl.LABEL_PROPERTIES)
        | {
            f"{lbl.DCT}alternative",
            f"{lbl.DCT}description",
            f"{lbl.DCT}abstract",
            f"{lbl.RDFS}comment",
            f"{lbl.SKOS}definition",
            f"{COR}acronym",
            f"{lbl.SKOS}notation",
        },
    ),
    (
        "Provenance and notes",
        {
            f"{lbl.DCT}source",
            "http://www.w3.org/ns/prov#wasDerivedFrom",
            f"{lbl.SKOS}editorialNote",
            f"{lbl.SKOS}note",
            f"{lbl.SKOS}scopeNote",
            f"{lbl.RDFS}seeAlso",
        },
    ),
)
INCOMING_LIMIT = 300


# ------------------------------------------------------------------ public functions
def query_page() -> Response:
    """The SPARQL editor (YASGUI against /sparql) with the example queries of queries/."""
    examples = example_queries()
    return _page("query.html", title="SPARQL query", examples=examples, endpoint=_sparql_endpoint())


def resource_html(iri: str, description: Any = None) -> Response:
    """The HTML page of one resource; ``description`` is its triples (rdflib Graph, quads) or
    None to read them from the store. 404 when nothing is known about ``iri``."""
    outgoing, incoming = _triples_of(iri, description)
    if not outgoing and not incoming:
        return _page("not_found.html", status=404, title="Not found", iri=iri)
    langs = lbl.preferred_languages()
    more_incoming = getattr(description, "pages", 1) > 1
    limit = INCOMING_LIMIT
    if hasattr(description, "incoming_total"):
        limit = max(limit, len(incoming))  # already one bounded page of describe()
    context = _resource_context(iri, outgoing, incoming, langs, more_incoming, limit)
    context["incoming_pages"] = _incoming_pages(iri, description)
    response = _page("resource.html", title=context["label"], **context)
    response.headers["Vary"] = "Accept, Accept-Language"
    response.headers["Content-Language"] = context["label_lang"] or "en"
    return response


# ------------------------------------------------------------------ routes
@bp.get("/")
def home() -> Response:
    stats = stats_for(get_store())
    store = get_store()
    langs = lbl.preferred_languages()
    programme_counts = _facet_top(stats, "programme", 12)
    country_counts = _facet_top(stats, "country", 40)
    theme_counts = _facet_top(stats, "theme", 20)
    labels = lbl.fetch_labels(
        [i for i, _ in programme_counts + country_counts + theme_counts], langs
    )
    entry = lambda items, facet: [  # noqa: E731
        {
            "label": lbl.label_or_name(i, labels),
            "count": n,
            "url": url_for("browse.projects", **{facet: i}),
        }
        for i, n in items
    ]
    return _page(
        "home.html",
        title="Corridor",
        counts=stats.counts,
        figures_at=_figures_time(stats),
        figures_version=stats.version,
        modified=store.modified,
        version=store.version,
        programmes=entry(programme_counts, "programme"),
        countries=sorted(entry(country_counts, "country"), key=lambda e: e["label"]),
        themes=entry(theme_counts, "theme"),
    )


def _incoming_pages(iri: str, description: Any) -> dict[str, Any] | None:
    """Where the previous and next pages of a long list of incoming links are."""
    pages = getattr(description, "pages", 1)
    if pages <= 1:
        return None
    page = description.page
    return {
        "page": page,
        "pages": pages,
        "total": description.incoming_total,
        "prev": lbl.resource_url(iri, page=str(page - 1)) if page > 1 else None,
        "next": lbl.resource_url(iri, page=str(page + 1)) if page < pages else None,
    }


def _figures_time(stats) -> datetime | None:
    if stats.computed_at is None:
        return None
    return datetime.fromtimestamp(stats.computed_at, UTC)


@bp.get("/resource")
def resource() -> Response:
    iri = request.args.get("iri", "").strip()
    if not iri:
        abort(400, "give the IRI of a resource: /resource?iri=...")
    try:
        ox.NamedNode(iri)
    except ValueError:
        abort(400, "not a valid IRI")
    return resource_html(iri)


@bp.get("/query")
def query() -> Response:
    return query_page()


@bp.get("/queries.json")
def queries_json() -> Response:
    return jsonify(example_queries())


@bp.get("/search")
def search() -> Response:
    text = request.args.get("q", "").strip()[:200]
    page = _page_number()
    index = index_for(get_store())
    hits = index.search(text, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE) if text else []
    indexing = index.building  # results may miss the newest data (or be empty, the first time)
    more = len(hits) > PAGE_SIZE
    hits = hits[:PAGE_SIZE]
    langs = lbl.preferred_languages()
    labels = lbl.fetch_labels([h.iri for h in hits], langs)
    types = _types_of([h.iri for h in hits])
    type_labels = lbl.fetch_labels({t for ts in types.values() for t in ts}, langs)
    results = [
        {
            "iri": h.iri,
            "label": lbl.label_or_name(h.iri, labels),
            "url": lbl.resource_url(h.iri),
            "types": [lbl.label_or_name(t, type_labels) for t in types.get(h.iri, [])],
            "field": h.field,
            "match": h.text if len(h.text) <= 300 else _snippet(h.text, text),
            "lang": h.lang or None,
            "score": round(h.score, 3),
        }
        for h in hits
    ]
    if _wants_json():
        return jsonify(
            {
                "query": text,
                "page": page,
                "results": results,
                "indexing": indexing,
                "next": url_for("browse.search", q=text, page=page + 1, format="json")
                if more
                else None,
            }
        )
    return _page(
        "search.html",
        title=f"Search: {text}" if text else "Search",
        q=text,
        results=results,
        page=page,
        more=more,
        indexing=indexing,
    )


@bp.get("/browse")
def browse() -> Response:
    stats = stats_for(get_store())
    cls = request.args.get("class", "").strip()
    langs = lbl.preferred_languages()
    if not cls:
        labels = lbl.fetch_labels([c for c, _ in stats.classes], langs)
        classes = [
            {
                "iri": c,
                "label": lbl.label_or_name(c, labels),
                "count": n,
                "url": url_for("browse.browse", **{"class": c}),  # type: ignore[arg-type]
                "short": lbl.shorten(c),
            }
            for c, n in stats.classes
        ]
        return _page("classes.html", title="Browse", classes=classes)
    if cls == f"{COR}Project":
        return projects()
    return _instances_page(cls, dict(stats.classes).get(cls, 0), langs)


@bp.get("/browse/projects")
def projects() -> Response:
    stats = stats_for(get_store())
    langs = lbl.preferred_languages()
    selected = {f: set(request.args.getlist(f)) for f in FACETS}
    chosen = {f: v for f, v in selected.items() if v}
    key = tuple(sorted((f, tuple(sorted(v))) for f, v in chosen.items()))
    counts = stats.memo(("facet_counts", key), lambda: stats.facet_counts(chosen))
    sort = _sort_arg()
    every = stats.memo(("rows", tuple(langs), sort), lambda: _project_rows(stats, langs, sort))
    if chosen:
        find = lambda: stats.matching_projects(chosen)  # noqa: E731
        matching = set(stats.memo(("matching", key), find))
        rows = [r for r in every if r["iri"] in matching]
    else:
        rows = every
    shown = [v for c in counts.values() for v, _ in c.most_common(60)]
    labels = lbl.fetch_labels([v for v in shown if v.startswith(("http:", "https:"))], langs)
    page = _page_number()
    total_pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    facets = []
    for facet in FACETS:
        values = []
        for value, n in counts[facet].most_common(60):
            values.append(
                {
                    "value": value,
                    "count": n,
                    "checked": value in selected[facet],
                    "label": lbl.label_or_name(value, labels)
                    if value.startswith("http")
                    else value,
                }
            )
        if facet == "period":
            values.sort(key=lambda v: v["value"])
        facets.append({"name": facet, "title": FACET_TITLES[facet], "values": values})
    return _page(
        "projects.html",
        title="Projects",
        figures_at=_figures_time(stats),
        figures_version=stats.version,
        version=get_store().version,
        rows=rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        total=len(rows),
        page=page,
        total_pages=total_pages,
        facets=facets,
        sort=sort,
        params=_params_without("page"),
    )


@bp.get("/map")
def map_view() -> Response:
    return _page("map.html", title="Map of partners", **_memo("_map_data", _map_data_uncached))


@bp.get("/network")
def network_view() -> Response:
    level = _level()
    data = _memo("network", lambda: _network_data_uncached(level), level)
    return _page("network.html", title="Collaboration network", level=level, data=data)


@bp.get("/timeline")
def timeline_view() -> Response:
    data = [dict(p) for p in _memo("_timeline_data", _timeline_data_uncached)]
    years = [y for p in data for y in (p["startYear"], p["endYear"]) if y]
    lo, hi = (min(years), max(years) + 1) if years else (2000, 2001)
    for p in data:
        if p["startYear"]:
            p["left"] = round(100 * (p["startFraction"] - lo) / (hi - lo), 2)
            p["width"] = max(
                1.0, round(100 * (p["endFraction"] - p["startFraction"]) / (hi - lo), 2)
            )
    return _page(
        "timeline.html", title="Timeline of projects", projects=data, years=list(range(lo, hi + 1))
    )


@bp.get("/budgets")
def budgets_view() -> Response:
    data = _memo("_budget_data", _budget_data_uncached)
    return _page("budgets.html", title="Budgets", **data)


@bp.get("/views/map.json")
def map_json() -> Response:
    return _cached_json(_memo("_map_data", _map_data_uncached))


def _memo(name: str, compute, *args: object):
    """Per store version and reader language: views are computed once, then served."""
    stats = stats_for(get_store())
    return stats.memo((name, lbl.current_language(), *args), compute)


@bp.get("/views/network.json")
def network_json() -> Response:
    return _cached_json(_memo("network", lambda: _network_data_uncached(_level()), _level()))


@bp.get("/views/timeline.json")
def timeline_json() -> Response:
    return _cached_json(_memo("_timeline_data", _timeline_data_uncached))


@bp.get("/views/budgets.json")
def budgets_json() -> Response:
    return _cached_json(_memo("_budget_data", _budget_data_uncached))


@bp.get("/vendor/<path:name>")
def vendor(name: str) -> Response:
    """Front-end libraries installed by npm (shipped in the package, see corridor.resources)."""
    if name not in VENDOR_FILES:
        abort(404)
    source = vendor_file(VENDOR_FILES[name])
    if not source.is_file():
        abort(404, f"{name} is missing: run `npm ci` before installing (scripts/setup.sh)")
    response = send_from_directory(
        source.parent, source.name, mimetype=mimetypes.guess_type(name)[0]
    )
    response.cache_control.max_age = 86400
    response.cache_control.public = True
    return response


# ------------------------------------------------------------------ example queries
def example_queries() -> list[dict[str, str]]:
    """Queries of queries/*.rq with their ``# title:`` and ``# description:`` lines."""
    out = []
    for path in sorted(Path(get_config().queries_dir).glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        meta = {"title": path.stem.replace("-", " ").capitalize(), "description": ""}
        for line in text.splitlines():
            stripped = line.strip()
            if not stripped.startswith("#"):
                if stripped:
                    break
                continue
            key, _, value = stripped.lstrip("#").strip().partition(":")
            if key.strip().lower() in meta and value.strip():
                meta[key.strip().lower()] = value.strip()
        out.append({"id": path.stem, **meta, "query": text})
    return out


def _sparql_endpoint() -> str:
    return "/sparql"


# ------------------------------------------------------------------ resource pages
def _triples_of(iri: str, description: Any) -> tuple[list[tuple[str, Any]], list[tuple[str, str]]]:
    """(predicate, object) pairs about ``iri`` and (subject, predicate) pairs pointing to it."""
    if description is not None and hasattr(description, "predicate_objects"):
        return _from_rdflib(iri, description)
    if description is not None and not isinstance(description, (str, bytes)):
        try:
            items = list(description)
        except TypeError:
            items = None
        if items and hasattr(items[0], "subject"):
            outgoing = [
                (t.predicate.value, t.object)
                for t in items
                if isinstance(t.subject, ox.NamedNode) and t.subject.value == iri
            ]
            incoming = [
                (t.subject.value, t.predicate.value)
                for t in items
                if isinstance(t.object, ox.NamedNode)
                and t.object.value == iri
                and isinstance(t.subject, ox.NamedNode)
            ]
            if outgoing or incoming:
                return _dedupe(outgoing), _dedupe(incoming)
    node = ox.NamedNode(iri)
    store = get_store()
    outgoing = [
        (r["p"].value, r["o"])
        for r in store.query(f"SELECT DISTINCT ?p ?o WHERE {{ {node} ?p ?o }}")
    ]
    incoming = [
        (r["s"].value, r["p"].value)
        for r in store.query(
            f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {node} FILTER(isIRI(?s)) }} "
            f"LIMIT {INCOMING_LIMIT + 1}"
        )
    ]
    return outgoing, incoming


def _from_rdflib(iri: str, graph: Any):
    from rdflib import URIRef

    from corridor.rdf.terms import rdflib_to_ox

    subject = URIRef(iri)
    outgoing = [(str(p), rdflib_to_ox(o)) for p, o in graph.predicate_objects(subject)]
    incoming = [
        (str(s), str(p)) for s, p in graph.subject_predicates(subject) if isinstance(s, URIRef)
    ]
    return _dedupe(outgoing), _dedupe(incoming)


def _dedupe(items: list) -> list:
    return list(dict.fromkeys(items))


def _resource_context(
    iri: str, outgoing, incoming, langs: list[str], more_incoming: bool = False,
    limit: int = INCOMING_LIMIT,
) -> dict[str, Any]:
    rdf_type = lbl.RDF_TYPE
    types = [o.value for p, o in outgoing if p == rdf_type and isinstance(o, ox.NamedNode)]
    linked = {o.value for _, o in outgoing if isinstance(o, ox.NamedNode)}
    linked |= {p for p, _ in outgoing} | {s for s, _ in incoming} | {p for _, p in incoming}
    linked |= set(types) | {iri}
    extra = _related(iri, types)
    for item in extra.get("rows", []):
        linked |= {v for k, v in item.items() if k.endswith("_iri") and v}
    labels = lbl.fetch_labels(linked, langs)
    order = {p: i for i, p in enumerate(lbl.LABEL_PROPERTIES)}
    own = sorted(
        (lbl.language_rank(o.language or "", langs), order[p], o.value, o.language or "")
        for p, o in outgoing
        if p in order and isinstance(o, ox.Literal)
    )
    label, label_lang = own[0][2:] if own else (lbl.label_or_name(iri, labels), "")
    available = sorted(
        {
            o.language.split("-")[0]
            for p, o in outgoing
            if isinstance(o, ox.Literal) and o.language and p in lbl.LABEL_PROPERTIES
        }
    )
    switch_languages = sorted(set(available) | set(lbl.UI_LANGUAGES))
    link = lambda i: {"iri": i, "label": lbl.label_or_name(i, labels), "url": lbl.resource_url(i)}  # noqa: E731
    groups = _property_groups(outgoing, labels, link, langs)
    incoming_groups: dict[str, list] = defaultdict(list)
    incoming = incoming[:limit]
    for s, p in incoming:
        incoming_groups[p].append(link(s))
    incoming_list = [
        {"property": link(p), "values": sorted(v, key=lambda x: x["label"].lower())}
        for p, v in sorted(incoming_groups.items(), key=lambda kv: lbl.label_or_name(kv[0], labels))
    ]
    for item in extra.get("rows", []):
        for key in list(item):
            if key.endswith("_iri"):
                name = key[:-4]
                item[name] = link(item[key]) if item[key] else None
    place = _places(iri, outgoing, types)
    path = lbl.local_path(iri)
    formats = (
        [{"name": name, "url": f"{path}.{ext}"} for name, ext in MACHINE_FORMATS] if path else []
    )
    return {
        "iri": iri,
        "label": label,
        "label_lang": label_lang,
        "types": [link(t) for t in types],
        "groups": groups,
        "incoming": incoming_list,
        "incoming_truncated": len(incoming) >= limit or more_incoming,
        "related": extra,
        "place": place,
        "formats": formats,
        "languages": [
            {"code": code, "url": lbl.resource_url(iri, lang=code)} for code in switch_languages
        ],
        "current_lang": lbl.current_language(),
    }


def _property_groups(outgoing, labels, link, langs) -> list[dict[str, Any]]:
    by_property: dict[str, list] = defaultdict(list)
    for p, o in outgoing:
        if p == lbl.RDF_TYPE:
            continue
        by_property[p].append(o)
    grouped: dict[str, list] = {name: [] for name, _ in GROUPS}
    grouped["Links"] = []
    grouped["Facts"] = []
    for p, objects in by_property.items():
        values = [_value_view(o, link) for o in objects]
        values.sort(
            key=lambda v: (lbl.language_rank(v.get("lang") or "", langs), v["text"].lower())
        )
        entry = {"property": link(p), "values": values}
        for name, members in GROUPS:
            if p in members:
                grouped[name].append(entry)
                break
        else:
            target = "Links" if all(isinstance(o, ox.NamedNode) for o in objects) else "Facts"
            grouped[target].append(entry)
    order = ["Names and descriptions", "Facts", "Links", "Provenance and notes"]
    return [
        {
            "title": name,
            "properties": sorted(grouped[name], key=lambda e: e["property"]["label"].lower()),
        }
        for name in order
        if grouped[name]
    ]


_SAFE_LINK = re.compile(r"(?i)(?:https?://|mailto:)[^\x00-\x20\x7f]*")


def is_safe_link(value: str) -> bool:
    """Whether a literal may become a live ``href``: http(s) or mailto only, with no space or
    control character anywhere (browsers drop those, so ``java\tscript:`` would still run)."""
    return _SAFE_LINK.fullmatch(value) is not None


def _value_view(term: Any, link) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        item = link(term.value)
        return {"kind": "iri", "text": item["label"], **item}
    if isinstance(term, ox.BlankNode):
        return {"kind": "blank", "text": f"_:{term.value}"}
    datatype = term.datatype.value if term.datatype is not None else ""
    shown_type = (
        ""
        if datatype in (f"{XSD}string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")
        else lbl.shorten(datatype)
    )
    text = term.value
    return {
        "kind": "literal",
        "text": text,
        "lang": term.language or "",
        "datatype": shown_type,
        "long": len(text) > 400,
        "is_link": datatype == f"{XSD}anyURI" and is_safe_link(text),
    }


def _related(iri: str, types: list[str]) -> dict[str, Any]:
    """Rows that make a project or organisation page useful: its partners or its projects."""
    node = ox.NamedNode(iri)
    store = get_store()
    if f"{COR}Project" in types:
        rows = [
            {
                "organisation_iri": _v(r, "o"),
                "role_iri": _v(r, "role"),
                "country_iri": _v(r, "c"),
                "participation_iri": _v(r, "x"),
            }
            for r in store.query(f"""
            SELECT ?x ?o ?role ?c WHERE {{ ?x <{COR}project> {node} ; <{COR}organisation> ?o .
              OPTIONAL {{ ?x <{COR}role> ?role }}
              OPTIONAL {{ ?o <{COR}country> ?c }} }} LIMIT 500""")
        ]
        return {"kind": "partners", "title": "Partners", "rows": rows}
    if f"{COR}Organisation" in types:
        rows = [
            {"project_iri": _v(r, "p"), "role_iri": _v(r, "role"), "participation_iri": _v(r, "x")}
            for r in store.query(f"""
            SELECT ?x ?p ?role WHERE {{ ?x <{COR}organisation> {node} ; <{COR}project> ?p .
              OPTIONAL {{ ?x <{COR}role> ?role }} }} LIMIT 500""")
        ]
        return {"kind": "projects", "title": "Projects", "rows": rows}
    return {}


def _v(row: Any, name: str) -> str | None:
    term = row[name]
    return None if term is None else term.value


def _places(iri: str, outgoing, types: list[str]) -> dict[str, Any] | None:
    """Countries (ISO alpha-3) the resource is in, for the small map; None if it has no place.

    Per-resource index lookups only: a resource page never waits for whole-graph figures.
    """
    reader = get_store().reader()
    countries = {
        o.value
        for p, o in outgoing
        if p in (f"{COR}country", f"{COR}possibleCountry") and isinstance(o, ox.NamedNode)
    }
    if f"{COR}Country" in types:
        countries.add(iri)
    if f"{COR}Project" in types:
        countries |= _partner_countries(iri)
    codes = {}
    for country in countries:
        for code in lbl.public_objects(reader, country, f"{SKOS}notation"):
            if isinstance(code, ox.Literal) and len(code.value) == 3 and code.value.isalpha():
                codes[country] = code.value
                break
    if not codes:
        return None
    labels = lbl.fetch_labels(codes)
    located = sorted((lbl.label_or_name(c, labels), code) for c, code in codes.items())
    return {
        "codes": [code for _, code in located],
        "names": [name for name, _ in located],
        "numeric": [ISO_NUMERIC.get(code, "") for _, code in located],
    }


def _partner_countries(project: str, limit: int = 2000) -> set[str]:
    rows = get_store().query(
        f"SELECT DISTINCT ?c WHERE {{ ?x <{COR}project> {ox.NamedNode(project)} ;"
        f" <{COR}organisation>/<{COR}country> ?c FILTER(isIRI(?c)) }} LIMIT {limit}"
    )
    return {r["c"].value for r in rows}


def _types_of(iris: list[str]) -> dict[str, list[str]]:
    reader = get_store().reader()
    return {
        i: [
            t.value
            for t in lbl.public_objects(reader, i, lbl.RDF_TYPE)
            if isinstance(t, ox.NamedNode)
        ]
        for i in iris
    }


def _snippet(text: str, query: str, width: int = 240) -> str:
    folded = text.lower()
    words = [w for w in query.lower().split() if w]
    pos = min((folded.find(w) for w in words if folded.find(w) >= 0), default=0)
    start = max(0, pos - width // 3)
    return (
        ("…" if start else "")
        + text[start : start + width]
        + ("…" if start + width < len(text) else "")
    )


# ------------------------------------------------------------------ instance lists
def _instances_page(cls: str, count: int, langs: list[str]) -> Response:
    page = _page_number()
    sort = "-label" if request.args.get("sort") == "-label" else "label"
    ordered = stats_for(get_store()).memo(("instances", cls), lambda: _instances_by_label(cls))
    if sort == "-label":
        ordered = ordered[::-1]
    iris = ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    labels = lbl.fetch_labels(iris + [cls], langs)
    rows = [
        {"iri": i, "label": lbl.label_or_name(i, labels), "url": lbl.resource_url(i)} for i in iris
    ]
    return _page(
        "instances.html",
        title=lbl.label_or_name(cls, labels),
        cls=cls,
        rows=rows,
        count=count,
        page=page,
        total_pages=max(1, math.ceil(count / PAGE_SIZE)),
        sort=sort,
        params=_params_without("page"),
    )


def _instances_by_label(cls: str) -> list[str]:
    """Instances of ``cls`` sorted by a label (computed once per store version and class)."""
    node = ox.NamedNode(cls)
    label_props = " ".join(f"<{p}>" for p in lbl.LABEL_PROPERTIES[:3])
    query = f"""SELECT ?s (SAMPLE(COALESCE(?l, STR(?s))) AS ?sortkey) WHERE {{
        ?s a {node} OPTIONAL {{ VALUES ?lp {{ {label_props} }} ?s ?lp ?l }} }}
        GROUP BY ?s ORDER BY LCASE(?sortkey)"""
    return [r["s"].value for r in get_store().query(query) if isinstance(r["s"], ox.NamedNode)]


def _project_rows(stats, langs: list[str], sort: str) -> list[dict[str, Any]]:
    """Every project as a list row, sorted; labels come with the figures (no lookups)."""
    rows = []
    for p, entry in stats.projects.items():
        options = stats.project_labels.get(p)
        if options:
            label = min(options, key=lambda o: (lbl.language_rank(o[2], langs), o[0]))[1]
        else:
            label = lbl.label_or_name(p, {})
        rows.append({"iri": p, "label": label, "url": lbl.resource_url(p),
                     "start": entry["start"], "end": entry["end"], "budget": entry["budget"]})
    return _sorted(rows, sort)


NETWORK_NODES = 300  # the nodes in most projects: a browser draws no more usefully


SORT_KEYS = ("label", "start", "end", "budget")


def _sort_arg() -> str:
    """``?sort=`` as one of the few orders there are (a memo key: any other value is the
    default, so clients cannot mint keys)."""
    sort = request.args.get("sort", "label")
    return sort if sort.lstrip("-") in SORT_KEYS and sort.count("-") <= 1 else "label"


def _sorted(rows: list[dict], sort: str) -> list[dict]:
    key = sort.lstrip("-")
    reverse = sort.startswith("-")
    if key not in ("label", "start", "end", "budget"):
        key = "label"
    present = [r for r in rows if r[key] is not None]
    missing = [r for r in rows if r[key] is None]
    present.sort(
        key=lambda r: r[key].lower() if isinstance(r[key], str) else r[key], reverse=reverse
    )
    return present + sorted(missing, key=lambda r: r["label"].lower())


# ------------------------------------------------------------------ view data
def _map_data_uncached() -> dict[str, Any]:
    stats = stats_for(get_store())
    organisations, _ = stats.links()
    per_country: dict[str, set[str]] = defaultdict(set)
    for org, entry in organisations.items():
        if entry["country"]:
            per_country[entry["country"]].add(org)
    project_level: dict[str, int] = defaultdict(int)  # projects known in a country only as such
    for countries_of_project in stats.project_countries.values():
        for c in countries_of_project:
            project_level[c] += 1
    labels = lbl.fetch_labels(list(per_country.keys() | project_level.keys()))
    countries = [
        {
            "iri": c,
            "code": stats.country_codes.get(c),
            "label": lbl.label_or_name(c, labels),
            "numeric": ISO_NUMERIC.get(stats.country_codes.get(c) or "", None),
            "url": lbl.resource_url(c),
            "organisations": len(per_country.get(c, ())),
            "projectLevelProjects": project_level.get(c, 0),
            "basis": "partners" if c in per_country else "project",
        }
        for c in sorted(per_country.keys() | project_level.keys())
    ]
    countries.sort(key=lambda c: c["label"].lower())
    per_region: dict[str, set[str]] = defaultdict(set)
    for org, entry in organisations.items():
        for region in entry["regions"]:
            per_region[region].add(org)
    region_labels = lbl.fetch_labels(list(per_region))
    regions = sorted(
        (
            {
                "iri": r,
                "label": lbl.label_or_name(r, region_labels),
                "url": lbl.resource_url(r),
                "notation": r.rsplit("/", 1)[-1],
                "organisations": len(orgs),
            }
            for r, orgs in per_region.items()
        ),
        key=lambda r: str(r["notation"]),
    )
    return {
        "countries": [c for c in countries if c["numeric"]],
        "regions": regions,
        "version": stats.version,
    }


def _network_data_uncached(level: str) -> dict[str, Any]:
    stats = stats_for(get_store())
    project_level: set[tuple[str, str]] = set()
    nodes, edges = network(stats, level, NETWORK_NODES, project_level)
    labels = lbl.fetch_labels(list(nodes))
    return {
        "level": level,
        "limit": NETWORK_NODES,
        "nodes": [
            {
                "id": n,
                "label": lbl.label_or_name(n, labels),
                "url": lbl.resource_url(n),
                "projects": count,
            }
            for n, count in sorted(nodes.items())
        ],
        "edges": [
            {"source": a, "target": b, "projects": w, "projectLevel": (a, b) in project_level}
            for (a, b), w in sorted(edges.items())
        ],
    }


def _timeline_data_uncached() -> list[dict[str, Any]]:
    stats = stats_for(get_store())
    labels = lbl.fetch_labels(list(stats.projects))
    out = []
    for p, entry in stats.projects.items():
        start, end, basis = entry["start"], entry["end"] or entry["start"], "project"
        if start is None and p in stats.project_activity_dates:  # known from its activities
            (start, end), basis = stats.project_activity_dates[p], "activity"
        out.append(
            {
                "iri": p,
                "basis": basis,
                "label": lbl.label_or_name(p, labels),
                "url": lbl.resource_url(p),
                "start": start,
                "end": entry["end"] if basis == "project" else end,
                "startYear": _year(start),
                "endYear": _year(end),
                "startFraction": _fraction(start),
                "endFraction": _fraction(end, end=True),
            }
        )
    return sorted(out, key=lambda p: (p["start"] is None, p["start"] or "", p["label"].lower()))


def _year(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None


def _fraction(date: str | None, end: bool = False) -> float | None:
    if not date or not date[:4].isdigit():
        return None
    year = int(date[:4])
    month = int(date[5:7]) if len(date) >= 7 and date[5:7].isdigit() else (12 if end else 1)
    return year + (month - (0 if end else 1)) / 12


def _budget_data_uncached() -> dict[str, Any]:
    stats = stats_for(get_store())
    labels = lbl.fetch_labels(list(stats.budgets_by_programme) + list(stats.budgets_by_country))

    def bars(values: dict[str, float]) -> list[dict[str, Any]]:
        top = max(values.values(), default=0) or 1
        return [
            {
                "iri": k,
                "label": lbl.label_or_name(k, labels) if k.startswith("http") else k,
                "url": lbl.resource_url(k) if k.startswith("http") else None,
                "amount": v,
                "percent": round(100 * v / top, 1),
            }
            for k, v in sorted(values.items(), key=lambda kv: -kv[1])
        ]

    return {
        "by_programme": bars(stats.budgets_by_programme),
        "by_country": bars(stats.budgets_by_country),
        "currency": "EUR",
    }


# ------------------------------------------------------------------ helpers
def _page(template: str, status: int = 200, **context: Any) -> Response:
    context.setdefault("nav_lang", lbl.current_language() if request.args.get("lang") else None)
    response = make_response(render_template(template, **context), status)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers.setdefault("Vary", "Accept, Accept-Language")
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; font-src 'self' data:"
    )
    return response


def _wants_json() -> bool:
    if request.args.get("format") == "json":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes["application/json"] > request.accept_mimetypes["text/html"]
    )


def _cached_json(data: Any) -> Response:
    response = jsonify(data)
    response.set_etag(f"v{get_store().version}-{request.full_path}")
    return cast(Response, response.make_conditional(request))


def _page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


def _level() -> str:
    level = request.args.get("level", "organisation")
    return level if level in ("organisation", "country", "region") else "organisation"


def _params_without(*names: str) -> list[tuple[str, str]]:
    return [(k, v) for k, values in request.args.lists() for v in values if k not in names]


def _facet_top(stats, facet: str, n: int) -> list[tuple[str, int]]:
    return stats.memo(("top", facet, n), lambda: _facet_top_uncached(stats, facet, n))


def _facet_top_uncached(stats, facet: str, n: int) -> list[tuple[str, int]]:
    counter: dict[str, int] = defaultdict(int)
    for values in stats.project_facets.values():
        for v in values.get(facet, ()):
            counter[v] += 1
    return sorted(counter.items(), key=lambda kv: -kv[1])[:n]
