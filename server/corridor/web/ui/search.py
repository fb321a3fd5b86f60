"""The search page over the full-text index of :mod:`corridor.derived.search`."""

from __future__ import annotations

from flask import (
    Response,
    jsonify,
    request,
    url_for,
)

from corridor.derived import figures as figures
from corridor.derived.search import index_for
from corridor.web import labels as lbl
from corridor.web.context import get_store
from corridor.web.ui.common import (
    PAGE_SIZE,
    bp,
    page_number,
    render_page,
    types_of,
    wants_json,
)


@bp.get("/search")
def search() -> Response:
    text = request.args.get("q", "").strip()[:200]
    page = page_number()
    index = index_for(get_store())
    hits = index.search(text, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE) if text else []
    indexing = index.building  # results may miss the newest data (or be empty, the first time)
    more = len(hits) > PAGE_SIZE
    hits = hits[:PAGE_SIZE]
    langs = lbl.preferred_languages()
    labels = lbl.fetch_labels([h.iri for h in hits], langs)
    types = types_of([h.iri for h in hits])
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
    if wants_json():
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
    return render_page(
        "search.html",
        title=f"Search: {text}" if text else "Search",
        q=text,
        results=results,
        page=page,
        more=more,
        indexing=indexing,
    )


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
