"""The change log: which resources changed in which store version (read by the change feed)."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from pathlib import Path

from corridor.store.base import Change


class ChangeLog:
    """Append-only record of which resources changed in which store version."""

    def __init__(self, path: str | Path) -> None:
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS changes (seq INTEGER PRIMARY KEY, version INTEGER,"
                " time TEXT, activity TEXT, graph TEXT, resource TEXT)"
            )

    def append(
        self, version: int, when: datetime, activity: str,
        changes: list[tuple[str | None, str | None]],
    ) -> None:
        rows = [(version, when.isoformat(), activity, g, r) for g, r in changes]
        with self._lock, self._db:
            self._db.executemany(
                "INSERT INTO changes (version, time, activity, graph, resource) VALUES (?,?,?,?,?)",
                rows,
            )

    def forget_after(self, version: int) -> None:
        """Drop entries of versions after ``version`` (a commit killed before its switch)."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM changes WHERE version > ?", (version,))

    def since(self, seq: int, limit: int) -> list[Change]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, version, time, activity, graph, resource FROM changes"
                " WHERE seq > ? ORDER BY seq LIMIT ?",
                (seq, limit),
            ).fetchall()
        return [Change(s, v, datetime.fromisoformat(t), a, g, r) for s, v, t, a, g, r in rows]

    def last_seq(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()
        return int(row[0])
