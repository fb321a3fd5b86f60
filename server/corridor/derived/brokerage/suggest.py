"""Partner suggestions: who an organisation has not worked with but should meet, and why.

The score is a weighted sum of a few named, visible parts, each read off the knowledge graph,
so every suggestion carries the paths that made it; nothing a person cannot follow:

* **shared partners** — Adamic–Adar over co-participation (a partner shared with few others
  says more than a hub everybody works with), weighted by how often each side worked with it,
  also counted with recent projects weighing more, as a plain number of shared partners, and
  by how small the consortia were in which each side met it (``consortia``);
* **activity** — how many consortia the candidate joined, how many in the latest year, and how
  many partners it has (``partners count``);
* **themes** — programme parts, topics and thematic areas both worked in, rarer themes counting
  more (inverse document frequency over organisations), and how active the candidate is in the
  organisation's own themes (``theme activity``: the most active ones per theme are candidates
  even without a shared partner);
* **complementary** — leader ↔ moderate/emerging innovator by the EIS group of the region or
  country (the BOOST corridor); **geography** — same country.

The weights (:data:`WEIGHTS`, all ≥ 0: a part only ever adds a reason) were learned on an
inner temporal split of the training part only (``bench/brokerage_fit.py``), before the
held-out measurement (``bench/brokerage.py``).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from corridor.derived.brokerage.network import (
    P_COUNTRY,
    P_ORGANISATION,
    P_PROJECT,
    Floats,
    Ints,
    Network,
    Triple,
    group_kind,
)

# Weights of the named parts of the score, learned on two inner temporal splits of the training
# part only, pooled (bench/brokerage_fit.py: projects before 2016 / before 2017 give the features,
# pairs first seen from then to 2017-12-31 the labels; nothing from the held-out years is read).
# Each part is explained by paths; the parts weighted 0 stay for the fit to look at.
WEIGHTS: dict[str, float] = {
    "partners": 4.9143, "recent partners": 0.0, "common partners": 0.1106, "consortia": 11.4088,
    "reach": 0.0775, "recent activity": 0.0, "partners count": 0.0743, "themes": 0.0,
    "theme activity": 1.1746, "complementary": 0.0, "same country": 0.0,
}
# "Who is missing for a project idea" has no held-out measure: its weights stay the hand-set ones
IDEA_WEIGHTS = {"partners": 1.0, "reach": 0.15, "themes": 0.05, "complementary": 0.1}
RECENT_DECAY = 0.5  # a co-participation counts 0.5 ** (years before the network's latest year)
EXPLAINED_PARTNERS = 3
EXPLAINED_THEMES = 2
POPULAR_POOL = 300  # the most active organisations are candidates even without shared partners
THEME_POOL = 20  # and so are the most active ones in each theme the organisation worked in
ACTIVITY_CODES = {  # CORDIS activity types → organisation-type concepts
    "HES": "higher-education-institution", "REC": "research-organisation",
    "PUB": "public-authority", "PRC": "company",
}


@dataclass(frozen=True)
class Filters:
    """What a candidate must be: in one of ``countries`` / ``regions`` (IRIs or codes), active
    in one of ``themes``, of an activity type, a past coordinator, complementary by EIS group."""

    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    coordinated: bool = False
    complementary: bool = False

    def accepts(self, net: Network, origin_kind: str | None, c: int) -> bool:
        if self.countries and not _matches(net.org_country.get(c), self.countries):
            return False
        if self.regions and not _matches(net.org_region.get(c), self.regions, prefix=True):
            return False
        if self.activities and not (
            _matches(net.org_type.get(c), tuple(ACTIVITY_CODES.get(a, a) for a in self.activities))
            or _matches(net.org_activity.get(c), self.activities)
        ):
            return False
        if self.coordinated and c not in net.coordinated:
            return False
        if self.complementary:
            found = net.group(c)
            kind = group_kind(found[2] if found else None)
            if kind is None or origin_kind is None or kind == origin_kind:
                return False
        if self.themes:
            wanted = set(self.themes)
            if not any(t in wanted for j in net.org_projects[c]
                       for _p, t in net.project_themes.get(j, ())):
                return False
        return True


def _matches(value: str | None, wanted: tuple[str, ...], prefix: bool = False) -> bool:
    """An IRI matches a wanted IRI, or a code its last segment (NUTS codes also by prefix)."""
    if value is None:
        return False
    code = value.rsplit("/", 1)[-1]
    for w in wanted:
        if value == w or code.lower() == w.lower():
            return True
        if prefix and (code.lower().startswith(w.rsplit("/", 1)[-1].lower())):
            return True
    return False


@dataclass
class Suggestion:
    organisation: str
    label: str
    score: float
    parts: dict[str, float] = field(default_factory=dict)
    explanation: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"organisation": self.organisation, "label": self.label,
                "score": round(self.score, 4),
                "parts": {k: round(v, 4) for k, v in self.parts.items() if v},
                "explanation": self.explanation}


def theme_weights(net: Network) -> dict[str, float]:
    """Inverse document frequency of each theme over the organisations that worked in it."""
    kept = net.__dict__.setdefault("_theme_idf", {})
    if kept:
        return kept
    orgs_with: dict[str, set[int]] = {}
    for j, themes in net.project_themes.items():
        for _p, t in themes:
            orgs_with.setdefault(t, set()).update(net.project_orgs[j])
    n = max(1, len(net.orgs))
    kept.update({t: math.log(1 + n / len(s)) for t, s in orgs_with.items()})
    return kept


def theme_counts(net: Network, i: int) -> dict[str, int]:
    """Theme → how many of the organisation's projects have it (kept with the network)."""
    kept = net.__dict__.setdefault("_org_theme_counts", {})
    found = kept.get(i)
    if found is None:
        found = kept[i] = {t: len(js) for t, js in net.themes_of_org(i).items()}
    return found


