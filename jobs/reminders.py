"""Sending the morning's reminders: each working day once, each digest exactly once.

**When.** The application's clock is injected (``app.bot_data["time"]``: the real clock in
production, a set one in tests and ``duban console --now``), so an APScheduler job at 09:00
real time would not do. Instead one named repeating job, :data:`JOB_NAME`, ticks every
:data:`TICK_SECONDS`; each tick reads the injected "now" and, on a working day once "now" has
passed the rules' ``remind_time`` (09:00 Asia/Shanghai by default):

1. runs the day (a no-op once the day's run is finished). What the previous working day
   owes — its whole run when it was missed while the bot was down (and the bot had run
   before it), or the digests that were not delivered by the end of it — is *folded* into
   the day's digests (:func:`_fold`, :func:`bot.domain.reminders.plan_reminders`'s
   ``missed``): one digest per person, each case worded as it stands today, with a line
   naming the missed day; the previous day's undelivered entries become ``folded``. Older
   days are never replayed. The weekly summary of the previous day, when it was the week's
   first working day, is caught up apart, marked 【补发】. A catch-up waits for the remind
   time too, so a bot restarted at night pings nobody before 09:00;
2. (see 1)
3. on the week's first working day, after the daily run, sends the leaders' weekly summary;
4. sends the notices to the office still pending.

All state is in the store (tables :data:`RUNS`, :data:`LOG`, :data:`ACKS`): :func:`register`
installs the same job at every start and the first tick carries on from what the store
says; nothing depends on memory.

**Exactly once.** A run plans the day (:func:`bot.domain.reminders.plan_reminders`), then
records every digest in the send log as ``pending`` — recipient, day, digest hash — in one
commit *before* sending anything; each digest is marked ``sent`` in its own commit as soon
as Telegram accepted it. A restart never re-sends a ``sent`` digest; a ``pending`` one goes
out (once more): a crash can at worst repeat the one message that was in flight, never lose
one. The run is ``done`` when every entry is final (sent, maybe, unreachable, failed, or
dropped: a pending digest whose recipient has nothing left in the plan when the run
resumes), or when its ``until`` has passed (see below).

**Sending.** One message after the other, through the bot (PTB's ``AIORateLimiter`` in
production: 30 messages/s overall; a digest split into parts waits :data:`PART_GAP` between
its parts, Telegram's 1/s per chat). ``Forbidden`` (the user blocked the bot, or never
started it) marks the person unreachable and tells the office. Other errors are sorted by
what they say about the message (:func:`outcome_of`):

- **unknown outcome** (timed out or the connection was lost after the request went out:
  Telegram may have delivered it): retried once, :data:`UNKNOWN_RETRIES`; a second unknown
  outcome makes the entry ``maybe`` (maybe delivered, final). A digest is never sent more
  than twice.
- **definite failure** (an HTTP error answer such as 5xx, 429 beyond what is waited out, no
  connection at all): not delivered, retried on later ticks with a bounded backoff
  (:data:`RETRY_SECONDS` doubling up to :data:`MAX_BACKOFF`) until the run's ``until``
  (:data:`DAY_END` of the day). What is still pending then becomes ``failed`` (reason
  ``transient``) and the office is told who was not reached and why; the next working
  morning those digests go out again, once, marked 【补发】 (the run is *reopened*).
- **refused** (400 Bad Request): ``failed`` for good, the office told.

**Notices to the office** (blocked people, a run's problems, a clock jump) are rows of the
send log too (kind ``notice.*``, their text stored in the row), written in the same commit
as what they report — before the run is marked done — and sent by every tick until sent or
:data:`NOTICE_DAYS` have passed.

**Time that cannot be trusted.** Send-log entries older than :data:`KEEP_DAYS` days before
the real today (the injected clock, never the day being run) are pruned. A tick whose clock
moved more than :data:`JUMP_SECONDS` ahead of the time elapsed since the previous tick (a
clock jump: the boot-time clock is the witness) onto a later day sends nothing: the jump is
logged, recorded in :data:`RUNS` (kind ``clock``), shown in /health and told to the office;
the hold lifts when the clock is back in line (or the bot is restarted by someone who checked
it).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import logging
import time as _time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from telegram import InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, CallbackContext, ContextTypes

from bot.domain.access import visible
from bot.domain.model import Person
from bot.domain.present import esc
from bot.domain.reminders import (
    Digest,
    first_workday_of_week,
    plan_reminders,
    render_digest,
    render_weekly,
    unreachable_reason,
    weekly_summary,
)
from bot.domain.timeutil import TZ, iso_now
from bot.domain.workflow import digest_actions
from bot.texts import t
from data.tables import REMINDER_ACKS as ACKS
from data.tables import ReminderRuns, SendLog, remove_days_before
from data.views import rules_of, rules_table, work_calendar
from handlers.buttons import DIGEST_BUTTONS, AckButton, CaseButton
from handlers.common import btn, keyboard

log = logging.getLogger("duban.reminders")

JOB_NAME = "reminders.tick"
#: seconds between ticks (tests lower it)
TICK_SECONDS = 30.0
#: the first tick after start
FIRST_TICK = 1.0
RUNS = "reminder_runs"
LOG = "reminder_log"
DAILY, WEEKLY = "daily", "weekly"
NOTICE = "notice."
#: send-log entries that will not be sent again ("dropped": pending, then no longer in the
#: plan when the run resumed, e.g. the case was answered meanwhile: nothing left to say;
#: "maybe": twice an unknown outcome, maybe delivered)
FINAL = frozenset({"sent", "maybe", "unreachable", "failed", "dropped", "folded"})
#: first wait after a definite failure; doubled at each attempt up to MAX_BACKOFF
RETRY_SECONDS = 60.0
MAX_BACKOFF = 15 * 60.0
#: sends retried after an unknown outcome (timeout, lost connection) before "maybe"
UNKNOWN_RETRIES = 1
#: retries of a day's digests stop at this local time (a later start still gets an hour)
DAY_END = dt.time(18, 0)
MIN_WINDOW = dt.timedelta(hours=1)
#: a digest delivered this much after it was due is reported to the office
LATE = dt.timedelta(minutes=10)
#: notices to the office are retried this long
NOTICE_DAYS = 3
#: RetryAfter answers waited out for one message before leaving it to a later tick
RETRY_AFTER_TRIES = 5
#: a RetryAfter longer than this is not waited out in place
RETRY_AFTER_WAIT = 30.0
#: seconds between the parts of one digest (Telegram: about one message a second per chat)
PART_GAP = 1.0
KEEP_DAYS = 62
#: the injected clock ahead of the elapsed time by more than this (onto a later day): a jump
JUMP_SECONDS = 3600.0
CLOCK = "clock"
HOLD = "reminders.clock_hold"
LAST_TICK = "reminders.last_tick"
ELAPSED = "reminders.elapsed"
WHO = "system"

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


def _at(day: dt.date, when: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, when, tzinfo=TZ)


async def tick(app: Application) -> list[RunReport]:
    """Run whatever is due by the injected clock (see the module documentation)."""
    async with _lock(app):
        store = app.bot_data["store"]
        now: dt.datetime = app.bot_data["time"].now()
        today = now.date()
        if _clock_held(app, now):
            await flush_notices(app)
            return []
        cal = work_calendar(store)
        previous = cal.add_workdays(today, -1)
        _expire(app, now, previous if cal.is_workday(today) else None)
        reports = []
        remind_at = dt.time.fromisoformat(rules_of(store, today.year).remind_time)
        if cal.is_workday(today) and now.time() >= remind_at:
            _reopen(app, previous, today, kinds=(WEEKLY,))
            if first_workday_of_week(cal, previous) == previous and _missed(store, previous,
                                                                            WEEKLY):
                reports.append(await _run_weekly(app, previous, catch_up=True))
            # what the previous working day owes (missed, or not delivered) is folded into
            # today's digests, worded as today
            reports.append(await _run_day(app, today, fold=previous))
            if first_workday_of_week(cal, today) == today and reports[-1].done:
                reports.append(await _run_weekly(app, today))
        await flush_notices(app)
        return reports


def _run_doc(store, day: dt.date, kind: str) -> Any:
    """The runs table's document of ``day`` and ``kind`` (a TinyDB document), or None."""
    return ReminderRuns(store).first(day=day.isoformat(), kind=kind)


