"""The collaboration network of one store version, read once with SPARQL and kept in memory.

Suggestions must answer in milliseconds on 35,000 organisations, so the few facts they use
(who took part in which project, in which role; the projects' themes and start years; the
organisations' countries, regions and types; the countries' EIS groups) are read into plain
indexed lists. Every fact keeps the IRIs of the triples it came from, so an explanation can
name the very triples a person can follow.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from corridor.rdf.namespaces import COR, DCT, RDFS, SCHEMA, SKOS

Triple = tuple[str, str, str]
THEME_PREDICATES = (
    f"{COR}thematicArea", f"{COR}topic", f"{COR}priority", f"{COR}specificObjective",
    f"{COR}s3Domain", f"{DCT}subject",
)
COORDINATING_ROLES = ("coordinator", "lead-partner")  # participation-role concepts
LEADER_GROUPS = ("innovation-leader",)
MODEST_GROUPS = ("moderate-innovator", "emerging-innovator", "modest-innovator")
PARTNER_DICTS = 4096  # partner dicts kept (explanations, profiles, the bench's baselines)

P_PROJECT = f"{COR}project"
P_ORGANISATION = f"{COR}organisation"
P_ROLE = f"{COR}role"
P_COUNTRY = f"{COR}country"
P_REGION = f"{COR}nutsRegion"
P_TYPE = f"{COR}organisationType"
P_ACTIVITY = f"{COR}activityType"  # CORDIS HES/REC/PUB/PRC/OTH concepts
P_AREA = f"{COR}classifiedArea"
P_GROUP = f"{COR}performanceGroup"

PREFIXES = f"""PREFIX cor: <{COR}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
PREFIX schema: <{SCHEMA}>
PREFIX dct: <{DCT}>
"""


Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Adjacency:
    """Every organisation's co-participants as one compressed sparse row matrix: the partners
    of ``i`` are ``indices[indptr[i]:indptr[i + 1]]`` (ascending), with per pair the projects
    shared, their recency-weighted count and the closeness (each shared project counted
    1 / (its participants - 1)).

    Numbers in arrays, not Python tuples: at 1M triples the tuples took 339 MB of the serving
    process, the arrays take 24 bytes a pair, and a suggestion sums over them in NumPy."""

    indptr: Ints
    indices: npt.NDArray[np.int32]
    shared: npt.NDArray[np.int32]
    recent: Floats
    close: Floats
    degree: Ints

    def row(self, i: int) -> slice:
        return slice(int(self.indptr[i]), int(self.indptr[i + 1]))

    @classmethod
    def of(cls, net: Network, decay: float) -> Adjacency:
        n = len(net.orgs)
        latest = net.latest_year() or 0
        sizes = np.array([len(m) for m in net.project_orgs], dtype=np.int64)
        members = np.fromiter((i for m in net.project_orgs for i in m), dtype=np.int64,
                              count=int(sizes.sum()))
        age = np.array([max(0, latest - net.project_year.get(j, latest))
                        for j in range(len(net.projects))], dtype=np.float64)
        # every ordered pair (a, b) of members of one project: a repeated |project| times
        # against the project's member list
        per_member = np.repeat(sizes, sizes)
        start = np.repeat(np.cumsum(sizes) - sizes, sizes)
        project = np.repeat(np.arange(len(sizes)), sizes)
        left = np.repeat(members, per_member)
        first = np.repeat(start, per_member)
        offset = np.arange(len(left)) - np.repeat(np.cumsum(per_member) - per_member,
                                                  per_member)
        right = members[first + offset]
        keep = left != right
        left, right = left[keep], right[keep]
        of_pair = np.repeat(project, per_member)[keep]
        keys, inverse = np.unique(left * n + right, return_inverse=True)
        shared = np.bincount(inverse).astype(np.int32)
        recent = np.bincount(inverse, weights=(decay ** age)[of_pair]).astype(np.float64,
                                                                             copy=False)
        close = np.bincount(inverse, weights=1.0 / np.maximum(1, sizes - 1)[of_pair]
                            ).astype(np.float64, copy=False)
        degree = np.bincount(keys // n, minlength=n).astype(np.int64)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(degree, out=indptr[1:])
        return cls(indptr, (keys % n).astype(np.int32), shared, recent, close, degree)


@dataclass
class Network:
    """Organisations and projects of one store version as integer-indexed adjacency lists."""

    version: int
    orgs: list[str] = field(default_factory=list)
    org_index: dict[str, int] = field(default_factory=dict)
    projects: list[str] = field(default_factory=list)
    project_index: dict[str, int] = field(default_factory=dict)
    org_projects: list[list[int]] = field(default_factory=list)
    project_orgs: list[list[int]] = field(default_factory=list)
    participation: dict[tuple[int, int], str] = field(default_factory=dict)  # (org, project)
    coordinated: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # org→(proj, role)
    project_year: dict[int, int] = field(default_factory=dict)
    project_themes: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # (pred, theme)
    org_country: dict[int, str] = field(default_factory=dict)
    org_region: dict[int, str] = field(default_factory=dict)
    org_type: dict[int, str] = field(default_factory=dict)
    org_activity: dict[int, str] = field(default_factory=dict)
    area_group: dict[str, tuple[str, str]] = field(default_factory=dict)  # area→(classif., group)
    labels: dict[str, str] = field(default_factory=dict)
    _adjacency: dict[float, Adjacency] = field(default_factory=dict, repr=False)
    _partners: dict[int, dict[int, int]] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ building
    def org(self, iri: str) -> int:
        i = self.org_index.get(iri)
        if i is None:
            i = self.org_index[iri] = len(self.orgs)
            self.orgs.append(iri)
            self.org_projects.append([])
        return i

    def project(self, iri: str) -> int:
        j = self.project_index.get(iri)
        if j is None:
            j = self.project_index[iri] = len(self.projects)
            self.projects.append(iri)
            self.project_orgs.append([])
        return j

    def add_participation(self, part: str, org: str, project: str, role: str | None) -> None:
        i, j = self.org(org), self.project(project)
        if (i, j) not in self.participation:
            self.org_projects[i].append(j)
            self.project_orgs[j].append(i)
            self.participation[(i, j)] = part
        if role and role.rsplit("/", 1)[-1] in COORDINATING_ROLES:
            self.coordinated.setdefault(i, []).append((j, role))
        self._adjacency.clear()
        self._partners.clear()
        self.__dict__.pop("_latest", None)

    # ------------------------------------------------------------------ reading
    def adjacency(self, decay: float) -> Adjacency:
        """The co-participation matrix (built once per decay and kept with the network)."""
        found = self._adjacency.get(decay)
        if found is None:
            found = self._adjacency[decay] = Adjacency.of(self, decay)
        return found

    def any_adjacency(self) -> Adjacency:
        """The matrix already built, whatever its decay (the counts do not depend on it)."""
        return next(iter(self._adjacency.values()), None) or self.adjacency(1.0)

    def partners(self, i: int) -> dict[int, int]:
        """Co-participants of organisation ``i`` with the number of projects shared (the last
        few thousand asked for kept as dicts)."""
        found = self._partners.get(i)
        if found is None:
            adj = self.any_adjacency()
            row = adj.row(i)
            if len(self._partners) >= PARTNER_DICTS:
                self._partners.clear()
            found = self._partners[i] = dict(zip(adj.indices[row].tolist(),
                                                 adj.shared[row].tolist(), strict=True))
        return found

    def degree(self, i: int) -> int:
        """How many co-participants organisation ``i`` has."""
        return int(self.any_adjacency().degree[i])

    def latest_year(self) -> int | None:
        """The network's "now" for recency: the start year by which 99 % of the dated
        participations had started (a few curated projects dated years after the bulk of a
        programme must not make all of it look old)."""
        if "_latest" not in self.__dict__:
            years = sorted(y for j, y in self.project_year.items()
                           for _ in self.project_orgs[j])
            self.__dict__["_latest"] = years[min(len(years) - 1, int(0.99 * len(years)))] \
                if years else None
        latest: int | None = self.__dict__["_latest"]
        return latest

    def prepare(self, decay: float) -> None:
        """Build the co-participation matrix now (the background thread), so that no request
        pays for it."""
        self.adjacency(decay)

    def shared_project(self, a: int, b: int) -> int | None:
        """A project both organisations took part in (the earliest), or None."""
        mine = set(self.org_projects[a])
        both = [j for j in self.org_projects[b] if j in mine]
        return min(both, key=lambda j: (self.project_year.get(j, 9999), self.projects[j])) \
            if both else None

    def themes_of_org(self, i: int) -> dict[str, list[int]]:
        """Themes of the organisation's projects → the projects that have them."""
        out: dict[str, list[int]] = defaultdict(list)
        for j in self.org_projects[i]:
            for _pred, theme in self.project_themes.get(j, ()):
                out[theme].append(j)
        return out

    def group(self, i: int) -> tuple[str, str, str] | None:
        """(area, classification, group) of the organisation: its region's, else its country's."""
        for area in (self.org_region.get(i), self.org_country.get(i)):
            if area and area in self.area_group:
                classification, group = self.area_group[area]
                return area, classification, group
        return None

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or iri.rsplit("/", 1)[-1]

    # ------------------------------------------------------------------ triples (explanations)
    def link_triples(self, a: int, j: int, b: int) -> list[Triple]:
        """a and b both took part in project j: the four triples through the participations."""
        pa, pb, proj = self.participation[(a, j)], self.participation[(b, j)], self.projects[j]
        return [
            (pa, P_ORGANISATION, self.orgs[a]), (pa, P_PROJECT, proj),
            (pb, P_PROJECT, proj), (pb, P_ORGANISATION, self.orgs[b]),
        ]

    def theme_triples(self, i: int, j: int, theme: str) -> list[Triple]:
        """Organisation i took part in project j, which has ``theme``."""
        pred = next(p for p, t in self.project_themes[j] if t == theme)
        part = self.participation[(i, j)]
        return [(part, P_ORGANISATION, self.orgs[i]), (part, P_PROJECT, self.projects[j]),
                (self.projects[j], pred, theme)]

    def group_triples(self, i: int) -> list[Triple]:
        found = self.group(i)
        if found is None:
            return []
        area, classification, group = found
        via = P_REGION if area == self.org_region.get(i) else P_COUNTRY
        return [(self.orgs[i], via, area), (classification, P_AREA, area),
                (classification, P_GROUP, group)]


