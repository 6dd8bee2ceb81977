"""People: matching a new Telegram account to the people list, divisions, the chain of
responsibility above a case (who is alerted at each escalation level)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from bot.domain.lifecycle import is_open
from bot.domain.model import Case, Person
from bot.domain.text import clean_name


def _norm(text: str) -> str:
    text = clean_name(text or "")
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("·", "").lower()


def name_variants(first_name: str, last_name: str = "", username: str = "") -> set[str]:
    """The names a Telegram profile may stand for: 张三 is often first "三", last "张"."""
    first, last = _norm(first_name), _norm(last_name)
    out = {v for v in (first + last, last + first, first) if v}
    if username:
        out.add(_norm(username).lstrip("@"))
    return out


def match_people(people: Iterable[Person], first_name: str, last_name: str = "",
                 username: str = "") -> list[Person]:
    """Unlinked, active people of the list whose name (or username) fits the profile."""
    variants = name_variants(first_name, last_name, username)
    out = []
    for p in people:
        if p.linked or not p.active:
            continue
        if _norm(p.name) in variants or (p.username and _norm(p.username) in variants):
            out.append(p)
    return out


def divisions(people: Iterable[Person], cases: Iterable[Case] = ()) -> list[str]:
    """Every division named by a person or a case, sorted."""
    names: set[str] = set()
    for p in people:
        if p.division:
            names.add(p.division)
        names.update(p.leads_divisions)
    names.update(c.division for c in cases if c.division)
    return sorted(names)


def open_cases_of(person: Person, cases: Iterable[Case]) -> list[Case]:
    """Cases this person handles that are still open (reassign them first)."""
    return [c for c in cases if handles(person, c) and is_open(c)]


# ---------------------------------------------------------------- who a name stands for


class AmbiguousName(ValueError):
    """A name that stands for more than one person (namesakes): the candidates."""

    def __init__(self, name: str, candidates: list[Person]) -> None:
        self.name = name
        self.candidates = candidates
        super().__init__(name)


def resolve_person(name: str, division: str, people: Iterable[Person]) -> Person | None:
    """The person ``name`` stands for: the one of that name in ``division`` (the active one
    first), else the only one of that name; None when nobody has it. Two of that name and
    neither in ``division`` (or both in it): :class:`AmbiguousName`."""
    key = _norm(name)
    if not key:
        return None
    found = [p for p in people if _norm(p.name) == key]
    if len(found) <= 1:
        return found[0] if found else None
    here = [p for p in found if p.division == division] if division else []
    if len(here) > 1:
        active = [p for p in here if p.active]
        here = active if len(active) == 1 else here
    if len(here) == 1:
        return here[0]
    raise AmbiguousName(name, here or found)


def people_by_name(people: Iterable[Person]) -> dict[str, list[Person]]:
    """The people grouped by their name as :func:`resolve_person` compares it: resolving
    many names against one list, pass it ``by_name.get(name_key(name), ())``."""
    out: dict[str, list[Person]] = {}
    for p in people:
        out.setdefault(_norm(p.name), []).append(p)
    return out


def name_key(name: str) -> str:
    """A name as :func:`resolve_person` compares it."""
    return _norm(name)


def link_handler(case: Case, people: Iterable[Person]) -> bool:
    """Give ``case`` the person id of its handler (by name and division); True when it has
    one afterwards. An ambiguous or unknown name leaves it without (0)."""
    if not case.handler:
        case.handler_id = 0
        return False
    try:
        person = resolve_person(case.handler, case.division, people)
    except AmbiguousName:
        person = None
    case.handler_id = person.id if person is not None else 0
    return bool(case.handler_id)


def namesakes_of(name: str, people: Iterable[Person]) -> list[Person]:
    """The people of the list called ``name`` (compared as names are: no look-alikes)."""
    key = _norm(name)
    return [p for p in people if _norm(p.name) == key]


def namesakes(people: Iterable[Person]) -> frozenset[str]:
    """The (normalised) names two or more people share."""
    seen: set[str] = set()
    twice: set[str] = set()
    for p in people:
        key = _norm(p.name)
        (twice if key in seen else seen).add(key)
    return frozenset(twice)


def display_name(person: Person, shared: frozenset[str]) -> str:
    """The name as people read it: with the division (or position's division) beside it when
    another person has the same name: 张三(综合处)."""
    if _norm(person.name) not in shared:
        return person.name
    where = person.division or "、".join(person.leads_divisions)
    return f"{person.name}({where})" if where else f"{person.name}(#{person.id})"


def handles(person: Person, case: Case) -> bool:
    """Whether ``person`` is ``case``'s handler: by identity, never by name alone."""
    return bool(case.handler_id) and case.handler_id == person.id
