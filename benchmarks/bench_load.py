"""Load benchmark: updates per second the whole bot sustains through the simulator.

    uv run python benchmarks/bench_load.py [--sizes 1000,10000,50000] [--seconds 15]
                                           [--users 50] [--writes 0.2]
                                           [--dir DIR] [--profile]

For each size, a store of that many realistic cases (~1 KB of JSON each, with history) and
the sample's people plus handlers up to ``--users`` linked accounts is built once (reused
from DIR). Then the real application (handlers, store, durable commits; no flood limiter:
the bot's own capacity is measured, not Telegram's 30 messages/s) runs against the local
Bot API simulator in this process, and ``--users`` simulated people ask without pause
(closed loop, :mod:`tests.loadgen`): questions (``/case``, ``/overdue``, ``/mine``,
``/due``, ``/find``, free text), read-only buttons, and ``--writes`` of the requests change
the person's language (a durable commit with a history event, as any change is).

Commits are what ``duban run`` does: one SQLite transaction each (WAL mode,
``synchronous=FULL``; see data/storage.py).

Printed per size: the time from opening the store to the first ``/case`` answered (open,
bootstrap, application start, as ``duban run`` does), requests answered per second,
latency p50/p95/p99 (send to last reply message), and the commits: how many, their median
and p95 time, and the share of the run spent inside them. ``--profile`` adds the ten
functions with the most cumulative time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging
import pstats
import random
import statistics
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DIVISIONS = ["综合处", "项目管理处", "投资促进一处", "投资促进二处"]
DB_NAME = "duban.sqlite3"  # data.storage.DB_NAME


def build(directory: Path, n_cases: int, users: int) -> None:
    """Sample people, handlers up to ``users`` linked accounts, ``n_cases`` cases (once)."""
    from benchmarks.bench_store import make_case
    from bot.domain.model import Person
    from bot.domain.timeutil import SystemTime
    from bot.sample import sample_people
    from data.store import Store

    if (directory / DB_NAME).exists():
        return
    t0 = time.perf_counter()
    rnd = random.Random(n_cases)
    store = Store.open(directory, time=SystemTime())
    with store.transaction():
        people = sample_people()
        linked = sum(1 for p in people if p.telegram)
        for i in range(max(0, users - linked)):
            people.append(Person(f"承办人{i:02d}", "handler", division=DIVISIONS[i % 4],
                                 telegram=20_000 + i, approved=True))
        for p in people:
            store.add_person(p, "bench")
        handlers = {d: [p.name for p in people if p.position == "handler" and p.division == d]
                    for d in DIVISIONS}
        for i in range(n_cases):
            case = make_case(rnd, i + 1)
            case.year = 2020 if i % 4 else 2019
            case.division = rnd.choice(DIVISIONS)
            case.handler = rnd.choice(handlers[case.division])
            store.add_case(case, "bench", note="导入")
    store.close()
    size = (directory / DB_NAME).stat().st_size
    print(f"  built {n_cases} cases ({size / 1e6:.1f} MB database) in "
          f"{time.perf_counter() - t0:.0f} s", flush=True)


class CommitTimer:
    """Times every commit of the store (journal append + database write + fsyncs)."""

    def __init__(self, store) -> None:
        self.times: list[float] = []
        inner = store._commit

        def timed() -> None:
            t0 = time.perf_counter()
            try:
                inner()
            finally:
                self.times.append(time.perf_counter() - t0)

        store._commit = timed


#: what one user alone waits for each kind of request (the service time, no queueing)
SERVICE = {"/case 0484": "/case", "/mine": "/mine", "/overdue": "/overdue",
           "/due 本周": "/due", "哪些超期了?": "text", "/lang en": "/lang (commit)"}


async def service_times(sim, users, repeat: int = 5) -> dict[str, float]:
    from tests.loadgen import Crowd

    solo = Crowd(sim, users, seed=0, timeout=60.0, tries=1)
    office, handler = users[0], users[-1]
    out = {}
    for text, what in SERVICE.items():
        user = office if text in ("/overdue", "哪些超期了?") else handler
        times = []
        for i in range(repeat):
            if text.startswith("/lang"):
                text = "/lang " + ("en" if i % 2 == 0 else "zh")
            t0 = time.perf_counter()
            await solo.ask(user, text)
            times.append((time.perf_counter() - t0) * 1000)
        out[what] = statistics.median(times)
    return out


async def run_size(directory: Path, seconds: float, users: int, writes: float,
                   profile: bool, wal: bool) -> dict[str, float]:
    import datetime as dt

    from bot.app import bootstrap, create_app
    from bot.cmd.run import install_processing_hook
    from bot.config import Config
    from bot.domain.timeutil import TZ, SetTime
    from bot.simulator import BotApiSimulator
    from data.store import Store
    from tests.loadgen import Crowd

    clock = SetTime(dt.datetime(2020, 6, 29, 10, 0, tzinfo=TZ))
    sim = BotApiSimulator(rate_limits=None)
    await sim.start()
    config = Config(token=sim.token, data_dir=directory, base_url=sim.base_url,
                    base_file_url=sim.base_file_url)
    # start to first answer, as `duban run` does it: open, bootstrap, start, one /case
    t0 = time.perf_counter()
    store = Store.open(directory, time=clock)
    bootstrap(store, config)
    app = create_app(config, store, clock, rate_limiter=False, register_jobs=False)
    install_processing_hook(app, sim)
    timer = CommitTimer(store)
    profiler = cProfile.Profile() if profile else None
    try:
        await app.initialize()
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        people = [p for p in store.people() if p.telegram and p.approved][:users]
        crowd_users = [sim.user(p.telegram, first_name=p.name) for p in people]
        first = Crowd(sim, crowd_users, seed=0, timeout=60.0, tries=1)
        await first.ask(crowd_users[0], "/case 00484")
        first_answer = time.perf_counter() - t0
        t1 = time.perf_counter()
        len(store.cases())  # the case cache, as the first question over all would build it
        all_cases = time.perf_counter() - t1
        # warm up: every user's first question (caches, the button secret)
        warm = Crowd(sim, crowd_users, seed=0, timeout=60.0, tries=1, think=(0, 0))
        await asyncio.gather(*(warm.ask(u, "/mine") for u in crowd_users))
        service = await service_times(sim, crowd_users)
        timer.times.clear()
        crowd = Crowd(sim, crowd_users, seed=1, timeout=60.0, tries=1, think=(0.0, 0.0),
                      write_share=writes, button_share=0.1)
        if profiler:
            profiler.enable()
        t0 = time.perf_counter()
        tally = await crowd.run(seconds)
        elapsed = time.perf_counter() - t0
        if profiler:
            profiler.disable()
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        store.close()
        await sim.stop()
    return _result(directory, first_answer, all_cases, tally.latencies, elapsed, timer.times,
                   {"silent": tally.outcomes["silent"], "errors": tally.outcomes["error"],
                    "latency_of": tally.latency_of, "service": service}, profiler)


def _result(directory: Path, first_answer: float, all_cases: float, lat: list[float],
            elapsed: float, commits: list[float], seen: dict, profiler) -> dict:
    """The figures of one run (``seen``: silent, errors, latency_of, service)."""
    from tests.loadgen import percentile

    result = {
        "first_answer_s": first_answer, "all_cases_s": all_cases,
        "requests": len(lat), "rps": len(lat) / elapsed,
        "p50": percentile(lat, 50), "p95": percentile(lat, 95), "p99": percentile(lat, 99),
        "commits": len(commits),
        "commit_p50": statistics.median(commits) if commits else 0.0,
        "commit_p95": percentile(commits, 95),
        "commit_share": sum(commits) / elapsed,
        "db_mb": (directory / DB_NAME).stat().st_size / 1e6,
        **seen,
    }
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(25)
        stats.sort_stats("tottime").print_stats(25)
        result["profile"] = out.getvalue()
    return result


# ---------------------------------------------------------------- the simulator in its own process
#
# In production Telegram's servers do not share the bot's CPU; in one process the simulator's
# HTTP server and the users' scripts take about half of it. ``--sim-process`` runs them in a
# child process (the other core), so the figures are the bot's own capacity. The bot reports
# each update it has finished with over a pipe (the processing hook), as it does in-process.


class _MarksOut:
    """What the bot's processing hook calls: sends the update id to the child."""

    processing_hook = True

    def __init__(self, conn) -> None:
        self._conn = conn

    def mark_processed(self, update_id: int) -> None:
        self._conn.send(update_id)


