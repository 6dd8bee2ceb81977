"""What every handler shares: the request context, the access guard, signed buttons.

A command handler is written as ``async def f(c: Ctx)`` and registered with
``@command("case", action="query")``: the wrapper finds the person behind the Telegram
account, refuses unapproved or deactivated users and group chats (unless allowed), asks the
guard, and only then calls ``f``. A button is ``@button("case")``: its callback data is
signed with the bot's secret (``pack``), so forged or stale data is refused before any
handler runs; the handler re-checks the guard on the case it is about to touch.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable, Container, Coroutine, Sequence
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.domain.access import decide, group_may_answer
from bot.domain.model import Actor, Person
from bot.domain.present import esc, fit  # noqa: F401  (every view escapes and cuts alike)
from bot.domain.timeutil import SystemTime
from bot.texts import t
from data.store import Store
from data.tables import GroupSettings
from handlers import FEATURES
from handlers.state import BotData

log = logging.getLogger("duban.handlers")

MAX_TEXT = 4096
#: seconds after which a button press still being worked on is answered (empty), so that
#: Telegram's spinner stops and the query does not expire; a later alert becomes a message
EARLY_ANSWER = 0.5
_EARLY_TASKS: set[asyncio.Task] = set()
Handler = Callable[["Ctx"], Awaitable[Any]]


# ---------------------------------------------------------------- context


def app_state(context: ContextTypes.DEFAULT_TYPE) -> BotData:
    """The Application's state (its store, clock, settings and registries)."""
    state = context.application.bot_data
    assert isinstance(state, BotData), "an Application made by bot.app.create_app"
    return state


def get_store(context: ContextTypes.DEFAULT_TYPE) -> Store:
    store: Store = context.application.bot_data["store"]
    return store


def get_time(context: ContextTypes.DEFAULT_TYPE) -> SystemTime:
    clock: SystemTime = context.application.bot_data["time"]
    return clock


