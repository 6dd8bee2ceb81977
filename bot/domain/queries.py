"""The supervision queries (督办), answered as data from the live list of cases.

Each function takes the cases the asker may see (``bot.domain.access.visible`` decides
that; nothing here filters by person or position), the day, the working calendar and the
year's rules, and returns plain immutable data (frozen dataclasses, named tuples) that
``bot.domain.querytext`` renders. Nothing about the cases is cached between calls: every
answer is computed from the list it is given.

Speed: each query is one pass over the cases, comparing ISO date strings and building a
:class:`~bot.domain.status.ClockStatus` only for the clocks it reports; over 10,000 cases
each stays well under 50 ms (``benchmarks/bench_queries.py``).
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import chain, repeat
from typing import Generic, NamedTuple, TypeVar, overload

from bot.domain import lifecycle
from bot.domain.lifecycle import is_open, iter_live
from bot.domain.model import Case
from bot.domain.status import Calendar, ClockStatus, RulesSource, StatusReader, soonest

T = TypeVar("T")

# ---------------------------------------------------------------- text folding


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Text for matching: full-width to half-width (NFKC), case-folded, spaces removed.

    Memoised on the text itself (a pure function of its argument, so it cannot go stale):
    a search over 10,000 titles folds each distinct title once per process, not per query.
    """
    if not text:
        return ""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return "".join(text.casefold().split())


def resolve_name(text: str, names: Iterable[str]) -> list[str]:
    """The known ``names`` that ``text`` designates: an exact (folded) match, else every
    name containing it, else every name it contains (longest first)."""
    key = fold(text)
    if not key:
        return []
    unique = list(dict.fromkeys(n for n in names if n))
    folded = [(n, fold(n)) for n in unique]
    exact = [n for n, f in folded if f == key]
    if exact:
        return exact
    inside = [n for n, f in folded if key in f]
    if inside:
        return inside
    return sorted((n for n, f in folded if f and f in key), key=lambda n: -len(n))


# ---------------------------------------------------------------- paging


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: ``page`` counts from 1; an empty list has one empty page."""

    items: tuple[T, ...]
    page: int
    pages: int
    total: int
    #: the page size the list was cut with
    per_page: int = 1

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        """Index in the whole list of this page's first item (0-based)."""
        return (self.page - 1) * self.per_page


def paginate(items: Sequence[T], page: int, per_page: int) -> Page[T]:
    """Page ``page`` (from 1, clamped into range) of ``items``, ``per_page`` a page."""
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    total = len(items)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, int(page)), pages)
    start = (page - 1) * per_page
    return Page(tuple(items[start:start + per_page]), page, pages, total, per_page)


# ---------------------------------------------------------------- what a line is about


class Item(NamedTuple):
    """A case in an answer, with the clock the line is about (None: no open clock)."""

    case: Case
    status: ClockStatus | None = None
    #: other clocks that belong on the line (e.g. a second overdue clock)
    more: tuple[ClockStatus, ...] = ()
    #: the case's traffic light (红黄绿灯) on the day, as lifecycle decides it
    light: lifecycle.Light | None = None


@dataclass(frozen=True, slots=True)
class Group:
    """The items of one division (``division`` may be "" for cases not yet assigned)."""

    division: str
    items: tuple[Item, ...]


# ---------------------------------------------------------------- overdue


def _most_overdue(s: ClockStatus) -> tuple[int, int]:
    return (-s.overdue_workdays, s.days_left)


@dataclass(frozen=True)
class OverdueAnswer:
    """Overdue cases, grouped by division, the most overdue first.

    ``items`` is the flat list in display order (the groups one after another), ready for
    :func:`paginate`; ``groups`` the same items by division. When nothing is overdue,
    ``upcoming`` is the next deadline to come (or None when nothing is open at all).
    """

    items: tuple[Item, ...]
    groups: tuple[Group, ...]
    upcoming: Item | None = None

    @property
    def total(self) -> int:
        return len(self.items)

    def max_level(self) -> int:
        return max((i.status.level for i in self.items if i.status), default=0)


