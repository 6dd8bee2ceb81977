"""Dates, the working-day calendar and the deadline rules, checked by hand.

    duban date "下周五" --today 2020-05-20          -> 2020-05-29
    duban date --find "请于6月30日前提交会办意见"     -> 2020-06-30 (the next June 30)
    duban date --period "本周"                      -> 2020-05-18 2020-05-24
    duban calendar is-workday 2020-10-10            -> workday
    duban calendar add-workdays 2020-09-25 15       -> 2020-10-22
    duban calendar workdays-between 2020-09-25 2020-10-22 -> 15
    duban calendar show 2020
    duban calendar set 2027-01-01 holiday 元旦      (admin override, stored with the data)
    duban calendar unset 2027-01-01
    duban rules show [--year 2020]
    duban rules set [--year 2020] opinion_due 06-25

A phrase that is not understood exits with status 2 and the reason on stderr (status 3
when the data store cannot be used, e.g. another process holds it for writing). Answers
that relied on an estimated year (no official holiday schedule yet) print the notice on
stderr. The calendar overrides and the rules live in the store (``DUBAN_DATA_DIR``, default
``./var``); the date and calendar questions read its overrides without locking it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from bot.cmd.common import guarded, open_data_store, operator
from bot.domain.model import ValidationError
from bot.texts import t

CALENDAR_SETTING = "calendar"
RULES_SETTING = "rules"
WHO = operator()


def register(sub: argparse._SubParsersAction) -> None:
    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument("--lang", choices=("zh", "en"), default="zh",
                      help="输出语言 / output language")

    p = sub.add_parser("date", parents=[lang],
                       help="解析日期 / read a date phrase (下周五, 6月30日前...)")
    p.add_argument("phrase", help="日期说法,如 “下周五” / the phrase")
    p.add_argument("--today", help="以哪天为今天 (YYYY-MM-DD) / the day to read it from")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--find", action="store_true",
                      help="在一句话中找日期 / find the date in a sentence")
    mode.add_argument("--period", action="store_true", help="读作时间范围 / read it as a period")
    p.set_defaults(func=cmd_date)

    cal = sub.add_parser("calendar", help="工作日历 / the official working-day calendar")
    cal_sub = cal.add_subparsers(dest="calendar_command", metavar="ACTION", required=True)
    q = cal_sub.add_parser("is-workday", parents=[lang], help="是否工作日 / workday or holiday")
    q.add_argument("date")
    q.set_defaults(func=cmd_is_workday)
    q = cal_sub.add_parser("add-workdays", parents=[lang],
                           help="第N个工作日 / the N-th working day after DATE")
    q.add_argument("date")
    q.add_argument("n", type=int)
    q.set_defaults(func=cmd_add_workdays)
    q = cal_sub.add_parser("workdays-between", parents=[lang],
                           help="工作日数 (A, B] / working days after A up to B")
    q.add_argument("a")
    q.add_argument("b")
    q.set_defaults(func=cmd_workdays_between)
    q = cal_sub.add_parser("show", parents=[lang], help="某年的节假日与调休 / a year's holidays")
    q.add_argument("year", type=int)
    q.set_defaults(func=cmd_calendar_show)
    q = cal_sub.add_parser("set", parents=[lang], help="调整某天 / override one day")
    q.add_argument("date")
    q.add_argument("kind", choices=("workday", "holiday"))
    q.add_argument("name", nargs="?", default="")
    q.set_defaults(func=cmd_calendar_set)
    q = cal_sub.add_parser("unset", parents=[lang], help="删除某天的调整 / remove an override")
    q.add_argument("date")
    q.set_defaults(func=cmd_calendar_unset)

    rules = sub.add_parser("rules", help="办理时限规则 / deadline rules")
    rules_sub = rules.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    q = rules_sub.add_parser("show", parents=[lang], help="显示规则 / show the rules")
    q.add_argument("--year", type=int,
                   help="年度;省略则显示各年通用的规则 / year (default: every year)")
    q.set_defaults(func=cmd_rules_show)
    q = rules_sub.add_parser("set", parents=[lang], help="修改规则 / change a rule")
    q.add_argument("--year", type=int, help="年度;省略则对各年生效 / year (default: every year)")
    from bot.domain.rules import RULE_KEYS

    q.add_argument("key", help="a rule: " + ", ".join(RULE_KEYS))
    q.add_argument("value")
    q.set_defaults(func=cmd_rules_set)


# ---------------------------------------------------------------- helpers






def _overrides() -> dict[str, Any]:
    """The admin's calendar overrides (none while there is no data yet)."""
    with open_data_store(readonly=True) as store:
        return dict(store.get_setting(CALENDAR_SETTING, {}) or {})


def _calendar():
    from bot.domain.workcal import WorkCalendar

    return WorkCalendar(_overrides())


def _today(args: argparse.Namespace) -> dt.date:
    from bot.domain.timeutil import SystemTime

    value = getattr(args, "today", None)
    if not value:
        return SystemTime().today()
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError("cal.bad_date", value=value) from None


def _day(text: str, args: argparse.Namespace, cal=None) -> dt.date:
    """A day given on the command line: ISO, or any date phrase (read from today)."""
    from bot.domain.dates import parse_date

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return parse_date(text, _today(args), cal)


def _notices(years: list[int] | tuple[int, ...], lang: str) -> None:
    from bot.domain.workcal import estimate_notices

    for line in estimate_notices(years, lang):
        print(line, file=sys.stderr)


# ---------------------------------------------------------------- date


