"""Updates of different chats at the same time, each chat's in order.

PTB handles updates one after the other by default (``concurrent_updates(False)``): one
slow Telegram call — a send that hangs until its timeout, a 429 waited out by the rate
limiter — stalls every user of the bot. With all updates concurrent instead, one person's
quick taps could be handled out of order (a conversation's answer before its question).

:class:`PerChatUpdates` is the middle: up to ``max_concurrent_updates`` updates at once,
but those of one chat strictly one after the other, in the order Telegram gave them
(asyncio's locks and semaphores are first come, first served, and PTB starts the update
tasks in arrival order). Updates without a chat share one queue.

Handlers stay correct under this because the store is used from the one event-loop thread
and no handler awaits inside a ``store.transaction()`` (the rule of :mod:`data.store`); a
change prepared before an ``await`` and saved after it is checked with ``expected_version``
where it matters. The daily job has always run beside the updates on the same terms.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

#: updates handled at the same time (different chats); measured in benchmarks/bench_load.py
DEFAULT_CONCURRENCY = 64


class PerChatUpdates(BaseUpdateProcessor):
    """Concurrent across chats, sequential within a chat (see the module documentation)."""

    def __init__(self, max_concurrent_updates: int = DEFAULT_CONCURRENCY) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int | None, asyncio.Lock] = {}
        self._users: dict[int | None, int] = {}

    @staticmethod
    def key(update: object) -> int | None:
        if isinstance(update, Update) and update.effective_chat is not None:
            return update.effective_chat.id
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = self.key(update)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # nobody else waits: forget the chat
                del self._users[key]
                del self._locks[key]

    @property
    def chats_waiting(self) -> int:
        return len(self._locks)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
