"""What a typed question asks: a rules-and-dictionary intent recogniser, zh and en.

``recognise(text, divisions=(), people=())`` maps a command (``/due 本周``) or free text
(``下周要交什么``, ``0484进展如何``, ``what is overdue?``) to an :class:`Intent` naming one of
the supervision queries with its arguments. No model, no network: the text is normalised
(full-width to half-width, case-folded, punctuation dropped, sentence particles 吗/呢/了/啊
stripped), the *entities* are taken out (a period, a year, a case number, a known division
or person, "mine"), the *cue words* of each query are looked up in small dictionaries, and a
fixed order of rules decides. ``Intent.explain`` says which rule fired and on what.

Intents and their arguments (keys are always present):

=========  =============================================================================
overdue    optional filters: ``division``, ``person`` (names as found), ``mine`` (True)
due        ``period``: the period as typed ("本周", "6月30日前", "7天内", "this week"; ""
           when none was given: the handler's default), plus the same optional filters
mine       (none)
case       ``number``: the case number as typed, leading zeros kept ("0484")
find       ``keyword``
division   ``name``
person     ``name``
progress   ``year``: an int, or None for the current year
supervise  ``list``: one of :data:`SUPERVISION_LISTS` (还没协商, 五定不全, 还没签收, 续办件,
           待审核), plus the optional ``period`` as typed ("国庆节后到期的", "下个月")
requests   (none): pending join requests, extension requests and reviews
help       (none)
unknown    ``text``: the normalised text; ``suggestions``: the three likeliest intents
=========  =============================================================================
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

#: every intent the recogniser can return
INTENTS = ("overdue", "due", "mine", "case", "find", "division", "person", "progress", "help",
           "supervise", "requests", "unknown")
#: the office's supervision lists (签收, 督办单, 审核, lights), and their commands
SUPERVISION_LISTS = ("unconsulted", "unfixed", "unsigned", "continuation", "reviews")
#: the query intents, in the order suggestions fall back to
QUERY_INTENTS = ("overdue", "due", "mine", "find", "progress", "case", "division", "person")

#: bot commands (without the slash) and the intent each stands for
COMMANDS = {
    "overdue": "overdue", "due": "due", "mine": "mine", "case": "case", "find": "find",
    "search": "find", "division": "division", "person": "person", "progress": "progress",
    "help": "help", "start": "help",
    **{name: "supervise" for name in SUPERVISION_LISTS}, "requests": "requests",
}


@dataclass(frozen=True)
class Intent:
    """A recognised question: the query ``name``, its ``args``, and why."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)
    #: 1.0 for a command, lower for free text, 0 for unknown
    confidence: float = 1.0
    #: which rule fired, on which words (for logs and for "why did it answer that?")
    explain: str = ""
    #: for ``unknown``: the three likeliest query intents, best first
    suggestions: tuple[str, ...] = ()


# ---------------------------------------------------------------- dictionaries

_OVERDUE = ("超期", "逾期", "过期", "超时", "延误", "拖期", "误期", "超过期限", "超过时限",
            "过了期限", "过了截止", "晚交", "没按时", "未按时", "没有按时", "拖延", "滞后",
            "overdue", "late", "past due", "past deadline", "missed", "delayed", "behind")
_DUE_STRONG = ("到期", "截止", "临期", "期限", "due", "deadline", "upcoming", "coming up",
               "expiring", "expire")
_DUE_WEAK = ("要交", "要办", "要完成", "要提交", "要答复", "该交", "应交", "需要交", "需交",
             "交什么", "办什么", "待办", "快到", "即将", "to do", "todo", "to submit")
_MINE = ("我的", "我还", "我手上", "我手里", "我名下", "我负责", "我承办", "我要交", "我要办",
         "我要做", "我要完成", "我办", "我没", "我有", "我这", "给我的", "轮到我", "分给我",
         "my", "mine", "i have", "i still", "do i", "for me", "to me", "on me")
