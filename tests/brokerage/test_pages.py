"""The brokerage pages on the bundled (curated) data: reachable from organisation pages and
search, and showing suggestions with their explanations, the matrix and a profile."""

from __future__ import annotations

from urllib.parse import quote

from corridor.derived.brokerage import brokerage_for
from tests.ui.conftest import app, client  # noqa: F401 - fixtures

BASE = "https://w3id.org/corridor/"
UFC = f"{BASE}id/organisation/university-of-franche-comte"


def ready(app) -> None:  # noqa: F811
    brokerage_for(app.extensions["corridor.store"]).current(wait=True)


def test_an_organisation_page_links_to_find_partners_and_its_profile(client) -> None:  # noqa: F811
    html = client.get(f"/resource?iri={quote(UFC)}", headers={"Accept": "text/html"}).text
    assert f'href="/suggest/partners?organisation={UFC}"' in html
    assert f'href="/profile?organisation={UFC}"' in html


def test_search_results_of_organisations_link_to_find_partners(client) -> None:  # noqa: F811
    html = client.get("/search?q=besancon").text
    assert 'class="find-partners"' in html


def test_find_partners_for_a_curated_organisation_lists_explained_candidates(
    app, client,  # noqa: F811
) -> None:
    ready(app)
    html = client.get(f"/suggest/partners?organisation={quote(UFC)}").text
    assert "Suggested partners for University of Franche-Comte" in html
    assert html.count('class="suggestion"') == 10
    assert 'class="why"' in html and 'class="path"' in html


def test_the_json_of_the_same_request_names_the_organisation(app, client) -> None:  # noqa: F811
    ready(app)
    body = client.get(f"/suggest/partners?organisation={quote(UFC)}&limit=3",
                      headers={"Accept": "application/json"}).get_json()
    assert body["organisation"] == UFC and len(body["suggestions"]) == 3


def test_the_corridor_page_shows_the_country_matrix_and_the_share(app, client) -> None:  # noqa: F811
    ready(app)
    html = client.get("/corridor").text
    assert 'class="corridor-matrix"' in html and "leader ↔ moderate/emerging" in html
    assert 'class="pair leader-modest"' in html  # e.g. Sweden (leader) - Estonia (moderate)


def test_the_profile_page_of_a_curated_organisation(app, client) -> None:  # noqa: F811
    ready(app)
    html = client.get(f"/profile?organisation={quote(UFC)}").text
    assert "Collaboration profile: University of Franche-Comte" in html
    assert "Partners over time" in html and "France" in html
