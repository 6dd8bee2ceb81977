"""Who may do what: the one guard every command and every button press asks.

Positions (DOMAIN.md, five-level responsibility):
- handler (承办人): their own cases;
- division_head (处室负责人): every case of their division; registers and assigns within it;
- leader (分管领导): reads every case of the divisions they lead; receives escalations;
- head (主要领导): reads everything; receives escalations;
- office (领导小组办公室): everything, including registering, assigning, importing,
  approving people, editing rules and the calendar.
A person who is unknown, not approved, or deactivated may do nothing at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.model import Case, Person

#: actions that concern one case (the guard needs the case)
CASE_ACTIONS = (
    "view",          # see the case card, its history
    "update",        # record consultations, move stages, answer, ask for an extension
    "assign",        # change the five fixes, reassign the handler
    "decide_extension",  # approve or refuse an extension
    "override",      # answer without consultation, force a stage: office only
    "sign",          # 签收: sign for an assigned case: its handler (or the office)
    "issue_notice",  # 督办单: issue a supervision notice: the office, a leader who reads it
)
#: actions without a case
GLOBAL_ACTIONS = (
    "query",         # ask questions; answers hold only visible cases
    "register",      # /new
    "report",        # /report, /progress for the whole bureau
    "export",
    "import",
    "approve_people",
    "manage_people",
    "edit_rules",
    "edit_calendar",
    "health",
    "edit_groups",   # which commands a group chat may use (/group)
)

# ---------------------------------------------------------------- group chats
#: what every group may use: the command list (and, to any other command, the pointer to
#: the private chat)
GROUP_ALWAYS = ("help",)
#: the commands the office may let a group use. Every member of a group sees the answer,
#: approved or not, so only answers that make sense there: lists and figures read with the
#: asking person's own permissions, without buttons (a button in a group could be pressed by
#: anyone). Cards, history, people and every change stay in private chats.
GROUP_ALLOWABLE = ("overdue", "due", "progress", "report")


def group_commands(allowed: Iterable[str] | None) -> tuple[str, ...]:
    """The commands a group with the office's setting ``allowed`` may use (in the order of
    GROUP_ALWAYS + GROUP_ALLOWABLE); a stored name not allowable is ignored."""
    chosen = set(allowed or ())
    return GROUP_ALWAYS + tuple(c for c in GROUP_ALLOWABLE if c in chosen)


def group_may_answer(allowed: Iterable[str] | None, command: str) -> Decision:
    """May ``command`` be answered in a group whose setting is ``allowed``? Who asks is
    decided apart (``decide`` on the command's own action, with the asker's permissions)."""
    if command in group_commands(allowed):
        return ALLOW
    return _deny("group.private_only")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    #: catalogue key of the refusal, "" when allowed
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def _deny(reason: str) -> Decision:
    return Decision(False, reason)


def active(person: Person | None) -> bool:
    return person is not None and person.approved and person.active


def sees_division(person: Person, division: str) -> bool:
    """Whether the person reads every case of ``division``."""
    if person.position in ("office", "head"):
        return True
    if person.position == "leader":
        return division in person.leads_divisions
    if person.position == "division_head":
        return division == person.division
    return False


def decide(person: Person | None, action: str, case: Case | None = None) -> Decision:
    """May ``person`` do ``action`` (on ``case``)? With the reason when not."""
    if person is None or not person.approved:
        return _deny("access.not_approved")
    if not person.active:
        return _deny("access.deactivated")
    pos = person.position
    if action in CASE_ACTIONS:
        if case is None:
            raise ValueError(f"action {action!r} needs a case")
        if pos == "office":
            return ALLOW
        # a case is one's own by identity, never by name: namesakes are two people
        own = pos == "handler" and bool(case.handler_id) and case.handler_id == person.id
        division = pos == "division_head" and case.division == person.division
        if action == "view":
            if own or sees_division(person, case.division):
                return ALLOW
            return _deny("access.not_yours")
        if action == "update":
            return ALLOW if own or division else _deny("access.cannot_update")
        if action == "sign":
            return ALLOW if own else _deny("access.cannot_sign")
        if action == "issue_notice":
            leader = pos in ("leader", "head") and sees_division(person, case.division)
            return ALLOW if leader else _deny("access.cannot_issue_notice")
        if action in ("assign", "decide_extension"):
            return ALLOW if division else _deny("access.cannot_assign")
        return _deny("access.office_only")
    if action not in GLOBAL_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if action == "query":
        return ALLOW
    if action == "register":
        return ALLOW if pos in ("office", "division_head") else _deny("access.cannot_register")
    if action == "report":
        return ALLOW if pos in ("office", "head", "leader") else _deny("access.leaders_only")
    return ALLOW if pos == "office" else _deny("access.office_only")


def can(person: Person | None, action: str, case: Case | None = None) -> bool:
    return decide(person, action, case).allowed


def visible(person: Person | None, cases: Iterable[Case]) -> list[Case]:
    """The cases ``person`` may see, in the given order.

    The same answer as ``can(person, "view", case)`` for each case, written out per
    position: every question filters all the cases, and one ``decide`` call per case was
    the bot's bottleneck at 50,000 cases (benchmarks/bench_load.py).
    """
    if not active(person):
        return []
    assert person is not None
    position = person.position
    if position in ("office", "head"):
        return list(cases)
    if position == "handler":
        pid = person.id
        return [c for c in cases if c.handler_id == pid] if pid else []
    if position == "division_head":
        division = person.division
        return [c for c in cases if c.division == division]
    if position == "leader":
        led = frozenset(person.leads_divisions)
        return [c for c in cases if c.division in led]
    return [c for c in cases if can(person, "view", c)]


def registrable_divisions(person: Person, divisions: Iterable[str]) -> list[str]:
    """The divisions ``person`` may register or assign cases in."""
    if not active(person):
        return []
    if person.position == "office":
        return list(divisions)
    if person.position == "division_head":
        return [d for d in divisions if d == person.division]
    return []
