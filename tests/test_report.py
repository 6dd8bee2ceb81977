"""The annual report: the seed report's figures from the sample data, and a generated year."""

from __future__ import annotations

import datetime as dt
import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from bot.domain.model import Case, Clock, Consultation
from bot.domain.report import (
    render_paragraph,
    render_report_text,
    report_figures,
    session_order,
)
from bot.sample import sample_cases
from data.ledger_write import report_xlsx

SEED_PARAGRAPH = (
    "2020年,省投资促进局承办省十三届人大三次会议人大代表建议8件(含2件工作参考),其中:主(独)办1件,"
    "协办5件;承办省政协十二届三次会议政协提案13件,其中:主(分)办0件,会办13件。"
)


def test_the_sample_year_reads_the_seed_reports_paragraph():
    fig = report_figures(sample_cases(), 2020, unit="省投资促进局")
    assert render_paragraph(fig, "zh") == SEED_PARAGRAPH
    s, p = fig.kinds["suggestion"], fig.kinds["proposal"]
    assert (s.total, s.reference, s.lead, s.co) == (8, 2, 1, 5)
    assert (p.total, p.reference, p.lead, p.co) == (13, 0, 0, 13)
    assert [(g.session, g.numbers) for g in fig.continuation] == [
        ("省十三届人大一次会议", ["0153", "0197", "0399"]),
        ("省十三届人大二次会议", ["0193"]),
    ]
    text = render_report_text(fig, "zh")
    assert ("省十三届人大一次会议建议主办件B类答复的第0153号、第0197号、第0399号3件办结答复,"
            "省十三届人大二次会议建议主办件B类答复的第0193号办结答复") in text
    assert "每件都坚持“先协商,后答复”" in text
    assert "7月中旬" in text and "均于6月30日前按时" in text


def test_the_sample_year_table():
    fig = report_figures(sample_cases(), 2020)
    rows = {(r.kind, r.role): r for r in fig.timeliness}
    assert rows[("suggestion", "co")].on_time == 5
    assert rows[("proposal", "joint")].on_time == 13
    assert rows[("suggestion", "continuation")].on_time == 4
    assert not rows[("suggestion", "reference")].applies
    assert fig.consultation.all_first and fig.consultation.answered == 1 + 5 + 13 + 4
    assert fig.reply_classes == {"A": 1, "B": 0, "C": 0, "none": 0}
    assert fig.satisfaction == {"satisfied": 1, "basic": 0, "unsatisfied": 0, "none": 0}
    assert (fig.published.due, fig.published.published) == (1, 1)
    assert fig.opinions.all_in and fig.opinions.month_all_in == 6
    data = fig.to_dict()
    json.dumps(data)  # JSON-ready
    assert data["total"] == 21 and data["continuation_closed"] == 4
    assert data["opinions"]["month_all_in"] == 6
    ref = next(r for r in data["timeliness"] if r["role"] == "reference")
    assert ref["total"] == 2 and ref["on_time"] is None


def test_in_june_the_opinions_are_not_all_in_and_open_ones_are_overdue_later():
    as_of = dt.date(2020, 6, 20)
    fig = report_figures(sample_cases(as_of), 2020, today=dt.date(2020, 7, 2))
    o = fig.opinions
    assert o.total == 18 and 0 < o.submitted < 18 and o.month_all_in is None
    rows = {(r.kind, r.role): r for r in fig.timeliness}
    joint = rows[("proposal", "joint")]
    assert joint.open == joint.overdue == 13 - joint.on_time
    assert fig.continuation_open == ["0153", "0193", "0197", "0399"]
    assert "尚未办结" in render_report_text(fig, "zh")
    assert "会(协)办件已提交" in render_report_text(fig, "zh")


def test_english_wording():
    text = render_report_text(report_figures(sample_cases(), 2020), "en")
    assert text.startswith("In 2020, the department handled 8 deputies' suggestions of "
                           "省十三届人大三次会议 (including 2 for work reference): 1 as lead")
    assert "No. 0153, No. 0197, No. 0399 (3 cases)" in text


def test_report_xlsx_holds_the_paragraph_and_the_tables():
    fig = report_figures(sample_cases(), 2020, unit="省投资促进局")
    ws = load_workbook(io.BytesIO(report_xlsx(fig))).active
    values = [r for r in ws.iter_rows(values_only=True)]
    assert values[1][0] == SEED_PARAGRAPH
    assert ("提案·会办", 13, 13, 0, 0, 0, 0) in values


