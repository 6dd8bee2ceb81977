"""The supervision queries as data, and their rendering as short chat text."""

import datetime as dt
import re

import pytest

from bot.domain import present
from bot.domain import querytext as qt
from bot.domain.access import visible
from bot.domain.intents import recognise
from bot.domain.model import Case, Clock, Consultation
from bot.domain.queries import (
    by_division,
    by_person,
    due,
    fold,
    is_open,
    mine,
    overdue,
    paginate,
    progress,
    resolve_name,
    search,
)
from bot.domain.workcal import WorkCalendar
from bot.sample import sample_cases, sample_people

CAL = WorkCalendar()
D = dt.date
TODAY = D(2020, 10, 21)  # a Wednesday after National Day


def mk(number, *, division="综合处", handler="张三", clocks=None, role="lead", stage="in_progress",
       title=None, proposers="杨艳芳", lead_unit="", year=2020, kind="suggestion", **kw) -> Case:
    c = Case(kind=kind, number=number, year=year, title=title or f"关于第{number}号事项的建议",
             role=role, division=division, handler=handler, stage=stage, proposers=proposers,
             lead_unit=lead_unit,
             clocks={k: v if isinstance(v, Clock) else Clock(**v)
                     for k, v in (clocks or {}).items()},
             handler_id=IDS.get(handler, 0), **kw)
    c.id = int(re.sub(r"\D", "", number) or 0)
    return c


#: the sample people's ids: a case is its handler's by identity
IDS = {p.name: p.id for p in sample_people()}


def reply(due_iso, met=""):
    return {"reply": {"due": due_iso, "met": met}}


# ---------------------------------------------------------------- paging


def test_paginate_counts_from_one_and_clamps():
    items = list(range(25))
    p = paginate(items, 2, 10)
    assert (p.items, p.page, p.pages, p.total) == (tuple(range(10, 20)), 2, 3, 25)
    assert p.has_prev and p.has_next and p.first_index == 10
    assert paginate(items, 3, 10).items == (20, 21, 22, 23, 24)
    assert paginate(items, 99, 10).page == 3
    assert paginate(items, 0, 10).page == 1
    empty = paginate([], 1, 10)
    assert (empty.items, empty.page, empty.pages, empty.total) == ((), 1, 1, 0)
    assert not empty.has_next and not empty.has_prev
    with pytest.raises(ValueError):
        paginate(items, 1, 0)


# ---------------------------------------------------------------- overdue


def test_overdue_pages_cut_the_grouped_order_across_divisions():
    from bot.domain.queries import overdue_page

    divisions = ["综合处", "项目管理处", "", "投资促进一处"]
    cases = [mk(f"{i:04d}", division=divisions[i % 4], handler="" if i % 4 == 2 else "张三",
                clocks=reply(f"2020-09-{1 + i % 28:02d}")) for i in range(1, 24)]
    full = overdue(cases, TODAY, CAL)
    for per_page in (1, 2, 5, 7, 30):
        pages, page = [], 1
        while True:
            one = overdue_page(cases, TODAY, CAL, None, page, per_page)
            assert one.divisions == tuple(i.case.division for i in full.items)
            pages += one.page.items
            if not one.page.has_next:
                break
            page += 1
        assert [i.case.number for i in pages] == [i.case.number for i in full.items]
    assert full.items[-1].case.division == ""  # the cases without a division come last
    assert overdue_page(cases, TODAY, CAL, None, 99, 5).page.page == 5  # clamped


