"""Backups of the data directory: consistent snapshots, kept in ``DATA_DIR/backups/``.

A backup is one ``.tar.gz`` file holding ``manifest.json`` (time, transaction, counts, the
SHA-256 of each member) and ``duban.sqlite3``, the database with its history. It is taken
with SQLite's online backup API from a read-only connection, so ``duban backup`` and the
nightly job work while the bot runs and commits: the copy is one committed state (the
history is in the same database, so case and history agree in every backup). Before the
first start of a directory still in the old JSON format, the backup holds those files'
state converted (:mod:`data.legacy`); backups made by the old engine (``duban.json`` +
``history.jsonl``) can still be checked and restored.

The file is written to a temporary name, fsynced and renamed: a backup is complete or absent.
Only the newest :data:`KEEP` backups are kept.

:func:`restore_backup` puts a backup back (the caller holds the directory's guard and asked
for confirmation): the backup is checked first (checksums, SQLite's integrity check,
``Store.verify``), the current state is saved as a ``pre-restore`` backup, the current
database is checkpointed (its ``-wal`` emptied and removed), then the backup's database is
renamed into place, each step fsynced. A crash at any instant leaves either the old
database or the restored one, never a mix.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from data import legacy
from data.errors import CatalogueError
from data.files import FILES_DIR, put_file, stored_files
from data.perms import ensure_private, fsync_dir, private_umask, write_atomic, write_durable
from data.storage import DB_NAME, SHM_NAME, WAL_NAME, connect

BACKUP_DIR = "backups"
KEEP = 14
MANIFEST = "manifest.json"
SUFFIX = ".tar.gz"
#: ``duban-20200629-020000[-label][-N].tar.gz``
_NAME_RE = re.compile(r"^duban-(\d{8}-\d{6})(?:-([a-z][a-z0-9-]*?))?(?:-(\d+))?\.tar\.gz$")
_LABEL_RE = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
FILES_PREFIX = f"{FILES_DIR}/"
_BLOB_RE = re.compile(rf"^{FILES_DIR}/([0-9a-f]{{2}})/\1[0-9a-f]{{62}}$")


class BackupError(CatalogueError):
    """A backup file that cannot be used: ``key`` names the catalogue message."""


@dataclass(frozen=True)
class Snapshot:
    """The committed state of a data directory: the database file's bytes."""

    database: bytes
    meta: dict[str, Any]
    cases: int
    people: int


@dataclass(frozen=True)
class BackupInfo:
    """One backup file and what its manifest says."""

    path: Path
    created_at: str
    txn: int
    cases: int
    people: int
    size: int
    #: document files (``files/``, :mod:`data.files`) in the backup
    files: int = 0

    @property
    def name(self) -> str:
        return self.path.name


def backup_dir(data_dir: Path) -> Path:
    return Path(data_dir) / BACKUP_DIR


def take_snapshot(data_dir: Path) -> Snapshot:
    """The last committed database (see the module documentation)."""
    data_dir = Path(data_dir)
    db_path = data_dir / DB_NAME
    try:
        if db_path.exists():
            source = connect(db_path, readonly=True)
        elif legacy.present(data_dir):
            source = legacy.migrate_in_memory(data_dir)
        else:
            raise BackupError("backup.no_database", path=str(data_dir))
    except (sqlite3.Error, CatalogueError) as exc:
        if isinstance(exc, BackupError):
            raise
        raise BackupError("backup.bad_database", path=str(db_path)) from None
    try:
        return _copy(source, db_path)
    finally:
        source.close()


def _copy(source: sqlite3.Connection, db_path: Path) -> Snapshot:
    """The database of ``source`` copied with the online backup API, as bytes."""
    with tempfile.TemporaryDirectory(prefix="duban-backup-") as tmp:
        target = Path(tmp) / DB_NAME
        copy = sqlite3.connect(target, isolation_level=None)
        try:
            try:
                source.backup(copy)  # all pages in one step: one read transaction
            except sqlite3.Error:
                raise BackupError("backup.bad_database", path=str(db_path)) from None
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            meta = dict(copy.execute("SELECT name, value FROM meta").fetchall())
            counts = dict(copy.execute("SELECT tbl, count(*) FROM docs GROUP BY tbl"))
        except sqlite3.Error:
            raise BackupError("backup.bad_database", path=str(db_path)) from None
        finally:
            copy.close()
        database = target.read_bytes()
    return Snapshot(database, meta, counts.get("cases", 0), counts.get("people", 0))


