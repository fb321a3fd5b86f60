"""Budgets never double-count, and every listing is also JSON and CSV with the same rows."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote

import pytest

COUNTRY = "http://publications.europa.eu/resource/authority/country/"


def _amounts(page, table: str) -> list[float]:
    return [float(a) for a in page.locator(f"#{table} tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.amount)")]


@pytest.mark.parametrize("table", ["by_country", "by_programme", "by_year"])
def test_budgets_of_every_table_add_up_to_the_total(page, live_server, shots, table):
    page.goto(live_server + "/budgets")
    total = float(page.get_attribute("#budget-total", "data-amount"))
    assert total > 0
    assert sum(_amounts(page, table)) == pytest.approx(total, abs=0.01)
    page.screenshot(path=str(shots / "desktop-budgets-checked.png"), full_page=True)


def test_the_budget_total_is_the_sum_of_the_project_budgets(page, live_server):
    page.goto(live_server + "/budgets")
    total = float(page.get_attribute("#budget-total", "data-amount"))
    listing = json.loads(page.request.get(live_server + "/browse/projects?format=json").text())
    assert sum(r["budget"] or 0 for r in listing["rows"]) == pytest.approx(total, abs=0.01)


def test_no_country_gets_more_than_its_share_of_a_project(page, live_server):
    page.goto(live_server + "/budgets")
    total = float(page.get_attribute("#budget-total", "data-amount"))
    germany = page.locator("#by_country tbody tr", has_text="Germany")
    assert float(germany.get_attribute("data-amount")) < total / 2


def _html_rows(page) -> list[tuple[str, str]]:
    return page.locator("#project-table tbody tr td:first-child a").evaluate_all(
        "links => links.map(a => [a.textContent.trim(), a.getAttribute('href')])")


def test_csv_and_json_of_a_filtered_listing_equal_the_html_rows(page, live_server, shots):
    page.goto(f"{live_server}/browse/projects?country={quote(COUNTRY + 'DEU')}&sort=-budget")
    html_rows = [tuple(r) for r in _html_rows(page)]
    assert len(html_rows) >= 2
    csv_url = page.get_attribute("a[data-format=csv]", "href")
    json_url = page.get_attribute("a[data-format=json]", "href")
    as_csv = list(csv.DictReader(io.StringIO(page.request.get(live_server + csv_url).text())))
    as_json = json.loads(page.request.get(live_server + json_url).text())["rows"]
    assert [(r["label"], r["url"]) for r in as_csv] == html_rows
    assert [(r["label"], r["url"]) for r in as_json] == html_rows
    page.screenshot(path=str(shots / "desktop-projects-germany.png"), full_page=True)


@pytest.mark.parametrize("path", ["/browse/projects?programme=-", "/search?q=hamburg", "/browse",
                                  "/budgets", "/map", "/network", "/timeline",
                                  "/browse?class=" + quote("https://w3id.org/corridor/ontology#Organisation")])
def test_every_listing_answers_json_and_csv_by_accept_and_links_them(page, live_server, path):
    html = page.request.get(live_server + path, headers={"Accept": "text/html"})
    assert 'rel="alternate"; type="text/csv"' in html.headers["link"]
    assert 'rel="alternate"; type="application/json"' in html.headers["link"]
    as_json = page.request.get(live_server + path, headers={"Accept": "application/json"})
    assert as_json.headers["content-type"].startswith("application/json")
    as_csv = page.request.get(live_server + path, headers={"Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.text())))
    assert len(rows) - 1 == len(json.loads(as_json.text())["rows"])
