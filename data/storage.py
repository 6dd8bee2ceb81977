"""TinyDB over SQLite: the documents in memory, each committed as one row of ``duban.sqlite3``.

TinyDB stays the document API; SQLite (the standard library's ``sqlite3``) makes it
durable. The database file holds three tables::

    meta    (name PRIMARY KEY, value)            schema version, last transaction number
    docs    (tbl, id, doc JSON, ix, PRIMARY KEY (tbl, id))   one row per TinyDB document;
            ix: a case's indexed fields, computed by SQLite from doc on every write
    history (seq PRIMARY KEY, txn, subject, key, event JSON)   the change history

:class:`DurableStorage` reads every row once, at open, and keeps the documents in memory
(TinyDB's ``read()`` returns the live dict); the cases stay as stored text until first read
(:class:`LazyDocs`), and the store builds its index from ``ix``.

:class:`TrackedTable` replaces TinyDB's ``_update_table`` (which rebuilt the whole table
per write) by an O(touched documents) view that records which documents a write touches,
with their committed bytes: that is what a commit writes (only those rows, with the
transaction's history rows, in ONE SQLite transaction) and what a rollback restores.

The connection runs in WAL mode with ``synchronous=FULL``: a commit is durable when
``COMMIT`` returns, and a crash at any instant leaves the last committed state (SQLite's
own recovery). Readers in other processes open the file read-only (``mode=ro``) and read
the last committed snapshot while the writer goes on; the normal (not EXCLUSIVE) locking
mode is what lets them. SQLite does not refuse a second writing *process* (it only
serialises their transactions), so the store keeps its small ``flock`` guard
(:mod:`data.lock`) for the "already running" refusal.
"""

from __future__ import annotations

import gc
import sqlite3
import struct
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from data.errors import StoreCorrupt, StoreReadOnly, StoreSchemaError

DB_NAME = "duban.sqlite3"
#: SQLite's write-ahead log and its index, beside the database while it is open
WAL_NAME, SHM_NAME = DB_NAME + "-wal", DB_NAME + "-shm"
#: 1: the JSON file engine (duban.json, see data/legacy.py); 2: SQLite; 3: SQLite with each
#: case row's indexed fields kept by SQLite (``docs.ix``; a schema-2 file is upgraded at its
#: first writable open)
SCHEMA_VERSION = 3
#: ``PRAGMA application_id``: marks a duban database ("dubn")
APPLICATION_ID = 0x6475626E
#: how long a connection waits for a lock another one holds (a reader during recovery)
BUSY_TIMEOUT_S = 30.0

#: a case document's indexed fields, as SQLite keeps them in ``docs.ix`` on every write
#: (one JSON array; :data:`IX_FIELDS` names its items): the store's indexes are built from
#: these at open, without parsing the documents themselves
IX_FIELDS = ("number", "kind", "year", "session", "origin_session", "handler", "division",
             "handler_id")
_IX_SQL = ("CASE WHEN tbl = 'cases' THEN json_extract(doc, "
           + ", ".join(f"'$.{name}'" for name in IX_FIELDS) + ") END")
DOCS_TABLE = f"""CREATE TABLE docs (tbl TEXT NOT NULL, id INTEGER NOT NULL, doc TEXT NOT NULL,
                   ix TEXT GENERATED ALWAYS AS ({_IX_SQL}) STORED,
                   PRIMARY KEY (tbl, id))"""
#: the table every indexed case row of a schema-3 database is read from at open
LAZY_TABLES = frozenset({"cases"})

SCHEMA = f"""
CREATE TABLE meta (name TEXT PRIMARY KEY, value) WITHOUT ROWID;
{DOCS_TABLE};
CREATE TABLE history (seq INTEGER PRIMARY KEY, txn INTEGER NOT NULL, subject TEXT NOT NULL,
                      key TEXT NOT NULL, event TEXT NOT NULL);
CREATE INDEX history_by_subject ON history (subject, key, seq);
"""

Docs = dict[str, dict[str, Any]]
#: one history row: transaction, subject ("case", "person", "setting"), key, event JSON
HistoryRow = tuple[int, str, str, str]

#: undo token: "the document is as at the last commit" (restore that, and it is clean again)
_CLEAN = object()


