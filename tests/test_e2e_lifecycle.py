"""End-to-end: the views of one case agree, through the real bot, as people met them.

Each test is one of the contradictions found trying the bot over a whole year: a view said
done and another overdue, or a message told what was not true.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.domain import lifecycle
from bot.domain.reminders import plan_reminders
from bot.domain.report import report_figures
from bot.domain.timeutil import TZ
from data.ledger import import_ledger
from data.views import rules_table, work_calendar

pytestmark = pytest.mark.e2e

D = dt.date
HEADER = ("类型,编号,年度,会次,标题,提出人,办理方式,主办单位,承办处室,办理任务,承办人,办理时限,"
          "办理要求,交办日期,状态\n")


def at(day: dt.date, hour: int = 9, minute: int = 30) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def texts(messages) -> str:
    return "\n".join(m.text for m in messages)


def numbers(text: str) -> set[str]:
    return set(re.findall(r"^(\d{4})\b", text, re.MULTILINE))


def plan(env, day):
    s = env.store
    return plan_reminders(s.cases(), s.people(), work_calendar(s), rules_table(s), day)


def in_plan(env, day, number: str) -> set[str]:
    """Who gets ``number`` in ``day``'s digests."""
    return {d.name for d in plan(env, day) for ln in d.lines if ln.number == number}


def load(env, rows: str, today: dt.date) -> None:
    result = import_ledger(env.store, (HEADER + rows).encode("utf-8"), "ledger.csv", "周敏",
                           today=today)
    assert not result.problems, result.problems


async def test_an_opinion_imported_as_submitted_without_a_date_is_done_in_every_view(bot_env):
    load(bot_env, "提案,0951,2020,省政协十二届三次会议,关于会办意见的提案,某委员,会办,省商务厅,"
                  "综合处,提出会办意见,张三,2020-06-30,按时提交,2020-03-02,已提交意见\n",
         D(2020, 6, 29))
    july = D(2020, 7, 8)
    bot_env.time.set(at(july))
    case = bot_env.store.find_by_number("0951")[0]
    assert not lifecycle.is_open(case) and lifecycle.timeliness(case) == "undated"
    card = texts(await bot_env.user("张三").ask("/case 0951"))
    assert "已提交" in card and "日期不详" in card and "超期" not in card
    for name, question in (("周敏", "/overdue"), ("赵立", "/overdue"), ("王强", "哪些超期了?")):
        assert "0951" not in numbers(texts(await bot_env.user(name).ask(question))), name
    assert "0951" not in texts(await bot_env.user("张三").ask("/mine"))
    assert in_plan(bot_env, july, "0951") == set()
    fig = report_figures([case], 2020, today=july)
    assert [(r.undated, r.overdue, r.open) for r in fig.timeliness] == [(1, 0, 0)]


async def test_a_lead_case_assigned_in_september_is_not_overdue_on_day_one(bot_env):
    sept = D(2020, 9, 1)
    bot_env.time.set(at(sept))
    load(bot_env, "建议,0952,2020,省十三届人大三次会议,关于九月交办的建议,某代表,主办,,综合处,"
                  "研究答复,张三,,按时答复,2020-09-01,交办\n", sept)
    card = texts(await bot_env.user("张三").ask("/case 0952"))
    assert "已超期" not in card and "2020-07-15" not in card
    assert "答复后确定" in card and "2020-12-01" in card  # reply due 3 months on
    assert "0952" not in numbers(texts(await bot_env.user("周敏").ask("/overdue")))
    # the next morning nobody is escalated to; the handler is not even reminded yet
    assert in_plan(bot_env, D(2020, 9, 2), "0952") == set()


