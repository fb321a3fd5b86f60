"""A write that fills the disk answers 507 with the CLI's plain message, echoes no file system
path, and leaves the store as it was — on every write path."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.config import Config
from corridor.store import open_store
from corridor.web.app import create_app
from tests.tmpfs import small_tmpfs

TOKEN = "disk-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture()
def full_disk(tmp_path: Path):
    """A store on a 16 MB tmpfs, then a filler file that leaves almost nothing free."""
    with small_tmpfs(tmp_path / "disk", "16m") as mount:
        store = open_store(Config(store_dir=mount / "store", write_token=TOKEN,
                                  query_workers=1))
        client = create_app(store.config, store).test_client()
        filler = mount / "filler"
        with open(filler, "wb") as out:
            try:
                while True:
                    out.write(b"\0" * (1 << 16))
                    out.flush()
            except OSError:
                pass
        yield store, client, mount
        del client, store


def body(n: int) -> bytes:
    return "".join(f'<http://example.org/s{i}> <http://example.org/p> "{"x" * 200}" .\n'
                   for i in range(n)).encode()


@pytest.mark.parametrize("how", ["put", "post", "update"])
def test_a_write_on_a_full_disk_is_507_without_paths(full_disk, how):
    store, client, mount = full_disk
    graph = "https://w3id.org/corridor/graph/test/full"
    version = store.version
    if how == "update":
        update = f"INSERT DATA {{ GRAPH <{graph}> {{ {body(2000).decode()} }} }}"
        r = client.post("/sparql", data={"update": update}, headers=AUTH)
    else:
        r = getattr(client, how)("/graph-store", query_string={"graph": graph}, data=body(2000),
                                 headers={**AUTH, "Content-Type": "application/n-triples"})
    text = r.get_data(as_text=True)
    assert r.status_code == 507, text
    assert "the disk is full" in text
    assert str(mount) not in text and "/store" not in text
    assert store.version == version
    assert not store.graph_exists(graph)
