"""Shared fixtures: a tiny ontology, shapes file and data folder, and a Config that uses them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from corridor.config import Config

ONTOLOGY = """@prefix cor: <https://w3id.org/corridor/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
cor:Project a owl:Class ; rdfs:label "Project"@en .
cor:Organisation a owl:Class ; rdfs:label "Organisation"@en .
cor:University a owl:Class ; rdfs:subClassOf cor:Organisation .
cor:leadPartner a owl:ObjectProperty .
"""

SHAPES = """@prefix cor: <https://w3id.org/corridor/ontology#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/corridor/shapes#Project> a sh:NodeShape ;
  sh:targetClass cor:Project ;
  sh:property <https://w3id.org/corridor/shapes#Project-label>,
              <https://w3id.org/corridor/shapes#Project-leadPartner> .
<https://w3id.org/corridor/shapes#Project-label> a sh:PropertyShape ;
  sh:path rdfs:label ; sh:minCount 1 ; sh:datatype xsd:string ;
  sh:message "A project has a label." .
<https://w3id.org/corridor/shapes#Project-leadPartner> a sh:PropertyShape ;
  sh:path cor:leadPartner ; sh:class cor:Organisation ;
  sh:message "The lead partner is an organisation." .
"""


@pytest.fixture()
def tiny_config(tmp_path: Path) -> Config:
    """A store in tmp_path validated by a two-constraint shapes file (no bundled data)."""
    (tmp_path / "ontology").mkdir()
    (tmp_path / "ontology" / "tiny.ttl").write_text(ONTOLOGY)
    (tmp_path / "shapes").mkdir()
    (tmp_path / "shapes" / "tiny-shapes.ttl").write_text(SHAPES)
    (tmp_path / "data").mkdir()
    return Config(
        store_dir=tmp_path / "store",
        ontology_dir=tmp_path / "ontology",
        shapes_dir=tmp_path / "shapes",
        data_dir=tmp_path / "data",
        query_workers=1,
    )


# --------------------------------------------------------------------------- store backends
# The protocol, Graph Store, linked-data, catalogue and UI suites run against every backend:
# the embedded store and real remote servers started here (see tests/remote_servers.py).
# Remote runs carry the `remote` marker: `-m "not remote"` keeps a run lean. Which backends the
# shared suites run on: CORRIDOR_TEST_BACKENDS, comma-separated (default: embedded; "all" adds
# both servers); scripts/test.sh runs `-m remote` once per server, beside the embedded run.
# A test a backend cannot pass says why (Backend.limitation).
_CHOSEN = os.environ.get("CORRIDOR_TEST_BACKENDS", "embedded").split(",")
BACKENDS = [
    pytest.param(name, id=name, marks=[pytest.mark.remote] if name != "embedded" else [])
    for name in ("embedded", "oxigraph", "virtuoso")
    if "all" in _CHOSEN or name in _CHOSEN
]
# the servers tests/store/test_remote.py runs on: both, unless some were chosen by name
REMOTE_KINDS = [name for name in ("oxigraph", "virtuoso")
                if name in _CHOSEN or not {"oxigraph", "virtuoso"} & set(_CHOSEN)]


class Backend:
    """One store backend; :meth:`settings` gives the Config fields of a fresh, empty store."""

    def __init__(self, kind: str, pools: dict) -> None:
        self.kind, self._pools = kind, pools

    @property
    def remote(self) -> bool:
        return self.kind != "embedded"

    def settings(self, request: pytest.FixtureRequest) -> dict[str, object]:
        """Config fields for a store that lives as long as ``request``'s fixture or test."""
        if not self.remote:
            return {}
        pool = self._pools[self.kind]
        server = pool.acquire()
        request.addfinalizer(lambda: pool.release(server))
        return server.settings()

    def limitation(self, **reasons: str) -> None:
        """Skip the calling test on a backend that cannot do what it checks, saying why."""
        if self.kind in reasons:
            pytest.skip(f"{self.kind}: {reasons[self.kind]}")


@pytest.fixture(scope="session")
def server_pools(tmp_path_factory: pytest.TempPathFactory):
    from tests.remote_servers import ServerPool

    pools = {kind: ServerPool(kind, tmp_path_factory.mktemp(kind)) for kind in
             ("oxigraph", "virtuoso")}
    yield pools
    for pool in pools.values():
        pool.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest, server_pools) -> Backend:
    """Each backend in turn (embedded, Oxigraph server, Virtuoso)."""
    from tests.remote_servers import missing

    reason = missing(request.param) if request.param != "embedded" else None
    if reason:
        pytest.skip(reason)
    return Backend(request.param, server_pools)
