"""Table 5: validating a small change (one new project file) into a store holding N triples.

    python bench/validation.py --triples 5M

The change is one synthetic project (5-20 participations of organisations already in the
store, its amounts and, if drawn, an event) written by bench/generate.py with an index beyond
the data set. Measured on a copy-free path, in one process:

* validation alone: ``Validator.validate_store(store, focus)`` (the SPARQL fast path, focus =
  the subjects of the change, expanded by the validator to their neighbours) on a pyoxigraph
  store opened on a scratch checkpoint holding the change;
* the whole validated write: ``store.transaction(..., check=write_check(store))`` adding the
  change as its own graph (scratch checkpoint, SHACL, publish), then the graph is dropped again;
* with ``--http``, a Graph Store PUT of the file into a running ``corridor serve``;
* ``corridor load FILE`` end to end (a new process: start-up, parse, validate, publish);
* the raw engine: ``Store.load`` of the same file into the primary, no checks.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pyoxigraph as ox

from corridor.validation import validator_for, write_check

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from generate import Generator, nuts3_regions  # noqa: E402

CHANGE_INDEX = 9_999_999


def write_change(path: Path, seed: int = 42) -> tuple[int, list[str]]:
    """One project file; returns (triples, subjects)."""
    gen = Generator(seed, nuts3_regions())
    gen.org_count = 100  # existing organisations 0-99 are in every generated data set
    lines = list(gen.project(CHANGE_INDEX))
    for m in gen._fresh:
        lines += list(gen.organisation(m))
    path.write_text("".join(lines), encoding="utf-8")
    subjects = sorted({ln.split(" ", 1)[0][1:-1] for ln in lines})
    return len(lines), subjects


class StageTimes:
    """Wall-clock time of chosen methods, per call, by wrapping them on the instance."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}
        self._wrapped: list[tuple[object, str]] = []
        self.active = False  # only calls made while active are counted

    def wrap(self, obj: object, name: str, label: str) -> None:
        original = getattr(obj, name)
        self.times[label] = []

        def timed(*args: object, **kwargs: object) -> object:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                if self.active:
                    self.times[label].append(time.perf_counter() - start)

        setattr(obj, name, timed)
        self._wrapped.append((obj, name))

    def unwrap(self) -> None:
        for obj, name in self._wrapped:
            delattr(obj, name)  # the class attribute shows through again
        self._wrapped.clear()

    def rows(self) -> list[list[str]]:
        return [
            [label, common.ms(common.p50(t)) if t else "–", common.ms(max(t, default=None))]
            for label, t in self.times.items()
        ]


def working_copy(ready: Path, triples: str) -> Path:
    """A fresh copy of the ready store: the bench writes (and undoes) versions, others read it."""
    work = common.OUT / "work" / f"validation-{triples.lower()}"
    shutil.rmtree(work, ignore_errors=True)
    work.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ready, work)
    return work


def time_cli(store_dir: Path, graph: str, change: Path, runs: int) -> list[float]:
    """`corridor load FILE` end to end in its own process, then the graph is dropped again.

    Run before this process opens the store: RocksDB allows one process per store folder.
    """
    cli_times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            common.corridor("load", store_dir, "--graph", graph, str(change)),
            cwd=common.REPO,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"corridor load failed ({done.returncode}): {done.stderr[-2000:]}")
        cli_times.append(time.perf_counter() - start)
        subprocess.run(
            common.corridor("drop", store_dir, graph),
            cwd=common.REPO,
            check=True,
            capture_output=True,
        )

    return cli_times


