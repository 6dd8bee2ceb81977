"""The intent recogniser: typed questions (zh and en) and what they ask for."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.intents import INTENTS, QUERY_INTENTS, Intent, normalise, recognise

DIVISIONS = ("综合处", "项目管理处", "投资促进一处", "投资促进二处", "办公室")
PEOPLE = ("张三", "李四", "王五", "钱六", "马骏", "周敏")

# (typed text, expected intent, expected args); names known (DIVISIONS, PEOPLE) throughout
TABLE = [
    # -- overdue
    ("哪些超期了", "overdue", {}),
    ("哪些超期了?", "overdue", {}),
    ("哪些超期了?", "overdue", {}),
    ("有没有逾期的", "overdue", {}),
    ("有没有逾期的?", "overdue", {}),
    ("超期情况", "overdue", {}),
    ("现在有超期的吗", "overdue", {}),
    ("逾期件有哪些呢", "overdue", {}),
    ("请问 有 超期 的 吗 ?", "overdue", {}),
    ("帮我看看过期没办的", "overdue", {}),
    ("哪几件没按时办", "overdue", {}),
    ("超时了吗", "overdue", {}),
    ("综合处有哪些超期", "overdue", {"division": "综合处"}),
    ("张三有超期的吗", "overdue", {"person": "张三"}),
    ("我有哪些超期的", "overdue", {"mine": True}),
    ("帮我看看超期的", "overdue", {}),                 # "help me", not "mine"
    ("我们局超期情况", "overdue", {}),                 # the bureau, not "mine"
    ("what is overdue", "overdue", {}),
    ("What is overdue?", "overdue", {}),
    ("overdue?", "overdue", {}),
    ("OVERDUE", "overdue", {}),
    ("anything late?", "overdue", {}),
    ("which cases are past due", "overdue", {}),
    ("show me overdue items", "overdue", {}),
    ("/overdue", "overdue", {}),
    ("/overdue@duban_bot", "overdue", {}),
    ("/overdue 综合处", "overdue", {"division": "综合处"}),
    # -- due
    ("本周到期的", "due", {"period": "本周"}),
    ("本周到期的有哪些?", "due", {"period": "本周"}),
    ("下周要交什么", "due", {"period": "下周"}),
    ("下个星期要交什么呢", "due", {"period": "下个星期"}),
    ("6月30日前要办的", "due", {"period": "6月30日前"}),
    ("6月30号前要办的", "due", {"period": "6月30号前"}),
    ("6月30日前要办的", "due", {"period": "6月30日前"}),
    ("7天内到期", "due", {"period": "7天内"}),
    ("三天内要交的", "due", {"period": "三天内"}),
    ("月底前要交的", "due", {"period": "月底前"}),
    ("本月到期", "due", {"period": "本月"}),
    ("这周五前要交什么", "due", {"period": "这周五前"}),
    ("今天到期的", "due", {"period": "今天"}),
    ("哪些快到期了", "due", {"period": ""}),
    ("即将到期的件", "due", {"period": ""}),
    ("截止日期快到的有哪些", "due", {"period": ""}),
    ("3个工作日内到期", "due", {"period": "3个工作日内"}),
    ("7月中旬前要办的", "due", {"period": "7月中旬前"}),
    ("我下周要交什么", "due", {"period": "下周", "mine": True}),
    ("综合处本周到期的", "due", {"period": "本周", "division": "综合处"}),
    ("due this week", "due", {"period": "this week"}),
    ("what's due next week?", "due", {"period": "next week"}),
    ("What is due by June 30", "due", {"period": "by june 30"}),
    ("deadlines this month", "due", {"period": "this month"}),
    ("anything due within 7 days", "due", {"period": "within 7 days"}),
    ("upcoming deadlines", "due", {"period": ""}),
    ("/due", "due", {"period": ""}),
    ("/due 本周", "due", {"period": "本周"}),
    ("/due 6月30日前", "due", {"period": "6月30日前"}),
    ("/due next week", "due", {"period": "next week"}),
    # -- mine
    ("我的件", "mine", {}),
    ("我还有什么没办", "mine", {}),
    ("我手上还有哪些", "mine", {}),
    ("我负责的", "mine", {}),
    ("我的待办", "mine", {}),
    ("my cases", "mine", {}),
    ("mine", "mine", {}),
    ("what do I still have to do?", "mine", {}),
    ("/mine", "mine", {}),
    # -- one case
    ("/case 0484", "case", {"number": "0484"}),
    ("/case 第0484号", "case", {"number": "0484"}),
    ("0484进展如何", "case", {"number": "0484"}),
    ("0484怎么样了", "case", {"number": "0484"}),
    ("0484怎么样了?", "case", {"number": "0484"}),
    ("第0484号", "case", {"number": "0484"}),
    ("第0091号建议办得怎么样", "case", {"number": "0091"}),
    ("查看0308", "case", {"number": "0308"}),
    ("0484", "case", {"number": "0484"}),
    ("第0484号超期了吗", "case", {"number": "0484"}),
    ("how is case 484", "case", {"number": "484"}),
    ("status of 0091", "case", {"number": "0091"}),
    ("show #0308", "case", {"number": "0308"}),
    # -- search
    ("/find 招商", "find", {"keyword": "招商"}),
    ("/search 绿色食品", "find", {"keyword": "绿色食品"}),
    ("查一下绿色食品", "find", {"keyword": "绿色食品"}),
    ("搜索 招商引资", "find", {"keyword": "招商引资"}),
    ("有没有关于招商的建议", "find", {"keyword": "招商"}),
    ("找找大滇西环线", "find", {"keyword": "大滇西环线"}),
    ("关于营商环境的提案有哪些", "find", {"keyword": "营商环境"}),
    ("查一下杨艳芳", "find", {"keyword": "杨艳芳"}),
    ("find green food", "find", {"keyword": "green food"}),
    ("search for investment promotion", "find", {"keyword": "investment promotion"}),
    ("look up 省商务厅", "find", {"keyword": "省商务厅"}),
    # -- by division
    ("/division 综合处", "division", {"name": "综合处"}),
    ("综合处的情况", "division", {"name": "综合处"}),
    ("综合处怎么样", "division", {"name": "综合处"}),
    ("看看投资促进一处", "division", {"name": "投资促进一处"}),
    ("查一下项目管理处", "division", {"name": "项目管理处"}),
    ("division 综合处", "division", {"name": "综合处"}),
    # -- by person
    ("/person 张三", "person", {"name": "张三"}),
    ("张三手上有哪些", "person", {"name": "张三"}),
    ("李四的件", "person", {"name": "李四"}),
    ("王五负责的", "person", {"name": "王五"}),
    ("马骏在办的有几件", "person", {"name": "马骏"}),
    ("cases of 钱六", "person", {"name": "钱六"}),
    # -- progress
    ("/progress", "progress", {"year": None}),
    ("/progress 2020", "progress", {"year": 2020}),
    ("办理进度", "progress", {"year": None}),
    ("总体情况", "progress", {"year": None}),
    ("整体情况怎么样", "progress", {"year": None}),
    ("2020年办理进度", "progress", {"year": 2020}),
    ("2020年度统计", "progress", {"year": 2020}),
    ("今年办得怎么样", "progress", {"year": None}),
    ("按时答复率是多少", "progress", {"year": None}),
    ("一共多少件", "progress", {"year": None}),
    ("progress", "progress", {"year": None}),
    ("Progress 2020", "progress", {"year": 2020}),
    ("overview for 2020", "progress", {"year": 2020}),
    ("how are we doing?", "progress", {"year": None}),
    # -- help
    ("/help", "help", {}),
    ("/start", "help", {}),
    ("帮助", "help", {}),
    ("怎么用", "help", {}),
    ("你好", "help", {}),
    ("?", "help", {}),
    ("help", "help", {}),
    ("what can you do?", "help", {}),
    # -- the office's supervision lists
    ("哪些件还没协商?", "supervise", {"list": "unconsulted", "period": ""}),
    ("哪些件五定不全?", "supervise", {"list": "unfixed", "period": ""}),
    ("哪些件还没签收?", "supervise", {"list": "unsigned", "period": ""}),
    ("续办件怎么样了?", "supervise", {"list": "continuation", "period": ""}),
    ("待审核的有哪些?", "supervise", {"list": "reviews", "period": ""}),
    ("下个月到期的还没协商的", "supervise", {"list": "unconsulted", "period": "下个月"}),
    ("which cases are not consulted?", "supervise", {"list": "unconsulted", "period": ""}),
    ("which cases are unsigned", "supervise", {"list": "unsigned", "period": ""}),
    ("what reviews are pending?", "supervise", {"list": "reviews", "period": ""}),
    ("/unsigned", "supervise", {"list": "unsigned", "period": ""}),
    ("/continuation 本季度", "supervise", {"list": "continuation", "period": "本季度"}),
    ("/requests", "requests", {}),
    ("有哪些申请待审批", "requests", {}),
    ("pending requests", "requests", {}),
]


@pytest.mark.parametrize(("text", "name", "args"), TABLE, ids=[row[0] for row in TABLE])
def test_typed_questions(text, name, args):
    intent = recognise(text, divisions=DIVISIONS, people=PEOPLE)
    assert (intent.name, intent.args) == (name, args), intent.explain
    assert intent.explain
    assert 0 < intent.confidence <= 1


def test_table_is_large_and_bilingual():
    latin = [row for row in TABLE if row[0].isascii() and not row[0].startswith("/")]
    chinese = [row for row in TABLE if not row[0].isascii() and not row[0].startswith("/")]
    assert len(TABLE) >= 80 and len(latin) >= 25 and len(chinese) >= 60
    assert {row[1] for row in TABLE} == set(INTENTS) - {"unknown"}


# names not known: guessed from their shape
GUESSED = [
    ("综合处的情况", "division", {"name": "综合处"}),
    ("看看综合处的情况", "division", {"name": "综合处"}),
    ("财务处有什么件", "division", {"name": "财务处"}),
    ("张三手上有哪些", "person", {"name": "张三"}),
    ("看看欧阳小明负责的", "person", {"name": "欧阳小明"}),
    ("王五的件", "person", {"name": "王五"}),
    ("综合处有哪些超期", "overdue", {"division": "综合处"}),
    ("查一下张三", "find", {"keyword": "张三"}),
    ("查张三的件", "person", {"name": "张三"}),
    ("办公室的情况", "division", {"name": "办公室"}),
    ("好处", "unknown", {"text": "好处"}),
]


@pytest.mark.parametrize(("text", "name", "args"), GUESSED, ids=[row[0] for row in GUESSED])
def test_names_guessed_without_lists(text, name, args):
    intent = recognise(text)
    assert (intent.name, intent.args) == (name, args), intent.explain


@pytest.mark.parametrize("text", ["天气不错", "", "   ", "……", "谢谢", "/frobnicate", "asdf qwer",
                                  "绿色食品"])
def test_not_understood_suggests_three_commands(text):
    intent = recognise(text)
    assert intent.name == "unknown" and intent.confidence == 0
    assert len(intent.suggestions) == 3 and len(set(intent.suggestions)) == 3
    assert set(intent.suggestions) <= set(QUERY_INTENTS)


def test_suggestions_follow_the_words():
    assert recognise("绿色食品").suggestions[0] == "find"      # looks like a keyword
    assert recognise("/overdu").suggestions[0] == "overdue"    # a mistyped command
    assert recognise("超斯").suggestions[0] == "overdue"       # one character of 超期 right
    assert recognise("").suggestions == ("overdue", "due", "mine")


def test_normalise():
    assert normalise("哪些超期了?") == "哪些超期"
    assert normalise("ＯＶＥＲＤＵＥ？") == "overdue"
    assert normalise("6/30前!") == "6/30前"
    assert normalise("0484怎么样了呢。") == "0484怎么样"
    assert normalise("\u3000本周 到期  的 ") == "本周 到期 的"


def test_full_width_and_half_width_agree():
    for a, b in [("哪些超期了?", "哪些超期了?"), ("/case ０４８４", "/case 0484"),
                 ("ＷＨＡＴ ＩＳ ＯＶＥＲＤＵＥ", "what is overdue"), ("７天内到期", "7天内到期")]:
        x, y = recognise(a), recognise(b)
        assert (x.name, x.args) == (y.name, y.args)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_never_raises_always_an_intent(text):
    intent = recognise(text, divisions=DIVISIONS, people=PEOPLE)
    assert isinstance(intent, Intent) and intent.name in INTENTS
    assert isinstance(intent.args, dict) and isinstance(intent.explain, str)
    if intent.name == "unknown":
        assert len(intent.suggestions) == 3


_PIECES = st.sampled_from(["超期", "本周", "到期", "我的", "0484", "第", "号", "吗", "?", " ",
                           "综合处", "张三", "查一下", "招商", "进度", "2020年", "overdue",
                           "due", "this week", "/", "了", "呢", "、", "7天内", "find"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=8).map("".join))
def test_never_raises_on_plausible_mixtures(text):
    intent = recognise(text, divisions=DIVISIONS, people=PEOPLE)
    assert intent.name in INTENTS
    if intent.name == "case":
        assert intent.args["number"]
    if intent.name == "due":
        assert isinstance(intent.args["period"], str)


def test_due_periods_are_read_by_the_dates_module():
    import datetime as dt

    from bot.domain.dates import parse_period

    periods = {recognise(text, DIVISIONS, PEOPLE).args["period"]
               for text, name, _ in TABLE if name == "due"} - {""}
    assert len(periods) >= 15
    for period in periods:
        start, end = parse_period(period, dt.date(2020, 6, 10))
        assert start <= end, period
