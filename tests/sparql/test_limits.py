"""Limits, safety and access: timeout, rows, body size, CORS, SERVICE/LOAD, tokens, privacy."""

from __future__ import annotations

import os
import threading
import time

import requests
from rdflib import Graph, Namespace
from rdflib.compare import isomorphic

from corridor.query import queries_for

from .conftest import BASE, EX, TOKEN, start_server
from .helpers import boolean, client_at, media_type, rows, solutions

AUTH = {"Authorization": f"Bearer {TOKEN}"}
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
PERSONAL = BASE + "graph/personal/people"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"VALUES ?v{i} {{ {' '.join(str(n) for n in range(100))} }}" for i in range(6)) + " }"
MANY = ("SELECT ?x WHERE { VALUES ?a { " + " ".join(map(str, range(50))) + " } "
        "VALUES ?b { " + " ".join(map(str, range(50))) + " } BIND(?a * 50 + ?b AS ?x) }")


def ask(url: str, text: str) -> bool:
    return boolean(requests.get(url, params={"query": text},
                                headers={"Accept": "application/sparql-results+json"}))


# -- timeout -----------------------------------------------------------------------------------
def test_runaway_query_is_killed_while_another_client_is_answered(live, backend):
    backend.limitation(**dict.fromkeys(
        ("oxigraph", "virtuoso"), "no worker process to kill: the query runs in the remote "
        "server (tests/store/test_remote.py checks its time limit)"))
    pool = queries_for(live.store).pool
    outcome: dict[str, requests.Response] = {}
    runner = threading.Thread(
        target=lambda: outcome.setdefault("r", requests.get(live.sparql,
                                                            params={"query": RUNAWAY})))
    runner.start()
    busy: list[int] = []
    while not busy and runner.is_alive():
        busy = pool.worker_pids()["busy"]
        time.sleep(0.02)
    other = client_at("127.0.0.2").get(  # another client: this one holds its share of workers
        live.sparql, params={"query": f"SELECT ?n {{ <{EX}c> <{EX}name> ?n }}"})
    assert other.status_code == 200
    assert solutions(other) == rows({"n": "Gamma"})
    runner.join(30)
    answer = outcome["r"]
    assert answer.status_code == 503
    assert "timeout" in answer.text
    assert busy, "the runaway query never occupied a worker"
    for pid in busy:  # the worker that ran it no longer exists: its CPU is free
        try:
            os.kill(pid, 0)
            alive = True
        except ProcessLookupError:
            alive = False
        assert not alive
    again = requests.get(live.sparql, params={"query": f"ASK {{ <{EX}a> ?p ?o }}"})
    assert again.status_code == 200 and boolean(again)


# -- result rows and request size --------------------------------------------------------------
def test_results_are_cut_at_max_result_rows_in_every_format(live):
    for accept in ("application/sparql-results+json", "application/sparql-results+xml",
                   "text/csv", "text/tab-separated-values"):
        r = requests.get(live.sparql, params={"query": MANY}, headers={"Accept": accept})
        assert r.status_code == 200
        assert sum(solutions(r).values()) == live.config.max_result_rows, accept
        assert "X-Corridor-Truncated" in r.headers


def test_results_under_the_limit_are_not_marked_truncated(live):
    r = requests.get(live.sparql, params={"query": MANY + " LIMIT 10"})
    assert sum(solutions(r).values()) == 10
    assert "X-Corridor-Truncated" not in r.headers


def test_construct_is_cut_at_max_result_rows(live):
    query = MANY.replace("SELECT ?x WHERE", f"CONSTRUCT {{ <{EX}s> <{EX}p> ?x }} WHERE")
    r = requests.get(live.sparql, params={"query": query}, headers={"Accept": "text/turtle"})
    assert len(Graph().parse(data=r.content, format="turtle")) == live.config.max_result_rows


