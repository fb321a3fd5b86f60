"""A live Corridor server (waitress on 127.0.0.1, random port) over a small store of our own."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from waitress import create_server

from corridor.config import Config
from corridor.store import OxigraphStore, open_store
from corridor.web.app import create_app

BASE = "https://w3id.org/corridor/"
EX = "http://example.org/"
TOKEN = "s3cret-token"

GRAPHS = {
    BASE + "graph/test/alpha": f"""
        @prefix ex: <{EX}> .
        ex:a ex:name "Alpha" ; ex:size 1 .
        ex:b ex:name "Beta" ; ex:size 2 .
    """,
    BASE + "graph/test/gamma": f"""
        @prefix ex: <{EX}> .
        ex:c ex:name "Gamma" ; ex:size 3 .
    """,
    BASE + "graph/personal/people": f"""
        @prefix ex: <{EX}> .
        ex:person ex:email "secret@example.org" .
    """,
}


def load(store: OxigraphStore, graphs: dict[str, str]) -> None:
    with store.transaction("test data") as txn:
        for graph, turtle in graphs.items():
            txn.replace_graph(graph, ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE))


@dataclass
class LiveServer:
    url: str
    store: OxigraphStore
    config: Config

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"

    @property
    def graph_store(self) -> str:
        return self.url + "/graph-store"


def start_server(tmp: Path, **settings: object) -> Iterator[LiveServer]:
    defaults: dict[str, object] = {
        "write_token": TOKEN, "query_timeout": 2.0, "query_workers": 2,
        "max_result_rows": 1000, "max_request_bytes": 200_000,
    }
    config = Config(store_dir=tmp / "store", **{**defaults, **settings})  # type: ignore[arg-type]
    store = open_store(config)
    load(store, GRAPHS)
    app = create_app(config, store)
    server = create_server(app, host="127.0.0.1", port=0, threads=8, asyncore_use_poll=True)
    stopping = threading.Event()

    def run() -> None:
        try:
            server.run()
        except (OSError, ValueError):  # the loop's sockets vanish under it at shutdown
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    live = LiveServer(f"http://127.0.0.1:{server.effective_port}", store, config)
    urllib.request.urlopen(live.sparql + "?query=ASK%7B%7D").read()  # start the query workers
    try:
        yield live
    finally:
        stopping.set()
        while server._map:  # closing every channel ends waitress's loop (as webtest does)
            for channel in list(server._map.values()):
                channel.handle_close()
        server.task_dispatcher.shutdown()
        thread.join(5)
        store.close()


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory, backend, request) -> Iterator[LiveServer]:
    """One server per backend for the whole session; tests that write use graphs of their
    own."""
    yield from start_server(tmp_path_factory.mktemp("live"), **backend.settings(request))


@pytest.fixture
def client(live: LiveServer):
    """Flask test client on the same app and store as the live server (where simpler)."""
    app = create_app(live.config, live.store)
    return app.test_client()
