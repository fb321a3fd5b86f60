"""Only http(s) and mailto values become live links; any other scheme stays plain text."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from corridor.store import open_store
from corridor.web.app import create_app
from corridor.web.ui.resource import is_safe_link

XSD_ANYURI = ox.NamedNode("http://www.w3.org/2001/XMLSchema#anyURI")
SUBJECT = "https://w3id.org/corridor/id/organisation/linktest"
UNSAFE = [
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "java\nscript:alert(1)", "\x01javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)", "file:///etc/passwd", "//evil.test/x", "http ://x", "https://x/\x00y",
]
SAFE = ["http://example.org/a", "HTTPS://example.org/a?b=c#d", "mailto:office@example.org"]


@pytest.mark.parametrize("value", UNSAFE)
def test_other_schemes_and_disguised_ones_are_not_links(value):
    assert not is_safe_link(value)


@pytest.mark.parametrize("value", SAFE)
def test_http_https_and_mailto_are_links(value):
    assert is_safe_link(value)


def test_a_resource_page_links_only_the_safe_values(tiny_config):
    store = open_store(tiny_config)
    p = ox.NamedNode("http://schema.org/url")
    with store.transaction("link test") as txn:
        txn.replace_graph("https://w3id.org/corridor/graph/test/links", [
            ox.Quad(ox.NamedNode(SUBJECT), p, ox.Literal(v, datatype=XSD_ANYURI))
            for v in ["javascript:alert(1)", "https://example.org/ok"]])
    client = create_app(tiny_config, store).test_client()
    page = client.get("/resource", query_string={"iri": SUBJECT}).get_data(as_text=True)
    assert 'href="https://example.org/ok"' in page
    assert 'href="javascript:' not in page.lower()
    assert "javascript:alert(1)" in page  # still shown, as text
