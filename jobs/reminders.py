"""Sending the morning's reminders: each working day once, each digest exactly once.

**When.** The application's clock is injected (``app.bot_data["time"]``: the real clock in
production, a set one in tests and ``duban console --now``), so an APScheduler job at 09:00
real time would not do. Instead one named repeating job, :data:`JOB_NAME`, ticks every
:data:`TICK_SECONDS`; each tick reads the injected "now" and, on a working day once "now" has
passed the rules' ``remind_time`` (09:00 Asia/Shanghai by default):

1. catches up the previous working day if it was missed while the bot was down (no finished
   run for it, and the bot had run before it) — once, its digests marked 【补发】; older
   days are never replayed. A catch-up waits for the remind time too, so a bot restarted
   at night pings nobody before 09:00;
2. runs the day (a no-op once the day's run is finished);
3. on the week's first working day, after the daily run, sends the leaders' weekly summary.

All state is in the store (tables :data:`RUNS`, :data:`LOG`, :data:`ACKS`): :func:`register`
installs the same job at every start and the first tick carries on from what the store
says; nothing depends on memory.

**Exactly once.** A run plans the day (:func:`bot.domain.reminders.plan_reminders`), then
records every digest in the send log as ``pending`` — recipient, day, digest hash — in one
commit *before* sending anything; each digest is marked ``sent`` in its own commit as soon
as Telegram accepted it. A restart never re-sends a ``sent`` digest; a ``pending`` one goes
out (once more): a crash can at worst repeat the one message that was in flight, never lose
one. The run is ``done`` when every entry is final (sent, unreachable, failed, or dropped:
a pending digest whose recipient has nothing left in the plan when the run resumes).

**Sending.** One message after the other, through the bot (PTB's ``AIORateLimiter`` in
production: 30 messages/s overall; a digest split into parts waits :data:`PART_GAP` between
its parts, Telegram's 1/s per chat). ``RetryAfter`` waits and retries. ``Forbidden`` (the user
blocked the bot, or never started it) marks the person unreachable and tells the office.
Other errors are logged and retried on a later tick (after :data:`RETRY_SECONDS` × attempts),
at most :data:`MAX_ATTEMPTS` times. Send-log entries older than :data:`KEEP_DAYS` days are
pruned at each run.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import html
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, CallbackContext, ContextTypes
from tinydb import Query

from bot.domain.model import Person
from bot.domain.reminders import (Digest, first_workday_of_week, plan_reminders, render_digest,
                                  render_weekly, unreachable_reason, weekly_summary)
from bot.domain.timeutil import iso_now
from bot.texts import t
from data.views import rules_of, rules_table, work_calendar
from handlers.common import btn, keyboard
from handlers.reminders import ACKS

log = logging.getLogger("duban.reminders")

JOB_NAME = "reminders.tick"
#: seconds between ticks (tests lower it)
TICK_SECONDS = 30.0
#: the first tick after start
FIRST_TICK = 1.0
RUNS = "reminder_runs"
LOG = "reminder_log"
DAILY, WEEKLY = "daily", "weekly"
#: send-log entries that will not be sent again ("dropped": pending, then no longer in the
#: plan when the run resumed, e.g. the case was answered meanwhile: nothing left to say)
FINAL = frozenset({"sent", "unreachable", "failed", "dropped"})
MAX_ATTEMPTS = 5
RETRY_SECONDS = 60.0
#: RetryAfter answers waited out for one message before giving up until the next tick
RETRY_AFTER_TRIES = 5
#: seconds between the parts of one digest (Telegram: about one message a second per chat)
PART_GAP = 1.0
KEEP_DAYS = 62
WHO = "system"

_Q = Query()
#: a message's parts as (HTML text, keyboard)
Parts = list[tuple[str, InlineKeyboardMarkup | None]]


# ---------------------------------------------------------------- registration and tick


def register(app: Application) -> None:
    """Install the tick (replacing one of the same name); state comes from the store."""
    queue = app.job_queue
    if queue is None:  # python-telegram-bot installed without the job-queue extra
        log.warning("no job queue: daily reminders are off")
        return
    for job in queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    # a run may outlast a tick (1,000 digests take ~35 s): the ticks meanwhile return at once
    queue.run_repeating(_tick_job, interval=TICK_SECONDS, first=FIRST_TICK, name=JOB_NAME,
                        job_kwargs={"max_instances": 3, "coalesce": True})


async def _tick_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    if _lock(context.application).locked():
        return
    try:
        await tick(context.application)
    except Exception:
        log.exception("reminder tick failed; the next tick tries again")


def _lock(app: Application) -> asyncio.Lock:
    lock = app.bot_data.get("reminders.lock")
    if lock is None:
        lock = app.bot_data["reminders.lock"] = asyncio.Lock()
    return lock


async def tick(app: Application) -> list[RunReport]:
    """Run whatever is due by the injected clock (see the module documentation)."""
    async with _lock(app):
        store = app.bot_data["store"]
        now: dt.datetime = app.bot_data["time"].now()
        today = now.date()
        cal = work_calendar(store)
        if not cal.is_workday(today):
            return []
        remind_at = dt.time.fromisoformat(rules_of(store, today.year).remind_time)
        if now.time() < remind_at:
            return []
        reports = []
        previous = cal.add_workdays(today, -1)
        if _missed(store, previous):
            reports.append(await _run_day(app, previous, catch_up=True))
        reports.append(await _run_day(app, today))
        if first_workday_of_week(cal, today) == today and reports[-1].done:
            reports.append(await _run_weekly(app, today))
        return reports


def _run_doc(store, day: dt.date, kind: str) -> dict | None:
    return store.table(RUNS).get((_Q.day == day.isoformat()) & (_Q.kind == kind))


def _missed(store, day: dt.date) -> bool:
    """Whether ``day``'s daily run must be caught up: begun and not finished, or never run
    although the bot ran on an earlier day (a fresh install catches nothing up)."""
    run = _run_doc(store, day, DAILY)
    if run is not None:
        return run["status"] != "done"
    iso = day.isoformat()
    return store.table(RUNS).contains((_Q.kind == DAILY) & (_Q.day < iso))


# ---------------------------------------------------------------- runs


@dataclass
class RunReport:
    """What one run did (counts of digests)."""

    day: dt.date
    kind: str
    catch_up: bool = False
    planned: int = 0
    sent: int = 0
    #: sent by an earlier run of the same day (not sent again)
    before: int = 0
    unreachable: int = 0
    failed: int = 0
    #: still pending (to be retried by a later tick)
    pending: int = 0
    done: bool = False
    blocked: list[str] = field(default_factory=list)


@dataclass
class Outgoing:
    """One message (maybe in parts) for one person: what :func:`_deliver` sends and logs."""

    person: Person
    hash: str
    #: the parts — built only when the message is really sent
    render: Callable[[CallbackContext], Parts]


async def run_day(app: Application, day: dt.date, *, catch_up: bool = False) -> RunReport:
    """Run (or finish) ``day``'s reminders now, whatever the clock says; for ``duban remind``."""
    async with _lock(app):
        return await _run_day(app, day, catch_up=catch_up)


