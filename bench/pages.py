"""Table 4: page response times — first request and warm p50/p99 per page type — and RSS.

    python bench/pages.py --triples 5M [--runs 30] [--fresh]

``corridor serve`` on a COPY of the ready benchmark store (bench/out/work/pages-<size>; the
ready store is never written). Three phases:

1. fresh start (``--fresh`` or first run: no search index, no figures in the store folder): the
   first request of each page type, which must not wait for whole-graph work;
2. after the background work has finished (figures, search index and dumps current): p50/p99 of
   ``--runs`` warm requests per page, then the RSS of the server's whole process tree;
3. restart on the same folder: the first request of each page again (the index and the figures
   are read from the store folder, nothing is rebuilt).

Then, with the servers stopped, the raw engine: for each page kind the SPARQL that computes the
same figures (a resource's triples in and out; class counts; projects per country; label
matches; ...) on a read-only pyoxigraph Store over the same data, p50 of up to five runs.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import pyoxigraph as ox  # noqa: E402
from concurrency import project_paths  # noqa: E402

COR = "https://w3id.org/corridor/ontology#"
BASE = "https://w3id.org/corridor/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/DEU"
PROGRAMME = "/id/programme/interreg-alpine-space-2014-2020"
THEME = "/id/concept/programme-topic/q01"
# the words of the search tests and the issue (in-word, folding, exonyms, typos), then two
# that match many of the generated resources
SEARCHES = ("alpclusters", "Białystok", "Lodz", "Munich", "Muenchen", "Besanson", "smart",
            "université")


Page = tuple[str, str, str, str]  # name, path, Accept, kind of raw equivalent


def raw_store(store_dir: Path) -> ox.Store:
    """What the public pages read (the current public view), opened read-only."""
    return ox.Store.read_only(str(common.snapshot_of(store_dir)))


def page_path(iri: str) -> str:
    if iri.startswith(BASE + "id/"):
        return "/" + iri[len(BASE) :]
    return "/resource?iri=" + quote(iri, safe="")


def sample_resources(store_dir: Path) -> dict[str, str]:
    """An organisation with many projects and the region with the most inbound links."""
    raw = raw_store(store_dir)
    q = lambda text: list(raw.query(text, use_default_graph_as_union=True))  # noqa: E731
    org = q(
        f"SELECT ?o (COUNT(*) AS ?n) WHERE {{ ?x <{COR}organisation> ?o }}"
        " GROUP BY ?o ORDER BY DESC(?n) LIMIT 1"
    )[0]
    region = q(
        f"SELECT ?r (COUNT(*) AS ?n) WHERE {{ ?o <{COR}nutsRegion> ?r }}"
        " GROUP BY ?r ORDER BY DESC(?n) LIMIT 1"
    )[0]
    return {
        "organisation": org["o"].value,
        "organisation links": org["n"].value,
        "region": region["r"].value,
        "region links": region["n"].value,
    }


PREFIXES = f"""PREFIX cor: <{COR}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
PROJECTS_PER_COUNTRY = (
    "SELECT ?c (COUNT(DISTINCT ?p) AS ?n) WHERE { ?x cor:project ?p ; cor:organisation ?o . "
    "?o cor:country ?c } GROUP BY ?c"
)


