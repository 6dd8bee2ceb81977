"""A case's state: the one place that decides what is live, open, done and overdue.

Every view (the card, /overdue, /due, /mine, /progress, the person and division summaries,
the reminder planner, the weekly summary, the annual report, the ledger's overdue flag, the
warnings when a handler is deactivated) asks this module and decides nothing of its own.

The rules (DOMAIN.md, "A case's life"; LEDGER.md):

* **The main clock** is the one the five-fix deadline stands for: ``followup`` for a
  continuation (续办续复), ``reply`` for lead/sole/split, ``opinion`` for co/joint, none for a
  work reference (:attr:`bot.domain.model.Case.main_clock`).
* **A stage meets the clocks it implies.** At or past ``answered`` (已答复 / 已提交意见) the
  main clock is done; at or past ``published`` the publishing clock is. A clock done by its
  stage without a recorded day (an imported 已答复 with no 答复日期, or ``met`` being
  :data:`~bot.domain.model.MET_UNKNOWN`) is done on an unknown day: shown as such, never
  overdue, counted "undated" by the report.
* **Which clocks are live** (chased, counted, reminded): the main clock until it is done;
  the publishing clock only once the case is answered (there is nothing to publish before
  the reply) and until it is published; a B-class follow-up (续办续复) of a case of this
  year while the class is still B and the case stands answered (a later A or C closes it,
  a reopened case has none). Nothing of an archived case is live.
* **Open**: not archived, and either the main step is not done yet (with or without a
  deadline) or a clock is live. A work reference is open until it is archived. **Done** is
  not open. **Overdue**: a live clock is past its due date.
* **Timeliness of the answer** (report, /progress): judged on the *first* reply when 不满意
  reopened the case (its due and day are kept in ``first_reply_due`` / ``first_reply_on``),
  otherwise on the main clock: on time when done on or before its due date, late after it,
  undated when done on an unknown day; still open otherwise (overdue once its day passed).
* **Consulted first** (先协商,后答复): a consultation dated on or before the (first) answer;
  any consultation when that day is unknown.

Pure: no Telegram, no storage. The functions are small and called per case on every
question, so they read the case's fields directly and allocate little.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.domain.model import ANSWERED_STAGES, MET_UNKNOWN, STAGES, Case, Clock

_ANSWERED = frozenset(ANSWERED_STAGES)
_PUBLISHED = frozenset(STAGES[STAGES.index("published"):])

#: the report's and /progress's words for how the main step stands
TIMELINESS = ("on_time", "late", "undated", "overdue", "open", "none")


def main_done(case: Case) -> bool:
    """Whether the main step is done: the reply given / the opinion sent (a continuation:
    answered again). Reached through the stage, or a met main clock."""
    if case.stage in _ANSWERED:
        return True
    name = case.main_clock
    if name is None:
        return False
    clock = case.clocks.get(name)
    return clock is not None and bool(clock.met)


def clock_done(case: Case, name: str) -> bool:
    """Whether clock ``name`` of ``case`` is done: met, or implied by the stage."""
    clock = case.clocks.get(name)
    if clock is not None and clock.met:
        return True
    if name == case.main_clock:
        return case.stage in _ANSWERED
    if name == "publish":
        return case.stage in _PUBLISHED
    return False


def met_by_stage(case: Case) -> list[str]:
    """The clocks ``case.stage`` itself says are done: the main clock from 已答复/已提交意见
    on, the publishing clock (when the case has one) from 已公开 on."""
    out = []
    if case.main_clock is not None and case.stage in _ANSWERED:
        out.append(case.main_clock)
    if "publish" in case.clocks and case.stage in _PUBLISHED:
        out.append("publish")
    return out


def done_on(case: Case, name: str) -> str | None:
    """The ISO day clock ``name`` was done, "" when done on an unknown day, None while not done."""
    if not clock_done(case, name):
        return None
    clock = case.clocks.get(name)
    if clock is None or clock.met == MET_UNKNOWN:
        return ""
    return clock.met


def _followup_live(case: Case) -> bool:
    """A B-class follow-up of a case of this year is chased while the case stands answered
    with class B (a continuation's follow-up is its main clock)."""
    return case.reply_class == "B" and case.stage in _ANSWERED


def is_live(case: Case, name: str, clock: Clock | None = None) -> bool:
    """Whether clock ``name`` is chased now: due set, not done, and applicable (see module)."""
    if case.stage == "archived":
        return False
    if clock is None:
        clock = case.clocks.get(name)
        if clock is None:
            return False
    if not clock.due or clock.met:
        return False
    main = case.main_clock
    if name == main:
        return case.stage not in _ANSWERED
    if name == "publish":
        return case.stage in _ANSWERED and case.stage not in _PUBLISHED
    if name == "followup":
        return _followup_live(case)
    return False  # a clock the case's role does not use (e.g. left by a change of role)


def live_clocks(case: Case) -> list[tuple[str, Clock]]:
    """The live clocks of ``case`` as (name, clock), in the case's order."""
    if case.stage == "archived":
        return []
    return [(name, c) for name, c in case.clocks.items() if c.due and not c.met
            and is_live(case, name, c)]


def iter_live(case: Case) -> Iterator[tuple[str, str]]:
    """(name, due ISO) of every live clock (the hot path of the queries)."""
    if case.stage == "archived":
        return
    for name, c in case.clocks.items():
        if c.due and not c.met and is_live(case, name, c):
            yield name, c.due


def is_open(case: Case) -> bool:
    """Something is left to do on ``case`` (see the module's rules)."""
    if case.stage == "archived":
        return False
    if case.main_clock is None:
        return True  # a work reference: open until archived
    if not main_done(case):
        return True
    return any(True for _ in iter_live(case))


def is_done(case: Case) -> bool:
    return not is_open(case)


def overdue_clocks(case: Case, today_iso: str) -> list[tuple[str, str]]:
    """(name, due) of the live clocks past due on ``today_iso``."""
    return [(n, d) for n, d in iter_live(case) if d < today_iso]


def is_overdue(case: Case, today_iso: str) -> bool:
    return any(d < today_iso for _, d in iter_live(case))


def answered_on(case: Case) -> str | None:
    """The day of the (first) answer: ISO, "" when unknown, None when not answered yet."""
    if case.first_reply_on:
        return "" if case.first_reply_on == MET_UNKNOWN else case.first_reply_on
    name = case.main_clock
    if name is None:
        return None
    return done_on(case, name)


def answered(case: Case) -> bool:
    """Whether the case was answered at least once (the report's "answered")."""
    return answered_on(case) is not None


def timeliness(case: Case, today_iso: str | None = None) -> str:
    """How the main step stands (:data:`TIMELINESS`): ``none`` for a work reference."""
    name = case.main_clock
    if name is None:
        return "none"
    if case.first_reply_on:
        due, on = case.first_reply_due, answered_on(case)
    else:
        clock = case.clocks.get(name)
        due = clock.due if clock is not None else ""
        on = done_on(case, name)
    if on is not None:
        if not on:
            return "undated"
        return "on_time" if not due or on <= due else "late"
    if today_iso is not None and due and due < today_iso and case.stage != "archived":
        return "overdue"
    return "open"


def consulted_first(case: Case) -> bool:
    """先协商,后答复 held: a consultation on or before the (first) answer's day."""
    on = answered_on(case)
    if not on:
        return bool(case.consultations)
    return any(c.on <= on for c in case.consultations)


def continuation_open(case: Case) -> bool:
    """A follow-up (续办续复) still to be given: an open continuation, or a live B follow-up."""
    if not is_open(case):
        return False
    if case.continuation:
        return True
    return is_live(case, "followup")