def _missed(store, day: dt.date, kind: str = DAILY) -> bool:
    """Whether ``day``'s run of ``kind`` must be caught up: begun and not finished, or never
    run although the bot ran on an earlier day (a fresh install catches nothing up)."""
    run = _run_doc(store, day, kind)
    if run is not None:
        return run["status"] != "done"
    return ReminderRuns(store).any_before(day, DAILY)


# ---------------------------------------------------------------- a clock that jumped


def _elapsed(app: Application) -> float:
    """Seconds of a clock that counts suspend and never jumps (boot time where there is one;
    ``bot_data[ELAPSED]`` when set: a test's witness of the time that really passed)."""
    witness = app.bot_data.get(ELAPSED)
    if witness is not None:
        return float(witness())
    try:
        return _time.clock_gettime(_time.CLOCK_BOOTTIME)
    except (AttributeError, OSError):
        return _time.monotonic()


def _clock_held(app: Application, now: dt.datetime) -> bool:
    """Whether the injected clock jumped ahead onto a later day since the last tick.

    The previous tick's (now, elapsed) is the trusted base; while the clock stays ahead of it
    by more than :data:`JUMP_SECONDS` the base is kept and nothing is sent."""
    mono = _elapsed(app)
    base = app.bot_data.get(HOLD) or app.bot_data.get(LAST_TICK)
    if base is None:
        app.bot_data[LAST_TICK] = (now, mono)
        return False
    expected = base[0] + dt.timedelta(seconds=mono - base[1])
    jumped = (now - expected).total_seconds() > JUMP_SECONDS and now.date() > expected.date()
    store = app.bot_data["store"]
    if not jumped:
        if app.bot_data.pop(HOLD, None) is not None:
            log.warning("the clock is back in line (%s): reminders resume", now.isoformat())
            ReminderRuns(store).set({"status": "cleared", "cleared_at": now.isoformat()},
                                    kind=CLOCK, status="held")
        app.bot_data[LAST_TICK] = (now, mono)
        return False
    if HOLD not in app.bot_data:
        app.bot_data[HOLD] = base
        log.error("clock jump: the clock says %s, %s expected; no reminders are sent",
                  now.isoformat(timespec="minutes"), expected.isoformat(timespec="minutes"))
        with store.transaction():
            store.table(RUNS).insert({"day": now.date().isoformat(), "kind": CLOCK,
                                      "status": "held", "seen": now.isoformat(),
                                      "expected": expected.isoformat()})
            _notify_office(store, now, now.date(), "clock", "delivery.clock_jump",
                           seen=now.strftime("%Y-%m-%d %H:%M"),
                           expected=expected.strftime("%Y-%m-%d %H:%M"))
    return True


