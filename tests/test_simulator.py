"""The local Bot API simulator, driven by a real PTB 22 Application and Bot over HTTP."""

from __future__ import annotations

import asyncio
import html
import json
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.simulator import BotApiSimulator, Faults, RateLimits, SimMessage
from bot.simulator.markup import ParseError, auto_entities, parse_text, utf16_len
from bot.simulator.ptb import TrackingUpdateProcessor, track_processing

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("已答复", callback_data="done:0484"),
                                  InlineKeyboardButton("帮助", url="https://example.org")]])


# ------------------------------------------------------------------ a tiny bot under test

async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message and update.effective_user
    name = html.escape(update.effective_user.first_name)
    await update.message.reply_text(f"<b>你好</b>，{name}", parse_mode="HTML",
                                    reply_markup=KEYBOARD)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message and update.effective_message.text
    prefix = "edited: " if update.edited_message else ""
    await update.effective_message.reply_text(prefix + update.effective_message.text)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query
    await query.answer(f"收到 {query.data}")
    await query.edit_message_text(f"已处理 {query.data}")


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message and update.message.document
    file = await update.message.document.get_file()
    data = bytes(await file.download_as_bytearray())
    await update.message.reply_document(data[::-1], filename="reversed.bin",
                                        caption=f"{update.message.document.file_name} reversed")


async def on_channel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.channel_post
    context.bot_data.setdefault("channel", []).append(update.channel_post.text)


AnyApp = Application[Any, Any, Any, Any, Any, Any]


def build_app(sim: BotApiSimulator, hook: str | None = "handler") -> AnyApp:
    builder = (Application.builder().token(sim.token).base_url(sim.base_url)
               .base_file_url(sim.base_file_url))
    if hook == "processor":
        builder = builder.concurrent_updates(TrackingUpdateProcessor(sim))
    app = builder.build()
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(MessageHandler(
        filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGES, on_text))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    app.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POST, on_channel))
    if hook == "handler":
        track_processing(sim, app)
    return app


@pytest.fixture
async def sim() -> AsyncIterator[BotApiSimulator]:
    async with BotApiSimulator() as simulator:
        yield simulator


@pytest.fixture
async def running() -> AsyncIterator[Callable[..., Any]]:
    """Start a simulator and the tiny bot polling it: ``sim, app = await running()``."""
    started: list[tuple[BotApiSimulator, AnyApp]] = []

    async def start(hook: str | None = "handler", **kwargs: Any) -> tuple[BotApiSimulator, Any]:
        simulator = await BotApiSimulator(**kwargs).start()
        app = build_app(simulator, hook)
        await app.initialize()
        await app.start()
        assert app.updater
        await app.updater.start_polling(timeout=5)
        started.append((simulator, app))
        return simulator, app

    yield start
    for simulator, app in started:
        assert app.updater
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await simulator.stop()


@pytest.fixture
async def bot(sim: BotApiSimulator) -> AsyncIterator[Bot]:
    request = HTTPXRequest(connection_pool_size=64, read_timeout=3)
    async with Bot(sim.token, base_url=sim.base_url, base_file_url=sim.base_file_url,
                   request=request, get_updates_request=HTTPXRequest(read_timeout=8)) as b:
        yield b


# ------------------------------------------------------------------ end to end with PTB

async def test_command_text_and_html_reply(running: Callable[..., Any]) -> None:
    sim, _ = await running()
    user = sim.user(1001, "杨", last_name="艳芳", username="yyf")

    update = await user.send("/start@duban_test_bot now")
    assert update["message"]["entities"] == [
        {"type": "bot_command", "offset": 0, "length": 21}]
    [reply] = await user.wait_messages(1)
    assert reply.text == "你好，杨"
    assert reply.entities == [{"type": "bold", "offset": 0, "length": 2}]
    assert reply.source == "<b>你好</b>，杨"
    assert reply.labels == ["已答复", "帮助"]
    assert reply.render() == "你好，杨\n[已答复] [帮助]"
    assert reply["message_id"] == reply.message_id == 2  # ids count per chat

    assert [m.text for m in await user.ask("你好 😀")] == ["你好 😀"]
    assert [m.text for m in user.messages] == ["你好，杨", "你好 😀"]
    assert user.last is user.messages[-1]
    assert sim.stats.calls["sendMessage"] == 2
    assert sim.stats.messages_sent == 2


