"""Documents on a case in chat: attach a file or a link, list them, get them back.

- The card shows the case's documents (:func:`card_lines`) and, for who may update it, a
  [📎 附件] button; with documents, [📂 文件(n)] lists them with a button per file.
- A file sent in private chat goes to a case when the sender pressed [附件] on it in the
  last :data:`WAIT_SECONDS`, or, failing that, opened its card in the last
  :data:`CARD_SECONDS` (the card rendered for them is remembered in their ``user_data``).
  Without such a case the file is not for this module (the office's ledger import takes
  it); a spreadsheet sent by someone who may import, without [附件], stays a ledger.
- The file's size is checked before it is fetched (Telegram's 20 MB for bots), its format
  by content (:func:`bot.domain.documents.check_format`); it is stored by hash
  (:mod:`data.files`) and the sender chooses its type by button; then the case is saved
  with the document (history: who, when, type and name) if they still may update it.
- After [附件], a link typed (``https://…``) is recorded instead of a file.
- ``/files 0484`` or [📂 文件] lists the documents; each button sends the file back to who
  may see the case (checked again at every press).
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InputFile, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, MessageHandler, filters

from bot.domain import documents as docs
from bot.domain.access import can
from bot.domain.model import Case, ValidationError
from bot.texts import t
from data import files
from data.backup import human_size
from data.errors import StaleCase
from handlers.buttons import (
    AttachButton,
    CaseButton,
    DocTypeButton,
    FileButton,
    FilesButton,
)
from handlers.cards import add_card_buttons, add_card_lines, case_title
from handlers.cases import case_for_button, choose_or_show
from handlers.common import Ctx, app_state, btn, button, command, esc, guard, keep, keyboard

log = logging.getLogger("duban.documents")

#: after [附件], the next file or link goes to that case for this long
WAIT_SECONDS = 10 * 60
#: a file sent within this long of opening a card goes to that card's case
CARD_SECONDS = 30 * 60
#: files waiting for their type: kept this long, at most this many
PENDING_SECONDS = 15 * 60
PENDING_MAX = 32
#: documents listed on the card itself (all of them with /files)
ON_CARD = 5
BUTTONS_MAX = 40

_WAIT = "doc_wait"   # user_data: (case id, monotonic time) after [附件]
_CARD = "doc_card"   # user_data: (case id, monotonic time) of the last card shown


@dataclass
class Pending:
    """A file (stored already) or a link waiting for its type."""

    owner: int  # the Telegram user who sent it
    case_id: int
    at: float
    name: str = ""
    sha256: str = ""
    size: int = 0
    data: bytes = b""
    url: str = ""


def _kept(c: Ctx) -> dict[str, Pending]:
    """The Application's files and links waiting for their type, by token."""
    return app_state(c.context).pending_documents


def _keep(c: Ctx, p: Pending) -> str:
    return keep(_kept(c), p, at=lambda old: old.at, seconds=PENDING_SECONDS, most=PENDING_MAX)


def _pending(c: Ctx, token: str) -> Pending | None:
    p = _kept(c).get(token)
    if p is None or time.monotonic() - p.at > PENDING_SECONDS or p.owner != c.user.id:
        return None
    return p


# ---------------------------------------------------------------- the card


def _viewer_is_user(c: Ctx) -> bool:
    """Whether the card is rendered for the person of the update (not for someone told)."""
    user = c.update.effective_user if c.update is not None else None
    return (user is not None and c.person is not None and c.person.telegram == user.id
            and c.context.user_data is not None)


def card_lines(c: Ctx, case: Case) -> list[str]:
    """The documents on the card (the last few); remembers the card as the one open."""
    if _viewer_is_user(c):
        c.context.user_data[_CARD] = (case.id, time.monotonic())  # type: ignore[index]
    if not case.documents:
        return []
    lines = [c.t("doc.card.header", n=len(case.documents))]
    shown = case.documents[-ON_CARD:]
    lines.extend(" · " + doc_line(c.lang, d) for d in shown)
    if len(case.documents) > len(shown):
        lines.append(c.t("doc.card.more", n=len(case.documents) - len(shown),
                         number=esc(case.number)))
    return lines


