"""Fixtures: small on-disk stores built through the store API, and the bundled curated data."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from corridor.config import Config
from corridor.ingest.loader import load_bundled
from corridor.store import open_store
from corridor.web.app import create_app

BASE = "https://w3id.org/corridor/"
COR = "https://w3id.org/corridor/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_PREF = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
DCT_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
FOAF_NAME = ox.NamedNode("http://xmlns.com/foaf/0.1/name")
COUNTRY_ROU = ox.NamedNode("http://publications.europa.eu/resource/authority/country/ROU")
MANY_LINKS = 1_203  # more than one page (500) of incoming links


def iri(path: str) -> ox.NamedNode:
    return ox.NamedNode(BASE + path)


def cor(name: str) -> ox.NamedNode:
    return ox.NamedNode(COR + name)


def en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def project_quads(slug: str, title: str) -> list[ox.Quad]:
    """A project with a label, a country link and a blank-node address-like value."""
    p, address = iri(f"id/project/{slug}"), ox.BlankNode()
    return [
        ox.Quad(p, RDF_TYPE, cor("Project")),
        ox.Quad(p, DCT_TITLE, en(title)),
        ox.Quad(p, cor("country"), COUNTRY_ROU),
        ox.Quad(p, cor("thematicArea"), iri("id/concept/theme/innovation")),
        ox.Quad(p, cor("totalBudget"), address),
        ox.Quad(address, ox.NamedNode("https://schema.org/value"),
                ox.Literal("1000000", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))),
        ox.Quad(p, ox.NamedNode("https://schema.org/startDate"),
                ox.Literal("2016-11-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))),
    ]


def reference_quads() -> list[ox.Quad]:
    theme = iri("id/concept/theme/innovation")
    quads = [
        ox.Quad(theme, RDF_TYPE, ox.NamedNode("http://www.w3.org/2004/02/skos/core#Concept")),
        ox.Quad(theme, SKOS_PREF, en("Innovation")),
        ox.Quad(COUNTRY_ROU, SKOS_PREF, en("Romania")),
        ox.Quad(COUNTRY_ROU, ox.NamedNode("http://www.w3.org/2004/02/skos/core#inScheme"),
                ox.NamedNode("http://publications.europa.eu/resource/authority/country")),
    ]
    return quads


def many_links_quads() -> list[ox.Quad]:
    """A hub resource that MANY_LINKS organisations point to."""
    hub = iri("id/concept/organisation-type/sme")
    quads = [ox.Quad(hub, SKOS_PREF, en("SME"))]
    for i in range(MANY_LINKS):
        org = iri(f"id/organisation/org-{i:05d}")
        quads += [ox.Quad(org, FOAF_NAME, en(f"Organisation {i}")),
                  ox.Quad(org, cor("organisationType"), hub)]
    return quads


def personal_quads() -> list[ox.Quad]:
    person = iri("id/person/jane-doe")
    return [ox.Quad(person, FOAF_NAME, ox.Literal("Jane Doe")),
            ox.Quad(person, ox.NamedNode("http://xmlns.com/foaf/0.1/mbox"),
                    ox.NamedNode("mailto:jane@example.org")),
            ox.Quad(iri("id/project/boost"), cor("contactPoint"), person)]


def fill(store, graphs: dict[str, list[ox.Quad]], activity: str = "load") -> None:
    with store.transaction(activity) as txn:
        for name, quads in graphs.items():
            txn.replace_graph(store.config.graph_iri(name), quads)


SMALL_GRAPHS = {
    "projects/boost": project_quads("boost", "BOOST"),
    "projects/alpine": project_quads("alpine", "Alpine clusters"),
    "reference/themes": reference_quads(),
    "reference/organisations": many_links_quads(),
    "personal/contacts": personal_quads(),
}


@pytest.fixture
def small_store(tmp_path: Path, backend, request):
    config = Config(store_dir=tmp_path / "store", **backend.settings(request))
    store = open_store(config)
    fill(store, SMALL_GRAPHS)
    return store


@pytest.fixture
def client(small_store):
    return create_app(small_store.config, small_store).test_client()


@pytest.fixture(scope="module")
def read_client(tmp_path_factory):
    """The small store, once per module: for modules of many tests that only read."""
    store = open_store(Config(store_dir=tmp_path_factory.mktemp("read") / "store"))
    fill(store, SMALL_GRAPHS)
    return create_app(store.config, store).test_client()


@pytest.fixture(scope="session")
def bundled_client(tmp_path_factory, backend, request):
    """The curated data of data/, ontology/ and shapes/ as `corridor serve` loads it."""
    config = Config(store_dir=tmp_path_factory.mktemp("bundled") / "store",
                    **backend.settings(request))
    store = open_store(config)
    load_bundled(store)
    return create_app(config, store).test_client()