async def test_button_press_answers_and_edits(running: Callable[..., Any]) -> None:
    sim, _ = await running(hook="processor")
    user = sim.user(1002, "Li")
    seen: list[tuple[int, str, bool]] = []
    sim.on_bot_message = lambda chat_id, msg, edited: seen.append((chat_id, msg.text, edited))
    await user.ask("/start")

    [edited] = await user.ask_press("已答复")
    assert edited.text == "已处理 done:0484" and edited.edits == 1
    assert edited.buttons == []  # editMessageText without reply_markup drops the keyboard
    assert user.last_answer == {"text": "收到 done:0484", "show_alert": False, "url": None,
                                "cache_time": None}
    with pytest.raises(LookupError):
        await user.press("已答复")  # no message carries that button any more
    with pytest.raises(LookupError):
        await user.press("帮助", message=edited)

    forged = await user.press_data(edited.message_id, "forged:data")
    assert await sim.settle(user.chat, forged, 5) == [edited]
    assert edited.text == "已处理 forged:data"
    assert seen == [(1002, "你好，Li", False), (1002, "已处理 done:0484", True),
                    (1002, "已处理 forged:data", True)]
    assert sim.stats.calls["answerCallbackQuery"] == 2


async def test_edits_groups_and_channels(running: Callable[..., Any]) -> None:
    sim, app = await running()
    user, other = sim.user(1004, "Zhao"), sim.user(1005, "Qian")
    grp = sim.group(-100123, "督办群", username="duban_group")

    sent = await user.send("draft")
    await sim.wait_processed(sent["update_id"])
    update = await user.edit(sent, "final")
    assert update["edited_message"]["text"] == "final"
    await sim.wait_processed(update["update_id"])
    assert [m.text for m in user.messages] == ["draft", "edited: final"]
    with pytest.raises(LookupError):
        await other.edit(sent, "not mine")

    # privacy mode (the default): plain text in a group never reaches the bot
    assert await grp.ask(other, "没人@机器人") == [] and sim.stats.updates_withheld == 1
    sim.privacy_mode = False
    replies = await grp.ask(other, "大家好")
    assert [(m.text, m.chat_id, m.reply_to.text if m.reply_to else None) for m in replies] == [
        ("大家好", -100123, "大家好")]
    assert grp.all_messages[0].sender["id"] == 1005  # type: ignore[index]

    post = sim.channel_post(-100999, "公告")
    await sim.wait_processed(post["update_id"])
    assert app.bot_data["channel"] == ["公告"]


async def test_ask_without_processing_hook(running: Callable[..., Any]) -> None:
    sim, _ = await running(hook=None, settle_seconds=0.05)
    user = sim.user(1006, "Sun")
    assert not sim.processing_hook
    assert [m.text for m in await user.ask("one")] == ["one"]
    assert await user.ask("/unknown", timeout=0.3) == []  # the bot stays silent


async def test_duplicate_updates_are_redelivered(running: Callable[..., Any]) -> None:
    sim, _ = await running()
    user = sim.user(1007, "Zhou")
    await user.ask("first")
    sim.faults.set(duplicate_updates=1.0, limit=1)
    second = await user.send("second")
    await sim.wait_processed(second["update_id"])
    # the last confirmed update ("first") came again, so the echo ran for it twice
    assert [m.text for m in user.messages] == ["first", "first", "second"]
    assert sim.stats.faults["duplicate_updates"] == 1
    assert not sim.faults.active


# ------------------------------------------------------------------ documents (both ways)

