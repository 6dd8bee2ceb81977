"""China's official working-day calendar, with admin overrides and an honest fallback.

Working days follow the State Council's yearly schedule: public holidays **and** the make-up
working days (调休) that come with them. In 2020, Oct 1–8 were holidays while Sunday Sep 27
and Saturday Oct 10 were working days. The schedule comes from the ``chinesecalendar``
package (2004–2026 in version 1.11); an admin-editable override table, stored with the data
as the setting ``"calendar"``, takes precedence over it.

A year that neither covers (the State Council publishes the next year's schedule late in the
year) is *estimated*: Monday–Friday are working days, and every answer that touched such a
year must say so; :meth:`WorkCalendar.is_estimated`, :meth:`WorkCalendar.estimated_years` and
:func:`estimate_notices` give the flag and its text (catalogue key ``cal.estimated``).

A year counts as covered by the overrides as soon as it has at least one override: an admin
who types in next year's schedule is expected to type all of it (``duban calendar set`` says
so when it takes a year out of the estimate).

Speed: the planner asks ~100,000 questions to plan a day for 10,000 cases, so each year is
computed once into a table of working-day flags and their running counts; after that
:meth:`is_workday` is a list lookup and :meth:`add_workdays` / :meth:`workdays_between` are
a bisection and a subtraction.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import chinese_calendar
from chinese_calendar.constants import Holiday

from bot.domain.model import ValidationError
from bot.domain.text import clean_name
from bot.texts import t

#: the kinds an override may give a day
OVERRIDE_KINDS = ("workday", "holiday")
#: the years the bundled official schedule covers
OFFICIAL_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)
#: the span of years the calendar answers for at all
MIN_YEAR, MAX_YEAR = 1900, 2999
MAX_NAME = 60

_CHINESE_NAMES = {h.value: h.chinese for h in Holiday}


def holiday_name_zh(english: str | None) -> str:
    """The Chinese name of an official holiday as ``chinesecalendar`` names it in English."""
    if not english:
        return ""
    return _CHINESE_NAMES.get(english, english)


@dataclass(frozen=True, slots=True)
class SpecialDay:
    """A day that is not what its weekday says, or that an override fixes (for listings)."""

    date: dt.date
    kind: str  # "workday" or "holiday"
    name: str
    source: str  # "official" or "override"


@dataclass(frozen=True, slots=True)
class _Year:
    year: int
    first: int  # ordinal of Jan 1
    work: tuple[bool, ...]  # one flag per day of the year
    cum: tuple[int, ...]  # cum[i]: working days among the year's first i days (len = days + 1)
    estimated: bool

    @property
    def total(self) -> int:
        return self.cum[-1]


def _check_overrides(
        overrides: Mapping[str, Mapping[str, Any]] | None) -> dict[dt.date, tuple[str, str]]:
    out: dict[dt.date, tuple[str, str]] = {}
    for key, value in (overrides or {}).items():
        try:
            day = dt.date.fromisoformat(str(key))
        except ValueError:
            raise ValidationError("cal.bad_override_date", value=str(key)) from None
        if not isinstance(value, Mapping) or value.get("kind") not in OVERRIDE_KINDS:
            kind = value.get("kind") if isinstance(value, Mapping) else value
            raise ValidationError("cal.bad_override_kind", date=str(key), value=str(kind))
        name = str(value.get("name") or "").strip()
        if len(name) > MAX_NAME:
            raise ValidationError("cal.bad_override_name", date=str(key), limit=MAX_NAME)
        out[day] = (value["kind"], name)
    return out


def make_override(day: dt.date | str, kind: str, name: str = "") -> tuple[str, dict[str, str]]:
    """A validated ``(iso, {"kind", "name"})`` entry for the override table."""
    iso = day.isoformat() if isinstance(day, dt.date) else str(day).strip()
    entry = {"kind": kind, "name": clean_name(name or "")}  # bot.domain.text's rule
    _check_overrides({iso: entry})
    return dt.date.fromisoformat(iso).isoformat(), entry


class WorkCalendar:
    """Working days on China's official calendar, overrides first, Mon–Fri as the last resort.

    ``overrides`` maps an ISO date to ``{"kind": "workday"|"holiday", "name": str}``. The
    calendar is immutable once built: build a new one when the overrides change.
    """

    def __init__(self, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._overrides = _check_overrides(overrides)
        self._override_years = {d.year for d in self._overrides}
        self._years: dict[int, _Year] = {}

    # ---------------------------------------------------------------- the year tables

    def _year(self, year: int) -> _Year:
        table = self._years.get(year)
        if table is None:
            table = self._years[year] = self._build(year)
        return table

    def _build(self, year: int) -> _Year:
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValidationError("cal.year_out_of_range", year=year, low=MIN_YEAR, high=MAX_YEAR)
        first = dt.date(year, 1, 1)
        days = (dt.date(year + 1, 1, 1) - first).days
        official = year in OFFICIAL_YEARS
        work: list[bool] = []
        cum = [0]
        for i in range(days):
            day = first + dt.timedelta(days=i)
            override = self._overrides.get(day)
            if override is not None:
                flag = override[0] == "workday"
            elif official:
                flag = chinese_calendar.is_workday(day)
            else:
                flag = day.weekday() < 5
            work.append(flag)
            cum.append(cum[-1] + flag)
        estimated = not official and year not in self._override_years
        return _Year(year, first.toordinal(), tuple(work), tuple(cum), estimated)

    def _index(self, day: dt.date) -> tuple[_Year, int]:
        table = self._year(day.year)
        return table, day.toordinal() - table.first

    # ---------------------------------------------------------------- questions

    def is_workday(self, day: dt.date) -> bool:
        table, i = self._index(day)
        return table.work[i]

    def is_estimated(self, day: dt.date) -> bool:
        """Whether ``day``'s year is guessed (Mon–Fri): no official schedule, no override."""
        return self._year(day.year).estimated

    def estimated_years(self, a: dt.date, b: dt.date) -> list[int]:
        """The estimated years among those from ``a`` to ``b`` (either order), ascending."""
        low, high = sorted((a.year, b.year))
        return [y for y in range(low, high + 1) if self._year(y).estimated]

    def next_workday(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the first working day after it."""
        return day if self.is_workday(day) else self.add_workdays(day, 1)

    def previous_workday(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the last working day before it."""
        return day if self.is_workday(day) else self.add_workdays(day, -1)

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (``day`` itself is not counted).

        ``n == 0`` gives :meth:`next_workday` (``day`` if it is a working day, else the next
        one); a negative ``n`` counts backwards: ``-1`` is the last working day before
        ``day``. So ``add_workdays(2020-09-25, 15) == 2020-10-22`` across the National Day
        holiday, and ``workdays_between(d, add_workdays(d, n)) == n`` for every ``n > 0``.
        """
        if n == 0:
            return self.next_workday(day)
        table, i = self._index(day)
        if n > 0:
            rank = table.cum[i + 1] + n  # year-rank (1-based) of the working day wanted
            while rank > table.total:
                rank -= table.total
                table = self._year(table.year + 1)
        else:
            rank = table.cum[i] + n + 1
            while rank < 1:
                table = self._year(table.year - 1)
                rank += table.total
        return dt.date.fromordinal(table.first + bisect_left(table.cum, rank) - 1)

    def workdays_between(self, a: dt.date, b: dt.date) -> int:
        """Working days in ``(a, b]``: after ``a``, up to and including ``b``.

        Zero when ``a == b``; negative when ``b < a`` (minus the working days in ``(b, a]``),
        so ``workdays_between(a, b) == -workdays_between(b, a)``. "How many working days
        overdue is a case due on ``a``?" is ``workdays_between(a, today)``.
        """
        if b < a:
            return -self.workdays_between(b, a)
        ta, ia = self._index(a)
        tb, ib = self._index(b)
        count = tb.cum[ib + 1] - ta.cum[ia + 1]
        for year in range(a.year, b.year):
            count += self._year(year).total
        return count

    def workdays_in_year(self, year: int) -> int:
        return self._year(year).total

    # ---------------------------------------------------------------- listings

    def override(self, day: dt.date) -> tuple[str, str] | None:
        """``(kind, name)`` when an override fixes ``day``."""
        return self._overrides.get(day)

    def day_name(self, day: dt.date) -> str:
        """Why ``day`` is special: the override's name, or the official holiday's (in Chinese)."""
        override = self._overrides.get(day)
        if override is not None:
            return override[1]
        if day.year not in OFFICIAL_YEARS:
            return ""
        if day in chinese_calendar.holidays:
            return holiday_name_zh(chinese_calendar.holidays[day])
        if day in chinese_calendar.workdays:
            return holiday_name_zh(chinese_calendar.workdays[day]) + "调休上班"
        return ""

    def special_days(self, year: int) -> list[SpecialDay]:
        """The year's holidays, make-up working days and overrides, in date order."""
        table = self._year(year)
        out: list[SpecialDay] = []
        for i, flag in enumerate(table.work):
            day = dt.date.fromordinal(table.first + i)
            override = self._overrides.get(day)
            if override is not None:
                out.append(SpecialDay(day, override[0], override[1], "override"))
                continue
            if year not in OFFICIAL_YEARS:
                continue
            official_holiday = day in chinese_calendar.holidays
            makeup = day in chinese_calendar.workdays
            if official_holiday or makeup:
                out.append(SpecialDay(day, "workday" if flag else "holiday", self.day_name(day),
                                      "official"))
        return out


def estimate_notices(years: Iterable[int], lang: str | None = "zh") -> list[str]:
    """The notice to show beside an answer computed on estimated years, one line a year."""
    return [t("cal.estimated", lang, year=y) for y in sorted(set(years))]


_DEFAULT: WorkCalendar | None = None


def default_calendar() -> WorkCalendar:
    """A shared calendar without overrides (its year tables are built once per process)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = WorkCalendar()
    return _DEFAULT
