"""Exactly once as far as Telegram allows: the probe's scenarios through the simulator's fault
switches, the real bot and store, the clock set and the reminder tick called directly (no
job queue, no real waiting: the retries are timed by the injected clock)."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.domain.timeutil import TZ, SetTime
from jobs.reminders import ELAPSED, LAST_TICK

D = dt.date


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


async def launch(data_dir, time: SetTime, as_of: dt.date | None):
    from tests.conftest import start_bot

    env, stop = await start_bot(data_dir, time, as_of=as_of, jobs=False,
                                sample=as_of is not None)
    users = {p.name: env.sim.user(p.telegram, first_name=p.name)
             for p in env.store.people() if p.telegram}
    # the time that really passes is the set clock's: setting it is time passing, not a jump
    env.app.bot_data[ELAPSED] = lambda: time.now().timestamp()
    return env, stop, users


async def tick(env):
    from jobs.reminders import tick as run_tick

    return await run_tick(env.app)


def run(env, day: dt.date, kind: str = "daily") -> dict | None:
    from jobs.reminders import _run_doc

    return _run_doc(env.store, day, kind)


def log_of(env, day: dt.date, kind: str = "daily") -> dict[str, dict]:
    from jobs.reminders import sent_log

    return {e["name"]: e for e in sent_log(env.store, day, kind)}


def digests(user, title: str = "督办提醒") -> list[str]:
    return [m.text for m in user.messages if m.text.startswith((title, "【补发】" + title))]


def notices(user) -> list[str]:
    return [m.text for m in user.messages if m.text.startswith(("⚠️", "ℹ️"))]


# ---------------------------------------------------------------- what an error says


def _caused(exc, cause):
    exc.__cause__ = cause
    return exc


def test_errors_are_sorted_by_what_they_say_about_the_message():
    from jobs.reminders import MAX_BACKOFF, backoff, outcome_of

    lost = _caused(NetworkError("httpx.RemoteProtocolError: closed"),
                   httpx.RemoteProtocolError("closed"))
    assert outcome_of(lost) == "unknown"
    assert outcome_of(_caused(TimedOut(), httpx.ReadTimeout("read"))) == "unknown"
    assert outcome_of(_caused(TimedOut(), httpx.PoolTimeout("pool"))) == "retry"
    assert outcome_of(_caused(NetworkError("x"), httpx.ConnectError("refused"))) == "retry"
    assert outcome_of(NetworkError("Bad Gateway")) == "retry"  # an answer: not carried out
    assert outcome_of(RetryAfter(5)) == "retry"
    assert outcome_of(BadRequest("Message is too long")) == "refused"
    waits = [backoff(n) for n in range(1, 12)]
    assert waits[:4] == [60, 120, 240, 480]
    assert max(waits) == MAX_BACKOFF == 900
    # retried through a working day (09:00-18:00) about 40 times, not 5 times in 10 minutes
    assert sum(1 for n in range(1, 100) if sum(waits[:1]) + sum(backoff(k) for k in range(
        1, n)) <= 9 * 3600) > 30


# ---------------------------------------------------------------- lost responses


@pytest.mark.parametrize("seed", [3, 11])
async def test_lost_responses_at_half_send_no_digest_more_than_twice_and_lose_none(tmp_path,
                                                                                   seed):
    day = D(2020, 6, 16)
    time = SetTime(at(day, 9, 0), frozen=True)
    env, stop, users = await launch(tmp_path / "data", time, as_of=D(2020, 6, 15))
    try:
        env.sim.faults.set(lost_response=0.5, methods={"sendMessage"}, seed=seed)
        for _ in range(5):  # the retry after an unknown outcome is due at the next tick
            await tick(env)
        assert run(env, day)["status"] == "done"
        env.sim.faults.clear()
        assert env.sim.stats.faults["lost_response"] >= 2
        entries = log_of(env, day)
        reachable = {n for n, e in entries.items() if e["status"] != "unreachable"}
        assert len(reachable) >= 4
        maybe = set()
        for name in reachable:
            e = entries[name]
            got = len(digests(users[name]))
            # a lost response was delivered: every copy arrived, and at most one more was sent
            assert got == min(e["unknown"] + 1, 2), (name, e)
            assert 1 <= got <= 2
            assert e["status"] == ("maybe" if e["unknown"] == 2 else "sent"), e
            if e["status"] == "maybe":
                maybe.add(name)
        # the office is told who maybe got it (when anyone is)
        office = notices(users["周敏"])
        if maybe:
            assert len(office) in (1, 2) and all("未能确认送达" in n for n in office)
            assert all(name in office[0] for name in maybe)
        else:
            assert office == []
        await tick(env)  # nothing more, ever
        assert all(len(digests(users[n])) <= 2 for n in reachable)
    finally:
        await stop()


# ---------------------------------------------------------------- a 12-minute outage


async def test_a_twelve_minute_5xx_outage_at_nine_serves_everyone_that_day(tmp_path):
    from jobs.reminders import RunReport

    day = D(2020, 6, 16)
    time = SetTime(at(day, 9, 0), frozen=True)
    env, stop, users = await launch(tmp_path / "data", time, as_of=D(2020, 6, 15))
    try:
        env.sim.faults.set(error_5xx=1.0, methods={"sendMessage"})
        reports: list[RunReport] = []
        for minute in range(0, 31):
            time.set(at(day, 9, minute))
            if minute == 12:
                env.sim.faults.clear()  # Telegram is back at 09:12
            reports += await tick(env)
        assert run(env, day)["status"] == "done"
        entries = log_of(env, day)
        reachable = {n for n, e in entries.items() if e["status"] != "unreachable"}
        assert {e["status"] for e in entries.values()} == {"sent", "unreachable"}
        for name in reachable:
            assert len(digests(users[name])) == 1, name
            # tried at 09:00, 09:01, 09:03, 09:07 (backoff 1, 2, 4 min), sent at 09:15
            assert entries[name]["attempts"] == 4
            assert entries[name]["sent_at"].startswith("2020-06-16T09:15")
        assert env.sim.stats.faults["error_5xx"] == 4 * len(reachable)
        office = notices(users["周敏"])
        assert len(office) == 1
        assert "经重试已全部送达" in office[0] and "无遗漏" in office[0]
        assert f"({len(reachable)}人)" in office[0]
    finally:
        await stop()


async def test_a_day_long_outage_is_caught_up_next_morning_and_the_office_told(tmp_path):
    from jobs.reminders import trouble

    day, next_day = D(2020, 6, 16), D(2020, 6, 17)
    time = SetTime(at(day, 9, 0), frozen=True)
    env, stop, users = await launch(tmp_path / "data", time, as_of=D(2020, 6, 15))
    try:
        env.sim.faults.set(error_5xx=1.0, methods={"sendMessage"})
        moment = at(day, 9, 0)
        while moment <= at(day, 18, 0):
            time.set(moment)
            await tick(env)
            moment += dt.timedelta(minutes=5)
        entries = log_of(env, day)
        reachable = {n for n, e in entries.items() if e["status"] != "unreachable"}
        assert {entries[n]["status"] for n in reachable} == {"failed"}
        assert all(entries[n]["reason"] == "transient" for n in reachable)
        # retried all day with a bounded backoff: far more than five times
        assert min(entries[n]["attempts"] for n in reachable) >= 30
        assert run(env, day)["status"] == "done"
        assert all(u.messages == [] for u in users.values())
        lines = trouble(env.store, "zh")
        assert f"未确认送达:{len(reachable)}人" in lines[0]
        assert all(any(n in ln for ln in lines) for n in reachable)
        assert "Bad Gateway" in "".join(lines) or "500" in "".join(lines)

        env.sim.faults.clear()
        time.set(at(day, 19, 0))
        await tick(env)  # sends nothing but the pending notice
        health = (await users["周敏"].ask("/health"))[-1].text
        assert "未确认送达" in health and "张三" in health
        # the office's notice was logged at 18:00 and goes out once Telegram answers
        office = notices(users["周敏"])
        assert len(office) == 1 and "将于下一个工作日上午补发" in office[0]
        assert all(n in office[0] for n in reachable if n != "周敏")
        for n in reachable:
            assert digests(users[n]) == []

        time.set(at(next_day, 9, 0))
        await tick(env)
        # the next morning the day's digests are folded into June 17's: one digest each,
        # the cases June 16 owed worded as they stand on June 17 (never "今天到期" of June 16)
        for n in reachable:
            got = digests(users[n])
            assert len(got) == 1 and got[0].startswith("督办提醒 · 6月17日"), (n, got)
            assert "含6月16日因系统停机未发出的提醒" in got[0], (n, got)
        assert {entries[n]["status"] for n, entries in [(n, log_of(env, day)) for n in reachable]
                } == {"folded"}
        assert run(env, day)["status"] == "done" and run(env, day)["folded_into"] == "2020-06-17"
        assert run(env, next_day)["status"] == "done"
        await tick(env)
        time.set(at(D(2020, 6, 18), 9, 0))
        await tick(env)  # June 16 is never owed again
        for n in reachable:
            assert len([x for x in digests(users[n]) if "含6月16日" in x]) == 1
    finally:
        await stop()


# ---------------------------------------------------------------- a missed Monday


async def test_a_missed_monday_catches_up_the_weekly_summary_once(tmp_path):
    data = tmp_path / "data"
    friday, monday, tuesday = D(2020, 7, 3), D(2020, 7, 6), D(2020, 7, 7)
    time = SetTime(at(friday, 9, 0), frozen=True)
    env, stop, users = await launch(data, time, as_of=D(2020, 7, 2))
    try:
        await tick(env)
        assert run(env, friday)["status"] == "done"
    finally:
        await stop()
    time = SetTime(at(tuesday, 9, 0), frozen=True)  # down all Monday
    env, stop, users = await launch(data, time, as_of=None)
    try:
        await tick(env)
        await tick(env)
        assert run(env, monday, "weekly")["status"] == "done"
        assert run(env, monday, "weekly")["catch_up"] is True
        leaders = [n for n in ("王强", "陈静", "李明") if n in users]
        assert leaders
        for name in leaders:
            weekly = digests(users[name], "督办周报")
            assert weekly == [w for w in weekly if w.startswith("【补发】督办周报 · 7月6日")]
            assert len(weekly) == 1, (name, weekly)
        time.set(at(D(2020, 7, 8), 9, 0))
        await tick(env)
        for name in leaders:
            assert len(digests(users[name], "督办周报")) == 1
    finally:
        await stop()


# ---------------------------------------------------------------- a clock that jumps


async def test_a_two_day_clock_jump_sends_nothing_and_tells_the_office(tmp_path):
    from jobs.reminders import RUNS

    monday = D(2020, 6, 29)
    time = SetTime(at(monday, 9, 0), frozen=True)
    env, stop, users = await launch(tmp_path / "data", time, as_of=D(2020, 6, 28))
    try:
        await tick(env)
        assert run(env, monday)["status"] == "done"
        # from now on the machine's own clock witnesses that only seconds pass
        elapsed = [0.0]
        env.app.bot_data[ELAPSED] = lambda: elapsed[0]
        env.app.bot_data.pop(LAST_TICK)
        elapsed[0] += 30  # a tick later
        await tick(env)
        before = {n: len(u.messages) for n, u in users.items()}
        time.set(at(D(2020, 7, 1), 9, 0))  # Wednesday: the clock jumped two days
        elapsed[0] += 30
        assert await tick(env) == []
        elapsed[0] += 30
        assert await tick(env) == []
        assert run(env, D(2020, 6, 30)) is None and run(env, D(2020, 7, 1)) is None
        held = [r for r in env.store.table(RUNS).all() if r["kind"] == "clock"]
        assert len(held) == 1 and held[0]["status"] == "held"
        office = users["周敏"].messages[before["周敏"]:]
        assert len(office) == 1 and "系统时钟跳变" in office[0].text
        assert "2020-07-01 09:00" in office[0].text and "2020-06-29 09:0" in office[0].text
        for name, user in users.items():
            if name != "周敏":
                assert len(user.messages) == before[name], name
        health = (await users["周敏"].ask("/health"))[-1].text
        assert "时钟跳变,提醒已暂停" in health
        # the clock is put right: the hold lifts, Monday stays done, nothing is re-sent
        time.set(at(monday, 9, 2))
        elapsed[0] += 30
        await tick(env)
        assert env.store.table(RUNS).get(doc_id=held[0].doc_id)["status"] == "cleared"
        health = (await users["周敏"].ask("/health"))[-1].text
        assert "时钟跳变" not in health
        for name, user in users.items():
            if name != "周敏":
                assert len(user.messages) == before[name], name
    finally:
        await stop()


# ---------------------------------------------------------------- a day after today


def test_remind_for_a_day_after_today_is_refused_without_force(tmp_path, monkeypatch, capsys):
    from bot.cli import main
    from bot.domain.timeutil import SystemTime
    from data.store import Store

    data = tmp_path / "var"
    monkeypatch.setenv("DUBAN_DATA_DIR", str(data))
    monkeypatch.setenv("DUBAN_BOT_TOKEN", "123:abc")
    tomorrow = SystemTime().today() + dt.timedelta(days=1)
    assert main(["remind", "--date", tomorrow.isoformat()]) == 2
    err = capsys.readouterr().err
    assert f"{tomorrow.isoformat()}在今天" in err and "--force" in err and "--dry-run" in err
    with Store.open(data, readonly=True) as store:  # nothing was run or logged
        from jobs.reminders import LOG, RUNS

        assert store.table(RUNS).all() == [] and store.table(LOG).all() == []
    # a preview of that day stays allowed
    assert main(["remind", "--date", tomorrow.isoformat(), "--json"]) == 0


async def test_a_forced_future_run_prunes_relative_to_the_real_today(tmp_path):
    from jobs.reminders import run_day

    day = D(2020, 6, 16)
    time = SetTime(at(day, 9, 0), frozen=True)
    env, stop, users = await launch(tmp_path / "data", time, as_of=D(2020, 6, 15))
    try:
        await tick(env)
        sent_today = {n for n, e in log_of(env, day).items() if e["status"] == "sent"}
        assert len(sent_today) >= 4
        counts = {n: len(u.messages) for n, u in users.items()}
        await run_day(env.app, D(2020, 9, 15))  # `duban remind --date 2020-09-15 --force`
        assert {n for n, e in log_of(env, day).items() if e["status"] == "sent"} == sent_today
        after_force = {n: len(u.messages) for n, u in users.items()}
        time.set(at(day, 9, 30))
        await tick(env)  # today's digests are not sent again
        assert {n: len(u.messages) for n, u in users.items()} == after_force
        assert all(after_force[n] <= counts[n] + 1 for n in counts)
    finally:
        await stop()
