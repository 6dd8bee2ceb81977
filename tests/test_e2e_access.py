"""End-to-end: who may use the bot. Approval by the office, refusals, forged buttons."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def texts(messages) -> str:
    return "\n".join(m.text for m in messages)


async def test_unknown_user_sees_nothing_of_any_case(bot_env):
    stranger = bot_env.user(55555, first_name="路人")
    office = bot_env.user("周敏")
    await stranger.ask("/start")
    case = bot_env.store.find_by_number("0484")[0]
    for attempt in ("/case 0484", "/history 0484", "/overdue", "/mine", "哪些超期了?",
                    "0484进展如何", "/find 招商"):
        reply = await stranger.ask(attempt)
        assert "招商引资" not in texts(reply), attempt
        assert "张三" not in texts(reply), attempt
    # a forged button carrying a real case id, made to look like the bot's own
    office_card = (await office.ask("/case 0484"))[-1]
    real_data = office_card.button("办理记录")["callback_data"]
    await bot_env.press_raw(stranger, office_card.message_id, real_data)
    answer = await bot_env.press_raw(stranger, office_card.message_id, f"case:{case.id}|AAAAAAAA")
    assert "无效" in answer["text"]
    answers = [m.text for m in stranger.messages]
    assert not any("招商引资" in a for a in answers)


async def test_approval_flow_links_to_the_people_list(bot_env):
    # 马骏 is in the people list but not linked to Telegram yet
    ma = bot_env.user(77777, first_name="骏", last_name="马")
    office = bot_env.user("周敏")
    reply = await ma.ask("/start")
    assert "尚未获批" in texts(reply)
    request = office.last
    assert "马" in request.text and "77777" in request.text
    assert request.labels == ["批准为承办人", "批准为处室负责人", "批准为局领导", "拒绝"]
    reject_data = request.button("拒绝")["callback_data"]
    # a second /start the same day does not notify the office again
    before = len(office.messages)
    await ma.ask("/start")
    assert len(office.messages) == before

    await office.ask_press("批准为承办人")
    # a name is not a person: the office says whether this is the 马骏 of the list
    assert "是其中哪一位" in office.last.text
    assert office.last.labels == ["马骏 · 承办人 投资促进二处", "都不是,新建人员"]
    await office.ask_press("马骏 · 承办人 投资促进二处")
    assert "已批准 马骏 为承办人" in office.last.text
    assert "投资促进二处" in office.last.text  # taken from the people list
    welcome = ma.last.text
    assert "马骏" in welcome and "承办人" in welcome
    person = bot_env.store.person_by_telegram(77777)
    assert person.name == "马骏" and person.approved and person.division == "投资促进二处"
    reply = await ma.ask("/case 0312")
    assert "沿边开放" in texts(reply)
    # the old approval button no longer acts
    answer = await bot_env.press_raw(office, request.message_id, reject_data)
    assert "已经处理过" in answer["text"]
    assert bot_env.store.person_by_telegram(77777).approved


async def test_two_pending_users_one_approved_one_rejected(bot_env):
    office = bot_env.user("周敏")
    a = bot_env.user(80001, first_name="新同事甲")
    b = bot_env.user(80002, first_name="新同事乙")
    await a.ask("/start")
    req_a = office.last
    await b.ask("/start")
    req_b = office.last
    assert req_a.message_id != req_b.message_id
    # approve a as handler: asks for the division
    await bot_env.press_raw(office, req_a.message_id, req_a.button("批准为承办人")["callback_data"])
    await office.ask_press("综合处")
    assert "已批准 新同事甲 为承办人" in req_a.text
    await bot_env.press_raw(office, req_b.message_id, req_b.button("拒绝")["callback_data"])
    assert "未获批准" in b.last.text
    assert bot_env.store.person_by_telegram(80001).division == "综合处"
    assert bot_env.store.person_by_telegram(80002) is None
    assert "招商" not in texts(await b.ask("/find 招商"))


async def test_handler_cannot_touch_another_divisions_case(bot_env):
    zhang = bot_env.user("张三")   # 综合处
    qian = bot_env.user("钱六")    # 投资促进一处, handles 0091
    reply = await zhang.ask("/case 0091")
    assert "绿色食品牌" not in texts(reply)
    # a real, signed button from 钱六's card, replayed by 张三
    card = (await qian.ask("/case 0091"))[-1]
    answer = await bot_env.press_raw(zhang, card.message_id,
                                     card.button("办理记录")["callback_data"])
    assert all("绿色食品牌" not in m.text for m in zhang.messages)
    assert "无权" in answer["text"]


async def test_deactivated_person_is_refused_at_once(bot_env):
    office = bot_env.user("周敏")
    zhang = bot_env.user("张三")
    assert "关于招商引资工作的建议" in texts(await zhang.ask("/case 0484"))
    await office.ask("/person 张三")
    reply = await office.ask_press("停用")
    assert "在办件" in texts(reply)  # warned: 张三 still holds open cases
    await office.ask_press("仍然停用")
    assert not bot_env.store.people_named("张三")[0].active
    reply = await zhang.ask("/case 0484")
    assert "停用" in texts(reply) and "招商引资" not in texts(reply)


async def test_people_list_for_the_office_only(bot_env):
    office = bot_env.user("周敏")
    reply = await office.ask("/people")
    text = texts(reply)
    assert "综合处" in text and "✓ 张三" in text and "✗ 马骏" in text
    zhang = bot_env.user("张三")
    assert "仅供办公室" in texts(await zhang.ask("/people"))


async def test_odd_updates_are_answered_not_crashed(bot_env):
    zhang = bot_env.user("张三")
    sent = await zhang.send("/case 0484")
    await bot_env.handled(sent)
    await bot_env.handled(await zhang.edit(sent["message"]["message_id"], "/case 0091"))
    assert "修改过的消息" in zhang.last.text
    bot_env.sim.channel_post(-100999, "/case 0484")
    reply = await zhang.ask("/nosuchcommand")
    assert "不认识命令" in reply[-1].text
    assert "0484" in (await zhang.ask("/case 0484"))[-1].text  # still answering


async def test_a_stranger_named_like_a_handler_owns_none_of_their_cases(bot_env):
    """A namesake is another person: approved into another division, he sees and moves
    none of the real 张三's cases; history and messages tell the two apart."""
    office, real = bot_env.user("周敏"), bot_env.user("张三")
    stranger = bot_env.user(88888, first_name="张三")
    await stranger.ask("/start")
    await office.ask_press("批准为承办人")
    # the list's 张三 is linked already: nothing to link to, a new person, in a division
    labels = office.last.labels
    await office.ask_press(next(b for b in labels if "项目管理处" in b))
    text = office.last.text
    assert "已批准 张三 为承办人" in text and "同名" in text and "张三(项目管理处)" in text
    twin = bot_env.store.person_by_telegram(88888)
    first = next(p for p in bot_env.store.people_named("张三") if p.id != twin.id)
    assert twin.division == "项目管理处" and twin.id != first.id
    # /mine, /case, the buttons: nothing of the real 张三's
    mine = texts(await stranger.ask("/mine"))
    assert "0484" not in mine and "0458" not in mine
    assert "招商引资" not in texts(await stranger.ask("/case 0484"))
    case = bot_env.store.find_by_number("0458")[0]
    assert case.handler_id == first.id
    from types import SimpleNamespace

    from handlers.buttons import StepButton
    from handlers.common import pack
    forged = pack(SimpleNamespace(application=bot_env.app),
                  StepButton("archived", case.id, case.version))
    answer = await bot_env.press_raw(stranger, stranger.last.message_id, forged)
    assert answer is not None and bot_env.store.get_case(case.id).stage == case.stage
    # the real one still has his cases; a change he makes is his by id in history
    assert "0458" in texts(await real.ask("/mine"))
    await real.ask("/update 0458")
    await real.ask_press("申请延期")
    await real.ask("7月10日")
    await real.ask("主办单位要求补充材料")
    await real.ask("/case 0458")
    ev = bot_env.store.history(case.id)
    assert all(e.who_id != twin.id for e in ev)
