"""The morning's reminders: who gets which cases on a working day, and why.

:func:`plan_reminders` is pure: cases, people, the working calendar, the rules and the day
in; one :class:`Digest` per recipient out (sorted by name), each listing its cases with the
reason the recipient got them. Sending, the send log and exactly-once delivery live in
``jobs/reminders.py``; this module decides.

The rules (DOMAIN.md, all per year in the rules table):

* Nothing is planned on a non-working day of the official calendar.
* **Before a deadline** the handler (承办人, level 0) gets the case on each reminder offset
  (``remind_offsets``: 14, 7, 3, 1, 0 days before the clock's due date). An offset that falls
  on a non-working day moves to the working day before; offsets folding onto one day give
  one line, not several.
* **Overdue**: the handler every working day; above them the escalation ladder by working
  days overdue (``escalation``, read through :class:`~bot.domain.status.StatusReader`):
  level 1 the division head(s) of the case's division, 2 the office (position ``office``),
  3 the leader(s) leading that division, 4 the leader(s) in charge of this work (by default
  those leading the office's own division: 王强 leads 办公室 in the sample) and the head.
  Everyone alerted about a case may open it: a leader in charge of this work is alerted at
  level 4 only about the divisions they lead (the office gives them more divisions to
  lead when they should oversee more).
  Every level reached keeps getting the case each working day (the chain only climbs).
* **The co-handling campaign**: every co/joint case whose opinion is not submitted is on the
  offsets before the year's ``opinion_due`` (June 30) as well, marked 会(协)办意见 — unless
  its opinion deadline was extended past that date.
* Each (recipient, case, clock) gives one line: a person on several rungs (e.g. a leader of
  both the division and the office) keeps the lowest, most direct one.
* Only live clocks are reminded (:mod:`bot.domain.lifecycle` decides which: a stage meets
  the clocks it implies, publishing is chased only after the answer, a B follow-up only
  while the class is B). Nothing is remembered between days, so a deadline that
  changed (extension, edit) is reminded on its new offsets at once.
* A recipient who cannot be reached (no linked Telegram account, blocked the bot,
  deactivated, not approved) still has a digest in the plan, flagged with the reason; when
  the *handler* of a line cannot be reached (or none is named, or the name is not in the
  people list), the office's digest gets a line saying so (定人员 not met).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

import orjson

from bot.domain import present
from bot.domain.access import sees_division
from bot.domain.lifecycle import LightReader, is_open, iter_live, main_done, review_step
from bot.domain.model import CLOCKS, OPINION_ROLES, STAGES, Case, Person
from bot.domain.present import esc, fmt_date, short_title
from bot.domain.rules import Rules, rules_for
from bot.domain.status import ClockStatus, HasEscalation, StatusReader
from bot.domain.workcal import WorkCalendar, estimate_notices
from bot.texts import t

#: why a recipient gets a line, and the escalation level it stands for
ROLE_LEVELS: dict[str, int] = {
    "handler": 0,
    "division_head": 1,
    "office": 2,
    "division_leader": 3,
    "work_leader": 4,
    "head": 4,
}
#: why a person cannot be reached, in the order they are checked
UNREACHABLE_REASONS = ("inactive", "unlinked", "unapproved", "not_started", "blocked")
_CLOCK_ORDER = {name: i for i, name in enumerate(CLOCKS)}
#: digest lines that are not about a clock of the case: ``sign`` (签收 overdue: the case
#: was assigned and its handler has not signed for it within ``sign_workdays``)
SIDE_LINES = ("sign", "review")

RulesArg = Callable[[int], Rules] | Mapping[str, Any] | Rules | None


# ---------------------------------------------------------------- the rules of a year


def rules_source(rules: RulesArg) -> Callable[[int], Rules]:
    """``year -> Rules`` from a callable, a stored rules table, one Rules, or None (defaults);
    each year's rules are read once."""
    if rules is None:
        default = Rules()
        return lambda year: default
    if isinstance(rules, Rules):
        return lambda year: rules
    if isinstance(rules, Mapping):
        table = rules
        get: Callable[[int], Rules] = lambda year: rules_for(year, table)  # noqa: E731
    elif callable(rules):
        get = rules
    else:
        raise TypeError(f"rules must be a callable, a table or Rules, not {type(rules).__name__}")
    cache: dict[int, Rules] = {}

    def for_year(year: int) -> Rules:
        found = cache.get(year)
        if found is None:
            found = cache[year] = get(year)
        return found

    return for_year


