"""The intent of each W3C SPARQL 1.1 Protocol test case (rdf-tests sparql11/protocol), live.

Query cases read the session server's fixed data; update cases write graphs of their own.
"""

from __future__ import annotations

import pytest
import requests

from .conftest import BASE, EX, TOKEN
from .helpers import boolean, graph, media_type, rows, solutions, turtle

ALPHA = BASE + "graph/test/alpha"
GAMMA = BASE + "graph/test/gamma"
NAMES = f"SELECT ?s ?n WHERE {{ ?s <{EX}name> ?n }}"
ALL_NAMES = rows(
    {"s": EX + "a", "n": "Alpha"}, {"s": EX + "b", "n": "Beta"}, {"s": EX + "c", "n": "Gamma"}
)
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def ask(live, text: str) -> bool:
    r = requests.get(live.sparql, params={"query": text},
                     headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return boolean(r)


# -- query: transport ------------------------------------------------------------------------
def test_query_via_get(live):
    r = requests.get(live.sparql, params={"query": NAMES})
    assert r.status_code == 200
    assert solutions(r) == ALL_NAMES


def test_query_via_url_encoded_post(live):
    r = requests.post(live.sparql, data={"query": NAMES})
    assert r.status_code == 200
    assert solutions(r) == ALL_NAMES


def test_query_via_direct_post(live):
    r = requests.post(live.sparql, data=NAMES.encode(),
                      headers={"Content-Type": "application/sparql-query; charset=utf-8"})
    assert r.status_code == 200
    assert solutions(r) == ALL_NAMES


# -- query: dataset -----------------------------------------------------------------------------
def test_get_with_protocol_default_graph(live):
    r = requests.get(live.sparql, params={"query": NAMES, "default-graph-uri": GAMMA})
    assert solutions(r) == rows({"s": EX + "c", "n": "Gamma"})


def test_post_with_protocol_default_graphs(live):
    r = requests.post(live.sparql, data={
        "query": NAMES, "default-graph-uri": [ALPHA, GAMMA]})
    assert solutions(r) == ALL_NAMES


@pytest.mark.parametrize("method", ["get", "post"])
def test_protocol_named_graphs(live, method):
    query = f"SELECT ?g ?n WHERE {{ GRAPH ?g {{ ?s <{EX}name> ?n }} }}"
    params = {"query": query, "named-graph-uri": [GAMMA]}
    r = (requests.get(live.sparql, params=params) if method == "get"
         else requests.post(live.sparql, data=params))
    assert solutions(r) == rows({"g": GAMMA, "n": "Gamma"})


def test_protocol_dataset_with_default_and_named_graphs(live):
    query = f"SELECT ?n ?m WHERE {{ ?s <{EX}name> ?n . GRAPH ?g {{ ?t <{EX}name> ?m }} }}"
    r = requests.get(live.sparql, params={
        "query": query, "default-graph-uri": GAMMA, "named-graph-uri": GAMMA})
    assert solutions(r) == rows({"n": "Gamma", "m": "Gamma"})


def test_protocol_dataset_overrides_the_query_dataset(live):
    query = f"SELECT ?n FROM <{ALPHA}> WHERE {{ ?s <{EX}name> ?n }}"
    r = requests.get(live.sparql, params={"query": query, "default-graph-uri": GAMMA})
    assert solutions(r) == rows({"n": "Gamma"})


def test_from_clause_alone_selects_the_default_graph(live):
    query = f"SELECT ?n FROM <{GAMMA}> WHERE {{ ?s <{EX}name> ?n }}"
    assert solutions(requests.get(live.sparql, params={"query": query})) == rows({"n": "Gamma"})


# -- query: result formats (content negotiation) --------------------------------------------
@pytest.mark.parametrize("accept", [
    "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
    "text/tab-separated-values",
])
def test_select_in_each_results_format(live, accept):
    r = requests.get(live.sparql, params={"query": NAMES}, headers={"Accept": accept})
    assert media_type(r) == accept
    assert solutions(r) == ALL_NAMES


@pytest.mark.parametrize("accept", ["application/sparql-results+json",
                                    "application/sparql-results+xml"])
def test_ask_in_json_and_xml(live, accept):
    r = requests.get(live.sparql, params={"query": f"ASK {{ ?s <{EX}name> 'Beta' }}"},
                     headers={"Accept": accept})
    assert media_type(r) == accept
    assert boolean(r) is True


CONSTRUCT = f"CONSTRUCT {{ ?s <{EX}name> ?n }} WHERE {{ ?s <{EX}name> ?n }}"
EXPECTED = turtle(f'<{EX}a> <{EX}name> "Alpha" . <{EX}b> <{EX}name> "Beta" . '
                  f'<{EX}c> <{EX}name> "Gamma" .')


@pytest.mark.parametrize("accept", [
    "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml",
    "application/trig", "application/n-quads",
])
def test_construct_in_each_graph_format(live, accept):
    from rdflib.compare import isomorphic

    r = requests.get(live.sparql, params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert r.status_code == 200
    assert media_type(r) == accept
    assert isomorphic(graph(r), EXPECTED)


def test_describe_returns_rdf(live):
    r = requests.get(live.sparql, params={"query": f"DESCRIBE <{EX}c>"},
                     headers={"Accept": "application/rdf+xml, text/turtle;q=0.9"})
    assert media_type(r) == "application/rdf+xml"
    assert (None, None, None) in graph(r)
    assert len(graph(r)) == 2


def test_q_values_decide_the_format(live):
    accept = "application/sparql-results+xml;q=0.5, text/csv;q=0.9, */*;q=0.1"
    r = requests.get(live.sparql, params={"query": NAMES}, headers={"Accept": accept})
    assert media_type(r) == "text/csv"


def test_format_parameter_overrides_accept(live):
    r = requests.get(live.sparql, params={"query": NAMES, "format": "tsv"},
                     headers={"Accept": "application/sparql-results+xml"})
    assert media_type(r) == "text/tab-separated-values"
    assert solutions(r) == ALL_NAMES


def test_unacceptable_accept_is_406(live):
    r = requests.get(live.sparql, params={"query": NAMES}, headers={"Accept": "image/png"})
    assert r.status_code == 406


def test_select_with_only_graph_types_acceptable_is_406(live):
    r = requests.get(live.sparql, params={"query": NAMES}, headers={"Accept": "text/turtle"})
    assert r.status_code == 406


# -- query: bad requests ----------------------------------------------------------------------
def test_query_with_put_is_405_with_allow(live):
    r = requests.put(live.sparql, data=NAMES, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 405
    assert "POST" in r.headers["Allow"] and "GET" in r.headers["Allow"]


def test_more_than_one_query_is_400(live):
    r = requests.get(live.sparql, params={"query": [NAMES, NAMES]})
    assert r.status_code == 400


def test_post_with_other_media_type_is_415(live):
    r = requests.post(live.sparql, data=NAMES, headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


def test_url_encoded_body_without_form_media_type_is_rejected(live):
    r = requests.post(live.sparql, data=f"query={requests.utils.quote(NAMES)}",
                      headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400


def test_sparql_body_without_media_type_is_415(live):
    r = requests.post(live.sparql, data=NAMES.encode(), headers={"Content-Type": ""})
    assert r.status_code == 415


def test_direct_post_in_utf16_is_rejected(live):
    r = requests.post(live.sparql, data=NAMES.encode("utf-16"),
                      headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert 400 <= r.status_code < 500


def test_syntax_error_is_400_with_position(live):
    r = requests.get(live.sparql, params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert r.status_code == 400
    assert "1:" in r.text  # the parser's line:column


# -- update ------------------------------------------------------------------------------------
def test_update_via_url_encoded_post(live):
    g = BASE + "graph/test/update-form"
    r = requests.post(live.sparql, headers=AUTH, data={
        "update": f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}u> <{EX}tag> 'Form' }} }}"})
    assert r.status_code == 204
    assert ask(live, f"ASK {{ GRAPH <{g}> {{ <{EX}u> <{EX}tag> 'Form' }} }}")


def test_update_via_direct_post(live):
    g = BASE + "graph/test/update-direct"
    r = requests.post(live.sparql, headers={**AUTH, "Content-Type": "application/sparql-update"},
                      data=f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}u> <{EX}tag> 'Direct' }} }}")
    assert r.status_code == 204
    assert ask(live, f"ASK {{ GRAPH <{g}> {{ <{EX}u> <{EX}tag> 'Direct' }} }}")


