"""The annual summary (年度办理工作总结): its figures, computed from the cases of a year.

The shape is the seed report's second paragraph (DOMAIN.md, "The annual summary")::

    2020年,省投资促进局承办省十三届人大三次会议人大代表建议8件(含2件工作参考),其中:主(独)办1件,
    协办5件;承办省政协十二届三次会议政协提案13件,其中:主(分)办0件,会办13件。

followed by the continuation cases closed in the year (续办续复), and a table: answered on
time / late / open by kind and role, consultation before answering (件件先协商), reply
classes, satisfaction, publishing, and when the co-handling opinions were all in.

Counting rules (each a decision):

- the year's own cases are the cases of ``year`` that are not continuations; continuation
  cases (B-class replies of earlier sessions, followed up this year) are counted apart;
- 主(独)办 / 主(分)办 counts lead, sole and split cases; 协办 / 会办 counts co and joint ones;
  工作参考 cases are in the kind's total and named in brackets;
- on time / late / undated / open / overdue, answered, consulted first, published: each is
  :mod:`bot.domain.lifecycle`'s decision (a case reopened by 不满意 is judged on its first
  reply; a stage at or past 已答复 without a date is answered on an unknown day);
- reply classes and satisfaction are those of the year's own reply cases (lead/sole/split);
- "consulted first": an answered case with a consultation on or before its answer date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.domain import lifecycle
from bot.domain.model import (
    KINDS,
    OPINION_ROLES,
    REPLY_CLASSES,
    REPLY_ROLES,
    ROLES,
    SATISFACTIONS,
    Case,
    ValidationError,
    _text,
)
from bot.texts import t

#: roles counted as 主办 (lead side) and as 协办/会办 (co-handling side)
LEAD_SIDE = ("lead", "sole", "split")
CO_SIDE = OPINION_ROLES


@dataclass
class KindFigures:
    """The year's own cases of one kind (建议 or 提案)."""

    kind: str
    sessions: list[str]
    total: int = 0
    reference: int = 0
    lead: int = 0          # lead + sole + split
    co: int = 0            # co + joint
    by_role: dict[str, int] = field(default_factory=dict)


@dataclass
class TimelinessRow:
    """Answered on time / late / open for one kind and role (role "continuation": 续办)."""

    kind: str
    role: str
    total: int = 0
    on_time: int = 0
    late: int = 0
    undated: int = 0
    open: int = 0
    overdue: int = 0
    #: False for work-reference cases: they need no answer
    applies: bool = True


@dataclass
class ContinuationGroup:
    """Continuation cases of one origin session, kind and role, answered this year."""

    session: str
    kind: str
    role: str
    numbers: list[str]


@dataclass
class ConsultationFigures:
    answered: int = 0
    consulted_first: int = 0
    #: numbers of answered cases without a consultation before the answer
    not_first: list[str] = field(default_factory=list)

    @property
    def all_first(self) -> bool:
        return self.answered > 0 and self.consulted_first == self.answered


@dataclass
class PublishFigures:
    due: int = 0             # cases whose result must be published (a publish clock)
    published: int = 0
    dates: list[str] = field(default_factory=list)


@dataclass
class OpinionFigures:
    """The co-handling opinions (会(协)办意见) of the year's co/joint cases."""

    total: int = 0
    submitted: int = 0
    on_time: int = 0
    due_dates: list[str] = field(default_factory=list)
    last: str = ""           # the date the last one went in

    @property
    def all_in(self) -> bool:
        return self.total > 0 and self.submitted == self.total

    @property
    def month_all_in(self) -> int | None:
        """The month in which the opinions were all in (None while one is missing)."""
        return int(self.last[5:7]) if self.all_in and self.last else None


