"""Load throughput: `corridor load` with and without validation vs pyoxigraph's bulk_load.

    python bench/load.py --triples 1000000
    python bench/load.py --file bench/out/1m.nt      # an existing N-Triples file (generate.py)

Builds a store holding the bundled ontology, shapes and data (as `corridor serve` does on first
start), writes a synthetic N-Triples file of conforming projects (the generator of
bench/validation_speed.py) unless ``--file`` names one, then loads that file into three copies
of the store: pyoxigraph ``Store.bulk_load`` (no checks, no provenance), ``corridor load
--no-validate`` and ``corridor load`` (validated), and prints one table. Files of at least
``loader.FAST_PATH_BYTES`` take the loader's fast path (Rust bulk_load into the scratch copy,
whole-store SHACL on an in-memory copy in parallel). All stores live in one temporary folder
(``--tmp``, default bench/out) so that every load writes to the same filesystem.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from validation_speed import (  # noqa: E402
    BASE,
    COR,
    DCT,
    RDF_TYPE,
    RDFS,
    nuts3_regions,
    project_triples,
)

from corridor.cli import main as corridor  # noqa: E402
from corridor.config import Config  # noqa: E402
from corridor.ingest import loader  # noqa: E402
from corridor.ingest.loader import load_bundled  # noqa: E402
from corridor.store import open_store  # noqa: E402


def write_synthetic(path: Path, triples: int, regions: list[tuple[str, str]], seed: int) -> int:
    """Conforming projects as N-Triples (plus the source document they cite)."""
    rng = random.Random(seed)
    src = f"<{BASE}id/source/bench>"
    count = 4
    with open(path, "w", encoding="utf-8") as out:
        out.write(f'{src} <{RDF_TYPE}> <{COR}SourceDocument> .\n{src} <{RDFS}label> "Bench"@en .\n'
                  f'{src} <{DCT}title> "Bench"@en .\n{src} <{DCT}identifier> "bench" .\n')
        i = 0
        while count < triples:
            lines = project_triples(i, rng, regions)
            out.write("\n".join(lines) + "\n")
            count += len(lines)
            i += 1
    return count


def timed(fn):  # noqa: ANN001, ANN201 - tiny helper
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def quiet_cli(*argv: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as e:
        code = corridor(list(argv))
    if code != 0:
        raise SystemExit(f"corridor {' '.join(argv)} failed ({code}): {e.getvalue()[:2000]}")
    return code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--file", type=Path, help="load this N-Triples file instead")
    parser.add_argument("--tmp", type=Path, default=REPO / "bench" / "out",
                        help="folder for the temporary stores (same filesystem for all)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-validation", action="store_true",
                        help="only bulk_load and corridor load --no-validate")
    args = parser.parse_args()
    graph = f"{BASE}graph/bench"
    args.tmp.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="load-bench-", dir=args.tmp) as tmp:
        tmp = Path(tmp)
        base_dir = tmp / "base"
        base = open_store(Config(store_dir=base_dir))
        load_bundled(base)
        regions = nuts3_regions(base.reader())
        base = None
        gc.collect()
        if args.file:
            data = args.file.resolve()
            with open(data, "rb") as lines:
                n = sum(1 for line in lines if line.strip() and not line.startswith(b"#"))
        else:
            data = tmp / "bench.nt"
            n = write_synthetic(data, args.triples, regions, args.seed)
        size = data.stat().st_size

        def copy(name: str) -> Path:
            shutil.copytree(base_dir, tmp / name)
            return tmp / name

        print(f"# Load throughput ({platform.node()}, {platform.machine()}, {os.cpu_count()} CPUs, "
              f"Python {platform.python_version()}, pyoxigraph {ox.__version__})")
        print(f"command: python {' '.join(sys.argv)}")
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        fast = size >= loader.FAST_PATH_BYTES
        print(f"file: {data.name}, {n} triples, {size / 1e6:.0f} MB N-Triples, into a store "
              f"holding the bundled data; loader fast path: {'yes' if fast else 'no'}\n")
        print(f"| {'load':30} | {'seconds':>8} | {'triples/s':>10} | {'vs bulk_load':>12} |")
        print(f"|{'-' * 32}|{'-' * 10}|{'-' * 12}|{'-' * 14}|", flush=True)
        reference = 0.0

        def row(name: str, secs: float) -> None:
            print(f"| {name:30} | {secs:8.2f} | {n / secs:10.0f} | {reference / secs:11.0%} |",
                  flush=True)

        raw_dir = copy("raw")
        raw = ox.Store(str(raw_dir / "primary"))
        reference, _ = timed(lambda: raw.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES,
                                                   to_graph=ox.NamedNode(graph)))
        row("pyoxigraph Store.bulk_load", reference)
        raw = None
        gc.collect()
        plain = copy("plain")
        t, _ = timed(lambda: quiet_cli("--store", str(plain), "load", "--no-validate",
                                       "--graph", graph, str(data)))
        row("corridor load --no-validate", t)
        if not args.skip_validation:
            checked = copy("checked")
            t, _ = timed(lambda: quiet_cli("--store", str(checked), "load", "--graph", graph,
                                           str(data)))
            row("corridor load (validated)", t)
        print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
