"""Moving over: a data directory written by the old JSON engine (duban.json + history.jsonl
+ duban.wal, left as `duban run` leaves them after a SIGKILL: commits still in the log, a
torn commit at the end of both logs) is migrated once into SQLite at the first writable
open, verified, and the old files are set aside untouched.

``tests/fixtures/legacy-v1`` was written by the old engine itself (commit 1f07dd3, with
``tests/fixtures/make_legacy_v1.py``) and ``legacy-v1-expected.json`` is what that engine
read from it (``dump_legacy_v1.py``): every case, person, setting, table document and
history event must come out of the new store exactly so.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from data import legacy
from data.storage import DB_NAME
from data.store import Store, StoreCorrupt
from tests import dbfiles

FIXTURES = Path(__file__).with_name("fixtures")
FIXTURE = FIXTURES / "legacy-v1"


@pytest.fixture
def old_dir(tmp_path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(FIXTURE, d)
    return d


def _files(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in d.iterdir() if p.is_file() and p.name != "duban.lock"}


def _expected() -> dict:
    """What the old engine read from the fixture, with the fields today's model added since
    at their defaults (the stored values themselves are read as they are)."""
    import dataclasses

    from bot.domain.model import Case, HistoryEvent, Person

    def defaults(cls) -> dict:
        return {f.name: f.default if f.default is not dataclasses.MISSING else f.default_factory()
                for f in dataclasses.fields(cls)
                if f.default is not dataclasses.MISSING
                or f.default_factory is not dataclasses.MISSING}

    expected = orjson.loads((FIXTURES / "legacy-v1-expected.json").read_bytes())
    expected["cases"] = [{**defaults(Case), **c} for c in expected["cases"]]
    expected["people"] = [{**defaults(Person), **p} for p in expected["people"]]
    expected["history"] = {k: [{**defaults(HistoryEvent), **e} for e in v]
                           for k, v in expected["history"].items()}
    return expected


def _as_old_engine_read_it(store: Store) -> dict:
    names = sorted(n for n in store._storage.read() if n not in ("cases", "people", "settings"))
    settings = [doc["name"] for doc in store._storage.table_docs("settings").values()]
    return {
        "cases": [c.to_dict() for c in store.cases()],
        "people": [p.to_dict() for p in store.people()],
        "settings": {n: store.get_setting(n) for n in settings},
        "tables": {n: {str(d.doc_id): dict(d) for d in store.table(n).all()} for n in names},
        "history": {str(c.id): [e.__dict__ for e in store.history(c.id)] for c in store.cases()},
        "person_history": {str(p.id): store.person_history(p.id) for p in store.people()},
        "setting_history": {n: store.setting_history(n) for n in settings},
        "txn": store._storage.meta["txn"],
    }


def test_an_old_directory_is_migrated_once_verified_and_set_aside(old_dir):
    expected = _expected()
    old = _files(old_dir)
    assert {"duban.json", "history.jsonl", "duban.wal"} <= set(old)
    with Store.open(old_dir) as store:
        assert _as_old_engine_read_it(store) == expected
        assert store.verify("en") == []
        # the torn commit at the end of both logs was never acknowledged: not migrated
        assert store._storage.meta["txn"] == expected["txn"] == 49
        case = store.get_case(1)
        case.task = "迁移之后的修改"
        store.save_case(case, "张三", expected_version=case.version)
    (aside,) = old_dir.glob(legacy.ASIDE_PREFIX + "*")
    assert _files(aside) == old  # every old file, byte for byte
    assert not legacy.present(old_dir) and (old_dir / DB_NAME).exists()
    # a second start does not migrate again: the change made after the migration stays
    with Store.open(old_dir) as store:
        assert store.get_case(1).task == "迁移之后的修改"
        # the change, and the handler linked by identity on that first save
        added = store.history(1)[len(expected["history"]["1"]):]
        assert {e.field for e in added} <= {"task", "handler_id"} and added[-1].field in (
            "task", "handler_id") and any(e.field == "task" for e in added)
    assert list(old_dir.glob(legacy.ASIDE_PREFIX + "*")) == [aside]


def test_every_row_of_the_new_database_equals_the_old_files(old_dir):
    state = legacy.read_legacy(old_dir)
    raw = (FIXTURE / "history.jsonl").read_bytes()
    assert not raw.endswith(b"\n")  # the torn line of a commit cut short, not committed
    assert len(state.events) == raw.count(b"\n") == 55
    Store.open(old_dir).close()
    assert legacy.compare(dbfiles.connect(old_dir), state) == []
    on_disk = dbfiles.committed(old_dir)
    assert on_disk["meta"]["migrated_from"] == "duban.json"
    assert len(on_disk["history"]) == len(state.events)


def test_a_read_only_open_of_an_old_directory_reads_it_and_changes_nothing(old_dir):
    expected = _expected()
    before = _files(old_dir)
    with Store.open(old_dir, readonly=True) as ro:
        assert _as_old_engine_read_it(ro) == expected and ro.verify() == []
    assert _files(old_dir) == before and not (old_dir / DB_NAME).exists()


def test_a_damaged_byte_in_the_middle_of_the_old_log_is_refused_not_cut(old_dir):
    wal = old_dir / legacy.LEGACY_WAL
    raw = bytearray(wal.read_bytes())
    first_end = raw.index(b"\n")
    raw[first_end // 2] ^= 0x01  # inside the first record; good records follow
    wal.write_bytes(bytes(raw))
    before = _files(old_dir)
    with pytest.raises(StoreCorrupt) as err:
        Store.open(old_dir)
    text = err.value.render("en")
    assert "damaged at byte 0" in text and "bytes of commits follow" in text
    assert _files(old_dir) == before and not (old_dir / DB_NAME).exists()  # evidence kept
    assert not (old_dir / legacy.SCRATCH).exists()


def test_old_history_shorter_than_committed_is_refused(old_dir):
    journal = old_dir / legacy.LEGACY_JOURNAL
    journal.write_bytes(journal.read_bytes()[:1000])
    with pytest.raises(StoreCorrupt) as err:
        Store.open(old_dir)
    assert "history shorter than committed" in err.value.render("en")
    assert not (old_dir / DB_NAME).exists()


def test_a_migration_cut_short_after_the_rename_is_finished_at_the_next_open(old_dir):
    old = _files(old_dir)
    real = legacy.set_aside
    calls = []

    def power_cut(data_dir, aside):
        calls.append(aside)
        raise KeyboardInterrupt("power cut after the rename")

    legacy.set_aside = power_cut
    try:
        with pytest.raises(KeyboardInterrupt):
            Store.open(old_dir)
    finally:
        legacy.set_aside = real
    assert (old_dir / DB_NAME).exists() and legacy.present(old_dir)
    with Store.open(old_dir) as store:  # the database is the data; the old files go aside
        assert store.verify() == [] and len(store.cases()) == 25
    assert [p.name for p in old_dir.glob(legacy.ASIDE_PREFIX + "*")] == calls
    assert _files(old_dir / calls[0]) == old
