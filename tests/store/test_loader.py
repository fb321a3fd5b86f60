"""Loading files into a real on-disk store: formats, atomicity, idempotence, provenance."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from corridor.config import Config
from corridor.ingest import loader, provenance
from corridor.store import OxigraphStore, WriteRejected, open_store
from corridor.validation import validator_for, write_check

BASE = "https://w3id.org/corridor/"
COR = "https://w3id.org/corridor/ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

VALID = """@prefix cor: <https://w3id.org/corridor/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix proj: <id/project/> .
@prefix org: <id/organisation/> .
proj:alpha a cor:Project ; rdfs:label "Alpha" ; cor:leadPartner org:uni .
org:uni a cor:University ; rdfs:label "A University" .
"""
INVALID = """@prefix cor: <https://w3id.org/corridor/ontology#> .
@prefix proj: <id/project/> .
proj:nameless a cor:Project .
"""
REPLACEMENT = """@prefix cor: <https://w3id.org/corridor/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<id/project/beta> a cor:Project ; rdfs:label "Beta" .
"""


def quads_of(store: OxigraphStore) -> set[ox.Quad]:
    return set(store.reader().quads_for_pattern(None, None, None, None))


def data_quads(store: OxigraphStore) -> set[ox.Quad]:
    meta = ox.NamedNode(store.config.meta_graph)
    return {q for q in quads_of(store) if q.graph_name != meta}


def load(store: OxigraphStore, path: Path, **options: object) -> list[loader.LoadResult]:
    sources = loader.plan(store, [path], graph=options.pop("graph", None))  # type: ignore[arg-type]
    return loader.load_files(store, sources, check=write_check(store), **options)  # type: ignore[arg-type]


@pytest.fixture()
def store(tiny_config: Config) -> OxigraphStore:
    return open_store(tiny_config)


@pytest.fixture()
def valid_file(tmp_path: Path) -> Path:
    path = tmp_path / "alpha.ttl"
    path.write_text(VALID)
    return path


def expected_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(data=VALID, format="turtle", publicID=BASE)


def graph_in_store(store: OxigraphStore, graph: str) -> rdflib.Graph:
    g = rdflib.Graph()
    nt = "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in store.quads(graph))
    return g.parse(data=nt, format="nt")


def serialise(fmt: str) -> bytes:
    graph = expected_graph()
    if fmt in ("trig", "nquads"):
        ds = rdflib.Dataset()
        for t in graph:
            ds.add((*t, rdflib.URIRef(f"{BASE}graph/alpha")))
        return ds.serialize(format=fmt).encode()
    return graph.serialize(format=fmt).encode()


@pytest.mark.parametrize(
    ("name", "rdflib_format"),
    [
        ("alpha.ttl", "turtle"),
        ("alpha.nt", "nt"),
        ("alpha.jsonld", "json-ld"),
        ("alpha.rdf", "xml"),
        ("alpha.trig", "trig"),
        ("alpha.nq", "nquads"),
        ("alpha.ttl.gz", "turtle"),
    ],
)
def test_each_format_loads_into_the_graph_named_after_the_file(
    store: OxigraphStore, tmp_path: Path, name: str, rdflib_format: str
) -> None:
    data = serialise(rdflib_format)
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    load(store, path)
    assert isomorphic(graph_in_store(store, f"{BASE}graph/alpha"), expected_graph())


def test_relative_iris_resolve_against_the_configured_base(
    tiny_config: Config, valid_file: Path
) -> None:
    store = open_store(tiny_config.with_(base_iri="http://data.example.org/kg/"))
    load(store, valid_file)
    project = ox.NamedNode("http://data.example.org/kg/id/project/alpha")
    graph = ox.NamedNode("http://data.example.org/kg/graph/alpha")
    assert list(store.reader().quads_for_pattern(project, None, None, graph))


def test_a_file_under_the_data_folder_gets_its_path_as_graph_name(
    store: OxigraphStore, tiny_config: Config
) -> None:
    path = Path(tiny_config.data_dir) / "projects" / "alpha.ttl"
    path.parent.mkdir()
    path.write_text(VALID)
    load(store, Path(tiny_config.data_dir))
    assert store.named_graphs() == [f"{BASE}graph/meta", f"{BASE}graph/projects/alpha"]


def test_a_syntax_error_leaves_the_store_unchanged(
    store: OxigraphStore, valid_file: Path, tmp_path: Path
) -> None:
    load(store, valid_file)
    before, version = quads_of(store), store.version
    broken = tmp_path / "broken.ttl"
    broken.write_text(VALID + '<id/project/x> <p> "unterminated .\n')
    with pytest.raises(loader.InputError, match=r"broken\.ttl:7:\d+: syntax error"):
        load(store, broken)
    assert quads_of(store) == before
    assert store.version == version


def test_a_shape_violation_leaves_the_store_unchanged(
    store: OxigraphStore, valid_file: Path, tmp_path: Path
) -> None:
    load(store, valid_file)
    before, version = quads_of(store), store.version
    invalid = tmp_path / "invalid.ttl"
    invalid.write_text(INVALID)
    with pytest.raises(WriteRejected) as rejected:
        load(store, invalid)
    assert [r.focus for r in rejected.value.report.results] == [f"{BASE}id/project/nameless"]
    assert quads_of(store) == before
    assert store.version == version
    reopened = open_store(store.config, read_only=True)
    assert set(reopened.reader().quads_for_pattern(None, None, None, None)) == before


def test_files_loaded_together_are_validated_together_all_or_nothing(
    store: OxigraphStore, tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "project.ttl").write_text(VALID.split("org:uni a")[0])
    (folder / "org.ttl").write_text(VALID.split(" .\norg:uni")[0].split("proj:alpha")[0]
                                    + "org:uni a cor:University .\n")
    loader.load_files(store, loader.plan(store, [folder]), check=write_check(store))
    assert {g.rsplit("/", 1)[1] for g in store.named_graphs()} == {"meta", "project", "org"}
    (folder / "bad.ttl").write_text(INVALID)
    before = quads_of(store)
    with pytest.raises(WriteRejected):
        loader.load_files(store, loader.plan(store, [folder]), check=write_check(store))
    assert quads_of(store) == before


def test_a_dangling_reference_is_a_violation(store: OxigraphStore, tmp_path: Path) -> None:
    path = tmp_path / "dangling.ttl"
    path.write_text(VALID.split("org:uni a")[0])
    with pytest.raises(WriteRejected):
        load(store, path)
    assert quads_of(store) == set()


def test_replace_swaps_the_graph_content(
    store: OxigraphStore, valid_file: Path, tmp_path: Path
) -> None:
    load(store, valid_file)
    replacement = tmp_path / "beta.ttl"
    replacement.write_text(REPLACEMENT)
    load(store, replacement, graph=f"{BASE}graph/alpha", replace=True)
    subjects = {q.subject.value for q in store.quads(f"{BASE}graph/alpha")}
    assert subjects == {f"{BASE}id/project/beta"}


def test_a_rejected_replace_keeps_the_old_content(
    store: OxigraphStore, valid_file: Path, tmp_path: Path
) -> None:
    load(store, valid_file)
    before = quads_of(store)
    invalid = tmp_path / "invalid.ttl"
    invalid.write_text(INVALID)
    with pytest.raises(WriteRejected):
        load(store, invalid, graph=f"{BASE}graph/alpha", replace=True)
    assert quads_of(store) == before


def test_reloading_the_same_file_changes_nothing(
    store: OxigraphStore, valid_file: Path
) -> None:
    load(store, valid_file)
    before, version = quads_of(store), store.version
    (result,) = load(store, valid_file)
    assert result.skipped
    assert (quads_of(store), store.version) == (before, version)
    (result,) = load(store, valid_file, replace=True)
    assert result.skipped
    assert (quads_of(store), store.version) == (before, version)


def test_a_dry_run_validates_but_writes_nothing(
    store: OxigraphStore, valid_file: Path, tmp_path: Path
) -> None:
    (result,) = load(store, valid_file, dry_run=True)
    assert result.triples == 5
    assert quads_of(store) == set() and store.version == 0
    invalid = tmp_path / "invalid.ttl"
    invalid.write_text(INVALID)
    with pytest.raises(WriteRejected):
        load(store, invalid, dry_run=True)


def test_provenance_records_file_checksum_counts_time_agent_and_shapes(
    store: OxigraphStore, valid_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORRIDOR_AGENT", "steward@example.org")
    load(store, valid_file)
    (entry,) = [e for e in provenance.listing(store.reader(), store.config)
                if e["graph"] == f"{BASE}graph/alpha"]
    (source,) = entry["sources"]  # type: ignore[misc]
    assert entry["triples"] == 5
    assert source["title"] == "alpha.ttl"
    assert source["sum"] == loader.sha256_of(valid_file)
    assert source["agent"] == "steward@example.org"
    assert source["shapes"] == validator_for(store).version  # type: ignore[attr-defined]
    assert source["time"]


def test_dump_then_load_into_a_fresh_store_gives_an_isomorphic_dataset(
    store: OxigraphStore, valid_file: Path, tmp_path: Path, tiny_config: Config
) -> None:
    blank = tmp_path / "blank.ttl"
    blank.write_text('<id/organisation/uni> <http://schema.org/address> [ <http://schema.org/'
                     'postalCode> "25000" ] .\n')
    load(store, valid_file)
    load(store, blank, graph=f"{BASE}graph/alpha")
    dump = tmp_path / "dump.nq"
    with open(dump, "wb") as out:
        store.dump(out, ox.RdfFormat.N_QUADS)
    fresh = open_store(tiny_config.with_(store_dir=tmp_path / "fresh"))
    load(fresh, dump, skip_protected=True)  # a dump restores without its metadata

    data_graphs = [g for g in store.named_graphs() if g != store.config.meta_graph]
    assert [g for g in fresh.named_graphs() if g != store.config.meta_graph] == data_graphs
    for graph in data_graphs:
        assert isomorphic(graph_in_store(fresh, graph), graph_in_store(store, graph))
    assert len(data_quads(fresh)) == len(data_quads(store))


def test_load_bundled_fills_an_empty_store_in_one_version(tiny_config: Config) -> None:
    data = Path(tiny_config.data_dir) / "projects"
    data.mkdir()
    (data / "alpha.ttl").write_text(VALID)
    store = open_store(tiny_config)
    loader.load_bundled(store)
    assert store.version == 1
    assert store.named_graphs() == [
        f"{BASE}graph/meta", f"{BASE}graph/ontology", f"{BASE}graph/projects/alpha",
        f"{BASE}graph/shapes",
    ]
