"""Table 2: latency (p50/p99) of every queries/*.rq through the HTTP endpoint and raw in-process.

    python bench/queries.py --triples 1M 5M [--budget 6]

For each scale: a store holding the bundled data plus the synthetic file (bench/out/stores/),
served by ``corridor serve``; the same queries on the raw engine: a pyoxigraph Store opened
read-only on the store's published checkpoint (same data, same disk), queried in this process
with the default graph as the union of all graphs, results serialised to JSON. Each query runs
until ``--budget`` seconds are spent (at most 50 times, at least once after a warm-up).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

COLUMNS = [
    "triples",
    "query",
    "HTTP p50",
    "HTTP p99",
    "raw p50",
    "raw p99",
    "HTTP/raw (p50)",
    "runs",
]


def raw_store(store_dir: Path) -> ox.Store:
    """The latest published checkpoint, opened read-only (what the server reads too)."""
    version = json.loads((store_dir / "state.json").read_text())["version"]
    return ox.Store.read_only(str(store_dir / "snapshots" / f"{version:012d}"))


def time_raw(store: ox.Store, text: str, budget: float) -> list[float]:
    def run() -> None:
        result = store.query(text, use_default_graph_as_union=True)
        if isinstance(result, bool):
            return
        if isinstance(result, ox.QueryTriples):
            result.serialize(format=ox.RdfFormat.N_TRIPLES)
        else:
            result.serialize(format=ox.QueryResultsFormat.JSON)

    start = time.perf_counter()
    run()  # warm-up
    first = time.perf_counter() - start
    runs = 50 if first < budget / 50 else max(1, int(budget / max(first, 1e-9)))
    return common.timed_runs(run, runs, budget)


def time_http(port: int, text: str, budget: float) -> tuple[list[float], int]:
    path = "/sparql?query=" + quote(text)
    start = time.perf_counter()
    status, _ = common.get(port, path, "application/sparql-results+json, text/turtle;q=0.9")
    first = time.perf_counter() - start
    runs = 50 if first < budget / 50 else max(1, int(budget / max(first, 1e-9)))
    lat, status = common.latencies(
        port, path, runs, "application/sparql-results+json, text/turtle;q=0.9", budget, warmup=0
    )
    return lat, status


def bench_scale(triples: str, budget: float) -> tuple[list[list[object]], float]:
    store_dir = common.ensure_store(triples)
    queries = sorted((common.REPO / "queries").glob("*.rq"))
    rows: list[list[object]] = []
    raw = raw_store(store_dir)
    with common.corridor_server(store_dir) as server:
        for q in queries:
            print(f"{triples} {q.stem}", file=sys.stderr, flush=True)
            r = time_raw(raw, q.read_text(), budget)
            lat, status = time_http(server.port, q.read_text(), budget)
            ok = "" if status == 200 else f" (HTTP {status})"
            rows.append(
                [
                    triples,
                    q.stem + ok,
                    common.ms(common.p50(lat)),
                    common.ms(common.p99(lat)),
                    common.ms(common.p50(r)),
                    common.ms(common.p99(r)),
                    common.ratio(common.p50(lat), common.p50(r)),
                    len(lat),
                ]
            )
            partial = common.table(COLUMNS, rows)
            common.write_section("queries-partial", partial)
        rss = server.rss_mb()
    return rows, rss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", nargs="+", default=["1M", "5M"])
    parser.add_argument("--budget", type=float, default=6.0, help="seconds per query and side")
    args = parser.parse_args(argv)
    rows, memory = [], []
    for scale in args.triples:
        scale_rows, rss = bench_scale(scale, args.budget)
        rows += scale_rows
        memory.append(
            f"- resident memory of `corridor serve` (incl. query workers) after the "
            f"{scale} run: {rss:.0f} MiB"
        )
    text = common.header("Table 2 — query latency, HTTP endpoint vs raw pyoxigraph") + "\n"
    text += common.table(COLUMNS, rows)
    text += "\n" + "\n".join(memory) + "\n"
    print(text)
    common.write_section("queries", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
