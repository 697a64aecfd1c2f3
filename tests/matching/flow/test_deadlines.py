"""Expiry and reminders, as beat runs them: idempotent, one e-mail per event."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from matching.models import Delivery, Proposal, ProposalEvent
from matching.services import proposals as services
from matching.tasks import proposals as tasks
from tests.matching.flow.conftest import host_of, seats_taken, student_of

pytestmark = pytest.mark.django_db


def _deadline_in(proposal: Proposal, delta: dt.timedelta) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(deadline=timezone.now() + delta)


def test_a_proposal_past_its_deadline_expires_once(proposal: Proposal, committing: Any) -> None:
    _deadline_in(proposal, -dt.timedelta(minutes=1))
    assert committing(services.proposals_expire) == [proposal.pk]
    assert committing(services.proposals_expire) == []
    proposal.refresh_from_db()
    assert proposal.status == "expired"
    assert seats_taken(proposal) == 0
    event = ProposalEvent.objects.filter(proposal=proposal).last()
    assert (event.from_status, event.to_status, event.actor) == ("proposed", "expired", None)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [student_of(proposal).email, host_of(proposal).email]
    )


def test_the_beat_task_expires_through_the_service(proposal: Proposal, committing: Any) -> None:
    _deadline_in(proposal, -dt.timedelta(seconds=1))
    assert committing(tasks.proposals_expire.delay).get() == 1
    assert committing(tasks.proposals_expire.delay).get() == 0
    assert len(mail.outbox) == 2


def test_a_half_answered_proposal_expires_too(proposal: Proposal, committing: Any) -> None:
    services.proposal_accept(proposal_id=proposal.pk, by=student_of(proposal))
    _deadline_in(proposal, -dt.timedelta(minutes=1))
    committing(services.proposals_expire)
    assert Proposal.objects.get(pk=proposal.pk).status == "expired"


def test_a_proposal_before_its_deadline_is_left_alone(proposal: Proposal) -> None:
    assert services.proposals_expire() == []
    assert Proposal.objects.get(pk=proposal.pk).status == "proposed"


def test_confirmed_and_declined_proposals_never_expire(proposal: Proposal, committing: Any) -> None:
    services.proposal_accept(proposal_id=proposal.pk, by=student_of(proposal))
    services.proposal_accept(proposal_id=proposal.pk, by=host_of(proposal))
    _deadline_in(proposal, -dt.timedelta(minutes=1))
    assert committing(services.proposals_expire) == []
    assert Proposal.objects.get(pk=proposal.pk).status == "confirmed"
    assert seats_taken(proposal) == 1


def test_the_reminder_goes_once_24_hours_before_the_deadline(
    proposal: Proposal, committing: Any
) -> None:
    _deadline_in(proposal, dt.timedelta(hours=30))
    assert committing(services.proposals_remind) == []
    _deadline_in(proposal, dt.timedelta(hours=23))
    assert committing(services.proposals_remind) == [proposal.pk]
    assert committing(services.proposals_remind) == []
    assert committing(tasks.proposals_remind.delay).get() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [student_of(proposal).email, host_of(proposal).email]
    )
    english = next(m for m in mail.outbox if m.to[0] == student_of(proposal).email)
    japanese = next(m for m in mail.outbox if m.to[0] == host_of(proposal).email)
    assert english.subject.startswith("Reminder")
    assert japanese.subject.startswith("【リマインダー】")
    assert Proposal.objects.get(pk=proposal.pk).reminded_at is not None


def test_the_reminder_skips_the_side_that_answered(proposal: Proposal, committing: Any) -> None:
    services.proposal_accept(proposal_id=proposal.pk, by=host_of(proposal))
    _deadline_in(proposal, dt.timedelta(hours=2))
    committing(services.proposals_remind)
    assert [m.to[0] for m in mail.outbox] == [student_of(proposal).email]
    assert Delivery.objects.filter(kind="reminder").count() == 1


def test_a_short_answer_window_is_reminded_half_way(proposal: Proposal, committing: Any) -> None:
    type(proposal.program).objects.filter(pk=proposal.program_id).update(response_hours=12)
    _deadline_in(proposal, dt.timedelta(hours=11))
    assert committing(services.proposals_remind) == []
    _deadline_in(proposal, dt.timedelta(hours=5))
    assert committing(services.proposals_remind) == [proposal.pk]


def test_an_expired_proposal_gets_no_reminder(proposal: Proposal, committing: Any) -> None:
    _deadline_in(proposal, -dt.timedelta(minutes=5))
    assert committing(services.proposals_remind) == []
    assert mail.outbox == []
