"""The metadata graph and the shapes graph are written by the store only: every client write
path refuses them with 403 and a message naming the graph, and the store stays unchanged."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests

from .conftest import BASE, EX, TOKEN, start_server

AUTH = {"Authorization": f"Bearer {TOKEN}"}
META = BASE + "graph/meta"
SHAPES = BASE + "graph/shapes"
TURTLE = {"Content-Type": "text/turtle", **AUTH}
DATA = f"<{EX}x> <{EX}y> <{EX}z> .".encode()


def snapshot(live) -> tuple[int, set, set]:
    reader = live.store.reader()
    return (live.store.version,
            set(reader.quads_for_pattern(None, None, None, ox.NamedNode(META))),
            set(reader.quads_for_pattern(None, None, None, ox.NamedNode(SHAPES))))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A server of its own with something in both protected graphs, written the way the
    store itself does."""
    server = start_server(tmp_path_factory.mktemp("protected"))
    live = next(server)
    if not live.store.graph_exists(SHAPES):
        with live.store.transaction("seed protected graphs") as txn:
            txn.replace_graph(SHAPES, [ox.Quad(ox.NamedNode(EX + "shape"), ox.NamedNode(EX + "p"),
                                               ox.Literal("shape"))])
            txn.set_graph_metadata([ox.Quad(ox.NamedNode(BASE + "graph/test/alpha"),
                                            ox.NamedNode(EX + "loadedFrom"),
                                            ox.Literal("alpha.ttl"))],
                                   BASE + "graph/test/alpha")
    yield live
    server.close()


@pytest.mark.parametrize("graph", [META, SHAPES, "graph/meta", "graph/shapes"])
@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_graph_store_writes_to_a_protected_graph_are_refused(seeded, method, graph):
    live = seeded
    before = snapshot(live)
    response = requests.request(method, live.graph_store, params={"graph": graph},
                                data=DATA if method != "DELETE" else None, headers=TURTLE)
    assert response.status_code == 403, response.text
    assert "only the store itself writes" in response.text
    assert ("metadata graph" if graph.endswith("meta") else "shapes graph") in response.text
    assert snapshot(live) == before


UPDATES = [
    "INSERT DATA {{ GRAPH <{g}> {{ <http://example.org/x> <http://example.org/y> 1 }} }}",
    "DELETE WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}",
    "DELETE {{ GRAPH <{g}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}",
    "WITH <{g}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    "CLEAR GRAPH <{g}>",
    "CLEAR SILENT GRAPH <{g}>",
    "DROP GRAPH <{g}>",
    "CLEAR ALL",
    "DROP NAMED",
    "COPY <" + BASE + "graph/test/alpha> TO <{g}>",
    "MOVE <{g}> TO <" + BASE + "graph/test/moved>",
    "ADD <" + BASE + "graph/test/alpha> TO <{g}>",
    "PREFIX g: <" + BASE + "graph/> INSERT DATA {{ GRAPH g:{name} {{ <urn:a> <urn:b> 1 }} }}",
    "INSERT {{ GRAPH ?g {{ <urn:a> <urn:b> 1 }} }} WHERE {{ VALUES ?g {{ <{g}> }} }}",
    "INSERT DATA {{ GRAPH <graph/{name}> {{ <urn:a> <urn:b> 1 }} }}",
    "INSERT DATA {{ GRAPH <" + BASE + "graph/test/ok> {{ <urn:a> <urn:b> 1 }} }} ; "
    "CLEAR GRAPH <{g}>",
]


@pytest.mark.parametrize("graph", [META, SHAPES])
@pytest.mark.parametrize("template", UPDATES)
def test_sparql_updates_changing_a_protected_graph_are_refused(seeded, template, graph):
    live = seeded
    update = template.format(g=graph, name=graph.rsplit("/", 1)[1])
    before = snapshot(live)
    response = requests.post(live.sparql, data={"update": update}, headers=AUTH)
    assert response.status_code == 403, (update, response.text)
    assert "only the store itself writes" in response.text
    assert snapshot(live) == before


def test_an_update_may_read_the_metadata_graph_to_write_elsewhere(seeded):
    live = seeded
    target = BASE + "graph/test/from-meta"
    update = (f"INSERT {{ GRAPH <{target}> {{ ?s <{EX}noted> ?o }} }} "
              f"WHERE {{ GRAPH <{META}> {{ ?s ?p ?o }} }}")
    response = requests.post(live.sparql, data={"update": update}, headers=AUTH)
    assert response.status_code == 204, response.text
    assert live.store.graph_exists(target)


DATASET_BODIES = {
    "application/trig": "<{g}> {{ <http://example.org/x> <http://example.org/y> 1 }}",
    "application/n-quads": '<http://example.org/x> <http://example.org/y> "1" <{g}> .',
}


@pytest.mark.parametrize("graph", [META, SHAPES])
@pytest.mark.parametrize("media", list(DATASET_BODIES))
@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_a_dataset_body_naming_a_protected_graph_is_refused(seeded, method, media, graph):
    live = seeded
    before = snapshot(live)
    response = requests.request(method, live.graph_store,
                                params={"graph": BASE + "graph/test/other"},
                                data=DATASET_BODIES[media].format(g=graph),
                                headers={**TURTLE, "Content-Type": media})
    assert response.status_code == 403, response.text
    assert f"<{graph}>" in response.text and "only the store itself writes" in response.text
    assert snapshot(live) == before


@pytest.mark.parametrize("media", list(DATASET_BODIES))
def test_a_dataset_body_naming_any_other_graph_is_refused_not_folded_in(seeded, media):
    live = seeded
    before = snapshot(live)
    other = BASE + "graph/test/named-in-body"
    response = requests.put(live.graph_store, params={"graph": BASE + "graph/test/target"},
                            data=DATASET_BODIES[media].format(g=other),
                            headers={**TURTLE, "Content-Type": media})
    assert response.status_code == 400, response.text
    assert f"puts statements in the graph <{other}>" in response.text
    assert snapshot(live) == before
