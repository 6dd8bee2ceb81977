"""Dates as Chinese officials write them ("6月30日前", "下周五", "7月中旬", "3个工作日内").

Three entry points, all relative to an injected ``today``:

- :func:`parse_date` — one phrase to one date (a deadline);
- :func:`find_date` — the date phrase inside a longer sentence;
- :func:`parse_period` — a phrase to an inclusive ``(start, end)`` range, for status queries.

Anything not understood raises :class:`DateError`, whose message (zh/en) says what was not
understood and gives examples: the bot never guesses.

Conventions (each one a decision; the tests pin them):

- **前 is "by", never "ago"**: 6月30日前 / 之前 / 以前, 截至6月30日, 于6月30日前, 不晚于6月30日
  all mean June 30 (inclusive). "3天前" (three days ago) is refused with a hint to write
  "3天内". "N日前"/"N号前" is a day of the month ("30日前" = by the 30th).
- **A partial date is the next one on or after today**: 6月30日, 6/30, 30号, 7月中旬, 周五
  (and English "June 30", "friday").
- **Weeks run Monday to Sunday**: 本周五 is this week's Friday (even if already past), 下周五
  next week's, 下下周三 the week after; 周日/周天/星期天 end the week.
- **Parts of a month, as deadlines**: 上旬 the 10th, 中旬 the 20th, 下旬 the last day;
  月初 ≡ 上旬, 月中 ≡ 中旬, 月底/月末 ≡ 下旬 (the last day). 年底/年末: December 31.
  Quarters and halves are periods (一季度, 本季度, 上半年) whose 末 is a deadline (一季度末 =
  March 31, 上半年末 = June 30); a quarter without a year is the next one not yet over.
- **Numeric forms**: 2020-06-30, 2020/6/30, 2020.6.30, 20200630, 6/30, 6.30, 6-30 (month
  first; "30/6" is refused as no such day, "06/07/2020" as not understood: no guessing
  between day-month orders). Full-width digits and Chinese numerals (二〇二〇年六月三十日,
  十二月三十一日) are read too.
- **A time of day** after a date is allowed and dropped: 6月30日下班前, 6月30日17:00前.
- **Relative offsets**: N天后 and N天内 are both today + N days (likewise 周, 个月 with the
  day clamped to the month's end: Jan 31 + 1个月 = Feb 28/29, 半个月 = 15 days, 年);
  N个工作日内/后 is the N-th working day after today on the official calendar
  (:class:`~bot.domain.workcal.WorkCalendar`). A 个 is required before 月 ("3个月后"),
  since "3月" is March.
- **Periods** (本周, 下月, 今年, this week...) are not dates: :func:`parse_date` refuses them
  unless written as a deadline with 内 ("本周内" = Sunday, "本月内" = the month's end, "年内");
  :func:`parse_period` gives their first and last day. A deadline phrase ("6月30日前", "7天内")
  as a period runs from today to that date, and is refused once that date has passed (ask
  with both ends instead: "6月1日至6月30日", "from June 1 to June 30"; a partial start is
  the last such day on or before the end).
- **In a sentence** (:func:`find_date`), a date next to a deadline word (前, 截至, 不晚于,
  内, by...) wins over one introduced by 于 / 在 ("于5月5日交办"), which wins over a bare one.
- **English** is a fallback for text without Chinese characters: a small grammar (today,
  tomorrow, [this|next] friday, June 30[, 2020], in/within N days|weeks|months, end of month,
  this/next week...), then dateparser with explicit ``languages=['en']`` and
  ``REQUIRE_PARTS=['day', 'month']`` so that a lone "june" or "1" is refused, not guessed.
  "next friday" is the first Friday after today (dateparser's reading).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from bot.domain.model import ValidationError
from bot.domain.workcal import WorkCalendar, default_calendar, estimate_notices

__all__ = [
    "DateAnswer",
    "DateError",
    "add_months",
    "find_date",
    "month_end",
    "parse_date",
    "parse_period",
    "read_date",
    "read_period",
]

#: the longest phrase we try to read (a deadline phrase is short; a sentence goes to find_date)
MAX_PHRASE = 60
#: the longest sentence find_date scans
MAX_SENTENCE = 2000


class DateError(ValidationError):
    """A date phrase that was not understood; ``err.render(lang)`` explains and gives examples."""


# ---------------------------------------------------------------- small date helpers


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def add_months(d: dt.date, n: int) -> dt.date:
    """``d`` plus ``n`` months, the day clamped to the month's end (Nov 30 + 3 = Feb 28/29)."""
    index = d.year * 12 + d.month - 1 + n
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _shift_month(today: dt.date, n: int) -> tuple[int, int]:
    index = today.year * 12 + today.month - 1 + n
    year, month = divmod(index, 12)
    return year, month + 1


# ---------------------------------------------------------------- numbers

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = re.compile(
    r"(?:(?P<h>[一二两三四五六七八九])百)?(?:零?(?P<t>[一二两三四五六七八九])?(?P<ten>十))?"
    r"零?(?P<u>[一二两三四五六七八九])?"
)
_EN_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
               "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
               "fifteen": 15, "twenty": 20, "thirty": 30}


class _NotANumber(Exception):
    pass


