"""The remote backend's own guarantees, against real Oxigraph server and Virtuoso processes:
validated, all-or-nothing writes, conflicts between writers, writes behind Corridor's back,
the time limit of user queries, and two Corridor processes over one remote store."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from corridor.config import Config
from corridor.store import StoreError, WriteRejected, open_store
from corridor.store.remote import ConflictError
from corridor.validation import write_check
from tests.conftest import REMOTE_KINDS
from tests.remote_servers import _post, free_port

pytestmark = pytest.mark.remote

COR = "https://w3id.org/corridor/ontology#"
EX = "http://example.org/"
GOOD = f"""@prefix cor: <{COR}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{EX}p> a cor:Project ; rdfs:label "P" ; cor:leadPartner <{EX}o> ; cor:budget [ cor:v 1 ] .
<{EX}o> a cor:University ."""
BAD = f"""@prefix cor: <{COR}> .
<{EX}q> a cor:Project ; cor:leadPartner <{EX}p> ."""  # no label; the lead is no organisation
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"VALUES ?v{i} {{ {' '.join(str(n) for n in range(100))} }}" for i in range(6)) + " }"


@pytest.fixture(params=REMOTE_KINDS)
def server(request, server_pools):
    from tests.remote_servers import missing

    reason = missing(request.param)
    if reason:
        pytest.skip(reason)
    pool = server_pools[request.param]
    chosen = pool.acquire()
    yield chosen
    pool.release(chosen)


@pytest.fixture
def config(tiny_config: Config, server) -> Config:
    return tiny_config.with_(**server.settings())


def turtle(text: str) -> list[ox.Quad]:
    return list(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE))


def state(store) -> tuple[int, set[str]]:
    """The version and the content of every graph, blank nodes by position (comparable)."""
    quads = {f"{q.subject if isinstance(q.subject, ox.NamedNode) else '_'} {q.predicate} "
             f"{q.object if not isinstance(q.object, ox.BlankNode) else '_'} {q.graph_name}"
             for q in store.quads()}
    return store.version, quads


def test_a_valid_write_is_stored_and_read_back_as_written(config):
    store = open_store(config)
    with store.transaction("load", check=write_check(store)) as txn:
        txn.replace_graph(config.graph_iri("a"), turtle(GOOD))
    assert store.version == 1
    got = {(q.subject, q.predicate, q.object) for q in store.quads(config.graph_iri("a"))}
    blank = [o for _s, _p, o in got if isinstance(o, ox.BlankNode)]
    assert len(got) == 6 and len(blank) == 1  # the blank node comes back as a blank node


def test_a_write_rejected_by_validation_leaves_the_previous_state(config):
    store = open_store(config)
    with store.transaction("load", check=write_check(store)) as txn:
        txn.replace_graph(config.graph_iri("a"), turtle(GOOD))
    before = state(store)
    with pytest.raises(WriteRejected), store.transaction("bad", check=write_check(store)) as txn:
        txn.add_to_graph(config.graph_iri("b"), turtle(BAD))
    assert state(store) == before


def test_validation_sees_the_neighbours_stored_remotely(config):
    """The lead partner's type lives in another graph: fetched, not missing."""
    store = open_store(config)
    with store.transaction("org") as txn:
        txn.replace_graph(config.graph_iri("orgs"), turtle(
            f"<{EX}o2> a <{COR}University> ."))
    with store.transaction("project", check=write_check(store)) as txn:
        txn.replace_graph(config.graph_iri("p2"), turtle(
            f'<{EX}p2> a <{COR}Project> ; <http://www.w3.org/2000/01/rdf-schema#label> "P2" ;'
            f" <{COR}leadPartner> <{EX}o2> ."))
    assert store.graph_exists(config.graph_iri("p2"))