def _escalation_source(rules: Callable[[int], Rules]) -> Callable[[int], HasEscalation]:
    """The rules as the status reader reads them (only their escalation thresholds)."""
    return cast("Callable[[int], HasEscalation]", rules)


# ---------------------------------------------------------------- who stands where


def unreachable_reason(person: Person) -> str | None:
    """Why the bot cannot message ``person`` (None when it can)."""
    if not person.active:
        return "inactive"
    if not person.linked:
        return "unlinked"
    if not person.approved:
        return "unapproved"
    if not person.reachable:
        # never pressed Start (Telegram: can't initiate conversation) is not "blocked"
        return "not_started" if person.never_started else "blocked"
    return None


class Chain:
    """The five-level chain above cases, indexed once from the people list.

    ``work_divisions``: the divisions whose leaders are "in charge of this work" (level 4);
    by default the office people's own divisions.
    """

    def __init__(self, people: Iterable[Person], work_divisions: Iterable[str] | None = None
                 ) -> None:
        self.people = list(people)
        self.by_id: dict[int, Person] = {}
        self.division_heads: dict[str, list[Person]] = {}
        self.leaders_of: dict[str, list[Person]] = {}
        self.office: list[Person] = []
        self.heads: list[Person] = []
        for p in self.people:
            self.by_id[p.id] = p
            if not p.active:
                continue
            if p.position == "division_head":
                self.division_heads.setdefault(p.division, []).append(p)
            elif p.position == "leader":
                for d in p.leads_divisions:
                    self.leaders_of.setdefault(d, []).append(p)
            elif p.position == "office":
                self.office.append(p)
            elif p.position == "head":
                self.heads.append(p)
        if work_divisions is None:
            work_divisions = {p.division for p in self.office if p.division}
        seen: set[int] = set()
        self.work_leaders: list[Person] = []
        for d in sorted(set(work_divisions)):
            for p in self.leaders_of.get(d, ()):
                if id(p) not in seen:
                    seen.add(id(p))
                    self.work_leaders.append(p)
        self._office_rung = tuple((p, "office") for p in self.office)
        self._top_rung = (tuple((p, "work_leader") for p in self.work_leaders)
                          + tuple((p, "head") for p in self.heads))
        self._rungs: dict[tuple[str, int], tuple[tuple[Person, str], ...]] = {}

    def handler(self, case: Case) -> tuple[Person | None, str | None]:
        """The case's handler (by person id) and, when they cannot be reminded, why not.

        Reasons: those of :func:`unreachable_reason`, ``"unknown"`` (the name is nobody's in
        the people list, or stands for namesakes the case does not tell apart) and
        ``"missing"`` (no handler named).
        """
        if not case.handler:
            return None, "missing"
        found = self.by_id.get(case.handler_id) if case.handler_id else None
        if found is None:
            return None, "unknown"
        return found, unreachable_reason(found)

    def rung(self, case: Case, level: int) -> tuple[tuple[Person, str], ...]:
        """The people alerted at escalation ``level`` (1-4) for ``case``, with their role."""
        if level == 2:
            return self._office_rung
        key = (case.division, level)
        found = self._rungs.get(key)
        if found is None:
            if level == 1:
                found = tuple((p, "division_head")
                              for p in self.division_heads.get(case.division, ()))
            elif level == 3:
                found = tuple((p, "division_leader")
                              for p in self.leaders_of.get(case.division, ()))
            elif level == 4:  # only those who may open the case: alerts match sight
                found = tuple((p, role) for p, role in self._top_rung
                              if sees_division(p, case.division))
            else:
                found = ()
            self._rungs[key] = found
        return found