def _number(text: str) -> int:
    """Arabic or Chinese numerals: "15", "十五", "二十一", "一百零五", "二〇二〇", "两"."""
    if text.isascii() and text.isdigit():
        return int(text)
    if text in _EN_NUMBERS:
        return _EN_NUMBERS[text]
    if "十" not in text and "百" not in text:
        if text and all(c in _CN_DIGITS for c in text):
            return int("".join(str(_CN_DIGITS[c]) for c in text))
        raise _NotANumber(text)
    m = _CN_NUMBER.fullmatch(text)
    if not m or not (m["h"] or m["ten"]):
        raise _NotANumber(text)
    hundreds = _CN_DIGITS[m["h"]] if m["h"] else 0
    tens = (_CN_DIGITS[m["t"]] if m["t"] else 1) if m["ten"] else 0
    if m["h"] and m["ten"] and not m["t"] and "百十" in text:
        raise _NotANumber(text)  # 一百十 is not written; 一百一十 is
    units = _CN_DIGITS[m["u"]] if m["u"] else 0
    return hundreds * 100 + tens * 10 + units


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class _Hit:
    """What a phrase means: a day, or a period ``start..end``."""

    end: dt.date
    start: dt.date | None = None
    #: a period with no single date in it (本周, 下月, this week)
    period: bool = False
    #: computed on the working-day calendar
    workdays: bool = False


@dataclass(frozen=True)
class DateAnswer:
    """The full reading of a phrase: the date, the period it stands for, and its caveats."""

    text: str
    date: dt.date
    start: dt.date
    end: dt.date
    #: years whose holidays are not published, used in computing the answer (工作日 phrases)
    estimated_years: tuple[int, ...] = ()

    def notices(self, lang: str | None = "zh") -> list[str]:
        """The ``cal.estimated`` notices the bot must show beside the answer."""
        return estimate_notices(self.estimated_years, lang)


class _Ctx:
    """What a rule needs: today, the calendar (built only when a 工作日 phrase asks for it)."""

    def __init__(self, today: dt.date, cal: WorkCalendar | None) -> None:
        self.today = today
        self._cal = cal

    @property
    def cal(self) -> WorkCalendar:
        if self._cal is None:
            self._cal = default_calendar()
        return self._cal


class _Refused(Exception):
    """A phrase recognised as a date expression but not acceptable (ago, no such day...)."""

    def __init__(self, key: str) -> None:
        self.key = key


# ---------------------------------------------------------------- building dates


def _ymd(year: int, month: int, day: int) -> dt.date:
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        raise _Refused("date.no_such_day")
    try:
        return dt.date(year, month, day)
    except ValueError:
        if 1 <= year <= 9999:
            raise _Refused("date.no_such_day") from None
        raise _Refused("date.out_of_range") from None


def _next_md(today: dt.date, month: int, day: int) -> dt.date:
    """The next ``month``/``day`` on or after today (Feb 29 waits for a leap year)."""
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2000, month)[1]:
        raise _Refused("date.no_such_day")
    for year in range(today.year, today.year + 9):
        try:
            d = dt.date(year, month, day)
        except ValueError:
            continue
        if d >= today:
            return d
    raise _Refused("date.out_of_range")


def _next_day_of_month(today: dt.date, day: int) -> dt.date:
    """The next ``day``-th of a month on or after today (the 31st skips 30-day months)."""
    if not 1 <= day <= 31:
        raise _Refused("date.no_such_day")
    for n in range(13):
        year, month = _shift_month(today, n)
        if day <= calendar.monthrange(year, month)[1]:
            d = dt.date(year, month, day)
            if d >= today:
                return d
    raise _Refused("date.no_such_day")  # pragma: no cover - every day <= 31 occurs in a year


#: 上旬 / 中旬 / 下旬 and their looser names: (first day, last day or None for month end)
_PARTS: dict[str, tuple[int, int | None]] = {
    "上旬": (1, 10), "初": (1, 10),
    "中旬": (11, 20), "中": (11, 20),
    "下旬": (21, None), "底": (21, None), "末": (21, None),
}


def _month_part(year: int, month: int, part: str | None) -> _Hit:
    if not 1 <= month <= 12:
        raise _Refused("date.no_such_day")
    if part is None:
        return _Hit(month_end(year, month), dt.date(year, month, 1), period=True)
    first, last = _PARTS[part]
    end = dt.date(year, month, last) if last else month_end(year, month)
    return _Hit(end, dt.date(year, month, first))


def _year_of(m: re.Match[str], today: dt.date) -> int | None:
    """The year a match names: 2020年, 二〇二〇年, 今年/本年, 明年, 去年, 后年, 前年;
    None if none."""
    if m["y"]:
        return _number(m["y"])
    rel = m["yr"]
    if rel is None:
        return None
    return today.year + {"今": 0, "本": 0, "明": 1, "去": -1, "后": 2, "前": -2}[rel]


_REL = {"本": 0, "这": 0, "这个": 0, "当": 0, "下": 1, "下个": 1, "下下": 2, "下下个": 2,
        "上": -1, "上个": -1, "上上": -2, "上上个": -2}
_WEEKDAYS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "日": 7, "天": 7,
             "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7}


# ---------------------------------------------------------------- the Chinese grammar