def overdue(cases: Iterable[Case], today: dt.date, cal: Calendar,
            rules_for_year: RulesSource = None) -> OverdueAnswer:
    """The overdue cases among ``cases`` on ``today``.

    One item per case, about its most overdue clock; its other overdue clocks are in
    ``more``. Groups are ordered by their most overdue case; cases without a division last.
    """
    reader = StatusReader(today, cal, rules_for_year)
    lights = lifecycle.LightReader(today, cal, rules_for_year)
    cases = cases if isinstance(cases, (list, tuple)) else list(cases)
    today_iso = reader.today_iso
    status = reader.status
    keyed: list[tuple[int, int, str, int, int, Item]] = []
    for case in cases:
        late = None
        for name, d in iter_live(case):
            if d < today_iso:
                if late is None:
                    late = [(name, d)]
                else:
                    late.append((name, d))
        if late is None:
            continue
        item = _overdue_item(case, late, status, lights)
        s = item.status
        assert s is not None
        # the position breaks ties, so items themselves are never compared
        keyed.append((-s.overdue_workdays, s.days_left, case.number, case.year, len(keyed), item))
    keyed.sort()
    # divisions in the order of their most overdue case; the cases without division last
    buckets: dict[str, list[Item]] = {}
    for *_, item in keyed:
        buckets.setdefault(item.case.division, []).append(item)
    if "" in buckets:
        buckets[""] = buckets.pop("")
    groups = tuple(Group(d, tuple(v)) for d, v in buckets.items())
    items = tuple(i for g in groups for i in g.items)
    upcoming = None
    if not items:
        found = soonest(cases, reader)
        upcoming = Item(*found, (), lights.light(found[0])) if found else None
    return OverdueAnswer(items, groups, upcoming)


def _overdue_item(case: Case, late: list[tuple[str, str]],
                  status: Callable[[Case, str, str], ClockStatus],
                  lights: lifecycle.LightReader) -> Item:
    """The item of an overdue case: its most overdue clock (of ``late``: (clock, due) of
    its live clocks past due), the others in ``more``, and its light."""
    if len(late) == 1:
        return Item(case, status(case, *late[0]), (), lights.light(case))
    statuses = [status(case, n, d) for n, d in late]
    statuses.sort(key=_most_overdue)
    return Item(case, statuses[0], tuple(statuses[1:]), lights.light(case))


@dataclass(frozen=True)
class OverduePage:
    """One page of :func:`overdue`'s answer, built for that page only: ``divisions`` holds
    every overdue case's division in display order (the groups' counts), ``page`` the
    page's items; ``upcoming`` as in :class:`OverdueAnswer`."""

    page: Page[Item]
    divisions: tuple[str, ...]
    upcoming: Item | None = None

    @property
    def total(self) -> int:
        return len(self.divisions)


