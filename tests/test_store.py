"""The Store API: cases with history, people, settings, tables, transactions, read-only
opening, the lock, schema versions, failed writes (disk full) and ``verify()``."""

from __future__ import annotations

import datetime as dt
import errno
import os
import sqlite3

import orjson
import pytest
from tinydb import Query

from bot.domain.model import Case, Clock, Consultation, Notice, Person, Review, ValidationError
from bot.domain.timeutil import TZ, SetTime
from bot.sample import sample_cases, sample_people
from data import storage as storage_mod
from data.storage import DB_NAME
from data.store import (
    DuplicateCase,
    DuplicatePerson,
    StaleCase,
    Store,
    StoreCorrupt,
    StoreError,
    StoreLocked,
    StoreReadOnly,
    StoreSchemaError,
    StoreWriteError,
    TransactionAborted,
    UnknownRecord,
    _load_case,
)
from tests import dbfiles

NOW = dt.datetime(2020, 6, 29, 9, 0, tzinfo=TZ)


def make(number="0484", **kw) -> Case:
    base = dict(kind="suggestion", number=number, year=2020, title="关于招商引资工作的建议",
                role="lead", session="省十三届人大三次会议", proposers=["张代表"])
    base.update(kw)
    return Case(**base)


@pytest.fixture
def clock() -> SetTime:
    return SetTime(NOW, frozen=True)


@pytest.fixture
def db(tmp_path, clock):
    s = Store.open(tmp_path / "d", time=clock)
    yield s
    s.close()


def disk_bytes(store: Store) -> dict:
    """The committed state on disk (documents, history, meta), read from outside."""
    return dbfiles.committed(store.data_dir)


# ---------------------------------------------------------------- cases and history


def test_add_case_assigns_id_version_and_created_event(db, clock):
    case = db.add_case(make(), "张三", note="导入")
    assert case.id == 1 and case.version == 1
    assert case.created_at == case.updated_at == "2020-06-29T09:00:00+08:00"
    second = db.add_case(make("0485"), "张三")
    assert second.id == 2
    (ev,) = db.history(1)
    assert (ev.case_id, ev.who, ev.field, ev.old, ev.note) == (1, "张三", "created", None, "导入")
    assert ev.new["number"] == "0484" and "version" not in ev.new


def test_save_case_writes_one_event_per_changed_field_and_bumps_version(db, clock):
    case = db.add_case(make(), "张三")
    clock.advance(dt.timedelta(hours=1))
    edit = db.get_case(case.id)
    edit.stage = "assigned"
    edit.handler = "李四"
    edit.set_deadline("2020-07-10")
    saved = db.save_case(edit, "王五", note="交办", expected_version=1)
    assert saved.version == 2 and saved.updated_at == "2020-06-29T10:00:00+08:00"
    assert saved.created_at == case.created_at
    events = db.history(case.id)
    assert [e.field for e in events] == ["created", "handler", "stage", "clocks.reply"]
    stage = events[2]
    assert ((stage.who, stage.old, stage.new, stage.note)
            == ("王五", "registered", "assigned", "交办"))
    assert events[3].old is None and events[3].new["due"] == "2020-07-10"
    assert db.history(case.id, limit=2) == events[-2:]
    assert db.get_case(case.id).deadline == "2020-07-10"


def test_save_without_change_writes_nothing(db):
    case = db.add_case(make(), "张三")
    before = disk_bytes(db)
    again = db.save_case(db.get_case(case.id), "张三")
    assert again.version == 1
    assert disk_bytes(db) == before and len(db.history(case.id)) == 1


def test_stale_save_is_refused(db):
    case = db.add_case(make(), "张三")
    mine, theirs = db.get_case(case.id), db.get_case(case.id)
    theirs.task = "调研"
    db.save_case(theirs, "李四", expected_version=1)
    mine.task = "另一个任务"
    with pytest.raises(StaleCase) as err:
        db.save_case(mine, "张三", expected_version=1)
    assert (err.value.expected, err.value.actual) == (1, 2)
    assert "第 2 版" in str(err.value) and "version 2" in err.value.render("en")
    assert db.get_case(case.id).task == "调研"


