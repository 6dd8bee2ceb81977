"""TinyDB behind a durable, in-memory storage.

:class:`DurableStorage` keeps the parsed database in memory (TinyDB's ``read()`` returns the
live dict; the file is read once, at open). A commit writes the whole database with orjson
to a temporary file in the same directory, fsyncs it, ``os.replace``-s it over the
database and fsyncs the directory: after a crash at any instant the file is either the old
or the new database, never a mix.

Two things keep a commit cheap on a large database:

* each document's serialised form is cached (``_frags``), so a commit serialises only the
  documents that changed since the last one;
* :class:`TrackedTable` replaces TinyDB's ``_update_table`` (which rebuilt the whole table
  per write) by an O(touched documents) view that records which documents a write
  touches. That record is also what makes a rollback exact: TinyDB mutates documents in
  place, and the cached bytes of the last commit restore them.

The file layout is a plain TinyDB JSON database (one document per line, for people reading
it), plus a ``_meta`` table: schema version, last committed transaction, journal length.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from data.errors import StoreReadOnly
from data.journal import fsync_dir

log = logging.getLogger(__name__)

DB_NAME = "duban.json"
META = "_meta"
SCHEMA_VERSION = 1

Docs = dict[str, dict[str, Any]]

#: undo token: "the document is as at the last commit" (restore that, and it is clean again)
_CLEAN = object()


class BadDatabase(Exception):
    """The file is not a duban database (not JSON, or no ``_meta``)."""


class DurableStorage(Storage):
    """The database in memory, committed atomically to ``path``.

    Writes made outside a transaction (``depth == 0``) are committed at once through
    ``commit_hook``, which the store sets (it also writes the history journal).
    """

    def __init__(self, path: Path, data: dict[str, Docs], meta: dict[str, Any],
                 *, readonly: bool) -> None:
        super().__init__()
        self.path = Path(path)
        self.readonly = readonly
        self.meta = meta
        self._data = data
        #: serialised documents as last committed: table -> id -> b'"id":{...}'
        self._frags: dict[str, dict[str, bytes]] = {}
        #: documents touched since the last commit
        self._dirty: dict[str, set[str]] = {}
        self.depth = 0
        self.commit_hook: Callable[[], None] | None = None

    # ------------------------------------------------------------ open / create

    @classmethod
    def load(cls, path: Path, *, readonly: bool) -> DurableStorage:
        """Read ``path`` once. Raises BadDatabase when it is not a duban database."""
        raw = Path(path).read_bytes()
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise BadDatabase(str(exc)) from None
        if not isinstance(data, dict) or not isinstance(data.get(META), dict):
            raise BadDatabase("no _meta table")
        meta = data.pop(META).get("1")
        if not isinstance(meta, dict) or "schema" not in meta:
            raise BadDatabase("no schema version")
        if not all(isinstance(t, dict) for t in data.values()):
            raise BadDatabase("a table is not an object")
        return cls(path, data, meta, readonly=readonly)

    @classmethod
    def empty(cls, path: Path, *, readonly: bool) -> DurableStorage:
        meta = {"schema": SCHEMA_VERSION, "txn": 0, "journal": 0}
        return cls(path, {}, meta, readonly=readonly)

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
        pass

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
        dirty = self._dirty.setdefault(name, set())
        docs = self._data.setdefault(name, {})
        if key in dirty:
            doc = docs.get(key)
            return None if doc is None else orjson.dumps(doc)
        frags = self._frags.setdefault(name, {})
        if key in docs and key not in frags:
            frags[key] = _frag(key, docs[key])
        dirty.add(key)
        return _CLEAN

    def undo(self, name: str, tokens: dict[str, object]) -> None:
        """Put documents back as they were before one failed operation."""
        docs = self._data.setdefault(name, {})
        for key, token in tokens.items():
            if token is _CLEAN:
                self._restore(name, key)
                self._dirty.get(name, set()).discard(key)
            elif token is None:
                docs.pop(key, None)
            else:
                docs[key] = orjson.loads(token)

    def changed(self) -> None:
        """A write finished: commit it now unless a transaction is open."""
        if self.depth == 0 and self.commit_hook is not None:
            self.commit_hook()

    @property
    def dirty(self) -> bool:
        return any(self._dirty.values())

    # ------------------------------------------------------------ commit / rollback

    def serialize(self, meta: dict[str, Any]) -> tuple[bytes, dict[str, dict[str, bytes]]]:
        """The whole database as bytes, with ``meta``; and the new fragments to keep.

        Only touched documents are serialised again (and documents never serialised yet,
        on the first commit after opening).
        """
        fresh: dict[str, dict[str, bytes]] = {}
        parts = [b'{"', META.encode(), b'":{"1":', orjson.dumps(meta), b"}"]
        for name, docs in self._data.items():
            frags = self._frags.setdefault(name, {})
            dirty = self._dirty.get(name, ())
            new = fresh[name] = {}
            for key, doc in docs.items():
                if key in dirty or key not in frags:
                    new[key] = _frag(key, doc)
            items = [new.get(key) or frags[key] for key in docs]
            parts.append(b",\n" + orjson.dumps(name) + b":{\n")
            parts.append(b",\n".join(items))
            parts.append(b"\n}")
        parts.append(b"}\n")
        return b"".join(parts), fresh

    def write_file(self, blob: bytes) -> None:
        """Atomically replace the database file by ``blob`` (raises OSError on failure)."""
        self.check_writable()
        atomic_write(self.path, blob)

    def committed(self, meta: dict[str, Any], fresh: dict[str, dict[str, bytes]]) -> None:
        """The file now holds the current state: make it the new rollback point."""
        self.meta = meta
        for name, new in fresh.items():
            frags = self._frags.setdefault(name, {})
            frags.update(new)
            for key in self._dirty.get(name, ()):
                if key not in self._data.get(name, {}):
                    frags.pop(key, None)
        self._dirty.clear()

    def rollback(self) -> dict[str, set[str]]:
        """Back to the last commit; returns the ids restored (or dropped) per table."""
        touched = {name: keys for name, keys in self._dirty.items() if keys}
        for name, keys in touched.items():
            for key in keys:
                self._restore(name, key)
        self._dirty = {}
        return touched

    def _restore(self, name: str, key: str) -> None:
        docs = self._data.setdefault(name, {})
        frag = self._frags.get(name, {}).get(key)
        if frag is None:
            docs.pop(key, None)  # it did not exist at the last commit
        else:
            docs[key] = orjson.loads(frag[len(key) + 3:])


def _frag(key: str, doc: dict[str, Any]) -> bytes:
    return b'"' + key.encode() + b'":' + orjson.dumps(doc)


def atomic_write(path: Path, blob: bytes) -> None:
    """Write ``blob`` to a temporary file beside ``path``, fsync, rename over, fsync dir.

    If anything fails before the rename, ``path`` is untouched and the temporary file is
    removed. A failure to fsync the directory after the rename is only logged: the new file
    is in place (and it is the state every later read sees).
    """
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        try:
            view = memoryview(blob)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        fsync_dir(path.parent)
    except OSError as exc:  # pragma: no cover - filesystems without directory fsync
        log.warning("could not fsync directory %s: %s", path.parent, exc)


def remove_stale_temps(path: Path) -> None:
    """Delete temporary files that a crashed commit left beside ``path``."""
    for tmp in path.parent.glob(f"{path.name}.*.tmp"):
        try:
            tmp.unlink()
        except OSError:
            pass


# ---------------------------------------------------------------- TinyDB tables


class _TableView(MutableMapping):
    """The int-keyed table dict TinyDB's updaters expect, over the storage's str-keyed one.

    Every document an updater reads or writes is *touched* first, so the storage knows what
    to serialise and how to undo the operation.
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
