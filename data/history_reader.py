"""The committed history as it stood at one moment, read through a connection of its own.

A ledger import plans in a forked child on a snapshot of the store (handlers.offload). Its
merge may ask for the history of any case the file touches; reading the history of every
case up front, on the event loop, cost seconds at 50,000 cases. A :class:`HistoryReader`
carries only the database's path and the last committed history row at the snapshot
(history rows are append-only and numbered in commit order), and opens its own read-only
connection the first time it is asked: in the child, never the parent's connection across a
fork. What it reads is exactly what ``store.history`` returned at the snapshot.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson

from bot.domain.model import HistoryEvent
from data.storage import connect

__all__ = ["HistoryReader"]


class HistoryReader:
    """``history(case_id)`` as of the snapshot (rows up to ``seq``)."""

    def __init__(self, path: Path, seq: int) -> None:
        self.path, self.seq = Path(path), seq
        self._conn: sqlite3.Connection | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "seq": self.seq, "_conn": None}

    def case_history(self, case_id: int) -> list[HistoryEvent]:
        from data.store import _event

        rows = self._connection().execute(
            "SELECT event FROM history WHERE subject = ? AND key = ? AND seq <= ? "
            "ORDER BY seq", ("case", str(case_id), self.seq)).fetchall()
        return [_event(case_id, orjson.loads(row[0])) for row in rows]

    def all_cases(self) -> dict[int, list[HistoryEvent]]:
        """Every case's history (one pass over the rows, for an export)."""
        from data.store import _event

        out: dict[int, list[HistoryEvent]] = {}
        for key, event in self._connection().execute(
                "SELECT key, event FROM history WHERE subject = ? AND seq <= ? ORDER BY seq",
                ("case", self.seq)):
            case_id = int(key)
            out.setdefault(case_id, []).append(_event(case_id, orjson.loads(event)))
        return out

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.path, readonly=True)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