def test_overdue_grouped_by_division_most_overdue_first():
    cases = [
        mk("0001", division="综合处", clocks=reply("2020-10-16")),          # 3 working days
        mk("0002", division="项目管理处", clocks=reply("2020-09-30")),       # 10 working days
        mk("0003", division="综合处", clocks=reply("2020-09-29")),          # 11
        mk("0004", division="", handler="", clocks=reply("2020-09-01")),   # no division
        mk("0005", division="综合处", clocks=reply("2020-10-21")),          # due today
        mk("0006", division="综合处", clocks=reply("2020-09-01", "2020-08-30")),  # met
        mk("0007", division="综合处", clocks=reply("2020-09-01"), stage="archived"),
        mk("0008", division="投资促进一处", stage="answered", reply_class="B",
           clocks={"reply": {"due": "2020-06-01", "met": "2020-05-30"},
                   "publish": {"due": "2020-06-30"}, "followup": {"due": "2020-10-19"}}),
    ]
    a = overdue(cases, TODAY, CAL)
    assert [i.case.number for i in a.items] == ["0008", "0003", "0001", "0002", "0004"]
    assert [g.division for g in a.groups] == ["投资促进一处", "综合处", "项目管理处", ""]
    assert [len(g.items) for g in a.groups] == [1, 2, 1, 1]
    first = a.items[0]
    assert (first.status.clock, first.status.level) == ("publish", 4)
    assert [m.clock for m in first.more] == ["followup"]
    s = a.items[1].status  # 0003, due Tuesday Sep 29
    assert (s.days_left, s.overdue_workdays, s.level) == (-22, 11, 4)
    assert a.items[2].status.overdue_workdays == 3 and a.items[2].status.level == 2
    assert a.total == 5 and a.max_level() == 4
    assert a.upcoming is None


def test_nothing_overdue_names_the_next_deadline():
    cases = [mk("0001", clocks=reply("2020-11-02")),
             mk("0002", role="co", clocks={"opinion": {"due": "2020-10-23"}}),
             mk("0003", clocks=reply("2020-09-01", "2020-08-01"))]
    a = overdue(cases, TODAY, CAL)
    assert a.items == () and a.groups == ()
    assert a.upcoming.case.number == "0002" and a.upcoming.status.days_left == 2
    for lang, word in (("zh", "无超期事项"), ("en", "Nothing is overdue")):
        text = qt.overdue_text(a, paginate(a.items, 1, 10), lang, TODAY)
        assert word in text and "0002" in text
        assert len(text.splitlines()) == 2
    none_open = overdue([cases[2]], TODAY, CAL)
    assert none_open.upcoming is None
    assert "没有在办的时限" in qt.overdue_text(none_open, paginate((), 1, 10), "zh")


def test_answers_come_from_the_live_list():
    c = mk("0001", clocks=reply("2020-10-01"))
    assert overdue([c], TODAY, CAL).total == 1
    c.clocks["reply"].met = "2020-10-20"
    assert overdue([c], TODAY, CAL).total == 0
    c.clocks["reply"] = Clock(due="2020-10-09")
    assert overdue([c], TODAY, CAL).items[0].status.overdue_workdays == 9


def test_paging_across_120_overdue_cases():
    divisions = ["综合处", "项目管理处", "投资促进一处", "投资促进二处"]
    cases = [mk(f"{n:04d}", division=divisions[n % 4], handler=f"承办人{n % 7}",
                title=f"关于<第{n}号>加快推进某某产业园区招商引资工作高质量发展的建议",
                clocks=reply((D(2020, 10, 20) - dt.timedelta(days=n)).isoformat()))
             for n in range(1, 121)]
    a = overdue(cases, TODAY, CAL)
    assert a.total == 120
    pages = [paginate(a.items, n, qt.PER_PAGE) for n in range(1, 13)]
    assert all(p.pages == 12 and p.total == 120 for p in pages)
    seen = [i.case.number for p in pages for i in p.items]
    assert sorted(seen) == sorted(c.number for c in cases) and len(set(seen)) == 120
    assert paginate(a.items, 13, qt.PER_PAGE).page == 12
    # the groups follow each other; within each, most overdue first
    for g in a.groups:
        workdays = [i.status.overdue_workdays for i in g.items]
        assert workdays == sorted(workdays, reverse=True) and len(g.items) == 30
    for lang in ("zh", "en"):
        texts = [qt.overdue_text(a, p, lang, TODAY) for p in pages]
        for n, text in enumerate(texts, 1):
            assert len(text) < present.TELEGRAM_LIMIT
            assert all(len(line) <= 60 for line in text.splitlines()), text
            assert "<第" not in text and "&lt;第" in text  # titles are escaped
            assert f"{n}/12" in text
        # page 2 goes on with the first division, and says so; page 4 starts the second
        cont = qt.t("q.continued", lang)
        assert cont in texts[1] and cont not in texts[0] and cont not in texts[3]
        assert texts[1].count("▸") == 1 and texts[3].count("▸") == 1


