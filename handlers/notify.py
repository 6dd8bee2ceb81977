"""Telling people: a message in the recipient's language, with the case's card under it.

Used by every flow that changes a case someone else cares about (the handler of a new case,
the division head on 不满意, the deciders of an extension, the office on 退回改办...).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable

from telegram import InlineKeyboardButton
from telegram.error import BadRequest, Forbidden

from bot.domain.model import Case, Person
from handlers.cards import render_card, today_reader
from handlers.common import Ctx, esc, fit, keyboard

log = logging.getLogger("duban.flows")

#: longest value shown back in a summary line (the rest is elided)
MAX_SHOWN = 300

Rows = list[list[InlineKeyboardButton]]


async def notify(c: Ctx, person: Person | None, text: Callable[[Ctx], str],
                 case: Case | None = None, rows: Callable[[Ctx], Rows] | None = None) -> bool:
    """Send ``person`` a message in their language (with the case's card under it).

    Skips unlinked or inactive people and the one acting; False when nothing was sent.
    """
    if person is None or person.telegram is None or not person.active:
        return False
    if c.person is not None and person.id == c.person.id:
        return False
    pc = dataclasses.replace(c, person=person, lang=person.language, answered=True)
    body = text(pc)
    buttons: Rows = rows(pc) if rows is not None else []
    if case is not None:
        card, kb = render_card(pc, case, today_reader(pc))
        body += "\n\n" + card
        if kb is not None:
            buttons += [list(r) for r in kb.inline_keyboard]
    try:
        await c.context.bot.send_message(person.telegram, fit(body), reply_markup=keyboard(buttons))
    except (BadRequest, Forbidden) as exc:
        log.info("could not notify %s: %s", person.name, exc)
        return False
    return True


async def notify_all(c: Ctx, people: Iterable[Person], text: Callable[[Ctx], str],
                     case: Case | None = None, rows: Callable[[Ctx], Rows] | None = None
                     ) -> list[str]:
    """:func:`notify` each of ``people`` once (by id); the names of those it reached, for
    the "told: …" line (a message names only who really got it)."""
    told: list[str] = []
    seen: set[int] = set()
    for person in people:
        if person.id in seen:
            continue
        seen.add(person.id)
        if await notify(c, person, text, case, rows):
            told.append(person.name)
    return told


def told_text(c: Ctx, told: list[str], key: str, nobody_key: str, **params: object) -> str:
    """``key`` with the names :func:`notify_all` reached, or ``nobody_key`` when it reached
    nobody (the message never claims someone was told who was not)."""
    if told:
        return c.t(key, names=esc("、".join(told)), **params)
    return c.t(nobody_key, **params)


def shown(value: str, limit: int = MAX_SHOWN) -> str:
    """User text in a summary: escaped, elided past ``limit`` characters."""
    value = value if len(value) <= limit else value[: limit - 1] + "…"
    return esc(value)

