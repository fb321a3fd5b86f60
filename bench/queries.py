"""Table 2: latency (p50/p99) of every queries/*.rq through the HTTP endpoint and raw in-process.

    python bench/queries.py --triples 1M | --store DIR [--runs 5] [--timeout 120]

HTTP: ``corridor serve`` on a COPY of the store (the original is never written), one keep-alive
client, sequential GETs; a query the endpoint stops at its limit shows "timeout (30 s)".
Raw: the same queries on a pyoxigraph Store opened read-only on the copy's published checkpoint,
default graph = union of all graphs, results serialised to SPARQL JSON. Each query runs in its own
subprocess, killed after ``--timeout`` seconds (shown as "> 120 s"), so the table at 5M finishes in
bounded time. A query is repeated ``--runs`` times unless its runs already took ``--budget`` s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

COLUMNS = ["query", "rows", "HTTP p50", "HTTP p99", "raw p50", "raw p99", "HTTP/raw (p50)", "runs"]
ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"
ENDPOINT_LIMIT = 30.0  # the server's default query_timeout (server/config.py)


# ------------------------------------------------------------------------------ raw side
def raw_worker(snapshot: str, query_file: str, runs: int, budget: float) -> None:
    """Subprocess body: print one JSON line per run ({"seconds", "rows"}) as soon as it ends."""
    import pyoxigraph as ox

    store = ox.Store.read_only(snapshot)
    text = Path(query_file).read_text(encoding="utf-8")
    begin = time.perf_counter()
    for _ in range(runs):
        start = time.perf_counter()
        result = store.query(text, use_default_graph_as_union=True)
        if isinstance(result, bool):
            rows = 1
        elif isinstance(result, ox.QueryTriples):
            rows = len(result.serialize(format=ox.RdfFormat.N_TRIPLES).splitlines())
        else:
            body = result.serialize(format=ox.QueryResultsFormat.JSON)
            rows = len(json.loads(body)["results"]["bindings"])
        print(json.dumps({"seconds": time.perf_counter() - start, "rows": rows}), flush=True)
        if time.perf_counter() - begin > budget:
            break


def time_raw(snapshot: Path, query: Path, runs: int, budget: float, timeout: float) -> dict:
    """Durations of the raw runs that finished before the subprocess was killed at ``timeout``."""
    argv = [
        sys.executable,
        __file__,
        "--raw-worker",
        str(snapshot),
        str(query),
        "--runs",
        str(runs),
        "--budget",
        str(budget),
    ]
    try:
        out = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, check=True
        ).stdout
    except subprocess.TimeoutExpired as stopped:
        out = (
            stopped.stdout.decode() if isinstance(stopped.stdout, bytes) else (stopped.stdout or "")
        )
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return {"seconds": [x["seconds"] for x in lines], "rows": lines[0]["rows"] if lines else None}


# ----------------------------------------------------------------------------- HTTP side
def time_http(port: int, query: Path, runs: int, budget: float) -> dict:
    """Sequential GETs; stop repeating once ``budget`` s are spent or the endpoint refuses."""
    path = "/sparql?query=" + quote(query.read_text(encoding="utf-8"))
    seconds: list[float] = []
    rows = None
    outcome = "ok"
    begin = time.perf_counter()
    for _ in range(runs):
        start = time.perf_counter()
        status, body = common.get(port, path, ACCEPT, timeout=ENDPOINT_LIMIT + 120)
        elapsed = time.perf_counter() - start
        if status == 503 and b"timeout" in body:
            outcome = "timeout"
            break
        if status != 200:
            outcome = f"HTTP {status}"
            break
        seconds.append(elapsed)
        if rows is None and body.startswith(b"{"):
            rows = len(json.loads(body).get("results", {}).get("bindings", [None]))
        if time.perf_counter() - begin > budget:
            break
    return {"seconds": seconds, "rows": rows, "outcome": outcome}


# ---------------------------------------------------------------------------------- table
def row_for(query: Path, http: dict, raw: dict, timeout: float) -> list[object]:
    if http["outcome"] == "timeout":
        http_p50 = http_p99 = f"timeout ({ENDPOINT_LIMIT:g} s)"
    elif http["outcome"] != "ok":
        http_p50 = http_p99 = http["outcome"]
    else:
        http_p50, http_p99 = (
            common.ms(common.p50(http["seconds"])),
            common.ms(common.p99(http["seconds"])),
        )
    if raw["seconds"]:
        raw_p50, raw_p99 = (
            common.ms(common.p50(raw["seconds"])),
            common.ms(common.p99(raw["seconds"])),
        )
        ratio = common.ratio(common.p50(http["seconds"]), common.p50(raw["seconds"]))
    else:
        raw_p50 = raw_p99 = f"> {timeout:g} s"
        ratio = "—"
    rows = raw["rows"] if raw["rows"] is not None else http["rows"]
    runs = f"{len(http['seconds'])}/{len(raw['seconds'])}"
    return [
        query.stem,
        "—" if rows is None else rows,
        http_p50,
        http_p99,
        raw_p50,
        raw_p99,
        ratio,
        runs,
    ]


def wait_for_startup_statistics(pid: int, limit: float = 600) -> None:
    """The server computes dataset statistics in a child process at start-up; timing queries
    while it runs would measure that competition for the CPU, not the query."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if not any("corridor.derived.figures" in cmd for cmd in common.descendants(pid).values()):
            return
        time.sleep(1)


