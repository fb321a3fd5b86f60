"""Corridor beside the servers a user would pick instead: Oxigraph server and Virtuoso 7.

    python bench/peers.py --triples 100k 1M [--rounds 3] [--seconds 5]

Per size, on the same generated N-Triples file:

- **load**: ``corridor load`` (validated) into a store holding the bundled ontology, shapes and
  codes; ``oxigraph load`` of the same file; Virtuoso's bulk loader (``ld_dir`` +
  ``rdf_loader_run`` + ``checkpoint``). Seconds and peak resident memory (sampled every 0.2 s,
  children included). Both peers first get, untimed, the rest of what Corridor's public endpoint
  serves (the bundled graphs, cut from its public view), so every system answers over the same
  data: Oxigraph server with ``--union-default-graph``, Virtuoso's default graph being the union.
- **HTTP**: Corridor (``corridor serve``, after its background work of the version is done),
  ``oxigraph serve``, Virtuoso's ``/sparql``; lookup SELECT, resource CONSTRUCT, 2-hop join and
  one aggregation at 1/4/16 keep-alive clients, each over 16 different IRIs. The systems are
  interleaved at every step and the whole is repeated ``--rounds`` times: medians, the spread
  (min–max) and Corridor's ratio to each peer per row.
- **example queries**: every ``queries/*.rq`` on each system (sequential, median of ``--runs``),
  with its result count; a count that differs from Corridor's is marked.
- **memory and disk** after serving: resident memory of each server, and its folder on disk
  (Corridor's includes its change log, figures, search index and brokerage analytics).

The peers run with their documented defaults plus what the tests use (tests/remote_servers.py:
Virtuoso's buffers, result-row limit 1,000,000 and 60 s execution limit). Oxigraph server runs
without ``--timeout-s``: with it, 0.5.13 starts one thread per query that sleeps until the
timeout, so at thousands of requests a second (60 s × ~5,000 req/s) the threads exhaust the
memory-map limit and the server aborts ("failed to set up alternative stack guard page").
Figures from a shared 2-core machine: ratios, not absolutes. Prints Markdown (also
``bench/out/peers.md``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

import pyoxigraph as ox  # noqa: E402
from common import (  # noqa: E402
    OUT,
    LiveServer,
    ensure_data,
    get,
    header,
    rss_mb,
    snapshot_of,
    table,
    throughput,
)
from remote import corridor, serve, settle  # noqa: E402

from tests.remote_servers import (  # noqa: E402
    ISQL,
    OXIGRAPH,
    VirtuosoServer,
)
from tests.remote_servers import free_port as peer_port  # noqa: E402

PREFIX = "PREFIX cor: <https://w3id.org/corridor/ontology#> "
GRAPH = "https://w3id.org/corridor/graph/bench/synthetic"
SYSTEMS = ("Corridor", "Oxigraph server", "Virtuoso")
CLIENTS = (1, 4, 16)
SELECT_JSON = "application/sparql-results+json"


# ----------------------------------------------------------------------------- measuring
class PeakMemory:
    """The largest resident memory (MiB, children included) of a process while it runs."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._done = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            self._done.wait(0.2)

    def stop(self) -> float:
        self._done.set()
        self._thread.join()
        return self.peak


