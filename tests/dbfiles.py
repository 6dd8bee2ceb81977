"""What a data directory's database holds, read from outside the store (for tests).

``committed(d)`` is the committed state through a fresh read-only SQLite connection:
comparing it before and after an operation shows whether anything was written. ``edit(d,
sql, ...)`` changes the file behind the store's back (hand edits, damage).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson

from data.storage import DB_NAME


def connect(data_dir: Path, *, readonly: bool = True) -> sqlite3.Connection:
    mode = "ro" if readonly else "rw"
    return sqlite3.connect(f"file:{Path(data_dir) / DB_NAME}?mode={mode}", uri=True,
                           isolation_level=None, timeout=30)


def committed(data_dir: Path) -> dict[str, Any]:
    """meta, every document by table and id, and every history event, in order."""
    conn = connect(data_dir)
    try:
        conn.execute("BEGIN")
        meta = dict(conn.execute("SELECT name, value FROM meta"))
        docs: dict[str, dict[int, Any]] = {}
        for tbl, doc_id, doc in conn.execute("SELECT tbl, id, doc FROM docs ORDER BY tbl, id"):
            docs.setdefault(tbl, {})[doc_id] = orjson.loads(doc)
        history = [orjson.loads(e) for (e,) in conn.execute(
            "SELECT event FROM history ORDER BY seq")]
        conn.execute("COMMIT")
    finally:
        conn.close()
    return {"meta": meta, "docs": docs, "history": history}


def edit(data_dir: Path, sql: str, *params: Any) -> None:
    """Run one statement on the database, behind the store's back."""
    conn = connect(data_dir, readonly=False)
    try:
        conn.execute(sql, params)
    finally:
        conn.close()


def set_doc(data_dir: Path, table: str, doc_id: int, doc: dict[str, Any]) -> None:
    edit(data_dir, "INSERT INTO docs (tbl, id, doc) VALUES (?, ?, ?) ON CONFLICT (tbl, id) "
         "DO UPDATE SET doc = excluded.doc", table, doc_id, orjson.dumps(doc).decode())


def to_schema2(data_dir: Path) -> None:
    """Make a database of today's code what schema 2 wrote: the docs table without ``ix``
    (the fields SQLite keeps for the index), schema 2 in meta (one transaction)."""
    conn = connect(data_dir, readonly=False)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ALTER TABLE docs RENAME TO docs_new")
        conn.execute("CREATE TABLE docs (tbl TEXT NOT NULL, id INTEGER NOT NULL, "
                     "doc TEXT NOT NULL, PRIMARY KEY (tbl, id))")
        conn.execute("INSERT INTO docs SELECT tbl, id, doc FROM docs_new")
        conn.execute("DROP TABLE docs_new")
        conn.execute("UPDATE meta SET value = 2 WHERE name = 'schema'")
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