async def test_user_document_downloaded_and_bot_document_received(
        running: Callable[..., Any]) -> None:
    sim, _ = await running()
    user = sim.user(1008, "Wu")
    update = await user.send_document("cases.xlsx", b"PK\x03\x04 ledger", caption="/import")
    doc = update["message"]["document"]
    assert doc["file_name"] == "cases.xlsx" and doc["file_size"] == 11
    assert doc["mime_type"].endswith("spreadsheetml.sheet")
    assert update["message"]["caption_entities"][0]["type"] == "bot_command"
    await sim.wait_processed(update["update_id"])
    reply = user.last
    assert reply is not None and reply.document is not None
    assert reply.document.name == "reversed.bin"
    assert reply.document.data == b"PK\x03\x04 ledger"[::-1]
    assert reply.text == "cases.xlsx reversed"
    assert "[reversed.bin · 11 B]" in reply.render()
    assert sim.stats.calls["getFile"] == 1 and sim.stats.calls["file"] == 1


# ------------------------------------------------------------------ Bot API semantics

async def test_unknown_method_and_wrong_token(sim: BotApiSimulator, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("fooBar", api_kwargs={"chat_id": 1})
    async with aiohttp.ClientSession() as http, \
            http.post(f"{sim.base_url}{sim.token}/sendDice") as resp:
        assert resp.status == 404
        assert await resp.json() == {"ok": False, "error_code": 404,
                                     "description": "Not Found: method not found"}
    wrong = Bot("999:WRONG", base_url=sim.base_url)
    with pytest.raises(InvalidToken):
        await wrong.initialize()  # asks getMe
    await wrong.shutdown()
    assert sim.stats.errors == {404: 2, 401: 1}


async def test_json_and_urlencoded_bodies(sim: BotApiSimulator) -> None:
    user = sim.user(2001, "A")
    markup = {"inline_keyboard": [[{"text": "ok", "callback_data": "x"}]]}
    async with aiohttp.ClientSession() as http:
        url = f"{sim.base_url}{sim.token}/sendMessage"
        async with http.post(url, json={"chat_id": 2001, "text": "json",
                                        "reply_markup": markup}) as resp:
            body = await resp.json()
        assert body["ok"] and body["result"]["reply_markup"] == markup
        async with http.post(url, data={"chat_id": "2001", "text": "form",
                                        "reply_markup": json.dumps(markup)}) as resp:
            assert (await resp.json())["result"]["text"] == "form"
        async with http.get(url, params={"chat_id": "2001", "text": "query"}) as resp:
            assert resp.status == 200
        async with http.post(url, data=b"{not json",
                             headers={"Content-Type": "application/json"}) as resp:
            assert resp.status == 400
    assert [m.text for m in user.messages] == ["json", "form", "query"]
    assert user.messages[0].labels == ["ok"]


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"text": ""}, "Message text is empty"),
    ({"text": "  \n"}, "Message text is empty"),
    ({"text": "字" * 4097}, "Message is too long"),
    ({"text": "<b>x"}, 'find end tag corresponding to start tag "b"'),
    ({"text": "<b>x</i>"}, 'expected "</b>", found "</i>"'),
    ({"text": "a < b"}, 'Unsupported start tag "" at byte offset 2'),
    ({"text": "<br>"}, 'Unsupported start tag "br" at byte offset 0'),
    ({"text": "x", "parse_mode": "BBCode"}, "Unsupported parse_mode"),
    ({"text": "1.5", "parse_mode": "MarkdownV2"}, "Character '.' is reserved"),
    ({"text": "x", "reply_markup": InlineKeyboardMarkup(
        [[InlineKeyboardButton("b", callback_data="d" * 65)]])}, "Button_data_invalid"),
    ({"text": "x", "reply_to_message_id": 999}, "Message to be replied not found"),
])
async def test_send_message_validation(sim: BotApiSimulator, bot: Bot,
                                       kwargs: dict[str, Any], error: str) -> None:
    sim.user(2002, "B")
    kwargs.setdefault("parse_mode", "HTML")
    with pytest.raises(BadRequest, match="(?i)" + re.escape(error)):
        await bot.send_message(2002, **kwargs)
    assert sim.user(2002).messages == []