def clock_hold(app: Application) -> dict | None:
    """The held clock jump (for /health), or None."""
    if app.bot_data.get(HOLD) is None:
        return None
    runs = ReminderRuns(app.bot_data["store"]).docs(kind=CLOCK, status="held")
    return max(runs, key=lambda r: r["seen"]) if runs else {"seen": "", "expected": ""}


# ---------------------------------------------------------------- the end of a run's day


def _expire(app: Application, now: dt.datetime, previous: dt.date | None) -> None:
    """Runs still running past their ``until``: the previous working day's, not reopened yet,
    gets today to finish (catch-up); any other is finished: its pending entries ``failed``,
    the office told who was not reached."""
    store = app.bot_data["store"]
    runs = store.table(RUNS)
    for run in ReminderRuns(store).docs(status="running"):
        until = run.get("until")
        if not until or dt.datetime.fromisoformat(until) > now:
            continue
        day = dt.date.fromisoformat(run["day"])
        if previous is not None and day == previous and not run.get("reopened"):
            runs.update({"until": _at(now.date(), DAY_END).isoformat(), "catch_up": True,
                         "reopened": True}, doc_ids=[run.doc_id])
            continue
        with store.transaction():
            docs = _entries(store, day, run["kind"])
            pending = [d for d in docs if d["status"] == "pending"]
            store.table(LOG).update({"status": "failed", "reason": "transient"},
                                    doc_ids=[d.doc_id for d in pending])
            runs.update({"status": "done", "finished_at": now.isoformat(),
                         "expired": True}, doc_ids=[run.doc_id])
            _run_notice(store, now, day, run["kind"], _entries(store, day, run["kind"]),
                        final=bool(run.get("reopened")) or (previous is not None
                                                            and day < previous))
        log.warning("reminders of %s (%s): %d not reached by the end of the day", day,
                    run["kind"], len(pending))


def _reopen(app: Application, day: dt.date, today: dt.date,
            kinds: Sequence[str] = (DAILY, WEEKLY)) -> None:
    """The morning after: ``day``'s digests (of ``kinds``) that failed for a passing reason
    go out again, once, as a catch-up. (The daily digests are folded into today's instead:
    :func:`_fold`.)"""
    store = app.bot_data["store"]
    clock = app.bot_data["time"]
    for kind in kinds:
        run = _run_doc(store, day, kind)
        if run is None or run["status"] != "done" or run.get("reopened"):
            continue
        failed = [d.doc_id for d in _entries(store, day, kind)
                  if d["status"] == "failed" and d.get("reason") == "transient"]
        if not failed:
            continue
        with store.transaction():
            store.table(LOG).update({"status": "pending", "attempts": 0, "next_at": None,
                                     "reopened_at": iso_now(clock)}, doc_ids=failed)
            store.table(RUNS).update({"status": "running", "catch_up": True, "reopened": True,
                                      "until": _at(today, DAY_END).isoformat()},
                                     doc_ids=[run.doc_id])
        log.info("reminders of %s (%s): %d failed digests caught up", day, kind, len(failed))


