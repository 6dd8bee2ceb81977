"""The ledger in and out of the store: import of cases and of people, export of the ledger.

For the command line and the chat alike::

    result = import_ledger(store, "cases.xlsx", who="周敏")           # or bytes + filename
    print(result.render("zh"))
    data = export_ledger(store, year=2020, today=today)                 # .xlsx bytes

An import reads the whole file and checks every row first (kinds, roles, dates, handlers
in the people list, duplicate keys, required columns). Then it writes all rows in one
``store.transaction()``, or nothing when a row is bad (``partial=True`` writes the good
rows and lists the others). A row whose key exists updates that case: the store records
one history event per changed field. ``dry_run=True`` checks and counts, and writes
nothing. A file that cannot be read at all raises :class:`LedgerFileError` (a
``ValidationError``: ``err.render(lang)``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.domain.model import Case, diff_cases
from bot.domain.timeutil import SystemTime
from bot.texts import t
from data.ledger_format import PEOPLE_COLUMNS, PEOPLE_SHEET_NAMES
from data.ledger_read import (
    LedgerFileError,
    Problem,
    RowValues,
    Sheet,
    parse_cases,
    parse_people,
    read_sheet,
)
from data.ledger_write import ledger_workbook, people_workbook

__all__ = [
    "RULES_SETTING",
    "ImportResult",
    "LedgerFileError",
    "Problem",
    "Progress",
    "export_ledger",
    "export_people",
    "import_cases_sheet",
    "import_ledger",
    "import_people",
    "ledger_order",
]

#: the setting holding the deadline rules (shared with ``duban rules``)
RULES_SETTING = "rules"

#: progress(phase, done, total): phase is "check" or "write"
Progress = Callable[[str, int, int], None]
T = TypeVar("T")


@dataclass
class ImportResult:
    """What an import found and did."""

    what: str                       # "cases" or "people"
    filename: str
    total: int = 0                  # non-empty data rows
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False
    partial: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def bad_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})

    def summary(self, lang: str | None = "zh") -> str:
        text = t(f"ledger.result.{self.what}", lang, total=self.total, created=self.created,
                 updated=self.updated, unchanged=self.unchanged)
        if self.dry_run:
            text += "\n" + t("ledger.result.dry_run", lang)
        return text

    def render(self, lang: str | None = "zh", limit: int | None = None) -> str:
        """The summary, then every problem (the first ``limit`` of them when given)."""
        lines: list[str] = []
        if self.problems and not self.written and not self.dry_run:
            lines.append(t("ledger.result.nothing_written", lang, count=len(self.problems),
                           rows=len(self.bad_rows)))
        else:
            lines.append(self.summary(lang))
        if self.problems:
            if self.written:
                lines.append(t("ledger.result.partial", lang, rows=len(self.bad_rows)))
            else:
                lines.append(t("ledger.result.problems", lang))
            shown = self.problems if limit is None else self.problems[:limit]
            lines += [p.render(lang) for p in shown]
            if len(shown) < len(self.problems):
                lines.append(t("ledger.result.more", lang, count=len(self.problems) - len(shown)))
        return "\n".join(lines)


def _name(source: bytes | str | Path, filename: str) -> str:
    if filename:
        return Path(filename).name
    return "" if isinstance(source, (bytes, bytearray, memoryview)) else Path(source).name


def _step(progress: Progress | None, phase: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(phase, done, total)


def _write(progress: Progress | None, items: list[T], write: Callable[[int, T], None]) -> None:
    total = len(items)
    for i, item in enumerate(items, start=1):
        write(i, item)
        if progress and (i % 200 == 0 or i == total):
            progress("write", i, total)


def _apply(store, result: ImportResult, good: list[tuple[RowValues, T, T | None]], *,
           changed: Callable[[T, T], bool], add: Callable[[T, str], Any],
           save: Callable[[T, T, str], Any], progress: Progress | None,
           write_now: bool) -> ImportResult:
    """Count the good rows as created / updated / unchanged and, when ``write_now``, write
    the created and updated ones in one transaction, each with the file and row in its
    history note."""
    plan: list[tuple[RowValues, T, T | None]] = []
    for rv, new, old in good:
        if old is None:
            result.created += 1
            plan.append((rv, new, old))
        elif changed(old, new):
            result.updated += 1
            plan.append((rv, new, old))
        else:
            result.unchanged += 1
    if not write_now:
        return result

    def write(_: int, item: tuple[RowValues, T, T | None]) -> None:
        rv, new, old = item
        note = t("ledger.history_note", "zh", file=result.filename or "-", row=rv.row)
        if old is None:
            add(new, note)
        else:
            save(new, old, note)

    with store.transaction():
        _write(progress, plan, write)
    result.written = True
    return result


# ---------------------------------------------------------------- cases


def import_ledger(store, source: bytes | str | Path, filename: str = "", who: str = "cli", *,
                  partial: bool = False, dry_run: bool = False,
                  progress: Progress | None = None, today: dt.date | None = None
                  ) -> ImportResult:
    """Import the cases of a ledger file (``source``: a path, or the bytes of ``filename``)."""
    name = _name(source, filename)
    today = today or SystemTime().today()
    sheet = read_sheet(source, filename or name)
    return import_cases_sheet(store, sheet, name, who, partial=partial, dry_run=dry_run,
                              progress=progress, today=today)


def import_cases_sheet(store, sheet: Sheet, name: str, who: str, *, partial: bool = False,
                       dry_run: bool = False, progress: Progress | None = None,
                       today: dt.date) -> ImportResult:
    """Check and write an already-read cases sheet (see :func:`import_ledger`)."""
    handlers = {p.name for p in store.people()}
    parsed = parse_cases(sheet, today=today, handlers=handlers, existing=store.case_by_key,
                         rules_table=store.get_setting(RULES_SETTING, None),
                         progress=_step(progress, "check"))
    result = ImportResult("cases", name, total=parsed.total, problems=parsed.problems,
                          dry_run=dry_run, partial=partial)
    return _apply(store, result, parsed.good, changed=lambda old, new: bool(diff_cases(old, new)),
                  add=lambda case, note: store.add_case(case, who, note),
                  save=lambda case, old, note: store.save_case(
                      case, who, note, expected_version=old.version),
                  progress=progress, write_now=not dry_run and (partial or not parsed.problems))

def export_ledger(store, year: int | None = None, *, today: dt.date | None = None) -> bytes:
    """The ledger as .xlsx bytes: cases (of ``year``), their history, and the people."""
    today = today or SystemTime().today()
    cases = sorted(store.cases(year), key=ledger_order)
    history = {c.id: store.history(c.id) for c in cases}
    return ledger_workbook(cases, today=today, history=history, people=store.people())


def ledger_order(case: Case) -> tuple:
    """Year, suggestions before proposals, the year's own cases before continuations, number."""
    return (case.year, case.kind != "suggestion", case.continuation,
            case.origin_session or case.session, case.number.zfill(8))


