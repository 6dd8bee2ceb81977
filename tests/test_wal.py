"""The write-ahead log (``Store.open(..., wal=True)``): commits as appended records, the
database rewritten at checkpoints; replayed at every opening; SIGKILL at random moments."""

from __future__ import annotations

import errno
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

import data.store as store_mod
from bot.domain.model import Case
from data.backup import make_backup, read_backup, verify_files
from data.errors import StoreWriteError
from data.journal import JOURNAL_NAME
from data.storage import DB_NAME
from data.store import Store
from data.wal import WAL_NAME, decode

ROOT = Path(__file__).resolve().parent.parent


def make(number: str = "0484", task: str = "") -> Case:
    return Case(kind="suggestion", number=number, year=2020, title=f"关于第{number}号的建议",
                role="lead", task=task)


def set_task(store: Store, case_id: int, task: str) -> None:
    case = store.get_case(case_id)
    case.task = task
    store.save_case(case, "张三")


@pytest.fixture
def d(tmp_path):
    return tmp_path / "data"


def test_commits_go_to_the_log_and_survive_without_a_checkpoint(d, time_source):
    s = Store.open(d, time=time_source, wal=True)
    case = s.add_case(make(), "张三")
    db_before = (d / DB_NAME).read_bytes()
    for i in range(5):
        set_task(s, case.id, f"第{i}稿")
    s.table("log").insert({"n": 1})
    assert (d / DB_NAME).read_bytes() == db_before  # no rewrite per commit
    records = list(decode((d / WAL_NAME).read_bytes()))
    assert [r.txn for r in records] == list(range(records[0].txn, records[0].txn + 7))
    # a reader beside the writer sees every commit
    with Store.open(d, readonly=True) as reader:
        assert reader.get_case(case.id).task == "第4稿"
        assert [ev.new for ev in reader.history(case.id)][-1] == "第4稿"
        assert reader.table("log").all() == [{"n": 1}] and reader.verify() == []
    # the writer dies without closing: the next opening replays the log
    s._lock.release()
    s2 = Store.open(d, time=time_source)
    assert s2.get_case(case.id).task == "第4稿" and len(s2.history(case.id)) == 6
    assert s2.verify() == [] and (d / WAL_NAME).stat().st_size == 0  # checkpointed
    s2.close()


def test_checkpoint_when_the_log_is_big_and_at_close(d, time_source, monkeypatch):
    monkeypatch.setattr(store_mod, "CHECKPOINT_MIN", 2000)
    s = Store.open(d, time=time_source, wal=True)
    case = s.add_case(make(), "张三")
    sizes = []
    for i in range(40):
        set_task(s, case.id, f"第{i}稿" * 5)
        sizes.append((d / WAL_NAME).stat().st_size)
    assert 0 in sizes[1:], "the log was never checkpointed"
    assert max(sizes) < 2000 + 600
    set_task(s, case.id, "最后一稿")
    s.close()
    assert (d / WAL_NAME).stat().st_size == 0
    assert "最后一稿".encode() in (d / DB_NAME).read_bytes()
    with Store.open(d, readonly=True) as again:
        assert again.get_case(case.id).task == "最后一稿" and again.verify() == []


def test_torn_and_damaged_records_are_not_committed(d, time_source):
    s = Store.open(d, time=time_source, wal=True)
    case = s.add_case(make(), "张三")
    set_task(s, case.id, "已提交")
    s._lock.release()
    raw = (d / WAL_NAME).read_bytes()
    last = list(decode(raw))[-1]
    # a record cut in the middle, as a crash inside the append leaves it
    line = raw[:last.end] + raw[:last.end].split(b"\n")[-2][:40]
    (d / WAL_NAME).write_bytes(line)
    with Store.open(d, time=time_source) as again:
        assert again.get_case(case.id).task == "已提交" and again.verify() == []
    # a flipped byte in a record: it and what follows are ignored
    s = Store.open(d, time=time_source, wal=True)
    set_task(s, case.id, "第二次")
    set_task(s, case.id, "第三次")
    s._lock.release()
    raw = bytearray((d / WAL_NAME).read_bytes())
    first_end = list(decode(bytes(raw)))[0].end
    raw[first_end - 20] ^= 0x01
    (d / WAL_NAME).write_bytes(bytes(raw))
    with Store.open(d, time=time_source) as again:
        assert again.get_case(case.id).task == "已提交"
        assert again.verify() == []  # the history was cut back to match


