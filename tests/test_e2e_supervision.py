"""End-to-end: supervision as offices practise it: traffic lights on cards and
lists, 签收 (signing for an assigned case), 未签收 in /progress and the morning digest."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from bot.domain import lifecycle
from bot.domain import workflow as wf
from bot.domain.rules import Rules, set_rule
from bot.domain.timeutil import SetTime
from data.views import RULES_SETTING, work_calendar

pytestmark = pytest.mark.e2e

D = dt.date


def texts(messages) -> str:
    return "\n".join(m.text for m in messages)


def signed(env, code: str, *fields) -> str:
    """Signed callback data as the bot's buttons write it: ``code:field:field|sig``."""
    from handlers.common import sign

    return sign(SimpleNamespace(application=env.app), ":".join([code, *map(str, fields)]))


def registered_case(store, number: str, *, handler: str = "", assigned_on: str = "",
                    stage: str = "registered", deadline: str = "2020-08-31", consulted=False):
    """A case the office registered: five fixes but the handler (when ``handler`` is "")."""
    data = {"kind": "suggestion", "number": number, "year": 2020, "session": "省十三届人大三次会议",
            "title": f"关于第{number}号测试的建议", "proposers": ["某代表"], "role": "lead",
            "lead_unit": "", "division": "综合处", "task": "研究答复", "handler": "张三",
            "deadline": deadline, "requirements": "按时"}
    case = wf.draft_case(data, D(2020, 6, 1), Rules())
    if consulted:
        wf.add_consultation(case, "face", D(2020, 6, 5), "某代表", "", "张三", D(2020, 6, 5))
    case.handler, case.stage, case.assigned_on = handler, stage, assigned_on
    return store.add_case(case, "周敏")


async def test_the_card_shows_the_light_in_words(bot_env):
    office = bot_env.user("周敏")
    # 0458 (joint) is due June 30, the day after: yellow, within the 5-day window
    card = (await office.ask("/case 0458"))[-1].text
    assert "🟡 黄灯:会(协)办意见时限 2020-06-30,只剩1个工作日(预警期5个工作日)" in card
    # due Friday July 3, four working days ahead: yellow; with the year's window set to 3
    # working days (duban rules set --year 2020 warn_workdays 3), green
    registered_case(bot_env.store, "0904", handler="张三", assigned_on="2020-06-01",
                    stage="consulted", deadline="2020-07-03", consulted=True)
    card = (await office.ask("/case 0904"))[-1].text
    assert "🟡 黄灯:答复时限 2020-07-03,只剩4个工作日(预警期5个工作日)" in card
    bot_env.store.set_setting(RULES_SETTING, set_rule({}, 2020, "warn_workdays", "3"), "周敏")
    card = (await office.ask("/case 0904"))[-1].text
    assert "🟢 绿灯:按期推进(答复时限 2020-07-03)" in card
    bot_env.store.set_setting(RULES_SETTING, {}, "周敏")
    # a done case is marked done
    card = (await office.ask("/case 0091"))[-1].text
    assert "✅ 已办结" in card
    # a lead case half-way through its time without a consultation is behind schedule
    registered_case(bot_env.store, "0901", handler="张三", assigned_on="2020-05-01",
                    stage="in_progress")
    card = (await office.ask("/case 0901"))[-1].text
    # May 1 to Aug 31 is 122 days: half of it has passed on July 1
    assert "🟢 绿灯:按期推进(答复时限 2020-08-31)" in card and "过半" not in card
    bot_env.time.set(dt.datetime(2020, 7, 1, 9, 0, tzinfo=bot_env.time.now().tzinfo))
    card = (await office.ask("/case 0901"))[-1].text
    assert "🟡 黄灯:办理时间已过半(2020-07-01起),还没有协商记录" in card
    # overdue: red, with its working days; the list lines carry the same marks
    card = (await office.ask("/case 0458"))[-1].text
    assert "🔴 红灯:会(协)办意见已超期1个工作日(时限 2020-06-30)" in card
    lines = texts(await office.ask("/overdue"))
    assert "  🔴 会(协)办意见 超期1天" in lines
    mine = texts(await bot_env.user("张三").ask("/mine"))
    assert "🟡 答复" in mine and "🔴 会(协)办意见" in mine


