"""Corrections (flows of :mod:`handlers.update`): 退回改办 (``return``: back to the office
for reassignment), 修改五定 (``fixes``: division, handler, task, deadline, requirements;
the old and new handler are told) and 回退 (``back``: a stage back, with a reason).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from bot.domain import workflow as wf
from bot.domain.model import OPINION_ROLES, Case
from bot.domain.rules import default_deadline
from data.views import work_calendar
from handlers import steps
from handlers.cards import case_title, stage_label
from handlers.common import Ctx, esc
from handlers.flows import Ask, Choice, Flow, FlowState, add_flow
from handlers.notify import notify, shown
from handlers.registration import handler_choices

log = logging.getLogger("duban.update")


# ---------------------------------------------------------------- 退回改办


async def _finish_return(c: Ctx, st: FlowState) -> None:
    reason = st.data["reason"]
    case = await steps.commit(c, st, lambda k: wf.return_for_reassignment(k, reason))
    if case is None:
        return
    await steps.done(c, st, case, c.t("upd.done.returned"))
    for person in wf.office_people(c.store.people()):
        await notify(c, person, lambda pc: pc.t("upd.notify.returned", by=esc(c.who),
                                                title=case_title(case, pc.lang),
                                                reason=shown(reason)), case)


add_flow(Flow(
    name="return",
    title="step.return",
    asks=(Ask("reason", steps.prompt("upd.ask.return_reason"), read=steps.read_reason),),
    finish=_finish_return,
))


# ---------------------------------------------------------------- 修改五定


def _fix_choices(c: Ctx, st: FlowState) -> list[Choice]:
    case = steps.case_of(st)
    fixes = [f for f in wf.FIX_FIELDS if f != "deadline" or case.main_clock is not None]
    return [Choice(f, c.t(f"fix.{f}")) for f in fixes]


def _fixing(*names: str) -> Callable[[Ctx, FlowState], bool]:
    return lambda c, st: st.data.get("fix") in names


def _current(fix: str) -> Callable[[Ctx, FlowState], str]:
    def value(c: Ctx, st: FlowState) -> str:
        case = steps.case_of(st)
        return shown(case.deadline if fix == "deadline" else getattr(case, fix) or "—")

    return value


def _fix_division(c: Ctx, st: FlowState) -> str:
    return st.data.get("division") or steps.case_of(st).division


def _fix_deadline_default(c: Ctx, st: FlowState) -> dt.date | None:
    case = steps.case_of(st)
    return default_deadline(case, steps.rules(c, case), c.today)


def _read_fix_deadline(c: Ctx, st: FlowState, text: str) -> dt.date:
    return wf.read_deadline(text, c.today, work_calendar(c.store), _fix_deadline_default(c, st))


async def _finish_fixes(c: Ctx, st: FlowState) -> None:
    old = steps.case_of(st)
    values = [(f, st.data[f]) for f in ("division", "handler", "task", "deadline", "requirements")
              if f in st.data]
    people = c.store.people()

    def change(case: Case) -> str:
        for fix, value in values:
            wf.change_fix(case, fix, value, c.person, c.today, steps.rules(c, case), people)
        return ""

    case = await steps.commit(c, st, change)
    if case is None:
        return
    await steps.done(c, st, case, c.t("upd.done.fixes"))
    if case.handler_id == old.handler_id:
        return
    by = esc(c.who)
    # the people themselves, by identity: a namesake is not told
    gone = c.store.get_person(old.handler_id) if old.handler_id else None
    await notify(c, gone, lambda pc: pc.t("upd.notify.unassigned", by=by,
                                          title=case_title(case, pc.lang),
                                          new=esc(case.handler or "—")))
    new = c.store.get_person(case.handler_id) if case.handler_id else None
    await notify(c, new, lambda pc: pc.t("upd.notify.assigned", by=by,
                                         title=case_title(case, pc.lang),
                                         deadline=case.deadline or "—"), case)


add_flow(Flow(
    name="fixes",
    title="step.fixes",
    asks=(
        Ask("fix", steps.prompt("upd.ask.fix"), choices=_fix_choices, per_row=2),
        Ask("division", steps.prompt("upd.ask.division", current=_current("division")),
            choices=lambda c, st: [Choice(d, d) for d in wf.assignable_divisions(
                c.person, c.store.people())], when=_fixing("division")),
        Ask("handler", steps.prompt("upd.ask.handler", current=_current("handler"),
                            division=lambda c, st: esc(_fix_division(c, st))),
            choices=lambda c, st: handler_choices(c, _fix_division(c, st)),
            when=_fixing("division", "handler"), per_row=3),
        Ask("task", steps.prompt("upd.ask.task", current=_current("task")),
            read=lambda c, st, text: wf.read_text(text, "task"), when=_fixing("task")),
        Ask("deadline", steps.prompt("upd.ask.deadline", current=_current("deadline"),
                             default=lambda c, st: str(_fix_deadline_default(c, st) or "—")),
            read=_read_fix_deadline, when=_fixing("deadline")),
        Ask("requirements", steps.prompt("upd.ask.requirements", current=_current("requirements")),
            read=lambda c, st, text: wf.read_text(text, "requirements"),
            when=_fixing("requirements")),
    ),
    finish=_finish_fixes,
))


# ---------------------------------------------------------------- going back


def _back_choices(c: Ctx, st: FlowState) -> list[Choice]:
    case = steps.case_of(st)
    opinion = case.role in OPINION_ROLES
    return [Choice(s, c.t("stage.answered_opinion" if s == "answered" and opinion
                          else f"stage.{s}")) for s in wf.back_targets(case)]


async def _finish_back(c: Ctx, st: FlowState) -> None:
    to, reason = st.data["to"], st.data["reason"]
    case = await steps.commit(c, st, lambda k: wf.move_back(k, to, reason))
    if case is not None:
        await steps.done(c, st, case, c.t("upd.done.back", stage=stage_label(case, c.lang)))


add_flow(Flow(
    name="back",
    title="step.back",
    asks=(
        Ask("to", steps.prompt("upd.ask.back_to"), choices=_back_choices, per_row=3),
        Ask("reason", steps.prompt("upd.ask.back_reason"), read=steps.read_reason),
    ),
    finish=_finish_back,
))
