"""End-to-end: the bot in group chats. One reply per command, by default only /help and a
pointer to the private chat, the commands the office allows a group (/group), leaving
groups an unapproved person added it to, a flooding group that waits alone, and a basic
group upgraded to a supergroup."""

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
    # what the group may use: by default /help only
    assert len(reply) == 1 and "/help" in reply[0].text and "/case" not in reply[0].text
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



# ---------------------------------------------------------------- what the office allows


def _toggle(name: str, on: bool) -> str:
    return t("group.on" if on else "group.off", "zh", command=name, label=t(f"menu.{name}", "zh"))


async def _allow(env, group, name: str) -> None:
    """The office sends /group in the group and switches ``name`` on in its private chat."""
    office = env.user("周敏")
    reply = await group.ask(office, "/group")
    assert [m.text for m in reply] == [t("group.settings_sent", "zh")]
    panel = office.chat.messages[-1]
    assert group.title in panel.text and "⚠️" in panel.text  # the members will see it
    assert _toggle(name, False) in panel.labels
    await office.ask_press(_toggle(name, False))
    assert _toggle(name, True) in office.chat.messages[-1].labels


async def test_the_office_lets_a_group_use_overdue_with_each_askers_permissions(tmp_path,
                                                                                 time_source):
    from tests.conftest import start_bot

    data = tmp_path / "data"
    env, stop = await start_bot(data, time_source)
    try:
        group = env.sim.group(-100710, "综合处<工作>&群")
        handler, stranger = env.user("张三"), env.user(70010, first_name="路人")
        # by default: the pointer, one reply only
        assert [m.text for m in await group.ask(handler, "/overdue")] == [POINTER]
        await _allow(env, group, "overdue")
        # who changed it is in the setting's history
        [event] = [e for e in env.store.setting_history("group_commands")
                   if "overdue" in str(e["new"])]
        assert event["who"] == "周敏"
        # an approved member: the answer, with their own permissions (as in private), and
        # without buttons
        private = await handler.ask("/overdue")
        reply = await group.ask(handler, "/overdue")
        assert len(reply) == 1 and reply[0].text == private[0].text
        assert reply[0].buttons == []
        # an unapproved member: refused, nothing of the cases
        assert [m.text for m in await stranger.chat.sim.chats[group.id].ask(
            stranger, "/overdue")] == [t("access.not_approved", "zh")]
        # what is not allowed still gets the pointer; /help lists what the group may use
        assert [m.text for m in await group.ask(handler, "/due 本周")] == [POINTER]
        [help_] = await group.ask(handler, "/help")
        assert "/overdue" in help_.text and "/due" not in help_.text
        assert "/case" not in help_.text
    finally:
        await stop()
    # the setting survives a restart
    env, stop = await start_bot(data, time_source)
    try:
        group = env.sim.group(-100710, "综合处<工作>&群")
        reply = await group.ask(env.user("张三"), "/overdue")
        assert len(reply) == 1 and reply[0].text != POINTER
        assert [m.text for m in await group.ask(env.user("张三"), "/due")] == [POINTER]
    finally:
        await stop()


async def test_only_the_office_changes_what_a_group_may_use(bot_env):
    group = bot_env.sim.group(-100711, "督办群")
    handler = bot_env.user("张三")
    refused = t("access.office_only", "zh")
    assert [m.text for m in await group.ask(handler, "/group")] == [refused]
    assert [m.text for m in await handler.ask("/group")] == [refused]
    stranger = bot_env.user(70011, first_name="路人")
    assert [m.text for m in await group.ask(stranger, "/group")] == [
        t("access.not_approved", "zh")]
    await _allow(bot_env, group, "progress")
    office = bot_env.user("周敏")
    panel = office.chat.messages[-1]
    switch = panel.button(_toggle("overdue", False))["callback_data"]
    # the office's own (signed) button, pressed by a handler in their chat: refused
    note = await handler.send("/help")
    await bot_env.handled(note)
    answer = await bot_env.press_raw(handler, handler.chat.messages[-1].message_id, switch)
    assert answer["text"] == refused and answer["show_alert"]
    # forged data: refused before any handler
    forged = switch.rsplit("|", 1)[0] + "|AAAAAAAA"
    answer = await bot_env.press_raw(office, panel.message_id, forged)
    assert answer["text"] == t("button.invalid", "zh")
    assert bot_env.store.get_setting("group_commands")[str(group.id)]["commands"] == [
        "progress"]
    # the office's list of groups from the private chat
    reply = await office.ask("/group")
    assert reply[-1].labels == ["督办群"]
    await office.ask_press("督办群")
    assert _toggle("progress", True) in office.chat.messages[-1].labels


async def test_a_group_upgraded_to_a_supergroup_keeps_its_setting(bot_env):
    old = bot_env.sim.group(-5710, "处室群", kind="group")
    handler = bot_env.user("张三")
    await bot_env.handled(bot_env.sim.add_to_group(old, handler))
    await _allow(bot_env, old, "overdue")
    bot_env.app.chat_data[old.id]["kept"] = "yes"  # what a feature keeps for the chat
    moved = bot_env.sim.upgrade_to_supergroup(old, bot_env.user("周敏"))
    for update in moved:
        await bot_env.handled(update)
    new = bot_env.sim.chats[old.migrated_to]
    assert bot_env.store.get_setting("group_commands").keys() == {str(new.id)}
    assert bot_env.app.chat_data[new.id]["kept"] == "yes"
    reply = await new.ask(handler, "/overdue")
    assert len(reply) == 1 and reply[0].text != POINTER
    assert [m.text for m in await new.ask(handler, "/due")] == [POINTER]
    # a message sent to the old id lands in the supergroup (one retry on the new id)
    await bot_env.app.bot.send_message(old.id, "通知")
    assert new.messages[-1].text == "通知"
