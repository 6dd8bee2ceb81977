"""What the progress chart shows: cases per division by state, and answers against deadlines.

Nothing here decides anew what a case's state is. Each case's state on ``day`` comes from the
decisions ``/progress`` already uses (:func:`bot.domain.queries.progress`):

- *done*: not :func:`bot.domain.queries.is_open` (archived, or answered with no clock open);
- *overdue*: open, and :meth:`bot.domain.status.StatusReader.overdue` lists an open clock past
  due (the same test as ``progress``'s ``overdue``: an open clock whose due date is before
  today);
- *due soon*: open, not overdue, and its next deadline
  (:meth:`~bot.domain.status.StatusReader.next_deadline`) falls within the week, today to
  Sunday: the "due this week" of the leaders' Monday summary
  (:func:`bot.domain.reminders.weekly_summary`);
- *on time*: the other open cases.

So the divisions' counts add up to ``progress``'s ``total``, ``open`` and ``overdue`` for the
same cases and day (a test checks it).

The cumulative line counts, by date over the year, the main clocks (``Case.main_clock``: the
reply, or the co-handling opinion) falling due and the main clocks met.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate

from bot.domain.model import Case
from bot.domain.queries import is_open
from bot.domain.status import Calendar, RulesSource, StatusReader

STATES = ("on_time", "due_soon", "overdue", "done")


@dataclass(frozen=True)
class DivisionBar:
    division: str                 # "" for cases without a division
    on_time: int
    due_soon: int
    overdue: int
    done: int

    @property
    def total(self) -> int:
        return self.on_time + self.due_soon + self.overdue + self.done

    def count(self, state: str) -> int:
        return getattr(self, state)


@dataclass(frozen=True)
class ChartData:
    """The chart's numbers for ``year`` (every year when None) on ``day``."""

    year: int | None
    day: dt.date
    divisions: tuple[DivisionBar, ...]
    #: (ISO date, main clocks due on or before that date), one point per date, in order
    deadlines: tuple[tuple[str, int], ...]
    #: (ISO date, main clocks met on or before that date)
    answers: tuple[tuple[str, int], ...]

    @property
    def total(self) -> int:
        return sum(b.total for b in self.divisions)

    def state_total(self, state: str) -> int:
        return sum(b.count(state) for b in self.divisions)


def week_end(day: dt.date) -> dt.date:
    """The Sunday of ``day``'s week (the Monday summary's "this week" ends there)."""
    return day + dt.timedelta(days=6 - day.weekday())


def case_state(case: Case, reader: StatusReader, until: dt.date) -> str:
    """on_time, due_soon, overdue or done: see the module's documentation."""
    if not is_open(case):
        return "done"
    if reader.overdue(case):
        return "overdue"
    nxt = reader.next_deadline(case)
    if nxt is not None and nxt.due <= until:
        return "due_soon"
    return "on_time"


def _cumulative(dates: Iterable[str]) -> tuple[tuple[str, int], ...]:
    counts = sorted(Counter(dates).items())
    return tuple(zip((d for d, _ in counts), accumulate(n for _, n in counts), strict=True))


def chart_data(cases: Iterable[Case], day: dt.date, cal: Calendar,
               rules_for_year: RulesSource = None, year: int | None = None) -> ChartData:
    """The chart of ``cases`` of ``year`` on ``day``; divisions busiest (most cases) first."""
    reader = StatusReader(day, cal, rules_for_year)
    until = week_end(day)
    chosen = [c for c in cases if year is None or c.year == year]
    per: dict[str, Counter[str]] = {}
    due_dates: list[str] = []
    met_dates: list[str] = []
    for case in chosen:
        per.setdefault(case.division, Counter())[case_state(case, reader, until)] += 1
        clock = case.clocks.get(case.main_clock) if case.main_clock else None
        if clock is not None:
            if clock.due:
                due_dates.append(clock.due)
            if clock.met:
                met_dates.append(clock.met)
    bars = [DivisionBar(d, *(n[s] for s in STATES)) for d, n in per.items()]
    bars.sort(key=lambda b: (b.division == "", -b.total, b.division))
    return ChartData(year, day, tuple(bars), _cumulative(due_dates), _cumulative(met_dates))


def chart_title(data: ChartData, lang: str | None = "zh") -> str:
    """The chart's title (also its caption's): which year, as of which day. Here, not in
    ``data.charts``, so a caption does not import matplotlib into the bot's process."""
    from bot.texts import t

    day = t("report.month_day", lang, month=t(f"report.month.{data.day.month}", lang),
            day=data.day.day)
    if data.year is None:
        return t("chart.title_all", lang, day=day)
    return t("chart.title", lang, year=data.year, day=day)
