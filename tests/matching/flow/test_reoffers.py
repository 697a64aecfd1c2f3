"""Freed seats offered again: a decline, an expiry or a cancellation hands the seat to the best
free student who fits it, with the shorter deadline, unless the programme says no or the visit
day is too near."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from matching.models import Application, HostDay, Proposal, ProposalEvent, Reoffer, Round
from matching.services import proposals as services
from matching.services import reoffers
from tests import factories
from tests.matching.flow.conftest import (
    draft_proposal,
    host_of,
    make_student,
    seats_taken,
    student_of,
)

pytestmark = pytest.mark.django_db


def _free_student(rnd: Round, **profile: Any) -> Application:
    """A student of the round's programme whom the round did not place."""
    return factories.ApplicationFactory(program=rnd.program, user=make_student(**profile))


@pytest.fixture
def published(rnd: Round, publish: Callable[[Round], Any]) -> Proposal:
    draft = draft_proposal(rnd=rnd)
    publish(rnd)
    mail.outbox.clear()
    return Proposal.objects.get(pk=draft.pk)


def _offer_of(freed: Proposal) -> Proposal | None:
    reoffer = Reoffer.objects.filter(freed=freed).first()
    return reoffer.proposal if reoffer else None


def test_a_declined_seat_goes_to_the_free_student_with_the_shorter_deadline(
    rnd: Round, published: Proposal, committing: Callable[..., Any]
) -> None:
    waiting = _free_student(rnd)
    before = timezone.now()
    committing(services.proposal_decline, proposal_id=published.pk, by=student_of(published))

    offer = _offer_of(published)
    assert offer is not None
    assert offer.student_application_id == waiting.pk
    assert offer.host_application_id == published.host_application_id
    assert offer.date == published.date
    assert offer.status == Proposal.Status.PROPOSED
    assert offer.round_id == rnd.pk
    assert offer.deadline is not None
    window = offer.deadline - before
    assert dt.timedelta(hours=23, minutes=59) < window <= dt.timedelta(hours=24, minutes=1)
    assert seats_taken(published) == 1
    assert Reoffer.objects.get(freed=published).outcome == Reoffer.Outcome.OFFERED
    # The audit trail says what the new proposal is.
    event = ProposalEvent.objects.get(proposal=offer)
    assert (event.from_status, event.to_status, event.actor) == ("draft", "proposed", None)
    assert str(published.pk) in event.reason
    # Both sides of the new proposal hear of it.
    assert {m.to[0] for m in mail.outbox} >= {
        offer.student_application.user.email,
        host_of(published).email,
    }


def test_the_best_scoring_free_student_is_chosen(
    rnd: Round, published: Proposal, committing: Callable[..., Any]
) -> None:
    # The family speaks Japanese and likes cooking and gardening: the second student shares
    # more with it than the first.
    _free_student(rnd, interests=["music"])
    best = _free_student(rnd, interests=["cooking", "gardening", "music"])
    committing(services.proposal_decline, proposal_id=published.pk, by=host_of(published))
    offer = _offer_of(published)
    assert offer is not None
    assert offer.student_application_id == best.pk


def test_a_student_who_breaks_a_hard_rule_is_not_offered_the_seat(
    rnd: Round, published: Proposal, committing: Callable[..., Any]
) -> None:
    # The family smokes; this student needs a smoke-free home.
    host_profile = host_of(published).host_profile
    host_profile.smoking = True
    host_profile.save()
    _free_student(rnd, needs_non_smoking=True)
    committing(services.proposal_decline, proposal_id=published.pk, by=student_of(published))
    assert _offer_of(published) is None
    assert Reoffer.objects.get(freed=published).outcome == Reoffer.Outcome.NOBODY_FITS
    assert seats_taken(published) == 0


def test_a_declined_pair_is_never_offered_again(
    rnd: Round, published: Proposal, committing: Callable[..., Any]
) -> None:
    # The student declined this family in an earlier programme; the same people apply afresh.
    waiting = _free_student(rnd)
    earlier = factories.RoundFactory()
    old = draft_proposal(rnd=earlier, student=waiting.user, host=host_of(published))
    Proposal.objects.filter(pk=old.pk).update(status=Proposal.Status.DECLINED)
    committing(services.proposal_decline, proposal_id=published.pk, by=student_of(published))
    assert _offer_of(published) is None


