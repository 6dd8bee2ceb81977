"""Files private: the data directory 0700; database, log, history, lock, backups and exports
0600 — whatever the umask the bot was started with (data/perms.py, the real kernel)."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest

from bot.domain.model import Person
from bot.domain.timeutil import TZ


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def loose_umask():
    old = os.umask(0o022)  # what most shells start with
    yield
    os.umask(old)


def _all(root: Path) -> list[Path]:
    return [root, *root.rglob("*")]


def test_a_new_data_directory_and_everything_in_it_are_private(tmp_path, loose_umask):
    from data.backup import make_backup
    from data.store import Store

    data = tmp_path / "srv" / "duban"
    with Store.open(data, wal=True) as store:
        store.add_person(Person(name="周敏", position="office"), "test")
        store.set_setting("x", 1, "test")
        make_backup(data, dt.datetime(2020, 6, 29, 2, 0, tzinfo=TZ))
    paths = _all(data)
    assert {p.name for p in paths} >= {"duban", "duban.sqlite3", "backups"}
    for p in paths:
        if p.is_symlink():
            continue
        assert mode(p) == (0o700 if p.is_dir() else 0o600), (p, oct(mode(p)))


def test_files_left_world_readable_are_made_private_at_open(tmp_path, loose_umask):
    from data.store import Store

    data = tmp_path / "var"
    with Store.open(data) as store:
        store.add_person(Person(name="周敏", position="office"), "test")
    for p in _all(data):
        os.chmod(p, 0o755 if p.is_dir() else 0o644)  # as an older version left them
    from data.perms import not_private

    assert len(not_private(data)) == len(_all(data))
    with Store.open(data, readonly=True):
        pass  # a reader changes nothing (and may not own the files)
    assert not_private(data)
    with Store.open(data):
        pass
    assert not_private(data) == []
    assert mode(data) == 0o700 and mode(data / "duban.sqlite3") == 0o600


def test_duban_check_warns_when_files_are_not_private(tmp_path, monkeypatch, capsys,
                                                       loose_umask):
    from bot.cli import main
    from data.store import Store

    data = tmp_path / "var"
    monkeypatch.setenv("DUBAN_DATA_DIR", str(data))
    with Store.open(data) as store:
        store.add_person(Person(name="周敏", position="office"), "test")
    assert main(["check"]) == 0
    assert "⚠️" not in capsys.readouterr().err
    os.chmod(data, 0o755)
    os.chmod(data / "duban.sqlite3", 0o644)
    assert main(["check"]) == 0  # consistent, but warned
    err = capsys.readouterr().err
    # the directory, the database and its -wal (SQLite makes it with the database's mode)
    assert "有3项其他用户可读写" in err and "chmod -R go=" in err
    assert f"{data / 'duban.sqlite3'}:权限0644,应为0600" in err
    assert f"{data}:权限0755,应为0700" in err


def test_an_export_is_private_even_over_an_old_file(tmp_path, monkeypatch, capsys, loose_umask):
    from bot.cli import main
    from bot.cmd.run import load_sample
    from data.store import Store

    data = tmp_path / "var"
    monkeypatch.setenv("DUBAN_DATA_DIR", str(data))
    with Store.open(data) as store:
        load_sample(store, dt.date(2020, 6, 28))
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"old")
    os.chmod(out, 0o644)
    assert main(["export", "--year", "2020", str(out)]) == 0
    assert mode(out) == 0o600 and out.stat().st_size > 1000