def theme_leaders(net: Network) -> dict[str, list[int]]:
    """Theme → the ``THEME_POOL`` organisations with most projects in it, most first (kept)."""
    kept = net.__dict__.get("_theme_leaders")
    if kept is None:
        by_theme: dict[str, list[tuple[int, int]]] = {}
        for c in range(len(net.orgs)):
            for t, k in theme_counts(net, c).items():
                by_theme.setdefault(t, []).append((k, -c))
        kept = net.__dict__["_theme_leaders"] = {
            t: [-c for _k, c in heapq.nlargest(THEME_POOL, found)]
            for t, found in by_theme.items()}
    return kept


def popular(net: Network) -> list[int]:
    """The organisations with most projects, most first (kept with the network)."""
    kept = net.__dict__.setdefault("_popular", [])
    if not kept:
        kept.extend(heapq.nlargest(POPULAR_POOL, range(len(net.orgs)),
                                   key=lambda i: (len(net.org_projects[i]), -i)))
    return kept


@dataclass(frozen=True)
class _Columns:
    """What the score reads per organisation and per theme, as arrays (kept with the network):
    the parts that do not depend on the asking organisation, each organisation's EIS kind
    (0 none, 1 leader, 2 modest) and country (a number, -1 none), and per theme the
    organisations that worked in it with log(1 + their projects in it). ``reach`` is log(1 +
    the organisation's projects), ``recent`` log(1 + those starting in the network's latest
    year)."""

    reach: Floats
    recent: Floats
    partners_count: Floats
    kind: Ints
    country: Ints
    theme_orgs: dict[str, tuple[Ints, Floats]]


KINDS = {None: 0, "leader": 1, "modest": 2}


def _columns(net: Network) -> _Columns:
    kept: _Columns | None = net.__dict__.get("_columns")
    if kept is None:
        latest = net.latest_year()
        reach = [math.log(1 + len(ps)) for ps in net.org_projects]
        recent = [math.log(1 + sum(1 for j in ps if net.project_year.get(j) == latest))
                  for ps in net.org_projects]
        countries: dict[str, int] = {}
        n = len(net.orgs)
        by_theme: dict[str, tuple[list[int], list[float]]] = {}
        for c in range(n):
            for t, k in theme_counts(net, c).items():
                orgs, logs = by_theme.setdefault(t, ([], []))
                orgs.append(c)
                logs.append(math.log1p(k))
        kept = net.__dict__["_columns"] = _Columns(
            np.array(reach), np.array(recent),
            np.log1p(net.adjacency(RECENT_DECAY).degree.astype(np.float64)),
            np.array([KINDS[group_kind(g[2] if (g := net.group(c)) else None)]
                      for c in range(n)], dtype=np.int64),
            np.array([countries.setdefault(net.org_country[c], len(countries))
                      if c in net.org_country else -1 for c in range(n)], dtype=np.int64),
            {t: (np.array(orgs, dtype=np.int64), np.array(logs))
             for t, (orgs, logs) in by_theme.items()})
    return kept


