"""Supervision steps in chat (issue 18): 签收 (the handler signs for an assigned case).

The [签收] button is a step of :func:`bot.domain.workflow.next_steps` (``uf:sign:...``),
so it is under the case card whoever reads it may sign (the handler, the office), and under
the card sent to the handler when the case is assigned to them, beside [退回改办].
"""

from __future__ import annotations

from telegram.ext import Application

from bot.domain import workflow as wf
from bot.domain.model import Case
from bot.domain.timeutil import iso_now
from handlers.common import Ctx, get_time
from handlers.registration import Flow, FlowState, add_flow
from handlers.update import commit, done


async def _finish_sign(c: Ctx, st: FlowState) -> None:
    at = iso_now(get_time(c.context))

    def change(case: Case) -> str:
        return wf.sign(case, c.person, at)

    case = await commit(c, st, change)
    if case is not None:
        await done(c, st, case, c.t("sv.done.signed", at=at[:16].replace("T", " ")))


add_flow(Flow(name="sign", title="step.sign", asks=(), finish=_finish_sign))


def register(app: Application) -> None:
    """Nothing to install: the steps run in the update flows' engine."""
