"""Deadline rules for a year, and the default clocks they give a case (DOMAIN.md, "Deadlines").

| what                                   | default                                   |
|----------------------------------------|-------------------------------------------|
| co/joint opinion to the lead unit      | June 30 of the case's year (``opinion_due``) |
| lead/sole/split reply to the proposer  | 3 months after assignment (``reply_months``) |
| publishing the result of a lead case   | July 15 of the year (``publish_due``); later: see below |
| continuation (B-class) follow-up       | December 31 of the year (``followup_due``) |
| re-handling after 不满意               | 1 month (``reopen_months``)               |
| work reference                         | no deadline                               |

A case assigned, or answered, after ``publish_due`` publishes ``publish_workdays`` (15)
working days after its answer (:func:`publish_due`). Plus the reminder offsets (14, 7, 3,
1, 0 days before), the reminder time (09:00) and the
escalation thresholds in working days overdue ({1: 1, 2: 3, 3: 5, 4: 10}), the traffic
lights' warning window (``warn_workdays``: 5 working days) and the time to sign for an
assigned case (``sign_workdays``: 2 working days).

The data layer stores the admin's changes as the setting ``"rules"``: a table
``{"2020": {"opinion_due": "06-25"}, "default": {...}}``. :func:`rules_for` merges, for one
year: the built-in defaults, then the table's ``"default"`` entry (every year), then the
year's own entry.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from bot.domain.dates import add_months
from bot.domain.model import OPINION_ROLES, Case, Clock, ValidationError
from bot.domain.timeutil import SystemTime
from bot.domain.workcal import WorkCalendar, default_calendar
from bot.texts import t

#: the table entry that applies to every year without its own value
DEFAULT_KEY = "default"
MAX_MONTHS = 24
MAX_OFFSET = 90
MAX_THRESHOLD = 60
LEVELS = (1, 2, 3, 4)

_MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


class RuleValueError(ValidationError):
    """A bad rule value; its ``hint`` param is a catalogue key, rendered in the reader's
    language."""

    def render(self, lang: str | None = "zh") -> str:
        params = dict(self.params)
        params["hint"] = t(params["hint"], lang)
        return t(self.key, lang, **params)


def _bad(key: str, value: Any, hint: str) -> RuleValueError:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return RuleValueError("rules.bad_value", rule=key, value=text, hint=hint)


def _month_day(key: str, value: Any) -> str:
    m = _MONTH_DAY.match(str(value).strip())
    if not m:
        raise _bad(key, value, "rules.hint.month_day")
    month, day = int(m[1]), int(m[2])
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2000, month)[1]:
        raise _bad(key, value, "rules.hint.month_day")
    return f"{month:02d}-{day:02d}"


def _whole(key: str, value: Any, top: int, hint: str) -> int:
    """A whole number from 1 to ``top`` (text as typed, or an int), or the ``hint``'s error."""
    try:
        n = int(str(value).strip())
    except ValueError:
        raise _bad(key, value, hint) from None
    if isinstance(value, float) or not 1 <= n <= top:
        raise _bad(key, value, hint)
    return n


def _months(key: str, value: Any) -> int:
    return _whole(key, value, MAX_MONTHS, "rules.hint.months")


def _offsets(key: str, value: Any) -> tuple[int, ...]:
    items = re.split(r"[,,\s]+", value.strip()) if isinstance(value, str) else list(value)
    try:
        numbers = [int(x) for x in items if x != ""]
    except (TypeError, ValueError):
        raise _bad(key, value, "rules.hint.offsets") from None
    if not numbers or len(set(numbers)) != len(numbers) or not all(
            0 <= n <= MAX_OFFSET for n in numbers):
        raise _bad(key, value, "rules.hint.offsets")
    return tuple(sorted(numbers, reverse=True))


def _workdays(key: str, value: Any) -> int:
    return _whole(key, value, MAX_THRESHOLD, "rules.hint.workdays")


