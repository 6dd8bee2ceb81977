"""Updating a case in chat: ``/update``, the step buttons under every case card, their flows.

Every card (handlers/cards.py) gets the buttons of :func:`bot.domain.workflow.next_steps`
for its reader: [记录协商] [已拟复文] [已答复] [申请延期] [退回改办] [修改五定]... Each button
is ``uf:<step>:<case id>:<version>`` and starts the step's flow (handlers/registration.py's
engine); the morning digest's ``close`` (answer / submit the opinion) and ``ext`` (ask for
an extension) buttons start the same flows.

Two people editing the same case: a step button carries the case version it was drawn
with, and a flow remembers the version it started from and saves with
``expected_version``. When someone saved the case in between, nothing is written: the
second person is told who changed it and when, and shown the fresh card.

Notifications (in the recipient's language, skipped for unlinked people): the old and the
new handler on reassignment, the division head on 不满意, the deciders of an extension
request (with [同意] [不同意]) and the requester of the decision, the office on 退回改办.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from telegram import InlineKeyboardButton, Message
from telegram.ext import Application

from bot.domain import lifecycle
from bot.domain import workflow as wf
from bot.domain.access import decide
from bot.domain.lifecycle import is_open
from bot.domain.model import (
    CONSULT_METHODS,
    MAX_NAME,
    OPINION_ROLES,
    SATISFACTIONS,
    Case,
)
from bot.domain.rules import default_deadline
from bot.domain.timeutil import iso_now
from data.errors import StaleCase
from data.tables import EXTENSION_REQUESTS, ExtensionRequests
from data.views import rules_of, work_calendar
from handlers.cards import (
    CARD_BUTTONS,
    case_line,
    case_title,
    render_card,
    stage_label,
    today_reader,
)
from handlers.cases import choose_or_show, show_case
from handlers.common import Ctx, btn, button, command, esc, get_time, guard, keyboard
from handlers.flows import Ask, Choice, Flow, FlowState, add_flow, entry, start_flow
from handlers.notify import notify, notify_all, shown, told_text
from handlers.registration import handler_choices

log = logging.getLogger("duban.update")

Rows = list[list[InlineKeyboardButton]]

#: the store table of extension requests (ExtensionRequest documents)
EXTENSIONS = EXTENSION_REQUESTS
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
    buttons = [btn(c.context, step_label(c.lang, case, s), "uf", s, case.id, case.version)
               for s in wf.next_steps(case, c.person)]
    return [buttons[i:i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]


CARD_BUTTONS.append(card_rows)


def step_button(c: Ctx, case: Case, step: str) -> InlineKeyboardButton:
    return btn(c.context, step_label(c.lang, case, step), "uf", step, case.id, case.version)


# ---------------------------------------------------------------- entering a step


async def show_stale(c: Ctx, case: Case) -> None:
    """Someone saved ``case`` since the presser's card or flow began: say who, show it fresh."""
    last = c.store.history(case.id, limit=1)
    who, at = (last[-1].who, last[-1].at[:16].replace("T", " ")) if last else ("—", "—")
    await c.answer(c.t("upd.stale_toast"))
    card, kb = render_card(c, case, today_reader(c))
    await c.reply(c.t("upd.stale", title=case_title(case, c.lang), who=esc(who), at=at)
                  + "\n\n" + card, kb)


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
        await show_stale(c, case)
        return None
    if step not in wf.next_steps(case, c.person):
        await c.answer(c.t("upd.unavailable"), alert=True)
        await show_case(c, case)
        return None
    return await start_flow(c, step, case=case, data=data)


def _case_arg(c: Ctx, index: int = 0) -> int:
    try:
        return int(c.args[index])
    except (IndexError, ValueError):
        return 0


@entry("uf")
async def step_entry(c: Ctx) -> object:
    step = c.args[0] if c.args else ""
    return await open_step(c, step, _case_arg(c, 1), _case_arg(c, 2))


@entry("close")
async def close_entry(c: Ctx) -> object:
    """The digest's [已办结]: answer (or submit the opinion), or the follow-up reply."""
    case = c.store.get_case(_case_arg(c))
    if case is None:
        await c.answer(c.t("case.gone"), alert=True)
        return None
    steps = wf.next_steps(case, c.person)
    step = next((s for s in ("answer", "followup") if s in steps), "answer")
    return await open_step(c, step, case.id)


