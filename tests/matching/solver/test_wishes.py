"""The shared-language rule, the student's own wishes and diets with their implications: each
new hard rule keeps a pair out, says so in the unplaced reasons, and never lets a breaking pair
through (property tests against the plain-Python checker)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.services.vocabulary import REFERENCE_VOCABULARY
from matching.solver import HostIn, LanguageRule, Problem, SolverInputError, StudentIn, solve
from matching.solver.encode import encode
from matching.solver.metrics import list_hard_rule_violations, rule_breaks
from matching.solver.rules import PAIR_RULES, pair_rules

from .strategies import problems

DATES = ("2027-01-17", "2027-01-24")
RULE = LanguageRule()  # the programmes' default: conversational, or easy Japanese


def _solve(students: list[StudentIn], hosts: list[HostIn], **kw: object) -> object:
    kw.setdefault("vocabulary", REFERENCE_VOCABULARY)
    return solve(Problem(students=tuple(students), hosts=tuple(hosts), date_labels=DATES, **kw))


def _placed(students: list[StudentIn], hosts: list[HostIn], **kw: object) -> set[tuple[int, int]]:
    r = _solve(students, hosts, **kw)
    return {(a.student_key, a.host_key) for a in r.assignments}  # type: ignore[attr-defined]


def _reasons(students: list[StudentIn], hosts: list[HostIn], **kw: object) -> list[object]:
    r = _solve(students, hosts, **kw)
    return r.unplaced_students[0].reasons  # type: ignore[attr-defined]


VI = StudentIn(key=1, dates=(0,), languages={"vi": "native"})
JA_HOME = HostIn(key=9, seats={0: 1}, languages={"ja": "native"})


def test_a_student_and_a_family_with_no_shared_language_are_not_matched() -> None:
    assert _placed([VI], [JA_HOME], language_rule=RULE) == set()
    reason = _reasons([VI], [JA_HOME], language_rule=RULE)[0]
    assert reason.code == "language"  # type: ignore[attr-defined]
    assert reason.params["level"] == "intermediate"  # type: ignore[attr-defined]
    # Without the programme's rule the pair is allowed, as before.
    assert _placed([VI], [JA_HOME]) == {(1, 9)}


def test_a_student_without_japanese_gets_no_practice_points() -> None:
    r = _solve([VI], [JA_HOME])
    assert r.assignments[0].breakdown["language"] == 0.0  # type: ignore[attr-defined]
    learner = StudentIn(key=1, dates=(0,), languages={"vi": "native", "ja": "beginner"})
    r = _solve([learner], [JA_HOME])
    # a beginner's shared level (0.7 x 1/4) plus the practice bonus (0.3), of 30 points
    assert r.assignments[0].breakdown["language"] == pytest.approx(30 * (0.7 / 4 + 0.3))  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("student_ja", "easy", "rule", "placed"),
    [
        ("beginner", True, RULE, True),  # easy Japanese with a family that speaks slowly
        ("beginner", False, RULE, False),  # a beginner alone is not conversational
        ("intermediate", False, RULE, True),  # conversational Japanese on both sides
        ("beginner", True, LanguageRule(easy_japanese_level=None), False),  # path switched off
        (
            "intermediate",
            True,
            LanguageRule(level="advanced", easy_japanese_level="advanced"),
            False,
        ),
        ("beginner", False, LanguageRule(level="beginner"), True),
    ],
)
def test_the_language_rule_follows_the_programme_setting(
    student_ja: str, easy: bool, rule: LanguageRule, placed: bool
) -> None:
    s = StudentIn(key=1, dates=(0,), languages={"vi": "native", "ja": student_ja})
    h = HostIn(key=9, seats={0: 1}, languages={"ja": "native"}, easy_japanese=easy)
    assert bool(_placed([s], [h], language_rule=rule)) is placed


def test_easy_japanese_needs_a_family_that_speaks_japanese() -> None:
    s = StudentIn(key=1, dates=(0,), languages={"ja": "beginner"})
    h = HostIn(key=9, seats={0: 1}, languages={"en": "native"}, easy_japanese=True)
    assert _placed([s], [h], language_rule=RULE) == set()


def test_a_bad_language_level_is_named() -> None:
    with pytest.raises(SolverInputError, match=r"language_rule\.level"):
        _solve([VI], [JA_HOME], language_rule=LanguageRule(level="fluent"))


@pytest.mark.parametrize(
    ("student_diet", "host_diets", "placed"),
    [
        (("vegetarian",), ("vegan",), True),  # a vegan kitchen hosts a vegetarian
        (("vegan",), ("vegetarian",), False),
        (("no_alcohol",), ("halal",), True),  # halal food has no alcohol
        (("no_pork",), ("halal",), True),
        (("halal",), ("no_pork", "no_alcohol"), False),  # no pork is not yet halal
        (("halal",), ("halal",), True),
        (("no_beef",), ("vegan",), True),
    ],
)
def test_diets_carry_their_implications(
    student_diet: tuple[str, ...], host_diets: tuple[str, ...], placed: bool
) -> None:
    s = StudentIn(key=1, dates=(0,), diet=student_diet)
    h = HostIn(key=9, seats={0: 1}, diets_supported=host_diets)
    assert bool(_placed([s], [h])) is placed


def test_the_diet_reason_names_the_students_own_diet() -> None:
    s = StudentIn(key=1, dates=(0,), diet=("halal",))
    h = HostIn(key=9, seats={0: 1}, diets_supported=("vegan",))
    reason = _reasons([s], [h])[0]
    assert (reason.code, reason.params["diets"]) == ("diet", ["halal"])  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("wish", "lacking", "fitting", "code"),
    [
        ({"avoid_pets": ("dog",)}, {"pets": ("dog",)}, {"pets": ("cat",)}, "pet_wish"),
        ({"allergies": ("bird",)}, {"pets": ("bird",)}, {}, "pet"),
        ({"allergies": ("rabbit",)}, {"pets": ("rabbit",)}, {}, "pet"),
        ({"allergies": ("small_animal",)}, {"pets": ("small_animal",)}, {}, "pet"),
        ({"needs_alcohol_free": True}, {}, {"alcohol_free": True}, "alcohol"),
        ({"needs_step_free": True}, {}, {"step_free": True}, "step_free"),
        ({"needs_prayer_space": True}, {}, {"prayer_space": True}, "prayer"),
        (
            {"household_preference": "woman_at_home"},
            {"household_genders": "men_only"},
            {"household_genders": "mixed"},
            "household",
        ),
        (
            {"household_preference": "women_only"},
            {"household_genders": "mixed"},
            {"household_genders": "women_only"},
            "household",
        ),
        (
            {"household_preference": "men_only"},
            {"household_genders": "mixed"},
            {"household_genders": "men_only"},
            "household",
        ),
        ({"children_preference": "with_children"}, {}, {"has_children": True}, "children"),
        ({"children_preference": "without_children"}, {"has_children": True}, {}, "children"),
    ],
)
def test_each_wish_keeps_out_the_homes_that_lack_it(
    wish: dict[str, object], lacking: dict[str, object], fitting: dict[str, object], code: str
) -> None:
    s = StudentIn(key=1, dates=(0,), **wish)  # type: ignore[arg-type]
    bad = HostIn(key=9, seats={0: 1}, **lacking)  # type: ignore[arg-type]
    good = HostIn(key=8, seats={0: 1}, **fitting)  # type: ignore[arg-type]
    assert _placed([s], [bad]) == set()
    assert [r.code for r in _reasons([s], [bad])] == [code]  # type: ignore[attr-defined]
    assert _placed([s], [bad, good]) == {(1, 8)}
    host_reasons = _solve([s], [bad]).unplaced_hosts[0].reasons  # type: ignore[attr-defined]
    assert [r.code for r in host_reasons] == [code]


def test_a_bigger_household_earns_no_more_points() -> None:
    s = StudentIn(key=1, dates=(0,))
    alone = _solve([s], [HostIn(key=9, seats={0: 1}, household_size=1)])
    big = _solve([s], [HostIn(key=9, seats={0: 1}, household_size=6)])
    assert alone.assignments[0].score == big.assignments[0].score  # type: ignore[attr-defined]


@pytest.mark.parametrize("size", [0, -2])
def test_a_household_of_no_one_is_refused(size: int) -> None:
    with pytest.raises(SolverInputError, match=r"hosts\[9\]\.household_size"):
        _solve([], [HostIn(key=9, seats={0: 1}, household_size=size)])


@pytest.mark.parametrize("cause", ["met_before", "bad_feedback"])
def test_a_family_excluded_for_history_is_told_the_cause(cause: str) -> None:
    s = StudentIn(key=1, dates=(0,))
    r = _solve([s], [HostIn(key=9, seats={0: 1})], forbidden={(1, 9): cause})
    reason = r.unplaced_hosts[0].reasons[0]  # type: ignore[attr-defined]
    assert (reason.code, reason.params["reasons"]) == ("forbidden", [cause])
    assert "coordinator" not in reason.text


def test_a_guest_who_gave_no_gender_is_worded_as_such() -> None:
    s = StudentIn(key=1, dates=(0,), gender="unspecified")
    h = HostIn(key=9, seats={0: 1}, guest_gender_preference="female")
    text = _reasons([s], [h])[0].text  # type: ignore[attr-defined]
    assert "a unspecified" not in text
    assert text == "no family on your dates welcomes a guest who did not give a gender"


def test_a_combination_names_only_the_rules_that_removed_families() -> None:
    s = StudentIn(key=1, dates=(0,), needs_step_free=True, needs_prayer_space=True)
    steps = HostIn(key=8, seats={0: 1}, prayer_space=True)
    no_room = HostIn(key=9, seats={0: 1}, step_free=True)
    reason = _reasons([s], [steps, no_room])[0]
    assert reason.params["rules"] == ["step_free", "prayer"]  # type: ignore[attr-defined]


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(problems(max_students=8, max_hosts=4))
def test_a_pair_that_breaks_any_rule_is_never_proposed(p: Problem) -> None:
    r = solve(p)
    assert list_hard_rule_violations(p, r) == []


@SETTINGS
@given(problems(max_students=8, max_hosts=5))
def test_the_vectorised_rules_agree_with_the_plain_checker_on_every_pair(p: Problem) -> None:
    enc = encode(p)
    si = np.arange(enc.n)[:, None]
    hi = np.arange(enc.m)[None, :]
    rules = pair_rules(enc, si, hi)
    assert set(rules) == set(PAIR_RULES)
    ok = np.logical_and.reduce([rules[k] for k in PAIR_RULES]) if enc.n and enc.m else None
    for i, s in enumerate(p.students):
        for j, h in enumerate(p.hosts):
            assert bool(ok[i, j]) is (not rule_breaks(p, s, h))  # type: ignore[index]


@SETTINGS
@given(problems(max_students=6, max_hosts=3, mode="stable"))
def test_stable_mode_never_proposes_a_breaking_pair_either(p: Problem) -> None:
    assert list_hard_rule_violations(p, solve(p)) == []


def test_the_students_first_choice_of_day_scores_more() -> None:
    s = StudentIn(key=1, dates=(0, 1), date_ranks=(1, 0))
    first_day_only = HostIn(key=8, seats={0: 1})
    second_day_only = HostIn(key=9, seats={1: 1})
    r = _solve([s], [first_day_only, second_day_only])
    (a,) = r.assignments  # type: ignore[attr-defined]
    assert (a.host_key, a.date_index, a.breakdown["dates"]) == (9, 1, 5.0)
    r = _solve([s], [first_day_only])
    assert r.assignments[0].breakdown["dates"] == 2.5  # type: ignore[attr-defined]
    unranked = StudentIn(key=1, dates=(0, 1))
    assert _solve([unranked], [first_day_only]).assignments[0].breakdown["dates"] == 5.0  # type: ignore[attr-defined]


def test_the_visit_is_set_on_the_first_choice_when_it_has_a_seat() -> None:
    s = StudentIn(key=1, dates=(0, 1), date_ranks=(1,))
    both_days = HostIn(key=9, seats={0: 1, 1: 1})
    assert [a.date_index for a in _solve([s], [both_days]).assignments] == [1]  # type: ignore[attr-defined]
    other = StudentIn(key=2, dates=(1,))
    r = _solve([s, other], [both_days])
    # the only student who can come on day 1 keeps it; the first student takes day 0
    assert {(a.student_key, a.date_index) for a in r.assignments} == {(1, 0), (2, 1)}  # type: ignore[attr-defined]


def test_a_placement_scores_the_day_it_is_on_not_the_best_day_the_family_offers() -> None:
    """Issue 20: the dates criterion used to count the best-ranked day the family offered, and
    the visit then moved there only if that day still had a seat."""
    s = StudentIn(key=1, dates=(0, 1), date_ranks=(1,))
    other = StudentIn(key=2, dates=(1,))
    r = _solve([s, other], [HostIn(key=9, seats={0: 1, 1: 1})])
    at = {a.student_key: a for a in r.assignments}  # type: ignore[attr-defined]
    assert (at[1].date_index, at[1].breakdown["dates"]) == (0, 0.0)
    assert at[1].score == pytest.approx(sum(at[1].breakdown.values()), abs=1e-6)
    # with a seat on each day elsewhere, the student's first choice wins over the same family
    r = _solve([s, other], [HostIn(key=9, seats={0: 1, 1: 1}), HostIn(key=8, seats={1: 1})])
    assert {a.student_key: a.date_index for a in r.assignments} == {1: 1, 2: 1}  # type: ignore[attr-defined]


def _wish(s: StudentIn, day: int) -> float:
    """The student's wish for ``day`` in [0, 1], written again from the ranking."""
    if not s.date_ranks:
        return 1.0
    if day not in s.date_ranks:
        return 0.0
    return 1.0 - s.date_ranks.index(day) / len(s.date_ranks)