def overdue_page(cases: Iterable[Case], today: dt.date, cal: Calendar,
                 rules_for_year: RulesSource = None, page: int = 1, per_page: int = 10,
                 facts: Callable[[Case], Urgency] | None = None, *,
                 ordered: bool = False) -> OverduePage:
    """``paginate(overdue(...).items, page, per_page)`` with its divisions, building the
    statuses and lights of that page only. The order needs no status: the most overdue
    clock of a case is its earliest live clock (``facts``: :func:`urgency`, or the store's
    kept copy of it), and working days overdue never grow as the due date moves later
    while calendar days left strictly do, so "most overdue first" is "earliest due first"
    (then number, year, as :func:`overdue` breaks ties): :func:`overdue_key`.

    ``ordered``: ``cases`` are either exactly the overdue ones, in :func:`overdue_key`
    order then by id (as the store keeps them), or none is overdue (the candidates for
    the next due): nothing to sort, and the first case says which."""
    facts = facts or urgency
    reader = StatusReader(today, cal, rules_for_year)
    lights = lifecycle.LightReader(today, cal, rules_for_year)
    cases = cases if isinstance(cases, (list, tuple)) else list(cases)
    today_iso = reader.today_iso
    if ordered:
        first = overdue_key(cases[0], facts(cases[0])) if cases else None
        ranked: Sequence[Case] = cases if first and first[0] < today_iso else ()
    else:
        keyed: list[tuple[str, str, int, int, Case]] = []
        for case in cases:
            key = overdue_key(case, facts(case))
            if key is not None and key[0] < today_iso:
                keyed.append((*key, len(keyed), case))
        keyed.sort()
        ranked = [item[-1] for item in keyed]
    grouped = _ByDivision(ranked)
    chosen = paginate(grouped, page, per_page)
    items = tuple(_overdue_item(case, [(n, d) for n, d in iter_live(case) if d < today_iso],
                                reader.status, lights) for case in chosen.items)
    upcoming = None
    if not ranked:
        found = soonest(cases, reader)
        upcoming = Item(*found, (), lights.light(found[0])) if found else None
    return OverduePage(Page(items, chosen.page, chosen.pages, chosen.total, chosen.per_page),
                       grouped.divisions(), upcoming)


class _ByDivision(Sequence[Case]):
    """Cases ranked most overdue first, shown grouped by division: the divisions in the
    order their first case comes, the cases without a division last, each group in rank
    order. Only counted (no copy of the whole list is made); a slice takes the cases of
    the groups it touches."""

    def __init__(self, ranked: Sequence[Case]) -> None:
        self.ranked = ranked
        self.of = [case.division for case in ranked]
        self.counts = Counter(self.of)
        self.groups = list(self.counts)  # (a Counter keeps the order of first appearance)
        if "" in self.counts:
            self.groups.remove("")
            self.groups.append("")

    def __len__(self) -> int:
        return len(self.of)

    def divisions(self) -> tuple[str, ...]:
        """Every case's division, in display order."""
        return tuple(chain.from_iterable(repeat(d, self.counts[d]) for d in self.groups))

    @overload
    def __getitem__(self, at: int) -> Case: ...

    @overload
    def __getitem__(self, at: slice) -> list[Case]: ...

    def __getitem__(self, at: int | slice) -> Case | list[Case]:
        if not isinstance(at, slice):
            at = at + len(self) if at < 0 else at
            if not 0 <= at < len(self):
                raise IndexError(at)
            return self[at:at + 1][0]
        start, stop, step = at.indices(len(self))
        assert step == 1, "pages are contiguous"
        out: list[Case] = []
        offset = 0
        for division in self.groups:
            size = self.counts[division]
            lo, hi = max(start - offset, 0), min(stop - offset, size)
            if lo < hi:
                members = [c for c, d in zip(self.ranked, self.of, strict=True) if d == division]
                out += members[lo:hi]
            offset += size
            if offset >= stop:
                break
        return out


# ---------------------------------------------------------------- due in a period


@dataclass(frozen=True)
class DueAnswer:
    """Open cases with a deadline in ``start``..``end`` (both included), soonest first."""

    start: dt.date
    end: dt.date
    items: tuple[Item, ...]
    #: how many cases are due in all when ``items`` holds one page only (:func:`due_page`)
    count: int = -1

    @property
    def total(self) -> int:
        return self.count if self.count >= 0 else len(self.items)


#: (clock name, due) of a case's live clocks, as ``lifecycle.iter_live`` gives them (the
#: store keeps them per stored case: ``Store.live_clocks_of``)
LiveClocks = Callable[[Case], Iterable[tuple[str, str]]]


def due(cases: Iterable[Case], start: dt.date, end: dt.date, today: dt.date, cal: Calendar,
        rules_for_year: RulesSource = None) -> DueAnswer:
    """Cases with an open clock due between ``start`` and ``end`` (inclusive).

    One item per case, about its earliest clock in the period (``more``: its other clocks
    in the period). A period reaching into the past lists those clocks too, as overdue.
    """
    return DueAnswer(start, end, _due_items(_due_found(cases, start, end), today, cal,
                                            rules_for_year))


