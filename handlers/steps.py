"""What every step flow shares: saving the step, saying it was done, and the small parts
of their questions.

The step flows (:mod:`handlers.update` and its family modules :mod:`handlers.update_consult`,
:mod:`handlers.update_answer`, :mod:`handlers.update_extend`, :mod:`handlers.update_fixes`,
and the supervision steps of :mod:`handlers.supervision`) are built from these:

- :func:`commit` applies a change to a fresh copy of the flow's case and saves it, unless
  someone saved the case since the flow began (:func:`show_stale` says who, and when);
- :func:`done` says what was done with the fresh card; :func:`done_telling` first tells
  people (:func:`handlers.notify.notify_all`) and says whom it reached;
- the parts of an :class:`~handlers.flows.Ask`: :func:`prompt` (a catalogue key with the
  case's title), :func:`choices` (buttons of codes), :func:`read_reason`, :func:`ask_day`
  (the day the step happened, today by default) and :func:`step_day` (that day, read back);
- :func:`case_of`, :func:`title`, :func:`rules`: the flow's case, its title, its year's rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from bot.domain import workflow as wf
from bot.domain.access import decide
from bot.domain.model import Case, Person
from bot.domain.rules import Rules
from data.errors import StaleCase
from data.views import rules_of, work_calendar
from handlers.cards import case_title, render_card, today_reader
from handlers.common import Ctx, esc
from handlers.flows import Ask, Choice, FlowState
from handlers.notify import notify_all, told_text


async def show_stale(c: Ctx, case: Case) -> None:
    """Someone saved ``case`` since the presser's card or flow began: say who, show it fresh."""
    last = c.store.history(case.id, limit=1)
    who, at = (last[-1].who, last[-1].at[:16].replace("T", " ")) if last else ("—", "—")
    await c.answer(c.t("upd.stale_toast"))
    card, kb = render_card(c, case, today_reader(c))
    await c.reply(c.t("upd.stale", title=case_title(case, c.lang), who=esc(who), at=at)
                  + "\n\n" + card, kb)


# ---------------------------------------------------------------- saving a step


async def commit(c: Ctx, st: FlowState, change: Callable[[Case], str]) -> Case | None:
    """Apply ``change`` (returning the history note) to a fresh copy of the flow's case and
    save it, unless someone saved the case since the flow began (then nothing is written
    and the fresh card is shown). A refusal of the domain is shown with the card."""
    case = c.store.get_case(st.case_id)
    if case is None:
        await c.reply(c.t("case.gone"))
        return None
    if case.version != st.version:
        await show_stale(c, case)
        return None
    decision = decide(c.person, wf.STEP_ACTION.get(st.flow, "update"), case)
    if not decision:
        await c.refuse(decision.reason)
        return None
    try:
        note = change(case)
    except wf.ValidationError as err:
        card, kb = render_card(c, case, today_reader(c))
        await c.reply(f"⚠ {esc(err.render(c.lang))}\n\n{card}", kb)
        return None
    try:
        c.store.save_case(case, c.who, note, expected_version=st.version)
    except StaleCase:
        fresh = c.store.get_case(st.case_id)
        if fresh is not None:
            await show_stale(c, fresh)
        return None
    return case


async def done(c: Ctx, st: FlowState, case: Case, text: str) -> None:
    """Say what was done, with the fresh card (when the person may still see the case).
    A step without questions edits the card that was pressed."""
    if not decide(c.person, "view", case):
        await c.reply(text)
        return
    card, kb = render_card(c, case, today_reader(c))
    body = f"{text}\n\n{card}"
    if st.seq == 0 and c.update.callback_query is not None:
        await c.edit_or_reply(body, kb)
    else:
        await c.reply(body, kb)



async def done_telling(c: Ctx, st: FlowState, case: Case, people: Iterable[Person],
                       text: Callable[[Ctx], str], said: tuple[str, str], *,
                       card: Case | None = None, rows: Callable[[Ctx], list] | None = None,
                       **params: object) -> None:
    """Tell ``people`` (``text(their context)``, with ``card`` or ``rows`` under it), then
    :func:`done` with ``said``: (key naming whom it reached, key when it reached nobody)."""
    told = await notify_all(c, people, text, card, rows=rows)
    key, nobody_key = said
    await done(c, st, case, told_text(c, told, key, nobody_key, **params))


def rules(c: Ctx, case: Case) -> Rules:
    """The rules of ``case``'s year."""
    return rules_of(c.store, case.year)


def case_of(st: FlowState) -> Case:
    """The case of a case flow (the copy it started from)."""
    assert st.case is not None  # case flows always start with their case
    return st.case


def title(c: Ctx, st: FlowState) -> str:
    """The title of the flow's case, in the asker's language."""
    return case_title(case_of(st), c.lang)


def prompt(key: str, **extra: Callable[[Ctx, FlowState], object]
           ) -> Callable[[Ctx, FlowState], str]:
    """A prompt: catalogue ``key`` with the case's title and ``extra`` computed params."""
    return lambda c, st: c.t(key, title=title(c, st), **{k: f(c, st) for k, f in extra.items()})


def choices(prefix: str, codes: Iterable[str]) -> Callable[[Ctx, FlowState], list[Choice]]:
    """An ask's buttons: one per code, labelled by catalogue key ``prefix.code``."""
    return lambda c, st: [Choice(code, c.t(f"{prefix}.{code}")) for code in codes]


def read_reason(c: Ctx, st: FlowState, text: str) -> str:
    """An ask's ``read`` of a reason (refused when empty or too long)."""
    return wf.check_reason(text)


# ---------------------------------------------------------------- the day a step happened


def today_choice(c: Ctx, st: FlowState) -> list[Choice]:
    """[今天 2020-06-29]: the button of today."""
    return [Choice(c.today.isoformat(), c.t("upd.today", date=c.today.isoformat()))]


def read_step_date(c: Ctx, st: FlowState, text: str) -> str:
    """The day a step happened, as people write it: not after today, not before assignment."""
    day = wf.read_past_date(text, c.today, work_calendar(c.store))
    wf.check_step_date(case_of(st), day, c.today)
    return day.isoformat()


def step_day(st: FlowState) -> dt.date | None:
    """The day the step happened, when :func:`ask_day` asked it."""
    on = st.data.get("on")
    return dt.date.fromisoformat(on) if on else None


def ask_day(prompt_key: str, **extra: Callable[[Ctx, FlowState], object]) -> Ask:
    """Ask the day the step happened (today by default: a button)."""
    return Ask("on", prompt(prompt_key, **extra), choices=today_choice, read=read_step_date)