def connect(path: Path | str, *, readonly: bool) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit ``BEGIN``/``COMMIT``).

    Writable: WAL mode, ``synchronous=FULL``, the file created if missing. Read-only:
    ``mode=ro``, never creates or changes the database (SQLite may create the ``-shm``
    index beside it, as every WAL reader does). ``":memory:"``: a scratch database.
    """
    if str(path) == ":memory:":
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    else:
        mode = "ro" if readonly else "rwc"
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode={mode}", uri=True,
                               isolation_level=None, check_same_thread=False,
                               timeout=BUSY_TIMEOUT_S)
    try:
        if not readonly and str(path) != ":memory:":
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # pragma: no cover - a file system without mmap
                raise sqlite3.OperationalError(f"cannot use WAL mode (got {mode})")
        conn.execute("PRAGMA synchronous=FULL")
    except BaseException:
        conn.close()
        raise
    return conn


def create_schema(conn: sqlite3.Connection) -> None:
    """Make an empty database a duban database (inside the caller's transaction)."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    conn.executemany("INSERT INTO meta VALUES (?, ?)",
                     [("schema", SCHEMA_VERSION), ("txn", 0)])


class BadDatabase(Exception):
    """The file is not a duban database (not SQLite, damaged, or without our tables)."""


class DurableStorage(Storage):
    """The database in memory, committed row by row to SQLite.

    Writes made outside a transaction (``depth == 0``) are committed at once through
    ``commit_hook``, which the store sets (it adds the history rows).
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, data: dict[str, Docs],
                 meta: dict[str, Any], history_seq: int, *, readonly: bool) -> None:
        super().__init__()
        self.path = Path(path)
        self.conn = conn
        self.readonly = readonly
        self.meta = meta
        #: the last history row this snapshot includes (reads never go beyond it)
        self.history_seq = history_seq
        self._data = data
        #: documents touched since the last commit: table -> id -> committed JSON (None:
        #: the document did not exist)
        self._orig: dict[str, dict[str, bytes | None]] = {}
        self.depth = 0
        self.commit_hook: Callable[[], None] | None = None
        #: (id, indexed fields as JSON) of every case at open (``docs.ix``), until a case is
        #: touched (then only the documents tell): what the store builds its index from
        self.case_rows: list[tuple[int, str]] | None = None

    # ------------------------------------------------------------ open / create

    @classmethod
    def open(cls, path: Path, *, readonly: bool, conn: sqlite3.Connection | None = None
             ) -> DurableStorage:
        """Open (writable: create if need be) the database and read every document.

        Raises :class:`StoreCorrupt` for a file that is not a sound duban database and
        :class:`StoreSchemaError` for one written by a newer duban. ``conn``: an open
        connection to use instead (a migrated scratch database).
        """
        path = Path(path)
        try:
            conn = conn or connect(path, readonly=readonly)
        except sqlite3.DatabaseError as exc:
            raise StoreCorrupt(path, _reason(exc)) from None
        try:
            if not readonly:
                _ensure_schema(conn)
            elif _is_empty(conn):  # a writer is creating it this instant: nothing stored yet
                conn.close()
                conn = scratch()
            data, meta, seq, rows = _load(conn, path)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreCorrupt(path, _reason(exc)) from None
        except BadDatabase as exc:
            conn.close()
            raise StoreCorrupt(path, str(exc)) from None
        except BaseException:
            conn.close()
            raise
        schema = meta.get("schema")
        if not isinstance(schema, int) or schema > SCHEMA_VERSION:
            conn.close()
            raise StoreSchemaError(path, schema, SCHEMA_VERSION)
        storage = cls(path, conn, data, meta, seq, readonly=readonly)
        storage.case_rows = rows
        return storage

    # ------------------------------------------------------------ TinyDB's interface

    def read(self) -> dict[str, Docs]:
        return self._data

    def write(self, data: dict[str, Docs]) -> None:
        """Replace the whole state (TinyDB only does this to drop tables)."""
        self.check_writable()
        for name in set(self._data) | set(data):
            for key in list(self._data.get(name, {})) + list(data.get(name, {})):
                self.touch(name, key)
        self._data.clear()
        self._data.update(data)
        self.changed()

    def close(self) -> None:
        """Close the connection (the last one to close checkpoints and removes the log)."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None  # type: ignore[assignment]

    # ------------------------------------------------------------ changes

    def check_writable(self) -> None:
        if self.readonly:
            raise StoreReadOnly(self.path.parent)

    def table_docs(self, name: str) -> Docs:
        return self._data.setdefault(name, {})

    def touch(self, name: str, key: str) -> object:
        """Record that document ``key`` of table ``name`` is about to change.

        Returns the undo token for the current operation: ``_CLEAN`` if the document was
        untouched since the last commit, else its current serialised state (or None when
        it does not exist).
        """
        orig = self._orig.setdefault(name, {})
        docs = self._data.setdefault(name, {})
        if name in LAZY_TABLES:
            self.case_rows = None
        if key in orig:
            doc = docs.get(key)
            return None if doc is None else orjson.dumps(doc)
        if key not in docs:
            orig[key] = None
        elif isinstance(docs, LazyDocs) and (raw := docs.stored(key)) is not None:
            orig[key] = raw  # (as stored: no need to parse and dump it)
        else:
            orig[key] = orjson.dumps(docs[key])
        return _CLEAN

    def undo(self, name: str, tokens: dict[str, object]) -> None:
        """Put documents back as they were before one failed operation."""
        docs = self._data.setdefault(name, {})
        for key, token in tokens.items():
            if token is _CLEAN:
                self._restore(name, key)
                self._orig.get(name, {}).pop(key, None)
            elif token is None:
                docs.pop(key, None)
            else:
                docs[key] = orjson.loads(token)  # type: ignore[arg-type]

    def changed(self) -> None:
        """A write finished: commit it now unless a transaction is open."""
        if self.depth == 0 and self.commit_hook is not None:
            self.commit_hook()

    @property
    def dirty(self) -> bool:
        return any(self._orig.values())

    # ------------------------------------------------------------ commit / rollback

    def commit(self, txn: int, history: list[HistoryRow]) -> None:
        """Write the touched documents, ``history`` and the transaction number ``txn`` in
        one SQLite transaction; durable when this returns. On any error nothing of it is
        in the database (SQLite rolled back) and the error is raised: the caller then
        rolls the memory back with :meth:`rollback`."""
        self.check_writable()
        conn = self.conn
        upserts: list[tuple[str, int, str]] = []
        deletes: list[tuple[str, int]] = []
        for name, keys in self._orig.items():
            docs = self._data.get(name, {})
            for key in keys:
                if key in docs:
                    upserts.append((name, int(key), orjson.dumps(docs[key]).decode()))
                else:
                    deletes.append((name, int(key)))
        try:
            conn.execute("BEGIN IMMEDIATE")
            if upserts:
                conn.executemany("INSERT INTO docs (tbl, id, doc) VALUES (?, ?, ?) "
                                 "ON CONFLICT (tbl, id) DO UPDATE SET doc = excluded.doc",
                                 upserts)
            if deletes:
                conn.executemany("DELETE FROM docs WHERE tbl = ? AND id = ?", deletes)
            seq = self.history_seq
            if history:
                conn.executemany("INSERT INTO history (txn, subject, key, event) "
                                 "VALUES (?, ?, ?, ?)", history)
                seq = conn.execute("SELECT max(seq) FROM history").fetchone()[0]
            conn.execute("UPDATE meta SET value = ? WHERE name = 'txn'", (txn,))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:  # pragma: no cover - SQLite rolled back already
                    pass
            raise
        self.meta = dict(self.meta, txn=txn)
        self.history_seq = seq
        self._orig = {}

    def rollback(self) -> dict[str, set[str]]:
        """Back to the last commit; returns the ids restored (or dropped) per table."""
        touched = {name: set(keys) for name, keys in self._orig.items() if keys}
        for name, keys in touched.items():
            for key in keys:
                self._restore(name, key)
        self._orig = {}
        return touched

    def _restore(self, name: str, key: str) -> None:
        docs = self._data.setdefault(name, {})
        raw = self._orig.get(name, {}).get(key)
        if raw is None:
            docs.pop(key, None)  # it did not exist at the last commit
        else:
            docs[key] = orjson.loads(raw)

    # ------------------------------------------------------------ history

    def history_events(self, subject: str, key: int | str, limit: int | None = None
                       ) -> list[dict[str, Any]]:
        """The committed events of one subject, oldest first (the last ``limit`` if given),
        as far as this snapshot goes."""
        sql = ("SELECT event FROM history WHERE subject = ? AND key = ? AND seq <= ? "
               "ORDER BY seq DESC")
        params: tuple[Any, ...] = (subject, str(key), self.history_seq)
        if limit is not None:
            if limit <= 0:
                return []
            sql += " LIMIT ?"
            params += (limit,)
        rows = self.conn.execute(sql, params).fetchall()
        return [orjson.loads(row[0]) for row in reversed(rows)]

    def history_rows(self) -> Iterator[tuple[int, str]]:
        """Every committed history row of this snapshot: (seq, event JSON), in order."""
        cur = self.conn.execute("SELECT seq, event FROM history WHERE seq <= ? ORDER BY seq",
                                (self.history_seq,))
        yield from cur

    def integrity(self) -> list[str]:
        """``PRAGMA integrity_check``: [] when SQLite finds the file sound."""
        try:
            rows = [r[0] for r in self.conn.execute("PRAGMA integrity_check")]
        except sqlite3.DatabaseError as exc:
            return [_reason(exc)]
        return [] if rows == ["ok"] else rows