def make_backup(data_dir: Path, now: dt.datetime, *, label: str = "",
                keep: int | None = KEEP) -> BackupInfo:
    """Write a backup of ``data_dir`` into its ``backups/``; prune to ``keep`` (None: all)."""
    if label and not _LABEL_RE.match(label):
        raise ValueError(f"bad backup label {label!r}")
    snap = take_snapshot(data_dir)
    folder = backup_dir(data_dir)
    private_umask()  # data.perms: the backup is 0600 in a 0700 folder
    folder.mkdir(exist_ok=True)
    ensure_private(folder, recursive=False)
    stem = f"duban-{now:%Y%m%d-%H%M%S}" + (f"-{label}" if label else "")
    path, n = folder / f"{stem}{SUFFIX}", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}{SUFFIX}"
    # the documents' files, listed after the database was copied: every file the copy names
    # was stored before its case was committed, so it is among them (data.files)
    blobs = [(f"{FILES_PREFIX}{sha[:2]}/{sha}", blob) for sha, blob in stored_files(data_dir)]
    manifest = {
        "format": 1, "created_at": now.isoformat(timespec="seconds"),
        "txn": snap.meta.get("txn", 0), "schema": snap.meta.get("schema"),
        "cases": snap.cases, "people": snap.people,
        "files": {DB_NAME: _digest(snap.database)}, "documents": len(blobs),
    }
    payload = _pack({MANIFEST: orjson.dumps(manifest, option=orjson.OPT_INDENT_2),
                     DB_NAME: snap.database}, blobs)
    write_atomic(path, payload)
    if keep is not None:
        prune(data_dir, keep)
    return BackupInfo(path, manifest["created_at"], manifest["txn"], snap.cases, snap.people,
                      len(payload), len(blobs))


def list_backups(data_dir: Path) -> list[Path]:
    """The backup files of ``data_dir``, oldest first."""
    folder = backup_dir(data_dir)
    if not folder.is_dir():
        return []
    found = [(m.group(1), int(m.group(3) or 1), p) for p in folder.iterdir()
             if (m := _NAME_RE.match(p.name)) and p.is_file()]
    return [p for _, _, p in sorted(found)]


def backup_time(path: Path) -> dt.datetime | None:
    """When the backup was taken, from its name (naive, in the clock's zone)."""
    m = _NAME_RE.match(Path(path).name)
    return dt.datetime.strptime(m.group(1), "%Y%m%d-%H%M%S") if m else None


def prune(data_dir: Path, keep: int = KEEP) -> list[Path]:
    """Delete all but the newest ``keep`` backups; returns the deleted files."""
    files = list_backups(data_dir)
    doomed = files[:-keep] if keep > 0 else files
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def read_backup(path: Path) -> tuple[dict[str, Any], bytes]:
    """Manifest and database of a backup file, checksums verified. A backup of the old
    engine (``duban.json`` + ``history.jsonl``) is converted to a database."""
    path = Path(path)
    try:
        with tarfile.open(path, "r:gz") as tar:
            members = {m.name: m for m in tar.getmembers() if m.isfile()}
            blobs = {name: m for name, m in members.items() if name.startswith(FILES_PREFIX)}
            for name, member in blobs.items():  # a document file is named by its SHA-256
                f = tar.extractfile(member)
                assert f is not None
                if not _BLOB_RE.match(name) or _stream_digest(f) != name.rsplit("/", 1)[1]:
                    raise BackupError("backup.checksum", path=str(path))
                del members[name]
            if set(members) not in ({MANIFEST, DB_NAME},
                                    {MANIFEST, legacy.LEGACY_DB, legacy.LEGACY_JOURNAL}):
                raise BackupError("backup.not_a_backup", path=str(path))

            def read(name: str) -> bytes:
                f = tar.extractfile(members[name])
                assert f is not None
                return f.read()

            manifest = orjson.loads(read(MANIFEST))
            files = {name: read(name) for name in members if name != MANIFEST}
    except (OSError, tarfile.TarError, EOFError, orjson.JSONDecodeError):
        raise BackupError("backup.not_a_backup", path=str(path)) from None
    digests = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(digests, dict) or any(digests.get(name) != _digest(data)
                                            for name, data in files.items()):
        raise BackupError("backup.checksum", path=str(path))
    if DB_NAME in files:
        return manifest, files[DB_NAME]
    return manifest, _from_legacy(path, files[legacy.LEGACY_DB],
                                  files[legacy.LEGACY_JOURNAL])