def test_duplicate_key_is_refused_with_the_existing_case(db):
    first = db.add_case(make(), "张三")
    with pytest.raises(DuplicateCase) as err:
        db.add_case(make(title="另一个标题"), "张三")
    assert err.value.existing.id == first.id and err.value.existing.title == first.title
    assert "0484" in err.value.render("en")
    # same number in another session is another case
    db.add_case(make(session="省十三届人大二次会议"), "张三")
    # changing a case's key onto another case's is refused too
    other = db.add_case(make("0485"), "张三")
    other.number = "0484"
    with pytest.raises(DuplicateCase):
        db.save_case(other, "张三")
    assert len(db.cases()) == 3


def test_bad_values_are_rejected_and_nothing_is_written(db):
    with pytest.raises(ValidationError):
        db.add_case(make(number="04 84"), "张三")
    case = db.add_case(make(), "张三")
    before = disk_bytes(db)
    bad = db.get_case(case.id)
    bad.stage = "done"
    with pytest.raises(ValidationError) as err:
        db.save_case(bad, "张三")
    assert err.value.key == "err.bad_choice"
    bad = db.get_case(case.id)
    bad.title = "x" * 500
    with pytest.raises(ValidationError):
        db.save_case(bad, "张三")
    bad = db.get_case(case.id)
    bad.clocks["reply"] = Clock(due="2020-06-30")
    bad.clocks["reply"].due = "June 30"
    with pytest.raises(ValidationError):
        db.save_case(bad, "张三")
    with pytest.raises(TypeError):
        db.add_case({"number": "0001"}, "张三")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        db.add_case(make("0002"), "")
    ghost = make("0003")
    ghost.id = 99
    with pytest.raises(UnknownRecord):
        db.save_case(ghost, "张三")
    assert disk_bytes(db) == before
    assert db.get_case(case.id).stage == "registered" and len(db.cases()) == 1


def test_cases_are_shared_but_get_case_is_a_copy(db):
    db.add_case(make(), "张三")
    db.add_case(make("0091", year=2019), "张三")
    assert [c.number for c in db.cases(2020)] == ["0484"]
    assert db.cases()[0] is db.cases()[0]
    copy = db.get_case(1)
    copy.title = "改过的标题"
    assert db.cases()[0].title == "关于招商引资工作的建议"
    assert db.get_case(42) is None


def test_saving_a_mutated_shared_object_still_records_the_change(db):
    db.add_case(make(), "张三")
    shared = db.cases()[0]
    shared.task = "不该这样改,但也要记下来"
    db.save_case(shared, "张三")
    assert db.history(1)[-1].new == "不该这样改,但也要记下来"
    assert db.cases()[0] is not shared and db.cases()[0].version == 2


def test_a_kept_object_shares_nothing_mutable_with_its_document(db):
    """Saving a mutated shared object records even a change inside its lists: the kept
    object (built from the stored form) holds no list or dict of the document itself."""
    db.add_case(make(), "张三")
    link = {"type": "reply", "url": "https://example.org/a", "at": "2020-06-29", "by": "张三"}
    shared = db.cases()[0]
    shared.documents.append(link)
    db.save_case(shared, "张三")
    shared = db.cases()[0]
    shared.proposers.append("李代表")
    shared.documents[0]["url"] = "https://example.org/b"
    db.save_case(shared, "张三")
    fields = [e.field for e in db.history(1)]
    assert fields == ["created", "documents", "proposers", "documents"], fields
    assert db.history(1)[-1].old[0]["url"] == "https://example.org/a"
    assert db.get_case(1).documents[0]["url"] == "https://example.org/b"
    assert db.verify() == []


