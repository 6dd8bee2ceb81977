"""``duban console --sample``, as a newcomer starts it: the demo's own working morning."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.e2e


def console(*args: str, script: str) -> str:
    done = subprocess.run([sys.executable, "-m", "bot.cli", "console", "--sample", *args],
                          input=script, capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_sample_console_starts_on_a_working_morning_of_the_demo_year_and_says_so():
    out = console(script="哪些超期了?\n/case 0484\n")
    assert "时钟设在 2020-06-29 09:00" in out
    # the first question meets the demo as it stood that morning: the opinions due tomorrow
    assert "下一个到期:0312" in out and "6月30日" in out
    assert "关于招商引资工作的建议" in out


def test_now_moves_the_demo_and_no_notice_is_given():
    out = console("--now", "2020-07-08T09:00", script="哪些超期了?\n")
    assert "时钟设在" not in out
    # the demo as it stood on July 8: the opinions are in, publishing is next
    assert "下一个到期:0484" in out and "7月15日" in out