def stop_leftovers(children: dict[int, str]) -> None:
    """Children the server left behind when it stopped (they would keep memory and CPU)."""
    for child in children:
        try:
            os.kill(child, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            continue


def copy_store(store_dir: Path, into: Path) -> Path:
    """A private copy of the store folder: the server writes state; the original is shared."""
    target = into / store_dir.name
    shutil.copytree(store_dir, target)
    return target


def bench(store_dir: Path, runs: int, budget: float, timeout: float, pattern: str) -> str:
    queries = [
        q for q in sorted((common.REPO / "queries").glob("*.rq")) if re.search(pattern, q.stem)
    ]
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory(prefix="corridor-bench-q-") as tmp:
        copy = copy_store(store_dir, Path(tmp))
        snapshot = common.snapshot_of(copy)
        with common.corridor_server(copy) as server:
            wait_for_startup_statistics(server.proc.pid)
            for query in queries:
                print(f"{store_dir.name} {query.stem}", file=sys.stderr, flush=True)
                http = time_http(server.port, query, runs, budget)
                raw = time_raw(snapshot, query, runs, budget, timeout)
                rows.append(row_for(query, http, raw, timeout))
                common.write_section("queries-partial", common.table(COLUMNS, rows))
            rss = server.rss_mb()
            children = common.descendants(server.proc.pid)
        stop_leftovers(children)
    text = (
        common.header(f"Table 2 — example queries on {store_dir.name}: HTTP endpoint vs raw") + "\n"
    )
    text += common.table(COLUMNS, rows)
    text += (
        f"\nruns = HTTP/raw repeats; endpoint limit {ENDPOINT_LIMIT:g} s; raw runs killed after "
        f"{timeout:g} s; resident memory of `corridor serve` after the run: {rss:.0f} MiB\n"
    )
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--store", type=Path, default=common.REPO / "bench" / "out" / "stores" / "1m"
    )
    parser.add_argument("--triples", help="scale (1M, 5M): its bench store, built if missing")
    parser.add_argument("--runs", type=int, default=5, help="repetitions per query and side")
    parser.add_argument("--timeout", type=float, default=120.0, help="raw run limit (s) per query")
    parser.add_argument("--budget", type=float, default=20.0, help="stop repeating after this (s)")
    parser.add_argument("--only", default="", help="regex on query names")
    parser.add_argument(
        "--raw-worker", nargs=2, metavar=("SNAPSHOT", "QUERY"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.raw_worker:
        raw_worker(*args.raw_worker, args.runs, args.budget)
        return 0
    if args.triples:
        args.store = common.ensure_store(args.triples)
    text = bench(args.store.resolve(), args.runs, args.budget, args.timeout, args.only)
    print(text)
    common.write_section(f"queries-{args.store.name}", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
