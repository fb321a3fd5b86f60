"""The change log as a Linked Data Event Stream: an ``ldes:EventStream`` whose view pages hold one
member per change, linked onwards by a ``tree:GreaterThanRelation``; each member dereferences."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from corridor.config import Config
from corridor.store import open_store
from corridor.web import feed
from corridor.web.app import create_app

TOKEN = "ldes-token"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
ROOT = "http://localhost"
LDES, TREE = "https://w3id.org/ldes#", "https://w3id.org/tree#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@pytest.fixture()
def client(tmp_path):
    store = open_store(Config(store_dir=tmp_path / "store", write_token=TOKEN))
    client = create_app(store.config, store).test_client()
    for n in range(3):
        graph = store.config.graph_iri(f"test/ldes-{n}")
        assert client.put("/graph-store", query_string={"graph": graph},
                          data=f'<http://example.org/s{n}> <http://example.org/p> "{n}" .',
                          headers=AUTH).status_code == 201
    return client


def triples(response) -> set[ox.Triple]:
    assert response.status_code == 200, response.data
    return {q.triple for q in ox.parse(response.data, format=ox.RdfFormat.TURTLE)}


def test_the_stream_names_its_timestamp_and_version_paths_and_its_view(client):
    got = triples(client.get("/changes/ldes", headers={"Accept": "text/turtle"}))
    stream = ox.NamedNode(ROOT + "/changes/ldes")
    assert ox.Triple(stream, RDF_TYPE, ox.NamedNode(LDES + "EventStream")) in got
    assert ox.Triple(stream, ox.NamedNode(LDES + "timestampPath"),
                     ox.NamedNode("http://www.w3.org/ns/prov#generatedAtTime")) in got
    assert ox.Triple(stream, ox.NamedNode(LDES + "versionOfPath"),
                     ox.NamedNode("http://purl.org/dc/terms/isVersionOf")) in got
    assert ox.Triple(stream, ox.NamedNode(TREE + "view"),
                     ox.NamedNode(ROOT + "/changes/ldes?after=0")) in got
    members = [t.object for t in got if t.predicate.value == TREE + "member"]
    assert len(members) == 3


def test_pages_link_onwards_until_every_member_was_seen(client, monkeypatch):
    monkeypatch.setattr(feed, "PAGE_SIZE", 2)
    seen, node, pages = [], "/changes/ldes?after=0", 0
    while node:
        got = triples(client.get(node, headers={"Accept": "text/turtle"}))
        seen += [t.object.value for t in got if t.predicate.value == TREE + "member"]
        greater = ox.NamedNode(TREE + "GreaterThanRelation")
        relations = [t.subject for t in got if t.object == greater]
        nexts = [t.object.value for t in got if t.predicate.value == TREE + "node"]
        assert len(relations) == len(nexts) <= 1
        node = nexts[0].replace(ROOT, "") if nexts else ""
        pages += 1
    assert pages == 2
    assert sorted(seen) == [f"{ROOT}/changes/{n}" for n in (1, 2, 3)]


def test_a_member_dereferences_to_what_its_page_says(client):
    page = triples(client.get("/changes/ldes?after=1", headers={"Accept": "text/turtle"}))
    member = ox.NamedNode(ROOT + "/changes/2")
    about = {t for t in page if t.subject == member}
    alone = triples(client.get("/changes/2", headers={"Accept": "text/turtle"}))
    assert about and about <= alone
    assert client.get("/changes/99", headers={"Accept": "text/turtle"}).status_code == 404


def test_the_stream_is_offered_in_every_rdf_format(client):
    for media, fmt in (("application/n-triples", ox.RdfFormat.N_TRIPLES),
                       ("application/rdf+xml", ox.RdfFormat.RDF_XML),
                       ("application/ld+json", ox.RdfFormat.JSON_LD)):
        response = client.get("/changes/ldes", headers={"Accept": media})
        assert response.status_code == 200 and response.mimetype == media
        assert len(list(ox.parse(response.data, format=fmt))) > 10
    assert client.get("/changes/ldes", headers={"Accept": "image/png"}).status_code == 406
