"""Search finds what people type: in-word, folded, exonyms, typos; without the plumbing."""

from __future__ import annotations

import re

import pytest


def _search(page, live_server: str, text: str) -> list[str]:
    page.goto(live_server + "/")
    page.fill("#home-q", text)
    page.press("#home-q", "Enter")
    page.wait_for_load_state("load")
    return [t.strip() for t in page.locator("ol.results a.result").all_inner_texts()]


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("alpclusters", "S3-4AlpClusters"),
        ("AlpClusters", "S3-4AlpClusters"),
        ("Białystok", "Bialystok University of Technology"),
        ("Lodz", "Łódzkie"),
        ("Munich", "München, Kreisfreie Stadt"),
        ("Muenchen", "München, Kreisfreie Stadt"),
        ("besancon", "University of Franche-Comte"),
    ],
)
def test_the_named_queries_find_their_target(page, live_server, text, target):
    assert target in _search(page, live_server, text)


def test_a_typo_is_corrected(page, live_server, shots):
    found = _search(page, live_server, "bialistok")
    assert "Bialystok University of Technology" in found
    assert "bialystok" in page.locator("#search-corrected").inner_text()


def test_plumbing_nodes_stay_out_of_the_default_results(page, live_server):
    _search(page, live_server, "boost")
    types = set(page.locator("ol.results .type").all_inner_texts())
    assert "Project" in types
    assert not types & {"Participation", "Monetary amount", "prov:Entity", "Entity"}


def test_resources_of_the_same_name_are_one_result(page, live_server, shots):
    found = _search(page, live_server, "hamburg")
    assert found.count("Hamburg") == 1
    assert page.locator("ol.results li", has_text="Same name").count() == 1
    page.screenshot(path=str(shots / "desktop-search-hamburg.png"), full_page=True)


def test_results_filter_by_type(page, live_server):
    _search(page, live_server, "hamburg")
    option = page.locator("#search-type option", has_text=re.compile(r"^Organisation \("))
    page.select_option("#search-type", value=option.get_attribute("value"))
    with page.expect_navigation():  # the filtered results are a new page: read it, not the old
        page.click(".search-filters button")
    types = set(page.locator("ol.results .type").all_inner_texts())
    assert types == {"Organisation"}


def test_results_filter_by_country(page, live_server):
    _search(page, live_server, "university")
    option = page.locator("#search-country option", has_text="France")
    page.select_option("#search-country", value=option.get_attribute("value"))
    with page.expect_navigation():  # the filtered results are a new page: read it, not the old
        page.click(".search-filters button")
    assert page.locator("ol.results a.result").all_inner_texts() == ["University of Franche-Comte"]


def test_a_miss_explains_what_to_try(page, live_server, shots):
    assert _search(page, live_server, "qqqxyzzy") == []
    miss = page.locator("#search-miss")
    assert "No results" in miss.inner_text()
    assert miss.locator("a[href*='/browse/projects']").count() == 1
    page.screenshot(path=str(shots / "desktop-search-miss-checked.png"), full_page=True)


def test_a_one_letter_query_asks_for_more(page, live_server):
    assert _search(page, live_server, "a") == []
    assert page.locator("#search-too-short").is_visible()
