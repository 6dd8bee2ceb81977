"""The ledger in and out: reading xlsx/csv, checking every row, atomic import, export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from bot.domain.model import Case, Clock, Consultation, diff_cases
from bot.domain.text import clean_name
from bot.sample import sample_cases, sample_people
from data import ledger_read
from data.ledger import export_ledger, import_ledger, import_people
from data.ledger_format import CASE_COLUMNS, escape_cell, unescape_cell
from data.ledger_read import LedgerFileError, parse_cases, read_sheet
from data.ledger_write import ledger_workbook

TODAY = dt.date(2020, 6, 29)
HEADER = ["类型", "编号", "年度", "会次", "标题", "提出人", "办理方式", "主办单位", "承办处室",
          "办理任务", "承办人", "办理时限", "办理要求", "交办日期", "状态"]
NPC = "省十三届人大三次会议"
CPPCC = "省政协十二届三次会议"


def row(**kw) -> list:
    base = {"类型": "建议", "编号": "0484", "年度": 2020, "会次": NPC,
            "标题": "关于招商引资工作的建议", "提出人": "杨艳芳", "办理方式": "主办",
            "主办单位": "", "承办处室": "综合处", "办理任务": "研究办理", "承办人": "张三",
            "办理时限": "2020-07-10", "办理要求": "先协商后答复", "交办日期": "2020-04-10",
            "状态": "办理中"}
    base.update(kw)
    return [base[h] for h in HEADER]


def good_rows() -> list[list]:
    return [
        row(),
        row(编号="0091", 标题="关于支持怒江打造“绿色食品牌”的建议", 办理方式="协办",
            主办单位="省农业农村厅", 承办人="钱六", 承办处室="投资促进一处", 办理时限=""),
        row(类型="提案", 编号="0308", 会次=CPPCC, 标题="关于建设大滇西环线的建议",
            办理方式="会办", 主办单位="省交通运输厅", 承办人="王五", 承办处室="项目管理处",
            办理时限="2020/6/30"),
        row(编号="0530", 标题="关于加快发展数字经济的建议", 办理方式="工作参考", 办理时限="",
            状态=""),
    ]


def xlsx(rows: list[list], header: list[str] = HEADER, title: str | None = None) -> bytes:
    book = Workbook()
    ws = book.active
    if title:
        ws.append([title])
    ws.append(header)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], header: list[str] = HEADER, bom: bool = True,
              encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def problems(result) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.key) for p in result.problems]


# ---------------------------------------------------------------- a valid ledger


def test_a_valid_ledger_is_imported_in_full(people_store):
    data = xlsx(good_rows(), header=HEADER + ["备注"], title="2020年建议提案办理台账")
    data = xlsx([r + [f"note {i}"] for i, r in enumerate(good_rows())],
                header=HEADER + ["备注"], title="2020年建议提案办理台账")
    result = import_ledger(people_store, data, "cases.xlsx", "周敏", today=TODAY)
    assert result.ok and result.written, result.render("en")
    assert (result.total, result.created, result.updated) == (4, 4, 0)
    cases = {c.number: c for c in people_store.cases(2020)}
    lead = cases["0484"]
    assert (lead.kind, lead.role, lead.session, lead.proposers) == ("suggestion", "lead", NPC,
                                                                      ["杨艳芳"])
    assert lead.deadline == "2020-07-10" and lead.clocks["reply"].source == "default"
    assert lead.clocks["publish"].due == "2020-07-15"  # armed by the rules
    assert lead.stage == "in_progress" and lead.extra == {"备注": "note 0"}
    co = cases["0091"]
    # empty 办理时限 = the role's default: June 30 for co-handling
    assert co.deadline == "2020-06-30" and co.main_clock == "opinion"
    assert cases["0308"].kind == "proposal" and cases["0308"].deadline == "2020-06-30"
    ref = cases["0530"]
    assert ref.clocks == {} and ref.stage == "assigned"  # five fixes complete, no deadline
    history = people_store.history(lead.id)
    assert history[0].field == "created" and history[0].who == "周敏"
    assert "cases.xlsx" in history[0].note and "3" in history[0].note  # row 3 (title above)


def test_csv_with_and_without_bom_english_headers_and_excel_serial_dates(people_store):
    english = ["kind", "Number", "YEAR", "session", "title", "proposer", "role", "lead unit",
               "division", "task", "handler", "deadline", "requirements", "assigned_on",
               "stage"]
    rows = good_rows()
    rows[0][11] = "44022"       # 2020-07-10 as Excel writes a date cell to CSV
    rows[0][13] = "2020年4月10日"
    rows[1][0] = "suggestion"
    rows[1][6] = "co"
    for bom in (True, False):
        store_data = csv_bytes(rows, header=english, bom=bom)
        sheet = read_sheet(store_data, "cases.csv")
        assert sheet.headers[0] == "kind"  # no BOM left in the first header
        parsed = parse_cases(sheet, today=TODAY, handlers={p.name for p in sample_people()})
        assert parsed.problems == []
        lead = parsed.good[0][1]
        assert (lead.deadline, lead.assigned_on) == ("2020-07-10", "2020-04-10")
        assert parsed.good[1][1].role == "co"
    result = import_ledger(people_store, csv_bytes(rows, header=english), "cases.csv",
                           today=TODAY)
    assert result.created == 4


def test_xlsx_dates_may_be_real_dates_or_numbers(people_store):
    rows = good_rows()
    rows[0][11] = dt.datetime(2020, 7, 10)
    rows[0][13] = 43931  # 2020-04-10 as a bare serial
    result = import_ledger(people_store, xlsx(rows), "cases.xlsx", today=TODAY)
    assert result.ok
    lead = people_store.case_by_key(("suggestion", 2020, "0484", NPC))
    assert (lead.deadline, lead.assigned_on) == ("2020-07-10", "2020-04-10")


def test_dates_go_through_the_dates_module():
    reader = ledger_read.DateReader(TODAY)
    assert reader("6月30日前", "deadline") == "2020-06-30"
    assert reader("2020.6.30", "deadline") == "2020-06-30"
    assert reader("二〇二〇年七月十日", "deadline") == "2020-07-10"
    with pytest.raises(Exception) as info:
        reader("下下下个月左右", "deadline")
    assert info.value.render("zh")


def test_number_keeps_leading_zeros_from_text_and_reads_decorations(people_store):
    rows = good_rows()[:1]
    rows[0][1] = "第0484号"
    import_ledger(people_store, xlsx(rows), "c.xlsx", today=TODAY)
    assert [c.number for c in people_store.cases()] == ["0484"]


# ---------------------------------------------------------------- bad rows


BAD = [
    # (row changes, expected column, expected key)
    ({"办理方式": "主持"}, "办理方式", "err.bad_choice"),
    ({"类型": "议案"}, "类型", "err.bad_choice"),
    ({"办理时限": "2020-02-30"}, "办理时限", "ledger.err.no_such_day"),
    ({"办理时限": "过两天再说"}, "办理时限", "date.not_understood"),
    ({"承办人": "路人甲"}, "承办人", "ledger.err.unknown_handler"),
    ({"编号": "04 84"}, "编号", "err.bad_number"),
    ({"年度": "二〇二〇"}, "年度", "err.bad_year"),
    ({"标题": ""}, "标题", "err.required"),
    ({"办理方式": "协办", "主办单位": ""}, "主办单位", "ledger.err.lead_unit_required"),
    ({"办理方式": "工作参考"}, "办理时限", "err.reference_no_deadline"),
    ({"状态": "完成"}, "状态", "err.bad_choice"),
    ({"标题": "x" * 201}, "标题", "err.too_long"),
]


@pytest.mark.parametrize("changes,column,key", BAD)
def test_each_bad_row_is_reported_with_row_and_column_and_nothing_written(
        people_store, changes, column, key):
    rows = good_rows()
    rows.insert(2, row(**{"编号": "0999", **changes}))  # spreadsheet row 4
    result = import_ledger(people_store, xlsx(rows), "cases.xlsx", today=TODAY)
    assert problems(result) == [(4, column, key)]
    assert not result.written and people_store.cases() == []
    text = result.render("zh")
    assert f"第4行“{column}(" in text and "未导入任何数据" in text
    assert "row 4, column" in result.render("en")


def test_duplicate_key_in_the_file_names_the_first_row(people_store):
    rows = good_rows() + [row(标题="另一个标题")]
    result = import_ledger(people_store, xlsx(rows), "cases.xlsx", today=TODAY)
    assert problems(result) == [(6, "编号", "ledger.err.duplicate_key")]
    assert "第2行" in result.problems[0].render("zh")
    # the same number in another session is another case
    rows[-1][3] = "省十三届人大二次会议"
    assert import_ledger(people_store, xlsx(rows), "cases.xlsx", today=TODAY).created == 5


def test_missing_required_column_and_stray_cells(people_store):
    header = [h for h in HEADER if h != "办理方式"]
    rows = [[v for h, v in zip(HEADER, r, strict=True) if h != "办理方式"] for r in good_rows()]
    rows[1] = rows[1] + ["", "stray"]
    result = import_ledger(people_store, xlsx(rows, header=header), "c.xlsx", today=TODAY)
    found = problems(result)
    assert (1, "办理方式", "ledger.err.missing_column") in found
    assert (3, "P", "ledger.err.no_header") in found
    assert people_store.cases() == []


def test_every_problem_of_a_row_is_reported(people_store):
    rows = [row(办理方式="主持", 办理时限="明年某天", 承办人="路人甲")]
    result = import_ledger(people_store, xlsx(rows), "c.xlsx", today=TODAY)
    assert sorted(c for _, c, _ in problems(result)) == ["办理方式", "办理时限", "承办人"]


def test_partial_writes_the_good_rows_and_lists_the_rest(people_store):
    rows = good_rows()
    rows.insert(1, row(编号="0001", 办理方式="主持"))
    rows.append(row(编号="0002", 承办人="路人甲"))
    result = import_ledger(people_store, xlsx(rows), "c.xlsx", today=TODAY, partial=True)
    assert result.written and result.created == 4 and result.bad_rows == [3, 7]
    assert sorted(c.number for c in people_store.cases()) == ["0091", "0308", "0484", "0530"]
    text = result.render("zh")
    assert "以下 2 行有问题" in text and "第3行" in text and "第7行" in text


def test_dry_run_checks_and_counts_but_writes_nothing(people_store):
    result = import_ledger(people_store, xlsx(good_rows()), "c.xlsx", today=TODAY,
                           dry_run=True)
    assert result.ok and result.created == 4 and not result.written
    assert people_store.cases() == []
    assert "试运行" in result.render("zh")


def test_a_failure_while_writing_leaves_nothing(people_store, monkeypatch):
    calls = []
    real = people_store.add_case

    def failing(case, who, note=""):
        calls.append(case.number)
        if len(calls) == 3:
            raise OSError("disk on fire")
        return real(case, who, note)

    monkeypatch.setattr(people_store, "add_case", failing)
    with pytest.raises(OSError):
        import_ledger(people_store, xlsx(good_rows()), "c.xlsx", today=TODAY)
    assert people_store.cases() == [] and len(calls) == 3


# ---------------------------------------------------------------- re-import


def test_reimport_updates_by_key_and_records_each_change(people_store):
    import_ledger(people_store, xlsx(good_rows()), "c.xlsx", today=TODAY)
    before = people_store.case_by_key(("suggestion", 2020, "0091", NPC))
    rows = good_rows()
    rows[1][10] = "李四"                  # handler
    rows[1][11] = "2020-06-20"            # deadline, set by the office
    rows[1][14] = "已提交意见"            # stage: the opinion was sent
    result = import_ledger(people_store, xlsx(rows), "v2.xlsx", "周敏", today=TODAY)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
    after = people_store.case_by_key(("suggestion", 2020, "0091", NPC))
    assert after.id == before.id and len(people_store.cases()) == 4
    assert (after.handler, after.deadline, after.stage) == ("李四", "2020-06-20", "answered")
    assert after.clocks["opinion"].source == "set"
    events = people_store.history(after.id)[1:]
    # the handler changes with its person id: the case is 李四's by identity now
    assert {e.field for e in events} == {"handler", "handler_id", "clocks.opinion", "stage"}
    assert after.handler_id == people_store.people_named("李四")[0].id
    assert all(e.who == "周敏" and "v2.xlsx" in e.note for e in events)
    handler = next(e for e in events if e.field == "handler")
    assert (handler.old, handler.new) == ("钱六", "李四")


def test_reimport_keeps_what_the_file_does_not_say(people_store):
    import_ledger(people_store, xlsx(good_rows()), "c.xlsx", today=TODAY)
    case = people_store.case_by_key(("suggestion", 2020, "0484", NPC))
    case.consultations.append(Consultation("face", "2020-05-12", "杨艳芳代表", by="张三"))
    case.extra["备注"] = "重点件"
    people_store.save_case(case, "张三")
    rows = good_rows()
    rows[0][11] = ""   # empty deadline: keep the stored one
    rows[0][14] = ""   # empty stage: keep
    result = import_ledger(people_store, xlsx(rows), "c.xlsx", today=TODAY)
    assert result.unchanged == 4
    again = people_store.get_case(case.id)
    assert again.consultations and again.extra == {"备注": "重点件"}


# ---------------------------------------------------------------- unreadable files


def test_unreadable_files_give_a_clear_error(people_store, monkeypatch, tmp_path):
    def error(data, name):
        with pytest.raises(LedgerFileError) as info:
            import_ledger(people_store, data, name, today=TODAY)
        assert info.value.render("zh") and info.value.render("en")
        return info.value.key

    good = xlsx(good_rows())
    assert error(good[:len(good) // 2], "cases.xlsx") == "ledger.err.corrupt"
    assert error(b"PK\x03\x04 not a zip at all", "cases.xlsx") == "ledger.err.corrupt"
    assert error(b"\xd0\xcf\x11\xe0" + bytes(100), "cases.xls") == "ledger.err.xls"
    gbk = csv_bytes(good_rows(), bom=False, encoding="gbk")
    assert error(gbk, "cases.csv") == "ledger.err.encoding"
    assert error(b"", "cases.csv") == "ledger.err.empty"
    assert error(b"hello", "cases.pdf") == "ledger.err.unsupported"
    monkeypatch.setattr(ledger_read, "MAX_ROWS", 3)
    assert error(good, "cases.xlsx") == "ledger.err.too_many_rows"
    monkeypatch.setattr(ledger_read, "MAX_BYTES", 1000)
    assert error(good, "cases.xlsx") == "ledger.err.too_big"
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 2000)
    assert error(path, "") == "ledger.err.too_big"
    assert error(tmp_path / "missing.csv", "") == "ledger.err.cannot_open"
    assert people_store.cases() == []


# ---------------------------------------------------------------- export


@pytest.fixture
def sample_store(people_store):
    with people_store.transaction():
        for c in sample_cases():
            people_store.add_case(c, "test")
    return people_store


def test_export_has_three_sheets_typed_cells_and_highlights_overdue(sample_store):
    case = sample_store.case_by_key(("suggestion", 2020, "0484", NPC))
    case.title = "=HYPERLINK(\"http://evil\")"
    case.clocks["publish"].met = ""           # not published: overdue on 2020-07-20
    case.stage = "feedback"
    sample_store.save_case(case, "test")
    data = export_ledger(sample_store, 2020, today=dt.date(2020, 7, 20))
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["台账", "历史", "人员"]
    ws = book["台账"]
    assert ws.freeze_panes == "A2" and ws.column_dimensions["E"].width == 40
    header = [c.value for c in ws[1]]
    assert header[:19] == [c.header for c in CASE_COLUMNS][:19]
    rows = {r[1].value: r for r in ws.iter_rows(min_row=2)}
    lead = rows["0484"]
    assert lead[1].data_type == "s"                       # number kept as text
    deadline = lead[header.index("办理时限")]
    assert deadline.is_date and deadline.value.date() == dt.date(2020, 7, 10)
    assert lead[4].value == "'=HYPERLINK(\"http://evil\")" and lead[4].data_type == "s"
    assert lead[0].fill.fgColor.rgb.endswith("FFC7CE")
    assert not rows["0091"][0].fill.fgColor.rgb.endswith("FFC7CE")
    assert ws.max_row == 1 + len(sample_store.cases())
    history = book["历史"]
    assert history.max_row > 25 and history.freeze_panes == "A2"
    # fields and values in words, as the card's history says them (not stage / answered)
    rows = [[c.value for c in r] for r in history.iter_rows(min_row=2)]
    stage_rows = [r for r in rows if r[1] == "0484" and r[5] == "状态"]
    assert stage_rows and stage_rows[-1][6:8] == ["已公开", "已征询反馈"]
    fields = {r[5] for r in rows}
    assert "公开时限" in fields and not fields & {"stage", "clocks.publish", "handler_id"}
    assert not any(isinstance(v, str) and v.startswith(("{", "[")) for r in rows for v in r)
    people = book["人员"]
    assert people.max_row == 1 + len(sample_people())


def test_export_then_import_gives_the_same_cases(sample_store, store_factory):
    data = export_ledger(sample_store, 2020, today=TODAY)
    # into the same store: nothing changes, no history written
    result = import_ledger(sample_store, data, "export.xlsx", today=TODAY)
    assert (result.unchanged, result.created, result.updated) == (25, 0, 0)
    # into a fresh store: people first (the export's people sheet), then the cases
    fresh = store_factory()
    assert import_people(fresh, data, "export.xlsx").created == len(sample_people())
    assert import_ledger(fresh, data, "export.xlsx", today=TODAY).created == 25
    for case in sample_store.cases():
        assert diff_cases(case, fresh.case_by_key(case.key)) == []


@pytest.fixture
def store_factory(tmp_path, time_source):
    from data.store import Store

    opened = []

    def make():
        s = Store.open(tmp_path / f"other{len(opened)}", time=time_source)
        opened.append(s)
        return s

    yield make
    for s in opened:
        s.close()


def test_formula_escaping_is_reversible():
    for text in ("=1+1", "+86 871", "-", "@sum", "'=x", "''@y", "'plain", "plain", "a=b"):
        escaped = escape_cell(text)
        assert escaped[:1] not in ("=", "+", "-", "@")
        assert unescape_cell(escaped) == text


def test_progress_is_reported_while_checking_and_writing(people_store):
    seen = []
    rows = [row(编号=f"{i:04d}") for i in range(450)]
    import_ledger(people_store, xlsx(rows), "c.xlsx", today=TODAY,
                  progress=lambda phase, done, total: seen.append((phase, done, total)))
    assert ("check", 200, 450) in seen and ("check", 450, 450) in seen
    assert seen[-1] == ("write", 450, 450)


# ---------------------------------------------------------------- round trip, any cases

HANDLERS = ["张三", "李四", "王五"]
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
                min_size=1, max_size=30).map(str.strip).filter(
                    lambda s: bool(clean_name(s)))  # not only invisible (format) characters
_NAME = st.text(alphabet=string.ascii_letters + "杨艳芳赵新梅路学伟", min_size=1, max_size=6)
_DATE = st.dates(dt.date(2020, 1, 1), dt.date(2021, 12, 31)).map(dt.date.isoformat)
_EXTRA = st.dictionaries(st.sampled_from(["备注", "序号", "Notes"]), _TEXT, max_size=2)


@st.composite
def ledger_cases(draw) -> list[Case]:
    n = draw(st.integers(1, 6))
    numbers = draw(st.lists(st.from_regex(r"[0-9A-Za-z][0-9A-Za-z\-]{0,7}", fullmatch=True),
                            min_size=n, max_size=n, unique=True))
    cases = []
    for number in numbers:
        role = draw(st.sampled_from(["lead", "sole", "co", "joint", "split", "reference"]))
        continuation = role in ("lead", "sole") and draw(st.booleans())
        case = Case(
            kind=draw(st.sampled_from(["suggestion", "proposal"])), number=number, year=2020,
            title=draw(_TEXT), role=role, session=draw(st.sampled_from([NPC, CPPCC, ""])),
            proposers=draw(st.lists(_NAME, max_size=3)),
            lead_unit=draw(_TEXT) if role in ("co", "joint") else draw(st.just("") | _TEXT),
            division=draw(st.just("") | _TEXT), task=draw(st.just("") | _TEXT),
            handler=draw(st.sampled_from([""] + HANDLERS)),
            requirements=draw(st.just("") | _TEXT),
            stage=draw(st.sampled_from(["registered", "assigned", "answered", "archived"])),
            assigned_on=draw(_DATE), reply_class=draw(st.sampled_from(["", "A", "B", "C"])),
            satisfaction=draw(st.sampled_from(["", "satisfied", "basic", "unsatisfied"])),
            continuation=continuation,
            origin_session="省十三届人大一次会议" if continuation else "",
            extra=draw(_EXTRA),
            consultations=[Consultation(m, d, w) for m, d, w in draw(st.lists(
                st.tuples(st.sampled_from(["face", "phone", "letter"]), _DATE,
                          _TEXT.filter(lambda s: ";" not in s and ";" not in s
                                       and " | " not in s)), max_size=2))],
        )
        if case.main_clock:
            case.clocks[case.main_clock] = Clock(due=draw(_DATE), met=draw(st.just("") | _DATE),
                                                 source="set")
        cases.append(case)
    return cases


def ledger_view(case: Case) -> dict:
    """What the ledger carries of a case."""
    main = case.clocks.get(case.main_clock) if case.main_clock else None
    publish = case.clocks.get("publish")
    return {
        **{k: v for k, v in case.to_dict().items()
           if k not in ("clocks", "consultations", "id", "version", "created_at", "updated_at",
                        "extra")},
        "extra": {k: v for k, v in case.extra.items() if v},
        # a stage at or past 已答复 with no date is loaded as answered on an unknown day
        "deadline": case.deadline, "met": main.met_on if main else "",
        "published": publish.met_on if publish else "",
        "consultations": [(c.on, c.method, c.with_whom) for c in case.consultations],
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledger_cases())
def test_random_case_sets_round_trip_through_export_and_import(cases):
    data = ledger_workbook(cases, today=TODAY)
    parsed = parse_cases(read_sheet(data, "x.xlsx"), today=TODAY, handlers=set(HANDLERS))
    assert [p.render("en") for p in parsed.problems] == []
    back = {c.key: c for _, c, _ in parsed.good}
    assert set(back) == {c.key for c in cases}
    for case in cases:
        assert ledger_view(back[case.key]) == ledger_view(case)


# ---------------------------------------------------------------- people

PEOPLE_HEADER = ["姓名", "职务", "处室", "分管处室", "Telegram"]


def test_people_list_is_imported_and_updated_by_name(store):
    rows = [["张三", "承办人", "综合处", "", "@zhang_san"],
            ["王强", "分管领导", "", "综合处、办公室", "10002"],
            ["周敏", "office", "办公室", "", ""]]
    result = import_people(store, xlsx(rows, header=PEOPLE_HEADER), "people.xlsx", "admin")
    assert result.ok and result.created == 3
    zhang = store.people_named("张三")[0]
    assert (zhang.position, zhang.division, zhang.username, zhang.approved) == (
        "handler", "综合处", "zhang_san", True)
    assert store.people_named("王强")[0].leads_divisions == ["综合处", "办公室"]
    assert store.people_named("王强")[0].telegram == 10002
    rows[0][2] = "项目管理处"
    result = import_people(store, csv_bytes(rows, header=PEOPLE_HEADER), "people.csv")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert store.people_named("张三")[0].division == "项目管理处"
    assert [e["field"] for e in store.person_history(zhang.id)][-1] == "division"


PEOPLE_BAD = [
    (["李四", "科员", "综合处", "", ""], "职务", "err.bad_choice"),
    (["李四", "承办人", "", "", ""], "处室", "err.person_needs_division"),
    (["李四", "分管领导", "", "", ""], "分管处室", "ledger.err.leader_needs_divisions"),
    (["李四", "承办人", "综合处", "", "@x"], "Telegram", "ledger.err.bad_telegram"),
    (["李四", "承办人", "综合处", "", "10002"], "Telegram", "ledger.err.telegram_repeated"),
    (["张三", "承办人", "综合处", "", ""], "姓名", "ledger.err.duplicate_person"),
    (["", "承办人", "综合处", "", ""], "姓名", "err.required"),
]


@pytest.mark.parametrize("bad,column,key", PEOPLE_BAD)
def test_bad_people_rows_are_reported_and_nothing_written(store, bad, column, key):
    rows = [["张三", "承办人", "综合处", "", ""], ["王强", "分管领导", "", "综合处", "10002"], bad]
    result = import_people(store, xlsx(rows, header=PEOPLE_HEADER), "people.xlsx")
    assert problems(result) == [(4, column, key)]
    assert store.people() == []


def test_a_telegram_account_linked_to_someone_else_is_refused(people_store):
    rows = [["新人", "承办人", "综合处", "", "10021"]]  # 张三's account
    result = import_people(people_store, xlsx(rows, header=PEOPLE_HEADER), "p.xlsx")
    assert problems(result) == [(2, "Telegram", "ledger.err.telegram_taken")]
    assert "张三" in result.problems[0].render("zh")


def test_people_import_reads_the_people_sheet_of_an_export(sample_store, store_factory):
    data = export_ledger(sample_store, today=TODAY)
    fresh = store_factory()
    result = import_people(fresh, data, "export.xlsx")
    assert result.created == len(sample_people())
    assert {(p.name, p.position, p.division, p.telegram) for p in fresh.people()} == {
        (p.name, p.position, p.division, p.telegram) for p in sample_people()}


def test_a_zip_bomb_is_refused_before_it_is_opened(people_store, monkeypatch):
    monkeypatch.setattr(ledger_read, "MAX_UNZIPPED", 1000)
    with pytest.raises(LedgerFileError) as info:
        import_ledger(people_store, xlsx(good_rows()), "c.xlsx", today=TODAY)
    assert info.value.key == "ledger.err.too_big"
