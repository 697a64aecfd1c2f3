"""A freed seat is one seat: it never goes to a student of a group (placed with the partner or
not at all) or to one who asked not to visit alone, however well they score."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from matching.models import Application, Proposal, Reoffer, Round
from matching.services import groups as group_services
from matching.services import proposals as services
from tests import factories
from tests.matching.flow.conftest import draft_proposal, make_student, student_of

pytestmark = pytest.mark.django_db


def _free_student(rnd: Round, **profile: Any) -> Application:
    return factories.ApplicationFactory(program=rnd.program, user=make_student(**profile))


@pytest.fixture
def published(rnd: Round, publish: Callable[[Round], Any]) -> Proposal:
    draft = draft_proposal(rnd=rnd)
    publish(rnd)
    mail.outbox.clear()
    return Proposal.objects.get(pk=draft.pk)


def test_a_freed_seat_skips_groups_and_students_who_must_not_be_alone(
    rnd: Round, published: Proposal, committing: Callable[..., Any]
) -> None:
    # The family likes cooking and gardening: these three share more with it than the last.
    best = {"interests": ["cooking", "gardening", "music"]}
    lan, ha = _free_student(rnd, **best), _free_student(rnd, **best)
    request = group_services.group_request_create(
        program=rnd.program, by=lan.user, email=ha.user.email
    )
    group_services.group_request_confirm(request_id=request.pk, by=ha.user)
    shy = _free_student(rnd, **best)
    Application.objects.filter(pk=shy.pk).update(not_alone=True)
    solo = _free_student(rnd, interests=["music"])
    committing(services.proposal_decline, proposal_id=published.pk, by=student_of(published))
    reoffer = Reoffer.objects.get(freed=published)
    assert reoffer.outcome == Reoffer.Outcome.OFFERED
    assert reoffer.proposal is not None
    assert reoffer.proposal.student_application_id == solo.pk
