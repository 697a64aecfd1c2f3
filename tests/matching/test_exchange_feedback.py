"""Feedback on a language exchange. A weekly exchange has no last day, so "after" is four weeks
after the pair started meeting (the programme's start, or their confirmation if later): after
their first sessions. Before that, feedback is a 409 that says from when; from then on both
partners give it once, and ``feedback_waiting`` lists it for whoever has not. Nor has an
exchange a visit day whose attendance could be recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from matching.models import Attendance, Feedback, Program, Proposal
from matching.services.feedback import (
    EXCHANGE_FEEDBACK_AFTER,
    feedback_leave,
    feedback_opens_on,
    feedback_waiting,
)
from matching.services.proposals import proposal_accept, round_publish
from tests import factories
from tests.matching.conftest import future_days
from tests.matching.test_exchange_service import english, japanese, new_round, run

pytestmark = pytest.mark.django_db

GOOD = {"rating": 4, "comment": "We meet every Saturday.", "would_meet_again": True}


def confirmed_exchange(coordinator: User, *, started_days_ago: int) -> Proposal:
    """A confirmed language exchange whose programme started ``started_days_ago`` days ago and
    whose partners were confirmed on that day."""
    program = factories.ProgramFactory(
        created_by=coordinator, kind=Program.Kind.LANGUAGE_EXCHANGE, dates=future_days(20)
    )
    family, student = japanese(program), english(program)
    run(rnd := new_round(program))
    round_publish(round_id=rnd.pk, by=coordinator)
    proposal = Proposal.objects.get(round=rnd)
    for party in (family.user, student.user):
        proposal_accept(proposal_id=proposal.pk, by=party)
    start = timezone.localdate() - dt.timedelta(days=started_days_ago)
    Proposal.objects.filter(pk=proposal.pk).update(
        date=start,
        confirmed_at=timezone.make_aware(dt.datetime.combine(start, dt.time(12))),
    )
    return Proposal.objects.select_related("program").get(pk=proposal.pk)


def _parties(proposal: Proposal) -> list[User]:
    return [proposal.student_application.user, proposal.host_application.user]


def test_feedback_opens_four_weeks_into_an_exchange_and_the_day_after_a_visit(
    coordinator: User,
) -> None:
    exchange = confirmed_exchange(coordinator, started_days_ago=3)
    assert feedback_opens_on(exchange) == exchange.date + EXCHANGE_FEEDBACK_AFTER
    assert dt.timedelta(weeks=4) == EXCHANGE_FEEDBACK_AFTER
    # Paired in a later round, after the programme's start: four weeks from the confirmation.
    confirmed = timezone.localdate() - dt.timedelta(days=1)
    exchange.confirmed_at = timezone.make_aware(dt.datetime.combine(confirmed, dt.time(9)))
    assert feedback_opens_on(exchange) == confirmed + dt.timedelta(weeks=4)
    visit = Proposal.objects.select_related("program").get(pk=factories.ProposalFactory().pk)
    assert feedback_opens_on(visit) == visit.date + dt.timedelta(days=1)


def test_before_four_weeks_exchange_feedback_is_a_409_that_says_from_when(
    coordinator: User, client_for: Any
) -> None:
    exchange = confirmed_exchange(coordinator, started_days_ago=27)
    opens = exchange.date + dt.timedelta(weeks=4)
    answer = client_for(exchange.student_application.user).post(
        f"/api/proposals/{exchange.pk}/feedback/", GOOD
    )
    assert answer.status_code == 409
    assert "language exchange" in answer.json()["detail"]
    assert f"{opens.day} {opens:%b} {opens.year}" in answer.json()["detail"]
    assert not Feedback.objects.exists()


def test_from_four_weeks_both_partners_give_exchange_feedback_once(
    coordinator: User, client_for: Any
) -> None:
    exchange = confirmed_exchange(coordinator, started_days_ago=28)
    url = f"/api/proposals/{exchange.pk}/feedback/"
    for party in _parties(exchange):
        first = client_for(party).post(url, GOOD)
        assert first.status_code == 201, first.content
        assert first.json()["proposal"] == exchange.pk
        assert client_for(party).post(url, GOOD).status_code == 409
    assert Feedback.objects.filter(proposal=exchange).count() == 2


def test_an_outsider_gives_no_feedback_on_an_exchange(coordinator: User, client_for: Any) -> None:
    exchange = confirmed_exchange(coordinator, started_days_ago=40)
    stranger = factories.StudentProfileFactory().user
    answer = client_for(stranger).post(f"/api/proposals/{exchange.pk}/feedback/", GOOD)
    assert answer.status_code == 404
    assert not Feedback.objects.exists()


def test_feedback_waiting_lists_an_exchange_from_four_weeks_until_given(
    coordinator: User, django_assert_num_queries: Any
) -> None:
    early = confirmed_exchange(coordinator, started_days_ago=10)
    due = confirmed_exchange(coordinator, started_days_ago=35)
    for proposal in (early, due):
        for party in _parties(proposal):
            # The records of the visits, then the feedback already given: two queries.
            with django_assert_num_queries(2 if proposal is due else 0):
                waiting = feedback_waiting(proposals=[proposal], user=party)
            assert waiting == ([due] if proposal is due else [])
    student = due.student_application.user
    feedback_leave(proposal_id=due.pk, by=student, rating=5, would_meet_again=True)
    assert feedback_waiting(proposals=[due], user=student) == []
    assert feedback_waiting(proposals=[due], user=due.host_application.user) == [due]


def test_feedback_waiting_skips_a_visit_that_did_not_take_place(coordinator: User) -> None:
    draft = factories.ProposalFactory()
    round_publish(round_id=draft.round_id, by=coordinator)
    for party in _parties(draft):
        proposal_accept(proposal_id=draft.pk, by=party)
    Proposal.objects.filter(pk=draft.pk).update(date=timezone.localdate() - dt.timedelta(days=2))
    visit = Proposal.objects.select_related("program").get(pk=draft.pk)
    family = visit.host_application.user
    assert feedback_waiting(proposals=[visit], user=family) == [visit]
    Attendance.objects.create(proposal=visit, side="host", outcome="student_absent")
    assert feedback_waiting(proposals=[visit], user=family) == []


def test_a_language_exchange_has_no_attendance_to_record(
    coordinator: User, client_for: Any
) -> None:
    exchange = confirmed_exchange(coordinator, started_days_ago=10)
    for user in (exchange.student_application.user, coordinator):
        answer = client_for(user).post(
            f"/api/proposals/{exchange.pk}/attendance/", {"outcome": "held"}
        )
        assert answer.status_code == 409, answer.content
        assert "language exchange" in answer.json()["detail"]
    assert not Attendance.objects.exists()
