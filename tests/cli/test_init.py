"""A command that opens a new store either finds it initialised or says in one line what to run
first; ``corridor init`` initialises it the way ``serve`` does on its first start."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.cli import main
from corridor.config import Config
from corridor.resources import bundled
from corridor.store import open_store


@pytest.fixture()
def project_file() -> Path:
    return sorted((bundled("data") / "projects").glob("*.ttl"))[0]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), config=Config())
    out, err = capsys.readouterr()
    return code, out, err


def test_loading_conforming_data_into_a_new_store_says_to_run_init_first(
    tmp_path, capsys, project_file
):
    store = tmp_path / "new"
    code, _, err = run(capsys, "--store", str(store), "load", str(project_file))
    assert code == 1
    assert f"run `corridor init --store {store}` first" in err
    assert open_store(Config(store_dir=store), read_only=True).version == 0


def test_after_init_the_same_file_loads(tmp_path, capsys, project_file):
    store = tmp_path / "new"
    code, out, _ = run(capsys, "--store", str(store), "init")
    assert code == 0 and "initialised" in out
    initialised = open_store(Config(store_dir=store), read_only=True)
    assert Config().graph_iri("shapes") in initialised.named_graphs()
    version = initialised.version
    del initialised
    code, out, err = run(capsys, "--store", str(store), "load", str(project_file))
    assert code == 0, err
    code, out, _ = run(capsys, "--store", str(store), "init")
    assert code == 0 and "already initialised" in out
    assert open_store(Config(store_dir=store), read_only=True).version >= version
