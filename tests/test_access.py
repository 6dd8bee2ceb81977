"""The access guard: every position sees and does only what DOMAIN.md allows."""

import pytest

from bot.domain.access import decide, registrable_divisions, visible
from bot.domain.model import Person
from bot.sample import sample_cases, sample_people

PEOPLE = {p.name: p for p in sample_people()}
CASES = sample_cases()
BY_NUMBER = {c.number: c for c in CASES}


def names(person):
    return sorted(c.number for c in visible(person, CASES))


def test_unknown_unapproved_and_deactivated_see_nothing():
    stranger = Person("路人", "handler", division="综合处", approved=False)
    gone = PEOPLE["张三"].copy()
    gone.active = False
    for who in (None, stranger, gone):
        assert visible(who, CASES) == []
        assert not decide(who, "view", BY_NUMBER["0484"])
        assert not decide(who, "query")
    assert decide(None, "query").reason == "access.not_approved"
    assert decide(gone, "query").reason == "access.deactivated"


def test_handler_sees_only_own_cases():
    mine = names(PEOPLE["张三"])
    assert mine == sorted(c.number for c in CASES if c.handler == "张三")
    other = BY_NUMBER["0091"]  # 钱六's
    assert not decide(PEOPLE["张三"], "view", other)
    assert not decide(PEOPLE["张三"], "update", other)
    assert decide(PEOPLE["张三"], "update", BY_NUMBER["0484"])
    assert not decide(PEOPLE["张三"], "assign", BY_NUMBER["0484"])


def test_division_head_sees_and_assigns_the_division():
    head = PEOPLE["赵立"]  # 综合处
    assert names(head) == sorted(c.number for c in CASES if c.division == "综合处")
    assert decide(head, "assign", BY_NUMBER["0484"])
    assert not decide(head, "assign", BY_NUMBER["0091"])
    assert decide(head, "register")
    assert registrable_divisions(head, ["综合处", "项目管理处"]) == ["综合处"]


def test_leader_reads_led_divisions_only_and_cannot_update():
    leader = PEOPLE["陈静"]
    assert names(leader) == sorted(
        c.number for c in CASES if c.division in ("项目管理处", "投资促进一处", "投资促进二处"))
    assert not decide(leader, "update", BY_NUMBER["0091"])
    assert decide(leader, "report")


def test_head_and_office():
    assert names(PEOPLE["李明"]) == sorted(c.number for c in CASES)
    office = PEOPLE["周敏"]
    for action in ("import", "export", "approve_people", "edit_rules", "edit_calendar"):
        assert decide(office, action)
        assert not decide(PEOPLE["李明"], action)
    assert decide(office, "override", BY_NUMBER["0484"])
    assert not decide(PEOPLE["赵立"], "override", BY_NUMBER["0484"])


def test_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError):
        decide(PEOPLE["周敏"], "delete_everything")


def test_a_group_may_use_help_and_only_allowable_commands_the_office_chose():
    from bot.domain.access import GROUP_ALLOWABLE, group_commands, group_may_answer

    assert group_commands(None) == ("help",)
    assert group_may_answer([], "help") and not group_may_answer([], "overdue")
    assert group_may_answer(["overdue"], "overdue")
    # a stored name that is not allowable in groups is ignored (cards, changes, people)
    for name in ("case", "new", "update", "people", "export", "mine"):
        assert name not in GROUP_ALLOWABLE
        assert group_may_answer([name], name).reason == "group.private_only"
    office = next(p for p in sample_people() if p.position == "office")
    handler = next(p for p in sample_people() if p.position == "handler")
    assert decide(office, "edit_groups") and not decide(handler, "edit_groups")
