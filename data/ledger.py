"""The ledger in and out of the store: import of cases and of people, export of the ledger.

For the command line and the chat alike::

    result = import_ledger(store, "cases.xlsx", who="周敏")           # or bytes + filename
    print(result.render("zh"))
    data = export_ledger(store, year=2020, today=today)                 # .xlsx bytes

An import reads the whole file and checks every row first (kinds, roles, dates, handlers
in the people list, duplicate keys, required columns). Then it writes all rows in one
``store.transaction()``, or nothing when a row is bad (``partial=True`` writes the good
rows and lists the others). A row whose key exists is *merged* into that case
(``data/ledger_merge.py``): only its non-blank cells that differ change it, and a change
that would undo work is a conflict, listed and left out unless ``overwrite=True``. The
store records one history event per changed field, noted with the file and row.
``dry_run=True`` checks, plans and counts, and writes nothing; :func:`plan_cases_sheet`
and :func:`apply_plan` do the same in two steps (the chat's preview, then its button).
A file that cannot be read at all raises :class:`LedgerFileError` (a ``ValidationError``:
``err.render(lang)``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bot.domain.model import Case, HistoryEvent, ValidationError
from bot.domain.timeutil import SystemTime
from bot.texts import t
from data.ledger_format import PEOPLE_COLUMNS, PEOPLE_SHEET_NAMES
from data.ledger_merge import (
    CasePlan,
    Change,
    ledger_cells,
    plan_case,
    record_snapshots,
    snapshot_after,
    snapshots,
)
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
from data.storage import gc_paused

__all__ = [
    "RULES_SETTING",
    "ImportResult",
    "StalePreview",
    "apply_plan",
    "plan_cases_sheet",
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


class StalePreview(ValidationError):
    """A case of a previewed import changed (or was added) since the preview."""


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
    #: rows that load but look wrong (and what the import did about them)
    warnings: list[Problem] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False
    partial: bool = False
    #: conflicts applied too (``--overwrite``)
    overwrite: bool = False
    #: cases: what each good row does (in file order)
    plans: list[CasePlan] = field(default_factory=list)
    #: the day of the import (ISO), kept with the snapshots
    today: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def bad_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})

    @property
    def conflicts(self) -> list[tuple[CasePlan, Change]]:
        return [(plan, change) for plan in self.plans for change in plan.conflicts]

    @property
    def changed(self) -> list[CasePlan]:
        """The plans of stored cases the file changes (conflicts or not)."""
        return [p for p in self.plans if p.old is not None and p.changes]

    def count(self) -> None:
        """Count the plans as created / updated / unchanged (as the import applies them)."""
        self.created = sum(1 for p in self.plans if p.old is None)
        self.updated = sum(1 for p in self.plans if p.old is not None
                           and p.writes(self.overwrite))
        self.unchanged = len(self.plans) - self.created - self.updated

    def summary(self, lang: str | None = "zh") -> str:
        text = t(f"ledger.result.{self.what}", lang, total=self.total, created=self.created,
                 updated=self.updated, unchanged=self.unchanged)
        conflicts = self.conflicts
        if conflicts:
            text += "\n" + t("ledger.result.conflict_count", lang, count=len(conflicts),
                             cases=len({id(p) for p, _ in conflicts}))
        if self.dry_run:
            text += "\n" + t("ledger.result.dry_run", lang)
        return text

    def render(self, lang: str | None = "zh", limit: int | None = None) -> str:
        """The summary, then every conflict, warning and problem (the first ``limit`` of
        each when given)."""
        if self.problems and not self.written and not self.dry_run:
            head = t("ledger.result.nothing_written", lang, count=len(self.problems),
                     rows=len(self.bad_rows))
        else:
            head = self.summary(lang)
        return "\n".join([head, *self.details(lang, limit)])

    def details(self, lang: str | None = "zh", limit: int | None = None) -> list[str]:
        """The lines after the summary: conflicts, warnings, problems."""
        lines: list[str] = []
        conflicts = self.conflicts
        if conflicts:
            key = ("ledger.result.conflicts_applied" if self.overwrite else
                   "ledger.result.conflicts_kept")
            lines.append(t(key, lang, count=len(conflicts)))
            shown = conflicts if limit is None else conflicts[:limit]
            lines += [render_conflict(plan, change, lang) for plan, change in shown]
            if len(shown) < len(conflicts):
                lines.append(t("ledger.result.more_conflicts", lang,
                               count=len(conflicts) - len(shown)))
        if self.warnings:
            lines.append(t("ledger.result.warnings", lang, count=len(self.warnings)))
            shown_w = self.warnings if limit is None else self.warnings[:limit]
            lines += [w.render(lang) for w in shown_w]
            if len(shown_w) < len(self.warnings):
                lines.append(t("ledger.result.more_warnings", lang,
                               count=len(self.warnings) - len(shown_w)))
        if self.problems:
            if self.written:
                lines.append(t("ledger.result.partial", lang, rows=len(self.bad_rows)))
            else:
                lines.append(t("ledger.result.problems", lang))
            shown_p = self.problems if limit is None else self.problems[:limit]
            lines += [p.render(lang) for p in shown_p]
            if len(shown_p) < len(self.problems):
                lines.append(t("ledger.result.more", lang,
                               count=len(self.problems) - len(shown_p)))
        return lines


def field_label(fld: str, lang: str | None) -> str:
    return t(f"ledger.col.{fld}", lang)


def case_label(case: Case, lang: str | None) -> str:
    return t("ledger.case_label", lang, number=case.number, year=case.year,
             kind=t(f"kind.{case.kind}", lang))


def render_conflict(plan: CasePlan, change: Change, lang: str | None = "zh") -> str:
    """第3行 建议第0484号(2020)“状态”:现为 已答复,表格为 交办(倒退)"""
    return t("ledger.conflict", lang, row=plan.row, case=case_label(plan.case, lang),
             field=field_label(change.field, lang),
             stored=change.stored or t("ledger.blank", lang),
             file=change.file or t("ledger.blank", lang),
             reason=t(f"ledger.conflict.{change.conflict}", lang))


def render_changes(plan: CasePlan, lang: str | None = "zh") -> str:
    """One case's changes, one line each (conflicts marked), for the chat's details."""
    head = t("ledger.plan.new" if plan.old is None else "ledger.plan.changed", lang,
             row=plan.row, case=case_label(plan.case, lang))
    lines = [head]
    for change in plan.changes:
        line = t("ledger.plan.change", lang, field=field_label(change.field, lang),
                 stored=change.stored or t("ledger.blank", lang),
                 file=change.file or t("ledger.blank", lang))
        if change.conflict:
            line += " " + t("ledger.plan.conflict", lang,
                            reason=t(f"ledger.conflict.{change.conflict}", lang))
        lines.append(line)
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
                  partial: bool = False, dry_run: bool = False, overwrite: bool = False,
                  progress: Progress | None = None, today: dt.date | None = None
                  ) -> ImportResult:
    """Import the cases of a ledger file (``source``: a path, or the bytes of ``filename``)."""
    name = _name(source, filename)
    today = today or SystemTime().today()
    sheet = read_sheet(source, filename or name)
    return import_cases_sheet(store, sheet, name, who, partial=partial, dry_run=dry_run,
                              overwrite=overwrite, progress=progress, today=today)


def import_cases_sheet(store, sheet: Sheet, name: str, who: str, *, partial: bool = False,
                       dry_run: bool = False, overwrite: bool = False,
                       progress: Progress | None = None, today: dt.date) -> ImportResult:
    """Check, plan and write an already-read cases sheet (see :func:`import_ledger`)."""
    result = plan_cases_sheet(store, sheet, name, partial=partial, dry_run=dry_run,
                              overwrite=overwrite, progress=progress, today=today)
    if not dry_run and (partial or result.ok):
        apply_plan(store, result, who, overwrite=overwrite, progress=progress)
    return result


def plan_cases_sheet(store, sheet: Sheet, name: str, *, partial: bool = False,
                     dry_run: bool = True, overwrite: bool = False,
                     progress: Progress | None = None, today: dt.date) -> ImportResult:
    """Check every row and plan what it does to the store, writing nothing."""
    numbers: dict[tuple[str, int], list[str]] = {}
    for case in store.cases():
        numbers.setdefault((case.kind, case.year), []).append(case.number)
    parsed = parse_cases(sheet, today=today, people=store.people(), existing=store.case_by_key,
                         numbers=lambda kind, year: numbers.get((kind, year), ()),
                         rules_table=store.get_setting(RULES_SETTING, None),
                         progress=_step(progress, "check"))
    result = ImportResult("cases", name, total=parsed.total, problems=parsed.problems,
                          warnings=parsed.warnings, dry_run=dry_run, partial=partial,
                          overwrite=overwrite, today=today.isoformat())
    seen = snapshots(store) if any(old is not None for _, _, old in parsed.good) else {}
    for rv, case, old in parsed.good:
        result.plans.append(plan_case(
            rv.row, case, old, snapshot=seen.get(old.id) if old is not None else None,
            history=_history_of(store, old)))
    result.count()
    return result


def _history_of(store, case: Case | None) -> Callable[[], Sequence[HistoryEvent]]:
    """``case``'s stored history, read only if the merge asks for it (a new case has none)."""
    if case is None:
        return tuple
    return partial(store.history, case.id)


