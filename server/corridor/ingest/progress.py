"""Progress bars of loads and imports on stderr, drawn by tqdm, only when stderr is a terminal.

A pipe, a log file or a test never sees one. The bar follows bytes read (a Python reader
reports its offset; the Rust bulk loader reads the file itself, so the bar follows the read
offset of its file descriptor in ``/proc/self/fdinfo`` where available) and names the phases
that have no byte count (validating, publishing).
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from pathlib import Path

from tqdm import tqdm

BAR = "{desc} [{bar:30}] {percentage:3.0f}%{postfix} {elapsed}"


class Progress:
    """One bar over ``total`` bytes, labelled ``label``; :meth:`phase` names what runs now."""

    def __init__(self, label: str, total: int, *, minimum: int = 0) -> None:
        enabled = sys.stderr.isatty() and total > minimum
        width = shutil.get_terminal_size().columns or 80  # a terminal of unknown size says 0
        # nrows: tqdm hides bars below a screen height it reads as 0 on such terminals
        self._bar = tqdm(total=max(total, 1), desc=label, bar_format=BAR, file=sys.stderr,
                         disable=not enabled, leave=False, ncols=width, nrows=100)
        self._watch: list[Path] = []
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        return not self._bar.disable

    def phase(
        self, name: str, watch: list[Path] | None = None, total: int | None = None
    ) -> None:
        """Start phase ``name``: over ``total`` bytes reported by :meth:`at`, over this
        process's reads of the ``watch`` files, or (neither) a phase without a byte count."""
        if not self.enabled:
            return
        self._bar.set_postfix_str(name, refresh=False)
        self._watch = watch or []
        if self._watch:
            total = sum(_size(p) for p in self._watch)
            if self._ticker is None:
                self._ticker = threading.Thread(target=self._follow, daemon=True)
                self._ticker.start()
        if total is not None:
            self._bar.reset(total=max(total, 1))
        else:
            self._bar.n = self._bar.total
        self._bar.refresh()

    def at(self, position: int) -> None:
        """The reader is ``position`` bytes in."""
        if self.enabled:
            self._bar.n = min(position, self._bar.total)
            self._bar.refresh() if self._bar.n == self._bar.total else self._bar.update(0)

    def _follow(self) -> None:
        while not self._stop.wait(0.25):
            if self._watch:
                offset = read_offset(self._watch)
                if offset is not None:
                    self.at(offset)

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        self._bar.close()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def read_offset(paths: list[Path]) -> int | None:
    """How far this process has read into one of ``paths`` (Linux /proc), else None."""
    wanted = {str(p.resolve()) for p in paths}
    offsets = []
    try:
        for fd in os.listdir("/proc/self/fd"):
            try:
                if os.readlink(f"/proc/self/fd/{fd}") in wanted:
                    with open(f"/proc/self/fdinfo/{fd}") as info:
                        offsets += [int(line.split()[1]) for line in info
                                    if line.startswith("pos:")]
            except OSError:
                continue
    except OSError:
        return None
    return min(offsets) if offsets else None
