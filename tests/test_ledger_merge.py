"""Re-sending the ledger never undoes work done in chat: merge, conflicts,
snapshots, numbers as Excel stores them, warnings, the round trip."""

from __future__ import annotations

import datetime as dt
import io
import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from test_ledger import CPPCC, HEADER, NPC, TODAY, good_rows, row, xlsx

from bot.domain.ledgerrules import mark_met_unknown, merge_conflict
from bot.domain.lifecycle import met_by_stage
from bot.domain.model import MET_UNKNOWN, Case, Clock, Consultation
from bot.domain.rules import Rules, publish_due
from bot.domain.timeutil import TZ, SetTime
from bot.sample import sample_people
from data.ledger import StalePreview, apply_plan, export_ledger, import_ledger, import_people
from data.ledger_merge import ledger_cells
from data.ledger_read import read_sheet
from data.store import Store

KEY_0484 = ("suggestion", 2020, "0484", NPC)
FULL = HEADER + ["答复类别", "满意度", "答复日期", "意见提交日期", "公开日期", "协商记录",
                 "续办时限"]


def chat_work(store) -> Case:
    """What the handlers and the office did in chat on 0484 after the April import."""
    case = store.case_by_key(KEY_0484)
    case.consultations.append(Consultation("face", "2020-05-12", "杨艳芳代表", by="张三"))
    case.stage, case.reply_class = "answered", "A"
    case.clocks["reply"].met = "2020-06-20"
    case.handler = "李四"                                  # reassigned
    case.set_deadline("2020-08-10", "extension")           # an approved extension
    return store.save_case(case, "张三")


def fields(result) -> list[tuple[str, str, str, str]]:
    return sorted((p.case.number, c.field, c.stored, c.file) for p, c in result.conflicts)


# ---------------------------------------------------------------- merge, not overwrite


def test_resending_the_april_ledger_never_undoes_work_done_in_chat(people_store):
    import_ledger(people_store, xlsx(good_rows()), "april.xlsx", "周敏", today=TODAY)
    done = chat_work(people_store)
    events = len(people_store.history(done.id))
    rows = good_rows()
    rows[0][9] = ""                                        # the task cell left blank
    result = import_ledger(people_store, xlsx(rows), "april.xlsx", "周敏", today=TODAY)
    assert result.ok and result.written
    assert fields(result) == [("0484", "deadline", "2020-08-10", "2020-07-10"),
                              ("0484", "handler", "李四", "张三"),
                              ("0484", "stage", "已答复", "办理中")]
    assert {c.conflict for _, c in result.conflicts} == {"chat", "backwards"}
    kept = people_store.case_by_key(KEY_0484)
    assert (kept.stage, kept.reply_class, kept.handler, kept.deadline, kept.task) == (
        "answered", "A", "李四", "2020-08-10", "研究办理")
    assert kept.clocks["reply"].source == "extension" and len(kept.consultations) == 1
    assert len(people_store.history(done.id)) == events     # nothing written to 0484
    text = result.render("zh")
    assert "第2行 建议第0484号(2020)“状态”:现为 已答复,表格为 办理中(状态倒退)" in text
    assert "“承办人”:现为 李四,表格为 张三(上次导入或导出后已在机器人中修改)" in text
    assert "--overwrite" in text
    # the same file again: the conflicts are listed again, never applied silently
    again = import_ledger(people_store, xlsx(rows), "april.xlsx", "周敏", today=TODAY)
    assert fields(again) == fields(result)
    assert people_store.case_by_key(KEY_0484).handler == "李四"