def test_a_document_written_before_a_field_existed_saves_with_its_default(tmp_path, clock):
    """A stored case that lacks a field (written by an older version) takes the field's
    default: a save records what changed, not the missing field."""
    s = Store.open(tmp_path / "d", time=clock)
    s.add_case(make(), "张三")
    s.close()
    conn = sqlite3.connect(tmp_path / "d" / DB_NAME)
    with conn:
        (doc,) = conn.execute("SELECT doc FROM docs WHERE tbl = 'cases'").fetchone()
        old = orjson.loads(doc)
        del old["documents"], old["review_round"]
        conn.execute("UPDATE docs SET doc = ? WHERE tbl = 'cases'", (orjson.dumps(old).decode(),))
    conn.close()
    s = Store.open(tmp_path / "d", time=clock)
    try:
        case = s.get_case(1)
        assert case.documents == [] and case.review_round == 0
        case.task = "调研"
        saved = s.save_case(case, "张三", expected_version=1)
        assert saved.version == 2 and saved.created_at == "2020-06-29T09:00:00+08:00"
        assert [e.field for e in s.history(1)] == ["created", "task"]
        unchanged = s.save_case(s.get_case(1), "张三")
        assert unchanged.version == 2 and len(s.history(1)) == 2
    finally:
        s.close()


def test_find_by_number_and_case_by_key(db):
    a = db.add_case(make(), "张三")
    b = db.add_case(make(kind="proposal", session="省政协十二届三次会议"), "张三")
    assert {c.id for c in db.find_by_number("0484")} == {a.id, b.id}
    assert [c.id for c in db.find_by_number("第０４８４号")] == [a.id, b.id]
    assert db.find_by_number("484") == [] and db.find_by_number("不是编号") == []
    assert db.case_by_key(a.key).id == a.id
    assert db.case_by_key(("suggestion", 2020, "9999", "")) is None
    moved = db.get_case(a.id)
    moved.number = "0500"
    db.save_case(moved, "张三")
    assert db.case_by_key(a.key) is None and db.case_by_key(moved.key).id == a.id


def test_trusted_loader_equals_validating_constructor():
    cases = sample_cases(None) + [make(
        clocks={"reply": Clock(due="2020-07-01", met="2020-06-30", source="set")},
        consultations=[Consultation(method="face", on="2020-05-01", with_whom="张代表",
                                    note="当面", by="李四")],
        extra={"备注": "x"}, continuation=True, origin_session="一次会议"), make(
        number="0485", notices=[Notice(1, "请加快办理", "2020-06-01", "王五",
                                       "2020-05-01T09:00:00+08:00")],
        review_chain=["division_head"], reviews=[Review(1, "division_head", "approved", "赵六",
                                                       "2020-05-02T09:00:00+08:00")])]
    for i, case in enumerate(cases, 1):
        doc = orjson.loads(orjson.dumps(case.to_dict()))
        del doc["id"]
        loaded = _load_case(i, doc)
        case.id = i
        assert loaded == case == Case.from_dict({**doc, "id": i})


def test_everything_survives_reopening(tmp_path, clock):
    d = tmp_path / "d"
    with Store.open(d, time=clock) as s:
        with s.transaction():
            for p in sample_people():
                s.add_person(p, "sample")
            for c in sample_cases(None):
                s.add_case(c, "sample")
        edit = s.get_case(3)
        edit.stage = "archived"
        s.save_case(edit, "周敏")
        s.set_setting("rules", {"2020": {"opinion": "06-30"}}, "周敏")
        s.table("join_requests").insert({"telegram": 5, "status": "pending"})
        expected = ([c.to_dict() for c in s.cases()], [p.to_dict() for p in s.people()],
                    s.history(3))
    with Store.open(d, time=clock) as s:
        assert [c.to_dict() for c in s.cases()] == expected[0]
        assert [p.to_dict() for p in s.people()] == expected[1]
        assert s.history(3) == expected[2]
        assert s.get_setting("rules") == {"2020": {"opinion": "06-30"}}
        assert s.table("join_requests").get(Query().telegram == 5)["status"] == "pending"
        assert s.verify() == []
    # the file is plain SQLite: one row per document, readable with SQL's JSON functions
    conn = dbfiles.connect(d)
    rows = conn.execute("SELECT id, json_extract(doc, '$.number') FROM docs "
                        "WHERE tbl = 'cases' ORDER BY id").fetchall()
    conn.close()
    assert rows == [(c["id"], c["number"]) for c in expected[0]]


# ---------------------------------------------------------------- people and settings


