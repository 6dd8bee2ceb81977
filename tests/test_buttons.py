"""Typed button data (handlers/buttons.py): every kind packs to the signed wire format and
back; forged, garbled, unknown and wrong-arity data is refused alike; data of buttons sent
before the kinds were typed still parses."""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from types import SimpleNamespace, UnionType

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.domain.model import Case
from bot.texts import t
from handlers import buttons as kinds_module
from handlers.buttons import (
    ButtonData,
    CaseButton,
    FlowButton,
    HistoryButton,
    JoinButton,
    ListPage,
    PersonButton,
    QueryButton,
    QueryPageButton,
    StepButton,
)
from handlers.common import Pressed, pack, read_button, sign, verify

#: every kind the bot draws (a test may define its own)
KINDS = [k for k in kinds_module.kinds() if k.__module__ == kinds_module.__name__]


async def _nothing(c, b) -> None:
    return None


KNOWN = {k.code: Pressed(k, _nothing) for k in KINDS}


def _context(secret: bytes = b"k" * 16):
    return SimpleNamespace(application=SimpleNamespace(bot_data={"callback_secret": secret}))


CTX = _context()

_TEXT = st.text(st.characters(blacklist_characters=":", blacklist_categories=("Cs",)),
                max_size=6)


def _strategy(hint) -> st.SearchStrategy:
    if hint == tuple[str, ...]:
        return st.lists(_TEXT, max_size=3).map(tuple)
    if isinstance(hint, UnionType):
        inner = next(a for a in typing.get_args(hint) if a is not type(None))
        values = _TEXT.filter(bool) if inner is str else _strategy(inner)
        return st.none() | values
    return {int: st.integers(0, 10**6), bool: st.booleans(), str: _TEXT}[hint]


def _of(kind: type[ButtonData]) -> st.SearchStrategy:
    hints = typing.get_type_hints(kind)
    return st.builds(kind, **{f.name: _strategy(hints[f.name])
                              for f in dataclasses.fields(kind)})


ANY_BUTTON = st.sampled_from(KINDS).flatmap(_of)


def test_every_kind_has_its_own_code_and_is_answered(tmp_path):
    from bot.app import create_app
    from bot.config import Config
    from bot.domain.timeutil import TZ, SetTime
    from data.store import Store

    codes = [k.code for k in KINDS]
    assert len(codes) == len(set(codes)), codes
    store = Store.open(tmp_path / "d")
    try:
        app = create_app(Config.from_env({"DUBAN_BOT_TOKEN": "123456789:AAEabcdefghijklmnop"}),
                         store, SetTime(dt.datetime(2020, 6, 29, 9, 0, tzinfo=TZ)),
                         rate_limiter=False, register_jobs=False)
        answered = {**app.bot_data.buttons, **app.bot_data.entries}
        assert set(codes) <= set(answered), set(codes) - set(answered)
        assert all(answered[k.code].kind is k for k in KINDS)
    finally:
        store.close()


@settings(max_examples=400, deadline=None)
@given(button=ANY_BUTTON)
def test_every_kind_packs_and_reads_back(button):
    try:
        data = pack(CTX, button)
    except ValueError:  # longer than Telegram's 64 bytes: refused when drawn
        assume(False)
    assert len(data.encode()) <= 64
    assert data.startswith(button.code + ":") or data.startswith(button.code + "|")
    assert read_button(CTX, data, KNOWN) == button
    # the same data under another secret, or another kind's code, is refused
    assert read_button(_context(b"x" * 16), data, KNOWN) is None
    assert read_button(CTX, data, {k: v for k, v in KNOWN.items() if k != button.code}) is None


@settings(max_examples=200, deadline=None)
@given(button=ANY_BUTTON, cut=st.integers(1, 6))
def test_garbled_signature_is_refused(button, cut):
    data = pack(CTX, button) if len(button.payload().encode()) <= 55 else None
    assume(data is not None)
    assert data is not None
    forged = data[:-cut] + "A" * cut
    assume(forged != data)
    assert read_button(CTX, forged, KNOWN) is None
    assert read_button(CTX, button.payload(), KNOWN) is None  # not signed at all


def _signed(*parts: object) -> str:
    return sign(CTX, ":".join(map(str, parts)))


@pytest.mark.parametrize("kind", [k for k in KINDS if dataclasses.fields(k)],
                         ids=lambda k: k.code)
