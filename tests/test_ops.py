"""Operations: backups (CLI and nightly job), restore, duban check, /health, the job log."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import logging
import os
import tarfile

import pytest

from bot.cli import main
from bot.domain.timeutil import TZ, SetTime
from data import legacy
from data.backup import (
    BackupError,
    backup_time,
    check_backup,
    list_backups,
    make_backup,
    read_backup,
)
from data.storage import DB_NAME
from data.store import Store
from tests import dbfiles

#: how long a test waits for a job that must run (a busy machine is slow, not wrong)
PATIENCE = 60.0

def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    from bot.cmd.run import load_sample

    d = tmp_path / "data"
    with Store.open(d) as store:
        load_sample(store, dt.date(2020, 6, 29))
    monkeypatch.setenv("DUBAN_DATA_DIR", str(d))
    return d


def _task(data_dir, number: str = "0484") -> str:
    with Store.open(data_dir, readonly=True) as store:
        return store.find_by_number(number)[0].task


def _set_task(store, text: str, number: str = "0484") -> None:
    case = store.find_by_number(number)[0]
    case.task = text
    store.save_case(case, "测试")


# ---------------------------------------------------------------- backups


def test_backup_while_the_store_is_open_holds_the_last_commit_only(data_dir):
    with Store.open(data_dir) as store:  # the bot holds the lock meanwhile
        _set_task(store, "已提交的修改")
        with store.transaction():
            _set_task(store, "尚未提交的修改")
            info = make_backup(data_dir, at(2020, 6, 29, 2, 0))
        n_cases = len(store.cases())
    manifest, database = read_backup(info.path)
    assert manifest["cases"] == n_cases == info.cases and manifest["txn"] == info.txn
    assert "已提交的修改".encode() in database and "尚未提交的修改".encode() not in database
    _, problems = check_backup(info.path, "en")
    assert problems == []


def test_backups_taken_while_a_writer_commits_are_each_one_committed_state(data_dir):
    """The online backup API beside a process that commits all the time: every backup
    verifies (cases and history agree), and later backups hold later transactions."""
    import subprocess
    import sys
    import textwrap
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    writer = textwrap.dedent("""
        import sys
        from data.store import Store
        with Store.open(sys.argv[1]) as store:
            print("ready", flush=True)
            i = 0
            while sys.stdin.readline().strip() == "go":   # 5 commits per line
                for _ in range(5):
                    i += 1
                    case = store.find_by_number("0484")[0]
                    case.task = f"第{i}次"
                    with store.transaction():
                        store.save_case(case, "写入")
                        store.table("log").insert({"i": i})
                print(i, flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", writer, str(data_dir)], cwd=root,
                            env=dict(os.environ, PYTHONPATH=str(root)), text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert proc.stdout.readline().strip() == "ready"
        txns = []
        for n in range(12):
            proc.stdin.write("go\n")  # the writer commits while the backup runs
            proc.stdin.flush()
            info = make_backup(data_dir, at(2020, 6, 29, 2, 0) + dt.timedelta(minutes=n),
                               keep=None)
            done = int(proc.stdout.readline())
            manifest, problems = check_backup(info.path, "en")
            assert problems == [], problems
            txns.append(manifest["txn"])
            assert done >= 5 * (n + 1)
        assert txns == sorted(txns) and txns[-1] > txns[0]
    finally:
        proc.communicate("", timeout=30)


def test_only_the_newest_fourteen_are_kept(data_dir):
    made = [make_backup(data_dir, at(2020, 6, 1, 2, 0) + dt.timedelta(days=i)).path
            for i in range(17)]
    kept = list_backups(data_dir)
    assert kept == made[-14:]
    assert [backup_time(p).day for p in kept] == list(range(4, 18))
    # two backups in the same second get distinct names
    again = make_backup(data_dir, at(2020, 6, 17, 2, 0), keep=None)
    assert again.path.name.endswith("-2.tar.gz") and again.path.exists()


def test_cli_backup_list_and_check(data_dir, capsys):
    assert main(["backup"]) == 0
    out = capsys.readouterr().out
    assert "已备份到" in out and "保留最近 14 份" in out
    assert main(["backup", "--list", "--lang", "en"]) == 0
    assert "Backups in" in capsys.readouterr().out
    assert main(["check"]) == 0
    assert "检查通过" in capsys.readouterr().out
    assert main(["check", "--backup", str(list_backups(data_dir)[0])]) == 0
    assert main(["backup", "--keep", "0"]) == 2


def test_check_finds_history_that_disagrees_with_the_data(data_dir, capsys):
    # a hand edit of the history: the created event of 0484 now says another task
    dbfiles.edit(data_dir, "UPDATE history SET event = json_set(event, '$.new.task', '篡改') "
                           "WHERE json_extract(event, '$.new.number') = '0484' "
                           "AND json_extract(event, '$.field') = 'created'")
    assert main(["check", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "problems found" in out and "disagrees with its history" in out
    assert "task" in out


def test_backup_of_an_empty_directory_and_bad_files(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DUBAN_DATA_DIR", str(tmp_path / "nothing"))
    assert main(["backup"]) == 3
    assert "没有可备份" in capsys.readouterr().err
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tarball")
    with pytest.raises(BackupError):
        read_backup(junk)
    assert main(["check", "--backup", str(junk)]) == 2


# ---------------------------------------------------------------- restore


def test_restore_after_confirmation_brings_back_data_and_history(data_dir, capsys, monkeypatch):
    with Store.open(data_dir) as store:
        _set_task(store, "备份时的任务")
    backup = make_backup(data_dir, at(2020, 6, 29, 2, 0)).path
    with Store.open(data_dir) as store:
        _set_task(store, "备份之后的修改")
        case_id = store.find_by_number("0484")[0].id
        history_after = len(store.history(case_id))

    # refused while the bot holds the directory
    with Store.open(data_dir):
        assert main(["restore", str(backup), "--yes"]) == 3
    assert "正被另一个 duban 进程" in capsys.readouterr().err

    # not confirmed: nothing changes
    monkeypatch.setattr("sys.stdin", io.StringIO("no\n"))
    assert main(["restore", str(backup)]) == 1
    assert "已取消" in capsys.readouterr().out
    assert _task(data_dir) == "备份之后的修改"

    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))
    assert main(["restore", str(backup)]) == 0
    out = capsys.readouterr().out
    assert "已恢复" in out and "pre-restore" in out
    with Store.open(data_dir) as store:
        case = store.find_by_number("0484")[0]
        assert case.task == "备份时的任务"
        assert len(store.history(case_id)) == history_after - 1
        assert store.verify() == []
        _set_task(store, "恢复之后还能写")  # the restored store takes commits
    # the state it replaced was kept and can itself be restored
    safety = [p for p in list_backups(data_dir) if "pre-restore" in p.name]
    assert len(safety) == 1
    assert main(["restore", str(safety[0]), "--yes"]) == 0
    assert _task(data_dir) == "备份之后的修改"


def test_a_damaged_backup_is_refused_before_anything_changes(data_dir, tmp_path, capsys):
    backup = make_backup(data_dir, at(2020, 6, 29, 2, 0)).path
    before = dbfiles.committed(data_dir)
    # same files, one byte of the database changed: the checksum does not match
    manifest, database = read_backup(backup)
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        for name, data in (("manifest.json", json.dumps(manifest).encode()),
                           (DB_NAME, database.replace("招商".encode(), "投资".encode(), 1))):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    assert main(["restore", str(bad), "--yes"]) == 2
    assert "校验和不符" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "missing.tar.gz"), "--yes"]) == 2
    assert dbfiles.committed(data_dir) == before