_CASE = ("进展", "进度", "怎么样", "如何", "情况", "状态", "详情", "查看", "看看", "办到哪",
         "到哪", "case", "status", "details", "show", "how is", "progress", "no")
_FIND = ("查一下", "查一查", "查查", "查找", "查询", "搜索", "搜一下", "搜搜", "搜", "找一下",
         "找找", "找", "查", "有没有关于", "关于", "有关", "涉及", "相关", "含有", "包含",
         "search for", "search", "find", "look up", "look for", "lookup", "about",
         "related to", "containing", "mentioning")
_PROGRESS = ("办理进度", "总体", "整体", "总的", "全局", "统计", "汇总", "总结", "概况", "概览",
             "完成情况", "办理情况", "办得怎么样", "完成率", "按时率", "办结率", "答复率",
             "多少件", "几件", "一共", "总共", "进度", "情况", "年度", "progress", "overview",
             "summary", "stats", "statistics", "how are we doing", "overall", "report",
             "totals", "how many", "dashboard")
_HELP = ("帮助", "怎么用", "如何使用", "使用说明", "说明", "命令", "能做什么", "会什么", "功能",
         "菜单", "你好", "您好", "在吗", "help", "commands", "menu", "what can you do",
         "how do i use", "hello", "hi", "hey", "start")
#: cue words of the supervision lists and of /requests (checked before the other rules)
_SUPERVISION = {
    "unconsulted": ("还没协商", "没有协商", "未协商", "没协商", "尚未协商", "未面商", "没面商",
                    "not consulted", "no consultation", "unconsulted", "without consultation"),
    "unfixed": ("五定不全", "五定不齐", "五定未落实", "五定没落实", "缺五定", "五定缺",
                "没交办", "未交办", "five fixes", "fixes incomplete", "incomplete fixes",
                "unfixed"),
    "unsigned": ("还没签收", "没有签收", "未签收", "没签收", "尚未签收", "签收", "unsigned",
                 "not signed"),
    "reviews": ("待审核", "未审核", "没审核", "等待审核", "审核", "pending review",
                "awaiting review", "reviews", "to review"),
    "continuation": ("续办件", "续办续复", "续办", "续复", "continuation", "follow-up",
                     "follow up", "followup"),
}
_REQUESTS = ("待审批", "待处理的申请", "申请", "pending requests", "requests", "approvals")
_PERSON_CUES = ("手上", "手里", "名下", "负责的", "承办的", "在办", "的件", "办的", "的案子",
                "的任务")

#: words that carry no meaning of their own; removed before taking a keyword or a name
_FILLER = ("请问", "请帮我", "帮我", "帮忙", "我要", "我想", "想要", "我需要", "麻烦", "给我",
           "一下", "看看", "看下", "瞧瞧",
           "有没有", "有哪些", "哪些", "有什么", "什么", "哪几件", "哪个", "哪件", "所有", "全部",
           "相关的", "方面的", "标题含",
           "please", "show me", "show", "me", "the", "any", "anything", "all", "cases",
           "case", "items", "with", "for", "of", "a", "an", "is", "are", "what", "which",
           "there", "some")

_PARTICLES = "吗呢了啊吧呀嘛哦"

#: surnames that start a guessed name (common ones; characters that are also everyday
#: words, such as 查 和 时 于 向 文 安, are left out so that "查张三的件" finds 张三)
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容", "司徒",
                      "尉迟")
_SURNAME_CHARS = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵钱严覃武戴莫孔汤温康施牛樊葛邢乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿兰焦俞"
    "柳祝舒阮柯纪梅凌毕裴霍涂苗盛翁冉骆蓝路游辛靳柴鲍喻祁蒲房滕"
    "屈饶牟艾尤阳穆农卓吉缪芦麦褚娄窦戚岑党宫卜晏席卫柏宗瞿桂佟臧闵苟邬卞姬仇栾隋刁沙荣巫寇桑"
    "郎甄丛仲虞敖巩佘池麻苑迟邝"
)

