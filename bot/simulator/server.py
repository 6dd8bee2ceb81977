"""The Bot API simulator's server: HTTP endpoints, Bot API methods, updates, files, limits."""

from __future__ import annotations

import asyncio
import json
import logging
import mimetypes
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Self

import orjson
from aiohttp import web

from bot.simulator.chats import SimChat, SimFile, SimMessage, SimUser
from bot.simulator.faults import Faults
from bot.simulator.limits import RateLimiter, RateLimits
from bot.simulator.markup import ParseError, parse_text
from bot.simulator.methods import PARAMETERS, REQUIRED

__all__ = ["ApiError", "BotApiSimulator", "Params", "SimStats"]

_LOG = logging.getLogger(__name__)

JSON = dict[str, Any]
Handler = Callable[["Params"], Awaitable[Any]]

DEFAULT_TOKEN = "123456:TEST-TOKEN"
DEFAULT_LIMITS = RateLimits()
#: Update types delivered when getUpdates never named allowed_updates (Telegram's default).
DEFAULT_UPDATE_TYPES = frozenset({
    "message", "edited_message", "channel_post", "edited_channel_post", "callback_query",
    "my_chat_member", "inline_query", "chosen_inline_result", "shipping_query",
    "pre_checkout_query", "poll", "poll_answer", "chat_join_request",
})
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})
BUTTON_ACTIONS = ("callback_data", "url", "login_url", "switch_inline_query",
                  "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
                  "callback_game", "pay", "web_app", "copy_text")
NOT_MODIFIED = ("message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message")
MAX_TEXT, MAX_CAPTION, MAX_CALLBACK_DATA = 4096, 1024, 64
#: getFile refuses bigger files ("Bad Request: file is too big"): bots download up to 20 MB
MAX_DOWNLOAD = 20 << 20
#: seconds (of the simulator's clock) within which a callback query must be answered
CALLBACK_TTL = 15.0
#: inline keyboards: at most this many buttons in all, and in one row
MAX_BUTTONS, MAX_ROW = 100, 8


