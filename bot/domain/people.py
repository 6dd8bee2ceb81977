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
    return [c for c in cases if c.handler == person.name and is_open(c)]