def doc_line(lang: str, d: dict[str, Any]) -> str:
    when = str(d.get("at", ""))[:10]
    kind = t(f"doc.type.{d['type']}", lang)
    if d.get("url"):
        return t("doc.line_link", lang, type=kind, url=esc(d["url"]), at=when,
                 by=esc(d.get("by", "")))
    return t("doc.line_file", lang, type=kind, name=esc(d.get("name", "")),
             size=human_size(int(d.get("size", 0))), at=when, by=esc(d.get("by", "")))


def card_buttons(c: Ctx, case: Case) -> list[list[InlineKeyboardButton]]:
    row = []
    if can(c.person, "update", case):
        row.append(btn(c.context, c.t("doc.btn.attach"), AttachButton(case.id)))
    if case.documents:
        row.append(btn(c.context, c.t("doc.btn.files", n=len(case.documents)),
                       FilesButton(case.id)))
    return [row] if row else []




# ---------------------------------------------------------------- attaching


def _fresh(entry: Any, seconds: float) -> int | None:
    if (isinstance(entry, tuple) and len(entry) == 2
            and time.monotonic() - entry[1] <= seconds):
        return int(entry[0])
    return None


def _target(user_data: Any) -> tuple[int, bool] | None:
    """(case id, explicit) a file of this user goes to, or None."""
    if not user_data:
        return None
    waited = _fresh(user_data.get(_WAIT), WAIT_SECONDS)
    if waited is not None:
        return waited, True
    opened = _fresh(user_data.get(_CARD), CARD_SECONDS)
    return (opened, False) if opened is not None else None


def _spreadsheet(name: str) -> bool:
    return name.lower().endswith((".xlsx", ".xlsm", ".csv"))


class _ForCase(MessageHandler):
    """A message handler that takes an update only when its user has a case to attach to
    (``want(app, update)``), so that other handlers of the group (the ledger import) and
    the free-text queries get every other one."""

    def __init__(self, app: Application, flt: Any, callback: Any, want: Any) -> None:
        super().__init__(flt, callback)
        self._app, self._want = app, want

    def check_update(self, update: object) -> Any:
        result = super().check_update(update)
        if not result or not isinstance(update, Update):
            return None
        return result if self._want(self._app, update) else None


def _user_data(app: Application, update: Update) -> Any:
    user = update.effective_user
    return app.user_data.get(user.id) if user is not None else None


def _wants_document(app: Application, update: Update) -> bool:
    target = _target(_user_data(app, update))
    if target is None:
        return False
    message = update.effective_message
    name = (message.document.file_name or "") if message and message.document else ""
    if not target[1] and _spreadsheet(name):
        # a spreadsheet sent while on a card, by someone who may import: still a ledger
        store = app.bot_data.get("store")
        user = update.effective_user
        person = store.person_by_telegram(user.id) if store and user else None
        if can(person, "import"):
            return False
    return True


def _wants_link(app: Application, update: Update) -> bool:
    message = update.effective_message
    text = (message.text or "").strip() if message else ""
    if not ("://" in text[:12] or text.lower().startswith("www.")):
        return False
    target = _target(_user_data(app, update))
    return target is not None and target[1]


@button(AttachButton)
async def attach_button(c: Ctx, b: AttachButton) -> None:
    """[📎 附件]: the next file or link of this user goes to the case."""
    case = await case_for_button(c, b.case_id, "update")
    if case is None:
        return
    assert c.context.user_data is not None
    c.context.user_data[_WAIT] = (case.id, time.monotonic())
    await c.reply(c.t("doc.prompt", title=case_title(case, c.lang),
                      limit=docs.MAX_BYTES >> 20, accepted=_accepted()))


def _accepted() -> str:
    return ", ".join(docs.EXTENSIONS[f].lstrip(".").upper() for f in docs.ACCEPTED)


async def _case_to_attach(c: Ctx) -> Case | None:
    target = _target(c.context.user_data)
    case = c.store.get_case(target[0]) if target else None
    if case is None:
        await c.reply(c.t("case.gone"))
        return None
    decision = docs.may_attach(c.person, case)
    if not decision:
        await c.refuse(decision.reason)
        return None
    return case