def time_put(store_dir: Path, graph: str, change: Path, runs: int) -> list[float]:
    """A Graph Store PUT of the change (N-Triples) into its own graph through `corridor serve`,
    then a DELETE; between writes the server's background work (figures, search index) is left
    1 s to run, as it would between a steward's writes."""
    token = "bench-token"
    os.environ["CORRIDOR_WRITE_TOKEN"] = token
    body = change.read_bytes()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/n-triples"}
    path = "/graph-store?graph=" + urllib.parse.quote(graph, safe="")
    times: list[float] = []
    with common.corridor_server(store_dir) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
        for _ in range(runs):
            time.sleep(1.0)
            start = time.perf_counter()
            conn.request("PUT", path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            times.append(time.perf_counter() - start)
            if resp.status not in (200, 201, 204):
                raise SystemExit(f"PUT failed: {resp.status}")
            print(f"PUT: {times[-1]:.3f} s", file=sys.stderr, flush=True)
            time.sleep(1.0)
            conn.request("DELETE", path, headers={"Authorization": headers["Authorization"]})
            conn.getresponse().read()
        conn.close()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", default="5M")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cli", action="store_true", help="also time `corridor load`")
    parser.add_argument("--http", action="store_true", help="also time a Graph Store PUT")
    parser.add_argument("--store", type=Path, help="store folder (default: bench/out/stores/N)")
    args = parser.parse_args(argv)
    store_dir = args.store or working_copy(common.ensure_store(args.triples), args.triples)
    change = common.OUT / "change-one-project.nt"
    n_triples, subjects = write_change(change)
    random.seed(0)

    from corridor.config import Config
    from corridor.store import open_store

    config = Config(store_dir=store_dir)
    graph = config.graph_iri("bench-change")
    cli_times = time_cli(store_dir, graph, change, min(3, args.runs) if args.cli else 0)
    put_times = time_put(store_dir, graph, change, max(args.runs, 20)) if args.http else []
    store = open_store(config)
    quads = list(ox.parse(path=str(change), format=ox.RdfFormat.N_TRIPLES))
    validator = validator_for(store)

    # validation alone, on a scratch copy holding the change
    scratch_dir = common.OUT / "scratch-validation"
    shutil.rmtree(scratch_dir, ignore_errors=True)
    store._primary.backup(str(scratch_dir))  # RocksDB checkpoint: hard links
    scratch = ox.Store(str(scratch_dir))
    scratch.extend(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(graph)) for q in quads)
    validate_times, verdict, results = [], None, 0
    validator.validate_store(scratch, subjects)  # warm-up: compiles the shapes
    for _ in range(args.runs):
        start = time.perf_counter()
        report = validator.validate_store(scratch, subjects)
        validate_times.append(time.perf_counter() - start)
        verdict, results = report.conforms, len(report.results)
        print(f"validate_store: {validate_times[-1]:.3f} s conforms={verdict}", file=sys.stderr,
              flush=True)
    del scratch
    shutil.rmtree(scratch_dir, ignore_errors=True)

    # the whole validated write through the store interface, with where its time goes
    write_times = []
    stages = StageTimes()
    stages.wrap(store, "_make_scratch", "scratch checkpoint (RocksDB backup of the primary)")
    stages.wrap(validator, "expand_focus", "SHACL: expand the focus one hop")
    stages.wrap(validator._compiled, "run", "SHACL: target members + check queries")
    stages.wrap(validator, "validate_store", "SHACL: whole check (expand + queries)")
    stages.wrap(store, "_adopt_scratch", "adopt the scratch copy as the primary")
    stages.wrap(store, "_commit", "publish: the whole commit (rows below, listeners)")
    stages.wrap(store, "_publish_snapshot", "publish: checkpoint of the primary")
    stages.wrap(store, "_publish_public_view",
                "publish: public view cut from the primary (part of the checkpoint row)")
    stages.wrap(store, "_set_reader", "publish: open the new version for readers")
    stages.wrap(store._log, "append", "publish: change-log entry")
    stages.wrap(store, "_restore_primary", "roll back (restore the primary from the checkpoint)")
    for _ in range(args.runs):
        stages.active = True
        start = time.perf_counter()
        with store.transaction("bench: one project", check=write_check(store)) as txn:
            txn.add_to_graph(graph, quads)
        write_times.append(time.perf_counter() - start)
        stages.active = False
        print(f"validated write: {write_times[-1]:.3f} s", file=sys.stderr, flush=True)
        with store.transaction("bench: undo") as txn:
            txn.drop_graph(graph)
    stages.unwrap()
    del store

    # the raw engine: load the file into a checkpoint copy, no checks
    raw_dir = common.OUT / "scratch-raw"
    shutil.rmtree(raw_dir, ignore_errors=True)
    shutil.copytree(Path(open_store(config, read_only=True).snapshot_path), raw_dir)
    raw = ox.Store(str(raw_dir))
    raw_times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        raw.load(path=str(change), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
        raw_times.append(time.perf_counter() - start)
        raw.clear_graph(ox.NamedNode(graph))
    del raw
    shutil.rmtree(raw_dir, ignore_errors=True)


    raw_p50 = common.p50(raw_times)
    rows = [
        [
            "SHACL fast path on the change's focus (validate_store)",
            common.ms(common.p50(validate_times)),
            common.ms(max(validate_times)),
            f"conforms={verdict}, {results} result(s)",
        ],
        [
            "validated write: transaction + shacl_check + publish",
            common.ms(common.p50(write_times)),
            common.ms(max(write_times)),
            "",
        ],
        [
            "Graph Store PUT of the file over HTTP (`corridor serve`, token)",
            common.ms(common.p50(put_times)),
            common.ms(max(put_times, default=None)),
            "then DELETE of the graph; the next PUT waits for the server to settle",
        ],
        [
            "`corridor load FILE` (new process, end to end)",
            common.ms(common.p50(cli_times)),
            common.ms(max(cli_times, default=None)),
            "",
        ],
        [
            "raw: pyoxigraph Store.load of the same file, no checks",
            common.ms(raw_p50),
            common.ms(max(raw_times)),
            "the raw engine's floor",
        ],
    ]
    text = common.header(
        f"Table 5 — validating a one-project change ({n_triples} triples, {len(subjects)} "
        f"subjects) into a {args.triples}-triple store"
    )
    text += "\n" + common.table(["path", "p50", "max", "note"], rows)
    text += "\n\nWhere the validated write's time goes (p50 per write):\n\n"
    text += common.table(["stage", "p50", "max"], stages.rows())
    print(text)
    common.write_section(f"validation-{args.triples.lower()}", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
