"""Chats, messages and simulated users of the Bot API simulator (the test-facing side)."""

from __future__ import annotations

import asyncio
import mimetypes
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.simulator.markup import auto_entities

if TYPE_CHECKING:
    from bot.simulator.server import BotApiSimulator

__all__ = ["SimChat", "SimFile", "SimMessage", "SimUser"]

JSON = dict[str, Any]


@dataclass
class SimFile:
    """A file known to the simulator (uploaded by the bot or sent by a user)."""

    file_id: str
    file_unique_id: str
    name: str
    data: bytes
    mime_type: str
    path: str  # file_path answered by getFile, below base_file_url

    def api(self) -> JSON:
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                "file_name": self.name, "mime_type": self.mime_type,
                "file_size": len(self.data)}


@dataclass(eq=False)
class SimMessage:
    """A message in a simulated chat, in its current state (edits applied).

    ``text`` is the plain text (or the caption of a document) after markup parsing, ``source``
    the text as the bot sent it. ``msg["text"]`` works like ``msg.text`` for dict-style tests.
    """

    message_id: int
    chat: SimChat
    sender: JSON | None  # the "from" user; None for channel posts
    from_bot: bool
    date: int
    text: str = ""
    entities: list[JSON] = field(default_factory=list)
    source: str = ""
    parse_mode: str | None = None
    reply_markup: JSON | None = None  # inline keyboard markup only, as Telegram keeps it
    document: SimFile | None = None
    reply_to: SimMessage | None = None
    edit_date: int | None = None
    edits: int = 0
    deleted: bool = False
    #: service message fields (``migrate_to_chat_id``...), sent as they are
    service: JSON = field(default_factory=dict)

    @property
    def chat_id(self) -> int:
        return self.chat.id

    @property
    def buttons(self) -> list[list[JSON]]:
        """The inline keyboard rows (buttons are Bot API dicts)."""
        return list((self.reply_markup or {}).get("inline_keyboard", []))

    @property
    def labels(self) -> list[str]:
        return [button["text"] for row in self.buttons for button in row]

    def button(self, label: str) -> JSON | None:
        return next((b for row in self.buttons for b in row if b["text"] == label), None)

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def render(self) -> str:
        """Plain rendering for a terminal: text, document, then one line per button row."""
        lines = [self.text] if self.text else []
        if self.document:
            lines.insert(0, f"[{self.document.name} · {len(self.document.data)} B]")
        lines.extend(" ".join(f"[{b['text']}]" for b in row) for row in self.buttons)
        return "\n".join(lines)

    def api(self, *, with_reply: bool = True) -> JSON:
        """The Bot API Message object."""
        msg: JSON = {"message_id": self.message_id, "date": self.date, "chat": self.chat.api()}
        if self.sender is not None:
            msg["from"] = self.sender
        else:
            msg["sender_chat"] = self.chat.api()
        if self.edit_date is not None:
            msg["edit_date"] = self.edit_date
        if with_reply and self.reply_to is not None:
            msg["reply_to_message"] = self.reply_to.api(with_reply=False)
        if self.document is not None:
            msg["document"] = self.document.api()
            if self.text:
                msg["caption"] = self.text
                if self.entities:
                    msg["caption_entities"] = self.entities
        else:
            msg["text"] = self.text
            if self.entities:
                msg["entities"] = self.entities
        if self.reply_markup:
            msg["reply_markup"] = self.reply_markup
        if self.service:
            msg.pop("text", None)
            msg.update(self.service)
        return msg


def _message_id(message: SimMessage | JSON | int) -> int:
    """Accept a SimMessage, an update or message dict, or a message id."""
    if isinstance(message, SimMessage):
        return message.message_id
    if isinstance(message, int):
        return message
    for key in ("message", "edited_message", "channel_post"):
        if key in message:
            return int(message[key]["message_id"])
    return int(message["message_id"])


