"""Every kind of page in headless Chromium, at desktop and phone width: no horizontal scroll at
390 px, no critical or serious axe-core finding, and a screenshot of each (in /tmp/ui18-shots).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from .conftest import axe_violations

NUTS = "http://data.europa.eu/nuts/code/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
PAGE_KINDS = {
    "home": "/",
    "home-de": "/?lang=de",
    "classes": "/browse",
    "instances": "/browse?class=" + quote("https://w3id.org/corridor/ontology#Organisation"),
    "projects": "/browse/projects",
    "projects-filtered": "/browse/projects?country=" + quote(COUNTRY + "DEU") + "&sort=-budget",
    "search": "/search?q=hamburg",
    "search-miss": "/search?q=qqqxyz",
    "project": "/id/project/s3-4alpclusters",
    "organisation": "/id/organisation/university-of-franche-comte",
    "region": "/resource?iri=" + quote(NUTS + "DE60"),
    "country": "/resource?iri=" + quote(COUNTRY + "DEU"),
    "programme": "/id/programme/interreg-alpine-space-2014-2020",
    "theme": "/id/concept/programme-topic/q01",
    "map": "/map",
    "network": "/network",
    "network-ego": "/network?focus=" + quote("https://w3id.org/corridor/id/organisation/university-of-franche-comte"),
    "timeline": "/timeline",
    "budgets": "/budgets",
    "query": "/query",
    "not-found": "/no/such/page",
}
READY = {  # what a page's script draws before it is measured
    "map": "#worldmap[data-marks]",
    "network": "#network[data-nodes]",
    "network-ego": "#network[data-nodes]",
    "query": ".yasqe .CodeMirror",
    "project": ".minimap [data-marks]",
}


def _open(page, live_server: str, kind: str) -> None:
    page.goto(live_server + PAGE_KINDS[kind])
    page.wait_for_load_state("load")
    if kind in READY:
        page.wait_for_selector(READY[kind])


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_no_horizontal_scroll_on_a_phone(phone, live_server, shots, kind):
    _open(phone, live_server, kind)
    width = phone.evaluate("document.documentElement.scrollWidth")
    phone.screenshot(path=str(shots / f"phone-{kind}.png"), full_page=True)
    assert width <= 390, f"{kind} is {width} px wide at 390 px"


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_no_critical_or_serious_accessibility_violation(page, live_server, shots, kind):
    _open(page, live_server, kind)
    page.screenshot(path=str(shots / f"desktop-{kind}.png"), full_page=True)
    violations = axe_violations(page)
    assert violations == [], "\n".join(map(str, violations))


@pytest.mark.parametrize("kind", ["home", "project", "search"])
def test_the_page_is_compressed_and_its_assets_cacheable(live_server, kind):
    import urllib.request

    request = urllib.request.Request(live_server + PAGE_KINDS[kind],
                                     headers={"Accept-Encoding": "gzip", "Accept": "text/html"})
    with urllib.request.urlopen(request) as r:
        assert r.headers["Content-Encoding"] == "gzip"
    css = urllib.request.Request(live_server + "/static/corridor.css",
                                 headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(css) as r:
        assert r.headers["Content-Encoding"] == "gzip"
        assert "max-age=86400" in r.headers["Cache-Control"]
        assert "no-cache" not in r.headers["Cache-Control"]