@guard("query")
async def on_document(c: Ctx) -> None:
    doc = c.message.document
    assert doc is not None  # registered for documents only
    case = await _case_to_attach(c)
    if case is None:
        return
    name = doc.file_name or ""
    try:
        docs.check_size(doc.file_size)
    except ValidationError as exc:
        await c.reply(exc.render(c.lang))
        return
    try:
        file = await doc.get_file()
        data = bytes(await file.download_as_bytearray())
    except BadRequest as exc:
        if "too big" in str(exc).lower():
            await c.reply(c.t("doc.too_big_unknown", limit=docs.MAX_BYTES >> 20))
        else:
            log.warning("could not fetch %s: %s", name, exc)
            await c.reply(c.t("doc.download_failed"))
        return
    except (TelegramError, OSError) as exc:
        log.warning("could not download %s: %s", name, exc)
        await c.reply(c.t("doc.download_failed"))
        return
    try:
        fmt = docs.check_format(data)
    except ValidationError as exc:
        await c.reply(exc.render(c.lang))
        return
    sha = docs.digest(data)
    for old in case.documents:
        if old.get("sha256") == sha:
            await c.reply(c.t("doc.duplicate", at=str(old.get("at", ""))[:16].replace("T", " "),
                              name=esc(old.get("name", ""))))
            return
    name = docs.download_name({"name": name or f"document{docs.EXTENSIONS[fmt]}",
                               "format": fmt})
    token = _keep(c, Pending(c.user.id, case.id, time.monotonic(), name=name, sha256=sha,
                          size=len(data), data=data))
    await c.reply(c.t("doc.choose_type", title=case_title(case, c.lang), name=esc(name),
                      size=human_size(len(data))), _type_keyboard(c, token))


@guard("query")
async def on_link(c: Ctx) -> None:
    case = await _case_to_attach(c)
    if case is None:
        return
    try:
        url = docs.parse_link(c.message.text or "")
    except ValidationError as exc:
        await c.reply(exc.render(c.lang))
        return
    token = _keep(c, Pending(c.user.id, case.id, time.monotonic(), url=url))
    await c.reply(c.t("doc.choose_type_link", title=case_title(case, c.lang), url=esc(url)),
                  _type_keyboard(c, token, first="publication"))


def _type_keyboard(c: Ctx, token: str, first: str = ""):
    order = [first, *[k for k in docs.DOC_TYPES if k != first]] if first else docs.DOC_TYPES
    buttons = [btn(c.context, c.t(f"doc.type.{k}"), DocTypeButton(token, k)) for k in order]
    return keyboard([buttons[:3], buttons[3:],
                     [btn(c.context, c.t("doc.btn.cancel"), DocTypeButton(token, "-"))]])


@button(DocTypeButton)
async def type_button(c: Ctx, b: DocTypeButton) -> None:
    """A type chosen (or 取消): the document is added to the case, in one save."""
    token, choice = b.token, b.choice
    p = _pending(c, token)
    if p is None:
        await c.answer(c.t("doc.expired"), alert=True)
        return
    if choice == "-":
        _kept(c).pop(token, None)
        await c.edit_or_reply(c.t("doc.cancelled"))
        return
    if choice not in docs.DOC_TYPES:
        await c.answer(c.t("button.invalid"), alert=True)
        return
    if p.data:  # stored by hash, off the loop (fsync); the case is saved after, on it
        await asyncio.to_thread(files.put_file, c.store.data_dir, p.data)
    case = c.store.get_case(p.case_id)
    if case is None:
        await c.answer(c.t("case.gone"), alert=True)
        return
    decision = docs.may_attach(c.person, case)
    if not decision:
        await c.refuse(decision.reason)
        return
    who = c.who
    at = c.now.isoformat(timespec="seconds")
    try:
        if p.url:
            entry = docs.link_entry(p.url, choice, at=at, by=str(who), by_id=c.me.id)
        else:
            entry = docs.file_entry(p.data, p.name, choice, at=at, by=str(who),
                                    by_id=c.me.id)
        new = docs.attach(case, entry)
        note = t("doc.history_note", "zh", type=t(f"doc.type.{choice}", "zh"),
                 name=p.url or p.name)
        c.store.save_case(new, who, note=note, expected_version=case.version)
    except ValidationError as exc:
        await c.edit_or_reply(exc.render(c.lang))
        return
    except StaleCase:  # pragma: no cover - no await between the read and the save
        await c.edit_or_reply(c.t("doc.expired"))
        return
    _kept(c).pop(token, None)
    if c.context.user_data is not None:
        c.context.user_data.pop(_WAIT, None)
    kind = c.t(f"doc.type.{choice}")
    title = case_title(case, c.lang)
    if p.url:
        await c.edit_or_reply(c.t("doc.saved_link", title=title, type=kind, url=esc(p.url)),
                              _back(c, case.id))
    else:
        await c.edit_or_reply(c.t("doc.saved", title=title, type=kind, name=esc(p.name)),
                              _back(c, case.id))


