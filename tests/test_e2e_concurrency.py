"""End-to-end: chats are handled concurrently, each in order. While the office's 5,000-row
import is being checked, another person is answered, and the office's own button press
(which must wait for its turn) has Telegram's spinner stopped at once."""

from __future__ import annotations

import asyncio

import pytest

pytestmark = pytest.mark.e2e


async def _until(predicate, timeout: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, f"{what} did not happen"
        await asyncio.sleep(0.01)


@pytest.fixture(scope="module")
def big_ledger() -> bytes:
    from benchmarks.bench_responsive import ledger_xlsx

    return ledger_xlsx(5000)


async def test_another_person_is_answered_while_the_office_imports(bot_env, big_ledger):
    office, handler = bot_env.user("周敏"), bot_env.user("张三")
    upload = await office.send_document("台账.xlsx", big_ledger, caption="检查")
    await _until(lambda: office.messages and "台账.xlsx" in office.last.text, 60,
                 "the import's status message")
    reply = await handler.ask("/case 0484", timeout=60)
    assert "招商引资" in "\n".join(m.text for m in reply)
    assert not bot_env.sim.is_processed(upload["update_id"])  # the import still runs
    await bot_env.handled(upload, timeout=180)
    assert "5000" in office.last.text


async def test_a_press_waiting_behind_its_own_chats_import_is_answered_at_once(bot_env,
                                                                                big_ledger):
    office = bot_env.user("周敏")
    card = (await office.ask("/case 0484"))[-1]
    data = card.button("办理记录")["callback_data"]
    upload = await office.send_document("台账.xlsx", big_ledger, caption="检查")
    press = await office.press_data(card.message_id, data)
    await _until(lambda: office.answers, 60, "the answer to the press")
    assert not bot_env.sim.is_processed(upload["update_id"])  # the import still runs
    assert press["callback_query"]["id"] in bot_env.app.update_processor.answered_early
    await bot_env.handled(upload, timeout=180)
    await bot_env.handled(press, timeout=60)
    assert "0484" in office.last.text  # then handled, after the import (in order)