def test_sessions_sort_in_their_real_order():
    names = ["省十三届人大三次会议", "省十三届人大二次会议", "省十二届人大五次会议",
             "省十三届人大一次会议"]
    assert sorted(names, key=session_order) == [
        "省十二届人大五次会议", "省十三届人大一次会议", "省十三届人大二次会议",
        "省十三届人大三次会议"]


# ---------------------------------------------------------------- a generated year

ROLES = ["lead", "sole", "co", "joint", "split", "reference"]


@st.composite
def year_plans(draw):
    """(kind, role, continuation, due, met, consulted_on, reply class) per case."""
    n = draw(st.integers(0, 40))
    plans = []
    for _ in range(n):
        role = draw(st.sampled_from(ROLES))
        continuation = role == "lead" and draw(st.integers(0, 4)) == 0
        due = dt.date(2021, 6, 30) + dt.timedelta(days=draw(st.integers(-60, 60)))
        met = draw(st.none() | st.integers(-30, 30).map(lambda d, due=due: due +
                                                          dt.timedelta(days=d)))
        consulted = draw(st.none() | st.integers(-40, 10))
        plans.append((draw(st.sampled_from(["suggestion", "proposal"])), role, continuation,
                      due, met, consulted, draw(st.sampled_from(["", "A", "B", "C"]))))
    return plans


def build(plans) -> list[Case]:
    cases = []
    for i, (kind, role, continuation, due, met, consulted, klass) in enumerate(plans):
        case = Case(kind=kind, number=f"{i:04d}", year=2021, title=f"件{i}", role=role,
                    session=("省十三届人大四次会议" if kind == "suggestion"
                             else "省政协十二届四次会议"),
                    lead_unit="省商务厅" if role in ("co", "joint") else "",
                    continuation=continuation,
                    origin_session="省十三届人大二次会议" if continuation else "",
                    reply_class=klass if met and role in ("lead", "sole", "split") else "")
        if case.main_clock:
            case.clocks[case.main_clock] = Clock(due=due.isoformat(),
                                                 met=met.isoformat() if met else "")
            if met:
                case.stage = "answered"
            if consulted is not None and met:
                on = met + dt.timedelta(days=consulted)
                case.consultations.append(Consultation("phone", on.isoformat(), "代表"))
        cases.append(case)
    # other years are ignored
    cases.append(Case(kind="suggestion", number="9999", year=2020, title="去年的", role="lead"))
    return cases


@settings(max_examples=60, deadline=None)
@given(year_plans())
def test_figures_of_a_generated_year(plans):
    fig = report_figures(build(plans), 2021, today=dt.date(2021, 7, 1))
    own = [p for p in plans if not p[2]]
    for kind in ("suggestion", "proposal"):
        mine = [p for p in own if p[0] == kind]
        k = fig.kinds[kind]
        assert k.total == len(mine)
        assert k.reference == sum(p[1] == "reference" for p in mine)
        assert k.lead == sum(p[1] in ("lead", "sole", "split") for p in mine)
        assert k.co == sum(p[1] in ("co", "joint") for p in mine)
        assert k.lead + k.co + k.reference == k.total
    conts = [p for p in plans if p[2]]
    assert fig.continuation_closed == sum(p[4] is not None for p in conts)
    assert fig.continuation_closed + len(fig.continuation_open) == len(conts)
    for row in fig.timeliness:
        group = [p for p in plans if p[0] == row.kind
                 and (("continuation" if p[2] else p[1]) == row.role)]
        assert row.total == len(group)
        if row.applies:
            assert row.on_time == sum(p[4] is not None and p[4] <= p[3] for p in group)
            assert row.late == sum(p[4] is not None and p[4] > p[3] for p in group)
            assert row.open == sum(p[4] is None for p in group)
            assert row.overdue == sum(p[4] is None and p[3] < dt.date(2021, 7, 1)
                                      for p in group)
    answered = [p for p in plans if p[1] != "reference" and p[4] is not None]
    assert fig.consultation.answered == len(answered)
    assert fig.consultation.consulted_first == sum(p[5] is not None and p[5] <= 0
                                                   for p in answered)
    replies = [p for p in own if p[1] in ("lead", "sole", "split")]
    for klass in "ABC":
        assert fig.reply_classes[klass] == sum(p[4] is not None and p[6] == klass
                                               for p in replies)
    co = [p for p in own if p[1] in ("co", "joint")]
    assert fig.opinions.total == len(co)
    assert fig.opinions.all_in == (bool(co) and all(p[4] is not None for p in co))
    assert render_report_text(fig, "zh") and render_report_text(fig, "en")
