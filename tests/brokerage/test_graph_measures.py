"""The corridor analytics' graph measures, computed by igraph: betweenness gives networkx's
figures for the same sampled sources, Louvain gives the same communities for the same network."""

from __future__ import annotations

import math
import random

import networkx as nx
import pytest

from corridor.derived.brokerage.analytics import (
    bipartite,
    compute,
    louvain,
    sampled_betweenness,
)
from corridor.derived.brokerage.network import Network

from .networks import random_network


def network() -> Network:
    """80 projects of 1-8 members drawn from 120 organisations."""
    return random_network(5, 80, 120, 8)


def reference(net: Network, vertices: list[tuple[str, int]]) -> nx.Graph:
    """The same graph in networkx, its nodes listed in the same order (the sample is drawn
    from that list)."""
    graph = nx.Graph()
    graph.add_nodes_from(vertices)
    graph.add_edges_from((("o", i), ("p", j)) for (i, j) in net.participation)
    return graph


@pytest.mark.parametrize("k", [30, 10_000])  # sampled sources; every vertex (exact)
def test_betweenness_is_networkxs_for_the_same_sampled_sources(k: int) -> None:
    net = network()
    graph, vertices = bipartite(net)
    expected = nx.betweenness_centrality(reference(net, vertices), k=min(k, len(vertices)),
                                         seed=16, normalized=True)
    found = sampled_betweenness(graph, min(k, len(vertices)), 16)
    assert any(v > 0 for v in found)
    for vertex, value in zip(vertices, found, strict=True):
        assert math.isclose(value, expected[vertex], rel_tol=1e-9, abs_tol=1e-15), vertex


def test_louvain_gives_the_same_communities_for_the_same_network() -> None:
    graph, _ = bipartite(network())
    state = random.getstate()
    first = louvain(graph, 16)
    assert random.getstate() == state  # the process's own random numbers are left alone
    assert louvain(graph, 16) == first
    assert len(set(first)) > 1


def test_the_measures_do_not_depend_on_the_order_participations_were_read_in() -> None:
    net = network()
    shuffled = Network(version=1)
    pairs = list(net.participation.items())
    random.Random(3).shuffle(pairs)
    for (i, j), part in pairs:
        shuffled.add_participation(part, net.orgs[i], net.projects[j], None)
    assert compute(shuffled).to_json() | {"seconds": 0} == compute(net).to_json() | {
        "seconds": 0}


def test_every_organisation_is_in_one_numbered_community() -> None:
    net = network()
    out = compute(net)
    assert set(out.community) == set(net.orgs)
    assert set(out.community.values()) == set(range(len(out.community_sizes)))
    assert sum(out.community_sizes) == len(net.orgs)
