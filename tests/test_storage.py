"""The layers under the Store: the in-memory durable storage, the journal, the lock; and a
second process on the same data directory."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tinydb import Query

from data import storage as storage_mod
from data.journal import JOURNAL_NAME, Journal, JournalShort
from data.lock import DirLock, LockTaken
from data.storage import DB_NAME, DurableStorage, atomic_write
from data.store import Store, StoreLocked

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- storage


def test_the_file_is_read_once_and_kept_in_memory(tmp_path):
    with Store.open(tmp_path) as s:
        s.table("log").insert({"n": 1})
    s = Store.open(tmp_path)
    (tmp_path / DB_NAME).write_bytes(b"garbage that a re-read would choke on")
    assert s.table("log").all() == [{"n": 1}]
    assert s.table("log").search(Query().n == 1) == [{"n": 1}]
    s.close()


def test_a_commit_serialises_only_the_documents_touched(tmp_path, monkeypatch):
    s = Store.open(tmp_path)
    log = s.table("log")
    log.insert_multiple({"n": i} for i in range(50))
    s.close()
    s = Store.open(tmp_path)
    log = s.table("log")
    calls: list[str] = []
    real = storage_mod._frag
    monkeypatch.setattr(storage_mod, "_frag", lambda key, doc: calls.append(key) or real(key, doc))
    log.update({"seen": True}, doc_ids=[7])
    assert calls == ["7"]  # the others' bytes were cut from the file at open
    calls.clear()
    log.update({"seen": True}, doc_ids=[8])
    log.insert({"n": 50})
    assert calls == ["8", "51"]  # the other 49 documents' bytes are reused
    raw = orjson.loads((tmp_path / DB_NAME).read_bytes())
    assert raw["log"]["8"] == {"n": 7, "seen": True} and raw["log"]["51"] == {"n": 50}
    assert len(raw["log"]) == 51
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
    s.close()


def test_atomic_write_failure_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "f.json"
    atomic_write(target, b'{"old": 1}')

    def boom(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage_mod.os, "fsync", boom)
    with pytest.raises(OSError):
        atomic_write(target, b'{"new": 1}')
    assert target.read_bytes() == b'{"old": 1}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.json"]


def _txn_of(raw: bytes) -> int:
    return orjson.loads(raw)["_meta"]["1"]["txn"]


def test_the_replaced_file_is_recycled_but_never_under_a_reader(tmp_path):
    s = Store.open(tmp_path)
    log = s.table("log")
    log.insert({"n": 1})
    log.insert({"n": 2})
    spare = tmp_path / (DB_NAME + storage_mod.SPARE)
    assert _txn_of(spare.read_bytes()) == 1  # the previous version, kept to be rewritten
    inode = (tmp_path / DB_NAME).stat().st_ino
    log.insert({"n": 3})
    assert spare.stat().st_ino == inode  # the db of txn 2 is the spare now...
    log.insert({"n": 4})
    assert (tmp_path / DB_NAME).stat().st_ino == inode  # ...and was rewritten in place
    # a reader holding the current file: two commits later it is still intact
    reader = os.open(tmp_path / DB_NAME, os.O_RDONLY)
    fcntl.flock(reader, fcntl.LOCK_SH)
    log.insert({"n": 5})
    log.insert({"n": 6})
    with os.fdopen(os.dup(reader), "rb") as f:
        assert _txn_of(f.read()) == 4
    os.close(reader)
    assert _txn_of((tmp_path / DB_NAME).read_bytes()) == 6
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob("*.keep"))
    s.close()


@pytest.mark.parametrize("commits", [1, 2, 3])
def test_read_snapshot_never_returns_a_recycled_file(tmp_path, commits):
    s = Store.open(tmp_path)
    log = s.table("log")
    for n in range(3):
        log.insert({"n": n})

    calls = []

    def writer_runs_meanwhile():  # between the reader's (first) open and its lock
        calls.append(1)
        for _ in range(commits if len(calls) == 1 else 0):
            log.insert({"n": 9})

    raw = storage_mod.read_snapshot(tmp_path / DB_NAME, writer_runs_meanwhile)
    assert _txn_of(raw) == 3 + commits
    assert len(calls) == (1 if commits == 2 else 2)  # read again unless recycled into place
    s.close()


def test_short_writes_are_completed(tmp_path, monkeypatch):
    real = os.writev
    monkeypatch.setattr(storage_mod.os, "writev", lambda fd, bufs: real(fd, [bytes(bufs[0])[:3]]))
    chunks = [b"abcdef", memoryview(b"ghij"), b"", b"klm"]
    atomic_write(tmp_path / "f", chunks)
    assert (tmp_path / "f").read_bytes() == b"abcdefghijklm"


def test_stale_temp_files_are_removed_at_open(tmp_path):
    Store.open(tmp_path).close()
    stale = tmp_path / f"{DB_NAME}.12345.tmp"
    stale.write_bytes(b'{"half": ')
    keep = tmp_path / f"{DB_NAME}.12345.keep"
    os.link(tmp_path / DB_NAME, keep)
    other = tmp_path / f"{DB_NAME}.restore.tmp"  # another tool's file
    other.write_bytes(b"{}")
    Store.open(tmp_path).close()
    assert not stale.exists() and not keep.exists() and other.exists()


def test_storage_rejects_files_that_are_not_duban_databases(tmp_path):
    path = tmp_path / DB_NAME
    for content in (b"{not json", b"[]", b'{"cases": {}}', b'{"_meta": {"1": {}}}'):
        path.write_bytes(content)
        with pytest.raises(storage_mod.BadDatabase):
            DurableStorage.load(path, readonly=True)


# ---------------------------------------------------------------- journal


def _journal_with(tmp_path: Path, events: list[tuple[int, dict]]) -> int:
    j = Journal(tmp_path / JOURNAL_NAME, 0, readonly=False)
    for txn, ev in events:
        j.append(txn, [ev])
        j.confirm()
    size = j.size
    j.close()
    return size


def test_journal_cuts_uncommitted_lines_and_a_torn_tail(tmp_path):
    ev = {"case": 1, "at": "", "who": "x", "field": "task", "old": None, "new": "a"}
    committed = _journal_with(tmp_path, [(1, ev), (2, dict(ev, case=2))])
    path = tmp_path / JOURNAL_NAME
    with open(path, "ab") as f:
        f.write(orjson.dumps({"txn": 3, **ev}) + b"\n" + b'{"txn":3,"case":1,"at":"2020-')
    ro = Journal(path, committed, readonly=True)  # a reader ignores the tail, touches nothing
    assert [e["txn"] for e in ro.events("case", 1)] == [1]
    assert path.stat().st_size > committed
    ro.close()
    j = Journal(path, committed, readonly=False)
    assert path.stat().st_size == committed
    assert [e["case"] for e in j.events("case", 2)] == [2]
    assert sorted(j.subjects()) == [("case", 1), ("case", 2)]
    j.close()


def test_journal_shorter_than_committed_is_refused(tmp_path):
    committed = _journal_with(tmp_path, [(1, {"case": 1, "field": "created"})])
    with pytest.raises(JournalShort):
        Journal(tmp_path / JOURNAL_NAME, committed + 10, readonly=False)


def test_journal_index_follows_appends_and_aborts(tmp_path):
    j = Journal(tmp_path / JOURNAL_NAME, 0, readonly=False)
    j.append(1, [{"case": 1, "field": "created"}, {"setting": "rules", "field": "value"}])
    j.confirm()
    assert j.events("setting", "rules")[0]["txn"] == 1  # index built now
    j.append(2, [{"case": 1, "field": "stage"}])
    j.abort()
    j.append(3, [{"case": 1, "field": "task"}])
    j.confirm()
    assert [e["field"] for e in j.events("case", 1)] == ["created", "task"]
    assert [e["field"] for e in j.events("case", 1, limit=1)] == ["task"]
    assert j.events("case", 1, limit=0) == []
    assert [n for n, _ in j.lines()] == [1, 2, 3]
    j.close()


# ---------------------------------------------------------------- lock and a second process


def test_lock_is_exclusive_even_within_one_process(tmp_path):
    a, b = DirLock(tmp_path), DirLock(tmp_path)
    a.acquire()
    with pytest.raises(LockTaken) as err:
        b.acquire()
    assert err.value.pid == os.getpid()
    a.release()
    b.acquire()
    b.release()


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


def test_fragments_are_cut_from_the_file_at_open(tmp_path, monkeypatch):
    s = Store.open(tmp_path)
    s.table("log").insert_multiple({"n": i, "text": "办理"} for i in range(20))
    s.table("other").insert({"x": [1, 2]})
    s.table("empty").insert({"x": 1})
    s.table("empty").truncate()
    s.close()
    s = Store.open(tmp_path)
    frags = s._storage._frags
    assert sorted(frags) == ["empty", "log", "other"] and len(frags["log"]) == 20
    calls: list[str] = []
    real = storage_mod._frag
    monkeypatch.setattr(storage_mod, "_frag", lambda key, doc: calls.append(key) or real(key, doc))
    before = (tmp_path / DB_NAME).read_bytes()
    s.table("log").update({"n": 100}, doc_ids=[20])
    assert calls == ["20"]  # only the changed document is serialised
    after = (tmp_path / DB_NAME).read_bytes()
    assert after.replace(b'"n":100', b'"n":19').split(b"\n")[1:] == before.split(b"\n")[1:]
    s.close()
    # a file in another layout (TinyDB's own) opens too, fragments made on first commit
    raw = orjson.loads(after)
    (tmp_path / DB_NAME).write_bytes(orjson.dumps(raw, option=orjson.OPT_INDENT_2))
    s = Store.open(tmp_path)
    assert s._storage._frags == {}
    s.table("log").insert({"n": 21})
    assert len(orjson.loads((tmp_path / DB_NAME).read_bytes())["log"]) == 21
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
