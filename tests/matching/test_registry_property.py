"""A property over random registries: whatever the mix of standings, dates and seats, a round
never proposes an unapproved, expired or suspended family or an unconfirmed student, lists each
of them with the reason ``registry_status`` and their status, and still places people who may
be placed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from matching.models import Round
from tests import factories
from tests.conftest import IN_CI
from tests.matching.conftest import future_days

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

STUDENT_STANDINGS = ("confirmed", "pending", "expired")
HOST_STANDINGS = ("approved", "pending", "expired", "suspended")
DAYS = 2

students_st = st.lists(
    st.tuples(
        st.sampled_from(STUDENT_STANDINGS),
        st.sets(st.integers(0, DAYS - 1), min_size=1),
    ),
    min_size=1,
    max_size=6,
)
hosts_st = st.lists(
    st.tuples(
        st.sampled_from(HOST_STANDINGS),
        st.sets(st.integers(0, DAYS - 1), min_size=1),
        st.integers(1, 3),
    ),
    min_size=1,
    max_size=5,
)


def test_a_round_never_proposes_anyone_the_registry_keeps_out(
    coordinator: User, run_rounds: Callable[..., Round]
) -> None:
    @settings(
        max_examples=60 if IN_CI else 20,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(students=students_st, hosts=hosts_st)
    def check(students: list[Any], hosts: list[Any]) -> None:
        program = factories.ProgramFactory(created_by=coordinator, dates=future_days(30, 37))
        days = list(program.dates)
        standing: dict[int, str] = {}
        dates_of: dict[int, set[str]] = {}
        for status, picked in students:
            user = factories.StudentProfileFactory(standing=status).user
            app = factories.ApplicationFactory(
                program=program, user=user, dates=[days[i] for i in sorted(picked)]
            )
            standing[app.pk], dates_of[app.pk] = status, set(app.dates)
        for status, picked, seats in hosts:
            user = factories.HostProfileFactory(standing=status).user
            app = factories.HostApplicationFactory(
                program=program, user=user, dates=[days[i] for i in sorted(picked)], seats=seats
            )
            standing[app.pk], dates_of[app.pk] = status, set(app.dates)

        rnd = run_rounds(program, coordinator)
        assert rnd.status == Round.Status.DRAFT, rnd.error
        for student_app, host_app in rnd.proposals.values_list(
            "student_application_id", "host_application_id"
        ):
            assert standing[student_app] == "confirmed"
            assert standing[host_app] == "approved"
        listed = {
            u.application_id: u.reasons[0]
            for u in rnd.unplaced.all()
            if u.reasons and u.reasons[0]["code"] == "registry_status"
        }
        kept_out = {pk: s for pk, s in standing.items() if s not in ("confirmed", "approved")}
        assert {pk: r["params"]["status"] for pk, r in listed.items()} == kept_out
        # Not vacuous: a confirmed student and an approved family with a day in common meet.
        students_in = [pk for pk, s in standing.items() if s == "confirmed"]
        hosts_in = [pk for pk, s in standing.items() if s == "approved"]
        if any(dates_of[s] & dates_of[h] for s in students_in for h in hosts_in):
            assert rnd.proposals.exists()

    check()
