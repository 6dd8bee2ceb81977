"""The durable store: cases, people, settings and other tables, with the cases' history.

Usage (see ARCHITECTURE.md)::

    store = Store.open(data_dir)                  # exclusive: StoreLocked if taken
    case = store.add_case(case, who="张三")
    case.stage = "in_progress"
    store.save_case(case, who="张三", expected_version=case.version)
    with store.transaction():                     # one durable commit, or nothing
        ...
    store.close()

Files in the data directory (``DUBAN_DATA_DIR``, default ``./var``):

* ``duban.sqlite3``: the database (:mod:`data.storage`): one row per document, and the
  history; ``duban.sqlite3-wal`` and ``-shm`` are SQLite's write-ahead log and its index
  while the database is open;
* ``duban.lock``: the guard of the writing process (:mod:`data.lock`);
* ``backups/``: the backups (:mod:`data.backup`); ``legacy-json-*/``: the files of the
  old JSON engine, set aside when they were migrated (:mod:`data.legacy`).

A commit writes the documents the transaction changed and its history events in ONE
SQLite transaction (WAL mode, ``synchronous=FULL``): durable when it returns, and a case
and its history can never disagree.

The store belongs to one thread (the bot's event loop); writes are serialised by a lock.
Do not ``await`` inside a ``transaction()``: another coroutine's writes would join it.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from tinydb.table import Table

from bot.domain.lifecycle import iter_live
from bot.domain.model import (
    Actor,
    Case,
    Clock,
    Consultation,
    HistoryEvent,
    Notice,
    Person,
    Review,
    ValidationError,
    diff_case_docs,
    diff_cases,
    normalize_number,
)
from bot.domain.people import link_handler
from bot.domain.timeutil import SystemTime, iso_now
from bot.texts import t
from data import legacy
from data.errors import (
    DuplicateCase,
    DuplicatePerson,
    StaleCase,
    StoreCorrupt,
    StoreError,
    StoreLocked,
    StoreOpenError,
    StoreReadOnly,
    StoreSchemaError,
    StoreWriteError,
    TransactionAborted,
    UnknownRecord,
)
from data.indexes import CaseIndex, LiveIndex, TextIndex, first_due_ids, number_value
from data.lock import DirLock, LockTaken, someone_writes
from data.perms import ensure_private, private_umask
from data.storage import (
    DB_NAME,
    SCHEMA_VERSION,
    DurableStorage,
    DurableTinyDB,
    check_wal,
    gc_paused,
    scratch,
)

__all__ = [
    "Store", "StoreError", "StoreLocked", "StoreWriteError", "StoreReadOnly", "StoreSchemaError",
    "StoreOpenError",
    "StoreCorrupt", "StaleCase", "DuplicateCase", "DuplicatePerson", "UnknownRecord",
    "TransactionAborted", "default_data_dir", "SCHEMA_VERSION",
]

log = logging.getLogger(__name__)

CASES, PEOPLE, SETTINGS = "cases", "people", "settings"
#: tables the store manages itself; ``table()`` refuses them
RESERVED = frozenset({CASES, PEOPLE, SETTINGS, "_meta", "_default"})
#: case fields that are bookkeeping, not content (left out of the 'created' snapshot)
BOOKKEEPING = ("id", "version", "created_at", "updated_at")
_SETTING_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")

def default_data_dir() -> Path:
    """``DUBAN_DATA_DIR``, or ``./var``."""
    return Path(os.environ.get("DUBAN_DATA_DIR", "").strip() or "var")


class Store:
    """Cases, people, settings and plain tables, durable on every write. Use :meth:`open`."""

    def __init__(self, data_dir: Path, storage: DurableStorage, lock: DirLock | None,
                 time: SystemTime) -> None:
        self.data_dir = data_dir
        self.readonly = storage.readonly
        self._storage = storage
        self._lock = lock
        self._time = time
        self._db = DurableTinyDB(storage=lambda: storage)
        self._cases_t = self._db.table(CASES)
        self._people_t = self._db.table(PEOPLE)
        self._settings_t = self._db.table(SETTINGS)
        storage.commit_hook = self._autocommit
        self._mutex = threading.RLock()
        self._pending: list[dict[str, Any]] = []
        self._doomed = False
        self._closed = False
        # caches, built on first use
        #: Case objects, built on demand (all of them at the first cases())
        self._case_objs: dict[int, Case] = {}
        self._all_cases = False
        self._index: CaseIndex | None = None
        #: live clocks by due date (lifecycle.iter_live), built at the first question on them
        self._live: LiveIndex | None = None
        #: every case's searched text (queries.search_text), built at the first search
        self._text: TextIndex | None = None
        #: (index names version, people) -> (divisions, names): the recogniser's name sets
        self._names: tuple[tuple[int, int], tuple[list[str], list[str]]] | None = None
        self._people_version = 0
        self._people_objs: dict[int, Person] | None = None
        self._by_telegram: dict[int, int] = {}
        self._setting_ids: dict[str, int] | None = None

    # ------------------------------------------------------------ open / close

    @classmethod
    def open(cls, data_dir: str | Path | None = None, readonly: bool = False, *,
             time: SystemTime | None = None, wal: bool = False) -> Store:
        """Open the store in ``data_dir`` (default :func:`default_data_dir`).

        Writable (the default): takes the directory's guard (``StoreLocked`` if another
        process writes it), creates the database on first use, and migrates the files of
        the old JSON engine once (:mod:`data.legacy`). ``readonly=True``: no guard, no
        file is created or changed; reads the last committed snapshot, even while another
        process writes; every write raises ``StoreReadOnly``.

        ``wal`` is accepted for old callers and ignored: SQLite's WAL mode is always on.
        """
        directory = Path(data_dir) if data_dir is not None else default_data_dir()
        time = time or SystemTime()
        lock = None
        if not readonly:
            private_umask()  # data.perms: what this process writes is 0600 / 0700
            try:
                directory.mkdir(parents=True, exist_ok=True)
                ensure_private(directory)
                lock = DirLock(directory)
                lock.acquire()
            except LockTaken as exc:
                raise StoreLocked(directory, exc.pid) from None
            except OSError as exc:  # a read-only or full file system, no permission
                raise StoreOpenError(directory, exc) from exc
        try:
            storage = _open_storage(directory, readonly, time)
        except OSError as exc:
            if lock is not None:
                lock.release()
            raise StoreOpenError(directory, exc) from exc
        except sqlite3.OperationalError as exc:
            if lock is not None:
                lock.release()
            raise StoreOpenError(directory, exc) from exc
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        return cls(directory, storage, lock, time)

    def close(self) -> None:
        """Release the guard and the database. Idempotent; an open transaction is rolled
        back."""
        if self._closed:
            return
        if self._storage.depth:
            self._rollback()
        self._closed = True
        self._storage.close()
        if self._lock is not None:
            self._lock.release()

    def checkpoint(self) -> None:
        """Fold SQLite's write-ahead log into the database file and empty it (SQLite does
        this by itself every ~4 MB of log and at close; this is for tools and tests)."""
        self._check_writable()
        with self._mutex:
            self._storage.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ transactions

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Everything inside is one durable commit, when the outermost block exits.

        Nested blocks join the outer one. An exception rolls everything back (memory and
        history; nothing reaches the disk); if an inner block's exception is caught inside
        the outer one, the outer block raises ``TransactionAborted`` when it exits.
        A commit that cannot be written raises ``StoreWriteError`` (and rolls back).
        """
        self._check_writable()
        with self._mutex:
            storage = self._storage
            outer = storage.depth == 0
            storage.depth += 1
            try:
                yield self
            except BaseException:
                storage.depth -= 1
                self._rollback()
                if not outer:
                    self._doomed = True
                raise
            storage.depth -= 1
            if outer:
                if self._doomed:
                    self._rollback()
                    raise TransactionAborted()
                self._commit()

    def _commit(self) -> None:
        """Write what changed, documents and history, as one SQLite transaction."""
        storage = self._storage
        if not storage.dirty and not self._pending:
            return
        txn = storage.meta["txn"] + 1
        rows = []
        for ev in self._pending:
            subject = next(iter(ev))
            rows.append((txn, subject, str(ev[subject]),
                         orjson.dumps({"txn": txn, **ev}).decode()))
        try:
            storage.commit(txn, rows)
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, (OSError, sqlite3.Error)):
                raise StoreWriteError(storage.path, exc) from exc
            raise
        self._pending = []

    def _autocommit(self) -> None:
        """A write through ``table()`` outside any transaction."""
        with self._mutex:
            self._commit()

    def _rollback(self) -> None:
        """Back to the last commit, in memory: documents, caches, pending history."""
        self._pending = []
        self._doomed = False
        touched = self._storage.rollback()
        self._db.reset_tables()
        if CASES in touched:
            docs = self._storage.table_docs(CASES)
            for key in touched[CASES]:
                self._case_objs.pop(int(key), None)  # built again from the document
                self._all_cases = False
                if self._index is not None:
                    self._index.put(int(key), docs.get(key))
                self._put_kept(int(key), self._case(int(key)))
        if PEOPLE in touched:
            self._people_objs = None
            self._people_version += 1
        if SETTINGS in touched:
            self._setting_ids = None

    def _put_kept(self, case_id: int, case: Case | None) -> None:
        """The indexes built from case objects (live clocks, searched text), where built,
        told that case ``case_id`` is now ``case`` (None: gone)."""
        if self._live is not None:
            self._live.put(case_id, case)
        if self._text is not None:
            self._text.put(case_id, case)

    def _check_writable(self) -> None:
        if self.readonly:
            raise StoreReadOnly(self.data_dir)

    # ------------------------------------------------------------ cases: reading

    def _cases(self) -> dict[int, Case]:
        """Every case object, by id (built on first use, then kept up to date)."""
        if not self._all_cases:
            built = self._case_objs
            with gc_paused() as pause:
                self._case_objs = {int(k): built.get(int(k)) or _load_case(int(k), doc)
                                   for k, doc in self._storage.table_docs(CASES).items()}
                pause.freeze_from(len(self._case_objs))
            self._all_cases = True
        return self._case_objs

    def _case(self, case_id: int) -> Case | None:
        """One case object, built from its document if need be (not all of them)."""
        case = self._case_objs.get(case_id)
        if case is None:
            doc = self._storage.table_docs(CASES).get(str(case_id))
            if doc is None:
                return None
            case = self._case_objs[case_id] = _load_case(case_id, doc)
        return case

    def _known_case(self, case_id: int) -> Case:
        """A case the indexes or the keys name: its document exists, they are built from it."""
        case = self._case(case_id)
        assert case is not None, f"case {case_id} is indexed but has no document"
        return case

    def _indexes(self) -> CaseIndex:
        if self._index is None:
            docs = self._storage.table_docs(CASES)
            rows = self._storage.case_rows
            with gc_paused() as pause:
                index = None
                if rows is not None:  # (SQLite's copy of the fields: no document parsed)
                    try:
                        index = CaseIndex.from_rows(rows)
                    except ValueError:
                        log.warning("a case row lacks its indexed fields: reading documents")
                self._index = index if index is not None else CaseIndex.build(docs)
                pause.freeze_from(len(docs))
            self._storage.case_rows = None
        return self._index

    def _keys(self) -> dict[tuple, int]:
        return self._indexes().by_key

    def cases(self, year: int | None = None) -> list[Case]:
        """All cases (of ``year``), by id. SHARED cached objects: do not mutate them
        (take :meth:`get_case` for a copy to change)."""
        objs = self._cases().values()
        if year is None:
            return list(objs)
        return [c for c in objs if c.year == year]

    def get_case(self, case_id: int) -> Case | None:
        """A fresh copy of the case, safe to change and pass to :meth:`save_case`."""
        case = self._case(case_id)
        return case.copy() if case is not None else None

    def find_by_number(self, number: Any) -> list[Case]:
        """Cases whose number is exactly ``number`` (leading zeros count), as copies."""
        try:
            number = normalize_number(number)
        except ValidationError:
            return []
        index = self._indexes()
        return [self._known_case(cid).copy() for cid in index.ids(index.by_number, number)]

    def cases_of_handler(self, name: str) -> list[Case]:
        """The cases whose handler is ``name``, by id. SHARED objects: do not mutate."""
        index = self._indexes()
        return [self._known_case(cid) for cid in index.ids(index.by_handler, name)]

    def find_by_value(self, number: Any) -> list[Case]:
        """Cases whose digit number has the value of ``number`` (``484`` finds ``0484``),
        as copies."""
        try:
            number = normalize_number(number)
        except ValidationError:
            return []
        index = self._indexes()
        value = number_value(number)
        if value is None:
            return []
        return [self._known_case(cid).copy() for cid in index.ids(index.by_value, value)]

    def cases_of_handler_id(self, person_id: int) -> list[Case]:
        """The cases owned by person ``person_id`` (``Case.handler_id``), by id. SHARED."""
        index = self._indexes()
        return [self._known_case(cid) for cid in index.ids(index.by_handler_id, person_id)]

    def case_ids_unlinked(self) -> list[int]:
        """The ids of the cases that name a handler but carry no person id, by id."""
        return self._indexes().unlinked()

    def handler_names(self) -> list[str]:
        """Every handler name the cases carry (none empty), from the index."""
        return [n for n in self._indexes().by_handler if n]

    def division_names(self) -> list[str]:
        """Every division name the cases carry (none empty), from the index."""
        return [n for n in self._indexes().by_division if n]

    def _live_index(self) -> LiveIndex:
        if self._live is None:
            cases = self._cases()
            with gc_paused() as pause:
                self._live = LiveIndex.build(cases.values())
                pause.freeze_from(len(cases))
        return self._live

    def cases_overdue_in_order(self, iso: str,
                               among: Collection[int] | None = None) -> list[Case]:
        """The open cases overdue on ``iso``, most overdue first (``queries.overdue_key``,
        then id; what ``queries.overdue_page(..., ordered=True)`` takes); ``among``: only
        those of these ids. SHARED objects: do not mutate."""
        ids = self._live_index().overdue_in_order(iso)
        if among is not None:
            ids = [cid for cid in ids if cid in among]
        return list(map(self._cases().__getitem__, ids))

    def cases_due_in_order(self, lo: str, hi: str,
                           among: Collection[int] | None = None) -> list[Case]:
        """The cases with a live clock due in ``lo``..``hi`` (ISO, both included) in
        ``queries.due_key`` order, then by id (what ``queries.due_page(..., ordered=True)``
        takes); ``among``: only those of these ids. SHARED objects: do not mutate."""
        ids = self._live_index().due_in_order(lo, hi, among)
        return list(map(self._cases().__getitem__, ids))

    def case_ids_of_handler_id(self, person_id: int) -> set[int]:
        """The ids of the cases owned by person ``person_id``."""
        return set(self._indexes().by_handler_id.get(person_id, ()))

    def case_ids_of_division(self, division: str) -> set[int]:
        """The ids of the cases of ``division``."""
        return set(self._indexes().by_division.get(division, ()))

    def cases_with_ids(self, ids: Iterable[int]) -> list[Case]:
        """The stored cases of these ids, by id (unknown ids skipped). SHARED objects."""
        found = (self._case(cid) for cid in sorted(ids))
        return [case for case in found if case is not None]

    def cases_due_first(self, iso: str, keep: Any = None) -> list[Case]:
        """Among the cases ``keep(case)`` accepts, those whose next live clock on or after
        ``iso`` comes first (all of that due date), by id. SHARED objects."""
        def accept(cid: int) -> bool:
            return keep is None or bool(keep(self._known_case(cid)))
        return [self._known_case(cid) for cid in first_due_ids(self._live_index(), iso, accept)]

    def case_ids_matching(self, key: str) -> set[int]:
        """The ids of the cases whose searched text (``queries.search_text``) holds ``key``
        (a ``queries.search_key``): the candidates ``queries.search`` ranks."""
        if self._text is None:
            cases = self._cases()
            with gc_paused() as pause:
                self._text = TextIndex.build(cases.values())
                pause.freeze_from(len(cases))
        return self._text.ids_containing(key)

    def live_clocks_of(self, case: Case) -> list[tuple[str, str]]:
        """``list(lifecycle.iter_live(case))`` as kept for the stored case (computed for
        another): (clock name, due) of its live clocks."""
        entries = self._live_index().clocks_of(case.id)
        if entries is None or self._case_objs.get(case.id) is not case:
            return list(iter_live(case))
        return entries

    def urgency_of(self, case: Case) -> Any:
        """``queries.urgency(case)`` as kept for the stored case (computed for another)."""
        facts = self._live_index().urgency.get(case.id)
        if facts is None or self._case_objs.get(case.id) is not case:
            from bot.domain.queries import urgency

            return urgency(case)
        return facts

    def known_names(self) -> tuple[list[str], list[str]]:
        """(divisions, people names) the bureau uses, sorted: the divisions of the cases and
        of the people list (with those they lead), the handlers of the cases and everyone's
        name. Kept until a name appears or disappears."""
        version = (self._indexes().names_version, self._people_version)
        if self._names is None or self._names[0] != version:
            divisions = set(self._indexes().by_division)
            handlers = set(self._indexes().by_handler)
            for p in self._people().values():
                divisions.add(p.division)
                divisions.update(p.leads_divisions)
                handlers.add(p.name)
            divisions.discard("")
            handlers.discard("")
            self._names = (version, (sorted(divisions), sorted(handlers)))
        divisions_, handlers_ = self._names[1]
        return list(divisions_), list(handlers_)

    def cases_of_division(self, division: str) -> list[Case]:
        """The cases of ``division``, by id. SHARED objects: do not mutate."""
        index = self._indexes()
        return [self._known_case(cid) for cid in index.ids(index.by_division, division)]

    def case_by_key(self, key: tuple) -> Case | None:
        """The case with this :attr:`Case.key`, as a copy."""
        cid = self._keys().get(tuple(key))
        return self.get_case(cid) if cid is not None else None

    def history(self, case_id: int, limit: int | None = None) -> list[HistoryEvent]:
        """The case's history, oldest first; ``limit``: only the last N events."""
        return [_event(case_id, ev) for ev in self._events("case", case_id, limit)]

    def history_reader(self):
        """The committed case history as it stands now, for another thread or a forked
        child to read through a connection of its own (``data.history_reader``); only
        outside a transaction (its events are not committed yet)."""
        from data.history_reader import HistoryReader

        if self._pending:
            raise RuntimeError("history_reader() inside a transaction")
        return HistoryReader(self.data_dir / DB_NAME, self._storage.history_seq)

    def person_history(self, person_id: int, limit: int | None = None) -> list[dict[str, Any]]:
        """Changes to a person (who approved, linked, moved them), oldest first."""
        return self._events("person", person_id, limit)

    def setting_history(self, name: str, limit: int | None = None) -> list[dict[str, Any]]:
        return self._events("setting", name, limit)

    def _events(self, subject: str, key: int | str, limit: int | None) -> list[dict[str, Any]]:
        pending = [ev for ev in self._pending if ev.get(subject) == key]
        if limit is not None and 0 < limit <= len(pending):
            return pending[-limit:]
        events = self._storage.history_events(subject, key,
                                              None if limit is None else limit - len(pending))
        events += pending
        if limit is not None:
            events = events[-limit:] if limit > 0 else []
        return events

    # ------------------------------------------------------------ cases: writing

    def add_case(self, case: Case, who: str, note: str = "") -> Case:
        """Register a new case: assigns its id, version 1, timestamps; history 'created'.

        Raises ``ValidationError`` for bad values and ``DuplicateCase`` (carrying the
        existing case) if a case with the same key exists. Fills in ``case``'s bookkeeping
        fields and returns it.
        """
        self._check_writable()
        _require(case, Case)
        who, note = _who(who), str(note or "")
        _validate(case)
        self._link_handler(case)
        with self._mutex:
            existing = self._keys().get(case.key)
            if existing is not None:
                raise DuplicateCase(self._known_case(existing).copy())
            now = iso_now(self._time)
            doc = _case_doc(case)  # (what is stored, and a copy built from it: not ``case``)
            doc["version"], doc["created_at"], doc["updated_at"] = 1, now, now
            with self.transaction():
                case_id = self._cases_t.insert(doc)
                stored = self._case_objs[case_id] = _load_case(case_id, doc)
                self._indexes().put(case_id, doc)
                self._put_kept(case_id, stored)
                self._record("case", case_id, now, who, "created", None, _snapshot(doc), note)
        case.id, case.version, case.created_at, case.updated_at = case_id, 1, now, now
        return case

    def _link_handler(self, case: Case) -> None:
        """A case is its handler's by person id: one that names its handler but carries no
        id (or the id of someone else of another name) is linked by name and division
        (:func:`bot.domain.people.link_handler`; namesakes not told apart stay unlinked)."""
        if not case.handler:
            case.handler_id = 0
            return
        if case.handler_id:
            person = self._people().get(case.handler_id)
            if person is not None and person.name == case.handler:
                return
        link_handler(case, list(self._people().values()))

    def save_case(self, case: Case, who: str, note: str = "",
                  expected_version: int | None = None) -> Case:
        """Save changes to a stored case: one history event per changed field, version + 1.

        Diffs against the stored version (so it works even on an object of :meth:`cases`).
        A save with no change writes nothing. Raises ``StaleCase`` if ``expected_version``
        is given and the stored version differs, ``UnknownRecord`` for an unknown id,
        ``DuplicateCase`` if the new key is another case's, ``ValidationError`` for bad
        values. Fills in ``case``'s bookkeeping fields and returns it.
        """
        self._check_writable()
        _require(case, Case)
        who, note = _who(who), str(note or "")
        _validate(case)
        self._link_handler(case)
        with self._mutex:
            doc = self._storage.table_docs(CASES).get(str(case.id))
            if doc is None:
                raise UnknownRecord("case", case.id)
            new_doc = _case_doc(case)
            if doc.keys() == new_doc.keys():  # the stored document and the plain form,
                old_version, created, updated = (  # compared as they are: no object built
                    doc["version"], doc["created_at"], doc["updated_at"])
                changes = diff_case_docs(doc, new_doc)
            else:  # a document written before a field was added: its defaults count
                old = _load_case(case.id, doc)
                old_version, created, updated = old.version, old.created_at, old.updated_at
                changes = diff_cases(old, case)
            if expected_version is not None and old_version != expected_version:
                raise StaleCase(case.id, expected_version, old_version)
            if changes:
                other = self._keys().get(case.key)
                if other is not None and other != case.id:
                    raise DuplicateCase(self._known_case(other).copy())
                now = iso_now(self._time)
                new_doc["version"], new_doc["created_at"], new_doc["updated_at"] = \
                    old_version + 1, created, now  # (the caller's case is not stored:
                stored = _load_case(case.id, new_doc)  # a copy is, built from its plain form)
                with self.transaction():
                    self._cases_t.update(_replace_with(new_doc), doc_ids=[case.id])
                    self._case_objs[case.id] = stored
                    self._indexes().put(case.id, new_doc)
                    self._put_kept(case.id, stored)
                    for fld, before, after in changes:
                        self._record("case", case.id, now, who, fld, before, after, note)
                old_version, updated = old_version + 1, now
        case.version, case.created_at, case.updated_at = old_version, created, updated
        return case

    # ------------------------------------------------------------ people

    def _people(self) -> dict[int, Person]:
        if self._people_objs is None:
            self._people_objs = {int(k): Person.from_dict({**doc, "id": int(k)})
                                 for k, doc in self._storage.table_docs(PEOPLE).items()}
            self._by_telegram = {p.telegram: pid for pid, p in self._people_objs.items()
                                 if p.telegram is not None}
        return self._people_objs

    def _put_person(self, person: Person) -> None:
        people = self._people()
        old = people.get(person.id)
        if old is not None and old.telegram is not None and \
                self._by_telegram.get(old.telegram) == person.id:
            del self._by_telegram[old.telegram]
        people[person.id] = person
        self._people_version += 1
        if person.telegram is not None:
            self._by_telegram[person.telegram] = person.id

    def people(self) -> list[Person]:
        """Everyone, by id (copies)."""
        return [p.copy() for p in self._people().values()]

    def get_person(self, person_id: int) -> Person | None:
        person = self._people().get(person_id)
        return person.copy() if person is not None else None

    def person_by_telegram(self, telegram_id: int) -> Person | None:
        people = self._people()
        pid = self._by_telegram.get(telegram_id)
        return people[pid].copy() if pid is not None else None

    def people_named(self, name: str) -> list[Person]:
        name = (name or "").strip()
        return [p.copy() for p in self._people().values() if p.name == name]

    def ids_named(self, name: str) -> list[int]:
        """The ids of the people called ``name`` (no copies)."""
        name = (name or "").strip()
        return [pid for pid, p in self._people().items() if p.name == name]

    def add_person(self, person: Person, who: str, note: str = "") -> Person:
        """Add a person (assigns the id); refuses a Telegram account already linked."""
        self._check_writable()
        _require(person, Person)
        who = _who(who)
        person.validate()
        with self._mutex:
            self._check_telegram(person, None)
            doc = _person_doc(person)
            with self.transaction():
                pid = self._people_t.insert(doc)
                stored = Person.from_dict({**doc, "id": pid})
                self._put_person(stored)
                self._record("person", pid, iso_now(self._time), who, "created", None, doc,
                             str(note or ""))
        person.id = pid
        return person

    def save_person(self, person: Person, who: str, note: str = "") -> Person:
        """Save changes to a person, one history event per changed field."""
        self._check_writable()
        _require(person, Person)
        who = _who(who)
        person.validate()
        with self._mutex:
            old = self._people().get(person.id)
            if old is None:
                raise UnknownRecord("person", person.id)
            self._check_telegram(person, person.id)
            before, after = _person_doc(old), _person_doc(person)
            changes = [(k, before.get(k), v) for k, v in after.items() if before.get(k) != v]
            if changes:
                now = iso_now(self._time)
                with self.transaction():
                    self._people_t.update(_replace_with(after), doc_ids=[person.id])
                    self._put_person(person.copy())
                    for fld, a, b in changes:
                        self._record("person", person.id, now, who, fld, a, b, str(note or ""))
        return person

    def _check_telegram(self, person: Person, own_id: int | None) -> None:
        if person.telegram is None:
            return
        people = self._people()
        pid = self._by_telegram.get(person.telegram)
        if pid is not None and pid != own_id:
            raise DuplicatePerson(people[pid].copy())

    # ------------------------------------------------------------ settings

    def _settings(self) -> dict[str, int]:
        if self._setting_ids is None:
            self._setting_ids = {doc["name"]: int(k)
                                 for k, doc in self._storage.table_docs(SETTINGS).items()}
        return self._setting_ids

    def get_setting(self, name: str, default: Any = None) -> Any:
        """The setting's JSON value (a copy), or ``default``."""
        doc_id = self._settings().get(name)
        if doc_id is None:
            return default
        return copy.deepcopy(self._storage.table_docs(SETTINGS)[str(doc_id)]["value"])

    def set_setting(self, name: str, value: Any, who: str) -> None:
        """Set a JSON value (dicts, lists, strings, numbers, bools, None); history kept."""
        self._check_writable()
        who = _who(who)
        if not isinstance(name, str) or not _SETTING_NAME.match(name):
            raise ValueError(f"bad setting name {name!r}: use letters, digits, _ . -")
        try:
            value = orjson.loads(orjson.dumps(value))
        except TypeError as exc:
            raise ValueError(f"setting {name!r}: value is not JSON: {exc}") from None
        with self._mutex:
            old = self.get_setting(name)
            doc_id = self._settings().get(name)
            if doc_id is not None and old == value:
                return
            with self.transaction():
                if doc_id is None:
                    self._settings()[name] = self._settings_t.insert({"name": name, "value": value})
                else:
                    self._settings_t.update(_replace_with({"name": name, "value": value}),
                                            doc_ids=[doc_id])
                self._record("setting", name, iso_now(self._time), who, "value", old, value, "")

    # ------------------------------------------------------------ other tables

    def table(self, name: str) -> Table:
        """A plain TinyDB table. Writes through it are durable commits (joined with an open
        :meth:`transaction`). The documents it returns share nested values with the store:
        do not mutate them, write through the table."""
        if name in RESERVED or not isinstance(name, str) or not name:
            raise ValueError(f"table {name!r} is reserved for the store or not a valid name")
        return self._db.table(name)

    # ------------------------------------------------------------ history

    def _record(self, subject: str, key: int | str, at: str, who: str, fld: str, old: Any,
                new: Any, note: str) -> None:
        event = {subject: key, "at": at, "who": str(who), "field": fld, "old": old,
                 "new": new, "note": note}
        who_id = getattr(who, "id", 0)
        if who_id:  # the person's id beside the name as it was: namesakes told apart
            event["who_id"] = who_id
        self._pending.append(event)

    # ------------------------------------------------------------ checking

    def verify(self, lang: str | None = "zh") -> list[str]:
        """Problems found (``duban check``): an empty list when all is consistent.

        Runs SQLite's ``PRAGMA integrity_check`` on the file, then checks every case and
        person against the model's validation, case keys and Telegram accounts for
        duplicates, the history (readable, in transaction order, none beyond the last
        commit), that history names only existing cases and people, and that each case's
        history, replayed from its 'created' event, gives the stored case.
        """
        problems: list[tuple[str, dict[str, Any]]] = [
            ("check.integrity", {"detail": detail}) for detail in self._storage.integrity()[:20]]
        if self._lock is not None or not someone_writes(self.data_dir):
            try:
                check_wal(self.data_dir / DB_NAME)
            except StoreCorrupt as exc:
                problems.append((exc.key, exc.params))
        cases: dict[int, dict[str, Any]] = {}
        seen_keys: dict[tuple, int] = {}
        for k, doc in self._storage.table_docs(CASES).items():
            cid = int(k)
            try:
                case = Case.from_dict({**doc, "id": cid})
            except (ValidationError, TypeError) as exc:
                error = exc.render(lang) if isinstance(exc, ValidationError) else str(exc)
                problems.append(("check.bad_case", {"id": cid, "error": error}))
                continue
            cases[cid] = _snapshot(case.to_dict())
            if case.key in seen_keys:
                problems.append(("check.duplicate_case", {"id": cid, "other": seen_keys[case.key],
                                                          "number": case.number}))
            seen_keys.setdefault(case.key, cid)
        # the index as opened (SQLite's copy of each case's fields) against the documents
        try:
            disagreeing = self._indexes().disagreeing(
                CaseIndex.build(self._storage.table_docs(CASES)))
        except (KeyError, TypeError, AttributeError):  # documents without a case's fields:
            disagreeing = []  # reported above, case by case
        problems += [("check.index_mismatch", {"id": cid}) for cid in disagreeing]
        people: set[int] = set()
        telegrams: dict[int, int] = {}
        for k, doc in self._storage.table_docs(PEOPLE).items():
            pid = int(k)
            people.add(pid)
            try:
                person = Person.from_dict({**doc, "id": pid})
            except (ValidationError, TypeError) as exc:
                error = exc.render(lang) if isinstance(exc, ValidationError) else str(exc)
                problems.append(("check.bad_person", {"id": pid, "error": error}))
                continue
            if person.telegram is not None:
                if person.telegram in telegrams:
                    problems.append(("check.duplicate_telegram", {
                        "id": pid, "other": telegrams[person.telegram],
                        "telegram": person.telegram}))
                telegrams.setdefault(person.telegram, pid)

        replay: dict[int, dict[str, Any] | None] = {}
        committed, last_txn = self._storage.meta.get("txn", 0), 0
        for number, line in self._storage.history_rows():
            try:
                ev = orjson.loads(line)
                txn = ev["txn"]
            except (orjson.JSONDecodeError, KeyError, TypeError):
                problems.append(("check.bad_journal_line", {"line": number}))
                continue
            if txn < last_txn:
                problems.append(("check.journal_order", {"line": number, "txn": txn}))
            if txn > committed:
                problems.append(("check.journal_ahead", {"line": number, "txn": txn}))
            last_txn = max(last_txn, txn)
            if "person" in ev and ev["person"] not in people:
                problems.append(("check.unknown_person", {"line": number, "id": ev["person"]}))
            if "case" not in ev:
                continue
            cid = ev["case"]
            if cid not in cases and str(cid) not in self._storage.table_docs(CASES):
                problems.append(("check.unknown_case", {"line": number, "id": cid}))
                continue
            if ev.get("field") == "created":
                if cid in replay:
                    problems.append(("check.double_created", {"id": cid}))
                replay[cid] = copy.deepcopy(ev.get("new"))
            elif (state := replay.get(cid)) is not None:
                _apply(state, ev.get("field", ""), ev.get("new"))
        for cid, snap in cases.items():
            state = replay.get(cid)
            number = snap["number"]
            if state is None:
                problems.append(("check.no_created", {"id": cid, "number": number}))
                continue
            compared = set(snap) | set(state)
            try:  # the history read as a case is read (cleaned text, newer fields' defaults)
                state = Case.from_dict({**state, "id": cid}).to_dict()
            except (ValidationError, TypeError):
                pass  # compared as it is: every field that differs is reported
            for fld in sorted(compared):
                if fld == "clocks":
                    for name in sorted(set(snap["clocks"]) | set(state.get("clocks") or {})):
                        if snap["clocks"].get(name) != (state.get("clocks") or {}).get(name):
                            problems.append(("check.history_mismatch", {
                                "id": cid, "number": number, "field": f"clocks.{name}"}))
                elif snap.get(fld) != state.get(fld):
                    problems.append(("check.history_mismatch",
                                     {"id": cid, "number": number, "field": fld}))
        return [t(key, lang, **params) for key, params in problems]