@pytest.mark.parametrize("step", ["checkpoint", "unlink", "replace"])
def test_a_restore_cut_short_leaves_the_old_state_or_the_new_never_a_mix(
        data_dir, monkeypatch, step):
    backup = make_backup(data_dir, at(2020, 6, 29, 2, 0)).path
    with Store.open(data_dir) as store:
        _set_task(store, "之后的修改")
    from data import backup as backup_mod

    def power_cut(*args, **kwargs):
        raise KeyboardInterrupt("power cut")  # nothing of the code after it runs

    with monkeypatch.context() as m, pytest.raises(KeyboardInterrupt):
        if step == "checkpoint":
            m.setattr(backup_mod, "connect", power_cut)
        elif step == "unlink":
            m.setattr(backup_mod, "fsync_dir", power_cut)
        else:
            m.setattr(backup_mod.os, "replace", power_cut)
        backup_mod.restore_backup(backup, data_dir, at(2020, 6, 29, 3, 0))
    with Store.open(data_dir) as store:  # the state before the restore, whole
        assert store.find_by_number("0484")[0].task == "之后的修改"
        assert store.verify() == []
    assert main(["restore", str(backup), "--yes"]) == 0
    with Store.open(data_dir) as store:
        assert store.find_by_number("0484")[0].task != "之后的修改"
        assert store.verify() == []


