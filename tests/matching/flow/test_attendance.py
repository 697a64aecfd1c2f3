"""Attendance: each side records what happened from the visit day on; the coordinator settles a
disagreement; feedback only for visits held; each person's record and its score."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from matching.models import Attendance, Proposal
from matching.selectors.attendance import (
    PersonRecord,
    disputed_visits,
    is_disputed,
    person_records,
    visit_outcome,
)
from matching.services import attendance as services
from matching.services.feedback import feedback_leave
from matching.services.transitions import ProposalConflict, ProposalNotFound
from tests.matching.flow.conftest import host_of, make_student, move_visit, student_of

pytestmark = pytest.mark.django_db
HELD, ABSENT, HOST_CANCELLED, EARLY = (
    "held",
    "student_absent",
    "host_cancelled_on_day",
    "cancelled_early",
)


@pytest.fixture
def today_visit(visit: Proposal) -> Proposal:
    return move_visit(visit, timezone.localdate())


@pytest.fixture
def past_visit(visit: Proposal) -> Proposal:
    return move_visit(visit, timezone.localdate() - dt.timedelta(days=3))


def test_the_outcome_rule() -> None:
    assert visit_outcome({}) is None
    assert visit_outcome({"student": HELD}) == HELD
    assert visit_outcome({"student": HELD, "host": HELD}) == HELD
    assert visit_outcome({"student": HELD, "host": ABSENT}) is None
    assert is_disputed({"student": HELD, "host": ABSENT})
    settled = {"student": HELD, "host": ABSENT, "coordinator": ABSENT}
    assert visit_outcome(settled) == ABSENT and not is_disputed(settled)


def test_nobody_records_before_the_visit_day(visit: Proposal) -> None:
    with pytest.raises(ValidationError) as error:
        services.attendance_record(proposal_id=visit.pk, by=student_of(visit), outcome=HELD)
    assert "outcome" in error.value.message_dict
    assert not Attendance.objects.exists()


def test_from_the_visit_day_each_side_records_and_a_second_record_replaces_the_first(
    today_visit: Proposal,
) -> None:
    student = student_of(today_visit)
    services.attendance_record(proposal_id=today_visit.pk, by=student, outcome=ABSENT)
    record = services.attendance_record(
        proposal_id=today_visit.pk, by=student, outcome=HELD, note="We met after all."
    )
    assert record.side == "student"
    assert list(Attendance.objects.values_list("side", "outcome", "note")) == [
        ("student", HELD, "We met after all.")
    ]


def test_outsiders_get_not_found(today_visit: Proposal) -> None:
    with pytest.raises(ProposalNotFound):
        services.attendance_record(proposal_id=today_visit.pk, by=make_student(), outcome=HELD)


def test_a_proposal_never_confirmed_has_no_attendance(proposal: Proposal) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(date=timezone.localdate())
    with pytest.raises(ProposalConflict):
        services.attendance_record(proposal_id=proposal.pk, by=student_of(proposal), outcome=HELD)


def test_a_disagreement_is_shown_to_the_coordinator_until_settled(
    today_visit: Proposal, coordinator: User
) -> None:
    services.attendance_record(proposal_id=today_visit.pk, by=student_of(today_visit), outcome=HELD)
    services.attendance_record(proposal_id=today_visit.pk, by=host_of(today_visit), outcome=ABSENT)
    assert disputed_visits(program_id=today_visit.program_id) == [today_visit]
    services.attendance_record(proposal_id=today_visit.pk, by=coordinator, outcome=ABSENT)
    assert disputed_visits(program_id=today_visit.program_id) == []
    records = person_records(user_ids=[student_of(today_visit).pk, host_of(today_visit).pk])
    assert records[student_of(today_visit).pk] == PersonRecord(no_shows=1)
    assert records[host_of(today_visit).pk] == PersonRecord()


def test_each_persons_record_counts_held_no_shows_and_late_cancellations(
    past_visit: Proposal, coordinator: User, django_assert_num_queries: Any
) -> None:
    student, host = student_of(past_visit), host_of(past_visit)
    services.attendance_record(proposal_id=past_visit.pk, by=coordinator, outcome=HOST_CANCELLED)
    with django_assert_num_queries(1):
        records = person_records(user_ids=[student.pk, host.pk])
    assert records[host.pk] == PersonRecord(late_cancellations=1)
    assert records[student.pk] == PersonRecord()


def test_feedback_is_asked_only_for_visits_that_were_held(
    past_visit: Proposal, committing: Callable[..., Any]
) -> None:
    student, host = student_of(past_visit), host_of(past_visit)
    services.attendance_record(proposal_id=past_visit.pk, by=host, outcome=ABSENT)
    with pytest.raises(ProposalConflict):
        feedback_leave(proposal_id=past_visit.pk, by=host, rating=1, would_meet_again=False)
    services.attendance_record(proposal_id=past_visit.pk, by=student, outcome=HELD)
    # The student says it was held (disputed, unsettled): the student may still tell us.
    assert feedback_leave(proposal_id=past_visit.pk, by=student, rating=5, would_meet_again=True)