@st.composite
def ranked_rounds(draw: st.DrawFn) -> Problem:
    """Small rounds where days are contested: every student ranks some of its days, every
    family offers one or two seats on one or both, no other rule keeps a pair apart."""
    students = []
    for k in range(draw(st.integers(1, 6))):
        dates = tuple(sorted(draw(st.sets(st.sampled_from((0, 1)), min_size=1))))
        ranks = tuple(draw(st.permutations(dates))[: draw(st.integers(0, len(dates)))])
        interests = tuple(draw(st.sets(st.sampled_from(("cooking", "anime", "music")))))
        students.append(StudentIn(key=k + 1, dates=dates, date_ranks=ranks, interests=interests))
    hosts = []
    for k in range(draw(st.integers(1, 3))):
        seats = draw(st.dictionaries(st.sampled_from((0, 1)), st.integers(1, 2), min_size=1))
        interests = tuple(draw(st.sets(st.sampled_from(("cooking", "anime", "music")))))
        hosts.append(HostIn(key=100 + k, seats=seats, interests=interests))
    return Problem(
        students=tuple(students),
        hosts=tuple(hosts),
        date_labels=DATES,
        vocabulary=REFERENCE_VOCABULARY,
    )


@SETTINGS
@given(st.one_of(ranked_rounds(), problems(max_students=6, max_hosts=3)))
def test_every_placement_scores_its_own_day_and_the_optimum_counts_the_day(p: Problem) -> None:
    from matching.solver.pipeline import choose_quantum
    from matching.solver.score import resolve_weights

    from ._support import brute_force

    r = solve(p)
    weights = resolve_weights(p.weights)
    students = {s.key: s for s in p.students}
    for a in r.assignments:
        expect = weights["dates"] * _wish(students[a.student_key], a.date_index)
        assert a.breakdown["dates"] == pytest.approx(expect, abs=1e-3), a
        assert a.score == pytest.approx(sum(a.breakdown.values()), abs=1e-6)
    q = choose_quantum(len(p.students), weights)
    value = (len(r.assignments), round(sum(a.score for a in r.assignments) / q))
    assert value == brute_force(p)


