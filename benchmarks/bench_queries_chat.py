"""Handler time of the supervision queries in chat, over 10,000 cases (median ms).

    uv run python benchmarks/bench_queries_chat.py [--cases 10000] [--runs 21]

Runs the real handler path of :mod:`handlers.queries` (``answer_text``: recognising the
question with the bureau's names, reading the asker's visible cases from a real
:class:`data.store.Store`, the query, the rendering, the signed buttons) with a fake
:class:`handlers.common.Ctx` whose ``reply``/``edit_or_reply`` keep the answer instead of
sending it: no Telegram I/O. The quality bar is under 50 ms per question.
Each question is timed for the office (sees everything), a leader (two divisions) and a
handler (own cases); also a [下一页] press (``build`` of page 2).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import pstats
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_queries import DIVISIONS, HANDLERS, TODAY, make_cases, median_ms

from bot.domain.model import Person
from bot.domain.timeutil import TZ, SetTime
from data.store import Store
from handlers.common import Ctx
from handlers.queries import Spec, answer_text, build
from handlers.state import BotData

QUESTIONS = ["/overdue", "哪些超期了?", "本周到期的", "下周要交什么", "/mine", "我还有什么没办",
             "查一下绿色食品", "/division 综合处", "综合处的情况", "/progress", "总体情况",
             "00484进展如何", "what is overdue", "天气不错"]


class BenchCtx(Ctx):
    """A Ctx that keeps what it would send."""

    sent: list[tuple[str, object]]

    async def reply(self, text, keyboard=None):
        self.sent.append((text, keyboard))

    async def edit_or_reply(self, text, keyboard=None):
        self.sent.append((text, keyboard))


def open_store(directory: Path, n: int) -> Store:
    store = Store.open(directory, time=SetTime(dt.datetime.combine(TODAY, dt.time(9), TZ)))
    with store.transaction():
        store.add_person(Person("办公室甲", "office", division="办公室", telegram=1,
                                approved=True), "bench")
        store.add_person(Person("领导乙", "leader", leads_divisions=DIVISIONS[:2], telegram=2,
                                approved=True), "bench")
        store.add_person(Person(HANDLERS[7], "handler", division=DIVISIONS[0], telegram=3,
                                approved=True), "bench")
        for case in make_cases(n):
            case.id = 0
            store.add_case(case, "bench")
    return store


def ctx_for(store: Store, telegram: int) -> BenchCtx:
    bot_data = BotData(store=store, clock=SetTime(dt.datetime.combine(TODAY, dt.time(9), TZ)))
    bot_data["callback_secret"] = b"0" * 16
    # the intents other modules answer, as handlers.register adds them
    from handlers.supervision import answer_requests, answer_supervise
    bot_data.intent_answers.update(supervise=answer_supervise, requests=answer_requests)
    # /progress's chart is sent by an application task after the answer: not measured here
    app = SimpleNamespace(bot_data=bot_data, create_task=lambda coro, **kw: coro.close())
    context = SimpleNamespace(application=app, args=[])
    person = store.person_by_telegram(telegram)
    c = BenchCtx(update=None, context=context, person=person, lang="zh")
    c.sent = []
    return c


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--profile", metavar="QUESTION",
                        help="also profile this question as the office (the 20 costliest "
                             "functions by own time)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        store = open_store(Path(tmp) / "data", args.cases)
        print(f"{len(store.cases())} cases in a real store (built in "
              f"{time.perf_counter() - t0:.1f} s), {args.runs} runs each, today {TODAY}")
        loop = asyncio.new_event_loop()
        worst = 0.0
        for who, telegram in (("office", 1), ("leader", 2), ("handler", 3)):
            c = ctx_for(store, telegram)
            print(f"  as the {who} ({len(store.cases())} cases, "
                  f"{sum(1 for _ in _visible(c))} visible); median ms")
            for question in QUESTIONS:
                def run(q=question, c=c):
                    c.sent.clear()
                    loop.run_until_complete(answer_text(c, q))
                ms = median_ms(run, args.runs)
                worst = max(worst, ms)
                size = len(c.sent[-1][0]) if c.sent else 0
                print(f"    {question:18} {ms:7.2f} ms   ({size} chars)")
            ms = median_ms(lambda c=c: build(c, Spec("overdue"), 2), args.runs)
            worst = max(worst, ms)
            print(f"    {'[下一页] overdue':18} {ms:7.2f} ms")
        if args.profile:
            c = ctx_for(store, 1)
            profiler = cProfile.Profile()
            for _ in range(args.runs):
                c.sent.clear()
                profiler.enable()
                loop.run_until_complete(answer_text(c, args.profile))
                profiler.disable()
            print(f"  profile of {args.profile!r} as the office, {args.runs} runs:")
            pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        loop.close()
        store.close()
    print(f"  slowest median: {worst:.2f} ms (bar: 50 ms)")


def _visible(c: Ctx):
    from bot.domain.access import visible

    return visible(c.person, c.store.cases())


if __name__ == "__main__":
    main()