@dataclass
class ReportFigures:
    year: int
    unit: str = ""
    kinds: dict[str, KindFigures] = field(default_factory=dict)
    continuation: list[ContinuationGroup] = field(default_factory=list)
    continuation_open: list[str] = field(default_factory=list)
    timeliness: list[TimelinessRow] = field(default_factory=list)
    consultation: ConsultationFigures = field(default_factory=ConsultationFigures)
    reply_classes: dict[str, int] = field(default_factory=dict)
    satisfaction: dict[str, int] = field(default_factory=dict)
    published: PublishFigures = field(default_factory=PublishFigures)
    opinions: OpinionFigures = field(default_factory=OpinionFigures)
    #: 督办单 on the year's cases: issued, answered, answered on time, open, overdue
    notices: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(k.total for k in self.kinds.values())

    @property
    def continuation_closed(self) -> int:
        return sum(len(g.numbers) for g in self.continuation)

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready numbers (``--json``)."""
        data = asdict(self)
        data["total"] = self.total
        data["continuation_closed"] = self.continuation_closed
        data["consultation"]["all_first"] = self.consultation.all_first
        data["opinions"]["all_in"] = self.opinions.all_in
        data["opinions"]["month_all_in"] = self.opinions.month_all_in
        for row in data["timeliness"]:
            if not row["applies"]:
                for key in ("on_time", "late", "undated", "open", "overdue"):
                    row[key] = None
        return data


# ---------------------------------------------------------------- computing


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}


def _cn_number(text: str) -> int:
    """十三 -> 13, 二十 -> 20, 三 -> 3, 13 -> 13."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(units, 0)
                                                                  if units else 0)
    return _CN_DIGITS.get(text, 0)


def session_order(session: str) -> tuple[tuple[int, ...], str]:
    """Sessions in their real order: 省十三届人大二次会议 before 省十三届人大三次会议."""
    numbers = tuple(_cn_number(m) for m in re.findall(r"[0-9]+|[零〇一二两三四五六七八九十]+",
                                                      session))
    return numbers, session


#: the department's name: 2 to 40 characters on one line
UNIT_MIN, UNIT_MAX = 2, 40


def read_unit(text: str) -> str:
    """The department's name as typed for /unit, cleaned (one line, no control characters);
    ValidationError when empty, too short or too long."""
    value = _text(text, "unit", UNIT_MAX, required=True)
    if len(value) < UNIT_MIN:
        raise ValidationError("unit.too_short", value=value)
    return value


def report_figures(cases: Iterable[Case], year: int, *, unit: str = "",
                   today: dt.date | None = None) -> ReportFigures:
    """The annual report's figures for ``year`` from ``cases`` (any years; others ignored).

    ``unit``: the department's name as the report writes it ("省投资促进局"); ``today``:
    for the overdue count of open cases (leave None for a closed year).
    """
    of_year = [c for c in cases if c.year == year]
    own = [c for c in of_year if not c.continuation]
    followups = [c for c in of_year if c.continuation]
    fig = ReportFigures(year=year, unit=unit)

    for kind in KINDS:
        mine = [c for c in own if c.kind == kind]
        roles = Counter(c.role for c in mine)
        sessions = sorted({c.session for c in mine if c.session}, key=session_order)
        fig.kinds[kind] = KindFigures(
            kind=kind, sessions=sessions, total=len(mine), reference=roles["reference"],
            lead=sum(roles[r] for r in LEAD_SIDE), co=sum(roles[r] for r in CO_SIDE),
            by_role={r: roles[r] for r in ROLES if roles[r]})

    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for case in sorted(followups, key=lambda c: c.number.zfill(8)):
        if lifecycle.answered(case):
            groups[(case.origin_session, case.kind, case.role)].append(case.number)
        else:
            fig.continuation_open.append(case.number)
    fig.continuation = [ContinuationGroup(s, k, r, numbers) for (s, k, r), numbers in
                        sorted(groups.items(), key=lambda item: (session_order(item[0][0]),
                                                                 KINDS.index(item[0][1])))]

    rows: dict[tuple[str, str], TimelinessRow] = {}
    for case in sorted(own + followups, key=lambda c: (KINDS.index(c.kind), c.continuation,
                                                        ROLES.index(c.role))):
        role = "continuation" if case.continuation else case.role
        row = rows.setdefault((case.kind, role), TimelinessRow(
            case.kind, role, applies=case.main_clock is not None))
        row.total += 1
        if case.main_clock is None:
            continue
        state = lifecycle.timeliness(case, today.isoformat() if today else None)
        if state == "overdue":
            row.open += 1
            row.overdue += 1
        else:
            setattr(row, state, getattr(row, state) + 1)
    fig.timeliness = list(rows.values())

    for case in own + followups:
        if case.main_clock is None or not lifecycle.answered(case):
            continue
        fig.consultation.answered += 1
        if lifecycle.consulted_first(case):
            fig.consultation.consulted_first += 1
        else:
            fig.consultation.not_first.append(case.number)

    replies = [c for c in own if c.role in REPLY_ROLES]
    classes = Counter(c.reply_class for c in replies)
    fig.reply_classes = {k: classes[k] for k in REPLY_CLASSES}
    fig.reply_classes["none"] = classes[""]
    moods = Counter(c.satisfaction for c in replies)
    fig.satisfaction = {k: moods[k] for k in SATISFACTIONS}
    fig.satisfaction["none"] = moods[""]

    for case in own:
        clock = case.clocks.get("publish")
        if clock is None:
            continue
        fig.published.due += 1
        on = lifecycle.done_on(case, "publish")
        if on is not None:
            fig.published.published += 1
            if on:
                fig.published.dates.append(on)
    fig.published.dates.sort()

    opinions = fig.opinions
    for case in own:
        if case.role not in CO_SIDE:
            continue
        opinions.total += 1
        clock = case.clocks.get("opinion")
        if clock is not None and clock.due and clock.due not in opinions.due_dates:
            opinions.due_dates.append(clock.due)
        state = lifecycle.timeliness(case)
        if state in ("on_time", "late", "undated"):
            opinions.submitted += 1
        if state == "on_time":
            opinions.on_time += 1
        on = lifecycle.done_on(case, "opinion")
        if on and on > opinions.last:
            opinions.last = on
    opinions.due_dates.sort()
    fig.notices = lifecycle.notice_counts(of_year, today.isoformat() if today else None)._asdict()
    return fig