_Found = tuple[str, str, int, Case, list[tuple[str, str]]]


def due_key(case: Case, first_due: str) -> tuple[str, str, int]:
    """Where a case stands in a "due in a period" answer: the due date of its earliest live
    clock in the period (``first_due``), then its number and year (then the order given:
    the store gives cases by id). The store keeps its cases in this order for a period
    (``Store.cases_due_in_order``, which :func:`due_page` ``ordered=True`` trusts)."""
    return first_due, case.number, case.year


def _hits(case: Case, lo: str, hi: str, live: LiveClocks) -> list[tuple[str, str]]:
    """(due, clock) of the case's live clocks due in ``lo``..``hi``, soonest first."""
    return sorted((d, name) for name, d in live(case) if lo <= d <= hi)


def _due_found(cases: Iterable[Case], start: dt.date, end: dt.date,
               live: LiveClocks = iter_live) -> list[_Found]:
    lo, hi = start.isoformat(), end.isoformat()
    found: list[_Found] = []
    for case in cases:
        hits = _hits(case, lo, hi, live)
        if hits:
            found.append((*due_key(case, hits[0][0]), case, hits))
    found.sort(key=lambda f: f[:3])
    return found


def _due_items(found: Iterable[_Found], today: dt.date, cal: Calendar,
               rules_for_year: RulesSource) -> tuple[Item, ...]:
    reader = StatusReader(today, cal, rules_for_year)
    lights = lifecycle.LightReader(today, cal, rules_for_year)
    items = []
    for _, _, _, case, hits in found:
        statuses = [reader.status(case, name, d) for d, name in hits]
        items.append(Item(case, statuses[0], tuple(statuses[1:]), lights.light(case)))
    return tuple(items)


def due_page(cases: Iterable[Case], start: dt.date, end: dt.date, today: dt.date,
             cal: Calendar, rules_for_year: RulesSource = None, page: int = 1,
             per_page: int = 10, live: LiveClocks = iter_live, ordered: bool = False
             ) -> tuple[DueAnswer, Page[Item]]:
    """:func:`due` and its page ``page``, building the items of that page only (the
    answer's ``items`` are that page's, its ``total`` counts them all). ``live``: the live
    clocks of a case, as kept (``lifecycle.iter_live`` by default). ``ordered``: ``cases``
    are exactly the cases due in the period, in :func:`due_key` order (as the store keeps
    them), so only the page's cases are looked at."""
    if ordered:
        lo, hi = start.isoformat(), end.isoformat()
        given = paginate(list(cases), page, per_page)
        found: list[_Found] = []
        for case in given.items:
            hits = _hits(case, lo, hi, live)
            if hits:  # (always, as the store gives them)
                found.append((*due_key(case, hits[0][0]), case, hits))
        order = Page(tuple(found), given.page, given.pages, given.total, given.per_page)
    else:
        order = paginate(_due_found(cases, start, end, live), page, per_page)
    items = _due_items(order.items, today, cal, rules_for_year)
    return (DueAnswer(start, end, items, order.total),
            Page(items, order.page, order.pages, order.total, order.per_page))


# ---------------------------------------------------------------- by urgency


#: whether a case is open, and its live clock due first as (due, clock) (None: none is)
Urgency = tuple[bool, "tuple[str, str] | None"]


def urgency(case: Case) -> Urgency:
    """What the urgency order needs of one case (lifecycle's open and live clocks); the
    store keeps it per case, asked again on each write (``data.indexes.LiveIndex``)."""
    if not is_open(case):
        return False, None
    best: tuple[str, str] | None = None
    for name, d in iter_live(case):
        if best is None or d < best[0]:
            best = (d, name)
    return True, best


