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
import io
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from bot.domain.model import Case, Person

R = TypeVar("R")

__all__ = ["ChildFailed", "SnapshotStore", "check_in_child", "export_bytes", "in_child",
           "in_child_object", "in_thread", "report_parts"]


async def in_thread(fn: Callable[..., R], *args: Any, **kw: Any) -> R:
    """``fn(*args, **kw)`` in a worker thread (it must not touch the store)."""
    return await asyncio.to_thread(fn, *args, **kw)


class ChildFailed(RuntimeError):
    """The rendering child process failed; the message is its error."""


async def in_child(fn: Callable[[], bytes]) -> bytes:
    """``fn()`` in a forked copy of this process, its bytes sent back through a pipe.

    A worker thread shares the interpreter lock with the event loop, so a long pure-Python
    rendering (openpyxl over 50,000 cases) halves the loop's speed for its whole duration. A
    forked child runs on another core and needs no copying of its inputs (it has the parent's
    memory as it was). It only computes: it never runs the event loop, touches the store or
    its files, and ends with ``os._exit``. Where there is no fork, a thread does it.
    """
    if not hasattr(os, "fork"):
        return await in_thread(fn)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        status = 1
        try:
            os.close(read_fd)
            signal.set_wakeup_fd(-1)  # the parent's loop must not hear the child's signals
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, signal.SIG_DFL)
            try:
                payload = b"\x00" + fn()
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                payload = b"\x01" + f"{type(exc).__name__}: {exc}".encode()
            with os.fdopen(write_fd, "wb") as out:
                out.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(write_fd)

    def collect() -> bytes:
        try:
            with os.fdopen(read_fd, "rb") as inp:
                return inp.read()
        finally:
            os.waitpid(pid, 0)

    payload = await asyncio.to_thread(collect)
    if not payload or payload[0] != 0:
        raise ChildFailed(payload[1:].decode(errors="replace") or "the child died")
    return payload[1:]


def _rebuild_validation(cls: type, key: str, params: dict, state: dict) -> Exception:
    err: Any = Exception.__new__(cls)
    Exception.__init__(err, *state.pop("_args", ()))
    err.__dict__.update(state)
    err.key, err.params = key, params
    return err


class _Pickler(pickle.Pickler):
    """Pickles ValidationError by its key and params (its constructor takes keywords)."""

    def reducer_override(self, obj: Any) -> Any:
        from bot.domain.model import ValidationError

        if isinstance(obj, ValidationError):
            state = {k: v for k, v in obj.__dict__.items() if k not in ("key", "params")}
            state["_args"] = obj.args
            return _rebuild_validation, (type(obj), obj.key, obj.params, state)
        return NotImplemented


def _dumps(value: Any) -> bytes:
    out = io.BytesIO()
    _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return out.getvalue()


#: items per piece of a split result (:func:`in_child_object`): ~5 ms of unpickling each
PIECE_ITEMS = 100


async def in_child_object(fn: Callable[[], R], *,
                          split: Callable[[R], tuple[Any, list]] | None = None,
                          join: Callable[[Any, list], R] | None = None) -> R:
    """Like :func:`in_child` for any picklable result (unpickled in a worker thread).

    ``pickle.loads`` holds the interpreter lock for the whole call, so one big result (an
    import's 5,000 plans) stalls the event loop for a third of a second even in a thread.
    With ``split`` (result -> (head, items)) and ``join`` (head, items -> result) the child
    pickles the items in pieces of :data:`PIECE_ITEMS`, loaded one at a time, and the loop
    runs between them."""
    if split is None or join is None:
        payload = await in_child(lambda: _dumps(fn()))
        return await asyncio.to_thread(pickle.loads, payload)

    def work() -> bytes:
        head, items = split(fn())
        pieces = [_dumps(items[i:i + PIECE_ITEMS]) for i in range(0, len(items), PIECE_ITEMS)]
        return _dumps((head, pieces))  # the pieces are bytes here: cheap to load

    head, pieces = await asyncio.to_thread(pickle.loads, await in_child(work))
    items: list = []
    for piece in pieces:
        items += await asyncio.to_thread(pickle.loads, piece)
    return join(head, items)


