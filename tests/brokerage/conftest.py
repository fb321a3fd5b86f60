"""A small synthetic collaboration network (eight organisations, five projects) served by a
live Corridor server with writes open to a token, checked by the tiny test shapes.

    p1 2015 energy: a (coordinator, DNK), b (DEU), c (ROU)
    p2 2016 energy: b, d (coordinator, POL), e (DNK)
    p3 2016 health: c, f (ESP), g (ROU)
    p4 2017 energy: b, f (coordinator)
    p5 2018 health: h (DEU), g

EIS groups (test data): DNK leader, DEU strong, ESP moderate, POL and ROU emerging.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from waitress import create_server

from corridor.config import Config
from corridor.derived.brokerage import brokerage_for
from corridor.store import OxigraphStore, open_store
from corridor.web.app import create_app
from tests.conftest import ONTOLOGY, SHAPES

BASE = "https://w3id.org/corridor/"
ORG = BASE + "id/organisation/"
TOKEN = "broker-token"
GRAPH = BASE + "graph/test/network"
HTTP_TIMEOUT = 60  # a server that stopped answering fails the test instead of hanging it

PREFIXES = f"""@prefix cor: <https://w3id.org/corridor/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix country: <http://publications.europa.eu/resource/authority/country/> .
@prefix org: <{ORG}> .
@prefix proj: <{BASE}id/project/> .
@prefix part: <{BASE}id/participation/> .
@prefix theme: <{BASE}id/concept/theme/> .
@prefix role: <{BASE}id/concept/participation-role/> .
@prefix type: <{BASE}id/concept/organisation-type/> .
@prefix eis: <{BASE}id/concept/eis-performance-group/> .
@prefix pc: <{BASE}id/performance-classification/> .
"""
ORGS = {"a": ("DNK", "higher-education-institution"), "b": ("DEU", "research-organisation"),
        "c": ("ROU", "company"), "d": ("POL", "public-authority"), "e": ("DNK", "company"),
        "f": ("ESP", "research-organisation"), "g": ("ROU", "higher-education-institution"),
        "h": ("DEU", "higher-education-institution")}
PROJECTS = {"p1": (2015, "energy", ["a", "b", "c"], "a"),
            "p2": (2016, "energy", ["b", "d", "e"], "d"),
            "p3": (2016, "health", ["c", "f", "g"], None), "p4": (2017, "energy", ["b", "f"], "f"),
            "p5": (2018, "health", ["h", "g"], None)}
GROUPS = {"DNK": "innovation-leader", "DEU": "strong-innovator", "ESP": "moderate-innovator",
          "POL": "emerging-innovator", "ROU": "emerging-innovator"}


def project_turtle(name: str, year: int, theme: str, members: list[str], coordinator: str | None
                   ) -> str:
    out = [f'proj:{name} a cor:Project ; rdfs:label "Project {name}" ; '
           f'schema:startDate "{year}-01-01"^^xsd:date ; cor:topic theme:{theme} .']
    for m in members:
        role = "coordinator" if m == coordinator else "participant"
        out.append(f"part:{name}-{m} a cor:Participation ; cor:project proj:{name} ; "
                   f"cor:organisation org:{m} ; cor:role role:{role} .")
    return "\n".join(out)


def network_turtle() -> str:
    lines = [PREFIXES]
    for name, (country, kind) in ORGS.items():
        lines.append(f'org:{name} a cor:Organisation ; rdfs:label "Organisation {name.upper()}" ; '
                     f"cor:country country:{country} ; cor:organisationType type:{kind} .")
    for name, (year, theme, members, coordinator) in PROJECTS.items():
        lines.append(project_turtle(name, year, theme, members, coordinator))
    for theme in ("energy", "health"):
        lines.append(f'theme:{theme} a skos:Concept ; rdfs:label "{theme.title()}" .')
    for country, group in GROUPS.items():
        lines.append(f"pc:{country} a cor:PerformanceClassification ; "
                     f"cor:classifiedArea country:{country} ; cor:performanceGroup eis:{group} ; "
                     f'cor:classificationYear "2023"^^xsd:gYear .')
    return "\n".join(lines)


@dataclass
class Live:
    url: str
    store: OxigraphStore

    def get_json(self, path: str, **params: Any) -> Any:
        query = urllib.parse.urlencode(params, doseq=True)
        request = urllib.request.Request(f"{self.url}{path}?{query}",
                                         headers={"Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
            return json.loads(response.read())

    def suggestions(self, organisation: str, **params: Any) -> dict[str, Any]:
        """Suggestions once the server's network has caught up with the store's version."""
        deadline = time.monotonic() + 30
        while True:
            body = self.get_json("/suggest/partners", organisation=organisation, limit=20,
                                 **params)
            if body["version"] is not None and body["version"] >= self.store.version - 1 \
                    or time.monotonic() > deadline:
                return body
            time.sleep(0.1)

    def post_turtle(self, graph: str, turtle: str) -> int:
        request = urllib.request.Request(
            f"{self.url}/graph-store?graph={urllib.parse.quote(graph, safe='')}",
            data=turtle.encode(), method="POST",
            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
            return response.status


def start(tmp: Path) -> Iterator[Live]:
    for folder, name, text in (("ontology", "tiny.ttl", ONTOLOGY),
                               ("shapes", "tiny-shapes.ttl", SHAPES), ("data", None, None)):
        (tmp / folder).mkdir()
        if name:
            (tmp / folder / name).write_text(text)
    config = Config(store_dir=tmp / "store", ontology_dir=tmp / "ontology",
                    shapes_dir=tmp / "shapes", data_dir=tmp / "data", query_workers=1,
                    write_token=TOKEN)
    store = open_store(config)
    with store.transaction("test network") as txn:
        txn.replace_graph(GRAPH, ox.parse(network_turtle().encode(), format=ox.RdfFormat.TURTLE))
    app = create_app(config, store)
    brokerage_for(store).current(wait=True)  # what a write or `corridor` would trigger
    # poll(), not select(): late in a full test run this process holds over 1024 descriptors
    # and select() refuses them (the server's loop thread died, requests were never answered)
    server = create_server(app, host="127.0.0.1", port=0, threads=4, asyncore_use_poll=True)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield Live(f"http://127.0.0.1:{server.effective_port}", store)
    finally:
        server.close()
        server.task_dispatcher.shutdown()
        store.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The network, read-only for the module's tests (tests that write start their own)."""
    yield from start(tmp_path_factory.mktemp("brokerage"))
