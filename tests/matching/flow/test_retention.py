"""Retention (APPI): a closed programme's free text and stale applications go after
RETENTION_DAYS; a user deletes their own account."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import ApiToken, HostProfile, StudentProfile, User
from matching.models import (
    Application,
    Attendance,
    Delivery,
    Feedback,
    Program,
    Proposal,
    ProposalEvent,
    Round,
    Unplaced,
    VisitMeeting,
)
from matching.services import proposals as services
from matching.services.announcements import announcement_send
from matching.services.retention import ProgramNotDue, program_purge, programs_purge_due
from tests import factories
from tests.factories import PASSWORD
from tests.matching.flow.conftest import draft_proposal, host_of, seats_taken, student_of

pytestmark = pytest.mark.django_db


def _close(program: Program, *, days_ago: int) -> None:
    Program.objects.filter(pk=program.pk).update(
        status=Program.Status.CLOSED, closed_at=timezone.now() - dt.timedelta(days=days_ago)
    )


@pytest.fixture
def finished(rnd: Round, publish: Any) -> dict[str, Any]:
    """A programme with a visit that happened (with feedback), a declined pair, an unplaced
    applicant and a withdrawn one."""
    met = draft_proposal(rnd=rnd)
    declined = draft_proposal(rnd=rnd)
    publish(rnd)
    services.proposal_accept(proposal_id=met.pk, by=student_of(met))
    services.proposal_accept(proposal_id=met.pk, by=host_of(met))
    services.proposal_decline(
        proposal_id=declined.pk, by=student_of(declined), reason="My exam moved to that day."
    )
    Feedback.objects.create(
        proposal_id=met.pk, author=student_of(met), rating=5, comment="Wonderful day.",
        would_meet_again=True,
    )  # fmt: skip
    unplaced = factories.ApplicationFactory(program=rnd.program)
    Unplaced.objects.create(round=rnd, application=unplaced, reasons=["no_shared_date"])
    withdrawn = factories.ApplicationFactory(program=rnd.program, status="withdrawn")
    return {
        "program": rnd.program,
        "met": met,
        "declined": declined,
        "unplaced": unplaced,
        "withdrawn": withdrawn,
    }


def test_a_programme_closed_long_enough_is_purged_of_what_is_not_needed(
    finished: dict[str, Any], settings: Any, coordinator: User
) -> None:
    settings.RETENTION_DAYS = 30
    program = finished["program"]
    texts = {"ja": ("件名", "本文"), "en": ("Subject", "Body")}
    announcement_send(program=program, by=coordinator, texts=texts)
    _close(program, days_ago=31)
    assert Delivery.objects.filter(proposal__program=program).exists()
    assert Delivery.objects.filter(program=program, kind="announcement").exists()
    result = program_purge(program_id=program.pk)
    assert result.feedback_comments == 1 and result.applications == 2
    assert Feedback.objects.get().comment == "" and Feedback.objects.get().rating == 5
    assert not ProposalEvent.objects.exclude(reason="").exists()
    assert not Delivery.objects.filter(proposal__program=program).exists()
    # The announcements' texts go with the e-mail log.
    assert not Delivery.objects.filter(program=program).exists()
    kept = set(Application.objects.filter(program=program).values_list("pk", flat=True))
    assert finished["unplaced"].pk not in kept and finished["withdrawn"].pk not in kept
    # Who met whom, and the declined pair, stay: the numbers and "never again" need them.
    assert Proposal.objects.get(pk=finished["met"].pk).status == "confirmed"
    assert Proposal.objects.get(pk=finished["declined"].pk).status == "declined"
    program.refresh_from_db()
    first_purge = program.purged_at
    assert first_purge is not None
    again = program_purge(program_id=program.pk)
    assert (again.feedback_comments, again.event_reasons, again.applications) == (0, 0, 0)
    program.refresh_from_db()
    assert program.purged_at == first_purge


def test_an_open_or_recently_closed_programme_is_not_purged(
    finished: dict[str, Any], settings: Any
) -> None:
    settings.RETENTION_DAYS = 30
    program = finished["program"]
    with pytest.raises(ProgramNotDue):
        program_purge(program_id=program.pk)
    _close(program, days_ago=29)
    with pytest.raises(ProgramNotDue):
        program_purge(program_id=program.pk)
    assert programs_purge_due() == []
    assert Feedback.objects.get().comment == "Wonderful day."


def test_the_periodic_purge_takes_only_due_programmes_once(
    finished: dict[str, Any], settings: Any
) -> None:
    from matching.tasks import proposals as tasks

    settings.RETENTION_DAYS = 10
    program = finished["program"]
    recent = factories.ProgramFactory()
    _close(program, days_ago=11)
    _close(recent, days_ago=2)
    assert tasks.programs_purge_due.delay().get() == 1
    assert programs_purge_due() == []
    recent.refresh_from_db()
    assert recent.purged_at is None


def test_a_user_deletes_their_account_and_personal_data(
    proposal: Proposal, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    host = host_of(proposal)
    student = student_of(proposal)
    client = client_for(host)
    assert client.delete("/api/me/", {"password": "wrong"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete("/api/me/", {"password": PASSWORD})
    assert response.status_code == 204
    host.refresh_from_db()
    assert not host.is_active and host.email.endswith("@deleted.invalid")
    assert host.name != "" and not host.has_usable_password()
    assert not HostProfile.objects.filter(user=host).exists()
    assert not ApiToken.objects.filter(user=host).exists()
    proposal.refresh_from_db()
    assert proposal.status == "cancelled"
    assert seats_taken(proposal) == 0
    assert Application.objects.get(user=host).status == "withdrawn"
    # The student is told; the deleted account gets nothing.
    assert [m.to[0] for m in mail.outbox] == [student.email]
    assert client_for(None).post(
        "/api/auth/token/", {"email": "x", "password": PASSWORD}
    ).status_code in (400, 403)
    # The student's view of the cancelled proposal no longer names the family's address.
    row = client_for(student).get("/api/proposals/").json()[0]
    assert "address" not in row["counterpart"]


def test_account_deletion_keeps_past_visits_and_blanks_comments(
    proposal: Proposal, client_for: Any
) -> None:
    student = student_of(proposal)
    services.proposal_accept(proposal_id=proposal.pk, by=student)
    services.proposal_accept(proposal_id=proposal.pk, by=host_of(proposal))
    Proposal.objects.filter(pk=proposal.pk).update(date=timezone.localdate() - dt.timedelta(3))
    Feedback.objects.create(
        proposal=proposal, author=student, rating=2, comment="Too far.", would_meet_again=False
    )
    assert client_for(student).delete("/api/me/", {"password": PASSWORD}).status_code == 204
    assert Proposal.objects.get(pk=proposal.pk).status == "confirmed"
    feedback = Feedback.objects.get()
    assert feedback.comment == "" and feedback.rating == 2
    assert not StudentProfile.objects.filter(user=student).exists()
    assert User.objects.filter(pk=student.pk).exists()


def test_coordinators_do_not_delete_themselves_here(coordinator: User, client_for: Any) -> None:
    response = client_for(coordinator).delete("/api/me/", {"password": PASSWORD})
    assert response.status_code == 403
    coordinator.refresh_from_db()
    assert coordinator.is_active


def test_me_still_answers_get_after_the_delete_route(student: User, client_for: Any) -> None:
    assert client_for(student).get("/api/me/").json()["id"] == student.pk


def test_the_purge_keeps_what_happened_and_drops_what_people_wrote_about_it(
    finished: dict[str, Any], settings: Any
) -> None:
    settings.RETENTION_DAYS = 30
    met = finished["met"]
    Attendance.objects.create(proposal=met, side="host", outcome="student_absent", note="Late!")
    VisitMeeting.objects.create(proposal=met, time=dt.time(10), place="At our gate")
    _close(finished["program"], days_ago=31)
    program_purge(program_id=finished["program"].pk)
    record = Attendance.objects.get()
    assert (record.outcome, record.note) == ("student_absent", "")
    assert not VisitMeeting.objects.exists()


def test_account_deletion_keeps_what_happened_and_blanks_what_the_person_wrote(
    proposal: Proposal, client_for: Any
) -> None:
    student, host = student_of(proposal), host_of(proposal)
    services.proposal_accept(proposal_id=proposal.pk, by=student)
    services.proposal_accept(proposal_id=proposal.pk, by=host)
    Proposal.objects.filter(pk=proposal.pk).update(date=timezone.localdate() - dt.timedelta(3))
    Attendance.objects.create(
        proposal=proposal, side="host", outcome="held", note="Lovely", recorded_by=host
    )
    VisitMeeting.objects.create(proposal=proposal, time=dt.time(10), place="Our gate, 1-2-3")
    assert client_for(host).delete("/api/me/", {"password": PASSWORD}).status_code == 204
    record = Attendance.objects.get()
    assert (record.outcome, record.note) == ("held", "")
    assert not VisitMeeting.objects.exists()