def _entries(store, day: dt.date, kind: str) -> list:
    return SendLog(store).docs(day=day.isoformat(), kind=kind)


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
    #: maybe delivered (the outcome was unknown twice)
    maybe: int = 0
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
    #: a file sent after the parts, once: (file name, bytes, caption) — the weekly chart
    attachment: tuple[str, bytes, str] | None = None


async def run_day(app: Application, day: dt.date, *, catch_up: bool = False) -> RunReport:
    """Run (or finish) ``day``'s reminders now, whatever the clock says; for ``duban remind``."""
    async with _lock(app):
        report = await _run_day(app, day, catch_up=catch_up)
        await flush_notices(app)
        return report


def _until(app: Application, day: dt.date, catch_up: bool) -> str:
    now = app.bot_data["time"].now()
    end = _at(now.date() if catch_up else day, DAY_END)
    return max(end, now + MIN_WINDOW).isoformat()


def _owed(store, day: dt.date) -> list[int] | None | Literal[False]:
    """Who did not get ``day``'s digest: False (everyone who was due did, or the day needs no
    catching up), None (the day was never run: everyone), or their person ids (entries
    still pending, or failed for a passing reason, in a run not folded yet)."""
    run = _run_doc(store, day, DAILY)
    if run is None:
        return None if _missed(store, day, DAILY) else False
    if run.get("folded_into") or (run["status"] == "done" and run.get("reopened")):
        return False
    ids = sorted({d["person"] for d in _entries(store, day, DAILY)
                  if d["status"] == "pending"
                  or (d["status"] == "failed" and d.get("reason") == "transient")})
    return ids or False


def _fold(app: Application, previous: dt.date, day: dt.date) -> None:
    """Fold what ``previous`` owes into ``day``'s run, in one commit: its undelivered entries
    become ``folded`` (final), its run done, and ``day``'s run records whose lines it owes."""
    store = app.bot_data["store"]
    clock = app.bot_data["time"]
    owed = _owed(store, previous)
    if owed is False:
        return
    now, prev_iso = iso_now(clock), previous.isoformat()
    runs = store.table(RUNS)
    with store.transaction():
        if owed is not None:
            ids = set(owed)
            store.table(LOG).update({"status": "folded", "folded_into": day.isoformat()},
                                    doc_ids=[d.doc_id for d in _entries(store, previous, DAILY)
                                             if d["person"] in ids
                                             and d["status"] in ("pending", "failed")])
        previous_run = ReminderRuns(store)
        if previous_run.has(day=prev_iso, kind=DAILY):
            previous_run.set({"status": "done", "finished_at": now,
                              "folded_into": day.isoformat()}, day=prev_iso, kind=DAILY)
        else:
            runs.insert({"day": prev_iso, "kind": DAILY, "status": "done", "started_at": now,
                         "finished_at": now, "folded_into": day.isoformat(), "catch_up": True})
        runs.insert({"day": day.isoformat(), "kind": DAILY, "status": "running",
                     "catch_up": False, "started_at": now, "until": _until(app, day, False),
                     "folded": {"day": prev_iso, "people": owed}})
    log.info("reminders of %s folded into %s (%s)", previous, day,
             "everyone" if owed is None else f"{len(owed)} people")


async def _run_day(app: Application, day: dt.date, *, catch_up: bool = False,
                   fold: dt.date | None = None) -> RunReport:
    store = app.bot_data["store"]
    run = _run_doc(store, day, DAILY)
    if run is not None and run["status"] == "done":
        return RunReport(day, DAILY, bool(run.get("catch_up")), done=True)
    if run is None and fold is not None:
        _fold(app, fold, day)
        run = _run_doc(store, day, DAILY)
    if run is not None:
        catch_up = catch_up or bool(run.get("catch_up"))
    folded = (run or {}).get("folded") or {}
    missed = [dt.date.fromisoformat(folded["day"])] if folded else []
    # planned off the event loop, on a snapshot taken here: the cases are the store's
    # shared objects (it replaces them on a write, never changes them), the people copies;
    # what the plan leads to is written on the loop (_deliver)
    digests = await asyncio.to_thread(
        plan_reminders, store.cases(), store.people(), work_calendar(store),
        rules_table(store), day, missed=missed, missed_people=folded.get("people"))
    outgoing = [Outgoing(d.person, d.digest_hash(), _digest_renderer(d, day, catch_up))
                for d in digests]
    report = await _deliver(app, day, DAILY, outgoing, catch_up=catch_up, prune=True,
                            until=_until(app, day, catch_up))
    log.info("reminders of %s%s: %s", day, " (catch-up)" if catch_up else "", report)
    return report


