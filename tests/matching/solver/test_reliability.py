"""The reliability criterion: earlier no-shows and cancellations on the day cost points, half
per side; weight 0 turns it off."""

from __future__ import annotations

from typing import Any

from matching.services.vocabulary import REFERENCE_VOCABULARY
from matching.solver import HostIn, Problem, Result, StudentIn, solve

DATES = ("2027-01-17",)


def _solve(students: list[StudentIn], hosts: list[HostIn], **kw: Any) -> Result:
    return solve(
        Problem(
            students=tuple(students),
            hosts=tuple(hosts),
            date_labels=DATES,
            vocabulary=REFERENCE_VOCABULARY,
            **kw,
        )
    )


def test_the_student_goes_to_the_family_that_did_not_cancel_on_the_day() -> None:
    student = StudentIn(key=1, dates=(0,))
    cancelled = HostIn(key=7, seats={0: 1}, late_cancellations=1)
    reliable = HostIn(key=8, seats={0: 1})
    (pair,) = _solve([student], [cancelled, reliable]).assignments
    assert pair.host_key == 8
    assert pair.breakdown["reliability"] == 10.0


def test_each_sides_faults_cost_half_its_share() -> None:
    student = StudentIn(key=1, dates=(0,), no_shows=1)
    host = HostIn(key=8, seats={0: 1}, late_cancellations=3)
    (pair,) = _solve([student], [host]).assignments
    # 10 x (0.5 / 2 + 0.5 / 4)
    assert pair.breakdown["reliability"] == 3.75


def test_weight_zero_turns_it_off() -> None:
    student = StudentIn(key=1, dates=(0,))
    cancelled = HostIn(key=7, seats={0: 1}, late_cancellations=2)
    (pair,) = _solve([student], [cancelled], weights={"reliability": 0}).assignments
    assert pair.breakdown["reliability"] == 0.0
