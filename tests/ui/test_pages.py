"""Pages and search through Flask's test client: search JSON, escaping, language fallback."""

from __future__ import annotations

import html.parser
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest

from corridor.derived.figures import stats_for

from .conftest import BASE

ODD_IRI = "http://example.org/x?a='1'&b=(2);c"
UFC = f"{BASE}id/organisation/university-of-franche-comte"


def search_json(client, text: str) -> list[dict]:
    response = client.get(
        "/search", query_string={"q": text}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()["results"]


class TextOf(html.parser.HTMLParser):
    """Collects the text of the element with a given id (no string matching on raw HTML)."""

    def __init__(self, element_id: str) -> None:
        super().__init__()
        self.element_id, self.depth, self.text = element_id, 0, []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if self.depth:
            self.depth += 1
        elif attrs.get("id") == self.element_id:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def text_of(page: bytes, element_id: str) -> str:
    parser = TextOf(element_id)
    parser.feed(page.decode())
    return "".join(parser.text).strip()


def test_search_ignores_diacritics_and_case(client):
    assert UFC in [r["iri"] for r in search_json(client, "BESANCON")]


def test_search_finds_german_city_without_umlaut(client, app):
    with app.app_context():
        store = app.extensions["corridor.store"]
        rows = list(
            store.query(
                'SELECT ?s WHERE { ?s ?p ?o FILTER(isLiteral(?o) && CONTAINS(STR(?o), "München")) }'
            )
        )
    if not rows:
        pytest.skip("the bundled data names no München")
    found = {r["iri"] for r in search_json(client, "munchen")}
    assert {row["s"].value for row in rows} & found


def test_search_reports_the_language_of_the_match(client):
    results = search_json(client, "universite franche comte")
    hit = next(r for r in results if r["iri"] == UFC)
    assert hit["lang"] == "fr"


def test_search_json_by_format_parameter(client):
    response = client.get("/search?q=boost&format=json")
    assert response.get_json()["results"][0]["label"] == "BOOST"


def test_search_index_follows_a_commit(app, client):
    store = app.extensions["corridor.store"]
    graph = f"{BASE}graph/test-ui-search"
    quad = ox.Quad(
        ox.NamedNode(f"{BASE}id/organisation/zzq-test"),
        ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
        ox.Literal("Zürqxa Testinstitut", language="de"),
    )
    with store.transaction("ui test") as txn:
        txn.add_to_graph(graph, [quad])
    try:
        assert f"{BASE}id/organisation/zzq-test" in [
            r["iri"] for r in search_json(client, "zurqxa")
        ]
    finally:
        with store.transaction("ui test cleanup") as txn:
            txn.drop_graph(graph)
    assert search_json(client, "zurqxa") == []


def test_resource_label_follows_accept_language(client):
    page = client.get(f"/resource?iri={UFC}", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).data
    assert text_of(page, "resource-label") == "Université de Franche-Comté"


def test_lang_parameter_overrides_accept_language(client):
    page = client.get(f"/resource?iri={UFC}&lang=en", headers={"Accept-Language": "fr"}).data
    assert text_of(page, "resource-label") == "University of Franche-Comte"


def test_missing_language_falls_back_to_english(client):
    page = client.get(f"/resource?iri={UFC}", headers={"Accept-Language": "fi"}).data
    assert text_of(page, "resource-label") == "University of Franche-Comte"


def test_a_label_added_by_a_commit_shows_on_the_next_page(app, client):
    """Labels are remembered per store version: a commit must not leave a page stale."""
    store = app.extensions["corridor.store"]
    graph = f"{BASE}graph/test-ui-relabel"
    before = client.get(f"/resource?iri={UFC}", headers={"Accept-Language": "it"}).data
    assert text_of(before, "resource-label") == "University of Franche-Comte"
    quad = ox.Quad(
        ox.NamedNode(UFC),
        ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
        ox.Literal("Università della Franca Contea", language="it"),
    )
    with store.transaction("ui test") as txn:
        txn.add_to_graph(graph, [quad])
    try:
        after = client.get(f"/resource?iri={UFC}", headers={"Accept-Language": "it"}).data
        assert text_of(after, "resource-label") == "Università della Franca Contea"
    finally:
        with store.transaction("ui test cleanup") as txn:
            txn.drop_graph(graph)
    again = client.get(f"/resource?iri={UFC}", headers={"Accept-Language": "it"}).data
    assert text_of(again, "resource-label") == "University of Franche-Comte"


class TitleOf(html.parser.HTMLParser):
    """The text of the document's <title>."""

    def __init__(self) -> None:
        super().__init__()
        self.inside, self.text = False, ""

    def handle_starttag(self, tag, attrs):
        self.inside = tag == "title"

    def handle_endtag(self, tag):
        self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.text += data


def title_of(page: bytes) -> str:
    parser = TitleOf()
    parser.feed(page.decode())
    return parser.text.strip()


def test_window_titles_name_the_page_then_the_site(client):
    assert title_of(client.get("/").data) == "Corridor"
    page = client.get(f"/resource?iri={UFC}", headers={"Accept-Language": "en"}).data
    assert title_of(page) == "University of Franche-Comte · Corridor"


def test_unknown_resource_is_404(client):
    assert client.get(f"/resource?iri={BASE}id/organisation/nobody-at-all").status_code == 404


def test_literals_and_iris_are_escaped(app, client):
    store = app.extensions["corridor.store"]
    graph = f"{BASE}graph/test-ui-escape"
    evil = '<script>alert("x")</script>&'
    subject = ox.NamedNode(f"{BASE}id/organisation/escape-test")
    quads = [
        ox.Quad(
            subject, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal(evil)
        ),
        ox.Quad(
            subject,
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
            ox.NamedNode(ODD_IRI),
        ),
    ]
    with store.transaction("ui test") as txn:
        txn.add_to_graph(graph, quads)
    try:
        page = client.get(f"/resource?iri={subject.value}").data
        parser = TextOf("resource-label")
        parser.feed(page.decode())
        assert "".join(parser.text).strip() == evil
        inline = [
            a
            for tag, a in parser.tags
            if tag == "script" and not a.get("src") and a.get("type") != "application/json"
        ]
        assert inline == []
        linked = [
            parse_qs(urlsplit(a["href"]).query).get("iri", [None])[0]
            for tag, a in parser.tags
            if tag == "a" and a.get("href")
        ]
        assert ODD_IRI in linked
        results = search_json(client, "alert")
        assert any(r["label"] == evil for r in results)
    finally:
        with store.transaction("ui test cleanup") as txn:
            txn.drop_graph(graph)


def test_home_figures_are_computed_once_per_version(app, client):
    client.get("/")
    with app.app_context():
        store = app.extensions["corridor.store"]
        first = stats_for(store, wait=True)
        client.get("/")
        assert stats_for(store) is first
        assert first.version == store.version


def test_home_counts_match_the_graph(app, client):
    page = client.get("/").data
    store = app.extensions["corridor.store"]
    projects = list(
        store.query(
            "SELECT (COUNT(DISTINCT ?p) AS ?n)"
            " WHERE { ?p a <https://w3id.org/corridor/ontology#Project> }"
        )
    )
    assert int(text_of(page, "figure-projects").replace(",", "")) == int(projects[0]["n"].value)


COR = "https://w3id.org/corridor/ontology#"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"


def projects_with_partner_in(store, country: str, programme: str | None = None) -> set[str]:
    """Projects in ``country``: a partner there, or (where partners' countries are unknown)
    the project's consortium named there."""
    extra = f"?p <{COR}programme> <{programme}> ." if programme else ""
    rows = store.query(f"""SELECT DISTINCT ?p WHERE {{ ?p a <{COR}Project> . {extra}
        {{ ?x <{COR}project> ?p ; <{COR}organisation>/<{COR}country> <{country}> }}
        UNION {{ ?p <{COR}consortiumCountry> <{country}> }} }}""")
    return {r["p"].value for r in rows}


def test_values_of_one_facet_are_alternatives(app, client):
    store = app.extensions["corridor.store"]
    expected = projects_with_partner_in(store, f"{COUNTRY}FRA") | projects_with_partner_in(
        store, f"{COUNTRY}DNK"
    )
    page = client.get(
        "/browse/projects",
        query_string=[("country", f"{COUNTRY}FRA"), ("country", f"{COUNTRY}DNK")],
    ).data
    assert int(text_of(page, "project-count")) == len(expected) >= 2


def test_different_facets_combine_as_and(app, client):
    store = app.extensions["corridor.store"]
    programme = f"{BASE}id/programme/interreg-alpine-space-2014-2020"
    expected = projects_with_partner_in(store, f"{COUNTRY}DEU", programme)
    page = client.get(
        "/browse/projects", query_string={"country": f"{COUNTRY}DEU", "programme": programme}
    ).data
    assert int(text_of(page, "project-count")) == len(expected) >= 1
    assert len(expected) < len(projects_with_partner_in(store, f"{COUNTRY}DEU"))


def test_example_queries_have_titles(client):
    examples = client.get("/queries.json").get_json()
    assert examples and all(e["title"] and e["query"] for e in examples)


def test_dereferenced_iri_renders_the_ui_page_in_the_readers_language(client):
    response = client.get(
        "/id/organisation/university-of-franche-comte",
        headers={"Accept": "text/html", "Accept-Language": "fr"},
    )
    assert response.status_code == 200
    assert text_of(response.data, "resource-label") == "Université de Franche-Comté"


def test_search_html_escapes_the_query(client):
    evil = '"><script>alert(1)</script>'
    page = client.get("/search", query_string={"q": evil}).data
    parser = TextOf("search-q")
    parser.feed(page.decode())
    values = [
        a.get("value") for tag, a in parser.tags if tag == "input" and a.get("id") == "search-q"
    ]
    assert values == [evil]
    assert [t for t, a in parser.tags if t == "script" and not a.get("src")] == []


def test_invalid_iri_is_a_client_error(client):
    assert client.get("/resource", query_string={"iri": "not an iri <>"}).status_code == 400


def test_chosen_language_sticks_to_links(client):
    page = client.get(f"/resource?iri={UFC}&lang=fr").data
    parser = TextOf("x")
    parser.feed(page.decode())
    projects = [a["href"] for tag, a in parser.tags if tag == "a" and a.get("class") == "project"]
    assert projects
    assert all(parse_qs(urlsplit(h).query).get("lang") == ["fr"] for h in projects)


def test_nuts_borders_are_served_per_level_and_country(client):
    response = client.get("/vendor/nuts-2021/3/LV.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"  # an ES module the map imports
    assert "max-age=86400" in response.headers["Cache-Control"]


@pytest.mark.parametrize("name", ["nuts-2021/3/XX.js", "nuts-2021/4/DE.js",
                                  "nuts-2021/3/../../LICENSE", "nuts-2021/3/de.js"])
def test_no_other_nuts_file_is_served(client, name):
    assert client.get("/vendor/" + name).status_code == 404
