"""Updating a case in chat: ``/update``, the step buttons under every case card, their flows.

Every card (handlers/cards.py) gets the buttons of :func:`bot.domain.workflow.next_steps`
for its reader: [记录协商] [已拟复文] [已答复] [申请延期] [退回改办] [修改五定]... Each button
is a :class:`~handlers.buttons.StepButton` (step, case id, version) and starts the step's
flow (on :mod:`handlers.flows`); the morning digest's ``CloseButton`` (answer / submit the
opinion) and ``ExtendButton`` (ask for an extension) start the same flows.

Two people editing the same case: a step button carries the case version it was drawn
with, and a flow remembers the version it started from and saves with
``expected_version``. When someone saved the case in between, nothing is written: the
second person is told who changed it and when, and shown the fresh card.

Notifications (in the recipient's language, skipped for unlinked people): the old and the
new handler on reassignment, the division head on 不满意, the deciders of an extension
request (with [同意] [不同意]) and the requester of the decision, the office on 退回改办.

This module holds the card's step buttons, entering a step, the forward moves and
``/update``; saving a step and the parts of the flows' questions are :mod:`handlers.steps`;
the flows with questions are in one module per family: :mod:`handlers.update_consult` (记录协商),
:mod:`handlers.update_answer` (答复, 续办答复, 满意度), :mod:`handlers.update_extend`
(申请延期 and its decision), :mod:`handlers.update_fixes` (退回改办, 修改五定, 回退).
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton
from telegram.ext import Application

from bot.domain import workflow as wf
from bot.domain.access import decide
from bot.domain.lifecycle import is_open
from bot.domain.model import OPINION_ROLES, Case
from handlers import steps
from handlers.buttons import CaseButton, CloseButton, ExtendButton, StepButton, UpdatablePage
from handlers.cards import add_card_buttons, case_line, stage_label
from handlers.cases import choose_or_show, show_case
from handlers.common import Ctx, btn, button, command, guard, keyboard
from handlers.flows import Flow, FlowState, add_flow, entry, start_flow

log = logging.getLogger("duban.update")

Rows = list[list[InlineKeyboardButton]]

#: step buttons per row under a card; cases per page of /update's list
PER_ROW = 3
LIST_PAGE = 8


# ---------------------------------------------------------------- the card's buttons


def step_label(lang: str, case: Case, step: str) -> str:
    from bot.texts import t

    if step == "answer" and case.role in OPINION_ROLES:
        return t("step.answer_opinion", lang)
    return t(f"step.{step}", lang)


def card_rows(c: Ctx, case: Case) -> Rows:
    """The step buttons under ``case``'s card for the person reading it."""
    buttons = [step_button(c, case, s) for s in wf.next_steps(case, c.person)]
    return [buttons[i:i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]


def step_button(c: Ctx, case: Case, step: str) -> InlineKeyboardButton:
    return btn(c.context, step_label(c.lang, case, step), StepButton(step, case.id, case.version))


# ---------------------------------------------------------------- entering a step


async def open_step(c: Ctx, step: str, case_id: int, version: int | None = None,
                    data: dict | None = None) -> object:
    """Start ``step``'s flow on the case, if the presser may and the card is not stale."""
    case = c.store.get_case(case_id)
    if case is None or step not in wf.STEPS:
        await c.answer(c.t("case.gone"), alert=True)
        return None
    decision = decide(c.person, wf.STEP_ACTION[step], case)
    if not decision:
        await c.refuse(decision.reason)
        return None
    if version is not None and version != case.version:
        await steps.show_stale(c, case)
        return None
    if step not in wf.next_steps(case, c.person):
        await c.answer(c.t("upd.unavailable"), alert=True)
        await show_case(c, case)
        return None
    return await start_flow(c, step, case=case, data=data)


@entry(StepButton)
async def step_entry(c: Ctx, b: StepButton) -> object:
    return await open_step(c, b.step, b.case_id, b.version)


@entry(CloseButton)
async def close_entry(c: Ctx, b: CloseButton) -> object:
    """The digest's [已办结]: answer (or submit the opinion), or the follow-up reply."""
    case = c.store.get_case(b.case_id)
    if case is None:
        await c.answer(c.t("case.gone"), alert=True)
        return None
    steps = wf.next_steps(case, c.person)
    step = next((s for s in ("answer", "followup") if s in steps), "answer")
    return await open_step(c, step, case.id)


@entry(ExtendButton)
async def extension_entry(c: Ctx, b: ExtendButton) -> object:
    """The digest's [申请延期]; who assigns the case changes the deadline directly."""
    case = c.store.get_case(b.case_id)
    if case is None:
        await c.answer(c.t("case.gone"), alert=True)
        return None
    if "fixes" in wf.next_steps(case, c.person):
        await c.reply(c.t("upd.ext_direct"))
        return await open_step(c, "fixes", case.id, data={"fix": "deadline"})
    return await open_step(c, "extend", case.id)


# ---------------------------------------------------------------- forward moves


def _forward_flow(stage: str) -> Flow:
    async def finish(c: Ctx, st: FlowState) -> None:
        def change(case: Case) -> str:
            wf.move_forward(case, stage, c.today, steps.step_day(st))
            return ""

        case = await steps.commit(c, st, change)
        if case is not None:
            await steps.done(c, st, case, c.t("upd.done.stage", stage=stage_label(case, c.lang)))

    # publishing happened on a day: asked (today by default); the other moves are today's
    asks = (steps.ask_day("upd.ask.published_on"),) if stage == "published" else ()
    return add_flow(Flow(name=stage, title=f"step.{stage}", asks=asks, finish=finish))


for _stage in ("assigned", "in_progress", "published", "archived"):
    _forward_flow(_stage)  # 已拟复文 and 已审核: handlers/supervision.py (审核)


# ---------------------------------------------------------------- /update


def updatable(c: Ctx) -> list[Case]:
    """The cases the asker may update that still have something to do, soonest first."""
    cases = [k for k in c.store.cases() if is_open(k) and decide(c.person, "update", k)]
    return sorted(cases, key=lambda k: (k.deadline or "9999", k.kind, k.number))


async def show_updatable(c: Ctx, page: int, *, edit: bool) -> None:
    cases = updatable(c)
    if not cases:
        await c.reply(c.t("upd.none"))
        return
    pages = -(-len(cases) // LIST_PAGE)
    page = min(max(page, 0), pages - 1)
    chunk = cases[page * LIST_PAGE:(page + 1) * LIST_PAGE]
    lines = [c.t("upd.list", n=len(cases), page=page + 1, pages=pages)]
    lines += [f" · {case_line(k, c.lang)} — {k.deadline or '—'}" for k in chunk]
    rows: Rows = [[btn(c.context, f"{k.number} {k.title}"[:30], CaseButton(k.id))]
                  for k in chunk]
    nav = []
    if page > 0:
        nav.append(btn(c.context, c.t("page.prev"), UpdatablePage(page - 1)))
    if page + 1 < pages:
        nav.append(btn(c.context, c.t("page.next"), UpdatablePage(page + 1)))
    rows.append(nav)
    if edit:
        await c.edit_or_reply("\n".join(lines), keyboard(rows))
    else:
        await c.reply("\n".join(lines), keyboard(rows))


@button(UpdatablePage)
async def updatable_page(c: Ctx, b: UpdatablePage) -> None:
    await show_updatable(c, b.page, edit=True)


@guard("query")
async def update_cmd(c: Ctx) -> None:
    """``/update 0484``: the card with its step buttons; ``/update``: the cases to update."""
    if not c.words:
        await show_updatable(c, 0, edit=False)
        return
    case = await choose_or_show(c, c.words[0])
    if case is None:
        return
    if not wf.next_steps(case, c.person):
        decision = decide(c.person, "update", case)
        if not decision:
            await c.refuse(decision.reason)
            return
    await show_case(c, case)


def register(app: Application) -> None:
    command(app, "update", update_cmd)
    add_card_buttons(app, card_rows)