def _sim_child(ctrl, marks, seconds: float, writes: float) -> None:
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(_sim_main(ctrl, marks, seconds, writes))


async def _sim_main(ctrl, marks, seconds: float, writes: float) -> None:
    from bot.simulator import BotApiSimulator
    from tests.loadgen import Crowd

    loop = asyncio.get_running_loop()
    sim = BotApiSimulator(rate_limits=None)
    await sim.start()
    sim.processing_hook = True

    def drain() -> None:
        while marks.poll():
            sim.mark_processed(marks.recv())

    loop.add_reader(marks.fileno(), drain)
    ctrl.send((sim.token, sim.base_url, sim.base_file_url))
    people = await loop.run_in_executor(None, ctrl.recv)
    users = [sim.user(tg, first_name=name) for tg, name in people]
    await Crowd(sim, users, seed=0, timeout=60.0, tries=1).ask(users[0], "/case 00484")
    ctrl.send(time.monotonic())  # the first answer is in
    warm = Crowd(sim, users, seed=0, timeout=60.0, tries=1, think=(0, 0))
    await asyncio.gather(*(warm.ask(u, "/mine") for u in users))
    service = await service_times(sim, users)
    crowd = Crowd(sim, users, seed=1, timeout=60.0, tries=1, think=(0.0, 0.0),
                  write_share=writes, button_share=0.1)
    ctrl.send("start")
    t0 = time.perf_counter()
    tally = await crowd.run(seconds)
    elapsed = time.perf_counter() - t0
    ctrl.send({"latencies": tally.latencies, "latency_of": tally.latency_of,
               "elapsed": elapsed, "service": service,
               "silent": tally.outcomes["silent"], "errors": tally.outcomes["error"]})
    await loop.run_in_executor(None, ctrl.recv)  # the bot has stopped polling
    loop.remove_reader(marks.fileno())
    await sim.stop()


