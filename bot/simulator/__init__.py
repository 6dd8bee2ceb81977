"""Local Bot API simulator: an aiohttp server on 127.0.0.1 that PTB talks to through
``base_url`` exactly as to Telegram, with simulated users, flood limits and switchable faults.

Usage::

    from bot.simulator import BotApiSimulator, RateLimits

    async with BotApiSimulator(token="123456:TEST-TOKEN") as sim:
        app = (Application.builder().token(sim.token).base_url(sim.base_url)
               .base_file_url(sim.base_file_url).build())
        track_processing(sim, app)                 # bot.simulator.ptb: lets ask() know
        ...start app and polling...
        user = sim.user(1001, "杨", last_name="艳芳", username="yyf")
        grp = sim.group(-100123, "督办群")
        sim.add_to_group(grp, user)                # my_chat_member: user added the bot
        await user.send("/case 0484")              # -> the update (commands get entities)
        replies = await user.ask("/start")         # send, wait until handled, new messages
        await user.ask_press("已答复")              # press the newest button with that label
        await user.send_document("cases.xlsx", data, caption="")
        await user.edit(update, "new text")        # edited_message
        await user.press_data(message_id, "forged:data")
        await grp.send(user, "hi"); await grp.ask(user, "/list")
        sim.channel_post(-100999, "text")
        sim.upgrade_to_supergroup(sim.group(-5123, kind="group"), user)  # -> -1000000005123
        user.messages, user.last, user.last_answer # SimMessage: text, entities, buttons,
                                                   # labels, document (SimFile), render()
        await user.wait_messages(2, timeout=5)     # 2 new bot messages since the last send
        user.block()                               # the bot gets 403 and a my_chat_member
        sim.on_bot_message = lambda chat_id, msg, edited: print(msg.render())
        sim.faults.set(error_5xx=0.05, drop=0.02, seed=1); sim.faults.clear()
        sim.rate_limits = None                     # flood limits off (default: RateLimits())
        sim.stats.calls["sendMessage"], sim.stats.rate_limited, sim.stats.faults

Bot API methods: getMe, deleteWebhook, getWebhookInfo, getUpdates (offset, limit, long-poll
timeout, allowed_updates, 409 for a concurrent poll), sendMessage, sendDocument,
editMessageText, editMessageCaption, editMessageReplyMarkup, deleteMessage,
answerCallbackQuery, getFile (+ file download), setMyCommands, getMyCommands,
deleteMyCommands, sendChatAction, getChat, leaveChat, logOut, close. Anything else answers 404
"Not Found: method not found"; ``sim.register_method(name, handler)`` adds more. Requests may
be JSON, urlencoded or multipart. Errors follow Telegram's wording (empty or too long text,
callback_data over 64 bytes, bad HTML/MarkdownV2, message to edit not found, message is not
modified, bot blocked 403, chat not found...).

Strict where Telegram is: every request's parameters are checked against the method's
(bot.simulator.methods; unknown ones answer 400, ``sim.strict_params = False`` only counts
them in ``stats.unknown_params``); a callback query answered more than 15 s (of the
simulator's clock) after the press is "too old"; inline keyboards hold at most 100 buttons,
8 a row; text length is counted in characters after entity parsing; edits count against the
flood limits; a bot that left a group (leaveChat) cannot send there; names are at most 64+64
characters; ``press_data(..., inaccessible=True)`` presses a message too old to be included;
a basic group upgraded to a supergroup (``upgrade_to_supergroup``) sends the two service
messages and answers every write to its old id 400 with ``migrate_to_chat_id``.

Limits (bot.simulator.limits) and faults (bot.simulator.faults) are documented in their
modules. Everything runs on the caller's event loop; nothing is queued without bound
(pending updates are capped at ``max_pending_updates``). In groups the bot gets only what
privacy mode lets through (commands not for another bot, replies to it, mentions;
``sim.privacy_mode = False``: every message); inline mode, payments, media other than
documents and webhooks are not simulated.
"""

from bot.simulator.chats import SimChat, SimFile, SimMessage, SimUser
from bot.simulator.faults import FaultConfig, Faults
from bot.simulator.limits import RateLimits
from bot.simulator.server import DEFAULT_TOKEN, ApiError, BotApiSimulator, Params, SimStats

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "BotApiSimulator",
    "FaultConfig",
    "Faults",
    "Params",
    "RateLimits",
    "SimChat",
    "SimFile",
    "SimMessage",
    "SimStats",
    "SimUser",
]
