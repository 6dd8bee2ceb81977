"""Round-trip time of the registering and updating conversations, through the simulator.

    uv run python benchmarks/bench_flows.py [--cases 10000] [--runs 15]

The real bot (handlers, store on disk, signed buttons) polls the local Bot API simulator;
a simulated office user registers cases with /new (every step: a button press or a typed
answer, until the handler is told), and a handler records a consultation and moves a stage
on a case card. Each step is timed from the user's send to the bot having handled it
(the simulator's processing hook), so it includes PTB, HTTP to the simulator and one
durable store commit per saved step. The store holds the 2020 sample plus ``--cases``
generated cases (the session and lead-unit buttons scan them all). Prints the median and
the worst step of each kind, and a whole registration.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_queries import make_cases

from bot.app import bootstrap, create_app
from bot.cmd.run import install_processing_hook, load_sample
from bot.config import Config
from bot.domain.timeutil import TZ, SetTime
from bot.sample import ADMIN_ID
from bot.simulator import BotApiSimulator
from data.store import Store

NOW = dt.datetime(2020, 6, 29, 9, 30, tzinfo=TZ)


async def timed(samples: dict[str, list[float]], kind: str, coro):
    t0 = time.perf_counter()
    result = await coro
    samples.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
    return result


async def run(n_cases: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        clock = SetTime(NOW, frozen=True)
        store = Store.open(data_dir, time=clock)
        load_sample(store, NOW.date())
        with store.transaction():
            for case in make_cases(n_cases):
                case.id = 0
                store.add_case(case, "bench")
        sim = BotApiSimulator(rate_limits=None)  # Telegram's flood limits off: handler time
        await sim.start()
        config = Config(token=sim.token, data_dir=data_dir, admins=(ADMIN_ID,), lang="zh",
                        base_url=sim.base_url, base_file_url=sim.base_file_url)
        bootstrap(store, config)
        app = create_app(config, store, clock, rate_limiter=False, register_jobs=False)
        install_processing_hook(app, sim)
        await app.initialize()
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        samples: dict[str, list[float]] = {}
        try:
            office = sim.user(ADMIN_ID, first_name="周敏")
            zhang = sim.user(10021, first_name="张三")
            for i in range(runs):
                t0 = time.perf_counter()
                await timed(samples, "/new (first prompt)", office.ask("/new"))
                await timed(samples, "press a choice", office.ask_press("提案"))
                await timed(samples, "type an answer", office.ask(f"9{i:03d}"))
                await timed(samples, "press a choice", office.ask_press("2020"))
                await timed(samples, "session (+ duplicate check)",
                            office.ask_press("省政协十二届三次会议"))
                for text in ("关于压测的提案", "某委员"):
                    await timed(samples, "type an answer", office.ask(text))
                await timed(samples, "press a choice", office.ask_press("会办"))
                await timed(samples, "type an answer", office.ask("省商务厅"))
                await timed(samples, "press a choice", office.ask_press("综合处"))
                await timed(samples, "type an answer", office.ask("研究"))
                await timed(samples, "press a choice", office.ask_press("张三"))
                await timed(samples, "typed date (dates module)", office.ask("下周五"))
                await timed(samples, "type an answer", office.ask("按时"))
                await timed(samples, "[确认] (write, card, notify)", office.ask_press("确认"))
                samples.setdefault("whole registration", []).append(
                    (time.perf_counter() - t0) * 1000)
                await timed(samples, "/update NUMBER (card)", zhang.ask(f"/update 9{i:03d}"))
                await timed(samples, "card step: forward move (write)",
                            zhang.ask_press("开始办理"))
                await timed(samples, "card step: open a flow", zhang.ask_press("记录协商"))
                await zhang.ask_press("面商")
                await zhang.ask("今天")
                await zhang.ask("某委员")
                await timed(samples, "last consultation answer (write)", zhang.ask_press("跳过"))
            await timed(samples, "/update (list, paged)", office.ask("/update"))
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
            store.close()
            await sim.stop()
    print(f"{n_cases} generated cases + the sample, {runs} registrations "
          "(ms, user's send to handled):")
    for kind, values in samples.items():
        print(f"  {kind:36s} median {statistics.median(values):7.1f}   max {max(values):7.1f}"
              f"   (n={len(values)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    asyncio.run(run(args.cases, args.runs))


if __name__ == "__main__":
    main()
