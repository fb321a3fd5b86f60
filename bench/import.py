"""Import throughput: the H2020 network through `corridor import`, validated, beside
pyoxigraph's raw ``bulk_load`` of the triples that import produced; then 5,000-row imports into
the store that holds the network.

    python bench/import.py [--tmp bench/out] [--rows 5000] [--keep]

1. store A (bundled data, as `corridor serve` starts): ``tables.import_files`` of the bundled
   mapping ``cordis-h2020-network`` over the participations except the last N rows and the
   programme parts, SHACL write check on: timed.
2. the import graphs of A dumped as N-Triples; a store with the bundled data: ``Store.bulk_load``
   of that file into one graph: timed (no mapping, no checks, no provenance).
3. the last N participation rows (new to the store: a release that adds them) imported into A,
   validated: timed; A now holds the whole network.
4. the first N participation rows (already in the store: a newer release restating them)
   imported into A, validated: timed.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parents[1]


from corridor.config import Config  # noqa: E402
from corridor.ingest import tables  # noqa: E402
from corridor.ingest.loader import load_bundled  # noqa: E402
from corridor.store import open_store  # noqa: E402
from corridor.validation import write_check  # noqa: E402

NETWORK = Path("/work/shared/realdata/cordis-h2020-network")


def fresh(root: Path, name: str) -> object:
    store = open_store(Config.from_env().with_(store_dir=root / name))
    load_bundled(store)
    return store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tmp", default=str(REPO / "bench" / "out"))
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--data", default=str(NETWORK))
    parser.add_argument("--keep", action="store_true", help="keep the stores (in --tmp)")
    args = parser.parse_args()
    Path(args.tmp).mkdir(parents=True, exist_ok=True)
    data = Path(args.data)
    participations = data / "h2020_participations.csv.gz"
    mapping = tables.load_mapping("cordis-h2020-network")
    with contextlib.ExitStack() as stack:
        tmp = tempfile.mkdtemp(dir=args.tmp)
        if not args.keep:
            stack.callback(shutil.rmtree, tmp, True)
        root = Path(tmp)
        print(f"stores in {root}", file=sys.stderr)
        with gzip.open(participations, "rt", encoding="utf-8", newline="") as f:
            lines = f.readlines()
        head = root / "h2020_participations_head.csv.gz"
        tail = root / f"h2020_participations_last{args.rows}.csv"
        first = root / f"h2020_participations_first{args.rows}.csv"
        with gzip.open(head, "wt", encoding="utf-8", newline="") as out:
            out.writelines(lines[:-args.rows])
        tail.write_text(lines[0] + "".join(lines[-args.rows:]), encoding="utf-8")
        first.write_text("".join(lines[:args.rows + 1]), encoding="utf-8")
        files = [head, data / "h2020_programme_parts.csv.gz"]
        a = fresh(root, "a")
        started, cpu = time.perf_counter(), time.process_time()
        results = tables.import_files(a, mapping, files, check=write_check(a))  # type: ignore[arg-type]
        t_import, c_import = time.perf_counter() - started, time.process_time() - cpu
        print(f"import: {t_import:.1f} s", file=sys.stderr)
        graphs = sorted({r.graph for r in results}) + [a.config.graph_iri(tables.PLACEHOLDER_GRAPH)]
        dump = root / "import.nt"
        with open(dump, "wb") as out:
            for g in graphs:
                a.dump(out, ox.RdfFormat.N_TRIPLES, g)  # type: ignore[attr-defined]
        with open(dump, "rb") as f:
            triples = sum(1 for _ in f)
        b = fresh(root, "b")
        raw = ox.Store(str(root / "raw"))
        raw.bulk_extend(b.reader().quads_for_pattern(None, None, None, None))  # type: ignore[attr-defined]
        del b
        started, cpu = time.perf_counter(), time.process_time()
        raw.bulk_load(path=str(dump), format=ox.RdfFormat.N_TRIPLES,
                      to_graph=ox.NamedNode("https://w3id.org/corridor/graph/raw"))
        raw.flush()
        t_raw, c_raw = time.perf_counter() - started, time.process_time() - cpu
        print(f"raw bulk_load: {t_raw:.1f} s", file=sys.stderr)
        timings = {}
        for name, part in (("new", tail), ("restated", first)):
            started, cpu = time.perf_counter(), time.process_time()
            tables.import_files(a, mapping, [part], check=write_check(a))  # type: ignore[arg-type]
            timings[name] = (time.perf_counter() - started, time.process_time() - cpu)
            print(f"{name} {args.rows} rows: {timings[name][0]:.1f} s", file=sys.stderr)
        rows = sum(r.rows for r in results)
        print(f"machine: {platform.processor() or platform.machine()}, python "
              f"{platform.python_version()}, pyoxigraph {ox.__version__}")
        print(f"command: python bench/import.py --rows {args.rows}")
        print(f"source rows: {rows} ({', '.join(f.name for f in files)}); triples produced: "
              f"{triples}; store A holds {len(a.reader())} quads after the import")  # type: ignore[attr-defined]
        print()
        print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
              f"on {os.cpu_count()} CPUs")
        print()
        print("| step | wall s | CPU s | triples/s (wall) | vs bulk_load (wall) | (CPU) |")
        print("|---|---:|---:|---:|---:|---:|")
        print(f"| pyoxigraph bulk_load of the produced triples | {t_raw:.2f} | {c_raw:.2f} | "
              f"{triples / t_raw:,.0f} | 100% | 100% |")
        print(f"| corridor import (map + SHACL + store) | {t_import:.2f} | {c_import:.2f} | "
              f"{triples / t_import:,.0f} | {t_raw / t_import:.0%} | {c_raw / c_import:.0%} |")
        for name, what in (("new", "import of the last {} rows (new to the store)"),
                           ("restated", "re-import of the first {} rows (already held)")):
            wall, cpu_s = timings[name]
            print(f"| {what.format(args.rows)}, validated | {wall:.2f} | {cpu_s:.2f} | | | |")
        shutil.rmtree(root / "raw", ignore_errors=True)


if __name__ == "__main__":
    main()