def test_overwrite_applies_the_conflicts_but_blanks_still_never_erase(people_store):
    import_ledger(people_store, xlsx(good_rows()), "april.xlsx", today=TODAY)
    chat_work(people_store)
    rows = good_rows()
    rows[0][9] = ""
    result = import_ledger(people_store, xlsx(rows), "april.xlsx", "周敏", today=TODAY,
                           overwrite=True)
    assert result.updated == 1 and len(result.conflicts) == 3
    assert "已按表格覆盖" in result.render("zh")
    case = people_store.case_by_key(KEY_0484)
    assert (case.stage, case.handler, case.deadline) == ("in_progress", "张三", "2020-07-10")
    assert (case.task, case.reply_class, len(case.consultations)) == ("研究办理", "A", 1)
    # the handler changes with its person id (its own history line)
    events = people_store.history(case.id)
    last = [e for e in events if e.field != "handler_id"][-3:]
    assert {e.field for e in last} == {"stage", "handler", "clocks.reply"}
    assert "handler_id" in {e.field for e in events[-4:]}
    assert all(e.note == "导入 april.xlsx 第2行(按表格覆盖冲突)" and e.who == "周敏" for e in last)


def test_the_office_s_own_edits_after_an_export_are_applied(people_store):
    import_ledger(people_store, xlsx(good_rows()), "april.xlsx", today=TODAY)
    chat_work(people_store)
    book = load_workbook(io.BytesIO(export_ledger(people_store, 2020, today=TODAY)))
    ws = book["台账"]
    header = [c.value for c in ws[1]]
    line = next(r for r in ws.iter_rows(min_row=2) if r[header.index("编号")].value == "0484")
    line[header.index("办理任务")].value = "研究办理并走访企业"
    line[header.index("承办人")].value = "张三"       # the office hands it back
    out = io.BytesIO()
    book.save(out)
    result = import_ledger(people_store, out.getvalue(), "june.xlsx", "周敏", today=TODAY)
    assert result.conflicts == [] and result.updated == 1
    case = people_store.case_by_key(KEY_0484)
    assert (case.task, case.handler, case.stage, case.deadline) == (
        "研究办理并走访企业", "张三", "answered", "2020-08-10")
    notes = {e.field: e.note for e in people_store.history(case.id)[-3:]
             if e.field != "handler_id"}
    note = f"导入 june.xlsx 第{line[0].row}行"
    assert notes == {"task": note, "handler": note}


def test_a_new_value_fills_a_blank_and_a_dropped_consultation_is_a_conflict(people_store):
    consulted = "2020-05-12 面商 杨艳芳代表\n2020-05-20 电话 杨艳芳代表"
    full_rows = [r + ["", "", "", "", "", consulted, ""] for r in good_rows()]
    import_ledger(people_store, xlsx(full_rows, header=FULL), "c.xlsx", today=TODAY)
    rows = [list(r) for r in full_rows]
    rows[0][15] = "A"                                     # a class where there was none
    rows[0][20] = "2020-05-12 面商 杨艳芳代表"              # one consultation left out
    result = import_ledger(people_store, xlsx(rows, header=FULL), "c.xlsx", today=TODAY)
    assert fields(result) == [("0484", "consultations",
                               "2020-05-12 面商 杨艳芳代表\n2020-05-20 电话 杨艳芳代表",
                               "2020-05-12 面商 杨艳芳代表")]
    case = people_store.case_by_key(KEY_0484)
    assert case.reply_class == "A" and len(case.consultations) == 2


def test_merge_conflict_rules_are_pure():
    old = Case("suggestion", "1", 2020, "t", "lead", stage="answered", reply_class="A")
    new = old.copy()
    new.stage = "assigned"
    assert merge_conflict("stage", old, new, "已答复", "交办", changed_since=False) == "backwards"
    assert merge_conflict("reply_class", old, new, "A", "", changed_since=False) == "dropped"
    assert merge_conflict("task", old, new, "a", "b", changed_since=True) == "chat"
    assert merge_conflict("task", old, new, "a", "b", changed_since=False) is None
    new.stage = "published"
    assert merge_conflict("stage", old, new, "已答复", "已公开", changed_since=True) is None


def test_a_preview_is_refused_when_a_case_changed_since(people_store):
    from data.ledger import plan_cases_sheet

    import_ledger(people_store, xlsx(good_rows()), "c.xlsx", today=TODAY)
    rows = good_rows()
    rows[0][9] = "新任务"
    plan = plan_cases_sheet(people_store, read_sheet(xlsx(rows), "c.xlsx"), "c.xlsx",
                            today=TODAY)
    assert [c.field for p in plan.changed for c in p.changes] == ["task"]
    case = people_store.case_by_key(KEY_0484)
    case.requirements = "改过"
    people_store.save_case(case, "张三")
    with pytest.raises(StalePreview):
        apply_plan(people_store, plan, "周敏")
    assert people_store.case_by_key(KEY_0484).task == "研究办理"