def overdue_key(case: Case, facts: Urgency) -> tuple[str, str, int] | None:
    """Where a case stands in "most overdue first" (:func:`overdue_page`): the due date of
    its earliest live clock, then its number and year; None when it has no open clock. It
    is overdue on a day when that due date is before it."""
    open_, best = facts
    if not open_ or best is None:
        return None
    return best[0], case.number, case.year


def _urgency_order(cases: Iterable[Case], facts: Callable[[Case], Urgency] = urgency
                   ) -> list[tuple[Case, str | None, str | None]]:
    """(case, clock, due) of the open cases, most urgent first: by next due date (overdue
    ones come first by themselves), then the open cases without any deadline."""
    # (the position breaks ties: a stable order, and cases themselves are never compared)
    dated: list[tuple[str, str, int, int, Case, str]] = []
    undated: list[tuple[str, int, int, Case]] = []
    for i, case in enumerate(cases):
        open_, best = facts(case)
        if not open_:
            continue
        if best is None:
            undated.append((case.number, case.year, i, case))
        else:
            dated.append((best[0], case.number, case.year, i, case, best[1]))
    dated.sort()
    undated.sort()
    order: list[tuple[Case, str | None, str | None]] = [
        (case, name, d) for d, _, _, _, case, name in dated]
    order.extend((case, None, None) for *_, case in undated)
    return order


def _urgency_items(order: Sequence[tuple[Case, str | None, str | None]],
                   reader: StatusReader) -> tuple[Item, ...]:
    lights = lifecycle.LightReader(reader.today, reader.cal, reader.rules_source)
    return tuple(Item(case, reader.status(case, name, d) if name is not None and d is not None
                      else None, (), lights.light(case)) for case, name, d in order)


def by_urgency(cases: Iterable[Case], reader: StatusReader) -> tuple[Item, ...]:
    """Open cases, most urgent first: overdue (most first), then by next due date, then the
    open cases without any deadline."""
    return _urgency_items(_urgency_order(cases), reader)


def mine(cases: Iterable[Case], who: int | None, today: dt.date, cal: Calendar,
         rules_for_year: RulesSource = None) -> tuple[Item, ...]:
    """The open cases of the person whose id is ``who`` (all of ``cases`` when None), most
    urgent first. By identity: a namesake's cases are not one's own."""
    reader = StatusReader(today, cal, rules_for_year)
    if who is not None:
        cases = [c for c in cases if c.handler_id and c.handler_id == who]
    return by_urgency(cases, reader)


def mine_page(cases: Iterable[Case], who: int | None, today: dt.date, cal: Calendar,
              rules_for_year: RulesSource = None, page: int = 1, per_page: int = 10,
              facts: Callable[[Case], Urgency] = urgency) -> Page[Item]:
    """``paginate(mine(...), page, per_page)``, building the items of that page only (the
    order is computed for all: the statuses and lights only for what is shown). ``facts``:
    :func:`urgency` of a case, or the store's kept copy of it."""
    reader = StatusReader(today, cal, rules_for_year)
    if who is not None:
        cases = [c for c in cases if c.handler_id and c.handler_id == who]
    order = paginate(_urgency_order(cases, facts), page, per_page)
    return Page(_urgency_items(order.items, reader), order.page, order.pages, order.total,
                order.per_page)


# ---------------------------------------------------------------- search


def search_key(keyword: str) -> str:
    """What :func:`search` looks for: the folded keyword, ``第0484号`` as ``0484`` ("": nothing
    to look for). It holds no whitespace (folding removes it)."""
    key = fold(keyword)
    if key.startswith("第") and key.endswith("号") and len(key) > 2:
        key = key[1:-1]
    return key


#: what joins a case's searched fields in :func:`search_text` (a search key never holds it)
SEARCH_SEP = "\n"


def search_text(case: Case) -> str:
    """The fields :func:`search` looks in, as it compares them, joined by
    :data:`SEARCH_SEP`: ``search_key(k) in search_text(case)`` exactly when :func:`search`
    finds ``case`` for ``k`` (what an index of the texts may pick the candidates by)."""
    parts = [case.number.casefold(), fold(case.title), *map(fold, case.proposers)]
    if case.lead_unit:
        parts.append(fold(case.lead_unit))
    return SEARCH_SEP.join(parts)