_CN_DIGITS = "一二两三四五六七八九十"
_MONTHS_EN = ("january|february|march|april|may|june|july|august|september|october|november|"
              "december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_WEEKDAYS_EN = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"

_BEFORE = r"(?:之前|以前|前|为止|内|之内|以内)?"
_AFTER_WORDS = r"(?:以后|之后|后|起)"
_PERIOD_RE = re.compile(
    "|".join((
        # zh: open-ended, from a holiday or a day on ("国庆节后", "10月9日以后")
        rf"(?:国庆节?|十一|春节|过年|元旦|清明节?|五一|劳动节|端午节?|中秋节?)"
        rf"(?:假期|长假)?{_AFTER_WORDS}",
        rf"(?:\d{{4}}年)?\d{{1,2}}月\d{{1,2}}[日号]?{_AFTER_WORDS}",
        r"\b(?:after|from|since) (?:the )?national day(?: holiday)?\b",
        # zh: full dates, month-days, months
        rf"(?:\d{{4}}年)?\d{{1,2}}月\d{{1,2}}[日号]?{_BEFORE}",
        rf"\d{{4}}-\d{{1,2}}-\d{{1,2}}{_BEFORE}",
        rf"(?<![\d.])\d{{1,2}}/\d{{1,2}}(?![\d/]){_BEFORE}",
        rf"\d{{1,2}}月(?:中旬|上旬|下旬|底|末|初|中|份)?{_BEFORE}",
        rf"[{_CN_DIGITS}]{{1,3}}月(?:中旬|上旬|下旬|底|末|初|中|份)?{_BEFORE}",
        # zh: relative weeks and months
        r"(?:本|这|这个|下|下个|下一个|上|上个)(?:周|星期|礼拜|月)"
        r"(?:[一二三四五六日天]|末|底|之内|以内|内|前|初|中旬|上旬|下旬|中)?(?:之前|以前|前)?",
        r"(?:周|星期|礼拜)[一二三四五六日天](?:之前|以前|前)?",
        r"(?:月底|月末|年底|年末|周末|季度末|本季度|这个季度|今年|明年)(?:之前|以前|前)?",
        r"今天|今日|明天|明日|后天|当天|当日",
        rf"(?:未来|近|最近|之后)?(?:\d{{1,3}}|[{_CN_DIGITS}]{{1,3}})(?:个)?"
        rf"(?:工作日|天|日|周|星期|个月|月)(?:内|之内|以内|后)",
        rf"(?:未来|近|最近)(?:\d{{1,3}}|[{_CN_DIGITS}]{{1,3}})(?:个)?(?:工作日|天|日|周|星期|个月)",
        # en
        r"\b(?:this|next|coming) (?:week|month|year|quarter)\b",
        r"\bend of (?:the )?(?:week|month|year|quarter)\b",
        r"\b(?:today|tomorrow|tonight)\b",
        r"\b(?:within|in|next|the next|coming) \d{1,3} (?:working days?|workdays?|days?|weeks?|"
        r"months?)\b",
        rf"\b(?:by|before|until|till) (?:(?:{_MONTHS_EN}) \d{{1,2}}(?:st|nd|rd|th)?|"
        rf"\d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTHS_EN})|\d{{1,2}}/\d{{1,2}}|"
        rf"(?:next |this )?(?:{_WEEKDAYS_EN})|the end of (?:the )?(?:week|month|year))\b",
        rf"\b(?:this|next) (?:{_WEEKDAYS_EN})\b",
    ))
)
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*(?:年度|年)")
_BARE_YEAR_RE = re.compile(r"(?<![\d.\-/])((?:19|20)\d\d)(?![\d.\-/])")
_NUMBER_RE = re.compile(
    r"(?:第\s*(\d{1,6})\s*号?"
    r"|(?:\bcase|\bno\.?|\bnumber|\bnr\.?|#)\s*(\d{1,6})\b"
    r"|(?<![\d.\-/:])(\d{3,6})(?![\d.\-/:]|\s*(?:年|月|日|天|号前|个|件|周|%|working|work|days?|"
    r"weeks?|months?)))"
)
_COMMAND_RE = re.compile(r"^/([a-z_]+)(?:@\w+)?(?:\s+(.*))?$", re.S)
_DIVISION_RE = re.compile(
    r"([\u4e00-\u9fff]{0,10}?(?:办公室|处|科|中心))"
    r"(?=[^\u4e00-\u9fff]|$|情况|进展|进度|怎么样|如何|有|的|办|案|超|逾|过期|到期|截止|要|这|本|下"
    r"|今|明|还|目前|现在)"
)
_EN_DIVISION_RE = re.compile(r"\bdivision (?:of )?(.+)$")
_EN_PERSON_RE = re.compile(
    r"\b(?:person|handler|handled by|cases of|assigned to|what does) (.+?)(?: have| has|$)")

_SPACE_RE = re.compile(r"\s+")
# punctuation and symbols become spaces; / - . : are kept between digits (dates: 6/30)
_PUNCT_RE = re.compile(r"(?<!\d)[/.:\-]|[/.:\-](?!\d)|[^\w\s/.:\-]|_")
_PARTICLE_END_RE = re.compile(f"[{_PARTICLES}]+(?=\\s|$)")


def _alternation(words: Iterable[str]) -> re.Pattern[str]:
    """One regex for a dictionary: longest words first; Latin words only as whole words."""
    parts = []
    for w in sorted(set(words), key=len, reverse=True):
        parts.append(rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w))
    return re.compile("|".join(parts))


