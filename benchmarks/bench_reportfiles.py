"""The report's files over 10,000 cases: the Word report, the chart, the .xlsx with the chart.

    uv run python benchmarks/bench_reportfiles.py [--cases 10000] [--runs 7]

Prints the median time of each step in milliseconds, then how late the event loop's timer
runs while the files are built in a thread and in the drawing process the handlers use
(``data.offloop``): a thread shares the GIL with the loop, the process does not.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_queries import TODAY, make_cases, median_ms  # noqa: E402
from bot.domain.charts import chart_data  # noqa: E402
from bot.domain.report import report_figures  # noqa: E402
from bot.domain.reportdoc import report_document  # noqa: E402
from bot.domain.workcal import WorkCalendar  # noqa: E402
from data import charts, offloop  # noqa: E402
from data.ledger_write import report_xlsx  # noqa: E402
from data.report_docx import document_docx, report_docx  # noqa: E402

DRAW = charts.draw_chart  # the drawing itself, without the memo


async def loop_lag(work, *args, process: bool = False) -> tuple[float, float]:
    """(ms the work took in a thread or the drawing process, worst ms the loop's 5 ms timer
    ran late meanwhile)."""
    worst = 0.0
    done = False

    async def ticker() -> None:
        nonlocal worst
        loop = asyncio.get_running_loop()
        while not done:
            t0 = loop.time()
            await asyncio.sleep(0.005)
            worst = max(worst, (loop.time() - t0 - 0.005) * 1000)

    tick = asyncio.create_task(ticker())
    t0 = time.perf_counter()
    if process:
        await offloop.run(work, *args)
    else:
        await asyncio.to_thread(work, *args)
    took = (time.perf_counter() - t0) * 1000
    done = True
    await tick
    return took, worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    cases = make_cases(args.cases)
    cal = WorkCalendar()
    year = TODAY.year
    n_year = sum(c.year == year for c in cases)
    print(f"{args.cases} cases, {n_year} of {year}; day {TODAY}; median of {args.runs} runs")

    fig = report_figures(cases, year, unit="省投资促进局", today=TODAY)
    data = chart_data(cases, TODAY, cal, year=year)
    doc = report_document(fig, TODAY)
    png = DRAW(data, "zh")
    rows = [
        ("report figures (domain)", lambda: report_figures(cases, year, today=TODAY)),
        ("report document (domain)", lambda: report_document(fig, TODAY)),
        ("docx layout (python-docx)", lambda: document_docx(doc)),
        ("docx from the cases, all steps", lambda: report_docx(
            report_figures(cases, year, today=TODAY), TODAY)),
        ("chart counts (domain)", lambda: chart_data(cases, TODAY, cal, year=year)),
        ("chart drawing (matplotlib, PNG)", lambda: DRAW(data, "zh")),
        ("chart, memoised (asked again)", lambda: charts.render_chart(data, "zh")),
        ("xlsx report with the chart", lambda: report_xlsx(fig, "zh", png)),
    ]
    for name, fn in rows:
        print(f"  {name:34s} {median_ms(fn, args.runs):8.1f} ms")
    print(f"  sizes: docx {len(report_docx(fig, TODAY)) / 1024:.0f} KiB, "
          f"png {len(png) / 1024:.0f} KiB ({len(data.divisions)} divisions)")

    async def off_loop() -> None:
        await offloop.run(report_docx, fig, TODAY)  # start and warm the drawing process
        for process in (False, True):
            where = "the drawing process" if process else "a thread"
            for name, work, work_args in (("docx", report_docx, (fig, TODAY)),
                                          ("chart", DRAW, (data, "zh"))):
                results = [await loop_lag(work, *work_args, process=process)
                           for _ in range(args.runs)]
                took = statistics.median(r[0] for r in results)
                lags = [r[1] for r in results]
                print(f"  {name:5s} in {where:19s} {took:7.1f} ms; the loop's 5 ms timer late "
                      f"by at most {statistics.median(lags):5.1f} ms (median run), "
                      f"{max(lags):5.1f} ms (worst run)")

    asyncio.run(off_loop())


if __name__ == "__main__":
    main()
