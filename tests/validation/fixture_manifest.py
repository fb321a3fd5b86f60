"""The invalid SHACL fixtures and their manifest (tests/fixtures/invalid/manifest.json).

Shared by tests/model/test_shapes.py (pySHACL verdicts) and tests/validation/ (the SPARQL fast
path gives the same verdicts).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import rdflib

from corridor.config import Config
from corridor.validation.validator import Result, Validator

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "invalid"
MANIFEST = FIXTURES / "manifest.json"
ONTOLOGY = REPO / "ontology" / "corridor.ttl"
DATA = REPO / "data"
BASE = "https://w3id.org/corridor/"


@cache
def manifest() -> dict:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def fixture_names() -> list[str]:
    return sorted(manifest()["fixtures"])


def context_file() -> Path:
    return FIXTURES / manifest()["context"]


def expand(term: str | None) -> str | None:
    """A manifest term (CURIE, absolute IRI or IRI relative to the base) as a plain IRI."""
    if term is None:
        return None
    prefix, sep, local = term.partition(":")
    prefixes = manifest()["prefixes"]
    if sep and prefix in prefixes:
        return prefixes[prefix] + local
    if sep and local.startswith("//"):
        return term
    return manifest()["base"] + term


def expected_results(name: str) -> set[Result]:
    """The results the manifest lists for fixture ``name``."""
    return {
        Result(
            focus=expand(r["focus"]),
            path=expand(r["path"]),
            value=r["value"],
            shape=expand(r["shape"]),
            component=expand(r["component"]),
            severity=expand(r["severity"]),
            message=r["message"],
        )
        for r in manifest()["fixtures"][name]["results"]
    }


def expected_conforms(name: str) -> bool:
    """SHACL's verdict (§3.6.1): no result of any severity."""
    return not manifest()["fixtures"][name]["results"]


def expected_accepted(name: str) -> bool:
    """Corridor's write rule: no Violation (the manifest's ``accepted``)."""
    return manifest()["fixtures"][name]["accepted"]


@cache
def bundled_validator() -> Validator:
    return Validator.bundled(Config())


def fixture_graph(name: str) -> rdflib.Graph:
    """Context + fixture as one rdflib graph (relative IRIs resolved against the base)."""
    graph = rdflib.Graph()
    for path in (context_file(), FIXTURES / name):
        graph.parse(path, format="turtle", publicID=BASE)
    return graph


def fixture_store(name: str) -> ox.Store:
    """An in-memory store laid out like a deployment: ontology, context and fixture graphs."""
    store = ox.Store()
    for graph_name, path in (
        ("ontology", ONTOLOGY),
        ("fixtures/context", context_file()),
        ("fixtures/" + Path(name).stem, FIXTURES / name),
    ):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=BASE,
                   to_graph=ox.NamedNode(BASE + "graph/" + graph_name))
    return store


def fixture_subjects(name: str) -> list[str]:
    """The IRIs a load of the fixture file would touch (its subjects)."""
    graph = rdflib.Graph().parse(FIXTURES / name, format="turtle", publicID=BASE)
    return sorted({str(s) for s in graph.subjects() if isinstance(s, rdflib.URIRef)})


def curated_files() -> list[Path]:
    return sorted(DATA.rglob("*.ttl"))


def curated_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in curated_files():
        graph.parse(path, format="turtle", publicID=BASE)
    return graph


def curated_store() -> ox.Store:
    store = ox.Store()
    for path in [ONTOLOGY, *curated_files()]:
        name = "ontology" if path == ONTOLOGY else path.relative_to(DATA).with_suffix("").as_posix()
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=BASE,
                   to_graph=ox.NamedNode(BASE + "graph/" + name))
    return store