SKOS = "http://www.w3.org/2004/02/skos/core#"
CHAIN_SHAPES = f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
<https://w3id.org/corridor/shapes#InCountry> a sh:NodeShape ;
  sh:targetClass <{COR}Organisation> ;
  sh:sparql [ a sh:SPARQLConstraint ; sh:message "The region does not lie in the country." ;
    sh:select \"\"\"SELECT $this ?value WHERE {{ $this <{COR}nutsRegion> ?value ;
      <{COR}country> ?country . FILTER NOT EXISTS {{ ?value <{SKOS}broader>* ?top .
      ?top <{SKOS}exactMatch> ?country }} }}\"\"\" ] ."""


def test_validation_follows_a_hierarchy_up_to_its_top(config, tmp_path):
    """A region three levels below its country (NUTS 3 → 0, then the country): the copy a
    remote write is validated on holds the whole ``skos:broader`` chain (it held two hops, and
    a valid organisation was refused), and an organisation in another country is still refused."""
    shapes = tmp_path / "chain-shapes"
    shapes.mkdir()
    (shapes / "chain.ttl").write_text(CHAIN_SHAPES)
    store = open_store(config.with_(shapes_dir=shapes))
    chain = " ".join(f"<{EX}r{i}> <{SKOS}broader> <{EX}r{i - 1}> ." for i in range(1, 4))
    with store.transaction("regions") as txn:
        txn.replace_graph(config.graph_iri("regions"), turtle(
            chain + f" <{EX}r0> <{SKOS}exactMatch> <{EX}here> ."))
    org = f"<{EX}org> a <{COR}Organisation> ; <{COR}nutsRegion> <{EX}r3> ; <{COR}country> "
    with store.transaction("valid", check=write_check(store)) as txn:
        txn.replace_graph(config.graph_iri("orgs"), turtle(org + f"<{EX}here> ."))
    with pytest.raises(WriteRejected), store.transaction("invalid",
                                                          check=write_check(store)) as txn:
        txn.replace_graph(config.graph_iri("orgs"), turtle(org + f"<{EX}elsewhere> ."))


def test_a_write_too_big_for_one_request_lands_whole_through_staging_graphs(config):
    """Servers cap request bodies (Oxigraph server at 128 MiB): a big write is uploaded in
    parts to staging graphs, copied by the one conditional request, and the staging dropped."""
    store = open_store(config)
    store.stage_chars = 2_000  # a few dozen statements per upload instead of 32 Mi characters
    sent: list[int] = []
    update = store.client.update
    store.client.update = lambda text, **kw: (sent.append(len(text)), update(text, **kw))[1]
    written = turtle("\n".join(
        f'<{EX}s{i}> <{EX}p> "value {i}" ; <{EX}q> <{EX}o{i % 7}> .' for i in range(300)))
    with store.transaction("big") as txn:
        txn.replace_graph(config.graph_iri("big"), written)
    assert {(q.subject, q.predicate, q.object) for q in store.quads(config.graph_iri("big"))} \
        == {(q.subject, q.predicate, q.object) for q in written}
    graphs = {str(row[0].value) for row in store.client.query(
        "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }")}
    assert not [g for g in graphs if "staging" in g]
    assert len(sent) > 10 and sorted(sent)[-2] < 2_200  # only the final request is longer


def test_a_staging_graph_is_emptied_in_parts(config, monkeypatch):
    """A staging graph is emptied a part at a time (one DROP of millions of triples is one
    transaction held in memory); none is left."""
    from corridor.store import remote

    monkeypatch.setattr(remote, "INLINE_LINES", 50)
    monkeypatch.setattr(remote, "DROP_PART", 40)
    store = open_store(config)
    sent: list[str] = []
    update = store.client.update
    store.client.update = lambda text, **kw: (sent.append(text), update(text, **kw))[1]
    with store.transaction("many") as txn:
        txn.replace_graph(config.graph_iri("many"), turtle("\n".join(
            f'<{EX}s{i}> <{EX}p> "value {i}" .' for i in range(300))))
    graphs = {str(row[0].value) for row in store.client.query(
        "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }")}
    assert not [g for g in graphs if "staging" in g]
    drops = [t for t in sent if t.startswith(
        ("DROP SILENT GRAPH <urn:x-corridor:staging/", "DELETE { GRAPH <urn:x-corridor:staging/"))]
    if store.virtuoso:
        assert len(drops) == 2 and all(t.startswith("DROP SILENT GRAPH") for t in drops)
    else:
        assert len(drops) >= 300 // 40 and all("LIMIT 40" in t for t in drops)


