"""Supervision as offices practise it: the rules of the traffic lights and of
签收, case by case, and the year's rules set from the command line."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.cli import main
from bot.domain import lifecycle
from bot.domain import workflow as wf
from bot.domain.model import MET_UNKNOWN, Case, Clock, Consultation
from bot.domain.people import link_handler
from bot.domain.rules import Rules
from bot.domain.workcal import WorkCalendar
from bot.sample import sample_people

CAL = WorkCalendar()
D = dt.date
PEOPLE = sample_people()
ZHANG = next(p for p in PEOPLE if p.name == "张三")
LI = next(p for p in PEOPLE if p.name == "李四")
OFFICE = next(p for p in PEOPLE if p.position == "office")


def mk(role="lead", stage="in_progress", due="2020-08-31", assigned="2020-05-01", **kw) -> Case:
    main = "opinion" if role in ("co", "joint") else "reply"
    c = Case(kind="suggestion", number="0100", year=2020, title="关于测试的建议", role=role,
             stage=stage, division="综合处", handler="张三", task="研究答复", requirements="按时",
             lead_unit="省商务厅" if main == "opinion" else "", assigned_on=assigned,
             clocks={main: Clock(due=due)} if due else {}, **kw)
    c.id = 1
    link_handler(c, sample_people())  # owned by identity, as the store links it
    return c


def test_lights_case_by_case():
    c = mk()
    assert lifecycle.light(c, D(2020, 6, 29), CAL).color == "green"
    # half of May 1 .. Aug 31 (122 days) has passed on July 1, no consultation: behind
    behind = lifecycle.light(c, D(2020, 7, 1), CAL)
    assert (behind.color, behind.reason, behind.due) == ("yellow", "behind", "2020-07-01")
    c.consultations = [Consultation("face", "2020-06-01", "某代表")]
    assert lifecycle.light(c, D(2020, 7, 1), CAL).color == "green"
    # within five working days of the deadline: yellow (Aug 24 Monday .. Aug 31 Monday: 5)
    soon = lifecycle.light(c, D(2020, 8, 24), CAL)
    assert (soon.color, soon.reason, soon.workdays, soon.window) == ("yellow", "due_soon", 5, 5)
    assert lifecycle.light(c, D(2020, 8, 21), CAL).color == "green"
    # the year's window decides: at 3 working days, Aug 24 is still green
    assert lifecycle.light(c, D(2020, 8, 24), CAL, Rules(warn_workdays=3)).color == "green"
    # overdue: red, with the working days; answered: done
    red = lifecycle.light(c, D(2020, 9, 2), CAL)
    assert (red.color, red.reason, red.clock, red.workdays) == ("red", "overdue", "reply", 2)
    c.stage = "answered"
    c.clocks["reply"].met = "2020-08-30"
    assert lifecycle.light(c, D(2020, 9, 2), CAL).color == "done"
    # a co-handling case is never "behind" for want of a consultation (lead cases only)
    co = mk("co", due="2020-06-30", assigned="2020-04-01")
    assert lifecycle.light(co, D(2020, 6, 1), CAL).color == "green"
    # a work reference has no deadline: green until archived
    ref = mk("reference", due="")
    assert lifecycle.light(ref, D(2020, 6, 1), CAL).reason == "no_deadline"


def test_signing_rules():
    c = mk(stage="assigned", assigned="2020-06-23")
    assert lifecycle.awaiting_signature(c) and not lifecycle.is_signed(c)
    # two working days after June 23 across the Dragon Boat holiday: Sunday June 28
    assert lifecycle.sign_due(c, CAL) == D(2020, 6, 28)
    assert not lifecycle.sign_late(c, D(2020, 6, 28), CAL)
    assert lifecycle.sign_late(c, D(2020, 6, 29), CAL)
    assert lifecycle.light(c, D(2020, 6, 29), CAL).reason == "unsigned"
    assert not lifecycle.sign_late(c, D(2020, 6, 29), CAL, Rules(sign_workdays=3))
    # only the handler or the office signs; a second signing is refused
    with pytest.raises(wf.WorkflowError) as err:
        wf.sign(c, LI, "2020-06-24T10:00:00+08:00")
    assert err.value.key == "sv.sign_not_yours"
    assert "sign" in wf.next_steps(c, ZHANG) and "sign" in wf.next_steps(c, OFFICE)
    assert "sign" not in wf.next_steps(c, LI)
    wf.sign(c, ZHANG, "2020-06-24T10:00:00+08:00")
    assert (c.signed_by, c.signed_by_id) == ("张三", ZHANG.id) and lifecycle.is_signed(c)
    assert "sign" not in wf.next_steps(c, ZHANG)
    with pytest.raises(wf.WorkflowError) as err:
        wf.sign(c, OFFICE, "2020-06-24T11:00:00+08:00")
    assert err.value.key == "sv.already_signed" and "张三" in err.value.render("zh")
    # a new handler signs again
    wf.change_fix(c, "handler", "李四", OFFICE, D(2020, 6, 29), Rules(), PEOPLE)
    assert lifecycle.awaiting_signature(c) and not c.signed_by
    # past 交办 counts as signed (data from before signing existed); moved back to 交办,
    # it stays signed, on an unknown day
    old = mk(stage="in_progress")
    assert lifecycle.is_signed(old) and not lifecycle.awaiting_signature(old)
    wf.move_back(old, "assigned", "误操作")
    assert old.signed_at == MET_UNKNOWN and lifecycle.is_signed(old)


def test_rules_set_from_the_command_line(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_DATA_DIR", str(tmp_path / "data"))
    assert main(["rules", "set", "--year", "2020", "warn_workdays", "3"]) == 0
    assert main(["rules", "set", "--year", "2020", "sign_workdays", "1"]) == 0
    capsys.readouterr()
    assert main(["rules", "show", "--year", "2020"]) == 0
    out = capsys.readouterr().out
    assert "黄灯预警期(到期前工作日数):3  [warn_workdays]" in out
    assert "交办后签收时限(工作日):1  [sign_workdays]" in out
    assert main(["rules", "set", "--year", "2020", "warn_workdays", "0"]) != 0
    assert "1到60" in capsys.readouterr().err


def test_notices_who_issues_and_answers():
    wang = next(p for p in PEOPLE if p.name == "王强")   # leads 综合处
    chen = next(p for p in PEOPLE if p.name == "陈静")   # leads the 投资促进 divisions
    head = next(p for p in PEOPLE if p.position == "head")
    c = mk(stage="consulted", consultations=[Consultation("face", "2020-06-01", "某代表")])
    assert "notice" in wf.next_steps(c, wang) and "notice" in wf.next_steps(c, head)
    assert "notice" in wf.next_steps(c, OFFICE)
    assert "notice" not in wf.next_steps(c, chen) and "notice" not in wf.next_steps(c, ZHANG)
    with pytest.raises(wf.WorkflowError) as err:
        wf.issue_notice(c, ZHANG, "请报送进展", D(2020, 7, 3), D(2020, 6, 29), "t")
    assert err.value.key == "access.cannot_issue_notice"
    with pytest.raises(wf.WorkflowError) as err:
        wf.issue_notice(c, wang, "请报送进展", D(2020, 6, 29), D(2020, 6, 29), "t")
    assert err.value.key == "wf.date_not_ahead"
    with pytest.raises(wf.ValidationError):
        wf.issue_notice(c, wang, "  ", D(2020, 7, 3), D(2020, 6, 29), "t")
    first = wf.issue_notice(c, wang, "请报送进展", D(2020, 7, 10), D(2020, 6, 29), "t")
    second = wf.issue_notice(c, OFFICE, "请面商", D(2020, 7, 3), D(2020, 6, 29), "t")
    assert (first.id, second.id) == (1, 2)
    # the clock follows the notice due first; the light too
    assert lifecycle.notice_due(c) == "2020-07-03"
    assert ("notice", "2020-07-03") in set(lifecycle.iter_live(c))
    assert lifecycle.light(c, D(2020, 7, 6), CAL).clock == "notice"
    assert "notice_reply" in wf.next_steps(c, ZHANG)
    assert "notice_reply" not in wf.next_steps(c, wang)
    with pytest.raises(wf.ValidationError):
        wf.answer_notice(c, ZHANG, "done", "", D(2020, 7, 1))  # a note is required
    answered = wf.answer_notice(c, ZHANG, "reason", "代表出差,下周面商", D(2020, 7, 1))
    assert answered.id == 2 and lifecycle.notice_on_time(answered)
    assert lifecycle.notice_due(c) == "2020-07-10"
    wf.answer_notice(c, ZHANG, "done", "已报送", D(2020, 7, 13))
    assert lifecycle.notice_due(c) is None and "notice_reply" not in wf.next_steps(c, ZHANG)
    counts = lifecycle.notice_counts([c], "2020-07-20")
    assert counts == lifecycle.NoticeCounts(issued=2, answered=2, on_time=1, open=0, overdue=0)
    with pytest.raises(wf.WorkflowError) as err:
        wf.answer_notice(c, ZHANG, "done", "x", D(2020, 7, 13))
    assert err.value.key == "sv.no_open_notice"
    # kept through storage's dict form
    again = Case.from_dict(c.to_dict())
    assert again.notices == c.notices


def test_how_a_working_day_deadline_was_counted():
    from bot.domain import supervision as sv

    rules = Rules()
    c = mk(stage="consulted", assigned="2020-08-03", due="2020-11-03",
           consultations=[Consultation("face", "2020-09-01", "某代表")])
    c.clocks["publish"] = Clock(due="")
    wf.answer(c, ZHANG, D(2020, 9, 25), rules, "A", cal=CAL)
    assert c.clocks["publish"].due == CAL.add_workdays(D(2020, 9, 25), 15).isoformat()
    lines = sv.deadline_lines(c, CAL, rules, "zh")
    text = "\n".join(lines)
    assert f"公开 {c.clocks['publish'].due}:2020-09-25 之后第15个工作日" in text
    assert "跳过节假日:10月1日—10月8日(国庆节)" in text
    assert "计入调休上班日:9月27日(国庆节调休上班),10月10日(国庆节调休上班)" in text
    assert "答复 2020-11-03:交办日 2020-08-03 起3个月(按自然月计)" in text
    # 签收: two working days after assignment, across the Dragon Boat holiday
    s = mk(stage="assigned", assigned="2020-06-23")
    text = "\n".join(sv.deadline_lines(s, CAL, rules, "en"))
    assert "signing 2020-06-28: working day 2 after 2020-06-23" in text
    assert "holidays skipped: " in text and "(端午)" in text
    assert "make-up working days counted: " in text and "(端午调休上班)" in text


def test_calendar_set_recomputes_working_day_deadlines(capsys, tmp_path, monkeypatch):
    from data.store import Store

    monkeypatch.setenv("DUBAN_DATA_DIR", str(tmp_path / "data"))
    store = Store.open(tmp_path / "data")
    c = mk(stage="consulted", assigned="2020-08-03", due="2020-11-03",
           consultations=[Consultation("face", "2020-09-01", "某代表")])
    c.clocks["publish"] = Clock(due="")
    wf.answer(c, ZHANG, D(2020, 9, 25), Rules(), "A", cal=CAL)
    c.id = 0
    saved = store.add_case(c, "周敏")
    store.close()
    assert main(["calendar", "set", "2020-10-12", "holiday", "临时调整"]) == 0
    out = capsys.readouterr().out
    assert f"办件#{saved.id} 公开时限 2020-10-22 → 2020-10-23(承办人 张三,将由机器人通知)" in out
    assert main(["calendar", "unset", "2020-10-12"]) == 0
    assert "公开时限 2020-10-23 → 2020-10-22" in capsys.readouterr().out
    store = Store.open(tmp_path / "data", readonly=True)
    assert store.get_case(saved.id).clocks["publish"].due == "2020-10-22"
    store.close()


def test_the_words_in_english():
    from bot.domain import supervision as sv

    c = mk()
    lights = lifecycle.LightReader(D(2020, 8, 25), CAL, None)
    lines = sv.card_lines(c, lights, "en")
    assert lines[0] == ("🟡 yellow: the reply is due 2020-08-31, 4 working day(s) left "
                        "(warning window 5)")
    red = sv.light_text(lifecycle.light(c, D(2020, 9, 2), CAL), "en")
    assert red == "🔴 red: the reply is 2 working day(s) overdue (due 2020-08-31)"
    s = mk(stage="assigned", assigned="2020-06-23")
    assert sv.sign_text(s, lifecycle.LightReader(D(2020, 6, 29), CAL, None), "en") == \
        "⚠ Not signed for: the signing deadline (2020-06-28) has passed"
