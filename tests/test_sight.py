"""The indexed answers equal the full-scan answers.

Random stores (cases in every stage, role and clock state, 督办单 open and answered, owned
by people of every position or by nobody) go through random edits, failed transactions
and reopening; after each step, for every person, /mine, /overdue (with its "next due"),
/due, the division and person summaries and the recogniser's name sets, taken from the
store's indexes (:mod:`data.sight`), equal the same domain queries over
``visible(person, store.cases())``.
"""

from __future__ import annotations

import datetime as dt
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain import queries as q
from bot.domain.access import visible
from bot.domain.lifecycle import iter_live
from bot.domain.model import Case, Clock, Notice, Person
from bot.domain.workcal import WorkCalendar
from data import indexes, sight
from data.store import Store
from data.views import progress_tally_of, rules_source

DIVISIONS = ["综合处", "外资处", "项目处"]
STAGES = ["registered", "assigned", "in_progress", "consulted", "drafted", "answered",
          "published", "archived"]
ROLES = ["lead", "sole", "co", "joint", "split", "reference"]
DAYS = ["2020-06-01", "2020-06-20", "2020-06-29", "2020-06-30", "2020-07-15", "2020-08-01"]
TODAYS = [dt.date(2020, 6, 10), dt.date(2020, 6, 30), dt.date(2020, 7, 20),
          dt.date(2020, 9, 1)]
PEOPLE = [("甲", "handler", "综合处", []), ("乙", "handler", "外资处", []),
          ("丙", "division_head", "外资处", []), ("丁", "leader", "", ["综合处", "项目处"]),
          ("戊", "office", "综合处", []), ("己", "head", "", []),
          ("甲", "handler", "项目处", [])]  # a namesake of 甲 in another division
HANDLERS = ["甲", "乙", "庚", ""]  # 庚 is in no people list
TITLES = ["关于招商引资工作的建议", "关于ＡＢ园区 建设的建议", "新标题 ab"]
#: what people search for: numbers, 第…号, full- and half-width, across a space, nothing
KEYWORDS = ["0001", "第0002号", "00", "招商", "ab", "ＡＢ园区建设", "张代表", "wang", "省商务厅",
            "李", "", " ", "不存在"]
CAL = WorkCalendar()


def _case(number: str, role: str, stage: str, division: str, handler: str, due: str,
          met: bool, notice: str | None) -> Case:
    main = {"lead": "reply", "sole": "reply", "split": "reply", "co": "opinion",
            "joint": "opinion"}.get(role)
    clocks = {main: Clock(due=due, met=due if met else "")} if main else {}
    if main == "reply":
        clocks["publish"] = Clock(due="2020-07-15")
    notices = ([Notice(1, "请加快办理", notice, "戊", "2020-05-01T09:00:00+08:00")]
               if notice else [])
    return Case(kind="suggestion", number=number, year=2020, title="关于招商引资工作的建议",
                role=role, proposers=["张代表"], lead_unit="省商务厅" if main == "opinion" else "",
                division=division, handler=handler, stage=stage, clocks=clocks,
                notices=notices, assigned_on="2020-04-10")


_new = st.tuples(st.just("add"), st.sampled_from(ROLES), st.sampled_from(STAGES),
                 st.sampled_from(DIVISIONS), st.sampled_from(HANDLERS), st.sampled_from(DAYS),
                 st.booleans(), st.one_of(st.none(), st.sampled_from(DAYS)))
_op = st.one_of(
    _new,
    st.tuples(st.just("stage"), st.integers(1, 12), st.sampled_from(STAGES)),
    st.tuples(st.just("due"), st.integers(1, 12), st.sampled_from(DAYS)),
    st.tuples(st.just("met"), st.integers(1, 12)),
    st.tuples(st.just("move"), st.integers(1, 12), st.sampled_from(HANDLERS),
              st.sampled_from(DIVISIONS)),
    st.tuples(st.just("rename"), st.integers(1, 7), st.sampled_from(["甲", "辛", "乙"])),
    st.tuples(st.just("title"), st.integers(1, 12), st.sampled_from(TITLES),
              st.sampled_from(["张代表", "李代表", "Ｗａｎｇ"])),
)


def _apply(s: Store, op: tuple, counter: list[int]) -> None:
    if op[0] == "add":
        counter[0] += 1
        s.add_case(_case(f"{counter[0]:04d}", *op[1:]), "x")
        return
    if op[0] == "rename":
        person = s.get_person(op[1])
        if person is not None:
            person.name = op[2]
            s.save_person(person, "x")
        return
    case = s.get_case(op[1])
    if case is None:
        return
    if op[0] == "stage":
        case.stage = op[2]
    elif op[0] == "due" and case.main_clock in case.clocks:
        case.clocks[case.main_clock].due = op[2]
    elif op[0] == "met" and case.main_clock in case.clocks:
        clock = case.clocks[case.main_clock]
        clock.met = "" if clock.met else clock.due
    elif op[0] == "move":
        case.handler, case.division = op[2], op[3]
    elif op[0] == "title":
        case.title, case.proposers = op[2], [op[3]]
    s.save_case(case, "x")


