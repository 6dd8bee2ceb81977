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
    done = subprocess.run([sys.executable, "-m", "bot.cli", "date", "3天前", "--today", "2020-05-20"],
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
