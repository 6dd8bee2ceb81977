"""Joining end to end: a deactivated person comes back; every name Telegram allows can be
approved (cleaned by bot.domain.text, a long one cut with a note)."""

from __future__ import annotations

from bot.domain.model import MAX_NAME


def texts(messages) -> str:
    return "\n".join(m.text for m in messages)


async def test_a_deactivated_persons_start_is_a_returning_person_to_reactivate(bot_env):
    office = bot_env.user("周敏")
    zhang = bot_env.user("张三")
    p = bot_env.store.people_named("张三")[0]
    p.active = False
    bot_env.store.save_person(p, "周敏")
    reply = await zhang.ask("/start")
    assert "尚未获批" in texts(reply)
    request = office.last
    assert "已登记人员再次申请" in request.text and "张三" in request.text
    assert "承办人 · 综合处,已停用" in request.text
    assert request.labels == ["重新启用", "拒绝"]
    await office.ask_press("重新启用")
    assert "已重新启用 张三(承办人 · 综合处)" in office.last.text
    again = bot_env.store.person_by_telegram(zhang.user_id if hasattr(zhang, "user_id")
                                             else p.telegram)
    assert again.id == p.id and again.active and again.approved
    assert len([q for q in bot_env.store.people() if q.name == "张三"]) == 1  # no second 张三
    assert "办公室已批准" in zhang.last.text
    assert "关于招商引资工作的建议" in texts(await zhang.ask("/case 0484"))


async def test_a_returning_person_can_be_refused_and_stays_deactivated(bot_env):
    office = bot_env.user("周敏")
    li = bot_env.user("李四")
    p = bot_env.store.people_named("李四")[0]
    p.active = False
    bot_env.store.save_person(p, "周敏")
    await li.ask("/start")
    request = office.last
    # a forged "approve as leader" on this request neither crashes nor approves
    forged = request.button("重新启用")["callback_data"]
    await office.ask_press("拒绝")
    assert "未获批准" in li.last.text
    assert not bot_env.store.person_by_telegram(p.telegram).active
    answer = await bot_env.press_raw(office, request.message_id, forged)
    assert "已经处理过" in answer["text"]
    assert not bot_env.store.person_by_telegram(p.telegram).active


async def test_every_name_telegram_allows_can_be_approved(bot_env):
    office = bot_env.user("周敏")
    first = "长" * 62 + "\u202e\u200b"  # 64 characters: a bidi override, a zero-width space
    last = "名\x07" * 32                 # 64 characters with BELs
    user = bot_env.user(90001, first_name=first, last_name=last)
    await user.ask("/start")
    request = office.last
    assert "Telegram名字过长" in request.text and f"只保留前{MAX_NAME}个字" in request.text
    assert "\u202e" not in request.text and "\u200b" not in request.text
    await office.ask_press("批准为局领导")
    person = bot_env.store.person_by_telegram(90001)
    assert person is not None and person.approved and person.position == "leader"
    whole = "长" * 62 + " " + "名" * 32
    assert person.name == whole[:MAX_NAME]
    assert "已批准" in office.last.text

    odd = bot_env.user(90002, first_name="王\x00\u00a0五\ufeff", last_name="\u2028")
    await odd.ask("/start")
    assert "<b>王 五</b>" in office.last.text or "王 五" in office.last.text
    await office.ask_press("批准为局领导")
    assert bot_env.store.person_by_telegram(90002).name == "王 五"


async def test_person_lookup_compares_names_after_cleaning(bot_env):
    office = bot_env.user("周敏")
    reply = await office.ask("/person 张三\u200b")
    assert "处室:综合处" in texts(reply) and "状态:在用" in texts(reply)  # 张三's admin card
    assert "停用" in reply[0].labels


async def test_approving_a_leader_asks_which_divisions_they_lead(bot_env):
    office = bot_env.user("周敏")
    user = bot_env.user(90011, first_name="钱", last_name="进")
    await user.ask("/start")
    await office.ask_press("批准为局领导")
    assert "已批准" in office.last.text and "请选择钱 进分管的处室" in office.last.text
    assert "已选:尚未选择" in office.last.text
    assert "综合处" in office.last.labels and "完成" in office.last.labels
    await office.ask_press("综合处")
    assert "已选:综合处" in office.last.text and "✓ 综合处" in office.last.labels
    await office.ask_press("办公室")
    assert "已选:综合处、办公室" in office.last.text
    await office.ask_press("✓ 办公室")                  # pressed again: undone
    assert "已选:综合处" in office.last.text and "办公室" in office.last.labels
    person = bot_env.store.person_by_telegram(90011)
    assert person.position == "leader" and person.leads_divisions == ["综合处"]
    await office.ask_press("完成")
    assert "分管:综合处" in office.last.text              # the person's card
    # the new leader now sees the division's cases
    assert "建议 第0484号" in "\n".join(m.text for m in await user.ask("/case 0484"))
