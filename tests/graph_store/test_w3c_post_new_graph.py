"""The W3C Graph Store Protocol test ``post_get_new_graph``, replayed from its manifest: POST to
the graph store creates a graph whose IRI is the Location, and ``GET ?graph=$LOCATION$``
returns it."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from rdflib import Graph, Namespace
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from tests.sparql.conftest import TOKEN

MANIFEST = Path("/work/shared/w3c-tests/rdf-tests/sparql/sparql11/graph-store-protocol/"
                "manifest-indirect.ttl")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")


@pytest.mark.skipif(not MANIFEST.exists(), reason="W3C test data not available")
def test_post_get_new_graph(live):
    manifest = Graph().parse(MANIFEST, format="turtle")
    test = next(s for s in manifest.subjects(MF.name, None)
                if str(s).endswith("post_get_new_graph"))
    action = manifest.value(test, MF.action)
    post, get = Collection(manifest, manifest.value(action, HT.requests))
    body = str(manifest.value(manifest.value(post, HT.body), CNT.chars))
    created = requests.post(live.graph_store, data=body.encode(), headers={
        "Content-Type": "text/turtle; charset=utf-8", "Authorization": f"Bearer {TOKEN}"})
    assert created.status_code == 201
    location = created.headers["Location"]
    path = str(manifest.value(get, HT.absolutePath)).replace("$LOCATION$", location)
    answer = requests.get(live.url + path.replace("/gsp", "/graph-store", 1),
                          headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/turtle; charset=utf-8"
    expected = str(manifest.value(manifest.value(manifest.value(get, HT.resp), HT.body),
                                  CNT.chars))
    assert isomorphic(Graph().parse(data=answer.text, format="turtle"),
                      Graph().parse(data=expected, format="turtle"))