# ---------------------------------------------------------------- lines and digests


class ReminderLine(NamedTuple):
    """One case (one of its clocks) in one recipient's digest, and why it is there.

    Immutable; a named tuple because a plan makes tens of thousands of them.
    """

    case_id: int
    kind: str
    number: str
    title: str
    clock: str
    due: dt.date
    #: calendar days from the day to ``due`` (negative once overdue)
    due_in_days: int
    #: working days after ``due`` up to and including the day (0 when not overdue)
    overdue_workdays: int
    #: the recipient's rung: 0 handler ... 4 leader in charge of this work / head
    level: int
    #: the recipient's role for this line (a key of :data:`ROLE_LEVELS`)
    role: str
    #: part of the co-handling campaign (会(协)办意见): the opinion is due by ``campaign_due``
    campaign_due: dt.date | None = None
    #: the line tells the office that the handler (name, reason) cannot be reminded
    unreachable: tuple[str, str] | None = None
    #: the working calendar had to guess a year involved
    estimated: bool = False
    #: the line is owed from a missed day (the bot was down): folded into this day's
    #: digest and worded as the case stands on this day
    missed: dt.date | None = None
    #: the case's traffic light mark on the day (🟢🟡🔴, lifecycle decides it)
    light: str = ""

    @property
    def overdue(self) -> bool:
        """A clock past due (a line of another kind, e.g. 签收, is not an overdue case)."""
        return self.due_in_days < 0 and self.clock not in SIDE_LINES

    @property
    def campaign(self) -> bool:
        return self.campaign_due is not None

    def sort_key(self) -> tuple:
        return (-self.overdue_workdays, self.due, self.kind, self.number,
                _CLOCK_ORDER.get(self.clock, 99), self.case_id)

    def state(self, lang: str | None) -> str:
        if self.clock == "sign":
            return t("sv.remind.unsigned", lang, n=self.overdue_workdays)
        if self.clock == "review":
            if self.overdue_workdays:
                return t("sv.remind.review_late", lang, n=self.overdue_workdays)
            return t("sv.remind.review", lang)
        return present.clock_state(self.due_in_days, self.overdue_workdays, lang)

    def why(self, lang: str | None = "zh") -> str:
        """``您是处室负责人,已超期3个工作日`` — the reason in the recipient's language."""
        if self.unreachable is not None:
            name, reason = self.unreachable
            if reason == "missing":
                head = t("remind.no_handler", lang)
            else:
                head = t("remind.unreachable", lang, name=name,
                         reason=t(f"remind.reason.{reason}", lang))
            parts = [head]
            if self.role != "office":  # the office is also on the ladder for this case
                parts.insert(0, t(f"remind.role.{self.role}", lang))
        else:
            parts = [t(f"remind.role.{self.role}", lang)]
        parts.append(self.state(lang))
        text = t("remind.sep", lang).join(parts)
        if self.campaign_due is None:
            return text
        if self.campaign_due == self.due:
            return text + t("remind.campaign", lang)
        return text + t("remind.campaign_by", lang, due=fmt_date(self.campaign_due, lang))

    def to_json(self, lang: str | None = "zh") -> dict[str, Any]:
        """The ``duban remind --json`` form of the line."""
        return {
            "kind": self.kind,
            "number": self.number,
            "clock": self.clock,
            "due": self.due.isoformat(),
            "due_in_days": self.due_in_days,
            "overdue_workdays": self.overdue_workdays,
            "level": self.level,
            "why": self.why(lang),
        }

    def fingerprint(self) -> tuple:
        """What makes the line what it is (for the digest's hash)."""
        return (self.case_id, self.clock, self.due.isoformat(), self.due_in_days,
                self.overdue_workdays, self.level, self.role,
                self.campaign_due.isoformat() if self.campaign_due else None,
                list(self.unreachable) if self.unreachable else None,
                self.missed.isoformat() if self.missed else None)