async def run_size_apart(directory: Path, seconds: float, users: int, writes: float,
                         profile: bool) -> dict[str, float]:
    """:func:`run_size` with the simulator and the users in a child process."""
    import datetime as dt
    import multiprocessing

    from bot.app import bootstrap, create_app
    from bot.cmd.run import install_processing_hook
    from bot.config import Config
    from bot.domain.timeutil import TZ, SetTime
    from data.store import Store

    loop = asyncio.get_running_loop()
    ctx = multiprocessing.get_context("spawn")
    ctrl, child_ctrl = ctx.Pipe()
    marks_in, marks_out = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_sim_child, args=(child_ctrl, marks_in, seconds, writes),
                        daemon=True)
    child.start()
    recv = partial(loop.run_in_executor, None, ctrl.recv)
    token, base_url, base_file_url = await recv()
    clock = SetTime(dt.datetime(2020, 6, 29, 10, 0, tzinfo=TZ))
    config = Config(token=token, data_dir=directory, base_url=base_url,
                    base_file_url=base_file_url)
    t0 = time.monotonic()
    store = Store.open(directory, time=clock)
    bootstrap(store, config)
    app = create_app(config, store, clock, rate_limiter=False, register_jobs=False)
    install_processing_hook(app, _MarksOut(marks_out))
    timer = CommitTimer(store)
    profiler = cProfile.Profile() if profile else None
    try:
        await app.initialize()
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        people = [(p.telegram, p.name) for p in store.people()
                  if p.telegram and p.approved][:users]
        ctrl.send(people)
        first_answer = await recv() - t0
        t1 = time.perf_counter()
        len(store.cases())
        all_cases = time.perf_counter() - t1
        assert await recv() == "start"
        timer.times.clear()
        if profiler:
            profiler.enable()
        out = await recv()
        if profiler:
            profiler.disable()
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        store.close()
        ctrl.send("bye")
        child.join(30)
    return _result(directory, first_answer, all_cases, out["latencies"], out["elapsed"],
                   timer.times, {k: out[k] for k in ("silent", "errors", "latency_of",
                                                     "service")}, profiler)


def main() -> None:
    from tests.loadgen import percentile

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--writes", type=float, default=0.2)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/duban-bench-load"))
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sim-process", action="store_true",
                        help="run the simulator and the users in a child process (the bot "
                             "alone in this one, as in production)")
    parser.add_argument("--modes", default="sqlite", help="(one commit mode now: sqlite)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    sizes = [int(s) for s in args.sizes.split(",")]
    modes = args.modes.split(",")
    print(f"{args.users} users without pause, {args.writes:.0%} of requests are changes, "
          f"{args.seconds:.0f} s per size and commit mode")
    print(f"{'cases':>7} {'mode':>7} {'DB MB':>6} {'1st s':>6} {'req/s':>7} {'p50 ms':>7} "
          f"{'p95 ms':>7} {'p99 ms':>7} {'commits':>7} {'commit p50':>10} {'p95 ms':>7} "
          f"{'in commits':>10}")
    for n in sizes:
        directory = args.dir / f"cases-{n}-users-{args.users}"
        build(directory, n, args.users)
        for mode in modes:
            if args.sim_process:
                r = asyncio.run(run_size_apart(directory, args.seconds, args.users,
                                               args.writes, args.profile))
            else:
                r = asyncio.run(run_size(directory, args.seconds, args.users, args.writes,
                                         args.profile, False))
            print(f"{n:>7} {mode:>7} {r['db_mb']:>6.1f} {r['first_answer_s']:>6.2f} "
                  f"{r['rps']:>7.1f} "
                  f"{r['p50'] * 1000:>7.0f} {r['p95'] * 1000:>7.0f} {r['p99'] * 1000:>7.0f} "
                  f"{r['commits']:>7} {r['commit_p50'] * 1000:>8.1f}ms "
                  f"{r['commit_p95'] * 1000:>7.1f} {r['commit_share']:>9.0%}", flush=True)
            print(f"          start to the first /case answered {r['first_answer_s']:.2f} s "
                  f"(open, bootstrap, start; then all case objects {r['all_cases_s']:.2f} s)")
            print("          one user alone, median ms: " + ", ".join(
                f"{what} {ms:.0f}" for what, ms in r["service"].items()))
            slow = sorted(r["latency_of"].items(),
                          key=lambda kv: -percentile(kv[1], 95))[:6]
            print("          slowest kinds, n p50/p95 ms: " + ", ".join(
                f"{what} {len(v)} {percentile(v, 50) * 1000:.0f}/{percentile(v, 95) * 1000:.0f}"
                for what, v in slow))
            if r["silent"] or r["errors"]:
                print(f"          ({r['silent']} requests unanswered, {r['errors']} errors)")
            if args.profile:
                print(r["profile"])

if __name__ == "__main__":
    main()
