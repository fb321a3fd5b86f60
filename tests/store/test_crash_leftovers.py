"""What a killed load or commit leaves behind (unpacked ``load-*`` folders, ``scratch-*``
copies, a ``primary.old`` swapped out mid-commit) is removed when the store is next opened,
and the store is at its last published version."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from corridor.config import Config
from corridor.store import open_store

GRAPH = "https://w3id.org/corridor/graph/test/kept"
QUAD = ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
               ox.Literal("kept"))


def a_store(path: Path):
    store = open_store(Config(store_dir=path))
    with store.transaction("seed") as txn:
        txn.replace_graph(GRAPH, [QUAD])
    return store


def leftovers(root: Path) -> list[str]:
    """Crash leftovers in the store folder and its tmp/ (where loads unpack)."""
    places = [root, root / "tmp"]
    return sorted(p.name for place in places if place.exists() for p in place.iterdir()
                  if p.name.startswith(("load-", "scratch-")) or p.name == "primary.old")


def test_leftovers_of_every_kind_are_removed_at_open(tmp_path):
    root = tmp_path / "store"
    store = a_store(root)
    version = store.version
    del store
    for name in ("load-abc123", "scratch-def456", "primary.old", "tmp/load-ghi789"):
        (root / name).mkdir(parents=True)
        (root / name / "big.nt").write_bytes(b"x" * 1000)
    reopened = open_store(Config(store_dir=root))
    assert leftovers(root) == []
    assert reopened.version == version
    assert [q.object for q in reopened.quads(GRAPH)] == [QUAD.object]


def test_a_load_killed_while_unpacking_leaves_nothing_after_reopen(tmp_path):
    root = tmp_path / "store"
    store = a_store(root)
    version = store.version
    del store
    big = tmp_path / "big.nt.gz"
    line = "<http://example.org/s{}> <http://example.org/p> \"{}\" .\n"
    noise = os.urandom(22_000_000).hex()  # the fast path (and its load-* folder) needs 20 MB
    with gzip.open(big, "wt", compresslevel=1) as out:  # of .gz: incompressible values
        out.writelines(line.format(i, noise[j : j + 200])
                       for i, j in enumerate(range(0, len(noise), 200)))
    load = subprocess.Popen(
        [sys.executable, "-m", "corridor.cli", "load", str(big), "--graph", GRAPH + "-big",
         "--store", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not leftovers(root):
        assert load.poll() is None and time.monotonic() < deadline, "the load never unpacked"
        time.sleep(0.01)
    os.kill(load.pid, signal.SIGKILL)
    load.wait()
    assert leftovers(root)  # the crash left its unpacked folder
    reopened = open_store(Config(store_dir=root))
    assert leftovers(root) == []
    assert reopened.version == version
    assert not reopened.graph_exists(GRAPH + "-big")