# ---------------------------------------------------------------- due, mine


def test_due_in_a_period_one_line_per_case():
    cases = [
        mk("0001", stage="answered", reply_class="B",
           clocks={"reply": {"due": "2020-10-01", "met": "2020-09-30"},
                   "publish": {"due": "2020-10-23"}, "followup": {"due": "2020-10-30"}}),
        mk("0002", clocks=reply("2020-10-19")),   # in the period, already overdue
        mk("0003", clocks=reply("2020-11-02")),   # after
        mk("0004", clocks=reply("2020-10-18")),   # before
        mk("0005", clocks=reply("2020-10-25", "2020-10-20")),  # met
        mk("0006", clocks=reply("2020-11-01")),   # the last day, included
    ]
    a = due(cases, D(2020, 10, 19), D(2020, 11, 1), TODAY, CAL)
    assert [i.case.number for i in a.items] == ["0002", "0001", "0006"]
    assert a.items[0].status.overdue and a.items[0].status.overdue_workdays == 2
    assert [m.clock for m in a.items[1].more] == ["followup"]
    text = qt.due_text(a, paginate(a.items, 1, 10), "zh", TODAY)
    assert "10月19日至11月1日到期 3 件" in text
    empty = due(cases, D(2021, 1, 1), D(2021, 1, 31), TODAY, CAL)
    text = qt.due_text(empty, paginate(empty.items, 1, 10), "en", TODAY)
    assert text.startswith("📅 Nothing due")


def test_mine_by_urgency():
    cases = [
        mk("0001", clocks=reply("2020-11-30")),
        mk("0002", clocks=reply("2020-10-01")),
        mk("0003", role="reference"),                                     # open, no deadline
        mk("0004", clocks=reply("2020-10-30")),
        mk("0005", clocks=reply("2020-10-01", "2020-09-30"), stage="answered"),  # done
        mk("0006", handler="李四", clocks=reply("2020-09-01")),
        mk("0007", clocks={"publish": {"due": "2020-11-10"}, "reply": {"due": "2020-10-01",
                                                                          "met": "2020-09-30"}},
           stage="answered"),                                             # answered, not published
    ]
    items = mine(cases, IDS["张三"], TODAY, CAL)
    assert [i.case.number for i in items] == ["0002", "0004", "0007", "0001", "0003"]
    assert items[-1].status is None
    assert [i.case.number for i in mine(cases, IDS["李四"], TODAY, CAL)] == ["0006"]
    # a namesake of 张三 in another division owns none of them
    assert mine(cases, 999, TODAY, CAL) == ()
    assert len(mine(cases, None, TODAY, CAL)) == 6
    assert not is_open(cases[4]) and is_open(cases[6]) and is_open(cases[2])
    text = qt.mine_text(paginate(items, 1, 10), "zh", TODAY)
    assert "未定时限" in text and "张三" not in text  # one's own list does not repeat the name
    assert qt.mine_text(paginate((), 1, 10), "en", TODAY) == "📋 You have no open cases."


# ---------------------------------------------------------------- search


