"""Real remote SPARQL 1.1 stores for the tests: Oxigraph server (PyPI ``oxigraph``) and
Virtuoso 7 (Debian ``virtuoso-opensource``), each started in a temporary folder on a port of
18800-18899, with a pool that hands each store of a test an empty dataset of its own. Several
test processes run at once (scripts/test.sh): a port is claimed with a lock file first.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

PORTS = range(18800, 18900)
_port_lock = threading.Lock()
_taken: set[int] = set()
_claims: list[int] = []  # lock files held for this process's lifetime (one per port it took)
_CLAIMS = Path(tempfile.gettempdir()) / "corridor-test-ports"
VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt") or shutil.which("isql")
OXIGRAPH = shutil.which("oxigraph") or (
    str(Path(sys.executable).with_name("oxigraph"))
    if Path(sys.executable).with_name("oxigraph").exists() else None)


def _claim(port: int) -> bool:
    """Whether this process now holds ``port``'s lock file (no other process can)."""
    _CLAIMS.mkdir(exist_ok=True)
    fd = os.open(_CLAIMS / str(port), os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return False
    _claims.append(fd)
    return True


def free_port() -> int:
    """A port of our range nobody listens on and no other test process has claimed between
    choosing it and its server binding it (ours are remembered: no double use)."""
    with _port_lock:
        for port in PORTS:
            if port in _taken or not _claim(port):
                continue
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
            _taken.add(port)
            return port
    raise RuntimeError("no free port in 18800-18899")


def _post(url: str, field: str, text: str, timeout: float = 30) -> bytes:
    body = urllib.parse.urlencode({field: text}).encode()
    request = urllib.request.Request(url, data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def _wait_for(url: str, process: subprocess.Popen, seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited: {log.read_text()[-2000:]}")
        try:
            _post(url, "query", "ASK {}", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url}: no answer within {seconds} s")


class RemoteServer:
    """One running server; ``settings()`` are the Config fields pointing Corridor at it."""

    kind = ""
    query_url = update_url = gsp_url = ""

    def settings(self) -> dict[str, object]:
        return {"store_url": self.query_url, "update_url": self.update_url,
                "gsp_url": self.gsp_url, "remote_poll": 0.2}

    def wipe(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class OxigraphServer(RemoteServer):
    kind = "oxigraph"

    def __init__(self, folder: Path, timeout_s: float | None = 5) -> None:
        self.port = free_port()
        base = f"http://127.0.0.1:{self.port}"
        self.query_url, self.update_url, self.gsp_url = (
            base + "/query", base + "/update", base + "/store")
        log = folder / "oxigraph.log"
        command = [str(OXIGRAPH), "serve", "-l", str(folder / "data"),
                   "-b", f"127.0.0.1:{self.port}"]
        if timeout_s:
            command += ["--timeout-s", str(timeout_s)]
        self.process = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)
        _wait_for(self.query_url, self.process, 30, log)

    def wipe(self) -> None:
        _post(self.update_url, "update", "DROP ALL")


VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {isql}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {dir}
ThreadsPerQuery = 2
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
MaxQueryMem = 500M
; one write of a few million triples is one transaction (default limit 50 MB: SR325)
TransactionAfterImageLimit = {after_image}

[HTTPServer]
ServerPort = {http}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 16
ServerThreads = 16
KeepAliveTimeout = 10
Charset = UTF-8
EnabledGzipContent = 0

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = {max_execution_s}
"""


class VirtuosoServer(RemoteServer):
    kind = "virtuoso"
    # Virtuoso's own graphs, present in a fresh database
    SYSTEM = ("http://www.openlinksw.com/", "http://www.w3.org/ns/ldp#",
              "http://www.w3.org/2002/07/owl#", "http://localhost:")

    def __init__(self, folder: Path, *, buffers: int = 10_000, max_execution_s: int = 60,
                 after_image: int = 1_500_000_000) -> None:
        """The tests' small server by default; the benchmarks size it for millions of triples
        (8 KiB buffers; an update's execution time is limited as a query's is: SR171)."""
        self.port, self.isql_port = free_port(), free_port()
        base = f"http://127.0.0.1:{self.port}"
        self.query_url = self.update_url = base + "/sparql"
        self.gsp_url = base + "/sparql-graph-crud"
        ini = folder / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(
            dir=folder, isql=self.isql_port, http=self.port, buffers=buffers,
            dirty=buffers * 3 // 5, after_image=after_image, max_execution_s=max_execution_s))
        log = folder / "virtuoso.log"
        self.process = subprocess.Popen(
            [str(VIRTUOSO), "+foreground", "+configfile", str(ini)], cwd=folder,
            stdout=(folder / "stdout.log").open("wb"), stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not log.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        _wait_for(self.query_url, self.process, 120, log)
        # the anonymous SPARQL user may update (the test server listens on 127.0.0.1 only)
        subprocess.run([str(ISQL), str(self.isql_port), "dba", "dba",
                        "exec=GRANT SPARQL_UPDATE TO \"SPARQL\";"],
                       check=True, capture_output=True, timeout=60)

    def wipe(self) -> None:
        import json

        rows = json.loads(_post(self.query_url, "query",
                                "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"))
        for row in rows["results"]["bindings"]:
            graph = row["g"]["value"]
            if not graph.startswith(self.SYSTEM):
                _post(self.update_url, "update", f"DROP SILENT GRAPH <{graph}>")


class ServerPool:
    """Servers of one kind; ``acquire()`` gives one with an empty dataset."""

    def __init__(self, kind: str, root: Path) -> None:
        self.kind, self.root = kind, root
        self._free: list[RemoteServer] = []
        self._all: list[RemoteServer] = []
        self._lock = threading.Lock()
        self._numbers = itertools.count()  # a server that failed to start keeps its folder

    def acquire(self) -> RemoteServer:
        with self._lock:
            server = self._free.pop() if self._free else None
        if server is None:
            folder = self.root / f"{self.kind}-{next(self._numbers)}"
            folder.mkdir(parents=True)
            server = OxigraphServer(folder) if self.kind == "oxigraph" else VirtuosoServer(folder)
            self._all.append(server)
        else:
            server.wipe()
        return server

    def release(self, server: RemoteServer) -> None:
        with self._lock:
            self._free.append(server)

    def stop(self) -> None:
        for server in self._all:
            server.stop()


def missing(kind: str) -> str | None:
    """Why servers of ``kind`` cannot run here (None: they can)."""
    if kind == "oxigraph" and not OXIGRAPH:
        return "the `oxigraph` server binary is missing (pip install oxigraph; scripts/setup.sh)"
    if kind == "virtuoso" and not (VIRTUOSO and ISQL):
        return "Virtuoso 7 is missing (apt-get install virtuoso-opensource; scripts/setup.sh)"
    if kind == "virtuoso" and not os.path.isdir("/var/lib/virtuoso-opensource-7/vsp"):
        return "Virtuoso 7 is incompletely installed (no vsp folder)"
    return None
