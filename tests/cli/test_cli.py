"""The `corridor` command line, run in-process via main(argv) (and as a process where needed)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import SH

from corridor.config import Config
from corridor.store import open_store

REPO = Path(__file__).resolve().parents[2]
BASE = "https://w3id.org/corridor/"
VALID = """@prefix cor: <https://w3id.org/corridor/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<id/project/alpha> a cor:Project ; rdfs:label "Alpha" ; cor:leadPartner <id/organisation/uni> .
<id/organisation/uni> a cor:Organisation ; rdfs:label "A University" .
"""
INVALID = """@prefix cor: <https://w3id.org/corridor/ontology#> .
<id/project/nameless> a cor:Project .
"""


@pytest.fixture()
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "alpha.ttl").write_text(VALID)
    (folder / "invalid.ttl").write_text(INVALID)
    (folder / "broken.ttl").write_text(VALID + "<id/x> <p> .\n")
    (folder / "alpha.csv").write_text("not,rdf\n")
    return folder


def all_quads(config: Config) -> set[ox.Quad]:
    store = open_store(config, read_only=True)
    return set(store.reader().quads_for_pattern(None, None, None, None))


def assert_one_line_error(err: str) -> None:
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


def test_load_reports_the_triples_and_reload_reports_unchanged(run, files: Path) -> None:
    code, out, _ = run("load", str(files / "alpha.ttl"))
    assert code == 0 and "5 triples" in out
    code, out, _ = run("load", str(files / "alpha.ttl"))
    assert code == 0 and "unchanged" in out


def test_a_syntax_error_names_file_line_and_column_and_exits_2(
    run, files: Path, tiny_config: Config
) -> None:
    run("load", str(files / "alpha.ttl"))
    before = all_quads(tiny_config)
    code, _, err = run("load", str(files / "broken.ttl"))
    assert code == 2
    assert_one_line_error(err)
    assert f"{files / 'broken.ttl'}:5:" in err
    assert all_quads(tiny_config) == before


def test_a_violation_prints_the_report_and_exits_1(run, files: Path, tiny_config: Config) -> None:
    run("load", str(files / "alpha.ttl"))
    before = all_quads(tiny_config)
    code, _, err = run("load", str(files / "invalid.ttl"))
    assert code == 1
    assert f"{BASE}id/project/nameless" in err and "A project has a label." in err
    assert all_quads(tiny_config) == before


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["load", "missing.ttl"], "no such file"),
        (["load", "{files}/alpha.csv"], "unknown format"),
        (["load", "--format", "yaml", "{files}/alpha.ttl"], "unknown format"),
        (["validate", "missing.ttl"], "no such file"),
        (["query", "SELEC nothing"], "syntax error"),
        (["drop", "no-such-graph"], "no such graph"),
    ],
)
def test_unusable_input_is_one_line_and_exit_2(run, files: Path, argv, needle: str) -> None:
    run("load", str(files / "alpha.ttl"))
    code, _, err = run(*[a.format(files=files) for a in argv])
    assert code == 2
    assert_one_line_error(err)
    assert needle in err


def run_as_a_user(*argv: str) -> tuple[int, str, str]:
    """The CLI as a process to which file modes apply: root ignores them, so as root it runs
    without the capabilities that override them (setpriv), i.e. like any user would."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: file modes cannot apply")
        prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    done = subprocess.run([*prefix, sys.executable, "-m", "corridor.cli", *argv],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


def test_an_unreadable_file_is_one_line_and_exit_2(files: Path, tiny_config: Config) -> None:
    (files / "alpha.ttl").chmod(0)
    code, _, err = run_as_a_user(
        "--store", str(tiny_config.store_dir), "load", str(files / "alpha.ttl"))
    assert code == 2 and "cannot read" in err, err
    assert_one_line_error(err)


def test_permission_denied_on_the_store_is_one_line_and_exit_3(
    run, files: Path, tiny_config: Config
) -> None:
    run("load", str(files / "alpha.ttl"))
    before = all_quads(tiny_config)
    Path(tiny_config.store_dir).chmod(0o500)
    try:
        code, _, err = run_as_a_user("--store", str(tiny_config.store_dir), "drop", "alpha")
    finally:
        Path(tiny_config.store_dir).chmod(0o700)
    assert code == 3 and "permission denied" in err, err
    assert_one_line_error(err)
    assert all_quads(tiny_config) == before


def test_a_full_disk_is_one_line_exit_3_and_changes_nothing(
    run, files: Path, tmp_path: Path, small_disk: Path
) -> None:
    store = small_disk / "store"
    assert run("--store", str(store), "load", str(files / "alpha.ttl"))[0] == 0
    big = tmp_path / "big.nt"
    big.write_text("".join(f'<http://example.org/s{i}> <http://example.org/p> "{"x" * 40}" .\n'
                           for i in range(80_000)))
    before = all_quads(Config(store_dir=store))
    code, _, err = run("--store", str(store), "load", "--no-validate", str(big))
    assert code == 3 and "the disk is full" in err
    assert_one_line_error(err)
    assert all_quads(Config(store_dir=store)) == before


def test_a_store_path_that_is_a_file_is_one_line_and_exit_3(run, files: Path) -> None:
    code, _, err = run("--store", str(files / "alpha.csv"), "load", str(files / "alpha.ttl"))
    assert code == 3
    assert_one_line_error(err)


def test_a_store_locked_by_another_process_is_one_line_and_exit_3(
    run, files: Path, tiny_config: Config
) -> None:
    run("load", str(files / "alpha.ttl"), "--graph", f"{BASE}graph/first")
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import time; from corridor.config import Config; from corridor.store import open_store;"
         f"s = open_store(Config(store_dir={str(tiny_config.store_dir)!r}));"
         "print('ready', flush=True); time.sleep(60)"],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        code, out, err = run("load", str(files / "alpha.ttl"))
        reading = run("query", "ASK { ?s ?p ?o }", "--format", "json")
    finally:
        holder.kill()
        holder.wait()
    assert code == 3 and "in use by another process" in err, (out, err)
    assert_one_line_error(err)
    assert reading[0] == 0 and json.loads(reading[1]) == {"head": {}, "boolean": True}


