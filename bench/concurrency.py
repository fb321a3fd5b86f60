"""Table 3: requests/s at 1, 4 and 16 concurrent clients, Corridor vs a minimal Flask app.

    python bench/concurrency.py --triples 1M [--seconds 5]

Same machine, same run, same WSGI server (waitress): ``corridor serve`` on a store holding the
bundled data plus the synthetic file, and bench/minimal_app.py (Flask + pyoxigraph, a dozen
lines) opened read-only on the same on-disk data (the public view Corridor's endpoint reads).
Workloads: a small SELECT (10 rows) on both; resource pages (/id/project/..., HTML and Turtle)
beside the minimal app's /describe (the resource's triples as Turtle, no page). Clients are
threads in this process with keep-alive connections, so at 16 clients the client shares the 2
cores too.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

SMALL_SELECT = (
    "PREFIX cor: <https://w3id.org/corridor/ontology#> "
    "SELECT ?participation ?organisation WHERE { ?participation cor:project "
    "<https://w3id.org/corridor/id/project/smart-reg0> ; cor:organisation ?organisation } LIMIT 10"
)
CLIENTS = (1, 4, 16)
JSON = "application/sparql-results+json"


def project_paths(nt_file: Path, count: int = 50) -> list[str]:
    """Paths of the first ``count`` synthetic projects (read from the N-Triples file)."""
    out: list[str] = []
    marker = "<https://w3id.org/corridor/id/project/"
    with open(nt_file, encoding="utf-8") as f:
        for line in f:
            if line.startswith(marker) and "#type>" in line and "Project>" in line:
                out.append("/" + line.split(">", 1)[0][len("<https://w3id.org/corridor/") :])
                if len(out) >= count:
                    break
    return out


def first_project_select(nt_file: Path) -> str:
    iri = "https://w3id.org/corridor" + project_paths(nt_file, 1)[0]
    return SMALL_SELECT.replace("https://w3id.org/corridor/id/project/smart-reg0", iri)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", default="1M")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    nt = common.ensure_data(args.triples)
    ready = common.ensure_store(args.triples)
    # serve a private copy (shared with bench/pages.py): serving writes the search index and
    # the figures into the store folder, and the ready store is read by others
    store_dir = common.OUT / "work" / f"pages-{args.triples.lower()}"
    if not (store_dir / "state.json").exists():
        shutil.rmtree(store_dir, ignore_errors=True)
        store_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(ready, store_dir)
    select_path = "/sparql?query=" + quote(first_project_select(nt))
    pages = project_paths(nt)
    describe = ["/describe?iri=" + quote("https://w3id.org/corridor" + p, safe="") for p in pages]
    workloads = [  # name, Corridor paths, Accept, minimal-app paths, Accept
        ("small SELECT", [select_path], JSON, [select_path], JSON),
        ("resource page (HTML)", pages, "text/html", describe, "text/turtle"),
        ("resource (Turtle)", pages, "text/turtle", describe, "text/turtle"),
    ]
    minimal: dict[tuple[str, int], dict[str, float]] = {}
    with common.minimal_server(common.snapshot_of(store_dir)) as server:
        for name, _, _, paths, accept in workloads:
            for n in CLIENTS:
                minimal[name, n] = common.throughput(server.port, paths, n, args.seconds, accept)
    rows = []
    with common.corridor_server(store_dir) as server:
        for name, paths, accept, _, _ in workloads:
            for n in CLIENTS:
                ours = common.throughput(server.port, paths, n, args.seconds, accept)
                base = minimal[name, n]
                rows.append([
                    name, n, f"{ours['rps']:.0f}", common.ms(ours["p50"]), common.ms(ours["p99"]),
                    f"{base['rps']:.0f}", common.ms(base["p99"]),
                    f"{ours['rps'] / base['rps']:.0%}", ours["errors"],
                ])
        rss = server.rss_mb()
    text = common.header(f"Table 3 — throughput under concurrent clients ({args.triples} triples)")
    text += "\n" + common.table(
        [
            "workload",
            "clients",
            "Corridor req/s",
            "p50",
            "p99",
            "minimal app req/s",
            "minimal p99",
            "Corridor/minimal",
            "errors",
        ],
        rows,
    )
    text += f"\n- resident memory of `corridor serve` after the run: {rss:.0f} MiB\n"
    print(text)
    common.write_section(f"concurrency-{args.triples.lower()}", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