async def test_a_newly_assigned_handler_signs_for_the_case(bot_env):
    case = registered_case(bot_env.store, "0902")
    office, zhang, li = bot_env.user("周敏"), bot_env.user("张三"), bot_env.user("李四")
    await office.ask("/update 0902")
    await office.ask_press("修改五定")
    await office.ask_press("定人员(承办人)")
    reply = await office.ask_press("张三")
    assert "五定已修改" in texts(reply)
    stored = bot_env.store.get_case(case.id)
    assert stored.stage == "assigned" and lifecycle.awaiting_signature(stored)
    # the handler gets it at once, with [签收] [退回改办]
    note = zhang.last
    assert "交由您承办" in note.text and "签收:未签收(应于 2020-07-01 前签收)" in note.text
    assert note.labels[:1] == ["签收"] and "退回改办" in note.labels
    # another handler may not sign for it (a forged press)
    await li.ask("/mine")
    answer = await bot_env.press_raw(li, li.last.message_id,
                                     signed(bot_env, "uf", "sign", case.id, stored.version))
    assert "只有本件承办人(或办公室)可以签收" in answer["text"]
    assert lifecycle.awaiting_signature(bot_env.store.get_case(case.id))
    # /progress counts it as 未签收
    prog = texts(await office.ask("/progress"))
    assert "未签收:1件(超过签收时限0件)" in prog
    # signing: kept with who and when, on the card and in the history
    reply = await zhang.ask_press("签收")
    assert "已签收(2020-06-29 09:30)" in texts(reply)
    assert "签收:2020-06-29 09:30 张三" in reply[-1].text and "签收" not in reply[-1].labels
    stored = bot_env.store.get_case(case.id)
    zhang_p = bot_env.store.people_named("张三")[0]
    assert (stored.signed_by, stored.signed_by_id) == ("张三", zhang_p.id)
    assert stored.signed_at.startswith("2020-06-29T09:30")
    assert lifecycle.is_signed(stored) and not lifecycle.awaiting_signature(stored)
    history = texts(await zhang.ask("/history 0902"))
    assert "张三 签收时间:— → 2020-06-29T09:30" in history
    assert "未签收" not in texts(await office.ask("/progress"))
    # pressed again (an old message): refused, nothing written
    version = bot_env.store.get_case(case.id).version
    answer = await bot_env.press_raw(zhang, note.message_id,
                                     signed(bot_env, "uf", "sign", case.id, version))
    assert bot_env.store.get_case(case.id).version == version
    # 退回改办 clears the signature: the next handler signs again
    await zhang.ask("/update 0902")
    await zhang.ask_press("退回改办")
    await zhang.ask("不属于本处职责")
    stored = bot_env.store.get_case(case.id)
    assert stored.stage == "registered" and not stored.signed_at and not stored.signed_by