async def run_weekly(app: Application, day: dt.date) -> RunReport:
    async with _lock(app):
        return await _run_weekly(app, day)


async def _run_weekly(app: Application, day: dt.date, *, catch_up: bool = False) -> RunReport:
    """The leaders' summary (leaders and the head), once for ``day``."""
    store = app.bot_data["store"]
    run = _run_doc(store, day, WEEKLY)
    if run is not None and run["status"] == "done":
        return RunReport(day, WEEKLY, done=True)
    if run is not None:
        catch_up = catch_up or bool(run.get("catch_up"))
    from jobs.weekly_chart import weekly_charts

    cases, cal, rules = store.cases(), work_calendar(store), rules_table(store)
    drawn: dict[tuple[str, tuple[str, ...] | None, str], tuple[str, Any]] = {}
    outgoing = []
    for p in store.people():
        if p.position in ("leader", "head") and p.active:
            # each leader's summary and chart cover what that leader may see
            sight = None if p.position == "head" else tuple(sorted(p.leads_divisions))
            key = (p.position, sight, p.language)
            if key not in drawn:
                seen = visible(p, cases)
                summary = weekly_summary(seen, cal, rules, day)
                mark = t("remind.catch_up", p.language) if catch_up else ""
                charts = await weekly_charts(store, day, {p.language}, seen)
                drawn[key] = (mark + render_weekly(summary, p.language), charts.get(p.language))
            text, chart = drawn[key]
            outgoing.append(Outgoing(p, _hash(text), _plain(text), chart))
    return await _deliver(app, day, WEEKLY, outgoing, catch_up=catch_up,
                          until=_until(app, day, catch_up))


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
        store = ctx.application.bot_data["store"]
        out: Parts = []
        for part in render_digest(digest, day, catch_up=catch_up):
            rows, seen = [], set()
            for line in part.lines:
                if line.case_id in seen:
                    continue
                seen.add(line.case_id)
                label = t("remind.btn.view", lang,
                          number=t(f"kind.{line.kind}", lang) + line.number)
                row = [btn(ctx, label, CaseButton(line.case_id))]
                case = store.get_case(line.case_id)
                # only the buttons this recipient may use (a head alerted about a case
                # gets [查看] alone)
                for action in (digest_actions(case, digest.person) if case else ()):
                    row.append(btn(ctx, t(f"remind.btn.{action}", lang),
                                   DIGEST_BUTTONS[action](line.case_id)))
                rows.append(row)
            if part.number == part.total:
                rows.append([btn(ctx, t("remind.btn.ack", lang),
                                 AckButton(DAILY, day.strftime("%Y%m%d")))])
            out.append((part.text, keyboard(rows)))
        return out

    return render


# ---------------------------------------------------------------- delivery


