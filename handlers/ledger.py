"""The ledger and the report in chat: an office admin sends the ledger as a document;
/export sends it back; /report gives the year's figures with an .xlsx attachment.

Import in chat: the file is read in a worker thread (openpyxl parsing, no store access), then
checked and written on the event loop's thread, with a status message edited as it goes.
All rows or nothing by default; a caption "部分导入" / "partial" writes the good rows, "检查"
/ "check" / "dry" only checks. When an all-or-nothing import finds bad rows, the bot offers
[只导入正确的行]; the file waits for that answer in memory (a few files, a few minutes),
so after a restart the button says it has expired.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import secrets
import time
from pathlib import Path

from telegram import InputFile
from telegram.ext import Application, MessageHandler, filters

from bot.domain.access import decide
from bot.domain.model import ValidationError
from handlers.common import Ctx, btn, button, command, esc, fit, guard, keyboard
from handlers.offload import export_bytes, in_child, in_thread, report_parts

log = logging.getLogger("duban.ledger")

MAX_BYTES = 10 * 2**20
PROBLEMS_SHOWN = 30
#: files kept for the [只导入正确的行] answer: token -> (time, filename, bytes, people?)
_PENDING: dict[str, tuple[float, str, bytes, bool]] = {}
PENDING_SECONDS = 15 * 60
PENDING_MAX = 8
UNIT_SETTING = "unit"

_PARTIAL = re.compile(r"部分|partial", re.I)
_DRY = re.compile(r"检查|试导入|校验|check|dry", re.I)
_PEOPLE = re.compile(r"人员|名单|people", re.I)


def _remember(filename: str, data: bytes, people: bool) -> str:
    now = time.monotonic()
    for token, (at, *_rest) in list(_PENDING.items()):
        if now - at > PENDING_SECONDS:
            del _PENDING[token]
    while len(_PENDING) >= PENDING_MAX:
        del _PENDING[next(iter(_PENDING))]
    token = secrets.token_hex(4)
    _PENDING[token] = (now, filename, data, people)
    return token


@guard("import")
async def on_document(c: Ctx) -> None:
    doc = c.update.effective_message.document
    name = doc.file_name or "ledger"
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        await c.reply(c.t("lc.bad_type", name=esc(name)))
        return
    if doc.file_size and doc.file_size > MAX_BYTES:
        await c.reply(c.t("lc.too_big", mb=MAX_BYTES // 2**20))
        return
    caption = c.update.effective_message.caption or ""
    people = bool(_PEOPLE.search(caption) or _PEOPLE.search(name))
    status = await c.reply(c.t("lc.reading", name=esc(name)))
    try:
        file = await doc.get_file()
        data = bytes(await file.download_as_bytearray())
    except Exception:
        log.warning("could not download %s", name, exc_info=True)
        await status.edit_text(c.t("lc.download_failed"))
        return
    await run_import(c, status, name, data, people=people, partial=bool(_PARTIAL.search(caption)),
                     dry_run=bool(_DRY.search(caption)))


async def run_import(c: Ctx, status, name: str, data: bytes, *, people: bool, partial: bool,
                     dry_run: bool) -> None:
    from data.ledger import import_cases_sheet, import_people
    from data.ledger_read import read_sheet

    from data.errors import DuplicateCase, StaleCase
    from data.ledger import RULES_SETTING
    from handlers.offload import SnapshotStore, check_in_child

    try:
        if people:
            result = import_people(c.store, data, name, c.who, partial=partial, dry_run=dry_run)
        else:
            sheet = await asyncio.to_thread(read_sheet, data, name)
            await status.edit_text(c.t("lc.checking", name=esc(name)))
            # checked off the loop (a forked child) on a snapshot; written here, on the loop
            snapshot = SnapshotStore(c.store, (RULES_SETTING,))
            who, today = c.who, c.today
            result = await check_in_child(snapshot, lambda snap: import_cases_sheet(
                snap, sheet, name, who, partial=partial, dry_run=dry_run, today=today))
            try:
                snapshot.commit(c.store)
            except (StaleCase, DuplicateCase):  # another chat changed a case meanwhile
                await status.edit_text(c.t("live.import_stale", name=esc(name)))
                return
    except ValidationError as exc:  # the file as a whole cannot be read
        await status.edit_text(c.t("lc.unreadable", name=esc(name), reason=esc(exc.render(c.lang))))
        return
    text = esc(result.render(c.lang, limit=PROBLEMS_SHOWN))
    rows = []
    if result.problems and not result.written and not dry_run and (result.total > len(result.bad_rows)):
        token = _remember(name, data, people)
        rows.append([btn(c.context, c.t("lc.btn_partial"), "imp", token, "p")])
    elif dry_run and result.ok:
        token = _remember(name, data, people)
        rows.append([btn(c.context, c.t("lc.btn_import"), "imp", token, "a")])
    await status.edit_text(fit(text), reply_markup=keyboard(rows))


@button("imp")
async def import_button(c: Ctx) -> None:
    decision = decide(c.person, "import")
    if not decision:
        await c.refuse(decision.reason)
        return
    token, mode = (c.args + ["", ""])[:2]
    pending = _PENDING.pop(token, None)
    if pending is None:
        await c.answer(c.t("lc.expired"), alert=True)
        return
    _at, name, data, people = pending
    query = c.update.callback_query
    await query.edit_message_reply_markup(None)
    status = await c.reply(c.t("lc.reading", name=esc(name)))
    await run_import(c, status, name, data, people=people, partial=mode == "p", dry_run=False)


def _year_arg(c: Ctx) -> int | None:
    if not c.args:
        return None
    text = c.args[0].strip().rstrip("年")
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
        await c.reply(c.t("lc.no_cases", year=year or c.t("lc.all_years")))
        return
    status = await c.reply(c.t("lc.exporting", n=len(cases)))
    data = await in_child(await export_bytes(c.store, year, c.today))  # rendered off the loop
    name = f"{c.t('lc.ledger_file')}_{year or c.t('lc.all_years')}_{c.today.isoformat()}.xlsx"
    await c.context.bot.send_document(c.chat_id, InputFile(io.BytesIO(data), filename=name),
                                      caption=c.t("lc.exported", n=len(cases)))
    await status.delete()


@guard("report")
async def report_cmd(c: Ctx) -> None:
    try:
        year = _year_arg(c) or c.today.year
    except ValueError as exc:
        await c.reply(c.t("lc.bad_year", value=esc(exc.args[0])))
        return
    cases = c.store.cases(year)
    if not cases:
        await c.reply(c.t("lc.no_cases", year=year))
        return
    unit = c.store.get_setting(UNIT_SETTING, "") or ""
    text, xlsx = await in_thread(report_parts, cases, year, unit, c.today, c.lang)
    await c.reply(esc(text))
    name = f"{c.t('lc.report_file', year=year)}.xlsx"
    await c.context.bot.send_document(c.chat_id, InputFile(io.BytesIO(xlsx), filename=name),
                                      caption=c.t("lc.report_caption", year=year))


def register(app: Application) -> None:
    app.add_handler(MessageHandler(filters.Document.ALL & filters.ChatType.PRIVATE
                                   & filters.UpdateType.MESSAGE, on_document))
    command(app, "export", export_cmd)
    command(app, "report", report_cmd)
