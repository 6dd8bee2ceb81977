"""Telegram handlers, one module per feature. ``register(app)`` installs them all."""

from __future__ import annotations

import importlib

from telegram.ext import Application

# ---------------------------------------------------------------- handler groups
# PTB tries the groups in ascending order; in each group the first handler that matches
# handles the update, then the next group is tried. Every add_handler names its group here.

#: observe: notes when an update arrives, before anything else runs
FIRST_GROUP = -1_000
#: queries' pre-check: sees whether a flow waits *before* group 0 may end it, so the
#: free-text handler knows if the text was a flow's answer
PRECHECK_GROUP = -10
#: every feature's commands, the flow conversation and the signed-button handler; one
#: group, so a command or button is handled by exactly one feature
FEATURES = 0
#: free text as a question: after the features, so a flow waiting for text takes it first
QUERY_GROUP = 10
#: reminders' watch of blocked / unblocked chats and /start's reachability mark: apart from
#: the features, so /start is both answered (group 0) and noted here
MEMBER_GROUP = 20
#: "unknown command": after every feature, so only a command no feature took gets it
UNKNOWN_COMMAND_GROUP = 40
#: last resorts (edited messages, media nobody asked for), after everything that answers
LEFTOVER_GROUP = 50
#: observe: logs the update and its handling time once every group has run
LAST_GROUP = 999_999

#: feature modules, in the order their handlers are tried
MODULES = ("observe", "basic", "cases", "people", "queries", "reminders", "health", "registration",
           "update", "update_consult", "update_answer", "update_extend", "update_fixes",
           "supervision", "documents", "ledger", "groups")


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
