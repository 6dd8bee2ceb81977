"""Writing workbooks: the ledger export (cases, history, people) and the annual report.

The cases sheet follows the ledger contract (``LEDGER.md``) so that the file can be
imported again: Chinese headers, the case number as text (leading zeros), dates as real
Excel dates, unknown columns after the known ones. Every sheet has a frozen, bold header
and set column widths; overdue cases are highlighted. Text that a spreadsheet would run
as a formula (``=``, ``+``, ``-``, ``@``) is written with a leading ``'``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain import present
from bot.domain.lifecycle import is_overdue
from bot.domain.model import Case, Consultation, HistoryEvent, Person
from bot.domain.report import (
    ReportFigures,
    render_continuation,
    render_findings,
    render_paragraph,
    table_rows,
)
from bot.texts import has, t
from data.ledger_format import (
    CASE_COLUMNS,
    CASES_SHEET,
    FOLLOWUP_MET,
    HISTORY_SHEET,
    KIND_VALUES,
    METHOD_VALUES,
    NO,
    PEOPLE_COLUMNS,
    PEOPLE_SHEET,
    POSITION_VALUES,
    ROLE_VALUES,
    SATISFACTION_VALUES,
    YES,
    Column,
    escape_cell,
    stage_value,
)

DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
OVERDUE_FILL = PatternFill("solid", fgColor="FFC7CE")
WRAP = Alignment(wrap_text=True, vertical="top")
EXTRA_WIDTH = 14


def safe_text(value: Any) -> str:
    """A value as a cell's text: escaped against formulas, without XML-illegal characters."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = orjson.dumps(value).decode() if isinstance(value, (dict, list)) else str(value)
    return escape_cell(ILLEGAL_CHARACTERS_RE.sub("", value))


def _date(iso: str) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


def case_cells(case: Case) -> dict[str, Any]:
    """The ledger cells of a case, by field (dates as ``date``, the rest as text/ints).

    A date met on an unknown day (``MET_UNKNOWN``) is an empty cell."""
    main = case.main_clock
    return {
        "kind": KIND_VALUES[case.kind],
        "number": case.number,
        "year": case.year,
        "session": case.session,
        "title": case.title,
        "proposers": "、".join(case.proposers),
        "role": ROLE_VALUES[case.role],
        "lead_unit": case.lead_unit,
        "division": case.division,
        "task": case.task,
        "handler": case.handler,
        "deadline": _date(case.deadline),
        "requirements": case.requirements,
        "assigned_on": _date(case.assigned_on),
        "stage": stage_value(case.stage, case.role),
        "reply_class": case.reply_class,
        "satisfaction": SATISFACTION_VALUES.get(case.satisfaction, ""),
        "continuation": YES if case.continuation else NO,
        "origin_session": case.origin_session,
        "answered_on": _date(_met(case, case.main_clock)) if main != "opinion" else None,
        "opinion_on": _date(_met(case, case.main_clock)) if main == "opinion" else None,
        "published_on": _date(_met(case, "publish")),
        "consultations": "\n".join(consultation_text(c) for c in case.consultations),
        "followup_due": followup_cell(case),
    }


def followup_cell(case: Case) -> dt.date | str | None:
    """续办时限 of a case that is not itself a continuation (whose follow-up is its 办理时限):
    the due date while open; "2020-12-31 已续复 2020-11-20" once answered again (no date
    when the day is unknown)."""
    clock = case.clocks.get("followup")
    if case.continuation or clock is None or not clock.due:
        return None
    if not clock.met:
        return _date(clock.due)
    return f"{clock.due} {FOLLOWUP_MET} {clock.met_on}".rstrip()


def consultation_text(c: Consultation) -> str:
    """One line of the 协商记录 cell (a note's line breaks become spaces)."""
    text = f"{c.on} {METHOD_VALUES[c.method]} {c.with_whom}"
    if c.by or c.note:
        text += f" | {c.by}"
    if c.note:
        text += " | " + " ".join(c.note.split())
    return text


def _met(case: Case, clock: str | None) -> str:
    """The day a clock was met for the ledger: "" when open or done on an unknown day."""
    found = case.clocks.get(clock) if clock else None
    return found.met_on if found else ""


def overdue(case: Case, today: dt.date) -> bool:
    """The ledger's overdue flag: lifecycle's (a live clock past its due date)."""
    return is_overdue(case, today.isoformat())


class SheetWriter:
    """Rows into a write-only (streamed) worksheet with the house style: bold frozen
    header, column widths, date and text formats, an optional fill per row."""

    def __init__(self, ws: Worksheet, headers: Sequence[str], widths: Sequence[int],
                 *, dates: Iterable[int] = (), texts: Iterable[int] = ()) -> None:
        self.ws = ws
        self.dates = set(dates)
        self.texts = set(texts)
        self.width = len(headers)
        self.rows = 1
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A2"
        ws.append([self._cell(safe_text(h), font=HEADER_FONT, fill=HEADER_FILL)
                   for h in headers])

    def _cell(self, value: Any, *, font: Font | None = None, fill: PatternFill | None = None,
              number_format: str | None = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value)
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if number_format is not None:
            cell.number_format = number_format
        return cell

    def row(self, values: Sequence[Any], *, fill: PatternFill | None = None) -> None:
        cells: list[Any] = []
        for index, v in enumerate(values):
            value = (v if isinstance(v, (int, float, dt.date)) and not isinstance(v, bool)
                     else safe_text(v))
            number_format = (DATE_FORMAT if index in self.dates and value != "" else
                             TEXT_FORMAT if index in self.texts else None)
            if fill is None and number_format is None:
                cells.append(value if value != "" else None)
            else:
                cells.append(self._cell(value if value != "" else None, fill=fill,
                                        number_format=number_format))
        self.ws.append(cells)
        self.rows += 1

    def finish(self) -> None:
        if self.rows > 1:
            self.ws.auto_filter.ref = f"A1:{get_column_letter(self.width)}{self.rows}"


