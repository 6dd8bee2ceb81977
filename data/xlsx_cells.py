"""The cell values of one worksheet of an ``.xlsx``, read fast.

openpyxl reads the workbook's structure here (content types, sheets and their parts, the
styles that make a number a date, the 1900 or 1904 calendar); the two parts that grow with
the ledger, the shared strings and the worksheet's cells, are read by this module with lxml,
with openpyxl's own rules for every value (numbers, dates, booleans, errors, strings inline
or shared, rich text runs, rows and cells with or without their coordinates). The result is
what ``iter_rows(values_only=True)`` of openpyxl's read-only sheet gives, three to four
times faster (a 5,000-row ledger: ~1.2 s → ~0.3 s), and a formula the file holds no computed
value for comes back as a :class:`Formula` in the same pass (openpyxl needed a second read
of the whole workbook for it). ``tests/test_xlsx_cells.py`` holds the two readers equal.

Anything malformed raises (ValueError, KeyError, IndexError, lxml's errors...): the caller
reports the file as damaged.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from lxml import etree
from openpyxl.formula.translate import Translator
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

from data.ledger_format import Formula

_NS = f"{{{SHEET_MAIN_NS}}}"
_ROW, _C, _V, _F, _IS = (_NS + n for n in ("row", "c", "v", "f", "is"))
_SI, _T, _R = (_NS + n for n in ("si", "t", "r"))
_DIGITS = "0123456789"


#: no entities, no network, no huge trees: a workbook needs none of them
_SAFE: dict[str, Any] = {"resolve_entities": False, "no_network": True, "huge_tree": False,
                         "remove_comments": True, "remove_pis": True}


def _text(node: Any) -> str:
    """The text of an ``<si>`` or ``<is>`` stripped of formatting (openpyxl's
    ``Text.content``): its own ``<t>`` and the ``<t>`` of each ``<r>`` run; phonetic
    runs (``<rPh>``) left out."""
    parts = []
    for child in node:
        if child.tag == _T:
            if child.text is not None:
                parts.append(child.text)
        elif child.tag == _R:
            t = child.find(_T)
            if t is not None and t.text is not None:
                parts.append(t.text)
    return "".join(parts)


def shared_strings(source: Any) -> list[str]:
    """The shared string table (openpyxl's ``read_string_table``)."""
    strings = []
    for _, node in etree.iterparse(source, events=("end",), tag=_SI, **_SAFE):
        strings.append(_text(node).replace("x005F_", ""))
        node.clear()
        while node.getprevious() is not None:
            del node.getparent()[0]
    return strings


class _Reader(ExcelReader):
    """openpyxl's reader with the shared strings read by :func:`shared_strings`."""

    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            with self.archive.open(part.PartName[1:]) as src:
                self.shared_strings = shared_strings(src)


def open_book(data: bytes) -> Any:
    """The workbook, read-only with computed values (openpyxl's ``load_workbook``)."""
    reader = _Reader(io.BytesIO(data), read_only=True, data_only=True)
    reader.read()
    return reader.wb


def sheet_values(book: Any, ws: Any) -> Iterator[tuple[Any, ...]]:
    """The rows of ``ws`` (a sheet of :func:`open_book`) from row 1, a tuple of values each,
    as long as its last written cell; a missing row is ``()``."""
    strings = ws._shared_strings
    epoch = book.epoch
    dates = book._date_formats
    timedeltas = book._timedelta_formats
    columns: dict[str, int] = {}
    formulas: dict[str, Translator] = {}
    counter = 1
    row_number = 0
    with book._archive.open(ws._worksheet_path) as src:
        for _, row in etree.iterparse(src, events=("end",), tag=_ROW, **_SAFE):
            r = row.get("r")
            if r is not None:
                try:
                    row_number = int(r)
                except ValueError:
                    number = float(r)
                    if not number.is_integer():
                        raise
                    row_number = int(number)
            else:
                row_number += 1
            cells: list[tuple[int, Any]] = []
            column = 0
            for c in row:
                if c.tag != _C:
                    continue
                coordinate = c.get("r")
                if coordinate:
                    letters = coordinate.rstrip(_DIGITS)
                    column = columns.get(letters, 0)
                    if not column:
                        column = columns[letters] = coordinate_to_tuple(coordinate)[1]
                else:
                    column += 1
                cells.append((column, _value(c, coordinate, strings, epoch, dates,
                                             timedeltas, formulas)))
            row.clear()
            while row.getprevious() is not None:
                del row.getparent()[0]
            for _ in range(counter, row_number):  # rows the file leaves out
                counter += 1
                yield ()
            if counter <= row_number:  # (a row out of order or repeated is passed over)
                counter += 1
                if not cells:
                    yield ()
                    continue
                values: list[Any] = [None] * cells[-1][0]
                width = len(values)
                for column, value in cells:
                    if 1 <= column <= width:
                        values[column - 1] = value
                yield tuple(values)


def _value(c: Any, coordinate: str | None, strings: list[str], epoch: Any, dates: Any,
           timedeltas: Any, formulas: dict[str, Translator]) -> Any:
    """One cell's value by openpyxl's rules (``WorkSheetParser.parse_cell``, computed
    values), or a :class:`Formula` for a formula with none."""
    kind = c.get("t", "n")
    if kind == "inlineStr":
        child = c.find(_IS)
        return None if child is None else _text(child)
    value = c.findtext(_V) or None
    formula = c.find(_F)
    if formula is not None:
        text = _formula(formula, coordinate, formulas)
        if value is None:
            return Formula(text)
    if value is None:
        return None
    if kind == "n":
        number: int | float = (float(value) if "." in value or "E" in value or "e" in value
                               else int(value))
        s = c.get("s")  # (openpyxl: no style is style 0; an empty one is none)
        style = 0 if s is None else int(s) if s else -1
        if style in dates:
            try:
                return from_excel(number, epoch, timedelta=style in timedeltas)
            except (OverflowError, ValueError):
                return "#VALUE!"  # a date serial outside the calendar
        return number
    if kind == "s":
        return strings[int(value)]
    if kind == "b":
        return bool(int(value))
    if kind == "d":
        return from_ISO8601(value)
    return value  # "str" (a formula's text result), "e" (an error such as #N/A)


def _formula(element: Any, coordinate: str | None, formulas: dict[str, Translator]) -> str:
    """A formula's text; a shared formula's follower translated from its first cell."""
    text = "=" + (element.text or "")
    if element.get("t") == "shared":
        index = element.get("si")
        if element.get("ref"):
            formulas[index] = Translator(text, coordinate or "A1")
        elif index in formulas and coordinate:
            return formulas[index].translate_formula(coordinate)
    return text
