"""Crash safety: writers killed with SIGKILL, hundreds of times, in commits and in migration.

Three kinds of kill, none of them hoping that timing lands:

* **at a random moment** (a seeded delay after the writer started): anywhere, SQLite's own
  writes and fsyncs included;
* **at a chosen step** (the writer kills itself at its N-th Python call, N seeded: see
  :func:`tests.crash_writer.arm`): before or after every statement of a commit, whatever
  the machine's speed; the test counts where the kills landed and requires kills inside
  the commit itself;
* **during migration** of a data directory written by the old JSON engine, at every step
  of it (the scratch database, its check, the rename, setting the old files aside).

After each kill the directory must open and contain every update the writer reported as
committed, each with its history event; ``verify()`` (SQLite's integrity check included)
must find nothing wrong. A migration killed at any step must, at the next open, give
exactly the old files' data, with those files untouched (in place, or set aside).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from tinydb import Query

from data import legacy
from data.storage import DB_NAME
from data.store import Store
from tests import dbfiles

WRITER = Path(__file__).with_name("crash_writer.py")
FIXTURE = Path(__file__).with_name("fixtures") / "legacy-v1"
ROUNDS = 200
STEP_ROUNDS = 200
MIGRATION_ROUNDS = 120
UPGRADE_ROUNDS = 60
#: kill after a random delay in [0, MAX_DELAY] s: from inside Store.open to ~20 commits in
MAX_DELAY = 0.03
#: a commit is ~3,700 profiled calls: kill points over the first ~15 commits
MAX_STEP = 60_000
#: DurableStorage.commit's own frame makes ~20-40 calls a commit
MAX_COMMIT_STEP = 300
SEED = 20200630


def _check_round(data: Path, report: Path, verify: bool) -> None:
    """Check the store after a kill: everything reported committed is there, with history."""
    lines = report.read_text().splitlines() if report.exists() else []
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


class Server:
    """The fork server of tests/crash_writer.py (imports paid once for every round)."""

    def __init__(self, errors: Path) -> None:
        self.errors = errors
        with open(errors, "w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, str(WRITER), "serve"], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=err, text=True,
                env=dict(os.environ, PYTHONHASHSEED="0"))  # the same calls every run

    def start(self, *words: object) -> int:
        self.proc.stdin.write(" ".join(map(str, words)) + "\n")
        self.proc.stdin.flush()
        self.last_pid = int(self.proc.stdout.readline().split()[1])
        return self.last_pid

    def reap(self) -> int:
        self.proc.stdin.write("reap\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline().split()[1])

    def killed(self, status: int, round_no: int) -> None:
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
            f"round {round_no}: the writer stopped by itself:\n{self.errors.read_text()}")

    def close(self) -> None:
        self.proc.stdin.write("quit\n")
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def test_sigkill_at_random_moments_loses_nothing_committed(tmp_path):
    data, report = tmp_path / "data", tmp_path / "report"
    rnd = random.Random(SEED)
    started = time.monotonic()
    server = Server(tmp_path / "writer.err")
    reported = 0
    try:
        for round_no in range(ROUNDS):
            report.unlink(missing_ok=True)
            pid = server.start("run", data, report, SEED + round_no, round_no * 100_000)
            time.sleep(rnd.uniform(0, MAX_DELAY))
            os.kill(pid, signal.SIGKILL)
            server.killed(server.reap(), round_no)
            _check_round(data, report, verify=round_no % 10 == 9)
            reported += report.exists() and report.read_text().count("\n")
    finally:
        server.close()
    assert reported > ROUNDS, "the writer hardly committed anything"
    print(f"{ROUNDS} kills, {reported} report lines, {time.monotonic() - started:.1f} s")


READER = """
import sys, time
sys.path.insert(0, {root!r})
from data.store import Store, StoreError
opened = problems = 0
last_txn = 0
while True:
    try:
        with Store.open(sys.argv[1], readonly=True) as ro:
            found = ro.verify("en")
            txn = ro._storage.meta["txn"]
    except StoreError:  # the first writer has not made the database yet
        if opened == 0:
            time.sleep(0.01)
            continue
        raise
    opened += 1
    problems += len(found)
    if found:
        print("PROBLEM", found, flush=True)
    assert txn >= last_txn, (txn, last_txn)  # never an older state after a newer one
    last_txn = txn
    import select
    if select.select([sys.stdin], [], [], 0)[0]:
        break
