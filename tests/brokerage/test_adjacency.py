"""The co-participation matrix the suggestions walk: built in NumPy from the participations, it
holds for every pair of organisations exactly what counting project by project gives."""

from __future__ import annotations

import math
from collections import defaultdict

from corridor.derived.brokerage.network import Network
from corridor.derived.brokerage.suggest import RECENT_DECAY, score_candidates

from .networks import BASE, random_network


def network() -> Network:
    """60 projects of 1-12 members drawn from 40 organisations, started 2014-2020 or undated."""
    return random_network(20, 60, 40, 12, dated=True)


def counted(net: Network) -> dict[tuple[int, int], list[float]]:
    """(a, b) → [projects shared, recency-weighted, closeness], one project at a time."""
    latest = net.latest_year() or 0
    out: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for j, members in enumerate(net.project_orgs):
        age = max(0, latest - net.project_year.get(j, latest))
        for a in members:
            for b in members:
                if a != b:
                    pair = out[(a, b)]
                    pair[0] += 1
                    pair[1] += RECENT_DECAY ** age
                    pair[2] += 1.0 / max(1, len(members) - 1)
    return out


def test_the_matrix_holds_every_pairs_shared_projects_recency_and_closeness() -> None:
    net = network()
    adj = net.adjacency(RECENT_DECAY)
    found = {}
    for a in range(len(net.orgs)):
        row = adj.row(a)
        assert list(adj.indices[row]) == sorted(adj.indices[row])
        assert adj.degree[a] == row.stop - row.start
        for b, n, r, c in zip(adj.indices[row], adj.shared[row], adj.recent[row],
                              adj.close[row], strict=True):
            found[(a, int(b))] = [float(n), float(r), float(c)]
    expected = counted(net)
    assert found.keys() == expected.keys()
    for pair, values in expected.items():
        assert all(math.isclose(x, y, rel_tol=1e-12) for x, y in zip(found[pair], values,
                                                                        strict=True)), pair


def test_partners_are_read_off_the_matrix() -> None:
    net = network()
    expected = counted(net)
    for a in range(len(net.orgs)):
        assert net.partners(a) == {b: int(v[0]) for (x, b), v in expected.items() if x == a}
        assert net.degree(a) == len(net.partners(a))


def test_the_shared_partner_part_sums_over_every_partner_of_a_partner() -> None:
    net = network()
    partners = {a: net.partners(a) for a in range(len(net.orgs))}
    for i in range(len(net.orgs)):
        walked: dict[int, float] = defaultdict(float)
        for p, n_ip in partners[i].items():
            for c, n_pc in partners[p].items():
                if c != i and c not in partners[i]:
                    walked[c] += math.sqrt(n_ip) * math.sqrt(n_pc) / math.log(2 + len(partners[p]))
        scored = score_candidates(net, i)
        for c, value in walked.items():
            assert math.isclose(scored[c]["partners"], math.log1p(value), rel_tol=1e-12)
        assert i not in scored and not set(partners[i]) & set(scored)


def test_a_new_participation_rebuilds_the_matrix() -> None:
    net = network()
    before = net.degree(0)
    proj = f"{BASE}id/project/new"
    newcomer = len(net.orgs)
    net.add_participation(f"{proj}/participation/a", net.orgs[0], proj, None)
    net.add_participation(f"{proj}/participation/b", f"{BASE}id/organisation/new", proj, None)
    assert net.degree(0) == before + 1
    assert net.partners(newcomer) == {0: 1}
