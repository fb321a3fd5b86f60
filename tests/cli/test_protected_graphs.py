"""`corridor load` never writes the graphs only the store writes (metadata, shapes): a file
aimed at them is refused, the store unchanged; a dump is restored with ``--skip-protected``,
which leaves those statements out and says how many."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from corridor.cli import main
from corridor.config import Config
from corridor.store import open_store

CONFIG = Config()
META, SHAPES = CONFIG.meta_graph, CONFIG.graph_iri("shapes")
DATA = CONFIG.graph_iri("test/x")
EX = "http://example.org/"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), config=Config())
    out, err = capsys.readouterr()
    return code, out, err


def quads(store: Path) -> set[ox.Quad]:
    if not store.exists():
        return set()
    return set(open_store(Config(store_dir=store), read_only=True).reader()
               .quads_for_pattern(None, None, None, None))


def dataset(tmp_path: Path, graph: str, suffix: str = "trig") -> Path:
    """A dataset file with one statement in a data graph and two in ``graph``."""
    path = tmp_path / f"with-protected.{suffix}"
    data = f'<{EX}a> <{EX}b> "1"'
    extra = [f'<{EX}fake> <{EX}says> "{n}"' for n in (2, 3)]
    if suffix == "trig":
        path.write_text(f"<{DATA}> {{ {data} }}\n<{graph}> {{ {' . '.join(extra)} }}\n")
    else:
        path.write_text("".join(f"{t} <{g}> .\n" for t, g in
                                [(data, DATA)] + [(e, graph) for e in extra]))
    return path


@pytest.fixture()
def store(tmp_path: Path, capsys) -> Path:
    path = tmp_path / "s"
    assert run(capsys, "--store", str(path), "init")[0] == 0
    return path


@pytest.mark.parametrize("suffix", ["trig", "nq"])
@pytest.mark.parametrize("graph,role", [(META, "metadata graph"), (SHAPES, "shapes graph")])
def test_a_dataset_file_naming_a_store_written_graph_is_refused_and_changes_nothing(
    tmp_path, capsys, store, graph, role, suffix
):
    before = quads(store)
    path = dataset(tmp_path, graph, suffix)
    code, _, err = run(capsys, "--store", str(store), "load", "--no-validate", str(path))
    assert code == 2
    assert f"{path}: the file names <{graph}>, the {role}" in err
    assert "--skip-protected" in err
    assert quads(store) == before


@pytest.mark.parametrize("graph", [META, SHAPES])
def test_a_triple_file_aimed_at_a_store_written_graph_is_refused(tmp_path, capsys, store, graph):
    before = quads(store)
    path = tmp_path / "x.ttl"
    path.write_text(f"<{EX}a> <{EX}b> 1 .\n")
    code, _, err = run(capsys, "--store", str(store), "load", "--graph", graph, str(path))
    assert code == 2
    assert f"<{graph}> is the" in err and "only the store itself writes" in err
    assert quads(store) == before


@pytest.mark.parametrize("graph", [META, SHAPES])
def test_skip_protected_leaves_those_statements_out_and_says_so(tmp_path, capsys, store, graph):
    path = dataset(tmp_path, graph)
    code, out, err = run(capsys, "--store", str(store), "load", "--no-validate",
                         "--skip-protected", str(path))
    assert code == 0, err
    assert f"2 statements in <{graph}> left out" in out
    stored = quads(store)
    kept = ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "b"), ox.Literal("1"),
                   ox.NamedNode(DATA))
    assert kept in stored
    assert not any(q.subject == ox.NamedNode(EX + "fake") for q in stored)
