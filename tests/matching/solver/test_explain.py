"""Every reason code, on a crafted round, with the params a translation needs."""

from __future__ import annotations

import pytest

from matching.services.vocabulary import REFERENCE_VOCABULARY
from matching.solver import HostIn, Problem, Reason, StudentIn, solve

DATES = ("2027-01-17", "2027-01-24")
TACHIKAWA = (35.6980, 139.4138)
SHINJUKU = (35.6896, 139.7006)


def _student_reasons(students: list[StudentIn], hosts: list[HostIn], **kw: object) -> list[Reason]:
    p = Problem(
        students=tuple(students),
        hosts=tuple(hosts),
        date_labels=DATES,
        vocabulary=REFERENCE_VOCABULARY,
        **kw,
    )
    r = solve(p)
    u = next(x for x in r.unplaced_students if x.key == students[-1].key)
    return u.reasons


def _host_reasons(students: list[StudentIn], hosts: list[HostIn]) -> list[Reason]:
    r = solve(
        Problem(
            students=tuple(students),
            hosts=tuple(hosts),
            date_labels=DATES,
            vocabulary=REFERENCE_VOCABULARY,
        )
    )
    return next(x for x in r.unplaced_hosts if x.key == hosts[-1].key).reasons


S = StudentIn(key=1, dates=(0,))
H = HostIn(key=9, seats={0: 1})


@pytest.mark.parametrize(
    ("student", "host", "code", "params", "text"),
    [
        (
            StudentIn(key=1, dates=(1,)),
            H,
            "no_family_on_dates",
            {"dates": ["2027-01-24"]},
            "no family offers 2027-01-24",
        ),
        (
            StudentIn(key=1, dates=(0,), allergies=("cat",)),
            HostIn(key=9, seats={0: 1}, pets=("cat",)),
            "pet",
            {"pets": ["cat"], "families_on_dates": 1},
            "no family on your dates is free of cats",
        ),
        (
            StudentIn(key=1, dates=(0,), needs_non_smoking=True),
            HostIn(key=9, seats={0: 1}, smoking=True),
            "smoking",
            {},
            "no family on your dates is smoke-free",
        ),
        (
            StudentIn(key=1, dates=(0,), diet=("halal",)),
            HostIn(key=9, seats={0: 1}, diets_supported=("vegan",)),
            "diet",
            {"diets": ["halal"]},
            "no family caters for halal",
        ),
        (
            StudentIn(key=1, dates=(0,), allergies=("peanut",)),
            H,
            "allergen",
            {"allergens": ["peanut"]},
            "no family can keep peanut out of the food",
        ),
        (
            StudentIn(key=1, dates=(0,), gender="male"),
            HostIn(key=9, seats={0: 1}, guest_gender_preference="female"),
            "gender",
            {"gender": "male"},
            "no family on your dates welcomes a male guest",
        ),
        (
            StudentIn(key=1, dates=(0,), lat=TACHIKAWA[0], lon=TACHIKAWA[1], max_travel_minutes=30),
            HostIn(key=9, seats={0: 1}, lat=SHINJUKU[0], lon=SHINJUKU[1]),
            "travel",
            {"minutes": 30, "nearest_minutes": 46},
            "no family within 30 minutes of travel",
        ),
        (
            S,
            HostIn(key=9, seats={0: 0}),
            "full",
            {"families": 1},
            "the one family that fits is full",
        ),
    ],
)
def test_each_student_rule_is_reported_with_its_params(
    student: StudentIn, host: HostIn, code: str, params: dict[str, object], text: str
) -> None:
    reasons = _student_reasons([student], [host])
    assert reasons[0].code == code
    for k, v in params.items():
        assert reasons[0].params[k] == v
    assert reasons[0].text.startswith(text)
    assert reasons[0].as_dict()["code"] == code


def test_forbidden_pair_is_reported_as_the_coordinators_decision() -> None:
    reasons = _student_reasons([S], [H], forbidden={(1, 9): "coordinator"})
    assert reasons[0].code == "forbidden"
    assert reasons[0].params["reasons"] == ["coordinator"]
    assert reasons[0].text == "forbidden by the coordinator"


def test_rules_that_only_bind_together_are_reported_as_a_combination() -> None:
    s = StudentIn(key=1, dates=(0,), allergies=("cat",), needs_non_smoking=True)
    cat_home = HostIn(key=8, seats={0: 1}, pets=("cat",))
    smoking_home = HostIn(key=9, seats={0: 1}, smoking=True)
    reasons = _student_reasons([s], [cat_home, smoking_home])
    assert reasons[0].code == "combination"
    assert reasons[0].params["rules"] == ["pet", "smoking"]
    assert reasons[0].params["remaining"] == {"pet": 1, "smoking": 0}


def test_a_student_who_lost_the_last_seat_is_told_it_was_taken() -> None:
    first = StudentIn(key=1, dates=(0,), times_unplaced=2)
    reasons = _student_reasons([first, StudentIn(key=2, dates=(0,))], [H])
    assert reasons[0].code == "taken"
    assert reasons[0].params["families"] == 1
    assert reasons[0].text == "the one family that fits went to another student this round"


def test_several_binding_rules_are_all_reported() -> None:
    s = StudentIn(key=1, dates=(0,), diet=("halal",), allergies=("peanut",))
    codes = [r.code for r in _student_reasons([s], [H])]
    assert codes == ["diet", "allergen"]


@pytest.mark.parametrize(
    ("students", "host", "code"),
    [
        ([S], HostIn(key=9, seats={0: 0}), "no_free_seat"),
        ([S], HostIn(key=9, seats={1: 2}), "no_student_on_dates"),
        (
            [StudentIn(key=1, dates=(0,), allergies=("dog",))],
            HostIn(key=9, seats={0: 1}, pets=("dog",)),
            "pet",
        ),
        (
            [StudentIn(key=1, dates=(0,), needs_non_smoking=True)],
            HostIn(key=9, seats={0: 1}, smoking=True),
            "smoking",
        ),
        ([StudentIn(key=1, dates=(0,), diet=("kosher",))], H, "diet"),
        ([StudentIn(key=1, dates=(0,), allergies=("egg",))], H, "allergen"),
        (
            [StudentIn(key=1, dates=(0,), gender="female")],
            HostIn(key=9, seats={0: 1}, guest_gender_preference="male"),
            "gender",
        ),
        (
            [
                StudentIn(
                    key=1, dates=(0,), lat=TACHIKAWA[0], lon=TACHIKAWA[1], max_travel_minutes=20
                )
            ],
            HostIn(key=9, seats={0: 1}, lat=SHINJUKU[0], lon=SHINJUKU[1]),
            "travel",
        ),
    ],
)
def test_each_host_rule_is_reported(students: list[StudentIn], host: HostIn, code: str) -> None:
    reasons = _host_reasons(students, [host])
    assert reasons[0].code == code
    assert reasons[0].text


def test_a_family_whose_only_student_went_elsewhere_is_told_so() -> None:
    better = HostIn(key=8, seats={0: 1}, languages={"ja": "native"}, times_unplaced=3)
    reasons = _host_reasons(
        [StudentIn(key=1, dates=(0,), languages={"ja": "beginner"})], [better, H]
    )
    assert reasons[0].code == "taken"
    assert reasons[0].params["students"] == 1
    assert reasons[0].params["dates"] == ["2027-01-17"]
