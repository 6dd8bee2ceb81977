"""A case's workflow: what may happen next, and every rule of registering and updating it.

Pure decisions, no Telegram and no storage: the chat handlers (handlers/registration.py,
handlers/update*.py) parse what people type or press, call these functions on a fresh copy
of the case, save it, and render the outcome. A refusal is a :class:`WorkflowError` (a
:class:`~bot.domain.model.ValidationError`): its ``key`` names the catalogue message
(bot/texts/workflow.py), so the reason reaches the user in their language.

The rules (DOMAIN.md, "A case's life"):

- **Stages** go forward in DOMAIN.md's order, skipping stages that do not apply to the
  case's role (:func:`applicable_stages`: co/joint cases have no feedback or publishing,
  work-reference cases only get handled and archived). Going back needs a reason
  (:func:`move_back`) and undoes what the stages left behind (the answer's met date, the
  reply class, the satisfaction, the publishing date).
- ``assigned`` needs the five fixes; ``consulted`` comes from recording a consultation;
  ``answered`` only through :func:`answer`, ``feedback`` only through
  :func:`record_satisfaction`.
- **Consult first, answer after** (先协商,后答复): :func:`answer` refuses a case without a
  consultation unless an office admin overrides it with a reason, which the history keeps.
- A **B-class** reply opens the follow-up clock (续办续复, December 31 by default).
- **不满意** reopens the case (back to 办理中) with a new deadline (one month by default).
- An **extension** is a request (:class:`ExtensionRequest`) the division head (or the office)
  approves or refuses; only approval moves the deadline.
- **退回改办** (wrongly assigned) sends the case back to the office: division and handler
  are cleared, the case is 登记 again until the office reassigns it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from bot.domain import lifecycle
from bot.domain.access import decide, registrable_divisions
from bot.domain.dates import DateError, add_months, parse_date
from bot.domain.model import (
    KINDS,
    MAX_NAME,
    MAX_TEXT,
    MAX_TITLE,
    MET_UNKNOWN,
    NOTICE_ANSWERS,
    OPINION_ROLES,
    REPLY_CLASSES,
    REPLY_ROLES,
    SATISFACTIONS,
    STAGES,
    Case,
    Clock,
    Consultation,
    Notice,
    Person,
    Review,
    ValidationError,
    _text,
    five_fixes_missing,
    normalize_number,
    split_names,
    stage_index,
)
from bot.domain.people import divisions
from bot.domain.rules import Rules, arm_clocks, default_deadline, publish_due
from bot.domain.workcal import WorkCalendar
from bot.texts import t


class WorkflowError(ValidationError):
    """A step the workflow refuses; ``key`` names the reason in the catalogue.

    A ``stage`` or ``status`` param is a code, shown by its label in the reader's language.
    """

    def render(self, lang: str | None = "zh") -> str:
        params = dict(self.params)
        if "stage" in params:
            params["stage"] = t(f"stage.{params['stage']}", lang)
        if "status" in params:
            params["status"] = t(f"wf.status.{params['status']}", lang)
        return t(self.key, lang, **params)


# ---------------------------------------------------------------- stages


def applicable_stages(case: Case) -> tuple[str, ...]:
    """The stages this case can pass through, in order.

    - work reference (工作参考): registered, assigned, in progress, archived;
    - co/joint (协办/会办): up to ``answered`` (the opinion submitted), then archived;
    - lead/sole/split: everything but ``published`` when the case has no publishing clock
      (split cases and continuations publish nothing of their own).
    """
    if case.role == "reference":
        return ("registered", "assigned", "in_progress", "archived")
    skip: set[str] = set()
    if case.role in OPINION_ROLES:
        skip = {"feedback", "published"}
    elif "publish" not in case.clocks:
        skip = {"published"}
    return tuple(s for s in STAGES if s not in skip)


#: stages reached only through their own step (not a plain forward move)
_OWN_STEP = {"consulted": "consult", "answered": "answer", "feedback": "satisfaction",
             "reviewed": "review"}


def forward_targets(case: Case) -> list[str]:
    """Later stages a plain forward move may reach now (gates checked by :func:`move_forward`)."""
    stages = applicable_stages(case)
    if case.stage not in stages:
        return []
    later = stages[stages.index(case.stage) + 1:]
    return [s for s in later if s not in _OWN_STEP and _forward_gate(case, s) is None]


def _forward_gate(case: Case, to: str) -> str | None:
    """Why ``case`` may not move forward to ``to`` (a catalogue key), or None."""
    if five_fixes_missing(case):
        return "wf.fixes_incomplete"
    if case.role != "reference" and to in ("published", "archived") and not case.answered:
        return "wf.not_answered"
    if to == "published" and "publish" not in case.clocks:
        return "wf.no_publishing"
    return None


def check_step_date(case: Case, on: dt.date, today: dt.date) -> None:
    """A step happened on ``on``: not after today, not before the case was assigned."""
    if on > today:
        raise WorkflowError("wf.date_future", date=on.isoformat())
    if case.assigned_on and on.isoformat() < case.assigned_on:
        raise WorkflowError("wf.date_before_assigned", date=on.isoformat(),
                            assigned=case.assigned_on)


def move_forward(case: Case, to: str, today: dt.date, on: dt.date | None = None) -> None:
    """Move ``case`` forward to ``to`` (in place), or raise WorkflowError with the reason.

    ``assigned`` sets the assignment date (if none); ``published`` marks the publishing
    clock met on ``on`` (the day it happened, today by default: :func:`check_step_date`).
    ``answered`` and ``feedback`` have their own steps (:func:`answer`,
    :func:`record_satisfaction`); ``consulted`` is reached by recording a consultation.
    """
    stages = applicable_stages(case)
    if to not in stages:
        raise WorkflowError("wf.stage_not_applicable", stage=to)
    if stage_index(to) <= stage_index(case.stage):
        raise WorkflowError("wf.not_forward", stage=to)
    if to in _OWN_STEP:
        raise WorkflowError(f"wf.use_step_{_OWN_STEP[to]}")
    gate = _forward_gate(case, to)
    if gate is not None:
        raise WorkflowError(gate)
    if to == "published":
        on = on or today
        check_step_date(case, on, today)
        case.clocks["publish"].met = on.isoformat()
    if not case.assigned_on:
        case.assigned_on = today.isoformat()
    case.stage = to


def back_targets(case: Case) -> list[str]:
    """Earlier stages ``case`` may be moved back to (newest first)."""
    stages = applicable_stages(case)
    if case.stage not in stages:
        return [s for s in reversed(STAGES) if stage_index(s) < stage_index(case.stage)]
    return list(reversed(stages[: stages.index(case.stage)]))


def check_reason(reason: str) -> str:
    """A reason a person gives (going back, overriding, returning, extending): required."""
    return _text(reason, "reason", MAX_TEXT, required=True)


def move_back(case: Case, to: str, reason: str) -> str:
    """Move ``case`` back to the earlier stage ``to`` with a reason; returns the history note.

    What the later stages recorded is undone: below ``answered`` the main clock is open
    again and the reply class is cleared (with a B reply's default follow-up clock); below
    ``feedback`` the satisfaction is cleared; below ``published`` the publishing date.
    """
    reason = check_reason(reason)
    if to not in back_targets(case):
        raise WorkflowError("wf.not_back", stage=to)
    target, current = stage_index(to), stage_index(case.stage)
    if target < stage_index("answered") <= current:
        main = case.main_clock
        if main and main in case.clocks:
            case.clocks[main].met = ""
        if case.reply_class == "B" and not case.continuation:
            followup = case.clocks.get("followup")
            if followup is not None and followup.source == "default" and not followup.met:
                del case.clocks["followup"]
        case.reply_class = ""
    if target < stage_index("feedback") <= current:
        case.satisfaction = ""
    if target < stage_index("published") <= current and "publish" in case.clocks:
        case.clocks["publish"].met = ""
    if to == "assigned" and lifecycle.is_signed(case) and not case.signed_at:
        case.signed_at = MET_UNKNOWN  # it counted as signed past 交办: on an unknown day
    elif to == "registered":
        clear_signature(case)
    case.stage = to
    return reason


# ---------------------------------------------------------------- consultations


def read_past_date(text: str, today: dt.date, cal: WorkCalendar | None = None) -> dt.date:
    """A date that has happened (a consultation's), as people write it.

    The dates module reads a partial date ("5月12日", "30号") as the next one on or after
    today; for a past event the *last* one on or before today is meant. So a phrase that
    reads as a future date is read again from a month and from a year earlier, and taken
    when that reading is anchored (the same from a week before: "5月12日" is, "下周五" and
    "明天" are not) and not after today. Anything else in the future is refused.
    """
    day = parse_date(text, today, cal)
    if day <= today:
        return day
    for months in (1, 12):
        ref = add_months(today, -months)
        try:
            earlier = parse_date(text, ref, cal)
            anchored = earlier == parse_date(text, ref - dt.timedelta(days=7), cal)
        except DateError:
            continue
        if anchored and earlier <= today:
            return earlier
    raise WorkflowError("wf.date_future", date=day.isoformat())


def add_consultation(case: Case, method: str, on: dt.date, with_whom: str, note: str,
                     by: str, today: dt.date) -> Consultation:
    """Record a consultation (面商/协商) in place; the case becomes 已协商 if it was earlier.

    The date may not be in the future; method, partner and note are validated by the model.
    """
    if case.role == "reference":
        raise WorkflowError("wf.reference_no_reply")
    if case.stage == "archived":
        raise WorkflowError("wf.archived")
    check_step_date(case, on, today)
    con = Consultation(method=method, on=on.isoformat(), with_whom=with_whom, note=note, by=by)
    case.consultations = [*case.consultations, con]
    if stage_index(case.stage) < stage_index("consulted") and not five_fixes_missing(case):
        if not case.assigned_on:
            case.assigned_on = today.isoformat()
        case.stage = "consulted"
    return con


# ---------------------------------------------------------------- answering


def may_override(person: Person | None, case: Case) -> bool:
    """Whether ``person`` may answer without a consultation (the office, with a reason)."""
    return decide(person, "override", case).allowed


def needs_reply_class(case: Case) -> bool:
    """Lead, sole and split replies are classed A/B/C; co/joint opinions are not."""
    return case.role in REPLY_ROLES


def check_consult_first(case: Case, person: Person | None, override_reason: str = "",
                        on: dt.date | None = None) -> str:
    """先协商,后答复: "" when a consultation is recorded (on or before the answer's day
    ``on``, when given); with none, the override's history note when ``person`` may
    override and gave a reason; otherwise WorkflowError."""
    day = on.isoformat() if on is not None else None
    if any(day is None or c.on <= day for c in case.consultations):
        return ""
    if not may_override(person, case):
        raise WorkflowError("wf.consult_first")
    if not (override_reason or "").strip():
        raise WorkflowError("wf.override_needs_reason")
    return check_reason(override_reason)


def can_answer(case: Case) -> None:
    """Raise WorkflowError unless ``case`` is at a stage where it can be answered."""
    if case.role == "reference":
        raise WorkflowError("wf.reference_no_reply")
    if case.stage == "archived":
        raise WorkflowError("wf.archived")
    if case.answered:
        raise WorkflowError("wf.already_answered")
    if five_fixes_missing(case):
        raise WorkflowError("wf.fixes_incomplete")


def followup_due(case: Case, rules: Rules, today: dt.date) -> dt.date:
    """The follow-up date a B reply opens: ``followup_due`` of the case's year, or of the
    first later year whose date is still ahead."""
    year = max(case.year, today.year)
    due = rules.followup_date(year)
    return due if due > today else rules.followup_date(year + 1)


def answer(case: Case, person: Person | None, today: dt.date, rules: Rules,
           reply_class: str = "", override_reason: str = "", on: dt.date | None = None,
           cal: WorkCalendar | None = None) -> str:
    """Mark ``case`` answered on ``on`` (today by default; the reply, or the co/joint
    opinion submitted), in place.

    Checks the stage, the day (:func:`check_step_date`), 先协商后答复
    (:func:`check_consult_first`: a consultation on or before that day) and the reply class
    (A/B/C, required for lead/sole/split, refused for co/joint). The main clock is met on
    that day. A B reply of this year's case opens the follow-up clock
    (:func:`followup_due`); an A or C reply closes a follow-up an earlier B reply opened. A
    continuation answered again closes its follow-up (its main clock) whatever the class.
    The satisfaction of an earlier reply is cleared (history keeps it). The publishing date
    of a case answered late follows the answer (:func:`bot.domain.rules.publish_due`).
    Returns the history note (the override's reason, or "").
    """
    on = on or today
    can_answer(case)
    check_step_date(case, on, today)
    note = check_consult_first(case, person, override_reason, on)
    if lifecycle.answer_needs_review(case, rules.review_strict):  # 审核 first
        if not may_override(person, case):
            raise WorkflowError("sv.review_first")
        if not (override_reason or "").strip():
            raise WorkflowError("wf.override_needs_reason")
        note = check_reason(override_reason)
    if needs_reply_class(case):
        if reply_class not in REPLY_CLASSES:
            raise WorkflowError("wf.reply_class_needed")
    elif reply_class:
        raise WorkflowError("wf.no_reply_class")
    arm_clocks(case, rules, today)
    main = case.main_clock
    if main is not None:
        case.clocks[main].met = on.isoformat()
    case.reply_class = reply_class
    case.satisfaction = ""
    case.stage = "answered"
    followup = case.clocks.get("followup")
    if not case.continuation:
        if reply_class == "B":
            if followup is None or not followup.open:
                case.clocks["followup"] = Clock(due=followup_due(case, rules, on).isoformat(),
                                                source="default")
        elif followup is not None and followup.open:
            if followup.source == "default":
                del case.clocks["followup"]
            else:
                followup.met = on.isoformat()
    publish = case.clocks.get("publish")
    if publish is not None and not publish.met and publish.source == "default":
        due = publish_due(case, rules, on, cal)
        publish.due = due.isoformat() if due else ""
    return note


def answer_followup(case: Case, reply_class: str, today: dt.date,
                    on: dt.date | None = None) -> None:
    """The continuation answered again (续办续复): the follow-up clock is met on ``on``
    (today by default) and the new class (A solved, C kept for reference) recorded."""
    on = on or today
    followup = case.clocks.get("followup")
    if followup is None or not followup.open or not case.answered or case.stage == "archived":
        raise WorkflowError("wf.no_followup")
    if reply_class not in ("A", "C"):
        raise WorkflowError("wf.followup_class")
    check_step_date(case, on, today)
    followup.met = on.isoformat()
    case.reply_class = reply_class


# ---------------------------------------------------------------- satisfaction


def reopen_due(rules: Rules, today: dt.date) -> dt.date:
    """The default deadline of a case reopened after 不满意 (one month by default)."""
    return rules.reopen_date(today)


def record_satisfaction(case: Case, value: str, today: dt.date, rules: Rules,
                        new_due: dt.date | None = None) -> bool:
    """Record the proposer's satisfaction (in place); True when it reopened the case.

    Recorded any time after the answer, published or not. 满意 / 基本满意 move a case that
    stands answered to 已征询反馈. 不满意 reopens it for re-handling: back to 办理中, the main
    clock open again with ``new_due`` (default :func:`reopen_due`, which must lie ahead). The
    first reply's due date and day are kept (``first_reply_due`` / ``first_reply_on``) so the
    report still judges the case on its first reply; the follow-up an earlier B reply opened
    is dropped (the new answer decides whether there is one).
    """
    if value not in SATISFACTIONS:
        raise WorkflowError("wf.pick_one", options=" / ".join(SATISFACTIONS))
    if case.role not in REPLY_ROLES:
        raise WorkflowError("wf.no_satisfaction")
    if not case.answered or case.stage == "archived":
        raise WorkflowError("wf.not_answered")
    if value != "unsatisfied":
        case.satisfaction = value
        if case.stage == "answered":
            case.stage = "feedback"
        return False
    due = new_due or reopen_due(rules, today)
    if due <= today:
        raise WorkflowError("wf.date_not_ahead", date=due.isoformat())
    case.satisfaction = value
    main = case.main_clock
    if main is not None:
        clock = case.clocks.get(main)
        if not case.first_reply_on:
            case.first_reply_due = clock.due if clock is not None else ""
            case.first_reply_on = (clock.met if clock is not None and clock.met
                                   else MET_UNKNOWN)
        if clock is None:
            case.clocks[main] = Clock(due=due.isoformat(), source="set")
        else:
            clock.due, clock.met = due.isoformat(), ""
            clock.source = "set" if new_due else "default"
    followup = case.clocks.get("followup")
    if not case.continuation and followup is not None and followup.open \
            and followup.source == "default":
        del case.clocks["followup"]
    case.stage = "in_progress"
    return True


# ---------------------------------------------------------------- extensions

EXT_STATUSES = ("pending", "approved", "refused")


@dataclass
class ExtensionRequest:
    """申请延期: a handler asks to move the case's deadline; the division head decides."""

    case_id: int
    clock: str
    old_due: str
    new_due: str
    reason: str
    requested_by: str
    requested_at: str
    status: str = "pending"
    decided_by: str = ""
    decided_at: str = ""
    id: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExtensionRequest:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def check_extension_date(case: Case, new_due: dt.date, today: dt.date) -> None:
    """An extension must lie after the current deadline and after today."""
    if case.main_clock is None:
        raise WorkflowError("wf.reference_no_deadline")
    clock = case.clocks.get(case.main_clock)
    if clock is None or not clock.open or case.stage == "archived":
        raise WorkflowError("wf.no_open_deadline")
    if new_due <= today:
        raise WorkflowError("wf.date_not_ahead", date=new_due.isoformat())
    if new_due.isoformat() <= clock.due:
        raise WorkflowError("wf.ext_not_later", date=new_due.isoformat(), due=clock.due)


def request_extension(case: Case, person: Person, new_due: dt.date, reason: str,
                      today: dt.date, at: str) -> ExtensionRequest:
    """A new pending request to move ``case``'s deadline to ``new_due`` (the case is unchanged)."""
    check_extension_date(case, new_due, today)
    reason = check_reason(reason)
    main = case.main_clock
    assert main is not None  # checked above
    return ExtensionRequest(case_id=case.id, clock=main, old_due=case.clocks[main].due,
                            new_due=new_due.isoformat(), reason=reason,
                            requested_by=person.name, requested_at=at)


def may_decide_extension(person: Person | None, case: Case, request: ExtensionRequest) -> bool:
    """The division head of the case or the office, but never on one's own request (unless
    one is the office)."""
    if not decide(person, "decide_extension", case):
        return False
    assert person is not None
    return person.position == "office" or person.name != request.requested_by


def decide_extension(case: Case, request: ExtensionRequest, person: Person, approve: bool,
                     at: str) -> ExtensionRequest:
    """Approve or refuse a pending request; approval moves the deadline (in place, source
    ``"extension"``), unless the deadline changed since the request (then it is refused
    with the reason: ask again). Returns the decided request."""
    if request.status != "pending":
        raise WorkflowError("wf.ext_decided", who=request.decided_by,
                            status=request.status)
    if not may_decide_extension(person, case, request):
        raise WorkflowError("wf.ext_not_yours")
    if approve:
        clock = case.clocks.get(request.clock)
        if clock is None or not clock.open or case.main_clock != request.clock:
            raise WorkflowError("wf.no_open_deadline")
        if clock.due != request.old_due:  # changed since: approving would overwrite it
            raise WorkflowError("wf.ext_outdated", old=request.old_due, due=clock.due)
        clock.due = request.new_due
        clock.source = "extension"
    return ExtensionRequest(**{**request.to_dict(),
                               "status": "approved" if approve else "refused",
                               "decided_by": person.name, "decided_at": at})


def division_heads(people: Iterable[Person], division: str) -> list[Person]:
    return [p for p in people if p.active and p.approved and p.position == "division_head"
            and p.division == division]


def office_people(people: Iterable[Person]) -> list[Person]:
    return [p for p in people if p.active and p.approved and p.position == "office"]


def extension_deciders(case: Case, people: Sequence[Person], requester: Person) -> list[Person]:
    """Who is asked to decide: the case's division heads other than the requester, the
    linked ones; the office when there is none."""
    heads = [p for p in division_heads(people, case.division)
             if p.name != requester.name and p.linked]
    return heads or [p for p in office_people(people) if p.linked]


# ---------------------------------------------------------------- 签收


def clear_signature(case: Case) -> None:
    """The case changed hands (退回改办, a new handler): whoever handles it signs again."""
    case.signed_at, case.signed_by, case.signed_by_id = "", "", 0


def sign(case: Case, person: Person | None, at: str) -> str:
    """签收: ``person`` (the handler, or the office) signs for the assigned ``case`` at the
    ISO datetime ``at`` (in place). Returns the history note."""
    if not decide(person, "sign", case):
        raise WorkflowError("sv.sign_not_yours")
    if not lifecycle.awaiting_signature(case):
        if case.stage == "registered" or five_fixes_missing(case):
            raise WorkflowError("wf.fixes_incomplete")
        raise WorkflowError("sv.already_signed", who=case.signed_by or "—",
                            at=(case.signed_at or "—")[:16].replace("T", " "))
    assert person is not None
    case.signed_at, case.signed_by, case.signed_by_id = at, person.name, person.id
    return ""


# ---------------------------------------------------------------- 审核


def submit_draft(case: Case, rules: Rules, today: dt.date, text: str = "",
                 on: dt.date | None = None) -> None:
    """已拟复文: the draft (its text optional) goes for review along the year's chain
    (``review_chain``), in place; the chain is kept with the round."""
    if text:
        case.draft_text = _text(text, "draft_text", MAX_TEXT * 4)
    move_forward(case, "drafted", today, on)
    case.review_round += 1
    case.review_chain = list(rules.review_chain)
    case.review_since = (on or today).isoformat()


def set_draft_text(case: Case, text: str) -> None:
    """[复文内容]: attach (or replace) the text of a draft under review, in place."""
    if not lifecycle.review_pending(case):
        raise WorkflowError("sv.no_review")
    case.draft_text = _text(text, "draft_text", MAX_TEXT * 4, required=True)


def is_reviewer(person: Person | None, case: Case, position: str) -> bool:
    """Whether ``person`` stands at ``position`` of ``case``'s review chain."""
    if person is None or not decide(person, "view", case):
        return False
    if position == "division_head":
        return person.position == "division_head" and person.division == case.division
    if position == "leader":
        return person.position == "leader" and case.division in person.leads_divisions
    return person.position == position


def may_review(person: Person | None, case: Case) -> bool:
    step = lifecycle.review_step(case)
    return step is not None and is_reviewer(person, case, step)


def review(case: Case, person: Person | None, approve: bool, reason: str, at: str,
           today: dt.date) -> Review:
    """One step of the review (in place): 同意 moves the draft to the next reviewer (or to
    已审核 after the last); 退回修改 (a reason required) sends it back for redrafting."""
    step = lifecycle.review_step(case)
    if step is None:
        raise WorkflowError("sv.no_review")
    if not is_reviewer(person, case, step):
        raise WorkflowError("sv.review_not_yours", position=step)
    assert person is not None
    decision = Review(round=case.review_round, position=step,
                      decision="approved" if approve else "returned", by=person.name, at=at,
                      by_id=person.id, reason="" if approve else check_reason(reason))
    case.reviews = [*case.reviews, decision]
    if not approve:
        case.stage = "consulted" if case.consultations else "in_progress"
        case.review_since = ""
    elif lifecycle.review_step(case) is None:
        case.stage = "reviewed"
        case.review_since = ""
    else:
        case.review_since = today.isoformat()
    return decision


# ---------------------------------------------------------------- 督办单


def issue_notice(case: Case, person: Person | None, text: str, due: dt.date, today: dt.date,
                 at: str) -> Notice:
    """督办单: the office or a leader requires ``text`` on ``case`` by ``due`` (in place).
    The due date must lie ahead; the case must not be archived."""
    if not decide(person, "issue_notice", case):
        raise WorkflowError("access.cannot_issue_notice")
    if case.stage == "archived":
        raise WorkflowError("wf.archived")
    if case.stage == "registered":
        raise WorkflowError("wf.fixes_incomplete")
    text = read_text(text, "notice_text")
    if due <= today:
        raise WorkflowError("wf.date_not_ahead", date=due.isoformat())
    assert person is not None
    notice = Notice(id=max((n.id for n in case.notices), default=0) + 1, text=text,
                    due=due.isoformat(), issued_by=person.name, issued_at=at,
                    issued_by_id=person.id)
    case.notices = [*case.notices, notice]
    return notice


def answer_notice(case: Case, person: Person | None, answer: str, note: str, today: dt.date,
                  notice_id: int | None = None) -> Notice:
    """The handler (or division head, or office) answers an open notice (the one due first
    unless ``notice_id`` names one): 已落实 with a note, or a reason. Both need the text."""
    if not decide(person, "update", case):
        raise WorkflowError("access.cannot_update")
    pending = lifecycle.open_notices(case)
    if notice_id:
        pending = [n for n in pending if n.id == notice_id]
    if not pending:
        raise WorkflowError("sv.no_open_notice")
    if answer not in NOTICE_ANSWERS:
        raise WorkflowError("wf.pick_one", options=" / ".join(NOTICE_ANSWERS))
    assert person is not None
    notice = pending[0]
    notice.answer, notice.note = answer, check_reason(note)
    notice.answered_on, notice.answered_by = today.isoformat(), person.name
    return notice


# ---------------------------------------------------------------- 退回改办 and the five fixes


def return_for_reassignment(case: Case, reason: str) -> str:
    """退回改办: the case was assigned to the wrong division or person. Division and handler
    are cleared and the case is 登记 again until the office reassigns it. Returns the note."""
    reason = check_reason(reason)
    if case.answered or case.stage == "archived":
        raise WorkflowError("wf.already_answered")
    if not case.division and not case.handler:
        raise WorkflowError("wf.already_returned")
    case.division, case.handler, case.handler_id = "", "", 0
    case.stage = "registered"
    clear_signature(case)
    return reason


def division_people(people: Iterable[Person], division: str) -> list[Person]:
    """The people a case of ``division`` can be given to: its active handlers and heads."""
    return [p for p in people if p.active and p.approved and p.division == division
            and p.position in ("handler", "division_head")]


def check_deadline(case: Case, due: dt.date, today: dt.date) -> None:
    if case.main_clock is None:
        raise WorkflowError("wf.reference_no_deadline")
    if due < today:
        raise WorkflowError("wf.date_past", date=due.isoformat())


def known_divisions(people: Iterable[Person]) -> list[str]:
    """The divisions people work in or lead, sorted."""
    return divisions(people)


def assignable_divisions(person: Person | None, people: Iterable[Person]) -> list[str]:
    """The divisions ``person`` may give a case to (the office: all; a division head: theirs)."""
    if person is None:
        return []
    return registrable_divisions(person, known_divisions(people))


def change_fix(case: Case, fix: str, value: Any, person: Person | None, today: dt.date,
               rules: Rules, people: Sequence[Person]) -> None:
    """Change one of the five fixes (in place), validated:

    - ``division``: one ``person`` may assign to (:func:`assignable_divisions`); a handler
      of another division is cleared (the new division's handler must be chosen);
    - ``handler``: an active person of the case's division (their person id, or their name
      when it is unique there): the case is theirs by identity;
    - ``task`` / ``requirements``: text, required;
    - ``deadline``: a date (``dt.date``), not in the past, not for a work reference.

    A 登记 case whose five fixes become complete is 交办 (assigned) today, its clocks armed.
    """
    if case.stage == "archived":
        raise WorkflowError("wf.archived")
    if fix == "division":
        if value not in assignable_divisions(person, people):
            raise WorkflowError("wf.division_not_allowed", name=str(value))
        if value != case.division:
            case.division = value
            if case.handler_id not in {p.id for p in division_people(people, value)}:
                case.handler, case.handler_id = "", 0
                clear_signature(case)
    elif fix == "handler":
        # by person id (a choice button) or by name within the division
        found = [p for p in division_people(people, case.division)
                 if p.id == value or p.name == value]
        if len(found) != 1:
            raise WorkflowError("wf.not_in_division", name=str(value), division=case.division)
        if found[0].id != case.handler_id:
            clear_signature(case)  # the new handler signs for it
        case.handler, case.handler_id = found[0].name, found[0].id
    elif fix in ("task", "requirements"):
        setattr(case, fix, _text(value, fix, MAX_TEXT, required=True))
    elif fix == "deadline":
        check_deadline(case, value, today)
        case.set_deadline(value.isoformat(), "set")
    else:
        raise WorkflowError("wf.pick_one", options=" / ".join(FIX_FIELDS))
    if case.stage == "registered" and not five_fixes_missing(case):
        case.assigned_on = case.assigned_on or today.isoformat()
        case.stage = "assigned"
        arm_clocks(case, rules, today)


FIX_FIELDS = ("division", "task", "handler", "deadline", "requirements")


# ---------------------------------------------------------------- next steps

#: the update steps a case card may offer, in the order its buttons are shown; a stage
#: name is a plain forward move to that stage
STEPS = ("sign", "notice_reply", "review_ok", "review_back", "draft_text", "consult",
         "assigned", "in_progress", "drafted", "reviewed", "answer", "satisfaction",
         "followup", "published", "archived", "extend", "return", "fixes", "back", "notice")
#: the access action each step needs
STEP_ACTION = {step: "update" for step in STEPS} | {"fixes": "assign", "sign": "sign",
                                                    "notice": "issue_notice",
                                                    "review_ok": "view", "review_back": "view"}


def next_steps(case: Case, person: Person | None) -> list[str]:
    """The sensible next steps of ``case`` for ``person``, in :data:`STEPS` order.

    Only steps the person may take: handlers and division heads update their cases, the
    division head and the office change the five fixes. A plain forward move is offered
    for the next applicable stage only (plus 答复 before the case is answered).
    """
    if person is None or not decide(person, "view", case):
        return []
    steps: set[str] = set()
    if decide(person, "update", case):
        stage = case.stage
        archived = stage == "archived"
        reference = case.role == "reference"
        if not archived and not reference and not case.answered and stage != "registered" \
                and not five_fixes_missing(case):
            # 答复 is offered before a consultation too: pressing it explains 先协商,后答复
            steps.update(("consult", "answer"))
        targets = forward_targets(case)
        if targets:
            steps.add(targets[0])
        if case.answered and not archived:
            if case.role in REPLY_ROLES and (stage == "answered" or (
                    not case.satisfaction and stage in ("feedback", "published"))):
                steps.add("satisfaction")
            followup = case.clocks.get("followup")
            if followup is not None and followup.open:
                steps.add("followup")
        main = case.main_clock
        if main and main in case.clocks and case.clocks[main].open and not archived \
                and not decide(person, "assign", case):  # who assigns sets the deadline
            steps.add("extend")
        if not archived and not case.answered and stage != "registered" \
                and person.position in ("handler", "division_head"):
            steps.add("return")
        if stage != "registered":
            steps.add("back")
    if decide(person, "assign", case) and case.stage != "archived":
        steps.add("fixes")
    if lifecycle.awaiting_signature(case) and decide(person, "sign", case):
        steps.add("sign")
    if may_review(person, case):
        steps.update(("review_ok", "review_back"))
    if lifecycle.review_pending(case) and decide(person, "update", case):
        steps.add("draft_text")
    if case.stage not in ("registered", "archived"):
        if decide(person, "issue_notice", case):
            steps.add("notice")
        if lifecycle.open_notices(case) and decide(person, "update", case):
            steps.add("notice_reply")
    return [s for s in STEPS if s in steps]


#: the buttons a digest line may carry besides [查看], and the steps each stands for
DIGEST_ACTIONS = {"close": ("answer", "followup"), "ext": ("extend", "fixes")}


def digest_actions(case: Case, person: Person | None) -> tuple[str, ...]:
    """The digest buttons (:data:`DIGEST_ACTIONS`) ``person`` may use on ``case``: [已办结]
    when they may answer it (or give the follow-up reply), [申请延期] when they may ask for
    an extension (or, assigning the case, change its deadline). A division head or leader
    alerted about a case they cannot update gets neither."""
    steps = set(next_steps(case, person))
    return tuple(a for a, wanted in DIGEST_ACTIONS.items() if steps.intersection(wanted))


# ---------------------------------------------------------------- registering (/new)

#: the answers of the /new conversation, in the order asked
REGISTER_FIELDS = ("kind", "number", "year", "session", "title", "proposers", "role",
                   "lead_unit", "division", "task", "handler", "deadline", "requirements")


def read_choice(text: str, codes: Sequence[str], labels: Callable[[str], Iterable[str]]) -> str:
    """The code whose name or label (in any language) ``text`` is; WorkflowError otherwise."""
    wanted = " ".join((text or "").split()).casefold()
    for code in codes:
        if wanted == code.casefold() or wanted in {str(x).casefold() for x in labels(code)}:
            return code
    raise WorkflowError("wf.pick_one", options=" / ".join(codes))


def read_year(text: str, today: dt.date) -> int:
    """A four-digit year from 2000 to next year ("2020", "2020年")."""
    value = (text or "").strip().removesuffix("年").strip()
    if not (value.isdigit() and len(value) == 4):
        raise ValidationError("err.bad_year", value=text)
    year = int(value)
    if not 2000 <= year <= today.year + 1:
        raise WorkflowError("wf.year_range", value=year, last=today.year + 1)
    return year


def read_text(text: str, fld: str, limit: int = MAX_TEXT) -> str:
    """Required text of at most ``limit`` characters, no control characters."""
    return _text(text, fld, limit, required=True)


def read_title(text: str) -> str:
    return read_text(text, "title", MAX_TITLE)


def read_session(text: str) -> str:
    return read_text(text, "session", MAX_NAME)


def read_lead_unit(text: str) -> str:
    return read_text(text, "lead_unit", MAX_NAME * 2)


def read_proposers(text: str) -> list[str]:
    """Names separated by 、 , ; or spaces; at least one, each at most MAX_NAME long."""
    names = split_names(text)
    if not names:
        raise ValidationError("err.required", field="proposers")
    return [_text(n, "proposers", MAX_NAME, required=True) for n in names]


def read_number(text: str) -> str:
    return normalize_number(text)


#: what a person types to take the default deadline
DEFAULT_WORDS = ("默认", "缺省", "default", "-", "—")


def read_deadline(text: str, today: dt.date, cal: WorkCalendar | None,
                  default: dt.date | None) -> dt.date:
    """A deadline as people write it ("6月30日前", "下周五"), or ``default`` for 默认.

    A date already past is refused (WorkflowError), as is 默认 without a default.
    """
    if (text or "").strip().casefold() in DEFAULT_WORDS:
        if default is None:
            raise WorkflowError("wf.no_default")
        return default
    day = parse_date(text, today, cal)
    if day < today:
        raise WorkflowError("wf.date_past", date=day.isoformat())
    return day


def read_future_date(text: str, today: dt.date, cal: WorkCalendar | None) -> dt.date:
    """A date after today (an extension, a reopened case's deadline)."""
    day = parse_date(text, today, cal)
    if day <= today:
        raise WorkflowError("wf.date_not_ahead", date=day.isoformat())
    return day


def register_key(data: Mapping[str, Any]) -> tuple[str, int, str, str]:
    """The case key (kind, year, number, session) of a /new draft."""
    return (data["kind"], int(data["year"]), data["number"], data.get("session", ""))


def needs_lead_unit(role: str) -> bool:
    return role in OPINION_ROLES


def draft_case(data: Mapping[str, Any], today: dt.date, rules: Rules) -> Case:
    """The case a /new draft describes, assigned today (five fixes complete), clocks armed.

    ``data["deadline"]`` is an ISO date the person chose, or "" for the role's default.
    """
    role = data["role"]
    case = Case(kind=data["kind"], number=data["number"], year=int(data["year"]),
                title=data["title"], role=role, session=data.get("session", ""),
                proposers=list(data.get("proposers", [])),
                lead_unit=data.get("lead_unit", "") if needs_lead_unit(role) else "",
                division=data["division"], task=data["task"], handler=data["handler"],
                requirements=data["requirements"], stage="assigned",
                assigned_on=today.isoformat())
    if data.get("deadline") and case.main_clock is not None:
        case.set_deadline(data["deadline"], "set")
    arm_clocks(case, rules, today)
    return case


def role_default_deadline(role: str, year: int, today: dt.date, rules: Rules) -> dt.date | None:
    """The deadline a case of ``role`` gets when none is chosen (None for a work reference)."""
    probe = Case(kind=KINDS[0], number="0", year=year, title="-", role=role,
                 assigned_on=today.isoformat())
    return default_deadline(probe, rules, today)


