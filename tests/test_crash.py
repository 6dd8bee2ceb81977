"""Crash safety: a writer killed with SIGKILL at hundreds of points, each named.

Each round the writer (``tests/crash_writer.py``) kills itself just before a random I/O
step, drawn from a seeded stream: anywhere from inside Store.open's recovery to ~7 commits
in, so that a given seed stops it at the same points however busy the machine (a timer
would land elsewhere each run: it once missed the commits altogether).

After each kill the database must open, hold valid JSON, and contain every update the
writer reported as committed, each with its history event; and ``verify()`` must find the
cases and their history in agreement (a case's history, replayed, gives the case).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import orjson
import pytest
from tinydb import Query

from data.journal import JOURNAL_NAME
from data.storage import DB_NAME
from data.store import Store

WRITER = Path(__file__).with_name("crash_writer.py")
ROUNDS = 300
#: kill before I/O step 1..MAX_STEP of a round: from inside Store.open to ~7 commits in
#: (a commit and its report line are ~11 steps)
MAX_STEP = 80
SEED = 20200630


def kill_rounds(server, data: Path, report: Path, errors: Path, rounds: int, rnd,
                check, max_step: int = MAX_STEP) -> int:
    """Run ``rounds`` writers, each killing itself before a random step in 1..``max_step``;
    ``check(round_no)`` after each; the number of report lines written."""
    reported = 0
    for round_no in range(rounds):
        report.unlink(missing_ok=True)
        # round 0 dies at the first step of all, inside the first Store.open
        step = 1 if round_no == 0 else rnd.randint(1, max_step)
        server.stdin.write(f"run {data} {report} {SEED + round_no} {round_no * 100_000} "
                           f"{step}\n")
        server.stdin.flush()
        server.stdout.readline()  # pid PID
        server.stdin.write("reap\n")
        server.stdin.flush()
        status = int(server.stdout.readline().split()[1])
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
            f"round {round_no}: the writer stopped by itself:\n{errors.read_text()}")
        check(round_no)
        reported += report.exists() and report.read_text().count("\n")
    return reported


def _check_round(data: Path, report: Path, verify: bool) -> bool:
    """Check the store after a kill; True if the kill interrupted a commit mid-way."""
    lines = report.read_text().splitlines() if report.exists() else []
    if not (data / DB_NAME).exists():
        # killed inside the very first Store.open, before a database was written: fine, as
        # long as nothing was reported committed (a busy machine once got there by timer)
        assert [ln for ln in lines if ln != "open"] == [], lines
        torn = False
    else:
        meta = orjson.loads((data / DB_NAME).read_bytes())["_meta"]["1"]  # valid JSON
        journal = data / JOURNAL_NAME
        torn = (journal.exists() and journal.stat().st_size > meta["journal"]) or any(
            data.glob(f"{DB_NAME}.*.tmp"))
    committed: dict[int, list[int]] = defaultdict(list)
    logs, settings = [], []
    for line in lines:
        kind, *rest = line.split()
        if kind == "case":
            committed[int(rest[0])].append(int(rest[1]))
        elif kind == "log":
            logs.append(int(rest[0]))
        elif kind == "setting":
            settings.append(int(rest[0]))
    with Store.open(data) as store:
        for cid, values in committed.items():
            case = store.get_case(cid)
            assert case is not None, f"case {cid} reported but missing"
            assert int(case.task[1:]) >= max(values), (cid, case.task, values)
            written = set()
            for ev in store.history(cid):
                if ev.field == "task":
                    written.add(ev.new)
                elif ev.field == "created":
                    written.add(ev.new["task"])
            missing = {f"k{v}" for v in values} - written
            assert not missing, f"case {cid}: committed values without history {missing}"
        log = store.table("log")
        for k in logs:
            assert log.contains(Query().k == k), f"log {k} reported but missing"
        if settings:
            assert store.get_setting("counter") >= max(settings)
            assert max(settings) in {ev["new"] for ev in store.setting_history("counter")}
        if verify:
            assert store.verify("en") == []
    return torn


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing_committed(tmp_path):
    data, report = tmp_path / "data", tmp_path / "report"
    errors = tmp_path / "writer.err"
    rnd = random.Random(SEED)
    started = time.monotonic()
    with open(errors, "w") as err:
        server = subprocess.Popen([sys.executable, str(WRITER), "serve"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=err, text=True)
    torn = 0

    def check(round_no: int) -> None:
        nonlocal torn
        torn += _check_round(data, report, verify=round_no % 10 == 9)

    try:
        reported = kill_rounds(server, data, report, errors, ROUNDS, rnd, check)
    finally:
        server.stdin.write("quit\n")
        server.stdin.close()
        server.wait(timeout=30)
    elapsed = time.monotonic() - started
    # the kills did land inside commits (journal written, database not yet replaced)
    assert torn >= 3, f"only {torn} of {ROUNDS} kills interrupted a commit"
    assert reported > ROUNDS, "the writer hardly committed anything"
    print(f"{ROUNDS} kills, {torn} mid-commit, {reported} report lines, {elapsed:.1f} s")


def test_the_writer_runs_as_a_plain_process_too(tmp_path):
    """The helper started with ``run`` (no fork server): killed once, checked."""
    data, report = tmp_path / "data", tmp_path / "report"
    proc = subprocess.Popen([sys.executable, str(WRITER), "run", str(data), str(report), "1", "0"],
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120  # generous: a busy machine is slow, not wrong
    while time.monotonic() < deadline and (
            not report.exists() or report.read_text().count("\n") < 20):
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stderr.close()
    _check_round(data, report, verify=True)
