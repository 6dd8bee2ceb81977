"""The layers under the Store: TinyDB over SQLite (one row per document, only the touched
rows written, history in the same transaction), the guard, readers in other processes;
and a second process on the same data directory."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tinydb import Query

from bot.domain.model import Case
from data.lock import DirLock, LockTaken
from data.storage import DB_NAME, WAL_NAME
from data.store import Store, StoreCorrupt, StoreLocked
from tests import dbfiles

ROOT = Path(__file__).resolve().parent.parent


def _case(number: str) -> Case:
    return Case(kind="suggestion", number=number, year=2020, title="关于招商引资工作的建议",
                role="lead", session="省十三届人大三次会议", proposers=["张代表"])


# ---------------------------------------------------------------- storage


def test_the_database_is_read_once_and_kept_in_memory(tmp_path):
    with Store.open(tmp_path) as s:
        s.table("log").insert({"n": 1})
    s = Store.open(tmp_path)
    dbfiles.edit(tmp_path, "DELETE FROM docs")  # behind the store's back
    assert s.table("log").all() == [{"n": 1}]
    assert s.table("log").search(Query().n == 1) == [{"n": 1}]
    s.close()


def test_wal_mode_and_full_synchronous(tmp_path):
    with Store.open(tmp_path) as s:
        conn = s._storage.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA locking_mode").fetchone()[0] == "normal"  # readers welcome


def test_a_commit_writes_only_the_rows_touched_with_its_history(tmp_path):
    s = Store.open(tmp_path)
    log = s.table("log")
    log.insert_multiple({"n": i} for i in range(50))
    for n in ("0484", "0485", "0486"):
        s.add_case(_case(n), "张三")
    statements: list[str] = []
    s._storage.conn.set_trace_callback(statements.append)
    case = s.get_case(2)
    case.task = "调研"
    case.stage = "assigned"
    with s.transaction():
        s.save_case(case, "张三")
        log.update({"seen": True}, doc_ids=[7])
    s._storage.conn.set_trace_callback(None)
    writes = [x for x in statements if x.split()[0] in ("INSERT", "UPDATE", "DELETE")]
    docs = [x for x in writes if "INTO docs" in x]
    history = [x for x in writes if "INTO history" in x]
    assert len(docs) == 2 and any("'cases', 2," in x for x in docs) and any(
        "'log', 7," in x for x in docs)
    assert len(history) == 2 and all("'case', '2'" in x for x in history)
    assert statements[0] == "BEGIN IMMEDIATE" and statements[-1] == "COMMIT"
    assert statements.count("COMMIT") == 1  # documents and history: one transaction
    on_disk = dbfiles.committed(tmp_path)
    assert on_disk["docs"]["log"][7] == {"n": 6, "seen": True}
    assert len(on_disk["docs"]["log"]) == 50
    assert sorted(e["field"] for e in on_disk["history"] if e.get("case") == 2) == [
        "created", "stage", "task"]
    s.close()


def test_rollback_restores_documents_mutated_in_place(tmp_path):
    s = Store.open(tmp_path)
    log = s.table("log")
    log.insert({"n": 1, "tags": ["a"]})
    doc_before = s._storage.read()["log"]["1"]
    with pytest.raises(RuntimeError):
        with s.transaction():
            log.update(lambda d: d["tags"].append("b"), doc_ids=[1])  # TinyDB mutates in place
            log.update({"n": 2}, doc_ids=[1])
            log.insert({"n": 3})
            assert doc_before["tags"] == ["a", "b"]
            raise RuntimeError
    assert log.all() == [{"n": 1, "tags": ["a"]}]
    assert log.insert({"n": 4}) == 2  # ids are not burnt by the rollback
    assert dbfiles.committed(tmp_path)["docs"]["log"] == {1: {"n": 1, "tags": ["a"]},
                                                          2: {"n": 4}}
    s.close()


def test_the_log_is_folded_into_the_database_when_the_store_closes(tmp_path):
    s = Store.open(tmp_path)
    s.table("log").insert({"n": 1})
    assert (tmp_path / WAL_NAME).exists()
    s.close()
    assert not (tmp_path / WAL_NAME).exists()  # the last connection checkpointed it
    plain = sqlite3.connect(tmp_path / DB_NAME)  # a plain SQLite file, readable by any tool
    assert plain.execute("SELECT doc FROM docs WHERE tbl = 'log'").fetchall() == [('{"n":1}',)]
    plain.close()


def test_lock_is_exclusive_even_within_one_process(tmp_path):
    a, b = DirLock(tmp_path), DirLock(tmp_path)
    a.acquire()
    with pytest.raises(LockTaken) as err:
        b.acquire()
    assert err.value.pid == os.getpid()
    a.release()
    b.acquire()
    b.release()


def test_a_readers_probe_never_keeps_a_writer_out(tmp_path, monkeypatch):
    """``duban check`` asks whether anyone writes by taking the guard shared for an
    instant; a bot starting in that instant waits for it instead of refusing to start.
    The probe is held here while the writer starts, and let go at the writer's first wait."""
    import fcntl
    import time as real_time
    from types import SimpleNamespace

    import data.lock as lock

    with Store.open(tmp_path):
        assert lock.someone_writes(tmp_path)  # a live writer is seen
    assert not lock.someone_writes(tmp_path)
    fd = os.open(tmp_path / lock.LOCK_NAME, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_SH)  # the probe's instant, made long
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        if not waits:
            os.close(fd)  # the probe lets go
        waits.append(seconds)

    monkeypatch.setattr(lock, "time", SimpleNamespace(monotonic=real_time.monotonic,
                                                      sleep=sleep))
    with Store.open(tmp_path) as store:
        assert waits and store.cases() == []
    # a lock held by a live writer is refused at once, without waiting
    waits.clear()
    holder = lock.DirLock(tmp_path)
    holder.acquire()
    with pytest.raises(StoreLocked):
        Store.open(tmp_path)
    assert waits == []
    holder.release()


