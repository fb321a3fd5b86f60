"""Corridor analytics of one network: who collaborates across which pair of countries (and
regions) by year and programme part, how much of it joins leaders with moderate/emerging
innovators, who bridges, which communities there are.

Graph measures run with igraph (C) on the bipartite organisation–project graph (67k nodes and
145k edges for the whole H2020 network, where the organisation–organisation projection has
millions of edges): betweenness approximated from a fixed sample of sources, Louvain
communities with a fixed seed, so a version's figures are reproducible.
"""

from __future__ import annotations

import base64
import random
import sys
import time
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import igraph as ig

from corridor.derived.brokerage.network import Network, group_kind

BETWEENNESS_SAMPLES = 200
SEED = 16
TOP_BRIDGES = 100
ALL = "all"


class AreaPairs:
    """Collaboration between pairs of areas per year, kept as four integer columns per year
    (area a, area b, projects, participations; a < b by IRI, year "all" included). A region ×
    region table has ~10^6 cells at 1M triples: as tuples and lists it held ~1 GB of the
    serving process and 90 MB of JSON; as columns 16 bytes a cell."""

    def __init__(self, areas: list[str] | None = None,
                 years: dict[str, tuple[array, array, array, array]] | None = None) -> None:
        self.areas = areas or []
        self._years = years or {}

    @classmethod
    def of(cls, cells: dict[tuple[str, str, str], list[int]]) -> AreaPairs:
        """The columns of ``cells``: (a, b, year) → [projects, participations]."""
        areas = sorted({x for a, b, _y in cells for x in (a, b)})
        number = {a: k for k, a in enumerate(areas)}
        years: dict[str, tuple[array, array, array, array]] = {}
        for (a, b, year), (projects, participations) in sorted(cells.items()):
            columns = years.get(year)
            if columns is None:
                columns = years[year] = (array("I"), array("I"), array("I"), array("I"))
            for column, value in zip(columns, (number[a], number[b], projects, participations),
                                     strict=True):
                column.append(value)
        return cls(areas, years)

    def of_year(self, year: str) -> Iterator[tuple[str, str, int, int]]:
        """(a, b, projects, participations) of every pair that worked together in ``year``."""
        columns = self._years.get(year)
        if columns is None:
            return
        areas = self.areas
        for a, b, projects, participations in zip(*columns, strict=True):
            yield areas[a], areas[b], projects, participations

    def rows(self) -> Iterator[tuple[str, str, str, int, int]]:
        """(a, b, year, projects, participations) of every cell."""
        for year in self._years:
            for a, b, projects, participations in self.of_year(year):
                yield a, b, year, projects, participations

    def __len__(self) -> int:
        return sum(len(columns[0]) for columns in self._years.values())

    def to_json(self) -> dict[str, Any]:
        """Each column as base64 of its little-endian bytes: a million cells read back as four
        byte strings, not as four million Python integers (hundreds of MB while parsing)."""
        return {"areas": self.areas,
                "years": {y: [_encoded(c) for c in columns] for y, columns in self._years.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AreaPairs:
        years = {y: tuple(_decoded(c) for c in columns) for y, columns in data["years"].items()}
        return cls(data["areas"], years)  # type: ignore[arg-type]


def _encoded(column: array) -> str:
    if sys.byteorder == "big":
        column = array(column.typecode, column)
        column.byteswap()
    return base64.b64encode(column.tobytes()).decode("ascii")


def _decoded(text: str) -> array:
    column = array("I")
    column.frombytes(base64.b64decode(text))
    if sys.byteorder == "big":
        column.byteswap()
    return column


@dataclass
class Analytics:
    """The corridor figures of one store version (JSON-ready)."""

    version: int
    # Pairs of countries and of regions per year (and "all"). One programme part's pairs are
    # counted on request from the network (see matrix()): kept per year and part they were
    # ~90% of the figures (~900 MB of JSON and GBs of memory at 1M triples, a theme per few
    # projects)
    country_pairs: AreaPairs = field(default_factory=AreaPairs)
    region_pairs: AreaPairs = field(default_factory=AreaPairs)
    leader_modest_share: dict[str, list[int]] = field(default_factory=dict)  # year→[lm, all]
    betweenness: dict[str, float] = field(default_factory=dict)  # organisation → approx.
    bridging: dict[str, int] = field(default_factory=dict)  # org → min(leader, modest partners)
    community: dict[str, int] = field(default_factory=dict)  # organisation → community number
    community_sizes: list[int] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)  # programme parts (themes) seen, labelled
    years: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "country_pairs": self.country_pairs.to_json(),
            "region_pairs": self.region_pairs.to_json(),
            "leader_modest_share": self.leader_modest_share,
            "betweenness": self.betweenness, "bridging": self.bridging,
            "community": self.community, "community_sizes": self.community_sizes,
            "parts": self.parts, "years": self.years, "seconds": self.seconds,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Analytics:
        return cls(
            version=data["version"],
            country_pairs=AreaPairs.from_json(data["country_pairs"]),
            region_pairs=AreaPairs.from_json(data["region_pairs"]),
            leader_modest_share=data["leader_modest_share"], betweenness=data["betweenness"],
            bridging=data["bridging"], community=data["community"],
            community_sizes=data["community_sizes"], parts=data["parts"],
            years=data["years"], seconds=data["seconds"],
        )

    def matrix(self, net: Network, level: str = "country", year: str = ALL, part: str = ALL
               ) -> list[dict[str, Any]]:
        """Pairs of areas with their project and participation counts for a year and part
        (one part's from ``net``: a few projects each, counted in milliseconds)."""
        if part == ALL:
            pairs = self.country_pairs if level == "country" else self.region_pairs
            found = {(a, b): (p, n) for a, b, p, n in pairs.of_year(year)}
        else:
            mapping = net.org_country if level == "country" else net.org_region
            counted: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
            for j, themes in net.project_themes.items():
                if any(t == part for _p, t in themes) and year in (ALL, project_year(net, j)):
                    for a, b, participations in area_pairs(net, j, mapping):
                        counted[(a, b)][0] += 1
                        counted[(a, b)][1] += participations
            found = {k: (v[0], v[1]) for k, v in counted.items()}
        return [{"a": a, "b": b, "projects": v[0], "participations": v[1]}
                for (a, b), v in found.items()]

    def top_bridges(self, n: int = TOP_BRIDGES) -> list[tuple[str, float, int]]:
        ranked = sorted(self.betweenness, key=lambda o: (-self.betweenness[o], o))[:n]
        return [(o, self.betweenness[o], self.bridging.get(o, 0)) for o in ranked]


def compute(net: Network) -> Analytics:
    """All corridor figures of the network (seconds on the whole H2020 network)."""
    started = time.perf_counter()
    out = Analytics(version=net.version)
    _pairs(net, out)
    _graph_measures(net, out)
    out.seconds = round(time.perf_counter() - started, 3)
    return out


def _pairs(net: Network, out: Analytics) -> None:
    country_pairs: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    region_pairs: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    share: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    parts_seen: set[str] = set()
    years: set[str] = set()
    for j in range(len(net.project_orgs)):
        year = project_year(net, j)
        years.add(year)
        parts_seen.update(t for _p, t in net.project_themes.get(j, ()))
        for mapping, target in ((net.org_country, country_pairs), (net.org_region, region_pairs)):
            for a, b, participations in area_pairs(net, j, mapping):
                for y in (year, ALL):
                    cell = target[(a, b, y)]
                    cell[0] += 1
                    cell[1] += participations
                if mapping is net.org_country:
                    kinds = {group_kind(net.area_group.get(x, ("", ""))[1]) for x in (a, b)}
                    for y in (year, ALL):
                        share[y][1] += 1
                        if kinds == {"leader", "modest"}:
                            share[y][0] += 1
    out.country_pairs = AreaPairs.of(country_pairs)
    out.region_pairs = AreaPairs.of(region_pairs)
    out.leader_modest_share = dict(sorted(share.items()))
    out.parts = sorted(parts_seen)
    out.years = sorted(years)


def project_year(net: Network, j: int) -> str:
    return str(net.project_year[j]) if j in net.project_year else "unknown"


def area_pairs(net: Network, j: int, mapping: dict[int, str]) -> Iterator[tuple[str, str, int]]:
    """The pairs of areas (a < b) project ``j`` joins, with its participations in both."""
    per_area = Counter(mapping[i] for i in net.project_orgs[j] if i in mapping)
    for a, b in combinations(sorted(per_area), 2):
        yield a, b, per_area[a] + per_area[b]


def bipartite(net: Network) -> tuple[ig.Graph, list[tuple[str, int]]]:
    """The organisation–project graph and what each vertex is: the organisations, then the
    projects, each by IRI, edges in that order too, so that the measures depend on the
    network only, not on the order its participations were read in (the server and a child
    process read them from different copies)."""
    orgs = sorted(range(len(net.orgs)), key=net.orgs.__getitem__)
    projects = sorted(range(len(net.projects)), key=net.projects.__getitem__)
    vertices = [("o", i) for i in orgs] + [("p", j) for j in projects]
    number = {v: k for k, v in enumerate(vertices)}
    edges = sorted((number[("o", i)], number[("p", j)]) for i, j in net.participation)
    return ig.Graph(n=len(vertices), edges=edges), vertices


def sampled_betweenness(graph: ig.Graph, k: int, seed: int) -> list[float]:
    """Betweenness from ``k`` sources sampled with ``random.Random(seed)``, normalised exactly
    as networkx's ``betweenness_centrality(G, k, seed, normalized=True)`` does (tested against
    it), computed by igraph in C: networkx took 726 s for 200 sources on the whole H2020
    network in pure Python (igraph 2.9 s, same conditions), holding a core for minutes after
    every write."""
    n = graph.vcount()
    if n < 3:
        return [0.0] * n
    sources = None if k >= n else random.Random(seed).sample(range(n), k)
    # igraph counts an undirected path once, networkx once from each end
    raw = graph.betweenness(directed=False, sources=sources)
    pairs = n - 1  # a vertex is never its own source's target (endpoints excluded)
    if sources is None:
        return [2 * b / (pairs * (pairs - 1)) for b in raw]
    sampled = set(sources)
    return [2 * b / (((k - 1) if v in sampled else k) * (pairs - 1))
            for v, b in enumerate(raw)]


def louvain(graph: ig.Graph, seed: int) -> list[int]:
    """Louvain communities (igraph's multilevel method, its final level) with igraph's random
    numbers drawn from ``random.Random(seed)``: the same network gives the same communities."""
    try:
        ig.set_random_number_generator(random.Random(seed))
        return list(graph.community_multilevel().membership)
    finally:
        ig.set_random_number_generator(random)


def _graph_measures(net: Network, out: Analytics) -> None:
    graph, vertices = bipartite(net)
    if graph.vcount() == 0:
        return
    k = min(BETWEENNESS_SAMPLES, graph.vcount())
    between = sampled_betweenness(graph, k, SEED)
    out.betweenness = {net.orgs[i]: round(v, 8) for (kind, i), v in zip(vertices, between,
                                                                        strict=True)
                       if kind == "o" and v > 0}
    communities: dict[int, list[int]] = defaultdict(list)  # vertex numbers, ascending
    for v, community in enumerate(louvain(graph, SEED)):
        communities[community].append(v)
    numbered = sorted(communities.values(), key=lambda c: (-len(c), c[0]))
    for members in numbered:
        orgs = [vertices[v][1] for v in members if vertices[v][0] == "o"]
        if not orgs:
            continue
        out.community_sizes.append(len(orgs))
        for i in orgs:
            out.community[net.orgs[i]] = len(out.community_sizes) - 1
    for i in range(len(net.orgs)):
        kinds = Counter(group_kind(g[2]) if (g := net.group(p)) else None
                        for p in net.partners(i))
        bridging = min(kinds["leader"], kinds["modest"])
        if bridging:
            out.bridging[net.orgs[i]] = bridging


def profile(net: Network, analytics: Analytics | None, organisation: str) -> dict[str, Any]:
    """An organisation's collaboration profile: partners per year, partner countries, themes,
    position in the network."""
    i = net.org_index.get(organisation)
    if i is None:
        return {}
    per_year: dict[str, set[int]] = defaultdict(set)
    for j in net.org_projects[i]:
        year = str(net.project_year.get(j, "unknown"))
        per_year[year].update(k for k in net.project_orgs[j] if k != i)
    partners = net.partners(i)
    countries = Counter(net.org_country[p] for p in partners if p in net.org_country)
    themes = {t: len(js) for t, js in net.themes_of_org(i).items()}
    found = net.group(i)
    return {
        "organisation": organisation, "label": net.label(organisation),
        "country": net.org_country.get(i), "region": net.org_region.get(i),
        "group": found[2] if found else None,
        "projects": len(net.org_projects[i]), "partners": len(partners),
        "coordinated": len(net.coordinated.get(i, [])),
        "partners_per_year": {y: len(s) for y, s in sorted(per_year.items())},
        "partner_countries": [[c, n] for c, n in countries.most_common()],
        "themes": sorted(([t, n] for t, n in themes.items()), key=lambda r: (-r[1], r[0])),
        "betweenness": analytics.betweenness.get(organisation, 0.0) if analytics else None,
        "bridging": analytics.bridging.get(organisation, 0) if analytics else None,
        "community": analytics.community.get(organisation) if analytics else None,
        "top_partners": [[net.orgs[p], n] for p, n in
                         sorted(partners.items(), key=lambda r: (-r[1], r[0]))[:20]],
    }
