"""The next round after answers: those still free are placed again, confirmed pairs keep their
seats, a declined pair is never proposed again, the unplaced carry their fairness boost.

Runs the real rounds service and solver (``matching.services.rounds``)."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from matching.models import Application, Proposal, Round
from matching.services import proposals as services
from matching.services import rounds
from tests import factories
from tests.matching.flow.conftest import make_host, make_student, seats_taken

pytestmark = pytest.mark.django_db


def _run_round(program: Any, coordinator: User) -> Round:
    rnd = rounds.round_start(program=program, by=coordinator)
    rounds.round_run(round_id=rnd.pk)
    rnd.refresh_from_db()
    assert rnd.status == Round.Status.DRAFT, rnd.error
    return rnd


def test_the_next_round_places_the_free_and_respects_earlier_answers(
    coordinator: User, committing: Any
) -> None:
    program = factories.ProgramFactory()
    apps = {
        name: factories.ApplicationFactory(program=program, user=make_student())
        for name in ("keeps", "declines")
    }
    # A student no family can cater for (halal): unplaced in every round.
    apps["unplaceable"] = factories.ApplicationFactory(
        program=program, user=make_student(diet=["halal"])
    )
    for _ in range(2):
        factories.HostApplicationFactory(program=program, user=make_host(), seats=1)

    first = _run_round(program, coordinator)
    by_app = {p.student_application_id: p for p in first.proposals.all()}
    assert set(by_app) == {apps["keeps"].pk, apps["declines"].pk}
    committing(services.round_publish, round_id=first.pk, by=coordinator)
    kept, declined = by_app[apps["keeps"].pk], by_app[apps["declines"].pk]
    services.proposal_accept(proposal_id=kept.pk, by=kept.student_application.user)
    services.proposal_accept(proposal_id=kept.pk, by=kept.host_application.user)
    services.proposal_decline(proposal_id=declined.pk, by=declined.student_application.user)
    apps["unplaceable"].refresh_from_db()
    assert apps["unplaceable"].times_unplaced == 1

    second = _run_round(program, coordinator)
    proposed = list(second.proposals.all())
    # The confirmed student is not in the round; the declined pair is not proposed again.
    assert all(p.student_application_id != apps["keeps"].pk for p in proposed)
    assert all(
        (p.student_application_id, p.host_application_id)
        != (declined.student_application_id, declined.host_application_id)
        for p in proposed
    )
    assert all(p.student_application_id != apps["unplaceable"].pk for p in proposed)
    assert seats_taken(kept) == 1
    assert Proposal.objects.get(pk=kept.pk).status == "confirmed"
    committing(services.round_publish, round_id=second.pk, by=coordinator)
    assert Application.objects.get(pk=apps["unplaceable"].pk).times_unplaced == 2
    for proposal in Proposal.objects.filter(round=second):
        assert proposal.status == "proposed"
        assert seats_taken(proposal) <= 1
