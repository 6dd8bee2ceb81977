"""Restart notices: the flows waiting for someone's input, listed beside the store.

PTB keeps conversations in memory and the application has no persistence, so a restart
cuts every waiting flow off. :class:`WaitingFlows` lists them (chat, user, flow, language,
boot id) in :data:`WAITING_FILE`; the engine (:mod:`handlers.flows`) adds a flow when it
first asks and removes it when it ends, and at start-up tells the users of an earlier
boot's entries to start again. The list is session state, not case data: it is kept out of
the database, so starting a flow writes nothing there and backups do not carry it.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from telegram.ext import ContextTypes

from handlers.common import get_store

log = logging.getLogger("duban.flows")

#: the file beside the store listing the flows waiting for input (see WaitingFlows)
WAITING_FILE = "flows-waiting.json"


class WaitingFlows:
    """The flows waiting for someone's input, in a JSON file beside the store.

    Only what is needed to tell a user after a restart that their flow was cut off: chat,
    user, flow name, language, and the boot (process start) that ran it. Written with a
    rename, so a crash leaves the old list or the new one; a list that cannot be read is
    treated as empty (the notice is a courtesy, never a reason to fail).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._rows: dict[str, dict[str, Any]] = self._load()

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            rows = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return rows if isinstance(rows, dict) else {}

    def _save(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            tmp.write_text(json.dumps(self._rows, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("could not write %s: %s", self.path, exc)

    @staticmethod
    def _key(chat_id: int, user_id: int) -> str:
        return f"{chat_id}:{user_id}"

    def add(self, chat_id: int, user_id: int, flow: str, lang: str, boot: str) -> None:
        self._rows[self._key(chat_id, user_id)] = {"chat": chat_id, "user": user_id,
                                                   "flow": flow, "lang": lang, "boot": boot}
        self._save()

    def remove(self, chat_id: int, user_id: int) -> None:
        if self._rows.pop(self._key(chat_id, user_id), None) is not None:
            self._save()

    def take_orphans(self, boot: str) -> list[dict[str, Any]]:
        """The entries of other boots (flows a restart cut off), forgotten as they are taken."""
        orphans = [row for row in self._rows.values() if row.get("boot") != boot]
        if orphans:
            self._rows = {k: row for k, row in self._rows.items() if row.get("boot") == boot}
            self._save()
        return orphans

    def __len__(self) -> int:
        return len(self._rows)


def waiting_flows(context: ContextTypes.DEFAULT_TYPE) -> WaitingFlows:
    """The application's list of waiting flows (beside its store)."""
    bot_data = context.application.bot_data
    flows = bot_data.get("_waiting_flows")
    if flows is None:
        flows = bot_data["_waiting_flows"] = WaitingFlows(
            Path(get_store(context).data_dir) / WAITING_FILE)
    return flows