async def test_a_case_not_signed_in_time_is_in_the_morning_digest(tmp_path):
    from tests.test_e2e_reminders import at, launch, plan, wait_run

    monday = D(2020, 6, 29)
    time = SetTime(at(monday, 8, 0), frozen=True)
    env, stop, users = await launch(tmp_path / "data", time, as_of=monday)
    try:
        # assigned Tuesday June 23: signing was due two working days later, June 28 (the
        # Dragon Boat holiday June 25-27 skipped, Sunday June 28 a make-up working day)
        case = registered_case(env.store, "0903", handler="张三", assigned_on="2020-06-23",
                               stage="assigned")
        assert lifecycle.sign_due(case, work_calendar(env.store), Rules()) == D(2020, 6, 28)
        digests = {d.name: d for d in plan(env.store, monday)}
        for name in ("赵立", "周敏"):
            lines = [ln for ln in digests[name].lines if ln.clock == "sign"]
            assert [ln.number for ln in lines] == ["0903"], name
        assert not any(ln.clock == "sign" for ln in digests["张三"].lines)
        time.set(at(monday, 9, 5))
        await wait_run(env.store, monday)
        head = texts(users["赵立"].messages)
        assert "1. 建议0903 第0903号测试 🟡\n   签收截止6月28日 · 您是处室负责人," \
               "交办后未签收,已超过签收时限1个工作日" in head
        office = texts(users["周敏"].messages)
        assert "建议0903" in office and "交办后未签收" in office
        # signed: gone from the next working day's plan
        stored = env.store.get_case(case.id)
        wf.sign(stored, env.store.people_named("张三")[0], "2020-06-29T10:00:00+08:00")
        env.store.save_case(stored, "张三")
        assert not any(ln.clock == "sign" for d in plan(env.store, D(2020, 6, 30))
                       for ln in d.lines)
    finally:
        await stop()


async def test_a_supervision_notice_is_issued_answered_and_chased(bot_env):
    case = registered_case(bot_env.store, "0905", handler="张三", assigned_on="2020-06-01",
                           stage="consulted", consulted=True)
    office, zhang, head = bot_env.user("周敏"), bot_env.user("张三"), bot_env.user("赵立")
    leader_other = bot_env.user("陈静")  # leads the 投资促进 divisions, not 综合处
    # a leader of another division does not get the button, nor may force it
    await leader_other.ask("/mine")
    answer = await bot_env.press_raw(leader_other, leader_other.last.message_id,
                                     signed(bot_env, "uf", "notice", case.id, case.version))
    assert answer["text"] == "督办单由办公室或分管领导下达。"
    assert bot_env.store.get_case(case.id).notices == []
    # the office issues one: what is required, by when (a date as people write it)
    await office.ask("/case 0905")
    reply = await office.ask_press("督办单")
    assert "督办要求是什么" in texts(reply)
    reply = await office.ask("请于本周内与代表再次面商并报送进展")
    assert "什么时候前落实" in texts(reply)
    reply = await office.ask("昨天")
    assert "不在今天之后" in texts(reply)
    reply = await office.ask("7月3日前")
    assert "督办单已下达(时限 2020-07-03),已通知:张三、赵立" in texts(reply)
    card = reply[-1].text
    assert ("督办单:\n · 1. 请于本周内与代表再次面商并报送进展 — 周敏 下达,"
            "时限 2020-07-03(待答复)") in card
    # the handler and the division head get it at once, with the two answers
    for user in (zhang, head):
        note = user.last
        assert "周敏 就 建议 第0905号 下达督办单" in note.text and "2020-07-03" in note.text
        assert note.labels == ["已落实", "说明情况"]
    # tracked like a clock: /due lists it, the light follows its date, the digest chases it
    assert "0905" in texts(await office.ask("/due 本周"))
    stored = bot_env.store.get_case(case.id)
    assert lifecycle.notice_due(stored) == "2020-07-03"
    from tests.test_e2e_reminders import plan

    lines = [ln for d in plan(bot_env.store, D(2020, 7, 2)) if d.name == "张三" for ln in d.lines
             if ln.clock == "notice"]
    assert [(ln.number, ln.due) for ln in lines] == [("0905", D(2020, 7, 3))]
    prog = texts(await office.ask("/progress"))
    assert "督办单:共1份,待答复1份(逾期0份),按期答复0份" in prog
    # overdue once its day passes: /overdue and the card say so
    bot_env.time.set(dt.datetime(2020, 7, 6, 9, 0, tzinfo=bot_env.time.now().tzinfo))
    overdue = texts(await office.ask("/overdue"))
    assert "0905" in overdue and "督办单 超期3天(1个工作日)" in overdue
    # the handler answers: [已落实] with a note (required)
    reply = await zhang.ask_press("已落实")
    assert "请简要说明落实情况" in texts(reply)
    reply = await zhang.ask("7月5日已与代表面商,进展已报送")
    assert "督办单已答复(已落实):7月5日已与代表面商,进展已报送" in texts(reply)
    assert "7月6日" not in texts(reply)
    stored = bot_env.store.get_case(case.id)
    notice = stored.notices[0]
    assert (notice.answer, notice.answered_by, notice.answered_on) == ("done", "张三", "2020-07-06")
    assert not lifecycle.notice_on_time(notice) and lifecycle.notice_due(stored) is None
    assert ("1. 请于本周内与代表再次面商并报送进展 — 周敏 下达,时限 2020-07-03;"
            "张三 2020-07-06 答复(已落实,逾期)") in reply[-1].text
    # the issuer is told; the history keeps both steps
    assert "张三 答复了 建议 第0905号 的督办单(已落实,逾期)" in office.last.text
    history = texts(await office.ask("/history 0905"))
    assert "督办单:请于本周内与代表再次面商并报送进展(时限 2020-07-03)" in history
    assert "答复督办单(已落实):7月5日已与代表面商" in history
    # an old button of an answered notice changes nothing
    version = bot_env.store.get_case(case.id).version
    await head.ask_press("说明情况")
    assert bot_env.store.get_case(case.id).version == version
    # the report counts it: issued 1, answered 1, on time 0
    prog = texts(await office.ask("/progress"))
    assert "督办单:共1份,待答复0份(逾期0份),按期答复0份" in prog
    from bot.domain.report import render_findings, report_figures

    fig = report_figures(bot_env.store.cases(), 2020)
    assert fig.notices["issued"] == 1 and fig.notices["on_time"] == 0
    assert "全年下达督办单1件,已答复1件,其中按期答复0件。" in render_findings(fig)