def test_people(db):
    zhou = db.add_person(Person("周敏", "office", division="办公室", telegram=10000), "admin")
    assert zhou.id == 1
    zhang = db.add_person(Person("张三", "handler", division="综合处"), "周敏")
    assert db.person_by_telegram(10000).name == "周敏"
    assert [p.id for p in db.people_named("张三")] == [zhang.id]
    with pytest.raises(DuplicatePerson):
        db.add_person(Person("冒名", "handler", division="综合处", telegram=10000), "周敏")
    zhang.telegram, zhang.approved = 10021, True
    db.save_person(zhang, "周敏", note="批准")
    assert db.get_person(zhang.id).telegram == 10021
    changes = [(e["field"], e["old"], e["new"]) for e in db.person_history(zhang.id)]
    assert changes[1:] == [("telegram", None, 10021), ("approved", False, True)]
    zhang.telegram = 10000
    with pytest.raises(DuplicatePerson):
        db.save_person(zhang, "周敏")
    bad = db.get_person(zhang.id)
    bad.position = "boss"
    with pytest.raises(ValidationError):
        db.save_person(bad, "周敏")
    assert db.get_person(zhang.id).position == "handler"
    got = db.get_person(zhang.id)
    got.name = "改名"
    assert db.get_person(zhang.id).name == "张三"


def test_settings(db):
    assert db.get_setting("rules", {}) == {}
    db.set_setting("rules", {"2020": {"opinion": "06-30"}}, "周敏")
    value = db.get_setting("rules")
    value["2020"]["opinion"] = "07-01"  # a copy
    assert db.get_setting("rules") == {"2020": {"opinion": "06-30"}}
    db.set_setting("rules", {"2020": {"opinion": "07-01"}}, "周敏")
    db.set_setting("rules", {"2020": {"opinion": "07-01"}}, "周敏")  # no change, no event
    assert [e["new"] for e in db.setting_history("rules")] == [
        {"2020": {"opinion": "06-30"}}, {"2020": {"opinion": "07-01"}}]
    with pytest.raises(ValueError):
        db.set_setting("bad name", 1, "周敏")
    with pytest.raises(ValueError):
        db.set_setting("x", object(), "周敏")


def test_tables_are_durable_and_reserved_names_refused(db, tmp_path):
    log = db.table("send_log")
    ids = log.insert_multiple([{"to": 1}, {"to": 2}])
    log.update({"ok": True}, doc_ids=[ids[0]])
    log.remove(Query().to == 2)
    assert dbfiles.committed(db.data_dir)["docs"]["send_log"] == {1: {"to": 1, "ok": True}}
    for name in ("cases", "people", "settings", "_meta"):
        with pytest.raises(ValueError):
            db.table(name)
    # a failing update is undone, in memory too
    with pytest.raises(ZeroDivisionError):
        log.update(lambda doc: doc.update(ok=1 / 0), doc_ids=[ids[0]])
    with pytest.raises(ValueError):
        log.insert_multiple([{"to": 3}, "not a mapping"])  # type: ignore[list-item]
    assert log.all() == [{"to": 1, "ok": True}]


# ---------------------------------------------------------------- transactions


def test_transaction_is_one_commit(db):
    with db.transaction():
        a = db.add_case(make(), "张三")
        with db.transaction():  # joins
            b = db.add_case(make("0485"), "张三")
        db.table("log").insert({"x": 1})
        assert dbfiles.committed(db.data_dir)["docs"] == {}
    on_disk = dbfiles.committed(db.data_dir)
    assert on_disk["meta"]["txn"] == 1  # the empty database was txn 0
    assert [ev["txn"] for ev in on_disk["history"]] == [1, 1]
    assert len(on_disk["docs"]["cases"]) == 2 and len(on_disk["docs"]["log"]) == 1
    assert {a.id, b.id} == {c.id for c in db.cases()}


def test_exception_rolls_everything_back(db):
    kept = db.add_case(make(), "张三")
    before = disk_bytes(db)
    with pytest.raises(RuntimeError):
        with db.transaction():
            edit = db.get_case(kept.id)
            edit.stage = "assigned"
            db.save_case(edit, "张三")
            db.add_case(make("0485"), "张三")
            db.set_setting("x", 1, "张三")
            db.table("log").insert({"x": 1})
            assert len(db.history(kept.id)) == 2  # pending events are visible inside
            raise RuntimeError("boom")
    assert disk_bytes(db) == before
    assert [c.number for c in db.cases()] == ["0484"]
    assert db.cases()[0].stage == "registered" and db.get_case(kept.id).version == 1
    assert len(db.history(kept.id)) == 1 and db.get_setting("x") is None
    assert db.table("log").all() == [] and db.case_by_key(make("0485").key) is None
    # and the store still works
    again = db.add_case(make("0485"), "张三")
    assert again.id == 2 and db.verify() == []


