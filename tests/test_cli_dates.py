"""``duban date``, ``duban calendar`` and ``duban rules``, run as the command line runs them."""

import subprocess
import sys

import pytest

from bot.cli import main


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    path = tmp_path / "var"
    monkeypatch.setenv("DUBAN_DATA_DIR", str(path))
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


# ---------------------------------------------------------------- the examples


def test_date_next_friday(capsys):
    assert run(capsys, "date", "下周五", "--today", "2020-05-20") == (0, "2020-05-29", "")


def test_calendar_add_workdays_across_national_day(capsys):
    assert run(capsys, "calendar", "add-workdays", "2020-09-25", "15") == (0, "2020-10-22", "")


def test_calendar_is_workday(capsys):
    assert run(capsys, "calendar", "is-workday", "2020-10-10") == (0, "workday", "")
    assert run(capsys, "calendar", "is-workday", "2020-10-08") == (0, "holiday", "")


def test_bad_phrase_exits_non_zero_with_the_reason_on_stderr(capsys):
    code, out, err = run(capsys, "date", "随便哪天", "--today", "2020-05-20")
    assert code != 0 and out == ""
    assert "随便哪天" in err and "6月30日前" in err
    code, out, err = run(capsys, "date", "blah", "--today", "2020-05-20", "--lang", "en")
    assert code != 0 and "Could not read" in err


def test_console_script_entry_point(data_dir):
    done = subprocess.run([sys.executable, "-m", "bot.cli", "date", "3天前",
                           "--today", "2020-05-20"],
                          capture_output=True, text=True, env={"DUBAN_DATA_DIR": str(data_dir),
                                                               "PATH": "/usr/bin:/bin"})
    assert done.returncode == 2 and done.stdout == ""
    assert "3天内" in done.stderr


# ---------------------------------------------------------------- more of the same


def test_date_find_and_period(capsys):
    assert run(capsys, "date", "--find", "请于6月30日前提交会办意见", "--today", "2020-05-20") == (
        0, "2020-06-30", "")
    assert run(capsys, "date", "--period", "本周", "--today", "2020-05-20") == (
        0, "2020-05-18 2020-05-24", "")
    code, _, err = run(capsys, "date", "--find", "统一办理", "--today", "2020-05-20")
    assert code == 2 and err


def test_estimated_year_is_flagged_on_stderr(capsys):
    code, out, err = run(capsys, "date", "10个工作日后", "--today", "2026-12-25")
    assert (code, out) == (0, "2027-01-08")
    assert err == "2027年节假日安排尚未发布,按周一至周五估算"
    code, out, err = run(capsys, "calendar", "is-workday", "2027-01-01", "--lang", "en")
    assert (code, out) == (0, "workday") and "2027" in err and "estimated" in err


def test_workdays_between(capsys):
    assert run(capsys, "calendar", "workdays-between", "2020-09-25", "2020-10-22") == (0, "15", "")
    assert run(capsys, "calendar", "workdays-between", "2020-10-22", "2020-09-25") == (0, "-15", "")


def test_calendar_show_official_year(capsys):
    code, out, _ = run(capsys, "calendar", "show", "2020")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("2020年工作日共249天")
    assert any(line.startswith("2020-10-10 周六 上班 国庆节调休上班") for line in lines)
    assert any(line.startswith("2020-10-01 周四 放假 国庆节") for line in lines)


def test_calendar_show_estimated_year(capsys):
    code, out, _ = run(capsys, "calendar", "show", "2027")
    assert code == 0 and "按周一至周五估算" in out


def test_bad_dates_on_the_calendar_commands(capsys):
    code, out, err = run(capsys, "calendar", "is-workday", "2020-02-30")
    assert code == 2 and out == "" and err
    code, out, err = run(capsys, "date", "下周五", "--today", "yesterday")
    assert code == 2 and "yesterday" in err


def test_period_with_working_days_in_an_estimated_year(capsys):
    code, out, err = run(capsys, "date", "--period", "10个工作日内", "--today", "2026-12-25")
    assert (code, out) == (0, "2026-12-25 2027-01-08")
    assert err == "2027年节假日安排尚未发布,按周一至周五估算"
    code, out, err = run(capsys, "date", "--period", "下周", "--today", "2026-12-25")
    assert (code, out, err) == (0, "2026-12-28 2027-01-03", "")


# ---------------------------------------------------------------- stored overrides and rules


