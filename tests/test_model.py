"""The domain model: validation, keys, the five fixes, the sample data's counts."""

import collections
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import lifecycle
from bot.domain.model import (
    Case,
    Clock,
    Consultation,
    Person,
    ValidationError,
    case_key,
    diff_cases,
    five_fixes_missing,
    normalize_number,
)
from bot.sample import sample_cases, sample_people


def make(**kw) -> Case:
    base = dict(kind="suggestion", number="0484", year=2020, title="关于招商引资工作的建议",
                role="lead")
    base.update(kw)
    return Case(**base)


_KEY_TEXT = st.one_of(st.sampled_from(["", " 省十三届人大三次会议 ", "\t", "a\nb", "x" * 61]),
                      st.text(max_size=8), st.none(), st.integers(0, 9))


@given(kind=st.sampled_from(["suggestion", "proposal", "motion", "", None]),
       year=st.one_of(st.integers(1990, 2110), st.sampled_from(["2020", " 2021 ", "二〇二〇",
                                                                   None, 2020.0])),
       number=st.one_of(st.sampled_from(["0484", "第0484号", "０４８４", "04 84", "", "12-3"]),
                        st.integers(0, 99999), st.text(max_size=6)),
       session=_KEY_TEXT, origin=_KEY_TEXT)
def test_a_rows_key_is_the_key_of_the_case_it_builds(kind, year, number, session, origin):
    """An importer looks a row's case up by ``case_key`` before building it: the key must
    be the built case's, and the values that no case can have must be refused."""
    try:
        built = make(kind=kind, year=year, number=number, session=session,
                     origin_session=origin).key
    except (ValidationError, TypeError):
        built = None
    try:
        key = case_key(kind, year, number, session, origin)
    except ValidationError:
        key = None
    if built is not None:
        assert key == built
    if key is None:
        assert built is None


def test_leading_zeros_are_kept_and_decorations_dropped():
    assert make(number="0484").number == "0484"
    assert normalize_number("第0484号") == "0484"
    assert normalize_number("０４８４") == "0484"


@pytest.mark.parametrize(
    "field,value,key",
    [
        ("kind", "motion", "err.bad_choice"),
        ("role", "主办", "err.bad_choice"),
        ("number", "04 84", "err.bad_number"),
        ("number", "", "err.bad_number"),
        ("year", "二〇二〇", "err.bad_year"),
        ("year", 1999, "err.bad_year"),
        ("title", "   ", "err.required"),
        ("title", "长" * 201, "err.too_long"),
        ("stage", "done", "err.bad_choice"),
        ("assigned_on", "2020-02-30", "err.bad_date"),
        ("assigned_on", "6月30日", "err.bad_date"),
        ("reply_class", "D", "err.bad_choice"),
        ("satisfaction", "ok", "err.bad_choice"),
        ("title", "bad\x00title", "err.control_chars"),
    ],
)
def test_bad_values_are_rejected_with_a_clear_message(field, value, key):
    with pytest.raises(ValidationError) as info:
        make(**{field: value})
    assert info.value.key == key
    zh, en = info.value.render("zh"), info.value.render("en")
    assert zh and en and zh != en


def test_error_names_the_field_in_the_users_language():
    with pytest.raises(ValidationError) as info:
        make(role="boss")
    assert "办理方式" in info.value.render("zh")
    assert "role" in info.value.render("en")


def test_continuation_needs_its_origin_session():
    with pytest.raises(ValidationError):
        make(continuation=True)
    case = make(continuation=True, origin_session="省十三届人大一次会议")
    assert case.key == ("suggestion", 2020, "0484", "省十三届人大一次会议")
    assert case.main_clock == "followup"


def test_five_fixes():
    case = make()
    assert five_fixes_missing(case) == ["division", "task", "handler", "deadline", "requirements"]
    case.division, case.task, case.handler = "综合处", "研究答复", "张三"
    case.set_deadline("2020-07-10")
    assert five_fixes_missing(case) == ["requirements"]
    case.requirements = "先协商后答复"
    assert five_fixes_missing(case) == []
    ref = make(role="reference", division="综合处", task="参考", handler="张三", requirements="-")
    assert five_fixes_missing(ref) == []
    with pytest.raises(ValidationError):
        ref.set_deadline("2020-07-10")


