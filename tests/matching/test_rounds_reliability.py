"""A person's record from earlier visits feeds later rounds through the reliability criterion."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from matching.models import Application, Attendance, Program, Proposal
from tests import factories

pytestmark = pytest.mark.django_db


def _earlier_visit(*, host: User, outcome: str, coordinator: User) -> None:
    earlier = factories.ProposalFactory(
        host_application=factories.HostApplicationFactory(user=host),
        status=Proposal.Status.CONFIRMED,
        confirmed_at=timezone.now(),
    )
    Attendance.objects.create(
        proposal=earlier, side="coordinator", outcome=outcome, recorded_by=coordinator
    )


def test_a_familys_cancellation_on_the_day_costs_points_in_the_next_round(
    program: Program,
    coordinator: User,
    make_student: Callable[..., Application],
    make_host: Callable[..., Application],
    run_rounds: Callable[..., Any],
) -> None:
    make_student(program)
    host_app = make_host(program)
    _earlier_visit(host=host_app.user, outcome="host_cancelled_on_day", coordinator=coordinator)
    rnd = run_rounds(program, coordinator)
    (proposal,) = rnd.proposals.all()
    assert proposal.breakdown["reliability"] == 7.5
    off = run_rounds(program, coordinator, weights={"reliability": 0})
    (again,) = off.proposals.all()
    assert again.breakdown["reliability"] == 0.0
