"""The write-ahead log: commits as small appended records, the database rewritten rarely.

Without it every commit rewrites the whole database file (temp + fsync + rename): ~40 ms
for 50,000 cases, whatever the size of the change. With it (``Store.open(..., wal=True)``,
what ``duban run`` uses) a commit appends one record to ``duban.wal`` and ``fdatasync``-s it;
the full atomic rewrite becomes a *checkpoint*, done when the log has grown to half the
database's size and when the store is closed, after which the log is emptied.

A record is one line: the JSON of ``{"txn": N, "journal": L, "docs": {table: {id: doc or
null}}}`` (the documents the transaction wrote, null for a deleted one; L the history
journal's committed length), a tab and the CRC-32 of that JSON in hex. The history lines of
the transaction are appended and fsynced to the journal *before* the record, exactly as
before the database rewrite: the record is the commit point.

Opening replays the records that follow the database's transaction number, in order, and
stops at the first torn or damaged line (a commit cut short: never acknowledged) or at a
gap. A writable store then checkpoints, so the log is empty again; a read-only one applies
them in memory only. Every opening replays, whichever mode wrote the log, so a ``duban``
command that opens the directory after the bot crashed sees everything the bot committed.

Readers (read-only stores, backups) read the database under its shared lock, then the log:
a checkpoint or an append running meanwhile can only make them see an earlier committed
state (the records they read stop at a gap or a bad checksum), never a mix.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from data.journal import open_log_file

WAL_NAME = "duban.wal"

Docs = dict[str, dict[str, dict[str, Any] | None]]


@dataclass(frozen=True)
class Record:
    txn: int
    journal: int
    docs: Docs
    #: offset just after the record's line
    end: int


def encode(txn: int, journal: int, docs: Docs) -> bytes:
    """One record line (orjson escapes tabs and newlines inside strings)."""
    payload = orjson.dumps({"txn": txn, "journal": journal, "docs": docs})
    return payload + b"\t" + f"{zlib.crc32(payload):08x}".encode() + b"\n"


def decode(raw: bytes) -> Iterator[Record]:
    """The records of ``raw`` up to the first line that is incomplete or damaged."""
    pos = 0
    while True:
        stop = raw.find(b"\n", pos)
        if stop < 0:
            return
        payload, tab, crc = raw[pos:stop].rpartition(b"\t")
        try:
            if not tab or int(crc, 16) != zlib.crc32(payload):
                return
            rec = orjson.loads(payload)
            txn, journal, docs = int(rec["txn"]), int(rec["journal"]), rec["docs"]
            if not isinstance(docs, dict):
                return
        except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
            return
        pos = stop + 1
        yield Record(txn, journal, docs, pos)


class WriteAheadLog:
    """The log file of one data directory (see the module documentation)."""

    def __init__(self, path: Path, *, readonly: bool) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._fd: int | None = None
        self._staged: int | None = None
        self._fd = open_log_file(self.path, readonly=readonly)
        self.size = os.fstat(self._fd).st_size if self._fd is not None else 0

    def read(self) -> bytes:
        if self._fd is None:
            return b""
        size = os.fstat(self._fd).st_size
        return os.pread(self._fd, size, 0) if size else b""

    def records_after(self, txn: int) -> tuple[list[Record], int]:
        """The records that continue transaction ``txn`` in order, and where the valid
        part of the log ends (records older than ``txn`` are skipped over)."""
        out: list[Record] = []
        end = 0
        for rec in decode(self.read()):
            if rec.txn <= txn and not out:
                end = rec.end
                continue
            if rec.txn != (out[-1].txn if out else txn) + 1:
                break  # a gap: a checkpoint emptied the log while it was read
            out.append(rec)
            end = rec.end
        return out, end

    # ------------------------------------------------------------ writing

    def append(self, line: bytes) -> None:
        """Write and ``fdatasync`` one record at the end; :meth:`confirm` or :meth:`abort`."""
        assert self._fd is not None and not self.readonly
        if os.fstat(self._fd).st_size != self.size:  # a failed append's bytes are still there
            os.ftruncate(self._fd, self.size)
        self._staged = self.size + len(line)
        view, offset = memoryview(line), self.size
        while view:
            written = os.pwrite(self._fd, view, offset)
            view, offset = view[written:], offset + written
        os.fdatasync(self._fd)

    def confirm(self) -> None:
        if self._staged is not None:
            self.size, self._staged = self._staged, None

    def abort(self) -> None:
        if self._staged is None:
            return
        self._staged = None
        try:
            os.ftruncate(self._fd, self.size)
        except OSError:
            pass  # the next append cuts it; a reader stops at the damaged line anyway

    def cut(self, size: int = 0) -> None:
        """Keep only the first ``size`` bytes (0: empty it after a checkpoint), durably."""
        assert self._fd is not None and not self.readonly
        os.ftruncate(self._fd, size)
        os.fsync(self._fd)
        self.size = size

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
