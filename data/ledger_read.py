"""Reading a ledger file (xlsx or csv) and checking its rows, before anything is written.

Two layers, both free of the store:

- :func:`read_sheet` turns the bytes of an ``.xlsx`` (first sheet, or a named one) or a
  ``.csv`` (UTF-8, with or without BOM) into a :class:`Sheet`: headers and non-empty rows,
  each with its spreadsheet row number. A file it cannot read raises
  :class:`LedgerFileError` (corrupt, wrong encoding, too big), never a traceback.
- :func:`parse_cases` and :func:`parse_people` check every row and give the
  :class:`Case`/:class:`Person` objects of the good rows and a :class:`Problem` (row,
  column, message) for every fault of the bad ones.

Row numbers are the spreadsheet's (the header is row 1 unless the sheet has a title above it).
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import functools
import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from bot.domain.dates import parse_date
from bot.domain.ledgerrules import mark_met_unknown, row_warnings
from bot.domain.model import (
    MET_UNKNOWN,
    OPINION_ROLES,
    Case,
    Clock,
    Consultation,
    Person,
    ValidationError,
    case_key,
    check_date,
    five_fixes_missing,
    normalize_number,
    split_names,
)
from bot.domain.people import AmbiguousName, name_key, people_by_name, resolve_person
from bot.domain.rules import Rules, arm_clocks, default_deadline, rules_for
from bot.domain.text import clean_text
from bot.texts import t
from data.ledger_format import (
    BOOL_LOOKUP,
    CASE_COLUMNS,
    FOLLOWUP_MET,
    KIND_LOOKUP,
    KIND_VALUES,
    METHOD_LOOKUP,
    NO,
    PEOPLE_COLUMNS,
    POSITION_LOOKUP,
    POSITION_VALUES,
    REPLY_CLASS_LOOKUP,
    ROLE_LOOKUP,
    ROLE_VALUES,
    SATISFACTION_LOOKUP,
    SATISFACTION_VALUES,
    STAGE_LOOKUP,
    STAGE_VALUES,
    YES,
    Column,
    Formula,
    header_lookup,
    norm,
    unescape_cell,
)

#: limits of what an import accepts (a real ledger has tens to a few thousand rows)
MAX_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 200
#: the header row is looked for among the first rows (a title row may sit above it)
HEADER_SCAN = 10

CaseKey = tuple[str, int, str, str]


class LedgerFileError(ValidationError):
    """The file as a whole cannot be read: nothing in it is imported."""


# ---------------------------------------------------------------- problems


@dataclass(frozen=True, eq=False)
class Problem:
    """One fault of one row: where it is and what is wrong, renderable in zh and en."""

    row: int
    #: the column's header as written in the file ("" when the fault is the whole row)
    column: str
    #: the spreadsheet column letter ("" when not known, e.g. a missing column)
    letter: str
    error: ValidationError

    @property
    def key(self) -> str:
        return self.error.key

    def render(self, lang: str | None = "zh") -> str:
        message = self.error.render(lang)
        if not self.column:
            return t("ledger.problem_row", lang, row=self.row, message=message)
        where = f"{self.column}({self.letter})" if self.letter else self.column
        return t("ledger.problem", lang, row=self.row, column=where, message=message)


# ---------------------------------------------------------------- reading the file


@dataclass
class Sheet:
    """The cells of one sheet: its headers and its non-empty rows."""

    name: str
    header_row: int
    headers: list[str]
    #: (spreadsheet row number, cell values padded to the headers' width)
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)
    #: cells right of the last header that hold something: (row, column number)
    stray: list[tuple[int, int]] = field(default_factory=list)


def load_bytes(source: bytes | str | Path) -> bytes:
    """The bytes of ``source`` (bytes, or a path), refusing a file above :data:`MAX_BYTES`."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        path = Path(source)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise LedgerFileError("ledger.err.too_big", limit=MAX_BYTES // (1024 * 1024))
            data = path.read_bytes()
        except OSError as exc:
            raise LedgerFileError("ledger.err.cannot_open", name=path.name,
                                  reason=exc.strerror or str(exc)) from None
    if len(data) > MAX_BYTES:
        raise LedgerFileError("ledger.err.too_big", limit=MAX_BYTES // (1024 * 1024))
    return data


def file_format(data: bytes, filename: str = "") -> str:
    """"xlsx" or "csv", from the content first and the file name second."""
    ext = Path(filename).suffix.lower()
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0") or ext == ".xls":
        # the old binary format, or an encrypted workbook
        raise LedgerFileError("ledger.err.xls")
    if ext in (".xlsx", ".xlsm"):
        raise LedgerFileError("ledger.err.corrupt")
    if ext in ("", ".csv", ".txt"):
        return "csv"
    raise LedgerFileError("ledger.err.unsupported", name=Path(filename).name)


def read_sheet(source: bytes | str | Path, filename: str = "",
               prefer: Sequence[str] = (), columns: Iterable[Column] = CASE_COLUMNS) -> Sheet:
    """The sheet of a ledger file: the first one, or the first named in ``prefer``.

    ``columns`` tells the known headers, used to find the header row below a title.
    """
    if not filename and not isinstance(source, (bytes, bytearray, memoryview)):
        filename = str(source)
    data = load_bytes(source)
    if not data.strip():
        raise LedgerFileError("ledger.err.empty")
    rows: Iterable[Sequence[Any]]
    if file_format(data, filename) == "xlsx":
        name, rows = _xlsx_rows(data, prefer)
    else:
        name, rows = Path(filename).stem, _csv_rows(data)
    return _sheet(name, rows, header_lookup(columns))


def _xlsx_rows(data: bytes, prefer: Sequence[str]) -> tuple[str, Iterable[tuple[Any, ...]]]:
    from data.xlsx_cells import open_book, sheet_values  # deferred: openpyxl's import is slow

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED:
                raise LedgerFileError("ledger.err.too_big", limit=MAX_BYTES // (1024 * 1024))
        book = open_book(data)
    except LedgerFileError:
        raise
    except Exception:  # noqa: BLE001 -- zip, xml, missing parts: openpyxl raises many kinds
        raise LedgerFileError("ledger.err.corrupt") from None
    wanted = {norm(n) for n in prefer}
    sheets = [ws for ws in book.worksheets if norm(ws.title) in wanted] or book.worksheets
    if not sheets:
        book.close()
        raise LedgerFileError("ledger.err.empty")
    ws = sheets[0]

    def rows() -> Iterable[tuple[Any, ...]]:
        try:
            yield from sheet_values(book, ws)
        except Exception:  # noqa: BLE001 -- a broken sheet fails while it is read
            raise LedgerFileError("ledger.err.corrupt") from None
        finally:
            book.close()

    return ws.title, rows()


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LedgerFileError("ledger.err.encoding") from None
    if "\x00" in text:
        raise LedgerFileError("ledger.err.corrupt")
    first = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first.count)
    if first.count(delimiter) == 0:
        delimiter = ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise LedgerFileError("ledger.err.corrupt") from None


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _sheet(name: str, rows: Iterable[Sequence[Any]], lookup: dict[str, str]) -> Sheet:
    it = iter(rows)
    head = list(itertools.islice(it, HEADER_SCAN))
    if not head:
        raise LedgerFileError("ledger.err.empty")
    sheet = _start(name, head, lookup)
    for number, values in enumerate(head, start=1):
        if number > sheet.header_row:
            _add_row(sheet, number, values)
    for number, values in enumerate(it, start=len(head) + 1):
        _add_row(sheet, number, values)
    return sheet


def _start(name: str, head: list[Sequence[Any]], lookup: dict[str, str]) -> Sheet:
    """The sheet begins at the first row naming two known headers, else the first non-empty."""
    numbered = list(enumerate(head, start=1))
    named = ((n, v) for n, v in numbered
             if sum(1 for c in v if not _empty(c) and norm(c) in lookup) >= 2)
    first = next(named, None)
    if first is None:
        first = next(((n, v) for n, v in numbered if not all(map(_empty, v))), numbered[0])
    number, values = first
    headers = [("" if _empty(v) else str(v).strip()) for v in values]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise LedgerFileError("ledger.err.empty")
    if len(headers) > MAX_COLUMNS:
        raise LedgerFileError("ledger.err.too_many_columns", limit=MAX_COLUMNS)
    return Sheet(name=name, header_row=number, headers=headers)


def _add_row(sheet: Sheet, number: int, values: Sequence[Any]) -> None:
    width = len(sheet.headers)
    if all(map(_empty, values)):
        return
    if len(sheet.rows) >= MAX_ROWS:
        raise LedgerFileError("ledger.err.too_many_rows", limit=MAX_ROWS)
    for index in range(width, len(values)):
        if not _empty(values[index]):
            sheet.stray.append((number, index + 1))
    cells = tuple(values[:width])
    if len(cells) < width:
        cells += (None,) * (width - len(cells))
    sheet.rows.append((number, cells))


# ---------------------------------------------------------------- cell values


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a spurious ``.0``, dates as ISO, escapes undone."""
    if value is None:
        return ""
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    # compared (handlers, people) as it will be stored: bot.domain.text's rule
    return clean_text(unescape_cell(str(value).strip()), controls="keep").strip()


_ISO_ISH = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]0{1,2}:00(?::00(?:\.0+)?)?)?$")
_ZH_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$")
#: Excel serials of 1950-01-01 .. 2099-12-31: a bare number in a date cell in that range
_SERIALS = (18264, 73050)


class DateReader:
    """Date cells: Excel dates and serials, the usual written forms, else the dates module.

    Results are cached: a ledger repeats the same few dates thousands of times.
    """

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self._cache: dict[str, str] = {}

    def __call__(self, value: Any, fld: str) -> str:
        if _empty(value):
            return ""
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return self._serial(value, fld)
        text = cell_text(value)
        cached = self._cache.get(text)
        if cached is None:
            cached = self._cache[text] = self._text(text, fld)
        return cached

    def _serial(self, value: float, fld: str) -> str:
        if _SERIALS[0] <= value <= _SERIALS[1]:
            return from_excel(value).date().isoformat()
        raise ValidationError("err.bad_date", field=fld, value=cell_text(value))

    def _text(self, text: str, fld: str) -> str:
        if text.isdigit() and _SERIALS[0] <= int(text) <= _SERIALS[1]:
            return self._serial(int(text), fld)  # a CSV saved from Excel without date format
        match = _ISO_ISH.match(text) or _ZH_DATE.match(text)
        if match:
            year, month, day = map(int, match.groups())
            try:
                return dt.date(year, month, day).isoformat()
            except ValueError:
                if 1 <= month <= 12:
                    days = calendar.monthrange(year, month)[1]
                    raise ValidationError("ledger.err.no_such_day", field=fld, value=text,
                                          month=month, days=days) from None
                raise ValidationError("ledger.err.no_such_month", field=fld, value=text,
                                      month=month) from None
        return parse_date(text, self.today).isoformat()


def _choice(lookup: dict[str, str], values: dict[str, str], fld: str) -> Callable[[Any], str]:
    allowed = " / ".join(values.values())

    def parse(value: Any) -> str:
        text = cell_text(value)
        if not text:
            return ""
        try:
            return lookup[norm(text)]
        except KeyError:
            raise ValidationError("err.bad_choice", field=fld, value=text,
                                  allowed=allowed) from None

    return parse


def _year(value: Any) -> int | str:
    text = cell_text(value).removesuffix("年").removesuffix("年度").strip()
    if not text:
        return ""
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise ValidationError("err.bad_year", value=cell_text(value))
    return int(text)


def _bool(value: Any) -> bool | str:
    text = cell_text(value)
    if not text:
        return ""
    try:
        return BOOL_LOOKUP[norm(text)]
    except KeyError:
        raise ValidationError("err.bad_choice", field="continuation", value=text,
                              allowed=f"{YES} / {NO}") from None


def _number(value: Any) -> str:
    text = cell_text(value)
    return normalize_number(text) if text else ""


_CASE_PARSERS: dict[str, Callable[[Any], Any]] = {
    "kind": _choice(KIND_LOOKUP, KIND_VALUES, "kind"),
    "number": _number,
    "year": _year,
    "role": _choice(ROLE_LOOKUP, ROLE_VALUES, "role"),
    "stage": _choice(STAGE_LOOKUP, STAGE_VALUES, "stage"),
    "reply_class": _choice(REPLY_CLASS_LOOKUP, {c: c for c in "ABC"}, "reply_class"),
    "satisfaction": _choice(SATISFACTION_LOOKUP, SATISFACTION_VALUES, "satisfaction"),
    "continuation": _bool,
    "proposers": lambda v: split_names(cell_text(v)),
}
_DATE_FIELDS = ("deadline", "assigned_on", "answered_on", "opinion_on", "published_on")

#: which column a model error belongs to, when the error does not name its field
_ERROR_FIELDS = {
    "err.bad_number": "number",
    "err.bad_year": "year",
    "err.continuation_needs_origin": "origin_session",
    "err.reference_no_deadline": "deadline",
    "err.person_needs_division": "division",
    "err.bad_telegram": "telegram",
}


# ---------------------------------------------------------------- rows into objects


@dataclass
class RowValues:
    """The checked cells of one row, by field; only the columns the file has."""

    row: int
    values: dict[str, Any]
    extra: dict[str, str]


class _Columns:
    """Where each known field sits in a sheet, and which headers are unknown."""

    def __init__(self, sheet: Sheet, columns: Sequence[Column]) -> None:
        lookup = header_lookup(columns)
        self.sheet = sheet
        self.index: dict[str, int] = {}
        self.extra: list[tuple[int, str]] = []
        self.problems: list[Problem] = []
        self.header: dict[str, str] = {c.field: c.header for c in columns}
        seen: dict[str, int] = {}
        for i, header in enumerate(sheet.headers):
            if not header:
                if any(not _empty(cells[i]) for _, cells in sheet.rows):
                    self._problem(sheet.header_row, i, ValidationError("ledger.err.no_header"))
                continue
            fld = lookup.get(norm(header))
            key = fld or norm(header)
            if key in seen:
                self._problem(sheet.header_row, i,
                              ValidationError("ledger.err.duplicate_column", header=header))
                continue
            seen[key] = i
            if fld:
                self.index[fld] = i
                self.header[fld] = header
            else:
                self.extra.append((i, header))
        for col in columns:
            if col.required and col.field not in self.index:
                self.problems.append(Problem(sheet.header_row, col.header, "",
                                             ValidationError("ledger.err.missing_column",
                                                             header=col.header, alias=col.alias)))
        for row, column in sheet.stray:
            self._problem(row, column - 1, ValidationError("ledger.err.no_header"))

    def _problem(self, row: int, index: int, error: ValidationError) -> None:
        header = self.sheet.headers[index] if index < len(self.sheet.headers) else ""
        letter = get_column_letter(index + 1)
        self.problems.append(Problem(row, header or letter, letter if header else "", error))

    def problem(self, row: int, fld: str, error: ValidationError) -> Problem:
        i = self.index.get(fld)
        return Problem(row, self.header.get(fld, fld), get_column_letter(i + 1) if i is not None
                       else "", error)

    def read(self, row: int, cells: tuple[Any, ...],
             parsers: dict[str, Callable[[Any], Any]]) -> tuple[RowValues, list[Problem]]:
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        for fld, i in self.index.items():
            if isinstance(cells[i], Formula):
                problems.append(self.problem(row, fld, ValidationError(
                    "ledger.err.formula", formula=cells[i].text)))
                continue
            try:
                values[fld] = parsers.get(fld, cell_text)(cells[i])
            except ValidationError as err:
                problems.append(self.problem(row, fld, err))
        extra = {header: text for i, header in self.extra if (text := cell_text(cells[i]))}
        return RowValues(row, values, extra), problems


@dataclass
class ParsedCases:
    """The outcome of checking a cases sheet."""

    #: (row values, the case as the file has it, the stored case it updates or None). For
    #: a stored case the file's non-blank cells are laid over a copy of it: a blank cell
    #: never erases (the merge into what is stored is ``data.ledger_merge``'s).
    good: list[tuple[RowValues, Case, Case | None]]
    problems: list[Problem]
    total: int
    #: rows that load but look wrong, and numbers padded to the year's width
    warnings: list[Problem] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})


def parse_cases(
    sheet: Sheet,
    *,
    today: dt.date,
    handlers: set[str] | None = None,
    people: Sequence[Person] | None = None,
    existing: Callable[[CaseKey], Case | None] = lambda key: None,
    numbers: Callable[[str, int], Iterable[str]] = lambda kind, year: (),
    rules_table: Mapping[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ParsedCases:
    """Check every row of a cases sheet and build the cases it stands for.

    ``people`` is the people list (or just the ``handlers``' names): a handler must be in
    it, and the warnings compare divisions with it. ``existing(key)`` finds a stored case
    (the row then updates it; columns the file lacks and blank cells keep their stored
    value); ``numbers(kind, year)`` gives the stored numbers of a year, to pad a number
    that lost its leading zeros (Excel's number cell 602 for "0602"); ``rules_table`` is the
    stored deadline rules (setting ``"rules"``): a new case gets its default clocks from them
    (办理时限 left empty = the role's default deadline).
    """
    cols = _Columns(sheet, CASE_COLUMNS)
    dates = DateReader(today)
    if handlers is None:
        handlers = {p.name for p in people or ()}
    divisions_of: dict[str, set[str]] = {}
    divisions: set[str] = set()
    for person in people or ():
        if person.division:
            divisions_of.setdefault(person.name, set()).add(person.division)
            divisions.add(person.division)
        divisions.update(person.leads_divisions)

    @functools.cache
    def rules(year: int) -> Rules:
        return rules_for(year, rules_table)

    parsers = dict(_CASE_PARSERS)
    for fld in _DATE_FIELDS:
        parsers[fld] = functools.partial(dates, fld=fld)
    parsers["consultations"] = functools.partial(_consultations, dates=dates)
    parsers["followup_due"] = functools.partial(_followup, dates=dates)
    problems = list(cols.problems)
    warnings: list[Problem] = []
    good: list[tuple[RowValues, Case, Case | None]] = []
    keys: dict[CaseKey, int] = {}
    total = len(sheet.rows)
    if any(p.row == sheet.header_row for p in problems):
        return ParsedCases([], problems, total)
    widths = _number_widths(sheet, cols, numbers)
    by_name = people_by_name(people or ())
    for done, (row, cells) in enumerate(sheet.rows, start=1):
        if progress and (done % 200 == 0 or done == total):
            progress(done, total)
        rv, row_problems = cols.read(row, cells, parsers)
        row_problems += _check_case_row(rv, cols, handlers)
        built = None
        if not row_problems:
            padded = _pad(rv, widths, cells[cols.index["number"]] if "number" in cols.index
                          else None, numbers)
            built, row_problems = _build_case(rv, cols, today, existing, rules)
            if built is not None and padded:
                warnings.append(cols.problem(row, "number", ValidationError(
                    "ledger.warn.padded", value=padded, number=rv.values["number"],
                    width=len(rv.values["number"]))))
        if built is not None and people is not None:
            problem = _link_handler(built[0], by_name, cols, row)
            if problem is not None:
                row_problems.append(problem)
                built = None
        if built is not None:
            case, old = built
            first = keys.setdefault(case.key, row)
            if first != row:
                row_problems.append(cols.problem(row, "number", ValidationError(
                    "ledger.err.duplicate_key", number=case.number, first=first)))
            else:
                good.append((rv, case, old))
                if people is not None:
                    warnings += [cols.problem(row, fld, ValidationError(key, **params))
                                 for fld, key, params in row_warnings(
                                     case, divisions_of=divisions_of, divisions=divisions)]
        problems.extend(row_problems)
    return ParsedCases(good, problems, total, warnings)


def _number_widths(sheet: Sheet, cols: _Columns,
                   numbers: Callable[[str, int], Iterable[str]]) -> dict[tuple[str, int], int]:
    """(kind, year) -> the width its numbers are zero-padded to, in the file and the store
    (the commonest length of the numbers written with a leading zero); years whose
    numbers are not zero-padded are left out."""
    if not {"kind", "year", "number"} <= cols.index.keys():
        return {}
    ik, iy, ino = cols.index["kind"], cols.index["year"], cols.index["number"]
    kind_of = _CASE_PARSERS["kind"]
    seen: dict[tuple[str, int], list[str]] = {}
    for _row, cells in sheet.rows:
        try:
            kind, year = kind_of(cells[ik]), _year(cells[iy])
            number = _number(cells[ino])
        except ValidationError:
            continue
        if kind and year and number:
            seen.setdefault((kind, int(year)), []).append(number)
    widths = {}
    for (kind, year), found in seen.items():
        padded = [len(n) for n in (*found, *numbers(kind, year))
                  if n.isdigit() and len(n) > 1 and n.startswith("0")]
        if padded:
            widths[(kind, year)] = max(set(padded), key=padded.count)
    return widths


def _pad(rv: RowValues, widths: dict[tuple[str, int], int], cell: Any,
         numbers: Callable[[str, int], Iterable[str]]) -> str:
    """Pad the row's number to its year's width (in place); returns the number as it was
    written when it was padded, else "".

    A number cell (Excel drops its leading zeros) is padded; a text of digits only when the
    store holds the padded number and not the text's (a CSV saved from such a sheet).
    """
    v = rv.values
    number = v.get("number", "")
    kind, year = v.get("kind", ""), v.get("year", 0)
    width = widths.get((kind, year))
    if not width or not number.isdigit() or len(number) >= width:
        return ""
    padded = number.zfill(width)
    numeric = isinstance(cell, (int, float)) and not isinstance(cell, bool)
    if not numeric:
        stored = set(numbers(kind, year))
        if padded not in stored or number in stored:
            return ""
    v["number"] = padded
    return number


def _link_handler(case: Case, by_name: Mapping[str, list[Person]], cols: _Columns, row: int
                  ) -> Problem | None:
    """Give the row's case its handler's person id (by name and division); a name two
    people share that the division does not tell apart is a bad row naming both.
    ``by_name``: the people list grouped by name (``people_by_name``)."""
    try:
        person = resolve_person(case.handler, case.division,
                                by_name.get(name_key(case.handler), ()))
    except AmbiguousName as amb:
        names = "、".join(f"{p.name}({p.division or '—'})" for p in amb.candidates)
        return cols.problem(row, "handler", ValidationError(
            "ledger.err.ambiguous_handler", name=case.handler, candidates=names))
    case.handler_id = person.id if person is not None else 0
    return None


def _check_case_row(rv: RowValues, cols: _Columns, handlers: set[str]) -> list[Problem]:
    v = rv.values
    out = []
    for col in CASE_COLUMNS:
        if col.required and col.field in v and v[col.field] in ("", None):
            out.append(cols.problem(rv.row, col.field, ValidationError("err.required",
                                                                       field=col.field)))
    if v.get("handler") and v["handler"] not in handlers:
        out.append(cols.problem(rv.row, "handler", ValidationError(
            "ledger.err.unknown_handler", name=v["handler"])))
    return out


#: fields set by their own step below, not by ``setattr``
_CLOCK_FIELDS = ("deadline", "answered_on", "opinion_on", "published_on", "consultations",
                 "followup_due")


def _build_case(
    rv: RowValues,
    cols: _Columns,
    today: dt.date,
    existing: Callable[[CaseKey], Case | None],
    rules: Callable[[int], Rules],
) -> tuple[tuple[Case, Case | None] | None, list[Problem]]:
    # a blank cell is "the default" for a new case and "keep as is" for a stored one
    v = {k: x for k, x in rv.values.items() if x not in ("", None, [])}
    try:
        old = existing(case_key(v.get("kind", ""), v.get("year", ""), v.get("number", ""),
                                v.get("session", ""), v.get("origin_session", "")))
        steps = {fld: v.pop(fld, "") for fld in _CLOCK_FIELDS}
        if old is None:  # built from the row's values, checked once
            v.setdefault("assigned_on", today.isoformat())
            case = Case(**v, extra=dict(rv.extra))
        else:
            case = old.copy()
            for fld, value in v.items():
                setattr(case, fld, value)
            case.extra = {**old.extra, **rv.extra}  # only the non-blank cells: a blank
            case.validate()                         # never erases
        if case.role in OPINION_ROLES and not case.lead_unit:
            raise ValidationError("ledger.err.lead_unit_required", field="lead_unit",
                                  role=ROLE_VALUES[case.role])
        deadline = steps["deadline"]
        if case.continuation and not deadline and steps["followup_due"]:
            deadline = steps["followup_due"][0]
        _set_deadline(case, old, deadline, rules(case.year), today)
        arm_clocks(case, rules(case.year), today)
        answered_on = steps["answered_on"] or steps["opinion_on"]
        if answered_on:
            if case.main_clock is None:
                raise ValidationError("ledger.err.reference_no_answer", field="answered_on")
            _meet(case, case.main_clock, answered_on)
        if steps["published_on"]:
            _meet(case, "publish", steps["published_on"])
        if steps["followup_due"] and not case.continuation:
            due, met = steps["followup_due"]
            clock = case.clocks.get("followup")
            if met == MET_UNKNOWN and clock is not None and clock.met:
                met = clock.met  # a known day is never replaced by "unknown"
            if clock is None or clock.due != due or (met and clock.met != met):
                source = clock.source if clock is not None and clock.due == due else "set"
                case.clocks["followup"] = Clock(due=due, met=met or (clock.met if clock
                                                                     else ""), source=source)
        if steps["consultations"]:
            case.consultations = _merge_consultations(steps["consultations"],
                                                      case.consultations)
        if old is None and not v.get("stage"):
            case.stage = "assigned" if not five_fixes_missing(case) else "registered"
        mark_met_unknown(case)
    except ValidationError as err:
        fld = err.params.get("field") or _ERROR_FIELDS.get(err.key, "")
        if fld == "continuation" and err.key == "err.required":
            fld = "origin_session"
        if fld not in cols.header:
            return None, [Problem(rv.row, "", "", err)]
        return None, [cols.problem(rv.row, fld, err)]
    return (case, old), []


def _set_deadline(case: Case, old: Case | None, given: str, rules: Rules,
                  today: dt.date) -> None:
    """The main clock's due date as given; a stored case keeps its own when the cell is empty.

    A given date equal to the role's default stays marked as the default, so an exported
    ledger imported again (even into another store) changes nothing.
    """
    if case.main_clock is None:
        if given:
            raise ValidationError("err.reference_no_deadline")
        return
    if not given or (old is not None and case.deadline == given):
        return
    default = default_deadline(case, rules, today)
    case.set_deadline(given, "default" if default and default.isoformat() == given else "set")


_FOLLOWUP = re.compile(rf"^(\S+?)(?:\s*{FOLLOWUP_MET}\s*(\S*))?$")


def _followup(value: Any, dates: DateReader) -> tuple[str, str] | str:
    """续办时限: a date, or "2020-12-31 已续复 2020-11-20" (answered again; with no date
    after 已续复, on an unknown day). Gives (due, met) or ""."""
    if _empty(value):
        return ""
    if not isinstance(value, str):
        return dates(value, "followup_due"), ""
    match = _FOLLOWUP.match(cell_text(value))
    if match is None:
        return dates(value, "followup_due"), ""
    due = dates(match.group(1), "followup_due")
    if cell_text(value).find(FOLLOWUP_MET) < 0:
        return due, ""
    met = dates(match.group(2), "followup_due") if match.group(2) else MET_UNKNOWN
    return due, met


def _meet(case: Case, name: str, iso: str) -> None:
    clock = case.clocks.get(name)
    if clock is None:
        case.clocks[name] = Clock(met=iso)
    else:
        clock.met = check_date(iso, "met")


_CONSULTATION = re.compile(r"^(\S+)\s+(\S+)\s+(.+)$")
Consulted = tuple[str, str, str, str, str]


def _consultations(value: Any, dates: DateReader) -> list[Consulted]:
    """协商记录: one consultation a line (or separated by ;), as "2020-05-12 面商 杨艳芳代表",
    optionally followed by " | who recorded it | note"."""
    out = []
    for item in re.split(r"[\n;;]+", cell_text(value)):
        if not item.strip():
            continue
        head, by, note = (item.split(" | ", 2) + ["", ""])[:3]
        match = _CONSULTATION.match(head.strip())
        method = METHOD_LOOKUP.get(norm(match.group(2))) if match else None
        if match is None or method is None:
            raise ValidationError("ledger.err.bad_consultation", value=item.strip())
        out.append((dates(match.group(1), "consultations"), method, match.group(3).strip(),
                    by.strip(), note.strip()))
    return out


def _merge_consultations(given: list[Consulted], stored: list[Consultation]
                         ) -> list[Consultation]:
    """The consultations of the cell; one the case has keeps its author and note if the
    cell leaves them out."""
    known = {(c.on, c.method, c.with_whom): c for c in stored}
    out = []
    for on, method, with_whom, by, note in given:
        old = known.get((on, method, with_whom))
        out.append(Consultation(method, on, with_whom, note=note or (old.note if old else ""),
                                by=by or (old.by if old else "")))
    return out


# ---------------------------------------------------------------- people


@dataclass
class ParsedPeople:
    #: (row values, the person as it will be stored, the stored person it updates or None)
    good: list[tuple[RowValues, Person, Person | None]]
    problems: list[Problem]
    total: int
    #: what the import did beyond the rows' own values (an admin linked to their row)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})


def _telegram(value: Any) -> tuple[int | None, str]:
    text = cell_text(value)
    if not text:
        return None, ""
    if text.isdigit():
        return int(text), ""
    name = text.removeprefix("@")
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", name):
        return None, name
    raise ValidationError("ledger.err.bad_telegram", value=text)


_PEOPLE_PARSERS: dict[str, Callable[[Any], Any]] = {
    "position": _choice(POSITION_LOOKUP, POSITION_VALUES, "position"),
    "leads_divisions": lambda v: split_names(cell_text(v)),
    "telegram": _telegram,
}


def parse_people(
    sheet: Sheet,
    *,
    existing: Callable[[str], list[Person]] = lambda name: [],
    by_telegram: Callable[[int], Person | None] = lambda telegram: None,
    placeholder: Callable[[Person], bool] = lambda person: False,
    progress: Callable[[int, int], None] | None = None,
) -> ParsedPeople:
    """Check every row of a people sheet.

    ``existing(name)`` gives the stored people of a name (the row updates the one there is);
    ``by_telegram(id)`` the stored person linked to a Telegram id (no two people share one).
    ``placeholder(person)``: the person is an admin made at start (``DUBAN_ADMINS``) and
    never named; a row of a new name carrying that admin's Telegram id is that admin (the
    row gives them their name, position and division) rather than someone else's account.
    """
    warnings: list[Problem] = []

    def lookup(v: dict[str, Any]) -> list[Person]:
        matches = existing(v["name"])
        telegram = (v.get("telegram") or (None, ""))[0]
        if not matches and telegram is not None:
            other = by_telegram(telegram)
            if other is not None and placeholder(other):
                warnings.append(cols.problem(v["_row"], "telegram", ValidationError(
                    "ledger.warn.admin_linked", telegram=telegram, old=other.name,
                    name=v["name"])))
                return [other]
        return matches

    cols = _Columns(sheet, PEOPLE_COLUMNS)
    problems = list(cols.problems)
    good: list[tuple[RowValues, Person, Person | None]] = []
    names: dict[str, int] = {}
    accounts: dict[int, int] = {}
    total = len(sheet.rows)
    if any(p.row == sheet.header_row for p in problems):
        return ParsedPeople([], problems, total)
    for done, (row, cells) in enumerate(sheet.rows, start=1):
        if progress and (done % 200 == 0 or done == total):
            progress(done, total)
        rv, row_problems = cols.read(row, cells, _PEOPLE_PARSERS)
        v = rv.values
        for col in PEOPLE_COLUMNS:
            if col.required and col.field in v and v[col.field] in ("", None):
                row_problems.append(cols.problem(row, col.field,
                                                 ValidationError("err.required", field=col.field)))
        if not row_problems:
            person, old, err = _build_person({**v, "_row": row}, lookup)
            if err is not None:
                fld = err.params.get("field") or _ERROR_FIELDS.get(err.key, "")
                row_problems.append(cols.problem(row, fld, err) if fld in cols.index
                                    else Problem(row, "", "", err))
            elif person is not None:
                first = names.setdefault(person.name, row)
                if first != row:
                    row_problems.append(cols.problem(row, "name", ValidationError(
                        "ledger.err.duplicate_person", name=person.name, first=first)))
                row_problems += _telegram_taken(row, person, old, cols, accounts, by_telegram)
                if not row_problems:
                    good.append((rv, person, old))
        problems.extend(row_problems)
    return ParsedPeople(good, problems, total, warnings)


def _telegram_taken(row: int, person: Person, old: Person | None, cols: _Columns,
                    accounts: dict[int, int], by_telegram: Callable[[int], Person | None]
                    ) -> list[Problem]:
    """A Telegram id linked to someone else, in the store or on an earlier row."""
    if person.telegram is None:
        return []
    other = by_telegram(person.telegram)
    if other is not None and (old is None or other.id != old.id):
        return [cols.problem(row, "telegram", ValidationError(
            "ledger.err.telegram_taken", telegram=person.telegram, name=other.name))]
    first = accounts.setdefault(person.telegram, row)
    if first != row:
        return [cols.problem(row, "telegram", ValidationError(
            "ledger.err.telegram_repeated", telegram=person.telegram, first=first))]
    return []


def _build_person(v: dict[str, Any], existing: Callable[[dict[str, Any]], list[Person]]
                  ) -> tuple[Person | None, Person | None, ValidationError | None]:
    try:
        matches = existing(v)
        if len(matches) > 1:
            raise ValidationError("ledger.err.ambiguous_person", name=v["name"],
                                  count=len(matches))
        old = matches[0] if matches else None
        person = old.copy() if old is not None else Person(name=v["name"],
                                                           position=v["position"],
                                                           division=v.get("division", ""),
                                                           approved=True)
        person.name, person.position = v["name"], v["position"]
        for fld in ("division", "leads_divisions"):
            if fld in v:
                setattr(person, fld, v[fld])
        if v.get("telegram"):
            telegram, username = v["telegram"]
            if telegram is not None:
                person.telegram = telegram
            if username:
                person.username = username
        person.validate()
        if person.position == "leader" and not person.leads_divisions:
            raise ValidationError("ledger.err.leader_needs_divisions", name=person.name,
                                  field="leads_divisions")
        return person, old, None
    except ValidationError as err:
        return None, None, err
