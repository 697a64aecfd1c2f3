"""Publishing a draft round: POST /api/rounds/{id}/publish/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from matching.models import Application, Delivery, Proposal, ProposalEvent, Round, Unplaced
from matching.services import proposals as services
from tests import factories
from tests.matching.flow.conftest import draft_proposal, make_host, make_student, seats_taken

pytestmark = pytest.mark.django_db


def test_publish_sends_the_drafts_takes_seats_and_records_events(
    rnd: Round, coordinator: User, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first = draft_proposal(rnd=rnd, host=make_host(language="ja"))
    second = draft_proposal(rnd=rnd, student=make_student(language="ja"))
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(f"/api/rounds/{rnd.pk}/publish/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "published"
    assert sorted(body["published"]) == sorted([first.pk, second.pk])
    assert body["skipped"] == []
    rnd.refresh_from_db()
    assert rnd.status == Round.Status.PUBLISHED and rnd.published_at is not None
    for draft in (first, second):
        proposal = Proposal.objects.get(pk=draft.pk)
        assert proposal.status == Proposal.Status.PROPOSED
        hours = rnd.program.response_hours
        assert before + dt.timedelta(hours=hours) <= proposal.deadline
        assert proposal.deadline <= timezone.now() + dt.timedelta(hours=hours)
        assert seats_taken(proposal) == 1
        event = ProposalEvent.objects.get(proposal=proposal)
        assert (event.from_status, event.to_status) == ("draft", "proposed")
        assert event.actor == coordinator and event.on_behalf_of is None
    # Both sides of both proposals got the proposal_received e-mail, once.
    assert len(mail.outbox) == 4
    assert Delivery.objects.filter(kind="proposal_received", sent_at__isnull=False).count() == 4


def test_publishing_a_round_that_is_not_a_draft_is_a_409(
    rnd: Round, coordinator: User, client_for: Any
) -> None:
    draft_proposal(rnd=rnd)
    client = client_for(coordinator)
    assert client.post(f"/api/rounds/{rnd.pk}/publish/").status_code == 200
    again = client.post(f"/api/rounds/{rnd.pk}/publish/")
    assert again.status_code == 409
    assert "detail" in again.json()


def test_publishing_while_another_round_still_has_open_proposals_is_a_409(
    rnd: Round, coordinator: User, client_for: Any, publish: Any
) -> None:
    draft_proposal(rnd=rnd)
    publish(rnd)
    # A round that ran after the first was published (earlier drafts were discarded then).
    later = factories.RoundFactory(program=rnd.program)
    draft_proposal(rnd=later)
    response = client_for(coordinator).post(f"/api/rounds/{later.pk}/publish/")
    assert response.status_code == 409
    assert Proposal.objects.filter(round=later, status="draft").count() == 1


def test_publishing_discards_the_other_drafts_of_the_programme(rnd: Round, publish: Any) -> None:
    other = factories.RoundFactory(program=rnd.program)
    kept_draft = draft_proposal(rnd=other)
    draft_proposal(rnd=rnd)
    elsewhere = factories.RoundFactory()  # another programme's draft is untouched
    publish(rnd)
    other.refresh_from_db()
    elsewhere.refresh_from_db()
    assert other.status == Round.Status.DISCARDED
    assert elsewhere.status == Round.Status.DRAFT
    # Its proposals stay drafts, as a record; they hold no seat.
    assert Proposal.objects.get(pk=kept_draft.pk).status == Proposal.Status.DRAFT
    assert seats_taken(kept_draft) == 0


def test_a_draft_whose_seat_or_student_was_taken_is_skipped_not_fatal(
    rnd: Round, coordinator: User, publish: Any, committing: Any
) -> None:
    # Round 1 confirms a student; round 2 (run before that) proposed the same student again,
    # and also put two students on a family day with one seat.
    student = make_student()
    host = make_host()
    first = draft_proposal(rnd=rnd, student=student, host=host)
    publish(rnd)
    services.proposal_accept(proposal_id=first.pk, by=student)
    services.proposal_accept(proposal_id=first.pk, by=host)
    later = factories.RoundFactory(program=rnd.program)
    again = draft_proposal(rnd=later, student=student)
    full_host_app = factories.HostApplicationFactory(program=rnd.program, seats=1)
    high = draft_proposal(rnd=later, host_app=full_host_app, score=20)
    low = draft_proposal(rnd=later, host_app=full_host_app, score=5)
    result = publish(later)
    assert set(result.published) == {high.pk}
    assert {(s["proposal"], s["reason"]) for s in result.skipped} == {
        (again.pk, "student_taken"),
        (low.pk, "seat_taken"),
    }
    assert Proposal.objects.get(pk=low.pk).status == Proposal.Status.DRAFT
    assert seats_taken(high) == 1


def test_a_withdrawn_application_is_skipped(rnd: Round, publish: Any) -> None:
    draft = draft_proposal(rnd=rnd)
    Application.objects.filter(pk=draft.student_application_id).update(status="withdrawn")
    result = publish(rnd)
    assert result.published == []
    assert result.skipped == [{"proposal": draft.pk, "reason": "withdrawn"}]


def test_publishing_gives_the_unplaced_their_fairness_boost(rnd: Round, publish: Any) -> None:
    draft_proposal(rnd=rnd)
    left_out = factories.ApplicationFactory(program=rnd.program)
    Unplaced.objects.create(round=rnd, application=left_out, reasons=["no_shared_date"])
    publish(rnd)
    left_out.refresh_from_db()
    assert left_out.times_unplaced == 1


def test_only_coordinators_publish(rnd: Round, student: User, client_for: Any) -> None:
    draft_proposal(rnd=rnd)
    assert client_for(student).post(f"/api/rounds/{rnd.pk}/publish/").status_code == 403
    assert client_for(None).post(f"/api/rounds/{rnd.pk}/publish/").status_code in (401, 403)
    rnd.refresh_from_db()
    assert rnd.status == Round.Status.DRAFT


def test_publishing_an_unknown_round_is_a_404(coordinator: User, client_for: Any) -> None:
    assert client_for(coordinator).post("/api/rounds/999999/publish/").status_code == 404


def test_a_closed_programme_is_not_published(rnd: Round, coordinator: User) -> None:
    draft_proposal(rnd=rnd)
    type(rnd.program).objects.filter(pk=rnd.program_id).update(status="closed")
    with pytest.raises(services.RoundConflict):
        services.round_publish(round_id=rnd.pk, by=coordinator)