@dataclass
class Digest:
    """Everything one person gets on one day: one message (split only when too long)."""

    person: Person
    lines: list[ReminderLine] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.person.name

    @property
    def telegram(self) -> int | None:
        return self.person.telegram

    @property
    def lang(self) -> str:
        return self.person.language

    @property
    def unreachable(self) -> str | None:
        """Why this digest cannot be delivered (None when it can)."""
        return unreachable_reason(self.person)

    @property
    def overdue(self) -> int:
        return len({ln.case_id for ln in self.lines if ln.overdue})

    @property
    def cases(self) -> int:
        return len({ln.case_id for ln in self.lines})

    def digest_hash(self) -> str:
        """A short hash of the content (recipient and lines): what the send log records."""
        blob = orjson.dumps([self.person.id, self.person.name,
                             [ln.fingerprint() for ln in self.lines]])
        return hashlib.sha256(blob).hexdigest()[:16]

    def to_json(self, lang: str | None = None) -> dict[str, Any]:
        lang = lang or self.lang
        return {"to": self.name, "telegram": self.telegram,
                "cases": [ln.to_json(lang) for ln in self.lines]}


# ---------------------------------------------------------------- planning


def _in_campaign(case: Case) -> bool:
    """A co/joint case of this year whose co-handling opinion is still to be sent."""
    return case.role in OPINION_ROLES and not case.continuation and not main_done(case) \
        and case.stage != "archived"