@pytest.mark.parametrize("operation", ["replace_graph", "add_to_graph"])
def test_a_write_of_many_statements_is_staged_without_a_size_limit_being_reached(
        config, monkeypatch, operation):
    """More statements than a final request carries inline go through staging graphs, written
    out as they are sent (a 5M-triple load held them all as texts: ~10 GB in the client),
    whether the graph is replaced or added to."""
    from corridor.store import remote

    monkeypatch.setattr(remote, "INLINE_LINES", 50)
    store = open_store(config)
    sent: list[str] = []
    update = store.client.update
    store.client.update = lambda text, **kw: (sent.append(text), update(text, **kw))[1]
    written = turtle("\n".join(f'<{EX}s{i}> <{EX}p> "value {i}" .' for i in range(300)))
    with store.transaction("many") as txn:
        getattr(txn, operation)(config.graph_iri("many"), written)
    assert {(q.subject, q.predicate, q.object) for q in store.quads(config.graph_iri("many"))} \
        == {(q.subject, q.predicate, q.object) for q in written}
    staged = "INSERT DATA { GRAPH <urn:x-corridor:staging/"
    uploads = [text for text in sent if text.startswith(staged)]
    final = [text for text in sent if not text.startswith(("INSERT DATA", "DROP"))]
    assert sum(text.count('"value ') for text in uploads) == 300
    assert not any('"value ' in text for text in final)


def union_and_graphs(store) -> tuple[set[tuple], set[tuple]]:
    """The triples of the union graph and those of every registered graph."""
    from corridor.store.remote import UNION_GRAPH

    def triples(rows) -> set[tuple]:
        return {(r["s"], r["p"], r["o"]) for r in rows}

    union = triples(store.client.query(
        f"SELECT ?s ?p ?o {{ GRAPH <{UNION_GRAPH}> {{ ?s ?p ?o }} }}"))
    values = " ".join(f"<{g}>" for g in store.all_graphs() if not store.config.is_withheld(g))
    every = triples(store.client.query(
        f"SELECT DISTINCT ?s ?p ?o {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"))
    return union, every


def test_a_large_write_reaches_the_union_graph_after_its_final_request(config, server,
                                                                       monkeypatch):
    """A large write is copied into the union graph after the final request (one transaction
    of twice its size did not fit in memory on Oxigraph server); the union is then whole and
    used again."""
    if server.kind == "virtuoso":
        pytest.skip("virtuoso: no union graph (a list of default graphs is one condition there)")
    from corridor.store import remote

    monkeypatch.setattr(remote, "INLINE_LINES", 50)
    store = open_store(config)
    with store.transaction("many") as txn:
        txn.replace_graph(config.graph_iri("many"), turtle("\n".join(
            f'<{EX}s{i}> <{EX}p> "value {i}" .' for i in range(300))))
    union, every = union_and_graphs(store)
    assert union == every and len(union) >= 300
    assert store.union_ready