def scratch() -> sqlite3.Connection:
    """An empty duban database in memory (a read-only store of a directory without data)."""
    conn = connect(":memory:", readonly=False)
    conn.execute("BEGIN")
    create_schema(conn)
    conn.execute("COMMIT")
    return conn


def _is_empty(conn: sqlite3.Connection) -> bool:
    """A database file without a single table (created, its first commit still to come)."""
    return conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def _ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the tables in a new (empty) database, or bring a schema-2 one to schema 3, in
    one transaction; a foreign one is left for :func:`_load` to refuse."""
    conn.execute("BEGIN IMMEDIATE")
    upgraded = False
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if not names:
            create_schema(conn)
        elif {"meta", "docs"} <= names:
            upgraded = _upgrade(conn)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    if upgraded:  # the whole table went through SQLite's log: fold it into the file now,
        # not at a later open that would check a log the size of the data
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _upgrade(conn: sqlite3.Connection) -> bool:
    """A schema-2 database (no ``docs.ix``) made schema 3, inside the caller's transaction:
    the docs table is written again with SQLite computing each case row's indexed fields.
    Whether it was schema 2."""
    row = conn.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
    if row is None or row[0] != 2:
        return False
    conn.execute("ALTER TABLE docs RENAME TO docs_v2")
    conn.execute(DOCS_TABLE)
    conn.execute("INSERT INTO docs (tbl, id, doc) SELECT tbl, id, doc FROM docs_v2")
    conn.execute("DROP TABLE docs_v2")
    conn.execute("UPDATE meta SET value = 3 WHERE name = 'schema'")
    return True


def _load(conn: sqlite3.Connection, path: Path
          ) -> tuple[dict[str, Docs], dict[str, Any], int, list[tuple[int, str]] | None]:
    """Every document, the meta values, the last history row and the cases' indexed fields
    (None before schema 3), in one read transaction (one consistent snapshot, whatever a
    writer commits meanwhile).

    The documents of :data:`LAZY_TABLES` are kept as stored (:class:`LazyDocs`) and parsed
    when first read: opening 50,000 cases reads their text, it does not build 50,000
    dicts (a /case right after opening parses one)."""
    conn.execute("BEGIN")
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if app_id != APPLICATION_ID or not {"meta", "docs", "history"} <= names:
            raise BadDatabase("not a duban database (tables meta, docs, history missing)")
        meta = dict(conn.execute("SELECT name, value FROM meta").fetchall())
        indexed = isinstance(meta.get("schema"), int) and meta["schema"] >= 3
        data: dict[str, Docs] = {}
        rows: list[tuple[int, str]] | None = [] if indexed else None
        loads = orjson.loads
        with gc_paused() as pause:
            table: Any = None
            current = None
            lazy = False
            # (the text as stored, as bytes: no decoding of what is not read)
            sql = f"SELECT tbl, id, CAST(doc AS BLOB), {'ix' if indexed else 'NULL'} FROM docs"
            for tbl, doc_id, doc, ix in conn.execute(sql):
                if tbl != current:
                    current, lazy = tbl, tbl in LAZY_TABLES
                    table = data.setdefault(tbl, LazyDocs(path) if lazy else {})  # type: ignore[arg-type]
                if lazy:
                    table.put_stored(str(doc_id), doc)
                    if rows is not None:
                        rows.append((doc_id, ix))
                else:
                    table[str(doc_id)] = loads(doc)
            pause.freeze_from(sum(map(len, data.values())))
        seq = conn.execute("SELECT coalesce(max(seq), 0) FROM history").fetchone()[0]
    except orjson.JSONDecodeError as exc:
        raise BadDatabase(f"a document is not JSON ({exc})") from None
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")
    return data, meta, seq, rows


class LazyDocs(MutableMapping):
    """A table's documents by id (str), each parsed from its stored JSON when first read.

    Behaves as the plain dict of parsed documents TinyDB and the store expect; what is not
    read is never parsed. A stored document that is not JSON raises :class:`StoreCorrupt`
    when read (SQLite refuses to store one: ``docs.ix`` is computed from it)."""

    __slots__ = ("_docs", "_path", "parsed")

    def __init__(self, path: Path) -> None:
        #: id -> the parsed document, or its stored JSON text (not read yet)
        self._docs: dict[str, Any] = {}
        self._path = path
        #: how many stored documents were parsed (tests, benchmarks)
        self.parsed = 0

    def put_stored(self, key: str, text: bytes) -> None:
        self._docs[key] = text

    def stored(self, key: str) -> bytes | None:
        """The stored JSON of an unread document (None if it was read, or is absent)."""
        doc = self._docs.get(key)
        return doc if type(doc) is bytes else None

    def _decode(self, key: str, text: bytes) -> dict[str, Any]:
        try:
            doc = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise StoreCorrupt(self._path, f"document {key} is not JSON ({exc})") from None
        self.parsed += 1
        return doc

    def _parse(self, key: str, text: bytes) -> dict[str, Any]:
        doc = self._docs[key] = self._decode(key, text)
        return doc

    def _all(self) -> dict[str, dict[str, Any]]:
        """Every document parsed (one pass, the collector paused: they are long-lived)."""
        docs = self._docs
        todo = [(k, v) for k, v in docs.items() if type(v) is bytes]
        if todo:
            with gc_paused() as pause:
                for key, text in todo:
                    self._parse(key, text)
                pause.freeze_from(len(todo))
        return docs

    def __getitem__(self, key: str) -> dict[str, Any]:
        doc = self._docs[key]
        return self._parse(key, doc) if type(doc) is bytes else doc

    def get(self, key: str, default: Any = None) -> Any:
        doc = self._docs.get(key, default)
        return self._parse(key, doc) if type(doc) is bytes else doc

    def __setitem__(self, key: str, doc: dict[str, Any]) -> None:
        self._docs[key] = doc

    def __delitem__(self, key: str) -> None:
        del self._docs[key]

    def __contains__(self, key: object) -> bool:
        return key in self._docs

    def __iter__(self) -> Iterator[str]:
        return iter(self._docs)

    def __len__(self) -> int:
        return len(self._docs)

    def keys(self) -> Any:
        return self._docs.keys()

    def items(self) -> Any:
        return self._all().items()

    def values(self) -> Any:
        return self._all().values()

    def pop(self, key: str, *default: Any) -> Any:
        doc = self._docs.pop(key, *default)
        return self._decode(key, doc) if type(doc) is bytes else doc

    def clear(self) -> None:
        self._docs.clear()


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if "not a database" in text or "malformed" in text:
        return f"{text}: SQLite cannot read this file (damaged, cut short, or not a database)"
    return text


#: below this many documents a full collection is cheap: no freezing
FREEZE_FROM = 5_000


class Pause:
    """What :func:`gc_paused` yields: set ``freeze`` to move everything made in the pause
    out of the collector's reach as it ends (``gc.freeze``, before collection resumes)."""

    freeze = False

    def freeze_from(self, n_docs: int) -> None:
        """Freeze when ``n_docs`` (how many were loaded) is worth it (:data:`FREEZE_FROM`)."""
        self.freeze = self.freeze or n_docs >= FREEZE_FROM


