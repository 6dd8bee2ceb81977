"""The workflow's rules (bot/domain/workflow.py), without Telegram or storage."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import lifecycle
from bot.domain import workflow as wf
from bot.domain.model import STAGES, Case, Person, ValidationError, five_fixes_missing
from bot.domain.rules import Rules
from bot.domain.workcal import WorkCalendar

TODAY = dt.date(2020, 6, 29)
RULES = Rules()
CAL = WorkCalendar()

HANDLER = Person("张三", "handler", division="综合处", telegram=1, approved=True)
OTHER_HANDLER = Person("王五", "handler", division="项目管理处", telegram=2, approved=True)
HEAD = Person("赵立", "division_head", division="综合处", telegram=3, approved=True)
OTHER_HEAD = Person("孙伟", "division_head", division="项目管理处", telegram=4, approved=True)
OFFICE = Person("周敏", "office", division="办公室", telegram=5, approved=True)
LEADER = Person("王强", "leader", leads_divisions=["综合处"], telegram=6, approved=True)
UNLINKED_HEAD = Person("钱七", "division_head", division="综合处", approved=True)
PEOPLE = [HANDLER, OTHER_HANDLER, HEAD, OTHER_HEAD, OFFICE, LEADER]
for _pid, _person in enumerate([*PEOPLE, UNLINKED_HEAD], 1):  # as the store numbers them
    _person.id = _pid
IDS = {p.name: p.id for p in PEOPLE}


def case(role: str = "lead", stage: str = "assigned", consulted: bool = False, **kw) -> Case:
    data = {"kind": "suggestion", "number": "0484", "year": 2020, "title": "关于招商引资工作的建议",
            "role": role, "session": "省十三届人大三次会议", "proposers": ["杨艳芳"],
            "division": "综合处", "task": "研究答复", "handler": "张三", "requirements": "按时答复",
            "lead_unit": "省商务厅" if role in ("co", "joint") else "", "stage": "assigned",
            "assigned_on": "2020-04-10", "id": 7, "version": 3}
    data.update(kw)
    data.setdefault("handler_id", IDS.get(data["handler"], 0))  # owned by identity
    k = Case(**data)
    from bot.domain.rules import arm_clocks

    arm_clocks(k, RULES, TODAY)
    if consulted:
        wf.add_consultation(k, "face", dt.date(2020, 5, 12), "杨艳芳代表", "", "张三", TODAY)
    k.stage = stage
    return k


# ---------------------------------------------------------------- stages


def test_applicable_stages_follow_the_role():
    assert wf.applicable_stages(case("lead")) == STAGES
    assert "published" not in wf.applicable_stages(case("split"))
    assert "feedback" in wf.applicable_stages(case("split"))
    co = wf.applicable_stages(case("co"))
    assert "feedback" not in co and "published" not in co and co[-2:] == ("answered", "archived")
    assert wf.applicable_stages(case("reference")) == (
        "registered", "assigned", "in_progress", "archived")


def test_forward_moves_go_in_order_and_keep_their_gates():
    k = case(stage="assigned")
    assert wf.forward_targets(k)[0] == "in_progress"
    assert "consulted" not in wf.forward_targets(k)  # reached by recording a consultation
    assert "answered" not in wf.forward_targets(k)  # reached by answering
    wf.move_forward(k, "drafted", TODAY)
    assert k.stage == "drafted"
    with pytest.raises(wf.WorkflowError) as err:
        wf.move_forward(k, "in_progress", TODAY)
    assert err.value.key == "wf.not_forward" and "办理中" in err.value.render("zh")
    with pytest.raises(wf.WorkflowError) as err:
        wf.move_forward(k, "answered", TODAY)
    assert err.value.key == "wf.use_step_answer"
    with pytest.raises(wf.WorkflowError) as err:
        wf.move_forward(k, "archived", TODAY)
    assert err.value.key == "wf.not_answered"


def test_assigning_needs_the_five_fixes():
    k = case(stage="registered", handler="")
    assert wf.forward_targets(k) == []
    with pytest.raises(wf.WorkflowError) as err:
        wf.move_forward(k, "assigned", TODAY)
    assert err.value.key == "wf.fixes_incomplete"
    k.handler = "张三"
    k.assigned_on = ""
    wf.move_forward(k, "assigned", TODAY)
    assert k.stage == "assigned" and k.assigned_on == "2020-06-29"


def test_publishing_marks_the_publish_clock():
    k = case(stage="answered", consulted=True)
    wf.move_forward(k, "published", TODAY)
    assert k.clocks["publish"].met == "2020-06-29" and k.stage == "published"
    with pytest.raises(wf.WorkflowError) as err:
        wf.move_forward(case("co", stage="answered"), "published", TODAY)
    assert err.value.key == "wf.stage_not_applicable"


def test_going_back_needs_a_reason_and_undoes_the_answer():
    k = case(stage="reviewed", consulted=True)
    wf.answer(k, HANDLER, TODAY, RULES, "B")
    assert "followup" in k.clocks
    with pytest.raises(ValidationError) as err:
        wf.move_back(k, "drafted", "  ")
    assert err.value.key == "err.required" and "理由" in err.value.render("zh")
    assert wf.move_back(k, "drafted", "复文需要重写") == "复文需要重写"
    assert k.stage == "drafted" and k.clocks["reply"].met == "" and k.reply_class == ""
    assert "followup" not in k.clocks  # the B reply's follow-up went with it
    with pytest.raises(wf.WorkflowError) as err:
        wf.move_back(k, "reviewed", "前进不是退回")
    assert err.value.key == "wf.not_back"


def test_going_back_from_feedback_and_publishing():
    k = case(stage="reviewed", consulted=True)
    wf.answer(k, HANDLER, TODAY, RULES, "A")
    wf.record_satisfaction(k, "satisfied", TODAY, RULES)
    wf.move_forward(k, "published", TODAY)
    wf.move_back(k, "feedback", "公开有误")
    assert k.clocks["publish"].met == "" and k.satisfaction == "satisfied"
    wf.move_back(k, "answered", "满意度记错")
    assert k.satisfaction == "" and k.clocks["reply"].met == "2020-06-29"
    assert wf.back_targets(k)[0] == "reviewed"


# ---------------------------------------------------------------- consultations and answers


def test_recording_a_consultation_advances_to_consulted():
    k = case(stage="in_progress")
    wf.add_consultation(k, "phone", dt.date(2020, 6, 20), "杨艳芳代表", "电话沟通", "张三", TODAY)
    assert k.stage == "consulted" and k.consultations[-1].method == "phone"
    later = case(stage="drafted")
    wf.add_consultation(later, "letter", TODAY, "省商务厅", "", "张三", TODAY)
    assert later.stage == "drafted"  # never moves a case back
    with pytest.raises(wf.WorkflowError) as err:
        wf.add_consultation(k, "face", dt.date(2020, 7, 1), "x", "", "张三", TODAY)
    assert err.value.key == "wf.date_future"
    with pytest.raises(ValidationError):
        wf.add_consultation(k, "telepathy", TODAY, "x", "", "张三", TODAY)
    with pytest.raises(ValidationError):
        wf.add_consultation(k, "face", TODAY, "  ", "", "张三", TODAY)


def test_past_dates_as_people_write_them():
    assert wf.read_past_date("5月12日", TODAY) == dt.date(2020, 5, 12)
    assert wf.read_past_date("今天", TODAY) == TODAY
    assert wf.read_past_date("2020-06-01", TODAY) == dt.date(2020, 6, 1)
    assert wf.read_past_date("6月29日", TODAY) == TODAY
    assert wf.read_past_date("30号", TODAY) == dt.date(2020, 5, 30)  # last month's 30th
    assert wf.read_past_date("7月1日", TODAY) == dt.date(2019, 7, 1)  # the last July 1
    for future in ("下周五", "2020-07-01", "明天"):
        with pytest.raises(wf.WorkflowError):
            wf.read_past_date(future, TODAY)
    with pytest.raises(ValidationError):
        wf.read_past_date("不知道哪天", TODAY)


def test_consult_first_refuses_answering_without_consultation():
    k = case(stage="reviewed")
    with pytest.raises(wf.WorkflowError) as err:
        wf.answer(k, HANDLER, TODAY, RULES, "A")
    assert err.value.key == "wf.consult_first" and "先协商,后答复" in err.value.render("zh")
    assert "Consult first" in err.value.render("en")
    with pytest.raises(wf.WorkflowError):  # a division head may not override either
        wf.answer(k, HEAD, TODAY, RULES, "A", override_reason="来不及了")
    with pytest.raises(wf.WorkflowError) as err:  # the office, but with a reason
        wf.answer(k, OFFICE, TODAY, RULES, "A")
    assert err.value.key == "wf.override_needs_reason"
    assert wf.answer(k, OFFICE, TODAY, RULES, "A", override_reason="代表当面确认无须协商") \
        == "代表当面确认无须协商"
    assert k.stage == "answered" and k.clocks["reply"].met == "2020-06-29"


def test_answer_needs_a_class_for_replies_and_none_for_opinions():
    k = case(stage="consulted", consulted=True)
    with pytest.raises(wf.WorkflowError) as err:
        wf.answer(k, HANDLER, TODAY, RULES)
    assert err.value.key == "wf.reply_class_needed"
    co = case("co", stage="consulted", consulted=True)
    with pytest.raises(wf.WorkflowError) as err:
        wf.answer(co, HANDLER, TODAY, RULES, "A")
    assert err.value.key == "wf.no_reply_class"
    assert wf.answer(co, HANDLER, TODAY, RULES) == ""
    assert co.stage == "answered" and co.clocks["opinion"].met == "2020-06-29"
    with pytest.raises(wf.WorkflowError) as err:
        wf.answer(co, HANDLER, TODAY, RULES)
    assert err.value.key == "wf.already_answered"
    with pytest.raises(wf.WorkflowError) as err:
        wf.answer(case("reference", stage="in_progress"), HANDLER, TODAY, RULES)
    assert err.value.key == "wf.reference_no_reply"


def test_b_class_opens_the_continuation_follow_up():
    k = case(stage="consulted", consulted=True)
    wf.answer(k, HANDLER, TODAY, RULES, "B")
    assert k.clocks["followup"].due == "2020-12-31" and k.clocks["followup"].open
    assert lifecycle.is_open(k)
    custom = Rules(followup_due="11-30")
    k2 = case(stage="consulted", consulted=True)
    wf.answer(k2, HANDLER, TODAY, custom, "B")
    assert k2.clocks["followup"].due == "2020-11-30"
    # answered after this year's follow-up date: next year's
    assert wf.followup_due(k2, custom, dt.date(2020, 12, 5)) == dt.date(2021, 11, 30)
    assert "followup" in wf.next_steps(k, HANDLER)
    wf.answer_followup(k, "A", dt.date(2020, 11, 2))
    assert k.clocks["followup"].met == "2020-11-02" and k.reply_class == "A"
    with pytest.raises(wf.WorkflowError):
        wf.answer_followup(k, "A", TODAY)
    with pytest.raises(wf.WorkflowError) as err:
        wf.answer_followup(case(stage="answered"), "B", TODAY)
    assert err.value.key == "wf.no_followup"


# ---------------------------------------------------------------- satisfaction


def test_satisfied_moves_to_feedback():
    k = case(stage="consulted", consulted=True)
    wf.answer(k, HANDLER, TODAY, RULES, "A")
    assert wf.record_satisfaction(k, "basic", TODAY, RULES) is False
    assert k.stage == "feedback" and k.satisfaction == "basic"


def test_not_satisfied_reopens_with_a_new_deadline():
    k = case(stage="consulted", consulted=True)
    wf.answer(k, HANDLER, TODAY, RULES, "A")
    assert wf.record_satisfaction(k, "unsatisfied", TODAY, RULES) is True
    assert k.stage == "in_progress" and k.clocks["reply"].open
    assert k.deadline == "2020-07-29"  # one month by default
    assert "answer" in wf.next_steps(k, HANDLER)
    k2 = case(stage="consulted", consulted=True)
    wf.answer(k2, HANDLER, TODAY, RULES, "A")
    wf.record_satisfaction(k2, "unsatisfied", TODAY, Rules(reopen_months=2),
                           new_due=dt.date(2020, 8, 15))
    assert k2.deadline == "2020-08-15" and k2.clocks["reply"].source == "set"
    assert wf.reopen_due(Rules(reopen_months=2), TODAY) == dt.date(2020, 8, 29)
    with pytest.raises(wf.WorkflowError):
        k3 = case(stage="consulted", consulted=True)
        wf.answer(k3, HANDLER, TODAY, RULES, "A")
        wf.record_satisfaction(k3, "unsatisfied", TODAY, RULES, new_due=TODAY)
    with pytest.raises(wf.WorkflowError) as err:
        wf.record_satisfaction(case("co", stage="answered"), "satisfied", TODAY, RULES)
    assert err.value.key == "wf.no_satisfaction"
    with pytest.raises(wf.WorkflowError) as err:
        wf.record_satisfaction(case(stage="drafted"), "satisfied", TODAY, RULES)
    assert err.value.key == "wf.not_answered"


# ---------------------------------------------------------------- extensions


def test_extension_request_and_approval():
    k = case(stage="in_progress")
    assert k.deadline == "2020-07-10"
    with pytest.raises(wf.WorkflowError) as err:
        wf.request_extension(k, HANDLER, dt.date(2020, 7, 5), "需要调研", TODAY, "t")
    assert err.value.key == "wf.ext_not_later"
    with pytest.raises(wf.WorkflowError) as err:
        wf.request_extension(k, HANDLER, dt.date(2020, 6, 28), "需要调研", TODAY, "t")
    assert err.value.key == "wf.date_not_ahead"
    with pytest.raises(ValidationError):
        wf.request_extension(k, HANDLER, dt.date(2020, 7, 31), "", TODAY, "t")
    req = wf.request_extension(k, HANDLER, dt.date(2020, 7, 31), "需要调研", TODAY, "t0")
    assert (req.status, req.old_due, req.new_due, req.clock) == (
        "pending", "2020-07-10", "2020-07-31", "reply")
    assert k.deadline == "2020-07-10"  # a request changes nothing
    assert wf.ExtensionRequest.from_dict(req.to_dict()) == req
    with pytest.raises(wf.WorkflowError) as err:
        wf.decide_extension(k, req, OTHER_HEAD, True, "t1")
    assert err.value.key == "wf.ext_not_yours"
    decided = wf.decide_extension(k, req, HEAD, True, "t1")
    assert decided.status == "approved" and decided.decided_by == "赵立"
    assert k.deadline == "2020-07-31" and k.clocks["reply"].source == "extension"
    with pytest.raises(wf.WorkflowError) as err:
        wf.decide_extension(k, decided, OFFICE, False, "t2")
    assert err.value.key == "wf.ext_decided" and "已同意" in err.value.render("zh")


def test_an_outdated_request_cannot_overwrite_a_changed_deadline():
    k = case(stage="in_progress")
    req = wf.request_extension(k, HANDLER, dt.date(2020, 7, 31), "需要调研", TODAY, "t0")
    wf.change_fix(k, "deadline", dt.date(2020, 8, 15), HEAD, TODAY, RULES, PEOPLE)
    with pytest.raises(wf.WorkflowError) as err:
        wf.decide_extension(k, req, HEAD, True, "t1")
    assert err.value.key == "wf.ext_outdated" and k.deadline == "2020-08-15"
    assert wf.decide_extension(k, req, HEAD, False, "t1").status == "refused"


def test_extension_refused_leaves_the_deadline():
    k = case("co", stage="consulted", consulted=True)
    req = wf.request_extension(k, HANDLER, dt.date(2020, 7, 10), "主办单位未回复", TODAY, "t")
    decided = wf.decide_extension(k, req, OFFICE, False, "t1")
    assert decided.status == "refused" and k.deadline == "2020-06-30"


def test_who_decides_an_extension():
    k = case(stage="in_progress")
    assert wf.extension_deciders(k, PEOPLE, HANDLER) == [HEAD]
    assert wf.extension_deciders(k, PEOPLE, HEAD) == [OFFICE]  # not one's own request
    assert wf.extension_deciders(k, [HANDLER, UNLINKED_HEAD, OFFICE], HANDLER) == [OFFICE]
    own = wf.request_extension(k, HEAD, dt.date(2020, 7, 31), "调研", TODAY, "t")
    assert not wf.may_decide_extension(HEAD, k, own)
    assert wf.may_decide_extension(OFFICE, k, own)
    assert not wf.may_decide_extension(HANDLER, k, own)


def test_reference_cases_have_nothing_to_extend():
    with pytest.raises(wf.WorkflowError) as err:
        wf.request_extension(case("reference", stage="in_progress"), HANDLER,
                             dt.date(2020, 7, 31), "x", TODAY, "t")
    assert err.value.key == "wf.reference_no_deadline"


# ---------------------------------------------------------------- 退回改办 and the five fixes


def test_return_for_reassignment_clears_division_and_handler():
    k = case(stage="in_progress")
    assert wf.return_for_reassignment(k, "不属于我处职责") == "不属于我处职责"
    assert (k.division, k.handler, k.stage) == ("", "", "registered")
    assert set(five_fixes_missing(k)) == {"division", "handler"}
    with pytest.raises(wf.WorkflowError) as err:
        wf.return_for_reassignment(k, "again")
    assert err.value.key == "wf.already_returned"


def test_changing_the_five_fixes():
    k = case(stage="registered", division="", handler="")
    with pytest.raises(wf.WorkflowError) as err:  # a division head gives only to their own
        wf.change_fix(k, "division", "项目管理处", HEAD, TODAY, RULES, PEOPLE)
    assert err.value.key == "wf.division_not_allowed"
    wf.change_fix(k, "division", "项目管理处", OFFICE, TODAY, RULES, PEOPLE)
    with pytest.raises(wf.WorkflowError) as err:
        wf.change_fix(k, "handler", "张三", OFFICE, TODAY, RULES, PEOPLE)
    assert err.value.key == "wf.not_in_division" and "项目管理处" in err.value.render("zh")
    assert k.stage == "registered"
    wf.change_fix(k, "handler", "王五", OFFICE, TODAY, RULES, PEOPLE)
    assert k.stage == "assigned" and k.assigned_on == "2020-04-10"
    wf.change_fix(k, "division", "综合处", OFFICE, TODAY, RULES, PEOPLE)
    assert k.handler == ""  # 王五 is not of 综合处
    with pytest.raises(wf.WorkflowError) as err:
        wf.change_fix(k, "deadline", dt.date(2020, 6, 1), OFFICE, TODAY, RULES, PEOPLE)
    assert err.value.key == "wf.date_past"
    wf.change_fix(k, "deadline", dt.date(2020, 8, 1), OFFICE, TODAY, RULES, PEOPLE)
    assert k.deadline == "2020-08-01" and k.clocks["reply"].source == "set"
    with pytest.raises(ValidationError):
        wf.change_fix(k, "task", "   ", OFFICE, TODAY, RULES, PEOPLE)
    with pytest.raises(wf.WorkflowError):
        wf.change_fix(case("reference"), "deadline", dt.date(2020, 8, 1), OFFICE, TODAY,
                      RULES, PEOPLE)


# ---------------------------------------------------------------- next steps


def test_next_steps_by_stage_and_person():
    k = case(stage="in_progress")
    assert wf.next_steps(k, HANDLER) == ["consult", "drafted", "answer", "extend", "return", "back"]
    assert wf.next_steps(k, HEAD) == ["consult", "drafted", "answer", "return", "fixes", "back"]
    assert wf.next_steps(k, OFFICE) == ["consult", "drafted", "answer", "fixes", "back",
                                        "notice"]
    assert wf.next_steps(k, LEADER) == ["notice"]  # reads it, does not update it: 督办单
    assert wf.next_steps(k, OTHER_HANDLER) == []
    assert wf.next_steps(k, None) == []
    answered = case(stage="answered", consulted=True, reply_class="A")
    answered.clocks["reply"].met = "2020-06-28"
    assert wf.next_steps(answered, HANDLER) == ["satisfaction", "published", "back"]
    co = case("co", stage="answered", consulted=True)
    co.clocks["opinion"].met = "2020-06-20"
    assert wf.next_steps(co, HANDLER) == ["archived", "back"]
    ref = case("reference", stage="in_progress")
    assert wf.next_steps(ref, HANDLER) == ["archived", "return", "back"]
    archived = case("reference", stage="archived")
    assert wf.next_steps(archived, HANDLER) == ["back"]
    registered = case(stage="registered", handler="")
    assert wf.next_steps(registered, OFFICE) == ["fixes"]


# ---------------------------------------------------------------- registering


def test_reading_the_registration_answers():
    def labels(code):
        return {"suggestion": ["建议", "suggestion"], "proposal": ["提案"]}[code]

    assert wf.read_choice(" 建议 ", ("suggestion", "proposal"), labels) == "suggestion"
    assert wf.read_choice("Suggestion", ("suggestion", "proposal"), labels) == "suggestion"
    with pytest.raises(wf.WorkflowError) as err:
        wf.read_choice("议案", ("suggestion", "proposal"), labels)
    assert "suggestion / proposal" in err.value.render("zh")
    assert wf.read_year("2020年", TODAY) == 2020
    for bad in ("20", "二〇二〇", "1999", "2022"):
        with pytest.raises(ValidationError):
            wf.read_year(bad, TODAY)
    assert wf.read_number("第0484号") == "0484"
    assert wf.read_proposers("罗永清、杜丽") == ["罗永清", "杜丽"]
    with pytest.raises(ValidationError):
        wf.read_proposers(" 、 ")
    with pytest.raises(ValidationError) as err:
        wf.read_title("长" * 201)
    assert err.value.key == "err.too_long"


def test_deadlines_typed_or_default():
    default = dt.date(2020, 9, 29)
    assert wf.read_deadline("默认", TODAY, CAL, default) == default
    assert wf.read_deadline("6月30日前", TODAY, CAL, default) == dt.date(2020, 6, 30)
    assert wf.read_deadline("下周五", TODAY, CAL, default) == dt.date(2020, 7, 10)
    with pytest.raises(wf.WorkflowError) as err:
        wf.read_deadline("2020-06-01", TODAY, CAL, default)
    assert err.value.key == "wf.date_past"
    with pytest.raises(wf.WorkflowError):
        wf.read_deadline("默认", TODAY, CAL, None)
    with pytest.raises(ValidationError) as err:
        wf.read_deadline("过几天吧", TODAY, CAL, default)
    assert err.value.render("zh")
    assert wf.role_default_deadline("lead", 2020, TODAY, RULES) == dt.date(2020, 9, 29)
    assert wf.role_default_deadline("co", 2020, TODAY, RULES) == dt.date(2020, 6, 30)
    assert wf.role_default_deadline("reference", 2020, TODAY, RULES) is None


def test_a_draft_becomes_an_assigned_case():
    data = {"kind": "proposal", "number": "0999", "year": 2020, "session": "省政协十二届三次会议",
            "title": "关于测试的提案", "proposers": ["某委员"], "role": "joint",
            "lead_unit": "省商务厅", "division": "综合处", "task": "提出会办意见",
            "handler": "张三", "deadline": "", "requirements": "按时提交"}
    k = wf.draft_case(data, TODAY, RULES)
    assert k.stage == "assigned" and k.assigned_on == "2020-06-29" and not five_fixes_missing(k)
    assert k.deadline == "2020-06-30" and k.clocks["opinion"].source == "default"
    assert wf.register_key(data) == k.key
    lead = wf.draft_case({**data, "role": "lead", "deadline": "2020-08-31"}, TODAY, RULES)
    assert lead.lead_unit == "" and lead.deadline == "2020-08-31"
    assert lead.clocks["reply"].source == "set" and lead.clocks["publish"].due == "2020-07-15"
    ref = wf.draft_case({**data, "role": "reference"}, TODAY, RULES)
    assert ref.clocks == {} and not five_fixes_missing(ref)


# ---------------------------------------------------------------- a property


def lifecycle_review(k: Case) -> str | None:
    return wf.lifecycle.review_step(k)


def _apply(k: Case, step: str, person: Person, n: int) -> None:
    """One step as the chat would take it, with answers drawn from ``n``."""
    if step == "consult":
        wf.add_consultation(k, "phone", TODAY, "代表", "", person.name, TODAY)
    elif step == "answer":
        reply_class = "ABC"[n % 3] if wf.needs_reply_class(k) else ""
        if not k.consultations and not wf.may_override(person, k):
            with pytest.raises(wf.WorkflowError, match="Consult first"):
                wf.answer(k, person, TODAY, RULES, reply_class, "理由")
            return
        if wf.lifecycle.answer_needs_review(k) and not wf.may_override(person, k):
            with pytest.raises(wf.WorkflowError) as err:  # 审核 first
                wf.answer(k, person, TODAY, RULES, reply_class, "理由")
            assert err.value.key == "sv.review_first"
            return
        wf.answer(k, person, TODAY, RULES, reply_class, "理由")
    elif step == "satisfaction":
        wf.record_satisfaction(k, ("satisfied", "basic", "unsatisfied")[n % 3], TODAY, RULES)
    elif step == "followup":
        wf.answer_followup(k, "AC"[n % 2], TODAY)
    elif step == "back":
        targets = wf.back_targets(k)
        wf.move_back(k, targets[n % len(targets)], "理由")
    elif step == "return":
        wf.return_for_reassignment(k, "理由")
    elif step == "fixes":
        wf.change_fix(k, "handler", "张三", person, TODAY, RULES, PEOPLE) if k.division else \
            wf.change_fix(k, "division", "综合处", person, TODAY, RULES, PEOPLE)
    elif step == "extend":
        pass  # a request changes nothing
    elif step == "sign":
        wf.sign(k, person, "2020-06-29T10:00:00+08:00")
        assert k.signed_by == person.name and not wf.lifecycle.awaiting_signature(k)
    elif step == "drafted":
        wf.submit_draft(k, RULES, TODAY, "复文稿")
        assert lifecycle_review(k) == "division_head"
    elif step == "draft_text":
        wf.set_draft_text(k, "复文稿(修改)")
        assert k.draft_text == "复文稿(修改)"
    elif step in ("review_ok", "review_back"):
        wf.review(k, person, step == "review_ok", "请修改", "2020-06-29T10:00:00+08:00", TODAY)
    elif step == "notice":
        wf.issue_notice(k, person, "请报送进展", TODAY + dt.timedelta(days=1 + n), TODAY,
                        "2020-06-29T10:00:00+08:00")
        assert wf.lifecycle.is_live(k, "notice") and wf.lifecycle.is_open(k)
    elif step == "notice_reply":
        notice = wf.answer_notice(k, person, ("done", "reason")[n % 2], "已报送", TODAY)
        assert not notice.open and wf.lifecycle.notice_on_time(notice)
    else:
        wf.move_forward(k, step, TODAY)


@settings(max_examples=150, deadline=None)
@given(role=st.sampled_from(["lead", "sole", "split", "co", "joint", "reference"]),
       walk=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=25))
def test_any_walk_through_the_offered_steps_keeps_the_case_sound(role, walk):
    """Every offered step succeeds, and the case stays valid: the stage applies to the role,
    an answered case has its main clock met, an unanswered one has it open."""
    k = case(role, stage="assigned")
    for pick, n in walk:
        person = (HANDLER, HEAD, OFFICE)[pick % 3]
        steps = wf.next_steps(k, person)
        if not steps:
            continue
        _apply(k, steps[pick % len(steps)], person, n)
        k.validate()
        assert k.stage in wf.applicable_stages(k)
        main = k.main_clock
        if main is not None and k.stage != "registered":
            assert bool(k.clocks[main].met) == k.answered, (k.stage, k.clocks)
