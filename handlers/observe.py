"""One structured log line per update: who, what, how long it took.

Two TypeHandlers bracket every update: one in the first group notes the start, one in the
last group logs ``{"event": "update", ...}`` as JSON with the handling time in ms. Message
text is never logged (it is government work in progress); only its kind and command name.
"""

from __future__ import annotations

import logging
import time

import orjson
from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from handlers import FIRST_GROUP, LAST_GROUP
from handlers.common import app_state

log = logging.getLogger("duban.updates")

# the counters /health shows and the start of each update are the Application's
# (``BotData.stats``, ``BotData.started``)


def describe(update: Update) -> str:
    if update.callback_query is not None:
        data = update.callback_query.data or ""
        return "button:" + data.split(":", 1)[0].split("|", 1)[0]
    message = update.effective_message
    if update.edited_message is not None:
        return "edited"
    if message is None:
        return "other"
    if message.text and message.text.startswith("/"):
        return "command:" + message.text.split()[0].split("@")[0][:32]
    if message.document is not None:
        return "document"
    return "text" if message.text else "media"


async def _begin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    started = app_state(context).started
    started[update.update_id] = time.perf_counter()
    if len(started) > 10_000:  # never grow without bound if an end went missing
        started.clear()


async def _end(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    state = app_state(context)
    stats = state.stats
    started = state.started.pop(update.update_id, None)
    ms = (time.perf_counter() - started) * 1000 if started is not None else -1.0
    stats["updates"] += 1
    stats["slowest_ms"] = max(stats["slowest_ms"], ms)
    user = update.effective_user
    chat = update.effective_chat
    line = {"event": "update", "update_id": update.update_id, "what": describe(update),
            "user": user.id if user else None, "chat": chat.type if chat else None,
            "ms": round(ms, 2)}
    log.info(orjson.dumps(line).decode())


def register(app: Application) -> None:
    app.add_handler(TypeHandler(Update, _begin), group=FIRST_GROUP)
    app.add_handler(TypeHandler(Update, _end), group=LAST_GROUP)