_NUM = r"(?:\d{1,5}|[零〇一二两三四五六七八九十百]{1,7})"
_YEAR = r"(?:\d{4}|[零〇一二三四五六七八九]{4})"
_YEARTOK = rf"(?:(?P<y>{_YEAR})|(?P<yr>今|本|明|去|后|前))年"
_MREL = r"(?P<mr>本|这个|这|当|下下个|下下|下个|下|上个|上)"
_WREL = r"(?P<w>本|这个|这|下下个|下下|下个|下|上上个|上上|上个|上)"
_WEEK = r"(?:周|星期|礼拜)"
_PART = r"(?P<part>上旬|中旬|下旬|初|中|底|末)"

Rule = Callable[[re.Match[str], _Ctx], _Hit]


def _r_full(m: re.Match[str], c: _Ctx) -> _Hit:
    year = _year_of(m, c.today)
    assert year is not None
    return _Hit(_ymd(year, _number(m["m"]), _number(m["d"])))


def _r_iso(m: re.Match[str], c: _Ctx) -> _Hit:
    return _Hit(_ymd(int(m["y"]), int(m["m"]), int(m["d"])))


def _r_md(m: re.Match[str], c: _Ctx) -> _Hit:
    return _Hit(_next_md(c.today, _number(m["m"]), _number(m["d"])))


def _r_rel_month_day(m: re.Match[str], c: _Ctx) -> _Hit:
    year, month = _shift_month(c.today, _REL[m["mr"]])
    return _Hit(_ymd(year, month, _number(m["d"])))


def _r_day(m: re.Match[str], c: _Ctx) -> _Hit:
    return _Hit(_next_day_of_month(c.today, _number(m["d"])))


_DAY_WORDS = {"今天": 0, "今日": 0, "当天": 0, "当日": 0, "明天": 1, "明日": 1, "后天": 2,
              "大后天": 3, "昨天": -1, "昨日": -1, "前天": -2}


def _r_day_word(m: re.Match[str], c: _Ctx) -> _Hit:
    return _Hit(c.today + dt.timedelta(days=_DAY_WORDS[m[0]]))


def _week_monday(today: dt.date, n: int) -> dt.date:
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=n)


def _r_weekday(m: re.Match[str], c: _Ctx) -> _Hit:
    wd = _WEEKDAYS[m["wd"]]
    if m["w"] is None:  # the next one, on or after today
        return _Hit(c.today + dt.timedelta(days=(wd - 1 - c.today.weekday()) % 7))
    return _Hit(_week_monday(c.today, _REL[m["w"]]) + dt.timedelta(days=wd - 1))


def _r_week(m: re.Match[str], c: _Ctx) -> _Hit:
    monday = _week_monday(c.today, _REL[m["w"]])
    return _Hit(monday + dt.timedelta(days=6), monday, period=True)


def _r_month(m: re.Match[str], c: _Ctx) -> _Hit:
    """6月底, 2020年7月中旬, 7月 (a period): without a year, the next one not yet over."""
    month, part = _number(m["m"]), m["part"]
    year = _year_of(m, c.today)
    if year is not None:
        return _month_part(year, month, part)
    hit = _month_part(c.today.year, month, part)
    return hit if hit.end >= c.today else _month_part(c.today.year + 1, month, part)


def _r_rel_month(m: re.Match[str], c: _Ctx) -> _Hit:
    """月底, 本月底, 下月初, 下个月中旬, 本月 (a period)."""
    year, month = _shift_month(c.today, _REL[m["mr"]] if m["mr"] else 0)
    return _month_part(year, month, m.groupdict().get("part"))


def _r_year(m: re.Match[str], c: _Ctx) -> _Hit:
    """年底, 今年底, 2020年末; 今年 / 2020年 / 年 (from 年内) are periods."""
    year = _year_of(m, c.today)
    year = c.today.year if year is None else year
    if not 1 <= year <= 9999:
        raise _Refused("date.out_of_range")
    if m["part"]:
        return _Hit(dt.date(year, 12, 31), dt.date(year, 12, 1))
    return _Hit(dt.date(year, 12, 31), dt.date(year, 1, 1), period=True)


def _quarter(year: int, q: int, end_only: bool) -> _Hit:
    end = month_end(year, q * 3)
    if end_only:  # 一季度末: by the quarter's last day (its last month, as 月底 is)
        return _Hit(end, dt.date(year, q * 3, 1))
    return _Hit(end, dt.date(year, q * 3 - 2, 1), period=True)


def _r_quarter(m: re.Match[str], c: _Ctx) -> _Hit:
    """一季度, 第三季度末, 2020年二季度; without a year, the next one not yet over."""
    q = _number(m["q"])
    if not 1 <= q <= 4:
        raise _Refused("date.no_such_day")
    year = _year_of(m, c.today)
    if year is None:
        year = c.today.year if month_end(c.today.year, q * 3) >= c.today else c.today.year + 1
    return _quarter(year, q, bool(m["qe"]))


def _r_rel_quarter(m: re.Match[str], c: _Ctx) -> _Hit:
    """本季度, 下季度末, 上个季度."""
    index = c.today.year * 4 + (c.today.month - 1) // 3 + _REL[m["qr"]]
    year, q = divmod(index, 4)
    return _quarter(year, q + 1, bool(m["qe"]))


