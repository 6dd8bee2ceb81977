"""Clock status: days left, working days overdue on the official calendar, escalation level."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.model import Case, Clock
from bot.domain.rules import Rules, rules_for
from bot.domain.status import (
    DEFAULT_ESCALATION,
    StatusReader,
    clock_statuses,
    escalation_level,
    next_deadline,
)
from bot.domain.workcal import WorkCalendar

CAL = WorkCalendar()
D = dt.date


def case(clocks, *, role="lead", stage="in_progress", year=2020, case_id=7, **kw) -> Case:
    c = Case(kind="suggestion", number="0484", year=year, title="关于招商引资工作的建议",
             role=role, stage=stage, clocks={k: Clock(**v) for k, v in clocks.items()}, **kw)
    c.id = case_id
    return c


def one(c, today, rules=None):
    statuses = clock_statuses(c, today, CAL, rules)
    assert len(statuses) == 1
    return statuses[0]


def test_national_day_2020_working_days_and_levels():
    # due Wednesday Sep 30; Oct 1-8 are holidays, Saturday Oct 10 is a make-up working day
    c = case({"reply": {"due": "2020-09-30"}})
    expect = {
        D(2020, 9, 30): (0, 0, 0),
        D(2020, 10, 1): (-1, 0, 0),    # a holiday: overdue by the calendar, no working day yet
        D(2020, 10, 8): (-8, 0, 0),
        D(2020, 10, 9): (-9, 1, 1),    # first working day after the due date
        D(2020, 10, 10): (-10, 2, 1),  # Saturday, but worked (调休)
        D(2020, 10, 11): (-11, 2, 1),  # Sunday
        D(2020, 10, 12): (-12, 3, 2),
        D(2020, 10, 14): (-14, 5, 3),
        D(2020, 10, 20): (-20, 9, 3),
        D(2020, 10, 21): (-21, 10, 4),
        D(2020, 11, 30): (-61, 38, 4),
    }
    for today, (days_left, workdays, level) in expect.items():
        s = one(c, today)
        assert (s.days_left, s.overdue_workdays, s.level) == (days_left, workdays, level), today
        assert s.overdue == (days_left < 0)
        assert s.overdue_days == max(0, -days_left)
        assert s.case_id == 7 and s.clock == "reply" and s.due == D(2020, 9, 30)
        assert not s.estimated


def test_before_the_due_date():
    s = one(case({"opinion": {"due": "2020-06-30"}}, role="co"), D(2020, 6, 16))
    assert (s.days_left, s.overdue_workdays, s.level, s.overdue) == (14, 0, 0, False)


def test_thresholds_come_from_the_years_rules():
    c = case({"reply": {"due": "2020-09-30"}})  # Oct 13: 4 working days overdue
    table = {"2020": {"escalation": {"1": 1, "2": 2, "3": 3, "4": 4}},
             "default": {"escalation": {"1": 2, "2": 20, "3": 30, "4": 40}}}
    asked = []

    def rules_for_year(year):
        asked.append(year)
        return rules_for(year, table)

    reader = StatusReader(D(2020, 10, 13), CAL, rules_for_year)
    assert reader.statuses(c)[0].level == 4
    c2021 = case({"reply": {"due": "2020-09-30"}}, year=2021)  # a case of another year
    assert reader.statuses(c2021)[0].level == 1
    assert reader.statuses(c)[0].level == 4
    assert asked == [2020, 2021]                                 # each year's rules once
    assert one(c, D(2020, 10, 13), rules_for(2020, table)).level == 4  # a Rules object
    assert one(c, D(2020, 10, 13), {"1": 2, "2": 20}).level == 1       # a bare mapping
    assert one(c, D(2020, 10, 13), rules_for(2020)).level == 2         # the defaults
    assert one(c, D(2020, 10, 13)).level == 2
    assert Rules().escalation == DEFAULT_ESCALATION


def test_escalation_level_edges():
    assert [escalation_level(n) for n in range(0, 12)] == [0, 1, 1, 2, 2, 3, 3, 3, 3, 3, 4, 4]
    assert escalation_level(5, {3: 5}) == 3        # a level may be skipped
    assert escalation_level(100, {1: 1, 9: 2}) == 1  # levels above 4 are ignored


def test_only_live_clocks_earliest_first():
    # answered B: the reply is done, publishing and the follow-up are chased
    c = case({"publish": {"due": "2020-07-15"},
              "reply": {"due": "2020-07-10", "met": "2020-06-28"},
              "followup": {"due": "2020-07-15"}}, stage="answered", reply_class="B")
    statuses = clock_statuses(c, D(2020, 7, 1), CAL)
    assert [s.clock for s in statuses] == ["publish", "followup"]  # same day: CLOCKS order
    c.reply_class = "A"  # a later A closes the follow-up
    assert [s.clock for s in clock_statuses(c, D(2020, 7, 1), CAL)] == ["publish"]
    c.stage = "published"  # the stage meets the publishing clock, with or without its date
    assert clock_statuses(c, D(2020, 7, 1), CAL) == []
    c.stage, c.reply_class = "answered", "B"
    c.stage = "archived"
    assert clock_statuses(c, D(2020, 7, 1), CAL) == []
    assert next_deadline(c, D(2020, 7, 1), CAL) is None


def test_next_deadline_is_the_soonest_not_yet_passed():
    c = case({"reply": {"due": "2020-07-10"}, "followup": {"due": "2020-07-15"},
              "publish": {"due": "2020-07-20"}})
    # before the answer only the reply is chased: nothing to publish, no follow-up yet
    assert next_deadline(c, D(2020, 7, 1), CAL).clock == "reply"
    assert next_deadline(c, D(2020, 7, 10), CAL).days_left == 0
    assert next_deadline(c, D(2020, 7, 11), CAL) is None
    assert StatusReader(D(2020, 7, 11), CAL).most_urgent(c).clock == "reply"
    c.stage, c.reply_class = "answered", "B"
    c.clocks["reply"].met = "2020-07-08"
    s = next_deadline(c, D(2020, 7, 11), CAL)
    assert (s.clock, s.days_left) == ("followup", 4)
    assert next_deadline(c, D(2020, 7, 16), CAL).clock == "publish"
    assert next_deadline(c, D(2020, 7, 21), CAL) is None
    # the most urgent clock is the overdue one
    assert StatusReader(D(2020, 7, 16), CAL).most_urgent(c).clock == "followup"


def test_an_estimated_year_is_flagged():
    year = 2090  # beyond the official schedule
    c = case({"reply": {"due": f"{year}-03-02"}}, year=year)
    s = one(c, D(year, 3, 9))
    assert s.estimated
    assert s.overdue_workdays == 5 and s.level == 3  # Mon-Fri guessed
    # an official year is not flagged, even when the case is from another year
    assert not one(case({"reply": {"due": "2021-01-04"}}), D(2021, 1, 5)).estimated


@settings(max_examples=150, deadline=None)
@given(due=st.dates(D(2019, 6, 1), D(2021, 6, 1)), today=st.dates(D(2019, 6, 1), D(2021, 6, 1)))
def test_status_invariants(due, today):
    s = one(case({"reply": {"due": due.isoformat()}}), today)
    assert s.days_left == (due - today).days
    if today <= due:
        assert s.overdue_workdays == 0 and s.level == 0
    else:
        assert s.overdue_workdays == CAL.workdays_between(due, today) >= 0
        assert s.level == escalation_level(s.overdue_workdays)
    assert 0 <= s.level <= 4
