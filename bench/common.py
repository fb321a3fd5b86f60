"""Shared pieces of the bench scripts: the report header, percentiles, live servers, HTTP timing.

Every script prints the machine (CPU, cores, RAM), the versions (python, pyoxigraph, flask,
waitress), the command line, then its table; servers run in subprocesses on a free 127.0.0.1
port so the client never shares the GIL with them.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out"
BASE = "https://w3id.org/corridor/"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


# ---------------------------------------------------------------------------------- header
def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def ram_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("pyoxigraph", "flask", "waitress", "pyshacl", "rdflib"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def header(title: str) -> str:
    """Markdown lines naming the machine, versions, date and command of this run."""
    v = ", ".join(f"{k} {val}" for k, val in versions().items())
    cmd = " ".join(["python", *[a if " " not in a else repr(a) for a in sys.argv]])
    return (
        f"### {title}\n\n"
        f"- machine: {cpu_name()}, {os.cpu_count()} cores, {ram_gb():.0f} GB RAM, "
        f"{platform.system()} {platform.release()}\n"
        f"- versions: {v}\n"
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}\n"
        f"- command: `{cmd}`\n"
    )


def table(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def ratio(ours: float | None, raw: float | None) -> str:
    if not ours or not raw:
        return "–"
    value = ours / raw
    return f"{value:.2f}×" if value >= 0.1 else f"{value:.1g}× (1/{raw / ours:.0f})"


# ---------------------------------------------------------------------------------- stats
def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def p50(values: Sequence[float]) -> float | None:
    return percentile(values, 50) if values else None


def p99(values: Sequence[float]) -> float | None:
    return percentile(values, 99) if values else None


def timed_runs(fn: Callable[[], object], runs: int, budget: float = 30.0) -> list[float]:
    """Durations of up to ``runs`` calls of ``fn`` (stops early once ``budget`` s are spent)."""
    out: list[float] = []
    begin = time.perf_counter()
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
        if time.perf_counter() - begin > budget:
            break
    return out


# ---------------------------------------------------------------------------------- servers
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (query workers), in MiB."""
    total = 0
    pids = [pid]
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
        pids += [int(p) for p in out.split()]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class LiveServer:
    """A server subprocess on 127.0.0.1:port; ``url(path)`` and ``rss_mb()`` while it runs."""

    def __init__(self, argv: list[str], port: int, ready_path: str = "/", timeout: float = 600):
        self.port = port
        self.log = open(OUT / f"server-{port}.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(argv, cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait(ready_path, timeout)

    def _wait(self, path: str, timeout: float) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.proc.returncode}, see {self.log.name}"
                )
            try:
                status, _ = get(self.port, path, timeout=30)
                if status < 500:
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("server did not start in time")

    def rss_mb(self) -> float:
        return rss_mb(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@contextmanager
def corridor_server(store_dir: Path, threads: int = 8) -> Iterator[LiveServer]:
    """``corridor serve`` on a store folder (the real deployment path)."""
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "corridor.cli",
        "serve",
        "--store",
        str(store_dir),
        "--port",
        str(port),
        "--threads",
        str(threads),
    ]
    server = LiveServer(argv, port, ready_path="/sparql?query=ASK%7B%7D")
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def minimal_server(data: Path) -> Iterator[LiveServer]:
    """bench/minimal_app.py (Flask + pyoxigraph + waitress, a dozen lines) on ``data``: an
    N-Triples file (in memory) or a store directory (read-only on disk; see :func:`snapshot_of`)."""
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    argv = [sys.executable, str(REPO / "bench" / "minimal_app.py"), str(data), str(port)]
    server = LiveServer(argv, port, ready_path="/sparql?query=ASK%7B%7D")
    try:
        yield server
    finally:
        server.stop()


def snapshot_of(store_dir: Path) -> Path:
    """What the public endpoint reads of a Corridor store folder: the public view of the current
    version when published (same data minus withheld graphs), else its checkpoint."""
    version = json.loads((store_dir / "state.json").read_text())["version"]
    checkpoint = store_dir / "snapshots" / f"{version:012d}"
    public = checkpoint.with_name(checkpoint.name + ".public")
    return public if public.exists() else checkpoint


