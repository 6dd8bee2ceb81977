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

import fcntl
import gc
import logging
import os
import re
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
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
Buffer = bytes | memoryview

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
        raw = read_snapshot(Path(path)) if readonly else Path(path).read_bytes()
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
        storage = cls(path, data, meta, readonly=readonly)
        if not readonly:
            storage._frags = _frags_from_lines(raw, data)
        return storage

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

    def serialize(self, meta: dict[str, Any]) -> tuple[list[Buffer], dict[str, dict[str, bytes]]]:
        """The whole database as a list of buffers, with ``meta``; and the new fragments.

        Only touched documents are serialised again (and documents never serialised yet,
        on the first commit after opening); the others are the cached bytes of the last
        commit, handed to ``writev`` as they are, never joined.
        """
        fresh: dict[str, dict[str, bytes]] = {}
        chunks: list[Buffer] = [b'{"' + META.encode() + b'":{"1":' + orjson.dumps(meta) + b"}"]
        for name, docs in self._data.items():
            frags = self._frags.setdefault(name, {})
            dirty = self._dirty.get(name, ())
            new = fresh[name] = {key: _frag(key, docs[key]) for key in dirty if key in docs}
            keys = list(docs)
            items: list[Buffer | None] = list(map(frags.get, keys))
            if len(new) <= 16:
                for key, frag in new.items():
                    items[keys.index(key)] = frag
            else:
                items = [new.get(key) or frags.get(key) for key in keys]
            if None in items:  # documents never serialised yet (first commit after opening)
                for i, frag in enumerate(items):
                    if frag is None:
                        items[i] = new[keys[i]] = _frag(keys[i], docs[keys[i]])
            chunks.append(b",\n" + orjson.dumps(name) + b":{")
            if items:
                items[-1] = memoryview(items[-1])[:-2]  # no separator after the last one
                chunks.append(b"\n")
                chunks.extend(items)
                chunks.append(b"\n")
            chunks.append(b"}")
        chunks.append(b"}\n")
        return chunks, fresh

    def dirty_docs(self) -> dict[str, dict[str, dict[str, Any] | None]]:
        """The documents written since the last commit (None: deleted), for a log record."""
        out: dict[str, dict[str, dict[str, Any] | None]] = {}
        for name, keys in self._dirty.items():
            if keys:
                docs = self._data.get(name, {})
                out[name] = {key: docs.get(key) for key in keys}
        return out

    def fresh_frags(self) -> dict[str, dict[str, bytes]]:
        """The new fragments of the documents written since the last commit (for
        :meth:`committed` when the commit went to the write-ahead log, not the file)."""
        return {name: {key: _frag(key, self._data[name][key])
                       for key in keys if key in self._data.get(name, {})}
                for name, keys in self._dirty.items() if keys}

    def apply(self, docs: dict[str, dict[str, dict[str, Any] | None]]) -> None:
        """Replay one committed record of the write-ahead log (at open)."""
        for name, table in docs.items():
            target = self._data.setdefault(name, {})
            frags = self._frags.get(name, {})
            for key, doc in table.items():
                frags.pop(key, None)  # serialised again at the next checkpoint
                if doc is None:
                    target.pop(key, None)
                else:
                    target[key] = doc

    def write_file(self, chunks: list[Buffer]) -> None:
        """Atomically replace the database file (raises OSError on failure)."""
        self.check_writable()
        atomic_write(self.path, chunks, recycle=True)

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
            docs[key] = orjson.loads(frag[len(key) + 3:-2])


def _frags_from_lines(raw: bytes, data: dict[str, Docs]) -> dict[str, dict[str, bytes]]:
    """The documents' fragments cut from the file as :meth:`DurableStorage.serialize`
    lays it out (one document per line), so the first commit need not serialise them all.

    Any other layout (a hand-edited file, TinyDB's own) gives ``{}``: fragments are then
    made on the first commit.
    """
    lines = raw.split(b"\n")
    frags: dict[str, dict[str, bytes]] = {}
    pos = 1  # line 0 is the _meta table
    for name, docs in data.items():
        header = orjson.dumps(name) + b":{"
        table = frags[name] = {}
        if not docs and pos < len(lines) and lines[pos].startswith(header + b"}"):
            pos += 1
            continue
        if pos >= len(lines) or lines[pos] != header:
            return {}
        pos += 1
        for key in docs:
            line = lines[pos] if pos < len(lines) else b""
            if not line.startswith(b'"' + key.encode() + b'":{'):
                return {}
            table[key] = line + b"\n" if line.endswith(b",") else line + b",\n"
            pos += 1
        if pos >= len(lines) or not lines[pos].startswith(b"}"):
            return {}
        pos += 1
    return frags


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while bulk-loading acyclic data (parsed JSON, cases):
    the collector would otherwise walk the growing heap again and again (~1/3 of the
    load time of a 10,000-case database)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _frag(key: str, doc: dict[str, Any]) -> bytes:
    """A document as it appears in the file: ``"id":{...},`` and a newline."""
    return b'"' + key.encode() + b'":' + orjson.dumps(doc) + b",\n"