_OVERDUE_RE = _alternation(_OVERDUE)
_DUE_STRONG_RE = _alternation(_DUE_STRONG)
_DUE_WEAK_RE = _alternation(_DUE_WEAK)
#: "我" as the one asking whose cases they are: not 我们/我局 (the bureau), not 帮我/给我看
#: (show me), not 我想/我要看 (I want to see)
_MINE_RE = re.compile(_alternation(_MINE).pattern
                      + r"|(?<![帮给让请叫诉])我(?!们|局|处|单位|厅|想|要看|要查|要问|要找|看)")
_CASE_RE = _alternation(_CASE)
_FIND_RE = _alternation(_FIND)
_PROGRESS_RE = _alternation(_PROGRESS)
_SUPERVISION_RE = _alternation(w for words in _SUPERVISION.values() for w in words)
_SUPERVISION_OF = {w: name for name, words in _SUPERVISION.items() for w in words}
_REQUESTS_RE = _alternation(_REQUESTS)
_HELP_RE = _alternation(_HELP)
_FILLER_RE = _alternation(_FILLER)
_PERSON_RE = re.compile(
    f"((?:{'|'.join(_COMPOUND_SURNAMES)}|[{_SURNAME_CHARS}])[\u4e00-\u9fff]{{1,2}}?)"
    f"(?={'|'.join(_PERSON_CUES)})"
)

_CUES = {
    "overdue": _OVERDUE, "due": _DUE_STRONG + _DUE_WEAK, "mine": _MINE, "case": _CASE,
    "find": _FIND, "progress": _PROGRESS, "division": ("处室", "处", "科", "division"),
    "person": _PERSON_CUES + ("person", "handler"), "help": _HELP,
}


# ---------------------------------------------------------------- normalising