def test_validate_leaves_an_existing_store_untouched(
    run, files: Path, tiny_config: Config
) -> None:
    run("load", str(files / "alpha.ttl"))
    before = all_quads(tiny_config)
    version = open_store(tiny_config, read_only=True).version
    assert run("validate", str(files / "invalid.ttl"))[0] == 1
    assert all_quads(tiny_config) == before
    assert open_store(tiny_config, read_only=True).version == version


def test_validate_exits_0_1_and_writes_the_shacl_report(
    run, files: Path, tmp_path: Path, tiny_config: Config
) -> None:
    assert run("validate", str(files / "alpha.ttl"))[0] == 0
    report = tmp_path / "report.ttl"
    code, _, _ = run("validate", str(files / "invalid.ttl"), "--report", str(report))
    assert code == 1
    g = rdflib.Graph().parse(report)
    assert set(g.objects(None, SH.conforms)) == {rdflib.Literal(False)}
    assert set(g.objects(None, SH.focusNode)) == {rdflib.URIRef(f"{BASE}id/project/nameless")}
    assert not Path(tiny_config.store_dir).exists()


def test_validate_groups_the_report_by_focus_node(run, files: Path) -> None:
    code, out, _ = run("validate", str(files / "invalid.ttl"))
    assert code == 1
    assert f"<{BASE}id/project/nameless>" in out and "A project has a label." in out


def test_dry_run_writes_nothing(run, files: Path, tiny_config: Config) -> None:
    run("load", str(files / "alpha.ttl"))
    before = all_quads(tiny_config)
    code, out, _ = run("load", "--dry-run", "--graph", f"{BASE}graph/other",
                       str(files / "alpha.ttl"))
    assert code == 0 and "would go to" in out
    assert all_quads(tiny_config) == before