def atomic_write(path: Path, data: bytes | list[Buffer], *, recycle: bool = False) -> None:
    """Write ``data`` to a file beside ``path``, fsync it, rename it over ``path``, fsync
    the directory. If anything fails before the rename, ``path`` is untouched.

    ``recycle``: keep the replaced file as ``<name>.spare`` and write the next version
    into it, in place. A fresh file costs block allocation, and renaming over the old one
    frees its blocks inside ``rename``: together half the time of a commit of a 10 MB
    database. The spare is written under an exclusive ``flock``; a reader of the database
    holds a shared one (see :func:`read_snapshot`), so a file a reader may still be
    reading is never overwritten (the write goes to a fresh file instead). A crash at any
    instant leaves ``path`` complete: the spare is never ``path`` while being written.
    """
    spare = path.with_name(path.name + SPARE)
    fd, target = (_lock_spare(spare), spare) if recycle else (None, None)
    if fd is None:
        target = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    replaced = False
    try:
        size = _write_all(fd, [data] if isinstance(data, bytes) else data)
        if target == spare:
            os.ftruncate(fd, size)
        os.fsync(fd)
        keep = _link_keep(path) if recycle else None
        try:
            os.replace(target, path)
        except BaseException:
            if keep is not None:
                _unlink(keep)
            raise
        replaced = True
        if keep is not None:  # the replaced version becomes the next spare
            try:
                os.replace(keep, spare)
            except OSError:
                _unlink(keep)
    finally:
        os.close(fd)  # releases the spare's lock, now that it is complete and in place
        if not replaced and target != spare:
            _unlink(target)
    try:
        fsync_dir(path.parent)
    except OSError as exc:  # pragma: no cover - filesystems without directory fsync
        log.warning("could not fsync directory %s: %s", path.parent, exc)


SPARE = ".spare"


def _lock_spare(spare: Path) -> int | None:
    """The spare, open for writing and locked; None if missing or a reader holds it."""
    try:
        fd = os.open(spare, os.O_WRONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _link_keep(path: Path) -> Path | None:
    """A second name for the current ``path`` (to survive the rename); None if impossible."""
    keep = path.with_name(f"{path.name}.{os.getpid()}.keep")
    _unlink(keep)
    try:
        os.link(path, keep)
    except OSError:
        return None
    return keep


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def read_snapshot(path: Path, _opened: Callable[[], None] | None = None) -> bytes:
    """The database file's bytes, read while no writer can be rewriting them.

    The file is read under a shared ``flock``; it is the right one if, still under the
    lock, ``path`` names the inode that was read (else the writer recycled it meanwhile:
    read again). ``_opened`` is a test hook, called between open and lock.
    """
    while True:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            if _opened is not None:
                _opened()
            fcntl.flock(fd, fcntl.LOCK_SH)
            with os.fdopen(os.dup(fd), "rb") as f:
                raw = f.read()
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                return raw
        finally:
            os.close(fd)


def _write_all(fd: int, chunks: list[Buffer]) -> int:
    """``writev`` the chunks, IOV_MAX at a time, finishing any short write; the size."""
    size = 0
    for start in range(0, len(chunks), _IOV_MAX):
        batch = chunks[start:start + _IOV_MAX]
        written = os.writev(fd, batch)
        total = sum(map(len, batch))
        if written < total:  # short write (rare): write the rest piece by piece
            for chunk in batch:
                view = memoryview(chunk)
                if written >= len(view):
                    written -= len(view)
                    continue
                view, written = view[written:], 0
                while view:
                    view = view[os.write(fd, view):]
        size += total
    return size


_IOV_MAX = min(os.sysconf("SC_IOV_MAX"), 1024) if hasattr(os, "sysconf") else 16


def remove_stale_temps(path: Path) -> None:
    """Delete the files a crashed commit left beside ``path``: ``<name>.<pid>.tmp`` and
    ``<name>.<pid>.keep`` (not the spare, nor other tools' files)."""
    pattern = re.compile(re.escape(path.name) + r"\.\d+\.(tmp|keep)")
    for leftover in path.parent.iterdir():
        if pattern.fullmatch(leftover.name):
            _unlink(leftover)


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