def _back(c: Ctx, case_id: int):
    return keyboard([[btn(c.context, c.t("doc.btn.back"), CaseButton(case_id))]])


# ---------------------------------------------------------------- listing, getting back


def _tag(d: dict[str, Any]) -> str:
    """A short mark of one document, so that a button names the document, not a place."""
    return (d.get("sha256") or docs.digest(str(d.get("url", "")).encode()))[:8]


async def show_files(c: Ctx, case: Case) -> None:
    title = case_title(case, c.lang)
    if not case.documents:
        await c.reply(c.t("doc.none", title=title))
        return
    lines = [c.t("doc.list_header", title=title, n=len(case.documents))]
    rows: list[list[InlineKeyboardButton]] = []
    for i, d in enumerate(case.documents):
        lines.append(f"{i + 1}. " + doc_line(c.lang, d))
        if d.get("sha256") and len(rows) < BUTTONS_MAX:
            kind = c.t(f"doc.type.{d['type']}")
            label = f"{i + 1}. {kind} {d.get('name', '')}"[:60]
            rows.append([btn(c.context, label, FileButton(case.id, i, _tag(d)))])
    rows.append([btn(c.context, c.t("doc.btn.back"), CaseButton(case.id))])
    await c.reply("\n".join(lines), keyboard(rows))


@guard("query")
async def files_cmd(c: Ctx) -> None:
    if not c.words:
        await c.reply(c.t("doc.files_usage"))
        return
    case = await choose_or_show(c, c.words[0], FilesButton)
    if case is not None:
        await show_files(c, case)


@button(FilesButton)
async def files_button(c: Ctx, b: FilesButton) -> None:
    case = await case_for_button(c, b.case_id, "view")
    if case is not None:
        await show_files(c, case)


@button(FileButton)
async def get_button(c: Ctx, b: FileButton) -> None:
    """One file back, to who may see the case now (checked again: data can be forged,
    rights can change after the list was sent)."""
    case = await case_for_button(c, b.case_id, "view")
    if case is None:
        return
    tag = b.tag
    d = case.documents[b.index] if b.index < len(case.documents) else None
    if d is None or _tag(d) != tag or not d.get("sha256"):
        await c.answer(c.t("doc.file_gone"), alert=True)
        return
    data = await asyncio.to_thread(files.read_file, c.store.data_dir, d["sha256"])
    if data is None:
        log.error("document %s of case %s missing or damaged", d["sha256"], case.id)
        await c.answer(c.t("doc.file_missing"), alert=True)
        return
    await c.answer()
    caption = c.t("doc.sent_caption", title=case_title(case, c.lang),
                  type=c.t(f"doc.type.{d['type']}"), name=esc(d.get("name", "")))
    await c.context.bot.send_document(
        c.chat_id, InputFile(io.BytesIO(data), filename=docs.download_name(d)),
        caption=caption)


def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    # group 0, before the ledger's document handler (handlers.MODULES): only files and
    # links meant for a case are taken here
    app.add_handler(_ForCase(app, filters.Document.ALL & private, on_document,
                             _wants_document))
    app.add_handler(_ForCase(app, filters.TEXT & ~filters.COMMAND & private, on_link,
                             _wants_link))
    command(app, "files", files_cmd)
    add_card_lines(app, card_lines)
    add_card_buttons(app, card_buttons)

