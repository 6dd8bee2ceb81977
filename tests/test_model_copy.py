"""The model's fast ``to_dict`` and ``copy`` (``model.plain`` / ``model.clone``) give exactly
what ``dataclasses.asdict`` and ``copy.deepcopy`` give, and share nothing mutable with the
original."""

from __future__ import annotations

import copy
import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.model import Actor, Case, Clock, Person, clone, plain
from tests.test_lifecycle import cases


def _mutables(value, out):
    """Every list, dict and dataclass object reachable from ``value`` (by identity)."""
    if isinstance(value, (list, dict)) or dataclasses.is_dataclass(value):
        out.add(id(value))
        items = (value if isinstance(value, list) else value.values() if isinstance(value, dict)
                 else vars(value).values())
        for v in items:
            _mutables(v, out)
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(n_max=4), st.dictionaries(st.text(min_size=1, max_size=5), st.text(max_size=5),
                                      max_size=3))
def test_to_dict_and_copy_are_asdict_and_deepcopy(some, extra):
    for case in some:
        case.extra = extra
        assert case.to_dict() == dataclasses.asdict(case)
        assert list(case.to_dict()) == [f.name for f in dataclasses.fields(Case)]
        twin = case.copy()
        assert twin == copy.deepcopy(case)
        assert type(twin.clocks.get("reply", Clock())) is Clock
        assert not _mutables(twin, set()) & _mutables(case, set())
        # the copy and the dict are independent of the original
        twin.proposers.append("新")
        twin.extra["新"] = "x"
        assert "新" not in case.proposers and "新" not in case.extra


def test_documents_and_odd_values_fall_back_to_the_generic_copy():
    case = Case(kind="suggestion", number="0001", year=2020, title="关于测试的建议",
                role="lead")
    case.documents = [{"type": "other", "url": "https://example.org/a", "by": "张三"}]
    case.extra = {"备注": "x"}
    case.handler = Actor("张三", 7)  # a str subclass: copied the generic way
    assert case.to_dict() == dataclasses.asdict(case)
    twin = case.copy()
    assert twin == copy.deepcopy(case) and twin.documents is not case.documents
    assert type(twin.handler) is Actor and twin.handler.id == 7
    assert plain((1, [2])) == (1, [2]) and clone((1, [2])) == (1, [2])


def test_person_to_dict_and_copy():
    p = Person(name="张三", position="handler", division="综合处", leads_divisions=["综合处"],
               telegram=5)
    assert p.to_dict() == dataclasses.asdict(p)
    twin = p.copy()
    assert twin == p and twin.leads_divisions is not p.leads_divisions


def _diff_by_dicts(old: Case, new: Case):
    """diff_cases as it was first written: both cases as whole dicts, compared key by key."""
    skip = {"id", "version", "created_at", "updated_at", "clocks"}
    a, b = dataclasses.asdict(old), dataclasses.asdict(new)
    out = [(name, a[name], b[name]) for name in a if name not in skip and a[name] != b[name]]
    for name in sorted(set(a["clocks"]) | set(b["clocks"])):
        ca, cb = a["clocks"].get(name), b["clocks"].get(name)
        if ca != cb:
            out.append((f"clocks.{name}", ca, cb))
    return out


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(n_max=6))
def test_diff_cases_is_the_whole_dict_comparison(some):
    from bot.domain.model import diff_case_docs, diff_cases

    for old in some:
        for new in some:
            assert diff_cases(old, new) == _diff_by_dicts(old, new)
            # the store's diff of a save against the stored document gives the same list
            assert diff_case_docs(old.to_dict(), new.to_dict()) == _diff_by_dicts(old, new)
        assert diff_cases(old, old.copy()) == []
        assert diff_case_docs(old.to_dict(), old.copy().to_dict()) == []