def test_a_backup_of_the_old_engine_is_checked_and_restored(tmp_path, monkeypatch, capsys):
    from pathlib import Path

    old_backup = Path(__file__).with_name("fixtures") / "legacy-v1-backup.tar.gz"
    expected = legacy.read_legacy(Path(__file__).with_name("fixtures") / "legacy-v1")
    manifest, problems = check_backup(old_backup, "en")
    assert problems == [] and manifest["cases"] == 25
    d = tmp_path / "fresh"
    monkeypatch.setenv("DUBAN_DATA_DIR", str(d))
    assert main(["restore", str(old_backup), "--yes"]) == 0
    assert legacy.compare(dbfiles.connect(d), expected) == []


def test_backup_before_the_first_start_of_an_old_directory(tmp_path, monkeypatch):
    import shutil
    from pathlib import Path

    fixture = Path(__file__).with_name("fixtures") / "legacy-v1"
    d = tmp_path / "old"
    shutil.copytree(fixture, d)
    info = make_backup(d, at(2020, 6, 29, 2, 0))
    assert info.cases == 25 and check_backup(info.path, "en")[1] == []
    assert not (d / DB_NAME).exists() and legacy.present(d)  # nothing migrated by it
    assert {p.name: p.read_bytes() for p in fixture.iterdir()} == {
        p.name: p.read_bytes() for p in d.iterdir() if p.is_file()}


# ---------------------------------------------------------------- the nightly job


class _App:
    """What jobs.backup.tick reads of the application."""

    def __init__(self, data_dir, time) -> None:
        from bot.config import Config

        self.bot_data = {"config": Config(data_dir=data_dir), "time": time}


async def test_nightly_backup_once_a_day_after_two_and_caught_up_after_downtime(data_dir):
    from jobs import backup as job

    time = SetTime(at(2020, 6, 29, 1, 59), frozen=True)
    app = _App(data_dir, time)
    assert await job.tick(app) is None  # not yet
    time.set(at(2020, 6, 29, 2, 0))
    first = await job.tick(app)
    assert first is not None and first.name.startswith("duban-20200629-0200")
    assert await job.tick(app) is None  # once a day, restarts included (state is the folder)
    time.set(at(2020, 7, 1, 15, 30))  # down over the night of June 30: made at the first tick
    assert (await job.tick(app)).name.startswith("duban-20200701-1530")
    assert len(list_backups(data_dir)) == 2
    assert app.bot_data[job.LAST_BACKUP].name.startswith("duban-20200701")