@entry("ext")
async def extension_entry(c: Ctx) -> object:
    """The digest's [申请延期]; who assigns the case changes the deadline directly."""
    case = c.store.get_case(_case_arg(c))
    if case is None:
        await c.answer(c.t("case.gone"), alert=True)
        return None
    if "fixes" in wf.next_steps(case, c.person):
        await c.reply(c.t("upd.ext_direct"))
        return await open_step(c, "fixes", case.id, data={"fix": "deadline"})
    return await open_step(c, "extend", case.id)


# ---------------------------------------------------------------- saving a step


async def commit(c: Ctx, st: FlowState, change: Callable[[Case], str]) -> Case | None:
    """Apply ``change`` (returning the history note) to a fresh copy of the flow's case and
    save it, unless someone saved the case since the flow began (then nothing is written
    and the fresh card is shown). A refusal of the domain is shown with the card."""
    case = c.store.get_case(st.case_id)
    if case is None:
        await c.reply(c.t("case.gone"))
        return None
    if case.version != st.version:
        await show_stale(c, case)
        return None
    decision = decide(c.person, wf.STEP_ACTION.get(st.flow, "update"), case)
    if not decision:
        await c.refuse(decision.reason)
        return None
    try:
        note = change(case)
    except wf.ValidationError as err:
        card, kb = render_card(c, case, today_reader(c))
        await c.reply(f"⚠ {esc(err.render(c.lang))}\n\n{card}", kb)
        return None
    try:
        c.store.save_case(case, c.who, note, expected_version=st.version)
    except StaleCase:
        fresh = c.store.get_case(st.case_id)
        if fresh is not None:
            await show_stale(c, fresh)
        return None
    return case


async def done(c: Ctx, st: FlowState, case: Case, text: str) -> None:
    """Say what was done, with the fresh card (when the person may still see the case).
    A step without questions edits the card that was pressed."""
    if not decide(c.person, "view", case):
        await c.reply(text)
        return
    card, kb = render_card(c, case, today_reader(c))
    body = f"{text}\n\n{card}"
    if st.seq == 0 and c.update.callback_query is not None:
        await c.edit_or_reply(body, kb)
    else:
        await c.reply(body, kb)


def _rules(c: Ctx, case: Case):
    return rules_of(c.store, case.year)


def _case(st: FlowState) -> Case:
    assert st.case is not None  # case flows always start with their case
    return st.case


def _title(c: Ctx, st: FlowState) -> str:
    return case_title(_case(st), c.lang)


def _key(key: str, **extra: Callable[[Ctx, FlowState], object]) -> Callable[[Ctx, FlowState], str]:
    """A prompt: catalogue ``key`` with the case's title and ``extra`` computed params."""
    return lambda c, st: c.t(key, title=_title(c, st), **{k: f(c, st) for k, f in extra.items()})


def _choices(prefix: str, codes) -> Callable[[Ctx, FlowState], list[Choice]]:
    return lambda c, st: [Choice(code, c.t(f"{prefix}.{code}")) for code in codes]


def _reason(c: Ctx, st: FlowState, text: str) -> str:
    return wf.check_reason(text)


# ---------------------------------------------------------------- the day a step happened


def _today_choice(c: Ctx, st: FlowState) -> list[Choice]:
    return [Choice(c.today.isoformat(), c.t("upd.today", date=c.today.isoformat()))]


def _read_step_date(c: Ctx, st: FlowState, text: str) -> str:
    """The day a step happened, as people write it: not after today, not before assignment."""
    day = wf.read_past_date(text, c.today, work_calendar(c.store))
    wf.check_step_date(_case(st), day, c.today)
    return day.isoformat()


def _step_day(st: FlowState) -> dt.date | None:
    on = st.data.get("on")
    return dt.date.fromisoformat(on) if on else None


def _on_ask(prompt_key: str, **extra: Callable[[Ctx, FlowState], object]) -> Ask:
    """Ask the day the step happened (today by default: a button)."""
    return Ask("on", _key(prompt_key, **extra), choices=_today_choice, read=_read_step_date)


# ---------------------------------------------------------------- forward moves


