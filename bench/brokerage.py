"""Partner suggestions on the real H2020 network: held-out quality beside link-prediction
baselines, HTTP latency with the whole network loaded, and the recompute time after a write.

    python bench/brokerage.py [--queries 2000] [--cutoff 2018-01-01] [--validate]

**Split (temporal hold-out).** Projects are ordered by start date. Those starting before the
cutoff (2018-01-01) are the *training* part; the collaborations (pairs of organisations in one
project) that first appear in a project starting on or after the cutoff, between two
organisations both present in the training part, are *hidden*. Query organisations are those
with at least one training partner and one hidden new partner; a fixed-seed sample of them is
scored. Every method ranks all organisations that are not already training partners.
``--validate`` runs the same protocol *inside* the training part (cutoff 2017-01-01, projects
after 2018-01-01 dropped): the only place weights may be looked at; the held-out figures are
reported once, with the weights fixed in ``corridor.derived.brokerage.suggest``.

**Metrics.** hits@10: share of queries with at least one hidden partner in the top 10;
recall@10: hidden partners in the top 10 / hidden partners (mean over queries); MRR: mean of
1 / rank of the first hidden partner within the top 100 (0 when none).

**Baselines (same run, same split, same candidates).** popularity (most projects), common
neighbours, Adamic–Adar (Σ 1/log degree over shared partners); ties broken by organisation
number (i.e. arbitrarily, identically for all).

**RDF (bench-only stand-in for the importer of issue 15).** The network is written as N-Quads
in the shape of the import branch's ``h2020-participations.rq`` / ``h2020-programme-parts.rq``
mapping (participations ``{base}id/project/rcn/{rcn}/participation/{pic}`` with cor:project,
cor:organisation, cor:role; organisations ``{base}id/organisation/pic/{pic}`` with cor:country
(EU authority IRIs), cor:organisationType, rdfs:label "PIC n"; projects with schema:startDate
and cor:topic the programme part), limited to the triples brokerage reads, and bulk-loaded
into a store holding the bundled data. The suggestions then run on the network that
``corridor.derived.brokerage`` reads from that store by SPARQL — the server's own path.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import random
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import OUT, LiveServer, get, header, p50, p99, table, write_section  # noqa: E402

REAL = Path("/work/shared/realdata/cordis-h2020-network")
BASE = "https://w3id.org/corridor/"
COR = "https://w3id.org/corridor/ontology#"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ROLES = {"coordinator": "coordinator", "participant": "participant", "partner": "project-partner"}
TYPES = {"HES": "higher-education-institution", "REC": "research-organisation",
         "PUB": "public-authority", "PRC": "company"}
PORT = 18716


def read_rows() -> tuple[list[dict[str, str]], dict[str, list[str]]]:
    with gzip.open(REAL / "h2020_participations.csv.gz", "rt", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    parts: dict[str, list[str]] = defaultdict(list)
    with gzip.open(REAL / "h2020_programme_parts.csv.gz", "rt", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            parts[r["rcn"]].append(r["programme_part"])
    return rows, parts


def nquads(rows: list[dict[str, str]], parts: dict[str, list[str]], countries: dict[str, str],
           target: Path, graph: str) -> int:
    """Write the rows as N-Quads in the import mapping's shape (see the module docstring)."""
    g = f"<{graph}>"
    seen: set[str] = set()
    n = 0

    def lit(v: str) -> str:
        return json.dumps(v)

    with target.open("w", encoding="utf-8") as out:
        for r in rows:
            proj = f"{BASE}id/project/rcn/{r['rcn']}"
            org = f"{BASE}id/organisation/pic/{r['pic']}"
            part = f"{proj}/participation/{r['pic']}"
            lines = [
                f"<{part}> <{TYPE}> <{COR}Participation>",
                f"<{part}> <{COR}project> <{proj}>", f"<{part}> <{COR}organisation> <{org}>",
                f"<{part}> <{COR}role> <{BASE}id/concept/participation-role/"
                f"{ROLES.get(r['role'], 'participant')}>",
            ]
            if proj not in seen:
                seen.add(proj)
                lines += [f"<{proj}> <{TYPE}> <{COR}Project>",
                          f"<{proj}> <http://www.w3.org/2000/01/rdf-schema#label> "
                          f"{lit('H2020 project RCN ' + r['rcn'])}@en"]
                if r["start_date"] not in ("", "NA"):
                    lines.append(f"<{proj}> <https://schema.org/startDate> {lit(r['start_date'])}"
                                 "^^<http://www.w3.org/2001/XMLSchema#date>")
                for p in parts.get(r["rcn"], ()):
                    lines.append(f"<{proj}> <{COR}topic> <{BASE}id/concept/h2020-programme-part/"
                                 f"{quote(p, safe='')}>")
            if org not in seen:
                seen.add(org)
                lines += [f"<{org}> <{TYPE}> <{COR}Organisation>",
                          f"<{org}> <http://www.w3.org/2000/01/rdf-schema#label> "
                          f"{lit('PIC ' + r['pic'])}@en"]
                if r["country"] in countries:
                    lines.append(f"<{org}> <{COR}country> <{countries[r['country']]}>")
                if r["type"] in TYPES:
                    lines.append(f"<{org}> <{COR}organisationType> <{BASE}id/concept/"
                                 f"organisation-type/{TYPES[r['type']]}>")
            for line in lines:
                out.write(f"{line} {g} .\n")
            n += len(lines)
        for ps in parts.values():
            for p in ps:
                concept = f"{BASE}id/concept/h2020-programme-part/{quote(p, safe='')}"
                if concept not in seen:
                    seen.add(concept)
                    out.write(f"<{concept}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                              f"<http://www.w3.org/2004/02/skos/core#Concept> {g} .\n")
                    out.write(f"<{concept}> <http://www.w3.org/2000/01/rdf-schema#label> "
                              f"{lit('H2020 ' + p)}@en {g} .\n")
    return n


def split(rows: list[dict[str, str]], cutoff: str, end: str | None = None
          ) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(training rows, later rows) by project start date; rows without a date are training."""
    train, later = [], []
    for r in rows:
        start = r["start_date"] if r["start_date"] not in ("", "NA") else "0000"
        if end is not None and start >= end:
            continue
        (later if start >= cutoff else train).append(r)
    return train, later


def hidden_pairs(train: list[dict[str, str]], later: list[dict[str, str]]) -> dict[str, set[str]]:
    """Organisation IRI → organisations it first works with in a later project."""
    def pairs(rows: list[dict[str, str]]) -> dict[str, set[str]]:
        by_project: dict[str, set[str]] = defaultdict(set)
        for r in rows:
            by_project[r["rcn"]].add(f"{BASE}id/organisation/pic/{r['pic']}")
        out: dict[str, set[str]] = defaultdict(set)
        for orgs in by_project.values():
            for a in orgs:
                out[a] |= orgs - {a}
        return out

    known, new = pairs(train), pairs(later)
    return {a: {b for b in bs if b in known and b not in known[a]}
            for a, bs in new.items() if a in known and known[a]}


def evaluate(net, hidden: dict[str, set[str]], queries: int, seed: int = 16) -> dict[str, dict]:
    from corridor.derived.brokerage import suggest as s

    pool = sorted(a for a, bs in hidden.items() if bs and a in net.org_index)
    random.Random(seed).shuffle(pool)
    chosen = pool[:queries]
    degree = [len(net.partners(i)) for i in range(len(net.orgs))]
    projects = [len(ps) for ps in net.org_projects]
    by_popularity = sorted(range(len(net.orgs)), key=lambda i: (-projects[i], i))

    def baseline(i: int, kind: str) -> list[int]:
        mine = net.partners(i)
        if kind == "popularity":
            top = by_popularity[:100 + len(mine) + 1]
            return [c for c in top if c != i and c not in mine][:100]
        scores: dict[int, float] = defaultdict(float)
        for p in mine:
            w = 1.0 if kind == "common neighbours" else 1.0 / math.log(max(degree[p], 2))
            for c in net.partners(p):
                if c != i and c not in mine:
                    scores[c] += w
        return sorted(scores, key=lambda c: (-scores[c], c))[:100]

    methods = {
        "Corridor suggestions": lambda i: s.rank(net, i, 100),
        "popularity": lambda i: baseline(i, "popularity"),
        "common neighbours": lambda i: baseline(i, "common neighbours"),
        "Adamic–Adar": lambda i: baseline(i, "Adamic–Adar"),
    }
    results = {}
    for name, method in methods.items():
        hits = recall = rr = 0.0
        started = time.perf_counter()
        for a in chosen:
            i = net.org_index[a]
            truth = {net.org_index[b] for b in hidden[a] if b in net.org_index}
            ranked = method(i)
            top = ranked[:10]
            found = [k for k, c in enumerate(ranked) if c in truth]
            hits += 1.0 if any(c in truth for c in top) else 0.0
            recall += len(truth.intersection(top)) / len(truth)
            rr += 1.0 / (found[0] + 1) if found else 0.0
        n = max(1, len(chosen))
        results[name] = {"hits@10": hits / n, "recall@10": recall / n, "MRR": rr / n,
                         "seconds": time.perf_counter() - started, "queries": len(chosen)}
        print(name, results[name], flush=True)
    return results


def explained_share(net, organisations: list[str]) -> tuple[int, int]:
    """(suggestions with a non-empty path of triples, suggestions) over the organisations."""
    from corridor.derived.brokerage import suggest_partners

    total = explained = 0
    for o in organisations:
        for sug in suggest_partners(net, o, 10):
            total += 1
            explained += any(step["path"] for step in sug.explanation)
    return explained, total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--cutoff", default="2018-01-01")
    parser.add_argument("--validate", action="store_true")
    parser.add_argument("--http", type=int, default=300, help="HTTP requests (0: skip)")
    parser.add_argument("--http-only", action="store_true",
                        help="only the HTTP latency, on the store a previous run left (else "
                             "one of the whole network, built without held-out figures)")
    parser.add_argument("--quality-only", action="store_true",
                        help="only the held-out figures: the network read from the store by "
                             "SPARQL (the server's path), without analytics, write or HTTP")
    args = parser.parse_args()
    if args.http_only:
        store_dir = OUT / "brokerage-store"
        if not store_dir.exists():
            whole_network_store(store_dir)
        with gzip.open(REAL / "h2020_participations.csv.gz", "rt", encoding="utf-8") as f:
            orgs = sorted({f"{BASE}id/organisation/pic/{r['pic']}" for r in csv.DictReader(f)})
        text = http_latency(store_dir, orgs, args.http) + "\n"
        print(text)
        write_section("brokerage-http", text)
        return

    import pyoxigraph as ox

    from corridor.config import Config
    from corridor.derived.brokerage import brokerage_for
    from corridor.ingest.loader import load_bundled
    from corridor.store import open_store

    rows, parts = read_rows()
    cutoff, end = (("2017-01-01", args.cutoff) if args.validate else (args.cutoff, None))
    train, later = split(rows, cutoff, end)
    hidden = hidden_pairs(train, later)
    print(f"{len(train)} training rows, {len(later)} later rows, "
          f"{sum(len(v) for v in hidden.values()) // 2} hidden pairs", flush=True)

    # --quality-only keeps apart from the store the HTTP measure serves (--http-only)
    store_dir = OUT / ("brokerage-quality-store" if args.quality_only else "brokerage-store")
    shutil.rmtree(store_dir, ignore_errors=True)
    OUT.mkdir(parents=True, exist_ok=True)
    store = open_store(Config(store_dir=store_dir, query_workers=1))
    load_bundled(store, validate=False)
    countries = country_iris(store)
    graph = f"{BASE}graph/bench/h2020-training"
    train_file = OUT / "h2020-training.nq"
    n = nquads(train, parts, countries, train_file, graph)  # same rows: same file each run
    t = time.perf_counter()
    with store.transaction("bench: H2020 training part (stand-in for the importer)") as w:
        w.bulk_load_graph(graph, train_file, ox.RdfFormat.N_QUADS)
    load_s = time.perf_counter() - t
    print(f"loaded {n} triples in {load_s:.1f}s", flush=True)
    brokerage = brokerage_for(store)
    t = time.perf_counter()
    if args.quality_only:
        from corridor.derived.brokerage.network import read_network

        net, analytics = read_network(store, store.version), None
    else:
        net, analytics = brokerage.current(wait=True)
        assert analytics is not None
    first_s = time.perf_counter() - t
    assert net is not None
    print(f"network {len(net.orgs)} organisations, {len(net.projects)} projects; "
          f"{'network read' if analytics is None else 'network + analytics + derived graph'} "
          f"{first_s:.1f}s", flush=True)
    results = evaluate(net, hidden, args.queries)
    sample = sorted(hidden)[: 200]
    explained, total = explained_share(net, [o for o in sample if o in net.org_index])
    print(f"explained {explained}/{total}", flush=True)

    lines = [header("Brokerage: partner suggestions on the H2020 network (issue 16)"),
             f"Split: {'VALIDATION inside the training part, ' if args.validate else ''}"
             f"projects starting before {cutoff} train"
             + (f", projects from {cutoff} to before {end} hold the hidden pairs"
                if end else f"; hidden: pairs first co-participating in projects from {cutoff}")
             + f". {len(train):,} training participations, {len(later):,} later; "
             f"{sum(len(v) for v in hidden.values()) // 2:,} hidden pairs; "
             f"{results['popularity']['queries']:,} query organisations (seed 16).", ""]
    aa = results["Adamic–Adar"]["hits@10"]
    lines.append(table(["method", "hits@10", "recall@10", "MRR (top 100)", "vs Adamic–Adar hits@10",
                        "s"],
                       [[k, f"{v['hits@10']:.4f}", f"{v['recall@10']:.4f}", f"{v['MRR']:.4f}",
                         f"{v['hits@10'] / aa:.3f}×" if aa else "–", f"{v['seconds']:.1f}"]
                        for k, v in results.items()]))
    lines += ["", f"Explained: {explained} of {total} suggestions (10 each for 200 organisations)"
              " carry at least one path of store triples.",
              (f"Network read from the training store by SPARQL: {first_s:.1f} s"
               if analytics is None else
               f"Network + analytics + derived graph of the training store: {first_s:.1f} s "
               f"(analytics alone {analytics.seconds:.1f} s)")
              + f"; bench load of {n:,} triples {load_s:.1f} s.", ""]

    if not args.validate and not args.quality_only and args.http:
        later_file = OUT / "h2020-later.nq"
        n2 = nquads(later, parts, countries, later_file, f"{BASE}graph/bench/h2020-later")
        t = time.perf_counter()
        with store.transaction("bench: H2020 later part") as w:
            w.bulk_load_graph(f"{BASE}graph/bench/h2020-later", later_file, ox.RdfFormat.N_QUADS)
        write_s = time.perf_counter() - t
        t = time.perf_counter()
        net2, analytics2 = brokerage.current(wait=True)
        recompute_s = time.perf_counter() - t
        assert net2 is not None and analytics2 is not None
        orgs = list(net2.orgs)
        store.close()  # the serve below needs the store: a second run with --http-only if
        # this process still holds its lock
        lines.append(
            f"After a write (the later part, {n2:,} triples, {write_s:.1f} s): the whole network "
            f"({len(net2.orgs):,} organisations, {len(net2.projects):,} projects); network read + "
            f"analytics + derived-graph publication recomputed in {recompute_s:.1f} s "
            f"(analytics alone {analytics2.seconds:.1f} s).")
        lines += ["", http_latency(store_dir, orgs, args.http)]
    else:
        store.close()
    text = "\n".join(lines) + "\n"
    print(text)
    write_section("brokerage-validate" if args.validate else "brokerage", text)


def country_iris(store) -> dict[str, str]:
    """CORDIS country code → the country IRI of the bundled authority table."""
    countries = {}
    for sol in store.query(f"SELECT ?c ?code WHERE {{ ?c <{COR}isoCountryCode> ?code }}"):
        countries[sol["code"].value] = sol["c"].value
    countries.update({"EL": countries.get("GR", ""), "UK": countries.get("GB", "")})
    return countries


def whole_network_store(store_dir: Path) -> None:
    """The store the HTTP measure serves, built without a held-out evaluation: the bundled data
    and every participation of the network (the training and the later part) in one graph."""
    import pyoxigraph as ox

    from corridor.config import Config
    from corridor.ingest.loader import load_bundled
    from corridor.store import open_store

    rows, parts = read_rows()
    OUT.mkdir(parents=True, exist_ok=True)
    store = open_store(Config(store_dir=store_dir, query_workers=1))
    try:
        load_bundled(store, validate=False)
        countries = country_iris(store)
        graph = f"{BASE}graph/bench/h2020-whole"
        whole = OUT / "h2020-whole.nq"
        n = nquads(rows, parts, countries, whole, graph)
        with store.transaction("bench: the whole H2020 network") as w:
            w.bulk_load_graph(graph, whole, ox.RdfFormat.N_QUADS)
        print(f"built {store_dir}: {n:,} triples of the whole network", flush=True)
    finally:
        store.close()


def http_latency(store_dir: Path, orgs: list[str], runs: int) -> str:
    """``corridor serve`` on the store; sequential GET /suggest/partners for random orgs."""
    argv = [sys.executable, "-m", "corridor.cli", "serve", "--store", str(store_dir),
            "--port", str(PORT), "--threads", "4"]
    server = LiveServer(argv, PORT, ready_path="/sparql?query=ASK%7B%7D")
    try:
        rng = random.Random(16)
        chosen = [rng.choice(orgs) for _ in range(runs)]
        path = lambda o: f"/suggest/partners?organisation={quote(o, safe='')}&limit=10"  # noqa: E731
        started = time.time()
        deadline = started + 1800
        version = None
        while time.time() < deadline:  # the server reads the network in the background
            status, body = get(PORT, path(chosen[0]), accept="application/json", timeout=60)
            if status == 200 and json.loads(body)["suggestions"]:
                version = json.loads(body)["version"]
                break
            time.sleep(2)
        network_s = time.time() - started
        while time.time() < deadline:  # then this version's analytics: the steady state
            status, body = get(PORT, "/corridor/bridges.json?limit=1", accept="application/json",
                               timeout=60)
            if status == 200 and json.loads(body)["version"] == version:
                break
            time.sleep(5)
        analytics_s = time.time() - started
        durations = []
        for o in chosen:
            t = time.perf_counter()
            status, body = get(PORT, path(o), accept="application/json")
            durations.append(time.perf_counter() - t)
            assert status == 200, body[:200]
        return (f"HTTP `GET /suggest/partners?organisation=…&limit=10` (JSON), whole network, "
                f"{runs} random organisations, sequential: p50 {1000 * p50(durations):.1f} ms, "
                f"p99 {1000 * p99(durations):.1f} ms, max {1000 * max(durations):.1f} ms "
                f"(server started with the store: suggestions served after {network_s:.0f} s, "
                f"analytics done after {analytics_s:.0f} s; measured after both).")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
