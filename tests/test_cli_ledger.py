"""``duban import / export / report / people import / people list`` on a data directory."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.cmd.ledger import ProgressBar
from bot.sample import sample_cases, sample_people
from data.ledger_write import ledger_workbook, people_workbook
from data.store import Store

CSV_PEOPLE = ("姓名,职务,处室,分管处室,Telegram\n张三,承办人,综合处,,@zhangsan\n"
              "王强,分管领导,,综合处、办公室,10002\n")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    path = tmp_path / "var"
    monkeypatch.setenv("DUBAN_DATA_DIR", str(path))
    return path


@pytest.fixture
def files(tmp_path):
    cases = tmp_path / "cases.xlsx"
    cases.write_bytes(ledger_workbook(sample_cases(), today=dt.date(2020, 11, 1)))
    people = tmp_path / "people.xlsx"
    people.write_bytes(people_workbook(sample_people()))
    return {"cases": cases, "people": people}


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_people_import_and_list(data_dir, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text(CSV_PEOPLE, encoding="utf-8-sig")
    code, out, _ = run(capsys, "people", "import", str(path))
    assert code == 0 and "新增 2 人" in out
    code, out, _ = run(capsys, "people", "list")
    assert code == 0 and "张三\t承办人\t综合处\t@zhangsan" in out and "共 2 人" in out
    code, out, _ = run(capsys, "people", "list", "--lang", "en")
    assert "王强\tleader in charge\t综合处、办公室\t10002" in out


def test_people_import_reports_bad_rows(data_dir, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text(CSV_PEOPLE + "李四,承办人,,,\n赵六,科员,综合处,,\n", encoding="utf-8")
    code, out, _ = run(capsys, "people", "import", str(path))
    assert code == 1 and "第4行“处室" in out and "第5行“职务" in out
    code, out, _ = run(capsys, "people", "list")
    assert "人员名单是空的" in out


def test_import_export_report(data_dir, files, tmp_path, capsys):
    assert run(capsys, "people", "import", str(files["people"]))[0] == 0
    code, out, _ = run(capsys, "import", str(files["cases"]), "--dry-run")
    assert code == 0 and "新增 25 件" in out and "试运行" in out
    code, out, _ = run(capsys, "import", str(files["cases"]), "--who", "周敏")
    assert code == 0 and "新增 25 件" in out
    code, out, _ = run(capsys, "import", str(files["cases"]), "--lang", "en")
    assert code == 0 and "25 unchanged" in out

    out_file = tmp_path / "out.xlsx"
    code, out, _ = run(capsys, "export", "--year", "2020", str(out_file))
    assert code == 0 and "已导出 25 件" in out
    book = load_workbook(out_file)
    assert book.sheetnames == ["台账", "历史", "人员"] and book["台账"].max_row == 26
    assert run(capsys, "export", "--year", "2019", str(out_file))[1].startswith("已导出 0 件")

    code, out, _ = run(capsys, "report", "--year", "2020", "--unit", "省投资促进局")
    assert code == 0
    assert out.startswith("2020年,省投资促进局承办省十三届人大三次会议人大代表建议8件")
    report = tmp_path / "report.xlsx"
    code, out, err = run(capsys, "report", "--year", "2020", "--json", "--xlsx", str(report))
    figures = json.loads(out)
    assert figures["kinds"]["suggestion"]["total"] == 8
    assert figures["kinds"]["proposal"]["co"] == 13
    assert figures["continuation_closed"] == 4
    assert report.exists() and "report.xlsx" in err


def test_bad_rows_exit_1_and_write_nothing_unless_partial(data_dir, files, tmp_path, capsys):
    run(capsys, "people", "import", str(files["people"]))
    bad = tmp_path / "bad.csv"
    bad.write_text("类型,编号,年度,标题,办理方式,承办人\n建议,0484,2020,标题一,主办,张三\n"
                   "建议,0485,2020,标题二,主持,张三\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", str(bad))
    assert code == 1 and "第3行“办理方式(E)”列" in out and "未导入任何数据" in out
    code, out, _ = run(capsys, "import", str(bad), "--partial", "--lang", "en")
    assert code == 1 and "1 new cases" in out and "row 3" in out
    with Store.open(data_dir, readonly=True) as store:
        assert [c.number for c in store.cases()] == ["0484"]


def test_unreadable_file_and_locked_store(data_dir, tmp_path, capsys):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 garbage")
    code, _, err = run(capsys, "import", str(broken))
    assert code == 2 and "文件已损坏" in err and "Traceback" not in err
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("类型,编号\n建议,0484\n".encode("gbk"))
    code, _, err = run(capsys, "import", str(gbk), "--lang", "en")
    assert code == 2 and "not UTF-8" in err
    code, _, err = run(capsys, "import", str(tmp_path / "missing.xlsx"))
    assert code == 2 and "missing.xlsx" in err
    holder = Store.open(data_dir)
    try:
        path = tmp_path / "people.csv"
        path.write_text(CSV_PEOPLE, encoding="utf-8")
        code, _, err = run(capsys, "people", "import", str(path))
        assert code == 3 and err
    finally:
        holder.close()


def test_progress_bar_draws_on_long_files_only():
    stream = io.StringIO()
    bar = ProgressBar("zh", stream, force=True, min_total=100)
    bar("check", 50, 99)
    assert stream.getvalue() == ""
    bar("check", 200, 400)
    bar("check", 400, 400)
    text = stream.getvalue()
    assert "检查 [" in text and "400/400\n" in text
    assert "#" * 30 in text


# ---------------------------------------------------------------- merging a re-import

MERGE_CSV_HEADER = ("类型,编号,年度,会次,标题,办理方式,承办处室,办理任务,承办人,办理时限,"
                    "办理要求,交办日期,状态\n")
MERGE_ROW = ("建议,0484,2020,省十三届人大三次会议,关于招商引资工作的建议,主办,综合处,{task},"
             "张三,2020-07-10,先协商后答复,2020-04-10,办理中\n")


def _merge_setup(data_dir, files, tmp_path, capsys):
    run(capsys, "people", "import", str(files["people"]))
    april = tmp_path / "april.csv"
    april.write_text(MERGE_CSV_HEADER + MERGE_ROW.format(task="研究办理"), encoding="utf-8")
    assert run(capsys, "import", str(april))[0] == 0
    with Store.open(data_dir) as store:               # work done in chat meanwhile
        case = store.find_by_number("0484")[0]
        case.stage, case.reply_class, case.handler = "answered", "A", "李四"
        case.clocks["reply"].met = "2020-06-20"
        store.save_case(case, "张三")
    again = tmp_path / "again.csv"
    again.write_text(MERGE_CSV_HEADER + MERGE_ROW.format(task=""), encoding="utf-8")
    return again


def _case_0484(data_dir):
    with Store.open(data_dir, readonly=True) as store:
        case = store.find_by_number("0484")[0]
        return case, len(store.history(case.id))


def test_cli_import_applies_the_rest_and_lists_every_conflict(data_dir, files, tmp_path, capsys):
    again = _merge_setup(data_dir, files, tmp_path, capsys)
    before, events = _case_0484(data_dir)
    code, out, _ = run(capsys, "import", str(again), "--dry-run")
    assert code == 0 and "试运行" in out and "冲突 2 处(涉及 1 件)" in out
    assert "“状态”:现为 已答复,表格为 办理中(状态倒退)" in out
    assert "“承办人”:现为 李四,表格为 张三" in out
    assert _case_0484(data_dir)[1] == events
    code, out, _ = run(capsys, "import", str(again), "--lang", "en")
    assert code == 0 and "2 conflicts in 1 case" in out and "now 李四, the file says 张三" in out
    case, count = _case_0484(data_dir)
    assert (case.stage, case.handler, case.task, count) == ("answered", "李四", "研究办理", events)
    code, out, _ = run(capsys, "import", str(again), "--overwrite", "--who", "周敏")
    assert code == 0 and "已按表格覆盖" in out and "更新 1 件" in out
    case, count = _case_0484(data_dir)
    assert (case.stage, case.handler, case.task, case.reply_class) == (
        "in_progress", "张三", "研究办理", "A")
    with Store.open(data_dir, readonly=True) as store:
        last = store.history(case.id)[-1]
    assert last.who == "周敏" and last.note == "导入 again.csv 第2行(按表格覆盖冲突)"


def test_cli_numbers_warnings_formulas_and_dates(data_dir, files, tmp_path, capsys):
    from openpyxl import Workbook

    run(capsys, "people", "import", str(files["people"]))
    book = Workbook()
    ws = book.active
    ws.append(["类型", "编号", "年度", "会次", "标题", "办理方式", "承办处室", "承办人", "办理时限",
               "交办日期", "状态"])
    ws.append(["建议", "0484", 2020, "会", "标题一", "主办", "综合处", "张三", "2020-07-10",
               "2020-04-10", "已答复"])
    ws.append(["建议", 602, 2020, "会", "标题二", "主办", "外事处", "张三", "2020-03-01",
               "2020-04-10", "交办"])
    path = tmp_path / "cases.xlsx"
    book.save(path)
    code, out, _ = run(capsys, "import", str(path))
    assert code == 0 and "新增 2 件" in out
    assert "编号 602 按本年度编号的位数补零为 0602" in out
    assert "没有答复日期:按已答复、日期不详导入" in out
    assert "外事处" in out and "早于交办日期" in out
    with Store.open(data_dir, readonly=True) as store:
        assert sorted(c.number for c in store.cases()) == ["0484", "0602"]
    ws.append(["建议", "0603", 2020, "会", "标题三", "主办", "综合处", "张三", "=TODAY()",
               "2020-06-31", ""])
    book.save(path)
    code, out, _ = run(capsys, "import", str(path), "--lang", "en")
    assert code == 1 and "formula “=TODAY()”" in out
    assert "does not exist: month 6 has 30 days" in out


def test_cli_people_import_links_the_admin_made_at_start(data_dir, tmp_path, capsys):
    from bot.app import ensure_admin

    with Store.open(data_dir) as store:
        ensure_admin(store, 777001)
    path = tmp_path / "people.csv"
    path.write_text("姓名,职务,处室,分管处室,Telegram\n周敏,办公室,办公室,,777001\n",
                    encoding="utf-8")
    code, out, _ = run(capsys, "people", "import", str(path))
    assert code == 0 and "更新 1 人" in out and "已关联到本行的周敏" in out
    code, out, _ = run(capsys, "people", "list")
    assert "周敏\t办公室\t办公室\t777001" in out and "共 1 人" in out


def test_cli_export_then_import_changes_nothing(data_dir, files, tmp_path, capsys):
    run(capsys, "people", "import", str(files["people"]))
    run(capsys, "import", str(files["cases"]))
    out_file = tmp_path / "out.xlsx"
    assert run(capsys, "export", "--year", "2020", str(out_file))[0] == 0
    code, out, _ = run(capsys, "import", str(out_file))
    assert code == 0 and "无变化 25 件" in out and "冲突" not in out
