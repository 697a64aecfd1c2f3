"""The language-exchange solver: rules, scores, optimality against brute force and networkx,
the certified bound, reasons, determinism, pins.  Pure: no Django.  The engine on general
graphs: test_exchange_engine.py."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.solver import exchange
from matching.solver.exchange import (
    EXCHANGE_CRITERIA,
    EXCHANGE_DEFAULT_WEIGHTS,
    LEVEL_RANK,
    ExchangeApplicant,
    ExchangeProblem,
    build_arrays,
    engine,
    solve_exchange,
    travel_minutes,
)
from tests.matching.solver._exchange_support import (
    SLOTS,
    STATIONS,
    english,
    networkx_optimum,
    person,
)

# ---------------------------------------------------------------------------------------------
# An independent statement of the rules, pair by pair, to check the vectorised mask against.


def _teaches(t: ExchangeApplicant, learner: ExchangeApplicant) -> bool:
    return any(
        code in learner.learns and LEVEL_RANK[level] > LEVEL_RANK[learner.learns[code]]
        for code, level in t.teaches.items()
    )


def _minutes(a: ExchangeApplicant, b: ExchangeApplicant) -> float:
    if None in (a.lat, a.lon, b.lat, b.lon):
        return math.nan
    m = travel_minutes(np.array([a.lat, b.lat]), np.array([a.lon, b.lon]))
    return float(m[0, 1])


def _reachable(a: ExchangeApplicant, b: ExchangeApplicant) -> bool:
    t = _minutes(a, b)
    if math.isnan(t) or a.max_travel_minutes is None or b.max_travel_minutes is None:
        return False
    return t <= a.max_travel_minutes and t <= b.max_travel_minutes


def _gender_ok(a: ExchangeApplicant, b: ExchangeApplicant) -> bool:
    return a.gender_preference in ("any", b.gender) and b.gender_preference in ("any", a.gender)


def pair_ok(
    a: ExchangeApplicant, b: ExchangeApplicant, forbidden: Sequence[tuple[int, int]]
) -> bool:
    if a.key == b.key or not (_teaches(a, b) and _teaches(b, a)):
        return False
    formats = {a.format, b.format}
    if formats == {"online", "in_person"}:
        return False
    if "in_person" in formats and not _reachable(a, b):
        return False
    if not set(a.time_slots) & set(b.time_slots):
        return False
    if not _gender_ok(a, b):
        return False
    return (a.key, b.key) not in forbidden and (b.key, a.key) not in forbidden


def brute_force(feasible: np.ndarray, score: np.ndarray) -> tuple[int, float]:
    """(most pairs, best score among those) by enumerating every matching."""
    n = len(score)

    def best(free: tuple[int, ...]) -> tuple[int, float]:
        if len(free) < 2:
            return 0, 0.0
        first, rest = free[0], free[1:]
        result = best(rest)  # first stays unpaired
        for other in rest:
            if feasible[first, other]:
                pairs, total = best(tuple(v for v in rest if v != other))
                candidate = (pairs + 1, total + float(score[first, other]))
                if candidate[0] > result[0] or (
                    candidate[0] == result[0] and candidate[1] > result[1] + 1e-12
                ):
                    result = candidate
        return result

    return best(tuple(range(n)))


levels = st.sampled_from(list(LEVEL_RANK))


@st.composite
def applicants(draw: st.DrawFn, key: int) -> ExchangeApplicant:
    codes = ["ja", "en", "vi"]
    teach_codes = draw(st.lists(st.sampled_from(codes), min_size=1, max_size=2, unique=True))
    learn_codes = draw(st.lists(st.sampled_from(codes), min_size=1, max_size=2, unique=True))
    station = draw(st.sampled_from([*STATIONS, (None, None)]))
    return ExchangeApplicant(
        key=key,
        teaches={c: draw(st.sampled_from(["advanced", "native"])) for c in teach_codes},
        learns={c: draw(levels) for c in learn_codes},
        format=draw(st.sampled_from(["online", "in_person", "either", "either"])),
        lat=station[0],
        lon=station[1],
        max_travel_minutes=draw(st.sampled_from([None, 30, 60, 120])),
        time_slots=tuple(draw(st.lists(st.sampled_from(SLOTS), min_size=0, max_size=3))),
        gender=draw(st.sampled_from(["female", "male", "unspecified"])),
        gender_preference=draw(st.sampled_from(["any", "any", "any", "female", "male"])),
        interests=tuple(draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=3))),
        times_unplaced=draw(st.integers(0, 4)),
    )


@st.composite
def problems(draw: st.DrawFn, max_size: int = 8) -> ExchangeProblem:
    n = draw(st.integers(0, max_size))
    keys = draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n, unique=True))
    people = [draw(applicants(k)) for k in keys]
    forbidden: dict[tuple[int, int], str] = {}
    if n >= 2:
        for a, b in draw(
            st.lists(st.tuples(st.sampled_from(keys), st.sampled_from(keys)), max_size=3)
        ):
            if a != b:
                forbidden[(a, b)] = "declined"
    weights = draw(
        st.dictionaries(st.sampled_from(EXCHANGE_CRITERIA), st.floats(0, 50), max_size=3)
    )
    return ExchangeProblem(applicants=people, weights=weights, forbidden=forbidden)


def check_result(problem: ExchangeProblem) -> None:
    result = solve_exchange(problem)
    arrays = build_arrays(problem)
    by_key = {p.key: p for p in problem.applicants}
    keys = [int(k) for k in arrays.enc.keys]
    forbidden = list(problem.forbidden)

    # The mask is the rules, pair by pair.
    expected = np.array(
        [[pair_ok(by_key[a], by_key[b], forbidden) for b in keys] for a in keys], dtype=bool
    ).reshape(len(keys), len(keys))
    assert np.array_equal(arrays.feasible, expected)

    seen: list[int] = []
    for pair in result.pairs:
        assert pair.a < pair.b
        assert pair_ok(by_key[pair.a], by_key[pair.b], forbidden)
        assert pair.score == pytest.approx(sum(pair.breakdown.values()), abs=1e-9)
        teachers = {(t, learner) for t, learner, _ in pair.directions}
        assert teachers == {(pair.a, pair.b), (pair.b, pair.a)}
        seen += [pair.a, pair.b]
    assert len(seen) == len(set(seen))
    assert sorted(seen + [u.key for u in result.unplaced]) == sorted(keys)

    pairs, total = brute_force(expected, arrays.score)
    assert len(result.pairs) == pairs
    assert result.stats["total_score"] == pytest.approx(total, abs=1e-6)
    assert result.stats["upper_bound"] >= result.stats["total_score"] - 1e-9
    assert result.stats["pairs_upper_bound"] >= len(result.pairs)
    assert result.stats["gap"] >= 0
    assert result.stats["paired"] + result.stats["unpaired"] == len(keys)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_small_instances_match_brute_force(problem: ExchangeProblem) -> None:
    check_result(problem)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_candidate_path_matches_brute_force(problem: ExchangeProblem) -> None:
    # Force the large-component path (candidate edges + Lagrangian bound) on small instances.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "EXACT_EDGE_LIMIT", -1)
        check_result(problem)


def test_medium_problem_equals_networkx() -> None:
    rng = random.Random(11)
    people = []
    for key in range(1, 161):
        if rng.random() < 0.5:
            teaches, learns = {"ja": "native"}, {rng.choice(["en", "vi", "zh"]): "beginner"}
        else:
            teaches = {rng.choice(["en", "vi", "zh"]): "native"}
            learns = {"ja": rng.choice(["beginner", "intermediate"])}
        lat, lon = rng.choice(STATIONS)
        people.append(
            person(
                key,
                teaches=teaches,
                learns=learns,
                format=rng.choice(["online", "in_person", "either"]),
                lat=lat,
                lon=lon,
                time_slots=tuple(rng.sample(SLOTS, rng.randint(1, 2))),
                gender=rng.choice(["female", "male"]),
                interests=tuple(rng.sample(["a", "b", "c", "d"], 2)),
            )
        )
    problem = ExchangeProblem(applicants=people)
    result = solve_exchange(problem)
    arrays = build_arrays(problem)
    pairs_nx, total_nx = networkx_optimum(arrays.feasible, arrays.score)
    assert len(result.pairs) == pairs_nx
    assert result.stats["total_score"] == pytest.approx(total_nx, abs=1e-6)
    assert result.stats["gap"] <= 1e-9


# ---------------------------------------------------------------------------------------------
# Rules, scores and reasons on crafted cases.


def reasons_of(result: exchange.ExchangeResult) -> dict[int, str]:
    return {u.key: u.reasons[0]["code"] for u in result.unplaced}


def test_reciprocal_pair_with_both_directions() -> None:
    result = solve_exchange(ExchangeProblem(applicants=[person(1), english(2)]))
    assert [(p.a, p.b) for p in result.pairs] == [(1, 2)]
    assert result.pairs[0].directions == [(1, 2, "ja"), (2, 1, "en")]
    assert set(result.pairs[0].breakdown) == set(EXCHANGE_CRITERIA)
    assert result.meetings[(1, 2)] == "online"
    assert result.stats["gap"] == 0.0


def test_teacher_must_be_above_the_learner() -> None:
    a = person(1, teaches={"ja": "native"}, learns={"en": "advanced"})
    b = person(2, teaches={"en": "advanced"}, learns={"ja": "beginner"})
    result = solve_exchange(ExchangeProblem(applicants=[a, b]))
    assert result.pairs == []
    assert reasons_of(result) == {1: "no_language_match", 2: "no_language_match"}


def test_format_travel_slot_gender_and_forbidden_reasons() -> None:
    far = {"lat": 35.90, "lon": 139.95, "max_travel_minutes": 30}
    cases: list[tuple[list[ExchangeApplicant], dict[tuple[int, int], str], str]] = [
        ([person(1, format="online"), english(2, format="in_person")], {}, "format_incompatible"),
        ([person(1, format="in_person"), english(2, format="either", **far)], {}, "travel_too_far"),
        ([person(1), english(2, time_slots=("sat-am",))], {}, "no_shared_time_slot"),
        (
            [person(1, gender_preference="female"), english(2, gender="male")],
            {},
            "gender_preference",
        ),
        ([person(1), english(2)], {(2, 1): "declined"}, "forbidden"),
    ]
    for people, forbidden, code in cases:
        result = solve_exchange(ExchangeProblem(applicants=people, forbidden=forbidden))
        assert result.pairs == [], code
        assert reasons_of(result) == {1: code, 2: code}
        reason = result.unplaced[0].reasons[0]
        assert reason["text"]
        if code == "forbidden":
            assert reason["params"]["why"] == ["declined"]


def test_either_pair_meets_in_person_when_reachable_and_online_otherwise() -> None:
    near = solve_exchange(
        ExchangeProblem(applicants=[person(1, format="either"), english(2, format="either")])
    )
    assert near.meetings[(1, 2)] == "in_person"
    far = solve_exchange(
        ExchangeProblem(
            applicants=[
                person(1, format="either"),
                english(2, format="either", lat=35.90, lon=139.95, max_travel_minutes=20),
            ]
        )
    )
    assert far.meetings[(1, 2)] == "online"
    assert far.pairs[0].breakdown["travel"] == pytest.approx(
        0.5 * EXCHANGE_DEFAULT_WEIGHTS["travel"]
    )


def test_partners_taken_and_fairness_breaks_the_tie() -> None:
    # One English teacher, two Japanese teachers: the one left over before gets the place.
    people = [person(1), person(2, times_unplaced=2), english(3)]
    result = solve_exchange(ExchangeProblem(applicants=people))
    assert [(p.a, p.b) for p in result.pairs] == [(2, 3)]
    assert reasons_of(result) == {1: "partners_taken"}
    assert result.unplaced[0].reasons[0]["params"] == {"candidates": 1}


def test_most_pairs_beat_a_better_single_pair() -> None:
    # 1-2 is the best pair, but pairing 1-3 and 2-4 places everybody.
    people = [
        person(1, interests=("a", "b")),
        english(2, interests=("a", "b")),
        english(3, interests=()),
        person(4, interests=()),
    ]
    result = solve_exchange(ExchangeProblem(applicants=people))
    assert len(result.pairs) == 2


def test_unknown_or_negative_weight_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown criteria"):
        solve_exchange(ExchangeProblem(applicants=[], weights={"beauty": 1.0}))
    with pytest.raises(ValueError, match="must be a finite"):
        solve_exchange(ExchangeProblem(applicants=[], weights={"travel": -1.0}))


def test_weights_change_the_scores() -> None:
    people = [person(1), english(2)]
    base = solve_exchange(ExchangeProblem(applicants=people))
    only_level = {c: 0.0 for c in EXCHANGE_CRITERIA} | {"level_fit": 10.0}
    result = solve_exchange(ExchangeProblem(applicants=people, weights=only_level))
    assert result.pairs[0].score == pytest.approx(10.0)  # natives teaching beginners: fit 1
    assert base.pairs[0].score != result.pairs[0].score


def test_empty_and_single() -> None:
    assert solve_exchange(ExchangeProblem(applicants=[])).stats["applicants"] == 0
    single = solve_exchange(ExchangeProblem(applicants=[person(5)]))
    assert reasons_of(single) == {5: "no_language_match"}


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        solve_exchange(ExchangeProblem(applicants=[person(1), english(1)]))


@settings(max_examples=25, deadline=None)
@given(problems(), st.randoms(use_true_random=False))
def test_same_input_same_answer_in_any_order(problem: ExchangeProblem, rnd: random.Random) -> None:
    shuffled = list(problem.applicants)
    rnd.shuffle(shuffled)
    first = solve_exchange(problem)
    second = solve_exchange(ExchangeProblem(shuffled, problem.weights, problem.forbidden))
    assert first.pairs == second.pairs
    assert first.unplaced == second.unplaced
    drop = {"solve_ms"}
    assert {k: v for k, v in first.stats.items() if k not in drop} == {
        k: v for k, v in second.stats.items() if k not in drop
    }


def test_solver_does_not_import_django() -> None:
    modules = sorted(Path(exchange.__file__).parent.glob("*.py"))
    assert len(modules) >= 5
    for module in modules:
        for line in module.read_text(encoding="utf-8").splitlines():
            assert not line.lstrip().startswith(("import django", "from django"))


def test_all_pairs_are_symmetric() -> None:
    people = [person(k) if k % 2 else english(k) for k in range(1, 13)]
    arrays = build_arrays(ExchangeProblem(applicants=people))
    assert np.array_equal(arrays.feasible, arrays.feasible.T)
    assert np.allclose(arrays.score, arrays.score.T)
    assert not arrays.feasible.diagonal().any()


def test_pins_are_kept_and_the_rest_is_solved_around_them() -> None:
    # 3 would be the better partner of 1 (fairness), but the coordinator pinned 1 with 2.
    people = [person(1), english(2), english(3, times_unplaced=3), person(4)]
    result = solve_exchange(ExchangeProblem(applicants=people, pins=[(2, 1)]))
    assert [(p.a, p.b) for p in result.pairs] == [(1, 2), (3, 4)]
    assert result.stats["pinned"] == 1
    assert result.stats["upper_bound"] >= result.stats["total_score"]
    alone = solve_exchange(ExchangeProblem(applicants=people[:3], pins=[(2, 1)]))
    assert [(p.a, p.b) for p in alone.pairs] == [(1, 2)]
    assert [(u.key, u.reasons[0]["code"]) for u in alone.unplaced] == [(3, "partners_taken")]


@pytest.mark.parametrize(
    ("pins", "message"),
    [
        ([(1, 9)], "9 is not an applicant"),
        ([(1, 2), (2, 1)], "pinned twice"),
        ([(1, 3)], "infeasible: no_language_match"),
    ],
)
def test_bad_pins_are_refused(pins: list[tuple[int, int]], message: str) -> None:
    people = [person(1), english(2), person(3)]
    with pytest.raises(exchange.ExchangePinError, match=message):
        solve_exchange(ExchangeProblem(applicants=people, pins=pins))


def test_forbidden_pin_names_the_rule() -> None:
    people = [person(1), english(2)]
    problem = ExchangeProblem(applicants=people, forbidden={(1, 2): "declined"}, pins=[(1, 2)])
    with pytest.raises(exchange.ExchangePinError, match="forbidden"):
        solve_exchange(problem)
