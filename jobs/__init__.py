"""Scheduled work. ``register(app)`` installs the jobs; each asks bot.domain what to send."""

from __future__ import annotations

from telegram.ext import Application


def register(app: Application) -> None:
    """The reminder tick (daily digests, catch-up, weekly summary): see :mod:`jobs.reminders`."""
    from jobs import backup, reminders

    reminders.register(app)
    backup.register(app)  # the nightly backup and the job-run log