def _r_half(m: re.Match[str], c: _Ctx) -> _Hit:
    """上半年 / 下半年 (a period), 上半年末 (June 30), of this year unless one is named."""
    year = _year_of(m, c.today)
    year = c.today.year if year is None else year
    first_month = 1 if m["h"] == "上" else 7
    end = month_end(year, first_month + 5)
    if m["he"]:
        return _Hit(end, dt.date(year, first_month + 5, 1))
    return _Hit(end, dt.date(year, first_month, 1), period=True)


_ZH_RULES: list[tuple[re.Pattern[str], Rule, bool]] = [
    # (pattern, handler, weak: found in a sentence only next to a deadline word)
    (re.compile(rf"{_YEARTOK}(?P<m>{_NUM})月(?P<d>{_NUM})[日号]?"), _r_full, False),
    (re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"), _r_iso, False),
    (re.compile(rf"(?P<m>{_NUM})月(?P<d>{_NUM})[日号]?"), _r_md, False),
    (re.compile(r"(?P<m>\d{1,2})/(?P<d>\d{1,2})"), _r_md, False),
    (re.compile(rf"{_MREL}月(?P<d>{_NUM})[日号]"), _r_rel_month_day, False),
    (re.compile(rf"(?P<d>{_NUM})[日号]"), _r_day, True),
    (re.compile("|".join(sorted(_DAY_WORDS, key=len, reverse=True))), _r_day_word, False),
    (re.compile(rf"{_WREL}?{_WEEK}(?P<wd>[一二三四五六七日天1-7])"), _r_weekday, False),
    (re.compile(rf"{_WREL}{_WEEK}"), _r_week, False),
    (re.compile(rf"(?:{_YEARTOK})?(?P<m>{_NUM})月{_PART}?"), _r_month, False),
    (re.compile(rf"{_MREL}?月{_PART}"), _r_rel_month, False),
    (re.compile(rf"{_MREL}月"), _r_rel_month, False),
    (re.compile(rf"(?:(?P<y>{_YEAR})|(?P<yr>今|本|明|去|后|前))?年(?:年(?=底|末))?(?P<part>底|末)?"),
     _r_year, False),
    (re.compile(rf"(?:{_YEARTOK})?第?(?P<q>[1-4一二三四])季度?(?P<qe>末|底)?"), _r_quarter, False),
    (re.compile(rf"{_MREL.replace('mr', 'qr')}季度(?P<qe>末|底)?"), _r_rel_quarter, False),
    (re.compile(rf"(?:{_YEARTOK})?(?P<h>上|下)半年(?P<he>末|底)?"), _r_half, False),
    # numeric shorthands, read whole but found in a sentence only beside a deadline word
    (re.compile(r"(?P<y>20\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)"), _r_iso, True),
    (re.compile(r"(?P<m>\d{1,2})[.-](?P<d>\d{1,2})"), _r_md, True),
]

#: offsets carry their own direction: 3天后, 三天内, 两周后, 1个月内, 半个月后, 15个工作日后
_OFFSET = re.compile(
    rf"(?P<n>{_NUM}|半)(?P<ge>个)?(?P<unit>工作日|天|日|周|星期|礼拜|月|年)"
    r"(?P<dir>以后|之后|后|以内|之内|内|以前|之前|前)?"
)
_OFFSET_LIMITS = {"days": 3660, "weeks": 520, "months": 120, "years": 10, "workdays": 2500}

_PREFIX = re.compile(
    r"^(?:截至到|截至|截止到|截止至|截止于|截止|至迟于|至迟在|至迟|最迟于|最迟在|最迟|最晚于|最晚在|最晚"
    r"|不晚于|不迟于|务必于|务必在|务必|须于|须在|需于|需在|请于|请在|应于|应在|直到|到|(?P<weak>于|在))"
)
#: a time of day after a date is allowed and dropped: 6月30日下班前, 6月30日17:00前
_TIME_OF_DAY = re.compile(
    r"(?:上午|下午|中午|晚上|早上|傍晚|上班|下班|"
    r"\d{1,2}(?::\d{2}|点(?:\d{1,2}分?|半)?|时(?:\d{1,2}分)?))+$"
)
_SUFFIX_BY = re.compile(r"(?:之前|以前|前|为止|截止|止)$")
_SUFFIX_WITHIN = re.compile(r"(?:以内|之内|内)$")


def _offset(m: re.Match[str], c: _Ctx) -> _Hit | None:
    """The hit for an offset phrase, None when the text is not one (e.g. "30日前", "3月内")."""
    unit, direction, n_text = m["unit"], m["dir"], m["n"]
    if direction is None:
        return None
    if unit == "日" and direction in ("前", "以前", "之前"):
        return None  # 30日前: by the 30th
    if unit == "月" and not m["ge"] and n_text != "半":
        return None  # 3月内: within March
    if unit == "年" and n_text != "半" and len(n_text) > 2:
        return None  # 2020年内: within the year 2020
    if direction in ("前", "以前", "之前"):
        raise _Refused("date.ago")
    if n_text == "半":
        kind, n = {"月": ("days", 15), "年": ("months", 6)}.get(unit, ("", 0))
        if not kind:
            return None
    else:
        n = _number(n_text)
        kind = {"工作日": "workdays", "天": "days", "日": "days", "月": "months",
                "年": "years"}.get(unit, "weeks")
    return _shift(c, n, kind)


# ---------------------------------------------------------------- the English grammar

_MONTHS = {name: i for i, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
     ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
     ("october", "oct"), ("november", "nov"), ("december", "dec")], start=1) for name in names}