def prepare(net: Network) -> None:
    """Build what every suggestion reads (the co-participation matrix, the candidate pools,
    the activity and theme figures) now, in the background thread, so that no request pays
    for it."""
    net.prepare(RECENT_DECAY)
    popular(net)
    theme_weights(net)
    theme_leaders(net)
    _columns(net)


PARTS = ("partners", "recent partners", "common partners", "consortia", "reach",
         "recent activity", "partners count", "theme activity", "themes", "complementary",
         "same country")


def _parts(net: Network, i: int, every_part: bool = False) -> tuple[Ints, dict[str, Floats]]:
    """Every candidate of organisation ``i`` (ascending) and each named part of its score, in
    arrays; see :func:`score_candidates`. The sums over partners of partners run in NumPy over
    the co-participation matrix: a hub's thousands of partners of partners cost milliseconds."""
    adj, cols = net.adjacency(RECENT_DECAY), _columns(net)
    n = len(net.orgs)
    row = adj.row(i)
    mine = adj.indices[row]
    lens = adj.degree[mine]
    weight = 1.0 / np.log(2 + lens)
    # the rows of all of i's partners, one after the other: p's entry repeated over its row
    at = np.repeat(adj.indptr[mine] - (np.cumsum(lens) - lens), lens) + np.arange(lens.sum())
    them = adj.indices[at]
    sums = [np.bincount(them, weights=np.repeat(weight * mine_w, lens) * their_w, minlength=n)
            for mine_w, their_w in (
                (np.sqrt(adj.shared[row]), np.sqrt(adj.shared[at])),
                (np.sqrt(adj.recent[row]), np.sqrt(adj.recent[at])),
                (adj.close[row], adj.close[at]))]
    common = np.bincount(them, minlength=n)
    mine_counts = theme_counts(net, i)
    wanted = common > 0
    pool = [*popular(net), *(c for t in mine_counts for c in theme_leaders(net).get(t, ()))]
    wanted[pool] = True
    wanted[i] = False
    wanted[mine] = False
    cands = np.flatnonzero(wanted)
    activity_in_themes = np.zeros(n)
    rarity = np.zeros(n)
    themes = every_part or WEIGHTS["themes"] > 0  # only when it counts
    idf = theme_weights(net)
    for t, count in mine_counts.items():
        orgs, logs = cols.theme_orgs[t]
        activity_in_themes[orgs] += logs * count
        if themes:
            rarity[orgs] += idf.get(t, 0.0)
    my_kind = int(cols.kind[i])
    kinds = cols.kind[cands]
    my_country = int(cols.country[i])
    parts = {
        "partners": np.log1p(sums[0][cands]), "recent partners": np.log1p(sums[1][cands]),
        "common partners": np.log1p(common[cands].astype(np.float64)),
        "consortia": np.log1p(10 * sums[2][cands]),
        "reach": cols.reach[cands], "recent activity": cols.recent[cands],
        "partners count": cols.partners_count[cands],
        "theme activity": activity_in_themes[cands] / max(1, sum(mine_counts.values())),
        "themes": rarity[cands],
        "complementary": ((kinds != 0) & (kinds != my_kind) & (my_kind != 0)).astype(np.float64),
        "same country": ((cols.country[cands] == my_country) & (my_country >= 0)
                         ).astype(np.float64),
    }
    return cands, parts


def score_candidates(net: Network, i: int, every_part: bool = False
                     ) -> dict[int, dict[str, float]]:
    """Every candidate of organisation ``i`` (partners of partners and the most active
    organisations, never a present partner) with the named parts of its score:

    * ``partners``: log(1 + Σ over shared partners p of sqrt(n(i,p)·n(p,c)) / log(2 + deg p)),
      n the number of projects shared (Adamic–Adar weighted by repeated co-participation);
    * ``recent partners``: the same with each shared project counted ``RECENT_DECAY ** age``;
    * ``common partners``: log(1 + the number of shared partners);
    * ``consortia``: log(1 + 10 Σ_p (Σ_j 1/(|j|-1))(Σ_j' 1/(|j'|-1)) / log(2 + deg p)), the
      shared projects j (i with p) and j' (p with c) counted by how small their consortia are;
    * ``reach`` / ``recent activity``: log(1 + the candidate's projects) / of its projects in
      the network's latest year; ``partners count``: log(1 + the candidate's partners);
    * ``themes``: rarity-weighted themes both worked in; ``theme activity``: Σ over the themes
      both worked in of log(1 + the candidate's projects in it) × the share of ``i``'s projects
      in it;
    * ``complementary``: leader ↔ moderate/emerging by EIS group; ``same country``.

    ``every_part``: also the parts weighted 0 (the fit looks at all of them).
    """
    cands, parts = _parts(net, i, every_part)
    columns = [parts[name].tolist() for name in PARTS]
    return {c: dict(zip(PARTS, values, strict=True))
            for c, *values in zip(cands.tolist(), *columns, strict=True)}


