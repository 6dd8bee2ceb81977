"""End-to-end: the supervision queries in chat, by command, by plain text and by button.

The sample bureau as of 2020-06-29 09:30 (conftest): nothing is overdue yet, the
co-handling opinions of 0312, 0376, 0405 (陈静's divisions) and 0412, 0458 (王强's 综合处)
are due on June 30. Moving the clock to July 8 makes those five overdue.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.domain.model import Case, Clock
from bot.domain.timeutil import TZ
from handlers.queries import PRECHECK_GROUP, QUERY_GROUP, Spec, decode, encode

pytestmark = pytest.mark.e2e

JULY_8 = dt.datetime(2020, 7, 8, 9, 0, tzinfo=TZ)
CHEN_CASES = ("0312", "0376", "0405")   # 投资促进一处 / 二处: 陈静 leads them
WANG_CASES = ("0412", "0458")           # 综合处: 王强 leads it
NEXT = "下一页 ›"
PREV = "‹ 上一页"


def texts(messages) -> str:
    return "\n".join(m.text for m in messages)


def numbers(text: str) -> set[str]:
    """Case numbers at the start of list lines."""
    return set(re.findall(r"^(\d{4})\b", text, re.MULTILINE))


# ---------------------------------------------------------------- overdue, by role


async def test_overdue_each_role_sees_only_what_they_may(bot_env):
    bot_env.time.set(JULY_8)
    expected = {
        "周敏": set(CHEN_CASES + WANG_CASES),   # office: everything
        "李明": set(CHEN_CASES + WANG_CASES),   # head: everything
        "王强": set(WANG_CASES),                # leader of 综合处 and 办公室
        "陈静": set(CHEN_CASES),                # leader of the two 投资促进 divisions
        "赵立": set(WANG_CASES),                # head of 综合处
        "张三": {"0458"},                       # handler: his own
        "钱六": {"0405"},
    }
    for name, cases in expected.items():
        reply = await bot_env.user(name).ask("/overdue")
        text = texts(reply)
        assert numbers(text) == cases, (name, text)
        assert f"超期事项 {len(cases)} 件" in text
    wang = texts(await bot_env.user("王强").ask("哪些超期了?"))
    # each line: number, short title, handler; the clock, days and working days, the level
    assert "0412 加强与南亚东南亚经贸合作 · 李四" in wang
    assert "会(协)办意见 超期8天(6个工作日) · 已督办至3级" in wang
    assert "▸ 综合处  2件" in wang
    assert "您分管的处室:综合处、办公室" in wang
    assert "投资促进" not in wang and "马骏" not in wang


async def test_overdue_grouped_by_division_most_overdue_first(bot_env):
    bot_env.time.set(JULY_8)
    case = bot_env.store.find_by_number("0405")[0]  # 投资促进一处, 钱六
    case.set_deadline("2020-06-19")  # 12 working days late by July 8 (Dragon Boat holiday): level 4
    bot_env.store.save_case(case, "test")
    text = texts(await bot_env.user("周敏").ask("/overdue"))
    heads = re.findall(r"^▸ (\S+)", text, re.MULTILINE)
    assert heads == ["投资促进一处", "投资促进二处", "综合处"]
    assert ("0405 推进产业园区精准招商 · 钱六\n"
            "  🔴 会(协)办意见 超期19天(12个工作日) · 已督办至4级") in text


async def test_nothing_overdue_says_so_with_the_next_deadline(bot_env):
    for name, question in (("周敏", "/overdue"), ("王强", "有没有逾期的"), ("张三", "超期情况")):
        text = texts(await bot_env.user(name).ask(question))
        assert text.startswith("✅ 无超期事项。"), text
        assert "下一个到期:" in text and "明天到期(6月30日)" in text
    zhang = await bot_env.user("张三").ask("超期情况")
    assert "0458" in zhang[-1].text
    assert zhang[-1].labels == ["0458 优化招商引资考核评价机制"]  # drill down to it


async def test_overdue_narrowed_by_division_person_and_mine(bot_env):
    bot_env.time.set(JULY_8)
    office = bot_env.user("周敏")
    text = texts(await office.ask("综合处有哪些超期"))
    assert "范围:综合处" in text and numbers(text) == set(WANG_CASES)
    text = texts(await office.ask("马骏有超期的吗"))
    assert "范围:马骏承办的件" in text and numbers(text) == {"0312", "0376"}
    text = texts(await office.ask("/overdue 投资促进一处"))
    assert numbers(text) == {"0405"}
    text = texts(await bot_env.user("张三").ask("我有哪些超期的"))
    assert "范围:您承办的件" in text and numbers(text) == {"0458"}
    # a leader narrowing to a division he does not lead sees nothing of it
    text = texts(await bot_env.user("王强").ask("投资促进二处有哪些超期"))
    assert "0312" not in text and "马骏" not in text


# ---------------------------------------------------------------- paging 120 overdue cases


def _add_overdue(store, n: int) -> None:
    """``n`` lead cases overdue on 2020-06-29: half 综合处 (张三/李四), half 投资促进一处."""
    with store.transaction():
        for i in range(n):
            zh = i % 2 == 0
            due = dt.date(2020, 4, 1) + dt.timedelta(days=i % 50)
            store.add_case(Case(
                kind="suggestion", number=f"9{i:03d}", year=2020, role="lead",
                session="省十三届人大三次会议",
                title=f"关于测试分页功能的长标题示例第{i}号的建议", proposers=["测试代表"],
                division="综合处" if zh else "投资促进一处",
                handler=("张三" if i % 4 == 0 else "李四") if zh else "钱六",
                task="测试", requirements="测试", stage="in_progress", assigned_on="2020-01-02",
                clocks={"reply": Clock(due=due.isoformat())}), "test")


async def _all_pages(user, first) -> tuple[list[str], list[str]]:
    """Press [下一页] to the end; the text of every page and the footers."""
    pages = [first[-1].text]
    while NEXT in user.last.labels:
        reply = await user.ask_press(NEXT)
        assert len(reply) == 1 and reply[0].message_id == first[-1].message_id  # edited
        pages.append(reply[0].text)
    return pages, [re.search(r"第\d+/\d+页,共\d+件", p).group(0) for p in pages]


async def test_paging_across_120_overdue_cases(bot_env):
    _add_overdue(bot_env.store, 120)
    office = bot_env.user("周敏")
    first = await office.ask("/overdue")
    assert first[-1].labels[-1] == NEXT and PREV not in first[-1].labels
    pages, footers = await _all_pages(office, first)
    assert footers == [f"第{k}/12页,共120件" for k in range(1, 13)]
    assert all(len(p) <= 4096 for p in pages)
    seen = [n for p in pages for n in re.findall(r"^(9\d{3})\b", p, re.MULTILINE)]
    assert len(seen) == 120 and len(set(seen)) == 120
    assert "(续)" in "\n".join(pages)  # a division going on from one page to the next
    assert NEXT not in office.last.labels and PREV in office.last.labels
    back = await office.ask_press(PREV)
    assert "第11/12页" in back[0].text
    # each page ends with drill-down buttons: its cases, its divisions, the pages
    labels = back[0].labels
    assert sum(1 for label in labels if re.match(r"9\d{3} ", label)) == 10
    assert any(label.startswith("📂 ") for label in labels)


async def test_paging_is_live_and_per_asker(bot_env):
    _add_overdue(bot_env.store, 120)
    wang = bot_env.user("王强")      # 综合处: 60 of them
    first = await wang.ask("/overdue")
    assert "第1/6页,共60件" in first[-1].text
    assert not re.search(r"钱六|投资促进一处", first[-1].text)
    # a case is answered meanwhile: the next page is computed from the live data
    case = bot_env.store.find_by_number("9000")[0]
    case.clocks["reply"] = Clock(due=case.clocks["reply"].due, met="2020-06-28")
    bot_env.store.save_case(case, "test")
    reply = await wang.ask_press(NEXT)
    assert "第2/6页,共59件" in reply[0].text
    zhang = bot_env.user("张三")    # his own: every fourth one
    pages, footers = await _all_pages(zhang, await zhang.ask("/overdue"))
    assert footers[-1] == "第3/3页,共29件"  # 9000 answered above
    assert all("李四" not in p for p in pages)
    # 王强's page button pressed by 张三 (signed, replayed): 张三 still sees only his own
    button = wang.last.button(NEXT) or wang.last.button(PREV)
    await bot_env.press_raw(zhang, zhang.last.message_id, button["callback_data"])
    assert "李四" not in zhang.last.text and "共29件" in zhang.last.text


async def test_long_search_keyword_pages_through_server_side_state(bot_env):
    _add_overdue(bot_env.store, 24)
    office = bot_env.user("周敏")
    keyword = "测试分页功能的长标题示例第"  # 13 characters: too long for 64 bytes with paging
    reply = await office.ask(f"/find {keyword}")
    assert f"“{keyword}” 找到 24 件" in reply[-1].text and "第1/3页" in reply[-1].text
    reply = await office.ask_press(NEXT)
    assert "第2/3页" in reply[0].text and f"“{keyword}”" in reply[0].text


# ---------------------------------------------------------------- the other questions


@pytest.mark.parametrize("name, question, expected, absent", [
    ("王强", "/due", "6月29日至7月6日到期 2 件", "0312"),
    ("王强", "本周到期的", "6月29日至7月5日到期 2 件", "0312"),
    ("周敏", "6月30日前要办的", "6月29日至6月30日到期 5 件", "0484"),
    ("周敏", "下周要交什么", "7月6日至7月12日没有到期事项", "0458"),
    ("周敏", "/due 本月", "到期", "看不懂"),
    ("周敏", "7天内到期", "6月29日至7月6日到期", "看不懂"),
    ("张三", "/mine", "您的在办件 4 件", "李四"),
    ("张三", "我还有什么没办", "您的在办件 4 件", "李四"),
    ("王强", "我的件", "您目前没有在办件", "0458"),
    ("张三", "0484进展如何", "建议 第0484号", "没太明白"),
    ("张三", "0484怎么样了", "时限:", "没太明白"),
    ("钱六", "查一下绿色食品", "“绿色食品” 找到 1 件", "0484"),
    ("张三", "查一下绿色食品", "没有找到与“绿色食品”有关的件", "0091"),
    ("周敏", "/find 杨艳芳", "0484", "没有找到"),
    ("周敏", "/find 省农业农村厅", "0091", "没有找到"),
    ("周敏", "/find", "请在命令后写关键词", "找到"),
    ("王强", "/division 综合处", "综合处:在办6件,其中超期0件;已办结4件", "0312"),
    ("陈静", "/division 综合处", "不在您的查看范围内", "0458"),
    ("周敏", "/division 投资促进", "有多个处室与“投资促进”相符", "在办"),
    ("周敏", "/division 财务处", "没有找到处室“财务处”", "在办"),
    ("赵立", "/division", "综合处:在办", "请选择"),
    ("王强", "/division", "请选择要查看的处室", "在办"),
    ("王强", "/person 张三", "张三:在办4件,其中超期0件;已办结2件", "改职务"),
    ("张三", "/person 钱六", "不在您的查看范围内", "0405"),
    ("周敏", "/person 无此人", "没有找到承办人“无此人”", "在办"),
    ("周敏", "张三手上有哪些", "张三:在办4件", "没太明白"),
    ("王强", "总体情况", "2020年办理进度", "投资促进"),
    ("周敏", "/progress 2020", "共25件:在办12件,超期0件", "没太明白"),
    ("周敏", "/progress 2019", "2019年没有办件", "共"),
    ("周敏", "办理进度", "先协商后答复", "没太明白"),
    ("张三", "hello", "可以直接问我", "没太明白"),
])
async def test_questions_by_command_and_text(bot_env, name, question, expected, absent):
    text = texts(await bot_env.user(name).ask(question))
    assert expected in text, text
    assert absent not in text, text


async def test_progress_for_a_leader_is_one_short_screen_with_drill_downs(bot_env):
    bot_env.time.set(JULY_8)
    wang = bot_env.user("王强")
    reply = await wang.ask("/progress")
    text = reply[0].text
    assert len([m for m in reply if not m.document]) == 1 and text.count("\n") <= 10
    chart = (await wang.wait_messages(2, timeout=15))[1]  # the chart follows the screen
    assert chart.document.name.endswith(".png")
    assert "共10件:在办6件,超期2件" in text and "超期督办:3级2件" in text
    assert "续办续复在办 2 件" in text and "按时答复" in text and "先协商后答复" in text
    assert reply[0].labels == ["⏰ 超期 2 件", "📂 综合处"]
    overdue = await wang.ask_press("⏰ 超期 2 件")
    assert numbers(overdue[-1].text) == set(WANG_CASES)
    division = await wang.ask_press("📂 综合处")
    assert "综合处:在办6件,其中超期2件" in division[-1].text


async def test_drill_down_from_a_list_to_a_case_and_a_division(bot_env):
    bot_env.time.set(JULY_8)
    chen = bot_env.user("陈静")
    listing = (await chen.ask("/overdue"))[-1]
    card = await chen.ask_press("0405 推进产业园区精准招商")
    assert "建议 第0405号" in card[-1].text and "办理记录" in card[-1].labels
    division = await chen.ask_press("📂 投资促进二处")
    assert "投资促进二处:在办" in division[-1].text
    assert division[-1].message_id != listing.message_id  # drill-down: a new message
    overdue = await chen.ask_press("⏰ 超期 2 件")
    assert numbers(overdue[-1].text) == {"0312", "0376"}


async def test_person_for_everyone_admin_buttons_for_the_office(bot_env):
    office = (await bot_env.user("周敏").ask("/person 张三"))[-1]
    assert "张三 · 承办人" in office.text and "Telegram:已关联" in office.text
    assert "张三:在办4件" in office.text
    assert {"改职务", "改处室", "停用", "0484 招商引资工作"} <= set(office.labels)
    leader = (await bot_env.user("王强").ask("/person 张三"))[-1]
    assert "张三:在办4件" in leader.text and "Telegram" not in leader.text
    assert "停用" not in leader.labels and "0484 招商引资工作" in leader.labels
    # the office changes the position from the merged card: the card stays merged
    await bot_env.user("周敏").ask_press("改职务")
    reply = await bot_env.user("周敏").ask_press("处室负责人")
    assert "张三 · 处室负责人" in reply[-1].text and "张三:在办4件" in reply[-1].text


async def test_the_empty_answers(bot_env):
    assert "无超期事项" in texts(await bot_env.user("李明").ask("/overdue"))
    assert "您目前没有在办件" in texts(await bot_env.user("陈静").ask("/mine"))
    reply = await bot_env.user("周敏").ask("/find 不存在的词")
    assert "没有找到与“不存在的词”有关的件" in texts(reply)
    assert "没有到期事项" in texts(await bot_env.user("周敏").ask("/due 下周"))
    assert "没有办件" in texts(await bot_env.user("周敏").ask("/progress 2019"))
    # a person with no cases at all, and the office with no cases at all
    bot_env.time.set(dt.datetime(2021, 3, 1, 9, 0, tzinfo=TZ))
    assert "2021年没有办件" in texts(await bot_env.user("周敏").ask("/progress"))


# ---------------------------------------------------------------- English, periods, help


async def test_english_questions_and_answers(bot_env):
    bot_env.time.set(JULY_8)
    wang = bot_env.user("王强")
    await wang.ask("/lang en")
    text = texts(await wang.ask("what is overdue?"))
    assert "⏰ 2 overdue" in text and "escalated L3" in text
    assert "8 days overdue (6 working days)" in text
    text = texts(await wang.ask("due this week"))
    assert "Nothing due" in text or " due " in text
    text = texts(await wang.ask("/due 综合处"))
    assert "Could not read “综合处” as a period" in text
    assert "No division" in texts(await wang.ask("/division 财务处"))


async def test_period_not_understood_in_the_users_language(bot_env):
    zhang = bot_env.user("张三")
    assert "看不懂时间范围“综合处”" in texts(await zhang.ask("/due 综合处"))


async def test_text_not_understood_gets_three_commands_and_buttons(bot_env):
    reply = await bot_env.user("张三").ask("天气不错")
    text = reply[-1].text
    lines = text.split("\n")
    assert lines[0] == "没太明白您的问题。您可以试试:" and len(lines) == 4
    assert all(line.startswith("/") for line in lines[1:])
    assert reply[-1].labels  # the suggested queries, one press away
    reply = await bot_env.user("张三").ask("超斯了")  # a typo still points at overdue
    assert "/overdue" in reply[-1].text


# ---------------------------------------------------------------- who gets an answer at all


async def test_unapproved_and_deactivated_get_the_refusal_only(bot_env):
    stranger = bot_env.user(55555, first_name="路人")
    for question in ("哪些超期了?", "0484进展如何", "查一下招商", "/overdue", "/progress"):
        reply = await stranger.ask(question)
        assert len(reply) == 1 and "尚未获批" in reply[0].text, question
        assert not reply[0].labels
    office = bot_env.user("周敏")
    person = bot_env.store.people_named("李四")[0]
    person.active = False
    bot_env.store.save_person(person, "周敏")
    reply = await bot_env.user("李四").ask("我的件")
    assert len(reply) == 1 and "停用" in reply[0].text and "0412" not in reply[0].text
    assert office  # the office is untouched


async def test_groups_get_no_case_data_from_free_text(bot_env):
    zhang = bot_env.user("张三")
    group = bot_env.sim.group(-1001, "督办群")
    assert await group.ask(zhang, "哪些超期了?") == []
    assert await group.ask(zhang, "0484进展如何") == []
    reply = await group.ask(zhang, "/overdue")
    assert "私聊" in texts(reply) and "0458" not in texts(reply)


# ---------------------------------------------------------------- conversations come first


async def test_a_conversation_gets_its_text_first(bot_env):
    """A ConversationHandler of another feature (like /new) takes the text while it is
    active, also on the step that ends it; outside it, text is a question again."""
    async def begin(update, context):
        await update.message.reply_text("请输入标题")
        return 1

    async def title(update, context):
        await update.message.reply_text(f"标题已记录:{update.message.text}")
        return 2

    async def confirm(update, context):
        await update.message.reply_text(f"已确认:{update.message.text}")
        return ConversationHandler.END

    app = bot_env.app
    app.add_handler(ConversationHandler(
        entry_points=[CommandHandler("talk", begin)],
        states={1: [MessageHandler(filters.TEXT & ~filters.COMMAND, title)],
                2: [MessageHandler(filters.Regex("^(好|确认)$"), confirm)]},
        fallbacks=[]))
    app.bot_data.pop("_known_commands", None)
    zhang = bot_env.user("张三")
    assert texts(await zhang.ask("/talk")) == "请输入标题"
    reply = await zhang.ask("哪些超期了")            # a title that looks like a question
    assert texts(reply) == "标题已记录:哪些超期了"
    reply = await zhang.ask("好")                     # the step that ends the conversation
    assert texts(reply) == "已确认:好"
    reply = await zhang.ask("哪些超期了")            # no conversation: a question again
    assert "无超期事项" in texts(reply)
    # other users are not in the conversation
    assert "无超期事项" in texts(await bot_env.user("李四").ask("哪些超期了"))
    assert min(app.handlers) <= PRECHECK_GROUP < 0 < QUERY_GROUP


# ---------------------------------------------------------------- buttons carry the query


@pytest.mark.parametrize("spec", [
    Spec("overdue"),
    Spec("overdue", mine=True, division="综合处", person="张三"),
    Spec("due", start=dt.date(2020, 6, 29), end=dt.date(2020, 7, 5), division="综合处"),
    Spec("mine"),
    Spec("find", text="招商 引资"),
    Spec("find", text=""),
    Spec("division", text="投资促进一处"),
    Spec("person", text="张三", person_id=9),
    Spec("progress", year=2020),
])
def test_button_arguments_round_trip(spec):
    fields = encode(spec)
    assert fields is not None
    code = {"overdue": "o", "due": "u", "mine": "m", "find": "f", "division": "d",
            "person": "p", "progress": "g"}[spec.kind]
    assert decode(code, fields) == spec


def test_garbled_button_arguments_are_refused():
    assert encode(Spec("find", text="a:b")) is None  # kept server-side instead
    assert decode("u", ["2020", "x"]) is None
    assert decode("o", ["z"]) is None
    assert decode("?", []) is None
    assert decode("p", ["x", "张三"]) is None
