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
        self.by_number: dict[str, set[int]] = {}
        self.by_key: dict[Key, int] = {}
        self.by_handler: dict[str, set[int]] = {}
        self.by_division: dict[str, set[int]] = {}
        #: what each id is indexed under (to take it out again)
        self._entries: dict[int, tuple[str, Key, str, str]] = {}

    @classmethod
    def build(cls, docs: dict[str, dict[str, Any]]) -> CaseIndex:
        index = cls()
        for k, doc in docs.items():
            index.put(int(k), doc)
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
        self.by_number.setdefault(number, set()).add(case_id)
        self.by_key[key] = case_id
        self.by_handler.setdefault(handler, set()).add(case_id)
        self.by_division.setdefault(division, set()).add(case_id)

    def drop(self, case_id: int) -> None:
        entry = self._entries.pop(case_id, None)
        if entry is None:
            return
        number, key, handler, division = entry
        for table, value in ((self.by_number, number), (self.by_handler, handler),
                             (self.by_division, division)):
            ids = table.get(value)
            if ids is not None:
                ids.discard(case_id)
                if not ids:
                    del table[value]
        if self.by_key.get(key) == case_id:
            del self.by_key[key]

    @staticmethod
    def ids(table: dict[Any, set[int]], value: Any) -> list[int]:
        return sorted(table.get(value, ()))
