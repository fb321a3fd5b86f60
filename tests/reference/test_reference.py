"""The reference graphs are generated from the shared EU code lists and link EU authority IRIs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "data" / "reference"
BASE = "https://w3id.org/corridor/"
SHARED = REPO.parent / "shared" / "reference"
SOURCES = REPO / "scripts" / "reference-sources"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
NUTS = "http://data.europa.eu/nuts/code/"


def parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle", publicID=BASE)


def test_regenerating_the_reference_graphs_reproduces_the_committed_files(tmp_path: Path) -> None:
    script = REPO / "scripts" / "build_reference.py"
    subprocess.run([sys.executable, str(script), "--output", str(tmp_path)], check=True)
    for committed in sorted(REFERENCE.glob("*.ttl")):
        assert isomorphic(parse(committed), parse(tmp_path / committed.name)), committed.name


@pytest.mark.skipif(not SHARED.is_dir(), reason="no ../shared/reference beside this clone")
def test_the_bundled_code_lists_are_the_shared_ones() -> None:
    for copy in sorted(SOURCES.iterdir()):
        assert copy.read_bytes() == (SHARED / copy.name).read_bytes(), copy.name


def test_countries_are_the_eu_authority_iris_with_english_labels() -> None:
    graph = parse(REFERENCE / "countries.ttl")
    romania = URIRef(COUNTRY + "ROU")
    labels = {str(o) for o in graph.objects(romania, SKOS.prefLabel) if o.language == "en"}
    assert labels == {"Romania"}


def test_nuts_regions_are_the_eu_nuts_iris() -> None:
    graph = parse(REFERENCE / "nuts-2021.ttl")
    cluj = URIRef(NUTS + "RO113")
    assert (cluj, RDF.type, SKOS.Concept) in graph
    assert any(str(o).startswith("Cluj") for o in graph.objects(cluj, SKOS.prefLabel))


def test_no_reference_file_mints_iris_for_countries_or_regions() -> None:
    for path in REFERENCE.glob("*.ttl"):
        for subject in parse(path).subjects(RDF.type, SKOS.Concept):
            assert not str(subject).startswith(BASE + "id/country"), subject
