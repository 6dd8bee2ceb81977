"""Files the report and the progress commands attach: the .docx report and the chart.

/progress sends its chart from a task after the answer (:func:`progress_chart_later`);
/report awaits its files (asked for explicitly, and rare).

The files are built in the drawing process (:mod:`data.offloop`) from data taken on the
event loop's thread (figures and chart counts: plain values computed from the store
first), so a big year never stalls other users and the store is never touched elsewhere.
"""

from __future__ import annotations

import asyncio
import io
import logging
from functools import partial

from telegram import InputFile

from bot.domain.charts import ChartData, chart_data, chart_title
from bot.domain.model import Case
from bot.domain.report import ReportFigures
from data import offloop
from data.views import rules_of, rules_source, work_calendar
from handlers.common import Ctx

log = logging.getLogger("duban.reportdoc")


def _chart_of(c: Ctx, cases: list[Case], year: int | None) -> ChartData:
    store = c.store
    return chart_data(cases, c.today, work_calendar(store), partial(rules_of, store), year=year)


async def _render(data: ChartData, lang: str) -> bytes | None:
    """The chart's PNG, or None (logged) when it cannot be drawn: the text answer stands."""
    try:  # (by name: matplotlib is imported by the drawing process only)
        return await offloop.run(offloop.named, "data.charts:render_chart", data, lang)
    except Exception:  # a missing font or a matplotlib failure must not lose the answer
        log.exception("the chart could not be drawn")
        return None


async def send_chart(c: Ctx, data: ChartData) -> None:
    """The progress chart of ``data`` as a PNG document (nothing when there are no cases)."""
    if not data.total:
        return
    png = await _render(data, c.lang)
    if png is None:
        return
    name = f"{c.t('chart.file')}_{data.year or ''}_{c.today.isoformat()}.png"
    await c.context.bot.send_document(c.chat_id, InputFile(io.BytesIO(png), filename=name),
                                      caption=c.t("chart.caption", title=chart_title(data, c.lang)))


def progress_chart_later(c: Ctx, cases: list[Case], year: int | None) -> None:
    """/progress: the chart of the cases the asker may see, sent after the answer.

    The counts are taken now (on the loop's thread; from :data:`CHART_OFF_LOOP` cases on, in
    a worker thread inside the task); drawing and sending run as a task of
    the application, so the next update does not wait for them (updates are handled one at
    a time, and a second message to the same chat waits out Telegram's per-chat limit).
    ``Application.stop`` awaits the task.
    """
    if len(cases) < CHART_OFF_LOOP:
        data = _chart_of(c, cases, year)
        if data.total:
            c.context.application.create_task(send_chart(c, data), update=c.update,
                                              name="progress-chart")
        return
    # many cases: counted in a worker thread (the shared case objects are never changed in
    # place) with the calendar and the rules read here, on the loop
    cal, rules, today = work_calendar(c.store), rules_source(c.store), c.today

    async def count_then_send() -> None:
        data = await asyncio.to_thread(chart_data, cases, today, cal, rules, year=year)
        await send_chart(c, data)

    c.context.application.create_task(count_then_send(), update=c.update,
                                      name="progress-chart")


#: from this many cases on, the chart's counts are taken off the loop (0.2 s at 50,000)
CHART_OFF_LOOP = 5_000


async def send_report_files(c: Ctx, fig: ReportFigures, cases: list[Case]) -> None:
    """/report: the .xlsx (with the progress chart of the year) and the .docx report."""
    from data.ledger_write import report_xlsx
    from data.report_docx import report_docx

    data = _chart_of(c, cases, fig.year)
    png = await _render(data, c.lang) if data.total else None
    xlsx = await offloop.run(report_xlsx, fig, c.lang, png)
    name = f"{c.t('lc.report_file', year=fig.year)}.xlsx"
    await c.context.bot.send_document(c.chat_id, InputFile(io.BytesIO(xlsx), filename=name),
                                      caption=c.t("lc.report_caption", year=fig.year))
    docx = await offloop.run(report_docx, fig, c.today, c.lang)
    name = f"{c.t('rdoc.file', year=fig.year)}.docx"
    await c.context.bot.send_document(c.chat_id, InputFile(io.BytesIO(docx), filename=name),
                                      caption=c.t("rdoc.caption", year=fig.year))
