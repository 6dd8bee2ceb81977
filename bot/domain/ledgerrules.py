"""What a ledger row implies and how a re-imported row may change a stored case (pure).

The ledger importer (``data/ledger*.py``) asks here instead of deciding itself, so that the
rules about stages and clocks stay in the domain, in one place:

- :func:`bot.domain.lifecycle.met_by_stage` (the lifecycle decides): the clocks a stage
  says are met (a row saying 已答复);
- :func:`mark_met_unknown`: those clocks, when the row gives no date, are done on a day
  nobody knows (:data:`MET_UNKNOWN`), never overdue;
- :func:`merge_conflict`: whether changing one ledger field of a stored case to the file's
  value would undo work (a conflict the office must confirm);
- :func:`row_warnings`: rows that load but look wrong.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from bot.domain.lifecycle import met_by_stage
from bot.domain.model import (
    MET_UNKNOWN,
    Case,
    Clock,
    stage_index,
)

#: conflict reasons (catalogue keys ``ledger.conflict.<reason>``)
BACKWARDS, DROPPED, CHAT = "backwards", "dropped", "chat"


def mark_met_unknown(case: Case) -> list[str]:
    """Mark the clocks the stage says are met but that have no date as met on an unknown
    day (in place); returns their names."""
    marked = []
    for name in met_by_stage(case):
        clock = case.clocks.get(name)
        if clock is None:
            case.clocks[name] = Clock(met=MET_UNKNOWN)
            marked.append(name)
        elif not clock.met:
            clock.met = MET_UNKNOWN
            marked.append(name)
    return marked


def _consulted(case: Case) -> set[tuple[str, str, str]]:
    return {(c.on, c.method, c.with_whom) for c in case.consultations}


def merge_conflict(field: str, stored: Case, filed: Case, stored_text: str, file_text: str,
                   *, changed_since: bool) -> str | None:
    """Why changing ``field`` of ``stored`` to the file's value is a conflict, or None.

    ``stored_text``/``file_text`` are the field's ledger cells of the stored case and of
    the case as the file has it; ``changed_since``: the field was changed in chat since the
    case was last imported or exported. A conflict is a stage moving backwards, a value
    (class, satisfaction, a consultation, a date) dropped, or a chat change overwritten; a
    stage moving forward is never one.
    """
    if field == "stage":
        # a stage moving forward never undoes work, whoever set the stored one
        return BACKWARDS if stage_index(filed.stage) < stage_index(stored.stage) else None
    if field == "consultations" and not _consulted(stored) <= _consulted(filed):
        return DROPPED
    if stored_text and not file_text:
        return DROPPED
    if changed_since:
        return CHAT
    return None


def row_warnings(case: Case, *, divisions_of: Mapping[str, Collection[str]],
                 divisions: Collection[str]) -> list[tuple[str, str, dict]]:
    """What looks wrong in a row that loads: (field, catalogue key, params) each.

    ``divisions_of``: a handler's name -> the divisions of the people of that name;
    ``divisions``: every division a person belongs to or leads.
    """
    out: list[tuple[str, str, dict]] = []
    if case.handler and case.division:
        own = divisions_of.get(case.handler, ())
        if own and case.division not in own:
            out.append(("handler", "ledger.warn.other_division",
                        {"name": case.handler, "division": case.division,
                         "own": "、".join(sorted(own))}))
    if case.division and divisions and case.division not in divisions:
        out.append(("division", "ledger.warn.unknown_division", {"division": case.division}))
    if (case.kind, case.role) in (("proposal", "co"), ("suggestion", "joint")):
        out.append(("role", f"ledger.warn.role_{case.kind}", {}))
    if case.deadline and case.assigned_on and case.deadline < case.assigned_on:
        out.append(("deadline", "ledger.warn.deadline_before_assigned",
                    {"deadline": case.deadline, "assigned": case.assigned_on}))
    if stage_index(case.stage) >= stage_index("consulted") and not case.consultations:
        out.append(("stage", "ledger.warn.no_consultation", {}))
    for name in met_by_stage(case):
        clock = case.clocks.get(name)
        if clock is not None and clock.met == MET_UNKNOWN:
            out.append(("stage", f"ledger.warn.met_unknown_{name}", {}))
    return out