def test_the_student_who_declined_is_not_offered_another_seat_of_the_same_round(
    rnd: Round, publish: Callable[[Round], Any], committing: Callable[..., Any]
) -> None:
    first = draft_proposal(rnd=rnd)
    second = draft_proposal(rnd=rnd)
    publish(rnd)
    committing(services.proposal_decline, proposal_id=first.pk, by=student_of(first))
    committing(services.proposal_decline, proposal_id=second.pk, by=student_of(second))
    # Each decliner had a proposal in the round: neither takes the other's seat.
    assert _offer_of(first) is None
    assert _offer_of(second) is None


def test_an_expired_proposal_frees_its_seat_for_a_reoffer(
    rnd: Round, published: Proposal, committing: Callable[..., Any]
) -> None:
    waiting = _free_student(rnd)
    later = published.deadline + dt.timedelta(minutes=1)
    committing(services.proposals_expire, now=later)
    offer = _offer_of(published)
    assert offer is not None
    assert offer.student_application_id == waiting.pk


def test_a_cancelled_visit_frees_its_seat_for_a_reoffer(
    rnd: Round, published: Proposal, committing: Callable[..., Any], coordinator: User
) -> None:
    services.proposal_accept(proposal_id=published.pk, by=student_of(published))
    services.proposal_accept(proposal_id=published.pk, by=host_of(published))
    waiting = _free_student(rnd)
    committing(services.proposal_cancel, proposal_id=published.pk, by=coordinator, reason="ill")
    offer = _offer_of(published)
    assert offer is not None
    assert offer.student_application_id == waiting.pk


def test_the_programme_setting_turns_reoffers_off(
    rnd: Round, published: Proposal, committing: Callable[..., Any]
) -> None:
    rnd.program.reoffer = False
    rnd.program.save()
    _free_student(rnd)
    committing(services.proposal_decline, proposal_id=published.pk, by=student_of(published))
    assert not Reoffer.objects.exists()
    assert seats_taken(published) == 0


def test_no_reoffer_within_the_lead_time(
    rnd: Round, published: Proposal, committing: Callable[..., Any]
) -> None:
    days_away = (published.date - timezone.localdate()).days
    rnd.program.reoffer_lead_days = days_away  # the day is exactly the lead time away
    rnd.program.save()
    _free_student(rnd)
    committing(services.proposal_decline, proposal_id=published.pk, by=student_of(published))
    assert not Reoffer.objects.exists()


def test_reoffer_due_counts_whole_days_beyond_the_lead_time(rnd: Round) -> None:
    program = rnd.program
    today = dt.date(2030, 1, 1)
    assert reoffers.reoffer_due(program=program, day=dt.date(2030, 1, 5), today=today)
    assert not reoffers.reoffer_due(program=program, day=dt.date(2030, 1, 4), today=today)


def test_a_second_run_for_the_same_freed_seat_changes_nothing(
    rnd: Round, published: Proposal, committing: Callable[..., Any]
) -> None:
    _free_student(rnd)
    _free_student(rnd)
    committing(services.proposal_decline, proposal_id=published.pk, by=student_of(published))
    first = Reoffer.objects.get(freed=published)
    again = reoffers.seat_reoffer(freed_proposal_id=published.pk)
    assert again == first
    assert Proposal.objects.filter(status=Proposal.Status.PROPOSED).count() == 1
    assert seats_taken(published) == 1


def test_a_seat_taken_again_is_not_offered(
    rnd: Round, published: Proposal, committing: Callable[..., Any]
) -> None:
    _free_student(rnd)
    rnd.program.reoffer = False
    rnd.program.save()
    committing(services.proposal_decline, proposal_id=published.pk, by=student_of(published))
    rnd.program.reoffer = True
    rnd.program.save()
    HostDay.objects.filter(
        application_id=published.host_application_id, date=published.date
    ).update(seats_taken=1)
    result = reoffers.seat_reoffer(freed_proposal_id=published.pk)
    assert result is not None
    assert result.outcome == Reoffer.Outcome.SEAT_GONE


def test_a_reoffer_that_is_declined_is_offered_again(
    rnd: Round, published: Proposal, committing: Callable[..., Any]
) -> None:
    _free_student(rnd, interests=["cooking", "gardening", "music"])
    second = _free_student(rnd, interests=["music"])
    committing(services.proposal_decline, proposal_id=published.pk, by=student_of(published))
    offer = _offer_of(published)
    assert offer is not None
    committing(services.proposal_decline, proposal_id=offer.pk, by=student_of(offer))
    again = _offer_of(offer)
    assert again is not None
    assert again.student_application_id == second.pk
