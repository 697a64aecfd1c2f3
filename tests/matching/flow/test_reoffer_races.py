"""Re-offers under concurrency, on PostgreSQL with real threads: two seats freed at once, or a
freed seat and a coordinator's publish, never give one student two live proposals, and no
family's day ever holds more than its seats."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from accounts.models import User
from matching.models import Application, HostDay, Program, Proposal, Reoffer
from matching.services import proposals as services
from tests import factories
from tests.matching.flow.conftest import draft_proposal, make_student, student_of
from tests.matching.flow.test_races import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def _consistent(program: Program) -> None:
    live = Proposal.objects.filter(program=program, status__in=Proposal.LIVE)
    per_student = Counter(live.values_list("student_application_id", flat=True))
    assert max(per_student.values(), default=0) <= 1, per_student
    held = Counter(live.values_list("host_application_id", "date"))
    for day in HostDay.objects.filter(application__program=program):
        assert day.seats_taken == held[(day.application_id, day.date)] <= day.seats


@pytest.mark.parametrize("attempt", range(3))
def test_two_seats_freed_at_once_go_to_one_waiting_student_once(
    postgres: None, coordinator: User, attempt: int
) -> None:
    rnd = factories.RoundFactory()
    program = rnd.program
    first, second = draft_proposal(rnd=rnd), draft_proposal(rnd=rnd)
    services.round_publish(round_id=rnd.pk, by=coordinator)
    waiting = factories.ApplicationFactory(program=program, user=make_student())
    freed = [first, second]

    results = run_together(
        2,
        lambda i: services.proposal_decline(
            proposal_id=freed[(i + attempt) % 2].pk, by=student_of(freed[(i + attempt) % 2])
        ),
    )
    assert all(isinstance(r, Proposal) for r in results), results
    outcomes = sorted(Reoffer.objects.filter(program=program).values_list("outcome", flat=True))
    assert outcomes == ["nobody_fits", "offered"]
    assert (
        Proposal.objects.filter(student_application=waiting, status__in=Proposal.LIVE).count() == 1
    )
    _consistent(program)


@pytest.mark.parametrize("attempt", range(3))
def test_a_freed_seat_and_a_publish_together_give_the_student_one_proposal(
    postgres: None, coordinator: User, attempt: int
) -> None:
    # Round 1 is answered: one visit confirmed. Round 2, a draft, proposes the waiting
    # student to another family. The coordinator cancels the visit (its seat is re-offered,
    # and the waiting student fits it) while another coordinator publishes round 2.
    program = factories.ProgramFactory()
    first = factories.RoundFactory(program=program)
    visit = draft_proposal(rnd=first)
    services.round_publish(round_id=first.pk, by=coordinator)
    services.proposal_accept(proposal_id=visit.pk, by=student_of(visit))
    services.proposal_accept(proposal_id=visit.pk, by=visit.host_application.user)
    second = factories.RoundFactory(program=program)
    waiting_user = make_student()
    offer = draft_proposal(rnd=second, student=waiting_user)
    waiting = Application.objects.get(pk=offer.student_application_id)

    def act(i: int) -> Any:
        if (i + attempt) % 2 == 0:
            return services.proposal_cancel(proposal_id=visit.pk, by=coordinator, reason="ill")
        return services.round_publish(round_id=second.pk, by=coordinator)

    results = run_together(2, act)
    unexpected = [
        r for r in results if isinstance(r, Exception) and not isinstance(r, services.RoundConflict)
    ]
    assert unexpected == [], results
    live = Proposal.objects.filter(student_application=waiting, status__in=Proposal.LIVE)
    assert live.count() == 1
    _consistent(program)
