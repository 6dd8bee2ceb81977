"""Domain objects built from the store's settings: the working calendar, the year's rules,
and a status reader for a day. Built fresh per request from live settings (cheap), so an
admin's change is seen at once."""

from __future__ import annotations

import datetime as dt
import weakref

import orjson

from bot.domain.lifecycle import LightReader
from bot.domain.model import Case
from bot.domain.queries import FactsOf, ProgressFacts, progress_facts
from bot.domain.status import Calendar, RulesSource, StatusReader
from bot.domain.workcal import WorkCalendar

CALENDAR_SETTING = "calendar"
RULES_SETTING = "rules"


class CalendarCache:
    """A store's working calendar, rebuilt only when its overrides change (its year tables
    are costly)."""

    def __init__(self) -> None:
        self.key: str | None = None
        self.calendar: WorkCalendar | None = None
        #: queries.progress_facts of the stored cases, for one (day, calendar, rules)
        self.facts_key: tuple[str, Calendar, bytes] | None = None
        self.facts: dict[int, tuple[Case, ProgressFacts]] = {}


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


def progress_facts_of(store, today: dt.date, cal: Calendar, rules: RulesSource) -> FactsOf:
    """``queries.progress_facts`` of each case on ``today``, kept per stored case object:
    computed again only for a case saved since (a save replaces the object, never changes
    it), or for all when the day, the calendar or the rules change. The function returned
    never touches the store: it may run in a worker thread over the shared case objects."""
    cache = calendar_cache(store)
    key = (today.isoformat(), cal,
           orjson.dumps(rules_table(store), option=orjson.OPT_SORT_KEYS, default=str))
    if cache.facts_key is None or cache.facts_key[0] != key[0] \
            or cache.facts_key[1] is not cal or cache.facts_key[2] != key[2]:
        cache.facts_key, cache.facts = key, {}
    seen = cache.facts
    reader, lights = StatusReader(today, cal, rules), LightReader(today, cal, rules)

    def facts(case: Case) -> ProgressFacts:
        entry = seen.get(case.id)
        if entry is not None and entry[0] is case:
            return entry[1]
        found = progress_facts(case, reader, lights)
        seen[case.id] = (case, found)
        return found
    return facts


#: each store's calendar cache, forgotten with the store
_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