def _forward_flow(stage: str) -> Flow:
    async def finish(c: Ctx, st: FlowState) -> None:
        def change(case: Case) -> str:
            wf.move_forward(case, stage, c.today, _step_day(st))
            return ""

        case = await commit(c, st, change)
        if case is not None:
            await done(c, st, case, c.t("upd.done.stage", stage=stage_label(case, c.lang)))

    # publishing happened on a day: asked (today by default); the other moves are today's
    asks = (_on_ask("upd.ask.published_on"),) if stage == "published" else ()
    return add_flow(Flow(name=stage, title=f"step.{stage}", asks=asks, finish=finish))


for _stage in ("assigned", "in_progress", "published", "archived"):
    _forward_flow(_stage)  # 已拟复文 and 已审核: handlers/supervision.py (审核)


# ---------------------------------------------------------------- 记录协商


def _partners(c: Ctx, st: FlowState) -> list[Choice]:
    case = _case(st)
    names = [*case.proposers, case.lead_unit] if case.lead_unit else list(case.proposers)
    return [Choice(n, n) for n in dict.fromkeys(names) if n]


async def _finish_consult(c: Ctx, st: FlowState) -> None:
    d = st.data
    method_label = c.t(f"method.{d['method']}")

    def change(case: Case) -> str:
        wf.add_consultation(case, d["method"], dt.date.fromisoformat(d["on"]), d["with_whom"],
                            d["note"], c.who, c.today)
        return f"{method_label} {d['on']} {d['with_whom']}"

    case = await commit(c, st, change)
    if case is not None:
        await done(c, st, case, c.t("upd.done.consult", method=method_label, on=d["on"],
                                    who=esc(d["with_whom"])))


add_flow(Flow(
    name="consult",
    title="step.consult",
    asks=(
        Ask("method", _key("upd.ask.method"), choices=_choices("method", CONSULT_METHODS),
            per_row=3),
        _on_ask("upd.ask.on"),
        Ask("with_whom", _key("upd.ask.with_whom"), choices=_partners,
            read=lambda c, st, text: wf.read_text(text, "with_whom", MAX_NAME * 4)),
        Ask("note", _key("upd.ask.note"),
            choices=lambda c, st: [Choice("", c.t("upd.skip"))],
            read=lambda c, st, text: wf.read_text(text, "note")),
    ),
    finish=_finish_consult,
))


# ---------------------------------------------------------------- 答复 / 提交会办意见


async def _begin_answer(c: Ctx, st: FlowState) -> bool:
    case = _case(st)
    try:
        wf.can_answer(case)
    except wf.ValidationError as err:
        await c.reply(esc(err.render(c.lang)))
        return False
    if lifecycle.answer_needs_review(case, _rules(c, case).review_strict):  # 审核 first
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
    return wf.needs_reply_class(_case(st))


def _confirm_cancel(st: FlowState, value: str) -> str | None:
    if value == "cancel":
        return "cancel"
    st.data["confirm"] = value
    return None


async def _finish_answer(c: Ctx, st: FlowState) -> None:
    d = st.data
    reply_class = d.get("reply_class", "")

    on = _step_day(st) or c.today

    def change(case: Case) -> str:
        reason = wf.answer(case, c.person, c.today, _rules(c, case), reply_class,
                           d.get("override", ""), on=on, cal=work_calendar(c.store))
        key = "sv.note.override_review" if d.get("_review") else "upd.note.override"
        return c.t(key, reason=reason) if reason else ""

    case = await commit(c, st, change)
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
    await done(c, st, case, text)


