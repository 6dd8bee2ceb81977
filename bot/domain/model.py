"""Cases, people and their vocabulary: plain dataclasses with validation.

No Telegram and no storage here. Dates are ISO strings (``YYYY-MM-DD``); times are ISO
datetimes with the Asia/Shanghai offset. A bad value raises :class:`ValidationError`, whose
``key`` and ``params`` name a message of the catalogue, so every caller can say in the
user's language what was wrong.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any, TypeVar

from bot.domain.text import UnsafeText, clean_text
from bot.texts import has, t

# ---------------------------------------------------------------- vocabulary

KINDS = ("suggestion", "proposal")
ROLES = ("lead", "sole", "co", "joint", "split", "reference")
#: roles that write the reply to the proposer themselves
REPLY_ROLES = ("lead", "sole", "split")
#: roles that send a co-handling opinion to the lead unit
OPINION_ROLES = ("co", "joint")
POSITIONS = ("head", "leader", "division_head", "handler", "office")
STAGES = (
    "registered",
    "assigned",
    "in_progress",
    "consulted",
    "drafted",
    "reviewed",
    "answered",
    "feedback",
    "published",
    "archived",
)
#: stages from which a case counts as answered (reply or opinion given)
ANSWERED_STAGES = STAGES[STAGES.index("answered"):]
CLOCKS = ("reply", "opinion", "publish", "followup")
REPLY_CLASSES = ("A", "B", "C")
SATISFACTIONS = ("satisfied", "basic", "unsatisfied")
CONSULT_METHODS = ("face", "phone", "letter", "media", "meeting")
FIXES = ("division", "task", "handler", "deadline", "requirements")
LANGUAGES = ("zh", "en")

_NUMBER_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-]{0,19}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

MAX_TITLE = 200
MAX_TEXT = 2000
MAX_NAME = 60


# ---------------------------------------------------------------- plain values and copies

# ``dataclasses.asdict`` and ``copy.deepcopy`` are generic: they ask every value what it is
# (and deepcopy keeps a memo of every object), ~0.5 ms for one case; the store converts and
# copies a case several times per write. These two know the shapes a case is made of (its
# dataclasses, lists, dicts and atoms) and fall back to the generic ones for anything else;
# tests/test_model_copy.py checks that they give what asdict and deepcopy give.

_ATOMS = frozenset({str, int, float, bool, type(None)})
#: dataclass -> its field names, in order (filled in below the classes)
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def plain(value: Any) -> Any:
    """``dataclasses.asdict`` for the model's dataclasses: dicts, lists and atoms, copied."""
    atoms = _ATOMS
    kind = type(value)
    if kind in atoms:
        return value
    if kind is list:
        return [v if type(v) in atoms else plain(v) for v in value]
    if kind is dict:
        return {k if type(k) in atoms else plain(k): v if type(v) in atoms else plain(v)
                for k, v in value.items()}
    names = _FIELD_NAMES.get(kind)
    if names is not None:
        attrs = value.__dict__
        out = {}
        for name in names:
            v = attrs[name]
            out[name] = v if type(v) in atoms else plain(v)
        return out
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return copy.deepcopy(value)


def clone(value: Any) -> Any:
    """``copy.deepcopy`` for the model's dataclasses (no memo: their values form trees)."""
    atoms = _ATOMS
    kind = type(value)
    if kind in atoms:
        return value
    if kind is list:
        return [v if type(v) in atoms else clone(v) for v in value]
    if kind is dict:
        return {k if type(k) in atoms else clone(k): v if type(v) in atoms else clone(v)
                for k, v in value.items()}
    if kind in _FIELD_NAMES:
        obj = object.__new__(kind)
        obj.__dict__.update({k: v if type(v) in atoms else clone(v)
                             for k, v in value.__dict__.items()})
        return obj
    return copy.deepcopy(value)


