"""A large store's first VoID and catalogue requests do not wait minutes for whole-graph counts."""

from __future__ import annotations

import time

import pytest
import rdflib

from corridor import derived
from corridor.config import Config
from corridor.derived import figures
from corridor.web.app import create_app


@pytest.fixture
def large_client(tmp_path, monkeypatch):
    """A fresh on-disk store that counts as large (its figures go to a child process), with no
    background warming, and requests that may not wait at all."""
    monkeypatch.setattr(derived, "warm", lambda store: None)
    monkeypatch.setattr(figures, "LARGE_CHECKPOINT_BYTES", 0)
    monkeypatch.setattr(figures, "PENDING_WAIT", 0.0)
    app = create_app(Config(store_dir=tmp_path / "store", query_workers=1))
    yield app.test_client()
    app.extensions["corridor.store"].close()


@pytest.mark.parametrize("path", ["/.well-known/void", "/catalog"])
def test_the_first_request_is_told_to_come_back_then_gets_the_figures(large_client, path):
    first = large_client.get(path, headers={"Accept": "text/turtle"})
    assert first.status_code == 503
    assert first.headers["Retry-After"] == "60"
    assert "being computed" in first.get_data(as_text=True)
    deadline = time.monotonic() + 120
    while (later := large_client.get(path, headers={"Accept": "text/turtle"})).status_code == 503:
        assert time.monotonic() < deadline, "the figures never arrived"
        time.sleep(0.5)
    assert later.status_code == 200
    assert len(rdflib.Graph().parse(data=later.get_data(as_text=True), format="turtle")) > 10
