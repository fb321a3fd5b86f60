"""A SPARQL Update runs under a time and a memory limit, like a query: past either it is stopped
(its process killed), the client is told which limit and by how much, and nothing was written —
not the published store, not the change log, not an earlier operation of the same request."""

from __future__ import annotations

import time

import pytest
import requests

from .conftest import BASE, EX, TOKEN, start_server
from .test_query_budget import GREEDY

AUTH = {"Authorization": f"Bearer {TOKEN}"}
CROSS = " ".join(f"VALUES ?v{i} {{ {' '.join(str(n) for n in range(100))} }}" for i in range(6))
TARGET = BASE + "graph/test/limits"
RUNAWAYS = {
    "insert-where": f"INSERT {{ GRAPH <{TARGET}> {{ <{EX}s> <{EX}n> ?n }} }} "
                    f"WHERE {{ SELECT (COUNT(*) AS ?n) {{ {CROSS} }} }}",
    "delete-insert": f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} "
                     f"INSERT {{ GRAPH <{TARGET}> {{ ?s ?p ?n }} }} "
                     f"WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                     f"{{ SELECT (COUNT(*) AS ?n) {{ {CROSS} }} }} }}",
    "delete-filter-sum": f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                         f"{{ SELECT (SUM(?v0 * ?v5) AS ?n) {{ {CROSS} }} }} FILTER(?n < 0) }}",
    "lowercase-with-using": f"insert {{ graph <{TARGET}> {{ <{EX}s> <{EX}n> ?n }} }} "
                            f"using <{BASE}graph/test/alpha> "
                            f"where {{ select (count(*) as ?n) {{ {CROSS} }} }}",
    "after-a-fast-operation": f"INSERT DATA {{ GRAPH <{TARGET}> {{ <{EX}first> <{EX}p> 1 }} }} ;\n"
                              f"INSERT {{ GRAPH <{TARGET}> {{ <{EX}s> <{EX}n> ?n }} }} "
                              f"WHERE {{ SELECT (COUNT(*) AS ?n) {{ {CROSS} }} }}",
}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("update-limits"), update_timeout=2.0,
                          query_memory_mb=700)
    yield next(server)
    server.close()


def state(live) -> tuple[int, int, int]:
    store = live.store
    return store.version, store.last_change_seq, len(list(
        store.reader().quads_for_pattern(None, None, None, None)))


def update(live, text: str) -> requests.Response:
    return requests.post(live.sparql, data={"update": text},
                         headers=AUTH, timeout=120)


@pytest.mark.parametrize("name", list(RUNAWAYS))
def test_an_update_past_the_time_limit_is_stopped_and_writes_nothing(live, name):
    before = state(live)
    started = time.monotonic()
    r = update(live, RUNAWAYS[name])
    assert r.status_code == 503, r.text
    assert "exceeded the time limit of 2 s" in r.text and "nothing was written" in r.text
    assert r.headers["Retry-After"]
    assert time.monotonic() - started < 60  # stopped, not run to its end (hours)
    assert state(live) == before


def test_an_update_over_the_memory_limit_is_stopped_and_writes_nothing(tmp_path):
    server = start_server(tmp_path, update_timeout=120.0, query_memory_mb=700)
    live = next(server)  # its own server: the time limit must not strike first on a busy machine
    try:
        _over_the_memory_limit(live)
    finally:
        server.close()


def _over_the_memory_limit(live):
    before = state(live)
    greedy = GREEDY.replace("SELECT *", "SELECT ?v0 ?v1 ?v2")
    r = update(live, f"INSERT {{ GRAPH <{TARGET}> {{ ?a <{EX}p> ?b }} }} WHERE {{ "
                     f"{{ {greedy} }} BIND(STR(?v0) AS ?a) BIND(STR(?v1) AS ?b) "
                     f"FILTER(isIRI(?a)) }}")
    assert r.status_code == 500, r.text
    assert "memory limit of 700 MiB" in r.text and "nothing was written" in r.text
    assert state(live) == before


def test_after_a_stopped_update_the_next_one_lands(live):
    update(live, RUNAWAYS["insert-where"])
    r = update(live, f"INSERT DATA {{ GRAPH <{TARGET}> {{ <{EX}after> <{EX}p> <relative> }} }}")
    assert r.status_code == 204, r.text
    assert "Content-Type" not in r.headers and r.content == b""  # no body, so no type
    ask = requests.get(live.sparql, headers={"Accept": "application/sparql-results+json"},
                       params={"query": f"ASK {{ GRAPH <{TARGET}> {{ <{EX}after> <{EX}p> "
                                        f"<{BASE}relative> }} }}"})
    assert ask.json()["boolean"] is True  # relative IRIs still resolve against the base


def test_a_syntax_error_in_an_update_is_still_a_400(live):
    before = state(live)
    r = update(live, f"INSERT DATA {{ GRAPH <{TARGET}> {{ <{EX}a> <{EX}b> }} }}")
    assert r.status_code == 400 and "syntax error" in r.text.lower()
    assert state(live) == before
