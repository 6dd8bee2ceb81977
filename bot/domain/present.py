"""How a case is said in chat: the one place that escapes, cuts and words case text.

Every view (the card, the query answers, the digest lines, the summaries, the notices)
takes its pieces from here, so a case's number, title, stage and clock state read the
same everywhere and are cut the same way:

- :func:`esc`: user data inside Telegram HTML (the only escaping of the bot's messages);
- :func:`short_title`: a title without 关于…的建议/提案, cut with … at a width;
- :func:`fit`: a message kept under Telegram's 4096 characters, cut at a line;
- :func:`case_title` (``建议 第0484号``), :func:`case_line` (``建议0484 招商引资工作``),
  :func:`stage_label` (已提交意见 for a co-handling case);
- :func:`clock_state`: one wording per clock state (``state.overdue``, ``state.today``,
  ``state.tomorrow``, ``state.left``, ``state.done``, ``state.undated``).

Pure: no Telegram, no storage; words from the catalogue (``bot.texts.present``).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable
from typing import Any

from bot.domain.model import MET_UNKNOWN, OPINION_ROLES, Case
from bot.texts import has, t

#: Telegram's limit for one message
TELEGRAM_LIMIT = 4096
#: characters of a title shown on a list line
TITLE_WIDTH = 16

_TITLE_PREFIXES = ("关于",)
_TITLE_SUFFIXES = ("的建议", "的提案", "建议", "提案")


def esc(value: object) -> str:
    """User data inside an HTML message (``<``, ``>`` and ``&``; quotes stay as typed)."""
    return html.escape(str(value), quote=False)


def short_title(title: str, width: int = TITLE_WIDTH) -> str:
    """The title without 关于…的建议/提案, cut to ``width`` characters (… when cut)."""
    text = title.strip()
    for prefix in _TITLE_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix) + 1:
            text = text[len(prefix):]
    for suffix in _TITLE_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)]
            break
    return text if len(text) <= width else text[: width - 1] + "…"


def fit(text: str | Iterable[str], limit: int = TELEGRAM_LIMIT) -> str:
    """The text (or the lines, joined) kept under ``limit`` characters: cut before the
    first line that would pass it, with a last line ``…``; a first line longer than the
    limit is itself cut (callers page long lists themselves)."""
    lines = text.split("\n") if isinstance(text, str) else list(text)
    whole = "\n".join(lines)
    if len(whole) <= limit:
        return whole
    out: list[str] = []
    size = 0
    for line in lines:
        extra = len(line) + (1 if out else 0)
        if size + extra > limit - 2:  # room for "\n…"
            break
        out.append(line)
        size += extra
    if not out:
        return lines[0][: limit - 1] + "…"
    return "\n".join(out) + "\n…"


def stage_label(case: Case, lang: str | None) -> str:
    """The stage's name; 已提交意见 rather than 已答复 for a co-handling case."""
    if case.stage == "answered" and case.role in OPINION_ROLES:
        return t("stage.answered_opinion", lang)
    return t("stage." + case.stage, lang)


def case_title(case: Case, lang: str | None) -> str:
    """``建议 第0484号`` / ``suggestion no. 0484`` (HTML-escaped)."""
    return t("card.title", lang, kind=t(f"kind.{case.kind}", lang), number=esc(case.number))


def case_line(case: Case, lang: str | None, width: int = TITLE_WIDTH) -> str:
    """A short one-line reference: ``建议0484 招商引资工作`` (HTML-escaped)."""
    return t("card.line", lang, kind=t(f"kind.{case.kind}", lang), number=esc(case.number),
             title=esc(short_title(case.title, width)))


def fmt_date(day: dt.date, lang: str | None, today: dt.date | None = None) -> str:
    """6月30日 / 6/30; with the year when it is not ``today``'s year."""
    if today is not None and day.year != today.year:
        return t("q.date_year", lang, year=day.year, month=day.month, day=day.day)
    return t("q.date", lang, month=day.month, day=day.day)


def clock_state(days_left: int, overdue_workdays: int, lang: str | None) -> str:
    """Where a live clock stands: 超期5天(3个工作日) / 今天到期 / 明天到期 / 还有3天."""
    if days_left < 0:
        return t("state.overdue", lang, days=-days_left, workdays=overdue_workdays)
    if days_left == 0:
        return t("state.today", lang)
    if days_left == 1:
        return t("state.tomorrow", lang)
    return t("state.left", lang, days=days_left)


def done_state(on: str | None, lang: str | None) -> str:
    """A step done: ``2020-06-28完成`` / ``日期不详`` when the day is unknown."""
    if not on or on == MET_UNKNOWN:
        return t("state.undated", lang)
    return t("state.done", lang, on=on)


def undated(lang: str | None) -> str:
    """``日期不详``: a step done on a day nobody recorded."""
    return t("state.undated", lang)


# ---------------------------------------------------------------- history


def history_value(lang: str | None, fld: str, value: Any) -> str:
    """A history value as people read it."""
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return t("common.yes" if value else "common.no", lang)
    if fld == "stage" and has(f"stage.{value}"):
        return t(f"stage.{value}", lang)
    if fld in ("role", "kind", "satisfaction", "reply_class", "position") and has(f"{fld}.{value}"):
        return t(f"{fld}.{value}", lang)
    if fld.startswith("clocks.") and isinstance(value, dict):
        met = value.get("met")
        if met == MET_UNKNOWN:
            met = undated(lang)
        return (value.get("due") or "—") + (f" ✓{met}" if met else "")
    if fld == "consultations" and isinstance(value, list):
        return t("card.n_consultations", lang, n=len(value))
    if fld == "notices" and isinstance(value, list):
        return t("sv.n_notices", lang, n=len(value))
    if fld == "documents" and isinstance(value, list):
        return t("doc.n_documents", lang, n=len(value))
    if fld == "reviews" and isinstance(value, list):
        return t("sv.n_reviews", lang, n=len(value))
    if fld == "review_chain" and isinstance(value, list):
        return " → ".join(t(f"sv.position.{p}", lang) for p in value)
    if isinstance(value, list):
        return "、".join(history_value(lang, fld, v) if isinstance(v, dict) else str(v)
                        for v in value)
    if isinstance(value, dict):  # e.g. the ledger's extra columns: 列名:值
        return t("history.pairs_sep", lang).join(
            t("history.pair", lang, key=k, value=history_value(lang, "", v))
            for k, v in value.items())
    return str(value)


def history_field(lang: str | None, fld: str) -> str:
    """A history field in words: 承办人, 答复时限, 协商记录 (the raw name only if unknown)."""
    if fld.startswith("clocks."):
        return t("card.deadline_of", lang, clock=t(f"clock.{fld[7:]}", lang))
    if has(f"field.{fld}"):
        return t(f"field.{fld}", lang)
    if has(f"history.{fld}"):
        return t(f"history.{fld}", lang)
    return fld
