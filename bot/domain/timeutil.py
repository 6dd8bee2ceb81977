"""Time in Asia/Shanghai, and the injected "now".

Domain functions take ``today``/``now`` as arguments. The application holds one *time
source* (``SystemTime`` in production, ``SetTime`` in tests and in ``duban console --now``)
and passes its readings down.
"""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


class SystemTime:
    """The real clock, in Asia/Shanghai."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(TZ)

    def today(self) -> dt.date:
        return self.now().date()


class SetTime(SystemTime):
    """A clock set to a given moment; it keeps running from there unless ``frozen``."""

    def __init__(self, start: dt.datetime, *, frozen: bool = False) -> None:
        self.set(start)
        self.frozen = frozen

    def set(self, moment: dt.datetime) -> None:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=TZ)
        self._start = moment.astimezone(TZ)
        self._t0 = time.monotonic()

    def advance(self, delta: dt.timedelta) -> None:
        self.set(self.now() + delta)

    def now(self) -> dt.datetime:
        if self.frozen:
            return self._start
        return self._start + dt.timedelta(seconds=time.monotonic() - self._t0)


def iso_now(source: SystemTime) -> str:
    """The moment as stored in history: ISO with offset, to the second."""
    return source.now().replace(microsecond=0).isoformat()


def parse_moment(text: str) -> dt.datetime:
    """``2020-06-29T09:00`` or ``2020-06-29`` as an Asia/Shanghai datetime."""
    text = text.strip()
    if len(text) == 10:
        text += "T00:00"
    moment = dt.datetime.fromisoformat(text)
    return moment.replace(tzinfo=TZ) if moment.tzinfo is None else moment.astimezone(TZ)