HOLDER = textwrap.dedent("""
    import sys
    from data.store import Store
    s = Store.open(sys.argv[1])
    s.add_case  # loaded
    print("ready", flush=True)
    sys.stdin.read()
    s.close()
""")

SECOND = textwrap.dedent("""
    import sys
    from data.store import Store, StoreLocked
    try:
        Store.open(sys.argv[1])
    except StoreLocked as exc:
        print(exc)
        sys.exit(3)
    ro = Store.open(sys.argv[1], readonly=True)
    print("opened", len(ro.cases()))
""")


def test_a_second_process_is_refused_with_a_clear_message(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], cwd=ROOT, env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLocked) as err:
            Store.open(tmp_path)
        assert err.value.pid == holder.pid
        assert f"pid {holder.pid}" in str(err.value) and str(tmp_path) in str(err.value)
        with Store.open(tmp_path, readonly=True) as ro:  # readers are welcome
            assert ro.cases() == []
    finally:
        holder.communicate("", timeout=30)
    # now the other way round: we hold it, another process is refused
    with Store.open(tmp_path):
        second = subprocess.run([sys.executable, "-c", SECOND, str(tmp_path)], cwd=ROOT,
                                env=env, capture_output=True, text=True, timeout=30)
        assert second.returncode == 3, second.stderr
        assert f"pid {os.getpid()}" in second.stdout and str(tmp_path) in second.stdout
    second = subprocess.run([sys.executable, "-c", SECOND, str(tmp_path)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=30)
    assert second.returncode == 0, second.stderr


READER = textwrap.dedent("""
    import sys
    from data.store import Store
    for line in sys.stdin:      # one line per commit of the writer: open and report
        with Store.open(sys.argv[1], readonly=True) as ro:
            cases = ro.cases()
            hist = sum(len(ro.history(c.id)) for c in cases)
            print(len(cases), max([c.version for c in cases], default=0), hist,
                  len(ro.verify("en")), flush=True)
""")


def test_a_reader_in_another_process_sees_every_committed_change(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    s = Store.open(tmp_path)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(tmp_path)], cwd=ROOT, env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        events = 0
        for i in range(30):
            if i % 3 == 0:
                s.add_case(_case(f"{i:04d}"), "张三")
            else:
                case = s.get_case(s.cases()[-1].id)
                case.task = f"第{i}次"
                s.save_case(case, "张三")
            events += 1
            reader.stdin.write("go\n")
            reader.stdin.flush()
            n, version, hist, problems = map(int, reader.stdout.readline().split())
            assert (n, hist, problems) == (len(s.cases()), events, 0)
            assert version == max(c.version for c in s.cases())
        # a change inside an open transaction is not visible to readers
        with s.transaction():
            case = s.get_case(1)
            case.task = "未提交"
            s.save_case(case, "张三")
            reader.stdin.write("go\n")
            reader.stdin.flush()
            assert int(reader.stdout.readline().split()[2]) == events
    finally:
        reader.communicate("", timeout=30)
        s.close()


def test_a_read_only_store_is_one_snapshot_while_the_writer_goes_on(tmp_path):
    s = Store.open(tmp_path)
    s.add_case(_case("0484"), "张三")
    ro = Store.open(tmp_path, readonly=True)
    for i in range(5):
        case = s.get_case(1)
        case.task = f"第{i}次"
        s.save_case(case, "张三")
    # the reader's documents and history are of the same moment
    assert ro.get_case(1).version == 1 and len(ro.history(1)) == 1 and ro.verify() == []
    assert len(ro.history(1, limit=3)) == 1
    with Store.open(tmp_path, readonly=True) as fresh:
        assert fresh.get_case(1).version == 6 and len(fresh.history(1)) == 6
        assert [e.new for e in fresh.history(1, limit=2)] == ["第3次", "第4次"]
    ro.close()
    s.close()


# ---------------------------------------------------------------- model-based


_op = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 99)),
    st.tuples(st.just("update"), st.integers(1, 12), st.integers(0, 99)),
    st.tuples(st.just("remove"), st.integers(1, 12)),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.lists(_op, min_size=1, max_size=4), st.booleans()), max_size=8))