async def test_limits_accept_exact_sizes(sim: BotApiSimulator, bot: Bot) -> None:
    user = sim.user(2003, "C")
    # Telegram counts characters (code points) after entity parsing, not UTF-16 units
    await bot.send_message(2003, "😀" * 4096)
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(2003, "😀" * 4096 + "x")
    await bot.send_message(2003, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(2003, "x", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("b", callback_data="数" * 21)]]))  # 63 bytes
    msg = await bot.send_message(2003, "*bold* \\.", parse_mode="MarkdownV2")
    assert msg.text == "bold ." and msg.entities[0].type == "bold"
    assert len(user.messages) == 4


async def test_edit_delete_and_errors(sim: BotApiSimulator, bot: Bot) -> None:
    sim.rate_limits = None  # edits count against the flood limits; this test is about edits
    user = sim.user(2004, "D")
    await user.send("mine")
    msg = await bot.send_message(2004, "v1", reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("v1", 2004, msg.message_id, reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(2004, msg.message_id, reply_markup=KEYBOARD)
    edited = await bot.edit_message_text("<i>v2</i>", 2004, msg.message_id,
                                         parse_mode="HTML", reply_markup=KEYBOARD)
    assert edited.text == "v2" and edited.edit_date is not None
    assert (await bot.edit_message_reply_markup(2004, msg.message_id)).reply_markup is None
    assert user.last is not None and user.last.labels == [] and user.last.edits == 2
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", 2004, 999)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", 2004, 1)  # the user's own message
    assert await bot.delete_message(2004, msg.message_id)
    assert user.messages == []
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(2004, msg.message_id)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(77, "nobody")


async def test_blocked_and_never_started_users(sim: BotApiSimulator, bot: Bot) -> None:
    user = sim.user(2005, "E")
    shy = sim.user(2006, "F", started=False)
    update = user.block()
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(2005, "hi")
    user.unblock()
    await bot.send_message(2005, "hi")
    with pytest.raises(Forbidden, match="initiate conversation"):
        await bot.send_message(2006, "hi")
    await shy.send("/start")
    await bot.send_message(2006, "hi")
    assert sim.stats.errors[403] == 2


async def test_callback_answer_once(sim: BotApiSimulator, bot: Bot) -> None:
    user = sim.user(2007, "G")
    await bot.send_message(2007, "pick", reply_markup=KEYBOARD)
    update = await user.press("已答复")
    query = update["callback_query"]
    assert query["data"] == "done:0484" and query["message"]["text"] == "pick"
    assert await bot.answer_callback_query(query["id"], "ok", show_alert=True)
    assert user.last_answer and user.last_answer["show_alert"] is True
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query["id"])
    with pytest.raises(LookupError):
        await user.press("帮助")  # a URL button sends no callback


async def test_other_methods(sim: BotApiSimulator, bot: Bot) -> None:
    sim.user(2008, "H", username="hh")
    grp = sim.group(-100200, "督办群", username="dbq")
    me = await bot.get_me()
    assert me.username == "duban_test_bot" and me.id == 123456
    await bot.set_my_commands([("start", "开始"), ("case", "查案")])
    await bot.set_my_commands([("help", "help")], language_code="en")
    assert [c.command for c in await bot.get_my_commands()] == ["start", "case"]
    assert [c.command for c in await bot.get_my_commands(language_code="en")] == ["help"]
    with pytest.raises(BadRequest):
        await bot.set_my_commands([("Bad-Name", "x")])
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    assert await bot.send_chat_action(2008, "typing")
    with pytest.raises(BadRequest):
        await bot.send_chat_action(2008, "dancing")
    chat = await bot.get_chat("@dbq")
    assert chat.id == -100200 and chat.title == "督办群"
    assert (await bot.get_chat(2008)).username == "hh"
    sent = await bot.send_message("@dbq", "to the group")
    assert sent.chat.id == -100200 and grp.last and grp.last.text == "to the group"
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("nope")