_EN_WEEKDAYS = {name: i for i, names in enumerate(
    [("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed"),
     ("thursday", "thu", "thur", "thurs"), ("friday", "fri"), ("saturday", "sat"),
     ("sunday", "sun")], start=1) for name in names}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WD_RE = "|".join(sorted(_EN_WEEKDAYS, key=len, reverse=True))
_EN_NUM = r"(?:\d{1,4}|" + "|".join(sorted(_EN_NUMBERS, key=len, reverse=True)) + ")"
_ORD = r"(?:st|nd|rd|th)?"

_EN_BY = re.compile(
    r"^(?:by|before|no later than|not later than|on or before|until|till|due by|due on|due"
    r"|deadline:?|deadline is)\s+"
)


def _en_month_date(m: re.Match[str], c: _Ctx) -> _Hit:
    month = _MONTHS[m["mon"] or m["mon2"]]
    day = int(m["d"] or m["d2"])
    if m["y"]:
        return _Hit(_ymd(int(m["y"]), month, day))
    return _Hit(_next_md(c.today, month, day))


def _en_weekday(m: re.Match[str], c: _Ctx) -> _Hit:
    wd = _EN_WEEKDAYS[m["wd"]]
    ahead = (wd - 1 - c.today.weekday()) % 7
    if m["which"] == "next" and ahead == 0:
        ahead = 7
    return _Hit(c.today + dt.timedelta(days=ahead))


def _en_in(m: re.Match[str], c: _Ctx) -> _Hit:
    n = _number(m["n"])
    unit = m["unit"]
    if unit.startswith(("working", "business", "workday")):
        kind = "workdays"
    else:
        kind = unit.rstrip("s") + "s"
    return _shift(c, n, kind)


_EN_DAY_WORDS = {"today": 0, "tonight": 0, "now": 0, "tomorrow": 1, "tmr": 1, "tmrw": 1,
                 "day after tomorrow": 2, "the day after tomorrow": 2, "yesterday": -1}
_EN_REL = {"this": 0, "next": 1, "last": -1}


def _en_day_word(m: re.Match[str], c: _Ctx) -> _Hit:
    return _Hit(c.today + dt.timedelta(days=_EN_DAY_WORDS[m[0]]))


def _en_period(m: re.Match[str], c: _Ctx) -> _Hit:
    n = _EN_REL[m["rel"]]
    if m["unit"] == "week":
        monday = _week_monday(c.today, n)
        return _Hit(monday + dt.timedelta(days=6), monday, period=True)
    if m["unit"] == "month":
        year, month = _shift_month(c.today, n)
        return _month_part(year, month, None)
    year = c.today.year + n
    return _Hit(dt.date(year, 12, 31), dt.date(year, 1, 1), period=True)


def _en_end(m: re.Match[str], c: _Ctx) -> _Hit:
    n = _EN_REL[m["rel"] or "this"]
    if m["unit"] == "month":
        year, month = _shift_month(c.today, n)
        return _month_part(year, month, "底")
    year = c.today.year + n
    return _Hit(dt.date(year, 12, 31), dt.date(year, 12, 1))


_EN_UNITS = r"(?P<unit>working days?|business days?|workdays?|days?|weeks?|months?|years?)"
_EN_RULES: list[tuple[re.Pattern[str], Rule, bool]] = [
    (re.compile(rf"(?:(?P<d>\d{{1,2}}){_ORD} (?:of )?(?P<mon>{_MONTH_RE})\.?"
                rf"|(?P<mon2>{_MONTH_RE})\.? (?P<d2>\d{{1,2}}){_ORD})(?:,? (?P<y>\d{{4}}))?"),
     _en_month_date, False),
    (re.compile(rf"(?:(?P<which>this|next|coming|on) )?(?P<wd>{_WD_RE})"), _en_weekday, False),
    (re.compile("|".join(sorted(_EN_DAY_WORDS, key=len, reverse=True))), _en_day_word, False),
    (re.compile(rf"(?:in|after) (?P<n>{_EN_NUM}) {_EN_UNITS}"
                rf"|(?P<n2>{_EN_NUM}) {_EN_UNITS.replace('unit', 'unit2')} (?:from now|later)"),
     lambda m, c: _en_in(cast("re.Match[str]", _Alias(m)), c), False),
    (re.compile(r"(?P<rel>this|next|last) (?P<unit>week|month|year)"), _en_period, False),
    (re.compile(r"(?:the )?end of (?:the )?(?:(?P<rel>this|next) )?(?P<unit>month|year)"
                r"|(?:(?P<rel2>this|next) )?(?P<unit2>month|year)[- ]end"),
     lambda m, c: _en_end(cast("re.Match[str]", _Alias(m)), c), False),
]
_EN_WITHIN = re.compile(rf"within (?:the next )?(?P<n>{_EN_NUM}) {_EN_UNITS}")
_EN_WORKDAYS = re.compile(rf"(?P<n>{_EN_NUM}) (?P<unit>working days?|business days?|workdays?)")