def apply_plan(store, result: ImportResult, who: str, *, overwrite: bool | None = None,
               progress: Progress | None = None) -> ImportResult:
    """Write a planned import in one transaction: every case whose plan changes it (with
    the conflicts when ``overwrite``), each with the file and row in its history note, and
    every good row's snapshot. Raises :class:`StalePreview` (writing nothing) when a case
    changed or was added since the plan was made."""
    if overwrite is not None:
        result.overwrite = overwrite
    overwrite = result.overwrite
    versions = {c.id: c.version for c in store.cases()}
    for plan in result.plans:
        if plan.old is None:
            if store.case_by_key(plan.case.key) is not None:
                raise StalePreview("ledger.err.stale_preview", number=plan.case.number)
        elif versions.get(plan.old.id) != plan.old.version:
            raise StalePreview("ledger.err.stale_preview", number=plan.old.number)
    seen = snapshots(store)
    key = "ledger.history_note_overwrite" if overwrite else "ledger.history_note"
    todo = [p for p in result.plans if p.writes(overwrite)]
    cells: dict[int, dict[str, str]] = {}
    # thousands of new objects that live on and no cycle among them: the collector would
    # walk them, and the whole unfrozen heap, several times (~0.6 s of a 5,000-row commit)
    with gc_paused(), store.transaction():
        def write(_: int, plan: CasePlan) -> None:
            note = t(key, "zh", file=result.filename or "-", row=plan.row)
            case = plan.target(overwrite)  # the plan's own (plan_case copies old)
            if plan.old is None:
                store.add_case(case, who, note)
            else:
                store.save_case(case, who, note, expected_version=plan.old.version)
            plan.stored = case

        _write(progress, todo, write)
        for plan in result.plans:
            stored = plan.stored or plan.old
            assert stored is not None, "a plan for a new case always writes it"
            cells[stored.id] = snapshot_after(plan, stored, overwrite, seen.get(stored.id))
        record_snapshots(store, cells, how="import", name=result.filename,
                         at=result.today, known=seen)
    result.count()
    result.written = True
    result.dry_run = False
    return result


