"""End-to-end: the office sends the ledger as a document, gets it back, gets the report."""

from __future__ import annotations

import io

import openpyxl
import pytest

pytestmark = pytest.mark.e2e

HEADER = ("类型,编号,年度,会次,标题,提出人,办理方式,主办单位,承办处室,办理任务,承办人,"
          "办理时限,办理要求\n")
GOOD = ("提案,0901,2020,省政协十二届三次会议,关于数字招商的提案,某委员,会办,省商务厅,综合处,"
        "提出会办意见,张三,2020年6月30日,按时提交\n")
BAD = ("提案,0902,2020,省政协十二届三次会议,关于园区的提案,某委员,会签,省商务厅,综合处,"
       "提出会办意见,张三,六月底左右,按时提交\n")


async def send_file(env, user, name, data, caption=""):
    update = await user.send_document(name, data, caption=caption)
    await env.handled(update, timeout=15)
    return user.last


async def test_a_preview_first_then_the_good_rows_by_button(bot_env):
    office = bot_env.user("周敏")
    before = len(bot_env.store.cases())
    status = await send_file(bot_env, office, "cases.csv",
                             (HEADER + GOOD + BAD).encode("utf-8-sig"))
    assert "预览" in status.text and "新增 1 件" in status.text and "有问题的行 1 行" in status.text
    assert "第3行" in status.text and "办理方式" in status.text
    assert status.labels == ["查看各件变更", "导入", "取消"]
    assert len(bot_env.store.cases()) == before  # nothing written yet
    details = await office.ask_press("查看各件变更", timeout=15)
    assert "第2行 提案第0901号(2020):新增" in details[-1].text
    done = await office.ask_press("导入", timeout=15)
    assert "新增 1 件" in done[-1].text and not done[-1].labels
    assert len(bot_env.store.cases()) == before + 1
    case = bot_env.store.find_by_number("0901")[0]
    assert case.deadline == "2020-06-30" and case.handler == "张三"
    assert bot_env.store.history(case.id)[0].note == "导入 cases.csv 第2行"
    assert "0901" in (await office.ask("/case 0901"))[-1].text


async def test_cancel_and_unreadable_files(bot_env):
    office = bot_env.user("周敏")
    status = await send_file(bot_env, office, "cases.csv", (HEADER + GOOD).encode(), caption="检查")
    assert not bot_env.store.find_by_number("0901")
    assert "导入" in status.labels
    done = await office.ask_press("取消", timeout=15)
    assert "已取消" in done[-1].text and not done[-1].labels
    assert not bot_env.store.find_by_number("0901")
    status = await send_file(bot_env, office, "cases.xlsx", b"PK\x03\x04 not really a workbook")
    assert "无法读取" in status.text
    status = await send_file(bot_env, office, "photo.jpg", b"\xff\xd8\xff")
    assert "不是台账文件" in status.text


async def test_a_file_too_slow_to_read_is_given_up(bot_env, monkeypatch):
    """The parse time is cut inside the child that reads the file: the office is told,
    nothing is written, and the bot goes on answering."""
    import data.ledger_limits

    monkeypatch.setattr(data.ledger_limits, "PARSE_SECONDS", 0.001)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    for i in range(400):
        row = GOOD.strip().split(",")
        row[1] = f"{1000 + i:04d}"
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    office = bot_env.user("周敏")
    before = len(bot_env.store.cases())
    status = await send_file(bot_env, office, "cases.xlsx", out.getvalue())
    assert "无法读取" in status.text and "读取文件超过" in status.text
    assert len(bot_env.store.cases()) == before
    assert "0484" in (await office.ask("/case 0484"))[-1].text


async def test_only_the_office_imports(bot_env):
    zhang = bot_env.user("张三")
    reply = await send_file(bot_env, zhang, "cases.csv", (HEADER + GOOD).encode())
    assert "仅供办公室" in reply.text
    assert not bot_env.store.find_by_number("0901")


async def test_export_and_report_as_documents(bot_env):
    office = bot_env.user("周敏")
    reply = await office.ask("/export 2020", timeout=15)
    doc = next(m for m in reply if m.document)
    book = openpyxl.load_workbook(io.BytesIO(doc.document.data))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert "编号" in header and "办理时限" in header
    assert any(row[header.index("编号")] == "0484" for row in sheet.iter_rows(values_only=True))

    bot_env.time.set(bot_env.time.now().replace(month=10))
    reply = await office.ask("/report 2020", timeout=15)
    text = "\n".join(m.text for m in reply)
    assert "人大代表建议8件(含2件工作参考),其中:主(独)办1件,协办5件" in text
    assert "政协提案13件,其中:主(分)办0件,会办13件" in text
    assert any(m.document and m.document.name.endswith(".xlsx") for m in reply)
    zhang = bot_env.user("张三")
    assert "仅供办公室和局领导" in (await zhang.ask("/report 2020"))[-1].text


async def test_the_office_sets_the_departments_name_for_the_report(bot_env):
    office, zhang = bot_env.user("周敏"), bot_env.user("张三")
    assert "尚未设置本单位名称,/report 暂写“我单位”" in (await office.ask("/unit"))[-1].text
    assert "/unit" in (await office.ask("/help"))[-1].text
    assert "/unit" not in (await zhang.ask("/help"))[-1].text
    refused = (await zhang.ask("/unit 别的局"))[-1].text
    assert "别的局" not in refused and bot_env.store.get_setting("unit") is None
    bad = (await office.ask("/unit 局"))[-1].text
    assert "单位名称太短" in bad and "/unit 省投资促进局" in bad
    long = (await office.ask("/unit " + "很" * 41))[-1].text
    assert "单位名称" in long and "40" in long and bot_env.store.get_setting("unit") is None
    saved = (await office.ask("/unit 省投资促进局"))[-1].text
    assert "✓ 本单位名称已改为“省投资促进局”(原为:(未设置))" in saved
    assert "本单位名称:省投资促进局" in (await office.ask("/unit"))[-1].text
    assert "已是“省投资促进局”" in (await office.ask("/unit 省投资促进局"))[-1].text
    changes = bot_env.store.setting_history("unit")
    assert [(h["who"], h["new"]) for h in changes][-1] == ("周敏", "省投资促进局")
    bot_env.time.set(bot_env.time.now().replace(month=10))
    reply = await office.ask("/report 2020", timeout=15)
    assert "2020年,省投资促进局承办" in "\n".join(m.text for m in reply)