def test_wrong_arity_and_types_are_refused(kind):
    hints = typing.get_type_hints(kind)
    fields = dataclasses.fields(kind)
    example = {int: "7", bool: "1", str: "a", int | None: "7", str | None: "a",
               tuple[str, ...]: "a"}
    full = [example[hints[f.name]] for f in fields]
    assert read_button(CTX, _signed(kind.code, *full), KNOWN) is not None
    if hints[fields[-1].name] != tuple[str, ...]:
        assert read_button(CTX, _signed(kind.code, *full, "7"), KNOWN) is None  # one too many
    required = [f for f in fields if f.default is dataclasses.MISSING]
    if required:
        short = full[:len(required) - 1]
        assert read_button(CTX, _signed(kind.code, *short), KNOWN) is None  # one too few
    for i, f in enumerate(fields):
        if hints[f.name] in (int, bool, int | None):
            for bad in ("x", "-1", "1.5", " 7", "٣"):
                parts = [*full[:i], bad, *full[i + 1:]]
                assert read_button(CTX, _signed(kind.code, *parts), KNOWN) is None, (f, bad)


def test_data_of_buttons_sent_before_still_reads():
    old = {"case:12": CaseButton(12), "hist:12": HistoryButton(12), "hist:12:3":
           HistoryButton(12, 3), "uf:answer:12:4": StepButton("answer", 12, 4),
           "fb:ab12:3:p1": FlowButton("ab12", 3, "p1"), "join:5:h": JoinButton(5, "h"),
           "join:5:h:0": JoinButton(5, "h", 0), "join:5:d:9:2": JoinButton(5, "d", 9, 2),
           "pers:7": PersonButton(7), "pers:7:div:2:1a2b": PersonButton(7, "div", "2", "1a2b"),
           "pers:7:off:yes": PersonButton(7, "off", "yes"), "q:o:1": QueryButton("o", 1),
           "qn:d:2:20200701:20200707:m": QueryPageButton("d", 2, ("20200701", "20200707", "m")),
           "svl:unsigned:2:-:-": ListPage("unsigned", 2, "-", "-")}
    for data, button in old.items():
        assert read_button(CTX, sign(CTX, data), KNOWN) == button, data
        assert button.payload() == data, data  # and written as before


def test_packing_refuses_what_would_not_read_back():
    with pytest.raises(ValueError):
        pack(CTX, FlowButton("a:b", 1, "0"))  # the separator in a text
    with pytest.raises(ValueError):
        pack(CTX, CaseButton(-1))
    with pytest.raises(ValueError):
        pack(CTX, PersonButton(1, "off", ""))  # an optional text is never empty
    with pytest.raises(ValueError):
        pack(CTX, QueryButton("f", 1, ("数" * 20,)))  # more than 64 bytes
    assert verify(CTX, "") is None and verify(CTX, "case:1") is None
    # trailing fields at their default are left out (a kind may grow fields at its end)
    assert JoinButton(5, "h").payload() == "join:5:h"
    assert HistoryButton(12, 0).payload() == "hist:12" and PersonButton(7).payload() == "pers:7"
    assert JoinButton(5, "h", None, 2).payload() == "join:5:h::2"
    assert read_button(CTX, pack(CTX, JoinButton(5, "h", None, 2)), KNOWN) == \
        JoinButton(5, "h", None, 2)


def test_a_kind_of_an_unknown_field_type_is_refused_when_used():
    @dataclasses.dataclass(frozen=True)
    class Odd(ButtonData):
        code = "odd_test"
        when: Case

    with pytest.raises(TypeError):
        Odd(None).payload()  # type: ignore[arg-type]


# ---------------------------------------------------------------- through the bot


def _raw(env, *parts: object) -> str:
    return sign(SimpleNamespace(application=env.app), ":".join(map(str, parts)))


async def test_signed_but_garbled_buttons_are_refused_like_forged_ones(bot_env):
    office = bot_env.user("周敏")
    case = bot_env.store.find_by_number("0484")[0]
    await office.ask("/help")
    before = bot_env.store.get_case(case.id)
    for data in (_raw(bot_env, "uf", "answer", "x", before.version),   # a text for the id
                 _raw(bot_env, "uf", "answer", case.id),                # too few
                 _raw(bot_env, "case", case.id, 1),                     # too many
                 _raw(bot_env, "hist", "x"),
                 _raw(bot_env, "fb", "abcd", "x", 0),                   # a flow button
                 _raw(bot_env, "nope", case.id)):                       # no such kind
        answer = await bot_env.press_raw(office, office.last.message_id, data)
        assert answer is not None and answer["show_alert"], data
        assert answer["text"] == t("button.invalid", "zh"), data
    assert bot_env.store.get_case(case.id).version == before.version
    # the well-formed one works
    answer = await bot_env.press_raw(office, office.last.message_id, _raw(bot_env, "case", case.id))
    assert "0484" in office.last.text