# ---------------------------------------------------------------- helpers


def _open_storage(directory: Path, readonly: bool, time: SystemTime) -> DurableStorage:
    """The database of ``directory``; the old engine's files migrated first (writable) or
    read into a scratch database (read-only, nothing changed on disk)."""
    db_path = directory / DB_NAME
    for _attempt in range(3):
        if db_path.exists():
            if not readonly:  # the guard is ours: no process writes SQLite's log now
                check_wal(db_path)
            storage = DurableStorage.open(db_path, readonly=readonly)
            if not readonly and legacy.present(directory):  # a migration cut short
                legacy.set_aside(directory, storage.meta.get("legacy_aside"))
            return storage
        if not legacy.present(directory):
            if readonly:  # nothing stored yet: an empty store, and no file made
                return DurableStorage.open(db_path, readonly=True, conn=scratch())
            legacy.remove_scratch(directory)
            return DurableStorage.open(db_path, readonly=False)
        if not readonly:
            legacy.remove_scratch(directory)
            folder = legacy.migrate(directory, time.now())
            log.warning("migrated the JSON data of %s into %s; the old files are in %s",
                        directory, DB_NAME, folder)
            continue
        try:
            return DurableStorage.open(db_path, readonly=True,
                                       conn=legacy.migrate_in_memory(directory))
        except StoreCorrupt:
            if not db_path.exists():  # else a writer migrated it meanwhile: read that
                raise
    raise StoreCorrupt(db_path, "the data directory keeps changing while it is opened")


