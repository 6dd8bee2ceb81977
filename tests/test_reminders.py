"""The reminder planner over whole simulated years of the sample data, the digest's text,
the weekly summary, and ``duban remind``.

The morning of a day sees the cases as they stood at the end of the day before
(``sample_cases(day - 1)``): a case answered on June 30 is still reminded at 09:00 that day.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict

import pytest

from bot.cli import main
from bot.domain.model import Case, Clock, Person
from bot.domain.people import link_handler
from bot.domain.queries import is_open
from bot.domain.reminders import (
    CASES_PER_PART,
    MAX_PARTS,
    Chain,
    plan_json,
    render_digest,
    render_weekly,
    weekly_summary,
)
from bot.domain.reminders import plan_reminders as _plan_reminders
from bot.domain.rules import Rules
from bot.domain.workcal import WorkCalendar
from bot.sample import sample_cases, sample_people

CAL = WorkCalendar()
D = dt.date
YEAR_DAYS = [D(2020, 1, 1) + dt.timedelta(days=i) for i in range(366)]
JSON_KEYS = {"kind", "number", "clock", "due", "due_in_days", "overdue_workdays", "level", "why"}


def plan_reminders(cases, people, *args, **kw):
    """The planner, on cases linked to their handlers by identity as the store links them
    (a case made here names its handler; the planner reads the person id)."""
    people = list(people)
    for case in cases:
        if case.handler and not case.handler_id:
            link_handler(case, people)
    return _plan_reminders(cases, people, *args, **kw)


def people() -> list[Person]:
    out = sample_people()
    for i, p in enumerate(out, 1):
        p.id = i
    return out


def morning(day: dt.date) -> list[Case]:
    cases = sample_cases(day - dt.timedelta(days=1))
    for case in cases:
        case.id = int(case.number) * 10 + (case.kind == "proposal")
    return cases


def by_name(digests) -> dict[str, list]:
    return {d.name: d.lines for d in digests}


def days_of(plans: dict[dt.date, list], name: str, number: str, clock: str | None = None,
            level: int | None = None) -> list[dt.date]:
    """The days on which ``name``'s digest lists case ``number``."""
    out = []
    for day, digests in plans.items():
        for d in digests:
            if d.name == name and any(ln.number == number and (clock is None or ln.clock == clock)
                                      and (level is None or ln.level == level) for ln in d.lines):
                out.append(day)
    return sorted(out)


@pytest.fixture(scope="module")
def sample_year() -> dict[dt.date, list]:
    ppl = people()
    return {day: plan_reminders(morning(day), ppl, CAL, None, day) for day in YEAR_DAYS}


# ---------------------------------------------------------------- a whole year of the sample


def test_nothing_on_non_working_days_and_one_digest_per_person(sample_year):
    for day, digests in sample_year.items():
        if not CAL.is_workday(day):
            assert digests == [], day
            continue
        names = [d.name for d in digests]
        assert names == sorted(names) and len(set(names)) == len(names), day
        for d in digests:
            keys = [(ln.case_id, ln.clock) for ln in d.lines]
            assert len(keys) == len(set(keys)), (day, d.name)
            assert d.lines, (day, d.name)
    # the National Day holiday of 2020 pings nobody; its make-up days are working days
    assert all(sample_year[D(2020, 10, d)] == [] for d in range(1, 9))
    assert CAL.is_workday(D(2020, 9, 27)) and CAL.is_workday(D(2020, 10, 10))


def test_co_handling_campaign_days_before_june_30(sample_year):
    # offsets 14, 7, 3, 1, 0 before Tue June 30: June 16, June 23, Sat June 27 -> Wed June 24
    # (June 25-27 is the Dragon Boat holiday), June 29, June 30
    campaign = [D(2020, 6, 16), D(2020, 6, 23), D(2020, 6, 24), D(2020, 6, 29), D(2020, 6, 30)]
    assert days_of(sample_year, "张三", "0458") == campaign  # answered June 30
    assert days_of(sample_year, "李四", "0412") == campaign
    assert days_of(sample_year, "钱六", "0333") == campaign[:4]  # answered June 29
    assert days_of(sample_year, "王五", "0271") == campaign[:3]  # answered June 24
    assert days_of(sample_year, "王五", "0308") == []  # answered June 12, before any offset
    for day in campaign:
        for d in sample_year[day]:
            for ln in d.lines:
                if ln.clock == "opinion":
                    assert ln.campaign and "【会(协)办意见】" in ln.why("zh")


