"""The drawing worker dies with the bot: a bot killed outright leaves no worker behind.

An orphaned worker would live on with the bot's standard streams: whoever supervises the bot
(systemd, the kill test) waits for those streams to close, for ever.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PARENT = textwrap.dedent("""
    import asyncio, os, sys
    from data import offloop

    async def main():
        pid = await offloop.run(os.getpid)
        print(pid, flush=True)
        await asyncio.sleep(600)

    asyncio.run(main())
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie counts as gone (its parent, init, reaps it)
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def test_a_killed_bot_takes_its_drawing_worker_with_it():
    proc = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), text=True)
    try:
        worker = int(proc.stdout.readline())  # the worker's own pid, from inside it
        assert worker != proc.pid and _alive(worker)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        deadline = time.monotonic() + 60  # generous: a busy machine is slow, not wrong
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(worker), "the worker outlived the bot"
        # and nobody holds the bot's output any more: it reads to its end
        assert proc.stdout.read() == ""
    finally:
        if proc.poll() is None:
            proc.kill()
