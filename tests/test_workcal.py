"""The working-day calendar: official holidays and make-up days, overrides, the estimate flag."""

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.model import ValidationError
from bot.domain.workcal import OFFICIAL_YEARS, WorkCalendar, estimate_notices, make_override

D = dt.date
CAL = WorkCalendar()


def naive_add(cal: WorkCalendar, day: dt.date, n: int) -> dt.date:
    """add_workdays by stepping one day at a time (the reference for the bisection)."""
    if n == 0:
        while not cal.is_workday(day):
            day += dt.timedelta(days=1)
        return day
    step = dt.timedelta(days=1 if n > 0 else -1)
    left = abs(n)
    while left:
        day += step
        left -= cal.is_workday(day)
    return day


def naive_between(cal: WorkCalendar, a: dt.date, b: dt.date) -> int:
    sign = 1
    if b < a:
        a, b, sign = b, a, -1
    return sign * sum(cal.is_workday(a + dt.timedelta(days=i)) for i in range(1, (b - a).days + 1))


# ---------------------------------------------------------------- the 2020 National Day holiday


def test_national_day_2020_holidays_and_makeup_days():
    for day in range(1, 9):
        assert not CAL.is_workday(D(2020, 10, day)), day
    assert CAL.is_workday(D(2020, 9, 27))  # a Sunday, worked
    assert CAL.is_workday(D(2020, 10, 10))  # a Saturday, worked
    assert CAL.is_workday(D(2020, 10, 9))
    assert not CAL.is_workday(D(2020, 10, 11))


def test_add_workdays_across_national_day():
    assert CAL.add_workdays(D(2020, 9, 25), 15) == D(2020, 10, 22)
    assert CAL.add_workdays(D(2020, 9, 25), 1) == D(2020, 9, 27)
    assert CAL.add_workdays(D(2020, 9, 30), 1) == D(2020, 10, 9)
    assert CAL.add_workdays(D(2020, 9, 30), 2) == D(2020, 10, 10)
    assert CAL.add_workdays(D(2020, 10, 9), -1) == D(2020, 9, 30)
    assert CAL.workdays_between(D(2020, 9, 25), D(2020, 10, 22)) == 15


def test_every_day_agrees_with_chinese_calendar():
    for year in (2019, 2020, 2021, 2024, 2026):
        day = D(year, 1, 1)
        while day.year == year:
            assert CAL.is_workday(day) == chinese_calendar.is_workday(day), day
            day += dt.timedelta(days=1)


def test_working_days_in_2020():
    # 262 weekdays - 19 weekday holidays + 6 make-up days
    assert CAL.workdays_in_year(2020) == 249


# ---------------------------------------------------------------- documented edge semantics


def test_add_zero_is_the_day_itself_or_the_next_working_day():
    assert CAL.add_workdays(D(2020, 10, 9), 0) == D(2020, 10, 9)
    assert CAL.add_workdays(D(2020, 10, 1), 0) == D(2020, 10, 9)
    assert CAL.add_workdays(D(2020, 10, 11), 0) == D(2020, 10, 12)


def test_next_and_previous_workday():
    assert CAL.next_workday(D(2020, 10, 3)) == D(2020, 10, 9)
    assert CAL.previous_workday(D(2020, 10, 3)) == D(2020, 9, 30)
    assert CAL.previous_workday(D(2020, 10, 10)) == D(2020, 10, 10)
    assert CAL.next_workday(D(2020, 10, 10)) == D(2020, 10, 10)
    # New Year: Jan 1 2021 is a Friday holiday, the weekend follows
    assert CAL.previous_workday(D(2021, 1, 3)) == D(2020, 12, 31)
    assert CAL.next_workday(D(2020, 12, 31)) == D(2020, 12, 31)


def test_workdays_between_is_half_open_and_antisymmetric():
    a, b = D(2020, 9, 30), D(2020, 10, 9)
    assert CAL.workdays_between(a, a) == 0
    assert CAL.workdays_between(a, b) == 1  # Oct 9 only
    assert CAL.workdays_between(b, a) == -1
    assert CAL.workdays_between(D(2020, 10, 8), D(2020, 10, 9)) == 1
    assert CAL.workdays_between(D(2020, 10, 1), D(2020, 10, 8)) == 0


def test_across_year_ends():
    assert CAL.add_workdays(D(2020, 12, 30), 2) == D(2021, 1, 4)  # Dec 31, (Jan 1-3 off), Jan 4
    assert CAL.add_workdays(D(2021, 1, 4), -2) == D(2020, 12, 30)
    assert CAL.workdays_between(D(2019, 12, 31), D(2021, 1, 1)) == CAL.workdays_in_year(2020)
    assert CAL.workdays_between(D(2020, 1, 1), D(2023, 1, 1)) == naive_between(
        CAL, D(2020, 1, 1), D(2023, 1, 1))


# ---------------------------------------------------------------- estimated years


