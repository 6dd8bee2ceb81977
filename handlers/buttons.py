"""Typed button data: one small frozen dataclass per kind of button, and its wire format.

A button's callback data names its kind by a short ``code`` and carries the kind's fields in
order, signed: ``code:field:field|signature`` (at most 64 bytes; :mod:`handlers.common`
signs and checks the signature with the bot's secret). A handler is declared for a kind
(``@button(CaseButton)`` in :mod:`handlers.common`, ``@entry(StepButton)`` in
:mod:`handlers.flows`) and receives the parsed object, ``async def f(c: Ctx, b: CaseButton)``,
so that mypy checks every field it reads.

The field types drive the parsing (:meth:`ButtonData.parse`):

- ``int``: a non-negative whole number in ASCII digits, as :func:`str` writes it;
- ``bool``: ``1`` or ``0``;
- ``str``: any text without ``:`` (packing one with ``:`` is an error);
- ``int | None`` / ``str | None``: the same, or empty for None (an optional text is never
  empty);
- ``tuple[str, ...]``, as the last field only: all the remaining parts.

Trailing fields at their default are left out of the data, and missing ones read as their
default: a kind may grow fields with defaults at its end, and the data of buttons already
sent still parse.

Data that does not fit its kind (too few or too many parts, text where a number belongs) is
refused like forged data: :meth:`ButtonData.parse` returns None and the one guard says
"invalid button". Every kind is in this module, so the codes (which must stay as they are:
buttons of messages already sent carry them) can be seen, and told apart, in one place.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

B = TypeVar("B", bound="ButtonData")

#: the field separator of the wire format
SEP = ":"
_DIGITS = re.compile(r"[0-9]+")


class ButtonData:
    """The base of every kind of button (a frozen dataclass with a class-level ``code``)."""

    #: the kind's code, first in the callback data; unique among the kinds
    code: ClassVar[str]
    #: how the kind's fields are written and read (worked out from the class, at first use)
    _wire: ClassVar[tuple[_Field, ...]]

    def parts(self) -> list[str]:
        """The data's parts after the code (trailing fields at their default left out)."""
        out: list[tuple[str, bool]] = []  # (part, may be left out when last)
        for f in _fields(type(self)):
            value = getattr(self, f.name)
            if f.rest:
                out.extend((_text(f.name, v), False) for v in value)
            else:
                out.append((f.write(f.name, value), f.has_default and value == f.default))
        while out and out[-1][1]:
            out.pop()
        return [part for part, _ in out]

    def payload(self) -> str:
        """``code:field:field``: what is signed."""
        return SEP.join([self.code, *self.parts()])

    @classmethod
    def parse(cls: type[B], parts: Sequence[str]) -> B | None:
        """The button of ``parts`` (the data's parts after the code), or None when they do not
        fit this kind."""
        fields = _fields(cls)
        values: dict[str, Any] = {}
        for i, f in enumerate(fields):
            if f.rest:
                values[f.name] = tuple(parts[i:])
                break
            if i >= len(parts):
                if not f.has_default:
                    return None
                break
            value = f.read(parts[i])
            if value is _BAD:
                return None
            values[f.name] = value
        else:
            if len(parts) > len(fields):
                return None
        return cls(**values)


# ---------------------------------------------------------------- field types

_BAD = object()


def _text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"button field {name} must be a text, not {value!r}")
    if SEP in value:
        raise ValueError(f"button field {name} may not hold {SEP!r}: {value!r}")
    return value


def _write_int(name: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"button field {name} must be a whole number >= 0, not {value!r}")
    return str(value)


def _read_int(text: str) -> object:
    return int(text) if _DIGITS.fullmatch(text) else _BAD


def _write_bool(name: str, value: object) -> str:
    if not isinstance(value, bool):
        raise TypeError(f"button field {name} must be True or False, not {value!r}")
    return "1" if value else "0"


def _read_bool(text: str) -> object:
    return {"1": True, "0": False}.get(text, _BAD)


def _optional(write: Callable[[str, object], str], read: Callable[[str], object]
              ) -> tuple[Callable[[str, object], str], Callable[[str], object]]:
    def write_opt(name: str, value: object) -> str:
        if value is None:
            return ""
        out = write(name, value)
        if out == "":
            raise ValueError(f"button field {name}: an optional text is never empty")
        return out

    def read_opt(text: str) -> object:
        return None if text == "" else read(text)

    return write_opt, read_opt