class _Planner:
    """One day's plan; memoises what each due date gives on that day."""

    def __init__(self, people: Iterable[Person], calendar: WorkCalendar, rules: RulesArg,
                 day: dt.date, work_divisions: Iterable[str] | None,
                 missed: Sequence[dt.date] = ()) -> None:
        self.day = day
        #: missed working days (before ``day``) whose reminder offsets are owed today
        self.missed = tuple(sorted(d for d in missed if d < day))
        self.day_iso = day.isoformat()
        self.cal = calendar
        self.rules = rules_source(rules)
        self.reader = StatusReader(day, calendar, _escalation_source(self.rules))
        self.lights = LightReader(day, calendar, self.rules)
        self._marks: dict[int, str] = {}
        self.chain = Chain(people, work_divisions)
        self.by_person: dict[int, tuple[Person, dict[tuple[int, str], ReminderLine]]] = {}
        self._remind_day: dict[tuple[str, int, dt.date], bool] = {}
        self._campaign: dict[int, dt.date] = {}

    def is_remind_day(self, due_iso: str, year: int, day: dt.date | None = None) -> bool:
        """Whether ``day`` (the plan's day by default) is one of the reminder days of a clock
        due on ``due_iso``: its offsets (per ``year``'s rules), each moved to the working day
        on or before it."""
        day = day or self.day
        key = (due_iso, year, day)
        found = self._remind_day.get(key)
        if found is None:
            found = False
            due = dt.date.fromisoformat(due_iso)
            for offset in self.rules(year).remind_offsets:
                target = due - dt.timedelta(days=offset)
                if target >= day and self.cal.previous_workday(target) == day:
                    found = True
                    break
            self._remind_day[key] = found
        return found

    def missed_day(self, due_iso: str, year: int) -> dt.date | None:
        """The latest missed day that was a reminder day of a clock due on ``due_iso`` (and
        still before it), or None."""
        for day in reversed(self.missed):
            if day.isoformat() <= due_iso and self.is_remind_day(due_iso, year, day):
                return day
        return None

    def campaign_date(self, year: int) -> dt.date:
        found = self._campaign.get(year)
        if found is None:
            found = self._campaign[year] = self.rules(year).opinion_date(year)
        return found

    def add(self, person: Person, line: ReminderLine) -> None:
        entry = self.by_person.get(id(person))
        if entry is None:
            entry = self.by_person[id(person)] = (person, {})
        lines = entry[1]
        key = (line.case_id, line.clock)
        old = lines.get(key)
        if old is None:
            lines[key] = line
            return
        keep, other = (old, line) if old.level <= line.level else (line, old)
        if keep.unreachable is None and other.unreachable is not None:
            keep = keep._replace(unreachable=other.unreachable)
        lines[key] = keep

    def line(self, case: Case, st: ClockStatus, role: str, campaign_due: dt.date | None,
             unreachable: tuple[str, str] | None = None,
             missed: dt.date | None = None) -> ReminderLine:
        return ReminderLine(case.id, case.kind, case.number, case.title, st.clock, st.due,
                            st.days_left, st.overdue_workdays, ROLE_LEVELS[role], role,
                            campaign_due, unreachable, st.estimated, missed, self.mark(case))

    def mark(self, case: Case) -> str:
        found = self._marks.get(id(case))
        if found is None:
            found = self._marks[id(case)] = self.lights.light(case).mark
        return found

    def plan_signing(self, case: Case) -> None:
        """签收 overdue (lifecycle decides): the division head(s) and the office are told."""
        due = self.lights.sign_due(case)
        if due is None or due >= self.day:
            return
        late = self.cal.workdays_between(due, self.day)
        for level in (1, 2):
            for p, role in self.chain.rung(case, level):
                self.add(p, ReminderLine(case.id, case.kind, case.number, case.title, "sign",
                                         due, (due - self.day).days, late, ROLE_LEVELS[role],
                                         role, light=self.mark(case)))

    def to_handler(self, case: Case, st: ClockStatus, campaign_due: dt.date | None,
                   missed: dt.date | None = None) -> None:
        handler, reason = self.chain.handler(case)
        if handler is not None:
            self.add(handler, self.line(case, st, "handler", campaign_due, missed=missed))
        if reason is not None:
            note = (case.handler, reason)
            for p, role in self.chain.rung(case, 2):
                self.add(p, self.line(case, st, role, campaign_due, note, missed))

    def campaign_of(self, case: Case) -> dt.date | None:
        """The campaign's date if ``case`` is in it on the day: its opinion is not in, and its
        own deadline is not later than the campaign's (a case due after June 30, by the lead
        unit's date or an extension, is pushed toward its own deadline instead)."""
        if not _in_campaign(case):
            return None
        due = self.campaign_date(case.year)
        if due < self.day:
            return None
        clock = case.clocks.get("opinion")
        if clock is not None and clock.due and clock.due > due.isoformat():
            return None
        return due

    def plan_review(self, case: Case) -> None:
        """审核 pending (lifecycle decides): the reviewers of the current step every working
        day; once the step waited past ``review_workdays``, the office too."""
        step = review_step(case)
        if step is None:
            return
        due = self.lights.review_due(case) or self.day
        late = self.cal.workdays_between(due, self.day) if due < self.day else 0
        chain = self.chain
        who: tuple[tuple[Person, str], ...]
        if step == "division_head":
            who = chain.rung(case, 1)
        elif step == "leader":
            who = chain.rung(case, 3)
        elif step == "head":
            who = tuple((p, "head") for p in chain.heads)
        else:
            who = chain.rung(case, 2)
        if late:
            who = who + chain.rung(case, 2)
        for p, role in who:
            self.add(p, ReminderLine(case.id, case.kind, case.number, case.title, "review",
                                     due, (due - self.day).days, late, ROLE_LEVELS[role],
                                     role, light=self.mark(case)))

    def plan_case(self, case: Case) -> None:
        if case.stage == "archived":
            return
        if case.stage == "assigned" and not case.signed_at:
            self.plan_signing(case)
        elif case.stage == "drafted" and case.review_chain:
            self.plan_review(case)
        campaign_due = self.campaign_of(case) if case.role in OPINION_ROLES else None
        campaign_done = False
        day_iso = self.day_iso
        live = False
        for name, due_iso in iter_live(case):
            if name == "opinion":
                live = True
            mark = campaign_due if name == "opinion" else None
            if due_iso < day_iso:  # overdue: the handler and every rung reached
                st = self.reader.status(case, name, due_iso)
                self.to_handler(case, st, mark)
                for level in range(1, st.level + 1):
                    for p, role in self.chain.rung(case, level):
                        self.add(p, self.line(case, st, role, mark))
            elif self.is_remind_day(due_iso, case.year) or (
                    mark is not None and self.is_remind_day(mark.isoformat(), case.year)):
                self.to_handler(case, self.reader.status(case, name, due_iso), mark)
            elif self.missed and (missed := self.missed_day(due_iso, case.year) or (
                    mark and self.missed_day(mark.isoformat(), case.year))):
                # owed from a day the bot was down: worded as it stands today
                self.to_handler(case, self.reader.status(case, name, due_iso), mark, missed)
            else:
                continue
            campaign_done = campaign_done or mark is not None
        if campaign_due is not None and not campaign_done and not live:
            # no opinion deadline set yet: the campaign date stands in for it
            iso = campaign_due.isoformat()
            missed = None
            if self.is_remind_day(iso, case.year) or (
                    self.missed and (missed := self.missed_day(iso, case.year))):
                st = self.reader.status(case, "opinion", iso)
                self.to_handler(case, st, campaign_due, missed)

    def digests(self) -> list[Digest]:
        out = [Digest(person, sorted(lines.values(), key=ReminderLine.sort_key))
               for person, lines in self.by_person.values()]
        out.sort(key=lambda d: (d.person.name, d.person.id))
        return out


