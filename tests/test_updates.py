"""The update processor: chats concurrently, each chat's updates in order, groups held to a
budget of their own."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.updates import GroupBudget, PerChatProcessor, lane_of


def _update(update_id: int, chat_id: int, kind: str = "private") -> Update:
    user = User(id=abs(chat_id) + 1, first_name="u", is_bot=False)
    chat = Chat(id=chat_id, type=kind)
    msg = Message(message_id=update_id, date=None, chat=chat, from_user=user, text="x")
    return Update(update_id=update_id, message=msg)


def test_the_lane_is_the_chat_and_groups_are_told_apart():
    assert lane_of(_update(1, 42)) == (42, False)
    assert lane_of(_update(2, -100, "supergroup")) == (-100, True)
    assert lane_of(object()) == (None, False)


async def test_a_chat_waiting_does_not_hold_up_another_chat_and_order_is_kept():
    processor = PerChatProcessor()
    release = asyncio.Event()
    log: list[tuple[int, str]] = []

    async def slow(uid: int) -> None:
        log.append((uid, "start"))
        await release.wait()
        log.append((uid, "end"))

    async def quick(uid: int) -> None:
        log.append((uid, "start"))
        log.append((uid, "end"))

    a1, a2, b1 = _update(1, 10), _update(2, 10), _update(3, 20)
    tasks = [asyncio.create_task(processor.process_update(a1, slow(1))),
             asyncio.create_task(processor.process_update(a2, quick(2))),
             asyncio.create_task(processor.process_update(b1, quick(3)))]
    await tasks[2]  # chat 20 is done while chat 10's first update still waits
    assert (3, "end") in log and (1, "end") not in log and (2, "start") not in log
    release.set()
    await asyncio.gather(*tasks)
    assert log.index((1, "end")) < log.index((2, "start"))  # chat 10 in order


async def test_many_updates_of_one_chat_run_in_arrival_order():
    processor = PerChatProcessor()
    seen: list[int] = []

    async def handle(uid: int) -> None:
        await asyncio.sleep(0)
        seen.append(uid)

    await asyncio.gather(*(processor.process_update(_update(i, 7), handle(i))
                           for i in range(50)))
    assert seen == list(range(50))


async def test_a_flooding_group_waits_and_its_excess_is_dropped():
    now = [0.0]
    done: list[int] = []
    processor = PerChatProcessor(group_budget=GroupBudget(per_minute=60, burst=2, backlog=3),
                                 clock=lambda: now[0], on_done=lambda u: done.append(u.update_id))
    ran: list[int] = []

    async def handle(uid: int) -> None:
        ran.append(uid)

    tasks = [asyncio.create_task(processor.process_update(_update(i, -5, "group"), handle(i)))
             for i in range(6)]
    for _ in range(20):
        await asyncio.sleep(0)
    # two within the burst, then the lane waits for the clock; beyond 3 waiting: dropped
    assert ran == [0, 1]
    assert processor.dropped == 1 and 5 in done
    # a private chat is not held up by the group
    await processor.process_update(_update(9, 99), handle(9))
    assert ran == [0, 1, 9]
    now[0] += 10.0
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert ran == [0, 1, 9, 2, 3, 4]
