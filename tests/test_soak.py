"""Soak: 50 people use the bot at once while the simulator injects every fault at random.

50 approved users (the sample's 12 linked people and 38 more handlers, each with copies of
张三's cases) ask questions, press buttons, move their cases forward and change their
language, 5 strangers register and the office approves them, until every user has done
:data:`ACTIONS` actions (``DUBAN_SOAK_ACTIONS`` overrides it, for a soak of hours), with
Telegram's flood limits enforced and 5xx, hangs, dropped connections, 429, malformed JSON,
lost responses, slow answers and duplicate updates injected. The amount of work is fixed,
not the time: a busy machine takes longer and must come to the same verdict. The rate is
printed, never asserted (speeds belong in ``benchmarks/bench_load.py``). Afterwards:

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
import time

import pytest
from telegram.error import TelegramError

from bot.simulator import RateLimits
from tests.conftest import start_bot
from tests.loadgen import Crowd, add_handlers, check_languages, check_stages, percentile

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

#: actions per user (a query, a button, a case moved forward, a language change): about
#: 700 requests, 40-60 s on a 2-core machine
ACTIONS = int(os.environ.get("DUBAN_SOAK_ACTIONS", "12"))
#: a hung bot fails the test after this long instead of hanging the suite
DEADLINE = 600.0
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
        started = time.monotonic()
        try:
            async with asyncio.timeout(DEADLINE):
                tally = await crowd.run(actions=ACTIONS)
        except TimeoutError:
            pytest.fail(f"the crowd did not finish {ACTIONS} actions each in {DEADLINE:.0f} s: "
                        f"{crowd.tally.requests} requests, {dict(crowd.tally.outcomes)}")
        elapsed = time.monotonic() - started
        sim.faults.clear()

        injected = dict(sim.stats.faults)
        acked_lang = sum(map(len, tally.acked_lang.values()))
        sent_lang = sum(tally.sent_lang.values())
        lat = tally.latencies
        print(f"\nsoak {USERS} users x {ACTIONS} actions: {tally.requests} requests in "
              f"{elapsed:.1f} s ({tally.requests / elapsed:.1f}/s), "
              f"{dict(tally.outcomes)}; latency p50 {percentile(lat, 50) * 1000:.0f} ms, "
              f"p95 {percentile(lat, 95) * 1000:.0f} ms, p99 {percentile(lat, 99) * 1000:.0f} ms; "
              f"faults {injected} in {sum(sim.stats.calls.values())} API calls "
              f"{dict(sim.stats.calls)}, 429 by limits {sim.stats.rate_limited}, "
              f"Telegram errors handled {crashes.network}; acknowledged: "
              f"{acked_lang} of {sent_lang} language changes, "
              f"{len(tally.acked_stage)} of {tally.sent_stage} case moves, "
              f"{len(tally.welcomed)} registrations")

        # every user did the whole script (a fixed amount of work), under fire
        assert tally.requests >= USERS * ACTIONS
        assert all(injected.get(k, 0) > 0 for k in ("error_5xx", "drop", "rate_429",
                                                    "malformed", "lost_response"))
        # every user got an answer or a clear error, every time
        assert not tally.unanswered, dict(tally.unanswered)
        assert tally.outcomes["answer"] > 10 * tally.outcomes["error"]

        # with the faults gone the bot still answers everyone (and the newcomers too); it
        # handles updates one at a time, in order, so once these are answered every earlier
        # update (a retry still in flight when the crowd stopped) has been handled too
        crowd.tries = 1
        for user in users + [s for s in strangers if s.id in tally.welcomed]:
            reply = await crowd.ask(user, "/case 0484")
            assert reply, f"{user} got no answer after the soak"
        assert not crowd.tally.unanswered

        # no handler crashed
        assert not crashes.crashes, "\n".join(
            logging.Formatter().format(r) for r in crashes.crashes[:3])
        # most changes went through the faults, and every acknowledged one is stored with
        # its history
        assert acked_lang >= sent_lang / 2 > 0, (acked_lang, sent_lang)
        assert check_languages(store, tally) == []
        assert len(tally.acked_stage) >= tally.sent_stage / 2 > 0, tally.sent_stage
        assert check_stages(store, tally) == []
        requests = {d["telegram"]: d for d in store.table("join_requests").all()}
        assert tally.asked <= set(requests)
        for tid in tally.welcomed:
            person = store.person_by_telegram(tid)
            assert person is not None and person.approved, tid
            assert requests[tid]["status"] == "approved"
            assert store.person_history(person.id)[0]["field"] == "created"
        assert store.verify("en") == []
    finally:
        logging.getLogger().removeHandler(crashes)
        await stop()
