"""Domain objects built from the store's settings: the working calendar, the year's rules,
and a status reader for a day. Built fresh per request from live settings (cheap), so an
admin's change is seen at once."""

from __future__ import annotations

import datetime as dt
import weakref

from bot.domain.status import StatusReader
from bot.domain.workcal import WorkCalendar

CALENDAR_SETTING = "calendar"
RULES_SETTING = "rules"


class CalendarCache:
    """A store's working calendar, rebuilt only when its overrides change (its year tables
    are costly)."""

    def __init__(self) -> None:
        self.key: str | None = None
        self.calendar: WorkCalendar | None = None


def calendar_cache(store) -> CalendarCache:
    """The calendar cache of ``store`` (one per store: two stores in a process share none)."""
    cache = _CACHES.get(store)
    if cache is None:
        cache = _CACHES[store] = CalendarCache()
    return cache


def work_calendar(store) -> WorkCalendar:
    overrides = store.get_setting(CALENDAR_SETTING, {}) or {}
    key = repr(sorted(overrides.items()))
    cache = calendar_cache(store)
    if cache.calendar is None or cache.key != key:
        cache.key, cache.calendar = key, WorkCalendar(overrides)
    return cache.calendar


def rules_table(store) -> dict:
    return store.get_setting(RULES_SETTING, {}) or {}


def rules_of(store, year: int):
    from bot.domain.rules import rules_for

    return rules_for(year, rules_table(store))


def rules_source(store):
    """Each year's rules as the store holds them now: the table is read here, once, so
    the function may be called later from a worker thread without touching the store."""
    from bot.domain.rules import rules_for

    table = rules_table(store)
    return lambda year: rules_for(year, table)


def status_reader(store, today: dt.date) -> StatusReader:
    return StatusReader(today, work_calendar(store), rules_source(store))


#: each store's calendar cache, forgotten with the store
_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
