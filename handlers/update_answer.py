"""The answer and what follows it (flows of :mod:`handlers.update`).

- 答复 / 提交会办意见 (``answer``): the day, the reply class A/B/C (or a confirmation for an
  opinion); refused before a consultation or a pending 审核 unless overridden with a reason;
- 续办答复 (``followup``): the follow-up reply of a B answer;
- 满意度 (``satisfaction``): 不满意 reopens the case with a new deadline and tells the
  division head and the office.
"""

from __future__ import annotations

import datetime as dt
import logging

from bot.domain import lifecycle
from bot.domain import workflow as wf
from bot.domain.model import OPINION_ROLES, SATISFACTIONS, Case
from data.views import work_calendar
from handlers import steps
from handlers.cards import case_title
from handlers.common import Ctx, esc, keyboard
from handlers.flows import Ask, Choice, Flow, FlowState, add_flow
from handlers.update import step_button

log = logging.getLogger("duban.update")


# ---------------------------------------------------------------- 答复 / 提交会办意见


async def _begin_answer(c: Ctx, st: FlowState) -> bool:
    case = steps.case_of(st)
    try:
        wf.can_answer(case)
    except wf.ValidationError as err:
        await c.reply(esc(err.render(c.lang)))
        return False
    if lifecycle.answer_needs_review(case, steps.rules(c, case).review_strict):  # 审核 first
        if wf.may_override(c.person, case):
            st.data["_override"] = st.data["_review"] = True
            return True
        await c.reply(c.t("sv.review_first_card", title=case_title(case, c.lang)))
        return False
    if case.consultations:
        return True
    if wf.may_override(c.person, case):
        st.data["_override"] = True
        return True
    await c.reply(c.t("upd.consult_first", title=case_title(case, c.lang)),
                  keyboard([[step_button(c, case, "consult")]]))
    return False


def _needs_class(c: Ctx, st: FlowState) -> bool:
    return wf.needs_reply_class(steps.case_of(st))


def _confirm_cancel(st: FlowState, value: str) -> str | None:
    if value == "cancel":
        return "cancel"
    st.data["confirm"] = value
    return None


async def _finish_answer(c: Ctx, st: FlowState) -> None:
    d = st.data
    reply_class = d.get("reply_class", "")

    on = steps.step_day(st) or c.today

    def change(case: Case) -> str:
        reason = wf.answer(case, c.person, c.today, steps.rules(c, case), reply_class,
                           d.get("override", ""), on=on, cal=work_calendar(c.store))
        key = "sv.note.override_review" if d.get("_review") else "upd.note.override"
        return c.t(key, reason=reason) if reason else ""

    case = await steps.commit(c, st, change)
    if case is None:
        return
    if case.role in OPINION_ROLES:
        text = c.t("upd.done.opinion", date=on.isoformat())
    else:
        text = c.t("upd.done.answer", date=on.isoformat(),
                   value=c.t(f"reply_class.{reply_class}"))
    if reply_class == "B" and "followup" in case.clocks and not case.continuation:
        text += "\n" + c.t("upd.done.followup", due=case.clocks["followup"].due)
    if d.get("override"):
        text += "\n" + c.t("sv.done.overridden_review" if d.get("_review")
                           else "upd.done.overridden")
    await steps.done(c, st, case, text)


add_flow(Flow(
    name="answer",
    title="step.answer",
    begin=_begin_answer,
    asks=(
        Ask("override", lambda c, st: c.t("sv.ask.override_review" if st.data.get("_review")
                                          else "upd.ask.override", title=steps.title(c, st)),
            read=steps.read_reason,
            when=lambda c, st: bool(st.data.get("_override")),
            extra=lambda c, st: [[step_button(c, steps.case_of(st), "consult")]]),
        steps.ask_day("upd.ask.answered_on"),
        Ask("reply_class", steps.prompt("upd.ask.reply_class"),
            choices=steps.choices("reply_class", "ABC"), when=_needs_class, per_row=1),
        Ask("confirm", steps.prompt("upd.ask.confirm_opinion", date=lambda c, st: st.data["on"]),
            choices=lambda c, st: [Choice("yes", c.t("upd.btn.submit")),
                                   Choice("cancel", c.t("new.btn.cancel"))],
            when=lambda c, st: not _needs_class(c, st), apply=_confirm_cancel),
    ),
    finish=_finish_answer,
))


# ---------------------------------------------------------------- 续办答复


async def _finish_followup(c: Ctx, st: FlowState) -> None:
    value = st.data["reply_class"]

    def change(case: Case) -> str:
        wf.answer_followup(case, value, c.today, steps.step_day(st))
        return ""

    case = await steps.commit(c, st, change)
    if case is not None:
        await steps.done(c, st, case, c.t("upd.done.followup_answered",
                                    value=c.t(f"reply_class.{value}")))


add_flow(Flow(
    name="followup",
    title="step.followup",
    asks=(steps.ask_day("upd.ask.followup_on"),
          Ask("reply_class", steps.prompt("upd.ask.followup_class"),
              choices=steps.choices("reply_class", "AC"), per_row=1)),
    finish=_finish_followup,
))


# ---------------------------------------------------------------- 满意度


def _reopen_default(c: Ctx, st: FlowState) -> dt.date:
    return wf.reopen_due(steps.rules(c, steps.case_of(st)), c.today)


def _read_reopen(c: Ctx, st: FlowState, text: str) -> str:
    if text.strip().casefold() in wf.DEFAULT_WORDS:
        return ""
    return wf.read_future_date(text, c.today, work_calendar(c.store)).isoformat()


async def _finish_satisfaction(c: Ctx, st: FlowState) -> None:
    value, new_due = st.data["satisfaction"], st.data.get("new_due", "")
    reopened = False

    def change(case: Case) -> str:
        nonlocal reopened
        due = dt.date.fromisoformat(new_due) if new_due else None
        reopened = wf.record_satisfaction(case, value, c.today, steps.rules(c, case), due)
        return ""

    case = await steps.commit(c, st, change)
    if case is None:
        return
    label = c.t(f"satisfaction.{value}")
    if not reopened:
        await steps.done(c, st, case, c.t("upd.done.satisfaction", value=label))
        return
    people = c.store.people()
    await steps.done_telling(
        c, st, case, [*wf.division_heads(people, case.division), *wf.office_people(people)],
        lambda pc: pc.t("upd.notify.unsatisfied", by=esc(c.who),
                        title=case_title(case, pc.lang), due=case.deadline),
        ("upd.done.reopened", "upd.done.reopened_nobody"), card=case, due=case.deadline)


add_flow(Flow(
    name="satisfaction",
    title="step.satisfaction",
    asks=(
        Ask("satisfaction", steps.prompt("upd.ask.satisfaction"),
            choices=steps.choices("satisfaction", SATISFACTIONS), per_row=3),
        Ask("new_due", steps.prompt("upd.ask.reopen_due",
                            default=lambda c, st: _reopen_default(c, st).isoformat()),
            choices=lambda c, st: [Choice("", c.t("new.default_date",
                                                  date=_reopen_default(c, st).isoformat()))],
            read=_read_reopen, when=lambda c, st: st.data.get("satisfaction") == "unsatisfied",
            per_row=1),
    ),
    finish=_finish_satisfaction,
))
