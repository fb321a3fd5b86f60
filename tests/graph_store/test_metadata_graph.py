"""The metadata graph, as the public reads it, says nothing about withheld graphs."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from corridor.config import Config
from corridor.ingest import loader
from corridor.store import open_store
from corridor.web.app import create_app

CONTACTS = """<https://w3id.org/corridor/id/person/jane-doe>
    <http://xmlns.com/foaf/0.1/name> "Jane Doe" .
"""
THEMES = """<https://w3id.org/corridor/id/theme/energy>
    <http://www.w3.org/2000/01/rdf-schema#label> "Energy"@en .
"""


@pytest.fixture()
def loaded(tmp_path: Path):
    """A store with one personal and one public graph, both loaded with provenance."""
    store = open_store(Config(store_dir=tmp_path / "store"))
    config = store.config
    personal, public = config.graph_iri("personal/contacts"), config.graph_iri("themes")
    (tmp_path / "contacts.ttl").write_text(CONTACTS)
    (tmp_path / "themes.ttl").write_text(THEMES)
    for name, graph in (("contacts.ttl", personal), ("themes.ttl", public)):
        source = loader.Source(tmp_path / name, graph, ox.RdfFormat.TURTLE)
        loader.load_one(store, source)  # records provenance in the metadata graph
    everything = {q.subject.value for q in store.reader().quads_for_pattern(
        None, None, None, ox.NamedNode(config.meta_graph)) if isinstance(q.subject, ox.NamedNode)}
    assert personal in everything  # the operator's own view still has it
    return store, personal, public


def test_the_graph_store_serves_no_metadata_about_withheld_graphs(loaded) -> None:
    store, personal, public = loaded
    config = store.config
    client = create_app(config, store).test_client()
    response = client.get("/graph-store", query_string={"graph": config.meta_graph},
                          headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    served = Graph().parse(data=response.data, format="turtle")
    mentioned = set(served.subjects()) | set(served.objects())
    assert URIRef(public) in mentioned
    assert URIRef(personal) not in mentioned
    assert "contacts.ttl" not in response.get_data(as_text=True)


def test_public_sparql_sees_no_metadata_about_withheld_graphs(loaded) -> None:
    store, personal, public = loaded
    client = create_app(store.config, store).test_client()

    def ask(graph: str) -> bool:
        query = f"ASK {{ GRAPH <{store.config.meta_graph}> {{ <{graph}> ?p ?o }} }}"
        response = client.get("/sparql", query_string={"query": query},
                              headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200
        return response.get_json()["boolean"]

    assert ask(public) is True
    assert ask(personal) is False