async def _run_day(app: Application, day: dt.date, *, catch_up: bool = False) -> RunReport:
    store = app.bot_data["store"]
    run = _run_doc(store, day, DAILY)
    if run is not None and run["status"] == "done":
        return RunReport(day, DAILY, bool(run.get("catch_up")), done=True)
    if run is not None:
        catch_up = catch_up or bool(run.get("catch_up"))
    digests = plan_reminders(store.cases(), store.people(), work_calendar(store),
                             rules_table(store), day)
    outgoing = [Outgoing(d.person, d.digest_hash(), _digest_renderer(d, day, catch_up))
                for d in digests]
    report = await _deliver(app, day, DAILY, outgoing, catch_up=catch_up, prune=True)
    log.info("reminders of %s%s: %s", day, " (catch-up)" if catch_up else "", report)
    return report


async def run_weekly(app: Application, day: dt.date) -> RunReport:
    async with _lock(app):
        return await _run_weekly(app, day)


async def _run_weekly(app: Application, day: dt.date) -> RunReport:
    """The leaders' summary (leaders and the head), once for ``day``."""
    store = app.bot_data["store"]
    run = _run_doc(store, day, WEEKLY)
    if run is not None and run["status"] == "done":
        return RunReport(day, WEEKLY, done=True)
    summary = weekly_summary(store.cases(), work_calendar(store), rules_table(store), day)
    texts = {lang: render_weekly(summary, lang) for lang in ("zh", "en")}
    outgoing = []
    for p in store.people():
        if p.position in ("leader", "head") and p.active:
            text = texts.get(p.language, texts["zh"])
            outgoing.append(Outgoing(p, _hash(text), _plain(text)))
    return await _deliver(app, day, WEEKLY, outgoing)