def test_memory_and_disk_follow_a_plain_model(batches):
    """Batches of table writes, some aborted by an exception: the store always equals a
    dict that only saw the batches that committed, in memory and after reopening."""
    with tempfile.TemporaryDirectory() as d:
        model: dict[int, dict] = {}
        s = Store.open(d)
        log = s.table("log")
        for ops, fail in batches:
            trial = {k: dict(v) for k, v in model.items()}
            try:
                with s.transaction():
                    for op in ops:
                        if op[0] == "insert":
                            trial[log.insert({"n": op[1], "tags": [op[1]]})] = {
                                "n": op[1], "tags": [op[1]]}
                        elif op[0] == "update" and op[1] in trial:
                            log.update(lambda doc, v=op[2]: (doc.update(n=v),
                                                             doc["tags"].append(v)),
                                       doc_ids=[op[1]])
                            trial[op[1]] = {"n": op[2], "tags": trial[op[1]]["tags"] + [op[2]]}
                        elif op[0] == "remove" and op[1] in trial:
                            log.remove(doc_ids=[op[1]])
                            del trial[op[1]]
                    if fail:
                        raise RuntimeError
            except RuntimeError:
                pass
            else:
                model = trial
            assert {doc.doc_id: dict(doc) for doc in log.all()} == model
        s.close()
        with Store.open(d, readonly=True) as again:
            assert {doc.doc_id: dict(doc) for doc in again.table("log").all()} == model


# ---------------------------------------------------------------- SQLite's log, damaged


def _killed_with_commits_in_the_log(d: Path, commits: int) -> None:
    """A writer that committed ``commits`` transactions and died before any checkpoint:
    the database file and its -wal exactly as SIGKILL leaves them."""
    script = textwrap.dedent("""
        import os, sys
        from bot.domain.model import Case
        from data.store import Store
        s = Store.open(sys.argv[1])
        s._storage.conn.execute("PRAGMA wal_autocheckpoint=0")
        for i in range(int(sys.argv[2])):
            s.add_case(Case(kind="suggestion", number=f"{i:04d}", year=2020, role="lead",
                            title="关于招商引资工作的建议" * 15, session="三次会议"), "张三")
        os._exit(0)  # no close: the commits stay in the log
    """)
    subprocess.run([sys.executable, "-c", script, str(d), str(commits)], cwd=ROOT, check=True,
                   env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=60)
    assert (d / WAL_NAME).stat().st_size > 4096 * commits


