"""Kill and restart: the bot process is SIGKILLed at named points and started again.

The bot runs in a child process (this file run as a script: store, application, jobs,
polling) against the simulator in the test process, where a crowd of users
(:mod:`tests.loadgen`) keeps asking, changing their language and registering. The kills do
not hope that a timer lands somewhere: the simulator holds the bot's Nth outgoing message
(:class:`Hold`), either before Telegram accepts it or after (delivered, the answer not yet
back to the bot), and the test kills the child while it is held. It then opens the data
directory itself while the bot is down (it must open, and verify), and starts the bot again
on the same directory:

1. **under load** (06-30, 08:00): killed :data:`KILLS_UNDER_LOAD` times, each time after the
   crowd saw two more acknowledged changes, at an answer a few messages later: every change
   the bot acknowledged survives every kill, with its history; registrations the office
   approved made their people;
2. **during the 09:00 reminder run**: killed :data:`KILLS_IN_RUN` times at a digest, held
   before and after Telegram accepted it in turn; after the restarts the run finishes,
   everyone due a digest got it, and a digest is repeated only for a kill that hit between
   Telegram accepting it and the send log recording it (the one in flight): never more than
   one per such kill;
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
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the bot's child process
    sys.path.insert(0, str(ROOT))

from bot.domain.timeutil import TZ, SetTime  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TICK = 0.1
#: generous bounds for things that must happen: a busy machine is slow, not wrong
PATIENCE = 120.0
KILLS_UNDER_LOAD = 5
KILLS_IN_RUN = 4
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
        line = await asyncio.wait_for(self.proc.stdout.readline(), PATIENCE)
        assert line.strip() == b"ready", self.logs.read_text()[-3000:]

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        status = await self.proc.wait()
        assert status == -signal.SIGKILL, (
            f"the bot stopped by itself:\n{self.logs.read_text()[-3000:]}")
        self.kills += 1
        self.proc = None

    async def stop(self) -> None:
        if self.proc is not None:
            await self.kill()


class Hold:
    """Kill points in the simulator: the bot's ``nth`` outgoing message (sendMessage or
    editMessageText) of those ``wanted`` after :meth:`arm` is held, before Telegram accepts
    it or after (``accepted``: delivered, the answer not yet back to the bot), until the test
    has killed the bot."""

    def __init__(self, sim) -> None:
        self.wanted = None
        self.count = 0
        self.accepted = False
        self.held = asyncio.Event()
        self.release = asyncio.Event()
        #: the chat of the message held
        self.chat_id: int | None = None
        for name, original in (("sendMessage", sim._send_message),
                               ("editMessageText", sim._edit_text)):
            sim.register_method(name, self._wrap(original))

    def arm(self, nth: int, *, accepted: bool, wanted=lambda params: True) -> None:
        self.count, self.accepted, self.wanted = nth, accepted, wanted
        self.held, self.release, self.chat_id = asyncio.Event(), asyncio.Event(), None

    def _wrap(self, original):
        from bot.simulator import ApiError

        async def method(params):
            if self.wanted is None or not self.wanted(params):
                return await original(params)
            self.count -= 1
            if self.count > 0:
                return await original(params)
            self.wanted = None
            if self.accepted:
                await original(params)
            self.chat_id = int(params.get_str("chat_id") or 0)
            self.held.set()
            await self.release.wait()  # the bot is killed meanwhile: nobody reads the answer
            raise ApiError(500, "Internal Server Error: held for a kill")

        return method

    async def kill(self, bot: Bot, what: str) -> None:
        """Wait (boundedly) until the message is held, then kill the bot."""
        try:
            await asyncio.wait_for(self.held.wait(), PATIENCE)
        except TimeoutError:
            raise AssertionError(f"the bot never sent {what}") from None
        await bot.kill()
        self.release.set()


def is_digest(params) -> bool:
    """A digest's last part: the one with the [收到] button (``ack:`` callback data)."""
    markup = params.get_json("reply_markup") or {}
    return any(b.get("callback_data", "").startswith("ack:")
               for row in markup.get("inline_keyboard", []) for b in row)


def acknowledged(tally) -> int:
    return sum(map(len, tally.acked_lang.values())) + len(tally.acked_stage)


def check_directory(data_dir: Path) -> None:
    """While the bot is down: the store opens (writable) and its data and history agree."""
    from data.store import Store

    with Store.open(data_dir) as store:
        assert store.verify("en") == []


def digests(user) -> list:
    """The morning digests ``user`` received (the last part carries the [收到] button)."""
    return [m for m in user.messages
            if any(b.get("callback_data", "").startswith("ack:") for row in m.buttons for b in row)]


