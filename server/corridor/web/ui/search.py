"""The search page over the full-text index of :mod:`corridor.derived.search`.

Results leave out the plumbing of the graph (provenance records, participations, amounts,
addresses, checksums, shapes) unless a type filter asks for it, collapse resources that read
the same (three NUTS levels all called "Hamburg" are one result with the others named), and can
be filtered by type and country. A miss suggests a spelling and other ways in.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pyoxigraph as ox
from flask import Response, request, url_for

from corridor.derived.figures import stats_for
from corridor.derived.search import index_for
from corridor.rdf.namespaces import COR, SKOS
from corridor.web import labels as lbl
from corridor.web.context import get_store
from corridor.web.ui import i18n
from corridor.web.ui.common import PAGE_SIZE, bp, listing, page_number, types_of

PROV = "http://www.w3.org/ns/prov#"
PLUMBING = {
    f"{PROV}Entity", f"{PROV}Activity", f"{PROV}Agent", "http://spdx.org/rdf/terms#Checksum",
    f"{COR}Participation", f"{COR}MonetaryAmount", f"{COR}Address",
    "http://www.w3.org/ns/shacl#NodeShape", "http://www.w3.org/ns/shacl#PropertyShape",
    "http://www.w3.org/ns/shacl#SPARQLConstraint",
}
CANDIDATES = 300  # ranked hits looked at per query (then filtered, collapsed and paged)
NUTS = "http://data.europa.eu/nuts/code/"
COLUMNS = (("iri", "IRI"), ("label", "Label"), ("types", "Types"), ("field", "Matched"),
           ("match", "Match"), ("url", "Page"))


@bp.get("/search")
def search() -> Response:
    """Resources whose names, acronyms, descriptions or places match the words of ``q``."""
    text = request.args.get("q", "").strip()[:200]
    wanted_type = request.args.get("type", "").strip()
    wanted_country = request.args.get("country", "").strip()
    page = page_number()
    index = index_for(get_store())
    too_short = bool(text) and not any(len(w) > 1 for w in text.split())
    hits = index.search(text, limit=CANDIDATES) if text and not too_short else []
    suggestion = corrected = None
    if text and not hits and not too_short:
        suggestion = index.suggest(text)
        if suggestion:
            hits = index.search(suggestion, limit=CANDIDATES)
            corrected = suggestion if hits else None
    langs = lbl.preferred_languages()
    types, countries = _facts_of([h.iri for h in hits])
    kept = [
        h for h in hits
        if (wanted_type in types.get(h.iri, []) if wanted_type
            else not PLUMBING.intersection(types.get(h.iri, [])) and "/graph/" not in h.iri)
    ]
    type_counts = Counter(t for h in kept for t in types.get(h.iri, []))
    if wanted_type:
        type_counts = Counter(t for h in hits for t in types.get(h.iri, []))
    country_counts = Counter(c for h in kept for c in countries.get(h.iri, ()))
    if wanted_country:
        kept = [h for h in kept if wanted_country in countries.get(h.iri, ())]
    labels = lbl.fetch_labels(
        [h.iri for h in kept] + list(type_counts) + list(country_counts) + [wanted_country],
        langs,
    )
    results = _collapsed(kept, labels, types, text)
    more = len(results) > page * PAGE_SIZE
    shown = _with_links(results[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    options = lambda counts: sorted(  # noqa: E731
        ({"iri": k, "label": lbl.label_or_name(k, labels), "count": n} for k, n in counts.items()),
        key=lambda o: (-o["count"], i18n.sort_key(o["label"])),
    )
    data = {
        "query": text,
        "page": page,
        "results": shown,
        "total": len(results),
        "suggestion": corrected or suggestion,
        "indexing": index.building,
        "next": url_for(
            "browse.search", q=text, page=page + 1, format="json", **_filters()  # type: ignore[arg-type]
        ) if more else None,
    }
    title = i18n.translate("Search")
    return listing(
        "search.html",
        shown,
        COLUMNS,
        data=data,
        title=f"{title}: {text}" if text else title,
        q=text,
        results=shown,
        total=len(results),
        page=page,
        more=more,
        too_short=too_short,
        suggestion=suggestion,
        corrected=corrected,
        indexing=index.building,
        type_options=options(type_counts)[:20],
        country_options=options(country_counts)[:40],
        wanted_type=wanted_type,
        wanted_country=wanted_country,
    )


def _filters() -> dict[str, str]:
    return {k: request.args[k] for k in ("type", "country", "lang") if request.args.get(k)}


def _collapsed(hits: list, labels: dict, types: dict, text: str) -> list[dict[str, Any]]:
    """One result per (label, types): the others become "also" links (NUTS levels, copies)."""
    out: list[dict[str, Any]] = []
    seen: dict[tuple, dict[str, Any]] = {}
    type_labels = lbl.fetch_labels({t for ts in types.values() for t in ts})
    for h in hits:
        label = lbl.label_or_name(h.iri, labels)
        # "NUTS region" says more than "skos:Concept"; the graph's own classes more than the
        # equivalent classes of other vocabularies (eurio:Organization, org:Organization)
        own = [t for t in types.get(h.iri, []) if t.startswith(COR)] or types.get(h.iri, [])
        if len(own) > 1:
            own = [t for t in own if t != f"{SKOS}Concept"]
        kinds = [lbl.label_or_name(t, type_labels) for t in own]
        key = (i18n.sort_key(label), tuple(sorted(kinds)))
        if key in seen:
            seen[key]["also"].append({"name": _short_name(h.iri), "iri": h.iri})
            continue
        result = {
            "iri": h.iri,
            "label": label,
            "types": kinds,
            "code": _short_name(h.iri) if h.iri.startswith(NUTS) else None,
            "field": h.field,
            "match": h.text if len(h.text) <= 300 else (h.text, text),  # snippet when shown
            "lang": h.lang or None,
            "score": round(h.score, 3),
            "also": [],
        }
        seen[key] = result
        out.append(result)
    return out


def _with_links(shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The page links and snippets of the results shown (of up to :data:`CANDIDATES` ranked:
    made for one page only)."""
    for result in shown:
        result["url"] = lbl.resource_url(result["iri"])
        if isinstance(result["match"], tuple):
            result["match"] = _snippet(*result["match"])
        for other in result["also"]:
            other["url"] = lbl.resource_url(other["iri"])
    return shown


