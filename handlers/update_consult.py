"""记录协商: recording a consultation with the proposers (a flow of :mod:`handlers.update`).

The method, the day (today by a button), with whom (the proposers and the lead unit as
buttons), a note; consultations come before the answer (答复) unless the office overrides.
"""

from __future__ import annotations

import datetime as dt
import logging

from bot.domain import workflow as wf
from bot.domain.model import CONSULT_METHODS, MAX_NAME, Case
from handlers import steps
from handlers.common import Ctx, esc
from handlers.flows import Ask, Choice, Flow, FlowState, add_flow

log = logging.getLogger("duban.update")


# ---------------------------------------------------------------- 记录协商


def _partners(c: Ctx, st: FlowState) -> list[Choice]:
    case = steps.case_of(st)
    names = [*case.proposers, case.lead_unit] if case.lead_unit else list(case.proposers)
    return [Choice(n, n) for n in dict.fromkeys(names) if n]


async def _finish_consult(c: Ctx, st: FlowState) -> None:
    d = st.data
    method_label = c.t(f"method.{d['method']}")

    def change(case: Case) -> str:
        wf.add_consultation(case, d["method"], dt.date.fromisoformat(d["on"]), d["with_whom"],
                            d["note"], c.who, c.today)
        return f"{method_label} {d['on']} {d['with_whom']}"

    case = await steps.commit(c, st, change)
    if case is not None:
        await steps.done(c, st, case, c.t("upd.done.consult", method=method_label, on=d["on"],
                                    who=esc(d["with_whom"])))


add_flow(Flow(
    name="consult",
    title="step.consult",
    asks=(
        Ask("method", steps.prompt("upd.ask.method"),
            choices=steps.choices("method", CONSULT_METHODS), per_row=3),
        steps.ask_day("upd.ask.on"),
        Ask("with_whom", steps.prompt("upd.ask.with_whom"), choices=_partners,
            read=lambda c, st, text: wf.read_text(text, "with_whom", MAX_NAME * 4)),
        Ask("note", steps.prompt("upd.ask.note"),
            choices=lambda c, st: [Choice("", c.t("upd.skip"))],
            read=lambda c, st, text: wf.read_text(text, "note")),
    ),
    finish=_finish_consult,
))
