"""RDF/XML with a DOCTYPE or ENTITY, nested too deep, or cut before its root element closes is
refused whole — over the Graph Store and by the loader — and nothing is stored."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests

from corridor.ingest import loader
from corridor.store import open_store
from tests.sparql.conftest import BASE, TOKEN

RDFXML = {"Content-Type": "application/rdf+xml", "Authorization": f"Bearer {TOKEN}"}
HEAD = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="http://example.org/">')
DOCUMENT = (HEAD + "".join(
    f'<rdf:Description rdf:about="http://example.org/r{i}"><ex:p>{i}</ex:p></rdf:Description>'
    for i in range(3)) + "</rdf:RDF>").encode()
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY a "aaaaaaaaaa">'
          + "".join(f'<!ENTITY {n} "{("&" + p + ";") * 10}">'
                    for p, n in zip("abcdefgh", "bcdefghi", strict=True))
          + "]>" + HEAD + '<rdf:Description rdf:about="http://example.org/s"><ex:p>&i;</ex:p>'
          "</rdf:Description></rdf:RDF>").encode()
EXTERNAL = ('<?xml version="1.0"?><!DOCTYPE rdf:RDF SYSTEM "http://127.0.0.1:9/x.dtd">'
            + HEAD + "</rdf:RDF>").encode()
PARAMETER = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'
             + HEAD + "</rdf:RDF>").encode()
DEEP = (HEAD + '<rdf:Description rdf:about="http://example.org/s">'
        + '<ex:p rdf:parseType="Resource">' * 1000 + "</ex:p>" * 1000
        + "</rdf:Description></rdf:RDF>").encode()
CUT_POINTS = [len(HEAD) + 5, len(DOCUMENT) // 3, len(DOCUMENT) // 2, len(DOCUMENT) - 11,
              len(DOCUMENT) - 1]


def put(live, graph: str, body: bytes) -> requests.Response:
    return requests.put(live.graph_store, params={"graph": graph}, data=body, headers=RDFXML)


@pytest.mark.parametrize(("body", "message"), [
    (LAUGHS, "DOCTYPE"), (EXTERNAL, "DOCTYPE"), (PARAMETER, "DOCTYPE"), (DEEP, "nest more than"),
] + [(DOCUMENT[:cut], "") for cut in CUT_POINTS])
def test_a_refused_rdfxml_put_is_400_and_stores_nothing(live, body, message):
    graph = BASE + "graph/test/rdfxml-refused"
    version = live.store.version
    response = put(live, graph, body)
    assert response.status_code == 400, response.text
    assert "application/rdf+xml" in response.text and message in response.text
    assert live.store.version == version
    assert not live.store.graph_exists(graph)


def test_every_cut_point_of_a_document_is_refused(live):
    from corridor.ingest.rdfxml_guard import RdfXmlRefused, check_rdfxml

    check_rdfxml(DOCUMENT)
    for cut in range(len(DOCUMENT)):
        with pytest.raises(RdfXmlRefused):
            check_rdfxml(DOCUMENT[:cut])


def test_the_whole_document_is_accepted(live):
    graph = BASE + "graph/test/rdfxml-ok"
    assert put(live, graph, DOCUMENT).status_code == 201
    assert sum(1 for _ in live.store.quads(graph)) == 3


@pytest.mark.parametrize("body", [LAUGHS, DEEP, DOCUMENT[: len(DOCUMENT) // 2]])
def test_the_loader_refuses_the_same_files(tmp_path, body):
    from corridor.config import Config

    store = open_store(Config(store_dir=tmp_path / "store"))
    path = tmp_path / "bad.rdf"
    path.write_bytes(body)
    version = store.version
    with pytest.raises(loader.InputError, match="bad.rdf"):
        loader.load_one(store, loader.Source(path, BASE + "graph/test/bad", ox.RdfFormat.RDF_XML))
    assert store.version == version
