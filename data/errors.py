"""The store's errors. Each names a catalogue message (``bot/texts/store.py``).

``str(err)`` is the Chinese text (what the command line prints); ``err.render(lang)`` gives
it in the user's language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.texts import t


class CatalogueError(Exception):
    """An error whose text is a catalogue message: ``key`` and ``params`` name it."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(key)

    def render(self, lang: str | None = "zh") -> str:
        return t(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.render("zh")


class StoreError(CatalogueError):
    """Base of the store's errors."""


class StoreLocked(StoreError):
    """Another process holds the data directory (it runs ``duban`` on it)."""

    def __init__(self, data_dir: Path, pid: int | None) -> None:
        self.data_dir = Path(data_dir)
        self.pid = pid
        super().__init__("store.locked", path=str(self.data_dir),
                         pid=pid if pid is not None else "?")


class StoreWriteError(StoreError):
    """A commit could not be written (disk full, read-only directory...).

    Nothing of it reached the database: the file is as before and the store's memory was
    rolled back to the last committed state.
    """

    def __init__(self, path: Path, cause: BaseException) -> None:
        self.path = Path(path)
        self.cause = cause
        reason = getattr(cause, "strerror", None) or str(cause) or type(cause).__name__
        super().__init__("store.write_failed", path=str(self.path), reason=reason)


class StoreOpenError(StoreError):
    """The data directory cannot be opened (read-only file system, permissions...)."""

    def __init__(self, data_dir: Path, cause: BaseException) -> None:
        self.data_dir = Path(data_dir)
        self.cause = cause
        reason = getattr(cause, "strerror", None) or str(cause) or type(cause).__name__
        super().__init__("store.open_failed", path=str(self.data_dir), reason=reason)


class StoreReadOnly(StoreError):
    """A write was attempted on a store opened with ``readonly=True``."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__("store.readonly", path=str(data_dir))


class StoreSchemaError(StoreError):
    """The database was written by a newer duban (its schema version is unknown here)."""

    def __init__(self, path: Path, found: Any, supported: int) -> None:
        self.found = found
        super().__init__("store.schema_newer", path=str(path), found=found, supported=supported)


class StoreCorrupt(StoreError):
    """The files of the data directory are not what duban wrote (hand edits, lost files)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__("store.corrupt", path=str(path), reason=reason)


class TransactionAborted(StoreError):
    """An inner ``transaction()`` failed, so the outer one was rolled back as a whole."""

    def __init__(self) -> None:
        super().__init__("store.txn_aborted")


class UnknownRecord(StoreError, KeyError):
    """``save_case``/``save_person`` of an id the store does not hold."""

    def __init__(self, what: str, record_id: Any) -> None:
        self.record_id = record_id
        super().__init__(f"store.unknown_{what}", id=record_id)

    __str__ = StoreError.__str__


class DuplicateCase(StoreError):
    """A case with the same key (kind, year, number, session) exists: ``existing``."""

    def __init__(self, existing: Any) -> None:
        self.existing = existing
        super().__init__("store.duplicate_case", number=existing.number, year=existing.year,
                         session=existing.origin_session or existing.session or "-",
                         kind=t(f"kind.{existing.kind}", "zh"), id=existing.id)

    def render(self, lang: str | None = "zh") -> str:
        params = dict(self.params, kind=t(f"kind.{self.existing.kind}", lang))
        return t(self.key, lang, **params)


class DuplicatePerson(StoreError):
    """Another person is linked to the same Telegram account: ``existing``."""

    def __init__(self, existing: Any) -> None:
        self.existing = existing
        super().__init__("store.duplicate_telegram", name=existing.name,
                         telegram=existing.telegram)


class StaleCase(StoreError):
    """``save_case(expected_version=...)`` but someone saved the case in between."""

    def __init__(self, case_id: int, expected: int, actual: int) -> None:
        self.case_id, self.expected, self.actual = case_id, expected, actual
        super().__init__("store.stale_case", id=case_id, expected=expected, actual=actual)