async def test_a_draft_is_reviewed_along_the_chain_before_it_is_answered(bot_env):
    case = registered_case(bot_env.store, "0906", handler="张三", assigned_on="2020-06-01",
                           stage="consulted", consulted=True)
    zhang, head, leader = bot_env.user("张三"), bot_env.user("赵立"), bot_env.user("王强")
    office = bot_env.user("周敏")
    await zhang.ask("/update 0906")
    reply = await zhang.ask_press("已拟复文")
    assert "已拟复文,送处室负责人审核:赵立" in texts(reply)
    assert "审核:处室负责人 待审核(自 2020-06-29) → 分管领导" in reply[-1].text
    # the draft's text follows: the reviewer gets it
    await zhang.ask_press("复文内容")
    reply = await zhang.ask("感谢您提出的建议。经研究,我厅已会同有关部门制定工作方案……")
    assert "复文内容已附上,已送审核人:赵立" in texts(reply)
    assert "复文:感谢您提出的建议" in reply[-1].text
    # the handler may not answer a draft under review; the button explains why
    reply = await zhang.ask_press("已答复")
    assert "的复文还没有审核完毕" in texts(reply)
    # the division head gets it at once with [同意] [退回修改]; the leader is not asked yet
    note = head.last
    assert "复文待您审核(张三 拟稿)" in note.text and "感谢您提出的建议" in note.text
    assert note.labels[:2] == ["同意", "退回修改"]
    assert not any("复文待您审核" in m.text for m in leader.messages)
    # it is in the reviewer's digest every working day; late after 3, the office too
    from tests.test_e2e_reminders import plan

    lines = {d.name: [ln for ln in d.lines if ln.clock == "review"]
             for d in plan(bot_env.store, D(2020, 6, 30))}
    assert [ln.number for ln in lines["赵立"]] == ["0906"] and not lines.get("周敏")
    assert lines["赵立"][0].why("zh") == "您是处室负责人,复文待您审核"
    late = {d.name: [ln for ln in d.lines if ln.clock == "review"]
            for d in plan(bot_env.store, D(2020, 7, 6))}
    assert [ln.number for ln in late["周敏"]] == ["0906"]
    assert "复文审核已超时2个工作日" in late["周敏"][0].why("zh")
    assert "待审核复文:1件(超时0件)" in texts(await office.ask("/progress"))
    # sending back needs a reason; the handler is told and drafts again
    await head.ask_press("退回修改")
    reply = await head.ask("   ")
    assert "理由" in texts(reply) or "不能为空" in texts(reply)
    reply = await head.ask("请补充资金安排的具体数字")
    assert "已退回修改" in texts(reply)
    assert ("赵立 退回了 建议 第0906号 的复文,请修改后重新提交:"
            "请补充资金安排的具体数字") in zhang.last.text
    stored = bot_env.store.get_case(case.id)
    assert stored.stage == "consulted" and not lifecycle.review_pending(stored)
    assert "上次退回修改:赵立(处室负责人)2020-06-29:请补充资金安排的具体数字" in zhang.last.text
    # round two: the head approves, the leader in charge of the division approves: 已审核
    await zhang.ask("/update 0906")
    await zhang.ask_press("已拟复文")
    await zhang.ask_press("复文内容")
    await zhang.ask("修改后的复文:资金安排为……")
    assert "修改后的复文" in head.last.text
    await head.ask_press("同意")
    assert "转分管领导审核:王强" in head.last.text or "转分管领导审核:王强" in texts(
        head.messages[-2:])
    assert leader.last.labels[:2] == ["同意", "退回修改"]
    reply = await leader.ask_press("同意")
    assert "复文审核完毕" in texts(reply)
    assert "审核:处室负责人 ✓赵立 2020-06-29 → 分管领导 ✓王强 2020-06-29" in reply[-1].text
    assert "建议 第0906号 的复文已审核完毕(王强 最后同意),可以答复了" in zhang.last.text
    stored = bot_env.store.get_case(case.id)
    assert stored.stage == "reviewed" and [r.decision for r in stored.reviews] == [
        "returned", "approved", "approved"]
    # now it can be answered
    await zhang.ask("/update 0906")
    await zhang.ask_press("已答复")
    await zhang.ask_press("今天 2020-06-29")
    reply = await zhang.ask_press("A类(已解决或采纳)")
    assert "已答复(2020-06-29" in texts(reply)
    history = texts(await zhang.ask("/history 0906"))
    assert "审核同意(分管领导)" in history and "审核退回修改(处室负责人)" in history


