"""HTTP validators for every response: ETag and Last-Modified from the store version (RFC 9110).

Everything Corridor serves is a function of (store version, request), so one rule covers every
blueprint: a successful GET/HEAD gets a weak ETag hashed from the store version and the request
parts that select the representation (path, query, Accept, Accept-Language, credentials), and
``Last-Modified`` = the time of the last write. Because the tag can be computed *before* the
view runs, a matching ``If-None-Match`` is answered 304 without doing the work.

:func:`install` registers the hooks app-wide (the linked-data blueprint does it through
``after_app_request``, so no app change is needed). Every response also carries
``Link: </.well-known/void>; rel="describedby"`` so crawlers find the dataset description.
"""

from __future__ import annotations

import hashlib
from email.utils import format_datetime

from flask import Blueprint, Request, Response, request

from .context import get_store

DESCRIBED_BY = '</.well-known/void>; rel="describedby"; type="text/turtle", ' \
    '</catalog>; rel="describedby"; type="text/turtle"'
_SELECTING_HEADERS = ("Accept", "Accept-Language", "Authorization")


def etag_for(req: Request) -> str:
    """The (weak) entity tag the current store version gives the response to ``req``."""
    store = get_store()
    parts = [str(store.version), store.modified.isoformat(), req.path,
             req.query_string.decode("latin-1")]
    parts += [req.headers.get(h, "") for h in _SELECTING_HEADERS]
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:20]
    return f"{store.version}-{digest}"


def not_modified_early() -> Response | None:
    """Answer a conditional GET/HEAD with 304 before the view runs when the tag matches."""
    if request.method not in ("GET", "HEAD"):
        return None
    tags = request.if_none_match
    if not tags:
        return None
    tag = etag_for(request)
    if tags.contains_weak(tag) or tags.star_tag:
        response = Response(status=304)
        _set_validators(response, tag)
        return response
    return None


def add_validators(response: Response) -> Response:
    """Give a successful GET/HEAD response ETag + Last-Modified, then apply the conditions."""
    response.headers.setdefault("Link", DESCRIBED_BY)
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if "no-store" in (response.headers.get("Cache-Control") or ""):
        return response
    if response.headers.get("ETag") is None:
        _set_validators(response, etag_for(request))
    return response.make_conditional(request)


def _set_validators(response: Response, tag: str) -> None:
    response.set_etag(tag, weak=True)
    response.headers["Last-Modified"] = format_datetime(get_store().modified, usegmt=True)
    response.headers.setdefault("Link", DESCRIBED_BY)


def install(blueprint: Blueprint) -> None:
    """Register the validator hooks for the whole application through ``blueprint``."""
    blueprint.before_app_request(not_modified_early)
    blueprint.after_app_request(add_validators)