def test_a_write_between_a_large_write_and_its_union_copy_leaves_the_union_unused(
        config, server, monkeypatch):
    """If another process writes before the union graph has the large write, the union is not
    claimed whole: queries list the graphs until a writing process rebuilds it."""
    if server.kind == "virtuoso":
        pytest.skip("virtuoso: no union graph (a list of default graphs is one condition there)")
    from corridor.store import remote

    monkeypatch.setattr(remote, "INLINE_LINES", 50)
    store, other = open_store(config), open_store(config)
    update = store.client.update

    def meanwhile(text, **kw):
        if text.startswith(f"INSERT DATA {{ GRAPH <{remote.UNION_GRAPH}>"):
            with other.transaction("meanwhile") as txn:
                txn.replace_graph(config.graph_iri("other"), turtle(f"<{EX}x> <{EX}p> 1 ."))
        return update(text, **kw)

    monkeypatch.setattr(store.client, "update", meanwhile)
    monkeypatch.setattr(store, "_raise_if_moved", lambda version, token: None)  # no early stop
    with store.transaction("many") as txn:
        txn.replace_graph(config.graph_iri("many"), turtle("\n".join(
            f'<{EX}s{i}> <{EX}p> "value {i}" .' for i in range(300))))
    assert not store.union_ready and not other.union_ready
    rebuilt = open_store(config)  # a writing process opening the store builds the union
    union, every = union_and_graphs(rebuilt)
    assert rebuilt.union_ready and union == every


