"""/start, /help, /lang: the greeting, the command list, the language switch."""

from __future__ import annotations

from telegram.ext import Application

from bot.domain.access import active
from handlers.common import Ctx, btn, button, command, esc, guard, keyboard

#: commands listed by /help, with the positions that may use them (None: everyone approved)
HELP = (
    ("overdue", None),
    ("due", None),
    ("mine", None),
    ("case", None),
    ("find", None),
    ("update", None),
    ("new", ("office", "division_head")),
    ("report", ("office", "head", "leader")),
    ("lang", None),
    ("help", None),
)


@guard(None, unapproved=True)
async def start(c: Ctx) -> None:
    if active(c.person):
        p = c.person
        division = f" · {esc(p.division)}" if p.division else ""
        await c.reply(c.t("start.approved", name=esc(p.name),
                          position=c.t(f"position.{p.position}"), division=division))
        return
    await c.reply(c.t("start.pending"))
    # asking the office is the joining flow's job (handlers.people), when it is installed
    ask = c.context.application.bot_data.get("on_join_request")
    if ask is not None:
        await ask(c)


@guard(None, groups=True, unapproved=True)
async def help_(c: Ctx) -> None:
    if not active(c.person):
        await c.reply(c.t("help.unapproved"))
        return
    lines = [c.t("help.header")]
    for name, positions in HELP:
        if positions is None or c.person.position in positions:
            lines.append(f"/{name} — {esc(c.t(f'menu.{name}'))}")
    lines.append("")
    lines.append(c.t("help.footer"))
    await c.reply("\n".join(lines))


@guard("query")
async def lang(c: Ctx) -> None:
    choice = c.args[0].lower() if c.args else ""
    if choice in ("zh", "en"):
        await _set_lang(c, choice)
        return
    await c.reply(c.t("lang.choose"), keyboard([[btn(c.context, "中文", "lang", "zh"),
                                                 btn(c.context, "English", "lang", "en")]]))


@button("lang")
async def lang_button(c: Ctx) -> None:
    if c.args and c.args[0] in ("zh", "en"):
        await _set_lang(c, c.args[0])


async def _set_lang(c: Ctx, choice: str) -> None:
    person = c.store.get_person(c.person.id)
    person.language = choice
    c.store.save_person(person, c.who)
    c.person, c.lang = person, choice
    await c.edit_or_reply(c.t("lang.switched"))


def register(app: Application) -> None:
    command(app, "start", start)
    command(app, "help", help_)
    command(app, "lang", lang)