def group_kind(group: str | None) -> str | None:
    """"leader", "modest" (moderate, emerging/modest) or None for a group IRI."""
    if group is None:
        return None
    name = group.rsplit("/", 1)[-1]
    if name in LEADER_GROUPS:
        return "leader"
    if name in MODEST_GROUPS:
        return "modest"
    return None


def _rows(store: Any, sparql: str) -> Any:
    for solution in store.query(PREFIXES + sparql):
        yield [None if t is None else t.value for t in solution]


def read_network(store: Any, version: int) -> Network:
    """The collaboration network of the store's current published version (trusted queries)."""
    net = Network(version=version)
    for part, proj, org, role in _rows(store, """
        SELECT ?part ?proj ?org ?role WHERE {
          ?part cor:project ?proj ; cor:organisation ?org . OPTIONAL { ?part cor:role ?role }
        }"""):
        net.add_participation(part, org, proj, role)
    for proj, start in _rows(store, """
        SELECT ?proj (MIN(STR(?start)) AS ?s) WHERE {
          ?part cor:project ?proj . ?proj schema:startDate ?start } GROUP BY ?proj"""):
        j = net.project_index.get(proj)
        if j is not None and start and start[:4].isdigit():
            net.project_year[j] = int(start[:4])
    values = " ".join(f"<{p}>" for p in THEME_PREDICATES)
    for proj, pred, theme in _rows(store, f"""
        SELECT DISTINCT ?proj ?p ?theme WHERE {{
          VALUES ?p {{ {values} }} ?part cor:project ?proj . ?proj ?p ?theme .
          FILTER(isIRI(?theme)) }}"""):
        j = net.project_index[proj]
        net.project_themes.setdefault(j, []).append((pred, theme))
    for org, pred, value in _rows(store, f"""
        SELECT DISTINCT ?org ?p ?v WHERE {{
          {{ SELECT DISTINCT ?org WHERE {{ ?part cor:organisation ?org }} }}
          VALUES ?p {{ <{P_COUNTRY}> <{P_REGION}> <{P_TYPE}> <{P_ACTIVITY}> }}
          ?org ?p ?v . FILTER(isIRI(?v)) }}"""):
        i = net.org_index[org]
        target = {P_COUNTRY: net.org_country, P_REGION: net.org_region, P_TYPE: net.org_type,
                  P_ACTIVITY: net.org_activity}
        target[pred].setdefault(i, value)
    latest: dict[str, str] = {}
    for pc, area, group, year in _rows(store, """
        SELECT ?pc ?area ?group ?year WHERE {
          ?pc cor:classifiedArea ?area ; cor:performanceGroup ?group .
          OPTIONAL { ?pc cor:classificationYear ?year } }"""):
        year = year or ""
        if area not in latest or year > latest[area]:
            latest[area] = year
            net.area_group[area] = (pc, group)
    # each subject once before its labels are joined: once per participation, the labels of
    # the organisations and projects took 6.4 of the network's 15 s at 1M triples (now 1.2)
    for iri, label in _rows(store, """
        SELECT ?s (SAMPLE(?l) AS ?label) WHERE {
          { SELECT DISTINCT ?s WHERE { { ?part cor:organisation ?s } UNION { ?part cor:project ?s }
            UNION { ?s a cor:Country } UNION { ?s a skos:Concept } } }
          ?s rdfs:label|skos:prefLabel ?l . FILTER(LANGMATCHES(LANG(?l), "en") || LANG(?l) = "")
        } GROUP BY ?s"""):
        net.labels[iri] = label
    return net
