"""Where each open clock of a case stands on a given day.

For every live clock (:mod:`bot.domain.lifecycle` decides which are) a :class:`ClockStatus`
says how many calendar days are left (negative once overdue), how many *working* days it is
overdue, and which escalation level of the five-level responsibility chain that reaches
(DOMAIN.md: level L from ``thresholds[L]`` working days overdue; defaults 1/3/5/10).

Shared by the chat queries (/overdue, /due...) and the reminder planner. Pure: the
day, the working calendar and the year's rules are passed in.

The calendar is anything with ``workdays_between(a, b)`` (working days in ``(a, b]``) and
``is_estimated(day)``; :class:`bot.domain.workcal.WorkCalendar` is the real one. The rules
are given as ``rules_for_year``: a callable ``year -> Rules`` (each with ``.escalation``, a
``{level: working days}`` mapping), a single object with ``.escalation``, or ``None`` for the
defaults.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple, Protocol

from bot.domain.lifecycle import iter_live
from bot.domain.model import CLOCKS, Case

#: escalation thresholds by level: working days overdue from which the level is reached
DEFAULT_ESCALATION: dict[int, int] = {1: 1, 2: 3, 3: 5, 4: 10}
MAX_LEVEL = 4

_CLOCK_ORDER = {name: i for i, name in enumerate(CLOCKS)}


class Calendar(Protocol):
    """What the status needs from the working calendar (``bot.domain.workcal``)."""

    def workdays_between(self, a: dt.date, b: dt.date) -> int: ...

    def is_estimated(self, day: dt.date) -> bool: ...


class HasEscalation(Protocol):
    @property
    def escalation(self) -> Mapping[int, int]: ...


RulesSource = Callable[[int], HasEscalation] | HasEscalation | Mapping[int, int] | None


class ClockStatus(NamedTuple):
    """One open clock of one case, seen on one day (immutable; a named tuple for speed)."""

    case_id: int
    clock: str
    due: dt.date
    #: calendar days from today to ``due``: 0 on the day, negative when overdue
    days_left: int
    #: working days after ``due`` up to and including today (first one is 1); 0 if not overdue
    overdue_workdays: int
    #: escalation level reached, 0 (handler only) to 4 (the bureau's head)
    level: int
    #: whether the working calendar had to guess a year involved (no official schedule yet)
    estimated: bool

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def overdue_days(self) -> int:
        """Calendar days overdue (0 when not overdue)."""
        return -self.days_left if self.days_left < 0 else 0


_new_status = tuple.__new__  # ClockStatus without its generated __new__: 4x faster


def escalation_level(overdue_workdays: int, thresholds: Mapping[int, int] | None = None) -> int:
    """The highest level L whose threshold ``thresholds[L]`` is reached (0 if none)."""
    return _Ladder.of(thresholds).level(overdue_workdays)


class _Ladder:
    """Escalation thresholds, sorted once: ``level(n)`` is a short scan."""

    __slots__ = ("steps",)

    def __init__(self, thresholds: Mapping[int, int]) -> None:
        steps = sorted((int(days), int(level)) for level, days in thresholds.items()
                       if 1 <= int(level) <= MAX_LEVEL)
        self.steps = tuple(steps)

    @classmethod
    def of(cls, thresholds: Mapping[int, int] | None) -> _Ladder:
        return cls(DEFAULT_ESCALATION if thresholds is None else thresholds)

    def level(self, overdue_workdays: int) -> int:
        reached = 0
        for days, level in self.steps:
            if overdue_workdays >= days:
                reached = max(reached, level)
            else:
                break
        return reached


def _thresholds(rules: object) -> Mapping[int, int] | None:
    if rules is None:
        return None
    if isinstance(rules, Mapping):
        return rules
    escalation = getattr(rules, "escalation", None)
    return escalation if escalation else None


class StatusReader:
    """Reads clock statuses for many cases on one day.

    It remembers, for the duration of one query, what each (due date, case year) gives on
    that day (days left, working days overdue, level) and the ladder of each year; create a
    new reader for every query (it holds no data of the cases, so nothing can go stale).
    """

    def __init__(self, today: dt.date, cal: Calendar, rules_for_year: RulesSource = None) -> None:
        self.today = today
        self.today_iso = today.isoformat()
        self.cal = cal
        self._rules = rules_for_year
        self._ladders: dict[int, _Ladder] = {}
        self._estimated: dict[int, bool] = {}
        #: (due_iso, case year) -> (due, days_left, overdue_workdays, level, estimated)
        self._parts: dict[tuple[str, int], tuple[dt.date, int, int, int, bool]] = {}

    @property
    def rules_source(self) -> RulesSource:
        """The rules the reader was given (for the traffic lights of the same question)."""
        return self._rules

    # -- memoised pieces

    def ladder(self, year: int) -> _Ladder:
        ladder = self._ladders.get(year)
        if ladder is None:
            rules = self._rules
            if callable(rules) and not isinstance(rules, Mapping):
                rules = rules(year)
            ladder = self._ladders[year] = _Ladder.of(_thresholds(rules))
        return ladder

    def _year_estimated(self, year: int) -> bool:
        est = self._estimated.get(year)
        if est is None:
            est = self._estimated[year] = bool(self.cal.is_estimated(dt.date(year, 1, 1)))
        return est

    def _compute(self, due_iso: str, year: int) -> tuple[dt.date, int, int, int, bool]:
        due = dt.date.fromisoformat(due_iso)
        days_left = (due - self.today).days
        workdays = self.cal.workdays_between(due, self.today) if days_left < 0 else 0
        level = self.ladder(year).level(workdays) if workdays else 0
        lo, hi = sorted((due.year, self.today.year))
        estimated = any(self._year_estimated(y) for y in range(lo, hi + 1))
        return (due, days_left, workdays, level, estimated)

    # -- statuses

    def status(self, case: Case, clock: str, due_iso: str) -> ClockStatus:
        """The status of ``case``'s clock named ``clock``, due on ``due_iso``."""
        key = (due_iso, case.year)
        parts = self._parts.get(key)
        if parts is None:
            parts = self._parts[key] = self._compute(due_iso, case.year)
        return _new_status(ClockStatus, (case.id, clock, *parts))

    def statuses(self, case: Case) -> list[ClockStatus]:
        """Every live clock of ``case``, earliest due first."""
        out = [self.status(case, name, due) for name, due in iter_live(case)]
        if len(out) > 1:
            out.sort(key=_status_order)
        return out

    def overdue(self, case: Case) -> list[ClockStatus]:
        """The live clocks of ``case`` that are past due, most overdue first."""
        today = self.today_iso
        out = [self.status(case, name, due) for name, due in iter_live(case) if due < today]
        if len(out) > 1:
            out.sort(key=_status_order)
        return out

    def next_deadline(self, case: Case) -> ClockStatus | None:
        """The live clock of ``case`` due soonest on or after today (None if none is)."""
        today = self.today_iso
        best: tuple[str, int, str] | None = None
        for name, due in iter_live(case):
            if due >= today:
                key = (due, _CLOCK_ORDER.get(name, 99), name)
                if best is None or key < best:
                    best = key
        return None if best is None else self.status(case, best[2], best[0])

    def most_urgent(self, case: Case) -> ClockStatus | None:
        """The live clock due first (the most overdue if any is): what to chase first."""
        best: tuple[str, int, str] | None = None
        for name, due in iter_live(case):
            key = (due, _CLOCK_ORDER.get(name, 99), name)
            if best is None or key < best:
                best = key
        return None if best is None else self.status(case, best[2], best[0])


