"""Supervision as offices practise it: the words for a case's traffic light and
its signing (签收), as the card and the lists show them.

Pure rendering: :mod:`bot.domain.lifecycle` decides the light and whether a case is signed;
this module only says it, in the reader's language (``bot.texts.supervision``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from bot.domain import lifecycle
from bot.domain.dates import OPEN_END
from bot.domain.lifecycle import Light, LightReader
from bot.domain.model import MET_UNKNOWN, Case, five_fixes_missing
from bot.domain.present import esc as _esc
from bot.domain.present import fit, fmt_date
from bot.domain.queries import Item, Page, by_urgency
from bot.domain.querytext import item_lines, page_footer
from bot.domain.rules import publish_due
from bot.domain.status import StatusReader
from bot.texts import t


def light_text(light: Light, lang: str | None) -> str:
    """``🟡 黄灯:答复时限 2020-07-03,只剩3个工作日(预警期5个工作日)``: the light in words."""
    clock = t(f"clock.{light.clock}", lang) if light.clock else ""
    return t(f"sv.light.{light.reason}", lang, clock=clock, due=light.due,
             workdays=light.workdays, window=light.window)


def sign_text(case: Case, lights: LightReader, lang: str | None) -> str | None:
    """The card's 签收 line: who signed and when, or that it is awaited (late or not);
    None when there is nothing to say (登记, or past 交办 with no signing recorded)."""
    if case.signed_at:
        if case.signed_at == MET_UNKNOWN:
            return t("sv.card.signed_unknown", lang)
        return t("sv.card.signed", lang, at=case.signed_at[:16].replace("T", " "),
                 who=_esc(case.signed_by))
    if not lifecycle.awaiting_signature(case):
        return None
    due = lights.sign_due(case)
    if due is None:
        return t("sv.card.unsigned", lang, due="—")
    key = "sv.card.unsigned_late" if lights.sign_late(case) else "sv.card.unsigned"
    return t(key, lang, due=due.isoformat())


def notice_lines(case: Case, today_iso: str, lang: str | None) -> list[str]:
    """The card's 督办单 section: each notice, open (waiting, or overdue) or answered."""
    if not case.notices:
        return []
    lines = [t("sv.card.notices", lang)]
    for k, n in enumerate(case.notices, 1):
        if n.open:
            late = lifecycle.notice_overdue(n, today_iso) and case.stage != "archived"
            state = t("sv.card.notice_overdue" if late else "sv.card.notice_waiting", lang)
            lines.append(" · " + t("sv.card.notice_open", lang, n=k, text=_esc(n.text),
                                   by=_esc(n.issued_by), due=n.due, state=state))
        else:
            when = "on_time" if lifecycle.notice_on_time(n) else "late"
            lines.append(" · " + t("sv.card.notice_answered", lang, n=k, text=_esc(n.text),
                                   by=_esc(n.issued_by), due=n.due,
                                   answered_by=_esc(n.answered_by), on=n.answered_on,
                                   answer=t(f"sv.answer.{n.answer}", lang),
                                   when=t(f"sv.when.{when}", lang), note=_esc(n.note)))
    return lines


def review_lines(case: Case, lights: LightReader, lang: str | None) -> list[str]:
    """The card's 审核 lines: the draft (cut short), each step of the round's chain (who
    approved when, who it waits for and since when), the last send-back and its reason."""
    lines = []
    if case.draft_text:
        text = case.draft_text if len(case.draft_text) <= 120 else case.draft_text[:119] + "…"
        lines.append(t("sv.card.draft", lang, text=_esc(text)))
    if not case.review_chain:
        return lines
    approvals = lifecycle.review_approvals(case)
    waiting = lifecycle.review_step(case)
    steps = []
    for k, position in enumerate(case.review_chain):
        label = t(f"sv.position.{position}", lang)
        if k < len(approvals):
            r = approvals[k]
            steps.append(t("sv.card.review_done", lang, position=label, who=_esc(r.by),
                           on=r.at[:10]))
        elif k == len(approvals) and waiting is not None:
            key = "sv.card.review_late" if lights.review_late(case) else "sv.card.review_waiting"
            steps.append(t(key, lang, position=label, since=case.review_since or "—"))
        else:
            steps.append(t("sv.card.review_todo", lang, position=label))
    if waiting is not None or case.stage in ("reviewed",) or approvals:
        lines.append(t("sv.card.review", lang, steps=" → ".join(steps)))
    returned = [r for r in case.reviews if r.decision == "returned"]
    if returned and waiting is None and case.stage != "reviewed":
        r = returned[-1]
        lines.append(t("sv.card.review_returned", lang, who=_esc(r.by),
                       position=t(f"sv.position.{r.position}", lang), on=r.at[:10],
                       reason=_esc(r.reason)))
    return lines