def test_lead_reply_and_publish_clocks_and_holiday_folding(sample_year):
    # 0484: reply due Fri July 10 (answered June 28), publish July 15 (published July 14)
    # reply offset 14 = Fri June 26 (holiday) -> Wed June 24; the rest came after the answer
    assert days_of(sample_year, "张三", "0484", "reply") == [D(2020, 6, 24)]
    # publish: 14 -> Wed July 1, 7 -> Wed July 8, 3 -> Sun July 12 -> Fri July 10,
    # 1 -> July 14 (its state that morning: not yet published)
    assert days_of(sample_year, "张三", "0484", "publish") == [
        D(2020, 7, 1), D(2020, 7, 8), D(2020, 7, 10), D(2020, 7, 14)]
    lines = by_name(sample_year[D(2020, 6, 24)])["张三"]
    reply = next(ln for ln in lines if ln.number == "0484")
    assert (reply.due_in_days, reply.overdue_workdays, reply.level) == (16, 0, 0)
    assert reply.why("zh") == "您是承办人,还有16天"


def test_unlinked_handler_is_in_the_plan_and_the_office_is_told(sample_year):
    digests = sample_year[D(2020, 6, 16)]
    ma = next(d for d in digests if d.name == "马骏")
    assert ma.telegram is None and ma.unreachable == "unlinked"
    assert {ln.number for ln in ma.lines} == {"0203", "0312", "0376"}
    office = by_name(digests)["周敏"]
    assert {ln.number for ln in office} == {"0203", "0312", "0376"}
    assert all(ln.level == 2 and "马骏未关联Telegram" in ln.why("zh")
               and "定人员未落实" in ln.why("zh") for ln in office)
    # nobody else hears about 马骏's cases before they are overdue
    assert all(ln.number not in {"0203", "0312", "0376"}
               for d in digests if d.name not in ("马骏", "周敏") for ln in d.lines)


def test_no_sample_case_is_overdue_in_2020(sample_year):
    """The bureau of the seed report answered everything on time: no escalation all year."""
    assert all(ln.level == 0 or ln.unreachable for ds in sample_year.values()
               for d in ds for ln in d.lines)
    assert all(not ln.overdue for ds in sample_year.values() for d in ds for ln in d.lines)


# ---------------------------------------------------------------- National Day, escalation


def late_year() -> dict[dt.date, list]:
    """The sample with four cases moved across the 2020 National Day holiday, never answered."""
    ppl = people()
    out = {}
    for day in YEAR_DAYS:
        if day < D(2020, 9, 1) or day > D(2020, 11, 30):
            continue
        cases = morning(day)
        for case in cases:
            due = {"0484": "2020-09-30", "0127": "2020-10-09", "0256": "2020-10-10",
                   "0091": "2020-10-11"}.get(case.number)
            if due and case.kind == "suggestion":
                case.stage = "in_progress"
                case.clocks = {case.main_clock: Clock(due=due, source="extension")}
        out[day] = plan_reminders(cases, ppl, CAL, None, day)
    return out


@pytest.fixture(scope="module")
def national_day() -> dict[dt.date, list]:
    return late_year()


