"""The progress chart: its counts are /progress's, and its Chinese labels render as glyphs."""

from __future__ import annotations

import datetime as dt
import io
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text
from PIL import Image

from bot.domain.charts import STATES, case_state, chart_data, week_end
from bot.domain.model import STAGES, Case, Clock
from bot.domain.queries import progress
from bot.domain.status import StatusReader
from bot.domain.workcal import WorkCalendar
from bot.sample import sample_cases
from data import charts

CAL = WorkCalendar()


def assert_agrees_with_progress(cases, day, year):
    data = chart_data(cases, day, CAL, year=year)
    p = progress(cases, day, CAL, year=year)
    assert data.total == p.total
    assert data.state_total("on_time") + data.state_total("due_soon") \
        + data.state_total("overdue") == p.open
    assert data.state_total("overdue") == p.overdue
    return data


@pytest.mark.parametrize("day", ["2020-03-01", "2020-06-22", "2020-06-29", "2020-07-02",
                                 "2020-10-30", "2021-01-05"])
def test_the_sample_chart_counts_what_progress_counts(day):
    today = dt.date.fromisoformat(day)
    cases = sample_cases(as_of=today)
    data = assert_agrees_with_progress(cases, today, 2020)
    # the divisions of the sample, busiest first; every case in one bar
    assert sum(b.total for b in data.divisions) == len([c for c in cases if c.year == 2020])
    assert [b.total for b in data.divisions] == sorted((b.total for b in data.divisions),
                                                       reverse=True)


def test_due_soon_is_this_weeks_deadline_and_the_lines_count_main_clocks():
    day = dt.date(2020, 6, 24)  # a Wednesday: the week ends on Sunday the 28th
    assert week_end(day) == dt.date(2020, 6, 28)
    cases = []
    for n, (due, met) in enumerate([("2020-06-28", ""), ("2020-06-29", ""), ("2020-06-20", ""),
                                    ("2020-06-10", "2020-06-09")]):
        case = Case(kind="suggestion", number=f"{n:04d}", year=2020, title="t", role="lead",
                    division="综合处", stage="answered" if met else "in_progress")
        case.clocks["reply"] = Clock(due=due, met=met)
        cases.append(case)
    reader = StatusReader(day, CAL)
    states = [case_state(c, reader, week_end(day)) for c in cases]
    assert states == ["due_soon", "on_time", "overdue", "done"]
    data = chart_data(cases, day, CAL, year=2020)
    assert data.deadlines == (("2020-06-10", 1), ("2020-06-20", 2), ("2020-06-28", 3),
                              ("2020-06-29", 4))
    assert data.answers == (("2020-06-09", 1),)


@st.composite
def some_cases(draw) -> list[Case]:
    out = []
    for n in range(draw(st.integers(0, 25))):
        role = draw(st.sampled_from(["lead", "sole", "co", "joint", "split", "reference"]))
        case = Case(kind="suggestion", number=f"{n:04d}", year=2020, title="t", role=role,
                    division=draw(st.sampled_from(["综合处", "一处", ""])),
                    stage=draw(st.sampled_from(STAGES)),
                    continuation=(cont := role == "lead" and draw(st.booleans())),
                    origin_session="省十三届人大二次会议" if cont else "")
        for name in draw(st.sets(st.sampled_from(["reply", "opinion", "publish", "followup"]))):
            due = dt.date(2020, 6, 30) + dt.timedelta(days=draw(st.integers(-40, 40)))
            met = draw(st.none() | st.integers(-10, 10))
            case.clocks[name] = Clock(due=due.isoformat() if draw(st.booleans()) or met is None
                                      else "",
                                      met=(due + dt.timedelta(days=met)).isoformat()
                                      if met is not None else "")
        out.append(case)
    return out


@settings(max_examples=80, deadline=None)
@given(some_cases(), st.integers(-30, 30))
def test_generated_cases_agree_with_progress(cases, offset):
    assert_agrees_with_progress(cases, dt.date(2020, 6, 30) + dt.timedelta(days=offset), 2020)


# ---------------------------------------------------------------- the picture


def texts_of(figure) -> list[Text]:
    return [a for a in figure.findobj(Text) if a.get_visible() and a.get_text()]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chinese_labels_are_drawn_in_the_cjk_font_with_real_glyphs(lang):
    day = dt.date(2020, 6, 29)
    data = chart_data(sample_cases(as_of=day), day, CAL, year=2020)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure = charts.build_figure(data, lang)
        png = io.BytesIO()
        figure.savefig(png, format="png")
    assert not [w for w in caught if "missing from" in str(w.message)
                or "findfont" in str(w.message)], [str(w.message) for w in caught]
    path = charts.cjk_font().get_file()
    font = FT2Font(path)
    labels = texts_of(figure)
    chinese = [a for a in labels if not a.get_text().isascii()]
    assert any("综合处" in a.get_text() for a in chinese)  # division names are Chinese
    if lang == "zh":
        assert any("截至6月29日" in a.get_text() for a in chinese)
        assert any(a.get_text() == "超期" for a in chinese)
    for label in chinese:
        # the label is set in the CJK font file, and that font has a glyph for every character
        assert label.get_fontproperties().get_file() == path, label.get_text()
        missing = [ch for ch in label.get_text() if not ch.isspace()
                   and font.get_char_index(ord(ch)) == 0]
        assert not missing, (label.get_text(), missing)


def test_the_png_shows_the_traffic_light_colours():
    day = dt.date(2020, 7, 2)
    cases = sample_cases(as_of=day)
    # one case overdue so that red appears
    late = next(c for c in cases if c.year == 2020 and c.role == "lead")
    late.stage = "in_progress"
    late.clocks["reply"] = Clock(due="2020-06-30")
    data = chart_data(cases, day, CAL, year=2020)
    assert data.state_total("overdue") >= 1
    image = Image.open(io.BytesIO(charts.render_chart(data, "zh"))).convert("RGB")
    assert image.size[0] == 8 * charts.DPI
    colours = {rgb for _, rgb in image.getcolors(maxcolors=1 << 24)}
    for state in STATES:
        hex_ = charts.COLOURS[state].lstrip("#")
        rgb = tuple(int(hex_[i:i + 2], 16) for i in (0, 2, 4))
        assert rgb in colours, state


def test_a_chart_of_nothing_still_renders():
    data = chart_data([], dt.date(2020, 6, 29), CAL, year=2020)
    assert charts.render_chart(data, "zh").startswith(b"\x89PNG")


def test_many_divisions_end_in_one_bar_of_the_rest():
    day = dt.date(2020, 6, 24)
    cases = []
    for n in range(40):
        case = Case(kind="suggestion", number=f"{n:04d}", year=2020, title="t", role="lead",
                    division=f"第{n % 20 + 1}处", stage="in_progress")
        case.clocks["reply"] = Clock(due="2020-06-30")
        cases.append(case)
    data = chart_data(cases, day, CAL, year=2020)
    assert len(data.divisions) == 20
    figure = charts.build_figure(data, "zh")
    top = figure.axes[0]
    labels = [label.get_text() for label in top.get_yticklabels()]
    assert len(labels) == charts.MAX_BARS
    assert labels[-1] == f"其他{20 - charts.MAX_BARS + 1}个处室"
    widths = sum(p.get_width() for p in top.patches)
    assert widths == len(cases)  # every case is in a bar
