"""Partner suggestions over HTTP on the synthetic network (see conftest): candidates, ranking,
explanations that are paths of store triples, filters, and a write that changes them."""

from __future__ import annotations

import time

import pyoxigraph as ox
import pytest

from tests.brokerage.conftest import ORG, ORGS, PREFIXES, Live, project_turtle, start


def names(body: dict) -> list[str]:
    return [s["organisation"].removeprefix(ORG) for s in body["suggestions"]]


def test_suggestions_answer_json_with_the_organisation_and_scored_candidates(live: Live) -> None:
    body = live.suggestions(ORG + "a")
    assert body["organisation"] == ORG + "a"
    first = body["suggestions"][0]
    assert set(first) >= {"organisation", "label", "score", "explanation"}
    assert first["label"] == "Organisation " + first["organisation"][-1].upper()
    assert 0 < first["score"] < 1


def test_present_partners_and_the_organisation_itself_are_never_suggested(live: Live) -> None:
    assert not {"a", "b", "c"} & set(names(live.suggestions(ORG + "a")))


def test_the_candidate_sharing_two_partners_ranks_first(live: Live) -> None:
    # f worked with b (p4) and with c (p3), both partners of a; d, e, g share one partner
    assert names(live.suggestions(ORG + "a"))[0] == "f"


def test_limit_bounds_the_number_of_suggestions(live: Live) -> None:
    assert len(live.get_json("/suggest/partners", organisation=ORG + "a", limit=2)
               ["suggestions"]) == 2


def test_every_explanation_step_is_a_triple_that_exists_in_the_store(live: Live) -> None:
    checked = 0
    for name in ORGS:
        for suggestion in live.suggestions(ORG + name)["suggestions"]:
            paths = [step["path"] for step in suggestion["explanation"]]
            assert any(paths), suggestion
            for path in paths:
                for s, p, o in path:
                    obj = f"<{o}>" if "://" in o else ox.Literal(o)
                    assert live.store.query(f"ASK {{ <{s}> <{p}> {obj} }}"), (s, p, o)
                    checked += 1
    assert checked > 50


def test_a_shared_partner_explanation_is_a_connected_path_from_one_to_the_other(
    live: Live,
) -> None:
    first = live.suggestions(ORG + "a")["suggestions"][0]
    step = next(s for s in first["explanation"] if s["kind"] == "shared partner")
    path = step["path"]
    assert path[0][2] == ORG + "a" and path[-1][2] == first["organisation"]
    for (s1, _p1, o1), (s2, _p2, o2) in zip(path, path[1:], strict=False):
        assert {s1, o1} & {s2, o2}, (s1, o1, s2, o2)  # each triple shares a node with the next


def test_an_unknown_organisation_is_404_in_json(live: Live) -> None:
    import urllib.error

    try:
        live.get_json("/suggest/partners", organisation=ORG + "nobody")
    except urllib.error.HTTPError as e:
        assert e.code == 404
    else:
        raise AssertionError("expected 404")


def test_a_project_idea_gets_organisations_of_its_theme_from_missing_countries(
    live: Live,
) -> None:
    body = live.get_json("/suggest/partners", theme=live_theme("health"),
                         in_country=country("ROU"), member=ORG + "h")
    got = names(body)
    assert got and set(got) <= {"c", "f"}  # health: c, f, g; g is in Romania, h a member


def live_theme(name: str) -> str:
    return f"https://w3id.org/corridor/id/concept/theme/{name}"


def country(code: str) -> str:
    return f"http://publications.europa.eu/resource/authority/country/{code}"


def test_a_new_co_participation_changes_the_suggestions_after_the_next_version(
    tmp_path,
) -> None:
    for live in start(tmp_path):
        before = live.suggestions(ORG + "a")["suggestions"]
        assert "h" in [s["organisation"].removeprefix(ORG) for s in before]
        g_before = next(s for s in before if s["organisation"] == ORG + "g")
        version = live.store.version
        status = live.post_turtle("https://w3id.org/corridor/graph/test/new-project",
                                  PREFIXES + project_turtle("p6", 2019, "health", ["a", "h"], "a"))
        assert status in (200, 201, 204)
        assert live.store.version > version
        deadline = time.monotonic() + 30
        after = live.suggestions(ORG + "a")
        while "h" in names(after) and time.monotonic() < deadline:
            time.sleep(0.2)
            after = live.suggestions(ORG + "a")
        assert "h" not in names(after)  # h is now a partner of a
        g_after = next(s for s in after["suggestions"] if s["organisation"] == ORG + "g")
        assert g_after["score"] > g_before["score"]  # g now shares h with a, besides c
        assert after["version"] > version
        # recomputed, not published: a write is never followed by a commit nobody asked for
        # (harvesters following the change log would see a version they did not cause)
        assert live.store.version == version + 1


def test_suggestions_answer_when_the_process_holds_more_than_1024_descriptors(tmp_path) -> None:
    # late in a full test run (or a big store) descriptors pass FD_SETSIZE; a select() loop
    # then dies in its thread and requests are accepted but never answered
    import os
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 1200 + len(os.listdir("/proc/self/fd"))
    if soft < wanted + 200:
        if hard != resource.RLIM_INFINITY and hard < wanted + 200:
            pytest.skip(f"the descriptor limit ({hard}) is below {wanted + 200}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted + 200, hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1200)]
    try:
        for live in start(tmp_path):
            assert names(live.suggestions(ORG + "a"))[0] == "f"
    finally:
        for fd in held:
            os.close(fd)
        if soft < wanted + 200:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
