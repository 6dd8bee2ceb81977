"""Case text said once: escaping, cutting, titles, stages and clock states (bot.domain.present)."""

from bot.domain import present
from bot.domain.model import Case
from bot.texts import t


def _case(**kw) -> Case:
    base = {"kind": "suggestion", "number": "0484", "year": 2020,
            "title": "关于招商引资<工作>的建议", "role": "co"}
    base.update(kw)
    return Case(**base)


def test_one_wording_per_clock_state():
    assert present.clock_state(-5, 3, "zh") == "超期5天(3个工作日)"
    assert present.clock_state(0, 0, "zh") == "今天到期"
    assert present.clock_state(1, 0, "zh") == "明天到期"
    assert present.clock_state(12, 0, "zh") == "还有12天"
    assert present.done_state("2020-06-28", "zh") == "2020-06-28完成"
    assert present.done_state("", "zh") == present.undated("zh") == "日期不详"
    assert present.clock_state(-1, 1, "en") == "1 day overdue (1 working day)"
    assert present.clock_state(-8, 6, "en") == "8 days overdue (6 working days)"
    assert present.clock_state(2, 0, "en") == "2 days left"


def test_titles_lines_and_stages_are_escaped_and_cut_alike():
    case = _case()
    assert present.case_title(case, "zh") == "建议 第0484号"
    assert present.case_line(case, "zh") == "建议0484 招商引资&lt;工作&gt;"
    assert present.case_line(case, "zh", width=5) == "建议0484 招商引资…"
    case.stage = "answered"
    assert present.stage_label(case, "zh") == "已提交意见"
    assert present.esc('a<b>&"c"') == 'a&lt;b&gt;&amp;"c"'


def test_fit_cuts_at_a_line_and_says_so():
    lines = [f"line {i:04d}" for i in range(1000)]
    text = present.fit(lines, 100)
    assert len(text) <= 100 and text.endswith("\n…")
    assert text.split("\n")[:-1] == lines[: len(text.split("\n")) - 1]
    assert present.fit("\n".join(lines), 100) == text
    assert present.fit("short\ntext") == "short\ntext"
    long = present.fit("x" * 5000)
    assert len(long) == present.TELEGRAM_LIMIT and long.endswith("…")


def test_plural_words_follow_the_count():
    assert t("state.left", "en", days=1) == "1 day left"
    assert t("state.left", "en", days=3) == "3 days left"
    assert t("state.left", "zh", days=1) == "还有1天"


def test_counts_are_said_in_english_with_their_plural():
    assert t("remind.summary_none_late", "en", n=1) == "1 case needs your attention."
    assert t("remind.summary_none_late", "en", n=2) == "2 cases need your attention."
    assert t("q.progress_total", "en", total=1, open=1, overdue=0) == "1 case: 1 open, 0 overdue"
    assert t("card.n_consultations", "en", n=1) == "1 consultation"