def _facts_of(iris: list[str]) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    """(types, countries) of each IRI, from the version's cache or looked up."""
    store = get_store()
    # the same resources come back search after search: ~3 index lookups per hit, 300 hits
    known = lbl.version_cache(store, "corridor.search-facts", 100_000).for_version(
        store.reader(), store.version, store.config)
    missing = [i for i in dict.fromkeys(iris) if i not in known]
    if missing:
        types = types_of(missing)
        countries = _countries_of(missing, types)
        for iri in missing:
            known[iri] = (types[iri], countries[iri])
    return ({i: known[i][0] for i in iris}, {i: known[i][1] for i in iris})


def _short_name(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _countries_of(iris: list[str], types: dict[str, list[str]]) -> dict[str, set[str]]:
    """The countries a hit is in (index lookups and the figures, no queries)."""
    reader = get_store().reader()
    facets = stats_for(get_store()).project_facets
    out: dict[str, set[str]] = {}
    for iri in iris:
        found: set[str] = set()
        if f"{COR}Country" in types.get(iri, []):
            found.add(iri)
        if f"{COR}Project" in types.get(iri, []):
            found |= set(facets.get(iri, {}).get("country", ()))
        for c in lbl.public_objects(reader, iri, f"{COR}country"):
            if isinstance(c, ox.NamedNode):
                found.add(c.value)
        if iri.startswith(NUTS) and len(iri) > len(NUTS) + 1:
            top = NUTS + iri[len(NUTS) : len(NUTS) + 2]
            for c in lbl.public_objects(reader, top, f"{SKOS}exactMatch"):
                if isinstance(c, ox.NamedNode):
                    found.add(c.value)
        out[iri] = found
    return out


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
