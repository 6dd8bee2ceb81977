"""A save that cannot be written, end to end, with faults the kernel really raises.

The store's own tests fail its writes by monkeypatching; here the bot runs against the
simulator and the operating system refuses the write:

* ``EFBIG``: a file-size limit (``RLIMIT_FSIZE``) below the files' size: works anywhere;
* ``ENOSPC``: the data directory on a small tmpfs, filled up;
* ``EROFS``: the data directory bind-mounted read-only while the bot runs.

The last two need to mount (root in a container): they are skipped where that is not
allowed. In every case the user is told the change was not saved, the database on disk holds
exactly the previous committed state (read through a separate read-only connection), memory
agrees with it, and the bot goes on answering; once the fault is gone, the same change goes
through.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
from pathlib import Path

import pytest

from data.storage import DB_NAME
from data.store import Store
from tests import dbfiles
from tests.conftest import start_bot

pytestmark = pytest.mark.e2e

SAVE_FAILED = "保存失败"


def _files(data_dir: Path) -> dict:
    """The committed state on disk: documents, history, meta."""
    return dbfiles.committed(data_dir)


def _on_disk(data_dir: Path) -> Store:
    """The committed state, read beside the running bot."""
    return Store.open(data_dir, readonly=True)


@contextlib.contextmanager
def file_size_limit(limit: int):
    """Writes past ``limit`` bytes fail with EFBIG (SIGXFSZ ignored) in this process."""
    old_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, old_limit[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old_limit)
        signal.signal(signal.SIGXFSZ, old_handler)


def _mount(*args: str) -> bool:
    try:
        return subprocess.run(["mount", *args], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=10)


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB tmpfs (the sample bureau takes ~250 KB of it), or skip where mounting is not
    allowed."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)):
        pytest.skip("cannot mount a tmpfs here (needs root/CAP_SYS_ADMIN)")
    try:
        yield mnt
    finally:
        _umount(mnt)


async def test_file_too_large_lang_change_is_refused_and_nothing_changes(tmp_path, time_source):
    data = tmp_path / "data"
    env, stop = await start_bot(data, time_source)
    try:
        zhang = env.user("张三")
        assert "0484" in (await zhang.ask("/case 0484"))[-1].text
        before = _files(data)
        person_before = env.store.people_named("张三")[0]
        # the log folded into the database and emptied: the next commit must write it
        # from its first byte, and every write beyond one page is refused
        env.store.checkpoint()
        assert (data / (DB_NAME + "-wal")).stat().st_size == 0
        with file_size_limit(4096):
            reply = await zhang.ask("/lang en")
            assert SAVE_FAILED in reply[-1].text and "没有保存" in reply[-1].text
            # the bot still answers (in Chinese: the language was not changed)
            assert "招商引资" in (await zhang.ask("/case 0484"))[-1].text
        assert _files(data) == before
        assert env.store.people_named("张三")[0] == person_before
        with _on_disk(data) as disk:
            assert disk.people_named("张三")[0].language == "zh" and disk.verify() == []
        # the fault is gone: the same change is saved
        reply = await zhang.ask("/lang en")
        assert "switched to English" in reply[-1].text
        with _on_disk(data) as disk:
            assert disk.people_named("张三")[0].language == "en"
    finally:
        await stop()


async def test_full_disk_refuses_one_save_and_keeps_every_earlier_one(small_disk, time_source):
    data = small_disk / "data"
    env, stop = await start_bot(data, time_source)
    filler = small_disk / "filler"
    try:
        # room for a few commits: join requests grow SQLite's log until it no longer fits
        stat = os.statvfs(small_disk)
        room = 64 * 1024
        with open(filler, "wb") as f:
            f.write(b"\0" * max(0, stat.f_bavail * stat.f_frsize - room))
        saved: list[int] = []
        refused = None
        for uid in range(700_001, 700_200):
            stranger = env.user(uid, first_name=f"申请人{uid}" * 4)
            reply = await stranger.ask("/start")
            if any(SAVE_FAILED in m.text for m in reply):
                refused = uid
                break
            saved.append(uid)
        assert refused is not None, "the disk never filled up"
        assert saved, "not even one request fitted"
        before = _files(data)
        with _on_disk(data) as disk:
            on_disk = {d["telegram"] for d in disk.table("join_requests").all()}
            assert disk.verify() == []
        in_memory = {d["telegram"] for d in env.store.table("join_requests").all()}
        assert on_disk == in_memory == set(saved)
        # still answering while the disk is full; reading needs no space
        assert "0484" in (await env.user("张三").ask("/case 0484"))[-1].text
        assert _files(data) == before
        filler.unlink()
        reply = await env.user(refused).ask("/start")
        assert not any(SAVE_FAILED in m.text for m in reply), [m.text for m in reply]
        with _on_disk(data) as disk:
            assert refused in {d["telegram"] for d in disk.table("join_requests").all()}
    finally:
        await stop()


async def test_read_only_data_directory_while_running(small_disk, time_source):
    """The directory mounted read-only over itself while the bot runs. The bot's database
    is open already (SQLite writes through its open files, it opens none per commit), so
    its saves still reach the disk under the mount; what the read-only view refuses is a
    new writer, with a clear message, while readers still read."""
    from data.store import StoreOpenError

    data = small_disk / "data"
    env, stop = await start_bot(data, time_source)
    ro = False
    try:
        zhang = env.user("张三")
        if not (_mount("--bind", str(data), str(data))
                and _mount("-o", "remount,bind,ro", str(data))):
            pytest.skip("cannot bind-mount read-only here")
        ro = True
        assert "switched to English" in (await zhang.ask("/lang en"))[-1].text
        with pytest.raises(StoreOpenError) as err:
            Store.open(data)
        assert str(data) in str(err.value) and "read-only" in err.value.render("en").lower()
        assert env.store.people_named("张三")[0].language == "en"
        _umount(data)
        ro = False
        with _on_disk(data) as disk:  # the save is on the disk, whole
            assert disk.people_named("张三")[0].language == "en" and disk.verify() == []
    finally:
        if ro:
            _umount(data)
        await stop()