# ---------------------------------------------------------------- numbers, warnings, cells


def test_a_number_cell_that_lost_its_zeros_is_the_same_case(people_store):
    rows = good_rows()
    rows.append(row(编号="0602", 标题="关于园区的建议"))
    import_ledger(people_store, xlsx(rows), "c.xlsx", today=TODAY)
    rows[-1][1] = 602                                      # Excel's number cell
    rows[-1][9] = "新任务"
    result = import_ledger(people_store, xlsx(rows), "c.xlsx", today=TODAY)
    assert result.ok and (result.created, result.updated) == (0, 1)
    assert "编号 602 按本年度编号的位数补零为 0602(4 位)" in result.render("zh")
    assert [c.number for c in people_store.find_by_number("0602")] == ["0602"]
    assert not people_store.find_by_number("602")
    assert people_store.find_by_number("0602")[0].task == "新任务"
    # the number cell and the text in one file: the same case twice, never a second copy
    rows.append(row(编号="0602", 标题="关于园区的建议"))
    result = import_ledger(people_store, xlsx(rows), "c.xlsx", today=TODAY)
    assert [p.key for p in result.problems] == ["ledger.err.duplicate_key"]


def test_rows_that_load_but_look_wrong_are_warned_about(people_store):
    rows = [
        row(编号="0701", 承办处室="项目管理处"),               # 张三 is of 综合处
        row(编号="0702", 承办处室="外事处", 承办人=""),
        row(类型="提案", 编号="0703", 会次=CPPCC, 办理方式="协办", 主办单位="省商务厅"),
        row(编号="0704", 办理时限="2020-03-01"),              # before 交办日期 2020-04-10
        row(编号="0705", 状态="已审核"),
        row(编号="0706", 状态="已答复"),
    ]
    result = import_ledger(people_store, xlsx(rows), "c.xlsx", today=TODAY)
    assert result.ok and result.created == 6
    found = {(w.row, w.key) for w in result.warnings}
    assert found >= {(2, "ledger.warn.other_division"), (3, "ledger.warn.unknown_division"),
                     (4, "ledger.warn.role_proposal"), (5, "ledger.warn.deadline_before_assigned"),
                     (6, "ledger.warn.no_consultation"), (7, "ledger.warn.met_unknown_reply")}
    text = result.render("zh")
    assert "承办人张三属于综合处,不是项目管理处" in text and "外事处" in text
    answered = people_store.find_by_number("0706")[0]
    assert answered.clocks["reply"].met == MET_UNKNOWN and not answered.clocks["reply"].open


def test_a_formula_is_told_as_a_formula_and_an_impossible_date_does_not_exist(people_store):
    book = Workbook()
    ws = book.active
    ws.append(HEADER)
    ws.append(row(编号="0801", 办理时限="=DATE(2020,6,30)"))
    ws.append(row(编号="0802", 交办日期="2020-06-31"))
    out = io.BytesIO()
    book.save(out)
    result = import_ledger(people_store, out.getvalue(), "c.xlsx", today=TODAY)
    assert [(p.row, p.column, p.key) for p in result.problems] == [
        (2, "办理时限", "ledger.err.formula"), (3, "交办日期", "ledger.err.no_such_day")]
    text = result.render("zh")
    assert "公式“=DATE(2020,6,30)”" in text and "不存在:6月只有30天" in text
    assert "does not exist" in result.render("en")
    assert people_store.cases() == []


