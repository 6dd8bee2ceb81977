"""The supervision answers as chat text (Telegram HTML), short lines for phones.

Pure rendering of :mod:`bot.domain.queries` results: every word comes from the catalogue
(``bot.texts.queries``, plus the domain labels of ``bot.texts.model``); every value from the
data is HTML-escaped. A case takes two lines: number, short title, handler; then the clock,
its state and the escalation level. Lists are rendered one :class:`~bot.domain.queries.Page`
at a time. Titles, stages, clock states, escaping and the 4096-character cut come from
:mod:`bot.domain.present`, shared with the card and the digests.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from bot.domain import present
from bot.domain.dates import OPEN_END
from bot.domain.intents import Intent
from bot.domain.model import STAGES, Case
from bot.domain.present import esc, fit, fmt_date, short_title, stage_label
from bot.domain.queries import (
    DueAnswer,
    Item,
    OverdueAnswer,
    OverduePage,
    Page,
    Progress,
    Summary,
    SummaryPage,
)
from bot.domain.status import ClockStatus
from bot.texts import t

#: items on one page of a list (two lines each, so a page stays one phone screen or two)
PER_PAGE = 10
def clock_state(s: ClockStatus, lang: str | None, today: dt.date | None = None) -> str:
    """超期5天(3个工作日) / 今天到期 / 还有3天(6月30日): the state, with the day when it
    is still ahead."""
    state = present.clock_state(s.days_left, s.overdue_workdays, lang)
    if s.days_left <= 0:
        return state
    return t("q.state_on", lang, state=state, due=fmt_date(s.due, lang, today))


def item_lines(item: Item, lang: str | None, today: dt.date | None = None, *,
               handler: bool = True) -> list[str]:
    """The two lines of one case: who and what, then where its clock stands."""
    case = item.case
    head = f"<b>{esc(case.number)}</b> {esc(short_title(case.title))}"
    if handler:
        head += f" · {esc(case.handler) if case.handler else t('q.no_handler', lang)}"
    s = item.status
    if s is None:
        state = f"{t('q.no_deadline', lang)} · {stage_label(case, lang)}"
    else:
        state = f"{t('clock.' + s.clock, lang)} {clock_state(s, lang, today)}"
        if s.level:
            state += f" · {t('q.level', lang, level=s.level)}"
        late_more = sum(1 for m in item.more if m.overdue)
        if late_more and s.overdue:
            state += f" · {t('q.more_clocks', lang, n=late_more)}"
        if s.estimated:
            state += t("q.estimated", lang)
    if item.light is not None:  # 红黄绿灯 (bot.domain.lifecycle.light)
        state = f"{item.light.mark} {state}"
    return [head, f"  {state}"]


def page_footer(page: Page, lang: str | None) -> list[str]:
    """``第2/5页,共48件`` when the list has more than one page."""
    if page.pages <= 1:
        return []
    return [t("q.page", lang, page=page.page, pages=page.pages, total=page.total)]


def _division_label(division: str, lang: str | None) -> str:
    return esc(division) if division else t("q.no_division", lang)


def grouped_lines(divisions: Sequence[str], page: Page[Item], lang: str | None,
                  today: dt.date | None = None) -> list[str]:
    """The page's items under a header for each division (``(续)`` when a division goes on
    from the previous page); ``divisions``: the whole list's, in order, for the counts."""
    counts = Counter(divisions)
    lines: list[str] = []
    current: str | None = None
    start = page.first_index
    for k, item in enumerate(page.items):
        division = item.case.division
        if division != current:
            current = division
            head = t("q.group_head", lang, division=_division_label(division, lang),
                     n=counts.get(division, 0))
            continued = start + k > 0 and divisions[start + k - 1] == division
            if continued:
                head += t("q.continued", lang)
            lines.append(f"▸ <b>{head}</b>")
        lines.extend(item_lines(item, lang, today))
    return lines


# ---------------------------------------------------------------- the answers


def nothing_overdue_text(answer: OverdueAnswer | OverduePage, lang: str | None,
                         today: dt.date | None = None) -> str:
    """无超期事项, and the next deadline coming up."""
    lines = [t("q.none_overdue", lang)]
    up = answer.upcoming
    if up is not None and up.status is not None:
        lines.append(t("q.next_due", lang, number=esc(up.case.number),
                       title=esc(short_title(up.case.title)),
                       clock=t("clock." + up.status.clock, lang),
                       state=clock_state(up.status, lang, today)))
    else:
        lines.append(t("q.nothing_open", lang))
    return "\n".join(lines)


def overdue_text(answer: OverdueAnswer, page: Page[Item], lang: str | None,
                 today: dt.date | None = None) -> str:
    """One page of the overdue answer, grouped by division."""
    if not answer.items:
        return nothing_overdue_text(answer, lang, today)
    lines = [t("q.overdue_head", lang, total=answer.total)]
    lines += grouped_lines([i.case.division for i in answer.items], page, lang, today)
    lines += page_footer(page, lang)
    return fit(lines)


def overdue_page_text(answer: OverduePage, lang: str | None,
                      today: dt.date | None = None) -> str:
    """:func:`overdue_text` of an answer built for its page only (``queries.overdue_page``)."""
    if not answer.total:
        return nothing_overdue_text(answer, lang, today)
    lines = [t("q.overdue_head", lang, total=answer.total)]
    lines += grouped_lines(answer.divisions, answer.page, lang, today)
    lines += page_footer(answer.page, lang)
    return fit(lines)


