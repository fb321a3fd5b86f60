"""Labels of resources in the reader's language, and links from IRIs to pages (used by the UI).

Label lookups are bounded (one VALUES query per page), never a scan of the graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from flask import request, url_for

from corridor.rdf.namespaces import DCT, LABEL_PROPERTIES, RDF_TYPE, RDFS, SKOS
from corridor.store import OxigraphStore, ReadView, public_quads
from corridor.web.context import get_config, get_store

PREFIXES = {
    "https://w3id.org/corridor/ontology#": "cor",
    RDFS: "rdfs",
    SKOS: "skos",
    DCT: "dct",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf",
    "http://www.w3.org/2001/XMLSchema#": "xsd",
    "http://www.w3.org/ns/locn#": "locn",
    "http://www.w3.org/ns/prov#": "prov",
    "http://xmlns.com/foaf/0.1/": "foaf",
    "https://schema.org/": "schema",
    "http://www.w3.org/ns/dcat#": "dcat",
    "http://www.w3.org/2002/07/owl#": "owl",
    "http://www.w3.org/ns/shacl#": "sh",
    "http://rdfs.org/ns/void#": "void",
    "http://data.europa.eu/s66#": "eurio",
    "http://www.w3.org/ns/org#": "org",
}

# Readable names of common external terms (used when the graph holds no label for them).
KNOWN_LABELS = {
    f"{DCT}title": "title",
    f"{DCT}description": "description",
    f"{DCT}abstract": "abstract",
    f"{DCT}identifier": "identifier",
    f"{DCT}source": "source",
    f"{DCT}alternative": "alternative title",
    f"{DCT}created": "created",
    f"{DCT}modified": "modified",
    f"{DCT}publisher": "publisher",
    f"{RDFS}label": "label",
    f"{RDFS}comment": "comment",
    f"{RDFS}seeAlso": "see also",
    f"{SKOS}prefLabel": "preferred label",
    f"{SKOS}altLabel": "alternative label",
    f"{SKOS}notation": "notation",
    f"{SKOS}inScheme": "in scheme",
    f"{SKOS}broader": "broader",
    f"{SKOS}narrower": "narrower",
    f"{SKOS}definition": "definition",
    f"{SKOS}editorialNote": "editorial note",
    f"{SKOS}topConceptOf": "top concept of",
    f"{SKOS}exactMatch": "exact match",
    RDF_TYPE: "type",
    "http://xmlns.com/foaf/0.1/homepage": "homepage",
    "http://www.w3.org/ns/locn#address": "address",
    "http://www.w3.org/ns/locn#postName": "city",
    "http://www.w3.org/ns/locn#postCode": "postcode",
    "http://www.w3.org/ns/locn#fullAddress": "full address",
    "http://www.w3.org/ns/locn#adminUnitL2": "administrative unit",
    "https://schema.org/startDate": "start date",
    "https://schema.org/endDate": "end date",
    "https://schema.org/value": "value",
    "https://schema.org/currency": "currency",
    "http://www.w3.org/ns/prov#wasDerivedFrom": "derived from",
}

UI_LANGUAGES = ("en", "de", "fr", "it", "es", "ro", "da", "bg", "pl")


_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8}){0,2}")
MAX_LANGUAGES = 4


def preferred_languages() -> list[str]:
    """The reader's languages, best first: ?lang=, then Accept-Language, then English."""
    langs: list[str] = []
    chosen = request.args.get("lang", "").strip().lower()
    if _LANGUAGE_TAG.fullmatch(chosen):
        langs.append(chosen)
    for value, _q in request.accept_languages:
        tag = value.lower()
        if _LANGUAGE_TAG.fullmatch(tag):
            langs.append(tag)
            langs.append(tag.split("-")[0])
    langs.append("en")
    # cache keys are made of these: a few well-formed tags, never what a client makes up
    return list(dict.fromkeys(langs))[:MAX_LANGUAGES]


def current_language() -> str:
    return preferred_languages()[0].split("-")[0]


def language_rank(tag: str, langs: list[str]) -> int:
    """Smaller is better; untagged literals sit between the reader's languages and others."""
    tag = tag.lower()
    for i, lang in enumerate(langs):
        if tag == lang or tag.split("-")[0] == lang:
            return i
    return len(langs) if tag == "" else len(langs) + 1


def best_literal(literals: Iterable[tuple[str, str]], langs: list[str]) -> tuple[str, str] | None:
    """Pick the (text, lang) in the best language; ties keep the first seen."""
    best, best_rank = None, None
    for text, lang in literals:
        rank = language_rank(lang, langs)
        if best_rank is None or rank < best_rank:
            best, best_rank = (text, lang), rank
    return best


def shorten(iri: str) -> str:
    """A prefixed name for a known namespace, else the IRI itself."""
    for ns, prefix in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    base = get_config().base_iri
    if iri.startswith(base):
        return iri[len(base) :]
    return iri


