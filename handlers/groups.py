"""The bot in group chats: it answers there only /help and, to any other of its commands,
one pointer to the private chat (handlers.common.guard); it stays only in groups that an
approved person added it to.

Anyone can add a bot to a group. When the one who did is not an approved, active person,
the bot says why in one message and leaves. Updates of groups are also held to a budget of
their own (bot.updates.GroupBudget), so a flooding group waits alone.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ChatMemberHandler, ContextTypes

from bot.domain.access import active
from bot.texts import t
from handlers import FEATURES
from handlers.common import esc, get_store

log = logging.getLogger("duban.groups")

_IN = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.RESTRICTED)


async def on_added(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return
    was_in = change.old_chat_member.status in _IN
    if was_in or change.new_chat_member.status not in _IN:
        return  # not an arrival (a promotion, or the bot removed)
    store = get_store(context)
    adder = change.from_user
    person = store.person_by_telegram(adder.id) if adder is not None else None
    if person is not None and active(person):
        log.info("added to group %s by %s", change.chat.id, person.name)
        return
    lang = context.application.bot_data["config"].lang
    log.warning("added to group %s (%s) by unapproved user %s: leaving", change.chat.id,
                change.chat.title, adder.id if adder else None)
    try:
        await context.bot.send_message(change.chat.id, t("live.group_leave", lang,
                                                         bot=esc(context.bot.username or "")))
    except TelegramError as exc:  # may not write there (a read-only group): leave anyway
        log.info("could not say goodbye in group %s: %s", change.chat.id, exc)
    try:
        await context.bot.leave_chat(change.chat.id)
    except TelegramError as exc:
        log.warning("could not leave group %s: %s", change.chat.id, exc)


def register(app: Application) -> None:
    app.add_handler(ChatMemberHandler(on_added, ChatMemberHandler.MY_CHAT_MEMBER),
                    group=FEATURES)
