"""Merging a re-imported ledger row into the stored case: merge, never overwrite.

The row (``ParsedCases.good``: the stored case with the file's non-blank cells laid over
it) is compared with the stored case field by field, as ledger cells (``ledger_cells``).
Each differing field is a :class:`Change`; :func:`bot.domain.ledgerrules.merge_conflict`
says whether it is a *conflict* (a stage moving back, a value dropped, or a field changed
in chat since the case was last imported or exported). :func:`plan_case` gives the case to
store without the conflicts and the one with them (``--overwrite``).

"Changed in chat since the last import or export" is told by a **snapshot**: at every
import and export each case's ledger cells are kept in the table :data:`SNAPSHOT_TABLE`
(one document per case id). A field whose stored cell differs from its snapshot was changed
since (in chat, or by anything else that is not the ledger). A conflict the office did not
apply keeps its old snapshot cell, so sending the same file again lists it again rather
than applying it. A case with no snapshot (made in chat, or imported before snapshots were
kept) falls back on its history: the fields changed after its last import event.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tinydb.table import Document

from bot.domain.ledgerrules import mark_met_unknown, merge_conflict
from bot.domain.model import Case, Clock, HistoryEvent, diff_cases
from bot.texts import t
from data.ledger_format import CASE_COLUMNS
from data.ledger_write import case_cells

#: the table of per-case snapshots of the ledger cells at the last import or export
SNAPSHOT_TABLE = "ledger_seen"
#: the fields a row may change (the key's kind, year and number identify the case)
MERGED_FIELDS = tuple(c.field for c in CASE_COLUMNS if c.field not in ("kind", "year", "number"))
_SIMPLE = frozenset(MERGED_FIELDS) - {"deadline", "answered_on", "opinion_on", "published_on",
                                      "followup_due"}
#: the ledger fields a history event's field stands for
_HISTORY_FIELDS = {
    "clocks.reply": ("deadline", "answered_on"),
    "clocks.opinion": ("deadline", "opinion_on"),
    "clocks.followup": ("deadline", "answered_on", "followup_due"),
    "clocks.publish": ("published_on",),
}
#: an import's history note starts so (``ledger.history_note``)
IMPORT_NOTE_PREFIX = t("ledger.history_note", "zh", file="\0", row="\0").split("\0")[0]


def ledger_cells(case: Case) -> dict[str, str]:
    """The case's ledger cells as text, by field (dates ISO, blanks "")."""
    out = {}
    for fld, value in case_cells(case).items():
        if value is None:
            out[fld] = ""
        elif isinstance(value, dt.date):
            out[fld] = value.isoformat()
        else:
            out[fld] = str(value)
    return out


@dataclass
class Change:
    """One ledger field a row changes: the stored cell, the file's, and why it is a
    conflict (``ledger.conflict.<reason>``) or None."""

    field: str
    stored: str
    file: str
    conflict: str | None = None


@dataclass
class CasePlan:
    """What one good row does to one case."""

    row: int
    old: Case | None
    #: the case to store: the file's changes without the conflicts
    case: Case
    #: the case to store when the conflicts are applied too
    full: Case
    changes: list[Change] = field(default_factory=list)
    #: the case as stored by the import (set when written)
    stored: Case | None = None
    _writes: dict[bool, bool] = field(default_factory=dict, repr=False)

    @property
    def conflicts(self) -> list[Change]:
        return [c for c in self.changes if c.conflict]

    def target(self, overwrite: bool) -> Case:
        return self.full if overwrite else self.case

    def writes(self, overwrite: bool) -> bool:
        """Whether storing it changes anything (a new case always does)."""
        if self.old is None:
            return True
        if not self.changes:  # then only the extras or an unknown day may differ
            return self.case.extra != self.old.extra or self.case.clocks != self.old.clocks
        if overwrite not in self._writes:
            target = self.target(overwrite)
            if overwrite and not self.conflicts and False in self._writes:
                self._writes[True] = self._writes[False]
            else:
                self._writes[overwrite] = bool(diff_cases(self.old, target))
        return self._writes[overwrite]


