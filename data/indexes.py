"""Indexes of the stored cases, kept on every write (and on rollback), so that a question
costs what its answer holds, not what the store holds.

Built once from the stored documents (no Case objects needed: a /case right after opening
builds only the objects it shows), then updated by the store for each case it adds,
changes or rolls back.
"""

from __future__ import annotations

from typing import Any

Key = tuple[str, int, str, str]


def doc_key(doc: dict[str, Any]) -> Key:
    """:attr:`Case.key` of a stored case document."""
    return (doc["kind"], doc["year"], doc["number"],
            doc.get("origin_session") or doc.get("session") or "")


class CaseIndex:
    """Case ids by number, key, handler and division."""

    def __init__(self) -> None:
        #: (lists, not sets: most numbers have one case, and 50,000 one-element sets cost
        #: a third of the build)
        self.by_number: dict[str, list[int]] = {}
        self.by_key: dict[Key, int] = {}
        self.by_handler: dict[str, list[int]] = {}
        self.by_division: dict[str, list[int]] = {}
        #: what each id is indexed under (to take it out again)
        self._entries: dict[int, tuple[str, Key, str, str]] = {}

    @classmethod
    def build(cls, docs: dict[str, dict[str, Any]]) -> CaseIndex:
        """The index of every stored case (one pass, ~2 µs a case: :meth:`put` inlined)."""
        index = cls()
        entries, by_key = index._entries, index.by_key
        numbers, handlers, divisions = index.by_number, index.by_handler, index.by_division
        for k, doc in docs.items():
            cid = int(k)
            number, handler, division = doc["number"], doc.get("handler") or "", \
                doc.get("division") or ""
            key = (doc["kind"], doc["year"], number,
                   doc.get("origin_session") or doc.get("session") or "")
            entries[cid] = (number, key, handler, division)
            by_key[key] = cid
            ids = numbers.get(number)
            if ids is None:
                numbers[number] = [cid]
            else:
                ids.append(cid)
            ids = handlers.get(handler)
            if ids is None:
                handlers[handler] = [cid]
            else:
                ids.append(cid)
            ids = divisions.get(division)
            if ids is None:
                divisions[division] = [cid]
            else:
                ids.append(cid)
        return index

    def put(self, case_id: int, doc: dict[str, Any] | None) -> None:
        """Index ``case_id`` as ``doc`` (a case document or ``Case.to_dict()``); None: the
        case is gone."""
        self.drop(case_id)
        if doc is None:
            return
        entry = (doc["number"], doc_key(doc), doc.get("handler") or "",
                 doc.get("division") or "")
        self._entries[case_id] = entry
        number, key, handler, division = entry
        self.by_number.setdefault(number, []).append(case_id)
        self.by_key[key] = case_id
        self.by_handler.setdefault(handler, []).append(case_id)
        self.by_division.setdefault(division, []).append(case_id)

    def drop(self, case_id: int) -> None:
        entry = self._entries.pop(case_id, None)
        if entry is None:
            return
        number, key, handler, division = entry
        for table, value in ((self.by_number, number), (self.by_handler, handler),
                             (self.by_division, division)):
            ids = table.get(value)
            if ids is not None and case_id in ids:
                ids.remove(case_id)
                if not ids:
                    del table[value]
        if self.by_key.get(key) == case_id:
            del self.by_key[key]

    @staticmethod
    def ids(table: dict[Any, list[int]], value: Any) -> list[int]:
        return sorted(table.get(value, ()))