# ------------------------------------------------------------------ getUpdates

async def test_get_updates_offsets_limit_and_filters(sim: BotApiSimulator, bot: Bot) -> None:
    user = sim.user(3001, "I")
    ids = [(await user.send(f"m{i}"))["update_id"] for i in range(5)]
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates(offset=ids[2])] == ids[2:]
    assert sim.pending_updates == 3
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[4:]
    assert await bot.get_updates(offset=ids[4] + 1) == ()

    await bot.send_message(3001, "b", reply_markup=KEYBOARD)
    await user.press("已答复")
    kept = await user.send("kept")
    assert [u.update_id for u in await bot.get_updates(allowed_updates=["message"])] == [
        kept["update_id"]]  # the callback query was not allowed: dropped for good
    assert sim.stats.updates_dropped == 1
    await user.press("已答复")
    assert [u.callback_query is not None for u in await bot.get_updates(
        offset=kept["update_id"] + 1, allowed_updates=[])] == [True]  # [] means default


async def until_polling(sim: BotApiSimulator, n: int) -> None:
    """Wait (boundedly, not a fixed time) until the simulator has taken the ``n``-th
    getUpdates call in: a long poll is then waiting there."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while sim._poll_seq < n:
        assert loop.time() < deadline, f"getUpdates call {n} never reached the simulator"
        await asyncio.sleep(0.01)


async def test_long_poll_wakes_on_injection_and_on_stop(sim: BotApiSimulator,
                                                        bot: Bot) -> None:
    user = sim.user(3002, "J")
    poll = asyncio.create_task(bot.get_updates(timeout=60))
    await until_polling(sim, 1)
    assert not poll.done()
    await user.send("wake up")
    updates = await asyncio.wait_for(poll, 30)  # well before the 60 s long-poll timeout
    assert updates[0].message and updates[0].message.text == "wake up"

    poll = asyncio.create_task(bot.get_updates(offset=updates[0].update_id + 1, timeout=60))
    await until_polling(sim, 2)
    await sim.stop()
    assert await asyncio.wait_for(poll, 30) == ()


async def test_second_poller_conflicts_the_first(sim: BotApiSimulator, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=60))
    await until_polling(sim, 1)  # the first poll waits at the server before the second comes
    async with aiohttp.ClientSession() as http, \
            http.post(f"{sim.base_url}{sim.token}/getUpdates") as resp:  # another instance
        assert await resp.json() == {"ok": True, "result": []}
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await asyncio.wait_for(first, 30)  # at once, not at the end of its 60 s


# ------------------------------------------------------------------ flood limits

class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_flood_limits_per_chat_overall_and_group() -> None:
    clock = FakeClock()
    limits = RateLimits(per_chat_burst=3, global_burst=10, global_rate=10.0, group_burst=4,
                        group_rate=4 / 60, slack=0.0)
    sim = await BotApiSimulator(rate_limits=limits, clock=clock).start()
    try:
        async with Bot(sim.token, base_url=sim.base_url) as b:
            user = sim.user(4001, "K")
            for _ in range(3):
                await b.send_message(4001, "burst")
            with pytest.raises(RetryAfter, match="Retry in 1 seconds"):
                await b.send_message(4001, "too fast")
            clock.now += 1.0
            await b.send_message(4001, "after a second")
            with pytest.raises(RetryAfter):  # edits count against the limits too
                await b.edit_message_text("edits count", 4001, user.messages[0].message_id)
            clock.now += 1.0
            await b.edit_message_text("edits count", 4001, user.messages[0].message_id)

            for uid in range(4100, 4109):  # 9 more empty the overall bucket of 10
                sim.user(uid, "L")
                await b.send_message(uid, "x")
            with pytest.raises(RetryAfter):
                await b.send_message(4100, "overall")
            clock.now += 10.0

            sim.group(-100300, "G")
            for i in range(4):
                clock.now += 1.0  # stay within the per-chat rate
                await b.send_message(-100300, f"g{i}")
            clock.now += 1.5
            # 4.5 s refilled 0.3 of a message: 0.7 more take 10.5 s at 4 a minute
            with pytest.raises(RetryAfter, match="Retry in 11 seconds"):
                await b.send_message(-100300, "fifth in a minute")
            assert sim.stats.rate_limited == 4 and sim.stats.errors[429] == 4
            assert len(user.messages) == 4

            sim.rate_limits = None
            for _ in range(20):
                await b.send_message(-100300, "unlimited")
    finally:
        await sim.stop()


@pytest.mark.slow
async def test_aio_rate_limiter_gets_through(sim: BotApiSimulator) -> None:
    sim.rate_limits = RateLimits(per_chat_burst=2)
    for uid in range(5000, 5045):
        sim.user(uid, "M")
    limiter = AIORateLimiter(max_retries=3)
    async with ExtBot(sim.token, base_url=sim.base_url, rate_limiter=limiter,
                      request=HTTPXRequest(connection_pool_size=64)) as ext:
        # 45 chats at once: more than the overall burst of 30, paced by the limiter
        await asyncio.gather(*(ext.send_message(uid, "digest") for uid in range(5000, 5045)))
        assert sim.stats.rate_limited == 0
        # 3 messages to one chat exceed its burst: the 429 is retried after retry_after
        await asyncio.gather(*(ext.send_message(5000, f"page {i}") for i in range(3)))
    assert sim.stats.rate_limited >= 1
    assert len(sim.user(5000).messages) == 4
    assert sim.stats.messages_sent == 48


# ------------------------------------------------------------------ faults

async def test_failing_faults_do_not_deliver(sim: BotApiSimulator, bot: Bot) -> None:
    user = sim.user(6001, "N")
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"error_5xx": 1.0}, NetworkError, "Internal Server Error"),
        ({"error_5xx": 1.0}, NetworkError, "Bad Gateway"),
        ({"error_5xx": 1.0}, NetworkError, "Service Unavailable"),
        ({"drop": 1.0}, NetworkError, "disconnected"),
        ({"rate_429": 1.0, "retry_after": 3}, RetryAfter, "Retry in 3"),
        ({"malformed": 1.0}, TelegramError, "Invalid server response"),
        ({"timeout": 1.0, "hang_seconds": 2.0}, TimedOut, "Timed out"),
    ]
    for switches, error, text in cases:
        sim.faults.set(methods={"sendMessage"}, limit=1, **switches)
        with pytest.raises(error, match=text):
            await bot.send_message(6001, "lost?", read_timeout=0.3)
        assert user.messages == [] and not sim.faults.active
    assert sim.stats.faults == {"error_5xx": 3, "drop": 1, "rate_429": 1, "malformed": 1,
                                "timeout": 1}
    assert sim.stats.rate_limited == 0  # injected 429s are not flood-limit refusals
    await bot.send_message(6001, "through")
    assert [m.text for m in user.messages] == ["through"]


async def test_lost_response_delivers_and_slow_succeeds(sim: BotApiSimulator,
                                                        bot: Bot) -> None:
    user = sim.user(6002, "O")
    sim.faults.set(lost_response=1.0, methods={"sendMessage"}, limit=1)
    with pytest.raises(NetworkError):
        await bot.send_message(6002, "delivered anyway")
    assert [m.text for m in user.messages] == ["delivered anyway"]

    sim.faults.set(slow=1.0, slow_seconds=0.2, methods={"sendMessage"}, limit=1)
    loop = asyncio.get_running_loop()
    began = loop.time()
    await bot.send_message(6002, "slowly")
    assert loop.time() - began >= 0.2
    assert sim.stats.faults["slow"] == 1 and sim.stats.faults["lost_response"] == 1
    await bot.get_me()  # other methods are untouched by a methods= filter
    assert len(user.messages) == 2


async def test_duplicate_update_in_a_fresh_batch(sim: BotApiSimulator, bot: Bot) -> None:
    user = sim.user(6003, "P")
    first = await user.send("only")
    sim.faults.set(duplicate_updates=1.0)
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [first["update_id"]] * 2


def test_fault_draws_follow_the_seed() -> None:
    def draws(seed: int) -> list[tuple[str | None, bool]]:
        faults = Faults()
        faults.set(error_5xx=0.2, drop=0.2, malformed=0.1, slow=0.3, seed=seed)
        return [(d.kind, d.slow) for d in (faults.decide("sendMessage") for _ in range(200))]

    assert draws(7) == draws(7) != draws(8)
    kinds = [kind for kind, _ in draws(7)]
    assert 20 <= kinds.count("error_5xx") <= 60 and 20 <= kinds.count("drop") <= 60
    with pytest.raises(ValueError):
        Faults().set(error_5xx=0.7, drop=0.5)
    with pytest.raises(ValueError):
        Faults().set(slow=1.5)


# ------------------------------------------------------------------ markup

def test_html_entities_use_utf16_offsets() -> None:
    text, entities = parse_text('😀 <b>粗 <i>斜</i></b> <a href="https://x.org/?a=1&amp;b=2">'
                                'link</a> &lt;&#65;&gt; <pre><code class="language-py">x'
                                '</code></pre>', "HTML")
    assert text == "😀 粗 斜 link <A> x"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 3},
        {"type": "italic", "offset": 5, "length": 1},
        {"type": "text_link", "url": "https://x.org/?a=1&b=2", "offset": 7, "length": 4},
        {"type": "pre", "language": "py", "offset": 16, "length": 1},
    ]
    with pytest.raises(ParseError, match='Unsupported start tag "foo" at byte offset 8'):
        parse_text("😀 粗<foo>", "HTML")


def test_markdown_modes() -> None:
    assert parse_text("*b* _i_ __u__ ~s~ ||p|| `c` [t](https://x.org) \\!", "MarkdownV2") == (
        "b i u s p c t !", [
            {"type": "bold", "offset": 0, "length": 1},
            {"type": "italic", "offset": 2, "length": 1},
            {"type": "underline", "offset": 4, "length": 1},
            {"type": "strikethrough", "offset": 6, "length": 1},
            {"type": "spoiler", "offset": 8, "length": 1},
            {"type": "code", "offset": 10, "length": 1},
            {"type": "text_link", "offset": 12, "length": 1, "url": "https://x.org"},
        ])
    with pytest.raises(ParseError, match="Can't find end of Bold entity at byte offset 0"):
        parse_text("*open", "MarkdownV2")
    with pytest.raises(ParseError, match="Can't find end of the entity"):
        parse_text("snake_case", "Markdown")
    assert parse_text("*b* `c`", "Markdown") == ("b c", [
        {"type": "bold", "offset": 0, "length": 1}, {"type": "code", "offset": 2, "length": 1}])


@given(st.text(max_size=60))
def test_escaped_html_is_plain_text(text: str) -> None:
    assert parse_text(html.escape(text, quote=False), "HTML") == (text, [])


def test_auto_entities() -> None:
    assert auto_entities("😀 /case@duban_bot 0484 @someone https://x.org a/b") == [
        {"type": "bot_command", "offset": 3, "length": 15},
        {"type": "mention", "offset": 24, "length": 8},
        {"type": "url", "offset": 33, "length": 13},
    ]
    assert utf16_len("😀a") == 3


def test_sim_message_dict_access() -> None:
    sim = BotApiSimulator()
    user = sim.user(7001, "Q")
    msg = user.chat.new_message(sim.bot_user, from_bot=True, text="t")
    assert isinstance(msg, SimMessage) and msg["text"] == "t" and msg.chat_id == 7001
    assert msg.api()["from"]["is_bot"] is True
