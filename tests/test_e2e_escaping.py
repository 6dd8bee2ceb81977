"""End-to-end: names and texts with <, & and > go through every kind of message the bot
sends (cards, lists, history, people, join requests, approvals, group replies) as the
characters typed: Telegram refuses a message whose HTML is broken, so one unescaped name
would silently lose the message. The simulator parses the HTML as Telegram does."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

HOSTILE = "张<b>三&amp;</b>>"
TITLE = "关于<script>招商&引资</script>的建议 a<b & c>d"


def _texts(messages) -> str:
    return "\n".join(m.text or "" for m in messages)


@pytest.fixture
async def hostile_env(bot_env):
    store = bot_env.store
    person = store.people_named("张三")[0]
    telegram = person.telegram
    with store.transaction():
        for case in store.cases():
            if case.handler == "张三":
                fresh = store.get_case(case.id)
                fresh.handler = HOSTILE
                if fresh.number == "0484":
                    fresh.title = TITLE
                store.save_case(fresh, "test")
        person.name = HOSTILE
        store.save_person(person, "test")
    bot_env.hostile_id = telegram
    return bot_env


async def test_hostile_names_and_titles_reach_every_message_intact(hostile_env):
    env = hostile_env
    sim = env.sim
    handler = env.sim.user(env.hostile_id, first_name="张三")
    office = env.user("周敏")
    seen: list[str] = []
    for who, text in ((handler, "/start"), (handler, "/mine"), (handler, "/case 0484"),
                      (handler, "/history 0484"), (handler, "/find 招商"),
                      (handler, "0484进展如何"), (handler, "/update 0484"),
                      (office, "/case 0484"), (office, "/overdue"), (office, "/due 本周"),
                      (office, f"/person {HOSTILE}"), (office, "/people"),
                      (office, "/progress"), (office, "/division 综合处"),
                      (office, "哪些超期了?")):
        reply = await who.ask(text, timeout=10)
        assert reply, text
        seen.append(_texts(reply))
    # the card's buttons too
    card = (await office.ask("/case 0484"))[-1]
    for label in card.labels[:3]:
        reply = await office.ask_press(label, timeout=10)
        seen.append(_texts(reply))
    everything = "\n".join(seen)
    assert sim.stats.errors.get(400, 0) == 0, "a message with broken HTML was refused"
    assert HOSTILE in everything and TITLE in everything
    assert "出错" not in everything


async def test_a_stranger_with_a_hostile_name_asks_to_join_and_is_approved(bot_env):
    stranger = bot_env.user(81234, first_name="<i>新&", last_name="人>")
    office = bot_env.user("周敏")
    await stranger.ask("/start")
    request = office.last
    assert "<i>新&" in request.text and "人>" in request.text
    await office.ask_press("批准为承办人")
    assert "<i>新&" in office.last.text  # which division?
    await office.ask_press(office.last.labels[0])
    assert "<i>新&" in office.last.text
    assert bot_env.sim.stats.errors.get(400, 0) == 0, [m.text for m in stranger.messages]
    assert "<i>新&" in stranger.last.text
    group = bot_env.sim.group(-100900, "<b>群&</b>")
    reply = await group.ask(stranger, "/help")
    assert len(reply) == 1
    assert bot_env.sim.stats.errors.get(400, 0) == 0


@pytest.mark.parametrize("why,words", [("blocked", "屏蔽"), ("not_started", "Start")])
async def test_the_offices_notice_about_an_unreachable_person_keeps_the_name(hostile_env, why,
                                                                             words):
    from jobs.reminders import LOG, _mark_blocked, flush_notices

    env = hostile_env
    office = env.user("周敏")
    before = len(office.messages)
    person = env.store.people_named(HOSTILE)[0]
    # what Telegram answers a digest to them, through the durable notice of the office
    error = ("Forbidden: bot was blocked by the user" if why == "blocked"
             else "Forbidden: bot can't initiate conversation with a user")
    doc = {"day": "2020-06-29", "kind": "daily", "person": person.id, "status": "pending"}
    doc_id = env.store.table(LOG).insert(doc)
    assert _mark_blocked(env.app, person, doc_id, doc, error) == why
    await flush_notices(env.app)
    [notice] = office.messages[before:]
    assert HOSTILE in notice.text and words in notice.text
    assert env.sim.stats.errors.get(400, 0) == 0