@contextmanager
def gc_paused() -> Iterator[Pause]:
    """No cyclic garbage collection while bulk-loading acyclic data (parsed JSON, cases):
    the collector would otherwise walk the growing heap again and again (~1/3 of the
    load time of a 10,000-case database).

    Objects made while it is paused still wait in the youngest generation: the first
    allocation after it would walk them all (~0.2 s at 50,000 cases), and later
    collections again. Long-lived loads set ``pause.freeze`` (cases and documents are
    long-lived and acyclic: frozen, they are still freed by reference counting, never
    walked again)."""
    was_enabled = gc.isenabled()
    gc.disable()
    pause = Pause()
    try:
        yield pause
    finally:
        if pause.freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()


# ---------------------------------------------------------------- TinyDB tables


class _TableView(MutableMapping):
    """The int-keyed table dict TinyDB's updaters expect, over the storage's str-keyed one.

    Every document an updater reads or writes is *touched* first, so the storage knows what
    to write and how to undo the operation.
    """

    def __init__(self, storage: DurableStorage, name: str) -> None:
        self._storage = storage
        self._name = name
        self._docs = storage.table_docs(name)
        self.undo: dict[str, object] = {}

    def _touch(self, key: str) -> None:
        if key not in self.undo:
            self.undo[key] = self._storage.touch(self._name, key)

    def __getitem__(self, doc_id: int) -> dict[str, Any]:
        key = str(doc_id)
        doc = self._docs[key]
        self._touch(key)
        return doc

    def __setitem__(self, doc_id: int, doc: dict[str, Any]) -> None:
        key = str(doc_id)
        self._touch(key)
        self._docs[key] = doc

    def __delitem__(self, doc_id: int) -> None:
        key = str(doc_id)
        if key not in self._docs:
            raise KeyError(doc_id)
        self._touch(key)
        del self._docs[key]

    def __contains__(self, doc_id: object) -> bool:
        return str(doc_id) in self._docs

    def __iter__(self) -> Iterator[int]:
        return iter([int(key) for key in self._docs])

    def __len__(self) -> int:
        return len(self._docs)

    def clear(self) -> None:
        for key in list(self._docs):
            self._touch(key)
        self._docs.clear()