def _require(obj: object, cls: type) -> None:
    if not isinstance(obj, cls):
        raise TypeError(f"expected a {cls.__name__}, got {type(obj).__name__}")


def _validate(case: Case) -> None:
    """Validate the case, its clocks, consultations, notices and reviews included."""
    case.validate()


def _who(who: str) -> str:
    """The name of who makes a change, keeping the person id of an :class:`Actor`."""
    if not isinstance(who, str) or not who.strip():
        raise ValueError("every change needs a 'who' (the person or process making it)")
    return Actor(who.strip(), getattr(who, "id", 0))


def _replace_with(doc: dict[str, Any]):
    """A TinyDB update that makes the document exactly ``doc`` (stale keys dropped)."""
    def replace(stored: dict[str, Any]) -> None:
        stored.clear()
        stored.update(doc)
    return replace


def _case_doc(case: Case) -> dict[str, Any]:
    doc = case.to_dict()
    del doc["id"]  # the TinyDB document id
    return doc


def _snapshot(doc: dict[str, Any]) -> dict[str, Any]:
    """A case's content, from its plain form, as history records it at creation (no
    bookkeeping fields; the values are ``doc``'s own)."""
    return {k: v for k, v in doc.items() if k not in BOOKKEEPING}


def _person_doc(person: Person) -> dict[str, Any]:
    doc = person.to_dict()
    del doc["id"]
    return doc


