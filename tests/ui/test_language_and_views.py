"""The interface in German, and the map, network, timeline, SPARQL editor and 404 pages."""

from __future__ import annotations

import re
from urllib.parse import quote

from .conftest import BASE, get_json


def test_german_interface_says_so_and_keeps_the_language(page, live_server, shots):
    page.goto(live_server + "/?lang=de")
    assert page.get_attribute("html", "lang") == "de"
    assert page.locator("header.site nav a", has_text="Projekte").count() == 1
    page.click("header.site nav a >> text=Projekte")
    assert "lang=de" in page.url
    assert page.get_attribute("html", "lang") == "de"
    assert page.locator("h1").inner_text() == "Projekte"
    page.screenshot(path=str(shots / "desktop-projects-de.png"), full_page=True)


def test_german_sorting_puts_oesterreich_among_the_os(page, live_server):
    page.goto(live_server + "/?lang=de")
    names = [t.strip() for t in page.locator("#country-h + ul a").all_inner_texts()]
    assert names.index("Österreich") < names.index("Polen")


def test_german_numbers_and_dates(page, live_server):
    page.goto(live_server + "/id/project/s3-4alpclusters?lang=de")
    sheet = page.locator(".factsheet").inner_text()
    assert "2.521.964 EUR" in sheet and "11.01.2016" in sheet


def test_the_map_is_labelled_with_a_legend(page, live_server):
    page.goto(live_server + "/map")
    page.wait_for_selector("#worldmap[data-marks]")
    marks = page.locator("#worldmap .mark").count()
    assert page.locator("#worldmap .map-label").count() == marks > 0
    assert page.locator(".legend li").count() >= 3


def test_the_map_draws_every_region_partners_name_with_its_borders(page, live_server):
    regions = get_json(live_server + "/views/map.json")["regions"]
    page.goto(live_server + "/map")
    page.wait_for_selector("#worldmap[data-regions]")
    drawn = page.locator("#worldmap .region path")
    assert sorted(drawn.evaluate_all("ps => ps.map(p => p.dataset.nuts)")) == sorted(
        r["notation"] for r in regions) and len(regions) >= 5  # NUTS levels 1, 2 and 3
    assert all(d for d in drawn.evaluate_all("ps => ps.map(p => p.getAttribute('d'))"))
    hamburg = page.locator("#worldmap a.region", has=page.locator("[data-nuts=DE60]"))
    assert hamburg.get_attribute("href") == next(r["url"] for r in regions
                                                 if r["notation"] == "DE60")
    assert page.locator("#worldmap .region-label").count() == len(regions)


def test_a_region_page_draws_the_region_on_its_small_map(page, live_server):
    page.goto(live_server + "/resource?iri=" + quote("http://data.europa.eu/nuts/code/LV008"))
    page.wait_for_selector(".minimap [data-regions='1']")
    assert page.locator(".minimap .region path[data-nuts=LV008]").count() == 1


def test_the_network_has_a_legend_a_highlight_and_an_ego_view(page, live_server, shots):
    page.goto(live_server + "/network")
    page.wait_for_selector("#network[data-nodes]")
    everything = int(page.get_attribute("#network", "data-nodes"))
    assert page.locator(".legend li").count() >= 2
    page.fill("#network-find", "franche")
    page.wait_for_selector("#network[data-hits='1']")
    ego = BASE + "id/organisation/university-of-franche-comte"
    page.goto(f"{live_server}/network?focus={ego}")
    page.wait_for_selector("#network[data-nodes]")
    assert 1 < int(page.get_attribute("#network", "data-nodes")) < everything
    assert page.locator("#network-edges tbody a").count() >= 2
    page.screenshot(path=str(shots / "desktop-network-ego-checked.png"), full_page=True)


def test_the_timeline_shows_events_with_dates(page, live_server):
    page.goto(live_server + "/timeline")
    event = page.locator(".timeline-row[data-kind=event]").first
    assert re.search(r"\b2023\b", event.inner_text())
    name = "2023 Cluj Innovation Year"
    cluj = page.locator(".timeline-row", has=page.locator("a", has_text=name))
    undated = page.locator("ul.undated li", has_text=name)
    assert cluj.locator(".timeline-bar.activity-dates").count() == 1 or (
        "its events start" in undated.inner_text())


def test_sparql_results_link_to_local_pages_as_prefixed_names(page, live_server, shots):
    page.goto(live_server + "/query")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.click("button.example:has-text('Lead partners')")
    page.wait_for_selector(".yasr table tbody tr a[data-local]", timeout=30_000)
    hrefs = page.locator(".yasr table tbody a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    assert hrefs and all(h.startswith("/") for h in hrefs)
    assert "project:boost" in page.locator(".yasr table tbody a").all_inner_texts()
    page.screenshot(path=str(shots / "desktop-query-results.png"), full_page=True)


def test_a_sparql_syntax_error_names_line_and_column(page, live_server):
    page.goto(live_server + "/query")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.evaluate("() => { window.corridorYasgui.getTab().setQuery('SELECT ?x WHERE { ?x ?y }'); }")
    page.click(".yasqe_queryButton")
    page.wait_for_selector("#query-error:not([hidden])", timeout=30_000)
    assert "line 1, column" in page.locator("#query-error").inner_text()


def test_a_missing_page_is_styled_and_offers_search(page, live_server):
    response = page.goto(live_server + "/no/such/page")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Not found"
    assert page.locator("#missing-q").is_visible()
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # our stylesheet
