"""Responsiveness under heavy work: while the office imports a 5,000-row ledger
and exports every case of a big store, 20 other users press buttons and send commands.

    uv run python benchmarks/bench_responsive.py [--cases 50000] [--rows 5000] [--users 20]
                                                 [--dir /tmp/duban-bench-responsive]

The store (``--cases`` cases, ~1 KB each, the sample's people and 40 handlers) is built once
in DIR and copied for each run. The real application (handlers, store with the write-ahead
log as ``duban run`` opens it, no flood limiter: the bot's own latency is measured) runs
against the local Bot API simulator in this process. The office sends the ledger as a
document (caption 部分导入: the good rows are written in one transaction), waits for the
result, then sends /export (all years).
With ``--commit`` (the default), the office first sends the ledger without a caption, sees
the preview, and presses [导入]: the commit of the rows is timed on its own (the press to
the preview's edit with the result), and the other users' answers during it are a phase of
their own. Meanwhile each of ``--users`` handlers loops, with
a short pause (``--think``, as people read): a command (/mine, /overdue, /due 本周, /help,
/progress), then a read-only button of the answer; first ``--baseline`` seconds without the
heavy work, for comparison.

Printed: how long the import and the export took, and for the other users' requests the
time to the answer (a command: the first message of the bot; a button: the
answerCallbackQuery), p50 / p95 / p99 / max, during the heavy work and before it.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import logging
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COMMANDS = ("/mine", "/overdue", "/due 本周", "/help", "/progress")
READ_BUTTONS = ("case", "hist", "q", "qn")


def ledger_xlsx(n: int) -> bytes:
    from openpyxl import Workbook

    from benchmarks.bench_import import HEADER, rows

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows(n):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def wait_for(predicate, timeout: float = 120.0) -> float:
    """Poll ``predicate`` until true; the seconds it took (TimeoutError after ``timeout``)."""
    t0 = time.perf_counter()
    while not predicate():
        if time.perf_counter() - t0 > timeout:
            raise TimeoutError
        await asyncio.sleep(0.002)
    return time.perf_counter() - t0


class Visitor:
    """One handler: a command, then a read-only button of its answer, again and again."""

    def __init__(self, user, rnd: random.Random, samples: list, heavy: list[str],
                 stop: asyncio.Event, think: tuple[float, float]) -> None:
        self.user, self.rnd, self.samples = user, rnd, samples
        self.heavy, self.stop, self.think = heavy, stop, think

    async def run(self) -> None:
        await asyncio.sleep(self.rnd.uniform(0, 0.5))
        while not self.stop.is_set():
            chat = self.user.chat
            before = chat.activity_count
            during = self.heavy[0]
            update = await self.user.send(self.rnd.choice(COMMANDS))
            t = await wait_for(lambda chat=chat, before=before: chat.activity_count > before)
            self.samples.append(("command", during, t))
            await self.user.chat.sim.settle(chat, update, 120.0)
            await asyncio.sleep(self.rnd.uniform(*self.think))
            with_buttons = [m for m in chat.messages[-3:] if m.buttons]
            buttons = [b for m in with_buttons for row in m.buttons for b in row
                       if b.get("callback_data", "").split(":", 1)[0] in READ_BUTTONS]
            if not buttons:
                continue
            message = with_buttons[-1]
            button = self.rnd.choice([b for row in message.buttons for b in row
                                      if b.get("callback_data", "").split(":", 1)[0]
                                      in READ_BUTTONS] or buttons)
            answers = len(self.user.answers)
            during = self.heavy[0]
            update = await self.user.press_data(message.message_id, button["callback_data"])
            t = await wait_for(lambda answers=answers: len(self.user.answers) > answers)
            self.samples.append(("button", during, t))
            await self.user.chat.sim.settle(chat, update, 120.0)
            await asyncio.sleep(self.rnd.uniform(*self.think))


async def watch_loop(phase: list[str], lags: dict[str, float], stop: asyncio.Event) -> None:
    """The event loop's longest stall per phase: how late a 10 ms sleep wakes up."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        t0 = loop.time()
        await asyncio.sleep(0.01)
        late = loop.time() - t0 - 0.01
        lags[phase[0]] = max(lags.get(phase[0], 0.0), late)


