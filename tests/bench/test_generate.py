"""The benchmark generator: deterministic, conforming to the shapes, inside the ontology."""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))

from generate import BASE, generate, parse_count  # noqa: E402

from corridor.config import Config  # noqa: E402

REUSED_VOCABULARIES = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://purl.org/dc/terms/",
    "http://www.w3.org/2004/02/skos/core#",
    "https://schema.org/",
    "http://www.w3.org/ns/locn#",
    "http://xmlns.com/foaf/0.1/",
)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "small.nt"
    generate(2_500, out, seed=42)
    return out


def test_scale_notation_is_understood() -> None:
    assert [parse_count(t) for t in ("250k", "1M", "5m", "20M", "1000")] == [
        250_000,
        1_000_000,
        5_000_000,
        20_000_000,
        1_000,
    ]


def test_same_seed_gives_the_same_bytes(small: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.nt"
    generate(2_500, again, seed=42)
    assert again.read_bytes() == small.read_bytes()


def test_another_seed_gives_other_data(small: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.nt"
    generate(2_500, other, seed=7)
    assert other.read_bytes() != small.read_bytes()


def test_output_reaches_the_requested_size_in_valid_n_triples(small: Path) -> None:
    triples = list(ox.parse(path=str(small), format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) >= 2_500
    assert len(set(triples)) == len(triples)


def test_every_class_and_predicate_is_declared_or_reused(small: Path) -> None:
    ontology = rdflib.Graph().parse(REPO / "ontology" / "corridor.ttl", publicID=BASE)
    declared = {str(s) for s in ontology.subjects()}
    data = rdflib.Graph().parse(small, format="nt")
    used = {str(p) for p in data.predicates()} | {str(o) for o in data.objects(None, RDF.type)}
    undeclared = {
        term for term in used if term not in declared and not term.startswith(REUSED_VOCABULARIES)
    }
    assert undeclared == set()


def test_data_conforms_to_the_shapes_with_pyshacl(small: Path) -> None:
    from corridor.validation.validator import Validator

    data = rdflib.Graph().parse(small, format="nt")
    for name in (
        "reference/countries",
        "reference/nuts-2021",
        "reference/languages",
        "schemes/participation-roles",
        "schemes/organisation-types",
        "schemes/project-statuses",
    ):
        data.parse(REPO / "data" / f"{name}.ttl", format="turtle", publicID=BASE)
    report = Validator.bundled(Config()).validate_graph(data)
    assert report.conforms, report.results[:5]
    assert report.results == []
