"""How updates are scheduled: the chats run concurrently, each chat's updates in order.

PTB hands every update to the application's update processor. :class:`PerChatProcessor`
keeps one lane per chat: an update waits only for the earlier updates of its own chat, so one
office's 5,000-row import never holds up another person's button press. Within a chat the
order is kept (a conversation's steps, a press after the message it presses).

Everything still runs on the event loop's thread: handlers read and write the store between
awaits, never inside one (see ARCHITECTURE.md). What changes is that between two awaits of
a handler, another chat's handler may run: a change prepared before an await is saved with
``expected_version``.

A button press that waits for its turn (behind its own chat's slow import, say) is answered
after ``WAITING_ANSWER`` seconds, empty, so that Telegram never drops it; its handler sees that
(``answered_early``) and sends an alert as a message instead.

Groups get a budget of their own (:class:`GroupBudget`): a group may start only so many
updates a minute; the excess waits in that group's lane (the group waits alone) and, beyond
``backlog`` waiting updates, is dropped with a log line.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger("duban.updates")

__all__ = ["GroupBudget", "PerChatProcessor", "lane_of"]

#: updates handled at once, over all chats (each chat: one at a time)
MAX_RUNNING = 32
#: seconds a button press may wait for its chat's turn before it is answered (empty)
WAITING_ANSWER = 0.5
#: PTB's own semaphore: updates admitted (running or waiting in their lane); high enough
#: that it never makes an update of a quiet chat wait behind a busy chat's backlog
MAX_ADMITTED = 100_000


@dataclass(frozen=True)
class GroupBudget:
    """Updates a group may start: ``burst`` at once, then ``per_minute``; ``backlog`` waiting."""

    per_minute: float = 10.0
    burst: int = 5
    backlog: int = 20


def lane_of(update: object) -> tuple[int | None, bool]:
    """The lane (chat id, else user id, else None: no ordering) and whether it is a group."""
    if not isinstance(update, Update):
        return None, False
    chat = update.effective_chat
    if chat is not None:
        return chat.id, chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    user = update.effective_user
    return (user.id if user is not None else None), False


class _Bucket:
    __slots__ = ("rate", "burst", "tokens", "stamp")

    def __init__(self, budget: GroupBudget, now: float) -> None:
        self.rate, self.burst = budget.per_minute / 60.0, float(budget.burst)
        self.tokens, self.stamp = self.burst, now

    def delay(self, now: float) -> float:
        """Take one token; the seconds to wait before it is really there (0: now)."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= 1.0
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class PerChatProcessor(BaseUpdateProcessor):
    """Updates of different chats concurrently, each chat's in arrival order."""

    def __init__(self, max_running: int = MAX_RUNNING, *, group_budget: GroupBudget | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 on_done: Callable[[object], None] | None = None) -> None:
        super().__init__(MAX_ADMITTED)
        self._running = asyncio.Semaphore(max_running)
        self._tails: dict[int, asyncio.Future] = {}
        self._waiting: dict[int, int] = {}
        self._buckets: dict[int, _Bucket] = {}
        #: None: groups are not held back (tests without flood limits)
        self.group_budget = group_budget
        self._clock = clock
        #: called after each update was handled, whatever happened (the simulator's hook)
        self.on_done = on_done
        self.dropped = 0
        #: set by create_app: a stopping application lets the groups' waiting updates go
        self.application: Any = None
        #: ids of button presses answered while they waited for their turn (insertion order)
        self.answered_early: dict[str, None] = {}
        self._tasks: set[asyncio.Task] = set()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        # PTB starts one task per update in arrival order and its semaphore never blocks
        # here (MAX_ADMITTED), so this synchronous part runs in arrival order: the lane's
        # tail is taken before the first await.
        lane, group = lane_of(update)
        if lane is None:
            try:
                async with self._running:
                    await coroutine
            finally:
                self._done(update)
            return
        budget = self.group_budget if group else None
        group = budget is not None
        if budget is not None and self._waiting.get(lane, 0) >= budget.backlog:
            self.dropped += 1
            log.warning("group %s floods: update %s dropped", lane,
                        getattr(update, "update_id", "?"))
            coroutine.close()  # type: ignore[attr-defined]
            self._done(update)
            return
        before = self._tails.get(lane)
        loop = asyncio.get_running_loop()
        mine = loop.create_future()
        query = update.callback_query if isinstance(update, Update) else None
        timer = (loop.call_later(WAITING_ANSWER, self._answer_waiting, query)
                 if query is not None and self.application is not None else None)
        self._tails[lane] = mine
        self._waiting[lane] = self._waiting.get(lane, 0) + 1
        waiting = True
        try:
            if before is not None:
                await asyncio.shield(before)
            if group and not await self._group_turn(lane):
                return  # the bot is stopping: a group's waiting update is let go
            self._waiting[lane] -= 1
            waiting = False
            async with self._running:
                if timer is not None:
                    timer.cancel()
                await coroutine
        finally:
            if timer is not None:
                timer.cancel()
            if waiting:  # never had its turn (shutting down)
                self._waiting[lane] -= 1
                coroutine.close()  # type: ignore[attr-defined]
            mine.set_result(None)
            if self._tails.get(lane) is mine:
                del self._tails[lane]
                self._waiting.pop(lane, None)
            self._done(update)

    async def _group_turn(self, lane: int) -> bool:
        """Wait for the group's budget; False when the application stops meanwhile."""
        bucket = self._buckets.get(lane)
        now = self._clock()
        if bucket is None:
            assert self.group_budget is not None  # only groups under a budget wait their turn
            bucket = self._buckets[lane] = _Bucket(self.group_budget, now)
            if len(self._buckets) > 10_000:  # forget the groups whose budget is full again
                self._buckets = {k: b for k, b in self._buckets.items()
                                 if now - b.stamp < b.burst / b.rate}
        until = now + bucket.delay(now)
        if until > now:
            log.info("group %s over its budget: waits %.1f s", lane, until - now)
        while (left := until - self._clock()) > 0:
            if self.application is not None and not self.application.running:
                return False
            await asyncio.sleep(min(left, 0.2))
        return True

    def _answer_waiting(self, query) -> None:
        """A button press still waiting for its chat's turn: stop Telegram's spinner now (an
        unanswered query expires after about 15 s); its handler then knows (answered_early)."""
        self.answered_early[query.id] = None
        while len(self.answered_early) > 10_000:
            del self.answered_early[next(iter(self.answered_early))]

        async def answer() -> None:
            try:
                await query.get_bot().answer_callback_query(query.id)
            except TelegramError as exc:
                log.info("could not answer a waiting button press: %s", exc)

        task = asyncio.get_running_loop().create_task(answer())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _done(self, update: object) -> None:
        if self.on_done is not None:
            try:
                self.on_done(update)
            except Exception:  # a hook must not break the bot
                log.exception("update hook failed")

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