def restore_files(path: Path, data_dir: Path) -> int:
    """Put the document files of backup ``path`` into ``data_dir`` (those not there intact
    already; none is removed: files are named by content). Returns how many were written."""
    from data.files import blob_path, file_digest

    written = 0
    with tarfile.open(path, "r:gz") as tar:
        for member in tar.getmembers():
            if not (member.isfile() and _BLOB_RE.match(member.name)):
                continue
            sha = member.name.rsplit("/", 1)[1]
            target = blob_path(data_dir, sha)
            if target.is_file() and file_digest(target) == sha:
                continue
            f = tar.extractfile(member)
            assert f is not None
            put_file(data_dir, f.read())
            written += 1
    return written


def _stream_digest(f: Any) -> str:
    h = hashlib.sha256()
    while chunk := f.read(1 << 20):
        h.update(chunk)
    return h.hexdigest()


def _from_legacy(path: Path, database: bytes, journal: bytes) -> bytes:
    """An old engine's backup (its database and journal) as a database of this one."""
    with tempfile.TemporaryDirectory(prefix="duban-legacy-") as tmp:
        (Path(tmp) / legacy.LEGACY_DB).write_bytes(database)
        (Path(tmp) / legacy.LEGACY_JOURNAL).write_bytes(journal)
        try:
            source = legacy.migrate_in_memory(Path(tmp))
        except CatalogueError:
            raise BackupError("backup.not_a_backup", path=str(path)) from None
        try:
            return _copy(source, path).database
        finally:
            source.close()


def check_backup(path: Path, lang: str | None = "zh") -> tuple[dict[str, Any], list[str]]:
    """Read a backup and run ``Store.verify`` on it; its manifest and the problems found."""
    manifest, database = read_backup(path)
    return manifest, verify_files(database, lang)


def verify_files(database: bytes, lang: str | None = "zh") -> list[str]:
    """``Store.verify`` of a database given as bytes (in a scratch directory)."""
    from data.errors import StoreError
    from data.store import Store

    with tempfile.TemporaryDirectory(prefix="duban-check-") as tmp:
        (Path(tmp) / DB_NAME).write_bytes(database)
        try:
            with Store.open(tmp, readonly=True) as store:
                return store.verify(lang)
        except StoreError as exc:
            return [exc.render(lang)]


def restore_backup(path: Path, data_dir: Path, now: dt.datetime) -> BackupInfo | None:
    """Put backup ``path`` in place of ``data_dir``'s database.

    The caller holds the directory's guard (no store is open on it). Raises BackupError if
    the backup is unusable or inconsistent, before anything is changed. Returns the backup
    of the state it replaced (None when the directory held no database).
    """
    data_dir = Path(data_dir)
    _, database = read_backup(path)
    problems = verify_files(database)
    if problems:
        raise BackupError("backup.inconsistent", path=str(path), problems="; ".join(problems[:5]))
    db_path = data_dir / DB_NAME
    safety = make_backup(data_dir, now, label="pre-restore", keep=None) \
        if db_path.exists() or legacy.present(data_dir) else None
    data_dir.mkdir(parents=True, exist_ok=True)
    restore_files(path, data_dir)  # before the database that names them
    staged = data_dir / f"{DB_NAME}.restore.tmp"
    write_durable(staged, database)
    if db_path.exists():
        # everything of the current database into its main file, and no -wal left whose
        # frames would be applied to the restored file
        conn = connect(db_path, readonly=False)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    for name in (WAL_NAME, SHM_NAME):
        (data_dir / name).unlink(missing_ok=True)
    fsync_dir(data_dir)
    os.replace(staged, db_path)
    fsync_dir(data_dir)
    if legacy.present(data_dir):  # the old engine's files are not the data any more
        legacy.set_aside(data_dir, f"{legacy.ASIDE_PREFIX}{now:%Y%m%d-%H%M%S}")
    return safety


def describe(path: Path) -> BackupInfo:
    """A backup file's manifest (checksums verified) as :class:`BackupInfo`."""
    manifest, _ = read_backup(path)
    return BackupInfo(Path(path), str(manifest.get("created_at", "?")),
                      int(manifest.get("txn", 0)), int(manifest.get("cases", 0)),
                      int(manifest.get("people", 0)), Path(path).stat().st_size)


# ---------------------------------------------------------------- helpers


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _pack(files: dict[str, bytes], blobs: list[tuple[str, Path]] | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=6) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
        for name, blob in blobs or ():
            with open(blob, "rb") as f:
                info = tarfile.TarInfo(name)
                info.size = os.fstat(f.fileno()).st_size
                info.mode = 0o600
                tar.addfile(info, f)
    return buf.getvalue()


def human_size(n: int) -> str:
    """``1.5 MB``: sizes for people (powers of 1024)."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")
