"""The project list (facets as ticked, chips, unknown counts, sorting, phone) and the fact
sheets of projects, organisations, regions, countries, programmes and themes."""

from __future__ import annotations

import urllib.request
from urllib.parse import quote

NUTS = "http://data.europa.eu/nuts/code/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"


def _count(page) -> int:
    return int(page.locator("#project-count").inner_text())


def test_a_ticked_facet_applies_at_once_and_shows_a_chip(page, live_server, shots):
    page.goto(live_server + "/browse/projects")
    before = _count(page)
    assert not page.locator("button.apply").is_visible()
    with page.expect_navigation():
        page.locator("fieldset[data-facet=country] input").first.check()
    assert 1 <= _count(page) < before
    assert page.locator("a.chip").count() == 1
    page.screenshot(path=str(shots / "desktop-projects-chip.png"), full_page=True)


def test_removing_a_chip_removes_its_filter(page, live_server):
    page.goto(f"{live_server}/browse/projects?country={quote(COUNTRY + 'DEU')}")
    filtered = _count(page)
    page.click("a.chip")
    assert _count(page) > filtered
    assert page.locator("a.chip").count() == 0


def test_unknown_counts_the_projects_without_a_value(page, live_server):
    page.goto(live_server + "/browse/projects")
    unknown = page.locator("fieldset[data-facet=programme] label.unknown")
    count = int(unknown.locator(".count").inner_text())
    with page.expect_navigation():
        unknown.locator("input").check()
    assert _count(page) == count
    assert set(page.locator("#project-table tbody td:nth-child(2)").all_inner_texts()) == {""}


def test_sorting_by_budget_puts_the_largest_first(page, live_server):
    page.goto(live_server + "/browse/projects")
    page.click("#project-table th >> text=Total budget")
    page.click("#project-table th >> text=Total budget")  # second click: descending
    budgets = [
        int(t.replace(",", "")) for t in page.locator("#project-table tbody td:nth-child(7)")
        .all_inner_texts() if t.strip()
    ]
    assert budgets == sorted(budgets, reverse=True) and len(budgets) >= 2
    assert page.get_attribute("#project-table th[aria-sort]", "aria-sort") == "descending"


def test_the_list_compares_programme_countries_partners_and_money(page, live_server):
    page.goto(live_server + "/browse/projects")
    heads = [t.strip() for t in page.locator("#project-table thead th").all_inner_texts()]
    assert heads == ["Project", "Programme", "Countries", "Partners", "Start", "End",
                     "Total budget", "EU contribution"]


def test_results_come_before_the_filters_on_a_phone(phone, live_server):
    phone.goto(live_server + "/browse/projects")
    assert phone.locator("#project-table").bounding_box()["y"] < 500


def test_a_project_fact_sheet_leads_with_the_key_figures(page, live_server, shots):
    page.goto(live_server + "/id/project/s3-4alpclusters")
    sheet = page.locator(".factsheet").inner_text()
    for expected in ("Interreg Alpine Space 2014-2020", "2,521,964 EUR", "1,929,500 EUR", "76.5 %",
                     "11 Jan 2016", "Lead partner"):
        assert expected in sheet
    first = page.locator("table.related tbody tr").first
    assert "Lead partner" in first.inner_text()
    assert page.locator("#resource-subtitle").inner_text().startswith("Smart Specialisation")


def test_a_project_page_draws_the_small_world_map_with_partner_counts(page, live_server):
    atlases: list[str] = []
    page.on("request", lambda r: atlases.append(r.url) if "countries-" in r.url else None)
    page.goto(live_server + "/id/project/s3-4alpclusters")
    page.wait_for_selector(".minimap [data-marks]")
    assert [a.rsplit("/", 1)[-1] for a in atlases] == ["countries-110m.json"]
    assert page.locator(".minimap a").count() == 0  # no dead links
    assert "Italy (6)" in page.locator(".minimap figcaption").inner_text()


def test_a_country_page_sums_up_its_projects_and_links_the_filtered_list(page, live_server, shots):
    page.goto(f"{live_server}/resource?iri={quote(COUNTRY + 'DEU')}")
    assert page.locator(".factsheet").count() == 1
    assert page.locator(".sheet-projects a").count() >= 2
    page.click("#sheet-list")
    assert "Country: Germany" in page.locator("a.chip").inner_text()


def test_a_region_page_has_a_map_its_projects_and_totals(page, live_server):
    page.goto(f"{live_server}/resource?iri={quote(NUTS + 'DE60')}")
    page.wait_for_selector(".minimap [data-marks]")
    assert "Total budget" in page.locator(".factsheet").inner_text()
    assert page.locator(".sheet-projects a").count() >= 1


def test_programme_and_theme_pages_list_their_projects(page, live_server):
    for path in ("/id/programme/interreg-alpine-space-2014-2020",
                 "/id/concept/programme-topic/q01"):
        page.goto(live_server + path)
        assert "S3-4AlpClusters" in page.locator(".sheet-projects a").all_inner_texts()


def test_an_organisation_page_names_its_country_and_type(page, live_server):
    page.goto(live_server + "/id/organisation/university-of-franche-comte")
    sheet = page.locator(".factsheet").inner_text()
    assert "France" in sheet and "Type" in sheet
    assert "1 × Project partner" in sheet


def test_incoming_links_read_as_inverses(page, live_server):
    page.goto(live_server + "/id/project/gosmart-bsr")
    labels = page.locator(".incoming dt").all_inner_texts()
    assert labels and not any(" of of" in t for t in labels)
    assert "has extension" in " ".join(labels)


def test_resource_by_iri_answers_turtle_when_asked(live_server):
    request = urllib.request.Request(
        f"{live_server}/resource?iri={quote(COUNTRY + 'DEU')}", headers={"Accept": "text/turtle"}
    )
    with urllib.request.urlopen(request) as r:
        assert r.headers["Content-Type"].startswith("text/turtle")
        assert "skos:notation" in r.read().decode()
