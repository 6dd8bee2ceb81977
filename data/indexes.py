"""Indexes of the stored cases, kept on every write (and on rollback), so that a question
costs what its answer holds, not what the store holds.

Built once from the stored documents (no Case objects needed: a /case right after opening
builds only the objects it shows), then updated by the store for each case it adds,
changes or rolls back.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any

import orjson

from bot.domain.lifecycle import iter_live
from bot.domain.model import Case
from bot.domain.queries import Urgency, due_key, overdue_key, search_text, urgency
from bot.domain.status import soonest_key

Key = tuple[str, int, str, str]


def doc_key(doc: dict[str, Any]) -> Key:
    """:attr:`Case.key` of a stored case document."""
    return (doc["kind"], doc["year"], doc["number"],
            doc.get("origin_session") or doc.get("session") or "")


def number_value(number: str) -> str | None:
    """A digit number without its leading zeros (``0484`` and ``484`` alike), else None."""
    if not number.isdigit():
        return None
    return str(int(number))


class CaseIndex:
    """Case ids by number, key, handler (name and person id) and division."""

    def __init__(self) -> None:
        #: (lists, not sets: most numbers have one case, and 50,000 one-element sets cost
        #: a third of the build)
        self.by_number: dict[str, list[int]] = {}
        self.by_key: dict[Key, int] = {}
        #: (a handler's or a division's ids are many: dicts used as ordered sets, so that
        #: taking one out is O(1), not a scan of thousands)
        self.by_handler: dict[str, dict[int, None]] = {}
        self.by_division: dict[str, dict[int, None]] = {}
        #: the owner of a case is ``Case.handler_id`` (0: nobody linked)
        self.by_handler_id: dict[int, dict[int, None]] = {}
        #: digit numbers by their value (:func:`number_value`): ``484`` finds ``0484``
        self.by_value: dict[str, list[int]] = {}
        #: what each id is indexed under (to take it out again)
        self._entries: dict[int, tuple[str, Key, str, str, int]] = {}
        #: bumped whenever a handler or division name appears or disappears (name caches)
        self.names_version = 0

    @classmethod
    def build(cls, docs: Mapping[str, dict[str, Any]]) -> CaseIndex:
        """The index of every stored case document (by id as str)."""
        return cls._build(
            (int(k), doc["number"], doc["kind"], doc["year"], doc.get("session"),
             doc.get("origin_session"), doc.get("handler"), doc.get("division"),
             doc.get("handler_id"))
            for k, doc in docs.items())

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int, str]]) -> CaseIndex:
        """The index from each case's id and indexed fields as SQLite keeps them (a JSON
        array in ``data.storage.IX_FIELDS`` order): no document is parsed."""
        loads = orjson.loads
        try:
            return cls._build((cid, *loads(ix)) for cid, ix in rows)
        except (TypeError, AttributeError, ValueError) as exc:  # not the fields of a case
            raise ValueError(f"a case row without its indexed fields ({exc})") from None

    @classmethod
    def _build(cls, fields: Iterable[tuple[Any, ...]]) -> CaseIndex:
        """One pass over (id, number, kind, year, session, origin_session, handler,
        division, handler_id) of every case (~2 µs a case: :meth:`put` inlined)."""
        index = cls()
        entries, by_key = index._entries, index.by_key
        numbers, handlers, divisions = index.by_number, index.by_handler, index.by_division
        owners, values = index.by_handler_id, index.by_value
        for cid, number, kind, year, session, origin, handler, division, owner in fields:
            handler, division, owner = handler or "", division or "", owner or 0
            key = (kind, year, number, origin or session or "")
            entries[cid] = (number, key, handler, division, owner)
            by_key[key] = cid
            ids = numbers.get(number)
            if ids is None:
                numbers[number] = [cid]
            else:
                ids.append(cid)
            many = handlers.get(handler)
            if many is None:
                handlers[handler] = {cid: None}
            else:
                many[cid] = None
            many = divisions.get(division)
            if many is None:
                divisions[division] = {cid: None}
            else:
                many[cid] = None
            many = owners.get(owner)
            if many is None:
                owners[owner] = {cid: None}
            else:
                many[cid] = None
            if number.isdigit():
                values.setdefault(str(int(number)), []).append(cid)
        return index

    def disagreeing(self, other: CaseIndex) -> list[int]:
        """The ids indexed differently here and in ``other`` (or in one only), sorted."""
        mine, theirs = self._entries, other._entries
        return sorted(cid for cid in mine.keys() | theirs.keys()
                      if mine.get(cid) != theirs.get(cid))

    def unlinked(self) -> list[int]:
        """The cases that name a handler but are nobody's (``handler_id`` 0), by id."""
        entries = self._entries
        return sorted(cid for cid in self.by_handler_id.get(0, ()) if entries[cid][2])

    def put(self, case_id: int, doc: dict[str, Any] | None) -> None:
        """Index ``case_id`` as ``doc`` (a case document or ``Case.to_dict()``); None: the
        case is gone."""
        if doc is None:
            self.drop(case_id)
            return
        entry = (doc["number"], doc_key(doc), doc.get("handler") or "",
                 doc.get("division") or "", doc.get("handler_id") or 0)
        if self._entries.get(case_id) == entry:
            return  # (most writes: a stage, a date; removing from a handler's list is O(n))
        self.drop(case_id)
        self._entries[case_id] = entry
        number, key, handler, division, owner = entry
        if handler not in self.by_handler or division not in self.by_division:
            self.names_version += 1
        self.by_number.setdefault(number, []).append(case_id)
        self.by_key[key] = case_id
        self.by_handler.setdefault(handler, {})[case_id] = None
        self.by_division.setdefault(division, {})[case_id] = None
        self.by_handler_id.setdefault(owner, {})[case_id] = None
        value = number_value(number)
        if value is not None:
            self.by_value.setdefault(value, []).append(case_id)

    def drop(self, case_id: int) -> None:
        entry = self._entries.pop(case_id, None)
        if entry is None:
            return
        number, key, handler, division, owner = entry
        few: tuple[tuple[dict[Any, list[int]], Any], ...] = (
            (self.by_number, number), (self.by_value, number_value(number)))
        for table, value in few:
            ids = table.get(value)
            if ids is not None and case_id in ids:
                ids.remove(case_id)
                if not ids:
                    del table[value]
        many: tuple[tuple[dict[Any, dict[int, None]], Any], ...] = (
            (self.by_handler, handler), (self.by_division, division),
            (self.by_handler_id, owner))
        for sets, value in many:
            members = sets.get(value)
            if members is not None and members.pop(case_id, members) is None:
                if not members:
                    del sets[value]
                    if sets is not self.by_handler_id:
                        self.names_version += 1
        if self.by_key.get(key) == case_id:
            del self.by_key[key]

    @staticmethod
    def ids(table: dict[Any, list[int]] | dict[Any, dict[int, None]], value: Any) -> list[int]:
        return sorted(table.get(value, ()))