async def test_b_then_unsatisfied_then_a_in_chat(bot_env):
    zhang, office = bot_env.user("张三"), bot_env.user("周敏")
    head = bot_env.user("赵立")
    load(bot_env, "建议,0953,2020,省十三届人大三次会议,关于续办的建议,某代表,主办,,综合处,"
                  "研究答复,张三,2020-06-19,按时答复,2020-03-19,办理中\n", D(2020, 6, 29))
    case = bot_env.store.find_by_number("0953")[0]
    from bot.domain import workflow as wf
    wf.add_consultation(case, "face", D(2020, 5, 6), "某代表", "", "张三", D(2020, 6, 29))
    bot_env.store.save_case(case, "张三")
    # answered B, ten days late (June 29 for a June 19 deadline)
    await zhang.ask("/update 0953")
    await zhang.ask_press("已答复")
    await zhang.ask_press("今天 2020-06-29")
    reply = await zhang.ask_press("B类(正在解决)")
    assert "已设立续办续复时限:2020-12-31" in texts(reply)
    # 不满意: reopened; the head and the office are told, and the handler learns who was
    reply = await zhang.ask_press("满意度")
    reply = await zhang.ask_press("不满意")
    reply = await zhang.ask_press(reply[-1].labels[0])  # the default new deadline
    assert "已通知:赵立、周敏" in texts(reply)
    assert "不满意" in head.last.text and "不满意" in office.last.text
    stored = bot_env.store.get_case(case.id)
    assert stored.first_reply_on == "2020-06-29" and "followup" not in stored.clocks
    assert "首次答复:2020-06-29" in reply[-1].text
    # answered again as A: no follow-up, satisfaction asked anew, still late for the report
    await zhang.ask_press("已答复")
    await zhang.ask_press("今天 2020-06-29")
    reply = await zhang.ask_press("A类(已解决或采纳)")
    stored = bot_env.store.get_case(case.id)
    assert "续办答复" not in reply[-1].labels and "followup" not in stored.clocks
    assert stored.satisfaction == "" and lifecycle.timeliness(stored) == "late"
    assert not re.search(r"^满意度:", reply[-1].text, re.MULTILINE)
    # the reminders never chase the old follow-up: only publishing is left to chase
    assert {ln.clock for d in plan(bot_env, D(2020, 12, 31)) for ln in d.lines
            if ln.number == "0953"} == {"publish"}


async def test_progress_and_report_count_the_continuations_alike(bot_env):
    bot_env.time.set(at(D(2020, 12, 31)))
    text = texts(await bot_env.user("周敏").ask("/progress 2020"))
    done, of = map(int, re.search(r"按时答复 (\d+)/(\d+)", text).groups())
    fig = report_figures(bot_env.store.cases(), 2020, today=D(2020, 12, 31))
    rows = [r for r in fig.timeliness if r.applies]
    assert (done, of) == (sum(r.on_time for r in rows), sum(r.on_time + r.late for r in rows))
    assert any(r.role == "continuation" for r in rows)  # counted in both, on one main clock


async def test_deactivating_warns_of_the_cases_mine_lists(bot_env):
    office, zhang = bot_env.user("周敏"), bot_env.user("张三")
    # an in-progress case with no deadline yet is open for /mine and for the warning alike
    case = bot_env.store.find_by_number("0458")[0]
    case.clocks.clear()
    bot_env.store.save_case(case, "test")
    mine = texts(await zhang.ask("/mine"))
    listed = numbers(mine) or set(re.findall(r"(\d{4})", mine))
    assert "0458" in listed
    await office.ask("/person 张三")
    reply = await office.ask_press("停用")
    n = int(re.search(r"还有(\d+)件在办件", texts(reply)).group(1))
    held = {c.number for c in bot_env.store.cases() if c.handler == "张三" and lifecycle.is_open(c)}
    assert n == len(held) and n > 0
    assert "0458" in texts(reply)


async def test_digest_buttons_and_weekly_summaries_follow_sight(bot_env):
    from jobs.reminders import run_day, run_weekly

    users = {p.name: bot_env.sim.user(p.telegram, first_name=p.name)
             for p in bot_env.store.people() if p.telegram}
    july = D(2020, 7, 13)  # a Monday: 0412/0458 (综合处) and three of 陈静's are overdue
    bot_env.time.set(at(july, 9, 0))
    await run_day(bot_env.app, july)
    handler = users["张三"].messages[-1]
    assert "已办结" in handler.labels and "申请延期" in handler.labels
    head = users["赵立"].messages[-1]   # the division head may act on his division's cases
    assert "已办结" in head.labels
    # the leader of 综合处 is alerted at level 3 but may not update: [查看] alone
    leader = users["王强"].messages[-1]
    assert leader.labels and all(("查看" in b) or b == "收到" for b in leader.labels), leader.labels
    for name, user in users.items():
        for m in user.messages:
            for number in re.findall(r"(?:建议|提案)(\d{4})", m.text):
                case = next(c for c in bot_env.store.find_by_number(number))
                from bot.domain.access import can
                person = bot_env.store.people_named(name)[0]
                assert can(person, "view", case), (name, number)
    await run_weekly(bot_env.app, july)
    # the summary's text (a chart of the same cases follows it as a document)
    wang, chen, li = ([m for m in users[n].messages if not m.document][-1].text
                      for n in ("王强", "陈静", "李明"))
    assert "综合处" in wang and "投资促进" not in wang
    assert "投资促进" in chen and "综合处" not in chen
    assert "综合处" in li and "投资促进" in li
