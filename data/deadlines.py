"""Deadlines counted in working days, recomputed when the calendar changes.

:func:`recompute_deadlines` moves every stored working-day deadline the new calendar puts
elsewhere (:func:`bot.domain.supervision.workday_deadline_moves` decides which), in one
commit with the history, and queues one notice per move in the side table
:data:`MOVES_TABLE`; the bot tells each handler (old and new date) when it next runs.
"""

from __future__ import annotations

from bot.domain.supervision import DeadlineMove, workday_deadline_moves
from bot.texts import t
from data.views import rules_of, work_calendar

#: moves not yet told: {case_id, clock, old, new, handler, told}
MOVES_TABLE = "deadline_moves"


def recompute_deadlines(store, who: str) -> list[DeadlineMove]:
    """Apply the moves the store's current calendar gives; returns them."""
    moves = workday_deadline_moves(store.cases(), work_calendar(store),
                                   lambda year: rules_of(store, year))
    if not moves:
        return []
    with store.transaction():
        for move in moves:
            case = store.get_case(move.case_id)
            if case is None:
                continue
            case.clocks[move.clock].due = move.new
            store.save_case(case, who, t("sv.note.calendar_moved", "zh", old=move.old,
                                         new=move.new))
            store.table(MOVES_TABLE).insert({**move._asdict(), "told": False})
    return moves


def pending_moves(store) -> list[tuple[int, dict]]:
    """(doc id, move) of the moves not told yet."""
    return [(doc.doc_id, dict(doc)) for doc in store.table(MOVES_TABLE).all()
            if not doc.get("told")]


def mark_told(store, doc_id: int) -> None:
    store.table(MOVES_TABLE).update({"told": True}, doc_ids=[doc_id])
