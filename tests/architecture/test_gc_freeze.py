"""A serving process keeps its long-lived figures out of the cyclic garbage collector; other
processes (tests, the CLI), which open and drop stores, do not."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from corridor.derived.figures import freeze_long_lived, keep_out_of_gc


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    freeze_long_lived(False)
    gc.unfreeze()


def test_by_default_nothing_is_frozen(unfrozen: None) -> None:
    keep_out_of_gc()
    assert gc.get_freeze_count() == 0


def test_a_serving_process_freezes_what_is_alive(unfrozen: None) -> None:
    freeze_long_lived()
    keep_out_of_gc()
    assert gc.get_freeze_count() > 0