async def _deliver(app: Application, day: dt.date, kind: str, outgoing: Sequence[Outgoing], *,
                   catch_up: bool = False, prune: bool = False, until: str | None = None
                   ) -> RunReport:
    """Log every message as pending (one commit), send those not sent yet, mark each sent."""
    store = app.bot_data["store"]
    clock = app.bot_data["time"]
    iso = day.isoformat()
    table = store.table(LOG)
    report = RunReport(day, kind, catch_up, planned=len(outgoing))
    existing = {doc["person"]: doc for doc in SendLog(store).docs(day=iso, kind=kind)}
    entries: list[tuple[Outgoing, int]] = []
    with store.transaction():
        if prune:
            _prune(store, clock.today())
        runs = store.table(RUNS)
        if not ReminderRuns(store).has(day=iso, kind=kind):
            runs.insert({"day": iso, "kind": kind, "status": "running", "catch_up": catch_up,
                         "started_at": iso_now(clock), "until": until})
        for o in outgoing:
            reason = unreachable_reason(o.person)
            doc = existing.get(o.person.id)
            if doc is None:
                doc_id = table.insert({
                    "day": iso, "kind": kind, "person": o.person.id, "name": o.person.name,
                    "telegram": o.person.telegram, "hash": o.hash, "catch_up": catch_up,
                    "status": "unreachable" if reason else "pending", "reason": reason or "",
                    "attempts": 0, "unknown": 0, "parts_sent": 0, "messages": [],
                    "logged_at": iso_now(clock),
                })
            else:
                doc_id = doc.doc_id
                if doc["status"] in ("sent", "maybe"):
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
    for o, doc_id in entries:
        doc = table.get(doc_id=doc_id)
        status = doc["status"]
        if status == "pending" and not _retry_due(doc, clock.now()):
            report.pending += 1
            continue
        if status == "pending":
            status = await _send_one(app, context, o, doc_id, doc)
            if status in ("blocked", "not_started"):
                report.blocked.append(o.person.name)
                status = "unreachable"
        if status in ("sent", "unreachable", "failed", "maybe"):
            setattr(report, status, getattr(report, status) + 1)
        else:
            report.pending += 1
    report.done = report.pending == 0
    if report.done:
        await flush_notices(app)  # what the run found out (blocked people) goes out first
        with store.transaction():
            ReminderRuns(store).set({"status": "done", "finished_at": iso_now(clock)},
                                    day=iso, kind=kind)
            _run_notice(store, clock.now(), day, kind, _entries(store, day, kind), final=True)
    return report


def _retry_due(doc: dict, now: dt.datetime) -> bool:
    next_at = doc.get("next_at")
    return not next_at or now >= dt.datetime.fromisoformat(next_at)