def test_stage_past_answered_without_date_is_done_on_an_unknown_day_and_stays_so(people_store):
    rows = [row(编号="0901", 状态="已公开")]
    import_ledger(people_store, xlsx(rows), "c.xlsx", today=TODAY)
    case = people_store.find_by_number("0901")[0]
    assert case.clocks["reply"].met == MET_UNKNOWN and case.clocks["publish"].met == MET_UNKNOWN
    assert met_by_stage(case) == ["reply", "publish"]
    data = export_ledger(people_store, 2020, today=TODAY)
    ws = load_workbook(io.BytesIO(data))["台账"]
    header = [c.value for c in ws[1]]
    values = [c.value for c in ws[2]]
    assert values[header.index("答复日期")] is None and values[header.index("公开日期")] is None
    result = import_ledger(people_store, data, "export.xlsx", today=TODAY)
    assert result.conflicts == [] and result.unchanged == 1
    assert people_store.find_by_number("0901")[0].clocks["reply"].met == MET_UNKNOWN
    # a date given later fills it in
    rows = [row(编号="0901", 状态="已公开") + ["2020-06-01"]]
    result = import_ledger(people_store, xlsx(rows, header=HEADER + ["答复日期"]), "c.xlsx",
                           today=TODAY)
    assert result.conflicts == [] and result.updated == 1
    assert people_store.find_by_number("0901")[0].clocks["reply"].met == "2020-06-01"


def test_mark_met_unknown_leaves_known_dates():
    case = Case("proposal", "1", 2020, "t", "joint", lead_unit="x", stage="answered",
                clocks={"opinion": Clock(due="2020-06-30", met="2020-06-28")})
    assert mark_met_unknown(case) == [] and case.clocks["opinion"].met == "2020-06-28"


# ---------------------------------------------------------------- the first admin's row


def test_the_admin_made_at_start_is_linked_to_their_row(store):
    from bot.app import ensure_admin

    admin = ensure_admin(store, 424242)
    rows = [["周敏", "办公室", "办公室", "", "424242"], ["张三", "承办人", "综合处", "", ""]]
    header = ["姓名", "职务", "处室", "分管处室", "Telegram"]
    result = import_people(store, xlsx(rows, header=header), "people.xlsx", "周敏")
    assert result.ok and (result.created, result.updated) == (1, 1)
    person = store.person_by_telegram(424242)
    assert (person.id, person.name, person.position, person.division) == (
        admin.id, "周敏", "office", "办公室")
    assert "已关联到本行的周敏" in result.render("zh")
    # someone else's account is still refused
    rows = [["新人", "承办人", "综合处", "", "424242"]]
    result = import_people(store, xlsx(rows, header=header), "people.xlsx")
    assert [p.key for p in result.problems] == ["ledger.err.telegram_taken"]


# ---------------------------------------------------------------- the round trip

_TEXT = st.text(alphabet=string.ascii_letters + "招商引资数字经济 ", min_size=1, max_size=12).map(
    str.strip).filter(bool)
_DATE = st.dates(dt.date(2020, 1, 1), dt.date(2020, 12, 31)).map(dt.date.isoformat)
HANDLERS = {"张三": "综合处", "李四": "综合处", "王五": "项目管理处"}