# ---------------------------------------------------------------- wording


def month_label(month: int, lang: str | None) -> str:
    return t(f"report.month.{month}", lang)


def _md(iso: str, lang: str | None) -> str:
    day = dt.date.fromisoformat(iso)
    return t("report.month_day", lang, month=month_label(day.month, lang), day=day.day)


def _month_part(iso: str, lang: str | None) -> str:
    """7月中旬 / in mid-July."""
    day = dt.date.fromisoformat(iso)
    part = "early" if day.day <= 10 else ("mid" if day.day <= 20 else "late")
    return t(f"report.month_part.{part}", lang, month=month_label(day.month, lang))


def _sessions(names: list[str], lang: str | None) -> str:
    if not names:
        return ""
    return t("report.of_sessions", lang, sessions=t("report.list_sep", lang).join(names))


def render_paragraph(fig: ReportFigures, lang: str | None = "zh") -> str:
    """The report's opening figures paragraph, in its own wording."""
    unit = fig.unit or t("report.unit_default", lang)
    parts = []
    for kind in KINDS:
        k = fig.kinds.get(kind) or KindFigures(kind, [])
        reference = (t("report.incl_reference", lang, n=k.reference) if k.reference else "")
        parts.append(t(f"report.kind_clause.{kind}", lang, sessions=_sessions(k.sessions, lang),
                       n=k.total, reference=reference, lead=k.lead, co=k.co))
    return t("report.paragraph", lang, year=fig.year, unit=unit,
             suggestions=parts[0], proposals=parts[1])


def render_continuation(fig: ReportFigures, lang: str | None = "zh") -> str:
    """The continuation cases closed in the year, by number and origin session ("" if none)."""
    if not fig.continuation and not fig.continuation_open:
        return ""
    groups = []
    for g in fig.continuation:
        numbers = t("report.list_sep", lang).join(
            t("report.number", lang, number=n) for n in g.numbers)
        count = t("report.count_suffix", lang, n=len(g.numbers)) if len(g.numbers) > 1 else ""
        groups.append(t("report.continuation_group", lang, session=g.session,
                        kind=t(f"kind.{g.kind}", lang), role=t(f"role.{g.role}", lang),
                        numbers=numbers, count=count))
    text = ""
    if groups:
        text = t("report.continuation", lang, groups=t("report.group_sep", lang).join(groups))
    if fig.continuation_open:
        text += t("report.continuation_open", lang, n=len(fig.continuation_open),
                  numbers=t("report.list_sep", lang).join(
                      t("report.number", lang, number=n) for n in fig.continuation_open))
    return text


def _role_label(kind: str, role: str, lang: str | None) -> str:
    if role == "continuation":
        return t("report.row", lang, kind=t(f"kind.{kind}", lang),
                 role=t("report.role_continuation", lang))
    return t("report.row", lang, kind=t(f"kind.{kind}", lang), role=t(f"role.{role}", lang))