async def test_the_office_may_answer_a_draft_under_review_with_a_reason(bot_env):
    case = registered_case(bot_env.store, "0907", handler="张三", assigned_on="2020-06-01",
                           stage="consulted", consulted=True)
    zhang, office = bot_env.user("张三"), bot_env.user("周敏")
    bot_env.user("赵立")
    # the year's chain: the division head only (duban rules set --year 2020 review_chain ...)
    bot_env.store.set_setting(RULES_SETTING, set_rule({}, 2020, "review_chain", "division_head"),
                              "周敏")
    await zhang.ask("/update 0907")
    reply = await zhang.ask_press("已拟复文")
    assert "审核:处室负责人 待审核(自 2020-06-29)" in reply[-1].text
    assert "分管领导" not in reply[-1].text
    await office.ask("/update 0907")
    reply = await office.ask_press("已答复")
    assert "复文还没有审核完毕。您是办公室,可以说明理由直接答复" in texts(reply)
    await office.ask("代表来电要求尽快答复,审核人出差")
    await office.ask_press("今天 2020-06-29")
    reply = await office.ask_press("A类(已解决或采纳)")
    assert "未经审核即答复,理由已记入办理记录" in texts(reply)
    stored = bot_env.store.get_case(case.id)
    assert stored.stage == "answered"
    notes = [ev.note for ev in bot_env.store.history(case.id) if ev.field == "stage"]
    assert notes[-1] == "未经审核即答复(办公室批准):代表来电要求尽快答复,审核人出差"


