"""Fixtures shared by the command-line tests."""

import gc
import subprocess
from pathlib import Path

import pytest

from corridor.cli import main
from corridor.config import Config


@pytest.fixture()
def small_disk(tmp_path: Path):
    """A 3 MB tmpfs (needs root; skipped elsewhere)."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    yield mount
    gc.collect()  # close the stores opened in this process before unmounting
    subprocess.run(["umount", "--lazy", str(mount)], check=True)


@pytest.fixture()
def run(tiny_config: Config, capsys: pytest.CaptureFixture[str]):
    """``run(*argv) -> (exit code, stdout, stderr)`` against the tiny configuration."""

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv), config=tiny_config)
        out, err = capsys.readouterr()
        return code, out, err

    return run
