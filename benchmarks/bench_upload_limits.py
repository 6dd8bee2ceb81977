"""How much the pre-check of an upload costs, and what it spares (data/ledger_limits.py).

    uv run python benchmarks/bench_upload_limits.py

Prints: the zip bomb's size and the time to refuse it; the time to count the cells of a sheet
at the cell limit; the time openpyxl takes to read a ledger of 20,000 rows (for scale); and
the longest stall of the event loop while such a ledger is read in a worker thread.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from data.ledger_limits import MAX_CELLS, MAX_UNPACKED, check_upload  # noqa: E402
from data.ledger_read import LedgerFileError, read_sheet  # noqa: E402
from tests.test_ledger_limits import xlsx_with_sheet  # noqa: E402


def timed(fn, *args):
    start = time.perf_counter()
    try:
        out = fn(*args)
    except LedgerFileError as exc:
        out = exc.key
    return out, (time.perf_counter() - start) * 1000


def big_ledger(rows: int) -> bytes:
    import datetime as dt

    from bot.sample import sample_cases
    from data.ledger_write import ledger_workbook

    base = sample_cases()
    cases = []
    for i in range(rows):
        c = base[i % len(base)].copy()
        c.number = f"{i:05d}"
        cases.append(c)
    return ledger_workbook(cases, today=dt.date(2020, 6, 29))


async def stall_while(fn, *args) -> tuple[float, float]:
    """(longest gap between 10 ms ticks of the loop, ms; the call's time, ms)"""
    worst = 0.0
    done = False

    async def ticker():
        nonlocal worst
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            worst = max(worst, (now - last) * 1000 - 10)
            last = now

    task = asyncio.create_task(ticker())
    start = time.perf_counter()
    await asyncio.to_thread(fn, *args)
    took = (time.perf_counter() - start) * 1000
    done = True
    await task
    return worst, took


def main() -> None:
    bomb = xlsx_with_sheet(10, pad=150 * 2**20)
    out, ms = timed(check_upload, bomb, "bomb.xlsx")
    print(f"zip bomb: {len(bomb) / 1024:.0f} KB file, 150 MB unpacked: {out} in {ms:.1f} ms")
    full = xlsx_with_sheet(MAX_CELLS, cell=b'<c r="A1"><v>1</v></c>')
    out, ms = timed(check_upload, full)
    print(f"sheet at the cell limit ({MAX_CELLS} cells, {out.unpacked / 2**20:.1f} MB of "
          f"{MAX_UNPACKED // 2**20}): counted in {ms:.0f} ms")
    ledger = big_ledger(20_000)
    stats, ms = timed(check_upload, ledger, "ledger.xlsx")
    print(f"ledger of 20,000 rows: {len(ledger) / 2**20:.1f} MB, {stats.unpacked / 2**20:.1f} MB "
          f"unpacked, {stats.cells} cells; pre-check {ms:.0f} ms")
    sheet, ms = timed(read_sheet, ledger, "ledger.xlsx")
    print(f"  openpyxl read_sheet: {ms:.0f} ms ({len(sheet.rows)} rows)")
    worst, took = asyncio.run(stall_while(read_sheet, ledger, "ledger.xlsx"))
    print(f"  read in a worker thread: {took:.0f} ms; longest event-loop stall {worst:.0f} ms")


if __name__ == "__main__":
    main()