def _ranked(net: Network, i: int, limit: int, filters: Filters | None
            ) -> list[tuple[int, dict[str, float]]]:
    """The ``limit`` best candidates of ``i`` that pass ``filters``, with their parts: by total
    score, the lower number first among equal ones."""
    cands, parts = _parts(net, i)
    score = np.zeros(len(cands))
    for name in PARTS:  # in the order of total(), so that both add the same numbers
        if name in WEIGHTS:
            score = score + WEIGHTS[name] * parts[name]
    kind = None
    if filters is not None:
        found = net.group(i)
        kind = group_kind(found[2] if found else None)
    best = []
    for k in np.lexsort((cands, -score)).tolist():
        c = int(cands[k])
        if filters is None or filters.accepts(net, kind, c):
            best.append((c, {name: float(parts[name][k]) for name in PARTS}))
            if len(best) == limit:
                break
    return best


def _score(value: float) -> float:
    """The ranking value (a sum of non-negative parts) as a number in [0, 1): v / (1 + v),
    in the value's order."""
    value = max(0.0, value)
    return value / (1.0 + value)


def total(parts: dict[str, float], weights: dict[str, float] | None = None) -> float:
    w = WEIGHTS if weights is None else weights
    return sum(w[k] * v for k, v in parts.items() if k in w)


def rank(net: Network, i: int, limit: int, filters: Filters | None = None) -> list[int]:
    """The ``limit`` best candidates of organisation ``i`` (no explanations: the bench)."""
    return [c for c, _ in _ranked(net, i, limit, filters)]


def suggest_partners(
    net: Network, organisation: str, limit: int = 10, filters: Filters | None = None
) -> list[Suggestion]:
    """Ranked, explained partner suggestions for ``organisation`` (an IRI in the network)."""
    i = net.org_index.get(organisation)
    if i is None:
        return []
    return [
        Suggestion(net.orgs[c], net.label(net.orgs[c]), _score(total(parts)), parts,
                   explain(net, i, c, parts))
        for c, parts in _ranked(net, i, limit, filters)
    ]


def suggest_for_idea(
    net: Network, themes: Iterable[str], countries: Iterable[str] = (),
    members: Iterable[str] = (), limit: int = 10, filters: Filters | None = None,
) -> list[Suggestion]:
    """Who is missing from a consortium for a project idea: organisations experienced in the
    idea's ``themes``, from countries not yet in it, complementary to its members' groups."""
    wanted, have = set(themes), {c for c in countries}
    member_ids = [net.org_index[m] for m in members if m in net.org_index]
    have |= {net.org_country[m] for m in member_ids if m in net.org_country}
    kinds = {group_kind(g[2]) for m in member_ids if (g := net.group(m))}
    idf = theme_weights(net)
    scored: dict[int, dict[str, float]] = {}
    for j, project_themes in net.project_themes.items():
        hit = [t for _p, t in project_themes if t in wanted]
        if not hit:
            continue
        for c in net.project_orgs[j]:
            country = net.org_country.get(c)
            if c in member_ids or (country and _matches(country, tuple(have))):
                continue
            parts = scored.setdefault(c, {"themes": 0.0, "partners": 0.0})
            parts["themes"] += sum(idf.get(t, 0.0) for t in hit) / 10
    for c, parts in scored.items():
        parts["reach"] = math.log(1 + len(net.org_projects[c]))
        found = net.group(c)
        kind = group_kind(found[2] if found else None)
        parts["complementary"] = 1.0 if kind and kinds - {None, kind} else 0.0
        known = net.partners(c)
        parts["partners"] = sum(1.0 for m in member_ids if m in known) * 0.5
    if filters is not None:
        scored = {c: p for c, p in scored.items() if filters.accepts(net, None, c)}
    best = heapq.nlargest(limit, scored, key=lambda c: (total(scored[c], IDEA_WEIGHTS), -c))
    out = []
    for c in best:
        expl = [e for t in sorted(wanted) if (e := _theme_step(net, c, t))]
        if scored[c]["complementary"]:
            expl.append(_step("complementary", f"{net.label(net.orgs[c])} is in "
                              f"{_group_label(net, c)}, complementing the consortium",
                              net.group_triples(c)))
        out.append(Suggestion(net.orgs[c], net.label(net.orgs[c]),
                              _score(total(scored[c], IDEA_WEIGHTS)), scored[c], expl))
    return out


