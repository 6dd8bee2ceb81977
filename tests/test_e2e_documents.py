"""End-to-end: documents on a case through the simulator, as a user would send them."""

from __future__ import annotations

import pytest
from telegram.error import BadRequest

from bot.domain import documents as docs
from data.files import blob_path, files_dir
from tests.test_documents import PDF, docx_bytes

pytestmark = pytest.mark.e2e


async def send_file(env, user, name, data, caption=""):
    """Send a file and return the bot's messages it produced."""
    before = len(user.messages)
    update = await user.send_document(name, data, caption=caption)
    await env.handled(update, timeout=15)
    return [m for m in user.messages[before:] if m.from_bot]


def case_of(env, number="0484"):
    return env.store.find_by_number(number)[0]


def button_data(message, label):
    return message.button(label)["callback_data"]


async def test_a_file_sent_on_the_card_is_attached_listed_and_sent_back(bot_env):
    zhang = bot_env.user("张三")
    card = (await zhang.ask("/case 0484"))[-1]
    assert "📎 附件" in card.labels
    answer = await send_file(bot_env, zhang, "关于0484号建议的答复.pdf", PDF)
    assert "这是什么材料" in answer[-1].text
    assert {"复文", "草稿", "协商记录", "公开证明", "其他", "取消"} <= set(answer[-1].labels)
    saved = await zhang.ask_press("复文")
    assert "已附上" in saved[-1].text and "复文" in saved[-1].text
    case = case_of(bot_env)
    [d] = case.documents
    assert (d["type"], d["name"], d["by"], d["size"]) == \
        ("reply", "关于0484号建议的答复.pdf", "张三", len(PDF))
    assert blob_path(bot_env.store.data_dir, d["sha256"]).read_bytes() == PDF
    ev = bot_env.store.history(case.id)[-1]
    assert ev.field == "documents" and ev.who == "张三" and "复文" in ev.note \
        and "关于0484号建议的答复.pdf" in ev.note
    card = (await zhang.ask("/case 0484"))[-1]
    assert "附件(1)" in card.text and "复文《关于0484号建议的答复.pdf》" in card.text
    listing = await zhang.ask_press("📂 文件(1)")
    got = await zhang.ask_press("1. 复文 关于0484号建议的答复.pdf")
    sent = [m for m in got if m.document]
    assert sent and sent[-1].document.data == PDF
    assert sent[-1].document.name == "关于0484号建议的答复.pdf"
    # a leader who reads the case gets it too, by /files; cannot attach
    wang = bot_env.user("王强")
    card = (await wang.ask("/case 0484"))[-1]
    assert "📎 附件" not in card.labels and "📂 文件(1)" in card.labels
    listing = (await wang.ask("/files 0484"))[-1]
    assert "关于0484号建议的答复.pdf" in listing.text
    got = await wang.ask_press("1. 复文 关于0484号建议的答复.pdf")
    assert [m for m in got if m.document][-1].document.data == PDF
    # a handler of another division sees nothing of the case, even with the button's data
    wangwu = bot_env.user("王五")
    assert "0484" in (await wangwu.ask("/files 0484"))[-1].text  # not found
    before = sum(1 for m in wangwu.messages if m.document)
    answer = await bot_env.press_raw(wangwu, wangwu.messages[-1].message_id,
                                     button_data(listing, "1. 复文 关于0484号建议的答复.pdf"))
    assert answer["show_alert"]
    assert sum(1 for m in wangwu.messages if m.document) == before


async def test_the_same_file_is_stored_once_and_not_attached_twice(bot_env):
    zhang = bot_env.user("张三")
    await zhang.ask("/case 0484")
    await send_file(bot_env, zhang, "a.pdf", PDF)
    await zhang.ask_press("草稿")
    again = await send_file(bot_env, zhang, "renamed.pdf", PDF)
    assert "未重复保存" in again[-1].text
    await zhang.ask("/case 0042")
    await send_file(bot_env, zhang, "b.pdf", PDF)
    await zhang.ask_press("其他")
    assert len(case_of(bot_env, "0042").documents) == 1
    stored = [p for p in files_dir(bot_env.store.data_dir).rglob("*") if p.is_file()]
    assert [p.name for p in stored] == [docs.digest(PDF)]