def search(cases: Iterable[Case], keyword: str) -> tuple[Case, ...]:
    """Cases whose number, title, proposers or lead unit contain ``keyword``.

    Matching is on folded text (full-width and half-width alike, case-insensitive, spaces
    ignored); ``第0484号`` finds 0484. Best first: exact number, then number, title,
    proposer, lead unit; within a rank the newest year first, then by number.
    """
    key = search_key(keyword)
    if not key:
        return ()
    ranked: list[tuple[int, int, str, Case]] = []
    for case in cases:
        number = case.number.casefold()
        if number == key:
            rank = 0
        elif key in number:
            rank = 1
        elif key in fold(case.title):
            rank = 2
        elif any(key in fold(p) for p in case.proposers):
            rank = 3
        elif case.lead_unit and key in fold(case.lead_unit):
            rank = 4
        else:
            continue
        ranked.append((rank, -case.year, case.number, case))
    ranked.sort(key=lambda r: r[:3])
    return tuple(r[3] for r in ranked)


# ---------------------------------------------------------------- by division, by person


@dataclass(frozen=True)
class Summary:
    """One division's or one person's cases: open (most urgent first), overdue, done."""

    name: str
    open: tuple[Item, ...]
    overdue: tuple[Item, ...]
    done: tuple[Case, ...]

    @property
    def counts(self) -> tuple[int, int, int]:
        """(open, overdue, done)."""
        return len(self.open), len(self.overdue), len(self.done)


def _summary(name: str, cases: list[Case], reader: StatusReader) -> Summary:
    open_items = by_urgency(cases, reader)
    overdue_items = tuple(i for i in open_items if i.status is not None and i.status.overdue)
    done = tuple(sorted((c for c in cases if not is_open(c)), key=lambda c: (c.number, c.year)))
    return Summary(name, open_items, overdue_items, done)


def by_division(cases: Iterable[Case], division: str, today: dt.date, cal: Calendar,
                rules_for_year: RulesSource = None) -> Summary:
    """The cases of ``division`` (matched on folded text)."""
    return _summary(division, _of_division(cases, division),
                    StatusReader(today, cal, rules_for_year))


def by_person(cases: Iterable[Case], person: str, today: dt.date, cal: Calendar,
              rules_for_year: RulesSource = None, ids: Collection[int] | None = None
              ) -> Summary:
    """The cases handled by ``person``: by person id when ``ids`` is given (the people that
    name stands for), else matched on the folded name (a handler not in the people list)."""
    return _summary(person, _of_person(cases, person, ids),
                    StatusReader(today, cal, rules_for_year))


@dataclass(frozen=True)
class SummaryPage:
    """One page of a :class:`Summary`'s open cases with the summary's counts, the statuses
    and lights built for that page only (what /division and /person show)."""

    name: str
    #: (open, overdue, done), as :attr:`Summary.counts`
    counts: tuple[int, int, int]
    page: Page[Item]


def division_page(cases: Iterable[Case], division: str, today: dt.date, cal: Calendar,
                  rules_for_year: RulesSource = None, page: int = 1, per_page: int = 10,
                  facts: Callable[[Case], Urgency] = urgency) -> SummaryPage:
    """``by_division`` as one page (``facts``: :func:`urgency`, or the store's copy)."""
    return _summary_page(division, _of_division(cases, division),
                         StatusReader(today, cal, rules_for_year), page, per_page, facts)


def person_page(cases: Iterable[Case], person: str, today: dt.date, cal: Calendar,
                rules_for_year: RulesSource = None, ids: Collection[int] | None = None,
                page: int = 1, per_page: int = 10,
                facts: Callable[[Case], Urgency] = urgency) -> SummaryPage:
    """``by_person`` as one page (``facts``: :func:`urgency`, or the store's copy)."""
    return _summary_page(person, _of_person(cases, person, ids),
                         StatusReader(today, cal, rules_for_year), page, per_page, facts)