# ---------------------------------------------------------------------- explanations
def _step(kind: str, text: str, path: list[Triple]) -> dict[str, Any]:
    return {"kind": kind, "text": text, "path": [list(t) for t in path]}


def _group_label(net: Network, i: int) -> str:
    found = net.group(i)
    return net.label(found[2]) if found else "no known group"


def _theme_step(net: Network, c: int, theme: str) -> dict[str, Any] | None:
    for j in net.org_projects[c]:
        if any(t == theme for _p, t in net.project_themes.get(j, ())):
            return _step("theme", f"{net.label(net.orgs[c])} worked in {net.label(theme)} "
                         f"({net.label(net.projects[j])})", net.theme_triples(c, j, theme))
    return None


def explain(net: Network, i: int, c: int, parts: dict[str, float]) -> list[dict[str, Any]]:
    """The paths behind a suggestion: each step a triple of the store, in reading order."""
    me, them = net.label(net.orgs[i]), net.label(net.orgs[c])
    steps = []
    mine, theirs = net.partners(i), net.partners(c)
    shared = sorted((p for p in mine if p in theirs),
                    key=lambda p: (-(mine[p] * theirs[p]) / math.log(2 + net.degree(p)), p))
    for p in shared[:EXPLAINED_PARTNERS]:
        j1, j2 = net.shared_project(i, p), net.shared_project(p, c)
        assert j1 is not None and j2 is not None
        steps.append(_step(
            "shared partner",
            f"{me} and {them} both worked with {net.label(net.orgs[p])} "
            f"({net.label(net.projects[j1])}; {net.label(net.projects[j2])})",
            net.link_triples(i, j1, p) + net.link_triples(p, j2, c)))
    if len(shared) > EXPLAINED_PARTNERS:
        steps.append({"kind": "more shared partners",
                      "text": f"and {len(shared) - EXPLAINED_PARTNERS} more shared partners",
                      "path": []})
    mine_t, theirs_t = net.themes_of_org(i), net.themes_of_org(c)
    idf = theme_weights(net)
    common = sorted((t for t in mine_t if t in theirs_t), key=lambda t: (-idf.get(t, 0), t))
    themed = _counts(parts, "themes") or _counts(parts, "theme activity")
    if _counts(parts, "theme activity"):  # the themes where the candidate is most active first
        counts = theme_counts(net, c)
        common.sort(key=lambda t: (-counts.get(t, 0) * len(mine_t[t]), t))
    for t in common[:EXPLAINED_THEMES] if themed else ():
        steps.append(_step(
            "shared theme", f"both worked in {net.label(t)} ({me}: {len(mine_t[t])} projects, "
            f"{them}: {len(theirs_t[t])})",
            net.theme_triples(i, mine_t[t][0], t) + net.theme_triples(c, theirs_t[t][0], t)))
    if _counts(parts, "complementary"):
        steps.append(_step(
            "complementary", f"{me} is in {_group_label(net, i)}, {them} in "
            f"{_group_label(net, c)} (European Innovation Scoreboard)",
            net.group_triples(i) + net.group_triples(c)))
    if _counts(parts, "same country"):
        country = net.org_country[c]
        steps.append(_step("same country", f"both in {net.label(country)}",
                           [(net.orgs[i], P_COUNTRY, country),
                            (net.orgs[c], P_COUNTRY, country)]))
    if _counts(parts, "reach") or _counts(parts, "recent activity") \
            or _counts(parts, "partners count") or not steps or all(not s["path"] for s in steps):
        latest = net.latest_year()
        j = max(net.org_projects[c],
                key=lambda j: (net.project_year.get(j, 0), len(net.project_orgs[j]), -j))
        recent = sum(1 for k in net.org_projects[c] if net.project_year.get(k) == latest)
        part = net.participation[(c, j)]
        steps.append(_step(
            "active", f"{them} took part in {len(net.org_projects[c])} projects "
            f"with {len(theirs)} partners"
            + (f", {recent} of them starting in {latest}" if recent else "")
            + f", e.g. {net.label(net.projects[j])}",
            [(part, P_ORGANISATION, net.orgs[c]),
             (part, P_PROJECT, net.projects[j])]))
    return steps


def _counts(parts: dict[str, float], name: str) -> bool:
    """Whether the part adds to this suggestion's score (present and weighted)."""
    return parts.get(name, 0.0) > 0 and WEIGHTS.get(name, 0.0) > 0
