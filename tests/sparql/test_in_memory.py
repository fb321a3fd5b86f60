"""The endpoint over an in-memory store through Flask's test client (queries run in-process)."""

from __future__ import annotations

import io

import pytest
from rdflib.query import Result

from corridor.config import Config
from corridor.store import open_store
from corridor.web.app import create_app

from .conftest import EX, GRAPHS, TOKEN, load


@pytest.fixture
def app_client():
    config = Config(in_memory=True, write_token=TOKEN)
    store = open_store(config)
    load(store, GRAPHS)
    return create_app(config, store).test_client()


def test_select_runs_in_process(app_client):
    r = app_client.get("/sparql", query_string={"query": f"SELECT ?n {{ <{EX}a> <{EX}name> ?n }}"})
    assert r.status_code == 200
    result = Result.parse(io.BytesIO(r.data), format="json")
    assert [str(value) for row in result.bindings for value in row.values()] == ["Alpha"]


def test_head_on_a_query_has_headers_but_no_body(app_client):
    r = app_client.head("/sparql", query_string={"query": "ASK {}"})
    assert r.status_code == 200
    assert r.mimetype == "application/sparql-results+json"
    assert r.data == b""


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_405_with_allow(app_client, method):
    r = getattr(app_client, method)("/sparql")
    assert r.status_code == 405
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}


def test_graph_store_preflight_allows_reads_only(app_client):
    r = app_client.options("/graph-store", headers={"Origin": "http://x.test"})
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "PUT" not in r.headers["Access-Control-Allow-Methods"]


def test_form_post_with_neither_query_nor_update_is_400(app_client):
    r = app_client.post("/sparql", data={"nothing": "here"})
    assert r.status_code == 400
