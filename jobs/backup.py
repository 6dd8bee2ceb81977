"""The nightly backup, and one structured log line per job run.

**Backup.** A repeating job (:data:`JOB_NAME`) ticks every :data:`TICK_SECONDS`; on the
injected clock (``app.bot_data["time"]``), once it is past :data:`BACKUP_AT` and no backup
of that day exists in ``DATA_DIR/backups/``, it writes one (:func:`data.backup.make_backup`,
keeping the newest 14). The state is the backup folder itself: a bot that was down at
02:00 makes the day's backup at its first tick after the restart, and a restart never
makes a second one. The snapshot is read in a worker thread under the database's shared
``flock``, so the bot keeps answering and committing meanwhile. A failure is logged and kept
in ``bot_data[LAST_ERROR]`` for /health; the next tick tries again.

**Job log.** :func:`log_job_runs` listens to the scheduler and logs
``{"event": "job", "name": ..., "ms": ..., "ok": ...}`` as JSON for every job run: ``ms`` is
the time from the run's scheduled moment to its end (so a run that started late shows it).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

import orjson
from telegram.ext import Application, ContextTypes

from data.backup import KEEP, backup_time, list_backups, make_backup

log = logging.getLogger("duban.backup")
jobs_log = logging.getLogger("duban.jobs")

JOB_NAME = "backup.nightly"
TICK_SECONDS = 300.0
FIRST_TICK = 60.0
#: the nightly backup's time of day (Asia/Shanghai, on the injected clock)
BACKUP_AT = dt.time(2, 0)
LAST_ERROR = "backup.last_error"
LAST_BACKUP = "backup.last"


def register(app: Application) -> None:
    """Install the nightly backup tick and the job-run log."""
    queue = app.job_queue
    if queue is None:  # python-telegram-bot without the job-queue extra
        log.warning("no job queue: nightly backups are off")
        return
    for job in queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    queue.run_repeating(_tick_job, interval=TICK_SECONDS, first=FIRST_TICK, name=JOB_NAME,
                        job_kwargs={"max_instances": 1, "coalesce": True})
    log_job_runs(app)


async def _tick_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await tick(context.application)


def due(data_dir, now: dt.datetime) -> bool:
    """Whether the nightly backup of ``now``'s day is still to be made."""
    if now.time() < BACKUP_AT:
        return False
    today = now.date()
    return not any((when := backup_time(p)) is not None and when.date() == today
                   for p in list_backups(data_dir))


async def tick(app: Application, *, keep: int = KEEP) -> Any:
    """Make the day's backup if it is due; the :class:`BackupInfo` made, or None."""
    data_dir = app.bot_data["config"].data_dir
    now = app.bot_data["time"].now()
    if not due(data_dir, now):
        return None
    try:
        info = await asyncio.to_thread(make_backup, data_dir, now, keep=keep)
    except Exception as exc:  # disk full, permissions: say so in /health, retry next tick
        log.error("nightly backup failed: %s", exc, exc_info=True)
        app.bot_data[LAST_ERROR] = str(exc)
        return None
    app.bot_data.pop(LAST_ERROR, None)
    app.bot_data[LAST_BACKUP] = info
    log.info("nightly backup %s: %d cases, %d bytes", info.name, info.cases, info.size)
    return info


def log_job_runs(app: Application) -> None:
    """Log one JSON line per job run (once per application)."""
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED

    if app.bot_data.get("_job_log") or app.job_queue is None:
        return
    app.bot_data["_job_log"] = True
    scheduler = app.job_queue.scheduler

    def listen(event: Any) -> None:
        job = scheduler.get_job(event.job_id)
        name = job.name if job is not None else event.job_id
        scheduled = event.scheduled_run_time
        ms = (dt.datetime.now(scheduled.tzinfo) - scheduled).total_seconds() * 1000
        line = {"event": "job", "name": name, "ms": round(ms, 2),
                "ok": event.code == EVENT_JOB_EXECUTED,
                "missed": event.code == EVENT_JOB_MISSED}
        jobs_log.info(orjson.dumps(line).decode())

    scheduler.add_listener(listen, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
