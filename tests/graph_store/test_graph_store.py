"""The intent of each W3C Graph Store Protocol test (rdf-tests sparql11/http-rdf-update and
graph-store-protocol, indirect identification), against the live server, plus access rules."""

from __future__ import annotations

from urllib.parse import quote

import requests
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic

from tests.sparql.conftest import BASE, EX, TOKEN
from tests.sparql.helpers import boolean, graph, media_type, turtle

AUTH = {"Authorization": f"Bearer {TOKEN}"}
PERSON = f'<{EX}jane> <{EX}name> "Jane" ; <{EX}age> 40 .'
PERSON_2 = f'<{EX}john> <{EX}name> "John" .'


def put(live, target: dict, body: str, content_type: str = "text/turtle", **headers):
    return requests.put(live.graph_store, params=target, data=body.encode(),
                        headers={**AUTH, "Content-Type": content_type, **headers})


def post(live, target: dict, body: str, content_type: str = "text/turtle"):
    return requests.post(live.graph_store, params=target, data=body.encode(),
                         headers={**AUTH, "Content-Type": content_type})


def get(live, target: dict, accept: str = "text/turtle"):
    return requests.get(live.graph_store, params=target, headers={"Accept": accept})


def g(name: str) -> dict:
    return {"graph": BASE + f"graph/gsp-test/{name}"}


# -- PUT ---------------------------------------------------------------------------------------
def test_put_new_graph_is_201_and_get_returns_it(live):
    assert put(live, g("put-new"), PERSON).status_code == 201
    r = get(live, g("put-new"))
    assert r.status_code == 200
    assert isomorphic(graph(r), turtle(PERSON))


def test_put_existing_graph_is_204_and_replaces_it(live):
    put(live, g("put-again"), PERSON)
    assert put(live, g("put-again"), PERSON_2).status_code == 204
    assert isomorphic(graph(get(live, g("put-again"))), turtle(PERSON_2))


def test_put_default_graph_then_get_returns_exactly_it(live):
    r = put(live, {"default": ""}, PERSON_2)
    assert r.status_code in (201, 204)
    assert isomorphic(graph(get(live, {"default": ""})), turtle(PERSON_2))


def test_put_accepts_each_rdf_syntax(live):
    source = turtle(PERSON)
    for media, fmt in [("application/n-triples", "nt"), ("application/rdf+xml", "xml"),
                       ("application/ld+json", "json-ld")]:
        body = source.serialize(format=fmt)
        assert put(live, g("syntax"), body, media).status_code in (201, 204)
        assert isomorphic(graph(get(live, g("syntax"))), source), media


# -- DELETE ------------------------------------------------------------------------------------
def test_delete_existing_graph_is_204_then_get_is_404(live):
    put(live, g("delete-me"), PERSON)
    r = requests.delete(live.graph_store, params=g("delete-me"), headers=AUTH)
    assert r.status_code == 204
    assert get(live, g("delete-me")).status_code == 404


def test_delete_missing_graph_is_404(live):
    r = requests.delete(live.graph_store, params=g("never-there"), headers=AUTH)
    assert r.status_code == 404


# -- POST --------------------------------------------------------------------------------------
def test_post_to_existing_graph_merges(live):
    put(live, g("merge"), PERSON)
    assert post(live, g("merge"), PERSON_2).status_code == 204
    assert isomorphic(graph(get(live, g("merge"))), turtle(PERSON + PERSON_2))


def test_post_to_missing_graph_creates_it(live):
    assert post(live, g("post-new"), PERSON).status_code == 201
    assert isomorphic(graph(get(live, g("post-new"))), turtle(PERSON))


def test_post_multipart_form_data_merges_every_part(live):
    put(live, g("multipart"), PERSON)
    files = {
        "a": ("a.ttl", PERSON_2.encode(), "text/turtle"),
        "b": ("b.nt", f'<{EX}jim> <{EX}name> "Jim" .\n'.encode(), "application/n-triples"),
    }
    r = requests.post(live.graph_store, params=g("multipart"), files=files, headers=AUTH)
    assert r.status_code == 204
    expected = turtle(PERSON + PERSON_2 + f'<{EX}jim> <{EX}name> "Jim" .')
    assert isomorphic(graph(get(live, g("multipart"))), expected)


def test_post_empty_body_changes_nothing(live):
    put(live, g("noop"), PERSON)
    assert post(live, g("noop"), "").status_code == 204
    assert isomorphic(graph(get(live, g("noop"))), turtle(PERSON))


def test_post_to_the_graph_store_creates_a_graph_with_location(live):
    r = requests.post(live.graph_store, data=PERSON.encode(),
                      headers={**AUTH, "Content-Type": "text/turtle"})
    assert r.status_code == 201
    assert "Content-Type" not in r.headers  # no body
    created = requests.get(live.graph_store, params={"graph": r.headers["Location"]},
                           headers={"Accept": "text/turtle"})
    assert created.status_code == 200
    assert isomorphic(graph(created), turtle(PERSON))


