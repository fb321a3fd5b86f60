"""Load the bundled ontology and curated data the way the loader names them (for model tests).

Each file becomes one named graph: ``data/projects/boost.ttl`` -> ``{base}graph/projects/boost``,
``ontology/corridor.ttl`` -> ``{base}graph/ontology``. Files use relative IRIs, so they are
parsed against the base IRI.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
ONTOLOGY = REPO / "ontology" / "corridor.ttl"
QUERIES = REPO / "queries"
BASE = "https://w3id.org/corridor/"


def data_files() -> list[Path]:
    """All Turtle files under data/, reference graphs included, in a stable order."""
    return sorted(DATA.rglob("*.ttl"))


def graph_name(path: Path) -> ox.NamedNode:
    """The named graph a bundled file is loaded into (see docs/conventions.md)."""
    if path.resolve() == ONTOLOGY.resolve():
        return ox.NamedNode(BASE + "graph/ontology")
    return ox.NamedNode(BASE + "graph/" + path.relative_to(DATA).with_suffix("").as_posix())


def load_store(files: list[Path] | None = None) -> ox.Store:
    """An in-memory store holding the ontology and every data file, one named graph each."""
    store = ox.Store()
    for path in [ONTOLOGY, *(files if files is not None else data_files())]:
        store.load(
            path=str(path), format=ox.RdfFormat.TURTLE, base_iri=BASE, to_graph=graph_name(path)
        )
    return store


def query_text(name: str) -> str:
    """The text of queries/<name>.rq."""
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def select(store: ox.Store, sparql: str) -> list[dict[str, str]]:
    """Run a SELECT over the union of all graphs; each row maps variable -> plain value."""
    results = store.query(sparql, use_default_graph_as_union=True)
    names = [v.value for v in results.variables]
    rows = []
    for solution in results:
        row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = term.value
        rows.append(row)
    return rows
