"""ETag / Last-Modified from the store version on every GET; 304; HEAD; Link to VoID."""

from __future__ import annotations

from email.utils import format_datetime, parsedate_to_datetime

import pyoxigraph as ox
import pytest

from .conftest import en, fill, iri

URLS = ["/id/project/boost.ttl", "/.well-known/void", "/catalog", "/changes", "/changes?after=0",
        "/dumps/all.nq.gz", "/sitemap.xml", "/robots.txt", "/context.jsonld", "/ontology.ttl"]


@pytest.mark.parametrize("url", URLS)
def test_every_get_has_validators_and_answers_conditionals(client, small_store, url):
    if url == "/catalog":  # a catalogue whose dumps are still being written is not final
        from corridor.derived import dumps

        assert dumps.ready_dumps(small_store, wait=60) is not None
    response = client.get(url)
    assert response.status_code == 200
    tag, modified = response.headers["ETag"], response.headers["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    head = client.head(url)
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == tag


@pytest.mark.parametrize("url", ["/", "/id/project/boost.ttl", "/catalog"])
def test_every_response_links_to_the_void_description(client, url):
    links = client.get(url).headers.get_all("Link")
    assert any("</.well-known/void>" in link and 'rel="describedby"' in link for link in links)


def test_a_write_changes_the_etag_and_last_modified_follows_the_store(client, small_store):
    before = client.get("/id/project/boost.ttl")
    title = ox.NamedNode("http://purl.org/dc/terms/title")
    fill(small_store, {"projects/new": [ox.Quad(iri("id/project/new"), title, en("New"))]})
    after = client.get("/id/project/boost.ttl", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert parsedate_to_datetime(after.headers["Last-Modified"]) == small_store.modified


def test_if_modified_since_before_the_last_write_gets_the_body(client, small_store):
    earlier = small_store.modified.replace(year=small_store.modified.year - 1)
    since = format_datetime(earlier, usegmt=True)
    response = client.get("/catalog", headers={"If-Modified-Since": since})
    assert response.status_code == 200 and response.data


def test_different_representations_have_different_etags(client):
    turtle = client.get("/id/project/boost", headers={"Accept": "text/turtle"})
    jsonld = client.get("/id/project/boost", headers={"Accept": "application/ld+json"})
    assert turtle.headers["ETag"] != jsonld.headers["ETag"]
    stale = client.get("/id/project/boost", headers={
        "Accept": "application/ld+json", "If-None-Match": turtle.headers["ETag"]})
    assert stale.status_code == 200


def test_live_server_answers_head_and_conditional_get(small_store):
    import socket
    import threading
    import urllib.error
    import urllib.request

    from waitress.server import create_server

    from corridor.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = create_server(create_app(small_store.config, small_store), host="127.0.0.1",
                           port=port, threads=2, asyncore_use_poll=True)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{port}/id/project/boost"
        head = urllib.request.urlopen(urllib.request.Request(
            url, method="HEAD", headers={"Accept": "text/turtle"}), timeout=10)
        assert head.status == 200 and head.read() == b""
        tag = head.headers["ETag"]
        headers = {"Accept": "text/turtle", "If-None-Match": tag}
        request = urllib.request.Request(url, headers=headers)
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(request, timeout=10)
        assert error.value.code == 304
    finally:
        server.close()
