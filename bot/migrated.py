"""A send to a basic group that became a supergroup goes to the supergroup.

Telegram answers every write to the old id 400 "group chat was upgraded to a supergroup
chat" with ``parameters.migrate_to_chat_id`` (PTB raises ``ChatMigrated``). Every Bot API
call of the Application passes :class:`MigratedChatRetry` (PTB's rate-limiter hook, around
the flood limiter when there is one), which retries such a call once with the new id. The
group's setting and chat_data move when the migration's service message arrives
(handlers.groups.on_migrate).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import ChatMigrated
from telegram.ext import BaseRateLimiter

log = logging.getLogger("duban.migrated")

JSONDict = dict[str, Any]


class MigratedChatRetry(BaseRateLimiter[int]):
    """Retry a call that met ``ChatMigrated`` once on the new chat id; ``inner``: the
    flood limiter every attempt passes (None: none)."""

    def __init__(self, inner: BaseRateLimiter | None = None) -> None:
        self.inner = inner
        #: old chat id -> new, as Telegram told us
        self.moved: dict[int, int] = {}

    async def initialize(self) -> None:
        if self.inner is not None:
            await self.inner.initialize()

    async def shutdown(self) -> None:
        if self.inner is not None:
            await self.inner.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        async def attempt() -> bool | JSONDict | list[JSONDict]:
            if self.inner is not None:
                return await self.inner.process_request(callback, args, kwargs, endpoint, data,
                                                        rate_limit_args)
            return await callback(*args, **kwargs)

        try:
            return await attempt()
        except ChatMigrated as exc:
            old = data.get("chat_id")
            if old is None or old == exc.new_chat_id:
                raise
            log.info("%s to chat %s: the group is now supergroup %s, sent there", endpoint,
                     old, exc.new_chat_id)
            try:
                self.moved[int(old)] = exc.new_chat_id
            except (TypeError, ValueError):
                pass
            data["chat_id"] = exc.new_chat_id  # ``args`` holds this same dict
            return await attempt()
