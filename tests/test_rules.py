"""Deadline rules per year, default deadlines and the clocks they arm (DOMAIN.md, Deadlines)."""

import datetime as dt

import pytest

from bot.domain.model import Case, Clock, ValidationError
from bot.domain.rules import (
    RULE_KEYS,
    Rules,
    arm_clocks,
    check_table,
    default_deadline,
    rules_for,
    set_rule,
)

D = dt.date
TODAY = D(2020, 3, 10)


def case(role="lead", **kw):
    base = dict(kind="suggestion", number="0484", year=2020, title="关于招商引资的建议", role=role)
    base.update(kw)
    return Case(**base)


# ---------------------------------------------------------------- the rules of a year


def test_defaults_match_domain():
    r = Rules()
    assert (r.opinion_due, r.reply_months, r.publish_due, r.followup_due) == (
        "06-30", 3, "07-15", "12-31")
    assert r.reopen_months == 1
    assert r.remind_offsets == (14, 7, 3, 1, 0)
    assert r.remind_time == "09:00"
    assert r.escalation == {1: 1, 2: 3, 3: 5, 4: 10}


def test_round_trip_through_json_ready_dict():
    r = Rules(remind_offsets=(3, 7, 1), escalation={"1": 2, "2": 4, "3": 6, "4": 12})
    d = r.to_dict()
    assert d["remind_offsets"] == [7, 3, 1]
    assert d["escalation"] == {"1": 2, "2": 4, "3": 6, "4": 12}
    assert Rules.from_dict(d) == r
    assert Rules.from_dict(d).escalation == {1: 2, 2: 4, 3: 6, 4: 12}


@pytest.mark.parametrize("key,value", [
    ("opinion_due", "6/30"), ("opinion_due", "02-30"), ("opinion_due", "13-01"),
    ("reply_months", 0), ("reply_months", "three"), ("reply_months", 25),
    ("remind_offsets", "7,7,1"), ("remind_offsets", "-1"), ("remind_offsets", ""),
    ("remind_offsets", "a,b"), ("remind_time", "25:00"), ("remind_time", "9"),
    ("escalation", "1:1,2:3,3:5"), ("escalation", "1:5,2:3,3:5,4:10"),
    ("escalation", "1:1,2:3,3:5,4:10,5:20"), ("escalation", "1:x,2:3,3:5,4:10"),
])
def test_bad_values_are_refused_with_a_hint(key, value):
    with pytest.raises(ValidationError) as err:
        Rules().with_value(key, value)
    assert key in err.value.render("zh") and key in err.value.render("en")
    assert "{" not in err.value.render("zh")


def test_values_as_typed_on_the_command_line():
    r = Rules()
    assert r.with_value("opinion_due", "6-25").opinion_due == "06-25"
    assert r.with_value("remind_offsets", "7, 3,1").remind_offsets == (7, 3, 1)
    assert r.with_value("escalation", "1:2,2:4,3:6,4:8").escalation == {1: 2, 2: 4, 3: 6, 4: 8}
    assert r.with_value("escalation", '{"1": 0, "2": 0, "3": 0, "4": 0}').escalation[4] == 0
    assert r.with_value("remind_time", "8:30").remind_time == "08:30"
    assert r.with_value("reply_months", "2").reply_months == 2
    for key in RULE_KEYS:  # display() gives back what with_value reads
        assert r.with_value(key, r.display(key)) == r


def test_unknown_rule():
    with pytest.raises(ValidationError) as err:
        Rules().with_value("deadline", "1")
    assert "opinion_due" in err.value.render("en")
    with pytest.raises(ValidationError):
        Rules.from_dict({"bogus": 1})


def test_rules_for_merges_default_then_year():
    table = {"default": {"reply_months": 2, "opinion_due": "06-20"},
             "2020": {"opinion_due": "06-25"}}
    assert rules_for(2020, table).opinion_due == "06-25"
    assert rules_for(2020, table).reply_months == 2
    assert rules_for(2021, table).opinion_due == "06-20"
    assert rules_for(2021, {}) == Rules()
    assert rules_for(2021, None) == Rules()


def test_set_rule_builds_a_new_table():
    table = set_rule({}, 2020, "opinion_due", "06-25")
    assert table == {"2020": {"opinion_due": "06-25"}}
    table2 = set_rule(table, None, "remind_offsets", "7,1")
    assert table2 == {"2020": {"opinion_due": "06-25"}, "default": {"remind_offsets": [7, 1]}}
    assert table == {"2020": {"opinion_due": "06-25"}}  # the old one untouched
    with pytest.raises(ValidationError):
        set_rule(table, 2020, "opinion_due", "06-31")
    with pytest.raises(ValidationError):
        check_table({"twenty": {}})


