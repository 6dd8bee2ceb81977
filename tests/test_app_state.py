"""Two Applications in one process share no state: each has its own BotData (store, clock,
calendar cache, button/flow registries, kept files, counters)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.config import Config
from bot.domain.timeutil import TZ, SetTime
from data.store import Store
from data.views import CALENDAR_SETTING, work_calendar
from handlers.buttons import ButtonData
from handlers.common import add_button
from handlers.state import BotData

TOKEN = {"DUBAN_BOT_TOKEN": "123456789:AAEabcdefghijklmnop"}


def _app(tmp_path, name: str):
    from bot.app import create_app

    store = Store.open(tmp_path / name)
    clock = SetTime(dt.datetime(2020, 6, 29, 9, 0, tzinfo=TZ))
    return create_app(Config.from_env(TOKEN), store, clock, rate_limiter=False,
                      register_jobs=False)


@dataclass(frozen=True)
class OnlyA(ButtonData):  # a button only one of the apps answers
    code = "only_a"


async def _pressed(c, b: OnlyA) -> None:
    return None


def test_two_applications_share_no_state(tmp_path):
    a, b = _app(tmp_path, "a"), _app(tmp_path, "b")
    try:
        sa, sb = a.bot_data, b.bot_data
        assert isinstance(sa, BotData) and isinstance(sb, BotData)
        assert sa.store is not sb.store
        # the same declared buttons and flows, in registries of their own
        assert "case" in sa.buttons and sa.buttons.keys() == sb.buttons.keys()
        assert "new" in sa.flows and sa.flows.keys() == sb.flows.keys()
        assert "uf" in sa.entries and sa.entries.keys() == sb.entries.keys()
        assert sa.buttons is not sb.buttons and sa.flows is not sb.flows
        assert sa.entries is not sb.entries

        add_button(a, OnlyA, _pressed)
        assert "only_a" in sa.buttons and "only_a" not in sb.buttons
        sa.flows.pop("consult")
        assert "consult" in sb.flows

        sa.pending_files["t"] = (0.0, "x.xlsx", b"", False)
        sa.stats["updates"] += 3
        sa["side"] = 1
        assert sb.pending_files == {} and sb.stats["updates"] == 0 and "side" not in sb

        # the card's and the person answer's extras, the intents other modules answer: the
        # same functions, in the order of handlers.MODULES, in lists of each app's own
        names = [f"{f.__module__}.{f.__name__}" for f in sa.card_buttons]
        assert names == ["handlers.update.card_rows", "handlers.supervision.deadline_row",
                         "handlers.documents.card_buttons"]
        assert [f.__module__ for f in sa.card_lines] == ["handlers.supervision",
                                                         "handlers.documents"]
        assert [f.__name__ for f in sa.person_extras] == ["admin_part"]
        assert set(sa.intent_answers) == {"supervise", "requests"}
        for name in ("card_buttons", "card_lines", "person_extras", "intent_answers"):
            mine, theirs = getattr(sa, name), getattr(sb, name)
            assert mine == theirs and mine is not theirs, name
        sa.card_lines.append(lambda c, case: ["only in a"])
        sa.person_extras.clear()
        sa.intent_answers.pop("requests")
        assert len(sb.card_lines) == 2 and len(sb.person_extras) == 1
        assert "requests" in sb.intent_answers

        # what waits for a button, and the early answers in flight
        sa.previews["p"] = (0.0, object())
        sa.pending_documents["d"] = object()
        sa.early_answers.add(object())
        assert sb.previews == {} and sb.pending_documents == {} and sb.early_answers == set()

        # each store its own calendar cache: a holiday set in one is not seen by the other
        holiday = {"2020-07-01": {"kind": "holiday", "name": "test"}}
        sa.store.set_setting(CALENDAR_SETTING, holiday, "test")
        assert not work_calendar(sa.store).is_workday(dt.date(2020, 7, 1))
        assert work_calendar(sb.store).is_workday(dt.date(2020, 7, 1))
        assert sa.calendar is not sb.calendar
        assert sa.calendar.calendar is work_calendar(sa.store)
    finally:
        a.bot_data.store.close()
        b.bot_data.store.close()


def test_bot_data_is_a_mapping_for_side_keys():
    state = BotData()
    assert "store" not in state and list(state) == []
    state["time"] = clock = SetTime(dt.datetime(2020, 6, 29, 9, 0, tzinfo=TZ))
    assert state.clock is clock and state["time"] is clock
    assert state.setdefault("x", []) == [] and state.extra == {"x": []}
    assert set(state) == {"time", "x"}
    del state["time"]
    assert state.clock is None and state.pop("x") == [] and len(state) == 0
