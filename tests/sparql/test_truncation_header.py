"""A client can always tell a cut result: ``X-Corridor-Truncated`` accompanies every result cut
at ``max_result_rows`` — also one too big for a single message (formerly streamed without the
header), one whose own LIMIT exceeds the server's, and a CONSTRUCT."""

from __future__ import annotations

import pytest
import requests
from rdflib import Graph

from corridor.query import executor

from .conftest import EX, start_server
from .helpers import RESULT_FORMATS, solutions
from .test_limits import MANY

PADDING = "p" * 2000  # 2,500 rows of 2 kB: several MB, more than one message (1 MiB)
BIG = MANY.replace("BIND(?a * 50 + ?b AS ?x)",
                   f'BIND(CONCAT(STR(?a * 50 + ?b), "{PADDING}") AS ?x)')


@pytest.mark.parametrize("accept", list(RESULT_FORMATS))
@pytest.mark.parametrize("query", [BIG, BIG + " LIMIT 2000", MANY + " LIMIT 2000"],
                         ids=["big", "big-limit-above", "limit-above"])
def test_a_cut_result_says_so_in_every_format(live, accept, query):
    r = requests.get(live.sparql, params={"query": query}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers.get("X-Corridor-Truncated") == f"max-result-rows={live.config.max_result_rows}"
    assert sum(solutions(r).values()) == live.config.max_result_rows


def test_a_big_construct_that_is_cut_says_so(live):
    query = BIG.replace("SELECT ?x WHERE", f"CONSTRUCT {{ <{EX}s> <{EX}p> ?x }} WHERE")
    r = requests.get(live.sparql, params={"query": query}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert "X-Corridor-Truncated" in r.headers
    assert len(Graph().parse(data=r.content, format="turtle")) == live.config.max_result_rows


def test_a_big_result_within_the_limit_is_not_marked(live):
    query = BIG + " LIMIT 900"
    r = requests.get(live.sparql, params={"query": query},
                     headers={"Accept": "application/sparql-results+json"})
    assert "X-Corridor-Truncated" not in r.headers
    assert sum(solutions(r).values()) == 900


def test_above_the_held_limit_a_streamed_result_that_is_cut_is_broken_off(tmp_path):
    limit = executor.HOLD_MAX_ROWS + 10_000
    server = start_server(tmp_path, max_result_rows=limit, query_workers=1, query_timeout=20.0)
    live = next(server)
    try:
        values = " ".join(map(str, range(400)))
        query = (f"SELECT ?x {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} "  # 160,000
                 "BIND(CONCAT(STR(?a), '-', STR(?b), '-padding-beyond-one-message') AS ?x) }")
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            r = requests.get(live.sparql, params={"query": query}, headers={"Accept": "text/csv"})
            r.content  # noqa: B018 - reading the body is the point
        ok = requests.get(live.sparql, params={"query": query + " LIMIT 105000"},
                          headers={"Accept": "text/csv"})
        assert ok.status_code == 200 and ok.text.count("\n") == 105_001  # header + rows
    finally:
        server.close()
