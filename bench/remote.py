"""Corridor on its three backends side by side: embedded store, Oxigraph server, Virtuoso 7.

    python bench/remote.py --triples 100k [--seconds 10] [--skip virtuoso]

For each backend, on the same generated N-Triples file: ``corridor init``, then ``corridor load``
(validated) timed, then ``corridor serve`` measured over HTTP at 1/4/16 clients — a small SELECT
(the partners of one project), a resource page, a search, one aggregation (projects per
country) — and, over
Virtuoso, two web processes at 16 clients against one: with ``wrk`` (Debian package) on the
PATH, one wrk of 16 connections on one process against one of 8 on each of two, with the cores
kept busy meanwhile (web process 1 + web process 2 + Virtuoso + wrk); without it, two Python
client processes of 8 connections in both figures. The remote servers are started here in
temporary folders on ports 18800-18899 (see tests/remote_servers.py). Rates count answered
requests only (status < 400). Figures from a busy
shared machine are ratios at best. Prints a Markdown table (also bench/out/remote.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

from common import (  # noqa: E402
    OUT,
    LiveServer,
    background_done,
    ensure_data,
    free_port,
    table,
    throughput,
    wrk,
)

from tests.remote_servers import OxigraphServer, VirtuosoServer, _post  # noqa: E402

BASE = "https://w3id.org/corridor/"
BACKENDS = ("embedded", "oxigraph", "virtuoso")
PREFIX = "PREFIX cor: <https://w3id.org/corridor/ontology#> "
AGGREGATION = (PREFIX + "SELECT ?c (COUNT(DISTINCT ?p) AS ?n) WHERE { ?x cor:project ?p ; "
               "cor:organisation/cor:country ?c } GROUP BY ?c")


def flags(server) -> list[str]:
    if server is None:
        return []
    return ["--store-url", server.query_url, "--update-url", server.update_url]


def corridor(argv: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "corridor.cli", *argv], check=True, cwd=REPO,
                   env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def serve(state: Path, server) -> LiveServer:
    port = free_port()
    return LiveServer([sys.executable, "-m", "corridor.cli", "serve", "--store", str(state),
                       "--port", str(port), "--threads", "16", *flags(server)], port,
                      ready_path="/sparql?query=ASK%7B%7D")


def settle(state: Path, server, wait: float = 3600.0) -> float:
    """Wait until the process serving ``state`` has derived everything of the current version
    (figures, search index, brokerage analytics), so that no background work runs while
    requests are measured; returns the seconds waited."""

    version = None
    if server is not None:
        rows = json.loads(_post(server.query_url, "query", (
            "SELECT ?v { GRAPH <urn:x-corridor:state> { <urn:x-corridor:store> "
            "<urn:x-corridor:version> ?v } }")))
        version = int(rows["results"]["bindings"][0]["v"]["value"])
    began = time.perf_counter()
    while (not background_done(state, version, with_dumps=False)
           and time.perf_counter() - began < wait):
        time.sleep(2)
    return time.perf_counter() - began


CLIENT = ("import json, sys; sys.path.insert(0, sys.argv[1]); from common import throughput; "
          "print(json.dumps(throughput(int(sys.argv[2]), [sys.argv[3]], int(sys.argv[4]), "
          "float(sys.argv[5]))))")


def clients_in_processes(ports: list[int], path: str, connections: int, seconds: float) -> float:
    """req/s of one client process per port (``connections`` keep-alive threads each), run at
    the same time, summed."""
    runs = [subprocess.Popen([sys.executable, "-c", CLIENT, str(REPO / "bench"), str(port), path,
                              str(connections), str(seconds)], stdout=subprocess.PIPE, text=True)
            for port in ports]
    return sum(json.loads(run.communicate()[0])["ok rps"] for run in runs)


def two_processes(web: LiveServer, folder: Path, server, path: str,
                  seconds: float) -> dict[str, object]:
    """One web process against two over the same remote store, 16 connections in all.

    With ``wrk`` on the PATH, one wrk of 16 connections on one process, then one of 8 on each
    of two, with the cores each server process, Virtuoso and wrk kept busy meanwhile; without
    it, two Python client processes of 8 connections in both figures (one Python client
    process tops out near the rate measured)."""
    second = serve(folder / "state2", server)
    try:
        settle(folder / "state2", server)
        if shutil.which("wrk") is None:
            return {
                "1 process, 16 (2 clients)": clients_in_processes(
                    [web.port, web.port], path, 8, seconds),
                "2 processes, 16 (2 clients)": clients_in_processes(
                    [web.port, second.port], path, 8, seconds),
            }
        accept = "application/sparql-results+json"
        watch = [web.proc.pid, second.proc.pid, server.process.pid]
        one = wrk([web.port], path, 16, seconds, accept, watch)
        two = wrk([web.port, second.port], path, 8, seconds, accept, watch)
        row: dict[str, object] = {"1 process, 16 (wrk)": one["ok rps"],
                                  "2 processes, 16 (wrk)": two["ok rps"]}
        for name, figures in (("1 process", one), ("2 processes", two)):
            row[f"cores busy, {name}"] = " + ".join(
                f"{figures[key]:.2f}" for key in figures if key.startswith("cores"))
        return row
    finally:
        second.stop()


def sparql_path(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


def first_project(port: int) -> str:
    from common import get

    _, body = get(port, sparql_path(PREFIX + "SELECT ?p { ?x cor:project ?p } LIMIT 1"),
                  accept="application/sparql-results+json")
    return json.loads(body)["results"]["bindings"][0]["p"]["value"]


def measure(kind: str, data: Path, seconds: float, root: Path) -> dict[str, object]:
    folder = root / kind
    folder.mkdir()
    server = None
    if kind == "oxigraph":
        # no --timeout-s: Oxigraph server 0.5 keeps a thread per query until its timeout,
        # and at ~500 req/s over 60 s they exhaust the memory maps (the server aborted
        # mid-run); Corridor's own limit still stops each query
        server = OxigraphServer(folder, timeout_s=None)
    elif kind == "virtuoso":
        # sized as its documentation advises for ~4 GB of memory (the tests' server has 80 MB
        # of buffers), and the one transaction of a 5M-triple write given up to an hour:
        # Corridor's own limit still stops each user query
        server = VirtuosoServer(folder, buffers=340_000, max_execution_s=3600,
                                after_image=2_000_000_000)
    try:
        state = folder / "state"
        graph = BASE + "graph/bench/synthetic"
        corridor(["init", "--store", str(state), *flags(server)])  # ontology, shapes, codes
        row: dict[str, object] = {"load s": corridor(
            ["load", str(data), "--graph", graph, "--store", str(state), *flags(server)])}
        web = serve(state, server)
        try:
            row["derived s"] = settle(state, server)
            project = first_project(web.port)
            lookup = sparql_path(PREFIX + f"SELECT ?o WHERE {{ ?x cor:project <{project}> ; "
                                 "cor:organisation ?o }")
            page = "/" + project[len(BASE):]
            for clients in (1, 4, 16):
                row[f"SELECT {clients}"] = throughput(web.port, [lookup], clients,
                                                      seconds)["ok rps"]
            row["page 4"] = throughput(web.port, [page], 4, seconds, accept="text/html")["ok rps"]
            row["search 4"] = throughput(web.port, ["/search?q=innovation"], 4, seconds,
                                         accept="text/html")["ok rps"]
            row["aggregation 1"] = throughput(web.port, [sparql_path(AGGREGATION)], 1,
                                              seconds)["ok rps"]
            if kind == "virtuoso":
                row.update(two_processes(web, folder, server, lookup, seconds))
        finally:
            web.stop()
        return row
    finally:
        if server is not None:
            server.stop()


def cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    return "—" if value is None else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", default="100k")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--skip", nargs="*", default=[])
    parser.add_argument("--order", nargs="*", default=list(BACKENDS),
                        help="the order to measure in (e.g. the one likeliest to fail first); "
                        "the table keeps its own")
    args = parser.parse_args()
    data = ensure_data(args.triples)
    kinds = [k for k in dict.fromkeys([*args.order, *BACKENDS]) if k not in args.skip]
    rows = {}
    with tempfile.TemporaryDirectory(prefix="corridor-bench-remote-") as tmp:
        for kind in kinds:
            try:
                rows[kind] = measure(kind, data, args.seconds, Path(tmp))
            except Exception as error:  # one backend failing (e.g. killed for memory) is a
                # result too: the others are still measured in the same run
                rows[kind] = {"failed": f"{type(error).__name__}: {error}"[:200]}
            print(kind, rows[kind], file=sys.stderr)
    rows = {kind: rows[kind] for kind in BACKENDS if kind in rows}
    columns = list(next(iter(rows.values())))
    for row in rows.values():
        columns += [c for c in row if c not in columns]
    text = (f"{args.triples} triples, req/s unless noted (busy shared 2-core machine)\n\n"
            + table(["backend", *columns],
                    [[kind, *(cell(row.get(c)) for c in columns)] for kind, row in rows.items()]))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "remote.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
