"""Validation speed at small scale: SPARQL fast path vs raw bulk_load vs pySHACL.

    python bench/validation_speed.py --triples 200000

Generates synthetic projects that conform to the shapes (deterministic, seeded), loads them into
an on-disk Oxigraph store that already holds the ontology, reference data and SKOS schemes, and
prints one table: raw ``bulk_load`` time, full validation, validation of the loaded nodes (what
``corridor load`` does), a one-project change validated against the whole store, and pySHACL on
a small slice for comparison. Large runs belong to the bench kit (bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corridor.config import Config  # noqa: E402
from corridor.validation.validator import Validator  # noqa: E402

BASE = Config().base_iri
COR = "https://w3id.org/corridor/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def nuts3_regions(store: ox.Store) -> list[tuple[str, str]]:
    """(NUTS-3 region, its country) pairs from the reference data."""
    rows = store.query(
        f"""SELECT ?r ?c WHERE {{ ?r <{COR}nutsLevel> 3 ; <{SKOS}broader>/<{SKOS}broader>/
        <{SKOS}broader> ?top . ?top <{SKOS}exactMatch> ?c }}""",
        use_default_graph_as_union=True,
    )
    return sorted((r["r"].value, r["c"].value) for r in rows)


def project_triples(i: int, rng: random.Random, regions: list[tuple[str, str]]) -> list[str]:
    """About 120 N-Triples lines describing project ``i`` with 5-20 participations."""
    def iri(path: str) -> str:
        return f"<{BASE}{path}>"

    def lit(text: str, lang: str = "en") -> str:
        return f'"{text}"@{lang}'

    def typed(value: object, dt: str) -> str:
        return f'"{value}"^^<{XSD}{dt}>'

    p = iri(f"id/project/p{i}")
    src = iri("id/source/bench")
    out = [
        f"{p} <{RDF_TYPE}> <{COR}Project> .",
        f"{p} <{RDFS}label> {lit(f'Project {i}')} .",
        f"{p} <{DCT}title> {lit(f'Project number {i}')} .",
        f"{p} <{DCT}title> {lit(f'Projekt Nummer {i}', 'de')} .",
        f"{p} <{COR}acronym> \"P{i}\" .",
        f"{p} <{DCT}source> {src} .",
        f"{p} <{SCHEMA}startDate> {typed(f'20{10 + i % 10}-0{1 + i % 9}-01', 'date')} .",
        f"{p} <{SCHEMA}endDate> {typed(f'20{13 + i % 10}-0{1 + i % 9}-28', 'date')} .",
    ]
    for kind, value in (("total", 2_000_000 + i), ("eu", 1_500_000 + i)):
        a = iri(f"id/amount/p{i}-{kind}")
        prop = "totalBudget" if kind == "total" else "euContribution"
        out += [
            f"{p} <{COR}{prop}> {a} .",
            f"{a} <{RDF_TYPE}> <{COR}MonetaryAmount> .",
            f"{a} <{RDFS}label> {lit(f'{kind} of project {i}')} .",
            f"{a} <{SCHEMA}value> {typed(f'{value}.00', 'decimal')} .",
            f"{a} <{SCHEMA}currency> \"EUR\" .",
            f"{a} <{DCT}source> {src} .",
        ]
    for k in range(rng.randint(5, 20)):
        region, country = regions[rng.randrange(len(regions))]
        o = iri(f"id/organisation/o{i}-{k}")
        pa = iri(f"id/participation/p{i}/o{i}-{k}")
        role = "lead-partner" if k == 0 else "project-partner"
        out += [
            f"{o} <{RDF_TYPE}> <{COR}Organisation> .",
            f"{o} <{RDFS}label> {lit(f'Organisation {i}-{k}')} .",
            f"{o} <{SKOS}prefLabel> {lit(f'Organisation {i}-{k}')} .",
            f"{o} <{COR}country> <{country}> .",
            f"{o} <{COR}nutsRegion> <{region}> .",
            f"{o} <{DCT}source> {src} .",
            f"{pa} <{RDF_TYPE}> <{COR}Participation> .",
            f"{pa} <{RDFS}label> {lit(f'Organisation {i}-{k} in project {i}')} .",
            f"{pa} <{COR}project> {p} .",
            f"{pa} <{COR}organisation> {o} .",
            f"{pa} <{COR}role> {iri('id/concept/participation-role/' + role)} .",
            f"{pa} <{DCT}source> {src} .",
        ]
    return out


def base_store(path: Path) -> ox.Store:
    """Ontology, reference data, schemes and the bench source document."""
    store = ox.Store(str(path))
    files = [REPO / "ontology" / "corridor.ttl", *sorted((REPO / "data").rglob("*.ttl"))]
    for f in files:
        store.bulk_load(path=str(f), format=ox.RdfFormat.TURTLE, base_iri=BASE,
                        to_graph=ox.NamedNode(BASE + "graph/" + f.stem))
    src = f"<{BASE}id/source/bench>"
    store.bulk_load(
        input=(f'{src} <{RDF_TYPE}> <{COR}SourceDocument> .\n'
               f'{src} <{RDFS}label> "Benchmark"@en .\n{src} <{DCT}title> "Benchmark"@en .\n'
               f'{src} <{DCT}identifier> "bench" .\n').encode(),
        format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(BASE + "graph/bench-source"))
    return store


def timed(fn):  # noqa: ANN001, ANN201 - tiny helper
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=200_000)
    parser.add_argument("--pyshacl-triples", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    validator = Validator.bundled(Config())
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        probe = base_store(tmp / "probe")
        regions = nuts3_regions(probe)
        del probe
        lines: list[str] = []
        i = 0
        while len(lines) < args.triples:
            lines += project_triples(i, rng, regions)
            i += 1
        data = ("\n".join(lines) + "\n").encode()
        subjects = sorted({ln.split(" ", 1)[0][1:-1] for ln in lines})
        change = project_triples(i, rng, regions)
        change_subjects = sorted({ln.split(" ", 1)[0][1:-1] for ln in change})
        rows = []

        raw = base_store(tmp / "raw")
        t_raw, _ = timed(lambda: raw.bulk_load(input=data, format=ox.RdfFormat.N_TRIPLES,
                                               to_graph=ox.NamedNode(BASE + "graph/bench")))
        rows.append(("raw bulk_load", len(lines), t_raw))

        t_focus, rep = timed(lambda: validator.validate_store(raw, subjects))
        assert rep.conforms, rep.text()[:2000]
        rows.append(("validate_store(focus = loaded subjects)", len(lines), t_focus))
        t_full, rep = timed(lambda: validator.validate_store(raw))
        assert rep.conforms, rep.text()[:2000]
        rows.append(("validate_store(focus = None, whole store)", len(raw), t_full))

        raw.bulk_load(input=("\n".join(change) + "\n").encode(), format=ox.RdfFormat.N_TRIPLES,
                      to_graph=ox.NamedNode(BASE + "graph/bench-change"))
        t_change, rep = timed(lambda: validator.validate_store(raw, change_subjects))
        assert rep.conforms, rep.text()[:2000]
        rows.append((f"one-project change ({len(change)} triples)", len(change), t_change))

        small = ox.Store()
        small.bulk_load(input=("\n".join(lines[: args.pyshacl_triples]) + "\n").encode(),
                        format=ox.RdfFormat.N_TRIPLES)
        for f in [REPO / "ontology" / "corridor.ttl", *sorted((REPO / "data").rglob("*.ttl"))]:
            small.bulk_load(path=str(f), format=ox.RdfFormat.TURTLE, base_iri=BASE,
                            to_graph=ox.NamedNode(BASE + "graph/" + f.stem))
        t_small_fast, _ = timed(lambda: validator.validate_store(small))
        t_small_ref, _ = timed(lambda: validator.validate_store_reference(small))
        rows.append(("fast path, whole small store", len(small), t_small_fast))
        rows.append(("pySHACL, whole small store", len(small), t_small_ref))

    print(f"# Validation speed ({platform.node()}, Python {platform.python_version()}, "
          f"pyoxigraph {ox.__version__ if hasattr(ox, '__version__') else '?'})")
    print(f"command: python bench/validation_speed.py --triples {args.triples}\n")
    print(f"| {'step':45} | {'triples':>9} | {'seconds':>8} | {'triples/s':>10} |")
    print(f"|{'-' * 47}|{'-' * 11}|{'-' * 10}|{'-' * 12}|")
    for name, n, secs in rows:
        print(f"| {name:45} | {n:9d} | {secs:8.3f} | {n / secs:10.0f} |")
    ratio = t_raw / (t_raw + t_focus)
    print(f"\nload + validation of the loaded nodes = {ratio:.0%} of raw bulk_load throughput "
          "(target >= 50%)")


if __name__ == "__main__":
    main()
