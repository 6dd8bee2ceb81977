"""The simulator as strict as Telegram where an audit found it lenient: callback queries
expire, keyboards have limits, every parameter must belong to its method, a bot that left a
group cannot write there, a basic group upgraded to a supergroup is read-only."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden

from bot.simulator import BotApiSimulator
from bot.simulator.server import CALLBACK_TTL


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def clock_sim() -> AsyncIterator[tuple[BotApiSimulator, FakeClock, Bot]]:
    clock = FakeClock()
    sim = await BotApiSimulator(clock=clock, rate_limits=None).start()
    try:
        async with Bot(sim.token, base_url=sim.base_url) as bot:
            yield sim, clock, bot
    finally:
        await sim.stop()


def _keyboard(rows: int, per_row: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(f"{r}.{i}", callback_data=f"{r}.{i}")
                                  for i in range(per_row)] for r in range(rows)])


async def test_a_callback_query_answered_too_late_is_refused(clock_sim):
    sim, clock, bot = clock_sim
    user = sim.user(5001, "A")
    msg = await bot.send_message(5001, "press", reply_markup=_keyboard(1, 1))
    early = await user.press_data(msg.message_id, "0.0")
    late = await user.press_data(msg.message_id, "0.0")
    clock.now += CALLBACK_TTL - 1
    ids = [u["callback_query"]["id"] for u in (early, late)]
    assert await bot.answer_callback_query(ids[0], "in time")
    clock.now += 2  # the second one is now older than the limit
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(ids[1], "too late")
    assert [a["text"] for a in user.answers] == ["in time"]
    assert sim.stats.expired_answers == 1


@pytest.mark.parametrize("rows,per_row,error", [(1, 9, "too many buttons in a row"),
                                                (13, 8, "reply markup is too long")])
async def test_keyboards_beyond_telegrams_limits_are_refused(clock_sim, rows, per_row, error):
    sim, _clock, bot = clock_sim
    user = sim.user(5002, "B")
    with pytest.raises(BadRequest, match="(?i)" + error):
        await bot.send_message(5002, "x", reply_markup=_keyboard(rows, per_row))
    await bot.send_message(5002, "x", reply_markup=_keyboard(12, 8))  # 96 buttons, 8 a row
    await bot.send_message(5002, "x", reply_markup=_keyboard(1, 8))
    assert len(user.messages) == 2


async def test_a_parameter_the_method_does_not_have_is_refused_and_counted(clock_sim):
    sim, _clock, _bot = clock_sim
    sim.user(5003, "C")
    url = f"{sim.base_url}{sim.token}/sendMessage"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"chat_id": 5003, "text": "hi",
                                        "reply_markpu": json.dumps({})}) as resp:
            body = await resp.json()
        assert resp.status == 400 and "reply_markpu" in body["description"]
        async with http.post(url, json={"chat_id": 5003}) as resp:
            assert resp.status == 400 and "text is empty" in (await resp.json())["description"]
        sim.strict_params = False
        async with http.post(url, json={"chat_id": 5003, "text": "hi", "colour": "red"}) as resp:
            assert resp.status == 200
    assert sim.stats.unknown_params == {"sendMessage.reply_markpu": 1, "sendMessage.colour": 1}


async def test_a_bot_that_left_a_group_cannot_write_there(clock_sim):
    sim, _clock, bot = clock_sim
    user = sim.user(5004, "D")
    group = sim.group(-100555, "G")
    update = sim.add_to_group(group, user)
    assert update["my_chat_member"]["new_chat_member"]["status"] == "member"
    await bot.send_message(-100555, "hello")
    assert await bot.leave_chat(-100555)
    with pytest.raises(Forbidden, match="not a member"):
        await bot.send_message(-100555, "still here?")
    with pytest.raises(BadRequest):
        await bot.leave_chat(5004)  # a private chat cannot be left


async def test_privacy_mode_gives_the_bot_only_commands_replies_and_mentions(clock_sim):
    sim, _clock, bot = clock_sim
    user = sim.user(5005, "E")
    group = sim.group(-100556, "G")
    me = sim.bot_user["username"]
    delivered = [await group.send(user, text) for text in
                 ("/help", f"/help@{me}", f"问一下 @{me}")]
    withheld = [await group.send(user, text) for text in ("大家好", "/help@another_bot")]
    ours = await bot.send_message(-100556, "机器人的消息")
    delivered.append(await group.send(user, "回复机器人", reply_to=ours.message_id))
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == sorted(u["update_id"] for u in delivered)
    assert sim.stats.updates_withheld == 2
    assert all(sim.is_processed(u["update_id"]) for u in withheld)


def test_names_longer_than_telegram_allows_are_refused(clock_sim):
    sim = clock_sim[0]
    sim.user(5006, "名" * 64, last_name="姓" * 64)
    with pytest.raises(ValueError, match="64"):
        sim.user(5007, "名" * 65)
    with pytest.raises(ValueError, match="64"):
        sim.user(5008, "名", last_name="姓" * 65)


async def test_a_press_on_a_message_too_old_to_include_is_still_answered(bot_env):
    office = bot_env.user("周敏")
    card = (await office.ask("/case 0484"))[-1]
    data = card.button("办理记录")["callback_data"]
    update = await office.press_data(card.message_id, data, inaccessible=True)
    assert update["callback_query"]["message"]["date"] == 0
    await bot_env.handled(update)
    assert office.last_answer is not None  # the spinner stopped
    assert bot_env.sim.stats.errors.get(400, 0) == 0
    assert "0484" in office.last.text  # the history, shown anew or in place


async def test_a_group_upgraded_to_a_supergroup_moves_and_its_old_id_refuses_writes(clock_sim):
    from telegram.error import ChatMigrated

    sim, _clock, bot = clock_sim
    owner = sim.user(5301, "A")
    old = sim.group(-5301, "督办群", kind="group")
    await bot.send_message(old.id, "before")
    to_update, from_update = sim.upgrade_to_supergroup(old, owner)
    new_id = to_update["message"]["migrate_to_chat_id"]
    assert str(new_id).startswith("-100") and old.migrated_to == new_id
    new = sim.chats[new_id]
    assert new.type == "supergroup" and new.title == "督办群"
    # the service messages, as telegram-bot-api shapes them: no text, the ids
    assert to_update["message"]["chat"]["id"] == old.id and "text" not in to_update["message"]
    assert from_update["message"]["chat"]["id"] == new_id
    assert from_update["message"]["migrate_from_chat_id"] == old.id
    # through privacy mode: service messages are always delivered
    updates = await bot.get_updates(timeout=0)
    assert [u.message.migrate_to_chat_id for u in updates] == [new_id, None]
    assert updates[1].message.migrate_from_chat_id == old.id
    with pytest.raises(ChatMigrated) as err:
        await bot.send_message(old.id, "after")
    assert err.value.new_chat_id == new_id
    with pytest.raises(ChatMigrated):
        await bot.send_chat_action(old.id, "typing")
    assert (await bot.get_chat(old.id)).id == old.id  # reading still works
    await bot.send_message(new_id, "after")
    assert [m.text for m in new.messages] == ["after"]
    assert [m.text for m in old.messages] == ["before"]
    with pytest.raises(ValueError):
        sim.upgrade_to_supergroup(new, owner)  # a supergroup is not upgraded again


async def test_the_migration_error_carries_telegrams_body(clock_sim):
    sim, _clock, _bot = clock_sim
    old = sim.group(-5302, "群", kind="group")
    sim.upgrade_to_supergroup(old, sim.user(5302, "A"), new_id=-1009990005302)
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{sim.base_url}{sim.token}/sendMessage",
                             json={"chat_id": old.id, "text": "x"}) as resp:
            body = json.loads(await resp.text())
    assert resp.status == 400
    assert body == {"ok": False, "error_code": 400,
                    "description": "Bad Request: group chat was upgraded to a supergroup chat",
                    "parameters": {"migrate_to_chat_id": -1009990005302}}
