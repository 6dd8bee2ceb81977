"""A worker process for building files (charts, the Word report) away from the event loop.

A thread is not enough: matplotlib and python-docx are mostly Python and hold the GIL, so a
chart drawn in a thread slows every other user's answer (under load, ``tests/test_soak.py``
halved its throughput). One spawned worker process draws instead; its interpreter has its
own GIL, and the bot's process only pickles the counts in and the bytes out.

The pool is made on first use and shut down at exit (``concurrent.futures`` joins it). A
worker that died (``BrokenProcessPool``) is replaced; that one call then runs in a thread.
Functions sent here must be importable module-level functions of pure inputs.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

log = logging.getLogger("duban.offloop")
T = TypeVar("T")

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def _follow_parent(parent: int) -> None:
    """In the worker: die with the bot. A bot killed outright (SIGKILL, a crash) cannot shut
    the pool down, and an orphaned worker would live on, holding the bot's standard streams
    (a supervisor reading them waits for ever). Linux kills the worker when its parent dies
    (PR_SET_PDEATHSIG); elsewhere, and should the parent die before that is set, a thread
    notices the parent is gone within a second."""
    import ctypes
    import os
    import signal
    import sys
    import time

    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(0)
            time.sleep(1.0)

    if os.getppid() != parent:
        os._exit(0)
    threading.Thread(target=watch, name="offloop.parent", daemon=True).start()


def _warm(parent: int) -> None:
    """In the worker, once: follow the parent, import the drawing libraries and register the
    CJK font."""
    _follow_parent(parent)
    from data import charts, report_docx  # noqa: F401

    charts.cjk_font()


def executor() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1, initializer=_warm,
                                        initargs=(os.getpid(),),
                                        mp_context=multiprocessing.get_context("spawn"))
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def named(path: str, *args: Any) -> Any:
    """Call ``"module:function"`` with ``args`` (in the worker): ``run(named, ...)`` passes
    a function the bot's process never imports (matplotlib costs seconds to import)."""
    import importlib

    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)(*args)


async def run(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in the worker process, awaited without holding the loop."""
    loop = asyncio.get_running_loop()
    pool = executor()
    try:
        return await loop.run_in_executor(pool, fn, *args)
    except BrokenProcessPool:
        log.warning("the drawing process died; replacing it (this one runs in a thread)")
        _discard(pool)
        return await asyncio.to_thread(fn, *args)