def test_reminders_fold_onto_the_working_day_before_the_holiday(national_day):
    sep = lambda d: D(2020, 9, d)  # noqa: E731
    octo = lambda d: D(2020, 10, d)  # noqa: E731
    # due Fri Oct 9: 14 -> Sep 25; 7, 3, 1 (Oct 2, 6, 8: holidays) fold onto Sep 30; 0 -> Oct 9
    assert days_of(national_day, "王五", "0127", level=0)[:3] == [sep(25), sep(30), octo(9)]
    # due Sat Oct 10, a make-up working day: 14 -> Sat Sep 26 -> Sep 25; 7, 3 -> Sep 30;
    # 1 -> Oct 9; 0 -> Oct 10 itself
    assert days_of(national_day, "李四", "0256", level=0)[:4] == [sep(25), sep(30), octo(9),
                                                                   octo(10)]
    # due Sun Oct 11: 14 -> Sun Sep 27, a make-up working day; 7, 3 -> Sep 30;
    # 1 and 0 -> Sat Oct 10
    assert days_of(national_day, "钱六", "0091", level=0)[:3] == [sep(27), sep(30), octo(10)]
    # folding gives one line, not several
    line = [ln for ln in by_name(national_day[sep(30)])["王五"] if ln.number == "0127"]
    assert len(line) == 1 and line[0].due_in_days == 9


def test_overdue_climbs_the_chain_by_working_days(national_day):
    # 0484 (综合处, handler 张三) due Wed Sep 30; overdue working days: Oct 9 = 1,
    # Sat Oct 10 = 2, Oct 12 = 3, Oct 14 = 5, Oct 21 = 10
    octo = lambda d: D(2020, 10, d)  # noqa: E731
    after = [d for d in national_day if d > D(2020, 9, 30) and CAL.is_workday(d)]
    got = days_of(national_day, "张三", "0484", "reply", level=0)
    assert [d for d in got if d > D(2020, 9, 30)] == after
    # before: 14 -> Sep 16, 7 -> Sep 23, 3 -> Sun Sep 27 (a make-up working day), 1, 0
    assert [d for d in got if d <= D(2020, 9, 30)] == [
        D(2020, 9, 16), D(2020, 9, 23), D(2020, 9, 27), D(2020, 9, 29), D(2020, 9, 30)]
    assert days_of(national_day, "赵立", "0484", "reply")[0] == octo(9)
    assert days_of(national_day, "周敏", "0484", "reply")[0] == octo(12)
    assert days_of(national_day, "王强", "0484", "reply")[0] == octo(14)
    assert days_of(national_day, "李明", "0484", "reply")[0] == octo(21)
    # the chain only climbs: once reached, every working day
    for name in ("赵立", "周敏", "王强", "李明"):
        got = days_of(national_day, name, "0484", "reply")
        assert got == [d for d in after if d >= got[0]], name
    # nobody outside the chain hears of it (陈静 leads other divisions)
    assert days_of(national_day, "陈静", "0484") == []
    levels = {d.name: next(ln for ln in d.lines if ln.number == "0484")
              for d in national_day[octo(21)] if any(ln.number == "0484" for ln in d.lines)}
    # 王强 leads both 综合处 (level 3) and 办公室 (level 4): one line, the direct one
    assert {n: (ln.level, ln.role) for n, ln in levels.items()} == {
        "张三": (0, "handler"), "赵立": (1, "division_head"), "周敏": (2, "office"),
        "王强": (3, "division_leader"), "李明": (4, "head")}
    assert levels["赵立"].why("zh") == "您是处室负责人,超期21天(10个工作日)"
    assert levels["李明"].why("en") == (
        "you are the head of the bureau, 21 days overdue (10 working days)")
    z = next(ln for ln in by_name(national_day[octo(12)])["赵立"] if ln.number == "0484")
    assert z.why("zh") == "您是处室负责人,超期12天(3个工作日)"
    assert (z.due_in_days, z.overdue_workdays) == (-12, 3)


