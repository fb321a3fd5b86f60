"""Every user query runs under the time and memory limits, and a burst of slow queries cannot
take the site down: a request that finds every worker busy waits briefly in a bounded queue,
then gets 503 with Retry-After, while pages keep being answered."""

from __future__ import annotations

import concurrent.futures
import time

import pytest
import requests

from corridor.query import executor, queries_for

from .conftest import BASE, EX, start_server
from .helpers import client_at
from .test_limits import RUNAWAY

JSON = {"Accept": "application/sparql-results+json"}


# -- point 2: no unlimited in-process re-run of a query whose cost can change ---------------
@pytest.mark.parametrize("query", [
    "SELECT (NOW() AS ?t) {}",
    "SELECT * { ?s ?p ?o FILTER(now () > ?o) }",
    "SELECT * { ?s ?p ?o FILTER(RAND() < 0.5) }",
    "SELECT * { BIND(rand#comment\n() AS ?r) }",
    "SELECT (UUID() AS ?u) {}",
    "SELECT (STRUUID() AS ?u) {}",
    "SELECT (BNODE() AS ?b) {}",
    "SELECT * { SERVICE <http://allowed.test/sparql> { ?s ?p ?o } }",
    "SELECT * { ?s ?p ?o FILTER(YEAR(NOW()) - ?o < 10) }",
])
def test_queries_depending_on_clock_chance_or_another_server_are_never_proven_cheap(query):
    assert not executor.may_prove_cheap(query)
    cheap = executor.ProvenCheap()
    cheap.add("checkpoint", executor.QueryJob(query))
    assert ("checkpoint", executor.QueryJob(query)) not in cheap


@pytest.mark.parametrize("query", [
    "SELECT * { ?s ?p ?o } LIMIT 1",
    f"SELECT ?n {{ <{EX}a> <{EX}name> ?n }}",
])
def test_deterministic_queries_may_be_proven_cheap(query):
    assert executor.may_prove_cheap(query)


def test_a_fast_query_using_now_always_goes_back_to_a_worker(live, monkeypatch, backend):
    backend.limitation(**dict.fromkeys(
        ("oxigraph", "virtuoso"), "no worker pool, so no proven-cheap shortcut to refuse: "
        "every query is one HTTP request to the remote server"))
    monkeypatch.setattr(executor, "CHEAP_SECONDS", 30.0)
    pool = queries_for(live.store).pool
    query = (f"SELECT ?n {{ <{EX}a> <{EX}name> ?n FILTER(YEAR(NOW()) > 2000) }}"
             " # budget-now")
    runs = pool.in_process_runs
    for _ in range(3):
        assert requests.get(live.sparql, params={"query": query}, headers=JSON).status_code == 200
    assert pool.in_process_runs == runs


# -- point 3: a bounded queue and an immediate 503 when the workers are busy ----------------
def test_a_burst_of_slow_queries_is_refused_fast_and_pages_stay_up(tmp_path):
    server = start_server(tmp_path, query_workers=1, query_timeout=4.0)
    live = next(server)
    try:
        pool = queries_for(live.store).pool
        with concurrent.futures.ThreadPoolExecutor(12) as clients:
            def slow() -> tuple[int, float, str | None]:
                started = time.monotonic()
                r = requests.get(live.sparql, params={"query": RUNAWAY})
                return r.status_code, time.monotonic() - started, r.headers.get("Retry-After")

            burst = [clients.submit(slow) for _ in range(10)]
            deadline = time.monotonic() + 5
            while not pool.worker_pids()["busy"] and time.monotonic() < deadline:
                time.sleep(0.02)
            started = time.monotonic()
            page = requests.get(live.graph_store, params={"graph": BASE + "graph/test/alpha"},
                                headers={"Accept": "text/turtle"}, timeout=10)
            assert page.status_code == 200
            assert time.monotonic() - started < 2.0
            answers = [f.result() for f in burst]
        refused = [a for a in answers if a[0] == 503 and a[1] < 3.0]
        assert len(refused) >= 8, answers  # at most one runs and one waits
        assert all(retry == "1" for status, _, retry in refused if status == 503)
    finally:
        server.close()


def test_one_client_cannot_take_every_worker(tmp_path):
    """Two workers, one client holding one with a runaway: its next query (not proven cheap) is
    refused at once with a 503 saying why, while another client's query is answered."""
    server = start_server(tmp_path, query_workers=2, query_timeout=6.0)
    live = next(server)
    try:
        pool = queries_for(live.store).pool
        hog, other = client_at("127.0.0.3"), client_at("127.0.0.4")
        with concurrent.futures.ThreadPoolExecutor(1) as background:
            runaway = background.submit(hog.get, live.sparql, params={"query": RUNAWAY})
            deadline = time.monotonic() + 5
            while not pool.worker_pids()["busy"] and time.monotonic() < deadline:
                time.sleep(0.02)
            fresh = f"ASK {{ <{EX}a> ?p ?o }} # per-client {time.time()}"
            started = time.monotonic()
            refused = hog.get(live.sparql, params={"query": fresh}, headers=JSON)
            assert refused.status_code == 503, refused.text
            assert time.monotonic() - started < 2.0
            assert "this client already has 1 of the 2 query workers busy" in refused.text
            assert refused.headers["Retry-After"] == "1"
            answered = other.get(live.sparql, params={"query": fresh}, headers=JSON)
            assert answered.status_code == 200 and answered.json()["boolean"] is True
            assert runaway.result().status_code == 503  # its own time limit
        again = hog.get(live.sparql, params={"query": fresh + " again"}, headers=JSON)
        assert again.status_code == 200  # its share is free again
    finally:
        server.close()


def test_per_client_zero_lifts_the_limit():
    pool = executor.QueryPool(2, per_client=0)
    try:
        pool._admit("127.0.0.9")
        pool._admit("127.0.0.9")
        pool._admit("127.0.0.9")  # no limit: never refused
    finally:
        pool.close()


def test_no_more_than_max_waiting_requests_wait_for_a_worker():
    pool = executor.QueryPool(1, max_waiting=0, queue_wait=5.0)
    try:
        pool._ensure_started()
        worker = pool._acquire(time.monotonic() + 5)
        started = time.monotonic()
        with pytest.raises(executor.PoolBusy):
            pool._acquire(time.monotonic() + 5)
        assert time.monotonic() - started < 0.5  # refused at once, not after the time limit
        pool._release(worker)
    finally:
        pool.close()


# -- point 4: a memory limit per worker, a clear error for that query ------------------------
GREEDY = ("SELECT * { " + " ".join(
    f"VALUES ?v{i} {{ {' '.join(str(n) for n in range(400))} }}" for i in range(3))
    + " } ORDER BY DESC(CONCAT(STR(?v0), STR(?v1), STR(?v2))) LIMIT 1")


def test_a_query_over_the_memory_limit_fails_alone_with_a_clear_message(tmp_path):
    server = start_server(tmp_path, query_workers=1, query_timeout=30.0, query_memory_mb=700)
    live = next(server)
    try:
        r = requests.get(live.sparql, params={"query": GREEDY}, headers=JSON)
        assert r.status_code == 500
        assert "memory limit of 700 MiB" in r.text
        assert "/" not in r.text.split("MiB")[0]  # no file system paths in the message
        again = requests.get(live.sparql, params={"query": f"ASK {{ <{EX}a> ?p ?o }}"},
                             headers=JSON)
        assert again.status_code == 200 and again.json()["boolean"] is True
    finally:
        server.close()
