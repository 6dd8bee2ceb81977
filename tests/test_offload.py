"""Slow work off the event loop: the import's snapshot store, and rendering in a child."""

from __future__ import annotations

import asyncio
import os

import pytest

from bot.domain.model import Case
from data.errors import StaleCase
from handlers.offload import ChildFailed, SnapshotStore, in_child


def _case(number: str, title: str = "关于招商引资的建议") -> Case:
    return Case(kind="suggestion", number=number, year=2020, title=title, role="sole")


def test_the_snapshot_records_writes_and_the_commit_replays_them(store):
    kept = store.add_case(_case("0001"), "test")
    snapshot = SnapshotStore(store, ("rules",))
    copy = snapshot.case_by_key(kept.key)
    copy.title = "关于开放的建议"
    snapshot.save_case(copy, "办公室", "台账第2行", expected_version=copy.version)
    snapshot.add_case(_case("0002"), "办公室", "台账第3行")
    assert store.get_case(kept.id).title == "关于招商引资的建议"  # nothing written yet
    assert snapshot.pending == 2 and snapshot.commit(store) == 2
    assert store.get_case(kept.id).title == "关于开放的建议"
    assert [c.number for c in store.cases()] == ["0001", "0002"]


def test_a_case_changed_since_the_snapshot_stops_the_whole_commit(store):
    kept = store.add_case(_case("0001"), "test")
    snapshot = SnapshotStore(store)
    copy = snapshot.case_by_key(kept.key)
    copy.title = "从快照改"
    snapshot.add_case(_case("0002"), "办公室")
    snapshot.save_case(copy, "办公室", expected_version=copy.version)
    meanwhile = store.get_case(kept.id)
    meanwhile.title = "另一个聊天改的"
    store.save_case(meanwhile, "张三")
    with pytest.raises(StaleCase):
        snapshot.commit(store)
    assert store.get_case(kept.id).title == "另一个聊天改的"
    assert [c.number for c in store.cases()] == ["0001"]  # the new case was not written


def test_the_snapshot_answers_only_settings_it_was_given(store):
    snapshot = SnapshotStore(store, ("rules",))
    assert snapshot.get_setting("rules", {}) == {}
    with pytest.raises(KeyError):
        snapshot.get_setting("unit")


async def test_the_snapshot_reads_history_as_it_was_in_the_child_and_here(store):
    from handlers.offload import check_in_child

    kept = store.add_case(_case("0001"), "test")
    changed = store.get_case(kept.id)
    changed.title = "关于开放的建议"
    store.save_case(changed, "张三")
    before = store.history(kept.id)
    snapshot = SnapshotStore(store, ledger=True)
    later = store.get_case(kept.id)
    later.title = "快照之后改的"
    store.save_case(later, "李四")  # committed after the snapshot: not in its history
    assert len(store.history(kept.id)) == len(before) + 1

    def fields(snap) -> list[tuple]:
        return [(e.field, e.old, e.new, e.who) for e in snap.history(kept.id)]

    expected = [(e.field, e.old, e.new, e.who) for e in before]
    assert await check_in_child(snapshot, fields) == expected
    assert fields(snapshot) == expected  # a worker thread or the loop read the same
    snapshot.close()
    with store.transaction():
        store.add_case(_case("0002"), "test")
        with pytest.raises(RuntimeError):
            store.history_reader()  # uncommitted events would be missed


async def test_a_child_renders_and_sends_its_bytes_back():
    big = bytes(range(256)) * 40_000  # 10 MB through the pipe
    assert await in_child(lambda: big) == big
    assert await in_child(lambda: f"{os.getpid()}".encode()) != f"{os.getpid()}".encode()


async def test_a_child_that_fails_says_why_and_the_loop_goes_on():
    def broken() -> bytes:
        raise ValueError("bad row")

    with pytest.raises(ChildFailed, match="ValueError: bad row"):
        await in_child(broken)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    try:
        await in_child(lambda: sum(range(3_000_000)).to_bytes(8, "big"))
    finally:
        ticker.cancel()
    assert ticks >= 1  # the loop ran while the child computed


async def test_an_import_planned_in_a_child_comes_back_as_planned_here(store):
    """The plan (with its problems, rendered in zh and en) is the same as when it is made in
    this process, and it applies here."""
    import csv
    import datetime as dt
    import io

    from benchmarks.bench_import import HEADER, people, rows
    from data.ledger import RULES_SETTING, plan_cases_sheet
    from data.ledger_read import read_sheet
    from handlers.offload import check_in_child

    for person in people():
        store.add_person(person, "test")
    good = rows(3)
    bad = list(good[0])
    bad[0], bad[1] = "请示", "09999"  # not a kind of case
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *good, bad])
    sheet = read_sheet(out.getvalue().encode("utf-8-sig"), "台账.csv")
    today = dt.date(2020, 6, 29)

    def check(snap):
        return plan_cases_sheet(snap, sheet, "台账.csv", partial=True, today=today)

    here = SnapshotStore(store, (RULES_SETTING,), ledger=True)
    expected = check(here)
    there = SnapshotStore(store, (RULES_SETTING,), ledger=True)
    result = await check_in_child(there, check)
    assert result.problems and [p.render("zh") for p in result.problems] == [
        p.render("zh") for p in expected.problems]
    assert result.render("en") == expected.render("en")
    assert result.created == expected.created == 3 and there.pending == 0  # planned only
    # the plan made in the child is applied here, on the loop, in one transaction
    from data.ledger import apply_plan

    done = apply_plan(store, result, "办公室")
    assert done.created == 3 and len(store.cases()) == 3


async def test_a_split_result_comes_back_whole_and_the_loop_runs_between_its_pieces():
    """A big result is unpickled piece by piece (one ``pickle.loads`` holds the interpreter
    lock throughout): every item comes back, in order, with the head, and the loop runs
    other work between the pieces."""
    import asyncio

    from handlers.offload import PIECE_ITEMS, in_child_object

    n = PIECE_ITEMS * 10 + 7
    turns = 0
    done = asyncio.Event()

    async def other_chat() -> None:
        nonlocal turns
        while not done.is_set():
            turns += 1
            await asyncio.sleep(0)

    beside = asyncio.create_task(other_chat())
    value = await in_child_object(
        lambda: {"name": "台账", "items": [{"row": i, "text": "行" * (i % 7)} for i in range(n)]},
        split=lambda v: ({"name": v["name"]}, v["items"]),
        join=lambda head, items: {**head, "items": items})
    done.set()
    await beside
    assert value["name"] == "台账"
    assert value["items"] == [{"row": i, "text": "行" * (i % 7)} for i in range(n)]
    assert turns >= 11  # at least once per piece