#: (due, clock order, number, clock, case id): soonest_key and the id
Entry = tuple[str, int, str, str, int]


#: (*queries.due_key, case id) of one live clock: the order of "due in a period"
DueEntry = tuple[str, str, int, int]


def _entries(case: Case, case_id: int) -> list[Entry]:
    return [(*soonest_key(case, name, due), case_id) for name, due in iter_live(case)]


def _due_entries(entries: list[Entry], case: Case, case_id: int) -> list[DueEntry]:
    return [(*due_key(case, e[0]), case_id) for e in entries]


#: after this many writes with no question between them (an import's transaction), the
#: ordered lists are no longer kept entry by entry (each insertion shifts a list of up to
#: 100,000 entries) but sorted again, once, when next asked
BULK_PUTS = 256


class LiveIndex:
    """Every live clock of every case, ordered by due date, then as
    :func:`bot.domain.status.soonest` orders them (``soonest_key``), then by case id.

    What is live is :func:`bot.domain.lifecycle.iter_live`'s decision, asked again for a
    case each time the store writes or rolls it back (:meth:`put`): this index decides
    nothing, it only remembers the lifecycle's answer (which does not depend on the day),
    so "overdue on D" is a prefix of it and "due in a period" a slice.
    """

    def __init__(self) -> None:
        self._order_kept: list[Entry] = []
        self._of: dict[int, list[Entry]] = {}
        #: the same clocks as (*queries.due_key, case id), in that order: a case's first
        #: entry in a period's slice is its place in the answer "due in that period"
        self._due_kept: list[DueEntry] = []
        self._due_of: dict[int, list[DueEntry]] = {}
        #: queries.urgency of every case (open, live clock due first)
        self.urgency: dict[int, Urgency] = {}
        #: (*queries.overdue_key, case id) of every case that has one, in that order:
        #: "overdue on D, most overdue first" is a prefix of it
        self._worst_kept: list[tuple[str, str, int, int]] = []
        self._worst_ids_kept: list[int] = []  # (the ids of _worst, position by position)
        self._worst_of: dict[int, tuple[str, str, int, int]] = {}
        #: writes since the last question; past BULK_PUTS the ordered lists are stale
        self._puts = 0
        self._stale = False

    @classmethod
    def build(cls, cases: Iterable[Case]) -> LiveIndex:
        index = cls()
        of, facts, worst_of, due_of = index._of, index.urgency, index._worst_of, index._due_of
        for case in cases:
            facts[case.id] = fact = urgency(case)
            entries = _entries(case, case.id)
            if entries:
                of[case.id] = entries
                due_of[case.id] = _due_entries(entries, case, case.id)
            key = overdue_key(case, fact)
            if key is not None:
                worst_of[case.id] = (*key, case.id)
        index._sort()
        return index

    def _sort(self) -> None:
        self._order_kept = sorted(e for entries in self._of.values() for e in entries)
        self._due_kept = sorted(e for entries in self._due_of.values() for e in entries)
        self._worst_kept = sorted(self._worst_of.values())
        self._worst_ids_kept = [w[-1] for w in self._worst_kept]
        self._stale = False

    def _fresh(self) -> None:
        """Before a question: sort again if bulk writes left the lists stale."""
        self._puts = 0
        if self._stale:
            self._sort()

    @property
    def _order(self) -> list[Entry]:
        self._fresh()
        return self._order_kept

    @property
    def _due_order(self) -> list[DueEntry]:
        self._fresh()
        return self._due_kept

    @property
    def _worst(self) -> list[tuple[str, str, int, int]]:
        self._fresh()
        return self._worst_kept

    def put(self, case_id: int, case: Case | None) -> None:
        """The live clocks of ``case`` (stored under ``case_id``); None: the case is gone."""
        self._puts += 1
        if self._puts > BULK_PUTS:
            self._stale = True
        keep = not self._stale
        order, worst, worst_ids = self._order_kept, self._worst_kept, self._worst_ids_kept
        gone = self._of.pop(case_id, ())
        for entry in gone if keep else ():
            i = bisect.bisect_left(order, entry)
            if i < len(order) and order[i] == entry:
                del order[i]
        due_order, gone_due = self._due_kept, self._due_of.pop(case_id, ())
        for due_entry in gone_due if keep else ():
            i = bisect.bisect_left(due_order, due_entry)
            if i < len(due_order) and due_order[i] == due_entry:
                del due_order[i]
        old = self._worst_of.pop(case_id, None)
        if old is not None and keep:
            i = bisect.bisect_left(worst, old)
            if i < len(worst) and worst[i] == old:
                del worst[i], worst_ids[i]
        if case is None:
            self.urgency.pop(case_id, None)
            return
        self.urgency[case_id] = fact = urgency(case)
        entries = _entries(case, case_id)
        if entries:
            self._of[case_id] = entries
            self._due_of[case_id] = due_entries = _due_entries(entries, case, case_id)
            if keep:
                for entry in entries:
                    bisect.insort(order, entry)
                for due_entry in due_entries:
                    bisect.insort(due_order, due_entry)
        key = overdue_key(case, fact)
        if key is not None:
            self._worst_of[case_id] = new = (*key, case_id)
            if keep:
                i = bisect.bisect_left(worst, new)
                worst.insert(i, new)
                worst_ids.insert(i, case_id)

    def overdue_in_order(self, iso: str) -> list[int]:
        """Ids of the cases overdue on ``iso`` (an open case whose earliest live clock is
        due before it), most overdue first: :func:`bot.domain.queries.overdue_key`, then id."""
        worst = self._worst
        return self._worst_ids_kept[:bisect.bisect_left(worst, (iso,))]

    def due_in_order(self, lo: str, hi: str, among: Collection[int] | None = None
                     ) -> list[int]:
        """Ids of the cases with a live clock due in ``lo``..``hi`` (both included), in the
        order of the answer "due in that period": ``queries.due_key`` of the earliest such
        clock, then id; ``among``: only those of these ids (each asked, when they are
        fewer than the clocks in the period)."""
        order = self._due_order
        start = bisect.bisect_left(order, (lo,))
        end = bisect.bisect_left(order, (hi + "\uffff",))
        if among is not None and len(among) < end - start:
            of = self._due_of
            firsts = []
            for cid in among:
                found = [e for e in of.get(cid, ()) if lo <= e[0] <= hi]
                if found:
                    firsts.append(min(found))
            firsts.sort()
            return [e[-1] for e in firsts]
        # a case's first entry in the slice is its earliest clock there; the first
        # entries, taken in the slice's order, are in the answer's order
        ids = list(dict.fromkeys([e[-1] for e in order[start:end]]))
        if among is not None:
            return [cid for cid in ids if cid in among]
        return ids

    def from_day(self, iso: str) -> Iterator[tuple[str, int]]:
        """(due, case id) of the live clocks due on or after ``iso``, soonest first."""
        order = self._order
        for i in range(bisect.bisect_left(order, (iso,)), len(order)):
            yield order[i][0], order[i][-1]

    def clocks_of(self, case_id: int) -> list[tuple[str, str]] | None:
        """(clock name, due) of the live clocks of case ``case_id``, as ``iter_live`` gave
        them when it was put (None: not indexed)."""
        entries = self._of.get(case_id)
        if entries is None:
            return [] if case_id in self.urgency else None
        return [(e[3], e[0]) for e in entries]

    def live(self) -> list[int]:
        """Ids of every case with a live clock, by id."""
        return sorted(self._of)


