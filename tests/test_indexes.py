"""The store's indexes (by number, key, handler, division; people by Telegram id) are kept
on every write and rollback: whatever the sequence of saves, failed transactions and
reopenings, each lookup equals a scan of all the cases."""

from __future__ import annotations

import tempfile

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.model import Case, Person
from data.store import Store

NUMBERS = ["0001", "0002", "0003", "0484"]
HANDLERS = ["张三", "李四", ""]
DIVISIONS = ["综合处", "外资处"]


def _case(number: str, session: str, handler: str, division: str) -> Case:
    return Case(kind="suggestion", number=number, year=2020, title="关于招商引资工作的建议",
                role="lead", session=session, proposers=["张代表"], handler=handler,
                division=division)


def _agrees(s: Store) -> None:
    cases = s.cases()
    for n in NUMBERS:
        assert [c.id for c in s.find_by_number(n)] == [c.id for c in cases if c.number == n]
    for h in HANDLERS:
        assert [c.id for c in s.cases_of_handler(h)] == [c.id for c in cases if c.handler == h]
    for d in DIVISIONS:
        assert [c.id for c in s.cases_of_division(d)] == [
            c.id for c in cases if c.division == d]
    for c in cases:
        assert s.case_by_key(c.key).id == c.id
    for p in s.people():
        assert s.person_by_telegram(p.telegram).id == p.id if p.telegram else True
    assert s.person_by_telegram(999_999) is None


_op = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(NUMBERS), st.sampled_from(["一次", "二次"]),
              st.sampled_from(HANDLERS), st.sampled_from(DIVISIONS)),
    st.tuples(st.just("move"), st.integers(1, 8), st.sampled_from(HANDLERS),
              st.sampled_from(DIVISIONS), st.sampled_from(NUMBERS)),
    st.tuples(st.just("link"), st.integers(1, 3), st.integers(1, 4)),
)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.lists(_op, min_size=1, max_size=4), st.booleans()), max_size=8))
def test_indexes_follow_writes_rollbacks_and_reopening(batches):
    with tempfile.TemporaryDirectory() as d:
        s = Store.open(d)
        for name, tg in (("甲", 1), ("乙", 2), ("丙", None)):
            s.add_person(Person(name, "handler", division="综合处", telegram=tg), "x")
        for ops, fail in batches:
            try:
                with s.transaction():
                    for op in ops:
                        try:
                            if op[0] == "add":
                                s.add_case(_case(*op[1:]), "x")
                            elif op[0] == "move" and s.get_case(op[1]):
                                case = s.get_case(op[1])
                                case.handler, case.division, case.number = op[2], op[3], op[4]
                                s.save_case(case, "x")
                            elif op[0] == "link":
                                person = s.get_person(op[1])
                                person.telegram = op[2]
                                s.save_person(person, "x")
                        except Exception as exc:  # a duplicate key or account: refused
                            if type(exc).__name__ not in ("DuplicateCase", "DuplicatePerson"):
                                raise
                    if fail:
                        raise RuntimeError
            except RuntimeError:
                pass
            except Exception as exc:  # an inner refusal aborts the whole transaction
                assert type(exc).__name__ == "TransactionAborted", exc
            _agrees(s)
        s.close()
        with Store.open(d, readonly=True) as again:
            _agrees(again)


def test_a_case_lookup_builds_only_the_objects_it_shows(tmp_path):
    with Store.open(tmp_path) as s:
        with s.transaction():
            for i in range(50):
                s.add_case(_case(f"{i:04d}", "一次", "张三", "综合处"), "x")
    with Store.open(tmp_path, readonly=True) as s:
        assert [c.number for c in s.find_by_number("0007")] == ["0007"]
        assert len(s._case_objs) == 1  # not the other 49
        assert len(s.cases()) == 50 and len(s._case_objs) == 50
