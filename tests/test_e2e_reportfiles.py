"""End-to-end: /progress attaches the chart of what the asker may see; /report sends the
.xlsx (with the chart) and the Word report."""

from __future__ import annotations

import io
from functools import partial

import docx
import openpyxl
import pytest

from bot.domain.access import visible
from bot.domain.charts import chart_data
from data.charts import render_chart
from data.views import rules_of, work_calendar

pytestmark = pytest.mark.e2e


async def chart_after(user, timeout=15.0):
    """The answer and the chart that follows it (sent by a task after the answer)."""
    messages = await user.wait_messages(2, timeout)
    return messages[0], messages[1]


def chart_of(env, cases, year=2020):
    store = env.store
    return chart_data(cases, env.time.today(), work_calendar(store), partial(rules_of, store),
                      year=year)


async def test_progress_attaches_the_chart_of_the_askers_cases(bot_env):
    wang = bot_env.user("王强")
    reply = await wang.ask("/progress")
    assert "2020年办理进度" in reply[0].text
    answer, message = await chart_after(wang)
    assert answer.message_id == reply[0].message_id
    chart = message.document
    assert chart is not None and chart.name.endswith(".png")
    assert message.text == "2020年办理进度(截至6月29日)"
    person = bot_env.store.person_by_telegram(wang.id)
    mine = chart_of(bot_env, visible(person, bot_env.store.cases()))
    everything = chart_of(bot_env, bot_env.store.cases())
    assert mine.total < everything.total  # a leader sees the divisions in charge only
    assert chart.data == render_chart(mine, "zh")
    # paging or drilling down edits the screen and sends no second chart
    before = len(wang.messages)
    await wang.ask_press("📂 综合处")
    await wang.ask("/help")  # later than any chart the press could have sent
    assert not any(m.document for m in wang.messages[before:])


async def test_progress_counted_off_the_loop_says_and_draws_the_same(bot_env, monkeypatch):
    """Over many cases /progress and its chart are counted in a worker thread: the same
    answer, buttons and chart as counted on the loop."""
    import handlers.queries
    import handlers.reportdoc

    wang = bot_env.user("王强")
    on_loop = await wang.ask("/progress")
    _, on_loop_chart = await chart_after(wang)
    monkeypatch.setattr(handlers.queries, "PROGRESS_OFF_LOOP", 0)
    monkeypatch.setattr(handlers.reportdoc, "CHART_OFF_LOOP", 0)
    off_loop = await wang.ask("/progress")
    _, off_loop_chart = await chart_after(wang)
    assert off_loop[0].text == on_loop[0].text and off_loop[0].labels == on_loop[0].labels
    assert off_loop_chart.document.data == on_loop_chart.document.data
    assert off_loop_chart.text == on_loop_chart.text


async def test_english_chart_and_no_chart_for_an_empty_year(bot_env):
    office = bot_env.user("周敏")
    await office.ask("/lang en")
    await office.ask("/progress 2020")
    _, chart = await chart_after(office)
    assert chart.document is not None and chart.text == "Progress 2020 (as of June 29)"
    before = len(office.messages)
    await office.ask("/progress 2019")
    await office.ask("/help")
    assert not any(m.document for m in office.messages[before:])


async def test_a_stranger_gets_no_chart(bot_env):
    stranger = bot_env.user(55555, first_name="路人")
    await stranger.ask("/start")
    await stranger.ask("/progress")
    await stranger.ask("/help")
    assert not any(m.document for m in stranger.messages)


async def test_report_sends_the_workbook_with_the_chart_and_the_word_report(bot_env):
    bot_env.time.set(bot_env.time.now().replace(month=10, day=30))
    office = bot_env.user("周敏")
    reply = await office.ask("/report 2020", timeout=30)
    files = {m.document.name.rsplit(".", 1)[1]: m.document for m in reply if m.document}
    assert set(files) == {"xlsx", "docx"}
    book = openpyxl.load_workbook(io.BytesIO(files["xlsx"].data))
    sheet = book.worksheets[0]
    assert len(sheet._images) == 1  # the progress chart of the year
    assert "人大代表建议8件" in str(sheet["A2"].value)
    report = docx.Document(io.BytesIO(files["docx"].data))
    texts = [p.text for p in report.paragraphs]
    assert texts[0].endswith("关于报送2020年度人大代表建议和政协提案办理工作总结的报告")
    assert any("人大代表建议8件(含2件工作参考),其中:主(独)办1件,协办5件" in p for p in texts)
    assert any("政协提案13件,其中:主(分)办0件,会办13件" in p for p in texts)
    assert texts[-1] == "2020年10月30日"
    assert len(report.tables) == 2
    zhang = bot_env.user("张三")
    refused = await zhang.ask("/report 2020")
    assert not any(m.document for m in refused)


def wait_for_file(path: str, timeout: float) -> bool:
    """Run in the drawing process: hold it until ``path`` exists."""
    import os
    import time

    end = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > end:
            return False
        time.sleep(0.01)
    return True


async def test_the_chart_is_drawn_off_the_event_loop(bot_env, tmp_path):
    """While the drawing process is busy, the bot answers the next question; the chart
    follows once the process is free."""
    import asyncio

    from data import offloop

    gate = tmp_path / "go"
    held = asyncio.ensure_future(offloop.run(wait_for_file, str(gate), 60))
    office = bot_env.user("周敏")
    reply = await office.ask("/progress", timeout=20)
    assert "2020年办理进度" in reply[0].text
    assert "超期" in (await office.ask("/overdue"))[-1].text  # answered meanwhile
    assert not any(m.document for m in office.messages)  # the chart waits for the process
    gate.touch()
    assert await held
    messages = await office.wait_messages(2, timeout=30)  # /overdue's answer, then the chart
    assert messages[-1].document is not None
    assert offloop.executor() is offloop.executor()  # one process, kept