def test_feb_29_rule_in_a_common_year():
    r = Rules(opinion_due="02-29")
    assert r.opinion_date(2020) == D(2020, 2, 29)
    assert r.opinion_date(2021) == D(2021, 2, 28)


# ---------------------------------------------------------------- default deadlines


def test_co_and_joint_opinion_june_30_of_the_case_year():
    assert default_deadline(case("co"), Rules()) == D(2020, 6, 30)
    assert default_deadline(case("joint", kind="proposal", year=2021), Rules()) == D(2021, 6, 30)
    assert default_deadline(case("co"), rules_for(2020, {"2020": {"opinion_due": "06-25"}})) == D(
        2020, 6, 25)


@pytest.mark.parametrize("assigned,due", [
    ("2020-03-10", D(2020, 6, 10)),
    ("2020-11-30", D(2021, 2, 28)),
    ("2019-11-30", D(2020, 2, 29)),  # leap year
    ("2020-10-31", D(2021, 1, 31)),
    ("2020-12-31", D(2021, 3, 31)),
])
def test_reply_three_months_after_assignment_clamped(assigned, due):
    for role in ("lead", "sole", "split"):
        assert default_deadline(case(role, assigned_on=assigned), Rules()) == due


def test_reply_from_today_while_not_assigned():
    assert default_deadline(case("lead"), Rules(), TODAY) == D(2020, 6, 10)


def test_reference_has_no_deadline_and_continuation_follows_up_dec_31():
    assert default_deadline(case("reference"), Rules(), TODAY) is None
    cont = case("lead", continuation=True, origin_session="省十三届人大一次会议", year=2020)
    assert default_deadline(cont, Rules(), TODAY) == D(2020, 12, 31)


# ---------------------------------------------------------------- arming clocks


def test_arm_lead_case():
    c = case("lead", assigned_on="2020-03-10")
    arm_clocks(c, Rules(), TODAY)
    assert c.clocks["reply"] == Clock(due="2020-06-10", source="default")
    assert c.clocks["publish"] == Clock(due="2020-07-15", source="default")
    assert "opinion" not in c.clocks and "followup" not in c.clocks
    assert c.deadline == "2020-06-10"


def test_arm_co_split_reference():
    co = case("co")
    arm_clocks(co, Rules(), TODAY)
    assert set(co.clocks) == {"opinion"} and co.deadline == "2020-06-30"
    split = case("split", assigned_on="2020-03-10")
    arm_clocks(split, Rules(), TODAY)
    assert set(split.clocks) == {"reply"}
    ref = case("reference")
    arm_clocks(ref, Rules(), TODAY)
    assert ref.clocks == {}


def test_arm_continuation_and_b_class():
    cont = case("sole", continuation=True, origin_session="省十二届政协一次会议")
    arm_clocks(cont, Rules(), TODAY)
    assert set(cont.clocks) == {"followup"}  # a continuation is chased on its follow-up
    assert cont.clocks["followup"].due == "2020-12-31" and cont.deadline == "2020-12-31"
    b = case("lead", assigned_on="2020-03-10", reply_class="B")
    arm_clocks(b, Rules(), TODAY)
    assert b.clocks["followup"].due == "2020-12-31"


def test_arm_never_overwrites_a_set_or_extended_clock():
    c = case("lead", assigned_on="2020-03-10",
             clocks={"reply": Clock(due="2020-05-01", source="set"),
                     "publish": Clock(due="2020-08-01", source="extension")})
    arm_clocks(c, Rules(), TODAY)
    assert c.clocks["reply"] == Clock(due="2020-05-01", source="set")
    assert c.clocks["publish"] == Clock(due="2020-08-01", source="extension")


def test_arm_keeps_existing_default_clocks_and_met_dates():
    c = case("co", clocks={"opinion": Clock(due="2020-06-20", met="2020-06-18")})
    arm_clocks(c, rules_for(2020, {"2020": {"opinion_due": "06-25"}}), TODAY)
    assert c.clocks["opinion"] == Clock(due="2020-06-20", met="2020-06-18", source="default")


def test_arm_is_idempotent():
    c = case("lead", assigned_on="2020-03-10")
    arm_clocks(c, Rules(), TODAY)
    before = c.copy()
    arm_clocks(c, Rules(), D(2020, 9, 1))
    assert c == before


def test_publish_workdays_is_a_whole_number_of_working_days():
    assert Rules().publish_workdays == 15
    assert Rules().with_value("publish_workdays", "20").publish_workdays == 20
    for bad in ("0", "61", "1.5", "十五"):
        with pytest.raises(ValidationError):
            Rules().with_value("publish_workdays", bad)