_PLAIN: dict[Any, tuple[Callable[[str, object], str], Callable[[str], object]]] = {
    int: (_write_int, _read_int),
    bool: (_write_bool, _read_bool),
    str: (_text, lambda text: text),
}


@dataclass(frozen=True)
class _Field:
    name: str
    write: Callable[[str, object], str]
    read: Callable[[str], object]
    optional: bool
    has_default: bool
    #: ``tuple[str, ...]``: the remaining parts
    rest: bool = False
    default: object = None


def _fields(kind: type[ButtonData]) -> tuple[_Field, ...]:
    """The fields of ``kind``, with how each is written and read (checked once per kind)."""
    wire = kind.__dict__.get("_wire")
    if wire is None:
        wire = kind._wire = _fields_of(kind)
    return wire


def _fields_of(kind: type[ButtonData]) -> tuple[_Field, ...]:
    params = getattr(kind, "__dataclass_params__", None)
    if not dataclasses.is_dataclass(kind) or params is None or not params.frozen:
        raise TypeError(f"{kind.__name__} must be a frozen dataclass")
    hints = typing.get_type_hints(kind)
    out: list[_Field] = []
    fields = dataclasses.fields(kind)
    for i, f in enumerate(fields):
        hint = hints[f.name]
        if f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{kind.__name__}.{f.name}: a default, not a default factory")
        has_default = f.default is not dataclasses.MISSING
        if hint == tuple[str, ...]:
            if i != len(fields) - 1:
                raise TypeError(f"{kind.__name__}.{f.name}: tuple[str, ...] must come last")
            out.append(_Field(f.name, _text, str, False, True, rest=True))
            continue
        args = typing.get_args(hint)
        if isinstance(hint, types.UnionType) and len(args) == 2 and type(None) in args:
            inner = next(a for a in args if a is not type(None))
            write, read = _optional(*_PLAIN[inner])
            out.append(_Field(f.name, write, read, True, has_default, default=f.default))
        elif hint in _PLAIN:
            write, read = _PLAIN[hint]
            out.append(_Field(f.name, write, read, False, has_default, default=f.default))
        else:
            raise TypeError(f"{kind.__name__}.{f.name}: no button field of type {hint}")
    seen_default = False
    for fl in out:
        if seen_default and not fl.has_default:
            raise TypeError(f"{kind.__name__}.{fl.name}: a required field after an optional")
        seen_default = seen_default or fl.has_default
    return tuple(out)


def kinds() -> list[type[ButtonData]]:
    """Every kind of button defined (subclasses of :class:`ButtonData`, recursively)."""
    out: list[type[ButtonData]] = []
    todo = list(ButtonData.__subclasses__())
    while todo:
        kind = todo.pop(0)
        out.append(kind)
        todo.extend(kind.__subclasses__())
    return out


# ---------------------------------------------------------------- cases and their cards


@dataclass(frozen=True)
class CaseButton(ButtonData):
    """[查看] a case: its card (also the choice between cases of one number)."""

    code = "case"
    case_id: int


@dataclass(frozen=True)
class HistoryButton(ButtonData):
    """[办理记录] of a case, at a page (0: the latest steps)."""

    code = "hist"
    case_id: int
    page: int = 0


@dataclass(frozen=True)
class StepButton(ButtonData):
    """A step under a card ([记录协商] [已答复]...), drawn at the case's ``version``."""

    code = "uf"
    step: str
    case_id: int
    version: int


@dataclass(frozen=True)
class CloseButton(ButtonData):
    """The digest's [已办结]: the answer (or the follow-up reply) of a case."""

    code = "close"
    case_id: int


@dataclass(frozen=True)
class ExtendButton(ButtonData):
    """The digest's [申请延期] of a case."""

    code = "ext"
    case_id: int


#: the buttons of the digest's actions (:data:`bot.domain.workflow.DIGEST_ACTIONS`), made
#: from a case id
DIGEST_BUTTONS: dict[str, Callable[[int], ButtonData]] = {
    "close": CloseButton, "ext": ExtendButton}


@dataclass(frozen=True)
class UpdatablePage(ButtonData):
    """A page of ``/update``'s list of cases."""

    code = "updl"
    page: int = 0


@dataclass(frozen=True)
class DeadlinesButton(ButtonData):
    """[时限怎么算] under a card."""

    code = "dl"
    case_id: int


# ---------------------------------------------------------------- flows


