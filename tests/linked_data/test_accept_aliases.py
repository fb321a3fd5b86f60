"""Linked-data routes accept the media-type aliases ``/sparql`` accepts, answering with the
canonical type, while browsers' Accept headers still get HTML."""

from __future__ import annotations

import pytest
import rdflib
from rdflib import URIRef

from .conftest import BASE

BOOST = URIRef(BASE + "id/project/boost")
ALIASES = {
    "text/n3": ("text/turtle", "turtle"),
    "application/x-turtle": ("text/turtle", "turtle"),
    "application/json": ("application/ld+json", "json-ld"),
    "application/xml": ("application/rdf+xml", "xml"),
    "text/xml": ("application/rdf+xml", "xml"),
    "text/plain": ("application/n-triples", "nt"),
}


@pytest.mark.parametrize("path", ["/id/project/boost", "/ontology", "/graph/projects/boost",
                                  "/.well-known/void", "/catalog", "/changes/ldes"])
@pytest.mark.parametrize("alias", list(ALIASES))
def test_an_alias_gets_its_canonical_format(read_client, path, alias):
    canonical, parser = ALIASES[alias]
    response = read_client.get(path, headers={"Accept": alias})
    assert response.status_code == 200, response.data[:200]
    assert response.headers["Content-Type"].split(";")[0] == canonical
    graph = rdflib.Graph().parse(data=response.data, format=parser)
    assert len(graph) > 0
    if path.startswith("/id/"):
        assert (BOOST, None, None) in graph


def test_a_browser_accept_header_still_gets_html(read_client):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = read_client.get("/id/project/boost", headers={"Accept": accept})
    assert response.headers["Content-Type"].startswith("text/html")


def test_an_unknown_type_is_still_406(read_client):
    assert read_client.get("/id/project/boost", headers={"Accept": "image/png"}).status_code == 406
