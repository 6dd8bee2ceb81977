"""The store's side tables as small typed repositories, so that handlers and jobs ask for
what they need ("the pending extension request of case 7") instead of writing TinyDB queries,
and no module outside ``data/`` imports ``tinydb``.

Each repository wraps one plain table of :meth:`data.store.Store.table` (the documents and
their table names are unchanged: existing data reads as before). Writes are durable commits
like any other, and join an open ``store.transaction()``. Documents are returned as plain
``dict`` copies (with ``id``, their document id, where the callers need it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tinydb import Query

JOIN_REQUESTS = "join_requests"
EXTENSION_REQUESTS = "extension_requests"
REMINDER_RUNS = "reminder_runs"
REMINDER_LOG = "reminder_log"
REMINDER_ACKS = "reminder_acks"

_Q = Query()


def _match(match: dict[str, Any]) -> Any:
    """The TinyDB query "every field of ``match`` equals its value"."""
    cond = None
    for name, value in match.items():
        test = Query()[name] == value
        cond = test if cond is None else cond & test
    assert cond is not None, "a query needs at least one field"
    return cond


def remove_days_before(store, name: str, day: dt.date | str) -> int:
    """Delete the documents of table ``name`` dated (``day``) before ``day``; how many."""
    iso = _iso(day)
    table = store.table(name)
    return len(table.remove(_Q.day < iso)) if table.contains(_Q.day < iso) else 0


def _iso(day: dt.date | str) -> str:
    return day if isinstance(day, str) else day.isoformat()


def _with_id(doc: Any) -> dict[str, Any] | None:
    return None if doc is None else dict(doc, id=doc.doc_id)


class _Repository:
    NAME = ""

    def __init__(self, store) -> None:
        self.store = store
        self.table = store.table(self.NAME)

    def get(self, doc_id: int) -> dict[str, Any] | None:
        """The document with this id (a copy, with ``id``), or None."""
        return _with_id(self.table.get(doc_id=doc_id))

    def add(self, doc: dict[str, Any]) -> int:
        """Store a new document; its id."""
        return self.table.insert(dict(doc))

    def update(self, doc_id: int, fields: dict[str, Any]) -> None:
        """Set ``fields`` on document ``doc_id``."""
        self.table.update(dict(fields), doc_ids=[doc_id])

    def all(self) -> list[dict[str, Any]]:
        return [_with_id(d) for d in self.table.all()]  # type: ignore[misc]

    # the queries of the jobs: equality on fields; the stored documents themselves (TinyDB
    # documents: ``dict`` with ``doc_id``), not to be mutated (write through :meth:`set`)

    def docs(self, **match: Any) -> list[Any]:
        """The stored documents whose fields equal ``match`` (all of them without)."""
        if not match:
            return self.table.all()
        return self.table.search(_match(match))

    def first(self, **match: Any) -> Any:
        """The first stored document whose fields equal ``match``, or None."""
        return self.table.get(_match(match))

    def has(self, **match: Any) -> bool:
        return self.table.contains(_match(match))

    def set(self, fields: dict[str, Any], **match: Any) -> None:
        """Set ``fields`` on every document whose fields equal ``match``."""
        self.table.update(dict(fields), _match(match))

    def remove_before(self, day: dt.date) -> int:
        """Delete the documents of days before ``day`` (for tables with a ``day``); how many."""
        iso = _iso(day)
        return len(self.table.remove(_Q.day < iso)) if self.table.contains(_Q.day < iso) else 0


class JoinRequests(_Repository):
    """People who sent /start unknown or unapproved: ``telegram``, ``name``, ``status``
    (pending, approved, rejected), ``notified`` (the day the office was told)..."""

    NAME = JOIN_REQUESTS

    def of_telegram(self, telegram_id: int) -> dict[str, Any] | None:
        return _with_id(self.table.get(_Q.telegram == telegram_id))

    def pending(self, doc_id: int) -> dict[str, Any] | None:
        """The request if it exists and is still undecided."""
        req = self.get(doc_id)
        return req if req is not None and req.get("status") == "pending" else None


class ExtensionRequests(_Repository):
    """Requests to move a case's deadline (``workflow.ExtensionRequest`` documents)."""

    NAME = EXTENSION_REQUESTS

    def pending_for(self, case_id: int) -> dict[str, Any] | None:
        return _with_id(self.table.get((_Q.case_id == case_id) & (_Q.status == "pending")))


class ReminderAcks(_Repository):
    """[收到] presses under the digests: ``person``, ``name``, ``day``, ``kind``, ``at``."""

    NAME = REMINDER_ACKS

    def record(self, person_id: int, name: str, day: dt.date, kind: str,
               message_id: int | None, at: str) -> bool:
        """Record the acknowledgement; False if this person acknowledged it already."""
        iso = _iso(day)
        if self.table.contains((_Q.person == person_id) & (_Q.day == iso) & (_Q.kind == kind)):
            return False
        self.table.insert({"person": person_id, "name": name, "day": iso, "kind": kind,
                           "at": at, "message": message_id})
        return True

    def of_day(self, day: dt.date) -> list[dict[str, Any]]:
        return [dict(d) for d in self.table.search(_Q.day == _iso(day))]