print(opened, problems, last_txn, flush=True)
"""


def test_readers_beside_a_writer_killed_again_and_again_see_only_committed_states(tmp_path):
    """A reader process opens the directory read-only over and over (each open verified:
    documents and history of one moment, SQLite's integrity check) while the writer is
    killed at random moments and restarted: never an error, a mix, or a step back."""
    root = Path(__file__).resolve().parent.parent
    data, report = tmp_path / "data", tmp_path / "report"
    rnd = random.Random(SEED + 3)
    server = Server(tmp_path / "writer.err")
    server.start("run", data, report, SEED, 0)  # the first writer makes the database
    reader = subprocess.Popen([sys.executable, "-c", READER.format(root=str(root)), str(data)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        for round_no in range(60):
            if round_no:
                report.unlink(missing_ok=True)
                server.start("run", data, report, SEED + round_no, round_no * 100_000)
            time.sleep(rnd.uniform(0, MAX_DELAY))
            os.kill(server.last_pid, signal.SIGKILL)
            server.killed(server.reap(), round_no)
            _check_round(data, report, verify=False)
        out, _ = reader.communicate("stop\n", timeout=60)
    finally:
        server.close()
        if reader.poll() is None:
            reader.kill()
    assert reader.returncode == 0, out
    opened, problems, _ = map(int, out.split()[-3:])
    assert problems == 0 and opened >= 1, out


def test_sigkill_at_chosen_steps_of_commits_loses_nothing_committed(tmp_path):
    data, report = tmp_path / "data", tmp_path / "report"
    rnd = random.Random(SEED + 1)
    server = Server(tmp_path / "writer.err")
    where: Counter[str] = Counter()
    try:
        for round_no in range(STEP_ROUNDS):
            report.unlink(missing_ok=True)
            if round_no % 2:  # anywhere in the writer's work
                kill_at, only = rnd.randint(1, MAX_STEP), "-"
            else:  # at one of the steps of DurableStorage.commit, over ~10 commits
                kill_at, only = rnd.randint(1, MAX_COMMIT_STEP), "commit"
            server.start("run", data, report, SEED + round_no, round_no * 100_000, kill_at,
                         only)
            server.killed(server.reap(), round_no)
            killed = [x for x in report.read_text().splitlines() if x.startswith("killed")]
            assert len(killed) == 1
            where[" ".join(killed[0].split()[1:])] += 1
            _check_round(data, report, verify=round_no % 10 == 9)
    finally:
        server.close()
    print("kills by function:", dict(where.most_common()))
    # the kill points are fixed by the seed: these counts are the same on every run
    in_commit = Counter(w.split(" ", 1)[1] for w in where.elements()
                        if w.startswith("data.storage.commit"))
    assert sum(in_commit.values()) >= STEP_ROUNDS // 3, where
    # before BEGIN, between the statements, around COMMIT (execute) and after it
    assert in_commit["c_call execute"] >= 10 and in_commit["c_return execute"] >= 10, in_commit
    assert in_commit["c_call executemany"] >= 5, in_commit


def _fixture_state():
    return legacy.read_legacy(FIXTURE)


def _old_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in FIXTURE.iterdir()}


def test_sigkill_at_every_step_of_the_migration(tmp_path):
    from tests.crash_writer import count_events, migrate_once

    expected, old = _fixture_state(), _old_files()
    probe = tmp_path / "probe"
    shutil.copytree(FIXTURE, probe)
    steps = count_events(migrate_once, str(probe), str(tmp_path / "probe-report"))
    rnd = random.Random(SEED + 2)
    server = Server(tmp_path / "writer.err")
    outcome: Counter[str] = Counter()
    try:
        for round_no in range(MIGRATION_ROUNDS):
            data, report = tmp_path / f"m{round_no}", tmp_path / f"m{round_no}.report"
            shutil.copytree(FIXTURE, data)
            # spread over the whole migration, and a few rounds killed twice
            server.start("migrate", data, report, rnd.randint(1, steps))
            status = server.reap()
            if status == 0:  # the kill point lay beyond the migration (the probe, run
                outcome["not killed"] += 1  # here under pytest, makes more calls)
            else:
                server.killed(status, round_no)
            if round_no % 4 == 3:  # a second kill, in what the next open does (or none)
                server.start("migrate", data, report, rnd.randint(1, steps))
                status = server.reap()
                assert status == 0 or os.WTERMSIG(status) == signal.SIGKILL
            migrated = (data / DB_NAME).exists()
            asides = sorted(data.glob(legacy.ASIDE_PREFIX + "*"))
            outcome["database in place" if migrated else "old files only"] += 1
            with Store.open(data) as store:  # finishes (or redoes) the migration
                assert store.verify("en") == []
            assert legacy.compare(dbfiles.connect(data), expected) == []
            asides = sorted(data.glob(legacy.ASIDE_PREFIX + "*"))
            assert len(asides) == 1 and not legacy.present(data)
            assert {p.name: p.read_bytes() for p in asides[0].iterdir()} == old
            assert not (data / legacy.SCRATCH).exists()
            shutil.rmtree(data)
    finally:
        server.close()
    print("state at the kill:", dict(outcome))
    assert outcome["database in place"] >= 1 and outcome["old files only"] >= 1, outcome


def test_sigkill_at_every_step_of_the_schema_3_upgrade(tmp_path):
    """A schema-2 database (no ``docs.ix``) is rebuilt at its first writable open, in one
    SQLite transaction: killed at any statement of it, the next open finds the old schema
    or the new, never a mix, and every document as it was."""
    from tests.crash_writer import count_events, migrate_once

    expected = _fixture_state()
    base = tmp_path / "base"
    shutil.copytree(FIXTURE, base)
    with Store.open(base):  # the old files migrated: a schema-3 database
        pass
    for aside in base.glob(legacy.ASIDE_PREFIX + "*"):
        shutil.rmtree(aside)
    dbfiles.to_schema2(base)
    probe = tmp_path / "probe"
    shutil.copytree(base, probe)
    steps = count_events(migrate_once, str(probe), str(tmp_path / "probe-report"))
    rnd = random.Random(SEED + 3)
    server = Server(tmp_path / "writer.err")
    outcome: Counter[str] = Counter()
    try:
        for round_no in range(UPGRADE_ROUNDS):
            data, report = tmp_path / f"u{round_no}", tmp_path / f"u{round_no}.report"
            shutil.copytree(base, data)
            server.start("migrate", data, report, rnd.randint(1, steps))
            status = server.reap()
            if status == 0:
                outcome["not killed"] += 1
            else:
                server.killed(status, round_no)
            schema = dbfiles.committed(data)["meta"]["schema"]
            outcome[f"schema {schema} at the kill"] += 1
            assert schema in (2, 3)
            with Store.open(data) as store:  # upgrades (again) if need be
                assert store._storage.meta["schema"] == 3
                assert store.verify("en") == []
            assert legacy.compare(dbfiles.connect(data), expected) == []
            shutil.rmtree(data)
    finally:
        server.close()
    print("state at the kill:", dict(outcome))
    assert outcome["schema 2 at the kill"] >= 1 and outcome["schema 3 at the kill"] >= 1, \
        outcome


def test_the_writer_runs_as_a_plain_process_too(tmp_path):
    """The helper started with ``run`` (no fork server): killed once, checked."""
    data, report = tmp_path / "data", tmp_path / "report"
    proc = subprocess.Popen([sys.executable, str(WRITER), "run", str(data), str(report), "1", "0"],
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
            not report.exists() or report.read_text().count("\n") < 20):
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stderr.close()
    _check_round(data, report, verify=True)
