"""End-to-end: re-sending the ledger in chat previews, never undoes chat work."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from bot.domain.model import MET_UNKNOWN

pytestmark = pytest.mark.e2e

HEADER = ("类型,编号,年度,会次,标题,提出人,办理方式,主办单位,承办处室,办理任务,承办人,"
          "办理时限,办理要求\n")
ROW = ("提案,0901,2020,省政协十二届三次会议,关于数字招商的提案,某委员,会办,省商务厅,综合处,{task},"
       "张三,2020年6月30日,按时提交\n")


async def send_file(env, user, name, data, caption=""):
    update = await user.send_document(name, data, caption=caption)
    await env.handled(update, timeout=15)
    return user.last


async def imported(env, office, task="提出会办意见"):
    await send_file(env, office, "april.csv", (HEADER + ROW.format(task=task)).encode())
    await office.ask_press("导入", timeout=15)
    return env.store.find_by_number("0901")[0]


def chat_work(store, case):
    """The handler sent the opinion and the office reassigned the case, in chat."""
    case = store.get_case(case.id)
    case.stage, case.handler = "answered", "李四"
    case.clocks["opinion"].met = "2020-06-20"
    return store.save_case(case, "张三")


async def test_resending_the_ledger_previews_conflicts_and_keeps_chat_work(bot_env):
    office = bot_env.user("周敏")
    case = chat_work(bot_env.store, await imported(bot_env, office))
    data = (HEADER + ROW.format(task="提出会办意见并走访")).encode()
    status = await send_file(bot_env, office, "april.csv", data)
    assert "变更 1 件(其中冲突 1 处)" in status.text
    assert "“承办人”:现为 李四,表格为 张三(上次导入或导出后已在机器人中修改)" in status.text
    assert status.labels == ["查看各件变更", "导入", "导入并按表格覆盖冲突", "取消"]
    details = await office.ask_press("查看各件变更", timeout=15)
    text = details[-1].text
    assert "· 办理任务:提出会办意见 → 提出会办意见并走访" in text
    assert "· 承办人:李四 → 张三 ⚠️冲突" in text
    done = await office.ask_press("导入", timeout=15)
    assert "以下 1 处冲突未导入" in done[-1].text
    kept = bot_env.store.get_case(case.id)
    assert (kept.task, kept.handler, kept.stage) == ("提出会办意见并走访", "李四", "answered")
    assert bot_env.store.history(case.id)[-1].note == "导入 april.csv 第2行"
    # sent again, the conflict is still one; this time the file wins
    status = await send_file(bot_env, office, "april.csv", data)
    assert "冲突 1 处" in status.text
    done = await office.ask_press("导入并按表格覆盖冲突", timeout=15)
    assert "以下 1 处冲突已按表格覆盖" in done[-1].text
    after = bot_env.store.get_case(case.id)
    assert (after.handler, after.stage, after.clocks["opinion"].met) == (
        "张三", "answered", "2020-06-20")
    assert bot_env.store.history(case.id)[-1].note == "导入 april.csv 第2行(按表格覆盖冲突)"


async def test_a_stale_preview_is_refused_and_access_is_checked_on_each_press(bot_env):
    office = bot_env.user("周敏")
    case = await imported(bot_env, office)
    status = await send_file(bot_env, office, "v2.csv",
                             (HEADER + ROW.format(task="新任务")).encode())
    pressed = status.button("导入")["callback_data"]
    changed = bot_env.store.get_case(case.id)
    changed.requirements = "在机器人中改过"
    bot_env.store.save_case(changed, "张三")
    done = await office.ask_press("导入", timeout=15)
    assert "预览已过期" in done[-1].text and not done[-1].labels
    assert bot_env.store.get_case(case.id).task == "提出会办意见"
    await bot_env.press_raw(office, status.message_id, pressed, timeout=15)  # again: gone
    assert "失效" in office.last_answer["text"] or "过期" in office.last_answer["text"]
    assert bot_env.store.get_case(case.id).task == "提出会办意见"
    # the office admin loses the office role between the preview and the press
    await send_file(bot_env, office, "v3.csv", (HEADER + ROW.format(task="再改")).encode())
    person = bot_env.store.person_by_telegram(office.id)
    person.position, person.division = "handler", "综合处"
    bot_env.store.save_person(person, "test")
    await office.ask_press("导入", timeout=15)
    assert office.last_answer["text"] and office.last_answer["show_alert"]
    assert bot_env.store.get_case(case.id).task == "提出会办意见"


async def test_numbers_warnings_formulas_and_dates_in_the_preview(bot_env):
    office = bot_env.user("周敏")
    book = Workbook()
    ws = book.active
    ws.append(["类型", "编号", "年度", "会次", "标题", "办理方式", "主办单位", "承办处室", "承办人",
               "办理时限", "交办日期", "状态"])
    # 0484 is in the store: Excel's number cell 484 is the same case
    ws.append(["建议", 484, 2020, "省十三届人大三次会议", "关于招商引资工作的建议", "主办", "",
               "综合处", "张三", "", "", ""])
    ws.append(["提案", "0950", 2020, "省政协十二届三次会议", "关于园区的提案", "协办", "省商务厅",
               "外事处", "张三", "2020-06-30", "2020-04-10", "已提交意见"])
    ws.append(["建议", "0951", 2020, "省十三届人大三次会议", "公式行", "主办", "", "综合处", "张三",
               "=DATE(2020,7,1)", "2020-06-31", ""])
    out = io.BytesIO()
    book.save(out)
    before = len(bot_env.store.cases())
    status = await send_file(bot_env, office, "cases.xlsx", out.getvalue())
    text = status.text
    assert "编号 484 按本年度编号的位数补零为 0484" in text
    assert "提案通常是“会办”" in text and "外事处" in text
    assert "没有意见提交日期:按已提交、日期不详导入" in text
    assert "公式“=DATE(2020,7,1)”" in text and "不存在:6月只有30天" in text
    assert "新增 1 件" in text
    await office.ask_press("导入", timeout=15)
    assert len(bot_env.store.cases()) == before + 1
    assert len(bot_env.store.find_by_number("0484")) == 1
    assert not bot_env.store.find_by_number("484")
    new = bot_env.store.find_by_number("0950")[0]
    assert new.clocks["opinion"].met == MET_UNKNOWN and not new.clocks["opinion"].open


async def test_the_first_admin_s_own_row_links_the_admin(tmp_path, time_source):
    from conftest import start_bot

    from bot.sample import ADMIN_ID

    env, stop = await start_bot(tmp_path / "data", time_source, sample=False)
    try:
        admin = env.store.person_by_telegram(ADMIN_ID)
        assert admin.name == "管理员10000"
        office = env.user(ADMIN_ID)
        data = (f"姓名,职务,处室,分管处室,Telegram\n周敏,办公室,办公室,,{ADMIN_ID}\n"
                "张三,承办人,综合处,,\n")
        status = await send_file(env, office, "people.csv", data.encode(), caption="人员名单")
        assert "新增 1 人,更新 1 人" in status.text and "已关联到本行的周敏" in status.text
        person = env.store.person_by_telegram(ADMIN_ID)
        assert (person.id, person.name, person.position) == (admin.id, "周敏", "office")
    finally:
        await stop()


async def test_export_then_send_it_back_changes_nothing(bot_env):
    office = bot_env.user("周敏")
    reply = await office.ask("/export 2020", timeout=15)
    doc = next(m for m in reply if m.document)
    before = {c.id: c.version for c in bot_env.store.cases()}
    status = await send_file(bot_env, office, doc.document.name, doc.document.data)
    assert "新增 0 件,变更 0 件(其中冲突 0 处)" in status.text
    assert "没有需要导入的变更" in status.text and not status.labels
    assert {c.id: c.version for c in bot_env.store.cases()} == before


async def test_an_export_in_chat_is_what_the_office_holds_so_its_edits_apply(bot_env):
    """A field changed in chat before the office's /export is no conflict when the office
    edits it in the exported file: the export records what the office now holds."""
    import openpyxl

    office = bot_env.user("周敏")
    case = chat_work(bot_env.store, await imported(bot_env, office))
    reply = await office.ask("/export 2020", timeout=15)
    doc = next(m for m in reply if m.document)
    book = openpyxl.load_workbook(io.BytesIO(doc.document.data))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("编号")].value == "0901")
    assert row[header.index("承办人")].value == "李四"  # the chat's change, as exported
    row[header.index("承办人")].value = "张三"  # the office's own edit of that field
    out = io.BytesIO()
    book.save(out)
    status = await send_file(bot_env, office, "edited.xlsx", out.getvalue())
    assert "变更 1 件(其中冲突 0 处)" in status.text, status.text
    await office.ask_press("导入", timeout=15)
    assert bot_env.store.get_case(case.id).handler == "张三"