def _plain(text: str) -> Callable[[CallbackContext], Parts]:
    """A one-part message without buttons."""

    def render(ctx: CallbackContext) -> Parts:
        return [(text, None)]

    return render


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _digest_renderer(digest: Digest, day: dt.date, catch_up: bool
                     ) -> Callable[[CallbackContext], Parts]:
    def render(ctx: CallbackContext) -> Parts:
        lang = digest.lang
        out: Parts = []
        for part in render_digest(digest, day, catch_up=catch_up):
            rows, seen = [], set()
            for line in part.lines:
                if line.case_id in seen:
                    continue
                seen.add(line.case_id)
                label = t("remind.btn.view", lang,
                          number=t(f"kind.{line.kind}", lang) + line.number)
                rows.append([btn(ctx, label, "case", line.case_id),
                             btn(ctx, t("remind.btn.close", lang), "close", line.case_id),
                             btn(ctx, t("remind.btn.ext", lang), "ext", line.case_id)])
            if part.number == part.total:
                rows.append([btn(ctx, t("remind.btn.ack", lang), "ack", DAILY,
                                 day.strftime("%Y%m%d"))])
            out.append((part.text, keyboard(rows)))
        return out

    return render


# ---------------------------------------------------------------- delivery


async def _deliver(app: Application, day: dt.date, kind: str, outgoing: Sequence[Outgoing], *,
                   catch_up: bool = False, prune: bool = False) -> RunReport:
    """Log every message as pending (one commit), send those not sent yet, mark each sent."""
    store = app.bot_data["store"]
    clock = app.bot_data["time"]
    iso = day.isoformat()
    table = store.table(LOG)
    report = RunReport(day, kind, catch_up, planned=len(outgoing))
    existing = {doc["person"]: doc for doc in table.search((_Q.day == iso) & (_Q.kind == kind))}
    entries: list[tuple[Outgoing, int]] = []
    with store.transaction():
        if prune:
            _prune(store, day)
        runs = store.table(RUNS)
        run_key = (_Q.day == iso) & (_Q.kind == kind)
        if kind in (DAILY, WEEKLY) and not runs.contains(run_key):
            runs.insert({"day": iso, "kind": kind, "status": "running", "catch_up": catch_up,
                         "started_at": iso_now(clock)})
        for o in outgoing:
            reason = unreachable_reason(o.person)
            doc = existing.get(o.person.id)
            if doc is None:
                doc_id = table.insert({
                    "day": iso, "kind": kind, "person": o.person.id, "name": o.person.name,
                    "telegram": o.person.telegram, "hash": o.hash, "catch_up": catch_up,
                    "status": "unreachable" if reason else "pending", "reason": reason or "",
                    "attempts": 0, "parts_sent": 0, "messages": [], "logged_at": iso_now(clock),
                })
            else:
                doc_id = doc.doc_id
                if doc["status"] == "sent":
                    report.before += 1
                    continue
                changes: dict[str, Any] = {}
                if doc["status"] == "unreachable" and reason is None:
                    changes.update(status="pending", reason="")  # linked again since
                if doc["status"] == "pending" and doc["hash"] != o.hash and not doc["parts_sent"]:
                    changes["hash"] = o.hash
                if changes:
                    table.update(changes, doc_ids=[doc_id])
            entries.append((o, doc_id))
        planned = {o.person.id for o in outgoing}
        gone = [doc.doc_id for pid, doc in existing.items()
                if pid not in planned and doc["status"] == "pending"]
        if gone:
            table.update({"status": "dropped"}, doc_ids=gone)
    context = CallbackContext(app)
    blocked: list[Person] = []
    now = clock.now()
    for o, doc_id in entries:
        doc = table.get(doc_id=doc_id)
        status = doc["status"]
        if status == "pending" and not _retry_due(doc, now):
            report.pending += 1
            continue
        if status == "pending":
            status = await _send_one(app, context, o, doc_id, doc)
            if status in ("blocked", "not_started"):
                blocked.append((o.person, status))
                report.blocked.append(o.person.name)
                status = "unreachable"
        if status == "sent":
            report.sent += 1
        elif status == "unreachable":
            report.unreachable += 1
        elif status == "failed":
            report.failed += 1
        else:
            report.pending += 1
    report.done = report.pending == 0
    if report.done and kind in (DAILY, WEEKLY):
        runs = store.table(RUNS)
        runs.update({"status": "done", "finished_at": iso_now(clock)},
                    (_Q.day == iso) & (_Q.kind == kind))
    for person, why in blocked:
        await _tell_office(app, day, person, why)
    return report


def _retry_due(doc: dict, now: dt.datetime) -> bool:
    attempts = doc.get("attempts", 0)
    if not attempts or not doc.get("tried_at"):
        return True
    tried = dt.datetime.fromisoformat(doc["tried_at"])
    return (now - tried).total_seconds() >= RETRY_SECONDS * attempts