class ValidationError(ValueError):
    """A value that the domain refuses; ``key`` names the catalogue message."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(self.render("en"))

    def render(self, lang: str | None = "zh") -> str:
        params = dict(self.params)
        label = f"field.{params.get('field')}"
        if "field" in params and has(label):
            params["field"] = t(label, lang)
        return t(self.key, lang, **params)


# ---------------------------------------------------------------- helpers


def check_date(value: str, fld: str, *, allow_empty: bool = True) -> str:
    """``value`` as a canonical ISO date string, or a ValidationError naming ``fld``."""
    if value in ("", None):
        if allow_empty:
            return ""
        raise ValidationError("err.required", field=fld)
    if isinstance(value, dt.datetime):
        value = value.date().isoformat()
    elif isinstance(value, dt.date):
        value = value.isoformat()
    value = str(value).strip()
    if not _DATE_RE.match(value):
        raise ValidationError("err.bad_date", field=fld, value=value)
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError("err.bad_date", field=fld, value=value) from None
    return value


_Part = TypeVar("_Part")


def _checked(value: Any, cls: type[_Part]) -> _Part:
    """A part of a case (a clock, consultation, notice, review) checked: a dict is built
    into one, an object already built is checked again in place (a field may have been set
    by hand since), without rebuilding it."""
    if isinstance(value, cls):
        part: Any = value
        part.__post_init__()
        return value
    return cls(**value)


def _choice(value: str, allowed: tuple[str, ...], fld: str) -> str:
    if value not in allowed:
        raise ValidationError("err.bad_choice", field=fld, value=value, allowed=" / ".join(allowed))
    return value


def _text(value: Any, fld: str, limit: int, *, required: bool = False) -> str:
    if value is None or value == "":  # most of a case's text fields are empty
        if required:
            raise ValidationError("err.required", field=fld)
        return ""
    if not isinstance(value, str):
        raise ValidationError("err.not_text", field=fld)
    try:  # the one rule for incoming text (bot.domain.text); short fields are one line
        value = clean_text(value, single_line=limit < MAX_TEXT).strip()
    except UnsafeText as exc:
        raise ValidationError("err.control_chars", field=fld, chars=str(exc)) from None
    if required and not value:
        raise ValidationError("err.required", field=fld)
    if len(value) > limit:
        raise ValidationError("err.too_long", field=fld, limit=limit, length=len(value))
    return value


def _year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationError("err.bad_year", value=str(value)) from None
    if not 2000 <= year <= 2100:
        raise ValidationError("err.bad_year", value=str(value))
    return year


def case_key(kind: str, year: Any, number: Any, session: Any = "",
             origin_session: Any = "") -> tuple[str, int, str, str]:
    """The :attr:`Case.key` a case of these values has, checked and normalised as
    :meth:`Case.validate` checks them, without building the case (an importer looks a
    row's case up by it before it knows whether the row updates one)."""
    kind = _choice(kind, KINDS, "kind")
    number = normalize_number(number)
    year = _year(year)
    origin = _text(origin_session, "origin_session", MAX_NAME)
    return (kind, year, number, origin or _text(session, "session", MAX_NAME))


def normalize_number(value: Any) -> str:
    """A case number as text, leading zeros kept: ``484`` stays ``484``, ``0484`` stays ``0484``.

    A full-width digit, a leading ``第`` and a trailing ``号`` are accepted and dropped.
    """
    text = str(value if value is not None else "").strip()
    text = text.translate(_FULLWIDTH)
    if text.startswith("第"):
        text = text[1:]
    if text.endswith("号"):
        text = text[:-1]
    text = text.strip()
    if not _NUMBER_RE.match(text):
        raise ValidationError("err.bad_number", value=str(value))
    return text


_FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)})


# ---------------------------------------------------------------- parts of a case


#: ``Clock.met`` of a step known to be done on a day nobody recorded (a ledger row saying
#: 已答复 with no 答复日期): done, never overdue, its date shown as unknown
MET_UNKNOWN = "unknown"


@dataclass
class Clock:
    """One deadline of a case: when it is due and when it was met ("" while open).

    ``met`` is an ISO date, "" while open, or :data:`MET_UNKNOWN` when the step is done on a
    day nobody knows.
    """

    due: str = ""
    met: str = ""
    #: where the due date came from: "default" (the rules), "set" (by a person), "extension"
    source: str = "default"

    def __post_init__(self) -> None:
        self.due = check_date(self.due, "due")
        if self.met != MET_UNKNOWN:
            self.met = check_date(self.met, "met")
        self.source = _choice(self.source, ("default", "set", "extension"), "source")

    @property
    def met_on(self) -> str:
        """The ISO date the clock was met, "" when open or when the day is unknown."""
        return "" if self.met == MET_UNKNOWN else self.met

    @property
    def open(self) -> bool:
        return bool(self.due) and not self.met