def timed(argv: list[str], cwd: Path = REPO) -> tuple[float, float]:
    """Run ``argv``: (seconds, peak MiB)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    memory = PeakMemory(process.pid)
    _, err = process.communicate()
    peak = memory.stop()
    if process.returncode:
        raise RuntimeError(f"{argv[:3]} failed: {err.decode(errors='replace')[-2000:]}")
    return time.perf_counter() - start, peak


def disk_mb(*paths: Path) -> float:
    """Bytes on disk, each file once (Corridor's checkpoints are hard links of the primary)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for path in paths:
        for p in [path] if path.is_file() else path.rglob("*"):
            if p.is_file() and not p.is_symlink():
                info = p.stat()
                if (info.st_dev, info.st_ino) not in seen:
                    seen.add((info.st_dev, info.st_ino))
                    total += info.st_blocks * 512
    return total / 2**20


# ------------------------------------------------------------------------------- systems
class System:
    name = ""
    port = 0
    endpoint = "/sparql"
    pid = 0

    def path(self, query: str) -> str:
        return self.endpoint + "?" + urllib.parse.urlencode({"query": query})

    def status(self) -> str:
        """What to say when the server stops answering."""
        return ""


RAW_LOAD = ("import sys, pyoxigraph as ox; ox.Store(sys.argv[1]).bulk_load(path=sys.argv[2], "
            "format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(sys.argv[3]))")


class CorridorSystem(System):
    name = "Corridor"

    def __init__(self, folder: Path, data: Path) -> None:
        self.state = folder / "store"
        # the raw engine: pyoxigraph's bulk_load of the same file into a new store
        self.raw = timed([sys.executable, "-c", RAW_LOAD, str(folder / "raw"), str(data), GRAPH])
        shutil.rmtree(folder / "raw")
        corridor(["init", "--store", str(self.state)])  # ontology, shapes, codes
        self.load = timed([sys.executable, "-m", "corridor.cli", "load", str(data),
                           "--graph", GRAPH, "--store", str(self.state)])
        self.web: LiveServer = serve(self.state, None)
        self.port, self.pid = self.web.port, self.web.proc.pid
        self.derived = settle(self.state, None)

    def disk(self) -> float:
        return disk_mb(self.state)

    def stop(self) -> None:
        self.web.stop()


def bundled_part(corridor_state: Path, target: Path) -> None:
    """What Corridor's public endpoint serves besides the synthetic graph, as N-Quads."""
    store = ox.Store.read_only(str(snapshot_of(corridor_state)))
    graphs = [g for g in store.named_graphs() if g != ox.NamedNode(GRAPH)]
    with target.open("wb") as out:
        for graph in graphs:
            ox.serialize(store.quads_for_pattern(None, None, None, graph), out,
                         format=ox.RdfFormat.N_QUADS)


class OxigraphSystem(System):
    name = "Oxigraph server"
    endpoint = "/query"

    def __init__(self, folder: Path, data: Path, bundled: Path) -> None:
        self.data = folder / "data"
        timed([str(OXIGRAPH), "load", "-l", str(self.data), "-f", str(bundled)])
        self.load = timed([str(OXIGRAPH), "load", "-l", str(self.data), "-f", str(data),
                           "--graph", GRAPH])
        self.port = peer_port()
        self.log = (folder / "oxigraph.log").open("wb")
        self.process = subprocess.Popen(
            [str(OXIGRAPH), "serve", "-l", str(self.data), "-b", f"127.0.0.1:{self.port}",
             "--union-default-graph"],  # no --timeout-s: see the module docstring
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.pid = self.process.pid
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if get(self.port, self.path("ASK {}"), timeout=30)[0] == 200:
                    return
            except OSError:
                time.sleep(0.3)
        self.log.close()
        tail = (folder / "oxigraph.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"oxigraph serve did not answer: {tail}")

    def disk(self) -> float:
        return disk_mb(self.data)

    def status(self) -> str:
        self.log.flush()
        log = (self.data.parent / "oxigraph.log").read_text(errors="replace")[-1500:]
        return f"exit status {self.process.poll()}, log: {log}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(60)
        self.log.close()


class VirtuosoSystem(System):
    name = "Virtuoso"

    def __init__(self, folder: Path, data: Path, bundled: Path) -> None:
        self.folder = folder
        self.server = VirtuosoServer(folder)
        self.port, self.pid = self.server.port, self.server.process.pid
        inbox = folder / "inbox"
        inbox.mkdir()
        shutil.copy(bundled, inbox / "bundled.nq")
        self._isql(f"ld_dir('{inbox}', 'bundled.nq', 'urn:x-unused'); rdf_loader_run(); "
                   "checkpoint;")
        shutil.copy(data, inbox / data.name)
        memory = PeakMemory(self.pid)
        start = time.perf_counter()
        self._isql(f"ld_dir('{inbox}', '{data.name}', '{GRAPH}'); rdf_loader_run(); "
                   "checkpoint;")
        self.load = (time.perf_counter() - start, memory.stop())
        shutil.rmtree(inbox)

    def _isql(self, statements: str) -> None:
        done = subprocess.run([str(ISQL), str(self.server.isql_port), "dba", "dba",
                               f"exec={statements}"], capture_output=True, text=True,
                              timeout=7200)
        if done.returncode or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql: {done.stdout[-1500:]} {done.stderr[-1500:]}")
        failed = subprocess.run(
            [str(ISQL), str(self.server.isql_port), "dba", "dba",
             "exec=SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;"],
            capture_output=True, text=True, timeout=60).stdout
        if "0 Rows" not in failed:
            raise RuntimeError(f"Virtuoso's bulk loader reported errors: {failed[-1500:]}")

    def disk(self) -> float:
        return disk_mb(*self.folder.glob("virtuoso*.db"), *self.folder.glob("virtuoso*.trx"))

    def stop(self) -> None:
        self.server.stop()


# ------------------------------------------------------------------------------- queries
def samples(port: int) -> list[tuple[str, str]]:
    """16 (project, one of its partners) pairs, asked of Corridor."""
    query = (PREFIX + "SELECT ?p (SAMPLE(?o) AS ?org) { ?x cor:project ?p ; cor:organisation ?o }"
             " GROUP BY ?p ORDER BY ?p LIMIT 16")
    status, body = get(port, "/sparql?" + urllib.parse.urlencode({"query": query}), SELECT_JSON,
                       timeout=600)
    rows = json.loads(body)["results"]["bindings"]
    return [(r["p"]["value"], r["org"]["value"]) for r in rows]


def workloads(pairs: list[tuple[str, str]]) -> dict[str, tuple[list[str], str]]:
    """name -> (query texts, Accept)."""
    return {
        "lookup SELECT": ([PREFIX + f"SELECT ?o WHERE {{ ?x cor:project <{p}> ; "
                           "cor:organisation ?o }" for p, _ in pairs], SELECT_JSON),
        "resource CONSTRUCT": ([f"CONSTRUCT {{ <{p}> ?v ?w }} WHERE {{ <{p}> ?v ?w }}"
                                for p, _ in pairs], "text/turtle"),
        "2-hop join": ([PREFIX + "SELECT DISTINCT ?q WHERE { ?x cor:organisation "
                        f"<{o}> ; cor:project ?p . ?y cor:project ?p ; cor:organisation ?o2 . "
                        "?z cor:organisation ?o2 ; cor:project ?q }" for _, o in pairs],
                       SELECT_JSON),
        "aggregation": ([PREFIX + "SELECT ?c (COUNT(DISTINCT ?p) AS ?n) WHERE { ?x cor:project ?p"
                         " ; cor:organisation/cor:country ?c } GROUP BY ?c"], SELECT_JSON),
    }


def http_rounds(
    systems: list[System], loads: dict, rounds: int, seconds: float
) -> tuple[dict[tuple[str, int, str], list[float]], dict[tuple[str, int, str], int]]:
    """(workload, clients, system) -> [answered req/s per round] and -> refused or failed
    requests, the systems interleaved."""
    out: dict[tuple[str, int, str], list[float]] = {}
    errors: dict[tuple[str, int, str], int] = {}
    for r in range(rounds):
        order = systems[r % len(systems):] + systems[: r % len(systems)]
        for name, (texts, accept) in loads.items():
            for clients in CLIENTS:
                for system in order:
                    try:
                        result = throughput(system.port, [system.path(t) for t in texts],
                                            clients, seconds * (2 if name == "aggregation" else 1),
                                            accept=accept)
                    except OSError as e:
                        raise RuntimeError(f"{system.name} on port {system.port}: {e}; "
                                           f"{system.status()}") from e
                    out.setdefault((name, clients, system.name), []).append(result["ok rps"])
                    key = (name, clients, system.name)
                    errors[key] = errors.get(key, 0) + int(result["errors"])
        print(f"round {r + 1}/{rounds} done", file=sys.stderr, flush=True)
    return out, errors


def count(body: bytes, accept: str) -> int:
    if accept == SELECT_JSON:
        data = json.loads(body)
        return 1 if "boolean" in data else len(data["results"]["bindings"])
    return sum(1 for _ in ox.parse(body, format=ox.RdfFormat.TURTLE))


def example_queries(systems: list[System], runs: int) -> list[list[str]]:
    rows = []
    for query in sorted((REPO / "queries").glob("*.rq")):
        text = query.read_text(encoding="utf-8")
        kind = "CONSTRUCT" if "CONSTRUCT" in text.upper().split("WHERE")[0] else "SELECT"
        accept = "text/turtle" if kind == "CONSTRUCT" else SELECT_JSON
        row = [query.stem]
        reference = None
        for system in systems:
            seconds, outcome = [], ""
            for _ in range(runs):
                start = time.perf_counter()
                try:
                    status, body = get(system.port, system.path(text), accept, timeout=180)
                except OSError as e:
                    outcome = type(e).__name__
                    break
                if status != 200:
                    outcome = f"HTTP {status}"
                    break
                seconds.append(time.perf_counter() - start)
                try:
                    outcome = str(count(body, accept))
                except (ValueError, SyntaxError, KeyError) as e:
                    outcome = f"unreadable ({type(e).__name__})"
                    break
                if seconds[-1] > 10:  # one run of a slow query is enough
                    break
            if reference is None:
                reference = outcome
            mark = "" if outcome == reference else " ≠"
            row.append(f"{statistics.median(seconds) * 1000:.1f} ms, {outcome}{mark}"
                       if seconds else outcome)
        rows.append(row)
    return rows


# --------------------------------------------------------------------------------- report
def spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.1f}"
    return f"{statistics.median(values):.1f} ({min(values):.0f}–{max(values):.0f})"


def report(size: str, systems: list[System], http: dict, errors: dict,
           examples: list[list[str]], rounds: int, seconds: float) -> str:
    corridor_system = systems[0]
    lines = [f"#### {size} triples\n"]
    load_rows = []
    for s in systems:
        load_s, peak = s.load
        load_rows.append([s.name + (" (validated)" if s is corridor_system else ""),
                          f"{load_s:.1f}", f"{load_s / corridor_system.load[0]:.2f}",
                          f"{peak:.0f}", f"{rss_mb(s.pid):.0f}", f"{s.disk():.0f}"])
    raw_s, raw_peak = corridor_system.raw  # type: ignore[attr-defined]
    load_rows.append(["raw pyoxigraph `bulk_load` (no server)", f"{raw_s:.1f}",
                      f"{raw_s / corridor_system.load[0]:.2f}", f"{raw_peak:.0f}", "—", "—"])
    lines.append(table(["system", "load s", "÷ Corridor", "load peak MiB", "serving RSS MiB",
                        "disk MiB"], load_rows))
    derived = getattr(corridor_system, "derived", None)
    if derived is not None:
        lines.append(f"\nCorridor's background work of the loaded version (figures, search "
                     f"index, brokerage analytics) took {derived:.0f} s before measuring.\n")
    peers = systems[1:]
    http_rows = []
    for name in dict.fromkeys(k[0] for k in http):
        for clients in CLIENTS:
            values = {s.name: http[(name, clients, s.name)] for s in systems}
            ours = statistics.median(values[corridor_system.name])
            failed = ", ".join(f"{s.name} {n}" for s in systems
                               if (n := errors.get((name, clients, s.name), 0)))
            http_rows.append([name, str(clients), *(spread(values[s.name]) for s in systems),
                              *(f"{ours / statistics.median(values[p.name]):.2f}"
                                if statistics.median(values[p.name]) else "—" for p in peers),
                              failed or "none"])
    lines.append(f"\nHTTP: answered requests/s, median of {rounds} interleaved rounds of "
                 f"{seconds:g} s (aggregation {2 * seconds:g} s), min–max in brackets; the "
                 "last column counts requests refused or failed (status ≥ 400, connection "
                 "errors) over all rounds:\n")
    lines.append(table(["workload", "clients", *(s.name for s in systems),
                        *(f"Corridor ÷ {p.name}" for p in peers), "refused/failed"], http_rows))
    lines.append("\nExample queries (`queries/*.rq`), median time and result count "
                 "(≠: differs from Corridor's):\n")
    lines.append(table(["query", *(s.name for s in systems)], examples))
    return "\n".join(lines) + "\n"


@contextmanager
def running(size: str, root: Path, skip: list[str]) -> Iterator[list[System]]:
    data = ensure_data(size)
    folder = root / size
    systems: list[System] = []
    try:
        (folder / "corridor").mkdir(parents=True)
        systems.append(CorridorSystem(folder / "corridor", data))
        bundled = folder / "bundled.nq"
        bundled_part(systems[0].state, bundled)  # type: ignore[attr-defined]
        if "oxigraph" not in skip:
            (folder / "oxigraph").mkdir()
            systems.append(OxigraphSystem(folder / "oxigraph", data, bundled))
        if "virtuoso" not in skip:
            (folder / "virtuoso").mkdir()
            systems.append(VirtuosoSystem(folder / "virtuoso", data, bundled))
        yield systems
    finally:
        for system in systems:
            system.stop()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", nargs="+", default=["100k"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3, help="of each example query")
    parser.add_argument("--skip", nargs="*", default=[], choices=["oxigraph", "virtuoso"])
    args = parser.parse_args()
    text = header("Corridor beside Oxigraph server and Virtuoso (bench/peers.py)") + "\n"
    print(text, flush=True)
    with tempfile.TemporaryDirectory(prefix="corridor-bench-peers-",
                                     dir=os.environ.get("CORRIDOR_BENCH_TMP")) as tmp:
        for size in args.triples:
            with running(size, Path(tmp), args.skip) as systems:
                print(f"{size}: loaded", file=sys.stderr, flush=True)
                pairs = samples(systems[0].port)
                http, errors = http_rounds(systems, workloads(pairs), args.rounds, args.seconds)
                examples = example_queries(systems, args.runs)
                section = report(size, systems, http, errors, examples, args.rounds,
                                 args.seconds)
            text += section
            OUT.mkdir(parents=True, exist_ok=True)
            (OUT / "peers.md").write_text(text)
            print(section, flush=True)


if __name__ == "__main__":
    main()
