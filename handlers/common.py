"""What every handler shares: the request context, the access guard, signed buttons.

A command handler is written as ``async def f(c: Ctx)`` and registered with
``@command("case", action="query")``: the wrapper finds the person behind the Telegram
account, refuses unapproved or deactivated users and group chats (unless allowed), asks the
guard, and only then calls ``f``. A button is a kind of :mod:`handlers.buttons` and its
handler ``@button(CaseButton)``, ``async def f(c: Ctx, b: CaseButton)``: its callback data is
signed with the bot's secret (``pack``), so forged, stale or garbled data is refused before
any handler runs; the handler re-checks the guard on the case it is about to touch.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

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
from handlers.buttons import SEP, B, ButtonData
from handlers.state import BotData

log = logging.getLogger("duban.handlers")

MAX_TEXT = 4096
#: seconds after which a button press still being worked on is answered (empty), so that
#: Telegram's spinner stops and the query does not expire; a later alert becomes a message
EARLY_ANSWER = 0.5
Handler = Callable[["Ctx"], Awaitable[Any]]
R = TypeVar("R")
T = TypeVar("T")


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
    #: the words after the command (``/case 0484``: ``["0484"]``)
    words: list[str] = field(default_factory=list)
    #: the signed button pressed, parsed (its handler receives it typed as well)
    button: ButtonData | None = None
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
            tasks = app_state(self.context).early_answers  # kept until done (not collected)
            tasks.add(task)
            task.add_done_callback(tasks.discard)

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


def keep(kept: dict[str, T], value: T, *, at: Callable[[T], float], seconds: float,
         most: int) -> str:
    """Keep ``value`` in ``kept`` for a later button and return its new token; first drop
    what was kept more than ``seconds`` ago (``at(old)``, monotonic), and the oldest while
    ``most`` are kept."""
    now = time.monotonic()
    for token, old in list(kept.items()):
        if now - at(old) > seconds:
            del kept[token]
    while len(kept) >= most:
        del kept[next(iter(kept))]
    token = secrets.token_hex(4)
    kept[token] = value
    return token


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
            signed: Callable[[ContextTypes.DEFAULT_TYPE], Mapping[str, Pressed]] | None = None,
            refused: Callable[[Ctx], Awaitable[Any]] | None = None) -> Callback:
    """The one guard: wrap ``f(c: Ctx)`` as a PTB callback that checks who may call it.

    Every command, button and flow step passes it, in this order:

    - ``signed``: the update is a button press whose callback data must be correctly signed,
      name one of the kinds of ``signed(context)`` and parse as that kind; ``c.button`` then
      holds it (forged, stale, unknown or garbled data: "invalid button");
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
                c.button = read_button(context, c.query.data, signed(context))
                if c.button is None:
                    log.warning("forged, unknown or garbled callback data from user %s: %r",
                                c.user.id, c.query.data)
                    await c.answer(c.t("button.invalid"), alert=True)
                    return None
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

@dataclass(frozen=True)
class Pressed:
    """What answers one kind of button: the kind (which parses the data) and ``f(c, b)``."""

    kind: type[ButtonData]
    fn: Callable[[Ctx, Any], Awaitable[Any]]


#: the buttons modules declare (``@button``); each Application gets a copy at start-up
_DECLARED: dict[str, Pressed] = {}
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


def sign(context: ContextTypes.DEFAULT_TYPE, payload: str) -> str:
    """Callback data ``payload|signature``, at most 64 bytes (ValueError if longer)."""
    data = f"{payload}|{_sign(_secret(context), payload)}"
    if len(data.encode()) > 64:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def pack(context: ContextTypes.DEFAULT_TYPE, button: ButtonData) -> str:
    """The signed callback data of ``button``: ``code:field:field|signature``."""
    return sign(context, button.payload())


def verify(context: ContextTypes.DEFAULT_TYPE, data: str | None) -> list[str] | None:
    """The parts (code, fields) of signed callback data, or None when forged or garbled."""
    if not data or "|" not in data:
        return None
    payload, sig = data.rsplit("|", 1)
    # as bytes: compare_digest refuses str with non-ASCII characters (forged data may have them)
    if not hmac.compare_digest(sig.encode(), _sign(_secret(context), payload).encode()):
        return None
    return payload.split(SEP)


def read_button(context: ContextTypes.DEFAULT_TYPE, data: str | None,
                known: Mapping[str, Pressed]) -> ButtonData | None:
    """The button of signed callback ``data`` if it is one of the ``known`` kinds and parses
    as its kind; None when forged, unknown or garbled (all refused alike)."""
    parts = verify(context, data)
    pressed = known.get(parts[0]) if parts else None
    if parts is None or pressed is None:
        return None
    return pressed.kind.parse(parts[1:])


def btn(context: ContextTypes.DEFAULT_TYPE, label: str, button: ButtonData
        ) -> InlineKeyboardButton:
    """A button showing ``label`` that sends ``button``, signed."""
    return InlineKeyboardButton(label, callback_data=pack(context, button))


def keyboard(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    rows = [list(r) for r in rows if r]
    return InlineKeyboardMarkup(rows) if rows else None


def button(kind: type[B]) -> Callable[[Callable[[Ctx, B], Awaitable[R]]],
                                     Callable[[Ctx, B], Awaitable[R]]]:
    """Declare ``f(c: Ctx, b: kind)`` the handler of the buttons of ``kind``; every
    Application made after the import answers them."""

    def deco(fn: Callable[[Ctx, B], Awaitable[R]]) -> Callable[[Ctx, B], Awaitable[R]]:
        if kind.code in _DECLARED:
            raise RuntimeError(f"button {kind.code!r} registered twice")
        _DECLARED[kind.code] = Pressed(kind, fn)
        return fn

    return deco


def add_button(app: Application, kind: type[B], fn: Callable[[Ctx, B], Awaitable[Any]]
               ) -> None:
    """Make ``app`` (only it) answer the buttons of ``kind`` with ``f(c, b)``."""
    buttons = app.bot_data.buttons
    if kind.code in buttons:
        raise RuntimeError(f"button {kind.code!r} registered twice")
    buttons[kind.code] = Pressed(kind, fn)


def buttons_of(context: ContextTypes.DEFAULT_TYPE) -> dict[str, Pressed]:
    """The kinds of buttons the Application answers, by code."""
    return app_state(context).buttons


def dispatch(registry: Callable[[ContextTypes.DEFAULT_TYPE], Mapping[str, Pressed]]
             ) -> Handler:
    """``f(c)`` calling the handler ``registry`` has for the pressed button (behind
    ``guarded(..., signed=registry)``, which parsed it into ``c.button``)."""

    async def call(c: Ctx) -> Any:
        assert c.button is not None, "behind guarded(signed=...)"
        return await registry(c.context)[c.button.code].fn(c, c.button)

    return call


#: every button press: the one guard (signature, private chat, the person), then the
#: handler registered for its kind
on_button = guarded(dispatch(buttons_of), signed=buttons_of)


def register_buttons(app: Application) -> None:
    """The signed-button handler, answering the buttons declared so far (and any added)."""
    for code, pressed in _DECLARED.items():
        app.bot_data.buttons.setdefault(code, pressed)
    app.add_handler(CallbackQueryHandler(on_button), group=FEATURES)
    if "store" in app.bot_data:
        # made (and saved) at start, not at the first button: answering with buttons must
        # not need a write, so reading still works while the disk is full
        _secret_of(app.bot_data)