def _of_division(cases: Iterable[Case], division: str) -> list[Case]:
    key = fold(division)
    return [c for c in cases if c.division == division or fold(c.division) == key]


def _of_person(cases: Iterable[Case], person: str, ids: Collection[int] | None) -> list[Case]:
    if ids is not None:
        wanted = frozenset(ids)
        return [c for c in cases if c.handler_id in wanted]
    key = fold(person)
    return [c for c in cases if c.handler == person or fold(c.handler) == key]


def _summary_page(name: str, cases: list[Case], reader: StatusReader, page: int,
                  per_page: int, facts: Callable[[Case], Urgency]) -> SummaryPage:
    # (an open item is overdue when the clock it is about, its earliest live one, is due
    # before today: ClockStatus.overdue)
    order = _urgency_order(cases, facts)
    today_iso = reader.today_iso
    n_overdue = sum(1 for _, _, d in order if d is not None and d < today_iso)
    chosen = paginate(order, page, per_page)
    return SummaryPage(name, (len(order), n_overdue, len(cases) - len(order)),
                       Page(_urgency_items(chosen.items, reader), chosen.page, chosen.pages,
                            chosen.total, chosen.per_page))


# ---------------------------------------------------------------- progress


@dataclass(frozen=True)
class Progress:
    """The state of a year's work (all years when ``year`` is None) on one day."""

    year: int | None
    total: int
    by_stage: dict[str, int]
    by_role: dict[str, int]
    #: (kind, role) -> count, the shape of the report's "主(独)办1件,协办5件"
    by_kind_role: dict[tuple[str, str], int]
    open: int
    overdue: int
    #: answered cases whose main clock has both a due date and a met date
    answered_timed: int
    answered_on_time: int
    #: answered cases that had to consult (reply and opinion roles)
    answered: int
    consulted_before: int
    continuation_open: int
    levels: dict[int, int] = field(default_factory=dict)
    #: 未签收: open cases assigned and not signed for; of which past the signing deadline
    unsigned: int = 0
    unsigned_late: int = 0
    #: 督办单 of these cases (lifecycle.notice_counts)
    notices: lifecycle.NoticeCounts = lifecycle.NoticeCounts()
    #: 审核: drafts waiting for a reviewer; of which past ``review_workdays``
    reviews_pending: int = 0
    reviews_late: int = 0
    #: the divisions with open cases among these, sorted
    open_divisions: tuple[str, ...] = ()

    @property
    def on_time_share(self) -> float | None:
        return self.answered_on_time / self.answered_timed if self.answered_timed else None

    @property
    def consulted_share(self) -> float | None:
        return self.consulted_before / self.answered if self.answered else None


class ProgressFacts(NamedTuple):
    """What :func:`progress` counts of one case on one day (:func:`progress_facts`)."""

    year: int
    stage: str
    kind: str
    role: str
    division: str
    #: its 督办单 (``lifecycle.notice_counts`` of the case alone: the counts add up)
    notices: lifecycle.NoticeCounts
    #: 未签收 (and past the signing deadline); else a draft waiting for a reviewer (and late)
    unsigned: bool
    unsigned_late: bool
    review: bool
    review_late: bool
    open: bool
    #: the escalation level of its most overdue live clock (-1: none is overdue, or closed)
    level: int
    continuation_open: bool
    #: ``lifecycle.timeliness``; consulted first (only counted for an answered case)
    timeliness: str
    consulted_first: bool


_NO_NOTICES = lifecycle.NoticeCounts()