def network_ready(port: int, work: Path) -> bool:
    """Whether the server on ``port`` holds the collaboration network of the store's current
    version: after a start or a write it is read again in the server process (a kept analytics
    file does not say that), and pages measured meanwhile share the process with that work."""
    version = json.loads((work / "state.json").read_text())["version"]
    try:
        _status, body = get(port, "/suggest/partners", "application/json", timeout=30)
        return json.loads(body).get("version") == version
    except (OSError, ValueError):
        return False


# ---------------------------------------------------------------------------------- HTTP
def get(
    port: int,
    path: str,
    accept: str = "*/*",
    timeout: float = 120,
    conn: http.client.HTTPConnection | None = None,
) -> tuple[int, bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": accept})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        if own:
            conn.close()


def latencies(
    port: int, path: str, runs: int, accept: str = "*/*", budget: float = 30.0, warmup: int = 1
) -> tuple[list[float], int]:
    """Sequential keep-alive GETs: durations and the last status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    status = 0
    for _ in range(warmup):
        status, _ = get(port, path, accept, conn=conn)
    out: list[float] = []
    begin = time.perf_counter()
    for _ in range(runs):
        start = time.perf_counter()
        status, _ = get(port, path, accept, conn=conn)
        out.append(time.perf_counter() - start)
        if time.perf_counter() - begin > budget:
            break
    conn.close()
    return out, status


def background_done(work: Path, version: int | None = None, with_dumps: bool = True) -> bool:
    """Figures (home, VoID, DCAT), search index, dumps (written once asked for) and brokerage
    analytics of the current version are kept in the store folder ``work`` (a remote store's
    folder: give its ``version``)."""
    if version is None:
        version = json.loads((work / "state.json").read_text())["version"]
    figures = all(
        (work / "figures" / f"{name}-{version}.json.gz").exists()
        for name in ("stats", "void", "dcat-coverage")
    )
    try:
        with sqlite3.connect(work / "search.sqlite") as db:
            tag = dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.Error:
        return False
    dumps = not with_dumps or (work / "dumps" / f"{version:012d}" / "index.txt").exists()
    try:  # the brokerage analytics (betweenness, communities) of this version: its first key
        with gzip.open(work / "brokerage" / "analytics.json.gz", "rt") as f:
            head = re.match(r'\{"version": (\d+)', f.read(64))
        analytics = int(head.group(1)) if head else -1
    except OSError:
        analytics = -1
    return figures and dumps and int(tag.get("version", -1)) == version and analytics == version


def throughput(
    port: int, paths: Sequence[str], clients: int, seconds: float, accept: str = "*/*"
) -> dict[str, float]:
    """``clients`` threads with keep-alive connections GET ``paths`` in turn for ``seconds``."""
    stop = time.perf_counter() + seconds
    lat: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients

    def worker(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i = k
        while time.perf_counter() < stop:
            start = time.perf_counter()
            try:
                status, _ = get(port, paths[i % len(paths)], accept, conn=conn)
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 599
            lat[k].append(time.perf_counter() - start)
            if status >= 400:
                errors[k] += 1
            i += 1
        conn.close()

    get(port, paths[0], accept, timeout=600)  # warm-up: caches built on first use
    stop = time.perf_counter() + seconds
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    begin = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - begin
    every = [x for row in lat for x in row]
    return {
        "rps": len(every) / elapsed,
        "ok rps": (len(every) - sum(errors)) / elapsed,  # answered, not refused or failed
        "p50": p50(every) if every else 0.0,
        "p99": p99(every) if every else 0.0,
        "errors": sum(errors),
        "n": len(every),
    }


def descendants(pid: int) -> dict[int, str]:
    """Processes started (directly or not) by ``pid``, with their command lines."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    found: dict[int, str] = {}
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in parents.items():
            if ppid == parent and child not in found:
                try:
                    cmd = (Path("/proc") / str(child) / "cmdline").read_bytes()
                except OSError:
                    continue
                found[child] = cmd.replace(b"\0", b" ").decode(errors="replace")
                frontier.append(child)
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by ``pid`` and the processes it runs now."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in [pid, *descendants(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


WRK_COUNT = re.compile(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b")
WRK_REFUSED = re.compile(r"Non-2xx or 3xx responses: (\d+)")
WRK_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def wrk(ports: Sequence[int], path: str, connections: int, seconds: float,
        accept: str = "*/*", watch: Sequence[int] = ()) -> dict[str, float]:
    """Answered req/s (status < 400) of one ``wrk`` per port, run at the same time and summed,
    and the cores busy meanwhile: the servers' (``watch``, with their children) and wrk's own.

    wrk (Debian package ``wrk``) is a C load generator: a Python client process costs about as
    much CPU per request as the server, which on a small machine caps what it can show."""
    for port in ports:
        get(port, path, accept, timeout=600)  # warm-up: caches built on first use
    before = [cpu_seconds(pid) for pid in watch]
    children = os.times()
    began = time.perf_counter()
    runs = [subprocess.Popen(["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s",
                              "-H", f"Accept: {accept}", f"http://127.0.0.1:{port}{path}"],
                             stdout=subprocess.PIPE, text=True) for port in ports]
    outs = [run.communicate()[0] for run in runs]
    elapsed = time.perf_counter() - began
    busy = {f"cores, server {i + 1}": (cpu_seconds(pid) - before[i]) / elapsed
            for i, pid in enumerate(watch)}
    after = os.times()
    busy["cores, wrk"] = ((after.children_user - children.children_user)
                          + (after.children_system - children.children_system)) / elapsed
    rate = 0.0
    for out in outs:
        count = WRK_COUNT.search(out)
        if count is None:
            raise RuntimeError(f"wrk printed no count: {out}")
        refused = WRK_REFUSED.search(out)
        answered = int(count.group(1)) - (int(refused.group(1)) if refused else 0)
        rate += answered / (float(count.group(2)) * WRK_UNITS[count.group(3)])
    return {"ok rps": rate, **busy}


def ensure_data(triples: str, seed: int = 42) -> Path:
    """bench/out/<triples>.nt, generated once (e.g. ``ensure_data("1M")``)."""
    from generate import generate, parse_count  # bench/ is on sys.path when run as a script

    path = OUT / f"{triples.lower()}.nt"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        generate(parse_count(triples), path, seed)
    return path


BUNDLED_LOADER = (
    "import sys; from pathlib import Path; from corridor.config import Config;"
    " from corridor.store import open_store; from corridor.ingest.loader import load_bundled;"
    " s = open_store(Config(store_dir=Path(sys.argv[1]))); load_bundled(s)"
)


def ensure_store(triples: str) -> Path:
    """bench/out/stores/<triples>: bundled data plus the synthetic file (``corridor load``)."""
    nt = ensure_data(triples)
    store_dir = OUT / "stores" / triples.lower()
    marker = store_dir / ".bench-loaded"
    if not marker.exists():
        if store_dir.exists():
            shutil.rmtree(store_dir)
        subprocess.run([sys.executable, "-c", BUNDLED_LOADER, str(store_dir)], cwd=REPO, check=True)
        subprocess.run(corridor("load", store_dir, "--no-validate", str(nt)), cwd=REPO, check=True)
        marker.write_text(nt.name)
    return store_dir


def corridor(command: str, store_dir: Path, *args: str) -> list[str]:
    """argv of ``corridor COMMAND --store STORE_DIR ARGS...`` in this interpreter."""
    return [sys.executable, "-m", "corridor.cli", command, "--store", str(store_dir), *args]


def write_section(name: str, text: str) -> Path:
    """Keep a script's printed table in bench/out/<name>.md for run_all.py to collect."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.md"
    path.write_text(text)
    return path
