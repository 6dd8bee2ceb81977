"""The data directory's guard: one writing ``duban`` process per directory.

SQLite serialises the transactions of several writers but lets a second one open the
database all the same, so this small guard is what refuses it, saying which process runs.

The lock is an ``flock`` on ``duban.lock`` in the data directory. The kernel releases it
when the holder dies, however it dies (SIGKILL included), so a crash never leaves a stale
lock behind. The file's content is the holder's pid, only for the refusal message: the
``flock`` itself is the truth.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

LOCK_NAME = "duban.lock"
#: how long a writer waits for read-only probes to let go of the lock
PROBE_WAIT_S = 2.0


class LockTaken(Exception):
    """Another process holds the lock; ``pid`` is its pid when known (else None)."""

    def __init__(self, path: Path, pid: int | None) -> None:
        self.path = path
        self.pid = pid
        super().__init__(f"{path} is locked by pid {pid}")


class DirLock:
    """An exclusive, non-blocking lock on a directory, held until :meth:`release`."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`LockTaken`.

        Read-only tools ask whether anyone writes (:func:`someone_writes`) by taking the
        lock *shared* for an instant; a writer that meets such a probe waits for it to go
        (at most :data:`PROBE_WAIT_S`), while a lock held by a live writer (its pid in the
        file) is refused at once.
        """
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        deadline = time.monotonic() + PROBE_WAIT_S
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    pid = _read_pid(fd)
                    if (pid is not None and _alive(pid)) or time.monotonic() > deadline:
                        raise LockTaken(self.path, pid) from None
                    time.sleep(0.005)  # a reader's probe (or a writer that just died)
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)  # the pid is no longer meaningful
        except OSError:
            pass
        os.close(fd)  # closing the descriptor releases the flock

    @property
    def held(self) -> bool:
        return self._fd is not None


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    """Whether a process of that pid exists (a writer's pid left by a kill is not)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but not ours to signal
        return True
    return True


def someone_writes(directory: Path) -> bool:
    """Whether a process holds the directory's guard, asked without changing a file and
    without keeping any writer out: the probe takes the lock shared, for an instant."""
    try:
        fd = os.open(Path(directory) / LOCK_NAME, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # (also releases the shared lock it may have taken)
    return False
