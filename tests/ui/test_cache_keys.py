"""What clients send (``?lang=``, ``Accept-Language``, ``?sort=``) becomes cache keys only as a
few well-formed values: made-up values map to the defaults, so they cannot grow the caches."""

from __future__ import annotations

import random
import string

import pytest

from corridor.config import Config
from corridor.store import open_store
from corridor.web import labels
from corridor.web.app import create_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    store = open_store(Config(store_dir=tmp_path_factory.mktemp("keys") / "store"))
    return create_app(store.config, store)


@pytest.mark.parametrize(("query", "accept", "expected"), [
    ("?lang=fr", "de-DE,de;q=0.9", ["fr", "de-de", "de", "en"]),
    ("?lang=<script>", "", ["en"]),
    ("?lang=" + "x" * 500, "", ["en"]),
    ("?lang=zz-qq-rr-ss-tt", "", ["en"]),
    ("", ", ".join(f"l{i:02d}" for i in range(50)), ["en"]),
    ("", "fr, de, it, es, pt, nl", ["fr", "de", "it", "es"]),
])
def test_languages_are_a_few_well_formed_tags(app, query, accept, expected):
    with app.test_request_context("/" + query, headers={"Accept-Language": accept}):
        assert labels.preferred_languages() == expected


def test_random_languages_yield_a_bounded_set_of_keys(app):
    rng = random.Random(3)
    seen = set()
    for _ in range(2000):
        junk = "".join(rng.choices(string.ascii_letters, k=12)) + rng.choice(["", "-1", "_x"])
        with app.test_request_context(f"/?lang={junk}", headers={"Accept-Language": junk}):
            seen.add(tuple(labels.preferred_languages()))
    assert len(seen) == 1  # none of it is a language tag


@pytest.mark.parametrize("sort", ["label", "-budget", "start", "end"])
def test_known_orders_are_kept(app, sort):
    from corridor.web.ui.projects import sort_arg

    with app.test_request_context(f"/?sort={sort}"):
        assert sort_arg() == sort


@pytest.mark.parametrize("sort", ["random", "--label", "label; drop", "x" * 300, ""])
def test_unknown_orders_are_the_default(app, sort):
    from corridor.web.ui.projects import sort_arg

    with app.test_request_context(f"/?sort={sort}"):
        assert sort_arg() == "label"
