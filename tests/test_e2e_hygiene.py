"""Input hygiene end to end: look-alike text typed in chat or imported is stored clean, a
control character is refused saying which (bot.domain.text through the model)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def texts(messages) -> str:
    return "\n".join(m.text for m in messages)


async def test_typed_look_alikes_are_stored_clean_and_controls_refused(bot_env):
    office = bot_env.user("周敏")
    await office.ask("/new")
    for answer in ("建议", "第0889号", "2020年", "省十三届人大三次会议"):
        await office.ask(answer)
    reply = await office.ask("关于\x07校验的建议")
    assert "含有不可见的控制字符(U+0007)" in texts(reply) and "⚠" in texts(reply)
    reply = await office.ask("\ufeff关于\u200b校验\u202e的建议")
    assert "⚠" not in texts(reply)
    for answer in ("某代表", "协办", "省商务厅", "综合处", "提出意见", "李四", "默认", "按时"):
        reply = await office.ask(answer)
        assert "⚠" not in texts(reply), (answer, texts(reply))
    assert "已登记并交办" in texts(await office.ask("确认"))
    case = bot_env.store.case_by_key(("suggestion", 2020, "0889", "省十三届人大三次会议"))
    assert case.title == "关于校验的建议"


HEADER = ("类型,编号,年度,会次,标题,提出人,办理方式,主办单位,承办处室,办理任务,承办人,"
          "办理时限,办理要求\n")


async def test_imported_look_alikes_are_stored_clean_and_controls_are_bad_rows(bot_env):
    office = bot_env.user("周敏")
    good = ("提案,0903,2020,省政协十二届三次会议,关于\u2028数字\u200d招商的提案,某委员,会办,"
            "省商务厅,综合处,提出会办意见,张三\u200b,2020年6月30日,按时提交\n")
    bad = ("提案,0904,2020,省政协十二届三次会议,关于园区\x1b的提案,某委员,会办,省商务厅,"
           "综合处,提出会办意见,张三,2020年6月30日,按时提交\n")
    update = await office.send_document("cases.csv", (HEADER + good + bad).encode("utf-8"))
    await bot_env.handled(update, timeout=15)
    status = office.last.text  # the preview lists the bad row; [导入] takes the good ones
    assert "第3行" in status and "U+001B" in status
    await office.ask_press("导入", timeout=15)
    case = bot_env.store.find_by_number("0903")[0]
    assert case.title == "关于 数字招商的提案" and case.handler == "张三"
    assert case.handler_id == bot_env.store.people_named("张三")[0].id
    assert not bot_env.store.find_by_number("0904")
