"""A scripted crowd for the soak, the kill test and the load benchmark.

Simulated users (``SimUser`` of :mod:`bot.simulator`) type a mix of questions, button
presses and changes, one request at a time with a short pause between, and remember what
the bot acknowledged, so that afterwards the store can be checked against it:

* **queries**: ``/case``, ``/history``, ``/overdue``, ``/mine``, ``/due``, ``/find``, free
  text questions;
* **buttons**: a read-only button of the last answer (case card, history, paging);
* **updates**: a handler opens one of their cases (``/update NUMBER``) and presses the
  forward move under the card (a stage change with its history event, acknowledged by
  "✓ 状态已更新为…"); and ``/lang en|zh`` flips the person's language: a change of a person
  with its history event, acknowledged by "Language switched..." in the new language. A user
  only believes what the bot acknowledged; after a request that got no clear answer,
  ``/lang`` (no argument) tells it the stored language, so it never asks for a no-op change;
* **registrations**: a stranger sends ``/start``; the office's clerk presses
  [批准为局领导] on each request it receives; the stranger's welcome is the acknowledgement.

Answers are classified per request: ``answer`` (a normal reply), ``error`` (the bot's own
clear error message) or ``silent`` (nothing within the timeout: the process died, or a fault
ate both the reply and the error). A silent request is asked again (up to ``tries``).

Each user draws from its own random stream (seeded by the crowd's seed and the user's id), so
a user's script does not depend on how the event loop interleaves the others. The crowd plays
for a time (the load benchmark), or until every user has done a given number of actions (the
soak: a fixed amount of work however slow the machine), or until :meth:`Crowd.stop` (the kill
test).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.texts import t

QUERIES = ("/case 0484", "/case 0091", "/history 0484", "/overdue", "/mine", "/due 本周",
           "/find 招商", "哪些超期了?", "本周到期的", "0484进展如何", "/help", "/case 484",
           "/progress", "我的件")
#: buttons that only read (callback data actions)
READ_BUTTONS = frozenset({"case", "hist", "q", "qn", "ppl"})
ERRORS = tuple(t(k, lang) for k in ("error.generic", "error.store_write")
               for lang in ("zh", "en"))
SWITCHED = {lang: t("lang.switched", lang) for lang in ("zh", "en")}
CHOOSE = {lang: t("lang.choose", lang) for lang in ("zh", "en")}
WELCOME = ("办公室已批准您", "The office has approved you")
#: forward moves of the update flows (handlers/update.py, callback ``uf:STAGE:ID:VERSION``)
FORWARD = frozenset({"assigned", "in_progress", "drafted", "reviewed", "published", "archived"})
STAGE_DONE = ("状态已更新为", "Stage is now")


@dataclass
class Tally:
    """What the crowd saw."""

    outcomes: Counter[str] = field(default_factory=Counter)
    #: per request: seconds from send to the last message of the answer
    latencies: list[float] = field(default_factory=list)
    #: the same by what was asked (a command's first word, or "button")
    latency_of: dict[str, list[float]] = field(default_factory=dict)
    #: user id -> acknowledged languages, in order
    acked_lang: dict[int, list[str]] = field(default_factory=dict)
    #: user id -> number of /lang changes sent (acknowledged or not)
    sent_lang: Counter[int] = field(default_factory=Counter)
    #: (case id, stage) of every acknowledged forward move
    acked_stage: list[tuple[int, str]] = field(default_factory=list)
    #: forward moves pressed (acknowledged or not)
    sent_stage: int = 0
    #: user id -> the language the bot last told the user it has
    believed: dict[int, str] = field(default_factory=dict)
    #: strangers who asked (/start answered), and those welcomed after approval
    asked: set[int] = field(default_factory=set)
    welcomed: set[int] = field(default_factory=set)
    #: users with no answer at all to some request after every try
    unanswered: Counter[int] = field(default_factory=Counter)
    requests: int = 0


class Crowd:
    """The users and their scripts; :meth:`run` plays them (see the module documentation)."""

    def __init__(self, sim: Any, users: list[Any], *, office: Any | None = None,
                 strangers: list[Any] = (), seed: int = 1, timeout: float = 8.0,
                 tries: int = 3, think: tuple[float, float] = (0.05, 0.4),
                 write_share: float = 0.2, button_share: float = 0.15,
                 cases: dict[int, list[str]] | None = None) -> None:
        self.sim = sim
        self.users = users
        self.office = office
        self.strangers = list(strangers)
        self.seed = seed
        self.rng = random.Random(seed)
        self._rngs: dict[int, random.Random] = {}
        self.timeout, self.tries, self.think = timeout, tries, think
        self.write_share, self.button_share = write_share, button_share
        #: user id -> numbers of the cases the user handles (for forward moves)
        self.cases = cases or {}
        self.tally = Tally()
        self._stop = asyncio.Event()
        self._last: dict[int, Any] = {}
        self._pressed: set[int] = set()
        self.paused = asyncio.Event()
        self.paused.set()

    def rng_of(self, user: Any) -> random.Random:
        """``user``'s own random stream."""
        rng = self._rngs.get(user.id)
        if rng is None:
            rng = self._rngs[user.id] = random.Random(f"{self.seed}:{user.id}")
        return rng

    def stop(self) -> None:
        """End the play: every user finishes the request in hand, then :meth:`run` returns."""
        self._stop.set()

    # ------------------------------------------------------------ one request

    async def request(self, user: Any, send, what: str = "button") -> list[Any]:
        """``send()`` injects the update; wait for the answer; ask again while silent."""
        for _ in range(self.tries):
            await self.paused.wait()
            self.tally.requests += 1
            started = time.perf_counter()
            update = await send()
            try:
                reply = await self.sim.settle(user.chat, update, self.timeout)
            except TimeoutError:
                reply = []
            text = "\n".join(m.text or "" for m in reply)
            if not reply:
                self.tally.outcomes["silent"] += 1
                continue
            took = time.perf_counter() - started
            self.tally.latencies.append(took)
            self.tally.latency_of.setdefault(what, []).append(took)
            kind = "error" if any(e in text for e in ERRORS) else "answer"
            self.tally.outcomes[kind] += 1
            return reply
        self.tally.unanswered[user.id] += 1
        return []

    async def ask(self, user: Any, text: str) -> list[Any]:
        return await self.request(user, lambda: user.send(text), text.split(" ", 1)[0])

    # ------------------------------------------------------------ scripts

    async def query(self, user: Any) -> None:
        reply = await self.ask(user, self.rng_of(user).choice(QUERIES))
        with_buttons = [m for m in reply if m.buttons]
        if with_buttons:
            self._last[user.id] = with_buttons[-1]

    async def press(self, user: Any) -> None:
        message = self._last.get(user.id)
        buttons = [b for row in (message.buttons if message else []) for b in row
                   if b.get("callback_data", "").split(":", 1)[0].split("|", 1)[0]
                   in READ_BUTTONS]
        if not buttons:
            await self.query(user)
            return
        data = self.rng_of(user).choice(buttons)["callback_data"]
        reply = await self.request(user, lambda: user.press_data(message.message_id, data))
        if any(m.buttons for m in reply):
            self._last[user.id] = [m for m in reply if m.buttons][-1]

    async def flip_language(self, user: Any) -> None:
        believed = self.tally.believed.get(user.id) or await self.probe_language(user)
        if believed is None:
            return
        target = "en" if believed == "zh" else "zh"
        self.tally.sent_lang[user.id] += 1
        reply = await self.ask(user, f"/lang {target}")
        if any(SWITCHED[target] in (m.text or "") for m in reply):
            self.tally.acked_lang.setdefault(user.id, []).append(target)
            self.tally.believed[user.id] = target
        else:  # unknown outcome: ask the bot what is stored before the next change
            self.tally.believed.pop(user.id, None)

    async def advance_case(self, user: Any) -> None:
        """Open one of the user's cases and press its forward move, if it has one.

        The answers of earlier requests may still come in (after a restart the bot works
        through what was sent meanwhile), so the reply may hold another card, and an
        acknowledgement of another move: the move is the case and stage of the button
        pressed, and it counts as acknowledged only by a "✓ stage is now" message that
        shows that card (the pressed card edited, or a new one with its first line)."""
        numbers = self.cases.get(user.id)
        if not numbers:
            await self.flip_language(user)
            return
        number = self.rng_of(user).choice(numbers)
        reply = await self.ask(user, f"/update {number}")
        for card in reversed(reply):
            moves = [b["callback_data"] for row in card.buttons for b in row
                     if b.get("callback_data", "").startswith("uf:")
                     and b["callback_data"].split(":")[1] in FORWARD]
            if moves:
                break
        else:
            return
        data = self.rng_of(user).choice(moves)
        _, stage, case_id = data.split(":")[:3]
        header = (card.text or "").splitlines()[0]
        self.tally.sent_stage += 1
        reply = await self.request(user, lambda: user.press_data(card.message_id, data))
        if any(done in (m.text or "") and header in (m.text or "")
               for m in reply for done in STAGE_DONE):
            self.tally.acked_stage.append((int(case_id), stage))

    async def probe_language(self, user: Any) -> str | None:
        reply = await self.ask(user, "/lang")
        for message in reversed(reply):
            for lang, text in CHOOSE.items():
                if text in (message.text or ""):
                    self.tally.believed[user.id] = lang
                    return lang
        return None

    async def register(self, stranger: Any) -> None:
        reply = await self.ask(stranger, "/start")
        if reply:
            self.tally.asked.add(stranger.id)

    async def clerk(self) -> None:
        """The office approves every join request it is shown, as a leader (one step)."""
        label = t("join.as_leader", "zh")
        while not self._stop.is_set():
            for message in list(self.office.messages):
                if message.message_id in self._pressed or label not in message.labels:
                    continue
                self._pressed.add(message.message_id)
                data = message.button(label)["callback_data"]
                await self.request(
                    self.office, lambda m=message, d=data: self.office.press_data(m.message_id, d))
            await asyncio.sleep(0.1)

    def note_welcomes(self) -> None:
        for stranger in self.strangers:
            if any(w in (m.text or "") for m in stranger.messages for w in WELCOME):
                self.tally.welcomed.add(stranger.id)

    async def visitor(self, user: Any, actions: int | None = None) -> None:
        """``user`` plays until the crowd stops, or ``actions`` actions are done."""
        rng = self.rng_of(user)
        await asyncio.sleep(rng.uniform(0, 1.0))  # not all at once
        done = 0
        while not self._stop.is_set() and (actions is None or done < actions):
            roll = rng.random()
            if roll < self.write_share / 2:
                await self.flip_language(user)
            elif roll < self.write_share:
                await self.advance_case(user)
            elif roll < self.write_share + self.button_share:
                await self.press(user)
            else:
                await self.query(user)
            done += 1
            await asyncio.sleep(rng.uniform(*self.think))

    async def newcomer(self, stranger: Any, at: float) -> None:
        await asyncio.sleep(at)
        if not self._stop.is_set():
            await self.register(stranger)

    async def run(self, seconds: float | None = None, *, actions: int | None = None,
                  arrivals: float = 10.0) -> Tally:
        """Play for ``seconds``; or, without, until every user has done ``actions`` actions
        (and every stranger has asked to join); or, without either, until :meth:`stop`.
        Strangers arrive within ``arrivals`` seconds (the first 70% of ``seconds``)."""
        if seconds is not None:
            arrivals = seconds * 0.7
        visitors = [asyncio.create_task(self.visitor(u, actions)) for u in self.users]
        newcomers = [asyncio.create_task(self.newcomer(s, self.rng.uniform(0, arrivals)))
                     for s in self.strangers]
        tasks = visitors + newcomers
        if self.office is not None:
            tasks.append(asyncio.create_task(self.clerk()))
        if seconds is not None:  # until ``seconds`` have passed or stop() was called
            try:
                await asyncio.wait_for(self._stop.wait(), seconds)
            except TimeoutError:
                pass
        elif actions is not None:
            await asyncio.gather(*visitors, *newcomers)
        else:
            await self._stop.wait()
        self._stop.set()
        await asyncio.gather(*tasks)
        self.note_welcomes()
        return self.tally


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (0-100) by nearest rank; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def add_handlers(store, n: int, first_telegram: int, *, like: str = "张三") -> dict[int, list[str]]:
    """``n`` more approved handlers, each with a copy of ``like``'s cases (numbers
    ``9NNJ``); their Telegram id -> their case numbers."""
    from bot.domain.model import Person

    model = [c for c in store.cases() if c.handler == like]
    division = store.people_named(like)[0].division
    out: dict[int, list[str]] = {}
    with store.transaction():
        for i in range(n):
            name, tid = f"承办人{i:02d}", first_telegram + i
            store.add_person(Person(name, "handler", division=division, telegram=tid,
                                    approved=True), "测试")
            for j, case in enumerate(model):
                clone = case.copy()
                clone.id, clone.number, clone.handler = 0, f"9{i:02d}{j}", name
                store.add_case(clone, "测试")
                out.setdefault(tid, []).append(clone.number)
    return out


