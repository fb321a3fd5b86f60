"""Parsing answers back into data: solution multisets and rdflib graphs."""

from __future__ import annotations

import io
from collections import Counter

import rdflib
from rdflib.query import Result

RESULT_FORMATS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


def media_type(response) -> str:
    return response.headers["Content-Type"].split(";")[0].strip()


def result_of(response) -> Result:
    return Result.parse(io.BytesIO(response.content), format=RESULT_FORMATS[media_type(response)])


def solutions(response) -> Counter:
    """The SELECT answer as a multiset of {variable name: plain value} rows."""
    result = result_of(response)
    return Counter(
        frozenset((str(k), str(v)) for k, v in row.items() if v is not None)
        for row in result.bindings
    )


def rows(*dicts: dict) -> Counter:
    return Counter(frozenset(d.items()) for d in dicts)


def boolean(response) -> bool:
    return bool(result_of(response).askAnswer)


def graph(response) -> rdflib.Graph:
    fmt = GRAPH_FORMATS[media_type(response)]
    if fmt in ("trig", "nquads"):
        dataset = rdflib.Dataset()
        dataset.parse(data=response.content, format=fmt)
        g = rdflib.Graph()
        for s, p, o, _ in dataset.quads():
            g.add((s, p, o))
        return g
    return rdflib.Graph().parse(data=response.content, format=fmt)


def turtle(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="turtle")


def client_at(address: str):
    """A ``requests`` session whose connections come from ``address`` (e.g. ``127.0.0.2``: all of
    127/8 is this machine), so one test can act as several clients of the server."""
    import requests
    from requests.adapters import HTTPAdapter

    class FromAddress(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            kwargs["source_address"] = (address, 0)
            super().init_poolmanager(*args, **kwargs)

    session = requests.Session()
    session.mount("http://", FromAddress())
    return session