def _frame_offsets(wal: bytes) -> list[int]:
    import struct

    page = struct.unpack(">I", wal[8:12])[0]
    return list(range(32, len(wal) - 24 - page + 1, 24 + page))


def test_a_damaged_byte_in_sqlites_log_before_later_commits_is_refused(tmp_path):
    _killed_with_commits_in_the_log(tmp_path, 6)
    wal = tmp_path / WAL_NAME
    raw = bytearray(wal.read_bytes())
    raw[_frame_offsets(bytes(raw))[0] + 24 + 100] ^= 0x40  # inside the first frame's page
    wal.write_bytes(bytes(raw))
    before = (tmp_path / DB_NAME).read_bytes(), wal.read_bytes()
    with pytest.raises(StoreCorrupt) as err:
        Store.open(tmp_path)
    assert "log is damaged at byte 32" in err.value.render("en")
    assert ((tmp_path / DB_NAME).read_bytes(), wal.read_bytes()) == before  # evidence kept
    with Store.open(tmp_path, readonly=True) as ro:  # duban check says so too
        assert any("log is damaged" in p for p in ro.verify("en"))


def test_a_torn_last_commit_in_sqlites_log_is_dropped_quietly(tmp_path):
    _killed_with_commits_in_the_log(tmp_path, 6)
    wal = tmp_path / WAL_NAME
    raw = wal.read_bytes()
    wal.write_bytes(raw[: _frame_offsets(raw)[-1] + 500])  # the last frame cut short
    with Store.open(tmp_path) as s:
        assert len(s.cases()) == 5 and s.verify() == []


# ---------------------------------------------------------------- cases read when first used


def _columns(data_dir: Path) -> list[str]:
    conn = dbfiles.connect(data_dir)
    try:
        return [row[1] for row in conn.execute("PRAGMA table_xinfo(docs)")]
    finally:
        conn.close()


def _stored_cases(n: int, data_dir: Path) -> None:
    with Store.open(data_dir) as s, s.transaction():
        for i in range(n):
            case = _case(f"{i:04d}")
            case.handler, case.division = ("张三", "综合处") if i % 2 else ("", "外资处")
            if i % 5 == 0:
                case.origin_session = "省十三届人大二次会议"
            s.add_case(case, "x")


def test_opening_parses_no_case_and_a_lookup_parses_the_one_it_shows(tmp_path):
    _stored_cases(40, tmp_path)
    for readonly in (True, False):
        with Store.open(tmp_path, readonly=readonly) as s:
            docs = s._storage.table_docs("cases")
            assert docs.parsed == 0
            assert [c.number for c in s.find_by_number("0007")] == ["0007"]
            assert s.history(8)[0].field == "created"
            assert docs.parsed == 1
            assert len(s.cases_of_handler("张三")) == 20 and docs.parsed == 20
            assert len(s.cases()) == 40 and docs.parsed == 40


def test_the_index_sqlite_keeps_equals_the_one_the_documents_give(tmp_path):
    from data.indexes import CaseIndex

    _stored_cases(30, tmp_path)
    with Store.open(tmp_path) as s:
        case = s.get_case(3)
        case.handler, case.number = "李四", "0300"
        s.save_case(case, "x")
        s.add_case(_case("0999"), "x")
    with Store.open(tmp_path) as s:
        rows = list(s._storage.case_rows)
        from_rows = CaseIndex.from_rows(rows)
        from_docs = CaseIndex.build(s._storage.table_docs("cases"))
        assert vars(from_rows) == vars(from_docs)
        assert s.case_by_key(s.get_case(5).key).id == 5  # an origin session is the key's
        assert [c.id for c in s.find_by_number("300")] == []
        assert [c.id for c in s.find_by_value("300")] == [3]