def check_stages(store, tally: Tally) -> list[str]:
    """Every acknowledged forward move is in its case's history; problems found."""
    problems = []
    for case_id, stage in tally.acked_stage:
        if not any(ev.field == "stage" and ev.new == stage for ev in store.history(case_id)):
            case = store.get_case(case_id)
            problems.append(f"{case.number if case else case_id}: acknowledged {stage}, "
                            f"not in its history")
    return problems


def check_languages(store, tally: Tally) -> list[str]:
    """Every acknowledged /lang change is stored with its history; problems found."""
    problems = []
    for tid, acked in tally.acked_lang.items():
        person = store.person_by_telegram(tid)
        events = [ev for ev in store.person_history(person.id) if ev.get("field") == "language"]
        news = [ev["new"] for ev in events]
        # the acknowledged values appear in the history, in order
        it = iter(news)
        if not all(any(v == n for n in it) for v in acked):
            problems.append(f"{person.name}: acknowledged {acked}, history {news}")
        if len(events) > tally.sent_lang[tid]:
            problems.append(f"{person.name}: {len(events)} changes from {tally.sent_lang[tid]}")
        if any(ev.get("old") == ev.get("new") for ev in events):
            problems.append(f"{person.name}: a no-op change in the history")
        believed = tally.believed.get(tid)
        if believed is not None and person.language != believed:
            problems.append(f"{person.name}: stored {person.language}, acknowledged {believed}")
        if news and news[-1] != person.language:
            problems.append(f"{person.name}: stored {person.language}, history ends {news[-1]}")
    return problems