async def check_in_child(snapshot: SnapshotStore, fn: Callable[[SnapshotStore], R], *,
                         split: Callable[[R], tuple[Any, list]] | None = None,
                         join: Callable[[Any, list], R] | None = None) -> R:
    """``fn(snapshot)`` in a child (an import's checking: the sheet and the snapshot are
    its inherited memory); the writes it recorded come back to ``snapshot`` for commit().
    ``split`` and ``join``: as for :func:`in_child_object`, of ``fn``'s result."""

    def work() -> tuple[R, list]:
        try:
            return fn(snapshot), snapshot._ops
        finally:
            snapshot.close()

    if split is None or join is None:
        value, ops = await in_child_object(work)
    else:
        def split_pair(pair: tuple[R, list]) -> tuple[Any, list]:
            head, items = split(pair[0])
            return (head, pair[1]), items

        def join_pair(head: Any, items: list) -> tuple[R, list]:
            return join(head[0], items), head[1]

        value, ops = await in_child_object(work, split=split_pair, join=join_pair)
    snapshot._ops = ops
    return value


class _Rows:
    """A side table of the snapshot, read only."""

    def __init__(self, docs: list[Any]) -> None:
        self._docs = docs

    def all(self) -> list[Any]:
        return list(self._docs)


class SnapshotStore:
    """The store as an import sees it, frozen at construction (made on the loop's thread)."""

    def __init__(self, store, settings: tuple[str, ...] = (), *, ledger: bool = False) -> None:
        """``ledger``: also what a ledger import plans with (the per-case snapshots of the
        last import or export, and the history of the cases that have none)."""
        self._loop_thread = threading.get_ident()
        self._people = store.people()
        # shared cached objects: safe to read from another thread, the store replaces them
        self._cases = store.cases()
        self._by_key = {case.key: case for case in self._cases}
        self._settings = {name: store.get_setting(name, None) for name in settings}
        self._ops: list[tuple[str, Case, str, str, int | None]] = []
        self._tables: dict[str, list[Any]] = {}
        self._reader = None
        if ledger:
            from tinydb.table import Document

            from data.ledger_merge import SNAPSHOT_TABLE

            docs = [Document(dict(d), doc_id=d.doc_id) for d in store.table(SNAPSHOT_TABLE).all()]
            self._tables[SNAPSHOT_TABLE] = docs
            # the history of a case is read only when the merge asks for it, by the child,
            # through its own connection, up to this moment's last committed row (reading
            # every case's history here held the loop for seconds at 50,000 cases)
            self._reader = store.history_reader()

    # -- what the worker thread may call

    def people(self) -> list[Person]:
        return [p.copy() for p in self._people]

    def cases(self, year: int | None = None) -> list[Case]:
        """The cases as they were (shared objects: read only)."""
        return [c for c in self._cases if year is None or c.year == year]

    def history(self, case_id: int) -> list[Any]:
        if self._reader is None:
            raise KeyError(f"the history of case {case_id} is not in the snapshot")
        return self._reader.case_history(case_id)

    def close(self) -> None:
        """Close the history connection (a worker thread's; a child's dies with it)."""
        if self._reader is not None:
            self._reader.close()

    def table(self, name: str) -> _Rows:
        if name not in self._tables:
            raise KeyError(f"table {name!r} not in the snapshot")
        return _Rows(self._tables[name])

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


async def export_bytes(store, year: int | None, today: dt.date) -> Callable[[], bytes]:
    """What the ledger export needs, taken on the loop (the cases are shared immutable
    objects); the rendering, for a child, reads the history itself, as it stands now,
    through its own connection (reading 50,000 cases' history held the loop for seconds)."""
    from data.ledger import ledger_order
    from data.ledger_write import ledger_workbook

    cases = sorted(store.cases(year), key=ledger_order)
    people = store.people()
    reader = store.history_reader()

    def render() -> bytes:
        try:
            return ledger_workbook(cases, today=today, history=reader.all_cases(),
                                   people=people)
        finally:
            reader.close()

    return render


def report_parts(cases: list[Case], year: int, unit: str, today: dt.date,
                 lang: str) -> tuple[str, bytes]:
    """The report's text and .xlsx (in a worker thread: pure, over the cases given)."""
    from bot.domain.report import render_report_text, report_figures
    from data.ledger_write import report_xlsx

    fig = report_figures(cases, year, unit=unit, today=today)
    return render_report_text(fig, lang, table=False), report_xlsx(fig, lang)
