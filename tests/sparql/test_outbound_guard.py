"""No request makes the server contact another host unless the operator allowed that endpoint.

Two defences, each tested on its own. (1) The SERVICE / LOAD check reads the text the way
Oxigraph's parser does: keywords in any case and glued to what follows (``SERVICE:x``,
``SERVICEex:x``, ``trueSERVICE``, ``LOAD<…>``), comments as space, a prologue per update
operation, IRIs with ``\\u`` escapes and relative IRIs. The reference is Oxigraph itself: every
variant is run on an in-memory store against a recording HTTP server, and whenever Oxigraph
contacts it the check must have reported that endpoint. (2) Query workers and the update
thread have no network at all (an empty network namespace), so even a query the check passed
reaches nothing.
"""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import requests

from corridor.query import executor, isolation, queries_for
from corridor.query import text as sparql_text
from corridor.store import StoreError, UpdateLimits
from corridor.store.limited_update import UpdateRunner

from .conftest import BASE, EX, TOKEN, start_server

ALLOWED = "http://allowed.test/sparql"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class Recorder:
    """An HTTP server on 127.0.0.1 that answers every request with one empty solution."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                self._answer()

            def do_POST(self) -> None:  # noqa: N802
                self._answer()

            def _answer(self) -> None:
                recorder.hits.append(self.path)
                body = b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def recorder() -> Iterator[Recorder]:
    rec = Recorder()
    yield rec
    rec.server.shutdown()


def variants(u: str) -> list[str]:
    """Queries that reach ``u`` (or try to), written in every way the parser accepts."""
    p = f"PREFIX ex: <{u}> "
    return [
        f"PREFIX : <{u}> SELECT * {{ SERVICE:internal {{ ?s ?p ?o }} }}",
        p + "SELECT * { SERVICEex:internal { ?s ?p ?o } }",
        p + "SELECT * { SERVICESILENTex:internal { ?s ?p ?o } }",
        p + "SELECT * { SERVICE SILENT ex:internal { ?s ?p ?o } }",
        p + "SELECT * { ?s ?p true SERVICE ex:i { ?s ?p ?o } }",
        p + "SELECT * { ?s ?p trueSERVICE ex:i { ?s ?p ?o } }",
        p + "SELECT * { ?s ?p falseSERVICE ex:i { ?s ?p ?o } }",
        p + "SELECT * { ?s ?p 1SERVICE ex:i { ?s ?p ?o } }",
        p + "SELECT * { ?s ?p 1.5e3SERVICE ex:i { ?s ?p ?o } }",
        p + 'SELECT * { ?s ?p "x"SERVICE ex:i { ?s ?p ?o } }',
        p + "SELECT * { ?s ?p ?o.SERVICE ex:i { ?s ?p ?o } }",
        p + "SELECT * { ?s ?p []SERVICE ex:i { ?s ?p ?o } }",
        p + "SELECT * { ?s ?p _:b SERVICE ex:i { ?s ?p ?o } }",
        p + "SELECT * { SERVICE#comment\n ex:i { ?s ?p ?o } }",
        p + "SELECT * { SeRvIcE ex:i { ?s ?p ?o } }",
        p + "SELECT * { ?s ?p ?o . SERVICE ex:%41 { ?s ?p ?o } }",
        p + "SELECT * { ?s ?p ?o FILTER EXISTS { SERVICE ex:i { ?s ?p ?o } } }",
        p + "SELECT (EXISTS { SERVICE ex:i {} } AS ?x) {}",
        p + "SELECT * { ?s ?p ?o MINUS { SERVICE ex:i { ?s ?p ?o } } }",
        "SELECT * { SERVICE <" + u.replace("h", "\\u0068", 1) + "x> { ?s ?p ?o } }",
        f"BASE <{u}> SELECT * {{ SERVICE <rel> {{ ?s ?p ?o }} }}",
        f"BASE<{u}> SELECT * {{ SERVICE<rel> {{ ?s ?p ?o }} }}",
        f"PREFIX:<{u}> SELECT * {{ SERVICE:x {{ ?s ?p ?o }} }}",
        f"PREFIXex:<{u}> SELECT * {{ SERVICE ex:x {{ ?s ?p ?o }} }}",
        f"prefix ex: <{ALLOWED}/> prefix ex: <{u}> SELECT * {{ SERVICE ex:x {{ ?s ?p ?o }} }}",
        f"PREFIX SERVICEex: <{ALLOWED}> " + p + "SELECT * { SERVICEex:internal { ?s ?p ?o } }",
        f"PREFIX ex: <{ALLOWED}> PREFIXex:<{u}> SELECT * {{ SERVICE ex:x {{ ?s ?p ?o }} }}",
        f"BASE <{ALLOWED}/> BASE <{u}> SELECT * {{ SERVICE <x> {{ ?s ?p ?o }} }}",
    ]


def oxigraph_contacts(query: str, recorder: Recorder) -> bool:
    """Whether Oxigraph itself, given ``query``, sends a request to the recorder."""
    store = ox.Store()
    node = ox.NamedNode(EX + "s")
    for value in (ox.Literal(True), ox.Literal(False), ox.Literal(1), ox.Literal("x"),
                  ox.Literal(1.5e3), node):
        store.add(ox.Quad(node, node, value))
    before = len(recorder.hits)
    with contextlib.suppress(SyntaxError, OSError, ValueError, RuntimeError):
        list(store.query(query))  # type: ignore[call-overload]
    return len(recorder.hits) > before


def test_the_check_reports_every_endpoint_oxigraph_contacts(recorder):
    contacted = 0
    for query in variants(recorder.url):
        if oxigraph_contacts(query, recorder):
            contacted += 1
            reported = sparql_text.service_endpoints(query)
            assert any(e is None or e not in (ALLOWED,) for e in reported), query
            assert all(e is None or e == ALLOWED or e.startswith(recorder.url)
                       for e in reported), (query, reported)
    assert contacted >= 25  # the variants really are SERVICE clauses to Oxigraph


def test_a_later_prefix_does_not_change_an_earlier_operations_endpoint():
    update = (f"PREFIX ex: <http://127.0.0.1:9/> INSERT {{ <{EX}a> <{EX}b> ?o }} "
              "WHERE { SERVICE ex:x { ?s ?p ?o } } ; "
              f"PREFIX ex: <{ALLOWED[:-6]}> INSERT DATA {{ <{EX}a> <{EX}b> 1 }}")
    assert sparql_text.service_endpoints(update) == ["http://127.0.0.1:9/x"]


def test_a_prefix_redefined_in_a_later_operation_applies_from_there_on():
    update = (f"PREFIX ex: <{ALLOWED[:-6]}> INSERT {{ <{EX}a> <{EX}b> ?o }} "
              "WHERE { SERVICE ex:sparql { ?s ?p ?o } } ; "
              "PREFIX ex: <http://127.0.0.1:9/> INSERT { <urn:a> <urn:b> ?o } "
              "WHERE { SERVICE ex:sparql { ?s ?p ?o } }")
    assert sparql_text.service_endpoints(update) == [ALLOWED, "http://127.0.0.1:9/sparql"]


@pytest.mark.parametrize("text", [
    'ASK { FILTER("SERVICE <x>" != "") }',
    "ASK { ?service ?p ?o }",
    "ASK { <http://x/SERVICE> ?p ?o } # SERVICE <http://127.0.0.1:9/>",
    f"PREFIX ex: <{EX}> ASK {{ ?s ex:hasService ?o }}",
])
def test_service_in_strings_iris_comments_variables_and_local_names_is_no_clause(text):
    assert sparql_text.service_endpoints(text) == []


def test_every_variant_is_refused_over_http_and_reaches_nothing(live, recorder):
    for query in variants(recorder.url):
        before = len(recorder.hits)
        response = requests.get(live.sparql, params={"query": query})
        assert response.status_code == 403, (query, response.text)
        assert "SERVICE" in response.text and "not allowed" in response.text
        assert len(recorder.hits) == before


def test_a_redefined_prefix_in_a_multi_operation_update_cannot_pass_the_allow_list(
    recorder, tmp_path
):
    allowed = recorder.url + "sparql"
    server = start_server(tmp_path, allowed_service_endpoints=(allowed,))
    live = next(server)
    try:
        graph = BASE + "graph/test/federated-update"
        update = (f"PREFIX ex: <{recorder.url}internal/> INSERT {{ GRAPH <{graph}> "
                  f"{{ <{EX}x> <{EX}y> 1 }} }} WHERE {{ SERVICE ex:sparql {{ }} }} ; "
                  f"PREFIX ex: <{recorder.url}> INSERT {{ GRAPH <{graph}> "
                  f"{{ <{EX}x> <{EX}y> 2 }} }} WHERE {{ SERVICE ex:sparql {{ }} }}")
        before = len(recorder.hits)
        response = requests.post(live.sparql, data={"update": update}, headers=AUTH)
        assert response.status_code == 403, response.text
        assert f"<{recorder.url}internal/sparql>" in response.text
        assert len(recorder.hits) == before
        assert not live.store.graph_exists(graph)
    finally:
        server.close()


LOAD_VARIANTS = [
    "LOAD <{u}data.ttl>",
    "LOAD<{u}data.ttl>",
    "load <{u}data.ttl> INTO GRAPH <{g}>",
    "LOAD SILENT <{u}data.ttl>",
    "LOAD#comment\n<{u}data.ttl>",
    "PREFIX : <{u}> LOAD:data.ttl",
    "PREFIX:<{u}> LOAD:data.ttl",
    "PREFIX ex: <{u}> LOADex:data.ttl",
    "INSERT DATA {{ }} ; LOAD <{u}data.ttl>",
    "INSERT DATA {{ }} ; PREFIX ex: <{u}> LoAd ex:data.ttl INTO GRAPH <{g}>",
]


@pytest.mark.parametrize("template", LOAD_VARIANTS)
def test_load_in_any_spelling_is_refused_and_fetches_nothing(live, recorder, template):
    graph = BASE + "graph/test/loaded"
    update = template.format(u=recorder.url, g=graph)
    version = live.store.version
    before = len(recorder.hits)
    response = requests.post(live.sparql, data={"update": update}, headers=AUTH)
    assert response.status_code == 403, response.text
    assert "LOAD is not allowed" in response.text
    assert len(recorder.hits) == before
    assert live.store.version == version


@pytest.mark.parametrize("text", [
    f"INSERT DATA {{ <{EX}download> <{EX}payload> \"LOAD <x>\" }}",
    f"PREFIX ex: <{EX}> INSERT DATA {{ ex:s ex:download ex:o }}",
])
def test_load_inside_strings_and_local_names_is_no_load(text):
    assert not sparql_text.uses_load(text)


# -- the second defence: no network where user SPARQL runs -----------------------------------
needs_isolation = pytest.mark.skipif(
    isolation.isolation_unavailable() is not None,
    reason="network namespaces are not permitted here (needs root / CAP_SYS_ADMIN)")


@needs_isolation
def test_a_query_worker_reaches_nothing_even_when_the_text_check_is_bypassed(
        live, recorder, backend):
    backend.limitation(**dict.fromkeys(
        ("oxigraph", "virtuoso"), "no query worker of Corridor's: the remote server evaluates "
        "SERVICE itself, so the text check is the one defence (tested above on every backend); "
        "its operator keeps the server off the network (README, remote stores)"))
    pool = queries_for(live.store).pool
    assert pool.offline
    job = executor.QueryJob(f"SELECT * {{ SERVICE <{recorder.url}sparql> {{ }} }}")
    before = len(recorder.hits)
    with pytest.raises(executor.QueryFailed) as failure:
        outcome = pool.execute(str(live.store.snapshot_path), job, 5)
        b"".join(outcome.body)
    assert "unreachable" in str(failure.value).lower()
    assert len(recorder.hits) == before


@needs_isolation
def test_the_update_process_reaches_nothing(recorder):
    store = ox.Store()
    before = len(recorder.hits)
    limits = UpdateLimits(timeout=10, before=isolation.cut_network)
    runner = UpdateRunner()
    try:
        with pytest.raises(StoreError, match="(?i)unreachable"):
            runner.run([store], None, f"LOAD <{recorder.url}data.ttl>", None, limits)
    finally:
        runner.close()
    assert len(recorder.hits) == before


def test_with_an_allow_list_workers_keep_the_network(tmp_path):
    server = start_server(tmp_path, allowed_service_endpoints=(ALLOWED,))
    live = next(server)
    try:
        assert not queries_for(live.store).pool.offline
    finally:
        server.close()