def person_for(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Person | None:
    user = update.effective_user
    if user is None:
        return None
    return get_store(context).person_by_telegram(user.id)


def lang_for(update: Update, context: ContextTypes.DEFAULT_TYPE,
             person: Person | None = None) -> str:
    person = person or person_for(update, context)
    if person is not None:
        return person.language
    return context.application.bot_data["config"].lang


@dataclass
class Ctx:
    """One update being handled: who asks, in which language, with what."""

    update: Update
    context: ContextTypes.DEFAULT_TYPE
    person: Person | None
    lang: str
    args: list[str] = field(default_factory=list)
    #: the action of the signed button pressed (``args`` are its arguments)
    action: str = ""
    #: whether the button press of this update has been answered already
    answered: bool = False
    #: the timer answering a press that is still being worked on (see EARLY_ANSWER)
    _early: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        query = getattr(self.update, "callback_query", None)
        if query is not None:
            processor = getattr(self.context.application, "update_processor", None)
            if query.id in getattr(processor, "answered_early", ()):
                self.answered = True  # answered while it waited for its turn
                return
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # built outside the bot (benchmarks)
                return
            self._early = loop.call_later(EARLY_ANSWER, self._answer_early)

    def _answer_early(self) -> None:
        if not self.answered:
            task = asyncio.get_running_loop().create_task(self.answer())
            _EARLY_TASKS.add(task)
            task.add_done_callback(_EARLY_TASKS.discard)

    @property
    def store(self) -> Store:
        return get_store(self.context)

    @property
    def now(self) -> dt.datetime:
        return get_time(self.context).now()

    @property
    def today(self) -> dt.date:
        return self.now.date()

    @property
    def who(self) -> str:
        """Who acts, for history: the person's name with their id (an Actor)."""
        if self.person:
            return Actor(self.person.name, self.person.id)
        return str(self.user.id)

    @property
    def chat_id(self) -> int:
        return self.chat.id

    # the parts of the update a handler is registered for (never None there)

    @property
    def user(self) -> User:
        user = self.update.effective_user
        assert user is not None, "a handler for updates from a user"
        return user

    @property
    def chat(self) -> Chat:
        chat = self.update.effective_chat
        assert chat is not None, "a handler for updates in a chat"
        return chat

    @property
    def message(self) -> Message:
        message = self.update.effective_message
        assert message is not None, "a handler for updates with a message"
        return message

    @property
    def query(self) -> CallbackQuery:
        query = self.update.callback_query
        assert query is not None, "a handler for button presses"
        return query

    @property
    def me(self) -> Person:
        """The approved person asking (the guard let only them through)."""
        assert self.person is not None, "a handler behind the access guard"
        return self.person

    def t(self, key: str, **params: Any) -> str:
        return t(key, self.lang, **params)

    async def reply(self, text: str, keyboard: InlineKeyboardMarkup | None = None) -> Message:
        """Send ``text`` to the chat of the update (a new message). In a group, without
        buttons: anyone there could press them (and a press in a group is refused)."""
        if self.chat.type != ChatType.PRIVATE:
            keyboard = None
        return await self.context.bot.send_message(self.chat_id, fit(text), reply_markup=keyboard)

    async def edit_or_reply(self, text: str, keyboard: InlineKeyboardMarkup | None = None):
        """Edit the message whose button was pressed, or send a new one."""
        query = self.update.callback_query
        if query is not None and query.message is not None:
            try:
                return await query.edit_message_text(fit(text), reply_markup=keyboard)
            except BadRequest as exc:
                if "not modified" in str(exc).lower():
                    return query.message
                log.info("edit failed (%s), sending anew", exc)
        return await self.reply(text, keyboard)

    async def refuse(self, reason_key: str, **params: Any) -> None:
        """Tell the user no (politely) and log it; for buttons, also answer the query."""
        user = self.update.effective_user
        log.info("denied %s to user %s (%s)", reason_key, user.id if user else None, self.who)
        text = self.t(reason_key, **params)
        if self.update.callback_query is not None:
            await self.answer(text, alert=True)
        else:
            await self.reply(text)

    async def answer(self, text: str = "", *, alert: bool = False) -> None:
        """Answer the button press (once); Telegram shows ``text`` as a toast or alert."""
        query = getattr(self.update, "callback_query", None)
        if query is None:
            return
        if self._early is not None:
            self._early.cancel()
            self._early = None
        if self.answered:
            if alert and text:  # too late for an alert: the press was answered already
                await self.reply(text)
            return
        self.answered = True
        try:
            await query.answer(text[:200] or None, show_alert=alert)
        except BadRequest as exc:  # too old: Telegram forgets queries after a while
            log.info("could not answer callback query: %s", exc)


# ---------------------------------------------------------------- commands


def _is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def command_name(update: Update) -> str:
    """The command a message starts with, lower case, without ``/`` and ``@bot`` ("" if
    it is not one)."""
    message = update.effective_message
    word = ((message.text or "") if message is not None else "").split(maxsplit=1)
    if not word or not word[0].startswith("/"):
        return ""
    return word[0][1:].partition("@")[0].lower()


def group_allows(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether the office lets the group of ``update`` use the command it sends (buttons
    are never answered in groups)."""
    if update.callback_query is not None or update.effective_chat is None:
        return False
    allowed = GroupSettings(get_store(context)).commands(update.effective_chat.id)
    return bool(group_may_answer(allowed, command_name(update)))


#: a PTB callback: ``f(update, context)``
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, Any]]


def guarded(fn: Callable[[Ctx], Awaitable[Any]], *, actions: Sequence[str] = ("query",),
            groups: bool = False,
            signed: Callable[[ContextTypes.DEFAULT_TYPE], Container[str]] | None = None,
            refused: Callable[[Ctx], Awaitable[Any]] | None = None) -> Callback:
    """The one guard: wrap ``f(c: Ctx)`` as a PTB callback that checks who may call it.

    Every command, button and flow step passes it, in this order:

    - ``signed``: the update is a button press whose callback data must be correctly signed
      and name one of ``signed(context)``; ``c.action`` and ``c.args`` then hold its parts
      (forged, stale or unknown data: "invalid button");
    - ``groups``: unless True, only private chats and, in a group, the commands the office
      allowed there (``/group``; elsewhere: "use me in a private chat");
    - ``actions``: the access guard's global actions the person must be allowed (empty: no
      guard, e.g. /start, /help); a refusal says why, then ``refused(c)`` (if given) decides
      what the callback returns;

    and a button press is always answered at the end, also when ``f`` fails.
    """

    @wraps(fn)
    async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Any:
        if update.effective_user is None or update.effective_chat is None:
            return None  # channel posts and the like: nothing to answer
        person = person_for(update, context)
        c = Ctx(update, context, person, lang_for(update, context, person),
                list(context.args or []))
        try:
            if signed is not None:
                parts = unpack(context, c.query.data or "")
                if parts is None or parts[0] not in signed(context):
                    log.warning("forged or unknown callback data from user %s: %r",
                                c.user.id, c.query.data)
                    await c.answer(c.t("button.invalid"), alert=True)
                    return None
                c.action, c.args = parts[0], parts[1:]
            if not groups and not _is_private(update) and not group_allows(update, context):
                await c.refuse("group.private_only")
                return None
            for action in actions:
                decision = decide(person, action)
                if not decision:
                    await c.refuse(decision.reason)
                    return await refused(c) if refused is not None else None
            return await fn(c)
        finally:
            await c.answer()

    return callback


def guard(action: str | None = "query", *, groups: bool = False,
          unapproved: bool = False) -> Callable[[Handler], Callback]:
    """Decorator form of :func:`guarded` for commands: ``action`` is the guard's global
    action (None: no guard, e.g. /start, /help); ``groups``: answer in group chats too;
    ``unapproved``: call ``f`` even for unknown users."""

    def deco(fn: Handler) -> Callback:
        actions = () if action is None or unapproved else (action,)
        return guarded(fn, actions=actions, groups=groups)

    return deco


def command(app: Application, names: str | Sequence[str], fn: Callable, **kw: Any) -> None:
    """Register a guarded command handler (private chats; edited messages ignored)."""
    from telegram.ext import filters

    app.add_handler(CommandHandler(names, fn, filters=filters.UpdateType.MESSAGE, **kw),
                    group=FEATURES)


# ---------------------------------------------------------------- signed buttons

#: the buttons modules declare (``@button``); each Application gets a copy at start-up
_DECLARED: dict[str, Handler] = {}
_SECRET_SETTING = "callback_secret"


def _secret(context: ContextTypes.DEFAULT_TYPE) -> bytes:
    return _secret_of(context.application.bot_data)


def _secret_of(bot_data: dict) -> bytes:
    key = bot_data.get(_SECRET_SETTING)
    if key is None:
        store = bot_data["store"]
        text = store.get_setting(_SECRET_SETTING)
        if not text:
            text = secrets.token_hex(16)
            store.set_setting(_SECRET_SETTING, text, "system")
        key = bot_data[_SECRET_SETTING] = bytes.fromhex(text)
    return key


def _sign(key: bytes, payload: str) -> str:
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()[:6]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def pack(context: ContextTypes.DEFAULT_TYPE, action: str, *args: Any) -> str:
    """Callback data ``action:arg:arg|signature``, at most 64 bytes."""
    payload = ":".join([action, *map(str, args)])
    data = f"{payload}|{_sign(_secret(context), payload)}"
    if len(data.encode()) > 64:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def unpack(context: ContextTypes.DEFAULT_TYPE, data: str | None) -> list[str] | None:
    """The action and arguments of signed callback data, or None when forged or garbled."""
    if not data or "|" not in data:
        return None
    payload, sig = data.rsplit("|", 1)
    # as bytes: compare_digest refuses str with non-ASCII characters (forged data may have them)
    if not hmac.compare_digest(sig.encode(), _sign(_secret(context), payload).encode()):
        return None
    return payload.split(":")


def btn(context: ContextTypes.DEFAULT_TYPE, label: str, action: str, *args: Any
        ) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=pack(context, action, *args))


def keyboard(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    rows = [list(r) for r in rows if r]
    return InlineKeyboardMarkup(rows) if rows else None


def button(action: str) -> Callable[[Handler], Handler]:
    """Declare ``f(c: Ctx)`` the handler of signed buttons of ``action`` (``c.args`` holds
    their arguments); every Application made after the import answers them."""

    def deco(fn: Handler) -> Handler:
        if action in _DECLARED:
            raise RuntimeError(f"button action {action!r} registered twice")
        _DECLARED[action] = fn
        return fn

    return deco


def add_button(app: Application, action: str, fn: Handler) -> None:
    """Make ``app`` (only it) answer signed buttons of ``action`` with ``f(c: Ctx)``."""
    buttons = app.bot_data.buttons
    if action in buttons:
        raise RuntimeError(f"button action {action!r} registered twice")
    buttons[action] = fn


def buttons_of(context: ContextTypes.DEFAULT_TYPE) -> dict[str, Handler]:
    """The button actions the Application answers."""
    return app_state(context).buttons


async def _dispatch(c: Ctx) -> None:
    await buttons_of(c.context)[c.action](c)


#: every button press: the one guard (signature, private chat, the person), then the
#: handler registered for its action
on_button = guarded(_dispatch, signed=buttons_of)


def register_buttons(app: Application) -> None:
    """The signed-button handler, answering the buttons declared so far (and any added)."""
    for action, fn in _DECLARED.items():
        app.bot_data.buttons.setdefault(action, fn)
    app.add_handler(CallbackQueryHandler(on_button), group=FEATURES)
    if "store" in app.bot_data:
        # made (and saved) at start, not at the first button: answering with buttons must
        # not need a write, so reading still works while the disk is full
        _secret_of(app.bot_data)
