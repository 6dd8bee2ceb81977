"""One truth for a case's state: the lifecycle's rules, and every view agreeing with them.

The property test generates cases in every stage, role, class and continuation state, with
clocks due, met, met on an unknown day or not armed, and looks at them on many days: the
overdue list, the due list, /mine, /progress, the person summary, the card's clock lines,
the reminder plan, the weekly summary, the annual report and the ledger's overdue flag must
say the same of each case.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain import lifecycle
from bot.domain import queries as q
from bot.domain import workflow as wf
from bot.domain.access import can
from bot.domain.model import (
    CLOCKS,
    CONSULT_METHODS,
    KINDS,
    MET_UNKNOWN,
    REPLY_ROLES,
    ROLES,
    STAGES,
    Case,
    Clock,
    Consultation,
    Notice,
    Review,
)
from bot.domain.reminders import plan_reminders, weekly_summary
from bot.domain.report import report_figures
from bot.domain.rules import Rules
from bot.domain.status import StatusReader
from bot.domain.workcal import WorkCalendar
from bot.sample import sample_cases, sample_people
from bot.texts import t
from data.ledger_write import overdue as ledger_overdue
from handlers.cards import clock_text

CAL = WorkCalendar()
D = dt.date
PEOPLE = sample_people()
IDS = {p.name: p.id for p in PEOPLE}
HANDLERS = [("综合处", "张三"), ("综合处", "李四"), ("项目管理处", "王五"),
            ("投资促进一处", "钱六"), ("投资促进二处", "马骏"), ("", ""), ("综合处", "不在名单")]


def mk(role="lead", stage="in_progress", clocks=None, **kw) -> Case:
    c = Case(kind="suggestion", number=kw.pop("number", "0100"), year=2020, title="关于测试的建议",
             role=role, stage=stage, division=kw.pop("division", "综合处"),
             handler=(handler := kw.pop("handler", "张三")),
             handler_id=kw.pop("handler_id", IDS.get(handler, 0)), task=kw.pop("task", "研究答复"),
             requirements=kw.pop("requirements", "按时"),
             clocks={k: Clock(**v) for k, v in (clocks or {}).items()}, **kw)
    c.id = kw.get("id", 1)
    return c


# ---------------------------------------------------------------- the rules, case by case


def test_a_stage_meets_the_clocks_it_implies_without_a_date():
    # a co-handling case imported as 已提交意见 with no date: done, date unknown, not overdue
    c = mk("co", "answered", {"opinion": {"due": "2020-06-30"}}, lead_unit="省商务厅")
    today = "2020-09-01"
    assert lifecycle.clock_done(c, "opinion") and lifecycle.done_on(c, "opinion") == ""
    assert not lifecycle.is_open(c) and not lifecycle.is_overdue(c, today)
    assert lifecycle.timeliness(c, today) == "undated"
    assert lifecycle.live_clocks(c) == []
    # the same with the day unknown recorded explicitly
    c.clocks["opinion"].met = MET_UNKNOWN
    assert lifecycle.done_on(c, "opinion") == "" and lifecycle.timeliness(c) == "undated"
    # published without a date: the publishing clock is done
    lead = mk(stage="published", clocks={"reply": {"due": "2020-06-01", "met": "2020-05-30"},
                                         "publish": {"due": "2020-07-15"}})
    assert lifecycle.done_on(lead, "publish") == "" and not lifecycle.is_open(lead)


def test_publishing_is_chased_only_after_the_answer():
    c = mk(clocks={"reply": {"due": "2020-09-01"}, "publish": {"due": "2020-07-15"}})
    assert [n for n, _ in lifecycle.live_clocks(c)] == ["reply"]
    assert not lifecycle.is_overdue(c, "2020-08-01")  # July 15 passed, the reply is not due
    c.stage, c.clocks["reply"].met = "answered", "2020-07-20"
    assert [n for n, _ in lifecycle.live_clocks(c)] == ["publish"]


def test_a_case_assigned_after_the_publishing_date_publishes_after_its_answer():
    rules = Rules()
    data = {"kind": "suggestion", "number": "0900", "year": 2020, "session": "省十三届人大三次会议",
            "title": "关于九月交办的建议", "proposers": ["某代表"], "role": "lead", "lead_unit": "",
            "division": "综合处", "task": "研究答复", "handler": "张三", "deadline": "",
            "requirements": "按时"}
    case = wf.draft_case(data, D(2020, 9, 1), rules)
    assert case.clocks["publish"].due == ""          # never a date before the case existed
    assert case.deadline == "2020-12-01"
    assert not lifecycle.is_overdue(case, "2020-09-02")
    wf.add_consultation(case, "phone", D(2020, 9, 10), "某代表", "", "张三", D(2020, 9, 10))
    wf.answer(case, None, D(2020, 10, 12), rules, "A", cal=CAL)
    # 15 working days after Oct 12, 2020: Nov 2
    assert case.clocks["publish"].due == CAL.add_workdays(D(2020, 10, 12), 15).isoformat()
    assert case.clocks["publish"].due == "2020-11-02"
    # a case assigned in spring and answered in time keeps July 15
    spring = wf.draft_case(data, D(2020, 3, 2), rules)
    assert spring.clocks["publish"].due == "2020-07-15"
    wf.add_consultation(spring, "face", D(2020, 4, 1), "某代表", "", "张三", D(2020, 4, 1))
    wf.answer(spring, None, D(2020, 5, 20), rules, "A", cal=CAL)
    assert spring.clocks["publish"].due == "2020-07-15"


def test_b_then_unsatisfied_then_a_closes_the_follow_up_and_keeps_the_first_reply():
    rules = Rules()
    c = mk(clocks={"reply": {"due": "2020-06-01"}, "publish": {"due": "2020-07-15"}},
           assigned_on="2020-03-01",
           consultations=[Consultation("face", "2020-04-01", "某代表")])
    wf.answer(c, None, D(2020, 6, 11), rules, "B", cal=CAL)   # 10 days late
    assert lifecycle.is_live(c, "followup") and lifecycle.timeliness(c) == "late"
    wf.record_satisfaction(c, "unsatisfied", D(2020, 6, 20), rules)
    assert c.first_reply_on == "2020-06-11" and c.first_reply_due == "2020-06-01"
    assert "followup" not in c.clocks                          # the old follow-up is gone
    assert lifecycle.is_open(c) and lifecycle.timeliness(c) == "late"  # judged on the first
    wf.answer(c, None, D(2020, 7, 10), rules, "A", cal=CAL)
    assert "followup" not in c.clocks and c.satisfaction == ""  # A: no follow-up; asked again
    assert lifecycle.timeliness(c) == "late" and lifecycle.answered_on(c) == "2020-06-11"
    assert [n for n, _ in lifecycle.live_clocks(c)] == ["publish"]
    # a B follow-up the office set by hand is closed (met), not deleted, by a later A
    d = mk(clocks={"reply": {"due": "2020-06-01"}},
           consultations=[Consultation("face", "2020-04-01", "x")])
    wf.answer(d, None, D(2020, 5, 1), rules, "B")
    d.clocks["followup"].source = "set"
    wf.record_satisfaction(d, "unsatisfied", D(2020, 5, 10), rules)
    wf.answer(d, None, D(2020, 5, 20), rules, "C")
    assert d.clocks["followup"].met == "2020-05-20" and not lifecycle.is_live(d, "followup")


def test_a_continuation_answered_again_as_b_is_done_for_the_year():
    c = mk(continuation=True, origin_session="省十三届人大一次会议",
           clocks={"followup": {"due": "2020-12-31"}},
           consultations=[Consultation("face", "2020-04-01", "x")])
    wf.answer(c, None, D(2020, 11, 2), Rules(), "B")
    assert c.clocks["followup"].met == "2020-11-02" and not lifecycle.is_open(c)
    assert lifecycle.timeliness(c) == "on_time"


def test_an_in_progress_case_without_a_deadline_is_open_everywhere():
    c = mk(stage="in_progress", clocks={})
    assert lifecycle.is_open(c)
    from bot.domain.people import open_cases_of
    zhang = next(p for p in PEOPLE if p.name == "张三")
    assert open_cases_of(zhang, [c]) == [c]
    assert [i.case for i in q.mine([c], c.handler_id, D(2020, 6, 1), CAL)] == [c]


def test_sample_progress_and_report_count_the_same_answers():
    cases = sample_cases()
    today = D(2020, 12, 31)
    prog = q.progress(cases, today, CAL, None, year=2020)
    fig = report_figures(cases, 2020, today=today)
    rows = [r for r in fig.timeliness if r.applies]
    assert prog.answered_on_time == sum(r.on_time for r in rows)
    assert prog.answered_timed == sum(r.on_time + r.late for r in rows)
    assert prog.answered == sum(r.on_time + r.late + r.undated for r in rows)


def test_satisfaction_may_follow_publishing():
    c = mk(stage="published", reply_class="A",
           clocks={"reply": {"due": "2020-06-01", "met": "2020-05-30"},
                   "publish": {"due": "2020-07-15", "met": "2020-07-10"}})
    office = next(p for p in PEOPLE if p.position == "office")
    assert "satisfaction" in wf.next_steps(c, office)
    wf.record_satisfaction(c, "satisfied", D(2020, 7, 20), Rules())
    assert c.stage == "published" and c.satisfaction == "satisfied"


# ---------------------------------------------------------------- every view agrees

DAYS = st.dates(min_value=D(2020, 1, 2), max_value=D(2021, 3, 31))
ISO = DAYS.map(dt.date.isoformat)


@st.composite
def clocks(draw, role: str):
    out = {}
    for name in CLOCKS:
        if not draw(st.booleans()):
            continue
        due = draw(st.one_of(st.just(""), ISO))
        met = draw(st.one_of(st.just(""), st.just(""), ISO, st.just(MET_UNKNOWN)))
        out[name] = Clock(due=due, met=met, source=draw(st.sampled_from(["default", "set"])))
    return out


@st.composite
def cases(draw, n_max=12):
    n = draw(st.integers(min_value=1, max_value=n_max))
    out = []
    for i in range(n):
        role = draw(st.sampled_from(ROLES))
        continuation = role in REPLY_ROLES and draw(st.booleans())
        division, handler = draw(st.sampled_from(HANDLERS))
        first_on = draw(st.one_of(st.just(""), st.just(""), ISO, st.just(MET_UNKNOWN)))
        c = Case(
            kind=draw(st.sampled_from(KINDS)), number=f"{i:04d}", year=2020,
            title=f"关于第{i}号的建议", role=role, stage=draw(st.sampled_from(STAGES)),
            division=division, handler=handler, handler_id=IDS.get(handler, 0),
            lead_unit="省商务厅" if role in ("co", "joint") else "",
            clocks=draw(clocks(role)) if role != "reference" else {},
            reply_class=draw(st.sampled_from(["", "A", "B", "C"])) if role in REPLY_ROLES else "",
            satisfaction=draw(st.sampled_from(["", "satisfied", "unsatisfied"])),
            continuation=continuation,
            origin_session="省十三届人大一次会议" if continuation else "",
            first_reply_on=first_on,
            first_reply_due=draw(ISO) if first_on else "",
            consultations=[Consultation(draw(st.sampled_from(CONSULT_METHODS)), draw(ISO), "某代表")
                           for _ in range(draw(st.integers(0, 2)))],
            assigned_on=draw(st.one_of(st.just(""), ISO)),
            signed_at=draw(st.sampled_from(["", "", "2020-03-02T10:00:00+08:00", MET_UNKNOWN])),
            notices=[Notice(k + 1, "请报送进展", draw(ISO), "周敏", "2020-03-01T10:00:00+08:00",
                            answer=(answer := draw(st.sampled_from(["", "", "done", "reason"]))),
                            note="已办" if answer else "",
                            answered_on=draw(ISO) if answer else "")
                     for k in range(draw(st.integers(0, 2)))],
            review_round=1,
            review_chain=draw(st.sampled_from([[], ["division_head", "leader"], ["office"]])),
            review_since=draw(st.one_of(st.just(""), ISO)),
            reviews=[Review(1, "division_head", "approved", "赵立", "2020-03-02T10:00:00+08:00")
                     for _ in range(draw(st.integers(0, 1)))],
        )
        c.id = i + 1
        out.append(c)
    return out


def _card_says_overdue(case: Case, reader: StatusReader) -> bool:
    ctx = SimpleNamespace(lang="zh", t=lambda key, **kw: t(key, "zh", **kw))
    from bot.domain.supervision import notice_lines

    return any("超期" in clock_text(ctx, case, name, reader) for name in case.clocks) or any(
        "超期" in line for line in notice_lines(case, reader.today_iso, "zh"))


def _card_light(case: Case, reader: StatusReader) -> str:
    from bot.domain import supervision

    lights = lifecycle.LightReader(reader.today, CAL, None)
    return supervision.card_lines(case, lights, "zh")[0]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), DAYS)
def test_every_view_agrees_case_by_case(all_cases, day):
    today = day.isoformat()
    reader = StatusReader(day, CAL)
    is_open = {c.id: lifecycle.is_open(c) for c in all_cases}
    late = {c.id for c in all_cases if lifecycle.is_overdue(c, today)}
    by_id = {c.id: c for c in all_cases}

    for c in all_cases:
        # done is never overdue; a live clock is never a done one
        assert not (c.id in late and not is_open[c.id])
        for name, _ in lifecycle.live_clocks(c):
            assert not lifecycle.clock_done(c, name)
        # the ledger's flag and the card say the same
        assert ledger_overdue(c, day) == (c.id in late)
        assert _card_says_overdue(c, reader) == (c.id in late)
        # the report's overdue answer is an overdue main clock
        if lifecycle.timeliness(c, today) == "overdue":
            assert c.id in late and lifecycle.is_live(c, c.main_clock)

    # the traffic light: red exactly when overdue, done exactly when not open, and yellow
    # only for a reason the rules give; every list line and the card show the same light
    lights = lifecycle.LightReader(day, CAL, None)
    light_of = {c.id: lights.light(c) for c in all_cases}
    for c in all_cases:
        lt = light_of[c.id]
        assert (lt.color == "red") == (c.id in late), (lt, c)
        assert (lt.color == "done") == (not is_open[c.id]), (lt, c)
        if lt.color == "yellow":
            if lt.reason == "due_soon":
                assert today <= lt.due and (lt.clock, lt.due) in set(lifecycle.iter_live(c))
                assert CAL.workdays_between(day, D.fromisoformat(lt.due)) <= 5
            elif lt.reason == "behind":
                assert not c.consultations and lifecycle.half_time(c) <= today
            else:
                assert lt.reason == "unsigned" and lifecycle.sign_late(c, day, CAL)
        # 签收: past 交办 counts as signed; only an assigned case may await signature
        assert lifecycle.is_signed(c) == (STAGES.index(c.stage) > STAGES.index("assigned")
                                          or (c.stage == "assigned" and bool(c.signed_at)))
        assert lifecycle.awaiting_signature(c) == (c.stage == "assigned" and not c.signed_at)
        assert _card_light(c, reader).startswith(lt.mark)
    for item in q.mine(all_cases, None, day, CAL):
        assert item.light == light_of[item.case.id]
    # the office's lists hold exactly the cases lifecycle puts there, lit the same
    from bot.domain import supervision as sv

    for kind in ("unconsulted", "unfixed", "unsigned", "continuation", "reviews"):
        listed = sv.supervision_list(kind, all_cases, reader, lights)
        assert {i.case.id for i in listed} == {
            c.id for c in all_cases if sv.in_list(kind, c)
            and (is_open[c.id] or kind == "continuation")}, kind
        assert all(i.light == light_of[i.case.id] for i in listed)
    for c in all_cases:
        if lifecycle.awaiting_consultation(c):
            assert is_open[c.id] and not c.consultations

    # /overdue (the office sees all), /mine, /due
    answer = q.overdue(all_cases, day, CAL)
    assert {i.case.id for i in answer.items} == late
    assert {i.case.id for i in q.mine(all_cases, None, day, CAL)} == {
        i for i, o in is_open.items() if o}
    lo, hi = day - dt.timedelta(days=30), day + dt.timedelta(days=30)
    in_range = {c.id for c in all_cases if any(lo.isoformat() <= d <= hi.isoformat()
                                               for _, d in lifecycle.iter_live(c))}
    assert {i.case.id for i in q.due(all_cases, lo, hi, day, CAL).items} == in_range
    # a person's and a division's summary
    s = q.by_person(all_cases, "张三", day, CAL, ids=[IDS["张三"]])
    mine_ids = {c.id for c in all_cases if c.handler_id == IDS["张三"]}
    assert {i.case.id for i in s.overdue} == late & mine_ids
    assert {c.id for c in s.done} == {i for i in mine_ids if not is_open[i]}
    # /progress and the weekly summary count the same
    prog = q.progress(all_cases, day, CAL, None, year=2020)
    assert prog.open == sum(is_open.values()) and prog.overdue == len(late)
    assert prog.unsigned == sum(lifecycle.awaiting_signature(c) for c in all_cases)
    assert prog.unsigned_late == sum(lifecycle.sign_late(c, day, CAL) for c in all_cases)
    # 督办单: an open notice of a case not archived is a live clock, overdue past its date
    for c in all_cases:
        pending = [n for n in c.notices if n.open and c.stage != "archived"]
        assert lifecycle.notice_due(c) == (min(n.due for n in pending) if pending else None)
        if any(n.due < today for n in pending):
            assert c.id in late
    counts = lifecycle.notice_counts(all_cases, today)
    assert prog.notices == counts
    assert prog.reviews_pending == sum(lifecycle.review_pending(c) for c in all_cases)
    assert counts.issued == counts.answered + sum(
        n.open for c in all_cases for n in c.notices)
    assert counts.overdue == sum(lifecycle.notice_overdue(n, today) for c in all_cases
                                 if c.stage != "archived" for n in c.notices)
    week = weekly_summary(all_cases, CAL, None, day)
    assert week.open == sum(is_open.values()) and week.overdue == len(late)
    # the report: answered, on time, overdue as /progress counts them
    fig = report_figures(all_cases, 2020, today=day)
    assert fig.notices == lifecycle.notice_counts(all_cases, today)._asdict()
    rows = [r for r in fig.timeliness if r.applies]
    assert prog.answered_on_time == sum(r.on_time for r in rows)
    assert prog.answered == sum(r.on_time + r.late + r.undated for r in rows)
    assert sum(r.overdue for r in rows) == sum(
        1 for c in all_cases if lifecycle.timeliness(c, today) == "overdue")

    # the reminder plan chases only live clocks, every overdue one, and alerts only people
    # who may open the case
    if not CAL.is_workday(day):
        return
    digests = plan_reminders(all_cases, PEOPLE, CAL, None, day)
    seen_overdue: set[tuple[int, str]] = set()
    signing: set[int] = set()
    reviewing: set[int] = set()
    for d in digests:
        for ln in d.lines:
            case = by_id[ln.case_id]
            assert ln.light == light_of[case.id].mark
            if ln.clock == "review":  # 审核 pending: its reviewers (late: the office too)
                assert lifecycle.review_pending(case) and not ln.overdue
                reviewing.add(case.id)
                continue
            if ln.clock == "sign":  # 签收 overdue: the division heads and the office
                assert lifecycle.sign_late(case, day, CAL) and not ln.overdue
                assert ln.role in ("division_head", "office") and can(d.person, "view", case)
                signing.add(case.id)
                continue
            clock = case.clocks.get(ln.clock)
            if ln.clock == lifecycle.NOTICE:  # an open 督办单, chased like a clock
                assert ln.due.isoformat() == lifecycle.notice_due(case)
                assert lifecycle.is_live(case, ln.clock)
            elif clock is not None and clock.due:
                assert lifecycle.is_live(case, ln.clock), (ln, case)
            else:  # the co-handling campaign standing in for an opinion deadline not set
                assert ln.campaign and not lifecycle.main_done(case)
            assert is_open[case.id]
            if ln.overdue:
                seen_overdue.add((ln.case_id, ln.clock))
            if ln.level > 0 or ln.role != "handler":
                assert can(d.person, "view", case), (d.person.name, ln)
    expected = {(c.id, n) for c in all_cases for n, due in lifecycle.iter_live(c) if due < today}
    assert seen_overdue == expected
    assert signing == {c.id for c in all_cases if lifecycle.sign_late(c, day, CAL)}
    assert reviewing <= {c.id for c in all_cases if lifecycle.review_pending(c)}
    assert {c.id for c in all_cases if lifecycle.review_step(c) == "office"} <= reviewing