@dataclass
class Consultation:
    """面商 / 协商: a consultation with the proposer, recorded before answering."""

    method: str
    on: str
    with_whom: str
    note: str = ""
    by: str = ""

    def __post_init__(self) -> None:
        self.method = _choice(self.method, CONSULT_METHODS, "method")
        self.on = check_date(self.on, "on", allow_empty=False)
        self.with_whom = _text(self.with_whom, "with_whom", MAX_NAME * 4, required=True)
        self.note = _text(self.note, "note", MAX_TEXT)
        self.by = _text(self.by, "by", MAX_NAME)


#: how a supervision notice (督办单) was answered: 已落实 (done, with a note) or a reason
NOTICE_ANSWERS = ("done", "reason")


@dataclass
class Notice:
    """督办单: a formal supervision notice on one case, what is required and by when.

    Open until answered (``answer`` "done" with a note, or "reason"); tracked like a clock
    (:mod:`bot.domain.lifecycle`: live while open, overdue past ``due``).
    """

    id: int
    text: str
    due: str
    issued_by: str
    issued_at: str
    issued_by_id: int = 0
    answer: str = ""
    note: str = ""
    answered_on: str = ""
    answered_by: str = ""

    def __post_init__(self) -> None:
        self.id = int(self.id)
        self.text = _text(self.text, "notice_text", MAX_TEXT, required=True)
        self.due = check_date(self.due, "due", allow_empty=False)
        self.issued_by = _text(self.issued_by, "issued_by", MAX_NAME)
        self.issued_at = _text(self.issued_at, "issued_at", 40)
        self.issued_by_id = int(self.issued_by_id or 0)
        if self.answer:
            self.answer = _choice(self.answer, NOTICE_ANSWERS, "answer")
        self.note = _text(self.note, "note", MAX_TEXT)
        self.answered_on = check_date(self.answered_on, "answered_on")
        self.answered_by = _text(self.answered_by, "answered_by", MAX_NAME)

    @property
    def open(self) -> bool:
        return not self.answer


#: who reviews a draft reply (审核), one position per step of a year's chain
REVIEWERS = ("division_head", "leader", "head", "office")
REVIEW_DECISIONS = ("approved", "returned")


@dataclass
class Review:
    """One reviewer's decision on a draft reply (审核): 同意, or 退回修改 with a reason."""

    round: int
    position: str
    decision: str
    by: str
    at: str
    by_id: int = 0
    reason: str = ""

    def __post_init__(self) -> None:
        self.round = int(self.round)
        self.position = _choice(self.position, REVIEWERS, "position")
        self.decision = _choice(self.decision, REVIEW_DECISIONS, "decision")
        self.by = _text(self.by, "by", MAX_NAME)
        self.at = _text(self.at, "at", 40)
        self.by_id = int(self.by_id or 0)
        self.reason = _text(self.reason, "reason", MAX_TEXT)


#: what a document on a case is (复文, 草稿, 协商记录, 公开证明, 其他)
DOC_TYPES = ("reply", "draft", "consultation", "publication", "other")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def attachment(data: Any) -> dict[str, Any]:
    """A document on a case, checked: a stored file (``sha256``, ``name``, ``size``,
    ``format``) or a link (``url``), with its ``type``, when (``at``) and by whom. Kept as a
    plain dict (stored as it is; :mod:`bot.domain.documents` holds the rules)."""
    if not isinstance(data, dict):
        raise ValidationError("err.not_text", field="documents")
    doc: dict[str, Any] = {
        "type": _choice(data.get("type", ""), DOC_TYPES, "doc_type"),
        "sha256": str(data.get("sha256") or ""),
        "name": _text(data.get("name"), "doc_name", 255),
        "size": int(data.get("size") or 0),
        "format": _text(data.get("format"), "doc_format", 10),
        "url": _text(data.get("url"), "doc_url", 2000),
        "at": _text(data.get("at"), "at", 40),
        "by": _text(data.get("by"), "by", MAX_NAME),
        "by_id": int(data.get("by_id") or 0)}
    if bool(doc["sha256"]) == bool(doc["url"]):
        raise ValidationError("err.doc_file_or_link")
    if doc["sha256"] and not _SHA256_RE.match(doc["sha256"]):
        raise ValidationError("err.doc_bad_hash", value=doc["sha256"][:80])
    return doc


