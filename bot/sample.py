"""Demo data: the 2020 cases of the seed report, and a small bureau to handle them.

Every case number, proposer and title the report names is here (0484, 0091, 0308, and the
continuation cases 0153, 0197, 0399, 0193); the rest are invented so that the counts match
the report: 8 suggestions of 省十三届人大三次会议 (1 lead, 5 co, 2 work references) and 13
proposals of 省政协十二届三次会议 (all joint), plus the 4 continuation cases closed in 2020.

Each case carries its timeline (assigned, consulted, answered, published). ``sample_cases
(as_of)`` returns the cases as they stood on that day, so ``duban console --sample --now
2020-06-29T09:00`` shows the co-handling campaign's last day, with opinions still due; with
no ``as_of`` the year is complete and the annual report reads the seed report's figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.domain.model import Case, Clock, Consultation, Person, split_names

YEAR = 2020
SESSION_NPC = "省十三届人大三次会议"
SESSION_CPPCC = "省政协十二届三次会议"
SESSION_NPC_1 = "省十三届人大一次会议"
SESSION_NPC_2 = "省十三届人大二次会议"

#: Telegram ids of the demo people (the console's ``--as NAME`` uses them)
ADMIN_ID = 10000


def sample_people() -> list[Person]:
    p = Person
    people = [
        p("周敏", "office", division="办公室", telegram=ADMIN_ID, approved=True),
        p("李明", "head", telegram=10001, approved=True),
        p("王强", "leader", leads_divisions=["综合处", "办公室"], telegram=10002, approved=True),
        p("陈静", "leader", leads_divisions=["项目管理处", "投资促进一处", "投资促进二处"],
          telegram=10003, approved=True),
        p("赵立", "division_head", division="综合处", telegram=10011, approved=True),
        p("孙伟", "division_head", division="项目管理处", telegram=10012, approved=True),
        p("刘洋", "division_head", division="投资促进一处", telegram=10013, approved=True),
        p("吴芳", "division_head", division="投资促进二处", telegram=10014, approved=True),
        p("张三", "handler", division="综合处", telegram=10021, approved=True),
        p("李四", "handler", division="综合处", telegram=10022, approved=True),
        p("王五", "handler", division="项目管理处", telegram=10023, approved=True),
        p("钱六", "handler", division="投资促进一处", telegram=10024, approved=True),
        # not linked yet: the office's digest shows 定人员 not met for his cases until June
        p("马骏", "handler", division="投资促进二处", approved=True),
    ]
    for pid, person in enumerate(people, 1):  # the ids a new store gives them, in order
        person.id = pid
    return people


@dataclass(frozen=True)
class _Plan:
    kind: str
    number: str
    title: str
    proposers: str
    role: str
    division: str
    handler: str
    lead_unit: str = ""
    session: str = ""
    assigned: str = "2020-04-10"
    consulted: str = ""
    consulted_with: str = ""
    method: str = "phone"
    answered: str = ""
    reply_class: str = ""
    satisfaction: str = ""
    published: str = ""
    origin: str = ""


def _s(number, title, proposers, role, division, handler, lead_unit="", **kw) -> _Plan:
    return _Plan("suggestion", number, title, proposers, role, division, handler, lead_unit,
                 session=kw.pop("session", SESSION_NPC), **kw)


def _p(number, title, proposers, division, handler, lead_unit, **kw) -> _Plan:
    return _Plan("proposal", number, title, proposers, "joint", division, handler, lead_unit,
                 session=SESSION_CPPCC, assigned=kw.pop("assigned", "2020-04-15"), **kw)


_PLANS: tuple[_Plan, ...] = (
    # -- 建议 of 省十三届人大三次会议: 1 lead, 5 co, 2 work references
    _s("0484", "关于招商引资工作的建议", "杨艳芳", "lead", "综合处", "张三",
       consulted="2020-05-12", consulted_with="杨艳芳代表", method="face",
       answered="2020-06-28", reply_class="A", satisfaction="satisfied", published="2020-07-14"),
    _s("0091", "关于支持怒江打造“绿色食品牌”的建议", "赵新梅", "co", "投资促进一处", "钱六",
       "省农业农村厅", consulted="2020-05-20", consulted_with="省农业农村厅",
       answered="2020-06-18"),
    _s("0127", "关于加快滇中新区产业发展的建议", "何建华", "co", "项目管理处", "王五",
       "省发展改革委", consulted="2020-05-25", consulted_with="何建华代表", answered="2020-06-22"),
    _s("0256", "关于进一步优化营商环境吸引外资的建议", "罗永清、杜丽", "co", "综合处", "李四",
       "省商务厅", consulted="2020-06-02", consulted_with="省商务厅", method="letter",
       answered="2020-06-24"),
    _s("0312", "关于支持沿边开放招商引资的建议", "岩温", "co", "投资促进二处", "马骏",
       "省商务厅", consulted="2020-06-10", consulted_with="岩温代表", answered="2020-06-30"),
    _s("0405", "关于推进产业园区精准招商的建议", "孔德明", "co", "投资促进一处", "钱六",
       "省工业和信息化厅", consulted="2020-06-16", consulted_with="省工业和信息化厅",
       answered="2020-06-30"),
    _s("0530", "关于加快发展数字经济的建议", "邓春燕", "reference", "综合处", "张三"),
    _s("0611", "关于促进文化旅游产业招商的建议", "和丽萍", "reference", "投资促进二处", "马骏"),
    # -- 提案 of 省政协十二届三次会议: 13 joint
    _p("0308", "关于建设大滇西环线的建议", "路学伟", "项目管理处", "王五", "省交通运输厅",
       consulted="2020-05-18", consulted_with="省交通运输厅", answered="2020-06-12"),
    _p("0042", "关于加快培育壮大新兴产业的提案", "民建云南省委", "综合处", "张三",
       "省工业和信息化厅", consulted="2020-05-08", consulted_with="民建云南省委",
       answered="2020-06-05"),
    _p("0067", "关于推动生物医药产业集聚发展的提案", "杨晓东", "投资促进一处", "钱六",
       "省科技厅", consulted="2020-05-11", consulted_with="杨晓东委员", answered="2020-06-08"),
    _p("0119", "关于支持高原特色农业招商引资的提案", "农工党云南省委", "投资促进一处", "钱六",
       "省农业农村厅", consulted="2020-05-14", consulted_with="省农业农村厅",
       answered="2020-06-10"),
    _p("0150", "关于加强招商引资项目全过程服务的提案", "李春林", "项目管理处", "王五",
       "省发展改革委", consulted="2020-05-19", consulted_with="李春林委员", method="face",
       answered="2020-06-15"),
    _p("0188", "关于打造世界一流“三张牌”的提案", "周丽", "综合处", "李四",
       "省发展改革委", consulted="2020-05-21", consulted_with="周丽委员", answered="2020-06-16"),
    _p("0203", "关于推进沿边产业园区建设的提案", "九三学社云南省委", "投资促进二处", "马骏",
       "省商务厅", consulted="2020-05-26", consulted_with="省商务厅", method="letter",
       answered="2020-06-19"),
    _p("0245", "关于促进民营经济高质量发展的提案", "工商联", "综合处", "张三",
       "省工业和信息化厅", consulted="2020-05-28", consulted_with="省工商联",
       answered="2020-06-23"),
    _p("0271", "关于加快发展现代物流业的提案", "赵德光", "项目管理处", "王五",
       "省交通运输厅", consulted="2020-06-03", consulted_with="赵德光委员",
       answered="2020-06-24"),
    _p("0333", "关于承接东部产业转移的提案", "致公党云南省委", "投资促进一处", "钱六",
       "省发展改革委", consulted="2020-06-08", consulted_with="致公党云南省委",
       answered="2020-06-29"),
    _p("0376", "关于做好“六稳”“六保”吸引外资的提案", "张桂芬", "投资促进二处", "马骏",
       "省商务厅", consulted="2020-06-12", consulted_with="张桂芬委员", method="media",
       answered="2020-06-30"),
    _p("0412", "关于加强与南亚东南亚经贸合作的提案", "台盟云南省委", "综合处", "李四",
       "省商务厅", consulted="2020-06-17", consulted_with="台盟云南省委",
       answered="2020-06-30"),
    _p("0458", "关于优化招商引资考核评价机制的提案", "陈永红", "综合处", "张三",
       "省统计局", consulted="2020-06-22", consulted_with="陈永红委员", answered="2020-06-30"),
    # -- continuation (续办续复): B-class lead replies of earlier sessions, closed in 2020
    _s("0153", "关于加大对外招商引资力度的建议", "段兴祥", "lead", "综合处", "张三",
       session=SESSION_NPC_1, origin=SESSION_NPC_1, assigned="2020-01-06",
       consulted="2020-03-16", consulted_with="段兴祥代表", answered="2020-07-20",
       reply_class="A", satisfaction="satisfied"),
    _s("0197", "关于支持州市承接产业转移的建议", "普文清", "lead", "项目管理处", "王五",
       session=SESSION_NPC_1, origin=SESSION_NPC_1, assigned="2020-01-06",
       consulted="2020-04-08", consulted_with="普文清代表", method="face",
       answered="2020-08-14", reply_class="A", satisfaction="satisfied"),
    _s("0399", "关于完善招商引资优惠政策的建议", "李红梅", "lead", "综合处", "李四",
       session=SESSION_NPC_1, origin=SESSION_NPC_1, assigned="2020-01-06",
       consulted="2020-05-06", consulted_with="李红梅代表", answered="2020-08-28",
       reply_class="A", satisfaction="basic"),
    _s("0193", "关于推进滇西产业合作园区建设的建议", "杨洪波", "lead", "投资促进一处", "钱六",
       session=SESSION_NPC_2, origin=SESSION_NPC_2, assigned="2020-01-06",
       consulted="2020-06-05", consulted_with="杨洪波代表", method="letter",
       answered="2020-09-04", reply_class="A", satisfaction="satisfied"),
)

_REQUIREMENTS = {
    "lead": "先协商后答复;复文内容完整、格式规范、情况准确,逐项回应所提问题",
    "co": "6月30日前向主办单位提交协办意见,经处室负责人审核",
    "joint": "6月30日前向主办单位提交会办意见,经处室负责人审核",
    "reference": "研究吸纳,作为工作参考",
}
_TASKS = {
    "lead": "研究提出办理方案,与代表面商,起草复文并按时答复",
    "co": "研究提出协办意见,报送主办单位",
    "joint": "研究提出会办意见,报送主办单位",
    "reference": "结合业务工作研究参考",
}


def _due(plan: _Plan) -> str:
    if plan.origin:
        return f"{YEAR}-12-31"
    if plan.role in ("co", "joint"):
        return f"{YEAR}-06-30"
    if plan.role == "lead":
        assigned = dt.date.fromisoformat(plan.assigned)
        return assigned.replace(month=assigned.month + 3).isoformat()
    return ""


def _case(plan: _Plan, as_of: dt.date | None) -> Case:
    def reached(day: str) -> bool:
        return bool(day) and (as_of is None or dt.date.fromisoformat(day) <= as_of)

    clocks: dict[str, Clock] = {}
    due = _due(plan)
    answered = reached(plan.answered)
    if plan.origin:
        clocks["followup"] = Clock(due=due, met=plan.answered if answered else "")
    elif due:
        name = "reply" if plan.role == "lead" else "opinion"
        clocks[name] = Clock(due=due, met=plan.answered if answered else "")
    if plan.role == "lead" and not plan.origin:
        clocks["publish"] = Clock(due=f"{YEAR}-07-15",
                                  met=plan.published if reached(plan.published) else "")
    consultations = []
    stage = "in_progress"
    if plan.role == "reference":
        stage = "archived" if as_of is None or as_of >= dt.date(YEAR, 6, 30) else "in_progress"
    if reached(plan.consulted):
        consultations.append(Consultation(plan.method, plan.consulted, plan.consulted_with,
                                          by=plan.handler))
        stage = "consulted"
    if answered:
        stage = "answered"
        if reached(plan.published):
            stage = "published"
    return Case(
        kind=plan.kind,
        number=plan.number,
        year=YEAR,
        session=plan.session,
        title=plan.title,
        proposers=split_names(plan.proposers),
        role=plan.role,
        lead_unit=plan.lead_unit,
        division=plan.division,
        task=_TASKS[plan.role if plan.role in _TASKS else "lead"],
        handler=plan.handler,
        requirements=_REQUIREMENTS[plan.role if plan.role in _REQUIREMENTS else "lead"],
        stage=stage,
        assigned_on=plan.assigned,
        clocks=clocks,
        consultations=consultations,
        reply_class=plan.reply_class if answered else "",
        satisfaction=plan.satisfaction if answered else "",
        continuation=bool(plan.origin),
        origin_session=plan.origin,
    )


def sample_cases(as_of: dt.date | None = None) -> list[Case]:
    """The 2020 cases as they stood at the end of ``as_of`` (the whole year when None).

    Cases not yet assigned on that day are left out.
    """
    ids = {p.name: p.id for p in sample_people()}
    out = [_case(plan, as_of) for plan in _PLANS
           if as_of is None or dt.date.fromisoformat(plan.assigned) <= as_of]
    for case in out:  # owned by identity
        case.handler_id = ids.get(case.handler, 0)
    return out