def backoff(attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th definite failure: 60, 120, 240 … ≤ 15 min."""
    return min(RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def outcome_of(exc: TelegramError) -> str:
    """What an error says about the message: ``unknown`` (it may have been delivered),
    ``retry`` (it was not: try again later) or ``refused`` (it never will be)."""
    if isinstance(exc, BadRequest):
        return "refused"
    if isinstance(exc, RetryAfter):
        return "retry"
    if isinstance(exc, NetworkError):
        cause = exc.__cause__
        if isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
            return "retry"  # no connection: the request never went out
        if isinstance(exc, TimedOut) or isinstance(cause, httpx.HTTPError):
            return "unknown"  # sent, and the answer was lost
        return "retry"  # an HTTP error answer (5xx): Telegram did not carry it out
    return "retry"


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
            if k > doc.get("parts_sent", 0):
                await asyncio.sleep(PART_GAP)
            text, markup = parts[k]
            message = await _send(app, chat_id, text, markup)
            sent_ids.append(message.message_id)
            if k + 1 < len(parts):
                table.update({"parts_sent": k + 1, "messages": sent_ids}, doc_ids=[doc_id])
        if o.attachment is not None and not doc.get("attachment_sent"):
            table.update({"parts_sent": len(parts), "messages": sent_ids}, doc_ids=[doc_id])
            name, data, caption = o.attachment
            message = await app.bot.send_document(
                chat_id, InputFile(io.BytesIO(data), filename=name), caption=caption)
            sent_ids.append(message.message_id)
            table.update({"attachment_sent": True}, doc_ids=[doc_id])
        table.update({"status": "sent", "parts_sent": len(parts), "messages": sent_ids,
                      "sent_at": iso_now(clock)}, doc_ids=[doc_id])
        return "sent"
    except Forbidden as exc:
        return _mark_blocked(app, o.person, doc_id, doc, str(exc))
    except TelegramError as exc:
        if isinstance(exc, BadRequest) and "chat not found" in str(exc).lower():
            return _mark_blocked(app, o.person, doc_id, doc, str(exc))  # never started it
        return _failed(app, o.person, doc_id, exc)


def _failed(app: Application, person: Person, doc_id: int, exc: TelegramError) -> str:
    """Record a send that did not go through; return the entry's status."""
    store = app.bot_data["store"]
    now = app.bot_data["time"].now()
    table = store.table(LOG)
    doc = table.get(doc_id=doc_id)  # parts may have been recorded meanwhile
    outcome = outcome_of(exc)
    error = short_error(exc)
    if outcome == "refused":
        log.error("message to %s refused for good: %s", person.name, exc)
        table.update({"status": "failed", "reason": "refused", "error": error},
                     doc_ids=[doc_id])
        return "failed"
    if outcome == "unknown":
        unknown = doc.get("unknown", 0) + 1
        status = "maybe" if unknown > UNKNOWN_RETRIES else "pending"
        log.warning("message to %s: outcome unknown (%d): %s", person.name, unknown, exc)
        table.update({"status": status, "unknown": unknown, "error": error,
                      "tried_at": now.isoformat(), "next_at": now.isoformat()},
                     doc_ids=[doc_id])
        return status
    attempts = doc.get("attempts", 0) + 1
    wait = backoff(attempts)
    if isinstance(exc, RetryAfter):
        wait = max(wait, _retry_after_seconds(exc))
    log.warning("message to %s not sent (attempt %d, again in %.0f s): %s", person.name,
                attempts, wait, exc)
    table.update({"status": "pending", "attempts": attempts, "error": error,
                  "tried_at": now.isoformat(),
                  "next_at": (now + dt.timedelta(seconds=wait)).isoformat()}, doc_ids=[doc_id])
    return "pending"


def short_error(exc: BaseException) -> str:
    """The error as the office can read it: its first sentence, no server page."""
    text = str(exc).split(". Parsing the server response")[0].strip()
    return f"{type(exc).__name__}: {text}"[:120]


def _retry_after_seconds(exc: RetryAfter) -> float:
    value = getattr(exc, "_retry_after", None)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(exc.retry_after)  # type: ignore[arg-type]


async def _send(app: Application, chat_id: int, text: str,
                markup: InlineKeyboardMarkup | None):
    """``send_message``, waiting out short flood control (beyond what the rate limiter does)."""
    for attempt in range(RETRY_AFTER_TRIES):
        try:
            return await app.bot.send_message(chat_id, text, reply_markup=markup)
        except RetryAfter as exc:
            wait = _retry_after_seconds(exc) + 0.1
            if attempt + 1 == RETRY_AFTER_TRIES or wait > RETRY_AFTER_WAIT:
                raise
            log.info("flood control: waiting %.1f s", wait)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")


def _never_started(error: str) -> bool:
    """Telegram's words for a person who never pressed Start (vs. one who blocked the bot)."""
    error = error.lower()
    return "can't initiate conversation" in error or "chat not found" in error


def _mark_blocked(app: Application, person: Person, doc_id: int, doc: dict, error: str) -> str:
    """The person cannot be reached: blocked the bot, or never started it (``why``, which
    the office is told apart: one who never started is asked to open the bot and press
    Start). Returns ``why``."""
    log.warning("%s cannot be reached (%s): marked unreachable", person.name, error)
    store = app.bot_data["store"]
    now = app.bot_data["time"].now()
    why = "not_started" if _never_started(error) else "blocked"
    with store.transaction():
        store.table(LOG).update({"status": "unreachable", "reason": why,
                                 "error": error[:200]}, doc_ids=[doc_id])
        fresh = store.get_person(person.id)
        never = why == "not_started"
        if fresh is not None and (fresh.reachable or fresh.never_started != never):
            fresh.reachable, fresh.never_started = False, never
            store.save_person(fresh, WHO, note="Telegram: Forbidden")
        if not doc["kind"].startswith(NOTICE):
            key = "live.not_started_notice" if why == "not_started" else "remind.blocked_notice"
            _notify_office(store, now, dt.date.fromisoformat(doc["day"]),
                           f"blocked.{person.id}", key, skip=person.id,
                           name=esc(person.name), date=doc["day"],
                           bot=esc(app.bot.username or ""))
    return why


# ---------------------------------------------------------------- notices to the office


def _notify_office(store, now: dt.datetime, day: dt.date, key: str, text_key: str, *,
                   skip: int | None = None, lines: Callable[[str], list[str]] | None = None,
                   **params: Any) -> int:
    """Log a notice to every reachable office member as pending (inside the caller's
    transaction); :func:`flush_notices` sends it. Returns how many were logged."""
    table = store.table(LOG)
    kind = NOTICE + key
    logged = {d["person"] for d in SendLog(store).docs(day=day.isoformat(), kind=kind)}
    until = (now + dt.timedelta(days=NOTICE_DAYS)).isoformat()
    n = 0
    for p in store.people():
        if p.position != "office" or p.id == skip or p.id in logged:
            continue
        if unreachable_reason(p) is not None:
            continue
        text = t(text_key, p.language, **{k: v(p.language) if callable(v) else v
                                          for k, v in params.items()})
        if lines is not None:
            text = "\n".join([text, *lines(p.language)])
        table.insert({"day": day.isoformat(), "kind": kind, "person": p.id, "name": p.name,
                      "telegram": p.telegram, "hash": _hash(text), "text": text,
                      "status": "pending", "reason": "", "attempts": 0, "unknown": 0,
                      "parts_sent": 0, "messages": [], "logged_at": now.isoformat(),
                      "until": until})
        n += 1
    return n


def _reason_text(doc: dict, lang: str) -> str:
    if doc["status"] == "maybe":
        return t("delivery.why.maybe", lang)
    if doc.get("reason") == "refused":
        return t("delivery.why.refused", lang, error=doc.get("error", ""))
    return t("delivery.why.transient", lang, error=doc.get("error", "") or "—")


def _late(doc: dict) -> bool:
    """Whether a sent digest went out only next morning, or :data:`LATE` after it was due."""
    if doc.get("reopened_at"):
        return True
    if not doc.get("attempts") or not doc.get("sent_at") or not doc.get("logged_at"):
        return False
    delay = dt.datetime.fromisoformat(doc["sent_at"]) - dt.datetime.fromisoformat(doc["logged_at"])
    return delay >= LATE


def _run_notice(store, now: dt.datetime, day: dt.date, kind: str, docs: list, *,
                final: bool) -> None:
    """Tell the office about a finished run that had trouble: who was not reached (and why),
    who maybe got it, or that the retries reached everyone and nothing was lost."""
    if kind not in (DAILY, WEEKLY):
        return
    missed = [d for d in docs if d["status"] in ("failed", "maybe")]
    retried = [d for d in docs if d["status"] == "sent" and _late(d)]
    if not missed and not retried:
        return
    sent = sum(1 for d in docs if d["status"] == "sent")
    params: dict[str, Any] = {"date": day.isoformat(), "sent": sent}

    def lines(lang: str) -> list[str]:
        return [t("delivery.line", lang, name=esc(d["name"]),
                  why=esc(_reason_text(d, lang))) for d in missed[:20]]

    if not missed:
        key = "delivery.all_reached"
    elif final:
        key = "delivery.not_reached_final"
    else:
        key = "delivery.not_reached"
    what = f"delivery.what.{kind}"
    n = _notify_office(store, now, day, f"run.{kind}.{now.isoformat()}", key, lines=lines,
                       n=len(missed), what=lambda lang: t(what, lang), **params)
    if n:
        log.info("the office is told about the %s run of %s (%d not reached)", kind, day,
                 len(missed))


async def flush_notices(app: Application) -> int:
    """Send the pending notices to the office whose retry is due; returns how many went out."""
    store = app.bot_data["store"]
    clock = app.bot_data["time"]
    table = store.table(LOG)
    context = CallbackContext(app)
    sent = 0
    now = clock.now()
    for doc in SendLog(store).pending_of_kinds(NOTICE):
        if doc.get("until") and dt.datetime.fromisoformat(doc["until"]) <= now:
            table.update({"status": "failed", "reason": "transient"}, doc_ids=[doc.doc_id])
            continue
        if not _retry_due(doc, now):
            continue
        person = store.get_person(doc["person"])
        if person is None or unreachable_reason(person) is not None:
            table.update({"status": "unreachable", "reason": "unlinked"}, doc_ids=[doc.doc_id])
            continue
        o = Outgoing(person, doc["hash"], _plain(doc["text"]))
        if await _send_one(app, context, o, doc.doc_id, doc) == "sent":
            sent += 1
    return sent


def _prune(store, today: dt.date) -> None:
    """Forget send-log entries older than KEEP_DAYS before the real ``today``."""
    oldest = (today - dt.timedelta(days=KEEP_DAYS)).isoformat()
    for name in (LOG, RUNS, ACKS):
        remove_days_before(store, name, oldest)


# ---------------------------------------------------------------- reading the log


def sent_log(store, day: dt.date | None = None, kind: str | None = None) -> list[dict]:
    """Send-log entries (of ``day`` and ``kind`` when given), oldest first."""
    return SendLog(store).entries(day, kind)


def trouble(store, lang: str) -> list[str]:
    """For /health: the latest finished daily run's digests not (surely) delivered, and why."""
    runs = list(ReminderRuns(store).docs(kind=DAILY))
    if not runs:
        return []
    run = max(runs, key=lambda r: (r["day"], r.get("started_at", "")))
    day = dt.date.fromisoformat(run["day"])
    missed = [d for d in _entries(store, day, DAILY) if d["status"] in ("failed", "maybe")
              or (d["status"] == "pending" and (d.get("attempts") or d.get("unknown")))]
    if not missed:
        return []
    out = [t("delivery.health.missed", lang, date=run["day"], n=len(missed))]
    for d in missed[:15]:
        why = (t("delivery.why.retrying", lang, error=d.get("error", ""))
               if d["status"] == "pending" else _reason_text(d, lang))
        out.append(t("delivery.line", lang, name=d["name"], why=why))
    return out