def test_clocks_and_consultations_validate():
    with pytest.raises(ValidationError):
        Clock(due="2020-13-01")
    with pytest.raises(ValidationError):
        Consultation("email", "2020-05-01", "杨艳芳")
    with pytest.raises(ValidationError):
        Consultation("face", "2020-05-01", "")
    with pytest.raises(ValidationError):
        make(clocks={"someday": {"due": "2020-06-30"}})


def test_round_trip_through_dict():
    case = make(clocks={"reply": {"due": "2020-07-10"}},
                consultations=[{"method": "face", "on": "2020-05-12", "with_whom": "杨艳芳"}],
                extra={"备注": "重点件"})
    again = Case.from_dict(case.to_dict())
    assert again == case
    assert isinstance(again.clocks["reply"], Clock)


def test_diff_names_fields_and_clocks():
    a = make(clocks={"reply": {"due": "2020-07-10"}})
    b = a.copy()
    b.stage = "consulted"
    b.clocks["reply"].due = "2020-07-20"
    b.version = 5
    assert [d[0] for d in diff_cases(a, b)] == ["stage", "clocks.reply"]


def test_person_validation():
    with pytest.raises(ValidationError):
        Person("张三", "handler")  # a handler needs a division
    with pytest.raises(ValidationError):
        Person("张三", "clerk", division="综合处")
    with pytest.raises(ValidationError):
        Person("张三", "handler", division="综合处", telegram="@zhang")
    p = Person("张三", "handler", division="综合处", telegram="10021", username="@zs")
    assert p.telegram == 10021 and p.username == "zs" and p.linked


def test_sample_matches_the_report():
    cases = sample_cases()
    count = collections.Counter((c.kind, c.role) for c in cases if not c.continuation)
    assert count == {("suggestion", "lead"): 1, ("suggestion", "co"): 5,
                     ("suggestion", "reference"): 2, ("proposal", "joint"): 13}
    cont = sorted((c.origin_session, c.number) for c in cases if c.continuation)
    assert cont == [("省十三届人大一次会议", "0153"), ("省十三届人大一次会议", "0197"),
                    ("省十三届人大一次会议", "0399"), ("省十三届人大二次会议", "0193")]
    assert len({c.key for c in cases}) == len(cases)
    assert all(five_fixes_missing(c) == [] for c in cases)
    names = {p.name for p in sample_people()}
    assert {c.handler for c in cases} <= names


def test_sample_as_of_a_day_shows_work_still_open():
    cases = sample_cases(dt.date(2020, 6, 29))
    open_opinions = sorted(c.number for c in cases if lifecycle.is_live(c, "opinion"))
    assert open_opinions == ["0312", "0376", "0405", "0412", "0458"]
    assert all(c.answered for c in sample_cases() if c.role != "reference")


def test_validate_checks_clocks_and_consultations_set_by_hand():
    case = make(clocks={"reply": {"due": "2020-07-10"}},
                consultations=[{"method": "face", "on": "2020-05-12", "with_whom": "杨艳芳"}])
    case.clocks["reply"].due = "6月30日"
    with pytest.raises(ValidationError):
        case.validate()
    case.clocks["reply"].due = "2020-06-30"
    case.consultations[0].method = "email"
    with pytest.raises(ValidationError):
        case.validate()


def test_clock_met_on_an_unknown_day_is_met_without_a_date():
    from bot.domain.model import MET_UNKNOWN
    clock = Clock(due="2020-06-30", met=MET_UNKNOWN)
    assert not clock.open
    assert clock.met_on == ""
    assert Clock(due="2020-06-30", met="2020-06-29").met_on == "2020-06-29"
    with pytest.raises(ValidationError):
        Clock(due="2020-06-30", met="someday")