def due_text(answer: DueAnswer, page: Page[Item], lang: str | None,
             today: dt.date | None = None) -> str:
    start, end = fmt_date(answer.start, lang, today), fmt_date(answer.end, lang, today)
    open_end = answer.end >= OPEN_END  # "国庆节后", "10月9日以后": from that day on
    # one day is said once: "7月2日", never "7月2日至7月2日"
    one_day = answer.start == answer.end
    none_key = "sv.due_none_from" if open_end else "q.due_none_day" if one_day else "q.due_none"
    head_key = "sv.due_head_from" if open_end else "q.due_head_day" if one_day else "q.due_head"
    if not answer.items:
        return t(none_key, lang, start=start, end=end)
    lines = [t(head_key, lang, start=start, end=end, total=answer.total)]
    for item in page.items:
        lines += item_lines(item, lang, today)
    lines += page_footer(page, lang)
    return fit(lines)


def mine_text(page: Page[Item], lang: str | None, today: dt.date | None = None) -> str:
    if not page.total:
        return t("q.mine_none", lang)
    lines = [t("q.mine_head", lang, total=page.total)]
    for item in page.items:
        lines += item_lines(item, lang, today, handler=False)
    lines += page_footer(page, lang)
    return fit(lines)


def find_text(keyword: str, page: Page[Case], lang: str | None) -> str:
    if not keyword.strip():
        return t("q.find_usage", lang)
    if not page.total:
        return t("q.find_none", lang, keyword=esc(keyword))
    lines = [t("q.find_head", lang, keyword=esc(keyword), total=page.total)]
    for case in page.items:
        handler = esc(case.handler) if case.handler else t("q.no_handler", lang)
        lines.append(f"<b>{esc(case.number)}</b> {esc(short_title(case.title))} · {handler}")
        lines.append(f"  {t('role.' + case.role, lang)} · {stage_label(case, lang)}")
    lines += page_footer(page, lang)
    return fit(lines)


def summary_text(summary: Summary | SummaryPage, page: Page[Item], lang: str | None,
                 today: dt.date | None = None, *, handler: bool = True) -> str:
    """A division's or a person's counts, then their open cases (most urgent first)."""
    n_open, n_overdue, n_done = summary.counts
    name = esc(summary.name)
    if not (n_open or n_done):
        return t("q.summary_none", lang, name=name)
    lines = [t("q.summary_head", lang, name=name, open=n_open, overdue=n_overdue, done=n_done)]
    if page.items:
        lines.append(t("q.summary_open", lang))
        for item in page.items:
            lines += item_lines(item, lang, today, handler=handler)
    lines += page_footer(page, lang)
    return fit(lines)


def _share(done: int, of: int, lang: str | None) -> str:
    return f"{100 * done / of:.0f}%" if of else t("q.share_none", lang)


def progress_text(p: Progress, lang: str | None) -> str:
    """One short screen: totals, roles, stages, on time, consulted first, continuation."""
    year = t("q.progress_year", lang, year=p.year) if p.year else t("q.progress_all_years", lang)
    if not p.total:
        return t("q.progress_none", lang, year=year)
    lines = [t("q.progress_head", lang, year=year),
             t("q.progress_total", lang, total=p.total, open=p.open, overdue=p.overdue)]
    roles = [t("q.progress_part", lang, label=t("role." + r, lang), n=n)
             for r, n in sorted(p.by_role.items(), key=lambda kv: -kv[1])]
    lines.append(t("q.progress_roles", lang, parts=", ".join(roles) if lang == "en"
                   else "、".join(roles)))
    stages = [t("q.progress_part", lang, label=t("stage." + s, lang), n=p.by_stage[s])
              for s in STAGES if p.by_stage.get(s)]
    lines.append(t("q.progress_stages", lang, parts=", ".join(stages) if lang == "en"
                   else "、".join(stages)))
    lines.append(t("q.progress_on_time", lang, done=p.answered_on_time, of=p.answered_timed,
                   share=_share(p.answered_on_time, p.answered_timed, lang)))
    lines.append(t("q.progress_consulted", lang, done=p.consulted_before, of=p.answered,
                   share=_share(p.consulted_before, p.answered, lang)))
    lines.append(t("q.progress_continuation", lang, n=p.continuation_open))
    if p.unsigned:
        lines.append(t("sv.progress_unsigned", lang, n=p.unsigned, late=p.unsigned_late))
    if p.reviews_pending:
        lines.append(t("sv.progress_reviews", lang, n=p.reviews_pending, late=p.reviews_late))
    if p.notices.issued:
        n = p.notices
        lines.append(t("sv.progress_notices", lang, issued=n.issued, open=n.open,
                       overdue=n.overdue, on_time=n.on_time))
    if p.levels:
        parts = [t("q.progress_level_part", lang, level=lv, n=n)
                 for lv, n in sorted(p.levels.items(), reverse=True) if lv]
        if parts:
            lines.append(t("q.progress_levels", lang, parts=", ".join(parts) if lang == "en"
                           else "、".join(parts)))
    return fit(lines)


def help_text(lang: str | None) -> str:
    names = ("overdue", "due", "mine", "case", "find", "division", "person", "progress")
    return "\n".join([t("q.help_head", lang)] + [t(f"q.example.{n}", lang) for n in names]
                     + [t("sv.help", lang)])


def unknown_text(intent: Intent, lang: str | None) -> str:
    """The short help for a question not understood: the three likeliest commands."""
    lines = [t("q.unknown", lang)]
    text = str(intent.args.get("text", "")).strip()
    for name in intent.suggestions[:3]:
        if name == "find" and text and len(text) <= 20:
            lines.append(esc(t("q.example.find_text", lang, keyword=text)))
        else:
            lines.append(esc(t(f"q.example.{name}", lang)))
    return "\n".join(lines)


def case_button_label(case: Case, width: int = 12) -> str:
    """A drill-down button's label: number and a very short title (plain text, no HTML)."""
    return f"{case.number} {short_title(case.title, width)}"
