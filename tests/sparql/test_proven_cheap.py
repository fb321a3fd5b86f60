"""Queries a worker answered quickly on a checkpoint run in the server process next time.

The time limit must still hold: only a job measured cheap on exactly the checkpoint being
queried is run in-process; a new checkpoint (any write) starts over in the workers.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests

from corridor.query import executor, queries_for
from corridor.query import text as sparql_text

from .conftest import BASE, EX, load
from .helpers import rows, solutions

JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(autouse=True)
def _embedded_only(backend):
    """Proven-cheap jobs are a shortcut of the embedded store's worker pool."""
    backend.limitation(**dict.fromkeys(
        ("oxigraph", "virtuoso"), "no worker pool: every query is one HTTP request to the "
        "remote server, which has no worker hop to save"))


@pytest.fixture
def generous(monkeypatch):
    """A threshold no test query can miss, so that the tests do not depend on timing."""
    monkeypatch.setattr(executor, "CHEAP_SECONDS", 30.0)


def pool_of(live) -> executor.QueryPool:
    return queries_for(live.store).pool


def get(live, query: str, accept: str = JSON["Accept"]) -> requests.Response:
    response = requests.get(live.sparql, params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    return response


def test_a_repeated_query_runs_in_process_with_the_same_answer(live, generous):
    query = f"SELECT ?n WHERE {{ ?s <{EX}name> ?n }} # proven-cheap-1"
    pool = pool_of(live)
    first = get(live, query)
    runs = pool.in_process_runs
    second = get(live, query)
    assert pool.in_process_runs == runs + 1
    assert solutions(second) == solutions(first) == rows(
        {"n": "Alpha"}, {"n": "Beta"}, {"n": "Gamma"})


def test_the_first_run_of_a_query_goes_to_a_worker(live, generous):
    pool = pool_of(live)
    runs = pool.in_process_runs
    get(live, f"ASK {{ <{EX}a> ?p ?o }} # proven-cheap-2")
    assert pool.in_process_runs == runs


def test_a_write_sends_the_query_back_to_the_workers_and_it_sees_the_write(
    live, generous
):
    graph = BASE + "graph/test/proven-cheap"
    query = f"SELECT ?n WHERE {{ <{EX}cheap> <{EX}name> ?n }} # proven-cheap-3"
    pool = pool_of(live)
    get(live, query)
    get(live, query)
    load(live.store, {graph: f'<{EX}cheap> <{EX}name> "Written" .'})
    try:
        runs = pool.in_process_runs
        after = get(live, query)
        assert pool.in_process_runs == runs
        assert solutions(after) == rows({"n": "Written"})
        get(live, query)
        assert pool.in_process_runs == runs + 1
    finally:
        with live.store.transaction("clean up") as txn:
            txn.drop_graph(graph)


def test_a_query_slower_than_the_threshold_never_runs_in_process(live, monkeypatch):
    monkeypatch.setattr(executor, "CHEAP_SECONDS", 0.0)
    pool = pool_of(live)
    runs = pool.in_process_runs
    for _ in range(3):
        get(live, f"SELECT ?s WHERE {{ ?s <{EX}size> ?z }} # proven-cheap-4")
    assert pool.in_process_runs == runs


def test_a_different_result_format_is_a_different_job(live, generous):
    query = f"SELECT ?s WHERE {{ ?s <{EX}size> 2 }} # proven-cheap-5"
    pool = pool_of(live)
    get(live, query)
    runs = pool.in_process_runs
    xml = get(live, query, "application/sparql-results+xml")
    assert pool.in_process_runs == runs
    assert solutions(xml) == rows({"s": f"{EX}b"})


def test_an_in_process_answer_keeps_the_row_limit(live, generous):
    many = ("SELECT ?x WHERE { VALUES ?a { " + " ".join(map(str, range(40))) + " } "
            "VALUES ?b { " + " ".join(map(str, range(40))) + " } BIND(?a * 40 + ?b AS ?x) }"
            " # proven-cheap-6")
    pool = pool_of(live)
    get(live, many)
    runs = pool.in_process_runs
    again = get(live, many)
    assert pool.in_process_runs == runs + 1
    assert sum(solutions(again).values()) == live.config.max_result_rows
    assert "X-Corridor-Truncated" in again.headers


def test_a_complete_answer_has_a_content_length(live):
    response = get(live, f"ASK {{ <{EX}a> ?p ?o }} # proven-cheap-7")
    assert int(response.headers["Content-Length"]) == len(response.content)


@pytest.mark.parametrize(("query", "bound"), [
    ("SELECT * { ?s ?p ?o } LIMIT 10", 10),
    ("select * where { ?s ?p '}' } limit 7 offset 2", 7),
    ("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 5 } }", None),
    ("SELECT * { ?s ?p ?o }", None),
    ("ASK { ?s ?p ?o }", 1),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3", None),
    ("DESCRIBE <http://example.org/a> LIMIT 3", None),
])
def test_the_row_bound_of_a_query_is_its_top_level_limit(query, bound):
    assert sparql_text.select_row_bound(query) == bound


def test_in_memory_stores_answer_in_process_as_before(tmp_path):
    from corridor.config import Config
    from corridor.store import open_store

    store = open_store(Config(in_memory=True))
    store_quads = [ox.Quad(ox.NamedNode(f"{EX}m"), ox.NamedNode(f"{EX}name"), ox.Literal("M"),
                           ox.NamedNode(BASE + "graph/test/m"))]
    with store.transaction("data") as txn:
        txn.replace_graph(BASE + "graph/test/m", store_quads)
    job = executor.QueryJob(f"SELECT ?n {{ <{EX}m> <{EX}name> ?n }}")
    outcome = queries_for(store).execute(job)
    assert b"M" in b"".join(outcome.body)