def _apply(state: dict[str, Any], fld: str, new: Any) -> None:
    """Replay one history event on a case snapshot (see ``diff_cases``)."""
    if fld.startswith("clocks."):
        clocks = state.setdefault("clocks", {})
        if new is None:
            clocks.pop(fld[len("clocks."):], None)
        else:
            clocks[fld[len("clocks."):]] = new
    else:
        state[fld] = new


def _event(case_id: int, ev: dict[str, Any]) -> HistoryEvent:
    return HistoryEvent(case_id=case_id, at=ev["at"], who=ev["who"], field=ev["field"],
                        old=ev.get("old"), new=ev.get("new"), note=ev.get("note", ""),
                        who_id=ev.get("who_id", 0))


# Loading stored cases without re-validating them: the documents were validated when they
# were written, and validation (text scans of every field) costs ~50 µs a case, 0.5 s for
# 10,000. ``verify()`` validates them fully. tests/test_store.py checks that this loader
# gives the same object as ``Case.from_dict``.

class _Loader:
    """Builds a dataclass from a stored dict without running its validation."""

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.defaults: dict[str, Any] = {}
        self.factories: dict[str, Any] = {}
        self.required: list[str] = []
        for f in dataclasses.fields(cls):
            if f.default is not dataclasses.MISSING:
                self.defaults[f.name] = f.default
            elif f.default_factory is not dataclasses.MISSING:
                self.factories[f.name] = f.default_factory
            else:
                self.required.append(f.name)
        self.count = len(self.defaults) + len(self.factories) + len(self.required)

    def __call__(self, doc: dict[str, Any]) -> Any:
        obj: Any = object.__new__(self.cls)
        attrs = obj.__dict__
        attrs.update(doc)
        if len(attrs) < self.count:  # fields the document lacks: defaults, or corrupt
            for name in self.required:
                if name not in attrs:
                    raise StoreCorrupt(Path(DB_NAME), f"{self.cls.__name__} without {name!r}")
            for name, factory in self.factories.items():
                attrs.setdefault(name, factory())
            for name, value in self.defaults.items():
                attrs.setdefault(name, value)
        return obj


_case_loader, _clock_loader, _consult_loader = _Loader(Case), _Loader(Clock), _Loader(Consultation)
_notice_loader, _review_loader = _Loader(Notice), _Loader(Review)


def _load_case(case_id: int, doc: dict[str, Any]) -> Case:
    case = _case_loader(doc)
    case.id = case_id
    case.proposers = list(case.proposers)
    case.extra = dict(case.extra)
    case.clocks = {name: _clock_loader(c) for name, c in case.clocks.items()}
    case.consultations = [_consult_loader(c) for c in case.consultations]
    if case.notices:  # (督办单 and reviews are objects too: lifecycle reads their fields)
        case.notices = [_notice_loader(n) for n in case.notices]
    if case.reviews:
        case.reviews = [_review_loader(r) for r in case.reviews]
    case.review_chain = list(case.review_chain)
    if case.documents:  # (flat dicts: with the copies above, the object shares no mutable
        case.documents = [dict(d) for d in case.documents]  # value with the document)
    return case