def test_inner_failure_caught_inside_aborts_the_outer_transaction(db):
    before = disk_bytes(db)
    with pytest.raises(TransactionAborted):
        with db.transaction():
            db.add_case(make(), "张三")
            try:
                with db.transaction():
                    db.add_case(make("0485"), "张三")
                    raise KeyError("inner")
            except KeyError:
                pass
            db.add_case(make("0486"), "张三")
    assert disk_bytes(db) == before and db.cases() == []


# ---------------------------------------------------------------- failed writes (disk full)


def _fail(errno_code):
    def fail(*args, **kwargs):
        raise OSError(errno_code, os.strerror(errno_code))
    return fail


class _FailingConnection:
    """The store's SQLite connection, failing the statement that starts with ``verb``
    (what SQLite raises when the disk is full or the device fails)."""

    def __init__(self, conn, verb: str, error: str) -> None:
        self._conn, self._verb, self._error = conn, verb, error

    def execute(self, sql, *args):
        if sql.lstrip().upper().startswith(self._verb):
            raise sqlite3.OperationalError(self._error)
        return self._conn.execute(sql, *args)

    def executemany(self, sql, *args):
        if sql.lstrip().upper().startswith(self._verb):
            raise sqlite3.OperationalError(self._error)
        return self._conn.executemany(sql, *args)

    def __getattr__(self, name):
        return getattr(self._conn, name)


@pytest.mark.parametrize("where", ["insert", "commit", "max_page_count"])
def test_disk_full_is_reported_and_changes_nothing(db, monkeypatch, where):
    case = db.add_case(make(), "张三")
    db.table("log").insert({"n": 0})
    before = disk_bytes(db)
    edit = db.get_case(case.id)
    edit.stage, edit.handler = "assigned", "李四"
    storage = db._storage
    if where == "insert":
        monkeypatch.setattr(storage, "conn", _FailingConnection(storage.conn, "INSERT",
                                                                "database or disk is full"))
    elif where == "commit":
        monkeypatch.setattr(storage, "conn", _FailingConnection(storage.conn, "COMMIT",
                                                                "disk I/O error"))
    else:  # a real SQLITE_FULL: the database may not grow by a single page
        pages = storage.conn.execute("PRAGMA page_count").fetchone()[0]
        storage.conn.execute(f"PRAGMA max_page_count={pages}")
        edit.extra = {"notes": "办理" * 5000}  # needs new pages
    with pytest.raises(StoreWriteError) as err:
        db.save_case(edit, "张三")
    assert "没有生效" in str(err.value) and "not applied" in err.value.render("en")
    with pytest.raises(StoreWriteError):
        with db.transaction():
            db.table("log").insert({"n": 1, "pad": "x" * 20000})
            db.set_setting("x", 1, "张三")
    monkeypatch.undo()
    if where == "max_page_count":
        storage.conn.execute("PRAGMA max_page_count=1073741823")
    assert disk_bytes(db) == before
    assert not storage.conn.in_transaction
    # memory is back at the last commit: cache, documents, history, tables
    assert db.cases()[0].stage == "registered" and db.get_case(case.id).version == 1
    assert db.history(case.id)[-1].field == "created"
    assert db.table("log").all() == [{"n": 0}]
    # the failed save can simply be retried
    db.save_case(edit, "张三")
    assert db.get_case(case.id).stage == "assigned" and db.verify() == []


