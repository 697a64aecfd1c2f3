"""Groups (together on the same family and day, or not at all), "not alone", and fair ties."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.instances import make_identical, make_problem
from matching.services.vocabulary import REFERENCE_VOCABULARY
from matching.solver import HostIn, Problem, Result, StudentIn, hard_rule_violations, solve
from matching.solver.priority import lottery

from ._support import slot_options
from .strategies import problems

DATES = ("2027-01-17", "2027-01-24")


def _problem(students: list[StudentIn], hosts: list[HostIn], **kw: object) -> Problem:
    return Problem(
        students=tuple(students),
        hosts=tuple(hosts),
        date_labels=DATES,
        vocabulary=REFERENCE_VOCABULARY,
        **kw,  # type: ignore[arg-type]
    )


def _at(r: Result) -> dict[int, tuple[int, int]]:
    return {a.student_key: (a.host_key, a.date_index) for a in r.assignments}


def _keeps_rules(p: Problem, r: Result) -> bool:
    at = _at(r)
    for a, b in p.groups:
        if at.get(a) != at.get(b):
            return False
    load: dict[tuple[int, int], int] = {}
    for slot in at.values():
        load[slot] = load.get(slot, 0) + 1
    return all(load[at[s.key]] >= 2 for s in p.students if s.not_alone and s.key in at)


def _brute(p: Problem) -> tuple[int, int]:
    """(placed, total) of the best placement that keeps the group and "not alone" rules."""
    slots, cap, options = slot_options(p)
    keys = [s.key for s in p.students]
    best = (0, 0)
    for combo in itertools.product(*[[*opts, (None, 0)] for opts in options]):
        used: dict[int, int] = {}
        for k, _ in combo:
            if k is not None:
                used[k] = used.get(k, 0) + 1
        if any(used[k] > cap[slots[k]] for k in used):
            continue
        at = {keys[i]: k for i, (k, _) in enumerate(combo)}
        if any(at[a] != at[b] for a, b in p.groups):
            continue
        if any(s.not_alone and at[s.key] is not None and used[at[s.key]] < 2 for s in p.students):
            continue
        best = max(best, (len(used) and sum(used.values()), sum(w for _, w in combo)))
    return best


def _value(p: Problem, r: Result) -> tuple[int, int]:
    _, _, options = slot_options(p)
    slots, _, _ = slot_options(p)
    idx = {s.key: i for i, s in enumerate(p.students)}
    total = 0
    for a in r.assignments:
        k = slots.index(
            (next(i for i, h in enumerate(p.hosts) if h.key == a.host_key), a.date_index)
        )
        total += dict(options[idx[a.student_key]])[k]
    return len(r.assignments), total


@st.composite
def grouped(draw: st.DrawFn, mode: str = "optimal") -> Problem:
    p = draw(problems(max_students=6, max_hosts=3, mode=mode))
    keys = [s.key for s in p.students]
    order = draw(st.permutations(keys))
    k = draw(st.integers(0, len(keys) // 2))
    groups = tuple((order[2 * i], order[2 * i + 1]) for i in range(k))
    alone = draw(st.sets(st.sampled_from(keys), max_size=2)) if keys else set()
    students = tuple(dataclasses.replace(s, not_alone=s.key in alone) for s in p.students)
    return dataclasses.replace(p, students=students, groups=groups)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grouped())
def test_groups_and_not_alone_are_kept_and_the_result_is_the_exact_optimum(p: Problem) -> None:
    r = solve(p)
    assert hard_rule_violations(p, r) == 0
    assert _keeps_rules(p, r)
    assert _value(p, r) == _brute(p)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grouped(mode="stable"))
def test_stable_mode_keeps_groups_and_not_alone_too(p: Problem) -> None:
    r = solve(p)
    assert hard_rule_violations(p, r) == 0
    assert _keeps_rules(p, r)


def test_a_pair_is_placed_together_and_the_explanation_names_the_partner() -> None:
    a = StudentIn(key=1, dates=(0, 1))
    b = StudentIn(key=2, dates=(1,))
    one = HostIn(key=10, seats={0: 2, 1: 1})
    two = HostIn(key=11, seats={1: 2})
    r = solve(_problem([a, b], [one, two], groups=((1, 2),)))
    assert _at(r) == {1: (11, 1), 2: (11, 1)}
    # no family has two seats on the one day both can come: neither goes, and both are told
    r = solve(_problem([a, b], [one], groups=((1, 2),)))
    assert r.assignments == []
    reasons = {u.key: u.reasons[0] for u in r.unplaced_students}
    assert reasons[1].code == "group" and reasons[1].params == {"partner": 2}
    assert reasons[2].params == {"partner": 1}


def test_not_alone_is_placed_only_beside_a_second_student() -> None:
    shy = StudentIn(key=1, dates=(0,), not_alone=True)
    r = solve(_problem([shy], [HostIn(key=10, seats={0: 2})]))
    assert r.assignments == [] and r.unplaced_students[0].reasons[0].code == "not_alone"
    other = StudentIn(key=2, dates=(0,))
    r = solve(_problem([shy, other], [HostIn(key=9, seats={0: 1}), HostIn(key=10, seats={0: 2})]))
    assert _at(r) == {1: (10, 0), 2: (10, 0)}


def test_bad_groups_are_named() -> None:
    from matching.solver import SolverInputError

    s = [StudentIn(key=1, dates=(0,)), StudentIn(key=2, dates=(0,)), StudentIn(key=3, dates=(0,))]
    with pytest.raises(SolverInputError, match=r"groups\[\(1, 9\)\]"):
        solve(_problem(s, [], groups=((1, 9),)))
    with pytest.raises(SolverInputError, match="two groups"):
        solve(_problem(s, [], groups=((1, 2), (2, 3))))


def _without_cuts_or_fixing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference: the integer programme over every pair, with no cut and no fixing."""
    from matching.solver import groups, programme

    monkeypatch.setattr(groups, "FIRST_GAP", 10**12)
    monkeypatch.setattr(programme.Programme, "separate", lambda self, cols, x: 0)