def first_due_ids(index: LiveIndex, iso: str, keep: Callable[[int], bool]) -> list[int]:
    """The case ``keep`` accepts whose live clock due on or after ``iso`` comes first, as
    :func:`bot.domain.status.soonest` would pick it from all of them ([] when none)."""
    for _due, cid in index.from_day(iso):
        if keep(cid):
            return [cid]
    return []



class TextIndex:
    """The searched text of every case (``queries.search_text``), kept on every write, so
    that a search is one C-level substring test per case (~5 ms for 50,000), not the
    folding of every field; what ``queries.search`` then ranks is only the cases that hold
    the keyword. (One joined string searched with ``str.find`` was tried: faster for a
    rare keyword, but a Python step per hit made a common one ten times slower.)"""

    def __init__(self, texts: dict[int, str]) -> None:
        self._texts = texts

    @classmethod
    def build(cls, cases: Iterable[Case]) -> TextIndex:
        return cls({case.id: search_text(case) for case in cases})

    def put(self, case_id: int, case: Case | None) -> None:
        if case is None:
            self._texts.pop(case_id, None)
        else:
            self._texts[case_id] = search_text(case)

    def ids_containing(self, key: str) -> set[int]:
        """The ids of the cases whose searched text holds ``key``."""
        return {cid for cid, text in self._texts.items() if key in text}
