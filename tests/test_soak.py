"""Soak: 50 people use the bot at once while the simulator injects every fault at random.

50 approved users (the sample's 12 linked people and 38 more handlers, each with copies of
张三's cases) ask questions, press buttons, move their cases forward and change their
language, 5 strangers register and the office approves them, for
:data:`SOAK_SECONDS` (``DUBAN_SOAK_SECONDS`` overrides it: the issue's 60 s, or hours), with
Telegram's flood limits enforced and 5xx, hangs, dropped connections, 429, malformed JSON,
lost responses, slow answers and duplicate updates injected. Afterwards:

* no handler crashed (an error that is not Telegram's own would be a bug);
* every user got an answer or a clear error to every request (asking again when silent, as
  people do);
* every change the bot acknowledged is in the store with its history, nothing more;
  every registration the office approved made an approved person; verify() is clean;
* with the faults gone, the bot still answers everyone.
"""

from __future__ import annotations

import asyncio
import logging
import os

import pytest
from telegram.error import TelegramError

from bot.simulator import RateLimits
from tests.conftest import start_bot
from tests.loadgen import Crowd, add_handlers, check_languages, check_stages, percentile

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

#: 45 s of load keeps this file under a minute in the suite; the issue names 60 s
SOAK_SECONDS = float(os.environ.get("DUBAN_SOAK_SECONDS", "45"))
USERS = 50
STRANGERS = 5
FAULTS = dict(error_5xx=0.02, timeout=0.002, drop=0.01, rate_429=0.01, malformed=0.01,
              lost_response=0.01, slow=0.05, duplicate_updates=0.03, slow_seconds=0.3,
              hang_seconds=6.0, retry_after=1, seed=2020)


class Crashes(logging.Handler):
    """Errors of the bot's loggers whose exception is not a Telegram (network) error."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.crashes: list[logging.LogRecord] = []
        self.network = 0

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith("duban"):
            return
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, TelegramError):
            self.network += 1
        else:
            self.crashes.append(record)


async def test_fifty_users_through_every_fault(tmp_path, time_source):
    crashes = Crashes()
    logging.getLogger().addHandler(crashes)
    env, stop = await start_bot(tmp_path / "data", time_source, rate_limits=RateLimits())
    try:
        store, sim = env.store, env.sim
        linked = [p for p in store.people() if p.telegram and p.approved]
        own = add_handlers(store, USERS - len(linked), 20_000)
        people = [p for p in store.people() if p.telegram and p.approved]
        assert len(people) == USERS
        users = [sim.user(p.telegram, first_name=p.name) for p in people]
        office = env.user("周敏")
        strangers = [sim.user(50_000 + i, first_name=f"新人{i}") for i in range(STRANGERS)]
        crowd = Crowd(sim, users, office=office, strangers=strangers, seed=9, timeout=10.0,
                      cases=own)
        sim.faults.set(**FAULTS)
        tally = await crowd.run(SOAK_SECONDS)
        sim.faults.clear()
        await asyncio.sleep(1.0)  # let the last retries land

        injected = dict(sim.stats.faults)
        lat = tally.latencies
        print(f"\nsoak {SOAK_SECONDS:.0f} s, {USERS} users: {tally.requests} requests, "
              f"{dict(tally.outcomes)}; latency p50 {percentile(lat, 50) * 1000:.0f} ms, "
              f"p95 {percentile(lat, 95) * 1000:.0f} ms, p99 {percentile(lat, 99) * 1000:.0f} ms; "
              f"faults {injected}, 429 by limits {sim.stats.rate_limited}, "
              f"Telegram errors handled {crashes.network}; acknowledged: "
              f"{sum(map(len, tally.acked_lang.values()))} language changes, "
              f"{len(tally.acked_stage)} case moves, {len(tally.welcomed)} registrations")

        # it really was under load (Telegram's 30 messages/s overall is the ceiling: the
        # rate limiter paces the answers to it) and under fire
        assert tally.requests >= 15 * SOAK_SECONDS
        assert all(injected.get(k, 0) > 0 for k in ("error_5xx", "drop", "rate_429",
                                                    "malformed", "lost_response"))
        # no handler crashed
        assert not crashes.crashes, "\n".join(
            logging.Formatter().format(r) for r in crashes.crashes[:3])
        # every user got an answer or a clear error, every time
        assert not tally.unanswered, dict(tally.unanswered)
        assert tally.outcomes["answer"] > 10 * tally.outcomes["error"]
        # every acknowledged change is stored with its history
        assert sum(map(len, tally.acked_lang.values())) > USERS
        assert check_languages(store, tally) == []
        assert len(tally.acked_stage) > USERS / 2
        assert check_stages(store, tally) == []
        requests = {d["telegram"]: d for d in store.table("join_requests").all()}
        assert tally.asked <= set(requests)
        for tid in tally.welcomed:
            person = store.person_by_telegram(tid)
            assert person is not None and person.approved, tid
            assert requests[tid]["status"] == "approved"
            assert store.person_history(person.id)[0]["field"] == "created"
        assert store.verify("en") == []

        # the bot still answers everyone (and the newcomers too)
        crowd.tries = 1
        for user in users + [s for s in strangers if s.id in tally.welcomed]:
            reply = await crowd.ask(user, "/case 0484")
            assert reply, f"{user} got no answer after the soak"
        assert not crowd.tally.unanswered
    finally:
        logging.getLogger().removeHandler(crashes)
        await stop()
