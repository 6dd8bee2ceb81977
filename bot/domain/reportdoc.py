"""The annual report as a document (公文): what it says, section by section, from its figures.

The shape is the seed report (DOMAIN.md, "The annual summary"): a title, the 主送 line, an
opening sentence the office edits, the figures paragraph (:func:`render_paragraph`, word for
word), the continuation cases, then numbered sections with their figures: timeliness (a
table per kind), consultation before answering, reply classes, satisfaction, publishing;
a closing section left for the office to write; the department's name and the date.

Pure: figures and texts in, a :class:`ReportDocument` out. ``data.report_docx`` lays it out
as a Word file; nothing here knows about files or fonts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.domain.model import KINDS, REPLY_CLASSES, SATISFACTIONS
from bot.domain.report import (
    ReportFigures,
    TimelinessRow,
    consultation_sentence,
    opinions_sentence,
    published_sentence,
    render_continuation,
    render_paragraph,
)
from bot.texts import t

_ZH_ORDINALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Table:
    caption: str
    #: the first row holds the headings; cells are text
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...]
    tables: tuple[Table, ...] = ()


@dataclass(frozen=True)
class ReportDocument:
    title: str
    to: str                       # 主送 line, with its colon
    intro: str                    # the opening sentence (narrative: the office edits it)
    figures: tuple[str, ...]      # the figures paragraph and the continuation cases
    sections: tuple[Section, ...]
    signature: str                # the department's name
    date: str                     # 2020年9月11日
    lang: str = "zh"

    def text(self) -> str:
        """Every paragraph and cell, in order (for tests and search)."""
        parts = [self.title, self.to, self.intro, *self.figures]
        for s in self.sections:
            parts.append(s.heading)
            parts += s.paragraphs
            for table in s.tables:
                parts.append(table.caption)
                parts += ["\t".join(r) for r in table.rows]
        parts += [self.signature, self.date]
        return "\n".join(parts)


def ordinal(n: int, lang: str | None) -> str:
    """一, 二, ... for Chinese headings; 1, 2, ... in English."""
    if lang == "en" or n > len(_ZH_ORDINALS):
        return str(n)
    return _ZH_ORDINALS[n - 1]


def date_text(day: dt.date, lang: str | None) -> str:
    """2020年9月11日 / September 11, 2020."""
    return t("rdoc.date", lang, year=day.year, month=t(f"report.month.{day.month}", lang),
             day=day.day)


def _kind_rows(rows: list[TimelinessRow], lang: str | None) -> tuple[tuple[str, ...], ...]:
    head = tuple(t("report.table.timeliness.head", lang).split("|"))
    out = [head]
    total = [0] * 6
    for r in rows:
        label = (t("report.role_continuation", lang) if r.role == "continuation"
                 else t(f"role.{r.role}", lang))
        if r.applies:
            values = [r.total, r.on_time, r.late, r.undated, r.open, r.overdue]
            total = [a + b for a, b in zip(total, values, strict=True)]
            out.append((label, *map(str, values)))
        else:
            total[0] += r.total
            out.append((label, str(r.total), *["—"] * 5))
    out.append((t("rdoc.total", lang), *map(str, total)))
    return tuple(out)


def _timeliness_sentence(kind: str, rows: list[TimelinessRow], lang: str | None) -> str:
    due = [r for r in rows if r.applies]
    n = sum(r.total for r in due)
    if not n:
        return t("rdoc.timeliness_none", lang, kind=t(f"kind.{kind}", lang))
    sums = {key: sum(getattr(r, key) for r in due)
            for key in ("on_time", "late", "undated", "open", "overdue")}
    parts = [t("rdoc.timeliness.on_time", lang, n=sums["on_time"])]
    for key in ("late", "undated", "open"):
        if sums[key]:
            parts.append(t(f"rdoc.timeliness.{key}", lang, n=sums[key]))
    if sums["overdue"]:
        parts.append(t("rdoc.timeliness.overdue", lang, n=sums["overdue"]))
    cont = sum(r.total for r in due if r.role == "continuation")
    incl = t("rdoc.timeliness.incl", lang, n=cont) if cont else ""
    return t("rdoc.timeliness", lang, kind=t(f"kind.{kind}", lang), n=n, incl=incl,
             parts=t("rdoc.sep", lang).join(parts))


def _classes_sentence(fig: ReportFigures, lang: str | None) -> str:
    n = sum(fig.reply_classes.values())
    if not n:
        return t("rdoc.classes_none", lang)
    parts = [t("rdoc.class", lang, klass=k, n=fig.reply_classes.get(k, 0)) for k in REPLY_CLASSES]
    if fig.reply_classes.get("none"):
        parts.append(t("rdoc.class_none", lang, n=fig.reply_classes["none"]))
    return t("rdoc.classes", lang, n=n, parts=t("report.list_sep", lang).join(parts))


def _satisfaction_sentence(fig: ReportFigures, lang: str | None) -> str:
    n = sum(fig.satisfaction.values())
    if not n:
        return t("rdoc.classes_none", lang)
    parts = [t("rdoc.mood", lang, mood=t(f"satisfaction.{k}", lang), n=fig.satisfaction.get(k, 0))
             for k in SATISFACTIONS]
    if fig.satisfaction.get("none"):
        parts.append(t("rdoc.mood", lang, mood=t("report.none", lang), n=fig.satisfaction["none"]))
    return t("rdoc.satisfaction", lang, n=n, parts=t("report.list_sep", lang).join(parts))


def report_document(fig: ReportFigures, day: dt.date, lang: str | None = "zh", *,
                    to: str = "") -> ReportDocument:
    """The annual report of ``fig`` dated ``day``, addressed to ``to`` (a default when empty)."""
    unit = fig.unit or t("report.unit_default", lang)
    title = (t("rdoc.title", lang, unit=fig.unit, year=fig.year) if fig.unit
             else t("rdoc.title_no_unit", lang, year=fig.year))
    figures = tuple(s for s in (render_paragraph(fig, lang), render_continuation(fig, lang)) if s)

    sections: list[Section] = []

    def add(title_key: str, paragraphs: list[str], tables: tuple[Table, ...] = ()) -> None:
        heading = t("rdoc.heading", lang, n=ordinal(len(sections) + 1, lang),
                    title=t(title_key, lang))
        sections.append(Section(heading, tuple(p for p in paragraphs if p), tables))

    tables = []
    sentences = []
    for index, kind in enumerate(KINDS, start=1):
        rows = [r for r in fig.timeliness if r.kind == kind]
        sentences.append(_timeliness_sentence(kind, rows, lang))
        if rows:
            tables.append(Table(t("rdoc.table_caption", lang, n=index,
                                  kind=t(f"kind.{kind}", lang)), _kind_rows(rows, lang)))
    sentences.append(opinions_sentence(fig, lang))
    add("rdoc.section.timeliness", sentences, tuple(tables))
    c = fig.consultation
    add("rdoc.section.consultation",
        [consultation_sentence(fig, lang) or t("rdoc.consult_none", lang),
         t("rdoc.consult_figures", lang, n=c.answered, k=c.consulted_first,
           share=f"{100 * c.consulted_first / c.answered:.0f}" if c.answered else "—")])
    add("rdoc.section.classes", [_classes_sentence(fig, lang)])
    add("rdoc.section.satisfaction", [_satisfaction_sentence(fig, lang)])
    add("rdoc.section.published",
        [published_sentence(fig, lang) or t("rdoc.published_none", lang)])
    add("rdoc.section.next", [t("rdoc.next_placeholder", lang)])

    return ReportDocument(
        title=title,
        to=t("rdoc.to", lang, to=to or t("rdoc.to_default", lang)),
        intro=t("rdoc.intro", lang, unit=unit, year=fig.year),
        figures=figures,
        sections=tuple(sections),
        signature=fig.unit or t("rdoc.signature_default", lang),
        date=date_text(day, lang),
        lang=lang or "zh",
    )