class _Alias:
    """A match whose ``n2``/``unit2``/``rel2`` groups stand in for ``n``/``unit``/``rel``."""

    def __init__(self, m: re.Match[str]) -> None:
        self._m = m

    def __getitem__(self, name: str) -> Any:
        value = self._m[name]
        if value is None and name in ("n", "unit", "rel"):
            value = self._m[name + "2"]
        return value


# ---------------------------------------------------------------- reading a phrase

_CJK = re.compile(r"[\u3400-\u9fff]")
_TRIM = " \t\r\n。.,;!?、,;::\"'“”‘’「」『』()()《》"


@dataclass(frozen=True)
class _Reading:
    hit: _Hit
    #: written as a deadline: 前, 截至, 不晚于, by...; the period then runs from today
    by: bool = False
    #: only introduced by 于 / 在 ("于5月5日交办"): a date, but not necessarily the deadline
    marked: bool = False
    #: written with 内 / within
    within: bool = False
    weak: bool = False


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip(_TRIM).lower()


def _read_zh(s: str, c: _Ctx) -> _Reading | None:
    """The Chinese grammar on a whitespace-free phrase; None when no rule matches."""
    by = marked = False
    m = _PREFIX.match(s)
    if m and m.end() < len(s):
        s = s[m.end():]
        marked, by = bool(m["weak"]), not m["weak"]
    m = _OFFSET.fullmatch(s)
    if m:
        hit = _offset(m, c)
        if hit is not None:
            return _Reading(hit, by=by, marked=marked, within=m["dir"] in ("内", "以内", "之内"))
    within = False
    m = _SUFFIX_BY.search(s)
    if m and m.start() > 0:
        s, by = s[:m.start()], True
    else:
        m = _SUFFIX_WITHIN.search(s)
        if m and m.start() > 0:
            s, within = s[:m.start()], True
    m = _TIME_OF_DAY.search(s)
    if m and m.start() > 0:
        s = s[:m.start()]
    for pattern, rule, weak in _ZH_RULES:
        m = pattern.fullmatch(s)
        if m:
            try:
                hit = rule(m, c)
            except _NotANumber:
                return None
            return _Reading(hit, by=by, marked=marked, within=within,
                            weak=weak and not (by or within or marked))
    return None


def _read_en(s: str, c: _Ctx, *, fallback: bool) -> _Reading | None:
    """The English grammar, then (``fallback``) dateparser; None when nothing matches."""
    s = re.sub(r"\s+", " ", s)
    by = False
    m = _EN_BY.match(s)
    if m:
        s, by = s[m.end():], True
    m = _EN_WITHIN.fullmatch(s) or _EN_WORKDAYS.fullmatch(s)
    if m:
        return _Reading(_en_in(m, c), within=True)
    for pattern, rule, _weak in _EN_RULES:
        m = pattern.fullmatch(s)
        if m:
            try:
                return _Reading(rule(m, c), by=by)
            except _NotANumber:  # pragma: no cover - the patterns admit numbers only
                return None
    if fallback and re.search(r"[a-z]", s):
        found = _dateparser(s, c.today)
        if found is not None:
            return _Reading(_Hit(found), by=by)
    return None