def _seed(live, graph_iri: str, turtle_text: str) -> None:
    r = requests.put(live.graph_store, params={"graph": graph_iri}, data=turtle_text.encode(),
                     headers={**AUTH, "Content-Type": "text/turtle"})
    assert r.status_code in (201, 204), r.text


@pytest.mark.parametrize("graphs", [1, 2])
def test_update_with_protocol_default_graphs(live, graphs):
    source = [BASE + f"graph/test/using-src{graphs}-{i}" for i in range(graphs)]
    target = BASE + f"graph/test/using-dst{graphs}"
    for i, g in enumerate(source):
        _seed(live, g, f"<{EX}x{i}> <{EX}tag> 'x{i}' .")
    r = requests.post(
        live.sparql, headers={**AUTH, "Content-Type": "application/sparql-update"},
        params={"using-graph-uri": source},
        data=f"INSERT {{ GRAPH <{target}> {{ ?s <{EX}copied> ?n }} }} "
             f"WHERE {{ ?s <{EX}tag> ?n }}")
    assert r.status_code == 204, r.text
    query = f"SELECT ?s WHERE {{ GRAPH <{target}> {{ ?s <{EX}copied> ?n }} }}"
    got = solutions(requests.get(live.sparql, params={"query": query}))
    assert got == rows(*({"s": f"{EX}x{i}"} for i in range(graphs)))