async def test_wrong_types_and_big_files_are_refused_clearly(bot_env):
    zhang = bot_env.user("张三")
    await zhang.ask("/case 0484")
    answer = await send_file(bot_env, zhang, "复文.pdf", b"MZ\x90\x00 not a pdf")
    assert "不看文件名" in answer[-1].text and "PDF, DOCX" in answer[-1].text
    big = b"%PDF-1.4\n" + b"0" * (docs.MAX_BYTES + 1)
    downloads = bot_env.sim.stats.calls["file"]
    answer = await send_file(bot_env, zhang, "扫描件.pdf", big)
    assert "20 MB" in answer[-1].text and "压缩或拆分" in answer[-1].text
    assert case_of(bot_env).documents == []
    assert bot_env.sim.stats.calls["file"] == downloads  # refused before any download
    # the simulator's getFile refuses it as the Bot API does
    file_id = bot_env.sim.store_file("扫描件.pdf", big, "application/pdf").file_id
    with pytest.raises(BadRequest, match="too big"):
        await bot_env.app.bot.get_file(file_id)


async def test_a_link_after_the_attach_button(bot_env):
    zhang = bot_env.user("张三")
    await zhang.ask("/case 0484")
    prompt = await zhang.ask_press("📎 附件")
    assert "https://" in prompt[-1].text and "20 MB" in prompt[-1].text
    bad = await zhang.ask("ftp://example.org/x")
    assert "不是有效的网址" in bad[-1].text
    url = "https://www.example.gov.cn/art/2020/7/15/1.html"
    asked = await zhang.ask(url)
    assert asked[-1].labels[0] == "公开证明"
    await zhang.ask_press("公开证明")
    [d] = case_of(bot_env).documents
    assert (d["url"], d["type"], d["sha256"]) == (url, "publication", "")
    card = (await zhang.ask("/case 0484"))[-1]
    assert url in card.text
    # after it, a link is a question again (the wait is over)
    before = len(case_of(bot_env).documents)
    await zhang.ask("https://example.org/other")
    assert len(case_of(bot_env).documents) == before


async def test_the_attach_button_takes_a_docx_and_cancel_keeps_nothing(bot_env):
    zhao = bot_env.user("赵立")  # division head of 综合处: may update its cases
    await zhao.ask("/case 0484")
    await zhao.ask_press("📎 附件")
    await zhao.ask("/help")  # other messages in between do not end the wait
    answer = await send_file(bot_env, zhao, "协商记录", docx_bytes())
    assert "《协商记录.docx》" in answer[-1].text
    done = await zhao.ask_press("取消")
    assert "已取消" in done[-1].text
    assert case_of(bot_env).documents == []
    answer = await send_file(bot_env, zhao, "协商记录", docx_bytes())
    await zhao.ask_press("协商记录")
    assert case_of(bot_env).documents[0]["name"] == "协商记录.docx"


async def test_a_reader_who_may_not_update_is_told_so(bot_env):
    wang = bot_env.user("王强")
    await wang.ask("/case 0484")
    answer = await send_file(bot_env, wang, "a.pdf", PDF)
    assert answer and "a.pdf" not in answer[-1].text
    assert case_of(bot_env).documents == []


async def test_a_ledger_sent_by_the_office_is_still_a_ledger(bot_env):
    office = bot_env.user("周敏")
    await office.ask("/case 0484")
    import io

    import openpyxl
    buf = io.BytesIO()
    openpyxl.Workbook().save(buf)
    answer = await send_file(bot_env, office, "台账.xlsx", buf.getvalue())
    assert not any("这是什么材料" in m.text for m in answer)
