"""End-to-end: the real Application polls the simulator; users type as they would."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def texts(messages) -> str:
    return "\n".join(m.text for m in messages)


async def test_start_help_and_case_in_chinese_for_an_approved_user(bot_env):
    zhang = bot_env.user("张三")
    reply = await zhang.ask("/start")
    assert "您好,张三" in texts(reply) and "承办人" in texts(reply)

    reply = await zhang.ask("/help")
    text = texts(reply)
    assert "/case" in text and "/overdue" in text and "哪些超期了" in text
    assert "/report" not in text  # not for a handler

    reply = await zhang.ask("/case 0484")
    card = reply[-1]
    assert "建议 第0484号" in card["text"]
    assert "关于招商引资工作的建议" in card["text"]
    for fix in ("承办处室:综合处", "承办人:张三", "办理任务", "办理要求"):
        assert fix in card["text"]
    assert "答复 2020-07-10 ✓ 2020-06-28完成" in card["text"]
    assert "公开 2020-07-15 还有16天" in card["text"]
    assert "2020-05-12 面商 杨艳芳代表" in card["text"]
    assert "最近记录" in card["text"] and "登记" in card["text"]
    assert "办理记录" in card.labels


async def test_history_button_and_pages(bot_env):
    zhang = bot_env.user("张三")
    await zhang.ask("/case 0484")
    reply = await zhang.ask_press("办理记录")
    assert "办理记录" in texts(reply) and "登记" in texts(reply)


async def test_case_number_variants_and_errors(bot_env):
    office = bot_env.user("周敏")
    assert "建议 第0484号" in texts(await office.ask("/case 484"))
    assert "建议 第0484号" in texts(await office.ask("/case 第0484号"))
    assert "/case 0484" in texts(await office.ask("/case"))
    assert "不是办件编号" in texts(await office.ask("/case 零四八四"))
    assert "没有找到" in texts(await office.ask("/case 9999"))


async def test_unapproved_user_gets_no_case_data(bot_env):
    stranger = bot_env.user(55555, first_name="路人")
    reply = await stranger.ask("/start")
    assert "尚未获批" in texts(reply)
    for command in ("/case 0484", "/history 0484", "/help"):
        reply = await stranger.ask(command)
        assert "0484" not in texts(reply) or "尚未获批" in texts(reply)
        assert "招商引资" not in texts(reply)


async def test_lang_switch_to_english(bot_env):
    zhang = bot_env.user("张三")
    reply = await zhang.ask("/lang en")
    assert "English" in texts(reply)
    reply = await zhang.ask("/case 0484")
    assert "suggestion no. 0484" in texts(reply)
    assert bot_env.store.person_by_telegram(zhang.id).language == "en"


async def test_groups_get_only_help(bot_env):
    zhang = bot_env.user("张三")
    group = bot_env.sim.group(-1001, "督办群")
    reply = await group.ask(zhang, "/case 0484")
    assert "私聊" in texts(reply) and "招商引资" not in texts(reply)
    reply = await group.ask(zhang, "/help")
    # what this group may use: by default only /help (the office's /group adds more)
    assert "/help" in texts(reply) and "/case" not in texts(reply)


async def test_help_shows_each_position_the_commands_it_may_use(bot_env):
    office = "\n".join(m.text for m in await bot_env.user("周敏").ask("/help"))
    handler = "\n".join(m.text for m in await bot_env.user("张三").ask("/help"))
    for command in ("/export", "/people", "/health", "/new", "/report", "/requests"):
        assert command in office, command
    for command in ("/export", "/people", "/health", "/new", "/report"):
        assert command not in handler, command
    for command in ("/mine", "/case", "/update", "/history", "/progress", "/person"):
        assert command in handler, command