def test_a_year_without_schedule_is_estimated_as_monday_to_friday():
    assert max(OFFICIAL_YEARS) == 2026
    assert not CAL.is_estimated(D(2026, 12, 31))
    assert CAL.is_estimated(D(2027, 1, 1))
    assert CAL.is_workday(D(2027, 1, 1))  # a Friday: New Year unknown, so a weekday
    assert not CAL.is_workday(D(2027, 1, 2))
    assert CAL.estimated_years(D(2026, 12, 1), D(2028, 2, 1)) == [2027, 2028]
    assert CAL.estimated_years(D(2028, 2, 1), D(2026, 12, 1)) == [2027, 2028]
    assert CAL.estimated_years(D(2020, 1, 1), D(2026, 1, 1)) == []
    # counting into the estimated year works, and its answer can be flagged
    end = CAL.add_workdays(D(2026, 12, 25), 10)
    assert end.year == 2027 and CAL.estimated_years(D(2026, 12, 25), end) == [2027]


def test_estimate_notice_text():
    assert estimate_notices([2027], "zh") == ["2027年节假日安排尚未发布,按周一至周五估算"]
    assert "2027" in estimate_notices([2027], "en")[0]
    assert estimate_notices([2028, 2027, 2027]) == [
        "2027年节假日安排尚未发布,按周一至周五估算", "2028年节假日安排尚未发布,按周一至周五估算"]


# ---------------------------------------------------------------- overrides


def test_overrides_take_precedence_over_the_official_schedule():
    cal = WorkCalendar({"2020-10-10": {"kind": "holiday", "name": "调整"},
                        "2020-10-03": {"kind": "workday", "name": "加班"}})
    assert not cal.is_workday(D(2020, 10, 10))
    assert cal.is_workday(D(2020, 10, 3))
    assert cal.day_name(D(2020, 10, 3)) == "加班"
    assert cal.add_workdays(D(2020, 9, 30), 1) == D(2020, 10, 3)
    assert CAL.is_workday(D(2020, 10, 10))  # the plain calendar is untouched


def test_an_override_year_is_no_longer_estimated():
    cal = WorkCalendar({"2027-01-01": {"kind": "holiday", "name": "元旦"}})
    assert not cal.is_estimated(D(2027, 6, 1))
    assert not cal.is_workday(D(2027, 1, 1))
    assert cal.is_estimated(D(2028, 1, 1))


@pytest.mark.parametrize("overrides", [
    {"2020-13-01": {"kind": "holiday"}},
    {"not a date": {"kind": "holiday"}},
    {"2020-10-10": {"kind": "weekend"}},
    {"2020-10-10": "holiday"},
    {"2020-10-10": {"kind": "holiday", "name": "x" * 61}},
])
def test_bad_overrides_are_refused(overrides):
    with pytest.raises(ValidationError) as err:
        WorkCalendar(overrides)
    assert err.value.render("zh") and err.value.render("en")


def test_make_override_normalises():
    assert make_override(D(2027, 1, 1), "holiday", " 元旦 ") == (
        "2027-01-01", {"kind": "holiday", "name": "元旦"})
    with pytest.raises(ValidationError):
        make_override("2027-02-30", "holiday")


def test_special_days_list_holidays_and_makeup_days():
    days = {d.date: d for d in CAL.special_days(2020)}
    assert days[D(2020, 10, 10)].kind == "workday"
    assert days[D(2020, 10, 10)].name == "国庆节调休上班"
    assert days[D(2020, 10, 1)].kind == "holiday" and days[D(2020, 10, 1)].name == "国庆节"
    assert days[D(2020, 10, 1)].source == "official"
    assert D(2020, 10, 12) not in days
    assert CAL.special_days(2027) == []
    cal = WorkCalendar({"2027-01-01": {"kind": "holiday", "name": "元旦"}})
    assert [(d.date, d.kind, d.source) for d in cal.special_days(2027)] == [
        (D(2027, 1, 1), "holiday", "override")]


def test_year_out_of_range():
    with pytest.raises(ValidationError):
        CAL.is_workday(D(1, 1, 1))


# ---------------------------------------------------------------- properties

dates = st.dates(min_value=D(2004, 1, 1), max_value=D(2029, 12, 31))
overrides = st.dictionaries(
    st.dates(min_value=D(2019, 1, 1), max_value=D(2028, 12, 31)).map(dt.date.isoformat),
    st.sampled_from([{"kind": "workday", "name": ""}, {"kind": "holiday", "name": ""}]),
    max_size=20,
)


@settings(max_examples=300, deadline=None)
@given(day=dates, n=st.integers(min_value=-400, max_value=400))
def test_add_then_between_agree(day, n):
    end = CAL.add_workdays(day, n)
    if n == 0:
        assert end == CAL.next_workday(day)
        return
    assert CAL.is_workday(end)
    assert CAL.workdays_between(day, end) == (n if n > 0 else n + 1 - CAL.is_workday(day))
    if n > 0:
        assert end > day and CAL.workdays_between(day, end - dt.timedelta(days=1)) == n - 1
    else:
        assert end < day


@settings(max_examples=60, deadline=None)
@given(table=overrides, day=st.dates(min_value=D(2019, 6, 1), max_value=D(2028, 6, 1)),
       n=st.integers(min_value=-60, max_value=60))
def test_bisection_matches_stepping_with_any_overrides(table, day, n):
    cal = WorkCalendar(table)
    assert cal.add_workdays(day, n) == naive_add(cal, day, n)
    other = day + dt.timedelta(days=n * 3)
    assert cal.workdays_between(day, other) == naive_between(cal, day, other)
    assert cal.previous_workday(day) <= day <= cal.next_workday(day)