class ReminderRuns(_Repository):
    """One document per reminder run: ``day``, ``kind`` (daily, weekly), ``status``
    (running, done), ``started_at``, ``finished_at``, ``catch_up``."""

    NAME = REMINDER_RUNS

    def of(self, day: dt.date, kind: str) -> dict[str, Any] | None:
        return _with_id(self.table.get((_Q.day == _iso(day)) & (_Q.kind == kind)))

    def any_before(self, day: dt.date, kind: str) -> bool:
        return self.table.contains((_Q.kind == kind) & (_Q.day < _iso(day)))

    def start(self, day: dt.date, kind: str, at: str, catch_up: bool = False) -> bool:
        """Record that ``day``'s ``kind`` run began (once); False if it was recorded."""
        if self.of(day, kind) is not None:
            return False
        self.table.insert({"day": _iso(day), "kind": kind, "status": "running",
                           "catch_up": catch_up, "started_at": at})
        return True

    def finish(self, day: dt.date, kind: str, at: str) -> None:
        self.table.update({"status": "done", "finished_at": at},
                          (_Q.day == _iso(day)) & (_Q.kind == kind))

    def latest(self, kind: str) -> dict[str, Any] | None:
        """The run of the latest day (the later start on a tie), or None."""
        runs = self.table.search(_Q.kind == kind)
        if not runs:
            return None
        return _with_id(max(runs, key=lambda r: (r["day"], r.get("started_at", ""))))


class SendLog(_Repository):
    """One document per message a run sends: ``day``, ``kind``, ``person``, ``status``
    (pending, sent, failed, unreachable), ``attempts``, ``messages``..."""

    NAME = REMINDER_LOG

    def of_run(self, day: dt.date, kind: str) -> list[dict[str, Any]]:
        iso = _iso(day)
        return [_with_id(d) for d in self.table.search(  # type: ignore[misc]
            (_Q.day == iso) & (_Q.kind == kind))]

    def entries(self, day: dt.date | None = None, kind: str | None = None
                ) -> list[dict[str, Any]]:
        """Entries (of ``day`` and ``kind`` when given), oldest first, with ``id``."""
        docs = self.table.all() if day is None else self.table.search(_Q.day == _iso(day))
        return [_with_id(d) for d in docs  # type: ignore[misc]
                if kind is None or d["kind"] == kind]

    def pending_of_kinds(self, prefix: str) -> list[Any]:
        """The stored pending entries whose kind starts with ``prefix`` (documents)."""
        return self.table.search((_Q.status == "pending") & _Q.kind.test(
            lambda k: isinstance(k, str) and k.startswith(prefix)))

    def status_counts(self, day: dt.date, kind: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for doc in self.of_run(day, kind):
            counts[doc["status"]] = counts.get(doc["status"], 0) + 1
        return counts


class GroupSettings:
    """What each group chat the bot is in may use: one setting (``group_commands``), a
    mapping of the chat id (as text) to ``{"title": ..., "commands": [...]}``, so every
    change is in the setting's history with who made it. A group without an entry may use
    only what :data:`bot.domain.access.GROUP_ALWAYS` holds."""

    SETTING = "group_commands"

    def __init__(self, store) -> None:
        self.store = store

    def _all(self) -> dict[str, dict[str, Any]]:
        value = self.store.get_setting(self.SETTING, {})
        return value if isinstance(value, dict) else {}

    def commands(self, chat_id: int) -> list[str]:
        """The commands the office allowed in the group (not counting /help)."""
        entry = self._all().get(str(chat_id)) or {}
        return [str(c) for c in entry.get("commands") or ()]

    def groups(self) -> list[tuple[int, str, list[str]]]:
        """Every group known: (chat id, title, allowed commands), by title."""
        found = [(int(k), str(v.get("title") or k), [str(c) for c in v.get("commands") or ()])
                 for k, v in self._all().items()]
        return sorted(found, key=lambda g: (g[1], g[0]))

    def title(self, chat_id: int) -> str | None:
        entry = self._all().get(str(chat_id))
        return None if entry is None else str(entry.get("title") or chat_id)

    def note(self, chat_id: int, title: str, who: str) -> None:
        """Remember a group the bot is in (its title kept up to date); writes only a change."""
        groups = self._all()
        entry = groups.get(str(chat_id))
        if entry is not None and entry.get("title") == title:
            return
        groups[str(chat_id)] = {"title": title,
                                "commands": list((entry or {}).get("commands") or ())}
        self.store.set_setting(self.SETTING, groups, who)

    def set_commands(self, chat_id: int, title: str, commands: list[str], who: str) -> None:
        groups = self._all()
        groups[str(chat_id)] = {"title": title, "commands": list(commands)}
        self.store.set_setting(self.SETTING, groups, who)

    def forget(self, chat_id: int, who: str) -> None:
        groups = self._all()
        if groups.pop(str(chat_id), None) is not None:
            self.store.set_setting(self.SETTING, groups, who)

    def migrate(self, old_id: int, new_id: int, who: str) -> bool:
        """A basic group became the supergroup ``new_id``: its entry moves there (once; a
        second call, or one for a group never set, changes nothing)."""
        groups = self._all()
        entry = groups.pop(str(old_id), None)
        if entry is None:
            return False
        groups.setdefault(str(new_id), entry)
        self.store.set_setting(self.SETTING, groups, who)
        return True