def table_rows(fig: ReportFigures, lang: str | None = "zh") -> list[tuple[str, list[list[Any]]]]:
    """The report's table as sections of rows (first row: the headings), for text and xlsx."""
    sections: list[tuple[str, list[list[Any]]]] = []
    head = t("report.table.timeliness.head", lang).split("|")
    rows: list[list[Any]] = [head]
    for r in fig.timeliness:
        if r.applies:
            rows.append([_role_label(r.kind, r.role, lang), r.total, r.on_time, r.late,
                         r.undated, r.open, r.overdue])
        else:
            rows.append([_role_label(r.kind, r.role, lang), r.total] + ["—"] * 5)
    sections.append((t("report.table.timeliness", lang), rows))

    c = fig.consultation
    rows = [t("report.table.consultation.head", lang).split("|"),
            [c.answered, c.consulted_first,
             t("report.list_sep", lang).join(c.not_first) or "—"]]
    sections.append((t("report.table.consultation", lang), rows))

    rows = [t("report.table.classes.head", lang).split("|"),
            [fig.reply_classes.get(k, 0) for k in (*REPLY_CLASSES, "none")]]
    sections.append((t("report.table.classes", lang), rows))

    rows = [[t(f"satisfaction.{k}", lang) for k in SATISFACTIONS] + [t("report.none", lang)],
            [fig.satisfaction.get(k, 0) for k in (*SATISFACTIONS, "none")]]
    sections.append((t("report.table.satisfaction", lang), rows))

    p = fig.published
    rows = [t("report.table.published.head", lang).split("|"),
            [p.due, p.published, t("report.list_sep", lang).join(p.dates) or "—"]]
    sections.append((t("report.table.published", lang), rows))

    o = fig.opinions
    month = o.month_all_in
    rows = [t("report.table.opinions.head", lang).split("|"),
            [o.total, o.submitted, o.on_time, o.last or "—",
             month_label(month, lang) if month else "—"]]
    sections.append((t("report.table.opinions", lang), rows))
    return sections


def consultation_sentence(fig: ReportFigures, lang: str | None = "zh") -> str:
    """件件先协商: all answered cases consulted first, or how many were ("" if none answered)."""
    c = fig.consultation
    if c.all_first:
        return t("report.consult_all", lang, n=c.answered)
    if c.answered:
        return t("report.consult_some", lang, n=c.answered, k=c.consulted_first,
                 numbers=t("report.list_sep", lang).join(c.not_first))
    return ""


def published_sentence(fig: ReportFigures, lang: str | None = "zh") -> str:
    """When the results were published ("" when none had to be)."""
    p = fig.published
    if not p.due:
        return ""
    if p.published == p.due and p.dates:
        return t("report.published_all", lang, n=p.published, when=_month_part(p.dates[-1], lang))
    return t("report.published_some", lang, due=p.due, n=p.published)


def opinions_sentence(fig: ReportFigures, lang: str | None = "zh") -> str:
    """The co-handling opinions sent ("" when the year has no co/joint case)."""
    o = fig.opinions
    if not o.total:
        return ""
    if o.all_in and o.on_time == o.total and len(o.due_dates) == 1:
        return t("report.opinions_on_time", lang, n=o.total, due=_md(o.due_dates[0], lang))
    return t("report.opinions_some", lang, n=o.total, submitted=o.submitted, on_time=o.on_time)


def render_findings(fig: ReportFigures, lang: str | None = "zh") -> list[str]:
    """The report's other sentences: consultation, publishing, opinions (those that apply)."""
    return [s for s in (consultation_sentence(fig, lang), published_sentence(fig, lang),
                        opinions_sentence(fig, lang), notices_sentence(fig, lang)) if s]


def notices_sentence(fig: ReportFigures, lang: str | None = "zh") -> str:
    """The 督办单 issued and answered ("" when none was issued)."""
    n = fig.notices
    if not n.get("issued"):
        return ""
    return t("sv.report_notices", lang, issued=n["issued"], answered=n["answered"],
             on_time=n["on_time"])


def render_report_text(fig: ReportFigures, lang: str | None = "zh", *, table: bool = True
                       ) -> str:
    """The whole report as text: paragraph, continuation, findings, then the table."""
    lines = [render_paragraph(fig, lang)]
    continuation = render_continuation(fig, lang)
    if continuation:
        lines.append(continuation)
    lines += render_findings(fig, lang)
    if table:
        for title, rows in table_rows(fig, lang):
            lines.append("")
            lines.append(t("report.section", lang, title=title))
            lines += [" | ".join(str(v) for v in r) for r in rows]
    return "\n".join(lines)
