"""A minimal client of the W3C SPARQL 1.1 Protocol (query and update) for the remote backend.

Standard library only (``urllib``): POST with ``application/x-www-form-urlencoded`` bodies
(SPARQL 1.1 Protocol §2.1.2 and §2.2.1), so dataset lists of any length fit; HTTP Basic or
Digest authentication, whichever the server challenges with (Virtuoso's ``/sparql-auth`` uses
Digest). Results are parsed by pyoxigraph, so every term is a pyoxigraph term.
"""

from __future__ import annotations

import functools
import io
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from http.client import HTTPResponse
from typing import Any

import pyoxigraph as ox

from corridor.store.base import StoreError

RESULTS_JSON = "application/sparql-results+json"
ACCEPT_ANY = f"{RESULTS_JSON}, application/n-triples;q=0.9, text/turtle;q=0.8"
ACCEPT_GRAPH = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8"
# Virtuoso labels blank nodes in results "nodeID://b10006", which is no blank node label
_VIRTUOSO_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')


class RemoteError(StoreError):
    """The remote store answered with an error (or not at all)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class SparqlClient:
    """Query and update requests to one remote store's endpoints."""

    def __init__(
        self, query_url: str, update_url: str | None = None, *, user: str | None = None,
        password: str | None = None, timeout: float = 60.0,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.timeout = timeout
        handlers: list[urllib.request.BaseHandler] = []
        if user:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in {self.query_url, self.update_url}:
                passwords.add_password(None, url, user, password or "")
            handlers += [urllib.request.HTTPBasicAuthHandler(passwords),
                         urllib.request.HTTPDigestAuthHandler(passwords)]
        self._opener = urllib.request.build_opener(*handlers)
        self.server: str | None = None  # the Server header of the last answer

    # ------------------------------------------------------------------ raw requests
    def post(
        self, url: str, fields: Iterable[tuple[str, str]], accept: str,
        timeout: float | None = None,
    ) -> HTTPResponse:
        """POST a form; returns the open response (the caller reads and closes it)."""
        body = urllib.parse.urlencode(list(fields)).encode()
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
        try:
            response = self._opener.open(request, timeout=timeout or self.timeout)
            self.server = response.headers.get("Server") or self.server
            return response  # type: ignore[no-any-return]
        except urllib.error.HTTPError as e:
            detail = e.read(2000).decode("utf-8", "replace").strip().splitlines()
            text = detail[0] if detail else e.reason
            raise RemoteError(f"the remote store answered {e.code}: {text}", e.code) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise RemoteError(f"the remote store {url} is unreachable: {reason}") from None

    @staticmethod
    def dataset_fields(
        default: Iterable[str] | None, named: Iterable[str] | None
    ) -> list[tuple[str, str]]:
        fields = [("default-graph-uri", g) for g in default or ()]
        fields += [("named-graph-uri", g) for g in named or ()]
        return fields

    # ------------------------------------------------------------------ parsed results
    def query(
        self, sparql: str, default: Iterable[str] | None = None,
        named: Iterable[str] | None = None, timeout: float | None = None,
    ) -> Any:
        """Run a query; returns ``ox.QuerySolutions``, ``ox.QueryBoolean`` or a list of
        ``ox.Triple`` (CONSTRUCT, DESCRIBE)."""
        fields = [("query", sparql), *self.dataset_fields(default, named)]
        response = self.post(self.query_url, fields, accept_for(sparql), timeout)
        return parse_response(response)

    def update(self, sparql: str, timeout: float | None = None) -> None:
        response = self.post(self.update_url, [("update", sparql)], "*/*", timeout)
        with response:
            response.read()


@functools.lru_cache(maxsize=1024)
def accept_for(sparql: str) -> str:
    """The Accept header for a trusted query (never SERVICE): its form, known by parsing it on
    an empty store (Virtuoso answers a CONSTRUCT asked for results JSON in RDF/JSON)."""
    try:
        probe = ox.Store().query(sparql)
    except (SyntaxError, OSError, ValueError):
        return ACCEPT_ANY
    return ACCEPT_GRAPH if isinstance(probe, ox.QueryTriples) else RESULTS_JSON


def media_type_of(response: HTTPResponse) -> str:
    return (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()


def parse_response(response: HTTPResponse) -> Any:
    """A query response as pyoxigraph results (solutions and booleans) or triples."""
    media_type = media_type_of(response)
    with response:
        data = response.read()
    try:
        if media_type in ("application/n-triples", "text/plain", "text/turtle",
                          "application/x-turtle", "text/n3", "text/rdf+n3"):
            format = (ox.RdfFormat.N_TRIPLES if media_type in ("application/n-triples",
                                                              "text/plain")
                      else ox.RdfFormat.TURTLE)
            return [ox.Triple(t.subject, t.predicate, t.object)
                    for t in ox.parse(data, format=format)]
        if media_type in (RESULTS_JSON, "application/json"):
            data = _VIRTUOSO_BNODE.sub(rb"\1", data)
            return ox.parse_query_results(io.BytesIO(data), ox.QueryResultsFormat.JSON)
        if media_type == "application/sparql-results+xml":
            return ox.parse_query_results(io.BytesIO(data), ox.QueryResultsFormat.XML)
    except SyntaxError as e:
        raise RemoteError(f"the remote store sent unreadable results: {e}") from None
    raise RemoteError(f"the remote store answered in an unexpected format {media_type!r}")
