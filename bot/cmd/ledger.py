"""The ledger and the annual report on the command line.

    duban import cases.xlsx [--partial] [--dry-run] [--overwrite]
                                                        import the year's cases (台账)
    duban export [--year 2020] out.xlsx                 cases, history and people as .xlsx
    duban report --year 2020 [--json] [--xlsx r.xlsx] [--docx r.docx]   the annual report
    duban people import people.xlsx [--partial] [--dry-run]
    duban people list

An import merges the rows into the stored cases: a blank cell never erases, and a change
that would undo work (a stage moving back, a value dropped, a field changed in chat since
the last import or export) is a conflict: listed with case, field, stored and file value,
and applied only with ``--overwrite``. ``--dry-run`` lists the same and writes nothing.

Exit status: 0 done (conflicts left out are listed, not an error); 1 the file has bad rows
(nothing imported, or with ``--partial`` the good rows imported and the bad ones listed);
2 bad input (an unreadable file, a bad
option); 3 the data store cannot be used (the bot holds it for writing). Messages are in
Chinese unless ``--lang en``. The data store is ``DUBAN_DATA_DIR`` (default ``./var``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import IO

from bot.cmd.common import guarded, open_data_store, operator
from bot.domain.model import ValidationError
from bot.texts import t

WHO = operator()
#: files at least this long get a progress bar (on a terminal)
PROGRESS_MIN_ROWS = 500


def register(sub: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="输出语言 / output language")

    writing = argparse.ArgumentParser(add_help=False, parents=[common])
    writing.add_argument("--partial", action="store_true",
                         help="只导入无误的行,列出有问题的行 / "
                              "import the good rows, list the bad ones")
    writing.add_argument("--dry-run", action="store_true",
                         help="只检查,不写入 / check only, write nothing")
    writing.add_argument("--who", default=WHO, help="记入历史的操作人 / the name history records")

    p = sub.add_parser("import", parents=[writing],
                       help="导入台账(.xlsx/.csv)/ import the ledger of cases")
    p.add_argument("file", help="台账文件 / the ledger file (.xlsx or .csv)")
    p.add_argument("--overwrite", action="store_true",
                   help="冲突也按表格覆盖(空白单元格仍不清除)/ apply the conflicts too "
                        "(blank cells still never erase)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", parents=[common],
                       help="导出台账为 .xlsx / export the ledger as .xlsx")
    p.add_argument("--year", type=int, help="只导出某年度 / only this year")
    p.add_argument("--with-files", action="store_true",
                   help="写成 .zip:台账加各件附件(按编号分文件夹)/ write a .zip: the ledger "
                        "plus the documents' files in folders by case number")
    p.add_argument("out", help="输出文件 / the .xlsx file to write (.zip with --with-files)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("report", parents=[common],
                       help="年度办理工作总结的数据 / the annual report's figures")
    p.add_argument("--year", type=int, required=True, help="年度 / the year, e.g. 2020")
    p.add_argument("--json", action="store_true", help="输出 JSON 数字 / the figures as JSON")
    p.add_argument("--xlsx", metavar="FILE", help="同时保存为 .xlsx / also save as .xlsx")
    p.add_argument("--docx", metavar="FILE",
                   help="同时保存为公文格式的 Word 文档 / also save the report as a .docx")
    p.add_argument("--to", default="", help="主送机关,默认 省政府办公厅 / the addressee")
    p.add_argument("--unit", default="", help="单位名称,如 省投资促进局 / the department's name")
    p.add_argument("--today", help="计算超期的日期 / the day for overdue counts (YYYY-MM-DD)")
    p.set_defaults(func=cmd_report)

    people = _subcommands(sub, "people", "人员名单 / the people list")
    p = people.add_parser("import", parents=[writing],
                          help="导入人员名单(.xlsx/.csv)/ import the people list")
    p.add_argument("file", help="人员名单文件 / the people file (.xlsx or .csv)")
    p.set_defaults(func=cmd_people_import)
    p = people.add_parser("list", parents=[common], help="列出人员 / list the people")
    p.set_defaults(func=cmd_people_list)


def _subcommands(sub: argparse._SubParsersAction, name: str, help_text: str
                 ) -> argparse._SubParsersAction:
    """The sub-commands of ``duban NAME``, shared with another module that registers them."""
    parser = sub.choices.get(name)
    if parser is None:
        parser = sub.add_parser(name, help=help_text)
        return parser.add_subparsers(dest=f"{name}_command", metavar="ACTION", required=True)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest=f"{name}_command", metavar="ACTION", required=True)






def _today(args: argparse.Namespace):
    import datetime as dt

    from bot.domain.timeutil import SystemTime

    value = getattr(args, "today", None)
    if not value:
        return SystemTime().today()
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError("err.bad_date", field="today", value=value) from None


class ProgressBar:
    """A one-line progress bar on a terminal: ``检查 [#####.....] 2000/5000``.

    Drawn only when ``stream`` is a terminal (or ``force``) and the file is long; redrawn
    at most ten times a second.
    """

    def __init__(self, lang: str, stream: IO[str] | None = None, *, force: bool = False,
                 min_total: int = PROGRESS_MIN_ROWS, width: int = 30) -> None:
        self.lang = lang
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = force or self.stream.isatty()
        self.min_total = min_total
        self.width = width
        self._last = 0.0
        self._drawn = False

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled or total < self.min_total:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        filled = self.width * done // max(total, 1)
        label = t(f"ledger.progress.{phase}", self.lang)
        self.stream.write(f"\r{label} [{'#' * filled}{'.' * (self.width - filled)}] "
                          f"{done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
        self._drawn = True


def _print_result(result, lang: str) -> int:
    print(result.render(lang))
    return 1 if result.problems else 0


@guarded
def cmd_import(args: argparse.Namespace) -> int:
    from data.ledger import import_ledger

    with open_data_store(readonly=args.dry_run) as store:
        result = import_ledger(store, Path(args.file), who=args.who, partial=args.partial,
                               dry_run=args.dry_run, overwrite=args.overwrite,
                               progress=ProgressBar(args.lang), today=_today(args))
    return _print_result(result, args.lang)


@guarded
def cmd_people_import(args: argparse.Namespace) -> int:
    from data.ledger import import_people

    with open_data_store(readonly=args.dry_run) as store:
        result = import_people(store, Path(args.file), who=args.who, partial=args.partial,
                               dry_run=args.dry_run, progress=ProgressBar(args.lang))
    return _print_result(result, args.lang)


@guarded
def cmd_export(args: argparse.Namespace) -> int:
    from contextlib import ExitStack

    from data.errors import StoreLocked
    from data.ledger import export_ledger

    with ExitStack() as stack:
        # writable when the bot does not hold the store: the export is then remembered as
        # what the office holds (the cases' snapshots), so a later import tells the office's
        # edits from changes made in chat since
        try:
            store = stack.enter_context(open_data_store(readonly=False))
        except StoreLocked:
            store = stack.enter_context(open_data_store(readonly=True))
        data = export_ledger(store, args.year, today=_today(args))
        if args.with_files:
            return _export_with_files(store, args, data)
        cases = len(store.cases(args.year))
        events = sum(len(store.history(c.id)) for c in store.cases(args.year))
        people = len(store.people())
    from data.perms import ensure_private, private_umask

    out = Path(args.out)
    try:
        private_umask()
        out.write_bytes(data)
        ensure_private(out, recursive=False)  # an export names people: 0600
    except OSError as exc:
        raise ValidationError("ledger.err.cannot_open", name=str(out),
                              reason=exc.strerror or str(exc)) from None
    print(t("ledger.exported", args.lang, cases=cases, events=events, people=people,
            path=str(out)))
    return 0


def _export_with_files(store, args: argparse.Namespace, ledger: bytes) -> int:
    """``duban export --with-files out.zip``: the ledger and the files (data.files)."""
    from data.files import export_with_files
    from data.perms import ensure_private, private_umask

    out = Path(args.out)
    if out.suffix.lower() != ".zip":
        out = out.with_name(out.name + ".zip")
    name = f"{t('lc.ledger_file', args.lang)}_{args.year or t('lc.all_years', args.lang)}.xlsx"
    try:
        private_umask()
        counts = export_with_files(store.data_dir, store.cases(args.year), ledger, name, out,
                                   args.lang)
        ensure_private(out, recursive=False)
    except OSError as exc:
        raise ValidationError("ledger.err.cannot_open", name=str(out),
                              reason=exc.strerror or str(exc)) from None
    print(t("export.with_files", args.lang, path=str(out), files=counts["files"],
            links=counts["links"]))
    if counts["missing"]:
        print(t("export.files_missing", args.lang, n=counts["missing"]), file=sys.stderr)
        return 1
    return 0


@guarded
def cmd_report(args: argparse.Namespace) -> int:
    from bot.domain.report import render_report_text, report_figures

    today = _today(args)
    chart = None
    with open_data_store(readonly=True) as store:
        cases = store.cases(args.year)
        fig = report_figures(cases, args.year, unit=args.unit, today=today)
        if args.xlsx and cases:
            from functools import partial

            from bot.domain.charts import chart_data
            from data.views import rules_of, work_calendar

            chart = chart_data(cases, today, work_calendar(store), partial(rules_of, store),
                               year=args.year)
    if args.json:
        print(json.dumps(fig.to_dict(), ensure_ascii=False, indent=2))
    else:
        if fig.total == 0 and not fig.continuation and not fig.continuation_open:
            print(t("report.no_cases", args.lang, year=args.year), file=sys.stderr)
        print(render_report_text(fig, args.lang))
    if args.xlsx:
        from data.charts import render_chart
        from data.ledger_write import report_xlsx

        png = render_chart(chart, args.lang) if chart is not None else None
        try:
            Path(args.xlsx).write_bytes(report_xlsx(fig, args.lang, png))
        except OSError as exc:
            raise ValidationError("ledger.err.cannot_open", name=args.xlsx,
                                  reason=exc.strerror or str(exc)) from None
        print(t("report.saved", args.lang, path=args.xlsx), file=sys.stderr)
    if args.docx:
        from data.report_docx import report_docx

        try:
            Path(args.docx).write_bytes(report_docx(fig, today, args.lang, to=args.to))
        except OSError as exc:
            raise ValidationError("ledger.err.cannot_open", name=args.docx,
                                  reason=exc.strerror or str(exc)) from None
        print(t("report.saved", args.lang, path=args.docx), file=sys.stderr)
    return 0


@guarded
def cmd_people_list(args: argparse.Namespace) -> int:
    from data.ledger_write import person_cells

    with open_data_store(readonly=True) as store:
        people = store.people()
    if not people:
        print(t("ledger.people.none", args.lang))
        return 0
    print(t("ledger.people.header", args.lang).replace("|", "\t"))
    for person in people:
        cells = person_cells(person)
        division = person.division or "、".join(person.leads_divisions)
        state = (t("people.inactive", args.lang) if not person.active
                 else t("people.unapproved", args.lang) if not person.approved
                 else t("ledger.people.active", args.lang))
        print("\t".join([person.name, t(f"position.{person.position}", args.lang),
                         division or "-", cells["telegram"] or "-", state]))
    print(t("ledger.people.count", args.lang, count=len(people)))
    return 0
