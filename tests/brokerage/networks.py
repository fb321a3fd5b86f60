"""Random collaboration networks for the tests of the in-memory measures (no store)."""

from __future__ import annotations

import random

from corridor.derived.brokerage.network import Network

BASE = "https://w3id.org/corridor/"


def random_network(seed: int, projects: int, organisations: int, largest: int,
                   dated: bool = False) -> Network:
    """``projects`` projects of 1-``largest`` members drawn from ``organisations``; with
    ``dated``, six of every seven start in 2014-2020, the rest undated."""
    rng = random.Random(seed)
    net = Network(version=1)
    for p in range(projects):
        proj = f"{BASE}id/project/p{p}"
        for m in rng.sample(range(organisations), rng.randint(1, largest)):
            net.add_participation(f"{proj}/participation/{m}", f"{BASE}id/organisation/o{m}",
                                  proj, None)
        if dated and p % 7:
            net.project_year[net.project_index[proj]] = rng.randint(2014, 2020)
    return net