def _status_order(s: ClockStatus) -> tuple[dt.date, int]:
    return (s.due, _CLOCK_ORDER.get(s.clock, 99))


def clock_statuses(case: Case, today: dt.date, cal: Calendar,
                   rules_for_year: RulesSource = None) -> list[ClockStatus]:
    """The status of every open clock of ``case`` on ``today``, earliest due first."""
    return StatusReader(today, cal, rules_for_year).statuses(case)


def next_deadline(case: Case, today: dt.date, cal: Calendar,
                  rules_for_year: RulesSource = None) -> ClockStatus | None:
    """The open clock of ``case`` due soonest on or after ``today``; None when none is."""
    return StatusReader(today, cal, rules_for_year).next_deadline(case)


def soonest_key(case: Case, name: str, due: str) -> tuple[str, int, str, str]:
    """How :func:`soonest` orders live clocks: due date, clock, case number, clock name
    (the first case given wins a full tie)."""
    return (due, _CLOCK_ORDER.get(name, 99), case.number, name)


def soonest(cases: Iterable[Case], reader: StatusReader) -> tuple[Case, ClockStatus] | None:
    """Among ``cases``, the one whose next deadline (on or after today) comes first."""
    today = reader.today_iso
    best: tuple[str, int, str, str] | None = None
    best_case: Case | None = None
    for case in cases:
        for name, due in iter_live(case):
            if due >= today:
                key = soonest_key(case, name, due)
                if best is None or key < best:
                    best, best_case = key, case
    if best is None or best_case is None:
        return None
    return best_case, reader.status(best_case, best[3], best[0])