def _names_by_scan(s: Store) -> tuple[list[str], list[str]]:
    divisions = {k.division for k in s.cases()} | {p.division for p in s.people()}
    handlers = {k.handler for k in s.cases()} | {p.name for p in s.people()}
    for p in s.people():
        divisions.update(p.leads_divisions)
    return sorted(divisions - {""}), sorted(handlers - {""})


def _agrees(s: Store) -> None:
    assert s.known_names() == _names_by_scan(s)
    live = s._live_index()
    ids = [k.id for k in s.cases()]
    for lo, hi in zip(DAYS, DAYS[1:] + DAYS[:1], strict=True):
        firsts = {k.id: min(d for _, d in iter_live(k) if lo <= d <= hi)
                  for k in s.cases() if any(lo <= d <= hi for _, d in iter_live(k))}
        everyone = live.due_in_order(lo, hi)
        assert everyone == sorted(firsts, key=lambda cid: (
            *q.due_key(s.get_case(cid), firsts[cid]), cid))
        for among in (set(), set(ids[:1]), set(ids[::2]), set(ids), {10_000}):
            # (by the few ids asked, or through the period's clocks: the same answer)
            assert live.due_in_order(lo, hi, among) == [cid for cid in everyone
                                                         if cid in among]
    for case in s.cases():
        assert s.live_clocks_of(case) == list(iter_live(case))
        assert s.live_clocks_of(case.copy()) == list(iter_live(case))  # not the stored one
    # each case's facts kept across the writes between two calls (one day: a new day
    # computes them all again): the same counts as computed afresh
    today, rules = TODAYS[1], rules_source(s)
    for person in s.people():
        seen = visible(person, s.cases())
        assert q.progress(seen, today, CAL, rules, year=2020,
                          tally_of=progress_tally_of(s, today, CAL, rules)) == \
            q.progress(seen, today, CAL, rules, year=2020)
    for person in s.people():
        for keyword in KEYWORDS:
            assert q.search(sight.found_cases(s, person, keyword), keyword) == \
                q.search(visible(person, s.cases()), keyword)
    for person in s.people():
        everything = visible(person, s.cases())
        assert [k.id for k in sight.visible_cases(s, person)] == [k.id for k in everything]
        for today in TODAYS:
            iso = today.isoformat()
            assert q.mine(sight.own_cases(s, person), person.id, today, CAL) == \
                q.mine(everything, person.id, today, CAL)
            for page in (1, 2):
                assert q.mine_page(sight.own_cases(s, person), person.id, today, CAL, None,
                                   page, 2, s.urgency_of) == \
                    q.paginate(q.mine(everything, person.id, today, CAL), page, 2)
            full_overdue = q.overdue(everything, today, CAL)
            assert q.overdue(sight.overdue_candidates(s, person, iso), today, CAL) == \
                full_overdue
            for page in (1, 2, 3):
                one = q.overdue_page(sight.overdue_candidates(s, person, iso), today, CAL,
                                     None, page, 2, s.urgency_of)
                assert one.page == q.paginate(full_overdue.items, page, 2)
                assert one.divisions == tuple(i.case.division for i in full_overdue.items)
                assert one.upcoming == full_overdue.upcoming
                # as the handler asks: the store's kept order, trusted, not sorted again
                assert q.overdue_page(sight.overdue_candidates(s, person, iso), today, CAL,
                                      None, page, 2, s.urgency_of, ordered=True) == one
            for division in DIVISIONS:
                def narrow(cases: list[Case], d: str = division) -> list[Case]:
                    return [k for k in cases if k.division == d]
                assert q.overdue(sight.overdue_candidates(s, person, iso, narrow), today,
                                 CAL) == q.overdue(narrow(everything), today, CAL)
            end = today + dt.timedelta(days=30)
            full = q.due(everything, today, end, today, CAL)
            for page in (1, 2):
                ans, pg = q.due_page(sight.due_cases(s, person, iso, end.isoformat()), today,
                                     end, today, CAL, None, page, 2)
                assert pg == q.paginate(full.items, page, 2) and ans.total == full.total
                # with the live clocks the store keeps, as the handler asks
                assert q.due_page(sight.due_cases(s, person, iso, end.isoformat()), today,
                                  end, today, CAL, None, page, 2, s.live_clocks_of) == (ans, pg)
                # the store's kept order, trusted, not sorted again (as the handler asks)
                assert q.due_page(sight.due_cases(s, person, iso, end.isoformat()), today,
                                  end, today, CAL, None, page, 2, s.live_clocks_of,
                                  ordered=True) == (ans, pg)
            assert [k.id for k in sight.due_cases(s, person, iso, end.isoformat())] == \
                [i.case.id for i in full.items]
            assert q.due(sight.due_cases(s, person, iso, end.isoformat()), today, end,
                         today, CAL) == q.due(everything, today, end, today, CAL)
        today = TODAYS[1]
        for division in DIVISIONS:
            full_summary = q.by_division(everything, division, today, CAL)
            assert q.by_division(visible(person, sight.division_cases(s, division)),
                                 division, today, CAL) == full_summary
            for page in (1, 2):
                one = q.division_page(visible(person, sight.division_cases(s, division)),
                                      division, today, CAL, None, page, 2, s.urgency_of)
                assert (one.name, one.counts) == (division, full_summary.counts)
                assert one.page == q.paginate(full_summary.open, page, 2)
        for name in HANDLERS[:-1]:
            assert q.by_person(visible(person, sight.handler_cases(s, name)), name, today,
                               CAL) == q.by_person(everything, name, today, CAL)
            ids = s.ids_named(name)
            whole = q.by_person(everything, name, today, CAL, ids=ids)
            assert q.by_person(visible(person, sight.owned_cases(s, ids)), name, today, CAL,
                               ids=ids) == whole
            one = q.person_page(visible(person, sight.owned_cases(s, ids)), name, today, CAL,
                                None, ids, 2, 2, s.urgency_of)
            assert one.counts == whole.counts and one.page == q.paginate(whole.open, 2, 2)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.lists(_op, min_size=1, max_size=6), st.booleans()),
                min_size=1, max_size=6), st.sampled_from([indexes.BULK_PUTS, 1]))
