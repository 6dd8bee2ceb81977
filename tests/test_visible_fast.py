"""``visible()`` is written out per position for speed (benchmarks/bench_load.py): it must
give exactly what ``can(person, "view", case)`` gives, case by case, in the same order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.access import can, visible
from bot.domain.model import POSITIONS, Person
from bot.sample import sample_cases, sample_people

CASES = sample_cases()
DIVISIONS = sorted({c.division for c in CASES} | {"办公室", "别处"})
NAMES = sorted({c.handler for c in CASES} | {p.name for p in sample_people()} | {"无名"})


@st.composite
def people(draw) -> Person:
    position = draw(st.sampled_from(POSITIONS))
    return Person(draw(st.sampled_from(NAMES)), position,
                  division=draw(st.sampled_from(DIVISIONS)),
                  leads_divisions=draw(st.lists(st.sampled_from(DIVISIONS), max_size=3)),
                  approved=draw(st.booleans()), active=draw(st.booleans()))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(person=people(), order=st.permutations(range(len(CASES))))
def test_visible_is_can_view_case_by_case(person, order):
    cases = [CASES[i] for i in order]
    assert visible(person, cases) == [c for c in cases if can(person, "view", c)]
    assert visible(person, iter(cases)) == visible(person, cases)