def _dateparser(text: str, today: dt.date) -> dt.date | None:
    import dateparser  # slow to import: only when the grammar had nothing to say

    settings = {
        "RELATIVE_BASE": dt.datetime(today.year, today.month, today.day),
        "PREFER_DATES_FROM": "future",
        "REQUIRE_PARTS": ["day", "month"],
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    try:
        found = dateparser.parse(text, languages=["en"], settings=settings)
    except (ValueError, OverflowError):  # pragma: no cover - dateparser's own limits
        return None
    return found.date() if found is not None else None


def _clip(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= 40 else text[:39] + "…"


def _read(text: str, c: _Ctx) -> _Reading:
    """One phrase, read whole; DateError when not understood."""
    if not isinstance(text, str) or not text.strip():
        raise DateError("date.empty")
    s = _normal(text)
    if len(s) > MAX_PHRASE:
        raise DateError("date.too_long", limit=MAX_PHRASE)
    try:
        reading = _read_zh(re.sub(r"\s+", "", s), c)
        if reading is None and not _CJK.search(s):
            reading = _read_en(s, c, fallback=True)
    except _Refused as refused:
        raise DateError(refused.key, text=_clip(text)) from None
    except OverflowError:
        raise DateError("date.out_of_range", text=_clip(text)) from None
    if reading is None:
        raise DateError("date.not_understood", text=_clip(text))
    return reading


def _answer(text: str, reading: _Reading, c: _Ctx) -> DateAnswer:
    hit = reading.hit
    if reading.by or reading.within:
        start, end = sorted((c.today, hit.end))
    else:
        start, end = hit.start or hit.end, hit.end
    estimated: tuple[int, ...] = ()
    if hit.workdays:
        estimated = tuple(c.cal.estimated_years(c.today, hit.end))
    return DateAnswer(text, hit.end, start, end, estimated)


def read_date(text: str, today: dt.date, cal: WorkCalendar | None = None) -> DateAnswer:
    """The full reading of a date phrase (see :class:`DateAnswer`); DateError if none.

    Like :func:`parse_date`, a period (本周, next month) is refused unless written with 内.
    """
    c = _Ctx(today, cal)
    reading = _read(text, c)
    if reading.hit.period and not reading.within:
        raise DateError("date.is_period", text=_clip(text))
    return _answer(text, reading, c)


def parse_date(text: str, today: dt.date, cal: WorkCalendar | None = None) -> dt.date:
    """The date a phrase means, relative to ``today``; :class:`DateError` if not understood.

    ``cal`` is used only for 工作日 phrases (default: the official calendar, no overrides).
    """
    return read_date(text, today, cal).date


def read_period(text: str, today: dt.date, cal: WorkCalendar | None = None) -> DateAnswer:
    """Like :func:`parse_period`, with the estimate flag (``date`` is the period's end)."""
    c = _Ctx(today, cal)
    try:
        reading = _read(text, c)
    except DateError as err:
        if err.key not in ("date.not_understood", "date.too_long"):
            raise
        found = _read_range(text, c) or _read_after(text, c)
        if found is None:
            raise DateError("period.not_understood", text=_clip(text)) from None
        return found
    if (reading.by or reading.within) and reading.hit.end < c.today:
        # "2020年6月30日前" asked in July: not "June 30 to today"; ask for both ends
        raise DateError("period.past", text=_clip(text), end=reading.hit.end.isoformat())
    return _answer(text, reading, c)


def parse_period(text: str, today: dt.date, cal: WorkCalendar | None = None
                 ) -> tuple[dt.date, dt.date]:
    """The inclusive ``(start, end)`` a phrase covers: 本周, 下月, 今年, 7天内 (today..+7),
    6月30日前 (today..June 30), 7月上旬 (July 1..10), 明天 (that day), 6月1日至6月30日.
    DateError if none."""
    answer = read_period(text, today, cal)
    return answer.start, answer.end


#: the end of an open-ended period ("10月9日以后", "国庆节后": from that day on)
OPEN_END = dt.date(9999, 12, 31)
_AFTER = re.compile(r"^(?:从|自)?(?P<what>.+?)(?:以后|之后|后|起|开始)(?:到期)?(?:的)?$"
                    r"|^(?:after|from|since) (?P<en>.+?)(?: on)?$")
#: holiday names as people say them -> the official calendar's name
_HOLIDAY_WORDS = {"国庆": "国庆节", "国庆节": "国庆节", "十一": "国庆节", "春节": "春节",
                  "过年": "春节", "元旦": "元旦", "清明": "清明", "清明节": "清明",
                  "五一": "劳动节", "劳动节": "劳动节", "端午": "端午", "端午节": "端午",
                  "中秋": "中秋", "中秋节": "中秋", "national day": "国庆节",
                  "the national day holiday": "国庆节", "spring festival": "春节",
                  "new year": "元旦", "may day": "劳动节"}


def _read_after(text: str, c: _Ctx) -> DateAnswer | None:
    """An open-ended period: "10月9日以后" (from Oct 9 on), "国庆节后" (from the first working
    day after this year's National Day holiday on). None when it is not one."""
    m = _AFTER.match(_normal(text))
    if not m:
        return None
    what = (m["what"] or m["en"] or "").strip()
    for tail in ("假期", "长假", "放假", "holiday", "holidays"):
        what = what.removesuffix(tail).strip()
    name = _HOLIDAY_WORDS.get(what)
    start: dt.date | None = None
    if name is not None:
        for year in (c.today.year, c.today.year + 1):
            days = [d.date for d in c.cal.special_days(year)
                    if d.kind == "holiday" and d.name.startswith(name)]
            if days and max(days) >= c.today - dt.timedelta(days=30):
                # this year's, unless it ended over a month ago (then next year's is meant)
                start = c.cal.next_workday(max(days) + dt.timedelta(days=1))
                break
        if start is None:
            return None
    else:
        try:
            start = _read(what, c).hit.start or _read(what, c).hit.end
        except DateError:
            return None
    return DateAnswer(text, start, start, OPEN_END, tuple(c.cal.estimated_years(c.today, start)))


_RANGE_SEP = re.compile(r"\s*(?:至|到|~|—|–|－)\s*|\s+(?:to|until|till|through|-)\s+")
_RANGE_LEAD = re.compile(r"^(?:从|自|from\s+|between\s+)")


def _read_range(text: str, c: _Ctx) -> DateAnswer | None:
    """"6月1日至6月30日", "2020-06-01到2020-06-30", "from June 1 to June 30": both ends.

    A partial start (6月1日) is the last such day on or before the end, so "12月1日至1月31日"
    read in mid-December starts on this December 1. None when it is not a range.
    """
    s = _RANGE_LEAD.sub("", _normal(text))
    for sep in _RANGE_SEP.finditer(s):
        left, right = s[:sep.start()], s[sep.end():]
        if not left or not right:
            continue
        try:
            last = _read(right, c).hit
            first = _read(left, c).hit
        except DateError:
            continue
        start, end = first.start or first.end, last.end
        if start > end:
            try:  # a partial date read a year earlier moves by exactly one year
                shifted = _Ctx(dt.date(end.year - 1, end.month, 1), c._cal)
                earlier = _read(left, shifted).hit
                earlier_start = earlier.start or earlier.end
            except (DateError, ValueError):
                earlier_start = start
            if earlier_start <= end and (earlier_start.month, earlier_start.day) == (
                    start.month, start.day):
                start = earlier_start
        if start > end:
            raise DateError("period.reversed", text=_clip(text), start=start.isoformat(),
                            end=end.isoformat())
        estimated: tuple[int, ...] = ()
        if first.workdays or last.workdays:
            estimated = tuple(c.cal.estimated_years(c.today, end))
        return DateAnswer(text, end, start, end, estimated)
    return None


# ---------------------------------------------------------------- finding a date in a sentence

#: characters a Chinese date phrase is made of (its wrappers included)
_RUN = re.compile(
    r"[0-9零〇一二两三四五六七八九十百年月日号天周星期礼拜今明后大昨前本这个下上当底末初中旬半内以之"
    r"工作截至止于在不晚迟最务须需请应到/.\-]+"
)
_BEFORE_BAD = set("0123456789零〇一二两三四五六七八九十百每几")
_AFTER_BAD = set("次个倍")
_EN_SEARCH = re.compile(r"[a-z0-9][a-z0-9,.:-]*(?: [a-z0-9][a-z0-9,.:-]*)*")


def _scan_zh(sentence: str, c: _Ctx) -> list[tuple[int, _Reading]]:
    """Every date phrase in the sentence, leftmost-longest, with its position."""
    found: list[tuple[int, _Reading]] = []
    for run in _RUN.finditer(sentence):
        text, base = run[0], run.start()
        i = 0
        while i < len(text):
            best = None
            for j in range(min(len(text), i + 24), i, -1):
                if base + i > 0 and sentence[base + i - 1] in _BEFORE_BAD:
                    break
                if base + j < len(sentence) and sentence[base + j] in _AFTER_BAD:
                    continue
                try:
                    reading = _read_zh(text[i:j], c)
                except (_Refused, _NotANumber, OverflowError):
                    reading = None
                if reading is not None and not reading.weak and not reading.hit.period:
                    best = (j, reading)
                    break
            if best:
                found.append((base + i, best[1]))
                i = best[0]
            else:
                i += 1
    return found


def _scan_en(sentence: str, c: _Ctx) -> list[tuple[int, _Reading]]:
    found: list[tuple[int, _Reading]] = []
    for chunk in _EN_SEARCH.finditer(sentence):
        words = chunk[0].split(" ")
        offsets = [chunk.start()]
        for w in words[:-1]:
            offsets.append(offsets[-1] + len(w) + 1)
        i = 0
        while i < len(words):
            best = None
            for j in range(min(len(words), i + 7), i, -1):
                phrase = " ".join(words[i:j]).strip(_TRIM)
                try:
                    reading = _read_en(phrase, c, fallback=False) if phrase else None
                except (_Refused, _NotANumber, OverflowError):
                    reading = None
                if reading is None and phrase:
                    try:
                        reading = _read_zh(phrase.replace(" ", ""), c)
                    except (_Refused, _NotANumber, OverflowError):
                        reading = None
                if reading is not None and not reading.weak and not reading.hit.period:
                    best = (j, reading)
                    break
            if best:
                found.append((offsets[i], best[1]))
                i = best[0]
            else:
                i += 1
    return found


def find_date(sentence: str, today: dt.date, cal: WorkCalendar | None = None) -> dt.date:
    """The deadline inside a sentence: "请于6月30日前提交会办意见" -> June 30.

    The first phrase written as a deadline (前, 截至, 于, 内, by...) wins; else the first
    date phrase. A bare day of the month ("1日") counts only beside a deadline word, and a
    match glued to a number ("一周一次") is skipped. DateError("date.not_found") if none.
    """
    if not isinstance(sentence, str) or not sentence.strip():
        raise DateError("date.empty")
    s = unicodedata.normalize("NFKC", sentence)[:MAX_SENTENCE].lower()
    c = _Ctx(today, cal)
    if _CJK.search(s):
        found = _scan_zh(re.sub(r"\s+", "", s), c)
    else:
        found = _scan_en(re.sub(r"\s+", " ", s), c)
    if not found:
        raise DateError("date.not_found", text=_clip(sentence))
    for _, reading in found:  # a deadline word (前, 截至, 内...) first, then 于 / 在
        if reading.by or reading.within:
            return reading.hit.end
    for _, reading in found:
        if reading.marked:
            return reading.hit.end
    return found[0][1].hit.end


def _shift(c: _Ctx, n: int, kind: str) -> _Hit:
    """``n`` days / weeks / months / years / working days after today (Chinese or English)."""
    if n > _OFFSET_LIMITS[kind]:
        raise _Refused("date.out_of_range")
    today = c.today
    if kind == "days":
        return _Hit(today + dt.timedelta(days=n))
    if kind == "weeks":
        return _Hit(today + dt.timedelta(weeks=n))
    if kind == "months":
        return _Hit(add_months(today, n))
    if kind == "years":
        return _Hit(add_months(today, 12 * n))
    return _Hit(c.cal.add_workdays(today, n), workdays=True)
