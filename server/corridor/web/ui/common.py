"""What every page of the browser shares: the blueprint, page rendering, formats, vendor files."""

from __future__ import annotations

import json
import logging
import mimetypes
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
)

from corridor.derived import figures as figures
from corridor.derived.figures import stats_for
from corridor.resources import vendor_file
from corridor.web import labels as lbl
from corridor.web.context import get_store

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


def memo_view(name: str, compute, *args: object):
    """Per store version and reader language: views are computed once, then served."""
    stats = stats_for(get_store())
    return stats.memo((name, lbl.current_language(), *args), compute)


def figures_time(stats) -> datetime | None:
    if stats.computed_at is None:
        return None
    return datetime.fromtimestamp(stats.computed_at, UTC)


def render_page(template: str, status: int = 200, **context: Any) -> Response:
    context.setdefault("nav_lang", lbl.current_language() if request.args.get("lang") else None)
    response = make_response(render_template(template, **context), status)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers.setdefault("Vary", "Accept, Accept-Language")
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; font-src 'self' data:"
    )
    return response


def wants_json() -> bool:
    if request.args.get("format") == "json":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes["application/json"] > request.accept_mimetypes["text/html"]
    )


def cached_json(data: Any) -> Response:
    response = jsonify(data)
    response.set_etag(f"v{get_store().version}-{request.full_path}")
    return response.make_conditional(request)


def page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


def network_level() -> str:
    level = request.args.get("level", "organisation")
    return level if level in ("organisation", "country", "region") else "organisation"


def params_without(*names: str) -> list[tuple[str, str]]:
    return [(k, v) for k, values in request.args.lists() for v in values if k not in names]


def types_of(iris: list[str]) -> dict[str, list[str]]:
    reader = get_store().reader()
    return {
        i: [
            t.value
            for t in lbl.public_objects(reader, i, lbl.RDF_TYPE)
            if isinstance(t, ox.NamedNode)
        ]
        for i in iris
    }
