"""The writer that tests/test_crash.py and tests/test_wal.py kill with SIGKILL.

It commits updates to a store forever and, after each commit returns, appends what it
committed to a report file (``case ID K``, ``log K``, ``setting K``: value ``K`` is now
durable). A SIGKILL can land anywhere: in Store.open's recovery, in a commit, between a
commit and its report line.

Where it lands is named, not left to a timer: given ``STEP`` > 0, the writer SIGKILLs itself
just before its STEP-th I/O step, a call of one of :data:`STEPS` (``os.pwrite``,
``os.fsync``, ``os.replace``...: what Store.open's recovery, a commit and a report line are
made of). The writer's work is seeded, so a (SEED, STEP) pair always stops it at the same
point, however busy the machine.

Two ways to run it::

    python tests/crash_writer.py run DATA_DIR REPORT SEED BASE [STEP]   # write until killed
    python tests/crash_writer.py serve                                  # a fork server

The fork server has imported everything once and forks a writer per request, so the kill
test can run hundreds of rounds without paying Python's start-up each time. Requests on
stdin, answers on stdout, one line each::

    run DATA_DIR REPORT SEED BASE [STEP]  ->  pid PID        (a writer is running)
    reap                                  ->  status STATUS  (waitpid's status of that writer)
"""

from __future__ import annotations

import os
import random
import signal
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain.model import Case  # noqa: E402
from data.store import Store  # noqa: E402

#: the kill loop keeps the database small
MAX_CASES = 40
#: the I/O calls counted as steps: the kill points
STEPS = ("write", "writev", "pwrite", "fsync", "fdatasync", "ftruncate", "replace", "link",
         "unlink")


def kill_before_step(n: int) -> None:
    """From now on, count the calls of :data:`STEPS`; SIGKILL this process just before the
    ``n``-th (a fault hook for a forked writer: it patches the ``os`` module)."""
    count = 0

    def hook(original):
        def step(*args, **kwargs):
            nonlocal count
            count += 1
            if count >= n:
                os.kill(os.getpid(), signal.SIGKILL)
            return original(*args, **kwargs)

        return step

    for name in STEPS:
        setattr(os, name, hook(getattr(os, name)))


def write_forever(data_dir: str, report: str, seed: int, base: int) -> None:
    """Commit random updates until killed; report each one after its commit returned.

    Every value written is ``k<K>`` with K increasing from ``base``: a later round's values
    are larger than all earlier ones.
    """
    rnd = random.Random(seed)
    out = os.open(report, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def done(line: str) -> None:
        os.write(out, line.encode() + b"\n")

    store = Store.open(data_dir)
    done("open")
    k = base
    while True:
        k += 1
        ids = [c.id for c in store.cases()]
        roll = rnd.random()
        if not ids or (roll < 0.1 and len(ids) < MAX_CASES):
            case = store.add_case(Case(kind="suggestion", number=str(k), year=2020,
                                       title=f"关于第{k}号问题的建议", role="lead",
                                       task=f"k{k}"), "writer")
            done(f"case {case.id} {k}")
        elif roll < 0.35:  # several changes in one commit
            chosen = rnd.sample(ids, min(3, len(ids)))
            with store.transaction():
                for i, cid in enumerate(chosen):
                    case = store.get_case(cid)
                    case.task = f"k{k + i}"
                    case.stage = rnd.choice(("assigned", "in_progress", "drafted"))
                    store.save_case(case, "writer")
                store.table("log").insert({"k": k})
            for i, cid in enumerate(chosen):
                done(f"case {cid} {k + i}")
            done(f"log {k}")
            k += len(chosen)
        elif roll < 0.45:
            store.set_setting("counter", k, "writer")
            done(f"setting {k}")
        else:
            case = store.get_case(rnd.choice(ids))
            case.task = f"k{k}"
            store.save_case(case, "writer", expected_version=case.version)
            done(f"case {case.id} {k}")


def _child(args: list[str]) -> None:
    try:
        if len(args) > 4 and int(args[4]) > 0:
            kill_before_step(int(args[4]))
        write_forever(args[0], args[1], int(args[2]), int(args[3]))
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)
    os._exit(0)


def serve() -> None:
    pid = 0
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "run":
            pid = os.fork()
            if pid == 0:
                _child(words[1:])
            print(f"pid {pid}", flush=True)
        elif words[0] == "reap":
            _, status = os.waitpid(pid, 0)
            print(f"status {status}", flush=True)
        elif words[0] == "quit":
            break


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve()
    elif sys.argv[1:2] == ["run"]:
        _child(sys.argv[2:])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
