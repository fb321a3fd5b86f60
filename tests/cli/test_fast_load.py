"""`corridor load`'s fast path for big triple files (bulk_load + parallel validation).

The size threshold is lowered so that small files take the fast path; every guarantee of the
per-quad path must hold: atomic, validated, idempotent, provenance, --replace, --dry-run.
"""

from __future__ import annotations

import gzip
import os
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from corridor.cli import main
from corridor.config import Config
from corridor.ingest import loader, provenance
from corridor.store import open_store

BASE = "https://w3id.org/corridor/"
COR = "https://w3id.org/corridor/ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
GRAPH = f"{BASE}graph/big"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"


def projects(n: int, first: int = 0) -> str:
    """Conforming N-Triples: n projects led by one organisation, plus a blank-node note each."""
    org = f"<{BASE}id/organisation/uni>"
    lines = [f"{org} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{COR}Organisation> .",
             f'{org} <{RDFS_LABEL}> "A University" .']
    for i in range(first, first + n):
        p = f"<{BASE}id/project/p{i}>"
        lines += [f"{p} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{COR}Project> .",
                  f'{p} <{RDFS_LABEL}> "Project {i}" .',
                  f"{p} <{COR}leadPartner> {org} .",
                  f'{p} <http://example.org/note> _:n{i} .',
                  f'_:n{i} <{RDFS_LABEL}> "note {i}" .']
    return "\n".join(lines) + "\n"


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
NAMELESS = f"<{BASE}id/project/nameless> <{RDF_TYPE}> <{COR}Project> .\n"


