"""Real SPARQL clients against the live endpoint: SPARQLWrapper and rdflib's SPARQL stores."""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper

from .conftest import BASE, EX, TOKEN

NAMES = f"SELECT ?s ?n WHERE {{ ?s <{EX}name> ?n }}"
EXPECTED = Counter({(EX + "a", "Alpha"): 1, (EX + "b", "Beta"): 1, (EX + "c", "Gamma"): 1})


def wrapper(live, fmt) -> SPARQLWrapper:
    client = SPARQLWrapper(live.sparql)
    client.setReturnFormat(fmt)
    return client


def test_sparqlwrapper_select_json(live):
    client = wrapper(live, JSON)
    client.setQuery(NAMES)
    bindings = client.query().convert()["results"]["bindings"]
    assert Counter((b["s"]["value"], b["n"]["value"]) for b in bindings) == EXPECTED


def test_sparqlwrapper_select_xml(live):
    client = wrapper(live, XML)
    client.setQuery(NAMES)
    document = client.query().convert()  # a DOM document
    values = [[b.getElementsByTagName("uri") + b.getElementsByTagName("literal")]
              for b in document.getElementsByTagName("result")]
    got = Counter(tuple(node.firstChild.data for node in row[0]) for row in values)
    assert got == EXPECTED


@pytest.mark.parametrize("fmt,sep", [(CSV, ","), (TSV, "\t")])
def test_sparqlwrapper_select_csv_tsv(live, fmt, sep):
    client = wrapper(live, fmt)
    client.setQuery(f"SELECT ?n WHERE {{ ?s <{EX}name> ?n }}")
    lines = client.query().convert().decode().splitlines()
    assert lines[0].lstrip("?") == "n"
    assert Counter(line.strip('"') for line in lines[1:]) == Counter(["Alpha", "Beta", "Gamma"])


def test_sparqlwrapper_ask_and_post(live):
    client = wrapper(live, JSON)
    client.setMethod("POST")
    client.setQuery(f"ASK {{ <{EX}c> <{EX}name> 'Gamma' }}")
    assert client.query().convert()["boolean"] is True


def test_sparqlwrapper_construct_is_an_rdflib_graph(live):
    client = wrapper(live, XML)
    client.setQuery(f"CONSTRUCT WHERE {{ <{EX}c> ?p ?o }}")
    result = client.query().convert()
    expected = Graph().parse(data=f'<{EX}c> <{EX}name> "Gamma" ; <{EX}size> 3 .',
                             format="turtle")
    assert isomorphic(result, expected)


def test_sparqlwrapper_update_with_credentials(live):
    g = BASE + "graph/test/sparqlwrapper"
    client = SPARQLWrapper(live.sparql, updateEndpoint=live.sparql)
    client.setMethod("POST")
    client.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    client.setQuery(f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}w> <{EX}tag> 'Wrapper' }} }}")
    client.query()
    check = wrapper(live, JSON)
    check.setQuery(f"ASK {{ GRAPH <{g}> {{ <{EX}w> <{EX}tag> 'Wrapper' }} }}")
    assert check.query().convert()["boolean"] is True


def test_rdflib_sparqlstore_reads_triples(live):
    store = SPARQLStore(live.sparql)
    graph = Graph(store=store)
    names = {str(o) for o in graph.objects(URIRef(EX + "a"), URIRef(EX + "name"))}
    assert names == {"Alpha"}
    rows = Counter((str(r.s), str(r.n)) for r in graph.query(NAMES))
    assert rows == EXPECTED


def test_rdflib_sparqlupdatestore_writes(live):
    g = URIRef(BASE + "graph/test/rdflib-update")
    store = SPARQLUpdateStore(live.sparql, live.sparql, auth=("rdflib", TOKEN), autocommit=True)
    graph = Graph(store=store, identifier=g)
    graph.add((URIRef(EX + "r"), URIRef(EX + "tag"), Literal("Rdflib")))
    reader = Graph(store=SPARQLStore(live.sparql), identifier=g)
    assert set(reader.objects(URIRef(EX + "r"), URIRef(EX + "tag"))) == {Literal("Rdflib")}
    graph.remove((URIRef(EX + "r"), None, None))
    assert set(reader.objects(URIRef(EX + "r"), URIRef(EX + "tag"))) == set()