def test_leader_in_charge_of_this_work_is_level_4():
    ppl = people()
    c = Case(kind="proposal", number="0999", year=2020, title="关于测试的提案", role="lead",
             division="项目管理处", handler="王五", stage="in_progress",
             clocks={"reply": Clock(due="2020-09-30")})
    c.id = 1
    digests = plan_reminders([c], ppl, CAL, None, D(2020, 10, 21))
    roles = {d.name: (d.lines[0].level, d.lines[0].role) for d in digests}
    # 王强 is in charge of this work but does not lead 项目管理处: he may not open the case,
    # so he is not alerted about it (alerts match sight)
    assert roles == {"王五": (0, "handler"), "孙伟": (1, "division_head"), "周敏": (2, "office"),
                     "陈静": (3, "division_leader"), "李明": (4, "head")}
    wang = next(p for p in ppl if p.name == "王强")
    wang.leads_divisions = [*wang.leads_divisions, "投资促进二处"]
    c2 = Case(**{**c.to_dict(), "id": 2, "number": "0998", "division": "投资促进二处",
                 "handler": "马骏"})
    digests = plan_reminders([c2], ppl, CAL, None, D(2020, 10, 21))
    assert {d.name: d.lines[0].role for d in digests}["王强"] == "division_leader"
    wang.leads_divisions = wang.leads_divisions[:-1]
    # a work leader who sees every case (the head's position) is alerted at level 4
    li = next(p for p in ppl if p.name == "李明")
    digests = plan_reminders([c], ppl, CAL, None, D(2020, 10, 21))
    assert {d.name: d.lines[0].level for d in digests}[li.name] == 4
    # "in charge of this work" can be another division's leaders
    digests = plan_reminders([c], ppl, CAL, None, D(2020, 10, 21), work_divisions=["投资促进一处"])
    assert {d.name: d.lines[0].role for d in digests}["陈静"] == "division_leader"
    assert "王强" not in {d.name for d in digests}


# ---------------------------------------------------------------- life of a case


def one_case(**kw) -> Case:
    base = dict(kind="suggestion", number="0100", year=2020, title="关于测试的建议", role="lead",
                division="综合处", handler="张三", stage="in_progress")
    base.update(kw)
    c = Case(**base)
    c.id = 42
    return c


def lines_for(case: Case, day: dt.date, rules=None) -> dict[str, list]:
    return by_name(plan_reminders([case], people(), CAL, rules, day))


def test_answered_or_archived_stops_and_a_changed_deadline_rearms():
    c = one_case(clocks={"reply": Clock(due="2020-07-10")})
    assert lines_for(c, D(2020, 7, 7))["张三"][0].due_in_days == 3
    c.stage = "answered"  # the main clock stops even before its met date is filled in
    assert lines_for(c, D(2020, 7, 7)) == {}
    c.stage = "archived"
    c.clocks["reply"] = Clock(due="2020-07-01")
    assert lines_for(c, D(2020, 7, 7)) == {}
    # overdue, then extended: the escalation stops at once, the new offsets are reminded
    c = one_case(clocks={"reply": Clock(due="2020-07-01")})
    assert set(lines_for(c, D(2020, 7, 7))) == {"张三", "赵立", "周敏"}
    c.set_deadline("2020-07-14", source="extension")
    assert lines_for(c, D(2020, 7, 7))["张三"][0].due_in_days == 7
    assert lines_for(c, D(2020, 7, 8)) == {}
    assert lines_for(c, D(2020, 7, 13))["张三"][0].due_in_days == 1
    # published stops the publish clock
    c = one_case(stage="published", clocks={"reply": Clock(due="2020-06-01", met="2020-05-30"),
                                           "publish": Clock(due="2020-07-15")})
    assert lines_for(c, D(2020, 7, 14)) == {}


