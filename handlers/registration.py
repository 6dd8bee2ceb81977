"""``/new``: registering a case in chat, one question at a time (a flow of
:mod:`handlers.flows`).

The asks: kind, number, year, session (a duplicate of an existing case is refused at once,
with its card), title, proposers, role, lead unit (when the role has one), division, task,
handler, deadline (the role's default by a button), requirements; then a summary with
[确认] [修改…] [取消]. Only [确认] writes: the case, its card, and a message to its handler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from telegram.ext import Application

from bot.domain import workflow as wf
from bot.domain.access import decide
from bot.domain.model import KINDS, ROLES, Case
from bot.domain.people import link_handler
from bot.texts import t
from data.errors import DuplicateCase
from data.views import rules_of, work_calendar
from handlers.cards import render_card, today_reader
from handlers.common import Ctx, esc
from handlers.flows import Ask, Choice, Flow, FlowState, add_flow, install, start_flow
from handlers.notify import notify, shown

log = logging.getLogger("duban.flows")


def _labels(prefix: str) -> Callable[[str], list[str]]:
    return lambda code: [t(f"{prefix}.{code}", "zh"), t(f"{prefix}.{code}", "en")]


def _prompt_key(key: str) -> Callable[[Ctx, FlowState], str]:
    return lambda c, st: c.t(key)


def _kind_choices(c: Ctx, st: FlowState) -> list[Choice]:
    return [Choice(k, c.t(f"kind.{k}")) for k in KINDS]


def _year_choices(c: Ctx, st: FlowState) -> list[Choice]:
    return [Choice(y, str(y)) for y in (c.today.year, c.today.year - 1)]


def _recent(values: list[tuple[int, str]], limit: int = 6) -> list[str]:
    """Distinct values, the newest year first."""
    out: list[str] = []
    for _, v in sorted(values, key=lambda p: -p[0]):
        if v and v not in out:
            out.append(v)
    return out[:limit]


def _session_choices(c: Ctx, st: FlowState) -> list[Choice]:
    kind = st.data.get("kind")
    sessions = _recent([(k.year, k.session) for k in c.store.cases() if k.kind == kind])
    return [Choice(s, s) for s in sessions]


async def _check_duplicate(c: Ctx, st: FlowState, session: str) -> bool:
    data = {**st.data, "session": session}
    existing = c.store.case_by_key(wf.register_key(data))
    if existing is None:
        return True
    await c.reply(c.t("new.duplicate", title=esc(_case_name(c, existing)), year=existing.year,
                      session=esc(existing.session or "—")))
    if decide(c.person, "view", existing):
        card, kb = render_card(c, existing, today_reader(c))
        await c.reply(card, kb)
    return False


def _case_name(c: Ctx, case: Case) -> str:
    from handlers.cards import case_title

    return case_title(case, c.lang)


def _role_choices(c: Ctx, st: FlowState) -> list[Choice]:
    return [Choice(r, c.t(f"role.{r}")) for r in ROLES]


def _set_role(st: FlowState, role: str) -> None:
    st.data["role"] = role
    if not wf.needs_lead_unit(role):
        st.data.pop("lead_unit", None)


def _lead_unit_choices(c: Ctx, st: FlowState) -> list[Choice]:
    units = _recent([(k.year, k.lead_unit) for k in c.store.cases()])
    return [Choice(u, u) for u in units]


def _division_choices(c: Ctx, st: FlowState) -> list[Choice]:
    return [Choice(d, d) for d in wf.assignable_divisions(c.person, c.store.people())]


def _set_division(st: FlowState, division: str) -> None:
    if st.data.get("division") != division:
        st.data.pop("handler", None)
    st.data["division"] = division


def handler_choices(c: Ctx, division: str) -> list[Choice]:
    """The people of ``division`` as buttons (unlinked ones marked: they get no message)."""
    people = wf.division_people(c.store.people(), division)
    return [Choice(p.name, p.name if p.linked else c.t("new.unlinked", name=p.name))
            for p in people]


def _default_deadline(c: Ctx, st: FlowState):
    rules = rules_of(c.store, int(st.data.get("year", c.today.year)))
    return wf.role_default_deadline(st.data["role"], int(st.data["year"]), c.today, rules)


def _deadline_prompt(c: Ctx, st: FlowState) -> str:
    default = _default_deadline(c, st)
    return c.t("new.ask.deadline", default=default.isoformat() if default else "—",
               role=c.t(f"role.{st.data['role']}"))


def _deadline_choices(c: Ctx, st: FlowState) -> list[Choice]:
    default = _default_deadline(c, st)
    return [Choice("", c.t("new.default_date", date=default.isoformat()))] if default else []


def _read_deadline(c: Ctx, st: FlowState, text: str) -> str:
    if text.strip().casefold() in wf.DEFAULT_WORDS:
        return ""
    day = wf.read_deadline(text, c.today, work_calendar(c.store), _default_deadline(c, st))
    return day.isoformat()


def _has_deadline(c: Ctx, st: FlowState) -> bool:
    return st.data.get("role") != "reference"


#: the fields of the summary, in order, that [修改…] offers
NEW_FIELDS = ("kind", "number", "year", "session", "title", "proposers", "role", "lead_unit",
              "division", "task", "handler", "deadline", "requirements")
#: answers that depend on another: changing the key clears them
_DEPENDENTS = {"division": ("handler",), "kind": ("session",)}


def _field_value(c: Ctx, st: FlowState, name: str) -> str:
    value = st.data.get(name, "")
    if name == "kind":
        return c.t(f"kind.{value}")
    if name == "role":
        return c.t(f"role.{value}")
    if name == "proposers":
        return shown("、".join(value))
    if name == "deadline":
        if st.data.get("role") == "reference":
            return c.t("new.no_deadline")
        if not value:
            default = _default_deadline(c, st)
            return c.t("new.deadline_default", date=default.isoformat() if default else "—")
        return value
    return shown(str(value))


def _shown_fields(c: Ctx, st: FlowState) -> list[str]:
    role = st.data.get("role", "")
    return [n for n in NEW_FIELDS if n != "lead_unit" or wf.needs_lead_unit(role)]


def _summary(c: Ctx, st: FlowState) -> str:
    lines = [c.t("new.summary")]
    lines += [f"{c.t(f'field.{n}')}:{_field_value(c, st, n)}" for n in _shown_fields(c, st)]
    return "\n".join(lines)


def _confirm_choices(c: Ctx, st: FlowState) -> list[Choice]:
    return [Choice("yes", c.t("new.btn.confirm")), Choice("edit", c.t("new.btn.edit")),
            Choice("cancel", c.t("new.btn.cancel"))]


def _confirm(st: FlowState, value: str) -> str | None:
    if value == "cancel":
        return "cancel"
    if value == "edit":
        st.data["_editing"] = True
    else:
        st.data["confirm"] = value
    return None


def _undo_confirm(st: FlowState) -> None:
    st.data.pop("_editing", None)
    st.data.pop("confirm", None)


def _edit_choices(c: Ctx, st: FlowState) -> list[Choice]:
    return [Choice(n, c.t(f"field.{n}")) for n in _shown_fields(c, st)]


def _edit(st: FlowState, name: str) -> None:
    st.data.pop("_editing", None)
    names = (name, *_DEPENDENTS.get(name, ()))
    st.data["_undo"] = {n: st.data.pop(n) for n in names if n in st.data}


def _undo_edit(st: FlowState) -> None:
    st.data.update(st.data.pop("_undo", {}))
    st.data["_editing"] = True


def _editing(c: Ctx, st: FlowState) -> bool:
    return bool(st.data.get("_editing"))


def _read(fn: Callable[[str], Any]) -> Callable[[Ctx, FlowState, str], Any]:
    return lambda c, st, text: fn(text)


NEW_FLOW = add_flow(Flow(
    name="new",
    title="new.title",
    asks=(
        Ask("kind", _prompt_key("new.ask.kind"), choices=_kind_choices),
        Ask("number", _prompt_key("new.ask.number"), read=_read(wf.read_number)),
        Ask("year", _prompt_key("new.ask.year"), choices=_year_choices,
            read=lambda c, st, text: wf.read_year(text, c.today)),
        Ask("session", _prompt_key("new.ask.session"), choices=_session_choices,
            read=_read(wf.read_session), check=_check_duplicate, per_row=1),
        Ask("title", _prompt_key("new.ask.title"), read=_read(wf.read_title)),
        Ask("proposers", _prompt_key("new.ask.proposers"), read=_read(wf.read_proposers)),
        Ask("role", _prompt_key("new.ask.role"), choices=_role_choices, apply=_set_role,
            per_row=3),
        Ask("lead_unit", _prompt_key("new.ask.lead_unit"), choices=_lead_unit_choices,
            read=_read(wf.read_lead_unit),
            when=lambda c, st: wf.needs_lead_unit(st.data.get("role", ""))),
        Ask("division", _prompt_key("new.ask.division"), choices=_division_choices,
            apply=_set_division),
        Ask("task", _prompt_key("new.ask.task"), read=_read(lambda s: wf.read_text(s, "task"))),
        Ask("handler", lambda c, st: c.t("new.ask.handler", division=esc(st.data["division"])),
            choices=lambda c, st: handler_choices(c, st.data["division"]), per_row=3),
        Ask("deadline", _deadline_prompt, choices=_deadline_choices, read=_read_deadline,
            when=_has_deadline, per_row=1),
        Ask("requirements", _prompt_key("new.ask.requirements"),
            read=_read(lambda s: wf.read_text(s, "requirements"))),
        Ask("edit", _prompt_key("new.ask.edit"), choices=_edit_choices, when=_editing,
            apply=_edit, undo=_undo_edit, per_row=3, page_size=len(NEW_FIELDS)),
        Ask("confirm", _summary, choices=_confirm_choices, apply=_confirm, undo=_undo_confirm,
            per_row=3),
    ),
    finish=lambda c, st: _register(c, st),
))


async def new_cmd(c: Ctx) -> object:
    if not wf.assignable_divisions(c.person, c.store.people()):
        await c.reply(c.t("new.no_divisions"))
        return None
    return await start_flow(c, "new")


async def _register(c: Ctx, st: FlowState) -> None:
    """[确认]: write the case, show it, tell its handler."""
    data = {k: v for k, v in st.data.items() if not k.startswith("_")}
    if data.get("division") not in wf.assignable_divisions(c.person, c.store.people()):
        raise wf.WorkflowError("wf.division_not_allowed", name=data.get("division", ""))
    case = wf.draft_case(data, c.today, rules_of(c.store, int(data["year"])))
    people = c.store.people()
    # the handler chosen among the division's people: theirs by identity
    link_handler(case, wf.division_people(people, case.division))
    try:
        case = c.store.add_case(case, c.who)
    except DuplicateCase as dup:
        await c.reply(esc(dup.render(c.lang)))
        if decide(c.person, "view", dup.existing):
            card, kb = render_card(c, dup.existing, today_reader(c))
            await c.reply(card, kb)
        return
    card, kb = render_card(c, case, today_reader(c))
    await c.reply(c.t("new.done") + "\n\n" + card, kb)
    handler = c.store.get_person(case.handler_id) if case.handler_id else None
    told = await notify(c, handler, lambda pc: pc.t(
        "new.notify", by=esc(c.who), deadline=case.deadline or pc.t("new.no_deadline")), case)
    if handler is not None and not handler.linked:
        await c.reply(c.t("new.handler_unlinked", name=esc(handler.name)))
    log.info("case %s registered by %s (handler told: %s)", case.id, c.who, told)


def register(app: Application) -> None:
    install(app, [("new", new_cmd, "register")])