class ApiError(Exception):
    """A Bot API error answer: HTTP status ``code`` and Telegram's ``description``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None, *,
                 migrate_to_chat_id: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        # ResponseParameters, as telegram-bot-api's fail_query adds them
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        if self.migrate_to_chat_id is not None:
            body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return body


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


@dataclass
class Upload:
    """A file part of a multipart request."""

    filename: str
    data: bytes
    content_type: str


class Params:
    """The parameters of one call, from a query string, JSON body, form or multipart body.

    Form posts (what PTB sends) carry every value as a string, JSON-encoded unless it is a
    string itself (``reply_markup``, ``allowed_updates``, numbers, booleans); JSON bodies carry
    native values. The getters accept both.
    """

    def __init__(self, values: JSON, files: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.files = files or {}

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) is not None or name in self.files

    def get_str(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False)
        return str(value)

    def get_int(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, int):
            return int(value)
        try:
            return int(value) if isinstance(value, str) and value.lstrip("-").isdigit() \
                else int(float(value))
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_float(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def get_json(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value


@dataclass
class SimStats:
    """What the simulator saw and did."""

    calls: Counter[str] = field(default_factory=Counter)  # per method, as called
    errors: Counter[int] = field(default_factory=Counter)  # error answers per HTTP status
    rate_limited: int = 0  # 429s answered because a flood limit was exceeded
    faults: Counter[str] = field(default_factory=Counter)  # injected faults per kind
    messages_sent: int = 0  # messages the bot delivered
    updates_injected: int = 0
    updates_delivered: int = 0  # updates handed out by getUpdates (duplicates included)
    updates_dropped: int = 0  # pending updates discarded (queue full / not allowed)
    expired_answers: int = 0  # answerCallbackQuery after CALLBACK_TTL (refused: too old)
    updates_withheld: int = 0  # group messages the bot does not get (privacy mode)
    unknown_params: Counter[str] = field(default_factory=Counter)  # "method.param" not in the API

    def reset(self) -> None:
        fresh = SimStats()
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(fresh, name))


class BotApiSimulator:
    """A local Bot API server; see the package documentation for the whole API."""

    def __init__(self, token: str = DEFAULT_TOKEN, *,
                 rate_limits: RateLimits | None = DEFAULT_LIMITS,
                 bot_username: str = "duban_test_bot", bot_name: str = "督办",
                 host: str = "127.0.0.1", port: int = 0,
                 clock: Callable[[], float] = time.monotonic,
                 max_pending_updates: int = 10_000, settle_seconds: float = 0.2) -> None:
        self.token = token
        self.host, self.port = host, port
        self._clock = clock
        self.limiter = RateLimiter(rate_limits, clock) if rate_limits else None
        self.faults = Faults()
        #: a parameter the method does not have is answered 400 (False: only counted)
        self.strict_params = True
        #: groups: the bot gets only commands, replies to it and mentions (BotFather's default)
        self.privacy_mode = True
        self.stats = SimStats()
        self.max_pending_updates = max_pending_updates
        self.settle_seconds = settle_seconds
        prefix = token.split(":", 1)[0]
        self.bot_user: JSON = {
            "id": int(prefix) if prefix.isdigit() else 123456, "is_bot": True,
            "first_name": bot_name, "username": bot_username, "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False,
            "can_connect_to_business": False, "has_main_web_app": False,
        }
        #: Called as ``on_bot_message(chat_id, message, edited)`` after each send or edit.
        self.on_bot_message: Callable[[int, SimMessage, bool], Any] | None = None
        #: Called as ``on_callback_answer(user_id, answer)`` after answerCallbackQuery.
        self.on_callback_answer: Callable[[int, JSON], Any] | None = None
        #: True once a processing hook reports (mark_processed); ask() then waits for it.
        self.processing_hook = False
        self.users: dict[int, SimUser] = {}
        self.chats: dict[int, SimChat] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}  # (scope JSON, lang) -> list
        self._files: dict[str, SimFile] = {}
        self._file_paths: dict[str, SimFile] = {}
        # unanswered callback queries: id -> (user, when pressed on the simulator's clock)
        self._callbacks: dict[str, tuple[SimUser, float]] = {}
        self._updates: deque[JSON] = deque()
        self._recent: deque[JSON] = deque(maxlen=16)  # confirmed updates, for duplicates
        self._next_update_id = 10_001
        self._allowed: frozenset[str] | None = None
        self._poll_seq = 0
        self._updates_event = asyncio.Event()
        self._processed: set[int] = set()
        self._processed_event = asyncio.Event()
        self._serial = 0
        self._closed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, tuple[str, Handler]] = {}
        for name, handler in (
            ("getMe", self._get_me), ("logOut", self._true), ("close", self._true),
            ("deleteWebhook", self._delete_webhook), ("getWebhookInfo", self._webhook_info),
            ("getUpdates", self._get_updates), ("sendMessage", self._send_message),
            ("sendDocument", self._send_document), ("editMessageText", self._edit_text),
            ("editMessageCaption", self._edit_caption),
            ("editMessageReplyMarkup", self._edit_markup),
            ("deleteMessage", self._delete_message),
            ("answerCallbackQuery", self._answer_callback), ("getFile", self._get_file),
            ("setMyCommands", self._set_commands), ("getMyCommands", self._get_commands),
            ("deleteMyCommands", self._delete_commands),
            ("sendChatAction", self._chat_action), ("getChat", self._get_chat),
            ("leaveChat", self._leave_chat),
        ):
            self.register_method(name, handler)

    # ================================================================== lifecycle

    async def start(self) -> Self:
        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._closed.clear()
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True,
                                     shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Answer pending long polls, cut hanging calls and close the server."""
        self._closed.set()
        self._wake_pollers()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``Application.builder().base_url(...)`` (PTB appends the token)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    @property
    def rate_limits(self) -> RateLimits | None:
        return self.limiter.limits if self.limiter else None

    @rate_limits.setter
    def rate_limits(self, limits: RateLimits | None) -> None:
        """Switch the flood limits (None: off); the buckets start full again."""
        self.limiter = RateLimiter(limits, self._clock) if limits else None

    def register_method(self, name: str, handler: Handler) -> None:
        """Add (or replace) a Bot API method: ``handler(params)`` returns the result or
        raises ApiError."""
        self._methods[name.lower()] = (name, handler)

    # ================================================================== people and chats

    def user(self, user_id: int, first_name: str = "User", *, last_name: str | None = None,
             username: str | None = None, language_code: str | None = "zh-hans",
             started: bool = True) -> SimUser:
        """The simulated user ``user_id`` (created on first call; later calls return it).

        ``started=False``: the user never talked to the bot, so the bot cannot message them
        (403) until they send something.
        """
        if user_id <= 0:
            raise ValueError("user ids are positive")
        if user_id not in self.users:
            user = SimUser(self, user_id, first_name, last_name=last_name, username=username,
                           language_code=language_code, started=started)
            self.users[user_id] = user
            self.chats[user_id] = user.chat
        return self.users[user_id]

    def group(self, chat_id: int, title: str = "Group", *, username: str | None = None,
              kind: str = "supergroup") -> SimChat:
        """A group chat (``kind`` "group" or "supergroup"); ids are negative."""
        if chat_id >= 0 or kind not in ("group", "supergroup"):
            raise ValueError("a group needs a negative id and kind group or supergroup")
        if chat_id not in self.chats:
            self.chats[chat_id] = SimChat(self, chat_id, kind, title=title, username=username)
        return self.chats[chat_id]

    def channel(self, chat_id: int, title: str = "Channel",
                username: str | None = None) -> SimChat:
        if chat_id >= 0:
            raise ValueError("a channel needs a negative id")
        if chat_id not in self.chats:
            self.chats[chat_id] = SimChat(self, chat_id, "channel", title=title,
                                          username=username)
        return self.chats[chat_id]

    def channel_post(self, chat_id: int, text: str, title: str = "Channel",
                     username: str | None = None) -> JSON:
        """Inject a channel_post update (the channel is created if new)."""
        chat = self.channel(chat_id, title, username)
        msg = chat.new_message(None, from_bot=False, text=text, source=text)
        return self.inject_update("channel_post", msg.api())

    def store_file(self, name: str, data: bytes, mime_type: str) -> SimFile:
        """Keep a file; it can then be fetched by getFile and downloaded."""
        self._serial += 1
        n = self._serial
        ext = mimetypes.guess_extension(mime_type) or ""
        if "." in name:
            ext = name[name.rindex("."):]
        doc = SimFile(f"BQACAgUAAxkBAAI{n:08d}", f"AgAD{n:06d}", name, data, mime_type,
                      f"documents/file_{n}{ext}")
        self._files[doc.file_id] = doc
        self._file_paths[doc.path] = doc
        return doc

    # ================================================================== updates

    def withhold_update(self, kind: str, payload: JSON) -> JSON:
        """An update Telegram would not give the bot (privacy mode): it gets an id, counts
        as handled at once, and is never delivered."""
        update_id = self._next_update_id
        update = {"update_id": update_id, kind: payload}
        self._next_update_id += 1
        self.stats.updates_withheld += 1
        self.mark_processed(update_id)
        return update

    def sees_in_group(self, msg: JSON) -> bool:
        """Privacy mode (on by default, as for every new bot): in groups the bot gets only
        commands not meant for another bot, replies to its own messages, and mentions."""
        if not self.privacy_mode:
            return True
        text = msg.get("text") or msg.get("caption") or ""
        me = self.bot_user.get("username", "")
        if text.startswith("/"):
            addressed = text.split()[0].partition("@")[2]
            return not addressed or addressed.lower() == me.lower()
        reply = msg.get("reply_to_message") or {}
        if (reply.get("from") or {}).get("id") == self.bot_user["id"]:
            return True
        return bool(me) and f"@{me}".lower() in text.lower()

    def inject_update(self, kind: str, payload: JSON) -> JSON:
        """Queue an update ``{"update_id": ..., kind: payload}`` and wake the poller."""
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self._updates.append(update)
        self.stats.updates_injected += 1
        while len(self._updates) > self.max_pending_updates:
            self._updates.popleft()
            self.stats.updates_dropped += 1
        self._wake_pollers()
        return update

    def inject_callback(self, user: SimUser, message: SimMessage, data: str, *,
                        inaccessible: bool = False) -> JSON:
        self._serial += 1
        query_id = f"{self.bot_user['id']}{self._serial:010d}"
        self._callbacks[query_id] = (user, self._clock())
        while len(self._callbacks) > 10_000:
            del self._callbacks[next(iter(self._callbacks))]
        return self.inject_update("callback_query", {
            "id": query_id, "from": user.api(),
            # too old for Telegram to include: only the chat and id, with date 0
            "message": ({"chat": message.chat.api(), "message_id": message.message_id, "date": 0}
                        if inaccessible else message.api()),
            "chat_instance": str(message.chat.id * 7919 + 104729), "data": data,
        })

    def inject_member_change(self, user: SimUser, *, blocked: bool) -> JSON:
        member = {"status": "member", "user": self.bot_user}
        kicked = {"status": "kicked", "user": self.bot_user, "until_date": 0}
        old, new = (member, kicked) if blocked else (kicked, member)
        return self.inject_update("my_chat_member", {
            "chat": user.chat.api(), "from": user.api(), "date": int(time.time()),
            "old_chat_member": old, "new_chat_member": new,
        })

    def upgrade_to_supergroup(self, group: SimChat, user: SimUser,
                              new_id: int | None = None) -> tuple[JSON, JSON]:
        """``user`` upgrades the basic ``group`` to a supergroup, as Telegram does it: the
        supergroup is a new chat (id ``new_id``, by default -100 followed by the group's
        digits), the bot gets a service message with ``migrate_to_chat_id`` in the old chat
        and one with ``migrate_from_chat_id`` in the new (delivered whatever the privacy
        mode), and from then on every method that writes to the old chat answers 400 "Bad
        Request: group chat was upgraded to a supergroup chat" with ``parameters:
        {migrate_to_chat_id}`` (telegram-bot-api's check_chat_access). Returns the two
        updates; the new chat is ``sim.chats[new_id]``."""
        if group.type != "group" or group.migrated_to is not None:
            raise ValueError("only a basic group (kind 'group') can be upgraded, once")
        new_id = new_id if new_id is not None else int(f"-100{abs(group.id):010d}")
        if new_id in self.chats:
            raise ValueError(f"chat {new_id} exists already")
        new = self.group(new_id, group.title or "Group", username=group.username)
        new.left = group.left
        group.migrated_to = new_id
        old_msg = group.new_message(user.api(), from_bot=False, migrate_to_chat_id=new_id)
        new_msg = new.new_message(user.api(), from_bot=False, migrate_from_chat_id=group.id)
        return (self.inject_update("message", old_msg.api()),
                self.inject_update("message", new_msg.api()))

    def add_to_group(self, group: SimChat, user: SimUser) -> JSON:
        """``user`` adds the bot to ``group``: the bot gets a my_chat_member update."""
        group.left = False
        left = {"status": "left", "user": self.bot_user}
        member = {"status": "member", "user": self.bot_user}
        return self.inject_update("my_chat_member", {
            "chat": group.api(), "from": user.api(), "date": int(time.time()),
            "old_chat_member": left, "new_chat_member": member,
        })

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    def _wake_pollers(self) -> None:
        self._updates_event.set()
        self._updates_event = asyncio.Event()

    # ================================================================== processing

    def mark_processed(self, update_id: int) -> None:
        """Report that the bot finished handling ``update_id`` (from a processing hook)."""
        self.processing_hook = True
        self._processed.add(update_id)
        if len(self._processed) > 20_000:
            floor = max(self._processed) - 10_000
            self._processed = {u for u in self._processed if u > floor}
        self._processed_event.set()
        self._processed_event = asyncio.Event()

    def is_processed(self, update_id: int) -> bool:
        return update_id in self._processed

    async def wait_processed(self, update_id: int, timeout: float = 5.0) -> None:
        """Wait until the hook reported ``update_id``; TimeoutError after ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while update_id not in self._processed:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"update {update_id} not processed within {timeout}s "
                                   f"({self.pending_updates} update(s) not fetched)")
            try:
                await asyncio.wait_for(self._processed_event.wait(), remaining)
            except TimeoutError:
                pass

    async def settle(self, chat: SimChat, update: JSON, timeout: float) -> list[SimMessage]:
        """Wait until the bot handled ``update`` and return the messages it sent or edited in
        ``chat`` since. With a processing hook: until processed (TimeoutError otherwise).
        Without: until one message arrives, then until ``settle_seconds`` pass quietly
        ([] if nothing arrives within ``timeout``)."""
        mark = chat.last_mark  # set by the send or press that produced ``update``
        if self.processing_hook:
            await self.wait_processed(update["update_id"], timeout)
            return chat.touched_since(mark)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout

        seen = mark
        while True:
            wait = timeout if seen == mark else self.settle_seconds
            wait = min(wait, deadline - loop.time())
            def moved(seen: int = seen) -> bool:
                return chat.activity_count > seen

            if wait <= 0 or not await chat.wait_activity(moved, wait):
                break
            seen = chat.activity_count
        return chat.touched_since(mark)

    # ================================================================== HTTP

    async def _read_params(self, request: web.Request) -> Params:
        values: JSON = dict(request.query)
        files: dict[str, Upload] = {}
        if request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = orjson.loads(await request.read())
                except orjson.JSONDecodeError:
                    raise bad_request("can't parse JSON request body") from None
                if not isinstance(body, dict):
                    raise bad_request("JSON request body must be an object")
                values.update(body)
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                for key, value in (await request.post()).items():
                    if isinstance(value, web.FileField):
                        files[key] = Upload(value.filename, value.file.read(),
                                            value.content_type)
                    else:
                        values[key] = value
        return Params(values, files)

    @staticmethod
    def _json(body: JSON, status: int = 200) -> web.Response:
        return web.Response(status=status, body=orjson.dumps(body),
                            content_type="application/json")

    def _error(self, err: ApiError) -> web.Response:
        self.stats.errors[err.code] += 1
        return self._json(err.body(), err.code)

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake up when the simulator stops."""
        try:
            await asyncio.wait_for(self._closed.wait(), seconds)
        except TimeoutError:
            pass

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        self.stats.calls[method] += 1
        if request.match_info["token"] != self.token:
            return self._error(ApiError(401, "Unauthorized"))
        entry = self._methods.get(method.lower())
        if entry is None:
            return self._error(ApiError(404, "Not Found: method not found"))
        config = self.faults.config
        decision = self.faults.decide(method)
        if decision.kind:
            self.stats.faults[decision.kind] += 1
        if decision.slow:
            self.stats.faults["slow"] += 1
            await self._pause(config.slow_seconds)
        if decision.kind and decision.kind != "lost_response":
            return await self._fault(request, decision.kind, config.hang_seconds,
                                     config.retry_after)
        try:
            params = await self._read_params(request)
            self._check_params(entry[0], params)
            self._check_flood(entry[0], params)
            result = await entry[1](params)
            response = self._json({"ok": True, "result": result})
        except ApiError as err:
            response = self._error(err)
        if decision.kind == "lost_response":
            return self._drop(request)
        return response

    def _check_params(self, method: str, params: Params) -> None:
        """Every parameter must be one of the method's (bot.simulator.methods)."""
        known = PARAMETERS.get(method.lower())
        if known is None:
            return  # a method added with register_method: its handler checks
        unknown = sorted((set(params.values) | set(params.files)) - known)
        for name in unknown:
            self.stats.unknown_params[f"{method}.{name}"] += 1
        if unknown and self.strict_params:
            raise bad_request(f"unknown parameter {unknown[0]} of method {method}")
        for name in REQUIRED.get(method.lower(), ()):
            if params.values.get(name) in (None, "") and name not in params.files:
                raise bad_request(f"{name} is empty" if name != "text" else "message text is empty")

    def _check_flood(self, method: str, params: Params) -> None:
        if self.limiter is None or not self.limiter.applies_to(method):
            return
        chat = self._find_chat(params.values.get("chat_id"))
        if chat is None:
            return  # the method answers "chat not found"
        retry_after = self.limiter.acquire(chat.id, chat.is_group)
        if retry_after is not None:
            self.stats.rate_limited += 1
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    @staticmethod
    def _drop(request: web.Request) -> web.Response:
        if request.transport is not None:
            request.transport.abort()
        return web.Response()

    async def _fault(self, request: web.Request, kind: str, hang: float,
                     retry_after: int) -> web.StreamResponse:
        if kind == "error_5xx":
            status = (500, 502, 503)[(self.stats.faults["error_5xx"] - 1) % 3]
            self.stats.errors[status] += 1
            if status == 500:
                return self._json({"ok": False, "error_code": 500,
                                   "description": "Internal Server Error: restart"}, 500)
            phrase = "Bad Gateway" if status == 502 else "Service Temporarily Unavailable"
            return web.Response(status=status, content_type="text/html",
                                text=f"<html><head><title>{status} {phrase}</title></head>"
                                     f"<body><center><h1>{status} {phrase}</h1></center>"
                                     "<hr><center>nginx</center></body></html>")
        if kind == "timeout":
            await self._pause(hang)
            return self._error(ApiError(504, "Gateway Timeout"))
        if kind == "drop":
            return self._drop(request)
        if kind == "rate_429":
            return self._error(ApiError(429, f"Too Many Requests: retry after {retry_after}",
                                        retry_after))
        return web.Response(status=200, body=b'{"ok":true,"result":{"message_id":',
                            content_type="application/json")  # malformed

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        self.stats.calls["file"] += 1
        doc = self._file_paths.get(request.match_info["path"])
        if request.match_info["token"] != self.token or doc is None:
            return self._error(ApiError(404, "Not Found"))
        return web.Response(body=doc.data, content_type=doc.mime_type)

    # ================================================================== helpers of methods

    def _find_chat(self, chat_id: Any) -> SimChat | None:
        if isinstance(chat_id, str):
            if chat_id.startswith("@"):
                name = chat_id[1:].lower()
                return next((c for c in self.chats.values() if c.type != "private"
                             and (c.username or "").lower() == name), None)
            try:
                chat_id = int(chat_id)
            except ValueError:
                return None
        return self.chats.get(chat_id) if isinstance(chat_id, int) else None

    def _chat(self, p: Params, *, sending: bool = False, reading: bool = False) -> SimChat:
        if "chat_id" not in p:
            raise bad_request("chat_id is empty")
        chat = self._find_chat(p.values["chat_id"])
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None and not reading:  # an upgraded group is read-only
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           migrate_to_chat_id=chat.migrated_to)
        if sending and chat.is_group and chat.left:
            raise ApiError(403, "Forbidden: bot is not a member of the supergroup chat"
                           if chat.type == "supergroup" else
                           "Forbidden: bot is not a member of the group chat")
        if sending and chat.type == "private":
            if chat.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if not chat.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    @staticmethod
    def _format(p: Params, text: str, *, limit: int, entities_key: str,
                required: bool) -> tuple[str, list[JSON]]:
        parse_mode = p.get_str("parse_mode")
        if parse_mode:
            try:
                plain, entities = parse_text(text, parse_mode)
            except ParseError as err:
                raise bad_request(f"can't parse entities: {err}") from None
            except ValueError:
                raise bad_request("unsupported parse_mode") from None
        else:
            plain, entities = text, list(p.get_json(entities_key) or [])
        if required and not plain.strip():
            raise bad_request("message text is empty")
        if len(plain) > limit:  # code points after entity parsing (tdlib's utf8_length)
            raise bad_request("message is too long" if required
                              else "message caption is too long")
        return plain, entities

    @staticmethod
    def _inline_markup(p: Params, chat: SimChat | None = None) -> JSON | None:
        """The inline keyboard of the call (None if absent); other keyboards go to ``chat``."""
        markup = p.get_json("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            if chat is None:
                raise bad_request("inline keyboard expected")
            chat.reply_keyboard = markup
            return None
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request("can't parse inline keyboard markup JSON object")
        if sum(len(row) for row in rows) > MAX_BUTTONS:
            raise bad_request("reply markup is too long")
        if any(len(row) > MAX_ROW for row in rows):
            raise bad_request("too many buttons in a row")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise bad_request("can't parse inline keyboard button: "
                                      "InlineKeyboardButton must be an Object")
                actions = [a for a in BUTTON_ACTIONS if a in button]
                if len(actions) != 1:
                    raise bad_request("can't parse inline keyboard button: Text buttons are "
                                      "unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
        return {"inline_keyboard": rows} if any(rows) else None

    def _reply_target(self, p: Params, chat: SimChat) -> SimMessage | None:
        target = p.get_int("reply_to_message_id")
        lenient = p.get_bool("allow_sending_without_reply")
        parameters = p.get_json("reply_parameters")
        if isinstance(parameters, dict):
            target = parameters.get("message_id")
            lenient = lenient or bool(parameters.get("allow_sending_without_reply"))
        if target is None:
            return None
        msg = chat.get(int(target))
        if msg is None and not lenient:
            raise bad_request("message to be replied not found")
        return msg

    def _deliver(self, chat: SimChat, msg: SimMessage, edited: bool) -> JSON:
        if not edited:
            self.stats.messages_sent += 1
        chat.record_bot_activity(msg, edited)
        if self.on_bot_message is not None:
            try:
                self.on_bot_message(chat.id, msg, edited)
            except Exception:  # noqa: BLE001 - a broken observer must not break the API
                _LOG.exception("on_bot_message callback failed")
        return msg.api()

    def _editable(self, p: Params) -> tuple[SimChat, SimMessage]:
        if "inline_message_id" in p:
            raise bad_request("inline messages are not supported by the simulator")
        chat = self._chat(p)
        message_id = p.get_int("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        msg = chat.get(message_id)
        if msg is None:
            raise bad_request("message to edit not found")
        if not msg.from_bot:
            raise bad_request("message can't be edited")
        return chat, msg

    def _apply_edit(self, chat: SimChat, msg: SimMessage, **changes: Any) -> JSON:
        if all(getattr(msg, k) == v for k, v in changes.items() if k not in
               ("source", "parse_mode")):
            raise bad_request(NOT_MODIFIED)
        for key, value in changes.items():
            setattr(msg, key, value)
        msg.edit_date, msg.edits = int(time.time()), msg.edits + 1
        return self._deliver(chat, msg, edited=True)

    # ================================================================== Bot API methods

    async def _true(self, p: Params) -> bool:
        return True

    async def _get_me(self, p: Params) -> JSON:
        return self.bot_user

    async def _delete_webhook(self, p: Params) -> bool:
        if p.get_bool("drop_pending_updates"):
            self.stats.updates_dropped += len(self._updates)
            self._updates.clear()
        return True

    async def _webhook_info(self, p: Params) -> JSON:
        return {"url": "", "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._recent.append(self._updates.popleft())
        elif offset < 0:
            while len(self._updates) > -offset:
                self._recent.append(self._updates.popleft())

    @staticmethod
    def _kind(update: JSON) -> str:
        return next(k for k in update if k != "update_id")

    def _batch(self, limit: int) -> list[JSON]:
        allowed = self._allowed or DEFAULT_UPDATE_TYPES
        if any(self._kind(u) not in allowed for u in self._updates):
            kept = [u for u in self._updates if self._kind(u) in allowed]
            self.stats.updates_dropped += len(self._updates) - len(kept)
            self._updates = deque(kept)
        return [self._updates[i] for i in range(min(limit, len(self._updates)))]

    async def _get_updates(self, p: Params) -> list[JSON]:
        self._poll_seq += 1
        me = self._poll_seq
        self._wake_pollers()  # an older long poll gets its 409
        self._confirm(p.get_int("offset") or 0)
        allowed = p.get_json("allowed_updates")
        if isinstance(allowed, list):
            self._allowed = frozenset(allowed) or None
        limit = min(max(p.get_int("limit") or 100, 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(p.get_float("timeout") or 0.0, 0.0)
        while True:
            event = self._updates_event
            batch = self._batch(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._closed.is_set():
                break
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass
            if self._poll_seq != me:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make "
                                    "sure that only one bot instance is running")
        if batch and self.faults.duplicate_updates():
            self.stats.faults["duplicate_updates"] += 1
            if self._recent:
                batch.insert(0, self._recent[-1])
            else:
                batch.insert(1, batch[0])
        self.stats.updates_delivered += len(batch)
        return batch

    async def _send_message(self, p: Params) -> JSON:
        chat = self._chat(p, sending=True)
        text = p.get_str("text") or ""
        plain, entities = self._format(p, text, limit=MAX_TEXT, entities_key="entities",
                                       required=True)
        markup = self._inline_markup(p, chat)
        reply = self._reply_target(p, chat)
        msg = chat.new_message(self.bot_user, from_bot=True, text=plain, entities=entities,
                               source=text, parse_mode=p.get_str("parse_mode"),
                               reply_markup=markup, reply_to=reply)
        return self._deliver(chat, msg, edited=False)

    def _document(self, p: Params) -> SimFile:
        upload = p.files.get("document")
        ref = p.get_str("document")
        if upload is None and ref and ref.startswith("attach://"):
            upload = p.files.get(ref.removeprefix("attach://"))
        if upload is not None:
            return self.store_file(upload.filename or "document", upload.data,
                                   upload.content_type or "application/octet-stream")
        if not ref:
            raise bad_request("there is no document in the request")
        if ref not in self._files:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return self._files[ref]

    async def _send_document(self, p: Params) -> JSON:
        chat = self._chat(p, sending=True)
        doc = self._document(p)
        caption = p.get_str("caption") or ""
        plain, entities = self._format(p, caption, limit=MAX_CAPTION,
                                       entities_key="caption_entities", required=False)
        markup = self._inline_markup(p, chat)
        reply = self._reply_target(p, chat)
        msg = chat.new_message(self.bot_user, from_bot=True, text=plain, entities=entities,
                               source=caption, parse_mode=p.get_str("parse_mode"),
                               reply_markup=markup, reply_to=reply, document=doc)
        return self._deliver(chat, msg, edited=False)

    async def _edit_text(self, p: Params) -> JSON:
        chat, msg = self._editable(p)
        if msg.document is not None:
            raise bad_request("there is no text in the message to edit")
        text = p.get_str("text") or ""
        plain, entities = self._format(p, text, limit=MAX_TEXT, entities_key="entities",
                                       required=True)
        return self._apply_edit(chat, msg, text=plain, entities=entities, source=text,
                                parse_mode=p.get_str("parse_mode"),
                                reply_markup=self._inline_markup(p))

    async def _edit_caption(self, p: Params) -> JSON:
        chat, msg = self._editable(p)
        if msg.document is None:
            raise bad_request("there is no caption in the message to edit")
        caption = p.get_str("caption") or ""
        plain, entities = self._format(p, caption, limit=MAX_CAPTION,
                                       entities_key="caption_entities", required=False)
        return self._apply_edit(chat, msg, text=plain, entities=entities, source=caption,
                                parse_mode=p.get_str("parse_mode"),
                                reply_markup=self._inline_markup(p))

    async def _edit_markup(self, p: Params) -> JSON:
        chat, msg = self._editable(p)
        return self._apply_edit(chat, msg, reply_markup=self._inline_markup(p))

    async def _delete_message(self, p: Params) -> bool:
        chat = self._chat(p)
        msg = chat.get(p.get_int("message_id") or 0)
        if msg is None:
            raise bad_request("message to delete not found")
        msg.deleted = True
        return True

    async def _answer_callback(self, p: Params) -> bool:
        pressed = self._callbacks.pop(p.get_str("callback_query_id") or "", None)
        if pressed is None or self._clock() - pressed[1] > CALLBACK_TTL:
            self.stats.expired_answers += pressed is not None
            raise bad_request("query is too old and response timeout expired or query ID is "
                              "invalid")
        user = pressed[0]
        answer = {"text": p.get_str("text"), "show_alert": p.get_bool("show_alert"),
                  "url": p.get_str("url"), "cache_time": p.get_int("cache_time")}
        if len(p.get_str("text") or "") > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        user.answers.append(answer)
        if self.on_callback_answer is not None:
            try:
                self.on_callback_answer(user.id, answer)
            except Exception:  # noqa: BLE001 - as above
                _LOG.exception("on_callback_answer callback failed")
        return True

    async def _get_file(self, p: Params) -> JSON:
        doc = self._files.get(p.get_str("file_id") or "")
        if doc is None:
            raise bad_request("invalid file_id")
        if len(doc.data) > MAX_DOWNLOAD:  # the Bot API's limit for bots (not a local server)
            raise bad_request("file is too big")
        return {"file_id": doc.file_id, "file_unique_id": doc.file_unique_id,
                "file_size": len(doc.data), "file_path": doc.path}

    @staticmethod
    def _scope(p: Params) -> tuple[str, str]:
        scope = p.get_json("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), p.get_str("language_code") or ""

    async def _set_commands(self, p: Params) -> bool:
        commands = p.get_json("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for cmd in commands:
            name = str(cmd.get("command", "")) if isinstance(cmd, dict) else ""
            if not (1 <= len(name) <= 32 and all(c.islower() or c.isdigit() or c == "_"
                                                  for c in name) and name.isascii()):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", ""))) <= 256:
                raise bad_request("command description must be 1-256 characters")
        self.commands[self._scope(p)] = [{"command": c["command"],
                                          "description": c["description"]} for c in commands]
        return True

    async def _get_commands(self, p: Params) -> list[JSON]:
        return self.commands.get(self._scope(p), [])

    async def _delete_commands(self, p: Params) -> bool:
        self.commands.pop(self._scope(p), None)
        return True

    async def _chat_action(self, p: Params) -> bool:
        self._chat(p, sending=True)
        if p.get_str("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def _leave_chat(self, p: Params) -> bool:
        chat = self._chat(p)
        if not chat.is_group:
            raise bad_request("chat member status can't be changed in private chats")
        if chat.left:
            raise ApiError(403, "Forbidden: bot is not a member of the supergroup chat")
        chat.left = True
        return True

    async def _get_chat(self, p: Params) -> JSON:
        chat = self._chat(p, reading=True)
        return {**chat.api(), "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                        "unique_gifts": False,
                                        "premium_subscription": False,
                                        "gifts_from_channels": False}}
