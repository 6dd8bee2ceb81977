"""Kill and restart: the bot process is SIGKILLed at random moments and started again.

The bot runs in a child process (this file run as a script: store, application, jobs,
polling) against the simulator in the test process, where a crowd of users
(:mod:`tests.loadgen`) keeps asking, changing their language and registering. The test kills
the child at random moments, opens the data directory itself while the bot is down (it must
open, and verify), and starts the bot again on the same directory:

1. **under load** (06-16, 08:00): every change the bot acknowledged survives every kill,
   with its history; registrations the office approved made their people;
2. **during the 09:00 reminder run**: the clock is set just before 09:00 and the bot is
   killed while it sends; after the restarts the run finishes, everyone due a digest got
   it, and a digest is repeated only for a kill that hit between Telegram accepting it and
   the send log recording it (the one in flight): never more than one per kill;
3. **a missed day**: the bot is down over the next day's 09:00 and comes back the day after:
   the missed day's digests are sent once (【补发】), that day's once, nothing twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the bot's child process
    sys.path.insert(0, str(ROOT))

from bot.domain.timeutil import TZ, SetTime  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TICK = 0.1
DAY = dt.date(2020, 6, 30)  # a Tuesday with digests due (the sample as of June 29)
#: more handlers, each with copies of 张三's cases: more digests, a longer 09:00 run
EXTRA = 20
SEED = 20200616


def at(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TZ)


# ---------------------------------------------------------------- the child: the bot alone


def child(data_dir: str, base_url: str, base_file_url: str, token: str, now: str) -> None:
    """The bot with its jobs (fast ticks), polling the simulator, until it is killed."""
    import jobs.reminders as jr
    from bot.app import bootstrap, create_app
    from bot.config import Config
    from bot.domain.timeutil import parse_moment
    from bot.sample import ADMIN_ID
    from data.store import Store

    jr.TICK_SECONDS = jr.FIRST_TICK = TICK
    jr.RETRY_SECONDS = 0.5

    async def main() -> None:
        clock = SetTime(parse_moment(now))
        store = Store.open(data_dir, time=clock)  # as `duban run` opens it
        config = Config(token=token, data_dir=Path(data_dir), admins=(ADMIN_ID,),
                        base_url=base_url, base_file_url=base_file_url)
        bootstrap(store, config)
        app = create_app(config, store, clock, rate_limiter=False)
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            print("ready", flush=True)
            await asyncio.Event().wait()

    asyncio.run(main())


class Bot:
    """The child process, started and killed by the test; its clock runs on across restarts."""

    def __init__(self, data_dir: Path, sim, logs: Path) -> None:
        self.data_dir, self.sim, self.logs = data_dir, sim, logs
        self.proc: asyncio.subprocess.Process | None = None
        self.kills = 0
        self._clock_start: dt.datetime | None = None
        self._t0 = 0.0

    def set_clock(self, moment: dt.datetime) -> None:
        self._clock_start, self._t0 = moment, time.monotonic()

    def now(self) -> dt.datetime:
        assert self._clock_start is not None
        return self._clock_start + dt.timedelta(seconds=time.monotonic() - self._t0)

    async def start(self) -> None:
        log = open(self.logs, "ab")  # noqa: SIM115 - the child writes it until killed
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "child", str(self.data_dir), self.sim.base_url,
            self.sim.base_file_url, self.sim.token, self.now().isoformat(),
            stdout=subprocess.PIPE, stderr=log, cwd=str(ROOT),
            env=dict(os.environ, PYTHONPATH=str(ROOT)))
        log.close()
        line = await asyncio.wait_for(self.proc.stdout.readline(), 30)
        assert line.strip() == b"ready", self.logs.read_text()[-3000:]

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        status = await self.proc.wait()
        assert status == -signal.SIGKILL, f"the bot stopped by itself:\n{self.logs.read_text()[-3000:]}"
        self.kills += 1
        self.proc = None

    async def stop(self) -> None:
        if self.proc is not None:
            await self.kill()


def check_directory(data_dir: Path) -> None:
    """While the bot is down: the store opens (writable) and its data and history agree."""
    from data.store import Store

    with Store.open(data_dir) as store:
        assert store.verify("en") == []


def digests(user) -> list:
    """The morning digests ``user`` received (the last part carries the [收到] button)."""
    return [m for m in user.messages
            if any(b.get("callback_data", "").startswith("ack:") for row in m.buttons for b in row)]


async def kill_loop(bot: Bot, rnd: random.Random, seconds: float, gap: tuple[float, float],
                    on_down=None, enough=lambda kills: True, limit: float = 120.0) -> None:
    """Kill the bot at random moments for ``seconds``, checking and restarting it each time;
    and on until ``enough(kills)`` holds (a busy machine restarts the bot slowly: the test
    counts kills, not seconds), at most ``limit`` seconds."""
    loop = asyncio.get_running_loop()
    start, first = loop.time(), bot.kills
    while loop.time() < start + seconds or (
            not enough(bot.kills - first) and loop.time() < start + limit):
        await asyncio.sleep(rnd.uniform(*gap))
        await bot.kill()
        check_directory(bot.data_dir)
        if on_down is not None:
            await on_down()
        await bot.start()


async def wait_until(predicate, timeout: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


def run_status(data_dir: Path, day: dt.date) -> str | None:
    from jobs.reminders import RUNS
    from tinydb import Query

    from data.store import Store

    with Store.open(data_dir, readonly=True) as snap:
        run = snap.table(RUNS).get((Query().day == day.isoformat()) & (Query().kind == "daily"))
    return run["status"] if run else None


# ---------------------------------------------------------------- the test


async def test_sigkill_under_load_and_during_the_nine_oclock_run(tmp_path):
    from bot.cmd.run import load_sample
    from bot.domain.reminders import plan_reminders
    from bot.simulator import BotApiSimulator
    from data.store import Store
    from data.views import rules_table, work_calendar
    from tests.loadgen import Crowd, add_handlers, check_languages, check_stages

    rnd = random.Random(SEED)
    data = tmp_path / "data"
    with Store.open(data) as store:
        load_sample(store, DAY - dt.timedelta(days=1))
        own = add_handlers(store, EXTRA, 20_000)
        linked = {p.name: p.telegram for p in store.people() if p.telegram and p.approved}

    sim = BotApiSimulator(rate_limits=None, settle_seconds=0.15)
    await sim.start()
    bot = Bot(data, sim, tmp_path / "bot.log")
    started = time.monotonic()
    try:
        users = {name: sim.user(tid, first_name=name) for name, tid in linked.items()}
        strangers = [sim.user(50_000 + i, first_name=f"新人{i}") for i in range(3)]

        # 1. under load, killed every 0.5-2 s
        bot.set_clock(at(DAY, 8, 0))
        await bot.start()
        crowd = Crowd(sim, list(users.values()), office=users["周敏"], strangers=strangers,
                      seed=SEED, timeout=2.5, tries=2, think=(0.05, 0.3), write_share=0.4,
                      cases=own)
        load = asyncio.create_task(crowd.run(150.0))

        def enough(kills: int) -> bool:  # kills under load, and changes acknowledged
            t = crowd.tally
            return kills >= 4 and sum(map(len, t.acked_lang.values())) + len(t.acked_stage) >= 10

        await kill_loop(bot, rnd, 9.0, (0.5, 2.0), enough=enough)
        await asyncio.sleep(1.0)  # the crowd meets the last restarted bot, then stops
        crowd.stop()
        tally = await load
        kills_under_load = bot.kills
        crowd.tries = 4  # with the bot up: learn what is stored where an answer was missed
        for user in users.values():
            if user.id in tally.sent_lang and user.id not in tally.believed:
                await crowd.probe_language(user)
        await bot.kill()
        with Store.open(data) as store:
            assert check_languages(store, tally) == []
            assert check_stages(store, tally) == []
            acked = sum(map(len, tally.acked_lang.values())) + len(tally.acked_stage)
            requests = {d["telegram"]: d for d in store.table("join_requests").all()}
            assert tally.asked <= set(requests)
            for tid in tally.welcomed:
                person = store.person_by_telegram(tid)
                assert person is not None and person.approved
            assert store.verify("en") == []
            expected = {d.person.telegram for d in plan_reminders(
                store.cases(), store.people(), work_calendar(store), rules_table(store), DAY)
                if d.unreachable is None}
        assert kills_under_load >= 4 and acked >= 10, (kills_under_load, acked)

        # 2. the 09:00 run, killed while it sends
        before = {u.id: len(digests(u)) for u in users.values()}
        bot.set_clock(at(DAY, 8, 59, 59))
        sim.faults.set(slow=1.0, slow_seconds=0.05, methods={"sendMessage"})  # ~20 sends/s
        await bot.start()
        kills_before, mid_run = bot.kills, 0
        while run_status(data, DAY) != "done" and bot.kills - kills_before < 8:
            await asyncio.sleep(rnd.uniform(0.05, 0.4))
            await bot.kill()
            check_directory(data)
            mid_run += run_status(data, DAY) == "running"
            await bot.start()
        kills_in_run = bot.kills - kills_before
        sim.faults.clear()
        await wait_until(lambda: run_status(data, DAY) == "done", 30, "the run to finish")
        await asyncio.sleep(5 * TICK)
        got = {u.id: len(digests(u)) - before[u.id] for u in users.values()}
        assert {tid for tid, n in got.items() if n} == expected
        extra = sum(n - 1 for n in got.values() if n > 1)
        assert mid_run >= 1, "no kill landed inside the run"
        assert extra <= mid_run, (got, mid_run)

        # 3. down over the next day's 09:00, back the day after: the missed day once
        await bot.kill()
        from data.views import work_calendar as cal_of

        with Store.open(data, readonly=True) as store:
            cal = cal_of(store)
            missed = cal.add_workdays(DAY, 1)
            back = cal.add_workdays(DAY, 2)
            due_missed = {d.person.telegram for d in plan_reminders(
                store.cases(), store.people(), cal, rules_table(store), missed)
                if d.unreachable is None}
        before = {u.id: len(digests(u)) for u in users.values()}
        bot.set_clock(at(back, 9, 5))
        await bot.start()
        await wait_until(lambda: run_status(data, back) == "done", 30, "the day's run")
        await asyncio.sleep(5 * TICK)
        assert run_status(data, missed) == "done"
        caught_up = Counter()
        for u in users.values():
            for m in digests(u)[before[u.id]:]:
                if "补发" in m.text or "catch-up" in m.text.lower():
                    caught_up[u.id] += 1
        assert set(caught_up) == due_missed and set(caught_up.values()) <= {1}, caught_up
        await bot.kill()
        check_directory(data)
        print(f"\n{bot.kills} kills ({kills_under_load} under load, {mid_run} inside the "
              f"09:00 run), {acked} acknowledged changes kept ({len(tally.acked_stage)} case moves), {len(tally.welcomed)} "
              f"registrations, {extra} digests repeated, {len(caught_up)} caught up, "
              f"{time.monotonic() - started:.1f} s")
    finally:
        await bot.stop()
        await sim.stop()


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "child":
    child(*sys.argv[2:7])