async def test_a_failed_nightly_backup_is_shown_and_retried(data_dir, monkeypatch):
    from jobs import backup as job

    app = _App(data_dir, SetTime(at(2020, 6, 29, 3, 0), frozen=True))

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(job, "make_backup", full)
    assert await job.tick(app) is None
    assert "No space left" in app.bot_data[job.LAST_ERROR]
    monkeypatch.undo()
    assert await job.tick(app) is not None
    assert job.LAST_ERROR not in app.bot_data


async def test_jobs_run_in_the_bot_and_each_run_logs_a_json_line(tmp_path, monkeypatch, caplog):
    import jobs.backup as job
    import jobs.reminders as jr
    from tests.conftest import start_bot

    monkeypatch.setattr(job, "FIRST_TICK", 0.05)
    monkeypatch.setattr(jr, "FIRST_TICK", 0.05)
    caplog.set_level(logging.INFO, logger="duban.jobs")
    time = SetTime(at(2020, 6, 27, 3, 0))  # a Saturday night: no reminders, a backup
    env, stop = await start_bot(tmp_path / "data", time, jobs=True)
    try:
        deadline = asyncio.get_running_loop().time() + PATIENCE
        while asyncio.get_running_loop().time() < deadline:
            names = {json.loads(r.getMessage())["name"] for r in caplog.records
                     if r.name == "duban.jobs"}
            if {job.JOB_NAME, jr.JOB_NAME} <= names and list_backups(env.store.data_dir):
                break
            await asyncio.sleep(0.05)
        assert {job.JOB_NAME, jr.JOB_NAME} <= names
        assert len(list_backups(env.store.data_dir)) == 1
        line = json.loads(next(r.getMessage() for r in caplog.records if r.name == "duban.jobs"))
        assert line["event"] == "job" and line["ok"] is True and line["ms"] >= 0
    finally:
        await stop()


# ---------------------------------------------------------------- /health


async def test_health_for_the_office_only(bot_env):
    office = bot_env.user("周敏")
    text = (await office.ask("/health"))[-1].text
    assert "运行状态" in text and "已运行" in text
    assert "最近一次提醒:尚未运行" in text
    assert "无法送达的人员:1 人" in text and "马骏(未关联Telegram)" in text
    assert "数据库:" in text and "磁盘剩余" in text and "最近备份:无" in text
    make_backup(bot_env.store.data_dir, bot_env.time.now())
    person = bot_env.store.people_named("李四")[0]
    person.reachable = False
    bot_env.store.save_person(person, "测试")
    text = (await office.ask("/health"))[-1].text
    assert "最近备份:duban-20200629" in text and "李四(已屏蔽机器人)" in text
    zhang = bot_env.user("张三")
    assert "仅供办公室" in (await zhang.ask("/health"))[-1].text
    stranger = bot_env.user(424242)
    assert "运行状态" not in (await stranger.ask("/health"))[-1].text


async def test_health_shows_the_last_reminder_run(tmp_path, monkeypatch):
    import jobs.reminders as jr
    from tests.conftest import start_bot

    monkeypatch.setattr(jr, "FIRST_TICK", 0.05)
    monkeypatch.setattr(jr, "TICK_SECONDS", 0.1)
    time = SetTime(at(2020, 6, 29, 8, 59), frozen=True)
    env, stop = await start_bot(tmp_path / "data", time, jobs=True, as_of=dt.date(2020, 6, 28))
    try:
        for p in env.store.people():
            if p.telegram:  # every linked person has started the bot
                env.sim.user(p.telegram, first_name=p.name)
        office = env.user("周敏")
        time.set(at(2020, 6, 29, 9, 0))
        deadline = asyncio.get_running_loop().time() + PATIENCE
        while asyncio.get_running_loop().time() < deadline:
            run = env.store.table(jr.RUNS).get(doc_id=1)
            if run is not None and run["status"] == "done":
                break
            await asyncio.sleep(0.05)
        text = (await office.ask("/health"))[-1].text
        assert "最近一次提醒:2020-06-29 已完成" in text
        assert "已发 4" in text and "无法送达 1" in text
    finally:
        await stop()