def test_campaign_without_an_opinion_deadline_and_after_an_extension():
    # no opinion clock yet (定时限 missing): the campaign's June 30 stands in for it
    c = one_case(role="co", lead_unit="省商务厅", clocks={})
    line = lines_for(c, D(2020, 6, 23))["张三"][0]
    assert (line.clock, line.due, line.due_in_days, line.campaign) == ("opinion", D(2020, 6, 30),
                                                                      7, True)
    assert lines_for(c, D(2020, 6, 22)) == {}
    # an extension past June 30 takes the case out of the campaign
    c = one_case(role="co", lead_unit="省商务厅",
                 clocks={"opinion": Clock(due="2020-07-20", source="extension")})
    assert lines_for(c, D(2020, 6, 23)) == {}
    assert lines_for(c, D(2020, 7, 13))["张三"][0].campaign is False
    # an earlier own deadline: its own offsets and the campaign's
    c = one_case(role="joint", kind="proposal", lead_unit="省商务厅",
                 clocks={"opinion": Clock(due="2020-06-19", source="set")})
    days = [d for d in YEAR_DAYS if lines_for(c, d).get("张三")]
    assert days[:4] == [D(2020, 6, 5), D(2020, 6, 12), D(2020, 6, 16), D(2020, 6, 18)]
    assert D(2020, 6, 22) in days  # overdue from then on, every working day


def test_rules_table_changes_offsets_thresholds_and_campaign_date():
    c = one_case(clocks={"reply": Clock(due="2020-07-10")})
    table = {"2020": {"remind_offsets": "5,0", "escalation": "1:2,2:4,3:6,4:8"}}
    days = [d for d in YEAR_DAYS if lines_for(c, d, table).get("张三")]
    assert days[:2] == [D(2020, 7, 3), D(2020, 7, 10)]
    # July 13 is the first working day overdue: level 1 only from the second one now
    assert set(lines_for(c, D(2020, 7, 13), table)) == {"张三"}
    assert set(lines_for(c, D(2020, 7, 14), table)) == {"张三", "赵立"}
    co = one_case(role="co", lead_unit="省商务厅", clocks={})
    assert lines_for(co, D(2020, 6, 18), {"default": {"opinion_due": "06-25"}})["张三"][0].due \
        == D(2020, 6, 25)
    assert lines_for(co, D(2020, 6, 18), Rules(opinion_due="06-25"))
    assert lines_for(co, D(2020, 6, 18), lambda year: Rules(opinion_due="06-25"))


def test_unreachable_handlers_of_every_kind_reach_the_office():
    ppl = people()
    for p in ppl:
        if p.name == "李四":
            p.reachable = False  # Telegram said Forbidden
        if p.name == "王五":
            p.active = False
    cases = []
    for i, handler in enumerate(["李四", "王五", "无名氏", ""]):
        c = one_case(number=f"010{i}", handler=handler, clocks={"reply": Clock(due="2020-07-10")})
        c.id = i + 1
        cases.append(c)
    digests = plan_reminders(cases, ppl, CAL, None, D(2020, 7, 9))
    office = {ln.number: ln.why("zh") for ln in by_name(digests)["周敏"]}
    assert office == {
        "0100": "承办人李四已屏蔽机器人,无法提醒(定人员未落实),明天到期",
        "0101": "承办人王五已停用,无法提醒(定人员未落实),明天到期",
        "0102": "承办人无名氏不在人员名单中,无法提醒(定人员未落实),明天到期",
        "0103": "未指定承办人,无法提醒(定人员未落实),明天到期",
    }
    li = next(d for d in digests if d.name == "李四")
    assert li.unreachable == "blocked" and li.telegram == 10022
    assert Chain(ppl).handler(cases[0])[1] == "blocked"


def test_json_shape_and_order(sample_year):
    out = plan_json(sample_year[D(2020, 6, 16)])
    assert [d["to"] for d in out] == sorted(d["to"] for d in out)
    for d in out:
        assert set(d) == {"to", "telegram", "cases"}
        for c in d["cases"]:
            assert set(c) == JSON_KEYS
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", c["due"])
            assert c["kind"] in ("suggestion", "proposal") and 0 <= c["level"] <= 4
    zs = next(d for d in out if d["to"] == "张三")
    assert zs == {"to": "张三", "telegram": 10021, "cases": [
        {"kind": "proposal", "number": "0245", "clock": "opinion", "due": "2020-06-30",
         "due_in_days": 14, "overdue_workdays": 0, "level": 0,
         "why": "您是承办人,还有14天【会(协)办意见】"},
        {"kind": "proposal", "number": "0458", "clock": "opinion", "due": "2020-06-30",
         "due_in_days": 14, "overdue_workdays": 0, "level": 0,
         "why": "您是承办人,还有14天【会(协)办意见】"}]}