# -- GET / HEAD --------------------------------------------------------------------------------
def test_head_on_existing_graph_is_200_without_body(live):
    put(live, g("head"), PERSON)
    r = requests.head(live.graph_store, params=g("head"), headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert media_type(r) == "text/turtle"
    assert r.content == b""


def test_head_on_missing_graph_is_404(live):
    assert requests.head(live.graph_store, params=g("no-head")).status_code == 404


def test_get_negotiates_the_syntax(live):
    put(live, g("conneg"), PERSON)
    for accept in ("application/n-triples", "application/ld+json", "application/rdf+xml",
                   "text/turtle;q=0.5, application/rdf+xml;q=0.9"):
        r = get(live, g("conneg"), accept)
        assert r.status_code == 200
        assert isomorphic(graph(r), turtle(PERSON)), accept
    assert get(live, g("conneg"), "image/png").status_code == 406


def test_percent_encoding_variants_name_the_same_graph(live):
    iri = BASE + "graph/gsp-test/encoded ünï"
    put(live, {"graph": iri.replace(" ", "%20")}, PERSON)
    for encoded in (quote(iri.replace(" ", "%20"), safe=""),
                    quote(iri.replace(" ", "%20"), safe=":/")):
        r = requests.get(f"{live.graph_store}?graph={encoded}", headers={"Accept": "text/turtle"})
        assert r.status_code == 200
        assert isomorphic(graph(r), turtle(PERSON))


def test_percent_encoding_is_decoded_only_once(live):
    slash = BASE + "graph/gsp-test/a/b"
    encoded_slash = BASE + "graph/gsp-test/a%2Fb"
    put(live, {"graph": slash}, PERSON)
    put(live, {"graph": encoded_slash}, PERSON_2)
    assert isomorphic(graph(get(live, {"graph": slash})), turtle(PERSON))
    assert isomorphic(graph(get(live, {"graph": encoded_slash})), turtle(PERSON_2))


def test_get_without_graph_parameter_is_400(live):
    assert requests.get(live.graph_store).status_code == 400


def test_graph_store_reads_carry_cors_header(live):
    put(live, g("cors"), PERSON)
    assert get(live, g("cors")).headers["Access-Control-Allow-Origin"] == "*"


def test_withheld_graph_is_404(live):
    r = get(live, {"graph": BASE + "graph/personal/people"})
    assert r.status_code == 404


# -- errors and access -------------------------------------------------------------------------
def test_unsupported_media_type_is_415(live):
    r = put(live, g("415"), "hello", "text/plain-not-rdf")
    assert r.status_code == 415
    assert get(live, g("415")).status_code == 404


def test_unparseable_body_is_400_and_changes_nothing(live):
    assert put(live, g("broken"), "<a> <b> .").status_code == 400
    assert get(live, g("broken")).status_code == 404


def test_write_without_token_is_401(live):
    r = requests.put(live.graph_store, params=g("anon"), data=PERSON.encode(),
                     headers={"Content-Type": "text/turtle"})
    assert r.status_code == 401
    assert get(live, g("anon")).status_code == 404


def test_write_with_wrong_token_is_403(live):
    r = put(live, g("wrong"), PERSON, Authorization="Bearer nope")
    assert r.status_code == 403
    assert get(live, g("wrong")).status_code == 404


def test_write_violating_a_shape_is_422_and_changes_nothing(live):
    put(live, g("valid-before"), PERSON)
    bad = f"<{BASE}id/project/untitled> a <https://w3id.org/corridor/ontology#Project> ."
    r = put(live, g("valid-before"), bad)
    assert r.status_code == 422
    sh = Namespace("http://www.w3.org/ns/shacl#")
    report = Graph().parse(data=r.content, format="turtle")
    assert [c.toPython() for c in report.objects(None, sh.conforms)] == [False]
    assert isomorphic(graph(get(live, g("valid-before"))), turtle(PERSON))


def test_write_records_provenance_in_the_metadata_graph(live):
    put(live, g("provenance"), PERSON)
    meta = BASE + "graph/meta"
    prov = "http://www.w3.org/ns/prov#"
    query = (f"ASK {{ GRAPH <{meta}> {{ <{g('provenance')['graph']}> <{prov}wasGeneratedBy> ?a ."
             f" ?a <{prov}wasAssociatedWith> ?agent }} }}")
    r = requests.get(live.sparql, params={"query": query},
                     headers={"Accept": "application/sparql-results+json"})
    assert boolean(r) is True


def test_method_not_allowed_lists_allow(live):
    r = requests.patch(live.graph_store, params=g("x"), headers=AUTH)
    assert r.status_code == 405
    assert "PUT" in r.headers["Allow"]


def test_graph_written_is_visible_to_sparql(live):
    put(live, g("visible"), PERSON)
    r = requests.get(live.sparql, params={
        "query": f"ASK {{ GRAPH <{g('visible')['graph']}> {{ <{EX}jane> ?p ?o }} }}"},
        headers={"Accept": "application/sparql-results+json"})
    assert boolean(r) is True
    assert URIRef(EX + "jane") in set(graph(get(live, g("visible"))).subjects())
