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
    #: user id -> acknowledged languages, in order
    acked_lang: dict[int, list[str]] = field(default_factory=dict)
    #: user id -> number of /lang changes sent (acknowledged or not)
    sent_lang: Counter[int] = field(default_factory=Counter)
    #: (case number, stage) of every acknowledged forward move
    acked_stage: list[tuple[str, str]] = field(default_factory=list)
    #: user id -> the language the bot last told the user it has
    believed: dict[int, str] = field(default_factory=dict)
    #: strangers who asked (/start answered), and those welcomed after approval
    asked: set[int] = field(default_factory=set)
    welcomed: set[int] = field(default_factory=set)
    #: users with no answer at all to some request after every try
    unanswered: Counter[int] = field(default_factory=Counter)
    requests: int = 0


class Crowd:
    """The users and their scripts; :meth:`run` plays them until the time is up."""

    def __init__(self, sim: Any, users: list[Any], *, office: Any | None = None,
                 strangers: list[Any] = (), seed: int = 1, timeout: float = 8.0,
                 tries: int = 3, think: tuple[float, float] = (0.05, 0.4),
                 write_share: float = 0.2, button_share: float = 0.15,
                 cases: dict[int, list[str]] | None = None) -> None:
        self.sim = sim
        self.users = users
        self.office = office
        self.strangers = list(strangers)
        self.rng = random.Random(seed)
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

    # ------------------------------------------------------------ one request

    async def request(self, user: Any, send) -> list[Any]:
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
            self.tally.latencies.append(time.perf_counter() - started)
            kind = "error" if any(e in text for e in ERRORS) else "answer"
            self.tally.outcomes[kind] += 1
            return reply
        self.tally.unanswered[user.id] += 1
        return []

    async def ask(self, user: Any, text: str) -> list[Any]:
        return await self.request(user, lambda: user.send(text))

    # ------------------------------------------------------------ scripts

    async def query(self, user: Any) -> None:
        reply = await self.ask(user, self.rng.choice(QUERIES))
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
        data = self.rng.choice(buttons)["callback_data"]
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
        """Open one of the user's cases and press its forward move, if it has one."""
        numbers = self.cases.get(user.id)
        if not numbers:
            await self.flip_language(user)
            return
        number = self.rng.choice(numbers)
        reply = await self.ask(user, f"/update {number}")
        for card in reversed(reply):
            moves = [b["callback_data"] for row in card.buttons for b in row
                     if b.get("callback_data", "").startswith("uf:")
                     and b["callback_data"].split(":")[1] in FORWARD]
            if moves:
                break
        else:
            return
        data = self.rng.choice(moves)
        reply = await self.request(user, lambda: user.press_data(card.message_id, data))
        if any(done in (m.text or "") for m in reply for done in STAGE_DONE):
            self.tally.acked_stage.append((number, data.split(":")[1]))

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
                await self.request(self.office,
                                   lambda m=message, d=data: self.office.press_data(m.message_id, d))
            await asyncio.sleep(0.1)

    def note_welcomes(self) -> None:
        for stranger in self.strangers:
            if any(w in (m.text or "") for m in stranger.messages for w in WELCOME):
                self.tally.welcomed.add(stranger.id)

    async def visitor(self, user: Any) -> None:
        await asyncio.sleep(self.rng.uniform(0, 1.0))  # not all at once
        while not self._stop.is_set():
            roll = self.rng.random()
            if roll < self.write_share / 2:
                await self.flip_language(user)
            elif roll < self.write_share:
                await self.advance_case(user)
            elif roll < self.write_share + self.button_share:
                await self.press(user)
            else:
                await self.query(user)
            await asyncio.sleep(self.rng.uniform(*self.think))

    async def newcomer(self, stranger: Any, at: float) -> None:
        await asyncio.sleep(at)
        if not self._stop.is_set():
            await self.register(stranger)

    def stop(self) -> None:
        """End a :meth:`run` early (its visitors finish their current request)."""
        self._stop.set()

    async def run(self, seconds: float) -> Tally:
        tasks = [asyncio.create_task(self.visitor(u)) for u in self.users]
        tasks += [asyncio.create_task(self.newcomer(s, self.rng.uniform(0, seconds * 0.7)))
                  for s in self.strangers]
        if self.office is not None:
            tasks.append(asyncio.create_task(self.clerk()))
        try:  # until ``seconds`` have passed or stop() was called
            await asyncio.wait_for(self._stop.wait(), seconds)
        except asyncio.TimeoutError:
            pass
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
    for number, stage in tally.acked_stage:
        case = store.find_by_number(number)[0]
        if not any(ev.field == "stage" and ev.new == stage for ev in store.history(case.id)):
            problems.append(f"{number}: acknowledged {stage}, not in its history")
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
