"""Supervision steps in chat, as offices practise it: 签收 and 督办单.

- [签收] is a step of :func:`bot.domain.workflow.next_steps` (a ``StepButton``), so it is
  under the case card whoever reads it may sign (the handler, the office), and under the
  card sent to the handler when the case is assigned to them, beside [退回改办].
- [督办单] (the office, a leader who reads the case): what is required and by when (a date
  as people write it); the handler and the division head get it at once with [已落实]
  [说明情况] (a ``NoticeAnswerButton``), which start [答复督办单]; the issuer is told
  the answer. Open notices are a clock of the case (lifecycle), so reminders, /overdue
  and /progress chase them.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from telegram.ext import Application

from bot.domain import lifecycle
from bot.domain import queries as q
from bot.domain import supervision as sv
from bot.domain import workflow as wf
from bot.domain.access import decide, visible
from bot.domain.dates import DateError, parse_period
from bot.domain.intents import SUPERVISION_LISTS, Intent
from bot.domain.model import NOTICE_ANSWERS, Case, Person
from bot.domain.status import StatusReader
from bot.domain.timeutil import iso_now
from data.tables import ExtensionRequests
from data.views import rules_of, work_calendar
from handlers import steps
from handlers.buttons import DeadlinesButton, ListPage, NoticeAnswerButton, RefusalButton
from handlers.cards import add_card_buttons, add_card_lines, case_title, stage_label
from handlers.common import Ctx, btn, button, command, esc, get_time, keyboard
from handlers.flows import Ask, Choice, Flow, FlowState, add_flow, entry
from handlers.notify import notify, notify_all, shown, told_text
from handlers.queries import add_intent_answer, case_rows, query_cmd
from handlers.update import open_step, step_button
from handlers.update_extend import EXTENSIONS, decide_request, decision_rows


async def _finish_sign(c: Ctx, st: FlowState) -> None:
    at = iso_now(get_time(c.context))

    def change(case: Case) -> str:
        return wf.sign(case, c.person, at)

    case = await steps.commit(c, st, change)
    if case is not None:
        await steps.done(c, st, case, c.t("sv.done.signed", at=at[:16].replace("T", " ")))


add_flow(Flow(name="sign", title="step.sign", asks=(), finish=_finish_sign))


# ---------------------------------------------------------------- 督办单: issuing


def _read_due(c: Ctx, st: FlowState, text: str) -> str:
    return wf.read_future_date(text, c.today, work_calendar(c.store)).isoformat()


def _recipients(c: Ctx, case: Case) -> list[Person]:
    """The handler (the namesake in the case's division first) and the division heads."""
    people = c.store.people()
    # the handler by identity (a namesake is not told)
    handlers = [p for p in people if case.handler_id and p.id == case.handler_id and p.active]
    out: list[Person] = []
    for p in [*handlers, *wf.division_heads(people, case.division)]:
        if p.id not in {q.id for q in out}:
            out.append(p)
    return out


def answer_rows(c: Ctx, case: Case, notice_id: int):
    return [[btn(c.context, c.t(f"sv.answer.{a}"), NoticeAnswerButton(case.id, notice_id, a))
             for a in NOTICE_ANSWERS]]


async def _finish_notice(c: Ctx, st: FlowState) -> None:
    at = iso_now(get_time(c.context))
    issued = {}

    def change(case: Case) -> str:
        notice = wf.issue_notice(case, c.person, st.data["text"],
                                 dt.date.fromisoformat(st.data["due"]), c.today, at)
        issued["notice"] = notice
        return c.t("sv.note.notice", text=notice.text, due=notice.due)

    case = await steps.commit(c, st, change)
    if case is None:
        return
    notice = issued["notice"]
    await steps.done_telling(
        c, st, case, _recipients(c, case), lambda pc: pc.t(
            "sv.notify.notice", by=esc(c.who), title=case_title(case, pc.lang),
            text=shown(notice.text), due=notice.due),
        ("sv.done.notice", "sv.done.notice_nobody"),
        rows=lambda pc: answer_rows(pc, case, notice.id), due=notice.due)


add_flow(Flow(
    name="notice",
    title="step.notice",
    asks=(
        Ask("text", lambda c, st: c.t("sv.ask.notice_text", title=steps.title(c, st)),
            read=lambda c, st, text: wf.read_text(text, "notice_text")),
        Ask("due", lambda c, st: c.t("sv.ask.notice_due"), read=_read_due),
    ),
    finish=_finish_notice,
))


# ---------------------------------------------------------------- 督办单: answering


def _notice(st: FlowState):
    assert st.case is not None
    pending = lifecycle.open_notices(st.case)
    wanted = int(st.data.get("notice") or 0)
    return next((n for n in pending if n.id == wanted), pending[0] if pending else None)


async def _begin_reply(c: Ctx, st: FlowState) -> bool:
    notice = _notice(st)
    if notice is None:
        await c.reply(c.t("sv.no_open_notice"))
        return False
    st.data["notice"] = notice.id
    return True


def _answer_prompt(c: Ctx, st: FlowState) -> str:
    notice = _notice(st)
    assert notice is not None
    return c.t("sv.ask.notice_answer", title=steps.title(c, st), text=shown(notice.text),
               due=notice.due)


async def _finish_reply(c: Ctx, st: FlowState) -> None:
    answer, note = st.data["answer"], st.data["note"]
    answered = {}

    def change(case: Case) -> str:
        notice = wf.answer_notice(case, c.person, answer, note, c.today,
                                  int(st.data.get("notice") or 0) or None)
        answered["notice"] = notice
        return c.t("sv.note.notice_answered", answer=c.t(f"sv.answer.{answer}"),
                   note=notice.note)

    case = await steps.commit(c, st, change)
    if case is None:
        return
    notice = answered["notice"]
    when = "on_time" if lifecycle.notice_on_time(notice) else "late"
    await steps.done(c, st, case, c.t("sv.done.notice_answered", answer=c.t(f"sv.answer.{answer}"),
                                note=shown(notice.note)))
    issuer = c.store.get_person(notice.issued_by_id) if notice.issued_by_id else None
    await notify(c, issuer, lambda pc: pc.t(
        "sv.notify.notice_answered", by=esc(c.who), title=case_title(case, pc.lang),
        answer=pc.t(f"sv.answer.{answer}"), when=pc.t(f"sv.when.{when}"),
        note=shown(notice.note)), case)


add_flow(Flow(
    name="notice_reply",
    title="step.notice_reply",
    begin=_begin_reply,
    asks=(
        Ask("answer", _answer_prompt,
            choices=lambda c, st: [Choice(a, c.t(f"sv.answer.{a}")) for a in NOTICE_ANSWERS]),
        Ask("note", lambda c, st: c.t(f"sv.ask.notice_note.{st.data['answer']}"),
            read=lambda c, st, text: wf.check_reason(text)),
    ),
    finish=_finish_reply,
))


@entry(NoticeAnswerButton)
async def notice_answer_entry(c: Ctx, b: NoticeAnswerButton) -> object:
    """[已落实] / [说明情况] under a notice: the answer flow, the answer chosen."""
    data: dict[str, Any] = {"notice": b.notice_id}
    if b.answer in NOTICE_ANSWERS:
        data["answer"] = b.answer
    return await open_step(c, "notice_reply", b.case_id, data=data)


# ---------------------------------------------------------------- 审核: drafting, reviewing


def _reviewers(c: Ctx, case: Case) -> list[Person]:
    """The people at the current step of ``case``'s review chain."""
    step = lifecycle.review_step(case)
    if step is None:
        return []
    return [p for p in c.store.people() if p.active and p.approved
            and wf.is_reviewer(p, case, step)]


def _handler_of(c: Ctx, case: Case) -> Person | None:
    """The case's handler, by identity (never a namesake)."""
    person = c.store.get_person(case.handler_id) if case.handler_id else None
    return person if person is not None and person.active else None


async def _tell_reviewers(c: Ctx, case: Case) -> list[str]:
    draft = shown(case.draft_text, 600) if case.draft_text else ""
    return await notify_all(c, _reviewers(c, case), lambda pc: pc.t(
        "sv.notify.review", title=case_title(case, pc.lang), by=esc(c.who),
        draft=draft or pc.t("sv.no_draft_text")), case)


def _position(c: Ctx, case: Case) -> str:
    step = lifecycle.review_step(case)
    return c.t(f"sv.position.{step}") if step else ""


async def _finish_drafted(c: Ctx, st: FlowState) -> None:
    """[已拟复文]: one press; the draft goes to the chain's first reviewer at once (its text
    may follow with [复文内容])."""
    def change(case: Case) -> str:
        wf.submit_draft(case, rules_of(c.store, case.year), c.today)
        return ""

    case = await steps.commit(c, st, change)
    if case is None:
        return
    told = await _tell_reviewers(c, case)
    msg = c.t("upd.done.stage", stage=stage_label(case, c.lang)) + "\n"
    msg += told_text(c, told, "sv.done.drafted", "sv.done.drafted_nobody",
                     position=_position(c, case))
    await steps.done(c, st, case, msg)


add_flow(Flow(name="drafted", title="step.drafted", asks=(), finish=_finish_drafted))


async def _finish_draft_text(c: Ctx, st: FlowState) -> None:
    text = st.data["draft"]

    def change(case: Case) -> str:
        wf.set_draft_text(case, text)
        return ""

    case = await steps.commit(c, st, change)
    if case is None:
        return
    told = await _tell_reviewers(c, case)
    await steps.done(c, st, case, c.t("sv.done.draft_text", names=esc("、".join(told) or "—")))


add_flow(Flow(
    name="draft_text",
    title="step.draft_text",
    asks=(Ask("draft", lambda c, st: c.t("sv.ask.draft_text", title=steps.title(c, st)),
              read=lambda c, st, text: wf.read_text(text, "draft_text", 8000)),),
    finish=_finish_draft_text,
))


def _review_finish(approve: bool):
    async def finish(c: Ctx, st: FlowState) -> None:
        at = iso_now(get_time(c.context))
        reason = st.data.get("reason", "")
        made = {}

        def change(case: Case) -> str:
            decision = wf.review(case, c.person, approve, reason, at, c.today)
            made["review"] = decision
            position = c.t(f"sv.position.{decision.position}")
            if approve:
                return c.t("sv.note.review_ok", position=position)
            return c.t("sv.note.review_back", position=position, reason=decision.reason)

        case = await steps.commit(c, st, change)
        if case is None:
            return
        handler = _handler_of(c, case)
        if not approve:
            await notify(c, handler, lambda pc: pc.t(
                "sv.notify.review_back", by=esc(c.who), title=case_title(case, pc.lang),
                reason=shown(reason)), case)
            await steps.done(c, st, case, c.t("sv.done.review_back"))
            return
        if case.stage == "reviewed":
            await notify(c, handler, lambda pc: pc.t(
                "sv.notify.reviewed", by=esc(c.who), title=case_title(case, pc.lang)), case)
            await steps.done(c, st, case, c.t("sv.done.reviewed"))
            return
        told = await _tell_reviewers(c, case)
        if told:
            msg = c.t("sv.done.review_ok_next", position=_position(c, case),
                      names=esc("、".join(told)))
        else:
            msg = c.t("sv.done.review_ok")
        await steps.done(c, st, case, msg)

    return finish


add_flow(Flow(name="review_ok", title="step.review_ok", asks=(),
              finish=_review_finish(True)))
add_flow(Flow(
    name="review_back",
    title="step.review_back",
    asks=(Ask("reason", lambda c, st: c.t("sv.ask.review_reason", title=steps.title(c, st)),
              read=lambda c, st, text: wf.check_reason(text)),),
    finish=_review_finish(False),
))


# ---------------------------------------------------------------- the office's questions

#: cases a page of a supervision list shows; items per section of /requests
LIST_PAGE = 10
MAX_REQUESTS = 15


def _day(text: str) -> dt.date | None:
    return dt.datetime.strptime(text, "%Y%m%d").date() if text and text != "-" else None


async def show_list(c: Ctx, kind: str, page: int = 1, start: dt.date | None = None,
                    end: dt.date | None = None, *, edit: bool = False) -> None:
    """One page of a supervision list of the asker's visible cases, fresh from the store."""
    cases = visible(c.person, c.store.cases())
    rules = partial(rules_of, c.store)
    cal = work_calendar(c.store)
    reader = StatusReader(c.today, cal, rules)
    lights = lifecycle.LightReader(c.today, cal, rules)
    items = sv.supervision_list(kind, cases, reader, lights, start, end)
    pg = q.paginate(items, page, LIST_PAGE)
    text = sv.list_text(kind, items, pg, lights, c.lang, c.today, start, end)
    rows = case_rows(c, [i.case for i in pg.items])
    span = (start.strftime("%Y%m%d") if start else "-",
            min(end, dt.date(9999, 12, 31)).strftime("%Y%m%d") if end else "-")
    nav = []
    if pg.has_prev:
        nav.append(btn(c.context, c.t("q.btn_prev"), ListPage(kind, pg.page - 1, *span)))
    if pg.has_next:
        nav.append(btn(c.context, c.t("q.btn_next"), ListPage(kind, pg.page + 1, *span)))
    rows.append(nav)
    if edit:
        await c.edit_or_reply(text, keyboard(rows))
    else:
        await c.reply(text, keyboard(rows))


async def answer_supervise(c: Ctx, intent: Intent) -> None:
    kind = str(intent.args.get("list", ""))
    if kind not in SUPERVISION_LISTS:
        await c.reply(c.t("button.invalid"))
        return
    start = end = None
    period = str(intent.args.get("period") or "")
    if period:
        try:
            start, end = parse_period(period, c.today, work_calendar(c.store))
        except DateError as err:
            await c.reply(esc(err.render(c.lang)))
            return
    await show_list(c, kind, 1, start, end)


@button(ListPage)
async def list_page(c: Ctx, b: ListPage) -> None:
    kind, page = b.kind, b.page
    try:
        start, end = _day(b.start), _day(b.end)
    except ValueError:
        await c.answer(c.t("button.invalid"), alert=True)
        return
    if kind not in SUPERVISION_LISTS:
        await c.answer(c.t("button.invalid"), alert=True)
        return
    await show_list(c, kind, page, start, end, edit=True)


async def answer_requests(c: Ctx, intent: Intent | None = None) -> None:
    """/requests: what waits for the asker's decision, each with its buttons: join requests
    (the office), extension requests they may decide, drafts they are to review."""
    from handlers.people import JOIN_TABLE, join_keyboard, join_text

    person = c.person
    joins = []
    if decide(person, "approve_people"):
        joins = [d for d in c.store.table(JOIN_TABLE).all() if d.get("status") == "pending"]
    extensions = []
    for doc in c.store.table(EXTENSIONS).all():
        if doc.get("status") != "pending":
            continue
        case = c.store.get_case(doc["case_id"])
        request = wf.ExtensionRequest.from_dict({**doc, "id": doc.doc_id})
        if case is not None and wf.may_decide_extension(person, case, request):
            extensions.append((case, request))
    reviews = [k for k in visible(person, c.store.cases()) if wf.may_review(person, k)]
    if not (joins or extensions or reviews):
        await c.reply(c.t("sv.requests.none"))
        return
    await c.reply(c.t("sv.requests.head", join=len(joins), ext=len(extensions),
                      rev=len(reviews)))
    sent = 0
    left = 0
    for doc in joins:
        if sent >= MAX_REQUESTS:
            left += 1
            continue
        await c.reply(join_text(c, c.lang, doc), join_keyboard(c, c.lang, doc.doc_id))
        sent += 1
    for case, request in extensions:
        if sent >= MAX_REQUESTS:
            left += 1
            continue
        await c.reply(c.t("upd.notify.ext_request", by=esc(request.requested_by),
                          title=case_title(case, c.lang), old=request.old_due,
                          new=request.new_due, reason=shown(request.reason)),
                      keyboard(decision_rows(c, request.id)))
        sent += 1
    for case in reviews:
        if sent >= MAX_REQUESTS:
            left += 1
            continue
        draft = shown(case.draft_text, 600) if case.draft_text else c.t("sv.no_draft_text")
        await c.reply(c.t("sv.requests.review", title=case_title(case, c.lang),
                          by=esc(case.handler or "—"), since=case.review_since or "—",
                          draft=draft),
                      keyboard([[step_button(c, case, "review_ok"),
                                 step_button(c, case, "review_back")]]))
        sent += 1
    if left:
        await c.reply(c.t("sv.requests.more", n=left))


# ---------------------------------------------------------------- refusing an extension


def _request(c: Ctx, st: FlowState):
    doc = c.store.table(EXTENSIONS).get(doc_id=int(st.data.get("request") or 0))
    return doc


async def _begin_refusal(c: Ctx, st: FlowState) -> bool:
    doc = _request(c, st)
    case = c.store.get_case(doc["case_id"]) if doc is not None else None
    if doc is None or case is None:
        await c.reply(c.t("case.gone"))
        return False
    request = wf.ExtensionRequest.from_dict({**doc, "id": doc.doc_id})
    if request.status != "pending" or not wf.may_decide_extension(c.person, case, request):
        key = "wf.ext_decided" if request.status != "pending" else "wf.ext_not_yours"
        await c.reply(esc(wf.WorkflowError(key, who=request.decided_by,
                                           status=request.status).render(c.lang)))
        return False
    st.data["_title"] = case_title(case, c.lang)
    st.data["_new"] = request.new_due
    return True


async def _finish_refusal(c: Ctx, st: FlowState) -> None:
    await decide_request(c, int(st.data["request"]), False, st.data["reason"])


add_flow(Flow(
    name="ext_refuse",
    title="sv.step.ext_refuse",
    begin=_begin_refusal,
    asks=(Ask("reason", lambda c, st: c.t("sv.ask.refusal_reason", title=st.data["_title"],
                                          new=st.data["_new"]),
              read=lambda c, st, text: wf.check_reason(text)),),
    finish=_finish_refusal,
))


@entry(RefusalButton)
async def refusal_entry(c: Ctx, b: RefusalButton) -> object:
    """[不同意] under an extension request: the reason is asked, then the refusal saved."""
    from handlers.flows import start_flow

    await c.answer()
    return await start_flow(c, "ext_refuse", data={"request": b.request_id})


# ---------------------------------------------------------------- [时限怎么算]


def deadline_row(c: Ctx, case: Case):
    """[时限怎么算] under every card of a case with a deadline (who sees the card may ask)."""
    if not case.clocks and not lifecycle.awaiting_signature(case) \
            and not lifecycle.review_pending(case) and not case.notices:
        return []
    return [[btn(c.context, c.t("sv.btn.deadlines"), DeadlinesButton(case.id))]]


def extension_lines(c: Ctx, case: Case) -> list[str]:
    """The card's extension requests: the pending one, and the last one decided."""
    docs = list(ExtensionRequests(c.store).docs(case_id=case.id))
    if not docs:
        return []
    docs.sort(key=lambda d: d.doc_id)
    shown_docs = [d for d in docs if d.get("status") == "pending"][-1:]
    decided = [d for d in docs if d.get("status") != "pending"]
    if decided:
        shown_docs.insert(0, decided[-1])
    out = []
    for d in shown_docs:
        status = d.get("status", "pending")
        line = c.t(f"sv.card.ext_{status}", who=esc(d.get("requested_by", "")),
                   old=d.get("old_due", ""), new=d.get("new_due", ""),
                   by=esc(d.get("decided_by", "")), reason=shown(d.get("reason", ""), 60))
        if d.get("refusal_reason"):
            line += c.t("sv.card.ext_because", reason=shown(d["refusal_reason"], 60))
        out.append(line)
    return out


@button(DeadlinesButton)
async def deadlines_button(c: Ctx, b: DeadlinesButton) -> None:
    case = c.store.get_case(b.case_id)
    if case is None:
        await c.answer(c.t("case.gone"), alert=True)
        return
    decision = decide(c.person, "view", case)
    if not decision:
        await c.refuse(decision.reason)
        return
    lines = sv.deadline_lines(case, work_calendar(c.store), rules_of(c.store, case.year), c.lang)
    await c.answer()
    await c.reply(case_title(case, c.lang) + "\n" + "\n".join(lines))




# ---------------------------------------------------------------- deadlines the calendar moved


async def tell_deadline_moves(app: Application) -> int:
    """Tell each handler whose working-day deadline a calendar change moved (old and new
    date), once; returns how many were told. A handler who cannot be reached is skipped
    and marked told (the card and the history show the new date)."""
    from bot.texts import t
    from data.deadlines import mark_told, pending_moves

    store = app.bot_data["store"]
    told = 0
    for doc_id, move in pending_moves(store):
        case = store.get_case(int(move["case_id"]))
        people = [p for p in store.people_named(move.get("handler") or "")
                  if p.active and p.telegram is not None]
        if case is not None and people:
            person = sorted(people, key=lambda p: p.division != case.division)[0]
            lang = person.language
            text = t("sv.notify.deadline_moved", lang, title=case_title(case, lang),
                     clock=t(f"clock.{move['clock']}", lang), old=move["old"], new=move["new"])
            try:
                await app.bot.send_message(person.telegram, text)
                told += 1
            except Exception:  # noqa: BLE001 - one unreachable handler must not stop the rest
                pass
        mark_told(store, doc_id)
    return told


async def _moves_job(context) -> None:
    await tell_deadline_moves(context.application)


def register(app: Application) -> None:
    """The supervision lists' commands and /requests (the steps run in the update flows'
    engine); at start, the deadlines a calendar change moved are told to their handlers."""
    for name in (*SUPERVISION_LISTS, "requests"):
        command(app, name, query_cmd)
    add_intent_answer(app, "supervise", answer_supervise)
    add_intent_answer(app, "requests", answer_requests)
    add_card_buttons(app, deadline_row)
    add_card_lines(app, extension_lines)
    if app.job_queue is not None:
        app.job_queue.run_once(_moves_job, when=1.0, name="deadline_moves")