def write_cases_sheet(ws: Worksheet, cases: Sequence[Case], today: dt.date) -> None:
    extra: dict[str, None] = {}
    known = {c.header for c in CASE_COLUMNS}
    for case in cases:
        for header in case.extra:
            if header not in known:
                extra.setdefault(header, None)
    columns: list[Column] = list(CASE_COLUMNS)
    headers = [c.header for c in columns] + list(extra)
    widths = [c.width for c in columns] + [EXTRA_WIDTH] * len(extra)
    writer = SheetWriter(ws, headers, widths,
                         dates=[i for i, c in enumerate(columns) if c.date],
                         texts=[i for i, c in enumerate(columns) if c.field == "number"])
    for case in cases:
        cells = case_cells(case)
        values = [cells[c.field] for c in columns] + [case.extra.get(h, "") for h in extra]
        writer.row(values, fill=OVERDUE_FILL if overdue(case, today) else None)
    writer.finish()


def _field_label(name: str) -> str:
    """The field in words, as the card's history says it (答复时限, 承办人, 状态)."""
    label = present.history_field("zh", name)
    if label == name and has(f"ledger.field.{name}"):
        return t(f"ledger.field.{name}", "zh")
    return label


def write_history_sheet(ws: Worksheet, cases: Sequence[Case],
                        history: Mapping[int, Sequence[HistoryEvent]]) -> int:
    headers = t("ledger.sheet.history.header", "zh").split("|")
    writer = SheetWriter(ws, headers, [6, 8, 22, 26, 10, 14, 30, 30, 24],
                         texts=[1])
    count = 0
    for case in cases:
        for ev in history.get(case.id, ()):
            writer.row([KIND_VALUES[case.kind], case.number, case.origin_session or case.session,
                        ev.at, ev.who, _field_label(ev.field),
                        present.history_value("zh", ev.field, ev.old),
                        present.history_value("zh", ev.field, ev.new), ev.note])
            count += 1
    writer.finish()
    return count


def person_cells(person: Person) -> dict[str, Any]:
    if person.telegram is not None:
        telegram = str(person.telegram)
    else:
        telegram = f"@{person.username}" if person.username else ""
    return {
        "name": person.name,
        "position": POSITION_VALUES[person.position],
        "division": person.division,
        "leads_divisions": "、".join(person.leads_divisions),
        "telegram": telegram,
    }


def write_people_sheet(ws: Worksheet, people: Sequence[Person]) -> None:
    writer = SheetWriter(ws, [c.header for c in PEOPLE_COLUMNS], [c.width for c in PEOPLE_COLUMNS],
                         texts=[len(PEOPLE_COLUMNS) - 1])
    for person in people:
        cells = person_cells(person)
        writer.row([cells[c.field] for c in PEOPLE_COLUMNS])
    writer.finish()


def ledger_workbook(cases: Sequence[Case], *, today: dt.date,
                    history: Mapping[int, Sequence[HistoryEvent]] | None = None,
                    people: Sequence[Person] | None = None) -> bytes:
    """The ledger as an .xlsx: the cases sheet, then history and people when given."""
    book = Workbook(write_only=True)
    write_cases_sheet(book.create_sheet(CASES_SHEET), cases, today)
    if history is not None:
        write_history_sheet(book.create_sheet(HISTORY_SHEET), cases, history)
    if people is not None:
        write_people_sheet(book.create_sheet(PEOPLE_SHEET), people)
    return to_bytes(book)


def people_workbook(people: Sequence[Person]) -> bytes:
    book = Workbook(write_only=True)
    write_people_sheet(book.create_sheet(PEOPLE_SHEET), people)
    return to_bytes(book)


def report_xlsx(fig: ReportFigures, lang: str | None = "zh", chart: bytes | None = None
                ) -> bytes:
    """The annual report as an .xlsx the office can paste from: the paragraph and sentences
    on top, then each table with its headings; ``chart`` (PNG bytes, ``data.charts``)
    is placed right of the text."""
    book = Workbook()
    ws = book.active
    ws.title = t("report.sheet", lang)
    width = 7
    ws.column_dimensions["A"].width = 26
    for index in range(2, width + 1):
        ws.column_dimensions[get_column_letter(index)].width = 16
    ws.append([safe_text(t("report.title", lang, year=fig.year))])
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    sentences = [render_paragraph(fig, lang), render_continuation(fig, lang),
                 *render_findings(fig, lang)]
    for text in filter(None, sentences):
        ws.append([safe_text(text)])
        number = ws.max_row
        ws.merge_cells(start_row=number, start_column=1, end_row=number, end_column=width)
        ws.cell(row=number, column=1).alignment = WRAP
        ws.row_dimensions[number].height = 15 * (1 + len(text) // 60)
    for title, rows in table_rows(fig, lang):
        ws.append([])
        ws.append([safe_text(title)])
        ws.cell(row=ws.max_row, column=1).font = HEADER_FONT
        for i, values in enumerate(rows):
            ws.append([v if isinstance(v, int) else safe_text(v) for v in values])
            if i == 0:
                for index in range(1, len(values) + 1):
                    cell = ws.cell(row=ws.max_row, column=index)
                    cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    if chart:
        from openpyxl.drawing.image import Image

        ws.add_image(Image(io.BytesIO(chart)), f"{get_column_letter(width + 2)}1")
    return to_bytes(book)


def to_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
