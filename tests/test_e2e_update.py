"""End-to-end: updating cases from the phone (/update, the card's buttons, their flows)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from bot.domain import lifecycle
from bot.domain import workflow as wf
from bot.domain.rules import Rules

pytestmark = pytest.mark.e2e

TODAY = dt.date(2020, 6, 29)


def texts(messages) -> str:
    return "\n".join(m.text for m in messages)


def case_no(store, number: str):
    found = store.find_by_number(number)
    assert len(found) == 1, found
    return store.get_case(found[0].id)


def add_case(store, number: str, role: str = "lead", *, consulted: bool = False,
             answered: str = "", handler: str = "张三", division: str = "综合处"):
    """A case of our own (the sample's are all consulted): registered as /new would."""
    data = {"kind": "suggestion", "number": number, "year": 2020, "session": "省十三届人大三次会议",
            "title": f"关于第{number}号测试的建议", "proposers": ["某代表"], "role": role,
            "lead_unit": "省商务厅" if role in ("co", "joint") else "", "division": division,
            "task": "研究答复", "handler": handler, "deadline": "", "requirements": "按时"}
    case = wf.draft_case(data, dt.date(2020, 5, 20), Rules())  # assigned in May
    if consulted:
        wf.add_consultation(case, "face", dt.date(2020, 6, 1), "某代表", "", handler, TODAY)
    if answered:
        wf.answer(case, None, TODAY, Rules(), answered)
    return store.add_case(case, "周敏")


def signed(env, code: str, *fields) -> str:
    """Signed callback data as the bot's buttons write it: ``code:field:field|sig``."""
    from handlers.common import sign

    return sign(SimpleNamespace(application=env.app), ":".join([code, *map(str, fields)]))


async def test_the_card_offers_the_next_steps_and_a_forward_move(bot_env):
    zhang = bot_env.user("张三")
    head = bot_env.user("赵立")  # reviews the draft (审核)
    reply = await zhang.ask("/update 0458")  # joint, consulted, due June 30
    card = reply[-1]
    assert "提案 第0458号" in card.text
    assert card.labels[:6] == ["记录协商", "已拟复文", "已提交意见", "申请延期", "退回改办",
                               "回退状态"]
    reply = await zhang.ask_press("已拟复文")
    assert "状态已更新为:已拟复文" in texts(reply) and reply[-1].message_id == card.message_id
    assert "已拟复文,送处室负责人审核:赵立" in texts(reply)  # 审核
    assert case_no(bot_env.store, "0458").stage == "drafted"
    assert "已审核" not in reply[-1].labels  # reviewed along the chain, not by a button
    assert head.last.labels[:2] == ["同意", "退回修改"]
    reply = await zhang.ask("/history 0458")
    assert "张三 状态:已协商 → 已拟复文" in texts(reply)


async def test_recording_a_consultation(bot_env):
    zhang = bot_env.user("张三")
    await zhang.ask("/update 0458")
    reply = await zhang.ask_press("记录协商")
    assert "协商方式" in texts(reply)
    assert reply[-1].labels[:5] == ["面商", "电话", "信函", "传媒", "座谈"]
    reply = await zhang.ask_press("座谈")
    assert reply[-1].labels == ["今天 2020-06-29"]
    reply = await zhang.ask("下周五")
    assert "2020-07-10 还没到" in texts(reply)
    reply = await zhang.ask("6月20日")
    assert reply[-1].labels == ["陈永红", "省统计局"]  # the proposer and the lead unit
    assert len(reply) == 1  # the flow took the text, the query feature kept quiet
    reply = await zhang.ask_press("陈永红")
    reply = await zhang.ask("委员对办理思路表示认可")
    assert "已记录协商:座谈 2020-06-20 陈永红" in texts(reply)
    case = case_no(bot_env.store, "0458")
    con = case.consultations[-1]
    assert (con.method, con.on, con.with_whom, con.by) == (
        "meeting", "2020-06-20", "陈永红", "张三")
    assert con.note == "委员对办理思路表示认可" and len(case.consultations) == 2
    history = bot_env.store.history(case.id, limit=1)[-1]
    assert history.who == "张三" and history.field == "consultations"
    assert "座谈 2020-06-20 陈永红" in history.note


async def test_consult_first_refusal_and_the_office_override(bot_env):
    case = add_case(bot_env.store, "0801")
    zhang = bot_env.user("张三")
    await zhang.ask("/update 0801")
    reply = await zhang.ask_press("已答复")
    assert "先协商,后答复" in texts(reply) and reply[-1].labels == ["记录协商"]
    assert bot_env.store.get_case(case.id).stage == "assigned"
    # the office may answer anyway, with a reason kept in the history
    office = bot_env.user("周敏")
    await office.ask("/update 0801")
    reply = await office.ask_press("已答复")
    assert "还没有协商记录" in texts(reply) and "记录协商" in reply[-1].labels
    reply = await office.ask("代表已书面表示无须协商")
    assert "哪天答复" in texts(reply) and reply[-1].labels == ["今天 2020-06-29"]
    reply = await office.ask_press("今天 2020-06-29")
    assert reply[-1].labels == ["A类(已解决或采纳)", "B类(正在解决)", "C类(留作参考)"]
    reply = await office.ask_press("A类(已解决或采纳)")
    assert "已答复(2020-06-29,A类(已解决或采纳))" in texts(reply)
    assert "未协商即答复" in texts(reply)
    stored = bot_env.store.get_case(case.id)
    assert stored.stage == "answered" and stored.reply_class == "A"
    assert stored.clocks["reply"].met == "2020-06-29"
    notes = [ev.note for ev in bot_env.store.history(case.id) if ev.field == "stage"]
    assert notes == ["未协商即答复(办公室批准):代表已书面表示无须协商"]


async def test_b_class_creates_the_continuation_follow_up(bot_env):
    case = add_case(bot_env.store, "0802", consulted=True)
    zhang = bot_env.user("张三")
    await zhang.ask("/update 0802")
    await zhang.ask_press("已答复")
    # the day it happened, typed as people write it: never in the future, never before
    # the case was assigned (2020-05-20)
    reply = await zhang.ask("明天")
    assert "还没到" in texts(reply)
    reply = await zhang.ask("5月10日")
    assert "早于本件交办日期 2020-05-20" in texts(reply)
    await zhang.ask("6月20日")
    reply = await zhang.ask_press("B类(正在解决)")
    assert "已答复(2020-06-20,B类(正在解决))" in texts(reply)
    assert "已设立续办续复时限:2020-12-31" in texts(reply)
    assert "续办续复 2020-12-31 还有185天" in reply[-1].text
    assert "续办答复" in reply[-1].labels
    stored = bot_env.store.get_case(case.id)
    assert stored.clocks["followup"].due == "2020-12-31" and stored.clocks["followup"].open
    assert lifecycle.is_open(stored)  # stays on the books
    reply = await zhang.ask_press("续办答复")
    reply = await zhang.ask_press("今天 2020-06-29")
    reply = await zhang.ask_press("A类(已解决或采纳)")
    assert "续办续复已答复" in texts(reply)
    stored = bot_env.store.get_case(case.id)
    assert stored.clocks["reply"].met == "2020-06-20"
    assert stored.clocks["followup"].met == "2020-06-29"


async def test_an_opinion_is_submitted_through_the_digest_button(bot_env):
    li = bot_env.user("李四")
    case = case_no(bot_env.store, "0412")  # joint, consulted, 李四
    await li.ask("/help")
    answer = await bot_env.press_raw(li, li.last.message_id, signed(bot_env, "close", case.id))
    assert answer is not None
    assert "哪天" in li.last.text and li.last.labels == ["今天 2020-06-29"]
    # sent on Friday, recorded on Monday: on time, dated Friday
    await li.ask("6月26日")
    assert "确认" in li.last.text and "2020-06-26" in li.last.text
    assert li.last.labels == ["确认提交", "取消"]
    reply = await li.ask_press("确认提交")
    assert "已提交会(协)办意见(2020-06-26)" in texts(reply)
    stored = bot_env.store.get_case(case.id)
    assert stored.stage == "answered" and stored.clocks["opinion"].met == "2020-06-26"


async def test_extension_approved_and_refused(bot_env):
    zhang = bot_env.user("张三")
    head = bot_env.user("赵立")
    case = case_no(bot_env.store, "0458")
    await zhang.ask("/update 0458")
    reply = await zhang.ask_press("申请延期")
    assert "现在的时限是 2020-06-30" in texts(reply)
    reply = await zhang.ask("6月29日")
    assert "不在今天之后" in texts(reply)
    reply = await zhang.ask("7月10日")
    assert "理由" in texts(reply)
    reply = await zhang.ask("主办单位要求补充材料")
    assert "等待 赵立 审批" in texts(reply)
    request = head.last
    assert "张三 申请将 提案 第0458号 的时限由 2020-06-30 延至 2020-07-10" in request.text
    assert "主办单位要求补充材料" in request.text and request.labels == ["同意", "不同意"]
    assert bot_env.store.get_case(case.id).deadline == "2020-06-30"  # not before approval
    # a second request waits for the first
    await zhang.ask("/update 0458")
    reply = await zhang.ask_press("申请延期")
    assert "已有一份待审批的延期申请" in texts(reply)

    await bot_env.handled(await head.press("同意", request))
    assert "→ 已同意(赵立)" in head.messages[-1].text or "→ 已同意(赵立)" in request.text
    assert head.last_answer["text"] == "已同意"
    stored = bot_env.store.get_case(case.id)
    assert stored.deadline == "2020-07-10" and stored.clocks["opinion"].source == "extension"
    assert "赵立 同意了您的延期申请" in zhang.last.text
    ev = bot_env.store.history(case.id, limit=1)[-1]
    assert ev.who == "赵立" and "主办单位要求补充材料" in ev.note
    # pressed again (or by someone else): already decided
    answer = await bot_env.press_raw(head, request.message_id, signed(bot_env, "xd", 1, 0))
    assert "已由赵立处理" in answer["text"]

    # refused: the deadline stays, both sides are told
    answer = await bot_env.press_raw(zhang, zhang.last.message_id, signed(bot_env, "ext", case.id))
    reply = await zhang.ask("7月20日")
    reply = await zhang.ask("还需协调")
    request = head.last
    assert "延至 2020-07-20" in request.text
    await bot_env.handled(await head.press("不同意", request))
    assert "请写明理由" in head.last.text  # a refusal says why
    reply = await head.ask("时限已由主办单位确定,不能再延")
    assert "未同意" in texts(reply)
    assert bot_env.store.get_case(case.id).deadline == "2020-07-10"
    assert "赵立 未同意您的延期申请" in zhang.last.text
    assert "理由:时限已由主办单位确定,不能再延" in zhang.last.text
    card = (await head.ask("/case 0458"))[-1].text  # the card keeps the decision and why
    assert "延期申请:张三 申请延至 2020-07-20,赵立 未同意:时限已由主办单位确定,不能再延" in card


async def test_not_satisfied_reopens_the_case(bot_env):
    case = add_case(bot_env.store, "0803", consulted=True, answered="A")
    zhang = bot_env.user("张三")
    head = bot_env.user("赵立")
    reply = await zhang.ask("/update 0803")
    assert "满意度" in reply[-1].labels
    await zhang.ask_press("满意度")
    reply = await zhang.ask_press("不满意")
    assert "默认 2020-07-29" in texts(reply) and reply[-1].labels == ["默认 2020-07-29"]
    reply = await zhang.ask("明天")  # typed dates work too; the default is a button
    assert "重新办理,新时限 2020-06-30" in texts(reply)
    stored = bot_env.store.get_case(case.id)
    assert stored.stage == "in_progress" and stored.satisfaction == "unsatisfied"
    assert stored.deadline == "2020-06-30" and stored.clocks["reply"].open
    assert "提出人对答复不满意(张三 记录)" in head.last.text
    assert "已答复" in reply[-1].labels  # to be answered again


async def test_not_satisfied_with_the_default_deadline(bot_env):
    case = add_case(bot_env.store, "0804", consulted=True, answered="C")
    zhang = bot_env.user("张三")
    await zhang.ask("/update 0804")
    await zhang.ask_press("满意度")
    await zhang.ask_press("不满意")
    await zhang.ask_press("默认 2020-07-29")
    assert bot_env.store.get_case(case.id).deadline == "2020-07-29"
    other = add_case(bot_env.store, "0805", consulted=True, answered="A")
    await zhang.ask("/update 0805")
    await zhang.ask_press("满意度")
    reply = await zhang.ask_press("基本满意")
    assert "已记录满意度:基本满意" in texts(reply)
    assert bot_env.store.get_case(other.id).stage == "feedback"


async def test_two_people_editing_the_same_case(bot_env):
    zhang = bot_env.user("张三")
    head = bot_env.user("赵立")
    await zhang.ask("/update 0458")
    await head.ask("/update 0458")
    # the division head acts first
    await head.ask_press("已拟复文")
    # the handler's card is stale: told, shown the fresh card, nothing written
    version = case_no(bot_env.store, "0458").version
    reply = await zhang.ask_press("记录协商")
    assert "已被赵立于2020-06-29 09:30修改,您的操作未保存" in texts(reply)
    assert "状态:已拟复文" in reply[-1].text and "记录协商" in reply[-1].labels
    assert case_no(bot_env.store, "0458").version == version
    # mid-flow: the handler starts from the fresh card, the head saves meanwhile
    await zhang.ask_press("记录协商")
    await zhang.ask_press("面商")
    await zhang.ask_press("今天 2020-06-29")
    await head.ask("/update 0458")
    await head.ask_press("同意")  # the head reviews the draft (审核) meanwhile
    await zhang.ask_press("陈永红")
    reply = await zhang.ask_press("跳过")
    assert "您的操作未保存" in texts(reply) and "处室负责人 ✓赵立" in reply[-1].text
    stored = case_no(bot_env.store, "0458")
    assert len(stored.consultations) == 1 and [r.by for r in stored.reviews] == ["赵立"]


async def test_a_handler_of_another_division_is_refused(bot_env):
    zhang = bot_env.user("张三")
    wang = bot_env.user("王五")  # 项目管理处
    reply = await zhang.ask("/update 0458")
    data = reply[-1].button("已拟复文")["callback_data"]
    reply = await wang.ask("/update 0458")
    assert "没有找到您可查看的第0458号办件" in texts(reply)
    await wang.ask("/help")
    answer = await bot_env.press_raw(wang, wang.last.message_id, data)
    assert "只有该件的承办人、所在处室负责人或办公室可以更新它" in answer["text"]
    assert answer["show_alert"]
    assert case_no(bot_env.store, "0458").stage == "consulted"
    leader = bot_env.user("王强")  # reads 综合处's cases, does not update them
    reply = await leader.ask("/update 0458")  # may only issue a 督办单 on it
    assert "记录协商" not in reply[-1].labels and "督办单" in reply[-1].labels
    reply = await leader.ask("/case 0458")
    assert "记录协商" not in reply[-1].labels and "办理记录" in reply[-1].labels


async def test_wrongly_assigned_goes_back_to_the_office_who_reassigns(bot_env):
    zhang = bot_env.user("张三")
    office = bot_env.user("周敏")
    li = bot_env.user("李四")
    case = case_no(bot_env.store, "0458")
    await zhang.ask("/update 0458")
    await zhang.ask_press("退回改办")
    reply = await zhang.ask("此件应由投资促进二处承办")
    assert "已退回办公室改办" in texts(reply)
    stored = bot_env.store.get_case(case.id)
    assert (stored.division, stored.handler, stored.stage) == ("", "", "registered")
    assert "张三 将 提案 第0458号 退回改办" in office.last.text
    assert "此件应由投资促进二处承办" in office.last.text
    assert "修改五定" in office.last.labels
    await office.ask_press("修改五定")
    await office.ask_press("定职责(承办处室)")
    reply = await office.ask_press("综合处")
    assert reply[-1].labels == ["赵立", "张三", "李四"]
    reply = await office.ask_press("李四")
    assert "五定已修改" in texts(reply)
    stored = bot_env.store.get_case(case.id)
    assert (stored.division, stored.handler, stored.stage) == ("综合处", "李四", "assigned")
    assert "周敏 将 提案 第0458号 交由您承办" in li.last.text


async def test_changing_the_handler_tells_the_old_and_the_new(bot_env):
    head = bot_env.user("赵立")
    zhang = bot_env.user("张三")
    li = bot_env.user("李四")
    await head.ask("/update 0458")
    reply = await head.ask_press("修改五定")
    assert reply[-1].labels == ["定职责(承办处室)", "定任务", "定人员(承办人)", "定时限",
                                "定要求"]
    await head.ask_press("定人员(承办人)")
    reply = await head.ask_press("李四")
    assert "五定已修改" in texts(reply)
    assert "赵立 已将 提案 第0458号 改由 李四 承办" in zhang.last.text
    assert "交由您承办" in li.last.text and "2020-06-30" in li.last.text
    # the deadline, typed; a past date gets its reason
    await head.ask("/update 0458")
    await head.ask_press("修改五定")
    await head.ask_press("定时限")
    reply = await head.ask("6月1日前")
    assert "⚠" not in texts(reply)  # read as next year's June 1: ahead
    assert case_no(bot_env.store, "0458").deadline == "2021-06-01"


async def test_going_back_needs_a_reason(bot_env):
    head = bot_env.user("赵立")
    await head.ask("/update 0458")
    reply = await head.ask_press("回退状态")
    assert reply[-1].labels == ["办理中", "交办", "登记"]
    await head.ask_press("办理中")
    reply = await head.ask("/back")
    assert "退回到哪一步" in texts(reply)
    await head.ask_press("交办")
    reply = await head.ask("需要重新调研")
    assert "状态已退回:交办" in texts(reply)
    case = case_no(bot_env.store, "0458")
    ev = [e for e in bot_env.store.history(case.id) if e.field == "stage"][-1]
    assert (ev.old, ev.new, ev.who, ev.note) == ("consulted", "assigned", "赵立", "需要重新调研")


async def test_updating_in_english(bot_env):
    zhang = bot_env.user("张三")
    await zhang.ask("/lang en")
    reply = await zhang.ask("/update 0458")
    assert "record consultation" in reply[-1].labels
    reply = await zhang.ask_press("record consultation")
    assert "How?" in texts(reply) and "phone" in reply[-1].labels
    await zhang.ask_press("phone")
    reply = await zhang.ask("next friday")
    assert "has not come yet" in texts(reply)
    reply = await zhang.ask("/cancel")
    assert "cancelled; nothing was saved" in texts(reply)


async def test_update_without_a_number_lists_the_cases_page_by_page(bot_env):
    office = bot_env.user("周敏")
    reply = await office.ask("/update")
    first = reply[-1]
    assert "您可更新的办件" in first.text and "第1/" in first.text
    assert "下一页" in first.labels
    reply = await office.ask_press("下一页")
    assert "第2/" in reply[-1].text and "上一页" in reply[-1].labels
    zhang = bot_env.user("张三")
    reply = await zhang.ask("/update")
    assert "0458" in reply[-1].text and "0256" not in reply[-1].text  # 李四's
