"""Search latency: p50/p99 of /search over the bundled data plus synthetic organisations.

    python bench/search.py --triples 200000 --queries 300

Adds deterministic synthetic organisations and projects (labels in several languages with
diacritics, acronyms, descriptions, addresses) to an on-disk store holding the bundled data,
builds the search index once (timed), then times queries through the index and through the HTTP
layer (Flask test client, JSON). Also times an incremental index update after a one-resource
commit. Prints one table; large runs belong to the bench kit.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corridor.config import Config  # noqa: E402
from corridor.derived.search import index_for  # noqa: E402
from corridor.web.app import create_app  # noqa: E402

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
COR = "https://w3id.org/corridor/ontology#"
DCT = "http://purl.org/dc/terms/"
LOCN = "http://www.w3.org/ns/locn#"
CITIES = [
    "München",
    "Besançon",
    "Kraków",
    "Łódź",
    "Göteborg",
    "Cluj-Napoca",
    "Zürich",
    "Málaga",
    "Tartu",
    "Århus",
    "Linköping",
    "Brno",
    "Győr",
    "Plzeň",
    "Ljubljana",
    "Trento",
]
WORDS = [
    "innovation",
    "cluster",
    "regional",
    "energy",
    "digital",
    "health",
    "smart",
    "agency",
    "universität",
    "université",
    "technology",
    "development",
    "maritime",
    "forschung",
    "green",
    "transition",
    "industrie",
    "société",
    "network",
    "centre",
]
QUERIES = [
    "munchen",
    "besancon",
    "krakow",
    "lodz",
    "goteborg",
    "zurich",
    "innovation cluster",
    "universite",
    "universitat",
    "digital",
    "green transition",
    "smart",
    "BOOST",
    "franche comte",
    "forschung",
    "agency",
    "maritime energy",
    "brno",
    "gyor",
    "tartu",
]


def synthetic_quads(base: str, triples: int, seed: int = 7):
    rng = random.Random(seed)
    graph = ox.NamedNode(f"{base}graph/bench/search")
    n = max(1, triples // 9)
    for i in range(n):
        org = ox.NamedNode(f"{base}id/organisation/bench-{i}")
        addr = ox.NamedNode(f"{base}id/address/bench-{i}")
        city = rng.choice(CITIES)
        name = " ".join(rng.sample(WORDS, 3)).title() + f" {city} {i}"
        yield ox.Quad(org, ox.NamedNode(f"{RDFS}label"), ox.Literal(name, language="en"), graph)
        yield ox.Quad(
            org,
            ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
            ox.Literal(name.upper(), language=rng.choice(["de", "fr", "pl", "it"])),
            graph,
        )
        yield ox.Quad(org, ox.NamedNode(f"{COR}acronym"), ox.Literal(f"B{i:06d}"), graph)
        yield ox.Quad(
            org,
            ox.NamedNode(f"{DCT}description"),
            ox.Literal(" ".join(rng.choices(WORDS, k=25)), language="en"),
            graph,
        )
        yield ox.Quad(
            org,
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode(f"{COR}Organisation"),
            graph,
        )
        yield ox.Quad(org, ox.NamedNode(f"{LOCN}address"), addr, graph)
        yield ox.Quad(addr, ox.NamedNode(f"{LOCN}postName"), ox.Literal(city), graph)
        yield ox.Quad(
            addr, ox.NamedNode(f"{LOCN}postCode"), ox.Literal(f"{rng.randint(1000, 99999)}"), graph
        )
        yield ox.Quad(
            addr,
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode(f"{COR}Address"),
            graph,
        )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="corridor-bench-search-") as tmp:
        config = Config(store_dir=Path(tmp) / "store")
        app = create_app(config)
        store = app.extensions["corridor.store"]
        graph = f"{config.base_iri}graph/bench/search"
        started = time.perf_counter()
        with store.transaction("bench data") as txn:
            txn.add_to_graph(graph, synthetic_quads(config.base_iri, args.triples))
        load_s = time.perf_counter() - started
        total = store.count()
        index = index_for(store)
        started = time.perf_counter()
        index.rebuild()
        build_s = time.perf_counter() - started
        rng = random.Random(1)
        direct, http = [], []
        client = app.test_client()
        for _ in range(args.queries):
            q = rng.choice(QUERIES)
            t = time.perf_counter()
            index.search(q, limit=20)
            direct.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            response = client.get("/search", query_string={"q": q, "format": "json"})
            http.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        subject = ox.NamedNode(f"{config.base_iri}id/organisation/bench-extra")
        with store.transaction("one more") as txn:
            txn.add_to_graph(
                graph, [ox.Quad(subject, ox.NamedNode(f"{RDFS}label"), ox.Literal("Ölmühle Bench"))]
            )
        t = time.perf_counter()
        found = index.search("olmuhle")
        update_ms = (time.perf_counter() - t) * 1000
        print(f"triples in store          {total:>12,}")
        print(f"synthetic load            {load_s:>11.2f} s")
        print(f"index build               {build_s:>11.2f} s")
        print(f"incremental update+query  {update_ms:>11.1f} ms  (found: {bool(found)})")
        for name, values in (("index search", direct), ("HTTP /search JSON", http)):
            print(
                f"{name:<20} p50 {statistics.median(values):7.2f} ms   "
                f"p99 {percentile(values, 99):7.2f} ms   (n={len(values)})"
            )


if __name__ == "__main__":
    main()