def plan_reminders(cases: Iterable[Case], people: Iterable[Person], calendar: WorkCalendar,
                   rules: RulesArg, day: dt.date, *,
                   work_divisions: Iterable[str] | None = None,
                   missed: Sequence[dt.date] = (),
                   missed_people: Collection[int] | None = None) -> list[Digest]:
    """The digests to send on ``day``: one per recipient, sorted by name (then id).

    ``rules``: a callable ``year -> Rules``, the stored rules table, one :class:`Rules`, or
    None for the defaults. ``work_divisions``: see :class:`Chain`. A non-working day gives
    ``[]``. Digests of people who cannot be reached are included; see
    :attr:`Digest.unreachable`. ``missed``: earlier working days whose digests were never
    sent (the bot was down): what they owed (a reminder offset that fell on them) is folded
    into this day's digest, each case worded as it stands on ``day`` (overdue cases are in
    every day's digest anyway), so nobody gets two digests with the same cases.
    ``missed_people``: the person ids whose digests of those days were not delivered (None:
    nobody's were); the others get no line owed from them.
    """
    if not calendar.is_workday(day):
        return []
    planner = _Planner(people, calendar, rules, day, work_divisions, missed)
    for case in cases:
        planner.plan_case(case)
    digests = planner.digests()
    if missed and missed_people is not None:
        owed = frozenset(missed_people)
        for d in digests:
            if d.person.id not in owed:
                d.lines = [ln for ln in d.lines if ln.missed is None]
        digests = [d for d in digests if d.lines]
    return digests


def plan_json(digests: Iterable[Digest], lang: str | None = None) -> list[dict[str, Any]]:
    """The plan as ``duban remind --json`` prints it (``lang`` None: each recipient's own)."""
    return [d.to_json(lang) for d in digests]


# ---------------------------------------------------------------- the digest as messages

#: Telegram's limit is 4096 characters; a margin for the part marker and entities
TEXT_BUDGET = 3900
#: cases per message: 3 buttons each plus [收到] stays under Telegram's 100 buttons
CASES_PER_PART = 25
#: messages a digest may take; the rest is counted, not listed
MAX_PARTS = 4


@dataclass(frozen=True)
class Part:
    """One message of a digest: its HTML text and the lines it shows (for the buttons)."""

    text: str
    lines: tuple[ReminderLine, ...]
    number: int
    total: int


def _weekday(day: dt.date, lang: str | None) -> str:
    return t(f"remind.weekday.{day.weekday()}", lang)