@pytest.fixture(params=["in memory", "on disk"])
def fast(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every file takes the fast path; validation in memory (parallel) or on the scratch copy."""
    monkeypatch.setattr(loader, "FAST_PATH_BYTES", 1)
    if request.param == "on disk":
        monkeypatch.setattr(loader, "MEMORY_VALIDATION_MAX_QUADS", 0)
    return request.param


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def graph_in_store(config: Config, graph: str = GRAPH) -> rdflib.Graph:
    store = open_store(config, read_only=True)
    g = rdflib.Graph()
    for q in store.reader().quads_for_pattern(None, None, None, ox.NamedNode(graph)):
        g.add(tuple(_rdflib(t) for t in (q.subject, q.predicate, q.object)))  # type: ignore[arg-type]
    return g


def _rdflib(term: object) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    assert isinstance(term, ox.Literal)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def parsed(path: Path) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(path, format="nt" if path.suffix == ".nt" else "turtle", publicID=BASE)
    return g


def all_quads(config: Config) -> set[ox.Quad]:
    return set(open_store(config, read_only=True).reader().quads_for_pattern(None, None, None))


def test_a_big_file_loads_and_the_graph_is_isomorphic_to_it(
    run, fast: str, tmp_path: Path, tiny_config: Config
) -> None:
    data = write(tmp_path / "big.nt", projects(50))
    code, out, err = run("load", "--graph", GRAPH, str(data))
    assert code == 0, err
    assert isomorphic(graph_in_store(tiny_config), parsed(data))


def test_relative_iris_in_turtle_resolve_against_the_base_iri(
    run, fast: str, tmp_path: Path, tiny_config: Config
) -> None:
    data = write(tmp_path / "big.ttl", "@prefix cor: <https://w3id.org/corridor/ontology#> .\n"
                 "<id/organisation/uni> a cor:Organisation .\n")
    assert run("load", "--graph", GRAPH, str(data))[0] == 0
    assert isomorphic(graph_in_store(tiny_config), parsed(data))


def test_a_gzipped_big_file_loads(run, fast: str, tmp_path: Path, tiny_config: Config) -> None:
    plain = write(tmp_path / "big.nt", projects(20))
    packed = tmp_path / "big.nt.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    code, _, err = run("load", "--graph", GRAPH, str(packed))
    assert code == 0, err
    assert isomorphic(graph_in_store(tiny_config), parsed(plain))


def test_a_syntax_error_exits_2_with_file_line_column_and_changes_nothing(
    run, fast: str, tmp_path: Path, tiny_config: Config
) -> None:
    run("load", "--graph", GRAPH, str(write(tmp_path / "first.nt", projects(3))))
    before = all_quads(tiny_config)
    broken = write(tmp_path / "broken.nt", projects(3, first=10) + "<http://a> <http://b> .\n")
    code, _, err = run("load", "--graph", GRAPH, str(broken))
    lines = projects(3, first=10).count("\n")
    assert code == 2
    assert f"{broken}:{lines + 1}:" in err and "syntax error" in err
    assert len(err.strip().splitlines()) == 1
    assert all_quads(tiny_config) == before


def test_a_violation_exits_1_with_the_report_and_changes_nothing(
    run, fast: str, tmp_path: Path, tiny_config: Config
) -> None:
    run("load", "--graph", GRAPH, str(write(tmp_path / "first.nt", projects(3))))
    before = all_quads(tiny_config)
    bad = write(tmp_path / "bad.nt", projects(3, first=10) + NAMELESS)
    code, _, err = run("load", "--graph", f"{BASE}graph/other", str(bad))
    assert code == 1
    assert f"{BASE}id/project/nameless" in err and "A project has a label." in err
    assert all_quads(tiny_config) == before


def test_a_violation_against_data_already_in_the_store_is_found(
    run, fast: str, tmp_path: Path, tiny_config: Config
) -> None:
    """Validation covers the store plus the file, not the file alone."""
    leads_a_project = (f"<{BASE}id/project/q> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                       f'<{COR}Project> .\n<{BASE}id/project/q> <{RDFS_LABEL}> "Q" .\n'
                       f"<{BASE}id/project/q> <{COR}leadPartner> <{BASE}id/project/p0> .\n")
    run("load", "--graph", GRAPH, str(write(tmp_path / "first.nt", projects(2))))
    before = all_quads(tiny_config)
    code, _, err = run("load", "--graph", f"{BASE}graph/q",
                       str(write(tmp_path / "q.nt", leads_a_project)))
    assert code == 1 and "The lead partner is an organisation." in err
    assert all_quads(tiny_config) == before


def test_files_loaded_together_share_no_blank_nodes(
    run, fast: str, tmp_path: Path, tiny_config: Config
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "a.nt", projects(2))
    write(folder / "b.nt", projects(2, first=5).replace("_:n5", "_:n0").replace("_:n6", "_:n1"))
    assert run("load", str(folder))[0] == 0
    reader = open_store(tiny_config, read_only=True).reader()
    blanks = [
        {q.subject for q in reader.quads_for_pattern(None, None, None, ox.NamedNode(g))
         if isinstance(q.subject, ox.BlankNode)}
        for g in (tiny_config.graph_iri("a"), tiny_config.graph_iri("b"))
    ]
    assert len(blanks[0]) == len(blanks[1]) == 2 and not blanks[0] & blanks[1]


def test_no_validate_loads_a_violating_file(
    run, fast: str, tmp_path: Path, tiny_config: Config
) -> None:
    bad = write(tmp_path / "bad.nt", NAMELESS)
    assert run("load", "--no-validate", "--graph", GRAPH, str(bad))[0] == 0
    assert isomorphic(graph_in_store(tiny_config), parsed(bad))


def test_replace_swaps_the_graph_and_a_rejected_replace_keeps_the_old_one(
    run, fast: str, tmp_path: Path, tiny_config: Config
) -> None:
    first, second = write(tmp_path / "a.nt", projects(5)), write(tmp_path / "b.nt", projects(2, 7))
    run("load", "--graph", GRAPH, str(first))
    assert run("load", "--replace", "--graph", GRAPH, str(second))[0] == 0
    assert isomorphic(graph_in_store(tiny_config), parsed(second))
    bad = write(tmp_path / "bad.nt", NAMELESS)
    assert run("load", "--replace", "--graph", GRAPH, str(bad))[0] == 1
    assert isomorphic(graph_in_store(tiny_config), parsed(second))


def test_replace_makes_the_graph_valid_again_when_the_old_content_was_the_problem(
    run, fast: str, tmp_path: Path, tiny_config: Config
) -> None:
    """The replaced triples are gone from the validated copy too."""
    run("load", "--no-validate", "--graph", GRAPH, str(write(tmp_path / "bad.nt", NAMELESS)))
    good = write(tmp_path / "good.nt", projects(2))
    code, _, err = run("load", "--replace", "--graph", GRAPH, str(good))
    assert code == 0, err
    assert isomorphic(graph_in_store(tiny_config), parsed(good))


def test_reloading_the_same_file_changes_nothing(
    run, fast: str, tmp_path: Path, tiny_config: Config
) -> None:
    data = write(tmp_path / "big.nt", projects(5))
    run("load", "--graph", GRAPH, str(data))
    version = open_store(tiny_config, read_only=True).version
    code, out, _ = run("load", "--graph", GRAPH, str(data))
    assert code == 0 and "unchanged" in out
    assert open_store(tiny_config, read_only=True).version == version


def test_the_load_is_recorded_with_checksum_and_triple_counts(
    run, fast: str, tmp_path: Path, tiny_config: Config
) -> None:
    data = write(tmp_path / "big.nt", projects(5))
    run("load", "--graph", GRAPH, str(data))
    store = open_store(tiny_config, read_only=True)
    sha = loader.sha256_of(data)
    assert provenance.sources_of(store.reader(), tiny_config, GRAPH) == {sha}
    counts = {
        row["s"].value: int(row["n"].value)
        for row in store.reader().query(
            f"SELECT ?s ?n {{ GRAPH <{tiny_config.meta_graph}> {{ ?s <{VOID_TRIPLES}> ?n }} }}")
    }
    assert counts == {GRAPH: len(parsed(data)), f"{GRAPH}#source-{sha}": len(parsed(data))}


def test_the_change_log_records_one_whole_graph_change(
    run, fast: str, tmp_path: Path, tiny_config: Config
) -> None:
    store = open_store(tiny_config)
    seq = store._log.last_seq()
    store = None
    run("load", "--graph", GRAPH, str(write(tmp_path / "big.nt", projects(5))))
    changes = open_store(tiny_config, read_only=True).changes_since(seq, 100)
    assert [(c.graph, c.resource) for c in changes] == [(GRAPH, None)]


def test_dry_run_validates_and_writes_nothing(
    run, fast: str, tmp_path: Path, tiny_config: Config
) -> None:
    run("load", "--graph", GRAPH, str(write(tmp_path / "first.nt", projects(2))))
    before = all_quads(tiny_config)
    code, out, _ = run("load", "--dry-run", "--graph", f"{BASE}graph/b",
                       str(write(tmp_path / "b.nt", projects(2, 5))))
    assert code == 0 and "valid" in out
    assert all_quads(tiny_config) == before
    code, _, _ = run("load", "--dry-run", "--graph", f"{BASE}graph/b",
                     str(write(tmp_path / "bad.nt", NAMELESS)))
    assert code == 1


def test_small_files_keep_the_exact_per_subject_change_log(
    run, tmp_path: Path, tiny_config: Config
) -> None:
    store = open_store(tiny_config)
    seq = store._log.last_seq()
    store = None
    run("load", "--graph", GRAPH, str(write(tmp_path / "small.nt", projects(2))))
    changes = open_store(tiny_config, read_only=True).changes_since(seq, 100)
    assert {c.resource for c in changes} == {
        f"{BASE}id/organisation/uni", f"{BASE}id/project/p0", f"{BASE}id/project/p1"}


def test_a_full_disk_exits_3_and_changes_nothing(
    run, fast: str, tmp_path: Path, small_disk: Path
) -> None:
    store = small_disk / "store"
    assert run("--store", str(store), "load", "--graph", GRAPH,
               str(write(tmp_path / "first.nt", projects(2))))[0] == 0
    big = write(tmp_path / "big.nt", "".join(
        f'<http://example.org/s{i}> <http://example.org/p> "{"x" * 40}" .\n'
        for i in range(80_000)))
    before = all_quads(Config(store_dir=store))
    code, _, err = run("--store", str(store), "load", "--no-validate", str(big))
    assert code == 3 and "the disk is full" in err and "Traceback" not in err, err
    assert all_quads(Config(store_dir=store)) == before


# ---------------------------------------------------------------------------- progress bar
def run_on_a_terminal(config: Config, argv: list[str]) -> tuple[int, str]:
    """Run the CLI in-process with stderr on a pseudo-terminal; returns (code, terminal text)."""
    master, slave = os.openpty()
    terminal = os.fdopen(slave, "w", buffering=1)
    saved = sys.stderr
    sys.stderr = terminal
    try:
        code = main(argv, config=config)
    finally:
        sys.stderr = saved
        terminal.close()
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the slave side is closed and everything was read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return code, b"".join(chunks).decode()


def test_the_fast_path_draws_a_progress_bar_on_a_terminal(
    fast: str, tmp_path: Path, tiny_config: Config
) -> None:
    data = write(tmp_path / "big.nt", projects(20))
    code, text = run_on_a_terminal(tiny_config, ["load", "--graph", GRAPH, str(data)])
    assert code == 0
    assert "big.nt [" in text and "%" in text and "writing" in text and "publishing" in text
    assert "validating" in text


def test_no_progress_bar_is_drawn_when_stderr_is_not_a_terminal(
    run, fast: str, tmp_path: Path
) -> None:
    code, _, err = run("load", "--graph", GRAPH, str(write(tmp_path / "big.nt", projects(20))))
    assert code == 0 and err == ""