def _chain(key: str, value: Any) -> tuple[str, ...]:
    from bot.domain.model import REVIEWERS

    items = re.split(r"[,,\s]+", value.strip()) if isinstance(value, str) else list(value)
    chain = tuple(str(x) for x in items if x != "")
    if not chain or len(set(chain)) != len(chain) or any(p not in REVIEWERS for p in chain):
        raise _bad(key, value, "rules.hint.review_chain")
    return chain


def _flag(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in ("yes", "true", "1", "on", "是"):
        return True
    if text in ("no", "false", "0", "off", "否"):
        return False
    raise _bad(key, value, "rules.hint.flag")


def _time(key: str, value: Any) -> str:
    m = _TIME.match(str(value).strip())
    if not m or not (0 <= int(m[1]) <= 23 and 0 <= int(m[2]) <= 59):
        raise _bad(key, value, "rules.hint.time")
    return f"{int(m[1]):02d}:{m[2]}"


def _escalation(key: str, value: Any) -> dict[int, int]:
    pairs: list[tuple[Any, Any]]
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = json.loads(text) if text.startswith("{") else None
        except ValueError:
            raise _bad(key, value, "rules.hint.escalation") from None
        if parsed is not None:
            pairs = list(parsed.items()) if isinstance(parsed, dict) else []
        else:
            pairs = [tuple(p.split(":", 1)) if ":" in p else (p, None)
                     for p in re.split(r"[,,\s]+", text) if p]
    elif isinstance(value, Mapping):
        pairs = list(value.items())
    else:
        raise _bad(key, value, "rules.hint.escalation")
    try:
        table = {int(level): int(days) for level, days in pairs}
    except (TypeError, ValueError):
        raise _bad(key, value, "rules.hint.escalation") from None
    if sorted(table) != list(LEVELS) or len(pairs) != len(LEVELS):
        raise _bad(key, value, "rules.hint.escalation")
    thresholds = [table[level] for level in LEVELS]
    if not all(0 <= d <= MAX_THRESHOLD for d in thresholds) or thresholds != sorted(thresholds):
        raise _bad(key, value, "rules.hint.escalation")
    return table


_CHECKS = {
    "opinion_due": _month_day,
    "reply_months": _months,
    "publish_due": _month_day,
    "publish_workdays": _workdays,
    "followup_due": _month_day,
    "reopen_months": _months,
    "remind_offsets": _offsets,
    "remind_time": _time,
    "escalation": _escalation,
    "warn_workdays": _workdays,
    "sign_workdays": _workdays,
    "review_chain": _chain,
    "review_workdays": _workdays,
    "review_strict": _flag,
}
#: the rule names, in the order they are shown
RULE_KEYS = tuple(_CHECKS)


@dataclass
class Rules:
    """The deadline rules of one year; every field validated (a :class:`ValidationError` if bad)."""

    opinion_due: str = "06-30"
    reply_months: int = 3
    publish_due: str = "07-15"
    #: working days after the answer to publish a case answered after ``publish_due`` (or
    #: whose reply is due after it)
    publish_workdays: int = 15
    followup_due: str = "12-31"
    reopen_months: int = 1
    remind_offsets: tuple[int, ...] = (14, 7, 3, 1, 0)
    remind_time: str = "09:00"
    #: escalation level -> working days overdue from which it is reached
    escalation: dict[int, int] = field(default_factory=lambda: {1: 1, 2: 3, 3: 5, 4: 10})
    #: 黄灯: a live clock due within this many working days (bot.domain.lifecycle.light)
    warn_workdays: int = 5
    #: 签收: working days after assignment within which the handler signs for the case
    sign_workdays: int = 2
    #: 审核: the positions that review a draft reply, in order (division head, then the
    #: leader in charge of the division), the working days a step may wait before the
    #: office is told, and whether every answer needs a reviewed draft (not only a case
    #: whose draft went for review)
    review_chain: tuple[str, ...] = ("division_head", "leader")
    review_workdays: int = 3
    review_strict: bool = False

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        for name, check in _CHECKS.items():
            setattr(self, name, check(name, getattr(self, name)))

    # -- dates of a year

    def day_in(self, key: str, year: int) -> dt.date:
        """The date of a month-day rule (``opinion_due``...) in ``year``; Feb 29 → 28 if needed."""
        month, day = (int(x) for x in getattr(self, key).split("-"))
        return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))

    def opinion_date(self, year: int) -> dt.date:
        return self.day_in("opinion_due", year)

    def publish_date(self, year: int) -> dt.date:
        return self.day_in("publish_due", year)

    def followup_date(self, year: int) -> dt.date:
        return self.day_in("followup_due", year)

    def reply_date(self, assigned_on: dt.date) -> dt.date:
        return add_months(assigned_on, self.reply_months)

    def reopen_date(self, reopened_on: dt.date) -> dt.date:
        """The new deadline of a case reopened after 不满意 (not satisfied)."""
        return add_months(reopened_on, self.reopen_months)

    # -- (de)serialisation

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: offsets as a list, escalation levels as string keys."""
        return {
            "opinion_due": self.opinion_due,
            "reply_months": self.reply_months,
            "publish_due": self.publish_due,
            "publish_workdays": self.publish_workdays,
            "followup_due": self.followup_due,
            "reopen_months": self.reopen_months,
            "remind_offsets": list(self.remind_offsets),
            "remind_time": self.remind_time,
            "escalation": {str(k): v for k, v in sorted(self.escalation.items())},
            "warn_workdays": self.warn_workdays,
            "sign_workdays": self.sign_workdays,
            "review_chain": list(self.review_chain),
            "review_workdays": self.review_workdays,
            "review_strict": self.review_strict,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rules:
        """Rules from a (possibly partial) mapping; unknown keys are an error, not ignored."""
        unknown = [k for k in data if k not in _CHECKS]
        if unknown:
            raise ValidationError("rules.unknown_key", rule=unknown[0], known=", ".join(RULE_KEYS))
        return cls(**dict(data))

    def with_value(self, key: str, value: Any) -> Rules:
        """A copy with one rule changed; ``value`` may be text as typed ("14,7,3", "1:1,2:3...")."""
        if key not in _CHECKS:
            raise ValidationError("rules.unknown_key", rule=key, known=", ".join(RULE_KEYS))
        changes: dict[str, Any] = {key: _CHECKS[key](key, value)}
        return replace(self, **changes)

    def display(self, key: str) -> str:
        """A rule's value as typed on the command line (the form :meth:`with_value` reads)."""
        value = getattr(self, key)
        if key == "remind_offsets":
            return ",".join(str(n) for n in value)
        if key == "escalation":
            return ",".join(f"{k}:{v}" for k, v in sorted(value.items()))
        if key == "review_chain":
            return ",".join(value)
        if key == "review_strict":
            return "yes" if value else "no"
        return str(value)


