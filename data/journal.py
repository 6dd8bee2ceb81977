"""The history journal: an append-only JSON-lines file beside the database.

Each line is one event, its first two keys fixed so that a line can be indexed without
parsing it::

    {"txn":12,"case":7,"at":"2020-06-29T09:00:00+08:00","who":"张三","field":"stage",...}

``txn`` is the transaction that wrote it; the second key names the subject (``case``,
``person`` or ``setting``) and its id. Lines are only ever appended, never rewritten.

A commit appends its lines and fsyncs them *before* the database is replaced, and the new
database records the journal's length. So at any instant the journal's first
``committed`` bytes are exactly the committed history, and whatever follows (the lines of
a transaction that was cut short, a torn last line) is cut off when the store opens.
"""

from __future__ import annotations

import mmap
import os
import re
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

JOURNAL_NAME = "history.jsonl"
SUBJECTS = ("case", "person", "setting")

#: one whole line and its head: txn, subject, id (an int, or a setting name)
_LINE_RE = re.compile(rb'^\{"txn":(\d+),"(case|person|setting)":(\d+|"[^"\\\n]*")[^\n]*\n', re.M)

SubjectKey = tuple[str, int | str]


class JournalShort(Exception):
    """The journal holds fewer bytes than the database says were committed."""


def line_bytes(txn: int, event: dict[str, Any]) -> bytes:
    """One journal line (with its newline). ``event``'s first key must be its subject."""
    return orjson.dumps({"txn": txn, **event}) + b"\n"


class Journal:
    """The append-only history file, with an index of line offsets by subject.

    ``committed`` is the length the database vouches for. A writable journal cuts anything
    beyond it at open; a read-only one simply never reads past it.
    """

    def __init__(self, path: Path, committed: int, *, readonly: bool) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.size = committed
        self._fd: int | None = None
        #: subject -> id -> [start, end, start, end...] of its lines
        self._index: dict[str, dict[int | str, array]] | None = None
        self._staged: tuple[int, list[tuple[SubjectKey, int, int]]] | None = None
        self._fd = open_log_file(self.path, readonly=readonly)
        actual = os.fstat(self._fd).st_size if self._fd is not None else 0
        if actual < committed:
            self.close()
            raise JournalShort(f"{actual} < {committed}")
        if actual > committed and not readonly:
            # an interrupted commit: its lines (and a torn last line) were never committed
            os.ftruncate(self._fd, committed)
            os.fsync(self._fd)

    # ------------------------------------------------------------ writing

    def append(self, txn: int, events: list[dict[str, Any]]) -> int:
        """Write and fsync the lines of transaction ``txn``; return the journal's new length.

        The lines are *staged*: :meth:`confirm` once the database that vouches for them is
        in place, :meth:`abort` if it could not be written.
        """
        assert self._fd is not None and not self.readonly
        lines = [line_bytes(txn, ev) for ev in events]
        spans: list[tuple[SubjectKey, int, int]] = []
        pos = self.size
        for ev, line in zip(events, lines):
            subject = next(iter(ev))
            spans.append(((subject, ev[subject]), pos, pos + len(line)))
            pos += len(line)
        if os.fstat(self._fd).st_size != self.size:  # a failed commit's lines are still there
            os.ftruncate(self._fd, self.size)
        self._staged = (pos, spans)
        _pwrite_all(self._fd, b"".join(lines), self.size)
        os.fdatasync(self._fd)
        return pos

    def confirm(self) -> None:
        if self._staged is None:
            return
        end, spans = self._staged
        self._staged = None
        self.size = end
        if self._index is not None:
            for (subject, key), start, stop in spans:
                self._index[subject].setdefault(key, array("q")).extend((start, stop))

    def abort(self) -> None:
        """Forget the staged lines and cut them off (best effort: the next append does too)."""
        if self._staged is None:
            return
        self._staged = None
        try:
            os.ftruncate(self._fd, self.size)
        except OSError:
            pass

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    # ------------------------------------------------------------ reading

    def events(self, subject: str, key: int | str, limit: int | None = None) -> list[dict]:
        """The committed events of one subject, oldest first (the last ``limit`` if given)."""
        spans = self._ensure_index()[subject].get(key)
        if not spans:
            return []
        pairs = [(spans[i], spans[i + 1]) for i in range(0, len(spans), 2)]
        if limit is not None:
            pairs = pairs[-limit:] if limit > 0 else []
        return [orjson.loads(os.pread(self._fd, stop - start, start)) for start, stop in pairs]

    def subjects(self) -> set[SubjectKey]:
        return {(subject, key) for subject, by in self._ensure_index().items() for key in by}

    def lines(self) -> Iterator[tuple[int, bytes]]:
        """Every committed line (without its newline), numbered from 1."""
        if self._fd is None or self.size == 0:
            return
        with mmap.mmap(self._fd, self.size, prot=mmap.PROT_READ) as mm:
            start, number = 0, 0
            while start < self.size:
                stop = mm.find(b"\n", start, self.size)
                stop = self.size if stop < 0 else stop
                number += 1
                yield number, mm[start:stop]
                start = stop + 1

    def _ensure_index(self) -> dict[str, dict[int | str, array]]:
        """Offsets of every committed line by subject, built on first use (one regex pass)."""
        if self._index is not None:
            return self._index
        index: dict[str, dict[int | str, array]] = {subject: {} for subject in SUBJECTS}
        names = {subject.encode(): subject for subject in SUBJECTS}
        if self._fd is not None and self.size:
            with mmap.mmap(self._fd, self.size, prot=mmap.PROT_READ) as mm:
                for m in _LINE_RE.finditer(mm):
                    subject, raw = m.group(2, 3)
                    key: int | str = int(raw) if raw[0] != 34 else raw[1:-1].decode()
                    by = index[names[subject]]
                    spans = by.get(key)
                    if spans is None:
                        spans = by[key] = array("q")
                    spans.extend(m.span())
        self._index = index
        return index


def _pwrite_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view = view[written:]
        offset += written


def fsync_dir(directory: Path) -> None:
    """Make a rename or a new file in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def open_log_file(path: Path, *, readonly: bool) -> int | None:
    """The descriptor of an append-only file: read-only (None when it does not exist yet),
    or read-write, created if need be with its directory entry made durable."""
    if readonly:
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC) if path.exists() else None
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    if created:
        fsync_dir(path.parent)
    return fd