@st.composite
def stored_cases(draw) -> list[Case]:
    n = draw(st.integers(1, 5))
    numbers = draw(st.lists(st.from_regex(r"0[0-9]{3}", fullmatch=True), min_size=n,
                            max_size=n, unique=True))
    out = []
    for number in numbers:
        role = draw(st.sampled_from(["lead", "sole", "co", "joint", "split", "reference"]))
        continuation = role in ("lead", "sole") and draw(st.booleans())
        kind = "proposal" if role == "joint" else "suggestion"
        stage = draw(st.sampled_from(["registered", "assigned", "consulted", "answered",
                                      "feedback", "published", "archived"]))
        handler = draw(st.sampled_from(["", *HANDLERS]))
        reply_class = (draw(st.sampled_from(["A", "B", "C"])) if role in ("lead", "sole", "split")
                       and stage in ("answered", "feedback", "published", "archived") else "")
        case = Case(kind=kind, number=number, year=2020, title=draw(_TEXT), role=role,
                    session=NPC if kind == "suggestion" else CPPCC,
                    lead_unit=draw(_TEXT) if role in ("co", "joint") else "",
                    division=HANDLERS.get(handler, ""), task=draw(st.just("") | _TEXT),
                    handler=handler, requirements=draw(st.just("") | _TEXT), stage=stage,
                    assigned_on=draw(_DATE), reply_class=reply_class,
                    satisfaction=draw(st.sampled_from(["", "satisfied", "unsatisfied"])),
                    continuation=continuation,
                    origin_session="省十三届人大一次会议" if continuation else "",
                    consultations=[Consultation(m, d, w, note=note, by=by)
                                   for m, d, w, note, by in draw(st.lists(st.tuples(
                                       st.sampled_from(["face", "phone", "meeting"]), _DATE,
                                       _TEXT, st.just("") | _TEXT, st.sampled_from(["", "张三"])),
                                       max_size=2, unique_by=lambda c: (c[0], c[1], c[2])))])
        answered = stage in ("answered", "feedback", "published", "archived")
        if case.main_clock:
            met = draw(_DATE | st.just(MET_UNKNOWN)) if answered else draw(st.just("") | _DATE)
            case.clocks[case.main_clock] = Clock(due=draw(_DATE), met=met, source="set")
        if role in ("lead", "sole") and not continuation:
            met = (draw(_DATE | st.just(MET_UNKNOWN)) if stage in ("published", "archived")
                   else draw(st.just("") | _DATE))
            # no column carries the publishing date: it is the rules' (July 15, or after the
            # answer for a case assigned later)
            due = publish_due(case, Rules())
            case.clocks["publish"] = Clock(due=due.isoformat() if due else "", met=met)
        if reply_class == "B" and not continuation:
            case.clocks["followup"] = Clock(due=draw(_DATE), met=draw(
                st.sampled_from(["", MET_UNKNOWN]) | _DATE), source="set")
        out.append(case)
    return out


def full_view(case: Case) -> dict:
    """Everything the round trip keeps: every field, every clock's due and met dates, each
    consultation with its author and note."""
    skip = ("id", "version", "created_at", "updated_at", "clocks")
    return {**{k: v for k, v in case.to_dict().items() if k not in skip},
            "clocks": {n: (c.due, c.met) for n, c in case.clocks.items()}}


def _people(store) -> None:
    with store.transaction():
        for p in sample_people():
            store.add_person(p, "test")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stored_cases())
def test_export_then_import_gives_the_same_cases(cases):
    clock = SetTime(dt.datetime(2020, 6, 29, 9, 30, tzinfo=TZ))
    with tempfile.TemporaryDirectory() as tmp:
        with Store.open(Path(tmp) / "a", time=clock) as a, \
                Store.open(Path(tmp) / "b", time=clock) as b:
            _people(a)
            _people(b)
            with a.transaction():
                for case in cases:
                    a.add_case(case.copy(), "张三")
            data = export_ledger(a, 2020, today=TODAY)
            result = import_ledger(b, data, "export.xlsx", today=TODAY)
            assert [p.render("en") for p in result.problems] == []
            assert result.created == len(cases)
            for case in cases:  # a's stored copy: its handler linked by identity there
                assert full_view(b.case_by_key(case.key)) == full_view(a.case_by_key(case.key))
                assert full_view(b.case_by_key(case.key)) == {**full_view(case),
                                                              "handler_id": b.case_by_key(
                                                                  case.key).handler_id}
            # into the store it came from: nothing changes, nothing conflicts
            again = import_ledger(a, data, "export.xlsx", today=TODAY)
            assert again.conflicts == [] and again.unchanged == len(cases)
            assert {c.key: ledger_cells(c) for c in a.cases()} == {
                c.key: ledger_cells(c) for c in b.cases()}