def test_a_round_with_friend_pairs_equals_the_integer_programme_over_every_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The odd-set cuts and the reduced-cost fixing prove the first programme optimal; the
    programme over every pair of the graph, without either, finds the same value."""
    p = with_pairs(make_problem(240, seed=4, families_per_student=0.4), 0.2)
    r = solve(p)
    assert hard_rule_violations(p, r) == 0 and _keeps_rules(p, r)
    assert r.stats["assign_info"]["cuts"] > 0
    _without_cuts_or_fixing(monkeypatch)
    full = solve(p)
    assert full.stats["assign_info"]["cuts"] == 0
    assert (full.stats["matched"], full.stats["total_score"]) == (
        r.stats["matched"],
        r.stats["total_score"],
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 10**6),
    st.sampled_from((0.3, 0.55)),
    st.sampled_from((0.2, 0.4)),
    st.integers(0, 6),
)
def test_odd_set_cuts_never_cut_off_the_optimum(
    seed: int, families: float, share: float, alone: int
) -> None:
    """Rounds of 60-120 students with friend pairs and "not alone" students: the solver (cuts,
    fixing) equals the integer programme over every pair without them."""
    p = with_pairs(make_problem(60 + seed % 61, seed=seed, families_per_student=families), share)
    students = tuple(
        dataclasses.replace(s, not_alone=i < alone and not any(s.key in gr for gr in p.groups))
        for i, s in enumerate(p.students)
    )
    p = dataclasses.replace(p, students=students)
    r = solve(p)
    assert hard_rule_violations(p, r) == 0 and _keeps_rules(p, r)
    with pytest.MonkeyPatch.context() as mp:
        _without_cuts_or_fixing(mp)
        full = solve(p)
    assert (full.stats["matched"], full.stats["total_score"]) == (
        r.stats["matched"],
        r.stats["total_score"],
    )


def with_pairs(p: Problem, share: float) -> Problem:
    from bench.instances import add_friend_pairs

    return add_friend_pairs(p, share, seed=1)


# --- fair ties ---


def _twins(n: int, **kw: object) -> list[StudentIn]:
    return [dataclasses.replace(StudentIn(key=k, dates=(0,)), **kw) for k in range(1, n + 1)]


def test_first_time_visitors_go_first_then_those_unplaced_before() -> None:
    seat = [HostIn(key=10, seats={0: 1})]
    a, b = _twins(2)
    r = solve(_problem([dataclasses.replace(a, visits_before=1), b], seat))
    assert _at(r) == {2: (10, 0)}
    lost = r.unplaced_students[0].reasons[-1]
    assert lost.code == "priority" and lost.params["first_visit"] is False
    r = solve(_problem([dataclasses.replace(a, unplaced_before=1), b], seat))
    assert _at(r) == {1: (10, 0)}


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.permutations(range(8)))
def test_the_lottery_replays_from_its_seed_whatever_the_order(seed: int, order: list[int]) -> None:
    students = _twins(8)
    hosts = [HostIn(key=10, seats={0: 2}), HostIn(key=11, seats={0: 1})]
    r1 = solve(_problem(students, hosts, lottery_seed=seed))
    r2 = solve(_problem([students[i] for i in order], hosts, lottery_seed=seed))
    placed = {a.student_key for a in r1.assignments}
    assert placed == {a.student_key for a in r2.assignments}
    ticket = lottery(np.arange(1, 9), seed)
    assert placed == {int(k) for k in np.argsort(ticket)[:3] + 1}
    lost = {u.key: u.reasons[-1].params for u in r1.unplaced_students}
    assert all(v["lottery_seed"] == seed for v in lost.values())


def test_different_seeds_draw_different_students() -> None:
    students, hosts = _twins(20), [HostIn(key=10, seats={0: 1})]
    winners = {
        solve(_problem(students, hosts, lottery_seed=s)).assignments[0].student_key
        for s in range(12)
    }
    assert len(winners) > 1


def test_the_hard_tier_is_placed_first_even_against_a_better_score() -> None:
    best = StudentIn(key=1, dates=(0,), interests=("cooking", "anime", "music"))
    twice = StudentIn(key=2, dates=(0,), unplaced_before=2)
    seat = [HostIn(key=10, seats={0: 1}, interests=("cooking", "anime", "music"))]
    assert _at(solve(_problem([best, twice], seat))) == {1: (10, 0)}
    for mode in ("optimal", "stable"):
        r = solve(_problem([best, twice], seat, unplaced_twice_first=True, mode=mode))
        assert _at(r) == {2: (10, 0)}, mode
        assert r.stats["hard_tier"] == 1


def test_ties_in_a_short_round_go_by_the_order_and_stay_optimal() -> None:
    p = make_identical(300, families_per_student=0.2, seats=2)
    students = tuple(
        dataclasses.replace(s, visits_before=int(i % 3 != 0)) for i, s in enumerate(p.students)
    )
    r = solve(dataclasses.replace(p, students=students, lottery_seed=7))
    assert r.stats["matched"] == 120
    first = {s.key for s in students if s.visits_before == 0}
    assert first <= {a.student_key for a in r.assignments}  # 100 first-timers, 120 seats