async def wait_until(predicate, timeout: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


def run_status(data_dir: Path, day: dt.date) -> str | None:
    from tinydb import Query

    from data.store import Store
    from jobs.reminders import RUNS

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
    hold = Hold(sim)
    bot = Bot(data, sim, tmp_path / "bot.log")
    started = time.monotonic()
    try:
        users = {name: sim.user(tid, first_name=name) for name, tid in linked.items()}
        strangers = [sim.user(50_000 + i, first_name=f"新人{i}") for i in range(3)]

        # 1. under load: after two more acknowledged changes, killed at an answer a few
        # messages later, held before or after Telegram accepted it
        bot.set_clock(at(DAY, 8, 0))
        await bot.start()
        crowd = Crowd(sim, list(users.values()), office=users["周敏"], strangers=strangers,
                      seed=SEED, timeout=2.5, tries=2, think=(0.05, 0.3), write_share=0.4,
                      cases=own)
        load = asyncio.create_task(crowd.run(arrivals=3.0))
        for i in range(KILLS_UNDER_LOAD):
            floor = acknowledged(crowd.tally) + 2
            await wait_until(lambda floor=floor: acknowledged(crowd.tally) >= floor or load.done(),
                             PATIENCE, "two more acknowledged changes")
            assert not load.done(), load.result()
            hold.arm(rnd.randint(1, 6), accepted=i % 2 == 1)
            await hold.kill(bot, "the answer to kill at")
            check_directory(data)
            await bot.start()
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
        assert kills_under_load == KILLS_UNDER_LOAD and acked >= 2 * KILLS_UNDER_LOAD, acked

        # 2. the 09:00 run, killed at the 3rd or 2nd digest of each start, held before
        # Telegram accepted it and after, in turn (armed before the start: the run may
        # begin at once)
        before = {u.id: len(digests(u)) for u in users.values()}
        assert len(expected) > 3 * KILLS_IN_RUN, "too few digests to kill the run in"
        bot.set_clock(at(DAY, 8, 59, 59))
        in_flight: list[int] = []  # chats whose digest was delivered, then the bot killed
        for i in range(KILLS_IN_RUN):
            hold.arm(3 - i % 2, accepted=i % 2 == 1, wanted=is_digest)
            await bot.start()
            await hold.kill(bot, "the digest to kill at")
            if hold.accepted:
                in_flight.append(hold.chat_id)
            check_directory(data)
            assert run_status(data, DAY) == "running", "the kill did not land inside the run"
        mid_run = KILLS_IN_RUN
        await bot.start()
        await wait_until(lambda: run_status(data, DAY) == "done", PATIENCE, "the run to finish")
        await asyncio.sleep(5 * TICK)  # (nothing more is sent)
        got = {u.id: len(digests(u)) - before[u.id] for u in users.values()}
        assert {tid for tid, n in got.items() if n} == expected
        extra = sum(n - 1 for n in got.values() if n > 1)
        repeated = {tid for tid, n in got.items() if n > 1}
        assert repeated <= set(in_flight) and extra <= len(in_flight), (got, in_flight)

        # 3. down over the next day's 09:00, back the day after: what the missed day owed
        # is folded into that day's digest, once: one digest each, no separate catch-up
        await bot.kill()
        from data.views import work_calendar as cal_of

        with Store.open(data, readonly=True) as store:
            cal = cal_of(store)
            missed = cal.add_workdays(DAY, 1)
            back = cal.add_workdays(DAY, 2)
            due = {d.person.telegram for d in plan_reminders(
                store.cases(), store.people(), cal, rules_table(store), back, missed=[missed])
                if d.unreachable is None}
        before = {u.id: len(digests(u)) for u in users.values()}
        bot.set_clock(at(back, 9, 5))
        await bot.start()
        await wait_until(lambda: run_status(data, back) == "done", PATIENCE, "the day's run")
        await asyncio.sleep(5 * TICK)
        assert run_status(data, missed) == "done"
        after = {u.id: digests(u)[before[u.id]:] for u in users.values()}
        assert {tid for tid, got in after.items() if got} == due
        assert all(len(got) == 1 for got in after.values() if got), after
        assert not any("补发" in m.text for got in after.values() for m in got)
        caught_up = {tid for tid, got in after.items() if got and "未发出" in got[0].text}
        await bot.kill()
        check_directory(data)
        print(f"\n{bot.kills} kills ({kills_under_load} under load, {mid_run} inside the "
              f"09:00 run), {acked} acknowledged changes kept ({len(tally.acked_stage)} case "
              f"moves), {len(tally.welcomed)} registrations, {extra} digests repeated, "
              f"{len(caught_up)} caught up, {time.monotonic() - started:.1f} s")
    finally:
        await bot.stop()
        await sim.stop()


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "child":
    child(*sys.argv[2:7])