def raw_queries(resources: dict[str, str], country: str) -> dict[str, str]:
    """Per page kind, what the raw engine runs to get the same figures (no HTML, no caching)."""

    def describe(iri: str) -> str:
        return (f"CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> }} WHERE {{ "
                f"{{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }} }}")

    return {
        "project": describe(resources["project"]),
        "organisation": describe(resources["organisation"]),
        "region": describe(resources["region"]),
        "home": "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class",
        "facets": PROJECTS_PER_COUNTRY,
        "facet": (f"SELECT DISTINCT ?p ?name WHERE {{ ?x cor:project ?p ; cor:organisation ?o . "
                  f"?o cor:country <{country}> . ?p rdfs:label ?name }}"),
        "country": describe(country),
        "programme": describe(BASE + PROGRAMME.lstrip("/")),
        "theme": describe(BASE + THEME.lstrip("/")),
        **{f"search {q}": ("SELECT ?s ?l WHERE { ?s rdfs:label ?l "
                           f"FILTER (CONTAINS(LCASE(STR(?l)), '{q.lower()}')) }}")
           for q in SEARCHES},
        "map": PROJECTS_PER_COUNTRY,
        "network": (
            "SELECT ?a ?b (COUNT(DISTINCT ?p) AS ?n) WHERE { ?x cor:project ?p ; "
            "cor:organisation ?a . ?y cor:project ?p ; cor:organisation ?b . "
            "FILTER (STR(?a) < STR(?b)) } GROUP BY ?a ?b ORDER BY DESC(?n) LIMIT 300"
        ),
        "network regions": (
            "SELECT ?a ?b (COUNT(DISTINCT ?p) AS ?n) WHERE { ?x cor:project ?p ; "
            "cor:organisation/cor:nutsRegion ?a . ?y cor:project ?p ; "
            "cor:organisation/cor:nutsRegion ?b . FILTER (STR(?a) < STR(?b)) } GROUP BY ?a ?b"
        ),
        "timeline": ("SELECT ?p ?start ?end WHERE { ?p a cor:Project ; schema:startDate ?start ; "
                     "schema:endDate ?end } ORDER BY ?start"),
        "budgets": ("SELECT ?prog (SUM(?v) AS ?total) WHERE { ?p cor:programme ?prog ; "
                    "cor:totalBudget/schema:value ?v } GROUP BY ?prog"),
        "void": ("SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) "
                 "(COUNT(DISTINCT ?o) AS ?objects) WHERE { ?s ?p ?o }"),
        "dcat": ("SELECT (MIN(?start) AS ?from) (MAX(?end) AS ?to) (COUNT(DISTINCT ?c) AS ?n) "
                 "WHERE { ?p a cor:Project ; schema:startDate ?start ; schema:endDate ?end ; "
                 "^cor:project/cor:organisation/cor:country ?c }"),
    }


def time_raw(store: ox.Store, query: str, budget: float = 30.0) -> float:
    """p50 of up to five runs of ``query`` (fewer when slow), results serialised like a page."""
    seconds: list[float] = []
    begun = time.perf_counter()
    while len(seconds) < 5 and (not seconds or time.perf_counter() - begun < budget):
        start = time.perf_counter()
        result = store.query(PREFIXES + query, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryTriples):
            result.serialize(format=ox.RdfFormat.TURTLE)
        else:
            result.serialize(format=ox.QueryResultsFormat.JSON)
        seconds.append(time.perf_counter() - start)
    return common.p50(seconds)


def working_copy(store_dir: Path, triples: str, fresh: bool) -> Path:
    """A private copy of the ready store (the ready one is read by others: never written)."""
    work = common.OUT / "work" / f"pages-{triples.lower()}"
    if fresh or not (work / "state.json").exists():
        shutil.rmtree(work, ignore_errors=True)
        work.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(store_dir, work)
    return work