class StallSampler:
    """Where the event loop's thread is when the loop stalls: a watchdog thread looks at the
    loop's heartbeat every 20 ms and, when it is older than ``limit`` seconds, records the
    loop thread's innermost frames of the project (one sample per 20 ms of stall)."""

    def __init__(self, limit: float = 0.1) -> None:
        import threading

        self.limit, self.beat = limit, time.perf_counter()
        self.samples: dict[str, int] = {}
        self.loop_thread = threading.get_ident()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    async def heartbeat(self, stop: asyncio.Event) -> None:
        self.thread.start()
        while not stop.is_set():
            self.beat = time.perf_counter()
            await asyncio.sleep(0.005)
        self.done.set()

    def _watch(self) -> None:
        import traceback

        while not self.done.wait(0.02):
            if time.perf_counter() - self.beat < self.limit:
                continue
            frame = sys._current_frames().get(self.loop_thread)
            if frame is None:
                continue
            stack = [f for f in traceback.extract_stack(frame)
                     if str(ROOT) in f.filename and "/.venv/" not in f.filename]
            where = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}"
                               for f in reversed(stack[-4:])) or "(outside the project)"
            self.samples[where] = self.samples.get(where, 0) + 1

    def report(self) -> None:
        if not self.samples:
            print("no stall over %.0f ms sampled" % (self.limit * 1000))
            return
        print(f"where the loop's thread was during stalls over {self.limit * 1000:.0f} ms "
              "(samples of 20 ms):")
        for where, n in sorted(self.samples.items(), key=lambda kv: -kv[1])[:12]:
            print(f"{n:>6}  {where}")


def pct(values: list[float], p: float) -> float:
    from tests.loadgen import percentile

    return percentile(values, p)