def export_ledger(store, year: int | None = None, *, today: dt.date | None = None) -> bytes:
    """The ledger as .xlsx bytes: cases (of ``year``), their history, and the people.

    A writable store keeps each exported case's cells as its snapshot (what the office now
    holds), so a later import tells the office's edits from changes made in chat since.
    """
    today = today or SystemTime().today()
    cases = sorted(store.cases(year), key=ledger_order)
    history = {c.id: store.history(c.id) for c in cases}
    data = ledger_workbook(cases, today=today, history=history, people=store.people())
    if not getattr(store, "readonly", True):
        recorder = ExportRecord(store, cases, today)
        while recorder.step():
            pass
    return data


class ExportRecord:
    """After an export, keep each exported case's cells as its snapshot: the office now
    holds them, so a later import tells its edits from changes made in chat since.

    The cells are those of the cases as exported (a case changed in chat after the export
    is a change since it). Written ``chunk`` cases per transaction, so that the bot can
    answer others between two steps of a big export; a step cut short leaves the older
    snapshots of the rest, which can only list a conflict, never apply one."""

    def __init__(self, store, cases: Sequence[Case], today: dt.date, chunk: int = 250) -> None:
        self.store, self.today, self.chunk = store, today, chunk
        self.cases, self.done = list(cases), 0
        self.known = snapshots(store).keys()

    def step(self) -> bool:
        """Record the next chunk (one transaction); False when nothing is left."""
        chunk = self.cases[self.done:self.done + self.chunk]
        self.done += len(chunk)
        if not chunk:
            return False
        present = {c.id for c in self.store.cases_with_ids(c.id for c in chunk)}
        with self.store.transaction():
            cells = {c.id: ledger_cells(c) for c in chunk if c.id in present}
            record_snapshots(self.store, cells, how="export", name="",
                             at=self.today.isoformat(), known=self.known)
        return self.done < len(self.cases)


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
                          placeholder=lambda p: _made_at_start(store, p),
                          progress=_step(progress, "check"))
    result = ImportResult("people", name, total=parsed.total, problems=parsed.problems,
                          warnings=parsed.warnings, dry_run=dry_run, partial=partial)
    return _apply(store, result, parsed.good,
                  changed=lambda old, new: old.to_dict() != new.to_dict(),
                  add=lambda person, note: store.add_person(person, who, note),
                  save=lambda person, old, note: store.save_person(person, who, note),
                  progress=progress, write_now=not dry_run and (partial or not parsed.problems))

#: who the history names for the admins made at start from ``DUBAN_ADMINS`` (bot/app.py)
BOOTSTRAP_WHO = "bootstrap"


def _made_at_start(store, person) -> bool:
    """An office admin created at start (``DUBAN_ADMINS``) and not renamed since."""
    events = store.person_history(person.id)
    created = next((e for e in events if e.get("field") == "created"), None)
    renamed = any(e.get("field") == "name" for e in events)
    return (created is not None and created.get("who") == BOOTSTRAP_WHO and not renamed
            and person.position == "office")


def export_people(store) -> bytes:
    """The people list as .xlsx bytes (the people sheet of the contract)."""
    return people_workbook(store.people())

