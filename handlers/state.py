"""The application's state: one :class:`BotData` per Application (``app.bot_data``).

PTB makes it (``ContextTypes(bot_data=BotData)`` in :func:`bot.app.create_app`), and every
handler reaches it through its context. It holds the store, the clock and the settings the
bot was started with, the working calendar's cache, the registries the handlers fill at
start-up (the kinds of signed buttons and their handlers, the flows and their entry
buttons, the extra lines and buttons of a case card, the extra parts of a person's answer,
the answers of intents other modules own) and what handlers keep between two updates
(files and previews waiting for a button, early answers in flight, counters). Everything
mutable lives here and nowhere in a module, so two Applications in one process (tests)
share nothing.

Modules *declare* their buttons and flows where they define them (``@button(CaseButton)``,
``add_flow(Flow(...))``, ``@entry(StepButton)``: a catalogue of code, like the message
catalogue); :func:`handlers.register` copies the declarations into the Application's
registries, and :func:`handlers.common.add_button` adds one to a single Application. The
card's and the person answer's extras and the intents' answers are added by the owning
module's ``register(app)``, in the order of :data:`handlers.MODULES`.

It is also a mapping, for the side keys features keep of their own (``bot_data["x"]``,
``bot_data.setdefault(...)``): ``"store"``, ``"time"`` and ``"config"`` are the typed
attributes, any other key lives in :attr:`extra`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telegram import InlineKeyboardButton

    from bot.config import Config
    from bot.domain.model import Case
    from bot.domain.timeutil import SystemTime
    from data.store import Store
    from data.views import CalendarCache
    from handlers.common import Ctx, Pressed
    from handlers.documents import Pending
    from handlers.flows import Flow

    Rows = list[list[InlineKeyboardButton]]

#: the typed attributes reachable as keys too (key -> attribute)
_TYPED = {"store": "store", "time": "clock", "config": "config"}


@dataclass(eq=False)
class BotData(MutableMapping[str, Any]):
    """What one Application knows (see the module's docstring)."""

    store: Store | None = None
    #: "now" for the handlers and jobs (the real clock, or a set one in tests and the console)
    clock: SystemTime | None = None
    config: Config | None = None
    #: the working calendar built from the store's settings (rebuilt when they change)
    calendar: CalendarCache | None = None
    #: the kinds of signed buttons by code, with their handlers (:func:`handlers.common.button`)
    buttons: dict[str, Pressed] = field(default_factory=dict)
    #: flows by name, and the kinds of buttons that start one (see :mod:`handlers.flows`)
    flows: dict[str, Flow] = field(default_factory=dict)
    entries: dict[str, Pressed] = field(default_factory=dict)
    #: more lines and rows of buttons of a case card: ``f(c, case)`` (:mod:`handlers.cards`)
    card_lines: list[Callable[[Ctx, Case], list[str]]] = field(default_factory=list)
    card_buttons: list[Callable[[Ctx, Case], Rows]] = field(default_factory=list)
    #: more parts of a person's answer (the office's admin card, :mod:`handlers.people`):
    #: ``f(c, name, person_id) -> (lines above the summary, rows of buttons below it)``
    person_extras: list[Callable[[Ctx, str, int], tuple[list[str], Rows]]] = field(
        default_factory=list)
    #: answers of intents other modules own (supervision's ``supervise``, ``requests``):
    #: intent name -> ``async f(c, intent)``
    intent_answers: dict[str, Callable[..., Awaitable[Any]]] = field(default_factory=dict)
    #: files kept for a later [只导入正确的行]: token -> (time, filename, bytes, people?)
    pending_files: dict[str, tuple[float, str, bytes, bool]] = field(default_factory=dict)
    #: cases ledgers' previews waiting for a button: token -> (time, ImportResult)
    previews: dict[str, tuple[float, object]] = field(default_factory=dict)
    #: files and links waiting for their type (:mod:`handlers.documents`), by token
    pending_documents: dict[str, Pending] = field(default_factory=dict)
    #: the early answers of button presses still running (kept so none is collected)
    early_answers: set[asyncio.Task] = field(default_factory=set)
    #: the counters /health shows, and the start time of each update being handled
    stats: dict[str, float] = field(
        default_factory=lambda: {"updates": 0, "slowest_ms": 0.0})
    started: dict[int, float] = field(default_factory=dict)
    #: the side keys of features (``bot_data["x"]``)
    extra: dict[str, Any] = field(default_factory=dict)

    # the mapping view

    def __getitem__(self, key: str) -> Any:
        name = _TYPED.get(key)
        if name is None:
            return self.extra[key]
        value = getattr(self, name)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        name = _TYPED.get(key)
        if name is None:
            self.extra[key] = value
        else:
            setattr(self, name, value)

    def __delitem__(self, key: str) -> None:
        name = _TYPED.get(key)
        if name is None:
            del self.extra[key]
        elif getattr(self, name) is None:
            raise KeyError(key)
        else:
            setattr(self, name, None)

    def __iter__(self) -> Iterator[str]:
        yield from (k for k, name in _TYPED.items() if getattr(self, name) is not None)
        yield from self.extra

    def __len__(self) -> int:
        return sum(1 for _ in self)
