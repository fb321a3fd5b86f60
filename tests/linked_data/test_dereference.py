"""Dereferenceable IRIs: content negotiation, suffix and ?format= URLs, 404s, paging, privacy."""

from __future__ import annotations

import pytest
import rdflib
import rdflib.compare
from rdflib import URIRef

from .conftest import BASE, MANY_LINKS

BOOST = URIRef(BASE + "id/project/boost")
RDF_PARSERS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}
SUFFIXES = {"text/turtle": "ttl", "application/ld+json": "jsonld",
            "application/rdf+xml": "rdf", "application/n-triples": "nt"}


def parse(response) -> rdflib.Graph:
    media_type = response.headers["Content-Type"].split(";")[0]
    return rdflib.Graph().parse(data=response.data, format=RDF_PARSERS[media_type])


@pytest.mark.parametrize("media_type", list(RDF_PARSERS))
def test_negotiated_rdf_describes_the_resource_under_the_base_iri(client, media_type):
    response = client.get("/id/project/boost", headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert "Accept" in response.headers["Vary"]
    assert response.headers["Content-Location"] == f"/id/project/boost.{SUFFIXES[media_type]}"
    assert response.headers["ETag"]
    graph = parse(response)
    assert (BOOST, rdflib.DCTERMS.title, rdflib.Literal("BOOST", lang="en")) in graph


@pytest.mark.parametrize("media_type", list(RDF_PARSERS))
def test_conditional_get_with_the_etag_is_not_modified(client, media_type):
    first = client.get("/id/project/boost", headers={"Accept": media_type})
    again = client.get("/id/project/boost", headers={
        "Accept": media_type, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]


@pytest.mark.parametrize("media_type", list(RDF_PARSERS))
def test_suffix_and_format_urls_give_the_same_graph_as_negotiation(client, media_type):
    negotiated = parse(client.get("/id/project/boost", headers={"Accept": media_type}))
    by_suffix = client.get(f"/id/project/boost.{SUFFIXES[media_type]}")
    by_format = client.get(f"/id/project/boost?format={SUFFIXES[media_type]}",
                           headers={"Accept": "text/html"})
    for response in (by_suffix, by_format):
        assert response.status_code == 200
        assert response.headers["Content-Type"].split(";")[0] == media_type
        assert rdflib.compare.isomorphic(parse(response), negotiated)


def test_formats_are_isomorphic_to_each_other(client):
    graphs = [parse(client.get(f"/id/project/boost.{s}")) for s in SUFFIXES.values()]
    assert all(rdflib.compare.isomorphic(graphs[0], g) for g in graphs[1:])


def test_jsonld_is_compacted_with_the_published_context(client):
    published = client.get("/context.jsonld").get_json()["@context"]
    document = client.get("/id/project/boost.jsonld").get_json()
    assert document["@context"] == published
    assert "dct:title" in str(document)


def test_browser_gets_html_with_vary(client):
    response = client.get("/id/project/boost", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Accept" in response.headers["Vary"]
    assert response.headers["Content-Location"] == "/id/project/boost.html"


def test_description_follows_blank_nodes_and_labels_linked_resources(client):
    graph = parse(client.get("/id/project/boost.ttl"))
    budget = graph.value(BOOST, URIRef("https://w3id.org/corridor/ontology#totalBudget"))
    assert isinstance(budget, rdflib.BNode)
    assert graph.value(budget, URIRef("https://schema.org/value")) is not None
    theme = URIRef(BASE + "id/concept/theme/innovation")
    assert graph.value(theme, rdflib.SKOS.prefLabel) == rdflib.Literal("Innovation", lang="en")


def test_description_includes_incoming_links(client):
    graph = parse(client.get("/id/concept/theme/innovation.ttl"))
    theme = URIRef(BASE + "id/concept/theme/innovation")
    pointing = set(graph.subjects(URIRef("https://w3id.org/corridor/ontology#thematicArea"), theme))
    assert pointing == {BOOST, URIRef(BASE + "id/project/alpine")}


@pytest.mark.parametrize("media_type", [*RDF_PARSERS, "text/html"])
def test_unknown_iri_is_404_in_the_requested_format(client, media_type):
    response = client.get("/id/project/no-such-project", headers={"Accept": media_type})
    assert response.status_code == 404
    assert response.headers["Content-Type"].split(";")[0] == media_type
    if media_type != "text/html":
        assert len(parse(response)) == 0


def test_unacceptable_request_is_406(client):
    response = client.get("/id/project/boost", headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_many_incoming_links_are_paged_never_dropped(client):
    hub = URIRef(BASE + "id/concept/organisation-type/sme")
    hydra = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")
    seen, url, pages = set(), "/id/concept/organisation-type/sme.ttl", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        graph = parse(response)
        org_type = URIRef("https://w3id.org/corridor/ontology#organisationType")
        seen |= set(graph.subjects(org_type, hub))
        views = list(graph.subjects(rdflib.RDF.type, hydra.PartialCollectionView))
        assert len(views) == 1
        assert int(graph.value(views[0], hydra.totalItems)) == MANY_LINKS
        following = graph.value(views[0], hydra.next)
        url = str(following).replace("http://localhost", "") if following else None
        pages += 1
    assert len(seen) == MANY_LINKS
    assert pages == 3


def test_page_beyond_the_last_is_404(client):
    assert client.get("/id/concept/organisation-type/sme.ttl?page=9").status_code == 404


def test_withheld_personal_data_is_not_served(client):
    assert client.get("/id/person/jane-doe.ttl").status_code == 404
    graph = parse(client.get("/id/project/boost.ttl"))
    assert not list(graph.objects(BOOST, URIRef("https://w3id.org/corridor/ontology#contactPoint")))


def test_personal_data_is_served_when_the_operator_publishes_it(small_store):
    from corridor.web.app import create_app

    config = small_store.config.with_(publish_personal_data=True)
    client = create_app(config, small_store).test_client()
    assert client.get("/id/person/jane-doe.ttl").status_code == 200


def test_head_has_headers_and_no_body(client):
    response = client.head("/id/project/boost.ttl")
    assert response.status_code == 200
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert response.data == b""


def test_graph_iris_dereference_to_their_triples(client):
    graph = parse(client.get("/graph/projects/boost.ttl"))
    assert (BOOST, rdflib.DCTERMS.title, rdflib.Literal("BOOST", lang="en")) in graph
    assert client.get("/graph/personal/contacts.ttl").status_code == 404


@pytest.mark.parametrize("media_type", ["text/turtle", "application/ld+json"])
def test_ontology_namespace_serves_the_ontology_source(bundled_client, media_type):
    response = bundled_client.get("/ontology", headers={"Accept": media_type})
    assert response.status_code == 200
    graph = parse(response)
    assert (URIRef("https://w3id.org/corridor/ontology#Project"), rdflib.RDF.type,
            rdflib.OWL.Class) in graph


def test_ontology_html_documents_every_class_with_an_anchor(bundled_client):
    from html.parser import HTMLParser

    source = parse(bundled_client.get("/ontology.ttl"))
    classes = {str(c).split("#")[1] for c in source.subjects(rdflib.RDF.type, rdflib.OWL.Class)
               if str(c).startswith("https://w3id.org/corridor/ontology#")}
    response = bundled_client.get("/ontology", headers={"Accept": "text/html"})
    assert response.status_code == 200

    class Ids(HTMLParser):
        ids: set[str] = set()

        def handle_starttag(self, tag, attrs):
            self.ids |= {v for k, v in attrs if k == "id"}

    parser = Ids()
    parser.feed(response.get_data(as_text=True))
    assert classes and classes <= parser.ids


def test_curated_resource_dereferences(bundled_client):
    response = bundled_client.get("/id/project/boost", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert len(parse(response)) > 10
