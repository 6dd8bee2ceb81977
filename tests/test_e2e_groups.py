"""End-to-end: the bot in group chats. One reply per command, only /help and a pointer to
the private chat, leaving groups an unapproved person added it to, and a flooding group
that waits alone."""

from __future__ import annotations

import pytest

from bot.texts import t

pytestmark = pytest.mark.e2e

POINTER = t("group.private_only", "zh")


async def test_every_group_command_gets_one_reply_at_most(bot_env):
    group = bot_env.sim.group(-100700, "督办群")
    handler = bot_env.user("张三")
    stranger = bot_env.user(70001, first_name="路人")
    for who in (handler, stranger):
        for command in ("/case 0484", "/overdue", "/mine", "/new", "/lang", "/start",
                        "/export 2020", "/history 0484"):
            reply = await group.ask(who, command)
            assert [m.text for m in reply] == [POINTER], (who, command)
    # case information never shows in the group
    assert not any("招商引资" in (m.text or "") for m in group.all_messages)


async def test_help_is_answered_in_a_group_and_foreign_commands_are_not(bot_env):
    group = bot_env.sim.group(-100701, "督办群")
    handler = bot_env.user("张三")
    reply = await group.ask(handler, "/help")
    assert len(reply) == 1 and "/case" in reply[0].text
    assert await group.ask(handler, "/nosuchcommand") == []
    assert await group.ask(handler, "/case@some_other_bot 0484") == []
    assert await group.ask(handler, "招商引资哪些超期了?") == []


async def test_the_bot_leaves_a_group_an_unapproved_person_added_it_to(bot_env):
    stranger = bot_env.user(70002, first_name="<b>路人</b>")
    group = bot_env.sim.group(-100702, "陌生群")
    await bot_env.handled(bot_env.sim.add_to_group(group, stranger))
    assert group.left
    [goodbye] = group.all_messages
    assert goodbye.text == t("live.group_leave", "zh", bot=bot_env.app.bot.username)


async def test_the_bot_stays_in_a_group_an_approved_person_added_it_to(bot_env):
    handler = bot_env.user("张三")
    group = bot_env.sim.group(-100703, "处室群")
    await bot_env.handled(bot_env.sim.add_to_group(group, handler))
    assert not group.left and group.all_messages == []
    reply = await group.ask(handler, "/help")
    assert len(reply) == 1


async def test_a_flooding_group_waits_alone(tmp_path, time_source):
    """With Telegram's flood limits on: 30 commands in a group hold up nobody's private chat;
    the group's excess waits (or is dropped) in its own lane, and no call meets a 429."""
    from bot.simulator import RateLimits
    from tests.conftest import start_bot

    env, stop = await start_bot(tmp_path / "data", time_source, rate_limits=RateLimits())
    try:
        group = env.sim.group(-100704, "刷屏群")
        flooder = env.user("张三")
        for i in range(30):
            await group.send(flooder, f"/case 0{i:03d}")
        office = env.user("周敏")
        reply = await office.ask("/case 0484", timeout=10)
        assert "招商引资" in "\n".join(m.text for m in reply)
        assert len(group.messages) < 30  # the group is still waiting for its turns
        processor = env.app.update_processor
        assert processor.dropped >= 1  # beyond the group's backlog
        assert env.sim.stats.rate_limited == 0
    finally:
        await stop()