async def _send_one(app: Application, context: CallbackContext, o: Outgoing, doc_id: int,
                    doc: dict) -> str:
    """Send the message's remaining parts; return the entry's new status."""
    store = app.bot_data["store"]
    clock = app.bot_data["time"]
    table = store.table(LOG)
    chat_id = o.person.telegram
    if chat_id is None:  # unlinked since it was logged
        table.update({"status": "unreachable", "reason": "unlinked"}, doc_ids=[doc_id])
        return "unreachable"
    sent_ids = list(doc.get("messages") or [])
    try:
        parts = o.render(context)
        for k in range(doc.get("parts_sent", 0), len(parts)):
            if k > 0:
                await asyncio.sleep(PART_GAP)
            text, markup = parts[k]
            message = await _send(app, chat_id, text, markup)
            sent_ids.append(message.message_id)
            if k + 1 < len(parts):
                table.update({"parts_sent": k + 1, "messages": sent_ids}, doc_ids=[doc_id])
        table.update({"status": "sent", "parts_sent": len(parts), "messages": sent_ids,
                      "sent_at": iso_now(clock)}, doc_ids=[doc_id])
        return "sent"
    except Forbidden as exc:
        return _mark_blocked(store, o.person, doc_id, str(exc))
    except BadRequest as exc:
        if "chat not found" in str(exc).lower():  # never started the bot
            return _mark_blocked(store, o.person, doc_id, str(exc))
        log.error("reminder to %s refused for good: %s", o.person.name, exc)
        table.update({"status": "failed", "error": str(exc)[:200]}, doc_ids=[doc_id])
        return "failed"
    except TelegramError as exc:
        attempts = doc.get("attempts", 0) + 1
        status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
        log.warning("reminder to %s not sent (attempt %d): %s", o.person.name, attempts, exc)
        table.update({"status": status, "attempts": attempts, "error": str(exc)[:200],
                      "tried_at": iso_now(clock)}, doc_ids=[doc_id])
        return status


def _retry_after_seconds(exc: RetryAfter) -> float:
    value = getattr(exc, "_retry_after", None)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(exc.retry_after)  # type: ignore[arg-type]


async def _send(app: Application, chat_id: int, text: str,
                markup: InlineKeyboardMarkup | None):
    """``send_message``, waiting out flood control (beyond what the rate limiter retries)."""
    for attempt in range(RETRY_AFTER_TRIES):
        try:
            return await app.bot.send_message(chat_id, text, reply_markup=markup)
        except RetryAfter as exc:
            if attempt + 1 == RETRY_AFTER_TRIES:
                raise
            wait = _retry_after_seconds(exc) + 0.1
            log.info("flood control: waiting %.1f s", wait)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")


def _never_started(error: str) -> bool:
    """Telegram's words for a person who never pressed Start (vs. one who blocked the bot)."""
    error = error.lower()
    return "can't initiate conversation" in error or "chat not found" in error


def _mark_blocked(store, person: Person, doc_id: int, error: str) -> str:
    log.warning("%s cannot be reached (%s): marked unreachable", person.name, error)
    why = "not_started" if _never_started(error) else "blocked"
    with store.transaction():
        store.table(LOG).update({"status": "unreachable", "reason": why,
                                 "error": error[:200]}, doc_ids=[doc_id])
        fresh = store.get_person(person.id)
        if fresh is not None and fresh.reachable:
            fresh.reachable = False
            store.save_person(fresh, WHO, note="Telegram: Forbidden")
    return why


async def _tell_office(app: Application, day: dt.date, person: Person,
                       why: str = "blocked") -> None:
    """One notice a day to each office member about a person who blocked the bot, or who
    never started it (then the office asks them to open the bot and press Start)."""
    store = app.bot_data["store"]
    date = day.isoformat()
    outgoing = []
    for p in store.people():
        if p.position == "office" and p.id != person.id and unreachable_reason(p) is None:
            key = "live.not_started_notice" if why == "not_started" else "remind.blocked_notice"
            text = t(key, p.language, name=html.escape(person.name, quote=False), date=date,
                     bot=html.escape(app.bot.username or "", quote=False))
            outgoing.append(Outgoing(p, _hash(text), _plain(text)))
    if outgoing:
        await _deliver(app, day, f"blocked.{person.id}", outgoing)


def _prune(store, day: dt.date) -> None:
    oldest = (day - dt.timedelta(days=KEEP_DAYS)).isoformat()
    for name in (LOG, RUNS, ACKS):
        table = store.table(name)
        if table.contains(_Q.day < oldest):
            table.remove(_Q.day < oldest)


# ---------------------------------------------------------------- reading the log


def sent_log(store, day: dt.date | None = None, kind: str | None = None) -> list[dict]:
    """Send-log entries (of ``day`` and ``kind`` when given), oldest first."""
    table = store.table(LOG)
    docs = table.all() if day is None else table.search(_Q.day == day.isoformat())
    return [dict(d, id=d.doc_id) for d in docs if kind is None or d["kind"] == kind]