async def run(directory: Path, rows: int, n_users: int, think: tuple[float, float],
              baseline: float, commit: bool = True, stalls: bool = False) -> None:
    from bot.app import create_app
    from bot.cmd.run import install_processing_hook
    from bot.config import Config
    from bot.domain.timeutil import TZ, SetTime
    from bot.simulator import BotApiSimulator
    from data.store import Store

    clock = SetTime(dt.datetime(2020, 6, 29, 10, 0, tzinfo=TZ))
    store = Store.open(directory, time=clock, wal=True)
    n_cases = len(store.cases())
    sim = BotApiSimulator(rate_limits=None)
    await sim.start()
    config = Config(token=sim.token, data_dir=directory, base_url=sim.base_url,
                    base_file_url=sim.base_file_url)
    app = create_app(config, store, clock, rate_limiter=False, register_jobs=False)
    install_processing_hook(app, sim)
    data = ledger_xlsx(rows)
    samples: list[tuple[str, bool, float]] = []
    heavy, stop = ["before"], asyncio.Event()  # before, import, preview, commit, export
    t_preview = t_commit = 0.0
    lags: dict[str, float] = {}
    committed = ""
    try:
        await app.initialize()
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        office_p = next(p for p in store.people() if p.position == "office" and p.telegram)
        office = sim.user(office_p.telegram, first_name=office_p.name)
        handlers = [p for p in store.people() if p.position == "handler" and p.telegram]
        users = [sim.user(p.telegram, first_name=p.name) for p in handlers[:n_users]]
        for u in users:  # warm up (caches, the button secret)
            await u.ask("/mine", timeout=60)
        visitors = [Visitor(u, random.Random(i), samples, heavy, stop, think)
                    for i, u in enumerate(users)]
        tasks = [asyncio.create_task(v.run()) for v in visitors]
        tasks.append(asyncio.create_task(watch_loop(heavy, lags, stop)))
        sampler = StallSampler() if stalls else None
        if sampler is not None:
            tasks.append(asyncio.create_task(sampler.heartbeat(stop)))
        await asyncio.sleep(baseline)  # the same users without the heavy work
        if commit:
            heavy[0] = "preview"
            t0 = time.perf_counter()
            update = await office.send_document("台账.xlsx", data)
            await sim.settle(office.chat, update, 600.0)
            t_preview = time.perf_counter() - t0
            preview = next(m for m in reversed(office.chat.messages)
                           if m.button("导入") is not None)
            heavy[0] = "commit"
            t0 = time.perf_counter()
            before = preview.edits
            update = await office.press("导入", preview)
            await wait_for(lambda: preview.edits > before, 600.0)
            t_commit = time.perf_counter() - t0
            await sim.settle(office.chat, update, 600.0)
            committed = preview.text.splitlines()[0]
            result = committed
            t_import = t_preview + t_commit
        else:
            heavy[0] = "import"
            t0 = time.perf_counter()
            update = await office.send_document("台账.xlsx", data, caption="部分导入")
            await sim.settle(office.chat, update, 600.0)
            t_import = time.perf_counter() - t0
            result = office.chat.messages[-1].text.splitlines()[0]
        heavy[0] = "export"
        t0 = time.perf_counter()
        update = await office.send("/export")
        await sim.settle(office.chat, update, 600.0)
        t_export = time.perf_counter() - t0
        exported = office.chat.messages[-1].document
        stop.set()
        await asyncio.gather(*tasks)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        store.close()
        await sim.stop()
    print(f"store: {n_cases} cases; import of {rows} rows: {t_import:.1f} s ({result}); "
          f"export of every case: {t_export:.1f} s "
          f"({(len(exported.data) / 1e6) if exported else 0:.1f} MB)")
    if commit:
        print(f"preview of {rows} rows: {t_preview:.1f} s; commit ([导入] pressed to the "
              f"result): {t_commit:.2f} s ({committed})")
    print("longest event-loop stall: " + ", ".join(f"{k} {v * 1000:.0f} ms"
                                                   for k, v in lags.items()))
    print(f"{len(users)} other users, {len(samples)} requests answered")
    print(f"{'requests':<28}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for label, pick in (("commands, during the work",
                         lambda k, d: k == "command" and d != "before"),
                        ("buttons, during the work", lambda k, d: k == "button" and d != "before"),
                        ("all, during the import", lambda k, d: d == "import"),
                        ("all, during the preview", lambda k, d: d == "preview"),
                        ("all, during the commit", lambda k, d: d == "commit"),
                        ("all, during the export", lambda k, d: d == "export"),
                        ("all, during the work", lambda k, d: d != "before"),
                        ("all, before the work", lambda k, d: d == "before")):
        values = [s for k, d, s in samples if pick(k, d)]
        ms = [v * 1000 for v in values]
        print(f"{label:<28}{len(ms):>6}{pct(ms, 50):>9.0f}{pct(ms, 95):>9.0f}"
              f"{pct(ms, 99):>9.0f}{max(ms, default=0):>9.0f}")
    if sampler is not None:
        sampler.report()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--rows", type=int, default=5_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--think", default="0.5,2.0",
                        help="seconds a user pauses between requests: min,max (0,0: no pause)")
    parser.add_argument("--baseline", type=float, default=20.0,
                        help="seconds of the same traffic before the heavy work starts")
    parser.add_argument("--no-commit", action="store_true",
                        help="import with the caption 部分导入 (no preview, no [导入] press)")
    parser.add_argument("--stalls", action="store_true",
                        help="also print where the loop's thread was when the loop stalled")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/duban-bench-responsive"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    from benchmarks.bench_load import build

    base = args.dir / f"base-{args.cases}"
    build(base, args.cases, 46)
    with tempfile.TemporaryDirectory(prefix="duban-responsive-") as tmp:
        work = Path(tmp) / "data"
        shutil.copytree(base, work)
        lo, hi = (float(x) for x in args.think.split(","))
        asyncio.run(run(work, args.rows, args.users, (lo, hi), args.baseline,
                        commit=not args.no_commit, stalls=args.stalls))


if __name__ == "__main__":
    main()
