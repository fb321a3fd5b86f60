"""Fixtures of the UI tests: the bundled data in an on-disk store, a Flask client, a live server."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from waitress.server import create_server

from corridor.config import Config
from corridor.derived.figures import stats_for
from corridor.derived.search import index_for
from corridor.web.app import create_app

ARTIFACTS = Path(__file__).resolve().parents[2] / "tests" / "artifacts"
BASE = "https://w3id.org/corridor/"


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory, backend, request):
    """The app over a store (each backend in turn) holding the bundled ontology, shapes and
    data."""
    store_dir = tmp_path_factory.mktemp("ui-store") / "store"
    app = create_app(Config(store_dir=store_dir, query_workers=1, **backend.settings(request)))
    # what a started server does in the background, finished before the pages are looked at
    store = app.extensions["corridor.store"]
    stats_for(store, wait=True)
    index_for(store).ensure_current()
    return app


@pytest.fixture()
def client(app):
    return app.test_client()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` serving the app with waitress in a background thread."""
    server = create_server(app, host="127.0.0.1", port=_free_port(), threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    host, port = server.effective_host, server.effective_port
    yield f"http://{host}:{port}"
    server.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
