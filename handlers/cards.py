"""The case card: one case on one screen, with its clocks, consultations and last steps."""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import Application

from bot.domain import lifecycle, present, supervision
from bot.domain.model import Case, HistoryEvent, five_fixes_missing
from bot.domain.present import case_line, case_title, stage_label  # noqa: F401  (re-exported)
from bot.texts import t
from handlers.buttons import HistoryButton
from handlers.common import Ctx, app_state, btn, esc, keyboard

HISTORY_ON_CARD = 3


def add_card_lines(app: Application, lines: Callable[[Ctx, Case], list[str]]) -> None:
    """More lines on ``app``'s case cards (e.g. extension requests): ``f(c, case) -> lines``,
    shown in the order added (a feature module adds its own in its ``register(app)``)."""
    app.bot_data.card_lines.append(lines)


def add_card_buttons(app: Application,
                     rows: Callable[[Ctx, Case], list[list[InlineKeyboardButton]]]) -> None:
    """More rows of buttons under ``app``'s case cards (e.g. the update steps):
    ``f(c, case) -> rows``, in the order added, above [办理记录]."""
    app.bot_data.card_buttons.append(rows)


def clock_text(c: Ctx, case: Case, name: str, reader) -> str:
    """One clock as lifecycle sees it: done (on its day, or an unknown one), live (with its
    countdown), or not running (publishing before the answer, a follow-up no longer due)."""
    clock = case.clocks[name]
    label = t(f"clock.{name}", c.lang)
    due = clock.due or c.t("card.due_after_answer")
    on = lifecycle.done_on(case, name)
    if on is not None:
        return c.t("card.clock_met", clock=label, due=due, state=present.done_state(on, c.lang))
    if case.stage == "archived" or reader is None:
        return c.t("card.clock_open", clock=label, due=due, state="")
    if not lifecycle.is_live(case, name):
        key = "card.after_answer" if name == "publish" else "card.clock_closed"
        return c.t("card.clock_open", clock=label, due=due, state=c.t(key))
    st = reader.status(case, name, clock.due)
    state = present.clock_state(st.days_left, st.overdue_workdays, c.lang)
    if st.days_left <= 0:  # due today or overdue: in bold on the card
        state = f"<b>{state}</b>"
    if st.estimated:
        state += " " + c.t("card.estimated_mark")
    return c.t("card.clock_open", clock=label, due=clock.due, state=state)


value_text = present.history_value
field_label = present.history_field


def event_text(lang: str, ev: HistoryEvent) -> str:
    when = ev.at[:16].replace("T", " ")
    if ev.field == "created":
        what = t("history.created", lang)
    else:
        what = t("history.change", lang, field=esc(field_label(lang, ev.field)),
                 old=esc(value_text(lang, ev.field, ev.old)),
                 new=esc(value_text(lang, ev.field, ev.new)))
    note = f"({esc(ev.note)})" if ev.note else ""
    return f"{when} {esc(ev.who)} {what}{note}"


def render_card(c: Ctx, case: Case, reader=None) -> tuple[str, InlineKeyboardMarkup | None]:
    lang = c.lang
    lines = [f"<b>{case_title(case, lang)}</b> {esc(case.session or case.origin_session)}",
             f"《{esc(case.title)}》"]
    facts = [c.t("card.proposers", names=esc("、".join(case.proposers) or "—")),
             c.t("card.role", role=t(f"role.{case.role}", lang))]
    if case.lead_unit:
        facts.append(c.t("card.lead_unit", unit=esc(case.lead_unit)))
    lines.append(" · ".join(facts))
    if case.continuation:
        lines.append(c.t("card.continuation", session=esc(case.origin_session)))
    lines.append(c.t("card.stage", stage=stage_label(case, lang)))
    if reader is not None:  # 红黄绿灯 and 签收 (bot.domain.supervision)
        lines.extend(supervision.card_lines(case, card_lights(c, reader), lang))
    for more in app_state(c.context).card_lines:
        lines.extend(more(c, case))
    lines.append(c.t("card.fixes"))
    for fix in ("division", "task", "handler", "requirements"):
        lines.append(f" · {t(f'field.{fix}', lang)}:{esc(getattr(case, fix) or '—')}")
    missing = five_fixes_missing(case)
    if missing:
        lines.append(c.t("card.fixes_missing",
                         fixes="、".join(t(f"fix.{m}", lang) for m in missing)))
    if case.clocks:
        lines.append(c.t("card.clocks"))
        for name in sorted(case.clocks, key=lambda n: case.clocks[n].due or "9999"):
            lines.append(" · " + clock_text(c, case, name, reader))
    if case.first_reply_on:
        first = lifecycle.answered_on(case)
        lines.append(c.t("card.first_reply", on=first or present.undated(lang),
                         due=case.first_reply_due or "—"))
    if case.consultations:
        lines.append(c.t("card.consultations", n=len(case.consultations)))
        for con in case.consultations[-3:]:
            lines.append(f" · {con.on} {t(f'method.{con.method}', lang)} {esc(con.with_whom)}")
    elif case.role != "reference":
        lines.append(c.t("card.no_consultation"))
    if case.reply_class:
        lines.append(c.t("card.reply_class", value=t(f"reply_class.{case.reply_class}", lang)))
    if case.satisfaction:
        lines.append(c.t("card.satisfaction", value=t(f"satisfaction.{case.satisfaction}", lang)))
    events = c.store.history(case.id, limit=HISTORY_ON_CARD)
    if events:
        lines.append(c.t("card.recent"))
        lines.extend(" · " + event_text(lang, ev) for ev in events)
    rows: list[list[InlineKeyboardButton]] = []
    for extra in app_state(c.context).card_buttons:
        rows.extend(extra(c, case))
    rows.append([btn(c.context, c.t("card.btn_history"), HistoryButton(case.id, 0))])
    return "\n".join(lines), keyboard(rows)


def today_reader(c: Ctx):
    """A status reader for today, from the store's calendar and rules (None if unavailable)."""
    from data.views import status_reader

    return status_reader(c.store, c.today)



def card_lights(c: Ctx, reader) -> lifecycle.LightReader:
    """The traffic lights of the reader's day, with the store's calendar and rules."""
    from data.views import rules_of

    return lifecycle.LightReader(reader.today, reader.cal, lambda year: rules_of(c.store, year))
