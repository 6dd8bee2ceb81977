"""Telegram handlers, one module per feature. ``register(app)`` installs them all."""

from __future__ import annotations

import importlib

from telegram.ext import Application

#: feature modules, in the order their handlers are tried
MODULES = ("observe", "basic", "cases", "people", "queries", "reminders", "health", "registration",
           "update", "update_consult", "update_answer", "update_extend", "update_fixes",
           "supervision", "ledger", "groups")


def register(app: Application) -> None:
    from handlers.common import register_buttons
    from handlers.flows import register_flows

    for name in MODULES:
        module = importlib.import_module(f"handlers.{name}")
        install = getattr(module, "register", None)  # a module of flows only has none
        if install is not None:
            install(app)
    register_flows(app)
    register_buttons(app)
