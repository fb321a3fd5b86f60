"""The imported data shows on the network page, the map and the figures like curated data."""

from __future__ import annotations

import pytest

from corridor.derived.figures import stats_for
from corridor.store import OxigraphStore
from corridor.web.app import create_app

from .conftest import HE, HE_SAMPLES, bundled_store, read_csv
from .test_import import PIC, run_import


@pytest.fixture(scope="module")
def he(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    store = bundled_store(tmp_path_factory.mktemp("views"))
    run_import(store, "cordis", *HE_SAMPLES)
    return store


@pytest.fixture(scope="module")
def client(he: OxigraphStore):
    return create_app(he.config, store=he).test_client()


def test_the_figures_count_the_imported_projects_and_organisations(he: OxigraphStore) -> None:
    header, rows = read_csv(HE / "organization_sample100.csv")
    organisations = {r[header.index("organisationID")] for r in rows}
    stats = stats_for(he, wait=True)
    assert stats.counts["projects"] >= 100 + 3  # the samples and the curated projects
    assert stats.counts["organisations"] >= len(organisations)


def test_the_network_shows_imported_organisations_with_their_names(client) -> None:
    header, rows = read_csv(HE / "organization_sample100.csv")
    first = rows[0]
    data = client.get("/views/network.json").get_json()
    nodes = {n["id"]: n["label"] for n in data["nodes"]}
    pic = first[header.index("organisationID")]
    assert nodes.get(PIC + pic) == first[header.index("name")]
    assert any(PIC in e["source"] and PIC in e["target"] for e in data["edges"])


def test_the_map_counts_imported_organisations_per_country(client) -> None:
    header, rows = read_csv(HE / "organization_sample100.csv")
    country = header.index("country")
    german = {r[header.index("organisationID")] for r in rows if r[country] == "DE"}
    data = client.get("/views/map.json").get_json()
    germany = next(c for c in data["countries"] if c["code"] == "DEU")
    assert germany["organisations"] >= len(german)


def test_the_network_page_and_a_resource_page_render(client) -> None:
    header, rows = read_csv(HE / "organization_sample100.csv")
    assert client.get("/network").status_code == 200
    page = client.get("/id/organisation/pic/" + rows[0][header.index("organisationID")],
                      headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert rows[0][header.index("name")] in page.get_data(as_text=True)


def test_the_change_feed_and_void_follow_the_import(client) -> None:
    last = client.get("/changes").get_json()["last"].split("/changes", 1)[1]
    feed = client.get("/changes" + last).get_data(as_text=True)
    assert "graph/import/cordis/" in feed
    void = client.get("/.well-known/void", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert "graph/import/cordis/organization" in void

