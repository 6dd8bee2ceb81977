"""Files private to the account that runs the bot: the data directory 0700, every file in it
(database, write-ahead log, history, lock, backups) and every export 0600.

The database holds the button-signing secret and the history names people: nobody else on
the machine reads them. Two means, so that whatever engine writes the files they come out
private: a process that writes the data directory sets its umask to 077 (:func:`private_umask`:
files it creates from then on, temporary files renamed over the database included, are
0600, directories 0700), and :func:`ensure_private` chmods what exists already (files made by
an older version, or under another umask). :func:`not_private` lists what is readable by
others, for ``duban check``.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger("duban.perms")

__all__ = ["FILE_MODE", "DIR_MODE", "ensure_private", "not_private", "private_umask"]

FILE_MODE = 0o600
DIR_MODE = 0o700
_OTHERS = stat.S_IRWXG | stat.S_IRWXO


def private_umask() -> None:
    """From now on this process creates files 0600 and directories 0700."""
    os.umask(0o077)


def ensure_private(path: str | Path, *, recursive: bool = True) -> None:
    """Make ``path`` private (a directory 0700 and, with ``recursive``, all it holds; a file
    0600). Symbolic links are not followed; what cannot be changed is logged, not raised."""
    path = Path(path)
    try:
        st = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        return
    is_dir = stat.S_ISDIR(st.st_mode)
    _chmod(path, st.st_mode, DIR_MODE if is_dir else FILE_MODE)
    if is_dir and recursive:
        for child in path.iterdir():
            ensure_private(child, recursive=True)


def _chmod(path: Path, mode: int, wanted: int) -> None:
    if stat.S_IMODE(mode) & _OTHERS == 0 and stat.S_IMODE(mode) & wanted == wanted:
        return
    try:
        os.chmod(path, wanted)
    except OSError as exc:
        log.warning("cannot make %s private: %s", path, exc)


def not_private(data_dir: str | Path) -> list[tuple[Path, int]]:
    """What in ``data_dir`` (itself included) group or others may use: (path, mode)."""
    root = Path(data_dir)
    out: list[tuple[Path, int]] = []
    if not root.exists():
        return out
    for path in [root, *sorted(root.rglob("*"))]:
        try:
            st = path.lstat()
        except OSError:
            continue
        if stat.S_ISLNK(st.st_mode):
            continue
        if stat.S_IMODE(st.st_mode) & _OTHERS:
            out.append((path, stat.S_IMODE(st.st_mode)))
    return out


def fsync_dir(directory: Path) -> None:
    """Make a rename or a new file in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durable(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` and fsync it (no rename: see :func:`write_atomic`)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` durably: a temp file beside it, fsync, rename, and
    the folder fsynced; a crash leaves the old file or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write_durable(tmp, data, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