# ---------------------------------------------------------------- the message


def test_digest_text_fits_and_splits_into_numbered_parts():
    cases = []
    for i in range(70):
        c = one_case(number=f"{i:04d}", title="关于" + "招商引资" * 12 + f"第{i}项的建议",
                     clocks={"reply": Clock(due="2020-07-01")})
        c.id = i + 1
        cases.append(c)
    digest = next(d for d in plan_reminders(cases, people(), CAL, None, D(2020, 7, 20))
                  if d.name == "张三")
    parts = render_digest(digest, D(2020, 7, 20), catch_up=True)
    assert len(parts) == 3 and [p.number for p in parts] == [1, 2, 3]
    assert sum(len(p.lines) for p in parts) == 70
    for p in parts:
        assert len(p.text) <= 4096 and len(p.lines) <= CASES_PER_PART
        assert p.text.startswith("【补发】<b>督办提醒 · 7月20日(星期一)</b>")
        assert f"(第{p.number}/3部分)" in p.text
    assert "共70件需要您关注,其中超期70件。" in parts[0].text
    assert "您是承办人,超期19天(13个工作日)" in parts[0].text
    en = render_digest(digest, D(2020, 7, 20), lang="en")
    assert en[0].text.startswith("<b>Reminders · 7/20 (Mon)</b> (part 1/3)")
    assert "you are the handler, 19 days overdue (13 working days)" in en[0].text


def test_a_huge_digest_is_cut_to_four_messages_and_counts_the_rest():
    cases = []
    for i in range(300):
        due = "2020-07-01" if i % 2 else "2020-07-23"  # half overdue, half due in 3 days
        c = one_case(number=f"{i:04d}", clocks={"reply": Clock(due=due)})
        c.id = i + 1
        cases.append(c)
    digest = next(d for d in plan_reminders(cases, people(), CAL, None, D(2020, 7, 20))
                  if d.name == "张三")
    parts = render_digest(digest, D(2020, 7, 20))
    assert len(parts) == MAX_PARTS and all(len(p.text) <= 4096 for p in parts)
    shown = [ln for p in parts for ln in p.lines]
    assert len(shown) == MAX_PARTS * CASES_PER_PART and all(ln.overdue for ln in shown)
    assert "…另有200件未列出(其中超期50件)" in parts[-1].text
    assert "共300件需要您关注,其中超期150件。" in parts[0].text


def _numbered(parts) -> list[int]:
    return [int(m) for p in parts for m in re.findall(r"^(\d+)\. ", p.text, re.M)]


def test_a_digest_counts_what_it_lists_one_number_per_case():
    """A case owing two clocks (reply overdue, publishing due in 3 days) is one numbered item
    with two rows: the count line says as many cases as the list numbers, also when cut."""
    cases = []
    for i in range(160):
        c = one_case(number=f"{i:04d}", clocks={"reply": Clock(due="2020-07-01")})
        c.id = i + 1
        cases.append(c)

    def digest_of(some):
        d = next(d for d in plan_reminders(some, people(), CAL, None, D(2020, 7, 20))
                 if d.name == "张三")
        d.lines = sorted(d.lines + [ln._replace(clock="publish", due=D(2020, 7, 23),
                                                due_in_days=3, overdue_workdays=0)
                                    for ln in d.lines], key=lambda ln: ln.sort_key())
        return d

    digest = digest_of(cases[:3])
    assert len(digest.lines) == 6 and digest.cases == 3
    parts = render_digest(digest, D(2020, 7, 20))
    assert "共3件需要您关注,其中超期3件。" in parts[0].text
    assert _numbered(parts) == [1, 2, 3]
    text = parts[0].text
    assert text.count("答复截止7月1日") == 3 and text.count("公开截止7月23日") == 3
    parts = render_digest(digest_of(cases), D(2020, 7, 20))
    listed = _numbered(parts)
    assert listed == list(range(1, len(listed) + 1))
    left = 160 - len(listed)
    assert left > 0 and f"…另有{left}件未列出(其中超期{left}件)" in parts[-1].text
    assert "共160件需要您关注,其中超期160件。" in parts[0].text


