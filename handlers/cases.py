"""Looking at cases: /case NUMBER, the case card, /history NUMBER."""

from __future__ import annotations

from collections.abc import Callable

from telegram.ext import Application

from bot.domain.access import decide, visible
from bot.domain.model import Case, ValidationError, normalize_number
from handlers.buttons import ButtonData, CaseButton, HistoryButton
from handlers.cards import case_title, event_text, render_card, today_reader
from handlers.common import Ctx, btn, button, command, esc, guard, keyboard

HISTORY_PAGE = 15


def lookup(c: Ctx, text: str) -> list[Case] | None:
    """Cases the asker may see whose number is ``text`` (``484`` also finds ``0484``).

    None when ``text`` is not a case number at all.
    """
    try:
        number = normalize_number(text)
    except ValidationError:
        return None
    found = c.store.find_by_number(number)
    if not found and number.isdigit():
        found = c.store.find_by_value(number)
    return sorted(visible(c.person, found), key=lambda k: (-k.year, k.kind, k.session))


async def choose_or_show(c: Ctx, text: str,
                         kind: Callable[[int], ButtonData] = CaseButton) -> Case | None:
    """Resolve a typed number: show the card, or ask which one (buttons of ``kind``, made
    from a case id), or say what was wrong."""
    cases = lookup(c, text)
    if cases is None:
        await c.reply(c.t("case.bad_number", value=esc(text)))
        return None
    if not cases:
        await c.reply(c.t("case.not_found", number=esc(text)))
        return None
    if len(cases) > 1:
        rows = [[btn(c.context,
                     f"{case_title(k, c.lang)} {k.year} {k.session or k.origin_session}"[:60],
                     kind(k.id))] for k in cases[:20]]
        await c.reply(c.t("case.which", number=esc(text), n=len(cases)), keyboard(rows))
        return None
    return cases[0]


async def show_case(c: Ctx, case: Case, *, edit: bool = False) -> None:
    text, kb = render_card(c, case, today_reader(c))
    if edit:
        await c.edit_or_reply(text, kb)
    else:
        await c.reply(text, kb)


@guard("query")
async def case_cmd(c: Ctx) -> None:
    if not c.words:
        await c.reply(c.t("case.usage"))
        return
    case = await choose_or_show(c, c.words[0])
    if case is not None:
        await show_case(c, case)


async def case_for_button(c: Ctx, case_id: int, action: str = "view") -> Case | None:
    """The case a button names, if it still exists and the presser may ``action`` it;
    otherwise the press is answered with the reason and None returned."""
    case = c.store.get_case(case_id)
    if case is None:
        await c.answer(c.t("case.gone"), alert=True)
        return None
    decision = decide(c.person, action, case)
    if not decision:
        await c.refuse(decision.reason)
        return None
    return case


@button(CaseButton)
async def case_button(c: Ctx, b: CaseButton) -> None:
    case = await case_for_button(c, b.case_id)
    if case is not None:
        await show_case(c, case)


@guard("query")
async def history_cmd(c: Ctx) -> None:
    if not c.words:
        await c.reply(c.t("history.usage"))
        return
    case = await choose_or_show(c, c.words[0], HistoryButton)
    if case is not None:
        await show_history(c, case, 0, edit=False)


@button(HistoryButton)
async def history_button(c: Ctx, b: HistoryButton) -> None:
    case = await case_for_button(c, b.case_id)
    if case is None:
        return
    await show_history(c, case, b.page, edit=b.page > 0)


async def show_history(c: Ctx, case: Case, page: int, *, edit: bool) -> None:
    events = c.store.history(case.id)
    pages = max(1, -(-len(events) // HISTORY_PAGE))
    page = min(max(page, 0), pages - 1)
    # newest first: page 0 holds the latest steps
    chunk = list(reversed(events))[page * HISTORY_PAGE:(page + 1) * HISTORY_PAGE]
    lines = [c.t("history.header", title=case_title(case, c.lang), n=len(events),
                 page=page + 1, pages=pages)]
    lines.extend(" · " + event_text(c.lang, ev) for ev in chunk)
    nav = []
    if page > 0:
        nav.append(btn(c.context, c.t("page.prev"), HistoryButton(case.id, page - 1)))
    if page + 1 < pages:
        nav.append(btn(c.context, c.t("page.next"), HistoryButton(case.id, page + 1)))
    rows = [nav, [btn(c.context, c.t("history.back"), CaseButton(case.id))]]
    if edit:
        await c.edit_or_reply("\n".join(lines), keyboard(rows))
    else:
        await c.reply("\n".join(lines), keyboard(rows))


def register(app: Application) -> None:
    command(app, "case", case_cmd)
    command(app, "history", history_cmd)