async def test_the_office_asks_which_cases_lack_what(bot_env):
    office = bot_env.user("周敏")
    registered_case(bot_env.store, "0908")                                   # no handler
    registered_case(bot_env.store, "0909", handler="张三", assigned_on="2020-06-23",
                    stage="assigned")                                         # not signed
    registered_case(bot_env.store, "0910", handler="张三", assigned_on="2020-06-01",
                    stage="in_progress", deadline="2020-10-20")               # not consulted
    text = texts(await office.ask("哪些件五定不全?"))
    assert "五定不全的件 1 件" in text and "0908" in text and "缺:定人员(承办人)" in text
    text = texts(await office.ask("哪些件还没签收?"))
    assert "还没签收的件 1 件" in text and "0909" in text and "签收时限 2020-06-28(已超时)" in text
    text = texts(await office.ask("/unconsulted"))
    assert "还没有协商的件" in text and "0910" in text and "0909" in text
    assert "0458" not in text  # consulted
    text = texts(await office.ask("续办件怎么样了?"))
    assert "续办件 4 件" in text and all(n in text for n in ("0153", "0197", "0399", "0193"))
    # what the division sees only: a handler of another division gets none of these
    wang5 = texts(await bot_env.user("王五").ask("哪些件还没签收?"))
    assert "0909" not in wang5 and "没有待签收的件" in wang5
    # dates as people mean them: from the first working day after National Day on
    bot_env.time.set(dt.datetime(2020, 9, 20, 9, 0, tzinfo=bot_env.time.now().tzinfo))
    text = texts(await office.ask("国庆节后到期还没协商的"))
    assert "(10月9日起到期)" in text and "0910" in text and "0909" not in text
    text = texts(await office.ask("国庆节后到期的"))
    assert "10月9日起到期" in text and "0910" in text
    text = texts(await office.ask("10月9日以后到期的有哪些"))
    assert "10月9日起到期" in text and "0910" in text
    assert "0910" in texts(await office.ask("下个月到期的"))
    assert "0910" not in texts(await office.ask("本季度到期的"))
    assert "0910" in texts(await office.ask("年底前到期的"))


async def test_requests_lists_what_waits_with_its_buttons(bot_env):
    office, zhang, head = bot_env.user("周敏"), bot_env.user("张三"), bot_env.user("赵立")
    # a join request, an extension request, a draft to review
    stranger = bot_env.user(777001, first_name="新人")
    await stranger.ask("/start")
    await zhang.ask("/update 0458")
    await zhang.ask_press("申请延期")
    await zhang.ask("7月10日")
    await zhang.ask("主办单位要求补充材料")
    case = registered_case(bot_env.store, "0911", handler="张三", assigned_on="2020-06-01",
                           stage="consulted", consulted=True)
    await zhang.ask("/update 0911")
    await zhang.ask_press("已拟复文")
    await zhang.ask_press("复文内容")
    await zhang.ask("复文稿")
    reply = await head.ask("/requests")
    assert "待处理事项:入职申请0件、延期申请1件、待审核复文1件" in reply[0].text
    ext = next(m for m in reply if "申请将" in m.text)
    assert ext.labels == ["同意", "不同意"]
    rev = next(m for m in reply if "的复文待您审核" in m.text)
    assert rev.labels == ["同意", "退回修改"] and "复文稿" in rev.text
    # the buttons work from this message
    await bot_env.handled(await head.press("同意", rev))
    assert bot_env.store.get_case(case.id).reviews[-1].by == "赵立"
    card = (await head.ask("/case 0458"))[-1].text
    assert "延期申请:张三 申请由 2020-06-30 延至 2020-07-10(待审批):主办单位要求补充材料" in card
    await bot_env.handled(await head.press("同意", ext))
    assert case_no(bot_env.store, "0458").deadline == "2020-07-10"
    card = (await head.ask("/case 0458"))[-1].text
    assert "延期申请:张三 申请延至 2020-07-10,赵立 已同意" in card and "待审批" not in card
    # the office sees the join request; a handler has nothing waiting
    reply = await office.ask("/requests")
    assert "入职申请1件" in reply[0].text
    join = next(m for m in reply[1:] if "新人" in m.text)
    assert len(join.labels) == 4  # approve as handler / division head / leader, or reject
    assert "目前没有待您处理的申请或审核" in texts(await zhang.ask("有哪些申请待审批"))


