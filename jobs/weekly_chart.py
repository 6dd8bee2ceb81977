"""The chart attached to the leaders' Monday summary (see :mod:`jobs.reminders`).

The counts are taken from the store on the event loop's thread; the PNG is drawn in the
drawing process (:mod:`data.offloop`), once per language the leaders read. A chart that
cannot be drawn is logged and left out: the summary's text still goes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from functools import partial

from bot.domain.charts import chart_data
from bot.domain.model import Case
from bot.texts import norm_lang, t
from data import offloop
from data.views import rules_of, work_calendar

log = logging.getLogger("duban.reminders")


async def weekly_charts(store, day: dt.date, langs: Iterable[str],
                        cases: Iterable[Case] | None = None
                        ) -> dict[str, tuple[str, bytes, str]]:
    """{each of ``langs``: (file name, PNG, caption)} of ``day``'s year over ``cases`` (all
    the store's by default: a leader's chart covers what that leader may see); {} when the
    year is empty."""
    from data.charts import chart_title, render_chart

    data = chart_data(store.cases() if cases is None else cases, day, work_calendar(store),
                      partial(rules_of, store), year=day.year)
    if not data.total:
        return {}
    drawn: dict[str, tuple[str, bytes, str]] = {}
    out = {}
    for lang in langs:
        key = norm_lang(lang)
        if key not in drawn:
            try:
                png = await offloop.run(render_chart, data, key)
            except Exception:
                log.exception("the weekly chart could not be drawn")
                return {}
            name = f"{t('chart.file', key)}_{day.isoformat()}.png"
            drawn[key] = (name, png, t("chart.caption", key, title=chart_title(data, key)))
        out[lang] = drawn[key]
    return out
