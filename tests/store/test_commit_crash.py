"""A commit killed at any step leaves the store all-before or all-after: data, version and the
change-log entry agree after the next start (the version switch, state.json, is the last step;
start-up forgets log entries of a version that was never switched to)."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

import pyoxigraph as ox
import pytest

from corridor.config import Config
from corridor.store import open_store

GRAPH = "https://w3id.org/corridor/graph/test/crash"
CHILD = textwrap.dedent("""
    import os, sys
    import pyoxigraph as ox
    from corridor.config import Config
    from corridor.store import changelog, oxigraph, open_store

    root, step = sys.argv[1], sys.argv[2]
    store = open_store(Config(store_dir=root))

    def kill_after(owner, name, tag):
        original = getattr(owner, name)
        def wrapper(*args, **kwargs):
            result = original(*args, **kwargs)
            if tag == step:
                os._exit(9)
            return result
        setattr(owner, name, wrapper)

    kill_after(oxigraph.OxigraphStore, "_publish_snapshot", "snapshot")
    kill_after(changelog.ChangeLog, "append", "log")
    kill_after(oxigraph.OxigraphStore, "_set_reader", "reader")
    kill_after(oxigraph.OxigraphStore, "_write_state", "state")
    kill_after(oxigraph.OxigraphStore, "_collect_superseded", "cleanup")
    node = ox.NamedNode("http://example.org/s")
    with store.transaction("crash test") as txn:
        txn.replace_graph(sys.argv[3], [ox.Quad(node, node, ox.Literal("new"))])
    os._exit(0)
""")


@pytest.mark.parametrize("step", ["snapshot", "log", "reader", "state", "cleanup", "none"])
def test_a_commit_killed_at_any_step_is_all_before_or_all_after(tmp_path, step):
    root = tmp_path / "store"
    store = open_store(Config(store_dir=root))
    with store.transaction("seed") as txn:
        txn.replace_graph(GRAPH + "-seed", [ox.Quad(ox.NamedNode("http://example.org/a"),
                                                    ox.NamedNode("http://example.org/b"),
                                                    ox.Literal("old"))])
    before = store.version
    del store, txn
    gc.collect()  # close the store: the child opens it
    child = subprocess.run([sys.executable, "-c", CHILD, str(root), step, GRAPH],
                           capture_output=True, text=True, timeout=60)
    assert child.returncode == (0 if step == "none" else 9), child.stderr
    reopened = open_store(Config(store_dir=root))
    after = reopened.version
    assert after in (before, before + 1)
    committed = after == before + 1
    assert reopened.graph_exists(GRAPH) == committed
    logged = [c for c in reopened.changes_since(0, 1000) if c.graph == GRAPH]
    assert bool(logged) == committed
    assert all(c.version <= after for c in reopened.changes_since(0, 1000))
    if step in ("cleanup", "none"):
        assert committed  # past the switch: the write stands
