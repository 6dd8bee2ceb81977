"""Domain objects built from the store's settings: the working calendar, the year's rules,
and a status reader for a day. Built fresh per request from live settings (cheap), so an
admin's change is seen at once."""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections import Counter
from collections.abc import Mapping

import orjson

from bot.domain.lifecycle import LightReader
from bot.domain.model import Case
from bot.domain.queries import ProgressFacts, TallyOf, progress_facts
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
        self.facts: FactsMemo | None = None


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


class FactsMemo:
    """``queries.progress_facts`` of case objects on one (day, calendar, rules), by the
    object: a stored case object is never changed (a save replaces it), so its facts hold
    while it lives. The memo keeps each case id's last object alive, so that no other
    object can take its ``id()``; a new object for the id evicts the old one."""

    def __init__(self, key: tuple[str, Calendar, bytes]) -> None:
        self.key = key
        self.by_object: dict[int, int] = {}  # id(case) -> index in ``kinds``
        self.alive: dict[int, Case] = {}  # case id -> the object whose facts are kept
        self.kinds: list[ProgressFacts] = []
        self._kind_of: dict[ProgressFacts, int] = {}
        self._lock = threading.Lock()

    def put(self, case: Case, facts: ProgressFacts) -> int:
        """Keep ``facts`` of ``case``; its kind. (Two answers may count at once, each in a
        worker thread: one at a time here, so that equal facts get one kind.)"""
        with self._lock:
            return self._put(case, facts)

    def _put(self, case: Case, facts: ProgressFacts) -> int:
        kind = self._kind_of.get(facts)
        if kind is None:
            kind = self._kind_of[facts] = len(self.kinds)
            self.kinds.append(facts)
        old = self.alive.get(case.id)
        if old is not None and old is not case:
            self.by_object.pop(id(old), None)
        self.alive[case.id] = case
        self.by_object[id(case)] = kind
        return kind


def progress_tally_of(store, today: dt.date, cal: Calendar, rules: RulesSource) -> TallyOf:
    """How many cases have each ``queries.progress_facts`` on ``today``, each case's facts
    kept (:class:`FactsMemo`): computed again only for a case saved since, or for all when
    the day, the calendar or the rules change. The function returned never touches the
    store: it may run in a worker thread over the shared case objects."""
    cache = calendar_cache(store)
    key = (today.isoformat(), cal,
           orjson.dumps(rules_table(store), option=orjson.OPT_SORT_KEYS, default=str))
    memo = cache.facts
    if memo is None or memo.key[0] != key[0] or memo.key[1] is not cal \
            or memo.key[2] != key[2]:
        memo = cache.facts = FactsMemo(key)
    reader, lights = StatusReader(today, cal, rules), LightReader(today, cal, rules)

    def tally(cases: list[Case]) -> Mapping[ProgressFacts, int]:
        kinds = list(map(memo.by_object.get, map(id, cases)))  # (C loops: no Python call)
        if None in kinds:
            for i, case in enumerate(cases):
                if kinds[i] is None:
                    kinds[i] = memo.put(case, progress_facts(case, reader, lights))
        return {memo.kinds[k]: n for k, n in Counter(kinds).items()}  # type: ignore[index]
    return tally


#: each store's calendar cache, forgotten with the store
_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