def check_table(table: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """A validated copy of a stored rules table (year or ``"default"`` -> partial rules)."""
    out: dict[str, dict[str, Any]] = {}
    for scope, values in (table or {}).items():
        scope = str(scope)
        if scope != DEFAULT_KEY and not (scope.isdigit() and 2000 <= int(scope) <= 2100):
            raise ValidationError("rules.bad_year", value=scope)
        rules = Rules.from_dict(values or {})
        out[scope] = {k: rules.to_dict()[k] for k in (values or {})}
    return out


def rules_for(year: int, table: Mapping[str, Any] | None = None) -> Rules:
    """The rules of ``year``: defaults, then ``table["default"]``, then ``table[str(year)]``."""
    merged: dict[str, Any] = {}
    for scope in (DEFAULT_KEY, str(year)):
        merged.update((table or {}).get(scope) or {})
    return Rules.from_dict(merged)


def set_rule(table: Mapping[str, Any] | None, year: int | None, key: str, value: Any
             ) -> dict[str, dict[str, Any]]:
    """A new table with one rule set for ``year`` (or for every year when ``year`` is None)."""
    scope = DEFAULT_KEY if year is None else str(int(year))
    new = {k: dict(v) for k, v in check_table(table or {}).items()}
    current = Rules.from_dict(new.get(scope, {}))
    new.setdefault(scope, {})[key] = current.with_value(key, value).to_dict()[key]
    check_table(new)
    return new


# ---------------------------------------------------------------- a case's deadlines


def _iso_date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def default_deadline(case: Case, rules: Rules, today: dt.date | None = None) -> dt.date | None:
    """The default due date of the case's main clock (its five-fix deadline), per DOMAIN.md.

    - continuation (续办续复) cases: ``followup_due`` of the case's year (Dec 31);
    - co/joint: ``opinion_due`` of the case's year (June 30);
    - lead/sole/split: ``reply_months`` after ``assigned_on`` (3 months, clamped to the
      month's end: Nov 30 → Feb 28/29), or after ``today`` while ``assigned_on`` is empty;
    - reference (工作参考): None.

    ``today`` should be passed (the domain takes "now" as an argument); when it is not and
    the case has no assignment date, the system clock (Asia/Shanghai) stands in.
    """
    if case.main_clock is None:
        return None
    if case.continuation:
        return rules.followup_date(case.year)
    if case.role in OPINION_ROLES:
        return rules.opinion_date(case.year)
    assigned = _iso_date(case.assigned_on) or today or SystemTime().today()
    return rules.reply_date(assigned)


def publish_due(case: Case, rules: Rules, answered_on: dt.date | None = None,
                cal: WorkCalendar | None = None) -> dt.date | None:
    """When the result of a lead/sole case must be published.

    The year's ``publish_due`` (July 15) for a case assigned by then and answered by then
    (or not answered yet). A case answered after it, or assigned after it, publishes
    ``publish_workdays`` working days after the day it was answered; until such a case is
    answered the date is unknown (None): never a date before the case existed.
    """
    year_date = rules.publish_date(case.year)
    assigned = _iso_date(case.assigned_on)
    if answered_on is not None:
        if answered_on <= year_date and (assigned is None or assigned <= year_date):
            return year_date
        return (cal or default_calendar()).add_workdays(answered_on, rules.publish_workdays)
    if assigned is not None and assigned > year_date:
        return None
    return year_date


#: clock sources a person chose; the rules never overwrite them
_KEPT_SOURCES = ("set", "extension")


def arm_clocks(case: Case, rules: Rules, today: dt.date) -> None:
    """Give ``case`` its default clocks where they are missing (in place).

    - the main clock (``case.main_clock``: ``reply``, ``opinion``, or ``followup`` for a
      continuation case) from :func:`default_deadline`;
    - ``publish`` for lead and sole cases (:func:`publish_due`; not for continuations:
      their result was published in their first year);
    - ``followup`` (Dec 31) for cases answered with a B-class reply (a B reply opens a
      continuation, DOMAIN.md).

    A clock whose due date a person set (source ``"set"`` or ``"extension"``) is never
    touched; a ``"default"`` clock that already has a due date is left as it is too (the
    rules of the day it was armed stay), and a met clock keeps its ``met`` date.
    Work-reference cases get no clocks.
    """
    if case.main_clock is None:
        return
    wanted: dict[str, dt.date | None] = {case.main_clock: default_deadline(case, rules, today)}
    if case.role in ("lead", "sole") and not case.continuation:
        wanted["publish"] = publish_due(case, rules)
    if case.continuation or case.reply_class == "B":
        wanted["followup"] = rules.followup_date(case.year)
    for name, due in wanted.items():
        clock = case.clocks.get(name)
        if due is None:
            if clock is None and name == "publish":  # the date follows the answer
                case.clocks[name] = Clock(due="", source="default")
            continue
        if clock is None:
            case.clocks[name] = Clock(due=due.isoformat(), source="default")
        elif clock.source not in _KEPT_SOURCES and not clock.due:
            clock.due = due.isoformat()
            clock.source = "default"

