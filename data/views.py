"""Domain objects built from the store's settings: the working calendar, the year's rules,
and a status reader for a day. Built fresh per request from live settings (cheap), so an
admin's change is seen at once."""

from __future__ import annotations

import datetime as dt

from bot.domain.status import StatusReader
from bot.domain.workcal import WorkCalendar

CALENDAR_SETTING = "calendar"
RULES_SETTING = "rules"


def work_calendar(store) -> WorkCalendar:
    overrides = store.get_setting(CALENDAR_SETTING, {}) or {}
    key = ("_cal", id(store), repr(sorted(overrides.items())))
    cached = _CACHE.get("cal")
    if cached is not None and cached[0] == key:
        return cached[1]
    cal = WorkCalendar(overrides)
    _CACHE["cal"] = (key, cal)
    return cal


def rules_table(store) -> dict:
    return store.get_setting(RULES_SETTING, {}) or {}


def rules_of(store, year: int):
    from bot.domain.rules import rules_for

    return rules_for(year, rules_table(store))


def status_reader(store, today: dt.date) -> StatusReader:
    from bot.domain.rules import rules_for

    table = rules_table(store)
    return StatusReader(today, work_calendar(store), lambda year: rules_for(year, table))


#: the calendar is rebuilt only when the overrides change (its year tables are costly)
_CACHE: dict[str, tuple] = {}