def test_digest_escapes_html_of_the_data():
    c = one_case(title="关于<b>加粗</b>&的建议", clocks={"reply": Clock(due="2020-07-10")})
    digest = plan_reminders([c], people(), CAL, None, D(2020, 7, 9))[0]
    text = render_digest(digest, D(2020, 7, 9))[0].text
    assert "&lt;b&gt;加粗&lt;/b&gt;&amp;" in text


def test_hash_changes_with_the_content_only():
    c = one_case(clocks={"reply": Clock(due="2020-07-10")})
    a = plan_reminders([c], people(), CAL, None, D(2020, 7, 9))[0]
    b = plan_reminders([c.copy()], people(), CAL, None, D(2020, 7, 9))[0]
    assert a.digest_hash() == b.digest_hash()
    c.set_deadline("2020-07-13")
    d = plan_reminders([c], people(), CAL, None, D(2020, 7, 10))[0]
    assert d.digest_hash() != a.digest_hash()


def test_weekly_summary_counts_by_division_and_stage():
    day = D(2020, 6, 29)
    summary = weekly_summary(morning(day), CAL, None, day)
    assert summary.week_end == D(2020, 7, 5)
    # open: 0484 (to publish), 0312 0405 (co), 0333 0376 0412 0458 (joint), the two work
    # references (archived from June 30), the four continuation cases; due: the six opinions
    assert (summary.open, summary.overdue, summary.due_this_week) == (13, 0, 6)
    rows = {r[0]: r[1:] for r in summary.divisions}
    assert rows["综合处"] == (6, 0, 2)
    assert sum(r[0] for r in rows.values()) == summary.open
    text = render_weekly(summary, "zh")
    assert text.splitlines()[0] == "<b>督办周报 · 6月29日—7月5日</b>"
    assert "在办13件,超期0件,本周到期6件。" in text
    assert "综合处:6 / 0 / 2" in text and len(text) < 1000
    counts = defaultdict(int)
    for case in morning(day):
        if is_open(case):
            counts[case.stage] += 1
    assert dict(summary.stages) == dict(counts)


# ---------------------------------------------------------------- duban remind


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_json_on_the_sample_and_on_a_holiday(capsys, sample_year):
    code, out, _ = run(capsys, "remind", "--date", "2020-06-29", "--json", "--sample")
    assert code == 0
    assert json.loads(out) == plan_json(sample_year[D(2020, 6, 29)])
    code, out, _ = run(capsys, "remind", "--date", "2020-10-05", "--json", "--sample")
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = run(capsys, "remind", "--date", "2020-10-05", "--dry-run", "--sample")
    assert "不是工作日" in out
    code, _, err = run(capsys, "remind", "--date", "2020-6-29", "--json")
    assert code == 2 and "YYYY-MM-DD" in err


def test_cli_reads_the_data_dir_store_read_only(capsys, tmp_path, monkeypatch):
    from bot.cmd.run import load_sample
    from data.store import Store

    data = tmp_path / "var"
    monkeypatch.setenv("DUBAN_DATA_DIR", str(data))
    with Store.open(data) as store:
        load_sample(store, D(2020, 6, 15))
        # the lock is held by this "running bot": --json must still work
        code, out, _ = run(capsys, "remind", "--date", "2020-06-16", "--json")
        assert code == 0
        got = json.loads(out)
        expected = plan_json(plan_reminders(store.cases(), store.people(), CAL, None,
                                            D(2020, 6, 16)))
    assert got == expected and {d["to"] for d in got} >= {"张三", "马骏", "周敏"}
    assert next(d for d in got if d["to"] == "马骏")["telegram"] is None
    code, out, _ = run(capsys, "remind", "--date", "2020-06-16", "--dry-run", "--lang", "en")
    assert code == 0 and "→ 马骏 (not linked, 3 cases)" in out
    assert "cannot be reached: has no linked Telegram account" in out


