"""Checked writes: a refused write leaves the primary untouched; an accepted one publishes."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from corridor.config import Config
from corridor.store import OxigraphStore, WriteRejected, open_store

G = "https://w3id.org/corridor/graph/test"
A = ox.Quad(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p"),
            ox.Literal("a"))
B = ox.Quad(ox.NamedNode("http://example.org/b"), ox.NamedNode("http://example.org/p"),
            ox.Literal("b"))


def refuse(scratch: ox.Store, focus: frozenset[str] | None) -> None:
    raise WriteRejected("refused")


def everything(store: OxigraphStore) -> set[ox.Quad]:
    return set(store.reader().quads_for_pattern(None, None, None, None))


@pytest.fixture(params=["disk", "memory"])
def store(request: pytest.FixtureRequest, tiny_config: Config) -> OxigraphStore:
    store = open_store(tiny_config.with_(in_memory=request.param == "memory"))
    with store.transaction("seed") as txn:
        txn.add_to_graph(G, [A])
    return store


@pytest.mark.parametrize("operation", ["add", "replace", "update", "drop"])
def test_a_refused_check_leaves_the_store_as_it_was(store: OxigraphStore, operation: str) -> None:
    before, version = everything(store), store.version
    with pytest.raises(WriteRejected), store.transaction("test") as txn:
        if operation == "add":
            txn.add_to_graph(G, [B], check=refuse)
        elif operation == "replace":
            txn.replace_graph(G, [B], check=refuse)
        elif operation == "update":
            txn.update(f"DELETE DATA {{ GRAPH <{G}> {{ {A.subject} {A.predicate} {A.object} }} }}",
                       check=refuse)
        else:
            txn.drop_graph(G, check=refuse)
    assert everything(store) == before
    assert store.version == version


def test_the_check_sees_the_result_and_the_touched_iris(store: OxigraphStore) -> None:
    seen: list[tuple[set[ox.Quad], frozenset[str] | None]] = []

    def record(scratch: ox.Store, focus: frozenset[str] | None) -> None:
        seen.append((set(scratch.quads_for_pattern(None, None, None, None)), focus))

    with store.transaction("test") as txn:
        txn.replace_graph(G, [B], check=record)
    graph = ox.NamedNode(G)
    expected = {ox.Quad(B.subject, B.predicate, B.object, graph)}
    assert seen == [(expected, frozenset({"http://example.org/a", "http://example.org/b"}))]
    assert everything(store) == expected


def test_an_update_check_gets_no_focus(store: OxigraphStore) -> None:
    seen = []
    with store.transaction("test") as txn:
        txn.update(f"INSERT DATA {{ GRAPH <{G}> {{ {B.subject} {B.predicate} {B.object} }} }}",
                   check=lambda scratch, focus: seen.append(focus))
    assert seen == [None]
    assert len(everything(store)) == 2


def test_a_transaction_check_runs_once_over_all_writes(store: OxigraphStore) -> None:
    calls = []
    with store.transaction("test", check=lambda s, f: calls.append(len(s))) as txn:
        txn.add_to_graph(G, [B])
        txn.add_to_graph(G + "2", [A])
    assert calls == [3]
    assert len(everything(store)) == 3


def test_a_refused_transaction_check_discards_all_writes(store: OxigraphStore) -> None:
    before, version = everything(store), store.version
    with pytest.raises(WriteRejected), store.transaction("test", check=refuse) as txn:
        txn.add_to_graph(G, [B])
        txn.drop_graph(G)
    assert (everything(store), store.version) == (before, version)


def test_an_accepted_write_survives_reopening(tiny_config: Config) -> None:
    store = open_store(tiny_config)
    with store.transaction("test") as txn:
        txn.add_to_graph(G, [A], check=lambda s, f: None)
    del store
    reopened = open_store(tiny_config, read_only=True)
    assert len(set(reopened.reader().quads_for_pattern(None, None, None, None))) == 1


def test_a_reader_during_the_publish_sees_the_old_version_with_the_old_data(
    tiny_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Figures are labelled with the version read before the data: were the number moved first,
    figures counted during the publish would be old data kept as current for good."""
    import corridor.store.oxigraph as backend

    store = open_store(tiny_config)
    with store.transaction("seed") as txn:
        txn.add_to_graph(G, [A])
    before, version = everything(store), store.version
    seen: list[tuple[int, set[ox.Quad]]] = []
    checkpoint = backend._checkpoint

    def observed(primary: ox.Store, path) -> None:
        seen.append((store.version, everything(store)))
        checkpoint(primary, path)

    monkeypatch.setattr(backend, "_checkpoint", observed)
    with store.transaction("test") as txn:
        txn.add_to_graph(G, [B])
    assert seen and all(pair == (version, before) for pair in seen)
    assert store.version == version + 1
