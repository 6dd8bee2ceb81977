"""Moving over from the JSON file engine (schema 1) to SQLite, once.

Until this engine, a data directory held ``duban.json`` (the TinyDB documents and a
``_meta`` table: schema, last transaction, committed length of the history),
``history.jsonl`` (one JSON line per history event, ``{"txn":N,"case":7,...}``) and, under
``duban run``, ``duban.wal`` (commits since the last checkpoint: one line each, the JSON
of ``{"txn", "journal", "docs"}``, a tab and its CRC-32). This module is a minimal reader
of that format, used only here:

* :func:`read_legacy` gives the last committed state exactly as the old engine's open
  gave it: the database, the log's records that continue it (a torn last line is a commit
  cut short, never acknowledged), and the journal up to the length they vouch for. Unlike
  the old engine it refuses a log that is damaged *before* its end (one bad byte in the
  middle used to drop every later commit without a word): the directory is left as it is
  and the message says where.
* :func:`migrate` writes that state into a new SQLite database beside it
  (``duban.sqlite3.migrating``), reads it back and compares every document (cases, people,
  settings, other tables) and every history event, then renames it into place and moves
  the old files, untouched, into ``legacy-json-<time>/``.

A crash at any instant is safe: until the rename the old files are the data (the scratch
database is deleted and the migration starts again); after it, the new database is, and
opening finishes moving the old files aside (:func:`set_aside`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from data.errors import StoreCorrupt, StoreSchemaError
from data.perms import fsync_dir
from data.storage import DB_NAME, SCHEMA_VERSION, connect, create_schema

LEGACY_DB, LEGACY_JOURNAL, LEGACY_WAL = "duban.json", "history.jsonl", "duban.wal"
#: the old engine's files (the spare was its previous database, kept for recycling)
LEGACY_FILES = (LEGACY_DB, LEGACY_JOURNAL, LEGACY_WAL, LEGACY_DB + ".spare")
_LEFTOVER = re.compile(re.escape(LEGACY_DB) + r"\.\d+\.(tmp|keep)")
SCRATCH = DB_NAME + ".migrating"
ASIDE_PREFIX = "legacy-json-"
SUBJECTS = ("case", "person", "setting")


@dataclass
class LegacyState:
    """The committed state of an old data directory."""

    tables: dict[str, dict[str, dict[str, Any]]]
    meta: dict[str, Any]
    #: the committed history lines, without their newline, in order
    events: list[bytes]


def present(data_dir: Path) -> bool:
    """Whether ``data_dir`` holds data of the old engine."""
    return any((Path(data_dir) / name).exists() for name in (LEGACY_DB, LEGACY_JOURNAL))


def read_legacy(data_dir: Path) -> LegacyState:
    """The last committed state of the old files (see the module documentation)."""
    data_dir = Path(data_dir)
    db_path, journal_path, wal_path = (data_dir / n for n in (LEGACY_DB, LEGACY_JOURNAL,
                                                              LEGACY_WAL))
    if not db_path.exists():
        raise StoreCorrupt(db_path, "the database is missing but its history is not")
    try:
        parsed = orjson.loads(db_path.read_bytes())
        meta = parsed.pop("_meta")["1"]
        schema = meta["schema"]
        txn, length = int(meta.get("txn", 0)), int(meta.get("journal", 0))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        raise StoreCorrupt(db_path, "not a duban database (no _meta table)") from None
    if schema != 1:
        raise StoreSchemaError(db_path, schema, 1)
    if not all(isinstance(t, dict) for t in parsed.values()):
        raise StoreCorrupt(db_path, "a table is not an object")
    if wal_path.exists():
        for rec in _log_records(wal_path, txn):
            for name, docs in rec["docs"].items():
                table = parsed.setdefault(name, {})
                for key, doc in docs.items():
                    if doc is None:
                        table.pop(key, None)
                    else:
                        table[key] = doc
            txn, length = rec["txn"], rec["journal"]
    events: list[bytes] = []
    if length:
        try:
            with open(journal_path, "rb") as f:
                raw = f.read(length)
        except FileNotFoundError:
            raw = b""
        if len(raw) != length or not raw.endswith(b"\n"):
            raise StoreCorrupt(journal_path, f"history shorter than committed "
                                             f"({len(raw)} < {length})")
        events = raw[:-1].split(b"\n")
        for number, line in enumerate(events, 1):
            try:
                ev = orjson.loads(line)
                assert isinstance(ev, dict) and list(ev)[1] in SUBJECTS
            except (orjson.JSONDecodeError, AssertionError, IndexError):
                raise StoreCorrupt(journal_path, f"history line {number} cannot be read"
                                   ) from None
    return LegacyState(parsed, dict(meta, txn=txn, journal=length), events)


def _log_records(path: Path, txn: int) -> list[dict[str, Any]]:
    """The log's records continuing transaction ``txn``; a damaged line before the end
    raises StoreCorrupt (the old engine silently dropped what followed it)."""
    raw = path.read_bytes()
    out: list[dict[str, Any]] = []
    pos = 0
    while True:
        stop = raw.find(b"\n", pos)
        if stop < 0:
            return out  # the rest, if any, is a record cut short: never committed
        payload, tab, crc = raw[pos:stop].rpartition(b"\t")
        try:
            if not tab or int(crc, 16) != zlib.crc32(payload):
                raise ValueError("checksum")
            rec = orjson.loads(payload)
            rec = {"txn": int(rec["txn"]), "journal": int(rec["journal"]), "docs": rec["docs"]}
            if not isinstance(rec["docs"], dict):
                raise ValueError("docs")
        except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
            raise StoreCorrupt(path, f"the write-ahead log is damaged at byte {pos} and "
                                     f"{len(raw) - pos} bytes of commits follow; nothing "
                                     f"was changed (restore a backup or repair the file)"
                               ) from None
        pos = stop + 1
        if rec["txn"] <= txn and not out:
            continue  # already in the database (a checkpoint whose log was not emptied)
        if rec["txn"] != (out[-1]["txn"] if out else txn) + 1:
            raise StoreCorrupt(path, f"the write-ahead log skips from transaction "
                                     f"{out[-1]['txn'] if out else txn} to {rec['txn']}")
        out.append(rec)


# ---------------------------------------------------------------- writing the new database


def fill(conn: sqlite3.Connection, state: LegacyState, aside: str) -> None:
    """Write ``state`` into the empty database of ``conn``, in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        create_schema(conn)
        conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [
            ("schema", SCHEMA_VERSION), ("txn", state.meta["txn"]),
            ("migrated_from", LEGACY_DB), ("legacy_aside", aside)])
        conn.executemany("INSERT INTO docs (tbl, id, doc) VALUES (?, ?, ?)", (
            (name, int(key), orjson.dumps(doc).decode())
            for name, docs in state.tables.items() for key, doc in docs.items()))
        conn.executemany("INSERT INTO history (txn, subject, key, event) VALUES (?, ?, ?, ?)",
                         (_history_row(line) for line in state.events))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _history_row(line: bytes) -> tuple[int, str, str, str]:
    ev = orjson.loads(line)
    subject = list(ev)[1]
    return int(ev["txn"]), subject, str(ev[subject]), line.decode()


