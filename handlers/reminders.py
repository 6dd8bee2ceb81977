"""The morning digest's [收到] button, and knowing who blocked the bot.

[收到] records an acknowledgement (table :data:`ACKS`: person, day, kind, when, message) and
turns the button into ``✓ 已收到``. The digest's other buttons are ``case`` (the card,
handlers/cases.py), ``close`` and ``ext`` (the update flows).

A private chat's ``my_chat_member`` update says when a person blocks the bot (the bot is
``kicked``) or unblocks it: the person's ``reachable`` flag follows, so the next morning's
plan sends nothing to a blocked account and tells the office instead, and a person who
comes back is reminded again. (A block the bot never heard of is found by the send itself:
Telegram's ``Forbidden``, see jobs/reminders.py.) A person the bot could not reach because
they had never started it is reachable again as soon as they send /start.
"""

from __future__ import annotations

import datetime as dt
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest
from telegram.ext import Application, ChatMemberHandler, CommandHandler, ContextTypes, filters

from bot.domain.model import Person
from bot.domain.present import fmt_date
from bot.domain.timeutil import iso_now
from data.tables import REMINDER_ACKS, ReminderAcks
from handlers import MEMBER_GROUP
from handlers.buttons import AckButton
from handlers.common import Ctx, button, get_store, get_time

log = logging.getLogger("duban.reminders")

ACKS = REMINDER_ACKS  # (the table's name, for jobs/reminders.py)
WHO = "system"
_GONE = (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)


def record_ack(store, person: Person, day: dt.date, kind: str, message_id: int | None,
               at: str) -> bool:
    """Record that ``person`` acknowledged ``day``'s digest; False if it already was."""
    return ReminderAcks(store).record(person.id, person.name, day, kind, message_id, at)


def acks_of(store, day: dt.date) -> list[dict]:
    """The acknowledgements of ``day``'s digests."""
    return ReminderAcks(store).of_day(day)


@button(AckButton)
async def ack_button(c: Ctx, b: AckButton) -> None:
    query = c.update.callback_query
    assert query is not None and c.person is not None  # a button press, by a known person
    kind = b.kind
    try:
        day = dt.datetime.strptime(b.day, "%Y%m%d").date()
    except ValueError:
        await c.answer(c.t("remind.ack.bad"), alert=True)
        return
    message = query.message
    record_ack(c.store, c.person, day, kind, message.message_id if message else None,
               iso_now(get_time(c.context)))
    await c.answer(c.t("remind.ack.done", date=fmt_date(day, c.lang)))
    markup = getattr(message, "reply_markup", None)
    if markup is None:
        return
    rows = [[InlineKeyboardButton(c.t("remind.btn.acked"), callback_data=b.callback_data)
             if b.callback_data == query.data else b for b in row]
            for row in markup.inline_keyboard]
    try:
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))
    except BadRequest as exc:  # pressed twice: "message is not modified"
        log.info("ack button not relabelled: %s", exc)


async def on_member_change(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot was blocked or unblocked in a private chat: follow it on the person."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    store = get_store(context)
    person = store.person_by_telegram(change.chat.id)
    if person is None:
        return
    reachable = change.new_chat_member.status not in _GONE
    _set_reachable(store, person, reachable, "Telegram: " + change.new_chat_member.status)


def _set_reachable(store, person: Person, reachable: bool, note: str) -> None:
    if person.reachable != reachable:
        person.reachable = reachable
        person.never_started = False  # a member change or /start: they have the bot now
        store.save_person(person, WHO, note=note)
        log.info("%s is %s", person.name, "reachable again" if reachable else "unreachable")


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start in a private chat: whoever the bot could not reach can be reached now."""
    user = update.effective_user
    if user is None:
        return
    store = get_store(context)
    person = store.person_by_telegram(user.id)
    if person is not None and not person.reachable:
        _set_reachable(store, person, True, "Telegram: /start")


def register(app: Application) -> None:
    # a group of their own: they watch, the features' handlers (group 0) still answer
    app.add_handler(ChatMemberHandler(on_member_change, ChatMemberHandler.MY_CHAT_MEMBER),
                    group=MEMBER_GROUP)
    app.add_handler(CommandHandler("start", on_start, filters=filters.ChatType.PRIVATE
                                   & filters.UpdateType.MESSAGE), group=MEMBER_GROUP)