def card_lines(case: Case, lights: LightReader, lang: str | None) -> list[str]:
    """The light (with its reason), the signing line, the notices and the review of a
    case card."""
    lines = [light_text(lights.light(case), lang)]
    signed = sign_text(case, lights, lang)
    if signed:
        lines.append(signed)
    lines.extend(notice_lines(case, lights.today.isoformat(), lang))
    lines.extend(review_lines(case, lights, lang))
    return lines


# ---------------------------------------------------------------- the office's questions

def in_list(kind: str, case: Case) -> bool:
    """Whether ``case`` belongs on the supervision list ``kind`` (lifecycle decides)."""
    if kind == "unconsulted":
        return lifecycle.awaiting_consultation(case)
    if kind == "unfixed":
        return case.stage != "archived" and bool(five_fixes_missing(case))
    if kind == "unsigned":
        return lifecycle.awaiting_signature(case)
    if kind == "continuation":
        return lifecycle.is_continuation(case)
    if kind == "reviews":
        return lifecycle.review_pending(case)
    raise ValueError(f"unknown list {kind!r}")


def supervision_list(kind: str, cases: Iterable[Case], reader: StatusReader,
                     lights: LightReader, start: dt.date | None = None,
                     end: dt.date | None = None) -> tuple[Item, ...]:
    """The cases of list ``kind`` among ``cases`` (the asker's visible ones), most urgent
    first; with a period, those with a live clock due in it. Continuation cases that are
    done follow the open ones (the office asks how they all went)."""
    chosen = [c for c in cases if in_list(kind, c)]
    if start is not None and end is not None:
        lo, hi = start.isoformat(), end.isoformat()
        chosen = [c for c in chosen if any(lo <= d <= hi for _, d in lifecycle.iter_live(c))]
    items = [i._replace(light=lights.light(i.case)) for i in by_urgency(chosen, reader)]
    if kind == "continuation":
        done = sorted((c for c in chosen if not lifecycle.is_open(c)),
                      key=lambda c: (c.number, c.year))
        items += [Item(c, None, (), lights.light(c)) for c in done]
    return tuple(items)


def list_text(kind: str, items: tuple[Item, ...], page: Page[Item], lights: LightReader,
              lang: str | None, today: dt.date, start: dt.date | None = None,
              end: dt.date | None = None) -> str:
    """One page of a supervision list: a head line, two lines a case (three with what the
    list is about: the fixes missing, the signing day, the reviewer awaited)."""
    if not items:
        return t(f"sv.list_none.{kind}", lang)
    n_open = sum(1 for i in items if i.light is None or i.light.color != "done")
    head = t(f"sv.list.{kind}", lang, n=len(items), open=n_open)
    if start is not None and end is not None:
        if end >= OPEN_END:
            head += t("sv.list_period_from", lang, start=fmt_date(start, lang, today))
        else:
            head += t("sv.list_period", lang, start=fmt_date(start, lang, today),
                      end=fmt_date(end, lang, today))
    lines = [head]
    for item in page.items:
        lines += item_lines(item, lang, today)
        case = item.case
        if kind == "unfixed":
            lines.append(t("sv.list.missing", lang, fixes="、".join(
                t(f"fix.{m}", lang) for m in five_fixes_missing(case))))
        elif kind == "unsigned":
            due = lights.sign_due(case)
            if due is not None:
                late = t("sv.list.sign_late", lang) if lights.sign_late(case) else ""
                lines.append(t("sv.list.sign_due", lang, due=due.isoformat(), late=late))
        elif kind == "reviews":
            step = lifecycle.review_step(case)
            late = t("sv.list.sign_late", lang) if lights.review_late(case) else ""
            lines.append(t("sv.list.review_at", lang, position=t(f"sv.position.{step}", lang),
                           since=case.review_since or "—", late=late))
    lines += page_footer(page, lang)
    return fit(lines)


# ---------------------------------------------------------------- 时限怎么算


def workday_span(start: dt.date, end: dt.date, cal) -> tuple[int, list[tuple[dt.date, str]],
                                                              list[tuple[dt.date, str]]]:
    """The working days after ``start`` up to ``end``, the holidays skipped on the way (not
    ordinary weekends) and the weekend make-up working days (调休) counted."""
    skipped: list[tuple[dt.date, str]] = []
    made_up: list[tuple[dt.date, str]] = []
    day = start + dt.timedelta(days=1)
    while day <= end:
        work = cal.is_workday(day)
        name = cal.day_name(day)
        if not work and name:
            skipped.append((day, name))
        elif work and day.weekday() >= 5:
            made_up.append((day, name))
        day += dt.timedelta(days=1)
    return cal.workdays_between(start, end), skipped, made_up


