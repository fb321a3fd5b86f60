"""Each published version has a public view: the checkpoint without the withheld graphs."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

from corridor.config import Config
from corridor.store import PUBLIC_SUFFIX, OxigraphStore, open_store

REPO = Path(__file__).resolve().parents[2]
EX = "http://example.org/"
PUBLIC = "https://w3id.org/corridor/graph/test/public"
PERSONAL = "https://w3id.org/corridor/graph/personal/people"


def quad(value: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal(value))


def seeded(config: Config) -> OxigraphStore:
    store = open_store(config)
    with store.transaction("seed") as txn:
        txn.add_to_graph(PUBLIC, [quad("public")])
        txn.add_to_graph(PERSONAL, [quad("personal")])
    return store


def values(store: OxigraphStore) -> set[str]:
    return {row["o"].value for row in store.query(f"SELECT ?o {{ ?s <{EX}p> ?o }}")}


def snapshot_names(config: Config) -> set[str]:
    return {p.name for p in (Path(config.store_dir) / "snapshots").iterdir()}


def test_trusted_queries_read_the_union_of_the_public_graphs_only(tmp_path: Path) -> None:
    store = seeded(Config(store_dir=tmp_path / "store"))
    assert values(store) == {"public"}


def test_the_public_view_is_published_beside_the_version(tmp_path: Path) -> None:
    config = Config(store_dir=tmp_path / "store")
    store = seeded(config)
    name = f"{store.version:012d}"
    assert {name, name + PUBLIC_SUFFIX} <= snapshot_names(config)
    view = ox.Store.read_only(str(Path(config.store_dir) / "snapshots" / (name + PUBLIC_SUFFIX)))
    assert {g.value for g in view.named_graphs()} == {PUBLIC}


def test_the_full_checkpoint_keeps_the_withheld_graphs(tmp_path: Path) -> None:
    store = seeded(Config(store_dir=tmp_path / "store"))
    graphs = {g.value for g in store.reader().named_graphs()}
    assert PERSONAL in graphs


def test_reopening_keeps_only_the_current_version_and_its_view(tmp_path: Path) -> None:
    config = Config(store_dir=tmp_path / "store")
    store = seeded(config)
    with store.transaction("more") as txn:
        txn.add_to_graph(PUBLIC, [quad("later")])
    version = store.version
    del store, txn  # the transaction holds the store too
    gc.collect()  # RocksDB closes (and unlocks) when the store is freed
    reopen = (f"from corridor.store import open_store; from corridor.config import Config; "
              f"open_store(Config(store_dir={str(config.store_dir)!r}))")
    subprocess.run([sys.executable, "-c", reopen], check=True, cwd=REPO)
    name = f"{version:012d}"
    assert snapshot_names(config) == {name, name + PUBLIC_SUFFIX}


def test_with_personal_data_published_there_is_no_separate_view(tmp_path: Path) -> None:
    config = Config(store_dir=tmp_path / "store", publish_personal_data=True)
    store = seeded(config)
    assert values(store) == {"public", "personal"}
    assert not any(n.endswith(PUBLIC_SUFFIX) for n in snapshot_names(config))


def test_later_writes_keep_the_withheld_graphs_and_their_metadata_out_of_view_only(
    tmp_path: Path,
) -> None:
    config = Config(store_dir=tmp_path / "store")
    store = seeded(config)
    about = ox.Quad(ox.NamedNode(PERSONAL), ox.NamedNode(EX + "source"), ox.Literal("people.ttl"),
                    ox.NamedNode(config.meta_graph))
    with store.transaction("describe") as txn:
        txn.set_graph_metadata([about], PERSONAL)
    with store.transaction("more") as txn:
        txn.add_to_graph(PUBLIC, [quad("later")])
    personal = quad("personal")
    personal = ox.Quad(personal.subject, personal.predicate, personal.object,
                       ox.NamedNode(PERSONAL))
    full = set(store.reader().quads_for_pattern(None, None, None, None))
    assert personal in full
    assert about in full
    with store.lease(public=True) as view:
        public = set(view.handle.quads_for_pattern(None, None, None, None))  # type: ignore[attr-defined]
    assert public == full - {personal, about}
