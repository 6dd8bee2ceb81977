"""Slow work off the event loop: parse and render in a worker thread, commit on the loop.

The store is touched only from the event loop's thread. Work over many cases (checking a
5,000-row import, rendering a 50,000-case export or the year's report) would hold the loop
for seconds and every other chat would wait. So the loop takes an immutable snapshot (the
store's cached case objects are never changed in place: a save replaces them), a worker
thread does the slow part on it, and the loop commits the result, with ``expected_version``
for every case read before the await (another chat may have changed it meanwhile: then
nothing is written and the user is told to send the file again).

:class:`SnapshotStore` is what the worker thread sees: the few read methods an import
uses, answered from the snapshot, and writes that are only *recorded*; :meth:`commit`
replays them on the loop in one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from bot.domain.model import Case, Person

R = TypeVar("R")

__all__ = ["SnapshotStore", "export_bytes", "in_thread", "report_parts"]


async def in_thread(fn: Callable[..., R], *args: Any, **kw: Any) -> R:
    """``fn(*args, **kw)`` in a worker thread (it must not touch the store)."""
    return await asyncio.to_thread(fn, *args, **kw)


class SnapshotStore:
    """The store as an import sees it, frozen at construction (made on the loop's thread)."""

    def __init__(self, store, settings: tuple[str, ...] = ()) -> None:
        self._loop_thread = threading.get_ident()
        self._people = store.people()
        # shared cached objects: safe to read from another thread, the store replaces them
        self._by_key = {case.key: case for case in store.cases()}
        self._settings = {name: store.get_setting(name, None) for name in settings}
        self._ops: list[tuple[str, Case, str, str, int | None]] = []

    # -- what the worker thread may call

    def people(self) -> list[Person]:
        return [p.copy() for p in self._people]

    def case_by_key(self, key: tuple) -> Case | None:
        case = self._by_key.get(tuple(key))
        return case.copy() if case is not None else None

    def get_setting(self, name: str, default: Any = None) -> Any:
        if name not in self._settings:
            raise KeyError(f"setting {name!r} not in the snapshot")
        value = self._settings[name]
        return default if value is None else value

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        yield

    def add_case(self, case: Case, who: str, note: str = "") -> Case:
        self._ops.append(("add", case.copy(), who, note, None))
        return case

    def save_case(self, case: Case, who: str, note: str = "",
                  expected_version: int | None = None) -> Case:
        self._ops.append(("save", case.copy(), who, note, expected_version))
        return case

    # -- on the loop again

    @property
    def pending(self) -> int:
        return len(self._ops)

    def commit(self, store) -> int:
        """Write the recorded changes in one transaction; StaleCase / DuplicateCase when a
        case changed since the snapshot (then nothing is written)."""
        if threading.get_ident() != self._loop_thread:
            raise RuntimeError("commit() belongs on the event loop's thread")
        with store.transaction():
            for op, case, who, note, expected in self._ops:
                if op == "add":
                    store.add_case(case, who, note)
                else:
                    store.save_case(case, who, note, expected_version=expected)
        written, self._ops = len(self._ops), []
        return written


#: cases whose history is read between two yields to the loop (an export of 50,000 cases
#: must not hold the loop for seconds)
HISTORY_CHUNK = 500


async def export_bytes(store, year: int | None, today: dt.date) -> Callable[[], bytes]:
    """Read what the ledger export needs (on the loop, a chunk at a time, letting other
    chats run in between); return the rendering, for a worker thread."""
    from data.ledger import ledger_order
    from data.ledger_write import ledger_workbook

    cases = sorted(store.cases(year), key=ledger_order)
    people = store.people()
    history = {}
    for start in range(0, len(cases), HISTORY_CHUNK):
        for case in cases[start:start + HISTORY_CHUNK]:
            history[case.id] = store.history(case.id)
        await asyncio.sleep(0)
    return lambda: ledger_workbook(cases, today=today, history=history, people=people)


def report_parts(cases: list[Case], year: int, unit: str, today: dt.date,
                 lang: str) -> tuple[str, bytes]:
    """The report's text and .xlsx (in a worker thread: pure, over the cases given)."""
    from bot.domain.report import render_report_text, report_figures
    from data.ledger_write import report_xlsx

    fig = report_figures(cases, year, unit=unit, today=today)
    return render_report_text(fig, lang, table=False), report_xlsx(fig, lang)
