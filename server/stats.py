"""Figures, facets and chart data, computed once per store version.

Whole-graph aggregations take seconds on millions of triples, so pages never run them per
request: :func:`stats_for` computes everything for the current ``store.version`` once (under a
lock) and serves it from memory until the next commit.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from .store import OxigraphStore

COR = "https://w3id.org/corridor/ontology#"
PREFIXES = f"""PREFIX cor: <{COR}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX dct: <http://purl.org/dc/terms/>
"""
FACETS = ("programme", "country", "region", "theme", "period", "role")
FACET_TITLES = {
    "programme": "Programme",
    "country": "Country",
    "region": "Region",
    "theme": "Thematic area",
    "period": "Period",
    "role": "Role",
}


@dataclass
class Stats:
    """Everything the home, browse and view pages show that needs aggregation."""

    version: int
    counts: dict[str, int] = field(default_factory=dict)
    classes: list[tuple[str, int]] = field(default_factory=list)
    project_facets: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    organisations: dict[str, dict[str, Any]] = field(default_factory=dict)
    participations: list[tuple[str, str, str | None]] = field(default_factory=list)
    budgets_by_programme: dict[str, float] = field(default_factory=dict)
    budgets_by_country: dict[str, float] = field(default_factory=dict)
    country_codes: dict[str, str] = field(default_factory=dict)
    _memo: dict[tuple, Any] = field(default_factory=dict, repr=False)

    def memo(self, key: tuple, compute: Any) -> Any:
        """A value derived from these figures (a view in one language), kept with them."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def facet_counts(self, selected: dict[str, set[str]]) -> dict[str, Counter]:
        """Counts per facet value among projects matching the *other* selected facets."""
        result: dict[str, Counter] = {}
        for facet in FACETS:
            others = {k: v for k, v in selected.items() if k != facet and v}
            counter: Counter = Counter()
            for project in self.matching_projects(others):
                counter.update(self.project_facets.get(project, {}).get(facet, ()))
            result[facet] = counter
        return result

    def matching_projects(self, selected: dict[str, set[str]]) -> list[str]:
        """Projects having, for every selected facet, at least one of the selected values."""
        out = []
        for project in self.projects:
            values = self.project_facets.get(project, {})
            if all(not wanted or values.get(f, set()) & wanted for f, wanted in selected.items()):
                out.append(project)
        return out


_cache: dict[int, Stats] = {}
_lock = threading.Lock()
_refreshing: set[int] = set()


def stats_for(store: OxigraphStore, wait: bool = False) -> Stats:
    """The figures of the store, computed once per version.

    The first call computes them; after a commit the previous figures are served (stale by one
    version, for a few seconds at most) while a background thread computes the new ones, so no
    request waits for whole-graph aggregation. ``wait=True`` always returns current figures.
    """
    cached = _cache.get(id(store))
    if cached is not None and cached.version == store.version:
        return cached
    if cached is None or wait:
        return _compute_now(store)
    _refresh_in_background(store)
    return cached


def _compute_now(store: OxigraphStore) -> Stats:
    with _lock:
        version = store.version
        cached = _cache.get(id(store))
        if cached is None or cached.version != version:
            cached = compute(store, version)
            _cache[id(store)] = cached
        return cached


def _refresh_in_background(store: OxigraphStore) -> None:
    key = id(store)
    if key in _refreshing:
        return
    _refreshing.add(key)

    def run() -> None:
        try:
            _compute_now(store)
        finally:
            _refreshing.discard(key)

    threading.Thread(target=run, name="corridor-stats", daemon=True).start()


def _rows(store: OxigraphStore, query: str) -> list[Any]:
    return list(store.query(PREFIXES + query))  # type: ignore[attr-defined, call-overload]


def _value(solution: Any, name: str) -> str | None:
    term = solution[name]
    return None if term is None else term.value


def _count(store: OxigraphStore, where: str) -> int:
    rows = _rows(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}")
    return int(rows[0]["n"].value) if rows else 0


def compute(store: OxigraphStore, version: int) -> Stats:
    stats = Stats(version=version)
    stats.counts = {
        "projects": _count(store, "?x a cor:Project"),
        "organisations": _count(store, "?x a cor:Organisation"),
        "regions": _count(store, "?x a cor:NutsRegion"),
        "countries": _count(store, "?o a cor:Organisation ; cor:country ?x"),
        "programmes": _count(store, "?x a cor:FundingProgramme"),
        "triples": _count_triples(store),
    }
    stats.classes = [
        (_value(r, "c"), int(r["n"].value))
        for r in _rows(
            store, "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)"
        )
        if isinstance(r["c"], ox.NamedNode)
    ]
    for r in _rows(store, "SELECT ?c ?code WHERE { ?c a cor:Country ; skos:notation ?code }"):
        stats.country_codes[_value(r, "c")] = _value(r, "code")
    _projects(store, stats)
    _organisations(store, stats)
    _participations(store, stats)
    _budgets(store, stats)
    return stats


