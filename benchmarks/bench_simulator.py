"""Raw sendMessage throughput of the local Bot API simulator, flood limits off.

    uv run python benchmarks/bench_simulator.py [--messages 3000] [--paced 1000]

Later benchmarks deliver through the simulator, so it must not be their bottleneck: this
prints messages per second for a bare aiohttp client and for PTB's Bot, one request at a time
and many at once. Client and server share one process and one event loop (as in the tests),
so the figures are a lower bound of the server alone.

``--paced N`` also sends N messages to N users with the limits ON through PTB's
AIORateLimiter and reports the time against the 30 messages/s floor and the 429s answered.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

import aiohttp
from telegram import Bot
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.simulator import BotApiSimulator, RateLimits

USERS = 200


async def timed(label: str, n: int, concurrency: int,
                send: Callable[[int], Awaitable[object]]) -> None:
    queue = iter(range(n))

    async def worker() -> None:
        for i in queue:
            await send(i)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    print(f"{label:<28} concurrency {concurrency:>3}: {n / elapsed:8.0f} msg/s "
          f"({elapsed * 1000 / n:.2f} ms each)")


async def raw_throughput(n: int) -> None:
    async with BotApiSimulator(rate_limits=None) as sim:
        for uid in range(1, USERS + 1):
            sim.user(uid, f"u{uid}")
        url = f"{sim.base_url}{sim.token}/sendMessage"
        connector = aiohttp.TCPConnector(limit=64)
        async with aiohttp.ClientSession(connector=connector) as http:

            async def send_raw(i: int) -> None:
                async with http.post(url, json={"chat_id": i % USERS + 1,
                                                "text": f"第{i}条 督办提醒"}) as resp:
                    assert resp.status == 200, await resp.text()
                    await resp.read()

            for concurrency in (1, 32):
                await timed("aiohttp, JSON body", n, concurrency, send_raw)

        request = HTTPXRequest(connection_pool_size=64)
        async with Bot(sim.token, base_url=sim.base_url, request=request) as bot:

            async def send_ptb(i: int) -> None:
                await bot.send_message(i % USERS + 1, f"<b>第{i}条</b> 督办提醒",
                                       parse_mode="HTML")

            for concurrency in (1, 32):
                await timed("PTB Bot, form body + HTML", n, concurrency, send_ptb)
        print(f"server answered {sum(sim.stats.calls.values())} calls, "
              f"{sim.stats.messages_sent} messages, errors {dict(sim.stats.errors)}")


async def paced(n: int) -> None:
    async with BotApiSimulator(rate_limits=RateLimits()) as sim:
        for uid in range(1, n + 1):
            sim.user(uid, f"u{uid}")
        request = HTTPXRequest(connection_pool_size=64)
        # a 429 the limiter lets through is retried by it (max_retries), and should one
        # still reach us it is waited out here: the run counts it, it does not crash
        async with ExtBot(sim.token, base_url=sim.base_url, request=request,
                          rate_limiter=AIORateLimiter(max_retries=3)) as bot:
            retried = 0

            async def send(uid: int) -> None:
                nonlocal retried
                while True:
                    try:
                        await bot.send_message(uid, "今日督办摘要")
                        return
                    except RetryAfter as exc:
                        retried += 1
                        delay = exc.retry_after
                        await asyncio.sleep(delay.total_seconds()
                                            if hasattr(delay, "total_seconds") else delay)

            began = time.perf_counter()
            await asyncio.gather(*(send(uid) for uid in range(1, n + 1)))
            elapsed = time.perf_counter() - began
        floor = (n - 30) / 30  # the first 30 go at once, then 30 a second
        print(f"paced {n} messages via AIORateLimiter, limits on: {elapsed:.2f} s "
              f"(floor {floor:.2f} s, ratio {elapsed / floor:.3f}), "
              f"429 answered: {sim.stats.rate_limited}, retried by the caller: {retried}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--paced", type=int, default=0, metavar="N")
    args = parser.parse_args()
    asyncio.run(raw_throughput(args.messages))
    if args.paced:
        asyncio.run(paced(args.paced))


if __name__ == "__main__":
    main()