def test_calendar_override_is_stored_and_takes_precedence(capsys, data_dir):
    code, out, _ = run(capsys, "calendar", "set", "2020-10-10", "holiday", "单位调休")
    assert code == 0 and "2020-10-10" in out
    assert run(capsys, "calendar", "is-workday", "2020-10-10") == (0, "holiday", "")
    assert run(capsys, "calendar", "add-workdays", "2020-09-25", "15") == (0, "2020-10-23", "")
    assert run(capsys, "date", "6个工作日后", "--today", "2020-09-25") == (0, "2020-10-12", "")
    code, out, _ = run(capsys, "calendar", "show", "2020")
    assert "2020-10-10 周六 放假 单位调休(管理员调整)" in out.splitlines()
    from data.store import Store

    store = Store.open(data_dir, readonly=True)
    try:
        assert store.get_setting("calendar") == {
            "2020-10-10": {"kind": "holiday", "name": "单位调休"}}
    finally:
        store.close()
    assert run(capsys, "calendar", "unset", "2020-10-10")[0] == 0
    assert run(capsys, "calendar", "is-workday", "2020-10-10") == (0, "workday", "")
    code, _, err = run(capsys, "calendar", "unset", "2020-10-10")
    assert code == 1 and "2020-10-10" in err


def test_entering_next_years_schedule_ends_the_estimate(capsys):
    code, out, _ = run(capsys, "calendar", "set", "2027-01-01", "holiday", "元旦")
    assert code == 0 and "2027年" in out and "不再按周一至周五估算" in out
    assert run(capsys, "calendar", "is-workday", "2027-01-01") == (0, "holiday", "")
    assert run(capsys, "calendar", "is-workday", "2027-01-04") == (0, "workday", "")
    code, out, err = run(capsys, "date", "10个工作日后", "--today", "2026-12-25")
    assert (code, out, err) == (0, "2027-01-11", "")
    code, out, _ = run(capsys, "calendar", "show", "2027", "--lang", "en")
    assert "2027-01-01 Fri holiday 元旦 (admin override)" in out.splitlines()
    assert "estimated" not in out


def test_calendar_set_refuses_bad_input(capsys):
    code, out, err = run(capsys, "calendar", "set", "2020-02-30", "holiday")
    assert code == 2 and out == "" and "2020-02-30" in err
    with pytest.raises(SystemExit):
        main(["calendar", "set", "2020-10-10", "weekend"])
    capsys.readouterr()


def test_rules_show_defaults_and_set_per_year(capsys):
    code, out, _ = run(capsys, "rules", "show")
    assert code == 0
    assert "会(协)办意见截止(月-日):06-30  [opinion_due]" in out
    assert "逐级督办(级别:逾期工作日数):1:1,2:3,3:5,4:10  [escalation]" in out
    code, out, _ = run(capsys, "rules", "set", "--year", "2020", "opinion_due", "6-25")
    assert code == 0 and "06-25" in out and "2020年" in out
    assert "06-25  [opinion_due]" in run(capsys, "rules", "show", "--year", "2020")[1]
    assert "06-30  [opinion_due]" in run(capsys, "rules", "show", "--year", "2021")[1]
    code, out, _ = run(capsys, "rules", "set", "remind_offsets", "7, 3, 1", "--lang", "en")
    assert code == 0 and "every year" in out and "7,3,1" in out
    assert "7,3,1  [remind_offsets]" in run(capsys, "rules", "show", "--year", "2021")[1]
    assert "06-25  [opinion_due]" in run(capsys, "rules", "show", "--year", "2020")[1]


def test_rules_set_refuses_bad_values_and_keeps_the_table(capsys, data_dir):
    code, out, err = run(capsys, "rules", "set", "--year", "2020", "escalation", "1:5,2:3,3:5,4:10")
    assert code == 2 and out == "" and "escalation" in err
    code, _, err = run(capsys, "rules", "set", "deadline", "3")
    assert code == 2 and "opinion_due" in err
    from data.store import Store

    store = Store.open(data_dir, readonly=True)
    try:
        assert store.get_setting("rules", {}) == {}
    finally:
        store.close()


def test_writes_wait_for_the_lock_but_questions_do_not(capsys, data_dir):
    from data.store import Store

    holder = Store.open(data_dir)  # the running bot holds the data directory
    try:
        code, out, err = run(capsys, "calendar", "set", "2020-10-10", "holiday")
        assert code == 3 and out == "" and err
        assert run(capsys, "calendar", "is-workday", "2020-10-10") == (0, "workday", "")
        assert run(capsys, "rules", "show")[0] == 0
    finally:
        holder.close()


def test_command_line_changes_are_recorded_under_the_operator(capsys, data_dir):
    import getpass

    from bot.cmd.common import operator
    from data.store import Store

    assert operator() == f"{getpass.getuser()}(命令行)"
    code, _, _ = run(capsys, "rules", "set", "--year", "2020", "warn_workdays", "4")
    assert code == 0
    with Store.open(data_dir, readonly=True) as store:
        assert store.setting_history("rules")[-1]["who"] == operator()
