"""The Activity Streams change feed: ordered, paged, complete, and silent about withheld graphs."""

from __future__ import annotations

from .conftest import BASE


def all_items(client, url="/changes?after=0"):
    items, pages = [], 0
    while url:
        page = client.get(url).get_json()
        assert page["type"] == "OrderedCollectionPage"
        items += page["orderedItems"]
        url = page.get("next", "").replace("http://localhost", "") or None
        pages += 1
    return items, pages


def test_collection_describes_its_pages(client):
    response = client.get("/changes")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/activity+json")
    feed = response.get_json()
    assert feed["type"] == "OrderedCollection"
    assert feed["first"].endswith("/changes?after=0")
    assert "https://www.w3.org/ns/activitystreams" in feed["@context"]


def test_pages_list_every_public_change_once_in_order(client, small_store):
    items, pages = all_items(client)
    seqs = [i["seq"] for i in items]
    assert seqs == sorted(set(seqs))
    assert pages > 1  # the first load changed more than one page of resources
    changed = {i["object"] for i in items}
    assert BASE + "id/project/boost" in changed
    assert len([i for i in items if i["target"]["id"].endswith("/reference/organisations")]) > 1000


def test_withheld_graph_changes_are_not_listed(client):
    items, _ = all_items(client)
    assert not any("/personal" in i["target"]["id"] or "jane-doe" in i["object"] for i in items)


def test_dropping_a_graph_is_a_delete_pointing_at_its_dump(client, small_store):
    position = client.get("/changes").get_json()["current"].replace("http://localhost", "")
    with small_store.transaction("drop") as txn:
        txn.drop_graph(small_store.config.graph_iri("projects/alpine"))
    items, _ = all_items(client, position)
    assert {i["type"] for i in items} == {"Delete"}
    assert {i["target"]["url"] for i in items} == {"http://localhost/dumps/projects/alpine.ttl.gz"}
    assert client.get("/dumps/projects/alpine.ttl.gz").status_code == 404


def test_a_graph_store_delete_is_announced_as_a_delete(tmp_path):
    """Over HTTP, as a harvester sees it: the item of a Graph Store DELETE is a ``Delete``."""
    from corridor.config import Config
    from corridor.store import open_store
    from corridor.web.app import create_app

    store = open_store(Config(store_dir=tmp_path / "store", write_token="t"))
    client = create_app(store.config, store).test_client()
    graph = store.config.graph_iri("test/doomed")
    auth = {"Authorization": "Bearer t"}
    assert client.put("/graph-store", query_string={"graph": graph}, data=b"<x:a> <x:b> <x:c> .",
                      headers={**auth, "Content-Type": "text/turtle"}).status_code == 201
    position = client.get("/changes").get_json()["current"].replace("http://localhost", "")
    deleted = client.delete("/graph-store", query_string={"graph": graph}, headers=auth)
    assert deleted.status_code == 204 and "Content-Type" not in deleted.headers
    items, _ = all_items(client, position)
    assert [(i["type"], i["target"]["id"]) for i in items] == [("Delete", graph)]