def _days_text(days: list[tuple[dt.date, str]], lang: str | None) -> str:
    """``10月1日—10月8日(国庆节)、10月10日(国庆节调休上班)``: runs of days by name."""
    runs: list[list] = []
    for day, name in days:
        if runs and runs[-1][2] == name and (day - runs[-1][1]).days == 1:
            runs[-1][1] = day
        else:
            runs.append([day, day, name])
    parts = []
    for first, last, name in runs:
        span = fmt_date(first, lang) if first == last else \
            f"{fmt_date(first, lang)}—{fmt_date(last, lang)}"
        parts.append(f"{span}({_esc(name)})" if name else span)
    return t("remind.sep", lang).join(parts)


def deadline_lines(case: Case, cal, rules, lang: str | None) -> list[str]:
    """How each deadline of ``case`` was counted: the rule it came from (the year's date,
    months after assignment, working days after a day: which holidays were skipped and
    which make-up days counted), or that a person set it or an extension moved it."""
    lines = [t("sv.dl.head", lang)]
    for name, clock in sorted(case.clocks.items(), key=lambda kv: kv[1].due or "9999"):
        label = t(f"clock.{name}", lang)
        if not clock.due:
            lines.append(t("sv.dl.after_answer", lang, clock=label))
            continue
        if clock.source in ("set", "extension"):
            lines.append(t(f"sv.dl.{clock.source}", lang, clock=label, due=clock.due))
            continue
        due = dt.date.fromisoformat(clock.due)
        if name == "publish" and due != rules.publish_date(case.year):
            answered = lifecycle.answered_on(case)
            if answered:
                start = dt.date.fromisoformat(answered)
                lines += _workday_lines(label, start, due, rules.publish_workdays, cal, lang)
                continue
        if name == "reply" and case.assigned_on and not case.continuation:
            lines.append(t("sv.dl.months", lang, clock=label, due=clock.due,
                           start=case.assigned_on, n=rules.reply_months))
            continue
        lines.append(t("sv.dl.rule", lang, clock=label, due=clock.due))
    sign = lifecycle.sign_due(case, cal, rules)
    if sign is not None:
        lines += _workday_lines(t("clock.sign", lang), dt.date.fromisoformat(case.assigned_on),
                                sign, rules.sign_workdays, cal, lang)
    review = lifecycle.review_due(case, cal, rules)
    if review is not None:
        lines += _workday_lines(t("clock.review", lang),
                                dt.date.fromisoformat(case.review_since), review,
                                rules.review_workdays, cal, lang)
    for n in lifecycle.open_notices(case):
        lines.append(t("sv.dl.notice", lang, clock=t("clock.notice", lang), due=n.due,
                       by=_esc(n.issued_by)))
    if len(lines) == 1:
        lines.append(t("sv.dl.none", lang))
    return lines


def _workday_lines(label: str, start: dt.date, due: dt.date, n: int, cal,
                   lang: str | None) -> list[str]:
    count, skipped, made_up = workday_span(start, due, cal)
    out = [t("sv.dl.workdays", lang, clock=label, due=due.isoformat(), start=start.isoformat(),
             n=count)]
    if skipped:
        out.append(t("sv.dl.skipped", lang, days=_days_text(skipped, lang)))
    if made_up:
        out.append(t("sv.dl.made_up", lang, days=_days_text(made_up, lang)))
    if cal.is_estimated(start) or cal.is_estimated(due):
        out.append(t("sv.dl.estimated", lang))
    return out


# ---------------------------------------------------------------- the calendar changed


class DeadlineMove(NamedTuple):
    """A deadline counted in working days that a calendar change moved."""

    case_id: int
    clock: str
    old: str
    new: str
    handler: str


def workday_deadline_moves(cases: Iterable[Case], cal, rules_of_year) -> list[DeadlineMove]:
    """The stored deadlines counted in working days that ``cal`` (the new calendar) would
    put elsewhere: the publishing date of a case answered late (``publish_workdays`` after
    the answer), armed by the rules and not met yet. Set and extended dates stay.
    (签收 and 审核 days are computed when asked, so they follow the calendar by themselves.)"""
    out = []
    for case in cases:
        clock = case.clocks.get("publish")
        if clock is None or clock.source != "default" or not clock.due or clock.met:
            continue
        answered = lifecycle.answered_on(case)
        if not answered:
            continue
        due = publish_due(case, rules_of_year(case.year), dt.date.fromisoformat(answered), cal)
        if due is not None and due.isoformat() != clock.due:
            out.append(DeadlineMove(case.id, "publish", clock.due, due.isoformat(), case.handler))
    return out