def test_read_only_directory_is_reported(tmp_path, clock):
    d = tmp_path / "ro"
    s = Store.open(d, time=clock)
    s.add_case(make(), "张三")
    before = disk_bytes(s)
    s.close()
    os.chmod(d, 0o555)
    for name in os.listdir(d):
        os.chmod(d / name, 0o444)
    try:
        if os.access(d / DB_NAME, os.W_OK):
            pytest.skip("running as root: permissions do not refuse writes")
        with pytest.raises(StoreError) as err:
            Store.open(d, time=clock)
        assert str(d) in str(err.value)
        with Store.open(d, readonly=True) as ro:  # reading still works
            assert ro.get_case(1).task == "" and ro.verify() == []
    finally:
        os.chmod(d, 0o755)
        for name in os.listdir(d):
            os.chmod(d / name, 0o644)
    assert disk_bytes(s) == before


# ---------------------------------------------------------------- lock, read-only, schema


def test_second_writer_is_refused_with_dir_and_pid(db):
    with pytest.raises(StoreLocked) as err:
        Store.open(db.data_dir)
    assert err.value.pid == os.getpid()
    assert str(db.data_dir) in str(err.value) and str(os.getpid()) in err.value.render("en")
    db.close()
    Store.open(db.data_dir).close()  # released on close


def test_read_only_reads_the_committed_snapshot_while_locked(db):
    db.add_case(make(), "张三")
    ro = Store.open(db.data_dir, readonly=True)
    with db.transaction():
        edit = db.get_case(1)
        edit.task = "未提交"
        db.save_case(edit, "张三")
        assert Store.open(db.data_dir, readonly=True).get_case(1).task == ""
    db.add_case(make("0485"), "张三")
    assert [c.number for c in ro.cases()] == ["0484"] and len(ro.history(1)) == 1
    with pytest.raises(StoreReadOnly):
        ro.add_case(make("0486"), "张三")
    with pytest.raises(StoreReadOnly):
        ro.table("log").insert({"x": 1})
    with pytest.raises(StoreReadOnly):
        ro.set_setting("x", 1, "张三")
    assert ro.table("log").all() == []
    fresh = Store.open(db.data_dir, readonly=True)
    assert len(fresh.cases()) == 2 and len(fresh.history(1)) == 2 and fresh.verify() == []
    ro.close()
    fresh.close()


def test_read_only_on_an_empty_dir_creates_nothing(tmp_path):
    d = tmp_path / "none"
    with Store.open(d, readonly=True) as s:
        assert s.cases() == [] and s.get_setting("x", 5) == 5
    assert not d.exists()


def test_a_reader_of_a_database_being_created_sees_an_empty_store(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / DB_NAME).write_bytes(b"")  # the writer made the file; its first commit is to come
    with Store.open(d, readonly=True) as ro:
        assert ro.cases() == [] and ro.history(1) == [] and ro.verify() == []
    assert (d / DB_NAME).read_bytes() == b""


def test_new_db_records_the_schema_and_newer_schemas_are_refused(tmp_path):
    d = tmp_path / "d"
    Store.open(d).close()
    assert dbfiles.committed(d)["meta"]["schema"] == storage_mod.SCHEMA_VERSION
    dbfiles.edit(d, "UPDATE meta SET value = ? WHERE name = 'schema'",
                 storage_mod.SCHEMA_VERSION + 1)
    with pytest.raises(StoreSchemaError) as err:
        Store.open(d)
    assert "升级" in str(err.value) and "newer" in err.value.render("en")
    with pytest.raises(StoreSchemaError):
        Store.open(d, readonly=True)
    Store.open(tmp_path / "other").close()  # the failed open released its lock
    (d / DB_NAME).unlink()
    (d / DB_NAME).write_bytes(b'{"cases": {}}')  # not SQLite at all
    with pytest.raises(StoreCorrupt) as err:
        Store.open(d)
    assert "SQLite cannot read this file" in err.value.render("en")
    (d / DB_NAME).unlink()
    other = sqlite3.connect(d / DB_NAME)  # SQLite, but not ours
    other.execute("CREATE TABLE cases (x)")
    other.close()
    for readonly in (True, False):  # (writable: not taken for an old schema to upgrade)
        with pytest.raises(StoreCorrupt) as err:
            Store.open(d, readonly=readonly)
        assert "not a duban database" in err.value.render("en")


