"""A small SELECT over HTTP versus in-process pyoxigraph, measured in one run.

Three contenders answer the same query on the same synthetic data:

* ``minimal``  — bench/minimal_app.py: a dozen lines of Flask + pyoxigraph under waitress
  (the floor any Python HTTP endpoint pays: WSGI, Flask, JSON serialisation);
* ``corridor`` — ``corridor serve`` (waitress, 8 threads): protocol checks, dataset rules,
  the query run in a killable worker process, results streamed back over a pipe;
* ``in-process`` — ``Store.query(...).serialize(JSON)`` on an in-memory pyoxigraph store.

For 1, 4 and 16 concurrent clients (threads with keep-alive HTTP/1.1 connections) it prints
requests per second and p50/p99 latency. The client runs in this process, so on a small
machine the 16-client figures include client-side contention; compare the rows, not the
absolute numbers.

Usage: python bench/http_select.py [--seconds 3] [--triples 20000] [--workers 2]
"""

from __future__ import annotations

import argparse
import gc
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

EX = "http://example.org/"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
QUERY = f"SELECT ?s ?name WHERE {{ ?s <{EX}name> ?name }} LIMIT 10"
CLIENTS = (1, 4, 16)


def write_data(path: Path, triples: int) -> None:
    with path.open("w") as out:
        for i in range(triples // 2):
            out.write(f'<{EX}thing/{i}> <{EX}name> "Thing {i}" .\n')
            out.write(f'<{EX}thing/{i}> <{EX}size> "{i}"^^<{XSD_INTEGER}> .\n')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def prepare_corridor_store(directory: Path, data: Path) -> None:
    from corridor.config import Config
    from corridor.store import open_store

    store = open_store(Config(store_dir=directory))
    with store.transaction("bench data") as txn:
        quads = ox.parse(path=str(data), format=ox.RdfFormat.N_TRIPLES)
        txn.replace_graph("https://w3id.org/corridor/graph/bench", quads)
    del store, txn
    gc.collect()


def http_request(port: int) -> Callable[[], None]:
    """A per-thread request function on one keep-alive connection."""
    path = "/sparql?query=" + quote(QUERY)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Accept": "application/sparql-results+json"}

    def call() -> None:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200 or not body:
            raise RuntimeError(f"HTTP {response.status}: {body[:200]!r}")

    return call


def in_process_request(store: ox.Store) -> Callable[[], None]:
    def call() -> None:
        store.query(QUERY).serialize(format=ox.QueryResultsFormat.JSON)

    return call


def measure(make_call: Callable[[], Callable[[], None]], clients: int, seconds: float) -> dict:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[BaseException] = []
    start_gate = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def worker(index: int) -> None:
        call = make_call()
        call()  # warm-up (connection, worker process)
        start_gate.wait()
        own = latencies[index]
        try:
            while time.perf_counter() < stop_at[0]:
                t0 = time.perf_counter()
                call()
                own.append(time.perf_counter() - t0)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + 3600
    start_gate.wait()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise errors[0]
    every = sorted(x for own in latencies for x in own)
    return {
        "rps": len(every) / elapsed,
        "p50": statistics.median(every) * 1000,
        "p99": every[min(len(every) - 1, int(len(every) * 0.99))] * 1000,
        "n": len(every),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement")
    parser.add_argument("--triples", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2, help="corridor query workers")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="corridor-bench-") as tmp:
        data = Path(tmp) / "data.nt"
        write_data(data, args.triples)
        prepare_corridor_store(Path(tmp) / "store", data)
        local = ox.Store()
        local.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES)

        minimal_port, corridor_port = free_port(), free_port()
        env = {**os.environ, "CORRIDOR_QUERY_WORKERS": str(args.workers),
               "PYTHONPATH": str(REPO)}
        servers = {
            "minimal": (minimal_port, subprocess.Popen(
                [sys.executable, str(REPO / "bench" / "minimal_app.py"), str(data),
                 str(minimal_port)], env=env, stderr=subprocess.DEVNULL)),
            "corridor": (corridor_port, subprocess.Popen(
                [sys.executable, "-m", "corridor.cli", "serve", "--store", str(Path(tmp) / "store"),
                 "--port", str(corridor_port), "--threads", "8"],
                env=env, cwd=str(REPO), stderr=subprocess.DEVNULL)),
        }
        try:
            for port, process in servers.values():
                wait_until_up(port, process)
            contenders: dict[str, Callable[[], Callable[[], None]]] = {
                "minimal": lambda: http_request(minimal_port),
                "corridor": lambda: http_request(corridor_port),
                "in-process": lambda: in_process_request(local),
            }
            print(f"query: {QUERY}")
            print(f"data: {args.triples} triples; {args.seconds:g} s per cell; "
                  f"corridor query workers: {args.workers}; cpus: {os.cpu_count()}")
            print(f"{'contender':<12}{'clients':>8}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
            for name, make_call in contenders.items():
                for clients in CLIENTS:
                    r = measure(make_call, clients, args.seconds)
                    print(f"{name:<12}{clients:>8}{r['rps']:>10.0f}{r['p50']:>10.2f}"
                          f"{r['p99']:>10.2f}", flush=True)
        finally:
            for _, process in servers.values():
                process.terminate()
                process.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
