"""Scheduled work. ``register(app)`` installs the jobs; each asks bot.domain what to send."""

from __future__ import annotations

from telegram.ext import Application


def register(app: Application) -> None:
    """No jobs yet: the daily reminders arrive with issue 6."""
