"""Large graphs are sent while they are serialised; small ones whole, with a Content-Length."""

from __future__ import annotations

import threading
import time

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic

from corridor.web import streaming
from tests.sparql.conftest import BASE, EX

BIG = BASE + "graph/gsp-test/streamed"


def big_graph_quads(n: int = 15_000) -> list[ox.Quad]:
    return [ox.Quad(ox.NamedNode(f"{EX}item/{i}"), ox.NamedNode(f"{EX}note"),
                    ox.Literal(f"note {i} " + "x" * 80)) for i in range(n)]


def test_a_large_graph_is_streamed_and_arrives_complete(live):
    quads = big_graph_quads()
    with live.store.transaction("big graph") as txn:
        txn.replace_graph(BIG, quads)
    try:
        r = requests.get(live.graph_store, params={"graph": BIG},
                         headers={"Accept": "application/n-triples"})
        assert r.status_code == 200
        assert "Content-Length" not in r.headers
        assert r.headers.get("Transfer-Encoding") == "chunked"
        expected = Graph().parse(data=ox.serialize([q.triple for q in quads],
                                                   format=ox.RdfFormat.N_TRIPLES), format="nt")
        assert isomorphic(Graph().parse(data=r.content, format="nt"), expected)
    finally:
        with live.store.transaction("clean up") as txn:
            txn.drop_graph(BIG)


def test_a_small_graph_is_sent_whole_with_its_length(live):
    graph = BASE + "graph/test/gamma"
    r = requests.get(live.graph_store, params={"graph": graph}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert int(r.headers["Content-Length"]) == len(r.content)


def test_a_consumer_that_leaves_stops_the_producer():
    def endless(out) -> None:
        while True:
            out.write(b"x" * 4096)

    body = streaming.serialise(endless)
    assert not isinstance(body, bytes)
    next(body)
    body.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(
            t.name == "corridor-dump" for t in threading.enumerate()):
        time.sleep(0.05)
    assert not any(t.name == "corridor-dump" for t in threading.enumerate())


def test_an_error_before_the_first_byte_is_raised_to_the_caller():
    def failing(out) -> None:
        out.write(b"partial")
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        streaming.serialise(failing)
