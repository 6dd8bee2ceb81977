"""Telegram's flood limits, enforced by the simulator (answering 429 with retry_after).

Telegram documents: about 1 message per second in one chat (short bursts allowed), 30 messages
per second overall, 20 messages per minute in one group. Each limit is a token bucket here
(capacity = burst, refilled continuously), the same model as PTB's ``AIORateLimiter``
(aiolimiter's leaky bucket), so a bot paced by it is never refused. A refused call consumes
nothing. ``slack`` forgives that many seconds of refill to absorb network jitter between the
client's pacing and the server's clock.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["SEND_METHODS", "RateLimiter", "RateLimits"]

#: Methods that deliver a new message and therefore count against the limits (lower case).
SEND_METHODS = frozenset({
    "sendmessage", "senddocument", "sendphoto", "sendvideo", "sendaudio", "sendvoice",
    "sendanimation", "sendsticker", "sendmediagroup", "sendlocation", "sendcontact",
    "sendpoll", "copymessage", "forwardmessage",
    # edits count too: Telegram refuses a chat's edits beyond the same limits
    "editmessagetext", "editmessagecaption", "editmessagereplymarkup", "editmessagemedia",
})


@dataclass(frozen=True)
class RateLimits:
    """Limit settings; every rate is in messages per second."""

    per_chat_rate: float = 1.0
    per_chat_burst: int = 5
    global_rate: float = 30.0
    global_burst: int = 30
    group_rate: float = 20 / 60  # 20 per minute...
    group_burst: int = 20  # ...starting from a full minute's allowance
    slack: float = 0.25
    methods: frozenset[str] = SEND_METHODS


class _Bucket:
    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = float(burst), now

    def refill(self, now: float) -> None:
        self.tokens = min(float(self.burst), self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait(self, slack: float) -> float:
        """Seconds until one token is available (0 when available now)."""
        missing = 1.0 - self.rate * slack - self.tokens
        return max(0.0, missing / self.rate)


class RateLimiter:
    """Buckets for the overall limit, each chat and each group."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self._clock = clock
        self._global = _Bucket(limits.global_rate, limits.global_burst, clock())
        self._chats: dict[int, _Bucket] = {}
        self._groups: dict[int, _Bucket] = {}

    def applies_to(self, method: str) -> bool:
        return method.lower() in self.limits.methods

    def acquire(self, chat_id: int, is_group: bool) -> int | None:
        """Take one message's allowance; return None if granted, else retry_after seconds."""
        now = self._clock()
        lim = self.limits
        buckets = [self._global]
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Bucket(lim.per_chat_rate, lim.per_chat_burst, now)
        buckets.append(chat)
        if is_group:
            group = self._groups.get(chat_id)
            if group is None:
                group = self._groups[chat_id] = _Bucket(lim.group_rate, lim.group_burst, now)
            buckets.append(group)
        for bucket in buckets:
            bucket.refill(now)
        wait = max(bucket.wait(lim.slack) for bucket in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1.0
        return None
