"""Resource pages: every resource as HTML, with fact sheets for the kinds people look up."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import pyoxigraph as ox
from flask import (
    Response,
    abort,
    request,
)

from corridor.derived.describe import describe
from corridor.rdf.namespaces import COR, SKOS, XSD
from corridor.web import labels as lbl
from corridor.web.context import get_config, get_store
from corridor.web.rdf_http import HTML_AND_RDF, chosen_format, not_acceptable, rdf_response
from corridor.web.ui import factsheets, i18n
from corridor.web.ui.common import (
    ISO_NUMERIC,
    bp,
    render_page,
)

MACHINE_FORMATS = (
    ("Turtle", "ttl"),
    ("JSON-LD", "jsonld"),
    ("N-Triples", "nt"),
    ("RDF/XML", "rdf"),
)


GROUPS = (
    (
        i18n.N_("Names and descriptions"),
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
        i18n.N_("Provenance and notes"),
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


def resource_html(iri: str, description: Any = None) -> Response:
    """The HTML page of one resource; ``description`` is its triples (rdflib Graph, quads) or
    None to read them from the store. 404 when nothing is known about ``iri``."""
    outgoing, incoming = _triples_of(iri, description)
    if not outgoing and not incoming:
        return render_page("not_found.html", status=404, title=i18n.translate("Not found"), iri=iri)
    langs = lbl.preferred_languages()
    more_incoming = getattr(description, "pages", 1) > 1
    limit = INCOMING_LIMIT
    if hasattr(description, "incoming_total"):
        limit = max(limit, len(incoming))  # already one bounded page of describe()
    context = _resource_context(iri, outgoing, incoming, langs, more_incoming, limit)
    context["incoming_pages"] = _incoming_pages(iri, description)
    response = render_page("resource.html", title=context["label"], **context)
    response.headers["Vary"] = "Accept, Accept-Language"
    response.headers["Content-Language"] = context["label_lang"] or "en"
    return response


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


@bp.get("/resource")
def resource() -> Response:
    iri = request.args.get("iri", "").strip()
    if not iri:
        abort(400, "give the IRI of a resource: /resource?iri=...")
    try:
        ox.NamedNode(iri)
    except ValueError:
        abort(400, "not a valid IRI")
    media_type = chosen_format(HTML_AND_RDF)
    if media_type is None:
        return not_acceptable(HTML_AND_RDF)
    if media_type == "text/html":
        return resource_html(iri)
    description = describe(get_store().reader(), get_config(), iri)
    if not description.found:
        return rdf_response([], media_type, status=404, negotiated=True)
    return rdf_response(description.triples, media_type, negotiated=True)


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
    iri: str,
    outgoing,
    incoming,
    langs: list[str],
    more_incoming: bool = False,
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

    made: dict[str, dict[str, Any]] = {}

    def link(i: str) -> dict[str, Any]:
        if i not in made:
            made[i] = {"iri": i, "label": lbl.label_or_name(i, labels), "url": lbl.resource_url(i)}
        return dict(made[i])

    groups = _property_groups(outgoing, labels, link, langs)
    incoming_groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    incoming = incoming[:limit]
    for subject, predicate in incoming:
        incoming_groups[predicate].append(link(subject))
    incoming_list: list[dict[str, Any]] = [
        {"property": link(prop), "inverse": _inverse_label(link(prop)["label"]),
         "values": sorted(members, key=_by_label)}
        for prop, members in sorted(
            incoming_groups.items(), key=lambda kv: lbl.label_or_name(kv[0], labels)
        )
    ]
    for item in extra.get("rows", []):
        for key in list(item):
            if key.endswith("_iri"):
                name = key[:-4]
                item[name] = link(item[key]) if item[key] else None
    if extra.get("kind") == "partners":
        extra["rows"] = factsheets.partners_in_order(extra["rows"])
    sheet = factsheets.sheet_for(iri, types, outgoing, extra.get("rows", []), link)
    place = _places(iri, outgoing, types, extra.get("rows", []))
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
        "sheet": sheet,
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
    grouped[i18n.N_("Links")] = []
    grouped[i18n.N_("Facts")] = []
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
            "title": i18n.translate(name),
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
    """Rows that make a project or organisation page useful: its partners or its projects.

    Index lookups only (participations pointing at the resource, then their few properties).
    """
    reader = get_store().reader()

    def first(subject: str, prop: str) -> str | None:
        for o in lbl.public_objects(reader, subject, f"{COR}{prop}"):
            if isinstance(o, ox.NamedNode):
                return o.value
        return None

    if f"{COR}Project" in types:
        rows = []
        for x in _public_subjects(reader, f"{COR}project", iri):
            org = first(x, "organisation")
            if org is None:
                continue
            rows.append({"organisation_iri": org, "role_iri": first(x, "role"),
                         "country_iri": first(org, "country"), "participation_iri": x})
        return {"kind": "partners", "title": i18n.translate("Partners"), "rows": rows}
    if f"{COR}Organisation" in types:
        rows = []
        for x in _public_subjects(reader, f"{COR}organisation", iri):
            project = first(x, "project")
            if project is not None:
                rows.append({"project_iri": project, "role_iri": first(x, "role"),
                             "participation_iri": x})
        return {"kind": "projects", "title": i18n.translate("Projects"), "rows": rows}
    return {}


def _public_subjects(reader: Any, predicate: str, obj: str, limit: int = 500) -> list[str]:
    """Subjects (IRIs) of (?, predicate, obj) in public graphs, at most ``limit``."""
    withheld = get_config().is_withheld
    out: list[str] = []
    for quad in reader.quads_for_pattern(None, ox.NamedNode(predicate), ox.NamedNode(obj), None):
        graph = quad.graph_name
        if isinstance(graph, ox.NamedNode) and withheld(graph.value):
            continue
        if isinstance(quad.subject, ox.NamedNode) and quad.subject.value not in out:
            out.append(quad.subject.value)
            if len(out) >= limit:
                break
    return out


def _places(
    iri: str, outgoing, types: list[str], partners: list[dict] | None = None
) -> dict[str, Any] | None:
    """Countries (ISO alpha-3) the resource is in, for the small map, with the number of
    partners in each (projects), and the NUTS regions it is or lies in; None if it has no
    country.

    Per-resource index lookups only: a resource page never waits for whole-graph figures.
    """
    reader = get_store().reader()
    countries = {
        o.value
        for p, o in outgoing
        if p in (f"{COR}country", f"{COR}possibleCountry") and isinstance(o, ox.NamedNode)
    }
    weights: dict[str, int] = defaultdict(int)
    if f"{COR}Country" in types:
        countries.add(iri)
    regions = {
        o.value for p, o in outgoing if p == f"{COR}nutsRegion" and isinstance(o, ox.NamedNode)
    }
    if f"{COR}NutsRegion" in types:
        regions.add(iri)
        country = factsheets.nuts_country(reader, iri)
        if country:
            countries.add(country)
    if f"{COR}Project" in types:
        for row in partners or []:
            if row.get("country_iri"):
                weights[row["country_iri"]] += 1
                countries.add(row["country_iri"])
    codes = {}
    for country in countries:
        for code in lbl.public_objects(reader, country, f"{SKOS}notation"):
            if isinstance(code, ox.Literal) and len(code.value) == 3 and code.value.isalpha():
                codes[country] = code.value
                break
    if not codes:
        return None
    labels = lbl.fetch_labels(codes)
    located = sorted(
        ((lbl.label_or_name(c, labels), code, weights.get(c, 1)) for c, code in codes.items()),
        key=lambda x: i18n.sort_key(x[0]),
    )
    return {
        "codes": [code for _, code, _ in located],
        "names": [name for name, _, _ in located],
        "counts": [n for _, _, n in located],
        "numeric": [ISO_NUMERIC.get(code, "") for _, code, _ in located],
        "partners": bool(weights),
        "regions": [_drawn_region(r) for r in sorted(regions)],
    }


def _drawn_region(iri: str) -> dict[str, Any]:
    """A NUTS region as the small map draws it (its borders come from the NUTS code)."""
    code = iri.rsplit("/", 1)[-1]
    return {"notation": code, "level": len(code) - 2, "nutsCountry": code[:2], "label": code}


def _by_label(item: dict[str, Any]) -> str:
    return i18n.sort_key(str(item["label"]))


def _inverse_label(label: str) -> str:
    """How an incoming link reads: "programme" → "programme of", "extension of" → "has
    extension" (never "extension of of")."""
    if label.endswith(" of"):
        return i18n.translate("has %(property)s", property=label[:-3])
    if label.startswith("is ") and label.endswith(" by"):
        return label[3:-3]
    return i18n.translate("%(property)s of", property=label)