def test_a_case_registered_in_chat_keeps_its_values_and_takes_the_ledger_s_blanks(people_store):
    case = Case("suggestion", "0484", 2020, "关于招商引资工作的建议", "lead", session=NPC,
                division="综合处", handler="张三", task="在机器人中登记的任务")
    people_store.add_case(case, "张三")                   # /new, never imported
    rows = [row(办理任务="表格的任务")]
    result = import_ledger(people_store, xlsx(rows), "c.xlsx", today=TODAY)
    assert [(c.field, c.conflict) for _, c in result.conflicts] == [("task", "chat")]
    stored = people_store.case_by_key(KEY_0484)
    assert stored.task == "在机器人中登记的任务"
    assert stored.requirements == "先协商后答复" and stored.deadline == "2020-07-10"


def test_row_warnings_are_pure():
    from bot.domain.ledgerrules import row_warnings

    case = Case("suggestion", "1", 2020, "t", "joint", lead_unit="x", division="综合处",
                handler="王五", stage="drafted")
    keys = [k for _, k, _ in row_warnings(case, divisions_of={"王五": {"项目管理处"}},
                                          divisions={"综合处", "项目管理处"})]
    assert keys == ["ledger.warn.other_division", "ledger.warn.role_suggestion",
                    "ledger.warn.no_consultation"]


def test_an_admin_renamed_since_start_is_not_taken_for_a_new_row(store):
    from bot.app import ensure_admin

    admin = ensure_admin(store, 424243)
    admin.name = "周敏"
    store.save_person(admin, "周敏")
    rows = [["李华", "办公室", "办公室", "", "424243"]]
    header = ["姓名", "职务", "处室", "分管处室", "Telegram"]
    result = import_people(store, xlsx(rows, header=header), "people.xlsx")
    assert [p.key for p in result.problems] == ["ledger.err.telegram_taken"]
    assert store.person_by_telegram(424243).name == "周敏"


def test_the_follow_up_clock_of_a_b_reply_round_trips_and_keeps_a_known_day(people_store):
    rows = [row(编号="0910", 状态="已答复") + ["B", "2020-06-01", "2020-12-31"]]
    header = HEADER + ["答复类别", "答复日期", "续办时限"]
    import_ledger(people_store, xlsx(rows, header=header), "c.xlsx", today=TODAY)
    case = people_store.find_by_number("0910")[0]
    assert (case.clocks["followup"].due, case.clocks["followup"].met) == ("2020-12-31", "")
    case.clocks["followup"].met = "2020-11-20"           # answered again, in chat
    people_store.save_case(case, "张三")
    ws = load_workbook(io.BytesIO(export_ledger(people_store, 2020, today=TODAY)))["台账"]
    header_row = [c.value for c in ws[1]]
    assert [c.value for c in ws[2]][header_row.index("续办时限")] == "2020-12-31 已续复 2020-11-20"
    rows = [row(编号="0910", 状态="已答复") + ["B", "2020-06-01", "2020-12-31 已续复"]]
    result = import_ledger(people_store, xlsx(rows, header=header), "c.xlsx", today=TODAY)
    assert result.conflicts == [] and result.unchanged == 1
    assert people_store.find_by_number("0910")[0].clocks["followup"].met == "2020-11-20"


def test_an_export_is_recorded_a_chunk_per_step_and_whole_at_the_end(people_store):
    from data.ledger import ExportRecord
    from data.ledger_merge import ledger_cells, snapshots

    import_ledger(people_store, xlsx(good_rows()), "april.xlsx", today=TODAY)
    chat_work(people_store)
    cases = people_store.cases(2020)
    assert len(cases) >= 2
    before = snapshots(people_store)
    recorder = ExportRecord(people_store, cases, TODAY, chunk=1)
    assert recorder.step()  # one case recorded, more to come
    first = snapshots(people_store)
    assert first[cases[0].id] == ledger_cells(cases[0])
    assert {i: first[i] for i in before if i != cases[0].id} == {
        i: before[i] for i in before if i != cases[0].id}
    steps = 1
    while recorder.step():
        steps += 1
    assert steps == len(cases) - 1 and not recorder.step()
    after = snapshots(people_store)
    assert {c.id: after[c.id] for c in cases} == {c.id: ledger_cells(c) for c in cases}
    rows = people_store.table("ledger_seen").all()
    assert {d["how"] for d in rows if d.doc_id in {c.id for c in cases}} == {"export"}
