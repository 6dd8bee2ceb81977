"""What a person may see, taken from the store's indexes instead of a scan of every case.

Each function picks *candidates* from an index (the cases of a handler, of a division, the
cases with a live clock in a period) and then asks the domain's one rule,
:func:`bot.domain.access.visible`, which of them the person may see. The indexes narrow
the work; they decide nothing: a candidate the rule refuses is dropped, and every case the
rule would keep is among the candidates (``tests/test_sight.py`` checks each answer
against the full scan).

Lists come ordered by case id, as :meth:`data.store.Store.cases` orders them, so the
queries of :mod:`bot.domain.queries` give the same answer from either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.domain.access import visible
from bot.domain.model import Case, Person
from bot.domain.queries import fold, search_key
from data.store import Store


def _by_id(groups: Iterable[list[Case]]) -> list[Case]:
    """The cases of these groups (each by id), by id, each once."""
    groups = list(groups)
    if len(groups) == 1:
        return groups[0]  # (a name seldom has several spellings: nothing to merge)
    seen: dict[int, Case] = {}
    for group in groups:
        for case in group:
            seen[case.id] = case
    return [seen[k] for k in sorted(seen)]


def scope_ids(store: Store, person: Person | None) -> set[int] | None:
    """The ids of every case ``person``'s position could let them see (a superset), or
    None when it could be any case (the office, the head, anyone else: ``visible`` decides)."""
    if person is None:
        return set()
    if person.position == "handler":
        return store.case_ids_of_handler_id(person.id) if person.id else set()
    if person.position == "division_head":
        return store.case_ids_of_division(person.division)
    if person.position == "leader":
        ids: set[int] = set()
        for division in dict.fromkeys(person.leads_divisions):
            ids |= store.case_ids_of_division(division)
        return ids
    return None


def candidates(store: Store, person: Person | None) -> list[Case]:
    """Every case ``person``'s position could let them see (a superset, by id)."""
    ids = scope_ids(store, person)
    return store.cases() if ids is None else store.cases_with_ids(ids)


def visible_cases(store: Store, person: Person | None) -> list[Case]:
    """The cases ``person`` may see, by id (``visible`` over the indexed candidates)."""
    return visible(person, candidates(store, person))


def own_cases(store: Store, person: Person | None) -> list[Case]:
    """The visible cases ``person`` owns (``Case.handler_id``), by id."""
    if person is None or not person.id:
        return []
    return visible(person, store.cases_of_handler_id(person.id))


def found_cases(store: Store, person: Person | None, keyword: str) -> list[Case]:
    """The visible cases ``queries.search`` may find for ``keyword`` (those whose searched
    text holds its key), by id: what it ranks, instead of every visible case."""
    ids = store.case_ids_matching(search_key(keyword))
    scope = scope_ids(store, person)
    if scope is not None:
        ids &= scope
    return visible(person, store.cases_with_ids(ids))


def overdue_cases(store: Store, person: Person | None, today_iso: str) -> list[Case]:
    """The visible cases overdue on ``today_iso``, most overdue first
    (``queries.overdue_key``, as ``queries.overdue_page(..., ordered=True)`` takes them)."""
    return visible(person, store.cases_overdue_in_order(today_iso, scope_ids(store, person)))


def due_cases(store: Store, person: Person | None, lo: str, hi: str) -> list[Case]:
    """The visible cases with a live clock due in ``lo``..``hi`` (ISO, included), in the
    order of the answer (``queries.due_key``; ``queries.due_page(..., ordered=True)``)."""
    return visible(person, store.cases_due_in_order(lo, hi, scope_ids(store, person)))


def first_due_cases(store: Store, person: Person | None, today_iso: str,
                    keep: Callable[[Case], bool] | None = None) -> list[Case]:
    """Among the visible cases (that ``keep`` accepts), those whose next live clock due on
    or after ``today_iso`` comes first: what ``status.soonest`` picks from."""
    def accept(case: Case) -> bool:
        return bool(visible(person, [case])) and (keep is None or keep(case))
    return store.cases_due_first(today_iso, accept)


def overdue_candidates(store: Store, person: Person | None, today_iso: str,
                       narrow: Callable[[list[Case]], list[Case]] = list) -> list[Case]:
    """What ``queries.overdue`` needs to answer for ``person`` (their visible cases passed
    through ``narrow``, which keeps their order): :func:`overdue_cases`, or when there are
    none, the ones whose next deadline comes first (the "next due")."""
    cases = narrow(overdue_cases(store, person, today_iso))
    if not cases:
        cases = first_due_cases(store, person, today_iso, lambda k: bool(narrow([k])))
    return cases


def _named(names: Iterable[str], name: str) -> list[str]:
    key = fold(name)
    return [n for n in names if n == name or fold(n) == key]


def division_cases(store: Store, division: str) -> list[Case]:
    """Every stored case whose division is ``division`` (or folds to it), by id."""
    return _by_id(store.cases_of_division(d) for d in _named(store.division_names(), division))


def handler_cases(store: Store, name: str) -> list[Case]:
    """Every stored case whose handler is ``name`` (or folds to it), by id."""
    return _by_id(store.cases_of_handler(h) for h in _named(store.handler_names(), name))


def owned_cases(store: Store, ids: Iterable[int]) -> list[Case]:
    """Every stored case owned by one of the people ``ids``, by id."""
    return _by_id(store.cases_of_handler_id(i) for i in dict.fromkeys(ids) if i)