@guarded
def cmd_date(args: argparse.Namespace) -> int:
    from bot.domain.dates import find_date, read_date, read_period

    today, cal = _today(args), _calendar()
    if args.find:
        print(find_date(args.phrase, today, cal).isoformat())
    elif args.period:
        answer = read_period(args.phrase, today, cal)
        print(f"{answer.start.isoformat()} {answer.end.isoformat()}")
        _notices(answer.estimated_years, args.lang)
    else:
        answer = read_date(args.phrase, today, cal)
        print(answer.date.isoformat())
        _notices(answer.estimated_years, args.lang)
    return 0


# ---------------------------------------------------------------- calendar


@guarded
def cmd_is_workday(args: argparse.Namespace) -> int:
    cal = _calendar()
    day = _day(args.date, args, cal)
    print("workday" if cal.is_workday(day) else "holiday")
    if cal.is_estimated(day):
        _notices([day.year], args.lang)
    return 0


@guarded
def cmd_add_workdays(args: argparse.Namespace) -> int:
    cal = _calendar()
    day = _day(args.date, args, cal)
    result = cal.add_workdays(day, args.n)
    print(result.isoformat())
    _notices(cal.estimated_years(day, result), args.lang)
    return 0


@guarded
def cmd_workdays_between(args: argparse.Namespace) -> int:
    cal = _calendar()
    a, b = _day(args.a, args, cal), _day(args.b, args, cal)
    print(cal.workdays_between(a, b))
    _notices(cal.estimated_years(a, b), args.lang)
    return 0


@guarded
def cmd_calendar_show(args: argparse.Namespace) -> int:
    lang = args.lang
    cal = _calendar()
    days = cal.special_days(args.year)
    print(t("cal.show.header", lang, year=args.year, workdays=cal.workdays_in_year(args.year)))
    for day in days:
        print(t("cal.show.line", lang, date=day.date.isoformat(),
                weekday=t(f"cal.weekday.{day.date.weekday()}", lang),
                kind=t(f"cal.kind.{day.kind}", lang), name=day.name,
                source=t(f"cal.source.{day.source}", lang)))
    if not days:
        print(t("cal.show.none", lang))
    if cal.is_estimated(dt.date(args.year, 1, 1)):
        print(t("cal.estimated", lang, year=args.year))
    return 0


@guarded
def cmd_calendar_set(args: argparse.Namespace) -> int:
    from bot.domain.workcal import WorkCalendar, make_override

    lang = args.lang
    iso, entry = make_override(_iso(args.date), args.kind, args.name)
    with open_data_store(readonly=False) as store:
        table = dict(store.get_setting(CALENDAR_SETTING, {}) or {})
        was_estimated = WorkCalendar(table).is_estimated(dt.date.fromisoformat(iso))
        table[iso] = entry
        WorkCalendar(table)  # the whole table is still valid
        store.set_setting(CALENDAR_SETTING, table, WHO)
        moves = _recompute(store)
    print(t("cal.set.done", lang, date=iso, kind=t(f"cal.kind.{entry['kind']}", lang),
            name=entry["name"]))
    _print_moves(moves, lang)
    if was_estimated:
        print(t("cal.set.covers_year", lang, year=iso[:4]))
    return 0


@guarded
def cmd_calendar_unset(args: argparse.Namespace) -> int:
    lang = args.lang
    iso = _iso(args.date)
    with open_data_store(readonly=False) as store:
        table = dict(store.get_setting(CALENDAR_SETTING, {}) or {})
        if iso not in table:
            print(t("cal.unset.missing", lang, date=iso), file=sys.stderr)
            return 1
        del table[iso]
        store.set_setting(CALENDAR_SETTING, table, WHO)
        moves = _recompute(store)
    print(t("cal.unset.done", lang, date=iso))
    _print_moves(moves, lang)
    return 0


def _recompute(store) -> list:
    """Working-day deadlines the changed calendar moves, applied and queued."""
    from data.deadlines import recompute_deadlines

    return recompute_deadlines(store, WHO)


def _print_moves(moves, lang: str) -> None:
    for move in moves:
        print(t("sv.cal.moved", lang, case_id=move.case_id, clock=t(f"clock.{move.clock}", lang),
                old=move.old, new=move.new, handler=move.handler or "—"))


def _iso(text: str) -> str:
    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise ValidationError("cal.bad_date", value=text) from None


# ---------------------------------------------------------------- rules


@guarded
def cmd_rules_show(args: argparse.Namespace) -> int:
    from bot.domain.rules import DEFAULT_KEY, RULE_KEYS, Rules, check_table, rules_for

    lang = args.lang
    with open_data_store(readonly=True) as store:
        table = check_table(store.get_setting(RULES_SETTING, {}) or {})
    if args.year is None:
        rules = Rules.from_dict(table.get(DEFAULT_KEY, {}))
        print(t("rules.show.header_default", lang))
    else:
        rules = rules_for(args.year, table)
        print(t("rules.show.header", lang, year=args.year))
    for key in RULE_KEYS:
        print(t("rules.show.line", lang, label=t(f"rules.label.{key}", lang),
                value=rules.display(key), key=key))
    return 0


@guarded
def cmd_rules_set(args: argparse.Namespace) -> int:
    from bot.domain.rules import DEFAULT_KEY, Rules, set_rule

    lang = args.lang
    with open_data_store(readonly=False) as store:
        table = set_rule(store.get_setting(RULES_SETTING, {}) or {}, args.year, args.key,
                         args.value)
        store.set_setting(RULES_SETTING, table, WHO)
    scope_key = DEFAULT_KEY if args.year is None else str(args.year)
    value = Rules.from_dict(table[scope_key]).display(args.key)
    scope = (t("rules.scope.default", lang) if args.year is None
             else t("rules.scope.year", lang, year=args.year))
    print(t("rules.set.done", lang, scope=scope, label=t(f"rules.label.{args.key}", lang),
            value=value))
    return 0
