"""申请延期: extension requests and their decision (a flow of :mod:`handlers.update`).

The handler asks for a new date with a reason; the deciders get the request with [同意]
(button ``xd``) and [不同意] (``xr``, which asks the reason: :mod:`handlers.supervision`);
the requester is told the decision.
"""

from __future__ import annotations

import datetime as dt
import logging

from telegram import Message

from bot.domain import workflow as wf
from bot.domain.timeutil import iso_now
from data.tables import EXTENSION_REQUESTS, ExtensionRequests
from data.views import work_calendar
from handlers import steps
from handlers.buttons import DecisionButton, RefusalButton
from handlers.cards import case_title
from handlers.common import Ctx, btn, button, esc, get_time
from handlers.flows import Ask, Flow, FlowState, add_flow
from handlers.notify import notify, notify_all, shown, told_text
from handlers.update import Rows

log = logging.getLogger("duban.update")

#: the store table of extension requests (ExtensionRequest documents)
EXTENSIONS = EXTENSION_REQUESTS


# ---------------------------------------------------------------- 申请延期


def _pending(c: Ctx, case_id: int) -> dict | None:
    return ExtensionRequests(c.store).pending_for(case_id)


async def _begin_extension(c: Ctx, st: FlowState) -> bool:
    pending = _pending(c, st.case_id)
    if pending is None:
        return True
    await c.reply(c.t("upd.ext_pending", title=steps.title(c, st), due=pending["new_due"],
                      who=esc(pending["requested_by"])))
    return False


def _read_extension(c: Ctx, st: FlowState, text: str) -> str:
    day = wf.read_future_date(text, c.today, work_calendar(c.store))
    wf.check_extension_date(steps.case_of(st), day, c.today)
    return day.isoformat()


def decision_rows(c: Ctx, request_id: int) -> Rows:
    """[同意] (at once) and [不同意] (asks the reason: handlers/supervision.py)."""
    return [[btn(c.context, c.t("upd.btn.approve"), DecisionButton(request_id, True)),
             btn(c.context, c.t("upd.btn.refuse"), RefusalButton(request_id))]]


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
        Ask("new_due",
            steps.prompt("upd.ask.ext_date", due=lambda c, st: steps.case_of(st).deadline),
            read=_read_extension),
        Ask("reason", steps.prompt("upd.ask.reason"), read=steps.read_reason),
    ),
    finish=_finish_extension,
))


@button(DecisionButton)
async def extension_decision(c: Ctx, b: DecisionButton) -> None:
    """[同意] / [不同意] under an extension request."""
    await decide_request(c, b.request_id, b.approve)


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
