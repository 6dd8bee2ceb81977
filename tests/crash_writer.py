"""The writer that tests/test_crash.py kills with SIGKILL at random moments.

It commits updates to a store forever and, after each commit returns, appends what it
committed to a report file (``case ID K``, ``log K``, ``setting K``: value ``K`` is now
durable). A SIGKILL can land anywhere: in Store.open's recovery, in a commit, between a
commit and its report line.

With ``KILL_AT`` > 0 the writer kills *itself* at the ``KILL_AT``-th Python call or
return it makes (a ``sys.setprofile`` counter), after writing ``killed WHERE`` (the
innermost ``data.*`` function running) to the report: a deterministic kill point, landing
before or after any step of a commit (each SQLite statement, each rename and fsync of a
migration), whatever the machine's speed. ``migrate`` opens an old-format directory once
(the migration) and reports ``migrated``.

Ways to run it::

    python tests/crash_writer.py run DATA_DIR REPORT SEED BASE [KILL_AT [ONLY]]  # write
    python tests/crash_writer.py migrate DATA_DIR REPORT KILL_AT          # migrate, or die
    python tests/crash_writer.py serve                                    # a fork server

The fork server has imported everything once and forks a writer per request, so the kill
test can run hundreds of rounds without paying Python's start-up each time. Requests on
stdin, answers on stdout, one line each::

    run DATA_DIR REPORT SEED BASE [KILL_AT [ONLY]]  ->  pid PID  (a writer is running)
    migrate DATA_DIR REPORT KILL_AT          ->  pid PID
    reap                           ->  status STATUS  (waitpid's status of that writer)
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


def arm(kill_at: int, report: str, only: str = "-") -> None:
    """SIGKILL this process at its ``kill_at``-th profiled event, saying where. ``only``
    (a function name of ``data.storage``, e.g. ``commit``): count only the events of that
    function's own frame (the calls it makes, SQLite's statements among them)."""
    out = os.open(report, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    count = 0

    def profile(frame, event, arg) -> None:
        nonlocal count
        if only != "-" and (frame.f_code.co_name != only
                            or frame.f_globals.get("__name__") != "data.storage"):
            return
        count += 1
        if count < kill_at:
            return
        where = "other"
        f = frame
        while f is not None:
            module = f.f_globals.get("__name__", "")
            if module.startswith("data."):
                where = f"{module}.{f.f_code.co_name}"
                break
            f = f.f_back
        what = getattr(arg, "__name__", "") if event.startswith("c_") else ""
        os.write(out, f"killed {where} {event} {what}\n".encode())
        os.kill(os.getpid(), signal.SIGKILL)

    sys.setprofile(profile)


def migrate_once(data_dir: str, report: str) -> None:
    store = Store.open(data_dir)
    os.write(os.open(report, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644), b"migrated\n")
    store.close()


def count_events(func, *args) -> int:
    """How many profiled events ``func(*args)`` makes (to choose kill points within)."""
    count = 0

    def profile(frame, event, arg) -> None:
        nonlocal count
        count += 1

    sys.setprofile(profile)
    try:
        func(*args)
    finally:
        sys.setprofile(None)
    return count


def _child(args: list[str], migrate: bool = False) -> None:
    try:
        if migrate:
            arm(int(args[2]), args[1])
            migrate_once(args[0], args[1])
            os._exit(0)
        if len(args) > 4 and int(args[4]) > 0:
            arm(int(args[4]), args[1], args[5] if len(args) > 5 else "-")
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
        if words[0] in ("run", "migrate"):
            pid = os.fork()
            if pid == 0:
                _child(words[1:], migrate=words[0] == "migrate")
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
    elif sys.argv[1:2] == ["migrate"]:
        _child(sys.argv[2:], migrate=True)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
