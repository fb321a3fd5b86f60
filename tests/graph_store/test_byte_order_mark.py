"""A UTF-8 byte order mark at the start of a document is skipped, as Jena and rdflib do."""

from __future__ import annotations

import gzip

import pyoxigraph as ox
import pytest
import requests

from corridor.config import Config
from corridor.ingest import loader
from corridor.store import open_store
from tests.sparql.conftest import BASE, TOKEN

BOM = b"\xef\xbb\xbf"
TRIPLE = b'<http://example.org/s> <http://example.org/p> "caf\xc3\xa9" .\n'
TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES}


@pytest.mark.parametrize("media_type", list(TYPES))
def test_a_graph_store_put_with_a_byte_order_mark_is_stored(live, media_type):
    graph = BASE + "graph/test/bom-" + media_type.split("/")[1]
    r = requests.put(live.graph_store, params={"graph": graph}, data=BOM + TRIPLE,
                     headers={"Content-Type": media_type, "Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 201, r.text
    (quad,) = live.store.quads(graph)
    assert quad.object == ox.Literal("café")


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".ttl.gz"])
def test_the_loader_skips_a_byte_order_mark(tmp_path, suffix):
    path = tmp_path / f"bom{suffix}"
    data = BOM + TRIPLE
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    store = open_store(Config(store_dir=tmp_path / "store"))
    graph = BASE + "graph/test/bom"
    fmt = ox.RdfFormat.N_TRIPLES if ".nt" in suffix else ox.RdfFormat.TURTLE
    loader.load_one(store, loader.Source(path, graph, fmt))
    (quad,) = store.quads(graph)
    assert quad.object == ox.Literal("café")