@dataclass(frozen=True)
class FlowButton(ButtonData):
    """A choice of a flow's question: the flow's ``token`` and prompt number ``seq`` (an
    older prompt's button is refused), and ``choice``, the option's index or ``p<page>``."""

    code = "fb"
    token: str
    seq: int
    choice: str


# ---------------------------------------------------------------- extensions, notices


@dataclass(frozen=True)
class DecisionButton(ButtonData):
    """[同意] under an extension request (``approve``; [不同意] is :class:`RefusalButton`)."""

    code = "xd"
    request_id: int
    approve: bool


@dataclass(frozen=True)
class RefusalButton(ButtonData):
    """[不同意] under an extension request: asks the reason."""

    code = "xr"
    request_id: int


@dataclass(frozen=True)
class NoticeAnswerButton(ButtonData):
    """[已落实] / [说明情况] under a supervision notice."""

    code = "nr"
    case_id: int
    notice_id: int
    answer: str


@dataclass(frozen=True)
class ListPage(ButtonData):
    """A page of a supervision list; ``start``/``end`` ``YYYYMMDD``, or ``-`` for none."""

    code = "svl"
    kind: str
    page: int
    start: str
    end: str


# ---------------------------------------------------------------- queries


@dataclass(frozen=True)
class QueryButton(ButtonData):
    """A drill-down: the query of kind ``query`` with its ``fields`` at ``page``, in a new
    message (``query`` ``~``: a query remembered by the key in ``fields``)."""

    code = "q"
    query: str
    page: int
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryPageButton(QueryButton):
    """[上一页] / [下一页] of a query's answer: the same, in place of the list."""

    code = "qn"


# ---------------------------------------------------------------- people


@dataclass(frozen=True)
class LangButton(ButtonData):
    """/lang's choice."""

    code = "lang"
    lang: str


@dataclass(frozen=True)
class JoinButton(ButtonData):
    """A decision on a join request: ``choice`` (h/d/l: approve as, r: reactivate,
    x: reject), then the ``person`` of the list it is (0: a new person) and the
    ``division``'s index, when asked."""

    code = "join"
    request_id: int
    choice: str = ""
    person: int | None = None
    division: int | None = None


@dataclass(frozen=True)
class PeoplePage(ButtonData):
    """A page of /people."""

    code = "ppl"
    page: int = 0


@dataclass(frozen=True)
class PersonButton(ButtonData):
    """The office's buttons on a person: ``op`` (pos, div, lead, off, on; empty: the
    person's card), its ``value`` (an index, or ``yes``) and the ``digest`` of the list of
    divisions the index is in."""

    code = "pers"
    person_id: int
    op: str = ""
    value: str | None = None
    digest: str | None = None


@dataclass(frozen=True)
class AckButton(ButtonData):
    """[收到] under a digest: its ``kind`` (daily, weekly) and ``day`` (``YYYYMMDD``)."""

    code = "ack"
    kind: str
    day: str


# ---------------------------------------------------------------- files and ledgers


@dataclass(frozen=True)
class AttachButton(ButtonData):
    """[📎 附件] under a card: the next file or link goes to the case."""

    code = "docadd"
    case_id: int


@dataclass(frozen=True)
class DocTypeButton(ButtonData):
    """The type of a kept file or link (``-``: cancel)."""

    code = "doctype"
    token: str
    choice: str


@dataclass(frozen=True)
class FilesButton(ButtonData):
    """[附件 (n)] under a card: the case's documents."""

    code = "docs"
    case_id: int


@dataclass(frozen=True)
class FileButton(ButtonData):
    """One document of a case back: its place and ``tag`` (a short hash)."""

    code = "docget"
    case_id: int
    index: int
    tag: str


@dataclass(frozen=True)
class PreviewButton(ButtonData):
    """Under a cases ledger's preview: ``choice`` d (details), i (import), o (import,
    overwriting conflicts), c (cancel)."""

    code = "lp"
    token: str
    choice: str


@dataclass(frozen=True)
class ImportButton(ButtonData):
    """[只导入正确的行] (``mode`` p) / [导入] (a) of a kept file."""

    code = "imp"
    token: str
    mode: str


# ---------------------------------------------------------------- groups


@dataclass(frozen=True)
class GroupButton(ButtonData):
    """A group chosen from /group's list (``chat`` its id as text: group ids are negative)."""

    code = "grp"
    chat: str


@dataclass(frozen=True)
class GroupToggleButton(ButtonData):
    """One switch of a group's setting: ``command`` allowed there, or no longer."""

    code = "grt"
    chat: str
    command: str