def case_no(store, number: str):
    found = store.find_by_number(number)
    assert len(found) == 1, found
    return store.get_case(found[0].id)


async def test_the_card_explains_how_its_deadlines_were_counted(bot_env):
    zhang = bot_env.user("张三")
    registered_case(bot_env.store, "0912", handler="张三", assigned_on="2020-06-23",
                    stage="assigned")
    card = (await zhang.ask("/case 0912"))[-1]
    assert "时限怎么算" in card.labels
    reply = await zhang.ask_press("时限怎么算")
    text = texts(reply)
    assert "时限是怎么算的" in text
    assert "签收 2020-06-28:2020-06-23 之后第2个工作日" in text
    assert "跳过节假日:6月25日—6月27日(端午)" in text
    assert "计入调休上班日:6月28日(端午调休上班)" in text
    # someone who may not see the case learns nothing of it
    wang = bot_env.user("王五")
    await wang.ask("/mine")
    data = card.button("时限怎么算")["callback_data"]
    answer = await bot_env.press_raw(wang, wang.last.message_id, data)
    assert "0912" not in (answer["text"] or "") and "签收" not in texts(wang.messages[-1:])


async def test_a_calendar_change_moves_working_day_deadlines_and_tells_the_handler(bot_env):
    from data.deadlines import pending_moves, recompute_deadlines
    from data.views import CALENDAR_SETTING
    from handlers.supervision import tell_deadline_moves

    zhang = bot_env.user("张三")
    case = registered_case(bot_env.store, "0913", handler="张三", assigned_on="2020-08-03",
                           stage="consulted", deadline="2020-11-03", consulted=True)
    case = bot_env.store.get_case(case.id)
    wf.answer(case, None, D(2020, 9, 25), Rules(), "A", cal=work_calendar(bot_env.store))
    case = bot_env.store.save_case(case, "张三")
    assert case.clocks["publish"].due == "2020-10-22"  # 15 working days after Sep 25
    assert recompute_deadlines(bot_env.store, "周敏") == []  # nothing moved yet
    # the office declares Oct 12 a holiday (duban calendar set 2020-10-12 holiday ...)
    bot_env.store.set_setting(CALENDAR_SETTING, {"2020-10-12": {"kind": "holiday",
                                                               "name": "临时调整"}}, "周敏")
    moves = recompute_deadlines(bot_env.store, "周敏")
    assert [(m.clock, m.old, m.new) for m in moves] == [("publish", "2020-10-22", "2020-10-23")]
    stored = bot_env.store.get_case(case.id)
    assert stored.clocks["publish"].due == "2020-10-23"
    note = bot_env.store.history(case.id, limit=1)[-1].note
    assert note == "工作日历调整,按工作日计算的时限由 2020-10-22 改为 2020-10-23"
    assert await tell_deadline_moves(bot_env.app) == 1
    assert "工作日历调整:建议 第0913号 的公开时限由 2020-10-22 改为 2020-10-23" in zhang.last.text
    assert pending_moves(bot_env.store) == [] and await tell_deadline_moves(bot_env.app) == 0


async def test_only_a_decider_may_refuse_an_extension(bot_env):
    zhang, li = bot_env.user("张三"), bot_env.user("李四")
    bot_env.user("赵立")
    await zhang.ask("/update 0458")
    await zhang.ask_press("申请延期")
    await zhang.ask("7月10日")
    await zhang.ask("主办单位要求补充材料")
    doc = bot_env.store.table("extension_requests").all()[-1]
    await li.ask("/mine")
    await bot_env.press_raw(li, li.last.message_id, signed(bot_env, "xr", doc.doc_id))
    assert "请写明理由" not in li.last.text
    assert bot_env.store.table("extension_requests").get(doc_id=doc.doc_id)["status"] == "pending"
