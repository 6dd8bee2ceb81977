"""A case's state: the one place that decides what is live, open, done and overdue.

Every view (the card, /overdue, /due, /mine, /progress, the person and division summaries,
the reminder planner, the weekly summary, the annual report, the ledger's overdue flag, the
warnings when a handler is deactivated) asks this module and decides nothing of its own.

The rules (DOMAIN.md, "A case's life"; LEDGER.md):

* **The main clock** is the one the five-fix deadline stands for: ``followup`` for a
  continuation (续办续复), ``reply`` for lead/sole/split, ``opinion`` for co/joint, none for a
  work reference (:attr:`bot.domain.model.Case.main_clock`).
* **A stage meets the clocks it implies.** At or past ``answered`` (已答复 / 已提交意见) the
  main clock is done; at or past ``published`` the publishing clock is. A clock done by its
  stage without a recorded day (an imported 已答复 with no 答复日期, or ``met`` being
  :data:`~bot.domain.model.MET_UNKNOWN`) is done on an unknown day: shown as such, never
  overdue, counted "undated" by the report.
* **Which clocks are live** (chased, counted, reminded): the main clock until it is done;
  the publishing clock only once the case is answered (there is nothing to publish before
  the reply) and until it is published; a B-class follow-up (续办续复) of a case of this
  year while the class is still B and the case stands answered (a later A or C closes it,
  a reopened case has none). Nothing of an archived case is live.
* **Open**: not archived, and either the main step is not done yet (with or without a
  deadline) or a clock is live. A work reference is open until it is archived. **Done** is
  not open. **Overdue**: a live clock is past its due date.
* **Timeliness of the answer** (report, /progress): judged on the *first* reply when 不满意
  reopened the case (its due and day are kept in ``first_reply_due`` / ``first_reply_on``),
  otherwise on the main clock: on time when done on or before its due date, late after it,
  undated when done on an unknown day; still open otherwise (overdue once its day passed).
* **Consulted first** (先协商,后答复): a consultation dated on or before the (first) answer;
  any consultation when that day is unknown.
* **签收 (signed for)**: a case at 交办 (``assigned``) is signed once its handler signed
  (``signed_at``); a case past 交办 (办理中 or later) counts as signed whatever it records
  (data from before signing existed stays valid); a 登记 case has nothing to sign. A case
  awaiting signature is *late* once the year's ``sign_workdays`` (2) working days after
  its assignment have passed.
* **督办单 (supervision notices)** are tracked like a clock named ``notice``: a case with an
  open (unanswered) notice has the live clock ``notice`` due on the earliest open notice's
  date, so /overdue, /due, /mine, /progress, the digest and the lights pick it up; a notice
  is answered on time when its answer's day is on or before its due date. Nothing of an
  archived case is live.
* **审核 (review of the draft reply)**: a case at 已拟复文 whose draft went for review
  (``review_chain`` recorded for the round) waits on the chain's next position until every
  step approved (then it is 已审核); one 退回修改 ends the round. A step waiting more than
  the year's ``review_workdays`` (3) working days is late (the office is told). Such a
  case can be answered only once reviewed, or by the office overriding with a reason; with
  the year's ``review_strict`` every answer of a case not yet 已审核 needs that.
* **Traffic lights** (红黄绿灯, :func:`light`): ✅ done (not open); 🔴 overdue (a live clock
  past due); 🟡 a live clock due within the year's ``warn_workdays`` (5) working days, or
  behind schedule: a lead/sole/split case with no consultation once half of its time from
  assignment to deadline has passed, or an assigned case not signed for in time; 🟢
  otherwise. The light carries the reason, so the card says in words what made it so.

Pure: no Telegram, no storage. The functions are small and called per case on every
question, so they read the case's fields directly and allocate little.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from bot.domain.model import (
    ANSWERED_STAGES,
    MET_UNKNOWN,
    REPLY_ROLES,
    STAGES,
    Case,
    Clock,
    Notice,
)

_ANSWERED = frozenset(ANSWERED_STAGES)
_PUBLISHED = frozenset(STAGES[STAGES.index("published"):])

#: the report's and /progress's words for how the main step stands
TIMELINESS = ("on_time", "late", "undated", "overdue", "open", "none")


def main_done(case: Case) -> bool:
    """Whether the main step is done: the reply given / the opinion sent (a continuation:
    answered again). Reached through the stage, or a met main clock."""
    if case.stage in _ANSWERED:
        return True
    name = case.main_clock
    if name is None:
        return False
    clock = case.clocks.get(name)
    return clock is not None and bool(clock.met)


def clock_done(case: Case, name: str) -> bool:
    """Whether clock ``name`` of ``case`` is done: met, or implied by the stage."""
    clock = case.clocks.get(name)
    if clock is not None and clock.met:
        return True
    if name == case.main_clock:
        return case.stage in _ANSWERED
    if name == "publish":
        return case.stage in _PUBLISHED
    return False


def met_by_stage(case: Case) -> list[str]:
    """The clocks ``case.stage`` itself says are done: the main clock from 已答复/已提交意见
    on, the publishing clock (when the case has one) from 已公开 on."""
    out = []
    if case.main_clock is not None and case.stage in _ANSWERED:
        out.append(case.main_clock)
    if "publish" in case.clocks and case.stage in _PUBLISHED:
        out.append("publish")
    return out


def done_on(case: Case, name: str) -> str | None:
    """The ISO day clock ``name`` was done, "" when done on an unknown day, None while not done."""
    if not clock_done(case, name):
        return None
    clock = case.clocks.get(name)
    if clock is None or clock.met == MET_UNKNOWN:
        return ""
    return clock.met


def _followup_live(case: Case) -> bool:
    """A B-class follow-up of a case of this year is chased while the case stands answered
    with class B (a continuation's follow-up is its main clock)."""
    return case.reply_class == "B" and case.stage in _ANSWERED


def is_live(case: Case, name: str, clock: Clock | None = None) -> bool:
    """Whether clock ``name`` is chased now: due set, not done, and applicable (see module)."""
    if case.stage == "archived":
        return False
    if name == NOTICE:
        return notice_due(case) is not None
    if clock is None:
        clock = case.clocks.get(name)
        if clock is None:
            return False
    if not clock.due or clock.met:
        return False
    main = case.main_clock
    if name == main:
        return case.stage not in _ANSWERED
    if name == "publish":
        return case.stage in _ANSWERED and case.stage not in _PUBLISHED
    if name == "followup":
        return _followup_live(case)
    return False  # a clock the case's role does not use (e.g. left by a change of role)


def live_clocks(case: Case) -> list[tuple[str, Clock]]:
    """The live clocks of ``case`` as (name, clock), in the case's order."""
    if case.stage == "archived":
        return []
    return [(name, c) for name, c in case.clocks.items() if c.due and not c.met
            and is_live(case, name, c)]


def iter_live(case: Case) -> Iterator[tuple[str, str]]:
    """(name, due ISO) of every live clock (the hot path of the queries), an open 督办单
    as the clock ``notice``."""
    if case.stage == "archived":
        return
    for name, c in case.clocks.items():
        if c.due and not c.met and is_live(case, name, c):
            yield name, c.due
    if case.notices:
        due = notice_due(case)
        if due is not None:
            yield NOTICE, due


# ---------------------------------------------------------------- 督办单 (supervision notices)

#: the clock name an open supervision notice is tracked under
NOTICE = "notice"


def open_notices(case: Case) -> list[Notice]:
    """The unanswered notices of ``case``, the one due first first (none when archived)."""
    if case.stage == "archived":
        return []
    return sorted((n for n in case.notices if n.open), key=lambda n: (n.due, n.id))


def notice_due(case: Case) -> str | None:
    """The due date of the earliest open notice (the ``notice`` clock), None when none is."""
    if case.stage == "archived":
        return None
    dues = [n.due for n in case.notices if n.open]
    return min(dues) if dues else None


def notice_on_time(notice: Notice) -> bool:
    """Answered (已落实 or with a reason) on or before its due date."""
    return bool(notice.answer) and bool(notice.answered_on) and notice.answered_on <= notice.due


def notice_overdue(notice: Notice, today_iso: str) -> bool:
    return notice.open and notice.due < today_iso


class NoticeCounts(NamedTuple):
    """督办单 of some cases: issued, answered, answered on time, open, open and overdue (an
    archived case's open notice is neither open nor overdue: nothing of it is chased)."""

    issued: int = 0
    answered: int = 0
    on_time: int = 0
    open: int = 0
    overdue: int = 0


def notice_counts(cases: Iterable[Case], today_iso: str | None = None) -> NoticeCounts:
    issued = answered = on_time = n_open = overdue = 0
    for case in cases:
        if not case.notices:
            continue
        archived = case.stage == "archived"
        for n in case.notices:
            issued += 1
            if not n.open:
                answered += 1
                on_time += notice_on_time(n)
            elif not archived:
                n_open += 1
                overdue += today_iso is not None and n.due < today_iso
    return NoticeCounts(issued, answered, on_time, n_open, overdue)


def is_open(case: Case) -> bool:
    """Something is left to do on ``case`` (see the module's rules)."""
    if case.stage == "archived":
        return False
    if case.main_clock is None:
        return True  # a work reference: open until archived
    if not main_done(case):
        return True
    return any(True for _ in iter_live(case))


def is_overdue(case: Case, today_iso: str) -> bool:
    return any(d < today_iso for _, d in iter_live(case))


def answered_on(case: Case) -> str | None:
    """The day of the (first) answer: ISO, "" when unknown, None when not answered yet."""
    if case.first_reply_on:
        return "" if case.first_reply_on == MET_UNKNOWN else case.first_reply_on
    name = case.main_clock
    if name is None:
        return None
    return done_on(case, name)


def answered(case: Case) -> bool:
    """Whether the case was answered at least once (the report's "answered")."""
    return answered_on(case) is not None


def timeliness(case: Case, today_iso: str | None = None) -> str:
    """How the main step stands (:data:`TIMELINESS`): ``none`` for a work reference."""
    name = case.main_clock
    if name is None:
        return "none"
    if case.first_reply_on:
        due, on = case.first_reply_due, answered_on(case)
    else:
        clock = case.clocks.get(name)
        due = clock.due if clock is not None else ""
        on = done_on(case, name)
    if on is not None:
        if not on:
            return "undated"
        return "on_time" if not due or on <= due else "late"
    if today_iso is not None and due and due < today_iso and case.stage != "archived":
        return "overdue"
    return "open"


def consulted_first(case: Case) -> bool:
    """先协商,后答复 held: a consultation on or before the (first) answer's day."""
    on = answered_on(case)
    if not on:
        return bool(case.consultations)
    return any(c.on <= on for c in case.consultations)


def awaiting_consultation(case: Case) -> bool:
    """还没协商: an assigned case still to be answered with no consultation recorded (a work
    reference consults nobody)."""
    return (case.role != "reference" and case.stage not in ("registered", "archived")
            and not main_done(case) and not case.consultations)


def is_continuation(case: Case) -> bool:
    """A 续办件: a continuation of an earlier session, or a case a B reply gave a follow-up."""
    return case.continuation or "followup" in case.clocks


def continuation_open(case: Case) -> bool:
    """A follow-up (续办续复) still to be given: an open continuation, or a live B follow-up."""
    if not is_open(case):
        return False
    if case.continuation:
        return True
    return is_live(case, "followup")


# ---------------------------------------------------------------- 签收 (signing for a case)

#: the rules' defaults, used when no year's rules are given
DEFAULT_SIGN_WORKDAYS = 2
DEFAULT_WARN_WORKDAYS = 5
_PAST_ASSIGNED = frozenset(STAGES[STAGES.index("in_progress"):])


def rule_value(rules: Any, year: int, name: str, default: int) -> int:
    """One rule of ``year`` from a rules source: a callable ``year -> Rules``, one Rules, or
    None (or a source without that rule: a bare escalation table) for ``default``."""
    if callable(rules) and not isinstance(rules, Mapping):
        rules = rules(year)
    value = getattr(rules, name, None) if rules is not None else None
    return int(value) if value else default


def is_signed(case: Case) -> bool:
    """签收 done: signed at 交办, or past 交办 (see the module's rules)."""
    if case.stage in _PAST_ASSIGNED:
        return True
    return case.stage == "assigned" and bool(case.signed_at)


def awaiting_signature(case: Case) -> bool:
    """Assigned (五定 complete) and its handler has not signed for it yet."""
    return case.stage == "assigned" and not case.signed_at


def sign_due(case: Case, cal: Any, rules: Any = None) -> dt.date | None:
    """The last day to sign for ``case``: ``sign_workdays`` working days after assignment
    (None when it is not awaiting signature or has no assignment date)."""
    if not awaiting_signature(case) or not case.assigned_on:
        return None
    n = rule_value(rules, case.year, "sign_workdays", DEFAULT_SIGN_WORKDAYS)
    return cal.add_workdays(dt.date.fromisoformat(case.assigned_on), n)


def sign_late(case: Case, today: dt.date, cal: Any, rules: Any = None) -> bool:
    """Awaiting signature past its signing day (未签收, chased in the morning digest)."""
    due = sign_due(case, cal, rules)
    return due is not None and due < today


# ---------------------------------------------------------------- traffic lights (红黄绿灯)

LIGHTS = ("green", "yellow", "red", "done")
LIGHT_MARKS = {"green": "🟢", "yellow": "🟡", "red": "🔴", "done": "✅"}
#: why a light is what it is
LIGHT_REASONS = ("done", "overdue", "due_soon", "behind", "unsigned", "on_track", "no_deadline")


class Light(NamedTuple):
    """A case's traffic light on one day, and the reason (a clock and its due date, the
    working days left or the window, the half-way day) the card explains it with."""

    color: str
    reason: str
    clock: str = ""
    due: str = ""
    #: working days left (due_soon) or overdue (overdue); the warning window (due_soon)
    workdays: int = 0
    window: int = 0

    @property
    def mark(self) -> str:
        return LIGHT_MARKS[self.color]


def half_time(case: Case) -> str | None:
    """The day half of a lead/sole/split case's time from assignment to its deadline has
    passed (ISO), or None when it has no assignment date or deadline."""
    if case.role not in REPLY_ROLES or not case.assigned_on:
        return None
    name = case.main_clock
    clock = case.clocks.get(name) if name else None
    if clock is None or not clock.due:
        return None
    start, end = dt.date.fromisoformat(case.assigned_on), dt.date.fromisoformat(clock.due)
    if end <= start:
        return None
    return (start + (end - start) / 2).isoformat()


def light(case: Case, today: dt.date, cal: Any, rules: Any = None) -> Light:
    """The traffic light of ``case`` on ``today`` (module rules). ``cal``: the working
    calendar (``workdays_between``, ``add_workdays``); ``rules``: as :func:`rule_value`."""
    if not is_open(case):
        return Light("done", "done")
    today_iso = today.isoformat()
    live = sorted((d, n) for n, d in iter_live(case))
    if live and live[0][0] < today_iso:
        due, name = live[0]
        return Light("red", "overdue", name, due,
                     cal.workdays_between(dt.date.fromisoformat(due), today))
    window = rule_value(rules, case.year, "warn_workdays", DEFAULT_WARN_WORKDAYS)
    if live:
        due, name = live[0]
        left = cal.workdays_between(today, dt.date.fromisoformat(due))
        if left <= window:
            return Light("yellow", "due_soon", name, due, left, window)
    main = case.main_clock
    if main is not None and is_live(case, main) and not case.consultations:
        half = half_time(case)
        if half is not None and today_iso >= half:
            return Light("yellow", "behind", main, half)
    if sign_late(case, today, cal, rules):
        due_day = sign_due(case, cal, rules)
        return Light("yellow", "unsigned", "", due_day.isoformat() if due_day else "")
    if not live:
        return Light("green", "no_deadline")
    return Light("green", "on_track", live[0][1], live[0][0])


class _MemoCalendar:
    """The working calendar's two questions the lights ask, memoised for one question."""

    __slots__ = ("cal", "_between", "_add")

    def __init__(self, cal: Any) -> None:
        self.cal = cal
        self._between: dict[tuple[dt.date, dt.date], int] = {}
        self._add: dict[tuple[dt.date, int], dt.date] = {}

    def workdays_between(self, a: dt.date, b: dt.date) -> int:
        key = (a, b)
        found = self._between.get(key)
        if found is None:
            found = self._between[key] = self.cal.workdays_between(a, b)
        return found

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        key = (day, n)
        found = self._add.get(key)
        if found is None:
            found = self._add[key] = self.cal.add_workdays(day, n)
        return found


class LightReader:
    """Lights of many cases on one day (one question, one digest), from the working
    calendar and the rules source; create one per question."""

    def __init__(self, today: dt.date, cal: Any,
                 rules: Callable[[int], Any] | Any = None) -> None:
        self.today = today
        self.cal = _MemoCalendar(cal)
        self.rules = rules
        self._rules: dict[int, Any] = {}

    def _year_rules(self, year: int) -> Any:
        found = self._rules.get(year)
        if found is None:
            rules = self.rules
            if callable(rules) and not isinstance(rules, Mapping):
                rules = rules(year)
            found = self._rules[year] = rules if rules is not None else False
        return found or None

    def light(self, case: Case) -> Light:
        return light(case, self.today, self.cal, self._year_rules(case.year))

    def sign_late(self, case: Case) -> bool:
        return sign_late(case, self.today, self.cal, self._year_rules(case.year))

    def sign_due(self, case: Case) -> dt.date | None:
        return sign_due(case, self.cal, self._year_rules(case.year))

    def review_due(self, case: Case) -> dt.date | None:
        return review_due(case, self.cal, self._year_rules(case.year))

    def review_late(self, case: Case) -> bool:
        due = self.review_due(case)
        return due is not None and due < self.today


# ---------------------------------------------------------------- 审核 (review of the draft)

DEFAULT_REVIEW_WORKDAYS = 3
_REVIEWED = frozenset(STAGES[STAGES.index("reviewed"):])


def review_approvals(case: Case) -> list:
    """The approvals of the current round, in order."""
    return [r for r in case.reviews if r.round == case.review_round and r.decision == "approved"]


def review_step(case: Case) -> str | None:
    """The position whose review the draft waits for (None: no review pending)."""
    if case.stage != "drafted" or not case.review_chain:
        return None
    done = len(review_approvals(case))
    return case.review_chain[done] if done < len(case.review_chain) else None


def review_pending(case: Case) -> bool:
    return review_step(case) is not None


def review_due(case: Case, cal: Any, rules: Any = None) -> dt.date | None:
    """The last day the current review step may take (``review_workdays`` after it began)."""
    if not review_pending(case) or not case.review_since:
        return None
    n = rule_value(rules, case.year, "review_workdays", DEFAULT_REVIEW_WORKDAYS)
    return cal.add_workdays(dt.date.fromisoformat(case.review_since), n)


def review_late(case: Case, today: dt.date, cal: Any, rules: Any = None) -> bool:
    due = review_due(case, cal, rules)
    return due is not None and due < today


def answer_needs_review(case: Case, strict: bool = False) -> bool:
    """Answering now would skip the review (see the module's rules)."""
    if case.role == "reference" or case.stage in _REVIEWED:
        return False
    return review_pending(case) or bool(strict)