def chat_fields(events: Sequence[HistoryEvent]) -> set[str] | None:
    """The ledger fields changed after the case's last import (from its history, newest
    first); None when the case was made outside the ledger and never imported since."""
    out: set[str] = set()
    for ev in reversed(events):
        if (ev.note or "").startswith(IMPORT_NOTE_PREFIX):
            return out
        if ev.field == "created":
            return None
        out.update(_HISTORY_FIELDS.get(ev.field, (ev.field,)))
    return out


def _apply(target: Case, filed: Case, fld: str) -> None:
    """Copy one ledger field of ``filed`` onto ``target`` (in place)."""
    if fld in _SIMPLE:
        setattr(target, fld, copy.deepcopy(getattr(filed, fld)))
        if fld == "reply_class" and "followup" in filed.clocks and "followup" not in target.clocks:
            target.clocks["followup"] = copy.deepcopy(filed.clocks["followup"])
        return
    if fld == "followup_due":
        if "followup" in filed.clocks:
            target.clocks["followup"] = copy.deepcopy(filed.clocks["followup"])
        return
    name = "publish" if fld == "published_on" else target.main_clock
    source = filed.clocks.get("publish" if fld == "published_on" else filed.main_clock or "")
    if name is None or source is None:
        return
    clock = target.clocks.setdefault(name, Clock())
    if fld == "deadline":
        clock.due, clock.source = source.due, source.source
    else:
        clock.met = source.met


def plan_case(row: int, filed: Case, old: Case | None, *, snapshot: Mapping[str, str] | None,
              history: Callable[[], Sequence[HistoryEvent]]) -> CasePlan:
    """How the row's case (``filed``) merges into the stored ``old``.

    ``snapshot``: the stored case's ledger cells at its last import or export (None when
    there is none: ``history()`` then tells what changed since its last import).
    """
    if old is None:
        return CasePlan(row, None, filed, filed)
    before, after = ledger_cells(old), ledger_cells(filed)
    since: set[str] | None = set()
    if snapshot is None:
        since = chat_fields(history())

    def changed_since(fld: str) -> bool:
        if snapshot is not None:
            return fld not in snapshot or snapshot[fld] != before[fld]
        if since is None:  # made outside the ledger: every value it holds came from chat
            return bool(before[fld])
        return fld in since

    changes = []
    for fld in MERGED_FIELDS:
        if before[fld] != after[fld]:
            changes.append(Change(fld, before[fld], after[fld], merge_conflict(
                fld, old, filed, before[fld], after[fld], changed_since=changed_since(fld))))
    case = old.copy()
    full = old.copy() if any(c.conflict for c in changes) else case
    for change in changes:
        if not change.conflict:
            _apply(case, filed, change.field)
        if full is not case:
            _apply(full, filed, change.field)
    for target in {id(case): case, id(full): full}.values():
        target.extra = dict(filed.extra)
        mark_met_unknown(target)
        if changes:
            target.validate()
    return CasePlan(row, old, case, full, changes)


# ---------------------------------------------------------------- snapshots


def snapshots(store) -> dict[int, dict[str, str]]:
    """Every case's snapshot: case id -> its ledger cells at the last import or export."""
    return {doc.doc_id: doc.get("cells", {}) for doc in store.table(SNAPSHOT_TABLE).all()}


def record_snapshots(store, cells: Mapping[int, Mapping[str, str]], *, how: str, name: str,
                     at: str, known: Collection[int]) -> None:
    """Keep ``cells`` (case id -> ledger cells) as the cases' snapshots; ``known``: the ids
    that have one already (replaced)."""
    if not cells:
        return
    table = store.table(SNAPSHOT_TABLE)
    replaced = [i for i in cells if i in known]
    if replaced:
        table.remove(doc_ids=replaced)
    table.insert_multiple([Document({"cells": dict(c), "how": how, "file": name, "at": at},
                                    doc_id=i) for i, c in cells.items()])


def snapshot_after(plan: CasePlan, stored: Case, overwrite: bool,
                   previous: Mapping[str, str] | None) -> dict[str, Any]:
    """The snapshot of a case after an import: its stored cells, except that a conflict
    left unapplied keeps its previous cell (or none), so it stays a conflict."""
    cells = ledger_cells(stored)
    if not overwrite:
        for change in plan.conflicts:
            if previous is not None and change.field in previous:
                cells[change.field] = previous[change.field]
            else:
                cells.pop(change.field, None)
    return cells