@dataclass
class HistoryEvent:
    """One step of a case's trace (痕迹管理): who changed what, when, from which value."""

    case_id: int
    at: str
    who: str
    field: str
    old: Any = None
    new: Any = None
    note: str = ""
    #: the person id of who made the change (0: the system, the command line, or unknown);
    #: ``who`` is the name as it was then
    who_id: int = 0

    def to_dict(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HistoryEvent:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


class Actor(str):
    """Who makes a change: the name as it is now (a ``str``, as history shows it) and the
    person's id (0 for the system or the command line), so that history tells two people
    of one name apart."""

    id: int

    def __new__(cls, name: str, person_id: int = 0) -> Actor:
        self = super().__new__(cls, name)
        self.id = int(person_id or 0)
        return self


# ---------------------------------------------------------------- the case


@dataclass
class Case:
    kind: str
    number: str
    year: int
    title: str
    role: str
    session: str = ""
    proposers: list[str] = field(default_factory=list)
    lead_unit: str = ""
    # the five fixes (deadline lives in the main clock, see ``deadline``)
    division: str = ""
    task: str = ""
    handler: str = ""
    #: the handler's person id: who owns the case (``handler`` is how people read and type
    #: the name); 0 while the name matches nobody (or nobody is named)
    handler_id: int = 0
    requirements: str = ""
    stage: str = "registered"
    assigned_on: str = ""
    clocks: dict[str, Clock] = field(default_factory=dict)
    consultations: list[Consultation] = field(default_factory=list)
    reply_class: str = ""
    satisfaction: str = ""
    #: the first reply of a case that 不满意 reopened: its due date and the day it was given
    #: (MET_UNKNOWN when unknown), kept for the report's timeliness; "" otherwise
    first_reply_due: str = ""
    first_reply_on: str = ""
    continuation: bool = False
    origin_session: str = ""
    #: 签收: when the handler signed for the assigned case (an ISO datetime; MET_UNKNOWN when
    #: signed on a day nobody recorded), by whom (name and person id); "" while not signed
    signed_at: str = ""
    signed_by: str = ""
    signed_by_id: int = 0
    #: 督办单: the supervision notices issued on the case, oldest first
    notices: list[Notice] = field(default_factory=list)
    #: 审核: the draft reply's text (optional), the review round (one per 已拟复文), the chain
    #: of that round (positions, from the year's rules), since when its current step waits,
    #: and every reviewer's decision
    draft_text: str = ""
    review_round: int = 0
    review_chain: list[str] = field(default_factory=list)
    review_since: str = ""
    reviews: list[Review] = field(default_factory=list)
    #: documents on the case (复文, 草稿, 协商记录, 公开证明...): files by content hash, or
    #: links; oldest first (:func:`attachment`)
    documents: list[dict[str, Any]] = field(default_factory=list)
    #: ledger columns the bot does not know, kept and exported back unchanged
    extra: dict[str, str] = field(default_factory=dict)
    id: int = 0
    version: int = 0
    created_at: str = ""
    updated_at: str = ""

    def __post_init__(self) -> None:
        self.validate()

    # -- validation

    def validate(self) -> None:
        self.kind = _choice(self.kind, KINDS, "kind")
        self.number = normalize_number(self.number)
        self.year = _year(self.year)
        self.title = _text(self.title, "title", MAX_TITLE, required=True)
        self.role = _choice(self.role, ROLES, "role")
        self.session = _text(self.session, "session", MAX_NAME)
        if isinstance(self.proposers, str):
            self.proposers = split_names(self.proposers)
        self.proposers = [_text(p, "proposers", MAX_NAME, required=True) for p in self.proposers]
        self.lead_unit = _text(self.lead_unit, "lead_unit", MAX_NAME * 2)
        self.division = _text(self.division, "division", MAX_NAME)
        self.task = _text(self.task, "task", MAX_TEXT)
        self.handler = _text(self.handler, "handler", MAX_NAME)
        try:
            self.handler_id = int(self.handler_id or 0)
        except (TypeError, ValueError):
            raise ValidationError("err.bad_person_id", value=str(self.handler_id)) from None
        if not self.handler:
            self.handler_id = 0
        self.requirements = _text(self.requirements, "requirements", MAX_TEXT)
        self.stage = _choice(self.stage, STAGES, "stage")
        self.assigned_on = check_date(self.assigned_on, "assigned_on")
        clocks: dict[str, Clock] = {}
        for name, clock in (self.clocks or {}).items():
            _choice(name, CLOCKS, "clock")
            clocks[name] = _checked(clock, Clock)
        self.clocks = clocks
        self.consultations = [_checked(c, Consultation) for c in self.consultations]
        if self.reply_class:
            self.reply_class = _choice(self.reply_class, REPLY_CLASSES, "reply_class")
        if self.satisfaction:
            self.satisfaction = _choice(self.satisfaction, SATISFACTIONS, "satisfaction")
        self.first_reply_due = check_date(self.first_reply_due, "first_reply_due")
        if self.first_reply_on != MET_UNKNOWN:
            self.first_reply_on = check_date(self.first_reply_on, "first_reply_on")
        self.continuation = bool(self.continuation)
        self.origin_session = _text(self.origin_session, "origin_session", MAX_NAME)
        if self.continuation and not self.origin_session:
            raise ValidationError("err.continuation_needs_origin")
        self.signed_at = _text(self.signed_at, "signed_at", 40)
        self.signed_by = _text(self.signed_by, "signed_by", MAX_NAME)
        self.signed_by_id = int(self.signed_by_id or 0)
        self.notices = [_checked(n, Notice) for n in (self.notices or [])]
        self.draft_text = _text(self.draft_text, "draft_text", MAX_TEXT * 4)
        self.review_round = int(self.review_round or 0)
        self.review_chain = [_choice(p, REVIEWERS, "review_chain")
                             for p in (self.review_chain or [])]
        self.review_since = check_date(self.review_since, "review_since")
        self.reviews = [_checked(r, Review) for r in (self.reviews or [])]
        self.documents = [attachment(d) for d in (self.documents or [])]
        self.extra = {clean_text(str(k), controls="remove").strip():
                      "" if v is None else clean_text(str(v), controls="remove").strip()
                      for k, v in (self.extra or {}).items()}

    # -- derived

    @property
    def key(self) -> tuple[str, int, str, str]:
        """(kind, year, number, origin session or session): unique among cases."""
        return (self.kind, self.year, self.number, self.origin_session or self.session)

    @property
    def main_clock(self) -> str | None:
        """The clock the five-fix deadline stands for: reply, opinion, follow-up, or none.

        A continuation case (续办续复) is chased on its follow-up clock.
        """
        if self.continuation:
            return "followup"
        if self.role in REPLY_ROLES:
            return "reply"
        if self.role in OPINION_ROLES:
            return "opinion"
        return None

    @property
    def deadline(self) -> str:
        name = self.main_clock
        clock = self.clocks.get(name) if name else None
        return clock.due if clock else ""

    def set_deadline(self, due: str, source: str = "set") -> None:
        name = self.main_clock
        if name is None:
            raise ValidationError("err.reference_no_deadline")
        clock = self.clocks.get(name)
        if clock is None:
            self.clocks[name] = Clock(due=due, source=source)
        else:
            clock.due = check_date(due, "deadline", allow_empty=False)
            clock.source = source

    @property
    def answered(self) -> bool:
        return self.stage in ANSWERED_STAGES

    # -- (de)serialisation

    def to_dict(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Case:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def copy(self) -> Case:
        return clone(self)


def split_names(text: str) -> list[str]:
    """Proposers as written in a ledger: separated by 、 , , ; ; or spaces."""
    return [p for p in re.split(r"[、,,;;\s]+", text or "") if p]


def five_fixes_missing(case: Case) -> list[str]:
    """Which of the five fixes (五定) the case still lacks, in the canonical order.

    A work-reference case (工作参考) has no deadline, so it never lacks one.
    """
    missing = []
    for fix in FIXES:
        if fix == "deadline":
            if case.main_clock is not None and not case.deadline:
                missing.append(fix)
        elif not getattr(case, fix):
            missing.append(fix)
    return missing


def stage_index(stage: str) -> int:
    return STAGES.index(stage)


# ---------------------------------------------------------------- people


@dataclass
class Person:
    name: str
    position: str
    division: str = ""
    leads_divisions: list[str] = field(default_factory=list)
    telegram: int | None = None
    username: str = ""
    language: str = "zh"
    approved: bool = False
    active: bool = True
    #: whether the bot could reach them last time (False after Telegram said Forbidden)
    reachable: bool = True
    #: when unreachable: Telegram said they never started the bot (not that they blocked it)
    never_started: bool = False
    id: int = 0

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        self.name = _text(self.name, "name", MAX_NAME, required=True)
        self.position = _choice(self.position, POSITIONS, "position")
        self.division = _text(self.division, "division", MAX_NAME)
        if self.position in ("division_head", "handler") and not self.division:
            raise ValidationError("err.person_needs_division", name=self.name)
        if isinstance(self.leads_divisions, str):
            self.leads_divisions = split_names(self.leads_divisions)
        self.leads_divisions = [_text(d, "leads_divisions", MAX_NAME, required=True)
                                for d in self.leads_divisions]
        if self.telegram is None or self.telegram == "":  # type: ignore[comparison-overlap]
            self.telegram = None
        else:
            try:
                self.telegram = int(self.telegram)
            except (TypeError, ValueError):
                raise ValidationError("err.bad_telegram", value=str(self.telegram)) from None
        self.username = _text(self.username, "username", 64).lstrip("@")
        self.language = _choice(self.language, LANGUAGES, "language")
        self.approved = bool(self.approved)
        self.active = bool(self.active)
        self.reachable = bool(self.reachable)
        self.never_started = bool(self.never_started) and not self.reachable

    @property
    def linked(self) -> bool:
        return self.telegram is not None

    def to_dict(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Person:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def copy(self) -> Person:
        return clone(self)


# ---------------------------------------------------------------- changes


def diff_cases(old: Case, new: Case) -> list[tuple[str, Any, Any]]:
    """The fields that differ between two versions of a case, as (field, old, new).

    Bookkeeping fields (id, version, timestamps) are left out; clocks are compared clock
    by clock so the history says ``clocks.reply`` rather than the whole dict.
    """
    # (values compared as they are, and converted with ``plain`` only where they differ:
    # converting two whole cases per save was most of a diff's cost)
    return _diff(old.__dict__, new.__dict__, plain)


def diff_case_docs(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """:func:`diff_cases` of two cases in their plain form (:meth:`Case.to_dict`, every
    field present): the same list, with no object built (the store diffs a save against
    the stored document). The values in it are those of ``old`` and ``new``, not copies."""
    return _diff(old, new, None)


def _diff(a: Mapping[str, Any], b: Mapping[str, Any],
          convert: Callable[[Any], Any] | None) -> list[tuple[str, Any, Any]]:
    out = []
    for name in _DIFFED:
        x, y = a[name], b[name]
        if x != y:
            if convert is not None:
                x, y = convert(x), convert(y)
                if x == y:
                    continue
            out.append((name, x, y))
    ca, cb = a["clocks"], b["clocks"]
    for name in sorted(set(ca) | set(cb)):
        x, y = ca.get(name), cb.get(name)
        if x != y:
            if convert is not None:
                x, y = convert(x), convert(y)
                if x == y:
                    continue
            out.append((f"clocks.{name}", x, y))
    return out


_FIELD_NAMES.update({cls: tuple(f.name for f in fields(cls))
                     for cls in (Clock, Consultation, Notice, Review, HistoryEvent, Case,
                                 Person)})
#: the fields :func:`diff_cases` compares one by one (bookkeeping and clocks left out)
_DIFFED = tuple(name for name in _FIELD_NAMES[Case]
                if name not in {"id", "version", "created_at", "updated_at", "clocks"})
