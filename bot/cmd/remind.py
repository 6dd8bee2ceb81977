"""``duban remind``: run or preview one day's reminders, so any day can be checked by hand.

    duban remind --date 2020-06-29 --json       # the plan as JSON (read-only)
    duban remind --date 2020-06-29 --dry-run    # the messages as they would be sent
                                                # (and the leaders' Monday summary on the
                                                # week's first working day, or --weekly)
    duban remind --date 2020-06-29              # send them now (needs DUBAN_BOT_TOKEN)
    duban remind --date 2020-06-16 --json --sample   # the 2020 demo data as it stood that morning

``--json`` prints a list of ``{"to", "telegram", "cases": [{"kind", "number", "clock",
"due", "due_in_days", "overdue_workdays", "level", "why"}]}`` sorted by recipient name; a
non-working day prints ``[]``. ``--json`` and ``--dry-run`` read the store (``DUBAN_DATA_DIR``)
without locking it, so they work while the bot runs. Sending takes the store's lock (exit 3
while the bot holds it: the bot sends by itself anyway) and records the send log like the
daily job: a digest already sent that day is not sent again. A day after today is refused
(exit 2) unless ``--force``: its digests would be built from today's data and the day itself
would then send nothing. Bad input exits 2.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import re
import sys
from typing import Any

from bot.texts import t


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("remind", help=t("remind.cli.help", "zh"))
    p.add_argument("--date", help="哪一天 (YYYY-MM-DD),默认今天 / the day, default today")
    p.add_argument("--dry-run", action="store_true", help="只预览,不发送 / preview, send nothing")
    p.add_argument("--json", action="store_true", help="以 JSON 输出计划 / print the plan as JSON")
    p.add_argument("--sample", action="store_true",
                   help="用2020年演示数据(当天早上的状态)/ "
                        "the 2020 demo data as it stood that morning")
    p.add_argument("--lang", choices=("zh", "en"), default=None,
                   help="“why” 的语言,默认收件人的语言 / "
                        "language of the texts, default each recipient's")
    p.add_argument("--weekly", action="store_true",
                   help="预览时也显示每位局领导的周一汇总(每周第一个工作日自动显示)/ "
                        "also preview each leader's Monday summary (shown by itself on the "
                        "week's first working day)")
    p.add_argument("--force", action="store_true",
                   help="允许发送今天之后某天的提醒 / allow sending a day after today")
    p.set_defaults(func=cmd_remind)


def _day(text: str | None) -> dt.date:
    from bot.domain.timeutil import SystemTime

    if not text:
        return SystemTime().today()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        raise ValueError(text)
    return dt.date.fromisoformat(text.strip())


def sample_plan_inputs(day: dt.date) -> tuple[list[Any], list[Any]]:
    """The demo cases and people as they stood on the morning of ``day`` (ids 1..n)."""
    from bot.sample import sample_cases, sample_people

    cases = sample_cases(day - dt.timedelta(days=1))
    for i, case in enumerate(cases, 1):
        case.id = i
    people = sample_people()
    for i, person in enumerate(people, 1):
        person.id = i
    return cases, people


def _strip_html(text: str) -> str:
    import html

    return html.unescape(re.sub(r"</?(b|i|u|s|code|pre)>", "", text))


def print_preview(digests: list[Any], day: dt.date, lang: str | None) -> None:
    from bot.domain.reminders import render_digest

    out_lang = lang or "zh"
    if not digests:
        print(t("remind.cli.nothing", out_lang, date=day.isoformat()))
    for d in digests:
        telegram = (str(d.telegram) if d.telegram is not None
                    else t("remind.cli.no_telegram", out_lang))
        print(t("remind.cli.to", out_lang, name=d.name, telegram=telegram, n=d.cases))
        if d.unreachable:
            print(t("remind.cli.cannot_reach", out_lang,
                    reason=t(f"remind.reason.{d.unreachable}", out_lang)))
        for part in render_digest(d, day, lang=lang):
            print("  " + _strip_html(part.text).replace("\n", "\n  "))
        print()


def print_weekly(cases: list[Any], people: list[Any], cal: Any, rules: Any, day: dt.date,
                 lang: str | None) -> None:
    """Each leader's and the head's Monday summary, as the bot would send it on ``day``:
    each covers what that person may see."""
    from bot.domain.access import visible
    from bot.domain.reminders import render_weekly, weekly_summary

    out_lang = lang or "zh"
    leaders = [p for p in people if p.position in ("leader", "head") and p.active]
    print(t("remind.cli.weekly_head", out_lang, date=day.isoformat(), n=len(leaders)))
    if not leaders:
        print(t("remind.cli.weekly_none", out_lang))
    for p in leaders:
        telegram = (str(p.telegram) if p.telegram is not None
                    else t("remind.cli.no_telegram", out_lang))
        summary = weekly_summary(visible(p, cases), cal, rules, day)
        print(t("remind.cli.weekly_to", out_lang, name=p.name, telegram=telegram))
        text = render_weekly(summary, lang or p.language)
        print("  " + _strip_html(text).replace("\n", "\n  "))
        print()


def cmd_remind(args: argparse.Namespace) -> int:
    lang = args.lang or "zh"
    try:
        day = _day(args.date)
    except ValueError:
        print(t("remind.cli.bad_date", lang, value=args.date), file=sys.stderr)
        return 2
    if not (args.json or args.dry_run):
        if args.sample:
            print("--sample: " + t("remind.cli.help", lang) + " (--json / --dry-run)",
                  file=sys.stderr)
            return 2
        from bot.domain.timeutil import SystemTime

        today = SystemTime().today()
        if day > today and not args.force:
            print(t("remind.cli.future", lang, date=day.isoformat(), today=today.isoformat()),
                  file=sys.stderr)
            return 2
        return _send(day, lang)
    from bot.domain.reminders import plan_json, plan_reminders

    if args.sample:
        from bot.domain.workcal import default_calendar

        cases, people = sample_plan_inputs(day)
        cal = default_calendar()
        rules: Any = None
        digests = plan_reminders(cases, people, cal, None, day)
    else:
        from data.store import Store, StoreError, default_data_dir
        from data.views import rules_table, work_calendar

        try:
            store = Store.open(default_data_dir(), readonly=True)
        except StoreError as exc:
            print(str(exc), file=sys.stderr)
            return 3
        try:
            cal = work_calendar(store)
            cases, people, rules = list(store.cases()), store.people(), rules_table(store)
            digests = plan_reminders(cases, people, cal, rules, day)
        finally:
            store.close()
    if args.json:
        print(json.dumps(plan_json(digests, args.lang), ensure_ascii=False, indent=2))
        return 0
    if not cal.is_workday(day):
        print(t("remind.cli.holiday", lang, date=day.isoformat()))
        return 0
    print_preview(digests, day, args.lang)
    from bot.domain.reminders import first_workday_of_week

    if args.weekly or first_workday_of_week(cal, day) == day:
        print_weekly(cases, people, cal, rules, day, args.lang)
    return 0


def _send(day: dt.date, lang: str) -> int:
    from bot.app import create_app
    from bot.cmd.run import open_store, setup_logging
    from bot.config import Config, ConfigError
    from bot.domain.timeutil import SystemTime

    setup_logging(False, quiet=True)
    try:
        config = Config.from_env()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    time = SystemTime()
    store = open_store(config.data_dir, time)
    try:
        app = create_app(config, store, time, register_jobs=False)
        report = asyncio.run(_run(app, day))
    finally:
        store.close()
    print(t("remind.cli.done", lang, date=day.isoformat(), sent=report.sent,
            skipped=report.before, unreachable=report.unreachable, failed=report.failed))
    return 0 if report.failed == 0 else 1


async def _run(app, day: dt.date):
    from jobs.reminders import run_day

    async with app:
        return await run_day(app, day)