def test_query_writes_each_results_format(run, files: Path) -> None:
    run("load", str(files / "alpha.ttl"))
    select = "SELECT ?s WHERE { ?s a <https://w3id.org/corridor/ontology#Project> }"
    expected = [f"{BASE}id/project/alpha"]
    code, out, _ = run("query", select, "--format", "json")
    assert code == 0
    assert [b["s"]["value"] for b in json.loads(out)["results"]["bindings"]] == expected
    _, out, _ = run("query", select, "--format", "csv")
    assert list(csv.reader(io.StringIO(out))) == [["s"], expected]
    for fmt, media in (("tsv", ox.QueryResultsFormat.TSV), ("xml", ox.QueryResultsFormat.XML)):
        _, out, _ = run("query", select, "--format", fmt)
        rows = ox.parse_query_results(io.BytesIO(out.encode()), media)
        assert [r["s"].value for r in rows] == expected  # type: ignore[union-attr]
    _, out, _ = run("query", select)
    assert expected[0] in out and "1 row" in out


def test_query_writes_graph_results_and_reads_rq_files(run, files: Path, tmp_path: Path) -> None:
    run("load", str(files / "alpha.ttl"))
    rq = tmp_path / "q.rq"
    rq.write_text("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
    for fmt, rdflib_format in (("turtle", "turtle"), ("ntriples", "nt")):
        code, out, _ = run("query", str(rq), "--format", fmt)
        assert code == 0
        got = rdflib.Graph().parse(data=out, format=rdflib_format)
        assert (rdflib.URIRef(f"{BASE}id/project/alpha"), None, None) in got


def test_dump_then_load_restores_the_data_graphs(
    run, files: Path, tmp_path: Path, tiny_config: Config
) -> None:
    run("load", str(files / "alpha.ttl"))
    dump = tmp_path / "dump.trig"
    assert run("dump", "--format", "trig", "-o", str(dump))[0] == 0
    fresh = tmp_path / "fresh"
    assert run("--store", str(fresh), "load", "--skip-protected", str(dump))[0] == 0
    meta = ox.NamedNode(tiny_config.meta_graph)
    original = {q for q in all_quads(tiny_config) if q.graph_name != meta}
    restored = {q for q in all_quads(tiny_config.with_(store_dir=fresh)) if q.graph_name != meta}
    assert restored == original


def test_dump_one_graph_as_turtle(run, files: Path) -> None:
    run("load", str(files / "alpha.ttl"))
    code, out, _ = run("dump", "--graph", "alpha")
    assert code == 0
    assert len(rdflib.Graph().parse(data=out, format="turtle", publicID=BASE)) == 5


def test_graphs_lists_counts_and_provenance(run, files: Path) -> None:
    run("load", str(files / "alpha.ttl"))
    code, out, _ = run("graphs")
    rows = [line.split("\t") for line in out.strip().splitlines()]
    by_graph = {r[0]: r for r in rows[1:]}
    assert code == 0
    alpha = by_graph[f"{BASE}graph/alpha"]
    assert alpha[1:3] == ["5", "alpha.ttl"] and len(alpha[3]) == 64


def test_drop_removes_the_graph_and_its_provenance(run, files: Path, tiny_config: Config) -> None:
    run("load", str(files / "alpha.ttl"))
    assert run("drop", "alpha")[0] == 0
    graphs = {q.graph_name for q in all_quads(tiny_config)}
    assert graphs == set()


def test_replace_swaps_the_content(run, files: Path, tmp_path: Path, tiny_config: Config) -> None:
    run("load", str(files / "alpha.ttl"))
    smaller = tmp_path / "alpha.ttl"
    smaller.write_text(VALID.replace('; rdfs:label "A University" ', ""))
    assert run("load", "--replace", str(smaller))[0] == 0
    graph = ox.NamedNode(f"{BASE}graph/alpha")
    assert len([q for q in all_quads(tiny_config) if q.graph_name == graph]) == 4


@pytest.mark.timeout(120)
def test_serve_answers_http_on_the_bundled_data(tmp_path: Path) -> None:
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "CORRIDOR_STORE": str(tmp_path / "store")}
    server = subprocess.Popen(
        [sys.executable, "-m", "corridor.cli", "serve", "--port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()  # type: ignore[union-attr]
                time.sleep(0.1)
        else:
            pytest.fail("the server did not answer")
    finally:
        server.terminate()
        server.wait(10)