# ---------------------------------------------------------------- people


def import_people(store, source: bytes | str | Path, filename: str = "", who: str = "cli", *,
                  partial: bool = False, dry_run: bool = False,
                  progress: Progress | None = None) -> ImportResult:
    """Import the people list (the sheet named 人员/people if any, else the first one).

    A name already in the list updates that person; new people are approved (the office
    vouches for its own list) and become reachable once their Telegram account is linked.
    """
    name = _name(source, filename)
    sheet = read_sheet(source, filename or name, prefer=PEOPLE_SHEET_NAMES,
                       columns=PEOPLE_COLUMNS)
    parsed = parse_people(sheet, existing=store.people_named,
                          by_telegram=store.person_by_telegram,
                          progress=_step(progress, "check"))
    result = ImportResult("people", name, total=parsed.total, problems=parsed.problems,
                          dry_run=dry_run, partial=partial)
    return _apply(store, result, parsed.good,
                  changed=lambda old, new: old.to_dict() != new.to_dict(),
                  add=lambda person, note: store.add_person(person, who, note),
                  save=lambda person, old, note: store.save_person(person, who, note),
                  progress=progress, write_now=not dry_run and (partial or not parsed.problems))

def export_people(store) -> bytes:
    """The people list as .xlsx bytes (the people sheet of the contract)."""
    return people_workbook(store.people())

