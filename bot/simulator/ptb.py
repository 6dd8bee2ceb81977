"""Hooks that tell the simulator when the PTB Application finished handling an update.

PTB fetches updates independently of handling them, so the HTTP side cannot know when the bot
went quiet. Either hook calls ``sim.mark_processed(update_id)``; ``user.ask`` then waits for it.

- ``track_processing(sim, app)``: adds a TypeHandler in a late group. Simple, works on any
  Application, but an update whose handler raised ``ApplicationHandlerStop`` never reaches it
  (ask then times out).
- ``TrackingUpdateProcessor(sim)``: pass to ``Application.builder().concurrent_updates(...)``;
  marks every update after all its handlers ran, whatever they raised.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor, TypeHandler

from bot.simulator.server import BotApiSimulator

__all__ = ["TRACKING_GROUP", "TrackingUpdateProcessor", "track_processing"]

TRACKING_GROUP = 1_000_000


def track_processing(sim: BotApiSimulator, application: Application[Any, Any, Any, Any, Any, Any],
                     group: int = TRACKING_GROUP) -> None:
    """Register the late-group handler that reports processed updates to ``sim``."""

    async def _mark(update: Update, _context: object) -> None:
        sim.mark_processed(update.update_id)

    application.add_handler(TypeHandler(Update, _mark), group=group)
    sim.processing_hook = True


class TrackingUpdateProcessor(BaseUpdateProcessor):
    """An update processor that reports each update to the simulator once handled."""

    def __init__(self, sim: BotApiSimulator, max_concurrent_updates: int = 1) -> None:
        super().__init__(max_concurrent_updates)
        self.sim = sim
        sim.processing_hook = True

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await coroutine
        finally:
            if isinstance(update, Update):
                self.sim.mark_processed(update.update_id)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
