"""The bot in group chats: it answers there /help, the commands the office allowed in that
group (``/group``: GroupSettings; with the asker's own permissions, the domain's
``group_may_answer``) and, to any other of its commands, one pointer to the private chat
(handlers.common.guard); it stays only in groups that an approved person added it to.

``/group`` (office): in a group, the group's switches are sent to the office person's
private chat; in the private chat, the known groups to choose from. Every change is in the
setting's history with who made it. A basic group upgraded to a supergroup keeps its
setting and its chat_data under the new id (the migration service messages).

Anyone can add a bot to a group. When the one who did is not an approved, active person,
the bot says why in one message and leaves. Updates of groups are also held to a budget of
their own (bot.updates.GroupBudget), so a flooding group waits alone.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ChatMemberHandler, ContextTypes, MessageHandler, filters

from bot.domain.access import GROUP_ALLOWABLE, active, decide
from bot.texts import t
from data.tables import GroupSettings
from handlers import FEATURES
from handlers.buttons import GroupButton, GroupToggleButton
from handlers.common import Ctx, btn, button, command, esc, get_store, guard, keyboard

log = logging.getLogger("duban.groups")

_IN = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.RESTRICTED)


async def on_added(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return
    was_in = change.old_chat_member.status in _IN
    store = get_store(context)
    if was_in and change.new_chat_member.status not in _IN:
        # removed: what the office allowed there is forgotten (added again, it starts anew)
        GroupSettings(store).forget(change.chat.id, "system")
        return
    if was_in or change.new_chat_member.status not in _IN:
        return  # not an arrival (a promotion)
    adder = change.from_user
    person = store.person_by_telegram(adder.id) if adder is not None else None
    if person is not None and active(person):
        log.info("added to group %s by %s", change.chat.id, person.name)
        GroupSettings(store).note(change.chat.id, change.chat.title or str(change.chat.id),
                                  person.name)
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


# ---------------------------------------------------------------- /group: the office's switches


def panel(c: Ctx, chat_id: int, title: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text and switches of one group's setting."""
    allowed = set(GroupSettings(c.store).commands(chat_id))
    rows = [[btn(c.context, c.t("group.on" if name in allowed else "group.off", command=name,
                                label=c.t(f"menu.{name}")), GroupToggleButton(str(chat_id), name))]
            for name in GROUP_ALLOWABLE]
    return c.t("group.panel", title=esc(title)), keyboard(rows)


@guard("edit_groups", groups=True)
async def group_cmd(c: Ctx) -> None:
    settings = GroupSettings(c.store)
    if c.chat.type == ChatType.PRIVATE:
        groups = settings.groups()
        if not groups:
            await c.reply(c.t("group.none"))
            return
        rows = [[btn(c.context, title[:40], GroupButton(str(chat_id)))]
                for chat_id, title, _ in groups[:50]]
        await c.reply(c.t("group.choose"), keyboard(rows))
        return
    title = c.chat.title or str(c.chat_id)
    settings.note(c.chat_id, title, c.who)
    text, markup = panel(c, c.chat_id, title)
    try:  # the switches go to the office person's private chat, not to every member
        await c.context.bot.send_message(c.user.id, text, reply_markup=markup)
    except Forbidden:
        await c.reply(c.t("group.settings_unreachable"))
        return
    await c.reply(c.t("group.settings_sent"))


def _chosen_group(c: Ctx, chat: str) -> tuple[int, str] | None:
    try:
        chat_id = int(chat)
    except ValueError:
        return None
    title = GroupSettings(c.store).title(chat_id)
    return None if title is None else (chat_id, title)


@button(GroupButton)
async def group_button(c: Ctx, b: GroupButton) -> None:
    """A group chosen from /group's list: its switches."""
    decision = decide(c.person, "edit_groups")
    if not decision:
        await c.refuse(decision.reason)
        return
    chosen = _chosen_group(c, b.chat)
    if chosen is None:
        await c.answer(c.t("group.unknown"), alert=True)
        return
    await c.edit_or_reply(*panel(c, *chosen))


@button(GroupToggleButton)
async def toggle_button(c: Ctx, b: GroupToggleButton) -> None:
    """One switch: the command allowed in the group, or no longer."""
    decision = decide(c.person, "edit_groups")
    if not decision:
        await c.refuse(decision.reason)
        return
    chosen = _chosen_group(c, b.chat)
    name = b.command
    if name not in GROUP_ALLOWABLE:
        await c.answer(c.t("button.invalid"), alert=True)
        return
    if chosen is None:
        await c.answer(c.t("group.unknown"), alert=True)
        return
    chat_id, title = chosen
    settings = GroupSettings(c.store)
    allowed = settings.commands(chat_id)
    on = name not in allowed
    allowed = [n for n in GROUP_ALLOWABLE if (n in allowed) != (n == name)]
    settings.set_commands(chat_id, title, allowed, c.who)
    log.info("group %s (%s): /%s %s by %s", chat_id, title, name, "on" if on else "off", c.who)
    await c.answer(c.t("group.enabled" if on else "group.disabled", command=name))
    await c.edit_or_reply(*panel(c, chat_id, title))


# ---------------------------------------------------------------- supergroup migration


async def on_migrate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A basic group became a supergroup (a new chat id): its setting and its chat_data
    move there. Telegram sends two service messages (one in each chat) that may be handled
    concurrently: both moves happen once."""
    message = update.effective_message
    if message is None:
        return
    old = message.migrate_from_chat_id or message.chat.id
    new = message.migrate_to_chat_id or message.chat.id
    if old == new:
        return
    if GroupSettings(get_store(context)).migrate(old, new, "system"):
        log.info("group %s upgraded to supergroup %s: its setting moved", old, new)
    app = context.application
    if app.chat_data.get(old):  # PTB's move overwrites the new chat's data: only once
        app.migrate_chat_data(old_chat_id=old, new_chat_id=new)


def register(app: Application) -> None:
    app.add_handler(ChatMemberHandler(on_added, ChatMemberHandler.MY_CHAT_MEMBER),
                    group=FEATURES)
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate), group=FEATURES)
    command(app, "group", group_cmd)
