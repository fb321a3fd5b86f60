"""Fixtures shared by the command-line tests."""

from pathlib import Path

import pytest

from corridor.cli import main
from corridor.config import Config
from tests.tmpfs import small_tmpfs


@pytest.fixture()
def small_disk(tmp_path: Path):
    """A 3 MB tmpfs (needs root; skipped elsewhere)."""
    with small_tmpfs(tmp_path / "small-disk", "3m") as mount:
        yield mount


@pytest.fixture()
def run(tiny_config: Config, capsys: pytest.CaptureFixture[str]):
    """``run(*argv) -> (exit code, stdout, stderr)`` against the tiny configuration."""

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv), config=tiny_config)
        out, err = capsys.readouterr()
        return code, out, err

    return run