def first_requests(server: common.LiveServer, pages: list[Page]) -> list[float]:
    out = []
    for _name, path, accept, _raw in pages:
        start = time.perf_counter()
        common.get(server.port, path, accept, timeout=600)
        out.append(time.perf_counter() - start)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", default="5M")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--fresh", action="store_true", help="recopy the store (no index)")
    parser.add_argument("--wait", type=float, default=900, help="max seconds for background")
    parser.add_argument("--no-raw", action="store_true",
                        help="skip the raw-engine column (minutes at 5M; same data, same figures)")
    args = parser.parse_args(argv)
    nt = common.ensure_data(args.triples)
    ready = common.ensure_store(args.triples)
    work = working_copy(ready, args.triples, args.fresh)
    had_index = common.background_done(work)
    sample = sample_resources(work)
    project = project_paths(nt, 1)[0]
    deu = quote(COUNTRY)
    pages = [
        ("resource: project (HTML)", project, "text/html", "project"),
        ("resource: project (Turtle)", project, "text/turtle", "project"),
        (f"resource: organisation, {sample['organisation links']} participations (HTML)",
         page_path(sample["organisation"]), "text/html", "organisation"),
        (f"resource: region, {sample['region links']} inbound (HTML)",
         page_path(sample["region"]), "text/html", "region"),
        ("home page", "/", "text/html", "home"),
        ("browse projects (facets)", "/browse/projects", "text/html", "facets"),
        ("facet: one country", f"/browse/projects?country={deu}", "text/html", "facet"),
        ("resource: country (HTML)", page_path(COUNTRY), "text/html", "country"),
        ("resource: programme (HTML)", PROGRAMME, "text/html", "programme"),
        ("resource: theme (HTML)", THEME, "text/html", "theme"),
        *((f"search '{q}'", "/search?q=" + quote(q), "text/html", f"search {q}")
          for q in SEARCHES),
        ("map data", "/views/map.json", "application/json", "map"),
        ("network data (organisations, top 300)", "/views/network.json", "application/json",
         "network"),
        ("network data (regions)", "/views/network.json?level=region", "application/json",
         "network regions"),
        ("timeline data", "/views/timeline.json", "application/json", "timeline"),
        ("budget data", "/views/budgets.json", "application/json", "budgets"),
        ("VoID", "/.well-known/void", "text/turtle", "void"),
        ("DCAT catalogue", "/catalog", "text/turtle", "dcat"),
    ]
    with common.corridor_server(work) as server:
        start_rss = server.rss_mb()
        cold = first_requests(server, pages)
        began = time.perf_counter()
        while not (common.background_done(work) and common.network_ready(server.port, work)) \
                and time.perf_counter() - began < args.wait:
            time.sleep(2)
        background = time.perf_counter() - began
        warm = []
        for _name, path, accept, _raw in pages:
            lat, status = common.latencies(server.port, path, args.runs, accept, budget=20)
            warm.append((status, common.p50(lat), common.p99(lat)))
        rss = server.rss_mb()
    with common.corridor_server(work) as server:
        restarted = first_requests(server, pages)
        restart_rss = server.rss_mb()
    resources = {"project": BASE + project.lstrip("/"), **sample}
    raw = raw_queries(resources, COUNTRY)
    raw_p50: dict[str, float | None] = {kind: None for kind in raw}
    if not args.no_raw:
        store = raw_store(work)  # after the servers stopped: the raw runs have the CPU alone
        raw_p50 = {kind: time_raw(store, query) for kind, query in raw.items()}
    rows = [
        [name, status, common.ms(c), common.ms(r), common.ms(p50), common.ms(p99),
         common.ms(raw_p50[kind]), common.ratio(p50, raw_p50[kind])]
        for (name, _, _, kind), c, r, (status, p50, p99)
        in zip(pages, cold, restarted, warm, strict=True)
    ]
    start_kind = "index and figures kept from a previous run" if had_index else "fresh copy"
    text = common.header(f"Table 4 — page response times ({args.triples} triples)")
    text += "\n" + common.table(
        ["page", "status", f"first request ({start_kind})", "first request after restart",
         "warm p50", "warm p99", "raw engine p50", "warm/raw"],
        rows,
    )
    text += (
        f"\n- background work (figures, search index, dumps, brokerage analytics and the"
        f" network in memory) finished"
        f" {background:.0f} s after the first requests"
        f"{'' if common.background_done(work) else ' — NOT finished (timeout)'}\n"
        f"- resident memory of `corridor serve` (whole process tree, query workers included):"
        f" {start_rss:.0f} MiB after start, {rss:.0f} MiB after warming every page type,"
        f" {restart_rss:.0f} MiB after the restarted server's first requests\n"
    )
    print(text)
    common.write_section(f"pages-{args.triples.lower()}", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
