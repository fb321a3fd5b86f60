"""Table 4: resource page, home, facet, search, VoID and DCAT response times.

    python bench/pages.py --triples 5M [--runs 30]

``corridor serve`` on a store holding the bundled data plus the synthetic file. For each page:
the first request after start (cold: caches of whole-graph figures are built then), then p50/p99
of ``--runs`` warm requests. Beside each, the raw engine doing the nearest equivalent work in
process on the same checkpoint (a DESCRIBE for a resource page, the whole-graph aggregation a
home or facet page needs without a cache, a FILTER(CONTAINS) scan for search, class partition
counts for VoID).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from concurrency import project_paths  # noqa: E402

from queries import raw_store  # noqa: E402

COR = "https://w3id.org/corridor/ontology#"
RAW = {
    "describe": "DESCRIBE <{project}>",
    "projects per programme": (
        f"SELECT ?p (COUNT(?x) AS ?n) WHERE {{ ?x <{COR}programme> ?p }} GROUP BY ?p"),
    "projects per country": (
        f"SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?pa <{COR}project> ?x ; "
        f"<{COR}organisation>/<{COR}country> ?c }} GROUP BY ?c"
    ),
    "title contains": (
        "SELECT ?s ?t WHERE { ?s <http://purl.org/dc/terms/title> ?t "
        'FILTER(CONTAINS(LCASE(STR(?t)), "smart")) } LIMIT 20'
    ),
    "class partitions": "SELECT ?c (COUNT(*) AS ?n) WHERE { ?s a ?c } GROUP BY ?c",
}


def raw_time(store, text: str, runs: int = 3) -> float:  # noqa: ANN001 - pyoxigraph Store
    durations = []
    for _ in range(runs):
        start = time.perf_counter()
        result = store.query(text, use_default_graph_as_union=True)
        list(result)
        durations.append(time.perf_counter() - start)
        if durations[-1] > 2:
            break
    return common.p50(durations)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", default="5M")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    nt = common.ensure_data(args.triples)
    store_dir = common.ensure_store(args.triples)
    project = project_paths(nt, 1)[0]
    project_iri = "https://w3id.org/corridor" + project
    pages = [
        ("resource page (HTML)", project, "text/html", "describe"),
        ("resource page (Turtle)", project, "text/turtle", "describe"),
        ("home page", "/", "text/html", "projects per programme"),
        ("browse projects (facets)", "/browse/projects", "text/html", "projects per country"),
        (
            "facet: one country",
            "/browse/projects?country="
            + quote("http://publications.europa.eu/resource/authority/country/DEU"),
            "text/html",
            "projects per country",
        ),
        ("search 'smart'", "/search?q=smart", "text/html", "title contains"),
        ("search 'université'", "/search?q=" + quote("université"), "text/html", "title contains"),
        ("VoID", "/.well-known/void", "text/turtle", "class partitions"),
        ("DCAT catalogue", "/catalog", "text/turtle", "class partitions"),
    ]
    raw = raw_store(store_dir)
    raw_figures = {k: raw_time(raw, v.replace("{project}", project_iri)) for k, v in RAW.items()}
    del raw
    rows = []
    with common.corridor_server(store_dir) as server:
        start_rss = server.rss_mb()
        for name, path, accept, raw_key in pages:
            start = time.perf_counter()
            status, _ = common.get(server.port, path, accept, timeout=600)
            cold = time.perf_counter() - start
            lat, status = common.latencies(
                server.port, path, args.runs, accept, budget=20, warmup=0
            )
            raw_p50 = raw_figures[raw_key]
            rows.append(
                [
                    name,
                    status,
                    common.ms(cold),
                    common.ms(common.p50(lat)),
                    common.ms(common.p99(lat)),
                    f"{raw_key}: {common.ms(raw_p50)}",
                    common.ratio(common.p50(lat), raw_p50),
                ]
            )
        rss = server.rss_mb()
    text = common.header(f"Table 4 — page response times ({args.triples} triples)")
    text += "\n" + common.table(
        [
            "page",
            "status",
            "first request",
            "p50",
            "p99",
            "raw engine (in-process)",
            "page/raw (p50)",
        ],
        rows,
    )
    text += (
        f"\n- resident memory of `corridor serve` (incl. query workers): {start_rss:.0f} MiB "
        f"after start, {rss:.0f} MiB after all pages\n"
    )
    print(text)
    common.write_section(f"pages-{args.triples.lower()}", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