def _item_text(i: int, lines: Sequence[ReminderLine], lang: str | None, day: dt.date) -> str:
    """One numbered case of a digest: its number and title, then a row per clock owed."""
    first = lines[0]
    head = t("remind.item", lang, i=i, kind=t(f"kind.{first.kind}", lang),
             number=esc(first.number), title=esc(short_title(first.title)))
    if first.light:
        head = f"{head} {first.light}"
    rows = [head]
    for line in lines:
        due = t("remind.item_due", lang, clock=t(f"clock.{line.clock}", lang),
                due=fmt_date(line.due, lang, day))
        rows.append(f"   {due} · {esc(line.why(lang))}")
    return "\n".join(rows)


def _by_case(lines: Sequence[ReminderLine]) -> list[list[ReminderLine]]:
    """The lines grouped by case, each case where its most urgent line stands."""
    groups: dict[int, list[ReminderLine]] = {}
    for line in lines:
        groups.setdefault(line.case_id, []).append(line)
    return list(groups.values())


def render_digest(digest: Digest, day: dt.date, *, catch_up: bool = False,
                  lang: str | None = None) -> list[Part]:
    """The digest as one message, or numbered parts when it passes Telegram's limits.

    Each part carries the title (with 【补发】 for a caught-up day), the count line in the
    first, at most :data:`CASES_PER_PART` cases and :data:`TEXT_BUDGET` characters. At most
    :data:`MAX_PARTS` parts: the most urgent lines first (overdue, then by due date), and a
    last line counting the cases left out, pointing to /overdue and /mine for the full list
    (an office with thousands of overdue cases gets four messages, not two hundred).
    """
    lang = lang or digest.lang
    title = t("remind.title", lang, date=fmt_date(day, lang), weekday=_weekday(day, lang))
    if catch_up:
        title = t("remind.catch_up", lang) + title
    folded = sorted({ln.missed for ln in digest.lines if ln.missed is not None})
    if folded:
        title += "\n" + t("remind.folded", lang, dates=t("remind.sep", lang).join(
            fmt_date(d, lang) for d in folded))
    if digest.overdue:
        summary = t("remind.summary", lang, n=digest.cases, overdue=digest.overdue)
    else:
        summary = t("remind.summary_none_late", lang, n=digest.cases)
    footer = [t("remind.footer", lang)]
    years = {ln.due.year for ln in digest.lines if ln.estimated}
    footer[:0] = [esc(n) for n in estimate_notices(years, lang)]
    # one numbered item per case (a case may owe several clocks, or 签收 and a clock), so
    # the count line, the numbers and "…另有N件" all count the same things: cases
    groups = _by_case(digest.lines)
    items = [_item_text(i, g, lang, day) for i, g in enumerate(groups, 1)]
    # fill parts greedily; the header/footer sizes are those of the longest variant
    fixed = len(title) + len(summary) + sum(len(f) + 1 for f in footer) + 120
    chunks: list[list[int]] = [[]]
    size = fixed
    for k, item in enumerate(items):
        if chunks[-1] and (size + len(item) + 2 > TEXT_BUDGET or len(chunks[-1]) >= CASES_PER_PART):
            chunks.append([])
            size = fixed
        chunks[-1].append(k)
        size += len(item) + 2
    if len(chunks) > MAX_PARTS:
        left = [groups[k] for chunk in chunks[MAX_PARTS:] for k in chunk]
        chunks = chunks[:MAX_PARTS]
        footer.insert(0, t("remind.more", lang, n=len(left),
                           overdue=sum(any(ln.overdue for ln in g) for g in left)))
    parts: list[Part] = []
    total = len(chunks)
    for n, chunk in enumerate(chunks, 1):
        head = title + (t("remind.part", lang, part=n, parts=total) if total > 1 else "")
        body = [head]
        if n == 1:
            body.append(summary)
        body.append("")
        body.extend(items[k] for k in chunk)
        if n == total:
            body.append("")
            body.extend(footer)
        parts.append(Part("\n".join(body), tuple(ln for k in chunk for ln in groups[k]),
                          n, total))
    return parts


