"""The theme-activity part of the suggestion score: an organisation that is most active in one's
own theme is a candidate even without a shared partner, and its suggestion is explained by the
shared theme as store triples."""

from __future__ import annotations

from corridor.derived.brokerage.network import Network
from corridor.derived.brokerage.suggest import explain, score_candidates

BASE = "https://w3id.org/corridor/"
TOPIC = "https://w3id.org/corridor/ontology#topic"
ENERGY = BASE + "id/concept/theme/energy"


def network() -> Network:
    """a worked with b in one energy project; x ran three energy projects with y and z only."""
    net = Network(version=1)
    for name, members in {"p1": "ab", "p2": "xy", "p3": "xz", "p4": "xyz"}.items():
        proj = f"{BASE}id/project/{name}"
        for m in members:
            net.add_participation(f"{proj}/participation/{m}", f"{BASE}id/organisation/{m}",
                                  proj, None)
        net.project_themes[net.project_index[proj]] = [(TOPIC, ENERGY)]
    return net


def test_the_most_active_organisation_in_ones_theme_is_a_candidate_without_shared_partners(
) -> None:
    net = network()
    a, x = net.org_index[BASE + "id/organisation/a"], net.org_index[BASE + "id/organisation/x"]
    parts = score_candidates(net, a)
    assert parts[x]["partners"] == 0.0
    assert parts[x]["theme activity"] > parts[net.org_index[BASE + "id/organisation/y"]][
        "theme activity"] > 0.0


def test_a_theme_activity_suggestion_is_explained_by_the_shared_theme_as_triples() -> None:
    net = network()
    a, x = net.org_index[BASE + "id/organisation/a"], net.org_index[BASE + "id/organisation/x"]
    steps = explain(net, a, x, score_candidates(net, a)[x])
    theme = next(s for s in steps if s["kind"] == "shared theme")
    assert [BASE + "id/project/p1", TOPIC, ENERGY] in theme["path"]
    assert any(t[1] == TOPIC and t[2] == ENERGY and t[0] != BASE + "id/project/p1"
               for t in theme["path"])
