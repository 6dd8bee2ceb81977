"""Supervision queries over 10,000 cases: the median time of each, in milliseconds.

    uv run python benchmarks/bench_queries.py [--cases 10000] [--runs 21]

The quality bar is under 50 ms of handler time per query; each query here is the
domain part of it (computing the answer and rendering its first page).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from collections.abc import Callable

from bot.domain import queries as q
from bot.domain import querytext as qt
from bot.domain.intents import recognise
from bot.domain.model import Case, Clock, Consultation
from bot.domain.workcal import WorkCalendar

DIVISIONS = ["综合处", "项目管理处", "投资促进一处", "投资促进二处", "外商投资处", "政策法规处",
             "产业研究处", "区域合作处"]
HANDLERS = [f"承办人{i:02d}" for i in range(60)]
WORDS = ["招商引资", "绿色食品", "营商环境", "产业园区", "数字经济", "大滇西环线", "沿边开放",
         "生物医药", "现代物流", "文化旅游", "外资", "民营经济", "承接产业转移", "高原特色农业"]
TODAY = dt.date(2020, 7, 20)


def make_cases(n: int, seed: int = 8) -> list[Case]:
    rnd = random.Random(seed)
    cases = []
    for i in range(n):
        role = rnd.choice(("lead", "co", "co", "joint", "joint", "joint", "sole", "reference"))
        year = rnd.choice((2019, 2020, 2020, 2020))
        division = rnd.choice(DIVISIONS)
        clocks: dict[str, Clock] = {}
        stage = rnd.choice(("assigned", "in_progress", "consulted", "drafted", "answered",
                            "published", "archived"))
        answered = stage in ("answered", "published", "archived")
        due = dt.date(year, 4, 1) + dt.timedelta(days=rnd.randrange(0, 200))
        met = (due - dt.timedelta(days=rnd.randrange(-5, 30))).isoformat() if answered else ""
        if role in ("lead", "sole"):
            clocks["reply"] = Clock(due=due.isoformat(), met=met)
            clocks["publish"] = Clock(due=f"{year}-07-15",
                                      met=met if stage in ("published", "archived") else "")
        elif role in ("co", "joint"):
            clocks["opinion"] = Clock(due=due.isoformat(), met=met)
        if rnd.random() < 0.05:
            clocks["followup"] = Clock(due=f"{year}-12-31")
        consultations = ([Consultation("phone", (due - dt.timedelta(days=20)).isoformat(), "代表")]
                         if stage not in ("assigned", "in_progress") else [])
        c = Case(kind="proposal" if role == "joint" else "suggestion", number=f"{i:05d}",
                 year=year, title=f"关于{rnd.choice(WORDS)}和{rnd.choice(WORDS)}的建议",
                 proposers=[f"代表{rnd.randrange(500)}"], role=role,
                 lead_unit="省商务厅" if role in ("co", "joint") else "", division=division,
                 handler=rnd.choice(HANDLERS), stage=stage, clocks=clocks,
                 consultations=consultations)
        c.id = i + 1
        cases.append(c)
    return cases


def median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    cases = make_cases(args.cases)
    cal = WorkCalendar()
    cal.workdays_between(dt.date(2019, 1, 1), dt.date(2020, 12, 31))  # build the year tables
    end = TODAY + dt.timedelta(days=7)
    per = qt.PER_PAGE

    def overdue():
        a = q.overdue(cases, TODAY, cal)
        return qt.overdue_text(a, q.paginate(a.items, 1, per), "zh", TODAY), a.total

    def due():
        a = q.due(cases, TODAY, end, TODAY, cal)
        return qt.due_text(a, q.paginate(a.items, 1, per), "zh", TODAY), a.total

    def mine():
        items = q.mine(cases, "承办人07", TODAY, cal)
        return qt.mine_text(q.paginate(items, 1, per), "zh", TODAY), len(items)

    def find():
        found = q.search(cases, "绿色食品")
        return qt.find_text("绿色食品", q.paginate(found, 1, per), "zh"), len(found)

    def find_miss():
        return q.search(cases, "不存在的词"), 0

    def division():
        s = q.by_division(cases, "综合处", TODAY, cal)
        return qt.summary_text(s, q.paginate(s.open, 1, per), "zh", TODAY), s.counts

    def person():
        s = q.by_person(cases, "承办人07", TODAY, cal)
        return qt.summary_text(s, q.paginate(s.open, 1, per), "zh", TODAY), s.counts

    def progress():
        p = q.progress(cases, TODAY, cal, year=2020)
        return qt.progress_text(p, "zh"), p.total

    print(f"{len(cases)} cases, {args.runs} runs each, today {TODAY}; median ms")
    for name, fn in (("overdue", overdue), ("due 7 days", due), ("mine", mine),
                     ("find", find), ("find (no hit)", find_miss), ("division", division),
                     ("person", person), ("progress", progress)):
        size = fn()[1]
        print(f"  {name:14} {median_ms(fn, args.runs):7.2f} ms   ({size})")
    questions = ["哪些超期了?", "下周要交什么", "0484进展如何", "查一下绿色食品", "综合处的情况",
                 "what is overdue", "due this week", "天气不错"]
    per_call = median_ms(lambda: [recognise(s, DIVISIONS, HANDLERS) for s in questions],
                         args.runs) / len(questions)
    print(f"  {'recognise':14} {per_call:7.3f} ms per question (60 known people)")


if __name__ == "__main__":
    main()