def test_records_older_than_the_database_are_skipped(d, time_source):
    """A crash after a checkpoint but before the log was emptied."""
    s = Store.open(d, time=time_source, wal=True)
    case = s.add_case(make(), "张三")
    set_task(s, case.id, "旧")
    old_log = (d / WAL_NAME).read_bytes()
    set_task(s, case.id, "新")
    s.close()  # checkpoint: the database holds 新
    (d / WAL_NAME).write_bytes(old_log)
    with Store.open(d, time=time_source) as again:
        assert again.get_case(case.id).task == "新" and again.verify() == []


def test_a_failed_append_is_reported_and_changes_nothing(d, time_source, monkeypatch):
    s = Store.open(d, time=time_source, wal=True)
    case = s.add_case(make(), "张三")
    before = [(d / n).read_bytes() for n in (DB_NAME, JOURNAL_NAME, WAL_NAME)]

    from data.wal import WriteAheadLog

    real_append = WriteAheadLog.append

    def full(self, line):  # half the record reaches the disk, then the disk is full
        real_append(self, line[: len(line) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(WriteAheadLog, "append", full)
    with pytest.raises(StoreWriteError) as err:
        set_task(s, case.id, "写不进去")
    assert WAL_NAME in str(err.value)
    monkeypatch.undo()
    assert s.get_case(case.id).task == "" and len(s.history(case.id)) == 1
    set_task(s, case.id, "再试一次")
    s._lock.release()
    after = [(d / n).read_bytes() for n in (DB_NAME, JOURNAL_NAME)]
    assert after[0] == before[0]
    with Store.open(d, time=time_source) as again:
        assert again.get_case(case.id).task == "再试一次" and again.verify() == []
        assert [ev.new for ev in again.history(case.id)][1:] == ["再试一次"]


def test_a_backup_holds_the_commits_still_in_the_log(d, time_source):
    import datetime as dt

    s = Store.open(d, time=time_source, wal=True)
    case = s.add_case(make(), "张三")
    set_task(s, case.id, "只在日志里")
    info = make_backup(d, dt.datetime(2020, 6, 29, 2, 0))
    s.close()
    manifest, database, journal = read_backup(info.path)
    assert "只在日志里".encode() in database and manifest["txn"] == info.txn
    assert verify_files(database, journal) == []


# ---------------------------------------------------------------- SIGKILL


SERVER = """
import sys
sys.path.insert(0, {root!r})
import data.store as s
s.CHECKPOINT_MIN = 3_000  # a checkpoint every few commits: kills land in them too
_open = s.Store.open
s.Store.open = lambda data_dir=None, readonly=False, **kw: _open(data_dir, readonly, **kw,
                                                                  wal=not readonly)
import tests.crash_writer as w
w.serve()
"""


@pytest.mark.slow
def test_sigkill_at_named_points_in_wal_mode_loses_nothing_committed(tmp_path):
    """The writer kills itself before a random I/O step of each round (seeded: the same
    points on any machine), in commits, checkpoints and the log's replay."""
    from tests.test_crash import _check_round, kill_rounds

    data, report = tmp_path / "data", tmp_path / "report"
    errors = tmp_path / "writer.err"
    rnd = random.Random(7)
    with open(errors, "w") as err:
        server = subprocess.Popen([sys.executable, "-c", SERVER.format(root=str(ROOT))],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                                  text=True, cwd=str(ROOT))
    logged = 0

    def check(round_no: int) -> None:
        nonlocal logged
        wal = data / WAL_NAME
        logged += wal.exists() and wal.stat().st_size > 0  # commits left in the log
        # the check opens the directory without the log mode: it replays the log
        _check_round(data, report, verify=round_no % 10 == 9)

    try:
        reported = kill_rounds(server, data, report, errors, 200, rnd, check, max_step=50)
    finally:
        server.stdin.write("quit\n")
        server.stdin.close()
        server.wait(timeout=30)
    assert reported > 200
    assert logged > 50, f"only {logged} kills left commits in the log to replay"
    print(f"200 kills in log mode, {logged} left commits in the log, {reported} report lines")
