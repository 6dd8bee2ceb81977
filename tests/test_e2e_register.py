"""End-to-end: registering a case with /new, as the office and a division head meet it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def texts(messages) -> str:
    return "\n".join(m.text for m in messages)


def newest(messages):
    return messages[-1]


async def answer_all(user, steps) -> list:
    """Type or press each step (``("press", label)`` or text); the replies of the last."""
    reply: list = []
    for step in steps:
        if isinstance(step, tuple):
            reply = await user.ask_press(step[1])
        else:
            reply = await user.ask(step)
    return reply


def count_cases(store) -> int:
    return len(store.cases())


def data_files(store) -> dict:
    """The committed state on disk: documents, history, meta."""
    from tests import dbfiles

    return dbfiles.committed(store.data_dir)


def waiting(env) -> int:
    """Flows listed as waiting for input, as the file beside the store says."""
    from pathlib import Path

    from handlers.waiting import WAITING_FILE, WaitingFlows

    return len(WaitingFlows(Path(env.store.data_dir) / WAITING_FILE))


async def test_full_registration_by_buttons_and_typed_dates(bot_env):
    office = bot_env.user("周敏")
    zhang = bot_env.user("张三")
    before = count_cases(bot_env.store)
    reply = await office.ask("/new")
    assert "类型" in texts(reply) and newest(reply).labels == ["建议", "提案"]
    reply = await office.ask_press("提案")
    assert "→ 提案" in reply[0].text and reply[0].labels == []  # the prompt keeps the choice
    assert "编号" in texts(reply)
    reply = await answer_all(office, ["0999", ("press", "2020")])
    assert "省政协十二届三次会议" in newest(reply).labels  # sessions already used
    reply = await answer_all(office, [("press", "省政协十二届三次会议"), "关于测试会办流程的提案",
                                      "某委员、某某", ("press", "会办")])
    assert "主办单位" in texts(reply)
    reply = await answer_all(office, ["省商务厅"])
    assert set(newest(reply).labels) >= {"综合处", "项目管理处", "投资促进一处"}
    reply = await answer_all(office, [("press", "综合处"), "研究并提出会办意见"])
    assert newest(reply).labels == ["赵立", "张三", "李四"]
    reply = await answer_all(office, [("press", "张三")])
    assert "默认为 2020-06-30" in texts(reply) and newest(reply).labels == ["默认 2020-06-30"]
    reply = await answer_all(office, ["7月3日前", "按时提交书面会办意见"])
    summary = newest(reply).text
    for line in ("类型:提案", "编号:0999", "年度:2020", "会次:省政协十二届三次会议",
                 "提出人:某委员、某某", "办理方式:会办", "主办单位:省商务厅", "承办处室:综合处",
                 "承办人:张三", "办理时限:2020-07-03", "办理要求:按时提交书面会办意见"):
        assert line in summary, line
    assert newest(reply).labels == ["确认", "修改…", "取消"]
    assert count_cases(bot_env.store) == before  # nothing written before [确认]

    reply = await office.ask_press("确认")
    assert "已登记并交办" in texts(reply) and "提案 第0999号" in texts(reply)
    assert count_cases(bot_env.store) == before + 1
    case = bot_env.store.case_by_key(("proposal", 2020, "0999", "省政协十二届三次会议"))
    assert case.stage == "assigned" and case.assigned_on == "2020-06-29"
    assert (case.division, case.handler, case.lead_unit) == ("综合处", "张三", "省商务厅")
    assert case.deadline == "2020-07-03" and case.clocks["opinion"].source == "set"
    history = bot_env.store.history(case.id)
    assert [(ev.field, ev.who) for ev in history] == [("created", "周敏")]
    # the handler is told at once, with the case and its deadline
    told = zhang.last.text
    assert "周敏 交办给您一件新办件" in told and "2020-07-03" in told and "第0999号" in told
    assert "记录协商" in zhang.last.labels
    assert len(office.answers) == 7  # every button press was answered


async def test_long_answers_still_fit_in_one_message(bot_env):
    office = bot_env.user("周敏")
    zhang = bot_env.user("张三")
    task, requirements = "任务" * 1000, "要求" * 1000  # 2000 characters each, the maximum
    reply = await answer_all(office, ["/new", "建议", "0995", "2020", "省" * 60, "标" * 200,
                                      "、".join(["某代表"] * 300), "主办", "综合处", task,
                                      "张三", "默认", requirements])
    summary = newest(reply).text
    assert len(summary) <= 4096 and summary.count("…") == 3  # task, requirements, proposers
    assert "确认" in newest(reply).labels
    reply = await office.ask_press("确认")
    assert all(len(m.text) <= 4096 for m in [*reply, zhang.last])
    case = bot_env.store.case_by_key(("suggestion", 2020, "0995", "省" * 60))
    assert case.task == task and case.requirements == requirements  # stored whole


async def test_a_division_head_registers_with_the_default_deadline_in_english(bot_env):
    head = bot_env.user("赵立")
    li = bot_env.user("李四")
    await head.ask("/lang en")
    reply = await head.ask("/new")
    assert "Kind" in texts(reply) and newest(reply).labels == ["suggestion", "proposal"]
    reply = await answer_all(head, ["suggestion", "0777", "2020", "省十三届人大三次会议",
                                    "About testing", "Someone", ("press", "lead")])
    assert newest(reply).labels == ["综合处"]  # a division head gives work to their own only
    reply = await answer_all(head, ["项目管理处"])
    assert "Press a button, or type one of: 综合处" in texts(reply)
    reply = await answer_all(head, [("press", "综合处"), "Reply to the deputy", ("press", "李四")])
    assert "default for lead is 2020-09-29" in texts(reply)
    reply = await answer_all(head, [("press", "default 2020-09-29"), "Formal reply"])
    assert "deadline:2020-09-29 (default)" in newest(reply).text
    reply = await head.ask_press("confirm")
    assert "Registered and assigned" in texts(reply)
    case = bot_env.store.case_by_key(("suggestion", 2020, "0777", "省十三届人大三次会议"))
    assert case.deadline == "2020-09-29" and case.clocks["reply"].source == "default"
    assert case.clocks["publish"].due == "2020-07-15"
    assert "赵立 交办给您一件新办件" in li.last.text  # in the handler's own language


async def test_every_invalid_input_at_every_step_gets_its_reason(bot_env):
    office = bot_env.user("周敏")
    await office.ask("/new")
    steps = [
        ("议案", "请点按钮选择,或输入其中之一:建议 / 提案", "建议"),
        ("abc!", "编号“abc!”无效", "第0888号"),
        ("20", "年度“20”无效", None),
        ("2030", "年度 2030 不在 2000—2021 之间", "2020年"),
        ("会" * 61, "“会次”太长(61字),最多60字", None),
        ("省十三届人大三次会议", None, None),  # fine, the key is free
        ("标" * 201, "“标题”太长(201字),最多200字", "关于校验的建议"),
        ("、、", "“提出人”不能为空", "某代表"),
        ("主持", "请点按钮选择,或输入其中之一:主办 / 独办 / 协办 / 会办 / 分办 / 工作参考", "协办"),
        ("单" * 121, "“主办单位”太长(121字),最多120字", "省商务厅"),
        ("不存在处", "请点按钮选择,或输入其中之一:办公室 / 投资促进一处", "综合处"),
        ("任" * 2001, "“办理任务”太长(2001字),最多2000字", "提出意见"),
        ("王五", "请点按钮选择,或输入其中之一:赵立 / 张三 / 李四", "李四"),
        ("过几天吧", "“过几天吧”", None),
        ("2020-06-01", "2020-06-01 已经过去,时限不能早于今天", None),
        ("默认", None, None),
        ("要" * 2001, "“办理要求”太长(2001字),最多2000字", "按时"),
        ("好的", "请点按钮选择,或输入其中之一:确认 / 修改… / 取消", None),
    ]
    for bad, reason, good in steps:
        reply = await office.ask(bad)
        assert len(reply) == 1, texts(reply)  # one answer: the flow's, not a query's
        if reason is not None:
            assert reason in texts(reply), (bad, texts(reply))
            assert "⚠" in texts(reply)
        if good is not None:
            reply = await office.ask(good)
            assert "⚠" not in texts(reply), (good, texts(reply))
    summary = office.last.text
    assert "编号:0888" in summary and "办理方式:协办" in summary
    assert "办理时限:2020-06-30(默认)" in summary
    reply = await office.ask("确认")
    assert "已登记并交办" in texts(reply)
    assert bot_env.store.case_by_key(("suggestion", 2020, "0888", "省十三届人大三次会议"))


async def test_a_duplicate_key_is_refused_and_the_existing_case_shown(bot_env):
    office = bot_env.user("周敏")
    before = count_cases(bot_env.store)
    await answer_all(office, ["/new", "建议", "0484", "2020"])
    reply = await office.ask("省十三届人大三次会议")
    text = texts(reply)
    assert "建议 第0484号(2020年,省十三届人大三次会议)已经登记过" in text
    assert "关于招商引资工作的建议" in text  # the existing case's card
    assert "会次" in newest(reply).text  # asked again
    # /back to change the number: one step back each time
    reply = await office.ask("/back")
    assert "年度" in texts(reply)
    reply = await answer_all(office, ["/back"])
    assert "编号" in texts(reply)
    reply = await answer_all(office, ["0485", "2020", "省十三届人大三次会议"])
    assert "标题" in texts(reply)
    assert count_cases(bot_env.store) == before


async def test_back_and_change_from_the_summary(bot_env):
    office = bot_env.user("周敏")
    reply = await office.ask("/new")
    reply = await office.ask("/back")
    assert "已经是第一步了" in texts(reply) and newest(reply).labels == ["建议", "提案"]
    await answer_all(office, ["提案", "0991", "2020", "省政协十二届三次会议", "关于修改的提案",
                              "某委员", "会办", "省商务厅", "综合处", "研究", "张三", "默认",
                              "按时"])
    reply = await office.ask_press("修改…")
    assert "修改哪一项" in texts(reply) and "承办处室" in newest(reply).labels
    reply = await office.ask("/back")  # back to the summary
    assert "请核对登记内容" in texts(reply)
    await office.ask_press("修改…")
    reply = await office.ask_press("承办处室")
    assert "承办处室" in texts(reply)
    reply = await office.ask_press("项目管理处")
    assert newest(reply).labels == ["孙伟", "王五"]  # the handler is asked again
    reply = await office.ask_press("王五")
    summary = newest(reply).text
    assert "承办处室:项目管理处" in summary and "承办人:王五" in summary
    await office.ask_press("确认")
    case = bot_env.store.case_by_key(("proposal", 2020, "0991", "省政协十二届三次会议"))
    assert (case.division, case.handler) == ("项目管理处", "王五")


async def test_cancel_writes_nothing(bot_env):
    office = bot_env.user("周敏")
    before = count_cases(bot_env.store)
    await office.ask("/new")
    files = data_files(bot_env.store)
    await answer_all(office, ["建议", "0901"])
    assert waiting(bot_env) == 1  # listed for a restart notice, beside the store
    reply = await office.ask("/cancel")
    assert "已取消“登记新件”,未保存任何内容" in texts(reply)
    assert count_cases(bot_env.store) == before and waiting(bot_env) == 0
    assert data_files(bot_env.store) == files  # the database and its history: untouched
    # text is a question again once no flow waits for it
    reply = await office.ask("哪些超期了")
    assert "编号" not in texts(reply) and "⚠" not in texts(reply)
    reply = await office.ask("/cancel")
    assert "当前没有进行中的操作" in texts(reply)
    # [取消] at the summary
    await answer_all(office, ["/new", "建议", "0902", "2020", "省十三届人大三次会议", "标题",
                              "某代表", "工作参考", "综合处", "参阅", "张三", "无"])
    assert "办理时限:无(工作参考)" in office.last.text
    reply = await office.ask_press("取消")
    assert "已取消" in texts(reply) and count_cases(bot_env.store) == before
    # a button of the finished flow (the year prompt, answered by typing) is refused
    reply = await office.ask_press("2019")
    assert office.last_answer["text"].startswith("这一步已失效")


async def test_who_may_register(bot_env):
    zhang = bot_env.user("张三")
    reply = await zhang.ask("/new")
    assert "只有办公室和处室负责人可以登记新件" in texts(reply)
    reply = await zhang.ask("0999")  # no flow started: plain text is not taken by one
    assert "编号" not in texts(reply)
    group = bot_env.sim.group(-1002, "督办群")
    reply = await group.ask(bot_env.user("周敏"), "/new")
    assert "私聊" in texts(reply)


async def test_an_old_prompt_button_is_refused(bot_env):
    office = bot_env.user("周敏")
    await office.ask("/new")
    first = office.last
    await office.ask("建议")  # typed: the kind prompt keeps its buttons
    await bot_env.handled(await office.press("提案", first))
    assert "之前一步的按钮" in office.last_answer["text"]
    reply = await office.ask("0903")
    assert "年度" in texts(reply)


# ---------------------------------------------------------------- timeout and restart


@pytest.fixture
async def quick_timeout_env(tmp_path, time_source, monkeypatch):
    """The bot with a conversation timeout of half a second."""
    from conftest import start_bot

    from handlers import flows

    monkeypatch.setattr(flows, "TIMEOUT", 0.5)
    env, stop = await start_bot(tmp_path / "data", time_source)
    try:
        yield env
    finally:
        await stop()


async def test_an_abandoned_conversation_times_out_and_says_so(quick_timeout_env):
    env = quick_timeout_env
    office = env.user("周敏")
    await answer_all(office, ["/new", "建议"])
    assert await office.chat.wait_activity(lambda: "无操作" in office.last.text, 30.0)
    assert "“登记新件”已超过" in office.last.text and "未保存任何内容" in office.last.text
    assert waiting(env) == 0
    reply = await office.ask("0999")  # not taken by a flow any more
    assert "年度" not in texts(reply)


async def test_a_restart_mid_conversation_asks_to_start_again(tmp_path, time_source):
    from conftest import start_bot

    env, stop = await start_bot(tmp_path / "data", time_source)
    try:
        office = env.user("周敏")
        await answer_all(office, ["/new", "建议", "0904"])
        cases = count_cases(env.store)
    finally:
        await stop()
    env, stop = await start_bot(tmp_path / "data", time_source)
    try:
        office = env.user("周敏")  # a new simulator: the chat starts empty
        assert await office.chat.wait_activity(
            lambda: office.last is not None and "重启" in office.last.text, 30.0)
        assert "您未完成的“登记新件”已中断" in office.last.text
        assert waiting(env) == 0 and count_cases(env.store) == cases
        # the old prompt's buttons answer cleanly
        from types import SimpleNamespace

        from handlers.buttons import FlowButton
        from handlers.common import pack

        data = pack(SimpleNamespace(application=env.app), FlowButton("abcd", 3, "0"))
        answer = await env.press_raw(office, office.last.message_id, data)
        assert answer["text"].startswith("这一步已失效") and answer["show_alert"]
        reply = await office.ask("/new")  # and a new one starts cleanly
        assert "类型" in texts(reply)
    finally:
        await stop()

