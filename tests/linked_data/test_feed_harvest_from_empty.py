"""A harvester that starts from nothing and only follows the change feed — through Graph Store
PUT, POST (merge and new graph), DELETE, a SPARQL Update and a file load — ends with exactly
the dataset of the full dump, the metadata graph included; whether it reads the Activity Streams
feed or the same log as a Linked Data Event Stream (LDES)."""

from __future__ import annotations

import gzip
import time

import pyoxigraph as ox
import pytest

from corridor.config import Config
from corridor.ingest import loader
from corridor.store import open_store
from corridor.web.app import create_app

TOKEN = "harvest-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EX = "http://example.org/"


def turtle(*names: str) -> bytes:
    return "".join(f'<{EX}{n}> <{EX}name> "{n}" .\n' for n in names).encode()


class Harvester:
    def __init__(self, client) -> None:
        self.client = client
        self.graphs: dict[str, set[ox.Triple]] = {}
        self.position = "/changes?after=0"  # from empty: the whole history

    def fetch(self, path: str) -> bytes | None:
        for _ in range(200):
            response = self.client.get(path)
            if response.status_code != 503:  # the dumps of a new version are being written
                break
            time.sleep(0.05)
        if response.status_code == 404:
            return None
        assert response.status_code == 200, (path, response.status_code)
        return gzip.decompress(response.data)

    def follow(self) -> None:
        """Apply every change not applied yet (Activity Streams pages)."""
        while True:
            page = self.client.get(self.position).get_json()
            for item in page["orderedItems"]:
                self.apply(item)
            self.position = page["current"].replace("http://localhost", "")
            if "next" not in page:
                return

    def apply(self, item: dict) -> None:
        self.refresh(item, item["target"])
        for also in item.get("alsoUpdated", []):  # e.g. the metadata graph (provenance)
            self.refresh({"type": "Update"}, also)

    def refresh(self, item: dict, target: dict) -> None:
        url = target["url"].replace("http://localhost", "")
        if url.endswith(".nq.gz"):  # the whole dataset changed
            self.graphs = dataset(self.fetch(url) or b"")
        elif item["type"] == "Delete":
            self.graphs.pop(target["id"], None)
        else:
            data = self.fetch(url)
            if data is None:
                self.graphs.pop(target["id"], None)
            else:
                quads = ox.parse(data, format=ox.RdfFormat.TURTLE)
                self.graphs[target["id"]] = {q.triple for q in quads}


class LdesHarvester(Harvester):
    """The same harvester reading the LDES view: members in change order, pages linked by
    ``tree:GreaterThanRelation``; it remembers the sequence number of the last member."""

    def __init__(self, client) -> None:
        super().__init__(client)
        self.seen = 0

    def follow(self) -> None:
        node = f"/changes/ldes?after={self.seen}"
        while node:
            response = self.client.get(node, headers={"Accept": "text/turtle"})
            assert response.status_code == 200, response.data
            page = {q.triple for q in ox.parse(response.data, format=ox.RdfFormat.TURTLE,
                                              base_iri="http://localhost/")}
            for entry in sorted(members(page), key=lambda e: e["seq"]):
                self.apply(entry)
                self.seen = entry["seq"]
            nexts = [o.value for s, p, o in page if p.value == TREE + "node"]
            node = nexts[0].replace("http://localhost", "") if nexts else ""


TREE, AS, COR = ("https://w3id.org/tree#", "https://www.w3.org/ns/activitystreams#",
                 "https://w3id.org/corridor/ontology#")


def members(page: set[ox.Triple]) -> list[dict]:
    """The page's members as feed items (type, target and alsoUpdated with their dump URLs)."""
    def objects(subject: ox.NamedNode, predicate: str) -> list:
        return [t.object for t in page if t.subject == subject and t.predicate.value == predicate]

    def collection(node: ox.NamedNode) -> dict:
        return {"id": node.value, "url": objects(node, AS + "url")[0].value}

    found = []
    for t in page:
        if t.predicate.value == TREE + "member":
            m = t.object
            found.append({
                "seq": int(objects(m, COR + "changeSequence")[0].value),
                "type": objects(m, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")[0]
                .value.rsplit("#", 1)[1],
                "target": collection(objects(m, AS + "target")[0]),
                "alsoUpdated": [collection(n) for n in objects(m, COR + "alsoUpdated")],
            })
    return found


def dataset(nquads: bytes) -> dict[str, set[ox.Triple]]:
    graphs: dict[str, set[ox.Triple]] = {}
    for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        graphs.setdefault(q.graph_name.value, set()).add(q.triple)
    return graphs


@pytest.mark.parametrize("kind", [Harvester, LdesHarvester], ids=["activity-streams", "ldes"])
def test_following_the_feed_from_empty_ends_equal_to_the_dump(tmp_path, kind):
    store = open_store(Config(store_dir=tmp_path / "store", write_token=TOKEN))
    config = store.config
    client = create_app(config, store).test_client()
    harvester = kind(client)
    a, b, c, d = (config.graph_iri(f"test/{n}") for n in "abcd")
    turtle_headers = {**AUTH, "Content-Type": "text/turtle"}

    assert client.put("/graph-store", query_string={"graph": a}, data=turtle("a1"),
                      headers=turtle_headers).status_code == 201
    assert client.put("/graph-store", query_string={"graph": b}, data=turtle("b1"),
                      headers=turtle_headers).status_code == 201
    harvester.follow()
    assert client.post("/graph-store", query_string={"graph": a}, data=turtle("a2"),
                       headers=turtle_headers).status_code == 204
    created = client.post("/graph-store", data=turtle("new"), headers=turtle_headers)
    assert created.status_code == 201
    assert client.delete("/graph-store", query_string={"graph": b},
                         headers=AUTH).status_code == 204
    update = f'INSERT DATA {{ GRAPH <{c}> {{ <{EX}c1> <{EX}name> "c1" }} }}'
    assert client.post("/sparql", data={"update": update}, headers=AUTH).status_code == 204
    harvester.follow()
    source = tmp_path / "d.ttl"
    source.write_bytes(turtle("d1", "d2"))
    loader.load_one(store, loader.Source(source, d, ox.RdfFormat.TURTLE))
    harvester.follow()

    expected = dataset(harvester.fetch("/dumps/all.nq.gz") or b"")
    assert config.meta_graph in harvester.graphs
    assert b not in harvester.graphs
    assert created.headers["Location"] in harvester.graphs
    assert harvester.graphs.keys() == expected.keys()
    for graph, triples in expected.items():
        assert harvester.graphs[graph] == triples, graph
