"""Loading RDF files into named graphs (placeholder: no validation yet)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from .store import OxigraphStore


def graph_name_for(path: Path, root: Path) -> str:
    rel = path.relative_to(root)
    return str(rel.with_suffix("")).replace("\\", "/")


def load_bundled(store: OxigraphStore) -> None:
    """Load ontology, shapes and data/ into an empty store."""
    config = store.config
    files: list[tuple[str, Path]] = []
    files += [("ontology", p) for p in sorted(config.ontology_dir.glob("*.ttl"))[:1]]
    files += [("shapes", p) for p in sorted(config.shapes_dir.glob("*.ttl"))[:1]]
    data_files = sorted(config.data_dir.rglob("*.ttl"))
    files += [(graph_name_for(p, config.data_dir), p) for p in data_files]
    with store.transaction("load") as txn:
        for name, path in files:
            quads = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=config.base_iri)
            txn.replace_graph(config.graph_iri(name), quads)
