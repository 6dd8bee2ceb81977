"""/health for the office: is the bot well, and what needs looking after?

Shows the uptime and updates handled (handlers.observe), the last reminder run with its
send-log counts, the people the bot cannot reach (blocked it, or no Telegram account
linked), the database's size and the free disk, the last backup, and the last failed save
or nightly backup if any. Office only (the guard's ``health`` action).
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections import Counter
from pathlib import Path

from telegram.ext import Application

from bot.domain.reminders import unreachable_reason
from data.backup import human_size as size
from data.backup import list_backups
from data.storage import DB_NAME, WAL_NAME
from data.tables import ReminderRuns, SendLog
from handlers.common import Ctx, command, esc, guard

STARTED = "health.started"
#: unreachable people listed by name (the rest are counted)
LIST_PEOPLE = 15


def uptime_text(seconds: float, lang: str) -> str:
    from bot.texts import t

    minutes = int(seconds // 60)
    d, rest = divmod(minutes, 24 * 60)
    h, m = divmod(rest, 60)
    return t("unit.days_hours", lang, d=d, h=h, m=m) if d else t("unit.hours", lang, h=h, m=m)


def _reminder_line(c: Ctx) -> str:
    run = ReminderRuns(c.store).latest("daily")
    if run is None:
        return c.t("health.reminders_none")
    counts = Counter(SendLog(c.store).status_counts(run["day"], "daily"))
    status = c.t("health.run.done") if run["status"] == "done" else c.t("health.run.running")
    never = c.t("health.never")
    return c.t("health.reminders", day=run["day"], status=status,
               started=_hhmm(run.get("started_at")) or never,
               finished=_hhmm(run.get("finished_at")) or never, sent=counts["sent"],
               pending=counts["pending"], failed=counts["failed"],
               unreachable=counts["unreachable"])


def _delivery_lines(c: Ctx) -> list[str]:
    """Digests not (surely) delivered, and a held clock jump (jobs.reminders)."""
    from jobs.reminders import clock_hold, trouble

    lines = [esc(line) for line in trouble(c.store, c.lang)]
    hold = clock_hold(c.context.application)
    if hold is not None:
        lines.append(c.t("delivery.health.clock", seen=(hold.get("seen") or "")[:16],
                         expected=(hold.get("expected") or "")[:16]))
    return lines


def _hhmm(iso: str | None) -> str:
    if not iso:
        return ""
    return dt.datetime.fromisoformat(iso).strftime("%m-%d %H:%M")


def _unreachable_lines(c: Ctx) -> list[str]:
    people = [(p, unreachable_reason(p)) for p in c.store.people() if p.approved and p.active]
    stuck = sorted(((p, r) for p, r in people if r in ("blocked", "not_started", "unlinked")),
                   key=lambda pr: (pr[1], pr[0].name))
    lines = [c.t("health.unreachable", n=len(stuck))]
    for p, reason in stuck[:LIST_PEOPLE]:
        lines.append(c.t("health.unreachable_line", name=esc(p.name),
                         reason=c.t(f"health.reason.{reason}")))
    if len(stuck) > LIST_PEOPLE:
        lines.append(c.t("health.unreachable_more", n=len(stuck) - LIST_PEOPLE))
    return lines


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def health_text(c: Ctx) -> str:
    """The /health message for the asker's language."""
    from handlers.common import app_state
    from jobs.backup import LAST_ERROR

    stats = app_state(c.context).stats

    bot_data = c.context.application.bot_data
    data_dir = Path(c.store.data_dir)
    started_mono, since = bot_data.get(STARTED) or (time.monotonic(), c.now)
    lines = [c.t("health.title"),
             c.t("health.uptime", uptime=uptime_text(time.monotonic() - started_mono, c.lang),
                 since=since.strftime("%Y-%m-%d %H:%M"), updates=stats["updates"],
                 slowest=round(stats["slowest_ms"])),
             _reminder_line(c)]
    lines += _delivery_lines(c)
    lines += _unreachable_lines(c)
    try:
        free = size(shutil.disk_usage(data_dir).free)
    except OSError:
        free = c.t("health.never")
    lines.append(c.t("health.database", cases=len(c.store.cases()),
                     people=len(c.store.people()), db=size(_file_size(data_dir / DB_NAME)),
                     wal=size(_file_size(data_dir / WAL_NAME)), free=free))
    backups = list_backups(data_dir)
    lines.append(c.t("health.backup", name=backups[-1].name, n=len(backups)) if backups
                 else c.t("health.backup_none"))
    if bot_data.get(LAST_ERROR):
        lines.append(c.t("health.backup_failed", error=esc(bot_data[LAST_ERROR])))
    write_error = bot_data.get("last_write_error")
    if write_error is not None:
        lines.append(c.t("health.write_error", error=esc(write_error.render(c.lang))))
    return "\n".join(lines)


@guard("health")
async def health_cmd(c: Ctx) -> None:
    await c.reply(health_text(c))


def register(app: Application) -> None:
    clock = app.bot_data.get("time")
    app.bot_data.setdefault(STARTED, (time.monotonic(),
                                      clock.now() if clock is not None else dt.datetime.now()))
    command(app, "health", health_cmd)
