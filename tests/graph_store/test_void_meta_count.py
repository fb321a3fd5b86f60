"""VoID counts each graph as it is served: the metadata graph's subset counts only what the
public may read of it (nothing about withheld graphs), the same number a Graph Store GET
returns."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph, Namespace, URIRef

from corridor.web.app import create_app

from .test_metadata_graph import loaded  # noqa: F401 - the fixture

VOID = Namespace("http://rdfs.org/ns/void#")


def test_the_metadata_subset_counts_what_is_served(loaded):  # noqa: F811
    store, personal, public = loaded
    config = store.config
    client = create_app(config, store).test_client()
    served = Graph().parse(data=client.get(
        "/graph-store", query_string={"graph": config.meta_graph},
        headers={"Accept": "text/turtle"}).data, format="turtle")
    void = Graph().parse(data=client.get("/.well-known/void",
                                         headers={"Accept": "text/turtle"}).data, format="turtle")
    subset = URIRef(config.meta_graph)
    (count,) = [int(o) for o in void.objects(subset, VOID.triples)] or [
        int(o) for s in void.subjects(None, subset) for o in void.objects(s, VOID.triples)][:1]
    everything = sum(1 for _ in store.reader().quads_for_pattern(
        None, None, None, ox.NamedNode(config.meta_graph)))
    assert count == len(served)
    assert count < everything  # the operator's own view has more