class SimChat:
    """One chat (private, group, supergroup or channel) and everything said in it.

    Methods that act as a user take that user; a SimUser's own methods act in its private
    chat. "New since the last send" means since the last message or button press that the
    test injected into this chat.
    """

    def __init__(self, sim: BotApiSimulator, chat_id: int, chat_type: str, *,
                 title: str | None = None, username: str | None = None,
                 first_name: str | None = None, last_name: str | None = None) -> None:
        self.sim = sim
        self.id = chat_id
        self.type = chat_type
        self.title, self.username = title, username
        self.first_name, self.last_name = first_name, last_name
        self.blocked = False  # private chats: the user blocked the bot
        self.started = True  # private chats: the user has talked to the bot
        self.left = False  # groups: the bot left (leaveChat) and can no longer send there
        #: basic groups upgraded to a supergroup: the supergroup's id (the old id is read-only)
        self.migrated_to: int | None = None
        self.reply_keyboard: JSON | None = None  # last reply keyboard / removal / force_reply
        self._messages: dict[int, SimMessage] = {}
        self._next_id = 1
        self._activity: list[tuple[SimMessage, bool]] = []  # (message, edited), trimmed
        self._activity_base = 0  # absolute sequence number of _activity[0]
        self._mark = 0
        self._changed = asyncio.Event()

    # ------------------------------------------------------------------ state

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    def api(self) -> JSON:
        chat: JSON = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value is not None:
                chat[key] = value
        return chat

    def get(self, message_id: int) -> SimMessage | None:
        """Any live message (the bot's or a user's) by id."""
        msg = self._messages.get(message_id)
        return None if msg is None or msg.deleted else msg

    def new_message(self, sender: JSON | None, *, from_bot: bool, **fields: Any) -> SimMessage:
        service: JSON = {k: fields.pop(k) for k in ("migrate_to_chat_id", "migrate_from_chat_id")
                   if k in fields}
        msg = SimMessage(self._next_id, self, sender, from_bot, int(time.time()), **fields,
                         service=service)
        self._next_id += 1
        self._messages[msg.message_id] = msg
        return msg

    def record_bot_activity(self, msg: SimMessage, edited: bool) -> None:
        """Called by the server after the bot sent or edited ``msg``."""
        self._activity.append((msg, edited))
        if len(self._activity) > 4000:
            drop = len(self._activity) - 2000
            del self._activity[:drop]
            self._activity_base += drop
        self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    @property
    def messages(self) -> list[SimMessage]:
        """The bot's live messages in this chat, oldest first, edits applied."""
        return [m for m in self._messages.values() if m.from_bot and not m.deleted]

    @property
    def all_messages(self) -> list[SimMessage]:
        """Every live message, the users' included, oldest first."""
        return [m for m in self._messages.values() if not m.deleted]

    @property
    def last(self) -> SimMessage | None:
        """The bot's newest live message."""
        return next((m for m in reversed(self._messages.values())
                     if m.from_bot and not m.deleted), None)

    def mark(self) -> int:
        """Start a new "since the last send" window and return its sequence number."""
        self._mark = self.activity_count
        return self._mark

    @property
    def last_mark(self) -> int:
        """The sequence number of the last send (the start of "new since the last send")."""
        return self._mark

    @property
    def activity_count(self) -> int:
        """How many sends and edits by the bot this chat has seen."""
        return self._activity_base + len(self._activity)

    def _since(self, mark: int) -> list[tuple[SimMessage, bool]]:
        return self._activity[max(0, mark - self._activity_base):]

    def new_since(self, mark: int | None = None) -> list[SimMessage]:
        """Messages the bot sent since ``mark`` (default: the last send), current state."""
        seen = [m for m, edited in self._since(self._mark if mark is None else mark)
                if not edited]
        return [m for m in seen if not m.deleted]

    def touched_since(self, mark: int | None = None) -> list[SimMessage]:
        """Messages sent or edited since ``mark``, in order of first activity, no repeats."""
        out: dict[int, SimMessage] = {}
        for m, _ in self._since(self._mark if mark is None else mark):
            out.setdefault(m.message_id, m)
        return [m for m in out.values() if not m.deleted]

    async def wait_activity(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``predicate()`` holds; False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return bool(predicate())
        return True

    async def wait_messages(self, n: int = 1, timeout: float = 5.0) -> list[SimMessage]:
        """Wait until the bot sent ``n`` new messages since the last send; return them all."""
        mark = self._mark
        if not await self.wait_activity(lambda: len(self.new_since(mark)) >= n, timeout):
            got = [m.text[:60] for m in self.new_since(mark)]
            raise TimeoutError(f"chat {self.id}: waited {timeout}s for {n} new bot "
                               f"message(s), got {len(got)}: {got}")
        return self.new_since(mark)

    # ------------------------------------------------------------------ acting as a user

    def _user_message(self, user: SimUser, **fields: Any) -> SimMessage:
        if self.type == "private":
            self.started = True
        return self.new_message(user.api(), from_bot=False, **fields)

    async def send(self, user: SimUser, text: str,
                   reply_to: SimMessage | JSON | int | None = None) -> JSON:
        """``user`` types ``text``; returns the injected update (commands get entities)."""
        reply = self.get(_message_id(reply_to)) if reply_to is not None else None
        msg = self._user_message(user, text=text, entities=auto_entities(text), source=text,
                                 reply_to=reply)
        self.mark()
        if self.is_group and not self.sim.sees_in_group(msg.api()):
            return self.sim.withhold_update("message", msg.api())
        return self.sim.inject_update("message", msg.api())

    async def send_document(self, user: SimUser, filename: str, data: bytes,
                            caption: str = "", mime_type: str | None = None) -> JSON:
        """``user`` sends a file; the bot can getFile and download it."""
        mime = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        doc = self.sim.store_file(filename, data, mime)
        msg = self._user_message(user, text=caption, entities=auto_entities(caption),
                                 source=caption, document=doc)
        self.mark()
        return self.sim.inject_update("message", msg.api())

    async def edit(self, user: SimUser, message: SimMessage | JSON | int, text: str) -> JSON:
        """``user`` edits their own earlier message; injects an edited_message update."""
        msg = self.get(_message_id(message))
        if msg is None or msg.from_bot or (msg.sender or {}).get("id") != user.id:
            raise LookupError(f"user {user.id} has no message {message!r} in chat {self.id}")
        msg.text, msg.source, msg.entities = text, text, auto_entities(text)
        msg.edit_date, msg.edits = int(time.time()), msg.edits + 1
        self.mark()
        return self.sim.inject_update("edited_message", msg.api())

    def find_button(self, label: str) -> tuple[SimMessage, JSON]:
        """The newest bot message with a button labelled ``label``, and that button."""
        for msg in reversed(self.messages):
            button = msg.button(label)
            if button is not None:
                return msg, button
        shown = [m.labels for m in self.messages if m.labels]
        raise LookupError(f"no button {label!r} in chat {self.id}; buttons: {shown}")

    async def press(self, user: SimUser, label: str,
                    message: SimMessage | JSON | int | None = None) -> JSON:
        """``user`` presses the button ``label`` (on ``message`` or the newest one having it)."""
        button: dict[str, Any] | None
        if message is None:
            msg, button = self.find_button(label)
        else:
            found = self.get(_message_id(message))
            button = found.button(label) if found else None
            if found is None or button is None:
                raise LookupError(f"no button {label!r} on message {message!r}")
            msg = found
        if button is None or "callback_data" not in button:
            raise LookupError(f"button {label!r} is not a callback button: {button}")
        return await self.press_data(user, msg.message_id, button["callback_data"])

    async def press_data(self, user: SimUser, message_id: int, data: str, *,
                         inaccessible: bool = False) -> JSON:
        """A callback query with arbitrary ``data`` on message ``message_id`` (may be forged);
        ``inaccessible``: the message is too old for Telegram to include it."""
        msg = self.get(message_id)
        if msg is None:
            raise LookupError(f"no message {message_id} in chat {self.id}")
        self.mark()
        return self.sim.inject_callback(user, msg, data, inaccessible=inaccessible)

    async def ask(self, user: SimUser, text: str, timeout: float = 5.0) -> list[SimMessage]:
        """Send ``text`` and return the bot messages it produced (sent or edited)."""
        update = await self.send(user, text)
        return await self.sim.settle(self, update, timeout)

    async def ask_press(self, user: SimUser, label: str,
                        timeout: float = 5.0) -> list[SimMessage]:
        """Press ``label`` and return the bot messages it produced (sent or edited)."""
        update = await self.press(user, label)
        return await self.sim.settle(self, update, timeout)


#: Telegram's limit on a first and on a last name
MAX_NAME = 64


class SimUser:
    """A simulated Telegram user with a private chat with the bot (chat id = user id)."""

    def __init__(self, sim: BotApiSimulator, user_id: int, first_name: str, *,
                 last_name: str | None = None, username: str | None = None,
                 language_code: str | None = "zh-hans", started: bool = True) -> None:
        if not 1 <= len(first_name) <= MAX_NAME or len(last_name or "") > MAX_NAME:
            raise ValueError(f"Telegram names are 1-{MAX_NAME} characters (first) and at most "
                             f"{MAX_NAME} (last)")
        self.sim = sim
        self.id = user_id
        self.first_name, self.last_name = first_name, last_name
        self.username, self.language_code = username, language_code
        self.chat = SimChat(sim, user_id, "private", username=username,
                            first_name=first_name, last_name=last_name)
        self.chat.started = started
        self.answers: list[JSON] = []  # answerCallbackQuery parameters, oldest first

    def api(self) -> JSON:
        user: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                user[key] = value
        return user

    @property
    def messages(self) -> list[SimMessage]:
        return self.chat.messages

    @property
    def last(self) -> SimMessage | None:
        return self.chat.last

    @property
    def last_answer(self) -> JSON | None:
        """The newest answerCallbackQuery to this user's presses (text, show_alert, url)."""
        return self.answers[-1] if self.answers else None

    @property
    def blocked(self) -> bool:
        return self.chat.blocked

    def block(self) -> JSON:
        """Block the bot: sends to this user answer 403; injects a my_chat_member update."""
        self.chat.blocked = True
        return self.sim.inject_member_change(self, blocked=True)

    def unblock(self) -> JSON:
        self.chat.blocked = False
        return self.sim.inject_member_change(self, blocked=False)

    async def send(self, text: str,
                   reply_to: SimMessage | JSON | int | None = None) -> JSON:
        return await self.chat.send(self, text, reply_to)

    async def send_document(self, filename: str, data: bytes, caption: str = "",
                            mime_type: str | None = None) -> JSON:
        return await self.chat.send_document(self, filename, data, caption, mime_type)

    async def edit(self, message: SimMessage | JSON | int, text: str) -> JSON:
        return await self.chat.edit(self, message, text)

    async def press(self, label: str,
                    message: SimMessage | JSON | int | None = None) -> JSON:
        return await self.chat.press(self, label, message)

    async def press_data(self, message_id: int, data: str, *, inaccessible: bool = False) -> JSON:
        return await self.chat.press_data(self, message_id, data, inaccessible=inaccessible)

    async def wait_messages(self, n: int = 1, timeout: float = 5.0) -> list[SimMessage]:
        return await self.chat.wait_messages(n, timeout)

    async def ask(self, text: str, timeout: float = 5.0) -> list[SimMessage]:
        return await self.chat.ask(self, text, timeout)

    async def ask_press(self, label: str, timeout: float = 5.0) -> list[SimMessage]:
        return await self.chat.ask_press(self, label, timeout)

    def __repr__(self) -> str:
        return f"SimUser({self.id}, {self.first_name!r})"