def test_a_touched_unread_case_keeps_its_stored_bytes_for_the_rollback(tmp_path):
    _stored_cases(3, tmp_path)
    with Store.open(tmp_path) as s:
        docs = s._storage.table_docs("cases")
        stored = docs.stored("2")
        assert stored is not None
        with pytest.raises(RuntimeError), s.transaction():
            s._storage.touch("cases", "2")
            assert s._storage._orig["cases"]["2"] is stored and docs.parsed == 0
            case = s.get_case(2)
            case.task = "新的任务"
            s.save_case(case, "x")
            raise RuntimeError
        assert s.get_case(2).task == "" and s._storage.case_rows is None
        assert [c.id for c in s.find_by_number("0001")] == [2]  # index from the documents


def test_a_case_document_that_is_not_json_is_reported_when_read(tmp_path):
    from data.storage import LazyDocs

    docs = LazyDocs(tmp_path / DB_NAME)
    docs.put_stored("1", b'{"number": "0001"')
    docs.put_stored("2", b'{"number": "0002"}')
    assert docs["2"] == {"number": "0002"}
    with pytest.raises(StoreCorrupt, match="document 1 is not JSON"):
        docs.get("1")
    with pytest.raises(StoreCorrupt):
        list(docs.values())


def test_sqlite_refuses_to_store_a_case_that_is_not_json(tmp_path):
    _stored_cases(1, tmp_path)
    with pytest.raises(sqlite3.OperationalError, match="malformed JSON"):
        dbfiles.edit(tmp_path, "UPDATE docs SET doc = '{oops' WHERE tbl = 'cases'")


def test_a_schema_2_database_is_upgraded_once_and_read_the_same(tmp_path):
    _stored_cases(25, tmp_path)
    with Store.open(tmp_path) as s:
        s.table("log").insert({"n": 1})
    before = dbfiles.committed(tmp_path)
    dbfiles.to_schema2(tmp_path)
    assert "ix" not in _columns(tmp_path)
    with Store.open(tmp_path, readonly=True) as s:  # a reader changes nothing: documents
        assert s._storage.case_rows is None
        assert [c.id for c in s.find_by_number("0004")] == [5]
        assert len(s.cases_of_division("外资处")) == 13
    assert "ix" not in _columns(tmp_path)
    with Store.open(tmp_path) as s:
        assert s._storage.meta["schema"] == 3 and s._storage.case_rows is not None
        assert not (tmp_path / WAL_NAME).exists() or (tmp_path / WAL_NAME).stat().st_size == 0
        assert [c.id for c in s.find_by_number("0004")] == [5]
        assert s.verify("zh") == []
    after = dbfiles.committed(tmp_path)
    assert after["docs"] == before["docs"] and after["history"] == before["history"]
    assert after["meta"]["schema"] == 3 and "ix" in _columns(tmp_path)


def test_unlinked_cases_come_from_the_index(tmp_path):
    from bot.domain.model import Person

    _stored_cases(6, tmp_path)
    with Store.open(tmp_path) as s:
        assert s.case_ids_unlinked() == [2, 4, 6]  # 张三 is on no list yet
        s.add_person(Person("张三", "handler", division="综合处"), "x")
        case = s.get_case(4)
        s.save_case(case, "x")  # linked by name on save
        assert s.get_case(4).handler_id and s.case_ids_unlinked() == [2, 6]


def test_check_reports_a_case_whose_indexed_fields_disagree_with_its_document(tmp_path):
    _stored_cases(5, tmp_path)
    with Store.open(tmp_path, readonly=True) as s:
        assert s.verify("en") == []
    with Store.open(tmp_path, readonly=True) as s:
        # as a damaged page would read: case 3's copy of its fields says another number
        rows = dict(s._storage.case_rows)
        rows[3] = rows[3].replace('"0002"', '"0099"')
        s._storage.case_rows = list(rows.items())
        problems = s.verify("en")
        assert len(problems) == 1 and problems[0].startswith("Case 3: its indexed fields")
        assert "duban restore" in problems[0]
