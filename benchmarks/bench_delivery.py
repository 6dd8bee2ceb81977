"""The probe's delivery scenarios, counted (jobs/reminders.py against the simulator).

    uv run python benchmarks/bench_delivery.py [trials]

For each trial (a seed): the 09:00 run of June 16, 2020 with 50% of sendMessage responses
lost (the message IS delivered, the answer is not), ticks driven by the set clock. Prints
the digests due, the copies delivered, the extra copies, the most copies one person got, the
digests recorded "maybe", and the digests lost. Then the 12-minute 5xx outage at 09:00: when
the last digest went out and how many were lost.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain.timeutil import SetTime  # noqa: E402
from tests.test_e2e_delivery import D, at, digests, launch, log_of, tick  # noqa: E402


async def lost_half(seed: int) -> dict[str, int]:
    day = D(2020, 6, 16)
    with tempfile.TemporaryDirectory() as tmp:
        time = SetTime(at(day, 9, 0), frozen=True)
        env, stop, users = await launch(Path(tmp) / "data", time, as_of=D(2020, 6, 15))
        try:
            env.sim.faults.set(lost_response=0.5, methods={"sendMessage"}, seed=seed)
            for _ in range(5):
                await tick(env)
            env.sim.faults.clear()
            entries = log_of(env, day)
            due = [n for n, e in entries.items() if e["status"] != "unreachable"]
            copies = [len(digests(users[n])) for n in due]
            return {"due": len(due), "copies": sum(copies), "most": max(copies),
                    "maybe": sum(entries[n]["status"] == "maybe" for n in due),
                    "lost": sum(c == 0 for c in copies)}
        finally:
            await stop()


async def outage() -> tuple[str, int, int]:
    day = D(2020, 6, 16)
    with tempfile.TemporaryDirectory() as tmp:
        time = SetTime(at(day, 9, 0), frozen=True)
        env, stop, users = await launch(Path(tmp) / "data", time, as_of=D(2020, 6, 15))
        try:
            env.sim.faults.set(error_5xx=1.0, methods={"sendMessage"})
            for minute in range(0, 31):
                time.set(at(day, 9, minute))
                if minute == 12:
                    env.sim.faults.clear()
                await tick(env)
            entries = log_of(env, day)
            due = [n for n, e in entries.items() if e["status"] != "unreachable"]
            last = max(entries[n].get("sent_at") or "" for n in due)
            lost = sum(not digests(users[n]) for n in due)
            return last[11:16], len(due), lost
        finally:
            await stop()


def main() -> None:
    logging.disable(logging.CRITICAL)
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    total = {"due": 0, "copies": 0, "maybe": 0, "lost": 0}
    most = 0
    for seed in range(1, trials + 1):
        r = asyncio.run(lost_half(seed))
        print(f"lost responses 50%, seed {seed}: {r['due']} digests due, {r['copies']} copies "
              f"delivered, at most {r['most']} to one person, {r['maybe']} maybe, "
              f"{r['lost']} lost")
        for k in total:
            total[k] += r[k]
        most = max(most, r["most"])
    print(f"{trials} trials: {total['due']} digests, {total['copies'] - total['due']} extra "
          f"copies, at most {most} copies of one digest, {total['maybe']} recorded maybe, "
          f"{total['lost']} lost")
    last, due, lost = asyncio.run(outage())
    print(f"5xx outage 09:00-09:12: {due} digests, the last sent at {last}, {lost} lost")


if __name__ == "__main__":
    main()
