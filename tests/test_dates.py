"""Date phrases as Chinese officials write them: a table of phrases, sentences, periods,
refusals, and properties over every supported format."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.dates import DateError, add_months, find_date, parse_date, parse_period, read_date
from bot.domain.workcal import WorkCalendar

D = dt.date
WED = D(2020, 5, 20)  # a Wednesday; its week runs Mon May 18 .. Sun May 24
YEAR_END = D(2020, 12, 28)  # a Monday; its week runs to Sun Jan 3 2021
LEAP = D(2020, 2, 27)  # Thursday, two days before Feb 29
COMMON = D(2021, 2, 27)  # Saturday, in a year without Feb 29
NATIONAL_DAY = D(2020, 9, 25)  # Friday before the 2020 National Day holiday (Oct 1-8)

TABLE = [
    # ---- full and partial dates
    ("2020年6月30日", WED, D(2020, 6, 30)),
    ("2020-06-30", WED, D(2020, 6, 30)),
    ("2020/6/30", WED, D(2020, 6, 30)),
    ("2020.6.30", WED, D(2020, 6, 30)),
    ("20200630", WED, D(2020, 6, 30)),
    ("二〇二〇年六月三十日", WED, D(2020, 6, 30)),
    ("２０２０－０６－３０", WED, D(2020, 6, 30)),
    ("2020 年 6 月 30 日", WED, D(2020, 6, 30)),
    ("6月30日", WED, D(2020, 6, 30)),
    ("6月30号", WED, D(2020, 6, 30)),
    ("６月３０日", WED, D(2020, 6, 30)),
    ("6/30", WED, D(2020, 6, 30)),
    ("6.30", WED, D(2020, 6, 30)),
    ("6-30", WED, D(2020, 6, 30)),
    ("九月十一日", WED, D(2020, 9, 11)),
    ("十二月三十一日", WED, D(2020, 12, 31)),
    ("十一月二十日", WED, D(2020, 11, 20)),
    ("5月20日", WED, D(2020, 5, 20)),  # today itself
    ("5月19日", WED, D(2021, 5, 19)),  # passed: next year's
    ("1月5日", YEAR_END, D(2021, 1, 5)),
    ("12月31日", YEAR_END, D(2020, 12, 31)),
    ("12月27日", YEAR_END, D(2021, 12, 27)),
    ("明年6月30日", WED, D(2021, 6, 30)),
    ("今年12月31日", WED, D(2020, 12, 31)),
    ("30号", WED, D(2020, 5, 30)),
    ("15号", WED, D(2020, 6, 15)),
    ("1号", YEAR_END, D(2021, 1, 1)),
    ("下个月5号", WED, D(2020, 6, 5)),
    ("本月25日", WED, D(2020, 5, 25)),
    ("下月15日", WED, D(2020, 6, 15)),
    # ---- deadline words: 前 is "by"
    ("6月30日前", WED, D(2020, 6, 30)),
    ("6月30日之前", WED, D(2020, 6, 30)),
    ("6月30日以前", WED, D(2020, 6, 30)),
    ("截至6月30日", WED, D(2020, 6, 30)),
    ("于6月30日前", WED, D(2020, 6, 30)),
    ("不晚于6月30日", WED, D(2020, 6, 30)),
    ("截止到6月30日", WED, D(2020, 6, 30)),
    ("最迟6月30日", WED, D(2020, 6, 30)),
    ("请于6月30日前", WED, D(2020, 6, 30)),
    ("截至6月30日止", WED, D(2020, 6, 30)),
    ("6月30日为止", WED, D(2020, 6, 30)),
    ("30日前", WED, D(2020, 5, 30)),
    ("6月30日下班前", WED, D(2020, 6, 30)),
    ("6月30日17:00前", WED, D(2020, 6, 30)),
    ("下周五下午", WED, D(2020, 5, 29)),
    ("2020年6月30日。", WED, D(2020, 6, 30)),
    # ---- relative days
    ("今天", WED, D(2020, 5, 20)),
    ("明天", WED, D(2020, 5, 21)),
    ("后天", WED, D(2020, 5, 22)),
    ("大后天", WED, D(2020, 5, 23)),
    ("昨天", WED, D(2020, 5, 19)),
    ("明天前", WED, D(2020, 5, 21)),
    ("3天后", WED, D(2020, 5, 23)),
    ("三天后", WED, D(2020, 5, 23)),
    ("3天内", WED, D(2020, 5, 23)),
    ("十天后", WED, D(2020, 5, 30)),
    ("两周后", WED, D(2020, 6, 3)),
    ("2周内", WED, D(2020, 6, 3)),
    ("两个星期后", WED, D(2020, 6, 3)),
    ("1个月后", WED, D(2020, 6, 20)),
    ("一个月内", WED, D(2020, 6, 20)),
    ("半个月后", WED, D(2020, 6, 4)),
    ("3个月后", WED, D(2020, 8, 20)),
    ("半年后", WED, D(2020, 11, 20)),
    ("一年后", WED, D(2021, 5, 20)),
    ("明天", YEAR_END, D(2020, 12, 29)),
    ("5天后", YEAR_END, D(2021, 1, 2)),
    ("1个月后", YEAR_END, D(2021, 1, 28)),
    ("3个月后", D(2020, 11, 30), D(2021, 2, 28)),
    ("3个月后", D(2019, 11, 30), D(2020, 2, 29)),
    ("1个月后", D(2020, 1, 31), D(2020, 2, 29)),
    ("1个月后", D(2021, 1, 31), D(2021, 2, 28)),
    ("3天后", LEAP, D(2020, 3, 1)),
    ("2天后", LEAP, D(2020, 2, 29)),
    ("1个月后", LEAP, D(2020, 3, 27)),
    ("明天", COMMON, D(2021, 2, 28)),
    ("2天后", COMMON, D(2021, 3, 1)),
    # ---- weeks (Monday to Sunday)
    ("本周五", WED, D(2020, 5, 22)),
    ("这周五", WED, D(2020, 5, 22)),
    ("本周一", WED, D(2020, 5, 18)),
    ("下周一", WED, D(2020, 5, 25)),
    ("下周五", WED, D(2020, 5, 29)),
    ("下下周三", WED, D(2020, 6, 3)),
    ("上周五", WED, D(2020, 5, 15)),
    ("下个星期三", WED, D(2020, 5, 27)),
    ("这个礼拜天", WED, D(2020, 5, 24)),
    ("周五", WED, D(2020, 5, 22)),
    ("星期五", WED, D(2020, 5, 22)),
    ("礼拜五", WED, D(2020, 5, 22)),
    ("周三", WED, D(2020, 5, 20)),  # today is Wednesday: the next one on or after today
    ("周二", WED, D(2020, 5, 26)),
    ("星期日", WED, D(2020, 5, 24)),
    ("周天", WED, D(2020, 5, 24)),
    ("下周五前", WED, D(2020, 5, 29)),
    ("下周五之前", WED, D(2020, 5, 29)),
    ("下周一", YEAR_END, D(2021, 1, 4)),
    ("周五", YEAR_END, D(2021, 1, 1)),
    ("本周日", YEAR_END, D(2021, 1, 3)),
    ("下周一", COMMON, D(2021, 3, 1)),
    ("本周六", COMMON, D(2021, 2, 27)),
    ("周一", COMMON, D(2021, 3, 1)),
    ("下周五", NATIONAL_DAY, D(2020, 10, 2)),
    # ---- parts of a month and of a year
    ("月底", WED, D(2020, 5, 31)),
    ("月末", WED, D(2020, 5, 31)),
    ("本月底", WED, D(2020, 5, 31)),
    ("月底前", WED, D(2020, 5, 31)),
    ("下月初", WED, D(2020, 6, 10)),
    ("下月底", WED, D(2020, 6, 30)),
    ("下个月中旬", WED, D(2020, 6, 20)),
    ("本月中旬", WED, D(2020, 5, 20)),
    ("7月上旬", WED, D(2020, 7, 10)),
    ("7月中旬", WED, D(2020, 7, 20)),
    ("7月下旬", WED, D(2020, 7, 31)),
    ("七月中旬前", WED, D(2020, 7, 20)),
    ("5月上旬", WED, D(2021, 5, 10)),  # already over: next year's
    ("6月底", WED, D(2020, 6, 30)),
    ("12月底", WED, D(2020, 12, 31)),
    ("2021年3月底", WED, D(2021, 3, 31)),
    ("年底", WED, D(2020, 12, 31)),
    ("年底前", WED, D(2020, 12, 31)),
    ("今年底", WED, D(2020, 12, 31)),
    ("明年年底", WED, D(2021, 12, 31)),
    ("去年底", WED, D(2019, 12, 31)),
    ("本月内", WED, D(2020, 5, 31)),
    ("年内", WED, D(2020, 12, 31)),
    ("二季度末", WED, D(2020, 6, 30)),
    ("一季度末", WED, D(2021, 3, 31)),
    ("2020年三季度末", WED, D(2020, 9, 30)),
    ("本季度末", WED, D(2020, 6, 30)),
    ("上半年末", WED, D(2020, 6, 30)),
    ("月底", YEAR_END, D(2020, 12, 31)),
    ("下月初", YEAR_END, D(2021, 1, 10)),
    ("下月底", YEAR_END, D(2021, 1, 31)),
    ("年底", YEAR_END, D(2020, 12, 31)),
    ("明年底", YEAR_END, D(2021, 12, 31)),
    ("1月中旬", YEAR_END, D(2021, 1, 20)),
    ("12月上旬", YEAR_END, D(2021, 12, 10)),
    ("月底", LEAP, D(2020, 2, 29)),
    ("2月下旬", LEAP, D(2020, 2, 29)),
    ("2月中旬", LEAP, D(2021, 2, 20)),
    ("下月底", LEAP, D(2020, 3, 31)),
    ("月底", COMMON, D(2021, 2, 28)),
    ("本月底", COMMON, D(2021, 2, 28)),
    # ---- leap days
    ("2月29日", LEAP, D(2020, 2, 29)),
    ("2月28日", LEAP, D(2020, 2, 28)),
    ("2020年2月29日", WED, D(2020, 2, 29)),
    ("2月29日", COMMON, D(2024, 2, 29)),
    ("29号", LEAP, D(2020, 2, 29)),
    ("30号", LEAP, D(2020, 3, 30)),
    ("29号", COMMON, D(2021, 3, 29)),
    ("31号", D(2020, 4, 5), D(2020, 5, 31)),
    # ---- working days (the official calendar)
    ("3个工作日内", WED, D(2020, 5, 25)),
    ("十五个工作日后", WED, D(2020, 6, 10)),
    ("15个工作日后", NATIONAL_DAY, D(2020, 10, 22)),
    ("十五个工作日内", NATIONAL_DAY, D(2020, 10, 22)),
    ("1个工作日后", NATIONAL_DAY, D(2020, 9, 27)),  # Sunday, a make-up working day
    ("2个工作日内", NATIONAL_DAY, D(2020, 9, 28)),
    ("5个工作日内", NATIONAL_DAY, D(2020, 10, 9)),
    ("6个工作日后", NATIONAL_DAY, D(2020, 10, 10)),  # Saturday, a make-up working day
    ("3个工作日内", YEAR_END, D(2020, 12, 31)),
    ("5个工作日后", YEAR_END, D(2021, 1, 5)),  # Jan 1 is a holiday, Jan 2-3 the weekend
    ("10个工作日后", D(2026, 12, 25), D(2027, 1, 8)),  # 2027 estimated: Mon-Fri
    # ---- English, the fallback
    ("tomorrow", WED, D(2020, 5, 21)),
    ("next friday", WED, D(2020, 5, 22)),
    ("friday", WED, D(2020, 5, 22)),
    ("in 3 days", WED, D(2020, 5, 23)),
    ("in 2 weeks", WED, D(2020, 6, 3)),
    ("within 7 days", WED, D(2020, 5, 27)),
    ("June 30", WED, D(2020, 6, 30)),
    ("by June 30", WED, D(2020, 6, 30)),
    ("30 June 2021", WED, D(2021, 6, 30)),
    ("Jun 30, 2020", WED, D(2020, 6, 30)),
    ("May 20", WED, D(2020, 5, 20)),
    ("may 19", WED, D(2021, 5, 19)),
    ("end of month", WED, D(2020, 5, 31)),
    ("3 working days", WED, D(2020, 5, 25)),
    ("3 working days", NATIONAL_DAY, D(2020, 9, 29)),
    ("jan 5", YEAR_END, D(2021, 1, 5)),
    ("in 5 days", YEAR_END, D(2021, 1, 2)),
]


def test_the_table_is_big_enough():
    assert len(TABLE) >= 150


@pytest.mark.parametrize("phrase,today,expected", TABLE, ids=[f"{p}@{t}" for p, t, _ in TABLE])
def test_phrase(phrase, today, expected):
    assert parse_date(phrase, today) == expected


# ---------------------------------------------------------------- refusals, never guesses

REFUSED = [
    ("", "date.empty"), ("   ", "date.empty"),
    ("blah", "date.not_understood"), ("3", "date.not_understood"),
    ("2020", "date.not_understood"), ("asap", "date.not_understood"),
    ("hello world", "date.not_understood"), ("06/07/2020", "date.not_understood"),
    ("半天后", "date.not_understood"), ("3月后", "date.not_understood"),
    ("下周八", "date.not_understood"), ("前", "date.not_understood"),
    ("3天前", "date.ago"), ("三天以前", "date.ago"), ("2个月前", "date.ago"),
    ("2月30日", "date.no_such_day"), ("13月1日", "date.no_such_day"),
    ("6月31日", "date.no_such_day"), ("2021年2月29日", "date.no_such_day"),
    ("30/6", "date.no_such_day"), ("32号", "date.no_such_day"),
    ("6月", "date.is_period"), ("本周", "date.is_period"), ("下周", "date.is_period"),
    ("今年", "date.is_period"), ("下月", "date.is_period"), ("上半年", "date.is_period"),
    ("x" * 200, "date.too_long"),
]


@pytest.mark.parametrize("phrase,key", REFUSED)
def test_refused_with_a_clear_message(phrase, key):
    with pytest.raises(DateError) as err:
        parse_date(phrase, WED)
    assert err.value.key == key
    for lang in ("zh", "en"):
        text = err.value.render(lang)
        assert text and "{" not in text
    if key == "date.not_understood":
        assert phrase.strip() in err.value.render("zh")
        assert "6月30日前" in err.value.render("zh") and "下周五" in err.value.render("zh")
        assert "2020-06-30" in err.value.render("en")


def test_dateparser_alone_gets_these_wrong_and_we_do_not():
    # the measurements: dateparser reads 前 as "ago" and knows no 下周五 / 7月中旬
    assert parse_date("6月30日前", WED) == D(2020, 6, 30)
    assert parse_date("下周五", WED) == D(2020, 5, 29)
    assert parse_date("7月中旬", WED) == D(2020, 7, 20)


# ---------------------------------------------------------------- the estimate flag


def test_workday_phrase_in_an_unpublished_year_is_flagged():
    answer = read_date("10个工作日后", D(2026, 12, 25))
    assert answer.date == D(2027, 1, 8)
    assert answer.estimated_years == (2027,)
    assert answer.notices("zh") == ["2027年节假日安排尚未发布,按周一至周五估算"]
    assert read_date("3个工作日内", WED).estimated_years == ()
    assert read_date("2027年6月30日", WED).estimated_years == ()  # no working days counted


def test_overrides_reach_workday_phrases():
    cal = WorkCalendar({"2020-05-21": {"kind": "holiday", "name": "调整"}})
    assert parse_date("1个工作日后", WED, cal) == D(2020, 5, 22)
    assert parse_date("1个工作日后", WED) == D(2020, 5, 21)


# ---------------------------------------------------------------- dates inside sentences

SENTENCES = [
    ("请于6月30日前提交会办意见", WED, D(2020, 6, 30)),
    ("本件于2020年5月5日交办,请于6月30日前提交", WED, D(2020, 6, 30)),
    ("每周一例会,请于下周五前提交", WED, D(2020, 5, 29)),
    ("请在3个工作日内回复", WED, D(2020, 5, 25)),
    ("6月30日17时前报送", WED, D(2020, 6, 30)),
    ("截至2020年9月30日,已办结3件", WED, D(2020, 9, 30)),
    ("请于30日前报送", WED, D(2020, 5, 30)),
    ("一周一次,请于7月中旬前完成", WED, D(2020, 7, 20)),
    ("会议定于下周三召开", WED, D(2020, 5, 27)),
    ("Please reply by June 30, thanks.", WED, D(2020, 6, 30)),
    ("请于十五个工作日内答复", NATIONAL_DAY, D(2020, 10, 22)),
]


@pytest.mark.parametrize("sentence,today,expected", SENTENCES)
def test_find_date(sentence, today, expected):
    assert find_date(sentence, today) == expected


@pytest.mark.parametrize("sentence", ["今年中央要求", "统一办理", "第一号文件", "一周一次",
                                      "no deadline here", "   "])
def test_find_date_refuses_when_there_is_none(sentence):
    with pytest.raises(DateError):
        find_date(sentence, WED)


# ---------------------------------------------------------------- periods for status queries

PERIODS = [
    ("本周", WED, (D(2020, 5, 18), D(2020, 5, 24))),
    ("这周", WED, (D(2020, 5, 18), D(2020, 5, 24))),
    ("下周", WED, (D(2020, 5, 25), D(2020, 5, 31))),
    ("本月", WED, (D(2020, 5, 1), D(2020, 5, 31))),
    ("下月", WED, (D(2020, 6, 1), D(2020, 6, 30))),
    ("月底前", WED, (WED, D(2020, 5, 31))),
    ("6月30日前", WED, (WED, D(2020, 6, 30))),
    ("7天内", WED, (WED, D(2020, 5, 27))),
    ("3个工作日内", WED, (WED, D(2020, 5, 25))),
    ("今天", WED, (WED, WED)),
    ("明天", WED, (D(2020, 5, 21), D(2020, 5, 21))),
    ("本年", WED, (D(2020, 1, 1), D(2020, 12, 31))),
    ("今年", WED, (D(2020, 1, 1), D(2020, 12, 31))),
    ("7月上旬", WED, (D(2020, 7, 1), D(2020, 7, 10))),
    ("6月1日至6月30日", WED, (D(2020, 6, 1), D(2020, 6, 30))),
    ("2020-06-01到2020-06-30", D(2020, 8, 1), (D(2020, 6, 1), D(2020, 6, 30))),
    ("12月1日至1月31日", YEAR_END, (D(2020, 12, 1), D(2021, 1, 31))),
    ("下周", YEAR_END, (D(2021, 1, 4), D(2021, 1, 10))),
    ("本月", LEAP, (D(2020, 2, 1), D(2020, 2, 29))),
    ("this week", WED, (D(2020, 5, 18), D(2020, 5, 24))),
    ("next week", WED, (D(2020, 5, 25), D(2020, 5, 31))),
    ("this month", WED, (D(2020, 5, 1), D(2020, 5, 31))),
    ("within 7 days", WED, (WED, D(2020, 5, 27))),
    ("from June 1 to June 30", WED, (D(2020, 6, 1), D(2020, 6, 30))),
]


@pytest.mark.parametrize("phrase,today,expected", PERIODS)
def test_parse_period(phrase, today, expected):
    assert parse_period(phrase, today) == expected


@pytest.mark.parametrize("phrase,key", [
    ("blah", "period.not_understood"),
    ("2020年6月30日前", "period.past"),
    ("下周五至本周一", "period.reversed"),
])
def test_parse_period_refusals(phrase, key):
    with pytest.raises(DateError) as err:
        parse_period(phrase, D(2020, 7, 5))
    assert err.value.key == key
    assert "{" not in err.value.render("zh") and "{" not in err.value.render("en")


# ---------------------------------------------------------------- properties

ANY_DAY = st.dates(min_value=D(2001, 1, 1), max_value=D(2098, 12, 31))
_CN = "零一二三四五六七八九"


def _cn_small(n: int) -> str:
    """1..31 in Chinese numerals, as written in dates: 十一, 二十, 三十一."""
    tens, units = divmod(n, 10)
    return ((_CN[tens] if tens > 1 else "") + "十" if tens else "") + (_CN[units] if units else "")


FULL_FORMATS = [
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}{d.month:02d}{d.day:02d}",
    lambda d: ("".join(_CN[int(c)] for c in str(d.year))
               + f"年{_cn_small(d.month)}月{_cn_small(d.day)}日"),
    lambda d: f"{d.year}年{d.month}月{d.day}日前",
    lambda d: f"截至{d.year}年{d.month}月{d.day}日",
    lambda d: d.strftime("%B %d, %Y"),
]
PARTIAL_FORMATS = [
    lambda d: f"{d.month}月{d.day}日",
    lambda d: f"{d.month}月{d.day}号",
    lambda d: f"{d.month}/{d.day}",
    lambda d: f"{_cn_small(d.month)}月{_cn_small(d.day)}日",
    lambda d: f"{d.month}月{d.day}日之前",
    lambda d: d.strftime("%B %d"),
]


@settings(max_examples=200, deadline=None)
@given(day=ANY_DAY, today=ANY_DAY, fmt=st.sampled_from(FULL_FORMATS))
def test_full_dates_round_trip(day, today, fmt):
    assert parse_date(fmt(day), today) == day


@settings(max_examples=200, deadline=None)
@given(day=ANY_DAY, today=ANY_DAY, fmt=st.sampled_from(PARTIAL_FORMATS))
def test_partial_date_is_the_next_one_never_before_today(day, today, fmt):
    found = parse_date(fmt(day), today)
    assert (found.month, found.day) == (day.month, day.day)
    assert found >= today
    if (day.month, day.day) != (2, 29):
        assert found < add_months(today, 12) or found == today.replace(year=today.year + 1)
    else:
        assert (found - today).days <= 366 * 8


@settings(max_examples=100, deadline=None)
@given(today=ANY_DAY, month=st.integers(1, 12),
       part=st.sampled_from(["上旬", "中旬", "下旬", "初", "底"]))
def test_parts_of_a_named_month_are_never_before_today(today, month, part):
    found = parse_date(f"{month}月{part}", today)
    assert found >= today and found.month == month
    last_day = add_months(found.replace(day=1), 1) - dt.timedelta(days=1)
    assert found.day in (10, 20) or found == last_day


@settings(max_examples=100, deadline=None)
@given(today=st.dates(min_value=D(2005, 1, 1), max_value=D(2026, 6, 30)), n=st.integers(1, 60))
def test_workday_phrases_agree_with_the_calendar(today, n):
    cal = WorkCalendar()
    found = parse_date(f"{n}个工作日后", today)
    assert cal.is_workday(found)
    assert cal.workdays_between(today, found) == n
    assert parse_date(f"{n}个工作日内", today) == found


@settings(max_examples=100, deadline=None)
@given(today=ANY_DAY, n=st.integers(0, 400))
def test_day_offsets(today, n):
    assert parse_date(f"{n}天后", today) == today + dt.timedelta(days=n)
    assert parse_date(f"{n}天内", today) == today + dt.timedelta(days=n)
    if 1 <= n <= 31:
        assert parse_date(f"{_cn_small(n)}天后", today) == today + dt.timedelta(days=n)


@settings(max_examples=100, deadline=None)
@given(today=ANY_DAY, weekday=st.integers(0, 6), style=st.sampled_from(["周", "星期", "礼拜"]))
def test_bare_weekday_is_within_the_coming_week(today, weekday, style):
    name = "一二三四五六日"[weekday]
    found = parse_date(f"{style}{name}", today)
    assert found.weekday() == weekday
    assert 0 <= (found - today).days <= 6
    nxt = parse_date(f"下{style}{name}", today)
    assert nxt.weekday() == weekday and 1 <= (nxt - today).days <= 13


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=12))
def test_anything_either_parses_or_raises_date_error(text):
    try:
        result = parse_date(text, WED)
    except DateError as err:
        assert err.render("zh") and err.render("en")
    else:
        assert isinstance(result, dt.date)