def test_a_missed_day_is_folded_into_todays_digest_worded_as_today():
    ppl = people()
    soon = one_case(number="0101", clocks={"reply": Clock(due="2020-06-30")})   # 14 days: 6/16
    today_due = one_case(number="0102", clocks={"reply": Clock(due="2020-06-16")})
    today_due.id = 43
    cases = [soon, today_due]
    # without the missed day, Wednesday 6/17 has nothing for 0101 (no offset falls on it)
    plain = {d.name: d for d in plan_reminders(cases, ppl, CAL, None, D(2020, 6, 17))}
    assert [ln.number for ln in plain["张三"].lines] == ["0102"]  # overdue since yesterday
    folded = {d.name: d for d in plan_reminders(cases, ppl, CAL, None, D(2020, 6, 17),
                                                missed=[D(2020, 6, 16)])}
    lines = {ln.number: ln for ln in folded["张三"].lines}
    assert set(lines) == {"0101", "0102"}
    assert lines["0101"].missed == D(2020, 6, 16) and lines["0101"].due_in_days == 13
    assert lines["0101"].why("zh").endswith("还有13天")   # as it stands today
    assert lines["0102"].missed is None and lines["0102"].overdue  # overdue: today's own line
    text = render_digest(folded["张三"], D(2020, 6, 17))[0].text
    assert "6月16日因系统停机未发出的提醒" in text and "今天到期" not in text
    # a case answered while the bot was down owes nothing any more
    soon.stage = "answered"
    soon.clocks["reply"].met = "2020-06-16"
    again = {d.name: d for d in plan_reminders(cases, ppl, CAL, None, D(2020, 6, 17),
                                               missed=[D(2020, 6, 16)])}
    assert [ln.number for ln in again["张三"].lines] == ["0102"]


def test_a_co_handling_case_due_after_june_30_is_pushed_toward_its_own_deadline():
    ppl = people()
    c = one_case(number="0201", role="co", lead_unit="省商务厅",
                 clocks={"opinion": Clock(due="2020-07-15", source="set")})
    # June 16 is the campaign's 14-day mark for June 30: not this case's
    assert plan_reminders([c], ppl, CAL, None, D(2020, 6, 16)) == []
    # July 1: 14 days before its own July 15 deadline, without "6月30日前"
    digests = plan_reminders([c], ppl, CAL, None, D(2020, 7, 1))
    line = digests[0].lines[0]
    assert (line.due, line.campaign) == (D(2020, 7, 15), False)
    assert "6月30日" not in line.why("zh")
    # one due by June 30 is in the campaign
    c.clocks["opinion"] = Clock(due="2020-06-30")
    digests = plan_reminders([c], ppl, CAL, None, D(2020, 6, 16))
    assert digests[0].lines[0].campaign


def test_dry_run_shows_each_leaders_monday_summary(capsys):
    """On the week's first working day (or with --weekly) the preview also shows the summary
    each leader would get, covering what that leader sees."""
    code, out, _ = run(capsys, "remind", "--date", "2020-06-29", "--dry-run", "--sample")
    assert code == 0 and "== 2020-06-29 局领导周一汇总(" in out
    weekly = out.split("局领导周一汇总", 1)[1]
    assert "→ 王强(" in weekly and "督办周报 · 6月29日—7月5日" in weekly
    wang = weekly.split("→ 王强(", 1)[1].split("\n→ ", 1)[0]
    assert "综合处:" in wang and "投资促进一处" not in wang   # only the divisions he leads
    code, out, _ = run(capsys, "remind", "--date", "2020-06-30", "--dry-run", "--sample")
    assert code == 0 and "局领导周一汇总" not in out
    code, out, _ = run(capsys, "remind", "--date", "2020-06-30", "--dry-run", "--sample",
                       "--weekly", "--lang", "en")
    assert code == 0 and "== Leaders' Monday summary, 2020-06-30 (" in out