def test_oversized_request_body_is_413(live):
    padding = "#" + "x" * (live.config.max_request_bytes + 10)
    r = requests.post(live.sparql, data=(f"ASK {{}} {padding}").encode(),
                      headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413


# -- CORS --------------------------------------------------------------------------------------
def test_query_answers_carry_cors_header(live):
    r = requests.get(live.sparql, params={"query": "ASK {}"}, headers={"Origin": "http://x.test"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight(live):
    r = requests.options(live.sparql, headers={
        "Origin": "http://x.test", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "content-type" in r.headers["Access-Control-Allow-Headers"].lower()


# -- federation and LOAD -----------------------------------------------------------------------
def test_service_is_refused_by_default(live):
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    r = requests.get(live.sparql, params={"query": query})
    assert r.status_code == 403
    assert "SERVICE" in r.text


def test_service_to_an_allowed_endpoint_is_federated(live, tmp_path):
    server = start_server(tmp_path, allowed_service_endpoints=(live.sparql,))
    federating = next(server)
    try:
        query = f"SELECT ?n WHERE {{ SERVICE <{live.sparql}> {{ <{EX}c> <{EX}name> ?n }} }}"
        r = requests.get(federating.sparql, params={"query": query})
        assert r.status_code == 200, r.text
        assert solutions(r) == rows({"n": "Gamma"})
        other = "http://127.0.0.1:9/sparql"
        refused = requests.get(federating.sparql, params={
            "query": f"ASK {{ SERVICE <{other}> {{ ?s ?p ?o }} }}"})
        assert refused.status_code == 403
    finally:
        server.close()


def test_the_word_service_inside_a_string_is_not_federation(live):
    r = requests.get(live.sparql, params={"query": 'ASK { FILTER("SERVICE <x>" != "") }'})
    assert r.status_code == 200 and boolean(r)


def test_load_is_refused(live):
    r = requests.post(live.sparql, headers=AUTH,
                      data={"update": "LOAD <http://127.0.0.1:9/data.ttl>"})
    assert r.status_code == 403


# -- write access ------------------------------------------------------------------------------
def test_update_without_credentials_is_401_and_changes_nothing(live):
    r = requests.post(live.sparql, data={"update": "CLEAR ALL"})
    assert r.status_code == 401
    assert "WWW-Authenticate" in r.headers
    assert ask(live.sparql, f"ASK {{ <{EX}a> ?p ?o }}")


def test_update_with_wrong_token_is_403_and_changes_nothing(live):
    r = requests.post(live.sparql, data={"update": "CLEAR ALL"},
                      headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 403
    assert ask(live.sparql, f"ASK {{ <{EX}a> ?p ?o }}")


def test_basic_auth_with_the_token_as_password_may_write(live):
    g = BASE + "graph/test/basic"
    r = requests.post(live.sparql, auth=("alice", TOKEN),
                      data={"update": f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}q> <{EX}p> 1 }} }}"})
    assert r.status_code == 204
    assert ask(live.sparql, f"ASK {{ GRAPH <{g}> {{ <{EX}q> <{EX}p> 1 }} }}")


def test_writes_are_off_without_a_configured_token(tmp_path):
    server = start_server(tmp_path, write_token=None)
    live = next(server)
    try:
        r = requests.post(live.sparql, data={"update": "CLEAR ALL"}, headers=AUTH)
        assert r.status_code == 403
    finally:
        server.close()


def test_update_violating_a_shape_is_422_with_report_and_changes_nothing(live):
    g = BASE + "graph/test/invalid"
    project = BASE + "id/project/no-title"
    r = requests.post(live.sparql, headers=AUTH, data={"update": (
        f"INSERT DATA {{ GRAPH <{g}> {{ <{project}> a "
        "<https://w3id.org/corridor/ontology#Project> } }")})
    assert r.status_code == 422
    report = Graph().parse(data=r.content, format="turtle")
    sh = Namespace("http://www.w3.org/ns/shacl#")
    assert [c.toPython() for c in report.objects(None, sh.conforms)] == [False]
    assert any(report.objects(None, sh.result))
    assert not ask(live.sparql, f"ASK {{ <{project}> ?p ?o }}")


# -- withheld (personal) graphs ----------------------------------------------------------------
def test_personal_graphs_are_invisible_by_default(live):
    assert not ask(live.sparql, f"ASK {{ ?s <{EX}email> ?o }}")
    assert not ask(live.sparql, f"ASK {{ GRAPH <{PERSONAL}> {{ ?s ?p ?o }} }}")
    assert not ask(live.sparql, f"ASK FROM <{PERSONAL}> {{ ?s ?p ?o }}")
    assert not ask(live.sparql, f"ASK FROM NAMED <{PERSONAL}> {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    r = requests.get(live.sparql, params={"query": "ASK { ?s ?p ?o }",
                                          "default-graph-uri": PERSONAL})
    assert boolean(r) is False
    listed = solutions(requests.get(live.sparql, params={
        "query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"}))
    assert ("g", PERSONAL) not in {pair for row in listed for pair in row}


def test_personal_graphs_are_visible_when_published(tmp_path):
    server = start_server(tmp_path, publish_personal_data=True)
    live = next(server)
    try:
        assert ask(live.sparql, f"ASK {{ ?s <{EX}email> ?o }}")
        assert ask(live.sparql, f"ASK {{ GRAPH <{PERSONAL}> {{ ?s ?p ?o }} }}")
    finally:
        server.close()


# -- service description and HTML -------------------------------------------------------------
def test_get_without_query_returns_the_service_description(live):
    r = requests.get(live.sparql, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and media_type(r) == "text/turtle"
    sd = Graph().parse(data=r.content, format="turtle")
    from rdflib import URIRef

    service = URIRef(live.sparql)
    assert (service, SD.endpoint, service) in sd
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in sd
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) in sd  # a token is configured
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in set(
        sd.objects(service, SD.resultFormat))
    names = set(sd.objects(None, SD.name))
    assert URIRef(BASE + "graph/test/alpha") in names
    assert URIRef(PERSONAL) not in names


def test_service_description_in_json_ld_is_the_same_graph(live):
    ttl = requests.get(live.sparql, headers={"Accept": "text/turtle"})
    jsonld = requests.get(live.sparql, headers={"Accept": "application/ld+json"})
    assert media_type(jsonld) == "application/ld+json"
    assert isomorphic(Graph().parse(data=ttl.content, format="turtle"),
                      Graph().parse(data=jsonld.content, format="json-ld"))


def test_get_without_query_for_a_browser_is_html(live):
    r = requests.get(live.sparql, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200
    assert media_type(r) == "text/html"


# -- streaming ---------------------------------------------------------------------------------
def test_large_results_are_streamed_complete(tmp_path):
    server = start_server(tmp_path, max_result_rows=1_000_000)
    live = next(server)
    try:
        digits = " ".join(map(str, range(200)))
        query = (f"SELECT ?x WHERE {{ VALUES ?a {{ {digits} }} VALUES ?b {{ {digits} }} "
                 "BIND(CONCAT(STR(?a), '-', STR(?b), '-padding-to-make-the-result-larger') "
                 "AS ?x) }")
        r = requests.get(live.sparql, params={"query": query}, headers={"Accept": "text/csv"})
        assert r.status_code == 200
        assert len(r.content) > 1 << 20  # more than one fast-path message
        assert "Content-Length" not in r.headers  # sent as it was produced
        assert sum(solutions(r).values()) == 200 * 200
        for _ in range(live.config.query_workers + 1):  # HEAD: the stream is never read
            head = requests.head(live.sparql, params={"query": query})
            assert head.status_code == 200
        after = requests.get(live.sparql, params={"query": "ASK {}"})
        assert after.status_code == 200  # no worker was left busy by an unread stream
    finally:
        server.close()