def public_objects(
    reader: ReadView, subject: str, predicate: str
) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
    """Objects of (subject, predicate) in public graphs: index lookups, no query planning."""
    config = get_config()
    out: list[ox.NamedNode | ox.BlankNode | ox.Literal] = []
    for quad in public_quads(config, reader, ox.NamedNode(subject), ox.NamedNode(predicate)):
        if not isinstance(quad.object, ox.Triple):
            out.append(quad.object)
    return out


class VersionCache:
    """Values per IRI for one read-only version of the store (label candidates, the types of
    search hits).

    Pages name the same countries, roles and programmes again and again; what they need of a
    resource is looked up once per version (the reader handle changes with every commit), and
    what depends on the reader (the preferred language) is decided per request.
    """

    def __init__(self, max_entries: int = 200_000) -> None:
        self.max_entries = max_entries
        self.key: tuple = ()
        self.values: dict[str, Any] = {}

    def for_version(self, reader: ReadView, version: int, config: object) -> dict[str, Any]:
        """The values known for this reader at this version (an in-memory store's reader
        is the live store, so the version is part of the key) under this configuration."""
        key = (id(reader), version, id(config))
        if key != self.key or len(self.values) > self.max_entries:
            self.key, self.values = key, {}
        return self.values


def version_cache(store: OxigraphStore, name: str, max_entries: int = 200_000) -> VersionCache:
    """The store's :class:`VersionCache` called ``name`` (created on first use)."""
    cache = store.extensions.setdefault(name, VersionCache(max_entries))
    assert isinstance(cache, VersionCache)
    return cache


def _label_candidates(reader: ReadView, iri: str) -> list[tuple[int, str, str]]:
    """(property order, text, language) of every public label literal of ``iri``."""
    out = []
    for order, prop in enumerate(LABEL_PROPERTIES):
        for literal in public_objects(reader, iri, prop):
            if isinstance(literal, ox.Literal):
                out.append((order, literal.value, literal.language or ""))
    return out


def fetch_labels(iris: Iterable[str], langs: list[str] | None = None) -> dict[str, tuple[str, str]]:
    """``{iri: (label, lang)}`` for the IRIs that have a label (index lookups per IRI)."""
    langs = langs or preferred_languages()
    store = get_store()
    reader, version = store.reader(), store.version
    known = version_cache(store, "corridor.labels").for_version(reader, version, get_config())
    found: dict[str, tuple[str, str]] = {}
    wanted = {i for i in iris if i}
    prefetch = getattr(reader, "prefetch", None)  # a remote store: one request for them all
    if prefetch is not None:
        prefetch([i for i in wanted if i not in known])
    for iri in wanted:
        options = known.get(iri)
        if options is None:
            options = known[iri] = _label_candidates(reader, iri)
        if options:
            best = min((language_rank(lang, langs), order, text, lang)
                       for order, text, lang in options)
            found[iri] = best[2:]
    return found


def label_or_name(iri: str, labels: dict[str, tuple[str, str]]) -> str:
    if iri in labels:
        return labels[iri][0]
    if iri in KNOWN_LABELS:
        return KNOWN_LABELS[iri]
    short = shorten(iri)
    return short.rsplit("/", 1)[-1] if short.startswith("id/") else short


def local_path(iri: str) -> str | None:
    """The server path of a minted IRI under the base (``/id/...``), else None."""
    base = get_config().base_iri
    if iri.startswith(base) and iri[len(base) :].startswith("id/"):
        return "/" + iri[len(base) :]
    return None


def resource_url(iri: str, **params: str) -> str:
    """Where the HTML page of ``iri`` lives (minted IRIs under /id/, others via /resource).

    A language the reader chose with ``?lang=`` is carried along, so it sticks while browsing.
    """
    chosen = request.args.get("lang", "").strip()
    if chosen and "lang" not in params and chosen.replace("-", "").isalnum():
        params = {**params, "lang": chosen}
    path = local_path(iri)
    if path is not None and _serves_id_paths():
        if params:
            from urllib.parse import urlencode

            return f"{path}?{urlencode(params)}"
        return path
    return url_for("browse.resource", iri=iri, **params)  # type: ignore[arg-type]


def _serves_id_paths() -> bool:
    """Whether this app routes /id/... itself (asked once per app: it never changes)."""
    from flask import current_app

    known = current_app.extensions.get("corridor.serves_id_paths")
    if known is None:
        adapter = current_app.url_map.bind("localhost")
        try:
            adapter.match("/id/project/x", method="GET")
            known = True
        except Exception:  # noqa: BLE001 - any routing failure means "not served"
            known = False
        current_app.extensions["corridor.serves_id_paths"] = known
    return bool(known)
