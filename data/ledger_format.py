"""The ledger (台账) file format: the contract of ``/work/shared/LEDGER.md`` as data.

Column headers and cell vocabularies here are a *file format*, shared with the office's
Excel files, so they are spelled out rather than taken from the message catalogue (a
reworded label must never break an import). The catalogue's labels in both languages
and the code identifiers are accepted as synonyms on import; export always writes the
Chinese contract values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.model import (
    CONSULT_METHODS,
    KINDS,
    POSITIONS,
    REPLY_CLASSES,
    ROLES,
    SATISFACTIONS,
    STAGES,
)
from bot.texts import LANGS, has, t


@dataclass(frozen=True)
class Formula:
    """A formula cell the file holds no computed value for (saved by a program that does
    not calculate): reported as a formula, never read as an empty cell."""

    text: str


@dataclass(frozen=True)
class Column:
    """One column of a ledger sheet."""

    field: str
    header: str          # the Chinese header, as exported
    alias: str           # the English alias
    required: bool = False
    #: exported width in characters
    width: int = 12
    #: holds a date (exported as a real Excel date)
    date: bool = False


CASE_COLUMNS: tuple[Column, ...] = (
    Column("kind", "类型", "kind", True, 6),
    Column("number", "编号", "number", True, 8),
    Column("year", "年度", "year", True, 6),
    Column("session", "会次", "session", False, 22),
    Column("title", "标题", "title", True, 40),
    Column("proposers", "提出人", "proposer", False, 14),
    Column("role", "办理方式", "role", True, 9),
    Column("lead_unit", "主办单位", "lead_unit", False, 16),
    Column("division", "承办处室", "division", False, 12),
    Column("task", "办理任务", "task", False, 30),
    Column("handler", "承办人", "handler", False, 8),
    Column("deadline", "办理时限", "deadline", False, 12, True),
    Column("requirements", "办理要求", "requirements", False, 30),
    Column("assigned_on", "交办日期", "assigned_on", False, 12, True),
    Column("stage", "状态", "stage", False, 10),
    Column("reply_class", "答复类别", "reply_class", False, 8),
    Column("satisfaction", "满意度", "satisfaction", False, 9),
    Column("continuation", "续办", "continuation", False, 6),
    Column("origin_session", "原会次", "origin_session", False, 22),
    # optional: what the bot records, so that export then import loses nothing
    Column("answered_on", "答复日期", "answered_on", False, 12, True),
    Column("opinion_on", "意见提交日期", "opinion_on", False, 12, True),
    Column("published_on", "公开日期", "published_on", False, 12, True),
    Column("consultations", "协商记录", "consultations", False, 30),
    #: the follow-up clock of a B reply: its due date, "2020-12-31 已续复 2020-11-20" when met
    Column("followup_due", "续办时限", "followup_due", False, 14, True),
)

PEOPLE_COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", "name", True, 10),
    Column("position", "职务", "position", True, 10),
    Column("division", "处室", "division", False, 14),
    Column("leads_divisions", "分管处室", "leads_divisions", False, 30),
    Column("telegram", "Telegram", "telegram", False, 16),
)

#: further spellings of headers seen in real ledgers
HEADER_SYNONYMS = {
    "proposers": ("proposers", "提出者", "领衔人"),
    "session": ("会议",),
    "deadline": ("时限", "办理期限"),
    "reply_class": ("答复类型",),
    "continuation": ("续办续复",),
    "origin_session": ("原会议",),
    "answered_on": ("答复时间", "办结日期"),
    "opinion_on": ("提交日期", "意见提交时间", "会办意见提交日期", "协办意见提交日期"),
    "followup_due": ("续办续复时限", "续复时限"),
    "published_on": ("公开时间",),
    "consultations": ("协商情况", "面商情况"),
}

#: sheet names of the export, and the ones ``people import`` looks for first
CASES_SHEET = "台账"
HISTORY_SHEET = "历史"
PEOPLE_SHEET = "人员"
PEOPLE_SHEET_NAMES = (PEOPLE_SHEET, "people", "人员名单", "通讯录")

# ---------------------------------------------------------------- contract values

KIND_VALUES = {"suggestion": "建议", "proposal": "提案"}
ROLE_VALUES = {"lead": "主办", "sole": "独办", "co": "协办", "joint": "会办", "split": "分办",
               "reference": "工作参考"}
STAGE_VALUES = {
    "registered": "登记", "assigned": "交办", "in_progress": "办理中", "consulted": "已协商",
    "drafted": "已拟复文", "reviewed": "已审核", "answered": "已答复", "feedback": "已征询反馈",
    "published": "已公开", "archived": "已归档",
}
#: a co/joint case's "answered" is the opinion sent to the lead unit
STAGE_ANSWERED_OPINION = "已提交意见"
SATISFACTION_VALUES = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}
POSITION_VALUES = {"head": "主要领导", "leader": "分管领导", "division_head": "处室负责人",
                   "handler": "承办人", "office": "办公室"}
METHOD_VALUES = {"face": "面商", "phone": "电话", "letter": "信函", "media": "传媒",
                 "meeting": "座谈"}
YES, NO = "是", "否"
#: in the 续办时限 cell: the follow-up was answered again (on the date that follows)
FOLLOWUP_MET = "已续复"

_SPACES = re.compile(r"[\s\u3000_*]+")
_PARENS = str.maketrans({"(": "(", ")": ")", ":": ":"})


def norm(text: object) -> str:
    """A header or a vocabulary value, compared case-, width- and space-insensitively."""
    return _SPACES.sub("", str(text).translate(_PARENS)).casefold()


def _vocabulary(values: dict[str, str], prefix: str, *extra: tuple[str, str]) -> dict[str, str]:
    """norm(spelling) -> identifier: contract value, identifier, catalogue labels, extras."""
    out: dict[str, str] = {}
    for ident, label in values.items():
        spellings = [ident, label]
        if has(f"{prefix}.{ident}"):
            spellings += [t(f"{prefix}.{ident}", lang) for lang in LANGS]
        for s in spellings:
            out.setdefault(norm(s), ident)
    for spelling, ident in extra:
        out[norm(spelling)] = ident
    return out


KIND_LOOKUP = _vocabulary(KIND_VALUES, "kind", ("人大代表建议", "suggestion"),
                          ("代表建议", "suggestion"), ("政协提案", "proposal"))
ROLE_LOOKUP = _vocabulary(ROLE_VALUES, "role", ("主办件", "lead"), ("协办件", "co"),
                          ("会办件", "joint"), ("分办件", "split"), ("独办件", "sole"))
STAGE_LOOKUP = _vocabulary(STAGE_VALUES, "stage", (STAGE_ANSWERED_OPINION, "answered"),
                           ("已提交会办意见", "answered"), ("已提交协办意见", "answered"),
                           ("opinion submitted", "answered"))
SATISFACTION_LOOKUP = _vocabulary(SATISFACTION_VALUES, "satisfaction")
POSITION_LOOKUP = _vocabulary(POSITION_VALUES, "position", ("局领导", "leader"),
                              ("处长", "division_head"), ("领导小组办公室", "office"))
METHOD_LOOKUP = _vocabulary(METHOD_VALUES, "method", ("面谈", "face"), ("走访", "face"),
                            ("书面", "letter"), ("会议", "meeting"))
REPLY_CLASS_LOOKUP = {norm(c): c for c in REPLY_CLASSES} | {
    norm(f"{c}类"): c for c in REPLY_CLASSES}
BOOL_LOOKUP = {norm(s): True for s in (YES, "y", "yes", "true", "1", "√", "✓", "续办")} | {
    norm(s): False for s in (NO, "n", "no", "false", "0", "×", "")}

assert set(KIND_VALUES) == set(KINDS) and set(ROLE_VALUES) == set(ROLES)
assert set(STAGE_VALUES) == set(STAGES) and set(SATISFACTION_VALUES) == set(SATISFACTIONS)
assert set(POSITION_VALUES) == set(POSITIONS) and set(METHOD_VALUES) == set(CONSULT_METHODS)


def header_lookup(columns: Iterable[Column]) -> dict[str, str]:
    """norm(header or alias or synonym) -> field name."""
    out: dict[str, str] = {}
    for col in columns:
        for spelling in (col.header, col.alias, col.field, *HEADER_SYNONYMS.get(col.field, ())):
            out.setdefault(norm(spelling), col.field)
    return out


def stage_value(stage: str, role: str) -> str:
    """The 状态 cell of a case."""
    if stage == "answered" and role in ("co", "joint"):
        return STAGE_ANSWERED_OPINION
    return STAGE_VALUES[stage]


# ---------------------------------------------------------------- formula injection

_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"^'+[=+\-@\t\r]")


def escape_cell(text: str) -> str:
    """A text cell made safe for spreadsheets: ``=1+1`` is written ``'=1+1``.

    Reversible (see :func:`unescape_cell`): a text that already starts with quotes before
    a formula character gets one more quote.
    """
    return "'" + text if _FORMULA.match(text) else text


def unescape_cell(text: str) -> str:
    """Undo :func:`escape_cell` on import."""
    return text[1:] if _ESCAPED.match(text) else text
