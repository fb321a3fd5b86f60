"""HTTP validators for every response: ETag and Last-Modified from the store version (RFC 9110).

Everything Corridor serves is a function of (store version, request), so one rule covers every
blueprint: a successful GET/HEAD gets a weak ETag hashed from the store version and the request
parts that select the representation (path, query, Accept, Accept-Language, credentials), and
``Last-Modified`` = the time of the last write. Because the tag can be computed *before* the
view runs, a matching ``If-None-Match`` is answered 304 without doing the work.

:func:`install` registers the hooks on the app (the app factory calls it). Every response
also carries
``Link: </.well-known/void>; rel="describedby"`` so crawlers find the dataset description.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime
from email.utils import format_datetime
from typing import cast

from flask import Flask, Request, Response, request

from corridor.web.context import get_store

DESCRIBED_BY = '</.well-known/void>; rel="describedby"; type="text/turtle", ' \
    '</catalog>; rel="describedby"; type="text/turtle"'
_SELECTING_HEADERS = ("HTTP_ACCEPT", "HTTP_ACCEPT_LANGUAGE", "HTTP_AUTHORIZATION")
_CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH",
                        "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_RANGE", "HTTP_RANGE")


def etag_for(req: Request) -> str:
    """The (weak) entity tag the current store version gives the response to ``req``."""
    store = get_store()
    environ = req.environ
    parts = [str(store.version), store.modified.isoformat(), req.path,
             environ.get("QUERY_STRING", "")]
    parts += [environ.get(h, "") for h in _SELECTING_HEADERS]
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:20]
    return f"{store.version}-{digest}"


def not_modified_early() -> Response | None:
    """Answer a conditional GET/HEAD with 304 before the view runs when the tag matches."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    if req.method not in ("GET", "HEAD") or "HTTP_IF_NONE_MATCH" not in req.environ:
        return None
    tags = req.if_none_match
    if not tags:
        return None
    tag = etag_for(req)
    if tags.contains_weak(tag) or tags.star_tag:
        response = Response(status=304)
        _set_validators(response, tag)
        return response
    return None


def add_validators(response: Response) -> Response:
    """Give a successful GET/HEAD response ETag + Last-Modified, then apply the conditions."""
    headers = response.headers
    if "Link" not in headers:
        headers["Link"] = DESCRIBED_BY
    req = request._get_current_object()  # type: ignore[attr-defined]
    if req.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if "no-store" in (headers.get("Cache-Control") or ""):
        return response
    if "ETag" not in headers:
        _set_validators(response, etag_for(req))
    environ = req.environ
    if not any(h in environ for h in _CONDITIONAL_HEADERS):
        return response  # nothing to evaluate (make_conditional costs ~70 µs per request)
    return cast(Response, response.make_conditional(req))


def _set_validators(response: Response, tag: str) -> None:
    response.headers["ETag"] = f'W/"{tag}"'
    response.headers["Last-Modified"] = _http_date(get_store().modified)
    if "Link" not in response.headers:
        response.headers["Link"] = DESCRIBED_BY


@functools.lru_cache(maxsize=4)
def _http_date(moment: datetime) -> str:
    """RFC 9110 date of ``moment`` (memoised: it changes once per write)."""
    return format_datetime(moment, usegmt=True)


def install(app: Flask) -> None:
    """Give every successful GET/HEAD of ``app`` its validators and answer 304 early."""
    app.before_request(not_modified_early)
    app.after_request(add_validators)