def test_the_union_graph_follows_replacements_additions_and_drops(config, server):
    """One triple in two graphs stays in the union until neither holds it."""
    if server.kind == "virtuoso":
        pytest.skip("virtuoso: no union graph (a list of default graphs is one condition there)")
    store = open_store(config)
    shared = f"<{EX}s> <{EX}p> <{EX}o> ."
    with store.transaction("two") as txn:
        txn.replace_graph(config.graph_iri("a"), turtle(shared + f" <{EX}a> <{EX}p> 1 ."))
        txn.replace_graph(config.graph_iri("b"), turtle(shared))
    with store.transaction("add") as txn:
        txn.add_to_graph(config.graph_iri("b"), turtle(f"<{EX}b> <{EX}p> 2 ."))
    with store.transaction("replace") as txn:
        txn.replace_graph(config.graph_iri("a"), turtle(f"<{EX}a> <{EX}p> 3 ."))
    spo = (ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p"), ox.NamedNode(f"{EX}o"))
    union, every = union_and_graphs(store)
    assert union == every and spo in union
    with store.transaction("drop") as txn:
        txn.drop_graph(config.graph_iri("b"))
    union, every = union_and_graphs(store)
    assert union == every and spo not in union


def test_withheld_graphs_stay_out_of_the_union_graph_and_public_queries(config, server):
    if server.kind == "virtuoso":
        pytest.skip("virtuoso: no union graph (a list of default graphs is one condition there)")
    from corridor.store.remote import UNION_GRAPH

    store = open_store(config)
    personal = config.graph_iri("personal")
    with store.transaction("two") as txn:
        txn.replace_graph(config.graph_iri("a"), turtle(f"<{EX}a> <{EX}p> 1 ."))
        txn.replace_graph(personal, turtle(f"<{EX}someone> <{EX}mail> 'x@example.org' ."))
    union, every = union_and_graphs(store)
    assert union == every and (ox.NamedNode(f"{EX}someone"), ox.NamedNode(f"{EX}mail"),
                               ox.Literal("x@example.org")) not in union
    public = store.dataset_arguments()
    assert store.view.dataset(**public)[0] == [UNION_GRAPH]
    assert store.view.dataset(use_default_graph_as_union=True)[0] == [UNION_GRAPH, personal]
    assert not list(store.query(f"SELECT * {{ <{EX}someone> ?p ?o }}"))
    assert list(store.query(f"SELECT * {{ <{EX}someone> ?p ?o }}",
                            use_default_graph_as_union=True))


def test_a_store_written_without_a_union_graph_gets_one_when_opened(config, server):
    if server.kind == "virtuoso":
        pytest.skip("virtuoso: no union graph (a list of default graphs is one condition there)")
    from corridor.store.remote import UNION_GRAPH

    store = open_store(config)
    with store.transaction("load") as txn:
        txn.replace_graph(config.graph_iri("a"), turtle(GOOD))
    store.client.update(f"DROP GRAPH <{UNION_GRAPH}> ; DELETE WHERE {{ GRAPH "
                        f"<urn:x-corridor:state> {{ <urn:x-corridor:store> "
                        f"<urn:x-corridor:union> ?u }} }}")
    assert not open_store(config, read_only=True).union_ready  # it cannot build one
    reopened = open_store(config)
    union, every = union_and_graphs(reopened)
    assert reopened.union_ready and union == every and len(union) == 6


def test_user_queries_read_the_union_graph_too(config, server):
    """The SPARQL endpoint sends the union graph as its default graph, as trusted queries do
    (naming every public graph instead made an aggregation at 1M triples ~7× slower on
    Oxigraph server): a triple put into the union graph alone is seen through ``/sparql``."""
    if server.kind == "virtuoso":
        pytest.skip("virtuoso: no union graph (a list of default graphs is one condition there)")
    from corridor.store.remote import UNION_GRAPH
    from corridor.web.app import create_app

    store = open_store(config)
    with store.transaction("load") as txn:
        txn.replace_graph(config.graph_iri("a"), turtle(f"<{EX}a> <{EX}p> 1 ."))
    store.client.update(f"INSERT DATA {{ GRAPH <{UNION_GRAPH}> {{ <{EX}only> <{EX}in> "
                        f"<{EX}union> }} }}")
    client = create_app(config, store).test_client()
    response = client.get("/sparql", query_string={
        "query": f"ASK {{ <{EX}only> <{EX}in> <{EX}union> }}"},
        headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200 and response.get_json()["boolean"] is True


def test_virtuoso_is_sent_the_smallest_default_graphs_first(config, server):
    """Virtuoso plans by the first default graph (a million-triple graph first: >60 s instead
    of 2.4 s for one VoID count)."""
    if server.kind != "virtuoso":
        pytest.skip(f"{server.kind}: queries name the union graph alone")
    store = open_store(config)
    with store.transaction("two") as txn:
        txn.replace_graph(config.graph_iri("a-big"), turtle(
            "\n".join(f"<{EX}s{i}> <{EX}p> {i} ." for i in range(50))))
        txn.replace_graph(config.graph_iri("z-small"), turtle(f"<{EX}s> <{EX}p> 1 ."))
    default, _named = store.view.dataset(use_default_graph_as_union=True)
    assert default.index(config.graph_iri("z-small")) < default.index(config.graph_iri("a-big"))


class CuttingProxy:
    """A TCP proxy that forwards only the first ``keep`` bytes of each request, then closes
    both sides: an update request interrupted in transit."""

    def __init__(self, target_port: int, keep: int) -> None:
        self.port, self.keep, self.target = free_port(), keep, target_port
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with client, socket.create_connection(("127.0.0.1", self.target)) as upstream:
                sent = 0
                while sent < self.keep:
                    data = client.recv(min(65536, self.keep - sent))
                    if not data:
                        break
                    upstream.sendall(data)
                    sent += len(data)

    def close(self) -> None:
        self.listener.close()


def test_an_interrupted_write_request_leaves_the_previous_state(config, server):
    store = open_store(config)
    with store.transaction("load") as txn:
        txn.replace_graph(config.graph_iri("a"), turtle(GOOD))
    before = state(store)
    port = int(server.update_url.split(":")[2].split("/")[0])
    proxy = CuttingProxy(port, keep=600)  # the headers and the start of the body
    try:
        cut = open_store(config.with_(update_url=server.update_url.replace(
            f":{port}/", f":{proxy.port}/")))
        with pytest.raises(StoreError), cut.transaction("cut") as txn:
            txn.replace_graph(config.graph_iri("a"), turtle(BAD))
            txn.add_to_graph(config.graph_iri("c"), turtle(GOOD.replace("/p>", "/p3>")))
    finally:
        proxy.close()
    assert state(open_store(config)) == before


def test_a_write_prepared_on_an_old_version_is_refused_whole(config):
    first, second = open_store(config), open_store(config)
    with pytest.raises(ConflictError), first.transaction("slow") as txn:
        txn.replace_graph(config.graph_iri("slow"), turtle(GOOD))
        with second.transaction("fast") as other:  # commits while the first is prepared
            other.replace_graph(config.graph_iri("fast"), turtle(GOOD))
    assert first.graph_exists(config.graph_iri("fast"))
    assert not first.graph_exists(config.graph_iri("slow"))
    assert first.version == second.version == 1


def test_writes_behind_corridors_back_show_after_reindex(config, server, tmp_path):
    store = open_store(config)
    graph = config.graph_iri("direct")
    _post(server.update_url, "update",
          f'INSERT DATA {{ GRAPH <{graph}> {{ <{EX}d> <{EX}name> "direct" }} }}')
    assert not store.graph_exists(graph)  # only what Corridor registered is its data
    from corridor import cli

    assert cli.main(["reindex"], config=config) == 0
    again = open_store(config)
    assert again.graph_exists(graph) and again.version == 1
    assert [c.graph for c in again.changes_since(0)] == [graph]


def test_a_runaway_user_query_times_out_and_others_are_answered(config):
    from corridor.query import QueryJob, queries_for
    from corridor.query.executor import QueryTimeout

    store = open_store(config.with_(query_timeout=1.0))
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        queries_for(store).execute(QueryJob(RUNAWAY), timeout=1.0)
    assert time.monotonic() - started < 4
    outcome = queries_for(store).execute(QueryJob("ASK {}"))
    assert b"true" in b"".join(outcome.body)


# --------------------------------------------------------------------------- two processes
def serve(config: Config, folder: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "CORRIDOR_STORE_URL": config.store_url or "",
           "CORRIDOR_UPDATE_URL": config.update_url or "", "CORRIDOR_REMOTE_POLL": "0.2",
           "CORRIDOR_WRITE_TOKEN": "t0ken"}
    process = subprocess.Popen(
        [sys.executable, "-m", "corridor.cli", "serve", "--store", str(folder / "state"),
         "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240  # the first loads the bundled data (validated)
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"},
                         timeout=5)
            return process
        except requests.ConnectionError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("corridor serve did not start")


def test_two_processes_over_one_remote_store_give_the_same_answers(config, tmp_path):
    config = config.with_(shapes_dir=Config().shapes_dir)  # what `corridor serve` validates
    ports = [free_port(), free_port()]
    processes = [serve(config, tmp_path / f"web{i}", port) for i, port in enumerate(ports)]
    try:
        a, b = (f"http://127.0.0.1:{p}" for p in ports)
        graph = config.graph_iri("two/processes")
        body = f'<{EX}thing> <http://www.w3.org/2000/01/rdf-schema#label> "written by A" .'
        r = requests.put(f"{a}/graph-store", params={"graph": graph}, data=body.encode(),
                         headers={"Content-Type": "application/n-triples",
                                  "Authorization": "Bearer t0ken"})
        assert r.status_code in (201, 204), r.text
        query = {"query": f"SELECT ?l {{ GRAPH <{graph}> {{ ?s ?p ?l }} }}"}
        deadline, answers = time.monotonic() + 10, []
        while time.monotonic() < deadline:
            answers = [requests.get(f"{u}/sparql", params=query,
                                    headers={"Accept": "text/csv"}).text for u in (a, b)]
            if answers[0] == answers[1]:
                break
            time.sleep(0.2)
        assert answers[0] == answers[1] and "written by A" in answers[1]
        listed = [requests.get(f"{u}/graph-store", params={"graph": graph},
                               headers={"Accept": "application/n-triples"}).text
                  for u in (a, b)]
        assert listed[0] == listed[1] and "written by A" in listed[0]
    finally:
        for process in processes:
            process.terminate()
            process.wait(20)