add_flow(Flow(
    name="answer",
    title="step.answer",
    begin=_begin_answer,
    asks=(
        Ask("override", lambda c, st: c.t("sv.ask.override_review" if st.data.get("_review")
                                          else "upd.ask.override", title=_title(c, st)),
            read=_reason,
            when=lambda c, st: bool(st.data.get("_override")),
            extra=lambda c, st: [[step_button(c, _case(st), "consult")]]),
        _on_ask("upd.ask.answered_on"),
        Ask("reply_class", _key("upd.ask.reply_class"), choices=_choices("reply_class", "ABC"),
            when=_needs_class, per_row=1),
        Ask("confirm", _key("upd.ask.confirm_opinion", date=lambda c, st: st.data["on"]),
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
        wf.answer_followup(case, value, c.today, _step_day(st))
        return ""

    case = await commit(c, st, change)
    if case is not None:
        await done(c, st, case, c.t("upd.done.followup_answered",
                                    value=c.t(f"reply_class.{value}")))


add_flow(Flow(
    name="followup",
    title="step.followup",
    asks=(_on_ask("upd.ask.followup_on"),
          Ask("reply_class", _key("upd.ask.followup_class"), choices=_choices("reply_class", "AC"),
              per_row=1)),
    finish=_finish_followup,
))


# ---------------------------------------------------------------- 满意度


def _reopen_default(c: Ctx, st: FlowState) -> dt.date:
    return wf.reopen_due(_rules(c, _case(st)), c.today)


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
        reopened = wf.record_satisfaction(case, value, c.today, _rules(c, case), due)
        return ""

    case = await commit(c, st, change)
    if case is None:
        return
    label = c.t(f"satisfaction.{value}")
    if not reopened:
        await done(c, st, case, c.t("upd.done.satisfaction", value=label))
        return
    people = c.store.people()
    told = await notify_all(
        c, [*wf.division_heads(people, case.division), *wf.office_people(people)],
        lambda pc: pc.t("upd.notify.unsatisfied", by=esc(c.who),
                        title=case_title(case, pc.lang), due=case.deadline), case)
    await done(c, st, case, told_text(c, told, "upd.done.reopened", "upd.done.reopened_nobody",
                                      due=case.deadline))


add_flow(Flow(
    name="satisfaction",
    title="step.satisfaction",
    asks=(
        Ask("satisfaction", _key("upd.ask.satisfaction"),
            choices=_choices("satisfaction", SATISFACTIONS), per_row=3),
        Ask("new_due", _key("upd.ask.reopen_due",
                            default=lambda c, st: _reopen_default(c, st).isoformat()),
            choices=lambda c, st: [Choice("", c.t("new.default_date",
                                                  date=_reopen_default(c, st).isoformat()))],
            read=_read_reopen, when=lambda c, st: st.data.get("satisfaction") == "unsatisfied",
            per_row=1),
    ),
    finish=_finish_satisfaction,
))


# ---------------------------------------------------------------- 申请延期


def _pending(c: Ctx, case_id: int) -> dict | None:
    return ExtensionRequests(c.store).pending_for(case_id)


async def _begin_extension(c: Ctx, st: FlowState) -> bool:
    pending = _pending(c, st.case_id)
    if pending is None:
        return True
    await c.reply(c.t("upd.ext_pending", title=_title(c, st), due=pending["new_due"],
                      who=esc(pending["requested_by"])))
    return False


def _read_extension(c: Ctx, st: FlowState, text: str) -> str:
    day = wf.read_future_date(text, c.today, work_calendar(c.store))
    wf.check_extension_date(_case(st), day, c.today)
    return day.isoformat()


def decision_rows(c: Ctx, request_id: int) -> Rows:
    """[同意] (at once) and [不同意] (asks the reason: handlers/supervision.py)."""
    return [[btn(c.context, c.t("upd.btn.approve"), "xd", request_id, 1),
             btn(c.context, c.t("upd.btn.refuse"), "xr", request_id)]]


async def _finish_extension(c: Ctx, st: FlowState) -> None:
    case = c.store.get_case(st.case_id)
    if case is None:
        await c.reply(c.t("case.gone"))
        return
    assert c.person is not None  # a flow runs for an approved person
    request = wf.request_extension(case, c.person, dt.date.fromisoformat(st.data["new_due"]),
                                   st.data["reason"], c.today, iso_now(get_time(c.context)))
    doc = request.to_dict()
    doc.pop("id")
    request.id = ExtensionRequests(c.store).add(doc)
    deciders = wf.extension_deciders(case, c.store.people(), c.person)
    told = await notify_all(c, deciders, lambda pc: pc.t(
        "upd.notify.ext_request", by=esc(request.requested_by),
        title=case_title(case, pc.lang), old=request.old_due, new=request.new_due,
        reason=shown(request.reason)), rows=lambda pc: decision_rows(pc, request.id))
    await c.reply(told_text(c, told, "upd.done.ext_requested", "upd.ext_nobody",
                            new=request.new_due))


add_flow(Flow(
    name="extend",
    title="step.extend",
    begin=_begin_extension,
    asks=(
        Ask("new_due", _key("upd.ask.ext_date", due=lambda c, st: _case(st).deadline),
            read=_read_extension),
        Ask("reason", _key("upd.ask.reason"), read=_reason),
    ),
    finish=_finish_extension,
))


@button("xd")
async def extension_decision(c: Ctx) -> None:
    """[同意] / [不同意] under an extension request."""
    try:
        request_id, approve = int(c.args[0]), c.args[1] == "1"
    except (IndexError, ValueError):
        await c.answer(c.t("button.invalid"), alert=True)
        return
    await decide_request(c, request_id, approve)


async def _say(c: Ctx, text: str) -> None:
    """An alert under a pressed button, else a message."""
    if c.update.callback_query is not None:
        await c.answer(text, alert=True)
    else:
        await c.reply(esc(text))


async def decide_request(c: Ctx, request_id: int, approve: bool, reason: str = "") -> None:
    """Approve or refuse extension request ``request_id`` (a refusal may give its reason,
    kept with the request and told to the requester)."""
    requests = ExtensionRequests(c.store)
    doc = requests.get(request_id)
    case = c.store.get_case(doc["case_id"]) if doc is not None else None
    if doc is None or case is None:
        await _say(c, c.t("case.gone"))
        return
    request = wf.ExtensionRequest.from_dict({**doc, "id": request_id})
    assert c.person is not None  # on_button let an approved person through
    try:
        decided = wf.decide_extension(case, request, c.person, approve,
                                      iso_now(get_time(c.context)))
    except wf.ValidationError as err:
        await _say(c, err.render(c.lang))
        return
    update = decided.to_dict()
    update.pop("id")
    if reason:
        update["refusal_reason"] = reason
    with c.store.transaction():
        if approve:
            c.store.save_case(case, c.who, c.t("upd.note.extension", by=request.requested_by,
                                                 reason=request.reason),
                              expected_version=case.version)
        requests.update(request_id, update)
    verdict = c.t("upd.ext_approved" if approve else "upd.ext_refused")
    await c.answer(verdict)
    query = c.update.callback_query
    message = query.message if query is not None else None
    if isinstance(message, Message):
        await c.edit_or_reply(f"{message.text_html}\n→ <b>{verdict}</b>({esc(c.who)})")
    elif query is None:  # decided in a conversation (a refusal with its reason)
        await c.reply(f"✓ {case_title(case, c.lang)}:{verdict}")
    requester = next(iter(c.store.people_named(request.requested_by)), None)
    key = "upd.notify.ext_approved" if approve else "upd.notify.ext_refused"
    await notify(c, requester, lambda pc: pc.t(key, by=esc(c.who), title=case_title(case, pc.lang),
                                               new=request.new_due, old=request.old_due)
                 + ("\n" + pc.t("sv.refusal_reason", reason=shown(reason)) if reason else ""),
                 case if approve else None)


# ---------------------------------------------------------------- 退回改办


async def _finish_return(c: Ctx, st: FlowState) -> None:
    reason = st.data["reason"]
    case = await commit(c, st, lambda k: wf.return_for_reassignment(k, reason))
    if case is None:
        return
    await done(c, st, case, c.t("upd.done.returned"))
    for person in wf.office_people(c.store.people()):
        await notify(c, person, lambda pc: pc.t("upd.notify.returned", by=esc(c.who),
                                                title=case_title(case, pc.lang),
                                                reason=shown(reason)), case)


add_flow(Flow(
    name="return",
    title="step.return",
    asks=(Ask("reason", _key("upd.ask.return_reason"), read=_reason),),
    finish=_finish_return,
))


# ---------------------------------------------------------------- 修改五定


def _fix_choices(c: Ctx, st: FlowState) -> list[Choice]:
    fixes = [f for f in wf.FIX_FIELDS if f != "deadline" or _case(st).main_clock is not None]
    return [Choice(f, c.t(f"fix.{f}")) for f in fixes]


def _fixing(*names: str) -> Callable[[Ctx, FlowState], bool]:
    return lambda c, st: st.data.get("fix") in names


def _current(fix: str) -> Callable[[Ctx, FlowState], str]:
    def value(c: Ctx, st: FlowState) -> str:
        case = _case(st)
        return shown(case.deadline if fix == "deadline" else getattr(case, fix) or "—")

    return value


def _fix_division(c: Ctx, st: FlowState) -> str:
    return st.data.get("division") or _case(st).division


def _fix_deadline_default(c: Ctx, st: FlowState) -> dt.date | None:
    case = _case(st)
    return default_deadline(case, _rules(c, case), c.today)


def _read_fix_deadline(c: Ctx, st: FlowState, text: str) -> dt.date:
    return wf.read_deadline(text, c.today, work_calendar(c.store), _fix_deadline_default(c, st))


async def _finish_fixes(c: Ctx, st: FlowState) -> None:
    old = _case(st)
    values = [(f, st.data[f]) for f in ("division", "handler", "task", "deadline", "requirements")
              if f in st.data]
    people = c.store.people()

    def change(case: Case) -> str:
        for fix, value in values:
            wf.change_fix(case, fix, value, c.person, c.today, _rules(c, case), people)
        return ""

    case = await commit(c, st, change)
    if case is None:
        return
    await done(c, st, case, c.t("upd.done.fixes"))
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
        Ask("fix", _key("upd.ask.fix"), choices=_fix_choices, per_row=2),
        Ask("division", _key("upd.ask.division", current=_current("division")),
            choices=lambda c, st: [Choice(d, d) for d in wf.assignable_divisions(
                c.person, c.store.people())], when=_fixing("division")),
        Ask("handler", _key("upd.ask.handler", current=_current("handler"),
                            division=lambda c, st: esc(_fix_division(c, st))),
            choices=lambda c, st: handler_choices(c, _fix_division(c, st)),
            when=_fixing("division", "handler"), per_row=3),
        Ask("task", _key("upd.ask.task", current=_current("task")),
            read=lambda c, st, text: wf.read_text(text, "task"), when=_fixing("task")),
        Ask("deadline", _key("upd.ask.deadline", current=_current("deadline"),
                             default=lambda c, st: str(_fix_deadline_default(c, st) or "—")),
            read=_read_fix_deadline, when=_fixing("deadline")),
        Ask("requirements", _key("upd.ask.requirements", current=_current("requirements")),
            read=lambda c, st, text: wf.read_text(text, "requirements"),
            when=_fixing("requirements")),
    ),
    finish=_finish_fixes,
))


# ---------------------------------------------------------------- going back


def _back_choices(c: Ctx, st: FlowState) -> list[Choice]:
    case = _case(st)
    opinion = case.role in OPINION_ROLES
    return [Choice(s, c.t("stage.answered_opinion" if s == "answered" and opinion
                          else f"stage.{s}")) for s in wf.back_targets(case)]


async def _finish_back(c: Ctx, st: FlowState) -> None:
    to, reason = st.data["to"], st.data["reason"]
    case = await commit(c, st, lambda k: wf.move_back(k, to, reason))
    if case is not None:
        await done(c, st, case, c.t("upd.done.back", stage=stage_label(case, c.lang)))


add_flow(Flow(
    name="back",
    title="step.back",
    asks=(
        Ask("to", _key("upd.ask.back_to"), choices=_back_choices, per_row=3),
        Ask("reason", _key("upd.ask.back_reason"), read=_reason),
    ),
    finish=_finish_back,
))


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
    rows: Rows = [[btn(c.context, f"{k.number} {k.title}"[:30], "case", k.id)] for k in chunk]
    nav = []
    if page > 0:
        nav.append(btn(c.context, c.t("page.prev"), "updl", page - 1))
    if page + 1 < pages:
        nav.append(btn(c.context, c.t("page.next"), "updl", page + 1))
    rows.append(nav)
    if edit:
        await c.edit_or_reply("\n".join(lines), keyboard(rows))
    else:
        await c.reply("\n".join(lines), keyboard(rows))


@button("updl")
async def updatable_page(c: Ctx) -> None:
    page = int(c.args[0]) if c.args and c.args[0].isdigit() else 0
    await show_updatable(c, page, edit=True)


@guard("query")
async def update_cmd(c: Ctx) -> None:
    """``/update 0484``: the card with its step buttons; ``/update``: the cases to update."""
    if not c.args:
        await show_updatable(c, 0, edit=False)
        return
    case = await choose_or_show(c, c.args[0])
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
