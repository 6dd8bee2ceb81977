"""Benchmark: date phrases and the working-day calendar, beside dateparser on the same phrases.

    uv run python benchmarks/bench_dates.py [--rounds 200] [--fresh 5]

Prints, for the same phrases (today = 2020-05-20):
- warm parse time per phrase (median and p95 over rounds), ours and dateparser's
  (``languages=['zh', 'en']``, the relative base set to today), and how many each gets right;
- the first call in a fresh process (interpreter start excluded: import + first parse),
  median over ``--fresh`` processes, ours and dateparser's;
- the working-day calendar at planner scale: 100,000 calls each of is_workday,
  add_workdays and workdays_between.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2020, 5, 20)
D = dt.date
PHRASES = [
    ("2020年6月30日", D(2020, 6, 30)), ("2020-06-30", D(2020, 6, 30)),
    ("2020/6/30", D(2020, 6, 30)),
    ("6月30日", D(2020, 6, 30)), ("9月11日", D(2020, 9, 11)), ("九月十一日", D(2020, 9, 11)),
    ("6/30", D(2020, 6, 30)), ("6月30日前", D(2020, 6, 30)), ("截至6月30日", D(2020, 6, 30)),
    ("不晚于6月30日", D(2020, 6, 30)), ("今天", D(2020, 5, 20)), ("明天", D(2020, 5, 21)),
    ("后天", D(2020, 5, 22)), ("三天后", D(2020, 5, 23)), ("3天内", D(2020, 5, 23)),
    ("两周后", D(2020, 6, 3)), ("1个月后", D(2020, 6, 20)), ("半个月后", D(2020, 6, 4)),
    ("本周五", D(2020, 5, 22)), ("下周五", D(2020, 5, 29)), ("下下周三", D(2020, 6, 3)),
    ("星期五", D(2020, 5, 22)), ("月底", D(2020, 5, 31)), ("下月初", D(2020, 6, 10)),
    ("7月中旬", D(2020, 7, 20)), ("年底", D(2020, 12, 31)), ("3个工作日内", D(2020, 5, 25)),
    ("十五个工作日后", D(2020, 6, 10)), ("tomorrow", D(2020, 5, 21)),
    ("next friday", D(2020, 5, 22)),
    ("in 3 days", D(2020, 5, 23)), ("June 30", D(2020, 6, 30)),
]

FRESH_OURS = """
import datetime as dt, time
t = time.perf_counter()
from bot.domain.dates import parse_date
parse_date({phrase!r}, dt.date(2020, 5, 20))
print(time.perf_counter() - t)
"""
FRESH_DATEPARSER = """
import datetime as dt, time
t = time.perf_counter()
import dateparser
dateparser.parse({phrase!r}, languages=['zh', 'en'],
                 settings={{'RELATIVE_BASE': dt.datetime(2020, 5, 20)}})
print(time.perf_counter() - t)
"""


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.3f} ms"


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:8.2f} µs"


def warm(rounds: int) -> None:
    import dateparser

    from bot.domain.dates import DateError, parse_date

    settings = {"RELATIVE_BASE": dt.datetime.combine(TODAY, dt.time())}

    def ours(p: str) -> dt.date | None:
        try:
            return parse_date(p, TODAY)
        except DateError:
            return None

    def theirs(p: str) -> dt.date | None:
        found = dateparser.parse(p, languages=["zh", "en"], settings=settings)
        return found.date() if found else None

    print(f"warm parse, {len(PHRASES)} phrases x {rounds} rounds (today {TODAY}):")
    for name, fn in (("duban.parse_date", ours), ("dateparser.parse", theirs)):
        for p, _ in PHRASES:  # warm up
            fn(p)
        times = []
        for _ in range(rounds):
            for p, _ in PHRASES:
                t = time.perf_counter()
                fn(p)
                times.append(time.perf_counter() - t)
        times.sort()
        right = sum(fn(p) == want for p, want in PHRASES)
        print(f"  {name:18} median {_us(statistics.median(times))}  "
              f"p95 {_us(times[int(len(times) * 0.95)])}  correct {right}/{len(PHRASES)}")
    wrong = [(p, theirs(p)) for p, want in PHRASES if theirs(p) != want]
    print("  dateparser got wrong: " + ", ".join(f"{p} -> {got}" for p, got in wrong))


def fresh(n: int) -> None:
    print(f"first call in a fresh process (import + first parse; median of {n}):")
    for label, template, phrase in (
        ("duban, 下周五", FRESH_OURS, "下周五"),
        ("duban, 15个工作日后", FRESH_OURS, "十五个工作日后"),
        ("duban, next friday", FRESH_OURS, "next friday"),
        ("duban, in a fortnight (dateparser fallback)", FRESH_OURS, "in a fortnight"),
        ("dateparser, 下周五", FRESH_DATEPARSER, "下周五"),
        ("dateparser, next friday", FRESH_DATEPARSER, "next friday"),
    ):
        runs = []
        for _ in range(n):
            out = subprocess.run([sys.executable, "-c", template.format(phrase=phrase)],
                                 capture_output=True, text=True, cwd=ROOT, check=True)
            runs.append(float(out.stdout.strip()))
        print(f"  {label:44} {_ms(statistics.median(runs))}")


def calendar_scale(calls: int = 100_000) -> None:
    from bot.domain.workcal import WorkCalendar

    rng = random.Random(3)
    days = [dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 3))
            for _ in range(calls)]
    ns = [rng.randrange(-20, 40) for _ in range(calls)]
    t = time.perf_counter()
    cal = WorkCalendar()
    for year in (2020, 2021, 2022, 2023):
        cal.is_workday(dt.date(year, 1, 1))
    build = time.perf_counter() - t
    print(f"working-day calendar, {calls:,} calls each (year tables built once: {_ms(build)}):")
    for name, fn in (
        ("is_workday", lambda i: cal.is_workday(days[i])),
        ("add_workdays", lambda i: cal.add_workdays(days[i], ns[i])),
        ("workdays_between", lambda i: cal.workdays_between(days[i], days[i - 1])),
    ):
        t = time.perf_counter()
        for i in range(calls):
            fn(i)
        total = time.perf_counter() - t
        print(f"  {name:18} total {_ms(total)}  per call {_us(total / calls)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--fresh", type=int, default=5)
    args = parser.parse_args()
    warm(args.rounds)
    fresh(args.fresh)
    calendar_scale()


if __name__ == "__main__":
    main()