def progress_facts(case: Case, reader: StatusReader,
                   lights: lifecycle.LightReader) -> ProgressFacts:
    """Every count of :func:`progress` is lifecycle's: open, overdue (a live clock past
    due), the answer's timeliness, consulted first, continuation open."""
    unsigned = lifecycle.awaiting_signature(case)
    review = not unsigned and lifecycle.review_pending(case)
    open_ = is_open(case)
    level, cont = -1, False
    if open_:
        today_iso = reader.today_iso
        late = [reader.status(case, n, d).level for n, d in iter_live(case) if d < today_iso]
        if late:
            level = max(late)
        cont = lifecycle.continuation_open(case)
    state = lifecycle.timeliness(case)
    consulted = state not in ("none", "open") and lifecycle.consulted_first(case)
    notices = (lifecycle.notice_counts((case,), reader.today_iso) if case.notices
               else _NO_NOTICES)
    return ProgressFacts(case.year, case.stage, case.kind, case.role, case.division, notices,
                         unsigned,
                         bool(unsigned and lights.sign_late(case)), review,
                         bool(review and lights.review_late(case)), open_, level, cont,
                         state, consulted)


#: how many of these cases have each :func:`progress_facts` on the day asked, keyed in the
#: order the facts first occur among them (the store may keep each case's facts)
TallyOf = Callable[[list[Case]], Mapping[ProgressFacts, int]]


def progress(cases: Iterable[Case], today: dt.date, cal: Calendar,
             rules_for_year: RulesSource = None, year: int | None = None,
             tally_of: TallyOf | None = None) -> Progress:
    """Counts by stage and role, on-time and consult-first shares, continuation cases open.

    Every count is :mod:`bot.domain.lifecycle`'s (:func:`progress_facts`). Work-reference
    cases have no answer. ``levels`` counts overdue cases by the escalation level of their
    most overdue clock. ``tally_of``: the cases' facts on ``today`` counted from what is
    kept elsewhere (the same function's answers, computed once per case and day).
    """
    reader = StatusReader(today, cal, rules_for_year)
    # (cases alike in every fact counted once: a few hundred kinds among 50,000 cases)
    if tally_of is None:
        lights = lifecycle.LightReader(today, cal, rules_for_year)
        chosen = [c for c in cases if year is None or c.year == year]
        tally: Mapping[ProgressFacts, int] = Counter(
            map(partial(progress_facts, reader=reader, lights=lights), chosen))
    else:  # (the year is one of the facts: no case object is read for it)
        tally = {f: n for f, n in tally_of(list(cases)).items()
                 if year is None or f.year == year}
    total = 0
    notices = [0, 0, 0, 0, 0]
    by_stage: Counter[str] = Counter()
    by_kind_role: Counter[tuple[str, str]] = Counter()
    by_role: Counter[str] = Counter()
    levels: Counter[int] = Counter()
    divisions: set[str] = set()
    n_open = n_overdue = timed = on_time = answered = consulted = cont = 0
    unsigned = unsigned_late = reviews = reviews_late = 0
    for f, n in tally.items():
        total += n
        if f.notices.issued:
            for i, value in enumerate(f.notices):
                notices[i] += n * value
        by_stage[f.stage] += n
        by_kind_role[(f.kind, f.role)] += n
        by_role[f.role] += n
        unsigned += n * f.unsigned
        unsigned_late += n * f.unsigned_late
        reviews += n * f.review
        reviews_late += n * f.review_late
        if f.open:
            n_open += n
            divisions.add(f.division)
            if f.level >= 0:
                n_overdue += n
                levels[f.level] += n
            cont += n * f.continuation_open
        if f.timeliness in ("none", "open"):
            continue
        answered += n
        if f.timeliness in ("on_time", "late"):
            timed += n
            on_time += n * (f.timeliness == "on_time")
        consulted += n * f.consulted_first
    # (each dict in the order its keys first appear among the cases, as before)
    return Progress(year, total, dict(by_stage), dict(by_role), dict(by_kind_role),
                    n_open, n_overdue,
                    timed, on_time, answered, consulted, cont, dict(levels), unsigned,
                    unsigned_late, lifecycle.NoticeCounts(*notices),
                    reviews, reviews_late, tuple(sorted(divisions - {""})))