def test_search_title_proposer_number_lead_unit():
    cases = sample_cases()
    numbers = lambda kw: [c.number for c in search(cases, kw)]  # noqa: E731
    assert numbers("绿色食品") == ["0091"]
    assert numbers("杨艳芳") == ["0484"]
    assert numbers("省交通运输厅") == ["0271", "0308"]
    assert numbers("0484")[0] == "0484"
    assert numbers("第0484号") == ["0484"]
    assert numbers("０４８４") == ["0484"]             # full-width digits
    assert numbers("“绿色食品牌”") == ["0091"]         # full-width quotes are in the title
    assert numbers("绿色食品品牌") == []
    assert numbers("绿色 食品") == ["0091"]             # spaces ignored
    assert "0308" in numbers("大滇西") and numbers("") == [] and numbers("   ") == []
    found = numbers("招商")
    assert len(found) == len(set(found)) >= 5
    assert all("招商" in c.title for c in search(cases, "招商"))
    english = [mk("0100", title="Attracting INVESTMENT in Yunnan", proposers="Ａｌｉｃｅ、Ｂｏｂ")]
    assert search(english, "investment") and search(english, "ALICE") and search(english, " bob")
    assert search(english, "ＩＮＶＥＳＴＭＥＮＴ")
    # an exact number ranks before a number that merely contains it, and before titles
    mixed = [mk("1484", title="关于0484的建议"), mk("0484"), mk("2484")]
    assert [c.number for c in search(mixed, "484")] == ["0484", "1484", "2484"]
    assert [c.number for c in search(mixed, "0484")] == ["0484", "1484"]


def test_fold_and_resolve_name():
    assert fold("ＡＢＣ　１２３") == "abc123"
    assert fold("招 商") == "招商"
    names = ["综合处", "投资促进一处", "投资促进二处"]
    assert resolve_name("综合处", names) == ["综合处"]
    assert resolve_name("投资促进", names) == ["投资促进一处", "投资促进二处"]
    assert resolve_name("综合处的", names) == ["综合处"]
    assert resolve_name("", names) == [] and resolve_name("财务处", names) == []


# ---------------------------------------------------------------- by division, person


def test_by_division_and_person():
    cases = [
        mk("0001", clocks=reply("2020-10-01")),
        mk("0002", clocks=reply("2020-12-01"), handler="李四"),
        mk("0003", clocks=reply("2020-09-01", "2020-08-01"), stage="answered"),
        mk("0004", division="项目管理处", handler="王五", clocks=reply("2020-10-01")),
    ]
    s = by_division(cases, "综合处", TODAY, CAL)
    assert s.counts == (2, 1, 1)
    assert [i.case.number for i in s.open] == ["0001", "0002"]
    assert [i.case.number for i in s.overdue] == ["0001"] and [c.number for c in s.done] == ["0003"]
    assert by_division(cases, "综 合 处", TODAY, CAL).counts == (2, 1, 1)
    p = by_person(cases, "王五", TODAY, CAL)
    assert p.counts == (1, 1, 0)
    text = qt.summary_text(s, paginate(s.open, 1, 10), "zh", TODAY)
    assert text.splitlines()[0] == "📂 综合处:在办2件,其中超期1件;已办结1件"
    assert qt.summary_text(by_person(cases, "无名", TODAY, CAL), paginate((), 1, 10), "en") \
        == "📂 无名: no cases."


# ---------------------------------------------------------------- progress