def compare(conn: sqlite3.Connection, state: LegacyState) -> list[str]:
    """What the database of ``conn`` holds differently from ``state`` ([] when equal):
    every document of every table, every history event in order, the transaction."""
    problems: list[str] = []
    tables: dict[str, dict[str, Any]] = {}
    for tbl, doc_id, doc in conn.execute("SELECT tbl, id, doc FROM docs"):
        tables.setdefault(tbl, {})[str(doc_id)] = orjson.loads(doc)
    for name in sorted(set(tables) | set(state.tables)):
        ours, theirs = tables.get(name, {}), state.tables.get(name, {})
        for key in sorted(set(ours) | set(theirs), key=int):
            if ours.get(key) != theirs.get(key):
                problems.append(f"{name} {key}")
    stored = [row[0].encode() for row in conn.execute("SELECT event FROM history ORDER BY seq")]
    if stored != state.events:
        pairs = enumerate(zip(stored, state.events, strict=False))
        first = next((i for i, (a, b) in pairs if a != b), min(len(stored), len(state.events)))
        problems.append(f"history from event {first + 1} ({len(stored)} != "
                        f"{len(state.events)} events)")
    txn = conn.execute("SELECT value FROM meta WHERE name = 'txn'").fetchone()
    if not txn or txn[0] != state.meta["txn"]:
        problems.append(f"transaction {txn} != {state.meta['txn']}")
    return problems


def migrate(data_dir: Path, now: dt.datetime) -> Path:
    """Migrate the old files of ``data_dir`` into ``duban.sqlite3`` (the caller holds the
    directory's lock and no database exists yet); returns the folder of the old files."""
    data_dir = Path(data_dir)
    state = read_legacy(data_dir)
    aside = f"{ASIDE_PREFIX}{now:%Y%m%d-%H%M%S}"
    scratch = data_dir / SCRATCH
    remove_scratch(data_dir)
    conn = connect(scratch, readonly=False)
    try:
        fill(conn, state, aside)
    finally:
        conn.close()  # the last connection: SQLite checkpoints and removes the -wal file
    conn = connect(scratch, readonly=True)
    try:
        problems = compare(conn, state)
        check = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()
    if problems or check != ["ok"]:
        remove_scratch(data_dir)
        raise StoreCorrupt(scratch, "the migrated database differs from the old files: "
                                    + "; ".join((problems + check)[:5]))
    for suffix in ("-wal", "-shm"):  # a read-only close may leave them (empty)
        (data_dir / (SCRATCH + suffix)).unlink(missing_ok=True)
    _fsync(scratch)
    for suffix in ("-wal", "-shm"):  # a log without its database is meaningless
        (data_dir / (DB_NAME + suffix)).unlink(missing_ok=True)
    os.replace(scratch, data_dir / DB_NAME)
    fsync_dir(data_dir)
    return set_aside(data_dir, aside)


def migrate_in_memory(data_dir: Path) -> sqlite3.Connection:
    """The old files' state in a scratch in-memory database (a read-only open of a
    directory not migrated yet: nothing on disk is changed)."""
    state = read_legacy(data_dir)
    conn = connect(":memory:", readonly=False)
    fill(conn, state, "")
    return conn


def set_aside(data_dir: Path, aside: str | None) -> Path:
    """Move the old engine's files into ``data_dir/aside`` (renamed, never rewritten)."""
    data_dir = Path(data_dir)
    folder = data_dir / (aside or f"{ASIDE_PREFIX}{dt.datetime.now():%Y%m%d-%H%M%S}")
    names = [n for n in LEGACY_FILES if (data_dir / n).exists()]
    names += [p.name for p in data_dir.iterdir() if _LEFTOVER.fullmatch(p.name)]
    if not names:
        return folder
    folder.mkdir(exist_ok=True)
    fsync_dir(data_dir)
    # the database last: a directory with history.jsonl but no duban.json is refused by
    # read_legacy, and this order never produces one while the new database is missing
    for name in sorted(names, key=lambda n: n == LEGACY_DB):
        os.replace(data_dir / name, folder / name)
    fsync_dir(folder)
    fsync_dir(data_dir)
    return folder


def remove_scratch(data_dir: Path) -> None:
    """Delete what an interrupted migration left (its scratch database)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        (Path(data_dir) / (SCRATCH + suffix)).unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