def normalise(text: str) -> str:
    """Half-width, case-folded, punctuation as spaces, particles dropped, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = text.replace("\u3000", " ")
    text = _PUNCT_RE.sub(" ", text)
    text = _PARTICLE_END_RE.sub(" ", text)
    return _SPACE_RE.sub(" ", text).strip()


def _squeeze(text: str) -> str:
    """Spaces between Chinese characters dropped, elsewhere collapsed."""
    text = re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", text)
    return _SPACE_RE.sub(" ", text).strip()


def _strip(text: str, *patterns: re.Pattern[str]) -> str:
    for pattern in patterns:
        text = pattern.sub(" ", text)
    text = _PARTICLE_END_RE.sub(" ", _SPACE_RE.sub(" ", text).strip())
    return _squeeze(text)


# ---------------------------------------------------------------- entities


@dataclass
class _Found:
    text: str                     # the normalised text
    rest: str                     # with period, year and number taken out
    period: str = ""
    year: int | None = None
    number: str = ""
    #: the number stood alone (not 第…号, #, case, no.): it may be a year
    number_bare: bool = False
    division: str = ""
    person: str = ""
    mine: bool = False


def _known(text: str, names: Iterable[str]) -> str:
    """The longest known name that occurs in ``text`` (compared without spaces)."""
    squeezed = text.replace(" ", "")
    best = ""
    for name in names:
        key = normalise(name).replace(" ", "")
        if key and key in squeezed and len(key) > len(normalise(best).replace(" ", "")):
            best = name
    return best


def _entities(text: str, divisions: Iterable[str], people: Iterable[str]) -> _Found:
    found = _Found(text, text)
    rest = text
    m = _PERIOD_RE.search(rest)
    if m:
        found.period = m.group(0).strip()
        rest = rest[:m.start()] + " " + rest[m.end():]
    m = _YEAR_RE.search(rest)
    if m:
        found.year = int(m.group(1))
        rest = rest[:m.start()] + " " + rest[m.end():]
    m = _NUMBER_RE.search(rest)
    if m:
        found.number = next(g for g in m.groups() if g)
        found.number_bare = m.group(3) is not None
        rest = rest[:m.start()] + " " + rest[m.end():]
    found.rest = _SPACE_RE.sub(" ", rest).strip()
    found.division = _known(text, divisions)
    found.person = _known(text, people)
    found.mine = bool(_MINE_RE.search(text))
    return found


def _pattern_person(text: str) -> str:
    m = _PERSON_RE.search(text.replace(" ", ""))
    return m.group(1) if m else ""


def _pattern_division(text: str) -> str:
    squeezed = _squeeze(text)
    m = _DIVISION_RE.search(squeezed)
    if not m:
        m2 = _EN_DIVISION_RE.search(text)
        return m2.group(1).strip() if m2 else ""
    name = m.group(1)
    # drop leading filler words ("看看综合处" -> "综合处")
    while True:
        f = _FILLER_RE.match(name) or _FIND_RE.match(name)
        if not f or len(name) - f.end() < 3:
            break
        name = name[f.end():]
    return name if len(name) >= 3 else ""


def _filters(found: _Found) -> dict[str, Any]:
    args: dict[str, Any] = {}
    if found.division:
        args["division"] = found.division
    if found.person:
        args["person"] = found.person
    if found.mine:
        args["mine"] = True
    return args


# ---------------------------------------------------------------- the rules


def _cue(pattern: re.Pattern[str], text: str) -> str:
    m = pattern.search(text)
    return m.group(0) if m else ""


_KEYWORD_EDGES_RE = re.compile(
    r"^(?:的|是)+|(?:的)?(?:建议|提案|件|案子|内容|事项|问题|办件)?(?:的|吧)*$")


def _keyword(found: _Found) -> str:
    """What to search for: the text without the search and filler words, and without a
    trailing 的建议 / 的提案 / 的件 ("有没有关于招商的建议" -> "招商")."""
    text = _strip(found.text, _FIND_RE, _FILLER_RE)
    return _KEYWORD_EDGES_RE.sub("", text).strip()


def _suggest(text: str, *, keyword_like: bool) -> tuple[str, ...]:
    """The three likeliest query intents for text no rule understood.

    Each intent scores the share of the characters of its best-matching cue word found in
    the text (so a typo such as 超斯 still points at overdue); ties keep the fixed order.
    """
    chars = set(text.replace(" ", ""))
    scores: dict[str, float] = {}
    for name in QUERY_INTENTS:
        best = 0.0
        for cue in _CUES.get(name, ()):
            cue_chars = set(cue.replace(" ", ""))
            if cue_chars:
                best = max(best, len(cue_chars & chars) / len(cue_chars))
        scores[name] = best
    if keyword_like:
        scores["find"] = max(scores.get("find", 0.0), 0.4)
    order = sorted(QUERY_INTENTS, key=lambda n: (-scores[n], QUERY_INTENTS.index(n)))
    return tuple(order[:3])


def _command(name: str, rest: str, divisions: Iterable[str], people: Iterable[str]) -> Intent:
    intent = COMMANDS[name]
    rest_n = normalise(rest)
    why = f"command /{name}"
    if intent == "due":
        return Intent("due", {"period": rest_n}, 1.0, why)
    if intent == "case":
        found = _entities(rest_n, (), ())
        number = found.number or rest_n.replace(" ", "")
        return Intent("case", {"number": number}, 1.0 if number else 0.6, why)
    if intent == "find":
        return Intent("find", {"keyword": _squeeze(rest_n)}, 1.0 if rest_n else 0.6, why)
    if intent in ("division", "person"):
        name_arg = rest.strip()
        known = _known(rest_n, divisions if intent == "division" else people)
        return Intent(intent, {"name": known or name_arg}, 1.0 if name_arg else 0.6, why)
    if intent == "supervise":
        found = _entities(rest_n, (), ())
        return Intent("supervise", {"list": name, "period": found.period}, 1.0, why)
    if intent == "progress":
        m = _BARE_YEAR_RE.search(rest_n)
        return Intent("progress", {"year": int(m.group(1)) if m else None}, 1.0, why)
    if intent == "overdue":
        found = _entities(rest_n, divisions, people)
        args = _filters(found)
        if not args and rest_n:
            d = _pattern_division(rest_n)
            if d:
                args["division"] = d
        return Intent("overdue", args, 1.0, why)
    return Intent(intent, {}, 1.0, why)


def recognise(text: str, divisions: Iterable[str] = (), people: Iterable[str] = ()) -> Intent:
    """The query ``text`` asks for; ``unknown`` (with suggestions) when no rule applies.

    ``divisions`` and ``people`` are the known names, so that "综合处的情况" and "张三手上有
    哪些" resolve to them; without them, names are guessed from their shape (…处, a surname
    followed by 手上/负责的...).
    """
    divisions = tuple(divisions)
    people = tuple(people)
    raw = unicodedata.normalize("NFKC", text or "").strip().casefold()
    m = _COMMAND_RE.match(raw)
    if m and m.group(1) in COMMANDS:
        return _command(m.group(1), m.group(2) or "", divisions, people)
    norm = normalise(text)
    if not norm and raw and set(raw) <= set("??!! "):
        return Intent("help", {}, 0.6, "a question mark alone")
    if not norm:
        return Intent("unknown", {"text": ""}, 0.0, "empty text",
                      suggestions=QUERY_INTENTS[:3])
    if m:
        # an unknown command: suggest the commands it looks like
        return Intent("unknown", {"text": norm}, 0.0, f"unknown command /{m.group(1)}",
                      suggestions=_suggest(m.group(1), keyword_like=False))

    f = _entities(norm, divisions, people)
    rest = f.rest
    if f.number_bare and _BARE_YEAR_RE.fullmatch(f.number) and _cue(_PROGRESS_RE, rest):
        # "2020 progress", "overview for 2020": a year, not case 2020
        f.year, f.number = int(f.number), ""

    # 1. a case number: the question is about that case ("0484超期了吗" too)
    if f.number:
        cue = _cue(_CASE_RE, rest) or _cue(_OVERDUE_RE, rest)
        return Intent("case", {"number": f.number}, 0.9 if cue else 0.8,
                      f"case number {f.number}" + (f" with “{cue}”" if cue else ""))

    # 1b. the office's supervision lists (还没签收, 待审核...) and /requests
    cue = _cue(_SUPERVISION_RE, rest)
    if cue:
        return Intent("supervise", {"list": _SUPERVISION_OF[cue], "period": f.period}, 0.9,
                      f"supervision word “{cue}”")
    cue = _cue(_REQUESTS_RE, rest)
    if cue and not _cue(_OVERDUE_RE, rest):
        return Intent("requests", {}, 0.8, f"requests word “{cue}”")

    # 2. overdue, possibly narrowed to a division, a person or "mine"
    cue = _cue(_OVERDUE_RE, rest)
    if cue:
        args = _filters(f)
        if "division" not in args and "person" not in args:
            guess = _pattern_division(rest)
            if guess:
                args["division"] = guess
        return Intent("overdue", args, 0.9, f"overdue word “{cue}”")

    # 3. due in a period
    strong = _cue(_DUE_STRONG_RE, rest)
    weak = _cue(_DUE_WEAK_RE, rest)
    others = (_cue(_PROGRESS_RE, rest) or _cue(_FIND_RE, rest)) if f.period else ""
    if strong or (weak and (f.period or not f.mine)) or (f.period and not others
                                                         and not f.division and not f.person):
        args = {"period": f.period, **_filters(f)}
        why = ("due word “%s”" % (strong or weak)) if (strong or weak) else "a period alone"
        if f.period:
            why += f", period “{f.period}”"
        return Intent("due", args, 0.9 if (strong or f.period) else 0.7, why)

    # 4. a known person or division named in the text
    if f.person:
        return Intent("person", {"name": f.person}, 0.9, f"known person “{f.person}”")
    if f.division:
        return Intent("division", {"name": f.division}, 0.9, f"known division “{f.division}”")

    # 5. mine
    if f.mine:
        return Intent("mine", {}, 0.9, f"mine word “{_cue(_MINE_RE, rest)}”")

    # 6. names guessed from their shape
    person = _pattern_person(rest)
    if person:
        return Intent("person", {"name": person}, 0.7, f"name before “{_cue_after(rest, person)}”")
    division = _pattern_division(rest)
    if division:
        return Intent("division", {"name": division}, 0.7, f"division-like name “{division}”")
    m_en = _EN_PERSON_RE.search(rest)
    if m_en and not _cue(_PROGRESS_RE, rest):
        return Intent("person", {"name": m_en.group(1).strip()}, 0.6, "English 'cases of NAME'")

    # 7. search
    find = _cue(_FIND_RE, rest)
    if find:
        keyword = _keyword(f)
        if keyword:
            return Intent("find", {"keyword": keyword}, 0.8, f"search word “{find}”")

    # 8. progress (year: "2020年", or a bare year next to a progress word)
    progress = _cue(_PROGRESS_RE, rest)
    if progress or f.year:
        year = f.year
        if year is None:
            y = _BARE_YEAR_RE.search(norm)
            year = int(y.group(1)) if y else None
        return Intent("progress", {"year": year}, 0.8 if progress else 0.6,
                      f"progress word “{progress}”" if progress else f"year {year}")

    # 9. help and greetings
    helpw = _cue(_HELP_RE, rest)
    if helpw:
        return Intent("help", {}, 0.8, f"help word “{helpw}”")

    keyword_like = bool(re.fullmatch(r"[\u4e00-\u9fff]{2,12}|[a-z][a-z ]{2,30}", rest))
    return Intent("unknown", {"text": norm}, 0.0, "no rule matched",
                  suggestions=_suggest(norm, keyword_like=keyword_like))


def _cue_after(text: str, name: str) -> str:
    squeezed = text.replace(" ", "")
    after = squeezed[squeezed.find(name) + len(name):]
    return next((c for c in _PERSON_CUES if after.startswith(c)), "")