def test_indexed_answers_equal_the_full_scan(batches, bulk_puts):
    # (bulk_puts 1: every run of writes leaves the ordered lists to be sorted again, as an
    # import's transaction does)
    kept = indexes.BULK_PUTS
    indexes.BULK_PUTS = bulk_puts
    try:
        _the_full_scan(batches)
    finally:
        indexes.BULK_PUTS = kept


def _the_full_scan(batches):
    with tempfile.TemporaryDirectory() as d:
        s = Store.open(d)
        for i, (name, position, division, leads) in enumerate(PEOPLE):
            s.add_person(Person(name, position, division=division, leads_divisions=leads,
                                telegram=100 + i, approved=True), "x")
        counter = [0]
        for ops, fail in batches:
            before = counter[0]
            try:
                with s.transaction():
                    for op in ops:
                        _apply(s, op, counter)
                    if fail:
                        raise RuntimeError
            except RuntimeError:
                counter[0] = before
            _agrees(s)
        s.close()
        with Store.open(d, readonly=True) as again:
            _agrees(again)


def test_a_saved_case_moves_in_the_live_index(tmp_path):
    """/overdue after a deadline is moved: the old day no longer lists it, the new one does."""
    with Store.open(tmp_path) as s:
        s.add_person(Person("戊", "office", division="综合处", telegram=1, approved=True), "x")
        office = s.get_person(1)
        case = s.add_case(_case("0484", "lead", "assigned", "综合处", "甲", "2020-06-01",
                                False, None), "x")
        assert [k.id for k in sight.overdue_cases(s, office, "2020-06-10")] == [case.id]
        case = s.get_case(case.id)
        case.clocks["reply"].due = "2020-06-20"
        s.save_case(case, "x")
        assert sight.overdue_cases(s, office, "2020-06-10") == []
        assert [k.id for k in sight.first_due_cases(s, office, "2020-06-10")] == [case.id]
        case = s.get_case(case.id)
        case.stage = "answered"
        case.clocks["reply"].met = "2020-06-05"
        s.save_case(case, "x")  # the reply is done: only the publishing clock is live
        assert [k.id for k in sight.due_cases(s, office, "2020-07-15", "2020-07-15")] == \
            [case.id]
        assert sight.due_cases(s, office, "2020-06-01", "2020-06-30") == []


def test_kept_progress_facts_follow_a_save_and_a_new_day(tmp_path):
    with Store.open(tmp_path) as s:
        case = s.add_case(_case("0484", "lead", "assigned", "综合处", "甲", "2020-06-20",
                                False, None), "x")
        rules = rules_source(s)

        def both(today: dt.date) -> tuple[q.Progress, q.Progress]:
            kept = q.progress(s.cases(), today, CAL, rules, year=2020,
                              tally_of=progress_tally_of(s, today, CAL, rules))
            return kept, q.progress(s.cases(), today, CAL, rules, year=2020)

        kept, fresh = both(dt.date(2020, 6, 10))
        assert kept == fresh and kept.open == 1 and kept.overdue == 0
        kept, fresh = both(dt.date(2020, 6, 30))  # a new day: now overdue
        assert kept == fresh and kept.overdue == 1
        case = s.get_case(case.id)
        case.stage = "archived"
        s.save_case(case, "x")
        kept, fresh = both(dt.date(2020, 6, 30))  # the saved case counted again
        assert kept == fresh and kept.open == 0 and kept.by_stage == {"archived": 1}