def test_progress_of_the_2020_report():
    cases = sample_cases()
    p = progress(cases, D(2020, 12, 31), CAL, year=2020)
    kr = p.by_kind_role
    # 8 suggestions (1 lead, 5 co, 2 work references) + 4 continuation leads; 13 joint proposals
    assert (kr[("suggestion", "lead")], kr[("suggestion", "co")], kr[("suggestion", "reference")],
            kr[("proposal", "joint")]) == (5, 5, 2, 13)
    assert p.total == 25 and p.by_role["joint"] == 13
    assert p.overdue == 0 and p.open == 0 and p.continuation_open == 0
    assert p.consulted_share == 1.0            # 每件都坚持先协商,后答复
    assert p.on_time_share == 1.0
    assert p.answered == 23                     # all but the two work references
    assert progress(cases, D(2020, 12, 31), CAL, year=2019).total == 0

    june = sample_cases(D(2020, 6, 29))
    p = progress(june, D(2020, 7, 2), CAL)      # five opinions still unsent on July 2
    assert p.overdue == 5 and p.levels == {1: 5}
    assert p.continuation_open == 4
    text = qt.progress_text(p, "zh")
    assert len(text.splitlines()) <= 8 and "续办续复在办 4 件" in text and "1级5件" in text
    assert "Progress" in qt.progress_text(p, "en")
    assert qt.progress_text(progress([], TODAY, CAL, year=2020), "zh") == "📊 2020年没有办件。"


def test_on_time_and_consulted_first_are_measured():
    late = mk("0001", clocks=reply("2020-07-10", "2020-07-20"), stage="answered",
              consultations=[Consultation("phone", "2020-07-21", "代表")])  # consulted after
    ok = mk("0002", clocks=reply("2020-07-10", "2020-07-01"), stage="answered",
            consultations=[Consultation("face", "2020-06-01", "代表")])
    never = mk("0003", clocks=reply("2020-07-10", "2020-07-01"), stage="answered")
    p = progress([late, ok, never], TODAY, CAL)
    assert (p.answered_timed, p.answered_on_time) == (3, 2)
    assert (p.answered, p.consulted_before) == (3, 1)


# ---------------------------------------------------------------- who sees what


def test_a_leader_sees_only_their_divisions():
    people = {p.name: p for p in sample_people()}
    cases = sample_cases(D(2020, 6, 29))
    today = D(2020, 7, 2)
    everyone = overdue(cases, today, CAL)
    assert sorted(i.case.number for i in everyone.items) == ["0312", "0376", "0405", "0412",
                                                           "0458"]
    wang = overdue(visible(people["王强"], cases), today, CAL)   # leads 综合处 and 办公室
    assert [g.division for g in wang.groups] == ["综合处"]
    assert sorted(i.case.number for i in wang.items) == ["0412", "0458"]
    chen = overdue(visible(people["陈静"], cases), today, CAL)
    assert {g.division for g in chen.groups} == {"投资促进一处", "投资促进二处"}
    zhang = overdue(visible(people["张三"], cases), today, CAL)
    assert [i.case.number for i in zhang.items] == ["0458"]
    assert overdue(visible(people["李明"], cases), today, CAL).total == 5  # the head sees all
    # the same question typed by the leader, answered on their cases only
    intent = recognise("哪些超期了?", divisions=["综合处"], people=list(people))
    assert intent.name == "overdue"
    text = qt.overdue_text(wang, paginate(wang.items, 1, 10), "zh", today)
    assert "综合处" in text and "投资促进" not in text and "已督办至1级" in text


def test_help_and_unknown_texts():
    intent = recognise("天气不错")
    text = qt.unknown_text(intent, "zh")
    lines = text.splitlines()
    assert lines[0] == qt.t("q.unknown", "zh") and len(lines) == 4
    assert "/find" in qt.unknown_text(recognise("绿色食品"), "zh")
    assert qt.help_text("en").count("/") >= 8
    assert qt.case_button_label(mk("0484", title="关于招商引资工作的建议")) == "0484 招商引资工作"
    assert present.short_title("关于支持怒江打造“绿色食品牌”的建议", 8) == "支持怒江打造“…"


def test_a_one_day_period_is_said_once():
    day = D(2020, 7, 2)
    text = qt.due_text(due([], day, day, TODAY, CAL), paginate((), 1, 10), "zh")
    assert "7月2日" in text and "至" not in text
    text = qt.due_text(due([], day, day, TODAY, CAL), paginate((), 1, 10), "en")
    assert "–" not in text
