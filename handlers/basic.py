"""/start, /help, /lang: the greeting, the command list, the language switch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram.ext import Application

from bot.domain.access import active, group_commands
from data.tables import GroupSettings
from handlers import UNKNOWN_COMMAND_GROUP
from handlers.buttons import LangButton
from handlers.common import Ctx, btn, button, command, esc, guard, keyboard

#: commands listed by /help, with the positions that may use them (None: everyone approved)
HELP = (
    ("overdue", None),
    ("due", None),
    ("mine", None),
    ("case", None),
    ("find", None),
    ("update", None),
    ("history", None),
    ("progress", None),
    ("division", ("office", "head", "leader", "division_head")),
    ("person", None),
    ("new", ("office", "division_head")),
    ("requests", ("office", "division_head", "leader")),
    ("report", ("office", "head", "leader")),
    ("export", ("office",)),
    ("unit", ("office",)),
    ("people", ("office",)),
    ("health", ("office",)),
    ("group", ("office",)),
    ("lang", None),
    ("help", None),
)


@guard(None, unapproved=True)
async def start(c: Ctx) -> None:
    if active(c.person):
        p = c.me
        show = p.division and p.division != c.t(f"position.{p.position}")
        division = f" · {esc(p.division)}" if show else ""
        await c.reply(c.t("start.approved", name=esc(p.name),
                          position=c.t(f"position.{p.position}"), division=division))
        return
    # asking the office is the joining flow's job (handlers.people), when it is installed;
    # the request is recorded before the user is told it was (a crash in between loses
    # nothing the user was promised)
    ask = c.context.application.bot_data.get("on_join_request")
    if ask is not None:
        await ask(c)
    await c.reply(c.t("start.pending"))


@guard(None, groups=True, unapproved=True)
async def help_(c: Ctx) -> None:
    if not active(c.person):
        await c.reply(c.t("help.unapproved"))
        return
    in_group = c.chat.type != "private"
    # in a group: what the office lets that group use (GroupSettings; /group)
    shown = (group_commands(GroupSettings(c.store).commands(c.chat_id)) if in_group
             else None)
    lines = [c.t("group.help_header" if in_group else "help.header")]
    for name, positions in HELP:
        if shown is not None and name not in shown:
            continue
        if positions is None or c.me.position in positions:
            lines.append(f"/{name} — {esc(c.t(f'menu.{name}'))}")
    lines.append("")
    lines.append(c.t("group.help_footer" if in_group else "help.footer"))
    await c.reply("\n".join(lines))


@guard("query")
async def lang(c: Ctx) -> None:
    choice = c.words[0].lower() if c.words else ""
    if choice in ("zh", "en"):
        await _set_lang(c, choice)
        return
    await c.reply(c.t("lang.choose"), keyboard([[btn(c.context, "中文", LangButton("zh")),
                                                 btn(c.context, "English", LangButton("en"))]]))


@button(LangButton)
async def lang_button(c: Ctx, b: LangButton) -> None:
    if b.lang in ("zh", "en"):
        await _set_lang(c, b.lang)


async def _set_lang(c: Ctx, choice: str) -> None:
    person = c.store.get_person(c.me.id)
    assert person is not None  # the asker's own record
    person.language = choice
    c.store.save_person(person, c.who)
    c.person, c.lang = person, choice
    await c.edit_or_reply(c.t("lang.switched"))


@guard(None, groups=True, unapproved=True)
async def unknown_command(c: Ctx) -> None:
    """A command no feature knows: say so, and where to look (in a private chat only: a
    group's commands may be for other bots, and a known one was answered already)."""
    word = (c.message.text or "/").split()[0]
    name, _, to = word[1:].partition("@")
    name = name.lower()
    if c.chat.type != "private":
        if to and to.lower() != (c.context.bot.username or "").lower():
            return  # for another bot of the group
        if name in known_commands(c.context.application) and name not in _answered_in_groups(
                c.context.application):
            await c.reply(c.t("group.private_only"))  # e.g. /new: its flow is private-only
        return
    if name in known_commands(c.context.application):
        return  # a feature handled it (or its conversation did)
    if not active(c.person):
        await c.reply(c.t("help.unapproved"))
        return
    await c.reply(c.t("misc.unknown_command", command=esc(word[:40])))


def _commands(app: Application, key: str, keep: Callable[[Any], bool]) -> frozenset[str]:
    """The commands of the handlers before group 40 that ``keep`` accepts, conversations
    included; computed once per application (``bot_data[key]``)."""
    from telegram.ext import CommandHandler, ConversationHandler

    cached = app.bot_data.get(key)
    if cached is not None:
        return cached
    names: set[str] = set()

    def walk(handler) -> None:
        if isinstance(handler, CommandHandler):
            if keep(handler):
                names.update(handler.commands)
        elif isinstance(handler, ConversationHandler):
            for inner in (*handler.entry_points, *handler.fallbacks,
                          *(h for hs in handler.states.values() for h in hs)):
                walk(inner)

    for group, handlers in app.handlers.items():
        if group < 40:
            for handler in handlers:
                walk(handler)
    found = app.bot_data[key] = frozenset(names)
    return found


def known_commands(app: Application) -> frozenset[str]:
    """Every command some handler before group 40 answers, conversations included."""
    return _commands(app, "_known_commands", lambda handler: True)


def _answered_in_groups(app: Application) -> frozenset[str]:
    """Commands some handler before group 40 answers in groups too (its filter is not
    private-only: that shows in the filter's name), conversations included."""
    return _commands(app, "_group_commands",
                     lambda handler: "ChatType.PRIVATE" not in str(handler.filters))


def register(app: Application) -> None:
    from telegram.ext import MessageHandler, filters

    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, unknown_command),
                    group=UNKNOWN_COMMAND_GROUP)
    command(app, "start", start)
    command(app, "help", help_)
    command(app, "lang", lang)