def test_database_cut_short_or_damaged_is_reported_clearly(tmp_path, clock):
    d = tmp_path / "d"
    with Store.open(d, time=clock) as s:
        with s.transaction():
            for c in sample_cases(None):
                s.add_case(c, "sample")
    raw = (d / DB_NAME).read_bytes()
    assert len(raw) > 8 * 4096 and not (d / (DB_NAME + "-wal")).exists()
    (d / DB_NAME).write_bytes(raw[: len(raw) // 2])  # torn: half the pages are gone
    with pytest.raises(StoreCorrupt) as err:
        Store.open(d, readonly=True)
    assert "SQLite cannot read this file" in err.value.render("en")
    # bytes overwritten inside a page of documents: named, never a silent pass
    damaged = bytearray(raw)
    at = raw.index("关于".encode(), len(raw) // 3)  # text inside a document
    damaged[at:at + 40] = b"\xff" * 40
    (d / DB_NAME).write_bytes(bytes(damaged))
    try:
        with Store.open(d, readonly=True) as ro:
            problems = ro.verify("en")
    except StoreCorrupt as exc:
        problems = [exc.render("en")]
    assert problems, "a damaged database passed the check"


def test_lost_old_database_with_its_history_is_refused(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "history.jsonl").write_bytes(b'{"txn":1,"case":1,"field":"created"}\n')
    with pytest.raises(StoreCorrupt):
        Store.open(d)
    assert not (d / DB_NAME).exists()


# ---------------------------------------------------------------- verify (duban check)


def test_verify_finds_hand_edits(tmp_path, clock):
    d = tmp_path / "d"
    with Store.open(d, time=clock) as s:
        s.add_case(make(), "张三")
        s.add_case(make("0485"), "张三")
        s.add_person(Person("张三", "handler", division="综合处", telegram=1), "x")
        assert s.verify() == []
    docs = dbfiles.committed(d)["docs"]
    dbfiles.set_doc(d, "cases", 1, dict(docs["cases"][1], task="手工改的"))  # disagrees
    dbfiles.set_doc(d, "cases", 2, dict(docs["cases"][2], stage="bogus"))    # invalid
    dbfiles.set_doc(d, "cases", 7, dict(docs["cases"][1], number="0700"))    # never created
    dbfiles.set_doc(d, "people", 1, dict(docs["people"][1], telegram="abc"))
    # pretend commits wrote these
    dbfiles.edit(d, "INSERT INTO history (txn, subject, key, event) VALUES (1, 'case', '99', ?)",
                 '{"txn":1,"case":99,"at":"","who":"x","field":"task","old":null,"new":"x"}')
    dbfiles.edit(d, "INSERT INTO history (txn, subject, key, event) VALUES (1, 'case', '1', "
                    "'not json')")
    with Store.open(d, time=clock) as s:
        problems = s.verify("en")
    text = "\n".join(problems)
    assert "Case 1 (no. 0484): “task” disagrees" in text
    assert "Case 2 holds invalid data" in text
    assert "Case 7 (no. 0700) has no 'created'" in text
    assert "Person 1 holds invalid data" in text
    assert "names case 99" in text and "line 5 cannot be read" in text
    assert "line 4 has transaction 1, lower than the line before" in text
    assert len(problems) == 7, "\n".join(problems)


def test_verify_runs_sqlites_integrity_check(tmp_path, clock):
    d = tmp_path / "d"
    with Store.open(d, time=clock) as s:
        s.add_case(make(), "张三")
    # an index that no longer matches its table: only the integrity check sees it
    conn = dbfiles.connect(d, readonly=False)
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("UPDATE sqlite_master SET sql = replace(sql, 'subject, key, seq', "
                 "'subject, seq, key') WHERE name = 'history_by_subject'")
    conn.close()
    with Store.open(d, readonly=True) as ro:
        problems = ro.verify("en")
    assert any("integrity check" in p for p in problems), problems


def test_an_unwritable_data_dir_is_reported_at_open(tmp_path, monkeypatch):
    from data import lock as lock_mod
    from data.store import StoreOpenError

    def refuse(path, flags, *args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    monkeypatch.setattr(lock_mod.os, "open", refuse)
    with pytest.raises(StoreOpenError) as err:
        Store.open(tmp_path / "d")
    assert str(tmp_path / "d") in str(err.value) and "read-only" in err.value.render("en").lower()
