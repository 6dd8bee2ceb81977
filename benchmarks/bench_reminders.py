"""Benchmark of the morning reminders: planning a day, and delivering the digests.

    uv run python benchmarks/bench_reminders.py [--cases 10000] [--people 2000] [--digests 1000]

* **Planning**: ``plan_reminders`` for one working day over ``--cases`` cases and
  ``--people`` people (40 divisions, a head per division, leaders, an office; due dates
  spread from 60 days overdue to 60 days ahead, so offsets, folding over the National Day
  holiday, escalation at every level and the co-handling campaign all occur). First call
  (cold calendar tables) and the median of warm calls. Target: under 0.5 s.
* **Delivery**: ``--digests`` digests (one handler each, a case due in 3 days) sent by the
  real job code (``jobs.reminders.run_day``: send log pending/sent in the store, one commit
  per digest) through PTB's ``AIORateLimiter`` to the Bot API simulator with Telegram's
  flood limits ON (30 messages/s overall, 1/s per chat). Target: within 1.15x of the 30/s
  floor, no 429 answered.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.domain.model import Case, Clock, Person  # noqa: E402
from bot.domain.reminders import plan_reminders  # noqa: E402
from bot.domain.workcal import WorkCalendar  # noqa: E402

DAY = dt.date(2020, 10, 12)  # a Monday just after the National Day holiday
TITLE = "关于加快推进我省招商引资工作高质量发展进一步优化营商环境的建议"


def make_people(n: int, divisions: int = 40) -> list[Person]:
    names = [f"处室{i:02d}" for i in range(divisions)]
    people = [Person("主任", "office", division="办公室", telegram=1, approved=True),
              Person("局长", "head", telegram=2, approved=True)]
    for i in range(0, divisions, 5):
        people.append(Person(f"领导{i}", "leader",
                             leads_divisions=names[i:i + 5] + ["办公室"][:i == 0],
                             telegram=10 + i, approved=True))
    for i, d in enumerate(names):
        people.append(Person(f"处长{i}", "division_head", division=d, telegram=100 + i,
                             approved=True))
    k = 0
    while len(people) < n:
        linked = k % 50 != 0  # a few are not linked yet
        people.append(Person(f"承办{k}", "handler", division=names[k % divisions],
                             telegram=1000 + k if linked else None, approved=True))
        k += 1
    for i, p in enumerate(people, 1):
        p.id = i
    return people


def make_cases(n: int, people: list[Person], seed: int = 1) -> list[Case]:
    rnd = random.Random(seed)
    handlers = [p for p in people if p.position == "handler"]
    cases = []
    for i in range(n):
        h = rnd.choice(handlers)
        role = rnd.choice(["lead", "co", "joint", "sole", "split"])
        due = DAY + dt.timedelta(days=rnd.randint(-60, 60))
        clock = "opinion" if role in ("co", "joint") else "reply"
        c = Case(kind="proposal" if role == "joint" else "suggestion", number=f"{i:05d}",
                 year=2020, title=TITLE, role=role, division=h.division, handler=h.name,
                 stage="in_progress", lead_unit="省商务厅" if clock == "opinion" else "",
                 clocks={clock: Clock(due=due.isoformat())})
        c.id = i + 1
        cases.append(c)
    return cases


def bench_planning(n_cases: int, n_people: int, repeat: int = 7) -> None:
    people = make_people(n_people)
    cases = make_cases(n_cases, people)
    cal = WorkCalendar()
    began = time.perf_counter()
    digests = plan_reminders(cases, people, cal, None, DAY)
    cold = time.perf_counter() - began
    warm = []
    for _ in range(repeat):
        began = time.perf_counter()
        plan_reminders(cases, people, cal, None, DAY)
        warm.append(time.perf_counter() - began)
    lines = sum(len(d.lines) for d in digests)
    levels = sorted({ln.level for d in digests for ln in d.lines})
    print(f"planning {n_cases} cases, {n_people} people on {DAY}: {len(digests)} digests, "
          f"{lines} lines, levels {levels}")
    print(f"  first call {cold * 1000:.0f} ms, warm median {statistics.median(warm) * 1000:.0f} ms "
          f"(target < 500 ms)")


async def bench_delivery(n: int) -> None:
    from bot.app import create_app
    from bot.config import Config
    from bot.domain.timeutil import TZ, SetTime
    from bot.simulator import BotApiSimulator, RateLimits
    from data.store import Store
    from jobs.reminders import run_day

    due = DAY + dt.timedelta(days=3)  # Thursday: the 3-day offset falls on DAY
    with tempfile.TemporaryDirectory(prefix="duban-bench-") as tmp:
        clock = SetTime(dt.datetime(2020, 10, 12, 9, 0, tzinfo=TZ))
        store = Store.open(Path(tmp) / "data", time=clock)
        with store.transaction():
            for k in range(n):
                p = store.add_person(Person(f"承办{k}", "handler", division="综合处",
                                            telegram=5000 + k, approved=True), "bench")
                store.add_case(Case(kind="suggestion", number=f"{k:05d}", year=2020, title=TITLE,
                                    role="lead", division="综合处", handler=p.name,
                                    stage="in_progress",
                                    clocks={"reply": Clock(due=due.isoformat())}), "bench")
        async with BotApiSimulator(rate_limits=RateLimits()) as sim:
            for k in range(n):
                sim.user(5000 + k, f"u{k}")
            config = Config(token=sim.token, data_dir=Path(tmp) / "data",
                            base_url=sim.base_url, base_file_url=sim.base_file_url)
            app = create_app(config, store, clock, rate_limiter=True, register_jobs=False)
            async with app:
                began = time.perf_counter()
                report = await run_day(app, DAY)
                elapsed = time.perf_counter() - began
            store.close()
        floor = (n - 30) / 30  # the first 30 go at once, then 30 a second
        print(f"delivering {n} digests through AIORateLimiter, simulator limits on: "
              f"{elapsed:.2f} s (floor {floor:.2f} s, ratio {elapsed / floor:.3f}, target 1.15); "
              f"sent {report.sent}, failed {report.failed}, pending {report.pending}; "
              f"429 answered: {sim.stats.rate_limited}; "
              f"messages the simulator delivered: {sim.stats.messages_sent}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--digests", type=int, default=1_000)
    args = parser.parse_args()
    bench_planning(args.cases, args.people)
    if args.digests:
        asyncio.run(bench_delivery(args.digests))


if __name__ == "__main__":
    main()