def test_update_with_protocol_named_graph(live):
    source, target = BASE + "graph/test/using-named-src", BASE + "graph/test/using-named-dst"
    _seed(live, source, f"<{EX}y> <{EX}tag> 'y' .")
    r = requests.post(
        live.sparql, headers=AUTH,
        data={"update": f"INSERT {{ GRAPH <{target}> {{ ?s <{EX}from> ?g }} }} "
                        f"WHERE {{ GRAPH ?g {{ ?s <{EX}tag> ?n }} }}",
              "using-named-graph-uri": source})
    assert r.status_code == 204, r.text
    query = f"SELECT ?s ?g WHERE {{ GRAPH <{target}> {{ ?s <{EX}from> ?g }} }}"
    assert solutions(requests.get(live.sparql, params={"query": query})) == rows(
        {"s": EX + "y", "g": source})


def test_update_base_iri_is_the_configured_base(live):
    g = BASE + "graph/test/update-base"
    r = requests.post(live.sparql, headers=AUTH,
                      data={"update": f"INSERT DATA {{ GRAPH <{g}> {{ <rel> <{EX}p> 1 }} }}"})
    assert r.status_code == 204
    assert ask(live, f"ASK {{ GRAPH <{g}> {{ <{BASE}rel> <{EX}p> 1 }} }}")


def test_update_via_get_is_rejected(live):
    r = requests.get(live.sparql, params={"update": "CLEAR ALL"}, headers=AUTH)
    assert r.status_code == 400
    assert ask(live, f"ASK {{ <{EX}a> ?p ?o }}")


def test_more_than_one_update_is_400(live):
    r = requests.post(live.sparql, headers=AUTH, data={"update": ["CLEAR ALL", "CLEAR ALL"]})
    assert r.status_code == 400
    assert ask(live, f"ASK {{ <{EX}a> ?p ?o }}")


def test_update_with_other_media_type_is_415(live):
    r = requests.post(live.sparql, data="CLEAR ALL",
                      headers={**AUTH, "Content-Type": "text/plain"})
    assert r.status_code == 415


def test_url_encoded_update_without_form_media_type_is_rejected(live):
    r = requests.post(live.sparql, data="update=CLEAR%20ALL",
                      headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert r.status_code == 400
    assert ask(live, f"ASK {{ <{EX}a> ?p ?o }}")


def test_update_in_non_utf8_is_rejected(live):
    r = requests.post(live.sparql, data="CLEAR ALL".encode("utf-16"),
                      headers={**AUTH, "Content-Type": "application/sparql-update; charset=UTF-16"})
    assert 400 <= r.status_code < 500
    assert ask(live, f"ASK {{ <{EX}a> ?p ?o }}")


def test_update_syntax_error_is_400(live):
    r = requests.post(live.sparql, headers=AUTH, data={"update": "INSERT DATA { <a> <b> }"})
    assert r.status_code == 400


def test_using_parameter_and_using_clause_conflict_is_400(live):
    r = requests.post(
        live.sparql, headers=AUTH,
        data={"update": f"INSERT {{ GRAPH <{EX}g> {{ ?s ?p ?o }} }} USING <{ALPHA}> "
                        "WHERE { ?s ?p ?o }",
              "using-graph-uri": GAMMA})
    assert r.status_code == 400
    assert not ask(live, f"ASK {{ GRAPH <{EX}g> {{ ?s ?p ?o }} }}")
