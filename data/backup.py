"""Backups of the data directory: consistent snapshots, kept in ``DATA_DIR/backups/``.

A backup is one ``.tar.gz`` file holding ``manifest.json``, ``duban.json`` and
``history.jsonl``. It is taken without the store's lock, so ``duban backup`` and the nightly
job work while the bot runs:

* the database is read with :func:`data.storage.read_snapshot` (under a shared ``flock``,
  so never a file a commit is rewriting): the last committed database;
* the journal is copied up to the length that database vouches for (``_meta.journal``).
  The journal is append-only and never cut below a committed length, so those bytes are
  exactly the history of that database: case and history agree in every backup.

The file is written to a temporary name, fsynced and renamed: a backup is complete or absent.
Only the newest :data:`KEEP` backups are kept.

:func:`restore_backup` puts a backup back (the caller holds the directory's lock and asked
for confirmation): the backup is checked first (checksums, ``Store.verify``), the current
state is saved as a ``pre-restore`` backup, then the database is removed, the journal
replaced and the database put in place, each step fsynced. A crash in between leaves a
directory the store refuses to open (database missing, or history shorter than committed):
never a silent mix; running the restore again finishes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from data.errors import CatalogueError
from data.journal import JOURNAL_NAME, fsync_dir
from data.perms import ensure_private, private_umask
from data.storage import DB_NAME, META, SPARE, read_snapshot
from data.wal import WAL_NAME

BACKUP_DIR = "backups"
KEEP = 14
MANIFEST = "manifest.json"
SUFFIX = ".tar.gz"
#: ``duban-20200629-020000[-label][-N].tar.gz``
_NAME_RE = re.compile(r"^duban-(\d{8}-\d{6})(?:-([a-z][a-z0-9-]*?))?(?:-(\d+))?\.tar\.gz$")
_LABEL_RE = re.compile(r"^[a-z][a-z0-9-]{0,30}$")


class BackupError(CatalogueError):
    """A backup file that cannot be used: ``key`` names the catalogue message."""


@dataclass(frozen=True)
class Snapshot:
    """The committed state of a data directory, as bytes."""

    database: bytes
    journal: bytes
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

    @property
    def name(self) -> str:
        return self.path.name


def backup_dir(data_dir: Path) -> Path:
    return Path(data_dir) / BACKUP_DIR


def take_snapshot(data_dir: Path) -> Snapshot:
    """The last committed database and its history (see the module documentation)."""
    data_dir = Path(data_dir)
    db_path = data_dir / DB_NAME
    if not db_path.exists():
        raise BackupError("backup.no_database", path=str(data_dir))
    database = read_snapshot(db_path)
    try:
        parsed = orjson.loads(database)
        meta = parsed[META]["1"]
        length = int(meta.get("journal", 0))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        raise BackupError("backup.bad_database", path=str(db_path)) from None
    if (data_dir / WAL_NAME).exists():  # commits since the last checkpoint: fold them in
        database, parsed, meta = _with_log(db_path, data_dir / WAL_NAME, database, parsed, meta)
        length = int(meta.get("journal", 0))
    journal = b""
    if length:
        with open(data_dir / JOURNAL_NAME, "rb") as f:
            journal = f.read(length)
        if len(journal) != length:
            raise BackupError("backup.short_journal", path=str(data_dir / JOURNAL_NAME))
    return Snapshot(database, journal, meta, len(parsed.get("cases", {})),
                    len(parsed.get("people", {})))


def _with_log(db_path: Path, wal_path: Path, database: bytes, parsed: dict[str, Any],
              meta: dict[str, Any]) -> tuple[bytes, dict[str, Any], dict[str, Any]]:
    """The database with the write-ahead log's committed records applied, as bytes."""
    from data.storage import DurableStorage
    from data.wal import WriteAheadLog

    log = WriteAheadLog(wal_path, readonly=True)
    try:
        records, _ = log.records_after(int(meta.get("txn", 0)))
    finally:
        log.close()
    if not records:
        return database, parsed, meta
    tables = {k: v for k, v in parsed.items() if k != META}
    storage = DurableStorage(db_path, tables, dict(meta), readonly=True)
    for rec in records:
        storage.apply(rec.docs)
        storage.meta = dict(storage.meta, txn=rec.txn, journal=rec.journal)
    chunks, _ = storage.serialize(storage.meta)
    database = b"".join(bytes(c) for c in chunks)
    return database, orjson.loads(database), storage.meta


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
    manifest = {
        "format": 1, "created_at": now.isoformat(timespec="seconds"),
        "txn": snap.meta.get("txn", 0), "schema": snap.meta.get("schema"),
        "cases": snap.cases, "people": snap.people,
        "files": {DB_NAME: _digest(snap.database), JOURNAL_NAME: _digest(snap.journal)},
    }
    payload = _pack({MANIFEST: orjson.dumps(manifest, option=orjson.OPT_INDENT_2),
                     DB_NAME: snap.database, JOURNAL_NAME: snap.journal})
    _write_atomic(path, payload)
    if keep is not None:
        prune(data_dir, keep)
    return BackupInfo(path, manifest["created_at"], manifest["txn"], snap.cases, snap.people,
                      len(payload))


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


