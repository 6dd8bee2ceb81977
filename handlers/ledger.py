"""The ledger and the report in chat: an office admin sends the ledger as a document;
/export sends it back; /report gives the year's figures with an .xlsx attachment.

Cases ledger in chat: a preview, then a button. The file is read, and its rows checked and
planned, in a forked child on a snapshot of the store (:func:`plan_cases`), and the office
sees the preview (new, changed, conflicts, bad rows, warnings) with [查看各件变更] [导入]
[导入并按表格覆盖冲突] [取消]. A press checks the access again and writes on the loop's
thread in one transaction (:func:`apply_cases`); a preview some case changed since is
refused (send the file again). Previews wait in memory (a few, a few minutes), so after a
restart their buttons say they have expired.

People list (caption or file name 人员/名单/people): imported at once, all rows or nothing;
with bad rows the bot offers [只导入正确的行]; "检查"/"check" only checks.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import time
from pathlib import Path

from telegram import InputFile
from telegram.ext import Application, MessageHandler, filters

from bot.domain.access import decide
from bot.domain.model import ValidationError
from handlers import FEATURES
from handlers.buttons import ImportButton, PreviewButton
from handlers.common import (
    Ctx,
    app_state,
    btn,
    button,
    command,
    esc,
    fit,
    guard,
    keep,
    keyboard,
)
from handlers.offload import export_bytes, in_child, in_thread

log = logging.getLogger("duban.ledger")

MAX_BYTES = 10 * 2**20
PROBLEMS_SHOWN = 30
#: files kept for the [只导入正确的行] answer: the Application's ``BotData.pending_files``
PENDING_SECONDS = 15 * 60
PENDING_MAX = 8
UNIT_SETTING = "unit"

_PARTIAL = re.compile(r"部分|partial", re.I)
_DRY = re.compile(r"检查|试导入|校验|check|dry", re.I)
_PEOPLE = re.compile(r"人员|名单|people", re.I)


def _remember(c: Ctx, filename: str, data: bytes, people: bool) -> str:
    return keep(app_state(c.context).pending_files,
                (time.monotonic(), filename, data, people), at=lambda kept: kept[0],
                seconds=PENDING_SECONDS, most=PENDING_MAX)


#: a preview of a cases ledger waits for a button in the Application's ``BotData.previews``
CHANGES_SHOWN = 40


def _keep_preview(c: Ctx, result) -> str:
    return keep(app_state(c.context).previews, (time.monotonic(), result),
                at=lambda kept: kept[0], seconds=PENDING_SECONDS, most=PENDING_MAX)


def _preview(c: Ctx, token: str):
    previews = app_state(c.context).previews
    entry = previews.get(token)
    if entry is None or time.monotonic() - entry[0] > PENDING_SECONDS:
        previews.pop(token, None)
        return None
    return entry[1]


@guard("import")
async def on_document(c: Ctx) -> None:
    doc = c.message.document
    assert doc is not None  # registered for documents only
    name = doc.file_name or "ledger"
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        await c.reply(c.t("lc.bad_type", name=esc(name)))
        return
    if doc.file_size and doc.file_size > MAX_BYTES:
        await c.reply(c.t("lc.too_big", mb=MAX_BYTES // 2**20))
        return
    caption = c.message.caption or ""
    people = bool(_PEOPLE.search(caption) or _PEOPLE.search(name))
    status = await c.reply(c.t("lc.reading", name=esc(name)))
    try:
        file = await doc.get_file()
        data = bytes(await file.download_as_bytearray())
    except Exception:
        log.warning("could not download %s", name, exc_info=True)
        await status.edit_text(c.t("lc.download_failed"))
        return
    if people:
        await run_import(c, status, name, data, people=True,
                         partial=bool(_PARTIAL.search(caption)), dry_run=bool(_DRY.search(caption)))
    else:
        await preview_cases(c, status, name, data)


def _read_bounded(data: bytes, name: str):
    """The sheet of a cases ledger, bounded by work, not only size (zip bombs, cell counts,
    parse time): ValidationError when not. In a forked child the parse time is cut by an
    alarm; where there is no fork (a worker thread), only the size and cell checks hold."""
    import signal
    import threading

    from data.ledger_limits import check_upload, parse_deadline
    from data.ledger_read import read_sheet

    check_upload(data, name)
    seconds = parse_deadline()
    in_main = threading.current_thread() is threading.main_thread()
    if not hasattr(signal, "setitimer") or not in_main:
        return read_sheet(data, name)

    def too_slow(_signum, _frame):
        raise _TooSlow  # not an Exception: the reader's "damaged file" handler lets it by

    before = signal.signal(signal.SIGALRM, too_slow)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        try:
            return read_sheet(data, name)
        finally:  # (an alarm just before this line is still caught below)
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _TooSlow:
        raise ValidationError("ledger.err.parse_timeout", seconds=max(1, round(seconds))) from None
    finally:
        signal.signal(signal.SIGALRM, before)


class _TooSlow(BaseException):
    """The parse time of an upload ran out (raised by the alarm, inside the parser)."""


async def plan_cases(c: Ctx, name: str, data: bytes):
    """Read the sheet, then check and plan every row against a snapshot of the store, all in
    one forked child: off the loop and off its interpreter lock (openpyxl in a worker thread
    made every other chat's answer seconds late). Writes nothing; applying the plan
    (:func:`apply_cases`) refuses it when a case changed since (StalePreview). Raises
    ValidationError when the file as a whole cannot be read."""
    from data.ledger import RULES_SETTING, plan_cases_sheet
    from handlers.offload import SnapshotStore, check_in_child

    snapshot = SnapshotStore(c.store, (RULES_SETTING,), ledger=True)
    today = c.today

    def work(snap: SnapshotStore):
        try:
            sheet = _read_bounded(data, name)
        except ValidationError as exc:  # sent back as it is (the child's errors are text)
            return exc, None
        return None, plan_cases_sheet(snap, sheet, name, partial=True, dry_run=True,
                                      today=today)

    def split(pair):  # the plans come back in pieces (unpickling them all at once held
        failed, result = pair  # the loop for ~0.3 s)
        if result is None:
            return pair, []
        plans, result.plans = result.plans, []
        return pair, plans

    def join(pair, plans):
        if pair[1] is not None:
            pair[1].plans = plans
        return pair

    failed, result = await check_in_child(snapshot, work, split=split, join=join)
    if failed is not None:
        raise failed
    return result


def apply_cases(c: Ctx, result, overwrite: bool):
    """Write a previewed import (on the loop's thread, one transaction)."""
    from data.ledger import apply_plan

    return apply_plan(c.store, result, c.who, overwrite=overwrite)


def preview_text(c: Ctx, result) -> str:
    changed = result.changed
    lines = [c.t("ledger.preview", name=result.filename, created=result.created,
                 changed=len(changed), conflicts=len(result.conflicts),
                 unchanged=len(result.plans) - result.created - len(changed),
                 bad=len(result.bad_rows), warnings=len(result.warnings))]
    if not result.created and not changed and not result.problems:
        lines.append(c.t("ledger.preview.nothing"))
    elif result.problems:
        lines.append(c.t("ledger.preview.bad_skipped"))
    lines += result.details(c.lang, limit=PROBLEMS_SHOWN)
    return esc("\n".join(lines))


async def preview_cases(c: Ctx, status, name: str, data: bytes) -> None:
    await status.edit_text(c.t("lc.checking", name=esc(name)))
    try:
        result = await plan_cases(c, name, data)
    except ValidationError as exc:  # the file as a whole cannot be read
        await status.edit_text(c.t("lc.unreadable", name=esc(name), reason=esc(exc.render(c.lang))))
        return
    rows = []
    if result.created or result.changed:
        token = _keep_preview(c, result)
        rows.append([btn(c.context, c.t("ledger.btn.details"), PreviewButton(token, "d"))])
        rows.append([btn(c.context, c.t("ledger.btn.import"), PreviewButton(token, "i"))])
        if result.conflicts:
            rows.append([btn(c.context, c.t("ledger.btn.overwrite"), PreviewButton(token, "o"))])
        rows.append([btn(c.context, c.t("ledger.btn.cancel"), PreviewButton(token, "c"))])
    await status.edit_text(fit(preview_text(c, result)), reply_markup=keyboard(rows))


@button(PreviewButton)
async def preview_button(c: Ctx, b: PreviewButton) -> None:
    """[查看各件变更] [导入] [导入并按表格覆盖冲突] [取消] under a preview."""
    from data.ledger import StalePreview, render_changes

    decision = decide(c.person, "import")
    if not decision:
        await c.refuse(decision.reason)
        return
    token, action = b.token, b.choice
    result = _preview(c, token)
    query = c.query
    if result is None:
        await c.answer(c.t("lc.expired"), alert=True)
        await query.edit_message_reply_markup(None)
        return
    if action == "d":
        plans = [p for p in result.plans if p.old is None or p.changes]
        shown = [render_changes(p, c.lang) for p in plans[:CHANGES_SHOWN]]
        if len(plans) > len(shown):
            shown.append(c.t("ledger.preview.more_cases", count=len(plans) - len(shown)))
        await c.reply(fit(esc("\n\n".join(shown) or c.t("ledger.preview.details_none"))))
        return
    app_state(c.context).previews.pop(token, None)
    if action == "c":
        await query.edit_message_text(c.t("ledger.preview.cancelled"))
        return
    try:
        done = apply_cases(c, result, overwrite=action == "o")
    except StalePreview as exc:
        await query.edit_message_text(esc(exc.render(c.lang)))
        return
    await query.edit_message_text(fit(esc(done.render(c.lang, limit=PROBLEMS_SHOWN))))


async def run_import(c: Ctx, status, name: str, data: bytes, *, people: bool, partial: bool,
                     dry_run: bool) -> None:
    from data.ledger import StalePreview, import_people
    from data.ledger_limits import check_upload

    try:
        if people:
            # bounded by work, not only size (zip bombs): looked into off the event loop
            await asyncio.to_thread(check_upload, data, name)
            result = import_people(c.store, data, name, c.who, partial=partial, dry_run=dry_run)
        else:
            await status.edit_text(c.t("lc.checking", name=esc(name)))
            # read and planned off the loop (a forked child) on a snapshot; written here
            result = await plan_cases(c, name, data)
            if not dry_run and (partial or not result.problems):
                try:
                    result = apply_cases(c, result, overwrite=False)
                except StalePreview:  # another chat changed a case meanwhile
                    await status.edit_text(c.t("live.import_stale", name=esc(name)))
                    return
    except ValidationError as exc:  # the file as a whole cannot be read
        await status.edit_text(c.t("lc.unreadable", name=esc(name), reason=esc(exc.render(c.lang))))
        return
    text = esc(result.render(c.lang, limit=PROBLEMS_SHOWN))
    rows = []
    if result.problems and not result.written and not dry_run \
            and result.total > len(result.bad_rows):
        token = _remember(c, name, data, people)
        rows.append([btn(c.context, c.t("lc.btn_partial"), ImportButton(token, "p"))])
    elif dry_run and result.ok:
        token = _remember(c, name, data, people)
        rows.append([btn(c.context, c.t("lc.btn_import"), ImportButton(token, "a"))])
    await status.edit_text(fit(text), reply_markup=keyboard(rows))


@button(ImportButton)
async def import_button(c: Ctx, b: ImportButton) -> None:
    decision = decide(c.person, "import")
    if not decision:
        await c.refuse(decision.reason)
        return
    token, mode = b.token, b.mode
    pending = app_state(c.context).pending_files.pop(token, None)
    if pending is None:
        await c.answer(c.t("lc.expired"), alert=True)
        return
    _at, name, data, people = pending
    query = c.query
    await query.edit_message_reply_markup(None)
    status = await c.reply(c.t("lc.reading", name=esc(name)))
    await run_import(c, status, name, data, people=people, partial=mode == "p", dry_run=False)


def _year_arg(c: Ctx) -> int | None:
    if not c.words:
        return None
    text = c.words[0].strip().rstrip("年")
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    raise ValueError(text)


@guard("export")
async def export_cmd(c: Ctx) -> None:
    try:
        year = _year_arg(c)
    except ValueError as exc:
        await c.reply(c.t("lc.bad_year", value=esc(exc.args[0])))
        return
    cases = c.store.cases(year)
    if not cases:
        await c.reply(c.t("lc.no_cases", year=c.t("q.progress_year", year=year) if year
                          else c.t("lc.all_years")))
        return
    status = await c.reply(c.t("lc.exporting", n=len(cases)))
    data = await in_child(await export_bytes(c.store, year, c.today))  # rendered off the loop
    name = f"{c.t('lc.ledger_file')}_{year or c.t('lc.all_years')}_{c.today.isoformat()}.xlsx"
    await c.context.bot.send_document(c.chat_id, InputFile(io.BytesIO(data), filename=name),
                                      caption=c.t("lc.exported", n=len(cases)))
    await status.delete()
    from data.ledger import ExportRecord

    recorder = ExportRecord(c.store, cases, c.today)  # what the office now holds
    while recorder.step():
        await asyncio.sleep(0)  # others are answered between two chunks


@guard("report")
async def report_cmd(c: Ctx) -> None:
    from bot.domain.report import render_report_text, report_figures

    try:
        year = _year_arg(c) or c.today.year
    except ValueError as exc:
        await c.reply(c.t("lc.bad_year", value=esc(exc.args[0])))
        return
    cases = c.store.cases(year)
    if not cases:
        await c.reply(c.t("lc.no_cases", year=c.t("q.progress_year", year=year)))
        return
    unit = c.store.get_setting(UNIT_SETTING, "") or ""
    # the figures and their text off the loop (a thread, on the immutable cases); the files
    # in the drawing process (handlers.reportdoc)
    fig = await in_thread(report_figures, cases, year, unit=unit, today=c.today)
    await c.reply(esc(await in_thread(render_report_text, fig, c.lang, table=False)))
    from handlers.reportdoc import send_report_files

    await send_report_files(c, fig, cases)  # the .xlsx (with the chart) and the .docx


@guard("edit_rules")
async def unit_cmd(c: Ctx) -> None:
    """/unit: show the department's name; /unit 省投资促进局: set it (the office; in the
    settings' history, who and when)."""
    from bot.domain.model import ValidationError
    from bot.domain.report import read_unit

    old = c.store.get_setting(UNIT_SETTING, "") or ""
    text = " ".join(c.words).strip()
    if not text:
        if old:
            await c.reply(c.t("unit.show", unit=esc(old)))
        else:
            await c.reply(c.t("unit.unset", default=c.t("report.unit_default")))
        return
    try:
        unit = read_unit(text)
    except ValidationError as exc:
        await c.reply(c.t("unit.bad", error=esc(exc.render(c.lang))))
        return
    if unit == old:
        await c.reply(c.t("unit.same", unit=esc(unit)))
        return
    c.store.set_setting(UNIT_SETTING, unit, c.who)
    await c.reply(c.t("unit.saved", unit=esc(unit), old=esc(old) or c.t("unit.none")))


def register(app: Application) -> None:
    app.add_handler(MessageHandler(filters.Document.ALL & filters.ChatType.PRIVATE
                                   & filters.UpdateType.MESSAGE, on_document), group=FEATURES)
    command(app, "export", export_cmd)
    command(app, "report", report_cmd)
    command(app, "unit", unit_cmd)
