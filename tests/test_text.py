"""The one rule for incoming text (bot.domain.text), and that the model applies it."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.model import MAX_NAME, Case, Person, ValidationError
from bot.domain.text import UnsafeText, clean_name, clean_text, is_clean

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u202d", "\u2066",
             "\u2069", "\u00ad", "\u061c"]
CONTROLS = ["\x00", "\x07", "\x1b", "\x7f", "\x9b", "\x80"]
ODD_SPACES = ["\u00a0", "\u3000", "\u2003", "\u202f", "\t"]

any_text = st.text(st.characters(codec="utf-8"), max_size=80)


def _ok(ch: str, single_line: bool) -> bool:
    cat = unicodedata.category(ch)
    if ch == "\n":
        return not single_line
    if cat in ("Cf", "Cc", "Cs", "Zl", "Zp"):
        return False
    return not (cat == "Zs" and ch != " ")


@given(any_text, st.booleans())
def test_the_output_is_nfc_visible_idempotent_and_never_refused_when_removing(text, one):
    out = clean_text(text, single_line=one, controls="remove")
    assert unicodedata.is_normalized("NFC", out)
    assert all(_ok(ch, one) for ch in out), [hex(ord(c)) for c in out if not _ok(c, one)]
    assert clean_text(out, single_line=one, controls="remove") == out
    assert is_clean(out, single_line=one) or any(unicodedata.category(c) == "Cc" for c in out)
    if one:
        assert "  " not in out


@given(any_text)
def test_refusing_mode_refuses_exactly_the_control_characters(text):
    controls = {c for c in unicodedata.normalize("NFC", text)
                if unicodedata.category(c) == "Cc" and c not in "\n\t\r\x85"}
    if controls:
        with pytest.raises(UnsafeText) as err:
            clean_text(text)
        assert set(err.value.chars) == {f"U+{ord(c):04X}" for c in controls}
    else:
        assert clean_text(text) == clean_text(text, controls="remove")


@given(st.text(st.characters(categories=("Lo", "Lu", "Ll")), min_size=1, max_size=10),
       st.lists(st.sampled_from(INVISIBLE), min_size=1, max_size=4), st.integers(0, 10))
def test_a_name_with_invisible_characters_is_the_same_name(name, junk, at):
    name = unicodedata.normalize("NFC", name)
    k = at % (len(name) + 1)
    dirty = name[:k] + "".join(junk) + name[k:]
    assert clean_name(dirty) == clean_name(name)
    assert Person(name=dirty, position="office").name == Person(name=name, position="office").name


@given(st.sampled_from(ODD_SPACES), st.sampled_from(["\u2028", "\u2029", "\r\n", "\r"]))
def test_spaces_and_line_separators_become_ordinary(space, line):
    assert clean_name(f"张{space}三") == "张 三"
    assert clean_text(f"第一行{line}第二行") == "第一行\n第二行"
    assert clean_text(f"第一行{line}第二行", single_line=True) == "第一行 第二行"


def test_nfc_makes_composed_and_decomposed_one():
    assert clean_name("Jose\u0301") == clean_name("Jos\u00e9") == "Jos\u00e9"


@pytest.mark.parametrize("bad", [c for c in CONTROLS if c])
def test_the_model_refuses_control_characters_with_a_clear_message(bad):
    with pytest.raises(ValidationError) as err:
        Case(kind="proposal", number="0001", year=2020, role="joint", title=f"标题{bad}")
    zh = err.value.render("zh")
    assert f"U+{ord(bad):04X}" in zh and "请删除后重新输入" in zh
    assert "remove them" in err.value.render("en")


def test_the_model_stores_look_alikes_as_one():
    case = Case(kind="proposal", number="0001", year=2020, role="joint",
                title="\ufeff推进\u202e沿边\u200b产业园区\u2028建设", handler="张三\u200b",
                division="综合\u3000处")
    assert case.title == "推进沿边产业园区 建设"
    assert case.handler == "张三" and case.division == "综合 处"
    p = Person(name=" 张\u00a0\u00a0三\u200d ", position="handler", division="综合处")
    assert p.name == "张 三"
    assert len(Person(name="名" * MAX_NAME, position="office").name) == MAX_NAME


@given(any_text)
def test_keeping_controls_then_refusing_is_refusing(text):
    """A ledger cell is tidied keeping its controls; the model then refuses the same ones."""
    kept = clean_text(text, controls="keep")
    try:
        direct = clean_text(text)
    except UnsafeText as err:
        with pytest.raises(UnsafeText) as again:
            clean_text(kept)
        assert again.value.chars == err.chars
    else:
        assert clean_text(kept) == direct == kept


def test_a_calendar_override_name_from_the_command_line_is_cleaned():
    from bot.domain.workcal import make_override

    iso, entry = make_override("2020-10-10", "workday", "国庆\u200b调休\u202e\x07")
    assert (iso, entry) == ("2020-10-10", {"kind": "workday", "name": "国庆调休"})


@given(any_text, st.booleans(), st.sampled_from(["refuse", "remove", "keep"]))
def test_the_fast_path_gives_what_the_character_walk_gives(text, one, controls):
    from bot.domain.text import _clean_slow

    try:
        slow = _clean_slow(text, one, controls)
    except UnsafeText:
        with pytest.raises(UnsafeText):
            clean_text(text, single_line=one, controls=controls)
        return
    assert clean_text(text, single_line=one, controls=controls) == slow
