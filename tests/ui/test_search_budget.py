"""One search does bounded work: one- and two-letter words match whole words only (as
prefixes they match much of the vocabulary), and every search stops at a time budget."""

from __future__ import annotations

import random
import string
import time

import pyoxigraph as ox
import pytest

from corridor.config import Config
from corridor.derived import search
from corridor.derived.search import index_for, match_expression
from corridor.store import open_store

BASE = "https://w3id.org/corridor/"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


@pytest.mark.parametrize(("text", "expression"), [
    ("eu", '"eu"'), ("inn", '"inn"*'), ("i innovation", '"i" AND "innovation"*'),
])
def test_short_words_are_whole_words_longer_ones_prefixes(text, expression):
    assert match_expression(text) == expression


def test_one_letter_alone_searches_nothing():
    """A query of one-letter words only asks for more (the search page says so) instead of
    matching a large part of the vocabulary."""
    assert match_expression("i") == ""


@pytest.fixture(scope="module")
def big_index(tmp_path_factory):
    store = open_store(Config(store_dir=tmp_path_factory.mktemp("search") / "store"))
    rng = random.Random(7)
    quads = []
    for i in range(60_000):
        words = " ".join("i" + "".join(rng.choices(string.ascii_lowercase, k=6))
                         for _ in range(4))
        quads.append(ox.Quad(ox.NamedNode(f"{BASE}id/organisation/o{i}"), LABEL,
                             ox.Literal(f"{words} eu", language="en")))
    with store.transaction("many labels") as txn:
        txn.replace_graph(BASE + "graph/test/labels", quads)
    index = index_for(store)
    index.ensure_current()
    return index


@pytest.mark.parametrize("text", ["i", "ia", "iab", "i a b c", "eu"])
def test_a_search_answers_within_its_budget(big_index, text):
    big_index.search("warm-up")
    started = time.monotonic()
    big_index.search(text)
    assert time.monotonic() - started < search.SEARCH_SECONDS + 0.5


def test_a_whole_short_word_still_finds_its_resources(big_index):
    assert big_index.search("eu")


def test_a_long_prefix_still_finds_its_resources(big_index):
    assert big_index.search("iab") or big_index.search("iac")