# ---------------------------------------------------------------- the weekly summary


@dataclass(frozen=True)
class WeeklySummary:
    """Open work of the bureau on one day: by division, by stage, overdue, due this week."""

    day: dt.date
    week_end: dt.date
    #: (division, open, overdue, due this week), busiest first
    divisions: tuple[tuple[str, int, int, int], ...]
    stages: tuple[tuple[str, int], ...]
    open: int
    overdue: int
    due_this_week: int


def weekly_summary(cases: Iterable[Case], calendar: WorkCalendar, rules: RulesArg,
                   day: dt.date) -> WeeklySummary:
    """Counts for the leaders' Monday screen; "this week" is ``day`` to the week's Sunday."""
    reader = StatusReader(day, calendar, _escalation_source(rules_source(rules)))
    week_end = day + dt.timedelta(days=6 - day.weekday())
    per_div: dict[str, list[int]] = {}
    stages: Counter[str] = Counter()
    n_open = n_overdue = n_due = 0
    for case in cases:
        if not is_open(case):
            continue
        statuses = reader.statuses(case)
        late = any(st.days_left < 0 for st in statuses)
        due = any(0 <= st.days_left and st.due <= week_end for st in statuses)
        row = per_div.setdefault(case.division, [0, 0, 0])
        row[0] += 1
        row[1] += late
        row[2] += due
        stages[case.stage] += 1
        n_open += 1
        n_overdue += late
        n_due += due
    rows: list[tuple[str, int, int, int]] = [(d, n, late, due)
                                             for d, (n, late, due) in per_div.items()]
    divisions = tuple(sorted(rows, key=lambda r: (-r[2], -r[3], -r[1], r[0])))
    stage_rows = tuple((s, stages[s]) for s in STAGES if stages[s])
    return WeeklySummary(day, week_end, divisions, stage_rows, n_open, n_overdue, n_due)


#: division rows on the weekly screen; the rest are counted in one line
WEEKLY_DIVISIONS = 12


def render_weekly(summary: WeeklySummary, lang: str | None = "zh") -> str:
    """The summary on one phone screen (Telegram HTML)."""
    lines = [t("remind.weekly.title", lang, start=fmt_date(summary.day, lang),
               end=fmt_date(summary.week_end, lang))]
    if not summary.open:
        lines.append(t("remind.weekly.none", lang))
        return "\n".join(lines)
    lines.append(t("remind.weekly.totals", lang, open=summary.open, overdue=summary.overdue,
                   due=summary.due_this_week))
    lines.append("")
    lines.append(t("remind.weekly.divisions", lang))
    for division, n_open, late, due in summary.divisions[:WEEKLY_DIVISIONS]:
        name = esc(division) if division else t("remind.weekly.no_division", lang)
        lines.append(t("remind.weekly.division", lang, division=name, open=n_open,
                       overdue=late, due=due))
    rest = len(summary.divisions) - WEEKLY_DIVISIONS
    if rest > 0:
        lines.append(t("remind.weekly.more", lang, n=rest))
    lines.append("")
    stages = t("remind.sep", lang).join(
        t("remind.weekly.stage", lang, stage=t(f"stage.{s}", lang), n=n) for s, n in summary.stages)
    lines.append(t("remind.weekly.stages", lang, stages=stages))
    return "\n".join(lines)


def first_workday_of_week(calendar: WorkCalendar, day: dt.date) -> dt.date | None:
    """The week's first working day (Monday unless it is a holiday); None if it has none."""
    monday = day - dt.timedelta(days=day.weekday())
    for i in range(7):
        d = monday + dt.timedelta(days=i)
        if calendar.is_workday(d):
            return d
    return None


def digests_by_id(digests: Sequence[Digest]) -> dict[int, Digest]:
    """The digests keyed by the recipient's person id."""
    return {d.person.id: d for d in digests}
