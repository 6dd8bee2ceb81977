"""Telegram handlers, one module per feature. ``register(app)`` installs them all."""

from __future__ import annotations

import importlib

from telegram.ext import Application

#: feature modules, in the order their handlers are tried
MODULES = ("observe", "basic", "cases", "people", "queries", "reminders", "health", "registration",
           "update", "supervision", "documents", "ledger", "groups")


def register(app: Application) -> None:
    from handlers.common import register_buttons

    for name in MODULES:
        importlib.import_module(f"handlers.{name}").register(app)
    register_buttons(app)