def read_backup(path: Path) -> tuple[dict[str, Any], bytes, bytes]:
    """Manifest, database and journal of a backup file, checksums verified."""
    path = Path(path)
    try:
        with tarfile.open(path, "r:gz") as tar:
            members = {m.name: m for m in tar.getmembers() if m.isfile()}
            if set(members) != {MANIFEST, DB_NAME, JOURNAL_NAME}:
                raise BackupError("backup.not_a_backup", path=str(path))

            def read(name: str) -> bytes:
                f = tar.extractfile(members[name])
                assert f is not None
                return f.read()

            manifest = orjson.loads(read(MANIFEST))
            database, journal = read(DB_NAME), read(JOURNAL_NAME)
    except (OSError, tarfile.TarError, EOFError, orjson.JSONDecodeError):
        raise BackupError("backup.not_a_backup", path=str(path)) from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or files.get(DB_NAME) != _digest(database) or \
            files.get(JOURNAL_NAME) != _digest(journal):
        raise BackupError("backup.checksum", path=str(path))
    return manifest, database, journal


def check_backup(path: Path, lang: str | None = "zh") -> tuple[dict[str, Any], list[str]]:
    """Read a backup and run ``Store.verify`` on it; its manifest and the problems found."""
    manifest, database, journal = read_backup(path)
    return manifest, verify_files(database, journal, lang)


def verify_files(database: bytes, journal: bytes, lang: str | None = "zh") -> list[str]:
    """``Store.verify`` of a database and journal given as bytes (in a scratch directory)."""
    from data.errors import StoreError
    from data.store import Store

    with tempfile.TemporaryDirectory(prefix="duban-check-") as tmp:
        (Path(tmp) / DB_NAME).write_bytes(database)
        (Path(tmp) / JOURNAL_NAME).write_bytes(journal)
        try:
            with Store.open(tmp, readonly=True) as store:
                return store.verify(lang)
        except StoreError as exc:
            return [exc.render(lang)]


def restore_backup(path: Path, data_dir: Path, now: dt.datetime) -> BackupInfo | None:
    """Put backup ``path`` in place of ``data_dir``'s database and history.

    The caller holds the directory's lock (no store is open on it). Raises BackupError if the
    backup is unusable or inconsistent, before anything is changed. Returns the backup of
    the state it replaced (None when the directory held no database).
    """
    data_dir = Path(data_dir)
    _, database, journal = read_backup(path)
    problems = verify_files(database, journal)
    if problems:
        raise BackupError("backup.inconsistent", path=str(path), problems="; ".join(problems[:5]))
    db_path, journal_path = data_dir / DB_NAME, data_dir / JOURNAL_NAME
    safety = make_backup(data_dir, now, label="pre-restore", keep=None) \
        if db_path.exists() else None
    data_dir.mkdir(parents=True, exist_ok=True)
    staged_db = data_dir / f"{DB_NAME}.restore.tmp"
    staged_journal = data_dir / f"{JOURNAL_NAME}.restore.tmp"
    _write_file(staged_db, database)
    _write_file(staged_journal, journal)
    # 1. no database: a crash from here on is refused at open ("database missing"); no
    # write-ahead log either (its records would be replayed onto the restored database)
    db_path.unlink(missing_ok=True)
    (data_dir / (DB_NAME + SPARE)).unlink(missing_ok=True)
    (data_dir / WAL_NAME).unlink(missing_ok=True)
    fsync_dir(data_dir)
    # 2. the history, then 3. the database that vouches for it
    os.replace(staged_journal, journal_path)
    fsync_dir(data_dir)
    os.replace(staged_db, db_path)
    fsync_dir(data_dir)
    return safety


def describe(path: Path) -> BackupInfo:
    """A backup file's manifest (checksums verified) as :class:`BackupInfo`."""
    manifest, _, _ = read_backup(path)
    return BackupInfo(Path(path), str(manifest.get("created_at", "?")),
                      int(manifest.get("txn", 0)), int(manifest.get("cases", 0)),
                      int(manifest.get("people", 0)), Path(path).stat().st_size)


# ---------------------------------------------------------------- helpers


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _pack(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=6) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _write_file(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        _write_file(tmp, data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def human_size(n: int) -> str:
    """``1.5 MB``: sizes for people (powers of 1024)."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")