def _count_triples(store: OxigraphStore) -> int:
    rows = _rows(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(rows[0]["n"].value) if rows else 0


def _projects(store: OxigraphStore, stats: Stats) -> None:
    for r in _rows(
        store,
        """SELECT ?p ?start ?end ?budget ?programme WHERE {
        ?p a cor:Project .
        OPTIONAL { ?p schema:startDate ?start } OPTIONAL { ?p schema:endDate ?end }
        OPTIONAL { ?p cor:totalBudget/schema:value ?budget }
        OPTIONAL { ?p cor:programme ?programme } }""",
    ):
        p = _value(r, "p")
        entry = stats.projects.setdefault(
            p, {"start": None, "end": None, "budget": None, "programmes": set()}
        )
        entry["start"] = entry["start"] or _value(r, "start")
        entry["end"] = entry["end"] or _value(r, "end")
        if r["budget"] is not None and entry["budget"] is None:
            with contextlib.suppress(ValueError):
                entry["budget"] = float(r["budget"].value)
        if r["programme"] is not None:
            entry["programmes"].add(_value(r, "programme"))
    facets = {p: {f: set() for f in FACETS} for p in stats.projects}
    for p, entry in stats.projects.items():
        facets[p]["programme"] |= entry["programmes"]
        if entry["start"]:
            start = entry["start"][:4]
            end = (entry["end"] or entry["start"])[:4]
            if start.isdigit() and end.isdigit():
                facets[p]["period"] |= {str(y) for y in range(int(start), int(end) + 1)}
    pattern = {
        "theme": "?p (cor:thematicArea|cor:topic|cor:s3Domain) ?v",
        "country": "?part cor:project ?p ; cor:organisation/cor:country ?v",
        "region": "{ ?part cor:project ?p ; cor:organisation/cor:nutsRegion ?v }"
        " UNION { ?p cor:targetRegion ?v }",
        "role": "?part cor:project ?p ; cor:role ?v",
    }
    for facet, where in pattern.items():
        for r in _rows(
            store, f"SELECT DISTINCT ?p ?v WHERE {{ ?p a cor:Project . {where} FILTER(isIRI(?v)) }}"
        ):
            p = _value(r, "p")
            if p in facets:
                facets[p][facet].add(_value(r, "v"))
    stats.project_facets = facets


def _organisations(store: OxigraphStore, stats: Stats) -> None:
    for r in _rows(
        store,
        """SELECT ?o ?country ?region WHERE { ?o a cor:Organisation .
        OPTIONAL { ?o cor:country ?country } OPTIONAL { ?o cor:nutsRegion ?region } }""",
    ):
        o = _value(r, "o")
        entry = stats.organisations.setdefault(o, {"country": None, "regions": set()})
        entry["country"] = entry["country"] or _value(r, "country")
        if r["region"] is not None:
            entry["regions"].add(_value(r, "region"))


def _participations(store: OxigraphStore, stats: Stats) -> None:
    stats.participations = [
        (_value(r, "p"), _value(r, "o"), _value(r, "role"))
        for r in _rows(
            store,
            """SELECT ?p ?o ?role WHERE { ?x cor:project ?p ; cor:organisation ?o .
            OPTIONAL { ?x cor:role ?role } }""",
        )
    ]


def _budgets(store: OxigraphStore, stats: Stats) -> None:
    by_programme: dict[str, float] = defaultdict(float)
    by_country: dict[str, float] = defaultdict(float)
    for project, entry in stats.projects.items():
        budget = entry["budget"]
        if budget is None:
            continue
        for programme in entry["programmes"] or {"(no programme)"}:
            by_programme[programme] += budget
        for country in stats.project_facets.get(project, {}).get("country", ()):
            by_country[country] += budget
    stats.budgets_by_programme = dict(by_programme)
    stats.budgets_by_country = dict(by_country)


def network(stats: Stats, level: str) -> tuple[dict[str, int], Counter]:
    """Nodes (with project counts) and weighted edges between nodes sharing projects."""
    members: dict[str, set[str]] = defaultdict(set)
    for project, org, _role in stats.participations:
        for node in _nodes_of(stats, org, level):
            members[project].add(node)
    nodes: Counter = Counter()
    edges: Counter = Counter()
    for group in members.values():
        ordered = sorted(group)
        nodes.update(ordered)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                edges[(a, b)] += 1
    return dict(nodes), edges


def _nodes_of(stats: Stats, org: str, level: str) -> set[str]:
    if level == "organisation":
        return {org}
    entry = stats.organisations.get(org, {})
    if level == "country":
        return {entry["country"]} if entry.get("country") else set()
    return set(entry.get("regions", ()))