class TrackedTable(Table):
    """A TinyDB table whose writes are tracked, undone on error, and committed durably."""

    def _update_table(self, updater: Callable[[dict[int, Any]], None]) -> None:
        storage: DurableStorage = self._storage  # type: ignore[assignment]
        storage.check_writable()
        view = _TableView(storage, self.name)
        try:
            updater(view)  # type: ignore[arg-type]
        except BaseException:
            storage.undo(self.name, view.undo)
            self.clear_cache()
            raise
        self.clear_cache()
        storage.changed()


class DurableTinyDB(TinyDB):
    table_class = TrackedTable

    def reset_tables(self) -> None:
        """After a rollback: forget query caches and cached next ids."""
        for table in self._tables.values():
            table.clear_cache()
            table._next_id = None


# ---------------------------------------------------------------- SQLite's log, checked


_WAL_MAGIC = (0x377F0682, 0x377F0683)  # checksums in little- / big-endian words


def check_wal(db_path: Path) -> None:
    """Refuse a ``-wal`` file damaged *before* commits that were acknowledged after it.

    SQLite replays its log up to the first frame whose checksum fails and silently ignores
    the rest: right for a commit cut short (never acknowledged), wrong when a byte rotted
    in an older frame and later commits follow it. A commit frame is written, and fsynced
    (``synchronous=FULL``), before the next transaction starts, so two commit frames of the
    same log generation (same salts) after a bad frame prove the bad frame was once
    complete and acknowledged: that raises :class:`StoreCorrupt`, before SQLite opens the
    database and would fold the log's good prefix into it. One commit frame after the bad
    one may be the torn last transaction itself: let SQLite drop it. Run only while no
    process writes (the store's guard held). The file format: sqlite.org/fileformat2.html.
    """
    wal = Path(str(db_path) + "-wal")
    try:
        raw = wal.read_bytes()
    except FileNotFoundError:
        return
    if len(raw) < 32:
        return
    magic, _version, page_size, _seq, salt1, salt2, c1, c2 = struct.unpack(">8I", raw[:32])
    if magic not in _WAL_MAGIC or not 512 <= page_size <= 65536:
        return  # no valid header: SQLite ignores the whole file, as it always would
    order = ">" if magic & 1 else "<"
    if _wal_sum(raw[:24], 0, 0, order) != (c1, c2):
        return
    s = (c1, c2)
    frame = 24 + page_size
    pos, bad_at = 32, None
    while pos + frame <= len(raw):
        page, commit, f_salt1, f_salt2, f1, f2 = struct.unpack(">6I", raw[pos:pos + 24])
        if (f_salt1, f_salt2) != (salt1, salt2):
            break  # frames of an older generation of the log: not replayed, rightly
        if bad_at is None:
            s = _wal_sum(raw[pos:pos + 8], *s, order)
            s = _wal_sum(raw[pos + 24:pos + frame], *s, order)
            if s != (f1, f2):
                bad_at, later_commits = pos, 0
        elif commit:
            later_commits += 1
            if later_commits >= 2:
                raise StoreCorrupt(wal, f"SQLite's log is damaged at byte {bad_at} and "
                                        f"commits acknowledged after it follow; nothing was "
                                        f"changed (restore a backup, or move the file aside "
                                        f"to lose those commits)")
        pos += frame


def _wal_sum(data: bytes, s0: int, s1: int, order: str) -> tuple[int, int]:
    """SQLite's WAL checksum of ``data`` (a multiple of 8 bytes), continuing (s0, s1)."""
    words = struct.unpack(f"{order}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1