@pytest.mark.parametrize("ranks", [(0, 0), (2,), (1,)])
def test_a_ranking_outside_the_students_days_is_named(ranks: tuple[int, ...]) -> None:
    s = StudentIn(key=1, dates=(0,), date_ranks=ranks)
    with pytest.raises(SolverInputError, match=r"students\[1\]\.date_ranks"):
        _solve([s], [])


@SETTINGS
@given(problems(max_students=8, max_hosts=4))
def test_no_placed_student_could_move_to_a_better_ranked_free_day_of_the_same_family(
    p: Problem,
) -> None:
    r = solve(p)
    used: dict[tuple[int, int], int] = {}
    for a in r.assignments:
        used[(a.host_key, a.date_index)] = used.get((a.host_key, a.date_index), 0) + 1
    students = {s.key: s for s in p.students}
    hosts = {h.key: h for h in p.hosts}
    for a in r.assignments:
        ranks = students[a.student_key].date_ranks
        if not ranks:
            continue
        rank = {d: i for i, d in enumerate(ranks)}
        here = rank.get(a.date_index, len(ranks))
        for d, seats in hosts[a.host_key].seats.items():
            better = rank.get(d, len(ranks)) < here
            free = seats - used.get((a.host_key, d), 0) > 0
            assert not (better and free and d in students[a.student_key].dates), (a, d)
