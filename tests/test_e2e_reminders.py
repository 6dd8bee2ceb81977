"""The morning reminders end to end: the real bot, its job queue and the store against the
Bot API simulator, with the clock set.

The kill tests run the bot in a child process (this file, run as a script) and SIGKILL it
while a send is in flight, then start it again on the same data directory and simulator.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script by the kill tests
    sys.path.insert(0, str(ROOT))

from tinydb import Query  # noqa: E402

from bot.domain.reminders import plan_reminders  # noqa: E402
from bot.domain.timeutil import TZ, SetTime  # noqa: E402
from data.views import rules_table, work_calendar  # noqa: E402

D = dt.date
TICK = 0.1
#: how long a test waits for something that must happen: generous, since a busy machine is
#: slow, not wrong (a test waits for the event, never a fixed time)
PATIENCE = 60.0


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


@pytest.fixture(autouse=True)
def fast_ticks(monkeypatch):
    import jobs.reminders as jr

    monkeypatch.setattr(jr, "TICK_SECONDS", TICK)
    monkeypatch.setattr(jr, "FIRST_TICK", TICK)


async def launch(data_dir: Path, time: SetTime, as_of: dt.date, **kw):
    """The bot with its jobs; every linked person of the store has a simulated account."""
    from tests.conftest import start_bot

    env, stop = await start_bot(data_dir, time, as_of=as_of, jobs=True, **kw)
    users = {p.name: env.sim.user(p.telegram, first_name=p.name)
             for p in env.store.people() if p.telegram}
    return env, stop, users


async def wait_run(store, day: dt.date, kind: str = "daily", timeout: float = PATIENCE) -> dict:
    from jobs.reminders import RUNS

    q = Query()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        doc = store.table(RUNS).get((q.day == day.isoformat()) & (q.kind == kind))
        if doc is not None and doc["status"] == "done":
            return doc
        assert loop.time() < deadline, f"the {kind} run of {day} did not finish: {doc}"
        await asyncio.sleep(0.05)


def plan(store, day: dt.date):
    return plan_reminders(store.cases(), store.people(), work_calendar(store), rules_table(store),
                          day)


def bot_texts(user) -> list[str]:
    return [m.text for m in user.messages]


# ---------------------------------------------------------------- the 09:00 run


async def test_the_nine_oclock_run_fires_by_the_set_clock_once_per_person(tmp_path):
    monday = D(2020, 6, 29)
    time = SetTime(at(monday, 8, 59), frozen=True)
    env, stop, users = await launch(tmp_path / "data", time, as_of=D(2020, 6, 28))
    try:
        await asyncio.sleep(5 * TICK)
        assert all(u.messages == [] for u in users.values()), "nothing before 09:00"
        expected = {d.name: d for d in plan(env.store, monday)}
        assert set(expected) == {"周敏", "张三", "李四", "钱六", "马骏"}
        time.set(at(monday, 9, 0))
        await wait_run(env.store, monday)
        await wait_run(env.store, monday, "weekly")  # Monday: the leaders' summary
        await asyncio.sleep(5 * TICK)  # more ticks send nothing more
        for name, user in users.items():
            texts = bot_texts(user)
            if name in ("王强", "陈静", "李明"):
                assert len(texts) == 2 and texts[0].startswith("督办周报 · 6月29日—7月5日"), name
                chart = user.messages[1].document  # the progress chart follows the summary
                assert chart.name.endswith(".png") and chart.data.startswith(b"\x89PNG"), name
            elif name in expected:
                assert len(texts) == 1, (name, texts)
                assert texts[0].startswith("督办提醒 · 6月29日(星期一)")
                for line in expected[name].lines:
                    assert line.number in texts[0]
            else:
                assert texts == [], name
        zs = users["张三"].messages[0]
        assert "提案0458" in zs.text and "您是承办人,明天到期【会(协)办意见】" in zs.text
        assert zs.labels == ["提案0458 查看", "已办结", "申请延期", "收到"]
        office = users["周敏"].messages[0].text
        assert "承办人马骏未关联Telegram,无法提醒(定人员未落实)" in office
        # the send log: one sent entry per reachable recipient, 马骏 unreachable
        from jobs.reminders import sent_log

        entries = {e["name"]: e for e in sent_log(env.store, monday, "daily")}
        assert {n: e["status"] for n, e in entries.items()} == {
            "周敏": "sent", "张三": "sent", "李四": "sent", "钱六": "sent", "马骏": "unreachable"}
        assert entries["张三"]["hash"] == expected["张三"].digest_hash()

        # [收到] is recorded and the button says so
        from handlers.reminders import acks_of

        await users["张三"].ask_press("收到")
        assert [(a["name"], a["kind"]) for a in acks_of(env.store, monday)] == [("张三", "daily")]
        assert users["张三"].messages[0].labels[-1] == "✓ 已收到"
        assert "已记录" in users["张三"].last_answer["text"]
        # [查看] opens the case card
        replies = await users["张三"].ask_press("提案0458 查看")
        assert any("0458" in m.text for m in replies)
    finally:
        await stop()


@pytest.mark.slow
async def test_a_missed_day_is_folded_into_the_next_once_and_older_days_never(tmp_path):
    data = tmp_path / "data"
    # Tue June 16: the bot runs the day (the campaign's first reminder)
    time = SetTime(at(D(2020, 6, 16), 9, 30), frozen=True)
    env, stop, users = await launch(data, time, as_of=D(2020, 6, 15))
    try:
        await wait_run(env.store, D(2020, 6, 16))
        assert len(users["张三"].messages) == 1
    finally:
        await stop()
    # down until Wed June 24, 08:00: June 17-23 were missed; what June 23 (the last working
    # day before) owed is folded into June 24's digest at 09:00, June 17-22 are not replayed
    time = SetTime(at(D(2020, 6, 24), 8, 0), frozen=True)
    env, stop, users = await launch(data, time, as_of=None)
    try:
        await asyncio.sleep(5 * TICK)
        assert users["张三"].messages == [], "nobody is pinged before 09:00"
        time.set(at(D(2020, 6, 24), 9, 0))
        await wait_run(env.store, D(2020, 6, 24))
        caught = await wait_run(env.store, D(2020, 6, 23))
        assert caught["folded_into"] == "2020-06-24"
        for user in users.values():  # one digest each, never yesterday's a minute apart
            texts = bot_texts(user)
            assert len(texts) <= 1 and not any("补发" in x for x in texts), texts
        texts = bot_texts(users["张三"])
        assert len(texts) == 1 and texts[0].startswith("督办提醒 · 6月24日(星期三)")
        assert "今天到期" not in texts[0]
        from jobs.reminders import RUNS

        days = sorted(d["day"] for d in env.store.table(RUNS).all() if d["kind"] == "daily")
        assert days == ["2020-06-16", "2020-06-23", "2020-06-24"]
    finally:
        await stop()
    # started again the same day: everything is done, nothing goes out twice
    time = SetTime(at(D(2020, 6, 24), 10, 0), frozen=True)
    env, stop, users = await launch(data, time, as_of=None)
    try:
        await asyncio.sleep(10 * TICK)
        assert all(u.messages == [] for u in users.values())
        assert env.sim.stats.messages_sent == 0
    finally:
        await stop()


async def test_a_blocked_user_is_marked_unreachable_and_the_office_told(tmp_path):
    day = D(2020, 6, 16)
    time = SetTime(at(day, 8, 0), frozen=True)
    env, stop, users = await launch(tmp_path / "data", time, as_of=D(2020, 6, 15))
    try:
        # 张三 blocked the bot while it was down: it learns it from Telegram's 403; 钱六 was
        # linked from the ledger but never started the bot (403 too)
        users["张三"].chat.blocked = True
        users["钱六"].chat.started = False
        time.set(at(day, 9, 5))
        await wait_run(env.store, day)
        for name in ("张三", "钱六"):
            assert env.store.people_named(name)[0].reachable is False
            assert users[name].messages == []
        # the notices go out once the run is done: wait for them
        await users["周敏"].chat.wait_activity(lambda: len(users["周敏"].messages) >= 3,
                                              PATIENCE)
        office = bot_texts(users["周敏"])
        assert len(office) == 3  # the day's digest, then a notice for each
        assert "无法向张三发送2020-06-16的督办提醒:对方已屏蔽机器人" in office[1]
        assert "无法向钱六发送" in office[2] and "从未在 Telegram 中打开过机器人" in office[2]
        assert "屏蔽" not in office[2] and "Start" in office[2]  # never started is not blocked
        assert all(len(bot_texts(users[n])) == 1 for n in ("李四", "王五"))
        from jobs.reminders import sent_log

        entry = next(e for e in sent_log(env.store, day, "daily") if e["name"] == "张三")
        assert (entry["status"], entry["reason"]) == ("unreachable", "blocked")
        assert "blocked" in entry["error"]
        entry = next(e for e in sent_log(env.store, day, "daily") if e["name"] == "钱六")
        assert (entry["status"], entry["reason"]) == ("unreachable", "not_started")
        # the next working day's plan tells the office instead of trying again
        digests = {d.name: d for d in plan(env.store, D(2020, 6, 23))}
        assert digests["张三"].unreachable == "blocked"
        assert any("承办人张三已屏蔽机器人" in ln.why("zh") for ln in digests["周敏"].lines)
        # 钱六 never pressed Start: told apart everywhere (plan, digest lines, /health)
        assert env.store.people_named("钱六")[0].never_started is True
        assert digests["钱六"].unreachable == "not_started"
        lines = [ln.why("zh") for ln in digests["周敏"].lines if "钱六" in ln.why("zh")]
        assert lines and all("从未打开机器人" in w and "屏蔽" not in w for w in lines)
        health = "\n".join(m.text for m in await users["周敏"].ask("/health", PATIENCE))
        assert "张三(已屏蔽机器人)" in health
        assert "钱六(从未打开机器人:请其在 Telegram 中打开机器人并点击“开始”(Start))" in health
        # unblocking (Telegram's my_chat_member update) makes him reachable again
        update = users["张三"].unblock()
        await env.handled(update)
        assert env.store.people_named("张三")[0].reachable is True
        update = users["李四"].block()
        await env.handled(update)
        assert env.store.people_named("李四")[0].reachable is False
        # starting the bot at last makes 钱六 reachable
        await users["钱六"].ask("/start")
        assert env.store.people_named("钱六")[0].reachable is True
        assert env.store.people_named("钱六")[0].never_started is False
    finally:
        await stop()


@pytest.mark.slow
async def test_errors_are_retried_later_and_flood_control_waited_out(tmp_path):
    from jobs.reminders import RETRY_SECONDS, sent_log

    day = D(2020, 6, 16)
    time = SetTime(at(day, 8, 0), frozen=True)
    env, stop, users = await launch(tmp_path / "data", time, as_of=D(2020, 6, 15))
    try:
        env.sim.faults.set(error_5xx=1.0, methods={"sendMessage"}, limit=1)
        time.set(at(day, 9, 0))
        await _until(lambda: env.sim.stats.faults["error_5xx"] == 1, PATIENCE, "the 500")

        def settled() -> bool:  # every entry sent, unreachable, or failed once
            log = sent_log(env.store, day, "daily")
            return bool(log) and all(e["status"] != "pending" or e.get("attempts") for e in log)

        await _until(settled, PATIENCE, "the run to try everyone once")
        failed = [e for e in sent_log(env.store, day, "daily") if e.get("attempts")]
        assert len(failed) == 1 and failed[0]["status"] == "pending"
        name = failed[0]["name"]
        assert users[name].messages == []  # not retried at once...
        env.sim.faults.set(rate_429=1.0, methods={"sendMessage"}, limit=2, retry_after=1)
        time.set(at(day, 9, 0) + dt.timedelta(seconds=RETRY_SECONDS + 1))
        await wait_run(env.store, day)  # ...but a minute later, through two 429s
        assert env.sim.stats.faults["rate_429"] == 2
        assert len(users[name].messages) == 1
        assert all(len(u.messages) <= 1 for u in users.values())
        assert {e["status"] for e in sent_log(env.store, day, "daily")} == {"sent", "unreachable"}
    finally:
        await stop()


async def test_a_resumed_run_drops_a_digest_that_has_nothing_left_to_say(tmp_path):
    from jobs.reminders import LOG, sent_log

    day = D(2020, 6, 16)
    time = SetTime(at(day, 8, 0), frozen=True)
    env, stop, users = await launch(tmp_path / "data", time, as_of=D(2020, 6, 15))
    try:
        li = env.store.people_named("李四")[0]
        # a run was interrupted with 李四's digest pending; then his cases were answered
        env.store.table(LOG).insert({"day": day.isoformat(), "kind": "daily", "person": li.id,
                                     "name": li.name, "telegram": li.telegram, "hash": "x",
                                     "status": "pending", "attempts": 0, "parts_sent": 0})
        for case in env.store.cases():
            if case.handler == "李四":
                fresh = env.store.get_case(case.id)
                fresh.stage = "answered"
                env.store.save_case(fresh, "李四")
        time.set(at(day, 9, 0))
        await wait_run(env.store, day)
        statuses = {e["name"]: e["status"] for e in sent_log(env.store, day, "daily")}
        assert statuses["李四"] == "dropped" and users["李四"].messages == []
        assert statuses["张三"] == "sent"
    finally:
        await stop()


# ---------------------------------------------------------------- killed mid-run (SIGKILL)


def _child(data_dir: str, base_url: str, base_file_url: str, token: str, now: str) -> None:
    """The bot alone (jobs on, fast ticks) until it is killed."""
    import jobs.reminders as jr
    from bot.app import create_app
    from bot.config import Config
    from bot.domain.timeutil import parse_moment
    from data.store import Store

    jr.TICK_SECONDS = jr.FIRST_TICK = TICK

    async def main() -> None:
        time = SetTime(parse_moment(now))
        store = Store.open(data_dir, time=time)
        config = Config(token=token, data_dir=Path(data_dir), base_url=base_url,
                        base_file_url=base_file_url)
        app = create_app(config, store, time, rate_limiter=False)
        async with app:
            await app.start()
            await asyncio.Event().wait()

    asyncio.run(main())


async def _spawn(data_dir: Path, sim, now: dt.datetime, log_path: Path):
    log = open(log_path, "ab")  # noqa: SIM115 - closed by the caller's kill
    return await asyncio.create_subprocess_exec(
        sys.executable, __file__, "child", str(data_dir), sim.base_url, sim.base_file_url,
        sim.token, now.isoformat(), stdout=log, stderr=subprocess.STDOUT, cwd=str(ROOT),
        env=dict(os.environ, PYTHONPATH=str(ROOT)))


async def _until(predicate, timeout: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


def _snapshot(data_dir: Path):
    from data.store import Store

    return Store.open(data_dir, readonly=True)


@pytest.mark.slow
async def test_sigkill_mid_run_loses_nothing_and_duplicates_nothing(tmp_path):
    from bot.cmd.run import load_sample
    from bot.simulator import BotApiSimulator
    from data.store import Store
    from jobs.reminders import sent_log

    day = D(2020, 6, 16)
    data = tmp_path / "data"
    with Store.open(data) as store:
        load_sample(store, D(2020, 6, 15))
        expected = {d.name for d in plan(store, day) if d.unreachable is None}
        linked = {p.name: p.telegram for p in store.people() if p.telegram}
    assert len(expected) >= 4
    sim = BotApiSimulator(rate_limits=None)
    await sim.start()
    children = []
    try:
        users = {name: sim.user(tid, first_name=name) for name, tid in linked.items()}

        def hang_after_first(chat_id, message, edited) -> None:
            # the first digest was delivered: the next send hangs, its state unchanged
            sim.faults.set(timeout=1.0, methods={"sendMessage"}, hang_seconds=60)
            sim.on_bot_message = None

        sim.on_bot_message = hang_after_first
        child = await _spawn(data, sim, at(day, 9, 0), tmp_path / "child1.log")
        children.append(child)
        await _until(lambda: sim.stats.faults["timeout"] >= 1, PATIENCE,
                     "the second send to hang")
        with _snapshot(data) as snap:
            # the first is marked sent before the second is tried
            entries = {e["name"]: e["status"] for e in sent_log(snap, day, "daily")}
        child.send_signal(signal.SIGKILL)
        await child.wait()
        assert sorted(entries.values()).count("sent") == 1, entries
        assert all(s in ("sent", "pending", "unreachable") for s in entries.values())
        assert set(entries) >= expected
        first = next(n for n, s in entries.items() if s == "sent")
        delivered = {n for n, u in users.items() if u.messages}
        assert delivered == {first}  # the hanging send changed nothing

        sim.faults.clear()
        child = await _spawn(data, sim, at(day, 9, 1), tmp_path / "child2.log")
        children.append(child)

        def finished() -> bool:
            with _snapshot(data) as snap:
                from jobs.reminders import RUNS

                run = snap.table(RUNS).get(Query().day == day.isoformat())
                return run is not None and run["status"] == "done"

        await _until(finished, PATIENCE, "the run to finish after the restart")
        await asyncio.sleep(5 * TICK)
        counts = {n: len(u.messages) for n, u in users.items() if u.messages}
        assert counts == {n: 1 for n in expected}, counts
        with _snapshot(data) as snap:
            statuses = {e["name"]: e["status"] for e in sent_log(snap, day, "daily")}
        assert {n for n, s in statuses.items() if s == "sent"} == expected
    finally:
        for child in children:
            if child.returncode is None:
                child.send_signal(signal.SIGKILL)
                await child.wait()
        await sim.stop()


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "child":
    _child(*sys.argv[2:7])
