"""The progress chart as a PNG: cases per division by state, and answers against deadlines.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no global figure state, so
it may run in a worker thread). Chinese labels need a CJK font: the one shipped in the lock
file (Noto Sans SC, package ``pylopdf-fonts-zh-cn``), else a system one (Debian's
fonts-noto-cjk or fonts-wqy-zenhei), found by file path and registered once. Every text of
the chart is set in that font (:data:`FONT_PATH`), so no label falls back to a font
without the glyphs.

Colours are the traffic lights': green on track, amber due this week, red overdue, grey done.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from functools import lru_cache
from pathlib import Path

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, MonthLocator, date2num, num2date
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FuncFormatter

from bot.domain.charts import STATES, ChartData, DivisionBar, chart_title
from bot.texts import t

COLOURS = {"on_time": "#2e9d48", "due_soon": "#f2b705", "overdue": "#d62d20", "done": "#9aa0a6"}
DEADLINE_COLOUR = "#d62d20"
ANSWER_COLOUR = "#1f5fbf"
#: divisions drawn as their own bar; the rest are summed into one
MAX_BARS = 12
DPI = 100
WIDTH = 8.0  # inches


def _text_inches(text: str) -> float:
    """About how wide ``text`` is at 9 pt (CJK characters are square, Latin ones narrower)."""
    return sum(0.075 if ch.isascii() else 0.135 for ch in text)

_SYSTEM_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


class NoCJKFont(RuntimeError):
    """No font with Chinese glyphs was found (install the project's dependencies)."""


def _find_font() -> Path:
    try:
        import pylopdf_fonts_zh_cn

        path = Path(pylopdf_fonts_zh_cn.sans_path())
        if path.is_file():
            return path
    except ImportError:
        pass
    for name in _SYSTEM_FONTS:
        if Path(name).is_file():
            return Path(name)
    raise NoCJKFont("no CJK font: run `uv sync` (pylopdf-fonts-zh-cn) or install fonts-noto-cjk")


_lock = threading.Lock()
_font: FontProperties | None = None


def cjk_font() -> FontProperties:
    """The chart's font, registered with matplotlib on first use (by file path)."""
    global _font
    with _lock:
        if _font is None:
            path = _find_font()
            font_manager.fontManager.addfont(str(path))
            _font = FontProperties(fname=str(path))
        return _font


def _bars(data: ChartData, lang: str | None) -> list[DivisionBar]:
    bars = list(data.divisions)
    if len(bars) > MAX_BARS:
        rest = bars[MAX_BARS - 1:]
        bars = bars[:MAX_BARS - 1]
        label = t("chart.other_divisions", lang, n=len(rest))
        bars.append(DivisionBar(label, *(sum(b.count(s) for b in rest) for s in STATES)))
    return bars


def _dates(points: tuple[tuple[str, int], ...]) -> tuple[list[dt.date], list[int]]:
    return [dt.date.fromisoformat(d) for d, _ in points], [n for _, n in points]


def _title(data: ChartData, lang: str | None) -> str:
    return chart_title(data, lang)


def _month_label(lang: str | None):
    def label(x: float, _pos: object = None) -> str:
        return t(f"chart.month.{num2date(x).month}", lang)

    return FuncFormatter(label)


def build_figure(data: ChartData, lang: str | None = "zh") -> Figure:
    """The chart of ``data`` as a matplotlib figure (on its own Agg canvas)."""
    font = cjk_font()
    small = font.copy()
    small.set_size(9)
    bars = _bars(data, lang)
    names = [b.division or t("chart.no_division", lang) for b in bars]
    # a fixed layout in inches (matplotlib's tight_layout measures every text: slow)
    bars_h = 0.32 * max(len(bars), 3)
    height = 4.25 + bars_h
    margin = max(0.6, 0.3 + max((_text_inches(n) for n in names), default=0))
    fig = Figure(figsize=(WIDTH, height), dpi=DPI)
    FigureCanvasAgg(fig)
    frac_w = (WIDTH - margin - 0.25) / WIDTH
    top = fig.add_axes((margin / WIDTH, (0.35 + 2.2 + 0.35 + 0.55) / height, frac_w,
                        bars_h / height))
    bottom = fig.add_axes((margin / WIDTH, 0.35 / height, frac_w, 2.2 / height))
    fig.suptitle(_title(data, lang), fontproperties=font, fontsize=14, y=1 - 0.08 / height,
                 va="top")

    # cases per division, stacked by state
    ys = list(range(len(bars)))[::-1]
    left = [0] * len(bars)
    smallest = 0.035 * max((b.total for b in bars), default=0)
    for state in STATES:
        values = [b.count(state) for b in bars]
        top.barh(ys, values, left=left, color=COLOURS[state], height=0.6,
                 label=t(f"chart.state.{state}", lang))
        for y, x, v in zip(ys, left, values, strict=True):
            if v and v >= smallest:  # a number only where the segment has room for it
                top.text(x + v / 2, y, str(v), ha="center", va="center", fontsize=8,
                         color="white" if state != "due_soon" else "black")
        left = [a + b for a, b in zip(left, values, strict=True)]
    top.set_yticks(ys, names, fontproperties=small)
    top.set_title(t("chart.divisions", lang), fontproperties=font, fontsize=11, loc="left")
    top.set_xlabel(t("chart.cases", lang), fontproperties=small)
    top.legend(prop=small, ncols=4, loc="lower right", bbox_to_anchor=(1.0, 1.0),
               frameon=False, handlelength=1.2, columnspacing=1.0)
    top.spines[["top", "right"]].set_visible(False)
    if not bars:
        top.set_yticks([])

    # answers against deadlines, cumulative over the year (x in matplotlib's day numbers,
    # on an axis that reads them as dates)
    bottom.xaxis_date()
    d_x, d_y = _dates(data.deadlines)
    a_x, a_y = _dates(data.answers)
    if data.year is not None:
        start, end = dt.date(data.year, 1, 1), dt.date(data.year, 12, 31)
    else:
        every = d_x + a_x + [data.day]
        start, end = min(every), max(every)
    for xs, ys_, colour, key in ((d_x, d_y, DEADLINE_COLOUR, "chart.deadlines"),
                                 (a_x, a_y, ANSWER_COLOUR, "chart.answers")):
        if xs:
            xs = [start] + xs + [end]
            ys_ = [0] + ys_ + [ys_[-1]]
        else:
            xs, ys_ = [start, end], [0, 0]
        bottom.step(date2num(xs), ys_, where="post", color=colour, label=t(key, lang),
                    linewidth=1.8)
    if start <= data.day <= end:
        today = date2num(data.day)
        bottom.axvline(today, color="#555555", linestyle=":", linewidth=1)
        bottom.text(today, bottom.get_ylim()[1], " " + t("chart.today", lang),
                    fontproperties=small, va="top", color="#555555")
    if data.year is not None:
        bottom.xaxis.set_major_locator(MonthLocator())
        bottom.xaxis.set_major_formatter(_month_label(lang))
    else:
        locator = AutoDateLocator()
        bottom.xaxis.set_major_locator(locator)
        bottom.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    bottom.set_xlim(date2num(start), date2num(end))
    bottom.set_title(t("chart.line", lang), fontproperties=font, fontsize=11, loc="left")
    bottom.set_ylabel(t("chart.cases", lang), fontproperties=small)
    bottom.legend(prop=small, loc="upper left", frameon=False)
    bottom.spines[["top", "right"]].set_visible(False)
    for label in (*bottom.get_xticklabels(), *bottom.get_yticklabels(),
                  *top.get_xticklabels()):
        label.set_fontproperties(small)
    return fig


def render_chart(data: ChartData, lang: str | None = "zh") -> bytes:
    """The chart of ``data`` as PNG bytes (labels in ``lang``).

    Memoised on the (immutable) counts and the language: the same day's chart of the same
    cases, asked again, is not drawn again; changed counts are a new key, never stale.
    """
    return _memo(data, lang)


def draw_chart(data: ChartData, lang: str | None = "zh") -> bytes:
    """The chart drawn anew (what :func:`render_chart` memoises)."""
    fig = build_figure(data, lang)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


_memo = lru_cache(maxsize=32)(draw_chart)
