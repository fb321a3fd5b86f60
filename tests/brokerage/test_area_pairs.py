"""Pairs of areas per year are kept as integer columns (a region × region table has ~10^6
cells at 1M triples) and give back exactly the counts they were made from, also after a
round trip through the kept JSON."""

from __future__ import annotations

import json

from corridor.derived.brokerage.analytics import AreaPairs

NUTS = "http://data.europa.eu/nuts/code/"
CELLS = {
    (NUTS + "DE21", NUTS + "PL91", "2016"): [2, 5],
    (NUTS + "DE21", NUTS + "PL91", "all"): [3, 7],
    (NUTS + "AT32", NUTS + "DE21", "all"): [1, 2],
}


def as_rows(pairs: AreaPairs) -> dict[tuple[str, str, str], list[int]]:
    return {(a, b, year): [p, n] for a, b, year, p, n in pairs.rows()}


def test_the_columns_give_back_every_cell() -> None:
    pairs = AreaPairs.of(CELLS)
    assert as_rows(pairs) == CELLS and len(pairs) == 3


def test_one_year_gives_only_its_pairs() -> None:
    pairs = AreaPairs.of(CELLS)
    assert list(pairs.of_year("2016")) == [(NUTS + "DE21", NUTS + "PL91", 2, 5)]
    assert list(pairs.of_year("2019")) == []


def test_the_kept_json_reads_back_the_same_cells() -> None:
    kept = json.loads(json.dumps(AreaPairs.of(CELLS).to_json()))
    assert as_rows(AreaPairs.from_json(kept)) == CELLS
