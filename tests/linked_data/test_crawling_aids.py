"""Sitemap, robots.txt, VoID at the dataset IRI, and IRIs built from the configured base."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pyoxigraph as ox
import rdflib

from corridor.config import Config
from corridor.store import open_store
from corridor.web.app import create_app

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_sitemap_lists_every_public_resource_page(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = [e.text for e in ET.fromstring(response.data).iter(SITEMAP + "loc")]
    paths = {loc.replace("http://localhost", "") for loc in locations}
    assert {"/", "/ontology", "/id/project/boost", "/id/organisation/org-00000"} <= paths
    assert not any("jane-doe" in p for p in paths)
    assert client.get("/id/project/alpine", headers={"Accept": "text/html"}).status_code == 200


def test_robots_txt_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    lines = response.get_data(as_text=True).splitlines()
    assert "Sitemap: http://localhost/sitemap.xml" in lines
    assert "User-agent: *" in lines


def test_dataset_iri_dereferences_to_the_void_description(client):
    response = client.get("/dataset", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    dataset = rdflib.URIRef("https://w3id.org/corridor/dataset")
    assert (dataset, rdflib.RDF.type, rdflib.URIRef("http://rdfs.org/ns/void#Dataset")) in graph


def test_request_paths_map_to_the_configured_base_not_the_host(tmp_path):
    base = "https://data.example.org/kg/"
    config = Config(store_dir=tmp_path / "store", base_iri=base)
    store = open_store(config)
    thing = ox.NamedNode(base + "id/project/elsewhere")
    with store.transaction("load") as txn:
        txn.replace_graph(config.graph_iri("projects/elsewhere"), [ox.Quad(
            thing, ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal("Elsewhere"))])
    client = create_app(config, store).test_client()
    response = client.get("/id/project/elsewhere.nt", base_url="http://other-host.test")
    graph = rdflib.Graph().parse(data=response.data, format="nt")
    assert set(graph.subjects()) == {rdflib.URIRef(base + "id/project/elsewhere")}
